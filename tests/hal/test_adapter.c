/*
 * HAL adapter tests: IoGetDmaAdapter's validation (N3, N8), the map-register
 * count (N4), IRQL checks of every entry point, bad arguments, and the
 * adapter channel of AllocateAdapterChannel (context, queueing, KeepObject,
 * DeallocateObject, DeallocateObjectKeepRegisters, map-register exhaustion).
 * Invalid input first.
 */
#include "haltest.h"

#include <string.h>

#include "kernel/clock.h"

static int setup(void **state)
{
    static halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    *state = &t;
    return 0;
}

static int teardown(void **state)
{
    halt_fini(*state);
    return 0;
}

/* N3, N8: impossible descriptions are refused with NULL, a zero register
   count and a violation that says why. */
static void test_n3_refuses_bad_descriptions(void **state)
{
    halt *t = *state;
    typedef struct {
        unsigned ch;
        DMA_WIDTH width;
        ULONG version, port, max_len;
        BOOLEAN master;
        INTERFACE_TYPE bus;
        DMA_SPEED speed;
        const char *needle;
    } bad;
    const bad list[] = {
        {4, Width16Bits, 0, 0, 4096, FALSE, Isa, Compatible, "cascade"},
        {8, Width16Bits, 0, 0, 4096, FALSE, Isa, Compatible, "above 7"},
        {0xFFFFFFFFu, Width8Bits, 0, 0, 4096, FALSE, Isa, Compatible, "above 7"},
        {5, Width8Bits, 0, 0, 4096, FALSE, Isa, Compatible, "Width8Bits on channels 5-7"},
        {7, Width8Bits, 0, 0, 4096, FALSE, Isa, Compatible, "Width8Bits on channels 5-7"},
        {0, Width16Bits, 0, 0, 4096, FALSE, Isa, Compatible, "Width16Bits on channels 0-3"},
        {3, Width16Bits, 0, 0, 4096, FALSE, Isa, Compatible, "Width16Bits on channels 0-3"},
        {1, Width32Bits, 0, 0, 4096, FALSE, Isa, Compatible, "Width32Bits"},
        {6, Width32Bits, 0, 0, 4096, FALSE, Isa, Compatible, "Width32Bits"},
        {1, Width64Bits, 0, 0, 4096, FALSE, Isa, Compatible, "DmaWidth"},
        {1, (DMA_WIDTH)99, 0, 0, 4096, FALSE, Isa, Compatible, "DmaWidth"},
        {1, Width8Bits, 0, 0x300, 4096, FALSE, Isa, Compatible, "DmaPort"},
        {1, Width8Bits, 3, 0, 4096, FALSE, Isa, Compatible, "Version"},
        {1, Width8Bits, 0, 0, 4096, TRUE, Isa, Compatible, "Master"},
        {1, Width8Bits, 0, 0, 4096, FALSE, PCIBus, Compatible, "InterfaceType"},
        {1, Width8Bits, 0, 0, 4096, FALSE, Eisa, Compatible, "InterfaceType"},
        {1, Width8Bits, 0, 0, 4096, FALSE, Isa, MaximumDmaSpeed, "DmaSpeed"},
        {1, Width8Bits, 0, 0, 0, FALSE, Isa, Compatible, "MaximumLength"},
    };
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
        DEVICE_DESCRIPTION d = halt_desc(1, 4096);
        d.DmaChannel = list[i].ch;
        d.DmaWidth = list[i].width;
        d.Version = list[i].version;
        d.DmaPort = list[i].port;
        d.MaximumLength = list[i].max_len;
        d.Master = list[i].master;
        d.InterfaceType = list[i].bus;
        d.DmaSpeed = list[i].speed;
        ULONG n = 77;
        uint64_t mark = ndisdma_violation_count(t->m);
        assert_null(IoGetDmaAdapter(t->pdo, &d, &n));
        assert_int_equal(n, 0);
        halt_expect_violation(t, mark, "IoGetDmaAdapter", list[i].needle);
    }
}

