/*
 * <ndisdma/kernel.h> - virtual time, thread binding, contract violations and
 * device objects of a machine.
 *
 * Concept: a machine runs in virtual time. Nothing happens on its own: the
 * host advances the clock with ndisdma_machine_run (or _run_until_idle), and
 * the machine then delivers, in time order, interrupts (ISR at DIRQL; see
 * <ndisdma/device.h>), the DPCs that are queued (at DISPATCH_LEVEL), the
 * events that fall due (device events, timers) and DMA service, where every
 * bus cycle takes the virtual time its channel's timing says (DmaSpeed:
 * Compatible 960 ns per unit by default). Same seed and same calls: same
 * run.
 *
 * Driver code calls DDIs without a machine handle (KeGetCurrentIrql,
 * IoAllocateMdl); they act on the machine the calling thread is bound to. The
 * host API entry points that run driver code bind the thread for the
 * duration of the call; a host program that calls DDIs itself binds its
 * thread with ndisdma_thread_bind. The IRQL is per thread, as Windows' IRQL
 * is per processor.
 *
 * ndisdma_machine_run, ndisdma_machine_run_until_idle and
 * ndisdma_machine_now are fixed by spec/host-api.md (<ndisdma/host.h> will
 * include this header); everything else here is the project's addition.
 */
#ifndef NDISDMA_KERNEL_H
#define NDISDMA_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ndisdma/machine.h>
#include <wdm.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * ndisdma_machine_run - advance virtual time by @ns nanoseconds.
 * Delivers, in time order and at each instant in this order: latched
 * interrupt requests (each ISR at its DIRQL, highest 8259 priority first),
 * DPCs queued so far (at DISPATCH_LEVEL), events that fall due (equal times
 * in the order they were scheduled), and DMA service at the modelled bus
 * rate between them; after every callback, interrupts again first. @ns 0
 * delivers only what is due now. The clock ends at now + @ns, or later if a
 * callback busy-waited (KeStallExecutionProcessor) past it.
 * Returns 0, NDISDMA_EINVAL (NULL @m), NDISDMA_ESTATE (called from a
 * callback that the machine is running, or a livelock: more than a million
 * deliveries without time moving, recorded as a violation) or NDISDMA_EIRQL
 * (the thread is bound to @m at an IRQL above PASSIVE_LEVEL; nothing runs).
 * Calling context: host code, PASSIVE_LEVEL; binds the thread to @m for the
 * duration of the call.
 */
int ndisdma_machine_run(ndisdma_machine *m, uint64_t ns);

/*
 * ndisdma_machine_run_until_idle - run until nothing is left to do (no
 * interrupt request latched, no DPC queued, no event pending, no DMA
 * channel able to move), or until @max_ns nanoseconds of virtual time have
 * passed. Time jumps over idle stretches to the next event. The clock
 * stops at the moment the machine became idle.
 * Returns 0 (idle), NDISDMA_EBUSY (still busy after @max_ns, for example a
 * periodic timer or an autoinitialize channel with DREQ held), or the errors
 * of ndisdma_machine_run. Calling context as ndisdma_machine_run.
 */
int ndisdma_machine_run_until_idle(ndisdma_machine *m, uint64_t max_ns);

/* ndisdma_machine_now - the machine's virtual time in nanoseconds (0 at
   creation; 0 for NULL). Any context. */
uint64_t ndisdma_machine_now(const ndisdma_machine *m);

/*
 * ndisdma_thread_bind - bind the calling thread to @m, so that DDIs called
 * on this thread act on @m. Binding to the machine the thread is already
 * bound to does nothing. A newly bound thread is at PASSIVE_LEVEL.
 * Returns 0, NDISDMA_EINVAL (NULL @m) or NDISDMA_EBUSY (bound to another
 * machine: unbind first). Host code, any thread; a machine is used by one
 * thread at a time.
 */
int ndisdma_thread_bind(ndisdma_machine *m);

