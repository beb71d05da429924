/*
 * Page frames and placement (spec N29, N30): invalid input first, then the
 * three policies (low: direct path, high: bounce path, scattered: boundary
 * crossings, deterministic by seed), exhaustion, contiguous allocations with
 * a limit and a boundary, and the VA/physical identity of RAM.
 */
#include "ktest.h"

#include <stdlib.h>
#include <string.h>

#define ALLOC_OK(k, bytes, va, phys)                                                               \
    assert_int_equal(nd_kernel_alloc_nonpaged(k, bytes, va, phys), 0)

static void invalid_input(void **state)
{
    (void)state;
    /* N30: an unknown placement is refused at creation. */
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    assert_int_equal(cfg.placement, NDISDMA_PLACEMENT_LOW);
    cfg.placement = (ndisdma_placement)7;
    ndisdma_machine *m = (ndisdma_machine *)1;
    assert_int_equal(ndisdma_machine_create(&cfg, &m), NDISDMA_EINVAL);
    assert_null(m);

    m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_kernel *k = m->kernel;
    void *va;
    uint64_t phys;
    assert_int_equal(nd_kernel_alloc_nonpaged(k, 0, &va, &phys), NDISDMA_EINVAL);
    assert_int_equal(nd_kernel_alloc_nonpaged(k, 10, NULL, &phys), NDISDMA_EINVAL);
    assert_int_equal(nd_kernel_alloc_nonpaged(NULL, 10, &va, &phys), NDISDMA_EINVAL);
    assert_int_equal(nd_kernel_set_placement(k, (ndisdma_placement)9), NDISDMA_EINVAL);
    assert_int_equal(nd_frames_alloc_contiguous(k, 0, 0, 0, &phys), NDISDMA_EINVAL);
    assert_int_equal(nd_frames_alloc_contiguous(k, 1, 0, 0, NULL), NDISDMA_EINVAL);
    assert_int_equal(nd_frames_alloc_contiguous(k, 1, 0, 3 * PAGE_SIZE, &phys), NDISDMA_EINVAL);
    assert_int_equal(nd_frames_alloc_contiguous(k, 1, 0, 512, &phys), NDISDMA_EINVAL);
    /* More than RAM. */
    assert_int_equal(nd_kernel_alloc_nonpaged(k, 65 * MIB, &va, &phys), NDISDMA_ENOMEM);

    /* Freeing memory that is not the kernel's is a violation, never a crash. */
    char host[64];
    uint64_t before = ndisdma_violation_count(m);
    assert_int_equal(nd_kernel_free_nonpaged(k, host, sizeof host, "NdisFreeMemory"),
                     NDISDMA_EINVAL);
    kt_expect_violation(m, before, "NdisFreeMemory");
    /* Double free. */
    ALLOC_OK(k, 3 * PAGE_SIZE, &va, &phys);
    assert_int_equal(nd_kernel_free_nonpaged(k, va, 3 * PAGE_SIZE, "NdisFreeMemory"), 0);
    before = ndisdma_violation_count(m);
    assert_int_equal(nd_kernel_free_nonpaged(k, va, 3 * PAGE_SIZE, "NdisFreeMemory"),
                     NDISDMA_EINVAL);
    kt_expect_violation(m, before, "NdisFreeMemory");
    /* Frame 0 and unaligned frees. */
    before = ndisdma_violation_count(m);
    nd_frames_free(k, 0, 1);
    kt_expect_violation(m, before, "nd_frames_free");
    before = ndisdma_violation_count(m);
    nd_frames_free(k, 0x1800, 1);
    kt_expect_violation(m, before, "nd_frames_free");
    kt_done(m);
}

