/*
 * The loopback test miniport (see loopmp.h). Only <ndis.h>: what an NDIS 6
 * miniport does on its data path, without hardware. One adapter at a time;
 * no spin locks (the machine runs on one thread, and nothing here is
 * reached from an ISR).
 */
#include <stdlib.h>
#include <string.h>

#include "loopmp.h"

typedef struct lmp {
    loopmp_config *cfg;
    NDIS_HANDLE handle;
    NDIS_HANDLE timer;
    BOOLEAN timer_set;
    PNET_BUFFER_LIST rx_free; /* receive NBLs it holds, linked by Next */
    PNET_BUFFER_LIST tx_head; /* sends to complete */
    PNET_BUFFER_LIST *tx_tail;
    PNET_BUFFER_LIST rxq_head; /* receives to indicate */
    PNET_BUFFER_LIST *rxq_tail;
    ULONG rxq_n;
    PNDIS_OID_REQUEST oid; /* pended */
    BOOLEAN pausing, restarting, resetting;
} lmp;

static loopmp_config *g_cfg; /* test code: handed over by loopmp_use */
static loopmp_config g_default;

void loopmp_defaults(loopmp_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->rx_count = 8;
    cfg->rx_size = 2048;
    cfg->restart_status = NDIS_STATUS_SUCCESS;
    cfg->reset_status = NDIS_STATUS_SUCCESS;
    static const UCHAR mac[6] = {0x02, 0x00, 0x5E, 0x10, 0x20, 0x30};
    memcpy(cfg->mac, mac, sizeof mac);
}

void loopmp_use(loopmp_config *cfg)
{
    if (!cfg) {
        loopmp_defaults(&g_default);
        cfg = &g_default;
    }
    g_cfg = cfg;
}

static ULONG dispatch_flag(ULONG flag)
{
    return KeGetCurrentIrql() == DISPATCH_LEVEL ? flag : 0;
}

static void arm(lmp *m)
{
    LARGE_INTEGER due;
    due.QuadPart = -10; /* 1 us */
    NdisSetTimerObject(m->timer, due, 0, NULL);
    m->timer_set = TRUE;
}

static void complete_sends(lmp *m)
{
    PNET_BUFFER_LIST done = m->tx_head;
    if (!done)
        return;
    m->tx_head = NULL;
    m->tx_tail = &m->tx_head;
    NdisMSendNetBufferListsComplete(m->handle, done,
                                    dispatch_flag(NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL));
}

static void check_pause(lmp *m)
{
    if (m->pausing && !m->tx_head && !m->rxq_head && m->cfg->rx_out == 0) {
        m->pausing = FALSE;
        NdisMPauseComplete(m->handle);
    }
}

/* Copy the frame of @nb into a receive NBL and queue it. */
static void loop_back(lmp *m, PNET_BUFFER nb)
{
    PNET_BUFFER_LIST rx = m->rx_free;
    ULONG len = NET_BUFFER_DATA_LENGTH(nb);
    if (!rx || len > m->cfg->rx_size || len == 0) {
        m->cfg->rx_dropped++;
        return;
    }
    m->rx_free = NET_BUFFER_LIST_NEXT_NBL(rx);
    NET_BUFFER_LIST_NEXT_NBL(rx) = NULL;
    PNET_BUFFER rnb = NET_BUFFER_LIST_FIRST_NB(rx);
    PUCHAR dst = NdisBufferVirtualAddress(NET_BUFFER_FIRST_MDL(rnb));
    PUCHAR src = NdisGetDataBuffer(nb, len, dst, 1, 0);
    if (src && src != dst)
        NdisMoveMemory(dst, src, len);
    NET_BUFFER_DATA_LENGTH(rnb) = len;
    *m->rxq_tail = rx;
    m->rxq_tail = &NET_BUFFER_LIST_NEXT_NBL(rx);
    m->rxq_n++;
}

