/*
 * The NDIS 6 miniport host (issue 5, section 4) through the test miniport
 * (testmp.c, <ndis.h> only) and <ndisdma/host.h>: driver characteristics
 * checked as Windows checks them, loading and unloading, adapter start with
 * CM resources and stop, failed initialisations that leak nothing,
 * attributes, handle tags, interrupts (ISR at DIRQL, DPC at DISPATCH_LEVEL),
 * timers in virtual time, port I/O routed to device models, spin locks, and
 * delays that advance virtual time. Invalid input first.
 */
#include <stdlib.h>
#include <string.h>

#include <ndisdma/device.h>

#include "ndtest.h"

#include "hal/hal.h"
#include "kernel/kernel.h"

/* ---- characteristics ---- */

static int g_null_index; /* which required handler tweak_null clears */

static void tweak_null(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c)
{
    void **slots[] = {
        (void **)&c->InitializeHandlerEx,
        (void **)&c->HaltHandlerEx,
        (void **)&c->UnloadHandler,
        (void **)&c->PauseHandler,
        (void **)&c->RestartHandler,
        (void **)&c->OidRequestHandler,
        (void **)&c->SendNetBufferListsHandler,
        (void **)&c->ReturnNetBufferListsHandler,
        (void **)&c->CancelSendHandler,
        (void **)&c->ResetHandlerEx,
        (void **)&c->DevicePnPEventNotifyHandler,
        (void **)&c->ShutdownHandlerEx,
        (void **)&c->CancelOidRequestHandler,
    };
    *slots[g_null_index] = NULL;
}
static void tweak_type(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c)
{
    c->Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
}
static void tweak_rev0(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c)
{
    c->Header.Revision = 0;
}
static void tweak_size(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c)
{
    c->Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 - 8;
}
static void tweak_rev2_small(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c)
{
    c->Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
}
static void tweak_major5(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c)
{
    c->MajorNdisVersion = 5;
    c->MinorNdisVersion = 1;
}
static void tweak_minor2(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c)
{
    c->MinorNdisVersion = 2;
}
static void tweak_620_rev2(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c)
{
    c->MinorNdisVersion = 20;
    c->Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
    c->Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2;
}

static void expect_refused(void (*tweak)(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS), NDIS_STATUS want,
                           const char *needle)
{
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.tweak_chars = tweak;
    testmp_use(&t.cfg);
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(ndisdma_driver_load(t.m, testmp_DriverEntry, &t.drv), NDISDMA_EINIT);
    assert_null(t.drv);
    assert_int_equal(t.cfg.register_status, want);
    assert_null(t.cfg.driver_handle);
    ndisdma_violation v;
    assert_int_equal(ndisdma_violation_get(t.m, mark, &v), 0);
    assert_string_equal(v.ddi, "NdisMRegisterMiniportDriver");
    assert_non_null(strstr(v.message, needle));
    ndt_fini(&t);
}

static void chars_bad_header_and_version(void **state)
{
    (void)state;
    expect_refused(tweak_type, NDIS_STATUS_BAD_CHARACTERISTICS, "Header.Type");
    expect_refused(tweak_rev0, NDIS_STATUS_BAD_CHARACTERISTICS, "Revision");
    expect_refused(tweak_size, NDIS_STATUS_BAD_CHARACTERISTICS, "Size");
    expect_refused(tweak_rev2_small, NDIS_STATUS_BAD_CHARACTERISTICS, "REVISION_2");
    expect_refused(tweak_major5, NDIS_STATUS_BAD_VERSION, "MajorNdisVersion");
    expect_refused(tweak_minor2, NDIS_STATUS_BAD_VERSION, "MinorNdisVersion");
}

static void chars_required_handlers(void **state)
{
    (void)state;
    static const char *const names[] = {"InitializeHandlerEx",
                                        "HaltHandlerEx",
                                        "UnloadHandler",
                                        "PauseHandler",
                                        "RestartHandler",
                                        "OidRequestHandler",
                                        "SendNetBufferListsHandler",
                                        "ReturnNetBufferListsHandler",
                                        "CancelSendHandler",
                                        "ResetHandlerEx",
                                        "DevicePnPEventNotifyHandler",
                                        "ShutdownHandlerEx",
                                        "CancelOidRequestHandler"};
    for (g_null_index = 0; g_null_index < 13; g_null_index++)
        expect_refused(tweak_null, NDIS_STATUS_BAD_CHARACTERISTICS, names[g_null_index]);
}

