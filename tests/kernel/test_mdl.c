/*
 * MDLs (spec N28, N29): invalid input first (unbound thread, NULL, IRPs,
 * wrong IRQL, double free, foreign pointers), then MDLs over RAM (PFN array
 * holds the real frames), over malloc and stack memory (phantom frames above
 * 4 GiB that never alias RAM, one per host page while referenced), chains
 * through Next, rebuilds, and the WDK layout.
 */
#include "ktest.h"

#include <stdlib.h>
#include <string.h>

static void invalid_input(void **state)
{
    (void)state;
    char buf[100];
    /* An unbound thread has no machine: NULL, nothing recorded anywhere. */
    assert_null(ndisdma_thread_machine());
    assert_null(IoAllocateMdl(buf, sizeof buf, FALSE, FALSE, NULL));
    IoFreeMdl(NULL);
    MmBuildMdlForNonPagedPool(NULL);
    assert_int_equal(MmGetPhysicalAddress(buf).QuadPart, 0);

    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    uint64_t before = ndisdma_violation_count(m);
    assert_null(IoAllocateMdl(NULL, 10, FALSE, FALSE, NULL));
    kt_expect_violation(m, before, "IoAllocateMdl");
    before = ndisdma_violation_count(m);
    assert_null(IoAllocateMdl(buf, 10, FALSE, FALSE, (PIRP)buf));
    kt_expect_violation(m, before, "IoAllocateMdl");
    /* Above DISPATCH_LEVEL. */
    KIRQL old;
    KeRaiseIrql(5, &old);
    before = ndisdma_violation_count(m);
    assert_null(IoAllocateMdl(buf, 10, FALSE, FALSE, NULL));
    kt_expect_violation(m, before, "IoAllocateMdl");
    KeLowerIrql(old);
    /* Too large for one MDL: NULL, as on Windows, without a violation. */
    before = ndisdma_violation_count(m);
    assert_null(IoAllocateMdl(buf, 0x7FFFFFFF, FALSE, FALSE, NULL));
    assert_int_equal(ndisdma_violation_count(m), before);

    before = ndisdma_violation_count(m);
    IoFreeMdl(NULL);
    kt_expect_violation(m, before, "IoFreeMdl");
    PMDL mdl = IoAllocateMdl(buf, sizeof buf, FALSE, FALSE, NULL);
    assert_non_null(mdl);
    IoFreeMdl(mdl);
    before = ndisdma_violation_count(m);
    IoFreeMdl(mdl); /* double free: reported, not a crash */
    kt_expect_violation(m, before, "IoFreeMdl");
    before = ndisdma_violation_count(m);
    MmBuildMdlForNonPagedPool((PMDL)buf); /* not an MDL of ours */
    kt_expect_violation(m, before, "MmBuildMdlForNonPagedPool");
    before = ndisdma_violation_count(m);
    assert_null(MmGetSystemAddressForMdlSafe(NULL, NormalPagePriority));
    kt_expect_violation(m, before, "MmGetSystemAddressForMdlSafe");
    /* An MDL of another machine is foreign here. */
    ndisdma_machine *other = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    assert_int_equal(ndisdma_thread_unbind(m), 0);
    assert_int_equal(ndisdma_thread_bind(other), 0);
    PMDL theirs = IoAllocateMdl(buf, 8, FALSE, FALSE, NULL);
    assert_non_null(theirs);
    assert_int_equal(ndisdma_thread_unbind(other), 0);
    assert_int_equal(ndisdma_thread_bind(m), 0);
    before = ndisdma_violation_count(m);
    IoFreeMdl(theirs);
    kt_expect_violation(m, before, "IoFreeMdl");
    kt_done(m);
    kt_done(other); /* frees the MDL it still owns */
}

/* WDK layout: the PFN array follows the header; MmSizeOfMdl counts the
   pages spanned, with the first byte's page offset. */
static void layout(void **state)
{
    (void)state;
    assert_int_equal(MmSizeOfMdl((PVOID)0x1000, 0), sizeof(MDL));
    assert_int_equal(MmSizeOfMdl((PVOID)0x1000, 1), sizeof(MDL) + sizeof(PFN_NUMBER));
    assert_int_equal(MmSizeOfMdl((PVOID)0x1000, 0x1000), sizeof(MDL) + sizeof(PFN_NUMBER));
    assert_int_equal(MmSizeOfMdl((PVOID)0x1FFF, 2), sizeof(MDL) + 2 * sizeof(PFN_NUMBER));
    assert_int_equal(MmSizeOfMdl((PVOID)0x1800, 0x1000), sizeof(MDL) + 2 * sizeof(PFN_NUMBER));
    assert_int_equal(sizeof(ULONG), 4);
    assert_int_equal(sizeof(PFN_NUMBER), sizeof(void *));
}

