/*
 * The registers of the 8237A: address/count (base and current), count N-1,
 * mode, command, status, request, mask, master clear.
 * Behaviours H6, H8, H9, H10, H11, H12, H13, H14 of spec/i8237.md.
 */
#include "hwtest.h"

#include <string.h>

/* H6: a write loads base and current; a read returns current; the base
   registers cannot be read through any port. */
static void h6_write_loads_base_and_current(void **state)
{
    ndisdma_machine *m = *state;
    for (unsigned ch = 0; ch < 8; ch++) {
        uint16_t a = (uint16_t)(0x1357 + 0x1111 * ch), c = (uint16_t)(0x0864 + 0x0101 * ch);
        hwt_write_addr(m, ch, a);
        hwt_write_count(m, ch, c);
        ndisdma_dma_channel_state st = hwt_chan(m, ch);
        assert_int_equal(st.base_address, a);
        assert_int_equal(st.current_address, a);
        assert_int_equal(st.base_count, c);
        assert_int_equal(st.current_count, c);
        assert_int_equal(hwt_read_addr(m, ch), a);
        assert_int_equal(hwt_read_count(m, ch), c);
    }
    /* A write of one byte changes that byte of both registers only. */
    hwt_clear_ff(m, 1);
    ndisdma_io_write8(m, hwt_addr_port(1), 0xEE);
    ndisdma_dma_channel_state st = hwt_chan(m, 1);
    assert_int_equal(st.base_address, 0x24EE);
    assert_int_equal(st.current_address, 0x24EE);
    ndisdma_io_write8(m, hwt_addr_port(1), 0x13);
    assert_int_equal(hwt_chan(m, 1).base_address, 0x13EE);

    /* After part of a transfer the ports show the current registers, which
       moved, while the base registers (snapshot only) stayed. */
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    hwt_dev_attach(&d, 2);
    hwt_program(m, 2, MODE_DEMAND | MODE_TYPE_READ, 0x5000, 20);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 7), 7);
    assert_int_equal(hwt_read_addr(m, 2), 0x5007);
    assert_int_equal(hwt_read_count(m, 2), 19 - 7);
    st = hwt_chan(m, 2);
    assert_int_equal(st.base_address, 0x5000);
    assert_int_equal(st.base_count, 19);
    assert_int_equal(st.current_address, 0x5007);
    assert_int_equal(st.current_count, 12);
    /* A new write reloads both. */
    hwt_write_addr(m, 2, 0x6000);
    st = hwt_chan(m, 2);
    assert_int_equal(st.base_address, 0x6000);
    assert_int_equal(st.current_address, 0x6000);
    assert_int_equal(st.current_count, 12); /* the count was not written */
    hwt_dev_free(&d);
}

/* H8: the count register holds N-1; a unit is a byte on 0-3, a word on 5-7. */
static void h8_count_is_n_minus_1(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d1, d5;
    hwt_dev_init(&d1, m, 64);
    hwt_dev_init(&d5, m, 64);
    hwt_dev_attach(&d1, 1);
    hwt_dev_attach(&d5, 5);
    hwt_fill_pat(m, 0x10000, 64, 1);

    /* Count 0 moves one unit: one byte on channel 1 ... */
    hwt_setup_raw(m, 1, MODE_DEMAND | MODE_TYPE_READ, 0x0000, 0x01, 0x0000);
    hwt_set_mask(m, 1, false);
    ndisdma_dma_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 1);
    assert_int_equal(d1.ncalls, 1);
    assert_int_equal(d1.calls[0].len, 1);
    assert_int_equal(d1.rx_len, 1);
    assert_int_equal(d1.rx[0], hwt_pat(1, 0));
    assert_int_equal(hwt_read_count(m, 1), 0xFFFF);
    assert_int_equal(hwt_read_addr(m, 1), 0x0001);

    /* ... one 16-bit word on channel 5. */
    hwt_setup_raw(m, 5, MODE_DEMAND | MODE_TYPE_READ, 0x8000, 0x00, 0x0000); /* 0x10000 */
    hwt_set_mask(m, 5, false);
    ndisdma_dma_request(m, 5, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 1);
    assert_int_equal(d5.ncalls, 1);
    assert_int_equal(d5.calls[0].len, 2);
    assert_int_equal(d5.rx_len, 2);
    assert_int_equal(d5.rx[0], hwt_pat(1, 0));
    assert_int_equal(d5.rx[1], hwt_pat(1, 1));
    assert_int_equal(hwt_read_count(m, 5), 0xFFFF);
    assert_int_equal(hwt_read_addr(m, 5), 0x8001);

    /* Count 9 moves ten units: 10 bytes on channel 1, 20 bytes on channel 5. */
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_READ, 0x0000, 0x01, 9);
    hwt_setup_raw(m, 5, MODE_BLOCK | MODE_TYPE_READ, 0x8000, 0x00, 9);
    hwt_set_mask(m, 1, false);
    hwt_set_mask(m, 5, false);
    assert_int_equal(ndisdma_dma_run(m, 0), 20);
    assert_int_equal(d1.rx_len, 1 + 10);
    assert_int_equal(d5.rx_len, 2 + 20);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(d1.rx[1 + i], hwt_pat(1, i));
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(d5.rx[2 + i], hwt_pat(1, i));
    hwt_dev_free(&d1);
    hwt_dev_free(&d5);
}

