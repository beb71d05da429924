/*
 * NDIS memory (spec N29, N30): NdisAllocateMemoryWithTag,
 * NdisAllocateMemory, NdisFreeMemory. Invalid input first (unbound thread,
 * NULL, zero length, unknown flags, wrong IRQL, frees of unknown addresses,
 * double frees, mismatched Length and flags), then: contiguous memory below
 * HighestAcceptableAddress whatever the placement (N29), the placement
 * policies low, high and scattered deciding where nonpaged memory lands
 * (N30, deterministic by seed), and the leak counts. Last, with an adapter
 * of the test miniport started through the host (a real
 * MiniportAdapterHandle): NdisAllocateMemoryWithTagPriority and
 * NdisMAllocateSharedMemory (contiguous below 16 MiB inside 64 KiB for an
 * ISA system-DMA adapter, N29), their frees and mismatches, the per-adapter
 * leak counts and their release.
 */
#include "memtest.h"
#include "ndtest.h"

#include <stdlib.h>
#include <string.h>

static NDIS_PHYSICAL_ADDRESS highest(uint64_t addr)
{
    NDIS_PHYSICAL_ADDRESS pa;
    pa.QuadPart = (LONGLONG)addr;
    return pa;
}

static const NDIS_PHYSICAL_ADDRESS anywhere = NDIS_PHYSICAL_ADDRESS_CONST(-1, -1);

static void unbound_thread(void **state)
{
    (void)state;
    assert_null(ndisdma_thread_machine());
    PVOID va = (PVOID)&va;
    assert_int_equal(NdisAllocateMemoryWithTag(&va, 100, MT_TAG), NDIS_STATUS_FAILURE);
    assert_null(va);
    va = (PVOID)&va;
    assert_int_equal(NdisAllocateMemory(&va, 100, 0, anywhere), NDIS_STATUS_FAILURE);
    assert_null(va);
    assert_int_equal(NdisAllocateMemoryWithTag(NULL, 100, MT_TAG), NDIS_STATUS_FAILURE);
    NdisFreeMemory(NULL, 0, 0);
    NdisFreeMemory(&va, 100, 0);
    assert_null(NdisAllocateMemoryWithTagPriority(&va, 100, MT_TAG, NormalPoolPriority));
    NdisFreeMemoryWithTagPriority(&va, &va, MT_TAG);
    PVOID shared = (PVOID)&va;
    NDIS_PHYSICAL_ADDRESS pa = highest(5);
    NdisMAllocateSharedMemory(&va, 100, FALSE, &shared, &pa);
    assert_null(shared);
    assert_int_equal(pa.QuadPart, 0);
    NdisMFreeSharedMemory(&va, 100, FALSE, &va, pa);
}

