/*
 * The five system-DMA DDIs, behaviour by behaviour (spec/ndis-system-dma.md
 * N1-N27), through the test miniport (testmp.c, <ndis.h> only) driven by the
 * host API, with the test playing the NIC on the DMA channel. Each test
 * names the behaviour it checks; invalid input comes first in each group.
 * The seed's remark (NdisMCompleteDmaTransfer) is tested literally in
 * n17_*: a bounced receive is not in host memory before Complete and is,
 * exactly, after it; a send is complete in the device only after Complete.
 */
#include <stdlib.h>
#include <string.h>

#include <ndisdma/device.h>
#include <ndisdma/verify.h>

#include "ndtest.h"

#include "hal/hal.h"
#include "kernel/kernel.h"

static nd_hal *hal_of(void)
{
    return nd_kernel_hal(nd_kernel_current());
}

static void chan(ndt *t, unsigned ch, ndisdma_dma_channel_state *st)
{
    assert_int_equal(ndisdma_dma_get_channel(t->m, ch, st), 0);
}

static KIRQL raise_to(KIRQL to)
{
    KIRQL old;
    KeRaiseIrql(to, &old);
    return old;
}

static NDIS_STATUS setup(ndt *t, ndt_buf *b, ULONG off, ULONG len, BOOLEAN write)
{
    NDIS_STATUS st = 0x12345678;
    NdisMSetupDmaTransfer(&st, t->cfg.dma, b ? b->mdl : NULL, off, len, write);
    return st;
}

static NDIS_STATUS complete(ndt *t, ndt_buf *b, ULONG off, ULONG len, BOOLEAN write)
{
    NDIS_STATUS st = 0x12345678;
    NdisMCompleteDmaTransfer(&st, t->cfg.dma, b ? b->mdl : NULL, off, len, write);
    return st;
}

/* ---- N1: PASSIVE_LEVEL, from MiniportInitializeEx, after the registration attributes ---- */

static void n1_bad_arguments(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.register_dma = FALSE;
    ndt_start(&t);
    NDIS_HANDLE ah = ndisdma_adapter_handle(t.ad);
    NDIS_DMA_DESCRIPTION d = t.cfg.desc;
    NDIS_HANDLE h = (NDIS_HANDLE)0x1;
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(NdisMRegisterDmaChannel(NULL, ah, 3, FALSE, &d, 4096), NDIS_STATUS_FAILURE);
    mark = ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "MiniportDmaHandle is NULL");
    assert_int_equal(NdisMRegisterDmaChannel(&h, ah, 3, FALSE, NULL, 4096), NDIS_STATUS_FAILURE);
    assert_null(h);
    mark = ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "DmaDescription is NULL");
    int local;
    assert_int_equal(NdisMRegisterDmaChannel(&h, &local, 3, FALSE, &d, 4096), NDIS_STATUS_FAILURE);
    mark = ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "unknown or stale");
    assert_int_equal(NdisMRegisterDmaChannel(&h, NULL, 3, FALSE, &d, 4096), NDIS_STATUS_FAILURE);
    mark = ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "NULL");
    /* a driver handle is not an adapter handle */
    assert_int_equal(NdisMRegisterDmaChannel(&h, t.cfg.driver_handle, 3, FALSE, &d, 4096),
                     NDIS_STATUS_FAILURE);
    ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "not a miniport adapter handle");
    ndt_fini(&t);
}

static void n1_before_attributes(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.dma_before_attrs = TRUE;
    t.cfg.dma = (NDIS_HANDLE)0x1;
    ndt_load(&t);
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), 0);
    assert_int_equal(t.cfg.dma_status, NDIS_STATUS_FAILURE);
    assert_null(t.cfg.dma);
    ndisdma_violation v;
    assert_int_equal(ndisdma_violation_get(t.m, mark, &v), 0);
    assert_string_equal(v.ddi, "NdisMRegisterDmaChannel");
    assert_non_null(strstr(v.message, "registration attributes"));
    assert_false(nd_hal_channel_busy(hal_of(), 3));
    ndt_fini(&t);
}

static void n1_wrong_irql(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.register_dma = FALSE;
    ndt_start(&t);
    NDIS_HANDLE h = NULL;
    uint64_t mark = ndt_mark(&t);
    KIRQL old = raise_to(DISPATCH_LEVEL);
    NDIS_STATUS st =
        NdisMRegisterDmaChannel(&h, ndisdma_adapter_handle(t.ad), 3, FALSE, &t.cfg.desc, 4096);
    KeLowerIrql(old);
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    assert_null(h);
    ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "IRQL 2");
    assert_false(nd_hal_channel_busy(hal_of(), 3));
    ndt_fini(&t);
}

static void n1_in_initialize_at_passive(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    uint64_t mark = ndt_mark(&t);
    ndt_start(&t);
    assert_int_equal(t.cfg.init_irql, PASSIVE_LEVEL);
    assert_int_equal(t.cfg.dma_status, NDIS_STATUS_SUCCESS);
    ndt_expect_no_violation(&t, mark);
    /* Outside MiniportInitializeEx it is reported (and done). */
    ndisdma_adapter_stop(t.ad);
    t.ad = NULL;
    t.cfg.register_dma = FALSE;
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), 0);
    NDIS_HANDLE h = NULL;
    mark = ndt_mark(&t);
    assert_int_equal(
        NdisMRegisterDmaChannel(&h, ndisdma_adapter_handle(t.ad), 3, FALSE, &t.cfg.desc, 4096),
        NDIS_STATUS_SUCCESS);
    mark =
        ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "outside MiniportInitializeEx");
    NdisMDeregisterDmaChannel(h);
    ndt_expect_violation(&t, mark, "NdisMDeregisterDmaChannel", "outside");
    ndt_fini(&t);
}

/* ---- N2: the DmaChannel parameter is used ---- */

