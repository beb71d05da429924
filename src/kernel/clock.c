/*
 * Virtual time, events, DPCs and DMA service in time: see clock.h for the
 * concept.
 *
 * DMA cycle times (nanoseconds per bus cycle, one unit per cycle; the bus
 * clock BCLK/SYSCLK is 8.33 MHz, 120 ns):
 *   Compatible  8 clocks  960 ns   ISA timing of the PC/AT 8237 pair
 *   TypeA       6 clocks  720 ns   EISA / Intel 82378 SIO "type A"
 *   TypeB       4 clocks  480 ns   EISA "type B" (the 82378 SIO runs 5: 600)
 *   TypeC       1 clock   120 ns   EISA burst ("type C")
 *   TypeF       3 clocks  360 ns   Intel 82378 SIO "type F"
 * Sources: the Intel 82378ZB/82379AB SIO data sheet, section 4.5.1 (DMA
 * timings: compatible 8 SYSCLKs, type A 6 SYSCLKs = 720 ns, type B 5
 * SYSCLKs = 600 ns, type F 3 SYSCLKs = 360 ns, at 8.33 MHz), and EISA system
 * manuals' DMA cycle tables (compatible 1.0/2.0 MB/s, type A 1.3/2.6, type
 * B 2.0/4.0, type C burst 8.2/16.5 MB/s for 8/16-bit), which give 4 clocks
 * for type B and 1 for type C on EISA. Windows' DMA_SPEED comes from EISA,
 * so the EISA figure is used for TypeB.
 */
#include <string.h>

#include "hw/dma_engine.h"
#include "kernel/kernel_impl.h"

uint64_t nd_kernel_now(const nd_kernel *k)
{
    /* During timed DMA service the bus is ahead of the slice start: the
       engine keeps hw->now_ns at the start of the burst being served. */
    return k->hw->running && k->hw->now_ns > k->now_ns ? k->hw->now_ns : k->now_ns;
}

/* Move the clock to @t (never back); the hardware's (@hw, @k's) follows. */
static void set_now(nd_kernel *k, nd_hw *hw, uint64_t t)
{
    if (t > k->now_ns)
        k->now_ns = t;
    hw->now_ns = k->now_ns;
}

/* ---- events ---- */

void nd_event_init(nd_event *ev, nd_event_fn fn, void *ctx)
{
    memset(ev, 0, sizeof *ev);
    ev->fn = fn;
    ev->ctx = ctx;
}

static void ev_unlink(nd_kernel *k, nd_event *ev)
{
    if (ev->prev)
        ev->prev->next = ev->next;
    else
        k->ev_head = ev->next;
    if (ev->next)
        ev->next->prev = ev->prev;
    else
        k->ev_tail = ev->prev;
    ev->prev = ev->next = NULL;
    ev->pending = false;
    k->ev_count--;
}

void nd_event_schedule(nd_kernel *k, nd_event *ev, uint64_t at_ns)
{
    if (ev->pending)
        ev_unlink(k, ev);
    const uint64_t now = nd_kernel_now(k);
    if (at_ns < now)
        at_ns = now;
    if (k->hw->running)
        k->hw->yield = 1; /* scheduled from a DMA callback: end the slice */
    ev->at_ns = at_ns;
    ev->order = k->ev_order++;
    /* Insert after the last event due at or before @at_ns (FIFO for equal
       times); search from the tail, where new events usually go. */
    nd_event *after = k->ev_tail;
    while (after && after->at_ns > at_ns)
        after = after->prev;
    ev->prev = after;
    ev->next = after ? after->next : k->ev_head;
    if (ev->next)
        ev->next->prev = ev;
    else
        k->ev_tail = ev;
    if (after)
        after->next = ev;
    else
        k->ev_head = ev;
    ev->pending = true;
    k->ev_count++;
}

bool nd_event_cancel(nd_kernel *k, nd_event *ev)
{
    if (!ev->pending)
        return false;
    ev_unlink(k, ev);
    return true;
}

uint64_t nd_kernel_events_pending(const nd_kernel *k)
{
    return k->ev_count;
}

/* ---- DPCs ---- */

void nd_dpc_init(nd_dpc *dpc, nd_dpc_fn fn, void *ctx)
{
    memset(dpc, 0, sizeof *dpc);
    dpc->fn = fn;
    dpc->ctx = ctx;
}

bool nd_dpc_queue(nd_kernel *k, nd_dpc *dpc, void *arg1, void *arg2)
{
    if (dpc->queued)
        return false;
    dpc->arg1 = arg1;
    dpc->arg2 = arg2;
    dpc->next = NULL;
    if (k->dpc_tail)
        k->dpc_tail->next = dpc;
    else
        k->dpc_head = dpc;
    k->dpc_tail = dpc;
    dpc->queued = true;
    return true;
}

