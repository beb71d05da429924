/*
 * Transfers: types, modes, cascade, priority, memory-to-memory, external EOP.
 * Behaviours H4, H15 (type 11, cascade mode elsewhere than channel 4), H21,
 * H22, H23, H24, H25 of spec/i8237.md.
 */
#include "hwtest.h"

#include <string.h>

/* H21: read transfer (type 10) moves memory to the device, RAM unchanged. */
static void h21_read_transfer_memory_to_device(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 512);
    hwt_dev_attach(&d, 2);
    hwt_fill_pat(m, 0x9000, 300, 1);
    hwt_program(m, 2, MODE_DEMAND | MODE_TYPE_READ, 0x9000, 300);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 300);
    assert_int_equal(d.rx_len, 300);
    for (size_t i = 0; i < 300; i++)
        assert_int_equal(d.rx[i], hwt_pat(1, i));
    assert_int_equal(d.calls[0].kind, HWT_TO_DEVICE);
    hwt_expect_pat(m, 0x9000, 300, 1, 0);
    assert_int_equal(d.tc_count, 1);
    hwt_dev_free(&d);
}

/* H21: write transfer (type 01) moves the device to memory, nothing else. */
static void h21_write_transfer_device_to_memory(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 16);
    d.tx_seed = 2;
    hwt_dev_attach(&d, 5);
    hwt_fill_byte(m, 0x9000 - 2, 2, 0xAA);
    hwt_fill_byte(m, 0x9000 + 600, 2, 0xBB);
    hwt_program(m, 5, MODE_DEMAND | MODE_TYPE_WRITE, 0x9000, 300);
    ndisdma_dma_request(m, 5, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 300);
    assert_int_equal(d.calls[0].kind, HWT_FROM_DEVICE);
    assert_int_equal(d.calls[0].len, 600);
    assert_int_equal(d.rx_len, 0);
    hwt_expect_pat(m, 0x9000, 600, 2, 0);
    hwt_expect_byte(m, 0x9000 - 2, 2, 0xAA);
    hwt_expect_byte(m, 0x9000 + 600, 2, 0xBB);
    hwt_dev_free(&d);
}

/* H21: verify (type 00) steps address and count to TC, touches neither
   memory nor the device, and counts its units. */
static void h21_verify_touches_nothing(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 16);
    hwt_dev_attach(&d, 6);
    hwt_events ev;
    hwt_events_attach(&ev, m);
    hwt_fill_pat(m, 0x10000, 64, 3);
    hwt_program(m, 6, MODE_DEMAND | MODE_TYPE_VERIFY, 0x10000, 32);
    ndisdma_dma_request(m, 6, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 32);
    assert_int_equal(d.ncalls, 0);
    assert_int_equal(d.tc_count, 1); /* TC still reaches the device */
    hwt_expect_pat(m, 0x10000, 64, 3, 0);
    ndisdma_dma_channel_state st = hwt_chan(m, 6);
    assert_true(st.terminal_count);
    assert_int_equal(st.current_address, 0x8000 + 32);
    assert_int_equal(st.current_count, 0xFFFF);
    const ndisdma_event *b = hwt_events_find(&ev, NDISDMA_EV_BURST, 0);
    assert_non_null(b);
    assert_int_equal(b->xfer, NDISDMA_XFER_VERIFY);
    assert_int_equal(b->units, 32);
    assert_int_equal(hwt_stats(m).units, 32);
    hwt_events_detach(&ev, m);
    hwt_dev_free(&d);
}

/* H15: transfer type 11 behaves as verify and the mode write is recorded. */
static void h15_illegal_type_behaves_as_verify(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 16);
    hwt_dev_attach(&d, 1);
    hwt_events ev;
    hwt_events_attach(&ev, m);
    hwt_fill_pat(m, 0x2000, 16, 4);
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_ILLEGAL, 0x2000, 16);
    const ndisdma_event *il = hwt_events_find(&ev, NDISDMA_EV_ILLEGAL, 0);
    assert_non_null(il);
    assert_int_equal(il->reason, NDISDMA_ILLEGAL_ILLEGAL_XFER_TYPE);
    assert_int_equal(il->channel, 1);
    assert_int_equal(il->port, 0x0B);
    assert_int_equal(il->value, MODE_BLOCK | MODE_TYPE_ILLEGAL | 1);
    assert_int_equal(hwt_stats(m).illegal_by_reason[NDISDMA_ILLEGAL_ILLEGAL_XFER_TYPE], 1);
    assert_int_equal(hwt_chan(m, 1).mode, MODE_BLOCK | MODE_TYPE_ILLEGAL); /* stored */
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 16);
    assert_int_equal(d.ncalls, 0);
    hwt_expect_pat(m, 0x2000, 16, 4, 0);
    assert_true(hwt_chan(m, 1).terminal_count);
    assert_int_equal(hwt_read_addr(m, 1), 0x2010);
    const ndisdma_event *b = hwt_events_find(&ev, NDISDMA_EV_BURST, 0);
    assert_non_null(b);
    assert_int_equal(b->xfer, NDISDMA_XFER_ILLEGAL);
    hwt_events_detach(&ev, m);
    hwt_dev_free(&d);
}

