/*
 * scenario.c - one end-to-end run of the SD-1 sample miniport (see
 * scenario.h for the concept).
 *
 * Flow control. The host keeps at most `window` frames with the miniport.
 * Frames go out as one NBL chain per refill: from host code between machine
 * runs (at PASSIVE_LEVEL) and from the send_complete callback (at the IRQL
 * the miniport completes at, told by NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL,
 * which ndisdma_adapter_send's flag must match). The callback refills once
 * half the window is free (`refill` slots, at least one), as a sender with
 * a window does rather than send one frame per completion (compare TCP's
 * window updates, RFC 1122 4.2.3.3), and as NDIS 6 NBL chains are meant to
 * be used: one MiniportSendNetBufferLists call carries the frames of a
 * refill. The miniport still holds the other half, so its transmit queue
 * never runs dry while frames remain. The NBLs whose sends completed wait
 * in `spare` for the refill. Receives are checked
 * against the frame expected next: frames in must equal frames out, in
 * order.
 *
 * Per frame (the benchmarks' path): an NBL whose send completed carries a
 * next frame (get_frame: what a put to the pool and a take from it would
 * give, without the pool's lookups), its header is written from a
 * template built once per run, its payload only when it is not already
 * there (keep_payload: a fixed-length run without faults or hook, where
 * nothing else writes the frames), and the receive only counts and compares
 * lengths unless the data is checked. The options the per-frame path reads
 * are copied into the scn at the start of the run.
 */
#include "scenario.h"

#include <stdlib.h>
#include <string.h>

#include <ndis.h>
#include <ndisdma/device.h>
#include <ndisdma/host.h>
#include <ndisdma/kernel.h>
#include <ndisdma/netif.h>
#include <ndisdma/verify.h>

/* The sample miniport's entry point (drivers/sample, library ndisdma_sample). */
DRIVER_INITIALIZE DriverEntry;

/* ---- frame lists ---- */

void scenario_frames_init(scenario_frames *f)
{
    memset(f, 0, sizeof *f);
}

void scenario_frames_free(scenario_frames *f)
{
    if (!f)
        return;
    free(f->data);
    free(f->offset);
    scenario_frames_init(f);
}

int scenario_frames_add(scenario_frames *f, const void *data, size_t len)
{
    if (!f || !data || len < SCENARIO_MIN_FRAME || len > SCENARIO_MAX_FRAME)
        return NDISDMA_EINVAL;
    if (f->count + 2 > f->cap_off) {
        size_t n = f->cap_off ? f->cap_off * 2 : 64;
        size_t *p = realloc(f->offset, n * sizeof *p);
        if (!p)
            return NDISDMA_ENOMEM;
        if (!f->cap_off)
            p[0] = 0;
        f->offset = p;
        f->cap_off = n;
    }
    size_t used = f->offset[f->count];
    if (used + len > f->cap_data) {
        size_t n = f->cap_data ? f->cap_data : 16384;
        while (n < used + len)
            n *= 2;
        uint8_t *p = realloc(f->data, n);
        if (!p)
            return NDISDMA_ENOMEM;
        f->data = p;
        f->cap_data = n;
    }
    memcpy(f->data + used, data, len);
    f->offset[f->count + 1] = used + len;
    f->count++;
    return 0;
}

size_t scenario_frames_len(const scenario_frames *f, size_t i)
{
    return f->offset[i + 1] - f->offset[i];
}

const uint8_t *scenario_frames_at(const scenario_frames *f, size_t i)
{
    return f->data + f->offset[i];
}

/* splitmix64: the frame mix's generator (seeded, deterministic). */
static uint64_t mix_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const uint8_t broadcast[6] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/* A header is FRAME_SEQ_AT bytes that are the same for every frame to one
   destination (destination, source, EtherType, "ndisdma": the template),
   then the 32-bit sequence number. */
#define FRAME_SEQ_AT   21u
#define FRAME_HEAD_LEN 25u

/* The header template to @dst (NULL: broadcast) into @t. */
static void frame_template(uint8_t t[FRAME_SEQ_AT], const uint8_t *dst)
{
    memcpy(t, dst ? dst : broadcast, 6);
    t[6] = 0x02; /* locally administered, unicast */
    t[7] = 0x00;
    t[8] = 0x5D;
    t[9] = 0x00;
    t[10] = 0x00;
    t[11] = 0x02;
    t[12] = (uint8_t)(SCENARIO_ETHERTYPE >> 8);
    t[13] = (uint8_t)SCENARIO_ETHERTYPE;
    memcpy(t + 14, "ndisdma", 7);
}