/* Bad arguments to IoGetDmaAdapter are reported, never a crash. */
static void test_n3_null_arguments(void **state)
{
    halt *t = *state;
    DEVICE_DESCRIPTION d = halt_desc(1, 4096);
    ULONG n = 5;
    uint64_t mark = ndisdma_violation_count(t->m);
    assert_null(IoGetDmaAdapter(NULL, &d, &n));
    mark = halt_expect_violation(t, mark, "IoGetDmaAdapter", "PhysicalDeviceObject is NULL");
    assert_null(IoGetDmaAdapter(t->pdo, NULL, &n));
    mark = halt_expect_violation(t, mark, "IoGetDmaAdapter", "DeviceDescription is NULL");
    assert_null(IoGetDmaAdapter(t->pdo, &d, NULL));
    halt_expect_violation(t, mark, "IoGetDmaAdapter", "NumberOfMapRegisters is NULL");
}

/* Every HAL entry point checks the IRQL its WDK page requires, reports a
   violation and does nothing. */
static void test_irql_wrong_reported(void **state)
{
    halt *t = *state;
    DEVICE_DESCRIPTION d = halt_desc(1, 4096);
    ULONG n = 0;
    uint64_t mark = ndisdma_violation_count(t->m);

    /* IoGetDmaAdapter: PASSIVE_LEVEL. */
    KIRQL old = halt_raise(DISPATCH_LEVEL);
    assert_null(IoGetDmaAdapter(t->pdo, &d, &n));
    halt_lower(old);
    mark = halt_expect_violation(t, mark, "IoGetDmaAdapter", "IRQL 2");

    PDMA_ADAPTER a = halt_adapter(t, &d, &n);
    PDMA_OPERATIONS ops = halt_ops(a);
    halt_grant g = {0};

    /* AllocateAdapterChannel: DISPATCH_LEVEL, not PASSIVE_LEVEL. */
    g.action = KeepObject;
    assert_int_equal(ops->AllocateAdapterChannel(a, t->pdo, 1, halt_exec, &g),
                     STATUS_INVALID_DEVICE_REQUEST);
    assert_int_equal(g.calls, 0);
    mark = halt_expect_violation(t, mark, "AllocateAdapterChannel", "IRQL 0");

    assert_int_equal(halt_alloc(t, a, 1, &g, KeepObject), STATUS_SUCCESS);
    assert_int_equal(g.calls, 1);
    halt_expect_no_violation(t, mark);

    /* FreeAdapterChannel / FreeMapRegisters: DISPATCH_LEVEL. */
    ops->FreeAdapterChannel(a);
    mark = halt_expect_violation(t, mark, "FreeAdapterChannel", "IRQL 0");
    ops->FreeMapRegisters(a, g.base, 1);
    mark = halt_expect_violation(t, mark, "FreeMapRegisters", "IRQL 0");

    /* MapTransfer, FlushAdapterBuffers, ReadDmaCounter: <= DISPATCH_LEVEL. */
    halt_buf b;
    halt_buf_ram(t, &b, 64);
    old = halt_raise(5);
    ULONG len = 64;
    PHYSICAL_ADDRESS pa = ops->MapTransfer(a, b.mdl, g.base, b.va, &len, TRUE);
    assert_int_equal(pa.QuadPart, 0);
    assert_int_equal(len, 0);
    mark = halt_expect_violation(t, mark, "MapTransfer", "IRQL");
    assert_false(ops->FlushAdapterBuffers(a, b.mdl, g.base, b.va, 64, TRUE));
    mark = halt_expect_violation(t, mark, "FlushAdapterBuffers", "IRQL");
    assert_int_equal(ops->ReadDmaCounter(a), 0);
    mark = halt_expect_violation(t, mark, "ReadDmaCounter", "IRQL");
    halt_lower(old);

    /* AllocateCommonBuffer / FreeCommonBuffer / PutDmaAdapter: PASSIVE_LEVEL. */
    PHYSICAL_ADDRESS la;
    old = halt_raise(DISPATCH_LEVEL);
    assert_null(ops->AllocateCommonBuffer(a, 4096, &la, FALSE));
    mark = halt_expect_violation(t, mark, "AllocateCommonBuffer", "IRQL 2");
    ops->PutDmaAdapter(a); /* refused: the adapter stays usable */
    mark = halt_expect_violation(t, mark, "PutDmaAdapter", "IRQL 2");
    ops->FreeAdapterChannel(a);
    halt_lower(old);
    halt_expect_no_violation(t, mark);
    ops->PutDmaAdapter(a);
    halt_expect_no_violation(t, mark);
    halt_buf_free(t, &b);
}