/* N28/N29: an MDL over kernel-allocated RAM holds the RAM frames. */
static void mdl_over_ram(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_HIGH);
    void *va;
    uint64_t phys;
    assert_int_equal(nd_kernel_alloc_nonpaged(m->kernel, 4 * PAGE_SIZE, &va, &phys), 0);
    char *buf = (char *)va + 0x123;
    const ULONG len = 3 * PAGE_SIZE;
    PMDL mdl = IoAllocateMdl(buf, len, FALSE, FALSE, NULL);
    assert_non_null(mdl);
    assert_null(mdl->Next);
    assert_int_equal(mdl->Size, MmSizeOfMdl(buf, len));
    assert_ptr_equal(mdl->StartVa, va);
    assert_int_equal(MmGetMdlByteOffset(mdl), 0x123);
    assert_int_equal(MmGetMdlByteCount(mdl), len);
    assert_ptr_equal(MmGetMdlVirtualAddress(mdl), buf);
    MmBuildMdlForNonPagedPool(mdl);
    assert_true(mdl->MdlFlags & MDL_SOURCE_IS_NONPAGED_POOL);
    PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
    assert_ptr_equal(pfn, (PPFN_NUMBER)(mdl + 1));
    for (unsigned i = 0; i < 4; i++) {
        assert_int_equal(pfn[i], (phys >> PAGE_SHIFT) + i);
        assert_true(nd_kernel_pfn_is_ram(m->kernel, pfn[i]));
    }
    assert_true(pfn[0] << PAGE_SHIFT >= 16 * MIB); /* HIGH placement */
    assert_ptr_equal(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), buf);
    assert_int_equal(MmGetPhysicalAddress(buf + 10).QuadPart, (LONGLONG)(phys + 0x123 + 10));
    assert_int_equal(nd_phantom_count(m->kernel), 0);
    assert_true(nd_kernel_mdl_is_live(m->kernel, mdl));
    IoFreeMdl(mdl);
    assert_false(nd_kernel_mdl_is_live(m->kernel, mdl));
    assert_int_equal(ndisdma_violation_count(m), 0);
    kt_done(m);
}

static void check_phantom(ndisdma_machine *m, PMDL mdl)
{
    nd_kernel *k = m->kernel;
    const PFN_NUMBER ram_frames = (PFN_NUMBER)(ndisdma_machine_ram_bytes(m) >> PAGE_SHIFT);
    size_t pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(MmGetMdlVirtualAddress(mdl), mdl->ByteCount);
    PPFN_NUMBER pfn = MmGetMdlPfnArray(mdl);
    for (size_t i = 0; i < pages; i++) {
        assert_true(pfn[i] >= ND_PHANTOM_PFN_BASE);              /* above 4 GiB */
        assert_true((uint64_t)pfn[i] << PAGE_SHIFT >= 16 * MIB); /* above the ISA limit */
        assert_true(pfn[i] >= ram_frames);                       /* never RAM */
        assert_false(nd_kernel_pfn_is_ram(k, pfn[i]));
        assert_true(nd_kernel_pfn_is_phantom(k, pfn[i]));
        assert_ptr_equal(nd_kernel_pfn_to_va(k, pfn[i]), (char *)mdl->StartVa + i * PAGE_SIZE);
        for (size_t j = 0; j < i; j++)
            assert_true(pfn[i] != pfn[j]);
    }
}