static void allocate_invalid(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    PVOID va;

    uint64_t before = ndisdma_violation_count(m);
    assert_int_equal(NdisAllocateMemoryWithTag(NULL, 100, MT_TAG), NDIS_STATUS_FAILURE);
    mt_expect_violation(m, before, "NdisAllocateMemoryWithTag");
    before = ndisdma_violation_count(m);
    va = (PVOID)&va;
    assert_int_equal(NdisAllocateMemoryWithTag(&va, 0, MT_TAG), NDIS_STATUS_FAILURE);
    mt_expect_violation(m, before, "NdisAllocateMemoryWithTag");
    assert_null(va);
    before = ndisdma_violation_count(m);
    assert_int_equal(NdisAllocateMemory(&va, 0, 0, anywhere), NDIS_STATUS_FAILURE);
    mt_expect_violation(m, before, "NdisAllocateMemory");
    before = ndisdma_violation_count(m);
    assert_int_equal(NdisAllocateMemory(&va, 100, 0x10, anywhere), NDIS_STATUS_FAILURE);
    mt_expect_violation(m, before, "NdisAllocateMemory");
    assert_null(va);

    /* IRQL: flags 0 up to DISPATCH_LEVEL; contiguous or noncached only at
       PASSIVE_LEVEL. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    before = ndisdma_violation_count(m);
    assert_int_equal(NdisAllocateMemory(&va, 100, NDIS_MEMORY_CONTIGUOUS, anywhere),
                     NDIS_STATUS_FAILURE);
    mt_expect_violation(m, before, "NdisAllocateMemory");
    before = ndisdma_violation_count(m);
    assert_int_equal(NdisAllocateMemory(&va, 100, NDIS_MEMORY_NONCACHED, anywhere),
                     NDIS_STATUS_FAILURE);
    mt_expect_violation(m, before, "NdisAllocateMemory");
    before = ndisdma_violation_count(m);
    assert_int_equal(NdisAllocateMemory(&va, 100, 0, anywhere), NDIS_STATUS_SUCCESS);
    NdisFreeMemory(va, 100, 0);
    assert_int_equal(NdisAllocateMemoryWithTag(&va, 100, MT_TAG), NDIS_STATUS_SUCCESS);
    NdisFreeMemory(va, 100, 0);
    mt_expect_none(m, before);
    KeLowerIrql(old);
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    before = ndisdma_violation_count(m);
    assert_int_equal(NdisAllocateMemoryWithTag(&va, 100, MT_TAG), NDIS_STATUS_FAILURE);
    mt_expect_violation(m, before, "NdisAllocateMemoryWithTag");
    KeLowerIrql(old);

    /* Handle-taking allocators refuse a NULL or unknown handle. */
    before = ndisdma_violation_count(m);
    assert_null(NdisAllocateMemoryWithTagPriority(NULL, 100, MT_TAG, NormalPoolPriority));
    mt_expect_violation(m, before, "NdisAllocateMemoryWithTagPriority");
    before = ndisdma_violation_count(m);
    assert_null(
        NdisAllocateMemoryWithTagPriority((NDIS_HANDLE)&va, 100, MT_TAG, NormalPoolPriority));
    mt_expect_violation(m, before, "NdisAllocateMemoryWithTagPriority");
    NDIS_PHYSICAL_ADDRESS pa = highest(5);
    before = ndisdma_violation_count(m);
    va = (PVOID)&va;
    NdisMAllocateSharedMemory(NULL, 100, FALSE, &va, &pa);
    mt_expect_violation(m, before, "NdisMAllocateSharedMemory");
    assert_null(va);
    assert_int_equal(pa.QuadPart, 0);
    before = ndisdma_violation_count(m);
    assert_null(NdisAllocateMdl(NULL, &va, 10));
    mt_expect_violation(m, before, "NdisAllocateMdl");
    assert_int_equal(mt_outstanding(m, NULL), 0);
    mt_done(m);
}