static void n2_parameter_wins(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.desc.DmaChannelSpecified = TRUE;
    t.cfg.desc.DmaChannel = 1;
    uint64_t mark = ndt_mark(&t);
    ndt_start(&t);
    ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "the parameter is used");
    assert_true(nd_hal_channel_busy(hal_of(), 3));
    assert_false(nd_hal_channel_busy(hal_of(), 1));
    ndt_buf b;
    ndt_buf_ram(&t, &b, 256);
    assert_int_equal(setup(&t, &b, 0, 256, FALSE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_channel_state s3, s1;
    chan(&t, 3, &s3);
    chan(&t, 1, &s1);
    assert_false(s3.masked);
    assert_true(s1.masked);
    assert_int_equal(complete(&t, &b, 0, 256, FALSE), NDIS_STATUS_SUCCESS);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

static void n2_unspecified_channel_ignored(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.desc.DmaChannelSpecified = FALSE;
    t.cfg.desc.DmaChannel = 99;
    uint64_t mark = ndt_mark(&t);
    ndt_start(&t);
    ndt_expect_no_violation(&t, mark);
    assert_true(nd_hal_channel_busy(hal_of(), 3));
    ndt_fini(&t);
}

/* ---- N3: the HAL DEVICE_DESCRIPTION and what the HAL refuses ---- */

static void n3_refused_descriptions(void **state)
{
    (void)state;
    static const struct {
        UINT ch;
        DMA_WIDTH w;
    } bad[] = {
        {4, Width8Bits}, {8, Width8Bits}, {3, Width16Bits}, {5, Width8Bits}, {1, Width32Bits}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ndt t;
        ndt_init(&t, NDISDMA_PLACEMENT_LOW);
        t.cfg.dma_channel = bad[i].ch;
        t.cfg.desc.DmaWidth = bad[i].w;
        t.res.dma_channel = -1;
        t.cfg.dma = (NDIS_HANDLE)0x1;
        uint64_t mark = ndt_mark(&t);
        ndt_load(&t);
        assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), 0);
        assert_int_equal(t.cfg.dma_status, NDIS_STATUS_RESOURCES);
        assert_null(t.cfg.dma);
        ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "HAL refused");
        for (unsigned ch = 0; ch < 8; ch++)
            assert_false(nd_hal_channel_busy(hal_of(), ch));
        ndt_fini(&t);
    }
}

static void n3_description_translated(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.dma_channel = 5;
    t.res.dma_channel = 5;
    t.cfg.desc.DmaWidth = Width16Bits;
    t.cfg.desc.DemandMode = FALSE;
    t.cfg.desc.AutoInitialize = TRUE;
    t.cfg.desc.DmaSpeed = TypeB;
    ndt_start(&t);
    assert_int_equal(ndisdma_dma_unit_time(t.m, 5), 480);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 512);
    assert_int_equal(setup(&t, &b, 0, 512, TRUE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_channel_state s;
    chan(&t, 5, &s);
    assert_int_equal(s.mode & 0xC0, 0x40); /* single mode */
    assert_int_equal(s.mode & 0x10, 0x10); /* autoinitialize */
    assert_int_equal(s.mode & 0x0C, 0x08); /* read transfer: memory -> device */
    assert_int_equal(complete(&t, &b, 0, 512, TRUE), NDIS_STATUS_SUCCESS);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N4: map registers ---- */

static void n4_too_few_map_registers(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    assert_int_equal(nd_hal_set_pool_pages(hal_of(), 4), 0);
    t.cfg.max_len = 0x8000; /* ((0x8000 - 2) >> 12) + 2 = 9 registers */
    t.cfg.dma = (NDIS_HANDLE)0x1;
    uint64_t mark = ndt_mark(&t);
    ndt_load(&t);
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), 0);
    assert_int_equal(t.cfg.dma_status, NDIS_STATUS_RESOURCES);
    assert_null(t.cfg.dma);
    ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "needs 9 map registers");
    assert_int_equal(nd_hal_pool_free(hal_of()), nd_hal_pool_pages(hal_of()));
    /* 3 pages + 2 bytes need ((12290 - 2) >> 12) + 2 = 5 > 4; 3 pages need 4. */
    NDIS_HANDLE h = NULL;
    NDIS_HANDLE ah = ndisdma_adapter_handle(t.ad);
    assert_int_equal(NdisMRegisterDmaChannel(&h, ah, 3, FALSE, &t.cfg.desc, 3 * 4096 + 2),
                     NDIS_STATUS_RESOURCES);
    assert_int_equal(NdisMRegisterDmaChannel(&h, ah, 3, FALSE, &t.cfg.desc, 3 * 4096),
                     NDIS_STATUS_SUCCESS);
    NdisMDeregisterDmaChannel(h);
    ndt_fini(&t);
}

static void n4_length_past_one_transfer(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.max_len = 70000; /* 19 registers; an 8-bit channel offers 17 */
    ndt_load(&t);
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), 0);
    assert_int_equal(t.cfg.dma_status, NDIS_STATUS_RESOURCES);
    ndt_fini(&t);
}

static void n4_unlimited_is_clamped(void **state)
{
    (void)state;
    for (unsigned ch = 3; ch <= 5; ch += 2) {
        ndt t;
        ndt_init(&t, NDISDMA_PLACEMENT_LOW);
        t.cfg.max_len = 0xFFFFFFFFu;
        t.cfg.dma_channel = ch;
        t.res.dma_channel = (int)ch;
        t.cfg.desc.DmaWidth = ch >= 4 ? Width16Bits : Width8Bits;
        size_t before = 0;
        ndt_load(&t);
        assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), 0);
        assert_int_equal(t.cfg.dma_status, NDIS_STATUS_SUCCESS);
        before = nd_hal_pool_pages(hal_of()) - nd_hal_pool_free(hal_of());
        assert_int_equal(before, ch >= 4 ? 33 : 17); /* one whole 8237 transfer */
        ndt_fini(&t);
    }
}

/* ---- N5: the channel is allocated once, at register time, and kept ---- */

