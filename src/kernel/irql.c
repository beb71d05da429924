/*
 * Per-thread IRQL and machine binding, spin locks, and the violation record:
 * see irql.h for the concept.
 *
 * IRQL rules (x64 Windows): KeRaiseIrql needs NewIrql >= current,
 * KeLowerIrql NewIrql <= current; KeAcquireSpinLock runs at <=
 * DISPATCH_LEVEL and raises to DISPATCH_LEVEL; the ...AtDpcLevel variants
 * run at >= DISPATCH_LEVEL. Where Windows would bug-check, we record a
 * violation and keep the thread's state balanced: a raise or lower in the
 * wrong direction does nothing (and a raise reports the unchanged IRQL as
 * the old one, so the driver's matching lower is harmless); a spin lock call
 * at the wrong IRQL still takes or drops the lock, so that one mistake gives
 * one record, not a cascade.
 *
 * Spin locks: a KSPIN_LOCK holds 0 when free, or the owning thread's token:
 * its thread pointer (the address of its thread control block, which %fs
 * points to on x86-64, unique among live threads and never 0). Acquiring a lock that the same
 * thread holds is a deadlock on Windows: a violation here, and the lock stays held once. Release by
 * a thread that does not hold it is a violation and changes nothing but the IRQL. A lock held by
 * another thread is waited for (machines are used by one thread at a time, so this only happens
 * when a program breaks that rule); after ND_SPIN_LIMIT rounds the wait is given up with a
 * violation instead of hanging.
 */
#define _DEFAULT_SOURCE
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kernel/kernel_impl.h"

#define ND_SPIN_LIMIT 1000000u

typedef struct nd_thread {
    nd_kernel *k;
    KIRQL irql;
} nd_thread;

/* The only thread-local state of the library: this thread's "processor".
   Initial-exec TLS model: an access is a load of the record's offset (a
   link-time constant in an executable) and an %fs-relative access, and
   that offset is kept in a register across calls. The default model for
   position-independent code calls __tls_get_addr (relaxed to an %fs load
   by the linker, but still a call for the compiler: every IRQL test in
   every DDI clobbered the caller-saved registers). The record is 16 bytes
   of the static TLS block; libndisdma.so is loaded with the program, or
   dlopen'ed where glibc keeps spare static TLS for such libraries. */
static _Thread_local nd_thread tls __attribute__((tls_model("initial-exec")));

/* ---- binding ---- */

nd_kernel *nd_kernel_current(void)
{
    return tls.k;
}

void nd_kernel_enter(nd_kernel *k, nd_kernel_binding *saved)
{
    saved->k = tls.k;
    saved->irql = tls.irql;
    if (tls.k != k) {
        tls.k = k;
        tls.irql = PASSIVE_LEVEL;
    }
}

void nd_kernel_leave(const nd_kernel_binding *saved)
{
    if (tls.k && tls.k != saved->k && tls.irql != PASSIVE_LEVEL)
        nd_kernel_violation(tls.k, "ndisdma host call", "driver code returned at IRQL %u",
                            (unsigned)tls.irql);
    tls.k = saved->k;
    tls.irql = saved->irql;
}

int nd_kernel_bind(nd_kernel *k)
{
    if (!k)
        return NDISDMA_EINVAL;
    if (tls.k == k)
        return 0;
    if (tls.k)
        return NDISDMA_EBUSY;
    tls.k = k;
    tls.irql = PASSIVE_LEVEL;
    return 0;
}

int nd_kernel_unbind(nd_kernel *k)
{
    if (!k)
        return NDISDMA_EINVAL;
    if (tls.k != k)
        return NDISDMA_ENOENT;
    int rc = 0;
    if (tls.irql != PASSIVE_LEVEL) {
        nd_kernel_violation(k, "ndisdma_thread_unbind", "thread unbound at IRQL %u",
                            (unsigned)tls.irql);
        rc = NDISDMA_EIRQL;
    }
    tls.k = NULL;
    tls.irql = PASSIVE_LEVEL;
    return rc;
}

KIRQL nd_kernel_irql(void)
{
    return tls.irql;
}