/* Header (template @t, sequence number @seq: 25 bytes) into @h. */
static inline void frame_head_put(uint8_t *h, const uint8_t *t, uint64_t seq)
{
    memcpy(h, t, FRAME_SEQ_AT);
    h[21] = (uint8_t)(seq >> 24);
    h[22] = (uint8_t)(seq >> 16);
    h[23] = (uint8_t)(seq >> 8);
    h[24] = (uint8_t)seq;
}

/* Header and sequence number; returns the bytes written (at most @len).
   A frame that holds the whole header gets it written in place; a shorter
   one gets its first @len bytes of it. */
static inline size_t frame_head(uint8_t *buf, size_t len, uint64_t seq, const uint8_t *t)
{
    if (len >= FRAME_HEAD_LEN) {
        frame_head_put(buf, t, seq);
        return FRAME_HEAD_LEN;
    }
    uint8_t h[FRAME_HEAD_LEN];
    frame_head_put(h, t, seq);
    memcpy(buf, h, len);
    return len;
}

/* scenario_frame_fill with the header template @t. */
static inline void frame_fill(uint8_t *buf, size_t len, uint64_t seq, const uint8_t *t)
{
    size_t n = frame_head(buf, len, seq, t);
    if (len > n)
        memset(buf + n, 0, len - n);
}

void scenario_frame_fill(uint8_t *buf, size_t len, uint64_t seq, const uint8_t *dst)
{
    uint8_t t[FRAME_SEQ_AT];
    frame_template(t, dst);
    frame_fill(buf, len, seq, t);
}

/* The seeded generator of frame @i: every frame of the mix is a function of
   (seed, index) alone, so a run of any length needs no frame storage. */
static uint64_t mix_seed(uint64_t seed, uint64_t i)
{
    uint64_t st = seed ^ 0x6E64697364616D61ull ^ (i * 0xD1B54A32D192ED03ull); /* "ndisdma" */
    return mix_next(&st);
}

size_t scenario_builtin_len(uint64_t seed, uint64_t i)
{
    static const uint16_t sizes[] = {60, 64, 128, 256, 512, 1024, 1514};
    if (i % 4 == 3)
        return 14 + (size_t)(mix_seed(seed, i) % (SCENARIO_MAX_FRAME - 14 + 1));
    return sizes[(i - i / 4) % (sizeof sizes / sizeof sizes[0])];
}

/* Frame @i of the built-in mix (@len bytes: scenario_builtin_len) into @buf,
   with the header template @t (to the destination the mix gives frame @i). */
static void builtin_fill(uint64_t seed, uint64_t i, const uint8_t *t, uint8_t *buf, size_t len)
{
    size_t n = frame_head(buf, len, i, t);
    uint64_t st = mix_seed(seed, i);
    for (size_t k = n; k < len; k += 8) {
        uint64_t v = mix_next(&st);
        size_t m = len - k < 8 ? len - k : 8;
        for (size_t b = 0; b < m; b++)
            buf[k + b] = (uint8_t)(v >> (8 * b));
    }
}

size_t scenario_builtin_frame(uint64_t seed, uint64_t i, const uint8_t *dst, uint8_t *buf)
{
    size_t len = scenario_builtin_len(seed, i);
    uint8_t t[FRAME_SEQ_AT];
    frame_template(t, i % 8 == 7 ? NULL : dst);
    builtin_fill(seed, i, t, buf, len);
    return len;
}

