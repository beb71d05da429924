/*
 * NET_BUFFER_LIST and NET_BUFFER pools: NdisAllocateNetBufferListPool,
 * NdisFreeNetBufferListPool, NdisAllocateNetBufferPool,
 * NdisFreeNetBufferPool, NdisAllocateNetBufferList,
 * NdisAllocateNetBufferAndNetBufferList, NdisFreeNetBufferList,
 * NdisAllocateNetBuffer, NdisFreeNetBuffer, NdisGetDataBuffer.
 *
 * Concept: see nbl.h. Pools are handles of the NDIS layer's registry; NBLs
 * and NBs are items made on demand and recycled through a free list, so an
 * allocation in the steady state is a pop and a few stores, and a free a
 * lookup (nd_ndis.nbls: is this an NBL NDIS made, and who holds it?) and a
 * push. Bad input - a NULL, unknown or stale pool handle, a malformed
 * parameter structure, a foreign or freed NBL, an NBL that is with the
 * miniport or indicated - is reported against a rule of the catalogue and
 * refused; nothing is dereferenced before the registry knows it.
 *
 * Context (NET_BUFFER_LIST_CONTEXT): ContextSize bytes of used space with
 * ContextBackFill bytes of backfill before them (both multiples of
 * MEMORY_ALLOCATION_ALIGNMENT): Context->Size is the used size and
 * Context->Offset the start of the used space in ContextData, so
 * NET_BUFFER_LIST_CONTEXT_DATA_START and _SIZE give the caller's area. A
 * request that fits in the pool's ContextSize uses the preallocated area
 * (all of its unused space is backfill); a larger one gets its own.
 *
 * One machine, one thread at a time: nothing here is locked.
 */
#include <stdlib.h>
#include <string.h>

#include "ndis/nbl.h"

#define ND_ALIGN16(x)    (((x) + 15u) & ~(size_t)15u)
#define ND_MAX_MDL_CHAIN 65536u /* a longer MDL chain is taken as a loop */

/* ---- helpers ---- */

static bool aligned_ok(ULONG v)
{
    return v % MEMORY_ALLOCATION_ALIGNMENT == 0;
}

/* The driver or adapter object behind @h, or NULL after a report. */
static const nd_obj *pool_owner(nd_kernel *k, NDIS_HANDLE h, const char *ddi)
{
    if (!h) {
        nd_verify_report(k, NDISDMA_RULE_HANDLE_UNKNOWN, ddi, "the NDIS handle is NULL");
        return NULL;
    }
    return nd_handle_get2(h, ND_KIND_ADAPTER, ND_KIND_DRIVER, ddi);
}

/* The NDIS layer of the calling thread (NULL on an unbound thread, or
   after a report when the machine has no NDIS layer). */
static nd_ndis *layer(nd_kernel *k, const char *ddi)
{
    if (!k)
        return NULL;
    nd_ndis *n = nd_kernel_ndis(k);
    if (!n)
        nd_kernel_violation(k, ddi, "called on a machine without an NDIS layer");
    return n;
}

/* Check a pool's parameter header: NDIS_OBJECT_TYPE_DEFAULT, revision 1 or
   later, Size at least @size1. */
static bool header_ok(nd_kernel *k, const NDIS_OBJECT_HEADER *h, USHORT size1, const char *ddi)
{
    if (h->Type != NDIS_OBJECT_TYPE_DEFAULT || h->Revision < 1 || h->Size < size1) {
        nd_kernel_violation(k, ddi,
                            "Parameters->Header is Type 0x%02X, Revision %u, Size %u; it must be "
                            "NDIS_OBJECT_TYPE_DEFAULT (0x80), revision 1, Size at least %u",
                            h->Type, (unsigned)h->Revision, (unsigned)h->Size, (unsigned)size1);
        return false;
    }
    return true;
}

static nd_nbl_pool *new_pool(nd_ndis *n, const nd_obj *owner, nd_kind kind)
{
    nd_nbl_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (nd_handle_add(n, &p->obj, kind) != 0) {
        free(p);
        return NULL;
    }
    p->n = n;
    p->owner = owner;
    p->next = n->pools;
    n->pools = p;
    return p;
}

