/*
 * libFuzzer target: a stream of operations on one simulated machine.
 *
 * Concept: the input is a tiny program. Its first byte picks the machine's
 * RAM size (64 KiB .. 16 MiB, so that DMA past the end of RAM is exercised);
 * every following op is an opcode byte (taken modulo OP_COUNT) and a few
 * argument bytes: port writes and reads on every DMA port (decoded and
 * undecoded) and on arbitrary ports, DREQ changes on any channel number,
 * attach/detach of scripted recording devices, external EOP outside service,
 * software requests, the HAL's channel-programming sequence, host writes to
 * RAM and bounded ndisdma_dma_run calls. Missing argument bytes read as 0.
 * The op encoding is the OP_* list below; fuzz/gen_corpus.py writes seeds in
 * it. Devices follow a 4-byte script (S0_*, S1_*): how much they take or
 * give (all, a fixed FIFO, random short, zero, odd or too many bytes), and
 * what they do from their callbacks (EOP, DREQ changes, nested runs, port
 * reads, attach attempts). A device asserts a DREQ line only from a callback
 * that moved data: one that kept requesting while refusing every byte would
 * livelock any run (see MAX_IDLE_GRANTS).
 *
 * The harness keeps its own reference model beside the machine and aborts
 * on the first disagreement:
 *  - a shadow copy of RAM, updated from the observer's BURST events (the
 *    bytes a device gave, 0xFF without a device, the byte-by-byte copy of
 *    memory-to-memory), compared with the machine's RAM after every run
 *    (all of it up to 2 MiB, else the windows the channels address); half a
 *    word given on a 16-bit channel never reaches RAM;
 *  - a shadow of every channel's current address and count, stepped by the
 *    BURST events and re-read at TC/EOP, compared after every run (this is
 *    the exact form of "a transfer moves no more than count+1 units");
 *  - per channel, the units moved since the channel was last programmed or
 *    ended a transfer, which never exceeds the current count + 1 at that
 *    point (a non-autoinitialize transfer moves at most its count + 1);
 *  - a masked channel without a software request, a cascade-mode channel,
 *    channels 0-3 while channel 4 is masked or not in cascade mode, and the
 *    channels of a disabled controller never move (memory-to-memory
 *    destination channel 1 is driven by channel 0's grant and is exempt);
 *  - every data callback gets a non-zero whole number of units that neither
 *    crosses the 16-bit address wrap nor terminal count nor the run's budget
 *    (one unit in single mode), with the bytes RAM holds in transfer order;
 *  - the units ndisdma_dma_run returns equal the units of the BURST events,
 *    and on channels with a device the units the callbacks accepted;
 *  - port writes change only the registers they address (H6, H7, H14) and
 *    port reads return what the snapshots say (H7, H11, H15);
 *  - observers never change behaviour: every op also runs on a twin machine
 *    without any observer (where the engine may take faster paths), and
 *    after each op both have the same registers, counters, RAM and the same
 *    sequence of device callbacks with the same data.
 * Out-of-bounds accesses are left to AddressSanitizer.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndisdma/dma.h>
#include <ndisdma/machine.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_ops: invariant violated at %s:%d: %s\n", __FILE__, __LINE__,     \
                    #cond);                                                                        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

enum {
    OP_OUT = 0,  /* sel, value: write one of the 64 DMA ports */
    OP_IN,       /* sel: read one of the 64 DMA ports */
    OP_OUT_ANY,  /* port lo, port hi, value */
    OP_IN_ANY,   /* port lo, port hi */
    OP_DREQ,     /* chan: bits 3-0 channel, bit 4 asserted, bit 7 huge channel */
    OP_ATTACH,   /* chan, 4 script bytes */
    OP_DETACH,   /* chan */
    OP_EOP,      /* chan: external EOP outside service */
    OP_RUN,      /* budget lo, hi: run with budget 1 + u16 */
    OP_PROGRAM,  /* ch, mode, addr lo, hi, page, count lo, hi, flags */
    OP_COMMAND,  /* ctl, value */
    OP_SREQ,     /* bits 2-0 channel, bit 3 set */
    OP_POKE,     /* addr 3 bytes, len, seed: host write to RAM */
    OP_MASK,     /* kind, value: single mask, clear mask, all mask, master clear */
    OP_RUN_BIG,  /* n: run with budget 1 + n * 1024 */
    OP_OBSERVER, /* add or remove an extra no-op observer */
    OP_COUNT
};

#define MAX_OPS         4096
#define MAX_INPUT_UNITS (1u << 18) /* runs stop after this many units per input */
#define MAX_IDLE_GRANTS 100000     /* data callbacks that move nothing, per run */
#define FULL_CHECK_RAM  (2u << 20) /* compare all RAM after every run up to this size */

static const uint64_t ram_sizes[8] = {64u << 10,   68u << 10, 128u << 10, 1u << 20,
                                      1052u << 10, 2u << 20,  4u << 20,   16u << 20};
static const uint8_t page_index[8] = {0x7, 0x3, 0x1, 0x2, 0xF, 0xB, 0x9, 0xA};

/* Device behaviour: script bytes given at attach time. */
enum {
    S0_TAKE_MASK = 0x03, /* 0 all, 1 fixed chunk (0: none), 2 random short, 3 zero/over/odd */
    S0_NULL_TO = 0x04,
    S0_NULL_FROM = 0x08,
    S0_NULL_TC = 0x10,
    S0_TC_DREQ = 0x20,  /* TC callback asserts its own DREQ */
    S0_TC_EOP = 0x40,   /* TC callback pulses EOP (ignored: not in service) */
    S0_TC_NESTED = 0x80 /* TC callback calls ndisdma_dma_run (returns 0) */
};
enum {
    S1_EOP = 0x01,
    S1_DROP_DREQ = 0x02,
    S1_OTHER_DREQ = 0x04,
    S1_NESTED = 0x08,
    S1_IO_READ = 0x10,
    S1_OTHER_EOP = 0x20,
    S1_ATTACH = 0x40,
    S1_SNAPSHOT = 0x80
};

struct fz;

typedef struct fz_dev {
    struct fz *h;
    unsigned ch;
    bool attached;
    bool has_to, has_from, has_tc;
    uint8_t script[4];
    uint32_t rng;
    bool zero_eop; /* last data callback moved nothing and pulsed EOP */
} fz_dev;