int scenario_frames_builtin(scenario_frames *f, uint64_t seed, size_t count, const uint8_t *dst)
{
    if (!f)
        return NDISDMA_EINVAL;
    uint8_t buf[SCENARIO_MAX_FRAME];
    for (size_t i = 0; i < count; i++) {
        size_t len = scenario_builtin_frame(seed, i, dst, buf);
        int rc = scenario_frames_add(f, buf, len);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- options ---- */

void scenario_options_init(scenario_options *o)
{
    memset(o, 0, sizeof *o);
    o->frames = SCENARIO_DEFAULT_FRAMES;
    o->channel = SCENARIO_DEFAULT_CHANNEL;
    o->io_base = 0x300;
    o->irq = 10;
    o->placement = NDISDMA_PLACEMENT_LOW;
    o->line_rate_bps = SCENARIO_DEFAULT_RATE_BPS;
    o->verify = SCENARIO_VERIFY_RECORD;
    o->window = SCENARIO_DEFAULT_WINDOW;
    o->check_data = true;
    o->stall_ns = SCENARIO_DEFAULT_STALL_NS;
    o->trace_format = NDISDMA_TRACE_JSONL;
}

/* ---- the run ---- */

typedef struct scn {
    const scenario_options *o;
    scenario_result *r;
    ndisdma_machine *m;
    sdnic *nic;
    ndisdma_driver *drv;
    ndisdma_adapter *a;
    ndisdma_frame_pool *pool;
    uint8_t mac[6];
    uint8_t head[FRAME_SEQ_AT];       /* header template to mac */
    uint8_t head_bcast[FRAME_SEQ_AT]; /* header template to broadcast */
    uint64_t total;                   /* frames to send */
    uint64_t next;                    /* next frame to send */
    uint64_t inflight;                /* with the miniport */
    uint64_t expect;                  /* index of the frame the next receive should be */
    uint64_t vseen;                   /* verifier findings sorted so far (scan_violations) */
    bool stop;                        /* no more sends (strict finding, send refused) */
    bool keep_payload;                /* get_frame may keep a payload in place (setup) */
    /* options the per-frame path reads, kept here at setup (o is one more load away) */
    bool strict;            /* o->verify == SCENARIO_VERIFY_STRICT */
    bool counters_only;     /* !o->check_data && !o->on_receive */
    unsigned fixed_len;     /* o->fixed_len */
    uint64_t window;        /* o->window */
    uint64_t refill;        /* free slots that make send_complete refill: window / 2, at least 1 */
    PNET_BUFFER_LIST spare; /* NBLs whose sends completed, for the next refill (last first) */
    uint8_t rx[SCENARIO_MAX_FRAME];
    uint8_t want[SCENARIO_MAX_FRAME];
} scn;

/* Frame @i to send: from the input list, the fixed-length fast path, or
   the built-in mix generated on the fly. */
static inline size_t frame_len(const scn *s, uint64_t i)
{
    if (s->fixed_len)
        return s->fixed_len;
    if (s->o->input)
        return scenario_frames_len(s->o->input, (size_t)i);
    return scenario_builtin_len(s->o->seed, i);
}

/* Write all @len bytes of frame @i into @buf: the fixed-length frame, the
   input list's, or the built-in mix's. */
static inline void frame_write(const scn *s, uint64_t i, uint8_t *buf, size_t len)
{
    if (s->fixed_len)
        frame_fill(buf, len, i, s->head);
    else if (s->o->input)
        memcpy(buf, scenario_frames_at(s->o->input, (size_t)i), len);
    else
        builtin_fill(s->o->seed, i, i % 8 == 7 ? s->head_bcast : s->head, buf, len);
}

/* The bytes of frame @i: the input list's, or generated into @scratch. */
static const uint8_t *frame_bytes(const scn *s, uint64_t i, uint8_t *scratch)
{
    if (s->o->input && !s->fixed_len)
        return scenario_frames_at(s->o->input, (size_t)i);
    frame_write(s, i, scratch, frame_len(s, i));
    return scratch;
}

/* The host pointer to the frame of one of the pool's NBLs, as
   ndisdma_frame_pool_take gave it; get_frame keeps it in the NBL's
   ProtocolReserved (the area NDIS leaves to the protocol that owns it). */
#define FRAME_BUF(_Nbl) (NET_BUFFER_LIST_PROTOCOL_RESERVED(_Nbl)[0])

/* The length of the fixed-length frame whose payload (the zeros after the
   header) the NBL's frame holds as get_frame last wrote it, or 0: kept next
   to FRAME_BUF when s->keep_payload says that nothing else writes it. */
#define FRAME_PAYLOAD_LEN(_Nbl) (NET_BUFFER_LIST_PROTOCOL_RESERVED(_Nbl)[1])

/*
 * get_frame - an NBL holding frame @i (@len bytes, every one of them written
 * here, since the frame lives in simulated memory where a faulty transfer
 * may have changed the bytes of the frame it held before; except the
 * payload of a fixed-length frame when s->keep_payload says nothing but
 * this function writes that memory and the NBL already holds it).
 * @reuse: an NBL of the pool whose send just completed, or NULL; when there
 * is one it is used (and *@reuse cleared) instead of a free one of the
 * pool. That is what ndisdma_frame_pool_put then ndisdma_frame_pool_take
 * would do: the pool hands out the NBL put last first, with DataLength
 * @len and NDIS_STATUS_SUCCESS, and the miniport gave it back with its
 * other fields as they were sent (it only writes the status and its
 * reserved areas); the pool's own bookkeeping is the same before the put
 * and after the take.
 */
static int get_frame(scn *s, uint64_t i, size_t len, PNET_BUFFER_LIST *reuse, PNET_BUFFER_LIST *nbl)
{
    if (*reuse) {
        *nbl = *reuse;
        *reuse = NULL;
        NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(*nbl)) = (ULONG)len;
        NET_BUFFER_LIST_STATUS(*nbl) = NDIS_STATUS_SUCCESS;
        if (s->keep_payload && FRAME_PAYLOAD_LEN(*nbl) == (PVOID)len) {
            /* the payload written last time is still there: the header only */
            frame_head(FRAME_BUF(*nbl), len, i, s->head);
            return 0;
        }
    } else {
        void *buf;
        int rc = ndisdma_frame_pool_take(s->pool, len, nbl, &buf);
        if (rc != 0)
            return rc;
        FRAME_BUF(*nbl) = buf;
    }
    frame_write(s, i, FRAME_BUF(*nbl), len);
    FRAME_PAYLOAD_LEN(*nbl) = s->keep_payload ? (PVOID)len : NULL;
    return 0;
}

/* Sort the findings recorded since the last look by severity. The kernel's
   log keeps the last NDISDMA_VIOLATION_LOG reports (none in count-only
   mode): a finding no longer (or never) in it counts as an error. No
   observer is used for this: an observer makes the machine build every
   event, which halves the speed of the data path. */
static void scan_violations(scn *s)
{
    uint64_t n = ndisdma_violation_count(s->m);
    for (; s->vseen < n; s->vseen++) {
        ndisdma_violation v;
        if (ndisdma_violation_get(s->m, s->vseen, &v) == 0 && v.severity != NDISDMA_SEV_ERROR)
            s->r->violation_warnings++;
        else
            s->r->violation_errors++;
    }
}

static bool strict_hit(scn *s)
{
    if (!s->strict)
        return false;
    scan_violations(s);
    return s->r->violation_errors > 0;
}

/* The NBLs waiting in s->spare go back to the pool, last completed first. */
static void spares_to_pool(scn *s)
{
    while (s->spare) {
        PNET_BUFFER_LIST nbl = s->spare;
        s->spare = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        ndisdma_frame_pool_put(s->pool, nbl);
    }
}

/* Send frames until the window is full, the pool is empty or all are out,
   as one chain. Each frame goes in a completed NBL from s->spare if there
   is one (get_frame), else in one from the pool. Once no more frames will
   be sent, the spares go back to the pool. */
static void pump(scn *s, ULONG send_flags)
{
    if (!s->stop && strict_hit(s))
        s->stop = true;
    /* frames to send: what is left, at most what the window has room for */
    uint64_t want = 0;
    if (!s->stop && s->inflight < s->window) {
        want = s->total - s->next;
        if (want > s->window - s->inflight)
            want = s->window - s->inflight;
    }
    PNET_BUFFER_LIST head = NULL, *tail = &head;
    uint64_t n = 0, bytes = 0;
    for (; n < want; n++) {
        uint64_t i = s->next + n;
        size_t len = frame_len(s, i);
        PNET_BUFFER_LIST nbl, reuse = s->spare;
        if (reuse)
            s->spare = NET_BUFFER_LIST_NEXT_NBL(reuse);
        if (get_frame(s, i, len, &reuse, &nbl) != 0)
            break;
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        *tail = nbl;
        tail = &NET_BUFFER_LIST_NEXT_NBL(nbl);
        bytes += len;
    }
    if (s->stop || s->next + n >= s->total)
        spares_to_pool(s);
    if (!head)
        return;
    int rc = ndisdma_adapter_send(s->a, head, send_flags);
    if (rc != 0) {
        ndisdma_frame_pool_put(s->pool, head);
        s->stop = true;
        if (!s->r->error) {
            s->r->error = rc;
            s->r->failed_step = "ndisdma_adapter_send";
        }
        return;
    }
    s->next += n;
    s->inflight += n;
    s->r->frames_sent += n;
    s->r->send_calls++;
    s->r->bytes_sent += bytes;
}

/* The miniport completed @nbls: count them and keep their NBLs for the next
   refill (s->spare), which is made here once s->refill slots of the window
   are free. */
static void on_send_complete(void *ctx, ndisdma_adapter *a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    scn *s = ctx;
    (void)a;
    while (nbls) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(nbls);
        if (NET_BUFFER_LIST_STATUS(nbls) == NDIS_STATUS_SUCCESS)
            s->r->frames_completed++;
        else
            s->r->send_errors++;
        NET_BUFFER_LIST_NEXT_NBL(nbls) = s->spare;
        s->spare = nbls;
        if (s->inflight)
            s->inflight--;
        nbls = next;
    }
    if (s->inflight + s->refill <= s->window || s->stop || s->next >= s->total)
        pump(s, (flags & NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL) ? NDIS_SEND_FLAGS_DISPATCH_LEVEL
                                                                  : 0);
}