/* No entry point crashes on a NULL or foreign adapter or on bad arguments;
   each is reported. */
static void test_bad_arguments_never_crash(void **state)
{
    halt *t = *state;
    uint64_t mark = ndisdma_violation_count(t->m);
    DEVICE_DESCRIPTION d = halt_desc(2, 4096);
    ULONG n = 0;
    PDMA_ADAPTER a = halt_adapter(t, &d, &n);
    PDMA_OPERATIONS ops = halt_ops(a);
    struct {
        DMA_ADAPTER pub;
        uint32_t junk[8];
    } fake;
    memset(&fake, 0, sizeof fake);
    fake.pub.DmaOperations = ops;
    PDMA_ADAPTER bad[2] = {NULL, &fake.pub};
    halt_buf b;
    halt_buf_ram(t, &b, 256);
    for (int i = 0; i < 2; i++) {
        KIRQL old = halt_raise(DISPATCH_LEVEL);
        halt_grant g = {0};
        assert_int_equal(ops->AllocateAdapterChannel(bad[i], t->pdo, 1, halt_exec, &g),
                         STATUS_INVALID_PARAMETER);
        mark = halt_expect_violation(t, mark, "AllocateAdapterChannel", "DmaAdapter");
        ops->FreeAdapterChannel(bad[i]);
        mark = halt_expect_violation(t, mark, "FreeAdapterChannel", "DmaAdapter");
        ops->FreeMapRegisters(bad[i], NULL, 1);
        mark = halt_expect_violation(t, mark, "FreeMapRegisters", "DmaAdapter");
        ULONG len = 16;
        assert_int_equal(ops->MapTransfer(bad[i], b.mdl, NULL, b.va, &len, TRUE).QuadPart, 0);
        mark = halt_expect_violation(t, mark, "MapTransfer", "DmaAdapter");
        assert_false(ops->FlushAdapterBuffers(bad[i], b.mdl, NULL, b.va, 16, TRUE));
        mark = halt_expect_violation(t, mark, "FlushAdapterBuffers", "DmaAdapter");
        assert_int_equal(ops->ReadDmaCounter(bad[i]), 0);
        mark = halt_expect_violation(t, mark, "ReadDmaCounter", "DmaAdapter");
        assert_int_equal(ops->GetDmaAlignment(bad[i]), 0);
        mark = halt_expect_violation(t, mark, "GetDmaAlignment", "DmaAdapter");
        halt_lower(old);
        PHYSICAL_ADDRESS la;
        assert_null(ops->AllocateCommonBuffer(bad[i], 4096, &la, FALSE));
        mark = halt_expect_violation(t, mark, "AllocateCommonBuffer", "DmaAdapter");
        la.QuadPart = 0x1000;
        ops->FreeCommonBuffer(bad[i], 4096, la, b.va, FALSE);
        mark = halt_expect_violation(t, mark, "FreeCommonBuffer", "DmaAdapter");
        ops->PutDmaAdapter(bad[i]);
        mark = halt_expect_violation(t, mark, "PutDmaAdapter", "DmaAdapter");
    }

    KIRQL old = halt_raise(DISPATCH_LEVEL);
    /* NULL execution routine. */
    assert_int_equal(ops->AllocateAdapterChannel(a, t->pdo, 1, NULL, NULL),
                     STATUS_INVALID_PARAMETER);
    mark = halt_expect_violation(t, mark, "AllocateAdapterChannel", "ExecutionRoutine");
    /* MapTransfer without holding the channel. */
    ULONG len = 16;
    assert_int_equal(ops->MapTransfer(a, b.mdl, NULL, b.va, &len, TRUE).QuadPart, 0);
    assert_int_equal(len, 0);
    mark = halt_expect_violation(t, mark, "MapTransfer", "does not hold");
    /* Flush with nothing mapped. */
    assert_true(ops->FlushAdapterBuffers(a, b.mdl, NULL, b.va, 16, TRUE));
    mark = halt_expect_violation(t, mark, "FlushAdapterBuffers", "no transfer mapped");
    /* Freeing what is not held. */
    ops->FreeAdapterChannel(a);
    mark = halt_expect_violation(t, mark, "FreeAdapterChannel", "does not hold");
    ops->FreeMapRegisters(a, &fake, 1);
    mark = halt_expect_violation(t, mark, "FreeMapRegisters", "not a set of map registers");
    halt_lower(old);

    halt_grant g = {0};
    assert_int_equal(halt_alloc(t, a, 2, &g, KeepObject), STATUS_SUCCESS);
    old = halt_raise(DISPATCH_LEVEL);
    len = 16;
    assert_int_equal(ops->MapTransfer(a, b.mdl, g.base, b.va, NULL, TRUE).QuadPart, 0);
    mark = halt_expect_violation(t, mark, "MapTransfer", "Length is NULL");
    assert_int_equal(ops->MapTransfer(a, NULL, g.base, b.va, &len, TRUE).QuadPart, 0);
    mark = halt_expect_violation(t, mark, "MapTransfer", "Mdl is NULL");
    struct {
        MDL mdl;
        PFN_NUMBER pfn[2];
    } fake_mdl;
    memset(&fake_mdl, 0, sizeof fake_mdl);
    fake_mdl.mdl.StartVa = PAGE_ALIGN(b.va);
    fake_mdl.mdl.ByteOffset = BYTE_OFFSET(b.va);
    fake_mdl.mdl.ByteCount = 16;
    len = 16;
    assert_int_equal(ops->MapTransfer(a, &fake_mdl.mdl, g.base, b.va, &len, TRUE).QuadPart, 0);
    mark = halt_expect_violation(t, mark, "MapTransfer", "not a live MDL");
    len = 16;
    assert_int_equal(ops->MapTransfer(a, b.mdl, g.base, b.va + 256, &len, TRUE).QuadPart, 0);
    mark = halt_expect_violation(t, mark, "MapTransfer", "outside the MDL");
    len = 16;
    assert_int_equal(ops->MapTransfer(a, b.mdl, g.base, b.va - 1, &len, TRUE).QuadPart, 0);
    mark = halt_expect_violation(t, mark, "MapTransfer", "outside the MDL");
    len = 0;
    assert_int_equal(ops->MapTransfer(a, b.mdl, g.base, b.va, &len, TRUE).QuadPart, 0);
    mark = halt_expect_violation(t, mark, "MapTransfer", "Length is 0");
    len = 16;
    assert_int_equal(ops->MapTransfer(a, b.mdl, &fake, b.va, &len, TRUE).QuadPart, 0);
    assert_int_equal(len, 0);
    mark = halt_expect_violation(t, mark, "MapTransfer", "MapRegisterBase");
    /* Registers tied to the channel are freed by FreeAdapterChannel. */
    ops->FreeMapRegisters(a, g.base, 2);
    mark = halt_expect_violation(t, mark, "FreeMapRegisters", "FreeAdapterChannel");
    ops->FreeAdapterChannel(a);
    halt_lower(old);
    halt_expect_no_violation(t, mark);
    ops->PutDmaAdapter(a);
    halt_expect_no_violation(t, mark);
    halt_buf_free(t, &b);
}