typedef struct fz {
    ndisdma_machine *m;
    bool mirror;    /* the lockstep twin: no observer, lighter checks */
    uint64_t trace; /* hash of every device callback and what it saw */
    uint64_t ram_size;
    uint8_t *ram;    /* the machine's RAM (ndisdma_phys_ptr) */
    uint8_t *shadow; /* reference copy */
    fz_dev dev[8];
    uint8_t window[256]; /* 64 KiB windows DMA or the host may have written */
    int extra_obs[NDISDMA_MAX_OBSERVERS];
    unsigned n_extra_obs;
    uint64_t input_units;

    /* Cross-run per-channel tally for the count+1 bound. */
    uint32_t since[8], allow[8];

    /* State of the current run. */
    bool in_run;
    size_t budget, seen_units;
    uint64_t callbacks;    /* data callbacks in this run */
    uint64_t run_cb_units; /* units the data callbacks accepted in this run */
    ndisdma_dma_channel_state pre[8];
    ndisdma_dma_controller_state cpre[2];
    bool m2m; /* controller 1 in memory-to-memory mode */
    uint16_t saddr[8], scount[8];
    uint64_t burst_units[8]; /* regular bursts */
    uint64_t m2m_units;      /* memory-to-memory bursts */
    uint64_t cb_units[8];    /* units the data callbacks accepted */
    unsigned tc_events[8];   /* TC or EOP */
    unsigned expect_tc_cb[8], got_tc_cb[8];
    int pending_tc; /* channel whose burst reached TC: the TC event comes next */
    bool m2m_pending_tc;
    bool eop_req[8]; /* the device pulsed EOP while served */
    int cb_ch;       /* channel of the last data callback, units not yet seen */
    bool own_dreq;   /* that callback asserted its own channel's DREQ */
    uint32_t cb_last_units;
    int expect_stall; /* channel whose device returned short: STALL comes next */
    uint8_t *given;   /* bytes the last from_device callback gave */
    size_t given_len;
} fz;

/* --- input reader --- */

typedef struct rd {
    const uint8_t *p;
    size_t n, i;
} rd;

static uint8_t rd8(rd *r)
{
    return r->i < r->n ? r->p[r->i++] : 0;
}

static unsigned rd_channel(rd *r)
{
    uint8_t a = rd8(r);
    if (a & 0x80)
        return 0xFFFFFFFFu - (a & 0x0F);
    return a & 0x0F;
}

