/*
 * test_sample.c - the SD-1 sample miniport (drivers/sample) end to end: the
 * driver loaded with its DriverEntry on a machine with an SD-1 card in
 * loopback, a protocol bound through <ndisdma/netif.h>, frames sent from a
 * frame pool and checked byte for byte and in order when they come back,
 * and the verifier's count checked at every teardown (the sample is the
 * model of correct use: it must cause no report at all).
 *
 * Failure cases come first (no card, failed allocations), then the data
 * paths (8/16-bit channels, every length, direct and bounced buffers,
 * multi-NB NBLs, multi-MDL NBs), flow control (receive NBLs held by the
 * host, pause and restart, line rate), OIDs, reset, DMA faults (a failed
 * flush; device stalls and short transfers that the driver's DMA watchdog
 * recovers), and life cycle (halt, unload, two machines).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ndisdma/device.h>
#include <ndisdma/faults.h>
#include <ndisdma/hal.h>
#include <ndisdma/kernel.h>
#include <ndisdma/netif.h>
#include <ndisdma/verify.h>

#include "sample.h"
#include "sdnic.h"

#define MAX_LOG    4096
#define FRAME_POOL 16

/* ---- the rig: machine, card, driver, adapter, protocol ---- */

typedef struct rig {
    ndisdma_machine *m;
    sdnic *nic;
    ndisdma_driver *drv;
    ndisdma_adapter *a;
    ndisdma_frame_pool *pool;
    /* received frames, in order */
    uint8_t *rx_data[MAX_LOG];
    size_t rx_len[MAX_LOG];
    unsigned rx_count;
    unsigned rx_resources; /* frames indicated with NDIS_RECEIVE_FLAGS_RESOURCES */
    unsigned indications;
    /* receive NBLs the host keeps */
    int hold;
    PNET_BUFFER_LIST held[64];
    unsigned nheld;
    /* send completions */
    unsigned completed;
    unsigned completed_ok;
    NDIS_STATUS statuses[MAX_LOG];
    unsigned completed_seq[MAX_LOG]; /* sequence number (first two bytes) of each completion */
    unsigned link_indications;
    NDIS_MEDIA_CONNECT_STATE last_link;
} rig;

typedef struct rig_opts {
    int channel;
    uint64_t rate_bps;
    ndisdma_placement placement;
    unsigned tx_fifo;
    int io_base_override; /* 0: the card's */
    bool no_loopback;     /* the card's CFG_LOOPBACK off (a peer is wired instead) */
} rig_opts;

static void on_receive(void *ctx, ndisdma_adapter *a, PNET_BUFFER_LIST nbls, ULONG count,
                       ULONG flags)
{
    rig *r = ctx;
    ULONG seen = 0;
    r->indications++;
    for (PNET_BUFFER_LIST nbl = nbls, next; nbl; nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        seen++;
        for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl); nb; nb = NET_BUFFER_NEXT_NB(nb)) {
            assert_true(r->rx_count < MAX_LOG);
            uint8_t *buf = malloc(2048);
            long n = ndisdma_nb_copy(nb, buf, 2048);
            assert_true(n >= 0);
            r->rx_data[r->rx_count] = buf;
            r->rx_len[r->rx_count] = (size_t)n;
            r->rx_count++;
        }
        if (flags & NDIS_RECEIVE_FLAGS_RESOURCES) {
            r->rx_resources++;
            continue; /* the miniport's again when we return */
        }
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        if (r->hold) {
            assert_true(r->nheld < 64);
            r->held[r->nheld++] = nbl;
        } else {
            assert_int_equal(ndisdma_adapter_return(a, nbl), 0);
        }
    }
    assert_int_equal(seen, count);
}

static void on_send_complete(void *ctx, ndisdma_adapter *a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    rig *r = ctx;
    (void)a;
    (void)flags;
    for (PNET_BUFFER_LIST nbl = nbls, next; nbl; nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        if (r->completed < MAX_LOG) {
            uint8_t head[2048] = {0, 0};
            r->statuses[r->completed] = NET_BUFFER_LIST_STATUS(nbl);
            if (NET_BUFFER_LIST_FIRST_NB(nbl))
                (void)ndisdma_nb_copy(NET_BUFFER_LIST_FIRST_NB(nbl), head, sizeof head);
            r->completed_seq[r->completed] = head[0] | (unsigned)head[1] << 8;
        }
        r->completed++;
        if (NET_BUFFER_LIST_STATUS(nbl) == NDIS_STATUS_SUCCESS)
            r->completed_ok++;
        if (r->pool)
            (void)ndisdma_frame_pool_put(r->pool, nbl); /* EINVAL for the tests' own NBLs */
    }
}

static void on_status(void *ctx, ndisdma_adapter *a, const NDIS_STATUS_INDICATION *ind)
{
    rig *r = ctx;
    (void)a;
    if (ind->StatusCode == NDIS_STATUS_LINK_STATE) {
        const NDIS_LINK_STATE *ls = ind->StatusBuffer;
        assert_int_equal(ind->StatusBufferSize, sizeof(NDIS_LINK_STATE));
        r->last_link = ls->MediaConnectState;
        r->link_indications++;
    }
}

static const ndisdma_protocol proto = {on_receive, on_send_complete, on_status};

static void rig_opts_init(rig_opts *o)
{
    memset(o, 0, sizeof *o);
    o->channel = 3;
    o->rate_bps = 0;
    o->placement = NDISDMA_PLACEMENT_LOW;
    o->tx_fifo = 2;
}

/* Machine and card only. */
static rig *rig_machine(const rig_opts *o)
{
    /* a test that failed earlier may have left this thread bound to its machine */
    ndisdma_machine *stale = ndisdma_thread_machine();
    if (stale)
        (void)ndisdma_thread_unbind(stale);
    rig *r = calloc(1, sizeof *r);
    assert_non_null(r);
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.placement = o->placement;
    assert_int_equal(ndisdma_machine_create(&cfg, &r->m), 0);
    sdnic_config nc;
    sdnic_config_init(&nc);
    nc.dma_channel = (unsigned)o->channel;
    nc.line_rate_bps = o->rate_bps;
    nc.loopback = !o->no_loopback;
    nc.tx_fifo_frames = o->tx_fifo;
    assert_int_equal(sdnic_create(r->m, &nc, &r->nic), 0);
    assert_int_equal(ndisdma_driver_load(r->m, DriverEntry, &r->drv), 0);
    return r;
}

static void rig_resources(rig *r, ndisdma_resources *res)
{
    ndisdma_resources_init(res);
    sdnic_resources_of(r->nic, &res->dma_channel, &res->irq, &res->io_base, &res->io_length);
}

/* Machine, card, driver and a started, bound adapter with a frame pool. */
static rig *rig_up(const rig_opts *o)
{
    rig *r = rig_machine(o);
    ndisdma_resources res;
    rig_resources(r, &res);
    assert_int_equal(ndisdma_adapter_start(r->drv, &res, &r->a), 0);
    assert_int_equal(ndisdma_adapter_bind(r->a, &proto, r), 0);
    assert_int_equal(ndisdma_adapter_get_state(r->a), NDISDMA_ADAPTER_RUNNING);
    assert_int_equal(ndisdma_frame_pool_create(r->a, FRAME_POOL, SD_MAX_FRAME, &r->pool), 0);
    return r;
}

/* The driver's adapter context (the tests look at its watchdog counters). */
static PSD_ADAPTER adapter_of(rig *r)
{
    return ndisdma_adapter_context(r->a);
}

static void dump_violations(rig *r)
{
    if (ndisdma_violation_count(r->m))
        ndisdma_verify_dump(r->m, NDISDMA_REPORT_TEXT, stderr);
}

/* Tear down in order, asserting the verifier saw nothing. */
static void rig_down(rig *r)
{
    for (unsigned i = 0; i < r->nheld; i++)
        ndisdma_adapter_return(r->a, r->held[i]);
    r->nheld = 0;
    if (r->pool)
        assert_int_equal(ndisdma_frame_pool_destroy(r->pool), 0);
    r->pool = NULL;
    if (r->a)
        ndisdma_adapter_stop(r->a);
    ndisdma_driver_unload(r->drv);
    sdnic_destroy(r->nic);
    dump_violations(r);
    assert_int_equal(ndisdma_violation_count(r->m), 0);
    ndisdma_machine_destroy(r->m);
    for (unsigned i = 0; i < r->rx_count; i++)
        free(r->rx_data[i]);
    free(r);
}