/* Walk @chain: its total bytes, or false (after a report) when it loops. */
static bool chain_bytes(nd_kernel *k, PMDL chain, uint64_t *total, const char *ddi)
{
    uint64_t t = 0;
    unsigned n = 0;
    for (PMDL m = chain; m; m = m->Next) {
        if (++n > ND_MAX_MDL_CHAIN) {
            nd_kernel_violation(k, ddi, "the MDL chain at %p has more than %u MDLs (a loop?)",
                                (void *)chain, ND_MAX_MDL_CHAIN);
            return false;
        }
        t += m->ByteCount;
    }
    *total = t;
    return true;
}

/* Check that @len bytes at @off fit in @chain; false after a report. */
static bool data_fits(nd_kernel *k, PMDL chain, ULONG off, SIZE_T len, const char *ddi)
{
    uint64_t total = 0;
    if (!chain_bytes(k, chain, &total, ddi))
        return false;
    if (len > UINT32_MAX || (uint64_t)off + len > total) {
        nd_kernel_violation(k, ddi,
                            "DataOffset %u + DataLength %llu is past the end of the MDL chain "
                            "(%llu bytes)",
                            (unsigned)off, (unsigned long long)len, (unsigned long long)total);
        return false;
    }
    return true;
}

/* Point @nb at @len bytes @off bytes into @chain (checked by data_fits). */
static void set_nb_data(PNET_BUFFER nb, PMDL chain, ULONG off, SIZE_T len)
{
    nb->MdlChain = chain;
    nb->DataOffset = off;
    nb->stDataLength = 0;
    nb->DataLength = (ULONG)len;
    PMDL m = chain;
    ULONG o = off;
    while (m && o >= m->ByteCount && m->Next) {
        o -= m->ByteCount;
        m = m->Next;
    }
    nb->CurrentMdl = m;
    nb->CurrentMdlOffset = o;
}

/* ---- items ---- */

nd_nbl_item *nd_nbl_find_slow(nd_ndis *n, const NET_BUFFER_LIST *nbl)
{
    void *v = NULL;
    if (!nbl || !nd_u64map_get(&n->nbls, (uintptr_t)nbl, &v))
        return NULL;
    struct nd_nbl_entry *e = &n->nbl_cache[nd_nbl_slot((uintptr_t)nbl)];
    e->nbl = (uintptr_t)nbl;
    e->item = v;
    return v;
}

static void free_nbl_item(nd_kernel *k, nd_nbl_item *it)
{
    nd_ndis *n = it->pool->n;
    struct nd_nbl_entry *e = &n->nbl_cache[nd_nbl_slot((uintptr_t)&it->nbl)];
    if (e->item == it)
        *e = (struct nd_nbl_entry){0, NULL};
    nd_u64map_del(&n->nbls, (uintptr_t)&it->nbl);
    if (it->data_mdl) {
        KIRQL irql = nd_kernel_irql();
        if (irql > DISPATCH_LEVEL)
            nd_kernel_set_irql(DISPATCH_LEVEL);
        IoFreeMdl(it->data_mdl);
        if (irql > DISPATCH_LEVEL)
            nd_kernel_set_irql(irql);
    }
    if (it->data)
        nd_kernel_free_nonpaged(k, it->data, it->data_bytes, "NdisFreeNetBufferListPool");
    free(it->ctx_extra);
    free(it);
}

