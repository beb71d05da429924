/*
 * Physical addresses, the 16-bit address wrap, terminal count, autoinitialize
 * and full 64 K-unit transfers.
 * Behaviours H16, H17, H18, H19, H20, H26 of spec/i8237.md.
 */
#include "hwtest.h"

#include <stdlib.h>
#include <string.h>

/* H16: channels 0-3 address page << 16 | current address, in both directions. */
static void h16_physical_address_8bit(void **state)
{
    ndisdma_machine *m = *state;
    for (unsigned ch = 0; ch < 4; ch++) {
        const uint8_t page = (uint8_t)(0x12 + ch);
        const uint16_t addr = (uint16_t)(0x3456 + 0x100 * ch);
        const uint64_t phys = (uint64_t)page << 16 | addr;
        hwt_dev d;
        hwt_dev_init(&d, m, 64);
        d.tx_seed = 40 + ch;
        hwt_dev_attach(&d, ch);
        hwt_fill_pat(m, phys, 16, ch);
        /* Guard bytes around the target. */
        hwt_fill_byte(m, phys + 16, 1, 0xEE);
        hwt_setup_raw(m, ch, MODE_BLOCK | MODE_TYPE_READ, addr, page, 15);
        assert_int_equal(hwt_chan(m, ch).next_phys, phys);
        hwt_sw_request(m, ch, true);
        assert_int_equal(ndisdma_dma_run(m, 0), 16);
        assert_int_equal(d.rx_len, 16);
        for (size_t i = 0; i < 16; i++)
            assert_int_equal(d.rx[i], hwt_pat(ch, i));
        /* Write transfer to the same place. */
        hwt_setup_raw(m, ch, MODE_BLOCK | MODE_TYPE_WRITE, addr, page, 15);
        hwt_sw_request(m, ch, true);
        assert_int_equal(ndisdma_dma_run(m, 0), 16);
        hwt_expect_pat(m, phys, 16, 40 + ch, 0);
        hwt_expect_byte(m, phys + 16, 1, 0xEE);
        hwt_expect_byte(m, phys - 1, 1, 0x00);
        assert_int_equal(hwt_chan(m, ch).next_phys, phys + 16);
        ndisdma_dma_detach(m, ch);
        hwt_dev_free(&d);
    }
}

/* H17: channels 5-7 count words: (page & 0xFE) << 16 | address << 1; page bit
   0 is ignored and address bit 15 becomes A16. */
static void h17_physical_address_16bit(void **state)
{
    ndisdma_machine *m = *state;
    struct {
        unsigned ch;
        uint8_t page;
        uint16_t addr;
        uint64_t phys;
    } cases[] = {
        {5, 0x12, 0x0010, 0x120020}, /* plain */
        {6, 0x13, 0x0010, 0x120020}, /* page bit 0 ignored */
        {7, 0x13, 0x8000, 0x130000}, /* address bit 15 is A16 */
        {5, 0x35, 0xFFFF, 0x35FFFE}, /* top word of the 128 KiB window of page 0x34 */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const unsigned ch = cases[k].ch;
        const uint64_t phys = cases[k].phys;
        hwt_dev d;
        hwt_dev_init(&d, m, 64);
        d.tx_seed = (uint32_t)(60 + k);
        hwt_dev_attach(&d, ch);
        hwt_fill_pat(m, phys, 2, (uint32_t)k);
        hwt_setup_raw(m, ch, MODE_SINGLE | MODE_TYPE_READ, cases[k].addr, cases[k].page, 0);
        assert_int_equal(hwt_chan(m, ch).next_phys, phys);
        hwt_set_mask(m, ch, false);
        ndisdma_dma_request(m, ch, true);
        assert_int_equal(ndisdma_dma_run(m, 0), 1);
        assert_int_equal(d.rx_len, 2);
        assert_int_equal(d.rx[0], hwt_pat((uint32_t)k, 0));
        assert_int_equal(d.rx[1], hwt_pat((uint32_t)k, 1));
        /* Write a word back at the same address: both bytes land, low first. */
        hwt_setup_raw(m, ch, MODE_SINGLE | MODE_TYPE_WRITE, cases[k].addr, cases[k].page, 0);
        hwt_set_mask(m, ch, false);
        assert_int_equal(ndisdma_dma_run(m, 0), 1);
        hwt_expect_pat(m, phys, 2, (uint32_t)(60 + k), 0);
        ndisdma_dma_request(m, ch, false);
        ndisdma_dma_detach(m, ch);
        hwt_dev_free(&d);
    }
    /* The odd page's own 64 KiB (page 0x13 without the A16 from the address)
       was never touched by case 1. */
    hwt_expect_byte(m, 0x130020, 2, 0);
}