/* Is the frame in s->rx (@len bytes) frame @i of those sent? */
static bool is_frame(scn *s, uint64_t i, size_t len)
{
    return len == frame_len(s, i) && memcmp(s->rx, frame_bytes(s, i, s->want), len) == 0;
}

/* Frames skipped by the look-ahead of check_frame: a received frame that
   is not the one expected but one of the next ones means the frames in
   between were lost (dropped by the driver or the card); they are counted
   as lost, not as different, and the check goes on from there. */
#define RESYNC_WINDOW 64u

static void bad_frame(scenario_result *r, uint64_t i)
{
    if (!r->mismatches++)
        r->first_mismatch = i;
}

static void check_frame_data(scn *s, const NET_BUFFER *nb, uint64_t now);

static void check_frame(scn *s, const NET_BUFFER *nb, uint64_t now)
{
    scenario_result *r = s->r;
    r->frames_received++;
    size_t len = NET_BUFFER_DATA_LENGTH(nb);
    r->bytes_received += len;
    uint64_t i = s->expect;
    if (s->counters_only) {
        /* Counters only: the length must match the frame expected. */
        if (i >= r->frames_sent)
            r->extra++;
        else if (len != frame_len(s, i))
            bad_frame(r, i);
        else
            r->frames_matched++;
        s->expect++;
        return;
    }
    check_frame_data(s, nb, now);
}

