/*
 * Benchmarks of the hardware model: DMA transfers and port programming.
 *
 * Concept: each benchmark programs the controller through port I/O as a HAL
 * does, runs the transfer with ndisdma_dma_run, and compares with the least
 * work a real consumer would do anyway, measured in the same run:
 *  - dma_block_64k / dma_demand_16bit_128k: the device model copies the
 *    bytes it is offered into (or out of) its FIFO buffer, as a NIC or an
 *    emulated device does; the baseline is the same copy (bench_copy, a
 *    memcpy) of the same size between the same buffers without the DMA
 *    model. The ratio (higher is better) is the share of memcpy speed the
 *    model keeps: 1.0 means the model adds nothing. A device that only
 *    counted bytes would be compared with no work at all, so the copy is
 *    the fair choice. Each transfer includes programming the channel.
 *  - dma_single_unit: single mode, one byte per grant, DREQ held; the
 *    baseline is the device callback called once per byte through a
 *    function pointer, the cost no controller model can avoid.
 *  - program_channel: the nine port writes of one channel set-up; the
 *    baseline is nine calls of a trivial register-store function through a
 *    function pointer.
 * Each benchmark checks once that the data arrived, and fails otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndisdma/dma.h>
#include <ndisdma/machine.h>

#include "bench.h"

/* --- programming a channel through the ports, as a HAL does --- */

static const uint8_t page_port[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};

typedef struct chan_prog {
    unsigned ch;
    uint8_t mode; /* bits 7-2 */
    uint16_t addr;
    uint8_t page;
    uint16_t count;
} chan_prog;

static void program_channel(ndisdma_machine *m, const chan_prog *p)
{
    const unsigned i = p->ch & 3;
    if (p->ch < 4) {
        ndisdma_io_write8(m, 0x0A, (uint8_t)(0x04 | i)); /* mask */
        ndisdma_io_write8(m, 0x0B, (uint8_t)(p->mode | i));
        ndisdma_io_write8(m, 0x0C, 0); /* clear flip-flop */
        ndisdma_io_write8(m, (uint16_t)(2 * i), (uint8_t)p->addr);
        ndisdma_io_write8(m, (uint16_t)(2 * i), (uint8_t)(p->addr >> 8));
        ndisdma_io_write8(m, page_port[p->ch], p->page);
        ndisdma_io_write8(m, (uint16_t)(2 * i + 1), (uint8_t)p->count);
        ndisdma_io_write8(m, (uint16_t)(2 * i + 1), (uint8_t)(p->count >> 8));
        ndisdma_io_write8(m, 0x0A, (uint8_t)i); /* unmask */
    } else {
        ndisdma_io_write8(m, 0xD4, (uint8_t)(0x04 | i));
        ndisdma_io_write8(m, 0xD6, (uint8_t)(p->mode | i));
        ndisdma_io_write8(m, 0xD8, 0);
        ndisdma_io_write8(m, (uint16_t)(0xC0 + 4 * i), (uint8_t)p->addr);
        ndisdma_io_write8(m, (uint16_t)(0xC0 + 4 * i), (uint8_t)(p->addr >> 8));
        ndisdma_io_write8(m, page_port[p->ch], p->page);
        ndisdma_io_write8(m, (uint16_t)(0xC2 + 4 * i), (uint8_t)p->count);
        ndisdma_io_write8(m, (uint16_t)(0xC2 + 4 * i), (uint8_t)(p->count >> 8));
        ndisdma_io_write8(m, 0xD4, (uint8_t)i);
    }
}

/* --- a FIFO device model --- */

typedef struct fifo_dev {
    uint8_t *buf;
    size_t cap, pos;
    uint64_t bytes;
} fifo_dev;

static size_t fifo_take(void *ctx, unsigned ch, const uint8_t *data, size_t len)
{
    fifo_dev *f = ctx;
    (void)ch;
    if (f->pos + len > f->cap)
        f->pos = 0;
    bench_copy(f->buf + f->pos, data, len);
    f->pos += len;
    f->bytes += len;
    return len;
}

