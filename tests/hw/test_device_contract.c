/*
 * The device contract of <ndisdma/dma.h> (spec/host-api.md): attach and
 * detach, units and lengths, short returns and stalls (also in block mode),
 * odd byte counts on 16-bit channels, transfer order when decrementing,
 * bursts that never cross the address wrap or TC, the terminal-count
 * callback, nested runs, external EOP, channels without a device and DMA
 * beyond the end of RAM. Behaviour numbers of spec/i8237.md are named where
 * a test also checks one (H18, H19, H20, H25).
 */
#include "hwtest.h"

#include <limits.h>
#include <string.h>

/* Attach: invalid input first (NULL machine or device, channel 4 or > 7,
   twice), then the success path on every device channel. */
static void contract_attach_invalid_then_valid(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d, other;
    hwt_dev_init(&d, m, 64);
    hwt_dev_init(&other, m, 64);
    assert_int_equal(ndisdma_dma_attach(NULL, 1, &hwt_device_ops, &d), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_dma_attach(m, 1, NULL, &d), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_dma_attach(m, 4, &hwt_device_ops, &d), NDISDMA_ECHANNEL);
    assert_int_equal(ndisdma_dma_attach(m, 8, &hwt_device_ops, &d), NDISDMA_ECHANNEL);
    assert_int_equal(ndisdma_dma_attach(m, 100, &hwt_device_ops, &d), NDISDMA_ECHANNEL);
    assert_int_equal(ndisdma_dma_attach(m, UINT_MAX, &hwt_device_ops, &d), NDISDMA_ECHANNEL);
    assert_int_equal(ndisdma_dma_detach(NULL, 1), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_dma_detach(m, 4), NDISDMA_ECHANNEL);
    assert_int_equal(ndisdma_dma_detach(m, 9), NDISDMA_ECHANNEL);
    assert_int_equal(ndisdma_dma_detach(m, 1), NDISDMA_ENODEV);
    for (unsigned ch = 0; ch < 8; ch++)
        assert_false(hwt_chan(m, ch).has_device);

    /* Success on 0-3 and 5-7. */
    for (unsigned ch = 0; ch < 8; ch++) {
        if (ch == 4)
            continue;
        assert_int_equal(ndisdma_dma_attach(m, ch, &hwt_device_ops, &d), 0);
        assert_true(hwt_chan(m, ch).has_device);
        /* A second attach is refused and keeps the first device. */
        assert_int_equal(ndisdma_dma_attach(m, ch, &hwt_device_ops, &other), NDISDMA_EBUSY);
    }
    for (unsigned ch = 0; ch < 8; ch++)
        if (ch != 4 && ch != 2)
            assert_int_equal(ndisdma_dma_detach(m, ch), 0);
    d.channel = 2;
    hwt_fill_pat(m, 0x1000, 4, 1);
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 4);
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    assert_int_equal(d.rx_len, 4);
    assert_int_equal(other.ncalls, 0);
    /* Detach, then the channel takes another device. */
    assert_int_equal(ndisdma_dma_detach(m, 2), 0);
    assert_false(hwt_chan(m, 2).has_device);
    assert_int_equal(ndisdma_dma_detach(m, 2), NDISDMA_ENODEV);
    hwt_dev_attach(&other, 2);
    hwt_dev_free(&d);
    hwt_dev_free(&other);
}

/* Choice (docs/hw.md): attach and detach from a callback are refused. */
static size_t try_attach_detach(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)len;
    int *rc = d->user;
    rc[0] = ndisdma_dma_attach(d->m, 3, &hwt_device_ops, d);
    rc[1] = ndisdma_dma_detach(d->m, ch);
    return take;
}

static void contract_attach_detach_from_callback_refused(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    int rc[2] = {0, 0};
    d.user = rc;
    d.hook = try_attach_detach;
    hwt_dev_attach(&d, 1);
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 4);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    assert_int_equal(rc[0], NDISDMA_EBUSY);
    assert_int_equal(rc[1], NDISDMA_EBUSY);
    assert_true(hwt_chan(m, 1).has_device);
    assert_false(hwt_chan(m, 3).has_device);
    hwt_dev_free(&d);
}

/* Detach drops the channel's DREQ: the line, the status bit and the event. */
static void contract_detach_drops_dreq(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    hwt_dev_attach(&d, 6);
    hwt_events ev;
    hwt_events_attach(&ev, m);
    hwt_setup_raw(m, 6, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 0, 9); /* masked */
    ndisdma_dma_request(m, 6, true);
    assert_true(hwt_chan(m, 6).dreq);
    assert_int_equal(hwt_ctl(m, 1).status, 0x40);
    assert_int_equal(ndisdma_dma_detach(m, 6), 0);
    assert_false(hwt_chan(m, 6).dreq);
    assert_int_equal(hwt_read_status(m, 1), 0x00);
    const ndisdma_event *up = hwt_events_find(&ev, NDISDMA_EV_DREQ, 0);
    const ndisdma_event *down = hwt_events_find(&ev, NDISDMA_EV_DREQ, 1);
    assert_non_null(up);
    assert_non_null(down);
    assert_int_equal(up->channel, 6);
    assert_int_equal(up->value, 1);
    assert_int_equal(down->channel, 6);
    assert_int_equal(down->value, 0);
    /* Unmasked now: nothing moves, nothing is called. */
    hwt_set_mask(m, 6, false);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(d.ncalls, 0);
    assert_int_equal(hwt_read_count(m, 6), 9);
    hwt_events_detach(&ev, m);
    hwt_dev_free(&d);
}