/* RAM is mapped page-aligned and linearly: VA = RAM base + phys. */
static void ram_va_is_phys(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_kernel *k = m->kernel;
    void *va;
    uint64_t phys;
    ALLOC_OK(k, 5000, &va, &phys);
    assert_int_equal((uintptr_t)va & (PAGE_SIZE - 1), 0);
    assert_ptr_equal(va, ndisdma_phys_ptr(m, phys, 1));
    assert_ptr_equal(nd_kernel_phys_to_va(k, phys), va);
    assert_null(nd_kernel_phys_to_va(k, 64 * MIB));
    assert_true(phys != 0); /* frame 0 is never handed out */
    memcpy(va, "frame", 6);
    char back[6];
    assert_int_equal(ndisdma_phys_read(m, phys, back, sizeof back), 0);
    assert_string_equal(back, "frame");
    /* RAM starts zeroed, also where nobody wrote. */
    uint8_t z[16];
    assert_int_equal(ndisdma_phys_read(m, 63 * MIB, z, sizeof z), 0);
    for (size_t i = 0; i < sizeof z; i++)
        assert_int_equal(z[i], 0);
    assert_true(nd_kernel_pfn_is_ram(k, phys >> PAGE_SHIFT));
    assert_ptr_equal(nd_kernel_pfn_to_va(k, phys >> PAGE_SHIFT), va);
    assert_int_equal(nd_frames_used(k), 2);
    assert_int_equal(nd_kernel_free_nonpaged(k, va, 5000, NULL), 0);
    assert_int_equal(nd_frames_used(k), 0);
    kt_done(m);
}

/* N30 low: below 16 MiB, and never across 64 KiB when the size allows. */
static void placement_low(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 1, NDISDMA_PLACEMENT_LOW);
    nd_kernel *k = m->kernel;
    for (unsigned i = 0; i < 200; i++) {
        size_t bytes = 1 + (i * 7919u) % (20 * PAGE_SIZE);
        void *va;
        uint64_t phys;
        ALLOC_OK(k, bytes, &va, &phys);
        uint64_t end = phys + bytes - 1;
        assert_true(end < 16 * MIB);
        if (bytes <= 64 * KIB)
            assert_int_equal(phys >> 16, end >> 16);
        if (i % 3 == 0)
            assert_int_equal(nd_kernel_free_nonpaged(k, va, bytes, NULL), 0);
    }
    kt_done(m);
}

/* N30 high: every allocation above 16 MiB; none possible without high RAM. */
static void placement_high(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 1, NDISDMA_PLACEMENT_HIGH);
    nd_kernel *k = m->kernel;
    for (unsigned i = 0; i < 100; i++) {
        void *va;
        uint64_t phys;
        ALLOC_OK(k, 1 + i * 300, &va, &phys);
        assert_true(phys >= 16 * MIB);
    }
    kt_done(m);

    m = kt_machine(16 * MIB, 1, NDISDMA_PLACEMENT_HIGH);
    void *va;
    assert_int_equal(nd_kernel_alloc_nonpaged(m->kernel, 100, &va, NULL), NDISDMA_ENOMEM);
    kt_done(m);
}

typedef struct scatter_stats {
    unsigned low, high, cross64, cross128;
    uint64_t addr[64];
} scatter_stats;

static void scatter_run(uint64_t seed, scatter_stats *st)
{
    memset(st, 0, sizeof *st);
    ndisdma_machine *m = kt_machine(0, seed, NDISDMA_PLACEMENT_SCATTERED);
    for (unsigned i = 0; i < 64; i++) {
        size_t bytes = (2 + i % 5) * PAGE_SIZE;
        void *va;
        uint64_t phys;
        ALLOC_OK(m->kernel, bytes, &va, &phys);
        st->addr[i] = phys;
        uint64_t end = phys + bytes - 1;
        if (end < 16 * MIB)
            st->low++;
        if (phys >= 16 * MIB)
            st->high++;
        if ((phys >> 17) != (end >> 17))
            st->cross128++;
        else if ((phys >> 16) != (end >> 16))
            st->cross64++;
    }
    kt_done(m);
}

/* N30 scattered: positions all over RAM, crossings of 64 KiB and 128 KiB
   boundaries, the same for the same seed, different for another. */
static void placement_scattered(void **state)
{
    (void)state;
    scatter_stats a, b, c;
    scatter_run(42, &a);
    scatter_run(42, &b);
    scatter_run(43, &c);
    assert_memory_equal(a.addr, b.addr, sizeof a.addr);
    assert_memory_not_equal(a.addr, c.addr, sizeof a.addr);
    assert_true(a.low >= 16);
    assert_true(a.high >= 8);
    assert_true(a.cross64 >= 8);
    assert_true(a.cross128 >= 8);
    /* Allocations never overlap. */
    for (unsigned i = 0; i < 64; i++)
        for (unsigned j = i + 1; j < 64; j++)
            assert_true(a.addr[i] != a.addr[j]);
}

