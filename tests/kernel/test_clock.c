/*
 * Virtual time: invalid input first, then the clock, the event queue
 * (time order, FIFO among equal times, cancel, reschedule, past times), DPCs
 * at DISPATCH_LEVEL, run_until_idle, KeStallExecutionProcessor, and DMA that
 * takes virtual time (the count register moves between two
 * ndisdma_machine_run calls, at the rate of the channel's DmaSpeed).
 */
#include "ktest.h"
#include "verify/verify.h"

#include <string.h>

/* ---- a log of callbacks ---- */
typedef struct entry {
    char tag;
    uint64_t at;
    KIRQL irql;
} entry;

typedef struct log {
    nd_kernel *k;
    entry e[64];
    unsigned n;
} log;

typedef struct tagged {
    log *lg;
    char tag;
    nd_event ev;
    nd_dpc dpc;
    nd_event *also;    /* schedule this at now when fired */
    nd_dpc *queue;     /* queue this DPC when fired */
    uint64_t period;   /* reschedule itself */
    bool stall;        /* KeStallExecutionProcessor(5) when fired */
    bool leave_raised; /* return at a different IRQL */
    ndisdma_machine *nested_run;
    int nested_rc;
} tagged;

static void note(log *lg, char tag)
{
    entry *e = &lg->e[lg->n++];
    e->tag = tag;
    e->at = nd_kernel_now(lg->k);
    e->irql = KeGetCurrentIrql();
}

static void fire(nd_kernel *k, void *ctx)
{
    tagged *t = ctx;
    note(t->lg, t->tag);
    if (t->also)
        nd_event_schedule(k, t->also, nd_kernel_now(k));
    if (t->queue)
        nd_dpc_queue(k, t->queue, t->queue->ctx, NULL);
    if (t->period)
        nd_event_schedule(k, &t->ev, nd_kernel_now(k) + t->period);
    if (t->stall)
        KeStallExecutionProcessor(5);
    if (t->nested_run)
        t->nested_rc = ndisdma_machine_run(t->nested_run, 10);
    if (t->leave_raised) {
        KIRQL old;
        KeRaiseIrql(HIGH_LEVEL, &old);
    }
}

static void dpc_fire(nd_kernel *k, void *ctx, void *arg1, void *arg2)
{
    (void)k;
    (void)arg2;
    tagged *t = ctx;
    assert_ptr_equal(arg1, ctx);
    note(t->lg, t->tag);
    if (t->leave_raised)
        KeLowerIrql(PASSIVE_LEVEL);
}

static void tag_init(tagged *t, log *lg, char tag)
{
    memset(t, 0, sizeof *t);
    t->lg = lg;
    t->tag = tag;
    nd_event_init(&t->ev, fire, t);
    nd_dpc_init(&t->dpc, dpc_fire, t);
}

/* The verifier's copy of the observer count (the DDI bracket's fast path
   tests it, verify.h) equals the hardware's count after every attach and
   detach (the observer list updates it through obs.mirror). */
static void quiet_observer(void *ctx, const ndisdma_event *ev)
{
    (void)ctx;
    (void)ev;
}

static void verifier_follows_observers(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    const nd_verify *vs = nd_kernel_verify(m->kernel);
    assert_int_equal(vs->obs_active, m->hw.obs.active);
    int a = ndisdma_observer_add(m, quiet_observer, NULL);
    int b = ndisdma_observer_add(m, quiet_observer, NULL);
    assert_true(a > 0 && b > 0);
    assert_int_equal(vs->obs_active, 2);
    assert_int_equal(ndisdma_observer_remove(m, a), 0);
    assert_int_equal(vs->obs_active, 1);
    assert_int_equal(ndisdma_observer_remove(m, a), NDISDMA_ENOENT);
    assert_int_equal(vs->obs_active, 1);
    assert_int_equal(ndisdma_observer_remove(m, b), 0);
    assert_int_equal(vs->obs_active, 0);
    assert_int_equal(vs->depth, 0);
    assert_ptr_equal(m->hw.obs.mirror, &vs->obs_active);
    kt_done(m);
}

