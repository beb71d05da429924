/*
 * The host's frame pools (<ndisdma/netif.h>): send frames built the way a
 * protocol driver builds them, and ndisdma_nb_copy.
 *
 * Concept. A frame pool is @count frames of @max_len bytes of simulated
 * memory from NdisAllocateMemoryWithTagPriority (placed by the machine's
 * placement policy), each described by an MDL (NdisAllocateMdl) and carried
 * by an NBL with one NET_BUFFER (NdisAllocateNetBufferAndNetBufferList from
 * an NBL pool of the adapter's). Frames that fit several to a page share one
 * allocation (none crosses a page it does not have to), so small frames do
 * not cost a page each. Everything is made at creation; get and put are a
 * pop or a push, a copy and a few stores (no DDI, no allocation), so the
 * host's send path stays cheap; take is get without the copy (the host
 * writes the frame in place). The pool is linked on its adapter: if the
 * host forgets to destroy it before ndisdma_adapter_stop, the stop reports
 * it and frees what it holds (nd_frame_pool_orphan), and a later destroy
 * only frees the pool object.
 */
#include <stdlib.h>
#include <string.h>

#include "ndis/nbl.h"

#define ND_FRAME_TAG 0x6C506D46u /* 'FmPl' */

typedef struct nd_frame nd_frame;
struct nd_frame {
    PNET_BUFFER_LIST nbl;
    PNET_BUFFER nb; /* the NBL's own NB */
    PMDL mdl;
    PUCHAR va;
    nd_frame *next_free;
    ndisdma_frame_pool *pool; /* its pool */
    bool out;                 /* handed out by ndisdma_frame_pool_get or _take */
};

struct ndisdma_frame_pool {
    ndisdma_adapter *a;       /* NULL once orphaned */
    ndisdma_frame_pool *next; /* adapter's list */
    NDIS_HANDLE pool;         /* the NBL pool */
    unsigned count;
    ULONG max_len;
    nd_frame *frames;
    nd_frame *free;
    unsigned nfree;
    PVOID *blocks; /* NdisAllocateMemoryWithTagPriority blocks */
    unsigned nblocks;
};

