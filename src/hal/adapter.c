/*
 * DMA adapters: IoGetDmaAdapter, PutDmaAdapter, GetDmaAlignment and the
 * adapter's DMA_OPERATIONS table.
 *
 * Concept (N3, N4, N8): IoGetDmaAdapter turns a DEVICE_DESCRIPTION of a
 * subordinate ISA device into an adapter for one 8237 channel, and refuses
 * what the hardware cannot do - a bus master, a bus other than ISA, channel 4
 * (the cascade) or above 7, 8-bit width on channels 5-7, 16-bit width on
 * channels 0-3, any other width, a DmaPort, an unknown speed or version, a
 * MaximumLength of 0 - with NULL and a verifier record that says why. The
 * adapter may ask for the map registers its largest transfer needs: the
 * pages it can span, ((MaximumLength - 2) >> 12) + 2, with MaximumLength
 * clamped to one 8237 transfer (64 KiB on channels 0-3, 128 KiB on 5-7),
 * and no more than the pool can give one run. DmaSpeed sets the bus time of
 * the channel's units through the kernel. The operations table is shared
 * and constant.
 *
 * Accepted and ignored on ISA: ScatterGather, Dma32BitAddresses and
 * Dma64BitAddresses (the bus has 24 address bits), IgnoreCount, BusNumber.
 * Several adapters may name the same channel: they share its adapter
 * channel (AllocateAdapterChannel queues them).
 */
#include <stdlib.h>

#include "hal/hal_impl.h"
#include "kernel/clock.h"

static VOID put_dma_adapter(PDMA_ADAPTER DmaAdapter);
static ULONG get_dma_alignment(PDMA_ADAPTER DmaAdapter);

const DMA_OPERATIONS nd_hal_dma_operations = {
    .Size = sizeof(DMA_OPERATIONS),
    .PutDmaAdapter = put_dma_adapter,
    .AllocateCommonBuffer = nd_hal_allocate_common_buffer,
    .FreeCommonBuffer = nd_hal_free_common_buffer,
    .AllocateAdapterChannel = nd_hal_allocate_adapter_channel,
    .FlushAdapterBuffers = nd_hal_flush_adapter_buffers,
    .FreeAdapterChannel = nd_hal_free_adapter_channel,
    .FreeMapRegisters = nd_hal_free_map_registers,
    .MapTransfer = nd_hal_map_transfer,
    .GetDmaAlignment = get_dma_alignment,
    .ReadDmaCounter = nd_hal_read_dma_counter,
};

nd_adapter *nd_adapter_from(PDMA_ADAPTER a, const char *ddi)
{
    nd_adapter *ad = (nd_adapter *)a;
    if (ad && ad->magic == ND_ADAPTER_MAGIC)
        return ad;
    if (ddi) {
        nd_kernel *k = nd_kernel_current();
        if (k)
            nd_verify_report(k, NDISDMA_RULE_HANDLE_UNKNOWN, ddi, "DmaAdapter %p is %s", (void *)a,
                             a ? "not a DMA adapter of this HAL" : "NULL");
    }
    return NULL;
}

bool nd_hal_irql_is(nd_kernel *k, KIRQL level, const char *ddi)
{
    KIRQL now = KeGetCurrentIrql();
    if (now == level)
        return true;
    nd_verify_report(k, NDISDMA_RULE_IRQL, ddi, "called at IRQL %u; the WDK requires IRQL %u",
                     (unsigned)now, (unsigned)level);
    return false;
}

/* Why @d cannot be served, or NULL when it can. */
static const char *refusal(const DEVICE_DESCRIPTION *d)
{
    if (d->Version > DEVICE_DESCRIPTION_VERSION2)
        return "Version is not DEVICE_DESCRIPTION_VERSION, _VERSION1 or _VERSION2";
    if (d->Master)
        return "Master is TRUE: this HAL provides subordinate (system) DMA only";
    if (d->InterfaceType != Isa)
        return "InterfaceType is not Isa";
    if (d->DmaChannel == 4)
        return "channel 4 is the cascade of the two controllers and takes no device";
    if (d->DmaChannel > 7)
        return "DmaChannel is above 7";
    if (d->DmaWidth == Width32Bits)
        return "Width32Bits: ISA system DMA is 8 or 16 bits wide";
    if (d->DmaWidth != Width8Bits && d->DmaWidth != Width16Bits)
        return "DmaWidth is not Width8Bits or Width16Bits";
    if (d->DmaWidth == Width8Bits && d->DmaChannel >= 5)
        return "Width8Bits on channels 5-7, which move 16-bit words";
    if (d->DmaWidth == Width16Bits && d->DmaChannel <= 3)
        return "Width16Bits on channels 0-3, which move bytes";
    if ((unsigned)d->DmaSpeed >= (unsigned)MaximumDmaSpeed)
        return "DmaSpeed is not Compatible, TypeA, TypeB, TypeC or TypeF";
    if (d->DmaPort != 0)
        return "DmaPort must be 0 on ISA (N8)";
    if (d->MaximumLength == 0)
        return "MaximumLength is 0";
    return NULL;
}