/* H15, H22: cascade mode on a channel other than 4 moves nothing and is
   recorded; the channel keeps its address and count. */
static void h15_h22_cascade_mode_not_4_moves_nothing(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d2, d6;
    hwt_dev_init(&d2, m, 16);
    hwt_dev_init(&d6, m, 16);
    hwt_dev_attach(&d2, 2);
    hwt_dev_attach(&d6, 6);
    hwt_program(m, 2, MODE_CASCADE, 0x1000, 8);
    hwt_program(m, 6, MODE_CASCADE, 0x1000, 8);
    ndisdma_hw_stats s = hwt_stats(m);
    assert_int_equal(s.illegal_by_reason[NDISDMA_ILLEGAL_CASCADE_NOT_4], 2);
    ndisdma_dma_request(m, 2, true);
    ndisdma_dma_request(m, 6, true);
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(d2.ncalls + d6.ncalls, 0);
    assert_int_equal(hwt_read_count(m, 2), 7);
    assert_int_equal(hwt_read_addr(m, 6), 0x0800);
    /* The requests still show in the status register (H11). */
    assert_int_equal(hwt_read_status(m, 0), 0x40);
    assert_int_equal(hwt_read_status(m, 1), 0x40);
    hwt_dev_free(&d2);
    hwt_dev_free(&d6);
}

/* A hook that drops DREQ after the device has taken @user bytes in total. */
static size_t drop_dreq_after(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)len;
    size_t limit = *(size_t *)d->user;
    size_t have = d->rx_len + d->tx_pos;
    if (have + take >= limit) {
        take = limit - have;
        ndisdma_dma_request(d->m, ch, false);
    }
    return take;
}

/* H22: demand mode suspends when DREQ drops, keeps address and count, and
   resumes where it stopped. */
static void h22_demand_mode_suspends_and_resumes(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 256);
    hwt_dev_attach(&d, 3);
    /* 200 bytes from 0xFFD8 of page 0x0A: the first burst offers the 40
       bytes up to the address wrap (H18), the rest comes from 0xA0000. */
    hwt_fill_pat(m, 0xAFFD8, 40, 5);
    hwt_fill_pat(m, 0xA0000, 160, 6);
    hwt_program(m, 3, MODE_DEMAND | MODE_TYPE_READ, 0xAFFD8, 200);
    size_t limit = 40;
    d.user = &limit;
    d.hook = drop_dreq_after;
    /* The device takes all 40 bytes offered and drops DREQ in the callback. */
    ndisdma_dma_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 40);
    assert_int_equal(d.ncalls, 1);
    assert_int_equal(d.calls[0].len, 40);
    ndisdma_dma_channel_state st = hwt_chan(m, 3);
    assert_false(st.dreq);
    assert_false(st.stalled); /* a full return is not a stall */
    assert_int_equal(st.current_address, 0x0000);
    assert_int_equal(st.current_count, 199 - 40);
    assert_int_equal(st.page, 0x0A);
    assert_int_equal(ndisdma_dma_run(m, 0), 0); /* suspended */
    assert_int_equal(d.ncalls, 1);
    /* Resumed: the device drops DREQ again after 150 bytes in total. */
    limit = 150;
    ndisdma_dma_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 110);
    assert_int_equal(d.calls[1].st.current_address, 0x0000);
    assert_int_equal(d.calls[1].st.current_count, 199 - 40);
    assert_int_equal(hwt_read_addr(m, 3), 110);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    d.hook = NULL;
    ndisdma_dma_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 50);
    assert_int_equal(d.rx_len, 200);
    for (size_t i = 0; i < 40; i++)
        assert_int_equal(d.rx[i], hwt_pat(5, i));
    for (size_t i = 0; i < 160; i++)
        assert_int_equal(d.rx[40 + i], hwt_pat(6, i));
    assert_int_equal(d.tc_count, 1);
    hwt_dev_free(&d);
}