/* H9: mode register fields; the register is write-only (snapshot only); the
   channel bits pick the channel. */
static void h9_mode_register_fields(void **state)
{
    ndisdma_machine *m = *state;
    /* Read of the mode port is open bus and changes nothing (H15). */
    assert_int_equal(ndisdma_io_read8(m, 0x0B), 0xFF);
    assert_int_equal(ndisdma_io_read8(m, 0xD6), 0xFF);

    static const uint8_t modes[] = {
        MODE_DEMAND | MODE_TYPE_VERIFY,
        MODE_SINGLE | MODE_TYPE_WRITE,
        MODE_BLOCK | MODE_TYPE_READ,
        MODE_DEMAND | MODE_TYPE_READ | MODE_AUTOINIT,
        MODE_SINGLE | MODE_TYPE_WRITE | MODE_DECREMENT,
        MODE_BLOCK | MODE_TYPE_WRITE | MODE_AUTOINIT | MODE_DECREMENT,
    };
    for (unsigned ch = 0; ch < 8; ch++) {
        if (ch == 4)
            continue;
        for (size_t i = 0; i < sizeof modes; i++) {
            hwt_set_mode(m, ch, modes[i]);
            assert_int_equal(hwt_chan(m, ch).mode, modes[i]);
        }
    }
    /* Bits 1-0 choose the channel: writing channel 2 leaves 0, 1, 3. */
    hwt_set_mode(m, 0, MODE_SINGLE | MODE_TYPE_READ);
    hwt_set_mode(m, 1, MODE_DEMAND | MODE_TYPE_WRITE);
    hwt_set_mode(m, 3, MODE_BLOCK | MODE_TYPE_VERIFY);
    ndisdma_io_write8(m, 0x0B, MODE_BLOCK | MODE_TYPE_WRITE | MODE_AUTOINIT | 2);
    assert_int_equal(hwt_chan(m, 0).mode, MODE_SINGLE | MODE_TYPE_READ);
    assert_int_equal(hwt_chan(m, 1).mode, MODE_DEMAND | MODE_TYPE_WRITE);
    assert_int_equal(hwt_chan(m, 2).mode, MODE_BLOCK | MODE_TYPE_WRITE | MODE_AUTOINIT);
    assert_int_equal(hwt_chan(m, 3).mode, MODE_BLOCK | MODE_TYPE_VERIFY);
    /* Channel 4's mode as the BIOS left it is not touched by controller 1. */
    assert_int_equal(hwt_chan(m, 4).mode, MODE_CASCADE);

    /* Transfer type 01 (write) is device -> memory, 10 (read) memory -> device;
       bit 5 runs the address down; bit 4 reloads at TC (details in the
       transfer and addressing tests). */
    hwt_dev d;
    hwt_dev_init(&d, m, 16);
    d.tx_seed = 3;
    hwt_dev_attach(&d, 2);
    hwt_fill_pat(m, 0x1000, 4, 7);
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_WRITE, 0x2000, 4);
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    assert_int_equal(d.calls[0].kind, HWT_FROM_DEVICE);
    hwt_expect_pat(m, 0x2000, 4, 3, 0);
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ | MODE_DECREMENT | MODE_AUTOINIT, 0x1003, 4);
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    assert_int_equal(d.calls[1].kind, HWT_TO_DEVICE);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(d.rx[i], hwt_pat(7, 3 - i));
    ndisdma_dma_channel_state st = hwt_chan(m, 2);
    assert_int_equal(st.current_address, 0x1003); /* reloaded */
    assert_int_equal(st.current_count, 3);
    assert_false(st.masked);
    hwt_dev_free(&d);
}

