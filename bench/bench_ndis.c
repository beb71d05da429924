/*
 * Benchmarks of the NDIS system-DMA DDIs: one receive cycle of a 1514-byte
 * Ethernet frame as a miniport does it.
 *
 * Concept: a small miniport (below, written against <ndis.h>) registers its
 * DMA channel in MiniportInitializeEx; the host starts it and then runs
 * cycles: NdisMSetupDmaTransfer of the frame's buffer (device to memory),
 * the device transfer (ndisdma_dma_run with a device model that copies the
 * frame out of its FIFO), NdisMCompleteDmaTransfer. DDIs are called on the
 * bound host thread at PASSIVE_LEVEL, as host-api.md allows.
 *  - ndis_cycle_1514_direct: the buffer is NdisAllocateMemoryWithTag memory
 *    below 16 MiB (placement LOW): the controller writes it directly; the
 *    least work is the device's copy, so the baseline is one memcpy.
 *  - ndis_cycle_1514_bounce: the buffer is malloc memory (phantom frames
 *    above 4 GiB): the frame goes through map registers and Complete copies
 *    it back; the baseline is two memcpy.
 * value: ns per cycle; ratio = value / baseline. Goal: at most 150 ns above
 * the copies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ndisdma/dma.h>
#include <ndisdma/host.h>
#include <ndisdma/verify.h>

#include "bench.h"

#define FRAME   1514u
#define CHANNEL 3u

/* ---- the miniport ---- */

typedef struct bmp_adapter {
    NDIS_HANDLE handle;
    NDIS_HANDLE dma;
    NDIS_HANDLE driver;
} bmp_adapter;

static NDIS_STATUS bmp_init(NDIS_HANDLE h, NDIS_HANDLE drv_ctx, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    (void)drv_ctx;
    (void)p;
    bmp_adapter *a = calloc(1, sizeof *a);
    if (!a)
        return NDIS_STATUS_RESOURCES;
    a->handle = h;
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
    memset(&ra, 0, sizeof ra);
    ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.MiniportAdapterContext = a;
    ra.InterfaceType = NdisInterfaceIsa;
    NDIS_STATUS st = NdisMSetMiniportAttributes(h, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
    NDIS_DMA_DESCRIPTION d;
    memset(&d, 0, sizeof d);
    d.DemandMode = TRUE;
    d.DmaWidth = Width8Bits;
    d.DmaSpeed = Compatible;
    if (st == NDIS_STATUS_SUCCESS)
        st = NdisMRegisterDmaChannel(&a->dma, h, CHANNEL, FALSE, &d, FRAME);
    if (st != NDIS_STATUS_SUCCESS)
        free(a);
    return st;
}

static VOID bmp_halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
    (void)action;
    bmp_adapter *a = ctx;
    NdisMDeregisterDmaChannel(a->dma);
    free(a);
}

/* The driver's NdisMiniportDriverHandle: a miniport keeps it in a global,
   as WDK samples do (driver state, not the library's; one driver loaded at
   a time in this program). */
static NDIS_HANDLE bmp_driver;

static VOID bmp_unload(PDRIVER_OBJECT drv)
{
    (void)drv;
    NdisMDeregisterMiniportDriver(bmp_driver);
    bmp_driver = NULL;
}

static NDIS_STATUS bmp_status_ok(NDIS_HANDLE ctx, PVOID p)
{
    (void)ctx;
    (void)p;
    return NDIS_STATUS_SUCCESS;
}
static NDIS_STATUS bmp_pause(NDIS_HANDLE c, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    return bmp_status_ok(c, p);
}
static NDIS_STATUS bmp_restart(NDIS_HANDLE c, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    return bmp_status_ok(c, p);
}
static NDIS_STATUS bmp_oid(NDIS_HANDLE c, PNDIS_OID_REQUEST r)
{
    (void)c;
    (void)r;
    return NDIS_STATUS_NOT_SUPPORTED;
}
static VOID bmp_send(NDIS_HANDLE c, PNET_BUFFER_LIST n, NDIS_PORT_NUMBER p, ULONG f)
{
    (void)c;
    (void)n;
    (void)p;
    (void)f;
}
static VOID bmp_return(NDIS_HANDLE c, PNET_BUFFER_LIST n, ULONG f)
{
    (void)c;
    (void)n;
    (void)f;
}
static VOID bmp_cancel(NDIS_HANDLE c, PVOID id)
{
    (void)c;
    (void)id;
}
static NDIS_STATUS bmp_reset(NDIS_HANDLE c, PBOOLEAN r)
{
    (void)c;
    *r = FALSE;
    return NDIS_STATUS_SUCCESS;
}
static VOID bmp_pnp(NDIS_HANDLE c, PNET_DEVICE_PNP_EVENT e)
{
    (void)c;
    (void)e;
}
static VOID bmp_shutdown(NDIS_HANDLE c, NDIS_SHUTDOWN_ACTION a)
{
    (void)c;
    (void)a;
}

static NTSTATUS bmp_entry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    memset(&c, 0, sizeof c);
    c.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    c.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    c.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    c.MajorNdisVersion = 6;
    c.InitializeHandlerEx = bmp_init;
    c.HaltHandlerEx = bmp_halt;
    c.UnloadHandler = bmp_unload;
    c.PauseHandler = bmp_pause;
    c.RestartHandler = bmp_restart;
    c.OidRequestHandler = bmp_oid;
    c.SendNetBufferListsHandler = bmp_send;
    c.ReturnNetBufferListsHandler = bmp_return;
    c.CancelSendHandler = bmp_cancel;
    c.ResetHandlerEx = bmp_reset;
    c.DevicePnPEventNotifyHandler = bmp_pnp;
    c.ShutdownHandlerEx = bmp_shutdown;
    c.CancelOidRequestHandler = bmp_cancel;
    NDIS_STATUS st = NdisMRegisterMiniportDriver(drv, path, NULL, &c, &bmp_driver);
    return st == NDIS_STATUS_SUCCESS ? STATUS_SUCCESS : (NTSTATUS)st;
}