/* H18: 8-bit, incrementing: 0xFFFF + 1 = 0x0000 in the same page; no device
   callback crosses the wrap. */
static void h18_address_wraps_without_carry_8bit(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    hwt_dev_attach(&d, 1);
    /* RAM: 0x2FFFC..0x2FFFF and 0x20000..0x20003 patterned, 0x30000 marked. */
    hwt_fill_pat(m, 0x2FFFC, 4, 1);
    hwt_fill_pat(m, 0x20000, 4, 2);
    hwt_fill_byte(m, 0x30000, 4, 0xC3);
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_READ, 0xFFFE, 0x02, 3);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    const uint8_t want[4] = {hwt_pat(1, 2), hwt_pat(1, 3), hwt_pat(2, 0), hwt_pat(2, 1)};
    assert_int_equal(d.rx_len, 4);
    assert_memory_equal(d.rx, want, 4);
    assert_int_equal(d.ncalls, 2);
    assert_int_equal(d.calls[0].len, 2); /* up to 0xFFFF */
    assert_int_equal(d.calls[1].len, 2); /* from 0x0000 */
    assert_int_equal(d.calls[1].st.current_address, 0x0000);
    assert_int_equal(hwt_read_addr(m, 1), 0x0002);
    assert_int_equal(ndisdma_io_read8(m, 0x83), 0x02); /* page unchanged */

    /* Write transfer across the wrap: 0x30000 untouched. */
    d.tx_seed = 9;
    hwt_setup_raw(m, 1, MODE_BLOCK | MODE_TYPE_WRITE, 0xFFFE, 0x02, 3);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    hwt_expect_pat(m, 0x2FFFE, 2, 9, 0);
    hwt_expect_pat(m, 0x20000, 2, 9, 2);
    hwt_expect_byte(m, 0x30000, 4, 0xC3);
    hwt_dev_free(&d);
}

/* H18: decrementing: 0x0000 - 1 = 0xFFFF in the same page. */
static void h18_address_wraps_decrementing(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    hwt_dev_attach(&d, 3);
    hwt_fill_pat(m, 0x50000, 2, 3);
    hwt_fill_pat(m, 0x5FFFE, 2, 4);
    hwt_fill_byte(m, 0x4FFFF, 1, 0xC3);
    hwt_setup_raw(m, 3, MODE_BLOCK | MODE_TYPE_READ | MODE_DECREMENT, 0x0001, 0x05, 3);
    hwt_sw_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    /* Transfer order: 0x50001, 0x50000, 0x5FFFF, 0x5FFFE. */
    const uint8_t want[4] = {hwt_pat(3, 1), hwt_pat(3, 0), hwt_pat(4, 1), hwt_pat(4, 0)};
    assert_memory_equal(d.rx, want, 4);
    assert_int_equal(d.ncalls, 2);
    assert_int_equal(d.calls[0].len, 2);
    assert_int_equal(d.calls[1].len, 2);
    assert_int_equal(d.calls[1].st.current_address, 0xFFFF);
    assert_int_equal(hwt_read_addr(m, 3), 0xFFFD); /* last - 1 (H19) */
    assert_int_equal(ndisdma_io_read8(m, 0x82), 0x05);

    /* Write transfer down across the wrap: 0x4FFFF untouched. */
    d.tx_seed = 5;
    hwt_setup_raw(m, 3, MODE_BLOCK | MODE_TYPE_WRITE | MODE_DECREMENT, 0x0001, 0x05, 3);
    hwt_sw_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    const uint8_t lo[2] = {hwt_pat(5, 1), hwt_pat(5, 0)};
    const uint8_t hi[2] = {hwt_pat(5, 3), hwt_pat(5, 2)};
    hwt_expect_bytes(m, 0x50000, lo, 2);
    hwt_expect_bytes(m, 0x5FFFE, hi, 2);
    hwt_expect_byte(m, 0x4FFFF, 1, 0xC3);
    hwt_dev_free(&d);
}

