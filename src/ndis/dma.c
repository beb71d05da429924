/*
 * The NDIS system-DMA DDIs: NdisMRegisterDmaChannel,
 * NdisMDeregisterDmaChannel, NdisSetupDmaTransfer / NdisMSetupDmaTransfer,
 * NdisCompleteDmaTransfer / NdisMCompleteDmaTransfer, NdisMReadDmaCounter
 * (spec/ndis-system-dma.md N1-N27).
 *
 * Concept: ndis.sys is a thin layer over the HAL's DMA adapter. Register
 * translates the NDIS_DMA_DESCRIPTION into a DEVICE_DESCRIPTION for an ISA
 * subordinate device on the channel the DmaChannel *parameter* names (N2:
 * Windows ignores DmaDescription->DmaChannel and DmaChannelSpecified),
 * gets an adapter (IoGetDmaAdapter), checks it offers the map registers a
 * MaximumLength transfer needs (N4), and allocates the adapter channel once,
 * at DISPATCH_LEVEL, keeping it (KeepObject) until Deregister (N5). So
 * Setup and Complete never wait: Setup is one MapTransfer on the first
 * buffer of the chain, Complete one FlushAdapterBuffers, and the DMA block
 * records the transfer in progress in between (N10, N16).
 *
 * Status codes: NDIS_STATUS_FAILURE means bad arguments (NULL pointers,
 * unknown handles, wrong IRQL, no registration attributes); every other
 * failure of Register is NDIS_STATUS_RESOURCES (N7). Setup refuses with
 * NDIS_STATUS_RESOURCES (N10-N12); Complete returns NDIS_STATUS_RESOURCES
 * only when the flush says the data may be incoherent (N19) and releases the
 * channel in every case (N21).
 *
 * Where Windows differs: a channel already registered by another adapter
 * would make Windows block inside AllocateAdapterChannel at PASSIVE_LEVEL;
 * ndisdma refuses with NDIS_STATUS_RESOURCES and a violation (N6).
 *
 * The HAL is called through the adapter's operations table, except on the
 * paths of Setup, Complete and ReadDmaCounter, which have just checked the
 * IRQL (and, for Setup, the MDL and the range, N11), pass the adapter
 * IoGetDmaAdapter gave, which holds its channel from Register to the
 * release (KeepObject), with the map-register base its execution routine
 * received, and flush with the record of their own Setup, and call the
 * HAL's _live entries directly (hal.h): the same work and reports without
 * checks that could find nothing there.
 */
#include <stdlib.h>
#include <string.h>

#include "hal/hal.h"
#include "kernel/kernel.h"
#include "ndis/ndis_impl.h"

static const char ddi_reg[] = "NdisMRegisterDmaChannel";
static const char ddi_dereg[] = "NdisMDeregisterDmaChannel";
static const char ddi_setup[] = "NdisMSetupDmaTransfer";
static const char ddi_complete[] = "NdisMCompleteDmaTransfer";
static const char ddi_counter[] = "NdisMReadDmaCounter";

/* Bytes one 8237 transfer moves on @ch: 64 KiB (0-3) or 128 KiB (5-7). */
static ULONG channel_window(unsigned ch)
{
    return ch >= 4 ? 0x20000u : 0x10000u;
}

/* N4: map registers for a transfer of up to @max_len bytes on @ch. */
static ULONG regs_for(ULONG max_len, unsigned ch)
{
    if (max_len == 0xFFFFFFFFu)
        max_len = channel_window(ch); /* unlimited: one whole 8237 transfer */
    if (max_len < 2)
        return 1;
    return ((max_len - 2u) >> PAGE_SHIFT) + 2u;
}

/* Execution routine of the register-time AllocateAdapterChannel (N5): keep
   the channel and the map registers. DISPATCH_LEVEL. */
static IO_ALLOCATION_ACTION keep_channel(PDEVICE_OBJECT dev, PIRP irp, PVOID base, PVOID ctx)
{
    (void)dev;
    (void)irp;
    nd_dma_block *b = ctx;
    b->map_base = base;
    b->granted = true;
    return KeepObject;
}