static void n5_channel_held_until_deregister(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_HIGH);
    ndt_start(&t);
    assert_true(nd_hal_channel_busy(hal_of(), 3));
    size_t held = nd_hal_pool_pages(hal_of()) - nd_hal_pool_free(hal_of());
    assert_int_equal(held, 2); /* ((4096 - 2) >> 12) + 2 */
    ndt_dev_attach(&t, 3);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 1000);
    /* Setup and Complete at DISPATCH_LEVEL never wait. */
    for (int i = 0; i < 3; i++) {
        KIRQL old = raise_to(DISPATCH_LEVEL);
        assert_int_equal(setup(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
        KeLowerIrql(old);
        ndisdma_dma_request(t.m, 3, true);
        assert_int_equal(ndisdma_dma_run(t.m, 0), 1000);
        old = raise_to(DISPATCH_LEVEL);
        assert_int_equal(complete(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
        KeLowerIrql(old);
        assert_true(nd_hal_channel_busy(hal_of(), 3));
        assert_int_equal(nd_hal_pool_pages(hal_of()) - nd_hal_pool_free(hal_of()), held);
    }
    ndt_buf_free(&t, &b);
    ndisdma_adapter_stop(t.ad); /* MiniportHaltEx deregisters */
    t.ad = NULL;
    assert_false(nd_hal_channel_busy(hal_of(), 3));
    assert_int_equal(nd_hal_pool_free(hal_of()), nd_hal_pool_pages(hal_of()));
    ndt_fini(&t);
}

/* ---- N6: a channel registered by another adapter ---- */

static void n6_channel_taken(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    NDIS_HANDLE first = t.cfg.dma;
    ndisdma_adapter *second = NULL;
    t.cfg.dma = (NDIS_HANDLE)0x1;
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &second), 0);
    assert_int_equal(t.cfg.dma_status, NDIS_STATUS_RESOURCES);
    assert_null(t.cfg.dma);
    mark = ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "another adapter");
    /* The same adapter twice. */
    NDIS_HANDLE h = (NDIS_HANDLE)0x1;
    assert_int_equal(
        NdisMRegisterDmaChannel(&h, ndisdma_adapter_handle(t.ad), 3, FALSE, &t.cfg.desc, 4096),
        NDIS_STATUS_RESOURCES);
    assert_null(h);
    ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "this adapter");
    /* The first registration still works. */
    t.cfg.dma = first;
    ndt_buf b;
    ndt_buf_ram(&t, &b, 64);
    assert_int_equal(setup(&t, &b, 0, 64, TRUE), NDIS_STATUS_SUCCESS);
    assert_int_equal(complete(&t, &b, 0, 64, TRUE), NDIS_STATUS_SUCCESS); /* nothing moving */
    ndt_buf_free(&t, &b);
    ndisdma_adapter_stop(second);
    ndt_fini(&t);
}

/* N6/N7: the channel is free but the map registers it needs are held by
   another adapter. Windows would wait; ndisdma refuses with RESOURCES and one
   violation that says why, withdraws its own queued request without blaming
   the driver for it, and leaks no map register. */
static void n6_map_registers_not_available(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    /* Pool of 64 pages: the first adapter, channel 3 with MaximumLength
       64 KiB, holds 17 of them; the second, channel 5 unlimited, needs 33
       contiguous ones inside one 128 KiB window, which the rest cannot give
       now although the pool could. */
    assert_int_equal(nd_hal_set_pool_pages(hal_of(), 64), 0);
    t.cfg.max_len = 65536;
    ndt_start(&t);
    const size_t free_after_first = nd_hal_pool_free(hal_of());
    assert_int_equal(free_after_first, 64 - 17);
    ndisdma_adapter *second = NULL;
    t.cfg.max_len = 0xFFFFFFFFu;
    t.cfg.desc.DmaWidth = Width16Bits;
    t.cfg.dma_channel = 5;
    t.res.dma_channel = 5;
    t.cfg.dma = (NDIS_HANDLE)0x1;
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &second), 0);
    assert_int_equal(t.cfg.dma_status, NDIS_STATUS_RESOURCES);
    assert_null(t.cfg.dma);
    ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "not available now");
    assert_int_equal(ndisdma_violation_count(t.m), mark + 1); /* that one only */
    assert_int_equal(nd_hal_pool_free(hal_of()), free_after_first);
    assert_false(nd_hal_channel_busy(hal_of(), 5));
    ndisdma_adapter_stop(second);
    ndt_fini(&t);
}

/* ---- N7: failures leave the handle unusable and leak nothing ---- */

static void n7_failed_handle_unusable_nothing_leaks(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.desc.DmaPort = 0x22;
    t.cfg.dma = (NDIS_HANDLE)0x1;
    ndt_load(&t);
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), 0);
    assert_int_equal(t.cfg.dma_status, NDIS_STATUS_RESOURCES);
    assert_null(t.cfg.dma);
    uint64_t mark = ndt_mark(&t);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 64);
    assert_int_equal(setup(&t, &b, 0, 64, TRUE), NDIS_STATUS_FAILURE);
    ndt_expect_violation(&t, mark, "NdisMSetupDmaTransfer", "NULL");
    NDIS_STATUS st = 0;
    NdisMSetupDmaTransfer(&st, (NDIS_HANDLE)&b, b.mdl, 0, 64, TRUE);
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    for (unsigned ch = 0; ch < 8; ch++)
        assert_false(nd_hal_channel_busy(hal_of(), ch));
    assert_int_equal(nd_hal_pool_free(hal_of()), nd_hal_pool_pages(hal_of()));
    /* The channel can be registered afterwards. */
    NDIS_HANDLE h = NULL;
    NDIS_DMA_DESCRIPTION d = t.cfg.desc;
    d.DmaPort = 0;
    assert_int_equal(NdisMRegisterDmaChannel(&h, ndisdma_adapter_handle(t.ad), 3, FALSE, &d, 4096),
                     NDIS_STATUS_SUCCESS);
    NdisMDeregisterDmaChannel(h);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N8: DmaPort must be 0 ---- */

static void n8_dma_port_refused(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.desc.DmaPort = 1;
    uint64_t mark = ndt_mark(&t);
    ndt_load(&t);
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), 0);
    assert_int_equal(t.cfg.dma_status, NDIS_STATUS_RESOURCES);
    ndt_expect_violation(&t, mark, "NdisMRegisterDmaChannel", "DmaPort");
    ndt_fini(&t);
}

/* ---- N9: Setup at IRQL <= DISPATCH_LEVEL ---- */

static void n9_setup_irql(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 128);
    uint64_t mark = ndt_mark(&t);
    KIRQL old = raise_to(5);
    assert_int_equal(setup(&t, &b, 0, 128, FALSE), NDIS_STATUS_FAILURE);
    KeLowerIrql(old);
    ndt_expect_violation(&t, mark, "NdisMSetupDmaTransfer", "IRQL 5");
    NDIS_STATUS st = 0;
    NdisSetupDmaTransfer(NULL, t.cfg.dma, b.mdl, 0, 128, FALSE); /* Status NULL: reported */
    mark = ndt_expect_violation(&t, mark, "NdisMSetupDmaTransfer", "Status is NULL");
    complete(&t, &b, 0, 128, FALSE);
    old = raise_to(DISPATCH_LEVEL);
    NdisSetupDmaTransfer(&st, t.cfg.dma, b.mdl, 0, 128, FALSE); /* the exported name */
    KeLowerIrql(old);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    NdisCompleteDmaTransfer(&st, t.cfg.dma, b.mdl, 0, 128, FALSE);
    assert_int_equal(st, NDIS_STATUS_SUCCESS); /* no DREQ: nothing was moving */
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N10: Setup while a transfer is in progress ---- */