/* H10: command register bits are stored; bits 3, 5, 6, 7 change no data; the
   command register is write-only (port 0x08 reads the status). */
static void h10_command_register_stored(void **state)
{
    ndisdma_machine *m = *state;
    for (unsigned ctl = 0; ctl < 2; ctl++) {
        for (unsigned b = 0; b < 8; b++) {
            hwt_command(m, ctl, (uint8_t)(1u << b));
            assert_int_equal(hwt_ctl(m, ctl).command, 1u << b);
        }
        hwt_command(m, ctl, 0xFF); /* unsupported bits never drop the write */
        assert_int_equal(hwt_ctl(m, ctl).command, 0xFF);
        /* Port 0x08/0xD0 reads the status, not the command. */
        assert_int_equal(hwt_read_status(m, ctl) & 0x0F, 0);
        hwt_command(m, ctl, 0);
    }

    /* Same data with and without the timing/polarity bits, on both controllers. */
    const uint8_t timing = CMD_COMPRESSED | CMD_EXT_WRITE | CMD_DREQ_LOW | CMD_DACK_HIGH;
    hwt_dev d1, d6;
    hwt_dev_init(&d1, m, 512);
    hwt_dev_init(&d6, m, 512);
    hwt_dev_attach(&d1, 1);
    hwt_dev_attach(&d6, 6);
    hwt_fill_pat(m, 0x40000, 256, 5);
    for (unsigned pass = 0; pass < 2; pass++) {
        hwt_command(m, 0, pass ? timing : 0);
        hwt_command(m, 1, pass ? timing : 0);
        hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_READ, 0x40000, 256);
        hwt_program(m, 6, MODE_BLOCK | MODE_TYPE_READ, 0x40000, 128);
        hwt_sw_request(m, 1, true);
        hwt_sw_request(m, 6, true);
        assert_int_equal(ndisdma_dma_run(m, 0), 256 + 128);
        assert_int_equal(d1.rx_len, 256 * (pass + 1));
        assert_int_equal(d6.rx_len, 256 * (pass + 1));
    }
    assert_memory_equal(d1.rx, d1.rx + 256, 256);
    assert_memory_equal(d6.rx, d6.rx + 256, 256);
    for (size_t i = 0; i < 256; i++) {
        assert_int_equal(d1.rx[i], hwt_pat(5, i));
        assert_int_equal(d6.rx[i], hwt_pat(5, i));
    }
    assert_int_equal(hwt_ctl(m, 0).command, timing);
    hwt_dev_free(&d1);
    hwt_dev_free(&d6);
}

/* H10: a disabled controller moves nothing; disabling the master (controller
   2) also stops channels 0-3, which reach the bus through it (H4). */
static void h10_disabled_controller_moves_nothing(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d1, d5;
    hwt_dev_init(&d1, m, 64);
    hwt_dev_init(&d5, m, 64);
    hwt_dev_attach(&d1, 1);
    hwt_dev_attach(&d5, 5);
    hwt_program(m, 1, MODE_DEMAND | MODE_TYPE_READ, 0x3000, 16);
    hwt_program(m, 5, MODE_DEMAND | MODE_TYPE_READ, 0x6000, 8);
    ndisdma_dma_request(m, 1, true);
    ndisdma_dma_request(m, 5, true);

    /* Controller 1 disabled: channel 1 moves nothing, channel 5 moves. */
    hwt_command(m, 0, CMD_DISABLE);
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    assert_int_equal(d1.ncalls, 0);
    assert_int_equal(d5.rx_len, 16);
    assert_int_equal(hwt_read_addr(m, 1), 0x3000);
    assert_int_equal(hwt_read_count(m, 1), 15);
    /* A software request in block mode is no exception. */
    hwt_setup_raw(m, 2, MODE_BLOCK | MODE_TYPE_VERIFY, 0x0000, 0, 3);
    hwt_sw_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(hwt_read_count(m, 2), 3);
    hwt_sw_request(m, 2, false);

    /* Controller 2 disabled, controller 1 enabled: nothing at all moves. */
    hwt_program(m, 5, MODE_DEMAND | MODE_TYPE_READ, 0x6000, 8);
    hwt_command(m, 1, CMD_DISABLE);
    hwt_command(m, 0, 0);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(d1.ncalls, 0);
    assert_int_equal(d5.ncalls, 1);
    assert_int_equal(hwt_read_addr(m, 5), 0x3000); /* word address of 0x6000 */

    /* Enabled again: both run to TC. */
    hwt_command(m, 1, 0);
    assert_int_equal(ndisdma_dma_run(m, 0), 16 + 8);
    assert_int_equal(d1.rx_len, 16);
    assert_int_equal(d5.rx_len, 32);
    hwt_dev_free(&d1);
    hwt_dev_free(&d5);
}