static void invalid_input(void **state)
{
    (void)state;
    assert_int_equal(ndisdma_machine_run(NULL, 10), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_machine_run_until_idle(NULL, 10), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_machine_now(NULL), 0);
    assert_int_equal(ndisdma_dma_set_unit_time(NULL, 1, 100), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_dma_unit_time(NULL, 1), 0);
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    assert_int_equal(ndisdma_dma_set_unit_time(m, 8, 100), NDISDMA_ECHANNEL);
    assert_int_equal(ndisdma_dma_unit_time(m, 8), 0);
    assert_int_equal(nd_kernel_dma_speed_unit_ns(MaximumDmaSpeed), 0);
    assert_int_equal(ndisdma_device_object_create(NULL, 0, NULL), NDISDMA_EINVAL);
    PDEVICE_OBJECT d = (PDEVICE_OBJECT)1;
    assert_int_equal(ndisdma_device_object_create(NULL, 0, &d), NDISDMA_EINVAL);
    assert_null(d);
    ndisdma_device_object_destroy(NULL);
    kt_done(m);
}

static void clock_and_devices(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    assert_int_equal(ndisdma_machine_now(m), 0);
    assert_int_equal(ndisdma_machine_run(m, 0), 0);
    assert_int_equal(ndisdma_machine_now(m), 0);
    assert_int_equal(ndisdma_machine_run(m, 12345), 0);
    assert_int_equal(ndisdma_machine_now(m), 12345);
    assert_int_equal(m->hw.now_ns, 12345);
    /* The host thread is not left bound by a run. */
    assert_null(ndisdma_thread_machine());
    /* Idle machine: run_until_idle returns at once. */
    assert_int_equal(ndisdma_machine_run_until_idle(m, 1000000), 0);
    assert_int_equal(ndisdma_machine_now(m), 12345);
    /* Device objects lead to the machine's kernel. */
    PDEVICE_OBJECT dev;
    assert_int_equal(ndisdma_device_object_create(m, 64, &dev), 0);
    assert_ptr_equal(dev->NdisdmaKernel, m->kernel);
    assert_non_null(dev->DeviceExtension);
    assert_int_equal(((uint8_t *)dev->DeviceExtension)[63], 0);
    ndisdma_device_object_destroy(dev);
    assert_int_equal(ndisdma_device_object_create(m, 0, &dev), 0);
    assert_null(dev->DeviceExtension);
    ndisdma_device_object_destroy(dev);
    kt_done(m);
}

static void event_order(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_kernel *k = m->kernel;
    log lg = {.k = k};
    tagged a, b, c, d, e, f;
    tag_init(&a, &lg, 'a');
    tag_init(&b, &lg, 'b');
    tag_init(&c, &lg, 'c');
    tag_init(&d, &lg, 'd');
    tag_init(&e, &lg, 'e');
    tag_init(&f, &lg, 'f');
    nd_event_schedule(k, &c.ev, 300);
    nd_event_schedule(k, &a.ev, 100);
    nd_event_schedule(k, &b.ev, 200);
    nd_event_schedule(k, &d.ev, 100); /* same time as a: after a */
    nd_event_schedule(k, &e.ev, 250);
    assert_int_equal(nd_kernel_events_pending(k), 5);
    assert_true(nd_event_cancel(k, &e.ev));
    assert_false(nd_event_cancel(k, &e.ev));
    assert_false(nd_event_pending(&e.ev));
    /* Moving a pending event: b from 200 to 50. */
    nd_event_schedule(k, &b.ev, 50);
    assert_int_equal(nd_kernel_events_pending(k), 4);
    /* An event fired at 100 schedules f for "now": f runs after d, which was
       scheduled earlier for the same time. */
    a.also = &f.ev;
    assert_int_equal(ndisdma_machine_run(m, 99), 0);
    assert_int_equal(lg.n, 1);
    assert_int_equal(ndisdma_machine_run(m, 1), 0); /* events due exactly at the end run */
    assert_int_equal(ndisdma_machine_run(m, 1000), 0);
    const char *want = "badfc";
    const uint64_t at[] = {50, 100, 100, 100, 300};
    assert_int_equal(lg.n, 5);
    for (unsigned i = 0; i < 5; i++) {
        assert_int_equal(lg.e[i].tag, want[i]);
        assert_int_equal(lg.e[i].at, at[i]);
        assert_int_equal(lg.e[i].irql, PASSIVE_LEVEL);
    }
    /* A time in the past means now. */
    nd_event_schedule(k, &e.ev, 5);
    assert_int_equal(ndisdma_machine_run(m, 0), 0);
    assert_int_equal(lg.e[5].tag, 'e');
    assert_int_equal(lg.e[5].at, 1100);
    assert_int_equal(nd_kernel_events_pending(k), 0);
    kt_done(m);
}

