/*
 * The machine as the host API shows it (spec/host-api.md, <ndisdma/machine.h>):
 * creation and RAM sizes, host physical memory access, two independent
 * machines, observers and their events, the hardware counters, error and
 * illegal-access strings, device port mappings. H5 (RAM zero, BIOS state)
 * and H15 (illegal accesses counted) where named.
 */
#include "hwtest.h"

#include <string.h>

/* Bad RAM sizes and a NULL @out give EINVAL, before any success path. */
static void machine_create_invalid(void **state)
{
    (void)state;
    ndisdma_config cfg;
    ndisdma_machine *m = (ndisdma_machine *)&cfg; /* must be overwritten with NULL */
    ndisdma_config_init(&cfg);
    assert_int_equal(ndisdma_machine_create(&cfg, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_machine_create(NULL, NULL), NDISDMA_EINVAL);
    static const uint64_t bad[] = {
        1,
        4095,
        4097,
        NDISDMA_PAGE_SIZE * 3 + 1,
        (64ull << 20) - 1,
        NDISDMA_MAX_RAM_BYTES + NDISDMA_PAGE_SIZE,
        UINT64_MAX,
        UINT64_MAX - 4095, /* a page multiple, far too large */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cfg.ram_bytes = bad[i];
        m = (ndisdma_machine *)&cfg;
        assert_int_equal(ndisdma_machine_create(&cfg, &m), NDISDMA_EINVAL);
        assert_null(m);
    }
    ndisdma_machine_destroy(NULL); /* no-op */
    assert_int_equal(ndisdma_machine_ram_bytes(NULL), 0);
}

/* Defaults: config_init, NULL config and ram_bytes 0 all give 64 MiB; the
   smallest machine is one page; RAM is zero (H5). */
static void machine_create_sizes(void **state)
{
    (void)state;
    ndisdma_config cfg;
    memset(&cfg, 0xA5, sizeof cfg);
    ndisdma_config_init(&cfg);
    assert_int_equal(cfg.ram_bytes, NDISDMA_DEFAULT_RAM_BYTES);
    assert_int_equal(cfg.seed, 0);
    ndisdma_config_init(NULL); /* tolerated */

    ndisdma_machine *m = NULL;
    assert_int_equal(ndisdma_machine_create(NULL, &m), 0);
    assert_non_null(m);
    assert_int_equal(ndisdma_machine_ram_bytes(m), 64ull << 20);
    ndisdma_machine_destroy(m);

    cfg.ram_bytes = 0;
    assert_int_equal(ndisdma_machine_create(&cfg, &m), 0);
    assert_int_equal(ndisdma_machine_ram_bytes(m), 64ull << 20);
    ndisdma_machine_destroy(m);

    cfg.ram_bytes = NDISDMA_PAGE_SIZE;
    assert_int_equal(ndisdma_machine_create(&cfg, &m), 0);
    assert_int_equal(ndisdma_machine_ram_bytes(m), NDISDMA_PAGE_SIZE);
    hwt_expect_byte(m, 0, NDISDMA_PAGE_SIZE, 0);
    /* H5 holds whatever the RAM size. */
    assert_int_equal(hwt_ctl(m, 0).mask, 0x0F);
    assert_int_equal(hwt_ctl(m, 1).mask, 0x0E);
    assert_int_equal(hwt_chan(m, 4).mode, MODE_CASCADE);
    ndisdma_machine_destroy(m);

    cfg.ram_bytes = 17ull << 20; /* not a power of two */
    assert_int_equal(ndisdma_machine_create(&cfg, &m), 0);
    assert_int_equal(ndisdma_machine_ram_bytes(m), 17ull << 20);
    hwt_expect_byte(m, (17ull << 20) - 8192, 8192, 0);
    ndisdma_machine_destroy(m);
}

/* phys_read/phys_write outside RAM fail with ERANGE and change nothing; NULL
   buffers EINVAL; then the success path, up to the last byte. */
static void machine_phys_access(void **state)
{
    (void)state;
    const uint64_t size = 0x10000;
    ndisdma_machine *m = hwt_new(size);
    uint8_t buf[32], src[32];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (uint8_t)(0x80 + i);
    hwt_fill_byte(m, size - 16, 16, 0x5A);

    assert_int_equal(ndisdma_phys_read(NULL, 0, buf, 1), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_phys_write(NULL, 0, src, 1), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_phys_read(m, 0, NULL, 1), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_phys_write(m, 0, NULL, 1), NDISDMA_EINVAL);

    static const struct {
        uint64_t addr;
        size_t len;
    } out[] = {
        {0x10000, 1},        /* first byte past RAM */
        {0xFFF0, 32},        /* straddles the end */
        {0xFFFF, 2},         /* straddles by one */
        {0x100000, 4},       /* far past */
        {UINT64_MAX, 1},     /* the top */
        {UINT64_MAX - 3, 8}, /* wraps around 2^64 */
        {8, SIZE_MAX - 4},   /* length wraps */
    };
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
        memset(buf, 0xC7, sizeof buf);
        /* Some lengths exceed our buffer: the call must fail before touching
           it, which is exactly what is tested. */
        assert_int_equal(ndisdma_phys_read(m, out[i].addr, buf, out[i].len), NDISDMA_ERANGE);
        for (size_t k = 0; k < sizeof buf; k++)
            assert_int_equal(buf[k], 0xC7);
        assert_int_equal(ndisdma_phys_write(m, out[i].addr, src, out[i].len), NDISDMA_ERANGE);
    }
    /* Nothing changed by the failed writes, in particular the in-range part
       of the straddling ones. */
    hwt_expect_byte(m, size - 16, 16, 0x5A);
    hwt_expect_byte(m, 0, 64, 0);
    assert_null(ndisdma_phys_ptr(m, size, 1));
    assert_null(ndisdma_phys_ptr(m, size - 1, 2));
    assert_null(ndisdma_phys_ptr(NULL, 0, 1));

    /* Success: zero length anywhere up to the end, a round trip, the last byte. */
    assert_int_equal(ndisdma_phys_read(m, size, NULL, 0), 0);
    assert_int_equal(ndisdma_phys_write(m, 0, NULL, 0), 0);
    assert_int_equal(ndisdma_phys_write(m, 0x1234, src, 32), 0);
    assert_int_equal(ndisdma_phys_read(m, 0x1234, buf, 32), 0);
    assert_memory_equal(buf, src, 32);
    assert_int_equal(ndisdma_phys_write(m, size - 1, src + 5, 1), 0);
    assert_int_equal(ndisdma_phys_read(m, size - 2, buf, 2), 0);
    assert_int_equal(buf[0], 0x5A);
    assert_int_equal(buf[1], src[5]);
    /* The direct pointer sees the same bytes. */
    uint8_t *p = ndisdma_phys_ptr(m, 0x1234, 32);
    assert_non_null(p);
    assert_memory_equal(p, src, 32);
    p[0] = 0x01;
    assert_int_equal(ndisdma_phys_read(m, 0x1234, buf, 1), 0);
    assert_int_equal(buf[0], 0x01);
    ndisdma_machine_destroy(m);
}

