/*
 * NET_BUFFER_LIST and NET_BUFFER pools and DDIs (issue 7 section 2,
 * <ndis.h> "DDIs: the NDIS 6 data path"): pool parameters checked as
 * Windows checks them, NBLs and NBs allocated and recycled, the context
 * area with its backfill, NBs over MDL chains (DataOffset, CurrentMdl),
 * pools with per-NBL data, NdisGetDataBuffer in place and copied, and every
 * misuse reported against its rule without a crash (bad input first in
 * each test, then the success path).
 *
 * The test thread is bound to the machine and calls the DDIs itself with
 * the handles the test miniport (testmp.c) got, as a driver would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ndisdma/netif.h>
#include <ndisdma/verify.h>

#include "ndtest.h"

/* The reports since @mark include one of @rule. */
static void expect_rule(ndt *t, uint64_t mark, ndisdma_rule rule)
{
    uint64_t n = ndisdma_violation_count(t->m);
    for (uint64_t i = mark; i < n; i++) {
        ndisdma_violation v;
        if (ndisdma_violation_get(t->m, i, &v) == 0 && v.rule == (int)rule)
            return;
    }
    fail_msg("no report of rule %s since %llu (%llu reports)", ndisdma_rule_get(rule)->name,
             (unsigned long long)mark, (unsigned long long)n);
}

static void start(ndt *t)
{
    ndt_init(t, NDISDMA_PLACEMENT_LOW);
    t->cfg.register_dma = FALSE;
    ndt_load(t);
    t->res.dma_channel = -1;
    assert_int_equal(ndisdma_adapter_start(t->drv, &t->res, &t->ad), 0);
}

static NET_BUFFER_LIST_POOL_PARAMETERS nbl_params(BOOLEAN nb, USHORT ctx, ULONG data)
{
    NET_BUFFER_LIST_POOL_PARAMETERS p;
    memset(&p, 0, sizeof p);
    p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    p.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    p.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    p.fAllocateNetBuffer = nb;
    p.ContextSize = ctx;
    p.DataSize = data;
    p.PoolTag = 0x74736554;
    return p;
}

static NDIS_HANDLE nbl_pool(ndt *t, BOOLEAN nb, USHORT ctx, ULONG data)
{
    NET_BUFFER_LIST_POOL_PARAMETERS p = nbl_params(nb, ctx, data);
    NDIS_HANDLE h = NdisAllocateNetBufferListPool(t->cfg.adapter_handle, &p);
    assert_non_null(h);
    return h;
}

static NDIS_HANDLE nb_pool(ndt *t)
{
    NET_BUFFER_POOL_PARAMETERS p;
    memset(&p, 0, sizeof p);
    p.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    p.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    p.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    NDIS_HANDLE h = NdisAllocateNetBufferPool(t->cfg.driver_handle, &p);
    assert_non_null(h);
    return h;
}

/* ---- pools ---- */

static void nbl_pool_rejects_bad_handles_and_parameters(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    NET_BUFFER_LIST_POOL_PARAMETERS p = nbl_params(TRUE, 0, 0);

    uint64_t mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferListPool(NULL, &p));
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_UNKNOWN);
    int junk;
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferListPool(&junk, &p));
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_UNKNOWN);
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferListPool(t.cfg.adapter_handle, NULL));
    expect_rule(&t, mark, NDISDMA_RULE_NULL_ARG);

    NET_BUFFER_LIST_POOL_PARAMETERS bad = p;
    bad.Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferListPool(t.cfg.adapter_handle, &bad));
    ndt_expect_violation(&t, mark, "NdisAllocateNetBufferListPool", "Header");
    bad = p;
    bad.Header.Revision = 0;
    assert_null(NdisAllocateNetBufferListPool(t.cfg.adapter_handle, &bad));
    bad = p;
    bad.Header.Size = 4;
    assert_null(NdisAllocateNetBufferListPool(t.cfg.adapter_handle, &bad));
    bad = p;
    bad.ContextSize = 8; /* not a multiple of MEMORY_ALLOCATION_ALIGNMENT */
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferListPool(t.cfg.adapter_handle, &bad));
    ndt_expect_violation(&t, mark, "NdisAllocateNetBufferListPool", "ContextSize");
    bad = nbl_params(FALSE, 0, 256); /* DataSize needs fAllocateNetBuffer */
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferListPool(t.cfg.adapter_handle, &bad));
    ndt_expect_violation(&t, mark, "NdisAllocateNetBufferListPool", "fAllocateNetBuffer");

    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferListPool(t.cfg.adapter_handle, &p));
    KeLowerIrql(old);
    expect_rule(&t, mark, NDISDMA_RULE_IRQL);

    /* a driver handle and an adapter handle both own pools */
    mark = ndt_mark(&t);
    NDIS_HANDLE a = NdisAllocateNetBufferListPool(t.cfg.adapter_handle, &p);
    NDIS_HANDLE d = NdisAllocateNetBufferListPool(t.cfg.driver_handle, &p);
    assert_non_null(a);
    assert_non_null(d);
    NdisFreeNetBufferListPool(a);
    NdisFreeNetBufferListPool(d);
    ndt_expect_no_violation(&t, mark);
    ndt_fini(&t);
}