/* N4: the adapter may ask for ((MaximumLength - 2) >> 12) + 2 registers,
   MaximumLength clamped to one 8237 transfer; DmaSpeed sets the channel's
   bus timing. */
static void test_n4_map_register_count(void **state)
{
    halt *t = *state;
    const struct {
        unsigned ch;
        ULONG max_len, regs;
    } list[] = {
        {1, 1, 1},      {1, 2, 2},      {1, 4096, 2},         {1, 4097, 2},
        {1, 4098, 3},   {1, 8192, 3},   {1, 1514, 2},         {1, 0xFFFFFFFFu, 17},
        {1, 65536, 17}, {1, 65537, 17}, {5, 0xFFFFFFFFu, 33}, {5, 131072, 33},
        {6, 65536, 17}, {7, 12288, 4},
    };
    for (size_t i = 0; i < sizeof list / sizeof list[0]; i++) {
        DEVICE_DESCRIPTION d = halt_desc(list[i].ch, list[i].max_len);
        ULONG n = 0;
        PDMA_ADAPTER a = halt_adapter(t, &d, &n);
        if (n != list[i].regs)
            fail_msg("channel %u MaximumLength %u: %u registers, expected %u", list[i].ch,
                     (unsigned)list[i].max_len, (unsigned)n, (unsigned)list[i].regs);
        assert_int_equal(halt_ops(a)->GetDmaAlignment(a), list[i].ch >= 4 ? 1 : 0);
        halt_ops(a)->PutDmaAdapter(a);
    }
    for (DMA_SPEED s = Compatible; s < MaximumDmaSpeed; s++) {
        DEVICE_DESCRIPTION d = halt_desc(6, 4096);
        d.DmaSpeed = s;
        PDMA_ADAPTER a = halt_adapter(t, &d, NULL);
        assert_int_equal(ndisdma_dma_unit_time(t->m, 6), nd_kernel_dma_speed_unit_ns(s));
        halt_ops(a)->PutDmaAdapter(a);
    }
    /* The pool sits below 16 MiB. */
    assert_true(nd_hal_pool_pages(t->h) > 0);
    assert_true(nd_hal_pool_phys(t->h) + nd_hal_pool_pages(t->h) * PAGE_SIZE <= ND_HAL_ISA_LIMIT);
}