static void unlink_pool(ndisdma_frame_pool *p)
{
    if (!p->a)
        return;
    for (ndisdma_frame_pool **pp = &p->a->mp.dp.frame_pools; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
}

/* Free every DDI object @p holds (the thread is bound to the machine). */
static void release(ndisdma_frame_pool *p)
{
    NDIS_HANDLE h = ndisdma_adapter_handle(p->a);
    for (unsigned i = 0; i < p->count; i++) {
        nd_frame *f = &p->frames[i];
        if (f->nbl) {
            ((nd_nbl_item *)f->nbl)->frame = NULL;
            f->nbl->FirstNetBuffer = f->nb; /* undo what the host may have changed */
            f->nb->Next = NULL;
            NdisFreeNetBufferList(f->nbl);
        }
        if (f->mdl) {
            f->mdl->Next = NULL;
            NdisFreeMdl(f->mdl);
        }
    }
    for (unsigned i = 0; i < p->nblocks; i++)
        if (p->blocks[i])
            NdisFreeMemoryWithTagPriority(h, p->blocks[i], ND_FRAME_TAG);
    if (p->pool)
        NdisFreeNetBufferListPool(p->pool);
    free(p->frames);
    free(p->blocks);
    p->frames = NULL;
    p->blocks = NULL;
    p->free = NULL;
    p->count = p->nfree = p->nblocks = 0;
    p->pool = NULL;
}

void nd_frame_pool_orphan(ndisdma_frame_pool *p)
{
    release(p);
    unlink_pool(p);
    p->a = NULL;
}

static int build(ndisdma_frame_pool *p)
{
    NDIS_HANDLE h = ndisdma_adapter_handle(p->a);
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    memset(&pp, 0, sizeof pp);
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = (USHORT)NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    pp.fAllocateNetBuffer = TRUE;
    pp.PoolTag = ND_FRAME_TAG;
    p->pool = NdisAllocateNetBufferListPool(h, &pp);
    if (!p->pool)
        return NDISDMA_ENOMEM;
    uint64_t span = (uint64_t)BYTES_TO_PAGES((uint64_t)p->max_len) << PAGE_SHIFT;
    unsigned per = (unsigned)(span / p->max_len); /* frames per allocation, >= 1 */
    p->nblocks = (p->count + per - 1) / per;
    p->blocks = calloc(p->nblocks, sizeof *p->blocks);
    if (!p->blocks)
        return NDISDMA_ENOMEM;
    for (unsigned i = 0; i < p->count; i++) {
        nd_frame *f = &p->frames[i];
        unsigned b = i / per, slot = i % per;
        if (slot == 0) {
            unsigned here = p->count - i < per ? p->count - i : per;
            p->blocks[b] = NdisAllocateMemoryWithTagPriority(h, here * p->max_len, ND_FRAME_TAG,
                                                             NormalPoolPriority);
            if (!p->blocks[b])
                return NDISDMA_ENOMEM;
        }
        f->va = (PUCHAR)p->blocks[b] + (size_t)slot * p->max_len;
        f->mdl = NdisAllocateMdl(h, f->va, p->max_len);
        if (!f->mdl)
            return NDISDMA_ENOMEM;
        f->nbl = NdisAllocateNetBufferAndNetBufferList(p->pool, 0, 0, f->mdl, 0, 0);
        if (!f->nbl)
            return NDISDMA_ENOMEM;
        f->nb = f->nbl->FirstNetBuffer;
        f->pool = p;
        ((nd_nbl_item *)f->nbl)->frame = f; /* the NBL's address is its item's (nbl.h) */
        f->next_free = p->free;
        p->free = f;
        p->nfree++;
    }
    return 0;
}

int ndisdma_frame_pool_create(ndisdma_adapter *a, unsigned count, ULONG max_len,
                              ndisdma_frame_pool **out)
{
    if (!out)
        return NDISDMA_EINVAL;
    *out = NULL;
    if (!a || count == 0 || max_len == 0)
        return NDISDMA_EINVAL;
    nd_kernel *k = a->mp.n->k;
    if (nd_kernel_current() == k && nd_kernel_irql() != PASSIVE_LEVEL) {
        nd_kernel_violation(k, "ndisdma_frame_pool_create",
                            "called at IRQL %u; host calls need PASSIVE_LEVEL",
                            (unsigned)nd_kernel_irql());
        return NDISDMA_EIRQL;
    }
    ndisdma_frame_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NDISDMA_ENOMEM;
    p->frames = calloc(count, sizeof *p->frames);
    if (!p->frames) {
        free(p);
        return NDISDMA_ENOMEM;
    }
    p->a = a;
    p->count = count;
    p->max_len = max_len;
    nd_kernel_binding saved;
    nd_kernel_enter(k, &saved);
    int rc = build(p);
    if (rc != 0)
        release(p);
    nd_kernel_leave(&saved);
    if (rc != 0) {
        free(p);
        return rc;
    }
    p->next = a->mp.dp.frame_pools;
    a->mp.dp.frame_pools = p;
    *out = p;
    return 0;
}

int ndisdma_frame_pool_destroy(ndisdma_frame_pool *p)
{
    if (!p)
        return 0;
    if (!p->a) {
        free(p);
        return 0;
    }
    nd_ndis *n = p->a->mp.n;
    for (unsigned i = 0; i < p->count; i++) {
        nd_nbl_item *it = nd_nbl_find(n, p->frames[i].nbl);
        if (it && it->state != ND_NBL_HELD)
            return NDISDMA_EBUSY;
    }
    nd_kernel_binding saved;
    nd_kernel_enter(n->k, &saved);
    release(p);
    nd_kernel_leave(&saved);
    unlink_pool(p);
    free(p);
    return 0;
}

/* Pop a free frame of @p (there is one) and reset its NBL, NB and MDL to
   one NET_BUFFER of @len bytes (len checked by the caller). */
static nd_frame *pop_frame(ndisdma_frame_pool *p, size_t len)
{
    nd_frame *f = p->free;
    p->free = f->next_free;
    p->nfree--;
    f->out = true;
    f->next_free = NULL;
    PNET_BUFFER_LIST nbl = f->nbl;
    PNET_BUFFER nb = f->nb;
    nbl->Next = NULL;
    nbl->FirstNetBuffer = nb;
    nbl->Status = NDIS_STATUS_SUCCESS;
    nbl->Flags = 0;
    nb->Next = NULL;
    nb->MdlChain = nb->CurrentMdl = f->mdl;
    nb->CurrentMdlOffset = 0;
    nb->DataOffset = 0;
    nb->stDataLength = 0;
    nb->DataLength = (ULONG)len;
    f->mdl->Next = NULL;
    return f;
}

int ndisdma_frame_pool_take(ndisdma_frame_pool *p, size_t len, PNET_BUFFER_LIST *out, void **buf)
{
    if (out)
        *out = NULL;
    if (buf)
        *buf = NULL;
    if (!p || !out || !buf || len == 0 || len > p->max_len)
        return NDISDMA_EINVAL;
    if (!p->free)
        return NDISDMA_ENOSPC;
    nd_frame *f = pop_frame(p, len);
    *buf = f->va;
    *out = f->nbl;
    return 0;
}

/* get is take and the copy. */
int ndisdma_frame_pool_get(ndisdma_frame_pool *p, const void *data, size_t len,
                           PNET_BUFFER_LIST *out)
{
    if (!data) {
        if (out)
            *out = NULL;
        return NDISDMA_EINVAL;
    }
    void *buf;
    int rc = ndisdma_frame_pool_take(p, len, out, &buf);
    if (rc == 0)
        memcpy(buf, data, len);
    return rc;
}

int ndisdma_frame_pool_put(ndisdma_frame_pool *p, PNET_BUFFER_LIST nbl)
{
    if (!p || !nbl || !p->a)
        return NDISDMA_EINVAL;
    nd_ndis *n = p->a->mp.n;
    /* One lookup per NBL (its NDIS item, which points to the frame that
       carries it): each frame found is pushed on @marked through next_free
       (unused while a frame is out), so the list ends up in the order one
       push per frame onto the free list gives (last NBL first). */
    nd_frame *marked = NULL, *first = NULL;
    unsigned count = 0;
    bool ok = true;
    for (PNET_BUFFER_LIST x = nbl; x; x = x->Next) {
        nd_nbl_item *it = nd_nbl_find(n, x);
        nd_frame *f = it && it->state == ND_NBL_HELD ? it->frame : NULL;
        if (!f || f->pool != p || !f->out) {
            ok = false;
            break;
        }
        f->out = false; /* marks it: a second visit (a loop) fails */
        f->next_free = marked;
        marked = f;
        if (!first)
            first = f;
        count++;
    }
    if (!ok) {
        for (nd_frame *f = marked, *next; f; f = next) {
            next = f->next_free;
            f->next_free = NULL;
            f->out = true;
        }
        return NDISDMA_EINVAL;
    }
    first->next_free = p->free;
    p->free = marked;
    p->nfree += count;
    return 0;
}

unsigned ndisdma_frame_pool_free_count(const ndisdma_frame_pool *p)
{
    return p ? p->nfree : 0;
}

long ndisdma_nb_copy(const NET_BUFFER *nb, void *dst, size_t cap)
{
    if (!nb || (!dst && cap))
        return NDISDMA_EINVAL;
    ULONG len = nb->DataLength;
    if (len > cap)
        return NDISDMA_ENOSPC;
    const MDL *m = nb->CurrentMdl;
    ULONG off = nb->CurrentMdlOffset;
    PUCHAR d = dst;
    ULONG left = len;
    unsigned hops = 0;
    while (left) {
        if (!m || off > m->ByteCount || ++hops > 65536u)
            return NDISDMA_EINVAL;
        ULONG avail = m->ByteCount - off;
        ULONG n = avail < left ? avail : left;
        memcpy(d, nd_mdl_va(m) + off, n);
        d += n;
        left -= n;
        m = m->Next;
        off = 0;
    }
    return (long)len;
}