static void pool_free_reports_stale_and_wrong_kind_handles(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    uint64_t mark = ndt_mark(&t);
    NdisFreeNetBufferListPool(NULL);
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_UNKNOWN);

    NDIS_HANDLE nbp = nb_pool(&t);
    mark = ndt_mark(&t);
    NdisFreeNetBufferListPool(nbp); /* an NB pool: wrong kind, not freed */
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_KIND);
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferList(nbp, 0, 0));
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_KIND);
    NdisFreeNetBufferPool(nbp);

    NDIS_HANDLE p = nbl_pool(&t, FALSE, 0, 0);
    NdisFreeNetBufferListPool(p);
    mark = ndt_mark(&t);
    NdisFreeNetBufferListPool(p); /* stale */
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_UNKNOWN);
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferList(p, 0, 0));
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_UNKNOWN);

    NET_BUFFER_POOL_PARAMETERS bp;
    memset(&bp, 0, sizeof bp);
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferPool(t.cfg.adapter_handle, &bp)); /* header 0 */
    ndt_expect_violation(&t, mark, "NdisAllocateNetBufferPool", "Header");
    bp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    bp.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    bp.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    bp.DataSize = 128;
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferPool(t.cfg.adapter_handle, &bp));
    ndt_expect_violation(&t, mark, "NdisAllocateNetBufferPool", "DataSize");
    ndt_fini(&t);
}