static void fill_frame(uint8_t *buf, size_t len, unsigned seq)
{
    for (size_t j = 0; j < len; j++)
        buf[j] = (uint8_t)(seq * 31u + j * 7u + len);
    if (len >= 2) {
        buf[0] = (uint8_t)seq;
        buf[1] = (uint8_t)(seq >> 8);
    }
}

static void run_idle(rig *r)
{
    assert_int_equal(ndisdma_machine_run_until_idle(r->m, 10ull * 1000 * 1000 * 1000), 0);
}

/* Send @n frames with lengths from @lens (cycled), sequence from @seq0, in
   batches as the pool allows; runs the machine. Returns frames sent. */
static unsigned send_frames(rig *r, const size_t *lens, unsigned nlens, unsigned n, unsigned seq0)
{
    uint8_t buf[SD_MAX_FRAME];
    unsigned sent = 0;
    while (sent < n) {
        PNET_BUFFER_LIST head = NULL, tail = NULL;
        while (sent < n && ndisdma_frame_pool_free_count(r->pool) > 0) {
            size_t len = lens[(seq0 + sent) % nlens];
            fill_frame(buf, len, seq0 + sent);
            PNET_BUFFER_LIST nbl;
            assert_int_equal(ndisdma_frame_pool_get(r->pool, buf, len, &nbl), 0);
            if (tail)
                NET_BUFFER_LIST_NEXT_NBL(tail) = nbl;
            else
                head = nbl;
            tail = nbl;
            sent++;
        }
        assert_non_null(head);
        assert_int_equal(ndisdma_adapter_send(r->a, head, 0), 0);
        run_idle(r);
    }
    return sent;
}

/* The frames received from index @first on are exactly frames seq0.. */
static void check_received(rig *r, unsigned first, const size_t *lens, unsigned nlens, unsigned n,
                           unsigned seq0)
{
    uint8_t want[SD_MAX_FRAME];
    assert_true(r->rx_count >= first + n);
    for (unsigned i = 0; i < n; i++) {
        size_t len = lens[(seq0 + i) % nlens];
        fill_frame(want, len, seq0 + i);
        assert_int_equal(r->rx_len[first + i], len);
        assert_memory_equal(r->rx_data[first + i], want, len);
    }
}

static uint64_t oid_u64(rig *r, NDIS_OID oid)
{
    uint64_t v = 0;
    ULONG done = 0;
    NDIS_STATUS st;
    assert_int_equal(ndisdma_adapter_query(r->a, oid, &v, sizeof v, &done, NULL, &st), 0);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    return v;
}

/* ---- failure cases first ---- */

/* No SD-1 at the port range (ID reads open bus): NDIS_STATUS_ADAPTER_NOT_FOUND, the start
   fails, and the driver released everything itself (no leftover reports). */
static void init_without_card_fails_adapter_not_found_and_leaks_nothing(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_machine(&o);
    ndisdma_resources res;
    rig_resources(r, &res);
    res.io_base = 0x340; /* nothing decodes these ports */
    assert_int_equal(ndisdma_adapter_start(r->drv, &res, &r->a), NDISDMA_EINIT);
    assert_null(r->a);
    /* the card itself is still usable by a second, correct start */
    rig_resources(r, &res);
    assert_int_equal(ndisdma_adapter_start(r->drv, &res, &r->a), 0);
    rig_down(r);
}

/* Missing resources (no DMA channel): NDIS_STATUS_RESOURCES, nothing left registered. */
static void init_without_dma_resource_fails_and_leaks_nothing(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_machine(&o);
    ndisdma_resources res;
    rig_resources(r, &res);
    res.dma_channel = -1;
    assert_int_equal(ndisdma_adapter_start(r->drv, &res, &r->a), NDISDMA_EINIT);
    rig_down(r);
}

/* Each allocation of the initialization failing in turn (MDLs, memory, timers): the start fails
   and every path releases what it built (no leftover reports); then a start succeeds. */
static void init_allocation_failures_release_everything(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_machine(&o);
    ndisdma_resources res;
    rig_resources(r, &res);
    const ndisdma_fault kinds[] = {NDISDMA_FAULT_ALLOC_MDL, NDISDMA_FAULT_ALLOC_MEMORY_TAG_PRIORITY,
                                   NDISDMA_FAULT_ALLOC_TIMER_OBJECT};
    unsigned failed = 0;
    for (unsigned k = 0; k < 3; k++) {
        for (uint32_t nth = 1; nth <= 10; nth++) {
            ndisdma_fault_spec spec = {.nth = nth, .channel = -1};
            assert_int_equal(ndisdma_fault_set(r->m, kinds[k], &spec), 0);
            int rc = ndisdma_adapter_start(r->drv, &res, &r->a);
            assert_int_equal(ndisdma_fault_clear(r->m, kinds[k]), 0);
            if (rc == 0) {
                ndisdma_adapter_stop(r->a);
                r->a = NULL;
            } else {
                assert_int_equal(rc, NDISDMA_EINIT);
                failed++;
            }
            dump_violations(r);
            assert_int_equal(ndisdma_violation_count(r->m), 0);
        }
    }
    /* 9 MDLs, 10 memory blocks and 2 timers (poll, watchdog): most positions fail */
    assert_true(failed >= 12);
    r->a = NULL;
    rig_down(r);
}

/* A DMA channel busy (registered by another adapter of the same card's resources) is the
   driver's NdisMRegisterDmaChannel failure path: checked through a flush fault instead in
   dma_flush_fault_*; here: an oversized or empty frame fails its NBL with
   NDIS_STATUS_INVALID_LENGTH and does not stop the others. */
static void send_rejects_empty_and_oversized_frames_with_invalid_length(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    ndisdma_frame_pool *big;
    assert_int_equal(ndisdma_frame_pool_create(r->a, 2, 2000, &big), 0);
    uint8_t buf[2000];
    memset(buf, 0xA5, sizeof buf);
    PNET_BUFFER_LIST over, good;
    assert_int_equal(ndisdma_frame_pool_get(big, buf, 1515, &over), 0);
    assert_int_equal(ndisdma_frame_pool_get(r->pool, buf, 60, &good), 0);
    NET_BUFFER_LIST_NEXT_NBL(over) = good;
    ndisdma_frame_pool *saved = r->pool;
    r->pool = NULL; /* completions are put back by hand below */
    assert_int_equal(ndisdma_adapter_send(r->a, over, 0), 0);
    run_idle(r);
    r->pool = saved;
    assert_int_equal(r->completed, 2);
    assert_int_equal(r->statuses[0], NDIS_STATUS_INVALID_LENGTH);
    assert_int_equal(r->statuses[1], NDIS_STATUS_SUCCESS);
    assert_int_equal(r->rx_count, 1);
    assert_int_equal(r->rx_len[0], 60);
    assert_int_equal(ndisdma_frame_pool_put(big, over), 0);
    assert_int_equal(ndisdma_frame_pool_put(r->pool, good), 0);
    assert_int_equal(ndisdma_frame_pool_destroy(big), 0);
    assert_int_equal(oid_u64(r, OID_GEN_XMIT_ERROR), 1);
    rig_down(r);
}

/* A rig on @channel with @placement that sends @n frames with lengths from @lens
   (cycled) and checks every one comes back exact. Returns the rig (for more checks;
   the caller takes it down) and the HAL's counters in @hs. */
static rig *roundtrip(int channel, ndisdma_placement placement, const size_t *lens, unsigned nl,
                      unsigned n, ndisdma_hal_stats *hs)
{
    rig_opts o;
    rig_opts_init(&o);
    o.channel = channel;
    o.placement = placement;
    rig *r = rig_up(&o);
    unsigned sent = send_frames(r, lens, nl, n, 0);
    assert_int_equal(sent, n);
    check_received(r, 0, lens, nl, n, 0);
    assert_int_equal(ndisdma_hal_get_stats(r->m, hs), 0);
    return r;
}

/* ---- data paths ---- */

/* 8-bit channel 3, buffers below 16 MiB: every length 1..1514 comes back byte for byte and
   in order, every transfer direct (no map register). */
