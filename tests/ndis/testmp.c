/*
 * The test miniport: see testmp.h. This file includes only <ndis.h> (and
 * the C library), as a driver compiled with the WDK would.
 */
#include "testmp.h"

typedef struct testmp_adapter {
    NDIS_HANDLE handle;
    testmp_config *cfg;
    ULONG port_first, port_count;
} testmp_adapter;

/* Test plumbing: the configuration of the driver being loaded. */
static testmp_config *g_cfg;
static testmp_config g_default;

void testmp_defaults(testmp_config *c)
{
    NdisZeroMemory(c, sizeof *c);
    c->entry_status = STATUS_SUCCESS;
    c->dma_channel = 3;
    c->desc.DemandMode = TRUE;
    c->desc.DmaWidth = Width8Bits;
    c->desc.DmaSpeed = Compatible;
    c->max_len = 4096;
    c->isr_claims = TRUE;
    c->isr_queue_dpc = TRUE;
}

void testmp_use(testmp_config *cfg)
{
    if (!cfg) {
        testmp_defaults(&g_default);
        cfg = &g_default;
    }
    g_cfg = cfg;
}

static MINIPORT_ISR mp_isr;
static BOOLEAN mp_isr(NDIS_HANDLE ctx, PBOOLEAN queue_dpc, PULONG targets)
{
    testmp_adapter *ad = ctx;
    (void)targets;
    ad->cfg->isrs++;
    ad->cfg->isr_irql = KeGetCurrentIrql();
    if (ad->cfg->on_isr)
        ad->cfg->on_isr(ad->cfg->hook_ctx);
    *queue_dpc = ad->cfg->isr_queue_dpc;
    return ad->cfg->isr_claims;
}

static MINIPORT_INTERRUPT_DPC mp_dpc;
static VOID mp_dpc(NDIS_HANDLE ctx, PVOID dpc_ctx, PVOID p1, PVOID p2)
{
    testmp_adapter *ad = ctx;
    (void)dpc_ctx;
    (void)p1;
    (void)p2;
    ad->cfg->dpcs++;
    ad->cfg->dpc_irql = KeGetCurrentIrql();
    if (ad->cfg->on_dpc)
        ad->cfg->on_dpc(ad->cfg->hook_ctx);
}

static NDIS_TIMER_FUNCTION mp_timer;
static VOID mp_timer(PVOID s1, PVOID ctx, PVOID s2, PVOID s3)
{
    (void)s1;
    (void)s2;
    (void)s3;
    testmp_config *c = g_cfg;
    c->timer_calls++;
    c->timer_irql = KeGetCurrentIrql();
    c->timer_context = ctx;
    if (c->on_timer)
        c->on_timer(c->hook_ctx);
}

static NDIS_STATUS register_dma(testmp_adapter *ad)
{
    testmp_config *c = ad->cfg;
    c->dma_status = NdisMRegisterDmaChannel(&c->dma, ad->handle, c->dma_channel, c->dma32, &c->desc,
                                            c->max_len);
    return c->dma_status;
}

static void release_all(testmp_adapter *ad)
{
    testmp_config *c = ad->cfg;
    if (c->timer) {
        NdisCancelTimerObject(c->timer);
        NdisFreeTimerObject(c->timer);
        c->timer = NULL;
    }
    if (c->port_base) {
        NdisMDeregisterIoPortRange(ad->handle, ad->port_first, ad->port_count, c->port_base);
        c->port_base = NULL;
    }
    if (c->interrupt) {
        NdisMDeregisterInterruptEx(c->interrupt);
        c->interrupt = NULL;
    }
    if (c->dma) {
        NdisMDeregisterDmaChannel(c->dma);
        c->dma = NULL;
    }
}