static void chars_accepted(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.tweak_chars = tweak_620_rev2; /* CheckForHang stays NULL: optional */
    uint64_t mark = ndt_mark(&t);
    ndt_load(&t);
    assert_int_equal(t.cfg.register_status, NDIS_STATUS_SUCCESS);
    assert_non_null(t.cfg.driver_handle);
    ndt_expect_no_violation(&t, mark);
    ndt_fini(&t);
}

/* ---- loading and unloading ---- */

static void load_invalid(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndisdma_driver *d = (ndisdma_driver *)&t;
    assert_int_equal(ndisdma_driver_load(NULL, testmp_DriverEntry, &d), NDISDMA_EINVAL);
    assert_null(d);
    assert_int_equal(ndisdma_driver_load(t.m, NULL, &d), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_driver_load(t.m, testmp_DriverEntry, NULL), NDISDMA_EINVAL);
    ndisdma_driver_unload(NULL);
    ndisdma_adapter_stop(NULL);
    /* DriverEntry that does not register */
    t.cfg.skip_register = TRUE;
    testmp_use(&t.cfg);
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(ndisdma_driver_load(t.m, testmp_DriverEntry, &d), NDISDMA_EINIT);
    mark = ndt_expect_violation(&t, mark, "DriverEntry", "without registering");
    /* DriverEntry that fails after registering, without deregistering */
    t.cfg.skip_register = FALSE;
    t.cfg.entry_status = STATUS_UNSUCCESSFUL;
    assert_int_equal(ndisdma_driver_load(t.m, testmp_DriverEntry, &d), NDISDMA_EINIT);
    ndt_expect_violation(&t, mark, "NdisMDeregisterMiniportDriver", "still registered");
    /* the handle it got is stale */
    mark = ndt_mark(&t);
    NdisMDeregisterMiniportDriver(t.cfg.driver_handle);
    ndt_expect_violation(&t, mark, "NdisMDeregisterMiniportDriver", "stale");
    /* Registering outside DriverEntry: no driver object being loaded. */
    NDIS_HANDLE h = (NDIS_HANDLE)1;
    int fake;
    assert_int_equal(NdisMRegisterMiniportDriver((PDRIVER_OBJECT)&fake, NULL, NULL, NULL, &h),
                     NDIS_STATUS_FAILURE);
    assert_null(h);
    ndt_fini(&t);
}

static void unload_calls_unload_handler(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_load(&t);
    uint64_t mark = ndt_mark(&t);
    ndisdma_driver_unload(t.drv);
    t.drv = NULL;
    assert_int_equal(t.cfg.unloads, 1);
    ndt_expect_no_violation(&t, mark);
    /* an unload handler that forgets to deregister */
    t.cfg.unload_no_deregister = TRUE;
    ndt_load(&t);
    ndisdma_driver_unload(t.drv);
    t.drv = NULL;
    ndt_expect_violation(&t, mark, "NdisMDeregisterMiniportDriver", "still registered");
    ndt_fini(&t);
}

/* ---- driver-object extensions (how a driver finds its context at unload) ---- */

static PDRIVER_OBJECT ext_obj;
static PVOID ext_area;
static NTSTATUS ext_status;
static const UCHAR ext_key1 = 1, ext_key2 = 2, ext_key3 = 3;

static DRIVER_INITIALIZE ext_DriverEntry;
static NTSTATUS ext_DriverEntry(PDRIVER_OBJECT o, PUNICODE_STRING path)
{
    ext_obj = o;
    ext_status = IoAllocateDriverObjectExtension(o, (PVOID)&ext_key1, 24, &ext_area);
    return testmp_DriverEntry(o, path);
}