static nd_nbl_item *new_nbl_item(nd_kernel *k, nd_nbl_pool *p)
{
    size_t base = ND_ALIGN16(sizeof(nd_nbl_item));
    size_t bytes = base;
    if (p->ctx_size)
        bytes += ND_ALIGN16(sizeof(NET_BUFFER_LIST_CONTEXT) + p->ctx_size);
    nd_nbl_item *it = aligned_alloc(16, ND_ALIGN16(bytes));
    if (!it)
        return NULL;
    memset(it, 0, bytes);
    it->pool = p;
    if (p->ctx_size)
        it->ctx_pre = (PNET_BUFFER_LIST_CONTEXT)((char *)it + base);
    if (p->data_size) {
        uint64_t phys = 0;
        size_t db = (size_t)BYTES_TO_PAGES((uint64_t)p->data_size) << PAGE_SHIFT;
        if (nd_kernel_alloc_nonpaged(k, db, &it->data, &phys) != 0) {
            free(it);
            return NULL;
        }
        it->data_bytes = db;
        it->data_mdl = IoAllocateMdl(it->data, p->data_size, FALSE, FALSE, NULL);
        if (!it->data_mdl) {
            nd_kernel_free_nonpaged(k, it->data, db, "NdisAllocateNetBufferList");
            free(it);
            return NULL;
        }
        MmBuildMdlForNonPagedPool(it->data_mdl);
    }
    if (nd_u64map_put(&p->n->nbls, (uintptr_t)&it->nbl, it) != 0) {
        it->pool = p; /* free_nbl_item's del finds nothing: fine */
        free_nbl_item(k, it);
        return NULL;
    }
    it->next_all = p->all;
    p->all = it;
    return it;
}