static uint32_t xorshift(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static void trace_mix(fz *h, uint64_t v)
{
    h->trace = (h->trace ^ v) * 0x100000001B3ull;
}

/* --- the DMA port map, independent of the library (H1-H3) --- */

static uint16_t dma_port(uint8_t sel)
{
    sel &= 0x3F;
    if (sel < 0x10)
        return sel;
    if (sel < 0x20)
        return (uint16_t)(0x80 + (sel - 0x10));
    return (uint16_t)(0xC0 + (sel - 0x20));
}

/* Controller (0/1) and register offset of a DMA controller port; -1 if none. */
static int port_decode(uint16_t port, unsigned *reg)
{
    if (port <= 0x0F) {
        *reg = port;
        return 0;
    }
    if (port >= 0xC0 && port <= 0xDF && !(port & 1)) {
        *reg = (unsigned)(port - 0xC0) >> 1;
        return 1;
    }
    return -1;
}

static unsigned unit_shift(unsigned ch)
{
    return ch >= 4 ? 1u : 0u;
}

/* Physical address of 16-bit address @a on @ch with page @page (H16, H17). */
static uint64_t phys_of(unsigned ch, uint8_t page, uint16_t a)
{
    if (ch < 4)
        return (uint64_t)page << 16 | a;
    return (uint64_t)(page & 0xFE) << 16 | (uint64_t)a << 1;
}

static void snap_all(fz *h, ndisdma_dma_channel_state st[8], ndisdma_dma_controller_state c[2])
{
    for (unsigned ch = 0; ch < 8; ch++)
        CHECK(ndisdma_dma_get_channel(h->m, ch, &st[ch]) == 0);
    if (c) {
        CHECK(ndisdma_dma_get_controller(h->m, 0, &c[0]) == 0);
        CHECK(ndisdma_dma_get_controller(h->m, 1, &c[1]) == 0);
    }
}

static void reset_tally(fz *h, unsigned ch, const ndisdma_dma_channel_state *st)
{
    h->since[ch] = 0;
    h->allow[ch] = (uint32_t)st->current_count + 1u;
}

/* --- port I/O with checks --- */

static void out(fz *h, uint16_t port, uint8_t v)
{
    ndisdma_dma_channel_state a[8], b[8];
    ndisdma_dma_controller_state ca[2], cb[2];
    snap_all(h, a, ca);
    ndisdma_io_write8(h->m, port, v);
    snap_all(h, b, cb);

    unsigned reg = 0;
    int ctl = port_decode(port, &reg);
    int counter_ch = -1, mode_ch = -1, page_ch = -1;
    bool is_addr = false;
    if (ctl >= 0 && reg < 8) {
        counter_ch = ctl * 4 + (int)(reg >> 1);
        is_addr = !(reg & 1);
    }
    if (ctl >= 0 && reg == 0xB)
        mode_ch = ctl * 4 + (v & 3);
    if (port >= 0x80 && port <= 0x8F)
        for (int ch = 0; ch < 8; ch++)
            if (page_index[ch] == port - 0x80)
                page_ch = ch;

    for (int ch = 0; ch < 8; ch++) {
        const ndisdma_dma_channel_state *x = &a[ch], *y = &b[ch];
        if (ch == counter_ch) {
            /* H6, H7: base and current loaded together, low byte first. */
            bool hi = ca[ctl].flipflop;
            uint16_t was_b = is_addr ? x->base_address : x->base_count;
            uint16_t now_b = is_addr ? y->base_address : y->base_count;
            uint16_t was_c = is_addr ? x->current_address : x->current_count;
            uint16_t now_c = is_addr ? y->current_address : y->current_count;
            uint16_t keep = hi ? 0x00FF : 0xFF00;
            uint16_t put = hi ? (uint16_t)(v << 8) : v;
            CHECK(now_b == (uint16_t)((was_b & keep) | put));
            CHECK(now_c == (uint16_t)((was_c & keep) | put));
            CHECK(cb[ctl].flipflop == !hi);
            if (is_addr) {
                CHECK(y->base_count == x->base_count && y->current_count == x->current_count);
            } else {
                CHECK(y->base_address == x->base_address &&
                      y->current_address == x->current_address);
            }
        } else {
            CHECK(y->base_address == x->base_address && y->base_count == x->base_count);
            CHECK(y->current_address == x->current_address && y->current_count == x->current_count);
        }
        if (ch == mode_ch)
            CHECK(y->mode == (v & 0xFC));
        else
            CHECK(y->mode == x->mode);
        if (ch == page_ch)
            CHECK(y->page == v);
        else
            CHECK(y->page == x->page);
    }
    if (ctl >= 0 && reg == 0xC)
        CHECK(!cb[ctl].flipflop);
    if (ctl >= 0 && reg == 0xD) { /* master clear (H14) */
        CHECK(cb[ctl].command == 0 && cb[ctl].mask == 0x0F && cb[ctl].request == 0);
        CHECK(!cb[ctl].flipflop && (cb[ctl].status & 0x0F) == 0 && cb[ctl].temporary == 0);
    }

    /* The count+1 tally restarts when the transfer is set up anew. */
    for (int ch = 0; ch < 8; ch++) {
        bool reset = ch == counter_ch || ch == mode_ch || (ctl >= 0 && reg == 0xD && ch / 4 == ctl);
        if (reset)
            reset_tally(h, (unsigned)ch, &b[ch]);
    }
}

static uint8_t in(fz *h, uint16_t port)
{
    ndisdma_dma_channel_state a[8], b[8];
    ndisdma_dma_controller_state ca[2], cb[2];
    snap_all(h, a, ca);
    uint8_t v = ndisdma_io_read8(h->m, port);
    snap_all(h, b, cb);
    for (int ch = 0; ch < 8; ch++) {
        CHECK(a[ch].base_address == b[ch].base_address && a[ch].base_count == b[ch].base_count);
        CHECK(a[ch].current_address == b[ch].current_address &&
              a[ch].current_count == b[ch].current_count);
        CHECK(a[ch].mode == b[ch].mode && a[ch].page == b[ch].page);
        CHECK(a[ch].masked == b[ch].masked);
    }
    unsigned reg = 0;
    int ctl = port_decode(port, &reg);
    if (ctl >= 0) {
        if (reg < 8) {
            const ndisdma_dma_channel_state *x = &a[ctl * 4 + (reg >> 1)];
            uint16_t r = (reg & 1) ? x->current_count : x->current_address;
            CHECK(v == (ca[ctl].flipflop ? (uint8_t)(r >> 8) : (uint8_t)r));
            CHECK(cb[ctl].flipflop == !ca[ctl].flipflop);
        } else if (reg == 0x8) { /* status (H11) */
            CHECK(v == ca[ctl].status);
            CHECK((cb[ctl].status & 0x0F) == 0);
        } else if (reg == 0xD) {
            CHECK(v == ca[ctl].temporary);
        } else { /* write-only registers read as open bus (H15) */
            CHECK(v == 0xFF);
        }
        if (reg != 0x8)
            CHECK(cb[ctl].status == ca[ctl].status);
    } else if (port >= 0x80 && port <= 0x8F) {
        for (int ch = 0; ch < 8; ch++)
            if (page_index[ch] == port - 0x80)
                CHECK(v == a[ch].page);
    } else if (port < 0x80 || (port >= 0x90 && port < 0xC0) || port > 0xDF ||
               (port >= 0xC0 && (port & 1))) {
        CHECK(v == 0xFF); /* nothing else decodes ports in this harness */
    }
    return v;
}

/* --- observers --- */

static void noop_observer(void *ctx, const ndisdma_event *ev)
{
    (void)ctx;
    (void)ev;
}

static bool in_ram(const fz *h, uint64_t a, uint64_t len)
{
    return a <= h->ram_size && len <= h->ram_size - a;
}

/* Compare RAM of @h with @other (another machine's RAM or the shadow): all
   of it when small, else the windows that DMA or the host may have written
   (untouched pages of a big RAM cost a page fault each to compare). */
static bool same_ram(const fz *h, const uint8_t *other)
{
    if (h->ram_size <= FULL_CHECK_RAM)
        return memcmp(h->ram, other, h->ram_size) == 0;
    for (uint64_t w = 0; w < 256 && (w << 16) < h->ram_size; w++) {
        uint64_t len = h->ram_size - (w << 16) < 0x10000 ? h->ram_size - (w << 16) : 0x10000;
        if (h->window[w] && memcmp(h->ram + (w << 16), other + (w << 16), len) != 0)
            return false;
    }
    return true;
}

/* Re-read the channel's registers after a TC or EOP and check them (H19,
   H20, H25). */
static void after_end(fz *h, unsigned ch, bool external, bool reloaded_flag, bool callback)
{
    ndisdma_dma_channel_state st;
    CHECK(ndisdma_dma_get_channel(h->m, ch, &st) == 0);
    bool autoinit = (h->pre[ch].mode & 0x10) != 0;
    CHECK(reloaded_flag == autoinit);
    CHECK(st.terminal_count);
    CHECK(!st.software_request && !st.block_active);
    if (autoinit) {
        CHECK(st.current_address == st.base_address && st.current_count == st.base_count);
        CHECK(st.masked == h->pre[ch].masked);
    } else {
        CHECK(st.masked);
        CHECK(st.current_address == h->saddr[ch]);
        if (!external)
            CHECK(st.current_count == 0xFFFF);
        else
            CHECK(st.current_count == h->scount[ch]);
    }
    h->saddr[ch] = st.current_address;
    h->scount[ch] = st.current_count;
    reset_tally(h, ch, &st);
    h->tc_events[ch]++;
    const fz_dev *d = &h->dev[ch];
    if (callback && d->attached && d->has_tc)
        h->expect_tc_cb[ch]++;
}

/* Memory-to-memory burst of @n bytes (H24): replay it on the shadow. */
static void m2m_burst(fz *h, const ndisdma_event *ev)
{
    const ndisdma_dma_controller_state *c = &h->cpre[0];
    const bool hold = (c->command & 0x02) != 0;
    const uint16_t step0 = hold ? 0 : ((h->pre[0].mode & 0x20) ? 0xFFFF : 1);
    const uint16_t step1 = (h->pre[1].mode & 0x20) ? 0xFFFF : 1;
    const uint64_t src_page = (uint64_t)h->pre[0].page << 16;
    const uint64_t dst_page = (uint64_t)h->pre[1].page << 16;
    CHECK(ev->channel == 0 && ev->units == ev->bytes && ev->units > 0);
    CHECK(ev->phys == src_page + h->saddr[0]);
    uint8_t last = 0;
    bool tc = false;
    for (uint32_t k = 0; k < ev->units; k++) {
        CHECK(!tc); /* the transfer ends at channel 1's TC */
        uint64_t s = src_page + h->saddr[0], d = dst_page + h->saddr[1];
        uint8_t b = in_ram(h, s, 1) ? h->shadow[s] : 0xFF;
        if (in_ram(h, d, 1))
            h->shadow[d] = b;
        last = b;
        h->saddr[0] = (uint16_t)(h->saddr[0] + step0);
        h->saddr[1] = (uint16_t)(h->saddr[1] + step1);
        h->scount[0]--;
        tc = h->scount[1] == 0;
        h->scount[1]--;
    }
    ndisdma_dma_controller_state now;
    CHECK(ndisdma_dma_get_controller(h->m, 0, &now) == 0);
    CHECK(now.temporary == last);
    h->m2m_units += ev->units;
    h->since[1] += ev->units;
    CHECK(h->since[1] <= h->allow[1]);
    h->m2m_pending_tc = tc;
}

static void regular_burst(fz *h, const ndisdma_event *ev)
{
    const unsigned ch = ev->channel;
    CHECK(ch < 8 && ch != 4);
    const ndisdma_dma_channel_state *p = &h->pre[ch];
    const unsigned shift = unit_shift(ch), us = 1u << shift;
    const bool dec = (p->mode & 0x20) != 0;
    const uint32_t u = ev->units, left = (uint32_t)h->scount[ch] + 1u;
    const uint16_t a = h->saddr[ch];
    const unsigned type = (p->mode >> 2) & 3;
    CHECK(u > 0 && ev->bytes == u << shift);
    CHECK(ev->xfer == type);
    CHECK(((ev->flags & 0x01) != 0) == dec);
    CHECK(u <= left);
    CHECK(dec ? u <= (uint32_t)a + 1u : (uint32_t)a + u <= 0x10000u); /* H18 */
    if ((p->mode & 0xC0) == 0x40)
        CHECK(u == 1); /* single mode: one unit per grant (H22) */
    const uint16_t lo = dec ? (uint16_t)(a - (u - 1)) : a;
    CHECK(ev->phys == phys_of(ch, p->page, lo));

    const fz_dev *d = &h->dev[ch];
    bool has_fn = d->attached && (type == 2 ? d->has_to : d->has_from);
    if (type == 1 || type == 2) {
        CHECK(((ev->flags & 0x04) != 0) == !has_fn);
        if (has_fn) {
            CHECK(h->cb_ch == (int)ch && h->cb_last_units == u);
            h->cb_ch = -1;
        }
    }
    if (type == 1) { /* device -> memory: update the shadow, check RAM */
        for (uint32_t k = 0; k < u; k++) {
            uint16_t ak = dec ? (uint16_t)(a - k) : (uint16_t)(a + k);
            uint64_t pa = phys_of(ch, p->page, ak);
            if (!in_ram(h, pa, us))
                continue;
            for (unsigned j = 0; j < us; j++) {
                uint8_t b = has_fn ? h->given[k * us + j] : 0xFF;
                h->shadow[pa + j] = b;
                CHECK(h->ram[pa + j] == b);
            }
        }
    }
    h->saddr[ch] = dec ? (uint16_t)(a - u) : (uint16_t)(a + u);
    h->scount[ch] = (uint16_t)(h->scount[ch] - u);
    h->burst_units[ch] += u;
    h->since[ch] += u;
    CHECK(h->since[ch] <= h->allow[ch]); /* count + 1 bound */
    if (u == left)
        h->pending_tc = (int)ch;
}

static void checker(void *ctx, const ndisdma_event *ev)
{
    fz *h = ctx;
    /* A burst that reaches TC is followed at once by the TC event. */
    if (h->pending_tc >= 0 && ev->kind != NDISDMA_EV_IO_READ && ev->kind != NDISDMA_EV_IO_WRITE)
        CHECK(ev->kind == NDISDMA_EV_TC && ev->channel == h->pending_tc);
    if (h->m2m_pending_tc)
        CHECK(ev->kind == NDISDMA_EV_TC && ev->channel == 1);

    switch (ev->kind) {
    case NDISDMA_EV_BURST:
        CHECK(h->in_run);
        h->seen_units += ev->units;
        CHECK(h->seen_units <= h->budget);
        if (ev->xfer == NDISDMA_XFER_MEM_TO_MEM) {
            CHECK(h->m2m);
            m2m_burst(h, ev);
        } else {
            CHECK(!(h->m2m && ev->channel == 0));
            regular_burst(h, ev);
        }
        break;
    case NDISDMA_EV_TC:
        CHECK(h->in_run && ev->channel < 8);
        if (h->m2m_pending_tc) {
            h->m2m_pending_tc = false;
            /* Channel 0 reloads only in autoinitialize; re-read both. */
            ndisdma_dma_channel_state s0;
            CHECK(ndisdma_dma_get_channel(h->m, 0, &s0) == 0);
            if (h->pre[0].mode & 0x10)
                CHECK(s0.current_address == s0.base_address && s0.current_count == s0.base_count);
            else
                CHECK(s0.current_address == h->saddr[0] && s0.current_count == h->scount[0]);
            CHECK(!s0.software_request);
            h->saddr[0] = s0.current_address;
            h->scount[0] = s0.current_count;
            /* Channel 1 ends as at any TC, but no device callback. */
            after_end(h, 1, false, (ev->flags & NDISDMA_EVF_AUTOINIT) != 0, false);
            break;
        }
        CHECK(h->pending_tc == ev->channel);
        h->pending_tc = -1;
        h->eop_req[ev->channel] = false;
        after_end(h, ev->channel, false, (ev->flags & NDISDMA_EVF_AUTOINIT) != 0, true);
        break;
    case NDISDMA_EV_EOP:
        CHECK(h->in_run && ev->channel < 8);
        CHECK(h->eop_req[ev->channel]);
        CHECK(h->expect_stall < 0);
        h->eop_req[ev->channel] = false;
        if (h->cb_ch == ev->channel && h->cb_last_units == 0)
            h->cb_ch = -1;
        after_end(h, ev->channel, true, (ev->flags & NDISDMA_EVF_AUTOINIT) != 0, true);
        break;
    case NDISDMA_EV_STALL:
        /* every short return stalls the channel, also when the device pulsed
           EOP in the same callback (then the EOP event follows) */
        CHECK(h->in_run && ev->channel < 8);
        CHECK(h->expect_stall == ev->channel);
        h->expect_stall = -1;
        if (h->cb_ch == ev->channel) {
            CHECK(h->cb_last_units == 0 && ev->units == 0);
            h->cb_ch = -1;
        }
        break;
    default:
        break;
    }
}

/* --- devices --- */

/* Common checks at the start of a data callback (contract (c)). */
static void cb_enter(fz_dev *d, unsigned ch, size_t len, ndisdma_dma_channel_state *st)
{
    fz *h = d->h;
    CHECK(h->in_run && d->attached && ch == d->ch);
    h->own_dreq = false;
    /* Progress: a run ends even when devices keep refusing data. */
    CHECK(++h->callbacks <= (uint64_t)h->budget + MAX_IDLE_GRANTS);
    if (!h->mirror) {
        CHECK(h->cb_ch < 0); /* the previous callback's units were accounted for */
        CHECK(h->expect_stall < 0);
        CHECK(h->pending_tc < 0 && !h->m2m_pending_tc);
        for (unsigned i = 0; i < 8; i++)
            CHECK(!h->eop_req[i]);
    }
    CHECK(ndisdma_dma_get_channel(h->m, ch, st) == 0);
    const unsigned shift = unit_shift(ch);
    CHECK(len > 0 && (len & ((1u << shift) - 1u)) == 0);
    const size_t units = len >> shift;
    CHECK(units <= (size_t)st->current_count + 1u);
    if (st->mode & 0x20)
        CHECK(units <= (size_t)st->current_address + 1u);
    else
        CHECK(st->current_address + units <= 0x10000u);
    if ((st->mode & 0xC0) == 0x40)
        CHECK(units == 1);
    CHECK(h->run_cb_units + units <= h->budget);
    if (!h->mirror) {
        CHECK(h->seen_units + units <= h->budget);
        CHECK(st->current_address == h->saddr[ch] && st->current_count == h->scount[ch]);
    }
    trace_mix(h, (uint64_t)ch << 32 | len);
    trace_mix(h, (uint64_t)st->current_address << 16 | st->current_count);
}

/* How many bytes the device claims for an offer of @len (may be short, odd
   or more than offered: the controller clamps). */
static size_t decide(fz_dev *d, size_t len)
{
    uint32_t r = xorshift(&d->rng);
    const size_t us = 1u << unit_shift(d->ch);
    switch (d->script[0] & S0_TAKE_MASK) {
    case 0:
        return len;
    case 1: { /* a FIFO of script[2] units; 0: refuses everything */
        size_t chunk = (size_t)d->script[2] * us;
        return chunk < len ? chunk : len;
    }
    case 2:
        return (r & 3) == 0 ? (size_t)(r >> 8) % (len + 1) : len;
    default:
        switch (r & 7) {
        case 0:
            return 0;
        case 1:
            return len + 1 + (r >> 8) % 3;
        case 2:
            return len - 1;
        default:
            return len;
        }
    }
}

static bool fires(fz_dev *d, uint8_t bit)
{
    if (!(d->script[1] & bit))
        return false;
    return (xorshift(&d->rng) & 7) < (uint32_t)((d->script[3] & 7) + 1);
}

/* Side effects a device may cause from a data callback. A device asserts a
   DREQ line only in a callback that moved data (@progress): devices that
   keep requesting while refusing every byte would livelock any run. */
static void cb_actions(fz_dev *d, unsigned ch, bool progress)
{
    fz *h = d->h;
    uint32_t r = xorshift(&d->rng);
    if (fires(d, S1_DROP_DREQ))
        ndisdma_dma_request(h->m, ch, false);
    if (fires(d, S1_OTHER_DREQ)) {
        bool on = progress && ((r >> 4) & 1);
        ndisdma_dma_request(h->m, r % 10, on);
        if (r % 10 == ch)
            h->own_dreq = on;
    }
    if (fires(d, S1_NESTED))
        CHECK(ndisdma_dma_run(h->m, 1 + (r >> 8) % 100) == 0);
    if (fires(d, S1_IO_READ))
        (void)ndisdma_io_read8(h->m, dma_port((uint8_t)(r >> 12)));
    if (fires(d, S1_OTHER_EOP)) /* not the served channel: ignored */
        ndisdma_dma_eop(h->m, ((r >> 16) & 8) ? 9 : (ch + 1 + (r >> 16) % 7) % 8);
    if (fires(d, S1_ATTACH)) {
        ndisdma_dma_device dev = {0};
        CHECK(ndisdma_dma_attach(h->m, (r >> 20) % 8, &dev, NULL) != 0);
        CHECK(ndisdma_dma_detach(h->m, (r >> 23) % 8) != 0);
    }
    if (fires(d, S1_SNAPSHOT)) {
        ndisdma_dma_controller_state cs;
        ndisdma_hw_stats stats;
        CHECK(ndisdma_dma_get_controller(h->m, ch >> 2, &cs) == 0);
        CHECK(ndisdma_hw_get_stats(h->m, &stats) == 0);
    }
    d->zero_eop = false;
    if (fires(d, S1_EOP)) {
        ndisdma_dma_eop(h->m, ch);
        h->eop_req[ch] = true;
        d->zero_eop = !progress;
    }
}

/* Book-keeping at the end of a data callback that accepted @u of @len units. */
static void cb_leave(fz *h, unsigned ch, size_t ret, uint32_t u, size_t units_offered)
{
    trace_mix(h, ret);
    h->cb_units[ch] += u;
    h->run_cb_units += u;
    h->cb_ch = (int)ch;
    h->cb_last_units = u;
    /* A short return stalls the channel, unless the device moved some units
       and asserted its own DREQ again in the same callback (docs/hw.md). */
    if (u < units_offered && !(u > 0 && h->own_dreq))
        h->expect_stall = (int)ch;
}

static size_t dev_to(void *ctx, unsigned ch, const uint8_t *data, size_t len)
{
    fz_dev *d = ctx;
    fz *h = d->h;
    ndisdma_dma_channel_state st;
    cb_enter(d, ch, len, &st);
    CHECK(d->has_to && ((st.mode >> 2) & 3) == 2);
    /* The bytes RAM holds, in transfer order (0xFF beyond RAM). */
    const unsigned shift = unit_shift(ch), us = 1u << shift;
    const bool dec = (st.mode & 0x20) != 0;
    uint64_t sum = 0;
    for (size_t k = 0; k < len >> shift; k++) {
        uint16_t ak = dec ? (uint16_t)(st.current_address - k) : (uint16_t)(st.current_address + k);
        uint64_t pa = phys_of(ch, st.page, ak);
        bool inside = in_ram(h, pa, us);
        for (unsigned j = 0; j < us; j++) {
            if (!h->mirror) /* the twin's data is compared through the trace */
                CHECK(data[k * us + j] == (inside ? h->shadow[pa + j] : 0xFF));
            sum = sum * 31 + data[k * us + j];
        }
    }
    trace_mix(h, sum);
    size_t ret = decide(d, len);
    size_t took = ret < len ? ret : len;
    uint32_t u = (uint32_t)(took >> shift);
    cb_actions(d, ch, u > 0);
    cb_leave(h, ch, ret, u, len >> shift);
    return ret;
}

static size_t dev_from(void *ctx, unsigned ch, uint8_t *data, size_t len)
{
    fz_dev *d = ctx;
    fz *h = d->h;
    ndisdma_dma_channel_state st;
    cb_enter(d, ch, len, &st);
    CHECK(d->has_from && ((st.mode >> 2) & 3) == 1);
    const unsigned shift = unit_shift(ch);
    size_t ret = decide(d, len);
    size_t took = ret < len ? ret : len;
    /* The device writes what it returns (never past len), an odd byte on a
       16-bit channel included: that half word must not reach RAM. */
    uint32_t s = d->rng | 1u;
    for (size_t i = 0; i < took; i++) {
        data[i] = (uint8_t)xorshift(&s);
        h->given[i] = data[i];
    }
    h->given_len = took;
    uint32_t u = (uint32_t)(took >> shift);
    cb_actions(d, ch, u > 0);
    cb_leave(h, ch, ret, u, len >> shift);
    return ret;
}

static void dev_tc(void *ctx, unsigned ch)
{
    fz_dev *d = ctx;
    fz *h = d->h;
    CHECK(h->in_run && d->attached && ch == d->ch && d->has_tc);
    ndisdma_dma_channel_state st;
    CHECK(ndisdma_dma_get_channel(h->m, ch, &st) == 0);
    CHECK(st.terminal_count && !st.software_request);
    h->got_tc_cb[ch]++;
    if (!h->mirror)
        CHECK(h->got_tc_cb[ch] <= h->expect_tc_cb[ch]);
    trace_mix(h, 0x7C00u + ch);
    if ((d->script[0] & S0_TC_DREQ) && !d->zero_eop)
        ndisdma_dma_request(h->m, ch, true);
    if (d->script[0] & S0_TC_EOP)
        ndisdma_dma_eop(h->m, ch); /* not in service: ignored */
    if (d->script[0] & S0_TC_NESTED)
        CHECK(ndisdma_dma_run(h->m, 7) == 0);
}

/* --- runs --- */

/* May channel @ch move at all during a run that starts in this state? */
static bool may_move(const fz *h, unsigned ch)
{
    const ndisdma_dma_channel_state *p = &h->pre[ch];
    const ndisdma_dma_controller_state *c1 = &h->cpre[0], *c2 = &h->cpre[1];
    if (ch == 4 || (p->mode & 0xC0) == 0xC0)
        return false; /* cascade moves nothing itself (H4, H15, H22) */
    if (c2->command & 0x04)
        return false; /* H10: disabled master */
    if (ch < 4) {
        if ((c1->command & 0x04) || h->pre[4].masked || (h->pre[4].mode & 0xC0) != 0xC0)
            return false; /* H4 */
    }
    if (p->masked && !p->software_request)
        return false; /* H13 (a software request is not blocked by the mask, H12) */
    return true;
}

/* One bounded ndisdma_dma_run with every check; returns the units moved
   (SIZE_MAX when skipped because the input already moved enough). */
static size_t run(fz *h, size_t budget)
{
    CHECK(budget > 0);
    if (h->input_units >= MAX_INPUT_UNITS)
        return SIZE_MAX;
    snap_all(h, h->pre, h->cpre);
    h->m2m = (h->cpre[0].command & 0x01) != 0;
    for (unsigned ch = 0; ch < 8; ch++) { /* every window a channel can address */
        unsigned w = ch < 4 ? h->pre[ch].page : (h->pre[ch].page & 0xFEu);
        h->window[w] = 1;
        if (ch >= 4)
            h->window[w + 1] = 1;
    }
    for (unsigned ch = 0; ch < 8; ch++) {
        h->saddr[ch] = h->pre[ch].current_address;
        h->scount[ch] = h->pre[ch].current_count;
        h->burst_units[ch] = h->cb_units[ch] = 0;
        h->tc_events[ch] = h->expect_tc_cb[ch] = h->got_tc_cb[ch] = 0;
        h->eop_req[ch] = false;
    }
    h->m2m_units = 0;
    h->pending_tc = -1;
    h->m2m_pending_tc = false;
    h->cb_ch = -1;
    h->expect_stall = -1;
    h->budget = budget;
    h->seen_units = 0;
    h->callbacks = 0;
    h->run_cb_units = 0;
    ndisdma_hw_stats s0, s1;
    CHECK(ndisdma_hw_get_stats(h->m, &s0) == 0);

    h->in_run = true;
    size_t n = ndisdma_dma_run(h->m, budget);
    h->in_run = false;

    CHECK(ndisdma_hw_get_stats(h->m, &s1) == 0);
    CHECK(n <= budget);
    CHECK(s1.units - s0.units == n);
    CHECK(h->run_cb_units <= n);
    h->input_units += n;
    ndisdma_dma_channel_state post[8];
    snap_all(h, post, NULL);

    for (unsigned ch = 0; ch < 8; ch++) {
        /* (a) channels that may not move did not move */
        if (!may_move(h, ch) && !(ch == 1 && h->m2m)) {
            CHECK(h->cb_units[ch] == 0 && h->got_tc_cb[ch] == 0);
            CHECK(post[ch].current_address == h->pre[ch].current_address);
            CHECK(post[ch].current_count == h->pre[ch].current_count);
        }
    }
    if (h->mirror)
        return n; /* the rest needs the observer's events */

    CHECK(n == h->seen_units);
    CHECK(h->pending_tc < 0 && !h->m2m_pending_tc);
    CHECK(h->cb_ch < 0 && h->expect_stall < 0);
    uint64_t total = h->m2m_units;
    for (unsigned ch = 0; ch < 8; ch++) {
        CHECK(!h->eop_req[ch]);
        total += h->burst_units[ch];
        bool moved = h->burst_units[ch] || h->tc_events[ch] || (ch == 0 && h->m2m_units);
        if (!may_move(h, ch) && !(ch == 1 && h->m2m_units))
            CHECK(!moved);
        if (ch == 1 && h->m2m_units && !may_move(h, 1))
            CHECK(h->burst_units[1] == 0 && h->cb_units[1] == 0);
        /* the shadow registers agree with the machine */
        CHECK(post[ch].current_address == h->saddr[ch]);
        CHECK(post[ch].current_count == h->scount[ch]);
        /* device callbacks saw exactly the units of their bursts */
        const fz_dev *d = &h->dev[ch];
        if (d->attached) {
            unsigned type = (h->pre[ch].mode >> 2) & 3;
            bool has_fn = type == 2 ? d->has_to : type == 1 ? d->has_from : false;
            CHECK(h->cb_units[ch] == (has_fn ? h->burst_units[ch] : 0));
        } else {
            CHECK(h->cb_units[ch] == 0);
        }
        CHECK(h->got_tc_cb[ch] == h->expect_tc_cb[ch]);
    }
    CHECK(total == n);
    if (h->m2m_units) /* channel 0's count steps past zero without TC in memory-to-memory */
        reset_tally(h, 0, &post[0]);
    if (h->ram_size <= FULL_CHECK_RAM)
        CHECK(memcmp(h->ram, h->shadow, h->ram_size) == 0);
    return n;
}

/* --- ops --- */

static void do_attach(fz *h, rd *r)
{
    unsigned ch = rd_channel(r);
    uint8_t s[4];
    for (int i = 0; i < 4; i++)
        s[i] = rd8(r);
    ndisdma_dma_device dev = {
        .to_device = (s[0] & S0_NULL_TO) ? NULL : dev_to,
        .from_device = (s[0] & S0_NULL_FROM) ? NULL : dev_from,
        .terminal_count = (s[0] & S0_NULL_TC) ? NULL : dev_tc,
    };
    fz_dev tmp;
    fz_dev *d = ch < 8 ? &h->dev[ch] : &tmp;
    bool was = ch < 8 && d->attached;
    int rc = ndisdma_dma_attach(h->m, ch, &dev, d);
    if (ch >= 8 || ch == 4) {
        CHECK(rc == NDISDMA_ECHANNEL);
        return;
    }
    if (was) {
        CHECK(rc == NDISDMA_EBUSY);
        return;
    }
    CHECK(rc == 0);
    *d =
        (fz_dev){.h = h,
                 .ch = ch,
                 .attached = true,
                 .has_to = dev.to_device != NULL,
                 .has_from = dev.from_device != NULL,
                 .has_tc = dev.terminal_count != NULL,
                 .rng = ((uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3]) ^
                        0x9E3779B9u};
    if (!d->rng)
        d->rng = 1;
    memcpy(d->script, s, 4);
}

static void do_detach(fz *h, rd *r)
{
    unsigned ch = rd_channel(r);
    int rc = ndisdma_dma_detach(h->m, ch);
    if (ch >= 8 || ch == 4) {
        CHECK(rc == NDISDMA_ECHANNEL);
        return;
    }
    if (!h->dev[ch].attached) {
        CHECK(rc == NDISDMA_ENODEV);
        return;
    }
    CHECK(rc == 0);
    h->dev[ch].attached = false;
    ndisdma_dma_channel_state st;
    CHECK(ndisdma_dma_get_channel(h->m, ch, &st) == 0);
    CHECK(!st.dreq && !st.has_device);
}

static void do_program(fz *h, rd *r)
{
    unsigned ch = rd8(r) & 7;
    uint8_t mode = rd8(r), alo = rd8(r), ahi = rd8(r), page = rd8(r), clo = rd8(r), chi = rd8(r),
            flags = rd8(r);
    const unsigned i = ch & 3;
    const bool hi = ch >= 4;
    const uint16_t mask_port = hi ? 0xD4 : 0x0A, mode_port = hi ? 0xD6 : 0x0B,
                   ff_port = hi ? 0xD8 : 0x0C;
    const uint16_t addr_port = hi ? (uint16_t)(0xC0 + 4 * i) : (uint16_t)(2 * i);
    const uint16_t count_port = (uint16_t)(addr_port + (hi ? 2 : 1));
    if (!(flags & 4))
        out(h, mask_port, (uint8_t)(4 | i));
    out(h, mode_port, (uint8_t)((mode & 0xFC) | i));
    if (!(flags & 2))
        out(h, ff_port, 0);
    out(h, addr_port, alo);
    out(h, addr_port, ahi);
    out(h, (uint16_t)(0x80 + page_index[ch]), page);
    out(h, count_port, clo);
    out(h, count_port, chi);
    if (!(flags & 1))
        out(h, mask_port, (uint8_t)i);
}

static void do_poke(fz *h, rd *r)
{
    uint64_t a = (uint64_t)rd8(r) | (uint64_t)rd8(r) << 8 | (uint64_t)rd8(r) << 16;
    size_t len = (size_t)rd8(r) + 1;
    uint32_t s = rd8(r) * 2654435761u | 1u;
    uint8_t buf[256];
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)xorshift(&s);
    int rc = ndisdma_phys_write(h->m, a, buf, len);
    if (in_ram(h, a, len)) {
        CHECK(rc == 0);
        if (h->shadow)
            memcpy(h->shadow + a, buf, len);
        h->window[a >> 16] = h->window[(a + len - 1) >> 16] = 1;
    } else {
        CHECK(rc == NDISDMA_ERANGE);
    }
}