/* H11: status bits 0-3 are set at TC and cleared by every status read and
   by reset; bits 4-7 show pending requests and survive the read. */
static void h11_status_tc_bits(void **state)
{
    ndisdma_machine *m = *state;
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_VERIFY, 0x1000, 4);
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_VERIFY, 0x2000, 4);
    hwt_program(m, 7, MODE_BLOCK | MODE_TYPE_VERIFY, 0x2000, 4);
    hwt_sw_request(m, 1, true);
    hwt_sw_request(m, 2, true);
    hwt_sw_request(m, 7, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 12);
    assert_true(hwt_chan(m, 1).terminal_count);
    assert_int_equal(hwt_ctl(m, 0).status, 0x06); /* snapshot does not clear */
    assert_int_equal(hwt_read_status(m, 0), 0x06);
    assert_int_equal(hwt_read_status(m, 0), 0x00); /* cleared by the read */
    assert_false(hwt_chan(m, 1).terminal_count);
    /* Controller 2's bits are its own. */
    assert_int_equal(hwt_read_status(m, 1), 0x08);
    assert_int_equal(hwt_read_status(m, 1), 0x00);

    /* Reset (master clear) clears them too. */
    hwt_program(m, 3, MODE_BLOCK | MODE_TYPE_VERIFY, 0x1000, 1);
    hwt_sw_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 1);
    assert_int_equal(hwt_ctl(m, 0).status, 0x08);
    hwt_master_clear(m, 0);
    assert_int_equal(hwt_read_status(m, 0), 0x00);
}

static void h11_status_request_bits(void **state)
{
    ndisdma_machine *m = *state;
    /* Hardware DREQ on a masked channel shows (choice: whether or not masked). */
    hwt_set_mode(m, 3, MODE_DEMAND | MODE_TYPE_READ);
    ndisdma_dma_request(m, 3, true);
    /* Software request on a demand-mode channel shows and moves nothing (H12). */
    hwt_set_mode(m, 0, MODE_DEMAND | MODE_TYPE_READ);
    hwt_sw_request(m, 0, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(hwt_read_status(m, 0), 0x90);
    assert_int_equal(hwt_read_status(m, 0), 0x90); /* not cleared by the read */
    /* Both TC and request bits together. */
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_VERIFY, 0, 2);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 2);
    assert_int_equal(hwt_read_status(m, 0), 0x92);
    assert_int_equal(hwt_read_status(m, 0), 0x90);
    /* Dropping the requests clears bits 4-7. */
    ndisdma_dma_request(m, 3, false);
    hwt_sw_request(m, 0, false);
    assert_int_equal(hwt_read_status(m, 0), 0x00);

    /* Controller 2: channel 6's DREQ is bit 6; channel 4's request bit is
       controller 1's hold request (choice). */
    ndisdma_dma_request(m, 6, true);
    assert_int_equal(hwt_read_status(m, 1), 0x40);
    hwt_set_mask(m, 4, true); /* channel 4 masked: controller 1 is not served */
    hwt_program(m, 2, MODE_DEMAND | MODE_TYPE_VERIFY, 0, 4);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(hwt_read_status(m, 1), 0x50);
    assert_int_equal(hwt_read_status(m, 0), 0x40);
    ndisdma_dma_request(m, 2, false);
    assert_int_equal(hwt_read_status(m, 1), 0x40);
}

/* H12: software request: bit 2 sets/clears, bits 1-0 pick the channel; not
   blocked by the mask bit; starts a transfer only in block mode; cleared at
   TC. */