static void pool_freed_with_nbls_out_is_reported_and_kept(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    NDIS_HANDLE p = nbl_pool(&t, TRUE, 0, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(p, 0, 0);
    assert_non_null(nbl);
    uint64_t mark = ndt_mark(&t);
    NdisFreeNetBufferListPool(p);
    expect_rule(&t, mark, NDISDMA_RULE_POOL_OUTSTANDING);
    /* the pool is still alive: the NBL can be freed, then the pool */
    mark = ndt_mark(&t);
    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferListPool(p);
    ndt_expect_no_violation(&t, mark);

    NDIS_HANDLE bp = nb_pool(&t);
    PNET_BUFFER nb = NdisAllocateNetBuffer(bp, NULL, 0, 0);
    assert_non_null(nb);
    mark = ndt_mark(&t);
    NdisFreeNetBufferPool(bp);
    expect_rule(&t, mark, NDISDMA_RULE_POOL_OUTSTANDING);
    NdisFreeNetBuffer(nb);
    mark = ndt_mark(&t);
    NdisFreeNetBufferPool(bp);
    ndt_expect_no_violation(&t, mark);
    ndt_fini(&t);
}

static void pool_left_at_halt_is_reported_and_freed(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    NDIS_HANDLE p = nbl_pool(&t, TRUE, 0, 512);
    assert_non_null(NdisAllocateNetBufferList(p, 0, 0));
    uint64_t mark = ndt_mark(&t);
    ndisdma_adapter_stop(t.ad); /* testmp's halt does not know the pool */
    t.ad = NULL;
    expect_rule(&t, mark, NDISDMA_RULE_POOL_OUTSTANDING);
    ndt_expect_violation(&t, mark, "NdisFreeNetBufferListPool", "after MiniportHaltEx");
    ndt_fini(&t);
}

static void pool_left_at_unload_is_reported_and_freed(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    NET_BUFFER_POOL_PARAMETERS bp;
    memset(&bp, 0, sizeof bp);
    bp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    bp.Header.Revision = NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    bp.Header.Size = NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1;
    NDIS_HANDLE p = NdisAllocateNetBufferPool(t.cfg.driver_handle, &bp);
    assert_non_null(p);
    assert_non_null(NdisAllocateNetBuffer(p, NULL, 0, 0));
    ndisdma_adapter_stop(t.ad);
    t.ad = NULL;
    uint64_t mark = ndt_mark(&t);
    ndisdma_driver_unload(t.drv); /* the driver pool outlives its adapters */
    t.drv = NULL;
    expect_rule(&t, mark, NDISDMA_RULE_POOL_OUTSTANDING);
    ndt_fini(&t);
}

/* ---- NBLs ---- */

static void nbl_free_reports_null_foreign_and_double_free(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    uint64_t mark = ndt_mark(&t);
    NdisFreeNetBufferList(NULL);
    expect_rule(&t, mark, NDISDMA_RULE_NULL_ARG);
    NET_BUFFER_LIST mine;
    memset(&mine, 0, sizeof mine);
    mark = ndt_mark(&t);
    NdisFreeNetBufferList(&mine);
    expect_rule(&t, mark, NDISDMA_RULE_NBL_UNKNOWN);

    NDIS_HANDLE p = nbl_pool(&t, FALSE, 0, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(p, 0, 0);
    assert_non_null(nbl);
    NdisFreeNetBufferList(nbl);
    mark = ndt_mark(&t);
    NdisFreeNetBufferList(nbl);
    expect_rule(&t, mark, NDISDMA_RULE_NBL_UNKNOWN);
    NdisFreeNetBufferListPool(p);
    /* An NBL of a freed pool, looked up just before (so held by the lookup
       cache in front of the registry, nd_nbl_find): unknown, as the
       registry says, and not touched (ASan would see a use after free). */
    mark = ndt_mark(&t);
    NdisFreeNetBufferList(nbl);
    expect_rule(&t, mark, NDISDMA_RULE_NBL_UNKNOWN);
    ndt_expect_violation(&t, mark, "NdisFreeNetBufferList", "not an NBL NDIS allocated");
    ndt_fini(&t);
}

static void nbl_allocation_recycles_and_fills_what_ndis_fills(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    NDIS_HANDLE p = nbl_pool(&t, FALSE, 0, 0);
    uint64_t mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferList(p, 8, 0)); /* ContextSize not aligned */
    ndt_expect_violation(&t, mark, "NdisAllocateNetBufferList", "MEMORY_ALLOCATION_ALIGNMENT");

    mark = ndt_mark(&t);
    PNET_BUFFER_LIST a = NdisAllocateNetBufferList(p, 0, 0);
    assert_non_null(a);
    assert_ptr_equal(a->NdisPoolHandle, p);
    assert_null(NET_BUFFER_LIST_FIRST_NB(a));
    assert_null(NET_BUFFER_LIST_NEXT_NBL(a));
    assert_null(a->Context);
    assert_int_equal((uintptr_t)a % 16, 0);
    a->Flags = 0x55; /* scribbled by its owner ... */
    NdisFreeNetBufferList(a);
    PNET_BUFFER_LIST b = NdisAllocateNetBufferList(p, 0, 0);
    assert_ptr_equal(b, a); /* ... the free list gives it back, cleared */
    assert_int_equal(b->Flags, 0);
    NdisFreeNetBufferList(b);
    NdisFreeNetBufferListPool(p);

    NDIS_HANDLE q = nbl_pool(&t, TRUE, 0, 0);
    PNET_BUFFER_LIST c = NdisAllocateNetBufferList(q, 0, 0);
    assert_non_null(c);
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(c);
    assert_non_null(nb);
    assert_null(NET_BUFFER_NEXT_NB(nb));
    assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 0);
    assert_null(NET_BUFFER_FIRST_MDL(nb));
    NdisFreeNetBufferList(c);
    NdisFreeNetBufferListPool(q);
    ndt_expect_no_violation(&t, mark);
    ndt_fini(&t);
}