static bool resource_has_channel(const nd_mp_adapter *a, unsigned ch)
{
    return a->res.dma_channel >= 0 && (unsigned)a->res.dma_channel == ch;
}

static NDIS_STATUS register_channel(PNDIS_HANDLE MiniportDmaHandle,
                                    NDIS_HANDLE MiniportAdapterHandle, UINT DmaChannel,
                                    BOOLEAN Dma32BitAddresses, PNDIS_DMA_DESCRIPTION DmaDescription,
                                    ULONG MaximumLength)
{
    nd_mp_adapter *a = nd_ndis_adapter_from_handle(MiniportAdapterHandle, ddi_reg);
    if (MiniportDmaHandle)
        *MiniportDmaHandle = NULL; /* N7: unusable unless we succeed */
    if (!a)
        return NDIS_STATUS_FAILURE;
    nd_ndis *n = a->n;
    nd_kernel *k = n->k;
    nd_verify_call_adapter(k, a);
    if (!MiniportDmaHandle || !DmaDescription) {
        nd_verify_report(k, NDISDMA_RULE_NULL_ARG, ddi_reg, "%s is NULL",
                         MiniportDmaHandle ? "DmaDescription" : "MiniportDmaHandle");
        return NDIS_STATUS_FAILURE;
    }
    /* N1 */
    if (!nd_irql_is(k, PASSIVE_LEVEL, ddi_reg))
        return NDIS_STATUS_FAILURE;
    if (!a->reg_attrs) {
        nd_kernel_violation(k, ddi_reg,
                            "called before the miniport set its registration attributes "
                            "(NdisMSetMiniportAttributes)");
        return NDIS_STATUS_FAILURE;
    }
    if (a->state != ND_ADAPTER_INITIALIZING)
        nd_kernel_violation(k, ddi_reg, "called outside MiniportInitializeEx");
    /* N8 */
    if (DmaDescription->DmaPort != 0) {
        nd_verify_report(k, NDISDMA_RULE_REGISTER_REFUSED, ddi_reg,
                         "DmaPort is %u; it must be 0 on ISA (N8)",
                         (unsigned)DmaDescription->DmaPort);
        return NDIS_STATUS_RESOURCES;
    }
    /* N2: the parameter wins; say so when the description disagrees. */
    if (DmaDescription->DmaChannelSpecified && DmaDescription->DmaChannel != DmaChannel)
        nd_kernel_violation(k, ddi_reg,
                            "DmaDescription->DmaChannel %u differs from the DmaChannel parameter "
                            "%u; the parameter is used, as on Windows (N2)",
                            (unsigned)DmaDescription->DmaChannel, (unsigned)DmaChannel);
    if (DmaChannel <= 7 && DmaChannel != 4 && !resource_has_channel(a, DmaChannel))
        nd_kernel_violation(k, ddi_reg, "channel %u is not among the adapter's resources",
                            (unsigned)DmaChannel);
    /* N6: check before asking the HAL, which would queue the request. */
    if (DmaChannel <= 7) {
        nd_dma_block *owner = n->chan_owner[DmaChannel];
        if (owner || nd_hal_channel_busy(n->hal, DmaChannel)) {
            nd_verify_report(k, NDISDMA_RULE_REGISTER_REFUSED, ddi_reg,
                             "DMA channel %u is already registered by %s; Windows would "
                             "block here, ndisdma refuses (N6)",
                             (unsigned)DmaChannel,
                             owner ? (owner->a == a ? "this adapter" : "another adapter")
                                   : "another user of the HAL");
            return NDIS_STATUS_RESOURCES;
        }
    }
    /* N3 */
    DEVICE_DESCRIPTION dd;
    memset(&dd, 0, sizeof dd);
    dd.Version = DEVICE_DESCRIPTION_VERSION;
    dd.Master = FALSE;
    dd.ScatterGather = FALSE;
    dd.DemandMode = DmaDescription->DemandMode;
    dd.AutoInitialize = DmaDescription->AutoInitialize;
    dd.Dma32BitAddresses = Dma32BitAddresses;
    dd.IgnoreCount = FALSE;
    dd.BusNumber = 0;
    dd.DmaChannel = DmaChannel;
    dd.InterfaceType = Isa;
    dd.DmaWidth = DmaDescription->DmaWidth;
    dd.DmaSpeed = DmaDescription->DmaSpeed;
    dd.MaximumLength = MaximumLength;
    dd.DmaPort = DmaDescription->DmaPort;
    nd_dma_block *b = calloc(1, sizeof *b);
    if (!b)
        return NDIS_STATUS_RESOURCES;
    ULONG offered = 0;
    b->adapter = IoGetDmaAdapter(a->pdo, &dd, &offered);
    if (!b->adapter) {
        nd_verify_report(k, NDISDMA_RULE_REGISTER_REFUSED, ddi_reg,
                         "the HAL refused the description of channel %u (N3)",
                         (unsigned)DmaChannel);
        free(b);
        return NDIS_STATUS_RESOURCES;
    }
    b->ops = b->adapter->DmaOperations;
    b->channel = DmaChannel;
    b->a = a;
    /* N4 */
    b->nregs = regs_for(MaximumLength, DmaChannel);
    b->max_length = MaximumLength == 0xFFFFFFFFu ? channel_window(DmaChannel) : MaximumLength;
    if (offered < b->nregs) {
        nd_verify_report(k, NDISDMA_RULE_REGISTER_REFUSED, ddi_reg,
                         "channel %u: MaximumLength %u needs %u map registers, the adapter "
                         "offers %u (N4)",
                         (unsigned)DmaChannel, (unsigned)MaximumLength, (unsigned)b->nregs,
                         (unsigned)offered);
        b->ops->PutDmaAdapter(b->adapter);
        free(b);
        return NDIS_STATUS_RESOURCES;
    }
    /* N5: allocate the channel now, at DISPATCH_LEVEL, and keep it. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    NTSTATUS st = b->ops->AllocateAdapterChannel(b->adapter, a->pdo, b->nregs, keep_channel, b);
    KeLowerIrql(old);
    if (!NT_SUCCESS(st) || !b->granted || nd_handle_add(n, &b->obj, ND_KIND_DMA) != 0) {
        if (NT_SUCCESS(st) && !b->granted)
            nd_verify_report(k, NDISDMA_RULE_REGISTER_REFUSED, ddi_reg,
                             "channel %u: the map registers are not available now; "
                             "Windows would wait, ndisdma refuses",
                             (unsigned)DmaChannel);
        if (b->granted) {
            KeRaiseIrql(DISPATCH_LEVEL, &old);
            b->ops->FreeAdapterChannel(b->adapter);
            KeLowerIrql(old);
        }
        nd_hal_withdraw_adapter(b->adapter); /* drops a request still queued, quietly */
        free(b);
        return NDIS_STATUS_RESOURCES;
    }
    n->chan_owner[DmaChannel] = b;
    b->next = a->dmas;
    a->dmas = b;
    *MiniportDmaHandle = (NDIS_HANDLE)b;
    return NDIS_STATUS_SUCCESS;
}