static void driver_object_extensions(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    uint64_t mark = ndt_mark(&t);
    /* invalid input first: an object that is not a loaded driver's */
    uint64_t fake_storage[32] = {0}; /* DRIVER_OBJECT is opaque to drivers */
    PDRIVER_OBJECT fake = (PDRIVER_OBJECT)fake_storage;
    PVOID out = (PVOID)fake;
    assert_int_equal(IoAllocateDriverObjectExtension(fake, (PVOID)&ext_key1, 8, &out),
                     STATUS_INVALID_PARAMETER);
    assert_null(out);
    assert_null(IoGetDriverObjectExtension(fake, (PVOID)&ext_key1));
    ndt_expect_violation(&t, mark, "IoGetDriverObjectExtension",
                         "not the object of a loaded driver");
    /* DriverEntry allocates one: zeroed, found again by its key only */
    testmp_use(&t.cfg);
    mark = ndt_mark(&t);
    assert_int_equal(ndisdma_driver_load(t.m, ext_DriverEntry, &t.drv), 0);
    assert_int_equal(ext_status, STATUS_SUCCESS);
    assert_non_null(ext_area);
    static const UCHAR zero[24];
    assert_memory_equal(ext_area, zero, sizeof zero);
    memset(ext_area, 0xAB, 24);
    assert_ptr_equal(IoGetDriverObjectExtension(ext_obj, (PVOID)&ext_key1), ext_area);
    assert_null(IoGetDriverObjectExtension(ext_obj, (PVOID)&ext_key2));
    /* the key is taken; another key gets its own area */
    out = (PVOID)fake;
    assert_int_equal(IoAllocateDriverObjectExtension(ext_obj, (PVOID)&ext_key1, 8, &out),
                     STATUS_OBJECT_NAME_COLLISION);
    assert_null(out);
    PVOID second = NULL;
    assert_int_equal(IoAllocateDriverObjectExtension(ext_obj, (PVOID)&ext_key2, 8, &second),
                     STATUS_SUCCESS);
    assert_non_null(second);
    assert_ptr_not_equal(second, ext_area);
    assert_ptr_equal(IoGetDriverObjectExtension(ext_obj, (PVOID)&ext_key2), second);
    ndt_expect_no_violation(&t, mark);
    /* size 0 and a NULL output are reported */
    assert_int_equal(IoAllocateDriverObjectExtension(ext_obj, (PVOID)&ext_key3, 0, &out),
                     STATUS_INVALID_PARAMETER);
    ndt_expect_violation(&t, mark, "IoAllocateDriverObjectExtension",
                         "DriverObjectExtensionSize is 0");
    mark = ndt_mark(&t);
    assert_int_equal(IoAllocateDriverObjectExtension(ext_obj, (PVOID)&ext_key3, 8, NULL),
                     STATUS_INVALID_PARAMETER);
    ndt_expect_violation(&t, mark, "IoAllocateDriverObjectExtension",
                         "DriverObjectExtension is NULL");
    /* the areas go with the driver object (valgrind sees no leak) */
    ndisdma_driver_unload(t.drv);
    t.drv = NULL;
    ndt_fini(&t);
}

/* ---- adapters ---- */

static void start_invalid(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_load(&t);
    ndisdma_adapter *a = (ndisdma_adapter *)&t;
    assert_int_equal(ndisdma_adapter_start(NULL, &t.res, &a), NDISDMA_EINVAL);
    assert_null(a);
    assert_int_equal(ndisdma_adapter_start(t.drv, NULL, &a), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, NULL), NDISDMA_EINVAL);
    ndisdma_resources r = t.res;
    r.dma_channel = 4;
    assert_int_equal(ndisdma_adapter_start(t.drv, &r, &a), NDISDMA_EINVAL);
    r = t.res;
    r.irq = 16;
    assert_int_equal(ndisdma_adapter_start(t.drv, &r, &a), NDISDMA_EINVAL);
    r = t.res;
    r.io_base = 0xFFF0;
    r.io_length = 0x20;
    assert_int_equal(ndisdma_adapter_start(t.drv, &r, &a), NDISDMA_EINVAL);
    assert_int_equal(t.cfg.inits, 0);
    /* above PASSIVE_LEVEL */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &a), NDISDMA_EIRQL);
    KeLowerIrql(old);
    ndt_fini(&t);
}

static void start_resources(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    assert_int_equal(t.cfg.inits, 1);
    assert_int_equal(t.cfg.init_irql, PASSIVE_LEVEL);
    assert_ptr_equal(t.cfg.adapter_handle, ndisdma_adapter_handle(t.ad));
    assert_non_null(ndisdma_adapter_context(t.ad));
    assert_ptr_equal(ndisdma_adapter_machine(t.ad), t.m);
    assert_ptr_equal(ndisdma_driver_machine(t.drv), t.m);
    assert_int_equal(t.cfg.res_count, 3);
    assert_int_equal(t.cfg.res[0].Type, CmResourceTypeDma);
    assert_int_equal(t.cfg.res[0].u.Dma.Channel, 3);
    assert_int_equal(t.cfg.res[1].Type, CmResourceTypeInterrupt);
    assert_int_equal(t.cfg.res[1].u.Interrupt.Level, 5);
    assert_int_equal(t.cfg.res[1].u.Interrupt.Vector, 5);
    assert_int_equal(t.cfg.res[2].Type, CmResourceTypePort);
    assert_int_equal(t.cfg.res[2].u.Port.Start.QuadPart, 0x300);
    assert_int_equal(t.cfg.res[2].u.Port.Length, 0x20);
    ndisdma_adapter_stop(t.ad);
    t.ad = NULL;
    assert_int_equal(t.cfg.halts, 1);
    assert_int_equal(t.cfg.halt_irql, PASSIVE_LEVEL);
    /* no resources at all */
    ndisdma_resources_init(&t.res);
    t.cfg.register_dma = FALSE;
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), 0);
    assert_int_equal(t.cfg.res_count, 0);
    ndt_fini(&t);
}

