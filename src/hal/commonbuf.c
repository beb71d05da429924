/*
 * Common buffers: AllocateCommonBuffer and FreeCommonBuffer.
 *
 * Concept: a common buffer is memory that the driver and the DMA controller
 * share for the buffer's whole life, typically the ring of an autoinitialize
 * transfer. For ISA system DMA it must be physically contiguous and below
 * 16 MiB, and - when it fits - inside one 64 KiB window (channels 0-3) or
 * 128 KiB window (channels 5-7) so that one 8237 transfer covers all of it.
 * Its frames come from the kernel's frame allocator, independent of the
 * placement policy; its virtual address is its host pointer in RAM. The
 * adapter keeps a list of its buffers so that FreeCommonBuffer can check
 * its arguments and PutDmaAdapter can report leaks.
 */
#include <stdlib.h>

#include "hal/hal_impl.h"

/*
 * AllocateCommonBuffer (DMA_OPERATIONS) - @Length bytes of contiguous memory
 * the adapter's channel can reach directly.
 * @LogicalAddress: receives the physical address to program.
 * @CacheEnabled: accepted and ignored (simulated RAM is coherent).
 * Returns the buffer's virtual address, owned by the caller until
 * FreeCommonBuffer, or NULL (no such memory; or reported: wrong IRQL, NULL
 * arguments, Length 0).
 * IRQL: PASSIVE_LEVEL.
 */
PVOID nd_hal_allocate_common_buffer(PDMA_ADAPTER DmaAdapter, ULONG Length,
                                    PPHYSICAL_ADDRESS LogicalAddress, BOOLEAN CacheEnabled)
{
    static const char ddi[] = "AllocateCommonBuffer";
    (void)CacheEnabled;
    nd_adapter *ad = nd_adapter_from(DmaAdapter, ddi);
    if (!ad)
        return NULL;
    nd_kernel *k = ad->hal->k;
    if (!nd_hal_irql_is(k, PASSIVE_LEVEL, ddi))
        return NULL;
    if (!LogicalAddress || Length == 0) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi, "%s",
                         LogicalAddress ? "Length is 0" : "LogicalAddress is NULL");
        return NULL;
    }
    LogicalAddress->QuadPart = 0;
    size_t npages = BYTES_TO_PAGES((size_t)Length);
    uint32_t window = nd_adapter_window(ad);
    uint64_t boundary = Length <= window ? window : 0;
    nd_common_buffer *cb = calloc(1, sizeof *cb);
    if (!cb)
        return NULL;
    uint64_t phys = 0;
    if (nd_frames_alloc_contiguous(k, npages, ND_HAL_ISA_LIMIT, boundary, &phys) != 0) {
        free(cb);
        return NULL;
    }
    void *va = nd_kernel_phys_to_va(k, phys);
    if (!va) {
        nd_frames_free(k, phys, npages);
        free(cb);
        return NULL;
    }
    cb->phys = phys;
    cb->npages = npages;
    cb->va = va;
    cb->length = Length;
    cb->next = ad->common;
    ad->common = cb;
    LogicalAddress->QuadPart = (LONGLONG)phys;
    return va;
}

/*
 * FreeCommonBuffer (DMA_OPERATIONS) - release a buffer of
 * AllocateCommonBuffer. @Length, @LogicalAddress and @VirtualAddress must be
 * the buffer's; a buffer this adapter did not allocate is reported and left
 * alone, a different Length is reported and the buffer freed.
 * IRQL: PASSIVE_LEVEL (reported and ignored otherwise).
 */
VOID nd_hal_free_common_buffer(PDMA_ADAPTER DmaAdapter, ULONG Length,
                               PHYSICAL_ADDRESS LogicalAddress, PVOID VirtualAddress,
                               BOOLEAN CacheEnabled)
{
    static const char ddi[] = "FreeCommonBuffer";
    (void)CacheEnabled;
    nd_adapter *ad = nd_adapter_from(DmaAdapter, ddi);
    if (!ad)
        return;
    nd_kernel *k = ad->hal->k;
    if (!nd_hal_irql_is(k, PASSIVE_LEVEL, ddi))
        return;
    for (nd_common_buffer **pp = &ad->common; *pp; pp = &(*pp)->next) {
        nd_common_buffer *cb = *pp;
        if (cb->va != VirtualAddress || cb->phys != (uint64_t)LogicalAddress.QuadPart)
            continue;
        if (cb->length != Length)
            nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                             "Length %u differs from the %u allocated; freed", (unsigned)Length,
                             (unsigned)cb->length);
        *pp = cb->next;
        nd_frames_free(k, cb->phys, cb->npages);
        free(cb);
        return;
    }
    nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                     "%p (logical 0x%llx) is not a common buffer of the adapter of "
                     "channel %u",
                     VirtualAddress, (unsigned long long)LogicalAddress.QuadPart, ad->channel);
}

size_t nd_common_free_all(nd_adapter *ad)
{
    size_t n = 0;
    while (ad->common) {
        nd_common_buffer *cb = ad->common;
        ad->common = cb->next;
        nd_frames_free(ad->hal->k, cb->phys, cb->npages);
        free(cb);
        n++;
    }
    return n;
}