static void loopback_8bit_every_length_1_to_1514_direct(void **state)
{
    (void)state;
    size_t lens[SD_MAX_FRAME];
    for (unsigned i = 0; i < SD_MAX_FRAME; i++)
        lens[i] = i + 1;
    ndisdma_hal_stats hs;
    const unsigned n = SD_MAX_FRAME;
    rig *r = roundtrip(3, NDISDMA_PLACEMENT_LOW, lens, SD_MAX_FRAME, n, &hs);
    assert_int_equal(r->completed_ok, n);
    assert_int_equal(hs.transfers_bounced, 0);
    assert_true(hs.transfers_direct >= 2ull * n);
    assert_int_equal(oid_u64(r, OID_GEN_XMIT_OK), n);
    assert_int_equal(oid_u64(r, OID_GEN_RCV_OK), n);
    assert_int_equal(adapter_of(r)->Stats.DmaTimeouts, 0); /* the watchdog never fired */
    rig_down(r);
}

/* 16-bit channels 5 and 7: odd lengths are sent as whole words (the pad byte is dropped by
   the card) and received lengths subtract the RXS_ODD byte; odd and even, small and full. */
static void loopback_16bit_odd_and_even_lengths(void **state)
{
    (void)state;
    static const size_t lens[] = {1, 2, 3, 59, 60, 61, 64, 127, 128, 999, 1000, 1513, 1514};
    const unsigned nl = sizeof lens / sizeof lens[0];
    const int channels[] = {5, 7};
    for (unsigned c = 0; c < 2; c++) {
        ndisdma_hal_stats hs;
        const unsigned n = 3 * nl;
        rig *r = roundtrip(channels[c], NDISDMA_PLACEMENT_LOW, lens, nl, n, &hs);
        assert_int_equal(r->completed_ok, n);
        assert_int_equal(adapter_of(r)->Stats.DmaTimeouts, 0);
        rig_down(r);
    }
}

/* Placement HIGH: every buffer is above 16 MiB, so the HAL bounces every transfer through
   map registers, both ways; the data still comes back exact (8- and 16-bit). */
static void placement_high_bounces_every_transfer_and_data_survives(void **state)
{
    (void)state;
    static const size_t lens[] = {1, 14, 60, 61, 512, 1513, 1514};
    const unsigned nl = sizeof lens / sizeof lens[0];
    const int channels[] = {1, 6};
    for (unsigned c = 0; c < 2; c++) {
        ndisdma_hal_stats hs;
        const unsigned n = 40;
        rig *r = roundtrip(channels[c], NDISDMA_PLACEMENT_HIGH, lens, nl, n, &hs);
        assert_int_equal(hs.transfers_direct, 0);
        assert_true(hs.transfers_bounced >= 2ull * n);
        rig_down(r);
    }
}

/* Placement SCATTERED: buffers land below and above 16 MiB at random (seeded) pages, so
   some transfers are direct and some bounced; the data comes back exact either way. */
static void placement_scattered_mixes_direct_and_bounced_transfers(void **state)
{
    (void)state;
    static const size_t lens[] = {1, 60, 61, 600, 1513, 1514};
    const unsigned nl = sizeof lens / sizeof lens[0];
    const int channels[] = {0, 5};
    for (unsigned c = 0; c < 2; c++) {
        ndisdma_hal_stats hs;
        const unsigned n = 60;
        rig *r = roundtrip(channels[c], NDISDMA_PLACEMENT_SCATTERED, lens, nl, n, &hs);
        assert_int_equal(hs.transfers_direct + hs.transfers_bounced, 2ull * n);
        rig_down(r);
    }
}

/* Test-built NBLs (protocol side): memory, MDLs, an NBL pool and an NB pool of the adapter. */
typedef struct built {
    NDIS_HANDLE nbl_pool, nb_pool;
    PNET_BUFFER_LIST nbl;
    PNET_BUFFER nbs[4];
    unsigned nnb;
    PMDL mdls[8];
    PVOID mem[8];
    unsigned nmdl;
} built;

static PMDL built_mdl(rig *r, built *b, const uint8_t *data, ULONG len)
{
    NDIS_HANDLE h = ndisdma_adapter_handle(r->a);
    PVOID va = NdisAllocateMemoryWithTagPriority(h, len, 'tseT', NormalPoolPriority);
    assert_non_null(va);
    memcpy(va, data, len);
    PMDL mdl = NdisAllocateMdl(h, va, len);
    assert_non_null(mdl);
    b->mem[b->nmdl] = va;
    b->mdls[b->nmdl++] = mdl;
    return mdl;
}

static void built_pools(rig *r, built *b)
{
    NDIS_HANDLE h = ndisdma_adapter_handle(r->a);
    NET_BUFFER_LIST_POOL_PARAMETERS lp;
    memset(&lp, 0, sizeof lp);
    lp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    lp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    lp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    lp.PoolTag = 'tseT';
    b->nbl_pool = NdisAllocateNetBufferListPool(h, &lp);
    assert_non_null(b->nbl_pool);
    NET_BUFFER_POOL_PARAMETERS bp;
    memset(&bp, 0, sizeof bp);
    bp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    bp.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    bp.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    bp.PoolTag = 'tseT';
    b->nb_pool = NdisAllocateNetBufferPool(h, &bp);
    assert_non_null(b->nb_pool);
    b->nbl = NdisAllocateNetBufferList(b->nbl_pool, 0, 0);
    assert_non_null(b->nbl);
}

static void built_free(rig *r, built *b)
{
    NDIS_HANDLE h = ndisdma_adapter_handle(r->a);
    for (unsigned i = 0; i < b->nnb; i++)
        NdisFreeNetBuffer(b->nbs[i]);
    NET_BUFFER_LIST_FIRST_NB(b->nbl) = NULL;
    NdisFreeNetBufferList(b->nbl);
    NdisFreeNetBufferPool(b->nb_pool);
    NdisFreeNetBufferListPool(b->nbl_pool);
    for (unsigned i = 0; i < b->nmdl; i++) {
        NdisFreeMdl(b->mdls[i]);
        NdisFreeMemoryWithTagPriority(h, b->mem[i], 'tseT');
    }
}

/* One NBL with three NET_BUFFERs: three frames go out in order and the NBL is completed
   once, after the last, with NDIS_STATUS_SUCCESS. */
static void multi_nb_nbl_completes_once_after_its_last_nb(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    assert_int_equal(ndisdma_thread_bind(r->m), 0);
    built b;
    memset(&b, 0, sizeof b);
    built_pools(r, &b);
    static const size_t lens[] = {60, 1514, 333};
    uint8_t buf[SD_MAX_FRAME];
    for (unsigned i = 0; i < 3; i++) {
        fill_frame(buf, lens[i], i);
        PMDL mdl = built_mdl(r, &b, buf, (ULONG)lens[i]);
        b.nbs[i] = NdisAllocateNetBuffer(b.nb_pool, mdl, 0, lens[i]);
        assert_non_null(b.nbs[i]);
        if (i)
            NET_BUFFER_NEXT_NB(b.nbs[i - 1]) = b.nbs[i];
        b.nnb++;
    }
    NET_BUFFER_LIST_FIRST_NB(b.nbl) = b.nbs[0];
    assert_int_equal(ndisdma_adapter_send(r->a, b.nbl, 0), 0);
    run_idle(r);
    assert_int_equal(r->completed, 1);
    assert_int_equal(r->statuses[0], NDIS_STATUS_SUCCESS);
    check_received(r, 0, lens, 3, 3, 0);
    built_free(r, &b);
    rig_down(r);
}

/* NET_BUFFERs whose data spans several MDLs, or starts at an offset and ends at the MDL's
   last byte (no room for the pad on a 16-bit channel), are coalesced into the driver's
   staging buffer: the bytes arrive in order, exact. */
