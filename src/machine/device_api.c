/*
 * <ndisdma/device.h>: host API for device models, over the hardware's IRQ
 * lines (hw/pic.c) and the kernel's event queue (kernel/clock.c).
 *
 * Timers. An ndisdma_timer is caller-owned storage that holds an nd_event
 * and the public callback; the kernel's queue links the nd_event in place,
 * so scheduling never allocates. A zeroed timer is idle. A timer that was
 * ever scheduled carries a stamp and the machine it was scheduled on, so
 * that a pending timer is recognised (and unlinked before it is rescheduled)
 * and a timer pending on another machine is refused rather than corrupting
 * two queues.
 */
#include <assert.h>
#include <stdalign.h>
#include <string.h>

#include <ndisdma/device.h>

#include "kernel/interrupt.h"
#include "machine/machine.h"

/* ---- IRQ lines ---- */

int ndisdma_irq_set(ndisdma_machine *m, unsigned line, bool level)
{
    if (!m)
        return NDISDMA_EINVAL;
    return nd_hw_irq_set(&m->hw, line, level);
}

int ndisdma_irq_pulse(ndisdma_machine *m, unsigned line)
{
    int rc = ndisdma_irq_set(m, line, true);
    if (rc == 0)
        rc = ndisdma_irq_set(m, line, false);
    return rc;
}

int ndisdma_irq_get_stats(const ndisdma_machine *m, ndisdma_irq_stats *out)
{
    if (!m || !out)
        return NDISDMA_EINVAL;
    memset(out, 0, sizeof *out);
    nd_kernel_irq_get_stats(m->kernel, out);
    return 0;
}

/* ---- timers ---- */

#define ND_TIMER_STAMP 0x6E64746D72ull /* "ndtmr" */

typedef struct nd_timer {
    nd_event ev;
    uint64_t stamp; /* ND_TIMER_STAMP once scheduled */
    ndisdma_machine *m;
    ndisdma_timer_fn fn;
    void *ctx;
} nd_timer;

static_assert(sizeof(nd_timer) <= sizeof(ndisdma_timer), "ndisdma_timer is too small");
static_assert(alignof(nd_timer) <= alignof(ndisdma_timer), "ndisdma_timer is misaligned");

static nd_timer *timer_of(ndisdma_timer *t)
{
    return (nd_timer *)(void *)t->opaque;
}

static const nd_timer *ctimer_of(const ndisdma_timer *t)
{
    return (const nd_timer *)(const void *)t->opaque;
}

/* True when @ti is linked in some machine's queue. */
static bool timer_linked(const nd_timer *ti)
{
    return ti->stamp == ND_TIMER_STAMP && ti->m && nd_event_pending(&ti->ev);
}

static void timer_fire(nd_kernel *k, void *ctx)
{
    (void)k;
    nd_timer *ti = ctx;
    /* The callback may reschedule or free the timer: read it first and do
       not touch it afterwards. */
    ndisdma_timer_fn fn = ti->fn;
    ndisdma_machine *m = ti->m;
    void *fctx = ti->ctx;
    fn(m, fctx);
}

void ndisdma_timer_init(ndisdma_timer *t)
{
    if (t)
        memset(t, 0, sizeof *t);
}

int ndisdma_timer_schedule(ndisdma_machine *m, ndisdma_timer *t, uint64_t at_ns,
                           ndisdma_timer_fn fn, void *ctx)
{
    if (!m || !t || !fn)
        return NDISDMA_EINVAL;
    nd_timer *ti = timer_of(t);
    if (timer_linked(ti)) {
        if (ti->m != m)
            return NDISDMA_EBUSY;
        nd_event_cancel(m->kernel, &ti->ev);
    }
    nd_event_init(&ti->ev, timer_fire, ti);
    ti->stamp = ND_TIMER_STAMP;
    ti->m = m;
    ti->fn = fn;
    ti->ctx = ctx;
    nd_event_schedule(m->kernel, &ti->ev, at_ns);
    return 0;
}

int ndisdma_timer_cancel(ndisdma_machine *m, ndisdma_timer *t)
{
    if (!m || !t)
        return NDISDMA_EINVAL;
    nd_timer *ti = timer_of(t);
    if (!timer_linked(ti) || ti->m != m)
        return NDISDMA_ENOENT;
    nd_event_cancel(m->kernel, &ti->ev);
    return 0;
}

bool ndisdma_timer_pending(const ndisdma_timer *t)
{
    return t && timer_linked(ctimer_of(t));
}

uint64_t ndisdma_timer_due(const ndisdma_timer *t)
{
    if (!ndisdma_timer_pending(t))
        return UINT64_MAX;
    return ctimer_of(t)->ev.at_ns;
}
