/*
 * Two machines on two threads are independent: each thread's IRQL and
 * binding are its own (the per-processor IRQL of Windows), violations are
 * recorded on the thread's own machine, and the same seed and the same calls
 * give the same run on both (placement, phantom frames, DMA in time).
 */
#define _POSIX_C_SOURCE 200809L
#include "ktest.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct result {
    int id;
    pthread_barrier_t *bar;
    uint64_t phys[16];
    PFN_NUMBER phantom[4];
    uint64_t now;
    uint16_t count;
    uint64_t violations;
    int irql_ok;
} result;

static size_t give(void *ctx, unsigned ch, uint8_t *data, size_t len)
{
    (void)ctx;
    (void)ch;
    memset(data, 0x11, len);
    return len;
}

/* No cmocka asserts here (they are not thread-safe): record and compare in
   the main thread. */
static void *worker(void *arg)
{
    result *r = arg;
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.seed = 77;
    cfg.placement = NDISDMA_PLACEMENT_SCATTERED;
    ndisdma_machine *m;
    if (ndisdma_machine_create(&cfg, &m) != 0 || ndisdma_thread_bind(m) != 0)
        return NULL;
    r->irql_ok = 1;
    /* Thread 0 goes to DISPATCH_LEVEL, thread 1 to a DIRQL; each sees only
       its own IRQL while the other has changed its own. */
    KIRQL old;
    KeRaiseIrql(r->id == 0 ? DISPATCH_LEVEL : 7, &old);
    pthread_barrier_wait(r->bar);
    if (KeGetCurrentIrql() != (r->id == 0 ? DISPATCH_LEVEL : 7))
        r->irql_ok = 0;
    if (ndisdma_thread_machine() != m)
        r->irql_ok = 0;
    pthread_barrier_wait(r->bar);
    KeLowerIrql(old);
    /* Violations on thread 0 only. */
    if (r->id == 0)
        for (int i = 0; i < 3; i++)
            KeLowerIrql(HIGH_LEVEL);
    for (unsigned i = 0; i < 16; i++) {
        void *va;
        nd_kernel_alloc_nonpaged(m->kernel, (1 + i % 4) * PAGE_SIZE, &va, &r->phys[i]);
    }
    char *heap = malloc(3 * PAGE_SIZE);
    PMDL mdl = IoAllocateMdl(heap, 3 * PAGE_SIZE, FALSE, FALSE, NULL);
    MmBuildMdlForNonPagedPool(mdl);
    memcpy(r->phantom, MmGetMdlPfnArray(mdl), sizeof r->phantom);
    IoFreeMdl(mdl);
    free(heap);
    /* DMA in time. */
    ndisdma_dma_device dev = {.from_device = give};
    ndisdma_dma_attach(m, 3, &dev, NULL);
    kt_program(m, 3, 0x44, r->phys[0], 500);
    ndisdma_dma_request(m, 3, true);
    pthread_barrier_wait(r->bar);
    ndisdma_machine_run(m, 200000);
    r->count = kt_read_count(m, 3);
    r->now = ndisdma_machine_now(m);
    r->violations = ndisdma_violation_count(m);
    ndisdma_thread_unbind(m);
    ndisdma_machine_destroy(m);
    return NULL;
}

static void two_machines_two_threads(void **state)
{
    (void)state;
    pthread_barrier_t bar;
    pthread_barrier_init(&bar, NULL, 2);
    result r[2];
    memset(r, 0, sizeof r);
    pthread_t t[2];
    for (int i = 0; i < 2; i++) {
        r[i].id = i;
        r[i].bar = &bar;
        assert_int_equal(pthread_create(&t[i], NULL, worker, &r[i]), 0);
    }
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    pthread_barrier_destroy(&bar);
    assert_true(r[0].irql_ok);
    assert_true(r[1].irql_ok);
    assert_int_equal(r[0].violations, 3);
    assert_int_equal(r[1].violations, 0);
    /* Same seed, same calls: same placement, same phantom frames, same DMA. */
    assert_memory_equal(r[0].phys, r[1].phys, sizeof r[0].phys);
    assert_memory_equal(r[0].phantom, r[1].phantom, sizeof r[0].phantom);
    assert_true(r[0].phantom[0] >= ND_PHANTOM_PFN_BASE);
    assert_int_equal(r[0].now, 200000);
    assert_int_equal(r[1].now, 200000);
    assert_int_equal(r[0].count, 499 - 200000 / 960);
    assert_int_equal(r[1].count, r[0].count);
    /* The main thread was never bound. */
    assert_null(ndisdma_thread_machine());
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_machines_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
