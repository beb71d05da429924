/*
 * The hardware model's fast paths pinned to the general code they stand for
 * (docs/performance.md, docs/hw.md):
 * - the per-register port decoders of the two 8237s (src/hw/hw.c: address,
 *   count, single mask, mode, clear flip-flop) against the chip's full
 *   register decode, nd_i8237_read / nd_i8237_write (H6, H7, H11, H14, H15);
 * - the usual-case arbitration of nd_atdma_arbitrate against
 *   nd_atdma_arbitrate_full (H4, H12, H13, H23), over random controller
 *   states;
 * - the port bus's decoders of single ports (nd_iobus_decoder,
 *   nd_iobus_route) and its write tap, which carries the observers' port
 *   write events while any observer is attached;
 * - the DMA and page register accesses with the decode written out
 *   (src/hw/dma_ports.h: nd_hw_dma_write8, nd_hw_dma_read8) against the
 *   bus's accesses, with and without observers.
 */
#include <stdlib.h>
#include <string.h>

#include "hwtest.h"

#include "hw/dma_ports.h"
#include "hw/hw.h"

/* A small deterministic generator (the sequences are the same every run). */
static uint32_t rnd(uint32_t *s)
{
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}

static nd_hw *new_hw(void)
{
    nd_hw *hw = malloc(sizeof *hw); /* 64 KiB port map: not on the stack */
    assert_non_null(hw);
    assert_int_equal(nd_hw_init(hw, (uint64_t)1 << 20), 0);
    return hw;
}

static void free_hw(nd_hw *hw)
{
    nd_hw_fini(hw);
    free(hw);
}

/* Port of register offset @reg of controller @idx (H1, H2). */
static uint16_t reg_port(unsigned idx, unsigned reg)
{
    return idx ? (uint16_t)(AT_DMA2_BASE + 2u * reg) : (uint16_t)(AT_DMA1_BASE + reg);
}

/* H6, H7, H11, H14, H15: every register access through the ports, decoded
   by a register's own decoder or by the controller's full decoder, leaves
   the chip exactly as nd_i8237_write / nd_i8237_read leave a copy of it, and
   a read returns what nd_i8237_read returns. */
static void port_decoders_equal_register_decode(void **state)
{
    (void)state;
    nd_hw *hw = new_hw();
    nd_i8237 ref[2];
    memcpy(ref, hw->dma.ctl, sizeof ref);
    uint32_t seed = 7;
    for (unsigned step = 0; step < 50000; step++) {
        const unsigned idx = rnd(&seed) & 1u, reg = rnd(&seed) & 15u;
        const uint8_t v = (uint8_t)rnd(&seed);
        nd_i8237_access why;
        if (rnd(&seed) & 1u) {
            /* Master clear masks everything: keep it rare. */
            if (reg == I8237_REG_MASTER_CLEAR && (rnd(&seed) & 15u))
                continue;
            nd_hw_io_write8(hw, reg_port(idx, reg), v);
            nd_i8237_write(&ref[idx], reg, v, idx ? 0 : -1, &why);
        } else {
            if (idx == 1 && reg == I8237_REG_STATUS) {
                /* Controller 2's status read first refreshes its cascade
                   input from controller 1's request (atdma.c). */
                ref[1].dreq = (uint8_t)((ref[1].dreq & ~1u) | (nd_i8237_ready(&ref[0]) ? 1u : 0u));
            }
            const uint8_t got = nd_hw_io_read8(hw, reg_port(idx, reg));
            assert_int_equal(got, nd_i8237_read(&ref[idx], reg, &why));
        }
        assert_memory_equal(&hw->dma.ctl[0], &ref[0], sizeof ref[0]);
        assert_memory_equal(&hw->dma.ctl[1], &ref[1], sizeof ref[1]);
    }
    free_hw(hw);
}

