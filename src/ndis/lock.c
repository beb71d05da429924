/*
 * NDIS spin locks: NdisAllocateSpinLock, NdisFreeSpinLock,
 * NdisAcquireSpinLock, NdisReleaseSpinLock, NdisDprAcquireSpinLock,
 * NdisDprReleaseSpinLock.
 *
 * Concept: an NDIS_SPIN_LOCK is a kernel spin lock plus the IRQL its holder
 * had before acquiring it, so that the release can restore it. The kernel's
 * spin lock DDIs do the work and report misuse (double acquire, release of
 * a lock not held, wrong IRQL); the old IRQL is stored only once the lock
 * is held, so a contender never overwrites the holder's.
 */
#include "kernel/irql.h"
#include "ndis/ndis_impl.h"

static VOID ddi_body_NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(nd_kernel_current(), "NdisAllocateSpinLock", "SpinLock is NULL");
        return;
    }
    KeInitializeSpinLock(&SpinLock->SpinLock);
    SpinLock->OldIrql = PASSIVE_LEVEL;
}

static VOID ddi_body_NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(nd_kernel_current(), "NdisFreeSpinLock", "SpinLock is NULL");
        return;
    }
    if (__atomic_load_n(&SpinLock->SpinLock, __ATOMIC_RELAXED) != 0)
        nd_kernel_violation(nd_kernel_current(), "NdisFreeSpinLock",
                            "spin lock %p freed while held", (void *)SpinLock);
}

static VOID ddi_body_NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(nd_kernel_current(), "NdisAcquireSpinLock", "SpinLock is NULL");
        return;
    }
    KIRQL old;
    KSPIN_LOCK before = __atomic_load_n(&SpinLock->SpinLock, __ATOMIC_RELAXED);
    KeAcquireSpinLock(&SpinLock->SpinLock, &old);
    /* A second acquire by the holder (a violation) must not overwrite the
       IRQL the first one saved. */
    if (before == 0 || before != __atomic_load_n(&SpinLock->SpinLock, __ATOMIC_RELAXED))
        SpinLock->OldIrql = old;
}

static VOID ddi_body_NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(nd_kernel_current(), "NdisReleaseSpinLock", "SpinLock is NULL");
        return;
    }
    KeReleaseSpinLock(&SpinLock->SpinLock, SpinLock->OldIrql);
}

static VOID ddi_body_NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(nd_kernel_current(), "NdisDprAcquireSpinLock", "SpinLock is NULL");
        return;
    }
    KeAcquireSpinLockAtDpcLevel(&SpinLock->SpinLock);
}

static VOID ddi_body_NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(nd_kernel_current(), "NdisDprReleaseSpinLock", "SpinLock is NULL");
        return;
    }
    KeReleaseSpinLockFromDpcLevel(&SpinLock->SpinLock);
}

/* ---- the exported DDIs: the verifier's call bracket around each ----
   The bodies call no other DDI and run no driver code (the kernel's spin
   lock DDIs are not bracketed), so each is a leaf of the bracket
   (verify.h); its reports carry the call as before. */

VOID NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(SpinLock)};
    const bool fast = nd_verify_leaf_begin(k, "NdisAllocateSpinLock", 1, args);
    ddi_body_NdisAllocateSpinLock(SpinLock);
    nd_verify_leaf_end(k, fast, "NdisAllocateSpinLock", 0);
}

VOID NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(SpinLock)};
    const bool fast = nd_verify_leaf_begin(k, "NdisFreeSpinLock", 1, args);
    ddi_body_NdisFreeSpinLock(SpinLock);
    nd_verify_leaf_end(k, fast, "NdisFreeSpinLock", 0);
}