/* More registers than the adapter's maximum: STATUS_INSUFFICIENT_RESOURCES,
   nothing queued. */
static void test_allocate_more_than_max(void **state)
{
    halt *t = *state;
    DEVICE_DESCRIPTION d = halt_desc(3, 8192);
    ULONG n = 0;
    PDMA_ADAPTER a = halt_adapter(t, &d, &n);
    assert_int_equal(n, 3);
    halt_grant g = {0};
    uint64_t mark = ndisdma_violation_count(t->m);
    assert_int_equal(halt_alloc(t, a, 4, &g, KeepObject), STATUS_INSUFFICIENT_RESOURCES);
    assert_int_equal(g.calls, 0);
    /* Nothing was queued: a request within the limit is granted at once. */
    assert_int_equal(halt_alloc(t, a, 3, &g, DeallocateObject), STATUS_SUCCESS);
    assert_int_equal(g.calls, 1);
    halt_expect_no_violation(t, mark);
    halt_ops(a)->PutDmaAdapter(a);
}

/* The execution routine gets the caller's DeviceObject and Context (a known
   mistake passes another context), a map-register base when registers were
   asked for (NULL otherwise), and runs at DISPATCH_LEVEL. */
static void test_execution_routine_context(void **state)
{
    halt *t = *state;
    DEVICE_DESCRIPTION d = halt_desc(0, 4096);
    PDMA_ADAPTER a = halt_adapter(t, &d, NULL);
    halt_grant g = {0};
    assert_int_equal(halt_alloc(t, a, 2, &g, DeallocateObject), STATUS_SUCCESS);
    assert_int_equal(g.calls, 1);
    assert_ptr_equal(g.dev, t->pdo);
    assert_ptr_equal(g.context, &g);
    assert_null(g.irp);
    assert_non_null(g.base);
    assert_int_equal(g.irql, DISPATCH_LEVEL);
    halt_grant g0 = {0};
    assert_int_equal(halt_alloc(t, a, 0, &g0, DeallocateObject), STATUS_SUCCESS);
    assert_int_equal(g0.calls, 1);
    assert_null(g0.base);
    assert_ptr_equal(g0.context, &g0);
    halt_ops(a)->PutDmaAdapter(a);
}

