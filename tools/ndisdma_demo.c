/*
 * ndisdma-demo: one system DMA transfer, shown step by step.
 *
 * Concept: the demo does what a driver and its HAL do to send a buffer to a
 * device over an ISA DMA channel, on a simulated PC/AT: it puts a frame in
 * physical memory, programs the channel through port I/O (mask, mode, clear
 * the byte-pointer flip-flop, address low/high, page register, count
 * low/high, unmask), plugs a device model into the channel, lets the device
 * assert DREQ and runs the DMA. An observer prints every port write and what
 * the controller does (bursts, terminal count); then the demo prints the
 * bytes the device received, checks them against the buffer, and reads the
 * registers back through the ports as a driver would.
 *
 * By default it runs twice: a 1514-byte Ethernet frame on channel 2 (8-bit,
 * controller 1), then on channel 5 (16-bit, controller 2) from a buffer that
 * crosses a 64 KiB boundary, which a 16-bit channel can do because it
 * addresses words in a 128 KiB window (spec/i8237.md H17).
 *
 * Exit status: 0 success, 1 the device received other bytes, 2 bad usage.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndisdma/dma.h>
#include <ndisdma/machine.h>

#define FRAME_BYTES 1514u

typedef struct demo_dev {
    uint8_t *buf; /* what the device received, in order */
    size_t cap, len;
    unsigned calls;
} demo_dev;

typedef struct demo {
    ndisdma_machine *m;
    bool quiet;
    const char *step; /* comment printed with the next port write */
} demo;

typedef struct transfer {
    unsigned ch;
    size_t bytes;
    uint64_t phys;
} transfer;

static const uint8_t page_port[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};

/* --- the device model: a FIFO that takes every byte it is offered --- */

static size_t dev_take(void *ctx, unsigned ch, const uint8_t *data, size_t len)
{
    demo_dev *d = ctx;
    (void)ch;
    size_t n = len <= d->cap - d->len ? len : d->cap - d->len;
    memcpy(d->buf + d->len, data, n);
    d->len += n;
    d->calls++;
    return n;
}

/* --- printing what the machine does --- */

static const char *xfer_name(unsigned xfer)
{
    switch (xfer) {
    case NDISDMA_XFER_READ:
        return "read (memory -> device)";
    case NDISDMA_XFER_WRITE:
        return "write (device -> memory)";
    case NDISDMA_XFER_MEM_TO_MEM:
        return "memory-to-memory";
    default:
        return "verify";
    }
}

static void observe(void *ctx, const ndisdma_event *ev)
{
    demo *dm = ctx;
    switch (ev->kind) {
    case NDISDMA_EV_IO_WRITE:
        printf("  out  port 0x%02X <- 0x%02X   %s\n", ev->port, ev->value,
               dm->step ? dm->step : "");
        dm->step = NULL;
        break;
    case NDISDMA_EV_DREQ:
        printf("  DREQ %u %s\n", ev->channel, ev->value ? "asserted by the device" : "dropped");
        break;
    case NDISDMA_EV_BURST:
        printf("  burst: channel %u, %s, %u units = %u bytes at physical 0x%06llX%s\n", ev->channel,
               xfer_name(ev->xfer), ev->units, ev->bytes, (unsigned long long)ev->phys,
               (ev->flags & NDISDMA_EVF_NO_DEVICE) ? " (no device)" : "");
        break;
    case NDISDMA_EV_TC:
        printf("  terminal count on channel %u%s\n", ev->channel,
               (ev->flags & NDISDMA_EVF_AUTOINIT) ? " (autoinitialize: reloaded)" : "");
        break;
    case NDISDMA_EV_EOP:
        printf("  external EOP on channel %u\n", ev->channel);
        break;
    case NDISDMA_EV_STALL:
        printf("  channel %u stalled: the device took %u units\n", ev->channel, ev->units);
        break;
    case NDISDMA_EV_ILLEGAL:
        printf("  illegal access: %s (port 0x%02X)\n", ndisdma_illegal_str(ev->reason), ev->port);
        break;
    default:
        break;
    }
}

