/*
 * Miniport adapters: starting (MiniportInitializeEx with the allocated
 * resources), stopping (MiniportHaltEx), NdisMSetMiniportAttributes, and the
 * release of what a driver leaves registered.
 *
 * Concept: an adapter is born INITIALIZING; its handle (the
 * NdisMiniportHandle) is live from then on. MiniportInitializeEx must set
 * the registration attributes first (they give NDIS the
 * MiniportAdapterContext), then may register its DMA channel, interrupt,
 * port ranges and timers, all of which the adapter lists. A failed
 * initialisation must have released them; a halt must release them. What
 * is still listed afterwards is released here and reported, one violation
 * per item, so a broken driver leaks nothing and is told what it forgot.
 */
#include <stdlib.h>
#include <string.h>

#include "ndis/ndis_impl.h"

/* IO_TYPE_DEVICE in the WDK. */
#define ND_IO_TYPE_DEVICE 3

void ndisdma_resources_init(ndisdma_resources *res)
{
    if (!res)
        return;
    res->dma_channel = -1;
    res->irq = -1;
    res->io_base = 0;
    res->io_length = 0;
}

/* Build the CM partial resource list of @a from its resources. */
static void build_resources(nd_mp_adapter *a)
{
    CM_PARTIAL_RESOURCE_LIST *l = &a->resources.list;
    l->Version = 1;
    l->Revision = 1;
    ULONG i = 0;
    if (a->res.dma_channel >= 0) {
        CM_PARTIAL_RESOURCE_DESCRIPTOR *d = &l->PartialDescriptors[i++];
        d->Type = CmResourceTypeDma;
        d->ShareDisposition = CmResourceShareDeviceExclusive;
        d->Flags = a->res.dma_channel >= 4 ? CM_RESOURCE_DMA_16 : CM_RESOURCE_DMA_8;
        d->u.Dma.Channel = (ULONG)a->res.dma_channel;
        d->u.Dma.Port = 0;
    }
    if (a->res.irq >= 0) {
        CM_PARTIAL_RESOURCE_DESCRIPTOR *d = &l->PartialDescriptors[i++];
        d->Type = CmResourceTypeInterrupt;
        d->ShareDisposition = CmResourceShareDeviceExclusive;
        d->Flags = CM_RESOURCE_INTERRUPT_LATCHED; /* ISA: edge-triggered */
        d->u.Interrupt.Level = (ULONG)a->res.irq;
        d->u.Interrupt.Vector = (ULONG)a->res.irq;
        d->u.Interrupt.Affinity = 1;
    }
    if (a->res.io_length > 0) {
        CM_PARTIAL_RESOURCE_DESCRIPTOR *d = &l->PartialDescriptors[i++];
        d->Type = CmResourceTypePort;
        d->ShareDisposition = CmResourceShareDeviceExclusive;
        d->Flags = CM_RESOURCE_PORT_IO | CM_RESOURCE_PORT_16_BIT_DECODE;
        d->u.Port.Start.QuadPart = a->res.io_base;
        d->u.Port.Length = a->res.io_length;
    }
    l->Count = i;
}

static void unlink_adapter(nd_mp_adapter *a)
{
    for (nd_mp_adapter **pp = &a->drv->adapters; *pp; pp = &(*pp)->next) {
        if (*pp == a) {
            *pp = a->next;
            return;
        }
    }
}

void nd_adapter_release_leftovers(nd_mp_adapter *a, const char *when)
{
    nd_kernel *k = a->n->k;
    while (a->dmas) {
        nd_verify_report(k, NDISDMA_RULE_HALT_REGISTERED, "NdisMDeregisterDmaChannel",
                         "DMA channel %u is still registered %s; deregistered", a->dmas->channel,
                         when);
        nd_dma_release(a->dmas);
    }
    if (a->interrupt) {
        nd_kernel_violation(k, "NdisMDeregisterInterruptEx",
                            "the interrupt is still registered %s; deregistered", when);
        nd_interrupt_release(a->interrupt);
    }
    while (a->ports) {
        nd_port_range *p = a->ports;
        nd_kernel_violation(k, "NdisMDeregisterIoPortRange",
                            "ports 0x%X-0x%X are still registered %s; deregistered", p->first,
                            p->first + p->count - 1, when);
        a->ports = p->next;
        free(p);
    }
    while (a->timers) {
        nd_kernel_violation(k, "NdisFreeTimerObject", "a timer object is still allocated %s; freed",
                            when);
        nd_timer_release(a->timers);
    }
    nd_pools_release_owner(a->n, &a->obj, when);
}

static void free_adapter(nd_mp_adapter *a)
{
    nd_handle_del(a->n, &a->obj);
    unlink_adapter(a);
    free(a->pdo);
    free(a);
}