static void n10_in_progress(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_HIGH);
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    ndt_buf a, b;
    ndt_buf_ram(&t, &a, 600);
    ndt_buf_ram(&t, &b, 600);
    assert_int_equal(setup(&t, &a, 0, 600, FALSE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_request(t.m, 3, true);
    assert_int_equal(ndisdma_dma_run(t.m, 200), 200);
    ndisdma_dma_channel_state before, after;
    memset(&before, 0, sizeof before);
    memset(&after, 0, sizeof after);
    chan(&t, 3, &before);
    assert_int_equal(setup(&t, &b, 0, 300, TRUE), NDIS_STATUS_RESOURCES);
    chan(&t, 3, &after);
    assert_int_equal(before.current_address, after.current_address);
    assert_int_equal(before.current_count, after.current_count);
    assert_int_equal(before.base_address, after.base_address);
    assert_int_equal(before.mode, after.mode);
    assert_int_equal(before.page, after.page);
    assert_int_equal(before.masked, after.masked);
    assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), 400);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 400);
    assert_int_equal(complete(&t, &a, 0, 600, FALSE), NDIS_STATUS_SUCCESS);
    for (size_t i = 0; i < 600; i++)
        assert_int_equal(a.va[i], ndt_pat(0, i));
    ndt_buf_free(&t, &a);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N11: the range must lie in the first buffer of the chain ---- */