/* ---- the verifier's receive poisoning (docs/verifier.md) ----
   A bounced receive is written by the device into the bounce buffer; the
   caller's range only gets the data at Complete (N17). Poisoning that range
   at Setup makes a driver that reads it early see NDISDMA_VERIFY_POISON
   instead of stale bytes that may look right. At Complete the bytes the
   device did not move get their old contents back, so correct drivers see
   exactly what they would without the verifier. */

/* Copy @len bytes between the MDL range at @va and @buf, page by page
   through the simulated frames, as the HAL does. */
static void range_copy(nd_kernel *k, PMDL mdl, PUCHAR va, uint8_t *buf, size_t len, bool to_mdl)
{
    const PFN_NUMBER *pfn = MmGetMdlPfnArray(mdl);
    while (len > 0) {
        size_t chunk = PAGE_SIZE - BYTE_OFFSET(va);
        if (chunk > len)
            chunk = len;
        uintptr_t idx =
            ((uintptr_t)va - ((uintptr_t)mdl->StartVa & ~(uintptr_t)(PAGE_SIZE - 1))) >> PAGE_SHIFT;
        uint64_t phys = ((uint64_t)pfn[idx] << PAGE_SHIFT) | BYTE_OFFSET(va);
        uint8_t *p = nd_kernel_phys_to_va(k, phys);
        if (!p)
            p = va;
        if (to_mdl)
            memcpy(p, buf, chunk);
        else
            memcpy(buf, p, chunk);
        va += chunk;
        buf += chunk;
        len -= chunk;
    }
}

