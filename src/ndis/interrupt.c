/*
 * Miniport interrupts: NdisMRegisterInterruptEx, NdisMDeregisterInterruptEx,
 * NdisMSynchronizeWithInterruptEx.
 *
 * Concept: an adapter's interrupt resource is an ISA IRQ line. Registering
 * connects a kernel service routine to the line (nd_kernel_connect_interrupt)
 * at the line's DIRQL. When a device raises the line, the kernel runs the
 * trampoline below at DIRQL; it calls the miniport's MiniportInterrupt, and
 * if that sets QueueDefaultInterruptDpc, queues the interrupt's DPC, which
 * runs MiniportInterruptDPC at DISPATCH_LEVEL at the next delivery point of
 * ndisdma_machine_run. Line-based interrupts only (ISA has no MSI).
 */
#include <stdlib.h>
#include <string.h>

#include "ndis/ndis_impl.h"

static const char ddi_reg[] = "NdisMRegisterInterruptEx";
static const char ddi_dereg[] = "NdisMDeregisterInterruptEx";
static const char ddi_sync[] = "NdisMSynchronizeWithInterruptEx";

/* DIRQL of ISA line @irq: device levels 12 down to 3, following the 8259
   pair's priority order (0, 1, 8-15, 3-7; 2 is the cascade), so a line the
   PIC prefers also preempts at a higher IRQL. */
static KIRQL line_dirql(unsigned irq)
{
    static const unsigned char rank[16] = {0, 1, 0, 10, 11, 12, 13, 14, 2, 3, 4, 5, 6, 7, 8, 9};
    return (KIRQL)(12u - (rank[irq & 15u] * 9u) / 14u);
}

/* The ISR, at DIRQL. */
static BOOLEAN isr(void *ctx)
{
    nd_mp_interrupt *i = ctx;
    BOOLEAN queue = FALSE;
    ULONG targets = 0;
    BOOLEAN mine = i->chars.InterruptHandler(i->context, &queue, &targets);
    if (queue)
        nd_dpc_queue(i->k, &i->dpc, NULL, NULL);
    return mine;
}

/* The DPC, at DISPATCH_LEVEL. */
static void dpc(nd_kernel *k, void *ctx, void *arg1, void *arg2)
{
    (void)k;
    (void)arg1;
    (void)arg2;
    nd_mp_interrupt *i = ctx;
    i->chars.InterruptDpcHandler(i->context, NULL, NULL, NULL);
}

