/*
 * Port decode of the PC/AT DMA: controller 1 and 2 port maps, page registers,
 * the power-on state, the byte-pointer flip-flop and open-bus accesses.
 * Behaviours H1, H2, H3, H5, H7, H15 of spec/i8237.md.
 */
#include "hwtest.h"

#include <string.h>

/* Every register of one channel as the snapshot shows it. */
static void expect_channel_regs(const ndisdma_machine *m, unsigned ch, uint16_t addr,
                                uint16_t count)
{
    ndisdma_dma_channel_state st = hwt_chan(m, ch);
    assert_int_equal(st.base_address, addr);
    assert_int_equal(st.current_address, addr);
    assert_int_equal(st.base_count, count);
    assert_int_equal(st.current_count, count);
}

/* H5: the state the PC/AT BIOS leaves, read through ports and snapshots. */
static void h5_power_on_state(void **state)
{
    ndisdma_machine *m = *state;
    assert_int_equal(ndisdma_machine_ram_bytes(m), NDISDMA_DEFAULT_RAM_BYTES);

    for (unsigned idx = 0; idx < 2; idx++) {
        ndisdma_dma_controller_state c = hwt_ctl(m, idx);
        assert_int_equal(c.command, 0x00);
        assert_int_equal(c.status, 0x00);
        assert_int_equal(c.request, 0x00);
        assert_int_equal(c.temporary, 0x00);
        assert_false(c.flipflop);
        /* Controller 1: all four masked; controller 2: only channel 4 unmasked. */
        assert_int_equal(c.mask, idx == 0 ? 0x0F : 0x0E);
    }
    for (unsigned ch = 0; ch < 8; ch++) {
        ndisdma_dma_channel_state st = hwt_chan(m, ch);
        assert_int_equal(st.masked, ch != 4);
        assert_int_equal(st.page, 0);
        assert_false(st.terminal_count);
        assert_false(st.dreq);
        assert_false(st.software_request);
        assert_false(st.block_active);
        assert_false(st.stalled);
        assert_false(st.has_device);
        if (ch == 4)
            assert_int_equal(st.mode, MODE_CASCADE);
    }
    /* Ports: status registers read 0, every latch 0x80-0x8F reads 0. */
    assert_int_equal(hwt_read_status(m, 0), 0x00);
    assert_int_equal(hwt_read_status(m, 1), 0x00);
    for (uint16_t p = 0x80; p <= 0x8F; p++)
        assert_int_equal(ndisdma_io_read8(m, p), 0);
    /* The flip-flops are clear: the first byte written is a low byte. */
    ndisdma_io_write8(m, 0x04, 0x5A);
    ndisdma_io_write8(m, 0xC4, 0xA5);
    assert_int_equal(hwt_chan(m, 2).base_address, 0x005A);
    assert_int_equal(hwt_chan(m, 5).base_address, 0x00A5);
    /* RAM is zero at creation (first 1 MiB and the last page). */
    hwt_expect_byte(m, 0, 1u << 20, 0);
    hwt_expect_byte(m, NDISDMA_DEFAULT_RAM_BYTES - 4096, 4096, 0);
}