static void destroy_pool(nd_kernel *k, nd_nbl_pool *p)
{
    nd_ndis *n = p->n;
    if (p->obj.kind == ND_KIND_NBL_POOL) {
        for (nd_nbl_item *it = p->all, *next; it; it = next) {
            next = it->next_all;
            free_nbl_item(k, it);
        }
    } else {
        for (nd_nb_item *it = p->all, *next; it; it = next) {
            next = it->next_all;
            nd_u64map_del(&n->nbs, (uintptr_t)&it->nb);
            free(it);
        }
    }
    for (nd_nbl_pool **pp = &n->pools; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    nd_handle_del(n, &p->obj);
    free(p);
}

void nd_pools_release_owner(nd_ndis *n, const nd_obj *owner, const char *when)
{
    for (nd_nbl_pool **pp = &n->pools; *pp;) {
        nd_nbl_pool *p = *pp;
        if (p->owner != owner) {
            pp = &p->next;
            continue;
        }
        bool nbl = p->obj.kind == ND_KIND_NBL_POOL;
        nd_verify_report(n->k, NDISDMA_RULE_POOL_OUTSTANDING,
                         nbl ? "NdisFreeNetBufferListPool" : "NdisFreeNetBufferPool",
                         "%s pool %p is still allocated %s, with %llu %s out; freed",
                         nbl ? "an NBL" : "an NB", (void *)p, when,
                         (unsigned long long)p->outstanding, nbl ? "NBLs" : "NBs");
        destroy_pool(n->k, p); /* unlinks p: *pp is the next one */
    }
}

void nd_pools_free_all(nd_ndis *n)
{
    while (n->pools)
        destroy_pool(n->k, n->pools);
    nd_u64map_free(&n->nbls);
    nd_u64map_free(&n->nbs);
}

/* ---- pools ---- */

/* What both pool allocations check first: the calling thread's NDIS layer
   (*@k, *@n), the IRQL, the owner handle @h, and the parameters' @hdr
   (NULL: reported) against revision 1 of @size bytes. Returns the owner, or
   NULL after a report. */
static const nd_obj *pool_prologue(NDIS_HANDLE h, const NDIS_OBJECT_HEADER *hdr, USHORT size,
                                   const char *ddi, nd_kernel **k, nd_ndis **n)
{
    *k = nd_kernel_current();
    *n = layer(*k, ddi);
    if (!*n || !nd_kernel_irql_at_most(*k, DISPATCH_LEVEL, ddi))
        return NULL;
    const nd_obj *owner = pool_owner(*k, h, ddi);
    if (!owner)
        return NULL;
    if (!hdr) {
        nd_verify_report(*k, NDISDMA_RULE_NULL_ARG, ddi, "Parameters is NULL");
        return NULL;
    }
    return header_ok(*k, hdr, size, ddi) ? owner : NULL;
}

static NDIS_HANDLE ddi_body_NdisAllocateNetBufferListPool(NDIS_HANDLE NdisHandle,
                                                          PNET_BUFFER_LIST_POOL_PARAMETERS P)
{
    static const char ddi[] = "NdisAllocateNetBufferListPool";
    nd_kernel *k;
    nd_ndis *n;
    const nd_obj *owner =
        pool_prologue(NdisHandle, P ? &P->Header : NULL,
                      NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1, ddi, &k, &n);
    if (!owner)
        return NULL;
    if (!aligned_ok(P->ContextSize)) {
        nd_kernel_violation(k, ddi,
                            "ContextSize %u is not a multiple of MEMORY_ALLOCATION_ALIGNMENT (%u)",
                            (unsigned)P->ContextSize, (unsigned)MEMORY_ALLOCATION_ALIGNMENT);
        return NULL;
    }
    if (P->DataSize && !P->fAllocateNetBuffer) {
        nd_kernel_violation(k, ddi, "DataSize %u without fAllocateNetBuffer",
                            (unsigned)P->DataSize);
        return NULL;
    }
    nd_nbl_pool *p = new_pool(n, owner, ND_KIND_NBL_POOL);
    if (!p)
        return NULL;
    p->tag = P->PoolTag;
    p->ctx_size = P->ContextSize;
    p->alloc_nb = P->fAllocateNetBuffer != FALSE;
    p->data_size = P->DataSize;
    return (NDIS_HANDLE)p;
}

/* The pool behind @h of @kind, or NULL after a report. */
static nd_nbl_pool *get_pool(NDIS_HANDLE h, nd_kind kind, const char *ddi)
{
    return (nd_nbl_pool *)nd_handle_get(h, kind, ddi);
}

/* Free pool @PoolHandle of @kind unless @what (its items: "NBLs", "NBs")
   are still allocated (then reported, naming @free_ddi, and kept). */
static void free_pool(NDIS_HANDLE PoolHandle, nd_kind kind, const char *what, const char *free_ddi,
                      const char *ddi)
{
    nd_kernel *k = nd_kernel_current();
    if (!layer(k, ddi) || !nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return;
    nd_nbl_pool *p = get_pool(PoolHandle, kind, ddi);
    if (!p)
        return;
    if (p->outstanding) {
        nd_verify_report(k, NDISDMA_RULE_POOL_OUTSTANDING, ddi,
                         "pool %p still has %llu %s allocated; the pool is not freed "
                         "(free them with %s first)",
                         PoolHandle, (unsigned long long)p->outstanding, what, free_ddi);
        return;
    }
    destroy_pool(k, p);
}

static VOID ddi_body_NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle)
{
    free_pool(PoolHandle, ND_KIND_NBL_POOL, "NBLs", "NdisFreeNetBufferList",
              "NdisFreeNetBufferListPool");
}

static NDIS_HANDLE ddi_body_NdisAllocateNetBufferPool(NDIS_HANDLE NdisHandle,
                                                      PNET_BUFFER_POOL_PARAMETERS P)
{
    static const char ddi[] = "NdisAllocateNetBufferPool";
    nd_kernel *k;
    nd_ndis *n;
    const nd_obj *owner =
        pool_prologue(NdisHandle, P ? &P->Header : NULL,
                      NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1, ddi, &k, &n);
    if (!owner)
        return NULL;
    if (P->DataSize) {
        nd_kernel_violation(k, ddi,
                            "DataSize %u: data buffers with NET_BUFFERs "
                            "(NdisAllocateNetBufferMdlAndData) are not provided; use 0",
                            (unsigned)P->DataSize);
        return NULL;
    }
    nd_nbl_pool *p = new_pool(n, owner, ND_KIND_NB_POOL);
    if (!p)
        return NULL;
    p->tag = P->PoolTag;
    return (NDIS_HANDLE)p;
}

static VOID ddi_body_NdisFreeNetBufferPool(NDIS_HANDLE PoolHandle)
{
    free_pool(PoolHandle, ND_KIND_NB_POOL, "NBs", "NdisFreeNetBuffer", "NdisFreeNetBufferPool");
}

/* ---- NBLs ---- */

/* Attach a context of @size used bytes after @backfill bytes to @it. */
static bool set_context(nd_nbl_item *it, USHORT size, USHORT backfill)
{
    nd_nbl_pool *p = it->pool;
    uint32_t total = (uint32_t)size + backfill;
    PNET_BUFFER_LIST_CONTEXT c = NULL;
    if (total <= p->ctx_size && it->ctx_pre) {
        c = it->ctx_pre;
        c->Offset = (USHORT)(p->ctx_size - size); /* all unused space is backfill */
    } else if (total > 0) {
        c = aligned_alloc(16, ND_ALIGN16(sizeof *c + total));
        if (!c)
            return false;
        it->ctx_extra = c;
        c->Offset = backfill;
    }
    if (c) {
        c->Next = NULL;
        c->Size = size;
    }
    it->nbl.Context = c;
    return true;
}

/* Pop (or make) an NBL of @p with its context; NULL when out of memory. */
static nd_nbl_item *alloc_nbl(nd_kernel *k, nd_nbl_pool *p, USHORT ContextSize,
                              USHORT ContextBackFill)
{
    nd_nbl_item *it = p->free;
    if (it)
        p->free = it->next_free;
    else if (!(it = new_nbl_item(k, p)))
        return NULL;
    it->next_free = NULL;
    PNET_BUFFER_LIST nbl = &it->nbl;
    memset(nbl, 0, sizeof *nbl);
    nbl->NdisPoolHandle = (NDIS_HANDLE)p;
    if (!set_context(it, ContextSize, ContextBackFill)) {
        it->next_free = p->free;
        p->free = it;
        return NULL;
    }
    if (p->alloc_nb) {
        PNET_BUFFER nb = &it->nb;
        memset(nb, 0, sizeof *nb);
        nb->NdisPoolHandle = (NDIS_HANDLE)p;
        if (it->data_mdl) {
            it->data_mdl->ByteCount = p->data_size;
            it->data_mdl->Next = NULL;
            nb->MdlChain = nb->CurrentMdl = it->data_mdl;
        }
        nbl->FirstNetBuffer = nb;
    }
    it->state = ND_NBL_HELD;
    it->adapter = NULL;
    it->frame = NULL;
    p->outstanding++;
    return it;
}

static bool context_args_ok(nd_kernel *k, USHORT ContextSize, USHORT ContextBackFill,
                            const char *ddi)
{
    if (aligned_ok(ContextSize) && aligned_ok(ContextBackFill))
        return true;
    nd_kernel_violation(k, ddi,
                        "ContextSize %u and ContextBackFill %u must be multiples of "
                        "MEMORY_ALLOCATION_ALIGNMENT (%u)",
                        (unsigned)ContextSize, (unsigned)ContextBackFill,
                        (unsigned)MEMORY_ALLOCATION_ALIGNMENT);
    return false;
}

static PNET_BUFFER_LIST ddi_body_NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle,
                                                           USHORT ContextSize,
                                                           USHORT ContextBackFill)
{
    static const char ddi[] = "NdisAllocateNetBufferList";
    nd_kernel *k = nd_kernel_current();
    if (!layer(k, ddi) || !nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return NULL;
    nd_nbl_pool *p = get_pool(PoolHandle, ND_KIND_NBL_POOL, ddi);
    if (!p || !context_args_ok(k, ContextSize, ContextBackFill, ddi))
        return NULL;
    nd_nbl_item *it = alloc_nbl(k, p, ContextSize, ContextBackFill);
    return it ? &it->nbl : NULL;
}

static PNET_BUFFER_LIST
ddi_body_NdisAllocateNetBufferAndNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize,
                                               USHORT ContextBackFill, PMDL MdlChain,
                                               ULONG DataOffset, SIZE_T DataLength)
{
    static const char ddi[] = "NdisAllocateNetBufferAndNetBufferList";
    nd_kernel *k = nd_kernel_current();
    if (!layer(k, ddi) || !nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return NULL;
    nd_nbl_pool *p = get_pool(PoolHandle, ND_KIND_NBL_POOL, ddi);
    if (!p || !context_args_ok(k, ContextSize, ContextBackFill, ddi))
        return NULL;
    if (!p->alloc_nb || p->data_size) {
        nd_kernel_violation(k, ddi,
                            "pool %p was created %s; this DDI needs fAllocateNetBuffer TRUE "
                            "and DataSize 0",
                            PoolHandle,
                            !p->alloc_nb ? "without fAllocateNetBuffer" : "with a DataSize");
        return NULL;
    }
    if (!data_fits(k, MdlChain, DataOffset, DataLength, ddi))
        return NULL;
    nd_nbl_item *it = alloc_nbl(k, p, ContextSize, ContextBackFill);
    if (!it)
        return NULL;
    set_nb_data(&it->nb, MdlChain, DataOffset, DataLength);
    return &it->nbl;
}

static VOID ddi_body_NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList)
{
    static const char ddi[] = "NdisFreeNetBufferList";
    nd_kernel *k = nd_kernel_current();
    nd_ndis *n = layer(k, ddi);
    if (!n)
        return;
    nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi); /* reported, freed all the same */
    if (!NetBufferList) {
        nd_verify_report(k, NDISDMA_RULE_NULL_ARG, ddi, "NetBufferList is NULL");
        return;
    }
    nd_nbl_item *it = nd_nbl_find(n, NetBufferList);
    if (!it || it->state == ND_NBL_FREE) {
        nd_verify_report(k, NDISDMA_RULE_NBL_UNKNOWN, ddi, "NBL %p is %s; nothing is freed",
                         (void *)NetBufferList, it ? "already freed" : "not an NBL NDIS allocated");
        return;
    }
    if (it->state != ND_NBL_HELD) {
        nd_verify_report(k, NDISDMA_RULE_NBL_FREED_BUSY, ddi, "NBL %p is %s; it is not freed",
                         (void *)NetBufferList,
                         it->state == ND_NBL_SENT ? "with the miniport (sent, not completed)"
                                                  : "indicated to the host and not returned");
        return;
    }
    nd_nbl_pool *p = it->pool;
    PNET_BUFFER own = p->alloc_nb ? &it->nb : NULL;
    PNET_BUFFER first = NetBufferList->FirstNetBuffer;
    if ((first && first != own) || (own && own->Next))
        nd_kernel_violation(k, ddi,
                            "NBL %p still has NET_BUFFERs it was not allocated with; free them "
                            "(NdisFreeNetBuffer) first: they stay allocated",
                            (void *)NetBufferList);
    if (it->ctx_extra) {
        free(it->ctx_extra);
        it->ctx_extra = NULL;
    }
    it->state = ND_NBL_FREE;
    it->adapter = NULL;
    it->next_free = p->free;
    p->free = it;
    p->outstanding--;
}