static void do_mask(fz *h, rd *r)
{
    uint8_t k = rd8(r), v = rd8(r);
    const bool hi = k & 1;
    switch ((k >> 1) & 3) {
    case 0:
        out(h, hi ? 0xD4 : 0x0A, v);
        break;
    case 1:
        out(h, hi ? 0xDC : 0x0E, v);
        break;
    case 2:
        out(h, hi ? 0xDE : 0x0F, v);
        break;
    default:
        out(h, hi ? 0xDA : 0x0D, v);
        break;
    }
}

static void do_observer(fz *h, uint8_t a)
{
    if ((a & 1) && h->n_extra_obs < NDISDMA_MAX_OBSERVERS) {
        int id = ndisdma_observer_add(h->m, noop_observer, NULL);
        if (id > 0)
            h->extra_obs[h->n_extra_obs++] = id;
        else
            CHECK(id == NDISDMA_ENOSPC);
    } else if (h->n_extra_obs) {
        CHECK(ndisdma_observer_remove(h->m, h->extra_obs[--h->n_extra_obs]) == 0);
    } else {
        CHECK(ndisdma_observer_remove(h->m, 1000) == NDISDMA_ENOENT);
    }
}

static void no_change(fz *h, const ndisdma_dma_channel_state before[8])
{
    ndisdma_dma_channel_state after[8];
    snap_all(h, after, NULL);
    for (int ch = 0; ch < 8; ch++) {
        CHECK(after[ch].current_address == before[ch].current_address);
        CHECK(after[ch].current_count == before[ch].current_count);
        CHECK(after[ch].mode == before[ch].mode && after[ch].masked == before[ch].masked);
    }
}