static void free_invalid(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_kernel *k = mt_kernel(m);
    uint64_t frames = nd_frames_used(k);
    PVOID va;

    uint64_t before = ndisdma_violation_count(m);
    NdisFreeMemory(NULL, 100, 0);
    mt_expect_violation(m, before, "NdisFreeMemory");
    char *heap = malloc(100);
    before = ndisdma_violation_count(m);
    NdisFreeMemory(heap, 100, 0); /* not NDIS memory: reported, untouched */
    mt_expect_violation(m, before, "NdisFreeMemory");
    free(heap);
    /* Double free. */
    assert_int_equal(NdisAllocateMemoryWithTag(&va, 100, MT_TAG), NDIS_STATUS_SUCCESS);
    before = ndisdma_violation_count(m);
    NdisFreeMemory(va, 100, 0);
    mt_expect_none(m, before);
    NdisFreeMemory(va, 100, 0);
    mt_expect_violation(m, before, "NdisFreeMemory");
    /* Not the start of the block. */
    assert_int_equal(NdisAllocateMemoryWithTag(&va, 100, MT_TAG), NDIS_STATUS_SUCCESS);
    before = ndisdma_violation_count(m);
    NdisFreeMemory((PUCHAR)va + 8, 92, 0);
    mt_expect_violation(m, before, "NdisFreeMemory");
    NdisFreeMemory(va, 100, 0);
    /* Mismatched Length: reported, freed as allocated. */
    assert_int_equal(NdisAllocateMemoryWithTag(&va, 100, MT_TAG), NDIS_STATUS_SUCCESS);
    before = ndisdma_violation_count(m);
    NdisFreeMemory(va, 200, 0);
    mt_expect_violation(m, before, "NdisFreeMemory");
    assert_int_equal(mt_outstanding(m, NULL), 0);
    /* Mismatched flags: reported, freed. */
    assert_int_equal(NdisAllocateMemory(&va, 5000, NDIS_MEMORY_CONTIGUOUS, anywhere),
                     NDIS_STATUS_SUCCESS);
    before = ndisdma_violation_count(m);
    NdisFreeMemory(va, 5000, 0);
    mt_expect_violation(m, before, "NdisFreeMemory");
    assert_int_equal(mt_outstanding(m, NULL), 0);
    /* Contiguous memory is freed at PASSIVE_LEVEL, noncached below
       DISPATCH_LEVEL: reported, freed all the same. */
    assert_int_equal(NdisAllocateMemory(&va, 100, NDIS_MEMORY_CONTIGUOUS, anywhere),
                     NDIS_STATUS_SUCCESS);
    KIRQL old;
    KeRaiseIrql(APC_LEVEL, &old);
    before = ndisdma_violation_count(m);
    NdisFreeMemory(va, 100, NDIS_MEMORY_CONTIGUOUS);
    mt_expect_violation(m, before, "NdisFreeMemory");
    KeLowerIrql(old);
    assert_int_equal(NdisAllocateMemory(&va, 100, NDIS_MEMORY_NONCACHED, anywhere),
                     NDIS_STATUS_SUCCESS);
    KeRaiseIrql(APC_LEVEL, &old);
    before = ndisdma_violation_count(m);
    NdisFreeMemory(va, 100, NDIS_MEMORY_NONCACHED);
    mt_expect_none(m, before);
    KeLowerIrql(old);
    assert_int_equal(NdisAllocateMemory(&va, 100, NDIS_MEMORY_NONCACHED, anywhere),
                     NDIS_STATUS_SUCCESS);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    before = ndisdma_violation_count(m);
    NdisFreeMemory(va, 100, NDIS_MEMORY_NONCACHED);
    mt_expect_violation(m, before, "NdisFreeMemory");
    KeLowerIrql(old);
    /* Frees with a NULL or unknown handle. */
    before = ndisdma_violation_count(m);
    NdisFreeMemoryWithTagPriority(NULL, va, MT_TAG);
    mt_expect_violation(m, before, "NdisFreeMemoryWithTagPriority");
    before = ndisdma_violation_count(m);
    NdisMFreeSharedMemory(NULL, 100, FALSE, va, highest(0));
    mt_expect_violation(m, before, "NdisMFreeSharedMemory");
    assert_int_equal(mt_outstanding(m, NULL), 0);
    assert_int_equal(nd_frames_used(k), frames);
    mt_done(m);
}

/* N29: NDIS_MEMORY_CONTIGUOUS below HighestAcceptableAddress is contiguous
   and below it, whatever the placement policy; a limit also holds for
   memory without flags. */