/* After driver code ran: back at PASSIVE_LEVEL, or a violation. */
static void check_passive(nd_kernel *k, const char *who)
{
    if (nd_kernel_irql() != PASSIVE_LEVEL) {
        nd_kernel_violation(k, who, "returned at IRQL %u", (unsigned)nd_kernel_irql());
        nd_kernel_set_irql(PASSIVE_LEVEL);
    }
}

int ndisdma_adapter_start(ndisdma_driver *drv, const ndisdma_resources *res, ndisdma_adapter **out)
{
    if (!out)
        return NDISDMA_EINVAL;
    *out = NULL;
    if (!drv || !res)
        return NDISDMA_EINVAL;
    if (res->dma_channel < -1 || res->dma_channel > 7 || res->dma_channel == 4 || res->irq < -1 ||
        res->irq > 15 || (uint32_t)res->io_base + res->io_length > 0x10000u)
        return NDISDMA_EINVAL;
    nd_ndis *n = drv->n;
    nd_kernel *k = n->k;
    if (nd_kernel_current() == k && nd_kernel_irql() != PASSIVE_LEVEL) {
        nd_kernel_violation(k, "ndisdma_adapter_start",
                            "called at IRQL %u; host calls need PASSIVE_LEVEL",
                            (unsigned)nd_kernel_irql());
        return NDISDMA_EIRQL;
    }
    if (!drv->registered)
        return NDISDMA_ESTATE;
    struct ndisdma_adapter *pub = calloc(1, sizeof *pub);
    if (!pub)
        return NDISDMA_ENOMEM;
    nd_mp_adapter *a = &pub->mp;
    a->pdo = calloc(1, sizeof *a->pdo);
    if (!a->pdo || nd_handle_add(n, &a->obj, ND_KIND_ADAPTER) != 0) {
        free(a->pdo);
        free(pub);
        return NDISDMA_ENOMEM;
    }
    a->pdo->Type = ND_IO_TYPE_DEVICE;
    a->pdo->Size = (USHORT)sizeof *a->pdo;
    a->pdo->ReferenceCount = 1;
    a->pdo->DriverObject = &drv->drvobj;
    a->pdo->NdisdmaKernel = k;
    a->n = n;
    a->drv = drv;
    a->res = *res;
    a->state = ND_ADAPTER_INITIALIZING;
    build_resources(a);
    a->init.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS;
    a->init.Header.Revision = NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1;
    a->init.Header.Size = (USHORT)NDIS_SIZEOF_MINIPORT_INIT_PARAMETERS_REVISION_1;
    a->init.AllocatedResources = &a->resources.list;
    a->init.IfIndex = 1;
    a->next = drv->adapters;
    drv->adapters = a;

    nd_kernel_binding saved;
    nd_kernel_enter(k, &saved);
    NDIS_STATUS st = drv->chars.InitializeHandlerEx((NDIS_HANDLE)a, drv->context, &a->init);
    check_passive(k, "MiniportInitializeEx");
    int rc = 0;
    if (st != NDIS_STATUS_SUCCESS) {
        if (st == NDIS_STATUS_PENDING)
            nd_kernel_violation(k, "MiniportInitializeEx",
                                "returned NDIS_STATUS_PENDING, which it may not");
        nd_adapter_release_leftovers(a, "after a failed MiniportInitializeEx");
        rc = NDISDMA_EINIT;
    } else if (!a->reg_attrs) {
        nd_kernel_violation(k, "MiniportInitializeEx",
                            "returned success without setting its registration attributes "
                            "(NdisMSetMiniportAttributes); the adapter fails to start");
        nd_adapter_release_leftovers(a, "after MiniportInitializeEx without attributes");
        rc = NDISDMA_EINIT;
    }
    if (rc != 0) {
        free_adapter(a);
    } else {
        a->state = ND_ADAPTER_STARTED;
        nd_datapath_started(a); /* NDIS 6: Paused, then MiniportRestart: Running */
        *out = pub;
    }
    nd_kernel_leave(&saved);
    return rc;
}

void nd_adapter_stop(nd_mp_adapter *a)
{
    nd_kernel *k = a->n->k;
    nd_datapath_before_halt(a); /* NDIS pauses a Running adapter before it halts it */
    a->state = ND_ADAPTER_HALTING;
    a->drv->chars.HaltHandlerEx(a->context, NdisHaltDeviceStopped);
    check_passive(k, "MiniportHaltEx");
    nd_adapter_release_leftovers(a, "after MiniportHaltEx");
    free_adapter(a);
}

