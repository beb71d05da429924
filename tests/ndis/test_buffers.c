/*
 * NDIS buffers (spec N28, N29): buffer pools, NdisAllocateBuffer and the
 * buffer queries. Invalid input first (unbound thread, NULL arguments,
 * stale and foreign handles and buffers, wrong IRQL, double frees, a pool
 * freed with buffers outstanding, lengths adjusted past the allocation),
 * then: page-frame arrays that hold the simulated RAM frames of NDIS memory
 * (N28), phantom frames above 16 MiB for malloc and stack memory (N29),
 * chains through NdisGetNextBuffer, NdisAdjustBufferLength, query offsets,
 * the pool's descriptor limit and the leak counts. Last, NdisAllocateMdl
 * and NdisFreeMdl with the handle of an adapter of the test miniport
 * started through the host.
 */
#include "memtest.h"
#include "ndtest.h"

#include <stdlib.h>
#include <string.h>

/* Everything on an unbound thread fails cleanly and records nothing. */
static void unbound_thread(void **state)
{
    (void)state;
    assert_null(ndisdma_thread_machine());
    char buf[64];
    NDIS_STATUS st = NDIS_STATUS_SUCCESS;
    NDIS_HANDLE pool = (NDIS_HANDLE)buf;
    NdisAllocateBufferPool(&st, &pool, 4);
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    assert_null(pool);
    NdisAllocateBufferPool(NULL, NULL, 4);
    PNDIS_BUFFER b = (PNDIS_BUFFER)buf;
    st = NDIS_STATUS_SUCCESS;
    NdisAllocateBuffer(&st, &b, (NDIS_HANDLE)buf, buf, sizeof buf);
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    assert_null(b);
    NdisFreeBuffer(NULL);
    NdisFreeBufferPool(NULL);
    PVOID va = buf;
    UINT len = 7;
    NdisQueryBuffer(NULL, &va, &len);
    assert_null(va);
    assert_int_equal(len, 0);
    PNDIS_BUFFER next = (PNDIS_BUFFER)buf;
    NdisGetNextBuffer(NULL, &next);
    assert_null(next);
    /* A real MDL, but no machine: refused as well. */
    MDL fake;
    memset(&fake, 0, sizeof fake);
    fake.ByteCount = 10;
    fake.Next = &fake;
    va = buf;
    len = 7;
    NdisQueryBuffer(&fake, &va, &len);
    assert_null(va);
    assert_int_equal(len, 0);
    next = (PNDIS_BUFFER)buf;
    NdisGetNextBuffer(&fake, &next);
    assert_null(next);
    assert_int_equal(NdisBufferLength(&fake), 0);
    NdisAdjustBufferLength(&fake, 4);
    assert_int_equal(fake.ByteCount, 10);
    assert_int_equal(NdisBufferLength(NULL), 0);
    assert_null(NdisBufferVirtualAddress(NULL));
    NdisAdjustBufferLength(NULL, 4);
    assert_null(NdisAllocateMdl((NDIS_HANDLE)buf, buf, sizeof buf));
    NdisFreeMdl(NULL);
}