static void failed_init_leaks_nothing(void **state)
{
    (void)state;
    for (int release = 0; release < 2; release++) {
        ndt t;
        ndt_init(&t, NDISDMA_PLACEMENT_LOW);
        t.cfg.register_interrupt = TRUE;
        t.cfg.register_ports = TRUE;
        t.cfg.alloc_timer = TRUE;
        t.cfg.init_result = NDIS_STATUS_ADAPTER_NOT_FOUND;
        t.cfg.release_on_failure = (BOOLEAN)release;
        ndt_load(&t);
        uint64_t mark = ndt_mark(&t);
        assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), NDISDMA_EINIT);
        assert_null(t.ad);
        assert_int_equal(t.cfg.dma_status, NDIS_STATUS_SUCCESS);
        assert_int_equal(t.cfg.int_status, NDIS_STATUS_SUCCESS);
        assert_int_equal(t.cfg.port_status, NDIS_STATUS_SUCCESS);
        assert_int_equal(t.cfg.timer_status, NDIS_STATUS_SUCCESS);
        if (release) {
            ndt_expect_no_violation(&t, mark);
        } else {
            /* one report per item left behind */
            assert_int_equal(ndt_mark(&t) - mark, 4);
            ndisdma_violation v;
            assert_int_equal(ndisdma_violation_get(t.m, mark, &v), 0);
            assert_string_equal(v.ddi, "NdisMDeregisterDmaChannel");
            assert_non_null(strstr(v.message, "failed MiniportInitializeEx"));
        }
        assert_false(nd_hal_channel_busy(nd_kernel_hal(nd_kernel_current()), 3));
        ndisdma_irq_stats is;
        assert_int_equal(ndisdma_irq_get_stats(t.m, &is), 0);
        assert_int_equal(is.connected, 0);
        /* everything can be had again */
        t.cfg.init_result = NDIS_STATUS_SUCCESS;
        ndt_start(&t);
        assert_int_equal(t.cfg.int_status, NDIS_STATUS_SUCCESS);
        ndt_fini(&t);
    }
}

static void init_without_attributes_fails(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.skip_reg_attrs = TRUE;
    t.cfg.register_dma = FALSE;
    ndt_load(&t);
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), NDISDMA_EINIT);
    ndt_expect_violation(&t, mark, "MiniportInitializeEx", "registration attributes");
    ndt_fini(&t);
}

static void general_attributes_need_registration_first(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.skip_reg_attrs = TRUE;
    t.cfg.set_gen_attrs = TRUE;
    t.cfg.register_dma = FALSE;
    ndt_load(&t);
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(ndisdma_adapter_start(t.drv, &t.res, &t.ad), NDISDMA_EINIT);
    ndisdma_violation v;
    assert_int_equal(ndisdma_violation_get(t.m, mark, &v), 0);
    assert_string_equal(v.ddi, "NdisMSetMiniportAttributes");
    assert_non_null(strstr(v.message, "before the registration attributes"));
    ndt_fini(&t);
}

static void halt_leaks_are_released(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.register_interrupt = TRUE;
    t.cfg.register_ports = TRUE;
    t.cfg.alloc_timer = TRUE;
    t.cfg.halt_leaks = TRUE;
    ndt_start(&t);
    LARGE_INTEGER due;
    due.QuadPart = -10000;
    NdisSetTimerObject(t.cfg.timer, due, 0, NULL);
    uint64_t mark = ndt_mark(&t);
    ndisdma_adapter_stop(t.ad);
    t.ad = NULL;
    assert_int_equal(ndt_mark(&t) - mark, 4);
    assert_false(nd_hal_channel_busy(nd_kernel_hal(nd_kernel_current()), 3));
    assert_int_equal(ndisdma_machine_run(t.m, 10000000), 0);
    assert_int_equal(t.cfg.timer_calls, 0); /* cancelled with the leftovers */
    ndt_fini(&t);
}

