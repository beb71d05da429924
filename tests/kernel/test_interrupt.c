/*
 * Interrupts and device timers (<ndisdma/device.h>, src/kernel/interrupt.h).
 *
 * Behaviours checked (host-api.md: "ndisdma_machine_run delivers ...
 * interrupts (ISR at DIRQL, then DPC at DISPATCH_LEVEL), timers"):
 * invalid input first (lines, DIRQLs, NULLs, a second connection, the
 * wrong IRQL), then the ISR at its DIRQL with its context, edge-triggered
 * latching (a held line is one interrupt, a new edge another, a falling edge
 * cancels nothing, an edge during the ISR is delivered after it), an IRQ
 * raised from a DMA terminal-count callback delivered at the TC's virtual
 * time, 8259 priority among pending lines, nesting during a busy-wait,
 * spurious requests, KeSynchronizeExecution at DIRQL, the ISR's DPC at
 * DISPATCH_LEVEL after it, interrupts before DPCs, timers (order, FIFO,
 * cancel, reschedule, periodic), and two machines that do not see each
 * other.
 */
#include "ktest.h"

#include <stdlib.h>
#include <string.h>

#include <ndisdma/device.h>

#include "kernel/interrupt.h"

/* ---- a log of what ran ---- */
typedef struct rec {
    char what; /* 'I' ISR, 'D' DPC, 'E' event/timer, 'S' synchronize */
    unsigned line;
    KIRQL irql;
    uint64_t at;
    void *ctx;
} rec;

typedef struct trace {
    ndisdma_machine *m;
    rec r[64];
    unsigned n;
} trace;

static void note(trace *t, char what, unsigned line, void *ctx)
{
    assert_true(t->n < 64);
    t->r[t->n++] = (rec){.what = what,
                         .line = line,
                         .irql = KeGetCurrentIrql(),
                         .at = ndisdma_machine_now(t->m),
                         .ctx = ctx};
}

/* One device on one line, with what its ISR should do. */
typedef struct dev {
    trace *t;
    nd_interrupt *intr;
    nd_dpc dpc;
    ndisdma_irq_stats in; /* stats seen inside the ISR */
    unsigned line;
    unsigned repulse;    /* ISR pulses its own line this many more times */
    int raise_in_isr[4]; /* lines to raise from the ISR (-1 = none) */
    uint32_t stall_us;   /* KeStallExecutionProcessor from the ISR */
    bool queue_dpc;      /* queue the DPC from the ISR */
    bool leave_raised;   /* ISR returns at another IRQL */
    bool lower_and_disc; /* ISR lowers to PASSIVE and disconnects itself */
    BOOLEAN claim;       /* what the ISR returns */
} dev;

static BOOLEAN dev_isr(void *ctx)
{
    dev *d = ctx;
    note(d->t, 'I', d->line, ctx);
    assert_int_equal(ndisdma_irq_get_stats(d->t->m, &d->in), 0);
    for (unsigned i = 0; i < 4; i++)
        if (d->raise_in_isr[i] >= 0)
            ndisdma_irq_pulse(d->t->m, (unsigned)d->raise_in_isr[i]);
    if (d->repulse) {
        d->repulse--;
        ndisdma_irq_pulse(d->t->m, d->line);
    }
    if (d->queue_dpc)
        nd_dpc_queue(d->t->m->kernel, &d->dpc, d, NULL);
    if (d->stall_us)
        KeStallExecutionProcessor(d->stall_us);
    if (d->leave_raised) {
        KIRQL old;
        KeRaiseIrql(HIGH_LEVEL, &old);
    }
    if (d->lower_and_disc) {
        KeLowerIrql(PASSIVE_LEVEL);
        nd_kernel_disconnect_interrupt(d->intr);
    }
    return d->claim;
}

static void dev_dpc(nd_kernel *k, void *ctx, void *arg1, void *arg2)
{
    (void)k;
    (void)arg2;
    dev *d = ctx;
    assert_ptr_equal(arg1, d);
    note(d->t, 'D', d->line, ctx);
}

static void dev_init(dev *d, trace *t, unsigned line)
{
    memset(d, 0, sizeof *d);
    d->t = t;
    d->line = line;
    d->claim = TRUE;
    for (unsigned i = 0; i < 4; i++)
        d->raise_in_isr[i] = -1;
    nd_dpc_init(&d->dpc, dev_dpc, d);
}

static void dev_connect(dev *d, KIRQL dirql)
{
    assert_int_equal(
        nd_kernel_connect_interrupt(d->t->m->kernel, d->line, dirql, dev_isr, d, &d->intr), 0);
    assert_non_null(d->intr);
    assert_int_equal(nd_interrupt_irql(d->intr), dirql);
    assert_int_equal(nd_interrupt_line(d->intr), d->line);
}

static ndisdma_irq_stats stats(ndisdma_machine *m)
{
    ndisdma_irq_stats s;
    assert_int_equal(ndisdma_irq_get_stats(m, &s), 0);
    return s;
}

/* Observer: IRQ and illegal events. */
typedef struct seen {
    ndisdma_event ev[32];
    unsigned n;
} seen;

