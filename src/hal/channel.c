/*
 * Adapter channels: AllocateAdapterChannel, FreeAdapterChannel and
 * FreeMapRegisters, and the dispatcher that grants them.
 *
 * Concept: each 8237 channel has one adapter-channel object. A request
 * (AllocateAdapterChannel) joins the channel's FIFO; when it reaches the
 * head and the channel is free, its adapter owns the channel. If it asked
 * for map registers it then takes them from the pool, or waits (still
 * owning the channel) in the pool's FIFO until other adapters free
 * registers - the WDK's rule. Once it has both, its execution routine runs
 * at DISPATCH_LEVEL with the driver's own Context and the MapRegisterBase,
 * and its return value decides what stays held:
 *   KeepObject                    channel and registers stay until
 *                                 FreeAdapterChannel;
 *   DeallocateObject              both are released at once;
 *   DeallocateObjectKeepRegisters the channel is released, the registers
 *                                 stay until FreeMapRegisters.
 * Releasing anything re-runs the dispatcher, so the next request is granted
 * from inside FreeAdapterChannel / FreeMapRegisters (or from the execution
 * routine's return). Routines are called with no HAL lock held; a routine
 * that frees or requests a channel re-enters the dispatcher, which only
 * notes that another round is due.
 */
#include <stdlib.h>

#include "hal/hal_impl.h"

void nd_hal_lock(nd_hal *h, KIRQL *old)
{
    if (h->destroying)
        *old = PASSIVE_LEVEL;
    else
        nd_spin_acquire_machine(&h->lock, old);
}

void nd_hal_unlock(nd_hal *h, KIRQL old)
{
    if (!h->destroying)
        nd_spin_release_machine(&h->lock, old);
}

/* Run @w's execution routine (its adapter owns the channel and @regs) and
   apply the routine's answer. Frees @w. Called with no lock held. */
static void grant(nd_hal *h, nd_hal_wait *w, nd_mapreg *regs)
{
    nd_adapter *ad = w->adapter;
    PDRIVER_CONTROL routine = w->routine;
    PDEVICE_OBJECT dev = w->device;
    PVOID ctx = w->context;
    free(w);
    ad->chan_regs = regs;
    IO_ALLOCATION_ACTION act = routine(dev, NULL, regs, ctx);
    KIRQL old;
    switch (act) {
    case KeepObject:
        return;
    case DeallocateObjectKeepRegisters:
        nd_hal_lock(h, &old);
        if (h->chan[ad->channel].owner == ad)
            h->chan[ad->channel].owner = NULL;
        ad->chan_regs = NULL; /* now freed only by FreeMapRegisters */
        nd_hal_unlock(h, old);
        break;
    default:
        nd_verify_report(h->k, NDISDMA_RULE_HAL_CONTRACT, "AllocateAdapterChannel",
                         "execution routine of channel %u returned %d, not an "
                         "IO_ALLOCATION_ACTION; treated as DeallocateObject",
                         ad->channel, (int)act);
        /* fall through */
    case DeallocateObject:
        nd_hal_lock(h, &old);
        if (h->chan[ad->channel].owner == ad)
            h->chan[ad->channel].owner = NULL;
        if (ad->chan_regs)
            nd_mapreg_free(h, ad->chan_regs);
        ad->chan_regs = NULL;
        nd_hal_unlock(h, old);
        break;
    }
    h->redo = 1;
}

/* One round: the first grantable request, taken off its queue, or NULL.
   Channel-owning requests waiting for registers go first (FIFO), then each
   free channel's first request. */
static nd_hal_wait *next_grant(nd_hal *h, nd_mapreg **regs)
{
    nd_mapreg_pool *p = &h->pool;
    *regs = NULL;
    nd_hal_wait *w = p->rwait_head;
    if (w) {
        /* Strict FIFO among register waiters: nobody overtakes the head. */
        nd_mapreg *r = nd_mapreg_alloc(h, w->adapter, w->nregs, nd_adapter_window(w->adapter));
        if (r) {
            p->rwait_head = w->next;
            if (!p->rwait_head)
                p->rwait_tail = NULL;
            w->next = NULL;
            *regs = r;
            return w;
        }
    }
    for (unsigned ch = 0; ch < 8; ch++) {
        nd_hal_channel *c = &h->chan[ch];
        if (c->owner || !c->head)
            continue;
        w = c->head;
        c->head = w->next;
        if (!c->head)
            c->tail = NULL;
        c->owner = w->adapter;
        w->next = NULL;
        if (w->nregs == 0)
            return w;
        nd_mapreg *r = nd_mapreg_alloc(h, w->adapter, w->nregs, nd_adapter_window(w->adapter));
        if (r && !p->rwait_head) {
            *regs = r;
            return w;
        }
        if (r)
            nd_mapreg_free(h, r);
        /* Own the channel, wait for registers. */
        if (p->rwait_tail)
            p->rwait_tail->next = w;
        else
            p->rwait_head = w;
        p->rwait_tail = w;
    }
    return NULL;
}