static void destroy_with_everything_live(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.register_interrupt = TRUE;
    t.cfg.alloc_timer = TRUE;
    ndt_start(&t);
    ndisdma_thread_unbind(t.m);
    ndisdma_machine_destroy(t.m); /* stops, unloads, frees: ASan/valgrind check */
    assert_int_equal(t.cfg.halts, 1);
    assert_int_equal(t.cfg.unloads, 1);
    testmp_use(NULL);
}

/* ---- attributes and handles ---- */

static void attributes_rules(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.set_gen_attrs = TRUE;
    t.cfg.register_dma = FALSE;
    ndt_start(&t);
    NDIS_HANDLE ah = ndisdma_adapter_handle(t.ad);
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES ga;
    memset(&ga, 0, sizeof ga);
    ga.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
    ga.Header.Revision = 1;
    ga.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1;
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(NdisMSetMiniportAttributes(ah, NULL), NDIS_STATUS_FAILURE);
    mark = ndt_expect_violation(&t, mark, "NdisMSetMiniportAttributes", "NULL");
    assert_int_equal(NdisMSetMiniportAttributes(ah, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ga),
                     NDIS_STATUS_FAILURE);
    mark = ndt_expect_violation(&t, mark, "NdisMSetMiniportAttributes", "outside");
    ndt_fini(&t);
}

/* ---- interrupts ---- */

typedef struct int_hook {
    ndisdma_machine *m;
    uint64_t isr_time, dpc_time;
} int_hook;

static void on_isr(void *ctx)
{
    int_hook *h = ctx;
    h->isr_time = ndisdma_machine_now(h->m);
}

static void on_dpc(void *ctx)
{
    int_hook *h = ctx;
    h->dpc_time = ndisdma_machine_now(h->m);
}

static BOOLEAN sync_fn(NDIS_HANDLE ctx)
{
    *(KIRQL *)ctx = KeGetCurrentIrql();
    return TRUE;
}

static void interrupts_isr_then_dpc(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.register_interrupt = TRUE;
    int_hook h = {.m = t.m};
    t.cfg.hook_ctx = &h;
    t.cfg.on_isr = on_isr;
    t.cfg.on_dpc = on_dpc;
    ndt_start(&t);
    assert_int_equal(t.cfg.int_status, NDIS_STATUS_SUCCESS);
    assert_non_null(t.cfg.interrupt);
    assert_int_equal(ndisdma_machine_run(t.m, 1000), 0);
    assert_int_equal(t.cfg.isrs, 0);
    assert_int_equal(ndisdma_irq_pulse(t.m, 5), 0);
    assert_int_equal(ndisdma_machine_run(t.m, 1000), 0);
    assert_int_equal(t.cfg.isrs, 1);
    assert_int_equal(t.cfg.dpcs, 1);
    assert_true(t.cfg.isr_irql > DISPATCH_LEVEL && t.cfg.isr_irql < CLOCK_LEVEL);
    assert_int_equal(t.cfg.dpc_irql, DISPATCH_LEVEL);
    assert_true(h.dpc_time >= h.isr_time);
    /* an ISR that does not ask for its DPC */
    t.cfg.isr_queue_dpc = FALSE;
    ndisdma_irq_pulse(t.m, 5);
    ndisdma_machine_run(t.m, 1000);
    assert_int_equal(t.cfg.isrs, 2);
    assert_int_equal(t.cfg.dpcs, 1);
    /* synchronisation with the ISR runs at its DIRQL */
    KIRQL seen = 0;
    assert_true(NdisMSynchronizeWithInterruptEx(t.cfg.interrupt, 0, sync_fn, &seen));
    assert_int_equal(seen, t.cfg.isr_irql);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    ndt_fini(&t);
}

static void interrupts_invalid(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.register_interrupt = TRUE;
    t.res.irq = -1;
    uint64_t mark = ndt_mark(&t);
    ndt_start(&t);
    assert_int_equal(t.cfg.int_status, NDIS_STATUS_RESOURCES);
    assert_null(t.cfg.interrupt);
    mark = ndt_expect_violation(&t, mark, "NdisMRegisterInterruptEx", "no interrupt resource");
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS ic;
    memset(&ic, 0, sizeof ic);
    NDIS_HANDLE h = (NDIS_HANDLE)1;
    assert_int_equal(NdisMRegisterInterruptEx(ndisdma_adapter_handle(t.ad), NULL, &ic, &h),
                     NDIS_STATUS_INVALID_PARAMETER);
    assert_null(h);
    mark = ndt_expect_violation(&t, mark, "NdisMRegisterInterruptEx", "Header");
    assert_false(NdisMSynchronizeWithInterruptEx(t.cfg.dma, 0, sync_fn, NULL));
    mark = ndt_expect_violation(&t, mark, "NdisMSynchronizeWithInterruptEx", "not a interrupt");
    NdisMDeregisterInterruptEx(&ic);
    ndt_expect_violation(&t, mark, "NdisMDeregisterInterruptEx", "unknown or stale");
    ndt_fini(&t);
}