static void indicate(lmp *m)
{
    PNET_BUFFER_LIST head = m->rxq_head;
    ULONG n = m->rxq_n;
    if (!head)
        return;
    m->rxq_head = NULL;
    m->rxq_tail = &m->rxq_head;
    m->rxq_n = 0;
    ULONG flags = dispatch_flag(NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
    if (m->cfg->rx_resources)
        flags |= NDIS_RECEIVE_FLAGS_RESOURCES;
    else
        m->cfg->rx_out += n;
    NdisMIndicateReceiveNetBufferLists(m->handle, head, NDIS_DEFAULT_PORT_NUMBER, n, flags);
    if (m->cfg->rx_resources) {
        /* ours again: back to the free list */
        while (head) {
            PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(head);
            NET_BUFFER_LIST_NEXT_NBL(head) = m->rx_free;
            m->rx_free = head;
            head = next;
        }
    }
}

static NDIS_STATUS answer_oid(lmp *m, PNDIS_OID_REQUEST r)
{
    loopmp_config *c = m->cfg;
    if (r->RequestType == NdisRequestSetInformation) {
        struct _SET *s = &r->DATA.SET_INFORMATION;
        if (s->Oid != OID_GEN_CURRENT_PACKET_FILTER)
            return NDIS_STATUS_NOT_SUPPORTED;
        if (s->InformationBufferLength < sizeof(ULONG)) {
            s->BytesNeeded = sizeof(ULONG);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        NdisMoveMemory(&c->packet_filter, s->InformationBuffer, sizeof(ULONG));
        s->BytesRead = sizeof(ULONG);
        return NDIS_STATUS_SUCCESS;
    }
    struct _QUERY *q = &r->DATA.QUERY_INFORMATION;
    ULONG value = 0;
    const void *src = &value;
    ULONG len = sizeof value;
    switch (q->Oid) {
    case OID_802_3_CURRENT_ADDRESS:
    case OID_802_3_PERMANENT_ADDRESS:
        src = c->mac;
        len = sizeof c->mac;
        break;
    case OID_GEN_MAXIMUM_FRAME_SIZE:
        value = 1500;
        break;
    case OID_GEN_LINK_SPEED:
        value = 100000; /* 10 Mbit/s in units of 100 bit/s */
        break;
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
    if (q->InformationBufferLength < len) {
        q->BytesNeeded = len;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    NdisMoveMemory(q->InformationBuffer, src, len);
    q->BytesWritten = len;
    return NDIS_STATUS_SUCCESS;
}

static NDIS_TIMER_FUNCTION lmp_timer;
static VOID lmp_timer(PVOID s1, PVOID ctx, PVOID s2, PVOID s3)
{
    (void)s1;
    (void)s2;
    (void)s3;
    lmp *m = ctx;
    m->timer_set = FALSE;
    if (!m->cfg->hold_sends)
        complete_sends(m);
    indicate(m);
    if (m->oid && !m->cfg->never_complete_oid) {
        PNDIS_OID_REQUEST r = m->oid;
        m->oid = NULL;
        NdisMOidRequestComplete(m->handle, r, answer_oid(m, r));
    }
    if (m->restarting) {
        m->restarting = FALSE;
        NdisMRestartComplete(m->handle, m->cfg->restart_status);
    }
    if (m->resetting && !m->cfg->never_complete_reset) {
        m->resetting = FALSE;
        NdisMResetComplete(m->handle, m->cfg->reset_status, m->cfg->addressing_reset);
    }
    check_pause(m);
}

void loopmp_flush_sends(loopmp_config *cfg)
{
    lmp *m = cfg->context;
    if (m) {
        complete_sends(m);
        check_pause(m);
    }
}

static MINIPORT_SEND_NET_BUFFER_LISTS lmp_send;
static VOID lmp_send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port, ULONG flags)
{
    (void)port;
    lmp *m = ctx;
    loopmp_config *c = m->cfg;
    c->send_calls++;
    c->send_irql = KeGetCurrentIrql();
    c->send_flags = flags;
    while (nbls) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(nbls);
        NET_BUFFER_LIST_NEXT_NBL(nbls) = NULL;
        c->nbls_sent++;
        if (!c->no_loop && !m->pausing) {
            for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbls); nb; nb = NET_BUFFER_NEXT_NB(nb))
                loop_back(m, nb);
        }
        NET_BUFFER_LIST_STATUS(nbls) = m->pausing ? NDIS_STATUS_PAUSED : NDIS_STATUS_SUCCESS;
        *m->tx_tail = nbls;
        m->tx_tail = &NET_BUFFER_LIST_NEXT_NBL(nbls);
        nbls = next;
    }
    if (c->complete_inline)
        complete_sends(m);
    arm(m);
}