static void nbl_context_has_its_size_after_its_backfill(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    NDIS_HANDLE p = nbl_pool(&t, FALSE, 32, 0);
    uint64_t mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferList(p, 16, 4)); /* backfill not aligned */
    ndt_expect_violation(&t, mark, "NdisAllocateNetBufferList", "ContextBackFill");

    mark = ndt_mark(&t);
    /* fits in the pool's 32 preallocated bytes: the rest is backfill */
    PNET_BUFFER_LIST a = NdisAllocateNetBufferList(p, 16, 16);
    assert_non_null(a);
    assert_non_null(a->Context);
    assert_int_equal(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(a), 16);
    assert_true(a->Context->Offset >= 16);
    PUCHAR start_a = NET_BUFFER_LIST_CONTEXT_DATA_START(a);
    assert_int_equal((uintptr_t)start_a % MEMORY_ALLOCATION_ALIGNMENT, 0);
    memset(start_a, 0xAB, 16);
    /* larger than the pool's: a context of its own, exactly as asked */
    PNET_BUFFER_LIST b = NdisAllocateNetBufferList(p, 64, 32);
    assert_non_null(b);
    assert_int_equal(NET_BUFFER_LIST_CONTEXT_DATA_SIZE(b), 64);
    assert_int_equal(b->Context->Offset, 32);
    PUCHAR start_b = NET_BUFFER_LIST_CONTEXT_DATA_START(b);
    assert_int_equal((uintptr_t)start_b % MEMORY_ALLOCATION_ALIGNMENT, 0);
    memset(start_b - 32, 0xCD, 96); /* backfill and data: all of it is the caller's */
    NdisFreeNetBufferList(a);
    NdisFreeNetBufferList(b);
    NdisFreeNetBufferListPool(p);
    ndt_expect_no_violation(&t, mark);
    ndt_fini(&t);
}

static void nbl_pool_with_data_size_gives_one_mdl_per_nbl(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    NDIS_HANDLE p = nbl_pool(&t, TRUE, 0, 1500);
    uint64_t mark = ndt_mark(&t);
    PNET_BUFFER_LIST a = NdisAllocateNetBufferList(p, 0, 0);
    PNET_BUFFER_LIST b = NdisAllocateNetBufferList(p, 0, 0);
    assert_non_null(a);
    assert_non_null(b);
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(a);
    PMDL mdl = NET_BUFFER_FIRST_MDL(nb);
    assert_non_null(mdl);
    assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), mdl);
    assert_null(mdl->Next);
    assert_int_equal(MmGetMdlByteCount(mdl), 1500);
    assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 0);
    assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 0);
    PUCHAR va = NdisBufferVirtualAddress(mdl);
    assert_non_null(va);
    memset(va, 0x5A, 1500);
    assert_ptr_not_equal(NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(b)), mdl);
    /* the data is simulated RAM: placed LOW, the 8237 reaches it */
    assert_true(MmGetMdlPfnArray(mdl)[0] < (16u << 20) >> PAGE_SHIFT);
    /* NdisAllocateNetBufferAndNetBufferList needs DataSize 0 */
    assert_null(NdisAllocateNetBufferAndNetBufferList(p, 0, 0, NULL, 0, 0));
    ndt_expect_violation(&t, mark, "NdisAllocateNetBufferAndNetBufferList", "DataSize");
    NdisFreeNetBufferList(a);
    NdisFreeNetBufferList(b);
    NdisFreeNetBufferListPool(p);
    ndt_fini(&t);
}

/* Two MDLs of 100 and 200 bytes of NDIS memory, chained. */
typedef struct chain2 {
    PVOID mem[2];
    PMDL mdl[2];
} chain2;