static void multi_mdl_nb_is_coalesced_exactly(void **state)
{
    (void)state;
    const int channels[] = {3, 5};
    for (unsigned c = 0; c < 2; c++) {
        rig_opts o;
        rig_opts_init(&o);
        o.channel = channels[c];
        rig *r = rig_up(&o);
        assert_int_equal(ndisdma_thread_bind(r->m), 0);
        built b;
        memset(&b, 0, sizeof b);
        built_pools(r, &b);
        uint8_t frame0[151], frame1[101];
        fill_frame(frame0, sizeof frame0, 0);
        fill_frame(frame1, sizeof frame1, 1);
        /* NB 0: 14 + 100 + 37 bytes in three MDLs */
        PMDL m0 = built_mdl(r, &b, frame0, 14);
        PMDL m1 = built_mdl(r, &b, frame0 + 14, 100);
        PMDL m2 = built_mdl(r, &b, frame0 + 114, 37);
        m0->Next = m1;
        m1->Next = m2;
        b.nbs[0] = NdisAllocateNetBuffer(b.nb_pool, m0, 0, sizeof frame0);
        assert_non_null(b.nbs[0]);
        /* NB 1: 5 bytes of junk, then 101 frame bytes ending the MDL (odd) */
        uint8_t tmp[106];
        memset(tmp, 0xEE, 5);
        memcpy(tmp + 5, frame1, sizeof frame1);
        PMDL m3 = built_mdl(r, &b, tmp, sizeof tmp);
        b.nbs[1] = NdisAllocateNetBuffer(b.nb_pool, m3, 5, sizeof frame1);
        assert_non_null(b.nbs[1]);
        b.nnb = 2;
        NET_BUFFER_NEXT_NB(b.nbs[0]) = b.nbs[1];
        NET_BUFFER_LIST_FIRST_NB(b.nbl) = b.nbs[0];
        assert_int_equal(ndisdma_adapter_send(r->a, b.nbl, 0), 0);
        run_idle(r);
        assert_int_equal(r->completed_ok, 1);
        assert_int_equal(r->rx_count, 2);
        assert_int_equal(r->rx_len[0], sizeof frame0);
        assert_memory_equal(r->rx_data[0], frame0, sizeof frame0);
        assert_int_equal(r->rx_len[1], sizeof frame1);
        assert_memory_equal(r->rx_data[1], frame1, sizeof frame1);
        for (unsigned i = 0; i < b.nmdl; i++)
            b.mdls[i]->Next = NULL;
        built_free(r, &b);
        rig_down(r);
    }
}

/* ---- flow control ---- */

/* The host keeps every receive NBL it is given: once the driver is down to its last
   buffer it indicates with NDIS_RECEIVE_FLAGS_RESOURCES (the host copies) so frames keep
   flowing; when the host returns the NBLs, plain indications resume. Nothing is lost. */
static void held_receive_nbls_switch_to_resources_then_resume(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    static const size_t lens[] = {64, 700, 1514};
    r->hold = 1;
    unsigned n = send_frames(r, lens, 3, 20, 0);
    assert_int_equal(r->nheld, SD_RX_BUFFERS - 1);
    assert_int_equal(r->rx_resources, n - (SD_RX_BUFFERS - 1));
    check_received(r, 0, lens, 3, n, 0);
    r->hold = 0;
    for (unsigned i = 0; i < r->nheld; i++)
        assert_int_equal(ndisdma_adapter_return(r->a, r->held[i]), 0);
    r->nheld = 0;
    unsigned before = r->rx_resources;
    unsigned n2 = send_frames(r, lens, 3, 6, n);
    check_received(r, n, lens, 3, n2, n);
    assert_int_equal(r->rx_resources, before);
    rig_down(r);
}

/* Frames arriving from the wire faster than the driver runs (20 injected at once into a
   16-frame RX FIFO): 16 wait in the card and are all received in order; the overrun is
   counted in OID_GEN_RCV_NO_BUFFER. */
static void frames_waiting_in_the_card_are_received_and_overrun_counted(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    static const size_t lens[] = {90, 1514, 333};
    uint8_t buf[SD_MAX_FRAME];
    unsigned taken = 0;
    for (unsigned i = 0; i < 20; i++) {
        size_t len = lens[i % 3];
        fill_frame(buf, len, i);
        if (sdnic_inject(r->nic, buf, len) == 0)
            taken++;
    }
    assert_int_equal(taken, 16);
    run_idle(r);
    check_received(r, 0, lens, 3, 16, 0);
    assert_int_equal(r->rx_count, 16);
    assert_true(oid_u64(r, OID_GEN_RCV_NO_BUFFER) >= 1);
    sdnic_stats ss;
    assert_int_equal(sdnic_get_stats(r->nic, &ss), 0);
    assert_int_equal(ss.rx_overruns, 4);
    rig_down(r);
}

typedef struct returner {
    rig *r;
    ndisdma_timer t;
    uint64_t at;
} returner;

static void return_held(ndisdma_machine *m, void *ctx)
{
    returner *ret = ctx;
    (void)m;
    ret->at = ndisdma_machine_now(ret->r->m);
    for (unsigned i = 0; i < ret->r->nheld; i++)
        assert_int_equal(ndisdma_adapter_return(ret->r->a, ret->r->held[i]), 0);
    ret->r->nheld = 0;
}

/* Pause while the host holds receive NBLs: MiniportPause pends until the last one comes
   back (NdisMPauseComplete from MiniportReturnNetBufferLists); then the adapter is Paused
   and the host's sends are refused; a restart indicates the link and traffic flows. */
static void pause_pends_until_receive_nbls_return_then_restart(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    static const size_t lens[] = {100};
    r->hold = 1;
    unsigned n = send_frames(r, lens, 1, 3, 0);
    assert_int_equal(r->nheld, 3);
    r->hold = 0;
    returner ret = {.r = r};
    uint64_t t0 = ndisdma_machine_now(r->m);
    ndisdma_timer_init(&ret.t);
    assert_int_equal(ndisdma_timer_schedule(r->m, &ret.t, t0 + 1000000, return_held, &ret), 0);
    assert_int_equal(ndisdma_adapter_pause(r->a), 0);
    assert_int_equal(ndisdma_adapter_get_state(r->a), NDISDMA_ADAPTER_PAUSED);
    assert_true(ret.at >= t0 + 1000000); /* the pause waited for the return */
    assert_true(ndisdma_machine_now(r->m) >= ret.at);

    PNET_BUFFER_LIST nbl;
    uint8_t buf[100];
    fill_frame(buf, 100, 99);
    assert_int_equal(ndisdma_frame_pool_get(r->pool, buf, 100, &nbl), 0);
    assert_int_equal(ndisdma_adapter_send(r->a, nbl, 0), NDISDMA_ESTATE);
    assert_int_equal(ndisdma_frame_pool_put(r->pool, nbl), 0);

    unsigned links = r->link_indications;
    assert_int_equal(ndisdma_adapter_restart(r->a), 0);
    assert_int_equal(r->link_indications, links + 1);
    assert_int_equal(r->last_link, MediaConnectStateConnected);
    unsigned n2 = send_frames(r, lens, 1, 5, n);
    check_received(r, n, lens, 1, n2, n);
    rig_down(r);
}

/* Pause with sends queued behind a slow wire: the transfer in flight finishes, the queued
   NBLs complete with NDIS_STATUS_PAUSED, the pause completes; after a restart everything
   sent again arrives. */
static void pause_completes_queued_sends_with_status_paused(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    o.rate_bps = 10000000;
    rig *r = rig_up(&o);
    uint8_t buf[1000];
    PNET_BUFFER_LIST head = NULL, tail = NULL;
    for (unsigned i = 0; i < 10; i++) {
        PNET_BUFFER_LIST nbl;
        fill_frame(buf, sizeof buf, i);
        assert_int_equal(ndisdma_frame_pool_get(r->pool, buf, sizeof buf, &nbl), 0);
        if (tail)
            NET_BUFFER_LIST_NEXT_NBL(tail) = nbl;
        else
            head = nbl;
        tail = nbl;
    }
    assert_int_equal(ndisdma_adapter_send(r->a, head, 0), 0);
    assert_int_equal(ndisdma_adapter_pause(r->a), 0);
    assert_int_equal(ndisdma_adapter_get_state(r->a), NDISDMA_ADAPTER_PAUSED);
    run_idle(r);
    assert_int_equal(r->completed, 10);
    unsigned paused = 0, ok = 0;
    for (unsigned i = 0; i < 10; i++) {
        if (r->statuses[i] == NDIS_STATUS_PAUSED)
            paused++;
        else if (r->statuses[i] == NDIS_STATUS_SUCCESS)
            ok++;
    }
    assert_int_equal(paused + ok, 10);
    assert_true(paused >= 1);
    assert_int_equal(ndisdma_frame_pool_free_count(r->pool), FRAME_POOL);
    assert_int_equal(ndisdma_adapter_restart(r->a), 0);
    static const size_t lens[] = {1000};
    unsigned first = r->rx_count;
    unsigned n = send_frames(r, lens, 1, 4, 100);
    check_received(r, first, lens, 1, n, 100);
    rig_down(r);
}

/* Line rate 10 Mbit/s: N frames take at least N wire times of virtual time, the driver
   waits for room in the card's transmit FIFO, and nothing is lost. */