void ndisdma_adapter_stop(ndisdma_adapter *pub)
{
    if (!pub)
        return;
    nd_mp_adapter *a = &pub->mp;
    nd_kernel *k = a->n->k;
    if (nd_kernel_current() == k && nd_kernel_irql() != PASSIVE_LEVEL) {
        nd_kernel_violation(k, "ndisdma_adapter_stop",
                            "called at IRQL %u; host calls need PASSIVE_LEVEL",
                            (unsigned)nd_kernel_irql());
        return;
    }
    nd_kernel_binding saved;
    nd_kernel_enter(k, &saved);
    nd_adapter_stop(a);
    nd_kernel_leave(&saved);
}

NDIS_HANDLE ndisdma_adapter_handle(const ndisdma_adapter *pub)
{
    return pub ? (NDIS_HANDLE)&pub->mp : NULL;
}

NDIS_HANDLE ndisdma_adapter_context(const ndisdma_adapter *pub)
{
    return pub ? pub->mp.context : NULL;
}

ndisdma_machine *ndisdma_adapter_machine(const ndisdma_adapter *pub)
{
    return pub ? nd_kernel_owner(pub->mp.n->k) : NULL;
}

/* Header check: @type, revision >= 1 and size >= @size1 (revision 1). */
static bool header_ok(const NDIS_OBJECT_HEADER *h, USHORT size1)
{
    return h->Revision >= 1 && h->Size >= size1;
}

static NDIS_STATUS
ddi_body_NdisMSetMiniportAttributes(NDIS_HANDLE NdisMiniportHandle,
                                    PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes)
{
    static const char ddi[] = "NdisMSetMiniportAttributes";
    nd_mp_adapter *a = nd_ndis_adapter_from_handle(NdisMiniportHandle, ddi);
    if (!a)
        return NDIS_STATUS_FAILURE;
    nd_kernel *k = a->n->k;
    if (!nd_irql_is(k, PASSIVE_LEVEL, ddi))
        return NDIS_STATUS_FAILURE;
    if (!MiniportAttributes) {
        nd_kernel_violation(k, ddi, "MiniportAttributes is NULL");
        return NDIS_STATUS_FAILURE;
    }
    if (a->state != ND_ADAPTER_INITIALIZING) {
        nd_kernel_violation(k, ddi, "called outside MiniportInitializeEx");
        return NDIS_STATUS_FAILURE;
    }
    const NDIS_OBJECT_HEADER *h = &MiniportAttributes->RegistrationAttributes.Header;
    switch (h->Type) {
    case NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES: {
        if (!header_ok(h, NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1)) {
            nd_kernel_violation(k, ddi, "registration attributes: bad revision or size");
            return NDIS_STATUS_INVALID_PARAMETER;
        }
        if (a->reg_attrs) {
            nd_kernel_violation(k, ddi, "registration attributes set twice");
            return NDIS_STATUS_FAILURE;
        }
        const NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES *r =
            &MiniportAttributes->RegistrationAttributes;
        a->context = r->MiniportAdapterContext;
        a->attribute_flags = r->AttributeFlags;
        a->interface_type = r->InterfaceType;
        a->reg_attrs = true;
        return NDIS_STATUS_SUCCESS;
    }
    case NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES:
        if (!header_ok(h, NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1)) {
            nd_kernel_violation(k, ddi, "general attributes: bad revision or size");
            return NDIS_STATUS_INVALID_PARAMETER;
        }
        break;
    case NDIS_OBJECT_TYPE_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES:
    case NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES:
        if (!header_ok(h, sizeof(NDIS_OBJECT_HEADER) + sizeof(PVOID))) {
            nd_kernel_violation(k, ddi, "attributes of type 0x%02X: bad revision or size", h->Type);
            return NDIS_STATUS_INVALID_PARAMETER;
        }
        break;
    default:
        nd_kernel_violation(k, ddi, "unknown attributes Header.Type 0x%02X", h->Type);
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (!a->reg_attrs) {
        nd_kernel_violation(k, ddi, "attributes of type 0x%02X before the registration attributes",
                            h->Type);
        return NDIS_STATUS_FAILURE;
    }
    if (h->Type == NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES)
        a->gen_attrs = true;
    return NDIS_STATUS_SUCCESS;
}

/* ---- the exported DDIs: the verifier's call bracket around each ---- */

NDIS_STATUS NdisMSetMiniportAttributes(NDIS_HANDLE NdisMiniportHandle,
                                       PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {nd_ptr_arg(NdisMiniportHandle), nd_ptr_arg(MiniportAttributes)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMSetMiniportAttributes", 2, args, &sv);
    NDIS_STATUS r = ddi_body_NdisMSetMiniportAttributes(NdisMiniportHandle, MiniportAttributes);
    nd_verify_ddi_leave(k, fast, "NdisMSetMiniportAttributes", (int64_t)r, &sv);
    return r;
}