static void observe(void *ctx, const ndisdma_event *ev)
{
    seen *s = ctx;
    if ((ev->kind == NDISDMA_EV_IRQ || ev->kind == NDISDMA_EV_ILLEGAL) && s->n < 32)
        s->ev[s->n++] = *ev;
}

static void timer_nop(ndisdma_machine *m, void *ctx)
{
    (void)m;
    (void)ctx;
}

static BOOLEAN isr_nop(void *ctx)
{
    (void)ctx;
    return TRUE;
}

/* ---- invalid input ---- */

static void invalid_arguments(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_kernel *k = m->kernel;
    nd_interrupt *i = (nd_interrupt *)&i;

    /* NULLs. */
    assert_int_equal(nd_kernel_connect_interrupt(NULL, 5, 5, isr_nop, NULL, &i), NDISDMA_EINVAL);
    assert_null(i);
    assert_int_equal(nd_kernel_connect_interrupt(k, 5, 5, NULL, NULL, &i), NDISDMA_EINVAL);
    assert_int_equal(nd_kernel_connect_interrupt(k, 5, 5, isr_nop, NULL, NULL), NDISDMA_EINVAL);
    /* Line 2 is the cascade; there is no line 16. */
    assert_int_equal(nd_kernel_connect_interrupt(k, 2, 5, isr_nop, NULL, &i), NDISDMA_EINVAL);
    assert_int_equal(nd_kernel_connect_interrupt(k, 16, 5, isr_nop, NULL, &i), NDISDMA_EINVAL);
    assert_int_equal(nd_kernel_connect_interrupt(k, 1000, 5, isr_nop, NULL, &i), NDISDMA_EINVAL);
    /* DIRQL strictly between DISPATCH_LEVEL and CLOCK_LEVEL. */
    assert_int_equal(nd_kernel_connect_interrupt(k, 5, PASSIVE_LEVEL, isr_nop, NULL, &i),
                     NDISDMA_EINVAL);
    assert_int_equal(nd_kernel_connect_interrupt(k, 5, DISPATCH_LEVEL, isr_nop, NULL, &i),
                     NDISDMA_EINVAL);
    assert_int_equal(nd_kernel_connect_interrupt(k, 5, CLOCK_LEVEL, isr_nop, NULL, &i),
                     NDISDMA_EINVAL);
    assert_int_equal(nd_kernel_connect_interrupt(k, 5, HIGH_LEVEL, isr_nop, NULL, &i),
                     NDISDMA_EINVAL);
    assert_null(i);
    assert_int_equal(ndisdma_violation_count(m), 0);

    /* Wrong IRQL: a violation, nothing connected. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_int_equal(nd_kernel_connect_interrupt(k, 5, 5, isr_nop, NULL, &i), NDISDMA_EIRQL);
    kt_expect_violation(m, 0, "IoConnectInterrupt");
    assert_null(i);
    KeLowerIrql(old);
    assert_int_equal(stats(m).connected, 0);

    /* A second connection to a line: busy. */
    assert_int_equal(nd_kernel_connect_interrupt(k, 5, 5, isr_nop, NULL, &i), 0);
    nd_interrupt *j = NULL;
    assert_int_equal(nd_kernel_connect_interrupt(k, 5, 6, isr_nop, NULL, &j), NDISDMA_EBUSY);
    assert_null(j);
    assert_int_equal(stats(m).connected, 1u << 5);

    /* Disconnect at the wrong IRQL: a violation, still connected. */
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    nd_kernel_disconnect_interrupt(i);
    kt_expect_violation(m, 1, "IoDisconnectInterrupt");
    KeLowerIrql(old);
    assert_int_equal(stats(m).connected, 1u << 5);
    nd_kernel_disconnect_interrupt(i);
    assert_int_equal(stats(m).connected, 0);
    nd_kernel_disconnect_interrupt(NULL);
    assert_int_equal(nd_interrupt_irql(NULL), PASSIVE_LEVEL);
    assert_int_equal(nd_interrupt_line(NULL), 16);

    /* KeSynchronizeExecution with NULLs: violations and FALSE. */
    assert_false(nd_kernel_synchronize(NULL, NULL, NULL));
    kt_expect_violation(m, 2, "KeSynchronizeExecution");

    /* Host API. */
    assert_int_equal(ndisdma_irq_set(NULL, 5, true), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_irq_pulse(NULL, 5), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_irq_get_stats(NULL, NULL), NDISDMA_EINVAL);
    ndisdma_irq_stats s;
    assert_int_equal(ndisdma_irq_get_stats(NULL, &s), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_irq_get_stats(m, NULL), NDISDMA_EINVAL);
    seen sn = {0};
    int obs = ndisdma_observer_add(m, observe, &sn);
    assert_true(obs > 0);
    assert_int_equal(ndisdma_irq_set(m, 2, true), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_irq_set(m, 16, true), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_irq_pulse(m, 2), NDISDMA_EINVAL);
    ndisdma_hw_stats hs;
    assert_int_equal(ndisdma_hw_get_stats(m, &hs), 0);
    assert_int_equal(hs.illegal_by_reason[NDISDMA_ILLEGAL_BAD_IRQ], 3);
    assert_int_equal(sn.n, 3);
    assert_int_equal(sn.ev[0].kind, NDISDMA_EV_ILLEGAL);
    assert_int_equal(sn.ev[0].reason, NDISDMA_ILLEGAL_BAD_IRQ);
    assert_int_equal(sn.ev[0].channel, 2);
    assert_int_equal(sn.ev[1].channel, 16);
    assert_string_equal(ndisdma_illegal_str(NDISDMA_ILLEGAL_BAD_IRQ),
                        "IRQ line that takes no device (2, the cascade, or above 15)");
    s = stats(m);
    assert_int_equal(s.level, 0);
    assert_int_equal(s.requested, 0);

    /* Timers. */
    ndisdma_timer t = NDISDMA_TIMER_INIT;
    assert_int_equal(ndisdma_timer_schedule(NULL, &t, 0, timer_nop, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_timer_schedule(m, NULL, 0, timer_nop, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_timer_schedule(m, &t, 0, NULL, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_timer_cancel(NULL, &t), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_timer_cancel(m, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_timer_cancel(m, &t), NDISDMA_ENOENT);
    assert_false(ndisdma_timer_pending(NULL));
    assert_false(ndisdma_timer_pending(&t));
    assert_int_equal(ndisdma_timer_due(&t), UINT64_MAX);
    ndisdma_timer_init(NULL);
    assert_int_equal(ndisdma_violation_count(m), 3);
    kt_done(m);
}

/* ---- ISR at DIRQL ---- */

static void isr_at_dirql(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    trace t = {.m = m};
    dev d;
    dev_init(&d, &t, 5);
    dev_connect(&d, 7);
    seen sn = {0};
    assert_true(ndisdma_observer_add(m, observe, &sn) > 0);
    assert_int_equal(ndisdma_machine_run(m, 1000), 0);

    assert_int_equal(ndisdma_irq_set(m, 5, true), 0);
    ndisdma_irq_stats s = stats(m);
    assert_int_equal(s.level, 1u << 5);
    assert_int_equal(s.requested, 1u << 5);
    assert_int_equal(s.connected, 1u << 5);
    assert_int_equal(s.requests[5], 1);
    assert_int_equal(s.delivered[5], 0);
    assert_int_equal(t.n, 0); /* never from inside ndisdma_irq_set */
    assert_int_equal(sn.n, 1);
    assert_int_equal(sn.ev[0].kind, NDISDMA_EV_IRQ);
    assert_int_equal(sn.ev[0].channel, 5);
    assert_int_equal(sn.ev[0].value, 1);
    assert_int_equal(sn.ev[0].flags, 0);
    assert_int_equal(sn.ev[0].time_ns, 1000);

    /* Delivered at the first delivery point: now. */
    assert_int_equal(ndisdma_machine_run(m, 0), 0);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.r[0].what, 'I');
    assert_int_equal(t.r[0].irql, 7);
    assert_ptr_equal(t.r[0].ctx, &d);
    assert_int_equal(t.r[0].at, 1000);
    /* Inside the ISR the line is in service, no longer requested. */
    assert_int_equal(d.in.in_service, 1u << 5);
    assert_int_equal(d.in.requested, 0);
    s = stats(m);
    assert_int_equal(s.in_service, 0);
    assert_int_equal(s.requested, 0);
    assert_int_equal(s.delivered[5], 1);
    assert_int_equal(s.unclaimed[5], 0);
    assert_int_equal(s.level, 1u << 5); /* the device still holds it */
    assert_null(ndisdma_thread_machine());

    /* An ISR that says "not mine" is counted. */
    d.claim = FALSE;
    assert_int_equal(ndisdma_irq_set(m, 5, false), 0);
    assert_int_equal(ndisdma_irq_set(m, 5, true), 0);
    assert_int_equal(ndisdma_machine_run_until_idle(m, 1000), 0);
    s = stats(m);
    assert_int_equal(s.delivered[5], 2);
    assert_int_equal(s.unclaimed[5], 1);
    assert_int_equal(sn.n, 3);
    assert_int_equal(sn.ev[1].value, 0);
    assert_int_equal(ndisdma_violation_count(m), 0);
    nd_kernel_disconnect_interrupt(d.intr);
    kt_done(m);
}

/* ---- edge-triggered latching ---- */

static void edge_semantics(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    trace t = {.m = m};
    dev d;
    dev_init(&d, &t, 10);
    dev_connect(&d, 5);
    seen sn = {0};
    assert_true(ndisdma_observer_add(m, observe, &sn) > 0);

    /* Raised twice without lowering: one edge, one interrupt. */
    ndisdma_irq_set(m, 10, true);
    ndisdma_irq_set(m, 10, true);
    assert_int_equal(ndisdma_machine_run(m, 100), 0);
    assert_int_equal(t.n, 1);
    /* Still high: more runs deliver nothing. */
    ndisdma_irq_set(m, 10, true);
    assert_int_equal(ndisdma_machine_run(m, 100), 0);
    assert_int_equal(t.n, 1);
    assert_int_equal(sn.n, 1);

    /* Lowered, then raised: a second interrupt. */
    ndisdma_irq_set(m, 10, false);
    ndisdma_irq_set(m, 10, true);
    assert_int_equal(ndisdma_machine_run(m, 100), 0);
    assert_int_equal(t.n, 2);

    /* Lowering does not cancel a latched request (edge-triggered). */
    ndisdma_irq_set(m, 10, false);
    ndisdma_irq_set(m, 10, true);
    ndisdma_irq_set(m, 10, false);
    assert_int_equal(stats(m).requested, 1u << 10);
    assert_int_equal(ndisdma_machine_run(m, 100), 0);
    assert_int_equal(t.n, 3);

    /* Two edges before delivery merge into one interrupt. */
    sn.n = 0;
    ndisdma_irq_pulse(m, 10);
    ndisdma_irq_pulse(m, 10);
    ndisdma_irq_stats s = stats(m);
    assert_int_equal(s.requests[10], 4);
    assert_int_equal(s.merged[10], 1);
    assert_int_equal(sn.n, 4);
    assert_int_equal(sn.ev[0].flags, 0);
    assert_int_equal(sn.ev[2].value, 1);
    assert_int_equal(sn.ev[2].flags, NDISDMA_EVF_IRQ_MERGED);
    assert_int_equal(ndisdma_machine_run(m, 100), 0);
    assert_int_equal(t.n, 4);

    /* An edge while the ISR runs latches a new request, delivered after it
       (never nested into its own ISR). */
    d.repulse = 2;
    ndisdma_irq_pulse(m, 10);
    assert_int_equal(ndisdma_machine_run(m, 100), 0);
    assert_int_equal(t.n, 7);
    assert_int_equal(d.in.in_service, 1u << 10);
    s = stats(m);
    assert_int_equal(s.delivered[10], 7);
    assert_int_equal(s.merged[10], 1);
    assert_int_equal(s.requested, 0);
    assert_int_equal(ndisdma_violation_count(m), 0);
    nd_kernel_disconnect_interrupt(d.intr);
    kt_done(m);
}

/* ---- an IRQ from a DMA terminal-count callback ---- */

typedef struct tc_dev {
    ndisdma_machine *m;
    uint64_t tc_at; /* virtual time seen by the callback (slice start) */
    unsigned tcs;
} tc_dev;

static size_t tc_from_device(void *ctx, unsigned channel, uint8_t *data, size_t len)
{
    (void)ctx;
    (void)channel;
    memset(data, 0xA5, len);
    return len;
}

static void tc_terminal(void *ctx, unsigned channel)
{
    tc_dev *d = ctx;
    assert_int_equal(channel, 1);
    d->tc_at = ndisdma_machine_now(d->m);
    d->tcs++;
    ndisdma_dma_request(d->m, 1, false);
    assert_int_equal(ndisdma_irq_set(d->m, 5, true), 0);
}

static void irq_from_dma_callback(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    trace t = {.m = m};
    dev d;
    dev_init(&d, &t, 5);
    d.queue_dpc = true;
    dev_connect(&d, 8);
    tc_dev td = {.m = m};
    const ndisdma_dma_device dd = {.from_device = tc_from_device, .terminal_count = tc_terminal};
    assert_int_equal(ndisdma_dma_attach(m, 1, &dd, &td), 0);
    const uint32_t units = 100;
    kt_program(m, 1, 0x44 /* single, write */, 0x20000, units);
    ndisdma_dma_request(m, 1, true);
    assert_int_equal(ndisdma_machine_run_until_idle(m, 10000000), 0);

    assert_int_equal(td.tcs, 1);
    const uint64_t tc_time = (uint64_t)units * ND_DMA_DEFAULT_UNIT_NS;
    /* Terminal count is seen at the bus time the last unit ends, and the
       ISR runs at that same instant. */
    assert_int_equal(td.tc_at, tc_time);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.r[0].what, 'I');
    assert_int_equal(t.r[0].irql, 8);
    assert_int_equal(t.r[0].at, tc_time);
    assert_int_equal(t.r[1].what, 'D');
    assert_int_equal(t.r[1].irql, DISPATCH_LEVEL);
    assert_int_equal(t.r[1].at, t.r[0].at);
    assert_int_equal(ndisdma_violation_count(m), 0);
    nd_kernel_disconnect_interrupt(d.intr);
    kt_done(m);
}

/* Demand mode: one burst moves all 3,000 units (longer than any old 10 us
   slice); the IRQ raised at TC is delivered exactly when the burst ends. */
static void irq_from_dma_burst_on_time(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    trace t = {.m = m};
    dev d;
    dev_init(&d, &t, 5);
    dev_connect(&d, 8);
    tc_dev td = {.m = m};
    const ndisdma_dma_device dd = {.from_device = tc_from_device, .terminal_count = tc_terminal};
    assert_int_equal(ndisdma_dma_attach(m, 1, &dd, &td), 0);
    const uint32_t units = 3000;
    kt_program(m, 1, 0x04 /* demand, write */, 0x20000, units);
    ndisdma_dma_request(m, 1, true);
    assert_int_equal(ndisdma_machine_run_until_idle(m, 100000000), 0);
    assert_int_equal(td.tcs, 1);
    assert_int_equal(td.tc_at, (uint64_t)units * ND_DMA_DEFAULT_UNIT_NS);
    assert_int_equal(t.n, 1);
    assert_int_equal(t.r[0].what, 'I');
    assert_int_equal(t.r[0].at, (uint64_t)units * ND_DMA_DEFAULT_UNIT_NS);
    assert_int_equal(ndisdma_violation_count(m), 0);
    nd_kernel_disconnect_interrupt(d.intr);
    kt_done(m);
}

/* ---- priority ---- */

static void priority_order(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    trace t = {.m = m};
    /* DIRQLs deliberately unrelated to the 8259 order: at PASSIVE_LEVEL all
       are open, and the PIC decides. */
    static const unsigned lines[] = {7, 15, 3, 8, 1, 0, 12, 4};
    static const KIRQL dirqls[] = {12, 11, 3, 4, 5, 6, 7, 9};
    dev d[8];
    for (unsigned i = 0; i < 8; i++) {
        dev_init(&d[i], &t, lines[i]);
        dev_connect(&d[i], dirqls[i]);
        ndisdma_irq_pulse(m, lines[i]);
    }
    assert_int_equal(ndisdma_machine_run(m, 0), 0);
    static const unsigned want[] = {0, 1, 8, 12, 15, 3, 4, 7};
    assert_int_equal(t.n, 8);
    for (unsigned i = 0; i < 8; i++) {
        assert_int_equal(t.r[i].line, want[i]);
        assert_int_equal(t.r[i].irql, nd_interrupt_irql(((dev *)t.r[i].ctx)->intr));
    }
    /* A higher line raised by an ISR comes next, before lower pending ones
       (after the ISR: no nesting at a delivery point). */
    t.n = 0;
    d[0].raise_in_isr[0] = 0; /* line 7's ISR raises line 0 */
    ndisdma_irq_pulse(m, 7);
    ndisdma_irq_pulse(m, 3);
    ndisdma_irq_pulse(m, 4);
    assert_int_equal(ndisdma_machine_run(m, 0), 0);
    static const unsigned want2[] = {3, 4, 7, 0};
    assert_int_equal(t.n, 4);
    for (unsigned i = 0; i < 4; i++)
        assert_int_equal(t.r[i].line, want2[i]);
    assert_int_equal(ndisdma_violation_count(m), 0);
    for (unsigned i = 0; i < 8; i++)
        nd_kernel_disconnect_interrupt(d[i].intr);
    kt_done(m);
}

/* ---- nesting during a busy-wait in an ISR ---- */

static void nested_in_stall(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    trace t = {.m = m};
    dev d7, d3, d1, d15, d5;
    dev_init(&d7, &t, 7);
    dev_init(&d3, &t, 3);
    dev_init(&d1, &t, 1);
    dev_init(&d15, &t, 15);
    dev_init(&d5, &t, 5);
    dev_connect(&d7, 6);
    dev_connect(&d3, 10); /* higher priority than 7, higher DIRQL: nests */
    dev_connect(&d1, 11); /* nests into 3's stall too */
    dev_connect(&d15, 4); /* higher priority than 7 but DIRQL below 6: waits */
    dev_connect(&d5, 12); /* DIRQL above 6 but priority below 3: waits for 3's EOI */
    d7.raise_in_isr[0] = 3;
    d7.raise_in_isr[1] = 15;
    d7.stall_us = 2;
    d3.raise_in_isr[0] = 1;
    d3.raise_in_isr[1] = 5;
    d3.stall_us = 1;
    ndisdma_irq_pulse(m, 7);
    assert_int_equal(ndisdma_machine_run(m, 0), 0);
    /* 7 starts; during its stall 3 nests; during 3's stall 1 nests (5 is
       blocked by 3 in service); after 3 ends, 5 nests into 7's stall; 15
       waits for 7 to end. */
    static const unsigned want[] = {7, 3, 1, 5, 15};
    assert_int_equal(t.n, 5);
    for (unsigned i = 0; i < 5; i++)
        assert_int_equal(t.r[i].line, want[i]);
    assert_int_equal(t.r[1].irql, 10);
    assert_int_equal(t.r[2].irql, 11);
    assert_int_equal(d1.in.in_service, (1u << 7) | (1u << 3) | (1u << 1));
    assert_int_equal(t.r[4].irql, 4);
    assert_int_equal(t.r[2].at, 0);
    assert_int_equal(t.r[3].at, 1000); /* after 3's stall of 1 us */
    assert_int_equal(t.r[4].at, 2000); /* after 7's stall of 2 us */
    assert_int_equal(stats(m).in_service, 0);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(ndisdma_violation_count(m), 0);
    nd_kernel_disconnect_interrupt(d7.intr);
    nd_kernel_disconnect_interrupt(d3.intr);
    nd_kernel_disconnect_interrupt(d1.intr);
    nd_kernel_disconnect_interrupt(d15.intr);
    nd_kernel_disconnect_interrupt(d5.intr);
    kt_done(m);
}

/* ---- spurious requests ---- */

static void spurious_counted(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    trace t = {.m = m};
    dev d;
    dev_init(&d, &t, 11);
    dev_connect(&d, 5);
    ndisdma_irq_pulse(m, 9); /* nothing on 9 */
    ndisdma_irq_pulse(m, 11);
    assert_int_equal(ndisdma_machine_run_until_idle(m, 1000), 0);
    ndisdma_irq_stats s = stats(m);
    assert_int_equal(s.spurious[9], 1);
    assert_int_equal(s.delivered[9], 0);
    assert_int_equal(s.delivered[11], 1);
    assert_int_equal(s.requested, 0);
    assert_int_equal(t.n, 1);
    /* A request latched before its interrupt is disconnected is spurious. */
    ndisdma_irq_pulse(m, 11);
    nd_kernel_disconnect_interrupt(d.intr);
    assert_int_equal(ndisdma_machine_run(m, 10), 0);
    s = stats(m);
    assert_int_equal(s.spurious[11], 1);
    assert_int_equal(s.delivered[11], 1);
    assert_int_equal(s.connected, 0);
    assert_int_equal(t.n, 1);
    assert_int_equal(ndisdma_violation_count(m), 0);
    kt_done(m);
}

/* ---- KeSynchronizeExecution ---- */

typedef struct sync_arg {
    KIRQL seen;
    unsigned calls;
    bool leave_raised;
} sync_arg;

static BOOLEAN sync_fn(void *ctx)
{
    sync_arg *a = ctx;
    a->seen = KeGetCurrentIrql();
    a->calls++;
    if (a->leave_raised) {
        KIRQL old;
        KeRaiseIrql(HIGH_LEVEL, &old);
    }
    return TRUE;
}

static void synchronize_at_dirql(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_bound(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_interrupt *i = NULL;
    assert_int_equal(nd_kernel_connect_interrupt(m->kernel, 4, 9, isr_nop, NULL, &i), 0);
    sync_arg a = {0};
    assert_true(nd_kernel_synchronize(i, sync_fn, &a));
    assert_int_equal(a.seen, 9);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    /* From DISPATCH_LEVEL and from DIRQL itself. */
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_true(nd_kernel_synchronize(i, sync_fn, &a));
    assert_int_equal(a.seen, 9);
    assert_int_equal(KeGetCurrentIrql(), DISPATCH_LEVEL);
    KeLowerIrql(old);
    KeRaiseIrql(9, &old);
    assert_true(nd_kernel_synchronize(i, sync_fn, &a));
    assert_int_equal(KeGetCurrentIrql(), 9);
    KeLowerIrql(old);
    assert_int_equal(ndisdma_violation_count(m), 0);
    /* Above DIRQL: a violation; runs at the caller's IRQL. */
    KeRaiseIrql(HIGH_LEVEL, &old);
    assert_true(nd_kernel_synchronize(i, sync_fn, &a));
    kt_expect_violation(m, 0, "KeSynchronizeExecution");
    assert_int_equal(a.seen, HIGH_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), HIGH_LEVEL);
    KeLowerIrql(old);
    /* A routine that returns at another IRQL: a violation, IRQL restored. */
    a.leave_raised = true;
    assert_true(nd_kernel_synchronize(i, sync_fn, &a));
    kt_expect_violation(m, 1, "KeSynchronizeExecution");
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_false(nd_kernel_synchronize(i, NULL, NULL));
    kt_expect_violation(m, 2, "KeSynchronizeExecution");
    assert_int_equal(a.calls, 5);
    nd_kernel_disconnect_interrupt(i);
    kt_done(m);
}

/* ---- ISR misbehaving ---- */

static void isr_contract(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    trace t = {.m = m};
    dev d;
    dev_init(&d, &t, 6);
    dev_connect(&d, 5);
    /* Returns at another IRQL: a violation, and the IRQL is restored. */
    d.leave_raised = true;
    ndisdma_irq_pulse(m, 6);
    assert_int_equal(ndisdma_machine_run(m, 10), 0);
    kt_expect_violation(m, 0, "ISR");
    assert_int_equal(t.n, 1);
    /* Disconnecting itself from its ISR is refused. */
    d.leave_raised = false;
    d.lower_and_disc = true;
    ndisdma_irq_pulse(m, 6);
    assert_int_equal(ndisdma_machine_run(m, 10), 0);
    assert_int_equal(ndisdma_violation_count(m), 3);
    ndisdma_violation v;
    assert_int_equal(ndisdma_violation_get(m, 1, &v), 0);
    assert_string_equal(v.ddi, "IoDisconnectInterrupt");
    assert_int_equal(ndisdma_violation_get(m, 2, &v), 0);
    assert_string_equal(v.ddi, "ISR");
    assert_int_equal(stats(m).connected, 1u << 6);
    /* The kernel goes on: the next interrupt is delivered normally. */
    d.lower_and_disc = false;
    ndisdma_irq_pulse(m, 6);
    assert_int_equal(ndisdma_machine_run(m, 10), 0);
    assert_int_equal(t.n, 3);
    assert_int_equal(t.r[2].irql, 5);
    assert_int_equal(ndisdma_violation_count(m), 3);
    nd_kernel_disconnect_interrupt(d.intr);
    assert_int_equal(stats(m).connected, 0);
    kt_done(m);
}

/* ---- interrupts before DPCs ---- */

typedef struct pre {
    trace *t;
    nd_dpc d1, d2;
    ndisdma_timer tm;
} pre;

static void pre_dpc(nd_kernel *k, void *ctx, void *arg1, void *arg2)
{
    (void)k;
    (void)arg2;
    pre *p = ctx;
    note(p->t, 'D', (unsigned)(uintptr_t)arg1, ctx);
    if ((uintptr_t)arg1 == 1)
        ndisdma_irq_pulse(p->t->m, 3); /* DPC 1 raises an interrupt */
}

static void pre_timer(ndisdma_machine *m, void *ctx)
{
    pre *p = ctx;
    note(p->t, 'E', 0, ctx);
    nd_dpc_queue(m->kernel, &p->d1, (void *)1, NULL);
    nd_dpc_queue(m->kernel, &p->d2, (void *)2, NULL);
    ndisdma_irq_pulse(m, 4); /* and an interrupt after the DPCs were queued */
}

static void interrupts_preempt_dpcs(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    trace t = {.m = m};
    dev d3, d4;
    dev_init(&d3, &t, 3);
    dev_init(&d4, &t, 4);
    dev_connect(&d3, 5);
    dev_connect(&d4, 5);
    d4.queue_dpc = true;
    pre p = {.t = &t, .tm = NDISDMA_TIMER_INIT};
    nd_dpc_init(&p.d1, pre_dpc, &p);
    nd_dpc_init(&p.d2, pre_dpc, &p);
    assert_int_equal(ndisdma_timer_schedule(m, &p.tm, 500, pre_timer, &p), 0);
    assert_int_equal(ndisdma_machine_run_until_idle(m, 10000), 0);
    /* timer, ISR 4 (before the DPCs queued earlier), DPC 1, ISR 3 (before
       DPC 2), DPC 2, then ISR 4's DPC. */
    assert_int_equal(t.n, 6);
    const char what[] = {'E', 'I', 'D', 'I', 'D', 'D'};
    const unsigned line[] = {0, 4, 1, 3, 2, 4};
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(t.r[i].what, what[i]);
        assert_int_equal(t.r[i].line, line[i]);
        assert_int_equal(t.r[i].at, 500);
    }
    assert_int_equal(t.r[0].irql, PASSIVE_LEVEL);
    assert_int_equal(t.r[1].irql, 5);
    assert_int_equal(t.r[2].irql, DISPATCH_LEVEL);
    assert_int_equal(ndisdma_machine_now(m), 500);
    assert_int_equal(ndisdma_violation_count(m), 0);
    nd_kernel_disconnect_interrupt(d3.intr);
    nd_kernel_disconnect_interrupt(d4.intr);
    kt_done(m);
}

/* ---- timers ---- */

typedef struct tmr {
    trace *t;
    ndisdma_timer tm;
    unsigned id;
    uint64_t period;
    unsigned left;
    int irq;               /* raise this line when fired (-1: none) */
    ndisdma_timer *cancel; /* cancel this one when fired */
} tmr;

static void tmr_fire(ndisdma_machine *m, void *ctx)
{
    tmr *x = ctx;
    assert_ptr_equal(m, x->t->m);
    note(x->t, 'E', x->id, ctx);
    assert_false(ndisdma_timer_pending(&x->tm));
    if (x->cancel)
        assert_int_equal(ndisdma_timer_cancel(m, x->cancel), 0);
    if (x->irq >= 0)
        ndisdma_irq_pulse(m, (unsigned)x->irq);
    if (x->period && x->left) {
        x->left--;
        assert_int_equal(
            ndisdma_timer_schedule(m, &x->tm, ndisdma_machine_now(m) + x->period, tmr_fire, x), 0);
    }
}

static void tmr_init(tmr *x, trace *t, unsigned id)
{
    memset(x, 0, sizeof *x);
    x->t = t;
    x->id = id;
    x->irq = -1;
    ndisdma_timer_init(&x->tm);
}

static void timers(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    trace t = {.m = m};
    tmr x[6];
    for (unsigned i = 0; i < 6; i++)
        tmr_init(&x[i], &t, i);
    /* Time order, FIFO among equal times. */
    assert_int_equal(ndisdma_timer_schedule(m, &x[0].tm, 300, tmr_fire, &x[0]), 0);
    assert_int_equal(ndisdma_timer_schedule(m, &x[1].tm, 100, tmr_fire, &x[1]), 0);
    assert_int_equal(ndisdma_timer_schedule(m, &x[2].tm, 200, tmr_fire, &x[2]), 0);
    assert_int_equal(ndisdma_timer_schedule(m, &x[3].tm, 200, tmr_fire, &x[3]), 0);
    assert_true(ndisdma_timer_pending(&x[0].tm));
    assert_int_equal(ndisdma_timer_due(&x[0].tm), 300);
    /* Cancel one, move one. */
    assert_int_equal(ndisdma_timer_cancel(m, &x[2].tm), 0);
    assert_int_equal(ndisdma_timer_cancel(m, &x[2].tm), NDISDMA_ENOENT);
    assert_false(ndisdma_timer_pending(&x[2].tm));
    assert_int_equal(ndisdma_timer_schedule(m, &x[0].tm, 150, tmr_fire, &x[0]), 0);
    assert_int_equal(ndisdma_timer_due(&x[0].tm), 150);
    /* A periodic one, and one that cancels another when it fires. */
    x[4].period = 1000;
    x[4].left = 2;
    assert_int_equal(ndisdma_timer_schedule(m, &x[4].tm, 1000, tmr_fire, &x[4]), 0);
    x[5].cancel = &x[3].tm;
    assert_int_equal(ndisdma_timer_schedule(m, &x[5].tm, 120, tmr_fire, &x[5]), 0);
    assert_int_equal(ndisdma_machine_run_until_idle(m, 100000), 0);
    static const unsigned want[] = {1, 5, 0, 4, 4, 4};
    static const uint64_t at[] = {100, 120, 150, 1000, 2000, 3000};
    assert_int_equal(t.n, 6);
    for (unsigned i = 0; i < 6; i++) {
        assert_int_equal(t.r[i].line, want[i]);
        assert_int_equal(t.r[i].at, at[i]);
        assert_int_equal(t.r[i].irql, PASSIVE_LEVEL);
    }
    assert_int_equal(ndisdma_machine_now(m), 3000);

    /* A time already past means now; the timer's IRQ is delivered at once. */
    trace t2 = {.m = m};
    dev d;
    dev_init(&d, &t2, 14);
    dev_connect(&d, 4);
    x[1].t = &t2;
    x[1].irq = 14;
    assert_int_equal(ndisdma_timer_schedule(m, &x[1].tm, 5, tmr_fire, &x[1]), 0);
    assert_int_equal(ndisdma_timer_due(&x[1].tm), 3000);
    assert_int_equal(ndisdma_machine_run(m, 0), 0);
    assert_int_equal(t2.n, 2);
    assert_int_equal(t2.r[0].what, 'E');
    assert_int_equal(t2.r[1].what, 'I');
    assert_int_equal(t2.r[1].at, 3000);
    nd_kernel_disconnect_interrupt(d.intr);

    /* A pending timer belongs to its machine. */
    ndisdma_machine *m2 = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    assert_int_equal(ndisdma_timer_schedule(m, &x[2].tm, 5000, tmr_fire, &x[2]), 0);
    assert_int_equal(ndisdma_timer_schedule(m2, &x[2].tm, 5000, tmr_fire, &x[2]), NDISDMA_EBUSY);
    assert_int_equal(ndisdma_timer_cancel(m2, &x[2].tm), NDISDMA_ENOENT);
    assert_true(ndisdma_timer_pending(&x[2].tm));
    /* Destroying the machine forgets its timers: they are idle again and
       may be scheduled elsewhere. */
    assert_int_equal(ndisdma_violation_count(m), 0);
    kt_done(m);
    assert_false(ndisdma_timer_pending(&x[2].tm));
    assert_int_equal(ndisdma_timer_schedule(m2, &x[2].tm, 5000, tmr_fire, &x[2]), 0);
    assert_int_equal(ndisdma_timer_cancel(m2, &x[2].tm), 0);
    kt_done(m2);
}

/* ---- two machines ---- */

static void two_machines(void **state)
{
    (void)state;
    ndisdma_machine *a = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    ndisdma_machine *b = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    trace ta = {.m = a}, tb = {.m = b};
    dev da, db;
    dev_init(&da, &ta, 5);
    dev_init(&db, &tb, 5);
    dev_connect(&da, 6);
    dev_connect(&db, 7);
    ndisdma_irq_pulse(a, 5);
    assert_int_equal(ndisdma_machine_run(b, 100), 0);
    assert_int_equal(tb.n, 0);
    assert_int_equal(stats(b).requests[5], 0);
    assert_int_equal(stats(a).requested, 1u << 5);
    assert_int_equal(ndisdma_machine_run(a, 100), 0);
    assert_int_equal(ta.n, 1);
    assert_int_equal(ta.r[0].irql, 6);
    ndisdma_irq_pulse(b, 9); /* spurious on b only */
    ndisdma_irq_pulse(b, 5);
    assert_int_equal(ndisdma_machine_run(b, 100), 0);
    assert_int_equal(tb.n, 1);
    assert_int_equal(tb.r[0].irql, 7);
    assert_int_equal(stats(b).spurious[9], 1);
    assert_int_equal(stats(a).spurious[9], 0);
    assert_int_equal(stats(a).delivered[5], 1);
    /* A machine destroyed with an interrupt connected orphans it; the late
       disconnect only frees it. */
    kt_done(b);
    nd_kernel_disconnect_interrupt(db.intr);
    ndisdma_irq_pulse(a, 5);
    assert_int_equal(ndisdma_machine_run(a, 100), 0);
    assert_int_equal(ta.n, 2);
    nd_kernel_disconnect_interrupt(da.intr);
    kt_done(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_arguments),
        cmocka_unit_test(isr_at_dirql),
        cmocka_unit_test(edge_semantics),
        cmocka_unit_test(irq_from_dma_callback),
        cmocka_unit_test(irq_from_dma_burst_on_time),
        cmocka_unit_test(priority_order),
        cmocka_unit_test(nested_in_stall),
        cmocka_unit_test(spurious_counted),
        cmocka_unit_test(synchronize_at_dirql),
        cmocka_unit_test(isr_contract),
        cmocka_unit_test(interrupts_preempt_dpcs),
        cmocka_unit_test(timers),
        cmocka_unit_test(two_machines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
