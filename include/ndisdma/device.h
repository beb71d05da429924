/*
 * <ndisdma/device.h> - device models on a machine: IRQ lines and timers in
 * virtual time.
 *
 * Concept. A device model (a NIC, an IrDA controller, a test double) is host
 * code that plugs into the machine: it claims I/O ports (ndisdma_io_map),
 * serves DMA (ndisdma_dma_attach), and, with this header, raises interrupts
 * and does things later in virtual time.
 *
 * IRQ lines. The machine has the sixteen ISA IRQ lines of the PC/AT's two
 * cascaded 8259A controllers. Line 2 is the cascade and takes no device. The
 * lines are edge-triggered, as the AT programs them: a rising edge latches
 * one interrupt request; lowering the line does not cancel it; a line held
 * high requests nothing more until it falls and rises again; a rising edge
 * while a request is still latched adds nothing (it is "merged"). A device
 * that wants a second interrupt lowers its line and raises it again, for
 * example from its status port's read handler, as ISA NICs do when the ISR
 * acknowledges them.
 *
 * Delivery. At each delivery point of ndisdma_machine_run (see
 * <ndisdma/kernel.h>) the kernel first delivers latched requests, highest
 * 8259 priority first (0, 1, 8-15, 3-7): the service routine connected to
 * the line (a miniport's ISR) runs at its DIRQL, then the DPC it queues at
 * DISPATCH_LEVEL. A request on a line with nothing connected is dropped and
 * counted as spurious. Interrupts come before DPCs and events at the same
 * instant, and a request raised by a DPC, an event, a timer or a DMA device
 * callback is delivered before anything else runs; one raised during DMA
 * service (from a DMA device callback) is delivered right after the burst
 * that raised it, at the bus time that burst ended.
 *
 * Timers. A device schedules a callback at an absolute virtual time with an
 * ndisdma_timer that the device owns (no allocation: scheduling cannot
 * fail for lack of memory). Timers share the machine's event queue with the
 * kernel's own events: due callbacks run earliest first, equal times in the
 * order they were scheduled.
 *
 * Threads. Like everything on a machine, these functions are called on the
 * thread that uses the machine: from host code between runs, or from
 * callbacks that the machine runs (port handlers, DMA device callbacks,
 * timer callbacks, and driver code).
 */
#ifndef NDISDMA_DEVICE_H
#define NDISDMA_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include <ndisdma/machine.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NDISDMA_IRQ_LINES        16 /* ISA IRQ 0-15 */
#define NDISDMA_IRQ_CASCADE_LINE 2  /* takes no device */

/*
 * ndisdma_irq_set - drive IRQ @line of @m to @level (true = high). A rising
 * edge latches an interrupt request (see the concept note); every change of
 * level raises an NDISDMA_EV_IRQ observer event. Setting the level it has
 * already changes nothing.
 * Returns 0, or NDISDMA_EINVAL (NULL @m; @line 2 or above 15: nothing
 * changes and the hardware records the illegal access
 * NDISDMA_ILLEGAL_BAD_IRQ).
 * Calling context: the machine's thread, any IRQL; from host code or any
 * callback, including DMA device callbacks. The interrupt is delivered at
 * the next delivery point, never from inside this call.
 */
int ndisdma_irq_set(ndisdma_machine *m, unsigned line, bool level);

/*
 * ndisdma_irq_pulse - raise @line and lower it again: one rising edge, as a
 * device that pulses its interrupt output. Returns as ndisdma_irq_set.
 */
int ndisdma_irq_pulse(ndisdma_machine *m, unsigned line);

