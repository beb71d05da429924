/*
 * The HAL object of a machine: creation and destruction.
 *
 * Concept: see hal.h. The HAL holds no global state; everything is in the
 * nd_hal that the machine creates after its kernel and destroys before it.
 */
#include <stdlib.h>

#include "hal/hal_impl.h"

#include <ndisdma/errors.h>

int nd_hal_create(nd_kernel *k, nd_hal **out)
{
    if (!out)
        return NDISDMA_EINVAL;
    *out = NULL;
    if (!k)
        return NDISDMA_EINVAL;
    nd_hal *h = calloc(1, sizeof *h);
    if (!h)
        return NDISDMA_ENOMEM;
    h->k = k;
    h->hw = nd_kernel_hw(k);
    KeInitializeSpinLock(&h->lock);
    KeInitializeSpinLock(&h->ctl_lock[0]);
    KeInitializeSpinLock(&h->ctl_lock[1]);
    h->pool.want = ND_HAL_DEFAULT_POOL_PAGES;
    *out = h;
    return 0;
}

void nd_hal_destroy(nd_hal *h)
{
    if (!h)
        return;
    h->destroying = true;
    while (h->adapters)
        nd_adapter_release_all(h->adapters, false);
    nd_mapreg_release_pool(h);
    free(h);
}

bool nd_hal_channel_busy(const nd_hal *h, unsigned ch)
{
    if (!h || ch > 7)
        return false;
    return h->chan[ch].owner != NULL || h->chan[ch].head != NULL;
}

int nd_hal_inject_flush_faults(nd_hal *h, unsigned count)
{
    if (!h)
        return NDISDMA_EINVAL;
    h->flush_faults = count;
    return 0;
}

void nd_hal_get_stats(const nd_hal *h, ndisdma_hal_stats *out)
{
    *out = h->stats;
}