/* The adapter channel is a per-channel object: while one adapter holds it
   (KeepObject), a second request - of another adapter on the same channel
   or of the same adapter - waits, and is granted by FreeAdapterChannel, in
   order. Other channels are not affected. */
static void test_channel_queue_keepobject(void **state)
{
    halt *t = *state;
    DEVICE_DESCRIPTION d = halt_desc(1, 4096);
    PDMA_ADAPTER a = halt_adapter(t, &d, NULL);
    PDMA_ADAPTER b = halt_adapter(t, &d, NULL);
    DEVICE_DESCRIPTION d2 = halt_desc(2, 4096);
    PDMA_ADAPTER c = halt_adapter(t, &d2, NULL);
    halt_grant ga = {0}, gb = {0}, ga2 = {0}, gc = {0};
    size_t free0 = nd_hal_pool_free(t->h);
    assert_int_equal(halt_alloc(t, a, 2, &ga, KeepObject), STATUS_SUCCESS);
    assert_int_equal(ga.calls, 1);
    assert_int_equal(nd_hal_pool_free(t->h), free0 - 2);
    assert_int_equal(halt_alloc(t, b, 1, &gb, KeepObject), STATUS_SUCCESS);
    assert_int_equal(halt_alloc(t, a, 1, &ga2, KeepObject), STATUS_SUCCESS);
    assert_int_equal(gb.calls, 0);
    assert_int_equal(ga2.calls, 0);
    assert_int_equal(halt_alloc(t, c, 1, &gc, KeepObject), STATUS_SUCCESS);
    assert_int_equal(gc.calls, 1);

    halt_free_channel(a); /* frees its 2 registers too; b is next */
    assert_int_equal(gb.calls, 1);
    assert_int_equal(ga2.calls, 0);
    assert_int_equal(nd_hal_pool_free(t->h), free0 - 2); /* b's 1 + c's 1 */
    halt_free_channel(b);
    assert_int_equal(ga2.calls, 1);
    halt_free_channel(a);
    halt_free_channel(c);
    assert_int_equal(nd_hal_pool_free(t->h), free0);
    halt_ops(a)->PutDmaAdapter(a);
    halt_ops(b)->PutDmaAdapter(b);
    halt_ops(c)->PutDmaAdapter(c);
}

/* DeallocateObject releases channel and registers when the routine returns:
   a waiting request is granted at once. */
static void test_deallocate_object(void **state)
{
    halt *t = *state;
    DEVICE_DESCRIPTION d = halt_desc(6, 8192);
    PDMA_ADAPTER a = halt_adapter(t, &d, NULL);
    size_t free0 = nd_hal_pool_free(t->h);
    halt_grant g1 = {0}, g2 = {0};
    assert_int_equal(halt_alloc(t, a, 3, &g1, DeallocateObject), STATUS_SUCCESS);
    assert_int_equal(g1.calls, 1);
    assert_int_equal(nd_hal_pool_free(t->h), free0);
    assert_int_equal(halt_alloc(t, a, 3, &g2, KeepObject), STATUS_SUCCESS);
    assert_int_equal(g2.calls, 1);
    uint64_t mark = ndisdma_violation_count(t->m);
    halt_free_channel(a);
    halt_expect_no_violation(t, mark);
    halt_ops(a)->PutDmaAdapter(a);
}

/* DeallocateObjectKeepRegisters releases the channel but keeps the map
   registers until FreeMapRegisters (a wrong count is reported, all freed). */
