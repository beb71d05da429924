/*
 * Shared helpers of the kernel layer tests.
 *
 * Concept: each test builds its own machine (the kernel is reached through
 * the machine's internals, as the HAL reaches it) and, where it calls DDIs,
 * binds the test thread to it. Helpers assert with cmocka.
 */
#ifndef NDISDMA_TESTS_KTEST_H
#define NDISDMA_TESTS_KTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ndisdma/dma.h>
#include <ndisdma/kernel.h>
#include <ndisdma/machine.h>

#include "kernel/kernel.h"
#include "machine/machine.h"

#define MIB (1ull << 20)
#define KIB (1ull << 10)

/* A machine with @ram (0 = default), @seed and @placement; asserts success. */
ndisdma_machine *kt_machine(uint64_t ram, uint64_t seed, ndisdma_placement placement);
/* Same, and the calling thread bound to it. */
ndisdma_machine *kt_bound(uint64_t ram, uint64_t seed, ndisdma_placement placement);
/* Unbind (if bound) and destroy. */
void kt_done(ndisdma_machine *m);

/* Assert that the last violation names @ddi and that the count went from
   @before to @before + 1. */
void kt_expect_violation(ndisdma_machine *m, uint64_t before, const char *ddi);

/* Program @ch through the ports as a HAL does: mask, mode, clear flip-flop,
   address, page, count (@units - 1), unmask. @mode has the transfer bits
   (channel bits are added). */
void kt_program(ndisdma_machine *m, unsigned ch, uint8_t mode, uint64_t phys, uint32_t units);
/* Current count register of @ch read through the ports (low, high). */
uint16_t kt_read_count(ndisdma_machine *m, unsigned ch);

#endif /* NDISDMA_TESTS_KTEST_H */
