/*
 * The tracer: one observer per machine feeding a bounded ring and/or a
 * stream (see <ndisdma/trace.h> for the contract, trace_impl.h for the
 * pieces).
 *
 * Concept. The observer turns each machine event into a record: the event
 * itself (static strings by pointer; a violation's text, valid only during
 * the callback, copied into storage the ring owns), a sequence number, and a
 * snapshot of the eight DMA channels read with the side-effect-free
 * snapshot call. A burst becomes three records: DACK raised, the burst, DACK
 * dropped, each with the burst's bus time (units times the channel's cycle
 * time). The ring keeps the first records and counts the ones it had to
 * drop. The observer only reads the machine: tracing never changes a run,
 * and with no tracer the hot paths build no event at all.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/clock.h"
#include "machine/machine.h"
#include "trace/trace_impl.h"

struct nd_trace {
    ndisdma_machine *m;
    int obs_id; /* observer id, 0 when not observing */
    uint64_t seq;
    uint64_t bus_ns; /* end of the last burst on the bus */
    /* ring */
    bool recording;
    ndisdma_trace_record *ring;
    char **text; /* per slot: owned copy of a violation's text, or NULL */
    size_t cap, count;
    uint64_t dropped;
    nd_trace_initial ring_init;
    /* stream */
    bool streaming;
    nd_trace_writer stream;
};

static void snapshot(const ndisdma_machine *m, ndisdma_trace_channel chan[NDISDMA_DMA_CHANNELS])
{
    for (unsigned ch = 0; ch < NDISDMA_DMA_CHANNELS; ch++) {
        ndisdma_dma_channel_state st;
        if (nd_hw_dma_get_channel(&m->hw, ch, &st) != 0)
            memset(&st, 0, sizeof st);
        const bool req = st.dreq || st.software_request;
        chan[ch] = (ndisdma_trace_channel){.address = st.current_address,
                                           .count = st.current_count,
                                           .page = st.page,
                                           .masked = st.masked,
                                           .dreq = req,
                                           .pending = req && !st.masked};
    }
}

static void take_initial(const ndisdma_machine *m, nd_trace_initial *init)
{
    init->time_ns = m->hw.now_ns;
    init->irq_level = m->hw.pic.level;
    snapshot(m, init->chan);
}

static void ring_clear(nd_trace *t)
{
    if (t->text)
        for (size_t i = 0; i < t->count; i++)
            free(t->text[i]);
    free(t->text);
    free(t->ring);
    t->text = NULL;
    t->ring = NULL;
    t->cap = t->count = 0;
    t->dropped = 0;
}

static void push(nd_trace *t, ndisdma_trace_record *r)
{
    r->seq = t->seq++;
    if (t->recording) {
        if (t->count == t->cap) {
            t->dropped++;
        } else {
            ndisdma_trace_record *slot = &t->ring[t->count];
            *slot = *r;
            if (r->ev.text) {
                size_t n = strlen(r->ev.text) + 1;
                char *copy = malloc(n);
                if (copy)
                    memcpy(copy, r->ev.text, n);
                t->text[t->count] = copy;
                slot->ev.text = copy ? copy : "(text lost: out of memory)";
            }
            t->count++;
        }
    }
    if (t->streaming)
        nd_trace_write_record(&t->stream, r);
}