void nd_kernel_set_irql(KIRQL irql)
{
    tls.irql = irql;
}

/* ---- violations ---- */

/* The generic rule of the verifier's catalogue (src/verify/verify.c keeps
   the log; nd_kernel_violation_count/_get live there too). */
void nd_kernel_violation(nd_kernel *k, const char *ddi, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nd_verify_vreport(k, NDISDMA_RULE_GENERIC, ddi, fmt, ap);
    va_end(ap);
}

int nd_kernel_irql_at_most(nd_kernel *k, KIRQL max, const char *ddi)
{
    if (tls.irql <= max)
        return 1;
    nd_verify_report(k, NDISDMA_RULE_IRQL, ddi, "called at IRQL %u; its maximum is %u",
                     (unsigned)tls.irql, (unsigned)max);
    return 0;
}

/* ---- IRQL DDIs ---- */

KIRQL KeGetCurrentIrql(VOID)
{
    return tls.irql;
}

VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql)
{
    if (!OldIrql) {
        nd_kernel_violation(tls.k, "KeRaiseIrql", "OldIrql is NULL");
        return;
    }
    *OldIrql = tls.irql;
    if (NewIrql > HIGH_LEVEL) {
        nd_kernel_violation(tls.k, "KeRaiseIrql", "NewIrql %u is above HIGH_LEVEL",
                            (unsigned)NewIrql);
        return;
    }
    if (NewIrql < tls.irql) {
        nd_kernel_violation(tls.k, "KeRaiseIrql", "NewIrql %u is below the current IRQL %u",
                            (unsigned)NewIrql, (unsigned)tls.irql);
        return;
    }
    tls.irql = NewIrql;
}

VOID KeLowerIrql(KIRQL NewIrql)
{
    if (NewIrql > tls.irql) {
        nd_kernel_violation(tls.k, "KeLowerIrql", "NewIrql %u is above the current IRQL %u",
                            (unsigned)NewIrql, (unsigned)tls.irql);
        return;
    }
    tls.irql = NewIrql;
}

KIRQL KeRaiseIrqlToDpcLevel(VOID)
{
    KIRQL old = tls.irql;
    if (old > DISPATCH_LEVEL) {
        nd_verify_report(tls.k, NDISDMA_RULE_IRQL, "KeRaiseIrqlToDpcLevel", "called at IRQL %u",
                         (unsigned)old);
        return old;
    }
    tls.irql = DISPATCH_LEVEL;
    return old;
}

/* ---- spin locks ----
   Each DDI is a short fast path (the arguments are valid, the IRQL is
   right, the lock is free or held by this thread as expected) around the
   atomic compare-and-swap or release store; every report is made by a cold
   out-of-line helper, so the fast path needs no stack frame. The helpers
   make the same reports, in the same order, as the checks always did. */

/* The calling thread's owner token: its thread pointer. One load
   (%fs:0 on x86-64), where the address of the thread's record (the token
   before) took three instructions (%fs:0, plus the record's offset, plus a
   tag bit). Unique among live threads and never 0, as the record's address
   was; nothing but the lock's own paths ever reads the token. */
static inline __attribute__((always_inline)) ULONG_PTR owner_token(void)
{
    return (ULONG_PTR)__builtin_thread_pointer();
}

/* The two atomic steps every spin-lock path is made of. lock_cas: one
   compare-and-swap from free to this thread's token; on failure *@seen
   holds the value the swap found. lock_release: if this thread holds
   @lock, free it (release store) and return true; otherwise change nothing
   and return false. */
static inline __attribute__((always_inline)) bool lock_cas(PKSPIN_LOCK lock, ULONG_PTR *seen)
{
    *seen = 0;
    return __atomic_compare_exchange_n(lock, seen, owner_token(), false, __ATOMIC_ACQUIRE,
                                       __ATOMIC_RELAXED);
}

static inline __attribute__((always_inline)) bool lock_release(PKSPIN_LOCK lock)
{
    if (__atomic_load_n(lock, __ATOMIC_RELAXED) != owner_token())
        return false;
    __atomic_store_n(lock, (ULONG_PTR)0, __ATOMIC_RELEASE);
    return true;
}