/* Two machines in one process are independent: ports, RAM, devices, DMA,
   counters, observers. */
static void machine_two_machines_independent(void **state)
{
    (void)state;
    ndisdma_machine *a = hwt_new(1u << 20), *b = hwt_new(2u << 20);
    hwt_events ea, eb;
    hwt_events_attach(&ea, a);
    hwt_events_attach(&eb, b);
    hwt_dev da, db;
    hwt_dev_init(&da, a, 64);
    hwt_dev_init(&db, b, 64);
    hwt_dev_attach(&da, 1);
    hwt_dev_attach(&db, 1); /* same channel, other machine: not busy */

    hwt_fill_pat(a, 0x1000, 16, 1);
    hwt_fill_pat(b, 0x1000, 16, 2);
    hwt_program(a, 1, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 16);
    hwt_program(b, 1, MODE_DEMAND | MODE_TYPE_READ, 0x1008, 8);
    hwt_set_page(b, 7, 0x42);
    assert_int_equal(hwt_chan(a, 7).page, 0);
    assert_int_equal(hwt_chan(a, 1).current_address, 0x1000);
    assert_int_equal(hwt_chan(b, 1).current_address, 0x1008);
    hwt_command(b, 0, CMD_ROTATING);
    assert_int_equal(hwt_ctl(a, 0).command, 0);

    hwt_sw_request(a, 1, true);
    ndisdma_dma_request(b, 1, true);
    assert_false(hwt_chan(a, 1).dreq);
    assert_int_equal(ndisdma_dma_run(a, 0), 16);
    assert_int_equal(db.ncalls, 0); /* b not served by a's run */
    assert_int_equal(ndisdma_dma_run(b, 0), 8);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(da.rx[i], hwt_pat(1, i));
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(db.rx[i], hwt_pat(2, 8 + i));

    /* RAM writes stay in their machine. */
    hwt_fill_byte(a, 0x2000, 8, 0xAA);
    hwt_expect_byte(b, 0x2000, 8, 0x00);
    assert_int_equal(ndisdma_machine_ram_bytes(a), 1u << 20);
    assert_int_equal(ndisdma_machine_ram_bytes(b), 2u << 20);

    /* Counters and events stay in their machine. */
    (void)ndisdma_io_read8(a, 0x1234);
    ndisdma_hw_stats sa = hwt_stats(a), sb = hwt_stats(b);
    assert_int_equal(sa.illegal, 1);
    assert_int_equal(sb.illegal, 0);
    assert_int_equal(sa.units, 16);
    assert_int_equal(sb.units, 8);
    assert_int_equal(ea.count[NDISDMA_EV_ILLEGAL], 1);
    assert_int_equal(eb.count[NDISDMA_EV_ILLEGAL], 0);
    assert_int_equal(ea.count[NDISDMA_EV_BURST], 1);
    assert_int_equal(eb.count[NDISDMA_EV_BURST], 1);

    /* Destroying one leaves the other working. */
    hwt_events_detach(&ea, a);
    ndisdma_machine_destroy(a);
    hwt_program(b, 1, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 4);
    hwt_sw_request(b, 1, true);
    assert_int_equal(ndisdma_dma_run(b, 0), 4);
    hwt_events_detach(&eb, b);
    ndisdma_machine_destroy(b);
    hwt_dev_free(&da);
    hwt_dev_free(&db);
}

