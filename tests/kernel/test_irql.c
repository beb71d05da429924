/*
 * IRQL, spin locks, thread binding and the violation record: invalid input
 * first (unbound threads, NULL locks, wrong directions), then raise/lower,
 * spin locks raising to DISPATCH_LEVEL, and each kind of lock misuse
 * reported as a violation with the DDI's name and the virtual time.
 */
#include "ktest.h"

#include <string.h>

static void binding(void **state)
{
    (void)state;
    assert_int_equal(ndisdma_thread_bind(NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_thread_unbind(NULL), NDISDMA_EINVAL);
    assert_null(ndisdma_thread_machine());
    ndisdma_machine *a = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    ndisdma_machine *b = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    assert_int_equal(ndisdma_thread_unbind(a), NDISDMA_ENOENT);
    assert_int_equal(ndisdma_thread_bind(a), 0);
    assert_int_equal(ndisdma_thread_bind(a), 0); /* again: nothing changes */
    assert_ptr_equal(ndisdma_thread_machine(), a);
    assert_int_equal(ndisdma_thread_bind(b), NDISDMA_EBUSY);
    assert_int_equal(ndisdma_thread_unbind(b), NDISDMA_ENOENT);
    assert_ptr_equal(nd_kernel_current(), a->kernel);
    assert_int_equal(ndisdma_thread_unbind(a), 0);
    assert_null(ndisdma_thread_machine());
    /* Unbinding above PASSIVE_LEVEL is a violation; the IRQL is reset. */
    assert_int_equal(ndisdma_thread_bind(b), 0);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_int_equal(ndisdma_thread_unbind(b), NDISDMA_EIRQL);
    kt_expect_violation(b, 0, "ndisdma_thread_unbind");
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* Destroying the machine the thread is bound to unbinds it. */
    assert_int_equal(ndisdma_thread_bind(a), 0);
    ndisdma_machine_destroy(a);
    assert_null(ndisdma_thread_machine());
    ndisdma_machine_destroy(b);
}

static void unbound_thread(void **state)
{
    (void)state;
    /* Without a machine the IRQL still works; violations have nowhere to
       go and are dropped; nothing crashes. */
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KIRQL old = 99;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_int_equal(old, PASSIVE_LEVEL);
    KeLowerIrql(HIGH_LEVEL); /* wrong direction: ignored */
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    KeRaiseIrql(APC_LEVEL, NULL);
    KeStallExecutionProcessor(10);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
}

static void raise_lower(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* Invalid input first. */
    uint64_t before = ndisdma_violation_count(m);
    KeRaiseIrql(DISPATCH_LEVEL, NULL);
    kt_expect_violation(m, before, "KeRaiseIrql");
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    KIRQL old = 77;
    before = ndisdma_violation_count(m);
    KeRaiseIrql(HIGH_LEVEL + 1, &old);
    kt_expect_violation(m, before, "KeRaiseIrql");
    assert_int_equal(old, PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);

    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_int_equal(old, PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    /* Raising to a lower level: a violation, nothing changes, and the old
       IRQL reported is the current one, so the matching lower is harmless. */
    KIRQL old2;
    before = ndisdma_violation_count(m);
    KeRaiseIrql(APC_LEVEL, &old2);
    kt_expect_violation(m, before, "KeRaiseIrql");
    assert_int_equal(old2, DISPATCH_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old2);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    /* Lowering to a higher level. */
    before = ndisdma_violation_count(m);
    KeLowerIrql(CLOCK_LEVEL);
    kt_expect_violation(m, before, "KeLowerIrql");
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeRaiseIrql(5, &old2); /* a DIRQL */
    before = ndisdma_violation_count(m);
    assert_int_equal(KeRaiseIrqlToDpcLevel(), 5);
    kt_expect_violation(m, before, "KeRaiseIrqlToDpcLevel");
    KeLowerIrql(old2);
    KeLowerIrql(old);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(KeRaiseIrqlToDpcLevel(), PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(PASSIVE_LEVEL);

    /* nd_kernel_irql_at_most: the helper of DDI entry points. */
    assert_true(nd_kernel_irql_at_most(m->kernel, PASSIVE_LEVEL, "NdisMRegisterDmaChannel"));
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    before = ndisdma_violation_count(m);
    assert_false(nd_kernel_irql_at_most(m->kernel, PASSIVE_LEVEL, "NdisMRegisterDmaChannel"));
    kt_expect_violation(m, before, "NdisMRegisterDmaChannel");
    assert_true(nd_kernel_irql_at_most(m->kernel, DISPATCH_LEVEL, "NdisMSetupDmaTransfer"));
    KeLowerIrql(old);
    kt_done(m);
}

static void spin_locks(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    KSPIN_LOCK lock = 12345; /* not initialised yet */
    uint64_t before = ndisdma_violation_count(m);
    KeInitializeSpinLock(NULL);
    kt_expect_violation(m, before, "KeInitializeSpinLock");
    before = ndisdma_violation_count(m);
    KeAcquireSpinLock(NULL, NULL);
    kt_expect_violation(m, before, "KeAcquireSpinLock");
    before = ndisdma_violation_count(m);
    KeReleaseSpinLock(NULL, PASSIVE_LEVEL);
    kt_expect_violation(m, before, "KeReleaseSpinLock");
    KeInitializeSpinLock(&lock);
    assert_int_equal(lock, 0);

    /* Acquire raises to DISPATCH_LEVEL; release restores. */
    KIRQL old = 99;
    KeAcquireSpinLock(&lock, &old);
    assert_int_equal(old, PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    assert_true(lock != 0);
    /* Double acquire: deadlock on Windows; a violation here. */
    KIRQL old2;
    before = ndisdma_violation_count(m);
    KeAcquireSpinLock(&lock, &old2);
    kt_expect_violation(m, before, "KeAcquireSpinLock");
    assert_int_equal(old2, DISPATCH_LEVEL);
    KeReleaseSpinLock(&lock, old);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(lock, 0);
    /* Release of a lock not held: a violation; the IRQL still follows. */
    before = ndisdma_violation_count(m);
    KeReleaseSpinLock(&lock, PASSIVE_LEVEL);
    kt_expect_violation(m, before, "KeReleaseSpinLock");
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);

    /* At DPC level variants. */
    before = ndisdma_violation_count(m);
    KeAcquireSpinLockAtDpcLevel(&lock);
    kt_expect_violation(m, before, "KeAcquireSpinLockAtDpcLevel");
    before = ndisdma_violation_count(m);
    KeReleaseSpinLockFromDpcLevel(&lock);
    kt_expect_violation(m, before, "KeReleaseSpinLockFromDpcLevel");
    assert_int_equal(lock, 0);
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    before = ndisdma_violation_count(m);
    KeAcquireSpinLockAtDpcLevel(&lock);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeReleaseSpinLockFromDpcLevel(&lock);
    assert_int_equal(ndisdma_violation_count(m), before);
    before = ndisdma_violation_count(m);
    KeReleaseSpinLockFromDpcLevel(&lock);
    kt_expect_violation(m, before, "KeReleaseSpinLockFromDpcLevel");
    KeLowerIrql(old);

    /* KeAcquireSpinLock above DISPATCH_LEVEL: the lock is still taken, the
       IRQL is not lowered. */
    KeRaiseIrql(5, &old);
    before = ndisdma_violation_count(m);
    KeAcquireSpinLock(&lock, &old2);
    kt_expect_violation(m, before, "KeAcquireSpinLock");
    assert_int_equal(old2, 5);
    assert_int_equal(KeGetCurrentIrql(), 5);
    KeReleaseSpinLock(&lock, old2);
    assert_int_equal(lock, 0);
    KeLowerIrql(old);
    kt_done(m);
}

/* The machine's own locks (nd_spin_acquire_machine / _release_machine, taken without a
   compare-and-swap) behave as KeAcquireSpinLock / KeReleaseSpinLock: the same IRQL changes,
   the same owner token in the lock word, the same reports under the same DDI names. */
static void machine_locks_behave_as_the_ddis(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    KSPIN_LOCK mine, ddi;
    KeInitializeSpinLock(&mine);
    KeInitializeSpinLock(&ddi);

    KIRQL old = 99, old_ddi = 99;
    nd_spin_acquire_machine(&mine, &old);
    assert_int_equal(old, PASSIVE_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeAcquireSpinLock(&ddi, &old_ddi);
    assert_int_equal(old_ddi, DISPATCH_LEVEL);
    assert_true(mine != 0);
    assert_true(mine == ddi); /* the same owner token */
    KeReleaseSpinLock(&ddi, old_ddi);

    /* Taken twice by this thread: reported as KeAcquireSpinLock, held once. */
    uint64_t before = ndisdma_violation_count(m);
    KIRQL old2;
    nd_spin_acquire_machine(&mine, &old2);
    kt_expect_violation(m, before, "KeAcquireSpinLock");
    assert_int_equal(old2, DISPATCH_LEVEL);
    nd_spin_release_machine(&mine, old);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(mine, 0);

    /* Released while not held: reported as KeReleaseSpinLock; the IRQL still follows. */
    before = ndisdma_violation_count(m);
    nd_spin_release_machine(&mine, PASSIVE_LEVEL);
    kt_expect_violation(m, before, "KeReleaseSpinLock");
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);

    /* Above DISPATCH_LEVEL: reported, the lock still taken, the IRQL not lowered. */
    KeRaiseIrql(5, &old);
    before = ndisdma_violation_count(m);
    nd_spin_acquire_machine(&mine, &old2);
    kt_expect_violation(m, before, "KeAcquireSpinLock");
    assert_int_equal(old2, 5);
    assert_int_equal(KeGetCurrentIrql(), 5);
    assert_true(mine != 0);
    nd_spin_release_machine(&mine, old2);
    assert_int_equal(mine, 0);
    KeLowerIrql(old);
    kt_done(m);
}

/* The record keeps a count and the last NDISDMA_VIOLATION_LOG entries, with
   the virtual time. */
static void violation_log(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    ndisdma_violation v;
    assert_int_equal(ndisdma_violation_count(NULL), 0);
    assert_int_equal(ndisdma_violation_get(NULL, 0, &v), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_violation_get(m, 0, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_violation_get(m, 0, &v), NDISDMA_ENOENT);
    assert_int_equal(ndisdma_machine_run(m, 1500), 0);
    for (unsigned i = 0; i < NDISDMA_VIOLATION_LOG + 8; i++)
        KeLowerIrql(HIGH_LEVEL);
    assert_int_equal(ndisdma_violation_count(m), NDISDMA_VIOLATION_LOG + 8);
    assert_int_equal(ndisdma_violation_get(m, 7, &v), NDISDMA_ENOENT);
    assert_int_equal(ndisdma_violation_get(m, 8, &v), 0);
    assert_int_equal(v.index, 8);
    assert_int_equal(v.time_ns, 1500);
    assert_string_equal(v.ddi, "KeLowerIrql");
    assert_non_null(strstr(v.message, "above the current IRQL"));
    assert_int_equal(ndisdma_violation_get(m, NDISDMA_VIOLATION_LOG + 7, &v), 0);
    assert_int_equal(ndisdma_violation_get(m, NDISDMA_VIOLATION_LOG + 8, &v), NDISDMA_ENOENT);
    /* A long message is cut, not overflowed. */
    char longname[400];
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    nd_kernel_violation(m->kernel, longname, "%s", longname);
    assert_int_equal(ndisdma_violation_get(m, NDISDMA_VIOLATION_LOG + 8, &v), 0);
    assert_int_equal(strlen(v.ddi), sizeof v.ddi - 1);
    assert_int_equal(strlen(v.message), sizeof v.message - 1);
    kt_done(m);
}

/* Host calls that run driver code need PASSIVE_LEVEL. */
static void run_needs_passive(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    uint64_t before = ndisdma_violation_count(m);
    assert_int_equal(ndisdma_machine_run(m, 100), NDISDMA_EIRQL);
    kt_expect_violation(m, before, "ndisdma_machine_run");
    assert_int_equal(ndisdma_machine_now(m), 0);
    KeLowerIrql(old);
    assert_int_equal(ndisdma_machine_run(m, 100), 0);
    assert_int_equal(ndisdma_machine_now(m), 100);
    kt_done(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binding),
        cmocka_unit_test(unbound_thread),
        cmocka_unit_test(raise_lower),
        cmocka_unit_test(spin_locks),
        cmocka_unit_test(machine_locks_behave_as_the_ddis),
        cmocka_unit_test(violation_log),
        cmocka_unit_test(run_needs_passive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