static void n29_contiguous_below_limit(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_HIGH);
    uint64_t before = ndisdma_violation_count(m);
    const UINT len = 3 * PAGE_SIZE + 100;
    PVOID va;
    assert_int_equal(NdisAllocateMemory(&va, len, NDIS_MEMORY_CONTIGUOUS, highest(16 * MIB - 1)),
                     NDIS_STATUS_SUCCESS);
    uint64_t phys = mt_phys(m, va);
    assert_int_equal(phys % PAGE_SIZE, 0);
    assert_true(phys + len <= 16 * MIB);
    /* Contiguous: a buffer over it has consecutive frames. */
    NDIS_STATUS st;
    NDIS_HANDLE pool;
    NdisAllocateBufferPool(&st, &pool, 1);
    PNDIS_BUFFER b;
    NdisAllocateBuffer(&st, &b, pool, va, len);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    PPFN_NUMBER pfn = MmGetMdlPfnArray(b);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(pfn[i], (phys >> PAGE_SHIFT) + i);
    NdisFreeBuffer(b);
    NdisFreeBufferPool(pool);
    /* The data is the RAM's: written through the pointer, read physically. */
    memset(va, 0xC3, len);
    unsigned char byte = 0;
    assert_int_equal(ndisdma_phys_read(m, phys + len - 1, &byte, 1), 0);
    assert_int_equal(byte, 0xC3);
    NdisFreeMemory(va, len, NDIS_MEMORY_CONTIGUOUS);

    /* A tighter limit: below 1 MiB. */
    assert_int_equal(
        NdisAllocateMemory(&va, 8 * PAGE_SIZE, NDIS_MEMORY_CONTIGUOUS, highest(1 * MIB - 1)),
        NDIS_STATUS_SUCCESS);
    assert_true(mt_phys(m, va) + 8 * PAGE_SIZE <= 1 * MIB);
    NdisFreeMemory(va, 8 * PAGE_SIZE, NDIS_MEMORY_CONTIGUOUS);
    /* Both flags. */
    assert_int_equal(NdisAllocateMemory(&va, PAGE_SIZE,
                                        NDIS_MEMORY_CONTIGUOUS | NDIS_MEMORY_NONCACHED,
                                        highest(16 * MIB - 1)),
                     NDIS_STATUS_SUCCESS);
    assert_true(mt_phys(m, va) < 16 * MIB);
    NdisFreeMemory(va, PAGE_SIZE, NDIS_MEMORY_CONTIGUOUS | NDIS_MEMORY_NONCACHED);
    /* No flags, a limit below where the policy (HIGH) places: honoured. */
    assert_int_equal(NdisAllocateMemory(&va, 100, 0, highest(16 * MIB - 1)), NDIS_STATUS_SUCCESS);
    assert_true(mt_phys(m, va) < 16 * MIB);
    NdisFreeMemory(va, 100, 0);
    /* No limit: the policy decides (HIGH: above 16 MiB). */
    assert_int_equal(NdisAllocateMemory(&va, 100, 0, anywhere), NDIS_STATUS_SUCCESS);
    assert_true(mt_phys(m, va) >= 16 * MIB);
    NdisFreeMemory(va, 100, 0);
    /* More than RAM: FAILURE, no violation (a resource shortage). */
    va = (PVOID)&va;
    assert_int_equal(NdisAllocateMemoryWithTag(&va, 0xFFFFFFFFu, MT_TAG), NDIS_STATUS_FAILURE);
    assert_null(va);
    assert_int_equal(NdisAllocateMemory(&va, 0xFFFFFFFFu, NDIS_MEMORY_CONTIGUOUS, anywhere),
                     NDIS_STATUS_FAILURE);
    /* A limit nothing fits under: FAILURE, no violation. */
    va = (PVOID)&va;
    assert_int_equal(
        NdisAllocateMemory(&va, 2 * PAGE_SIZE, NDIS_MEMORY_CONTIGUOUS, highest(PAGE_SIZE - 1)),
        NDIS_STATUS_FAILURE);
    assert_null(va);
    mt_expect_none(m, before);
    assert_int_equal(mt_outstanding(m, NULL), 0);
    mt_done(m);
}

/* Physical addresses of @n allocations of @len bytes with
   NdisAllocateMemoryWithTag on a new machine (@placement, @seed); the
   memory is freed again. */
static void placements(ndisdma_placement placement, uint64_t seed, UINT len, int n, uint64_t *phys)
{
    ndisdma_machine *m = mt_bound(0, seed, placement);
    uint64_t before = ndisdma_violation_count(m);
    PVOID va[16];
    assert_true(n <= 16);
    for (int i = 0; i < n; i++) {
        assert_int_equal(NdisAllocateMemoryWithTag(&va[i], len, MT_TAG), NDIS_STATUS_SUCCESS);
        phys[i] = mt_phys(m, va[i]);
    }
    nd_ndis_mem_stats s;
    assert_int_equal(mt_outstanding(m, &s), (uint64_t)n);
    assert_int_equal(s.memory_blocks, (uint64_t)n);
    assert_int_equal(s.memory_bytes, (uint64_t)n * len);
    for (int i = 0; i < n; i++)
        NdisFreeMemory(va[i], len, 0);
    assert_int_equal(mt_outstanding(m, NULL), 0);
    mt_expect_none(m, before);
    mt_done(m);
}

static bool crosses(uint64_t phys, uint64_t len, uint64_t boundary)
{
    return phys / boundary != (phys + len - 1) / boundary;
}

/* N30: the machine's placement decides where NdisAllocateMemoryWithTag
   memory lands: LOW below 16 MiB inside 64 KiB windows (direct path), HIGH
   from 16 MiB (bounce path), SCATTERED both, across 64 and 128 KiB
   boundaries, deterministically by seed. */