static void poison(nd_dma_block *b)
{
    nd_kernel *k = b->a->n->k;
    b->saved = malloc(b->length);
    if (!b->saved)
        return; /* no poisoning without a copy to restore from */
    range_copy(k, b->mdl, b->va, b->saved, b->length, false);
    uint8_t *pat = malloc(b->length);
    if (!pat) {
        free(b->saved);
        b->saved = NULL;
        return;
    }
    memset(pat, NDISDMA_VERIFY_POISON, b->length);
    range_copy(k, b->mdl, b->va, pat, b->length, true);
    free(pat);
    b->poisoned = true;
    nd_verify_report(k, NDISDMA_RULE_RECEIVE_POISONED, ddi_setup,
                     "bytes %u..%u of Buffer %p hold 0x%02X until NdisMCompleteDmaTransfer: the "
                     "device writes a bounce buffer, the data reaches this buffer only at "
                     "Complete (N17)",
                     (unsigned)b->offset, (unsigned)(b->offset + b->length - 1), (void *)b->mdl,
                     NDISDMA_VERIFY_POISON);
}

/* Before the flush: a poisoned range that changed was written by the host
   while the transfer was in progress. */
static void poison_check(nd_dma_block *b)
{
    nd_kernel *k = b->a->n->k;
    uint8_t *now = malloc(b->length);
    if (!now)
        return;
    range_copy(k, b->mdl, b->va, now, b->length, false);
    ULONG i = 0;
    while (i < b->length && now[i] == NDISDMA_VERIFY_POISON)
        i++;
    if (i < b->length) {
        nd_verify_report(k, NDISDMA_RULE_RECEIVE_TOUCHED, ddi_complete,
                         "byte %u of the receive range of Buffer %p changed from the poison "
                         "0x%02X to 0x%02X before NdisMCompleteDmaTransfer: the host wrote the "
                         "buffer during the transfer",
                         (unsigned)(b->offset + i), (void *)b->mdl, NDISDMA_VERIFY_POISON, now[i]);
        /* the driver's bytes stand: nothing is restored */
        free(b->saved);
        b->saved = NULL;
    }
    free(now);
}

/* The HAL's flush of the transfer in progress, with the arguments of its
   Setup: those of the MapTransfer it made (Length: what MapTransfer
   returned, as Setup succeeded only when all of it was mapped). @irql_ok:
   the caller has just checked (or made) the IRQL at most DISPATCH_LEVEL, so
   the HAL need not check it again, nor compare these arguments with its
   mapping (nd_hal_flush_mapped_live); otherwise the flush goes through the
   adapter's operations table, with all of its checks. Inline, so that
   each caller's @irql_ok is a constant and picks its branch at compile
   time. */
static inline __attribute__((always_inline)) BOOLEAN hal_flush(nd_dma_block *b, bool irql_ok)
{
    return irql_ok ? nd_hal_flush_mapped_live(b->adapter)
                   : b->ops->FlushAdapterBuffers(b->adapter, b->mdl, b->map_base, b->va, b->length,
                                                 b->write);
}

/* flush after a poisoning Setup: the verifier's checks and restore around
   the HAL's flush. */