/* H1: controller 1 on ports 0x00-0x0F. */
static void h1_controller1_port_map(void **state)
{
    ndisdma_machine *m = *state;
    /* Address ports 0x00/0x02/0x04/0x06 and count ports 0x01/0x03/0x05/0x07. */
    for (unsigned ch = 0; ch < 4; ch++) {
        uint16_t ap = (uint16_t)(2 * ch), cp = (uint16_t)(2 * ch + 1);
        assert_int_equal(hwt_addr_port(ch), ap);
        assert_int_equal(hwt_count_port(ch), cp);
        ndisdma_io_write8(m, 0x0C, 0);
        ndisdma_io_write8(m, ap, (uint8_t)(0x10 + ch));
        ndisdma_io_write8(m, ap, (uint8_t)(0xA0 + ch));
        ndisdma_io_write8(m, cp, (uint8_t)(0x20 + ch));
        ndisdma_io_write8(m, cp, (uint8_t)(0xB0 + ch));
    }
    for (unsigned ch = 0; ch < 4; ch++)
        expect_channel_regs(m, ch, (uint16_t)((0xA0 + ch) << 8 | (0x10 + ch)),
                            (uint16_t)((0xB0 + ch) << 8 | (0x20 + ch)));
    /* Controller 2 untouched. */
    for (unsigned ch = 4; ch < 8; ch++)
        expect_channel_regs(m, ch, 0, 0);

    /* 0x08 write: command. */
    ndisdma_io_write8(m, 0x08, CMD_ROTATING);
    assert_int_equal(hwt_ctl(m, 0).command, CMD_ROTATING);
    assert_int_equal(hwt_ctl(m, 1).command, 0);
    /* 0x09 write: request register. */
    ndisdma_io_write8(m, 0x09, REQ_SET | 3);
    assert_int_equal(hwt_ctl(m, 0).request, 0x08);
    /* 0x08 read: status (request bit 7 for channel 3). */
    assert_int_equal(ndisdma_io_read8(m, 0x08), 0x80);
    /* 0x0A: single mask bit; 0x0E clear all masks; 0x0F write all masks. */
    ndisdma_io_write8(m, 0x0E, 0);
    assert_int_equal(hwt_ctl(m, 0).mask, 0x00);
    ndisdma_io_write8(m, 0x0A, MASK_SET | 2);
    assert_int_equal(hwt_ctl(m, 0).mask, 0x04);
    ndisdma_io_write8(m, 0x0F, 0x09);
    assert_int_equal(hwt_ctl(m, 0).mask, 0x09);
    assert_int_equal(hwt_ctl(m, 1).mask, 0x0E);
    /* 0x0B: mode. */
    ndisdma_io_write8(m, 0x0B, MODE_SINGLE | MODE_TYPE_READ | 1);
    assert_int_equal(hwt_chan(m, 1).mode, MODE_SINGLE | MODE_TYPE_READ);
    assert_int_equal(hwt_chan(m, 5).mode, 0);
    /* 0x0C: clear flip-flop. */
    ndisdma_io_write8(m, 0x00, 0x55);
    assert_true(hwt_ctl(m, 0).flipflop);
    ndisdma_io_write8(m, 0x0C, 0);
    assert_false(hwt_ctl(m, 0).flipflop);
    /* 0x0D read: temporary register (0 after power-on); write: master clear. */
    assert_int_equal(ndisdma_io_read8(m, 0x0D), 0x00);
    ndisdma_io_write8(m, 0x0D, 0);
    assert_int_equal(hwt_ctl(m, 0).command, 0);
    assert_int_equal(hwt_ctl(m, 0).request, 0);
    assert_int_equal(hwt_ctl(m, 0).mask, 0x0F);
    assert_int_equal(hwt_ctl(m, 1).mask, 0x0E); /* controller 2 not affected */

    /* Ports past 0x0F are not controller 1's (no aliases in this model). */
    ndisdma_hw_stats before = hwt_stats(m);
    assert_int_equal(ndisdma_io_read8(m, 0x10), 0xFF);
    ndisdma_io_write8(m, 0x1B, 0x48);
    assert_int_equal(hwt_chan(m, 0).mode, 0);
    ndisdma_hw_stats after = hwt_stats(m);
    assert_int_equal(after.illegal_by_reason[NDISDMA_ILLEGAL_UNDECODED_PORT] -
                         before.illegal_by_reason[NDISDMA_ILLEGAL_UNDECODED_PORT],
                     2);
}