/* Argument bytes of each op. */
static const uint8_t op_args[OP_COUNT] = {
    [OP_OUT] = 2,  [OP_IN] = 1,      [OP_OUT_ANY] = 3, [OP_IN_ANY] = 2,
    [OP_DREQ] = 1, [OP_ATTACH] = 5,  [OP_DETACH] = 1,  [OP_EOP] = 1,
    [OP_RUN] = 2,  [OP_PROGRAM] = 8, [OP_COMMAND] = 2, [OP_SREQ] = 1,
    [OP_POKE] = 5, [OP_MASK] = 2,    [OP_RUN_BIG] = 1, [OP_OBSERVER] = 1,
};

/* Apply one op to one machine; returns the units a run moved, else 0. */
static size_t exec_op(fz *h, uint8_t op, rd *r)
{
    ndisdma_dma_channel_state st[8];
    switch (op) {
    case OP_OUT: {
        uint8_t sel = rd8(r);
        out(h, dma_port(sel), rd8(r));
        break;
    }
    case OP_IN:
        in(h, dma_port(rd8(r)));
        break;
    case OP_OUT_ANY: {
        uint16_t port = (uint16_t)(rd8(r) | rd8(r) << 8);
        out(h, port, rd8(r));
        break;
    }
    case OP_IN_ANY:
        in(h, (uint16_t)(rd8(r) | rd8(r) << 8));
        break;
    case OP_DREQ: {
        uint8_t a = rd8(r);
        unsigned ch = (a & 0x80) ? 0xFFFFFFFFu - (a & 0x0F) : (a & 0x0F);
        snap_all(h, st, NULL);
        ndisdma_dma_request(h->m, ch, (a >> 4) & 1);
        no_change(h, st);
        break;
    }
    case OP_ATTACH:
        do_attach(h, r);
        break;
    case OP_DETACH:
        do_detach(h, r);
        break;
    case OP_EOP: {
        snap_all(h, st, NULL);
        ndisdma_hw_stats s0, s1;
        CHECK(ndisdma_hw_get_stats(h->m, &s0) == 0);
        ndisdma_dma_eop(h->m, rd_channel(r));
        CHECK(ndisdma_hw_get_stats(h->m, &s1) == 0);
        CHECK(s1.terminal_counts == s0.terminal_counts);
        CHECK(s1.illegal_by_reason[NDISDMA_ILLEGAL_EOP_OUTSIDE_SERVICE] ==
              s0.illegal_by_reason[NDISDMA_ILLEGAL_EOP_OUTSIDE_SERVICE] + 1);
        no_change(h, st);
        break;
    }
    case OP_RUN: {
        size_t b = (size_t)rd8(r) | (size_t)rd8(r) << 8;
        return run(h, b + 1);
    }
    case OP_PROGRAM:
        do_program(h, r);
        break;
    case OP_COMMAND: {
        uint8_t k = rd8(r);
        out(h, (k & 1) ? 0xD0 : 0x08, rd8(r));
        break;
    }
    case OP_SREQ: {
        uint8_t a = rd8(r);
        out(h, (a & 4) ? 0xD2 : 0x09, (uint8_t)((a & 3) | ((a >> 1) & 4)));
        break;
    }
    case OP_POKE:
        do_poke(h, r);
        break;
    case OP_MASK:
        do_mask(h, r);
        break;
    case OP_RUN_BIG:
        return run(h, (size_t)rd8(r) * 1024u + 1u);
    default:
        /* Only the observed machine: the twin never has an observer. */
        if (!h->mirror)
            do_observer(h, rd8(r));
        break;
    }
    return 0;
}