static void dpcs(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_kernel *k = m->kernel;
    log lg = {.k = k};
    tagged ev, x, y, z;
    tag_init(&ev, &lg, 'E');
    tag_init(&x, &lg, 'x');
    tag_init(&y, &lg, 'y');
    tag_init(&z, &lg, 'z');
    /* Queued from the host: run at the start of the next run, in order, at
       DISPATCH_LEVEL; a second insert of a queued DPC is refused. */
    assert_true(nd_dpc_queue(k, &x.dpc, &x, NULL));
    assert_false(nd_dpc_queue(k, &x.dpc, &x, NULL));
    assert_true(nd_dpc_queue(k, &y.dpc, &y, NULL));
    assert_true(nd_dpc_queue(k, &z.dpc, &z, NULL));
    assert_true(nd_dpc_remove(k, &y.dpc));
    assert_false(nd_dpc_remove(k, &y.dpc));
    assert_int_equal(lg.n, 0);
    /* An event queues y: it runs right after the event, at the same time. */
    ev.queue = &y.dpc;
    nd_event_schedule(k, &ev.ev, 700);
    assert_int_equal(ndisdma_machine_run(m, 1000), 0);
    assert_int_equal(lg.n, 4);
    assert_int_equal(lg.e[0].tag, 'x');
    assert_int_equal(lg.e[0].irql, DISPATCH_LEVEL);
    assert_int_equal(lg.e[0].at, 0);
    assert_int_equal(lg.e[1].tag, 'z');
    assert_int_equal(lg.e[2].tag, 'E');
    assert_int_equal(lg.e[2].irql, PASSIVE_LEVEL);
    assert_int_equal(lg.e[3].tag, 'y');
    assert_int_equal(lg.e[3].at, 700);
    assert_int_equal(lg.e[3].irql, DISPATCH_LEVEL);
    /* A DPC that returns at the wrong IRQL is a violation. */
    x.leave_raised = true;
    nd_dpc_queue(k, &x.dpc, &x, NULL);
    assert_int_equal(ndisdma_machine_run(m, 0), 0);
    kt_expect_violation(m, 0, "DPC");
    /* So is an event callback that changes the IRQL. */
    tagged r;
    tag_init(&r, &lg, 'r');
    r.leave_raised = true;
    nd_event_schedule(k, &r.ev, 0);
    assert_int_equal(ndisdma_machine_run(m, 0), 0);
    kt_expect_violation(m, 1, "event");
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    kt_done(m);
}