static void n11_range_checks(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    ndt_buf a, b;
    ndt_buf_ram(&t, &a, 1000);
    ndt_buf_ram(&t, &b, 1000);
    a.mdl->Next = b.mdl; /* a chain: only the first buffer counts */
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(setup(&t, NULL, 0, 10, FALSE), NDIS_STATUS_RESOURCES);
    mark = ndt_expect_violation(&t, mark, "NdisMSetupDmaTransfer", "not a live");
    assert_int_equal(setup(&t, &a, 0, 0, FALSE), NDIS_STATUS_RESOURCES);
    mark = ndt_expect_violation(&t, mark, "NdisMSetupDmaTransfer", "N11");
    assert_int_equal(setup(&t, &a, 0, 1001, FALSE), NDIS_STATUS_RESOURCES);
    mark = ndt_expect_violation(&t, mark, "NdisMSetupDmaTransfer", "outside");
    assert_int_equal(setup(&t, &a, 900, 200, FALSE), NDIS_STATUS_RESOURCES);
    mark = ndt_expect_violation(&t, mark, "NdisMSetupDmaTransfer", "outside");
    assert_int_equal(setup(&t, &a, 0xFFFFFFFFu, 2, FALSE), NDIS_STATUS_RESOURCES);
    mark = ndt_expect_violation(&t, mark, "NdisMSetupDmaTransfer", "outside");
    ndisdma_dma_channel_state s;
    chan(&t, 3, &s);
    assert_true(s.masked); /* nothing was programmed */
    /* The last byte of the first buffer is fine. */
    assert_int_equal(setup(&t, &a, 999, 1, FALSE), NDIS_STATUS_SUCCESS);
    chan(&t, 3, &s);
    assert_int_equal(s.base_count, 0);
    complete(&t, &a, 999, 1, FALSE);
    ndt_expect_no_violation(&t, mark);
    a.mdl->Next = NULL;
    ndt_buf_free(&t, &a);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N12: fewer bytes mapped than Length ---- */

static void n12_short_map_refused(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.max_len = 4096; /* 2 map registers: 8 KiB minus the page offset */
    ndt_start(&t);
    ndt_buf b;
    ndt_buf_host(&t, &b, 20000); /* host memory: bounced */
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(setup(&t, &b, 0, 12000, TRUE), NDIS_STATUS_RESOURCES);
    ndt_expect_violation(&t, mark, "NdisMSetupDmaTransfer", "N12");
    ndisdma_dma_channel_state s;
    chan(&t, 3, &s);
    assert_true(s.masked); /* what was mapped is flushed */
    /* not in progress any more: the next Setup works */
    assert_int_equal(setup(&t, &b, 0, 4000, TRUE), NDIS_STATUS_SUCCESS);
    complete(&t, &b, 0, 4000, TRUE);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* N12: a transfer longer than MaximumLength is refused on the direct path
   too, although the buffer would need no map registers. */
static void n12_longer_than_maximum_length_direct(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.max_len = 4096;
    ndt_start(&t);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 12000); /* low RAM: the HAL could program it directly */
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(setup(&t, &b, 0, 12000, FALSE), NDIS_STATUS_RESOURCES);
    ndt_expect_violation(&t, mark, "NdisMSetupDmaTransfer", "N12");
    ndisdma_dma_channel_state s;
    chan(&t, 3, &s);
    assert_true(s.masked);
    assert_int_equal(setup(&t, &b, 0, 4096, FALSE), NDIS_STATUS_SUCCESS);
    chan(&t, 3, &s);
    assert_int_equal(s.base_count, 4095);
    complete(&t, &b, 0, 4096, FALSE);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N13: programmed, unmasked, and send data already in place ---- */

static void n13_programmed_and_send_copied(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    ndt_buf b;
    ndt_buf_host(&t, &b, 300); /* bounced: copied into map registers at Setup */
    for (size_t i = 0; i < 300; i++)
        b.va[i] = (uint8_t)i;
    assert_int_equal(setup(&t, &b, 10, 200, TRUE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_channel_state s;
    chan(&t, 3, &s);
    assert_false(s.masked);
    assert_int_equal(s.base_count, 199);
    assert_int_equal(s.mode & 0x0C, 0x08); /* read transfer */
    assert_int_equal(s.mode & 0xC0, 0x00); /* demand mode */
    memset(b.va, 0xEE, 300);               /* too late: the data is in the bounce buffer */
    ndisdma_dma_request(t.m, 3, true);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 200);
    assert_int_equal(complete(&t, &b, 10, 200, TRUE), NDIS_STATUS_SUCCESS);
    assert_int_equal(t.dev.rx_len, 200);
    for (size_t i = 0; i < 200; i++)
        assert_int_equal(t.dev.rx[i], (uint8_t)(i + 10));
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N14: direct or through map registers ---- */

static void n14_direct_and_bounced(void **state)
{
    (void)state;
    for (int kind = 0; kind < 3; kind++) {
        ndt t;
        ndt_init(&t, kind == 1 ? NDISDMA_PLACEMENT_HIGH : NDISDMA_PLACEMENT_LOW);
        ndt_start(&t);
        ndt_buf b;
        if (kind == 2)
            ndt_buf_host(&t, &b, 512);
        else
            ndt_buf_ram(&t, &b, 512);
        assert_int_equal(setup(&t, &b, 16, 256, FALSE), NDIS_STATUS_SUCCESS);
        ndisdma_dma_channel_state s;
        chan(&t, 3, &s);
        uint64_t phys = MmGetMdlPfnArray(b.mdl)[0] << PAGE_SHIFT | (BYTE_OFFSET(b.va) + 16);
        if (kind == 0) {
            assert_int_equal(s.next_phys, phys); /* direct: the buffer itself */
        } else {
            assert_true(s.next_phys != phys); /* bounced: a map register below 16 MiB */
            assert_true(s.next_phys < (16u << 20));
            assert_int_equal(s.next_phys, nd_hal_pool_phys(hal_of()) +
                                              (s.next_phys - nd_hal_pool_phys(hal_of())));
        }
        complete(&t, &b, 16, 256, FALSE);
        ndt_buf_free(&t, &b);
        ndt_fini(&t);
    }
}

/* ---- N15, N21: Complete above DISPATCH_LEVEL still releases ---- */

static void n15_complete_irql(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 100);
    assert_int_equal(setup(&t, &b, 0, 100, FALSE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_request(t.m, 3, true);
    ndisdma_dma_run(t.m, 0);
    uint64_t mark = ndt_mark(&t);
    KIRQL old = raise_to(6);
    assert_int_equal(complete(&t, &b, 0, 100, FALSE), NDIS_STATUS_SUCCESS);
    assert_int_equal(KeGetCurrentIrql(), 6);
    KeLowerIrql(old);
    ndt_expect_violation(&t, mark, "NdisMCompleteDmaTransfer", "IRQL 6");
    /* N21: released all the same */
    assert_int_equal(setup(&t, &b, 0, 100, FALSE), NDIS_STATUS_SUCCESS);
    complete(&t, &b, 0, 100, FALSE);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N16: Complete must match its Setup ---- */

static void n16_mismatch_and_no_transfer(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_HIGH);
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 400);
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(complete(&t, &b, 0, 400, FALSE), NDIS_STATUS_SUCCESS);
    mark = ndt_expect_violation(&t, mark, "NdisMCompleteDmaTransfer", "no transfer in progress");
    static const struct {
        ULONG off, len;
        BOOLEAN w;
    } wrong[] = {{0, 300, FALSE}, {1, 400 - 1, FALSE}, {0, 400, TRUE}};
    for (size_t i = 0; i < 3; i++) {
        memset(b.va, 0, 400);
        t.dev.tx_pos = 0;
        assert_int_equal(setup(&t, &b, 0, 400, FALSE), NDIS_STATUS_SUCCESS);
        ndisdma_dma_request(t.m, 3, true);
        assert_int_equal(ndisdma_dma_run(t.m, 0), 400);
        assert_int_equal(complete(&t, &b, wrong[i].off, wrong[i].len, wrong[i].w),
                         NDIS_STATUS_SUCCESS);
        mark = ndt_expect_violation(&t, mark, "NdisMCompleteDmaTransfer", "differ");
        /* the transfer that was set up is the one completed */
        for (size_t j = 0; j < 400; j++)
            assert_int_equal(b.va[j], ndt_pat(0, j));
    }
    ndt_buf c;
    ndt_buf_ram(&t, &c, 400);
    assert_int_equal(setup(&t, &b, 0, 400, TRUE), NDIS_STATUS_SUCCESS);
    assert_int_equal(complete(&t, &c, 0, 400, TRUE), NDIS_STATUS_RESOURCES);
    ndt_expect_violation(&t, mark, "NdisMCompleteDmaTransfer", "differ");
    assert_int_equal(setup(&t, &b, 0, 400, TRUE), NDIS_STATUS_SUCCESS); /* released */
    complete(&t, &b, 0, 400, TRUE);
    ndt_buf_free(&t, &c);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N17: the seed's remark, literally ---- */

static void n17_bounced_receive_only_after_complete(void **state)
{
    (void)state;
    for (int kind = 0; kind < 2; kind++) { /* placement HIGH, and malloc memory */
        ndt t;
        ndt_init(&t, NDISDMA_PLACEMENT_HIGH);
        t.cfg.max_len = 1514;
        ndt_start(&t);
        ndt_dev_attach(&t, 3);
        t.dev.seed = 7;
        ndt_buf b;
        if (kind == 0)
            ndt_buf_ram(&t, &b, 1514);
        else
            ndt_buf_host(&t, &b, 1514);
        memset(b.va, 0xEE, 1514);
        assert_int_equal(setup(&t, &b, 0, 1514, FALSE), NDIS_STATUS_SUCCESS);
        ndisdma_dma_request(t.m, 3, true);
        assert_int_equal(ndisdma_machine_run_until_idle(t.m, 10000000), 0);
        assert_int_equal(t.dev.tx_pos, 1514); /* the device gave it all ... */
        assert_int_equal(t.dev.tcs, 1);
        for (size_t i = 0; i < 1514; i++) /* ... and none of it is in host memory yet: the
                                             verifier poisoned the range (docs/verifier.md) */
            assert_int_equal(b.va[i], NDISDMA_VERIFY_POISON);
        assert_int_equal(complete(&t, &b, 0, 1514, FALSE), NDIS_STATUS_SUCCESS);
        for (size_t i = 0; i < 1514; i++)
            assert_int_equal(b.va[i], ndt_pat(7, i));
        ndt_buf_free(&t, &b);
        ndt_fini(&t);
    }
}

static void n17_bounced_receive_exactly_the_bytes_moved(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_HIGH);
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    t.dev.tx_limit = 333; /* a short frame */
    ndt_buf b;
    ndt_buf_host(&t, &b, 1000);
    memset(b.va, 0xEE, 1000);
    assert_int_equal(setup(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_request(t.m, 3, true);
    ndisdma_machine_run(t.m, 2000000);
    ndisdma_dma_request(t.m, 3, false); /* end of frame */
    for (size_t i = 0; i < 1000; i++)   /* poisoned by the verifier until Complete */
        assert_int_equal(b.va[i], NDISDMA_VERIFY_POISON);
    assert_int_equal(complete(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
    for (size_t i = 0; i < 333; i++)
        assert_int_equal(b.va[i], ndt_pat(0, i));
    for (size_t i = 333; i < 1000; i++)
        assert_int_equal(b.va[i], 0xEE); /* nothing past the bytes moved */
    assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), 1000 - 333);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

static void n17_send_in_device_only_after_complete(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    ndt_buf b;
    ndt_buf_host(&t, &b, 1514);
    for (size_t i = 0; i < 1514; i++)
        b.va[i] = ndt_pat(3, i);
    assert_int_equal(setup(&t, &b, 0, 1514, TRUE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_request(t.m, 3, true);
    /* The device takes the frame at the bus rate: 960 ns a byte. Half-way
       it is still receiving; Complete then would be RESOURCES. */
    ndisdma_machine_run(t.m, 700 * 960);
    assert_true(t.dev.rx_len > 0 && t.dev.rx_len < 1514);
    assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), 1514 - t.dev.rx_len);
    ndisdma_machine_run(t.m, 1000 * 960);
    assert_int_equal(t.dev.rx_len, 1514);
    assert_int_equal(complete(&t, &b, 0, 1514, TRUE), NDIS_STATUS_SUCCESS);
    assert_memory_equal(t.dev.rx, b.va, 1514);
    /* A send completed while the device is still taking it: incoherent. */
    t.dev.rx_len = 0;
    assert_int_equal(setup(&t, &b, 0, 1514, TRUE), NDIS_STATUS_SUCCESS);
    ndisdma_machine_run(t.m, 100 * 960);
    assert_int_equal(complete(&t, &b, 0, 1514, TRUE), NDIS_STATUS_RESOURCES);
    size_t got = t.dev.rx_len;
    assert_true(got < 1514);
    ndisdma_machine_run(t.m, 2000 * 960);
    assert_int_equal(t.dev.rx_len, got); /* the channel was masked: nothing more */
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

static void n17_direct_receive(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 1514);
    assert_int_equal(setup(&t, &b, 0, 1514, FALSE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_request(t.m, 3, true);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 1514);
    assert_int_equal(complete(&t, &b, 0, 1514, FALSE), NDIS_STATUS_SUCCESS);
    for (size_t i = 0; i < 1514; i++)
        assert_int_equal(b.va[i], ndt_pat(0, i));
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N15, N17 end to end: terminal count -> IRQ -> ISR -> DPC -> Complete ---- */

typedef struct e2e {
    ndt *t;
    ndt_buf *b;
    NDIS_STATUS st;
    KIRQL irql;
    uint64_t at;
    int completes;
} e2e;

static void e2e_tc(void *ctx, unsigned ch)
{
    ndt_dev *d = ctx;
    (void)ch;
    d->tcs++;
    ndisdma_irq_pulse(d->m, 5); /* the NIC interrupts at end of frame */
}

static void e2e_dpc(void *ctx)
{
    e2e *e = ctx;
    e->irql = KeGetCurrentIrql();
    e->at = ndisdma_machine_now(e->t->m);
    NdisMCompleteDmaTransfer(&e->st, e->t->cfg.dma, e->b->mdl, 0, 1514, FALSE);
    e->completes++;
}

static void n17_complete_from_interrupt_dpc(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_HIGH);
    t.cfg.register_interrupt = TRUE;
    ndt_buf b;
    e2e e = {.t = &t, .b = &b, .st = 0x1234};
    t.cfg.hook_ctx = &e;
    t.cfg.on_dpc = e2e_dpc;
    ndt_start(&t);
    ndt_buf_ram(&t, &b, 1514);
    memset(b.va, 0xEE, 1514);
    assert_int_equal(setup(&t, &b, 0, 1514, FALSE), NDIS_STATUS_SUCCESS);
    ndt_dev_attach_tc(&t, 3, e2e_tc);
    ndisdma_dma_request(t.m, 3, true);
    uint64_t t0 = ndisdma_machine_now(t.m);
    assert_int_equal(ndisdma_machine_run(t.m, 1514 * 960 + 100000), 0);
    assert_int_equal(t.dev.tcs, 1);
    assert_int_equal(t.cfg.isrs, 1);
    assert_int_equal(e.completes, 1);
    assert_int_equal(e.irql, DISPATCH_LEVEL);
    assert_int_equal(e.st, NDIS_STATUS_SUCCESS);
    assert_true(e.at >= t0 + 1514u * 960u); /* after the frame moved at the bus rate */
    for (size_t i = 0; i < 1514; i++)
        assert_int_equal(b.va[i], ndt_pat(0, i));
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N18: ready for the next transfer ---- */

static void n18_channel_reset_for_next(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_HIGH);
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 2000);
    for (uint32_t k = 0; k < 4; k++) {
        t.dev.seed = k;
        t.dev.tx_pos = 0;
        ULONG off = k * 100, len = 500 + k * 300;
        assert_int_equal(setup(&t, &b, off, len, FALSE), NDIS_STATUS_SUCCESS);
        ndisdma_dma_request(t.m, 3, true);
        assert_int_equal(ndisdma_dma_run(t.m, 0), len);
        assert_int_equal(complete(&t, &b, off, len, FALSE), NDIS_STATUS_SUCCESS);
        for (size_t i = 0; i < len; i++)
            assert_int_equal(b.va[off + i], ndt_pat(k, i));
        ndisdma_dma_channel_state s;
        chan(&t, 3, &s);
        assert_true(s.masked);
        assert_true(nd_hal_channel_busy(hal_of(), 3));
    }
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N19: RESOURCES when still moving, or when the flush fails ---- */

static void n19_still_moving_and_flush_fault(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_HIGH);
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 1000);
    memset(b.va, 0xEE, 1000);
    assert_int_equal(setup(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_request(t.m, 3, true);
    assert_int_equal(ndisdma_dma_run(t.m, 250), 250);
    /* unmasked, DREQ asserted, count left: the last bytes may be partial */
    assert_int_equal(complete(&t, &b, 0, 1000, FALSE), NDIS_STATUS_RESOURCES);
    for (size_t i = 0; i < 250; i++)
        assert_int_equal(b.va[i], ndt_pat(0, i));
    assert_int_equal(b.va[250], 0xEE);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 0); /* masked */
    /* released and ready */
    t.dev.tx_pos = 0;
    assert_int_equal(setup(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 1000);
    assert_int_equal(nd_hal_inject_flush_faults(hal_of(), 1), 0);
    assert_int_equal(complete(&t, &b, 0, 1000, FALSE), NDIS_STATUS_RESOURCES);
    for (size_t i = 0; i < 1000; i++)
        assert_int_equal(b.va[i], ndt_pat(0, i)); /* the flush did its work */
    t.dev.tx_pos = 0;
    assert_int_equal(setup(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 1000);
    assert_int_equal(complete(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N20, N24: an early Complete; the counter afterwards ---- */

static void n20_early_complete_counter_after(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    t.dev.tx_limit = 100;
    ndt_buf b;
    ndt_buf_host(&t, &b, 1000);
    memset(b.va, 0xEE, 1000);
    assert_int_equal(setup(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_request(t.m, 3, true);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 100);
    ndisdma_dma_request(t.m, 3, false);
    assert_int_equal(complete(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
    assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), 900); /* N24: after Complete */
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(b.va[i], ndt_pat(0, i));
    assert_int_equal(b.va[100], 0xEE);
    KIRQL old = raise_to(DISPATCH_LEVEL);
    assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), 900);
    KeLowerIrql(old);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N21: Complete never blocks and never fails to release ---- */

static void n21_complete_always_releases(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_HIGH);
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 800);
    ndisdma_dma_request(t.m, 3, true);
    for (int way = 0; way < 5; way++) {
        t.dev.tx_pos = 0;
        assert_int_equal(setup(&t, &b, 0, 800, FALSE), NDIS_STATUS_SUCCESS);
        NDIS_STATUS want = NDIS_STATUS_SUCCESS;
        KIRQL old = PASSIVE_LEVEL;
        switch (way) {
        case 0: /* still moving */
            ndisdma_dma_run(t.m, 10);
            want = NDIS_STATUS_RESOURCES;
            break;
        case 1: /* the flush fails */
            ndisdma_dma_run(t.m, 0);
            nd_hal_inject_flush_faults(hal_of(), 1);
            want = NDIS_STATUS_RESOURCES;
            break;
        case 2: /* wrong arguments */
            ndisdma_dma_run(t.m, 0);
            break;
        case 3: /* at DISPATCH_LEVEL, from a DPC */
            ndisdma_dma_run(t.m, 0);
            old = raise_to(DISPATCH_LEVEL);
            break;
        default: /* above DISPATCH_LEVEL */
            ndisdma_dma_run(t.m, 0);
            old = raise_to(9);
            break;
        }
        NDIS_STATUS st = complete(&t, &b, 0, way == 2 ? 799 : 800, FALSE);
        KeLowerIrql(old);
        assert_int_equal(st, want);
        ndisdma_dma_channel_state s;
        chan(&t, 3, &s);
        assert_true(s.masked);
        assert_true(nd_hal_channel_busy(hal_of(), 3)); /* still ours (N5) ... */
    }
    t.dev.tx_pos = 0;
    assert_int_equal(setup(&t, &b, 0, 800, FALSE), NDIS_STATUS_SUCCESS); /* ... and ready */
    assert_int_equal(ndisdma_dma_run(t.m, 0), 800);
    assert_int_equal(complete(&t, &b, 0, 800, FALSE), NDIS_STATUS_SUCCESS);
    for (size_t i = 0; i < 800; i++)
        assert_int_equal(b.va[i], ndt_pat(0, i));
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N22: the count, in bytes, 0 at terminal count; x2 on 5-7 ---- */

static void n22_counter(void **state)
{
    (void)state;
    for (unsigned ch = 3; ch <= 5; ch += 2) {
        ndt t;
        ndt_init(&t, NDISDMA_PLACEMENT_LOW);
        t.cfg.dma_channel = ch;
        t.res.dma_channel = (int)ch;
        t.cfg.desc.DmaWidth = ch >= 4 ? Width16Bits : Width8Bits;
        ndt_start(&t);
        ndt_dev_attach(&t, ch);
        ndt_buf b;
        ndt_buf_ram(&t, &b, 1000);
        uint64_t mark = ndt_mark(&t);
        assert_int_equal(NdisMReadDmaCounter(NULL), 0);
        ndt_expect_violation(&t, mark, "NdisMReadDmaCounter", "NULL");
        assert_int_equal(setup(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
        assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), 1000);
        ndisdma_dma_request(t.m, ch, true);
        assert_int_equal(ndisdma_dma_run(t.m, 100), 100);
        assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), ch >= 4 ? 800 : 900);
        ndisdma_dma_run(t.m, 0);
        assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), 0); /* terminal count */
        assert_int_equal(complete(&t, &b, 0, 1000, FALSE), NDIS_STATUS_SUCCESS);
        assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), 0);
        ndt_buf_free(&t, &b);
        ndt_fini(&t);
    }
}

/* ---- N23: read as the HAL does ---- */

typedef struct io_log {
    uint16_t port[64];
    bool write[64];
    size_t n;
} io_log;

static void log_io(void *ctx, const ndisdma_event *ev)
{
    io_log *l = ctx;
    if ((ev->kind == NDISDMA_EV_IO_READ || ev->kind == NDISDMA_EV_IO_WRITE) && l->n < 64) {
        l->port[l->n] = ev->port;
        l->write[l->n] = ev->kind == NDISDMA_EV_IO_WRITE;
        l->n++;
    }
}

static void n23_counter_read_sequence(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 100);
    assert_int_equal(setup(&t, &b, 0, 100, FALSE), NDIS_STATUS_SUCCESS);
    io_log l;
    memset(&l, 0, sizeof l);
    int id = ndisdma_observer_add(t.m, log_io, &l);
    assert_true(id > 0);
    assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), 100);
    ndisdma_observer_remove(t.m, id);
    /* clear flip-flop (0x0C), count low, count high (0x07), twice */
    assert_true(l.n >= 6);
    for (size_t i = 0; i + 2 < l.n; i += 3) {
        assert_true(l.write[i]);
        assert_int_equal(l.port[i], 0x0C);
        assert_false(l.write[i + 1]);
        assert_int_equal(l.port[i + 1], 0x07);
        assert_false(l.write[i + 2]);
        assert_int_equal(l.port[i + 2], 0x07);
    }
    complete(&t, &b, 0, 100, FALSE);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N24: autoinitialize: the position inside the ring ---- */

static void n24_autoinit_ring_position(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.desc.AutoInitialize = TRUE;
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 100);
    assert_int_equal(setup(&t, &b, 0, 100, FALSE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_request(t.m, 3, true);
    assert_int_equal(ndisdma_dma_run(t.m, 250), 250);
    assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), 50);
    assert_int_equal(t.dev.tcs, 2);
    ndisdma_dma_request(t.m, 3, false);
    complete(&t, &b, 0, 100, FALSE);
    assert_int_equal(NdisMReadDmaCounter(t.cfg.dma), 50);
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

/* ---- N25-N27: Deregister ---- */

static void n25_deregister_irql_and_handle(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    uint64_t mark = ndt_mark(&t);
    NdisMDeregisterDmaChannel(NULL);
    mark = ndt_expect_violation(&t, mark, "NdisMDeregisterDmaChannel", "NULL");
    NdisMDeregisterDmaChannel(ndisdma_adapter_handle(t.ad)); /* wrong kind */
    mark = ndt_expect_violation(&t, mark, "NdisMDeregisterDmaChannel", "not a DMA channel");
    KIRQL old = raise_to(DISPATCH_LEVEL);
    NdisMDeregisterDmaChannel(t.cfg.dma);
    KeLowerIrql(old);
    ndt_expect_violation(&t, mark, "NdisMDeregisterDmaChannel", "IRQL 2");
    assert_true(nd_hal_channel_busy(hal_of(), 3)); /* not done */
    mark = ndt_mark(&t);
    ndisdma_adapter_stop(t.ad); /* MiniportHaltEx deregisters at PASSIVE_LEVEL */
    t.ad = NULL;
    ndt_expect_no_violation(&t, mark);
    ndt_fini(&t);
}

static void n26_deregister_frees_everything(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_HIGH);
    t.cfg.register_dma = FALSE;
    ndt_start(&t);
    NDIS_HANDLE h = NULL;
    NDIS_HANDLE ah = ndisdma_adapter_handle(t.ad);
    assert_int_equal(NdisMRegisterDmaChannel(&h, ah, 3, FALSE, &t.cfg.desc, 8192),
                     NDIS_STATUS_SUCCESS);
    assert_int_equal(nd_hal_pool_pages(hal_of()) - nd_hal_pool_free(hal_of()), 3);
    NdisMDeregisterDmaChannel(h);
    assert_false(nd_hal_channel_busy(hal_of(), 3));
    assert_int_equal(nd_hal_pool_free(hal_of()), nd_hal_pool_pages(hal_of()));
    uint64_t mark = ndt_mark(&t);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 64);
    NDIS_STATUS st = 0;
    NdisMSetupDmaTransfer(&st, h, b.mdl, 0, 64, FALSE);
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    mark = ndt_expect_violation(&t, mark, "NdisMSetupDmaTransfer", "stale");
    NdisMCompleteDmaTransfer(&st, h, b.mdl, 0, 64, FALSE);
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    mark = ndt_expect_violation(&t, mark, "NdisMCompleteDmaTransfer", "stale");
    assert_int_equal(NdisMReadDmaCounter(h), 0);
    mark = ndt_expect_violation(&t, mark, "NdisMReadDmaCounter", "stale");
    NdisMDeregisterDmaChannel(h);
    ndt_expect_violation(&t, mark, "NdisMDeregisterDmaChannel", "stale");
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

static void n27_deregister_in_progress(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.register_dma = FALSE;
    ndt_start(&t);
    ndt_dev_attach(&t, 3);
    NDIS_HANDLE h = NULL;
    assert_int_equal(
        NdisMRegisterDmaChannel(&h, ndisdma_adapter_handle(t.ad), 3, FALSE, &t.cfg.desc, 4096),
        NDIS_STATUS_SUCCESS);
    ndt_buf b;
    ndt_buf_ram(&t, &b, 500);
    NDIS_STATUS st = 0;
    NdisMSetupDmaTransfer(&st, h, b.mdl, 0, 500, FALSE);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    ndisdma_dma_request(t.m, 3, true);
    assert_int_equal(ndisdma_dma_run(t.m, 10), 10);
    uint64_t mark = ndt_mark(&t);
    NdisMDeregisterDmaChannel(h);
    ndt_expect_violation(&t, mark, "NdisMDeregisterDmaChannel", "N27");
    ndisdma_dma_channel_state s;
    chan(&t, 3, &s);
    assert_true(s.masked);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 0);
    assert_false(nd_hal_channel_busy(hal_of(), 3));
    ndt_buf_free(&t, &b);
    ndt_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(n1_bad_arguments),
        cmocka_unit_test(n1_before_attributes),
        cmocka_unit_test(n1_wrong_irql),
        cmocka_unit_test(n1_in_initialize_at_passive),
        cmocka_unit_test(n2_parameter_wins),
        cmocka_unit_test(n2_unspecified_channel_ignored),
        cmocka_unit_test(n3_refused_descriptions),
        cmocka_unit_test(n3_description_translated),
        cmocka_unit_test(n4_too_few_map_registers),
        cmocka_unit_test(n4_length_past_one_transfer),
        cmocka_unit_test(n4_unlimited_is_clamped),
        cmocka_unit_test(n5_channel_held_until_deregister),
        cmocka_unit_test(n6_channel_taken),
        cmocka_unit_test(n6_map_registers_not_available),
        cmocka_unit_test(n7_failed_handle_unusable_nothing_leaks),
        cmocka_unit_test(n8_dma_port_refused),
        cmocka_unit_test(n9_setup_irql),
        cmocka_unit_test(n10_in_progress),
        cmocka_unit_test(n11_range_checks),
        cmocka_unit_test(n12_short_map_refused),
        cmocka_unit_test(n12_longer_than_maximum_length_direct),
        cmocka_unit_test(n13_programmed_and_send_copied),
        cmocka_unit_test(n14_direct_and_bounced),
        cmocka_unit_test(n15_complete_irql),
        cmocka_unit_test(n16_mismatch_and_no_transfer),
        cmocka_unit_test(n17_bounced_receive_only_after_complete),
        cmocka_unit_test(n17_bounced_receive_exactly_the_bytes_moved),
        cmocka_unit_test(n17_send_in_device_only_after_complete),
        cmocka_unit_test(n17_direct_receive),
        cmocka_unit_test(n17_complete_from_interrupt_dpc),
        cmocka_unit_test(n18_channel_reset_for_next),
        cmocka_unit_test(n19_still_moving_and_flush_fault),
        cmocka_unit_test(n20_early_complete_counter_after),
        cmocka_unit_test(n21_complete_always_releases),
        cmocka_unit_test(n22_counter),
        cmocka_unit_test(n23_counter_read_sequence),
        cmocka_unit_test(n24_autoinit_ring_position),
        cmocka_unit_test(n25_deregister_irql_and_handle),
        cmocka_unit_test(n26_deregister_frees_everything),
        cmocka_unit_test(n27_deregister_in_progress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