/* ---- the host ---- */

typedef struct ndis_fifo {
    uint8_t buf[FRAME];
} ndis_fifo;

static size_t ndis_fifo_give(void *ctx, unsigned ch, uint8_t *data, size_t len)
{
    ndis_fifo *f = ctx;
    (void)ch;
    if (len > FRAME)
        len = FRAME;
    bench_copy(data, f->buf, len);
    return len;
}

typedef struct ndis_cycle {
    ndisdma_machine *m;
    ndisdma_driver *drv;
    ndisdma_adapter *ad;
    NDIS_HANDLE dma;
    PMDL mdl;
    uint8_t *va;
    bool host; /* malloc memory (bounce) */
    ndis_fifo fifo;
    bool failed;
} ndis_cycle;

static void ndis_cycle_fini(ndis_cycle *c)
{
    if (c->mdl)
        IoFreeMdl(c->mdl);
    if (c->va && c->host)
        free(c->va);
    else if (c->va)
        NdisFreeMemory(c->va, FRAME, 0);
    ndisdma_adapter_stop(c->ad);
    ndisdma_driver_unload(c->drv);
    if (c->m) {
        ndisdma_thread_unbind(c->m);
        ndisdma_machine_destroy(c->m);
    }
}

static int ndis_cycle_init(ndis_cycle *c, bool bounce)
{
    memset(c, 0, sizeof *c);
    ndisdma_resources res;
    ndisdma_resources_init(&res);
    res.dma_channel = CHANNEL;
    if (ndisdma_machine_create(NULL, &c->m) != 0 || ndisdma_thread_bind(c->m) != 0 ||
        ndisdma_driver_load(c->m, bmp_entry, &c->drv) != 0 ||
        ndisdma_adapter_start(c->drv, &res, &c->ad) != 0)
        return -1;
    /* The DDI path as Windows runs it without Driver Verifier: no receive
       poisoning (every other check stays on). */
    ndisdma_verify_set_poison(c->m, 0);
    bmp_adapter *a = ndisdma_adapter_context(c->ad);
    c->dma = a->dma;
    c->host = bounce;
    if (bounce) {
        c->va = malloc(FRAME);
    } else {
        PVOID va = NULL;
        if (NdisAllocateMemoryWithTag(&va, FRAME, 0x6E636562 /* 'benc' */) != NDIS_STATUS_SUCCESS)
            return -1;
        c->va = va;
    }
    if (!c->va)
        return -1;
    c->mdl = IoAllocateMdl(c->va, FRAME, FALSE, FALSE, NULL);
    if (!c->mdl)
        return -1;
    MmBuildMdlForNonPagedPool(c->mdl);
    for (size_t i = 0; i < FRAME; i++)
        c->fifo.buf[i] = (uint8_t)(i * 13 + 5);
    static const ndisdma_dma_device dev = {.from_device = ndis_fifo_give};
    if (ndisdma_dma_attach(c->m, CHANNEL, &dev, &c->fifo) != 0)
        return -1;
    ndisdma_dma_request(c->m, CHANNEL, true); /* the NIC holds DREQ while it has data */
    return 0;
}

static void ndis_cycle_body(void *arg, uint64_t iters)
{
    ndis_cycle *c = arg;
    for (uint64_t k = 0; k < iters; k++) {
        NDIS_STATUS st;
        NdisMSetupDmaTransfer(&st, c->dma, c->mdl, 0, FRAME, FALSE);
        if (st != NDIS_STATUS_SUCCESS)
            c->failed = true;
        if (ndisdma_dma_run(c->m, 0) != FRAME)
            c->failed = true;
        NdisMCompleteDmaTransfer(&st, c->dma, c->mdl, 0, FRAME, FALSE);
        if (st != NDIS_STATUS_SUCCESS)
            c->failed = true;
    }
}

static int ndis_cycle_bench(const char *name, bool bounce, const bench_ctx *ctx, bench_result *out)
{
    ndis_cycle *c = calloc(1, sizeof *c);
    bench_copies *h = calloc(1, sizeof *h);
    uint8_t *tmp = malloc(FRAME);
    uint8_t *dst = malloc(FRAME);
    int rc = -1;
    if (!c || !h || !dst || !tmp || ndis_cycle_init(c, bounce) != 0) {
        fprintf(stderr, "ndisdma-bench: %s: set-up failed\n", name);
        goto out;
    }
    ndis_cycle_body(c, 1);
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
    bench_time_pair(ctx, ndis_cycle_body, c, bench_copies_body, h, &ns, &base_ns);
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
    out->goal = "value - baseline <= 150 ns";
    out->goal_met = ns - base_ns <= 150.0;
    rc = 0;
out:
    if (c)
        ndis_cycle_fini(c);
    free(c);
    free(h);
    free(dst);
    free(tmp);
    return rc;
}

int bench_ndis_cycle_1514_direct(const bench_ctx *ctx, bench_result *out)
{
    return ndis_cycle_bench("ndis_cycle_1514_direct", false, ctx, out);
}

int bench_ndis_cycle_1514_bounce(const bench_ctx *ctx, bench_result *out)
{
    return ndis_cycle_bench("ndis_cycle_1514_bounce", true, ctx, out);
}