/* The compare-and-swap failed and left the lock's value in @cur: this
   thread already holds it (a deadlock on Windows: reported, held once), or
   another thread does (waited for, then given up with a report). */
static __attribute__((noinline, cold)) void lock_take_slow(PKSPIN_LOCK lock, ULONG_PTR cur,
                                                           const char *ddi)
{
    ULONG_PTR me = owner_token();
    if (cur == me) {
        nd_verify_report(tls.k, NDISDMA_RULE_SPIN_LOCK, ddi,
                         "spin lock %p already held by this thread (deadlock)", (void *)lock);
        return;
    }
    for (unsigned spins = 0;; spins++) {
        ULONG_PTR seen;
        if (lock_cas(lock, &seen))
            return;
        if (spins >= ND_SPIN_LIMIT) {
            nd_verify_report(tls.k, NDISDMA_RULE_SPIN_LOCK, ddi,
                             "spin lock %p held by another thread (or not initialised); "
                             "gave up waiting",
                             (void *)lock);
            return;
        }
        sched_yield();
    }
}

/* Take @lock: one compare-and-swap from free to this thread's token. A
   lock this thread holds is not free either, so the swap fails for it too
   and the slow path tells the two cases apart (the value the swap saw is
   the one a load before it would have seen). */
static inline __attribute__((always_inline)) void lock_take(PKSPIN_LOCK lock, const char *ddi)
{
    ULONG_PTR seen;
    if (__builtin_expect(lock_cas(lock, &seen), 1))
        return;
    lock_take_slow(lock, seen, ddi);
}

static __attribute__((noinline, cold)) void lock_not_held(PKSPIN_LOCK lock, const char *ddi)
{
    nd_verify_report(tls.k, NDISDMA_RULE_SPIN_LOCK, ddi,
                     "spin lock %p released but not held by this thread", (void *)lock);
}

/* Drop @lock; returns false (reported) when this thread does not hold it. */
static inline __attribute__((always_inline)) bool lock_drop(PKSPIN_LOCK lock, const char *ddi)
{
    if (__builtin_expect(lock_release(lock), 1))
        return true;
    lock_not_held(lock, ddi);
    return false;
}

static __attribute__((noinline, cold)) void null_lock(const char *ddi, const char *what)
{
    nd_kernel_violation(tls.k, ddi, "%s is NULL", what);
}

static __attribute__((noinline, cold)) void irql_above_dispatch(const char *ddi)
{
    nd_verify_report(tls.k, NDISDMA_RULE_IRQL, ddi, "called at IRQL %u; its maximum is %u",
                     (unsigned)tls.irql, (unsigned)DISPATCH_LEVEL);
}

static __attribute__((noinline, cold)) void irql_below_dispatch(const char *ddi)
{
    nd_verify_report(tls.k, NDISDMA_RULE_IRQL, ddi, "called at IRQL %u; it needs DISPATCH_LEVEL",
                     (unsigned)tls.irql);
}

VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(tls.k, "KeInitializeSpinLock", "SpinLock is NULL");
        return;
    }
    *SpinLock = 0;
}

static __attribute__((noinline, cold)) void acquire_null(PKSPIN_LOCK SpinLock)
{
    nd_kernel_violation(tls.k, "KeAcquireSpinLock", "NULL %s", SpinLock ? "OldIrql" : "SpinLock");
}

/* KeAcquireSpinLock's IRQL part: *@old := the IRQL, raised to
   DISPATCH_LEVEL; above it, reported and left as it is. */
static inline __attribute__((always_inline)) void acquire_irql(PKIRQL old)
{
    nd_thread *t = &tls;
    KIRQL irql = t->irql;
    *old = irql;
    if (__builtin_expect(irql <= DISPATCH_LEVEL, 1))
        t->irql = DISPATCH_LEVEL;
    else
        irql_above_dispatch("KeAcquireSpinLock");
}

VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql)
{
    if (__builtin_expect(!SpinLock || !OldIrql, 0)) {
        acquire_null(SpinLock);
        return;
    }
    acquire_irql(OldIrql);
    lock_take(SpinLock, "KeAcquireSpinLock");
}