static __attribute__((noinline)) BOOLEAN flush_poisoned(nd_dma_block *b, bool irql_ok)
{
    nd_kernel *k = b->a->n->k;
    bool poisoned = b->poisoned && nd_kernel_mdl_is_live(k, b->mdl);
    ULONG moved = b->length;
    if (poisoned) {
        poison_check(b);
        ULONG left = b->ops->ReadDmaCounter(b->adapter);
        moved = left >= b->length ? 0 : b->length - left;
    }
    BOOLEAN ok = hal_flush(b, irql_ok);
    if (poisoned && b->saved)
        range_copy(k, b->mdl, (PUCHAR)b->va + moved, b->saved + moved, b->length - moved, true);
    if (b->saved) { /* only after a poisoning Setup */
        free(b->saved);
        b->saved = NULL;
    }
    b->poisoned = false;
    b->in_progress = false;
    return ok;
}

/* Flush the transfer in progress with the arguments of its Setup (see
   hal_flush for @irql_ok). Returns the HAL's answer. Without poisoning
   (the usual case) there is no saved copy either (poison keeps one only
   when it poisons), so flush_poisoned would do just the HAL's flush and
   end the transfer: that is done here. */
static inline BOOLEAN flush(nd_dma_block *b, bool irql_ok)
{
    if (__builtin_expect(b->poisoned, 0))
        return flush_poisoned(b, irql_ok);
    BOOLEAN ok = hal_flush(b, irql_ok);
    b->in_progress = false;
    return ok;
}

void nd_dma_release(nd_dma_block *b)
{
    nd_mp_adapter *a = b->a;
    nd_ndis *n = a->n;
    KIRQL old;
    if (b->in_progress)
        (void)flush(b, false); /* N27: masks the channel first */
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    b->ops->FreeAdapterChannel(b->adapter);
    KeLowerIrql(old);
    b->ops->PutDmaAdapter(b->adapter);
    if (n->chan_owner[b->channel] == b)
        n->chan_owner[b->channel] = NULL;
    for (nd_dma_block **pp = &a->dmas; *pp; pp = &(*pp)->next) {
        if (*pp == b) {
            *pp = b->next;
            break;
        }
    }
    nd_handle_del(n, &b->obj);
    free(b);
}

static void deregister_channel(NDIS_HANDLE MiniportDmaHandle)
{
    nd_dma_block *b = (nd_dma_block *)nd_handle_get(MiniportDmaHandle, ND_KIND_DMA, ddi_dereg);
    if (!b)
        return;
    nd_kernel *k = b->a->n->k;
    nd_verify_call_adapter(k, b->a);
    /* N25 */
    if (!nd_irql_is(k, PASSIVE_LEVEL, ddi_dereg))
        return;
    if (b->a->state == ND_ADAPTER_STARTED)
        nd_kernel_violation(k, ddi_dereg, "called outside MiniportInitializeEx and MiniportHaltEx");
    /* N27 */
    if (b->in_progress)
        nd_verify_report(k, NDISDMA_RULE_DEREGISTER_IN_PROGRESS, ddi_dereg,
                         "a transfer is in progress on channel %u; the channel is masked "
                         "and the transfer flushed (N27)",
                         b->channel);
    nd_dma_release(b); /* N26 */
}

/* The bodies of Setup, Complete and ReadDmaCounter take the calling
   thread's kernel @k from their DDI: a handle nd_handle_get finds is one of
   that kernel's NDIS layer, so @k is the block's b->a->n->k, without the
   three loads. */