/* H2: controller 2 on the even ports 0xC0-0xDE; odd ports not decoded. */
static void h2_controller2_port_map(void **state)
{
    ndisdma_machine *m = *state;
    for (unsigned ch = 4; ch < 8; ch++) {
        uint16_t ap = (uint16_t)(0xC0 + 4 * (ch - 4)), cp = (uint16_t)(0xC2 + 4 * (ch - 4));
        assert_int_equal(hwt_addr_port(ch), ap);
        assert_int_equal(hwt_count_port(ch), cp);
        ndisdma_io_write8(m, 0xD8, 0);
        ndisdma_io_write8(m, ap, (uint8_t)(0x30 + ch));
        ndisdma_io_write8(m, ap, (uint8_t)(0xC0 + ch));
        ndisdma_io_write8(m, cp, (uint8_t)(0x40 + ch));
        ndisdma_io_write8(m, cp, (uint8_t)(0xD0 + ch));
    }
    for (unsigned ch = 4; ch < 8; ch++)
        expect_channel_regs(m, ch, (uint16_t)((0xC0 + ch) << 8 | (0x30 + ch)),
                            (uint16_t)((0xD0 + ch) << 8 | (0x40 + ch)));
    for (unsigned ch = 0; ch < 4; ch++)
        expect_channel_regs(m, ch, 0, 0);

    ndisdma_io_write8(m, 0xD0, CMD_COMPRESSED); /* command */
    assert_int_equal(hwt_ctl(m, 1).command, CMD_COMPRESSED);
    assert_int_equal(hwt_ctl(m, 0).command, 0);
    ndisdma_io_write8(m, 0xD2, REQ_SET | 2); /* request, channel 6 */
    assert_int_equal(hwt_ctl(m, 1).request, 0x04);
    assert_int_equal(ndisdma_io_read8(m, 0xD0), 0x40); /* status: request bit of channel 6 */
    ndisdma_io_write8(m, 0xD2, 2);
    ndisdma_io_write8(m, 0xDC, 0); /* clear all masks */
    assert_int_equal(hwt_ctl(m, 1).mask, 0x00);
    ndisdma_io_write8(m, 0xD4, MASK_SET | 3); /* single mask, channel 7 */
    assert_int_equal(hwt_ctl(m, 1).mask, 0x08);
    ndisdma_io_write8(m, 0xDE, 0x0E); /* all masks */
    assert_int_equal(hwt_ctl(m, 1).mask, 0x0E);
    ndisdma_io_write8(m, 0xD6, MODE_BLOCK | MODE_TYPE_WRITE | 1); /* mode, channel 5 */
    assert_int_equal(hwt_chan(m, 5).mode, MODE_BLOCK | MODE_TYPE_WRITE);
    assert_int_equal(hwt_chan(m, 1).mode, 0);
    ndisdma_io_write8(m, 0xC4, 0x01); /* flip-flop set */
    assert_true(hwt_ctl(m, 1).flipflop);
    ndisdma_io_write8(m, 0xD8, 0); /* clear flip-flop */
    assert_false(hwt_ctl(m, 1).flipflop);
    assert_int_equal(ndisdma_io_read8(m, 0xDA), 0x00); /* temporary */
    ndisdma_io_write8(m, 0xDA, 0);                     /* master clear */
    assert_int_equal(hwt_ctl(m, 1).command, 0);
    assert_int_equal(hwt_ctl(m, 1).mask, 0x0F);

    /* Odd ports 0xC1-0xDF: reads open bus, writes dropped, nothing changes. */
    ndisdma_io_write8(m, 0xDC, 0);
    ndisdma_io_write8(m, 0xC4, 0x77); /* flip-flop now set: odd ports must not toggle it */
    ndisdma_dma_controller_state c_before = hwt_ctl(m, 1);
    ndisdma_dma_channel_state ch_before[4];
    for (unsigned ch = 4; ch < 8; ch++)
        ch_before[ch - 4] = hwt_chan(m, ch);
    ndisdma_hw_stats s_before = hwt_stats(m);
    for (uint16_t p = 0xC1; p <= 0xDF; p += 2) {
        assert_int_equal(ndisdma_io_read8(m, p), 0xFF);
        ndisdma_io_write8(m, p, 0x00);
        ndisdma_io_write8(m, p, 0xFF);
    }
    ndisdma_dma_controller_state c_after = hwt_ctl(m, 1);
    hwt_expect_same_controller(&c_before, &c_after);
    for (unsigned ch = 4; ch < 8; ch++) {
        ndisdma_dma_channel_state st = hwt_chan(m, ch);
        hwt_expect_same_channel(&ch_before[ch - 4], &st);
    }
    ndisdma_hw_stats s_after = hwt_stats(m);
    assert_int_equal(s_after.illegal_by_reason[NDISDMA_ILLEGAL_UNDECODED_PORT] -
                         s_before.illegal_by_reason[NDISDMA_ILLEGAL_UNDECODED_PORT],
                     16 * 3);
}