/* ---- timers ---- */

typedef struct timer_hook {
    ndisdma_machine *m;
    uint64_t times[16];
    int n;
} timer_hook;

static void on_timer(void *ctx)
{
    timer_hook *h = ctx;
    if (h->n < 16)
        h->times[h->n++] = ndisdma_machine_now(h->m);
}

static void timers_invalid(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    NDIS_TIMER_CHARACTERISTICS tc;
    memset(&tc, 0, sizeof tc);
    NDIS_HANDLE h = (NDIS_HANDLE)1;
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(NdisAllocateTimerObject(ndisdma_adapter_handle(t.ad), &tc, &h),
                     NDIS_STATUS_INVALID_PARAMETER);
    assert_null(h);
    mark = ndt_expect_violation(&t, mark, "NdisAllocateTimerObject", "Header");
    tc.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    tc.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    tc.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
    assert_int_equal(NdisAllocateTimerObject(ndisdma_adapter_handle(t.ad), &tc, &h),
                     NDIS_STATUS_INVALID_PARAMETER);
    mark = ndt_expect_violation(&t, mark, "NdisAllocateTimerObject", "TimerFunction");
    assert_int_equal(NdisAllocateTimerObject(t.cfg.dma, &tc, &h), NDIS_STATUS_FAILURE);
    mark = ndt_expect_violation(&t, mark, "NdisAllocateTimerObject", "DMA channel handle");
    LARGE_INTEGER due;
    due.QuadPart = -1;
    assert_false(NdisSetTimerObject(t.cfg.dma, due, 0, NULL));
    mark = ndt_expect_violation(&t, mark, "NdisSetTimerObject", "not a timer");
    assert_false(NdisCancelTimerObject(NULL));
    mark = ndt_expect_violation(&t, mark, "NdisCancelTimerObject", "NULL");
    NdisFreeTimerObject(&tc);
    ndt_expect_violation(&t, mark, "NdisFreeTimerObject", "unknown or stale");
    ndt_fini(&t);
}

static void timers_in_virtual_time(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.alloc_timer = TRUE;
    timer_hook h = {.m = t.m};
    t.cfg.hook_ctx = &h;
    t.cfg.on_timer = on_timer;
    ndt_start(&t);
    assert_int_equal(t.cfg.timer_status, NDIS_STATUS_SUCCESS);
    uint64_t t0 = ndisdma_machine_now(t.m);
    LARGE_INTEGER due;
    due.QuadPart = -10000; /* 1 ms */
    assert_false(NdisSetTimerObject(t.cfg.timer, due, 0, NULL));
    assert_int_equal(ndisdma_machine_run(t.m, 999999), 0);
    assert_int_equal(t.cfg.timer_calls, 0);
    assert_int_equal(ndisdma_machine_run(t.m, 1), 0);
    assert_int_equal(t.cfg.timer_calls, 1);
    assert_int_equal(h.times[0], t0 + 1000000);
    assert_int_equal(t.cfg.timer_irql, DISPATCH_LEVEL);
    assert_ptr_equal(t.cfg.timer_context, TESTMP_TIMER_CONTEXT);
    /* periodic, with its own context */
    int ctx;
    due.QuadPart = -20000;
    assert_false(NdisSetTimerObject(t.cfg.timer, due, 5, &ctx));
    assert_true(NdisSetTimerObject(t.cfg.timer, due, 5, &ctx)); /* was set: reset */
    ndisdma_machine_run(t.m, 12000000);                         /* 2, 7, 12 ms */
    assert_int_equal(t.cfg.timer_calls, 4);
    assert_ptr_equal(t.cfg.timer_context, &ctx);
    assert_int_equal(h.times[3] - h.times[2], 5000000);
    assert_true(NdisCancelTimerObject(t.cfg.timer));
    assert_false(NdisCancelTimerObject(t.cfg.timer));
    ndisdma_machine_run(t.m, 20000000);
    assert_int_equal(t.cfg.timer_calls, 4);
    /* absolute due time in the past: fires at once */
    due.QuadPart = 1;
    NdisSetTimerObject(t.cfg.timer, due, 0, NULL);
    ndisdma_machine_run(t.m, 0);
    assert_int_equal(t.cfg.timer_calls, 5);
    /* freeing a set timer is reported and cancels it */
    due.QuadPart = -10000;
    NdisSetTimerObject(t.cfg.timer, due, 0, NULL);
    uint64_t mark = ndt_mark(&t);
    NdisFreeTimerObject(t.cfg.timer);
    t.cfg.timer = NULL;
    ndt_expect_violation(&t, mark, "NdisFreeTimerObject", "still set");
    ndisdma_machine_run(t.m, 5000000);
    assert_int_equal(t.cfg.timer_calls, 5);
    ndt_fini(&t);
}