/* H18: 16-bit channels wrap inside a 128 KiB window. */
static void h18_address_wraps_16bit_window(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 64);
    hwt_dev_attach(&d, 6);
    /* Page 0x04: window 0x40000-0x5FFFF. Address 0xFFFE..0x0001 (4 words). */
    hwt_fill_pat(m, 0x5FFFC, 4, 1);
    hwt_fill_pat(m, 0x40000, 4, 2);
    hwt_fill_byte(m, 0x60000, 4, 0xC3);
    hwt_setup_raw(m, 6, MODE_BLOCK | MODE_TYPE_READ, 0xFFFE, 0x04, 3);
    hwt_sw_request(m, 6, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    assert_int_equal(d.rx_len, 8);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(d.rx[i], hwt_pat(1, i));
        assert_int_equal(d.rx[4 + i], hwt_pat(2, i));
    }
    assert_int_equal(d.ncalls, 2);
    assert_int_equal(d.calls[0].len, 4);
    assert_int_equal(d.calls[1].len, 4);
    assert_int_equal(d.calls[1].st.next_phys, 0x40000);
    assert_int_equal(hwt_read_addr(m, 6), 0x0002);

    d.tx_seed = 7;
    hwt_setup_raw(m, 6, MODE_BLOCK | MODE_TYPE_WRITE, 0xFFFE, 0x04, 3);
    hwt_sw_request(m, 6, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 4);
    hwt_expect_pat(m, 0x5FFFC, 4, 7, 0);
    hwt_expect_pat(m, 0x40000, 4, 7, 4);
    hwt_expect_byte(m, 0x60000, 4, 0xC3);
    hwt_dev_free(&d);
}

/* H19: TC when the count steps 0x0000 -> 0xFFFF; without autoinitialize the
   count reads 0xFFFF, the address last+1 (last-1 decrementing), the mask bit
   is set and the software request cleared. */
static void h19_terminal_count_without_autoinit(void **state)
{
    ndisdma_machine *m = *state;
    static const struct {
        unsigned ch;
        uint8_t mode;
        uint16_t addr, count, end;
    } cases[] = {
        {2, MODE_BLOCK | MODE_TYPE_VERIFY, 0x1000, 4, 0x1005},
        {2, MODE_BLOCK | MODE_TYPE_VERIFY | MODE_DECREMENT, 0x1000, 4, 0x0FFB},
        {7, MODE_BLOCK | MODE_TYPE_VERIFY, 0x1000, 4, 0x1005},
        {7, MODE_BLOCK | MODE_TYPE_VERIFY | MODE_DECREMENT, 0x1000, 4, 0x0FFB},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const unsigned ch = cases[k].ch, ctl = hwt_ctl_of(ch);
        hwt_setup_raw(m, ch, cases[k].mode, cases[k].addr, 0, cases[k].count);
        hwt_set_mask(m, ch, false);
        hwt_sw_request(m, ch, true);
        /* One unit short of TC: no TC yet. */
        assert_int_equal(ndisdma_dma_run(m, cases[k].count), cases[k].count);
        ndisdma_dma_channel_state st = hwt_chan(m, ch);
        assert_int_equal(st.current_count, 0x0000);
        assert_false(st.terminal_count);
        assert_false(st.masked);
        assert_true(st.software_request);
        assert_int_equal(hwt_read_status(m, ctl) & 0x0F, 0);
        /* The last unit: count 0 -> 0xFFFF is TC. */
        assert_int_equal(ndisdma_dma_run(m, 0), 1);
        st = hwt_chan(m, ch);
        assert_true(st.terminal_count);
        assert_true(st.masked);
        assert_false(st.software_request);
        assert_false(st.block_active);
        assert_int_equal(hwt_read_count(m, ch), 0xFFFF);
        assert_int_equal(hwt_read_addr(m, ch), cases[k].end);
        assert_int_equal(hwt_read_status(m, ctl), 1u << (ch & 3));
        assert_int_equal(hwt_ctl(m, ctl).request, 0);
        /* Base registers keep the programmed values. */
        assert_int_equal(st.base_address, cases[k].addr);
        assert_int_equal(st.base_count, cases[k].count);
        /* Nothing more moves. */
        assert_int_equal(ndisdma_dma_run(m, 0), 0);
    }
}