/* Observers: invalid input first, then events of every kind with their
   fields: IO_READ, IO_WRITE, DREQ, BURST, TC, EOP, EOP_IGNORED, STALL,
   ILLEGAL. */
static void count_event(void *ctx, const ndisdma_event *ev)
{
    (void)ev;
    ++*(int *)ctx;
}

static size_t eop_at_first_call(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)len;
    if (d->ncalls == 1)
        ndisdma_dma_eop(d->m, ch);
    return take;
}

static void machine_observers(void **state)
{
    ndisdma_machine *m = *state;
    int counts[NDISDMA_MAX_OBSERVERS + 1] = {0};
    int ids[NDISDMA_MAX_OBSERVERS];
    assert_int_equal(ndisdma_observer_add(NULL, count_event, &counts[0]), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_observer_add(m, NULL, &counts[0]), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_observer_remove(m, 0), NDISDMA_ENOENT);
    assert_int_equal(ndisdma_observer_remove(m, 1), NDISDMA_ENOENT);
    assert_int_equal(ndisdma_observer_remove(m, -1), NDISDMA_ENOENT);
    assert_int_equal(ndisdma_observer_remove(NULL, 1), NDISDMA_EINVAL);
    for (int i = 0; i < NDISDMA_MAX_OBSERVERS; i++) {
        ids[i] = ndisdma_observer_add(m, count_event, &counts[i]);
        assert_true(ids[i] > 0);
    }
    assert_int_equal(ndisdma_observer_add(m, count_event, &counts[8]), NDISDMA_ENOSPC);
    ndisdma_io_write8(m, 0x80, 1);
    for (int i = 0; i < NDISDMA_MAX_OBSERVERS; i++)
        assert_int_equal(counts[i], 1);
    for (int i = 0; i < NDISDMA_MAX_OBSERVERS; i++)
        assert_int_equal(ndisdma_observer_remove(m, ids[i]), 0);
    assert_int_equal(ndisdma_observer_remove(m, ids[0]), NDISDMA_ENOENT);
    ndisdma_io_write8(m, 0x80, 2);
    assert_int_equal(counts[0], 1); /* removed: no more events */

    hwt_events ev;
    hwt_events_attach(&ev, m);
    /* IO_WRITE and IO_READ with port and value. */
    ndisdma_io_write8(m, 0x81, 0x3C);
    assert_int_equal(ndisdma_io_read8(m, 0x81), 0x3C);
    const ndisdma_event *w = hwt_events_find(&ev, NDISDMA_EV_IO_WRITE, 0);
    const ndisdma_event *r = hwt_events_find(&ev, NDISDMA_EV_IO_READ, 0);
    assert_non_null(w);
    assert_non_null(r);
    assert_int_equal(w->port, 0x81);
    assert_int_equal(w->value, 0x3C);
    assert_int_equal(r->port, 0x81);
    assert_int_equal(r->value, 0x3C);

    /* DREQ, BURST, TC (autoinit flag), EOP, STALL on a 16-bit channel. */
    hwt_dev d;
    hwt_dev_init(&d, m, 256);
    hwt_dev_attach(&d, 5);
    hwt_events_reset(&ev);
    hwt_program(m, 5, MODE_DEMAND | MODE_TYPE_READ | MODE_DECREMENT | MODE_AUTOINIT, 0x20010,
                8); /* words 0x0008 down to 0x0001 of page 2 */
    ndisdma_dma_request(m, 5, true);
    ndisdma_dma_request(m, 5, true); /* no change: no second event */
    assert_int_equal(ndisdma_dma_run(m, 8), 8);
    assert_int_equal(ev.count[NDISDMA_EV_DREQ], 1);
    const ndisdma_event *dq = hwt_events_find(&ev, NDISDMA_EV_DREQ, 0);
    assert_int_equal(dq->channel, 5);
    assert_int_equal(dq->value, 1);
    const ndisdma_event *b = hwt_events_find(&ev, NDISDMA_EV_BURST, 0);
    assert_non_null(b);
    assert_int_equal(b->channel, 5);
    assert_int_equal(b->xfer, NDISDMA_XFER_READ);
    assert_int_equal(b->units, 8);
    assert_int_equal(b->bytes, 16);
    assert_int_equal(b->phys, 0x20002); /* lowest address touched: word 0x0001 */
    assert_int_equal(b->flags, NDISDMA_EVF_DECREMENT);
    const ndisdma_event *tc = hwt_events_find(&ev, NDISDMA_EV_TC, 0);
    assert_non_null(tc);
    assert_int_equal(tc->channel, 5);
    assert_int_equal(tc->flags, NDISDMA_EVF_AUTOINIT);
    ndisdma_dma_request(m, 5, false);
    assert_int_equal(ev.count[NDISDMA_EV_DREQ], 2);

    hwt_events_reset(&ev);
    d.per_call = 4; /* two words */
    ndisdma_dma_request(m, 5, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 2);
    const ndisdma_event *st = hwt_events_find(&ev, NDISDMA_EV_STALL, 0);
    assert_non_null(st);
    assert_int_equal(st->channel, 5);
    assert_int_equal(st->units, 2);

    hwt_events_reset(&ev);
    d.per_call = 2; /* one word, then EOP: before TC */
    d.hook = eop_at_first_call;
    d.ncalls = 0;
    ndisdma_dma_request(m, 5, true);
    /* One word of six, EOP: reload (autoinit); the short return also stalls
       the channel, so it is not granted again although it is unmasked. */
    assert_int_equal(ndisdma_dma_run(m, 0), 1);
    assert_int_equal(d.ncalls, 1);
    assert_true(hwt_chan(m, 5).stalled);
    assert_int_equal(hwt_chan(m, 5).current_address, 0x0008);
    assert_int_equal(ev.count[NDISDMA_EV_STALL], 1);
    const ndisdma_event *eop = hwt_events_find(&ev, NDISDMA_EV_EOP, 0);
    assert_non_null(eop);
    assert_int_equal(eop->channel, 5);
    assert_int_equal(eop->flags, NDISDMA_EVF_AUTOINIT);
    ndisdma_dma_request(m, 5, false);

    /* EOP_IGNORED and ILLEGAL with reason and channel. */
    hwt_events_reset(&ev);
    ndisdma_dma_eop(m, 6);
    const ndisdma_event *ig = hwt_events_find(&ev, NDISDMA_EV_EOP_IGNORED, 0);
    assert_non_null(ig);
    assert_int_equal(ig->channel, 6);
    const ndisdma_event *il = hwt_events_find(&ev, NDISDMA_EV_ILLEGAL, 0);
    assert_non_null(il);
    assert_int_equal(il->reason, NDISDMA_ILLEGAL_EOP_OUTSIDE_SERVICE);
    assert_int_equal(il->channel, 6);
    hwt_events_reset(&ev);
    ndisdma_io_write8(m, 0xD6, MODE_CASCADE | 2); /* channel 6 cascade */
    il = hwt_events_find(&ev, NDISDMA_EV_ILLEGAL, 0);
    assert_non_null(il);
    assert_int_equal(il->reason, NDISDMA_ILLEGAL_CASCADE_NOT_4);
    assert_int_equal(il->port, 0xD6);
    assert_int_equal(il->value, MODE_CASCADE | 2);
    assert_int_equal(il->channel, 6);
    hwt_events_reset(&ev);
    ndisdma_io_write8(m, 0xD6, MODE_SINGLE | 0); /* channel 4 not cascade */
    il = hwt_events_find(&ev, NDISDMA_EV_ILLEGAL, 0);
    assert_non_null(il);
    assert_int_equal(il->reason, NDISDMA_ILLEGAL_CHANNEL4_NOT_CASCADE);
    assert_int_equal(il->channel, 4);

    /* Events carry the virtual time stamp of the hardware; with nobody
       driving time here it does not go backwards. */
    for (size_t i = 1; i < ev.n; i++)
        assert_true(ev.ev[i].time_ns >= ev.ev[i - 1].time_ns);
    hwt_events_detach(&ev, m);
    hwt_dev_free(&d);
}

