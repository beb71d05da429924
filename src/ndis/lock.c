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
#include "ndis/ndis_impl.h"

VOID NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(nd_kernel_current(), "NdisAllocateSpinLock", "SpinLock is NULL");
        return;
    }
    KeInitializeSpinLock(&SpinLock->SpinLock);
    SpinLock->OldIrql = PASSIVE_LEVEL;
}

VOID NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(nd_kernel_current(), "NdisFreeSpinLock", "SpinLock is NULL");
        return;
    }
    if (__atomic_load_n(&SpinLock->SpinLock, __ATOMIC_RELAXED) != 0)
        nd_kernel_violation(nd_kernel_current(), "NdisFreeSpinLock",
                            "spin lock %p freed while held", (void *)SpinLock);
}

VOID NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock)
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

VOID NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(nd_kernel_current(), "NdisReleaseSpinLock", "SpinLock is NULL");
        return;
    }
    KeReleaseSpinLock(&SpinLock->SpinLock, SpinLock->OldIrql);
}

VOID NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(nd_kernel_current(), "NdisDprAcquireSpinLock", "SpinLock is NULL");
        return;
    }
    KeAcquireSpinLockAtDpcLevel(&SpinLock->SpinLock);
}

VOID NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock)
{
    if (!SpinLock) {
        nd_kernel_violation(nd_kernel_current(), "NdisDprReleaseSpinLock", "SpinLock is NULL");
        return;
    }
    KeReleaseSpinLockFromDpcLevel(&SpinLock->SpinLock);
}