static void test_deallocate_keep_registers(void **state)
{
    halt *t = *state;
    DEVICE_DESCRIPTION d = halt_desc(5, 16384);
    PDMA_ADAPTER a = halt_adapter(t, &d, NULL);
    size_t free0 = nd_hal_pool_free(t->h);
    halt_grant g1 = {0}, g2 = {0};
    assert_int_equal(halt_alloc(t, a, 4, &g1, DeallocateObjectKeepRegisters), STATUS_SUCCESS);
    assert_int_equal(g1.calls, 1);
    assert_int_equal(nd_hal_pool_free(t->h), free0 - 4);
    /* The channel is free again. */
    assert_int_equal(halt_alloc(t, a, 1, &g2, DeallocateObjectKeepRegisters), STATUS_SUCCESS);
    assert_int_equal(g2.calls, 1);
    assert_int_equal(nd_hal_pool_free(t->h), free0 - 5);
    uint64_t mark = ndisdma_violation_count(t->m);
    halt_free_regs(a, g1.base, 4);
    halt_expect_no_violation(t, mark);
    assert_int_equal(nd_hal_pool_free(t->h), free0 - 1);
    halt_free_regs(a, g2.base, 3);
    halt_expect_violation(t, mark, "FreeMapRegisters", "differs");
    assert_int_equal(nd_hal_pool_free(t->h), free0);
    halt_ops(a)->PutDmaAdapter(a);
}

/* Map-register exhaustion: a request within the adapter's maximum that the
   pool cannot serve now waits (owning its channel) and is granted when
   registers are freed, in FIFO order. */
static void test_mapreg_exhaustion_queues(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    assert_int_equal(nd_hal_set_pool_pages(t.h, 8), 0);
    DEVICE_DESCRIPTION d1 = halt_desc(1, 0xFFFFFFFFu);
    ULONG n1 = 0;
    PDMA_ADAPTER a = halt_adapter(&t, &d1, &n1);
    assert_int_equal(nd_hal_set_pool_pages(t.h, 16), NDISDMA_ESTATE);
    assert_int_equal(nd_hal_pool_pages(t.h), 8);
    assert_int_equal(n1, 8); /* clamped to what the pool can give */
    DEVICE_DESCRIPTION d3 = halt_desc(3, 20000);
    ULONG n3 = 0;
    PDMA_ADAPTER b = halt_adapter(&t, &d3, &n3);
    assert_int_equal(n3, 6);
    DEVICE_DESCRIPTION d0 = halt_desc(0, 4096);
    PDMA_ADAPTER c = halt_adapter(&t, &d0, NULL);
    halt_grant ga = {0}, gb = {0}, gc = {0}, gd = {0};
    assert_int_equal(halt_alloc(&t, a, 5, &ga, KeepObject), STATUS_SUCCESS);
    assert_int_equal(ga.calls, 1);
    assert_int_equal(halt_alloc(&t, b, 6, &gb, KeepObject), STATUS_SUCCESS);
    assert_int_equal(gb.calls, 0); /* waits for registers */
    /* FIFO: a later small request does not overtake the waiting one. */
    assert_int_equal(halt_alloc(&t, c, 2, &gc, KeepObject), STATUS_SUCCESS);
    assert_int_equal(gc.calls, 0);
    /* A request without registers is not held up by the pool. */
    DEVICE_DESCRIPTION d2 = halt_desc(2, 4096);
    PDMA_ADAPTER e = halt_adapter(&t, &d2, NULL);
    assert_int_equal(halt_alloc(&t, e, 0, &gd, KeepObject), STATUS_SUCCESS);
    assert_int_equal(gd.calls, 1);
    halt_free_channel(a);
    assert_int_equal(gb.calls, 1);
    assert_int_equal(gc.calls, 1);
    assert_int_equal(nd_hal_pool_free(t.h), 0);
    halt_free_channel(b);
    halt_free_channel(c);
    halt_free_channel(e);
    assert_int_equal(nd_hal_pool_free(t.h), 8);
    uint64_t mark = ndisdma_violation_count(t.m);
    halt_ops(a)->PutDmaAdapter(a);
    halt_ops(b)->PutDmaAdapter(b);
    halt_ops(c)->PutDmaAdapter(c);
    halt_ops(e)->PutDmaAdapter(e);
    halt_expect_no_violation(&t, mark);
    halt_fini(&t);
}

/* PutDmaAdapter of an adapter that still holds its channel, registers and a
   common buffer: reported, all released, and the next request granted. */