bool nd_dpc_remove(nd_kernel *k, nd_dpc *dpc)
{
    if (!dpc->queued)
        return false;
    nd_dpc *prev = NULL;
    for (nd_dpc *d = k->dpc_head; d; prev = d, d = d->next) {
        if (d != dpc)
            continue;
        if (prev)
            prev->next = d->next;
        else
            k->dpc_head = d->next;
        if (k->dpc_tail == d)
            k->dpc_tail = prev;
        break;
    }
    dpc->next = NULL;
    dpc->queued = false;
    return true;
}

/* A DPC_ENTER or DPC_EXIT event of the DPC named @name (observers only),
   out of line so that run_dpc keeps a small frame. */
static __attribute__((noinline)) void dpc_event(nd_hw *hw, ndisdma_event_kind kind,
                                                const char *name)
{
    ndisdma_event ev = {.kind = kind, .channel = 0xFF, .name = name ? name : "DPC"};
    nd_hw_emit(hw, &ev);
}

/* The DPC returned at another IRQL than DISPATCH_LEVEL (rare: out of line). */
static __attribute__((noinline, cold)) void dpc_irql_violation(nd_kernel *k)
{
    nd_kernel_violation(k, "DPC", "deferred routine returned at IRQL %u, not DISPATCH_LEVEL",
                        (unsigned)nd_kernel_irql());
}

/* Run @d, just taken off the queue, at DISPATCH_LEVEL (@hw: @k's
   hardware). Inline in the run loop (advance), whose stack frame is set up
   once per run: a function of its own would save and restore six registers
   for every DPC. The events and the report stay out of line. */
static inline __attribute__((always_inline)) void run_dpc(nd_kernel *k, nd_hw *hw, nd_dpc *d)
{
    KIRQL old = nd_kernel_irql();
    nd_kernel_set_irql(DISPATCH_LEVEL);
    const char *const name = d->name; /* read before the routine, which may free @d */
    if (hw->obs.active) {
        hw->now_ns = k->now_ns;
        dpc_event(hw, NDISDMA_EV_DPC_ENTER, name);
    }
    d->fn(k, d->ctx, d->arg1, d->arg2);
    if (hw->obs.active)
        dpc_event(hw, NDISDMA_EV_DPC_EXIT, name);
    if (nd_kernel_irql() != DISPATCH_LEVEL)
        dpc_irql_violation(k);
    nd_kernel_set_irql(old);
}

/* Run one queued DPC at DISPATCH_LEVEL. False when none was queued. */
static inline bool run_one_dpc(nd_kernel *k, nd_hw *hw)
{
    nd_dpc *d = k->dpc_head;
    if (!d)
        return false;
    k->dpc_head = d->next;
    if (!k->dpc_head)
        k->dpc_tail = NULL;
    d->next = NULL;
    d->queued = false;
    run_dpc(k, hw, d);
    return true;
}

/* Deliver the first event if it is due. */
static bool run_one_event(nd_kernel *k, nd_hw *hw)
{
    nd_event *ev = k->ev_head;
    if (!ev || ev->at_ns > k->now_ns)
        return false;
    ev_unlink(k, ev);
    hw->now_ns = k->now_ns;
    KIRQL before = nd_kernel_irql();
    ev->fn(k, ev->ctx);
    if (nd_kernel_irql() != before) {
        nd_kernel_violation(k, "event", "event callback changed the IRQL from %u to %u",
                            (unsigned)before, (unsigned)nd_kernel_irql());
        nd_kernel_set_irql(before);
    }
    return true;
}

/* ---- DMA in time ---- */

/* The channel that would get the bus now (*@alone as nd_atdma_arbitrate
   says), or -1 for none; -1 too while the engine is running (a device
   callback that busy-waits). */
static int dma_arbitrate(nd_hw *hw, bool *alone)
{
    *alone = false;
    return hw->running ? -1 : nd_atdma_arbitrate(&hw->dma, alone);
}

/* True when some channel would get the bus now. */
static bool dma_busy(nd_kernel *k)
{
    bool alone;
    return dma_arbitrate(k->hw, &alone) >= 0;
}

/* One slice of DMA service, ending no later than @stop (> now), right after
   dma_arbitrate said @ch (>= 0) and @alone, with nothing changed since: the
   service starts from that answer instead of arbitrating again. Inline in
   its one caller, the run loop (advance), so that it needs no stack frame
   of its own. */
static inline __attribute__((always_inline)) void dma_slice(nd_kernel *k, nd_hw *hw, uint64_t stop,
                                                            int ch, bool alone)
{
    const uint64_t start = k->now_ns;
    uint64_t end = stop - start > ND_DMA_SLICE_NS ? start + ND_DMA_SLICE_NS : stop;
    const uint64_t carry = k->dma_carry_ns;
    const uint64_t budget = end - start + carry;
    uint64_t spent = 0;
    int busy;
    hw->now_ns = start;
    hw->carry_ns = carry;
    nd_dma_service_from(hw, ch, alone, k->dma_unit_ns, budget, &spent, &busy);
    hw->carry_ns = 0;
    if (hw->yield) {
        /* A callback scheduled something: the slice ends after the burst
           it came from, between two units. */
        hw->yield = 0;
        if (spent >= carry) {
            k->dma_carry_ns = 0;
            set_now(k, hw, start + (spent - carry));
        } else {
            hw->now_ns = start; /* nothing completed: keep the carry */
        }
    } else if (busy > 0 || (busy < 0 && dma_busy(k))) {
        /* The bus is in the middle of a unit: keep the time it spent. (The
           service knows it when it stopped at an arbitration that found a
           channel it could not serve within the budget, or none.) */
        k->dma_carry_ns = budget - spent;
        set_now(k, hw, end);
    } else {
        /* The bus went idle when its last unit ended. */
        k->dma_carry_ns = 0;
        set_now(k, hw, spent > carry ? start + (spent - carry) : start);
    }
}

