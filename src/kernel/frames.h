/*
 * Physical page frames: the allocator over the simulated RAM, the placement
 * policy, "nonpaged" memory for drivers, and phantom frames for host memory.
 *
 * Concept. RAM is one linear host mapping (physmem.c), page-aligned, so a
 * host pointer into RAM is its physical address plus the RAM base, and its
 * page offset is the physical page offset. A bitmap records which frames
 * are in use; frame 0 is never handed out (physical address 0 stays a
 * recognisable "no address").
 *
 * Placement (spec N30, <ndisdma/machine.h>): nonpaged allocations live in
 * RAM and are therefore physically contiguous; the policy decides where:
 * LOW (bottom-up below 16 MiB, never across 64 KiB when the size allows:
 * the HAL's direct path), HIGH (from 16 MiB up: the bounce path) or
 * SCATTERED (seeded positions all over RAM; multi-page allocations take
 * turns: one straddling a 64 KiB boundary that is not a 128 KiB one, one
 * straddling a 128 KiB boundary, both below 16 MiB, one at a random place
 * below 16 MiB, one above). A Windows pool hands out virtually contiguous
 * but physically scattered pages; we do not model that, because the HAL's
 * decision (direct or bounce) depends only on contiguity, the 16 MiB limit
 * and the 64/128 KiB boundaries, and the policies above force each branch.
 * Contiguous allocations with an address limit and a boundary (map
 * registers, NDIS_MEMORY_CONTIGUOUS, shared memory) ignore the policy and
 * are taken top-down below the limit, as MmAllocateContiguousMemory does.
 *
 * Phantom frames (spec N29): memory that is not RAM (a driver's stack or
 * malloc) gets frames from ND_PHANTOM_PFN_BASE (4 GiB) up when an MDL is
 * built on it: above the ISA limit and above any 32-bit DMA address, and
 * never equal to a RAM frame (RAM is at most 4 GiB). One host page keeps one
 * phantom frame while any MDL references it; its data is reached through the
 * host pointer, never copied. Frame numbers are handed out in order, so they
 * are deterministic for a given sequence of calls.
 *
 * All functions: any IRQL (they never block), on the thread that uses the
 * machine.
 */
#ifndef ND_KERNEL_FRAMES_H
#define ND_KERNEL_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ndisdma/machine.h>
#include <wdm.h>

typedef struct nd_kernel nd_kernel;

#define ND_ISA_LIMIT        (16ull << 20)         /* 24 address bits */
#define ND_PHANTOM_PFN_BASE ((PFN_NUMBER)1 << 20) /* 4 GiB >> PAGE_SHIFT */

/* Set the placement policy (machine setting). Returns 0 or NDISDMA_EINVAL. */
int nd_kernel_set_placement(nd_kernel *k, ndisdma_placement p);
ndisdma_placement nd_kernel_placement(const nd_kernel *k);

/*
 * nd_kernel_alloc_nonpaged - @bytes of driver memory in RAM, placed by the
 * machine's policy, rounded up to whole pages.
 * @va: receives the host pointer (page-aligned, into RAM); @phys: receives
 * the physical address of its first byte (may be NULL).
 * Returns 0, NDISDMA_EINVAL (@bytes 0 or NULL @va) or NDISDMA_ENOMEM (no
 * room where the policy places memory). Contents are not cleared (whatever
 * the pages held; zero on a new machine). Free with nd_kernel_free_nonpaged.
 */
int nd_kernel_alloc_nonpaged(nd_kernel *k, size_t bytes, void **va, uint64_t *phys);

/*
 * nd_kernel_free_nonpaged - free memory of nd_kernel_alloc_nonpaged (or of
 * nd_frames_alloc_contiguous, through its host pointer) with the same
 * @bytes. Memory that is not allocated RAM is a violation (@ddi names the
 * caller's DDI in the record) and nothing is freed. Returns 0 or
 * NDISDMA_EINVAL.
 */
int nd_kernel_free_nonpaged(nd_kernel *k, void *va, size_t bytes, const char *ddi);

/* Frames in use (RAM) and RAM frames in all. */
uint64_t nd_frames_used(const nd_kernel *k);
uint64_t nd_frames_total(const nd_kernel *k);

/* True when frame @pfn is simulated RAM (whether allocated or not). */
bool nd_kernel_pfn_is_ram(const nd_kernel *k, PFN_NUMBER pfn);
/* True when @pfn is a live phantom frame (host memory under an MDL). */
bool nd_kernel_pfn_is_phantom(const nd_kernel *k, PFN_NUMBER pfn);
/* Host pointer of the first byte of frame @pfn: RAM or live phantom; NULL
   otherwise. */
void *nd_kernel_pfn_to_va(nd_kernel *k, PFN_NUMBER pfn);
/* True when host pointer @va lies in simulated RAM; *@phys its address. */
bool nd_kernel_va_to_ram(const nd_kernel *k, const void *va, uint64_t *phys);

/*
 * Phantom frames. nd_phantom_ref gives host page @va's frame (page-aligned
 * @va is not required) and takes a reference; nd_phantom_unref drops one
 * and forgets the page at the last. ref: 0 or NDISDMA_ENOMEM.
 */
int nd_phantom_ref(nd_kernel *k, const void *va, PFN_NUMBER *pfn);
void nd_phantom_unref(nd_kernel *k, PFN_NUMBER pfn);
/* The phantom frame of host page @va if it has one (else false). */
bool nd_phantom_lookup(const nd_kernel *k, const void *va, PFN_NUMBER *pfn);
/* Live phantom frames. */
size_t nd_phantom_count(const nd_kernel *k);

/* Frame allocator life cycle (kernel.c). */
int nd_frames_init(nd_kernel *k);
void nd_frames_fini(nd_kernel *k);

#endif /* ND_KERNEL_FRAMES_H */
