/*
 * Interrupt objects and their delivery: see interrupt.h for the interface.
 *
 * Concept. The kernel plays the processor and the HAL for the AT's 8259A
 * pair (hw/pic.h). An interrupt object connects a service routine to one
 * IRQ line at a DIRQL; a line takes at most one object (no sharing: ISA
 * edge-triggered lines cannot be shared reliably, and an NDIS miniport
 * registers one interrupt per adapter).
 *
 * Delivery happens only at delivery points of the virtual clock (clock.c):
 * at each instant the kernel first delivers interrupts, then DPCs, then due
 * events, then DMA, and after every callback it starts again from
 * interrupts. So interrupts preempt DPCs, as on Windows, and a request
 * raised by a DPC, an event or a DMA device callback is served before
 * anything else runs; driver code itself is never interrupted in the middle
 * (code at raised IRQL, a spin lock held, runs to its end, as on one
 * processor that cannot be preempted between two of its instructions).
 * During a busy-wait (KeStallExecutionProcessor) the clock's delivery points
 * go on, and interrupts whose DIRQL is above the waiting code's IRQL are
 * delivered there, nested when the waiting code is itself an ISR.
 *
 * One delivery step: among the latched requests, the PIC presents the one of
 * highest 8259 priority that is not blocked by a line in service (fully
 * nested mode), considering only lines that the thread's IRQL does not mask
 * (DIRQL above the current IRQL; Windows masks the others in the PIC). With
 * nothing connected to the line the request is dropped and counted as
 * spurious. Otherwise the kernel acknowledges it (the request leaves IRR for
 * ISR, so a new edge during the ISR latches a new request, delivered after),
 * raises the thread's IRQL to the DIRQL, calls the ISR, checks that it
 * returned at DIRQL (a violation otherwise, and the IRQL is restored), lowers
 * the IRQL back and sends the EOI.
 *
 * The PIC tells the kernel of each latched request through its irq_notify
 * hook. A request is served at the next delivery point, and every delivery
 * point looks at the latched requests first, so the hook has only one thing
 * to do: when the request comes from a DMA device callback (the engine is
 * running), end the DMA slice after the current burst (hw->yield), so that
 * the request is delivered at the bus time it was raised. A request raised
 * anywhere else (an ISR, a DPC, an event, host code) is seen by the delivery
 * point that follows that code anyway, and run_until_idle never calls the
 * machine idle while a request is latched (nd_kernel_irq_pending). (The
 * hook used to schedule a wake-up event at the current time for the same
 * purpose; that event was always cancelled or run as a no-op at the instant
 * it was scheduled for, before any DMA or time advance, so it changed
 * nothing but the queue's bookkeeping.)
 */
#include <stdlib.h>

#include <ndisdma/device.h>

#include "kernel/kernel_impl.h"

struct nd_interrupt {
    nd_kernel *k; /* NULL once the kernel is destroyed (orphaned) */
    unsigned line;
    KIRQL dirql;
    nd_isr_fn isr;
    void *ctx;
    bool active; /* the ISR is running */
};

/* ---- connecting ---- */

int nd_kernel_connect_interrupt(nd_kernel *k, unsigned irq, KIRQL dirql, nd_isr_fn isr, void *ctx,
                                nd_interrupt **out)
{
    if (out)
        *out = NULL;
    if (!k || !isr || !out)
        return NDISDMA_EINVAL;
    if (!nd_kernel_irql_at_most(k, PASSIVE_LEVEL, "IoConnectInterrupt"))
        return NDISDMA_EIRQL;
    if (!nd_pic_device_line(irq) || dirql <= DISPATCH_LEVEL || dirql >= CLOCK_LEVEL)
        return NDISDMA_EINVAL;
    if (k->irq.line[irq])
        return NDISDMA_EBUSY;
    nd_interrupt *i = calloc(1, sizeof *i);
    if (!i)
        return NDISDMA_ENOMEM;
    *i = (nd_interrupt){.k = k, .line = irq, .dirql = dirql, .isr = isr, .ctx = ctx};
    k->irq.line[irq] = i;
    *out = i;
    return 0;
}