/* DREQ of channel 4 or > 7 is ignored and recorded. */
static void contract_request_invalid_channel(void **state)
{
    ndisdma_machine *m = *state;
    ndisdma_dma_request(m, 4, true);
    ndisdma_dma_request(m, 8, true);
    ndisdma_dma_request(m, 1000, false);
    ndisdma_dma_request(NULL, 1, true); /* no machine: nothing */
    ndisdma_hw_stats s = hwt_stats(m);
    assert_int_equal(s.illegal, 3);
    assert_int_equal(s.illegal_by_reason[NDISDMA_ILLEGAL_BAD_CHANNEL], 3);
    assert_false(hwt_chan(m, 4).dreq);
    assert_int_equal(hwt_ctl(m, 1).status, 0);
    assert_int_equal(hwt_ctl(m, 0).status, 0);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(ndisdma_dma_run(NULL, 0), 0);
}

/* len and returns are bytes, whole units: 2 per unit on 5-7, little-endian;
   ndisdma_dma_run returns units. */
static void contract_units_and_lengths(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    hwt_dev_attach(&d, 5);
    const uint16_t words[3] = {0x1234, 0xABCD, 0x00FF};
    uint8_t raw[6];
    for (size_t i = 0; i < 3; i++) {
        raw[2 * i] = (uint8_t)words[i];
        raw[2 * i + 1] = (uint8_t)(words[i] >> 8);
    }
    assert_int_equal(ndisdma_phys_write(m, 0x2000, raw, 6), 0);
    hwt_program(m, 5, MODE_DEMAND | MODE_TYPE_READ, 0x2000, 3);
    ndisdma_dma_request(m, 5, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 3);
    assert_int_equal(d.ncalls, 1);
    assert_int_equal(d.calls[0].len, 6);
    assert_int_equal(d.calls[0].ret, 6);
    assert_int_equal(d.rx[0], 0x34); /* low byte first */
    assert_int_equal(d.rx[1], 0x12);
    assert_int_equal(d.rx[2], 0xCD);
    assert_int_equal(d.rx[3], 0xAB);
    assert_int_equal(d.rx[4], 0xFF);
    assert_int_equal(d.rx[5], 0x00);
    ndisdma_hw_stats s = hwt_stats(m);
    assert_int_equal(s.units, 3);
    assert_int_equal(s.bytes, 6);
    assert_int_equal(s.bursts, 1);
    hwt_dev_free(&d);
}

/* Re-assert DREQ and run until the channel stops moving, at most @rounds. */
static size_t run_with_reassert(ndisdma_machine *m, unsigned ch, unsigned rounds)
{
    size_t total = 0;
    for (unsigned r = 0; r < rounds; r++) {
        ndisdma_dma_request(m, ch, true);
        size_t n = ndisdma_dma_run(m, 0);
        if (n == 0)
            break;
        total += n;
    }
    return total;
}

/* A short return stops the channel exactly after the units moved, as if
   DREQ had dropped, until the device asserts DREQ again: demand mode. */
static void contract_short_return_stalls_demand(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    hwt_dev_attach(&d, 1);
    hwt_events ev;
    hwt_events_attach(&ev, m);
    hwt_fill_pat(m, 0x3000, 10, 2);
    hwt_program(m, 1, MODE_DEMAND | MODE_TYPE_READ, 0x3000, 10);
    d.per_call = 3;
    ndisdma_dma_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 3);
    assert_int_equal(d.ncalls, 1);
    assert_int_equal(d.calls[0].len, 10);
    ndisdma_dma_channel_state st = hwt_chan(m, 1);
    assert_true(st.stalled);
    assert_false(st.dreq);
    assert_int_equal(st.current_address, 0x3003);
    assert_int_equal(st.current_count, 6);
    assert_int_equal(hwt_read_status(m, 0) & 0x20, 0); /* no request shown */
    const ndisdma_event *e = hwt_events_find(&ev, NDISDMA_EV_STALL, 0);
    assert_non_null(e);
    assert_int_equal(e->channel, 1);
    assert_int_equal(e->units, 3);
    assert_int_equal(hwt_stats(m).stalls, 1);
    /* Not served again until DREQ is asserted again. */
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(d.ncalls, 1);
    /* Each re-assert moves three more, starting exactly where it stopped. */
    assert_int_equal(run_with_reassert(m, 1, 10), 7);
    assert_int_equal(d.ncalls, 4);
    assert_int_equal(d.calls[1].st.current_address, 0x3003);
    assert_int_equal(d.calls[1].len, 7);
    assert_int_equal(d.calls[3].len, 1);
    assert_int_equal(d.rx_len, 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(d.rx[i], hwt_pat(2, i));
    assert_int_equal(d.tc_count, 1);
    assert_int_equal(hwt_stats(m).stalls, 3); /* the last call took all it was offered */
    hwt_events_detach(&ev, m);
    hwt_dev_free(&d);
}