/* check_frame with the data looked at (a copy of the frame, the receive
   callback, the compare); out of line, so that the counters-only path
   stays small. */
__attribute__((noinline)) static void check_frame_data(scn *s, const NET_BUFFER *nb, uint64_t now)
{
    scenario_result *r = s->r;
    uint64_t i = s->expect;
    long got = ndisdma_nb_copy(nb, s->rx, sizeof s->rx);
    if (got < 0) {
        bad_frame(r, i);
        s->expect++;
        return;
    }
    if (s->o->on_receive)
        s->o->on_receive(s->o->receive_ctx, s->rx, (size_t)got, now);
    if (i >= r->frames_sent) {
        r->extra++;
        return;
    }
    if (!s->o->check_data || is_frame(s, i, (size_t)got)) {
        r->frames_matched++;
        s->expect++;
        return;
    }
    for (uint64_t j = i + 1; j < r->frames_sent && j <= i + RESYNC_WINDOW; j++) {
        if (is_frame(s, j, (size_t)got)) {
            r->frames_skipped += j - i;
            r->frames_matched++;
            s->expect = j + 1;
            return;
        }
    }
    bad_frame(r, i);
    s->expect++;
}

static void on_receive(void *ctx, ndisdma_adapter *a, PNET_BUFFER_LIST nbls, ULONG count,
                       ULONG flags)
{
    scn *s = ctx;
    (void)count;
    uint64_t now = ndisdma_machine_now(s->m);
    for (PNET_BUFFER_LIST l = nbls; l; l = NET_BUFFER_LIST_NEXT_NBL(l))
        for (const NET_BUFFER *nb = NET_BUFFER_LIST_FIRST_NB(l); nb; nb = NET_BUFFER_NEXT_NB(nb))
            check_frame(s, nb, now);
    s->r->virtual_ns = now;
    if (!(flags & NDIS_RECEIVE_FLAGS_RESOURCES))
        ndisdma_adapter_return(a, nbls);
}