/* Map registers a transfer of up to @max_len bytes can need (N4). */
static ULONG regs_needed(ULONG max_len)
{
    return max_len < 2 ? 1u : ((max_len - 2u) >> PAGE_SHIFT) + 2u;
}

/*
 * IoGetDmaAdapter - a DMA adapter for the subordinate ISA device described by
 * @DeviceDescription, on the machine of @PhysicalDeviceObject.
 * @NumberOfMapRegisters: receives the most map registers one
 *   AllocateAdapterChannel of this adapter may ask for (0 on failure).
 * Returns the adapter, owned by the caller until DmaOperations->PutDmaAdapter,
 * or NULL: a refused description, wrong IRQL, NULL arguments, a device object
 * of no machine, or no memory - each recorded as a violation with the reason
 * (except no memory).
 * IRQL: PASSIVE_LEVEL.
 */
PDMA_ADAPTER IoGetDmaAdapter(PDEVICE_OBJECT PhysicalDeviceObject,
                             PDEVICE_DESCRIPTION DeviceDescription, PULONG NumberOfMapRegisters)
{
    static const char ddi[] = "IoGetDmaAdapter";
    if (NumberOfMapRegisters)
        *NumberOfMapRegisters = 0;
    nd_kernel *k = PhysicalDeviceObject ? PhysicalDeviceObject->NdisdmaKernel : NULL;
    if (!k) {
        nd_kernel *cur = nd_kernel_current();
        if (cur)
            nd_verify_report(cur, NDISDMA_RULE_HAL_CONTRACT, ddi, "%s",
                             PhysicalDeviceObject ? "PhysicalDeviceObject belongs to no machine"
                                                  : "PhysicalDeviceObject is NULL");
        return NULL;
    }
    nd_hal *h = nd_kernel_hal(k);
    if (!h) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi, "the machine has no HAL");
        return NULL;
    }
    if (!nd_hal_irql_is(k, PASSIVE_LEVEL, ddi))
        return NULL;
    if (!DeviceDescription || !NumberOfMapRegisters) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi, "%s is NULL",
                         DeviceDescription ? "NumberOfMapRegisters" : "DeviceDescription");
        return NULL;
    }
    const char *why = refusal(DeviceDescription);
    if (why) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi, "description refused (channel %u): %s",
                         (unsigned)DeviceDescription->DmaChannel, why);
        return NULL;
    }
    /* Injected failure: no adapter, as when the system is out of resources. */
    if (ND_FAULT_HIT(&h->hw->faults, NDISDMA_FAULT_GET_ADAPTER, (int)DeviceDescription->DmaChannel))
        return NULL;
    nd_adapter *ad = calloc(1, sizeof *ad);
    if (!ad)
        return NULL;
    nd_mapreg_reserve(h);
    ad->pub.Version = 1;
    ad->pub.Size = (USHORT)sizeof(DMA_ADAPTER);
    ad->pub.DmaOperations = (PDMA_OPERATIONS)&nd_hal_dma_operations;
    ad->magic = ND_ADAPTER_MAGIC;
    ad->hal = h;
    ad->desc = *DeviceDescription;
    ad->mode = nd_adapter_mode(&ad->desc);
    ad->channel = DeviceDescription->DmaChannel;
    ad->shift = ad->channel >= 4 ? 1u : 0u;
    ULONG max_len = DeviceDescription->MaximumLength;
    if (max_len > nd_adapter_window(ad))
        max_len = nd_adapter_window(ad);
    ad->max_regs = nd_mapreg_capacity(h, regs_needed(max_len), nd_adapter_window(ad));
    /* Injected exhaustion: every map register is taken, the adapter offers none. */
    if (ND_FAULT_HIT(&h->hw->faults, NDISDMA_FAULT_MAPREG_EXHAUSTED, (int)ad->channel))
        ad->max_regs = 0;
    nd_kernel_set_dma_speed(k, ad->channel,
                            nd_kernel_dma_speed_unit_ns(DeviceDescription->DmaSpeed));
    KIRQL old;
    nd_hal_lock(h, &old);
    ad->next = h->adapters;
    h->adapters = ad;
    nd_hal_unlock(h, old);
    *NumberOfMapRegisters = ad->max_regs;
    return &ad->pub;
}