static MINIPORT_RETURN_NET_BUFFER_LISTS lmp_return;
static VOID lmp_return(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG flags)
{
    lmp *m = ctx;
    loopmp_config *c = m->cfg;
    c->return_calls++;
    c->return_irql = KeGetCurrentIrql();
    c->return_flags = flags;
    while (nbls) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(nbls);
        NET_BUFFER_LIST_NEXT_NBL(nbls) = m->rx_free;
        m->rx_free = nbls;
        c->nbls_returned++;
        c->rx_out--;
        nbls = next;
    }
    check_pause(m);
}

static MINIPORT_PAUSE lmp_pause;
static NDIS_STATUS lmp_pause(NDIS_HANDLE ctx, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    (void)p;
    lmp *m = ctx;
    loopmp_config *c = m->cfg;
    c->pauses++;
    /* receives not indicated yet are dropped: nothing is indicated while paused */
    while (m->rxq_head) {
        PNET_BUFFER_LIST rx = m->rxq_head;
        m->rxq_head = NET_BUFFER_LIST_NEXT_NBL(rx);
        NET_BUFFER_LIST_NEXT_NBL(rx) = m->rx_free;
        m->rx_free = rx;
    }
    m->rxq_tail = &m->rxq_head;
    m->rxq_n = 0;
    if (c->pause_early)
        return NDIS_STATUS_SUCCESS;
    m->pausing = TRUE;
    if (!c->pend_pause && !m->tx_head && c->rx_out == 0) {
        m->pausing = FALSE;
        return NDIS_STATUS_SUCCESS;
    }
    arm(m);
    return NDIS_STATUS_PENDING;
}

static MINIPORT_RESTART lmp_restart;
static NDIS_STATUS lmp_restart(NDIS_HANDLE ctx, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    (void)p;
    lmp *m = ctx;
    m->cfg->restarts++;
    if (m->cfg->pend_restart) {
        m->restarting = TRUE;
        arm(m);
        return NDIS_STATUS_PENDING;
    }
    return m->cfg->restart_status;
}

static MINIPORT_OID_REQUEST lmp_oid;
static NDIS_STATUS lmp_oid(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    lmp *m = ctx;
    m->cfg->oids++;
    m->cfg->last_oid = r->DATA.QUERY_INFORMATION.Oid;
    if (m->cfg->pend_oid) {
        m->oid = r;
        arm(m);
        return NDIS_STATUS_PENDING;
    }
    return answer_oid(m, r);
}

static MINIPORT_INITIALIZE lmp_initialize;
static NDIS_STATUS lmp_initialize(NDIS_HANDLE handle, NDIS_HANDLE drv_ctx,
                                  PNDIS_MINIPORT_INIT_PARAMETERS params)
{
    (void)params;
    loopmp_config *c = drv_ctx;
    c->inits++;
    c->adapter_handle = handle;
    lmp *m = calloc(1, sizeof *m);
    if (!m)
        return NDIS_STATUS_RESOURCES;
    m->cfg = c;
    m->handle = handle;
    m->tx_tail = &m->tx_head;
    m->rxq_tail = &m->rxq_head;
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
    NdisZeroMemory(&ra, sizeof ra);
    ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    ra.MiniportAdapterContext = m;
    ra.InterfaceType = NdisInterfaceIsa;
    NDIS_STATUS st = NdisMSetMiniportAttributes(handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
    if (st != NDIS_STATUS_SUCCESS) {
        free(m);
        return st;
    }
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    NdisZeroMemory(&pp, sizeof pp);
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.fAllocateNetBuffer = TRUE;
    pp.PoolTag = 0x706D6C4C; /* 'Llmp' */
    pp.DataSize = c->rx_size;
    c->rx_pool = NdisAllocateNetBufferListPool(handle, &pp);
    NDIS_TIMER_CHARACTERISTICS tc;
    NdisZeroMemory(&tc, sizeof tc);
    tc.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    tc.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    tc.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
    tc.TimerFunction = lmp_timer;
    tc.FunctionContext = m;
    if (!c->rx_pool || NdisAllocateTimerObject(handle, &tc, &m->timer) != NDIS_STATUS_SUCCESS) {
        if (c->rx_pool)
            NdisFreeNetBufferListPool(c->rx_pool);
        free(m);
        return NDIS_STATUS_RESOURCES;
    }
    ULONG n = c->rx_count > LOOPMP_RX_MAX ? LOOPMP_RX_MAX : c->rx_count;
    for (ULONG i = 0; i < n; i++) {
        PNET_BUFFER_LIST rx = NdisAllocateNetBufferList(c->rx_pool, 0, 0);
        if (!rx)
            break;
        NET_BUFFER_LIST_NEXT_NBL(rx) = m->rx_free;
        m->rx_free = rx;
    }
    c->context = m;
    return NDIS_STATUS_SUCCESS;
}

static MINIPORT_HALT lmp_halt;
static VOID lmp_halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
    (void)action;
    lmp *m = ctx;
    loopmp_config *c = m->cfg;
    c->halts++;
    NdisCancelTimerObject(m->timer);
    NdisFreeTimerObject(m->timer);
    while (m->rx_free) {
        PNET_BUFFER_LIST rx = m->rx_free;
        m->rx_free = NET_BUFFER_LIST_NEXT_NBL(rx);
        NdisFreeNetBufferList(rx);
    }
    NdisFreeNetBufferListPool(c->rx_pool);
    c->rx_pool = NULL;
    c->context = NULL;
    free(m);
}