static int fail(scn *s, int rc, const char *step)
{
    if (!s->r->error) {
        s->r->error = rc;
        s->r->failed_step = step;
    }
    return rc;
}

static int setup(scn *s)
{
    const scenario_options *o = s->o;
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.seed = o->seed;
    cfg.placement = o->placement;
    cfg.verify =
        o->verify == SCENARIO_VERIFY_OFF ? NDISDMA_VERIFY_COUNT_ONLY : NDISDMA_VERIFY_RECORD;
    int rc = ndisdma_machine_create(&cfg, &s->m);
    if (rc)
        return fail(s, rc, "ndisdma_machine_create");
    if (o->verify == SCENARIO_VERIFY_OFF)
        ndisdma_verify_set_poison(s->m, 0);

    sdnic_config nc;
    sdnic_config_init(&nc);
    nc.io_base = o->io_base;
    nc.irq = o->irq;
    nc.dma_channel = (unsigned)o->channel;
    nc.line_rate_bps = o->line_rate_bps;
    nc.loopback = true;
    memcpy(s->mac, nc.mac, sizeof s->mac);
    frame_template(s->head, s->mac);
    frame_template(s->head_bcast, NULL);
    rc = sdnic_create(s->m, &nc, &s->nic);
    if (rc)
        return fail(s, rc, "sdnic_create");

    if (o->trace_file) {
        rc = ndisdma_trace_stream_start(s->m, o->trace_format, o->trace_file);
        if (rc)
            return fail(s, rc, "ndisdma_trace_stream_start");
    }
    for (unsigned k = 0; k < o->nfaults; k++) {
        rc = ndisdma_fault_set(s->m, o->faults[k].kind, &o->faults[k].spec);
        if (rc)
            return fail(s, rc, "ndisdma_fault_set");
    }
    rc = ndisdma_driver_load(s->m, DriverEntry, &s->drv);
    if (rc)
        return fail(s, rc, "ndisdma_driver_load");
    ndisdma_resources res;
    ndisdma_resources_init(&res);
    sdnic_resources_of(s->nic, &res.dma_channel, &res.irq, &res.io_base, &res.io_length);
    rc = ndisdma_adapter_start(s->drv, &res, &s->a);
    if (rc)
        return fail(s, rc, "ndisdma_adapter_start");
    ndisdma_protocol p = {
        .receive = on_receive,
        .send_complete = on_send_complete,
    };
    rc = ndisdma_adapter_bind(s->a, &p, s);
    if (rc)
        return fail(s, rc, "ndisdma_adapter_bind");
    rc = ndisdma_frame_pool_create(s->a, o->window, SCENARIO_MAX_FRAME, &s->pool);
    if (rc)
        return fail(s, rc, "ndisdma_frame_pool_create");
    return 0;
}

static void drive(scn *s)
{
    const scenario_options *o = s->o;
    scenario_result *r = s->r;
    uint64_t slice = o->slice_ns ? o->slice_ns : 1000000;
    uint64_t last_count = 0, last_ns = ndisdma_machine_now(s->m);
    while (r->frames_matched + r->frames_skipped + r->mismatches < s->total) {
        pump(s, 0);
        if (strict_hit(s)) {
            r->stopped_strict = true;
            break;
        }
        if (s->stop && !s->inflight)
            break;
        int rc = ndisdma_machine_run(s->m, slice);
        if (rc) {
            fail(s, rc, "ndisdma_machine_run");
            break;
        }
        uint64_t now = ndisdma_machine_now(s->m);
        if (o->hook)
            o->hook(o->hook_ctx, s->m, s->a, r->frames_received);
        if (o->progress && !o->progress(o->progress_ctx, r->frames_received, s->total, now)) {
            r->interrupted = true;
            break;
        }
        if (r->frames_received != last_count) {
            last_count = r->frames_received;
            last_ns = now;
        } else if (now - last_ns >= o->stall_ns) {
            r->stalled = true;
            break;
        }
    }
    if (strict_hit(s))
        r->stopped_strict = true;
}