/* H3: page registers of each channel, and the eight other latches. */
static void h3_page_registers(void **state)
{
    ndisdma_machine *m = *state;
    static const uint16_t page_port[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};
    for (unsigned ch = 0; ch < 8; ch++) {
        assert_int_equal(hwt_page_port(ch), page_port[ch]);
        ndisdma_io_write8(m, page_port[ch], (uint8_t)(0x11 * (ch + 1)));
    }
    /* The other latches hold their own values and feed no channel. */
    static const uint16_t latch[8] = {0x80, 0x84, 0x85, 0x86, 0x88, 0x8C, 0x8D, 0x8E};
    for (unsigned i = 0; i < 8; i++)
        ndisdma_io_write8(m, latch[i], (uint8_t)(0xE0 + i));
    for (unsigned ch = 0; ch < 8; ch++) {
        assert_int_equal(hwt_chan(m, ch).page, 0x11 * (ch + 1));
        assert_int_equal(ndisdma_io_read8(m, page_port[ch]), 0x11 * (ch + 1)); /* readable */
    }
    for (unsigned i = 0; i < 8; i++)
        assert_int_equal(ndisdma_io_read8(m, latch[i]), 0xE0 + i);
    /* Page register accesses are not illegal. */
    assert_int_equal(hwt_stats(m).illegal, 0);
    /* The page feeds the physical address of the channel (H16). */
    hwt_write_addr(m, 2, 0x4321);
    assert_int_equal(hwt_chan(m, 2).next_phys, 0x334321);
}

/* H7: one flip-flop per controller, shared by all eight address/count ports,
   toggled by every read and write, low byte first, reset by the clear port. */
static void h7_flipflop_shared_and_toggled(void **state)
{
    ndisdma_machine *m = *state;
    /* A write of channel 0's address low byte, then a write of channel 2's
       count: the second byte goes to the count's high byte. */
    hwt_clear_ff(m, 0);
    ndisdma_io_write8(m, 0x00, 0x12);
    assert_true(hwt_ctl(m, 0).flipflop);
    ndisdma_io_write8(m, 0x05, 0x34);
    assert_false(hwt_ctl(m, 0).flipflop);
    assert_int_equal(hwt_chan(m, 0).base_address, 0x0012);
    assert_int_equal(hwt_chan(m, 2).base_count, 0x3400);
    assert_int_equal(hwt_chan(m, 2).current_count, 0x3400);

    /* Reads toggle it too: read the low byte of channel 1's address, then
       the next read of channel 3's count returns its high byte. */
    hwt_write_addr(m, 1, 0xBEEF);
    hwt_write_count(m, 3, 0xCAFE);
    hwt_clear_ff(m, 1);
    assert_int_equal(ndisdma_io_read8(m, 0x02), 0xEF);
    assert_true(hwt_ctl(m, 0).flipflop);
    assert_int_equal(ndisdma_io_read8(m, 0x07), 0xCA);
    assert_false(hwt_ctl(m, 0).flipflop);
    assert_int_equal(ndisdma_io_read8(m, 0x07), 0xFE);
    /* A mixed read then write: the write lands in the high byte. */
    ndisdma_io_write8(m, 0x02, 0x77);
    assert_int_equal(hwt_chan(m, 1).base_address, 0x77EF);

    /* Clearing resets it; the next write is a low byte again. */
    ndisdma_io_write8(m, 0x04, 0xAA); /* low byte of channel 2's address */
    assert_true(hwt_ctl(m, 0).flipflop);
    ndisdma_io_write8(m, 0x0C, 0x5A); /* any value clears */
    assert_false(hwt_ctl(m, 0).flipflop);
    ndisdma_io_write8(m, 0x04, 0xBB);
    assert_int_equal(hwt_chan(m, 2).base_address & 0xFF, 0xBB);

    /* Status, temporary and page register accesses do not touch it. */
    hwt_clear_ff(m, 0);
    ndisdma_io_write8(m, 0x04, 0x01);
    assert_true(hwt_ctl(m, 0).flipflop);
    (void)ndisdma_io_read8(m, 0x08);
    (void)ndisdma_io_read8(m, 0x0D);
    (void)ndisdma_io_read8(m, 0x81);
    ndisdma_io_write8(m, 0x81, 0x00);
    assert_true(hwt_ctl(m, 0).flipflop);

    /* The two controllers have independent flip-flops. */
    hwt_clear_ff(m, 0);
    hwt_clear_ff(m, 4);
    ndisdma_io_write8(m, 0xC8, 0x01); /* controller 2 now expects a high byte */
    assert_true(hwt_ctl(m, 1).flipflop);
    assert_false(hwt_ctl(m, 0).flipflop);
    ndisdma_io_write8(m, 0x0C, 0); /* clearing controller 1 leaves controller 2 */
    assert_true(hwt_ctl(m, 1).flipflop);
    ndisdma_io_write8(m, 0xC8, 0x02);
    assert_int_equal(hwt_chan(m, 6).base_address, 0x0201);
    ndisdma_io_write8(m, 0xCE, 0x03); /* a read or write on 2 leaves controller 1 */
    assert_false(hwt_ctl(m, 0).flipflop);
    ndisdma_io_write8(m, 0xD8, 0);
    assert_false(hwt_ctl(m, 1).flipflop);
}