/* H4, H12, H13, H23: nd_atdma_arbitrate gives nd_atdma_arbitrate_full's
   answer, *alone included, whatever the requests, masks, modes, commands and
   rotating-priority positions. */
static void arbitration_equals_full_arbitration(void **state)
{
    (void)state;
    nd_atdma d;
    nd_atdma_init(&d);
    uint32_t seed = 11;
    unsigned fast = 0, answered = 0;
    for (unsigned step = 0; step < 200000; step++) {
        for (unsigned idx = 0; idx < 2; idx++) {
            nd_i8237 *c = &d.ctl[idx];
            const uint32_t r = rnd(&seed);
            /* Mostly the usual state (enabled, fixed priority), sometimes not. */
            c->command = (r & 0x700u) ? 0 : (uint8_t)(r & (CMD_DISABLE | CMD_ROTATING));
            c->dreq = (uint8_t)(rnd(&seed) & 0x0F);
            c->sreq = (rnd(&seed) & 7u) ? 0 : (uint8_t)(rnd(&seed) & 0x0F);
            c->block = (rnd(&seed) & 7u) ? 0 : (uint8_t)(rnd(&seed) & 0x0F);
            c->mask = (uint8_t)(rnd(&seed) & 0x0F);
            c->stall = (rnd(&seed) & 3u) ? 0 : (uint8_t)(rnd(&seed) & 0x0F);
            c->last = (uint8_t)(rnd(&seed) & 3u);
            for (unsigned i = 0; i < 4; i++)
                c->mode[i] = (uint8_t)((rnd(&seed) & 0xFCu) | i);
            if (idx == 1 && (rnd(&seed) & 3u)) {
                c->mode[0] = MODE_CASCADE; /* as the BIOS leaves it (H5), mostly */
                c->mask &= (uint8_t)~1u;
                c->dreq &= 1u; /* mostly no request of the master's own */
            }
            nd_i8237_update_modes(c);
        }
        bool a1 = (step & 1) != 0, a2 = a1; /* untouched with -1: must stay equal */
        const int ch = nd_atdma_arbitrate(&d, &a1);
        assert_int_equal(ch, nd_atdma_arbitrate_full(&d, &a2));
        assert_int_equal(a1, a2);
        const nd_i8237 *m = &d.ctl[1];
        if (!(m->command & (CMD_DISABLE | CMD_ROTATING)) &&
            !((m->dreq | m->sreq | m->block) & 0x0E))
            fast++;
        if (ch >= 0)
            answered++;
    }
    /* Both paths and both outcomes were exercised. */
    assert_true(fast > 1000 && fast < 199000);
    assert_true(answered > 1000 && answered < 199000);
}

static uint8_t probe_read(void *ctx, uint16_t port)
{
    (void)ctx;
    return (uint8_t)(port ^ 0x5A);
}

static void probe_write(void *ctx, uint16_t port, uint8_t value)
{
    uint32_t *last = ctx;
    *last = (uint32_t)port << 8 | value;
}

/* A mapping's single-port decoders: routed ports reach their own handlers,
   stay the mapping's (nobody else can map them) and go with it. */