static void h12_software_request_block_mode(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 128);
    hwt_dev_attach(&d, 2);
    hwt_fill_pat(m, 0x7000, 100, 11);
    /* Programmed and left masked. */
    hwt_setup_raw(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x7000, 0, 99);
    assert_true(hwt_chan(m, 2).masked);
    /* Set then clear: nothing pending, nothing moves. */
    ndisdma_io_write8(m, 0x09, REQ_SET | 2);
    assert_int_equal(hwt_ctl(m, 0).request, 0x04);
    ndisdma_io_write8(m, 0x09, 2);
    assert_int_equal(hwt_ctl(m, 0).request, 0x00);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    /* Set: runs to TC despite the mask, clears the request at TC. */
    ndisdma_io_write8(m, 0x09, REQ_SET | 2);
    assert_true(hwt_chan(m, 2).software_request);
    assert_int_equal(ndisdma_dma_run(m, 0), 100);
    assert_int_equal(d.rx_len, 100);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(d.rx[i], hwt_pat(11, i));
    ndisdma_dma_channel_state st = hwt_chan(m, 2);
    assert_false(st.software_request);
    assert_true(st.terminal_count);
    assert_true(st.masked);
    assert_int_equal(hwt_ctl(m, 0).request, 0);
    assert_int_equal(hwt_read_status(m, 0), 0x04); /* TC bit, no request bit */

    /* Controller 2: request register at 0xD2, channel 7. */
    hwt_dev d7;
    hwt_dev_init(&d7, m, 64);
    hwt_dev_attach(&d7, 7);
    hwt_setup_raw(m, 7, MODE_BLOCK | MODE_TYPE_READ, 0x3800, 0, 9); /* 0x7000 */
    ndisdma_io_write8(m, 0xD2, REQ_SET | 3);
    assert_int_equal(ndisdma_dma_run(m, 0), 10);
    assert_int_equal(d7.rx_len, 20);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(d7.rx[i], hwt_pat(11, i));
    assert_int_equal(hwt_ctl(m, 1).request, 0);
    hwt_dev_free(&d);
    hwt_dev_free(&d7);
}

/* H12 (choice): in demand and single mode a software request shows in the
   status register but moves nothing, masked or not. */
static void h12_software_request_other_modes_move_nothing(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    hwt_dev_attach(&d, 1);
    static const uint8_t modes[] = {MODE_DEMAND, MODE_SINGLE};
    for (size_t i = 0; i < 2; i++) {
        for (int masked = 0; masked < 2; masked++) {
            hwt_program(m, 1, (uint8_t)(modes[i] | MODE_TYPE_READ), 0x1000, 8);
            hwt_set_mask(m, 1, masked != 0);
            hwt_sw_request(m, 1, true);
            assert_int_equal(ndisdma_dma_run(m, 0), 0);
            assert_int_equal(d.ncalls, 0);
            assert_int_equal(hwt_read_status(m, 0), 0x20);
            ndisdma_dma_channel_state st = hwt_chan(m, 1);
            assert_true(st.software_request);
            assert_int_equal(st.current_count, 7);
            hwt_sw_request(m, 1, false);
        }
    }
    /* Switching the same channel to block mode lets the pending request run. */
    hwt_program(m, 1, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 8);
    hwt_sw_request(m, 1, true);
    hwt_set_mode(m, 1, MODE_BLOCK | MODE_TYPE_READ);
    assert_int_equal(ndisdma_dma_run(m, 0), 8);
    assert_int_equal(d.rx_len, 8);
    hwt_dev_free(&d);
}

/* H13: single mask, all mask, clear mask, on both controllers; a masked
   channel ignores DREQ. */