/* A port write with its meaning, as a driver's comment would say it. */
static void out(demo *dm, uint16_t port, uint8_t v, const char *what)
{
    dm->step = what;
    ndisdma_io_write8(dm->m, port, v);
    dm->step = NULL;
}

static void hexdump(const uint8_t *p, size_t len, size_t max)
{
    size_t n = len < max ? len : max;
    for (size_t i = 0; i < n; i += 16) {
        printf("    %04zx ", i);
        for (size_t j = i; j < i + 16 && j < n; j++)
            printf(" %02x", p[j]);
        printf("\n");
    }
    if (len > n)
        printf("    ... %zu more bytes\n", len - n);
}

/* --- one transfer --- */

/* Fill @len bytes like an Ethernet frame: broadcast destination, a locally
   administered source, IPv4 type, then a counting payload. */
static void make_frame(uint8_t *p, size_t len)
{
    static const uint8_t hdr[14] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02,
                                    0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00};
    for (size_t i = 0; i < len; i++)
        p[i] = i < sizeof hdr ? hdr[i] : (uint8_t)(i - sizeof hdr);
}

/* Program the channel through the ports exactly as a HAL does. */
static void program(demo *dm, const transfer *t)
{
    const unsigned i = t->ch & 3;
    const bool word = t->ch >= 4;
    const uint16_t mask = word ? 0xD4 : 0x0A, mode = word ? 0xD6 : 0x0B, ff = word ? 0xD8 : 0x0C;
    const uint16_t addr = word ? (uint16_t)(0xC0 + 4 * i) : (uint16_t)(2 * i);
    const uint16_t count = word ? (uint16_t)(addr + 2) : (uint16_t)(addr + 1);
    /* 16-bit channels count words and address them: A1-A16 from the
       address register, A17-A23 from the page register (H17). */
    const uint16_t a = word ? (uint16_t)(t->phys >> 1) : (uint16_t)t->phys;
    const uint8_t page = (uint8_t)(t->phys >> 16);
    const uint16_t n = (uint16_t)((word ? t->bytes / 2 : t->bytes) - 1); /* N - 1 (H8) */
    char what[5][64];
    snprintf(what[0], sizeof what[0], "mask channel %u", t->ch);
    snprintf(what[1], sizeof what[1], "mode: demand, read (memory -> device), channel %u", t->ch);
    snprintf(what[2], sizeof what[2], "address 0x%04X, low byte", a);
    snprintf(what[3], sizeof what[3], "count 0x%04X (%s - 1), low byte", n,
             word ? "words" : "bytes");
    snprintf(what[4], sizeof what[4], "page register of channel %u: 0x%02X", t->ch, page);
    out(dm, mask, (uint8_t)(0x04 | i), what[0]);
    out(dm, mode, (uint8_t)(0x08 | i), what[1]);
    out(dm, ff, 0, "clear the byte-pointer flip-flop");
    out(dm, addr, (uint8_t)a, what[2]);
    out(dm, addr, (uint8_t)(a >> 8), "address, high byte");
    out(dm, page_port[t->ch], page, what[4]);
    out(dm, count, (uint8_t)n, what[3]);
    out(dm, count, (uint8_t)(n >> 8), "count, high byte");
    out(dm, mask, (uint8_t)i, "unmask: the channel may run");
}

/* Read the current address and count and the status back through the
   ports, as a driver does after a transfer. */