void nd_hal_dispatch(nd_hal *h)
{
    if (h->dispatching) {
        h->redo = 1;
        return;
    }
    h->dispatching = 1;
    do {
        h->redo = 0;
        for (;;) {
            KIRQL old;
            nd_mapreg *regs;
            nd_hal_lock(h, &old);
            nd_hal_wait *w = next_grant(h, &regs);
            nd_hal_unlock(h, old);
            if (!w)
                break;
            grant(h, w, regs);
        }
    } while (h->redo);
    h->dispatching = 0;
}

size_t nd_hal_drop_requests(nd_adapter *ad)
{
    nd_hal *h = ad->hal;
    size_t n = 0;
    KIRQL old;
    nd_hal_lock(h, &old);
    for (unsigned ch = 0; ch < 8; ch++) {
        nd_hal_channel *c = &h->chan[ch];
        nd_hal_wait **pp = &c->head;
        c->tail = NULL;
        while (*pp) {
            nd_hal_wait *w = *pp;
            if (w->adapter == ad) {
                *pp = w->next;
                free(w);
                n++;
            } else {
                c->tail = w;
                pp = &w->next;
            }
        }
    }
    nd_mapreg_pool *p = &h->pool;
    nd_hal_wait **pp = &p->rwait_head;
    p->rwait_tail = NULL;
    while (*pp) {
        nd_hal_wait *w = *pp;
        if (w->adapter == ad) {
            *pp = w->next;
            free(w);
            n++;
        } else {
            p->rwait_tail = w;
            pp = &w->next;
        }
    }
    nd_hal_unlock(h, old);
    return n;
}

/*
 * AllocateAdapterChannel (DMA_OPERATIONS) - ask for the adapter's channel and
 * @NumberOfMapRegisters map registers; @ExecutionRoutine runs, with
 * (@DeviceObject, NULL Irp, MapRegisterBase, @Context), once both are held:
 * before this call returns when they are free, otherwise later from the call
 * that frees them. MapRegisterBase is NULL when no registers were asked for.
 * Returns STATUS_SUCCESS (granted or queued), STATUS_INSUFFICIENT_RESOURCES
 * (more registers than the adapter's maximum, or no memory for the request),
 * STATUS_INVALID_PARAMETER (NULL adapter or routine: reported) or
 * STATUS_INVALID_DEVICE_REQUEST (wrong IRQL: reported, nothing queued).
 * IRQL: DISPATCH_LEVEL (the WDK's requirement); the routine runs at
 * DISPATCH_LEVEL. The HAL owns the queued request; @Context stays the
 * caller's.
 */
NTSTATUS nd_hal_allocate_adapter_channel(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                         ULONG NumberOfMapRegisters,
                                         PDRIVER_CONTROL ExecutionRoutine, PVOID Context)
{
    nd_adapter *ad = nd_adapter_from(DmaAdapter, "AllocateAdapterChannel");
    if (!ad)
        return STATUS_INVALID_PARAMETER;
    nd_hal *h = ad->hal;
    if (!nd_hal_irql_is(h->k, DISPATCH_LEVEL, "AllocateAdapterChannel"))
        return STATUS_INVALID_DEVICE_REQUEST;
    if (!ExecutionRoutine) {
        nd_verify_report(h->k, NDISDMA_RULE_HAL_CONTRACT, "AllocateAdapterChannel",
                         "ExecutionRoutine is NULL");
        return STATUS_INVALID_PARAMETER;
    }
    if (NumberOfMapRegisters > ad->max_regs)
        return STATUS_INSUFFICIENT_RESOURCES;
    nd_hal_wait *w = calloc(1, sizeof *w);
    if (!w)
        return STATUS_INSUFFICIENT_RESOURCES;
    w->adapter = ad;
    w->device = DeviceObject;
    w->nregs = NumberOfMapRegisters;
    w->routine = ExecutionRoutine;
    w->context = Context;
    KIRQL old;
    nd_hal_lock(h, &old);
    nd_hal_channel *c = &h->chan[ad->channel];
    if (c->tail)
        c->tail->next = w;
    else
        c->head = w;
    c->tail = w;
    nd_hal_unlock(h, old);
    nd_hal_dispatch(h);
    return STATUS_SUCCESS;
}

