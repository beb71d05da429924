/* Shared helpers of the NDIS buffer and memory tests: see memtest.h. */
#include "memtest.h"

ndisdma_machine *mt_bound(uint64_t ram, uint64_t seed, ndisdma_placement placement)
{
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.ram_bytes = ram;
    cfg.seed = seed;
    cfg.placement = placement;
    ndisdma_machine *m = NULL;
    assert_int_equal(ndisdma_machine_create(&cfg, &m), 0);
    assert_non_null(m);
    assert_int_equal(ndisdma_thread_bind(m), 0);
    return m;
}

void mt_done(ndisdma_machine *m)
{
    if (ndisdma_thread_machine() == m)
        ndisdma_thread_unbind(m);
    ndisdma_machine_destroy(m);
}

nd_kernel *mt_kernel(ndisdma_machine *m)
{
    return m->kernel;
}

static void print_since(ndisdma_machine *m, uint64_t before)
{
    ndisdma_violation v;
    for (uint64_t i = before; i < ndisdma_violation_count(m); i++)
        if (ndisdma_violation_get(m, i, &v) == 0)
            print_error("violation %llu: %s: %s\n", (unsigned long long)i, v.ddi, v.message);
}

void mt_expect_violation(ndisdma_machine *m, uint64_t before, const char *ddi)
{
    if (ndisdma_violation_count(m) != before + 1)
        print_since(m, before);
    assert_int_equal(ndisdma_violation_count(m), before + 1);
    ndisdma_violation v;
    assert_int_equal(ndisdma_violation_get(m, before, &v), 0);
    assert_string_equal(v.ddi, ddi);
    assert_true(v.message[0] != '\0');
}

void mt_expect_none(ndisdma_machine *m, uint64_t before)
{
    uint64_t now = ndisdma_violation_count(m);
    if (now != before)
        print_since(m, before);
    assert_int_equal(now, before);
}

uint64_t mt_phys(ndisdma_machine *m, const void *va)
{
    uint64_t phys = 0;
    assert_true(nd_kernel_va_to_ram(m->kernel, va, &phys));
    return phys;
}

uint64_t mt_outstanding(ndisdma_machine *m, nd_ndis_mem_stats *stats)
{
    return nd_ndis_memory_outstanding(m->kernel, NULL, stats);
}

int mt_teardown(void **state)
{
    (void)state;
    ndisdma_machine *m = ndisdma_thread_machine();
    if (m) { /* a failed test left its machine bound */
        ndisdma_thread_unbind(m);
        ndisdma_machine_destroy(m);
    }
    return 0;
}