/* N29: malloc memory gets phantom frames; data stays where it is. */
static void mdl_over_malloc(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    char *heap = malloc(5 * PAGE_SIZE);
    assert_non_null(heap);
    memset(heap, 0x5A, 5 * PAGE_SIZE);
    char *buf = heap + 100;
    PMDL a = IoAllocateMdl(buf, 3 * PAGE_SIZE, FALSE, FALSE, NULL);
    assert_non_null(a);
    MmBuildMdlForNonPagedPool(a);
    check_phantom(m, a);
    size_t pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(buf, 3 * PAGE_SIZE);
    assert_int_equal(nd_phantom_count(m->kernel), pages);
    /* Reached through the host pointer: the system address is the buffer. */
    assert_ptr_equal(MmGetSystemAddressForMdlSafe(a, NormalPagePriority), buf);
    /* MmGetPhysicalAddress gives the phantom frame with the byte offset. */
    PHYSICAL_ADDRESS pa = MmGetPhysicalAddress(buf);
    assert_int_equal(pa.QuadPart, (LONGLONG)(((uint64_t)MmGetMdlPfnArray(a)[0] << PAGE_SHIFT) |
                                             BYTE_OFFSET(buf)));
    /* A second MDL on an overlapping range shares the frames of shared
       pages (one frame per host page while referenced). */
    PMDL b = IoAllocateMdl(buf + PAGE_SIZE, 10, FALSE, FALSE, NULL);
    assert_non_null(b);
    MmBuildMdlForNonPagedPool(b);
    PFN_NUMBER page1 = MmGetMdlPfnArray(a)[1];
    if (BYTE_OFFSET(buf + PAGE_SIZE) + 10 <= PAGE_SIZE)
        assert_int_equal(MmGetMdlPfnArray(b)[0], page1);
    assert_int_equal(nd_phantom_count(m->kernel), pages);
    IoFreeMdl(a);
    /* b still holds its page. */
    assert_true(nd_kernel_pfn_is_phantom(m->kernel, MmGetMdlPfnArray(b)[0]));
    IoFreeMdl(b);
    assert_int_equal(nd_phantom_count(m->kernel), 0);
    assert_int_equal(MmGetPhysicalAddress(buf).QuadPart, 0); /* no frame any more */
    assert_int_equal(ndisdma_violation_count(m), 0);
    free(heap);
    kt_done(m);
}

/* N29: stack memory too. */
static void mdl_over_stack(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    char frame[1514];
    memset(frame, 0xA5, sizeof frame);
    PMDL mdl = IoAllocateMdl(frame, sizeof frame, FALSE, FALSE, NULL);
    assert_non_null(mdl);
    MmBuildMdlForNonPagedPool(mdl);
    check_phantom(m, mdl);
    IoFreeMdl(mdl);
    assert_int_equal(nd_phantom_count(m->kernel), 0);
    kt_done(m);
}

/* Rebuilding after a shorter ByteCount (NdisAdjustBufferLength) releases
   the frames the MDL no longer spans. */
static void rebuild(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    char *heap = aligned_alloc(PAGE_SIZE, 4 * PAGE_SIZE);
    assert_non_null(heap);
    PMDL mdl = IoAllocateMdl(heap, 4 * PAGE_SIZE, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(mdl);
    assert_int_equal(nd_phantom_count(m->kernel), 4);
    mdl->ByteCount = PAGE_SIZE;
    MmBuildMdlForNonPagedPool(mdl);
    assert_int_equal(nd_phantom_count(m->kernel), 1);
    /* Growing past the MDL's capacity is refused. */
    mdl->ByteCount = 5 * PAGE_SIZE;
    uint64_t before = ndisdma_violation_count(m);
    MmBuildMdlForNonPagedPool(mdl);
    kt_expect_violation(m, before, "MmBuildMdlForNonPagedPool");
    assert_int_equal(nd_phantom_count(m->kernel), 1);
    IoFreeMdl(mdl);
    assert_int_equal(nd_phantom_count(m->kernel), 0);
    free(heap);
    kt_done(m);
}

/* N28: chains through Next: a packet of three buffers from RAM, malloc and
   the stack. */
static void chain(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_SCATTERED);
    void *ram;
    assert_int_equal(nd_kernel_alloc_nonpaged(m->kernel, 60, &ram, NULL), 0);
    char *heap = malloc(700);
    char stack[54];
    PMDL first = IoAllocateMdl(stack, sizeof stack, FALSE, FALSE, NULL);
    PMDL second = IoAllocateMdl(ram, 60, FALSE, FALSE, NULL);
    PMDL third = IoAllocateMdl(heap, 700, FALSE, FALSE, NULL);
    assert_non_null(first);
    assert_non_null(second);
    assert_non_null(third);
    first->Next = second;
    second->Next = third;
    ULONG total = 0;
    unsigned n = 0;
    for (PMDL p = first; p; p = p->Next, n++) {
        MmBuildMdlForNonPagedPool(p);
        total += MmGetMdlByteCount(p);
    }
    assert_int_equal(n, 3);
    assert_int_equal(total, 54 + 60 + 700);
    assert_true(nd_kernel_pfn_is_ram(m->kernel, MmGetMdlPfnArray(second)[0]));
    assert_false(nd_kernel_pfn_is_ram(m->kernel, MmGetMdlPfnArray(first)[0]));
    assert_false(nd_kernel_pfn_is_ram(m->kernel, MmGetMdlPfnArray(third)[0]));
    /* IoFreeMdl frees one MDL, not the chain. */
    IoFreeMdl(first);
    assert_true(nd_kernel_mdl_is_live(m->kernel, second));
    IoFreeMdl(second);
    IoFreeMdl(third);
    assert_int_equal(ndisdma_violation_count(m), 0);
    free(heap);
    kt_done(m);
}