/* Observers see; they do not change what the machine does: the same
   transfer with and without observers gives the same data and state. */
static void machine_observers_change_nothing(void **state)
{
    (void)state;
    uint8_t out[2][64];
    ndisdma_dma_channel_state st[2];
    for (int pass = 0; pass < 2; pass++) {
        ndisdma_machine *m = hwt_new(1u << 20);
        hwt_events ev;
        if (pass)
            hwt_events_attach(&ev, m);
        hwt_dev d;
        hwt_dev_init(&d, m, 64);
        d.per_call = 7;
        hwt_dev_attach(&d, 2);
        hwt_fill_pat(m, 0x3000, 64, 3);
        hwt_program(m, 2, MODE_DEMAND | MODE_TYPE_READ, 0x3000, 64);
        for (int r = 0; r < 20; r++) {
            ndisdma_dma_request(m, 2, true);
            (void)ndisdma_dma_run(m, 0);
        }
        assert_int_equal(d.rx_len, 64);
        memcpy(out[pass], d.rx, 64);
        st[pass] = hwt_chan(m, 2);
        if (pass)
            hwt_events_detach(&ev, m);
        hwt_dev_free(&d);
        ndisdma_machine_destroy(m);
    }
    assert_memory_equal(out[0], out[1], 64);
    hwt_expect_same_channel(&st[0], &st[1]);
}