/* ---- running ---- */

bool nd_kernel_idle(nd_kernel *k)
{
    return !k->dpc_head && !k->ev_head && !nd_kernel_irq_pending(k) && !dma_busy(k);
}

/* Advance towards @target. @dpcs: deliver DPCs (not while stalling).
   @until_idle: stop as soon as the machine is idle.
   Returns 0, NDISDMA_EBUSY (until_idle and target reached while busy) or
   NDISDMA_ESTATE (livelock). */
static int advance(nd_kernel *k, uint64_t target, bool dpcs, bool until_idle)
{
    /* Livelock: ND_KERNEL_LIVELOCK + 1 deliveries in a row at the same
       virtual time. @left counts down the deliveries still allowed before
       that (a countdown tests for zero in the decrement itself). */
    uint64_t last_now = k->now_ns, left = (uint64_t)ND_KERNEL_LIVELOCK + 1u;
    /* The machine's hardware, fixed for its life: kept at hand rather than
       loaded from @k after every callback. */
    nd_hw *const hw = k->hw;
    for (;;) {
        if (k->now_ns != last_now) {
            last_now = k->now_ns;
            left = (uint64_t)ND_KERNEL_LIVELOCK + 1u;
        } else if (--left == 0) {
            nd_kernel_violation(k, "ndisdma_machine_run",
                                "livelock: %u deliveries without virtual time moving",
                                ND_KERNEL_LIVELOCK);
            return NDISDMA_ESTATE;
        }
        /* Interrupts first: they preempt DPCs (interrupt.c). */
        if (nd_kernel_irq_ready(hw) && nd_kernel_irq_deliver(k))
            continue;
        if (dpcs && run_one_dpc(k, hw))
            continue;
        if (run_one_event(k, hw))
            continue;
        if (until_idle && nd_kernel_idle(k))
            return 0;
        if (k->now_ns >= target)
            return until_idle ? NDISDMA_EBUSY : 0;
        uint64_t stop = target;
        if (k->ev_head && k->ev_head->at_ns < stop)
            stop = k->ev_head->at_ns;
        bool alone;
        const int ch = dma_arbitrate(hw, &alone);
        if (ch >= 0) {
            dma_slice(k, hw, stop, ch, alone);
        } else {
            k->dma_carry_ns = 0;
            set_now(k, hw, stop);
        }
    }
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
    return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

int nd_kernel_run(nd_kernel *k, uint64_t ns)
{
    if (k->running)
        return NDISDMA_ESTATE;
    k->running = 1;
    int rc = advance(k, add_sat(k->now_ns, ns), true, false);
    k->running = 0;
    return rc;
}

int nd_kernel_run_until_idle(nd_kernel *k, uint64_t max_ns)
{
    if (k->running)
        return NDISDMA_ESTATE;
    k->running = 1;
    int rc = advance(k, add_sat(k->now_ns, max_ns), true, true);
    k->running = 0;
    return rc;
}

void nd_kernel_stall(nd_kernel *k, uint64_t ns)
{
    (void)advance(k, add_sat(k->now_ns, ns), false, false);
}

VOID KeStallExecutionProcessor(ULONG MicroSeconds)
{
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return; /* unbound thread: no clock to advance */
    nd_kernel_stall(k, (uint64_t)MicroSeconds * 1000u);
}

/* ---- DMA timing ---- */

int nd_kernel_set_dma_speed(nd_kernel *k, unsigned channel, uint32_t unit_ns)
{
    if (!k)
        return NDISDMA_EINVAL;
    if (channel >= 8)
        return NDISDMA_ECHANNEL;
    k->dma_unit_ns[channel] = unit_ns ? unit_ns : ND_DMA_DEFAULT_UNIT_NS;
    return 0;
}

uint32_t nd_kernel_dma_speed(const nd_kernel *k, unsigned channel)
{
    return (k && channel < 8) ? k->dma_unit_ns[channel] : 0;
}

uint32_t nd_kernel_dma_speed_unit_ns(DMA_SPEED speed)
{
    switch (speed) {
    case Compatible:
        return 960;
    case TypeA:
        return 720;
    case TypeB:
        return 480;
    case TypeC:
        return 120;
    case TypeF:
        return 360;
    default:
        return 0;
    }
}