/* H22, H23 (choice): demand mode holds the bus while DREQ stays asserted; a
   higher-priority request raised meanwhile waits. */
static size_t raise_channel0(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)ch;
    (void)len;
    ndisdma_dma_request(d->m, 0, true);
    return take;
}

static void h22_demand_mode_holds_the_bus(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d0, d3;
    hwt_dev_init(&d0, m, 64);
    hwt_dev_init(&d3, m, 64);
    hwt_log log = {0};
    d0.log = &log;
    d3.log = &log;
    hwt_dev_attach(&d0, 0);
    hwt_dev_attach(&d3, 3);
    hwt_program(m, 0, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 4);
    hwt_program(m, 3, MODE_DEMAND | MODE_TYPE_READ, 0xFFFC, 8); /* wraps after 4 */
    d3.hook = raise_channel0;
    ndisdma_dma_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 12);
    /* Channel 3's two bursts (split by the wrap) ran before channel 0. */
    assert_int_equal(log.n, 3);
    assert_int_equal(log.ch[0], 3);
    assert_int_equal(log.ch[1], 3);
    assert_int_equal(log.ch[2], 0);
    hwt_dev_free(&d0);
    hwt_dev_free(&d3);
}

/* H22: single mode moves one unit per grant: the device sees one unit per
   call, and arbitration happens between units. */
static size_t raise_channel1_once(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)ch;
    (void)len;
    if (d->ncalls == 2)
        ndisdma_dma_request(d->m, 1, true);
    return take;
}

static void h22_single_mode_one_unit_per_grant(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d1, d3, d7;
    hwt_dev_init(&d1, m, 64);
    hwt_dev_init(&d3, m, 64);
    hwt_dev_init(&d7, m, 64);
    hwt_log log = {0};
    d1.log = &log;
    d3.log = &log;
    hwt_dev_attach(&d1, 1);
    hwt_dev_attach(&d3, 3);
    hwt_dev_attach(&d7, 7);
    hwt_fill_pat(m, 0xB000, 16, 6);
    hwt_program(m, 3, MODE_SINGLE | MODE_TYPE_READ, 0xB000, 5);
    hwt_program(m, 1, MODE_SINGLE | MODE_TYPE_READ, 0xB000, 2);
    hwt_program(m, 7, MODE_SINGLE | MODE_TYPE_READ, 0xB000, 3);
    d3.hook = raise_channel1_once;
    ndisdma_dma_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 7);
    /* Channel 3 served one unit at a time; channel 1's request, raised during
       channel 3's second unit, wins the next grant. */
    static const unsigned want[] = {3, 3, 1, 1, 3, 3, 3};
    assert_int_equal(log.n, 7);
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(log.ch[i], want[i]);
    for (size_t i = 0; i < d3.ncalls; i++) {
        assert_int_equal(d3.calls[i].len, 1);
        assert_int_equal(d3.calls[i].st.current_address, 0xB000 + i);
    }
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(d3.rx[i], hwt_pat(6, i));
    /* 16-bit: one word per call. */
    ndisdma_dma_request(m, 7, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 3);
    assert_int_equal(d7.ncalls, 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(d7.calls[i].len, 2);
    hwt_dev_free(&d1);
    hwt_dev_free(&d3);
    hwt_dev_free(&d7);
}

/* H22: block mode runs to TC from one request, whatever DREQ does after. */
static size_t drop_own_dreq(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)len;
    ndisdma_dma_request(d->m, ch, false);
    return take;
}