static MINIPORT_INITIALIZE mp_initialize;
static NDIS_STATUS mp_initialize(NDIS_HANDLE handle, NDIS_HANDLE drv_ctx,
                                 PNDIS_MINIPORT_INIT_PARAMETERS params)
{
    testmp_config *c = drv_ctx;
    c->inits++;
    c->init_irql = KeGetCurrentIrql();
    c->adapter_handle = handle;
    c->res_count = params->AllocatedResources->Count;
    for (ULONG i = 0; i < c->res_count && i < 4; i++)
        c->res[i] = params->AllocatedResources->PartialDescriptors[i];
    testmp_adapter *ad = calloc(1, sizeof *ad);
    if (!ad)
        return NDIS_STATUS_RESOURCES;
    ad->handle = handle;
    ad->cfg = c;
    if (c->dma_before_attrs && c->register_dma)
        register_dma(ad);
    if (!c->skip_reg_attrs) {
        NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
        NdisZeroMemory(&ra, sizeof ra);
        ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
        ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
        ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
        ra.MiniportAdapterContext = ad;
        ra.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE;
        ra.InterfaceType = NdisInterfaceIsa;
        NDIS_STATUS st = NdisMSetMiniportAttributes(handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
        if (st != NDIS_STATUS_SUCCESS) {
            free(ad);
            return st;
        }
    }
    if (c->set_gen_attrs) {
        NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES ga;
        NdisZeroMemory(&ga, sizeof ga);
        ga.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
        ga.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1;
        ga.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1;
        ga.MediaType = NdisMediumIrda;
        ga.PhysicalMediumType = NdisPhysicalMediumIrda;
        ga.MtuSize = 2048;
        NDIS_STATUS st = NdisMSetMiniportAttributes(handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ga);
        if (st != NDIS_STATUS_SUCCESS) {
            free(ad);
            return st;
        }
    }
    if (c->register_dma && !c->dma_before_attrs)
        register_dma(ad);
    if (c->register_interrupt) {
        NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS ic;
        NdisZeroMemory(&ic, sizeof ic);
        ic.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
        ic.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
        ic.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
        ic.InterruptHandler = mp_isr;
        ic.InterruptDpcHandler = mp_dpc;
        c->int_status = NdisMRegisterInterruptEx(handle, ad, &ic, &c->interrupt);
    }
    if (c->register_ports) {
        for (ULONG i = 0; i < c->res_count; i++) {
            if (c->res[i].Type != CmResourceTypePort)
                continue;
            ad->port_first = c->res[i].u.Port.Start.LowPart;
            ad->port_count = c->res[i].u.Port.Length;
            c->port_status = NdisMRegisterIoPortRange(
                &c->port_base, handle, c->res[i].u.Port.Start.LowPart, c->res[i].u.Port.Length);
        }
    }
    if (c->alloc_timer) {
        NDIS_TIMER_CHARACTERISTICS tc;
        NdisZeroMemory(&tc, sizeof tc);
        tc.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
        tc.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
        tc.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
        tc.AllocationTag = 0x546D7074 /* 'Tmpt' */;
        tc.TimerFunction = mp_timer;
        tc.FunctionContext = TESTMP_TIMER_CONTEXT;
        c->timer_status = NdisAllocateTimerObject(handle, &tc, &c->timer);
    }
    if (c->init_result != NDIS_STATUS_SUCCESS) {
        if (c->release_on_failure)
            release_all(ad);
        free(ad);
        return c->init_result;
    }
    if (c->skip_reg_attrs)
        free(ad); /* NDIS never learnt of it: the start fails and no halt comes */
    return NDIS_STATUS_SUCCESS;
}

static MINIPORT_HALT mp_halt;
static VOID mp_halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
    testmp_adapter *ad = ctx;
    (void)action;
    ad->cfg->halts++;
    ad->cfg->halt_irql = KeGetCurrentIrql();
    if (!ad->cfg->halt_leaks)
        release_all(ad);
    free(ad);
}

static MINIPORT_UNLOAD mp_unload;
static VOID mp_unload(PDRIVER_OBJECT drv)
{
    (void)drv;
    g_cfg->unloads++;
    if (!g_cfg->unload_no_deregister)
        NdisMDeregisterMiniportDriver(g_cfg->driver_handle);
}