/* The common burst (no observer: dma_engine.c serve_direct) of a channel at
   count 0xFFFF, 65,536 units until terminal count, whose device takes
   nothing: a stall, not terminal count (the count does not step). */
static void contract_zero_return_at_full_count_no_tc(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    hwt_dev_attach(&d, 1);
    hwt_program(m, 1, MODE_DEMAND | MODE_TYPE_READ, 0x20000, 65536);
    d.remaining = 0;
    ndisdma_dma_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(d.ncalls, 1);
    assert_int_equal(d.calls[0].len, 65536);
    ndisdma_dma_channel_state st = hwt_chan(m, 1);
    assert_true(st.stalled);
    assert_false(st.terminal_count);
    assert_false(st.masked);
    assert_int_equal(st.current_count, 0xFFFF);
    assert_int_equal(st.current_address, 0);
    assert_int_equal(d.tc_count, 0);
    assert_int_equal(hwt_stats(m).terminal_counts, 0);
    hwt_dev_free(&d);
}

/* The same in block mode: the block waits for its device instead of
   spinning, whether started by software request or by DREQ; a device that
   takes nothing stalls too; a new software request also restarts it. */
static void contract_short_return_stalls_block(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 128);
    hwt_dev_attach(&d, 2);
    hwt_fill_pat(m, 0x4000, 40, 3);
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x4000, 40);
    d.per_call = 4;
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    assert_int_equal(d.ncalls, 1); /* no spinning */
    ndisdma_dma_channel_state st = hwt_chan(m, 2);
    assert_true(st.stalled);
    assert_false(st.block_active);
    assert_true(st.software_request); /* still pending: only the device stalls it */
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(d.ncalls, 1);
    /* DREQ asserted: resumes where it stopped. */
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    assert_int_equal(d.calls[1].st.current_address, 0x4004);
    ndisdma_dma_request(m, 2, false);
    /* A new software request restarts it too (choice). */
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    /* A device that takes nothing: no unit moves, the channel stalls. */
    d.per_call = 0;
    d.remaining = 0;
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(d.ncalls, 4);
    assert_true(hwt_chan(m, 2).stalled);
    assert_int_equal(hwt_read_addr(m, 2), 0x400C);
    /* All it is offered now: runs to TC from the next assert. */
    d.remaining = SIZE_MAX;
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 28);
    assert_int_equal(d.rx_len, 40);
    for (size_t i = 0; i < 40; i++)
        assert_int_equal(d.rx[i], hwt_pat(3, i));
    st = hwt_chan(m, 2);
    assert_true(st.terminal_count);
    assert_false(st.software_request);
    ndisdma_dma_request(m, 2, false);

    /* Block started by DREQ on a 16-bit channel, device to memory. */
    hwt_dev d7;
    hwt_dev_init(&d7, m, 16);
    d7.tx_seed = 4;
    d7.per_call = 6; /* three words per call */
    hwt_dev_attach(&d7, 7);
    hwt_fill_byte(m, 0x8000, 32, 0xEE);
    hwt_program(m, 7, MODE_BLOCK | MODE_TYPE_WRITE, 0x8000, 10);
    ndisdma_dma_request(m, 7, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 3);
    hwt_expect_pat(m, 0x8000, 6, 4, 0);
    hwt_expect_byte(m, 0x8006, 32 - 6, 0xEE); /* nothing past the words given */
    assert_int_equal(run_with_reassert(m, 7, 10), 7);
    hwt_expect_pat(m, 0x8000, 20, 4, 0);
    hwt_expect_byte(m, 0x8000 + 20, 12, 0xEE);
    assert_int_equal(d7.ncalls, 4);
    hwt_dev_free(&d);
    hwt_dev_free(&d7);
}

/* Odd byte counts returned on a 16-bit channel count whole words only. */
static size_t odd_return(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)d;
    (void)ch;
    (void)take;
    return len >= 5 ? 5 : len; /* two words and a half, or everything */
}

static size_t odd_return_then_eop(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)take;
    ndisdma_dma_eop(d->m, ch);
    return len >= 3 ? 3 : len; /* one word and a half */
}