static void h22_block_mode_runs_to_tc(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 1024);
    hwt_dev_attach(&d, 2);
    hwt_fill_pat(m, 0x2FF80, 0x100, 7);
    /* 0xFF80..0x007F of page 2: two bursts split by the wrap. */
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x2FF80, 0x100);
    d.hook = drop_own_dreq; /* DREQ dropped in the first callback */
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0x100);
    assert_int_equal(d.ncalls, 2);
    assert_false(d.calls[1].st.dreq);
    assert_true(d.calls[1].st.block_active);
    assert_int_equal(d.tc_count, 1);
    for (size_t i = 0; i < 0x80; i++)
        assert_int_equal(d.rx[i], hwt_pat(7, i));

    /* Interrupted by the run limit, DREQ dropped: the block continues. */
    d.hook = NULL;
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x2FF80, 0x40);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0x10), 0x10);
    ndisdma_dma_request(m, 2, false);
    assert_true(hwt_chan(m, 2).block_active);
    assert_int_equal(ndisdma_dma_run(m, 0), 0x30);
    assert_int_equal(d.tc_count, 2);

    /* Choice: a block started by DREQ waits while its channel is masked and
       resumes when it is unmasked. */
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x2FF80, 0x40);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0x10), 0x10);
    ndisdma_dma_request(m, 2, false);
    hwt_set_mask(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    hwt_set_mask(m, 2, false);
    assert_int_equal(ndisdma_dma_run(m, 0), 0x30);

    /* Choice: a new mode write ends a block in progress. */
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x2FF80, 0x40);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0x10), 0x10);
    ndisdma_dma_request(m, 2, false);
    hwt_set_mode(m, 2, MODE_BLOCK | MODE_TYPE_READ);
    assert_false(hwt_chan(m, 2).block_active);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(hwt_read_addr(m, 2), 0xFF90);
    hwt_dev_free(&d);
}

/* H4: masking channel 4 starves channels 0-3; 5-7 still run. */
static void h4_masking_channel4_starves_0_3(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d1, d5;
    hwt_dev_init(&d1, m, 64);
    hwt_dev_init(&d5, m, 64);
    hwt_dev_attach(&d1, 1);
    hwt_dev_attach(&d5, 5);
    hwt_program(m, 1, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 8);
    hwt_program(m, 5, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 8);
    ndisdma_dma_request(m, 1, true);
    ndisdma_dma_request(m, 5, true);
    ndisdma_io_write8(m, 0xD4, MASK_SET | 0); /* mask channel 4 */
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    assert_int_equal(d1.ncalls, 0);
    assert_int_equal(d5.rx_len, 16);
    /* Also software-requested block transfers on 0-3 starve. */
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_VERIFY, 0, 4);
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    ndisdma_io_write8(m, 0xD4, 0); /* unmask channel 4 */
    assert_int_equal(ndisdma_dma_run(m, 0), 12);
    assert_int_equal(d1.rx_len, 8);
    hwt_dev_free(&d1);
    hwt_dev_free(&d5);
}

/* H4 (choice): channel 4 not in cascade mode starves 0-3 and moves nothing
   itself; the mode write is recorded. */
static void h4_channel4_not_cascade(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d1;
    hwt_dev_init(&d1, m, 64);
    hwt_dev_attach(&d1, 1);
    hwt_program(m, 1, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 8);
    ndisdma_dma_request(m, 1, true);
    /* Channel 4 in block mode with a software request, unmasked. */
    hwt_setup_raw(m, 4, MODE_BLOCK | MODE_TYPE_VERIFY, 0x1234, 0, 10);
    hwt_set_mask(m, 4, false);
    hwt_sw_request(m, 4, true);
    assert_int_equal(hwt_stats(m).illegal_by_reason[NDISDMA_ILLEGAL_CHANNEL4_NOT_CASCADE], 1);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(d1.ncalls, 0);
    ndisdma_dma_channel_state st = hwt_chan(m, 4);
    assert_int_equal(st.current_address, 0x1234);
    assert_int_equal(st.current_count, 10);
    assert_false(st.terminal_count);
    /* Cascade mode again: channel 1 gets the bus. */
    hwt_set_mode(m, 4, MODE_CASCADE);
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    assert_int_equal(d1.rx_len, 8);
    assert_int_equal(hwt_stats(m).illegal_by_reason[NDISDMA_ILLEGAL_CHANNEL4_NOT_CASCADE], 1);
    hwt_dev_free(&d1);
}

/* Several single-mode channels with DREQ held; returns the order of grants. */
static void run_single_mode_channels(ndisdma_machine *m, const unsigned *chs, size_t n,
                                     uint32_t units, hwt_log *log, hwt_dev *devs)
{
    for (size_t i = 0; i < n; i++) {
        hwt_dev_init(&devs[i], m, 64);
        devs[i].log = log;
        hwt_dev_attach(&devs[i], chs[i]);
        hwt_program(m, chs[i], MODE_SINGLE | MODE_TYPE_READ, 0x1000, units);
    }
    for (size_t i = 0; i < n; i++)
        ndisdma_dma_request(m, chs[i], true);
    assert_int_equal(ndisdma_dma_run(m, 0), n * units);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < devs[i].ncalls; k++)
            assert_int_equal(devs[i].calls[k].len, chs[i] >= 4 ? 2 : 1);
        assert_int_equal(ndisdma_dma_detach(m, chs[i]), 0);
        hwt_dev_free(&devs[i]);
    }
}