static fz *fz_new(uint64_t ram_bytes, bool mirror)
{
    fz *h = calloc(1, sizeof *h);
    CHECK(h != NULL);
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.ram_bytes = ram_bytes;
    CHECK(ndisdma_machine_create(&cfg, &h->m) == 0);
    h->mirror = mirror;
    h->ram_size = ram_bytes;
    h->ram = ndisdma_phys_ptr(h->m, 0, h->ram_size);
    h->given = malloc(128u << 10);
    CHECK(h->ram && h->given);
    if (!mirror) {
        h->shadow = calloc(1, h->ram_size);
        CHECK(h->shadow != NULL);
        CHECK(ndisdma_observer_add(h->m, checker, h) > 0);
    }
    h->cb_ch = -1;
    h->pending_tc = -1;
    h->expect_stall = -1;
    ndisdma_dma_channel_state st[8];
    snap_all(h, st, NULL);
    for (unsigned ch = 0; ch < 8; ch++)
        reset_tally(h, ch, &st[ch]);
    return h;
}

static void fz_free(fz *h)
{
    ndisdma_machine_destroy(h->m);
    free(h->shadow);
    free(h->given);
    free(h);
}

/* Observers never change behaviour: the twin without one must be in the
   same state, with the same device callbacks, after every op. */