/* The state of the IRQ lines and what became of their requests. */
typedef struct ndisdma_irq_stats {
    uint16_t level;                        /* bit n: line n is high */
    uint16_t requested;                    /* bit n: a request is latched, not yet delivered */
    uint16_t in_service;                   /* bit n: line n's service routine is running */
    uint16_t connected;                    /* bit n: a service routine is connected to line n */
    uint64_t requests[NDISDMA_IRQ_LINES];  /* rising edges that latched a request */
    uint64_t merged[NDISDMA_IRQ_LINES];    /* rising edges that found one latched */
    uint64_t delivered[NDISDMA_IRQ_LINES]; /* service routine calls */
    uint64_t unclaimed[NDISDMA_IRQ_LINES]; /* of those, how many returned FALSE */
    uint64_t spurious[NDISDMA_IRQ_LINES];  /* requests dropped: nothing connected */
} ndisdma_irq_stats;

/*
 * ndisdma_irq_get_stats - copy the IRQ lines' state and counters into @out
 * (caller-owned). The counters only grow, for the life of the machine.
 * Returns 0 or NDISDMA_EINVAL (NULL argument). Any context on the machine's
 * thread.
 */
int ndisdma_irq_get_stats(const ndisdma_machine *m, ndisdma_irq_stats *out);

/* ---- timers ---- */

/*
 * A timer: storage for one scheduled callback, owned by the caller (a
 * device model's struct, usually). Its content is private. A timer must be
 * zeroed before first use (ndisdma_timer_init, NDISDMA_TIMER_INIT, calloc,
 * or static storage) and must not be moved, copied or freed while it is
 * pending: cancel it first, or free it from its own callback (it is no
 * longer pending once its callback runs).
 */
typedef struct ndisdma_timer {
    uint64_t opaque[16];
} ndisdma_timer;

#define NDISDMA_TIMER_INIT                                                                         \
    {                                                                                              \
        {                                                                                          \
            0                                                                                      \
        }                                                                                          \
    }

/* Timer callback: runs on the machine's thread at the IRQL of the code that
   advanced the clock (PASSIVE_LEVEL under ndisdma_machine_run), and must
   return at that IRQL (a violation otherwise). */
typedef void (*ndisdma_timer_fn)(ndisdma_machine *m, void *ctx);

/* ndisdma_timer_init - zero @t (an idle timer). @t must not be pending.
   NULL is a no-op. */
void ndisdma_timer_init(ndisdma_timer *t);

/*
 * ndisdma_timer_schedule - call @fn(@m, @ctx) when the virtual time of @m
 * reaches @at_ns (absolute nanoseconds, see ndisdma_machine_now; a time
 * already past means now: at the next delivery point). A pending timer is
 * moved to the new time and takes the new @fn and @ctx. The callback may
 * schedule and cancel timers (its own included), drive IRQ and DREQ lines,
 * do port I/O and call ndisdma_dma_run; ndisdma_machine_run from a callback
 * returns NDISDMA_ESTATE.
 * Returns 0, NDISDMA_EINVAL (NULL @m, @t or @fn) or NDISDMA_EBUSY (@t is
 * pending on another machine).
 * @ctx is not owned. Calling context: the machine's thread, any IRQL.
 */
int ndisdma_timer_schedule(ndisdma_machine *m, ndisdma_timer *t, uint64_t at_ns,
                           ndisdma_timer_fn fn, void *ctx);

/*
 * ndisdma_timer_cancel - remove @t from @m's queue: its callback will not
 * run.
 * Returns 0 (it was pending and is removed), NDISDMA_ENOENT (not pending on
 * @m: never scheduled, already fired, or cancelled) or NDISDMA_EINVAL (NULL
 * argument). Calling context as ndisdma_timer_schedule.
 */
int ndisdma_timer_cancel(ndisdma_machine *m, ndisdma_timer *t);

/* ndisdma_timer_pending - true when @t is scheduled and has not fired (false
   for NULL). */
bool ndisdma_timer_pending(const ndisdma_timer *t);

/* ndisdma_timer_due - the time @t is scheduled for, or UINT64_MAX when it
   is not pending. */
uint64_t ndisdma_timer_due(const ndisdma_timer *t);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_DEVICE_H */