static void pool_invalid(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    NDIS_STATUS st;
    NDIS_HANDLE pool;

    uint64_t before = ndisdma_violation_count(m);
    NdisAllocateBufferPool(NULL, &pool, 4);
    mt_expect_violation(m, before, "NdisAllocateBufferPool");
    assert_null(pool);
    before = ndisdma_violation_count(m);
    NdisAllocateBufferPool(&st, NULL, 4);
    mt_expect_violation(m, before, "NdisAllocateBufferPool");
    assert_int_equal(st, NDIS_STATUS_FAILURE);

    /* Above DISPATCH_LEVEL: refused. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    before = ndisdma_violation_count(m);
    NdisAllocateBufferPool(&st, &pool, 4);
    mt_expect_violation(m, before, "NdisAllocateBufferPool");
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    assert_null(pool);
    KeLowerIrql(old);

    /* Freeing NULL, a foreign pointer, twice. */
    char foreign[32];
    before = ndisdma_violation_count(m);
    NdisFreeBufferPool(NULL);
    mt_expect_violation(m, before, "NdisFreeBufferPool");
    before = ndisdma_violation_count(m);
    NdisFreeBufferPool(foreign);
    mt_expect_violation(m, before, "NdisFreeBufferPool");
    NdisAllocateBufferPool(&st, &pool, 1);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    NdisFreeBufferPool(pool);
    before = ndisdma_violation_count(m);
    NdisFreeBufferPool(pool);
    mt_expect_violation(m, before, "NdisFreeBufferPool");

    /* A pool of another machine is foreign here. */
    NdisAllocateBufferPool(&st, &pool, 1);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    assert_int_equal(ndisdma_thread_unbind(m), 0);
    ndisdma_machine *other = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    char mem[16];
    PNDIS_BUFFER b;
    before = ndisdma_violation_count(other);
    NdisAllocateBuffer(&st, &b, pool, mem, sizeof mem);
    mt_expect_violation(other, before, "NdisAllocateBuffer");
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    before = ndisdma_violation_count(other);
    NdisFreeBufferPool(pool);
    mt_expect_violation(other, before, "NdisFreeBufferPool");
    mt_done(other);
    assert_int_equal(ndisdma_thread_bind(m), 0);
    NdisFreeBufferPool(pool);
    assert_int_equal(mt_outstanding(m, NULL), 0);
    mt_done(m);
}

static void buffer_invalid(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    char mem[256];
    NDIS_STATUS st;
    NDIS_HANDLE pool;
    NdisAllocateBufferPool(&st, &pool, 2);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    PNDIS_BUFFER b;

    uint64_t before = ndisdma_violation_count(m);
    NdisAllocateBuffer(NULL, &b, pool, mem, sizeof mem);
    mt_expect_violation(m, before, "NdisAllocateBuffer");
    assert_null(b);
    before = ndisdma_violation_count(m);
    NdisAllocateBuffer(&st, NULL, pool, mem, sizeof mem);
    mt_expect_violation(m, before, "NdisAllocateBuffer");
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    before = ndisdma_violation_count(m);
    NdisAllocateBuffer(&st, &b, NULL, mem, sizeof mem);
    mt_expect_violation(m, before, "NdisAllocateBuffer");
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    assert_null(b);
    before = ndisdma_violation_count(m);
    NdisAllocateBuffer(&st, &b, (NDIS_HANDLE)mem, mem, sizeof mem); /* not a pool */
    mt_expect_violation(m, before, "NdisAllocateBuffer");
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    before = ndisdma_violation_count(m);
    NdisAllocateBuffer(&st, &b, pool, NULL, sizeof mem);
    mt_expect_violation(m, before, "NdisAllocateBuffer");
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    before = ndisdma_violation_count(m);
    NdisAllocateBuffer(&st, &b, pool, mem, sizeof mem);
    mt_expect_violation(m, before, "NdisAllocateBuffer");
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    KeLowerIrql(old);

    /* Free: NULL, foreign MDL (IoAllocateMdl), twice. */
    before = ndisdma_violation_count(m);
    NdisFreeBuffer(NULL);
    mt_expect_violation(m, before, "NdisFreeBuffer");
    PMDL io = IoAllocateMdl(mem, sizeof mem, FALSE, FALSE, NULL);
    assert_non_null(io);
    before = ndisdma_violation_count(m);
    NdisFreeBuffer(io);
    mt_expect_violation(m, before, "NdisFreeBuffer");
    IoFreeMdl(io);
    before = ndisdma_violation_count(m);
    NdisAllocateBuffer(&st, &b, pool, mem, sizeof mem);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    NdisFreeBuffer(b);
    mt_expect_none(m, before);
    NdisFreeBuffer(b);
    mt_expect_violation(m, before, "NdisFreeBuffer");
    /* A buffer is not an NdisAllocateMdl MDL. */
    NdisAllocateBuffer(&st, &b, pool, mem, sizeof mem);
    before = ndisdma_violation_count(m);
    NdisFreeMdl(b);
    mt_expect_violation(m, before, "NdisFreeMdl");
    before = ndisdma_violation_count(m);
    NdisFreeMdl(NULL);
    mt_expect_violation(m, before, "NdisFreeMdl");

    /* Pool freed with a buffer outstanding: violation, the pool stays. */
    before = ndisdma_violation_count(m);
    NdisFreeBufferPool(pool);
    mt_expect_violation(m, before, "NdisFreeBufferPool");
    PNDIS_BUFFER b2;
    NdisAllocateBuffer(&st, &b2, pool, mem, 10); /* still usable */
    assert_int_equal(st, NDIS_STATUS_SUCCESS);

    /* Adjusting past the allocated length: violation, unchanged. */
    before = ndisdma_violation_count(m);
    NdisAdjustBufferLength(b2, 11);
    mt_expect_violation(m, before, "NdisAdjustBufferLength");
    assert_int_equal(NdisBufferLength(b2), 10);
    /* Freeing with the length not restored: violation, freed. */
    NdisAdjustBufferLength(b2, 4);
    before = ndisdma_violation_count(m);
    NdisFreeBuffer(b2);
    mt_expect_violation(m, before, "NdisFreeBuffer");
    /* Freeing at the wrong IRQL: reported, freed all the same. */
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    before = ndisdma_violation_count(m);
    NdisFreeBuffer(b);
    mt_expect_violation(m, before, "NdisFreeBuffer");
    KeLowerIrql(old);
    before = ndisdma_violation_count(m);
    NdisFreeBufferPool(pool);
    mt_expect_none(m, before);
    assert_int_equal(mt_outstanding(m, NULL), 0);
    mt_done(m);
}