/* ---- ports ---- */

typedef struct port_dev {
    uint16_t wport[16];
    uint8_t wval[16];
    int nw;
    uint8_t regs[0x20];
} port_dev;

static uint8_t port_read(void *ctx, uint16_t port)
{
    port_dev *d = ctx;
    return d->regs[port - 0x300];
}

static void port_write(void *ctx, uint16_t port, uint8_t v)
{
    port_dev *d = ctx;
    if (d->nw < 16) {
        d->wport[d->nw] = port;
        d->wval[d->nw++] = v;
    }
    d->regs[port - 0x300] = v;
}

static void ports_routed_to_device(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.register_ports = TRUE;
    ndt_start(&t);
    assert_int_equal(t.cfg.port_status, NDIS_STATUS_SUCCESS);
    assert_ptr_equal(t.cfg.port_base, (PVOID)(ULONG_PTR)0x300);
    port_dev d;
    memset(&d, 0, sizeof d);
    static const ndisdma_io_handler ioh = {.read8 = port_read, .write8 = port_write};
    int id = ndisdma_io_map(t.m, 0x300, 0x20, &ioh, &d);
    assert_true(id > 0);
    NdisRawWritePortUchar(0x300, 0xAB);
    NdisRawWritePortUshort(0x302, 0x1234);
    NdisRawWritePortUlong(0x304, 0xA1B2C3D4u);
    assert_int_equal(d.nw, 7);
    assert_int_equal(d.wport[0], 0x300);
    assert_int_equal(d.wval[0], 0xAB);
    assert_int_equal(d.wport[1], 0x302);
    assert_int_equal(d.wval[1], 0x34);
    assert_int_equal(d.wport[2], 0x303);
    assert_int_equal(d.wval[2], 0x12);
    assert_int_equal(d.wport[3], 0x304);
    assert_int_equal(d.wval[3], 0xD4);
    assert_int_equal(d.wval[6], 0xA1);
    UCHAR c = 0;
    USHORT s = 0;
    ULONG l = 0;
    NdisRawReadPortUchar(0x300, &c);
    NdisRawReadPortUshort(0x302, &s);
    NdisRawReadPortUlong(0x304, &l);
    assert_int_equal(c, 0xAB);
    assert_int_equal(s, 0x1234);
    assert_int_equal(l, 0xA1B2C3D4u);
    assert_int_equal(ndisdma_io_read8(t.m, 0x305), 0xC3); /* the same bus */
    /* invalid: past the I/O space, NULL data */
    uint64_t mark = ndt_mark(&t);
    NdisRawReadPortUshort(0xFFFF, &s);
    assert_int_equal(s, 0xFFFF);
    mark = ndt_expect_violation(&t, mark, "NdisRawReadPortUshort", "outside");
    NdisRawReadPortUchar(0x300, NULL);
    ndt_expect_violation(&t, mark, "NdisRawReadPortUchar", "NULL");
    ndisdma_io_unmap(t.m, id);
    ndt_fini(&t);
}

static void port_range_checked_against_resources(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    NDIS_HANDLE ah = ndisdma_adapter_handle(t.ad);
    PVOID base = (PVOID)1;
    uint64_t mark = ndt_mark(&t);
    assert_int_equal(NdisMRegisterIoPortRange(&base, ah, 0x2F0, 0x20),
                     NDIS_STATUS_RESOURCE_CONFLICT);
    assert_null(base);
    mark = ndt_expect_violation(&t, mark, "NdisMRegisterIoPortRange", "not inside");
    assert_int_equal(NdisMRegisterIoPortRange(&base, ah, 0x310, 0x11),
                     NDIS_STATUS_RESOURCE_CONFLICT);
    assert_int_equal(NdisMRegisterIoPortRange(&base, ah, 0x300, 0), NDIS_STATUS_FAILURE);
    mark = ndt_expect_violation(&t, mark, "NdisMRegisterIoPortRange", "0");
    assert_int_equal(NdisMRegisterIoPortRange(&base, ah, 0x310, 0x10), NDIS_STATUS_SUCCESS);
    assert_ptr_equal(base, (PVOID)(ULONG_PTR)0x310);
    NdisMDeregisterIoPortRange(ah, 0x310, 0x8, base);
    mark = ndt_expect_violation(&t, mark, "NdisMDeregisterIoPortRange", "not a registered");
    NdisMDeregisterIoPortRange(ah, 0x310, 0x10, base);
    ndt_expect_no_violation(&t, mark);
    ndt_fini(&t);
}