static void contract_odd_bytes_16bit_count_whole_words(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    d.hook = odd_return;
    hwt_dev_attach(&d, 5);
    hwt_fill_pat(m, 0x6000, 16, 5);
    hwt_program(m, 5, MODE_DEMAND | MODE_TYPE_READ, 0x6000, 8);
    ndisdma_dma_request(m, 5, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 2); /* 5 bytes = 2 words */
    ndisdma_dma_channel_state st = hwt_chan(m, 5);
    assert_int_equal(st.current_address, 0x3000 + 2);
    assert_int_equal(st.current_count, 7 - 2);
    assert_true(st.stalled);
    /* The next call starts with word 2 (byte 4), not with byte 5. */
    ndisdma_dma_request(m, 5, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 2);
    assert_int_equal(d.calls[1].len, 12);
    assert_int_equal(d.rx[5], hwt_pat(5, 4));
    assert_int_equal(hwt_stats(m).bytes, 8);
    assert_int_equal(hwt_stats(m).units, 4);

    /* Device to memory, decrementing: 5 bytes given = 2 words stored at the
       top two word addresses; the half word is not stored. */
    hwt_dev d6;
    hwt_dev_init(&d6, m, 16);
    d6.hook = odd_return;
    d6.tx_seed = 6;
    hwt_dev_attach(&d6, 6);
    hwt_fill_byte(m, 0x7000, 16, 0xEE);
    hwt_setup_raw(m, 6, MODE_DEMAND | MODE_TYPE_WRITE | MODE_DECREMENT, 0x3807, 0, 7);
    hwt_set_mask(m, 6, false); /* words 0x700E, 0x700C, ... down to 0x7000 */
    ndisdma_dma_request(m, 6, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 2);
    const uint8_t want[4] = {hwt_pat(6, 2), hwt_pat(6, 3), hwt_pat(6, 0), hwt_pat(6, 1)};
    hwt_expect_bytes(m, 0x700C, want, 4);
    hwt_expect_byte(m, 0x7000, 12, 0xEE);
    assert_int_equal(hwt_chan(m, 6).current_address, 0x3805);
    assert_int_equal(hwt_chan(m, 6).current_count, 5);

    /* Device to memory, incrementing: the transfer completes with every word
       from the device in place. */
    hwt_dev d7;
    hwt_dev_init(&d7, m, 16);
    d7.hook = odd_return;
    d7.tx_seed = 7;
    hwt_dev_attach(&d7, 7);
    hwt_fill_byte(m, 0x9000, 20, 0xEE);
    hwt_program(m, 7, MODE_DEMAND | MODE_TYPE_WRITE, 0x9000, 8);
    assert_int_equal(run_with_reassert(m, 7, 10), 8);
    /* The device gave bytes 0-4, then (as it counts its own bytes) 5-9 ...;
       the controller took words 0-1 from the first call, so RAM holds each
       call's first four bytes. */
    assert_int_equal(d7.ncalls, 4);
    for (size_t c = 0; c < 4; c++) {
        assert_int_equal(d7.calls[c].st.current_address, 0x4800 + 2 * c);
        hwt_expect_pat(m, 0x9000 + 4 * c, 4, 7, 5 * c);
    }
    hwt_expect_byte(m, 0x9000 + 16, 4, 0xEE);

    /* The half word never reaches memory, incrementing or decrementing, even
       when the transfer then ends (EOP) and nothing rewrites that word. */
    d7.hook = odd_return_then_eop;
    for (int dec = 0; dec < 2; dec++) {
        d7.tx_pos = 0;
        hwt_fill_byte(m, 0xA000, 8, 0xEE);
        hwt_setup_raw(m, 7, (uint8_t)(MODE_DEMAND | MODE_TYPE_WRITE | (dec ? MODE_DECREMENT : 0)),
                      dec ? 0x5003 : 0x5000, 0, 3); /* words 0xA000-0xA006 */
        hwt_set_mask(m, 7, false);
        ndisdma_dma_request(m, 7, true);
        assert_int_equal(ndisdma_dma_run(m, 0), 1);
        const uint8_t word[2] = {hwt_pat(7, 0), hwt_pat(7, 1)};
        hwt_expect_bytes(m, dec ? 0xA006 : 0xA000, word, 2);
        hwt_expect_byte(m, dec ? 0xA000 : 0xA002, 6, 0xEE);
        assert_true(hwt_chan(m, 7).terminal_count);
        ndisdma_dma_request(m, 7, false);
    }
    hwt_dev_free(&d);
    hwt_dev_free(&d6);
    hwt_dev_free(&d7);
}

/* Decrementing transfers offer data in transfer order (descending
   addresses); 16-bit words descend, each word low byte first (H18 inside). */
static void contract_decrement_order(void **state)
{
    ndisdma_machine *m = *state;
    /* 8-bit, memory to device. */
    hwt_dev d1;
    hwt_dev_init(&d1, m, 64);
    hwt_dev_attach(&d1, 1);
    hwt_fill_pat(m, 0x5000, 10, 1);
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_READ | MODE_DECREMENT, 0x5009, 0, 9);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(d1.rx[i], hwt_pat(1, 9 - i));
    /* 8-bit, device to memory: data[i] lands at top - i. */
    d1.tx_seed = 2;
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_WRITE | MODE_DECREMENT, 0x5109, 0, 9);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 10);
    uint8_t want[10];
    for (size_t i = 0; i < 10; i++)
        want[9 - i] = hwt_pat(2, i);
    hwt_expect_bytes(m, 0x5100, want, 10);
    hwt_expect_byte(m, 0x50FF, 1, 0);
    hwt_expect_byte(m, 0x510A, 1, 0);

    /* 16-bit, memory to device: words 0x6006, 0x6004, 0x6002, 0x6000, low
       byte of each first. */
    hwt_dev d6;
    hwt_dev_init(&d6, m, 64);
    hwt_dev_attach(&d6, 6);
    const uint8_t ram[8] = {0x00, 0x01, 0x10, 0x11, 0x20, 0x21, 0x30, 0x31};
    assert_int_equal(ndisdma_phys_write(m, 0x6000, ram, 8), 0);
    hwt_setup_raw(m, 6, MODE_BLOCK | MODE_TYPE_READ | MODE_DECREMENT, 0x3003, 0, 3);
    hwt_sw_request(m, 6, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    const uint8_t seen[8] = {0x30, 0x31, 0x20, 0x21, 0x10, 0x11, 0x00, 0x01};
    assert_int_equal(d6.rx_len, 8);
    assert_memory_equal(d6.rx, seen, 8);
    /* 16-bit, device to memory, with a short return in the middle. */
    d6.tx_seed = 3;
    d6.per_call = 4;
    hwt_setup_raw(m, 6, MODE_DEMAND | MODE_TYPE_WRITE | MODE_DECREMENT, 0x3103, 0, 3);
    hwt_set_mask(m, 6, false);
    assert_int_equal(run_with_reassert(m, 6, 5), 4);
    /* Device bytes b0..b7: word at 0x6206 = b0 b1, 0x6204 = b2 b3, ... */
    uint8_t want16[8];
    for (size_t w = 0; w < 4; w++) {
        want16[6 - 2 * w] = hwt_pat(3, 2 * w);
        want16[7 - 2 * w] = hwt_pat(3, 2 * w + 1);
    }
    hwt_expect_bytes(m, 0x6200, want16, 8);
    hwt_dev_free(&d1);
    hwt_dev_free(&d6);
}