static void setup_transfer(nd_kernel *k, PNDIS_STATUS Status, NDIS_HANDLE MiniportDmaHandle,
                           PNDIS_BUFFER Buffer, ULONG Offset, ULONG Length, BOOLEAN WriteToDevice)
{
    nd_dma_block *b = (nd_dma_block *)nd_handle_get(MiniportDmaHandle, ND_KIND_DMA, ddi_setup);
    if (!b) {
        *Status = NDIS_STATUS_FAILURE;
        return;
    }
    nd_verify_call_adapter(k, b->a);
    /* N9 */
    if (!nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi_setup)) {
        *Status = NDIS_STATUS_FAILURE;
        return;
    }
    /* N10: the transfer in progress is not touched. */
    if (b->in_progress) {
        nd_verify_report(k, NDISDMA_RULE_SETUP_IN_PROGRESS, ddi_setup,
                         "a transfer (Buffer %p, Offset %u, Length %u) is in progress on "
                         "channel %u; refused, the transfer in progress is not disturbed (N10)",
                         (void *)b->mdl, (unsigned)b->offset, (unsigned)b->length, b->channel);
        *Status = NDIS_STATUS_RESOURCES;
        return;
    }
    /* N11 */
    if (!Buffer || !nd_kernel_mdl_is_live(k, Buffer)) {
        nd_verify_report(k, Buffer ? NDISDMA_RULE_HANDLE_UNKNOWN : NDISDMA_RULE_NULL_ARG, ddi_setup,
                         "Buffer %p is not a live NDIS_BUFFER (MDL)", (void *)Buffer);
        *Status = NDIS_STATUS_RESOURCES;
        return;
    }
    ULONG count = MmGetMdlByteCount(Buffer);
    if (Length == 0 || (uint64_t)Offset + Length > count) {
        nd_verify_report(k, Length == 0 ? NDISDMA_RULE_ZERO_LENGTH : NDISDMA_RULE_RANGE_OUTSIDE,
                         ddi_setup,
                         "Offset %u + Length %u is %s the first buffer of the chain "
                         "(%u bytes) (N11)",
                         (unsigned)Offset, (unsigned)Length,
                         Length == 0 ? "empty inside" : "outside", (unsigned)count);
        *Status = NDIS_STATUS_RESOURCES;
        return;
    }
    /* N12 */
    PVOID va = (PCHAR)MmGetMdlVirtualAddress(Buffer) + Offset;
    b->in_progress = true;
    /* Never more than the channel was registered for: a longer transfer is
       mapped up to MaximumLength and then refused like any short map. */
    ULONG mapped = Length > b->max_length ? b->max_length : Length;
    /* MapTransfer; the IRQL, Buffer and the range were checked just above
       (N9, N11): va + mapped lies inside Buffer (mapped <= Length, and the
       registration refused a MaximumLength of 0, so mapped > 0). */
    (void)nd_hal_map_transfer_live(b->adapter, Buffer, b->map_base, va, &mapped, WriteToDevice);
    if (mapped < Length) {
        nd_verify_report(k, NDISDMA_RULE_LENGTH_ABOVE_MAX, ddi_setup,
                         "channel %u can map only %u of the %u bytes in one transfer "
                         "(MaximumLength or one 8237 transfer) (N12)",
                         b->channel, (unsigned)mapped, (unsigned)Length);
        if (mapped > 0)
            (void)b->ops->FlushAdapterBuffers(b->adapter, Buffer, b->map_base, va, mapped,
                                              WriteToDevice);
        b->in_progress = false;
        *Status = NDIS_STATUS_RESOURCES;
        return;
    }
    /* N13 */
    b->mdl = Buffer;
    b->offset = Offset;
    b->length = Length;
    b->write = WriteToDevice ? TRUE : FALSE;
    b->va = va;
    if (!b->write && !nd_kernel_verify(k)->no_poison && nd_hal_mapping_bounced(b->adapter))
        poison(b);
    *Status = NDIS_STATUS_SUCCESS;
}