/* H23: fixed priority: channel 0 highest, 3 lowest; on the master channel 4
   (that is, all of 0-3) before 5, 6, 7. */
static void h23_fixed_priority(void **state)
{
    ndisdma_machine *m = *state;
    static const unsigned chs[] = {7, 3, 5, 1, 6, 0, 2};
    hwt_dev devs[7];
    hwt_log log = {0};
    run_single_mode_channels(m, chs, 7, 2, &log, devs);
    static const unsigned want[] = {0, 0, 1, 1, 2, 2, 3, 3, 5, 5, 6, 6, 7, 7};
    assert_int_equal(log.n, 14);
    for (size_t i = 0; i < 14; i++)
        assert_int_equal(log.ch[i], want[i]);
}

/* H23: rotating priority on controller 1: the channel served becomes the
   lowest, so single-mode channels take turns. */
static void h23_rotating_priority_controller1(void **state)
{
    ndisdma_machine *m = *state;
    hwt_command(m, 0, CMD_ROTATING);
    static const unsigned chs[] = {3, 1, 0, 2};
    hwt_dev devs[4];
    hwt_log log = {0};
    run_single_mode_channels(m, chs, 4, 3, &log, devs);
    assert_int_equal(log.n, 12);
    for (size_t i = 0; i < 12; i++)
        assert_int_equal(log.ch[i], i % 4);
}

/* H23: rotating priority on controller 2: 5, 6, 7 take turns; the slave
   channels (through channel 4) take their turn as one (choice: serving a
   channel of 0-3 makes channel 4 the lowest on controller 2). */
