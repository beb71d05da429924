/*
 * Internals of NET_BUFFER_LIST and NET_BUFFER pools (nbl.c), shared with the
 * data path (datapath.c) and the host's frame pools (framepool.c).
 *
 * Concept. A pool is a handle (nd_obj, ND_KIND_NBL_POOL or ND_KIND_NB_POOL)
 * in the NDIS layer's registry, so a bad, stale or wrong-kind pool handle is
 * a violation, never a crash. Each NBL a pool makes lives in an nd_nbl_item
 * that holds, in one host allocation, the NET_BUFFER_LIST (first, so the
 * NBL's address is the item's), the NET_BUFFER NDIS allocates with it
 * (fAllocateNetBuffer), the pool's preallocated context area and, for a
 * pool with DataSize, the data buffer (simulated RAM placed by the machine's
 * policy) and its MDL. Items are made on demand and never given back to
 * the host until the pool is freed: a freed NBL goes on the pool's free list
 * and the next allocation pops it, so the steady state allocates nothing.
 *
 * Every item is entered in nd_ndis.nbls (NBL address -> item) when it is
 * made, so any NBL pointer a driver or the host passes is looked up before
 * it is touched (nd_nbl_find: a small cache of registered NBLs in front of
 * the registry answers the NBLs in flight; free_nbl_item empties an item's
 * entry when it leaves the registry). The item's state says who holds the NBL:
 *   FREE      - on its pool's free list;
 *   HELD      - allocated, with whoever allocated it (driver or host);
 *   SENT      - given to MiniportSendNetBufferLists, not completed yet;
 *   INDICATED - indicated to the host without NDIS_RECEIVE_FLAGS_RESOURCES
 *               and not returned yet;
 *   LENT      - indicated with NDIS_RECEIVE_FLAGS_RESOURCES, during the
 *               host's receive callback only.
 */
#ifndef ND_NDIS_NBL_H
#define ND_NDIS_NBL_H

#include <stdbool.h>
#include <stdint.h>

#include "ndis/ndis_impl.h"

typedef enum nd_nbl_state {
    ND_NBL_FREE = 0,
    ND_NBL_HELD,
    ND_NBL_SENT,
    ND_NBL_INDICATED,
    ND_NBL_LENT,
} nd_nbl_state;

typedef struct nd_nbl_item nd_nbl_item;
struct nd_nbl_item {
    NET_BUFFER_LIST nbl; /* first: the NBL's address is the item's */
    NET_BUFFER nb;       /* the NB of a pool with fAllocateNetBuffer */
    nd_nbl_pool *pool;
    nd_nbl_item *next_free; /* pool's free list */
    nd_nbl_item *next_all;  /* every item of the pool */
    nd_nbl_state state;
    nd_mp_adapter *adapter;           /* SENT, INDICATED, LENT: the adapter */
    PNET_BUFFER_LIST_CONTEXT ctx_pre; /* the preallocated context (pool ContextSize) */
    void *ctx_extra;                  /* context allocated for a larger request */
    void *data;                       /* DataSize pools: the data buffer ... */
    size_t data_bytes;                /* ... its bytes (whole pages) ... */
    PMDL data_mdl;                    /* ... and its MDL */
    void *frame; /* the host frame pool's frame that carries it (framepool.c), NULL: none */
};

typedef struct nd_nb_item nd_nb_item;
struct nd_nb_item {
    NET_BUFFER nb; /* first */
    nd_nbl_pool *pool;
    nd_nb_item *next_free;
    nd_nb_item *next_all;
    bool live; /* allocated */
};

struct nd_nbl_pool {
    nd_obj obj; /* ND_KIND_NBL_POOL or ND_KIND_NB_POOL: the pool handle */
    nd_ndis *n;
    nd_nbl_pool *next;   /* nd_ndis.pools */
    const nd_obj *owner; /* the driver or adapter whose handle made it */
    ULONG tag;
    USHORT ctx_size;      /* NBL pools: preallocated context bytes */
    bool alloc_nb;        /* NBL pools: fAllocateNetBuffer */
    ULONG data_size;      /* NBL pools: DataSize */
    void *free;           /* free list: nd_nbl_item * or nd_nb_item * */
    void *all;            /* every item */
    uint64_t outstanding; /* allocated and not freed */
};

/* Set of nd_ndis.nbl_cache for the NBL at @addr (items are 16-byte
   aligned; the multiply spreads a pool's evenly spaced items). */
static inline unsigned nd_nbl_slot(uintptr_t addr)
{
    return (unsigned)(((uint32_t)(addr >> 4) * 0x9E3779B1u) >> 26) & (ND_NBL_CACHE - 1);
}

/* nd_nbl_find after a cache miss: the registry, and the cache filled. */
nd_nbl_item *nd_nbl_find_slow(nd_ndis *n, const NET_BUFFER_LIST *nbl);

/* The item of @nbl (an NBL some pool of @n made, whatever its state), or
   NULL. Never dereferences @nbl. A cache hit is the registry's answer: the
   cache holds only NBLs the registry holds, with their items, and a NULL
   @nbl finds an empty entry, whose item is NULL. */
static inline nd_nbl_item *nd_nbl_find(nd_ndis *n, const NET_BUFFER_LIST *nbl)
{
    const struct nd_nbl_entry *e = &n->nbl_cache[nd_nbl_slot((uintptr_t)nbl)];
    if (__builtin_expect(e->nbl == (uintptr_t)nbl, 1))
        return e->item;
    return nd_nbl_find_slow(n, nbl);
}

/* The system-space address of @mdl (all memory is mapped here). */
static inline PUCHAR nd_mdl_va(const MDL *mdl)
{
    if (mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
        return (PUCHAR)mdl->MappedSystemVa;
    return (PUCHAR)mdl->StartVa + mdl->ByteOffset;
}

#endif /* ND_NDIS_NBL_H */