/* ---- NBs ---- */

static PNET_BUFFER ddi_body_NdisAllocateNetBuffer(NDIS_HANDLE PoolHandle, PMDL MdlChain,
                                                  ULONG DataOffset, SIZE_T DataLength)
{
    static const char ddi[] = "NdisAllocateNetBuffer";
    nd_kernel *k = nd_kernel_current();
    nd_ndis *n = layer(k, ddi);
    if (!n || !nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return NULL;
    nd_nbl_pool *p = get_pool(PoolHandle, ND_KIND_NB_POOL, ddi);
    if (!p || !data_fits(k, MdlChain, DataOffset, DataLength, ddi))
        return NULL;
    nd_nb_item *it = p->free;
    if (it) {
        p->free = it->next_free;
    } else {
        it = calloc(1, sizeof *it);
        if (!it)
            return NULL;
        if (nd_u64map_put(&n->nbs, (uintptr_t)&it->nb, it) != 0) {
            free(it);
            return NULL;
        }
        it->pool = p;
        it->next_all = p->all;
        p->all = it;
    }
    it->next_free = NULL;
    memset(&it->nb, 0, sizeof it->nb);
    it->nb.NdisPoolHandle = (NDIS_HANDLE)p;
    set_nb_data(&it->nb, MdlChain, DataOffset, DataLength);
    it->live = true;
    p->outstanding++;
    return &it->nb;
}

static VOID ddi_body_NdisFreeNetBuffer(PNET_BUFFER NetBuffer)
{
    static const char ddi[] = "NdisFreeNetBuffer";
    nd_kernel *k = nd_kernel_current();
    nd_ndis *n = layer(k, ddi);
    if (!n)
        return;
    nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi);
    if (!NetBuffer) {
        nd_verify_report(k, NDISDMA_RULE_NULL_ARG, ddi, "NetBuffer is NULL");
        return;
    }
    void *v = NULL;
    nd_nb_item *it = nd_u64map_get(&n->nbs, (uintptr_t)NetBuffer, &v) ? v : NULL;
    if (!it || !it->live) {
        nd_verify_report(k, NDISDMA_RULE_NBL_UNKNOWN, ddi, "NB %p is %s; nothing is freed",
                         (void *)NetBuffer,
                         it ? "already freed"
                            : "not an NB of NdisAllocateNetBuffer (an NB allocated with its "
                              "NBL is freed with it)");
        return;
    }
    it->live = false;
    it->next_free = it->pool->free;
    it->pool->free = it;
    it->pool->outstanding--;
}