/* Counters: port reads and writes, illegal accesses by reason (H15), units,
   bytes, bursts, terminal counts, stalls. */
static void machine_stats(void **state)
{
    ndisdma_machine *m = *state;
    ndisdma_hw_stats s;
    assert_int_equal(ndisdma_hw_get_stats(NULL, &s), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_hw_get_stats(m, NULL), NDISDMA_EINVAL);
    s = hwt_stats(m);
    assert_int_equal(s.io_reads + s.io_writes + s.illegal + s.units + s.bytes + s.bursts +
                         s.terminal_counts + s.stalls,
                     0);

    /* One illegal access of every reason. */
    (void)ndisdma_io_read8(m, 0x0B);                   /* READ_WRITE_ONLY */
    ndisdma_io_write8(m, 0x300, 0);                    /* UNDECODED_PORT */
    ndisdma_io_write8(m, 0x0B, MODE_TYPE_ILLEGAL | 1); /* ILLEGAL_XFER_TYPE */
    ndisdma_io_write8(m, 0x0B, MODE_CASCADE | 2);      /* CASCADE_NOT_4 */
    ndisdma_io_write8(m, 0xD6, MODE_BLOCK | 0);        /* CHANNEL4_NOT_CASCADE */
    ndisdma_io_write8(m, 0xD6, MODE_CASCADE | 0);      /* back: legal */
    ndisdma_dma_eop(m, 1);                             /* EOP_OUTSIDE_SERVICE */
    ndisdma_dma_request(m, 4, true);                   /* BAD_CHANNEL */
    static const int reasons[] = {
        NDISDMA_ILLEGAL_READ_WRITE_ONLY,      NDISDMA_ILLEGAL_UNDECODED_PORT,
        NDISDMA_ILLEGAL_ILLEGAL_XFER_TYPE,    NDISDMA_ILLEGAL_CASCADE_NOT_4,
        NDISDMA_ILLEGAL_CHANNEL4_NOT_CASCADE, NDISDMA_ILLEGAL_EOP_OUTSIDE_SERVICE,
        NDISDMA_ILLEGAL_BAD_CHANNEL,
    };
    const size_t nreasons = sizeof reasons / sizeof reasons[0];
    s = hwt_stats(m);
    assert_int_equal(s.illegal, nreasons);
    for (size_t r = 0; r < nreasons; r++)
        assert_int_equal(s.illegal_by_reason[reasons[r]], 1);
    assert_int_equal(s.illegal_by_reason[NDISDMA_ILLEGAL_NONE], 0);
    assert_int_equal(s.io_reads, 1);
    assert_int_equal(s.io_writes, 5);

    /* Transfers: 10 bytes on channel 1 in three bursts (2 stalls), 4 words
       on channel 7 in one burst. */
    hwt_dev d1, d7;
    hwt_dev_init(&d1, m, 64);
    hwt_dev_init(&d7, m, 64);
    d1.per_call = 4;
    hwt_dev_attach(&d1, 1);
    hwt_dev_attach(&d7, 7);
    hwt_program(m, 1, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 10);
    hwt_program(m, 7, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 4);
    hwt_sw_request(m, 7, true);
    for (int r = 0; r < 5; r++) {
        ndisdma_dma_request(m, 1, true);
        (void)ndisdma_dma_run(m, 0);
    }
    ndisdma_hw_stats t = hwt_stats(m);
    assert_int_equal(t.units, 14);
    assert_int_equal(t.bytes, 18);
    assert_int_equal(t.bursts, 4);
    assert_int_equal(t.terminal_counts, 2);
    assert_int_equal(t.stalls, 2);
    assert_int_equal(t.illegal, s.illegal);
    hwt_dev_free(&d1);
    hwt_dev_free(&d7);
}