static void query_invalid(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    char mem[100];
    PMDL mdl = IoAllocateMdl(mem, sizeof mem, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(mdl);
    PVOID va = mem;
    UINT len = 5, off = 5;

    uint64_t before = ndisdma_violation_count(m);
    NdisQueryBuffer(NULL, &va, &len);
    mt_expect_violation(m, before, "NdisQueryBuffer");
    assert_null(va);
    assert_int_equal(len, 0);
    before = ndisdma_violation_count(m);
    NdisQueryBuffer(mdl, &va, NULL);
    mt_expect_violation(m, before, "NdisQueryBuffer");
    before = ndisdma_violation_count(m);
    NdisQueryBufferSafe(NULL, &va, &len, NormalPagePriority);
    mt_expect_violation(m, before, "NdisQueryBufferSafe");
    before = ndisdma_violation_count(m);
    NdisQueryBufferOffset(mdl, NULL, &len);
    mt_expect_violation(m, before, "NdisQueryBufferOffset");
    before = ndisdma_violation_count(m);
    NdisGetNextBuffer(mdl, NULL);
    mt_expect_violation(m, before, "NdisGetNextBuffer");
    before = ndisdma_violation_count(m);
    assert_int_equal(NdisBufferLength(NULL), 0);
    mt_expect_violation(m, before, "NdisBufferLength");
    before = ndisdma_violation_count(m);
    assert_null(NdisBufferVirtualAddress(NULL));
    mt_expect_violation(m, before, "NdisBufferVirtualAddress");

    /* Above DISPATCH_LEVEL: refused, outputs cleared. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    before = ndisdma_violation_count(m);
    va = mem;
    len = 5;
    NdisQueryBuffer(mdl, &va, &len);
    mt_expect_violation(m, before, "NdisQueryBuffer");
    assert_null(va);
    assert_int_equal(len, 0);
    before = ndisdma_violation_count(m);
    NdisQueryBufferOffset(mdl, &off, &len);
    mt_expect_violation(m, before, "NdisQueryBufferOffset");
    assert_int_equal(off, 0);
    before = ndisdma_violation_count(m);
    NdisAdjustBufferLength(mdl, 1);
    mt_expect_violation(m, before, "NdisAdjustBufferLength");
    assert_int_equal(mdl->ByteCount, sizeof mem);
    /* NdisBufferLength works at any IRQL. */
    before = ndisdma_violation_count(m);
    assert_int_equal(NdisBufferLength(mdl), sizeof mem);
    mt_expect_none(m, before);
    KeLowerIrql(old);
    IoFreeMdl(mdl);
    mt_done(m);
}

/* N28: the page-frame array of a buffer over NDIS memory holds the RAM
   frames where that memory lies; the offset is the page offset. */
static void n28_frames_are_ram(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    uint64_t before = ndisdma_violation_count(m);
    PVOID mem = NULL;
    assert_int_equal(NdisAllocateMemoryWithTag(&mem, 4 * PAGE_SIZE, MT_TAG), NDIS_STATUS_SUCCESS);
    uint64_t phys = mt_phys(m, mem);
    NDIS_STATUS st;
    NDIS_HANDLE pool;
    NdisAllocateBufferPool(&st, &pool, 4);
    PNDIS_BUFFER b;
    PUCHAR start = (PUCHAR)mem + 100;
    NdisAllocateBuffer(&st, &b, pool, start, 2 * PAGE_SIZE);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    assert_non_null(b);
    PPFN_NUMBER pfn = MmGetMdlPfnArray(b);
    for (unsigned i = 0; i < 3; i++) { /* 100 + 8192 bytes span 3 pages */
        assert_int_equal(pfn[i], (phys >> PAGE_SHIFT) + i);
        assert_true(nd_kernel_pfn_is_ram(mt_kernel(m), pfn[i]));
    }
    UINT off, len;
    NdisQueryBufferOffset(b, &off, &len);
    assert_int_equal(off, 100);
    assert_int_equal(len, 2 * PAGE_SIZE);
    /* NdisQueryBuffer takes a pointer to any pointer type, as the WDK macro. */
    PUCHAR va = NULL;
    NdisQueryBuffer(b, &va, &len);
    assert_ptr_equal(va, start);
    assert_int_equal(len, 2 * PAGE_SIZE);
    NdisQueryBuffer(b, NULL, &len); /* VirtualAddress is optional */
    assert_int_equal(len, 2 * PAGE_SIZE);
    va = NULL;
    NdisQueryBufferSafe(b, &va, &len, HighPagePriority);
    assert_ptr_equal(va, start);
    assert_ptr_equal(NdisBufferVirtualAddress(b), start);
    /* The physical address the HAL will compute: frame and page offset. */
    assert_int_equal((pfn[0] << PAGE_SHIFT) + off, phys + 100);
    NdisFreeBuffer(b);
    NdisFreeBufferPool(pool);
    NdisFreeMemory(mem, 4 * PAGE_SIZE, 0);
    mt_expect_none(m, before);
    assert_int_equal(mt_outstanding(m, NULL), 0);
    mt_done(m);
}

/* N29: malloc and stack memory get phantom frames, above 16 MiB (and above
   4 GiB), so the HAL bounces them; the frames go away with the buffers. */
static void n29_host_memory_phantom(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_kernel *k = mt_kernel(m);
    uint64_t before = ndisdma_violation_count(m);
    NDIS_STATUS st;
    NDIS_HANDLE pool;
    NdisAllocateBufferPool(&st, &pool, 2);
    unsigned char *heap = malloc(3 * PAGE_SIZE);
    assert_non_null(heap);
    memset(heap, 0x5A, 3 * PAGE_SIZE);
    unsigned char stack[600];
    memset(stack, 0xA5, sizeof stack);
    PNDIS_BUFFER hb, sb;
    NdisAllocateBuffer(&st, &hb, pool, heap + 10, 2 * PAGE_SIZE);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    NdisAllocateBuffer(&st, &sb, pool, stack, sizeof stack);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    PNDIS_BUFFER bufs[2] = {hb, sb};
    for (int j = 0; j < 2; j++) {
        PNDIS_BUFFER b = bufs[j];
        PPFN_NUMBER pfn = MmGetMdlPfnArray(b);
        size_t pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(b), b->ByteCount);
        for (size_t i = 0; i < pages; i++) {
            assert_true(((uint64_t)pfn[i] << PAGE_SHIFT) >= 16 * MIB);
            assert_true(pfn[i] >= ND_PHANTOM_PFN_BASE);
            assert_true(nd_kernel_pfn_is_phantom(k, pfn[i]));
            assert_false(nd_kernel_pfn_is_ram(k, pfn[i]));
            /* The frame leads back to the host page: data is not copied. */
            unsigned char *page = nd_kernel_pfn_to_va(k, pfn[i]);
            assert_ptr_equal(
                page, PAGE_ALIGN((unsigned char *)MmGetMdlVirtualAddress(b) + i * PAGE_SIZE));
        }
    }
    assert_true(nd_phantom_count(k) > 0);
    NdisFreeBuffer(hb);
    NdisFreeBuffer(sb);
    assert_int_equal(nd_phantom_count(k), 0);
    NdisFreeBufferPool(pool);
    free(heap);
    mt_expect_none(m, before);
    mt_done(m);
}