static void same_machines(const fz *a, const fz *b, bool ram)
{
    ndisdma_dma_channel_state x, y;
    for (unsigned ch = 0; ch < 8; ch++) {
        CHECK(ndisdma_dma_get_channel(a->m, ch, &x) == 0);
        CHECK(ndisdma_dma_get_channel(b->m, ch, &y) == 0);
        CHECK(x.base_address == y.base_address && x.base_count == y.base_count);
        CHECK(x.current_address == y.current_address && x.current_count == y.current_count);
        CHECK(x.mode == y.mode && x.page == y.page && x.masked == y.masked);
        CHECK(x.terminal_count == y.terminal_count && x.dreq == y.dreq);
        CHECK(x.software_request == y.software_request && x.block_active == y.block_active);
        CHECK(x.stalled == y.stalled && x.has_device == y.has_device);
        CHECK(x.next_phys == y.next_phys);
    }
    ndisdma_dma_controller_state cx, cy;
    for (unsigned i = 0; i < 2; i++) {
        CHECK(ndisdma_dma_get_controller(a->m, i, &cx) == 0);
        CHECK(ndisdma_dma_get_controller(b->m, i, &cy) == 0);
        CHECK(cx.command == cy.command && cx.status == cy.status && cx.mask == cy.mask);
        CHECK(cx.request == cy.request && cx.temporary == cy.temporary);
        CHECK(cx.flipflop == cy.flipflop);
    }
    ndisdma_hw_stats sx, sy;
    CHECK(ndisdma_hw_get_stats(a->m, &sx) == 0);
    CHECK(ndisdma_hw_get_stats(b->m, &sy) == 0);
    CHECK(memcmp(&sx, &sy, sizeof sx) == 0);
    CHECK(a->trace == b->trace);
    if (ram)
        CHECK(same_ram(a, b->ram));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    rd r = {data, size, 0};
    const uint64_t ram_bytes = ram_sizes[rd8(&r) & 7];
    fz *h = fz_new(ram_bytes, false);
    fz *twin = fz_new(ram_bytes, true);

    for (unsigned ops = 0; ops < MAX_OPS && r.i < r.n; ops++) {
        const uint8_t op = rd8(&r) % OP_COUNT;
        uint8_t args[8] = {0};
        for (unsigned k = 0; k < op_args[op] && k < sizeof args; k++)
            args[k] = rd8(&r);
        rd ra = {args, op_args[op], 0}, rb = {args, op_args[op], 0};
        size_t na = exec_op(h, op, &ra);
        size_t nb = exec_op(twin, op, &rb);
        CHECK(na == nb);
        same_machines(h, twin, (op == OP_RUN || op == OP_RUN_BIG) && ram_bytes <= FULL_CHECK_RAM);
    }

    CHECK(same_ram(h, h->shadow));
    same_machines(h, twin, true);
    if (getenv("FUZZ_OPS_SUMMARY")) { /* for corpus maintenance */
        ndisdma_hw_stats hs;
        CHECK(ndisdma_hw_get_stats(h->m, &hs) == 0);
        fprintf(stderr,
                "fuzz_ops: ram %llu KiB, units %llu, bursts %llu, tc %llu, stalls %llu, "
                "illegal %llu\n",
                (unsigned long long)(h->ram_size >> 10), (unsigned long long)hs.units,
                (unsigned long long)hs.bursts, (unsigned long long)hs.terminal_counts,
                (unsigned long long)hs.stalls, (unsigned long long)hs.illegal);
    }
    fz_free(h);
    fz_free(twin);
    return 0;
}