/* H15: reads of write-only ports return 0xFF, change nothing, and are
   recorded as illegal; the trace sees them. */
static void h15_write_only_reads_open_bus(void **state)
{
    ndisdma_machine *m = *state;
    static const unsigned wo_regs[] = {I8237_REG_REQUEST,    I8237_REG_SINGLE_MASK,
                                       I8237_REG_MODE,       I8237_REG_CLEAR_FF,
                                       I8237_REG_CLEAR_MASK, I8237_REG_ALL_MASK};
    hwt_events ev;
    hwt_events_attach(&ev, m);
    for (unsigned ctl = 0; ctl < 2; ctl++) {
        /* A state that each of those reads could disturb if it acted. */
        unsigned ch = ctl * 4 + 1;
        ndisdma_io_write8(m, hwt_reg_port(ctl, I8237_REG_ALL_MASK), 0x0A);
        hwt_sw_request(m, ch, true);
        hwt_set_mode(m, ch, MODE_DEMAND | MODE_TYPE_READ);
        hwt_clear_ff(m, ch);
        ndisdma_io_write8(m, hwt_addr_port(ch), 0x42); /* flip-flop set */
        ndisdma_dma_controller_state before = hwt_ctl(m, ctl);
        ndisdma_dma_channel_state ch_before = hwt_chan(m, ch);
        ndisdma_hw_stats s_before = hwt_stats(m);
        hwt_events_reset(&ev);
        for (size_t i = 0; i < sizeof wo_regs / sizeof wo_regs[0]; i++) {
            uint16_t port = hwt_reg_port(ctl, wo_regs[i]);
            assert_int_equal(ndisdma_io_read8(m, port), 0xFF);
            const ndisdma_event *il = hwt_events_find(&ev, NDISDMA_EV_ILLEGAL, i);
            assert_non_null(il);
            assert_int_equal(il->reason, NDISDMA_ILLEGAL_READ_WRITE_ONLY);
            assert_int_equal(il->port, port);
            const ndisdma_event *rd = hwt_events_find(&ev, NDISDMA_EV_IO_READ, i);
            assert_non_null(rd);
            assert_int_equal(rd->port, port);
            assert_int_equal(rd->value, 0xFF);
        }
        ndisdma_dma_controller_state after = hwt_ctl(m, ctl);
        ndisdma_dma_channel_state ch_after = hwt_chan(m, ch);
        hwt_expect_same_controller(&before, &after);
        hwt_expect_same_channel(&ch_before, &ch_after);
        assert_true(after.flipflop); /* the read of the clear port did not clear it */
        assert_int_equal(after.mask, 0x0A);
        ndisdma_hw_stats s_after = hwt_stats(m);
        assert_int_equal(s_after.illegal - s_before.illegal, 6);
        assert_int_equal(s_after.illegal_by_reason[NDISDMA_ILLEGAL_READ_WRITE_ONLY] -
                             s_before.illegal_by_reason[NDISDMA_ILLEGAL_READ_WRITE_ONLY],
                         6);
        assert_int_equal(s_after.io_reads - s_before.io_reads, 6);
    }
    /* The readable registers are not illegal: status and temporary. */
    ndisdma_hw_stats s0 = hwt_stats(m);
    (void)hwt_read_status(m, 0);
    (void)ndisdma_io_read8(m, 0x0D);
    (void)hwt_read_status(m, 1);
    (void)ndisdma_io_read8(m, 0xDA);
    assert_int_equal(hwt_stats(m).illegal, s0.illegal);
    hwt_events_detach(&ev, m);
}