/* Chains: NdisGetNextBuffer follows the MDLs' Next links, NULL at the end. */
static void chains(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    uint64_t before = ndisdma_violation_count(m);
    NDIS_STATUS st;
    NDIS_HANDLE pool;
    NdisAllocateBufferPool(&st, &pool, 3);
    char a[10], b[20], c[30];
    char *mems[3] = {a, b, c};
    UINT lens[3] = {sizeof a, sizeof b, sizeof c};
    PNDIS_BUFFER bufs[3];
    for (int i = 0; i < 3; i++) {
        NdisAllocateBuffer(&st, &bufs[i], pool, mems[i], lens[i]);
        assert_int_equal(st, NDIS_STATUS_SUCCESS);
        assert_null(bufs[i]->Next);
    }
    bufs[0]->Next = bufs[1];
    bufs[1]->Next = bufs[2];
    PNDIS_BUFFER cur = bufs[0];
    int n = 0;
    while (cur) {
        PVOID va;
        UINT len;
        NdisQueryBuffer(cur, &va, &len);
        assert_ptr_equal(va, mems[n]);
        assert_int_equal(len, lens[n]);
        PNDIS_BUFFER next = (PNDIS_BUFFER)a;
        NdisGetNextBuffer(cur, &next);
        cur = next;
        n++;
    }
    assert_int_equal(n, 3);
    /* NdisFreeBuffer frees one buffer, not the chain. */
    for (int i = 0; i < 3; i++) {
        bufs[i]->Next = NULL;
        NdisFreeBuffer(bufs[i]);
    }
    NdisFreeBufferPool(pool);
    mt_expect_none(m, before);
    mt_done(m);
}

