/*
 * The kernel of one machine: creation, teardown, and the links to the
 * layers around it (the hardware below, the HAL's object above).
 *
 * Concept: nd_kernel holds everything the Windows kernel would hold for one
 * computer: the page-frame database, the MDLs, the clock and its queues,
 * the violation record. The calling thread's IRQL and binding live in
 * thread-local storage (irql.c). See kernel.h for the layer's interface.
 */
#include <stdlib.h>

#include "kernel/kernel_impl.h"

int nd_kernel_create(nd_hw *hw, uint64_t seed, nd_kernel **out)
{
    if (!out)
        return NDISDMA_EINVAL;
    *out = NULL;
    if (!hw)
        return NDISDMA_EINVAL;
    nd_kernel *k = calloc(1, sizeof *k);
    if (!k)
        return NDISDMA_ENOMEM;
    k->hw = hw;
    k->seed = seed;
    k->placement = NDISDMA_PLACEMENT_LOW;
    for (unsigned ch = 0; ch < 8; ch++)
        k->dma_unit_ns[ch] = ND_DMA_DEFAULT_UNIT_NS;
    int rc = nd_frames_init(k);
    if (rc != 0) {
        free(k);
        return rc;
    }
    hw->now_ns = 0;
    /* The verifier keeps its own copy of the observer count (verify.h),
       which the observer list updates until the kernel goes. */
    k->verify.obs_active = hw->obs.active;
    hw->obs.mirror = &k->verify.obs_active;
    nd_kernel_irq_init(k);
    *out = k;
    return 0;
}

void nd_kernel_destroy(nd_kernel *k)
{
    if (!k)
        return;
    if (k->hw->obs.mirror == &k->verify.obs_active)
        k->hw->obs.mirror = NULL;
    /* Events and DPCs are owned by their callers; just forget them. */
    for (nd_event *ev = k->ev_head, *next; ev; ev = next) {
        next = ev->next;
        ev->prev = ev->next = NULL;
        ev->pending = false;
    }
    for (nd_dpc *d = k->dpc_head, *next; d; d = next) {
        next = d->next;
        d->next = NULL;
        d->queued = false;
    }
    if (k->ndis_mem_fini)
        k->ndis_mem_fini(k->ndis_mem);
    k->ndis_mem = NULL;
    nd_kernel_irq_fini(k);
    nd_mdl_fini(k);
    nd_frames_fini(k);
    if (nd_kernel_current() == k)
        nd_kernel_unbind(k);
    free(k);
}

nd_hw *nd_kernel_hw(nd_kernel *k)
{
    return k ? k->hw : NULL;
}

void nd_kernel_set_hal(nd_kernel *k, void *hal)
{
    if (k)
        k->hal = hal;
}

void *nd_kernel_hal(nd_kernel *k)
{
    return k ? k->hal : NULL;
}

void nd_kernel_set_ndis(nd_kernel *k, void *ndis)
{
    if (k)
        k->ndis = ndis;
}

void *nd_kernel_ndis(nd_kernel *k)
{
    return k ? k->ndis : NULL;
}

void nd_kernel_set_ndis_mem(nd_kernel *k, void *state, void (*fini)(void *state))
{
    if (!k)
        return;
    k->ndis_mem = state;
    k->ndis_mem_fini = fini;
}

void *nd_kernel_ndis_mem(nd_kernel *k)
{
    return k ? k->ndis_mem : NULL;
}

void nd_kernel_set_owner(nd_kernel *k, void *owner)
{
    if (k)
        k->owner = owner;
}

void *nd_kernel_owner(nd_kernel *k)
{
    return k ? k->owner : NULL;
}