static uint32_t burst_ns(const ndisdma_machine *m, const ndisdma_event *ev)
{
    uint32_t unit = m->kernel ? nd_kernel_dma_speed(m->kernel, ev->channel) : 0;
    if (!unit)
        unit = ND_DMA_DEFAULT_UNIT_NS;
    uint64_t d = (uint64_t)ev->units * unit;
    return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

static void observe(void *ctx, const ndisdma_event *ev)
{
    nd_trace *t = ctx;
    ndisdma_trace_record r;
    memset(&r, 0, sizeof r);
    r.ev = *ev;
    snapshot(t->m, r.chan);
    if (ev->kind == NDISDMA_EV_BURST) {
        r.dur_ns = burst_ns(t->m, ev);
        const uint64_t carry = t->m->hw.carry_ns;
        r.start_ns = ev->time_ns > carry ? ev->time_ns - carry : 0;
        if (r.start_ns < t->bus_ns)
            r.start_ns = t->bus_ns;
        t->bus_ns = r.start_ns + r.dur_ns;
        ndisdma_trace_record d = r;
        memset(&d.ev, 0, sizeof d.ev);
        d.ev.kind = (ndisdma_event_kind)NDISDMA_EV_DACK;
        d.ev.time_ns = ev->time_ns;
        d.ev.channel = ev->channel;
        d.ev.value = 1;
        ndisdma_trace_record up = d;
        push(t, &up);
        push(t, &r);
        d.ev.value = 0;
        push(t, &d);
        return;
    }
    push(t, &r);
}

static nd_trace *get_trace(ndisdma_machine *m)
{
    if (!m->trace) {
        m->trace = calloc(1, sizeof *m->trace);
        if (m->trace)
            m->trace->m = m;
    }
    return m->trace;
}

static int observe_on(nd_trace *t)
{
    if (t->obs_id > 0)
        return 0;
    int id = nd_observers_add(&t->m->hw.obs, observe, t);
    if (id < 0)
        return id;
    t->obs_id = id;
    return 0;
}

static void observe_off_if_idle(nd_trace *t)
{
    if (t->obs_id > 0 && !t->recording && !t->streaming) {
        nd_observers_remove(&t->m->hw.obs, t->obs_id);
        t->obs_id = 0;
    }
}

void nd_trace_destroy(nd_trace *t)
{
    if (!t)
        return;
    if (t->streaming) {
        nd_trace_write_end(&t->stream);
        nd_trace_writer_fini(&t->stream);
        t->streaming = false;
    }
    t->recording = false;
    observe_off_if_idle(t);
    ring_clear(t);
    free(t);
}

int ndisdma_trace_start(ndisdma_machine *m, size_t capacity)
{
    if (!m)
        return NDISDMA_EINVAL;
    nd_trace *t = get_trace(m);
    if (!t)
        return NDISDMA_ENOMEM;
    if (t->recording)
        return NDISDMA_ESTATE;
    if (!capacity)
        capacity = NDISDMA_TRACE_DEFAULT_CAPACITY;
    ring_clear(t);
    t->ring = malloc(capacity * sizeof *t->ring);
    t->text = calloc(capacity, sizeof *t->text);
    if (!t->ring || !t->text) {
        ring_clear(t);
        return NDISDMA_ENOMEM;
    }
    t->cap = capacity;
    int rc = observe_on(t);
    if (rc < 0) {
        ring_clear(t);
        return rc;
    }
    take_initial(m, &t->ring_init);
    t->recording = true;
    return 0;
}

int ndisdma_trace_stop(ndisdma_machine *m)
{
    if (!m)
        return NDISDMA_EINVAL;
    if (!m->trace || !m->trace->recording)
        return NDISDMA_ESTATE;
    m->trace->recording = false;
    observe_off_if_idle(m->trace);
    return 0;
}

size_t ndisdma_trace_count(const ndisdma_machine *m)
{
    return m && m->trace ? m->trace->count : 0;
}

uint64_t ndisdma_trace_dropped(const ndisdma_machine *m)
{
    return m && m->trace ? m->trace->dropped : 0;
}

int ndisdma_trace_get(const ndisdma_machine *m, size_t index, ndisdma_trace_record *out)
{
    if (!m || !out)
        return NDISDMA_EINVAL;
    if (!m->trace || index >= m->trace->count)
        return NDISDMA_ERANGE;
    *out = m->trace->ring[index];
    return 0;
}

int ndisdma_trace_export(const ndisdma_machine *m, ndisdma_trace_format fmt, FILE *f)
{
    if (!m || !f || (unsigned)fmt > NDISDMA_TRACE_VCD_BITS || !m->trace || !m->trace->ring)
        return NDISDMA_EINVAL;
    const nd_trace *t = m->trace;
    nd_trace_writer w;
    nd_trace_writer_init(&w, fmt, f);
    nd_trace_write_begin(&w, &t->ring_init);
    for (size_t i = 0; i < t->count && !w.err; i++)
        nd_trace_write_record(&w, &t->ring[i]);
    nd_trace_write_end(&w);
    int rc = w.err;
    nd_trace_writer_fini(&w);
    return rc;
}

int ndisdma_trace_export_path(const ndisdma_machine *m, ndisdma_trace_format fmt, const char *path)
{
    if (!m || !path || (unsigned)fmt > NDISDMA_TRACE_VCD_BITS || !m->trace || !m->trace->ring)
        return NDISDMA_EINVAL;
    FILE *f = fopen(path, "wb");
    if (!f)
        return NDISDMA_EIO;
    int rc = ndisdma_trace_export(m, fmt, f);
    if (fclose(f) != 0 && rc == 0)
        rc = NDISDMA_EIO;
    return rc;
}

int ndisdma_trace_stream_start(ndisdma_machine *m, ndisdma_trace_format fmt, FILE *f)
{
    if (!m || !f || (unsigned)fmt > NDISDMA_TRACE_VCD_BITS)
        return NDISDMA_EINVAL;
    nd_trace *t = get_trace(m);
    if (!t)
        return NDISDMA_ENOMEM;
    if (t->streaming)
        return NDISDMA_ESTATE;
    int rc = observe_on(t);
    if (rc < 0)
        return rc;
    nd_trace_writer_init(&t->stream, fmt, f);
    nd_trace_initial init;
    take_initial(m, &init);
    nd_trace_write_begin(&t->stream, &init);
    t->streaming = true;
    return 0;
}

int ndisdma_trace_stream_stop(ndisdma_machine *m)
{
    if (!m)
        return NDISDMA_EINVAL;
    nd_trace *t = m->trace;
    if (!t || !t->streaming)
        return NDISDMA_ESTATE;
    nd_trace_write_end(&t->stream);
    int rc = t->stream.err;
    nd_trace_writer_fini(&t->stream);
    t->streaming = false;
    observe_off_if_idle(t);
    return rc;
}