static size_t fifo_give(void *ctx, unsigned ch, uint8_t *data, size_t len)
{
    fifo_dev *f = ctx;
    (void)ch;
    if (f->pos + len > f->cap)
        f->pos = 0;
    bench_copy(data, f->buf + f->pos, len);
    f->pos += len;
    f->bytes += len;
    return len;
}

/* One byte per call, as a single-mode device latches it. */
static size_t fifo_take_byte(void *ctx, unsigned ch, const uint8_t *data, size_t len)
{
    fifo_dev *f = ctx;
    (void)ch;
    f->buf[f->pos] = data[0];
    f->pos = (f->pos + 1) & (f->cap - 1);
    f->bytes += len;
    return len;
}

/* --- a transfer fixture --- */

typedef struct xfer {
    ndisdma_machine *m;
    fifo_dev dev;
    chan_prog prog;
    uint8_t *ram; /* the transfer's bytes in simulated RAM */
    size_t bytes; /* bytes per transfer */
    size_t units; /* units per transfer */
    bool failed;
} xfer;

static int xfer_init(xfer *x, const chan_prog *p, const ndisdma_dma_device *dev, size_t bytes)
{
    memset(x, 0, sizeof *x);
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.ram_bytes = 4u << 20;
    if (ndisdma_machine_create(&cfg, &x->m) != 0)
        return -1;
    x->prog = *p;
    x->bytes = bytes;
    x->units = p->ch >= 4 ? bytes / 2 : bytes;
    uint64_t phys = p->ch >= 4 ? ((uint64_t)(p->page & 0xFE) << 16 | (uint64_t)p->addr << 1)
                               : ((uint64_t)p->page << 16 | p->addr);
    x->ram = ndisdma_phys_ptr(x->m, phys, bytes);
    x->dev.cap = 128u << 10;
    x->dev.buf = malloc(x->dev.cap);
    if (!x->ram || !x->dev.buf)
        return -1;
    for (size_t i = 0; i < bytes; i++)
        x->ram[i] = (uint8_t)(i * 7 + 3);
    for (size_t i = 0; i < x->dev.cap; i++)
        x->dev.buf[i] = (uint8_t)(i * 13 + 5);
    if (ndisdma_dma_attach(x->m, p->ch, dev, &x->dev) != 0)
        return -1;
    ndisdma_dma_request(x->m, p->ch, true); /* the device holds DREQ throughout */
    return 0;
}

static void xfer_fini(xfer *x)
{
    ndisdma_machine_destroy(x->m);
    free(x->dev.buf);
}

/* One transfer per iteration: program the channel, run to terminal count. */
static void xfer_body(void *arg, uint64_t iters)
{
    xfer *x = arg;
    for (uint64_t k = 0; k < iters; k++) {
        x->dev.pos = 0;
        program_channel(x->m, &x->prog);
        if (ndisdma_dma_run(x->m, 0) != x->units)
            x->failed = true;
    }
}

typedef struct copy_arg {
    uint8_t *dst;
    const uint8_t *src;
    size_t n;
} copy_arg;

static void copy_body(void *arg, uint64_t iters)
{
    copy_arg *c = arg;
    for (uint64_t k = 0; k < iters; k++) {
        bench_copy(c->dst, c->src, c->n);
        bench_sink(c->dst);
    }
}

static int fail(const char *name, const char *why)
{
    fprintf(stderr, "ndisdma-bench: %s: %s\n", name, why);
    return -1;
}

static void throughput_result(bench_result *out, size_t bytes, double ns, double base_ns,
                              const char *what)
{
    out->value = (double)bytes / ns; /* bytes per ns = GB/s */
    out->unit = "GB/s";
    out->baseline = (double)bytes / base_ns;
    out->baseline_what = what;
    out->ratio = out->value / out->baseline;
    out->better = "higher";
    out->goal = "ratio >= 0.5";
    out->goal_met = out->ratio >= 0.5;
}

