/* Observers of the hardware model: see observe.h. */
#include "hw/observe.h"

int nd_observers_add(nd_observers *o, ndisdma_observer_fn fn, void *ctx)
{
    if (!fn)
        return NDISDMA_EINVAL;
    for (int i = 0; i < NDISDMA_MAX_OBSERVERS; i++) {
        if (!o->fn[i]) {
            o->fn[i] = fn;
            o->ctx[i] = ctx;
            o->active++;
            if (o->mirror)
                *o->mirror = o->active;
            if (o->active == 1 && o->on_attached)
                o->on_attached(o->on_attached_ctx, true);
            return i + 1;
        }
    }
    return NDISDMA_ENOSPC;
}

int nd_observers_remove(nd_observers *o, int id)
{
    if (id < 1 || id > NDISDMA_MAX_OBSERVERS || !o->fn[id - 1])
        return NDISDMA_ENOENT;
    o->fn[id - 1] = NULL;
    o->ctx[id - 1] = NULL;
    o->active--;
    if (o->mirror)
        *o->mirror = o->active;
    if (o->active == 0 && o->on_attached)
        o->on_attached(o->on_attached_ctx, false);
    return 0;
}

void nd_observers_emit(const nd_observers *o, const ndisdma_event *ev)
{
    for (int i = 0; i < NDISDMA_MAX_OBSERVERS; i++)
        if (o->fn[i])
            o->fn[i](o->ctx[i], ev);
}
