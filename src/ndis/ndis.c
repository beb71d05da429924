/*
 * The NDIS layer of a machine: creation, teardown, the handle registry and
 * the seam functions of ndis_layer.h.
 *
 * Concept: see ndis_impl.h. Handles are registered by address; a lookup
 * consults the registry before it touches the object, so any pointer a
 * driver passes - NULL, garbage, freed, or a handle of another kind - is
 * reported and refused without being dereferenced. In front of the
 * registry, two caches of live handles: one entry per kind (the handle of
 * that kind found last: the usual lookup is one compare) and a small
 * two-way set cache; both answer as the registry would, and nd_handle_del
 * empties their entries of the object it removes.
 */
#include <stdlib.h>

#include "ndis/ndis_impl.h"

static const char *const kind_name[] = {
    [ND_KIND_DRIVER] = "miniport driver",  [ND_KIND_ADAPTER] = "miniport adapter",
    [ND_KIND_DMA] = "DMA channel",         [ND_KIND_INTERRUPT] = "interrupt",
    [ND_KIND_TIMER] = "timer object",      [ND_KIND_NBL_POOL] = "NET_BUFFER_LIST pool",
    [ND_KIND_NB_POOL] = "NET_BUFFER pool",
};

/*
 * nd_ndis_create - the NDIS layer over @k and @hal (neither owned). Parks
 * itself in the kernel (nd_kernel_set_ndis) so that DDIs find it.
 * Returns 0, NDISDMA_EINVAL or NDISDMA_ENOMEM.
 */
int nd_ndis_create(nd_kernel *k, nd_hal *hal, nd_ndis **out)
{
    if (!out)
        return NDISDMA_EINVAL;
    *out = NULL;
    if (!k || !hal)
        return NDISDMA_EINVAL;
    nd_ndis *n = calloc(1, sizeof *n);
    if (!n)
        return NDISDMA_ENOMEM;
    n->k = k;
    n->hal = hal;
    for (unsigned i = 0; i < ND_KIND_COUNT; i++)
        n->hot[i] = (nd_handle_entry){ND_HANDLE_NONE, NULL};
    nd_kernel_set_ndis(k, n);
    nd_verify *vs = nd_kernel_verify(k);
    vs->mdl_busy = nd_dma_mdl_busy;
    vs->mdl_busy_ctx = n;
    *out = n;
    return 0;
}

/*
 * nd_ndis_shutdown - unload every driver still loaded (their adapters are
 * stopped first). Machine teardown, before nd_ndis_destroy; binds the thread
 * for the duration.
 */
void nd_ndis_shutdown(nd_ndis *n)
{
    if (!n)
        return;
    nd_kernel_binding saved;
    nd_kernel_enter(n->k, &saved);
    nd_kernel_set_irql(PASSIVE_LEVEL);
    while (n->drivers)
        nd_driver_unload(n->drivers);
    nd_kernel_leave(&saved);
}

void nd_ndis_destroy(nd_ndis *n)
{
    if (!n)
        return;
    nd_kernel_binding saved;
    nd_kernel_enter(n->k, &saved);
    nd_pools_free_all(n); /* none left after nd_ndis_shutdown; a safety net */
    nd_kernel_leave(&saved);
    nd_kernel_set_ndis(n->k, NULL);
    nd_kernel_verify(n->k)->mdl_busy = NULL;
    nd_kernel_verify(n->k)->mdl_busy_ctx = NULL;
    nd_u64map_free(&n->handles);
    nd_u64map_free(&n->dead);
    free(n);
}

nd_ndis *nd_ndis_current(void)
{
    return nd_kernel_ndis(nd_kernel_current());
}

/* Empty the entries of nd_ndis.hot that name @o. */
static void hot_forget(nd_ndis *n, const nd_obj *o)
{
    for (unsigned i = 0; i < ND_KIND_COUNT; i++) {
        if (n->hot[i].obj == o)
            n->hot[i] = (nd_handle_entry){ND_HANDLE_NONE, NULL};
    }
}

int nd_handle_add(nd_ndis *n, nd_obj *o, nd_kind kind)
{
    /* An entry of hot[] is an object of its kind: none may name @o under
       the kind it had before (there is none, unless @o was added twice). */
    hot_forget(n, o);
    o->magic = ND_OBJ_MAGIC;
    o->kind = kind;
    nd_u64map_del(&n->dead, (uintptr_t)o); /* the address is live again */
    return nd_u64map_put(&n->handles, (uintptr_t)o, o);
}

void nd_handle_del(nd_ndis *n, nd_obj *o)
{
    hot_forget(n, o);
    for (unsigned i = 0; i < ND_HANDLE_CACHE; i++) {
        for (unsigned w = 0; w < ND_HANDLE_WAYS; w++) {
            if (n->cache[i][w].obj == o)
                n->cache[i][w] = (nd_handle_entry){0, NULL};
        }
    }
    if (nd_u64map_del(&n->handles, (uintptr_t)o))
        (void)nd_u64map_put(&n->dead, (uintptr_t)o, (void *)(uintptr_t)o->kind);
    o->magic = 0;
}