/* H20: autoinitialize reloads address and count from the base registers at
   TC, leaves the mask as it was, and the channel continues at once. */
static void h20_autoinit_reloads(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 256);
    hwt_dev_attach(&d, 1);
    hwt_fill_pat(m, 0x8000, 10, 4);
    hwt_program(m, 1, MODE_DEMAND | MODE_TYPE_READ | MODE_AUTOINIT, 0x8000, 10);
    ndisdma_dma_request(m, 1, true);
    /* DREQ held: a limit is needed; 25 units = two buffers and a half. */
    assert_int_equal(ndisdma_dma_run(m, 25), 25);
    assert_int_equal(d.rx_len, 25);
    for (size_t i = 0; i < 25; i++)
        assert_int_equal(d.rx[i], hwt_pat(4, i % 10));
    assert_int_equal(d.tc_count, 2);
    ndisdma_dma_channel_state st = hwt_chan(m, 1);
    assert_false(st.masked);
    assert_true(st.terminal_count);
    assert_int_equal(st.current_address, 0x8005);
    assert_int_equal(st.current_count, 4);
    assert_int_equal(st.base_address, 0x8000);
    assert_int_equal(st.base_count, 9);
    /* In the TC callback the channel was already reloaded (host-api.md). */
    assert_int_equal(d.tc_state.current_address, 0x8000);
    assert_int_equal(d.tc_state.current_count, 9);
    assert_false(d.tc_state.masked);
    ndisdma_dma_request(m, 1, false);

    /* A masked channel with a software request in block mode stays masked
       after the reload (mask left as it was), and its request is cleared. */
    hwt_dev d6;
    hwt_dev_init(&d6, m, 64);
    hwt_dev_attach(&d6, 6);
    hwt_setup_raw(m, 6, MODE_BLOCK | MODE_TYPE_READ | MODE_AUTOINIT | MODE_DECREMENT, 0x4009, 0, 4);
    hwt_sw_request(m, 6, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 5);
    st = hwt_chan(m, 6);
    assert_true(st.masked);
    assert_false(st.software_request);
    assert_int_equal(st.current_address, 0x4009);
    assert_int_equal(st.current_count, 4);
    assert_int_equal(hwt_read_addr(m, 6), 0x4009);
    assert_int_equal(hwt_read_count(m, 6), 4);
    assert_int_equal(hwt_read_status(m, 1), 0x04);
    /* Ready again at once: a new request runs the same buffer again. */
    hwt_sw_request(m, 6, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 5);
    assert_int_equal(d6.rx_len, 20);
    assert_memory_equal(d6.rx, d6.rx + 10, 10);
    hwt_dev_free(&d);
    hwt_dev_free(&d6);
}

/* H26: count 0xFFFF moves 65,536 bytes on controller 1, read transfer. */
static void h26_full_64k_bytes(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 0x10000);
    hwt_dev_attach(&d, 1);
    hwt_fill_pat(m, 0x30000, 0x10000, 8);
    hwt_program(m, 1, MODE_BLOCK | MODE_TYPE_READ, 0x30000, 0x10000);
    assert_int_equal(hwt_read_count(m, 1), 0xFFFF);
    hwt_sw_request(m, 1, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0x10000);
    assert_int_equal(d.rx_len, 0x10000);
    for (size_t i = 0; i < 0x10000; i++)
        if (d.rx[i] != hwt_pat(8, i))
            fail_msg("byte %zu wrong", i);
    assert_true(hwt_chan(m, 1).terminal_count);
    assert_int_equal(hwt_read_addr(m, 1), 0x0000); /* wrapped, page kept */
    assert_int_equal(hwt_chan(m, 1).page, 0x03);
    hwt_dev_free(&d);
}

