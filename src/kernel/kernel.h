/*
 * The kernel layer: the pieces of the Windows kernel that the HAL and NDIS
 * need, over the hardware layer (physical page frames with placement
 * policies, MDLs, per-thread IRQL and spin locks, the virtual clock, the
 * event queue and DPCs, and the record of contract violations).
 *
 * This header is the seam between the kernel and the layers above it. The
 * functions declared here are the ones the HAL relies on; the kernel's own
 * files add their internals behind it.
 */
#ifndef ND_KERNEL_KERNEL_H
#define ND_KERNEL_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include <wdm.h>

#include "hw/hw.h"

typedef struct nd_kernel nd_kernel; /* defined in kernel_impl.h (kernel files only) */

/* Create/destroy the kernel of a machine over @hw (not owned). */
int nd_kernel_create(nd_hw *hw, uint64_t seed, nd_kernel **out);
void nd_kernel_destroy(nd_kernel *k);

/* The hardware below this kernel. */
nd_hw *nd_kernel_hw(nd_kernel *k);

/* The kernel of the machine the calling thread is bound to, or NULL. */
nd_kernel *nd_kernel_current(void);

/* The layer above (the HAL) parks its per-machine object here, so that a
   DEVICE_OBJECT (which points at the kernel) leads to it. */
void nd_kernel_set_hal(nd_kernel *k, void *hal);
void *nd_kernel_hal(nd_kernel *k);

/* Likewise the NDIS layer's per-machine object, so that NDIS DDIs (which
   take no machine) find their layer from the calling thread's kernel. */
void nd_kernel_set_ndis(nd_kernel *k, void *ndis);
void *nd_kernel_ndis(nd_kernel *k);

/* Contiguous physical frames inside [0, @below) (0 = anywhere in RAM) that do
   not cross a multiple of @boundary bytes (0 = no constraint), independent of
   the placement policy. Returns 0 and the first byte's address, or
   NDISDMA_ENOMEM. */
int nd_frames_alloc_contiguous(nd_kernel *k, size_t npages, uint64_t below, uint64_t boundary,
                               uint64_t *phys);
void nd_frames_free(nd_kernel *k, uint64_t phys, size_t npages);

/* Host pointer of RAM at @phys (NULL if not RAM). */
void *nd_kernel_phys_to_va(nd_kernel *k, uint64_t phys);

/* Record a contract violation by a caller of @ddi (a report, counted; never
   an abort unless the machine's policy asks for one). printf-style. */
void nd_kernel_violation(nd_kernel *k, const char *ddi, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* IRQL helper for DDI entry points: true when the current IRQL is at most
   @max; otherwise records a violation naming @ddi and returns false. */
int nd_kernel_irql_at_most(nd_kernel *k, KIRQL max, const char *ddi);

/* ---- The rest of the kernel layer's interface ---- */

/*
 * The NDIS layer's bookkeeping of buffer pools, buffers, MDLs and memory
 * (src/ndis/memory.c) is per machine and is reached from DDIs that take no
 * handle, so it is parked here, created on first use. nd_kernel_destroy
 * calls @fini(@state) before it frees MDLs and frames; @fini frees host
 * memory only. Setting replaces the slot without calling the old @fini.
 */
void nd_kernel_set_ndis_mem(nd_kernel *k, void *state, void (*fini)(void *state));
void *nd_kernel_ndis_mem(nd_kernel *k);

/* The object that owns this kernel (the machine), for the host API. */
void nd_kernel_set_owner(nd_kernel *k, void *owner);
void *nd_kernel_owner(nd_kernel *k);

/* True when @mdl is a live MDL of @k (from IoAllocateMdl, not yet freed). */
int nd_kernel_mdl_is_live(nd_kernel *k, PMDL mdl);

#include "kernel/clock.h"  /* virtual time, events, DPCs, DMA unit times */
#include "kernel/frames.h" /* placement, nonpaged memory, phantom frames */
#include "kernel/irql.h"   /* thread binding, IRQL, the violation record */

#endif /* ND_KERNEL_KERNEL_H */
