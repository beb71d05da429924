/*
 * The calling thread's IRQL and machine binding, and the violation record.
 *
 * Concept. Windows keeps the IRQL per processor and finds "the current
 * kernel" implicitly; KeGetCurrentIrql and IoAllocateMdl take no handle. Our
 * processors are host threads: each thread has one thread-local record {the
 * kernel it is bound to, its IRQL}. That record is not global mutable state
 * in the sense DESIGN.md forbids: nothing is shared between threads, and two
 * machines on two threads never see each other's record. It is the only
 * thread-local state of the library.
 *
 * Entry points of the host API that run driver code (ndisdma_machine_run,
 * later the NDIS host) call nd_kernel_enter to bind the thread for the call
 * and nd_kernel_leave to restore what was there before, so that nested and
 * repeated calls compose. A thread bound to a machine at entry keeps its
 * IRQL; a thread switched to another machine starts at PASSIVE_LEVEL and
 * gets its old IRQL back on leave.
 */
#ifndef ND_KERNEL_IRQL_H
#define ND_KERNEL_IRQL_H

#include <stdbool.h>
#include <stdint.h>

#include <ndisdma/kernel.h>
#include <wdm.h>

typedef struct nd_kernel nd_kernel;

typedef struct nd_kernel_binding {
    nd_kernel *k;
    KIRQL irql;
} nd_kernel_binding;

/* Bind the calling thread to @k for a host API call; @saved receives what to
   restore. Never fails. */
void nd_kernel_enter(nd_kernel *k, nd_kernel_binding *saved);
/* Restore the binding saved by nd_kernel_enter. */
void nd_kernel_leave(const nd_kernel_binding *saved);

/* ndisdma_thread_bind / _unbind on a kernel (same return codes). */
int nd_kernel_bind(nd_kernel *k);
int nd_kernel_unbind(nd_kernel *k);

/* The calling thread's IRQL, and setting it directly (for the layers that
   deliver interrupts and DPCs; drivers use KeRaiseIrql/KeLowerIrql). */
KIRQL nd_kernel_irql(void);
void nd_kernel_set_irql(KIRQL irql);

/*
 * Fast attempts at the spin lock DDIs, for the NDIS spin lock DDIs
 * (src/ndis/lock.c). Each does the whole work of its DDI when that work
 * makes no report - the IRQL is in the DDI's range, the lock is free (take)
 * or held by this thread (drop), and for a release the new IRQL is not above
 * the current one - and returns true; otherwise it changes nothing and
 * returns false, and the caller calls the DDI itself, which makes the same
 * checks and the reports.
 *   nd_spin_try_acquire:          KeAcquireSpinLock (*@old: the IRQL before)
 *   nd_spin_try_release:          KeReleaseSpinLock
 *   nd_spin_try_acquire_at_dpc:   KeAcquireSpinLockAtDpcLevel
 *   nd_spin_try_release_from_dpc: KeReleaseSpinLockFromDpcLevel
 * @lock must not be NULL.
 */
bool nd_spin_try_acquire(PKSPIN_LOCK lock, PKIRQL old);
bool nd_spin_try_release(PKSPIN_LOCK lock, KIRQL new_irql);
bool nd_spin_try_acquire_at_dpc(PKSPIN_LOCK lock);
bool nd_spin_try_release_from_dpc(PKSPIN_LOCK lock);

/*
 * KeAcquireSpinLock / KeReleaseSpinLock for a lock that is part of the
 * machine's own state (the HAL's locks), never a driver's: the same IRQL
 * changes, the same owner in the lock word and the same reports under the
 * same DDI names, but the lock is taken with a plain load and store instead
 * of a compare-and-swap. A machine is used by one thread at a time
 * (ndisdma_thread_bind), so no other thread can touch a lock that only the
 * machine's code sees; a driver's lock may be a global one that the driver
 * shares between machines on different threads, so the DDIs stay atomic.
 * The compare-and-swap's full barrier was 5 of the 9 on a frame's path.
 * @lock: not NULL, initialised (KeInitializeSpinLock). @old: not NULL.
 * IRQL: at most DISPATCH_LEVEL (above it, reported as the DDI reports it).
 */
void nd_spin_acquire_machine(PKSPIN_LOCK lock, PKIRQL old);
void nd_spin_release_machine(PKSPIN_LOCK lock, KIRQL new_irql);

/* The violation record (see <ndisdma/kernel.h>). */
uint64_t nd_kernel_violation_count(const nd_kernel *k);
int nd_kernel_violation_get(const nd_kernel *k, uint64_t index, ndisdma_violation *out);

#endif /* ND_KERNEL_IRQL_H */