/*
 * ndisdma_thread_unbind - undo ndisdma_thread_bind. A thread left above
 * PASSIVE_LEVEL (a spin lock still held, a KeRaiseIrql without its
 * KeLowerIrql) is a violation; its IRQL is reset to PASSIVE_LEVEL.
 * Returns 0, NDISDMA_EINVAL (NULL @m), NDISDMA_ENOENT (the thread is not
 * bound to @m) or NDISDMA_EIRQL (unbound, but the IRQL was raised).
 * ndisdma_machine_destroy unbinds the calling thread; other threads must
 * unbind before the machine is destroyed.
 */
int ndisdma_thread_unbind(ndisdma_machine *m);

/* ndisdma_thread_machine - the machine the calling thread is bound to, or
   NULL. */
ndisdma_machine *ndisdma_thread_machine(void);

/*
 * Contract violations: a DDI called at the wrong IRQL, a spin lock acquired
 * twice or released while not held, an MDL freed twice... The machine counts
 * them and keeps the last NDISDMA_VIOLATION_LOG records; each record is a
 * report of one rule of the verifier's catalogue (<ndisdma/verify.h>, which
 * also sets the policy: record, fail fast or count only). A violation never aborts: the DDI does
 * what its documentation in <wdm.h> says it does on bad input.
 */
#define NDISDMA_VIOLATION_LOG 32

typedef struct ndisdma_violation {
    uint64_t index;   /* 0 for the machine's first violation */
    uint64_t time_ns; /* virtual time */
    char ddi[48];     /* the DDI whose contract was broken ("KeLowerIrql") */
    char message[208];
    /* The verifier's fields (<ndisdma/verify.h>). */
    int rule;              /* ndisdma_rule (NDISDMA_RULE_GENERIC when unclassified) */
    int severity;          /* ndisdma_severity */
    const char *rule_name; /* static: "complete-mismatch" */
    uint64_t adapter;      /* the miniport adapter handle involved, 0 if unknown */
    char file[64];         /* the driver's source file (NDISDMA_VERIFY_CALLERS), "" if unknown */
    uint32_t line;         /* its line, 0 if unknown */
    uint8_t nargs;         /* arguments of the DDI call in progress, in arg[] */
    char call[48];         /* the DDI those arguments belong to, "" if none */
    uint64_t arg[6];
} ndisdma_violation;

/* ndisdma_violation_count - violations recorded since creation (0 for
   NULL). */
uint64_t ndisdma_violation_count(const ndisdma_machine *m);

/*
 * ndisdma_violation_get - copy violation number @index (0-based, in order of
 * occurrence) into @out.
 * Returns 0, NDISDMA_EINVAL (NULL argument) or NDISDMA_ENOENT (@index not
 * recorded yet, or older than the last NDISDMA_VIOLATION_LOG).
 */
int ndisdma_violation_get(const ndisdma_machine *m, uint64_t index, ndisdma_violation *out);

/*
 * ndisdma_device_object_create - a DEVICE_OBJECT on @m for tests and the
 * NDIS layer (IoGetDmaAdapter takes one), with @extension_size zeroed bytes
 * of DeviceExtension (NULL when 0).
 * @out: receives the object; NULL on failure.
 * Returns 0, NDISDMA_EINVAL or NDISDMA_ENOMEM. The caller owns the object
 * and frees it with ndisdma_device_object_destroy before the machine.
 */
int ndisdma_device_object_create(ndisdma_machine *m, size_t extension_size, PDEVICE_OBJECT *out);
/* ndisdma_device_object_destroy - free a device object; NULL is a no-op. */
void ndisdma_device_object_destroy(PDEVICE_OBJECT dev);

/*
 * ndisdma_dma_set_unit_time - virtual time one DMA bus cycle (one unit: a
 * byte on channels 0-3, a word on 5-7) of @channel takes in
 * ndisdma_machine_run. Default 960 ns (ISA compatible timing); the HAL sets
 * it from DmaSpeed. @ns 0 restores the default.
 * Returns 0, NDISDMA_EINVAL (NULL @m) or NDISDMA_ECHANNEL (channel > 7).
 */
int ndisdma_dma_set_unit_time(ndisdma_machine *m, unsigned channel, uint32_t ns);
/* ndisdma_dma_unit_time - the current unit time of @channel, 0 if invalid. */
uint32_t ndisdma_dma_unit_time(const ndisdma_machine *m, unsigned channel);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_KERNEL_H */