static void line_rate_10mbit_takes_at_least_the_wire_time(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    o.rate_bps = 10000000;
    rig *r = rig_up(&o);
    static const size_t lens[] = {1000};
    uint64_t t0 = ndisdma_machine_now(r->m);
    unsigned n = send_frames(r, lens, 1, 40, 0);
    uint64_t elapsed = ndisdma_machine_now(r->m) - t0;
    uint64_t wire = (uint64_t)n * (1000 + SDNIC_WIRE_OVERHEAD) * 8u * 100u; /* ns at 10 Mbit/s */
    assert_true(elapsed >= wire);
    check_received(r, 0, lens, 1, n, 0);
    assert_int_equal(adapter_of(r)->Stats.DmaTimeouts, 0); /* waits for the wire are not stalls */
    uint32_t speed = 0;
    ULONG done;
    NDIS_STATUS st;
    assert_int_equal(
        ndisdma_adapter_query(r->a, OID_GEN_LINK_SPEED, &speed, sizeof speed, &done, NULL, &st), 0);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    assert_int_equal(speed, 100000); /* 10 Mbit/s in 100 bit/s units */
    rig_down(r);
}

/* ---- OIDs ---- */

static NDIS_STATUS query(rig *r, NDIS_OID oid, void *buf, ULONG len, ULONG *done, ULONG *needed)
{
    NDIS_STATUS st = 0;
    assert_int_equal(ndisdma_adapter_query(r->a, oid, buf, len, done, needed, &st), 0);
    return st;
}

static NDIS_STATUS set(rig *r, NDIS_OID oid, const void *buf, ULONG len)
{
    NDIS_STATUS st = 0;
    ULONG done, needed;
    assert_int_equal(ndisdma_adapter_set(r->a, oid, buf, len, &done, &needed, &st), 0);
    return st;
}