int bench_dma_block_64k(const bench_ctx *ctx, bench_result *out)
{
    static const char name[] = "dma_block_64k";
    const size_t bytes = 64u << 10;
    const chan_prog p = {
        .ch = 2, .mode = 0x88 /* block, read */, .addr = 0, .page = 1, .count = 0xFFFF};
    const ndisdma_dma_device dev = {.to_device = fifo_take};
    xfer x;
    if (xfer_init(&x, &p, &dev, bytes) != 0) {
        xfer_fini(&x);
        return fail(name, "set-up failed");
    }
    xfer_body(&x, 1);
    if (x.failed || x.dev.bytes != bytes || memcmp(x.dev.buf, x.ram, bytes) != 0) {
        xfer_fini(&x);
        return fail(name, "the device did not receive the buffer");
    }
    copy_arg c = {x.dev.buf, x.ram, bytes};
    double ns, base_ns;
    bench_time_pair(ctx, xfer_body, &x, copy_body, &c, &ns, &base_ns);
    bool failed = x.failed;
    xfer_fini(&x);
    if (failed)
        return fail(name, "a transfer moved the wrong number of units");
    throughput_result(out, bytes, ns, base_ns, "memcpy 64 KiB RAM -> FIFO");
    return 0;
}

int bench_dma_demand_16bit_128k(const bench_ctx *ctx, bench_result *out)
{
    static const char name[] = "dma_demand_16bit_128k";
    const size_t bytes = 128u << 10;
    const chan_prog p = {
        .ch = 5, .mode = 0x04 /* demand, write */, .addr = 0, .page = 2, .count = 0xFFFF};
    const ndisdma_dma_device dev = {.from_device = fifo_give};
    xfer x;
    if (xfer_init(&x, &p, &dev, bytes) != 0) {
        xfer_fini(&x);
        return fail(name, "set-up failed");
    }
    xfer_body(&x, 1);
    if (x.failed || x.dev.bytes != bytes || memcmp(x.dev.buf, x.ram, bytes) != 0) {
        xfer_fini(&x);
        return fail(name, "memory did not receive the device's bytes");
    }
    copy_arg c = {x.ram, x.dev.buf, bytes};
    double ns, base_ns;
    bench_time_pair(ctx, xfer_body, &x, copy_body, &c, &ns, &base_ns);
    bool failed = x.failed;
    xfer_fini(&x);
    if (failed)
        return fail(name, "a transfer moved the wrong number of units");
    throughput_result(out, bytes, ns, base_ns, "memcpy 128 KiB FIFO -> RAM");
    return 0;
}

/* Baseline of dma_single_unit: the device callback, once per byte. */
typedef struct unit_calls {
    size_t (*fn)(void *, unsigned, const uint8_t *, size_t);
    fifo_dev *dev;
    const uint8_t *src;
    size_t n;
} unit_calls;

static void unit_calls_body(void *arg, uint64_t iters)
{
    unit_calls *u = arg;
    size_t (*volatile fn)(void *, unsigned, const uint8_t *, size_t) = u->fn;
    for (uint64_t k = 0; k < iters; k++)
        for (size_t i = 0; i < u->n; i++)
            fn(u->dev, 2, u->src + i, 1);
}