static void h23_rotating_priority_controller2(void **state)
{
    ndisdma_machine *m = *state;
    hwt_command(m, 1, CMD_ROTATING);
    static const unsigned chs[] = {7, 5, 6};
    hwt_dev devs[4];
    hwt_log log = {0};
    run_single_mode_channels(m, chs, 3, 2, &log, devs);
    static const unsigned want[] = {5, 6, 7, 5, 6, 7};
    assert_int_equal(log.n, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(log.ch[i], want[i]);

    /* Channels 1 and 2 (fixed priority on controller 1) share channel 4's
       turn against channel 5. Channel 7 was served last, so channel 4 is
       the highest now; after each unit of 1 or 2, channel 4 is the lowest. */
    static const unsigned chs2[] = {5, 1, 2};
    hwt_log log2 = {0};
    run_single_mode_channels(m, chs2, 3, 2, &log2, devs);
    static const unsigned want2[] = {1, 5, 1, 5, 2, 2};
    assert_int_equal(log2.n, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(log2.ch[i], want2[i]);
}

/* H4, H23: fixed priority on the master puts all of 0-3 (through channel 4)
   before 5-7, here in demand mode. */
static void h4_slave_channels_share_channel4_priority(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d3, d5;
    hwt_dev_init(&d3, m, 64);
    hwt_dev_init(&d5, m, 64);
    hwt_log log = {0};
    d3.log = &log;
    d5.log = &log;
    hwt_dev_attach(&d3, 3);
    hwt_dev_attach(&d5, 5);
    hwt_program(m, 3, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 4);
    hwt_program(m, 5, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 4);
    ndisdma_dma_request(m, 5, true);
    ndisdma_dma_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    assert_int_equal(log.n, 2);
    assert_int_equal(log.ch[0], 3); /* lowest of controller 1 beats highest device of 2 */
    assert_int_equal(log.ch[1], 5);
    hwt_dev_free(&d3);
    hwt_dev_free(&d5);
}

/* H24: memory-to-memory: channel 0 reads, channel 1 writes, both counts
   step, ends at channel 1's TC; bytes pass through the temporary register;
   no device callback; units counted once. */
static void h24_memory_to_memory(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d0, d1;
    hwt_dev_init(&d0, m, 64);
    hwt_dev_init(&d1, m, 64);
    hwt_dev_attach(&d0, 0);
    hwt_dev_attach(&d1, 1);
    hwt_events ev;
    hwt_events_attach(&ev, m);
    hwt_fill_pat(m, 0x21000, 500, 8);
    hwt_fill_byte(m, 0x35000 + 500, 1, 0xEE);
    hwt_setup_raw(m, 0, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 0x02, 499);
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_WRITE, 0x5000, 0x03, 499);
    hwt_set_mask(m, 1, false);
    hwt_command(m, 0, CMD_MEM_TO_MEM);
    /* Without the request nothing happens. */
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    ndisdma_io_write8(m, 0x09, REQ_SET | 0);
    assert_int_equal(ndisdma_dma_run(m, 0), 500);
    hwt_expect_pat(m, 0x35000, 500, 8, 0);
    hwt_expect_byte(m, 0x35000 + 500, 1, 0xEE);
    hwt_expect_pat(m, 0x21000, 500, 8, 0);                        /* source unchanged */
    assert_int_equal(ndisdma_io_read8(m, 0x0D), hwt_pat(8, 499)); /* temporary: last byte */
    assert_int_equal(d0.ncalls + d1.ncalls + d0.tc_count + d1.tc_count, 0);
    ndisdma_dma_channel_state s0 = hwt_chan(m, 0), s1 = hwt_chan(m, 1);
    /* Channel 1 ends as at any TC: status bit, count 0xFFFF, address +N, masked. */
    assert_true(s1.terminal_count);
    assert_true(s1.masked);
    assert_int_equal(s1.current_count, 0xFFFF);
    assert_int_equal(s1.current_address, 0x5000 + 500);
    /* Channel 0 (choice): its count stepped, its request is cleared, no TC
       bit, mask left as it was (masked here), no reload. */
    assert_int_equal(s0.current_count, 0xFFFF);
    assert_int_equal(s0.current_address, 0x1000 + 500);
    assert_false(s0.software_request);
    assert_false(s0.terminal_count);
    assert_true(s0.masked);
    assert_false(s0.block_active);
    assert_int_equal(hwt_read_status(m, 0), 0x02);
    const ndisdma_event *b = hwt_events_find(&ev, NDISDMA_EV_BURST, 0);
    assert_non_null(b);
    assert_int_equal(b->xfer, NDISDMA_XFER_MEM_TO_MEM);
    assert_int_equal(b->units, 500);
    assert_int_equal(b->phys, 0x21000);
    const ndisdma_event *tc = hwt_events_find(&ev, NDISDMA_EV_TC, 0);
    assert_non_null(tc);
    assert_int_equal(tc->channel, 1);
    ndisdma_hw_stats s = hwt_stats(m);
    assert_int_equal(s.units, 500);
    assert_int_equal(s.bytes, 500);
    assert_int_equal(s.terminal_counts, 1);
    hwt_events_detach(&ev, m);
    hwt_dev_free(&d0);
    hwt_dev_free(&d1);
}

/* H24: channel 0 address hold: one byte fills the destination. */
static void h24_address_hold_fills(void **state)
{
    ndisdma_machine *m = *state;
    hwt_fill_byte(m, 0x1000, 1, 0x5C);
    hwt_fill_byte(m, 0x1001, 1, 0x77);
    hwt_setup_raw(m, 0, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 0, 99);
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_WRITE, 0x8000, 0, 99);
    hwt_command(m, 0, CMD_MEM_TO_MEM | CMD_CH0_ADDR_HOLD);
    hwt_sw_request(m, 0, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 100);
    hwt_expect_byte(m, 0x8000, 100, 0x5C);
    hwt_expect_byte(m, 0x8000 + 100, 1, 0x00);
    ndisdma_dma_channel_state s0 = hwt_chan(m, 0);
    assert_int_equal(s0.current_address, 0x1000); /* held */
    assert_int_equal(s0.current_count, 0xFFFF);   /* but counted */
    assert_int_equal(ndisdma_io_read8(m, 0x0D), 0x5C);
}

/* H24 (choice): the transfer ends at channel 1's TC whatever channel 0's
   count; channel 0 reloads only if it is in autoinitialize; the run limit
   interrupts and a later run resumes the block; decrementing destination;
   addresses wrap without carry (H18). */