/*
 * The four DDIs of the data path: a fast path in front of the bracket.
 * When the call is outermost with no observer attached (nd_verify_leaf_quiet)
 * and the kernel's fast attempt (irql.h: nd_spin_try_*) finds the IRQL and
 * the lock as the DDI expects, the work can make no report, so the DDI does
 * it and leaves the bracket's state (nd_verify_leaf_quiet_call) without the
 * bracket. Otherwise the general path below - the bracket around the body -
 * runs from the start; the attempt changed nothing, so it makes the checks
 * and the reports it always made. The fast path of NdisAcquireSpinLock took
 * a free lock: the body's test (before == 0) would store the old IRQL.
 */

__attribute__((noinline, cold)) static void acquire_general(nd_kernel *k, PNDIS_SPIN_LOCK SpinLock)
{
    const uint64_t args[1] = {nd_ptr_arg(SpinLock)};
    const bool fast = nd_verify_leaf_begin(k, "NdisAcquireSpinLock", 1, args);
    ddi_body_NdisAcquireSpinLock(SpinLock);
    nd_verify_leaf_end(k, fast, "NdisAcquireSpinLock", 0);
}

__attribute__((noinline, cold)) static void release_general(nd_kernel *k, PNDIS_SPIN_LOCK SpinLock)
{
    const uint64_t args[1] = {nd_ptr_arg(SpinLock)};
    const bool fast = nd_verify_leaf_begin(k, "NdisReleaseSpinLock", 1, args);
    ddi_body_NdisReleaseSpinLock(SpinLock);
    nd_verify_leaf_end(k, fast, "NdisReleaseSpinLock", 0);
}

__attribute__((noinline, cold)) static void dpr_acquire_general(nd_kernel *k,
                                                                PNDIS_SPIN_LOCK SpinLock)
{
    const uint64_t args[1] = {nd_ptr_arg(SpinLock)};
    const bool fast = nd_verify_leaf_begin(k, "NdisDprAcquireSpinLock", 1, args);
    ddi_body_NdisDprAcquireSpinLock(SpinLock);
    nd_verify_leaf_end(k, fast, "NdisDprAcquireSpinLock", 0);
}

__attribute__((noinline, cold)) static void dpr_release_general(nd_kernel *k,
                                                                PNDIS_SPIN_LOCK SpinLock)
{
    const uint64_t args[1] = {nd_ptr_arg(SpinLock)};
    const bool fast = nd_verify_leaf_begin(k, "NdisDprReleaseSpinLock", 1, args);
    ddi_body_NdisDprReleaseSpinLock(SpinLock);
    nd_verify_leaf_end(k, fast, "NdisDprReleaseSpinLock", 0);
}

VOID NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    nd_kernel *k = nd_kernel_current();
    KIRQL old;
    if (__builtin_expect(SpinLock != NULL, 1) && nd_verify_leaf_quiet(k) &&
        nd_spin_try_acquire(&SpinLock->SpinLock, &old)) {
        SpinLock->OldIrql = old;
        nd_verify_leaf_quiet_call(k);
        return;
    }
    acquire_general(k, SpinLock);
}

VOID NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    nd_kernel *k = nd_kernel_current();
    if (__builtin_expect(SpinLock != NULL, 1) && nd_verify_leaf_quiet(k) &&
        nd_spin_try_release(&SpinLock->SpinLock, SpinLock->OldIrql)) {
        nd_verify_leaf_quiet_call(k);
        return;
    }
    release_general(k, SpinLock);
}

VOID NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    nd_kernel *k = nd_kernel_current();
    if (__builtin_expect(SpinLock != NULL, 1) && nd_verify_leaf_quiet(k) &&
        nd_spin_try_acquire_at_dpc(&SpinLock->SpinLock)) {
        nd_verify_leaf_quiet_call(k);
        return;
    }
    dpr_acquire_general(k, SpinLock);
}

VOID NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    nd_kernel *k = nd_kernel_current();
    if (__builtin_expect(SpinLock != NULL, 1) && nd_verify_leaf_quiet(k) &&
        nd_spin_try_release_from_dpc(&SpinLock->SpinLock)) {
        nd_verify_leaf_quiet_call(k);
        return;
    }
    dpr_release_general(k, SpinLock);
}