static void n30_placement(void **state)
{
    (void)state;
    const UINT len = 3 * PAGE_SIZE;
    uint64_t phys[12], again[12];

    placements(NDISDMA_PLACEMENT_LOW, 1, len, 12, phys);
    for (int i = 0; i < 12; i++) {
        assert_true(phys[i] + len <= 16 * MIB);
        assert_false(crosses(phys[i], len, 64 * KIB));
    }
    placements(NDISDMA_PLACEMENT_HIGH, 1, len, 12, phys);
    for (int i = 0; i < 12; i++)
        assert_true(phys[i] >= 16 * MIB);

    placements(NDISDMA_PLACEMENT_SCATTERED, 7, len, 12, phys);
    int low = 0, high = 0, x64 = 0, x128 = 0;
    for (int i = 0; i < 12; i++) {
        if (phys[i] + len <= 16 * MIB)
            low++;
        if (phys[i] >= 16 * MIB)
            high++;
        if (crosses(phys[i], len, 64 * KIB) && !crosses(phys[i], len, 128 * KIB))
            x64++;
        if (crosses(phys[i], len, 128 * KIB))
            x128++;
    }
    assert_true(low > 0);
    assert_true(high > 0);
    assert_true(x64 > 0);
    assert_true(x128 > 0);
    /* Same seed, same calls: same addresses. */
    placements(NDISDMA_PLACEMENT_SCATTERED, 7, len, 12, again);
    assert_memory_equal(phys, again, sizeof phys);
}

/* Leak accounting: what is allocated is counted until freed, and what a
   driver leaks goes with the machine (ASan checks the host side). */
static void leak_counts(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_kernel *k = mt_kernel(m);
    uint64_t frames = nd_frames_used(k);
    PVOID a, b;
    assert_int_equal(NdisAllocateMemoryWithTag(&a, 10, MT_TAG), NDIS_STATUS_SUCCESS);
    assert_int_equal(NdisAllocateMemory(&b, 5000, NDIS_MEMORY_CONTIGUOUS, anywhere),
                     NDIS_STATUS_SUCCESS);
    nd_ndis_mem_stats s;
    assert_int_equal(mt_outstanding(m, &s), 2);
    assert_int_equal(s.memory_blocks, 2);
    assert_int_equal(s.memory_bytes, 5010);
    assert_int_equal(s.shared_blocks, 0);
    assert_int_equal(nd_frames_used(k), frames + 1 + 2);
    NdisFreeMemory(a, 10, 0);
    assert_int_equal(mt_outstanding(m, &s), 1);
    assert_int_equal(s.memory_bytes, 5000);
    mt_done(m); /* b leaks: freed with the machine */
}

/* ---- with a started adapter (the miniport host) ---- */

static ndt *host_start(ndisdma_placement placement)
{
    ndt *t = calloc(1, sizeof *t);
    assert_non_null(t);
    ndt_init(t, placement);
    ndt_start(t);
    return t;
}

static void host_done(ndt *t)
{
    ndt_fini(t);
    free(t);
}

static nd_mp_adapter *host_adapter(ndt *t)
{
    nd_mp_adapter *a = nd_ndis_adapter_from_handle(ndisdma_adapter_handle(t->ad), "test");
    assert_non_null(a);
    return a;
}

/* NdisAllocateMemoryWithTagPriority: placed by the policy (N30), freed by
   NdisFreeMemoryWithTagPriority with its tag, or by NdisFreeMemory with
   flags 0 and any Length (NDIS 6). */