/* NdisAdjustBufferLength shrinks and restores; the offset stays. */
static void adjust_length(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    uint64_t before = ndisdma_violation_count(m);
    PVOID mem;
    assert_int_equal(NdisAllocateMemoryWithTag(&mem, 2000, MT_TAG), NDIS_STATUS_SUCCESS);
    NDIS_STATUS st;
    NDIS_HANDLE pool;
    NdisAllocateBufferPool(&st, &pool, 1);
    PNDIS_BUFFER b;
    NdisAllocateBuffer(&st, &b, pool, (PUCHAR)mem + 14, 1500);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    NdisAdjustBufferLength(b, 60);
    UINT off, len;
    NdisQueryBufferOffset(b, &off, &len);
    assert_int_equal(off, 14);
    assert_int_equal(len, 60);
    assert_int_equal(NdisBufferLength(b), 60);
    NdisAdjustBufferLength(b, 0);
    assert_int_equal(NdisBufferLength(b), 0);
    NdisAdjustBufferLength(b, 1500);
    NdisFreeBuffer(b);
    NdisFreeBufferPool(pool);
    NdisFreeMemory(mem, 2000, 0);
    mt_expect_none(m, before);
    mt_done(m);
}

/* A pool counts its buffers: NumberOfDescriptors at once, FAILURE beyond
   (no violation: the WDK documents it), and the leak counts follow. */