static MINIPORT_UNLOAD lmp_unload;
static VOID lmp_unload(PDRIVER_OBJECT d)
{
    (void)d;
    NdisMDeregisterMiniportDriver(g_cfg->driver_handle);
}

static MINIPORT_CANCEL_SEND lmp_cancel_send;
static VOID lmp_cancel_send(NDIS_HANDLE ctx, PVOID id)
{
    (void)ctx;
    (void)id;
}

static MINIPORT_RESET lmp_reset;
static NDIS_STATUS lmp_reset(NDIS_HANDLE ctx, PBOOLEAN addressing_reset)
{
    lmp *m = ctx;
    m->cfg->resets++;
    *addressing_reset = FALSE;
    if (m->cfg->pend_reset) {
        m->resetting = TRUE;
        arm(m);
        return NDIS_STATUS_PENDING;
    }
    *addressing_reset = m->cfg->addressing_reset;
    return m->cfg->reset_status;
}

static MINIPORT_DEVICE_PNP_EVENT_NOTIFY lmp_pnp;
static VOID lmp_pnp(NDIS_HANDLE ctx, PNET_DEVICE_PNP_EVENT ev)
{
    (void)ctx;
    (void)ev;
}

static MINIPORT_SHUTDOWN lmp_shutdown;
static VOID lmp_shutdown(NDIS_HANDLE ctx, NDIS_SHUTDOWN_ACTION action)
{
    (void)ctx;
    (void)action;
}

static MINIPORT_CANCEL_OID_REQUEST lmp_cancel_oid;
static VOID lmp_cancel_oid(NDIS_HANDLE ctx, PVOID id)
{
    (void)ctx;
    (void)id;
}

NTSTATUS loopmp_DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    if (!g_cfg)
        loopmp_use(NULL);
    loopmp_config *c = g_cfg;
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS mc;
    NdisZeroMemory(&mc, sizeof mc);
    mc.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    mc.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    mc.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    mc.MajorNdisVersion = 6;
    mc.MinorNdisVersion = 0;
    mc.MajorDriverVersion = 1;
    mc.InitializeHandlerEx = lmp_initialize;
    mc.HaltHandlerEx = lmp_halt;
    mc.UnloadHandler = lmp_unload;
    mc.PauseHandler = lmp_pause;
    mc.RestartHandler = lmp_restart;
    mc.OidRequestHandler = lmp_oid;
    mc.SendNetBufferListsHandler = lmp_send;
    mc.ReturnNetBufferListsHandler = lmp_return;
    mc.CancelSendHandler = lmp_cancel_send;
    mc.ResetHandlerEx = lmp_reset;
    mc.DevicePnPEventNotifyHandler = lmp_pnp;
    mc.ShutdownHandlerEx = lmp_shutdown;
    mc.CancelOidRequestHandler = lmp_cancel_oid;
    NDIS_STATUS st =
        NdisMRegisterMiniportDriver(DriverObject, RegistryPath, c, &mc, &c->driver_handle);
    return st == NDIS_STATUS_SUCCESS ? STATUS_SUCCESS : (NTSTATUS)st;
}