static MINIPORT_PAUSE mp_pause;
static NDIS_STATUS mp_pause(NDIS_HANDLE ctx, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    (void)ctx;
    (void)p;
    return NDIS_STATUS_SUCCESS;
}

static MINIPORT_RESTART mp_restart;
static NDIS_STATUS mp_restart(NDIS_HANDLE ctx, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    (void)ctx;
    (void)p;
    return NDIS_STATUS_SUCCESS;
}

static MINIPORT_OID_REQUEST mp_oid;
static NDIS_STATUS mp_oid(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    (void)ctx;
    (void)r;
    return NDIS_STATUS_NOT_SUPPORTED;
}

static MINIPORT_SEND_NET_BUFFER_LISTS mp_send;
static VOID mp_send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbl, NDIS_PORT_NUMBER port, ULONG flags)
{
    (void)ctx;
    (void)nbl;
    (void)port;
    (void)flags;
}

static MINIPORT_RETURN_NET_BUFFER_LISTS mp_return;
static VOID mp_return(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbl, ULONG flags)
{
    (void)ctx;
    (void)nbl;
    (void)flags;
}

static MINIPORT_CANCEL_SEND mp_cancel_send;
static VOID mp_cancel_send(NDIS_HANDLE ctx, PVOID id)
{
    (void)ctx;
    (void)id;
}

static MINIPORT_RESET mp_reset;
static NDIS_STATUS mp_reset(NDIS_HANDLE ctx, PBOOLEAN addressing_reset)
{
    (void)ctx;
    *addressing_reset = FALSE;
    return NDIS_STATUS_SUCCESS;
}

static MINIPORT_DEVICE_PNP_EVENT_NOTIFY mp_pnp;
static VOID mp_pnp(NDIS_HANDLE ctx, PNET_DEVICE_PNP_EVENT ev)
{
    (void)ctx;
    (void)ev;
}

static MINIPORT_SHUTDOWN mp_shutdown;
static VOID mp_shutdown(NDIS_HANDLE ctx, NDIS_SHUTDOWN_ACTION action)
{
    (void)ctx;
    (void)action;
}

static MINIPORT_CANCEL_OID_REQUEST mp_cancel_oid;
static VOID mp_cancel_oid(NDIS_HANDLE ctx, PVOID id)
{
    (void)ctx;
    (void)id;
}

NTSTATUS testmp_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    if (!g_cfg)
        testmp_use(NULL);
    testmp_config *c = g_cfg;
    if (c->skip_register)
        return c->entry_status;
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS mc;
    NdisZeroMemory(&mc, sizeof mc);
    mc.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    mc.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    mc.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    mc.MajorNdisVersion = 6;
    mc.MinorNdisVersion = 0;
    mc.MajorDriverVersion = 1;
    mc.InitializeHandlerEx = mp_initialize;
    mc.HaltHandlerEx = mp_halt;
    mc.UnloadHandler = mp_unload;
    mc.PauseHandler = mp_pause;
    mc.RestartHandler = mp_restart;
    mc.OidRequestHandler = mp_oid;
    mc.SendNetBufferListsHandler = mp_send;
    mc.ReturnNetBufferListsHandler = mp_return;
    mc.CancelSendHandler = mp_cancel_send;
    mc.ResetHandlerEx = mp_reset;
    mc.DevicePnPEventNotifyHandler = mp_pnp;
    mc.ShutdownHandlerEx = mp_shutdown;
    mc.CancelOidRequestHandler = mp_cancel_oid;
    if (c->tweak_chars)
        c->tweak_chars(&mc);
    c->register_status =
        NdisMRegisterMiniportDriver(DriverObject, RegistryPath, c, &mc, &c->driver_handle);
    if (c->register_status != NDIS_STATUS_SUCCESS)
        return (NTSTATUS)c->register_status;
    return c->entry_status;
}