void nd_kernel_disconnect_interrupt(nd_interrupt *i)
{
    if (!i)
        return;
    nd_kernel *k = i->k;
    if (!k) {
        free(i); /* orphaned by nd_kernel_destroy */
        return;
    }
    if (!nd_kernel_irql_at_most(k, PASSIVE_LEVEL, "IoDisconnectInterrupt"))
        return; /* still connected: the caller must disconnect at PASSIVE_LEVEL */
    if (i->active) {
        nd_kernel_violation(k, "IoDisconnectInterrupt",
                            "interrupt on IRQ %u disconnected from its own service routine",
                            i->line);
        return;
    }
    k->irq.line[i->line] = NULL;
    free(i);
}

KIRQL nd_interrupt_irql(const nd_interrupt *i)
{
    return i ? i->dirql : PASSIVE_LEVEL;
}

unsigned nd_interrupt_line(const nd_interrupt *i)
{
    return i ? i->line : ND_PIC_LINES;
}

/* ---- synchronising ---- */

BOOLEAN nd_kernel_synchronize(nd_interrupt *i, BOOLEAN (*fn)(void *ctx), void *ctx)
{
    static const char ddi[] = "KeSynchronizeExecution";
    if (!i || !fn || !i->k) {
        nd_kernel_violation(i && i->k ? i->k : nd_kernel_current(), ddi, "%s",
                            !i    ? "Interrupt is NULL"
                            : !fn ? "SynchronizeRoutine is NULL"
                                  : "the interrupt's machine was destroyed");
        return FALSE;
    }
    nd_kernel *k = i->k;
    const KIRQL old = nd_kernel_irql();
    KIRQL at = i->dirql;
    if (old > at) {
        /* Windows would lower the IRQL under the caller's feet: run at the
           caller's IRQL instead, which still excludes the ISR. */
        nd_kernel_violation(k, ddi, "called at IRQL %u, above the interrupt's DIRQL %u",
                            (unsigned)old, (unsigned)at);
        at = old;
    }
    nd_kernel_set_irql(at);
    BOOLEAN r = fn(ctx);
    if (nd_kernel_irql() != at)
        nd_kernel_violation(k, ddi, "SynchronizeRoutine returned at IRQL %u, not %u",
                            (unsigned)nd_kernel_irql(), (unsigned)at);
    nd_kernel_set_irql(old);
    return r;
}

/* ---- delivery ---- */

static void irq_notify(void *ctx)
{
    nd_hw *hw = ((nd_kernel *)ctx)->hw;
    if (hw->running)
        hw->yield = 1; /* raised from a DMA callback: end the slice after this burst */
}

void nd_kernel_irq_init(nd_kernel *k)
{
    k->hw->pic.irq_notify = irq_notify;
    k->hw->pic.notify_ctx = k;
}

void nd_kernel_irq_fini(nd_kernel *k)
{
    if (k->hw->pic.notify_ctx == k) {
        k->hw->pic.irq_notify = NULL;
        k->hw->pic.notify_ctx = NULL;
    }
    for (unsigned line = 0; line < ND_PIC_LINES; line++) {
        if (k->irq.line[line])
            k->irq.line[line]->k = NULL;
        k->irq.line[line] = NULL;
    }
}

bool nd_kernel_irq_pending(const nd_kernel *k)
{
    return k->hw->pic.irr != 0;
}

/* An ISR_ENTER or ISR_EXIT event (observers only), out of line so that
   irq_deliver keeps a small frame. */
static __attribute__((noinline)) void isr_event(nd_hw *hw, ndisdma_event_kind kind, int line,
                                                uint8_t value)
{
    ndisdma_event ev = {.kind = kind, .channel = (uint8_t)line, .value = value};
    nd_hw_emit(hw, &ev);
}

/* The ISR returned at another IRQL than its DIRQL (rare: out of line). */
static __attribute__((noinline, cold)) void isr_irql_violation(nd_kernel *k, int line, KIRQL dirql)
{
    nd_kernel_violation(k, "ISR", "service routine of IRQ %d returned at IRQL %u, not its DIRQL %u",
                        line, (unsigned)nd_kernel_irql(), (unsigned)dirql);
}

/* Acknowledge @line's request and call @i's ISR at its DIRQL (the caller's
   IRQL is @cur), then EOI. */
