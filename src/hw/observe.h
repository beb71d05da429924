/*
 * Observers of the hardware model.
 *
 * Concept: the machine raises ndisdma_event records (port accesses, DREQ
 * changes, bursts, TC/EOP, illegal accesses) to a short list of observers.
 * The hot paths test one counter and skip building the event when nobody
 * listens. Observers see; they never change behaviour.
 */
#ifndef ND_HW_OBSERVE_H
#define ND_HW_OBSERVE_H

#include <stdbool.h>

#include <ndisdma/machine.h>

typedef struct nd_observers {
    ndisdma_observer_fn fn[NDISDMA_MAX_OBSERVERS];
    void *ctx[NDISDMA_MAX_OBSERVERS];
    unsigned active; /* number of non-NULL fn */
    /* When set, a copy of @active that add and remove keep equal to it: the
       kernel's verifier tests its own copy on every DDI call (verify.h)
       instead of reaching into the hardware. The kernel sets and clears it. */
    unsigned *mirror;
    /* When set, called after @active went from 0 to 1 or from 1 to 0, with
       the new state (the hardware switches its port bus's write tap). */
    void (*on_attached)(void *ctx, bool attached);
    void *on_attached_ctx;
} nd_observers;

int nd_observers_add(nd_observers *o, ndisdma_observer_fn fn, void *ctx);
int nd_observers_remove(nd_observers *o, int id);
void nd_observers_emit(const nd_observers *o, const ndisdma_event *ev);

#endif /* ND_HW_OBSERVE_H */