int bench_dma_single_unit(const bench_ctx *ctx, bench_result *out)
{
    static const char name[] = "dma_single_unit";
    const size_t bytes = 64u << 10;
    const chan_prog p = {
        .ch = 2, .mode = 0x48 /* single, read */, .addr = 0, .page = 1, .count = 0xFFFF};
    const ndisdma_dma_device dev = {.to_device = fifo_take_byte};
    xfer x;
    if (xfer_init(&x, &p, &dev, bytes) != 0) {
        xfer_fini(&x);
        return fail(name, "set-up failed");
    }
    ndisdma_hw_stats s0, s1;
    ndisdma_hw_get_stats(x.m, &s0);
    xfer_body(&x, 1);
    ndisdma_hw_get_stats(x.m, &s1);
    if (x.failed || s1.bursts - s0.bursts != bytes || memcmp(x.dev.buf, x.ram, bytes) != 0) {
        xfer_fini(&x);
        return fail(name, "the device did not receive one byte per grant");
    }
    unit_calls u = {fifo_take_byte, &x.dev, x.ram, bytes};
    double ns, base_ns;
    bench_time_pair(ctx, xfer_body, &x, unit_calls_body, &u, &ns, &base_ns);
    bool failed = x.failed;
    xfer_fini(&x);
    if (failed)
        return fail(name, "a transfer moved the wrong number of units");
    out->value = ns / (double)bytes;
    out->unit = "ns/unit";
    out->baseline = base_ns / (double)bytes;
    out->baseline_what = "device callback called per byte through a pointer";
    out->ratio = out->value / out->baseline;
    out->better = "lower";
    out->goal = "value <= 3 ns/unit";
    out->goal_met = out->value <= 3.0;
    return 0;
}

/* Baseline of program_channel: nine stores through a function pointer. */
typedef struct reg_file {
    uint8_t reg[65536];
} reg_file;

static void reg_store(reg_file *r, uint16_t port, uint8_t v)
{
    r->reg[port] = v;
}

static void reg_calls_body(void *arg, uint64_t iters)
{
    void (*volatile fn)(reg_file *, uint16_t, uint8_t) = reg_store;
    reg_file *r = arg;
    for (uint64_t k = 0; k < iters; k++) {
        fn(r, 0x0A, 0x06);
        fn(r, 0x0B, 0x4A);
        fn(r, 0x0C, 0);
        fn(r, 0x04, (uint8_t)k);
        fn(r, 0x04, 0x10);
        fn(r, 0x81, 0x01);
        fn(r, 0x05, 0xFF);
        fn(r, 0x05, 0x05);
        fn(r, 0x0A, 0x02);
    }
    bench_sink(r);
}

typedef struct prog_arg {
    ndisdma_machine *m;
    chan_prog p;
} prog_arg;

static void prog_body(void *arg, uint64_t iters)
{
    prog_arg *a = arg;
    for (uint64_t k = 0; k < iters; k++) {
        a->p.addr = (uint16_t)(0x1000 + (k & 0xFF));
        program_channel(a->m, &a->p);
    }
}

int bench_program_channel(const bench_ctx *ctx, bench_result *out)
{
    static const char name[] = "program_channel";
    prog_arg a = {.p = {.ch = 2, .mode = 0x48, .addr = 0x1000, .page = 1, .count = 0x05FF}};
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.ram_bytes = 1u << 20;
    if (ndisdma_machine_create(&cfg, &a.m) != 0)
        return fail(name, "set-up failed");
    prog_body(&a, 1);
    ndisdma_dma_channel_state st;
    if (ndisdma_dma_get_channel(a.m, 2, &st) != 0 || st.base_address != 0x1000 ||
        st.base_count != 0x05FF || st.page != 1 || st.masked || st.mode != 0x48) {
        ndisdma_machine_destroy(a.m);
        return fail(name, "the channel was not programmed");
    }
    reg_file *r = calloc(1, sizeof *r);
    if (!r) {
        ndisdma_machine_destroy(a.m);
        return fail(name, "out of memory");
    }
    double ns, base_ns;
    bench_time_pair(ctx, prog_body, &a, reg_calls_body, r, &ns, &base_ns);
    ndisdma_machine_destroy(a.m);
    free(r);
    out->value = ns;
    out->unit = "ns/sequence";
    out->baseline = base_ns;
    out->baseline_what = "9 register-store calls through a function pointer";
    out->ratio = ns / base_ns;
    out->better = "lower";
    out->goal = NULL;
    out->goal_met = true;
    return 0;
}