/* No callback crosses the address wrap (H18) or terminal count, in either
   direction and width; autoinitialize continues in a new callback (H20). */
static void expect_calls_within_window(const hwt_dev *d, unsigned shift, bool dec)
{
    for (size_t i = 0; i < d->ncalls; i++) {
        const hwt_call *c = &d->calls[i];
        size_t units = c->len >> shift;
        assert_int_equal(units << shift, c->len);
        assert_true(units >= 1);
        assert_true(units <= (size_t)c->st.current_count + 1u);
        if (dec)
            assert_true(units <= (size_t)c->st.current_address + 1u);
        else
            assert_true(units <= 0x10000u - c->st.current_address);
    }
}

static void contract_no_callback_crosses_wrap_or_tc(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d1;
    hwt_dev_init(&d1, m, 1024);
    hwt_dev_attach(&d1, 1);
    /* 48 bytes from 0xFFF0: 16 to the wrap, then 32 to TC; autoinit repeats. */
    hwt_setup_raw(m, 1, MODE_DEMAND | MODE_TYPE_READ | MODE_AUTOINIT, 0xFFF0, 0x01, 47);
    hwt_set_mask(m, 1, false);
    ndisdma_dma_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 48 * 3), 48 * 3);
    assert_int_equal(d1.ncalls, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(d1.calls[i].len, i % 2 ? 32 : 16);
    expect_calls_within_window(&d1, 0, false);
    assert_int_equal(d1.tc_count, 3);
    ndisdma_dma_request(m, 1, false);

    /* 16-bit, decrementing from word 0x0007: 8 words to the wrap, 12 to TC. */
    hwt_dev d6;
    hwt_dev_init(&d6, m, 1024);
    hwt_dev_attach(&d6, 6);
    hwt_setup_raw(m, 6, MODE_BLOCK | MODE_TYPE_READ | MODE_DECREMENT, 0x0007, 0x02, 19);
    hwt_sw_request(m, 6, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 20);
    assert_int_equal(d6.ncalls, 2);
    assert_int_equal(d6.calls[0].len, 16);
    assert_int_equal(d6.calls[1].len, 24);
    assert_int_equal(d6.calls[1].st.current_address, 0xFFFF);
    expect_calls_within_window(&d6, 1, true);

    /* Device to memory, incrementing, 16-bit, near the top of the window. */
    hwt_dev d5;
    hwt_dev_init(&d5, m, 16);
    hwt_dev_attach(&d5, 5);
    hwt_setup_raw(m, 5, MODE_DEMAND | MODE_TYPE_WRITE, 0xFFFD, 0x04, 9);
    hwt_set_mask(m, 5, false);
    ndisdma_dma_request(m, 5, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 10);
    assert_int_equal(d5.ncalls, 2);
    assert_int_equal(d5.calls[0].len, 6);
    assert_int_equal(d5.calls[1].len, 14);
    expect_calls_within_window(&d5, 1, false);
    hwt_dev_free(&d1);
    hwt_dev_free(&d6);
    hwt_dev_free(&d5);
}

/* The terminal-count callback comes after status, count, address, mask and
   reload are updated; the callback may read the ports (H19, H20). */