static void test_put_dma_adapter_releases(void **state)
{
    halt *t = *state;
    DEVICE_DESCRIPTION d = halt_desc(7, 4096);
    PDMA_ADAPTER a = halt_adapter(t, &d, NULL);
    PDMA_ADAPTER b = halt_adapter(t, &d, NULL);
    size_t free0 = nd_hal_pool_free(t->h);
    halt_grant ga = {0}, gb = {0}, ga2 = {0};
    PHYSICAL_ADDRESS la;
    assert_non_null(halt_ops(a)->AllocateCommonBuffer(a, 4096, &la, FALSE));
    assert_int_equal(halt_alloc(t, a, 2, &ga, KeepObject), STATUS_SUCCESS);
    assert_int_equal(halt_alloc(t, a, 2, &ga2, KeepObject), STATUS_SUCCESS);
    assert_int_equal(halt_alloc(t, b, 1, &gb, KeepObject), STATUS_SUCCESS);
    assert_int_equal(gb.calls, 0);
    uint64_t mark = ndisdma_violation_count(t->m);
    halt_ops(a)->PutDmaAdapter(a);
    assert_true(ndisdma_violation_count(t->m) >= mark + 3);
    assert_int_equal(ga2.calls, 0); /* dropped with its adapter */
    assert_int_equal(gb.calls, 1);
    ndisdma_dma_channel_state st;
    assert_int_equal(ndisdma_dma_get_channel(t->m, 7, &st), 0);
    assert_true(st.masked);
    halt_free_channel(b);
    assert_int_equal(nd_hal_pool_free(t->h), free0);
    halt_ops(b)->PutDmaAdapter(b);
}

/* Common buffers: contiguous, below 16 MiB, inside one 64/128 KiB window;
   bad frees reported. */
static void test_common_buffer(void **state)
{
    halt *t = *state;
    const unsigned chans[] = {1, 5};
    for (size_t i = 0; i < 2; i++) {
        DEVICE_DESCRIPTION d = halt_desc(chans[i], 0xFFFFFFFFu);
        PDMA_ADAPTER a = halt_adapter(t, &d, NULL);
        PDMA_OPERATIONS ops = halt_ops(a);
        uint64_t mark = ndisdma_violation_count(t->m);
        PHYSICAL_ADDRESS la;
        assert_null(ops->AllocateCommonBuffer(a, 0, &la, FALSE));
        mark = halt_expect_violation(t, mark, "AllocateCommonBuffer", "Length is 0");
        assert_null(ops->AllocateCommonBuffer(a, 4096, NULL, FALSE));
        mark = halt_expect_violation(t, mark, "AllocateCommonBuffer", "LogicalAddress");
        ULONG len = chans[i] >= 4 ? 0x20000u : 0x10000u;
        void *va = ops->AllocateCommonBuffer(a, len, &la, TRUE);
        assert_non_null(va);
        uint64_t p = (uint64_t)la.QuadPart;
        assert_true(p + len <= ND_HAL_ISA_LIMIT);
        assert_int_equal(p / len, (p + len - 1) / len);
        assert_ptr_equal(ndisdma_phys_ptr(t->m, p, len), va);
        PHYSICAL_ADDRESS wrong = la;
        wrong.QuadPart += PAGE_SIZE;
        ops->FreeCommonBuffer(a, len, wrong, va, TRUE);
        mark = halt_expect_violation(t, mark, "FreeCommonBuffer", "not a common buffer");
        ops->FreeCommonBuffer(a, len, la, va, TRUE);
        halt_expect_no_violation(t, mark);
        ops->PutDmaAdapter(a);
        halt_expect_no_violation(t, mark);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_n3_refuses_bad_descriptions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_n3_null_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irql_wrong_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments_never_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_n4_map_register_count, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allocate_more_than_max, setup, teardown),
        cmocka_unit_test_setup_teardown(test_execution_routine_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_channel_queue_keepobject, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deallocate_object, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deallocate_keep_registers, setup, teardown),
        cmocka_unit_test(test_mapreg_exhaustion_queues),
        cmocka_unit_test_setup_teardown(test_put_dma_adapter_releases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_common_buffer, setup, teardown),
    };
    return cmocka_run_group_tests_name("hal_adapter", tests, NULL, NULL);
}