static NDIS_STATUS ddi_body_NdisMRegisterInterruptEx(
    NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportInterruptContext,
    PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MiniportInterruptCharacteristics,
    PNDIS_HANDLE NdisInterruptHandle)
{
    nd_mp_adapter *a = nd_ndis_adapter_from_handle(MiniportAdapterHandle, ddi_reg);
    if (NdisInterruptHandle)
        *NdisInterruptHandle = NULL;
    if (!a)
        return NDIS_STATUS_FAILURE;
    nd_kernel *k = a->n->k;
    if (!nd_irql_is(k, PASSIVE_LEVEL, ddi_reg))
        return NDIS_STATUS_FAILURE;
    if (!NdisInterruptHandle || !MiniportInterruptCharacteristics) {
        nd_kernel_violation(k, ddi_reg, "%s is NULL",
                            NdisInterruptHandle ? "MiniportInterruptCharacteristics"
                                                : "NdisInterruptHandle");
        return NDIS_STATUS_FAILURE;
    }
    PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS c = MiniportInterruptCharacteristics;
    if (c->Header.Type != NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT || c->Header.Revision < 1 ||
        c->Header.Size < NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1) {
        nd_kernel_violation(k, ddi_reg, "bad Header (type, revision or size)");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (!c->InterruptHandler || !c->InterruptDpcHandler) {
        nd_kernel_violation(k, ddi_reg, "%s is NULL",
                            c->InterruptHandler ? "InterruptDpcHandler" : "InterruptHandler");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (c->MsiSupported) {
        nd_kernel_violation(k, ddi_reg, "MsiSupported: ISA interrupts are line-based");
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    if (a->interrupt) {
        nd_kernel_violation(k, ddi_reg, "the adapter has registered its interrupt already");
        return NDIS_STATUS_FAILURE;
    }
    if (a->res.irq < 0) {
        nd_kernel_violation(k, ddi_reg, "the adapter has no interrupt resource");
        return NDIS_STATUS_RESOURCES;
    }
    nd_mp_interrupt *i = calloc(1, sizeof *i);
    if (!i)
        return NDIS_STATUS_RESOURCES;
    i->a = a;
    i->k = k;
    i->context = MiniportInterruptContext;
    i->chars = *c;
    nd_dpc_init(&i->dpc, dpc, i);
    i->dpc.name = "MiniportInterruptDPC";
    unsigned irq = (unsigned)a->res.irq;
    int rc = nd_kernel_connect_interrupt(k, irq, line_dirql(irq), isr, i, &i->ki);
    if (rc != 0 || nd_handle_add(a->n, &i->obj, ND_KIND_INTERRUPT) != 0) {
        if (rc != 0)
            nd_kernel_violation(k, ddi_reg, "IRQ %u cannot be connected: %s", irq,
                                ndisdma_strerror(rc));
        else
            nd_kernel_disconnect_interrupt(i->ki);
        free(i);
        return NDIS_STATUS_RESOURCES;
    }
    c->InterruptType = NDIS_CONNECT_LINE_BASED;
    c->MessageInfoTable = NULL;
    a->interrupt = i;
    *NdisInterruptHandle = (NDIS_HANDLE)i;
    return NDIS_STATUS_SUCCESS;
}

void nd_interrupt_release(nd_mp_interrupt *i)
{
    nd_mp_adapter *a = i->a;
    nd_kernel_disconnect_interrupt(i->ki);
    nd_dpc_remove(a->n->k, &i->dpc);
    if (a->interrupt == i)
        a->interrupt = NULL;
    nd_handle_del(a->n, &i->obj);
    free(i);
}

static VOID ddi_body_NdisMDeregisterInterruptEx(NDIS_HANDLE NdisInterruptHandle)
{
    nd_mp_interrupt *i =
        (nd_mp_interrupt *)nd_handle_get(NdisInterruptHandle, ND_KIND_INTERRUPT, ddi_dereg);
    if (!i)
        return;
    if (!nd_irql_is(i->a->n->k, PASSIVE_LEVEL, ddi_dereg))
        return;
    nd_interrupt_release(i);
}

/* @k: the calling thread's kernel, from the DDI: a handle nd_handle_get
   finds is one of its NDIS layer, so @k is the interrupt's i->a->n->k. */
static BOOLEAN ddi_body_NdisMSynchronizeWithInterruptEx(
    nd_kernel *k, NDIS_HANDLE NdisInterruptHandle, ULONG MessageId,
    MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER SynchronizeFunction, PVOID SynchronizeContext)
{
    nd_mp_interrupt *i =
        (nd_mp_interrupt *)nd_handle_get(NdisInterruptHandle, ND_KIND_INTERRUPT, ddi_sync);
    if (!i)
        return FALSE;
    if (MessageId != 0)
        nd_kernel_violation(k, ddi_sync, "MessageId %u: line-based interrupts have only 0",
                            (unsigned)MessageId);
    if (!SynchronizeFunction) {
        nd_kernel_violation(k, ddi_sync, "SynchronizeFunction is NULL");
        return FALSE;
    }
    if (!nd_kernel_irql_at_most(k, nd_interrupt_irql(i->ki), ddi_sync))
        return FALSE;
    return nd_kernel_synchronize(i->ki, SynchronizeFunction, SynchronizeContext);
}

/* ---- the exported DDIs: the verifier's call bracket around each ---- */

NDIS_STATUS
NdisMRegisterInterruptEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportInterruptContext,
                         PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MiniportInterruptCharacteristics,
                         PNDIS_HANDLE NdisInterruptHandle)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[4] = {
        nd_ptr_arg(MiniportAdapterHandle), nd_ptr_arg(MiniportInterruptContext),
        nd_ptr_arg(MiniportInterruptCharacteristics), nd_ptr_arg(NdisInterruptHandle)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMRegisterInterruptEx", 4, args, &sv);
    NDIS_STATUS r =
        ddi_body_NdisMRegisterInterruptEx(MiniportAdapterHandle, MiniportInterruptContext,
                                          MiniportInterruptCharacteristics, NdisInterruptHandle);
    nd_verify_ddi_leave(k, fast, "NdisMRegisterInterruptEx", (int64_t)r, &sv);
    return r;
}

VOID NdisMDeregisterInterruptEx(NDIS_HANDLE NdisInterruptHandle)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(NdisInterruptHandle)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMDeregisterInterruptEx", 1, args, &sv);
    ddi_body_NdisMDeregisterInterruptEx(NdisInterruptHandle);
    nd_verify_ddi_leave(k, fast, "NdisMDeregisterInterruptEx", 0, &sv);
}

BOOLEAN NdisMSynchronizeWithInterruptEx(NDIS_HANDLE NdisInterruptHandle, ULONG MessageId,
                                        MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER SynchronizeFunction,
                                        PVOID SynchronizeContext)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[4] = {nd_ptr_arg(NdisInterruptHandle), (uint64_t)MessageId,
                              (uint64_t)(SynchronizeFunction != NULL),
                              nd_ptr_arg(SynchronizeContext)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMSynchronizeWithInterruptEx", 4, args, &sv);
    BOOLEAN r = ddi_body_NdisMSynchronizeWithInterruptEx(k, NdisInterruptHandle, MessageId,
                                                         SynchronizeFunction, SynchronizeContext);
    nd_verify_ddi_leave(k, fast, "NdisMSynchronizeWithInterruptEx", (int64_t)r, &sv);
    return r;
}
