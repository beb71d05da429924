/*
 * The kernel object, for the kernel's own files only. Other layers use the
 * functions of kernel.h, frames.h, clock.h and irql.h.
 *
 * One nd_kernel per machine; it is used by one thread at a time (the thread
 * bound to the machine), so nothing in it is locked.
 */
#ifndef ND_KERNEL_KERNEL_IMPL_H
#define ND_KERNEL_KERNEL_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ndisdma/kernel.h>

#include "kernel/clock.h"
#include "kernel/frames.h"
#include "kernel/interrupt_impl.h"
#include "kernel/irql.h"
#include "kernel/kernel.h"
#include "kernel/u64map.h"
#include "verify/verify.h"

/* One phantom frame: host page -> frame, with the MDLs' references. */
typedef struct nd_phantom {
    char *page; /* host address of the page */
    PFN_NUMBER pfn;
    uint64_t refs;
} nd_phantom;

/* An MDL from IoAllocateMdl: the MDL and its PFN array, with the kernel's
   bookkeeping in front of it. */
typedef struct nd_mdl_block {
    nd_kernel *k;
    size_t capacity;  /* PFN slots after the MDL */
    size_t nheld;     /* phantom frames this MDL references */
    PFN_NUMBER *held; /* those frames (the driver may rewrite the array) */
    MDL mdl;
    PFN_NUMBER pfn[];
} nd_mdl_block;

#define ND_MDL_SEEN 64u /* slots of nd_kernel.mdl_seen (a power of two) */

struct nd_kernel {
    /* src/verify: the verifier's state; first, so that nd_kernel_verify
       (verify.h) is a cast (checked below) */
    nd_verify verify;

    nd_hw *hw;
    uint64_t seed;
    void *hal;
    void *ndis; /* the NDIS layer's per-machine object (nd_kernel_set_ndis) */
    void *owner;
    void *ndis_mem;                /* NDIS buffers/memory bookkeeping (nd_kernel_set_ndis_mem) */
    void (*ndis_mem_fini)(void *); /* frees it at teardown */

    /* frames.c */
    ndisdma_placement placement;
    uint64_t nframes;          /* RAM frames */
    uint64_t *bitmap;          /* bit set: frame in use */
    uint64_t nused;            /* frames in use (frame 0 included) */
    uint64_t rng;              /* SCATTERED position generator */
    uint64_t scatter;          /* SCATTERED allocations so far (picks the kind) */
    nd_u64map phantom_by_page; /* host page address -> nd_phantom * */
    nd_u64map phantom_by_pfn;  /* frame -> nd_phantom * */
    PFN_NUMBER phantom_next;

    /* mdl.c */
    nd_u64map mdls; /* PMDL -> nd_mdl_block * */
    /* MDLs found live in @mdls, each in the slot of its address (mdl.c,
       seen_slot), or NULL: a pointer equal to its slot's entry is live
       without a probe of the map (IoFreeMdl clears the slot of the MDL it
       frees). Compared, never dereferenced, before it is known live. */
    PMDL mdl_seen[ND_MDL_SEEN];

    /* irql.c: violations (the verifier's state is first, above) */
    uint64_t nviolations; /* reports counted */
    uint64_t nrecorded;   /* reports kept in vlog (COUNT_ONLY keeps none) */
    ndisdma_violation vlog[NDISDMA_VIOLATION_LOG];

    /* clock.c */
    uint64_t now_ns;
    uint64_t dma_carry_ns;
    uint32_t dma_unit_ns[8];
    nd_event *ev_head, *ev_tail;
    uint64_t ev_order, ev_count;
    nd_dpc *dpc_head, *dpc_tail;
    int running; /* inside nd_kernel_run / _until_idle */

    /* interrupt.c */
    nd_irq_ctl irq;
};

_Static_assert(offsetof(struct nd_kernel, verify) == 0,
               "nd_kernel_verify (verify.h) casts the kernel to its verifier state");

/* mdl.c: free every MDL still allocated (machine teardown). */
void nd_mdl_fini(nd_kernel *k);

#endif /* ND_KERNEL_KERNEL_IMPL_H */