/*
 * FreeAdapterChannel (DMA_OPERATIONS) - release the adapter channel held
 * after KeepObject, and the map registers allocated with it. The channel is
 * left as the last transfer left it (FlushAdapterBuffers masks it). The next
 * queued request is granted before this returns.
 * IRQL: DISPATCH_LEVEL. Reported and ignored: wrong IRQL, NULL adapter, an
 * adapter that does not hold its channel.
 */
VOID nd_hal_free_adapter_channel(PDMA_ADAPTER DmaAdapter)
{
    nd_adapter *ad = nd_adapter_from(DmaAdapter, "FreeAdapterChannel");
    if (!ad)
        return;
    nd_hal *h = ad->hal;
    if (!nd_hal_irql_is(h->k, DISPATCH_LEVEL, "FreeAdapterChannel"))
        return;
    KIRQL old;
    nd_hal_lock(h, &old);
    bool owner = h->chan[ad->channel].owner == ad;
    if (owner) {
        h->chan[ad->channel].owner = NULL;
        if (ad->chan_regs)
            nd_mapreg_free(h, ad->chan_regs);
        ad->chan_regs = NULL;
        ad->map.active = false;
    }
    nd_hal_unlock(h, old);
    if (!owner) {
        nd_verify_report(h->k, NDISDMA_RULE_HAL_CONTRACT, "FreeAdapterChannel",
                         "the adapter of channel %u does not hold its adapter channel",
                         ad->channel);
        return;
    }
    nd_hal_dispatch(h);
}

/*
 * FreeMapRegisters (DMA_OPERATIONS) - release map registers kept after an
 * execution routine returned DeallocateObjectKeepRegisters.
 * @MapRegisterBase: the base the routine received; @NumberOfMapRegisters:
 * the count it asked for (a different count is reported; the registers are
 * freed anyway). The next request waiting for registers is granted before
 * this returns.
 * IRQL: DISPATCH_LEVEL. Reported and ignored: wrong IRQL, NULL adapter, a
 * base this adapter does not hold, or registers still tied to the channel
 * (those are freed by FreeAdapterChannel).
 */
VOID nd_hal_free_map_registers(PDMA_ADAPTER DmaAdapter, PVOID MapRegisterBase,
                               ULONG NumberOfMapRegisters)
{
    nd_adapter *ad = nd_adapter_from(DmaAdapter, "FreeMapRegisters");
    if (!ad)
        return;
    nd_hal *h = ad->hal;
    if (!nd_hal_irql_is(h->k, DISPATCH_LEVEL, "FreeMapRegisters"))
        return;
    KIRQL old;
    nd_hal_lock(h, &old);
    nd_mapreg *r = nd_mapreg_find(h, ad, MapRegisterBase);
    bool tied = r && r == ad->chan_regs;
    size_t count = r ? r->count : 0;
    if (r && !tied)
        nd_mapreg_free(h, r);
    nd_hal_unlock(h, old);
    if (!r) {
        nd_verify_report(h->k, NDISDMA_RULE_HAL_CONTRACT, "FreeMapRegisters",
                         "MapRegisterBase %p is not a set of map registers held by the "
                         "adapter of channel %u",
                         MapRegisterBase, ad->channel);
        return;
    }
    if (tied) {
        nd_verify_report(h->k, NDISDMA_RULE_HAL_CONTRACT, "FreeMapRegisters",
                         "the map registers of channel %u are held with the adapter channel "
                         "(KeepObject); FreeAdapterChannel releases them",
                         ad->channel);
        return;
    }
    if (count != NumberOfMapRegisters)
        nd_verify_report(h->k, NDISDMA_RULE_HAL_CONTRACT, "FreeMapRegisters",
                         "NumberOfMapRegisters %u differs from the %zu allocated; freed all",
                         (unsigned)NumberOfMapRegisters, count);
    nd_hal_dispatch(h);
}
