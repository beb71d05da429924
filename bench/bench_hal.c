/*
 * Benchmarks of the HAL: one DMA cycle of a 1514-byte Ethernet frame.
 *
 * Concept: a cycle is what a subordinate-DMA NIC driver does per received
 * frame once its adapter channel is held (KeepObject): MapTransfer of the
 * frame's buffer (device to memory), the device transfer (ndisdma_dma_run,
 * a device model that copies the frame out of its FIFO), and
 * FlushAdapterBuffers. Everything goes through the public interfaces
 * (<wdm.h> DDIs on a bound thread, <ndisdma/dma.h> for the device).
 *  - hal_cycle_1514_direct: the buffer is a common buffer below 16 MiB, so
 *    the controller writes it directly. The least work any implementation
 *    must do is the device's copy: the baseline is one memcpy of 1514 bytes.
 *  - hal_cycle_1514_bounce: the buffer is plain host memory (phantom frames
 *    above 4 GiB), so the frame goes through map registers and the flush
 *    copies it back. The least work is two copies: the baseline is two
 *    memcpy of 1514 bytes.
 * value: ns per cycle; ratio = value / baseline (lower is better). Each
 * benchmark checks once that the frame arrived and the flush succeeded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndisdma/dma.h>
#include <ndisdma/kernel.h>
#include <ndisdma/machine.h>
#include <wdm.h>

#include "bench.h"

#define FRAME 1514u

typedef struct hal_fifo {
    uint8_t buf[FRAME];
} hal_fifo;

static size_t hal_fifo_give(void *ctx, unsigned ch, uint8_t *data, size_t len)
{
    hal_fifo *f = ctx;
    (void)ch;
    if (len > FRAME)
        len = FRAME;
    bench_copy(data, f->buf, len);
    return len;
}

typedef struct hal_cycle {
    ndisdma_machine *m;
    PDEVICE_OBJECT pdo;
    PDMA_ADAPTER a;
    PVOID base;
    PMDL mdl;
    uint8_t *va;
    void *host;          /* bounce: host allocation */
    PHYSICAL_ADDRESS la; /* direct: common buffer */
    hal_fifo fifo;
    bool failed;
} hal_cycle;

static IO_ALLOCATION_ACTION hal_exec(PDEVICE_OBJECT dev, PIRP irp, PVOID base, PVOID ctx)
{
    (void)dev;
    (void)irp;
    ((hal_cycle *)ctx)->base = base;
    return KeepObject;
}

static void hal_cycle_fini(hal_cycle *c)
{
    if (c->mdl)
        IoFreeMdl(c->mdl);
    if (c->a) {
        KIRQL old;
        KeRaiseIrql(DISPATCH_LEVEL, &old);
        c->a->DmaOperations->FreeAdapterChannel(c->a);
        KeLowerIrql(old);
        if (!c->host)
            c->a->DmaOperations->FreeCommonBuffer(c->a, FRAME, c->la, c->va, FALSE);
        c->a->DmaOperations->PutDmaAdapter(c->a);
    }
    free(c->host);
    ndisdma_device_object_destroy(c->pdo);
    if (c->m) {
        ndisdma_thread_unbind(c->m);
        ndisdma_machine_destroy(c->m);
    }
}