static void pool_limit_and_counts(void **state)
{
    (void)state;
    ndisdma_machine *m = mt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    uint64_t before = ndisdma_violation_count(m);
    char mem[64];
    NDIS_STATUS st;
    NDIS_HANDLE pool, empty;
    NdisAllocateBufferPool(&st, &pool, 2);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    NdisAllocateBufferPool(&st, &empty, 0);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    PNDIS_BUFFER b1, b2, b3;
    NdisAllocateBuffer(&st, &b1, pool, mem, 8);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    NdisAllocateBuffer(&st, &b2, pool, mem + 8, 0); /* an empty buffer is valid */
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    assert_int_equal(NdisBufferLength(b2), 0);
    NdisAllocateBuffer(&st, &b3, pool, mem, 8);
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    assert_null(b3);
    NdisAllocateBuffer(&st, &b3, empty, mem, 8);
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    NdisFreeBuffer(b2);
    /* A range too long for one MDL: FAILURE (as IoAllocateMdl), no record. */
    NdisAllocateBuffer(&st, &b2, pool, mem, 0xFFFFFFF0u);
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    assert_null(b2);
    NdisAllocateBuffer(&st, &b2, pool, mem + 8, 0);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    mt_expect_none(m, before);
    nd_ndis_mem_stats s;
    assert_int_equal(mt_outstanding(m, &s), 4);
    assert_int_equal(s.pools, 2);
    assert_int_equal(s.buffers, 2);
    NdisFreeBuffer(b1);
    NdisAllocateBuffer(&st, &b3, pool, mem, 8);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    NdisFreeBuffer(b2);
    NdisFreeBuffer(b3);
    NdisFreeBufferPool(pool);
    NdisFreeBufferPool(empty);
    assert_int_equal(mt_outstanding(m, &s), 0);
    assert_int_equal(s.buffers, 0);
    mt_expect_none(m, before);
    /* What a driver leaks is freed with the machine (ASan checks). */
    NdisAllocateBufferPool(&st, &pool, 1);
    NdisAllocateBuffer(&st, &b1, pool, mem, 8);
    assert_int_equal(mt_outstanding(m, NULL), 2);
    mt_done(m);
}

/* NdisAllocateMdl (NDIS 6): validated handle, page-frame array filled
   (RAM frames for NDIS memory, phantom frames for host memory), freed by
   NdisFreeMdl only. */