/* Unknown OIDs and short buffers first, then every OID the driver lists. */
static void oids_unknown_short_then_every_listed_oid(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    uint8_t buf[1024];
    ULONG done = 0, needed = 0;
    uint32_t u = 0;

    assert_int_equal(query(r, 0x0001FFFF, buf, sizeof buf, &done, &needed),
                     NDIS_STATUS_NOT_SUPPORTED);
    assert_int_equal(set(r, OID_GEN_LINK_SPEED, &u, sizeof u), NDIS_STATUS_NOT_SUPPORTED);
    assert_int_equal(query(r, OID_802_3_PERMANENT_ADDRESS, buf, 5, &done, &needed),
                     NDIS_STATUS_BUFFER_TOO_SHORT);
    assert_int_equal(needed, 6);
    assert_int_equal(query(r, OID_GEN_STATISTICS, buf, 8, &done, &needed),
                     NDIS_STATUS_BUFFER_TOO_SHORT);
    assert_int_equal(needed, sizeof(NDIS_STATISTICS_INFO));
    assert_int_equal(query(r, OID_GEN_XMIT_OK, buf, 2, &done, &needed),
                     NDIS_STATUS_BUFFER_TOO_SHORT);
    assert_int_equal(needed, 8);
    assert_int_equal(set(r, OID_GEN_CURRENT_PACKET_FILTER, &u, 2), NDIS_STATUS_INVALID_LENGTH);
    u = 0x80000000u;
    assert_int_equal(set(r, OID_GEN_CURRENT_PACKET_FILTER, &u, 4), NDIS_STATUS_NOT_SUPPORTED);
    assert_int_equal(set(r, OID_802_3_MULTICAST_LIST, buf, 7), NDIS_STATUS_INVALID_LENGTH);
    memset(buf, 0x01, sizeof buf);
    assert_int_equal(set(r, OID_802_3_MULTICAST_LIST, buf, (SD_MAX_MCAST + 1) * 6),
                     NDIS_STATUS_MULTICAST_FULL);

    /* the list */
    assert_int_equal(query(r, OID_GEN_SUPPORTED_LIST, buf, sizeof buf, &done, &needed),
                     NDIS_STATUS_SUCCESS);
    assert_true(done >= 26 * sizeof(NDIS_OID));
    const NDIS_OID *list = (const NDIS_OID *)buf;
    unsigned count = done / sizeof(NDIS_OID);
    NDIS_OID oids[64];
    memcpy(oids, list, count * sizeof(NDIS_OID));
    for (unsigned i = 0; i < count; i++) {
        memset(buf, 0, sizeof buf);
        assert_int_equal(query(r, oids[i], buf, sizeof buf, &done, &needed), NDIS_STATUS_SUCCESS);
        if (oids[i] != OID_802_3_MULTICAST_LIST)
            assert_true(done > 0);
    }

    /* values */
    assert_int_equal(query(r, OID_GEN_MEDIA_IN_USE, &u, 4, &done, NULL), NDIS_STATUS_SUCCESS);
    assert_int_equal(u, NdisMedium802_3);
    assert_int_equal(query(r, OID_GEN_MAXIMUM_FRAME_SIZE, &u, 4, &done, NULL), NDIS_STATUS_SUCCESS);
    assert_int_equal(u, 1500);
    assert_int_equal(query(r, OID_GEN_MAXIMUM_TOTAL_SIZE, &u, 4, &done, NULL), NDIS_STATUS_SUCCESS);
    assert_int_equal(u, 1514);
    assert_int_equal(query(r, OID_GEN_MEDIA_CONNECT_STATUS, &u, 4, &done, NULL),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(u, (ULONG)NdisMediaStateConnected);
    assert_int_equal(query(r, OID_GEN_HARDWARE_STATUS, &u, 4, &done, NULL), NDIS_STATUS_SUCCESS);
    assert_int_equal(u, NdisHardwareStatusReady);
    uint8_t mac[6];
    assert_int_equal(query(r, OID_802_3_PERMANENT_ADDRESS, mac, 6, &done, NULL),
                     NDIS_STATUS_SUCCESS);
    static const uint8_t def_mac[6] = {0x02, 0x00, 0x5D, 0x00, 0x00, 0x01};
    assert_memory_equal(mac, def_mac, 6);
    assert_int_equal(query(r, OID_802_3_CURRENT_ADDRESS, mac, 6, &done, NULL), NDIS_STATUS_SUCCESS);
    assert_memory_equal(mac, def_mac, 6);
    assert_int_equal(query(r, OID_GEN_VENDOR_ID, &u, 4, &done, NULL), NDIS_STATUS_SUCCESS);
    assert_int_equal(u & 0xFFFFFF, 0x5D0002);
    NDIS_LINK_STATE ls;
    assert_int_equal(query(r, OID_GEN_LINK_STATE, &ls, sizeof ls, &done, NULL),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(ls.MediaConnectState, MediaConnectStateConnected);
    assert_int_equal(ls.XmitLinkSpeed, SD_UNLIMITED_BPS); /* rate 0: no limit */

    /* sets */
    u = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST;
    assert_int_equal(set(r, OID_GEN_CURRENT_PACKET_FILTER, &u, 4), NDIS_STATUS_SUCCESS);
    u = 0;
    assert_int_equal(query(r, OID_GEN_CURRENT_PACKET_FILTER, &u, 4, &done, NULL),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(u, NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST);
    uint8_t mc[12] = {0x01, 0, 0x5E, 0, 0, 1, 0x01, 0, 0x5E, 0, 0, 2};
    assert_int_equal(set(r, OID_802_3_MULTICAST_LIST, mc, sizeof mc), NDIS_STATUS_SUCCESS);
    memset(buf, 0, sizeof buf);
    assert_int_equal(query(r, OID_802_3_MULTICAST_LIST, buf, sizeof buf, &done, NULL),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(done, sizeof mc);
    assert_memory_equal(buf, mc, sizeof mc);
    u = 128;
    assert_int_equal(set(r, OID_GEN_CURRENT_LOOKAHEAD, &u, 4), NDIS_STATUS_SUCCESS);
    assert_int_equal(query(r, OID_GEN_CURRENT_LOOKAHEAD, &u, 4, &done, NULL), NDIS_STATUS_SUCCESS);
    assert_int_equal(u, 128);

    /* statistics follow the traffic; a 4-byte buffer gets the low half */
    static const size_t lens[] = {200};
    unsigned n = send_frames(r, lens, 1, 5, 0);
    assert_int_equal(query(r, OID_GEN_RCV_OK, &u, 4, &done, &needed), NDIS_STATUS_SUCCESS);
    assert_int_equal(done, 4);
    assert_int_equal(u, n);
    NDIS_STATISTICS_INFO si;
    assert_int_equal(query(r, OID_GEN_STATISTICS, &si, sizeof si, &done, NULL),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(si.ifHCOutUcastPkts, n);
    assert_int_equal(si.ifHCInUcastPkts, n);
    assert_int_equal(si.ifHCInOctets, 200u * n);
    assert_int_equal(si.ifInErrors, 0);
    assert_int_equal(oid_u64(r, OID_GEN_RCV_NO_BUFFER), 0);
    rig_down(r);
}

/* ---- reset and faults ---- */

/* MiniportResetEx with a transmit in flight: that NB fails with
   NDIS_STATUS_RESET_IN_PROGRESS, queued sends go out after the reset. */
static void reset_fails_the_transfer_in_flight_and_keeps_the_queue(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    uint8_t buf[500];
    PNET_BUFFER_LIST head = NULL, tail = NULL;
    for (unsigned i = 0; i < 3; i++) {
        PNET_BUFFER_LIST nbl;
        fill_frame(buf, sizeof buf, i);
        assert_int_equal(ndisdma_frame_pool_get(r->pool, buf, sizeof buf, &nbl), 0);
        if (tail)
            NET_BUFFER_LIST_NEXT_NBL(tail) = nbl;
        else
            head = nbl;
        tail = nbl;
    }
    assert_int_equal(ndisdma_adapter_send(r->a, head, 0), 0); /* frame 0 starts at once */
    BOOLEAN addressing = TRUE;
    NDIS_STATUS st = NDIS_STATUS_FAILURE;
    assert_int_equal(ndisdma_adapter_reset(r->a, &addressing, &st), 0); /* MiniportResetEx */
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    assert_false(addressing);
    run_idle(r);
    assert_int_equal(r->completed, 3);
    assert_int_equal(r->statuses[0], NDIS_STATUS_RESET_IN_PROGRESS);
    assert_int_equal(r->statuses[1], NDIS_STATUS_SUCCESS);
    assert_int_equal(r->statuses[2], NDIS_STATUS_SUCCESS);
    static const size_t lens[] = {500};
    check_received(r, 0, lens, 1, 2, 1);
    rig_down(r);
}

/* The card's TXLEN as the host reads it. */
static unsigned card_txlen(rig *r)
{
    uint16_t io = 0;
    sdnic_resources_of(r->nic, NULL, NULL, &io, NULL);
    return ndisdma_io_read8(r->m, (uint16_t)(io + SDNIC_REG_TXLEN_LO)) |
           (unsigned)ndisdma_io_read8(r->m, (uint16_t)(io + SDNIC_REG_TXLEN_HI)) << 8;
}

/* The driver writes only the TXLEN bytes that change (SdSetTxLenLocked): its copy always
   equals the card's register, across lengths that change the low byte, the high byte or
   nothing, and across a card reset (which clears TXLEN: the copy goes back to 0, and the
   next frame, of the length before the reset, is sent whole). */
static void txlen_copy_follows_the_card_across_lengths_and_a_reset(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    static const size_t lens[] = {300, 300, 301, 557, 557, 300}; /* 0x12C 0x12D 0x22D */
    for (unsigned i = 0; i < 6; i++) {
        send_frames(r, &lens[i], 1, 1, i);
        assert_int_equal(adapter_of(r)->TxLen, lens[i]);
        assert_int_equal(card_txlen(r), lens[i]);
    }
    BOOLEAN addressing = TRUE;
    NDIS_STATUS st = NDIS_STATUS_FAILURE;
    assert_int_equal(ndisdma_adapter_reset(r->a, &addressing, &st), 0); /* CMD_RESET */
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    assert_int_equal(adapter_of(r)->TxLen, 0);
    assert_int_equal(card_txlen(r), 0);
    send_frames(r, &lens[5], 1, 1, 6);
    assert_int_equal(card_txlen(r), 300);
    assert_int_equal(r->completed_ok, 7);
    for (unsigned i = 0; i < 7; i++)
        check_received(r, i, &lens[i < 6 ? i : 5], 1, 1, i);
    rig_down(r);
}

/* An injected flush fault (FlushAdapterBuffers fails, NdisMCompleteDmaTransfer returns
   NDIS_STATUS_RESOURCES) on a bounced transfer: the driver counts an error, fails that
   frame, and keeps working: every later frame arrives exact. */
static void dma_flush_fault_counts_an_error_and_the_driver_keeps_working(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    o.placement = NDISDMA_PLACEMENT_HIGH;
    rig *r = rig_up(&o);
    static const size_t lens[] = {300};
    ndisdma_fault_spec spec = {.nth = 2, .channel = -1}; /* the first frame's receive */
    assert_int_equal(ndisdma_fault_set(r->m, NDISDMA_FAULT_FLUSH, &spec), 0);
    unsigned n = send_frames(r, lens, 1, 1, 0);
    ndisdma_fault_counters fc;
    assert_int_equal(ndisdma_fault_stats(r->m, &fc), 0);
    assert_int_equal(fc.injected[NDISDMA_FAULT_FLUSH], 1);
    uint64_t errors = oid_u64(r, OID_GEN_XMIT_ERROR) + oid_u64(r, OID_GEN_RCV_ERROR);
    assert_int_equal(errors, 1);
    unsigned first = r->rx_count;
    unsigned n2 = send_frames(r, lens, 1, 10, n);
    check_received(r, first, lens, 1, n2, n);
    rig_down(r);
}

/* An injected flush fault on the LAST frame's receive: the frame is dropped (RCV_ERROR),
   nothing else is lost, and the driver is left idle: no DMA operation in progress, the
   pause completes at once, halt is clean. (The host only learns of the loss by not
   receiving the frame; the driver has nothing more to say about it.) */
static void flush_fault_on_the_last_receive_drops_it_and_leaves_the_driver_idle(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    static const size_t lens[] = {300};
    /* rate 0: tx0 rx0 tx1 rx1 ... each completes with one flush: the 8th is the 4th receive */
    ndisdma_fault_spec spec = {.nth = 8, .channel = -1};
    assert_int_equal(ndisdma_fault_set(r->m, NDISDMA_FAULT_FLUSH, &spec), 0);
    unsigned n = send_frames(r, lens, 1, 4, 0);
    ndisdma_fault_counters fc;
    assert_int_equal(ndisdma_fault_stats(r->m, &fc), 0);
    assert_int_equal(fc.injected[NDISDMA_FAULT_FLUSH], 1);
    assert_int_equal(r->completed_ok, n);
    assert_int_equal(oid_u64(r, OID_GEN_XMIT_ERROR), 0);
    assert_int_equal(oid_u64(r, OID_GEN_RCV_ERROR), 1);
    assert_int_equal(r->rx_count, n - 1);
    check_received(r, 0, lens, 1, n - 1, 0);
    assert_int_equal(adapter_of(r)->DmaOp, SdDmaIdle);
    assert_int_equal(adapter_of(r)->Stats.DmaTimeouts, 0);
    assert_int_equal(ndisdma_adapter_pause(r->a), 0);
    assert_int_equal(ndisdma_adapter_get_state(r->a), NDISDMA_ADAPTER_PAUSED);
    rig_down(r);
}

/* ---- the DMA watchdog ---- */

/* The frames that completed with NDIS_STATUS_SUCCESS came back, byte for byte and in order,
   and nothing else did; returns how many sends failed (each with NDIS_STATUS_FAILURE). */
static unsigned check_survivors(rig *r, const size_t *lens, unsigned nlens, unsigned n)
{
    uint8_t want[SD_MAX_FRAME];
    unsigned failed = 0, got = 0;
    assert_int_equal(r->completed, n);
    for (unsigned i = 0; i < n; i++) {
        unsigned seq = r->completed_seq[i];
        assert_int_equal(seq, i); /* one channel: sends complete in order */
        if (r->statuses[i] != NDIS_STATUS_SUCCESS) {
            assert_int_equal(r->statuses[i], NDIS_STATUS_FAILURE);
            failed++;
            continue;
        }
        size_t len = lens[seq % nlens];
        fill_frame(want, len, seq);
        assert_true(got < r->rx_count);
        assert_int_equal(r->rx_len[got], len);
        assert_memory_equal(r->rx_data[got], want, len);
        got++;
    }
    assert_int_equal(got, r->rx_count);
    return failed;
}

/* Traffic on @channel with a device fault of @kind at every @every-th grant: every injected
   fault leaves a DMA operation that never ends by itself (but a short receive whose half
   offer held the whole frame), and the watchdog aborts each one (DmaTimeouts). A transmit it aborts
   fails with NDIS_STATUS_FAILURE and counts in OID_GEN_XMIT_ERROR; a receive is retried (the card
   kept the frame), so it is not lost and not an error. Every frame not failed comes back exact and
   in order; then the pause completes, a restart carries more traffic, and rig_down checks halt and
   the verifier. */
static void watchdog_recovers_every_injected_fault(int channel, ndisdma_fault kind, uint32_t every)
{
    rig_opts o;
    rig_opts_init(&o);
    o.channel = channel;
    rig *r = rig_up(&o);
    static const size_t lens[] = {60, 1514, 333, 64, 1000, 1513};
    ndisdma_fault_spec spec = {.every = every, .channel = channel};
    assert_int_equal(ndisdma_fault_set(r->m, kind, &spec), 0);
    unsigned n = send_frames(r, lens, 6, 48, 0);
    ndisdma_fault_counters fc;
    assert_int_equal(ndisdma_fault_stats(r->m, &fc), 0);
    assert_int_equal(ndisdma_fault_clear(r->m, kind), 0);

    unsigned failed = check_survivors(r, lens, 6, n);
    PSD_ADAPTER ad = adapter_of(r);
    assert_true(fc.injected[kind] > 0);
    if (kind == NDISDMA_FAULT_DEVICE_STALL)
        assert_int_equal(ad->Stats.DmaTimeouts, fc.injected[kind]);
    else /* half the offer of a receive can still hold a whole short frame: no harm done */
        assert_in_range(ad->Stats.DmaTimeouts, 1, fc.injected[kind]);
    assert_true(failed > 0);              /* some faults hit a transmit ... */
    assert_true(ad->Stats.RxRetries > 0); /* ... and some a receive */
    assert_int_equal(failed + ad->Stats.RxRetries, ad->Stats.DmaTimeouts);
    assert_int_equal(oid_u64(r, OID_GEN_XMIT_ERROR), failed);
    assert_int_equal(oid_u64(r, OID_GEN_XMIT_OK), n - failed);
    assert_int_equal(oid_u64(r, OID_GEN_RCV_ERROR), 0);
    assert_int_equal(oid_u64(r, OID_GEN_RCV_OK), n - failed);
    assert_int_equal(ad->Stats.CardResets, 0);
    assert_int_equal(ad->DmaOp, SdDmaIdle);

    assert_int_equal(ndisdma_adapter_pause(r->a), 0);
    assert_int_equal(ndisdma_adapter_get_state(r->a), NDISDMA_ADAPTER_PAUSED);
    assert_int_equal(ndisdma_adapter_restart(r->a), 0);
    unsigned first = r->rx_count;
    unsigned n2 = send_frames(r, lens, 6, 6, n);
    check_received(r, first, lens, 6, n2, n);
    rig_down(r);
}

/* device_stall (the device drops DREQ at the grant, before taking anything), 8- and 16-bit. */
static void watchdog_recovers_device_stalls_8_and_16_bit(void **state)
{
    (void)state;
    watchdog_recovers_every_injected_fault(3, NDISDMA_FAULT_DEVICE_STALL, 4);
    watchdog_recovers_every_injected_fault(6, NDISDMA_FAULT_DEVICE_STALL, 6);
}

/* device_short_transfer (half the units offered, then DREQ drops): the count moved, then
   stopped; the card kept a half-received frame for the retry, dropped a half-sent one. */
static void watchdog_recovers_short_transfers_8_and_16_bit(void **state)
{
    (void)state;
    watchdog_recovers_every_injected_fault(1, NDISDMA_FAULT_DEVICE_SHORT, 4);
    watchdog_recovers_every_injected_fault(5, NDISDMA_FAULT_DEVICE_SHORT, 6);
}

/* Run the machine in small slices until the driver has a DMA operation @op in progress. */
static void run_until_op(rig *r, SD_DMA_OP op)
{
    for (unsigned i = 0; i < 10000 && adapter_of(r)->DmaOp != op; i++)
        assert_int_equal(ndisdma_machine_run(r->m, 1000), 0);
    assert_int_equal(adapter_of(r)->DmaOp, op);
}

/* Send one frame of @len bytes (frame 0) whose transmit DMA stalls (device_stall at the first
   grant), and run until the driver has that transmit in progress. */
static void send_stalled_transmit(rig *r, size_t len)
{
    ndisdma_fault_spec spec = {.nth = 1, .channel = -1};
    assert_int_equal(ndisdma_fault_set(r->m, NDISDMA_FAULT_DEVICE_STALL, &spec), 0);
    uint8_t buf[SD_MAX_FRAME];
    PNET_BUFFER_LIST nbl;
    assert_true(len <= sizeof buf);
    fill_frame(buf, len, 0);
    assert_int_equal(ndisdma_frame_pool_get(r->pool, buf, len, &nbl), 0);
    assert_int_equal(ndisdma_adapter_send(r->a, nbl, 0), 0);
    run_until_op(r, SdDmaTransmit);
}

/* The watchdog's period is 10 ms on either width, and a transfer that never moves is aborted one
   to two periods after it started (the tick that first sees it only records it): a stalled
   transmit on an 8-bit and on a 16-bit channel, watched in 100 us slices of virtual time. */
static void watchdog_aborts_a_stalled_transfer_one_to_two_periods_after_it_started(void **state)
{
    (void)state;
    static const int channels[] = {1, 5};
    for (unsigned c = 0; c < 2; c++) {
        rig_opts o;
        rig_opts_init(&o);
        o.channel = channels[c];
        rig *r = rig_up(&o);
        PSD_ADAPTER ad = adapter_of(r);
        assert_int_equal(ad->WatchdogDue, -100000); /* 10 ms, relative, in 100 ns units */
        send_stalled_transmit(r, 1514);
        const uint64_t started = ndisdma_machine_now(r->m);
        for (unsigned i = 0; i < 1000 && ad->Stats.DmaTimeouts == 0; i++)
            assert_int_equal(ndisdma_machine_run(r->m, 100000), 0);
        const uint64_t took = ndisdma_machine_now(r->m) - started;
        assert_int_equal(ad->Stats.DmaTimeouts, 1);
        assert_true(took >= 10000000u);           /* not before one whole period */
        assert_true(took <= 20000000u + 100000u); /* by the second tick (+ one slice) */
        assert_int_equal(r->completed, 1);
        assert_int_equal(r->statuses[0], NDIS_STATUS_FAILURE);
        rig_down(r);
    }
}

/* A transmit stalls and the host pauses: MiniportPause pends on the transfer, the watchdog
   aborts it (the NBL fails with NDIS_STATUS_FAILURE) and the pause completes; after a
   restart traffic flows. */
static void pause_completes_after_the_watchdog_ends_a_stalled_transmit(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    send_stalled_transmit(r, 700);
    assert_int_equal(r->completed, 0);

    assert_int_equal(ndisdma_adapter_pause(r->a), 0);
    assert_int_equal(ndisdma_adapter_get_state(r->a), NDISDMA_ADAPTER_PAUSED);
    assert_int_equal(r->completed, 1);
    assert_int_equal(r->statuses[0], NDIS_STATUS_FAILURE);
    assert_int_equal(adapter_of(r)->Stats.DmaTimeouts, 1);
    assert_int_equal(oid_u64(r, OID_GEN_XMIT_ERROR), 1);
    assert_int_equal(r->rx_count, 0);

    assert_int_equal(ndisdma_adapter_restart(r->a), 0);
    static const size_t lens[] = {700};
    unsigned n = send_frames(r, lens, 1, 5, 1);
    check_received(r, 0, lens, 1, n, 1);
    rig_down(r);
}

/* A receive stalls (the device never gives the frame) and the host pauses: the watchdog
   aborts the receive and the pause completes; the card kept the frame, so after a restart
   it is received, exact. */
static void pause_during_a_stalled_receive_keeps_the_frame_for_the_restart(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    o.channel = 5;
    rig *r = rig_up(&o);
    uint8_t frame[257];
    fill_frame(frame, sizeof frame, 7);
    ndisdma_fault_spec spec = {.every = 1, .channel = 5};
    assert_int_equal(ndisdma_fault_set(r->m, NDISDMA_FAULT_DEVICE_STALL, &spec), 0);
    assert_int_equal(sdnic_inject(r->nic, frame, sizeof frame), 0);
    run_until_op(r, SdDmaReceive);

    assert_int_equal(ndisdma_adapter_pause(r->a), 0);
    assert_int_equal(ndisdma_adapter_get_state(r->a), NDISDMA_ADAPTER_PAUSED);
    assert_true(adapter_of(r)->Stats.DmaTimeouts >= 1);
    assert_int_equal(adapter_of(r)->Stats.CardResets, 0);
    assert_int_equal(r->rx_count, 0);
    assert_int_equal(oid_u64(r, OID_GEN_RCV_ERROR), 0);

    assert_int_equal(ndisdma_fault_clear(r->m, NDISDMA_FAULT_DEVICE_STALL), 0);
    assert_int_equal(ndisdma_adapter_restart(r->a), 0);
    run_idle(r);
    assert_int_equal(r->rx_count, 1);
    assert_int_equal(r->rx_len[0], sizeof frame);
    assert_memory_equal(r->rx_data[0], frame, sizeof frame);
    rig_down(r);
}

/* A frame the device never gives (three receive timeouts in a row): the driver resets the
   card to get past it; that frame counts in OID_GEN_RCV_ERROR, the frame behind it (lost with
   the card's FIFO) in the discards; the adapter then works normally. */
static void receive_that_never_moves_is_dropped_by_a_card_reset(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    uint8_t frame[100];
    ndisdma_fault_spec spec = {.every = 1, .limit = SD_RX_MAX_TRIES, .channel = 3};
    assert_int_equal(ndisdma_fault_set(r->m, NDISDMA_FAULT_DEVICE_STALL, &spec), 0);
    fill_frame(frame, sizeof frame, 1);
    assert_int_equal(sdnic_inject(r->nic, frame, sizeof frame), 0);
    fill_frame(frame, sizeof frame, 2);
    assert_int_equal(sdnic_inject(r->nic, frame, sizeof frame), 0);
    run_idle(r);

    ndisdma_fault_counters fc;
    assert_int_equal(ndisdma_fault_stats(r->m, &fc), 0);
    assert_int_equal(fc.injected[NDISDMA_FAULT_DEVICE_STALL], SD_RX_MAX_TRIES);
    PSD_ADAPTER ad = adapter_of(r);
    assert_int_equal(ad->Stats.DmaTimeouts, SD_RX_MAX_TRIES);
    assert_int_equal(ad->Stats.RxRetries, SD_RX_MAX_TRIES - 1);
    assert_int_equal(ad->Stats.CardResets, 1);
    assert_int_equal(oid_u64(r, OID_GEN_RCV_ERROR), 1);
    assert_int_equal(ad->Stats.RcvDiscards, 1);
    assert_int_equal(r->rx_count, 0);
    assert_int_equal(ad->DmaOp, SdDmaIdle);

    static const size_t lens[] = {100, 1514};
    unsigned n = send_frames(r, lens, 2, 6, 10);
    check_received(r, 0, lens, 2, n, 10);
    rig_down(r);
}

/* ---- life cycle ---- */

/* Two machines load the driver at once and run traffic interleaved: each load has its own
   driver context (no global state); halt and unload of each leave nothing behind. */
static void two_machines_load_the_driver_independently(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r1 = rig_up(&o);
    o.channel = 6;
    rig *r2 = rig_up(&o);
    static const size_t lens[] = {77, 1514};
    unsigned n1 = send_frames(r1, lens, 2, 6, 0);
    unsigned n2 = send_frames(r2, lens, 2, 8, 10);
    check_received(r1, 0, lens, 2, n1, 0);
    check_received(r2, 0, lens, 2, n2, 10);
    rig_down(r1);
    rig_down(r2);
}

/* Two machines, each with the driver on its own card, the cards wired to each other (no
   loopback): what one sends, the other receives, byte for byte and in order, at 10 Mbit/s and
   on an 8-bit and a 16-bit channel; nothing comes back to the sender. */
static void peer_machines_exchange_frames(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    o.no_loopback = true;
    o.rate_bps = 10000000;
    rig *a = rig_up(&o);
    o.channel = 5;
    rig *b = rig_up(&o);
    assert_int_equal(sdnic_connect(a->nic, b->nic), 0);
    static const size_t lens[] = {60, 1514, 333, 1};
    /* a -> b: a's machine runs the sends and the wire; b's delivers what arrived */
    unsigned n = send_frames(a, lens, 4, 12, 0);
    assert_int_equal(a->rx_count, 0);
    run_idle(b);
    check_received(b, 0, lens, 4, n, 0);
    /* b -> a, odd and even lengths through b's 16-bit channel */
    unsigned m = send_frames(b, lens, 4, 9, 100);
    run_idle(a);
    check_received(a, 0, lens, 4, m, 100);
    assert_int_equal(b->rx_count, n);
    sdnic_stats sa, sb;
    assert_int_equal(sdnic_get_stats(a->nic, &sa), 0);
    assert_int_equal(sdnic_get_stats(b->nic, &sb), 0);
    assert_int_equal(sa.tx_frames, n);
    assert_int_equal(sb.rx_frames, n);
    assert_int_equal(sb.tx_frames, m);
    assert_int_equal(sa.rx_frames, m);
    assert_int_equal(sa.rx_overruns + sb.rx_overruns, 0);
    rig_down(a);
    rig_down(b);
}

/* Halt right after start, and unload: every registration and allocation of the driver is
   released by it (the host reports leftovers as violations: there are none). */
static void halt_and_unload_leave_nothing_behind(void **state)
{
    (void)state;
    rig_opts o;
    rig_opts_init(&o);
    rig *r = rig_up(&o);
    static const size_t lens[] = {1514};
    send_frames(r, lens, 1, 3, 0);
    ndisdma_netif_stats ns;
    assert_int_equal(ndisdma_adapter_netif_stats(r->a, &ns), 0);
    assert_int_equal(ns.nbls_indicated, ns.nbls_returned);
    assert_int_equal(ns.nbls_sent, ns.nbls_completed);
    rig_down(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(init_without_card_fails_adapter_not_found_and_leaks_nothing),
        cmocka_unit_test(init_without_dma_resource_fails_and_leaks_nothing),
        cmocka_unit_test(init_allocation_failures_release_everything),
        cmocka_unit_test(send_rejects_empty_and_oversized_frames_with_invalid_length),
        cmocka_unit_test(loopback_8bit_every_length_1_to_1514_direct),
        cmocka_unit_test(loopback_16bit_odd_and_even_lengths),
        cmocka_unit_test(placement_high_bounces_every_transfer_and_data_survives),
        cmocka_unit_test(placement_scattered_mixes_direct_and_bounced_transfers),
        cmocka_unit_test(multi_nb_nbl_completes_once_after_its_last_nb),
        cmocka_unit_test(multi_mdl_nb_is_coalesced_exactly),
        cmocka_unit_test(held_receive_nbls_switch_to_resources_then_resume),
        cmocka_unit_test(frames_waiting_in_the_card_are_received_and_overrun_counted),
        cmocka_unit_test(pause_pends_until_receive_nbls_return_then_restart),
        cmocka_unit_test(pause_completes_queued_sends_with_status_paused),
        cmocka_unit_test(line_rate_10mbit_takes_at_least_the_wire_time),
        cmocka_unit_test(oids_unknown_short_then_every_listed_oid),
        cmocka_unit_test(reset_fails_the_transfer_in_flight_and_keeps_the_queue),
        cmocka_unit_test(txlen_copy_follows_the_card_across_lengths_and_a_reset),
        cmocka_unit_test(dma_flush_fault_counts_an_error_and_the_driver_keeps_working),
        cmocka_unit_test(flush_fault_on_the_last_receive_drops_it_and_leaves_the_driver_idle),
        cmocka_unit_test(watchdog_recovers_device_stalls_8_and_16_bit),
        cmocka_unit_test(watchdog_recovers_short_transfers_8_and_16_bit),
        cmocka_unit_test(watchdog_aborts_a_stalled_transfer_one_to_two_periods_after_it_started),
        cmocka_unit_test(pause_completes_after_the_watchdog_ends_a_stalled_transmit),
        cmocka_unit_test(pause_during_a_stalled_receive_keeps_the_frame_for_the_restart),
        cmocka_unit_test(receive_that_never_moves_is_dropped_by_a_card_reset),
        cmocka_unit_test(two_machines_load_the_driver_independently),
        cmocka_unit_test(peer_machines_exchange_frames),
        cmocka_unit_test(halt_and_unload_leave_nothing_behind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