static void collect(scn *s)
{
    scenario_result *r = s->r;
    ndisdma_hal_get_stats(s->m, &r->hal);
    ndisdma_irq_stats irq;
    if (ndisdma_irq_get_stats(s->m, &irq) == 0)
        for (unsigned l = 0; l < NDISDMA_IRQ_LINES; l++)
            r->interrupts += irq.delivered[l];
    if (s->nic)
        sdnic_get_stats(s->nic, &r->nic);
    r->violations = ndisdma_violation_count(s->m);
    scan_violations(s);
    ndisdma_fault_counters fc;
    if (ndisdma_fault_stats(s->m, &fc) == 0)
        for (unsigned k = 0; k < NDISDMA_FAULT_COUNT; k++)
            r->faults_injected += fc.injected[k];
    uint64_t first =
        r->violations > SCENARIO_MAX_REPORTS ? r->violations - SCENARIO_MAX_REPORTS : 0;
    for (uint64_t i = first; i < r->violations; i++) {
        ndisdma_violation v;
        if (ndisdma_violation_get(s->m, i, &v) != 0)
            continue;
        ndisdma_violation_format(&v, NDISDMA_REPORT_TEXT, r->reports[r->nreports],
                                 SCENARIO_REPORT_LEN);
        r->nreports++;
    }
}

static void teardown(scn *s)
{
    /* No more sends: completions the pause brings must not start new ones
       on an adapter that is pausing. */
    s->stop = true;
    if (s->a && ndisdma_adapter_get_state(s->a) == NDISDMA_ADAPTER_RUNNING)
        ndisdma_adapter_pause(s->a); /* the miniport completes what it holds */
    if (s->pool)
        spares_to_pool(s);
    if (s->pool && ndisdma_frame_pool_destroy(s->pool) == 0)
        s->pool = NULL;
    if (s->a)
        ndisdma_adapter_stop(s->a);
    if (s->drv)
        ndisdma_driver_unload(s->drv);
    s->a = NULL;
    s->drv = NULL;
    if (s->m && s->o->trace_file) {
        int rc = ndisdma_trace_stream_stop(s->m);
        if (rc && rc != NDISDMA_ESTATE)
            s->r->trace_error = rc;
    }
    if (s->m)
        collect(s);
    sdnic_destroy(s->nic);
    ndisdma_machine_destroy(s->m);
}

int scenario_run(const scenario_options *o, scenario_result *r)
{
    if (!r)
        return NDISDMA_EINVAL;
    memset(r, 0, sizeof *r);
    if (!o || o->window == 0 || (!o->input && o->frames == 0) ||
        (o->fixed_len && (o->fixed_len < 14 || o->fixed_len > SCENARIO_MAX_FRAME))) {
        r->error = NDISDMA_EINVAL;
        r->failed_step = "scenario_options";
        return NDISDMA_EINVAL;
    }
    scn *s = calloc(1, sizeof *s);
    if (!s) {
        r->error = NDISDMA_ENOMEM;
        r->failed_step = "scenario_run";
        return NDISDMA_ENOMEM;
    }
    s->o = o;
    s->r = r;
    /* Fixed-length frames differ only in their header. Without injected
       faults and without a hook (which may inject them), nothing but
       get_frame writes the memory of a frame the pool handed out: the
       transmit DMA and the HAL only read it, and receives go to the
       miniport's own buffers. So a frame's payload stays as written. */
    s->keep_payload = o->fixed_len != 0 && o->nfaults == 0 && !o->hook;
    s->strict = o->verify == SCENARIO_VERIFY_STRICT;
    s->counters_only = !o->check_data && !o->on_receive;
    s->fixed_len = o->fixed_len;
    s->window = o->window;
    s->refill = o->window / 2 ? o->window / 2 : 1;
    s->total = o->input && !o->fixed_len ? o->input->count : o->frames;
    r->frames_total = s->total;
    if (setup(s) == 0) {
        r->ran = true;
        drive(s);
    }
    r->end_ns = ndisdma_machine_now(s->m);
    teardown(s);
    r->lost = r->frames_sent - r->frames_matched - r->mismatches;
    free(s);
    return r->error;
}

bool scenario_ok(const scenario_result *r)
{
    return r->error == 0 && r->trace_error == 0 && !r->interrupted &&
           r->frames_sent == r->frames_total && r->frames_received == r->frames_total &&
           r->frames_matched == r->frames_total && r->mismatches == 0 && r->extra == 0 &&
           r->lost == 0 && r->send_errors == 0;
}