static void ndis_allocate_mdl(void **state)
{
    (void)state;
    ndt *t = calloc(1, sizeof *t);
    assert_non_null(t);
    ndt_init(t, NDISDMA_PLACEMENT_LOW);
    ndt_start(t);
    ndisdma_machine *m = t->m;
    nd_kernel *k = mt_kernel(m);
    NDIS_HANDLE h = ndisdma_adapter_handle(t->ad);
    unsigned char *heap = malloc(2 * PAGE_SIZE);
    assert_non_null(heap);

    uint64_t before = ndisdma_violation_count(m);
    assert_null(NdisAllocateMdl(h, NULL, 10));
    mt_expect_violation(m, before, "NdisAllocateMdl");
    before = ndisdma_violation_count(m);
    assert_null(NdisAllocateMdl((NDIS_HANDLE)heap, heap, 10)); /* not a handle */
    mt_expect_violation(m, before, "NdisAllocateMdl");
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    before = ndisdma_violation_count(m);
    assert_null(NdisAllocateMdl(h, heap, 10));
    mt_expect_violation(m, before, "NdisAllocateMdl");
    KeLowerIrql(old);

    /* Host memory: phantom frames above 16 MiB (N29). */
    before = ndisdma_violation_count(m);
    PMDL hm = NdisAllocateMdl(h, heap + 1, PAGE_SIZE);
    assert_non_null(hm);
    assert_int_equal(MmGetMdlByteCount(hm), PAGE_SIZE);
    assert_int_equal(MmGetMdlByteOffset(hm), BYTE_OFFSET(heap + 1));
    PPFN_NUMBER pfn = MmGetMdlPfnArray(hm);
    size_t pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(heap + 1, PAGE_SIZE);
    for (size_t i = 0; i < pages; i++) {
        assert_true(nd_kernel_pfn_is_phantom(k, pfn[i]));
        assert_true(((uint64_t)pfn[i] << PAGE_SHIFT) >= 16 * MIB);
    }
    /* Shared memory: its RAM frames (N28). */
    PVOID shared;
    NDIS_PHYSICAL_ADDRESS pa;
    NdisMAllocateSharedMemory(h, 3 * PAGE_SIZE, FALSE, &shared, &pa);
    assert_non_null(shared);
    PMDL sm = NdisAllocateMdl(h, shared, 3 * PAGE_SIZE);
    assert_non_null(sm);
    pfn = MmGetMdlPfnArray(sm);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(pfn[i], ((uint64_t)pa.QuadPart >> PAGE_SHIFT) + i);
        assert_true(nd_kernel_pfn_is_ram(k, pfn[i]));
    }
    PVOID va;
    UINT len;
    NdisQueryBuffer(sm, &va, &len);
    assert_ptr_equal(va, shared);
    assert_int_equal(len, 3 * PAGE_SIZE);
    nd_ndis_mem_stats s;
    nd_mp_adapter *a = nd_ndis_adapter_from_handle(h, "test");
    assert_int_equal(nd_ndis_memory_outstanding(k, a, &s), 3);
    assert_int_equal(s.mdls, 2);
    mt_expect_none(m, before);

    /* Only NdisFreeMdl frees it; twice is reported. */
    before = ndisdma_violation_count(m);
    NdisFreeBuffer(hm);
    mt_expect_violation(m, before, "NdisFreeBuffer");
    before = ndisdma_violation_count(m);
    NdisFreeMdl(hm);
    mt_expect_none(m, before);
    assert_int_equal(nd_phantom_count(k), 0);
    NdisFreeMdl(hm);
    mt_expect_violation(m, before, "NdisFreeMdl");
    NdisFreeMdl(sm);
    NdisMFreeSharedMemory(h, 3 * PAGE_SIZE, FALSE, shared, pa);
    assert_int_equal(mt_outstanding(m, NULL), 0);
    free(heap);
    ndt_fini(t);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(unbound_thread, mt_teardown),
        cmocka_unit_test_teardown(pool_invalid, mt_teardown),
        cmocka_unit_test_teardown(buffer_invalid, mt_teardown),
        cmocka_unit_test_teardown(query_invalid, mt_teardown),
        cmocka_unit_test_teardown(n28_frames_are_ram, mt_teardown),
        cmocka_unit_test_teardown(n29_host_memory_phantom, mt_teardown),
        cmocka_unit_test_teardown(chains, mt_teardown),
        cmocka_unit_test_teardown(adjust_length, mt_teardown),
        cmocka_unit_test_teardown(pool_limit_and_counts, mt_teardown),
        cmocka_unit_test_teardown(ndis_allocate_mdl, mt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