static __attribute__((noinline, cold)) void release_irql_above(KIRQL NewIrql)
{
    nd_kernel_violation(tls.k, "KeReleaseSpinLock", "NewIrql %u is above the current IRQL %u",
                        (unsigned)NewIrql, (unsigned)tls.irql);
}

VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql)
{
    if (__builtin_expect(!SpinLock, 0)) {
        null_lock("KeReleaseSpinLock", "SpinLock");
        return;
    }
    nd_thread *t = &tls;
    (void)lock_drop(SpinLock, "KeReleaseSpinLock");
    if (__builtin_expect(NewIrql > t->irql, 0)) {
        release_irql_above(NewIrql);
        return;
    }
    t->irql = NewIrql;
}

/* The machine's own locks (irql.h): KeAcquireSpinLock with the lock taken
   by a plain load and store (the thread that runs the machine is the only
   one that sees the lock), and KeReleaseSpinLock, whose load and release
   store are plain moves on x86-64 already. The slow path and its reports
   are the DDI's. */
void nd_spin_acquire_machine(PKSPIN_LOCK lock, PKIRQL old)
{
    acquire_irql(old);
    ULONG_PTR cur = __atomic_load_n(lock, __ATOMIC_RELAXED);
    if (__builtin_expect(cur == 0, 1)) {
        __atomic_store_n(lock, owner_token(), __ATOMIC_RELAXED);
        return;
    }
    lock_take_slow(lock, cur, "KeAcquireSpinLock");
}

void nd_spin_release_machine(PKSPIN_LOCK lock, KIRQL new_irql)
{
    KeReleaseSpinLock(lock, new_irql);
}

/* The fast attempts (irql.h): the checks of the DDIs above, all passing,
   and their work; on any other outcome nothing is changed (the lock is only
   taken by a compare-and-swap that succeeds). */

bool nd_spin_try_acquire(PKSPIN_LOCK lock, PKIRQL old)
{
    nd_thread *t = &tls;
    KIRQL irql = t->irql;
    ULONG_PTR seen;
    if (__builtin_expect(irql > DISPATCH_LEVEL, 0) || __builtin_expect(!lock_cas(lock, &seen), 0))
        return false;
    *old = irql;
    t->irql = DISPATCH_LEVEL;
    return true;
}

bool nd_spin_try_release(PKSPIN_LOCK lock, KIRQL new_irql)
{
    nd_thread *t = &tls;
    if (__builtin_expect(new_irql > t->irql, 0) || __builtin_expect(!lock_release(lock), 0))
        return false;
    t->irql = new_irql;
    return true;
}

bool nd_spin_try_acquire_at_dpc(PKSPIN_LOCK lock)
{
    nd_thread *t = &tls;
    ULONG_PTR seen;
    return __builtin_expect(t->irql >= DISPATCH_LEVEL, 1) &&
           __builtin_expect(lock_cas(lock, &seen), 1);
}

bool nd_spin_try_release_from_dpc(PKSPIN_LOCK lock)
{
    nd_thread *t = &tls;
    return __builtin_expect(t->irql >= DISPATCH_LEVEL, 1) &&
           __builtin_expect(lock_release(lock), 1);
}

VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (__builtin_expect(!SpinLock, 0)) {
        null_lock("KeAcquireSpinLockAtDpcLevel", "SpinLock");
        return;
    }
    nd_thread *t = &tls;
    if (__builtin_expect(t->irql < DISPATCH_LEVEL, 0))
        irql_below_dispatch("KeAcquireSpinLockAtDpcLevel");
    lock_take(SpinLock, "KeAcquireSpinLockAtDpcLevel");
}

VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock)
{
    if (__builtin_expect(!SpinLock, 0)) {
        null_lock("KeReleaseSpinLockFromDpcLevel", "SpinLock");
        return;
    }
    nd_thread *t = &tls;
    if (__builtin_expect(t->irql < DISPATCH_LEVEL, 0))
        irql_below_dispatch("KeReleaseSpinLockFromDpcLevel");
    (void)lock_drop(SpinLock, "KeReleaseSpinLockFromDpcLevel");
}