static void chain_make(ndt *t, chain2 *c)
{
    static const UINT len[2] = {100, 200};
    for (int i = 0; i < 2; i++) {
        c->mem[i] =
            NdisAllocateMemoryWithTagPriority(t->cfg.adapter_handle, len[i], 1, NormalPoolPriority);
        assert_non_null(c->mem[i]);
        for (UINT j = 0; j < len[i]; j++)
            ((PUCHAR)c->mem[i])[j] = (UCHAR)(i * 100 + j);
        c->mdl[i] = NdisAllocateMdl(t->cfg.adapter_handle, c->mem[i], len[i]);
        assert_non_null(c->mdl[i]);
    }
    c->mdl[0]->Next = c->mdl[1];
}

static void chain_free(ndt *t, chain2 *c)
{
    c->mdl[0]->Next = NULL;
    for (int i = 0; i < 2; i++) {
        NdisFreeMdl(c->mdl[i]);
        NdisFreeMemoryWithTagPriority(t->cfg.adapter_handle, c->mem[i], 1);
    }
}

static void nb_over_mdl_chain_starts_at_data_offset(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    chain2 c;
    chain_make(&t, &c);
    NDIS_HANDLE no_nb = nbl_pool(&t, FALSE, 0, 0);
    NDIS_HANDLE p = nbl_pool(&t, TRUE, 0, 0);
    uint64_t mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferAndNetBufferList(no_nb, 0, 0, c.mdl[0], 0, 10));
    ndt_expect_violation(&t, mark, "NdisAllocateNetBufferAndNetBufferList", "fAllocateNetBuffer");
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferAndNetBufferList(p, 0, 0, c.mdl[0], 250, 51)); /* 301 > 300 */
    ndt_expect_violation(&t, mark, "NdisAllocateNetBufferAndNetBufferList", "past the end");
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBufferAndNetBufferList(p, 0, 0, NULL, 0, 1));
    ndt_expect_violation(&t, mark, "NdisAllocateNetBufferAndNetBufferList", "past the end");

    mark = ndt_mark(&t);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(p, 0, 0, c.mdl[0], 150, 100);
    assert_non_null(nbl);
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    assert_ptr_equal(NET_BUFFER_FIRST_MDL(nb), c.mdl[0]);
    assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), c.mdl[1]);
    assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 50);
    assert_int_equal(NET_BUFFER_DATA_OFFSET(nb), 150);
    assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 100);
    UCHAR out[128];
    assert_int_equal(ndisdma_nb_copy(nb, out, sizeof out), 100);
    for (int i = 0; i < 100; i++)
        assert_int_equal(out[i], (UCHAR)(100 + 50 + i));
    /* an empty NB (no MDL) is fine */
    PNET_BUFFER_LIST empty = NdisAllocateNetBufferAndNetBufferList(p, 0, 0, NULL, 0, 0);
    assert_non_null(empty);
    NdisFreeNetBufferList(empty);
    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferListPool(p);
    NdisFreeNetBufferListPool(no_nb);
    chain_free(&t, &c);
    ndt_expect_no_violation(&t, mark);
    ndt_fini(&t);
}

static void get_data_buffer_points_in_place_or_copies(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    chain2 c;
    chain_make(&t, &c);
    NDIS_HANDLE p = nbl_pool(&t, TRUE, 0, 0);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferAndNetBufferList(p, 0, 0, c.mdl[0], 90, 60);
    assert_non_null(nbl);
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(nbl);
    uint64_t mark = ndt_mark(&t);
    assert_null(NdisGetDataBuffer(NULL, 4, NULL, 1, 0));
    expect_rule(&t, mark, NDISDMA_RULE_NULL_ARG);

    mark = ndt_mark(&t);
    UCHAR storage[64];
    assert_null(NdisGetDataBuffer(nb, 61, storage, 1, 0)); /* more than DataLength */
    PUCHAR in_place = NdisGetDataBuffer(nb, 8, NULL, 1, 0);
    assert_ptr_equal(in_place, (PUCHAR)c.mem[0] + 90);
    /* 20 bytes span both MDLs: NULL without storage, copied with it */
    assert_null(NdisGetDataBuffer(nb, 20, NULL, 1, 0));
    PUCHAR copied = NdisGetDataBuffer(nb, 20, storage, 1, 0);
    assert_ptr_equal(copied, storage);
    for (int i = 0; i < 20; i++)
        assert_int_equal(storage[i], i < 10 ? (UCHAR)(90 + i) : (UCHAR)(100 + i - 10));
    /* contiguous but misaligned for what is asked: copied */
    uintptr_t addr = (uintptr_t)in_place;
    PUCHAR r = NdisGetDataBuffer(nb, 8, storage, 8, (UINT)((addr + 1) % 8));
    assert_ptr_equal(r, storage);
    assert_int_equal(storage[0], 90);
    assert_ptr_equal(NdisGetDataBuffer(nb, 8, storage, 8, (UINT)(addr % 8)), in_place);
    ndt_expect_no_violation(&t, mark);
    NdisFreeNetBufferList(nbl);
    NdisFreeNetBufferListPool(p);
    chain_free(&t, &c);
    ndt_fini(&t);
}