static void complete_transfer(nd_kernel *k, PNDIS_STATUS Status, NDIS_HANDLE MiniportDmaHandle,
                              PNDIS_BUFFER Buffer, ULONG Offset, ULONG Length,
                              BOOLEAN WriteToDevice)
{
    nd_dma_block *b = (nd_dma_block *)nd_handle_get(MiniportDmaHandle, ND_KIND_DMA, ddi_complete);
    if (!b) {
        *Status = NDIS_STATUS_FAILURE;
        return;
    }
    nd_verify_call_adapter(k, b->a);
    /* N15: above DISPATCH_LEVEL is a violation, but N21 still holds: the
       HAL is driven at DISPATCH_LEVEL for the release. */
    KIRQL irql = nd_kernel_irql();
    bool raised = !nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi_complete);
    if (raised)
        nd_kernel_set_irql(DISPATCH_LEVEL);
    /* N16 */
    if (!b->in_progress) {
        nd_verify_report(k, NDISDMA_RULE_COMPLETE_WITHOUT_SETUP, ddi_complete,
                         "no transfer in progress on channel %u (N16)", b->channel);
        *Status = NDIS_STATUS_SUCCESS; /* nothing to flush; the channel is ready */
    } else {
        if (Buffer != b->mdl || Offset != b->offset || Length != b->length ||
            (WriteToDevice != 0) != (b->write != 0))
            nd_verify_report(k, NDISDMA_RULE_COMPLETE_MISMATCH, ddi_complete,
                             "arguments differ from the NdisMSetupDmaTransfer they complete "
                             "(Buffer %p/%p, Offset %u/%u, Length %u/%u, WriteToDevice "
                             "%d/%d); the transfer set up is completed (N16)",
                             (void *)Buffer, (void *)b->mdl, (unsigned)Offset, (unsigned)b->offset,
                             (unsigned)Length, (unsigned)b->length, WriteToDevice != 0,
                             b->write != 0);
        /* N17-N21 */
        *Status = flush(b, true) ? NDIS_STATUS_SUCCESS : NDIS_STATUS_RESOURCES;
    }
    if (raised)
        nd_kernel_set_irql(irql);
}

static ULONG read_counter(nd_kernel *k, NDIS_HANDLE MiniportDmaHandle)
{
    nd_dma_block *b = (nd_dma_block *)nd_handle_get(MiniportDmaHandle, ND_KIND_DMA, ddi_counter);
    if (!b)
        return 0;
    nd_verify_call_adapter(k, b->a);
    if (!nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi_counter))
        return 0;
    return nd_hal_read_dma_counter_live(b->adapter); /* N22-N24; the IRQL was checked */
}

/* ---- the exported DDIs: the verifier's call bracket around each ---- */

static uint64_t ptr_arg(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

NDIS_STATUS NdisMRegisterDmaChannel(PNDIS_HANDLE MiniportDmaHandle,
                                    NDIS_HANDLE MiniportAdapterHandle, UINT DmaChannel,
                                    BOOLEAN Dma32BitAddresses, PNDIS_DMA_DESCRIPTION DmaDescription,
                                    ULONG MaximumLength)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[6] = {
        ptr_arg(MiniportDmaHandle), ptr_arg(MiniportAdapterHandle), DmaChannel,
        Dma32BitAddresses,          ptr_arg(DmaDescription),        MaximumLength};
    nd_verify_call_begin(k, ddi_reg, 6, args);
    NDIS_STATUS st = register_channel(MiniportDmaHandle, MiniportAdapterHandle, DmaChannel,
                                      Dma32BitAddresses, DmaDescription, MaximumLength);
    nd_verify_call_end(k, ddi_reg, (int64_t)st);
    return st;
}

VOID NdisMDeregisterDmaChannel(NDIS_HANDLE MiniportDmaHandle)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {ptr_arg(MiniportDmaHandle)};
    nd_verify_call_begin(k, ddi_dereg, 1, args);
    deregister_channel(MiniportDmaHandle);
    nd_verify_call_end(k, ddi_dereg, 0);
}

VOID NdisSetupDmaTransfer(PNDIS_STATUS Status, NDIS_HANDLE MiniportDmaHandle, PNDIS_BUFFER Buffer,
                          ULONG Offset, ULONG Length, BOOLEAN WriteToDevice)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[6] = {ptr_arg(Status), ptr_arg(MiniportDmaHandle),
                              ptr_arg(Buffer), Offset,
                              Length,          WriteToDevice};
    nd_verify_call_begin(k, ddi_setup, 6, args);
    NDIS_STATUS dummy;
    if (!Status) {
        nd_verify_report(k, NDISDMA_RULE_NULL_ARG, ddi_setup, "Status is NULL");
        Status = &dummy;
    }
    setup_transfer(k, Status, MiniportDmaHandle, Buffer, Offset, Length, WriteToDevice);
    nd_verify_call_end(k, ddi_setup, (int64_t)*Status);
}