static void tag_priority(void **state)
{
    (void)state;
    ndt *t = host_start(NDISDMA_PLACEMENT_HIGH);
    ndisdma_machine *m = t->m;
    NDIS_HANDLE h = ndisdma_adapter_handle(t->ad);
    uint64_t before = ndisdma_violation_count(m);
    PVOID va = NdisAllocateMemoryWithTagPriority(h, 3000, MT_TAG, NormalPoolPriority);
    assert_non_null(va);
    assert_true(mt_phys(m, va) >= 16 * MIB);
    nd_ndis_mem_stats s;
    assert_int_equal(nd_ndis_memory_outstanding(mt_kernel(m), host_adapter(t), &s), 1);
    assert_int_equal(s.memory_blocks, 1);
    assert_int_equal(s.memory_bytes, 3000);
    NdisFreeMemoryWithTagPriority(h, va, MT_TAG);
    mt_expect_none(m, before);
    assert_int_equal(mt_outstanding(m, NULL), 0);
    /* The driver handle is an NDIS handle too; that memory is not the
       adapter's. */
    NDIS_HANDLE dh = t->cfg.driver_handle;
    assert_non_null(dh);
    va = NdisAllocateMemoryWithTagPriority(dh, 100, MT_TAG, HighPoolPriority);
    assert_non_null(va);
    assert_int_equal(nd_ndis_memory_outstanding(mt_kernel(m), host_adapter(t), NULL), 0);
    assert_int_equal(mt_outstanding(m, NULL), 1);
    NdisFreeMemoryWithTagPriority(dh, va, MT_TAG);
    mt_expect_none(m, before);
    /* A handle of another kind (the DMA handle) is refused. */
    assert_non_null(t->cfg.dma);
    assert_null(NdisAllocateMemoryWithTagPriority(t->cfg.dma, 100, MT_TAG, HighPoolPriority));
    mt_expect_violation(m, before, "NdisAllocateMemoryWithTagPriority");
    before = ndisdma_violation_count(m);

    /* At DISPATCH_LEVEL: allowed; above: refused. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    va = NdisAllocateMemoryWithTagPriority(h, 10, MT_TAG, LowPoolPriority);
    assert_non_null(va);
    NdisFreeMemory(va, 0, 0); /* NDIS 6: Length ignored for this memory */
    mt_expect_none(m, before);
    KeLowerIrql(old);
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    assert_null(NdisAllocateMemoryWithTagPriority(h, 10, MT_TAG, LowPoolPriority));
    mt_expect_violation(m, before, "NdisAllocateMemoryWithTagPriority");
    KeLowerIrql(old);
    before = ndisdma_violation_count(m);
    assert_null(NdisAllocateMemoryWithTagPriority(h, 0, MT_TAG, LowPoolPriority));
    mt_expect_violation(m, before, "NdisAllocateMemoryWithTagPriority");

    /* Mismatches. */
    va = NdisAllocateMemoryWithTagPriority(h, 10, MT_TAG, NormalPoolPriority);
    before = ndisdma_violation_count(m);
    NdisFreeMemoryWithTagPriority(h, va, MT_TAG + 1); /* wrong tag: reported, freed */
    mt_expect_violation(m, before, "NdisFreeMemoryWithTagPriority");
    before = ndisdma_violation_count(m);
    NdisFreeMemoryWithTagPriority(h, va, MT_TAG); /* twice */
    mt_expect_violation(m, before, "NdisFreeMemoryWithTagPriority");
    va = NdisAllocateMemoryWithTagPriority(h, 10, MT_TAG, NormalPoolPriority);
    before = ndisdma_violation_count(m);
    NdisFreeMemory(va, 10, NDIS_MEMORY_CONTIGUOUS); /* flags must be 0 */
    mt_expect_violation(m, before, "NdisFreeMemory");
    PVOID plain;
    assert_int_equal(NdisAllocateMemoryWithTag(&plain, 10, MT_TAG), NDIS_STATUS_SUCCESS);
    before = ndisdma_violation_count(m);
    NdisFreeMemoryWithTagPriority(h, plain, MT_TAG); /* another allocator's: not freed */
    mt_expect_violation(m, before, "NdisFreeMemoryWithTagPriority");
    assert_int_equal(mt_outstanding(m, NULL), 1);
    NdisFreeMemory(plain, 10, 0);
    assert_int_equal(mt_outstanding(m, NULL), 0);
    host_done(t);
}

/* N29: shared memory of an ISA system-DMA adapter is contiguous, below
   16 MiB and inside one 64 KiB window, whatever the placement; its
   physical address is returned. */