/* An MDL built without MmBuildMdlForNonPagedPool gets its system address
   from MmGetSystemAddressForMdlSafe. */
static void system_address(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    char buf[32];
    PMDL mdl = IoAllocateMdl(buf + 3, 20, FALSE, FALSE, NULL);
    assert_null(mdl->MappedSystemVa);
    assert_ptr_equal(MmGetSystemAddressForMdlSafe(mdl, HighPagePriority), buf + 3);
    assert_true(mdl->MdlFlags & MDL_MAPPED_TO_SYSTEM_VA);
    IoFreeMdl(mdl);
    kt_done(m);
}

/* Many live MDLs at once (a buffer pool): each is found, freed once, and
   the registry survives growth and deletions. */
static void many(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    enum { N = 3000 };
    static char data[N][16];
    static PMDL mdl[N];
    for (unsigned i = 0; i < N; i++) {
        mdl[i] = IoAllocateMdl(data[i], sizeof data[i], FALSE, FALSE, NULL);
        assert_non_null(mdl[i]);
    }
    for (unsigned i = 0; i < N; i += 2)
        IoFreeMdl(mdl[i]);
    for (unsigned i = 0; i < N; i += 2)
        mdl[i] = IoAllocateMdl(data[i], sizeof data[i], FALSE, FALSE, NULL);
    for (unsigned i = 0; i < N; i++) {
        assert_true(nd_kernel_mdl_is_live(m->kernel, mdl[i]));
        MmBuildMdlForNonPagedPool(mdl[i]);
    }
    for (unsigned i = 0; i < N; i++)
        IoFreeMdl(mdl[i]);
    assert_int_equal(nd_phantom_count(m->kernel), 0);
    assert_int_equal(ndisdma_violation_count(m), 0);
    kt_done(m);
}

/* The kernel remembers MDLs found live (mdl.c, mdl_seen) so that the
   check made on every DMA transfer skips the map: pinned to the map itself
   through allocations, checks, frees and reuse of the same addresses, with
   more MDLs than the memory has slots, so that they share slots. */
static void live_check_matches_map(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_kernel *k = m->kernel;
    enum { N = 70 };
    static char data[N][64];
    PMDL mdl[N];
    bool live[N];
    for (unsigned i = 0; i < N; i++) {
        mdl[i] = IoAllocateMdl(data[i], sizeof data[i], FALSE, FALSE, NULL);
        assert_non_null(mdl[i]);
        live[i] = true;
        assert_true(nd_kernel_mdl_is_live(k, mdl[i])); /* remembered */
    }
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned i = round; i < N; i += 3) {
            if (live[i]) {
                IoFreeMdl(mdl[i]);
                live[i] = false;
            } else {
                mdl[i] = IoAllocateMdl(data[i], sizeof data[i], FALSE, FALSE, NULL);
                assert_non_null(mdl[i]);
                live[i] = true;
            }
        }
        for (unsigned i = 0; i < N; i++) {
            /* Twice: the first may fill the memory, the second may use it. */
            for (unsigned twice = 0; twice < 2; twice++) {
                bool reused = false; /* the heap gave the freed address to a live MDL */
                for (unsigned j = 0; j < N; j++)
                    reused |= !live[i] && live[j] && mdl[j] == mdl[i];
                if (live[i] || reused) {
                    assert_true(nd_kernel_mdl_is_live(k, mdl[i]));
                } else {
                    uint64_t before = ndisdma_violation_count(m);
                    assert_false(nd_kernel_mdl_is_live(k, mdl[i]));
                    MmBuildMdlForNonPagedPool(mdl[i]); /* freed: reported, not used */
                    kt_expect_violation(m, before, "MmBuildMdlForNonPagedPool");
                }
            }
        }
    }
    uint64_t before = ndisdma_violation_count(m);
    for (unsigned i = 0; i < N; i++)
        if (live[i])
            IoFreeMdl(mdl[i]);
    assert_int_equal(ndisdma_violation_count(m), before);
    for (unsigned i = 0; i < N; i++)
        assert_false(nd_kernel_mdl_is_live(k, mdl[i])); /* none is live any more */
    kt_done(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_input),  cmocka_unit_test(layout),
        cmocka_unit_test(mdl_over_ram),   cmocka_unit_test(mdl_over_malloc),
        cmocka_unit_test(mdl_over_stack), cmocka_unit_test(rebuild),
        cmocka_unit_test(chain),          cmocka_unit_test(system_address),
        cmocka_unit_test(many),           cmocka_unit_test(live_check_matches_map),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