static void until_idle_and_stall(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_kernel *k = m->kernel;
    log lg = {.k = k};
    tagged a, p, s, q, n;
    tag_init(&a, &lg, 'a');
    tag_init(&p, &lg, 'p');
    tag_init(&s, &lg, 's');
    tag_init(&q, &lg, 'q');
    tag_init(&n, &lg, 'n');
    /* Time jumps to the next event; idle when nothing is left. */
    nd_event_schedule(k, &a.ev, 5000000);
    assert_int_equal(ndisdma_machine_run_until_idle(m, 10000000), 0);
    assert_int_equal(ndisdma_machine_now(m), 5000000);
    /* Not idle within the limit: EBUSY at the limit. */
    nd_event_schedule(k, &a.ev, 9000000);
    assert_int_equal(ndisdma_machine_run_until_idle(m, 1000000), NDISDMA_EBUSY);
    assert_int_equal(ndisdma_machine_now(m), 6000000);
    assert_true(nd_event_cancel(k, &a.ev));
    /* A periodic event is never idle. */
    p.period = 1000;
    nd_event_schedule(k, &p.ev, ndisdma_machine_now(m));
    assert_int_equal(ndisdma_machine_run_until_idle(m, 10500), NDISDMA_EBUSY);
    assert_int_equal(lg.n, 1 + 11);
    assert_true(nd_event_cancel(k, &p.ev));
    /* A stall advances time; events fire during it, DPCs wait. */
    uint64_t t0 = ndisdma_machine_now(m);
    lg.n = 0;
    q.queue = &n.dpc;
    nd_event_schedule(k, &q.ev, t0 + 2000);
    assert_int_equal(ndisdma_thread_bind(m), 0);
    KeStallExecutionProcessor(3);
    assert_int_equal(ndisdma_machine_now(m), t0 + 3000);
    assert_int_equal(lg.n, 1);
    assert_int_equal(lg.e[0].tag, 'q');
    assert_int_equal(lg.e[0].at, t0 + 2000);
    assert_int_equal(ndisdma_thread_unbind(m), 0);
    assert_int_equal(ndisdma_machine_run(m, 0), 0);
    assert_int_equal(lg.n, 2);
    assert_int_equal(lg.e[1].tag, 'n');
    /* A callback that stalls moves the clock past the run's end. */
    s.stall = true;
    t0 = ndisdma_machine_now(m);
    nd_event_schedule(k, &s.ev, t0 + 100);
    assert_int_equal(ndisdma_machine_run(m, 200), 0);
    assert_int_equal(ndisdma_machine_now(m), t0 + 100 + 5000);
    /* A nested run from a callback is refused. */
    n.nested_run = m;
    nd_event_schedule(k, &n.ev, ndisdma_machine_now(m));
    assert_int_equal(ndisdma_machine_run(m, 0), 0);
    assert_int_equal(n.nested_rc, NDISDMA_ESTATE);
    kt_done(m);
}

/* A DPC that queues itself forever: the run stops with a violation instead
   of hanging. */
static void requeue(nd_kernel *k, void *ctx, void *arg1, void *arg2)
{
    nd_dpc_queue(k, ctx, arg1, arg2);
}

static void livelock(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    nd_dpc d;
    nd_dpc_init(&d, requeue, &d);
    nd_dpc_queue(m->kernel, &d, NULL, NULL);
    assert_int_equal(ndisdma_machine_run(m, 1000), NDISDMA_ESTATE);
    kt_expect_violation(m, 0, "ndisdma_machine_run");
    assert_true(nd_dpc_remove(m->kernel, &d));
    assert_int_equal(ndisdma_machine_run(m, 1000), 0);
    assert_int_equal(ndisdma_machine_now(m), 1000);
    kt_done(m);
}

/* ---- DMA in virtual time ---- */

typedef struct sink {
    size_t got;
} sink;

static size_t sink_from(void *ctx, unsigned ch, uint8_t *data, size_t len)
{
    (void)ch;
    sink *s = ctx;
    memset(data, 0x42, len);
    s->got += len;
    return len;
}

/* The driver that polls NdisMReadDmaCounter sees the count move between two
   runs, at one unit per 960 ns (compatible timing) on channel 2. */
static void dma_takes_time(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    assert_int_equal(ndisdma_dma_unit_time(m, 2), 960);
    sink s = {0};
    ndisdma_dma_device dev = {.from_device = sink_from};
    assert_int_equal(ndisdma_dma_attach(m, 2, &dev, &s), 0);
    kt_program(m, 2, 0x44 /* single, write */, 0x10000, 1000);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(kt_read_count(m, 2), 999);
    assert_int_equal(ndisdma_machine_run(m, 100000), 0);
    /* 100 us / 960 ns = 104 units (104 * 960 = 99,840 ns). */
    assert_int_equal(s.got, 104);
    assert_int_equal(kt_read_count(m, 2), 999 - 104);
    /* The 160 ns left over are not lost: 860 ns more complete unit 105. */
    assert_int_equal(ndisdma_machine_run(m, 799), 0);
    assert_int_equal(s.got, 104);
    assert_int_equal(ndisdma_machine_run(m, 1), 0);
    assert_int_equal(s.got, 105);
    assert_int_equal(kt_read_count(m, 2), 999 - 105);
    /* Run to the end: idle exactly when the last unit ends. */
    assert_int_equal(ndisdma_machine_run_until_idle(m, 10000000), 0);
    assert_int_equal(s.got, 1000);
    assert_int_equal(ndisdma_machine_now(m), 1000 * 960);
    assert_int_equal(kt_read_count(m, 2), 0xFFFF); /* terminal count */
    uint8_t b;
    assert_int_equal(ndisdma_phys_read(m, 0x10000 + 999, &b, 1), 0);
    assert_int_equal(b, 0x42);
    kt_done(m);
}