static void shared_memory(void **state)
{
    (void)state;
    ndt *t = host_start(NDISDMA_PLACEMENT_HIGH);
    ndisdma_machine *m = t->m;
    NDIS_HANDLE h = ndisdma_adapter_handle(t->ad);
    uint64_t before = ndisdma_violation_count(m);
    const ULONG sizes[] = {1, 6000, 60 * 1024, 64 * 1024};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        PVOID va = NULL;
        NDIS_PHYSICAL_ADDRESS pa;
        NdisMAllocateSharedMemory(h, sizes[i], FALSE, &va, &pa);
        assert_non_null(va);
        uint64_t phys = (uint64_t)pa.QuadPart;
        assert_int_equal(phys, mt_phys(m, va));
        assert_true(phys + sizes[i] <= 16 * MIB);
        assert_false(crosses(phys, sizes[i], 64 * KIB));
        /* One block of RAM: the last byte is at phys + size - 1. */
        ((PUCHAR)va)[sizes[i] - 1] = 0x77;
        unsigned char byte = 0;
        assert_int_equal(ndisdma_phys_read(m, phys + sizes[i] - 1, &byte, 1), 0);
        assert_int_equal(byte, 0x77);
        nd_ndis_mem_stats s;
        assert_int_equal(nd_ndis_memory_outstanding(mt_kernel(m), host_adapter(t), &s), 1);
        assert_int_equal(s.shared_blocks, 1);
        assert_int_equal(s.shared_bytes, sizes[i]);
        NdisMFreeSharedMemory(h, sizes[i], FALSE, va, pa);
    }
    /* Larger than 64 KiB: contiguous below 16 MiB. */
    PVOID va;
    NDIS_PHYSICAL_ADDRESS pa;
    NdisMAllocateSharedMemory(h, 200 * 1024, TRUE, &va, &pa);
    assert_non_null(va);
    assert_true((uint64_t)pa.QuadPart + 200 * 1024 <= 16 * MIB);
    NdisMFreeSharedMemory(h, 200 * 1024, TRUE, va, pa);
    mt_expect_none(m, before);
    assert_int_equal(mt_outstanding(m, NULL), 0);
    host_done(t);
}

static void shared_memory_invalid(void **state)
{
    (void)state;
    ndt *t = host_start(NDISDMA_PLACEMENT_LOW);
    ndisdma_machine *m = t->m;
    NDIS_HANDLE h = ndisdma_adapter_handle(t->ad);
    PVOID va;
    NDIS_PHYSICAL_ADDRESS pa;

    /* PASSIVE_LEVEL only. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    uint64_t before = ndisdma_violation_count(m);
    va = (PVOID)&va;
    NdisMAllocateSharedMemory(h, 100, FALSE, &va, &pa);
    mt_expect_violation(m, before, "NdisMAllocateSharedMemory");
    assert_null(va);
    assert_int_equal(pa.QuadPart, 0);
    KeLowerIrql(old);
    before = ndisdma_violation_count(m);
    NdisMAllocateSharedMemory(h, 0, FALSE, &va, &pa);
    mt_expect_violation(m, before, "NdisMAllocateSharedMemory");
    before = ndisdma_violation_count(m);
    NdisMAllocateSharedMemory(h, 100, FALSE, NULL, &pa);
    mt_expect_violation(m, before, "NdisMAllocateSharedMemory");
    before = ndisdma_violation_count(m);
    NdisMAllocateSharedMemory(h, 100, FALSE, &va, NULL);
    mt_expect_violation(m, before, "NdisMAllocateSharedMemory");
    before = ndisdma_violation_count(m);
    NdisMAllocateSharedMemory((NDIS_HANDLE)&va, 100, FALSE, &va, &pa); /* not a handle */
    mt_expect_violation(m, before, "NdisMAllocateSharedMemory");
    assert_null(va);

    /* Mismatched frees: reported, freed as allocated. */
    NdisMAllocateSharedMemory(h, 100, FALSE, &va, &pa);
    assert_non_null(va);
    before = ndisdma_violation_count(m);
    NdisMFreeSharedMemory(h, 200, FALSE, va, pa);
    mt_expect_violation(m, before, "NdisMFreeSharedMemory");
    assert_int_equal(mt_outstanding(m, NULL), 0);
    before = ndisdma_violation_count(m);
    NdisMFreeSharedMemory(h, 100, FALSE, va, pa); /* twice */
    mt_expect_violation(m, before, "NdisMFreeSharedMemory");
    NdisMAllocateSharedMemory(h, 100, FALSE, &va, &pa);
    NDIS_PHYSICAL_ADDRESS wrong = pa;
    wrong.QuadPart += PAGE_SIZE;
    before = ndisdma_violation_count(m);
    NdisMFreeSharedMemory(h, 100, FALSE, va, wrong);
    mt_expect_violation(m, before, "NdisMFreeSharedMemory");
    NdisMAllocateSharedMemory(h, 100, TRUE, &va, &pa);
    before = ndisdma_violation_count(m);
    NdisMFreeSharedMemory(h, 100, FALSE, va, pa);
    mt_expect_violation(m, before, "NdisMFreeSharedMemory");
    assert_int_equal(mt_outstanding(m, NULL), 0);
    /* Wrong free function either way: reported, not freed. */
    NdisMAllocateSharedMemory(h, 100, FALSE, &va, &pa);
    before = ndisdma_violation_count(m);
    NdisFreeMemory(va, 100, 0);
    mt_expect_violation(m, before, "NdisFreeMemory");
    PVOID plain;
    assert_int_equal(NdisAllocateMemoryWithTag(&plain, 100, MT_TAG), NDIS_STATUS_SUCCESS);
    before = ndisdma_violation_count(m);
    NdisMFreeSharedMemory(h, 100, FALSE, plain, pa);
    mt_expect_violation(m, before, "NdisMFreeSharedMemory");
    assert_int_equal(mt_outstanding(m, NULL), 2);
    NdisFreeMemory(plain, 100, 0);
    NdisMFreeSharedMemory(h, 100, FALSE, va, pa);
    assert_int_equal(mt_outstanding(m, NULL), 0);
    host_done(t);
}