/* ---- spin locks ---- */

static void spin_locks(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    NDIS_SPIN_LOCK l;
    uint64_t mark = ndt_mark(&t);
    NdisAllocateSpinLock(NULL);
    mark = ndt_expect_violation(&t, mark, "NdisAllocateSpinLock", "NULL");
    NdisAllocateSpinLock(&l);
    NdisAcquireSpinLock(&l);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisAcquireSpinLock(&l); /* deadlock on Windows */
    mark = ndt_expect_violation(&t, mark, "KeAcquireSpinLock", "already held");
    NdisFreeSpinLock(&l);
    mark = ndt_expect_violation(&t, mark, "NdisFreeSpinLock", "while held");
    NdisReleaseSpinLock(&l);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    NdisReleaseSpinLock(&l);
    mark = ndt_expect_violation(&t, mark, "KeReleaseSpinLock", "not held");
    NdisDprAcquireSpinLock(&l); /* at PASSIVE_LEVEL */
    mark = ndt_expect_violation(&t, mark, "KeAcquireSpinLockAtDpcLevel", "DISPATCH_LEVEL");
    NdisDprReleaseSpinLock(&l);
    mark = ndt_expect_violation(&t, mark, "KeReleaseSpinLockFromDpcLevel", "DISPATCH_LEVEL");
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NdisDprAcquireSpinLock(&l);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    NdisDprReleaseSpinLock(&l);
    KeLowerIrql(old);
    NdisFreeSpinLock(&l);
    ndt_expect_no_violation(&t, mark);
    ndt_fini(&t);
}

/* ---- delays ---- */

static void sleep_and_stall_advance_time(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.alloc_timer = TRUE;
    ndt_start(&t);
    uint64_t t0 = ndisdma_machine_now(t.m);
    NdisStallExecution(10);
    assert_int_equal(ndisdma_machine_now(t.m), t0 + 10000);
    LARGE_INTEGER due;
    due.QuadPart = -5000; /* 0.5 ms */
    NdisSetTimerObject(t.cfg.timer, due, 0, NULL);
    NdisMSleep(1000);
    assert_int_equal(ndisdma_machine_now(t.m), t0 + 10000 + 1000000);
    assert_int_equal(t.cfg.timer_calls, 1); /* the machine ran while the thread slept */
    uint64_t mark = ndt_mark(&t);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NdisMSleep(10);
    KeLowerIrql(old);
    ndt_expect_violation(&t, mark, "NdisMSleep", "PASSIVE_LEVEL");
    assert_int_equal(ndisdma_machine_now(t.m), t0 + 10000 + 1000000 + 10000);
    ndt_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chars_bad_header_and_version),
        cmocka_unit_test(chars_required_handlers),
        cmocka_unit_test(chars_accepted),
        cmocka_unit_test(driver_object_extensions),
        cmocka_unit_test(load_invalid),
        cmocka_unit_test(unload_calls_unload_handler),
        cmocka_unit_test(start_invalid),
        cmocka_unit_test(start_resources),
        cmocka_unit_test(failed_init_leaks_nothing),
        cmocka_unit_test(init_without_attributes_fails),
        cmocka_unit_test(general_attributes_need_registration_first),
        cmocka_unit_test(halt_leaks_are_released),
        cmocka_unit_test(destroy_with_everything_live),
        cmocka_unit_test(attributes_rules),
        cmocka_unit_test(interrupts_invalid),
        cmocka_unit_test(interrupts_isr_then_dpc),
        cmocka_unit_test(timers_invalid),
        cmocka_unit_test(timers_in_virtual_time),
        cmocka_unit_test(ports_routed_to_device),
        cmocka_unit_test(port_range_checked_against_resources),
        cmocka_unit_test(spin_locks),
        cmocka_unit_test(sleep_and_stall_advance_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