static void h24_ends_at_channel1_tc(void **state)
{
    ndisdma_machine *m = *state;
    hwt_fill_pat(m, 0x40000, 0x100, 9);
    /* Channel 0 count 9 (10 bytes), channel 1 count 29: 30 bytes move;
       channel 0's count passes through 0xFFFF without ending anything. */
    hwt_setup_raw(m, 0, MODE_BLOCK | MODE_TYPE_READ | MODE_AUTOINIT, 0x0000, 0x04, 9);
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_WRITE | MODE_DECREMENT, 0x001D, 0x05, 29);
    hwt_command(m, 0, CMD_MEM_TO_MEM);
    hwt_sw_request(m, 0, true);
    assert_int_equal(ndisdma_dma_run(m, 12), 12); /* limit: stops mid-block */
    assert_true(hwt_chan(m, 0).software_request);
    assert_int_equal(ndisdma_dma_run(m, 0), 18);
    /* Destination filled downwards from 0x5001D: byte i at 0x5001D - i. */
    uint8_t want[30];
    for (size_t i = 0; i < 30; i++)
        want[29 - i] = hwt_pat(9, i);
    hwt_expect_bytes(m, 0x50000, want, 30);
    ndisdma_dma_channel_state s0 = hwt_chan(m, 0), s1 = hwt_chan(m, 1);
    assert_true(s1.terminal_count);
    assert_int_equal(s1.current_address, 0xFFFF); /* 0x001D - 30, wrapped */
    assert_int_equal(s1.page, 0x05);
    /* Channel 0 is autoinit: reloaded. */
    assert_int_equal(s0.current_address, 0x0000);
    assert_int_equal(s0.current_count, 9);
    assert_false(s0.terminal_count);
    assert_false(s0.software_request);
}

/* H24 (choice, docs/hw.md): with memory-to-memory enabled, DREQ on channel 0
   in demand or single mode starts the transfer too; it runs as one block to
   channel 1's TC, with no device callback. Channel 0 (not autoinitialize)
   is masked at the end like channel 1, so a DREQ still held does not start
   the copy again and an unlimited run returns. */
static void h24_started_by_channel0_dreq(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d0;
    hwt_dev_init(&d0, m, 64);
    hwt_dev_attach(&d0, 0);
    static const uint8_t modes[] = {MODE_SINGLE, MODE_DEMAND};
    for (size_t k = 0; k < 2; k++) {
        hwt_fill_pat(m, 0x1000, 16, (uint32_t)k);
        hwt_fill_byte(m, 0x2000, 17, 0x00);
        hwt_setup_raw(m, 0, (uint8_t)(modes[k] | MODE_TYPE_READ), 0x1000, 0, 15);
        hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_WRITE, 0x2000, 0, 15);
        hwt_set_mask(m, 0, false);
        hwt_command(m, 0, CMD_MEM_TO_MEM);
        ndisdma_dma_request(m, 0, true);
        assert_int_equal(ndisdma_dma_run(m, 0), 16);
        hwt_expect_pat(m, 0x2000, 16, (uint32_t)k, 0);
        hwt_expect_byte(m, 0x2010, 1, 0x00);
        assert_int_equal(d0.ncalls + d0.tc_count, 0);
        ndisdma_dma_channel_state s0 = hwt_chan(m, 0), s1 = hwt_chan(m, 1);
        assert_true(s1.terminal_count);
        assert_true(s0.masked);
        assert_true(s0.dreq);
        assert_false(s0.terminal_count);
        assert_int_equal(ndisdma_dma_run(m, 0), 0); /* masked: nothing more */
        ndisdma_dma_request(m, 0, false);
        hwt_command(m, 0, 0);
        assert_int_equal(hwt_read_status(m, 0), 0x02);
    }
    hwt_dev_free(&d0);
}

/* H25: an external EOP ends the transfer as TC does, after the units the
   callback moved: TC status bit set, request cleared, mask set. */
static size_t eop_after(hwt_dev *d, unsigned ch, size_t len, size_t take)
{
    (void)len;
    size_t at = *(size_t *)d->user;
    size_t have = d->rx_len + d->tx_pos;
    if (have + take >= at) {
        take = at - have;
        ndisdma_dma_eop(d->m, ch);
    }
    return take;
}