/* What an adapter leaves allocated through its handle is counted per
   adapter and released for the host (halt, failed initialisation). */
static void adapter_leaks_released(void **state)
{
    (void)state;
    ndt *t = host_start(NDISDMA_PLACEMENT_LOW);
    ndisdma_machine *m = t->m;
    NDIS_HANDLE h = ndisdma_adapter_handle(t->ad);
    nd_kernel *k = mt_kernel(m);
    uint64_t frames = nd_frames_used(k);
    PVOID shared, tagged, plain;
    NDIS_PHYSICAL_ADDRESS pa;
    NdisMAllocateSharedMemory(h, 5000, FALSE, &shared, &pa);
    assert_non_null(shared);
    tagged = NdisAllocateMemoryWithTagPriority(h, 100, MT_TAG, NormalPoolPriority);
    assert_non_null(tagged);
    PMDL mdl = NdisAllocateMdl(h, tagged, 100);
    assert_non_null(mdl);
    assert_int_equal(NdisAllocateMemoryWithTag(&plain, 100, MT_TAG), NDIS_STATUS_SUCCESS);
    nd_mp_adapter *a = host_adapter(t);
    nd_ndis_mem_stats s;
    assert_int_equal(nd_ndis_memory_outstanding(k, a, &s), 3);
    assert_int_equal(s.shared_blocks, 1);
    assert_int_equal(s.memory_blocks, 1);
    assert_int_equal(s.mdls, 1);
    assert_int_equal(mt_outstanding(m, NULL), 4);
    assert_int_equal(nd_ndis_memory_release_adapter(k, a), 3);
    assert_int_equal(nd_ndis_memory_outstanding(k, a, NULL), 0);
    assert_int_equal(mt_outstanding(m, NULL), 1); /* no handle: not the adapter's */
    NdisFreeMemory(plain, 100, 0);
    assert_int_equal(nd_frames_used(k), frames);
    host_done(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(unbound_thread, mt_teardown),
        cmocka_unit_test_teardown(allocate_invalid, mt_teardown),
        cmocka_unit_test_teardown(free_invalid, mt_teardown),
        cmocka_unit_test_teardown(n29_contiguous_below_limit, mt_teardown),
        cmocka_unit_test_teardown(n30_placement, mt_teardown),
        cmocka_unit_test_teardown(leak_counts, mt_teardown),
        cmocka_unit_test_teardown(tag_priority, mt_teardown),
        cmocka_unit_test_teardown(shared_memory, mt_teardown),
        cmocka_unit_test_teardown(shared_memory_invalid, mt_teardown),
        cmocka_unit_test_teardown(adapter_leaks_released, mt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