/* The registry lookup behind a cache miss (and the reports): see lookup. */
static __attribute__((noinline)) nd_obj *lookup_slow(nd_kernel *k, nd_ndis *n, NDIS_HANDLE h,
                                                     nd_kind a, nd_kind b, const char *ddi)
{
    if (!n) {
        nd_kernel_violation(k, ddi, "called on a thread bound to no machine with NDIS");
        return NULL;
    }
    void *v = NULL;
    if (!h) {
        nd_verify_report(k, NDISDMA_RULE_HANDLE_UNKNOWN, ddi, "the %s handle is NULL",
                         kind_name[a]);
        return NULL;
    }
    if (!nd_u64map_get(&n->handles, (uintptr_t)h, &v)) {
        void *dead = NULL;
        if (nd_u64map_get(&n->dead, (uintptr_t)h, &dead) && (uintptr_t)dead == ND_KIND_DMA &&
            a == ND_KIND_DMA)
            nd_verify_report(k, NDISDMA_RULE_USE_AFTER_DEREGISTER, ddi,
                             "DMA handle %p is stale: it was deregistered "
                             "(NdisMDeregisterDmaChannel) and is no longer valid",
                             h);
        else if (nd_u64map_get(&n->dead, (uintptr_t)h, &dead))
            nd_verify_report(k, NDISDMA_RULE_HANDLE_UNKNOWN, ddi,
                             "handle %p is not a live %s handle (unknown or stale): a %s "
                             "handle released earlier",
                             h, kind_name[a], kind_name[(uintptr_t)dead]);
        else
            nd_verify_report(k, NDISDMA_RULE_HANDLE_UNKNOWN, ddi,
                             "handle %p is not a live %s handle (unknown or stale)", h,
                             kind_name[a]);
        return NULL;
    }
    nd_obj *o = v;
    if (o->kind != a && o->kind != b) {
        nd_verify_report(k, NDISDMA_RULE_HANDLE_KIND, ddi,
                         "handle %p is a %s handle, not a %s handle", h, kind_name[o->kind],
                         kind_name[a]);
        return NULL;
    }
    nd_handle_entry *set = n->cache[nd_handle_slot((uintptr_t)h)];
    if (set[0].handle) /* an empty first entry (nd_handle_del) is simply reused */
        set[1] = set[0];
    set[0] = (nd_handle_entry){(uintptr_t)h, o};
    n->hot[o->kind] = set[0];
    return o;
}

/* The cache behind the per-kind entry: a hit there becomes the kind's
   entry (see lookup). Out of line: a driver with one object of each kind
   never gets here after the first lookup. */
static __attribute__((noinline)) nd_obj *lookup_cache(nd_kernel *k, nd_ndis *n, NDIS_HANDLE h,
                                                      nd_kind a, nd_kind b, const char *ddi)
{
    /* The cache: a driver calls its DDIs on the same few handles again and
       again. It holds only live handles (nd_handle_del clears them). */
    if (n && h) {
        const nd_handle_entry *set = n->cache[nd_handle_slot((uintptr_t)h)];
        for (unsigned w = 0; w < ND_HANDLE_WAYS; w++) {
            if ((uintptr_t)h == set[w].handle) {
                nd_obj *o = set[w].obj;
                if (o->kind != a && o->kind != b)
                    break;
                n->hot[o->kind] = set[w];
                return o;
            }
        }
    }
    return lookup_slow(k, n, h, a, b, ddi);
}

/* The object behind @h (of kind @a or @b) on the calling thread's machine.
   The usual lookup is the handle of kind @a found last (nd_ndis.hot): it
   returns here, with one compare and without a stack frame. An entry of
   hot[@a] is a live handle of kind @a (nd_handle_del clears it) and an
   empty one matches no handle, not even NULL, so this is the answer the
   cache and the registry would give. Everything else is
   lookup_cache's and, for every miss and every report, lookup_slow's, in
   the order it always had: no NDIS, then a NULL handle, then the registry. */
static inline nd_obj *lookup(NDIS_HANDLE h, nd_kind a, nd_kind b, const char *ddi)
{
    nd_kernel *k = nd_kernel_current();
    nd_ndis *n = nd_kernel_ndis(k);
    if (__builtin_expect(n != NULL, 1) && (uintptr_t)h == n->hot[a].handle)
        return n->hot[a].obj;
    return lookup_cache(k, n, h, a, b, ddi);
}

nd_obj *nd_handle_get(NDIS_HANDLE h, nd_kind kind, const char *ddi)
{
    return lookup(h, kind, kind, ddi);
}

nd_obj *nd_handle_get2(NDIS_HANDLE h, nd_kind a, nd_kind b, const char *ddi)
{
    return lookup(h, a, b, ddi);
}

bool nd_irql_is(nd_kernel *k, KIRQL level, const char *ddi)
{
    KIRQL now = nd_kernel_irql();
    if (now == level)
        return true;
    nd_verify_report(k, NDISDMA_RULE_IRQL, ddi, "called at IRQL %u; it requires IRQL %u",
                     (unsigned)now, (unsigned)level);
    return false;
}

nd_mp_adapter *nd_ndis_adapter_from_handle(NDIS_HANDLE h, const char *ddi)
{
    return (nd_mp_adapter *)nd_handle_get(h, ND_KIND_ADAPTER, ddi);
}

nd_kernel *nd_mp_adapter_kernel(nd_mp_adapter *a)
{
    return a ? a->n->k : NULL;
}