static int hal_cycle_init(hal_cycle *c, bool bounce)
{
    memset(c, 0, sizeof *c);
    const unsigned ch = 3;
    if (ndisdma_machine_create(NULL, &c->m) != 0 || ndisdma_thread_bind(c->m) != 0 ||
        ndisdma_device_object_create(c->m, 0, &c->pdo) != 0)
        return -1;
    DEVICE_DESCRIPTION d;
    memset(&d, 0, sizeof d);
    d.Version = DEVICE_DESCRIPTION_VERSION;
    d.InterfaceType = Isa;
    d.DmaChannel = ch;
    d.DmaWidth = Width8Bits;
    d.DmaSpeed = Compatible;
    d.DemandMode = TRUE;
    d.MaximumLength = FRAME;
    ULONG nregs = 0;
    c->a = IoGetDmaAdapter(c->pdo, &d, &nregs);
    if (!c->a)
        return -1;
    if (bounce) {
        c->host = malloc(FRAME);
        c->va = c->host;
    } else {
        c->va = c->a->DmaOperations->AllocateCommonBuffer(c->a, FRAME, &c->la, FALSE);
    }
    if (!c->va)
        return -1;
    c->mdl = IoAllocateMdl(c->va, FRAME, FALSE, FALSE, NULL);
    if (!c->mdl)
        return -1;
    MmBuildMdlForNonPagedPool(c->mdl);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NTSTATUS st = c->a->DmaOperations->AllocateAdapterChannel(c->a, c->pdo, nregs, hal_exec, c);
    KeLowerIrql(old);
    if (st != STATUS_SUCCESS || !c->base)
        return -1;
    for (size_t i = 0; i < FRAME; i++)
        c->fifo.buf[i] = (uint8_t)(i * 13 + 5);
    static const ndisdma_dma_device dev = {.from_device = hal_fifo_give};
    if (ndisdma_dma_attach(c->m, ch, &dev, &c->fifo) != 0)
        return -1;
    ndisdma_dma_request(c->m, ch, true); /* the NIC holds DREQ while it has data */
    return 0;
}

static void hal_cycle_body(void *arg, uint64_t iters)
{
    hal_cycle *c = arg;
    PDMA_OPERATIONS ops = c->a->DmaOperations;
    for (uint64_t k = 0; k < iters; k++) {
        ULONG len = FRAME;
        ops->MapTransfer(c->a, c->mdl, c->base, c->va, &len, FALSE);
        if (ndisdma_dma_run(c->m, 0) != FRAME)
            c->failed = true;
        if (!ops->FlushAdapterBuffers(c->a, c->mdl, c->base, c->va, len, FALSE))
            c->failed = true;
    }
}

static int hal_cycle_bench(const char *name, bool bounce, const bench_ctx *ctx, bench_result *out)
{
    hal_cycle *c = calloc(1, sizeof *c);
    bench_copies *h = calloc(1, sizeof *h);
    uint8_t *tmp = malloc(FRAME);
    uint8_t *dst = malloc(FRAME);
    int rc = -1;
    if (!c || !h || !dst || !tmp || hal_cycle_init(c, bounce) != 0) {
        fprintf(stderr, "ndisdma-bench: %s: set-up failed\n", name);
        goto out;
    }
    hal_cycle_body(c, 1);
    if (c->failed || memcmp(c->va, c->fifo.buf, FRAME) != 0 || ndisdma_violation_count(c->m) != 0) {
        fprintf(stderr, "ndisdma-bench: %s: the frame did not arrive\n", name);
        goto out;
    }
    h->dst = dst;
    h->src = c->fifo.buf;
    h->tmp = tmp;
    h->len = FRAME;
    h->copies = bounce ? 2 : 1;
    double ns, base_ns;
    bench_time_pair(ctx, hal_cycle_body, c, bench_copies_body, h, &ns, &base_ns);
    if (c->failed) {
        fprintf(stderr, "ndisdma-bench: %s: a cycle failed\n", name);
        goto out;
    }
    out->value = ns;
    out->unit = "ns/cycle";
    out->baseline = base_ns;
    out->baseline_what = bounce ? "2 x memcpy 1514 bytes" : "memcpy 1514 bytes";
    out->ratio = ns / base_ns;
    out->better = "lower";
    out->goal = NULL;
    out->goal_met = true;
    rc = 0;
out:
    if (c)
        hal_cycle_fini(c);
    free(c);
    free(h);
    free(dst);
    free(tmp);
    return rc;
}

int bench_hal_cycle_1514_direct(const bench_ctx *ctx, bench_result *out)
{
    return hal_cycle_bench("hal_cycle_1514_direct", false, ctx, out);
}

int bench_hal_cycle_1514_bounce(const bench_ctx *ctx, bench_result *out)
{
    return hal_cycle_bench("hal_cycle_1514_bounce", true, ctx, out);
}