/* ---- NdisGetDataBuffer ---- */

static PVOID ddi_body_NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage,
                                        UINT AlignMultiple, UINT AlignOffset)
{
    static const char ddi[] = "NdisGetDataBuffer";
    nd_kernel *k = nd_kernel_current();
    if (!k || !nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return NULL;
    if (!NetBuffer) {
        nd_verify_report(k, NDISDMA_RULE_NULL_ARG, ddi, "NetBuffer is NULL");
        return NULL;
    }
    if (BytesNeeded == 0 || BytesNeeded > NetBuffer->DataLength)
        return NULL;
    PMDL m = NetBuffer->CurrentMdl;
    ULONG off = NetBuffer->CurrentMdlOffset;
    if (!m || off > m->ByteCount) {
        nd_kernel_violation(k, ddi,
                            "NB %p: CurrentMdl/CurrentMdlOffset do not point into its "
                            "MDL chain",
                            (void *)NetBuffer);
        return NULL;
    }
    PUCHAR va = nd_mdl_va(m) + off;
    bool aligned = AlignMultiple <= 1 || (uintptr_t)va % AlignMultiple == AlignOffset;
    if (BytesNeeded <= m->ByteCount - off && aligned)
        return va;
    if (!Storage)
        return NULL;
    PUCHAR dst = Storage;
    ULONG left = BytesNeeded;
    unsigned hops = 0;
    while (left) {
        if (!m || ++hops > ND_MAX_MDL_CHAIN) {
            nd_kernel_violation(k, ddi, "NB %p: its MDL chain ends before DataLength bytes",
                                (void *)NetBuffer);
            return NULL;
        }
        ULONG avail = m->ByteCount - off;
        ULONG n = avail < left ? avail : left;
        memcpy(dst, nd_mdl_va(m) + off, n);
        dst += n;
        left -= n;
        m = m->Next;
        off = 0;
    }
    return Storage;
}

/* ---- the exported DDIs: the verifier's call bracket around each ---- */

NDIS_HANDLE NdisAllocateNetBufferListPool(NDIS_HANDLE NdisHandle,
                                          PNET_BUFFER_LIST_POOL_PARAMETERS Parameters)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {nd_ptr_arg(NdisHandle), nd_ptr_arg(Parameters)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateNetBufferListPool", 2, args, &sv);
    NDIS_HANDLE r = ddi_body_NdisAllocateNetBufferListPool(NdisHandle, Parameters);
    nd_verify_ddi_leave(k, fast, "NdisAllocateNetBufferListPool", (int64_t)(r != NULL), &sv);
    return r;
}

VOID NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(PoolHandle)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisFreeNetBufferListPool", 1, args, &sv);
    ddi_body_NdisFreeNetBufferListPool(PoolHandle);
    nd_verify_ddi_leave(k, fast, "NdisFreeNetBufferListPool", 0, &sv);
}