static void contract_tc_callback_after_update(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    d.tc_read_ports = true;
    hwt_dev_attach(&d, 3);
    hwt_program(m, 3, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 16);
    hwt_sw_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 16);
    assert_int_equal(d.tc_count, 1);
    assert_true(d.tc_state.terminal_count);
    assert_true(d.tc_state.masked);
    assert_false(d.tc_state.software_request);
    assert_false(d.tc_state.block_active);
    assert_int_equal(d.tc_state.current_count, 0xFFFF);
    assert_int_equal(d.tc_state.current_address, 0x1010);
    assert_int_equal(d.tc_port_addr, 0x1010);
    assert_int_equal(d.tc_port_count, 0xFFFF);

    /* Autoinitialize: reloaded and still unmasked in the callback. */
    hwt_dev d5;
    hwt_dev_init(&d5, m, 64);
    d5.tc_read_ports = true;
    hwt_dev_attach(&d5, 5);
    hwt_program(m, 5, MODE_BLOCK | MODE_TYPE_READ | MODE_AUTOINIT, 0x2000, 8);
    hwt_sw_request(m, 5, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    assert_int_equal(d5.tc_count, 1);
    assert_true(d5.tc_state.terminal_count);
    assert_false(d5.tc_state.masked);
    assert_int_equal(d5.tc_state.current_address, 0x1000);
    assert_int_equal(d5.tc_state.current_count, 7);
    assert_int_equal(d5.tc_port_addr, 0x1000);
    assert_int_equal(d5.tc_port_count, 7);
    /* A device with no terminal_count callback is fine. */
    ndisdma_dma_device no_tc = hwt_device_ops;
    no_tc.terminal_count = NULL;
    hwt_dev d2;
    hwt_dev_init(&d2, m, 64);
    d2.channel = 2;
    assert_int_equal(ndisdma_dma_attach(m, 2, &no_tc, &d2), 0);
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 4);
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    assert_int_equal(d2.tc_count, 0);
    assert_true(hwt_chan(m, 2).terminal_count);
    hwt_dev_free(&d);
    hwt_dev_free(&d5);
    hwt_dev_free(&d2);
}

/* A nested ndisdma_dma_run from a callback does nothing and returns 0. */
static size_t nested_run(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)ch;
    (void)len;
    size_t *out = d->user;
    *out = ndisdma_dma_run(d->m, 0) + 100 * ndisdma_dma_run(d->m, 5);
    return take;
}

static void tc_nested_run(hwt_dev *d, unsigned ch)
{
    (void)ch;
    size_t *out = d->user;
    out[1] = ndisdma_dma_run(d->m, 0) + 1;
}

static void contract_nested_run_returns_zero(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d1, d2;
    hwt_dev_init(&d1, m, 64);
    hwt_dev_init(&d2, m, 64);
    hwt_dev_attach(&d1, 1);
    hwt_dev_attach(&d2, 2);
    size_t out[2] = {99, 99};
    d1.user = out;
    d1.hook = nested_run;
    d1.tc_hook = tc_nested_run;
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 4);
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 4);
    hwt_sw_request(m, 1, true);
    hwt_sw_request(m, 2, true); /* pending: a nested run must not serve it */
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    assert_int_equal(out[0], 0);
    assert_int_equal(out[1], 1);
    /* Channel 2 was served by the outer run, after channel 1. */
    assert_int_equal(d2.ncalls, 1);
    assert_int_equal(d1.rx_len, 4);
    hwt_dev_free(&d1);
    hwt_dev_free(&d2);
}

/* External EOP is honoured only from the channel's own data callback; an EOP
   outside service (another channel's callback, a TC callback, no run at all)
   is ignored, traced and counted (H25). */
static size_t eop_other_channel(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)ch;
    (void)len;
    ndisdma_dma_eop(d->m, 2);
    return take;
}

static void tc_eop_self(hwt_dev *d, unsigned ch)
{
    ndisdma_dma_eop(d->m, ch);
}

static void contract_eop_only_from_own_callback(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d1, d2;
    hwt_dev_init(&d1, m, 64);
    hwt_dev_init(&d2, m, 64);
    hwt_dev_attach(&d1, 1);
    hwt_dev_attach(&d2, 2);
    hwt_events ev;
    hwt_events_attach(&ev, m);

    /* No run: ignored. */
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 20);
    ndisdma_dma_eop(m, 2);
    const ndisdma_event *ig = hwt_events_find(&ev, NDISDMA_EV_EOP_IGNORED, 0);
    assert_non_null(ig);
    assert_int_equal(ig->channel, 2);
    const ndisdma_event *il = hwt_events_find(&ev, NDISDMA_EV_ILLEGAL, 0);
    assert_non_null(il);
    assert_int_equal(il->reason, NDISDMA_ILLEGAL_EOP_OUTSIDE_SERVICE);
    assert_int_equal(il->channel, 2);
    assert_false(hwt_chan(m, 2).terminal_count);

    /* From channel 1's callback for channel 2: ignored; both complete. */
    d1.hook = eop_other_channel;
    d1.tc_hook = tc_eop_self; /* and from channel 1's own TC callback */
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 10);
    hwt_sw_request(m, 1, true);
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 30);
    assert_int_equal(d1.rx_len, 10);
    assert_int_equal(d2.rx_len, 20);
    assert_int_equal(hwt_chan(m, 1).current_address, 0x100A);
    assert_int_equal(hwt_chan(m, 2).current_address, 0x1014);
    assert_int_equal(ev.count[NDISDMA_EV_EOP], 0);
    assert_int_equal(ev.count[NDISDMA_EV_EOP_IGNORED], 3);
    assert_int_equal(ev.count[NDISDMA_EV_TC], 2);
    assert_int_equal(hwt_stats(m).illegal_by_reason[NDISDMA_ILLEGAL_EOP_OUTSIDE_SERVICE], 3);
    assert_int_equal(hwt_stats(m).terminal_counts, 2);
    hwt_events_detach(&ev, m);
    hwt_dev_free(&d1);
    hwt_dev_free(&d2);
}

/* EOP takes effect after the units that callback moved, also combined with a
   short return (it ends the transfer rather than stalling it) and when the
   callback took everything it was offered before a wrap (H25). */