/* Exhaustion: a 1 MiB machine has 255 frames to give; then ENOMEM, and a
   freed frame can be taken again. */
static void exhaustion(void **state)
{
    (void)state;
    ndisdma_placement pol[] = {NDISDMA_PLACEMENT_LOW, NDISDMA_PLACEMENT_SCATTERED};
    for (unsigned p = 0; p < 2; p++) {
        ndisdma_machine *m = kt_machine(1 * MIB, 5, pol[p]);
        nd_kernel *k = m->kernel;
        void *va[256];
        unsigned n = 0;
        while (n < 256 && nd_kernel_alloc_nonpaged(k, PAGE_SIZE, &va[n], NULL) == 0)
            n++;
        assert_int_equal(n, 255);
        assert_int_equal(nd_frames_used(k), 255);
        void *x;
        assert_int_equal(nd_kernel_alloc_nonpaged(k, 1, &x, NULL), NDISDMA_ENOMEM);
        uint64_t phys;
        assert_int_equal(nd_frames_alloc_contiguous(k, 1, 0, 0, &phys), NDISDMA_ENOMEM);
        assert_int_equal(nd_kernel_free_nonpaged(k, va[100], PAGE_SIZE, NULL), 0);
        assert_int_equal(nd_kernel_alloc_nonpaged(k, 1, &x, NULL), 0);
        assert_ptr_equal(x, va[100]);
        kt_done(m);
    }
}

/* Contiguous allocations (map registers, NDIS_MEMORY_CONTIGUOUS): below the
   limit, inside the boundary, top-down, whatever the policy. */
static void contiguous(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_HIGH);
    nd_kernel *k = m->kernel;
    uint64_t phys;
    assert_int_equal(nd_frames_alloc_contiguous(k, 16, 16 * MIB, 64 * KIB, &phys), 0);
    assert_int_equal(phys, 16 * MIB - 64 * KIB);
    assert_int_equal(nd_frames_alloc_contiguous(k, 3, 16 * MIB, 64 * KIB, &phys), 0);
    assert_int_equal(phys, 16 * MIB - 64 * KIB - 3 * PAGE_SIZE);
    /* Only 13 pages are left above the next 64 KiB boundary down: 14 pages
       go below it, ending at the boundary. */
    assert_int_equal(nd_frames_alloc_contiguous(k, 14, 16 * MIB, 64 * KIB, &phys), 0);
    assert_int_equal(phys, 16 * MIB - 2 * 64 * KIB - 14 * PAGE_SIZE);
    assert_int_equal(phys >> 16, (phys + 14 * PAGE_SIZE - 1) >> 16);
    /* Larger than the boundary: impossible. */
    assert_int_equal(nd_frames_alloc_contiguous(k, 17, 16 * MIB, 64 * KIB, &phys), NDISDMA_ENOMEM);
    /* No limit: the top of RAM. */
    assert_int_equal(nd_frames_alloc_contiguous(k, 2, 0, 0, &phys), 0);
    assert_int_equal(phys, 64 * MIB - 2 * PAGE_SIZE);
    nd_frames_free(k, phys, 2);
    /* A limit below what is left. */
    assert_int_equal(nd_frames_alloc_contiguous(k, 1, PAGE_SIZE, 0, &phys), NDISDMA_ENOMEM);
    assert_int_equal(nd_frames_alloc_contiguous(k, 1, 2 * PAGE_SIZE, 0, &phys), 0);
    assert_int_equal(phys, PAGE_SIZE);
    assert_int_equal(ndisdma_violation_count(m), 0);
    kt_done(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_input),       cmocka_unit_test(ram_va_is_phys),
        cmocka_unit_test(placement_low),       cmocka_unit_test(placement_high),
        cmocka_unit_test(placement_scattered), cmocka_unit_test(exhaustion),
        cmocka_unit_test(contiguous),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