static void read_back(demo *dm, const transfer *t)
{
    const unsigned i = t->ch & 3;
    const bool word = t->ch >= 4;
    const uint16_t addr = word ? (uint16_t)(0xC0 + 4 * i) : (uint16_t)(2 * i);
    const uint16_t count = word ? (uint16_t)(addr + 2) : (uint16_t)(addr + 1);
    ndisdma_io_write8(dm->m, word ? 0xD8 : 0x0C, 0);
    uint16_t a = ndisdma_io_read8(dm->m, addr);
    a = (uint16_t)(a | ndisdma_io_read8(dm->m, addr) << 8);
    uint16_t c = ndisdma_io_read8(dm->m, count);
    c = (uint16_t)(c | ndisdma_io_read8(dm->m, count) << 8);
    uint8_t page = ndisdma_io_read8(dm->m, page_port[t->ch]);
    uint8_t status = ndisdma_io_read8(dm->m, word ? 0xD0 : 0x08);
    uint64_t next =
        word ? ((uint64_t)(page & 0xFE) << 16 | (uint64_t)a << 1) : ((uint64_t)page << 16 | a);
    printf("registers read back through the ports:\n");
    printf("  current address 0x%04X, page 0x%02X: next unit at physical 0x%06llX\n", a, page,
           (unsigned long long)next);
    printf("  current count   0x%04X%s\n", c,
           c == 0xFFFF ? " (terminal count: the count went past zero)" : "");
    printf("  status          0x%02X: TC bit of channel %u %s\n", status, t->ch,
           (status >> i) & 1 ? "set" : "clear");
}

/* Returns 0, or 1 when the device received other bytes. @frame holds the
   buffer, @dev receives. */
static int transfer_frame(demo *dm, const transfer *t, const uint8_t *frame, demo_dev *dev)
{
    if (ndisdma_phys_write(dm->m, t->phys, frame, t->bytes) != 0) {
        fprintf(stderr, "ndisdma-demo: buffer outside RAM\n");
        return 1;
    }
    const ndisdma_dma_device ops = {.to_device = dev_take};
    if (ndisdma_dma_attach(dm->m, t->ch, &ops, dev) != 0) {
        fprintf(stderr, "ndisdma-demo: cannot attach a device to channel %u\n", t->ch);
        return 1;
    }
    int obs = dm->quiet ? 0 : ndisdma_observer_add(dm->m, observe, dm);

    if (!dm->quiet) {
        printf("== channel %u (%s), %zu bytes from physical 0x%06llX to 0x%06llX\n", t->ch,
               t->ch >= 4 ? "16-bit, controller 2" : "8-bit, controller 1", t->bytes,
               (unsigned long long)t->phys, (unsigned long long)(t->phys + t->bytes - 1));
        if (t->ch >= 4 && (t->phys >> 16) != ((t->phys + t->bytes - 1) >> 16))
            printf("   (it crosses a 64 KiB boundary: fine on a 16-bit channel, which addresses\n"
                   "    words in a 128 KiB window; the page register holds A17-A23)\n");
        printf("programming the controller:\n");
    }
    program(dm, t);
    if (!dm->quiet)
        printf("the device asks for the bus, the DMA runs:\n");
    ndisdma_dma_request(dm->m, t->ch, true);
    size_t units = ndisdma_dma_run(dm->m, 0);
    ndisdma_dma_request(dm->m, t->ch, false);
    if (obs > 0)
        ndisdma_observer_remove(dm->m, obs);

    bool same = dev->len == t->bytes && memcmp(dev->buf, frame, t->bytes) == 0;
    if (!dm->quiet) {
        printf("the device received %zu bytes in %u callback%s (%zu units):\n", dev->len,
               dev->calls, dev->calls == 1 ? "" : "s", units);
        hexdump(dev->buf, dev->len, 64);
        read_back(dm, t);
        printf("check: %s\n\n", same ? "the device received the buffer exactly (OK)"
                                     : "the device received other bytes (MISMATCH)");
    } else {
        printf("channel %u: %zu byte%s at 0x%06llX: %s\n", t->ch, t->bytes,
               t->bytes == 1 ? "" : "s", (unsigned long long)t->phys, same ? "OK" : "MISMATCH");
    }
    ndisdma_dma_detach(dm->m, t->ch);
    return same ? 0 : 1;
}