/* Error and illegal-access strings: every code has its own message. */
static void machine_strings(void **state)
{
    (void)state;
#define X(name, value, msg)                                                                        \
    assert_string_equal(ndisdma_strerror(value), msg);                                             \
    assert_string_equal(ndisdma_errname(value), "NDISDMA_" #name);
    NDISDMA_ERROR_LIST(X)
#undef X
    assert_string_equal(ndisdma_strerror(12345), "unknown error");
    assert_string_equal(ndisdma_strerror(-1000), "unknown error");
    assert_string_equal(ndisdma_errname(-1000), "NDISDMA_E?");
    for (int r = 1; r < NDISDMA_ILLEGAL_COUNT; r++) {
        const char *a = ndisdma_illegal_str(r);
        assert_non_null(a);
        assert_true(strlen(a) > 0);
        for (int q = 1; q < r; q++)
            assert_string_not_equal(a, ndisdma_illegal_str(q));
    }
    assert_string_equal(ndisdma_illegal_str(NDISDMA_ILLEGAL_READ_WRITE_ONLY),
                        "read of a write-only register (open bus 0xFF)");
    assert_non_null(ndisdma_illegal_str(-1));
    assert_non_null(ndisdma_illegal_str(NDISDMA_ILLEGAL_COUNT));
}

/* Device port mappings: invalid input and overlaps with the DMA ports are
   refused; a mapped device's handler sees its ports; unmapping works and the
   DMA controllers' own ranges cannot be unmapped. */
static uint8_t dev_port_read(void *ctx, uint16_t port)
{
    (void)ctx;
    return (uint8_t)(port & 0xFF);
}

static void dev_port_write(void *ctx, uint16_t port, uint8_t value)
{
    uint8_t *regs = ctx;
    regs[port & 7] = value;
}

static void machine_io_map(void **state)
{
    ndisdma_machine *m = *state;
    uint8_t regs[8] = {0};
    const ndisdma_io_handler h = {dev_port_read, dev_port_write};
    assert_int_equal(ndisdma_io_map(NULL, 0x300, 8, &h, regs), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_io_map(m, 0x300, 0, &h, regs), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_io_map(m, 0x300, 8, NULL, regs), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_io_map(m, 0xFFFC, 8, &h, regs), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_io_map(m, 0x08, 4, &h, regs), NDISDMA_EBUSY);
    assert_int_equal(ndisdma_io_map(m, 0x7C, 8, &h, regs), NDISDMA_EBUSY);
    assert_int_equal(ndisdma_io_map(m, 0xDF, 1, &h, regs), NDISDMA_EBUSY);
    for (int id = 1; id <= 3; id++)
        assert_int_equal(ndisdma_io_unmap(m, id), NDISDMA_ENOENT);
    assert_int_equal(ndisdma_io_read8(m, 0x08), 0x00); /* DMA still decodes */
    int id = ndisdma_io_map(m, 0x300, 8, &h, regs);
    assert_true(id > 0);
    assert_int_equal(ndisdma_io_map(m, 0x307, 1, &h, regs), NDISDMA_EBUSY);
    assert_int_equal(ndisdma_io_read8(m, 0x305), 0x05);
    ndisdma_io_write8(m, 0x302, 0x99);
    assert_int_equal(regs[2], 0x99);
    assert_int_equal(hwt_stats(m).illegal, 0);
    assert_int_equal(ndisdma_io_unmap(m, id), 0);
    assert_int_equal(ndisdma_io_unmap(m, id), NDISDMA_ENOENT);
    assert_int_equal(ndisdma_io_read8(m, 0x305), 0xFF);
    assert_int_equal(hwt_stats(m).illegal, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(machine_create_invalid),
        cmocka_unit_test(machine_create_sizes),
        cmocka_unit_test(machine_phys_access),
        cmocka_unit_test(machine_two_machines_independent),
        cmocka_unit_test_setup_teardown(machine_observers, hwt_setup, hwt_teardown),
        cmocka_unit_test(machine_observers_change_nothing),
        cmocka_unit_test_setup_teardown(machine_stats, hwt_setup, hwt_teardown),
        cmocka_unit_test(machine_strings),
        cmocka_unit_test_setup_teardown(machine_io_map, hwt_setup, hwt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