/* H26: count 0xFFFF moves 65,536 words (128 KiB) on controller 2, write
   transfer, and as a 64 K-byte write on controller 1 starting mid-window,
   which also wraps (H18). */
static void h26_full_64k_words(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 16);
    d.tx_seed = 12;
    hwt_dev_attach(&d, 5);
    hwt_fill_byte(m, 0x60000, 4, 0xC3); /* just past the window */
    hwt_program(m, 5, MODE_BLOCK | MODE_TYPE_WRITE, 0x40000, 0x10000);
    hwt_sw_request(m, 5, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0x10000);
    assert_int_equal(d.tx_pos, 0x20000);
    hwt_expect_pat(m, 0x40000, 0x20000, 12, 0);
    hwt_expect_byte(m, 0x60000, 4, 0xC3);
    assert_true(hwt_chan(m, 5).terminal_count);
    ndisdma_hw_stats s = hwt_stats(m);
    assert_int_equal(s.units, 0x10000);
    assert_int_equal(s.bytes, 0x20000);

    /* Controller 1, from 0x8000 of page 7: wraps after 0x8000 bytes. */
    hwt_dev d2;
    hwt_dev_init(&d2, m, 16);
    d2.tx_seed = 13;
    hwt_dev_attach(&d2, 2);
    hwt_program(m, 2, MODE_DEMAND | MODE_TYPE_WRITE, 0x78000, 0x10000);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0x10000);
    assert_int_equal(d2.ncalls, 2);
    assert_int_equal(d2.calls[0].len, 0x8000);
    assert_int_equal(d2.calls[1].len, 0x8000);
    hwt_expect_pat(m, 0x78000, 0x8000, 13, 0);
    hwt_expect_pat(m, 0x70000, 0x8000, 13, 0x8000);
    hwt_expect_byte(m, 0x80000, 4, 0x00);
    hwt_dev_free(&d);
    hwt_dev_free(&d2);
}

/* H26 with decrement on a 16-bit channel: 65,536 words downwards, each word
   low byte first, from the top of the window to its bottom. */
static void h26_full_64k_words_decrementing(void **state)
{
    ndisdma_machine *m = *state;
    hwt_dev d;
    hwt_dev_init(&d, m, 0x20000);
    hwt_dev_attach(&d, 7);
    hwt_fill_pat(m, 0x20000, 0x20000, 14);
    hwt_setup_raw(m, 7, MODE_BLOCK | MODE_TYPE_READ | MODE_DECREMENT, 0xFFFF, 0x02, 0xFFFF);
    hwt_sw_request(m, 7, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0x10000);
    assert_int_equal(d.rx_len, 0x20000);
    assert_int_equal(d.ncalls, 1);
    for (size_t w = 0; w < 0x10000; w++) {
        size_t src = 0x1FFFE - 2 * w; /* offset of word w in transfer order */
        if (d.rx[2 * w] != hwt_pat(14, src) || d.rx[2 * w + 1] != hwt_pat(14, src + 1))
            fail_msg("word %zu wrong", w);
    }
    assert_int_equal(hwt_read_addr(m, 7), 0xFFFF); /* 0x0000 - 1 */
    hwt_dev_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(h16_physical_address_8bit, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h17_physical_address_16bit, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h18_address_wraps_without_carry_8bit, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(h18_address_wraps_decrementing, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h18_address_wraps_16bit_window, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h19_terminal_count_without_autoinit, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(h20_autoinit_reloads, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h26_full_64k_bytes, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h26_full_64k_words, hwt_setup, hwt_teardown),
        cmocka_unit_test_setup_teardown(h26_full_64k_words_decrementing, hwt_setup, hwt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
