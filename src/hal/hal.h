/*
 * The HAL layer: DMA adapters for subordinate (system) DMA on ISA.
 *
 * Concept: one nd_hal per machine, created after the kernel and parked in it
 * (nd_kernel_set_hal), so that IoGetDmaAdapter finds it from a
 * DEVICE_OBJECT. It owns the eight adapter-channel objects (one per 8237
 * channel, shared by every adapter on that channel), one spin lock per DMA
 * controller, and the map-register pool: a run of page frames below the
 * 16 MiB ISA limit, reserved on first use, out of which each transfer that
 * cannot go direct is bounced. Drivers see only the WDK interface of
 * <wdm.h> (IoGetDmaAdapter and the DMA_OPERATIONS table); this header is
 * what the machine and the tests use.
 */
#ifndef ND_HAL_HAL_H
#define ND_HAL_HAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ndisdma/hal.h>
#include <wdm.h>

#include "kernel/kernel.h"

typedef struct nd_hal nd_hal;

/* Map registers in the pool when nothing else is asked for: 1 MiB. */
#define ND_HAL_DEFAULT_POOL_PAGES 256u
/* The ISA DMA address limit: 24 address bits. */
#define ND_HAL_ISA_LIMIT          (16ull << 20)

/*
 * nd_hal_create - build the HAL of a machine over kernel @k (not owned).
 * Reserves nothing yet: the map-register pool is taken from the kernel's
 * frame allocator when the first adapter is created.
 * Returns 0, NDISDMA_EINVAL (NULL argument) or NDISDMA_ENOMEM. *@out is
 * owned by the caller (the machine) and freed with nd_hal_destroy.
 * Context: machine creation, no IRQL requirement.
 */
int nd_hal_create(nd_kernel *k, nd_hal **out);

/*
 * nd_hal_destroy - free the HAL: every adapter still alive, the map
 * registers and the pool frames. Execution routines still queued are not
 * called. Must run before the kernel is destroyed. NULL is a no-op.
 */
void nd_hal_destroy(nd_hal *h);

/*
 * nd_hal_set_pool_pages - size of the map-register pool in pages (tests use
 * a small pool to exhaust it). Only before the pool is reserved, that is
 * before the first IoGetDmaAdapter.
 * Returns 0, NDISDMA_EINVAL (NULL @h) or NDISDMA_ESTATE (pool already
 * reserved).
 */
int nd_hal_set_pool_pages(nd_hal *h, size_t pages);

/* Pool accounting for tests and tools: pages in the pool (0 until reserved),
   pages free now, and the pool's first physical address. */
size_t nd_hal_pool_pages(const nd_hal *h);
size_t nd_hal_pool_free(const nd_hal *h);
uint64_t nd_hal_pool_phys(const nd_hal *h);

/*
 * nd_hal_channel_busy - true when adapter channel @ch (0-7) is held by an
 * adapter or has requests waiting, so that a layer above (NDIS, N6) can
 * refuse instead of queueing a request it could not take back. False for a
 * NULL @h or a channel above 7. Any IRQL; on the machine's thread.
 */
bool nd_hal_channel_busy(const nd_hal *h, unsigned ch);

/*
 * nd_hal_inject_flush_faults - fault injection for tests (N19): the next
 * @count FlushAdapterBuffers calls on this machine do their whole work
 * (mask, copy back) and then return FALSE, as a flush whose data may be
 * incoherent. 0 cancels. Returns 0 or NDISDMA_EINVAL (NULL @h).
 */
int nd_hal_inject_flush_faults(nd_hal *h, unsigned count);

/*
 * nd_hal_withdraw_adapter - release an adapter as PutDmaAdapter does (the
 * channel masked and released, queued requests dropped, map registers and
 * common buffers freed, waiting requests of others granted), without
 * reporting what it held: for a layer above that is undoing its own request
 * on a failure path (NDIS's NdisMRegisterDmaChannel, N7), where nothing is
 * the driver's fault. PASSIVE_LEVEL.
 */
void nd_hal_withdraw_adapter(PDMA_ADAPTER DmaAdapter);

/*
 * nd_hal_mapping_bounced - true when @DmaAdapter has a transfer mapped
 * (MapTransfer, no Flush yet) that goes through map registers, so the
 * device reads or writes the bounce buffer, not the caller's buffer. For
 * the verifier's receive poisoning. Any IRQL; false for a bad adapter.
 */
bool nd_hal_mapping_bounced(PDMA_ADAPTER DmaAdapter);

/*
 * nd_hal_map_transfer_live - DMA_OPERATIONS MapTransfer (same arguments,
 * work, reports and result) for a layer above that has just checked, on
 * this thread and with nothing run in between, that the IRQL is at most
 * DISPATCH_LEVEL, that @Mdl is a live MDL, and that [@CurrentVa,
 * @CurrentVa + *@Length) is a non-empty range inside @Mdl's buffer (NDIS's
 * NdisMSetupDmaTransfer, N9 and N11): those checks are not repeated (none
 * of MapTransfer's reports of them could be made). Nor are the checks of
 * what the caller holds: @DmaAdapter must be an adapter IoGetDmaAdapter
 * returned, not put, that holds its adapter channel (NDIS keeps it from
 * NdisMRegisterDmaChannel to the release), and @MapRegisterBase the base
 * its execution routine received. @Length must not be NULL.
 */
PHYSICAL_ADDRESS nd_hal_map_transfer_live(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase,
                                          PVOID CurrentVa, PULONG Length, BOOLEAN WriteToDevice);

/*
 * nd_hal_flush_mapped_live, nd_hal_read_dma_counter_live - DMA_OPERATIONS
 * FlushAdapterBuffers and ReadDmaCounter (same work, reports and result)
 * for a layer above that has just checked, on this thread and with nothing
 * run in between, that the IRQL is at most DISPATCH_LEVEL (NDIS's
 * NdisMCompleteDmaTransfer and NdisMReadDmaCounter): that check is not
 * repeated. The flush is FlushAdapterBuffers with the arguments of the
 * adapter's MapTransfer (Mdl, MapRegisterBase, CurrentVa, the Length it
 * returned, WriteToDevice), the ones NDIS recorded at its Setup, so there
 * is nothing to compare with the mapping. @DmaAdapter must be an adapter
 * IoGetDmaAdapter returned and that was not put (it is not checked). Called
 * directly, not through the table.
 */
BOOLEAN nd_hal_flush_mapped_live(PDMA_ADAPTER DmaAdapter);
ULONG nd_hal_read_dma_counter_live(PDMA_ADAPTER DmaAdapter);

/* nd_hal_get_stats - copy @h's counters (ndisdma_hal_get_stats). */
void nd_hal_get_stats(const nd_hal *h, ndisdma_hal_stats *out);

#endif /* ND_HAL_HAL_H */