VOID NdisCompleteDmaTransfer(PNDIS_STATUS Status, NDIS_HANDLE MiniportDmaHandle,
                             PNDIS_BUFFER Buffer, ULONG Offset, ULONG Length, BOOLEAN WriteToDevice)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[6] = {ptr_arg(Status), ptr_arg(MiniportDmaHandle),
                              ptr_arg(Buffer), Offset,
                              Length,          WriteToDevice};
    nd_verify_call_begin(k, ddi_complete, 6, args);
    NDIS_STATUS dummy;
    if (!Status) {
        nd_verify_report(k, NDISDMA_RULE_NULL_ARG, ddi_complete, "Status is NULL");
        Status = &dummy;
    }
    complete_transfer(k, Status, MiniportDmaHandle, Buffer, Offset, Length, WriteToDevice);
    nd_verify_call_end(k, ddi_complete, (int64_t)*Status);
}

ULONG NdisMReadDmaCounter(NDIS_HANDLE MiniportDmaHandle)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {ptr_arg(MiniportDmaHandle)};
    nd_verify_call_begin(k, ddi_counter, 1, args);
    ULONG left = read_counter(k, MiniportDmaHandle);
    nd_verify_call_end(k, ddi_counter, (int64_t)left);
    return left;
}

VOID NdisdmaVerifyCaller(const char *File, ULONG Line)
{
    nd_verify_set_caller(nd_kernel_current(), File, (uint32_t)Line);
}

/* ---- verifier hooks ---- */

bool nd_dma_mdl_busy(void *ctx, const void *mdl)
{
    const nd_ndis *n = ctx;
    for (unsigned ch = 0; ch < 8; ch++) {
        const nd_dma_block *b = n->chan_owner[ch];
        if (b && b->in_progress && (const void *)b->mdl == mdl)
            return true;
    }
    return false;
}

/* Channels of the 8237 pair that a write of @value to @port reprograms, as
   a bit mask (bit = channel); 0 for ports that are not DMA registers or
   that touch no channel's programming (flip-flop clear, status, temp). */
static unsigned port_channels(uint16_t port, uint8_t value)
{
    static const uint8_t page_ch[16] = {[0x7] = 0x01, [0x3] = 0x02, [0x1] = 0x04, [0x2] = 0x08,
                                        [0xF] = 0x10, [0xB] = 0x20, [0x9] = 0x40, [0xA] = 0x80};
    if (port > 0xDE) /* above every DMA register (a device's ports): the usual case */
        return 0;
    if (port <= 0x07) /* address / count registers of channels 0-3 */
        return 1u << (port >> 1);
    if (port == 0x08 || port == 0x0D || port == 0x0F) /* command, master clear, all masks */
        return 0x0Fu;
    if (port == 0x09 || port == 0x0A || port == 0x0B) /* request, single mask, mode */
        return 1u << (value & 3u);
    if (port == 0x0E) /* clear all masks */
        return 0x0Fu;
    if (port >= 0x80 && port <= 0x8F)
        return page_ch[port - 0x80];
    if (port >= 0xC0 && port <= 0xCF && (port & 1u) == 0) /* address / count of 4-7 */
        return 1u << (4u + ((port - 0xC0u) >> 2));
    if (port == 0xD0 || port == 0xDA || port == 0xDC || port == 0xDE)
        return 0xF0u;
    if (port == 0xD2 || port == 0xD4 || port == 0xD6)
        return 1u << (4u + (value & 3u));
    return 0;
}

void nd_dma_port_check(nd_ndis *n, uint16_t port, uint8_t value, const char *ddi)
{
    unsigned mask = port_channels(port, value);
    for (unsigned ch = 0; ch < 8 && mask; ch++) {
        const nd_dma_block *b = n->chan_owner[ch];
        if (!(mask & (1u << ch)) || !b)
            continue;
        nd_verify_report(n->k, NDISDMA_RULE_PORT_REPROGRAM, ddi,
                         "write of 0x%02X to port 0x%02X reprograms DMA channel %u, which "
                         "NdisMRegisterDmaChannel gave to NDIS: use the NDIS DMA DDIs",
                         value, (unsigned)port, ch);
        return; /* one report per write */
    }
}