static void single_port_decoders(void **state)
{
    (void)state;
    nd_hw *hw = new_hw();
    nd_iobus *b = &hw->io;
    uint32_t whole = 0, single = 0;
    const ndisdma_io_handler whole_h = {probe_read, probe_write};
    const ndisdma_io_handler single_h = {NULL, probe_write}; /* NULL read: open bus */
    const int id = nd_iobus_map(b, 0x300, 0x20, &whole_h, &whole);
    assert_true(id > 0);
    /* Invalid input first. */
    assert_int_equal(nd_iobus_decoder(b, 0, &single_h, &single), NDISDMA_ENOENT);
    assert_int_equal(nd_iobus_decoder(b, ND_IOBUS_SLOTS - 1, &single_h, &single), NDISDMA_ENOENT);
    assert_int_equal(nd_iobus_decoder(b, id, NULL, &single), NDISDMA_EINVAL);
    const int d = nd_iobus_decoder(b, id, &single_h, &single);
    assert_true(d >= ND_IOBUS_SLOTS && d < ND_IOBUS_DECODERS);
    assert_int_equal(nd_iobus_route(b, id, 0x305), NDISDMA_EINVAL); /* not a decoder */
    assert_int_equal(nd_iobus_route(b, d, 0x2FF), NDISDMA_EINVAL);  /* outside the mapping */
    assert_int_equal(nd_iobus_route(b, d, 0x320), NDISDMA_EINVAL);  /* outside the mapping */
    assert_int_equal(nd_iobus_route(b, d, 0x305), 0);
    nd_hw_io_write8(hw, 0x305, 0x11);
    nd_hw_io_write8(hw, 0x306, 0x22);
    assert_int_equal(single, 0x30511);
    assert_int_equal(whole, 0x30622);
    assert_int_equal(nd_hw_io_read8(hw, 0x305), 0xFF); /* the open bus */
    assert_int_equal(nd_hw_io_read8(hw, 0x306), (uint8_t)(0x306 ^ 0x5A));
    assert_int_equal(nd_iobus_map(b, 0x305, 1, &whole_h, &whole), NDISDMA_EBUSY);
    /* Unmapped with its mapping: the port is free and undecoded again. */
    assert_int_equal(nd_iobus_unmap(b, id), 0);
    const uint64_t illegal = hw->stats.illegal;
    nd_hw_io_write8(hw, 0x305, 0x33);
    assert_int_equal(single, 0x30511);
    assert_int_equal(hw->stats.illegal, illegal + 1);
    const int again = nd_iobus_map(b, 0x305, 1, &whole_h, &whole);
    assert_true(again > 0);
    nd_hw_io_write8(hw, 0x305, 0x44);
    assert_int_equal(whole, 0x30544);
    free_hw(hw);
}

static void count_event(void *ctx, const ndisdma_event *ev)
{
    unsigned *n = ctx;
    if (ev->kind == NDISDMA_EV_IO_WRITE)
        n[0]++;
    if (ev->kind == NDISDMA_EV_IO_READ)
        n[1]++;
}

/* The write tap follows the observers: a port write raises its event while
   at least one observer is attached, none otherwise, and is decoded and
   counted either way. */
static void write_tap_follows_observers(void **state)
{
    (void)state;
    nd_hw *hw = new_hw();
    unsigned a[2] = {0, 0}, b[2] = {0, 0};
    const uint16_t port = reg_port(0, I8237_REG_ADDR0 + 6); /* channel 3's address */
    nd_hw_io_write8(hw, reg_port(0, I8237_REG_CLEAR_FF), 0);
    nd_hw_io_write8(hw, port, 0x12);
    const int ia = nd_observers_add(&hw->obs, count_event, a);
    assert_true(ia > 0);
    nd_hw_io_write8(hw, port, 0x34);
    const int ib = nd_observers_add(&hw->obs, count_event, b);
    assert_true(ib > 0);
    nd_hw_io_write8(hw, reg_port(0, I8237_REG_CLEAR_FF), 0);
    assert_int_equal(nd_observers_remove(&hw->obs, ia), 0);
    nd_hw_io_write8(hw, port, 0x56);
    assert_int_equal(nd_observers_remove(&hw->obs, ib), 0);
    nd_hw_io_write8(hw, port, 0x78);
    (void)nd_hw_io_read8(hw, port);
    assert_int_equal(a[0], 2);
    assert_int_equal(b[0], 2);
    assert_int_equal(a[1] + b[1], 0);
    assert_int_equal(hw->stats.io_writes, 6);
    assert_int_equal(hw->stats.io_reads, 1);
    assert_int_equal(hw->dma.ctl[0].base_addr[3], 0x7856);
    free_hw(hw);
}