NDIS_HANDLE NdisAllocateNetBufferPool(NDIS_HANDLE NdisHandle,
                                      PNET_BUFFER_POOL_PARAMETERS Parameters)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {nd_ptr_arg(NdisHandle), nd_ptr_arg(Parameters)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateNetBufferPool", 2, args, &sv);
    NDIS_HANDLE r = ddi_body_NdisAllocateNetBufferPool(NdisHandle, Parameters);
    nd_verify_ddi_leave(k, fast, "NdisAllocateNetBufferPool", (int64_t)(r != NULL), &sv);
    return r;
}

VOID NdisFreeNetBufferPool(NDIS_HANDLE PoolHandle)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(PoolHandle)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisFreeNetBufferPool", 1, args, &sv);
    ddi_body_NdisFreeNetBufferPool(PoolHandle);
    nd_verify_ddi_leave(k, fast, "NdisFreeNetBufferPool", 0, &sv);
}

PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize,
                                           USHORT ContextBackFill)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[3] = {nd_ptr_arg(PoolHandle), (uint64_t)ContextSize,
                              (uint64_t)ContextBackFill};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateNetBufferList", 3, args, &sv);
    PNET_BUFFER_LIST r =
        ddi_body_NdisAllocateNetBufferList(PoolHandle, ContextSize, ContextBackFill);
    nd_verify_ddi_leave(k, fast, "NdisAllocateNetBufferList", (int64_t)(r != NULL), &sv);
    return r;
}

PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize,
                                                       USHORT ContextBackFill, PMDL MdlChain,
                                                       ULONG DataOffset, SIZE_T DataLength)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[6] = {nd_ptr_arg(PoolHandle),    (uint64_t)ContextSize,
                              (uint64_t)ContextBackFill, nd_ptr_arg(MdlChain),
                              (uint64_t)DataOffset,      (uint64_t)DataLength};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateNetBufferAndNetBufferList", 6, args, &sv);
    PNET_BUFFER_LIST r = ddi_body_NdisAllocateNetBufferAndNetBufferList(
        PoolHandle, ContextSize, ContextBackFill, MdlChain, DataOffset, DataLength);
    nd_verify_ddi_leave(k, fast, "NdisAllocateNetBufferAndNetBufferList", (int64_t)(r != NULL),
                        &sv);
    return r;
}

VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(NetBufferList)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisFreeNetBufferList", 1, args, &sv);
    ddi_body_NdisFreeNetBufferList(NetBufferList);
    nd_verify_ddi_leave(k, fast, "NdisFreeNetBufferList", 0, &sv);
}

PNET_BUFFER NdisAllocateNetBuffer(NDIS_HANDLE PoolHandle, PMDL MdlChain, ULONG DataOffset,
                                  SIZE_T DataLength)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[4] = {nd_ptr_arg(PoolHandle), nd_ptr_arg(MdlChain), (uint64_t)DataOffset,
                              (uint64_t)DataLength};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateNetBuffer", 4, args, &sv);
    PNET_BUFFER r = ddi_body_NdisAllocateNetBuffer(PoolHandle, MdlChain, DataOffset, DataLength);
    nd_verify_ddi_leave(k, fast, "NdisAllocateNetBuffer", (int64_t)(r != NULL), &sv);
    return r;
}

VOID NdisFreeNetBuffer(PNET_BUFFER NetBuffer)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(NetBuffer)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisFreeNetBuffer", 1, args, &sv);
    ddi_body_NdisFreeNetBuffer(NetBuffer);
    nd_verify_ddi_leave(k, fast, "NdisFreeNetBuffer", 0, &sv);
}

PVOID NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage, UINT AlignMultiple,
                        UINT AlignOffset)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[5] = {nd_ptr_arg(NetBuffer), (uint64_t)BytesNeeded, nd_ptr_arg(Storage),
                              (uint64_t)AlignMultiple, (uint64_t)AlignOffset};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisGetDataBuffer", 5, args, &sv);
    PVOID r =
        ddi_body_NdisGetDataBuffer(NetBuffer, BytesNeeded, Storage, AlignMultiple, AlignOffset);
    nd_verify_ddi_leave(k, fast, "NdisGetDataBuffer", (int64_t)(r != NULL), &sv);
    return r;
}