static size_t eop_take(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)len;
    if (d->ncalls == *(size_t *)d->user)
        ndisdma_dma_eop(d->m, ch);
    return take;
}

static void contract_eop_after_units_moved(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    hwt_dev_attach(&d, 3);
    size_t when = 1;
    d.user = &when;
    d.hook = eop_take;
    d.per_call = 6;
    hwt_program(m, 3, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 20);
    ndisdma_dma_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 6);
    ndisdma_dma_channel_state st = hwt_chan(m, 3);
    assert_true(st.terminal_count);
    assert_true(st.masked);
    assert_int_equal(st.current_address, 0x1006);
    assert_int_equal(st.current_count, 13);
    assert_int_equal(d.tc_count, 1);
    /* Choice: the short return (6 of 20) also stalls the channel (DREQ
       dropped) besides ending the transfer. */
    assert_true(st.stalled);
    assert_false(st.dreq);
    assert_int_equal(hwt_stats(m).stalls, 1);

    /* Full return of a burst that stops at the wrap, EOP in it: the second
       burst never comes; no stall. */
    d.per_call = 0;
    d.ncalls = 0;
    hwt_program(m, 3, MODE_DEMAND | MODE_TYPE_READ, 0x1FFF8, 20);
    ndisdma_dma_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    assert_int_equal(d.ncalls, 1);
    st = hwt_chan(m, 3);
    assert_int_equal(st.current_address, 0x0000);
    assert_true(st.terminal_count);
    assert_false(st.stalled);
    assert_true(st.dreq);
    assert_int_equal(d.tc_count, 2);
    assert_int_equal(hwt_stats(m).stalls, 1);

    /* EOP in the second of three callbacks. */
    d.ncalls = 0;
    when = 2;
    d.per_call = 4;
    hwt_program(m, 3, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 20);
    assert_int_equal(run_with_reassert(m, 3, 10), 8);
    assert_int_equal(d.ncalls, 2);
    assert_int_equal(hwt_chan(m, 3).current_address, 0x1008);
    assert_int_equal(d.tc_count, 3);
    hwt_dev_free(&d);
}

/* A device that takes nothing and pulses EOP on an autoinitialize channel
   with DREQ held: the EOP reloads the channel, the short return stalls it, so
   the run ends instead of granting the channel again forever (H20, H25). */
static size_t nothing_and_eop(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)len;
    (void)take;
    if (d->ncalls > 8)
        fail_msg("channel %u granted again and again without moving", ch);
    ndisdma_dma_eop(d->m, ch);
    return 0;
}

static void contract_zero_return_with_eop_does_not_spin(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    d.hook = nothing_and_eop;
    hwt_dev_attach(&d, 2);
    hwt_program(m, 2, MODE_DEMAND | MODE_TYPE_READ | MODE_AUTOINIT, 0x3000, 16);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(d.ncalls, 1);
    assert_int_equal(d.tc_count, 1);
    ndisdma_dma_channel_state st = hwt_chan(m, 2);
    assert_true(st.stalled);
    assert_true(st.terminal_count);
    assert_false(st.masked);
    assert_int_equal(st.current_count, 15);
    /* Asserting DREQ again lets the device try again. */
    d.hook = NULL;
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 16), 16);
    hwt_dev_free(&d);
}

/* A channel without a device: memory-to-device data is discarded,
   device-to-memory stores 0xFF; a device with a NULL direction callback
   behaves the same in that direction. */
static void contract_channel_without_device(void **state)
{
    ndisdma_machine *m = *state;
    hwt_events ev;
    hwt_events_attach(&ev, m);
    hwt_fill_pat(m, 0x1000, 32, 1);
    hwt_fill_byte(m, 0x2000, 40, 0x11);
    /* Read transfer with no device: moves, RAM unchanged. */
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 32);
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 32);
    hwt_expect_pat(m, 0x1000, 32, 1, 0);
    assert_true(hwt_chan(m, 2).terminal_count);
    const ndisdma_event *b = hwt_events_find(&ev, NDISDMA_EV_BURST, 0);
    assert_non_null(b);
    assert_int_equal(b->flags & NDISDMA_EVF_NO_DEVICE, NDISDMA_EVF_NO_DEVICE);
    assert_int_equal(b->xfer, NDISDMA_XFER_READ);
    /* Write transfer with no device: 0xFF stored exactly in the range. */
    hwt_program(m, 3, MODE_BLOCK | MODE_TYPE_WRITE, 0x2004, 32);
    hwt_sw_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 32);
    hwt_expect_byte(m, 0x2000, 4, 0x11);
    hwt_expect_byte(m, 0x2004, 32, 0xFF);
    hwt_expect_byte(m, 0x2024, 4, 0x11);
    /* 16-bit, decrementing, no device. */
    hwt_fill_byte(m, 0x3000, 16, 0x22);
    hwt_setup_raw(m, 6, MODE_BLOCK | MODE_TYPE_WRITE | MODE_DECREMENT, 0x1805, 0, 3);
    hwt_sw_request(m, 6, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    hwt_expect_byte(m, 0x3000, 4, 0x22);
    hwt_expect_byte(m, 0x3004, 8, 0xFF);
    hwt_expect_byte(m, 0x300C, 4, 0x22);

    /* A device without to_device/from_device: same; its TC callback runs. */
    ndisdma_dma_device half = hwt_device_ops;
    half.to_device = NULL;
    half.from_device = NULL;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    d.channel = 1;
    assert_int_equal(ndisdma_dma_attach(m, 1, &half, &d), 0);
    hwt_fill_byte(m, 0x4000, 8, 0x33);
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_WRITE, 0x4000, 8);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    hwt_expect_byte(m, 0x4000, 8, 0xFF);
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 8);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    hwt_expect_pat(m, 0x1000, 32, 1, 0);
    assert_int_equal(d.ncalls, 0);
    assert_int_equal(d.tc_count, 2);
    hwt_events_detach(&ev, m);
    hwt_dev_free(&d);
}