static void isr_call(nd_kernel *k, nd_pic *p, nd_interrupt *i, int line, KIRQL cur)
{
    nd_pic_acknowledge(p, (unsigned)line);
    k->irq.delivered[line]++;
    nd_hw *hw = k->hw;
    hw->now_ns = k->now_ns;
    i->active = true;
    nd_kernel_set_irql(i->dirql);
    if (hw->obs.active)
        isr_event(hw, NDISDMA_EV_ISR_ENTER, line, i->dirql);
    BOOLEAN claimed = i->isr(i->ctx);
    if (hw->obs.active)
        isr_event(hw, NDISDMA_EV_ISR_EXIT, line, claimed ? 1 : 0);
    if (nd_kernel_irql() != i->dirql)
        isr_irql_violation(k, line, i->dirql);
    nd_kernel_set_irql(cur);
    i->active = false;
    if (!claimed)
        k->irq.unclaimed[line]++;
    nd_pic_eoi(p, (unsigned)line);
}

/* The line whose request the PIC presents now, among those the current IRQL
   @cur leaves open; -1 when none. A line with nothing connected is open at
   any IRQL, so that its request is dropped. */
static int irq_present(const nd_kernel *k, const nd_pic *p, KIRQL cur)
{
    uint16_t open = 0;
    /* Only the lines with a latched request: nd_pic_next looks at no other
       bit of @open (it presents from irr & open). */
    for (unsigned req = p->irr; req; req &= req - 1u) {
        const unsigned line = (unsigned)__builtin_ctz(req);
        const nd_interrupt *i = k->irq.line[line];
        if (!i || i->dirql > cur)
            open |= (uint16_t)(1u << line);
    }
    return nd_pic_next(p, open);
}

/* A delivery step past its first test, nd_kernel_irq_ready: a request is
   latched and no DMA burst is running. Inline, so that
   nd_kernel_irq_deliver inlines whole into the run loop (clock.c's advance,
   its one caller), whose stack frame is set up once per run: a function of
   its own would save and restore six registers for every interrupt. The
   events and the report stay out of line. */
static inline __attribute__((always_inline)) bool irq_deliver(nd_kernel *k)
{
    nd_pic *p = &k->hw->pic;
    const KIRQL cur = nd_kernel_irql();
    /* The usual case: one request latched (the caller saw irr != 0) and no
       line in service. Then irq_present would choose that request if its
       line is open (nothing can block it), and the line is open when an
       interrupt is connected to it with its DIRQL above @cur: take it
       without asking. (Line 2, the cascade, never has an interrupt
       connected.) Anything else asks irq_present. */
    const unsigned irr = p->irr;
    int line = -1;
    nd_interrupt *i = NULL;
    if ((irr & (irr - 1u)) == 0 && p->isr == 0) {
        line = __builtin_ctz(irr);
        i = k->irq.line[line];
    }
    if (__builtin_expect(!i || i->dirql <= cur, 0)) {
        line = irq_present(k, p, cur);
        if (line < 0)
            return false;
        i = k->irq.line[line];
        if (!i) {
            nd_pic_drop(p, (unsigned)line);
            k->irq.spurious[line]++;
            return true;
        }
    }
    isr_call(k, p, i, line, cur);
    return true;
}

bool nd_kernel_irq_ready(const nd_hw *hw)
{
    return hw->pic.irr && !hw->running;
}

bool nd_kernel_irq_deliver(nd_kernel *k)
{
    return irq_deliver(k);
}

/* ---- statistics ---- */

void nd_kernel_irq_get_stats(const nd_kernel *k, ndisdma_irq_stats *out)
{
    const nd_pic *p = &k->hw->pic;
    out->level = p->level;
    out->requested = p->irr;
    out->in_service = p->isr;
    out->connected = 0;
    for (unsigned line = 0; line < ND_PIC_LINES; line++) {
        if (k->irq.line[line])
            out->connected |= (uint16_t)(1u << line);
        out->requests[line] = p->requests[line];
        out->merged[line] = p->merged[line];
        out->delivered[line] = k->irq.delivered[line];
        out->unclaimed[line] = k->irq.unclaimed[line];
        out->spurious[line] = k->irq.spurious[line];
    }
}