static void nb_pool_allocates_and_reports_foreign_frees(void **state)
{
    (void)state;
    ndt t;
    start(&t);
    chain2 c;
    chain_make(&t, &c);
    NDIS_HANDLE bp = nb_pool(&t);
    NDIS_HANDLE p = nbl_pool(&t, TRUE, 0, 0);
    uint64_t mark = ndt_mark(&t);
    NdisFreeNetBuffer(NULL);
    expect_rule(&t, mark, NDISDMA_RULE_NULL_ARG);
    PNET_BUFFER_LIST nbl = NdisAllocateNetBufferList(p, 0, 0);
    mark = ndt_mark(&t);
    NdisFreeNetBuffer(NET_BUFFER_LIST_FIRST_NB(nbl)); /* freed with its NBL, not alone */
    expect_rule(&t, mark, NDISDMA_RULE_NBL_UNKNOWN);
    mark = ndt_mark(&t);
    assert_null(NdisAllocateNetBuffer(bp, c.mdl[0], 300, 1));
    ndt_expect_violation(&t, mark, "NdisAllocateNetBuffer", "past the end");

    mark = ndt_mark(&t);
    PNET_BUFFER nb = NdisAllocateNetBuffer(bp, c.mdl[0], 100, 200);
    assert_non_null(nb);
    assert_ptr_equal(NET_BUFFER_CURRENT_MDL(nb), c.mdl[1]);
    assert_int_equal(NET_BUFFER_CURRENT_MDL_OFFSET(nb), 0);
    NdisFreeNetBuffer(nb);
    ndt_expect_no_violation(&t, mark);
    mark = ndt_mark(&t);
    NdisFreeNetBuffer(nb);
    expect_rule(&t, mark, NDISDMA_RULE_NBL_UNKNOWN);

    /* an NB of the NB pool left chained on an NBL at its free is reported */
    PNET_BUFFER extra = NdisAllocateNetBuffer(bp, NULL, 0, 0);
    NET_BUFFER_NEXT_NB(NET_BUFFER_LIST_FIRST_NB(nbl)) = extra;
    mark = ndt_mark(&t);
    NdisFreeNetBufferList(nbl);
    ndt_expect_violation(&t, mark, "NdisFreeNetBufferList", "NdisFreeNetBuffer");
    NdisFreeNetBuffer(extra);
    NdisFreeNetBufferPool(bp);
    NdisFreeNetBufferListPool(p);
    chain_free(&t, &c);
    ndt_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nbl_pool_rejects_bad_handles_and_parameters),
        cmocka_unit_test(pool_free_reports_stale_and_wrong_kind_handles),
        cmocka_unit_test(pool_freed_with_nbls_out_is_reported_and_kept),
        cmocka_unit_test(pool_left_at_halt_is_reported_and_freed),
        cmocka_unit_test(pool_left_at_unload_is_reported_and_freed),
        cmocka_unit_test(nbl_free_reports_null_foreign_and_double_free),
        cmocka_unit_test(nbl_allocation_recycles_and_fills_what_ndis_fills),
        cmocka_unit_test(nbl_context_has_its_size_after_its_backfill),
        cmocka_unit_test(nbl_pool_with_data_size_gives_one_mdl_per_nbl),
        cmocka_unit_test(nb_over_mdl_chain_starts_at_data_offset),
        cmocka_unit_test(get_data_buffer_points_in_place_or_copies),
        cmocka_unit_test(nb_pool_allocates_and_reports_foreign_frees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