void nd_adapter_release_all(nd_adapter *ad, bool report)
{
    nd_hal *h = ad->hal;
    nd_kernel *k = h->k;
    static const char ddi[] = "PutDmaAdapter";
    size_t dropped = nd_hal_drop_requests(ad);
    if (dropped && report)
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                         "%zu AllocateAdapterChannel request(s) of channel %u still "
                         "queued; dropped",
                         dropped, ad->channel);
    bool held = h->chan[ad->channel].owner == ad;
    if (held && report) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                         "the adapter still holds adapter channel %u; masked and released",
                         ad->channel);
        KIRQL cold;
        nd_ctl_lock(h, ad->channel, &cold);
        nd_ctl_mask(h, ad->channel, true);
        nd_ctl_unlock(h, ad->channel, cold);
    }
    KIRQL old;
    nd_hal_lock(h, &old);
    if (held)
        h->chan[ad->channel].owner = NULL;
    ad->chan_regs = NULL;
    ad->map.active = false;
    size_t runs = 0;
    for (nd_mapreg **pp = &h->pool.runs; *pp;) {
        nd_mapreg *r = *pp;
        if (r->owner == ad) {
            nd_mapreg_free(h, r); /* unlinks r: *pp is the next run */
            runs++;
        } else {
            pp = &r->next;
        }
    }
    for (nd_adapter **pp = &h->adapters; *pp; pp = &(*pp)->next) {
        if (*pp == ad) {
            *pp = ad->next;
            break;
        }
    }
    nd_hal_unlock(h, old);
    if (runs && report && !held)
        nd_verify_report(k, NDISDMA_RULE_MAP_REGISTERS_LEAKED, ddi,
                         "%zu set(s) of map registers of channel %u not freed; freed", runs,
                         ad->channel);
    size_t bufs = nd_common_free_all(ad);
    if (bufs && report)
        nd_verify_report(k, NDISDMA_RULE_MAP_REGISTERS_LEAKED, ddi,
                         "%zu common buffer(s) of channel %u not freed; freed", bufs, ad->channel);
    ad->magic = 0;
    free(ad);
}

/*
 * PutDmaAdapter (DMA_OPERATIONS) - release an adapter from IoGetDmaAdapter.
 * Anything it still holds (the adapter channel, queued requests, map
 * registers, common buffers) is reported and released; the channel is
 * masked first. Requests of other adapters waiting for what was released
 * are then granted. The adapter pointer is invalid afterwards.
 * IRQL: PASSIVE_LEVEL (reported and ignored otherwise).
 */
static VOID put_dma_adapter(PDMA_ADAPTER DmaAdapter)
{
    nd_adapter *ad = nd_adapter_from(DmaAdapter, "PutDmaAdapter");
    if (!ad)
        return;
    nd_hal *h = ad->hal;
    if (!nd_hal_irql_is(h->k, PASSIVE_LEVEL, "PutDmaAdapter"))
        return;
    nd_adapter_release_all(ad, true);
    /* Execution routines run at DISPATCH_LEVEL. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    nd_hal_dispatch(h);
    KeLowerIrql(old);
}

bool nd_hal_mapping_bounced(PDMA_ADAPTER DmaAdapter)
{
    nd_adapter *ad = nd_adapter_from(DmaAdapter, NULL);
    return ad && ad->map.active && ad->map.bounced;
}

void nd_hal_withdraw_adapter(PDMA_ADAPTER DmaAdapter)
{
    nd_adapter *ad = nd_adapter_from(DmaAdapter, "PutDmaAdapter");
    if (!ad)
        return;
    nd_hal *h = ad->hal;
    nd_adapter_release_all(ad, false);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    nd_hal_dispatch(h);
    KeLowerIrql(old);
}

/*
 * GetDmaAlignment (DMA_OPERATIONS) - buffer alignment that lets a transfer
 * go direct, as a FILE_*_ALIGNMENT mask: 0 (bytes) on channels 0-3, 1
 * (words) on channels 5-7. Misaligned buffers still work (bounced).
 * IRQL: any. Returns 0 for a NULL or foreign adapter.
 */
static ULONG get_dma_alignment(PDMA_ADAPTER DmaAdapter)
{
    nd_adapter *ad = nd_adapter_from(DmaAdapter, "GetDmaAlignment");
    return ad ? ad->shift : 0;
}