/* DMA beyond the end of RAM reads 0xFF and loses writes, in every path
   (direct, decrementing, 16-bit, partly inside RAM, memory-to-memory). */
static void contract_dma_beyond_ram(void **state)
{
    (void)state;
    ndisdma_machine *m = hwt_new(0x11000); /* 68 KiB: RAM ends at 0x11000 */
    hwt_dev d;
    hwt_dev_init(&d, m, 256);
    hwt_dev_attach(&d, 1);
    hwt_fill_pat(m, 0x10FF8, 8, 1);

    /* Partly inside: 0x10FF8..0x11007. */
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_READ, 0x10FF8, 16);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 16);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(d.rx[i], hwt_pat(1, i));
        assert_int_equal(d.rx[8 + i], 0xFF);
    }
    /* Decrementing across the end: first in transfer order are beyond. */
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_READ | MODE_DECREMENT, 0x1007, 0x01, 15);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 16);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(d.rx[16 + i], 0xFF);
        assert_int_equal(d.rx[24 + i], hwt_pat(1, 7 - i));
    }
    /* Wholly beyond (page 0x20 = 2 MiB). */
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_READ, 0x200000, 16);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 16);
    for (size_t i = 0; i < 16; i++)
        assert_int_equal(d.rx[32 + i], 0xFF);

    /* Writes: the part inside RAM lands, the rest is lost. */
    d.tx_seed = 2;
    hwt_fill_byte(m, 0x10FF0, 16, 0x00);
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_WRITE, 0x10FF8, 16);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 16);
    hwt_expect_pat(m, 0x10FF8, 8, 2, 0);
    hwt_expect_byte(m, 0x10FF0, 8, 0x00);
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_WRITE, 0xFF0000, 256);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 256);
    assert_int_equal(ndisdma_machine_ram_bytes(m), 0x11000);
    /* Decrementing write across the end: the last 8 in transfer order land. */
    d.tx_seed = 3;
    d.tx_pos = 0;
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_WRITE | MODE_DECREMENT, 0x1007, 0x01, 15);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 16);
    uint8_t want[8];
    for (size_t i = 0; i < 8; i++)
        want[7 - i] = hwt_pat(3, 8 + i);
    hwt_expect_bytes(m, 0x10FF8, want, 8);

    /* 16-bit across the end: words 0x10FF8..0x11006. */
    hwt_dev d5;
    hwt_dev_init(&d5, m, 64);
    hwt_dev_attach(&d5, 5);
    hwt_fill_pat(m, 0x10FF8, 8, 4);
    hwt_program(m, 5, MODE_BLOCK | MODE_TYPE_READ, 0x10FF8, 8);
    hwt_sw_request(m, 5, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(d5.rx[i], hwt_pat(4, i));
        assert_int_equal(d5.rx[8 + i], 0xFF);
    }

    /* Memory-to-memory from beyond RAM: the destination gets 0xFF; to beyond
       RAM: nothing happens to RAM. */
    hwt_setup_raw(m, 0, MODE_BLOCK | MODE_TYPE_READ, 0x0000, 0x30, 7);
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_WRITE, 0x0100, 0x00, 7);
    hwt_command(m, 0, CMD_MEM_TO_MEM);
    hwt_sw_request(m, 0, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    hwt_expect_byte(m, 0x100, 8, 0xFF);
    assert_int_equal(ndisdma_io_read8(m, 0x0D), 0xFF);
    hwt_fill_pat(m, 0x200, 8, 5);
    hwt_setup_raw(m, 0, MODE_BLOCK | MODE_TYPE_READ, 0x0200, 0x00, 7);
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_WRITE, 0xFFF8, 0x01, 7); /* 0x1FFF8 */
    hwt_sw_request(m, 0, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    hwt_expect_pat(m, 0x200, 8, 5, 0);

    hwt_dev_free(&d);
    hwt_dev_free(&d5);
    ndisdma_machine_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(contract_attach_invalid_then_valid, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_attach_detach_from_callback_refused, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_detach_drops_dreq, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_request_invalid_channel, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_units_and_lengths, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_short_return_stalls_demand, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_zero_return_at_full_count_no_tc, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_short_return_stalls_block, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_odd_bytes_16bit_count_whole_words, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_decrement_order, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_no_callback_crosses_wrap_or_tc, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_tc_callback_after_update, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_nested_run_returns_zero, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_eop_only_from_own_callback, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_eop_after_units_moved, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_zero_return_with_eop_does_not_spin, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(contract_channel_without_device, hwt_setup, hwt_teardown),
        cmocka_unit_test(contract_dma_beyond_ram),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