/* 16-bit channels move a word per cycle; DmaSpeed sets the cycle time. */
static void dma_speed(void **state)
{
    (void)state;
    assert_int_equal(nd_kernel_dma_speed_unit_ns(Compatible), 960);
    assert_int_equal(nd_kernel_dma_speed_unit_ns(TypeA), 720);
    assert_int_equal(nd_kernel_dma_speed_unit_ns(TypeB), 480);
    assert_int_equal(nd_kernel_dma_speed_unit_ns(TypeC), 120);
    assert_int_equal(nd_kernel_dma_speed_unit_ns(TypeF), 360);
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    assert_int_equal(nd_kernel_set_dma_speed(m->kernel, 5, nd_kernel_dma_speed_unit_ns(TypeC)), 0);
    assert_int_equal(ndisdma_dma_unit_time(m, 5), 120);
    sink s = {0};
    ndisdma_dma_device dev = {.from_device = sink_from};
    assert_int_equal(ndisdma_dma_attach(m, 5, &dev, &s), 0);
    kt_program(m, 5, 0x04 /* demand, write */, 0x40000, 4096);
    ndisdma_dma_request(m, 5, true);
    assert_int_equal(ndisdma_machine_run(m, 12000), 0);
    assert_int_equal(s.got, 100 * 2); /* 100 words in 12 us */
    assert_int_equal(kt_read_count(m, 5), 4095 - 100);
    assert_int_equal(ndisdma_machine_run_until_idle(m, 10000000), 0);
    assert_int_equal(s.got, 8192);
    assert_int_equal(ndisdma_machine_now(m), 4096 * 120);
    /* Back to the default. */
    assert_int_equal(ndisdma_dma_set_unit_time(m, 5, 0), 0);
    assert_int_equal(ndisdma_dma_unit_time(m, 5), 960);
    kt_done(m);
}

/* Hardware events carry the virtual time. */
static uint64_t last_burst_time;
static void observe(void *ctx, const ndisdma_event *ev)
{
    (void)ctx;
    if (ev->kind == NDISDMA_EV_BURST)
        last_burst_time = ev->time_ns;
}

static void events_carry_time(void **state)
{
    (void)state;
    ndisdma_machine *m = kt_machine(0, 0, NDISDMA_PLACEMENT_LOW);
    assert_true(ndisdma_observer_add(m, observe, NULL) > 0);
    sink s = {0};
    ndisdma_dma_device dev = {.from_device = sink_from};
    assert_int_equal(ndisdma_dma_attach(m, 1, &dev, &s), 0);
    kt_program(m, 1, 0x44, 0x20000, 200);
    assert_int_equal(ndisdma_machine_run(m, 50000), 0); /* no DREQ yet: time passes */
    ndisdma_dma_request(m, 1, true);
    last_burst_time = 0;
    assert_int_equal(ndisdma_machine_run_until_idle(m, 1000000), 0);
    assert_true(last_burst_time >= 50000);
    assert_true(last_burst_time < 50000 + 200 * 960);
    kt_done(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(invalid_input),        cmocka_unit_test(clock_and_devices),
        cmocka_unit_test(event_order),          cmocka_unit_test(dpcs),
        cmocka_unit_test(until_idle_and_stall), cmocka_unit_test(livelock),
        cmocka_unit_test(dma_takes_time),       cmocka_unit_test(dma_speed),
        cmocka_unit_test(events_carry_time),    cmocka_unit_test(verifier_follows_observers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