static void h13_mask_registers(void **state)
{
    ndisdma_machine *m = *state;
    for (unsigned ctl = 0; ctl < 2; ctl++) {
        uint16_t single = hwt_reg_port(ctl, I8237_REG_SINGLE_MASK);
        uint16_t all = hwt_reg_port(ctl, I8237_REG_ALL_MASK);
        uint16_t clear = hwt_reg_port(ctl, I8237_REG_CLEAR_MASK);
        ndisdma_io_write8(m, clear, 0xFF); /* any value clears all four */
        assert_int_equal(hwt_ctl(m, ctl).mask, 0x00);
        for (unsigned i = 0; i < 4; i++) {
            ndisdma_io_write8(m, single, (uint8_t)(MASK_SET | i | 0xF8)); /* bits 7-3 ignored */
            assert_int_equal(hwt_ctl(m, ctl).mask, (1u << (i + 1)) - 1u);
        }
        for (unsigned i = 0; i < 4; i++) {
            ndisdma_io_write8(m, single, (uint8_t)i);
            assert_int_equal(hwt_ctl(m, ctl).mask, (0x0Fu << (i + 1)) & 0x0F);
        }
        ndisdma_io_write8(m, all, 0xF5); /* bits 0-3 only */
        assert_int_equal(hwt_ctl(m, ctl).mask, 0x05);
        ndisdma_io_write8(m, all, 0x0A);
        assert_int_equal(hwt_ctl(m, ctl).mask, 0x0A);
        assert_true(hwt_chan(m, ctl * 4 + 1).masked);
        assert_false(hwt_chan(m, ctl * 4 + 2).masked);
    }
    /* Restore the BIOS state of controller 2 (channel 4 unmasked). */
    ndisdma_io_write8(m, 0xDE, 0x0E);

    /* Masked channel ignores DREQ; unmasking lets it run. */
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    hwt_dev_attach(&d, 3);
    hwt_program(m, 3, MODE_DEMAND | MODE_TYPE_READ, 0x1000, 10);
    hwt_set_mask(m, 3, true);
    ndisdma_dma_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(d.ncalls, 0);
    ndisdma_io_write8(m, 0x0F, 0x07); /* all-mask write unmasking channel 3 */
    assert_int_equal(ndisdma_dma_run(m, 0), 10);
    assert_int_equal(d.rx_len, 10);
    hwt_dev_free(&d);
}

/* H14: master clear clears command, status, request, temporary and flip-flop,
   sets all masks, keeps mode, address and count (base and current). */
static void h14_master_clear(void **state)
{
    ndisdma_machine *m = *state;
    /* Temporary register loaded by a memory-to-memory transfer (H24). */
    hwt_fill_pat(m, 0x1000, 4, 2);
    hwt_setup_raw(m, 0, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 0, 3);
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_WRITE, 0x2000, 0, 3);
    hwt_command(m, 0, CMD_MEM_TO_MEM);
    hwt_sw_request(m, 0, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    assert_int_equal(ndisdma_io_read8(m, 0x0D), hwt_pat(2, 3));
    /* Now every register master clear touches is non-zero. */
    hwt_command(m, 0, CMD_ROTATING | CMD_COMPRESSED);
    hwt_set_mode(m, 3, MODE_DEMAND | MODE_TYPE_READ);
    hwt_sw_request(m, 3, true);
    ndisdma_io_write8(m, 0x0E, 0);
    hwt_setup_raw(m, 2, MODE_SINGLE | MODE_TYPE_WRITE | MODE_AUTOINIT, 0xABCD, 0x12, 0x0456);
    hwt_clear_ff(m, 2);
    ndisdma_io_write8(m, 0x00, 0x99); /* flip-flop set, channel 0 address low */
    ndisdma_dma_controller_state c = hwt_ctl(m, 0);
    assert_int_equal(c.command, CMD_ROTATING | CMD_COMPRESSED);
    assert_int_equal(c.status, 0x82);
    assert_int_equal(c.request, 0x08);
    assert_int_equal(c.temporary, hwt_pat(2, 3));
    assert_true(c.flipflop);
    ndisdma_dma_channel_state before[4];
    for (unsigned ch = 0; ch < 4; ch++)
        before[ch] = hwt_chan(m, ch);

    ndisdma_io_write8(m, 0x0D, 0x5A); /* master clear, any value */
    c = hwt_ctl(m, 0);
    assert_int_equal(c.command, 0);
    assert_int_equal(c.status, 0);
    assert_int_equal(c.request, 0);
    assert_int_equal(c.temporary, 0);
    assert_false(c.flipflop);
    assert_int_equal(c.mask, 0x0F);
    assert_int_equal(ndisdma_io_read8(m, 0x0D), 0);
    for (unsigned ch = 0; ch < 4; ch++) {
        ndisdma_dma_channel_state st = hwt_chan(m, ch);
        assert_int_equal(st.mode, before[ch].mode);
        assert_int_equal(st.base_address, before[ch].base_address);
        assert_int_equal(st.current_address, before[ch].current_address);
        assert_int_equal(st.base_count, before[ch].base_count);
        assert_int_equal(st.current_count, before[ch].current_count);
        assert_int_equal(st.page, before[ch].page); /* page registers are not the 8237's */
        assert_true(st.masked);
    }
    assert_int_equal(hwt_chan(m, 2).base_address, 0xABCD);
    assert_int_equal(hwt_chan(m, 2).base_count, 0x0456);
    assert_int_equal(hwt_chan(m, 2).mode, MODE_SINGLE | MODE_TYPE_WRITE | MODE_AUTOINIT);
    /* Controller 2 untouched. */
    assert_int_equal(hwt_ctl(m, 1).mask, 0x0E);

    /* Master clear of controller 2 masks channel 4: channels 0-3 starve (H4). */
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_VERIFY, 0x0000, 5);
    hwt_sw_request(m, 1, true);
    hwt_master_clear(m, 1);
    assert_int_equal(hwt_ctl(m, 1).mask, 0x0F);
    assert_int_equal(hwt_chan(m, 4).mode, MODE_CASCADE); /* mode kept */
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    hwt_set_mask(m, 4, false);
    assert_int_equal(ndisdma_dma_run(m, 0), 5);
}

