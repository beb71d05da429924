/*
 * Virtual time: the clock, the event queue, the DPC queue, and DMA service
 * in time.
 *
 * Concept. The machine's clock is a count of nanoseconds that moves only
 * when the host runs the machine (ndisdma_machine_run) or driver code
 * busy-waits (KeStallExecutionProcessor). Advancing it delivers, in this
 * order at each instant: latched interrupt requests (each ISR at its DIRQL,
 * highest 8259 priority first; only those above the current IRQL during a
 * stall; see interrupt.c), the queued DPCs (at DISPATCH_LEVEL; not during a
 * stall, where the processor is busy), the events due (earliest first,
 * equal times first scheduled first), then DMA service until the next event.
 * After each callback delivery starts again from interrupts, so interrupts
 * preempt DPCs and a request raised by any callback is served first.
 *
 * Events and DPCs are intrusive: the caller owns the nd_event / nd_dpc
 * structure (as a driver owns its KTIMER and KDPC), so scheduling never
 * allocates and never fails. The queue is a doubly linked list sorted by
 * (time, order of scheduling); it is short in practice (timers and device
 * events), and new events usually go at the tail.
 *
 * DMA in time. Each channel has a unit time: one bus cycle, moving one unit
 * (a byte on channels 0-3, a word on 5-7). The defaults are ISA compatible
 * timing, 8 bus clocks at 8.33 MHz = 960 ns per cycle (1 MB/s on 8-bit
 * channels, 2 MB/s on 16-bit ones). nd_kernel_dma_speed_unit_ns gives the
 * EISA/ISA bridge figures for each DMA_SPEED (see clock.c). Between events
 * DMA is served in slices of at most ND_DMA_SLICE_NS with
 * nd_dma_service(budget = slice); time the bus spent on a unit that did not
 * complete within a slice carries over to the next, so throughput is exact
 * whatever the slicing. During a slice the engine advances the hardware's
 * now_ns unit by unit, so a data callback sees the bus time its burst
 * starts and a terminal-count callback the time the last unit ends
 * (nd_kernel_now too). When a callback schedules an
 * event or raises an interrupt request (the kernel's PIC hook sets
 * hw->yield), the slice ends right after that burst, between two units: the
 * interrupt or event is delivered at the bus time it was raised, not later.
 */
#ifndef ND_KERNEL_CLOCK_H
#define ND_KERNEL_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include <wdm.h>

typedef struct nd_kernel nd_kernel;

#define ND_DMA_SLICE_NS        1000000u /* 1 ms of bus time at most per service call */
#define ND_DMA_DEFAULT_UNIT_NS 960u     /* ISA compatible timing */
#define ND_KERNEL_LIVELOCK     1000000u

/* Virtual time in nanoseconds. */
uint64_t nd_kernel_now(const nd_kernel *k);

/* ---- events ---- */
typedef void (*nd_event_fn)(nd_kernel *k, void *ctx);

typedef struct nd_event {
    struct nd_event *prev, *next; /* queue links, kernel-owned */
    uint64_t at_ns;
    uint64_t order; /* scheduling order, for FIFO among equal times */
    nd_event_fn fn;
    void *ctx;
    bool pending;
} nd_event;

/* Prepare @ev (caller-owned, lives while scheduled) to call @fn(@ctx). */
void nd_event_init(nd_event *ev, nd_event_fn fn, void *ctx);
/*
 * nd_event_schedule - deliver @ev at virtual time @at_ns (a time already
 * past means now: delivered at the next delivery point). A pending event is
 * moved. The callback runs on the thread that runs the machine, at that
 * thread's IRQL (PASSIVE_LEVEL under ndisdma_machine_run), and must leave
 * the IRQL as it found it (a violation otherwise). It may schedule and
 * cancel events and queue DPCs. Any IRQL.
 */
void nd_event_schedule(nd_kernel *k, nd_event *ev, uint64_t at_ns);
/* Remove @ev from the queue; true when it was pending. Any IRQL. */
bool nd_event_cancel(nd_kernel *k, nd_event *ev);
static inline bool nd_event_pending(const nd_event *ev)
{
    return ev->pending;
}
/* Events pending. */
uint64_t nd_kernel_events_pending(const nd_kernel *k);

/* ---- DPCs ---- */
typedef void (*nd_dpc_fn)(nd_kernel *k, void *ctx, void *arg1, void *arg2);

typedef struct nd_dpc {
    struct nd_dpc *next; /* queue link, kernel-owned */
    nd_dpc_fn fn;
    void *ctx;
    void *arg1, *arg2;
    bool queued;
    const char *name; /* static string for traces (DPC_ENTER/EXIT); NULL = "DPC" */
} nd_dpc;

/* Prepare @dpc (caller-owned, lives while queued), as KeInitializeDpc. */
void nd_dpc_init(nd_dpc *dpc, nd_dpc_fn fn, void *ctx);
/*
 * nd_dpc_queue - queue @dpc with two arguments, as KeInsertQueueDpc: false
 * (and nothing changes) when it is already queued. DPCs run in queue order
 * at DISPATCH_LEVEL at the next delivery point of ndisdma_machine_run, and
 * must return at DISPATCH_LEVEL (a violation otherwise). Any IRQL.
 */
bool nd_dpc_queue(nd_kernel *k, nd_dpc *dpc, void *arg1, void *arg2);
/* Dequeue @dpc, as KeRemoveQueueDpc; true when it was queued. */
bool nd_dpc_remove(nd_kernel *k, nd_dpc *dpc);

/* ---- running ---- */
/* The bodies of ndisdma_machine_run and _run_until_idle (see
   <ndisdma/kernel.h>); the caller has bound the thread to @k. */
int nd_kernel_run(nd_kernel *k, uint64_t ns);
int nd_kernel_run_until_idle(nd_kernel *k, uint64_t max_ns);
/* True when no interrupt request is latched, no DPC is queued, no event
   pending and no DMA channel can move. */
bool nd_kernel_idle(nd_kernel *k);
/* Busy-wait @ns: interrupts above the current IRQL, events and DMA go on,
   DPCs wait. Any IRQL. */
void nd_kernel_stall(nd_kernel *k, uint64_t ns);

/* ---- DMA timing ---- */
/*
 * nd_kernel_set_dma_speed - unit time of @channel (0-7) in nanoseconds; 0
 * restores ND_DMA_DEFAULT_UNIT_NS. Returns 0 or NDISDMA_ECHANNEL. The HAL
 * calls it when it creates an adapter, with
 * nd_kernel_dma_speed_unit_ns(DmaSpeed).
 */
int nd_kernel_set_dma_speed(nd_kernel *k, unsigned channel, uint32_t unit_ns);
/* Unit time of @channel; 0 for a channel > 7. */
uint32_t nd_kernel_dma_speed(const nd_kernel *k, unsigned channel);
/* Nanoseconds per bus cycle for a DMA_SPEED (Compatible 960, TypeA 720,
   TypeB 480, TypeC 120, TypeF 360); 0 for an invalid value. */
uint32_t nd_kernel_dma_speed_unit_ns(DMA_SPEED speed);

#endif /* ND_KERNEL_CLOCK_H */