static void h25_external_eop_ends_like_tc(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 256);
    hwt_dev_attach(&d, 2);
    hwt_events ev;
    hwt_events_attach(&ev, m);
    size_t at = 10;
    d.user = &at;
    d.hook = eop_after;
    hwt_fill_pat(m, 0xC000, 100, 10);
    /* Block mode started by software request, channel unmasked. */
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0xC000, 100);
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 10);
    assert_int_equal(d.rx_len, 10);
    assert_int_equal(d.tc_count, 1);
    ndisdma_dma_channel_state st = hwt_chan(m, 2);
    assert_true(st.terminal_count);
    assert_true(st.masked);
    assert_false(st.software_request);
    assert_false(st.block_active);
    /* Choice: the device also returned short (10 of 100), so the channel is
       stalled as well until its DREQ is asserted again. */
    assert_true(st.stalled);
    assert_int_equal(st.current_address, 0xC000 + 10);
    assert_int_equal(st.current_count, 99 - 10);
    /* The TC callback saw the final state. */
    assert_true(d.tc_state.terminal_count);
    assert_true(d.tc_state.masked);
    assert_int_equal(d.tc_state.current_address, 0xC000 + 10);
    assert_int_equal(hwt_read_status(m, 0), 0x04);
    const ndisdma_event *e = hwt_events_find(&ev, NDISDMA_EV_EOP, 0);
    assert_non_null(e);
    assert_int_equal(e->channel, 2);
    assert_int_equal(e->flags & NDISDMA_EVF_AUTOINIT, 0);
    assert_null(hwt_events_find(&ev, NDISDMA_EV_TC, 0));
    assert_int_equal(ndisdma_dma_run(m, 0), 0);

    /* Demand mode, 16-bit, write transfer: EOP after 7 words. */
    hwt_dev d6;
    hwt_dev_init(&d6, m, 16);
    hwt_dev_attach(&d6, 6);
    at = 14;
    d6.user = &at;
    d6.hook = eop_after;
    d6.tx_seed = 11;
    hwt_fill_byte(m, 0xD000, 64, 0x00);
    hwt_program(m, 6, MODE_DEMAND | MODE_TYPE_WRITE, 0xD000, 32);
    ndisdma_dma_request(m, 6, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 7);
    hwt_expect_pat(m, 0xD000, 14, 11, 0);
    hwt_expect_byte(m, 0xD000 + 14, 64 - 14, 0x00);
    st = hwt_chan(m, 6);
    assert_true(st.terminal_count);
    assert_true(st.masked);
    assert_int_equal(st.current_count, 31 - 7);
    assert_int_equal(d6.tc_count, 1);
    hwt_events_detach(&ev, m);
    hwt_dev_free(&d);
    hwt_dev_free(&d6);
}

/* H25: with autoinitialize an EOP reloads the channel, mask left as it was. */
static void h25_external_eop_with_autoinit_reloads(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 256);
    hwt_dev_attach(&d, 1);
    hwt_events ev;
    hwt_events_attach(&ev, m);
    size_t at = 5;
    d.user = &at;
    d.hook = eop_after;
    hwt_fill_pat(m, 0xE000, 50, 12);
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_READ | MODE_AUTOINIT, 0xE000, 50);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 5);
    ndisdma_dma_channel_state st = hwt_chan(m, 1);
    assert_true(st.terminal_count);
    assert_false(st.masked);
    assert_false(st.software_request);
    assert_int_equal(st.current_address, 0xE000);
    assert_int_equal(st.current_count, 49);
    assert_int_equal(d.tc_state.current_address, 0xE000);
    assert_int_equal(d.tc_state.current_count, 49);
    const ndisdma_event *e = hwt_events_find(&ev, NDISDMA_EV_EOP, 0);
    assert_non_null(e);
    assert_int_equal(e->flags & NDISDMA_EVF_AUTOINIT, NDISDMA_EVF_AUTOINIT);
    /* The next request starts again from the top of the buffer. */
    d.hook = NULL;
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 50);
    for (size_t i = 0; i < 50; i++)
        assert_int_equal(d.rx[5 + i], hwt_pat(12, i));
    hwt_events_detach(&ev, m);
    hwt_dev_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(h21_read_transfer_memory_to_device, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(h21_write_transfer_device_to_memory, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(h21_verify_touches_nothing, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h15_illegal_type_behaves_as_verify, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(h15_h22_cascade_mode_not_4_moves_nothing, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(h22_demand_mode_suspends_and_resumes, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(h22_demand_mode_holds_the_bus, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h22_single_mode_one_unit_per_grant, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(h22_block_mode_runs_to_tc, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h4_masking_channel4_starves_0_3, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h4_channel4_not_cascade, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h4_slave_channels_share_channel4_priority, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(h23_fixed_priority, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h23_rotating_priority_controller1, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h23_rotating_priority_controller2, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h24_memory_to_memory, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h24_address_hold_fills, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h24_ends_at_channel1_tc, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h24_started_by_channel0_dreq, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h25_external_eop_ends_like_tc, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h25_external_eop_with_autoinit_reloads, hwt_setup,
                                        hwt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