/* H14 (choice): master clear also ends a block transfer in progress and a
   device stall, and resets rotating priority: no transfer is in progress. */
static void h14_master_clear_ends_block_and_stall(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 256);
    hwt_dev_attach(&d, 2);
    /* A block transfer started by DREQ, interrupted by the run limit. */
    hwt_program(m, 2, MODE_BLOCK | MODE_TYPE_READ, 0x1000, 100);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 10), 10);
    ndisdma_dma_request(m, 2, false);
    assert_true(hwt_chan(m, 2).block_active);
    hwt_master_clear(m, 0);
    assert_false(hwt_chan(m, 2).block_active);
    hwt_set_mask(m, 2, false);
    assert_int_equal(ndisdma_dma_run(m, 0), 0); /* nothing resumes */
    assert_int_equal(hwt_read_addr(m, 2), 0x100A);

    /* A stalled channel. */
    d.per_call = 3;
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 3);
    assert_true(hwt_chan(m, 2).stalled);
    hwt_master_clear(m, 0);
    assert_false(hwt_chan(m, 2).stalled);

    /* Rotating priority starts again with channel 0 highest. */
    hwt_dev d0, d1;
    hwt_dev_init(&d0, m, 16);
    hwt_dev_init(&d1, m, 16);
    hwt_log log = {0};
    d0.log = &log;
    d1.log = &log;
    hwt_dev_attach(&d0, 0);
    hwt_dev_attach(&d1, 1);
    hwt_command(m, 0, CMD_ROTATING);
    hwt_program(m, 0, MODE_SINGLE | MODE_TYPE_READ, 0, 1);
    hwt_program(m, 1, MODE_SINGLE | MODE_TYPE_READ, 0, 1);
    ndisdma_dma_request(m, 0, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 1); /* channel 0 served: now the lowest */
    hwt_master_clear(m, 0);
    hwt_command(m, 0, CMD_ROTATING);
    hwt_program(m, 0, MODE_SINGLE | MODE_TYPE_READ, 0, 1);
    hwt_program(m, 1, MODE_SINGLE | MODE_TYPE_READ, 0, 1);
    ndisdma_dma_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 2);
    assert_int_equal(log.n, 3);
    assert_int_equal(log.ch[0], 0);
    assert_int_equal(log.ch[1], 0); /* channel 0 highest again */
    assert_int_equal(log.ch[2], 1);
    hwt_dev_free(&d);
    hwt_dev_free(&d0);
    hwt_dev_free(&d1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(h6_write_loads_base_and_current, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h8_count_is_n_minus_1, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h9_mode_register_fields, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h10_command_register_stored, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h10_disabled_controller_moves_nothing, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(h11_status_tc_bits, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h11_status_request_bits, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h12_software_request_block_mode, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h12_software_request_other_modes_move_nothing, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(h13_mask_registers, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h14_master_clear, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h14_master_clear_ends_block_and_stall, hwt_setup,
                                        hwt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
