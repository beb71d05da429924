/*
 * Shared helpers of the NDIS buffer and memory tests (test_buffers.c,
 * test_memory.c).
 *
 * Concept: each test builds its own machine with the placement it needs
 * (N30), binds the test thread to it (DDIs act on the bound machine), and
 * reaches the kernel through the machine's internals to compare what the
 * DDIs return with the simulated RAM and the leak counts of ndis_mem.h.
 * Helpers assert with cmocka.
 */
#ifndef NDISDMA_TESTS_MEMTEST_H
#define NDISDMA_TESTS_MEMTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ndis.h>
#include <ndisdma/kernel.h>
#include <ndisdma/machine.h>

#include "kernel/kernel.h"
#include "machine/machine.h"
#include "ndis/ndis_mem.h"

#define MIB    (1ull << 20)
/* A pool tag ('Test' as the WDK's 'tseT'; multi-character constants warn). */
#define MT_TAG 0x74736554u
#define KIB    (1ull << 10)

/* A machine with @ram (0 = default), @seed and @placement, the calling
   thread bound to it; asserts success. */
ndisdma_machine *mt_bound(uint64_t ram, uint64_t seed, ndisdma_placement placement);
/* Unbind (if bound) and destroy. */
void mt_done(ndisdma_machine *m);
/* The kernel of @m. */
nd_kernel *mt_kernel(ndisdma_machine *m);

/* Assert that exactly one violation was recorded since @before and that it
   names @ddi. */
void mt_expect_violation(ndisdma_machine *m, uint64_t before, const char *ddi);
/* Assert that no violation was recorded since @before. */
void mt_expect_none(ndisdma_machine *m, uint64_t before);

/* Physical address of host pointer @va in simulated RAM; fails the test if
   @va is not RAM. */
uint64_t mt_phys(ndisdma_machine *m, const void *va);

/* Objects outstanding in the NDIS buffer/memory registry of @m. */
uint64_t mt_outstanding(ndisdma_machine *m, nd_ndis_mem_stats *stats);

/* cmocka teardown: destroy the machine a failed test left bound. */
int mt_teardown(void **state);

#endif /* NDISDMA_TESTS_MEMTEST_H */