/* H15: ports that nothing decodes read 0xFF; writes to them are dropped;
   both are recorded. */
static void h15_undecoded_ports(void **state)
{
    ndisdma_machine *m = *state;
    hwt_events ev;
    hwt_events_attach(&ev, m);
    assert_int_equal(ndisdma_io_read8(m, 0x1234), 0xFF);
    ndisdma_io_write8(m, 0xFFFF, 0x5A);
    ndisdma_io_write8(m, 0x20, 0x11);
    const ndisdma_event *e0 = hwt_events_find(&ev, NDISDMA_EV_ILLEGAL, 0);
    const ndisdma_event *e1 = hwt_events_find(&ev, NDISDMA_EV_ILLEGAL, 1);
    assert_non_null(e0);
    assert_non_null(e1);
    assert_int_equal(e0->reason, NDISDMA_ILLEGAL_UNDECODED_PORT);
    assert_int_equal(e0->port, 0x1234);
    assert_int_equal(e1->reason, NDISDMA_ILLEGAL_UNDECODED_PORT);
    assert_int_equal(e1->port, 0xFFFF);
    assert_int_equal(e1->value, 0x5A);
    /* The access itself is traced too. */
    const ndisdma_event *w = hwt_events_find(&ev, NDISDMA_EV_IO_WRITE, 0);
    assert_non_null(w);
    assert_int_equal(w->port, 0xFFFF);
    assert_int_equal(w->value, 0x5A);
    ndisdma_hw_stats s = hwt_stats(m);
    assert_int_equal(s.illegal_by_reason[NDISDMA_ILLEGAL_UNDECODED_PORT], 3);
    assert_int_equal(s.illegal, 3);
    assert_int_equal(s.io_reads, 1);
    assert_int_equal(s.io_writes, 2);
    hwt_events_detach(&ev, m);
}

/* H15 (host-api.md: any port, any value, any order): a long pseudo-random
   stream of port accesses and DMA runs neither crashes nor wedges the
   machine; after master clears it programs and moves data correctly. */
static void h15_any_port_any_value(void **state)
{
    ndisdma_machine *m = *state;
    uint32_t x = 0x12345678u;
    for (unsigned i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        uint16_t port;
        switch (x & 3) {
        case 0:
            port = (uint16_t)((x >> 8) & 0x0F);
            break;
        case 1:
            port = (uint16_t)(0xC0 + ((x >> 8) & 0x1F));
            break;
        case 2:
            port = (uint16_t)(0x80 + ((x >> 8) & 0x0F));
            break;
        default:
            port = (uint16_t)(x >> 8);
            break;
        }
        if (x & 0x04000000u)
            (void)ndisdma_io_read8(m, port);
        else
            ndisdma_io_write8(m, port, (uint8_t)(x >> 24));
        if ((i & 0xFF) == 0)
            (void)ndisdma_dma_run(m, 4096); /* a limit: autoinit loops are possible */
    }
    hwt_master_clear(m, 0);
    hwt_master_clear(m, 1);
    hwt_set_mode(m, 4, MODE_CASCADE);
    hwt_set_mask(m, 4, false);
    for (unsigned ch = 0; ch < 8; ch++)
        hwt_set_mode(m, ch == 4 ? 4 : ch, ch == 4 ? MODE_CASCADE : MODE_DEMAND);
    hwt_fill_pat(m, 0x20000, 256, 9);
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_READ, 0x20000, 256);
    hwt_program(m, 3, MODE_BLOCK | MODE_TYPE_WRITE, 0x30000, 256);
    hwt_dev d;
    hwt_dev_init(&d, m, 256);
    hwt_dev_attach(&d, 1);
    hwt_sw_request(m, 1, true);
    hwt_sw_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 512);
    assert_int_equal(d.rx_len, 256);
    for (size_t i = 0; i < 256; i++)
        assert_int_equal(d.rx[i], hwt_pat(9, i));
    hwt_expect_byte(m, 0x30000, 256, 0xFF); /* channel 3 has no device */
    hwt_dev_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(h5_power_on_state, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h1_controller1_port_map, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h2_controller2_port_map, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h3_page_registers, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h7_flipflop_shared_and_toggled, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h15_write_only_reads_open_bus, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h15_undecoded_ports, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h15_any_port_any_value, hwt_setup, hwt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