static int run_transfer(demo *dm, const transfer *t)
{
    demo_dev dev = {.cap = t->bytes};
    uint8_t *frame = malloc(t->bytes);
    dev.buf = malloc(t->bytes);
    int rc = 1;
    if (frame && dev.buf) {
        make_frame(frame, t->bytes);
        rc = transfer_frame(dm, t, frame, &dev);
    } else {
        fprintf(stderr, "ndisdma-demo: out of memory\n");
    }
    free(frame);
    free(dev.buf);
    return rc;
}

/* Where the buffer goes: inside one 64 KiB window on channels 0-3; across
   the 64 KiB boundary at 0x30000, inside the 128 KiB window 0x20000-0x3FFFF,
   on channels 5-7. */
static transfer place(unsigned ch, size_t bytes)
{
    transfer t = {.ch = ch, .bytes = bytes};
    if (ch < 4)
        t.phys = bytes <= 0x8000 ? 0x11000 : 0x10000;
    else
        t.phys = 0x30000 - ((bytes / 2) & ~(size_t)1);
    return t;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: ndisdma-demo [--channel N] [--length BYTES] [--quiet] [--help]\n"
               "Programs the simulated PC/AT DMA controller through port I/O as a driver does,\n"
               "sends a buffer to a device model on channel N and shows what happens: the port\n"
               "writes, the bursts, terminal count, the bytes received and the registers.\n"
               "  --channel N     0-3 (8-bit) or 5-7 (16-bit); default: channel 2, then 5\n"
               "  --length BYTES  1-65536 on channels 0-3, even 2-131072 on 5-7; default 1514\n"
               "  --quiet         one line per transfer\n"
               "Exit status: 0 success, 1 data mismatch, 2 bad usage.\n");
}

static bool parse_num(const char *s, unsigned long *v)
{
    char *end;
    if (!s || !*s)
        return false;
    *v = strtoul(s, &end, 0);
    return *end == '\0' && s[0] != '-';
}

int main(int argc, char **argv)
{
    demo dm = {0};
    unsigned long ch = 0, len = FRAME_BYTES;
    bool have_ch = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(argv[i], "--quiet") == 0 || strcmp(argv[i], "-q") == 0) {
            dm.quiet = true;
        } else if (strcmp(argv[i], "--channel") == 0 && i + 1 < argc) {
            if (!parse_num(argv[++i], &ch) || ch > 7 || ch == 4) {
                fprintf(stderr, "ndisdma-demo: --channel takes 0-3 or 5-7 (4 is the cascade)\n");
                return 2;
            }
            have_ch = true;
        } else if (strcmp(argv[i], "--length") == 0 && i + 1 < argc) {
            if (!parse_num(argv[++i], &len) || len == 0) {
                fprintf(stderr, "ndisdma-demo: --length takes a positive number of bytes\n");
                return 2;
            }
        } else {
            usage(stderr);
            return 2;
        }
    }
    unsigned channels[2] = {2, 5};
    unsigned n = 2;
    if (have_ch) {
        channels[0] = (unsigned)ch;
        n = 1;
    }
    for (unsigned k = 0; k < n; k++) {
        bool word = channels[k] >= 4;
        if (len > (word ? 131072ul : 65536ul) || (word && (len & 1))) {
            fprintf(stderr,
                    "ndisdma-demo: channel %u moves %s; %lu bytes do not fit one transfer\n",
                    channels[k], word ? "2-131072 bytes, an even number" : "1-65536 bytes", len);
            return 2;
        }
    }

    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.ram_bytes = 1u << 20;
    if (ndisdma_machine_create(&cfg, &dm.m) != 0) {
        fprintf(stderr, "ndisdma-demo: cannot create the machine\n");
        return 1;
    }
    int rc = 0;
    for (unsigned k = 0; k < n; k++) {
        transfer t = place(channels[k], len);
        rc |= run_transfer(&dm, &t);
    }
    ndisdma_machine_destroy(dm.m);
    return rc;
}