/* The port events an observer saw, in order. */
typedef struct io_log {
    unsigned n;
    uint32_t ev[64]; /* kind << 24 | port << 8 | value */
} io_log;

static void log_event(void *ctx, const ndisdma_event *ev)
{
    io_log *l = ctx;
    if (l->n < 64)
        l->ev[l->n] = (uint32_t)ev->kind << 24 | (uint32_t)ev->port << 8 | ev->value;
    l->n++;
}

/* nd_hw_dma_write8 / nd_hw_dma_read8 are the bus's accesses: on two machines
   fed the same random accesses, one through them and one through
   nd_hw_io_write8 / nd_hw_io_read8, every read returns the same value and
   the controllers, page registers, arbitration generation and statistics
   (port counts, illegal accesses) stay equal; with observers attached the
   observers see the same events. The ports: both controllers' (controller
   2's odd ones, which it does not decode, included), the page registers,
   and a few that decode to nothing here. */
static void dma_port_accesses_equal_bus_accesses(void **state)
{
    (void)state;
    nd_hw *a = new_hw(), *b = new_hw();
    static const uint16_t others[] = {0x10, 0x7F, 0x90, 0xBF, 0xE0, 0x300};
    io_log la = {0}, lb = {0};
    int oa = 0, ob = 0;
    uint32_t seed = 11;
    for (unsigned step = 0; step < 60000; step++) {
        if (step == 40000) { /* the last part watched */
            oa = nd_observers_add(&a->obs, log_event, &la);
            ob = nd_observers_add(&b->obs, log_event, &lb);
            assert_true(oa > 0 && ob > 0);
        }
        uint16_t port;
        const unsigned pick = rnd(&seed) % 8u;
        if (pick < 3)
            port = (uint16_t)(AT_DMA1_BASE + rnd(&seed) % 16u);
        else if (pick < 6)
            port = (uint16_t)(AT_DMA2_BASE + rnd(&seed) % 32u);
        else if (pick < 7)
            port = (uint16_t)(AT_PAGE_BASE + rnd(&seed) % 16u);
        else
            port = others[rnd(&seed) % (sizeof others / sizeof others[0])];
        const uint8_t v = (uint8_t)rnd(&seed);
        if (rnd(&seed) & 1u) {
            /* Master clear masks everything: keep it rare. */
            if (nd_hw_dma_port_ctl(port) >= 0 &&
                nd_hw_dma_reg((unsigned)nd_hw_dma_port_ctl(port), port) == I8237_REG_MASTER_CLEAR &&
                (rnd(&seed) & 15u))
                continue;
            nd_hw_dma_write8(a, port, v);
            nd_hw_io_write8(b, port, v);
        } else {
            assert_int_equal(nd_hw_dma_read8(a, port), nd_hw_io_read8(b, port));
        }
        assert_memory_equal(a->dma.ctl, b->dma.ctl, sizeof a->dma.ctl);
        assert_memory_equal(a->dma.page, b->dma.page, sizeof a->dma.page);
        assert_int_equal(a->gen, b->gen);
        assert_memory_equal(&a->stats, &b->stats, sizeof a->stats);
    }
    assert_true(a->stats.io_writes > 20000 && a->stats.io_reads > 20000);
    assert_true(a->stats.illegal > 0); /* the undecoded ports were reported, both ways */
    assert_true(la.n > 1000);
    assert_int_equal(la.n, lb.n);
    assert_memory_equal(la.ev, lb.ev, sizeof la.ev);
    assert_int_equal(nd_observers_remove(&a->obs, oa), 0);
    assert_int_equal(nd_observers_remove(&b->obs, ob), 0);
    free_hw(a);
    free_hw(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(port_decoders_equal_register_decode),
        cmocka_unit_test(arbitration_equals_full_arbitration),
        cmocka_unit_test(single_port_decoders),
        cmocka_unit_test(write_tap_follows_observers),
        cmocka_unit_test(dma_port_accesses_equal_bus_accesses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
