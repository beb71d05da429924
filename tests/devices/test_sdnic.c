/*
 * Tests of the SD-1 NIC model (devices/sdnic.c, docs/devices/sdnic.md).
 *
 * Concept: each test builds a machine and a card, programs the 8237 through
 * its ports exactly as a HAL does (mask, flip-flop, mode, address, page,
 * count, unmask), drives the card through its own ports, and moves the data
 * with ndisdma_dma_run (no timing) or ndisdma_machine_run (virtual time).
 * The frames that leave the wire are kept by a tap, and received frames are
 * read back from simulated RAM, byte for byte. Invalid input comes first in
 * each group.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ndisdma/device.h>
#include <ndisdma/dma.h>
#include <ndisdma/errors.h>
#include <ndisdma/kernel.h>
#include <ndisdma/machine.h>

#include "sdnic.h"

/* ---- the 8237 through its ports ---- */

#define MODE_DEMAND   0x00
#define MODE_SINGLE   0x40
#define MODE_WRITE    0x04 /* device -> memory */
#define MODE_READ     0x08 /* memory -> device */
#define MODE_AUTOINIT 0x10

static const uint16_t page_port[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};

static uint16_t mask_port(unsigned ch)
{
    return ch >= 4 ? 0xD4 : 0x0A;
}
static uint16_t mode_port(unsigned ch)
{
    return ch >= 4 ? 0xD6 : 0x0B;
}
static uint16_t ff_port(unsigned ch)
{
    return ch >= 4 ? 0xD8 : 0x0C;
}
static uint16_t addr_port(unsigned ch)
{
    return ch >= 4 ? (uint16_t)(0xC0 + 4 * (ch & 3)) : (uint16_t)(2 * ch);
}
static uint16_t count_port(unsigned ch)
{
    return ch >= 4 ? (uint16_t)(0xC2 + 4 * (ch & 3)) : (uint16_t)(2 * ch + 1);
}

/* Program @ch for @bytes bytes at @phys (whole words on 5-7) and unmask. */
static void dma_program(ndisdma_machine *m, unsigned ch, uint8_t mode, uint64_t phys,
                        uint32_t bytes)
{
    const bool wide = ch >= 4;
    const uint32_t units = wide ? (bytes + 1) / 2 : bytes;
    const uint16_t addr = (uint16_t)(wide ? phys >> 1 : phys);
    const uint8_t page = (uint8_t)((phys >> 16) & (wide ? 0xFE : 0xFF));
    ndisdma_io_write8(m, mask_port(ch), (uint8_t)(4 | (ch & 3)));
    ndisdma_io_write8(m, ff_port(ch), 0);
    ndisdma_io_write8(m, mode_port(ch), (uint8_t)(mode | (ch & 3)));
    ndisdma_io_write8(m, addr_port(ch), (uint8_t)addr);
    ndisdma_io_write8(m, addr_port(ch), (uint8_t)(addr >> 8));
    ndisdma_io_write8(m, page_port[ch], page);
    ndisdma_io_write8(m, ff_port(ch), 0);
    ndisdma_io_write8(m, count_port(ch), (uint8_t)(units - 1));
    ndisdma_io_write8(m, count_port(ch), (uint8_t)((units - 1) >> 8));
    ndisdma_io_write8(m, mask_port(ch), (uint8_t)(ch & 3));
}

/* Bytes not transferred, as NdisMReadDmaCounter computes them: (count + 1)
   units modulo 65,536, times 2 on 5-7. */
static uint32_t dma_residual(ndisdma_machine *m, unsigned ch)
{
    ndisdma_io_write8(m, ff_port(ch), 0);
    const uint8_t lo = ndisdma_io_read8(m, count_port(ch));
    const uint8_t hi = ndisdma_io_read8(m, count_port(ch));
    const uint32_t units = ((uint32_t)(lo | (hi << 8)) + 1u) & 0xFFFFu;
    return ch >= 4 ? units * 2 : units;
}

/* ---- fixture ---- */

#define TAP_MAX 64

typedef struct tap {
    size_t n;
    uint64_t t[TAP_MAX];
    size_t len[TAP_MAX];
    uint8_t frame[TAP_MAX][SDNIC_MAX_FRAME];
} tap;

static void tap_fn(void *ctx, const uint8_t *frame, size_t len, uint64_t t_ns)
{
    tap *tp = ctx;
    assert_true(tp->n < TAP_MAX);
    tp->t[tp->n] = t_ns;
    tp->len[tp->n] = len;
    memcpy(tp->frame[tp->n], frame, len);
    tp->n++;
}

typedef struct fx {
    ndisdma_machine *m;
    sdnic *nic;
    sdnic_config cfg;
    tap tap;
} fx;

#define BASE    0x300
#define TX_BUF  0x10000u /* physical buffers, below 16 MiB, 64 KiB aligned */
#define RX_BUF  0x20000u
#define PAD_VAL 0xEE

static ndisdma_machine *new_machine(void)
{
    ndisdma_machine *m = NULL;
    assert_int_equal(ndisdma_machine_create(NULL, &m), 0);
    return m;
}

/* A card with @cfg_fn applied to the defaults (tap attached, rate 0). */
static fx *fx_new(unsigned ch, uint64_t rate)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->m = new_machine();
    sdnic_config_init(&f->cfg);
    f->cfg.dma_channel = ch;
    f->cfg.line_rate_bps = rate;
    f->cfg.on_wire = tap_fn;
    f->cfg.wire_ctx = &f->tap;
    assert_int_equal(sdnic_create(f->m, &f->cfg, &f->nic), 0);
    return f;
}

/* Free @f; the card never made the hardware record an illegal access (an
   EOP outside service, a DREQ on a bad channel, ...). */
static void fx_free(fx *f)
{
    ndisdma_hw_stats hs;
    assert_int_equal(ndisdma_hw_get_stats(f->m, &hs), 0);
    assert_int_equal(hs.illegal, 0);
    sdnic_destroy(f->nic);
    ndisdma_machine_destroy(f->m);
    free(f);
}

static uint8_t rd(fx *f, unsigned reg)
{
    return ndisdma_io_read8(f->m, (uint16_t)(f->cfg.io_base + reg));
}
static void wr(fx *f, unsigned reg, uint8_t v)
{
    ndisdma_io_write8(f->m, (uint16_t)(f->cfg.io_base + reg), v);
}

static void pattern(uint8_t *p, size_t len, unsigned seed)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(i * 131u + (i >> 8) * 71u + seed * 29u + 1u);
}

/* Write @len bytes of frame into RAM at TX_BUF, program the channel for
   @dma_len bytes, set TXLEN and TX_GO. Does not run DMA. */
static void tx_start(fx *f, const uint8_t *frame, size_t len, uint32_t dma_len)
{
    const unsigned ch = f->cfg.dma_channel;
    assert_int_equal(ndisdma_phys_write(f->m, TX_BUF, frame, len), 0);
    dma_program(f->m, ch, MODE_DEMAND | MODE_READ, TX_BUF, dma_len);
    wr(f, SDNIC_REG_TXLEN_LO, (uint8_t)len);
    wr(f, SDNIC_REG_TXLEN_HI, (uint8_t)(len >> 8));
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_TX_GO);
}

/* Fill the receive buffer with PAD_VAL, program it for @buf_len bytes and
   RX_GO. Does not run DMA. */
static void rx_start(fx *f, uint32_t buf_len)
{
    uint8_t fill[4096];
    memset(fill, PAD_VAL, sizeof fill);
    assert_int_equal(ndisdma_phys_write(f->m, RX_BUF, fill, sizeof fill), 0);
    dma_program(f->m, f->cfg.dma_channel, MODE_DEMAND | MODE_WRITE, RX_BUF, buf_len);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_GO);
}

static void expect_ram(fx *f, uint64_t phys, const uint8_t *exp, size_t len)
{
    uint8_t got[4096];
    assert_true(len <= sizeof got);
    assert_int_equal(ndisdma_phys_read(f->m, phys, got, len), 0);
    assert_memory_equal(got, exp, len);
}

static sdnic_stats stats(const fx *f)
{
    sdnic_stats s;
    assert_int_equal(sdnic_get_stats(f->nic, &s), 0);
    return s;
}

static uint64_t irq_edges(const fx *f)
{
    ndisdma_irq_stats s;
    assert_int_equal(ndisdma_irq_get_stats(f->m, &s), 0);
    return s.requests[f->cfg.irq] + s.merged[f->cfg.irq];
}

static bool irq_level(const fx *f)
{
    ndisdma_irq_stats s;
    assert_int_equal(ndisdma_irq_get_stats(f->m, &s), 0);
    return (s.level >> f->cfg.irq) & 1;
}

/* Observer events by kind. */
typedef struct evcount {
    size_t n[32];
} evcount;

static void count_event(void *ctx, const ndisdma_event *ev)
{
    evcount *c = ctx;
    if ((unsigned)ev->kind < 32)
        c->n[ev->kind]++;
}

/* ---- creation ---- */

static void test_create_rejects_invalid_config(void **state)
{
    (void)state;
    ndisdma_machine *m = new_machine();
    sdnic *n = (sdnic *)(uintptr_t)1;
    sdnic_config c;

    assert_int_equal(sdnic_create(NULL, NULL, &n), NDISDMA_EINVAL);
    assert_null(n);
    assert_int_equal(sdnic_create(m, NULL, NULL), NDISDMA_EINVAL);

    const unsigned bad_channels[] = {4, 8, 100};
    for (size_t i = 0; i < sizeof bad_channels / sizeof bad_channels[0]; i++) {
        sdnic_config_init(&c);
        c.dma_channel = bad_channels[i];
        assert_int_equal(sdnic_create(m, &c, &n), NDISDMA_EINVAL);
        assert_null(n);
    }
    const unsigned bad_irqs[] = {2, 16, 255};
    for (size_t i = 0; i < sizeof bad_irqs / sizeof bad_irqs[0]; i++) {
        sdnic_config_init(&c);
        c.irq = bad_irqs[i];
        assert_int_equal(sdnic_create(m, &c, &n), NDISDMA_EINVAL);
    }
    sdnic_config_init(&c);
    c.io_base = 0xFFE1; /* 0x20 ports would pass 0xFFFF */
    assert_int_equal(sdnic_create(m, &c, &n), NDISDMA_EINVAL);
    sdnic_config_init(&c);
    c.rx_fifo_frames = 0;
    assert_int_equal(sdnic_create(m, &c, &n), NDISDMA_EINVAL);
    sdnic_config_init(&c);
    c.tx_fifo_frames = 0;
    assert_int_equal(sdnic_create(m, &c, &n), NDISDMA_EINVAL);
    assert_null(n);

    /* Nothing was claimed by the failures: the defaults still fit. */
    sdnic_config_init(&c);
    assert_int_equal(sdnic_create(m, &c, &n), 0);
    assert_non_null(n);
    sdnic_destroy(n);
    ndisdma_machine_destroy(m);
}

static void test_create_busy_leaves_nothing_behind(void **state)
{
    (void)state;
    ndisdma_machine *m = new_machine();
    sdnic *a = NULL, *b = (sdnic *)(uintptr_t)1;
    sdnic_config c;
    sdnic_config_init(&c);
    assert_int_equal(sdnic_create(m, &c, &a), 0);

    /* Same ports, other channel: ports taken. */
    c.dma_channel = 1;
    assert_int_equal(sdnic_create(m, &c, &b), NDISDMA_EBUSY);
    assert_null(b);
    /* Other ports, same channel: the channel is taken, and the ports mapped
       before the failure are released again. */
    sdnic_config_init(&c);
    c.io_base = 0x340;
    assert_int_equal(sdnic_create(m, &c, &b), NDISDMA_EBUSY);
    assert_int_equal(ndisdma_io_read8(m, 0x340 + SDNIC_REG_ID), 0xFF);
    c.dma_channel = 1;
    assert_int_equal(sdnic_create(m, &c, &b), 0);
    assert_int_equal(ndisdma_io_read8(m, 0x340 + SDNIC_REG_ID), SDNIC_ID);

    /* Destroy releases ports and channel: a new card takes them. */
    sdnic_destroy(a);
    assert_int_equal(ndisdma_io_read8(m, 0x300 + SDNIC_REG_ID), 0xFF);
    sdnic_config_init(&c);
    assert_int_equal(sdnic_create(m, &c, &a), 0);
    sdnic_destroy(a);
    sdnic_destroy(b);
    sdnic_destroy(NULL);
    ndisdma_machine_destroy(m);
}

static void test_config_init_defaults_and_resources(void **state)
{
    (void)state;
    sdnic_config c;
    memset(&c, 0xA5, sizeof c);
    sdnic_config_init(&c);
    assert_int_equal(c.io_base, 0x300);
    assert_int_equal(c.irq, 10);
    assert_int_equal(c.dma_channel, 3);
    assert_int_equal(c.line_rate_bps, 10000000u);
    assert_true(c.loopback);
    const uint8_t mac[6] = {0x02, 0x00, 0x5D, 0x00, 0x00, 0x01};
    assert_memory_equal(c.mac, mac, 6);
    assert_int_equal(c.rx_fifo_frames, 16);
    assert_int_equal(c.tx_fifo_frames, 2);
    assert_null(c.on_wire);

    ndisdma_machine *m = new_machine();
    sdnic *n = NULL;
    assert_int_equal(sdnic_create(m, NULL, &n), 0);
    int ch = -1, irq = -1;
    uint16_t base = 0, len = 0;
    sdnic_resources_of(NULL, &ch, &irq, &base, &len); /* no-op */
    assert_int_equal(ch, -1);
    sdnic_resources_of(n, &ch, &irq, &base, &len);
    assert_int_equal(ch, 3);
    assert_int_equal(irq, 10);
    assert_int_equal(base, 0x300);
    assert_int_equal(len, SDNIC_IO_LENGTH);
    sdnic_stats s;
    assert_int_equal(sdnic_get_stats(NULL, &s), NDISDMA_EINVAL);
    assert_int_equal(sdnic_get_stats(n, NULL), NDISDMA_EINVAL);
    assert_int_equal(sdnic_get_stats(n, &s), 0);
    assert_int_equal(s.tx_frames + s.rx_frames + s.irqs, 0);
    sdnic_destroy(n);
    ndisdma_machine_destroy(m);
}

/* ---- registers ---- */

static void test_registers_power_on_state(void **state)
{
    (void)state;
    fx *f = fx_new(3, 10000000u);
    assert_int_equal(rd(f, SDNIC_REG_ID), SDNIC_ID);
    assert_int_equal(rd(f, SDNIC_REG_CMD), SDNIC_ST_LINK); /* loopback: link up, RX off */
    assert_int_equal(rd(f, SDNIC_REG_ISR), 0);
    assert_int_equal(rd(f, SDNIC_REG_IMR), 0);
    assert_int_equal(rd(f, SDNIC_REG_CONFIG), SDNIC_CFG_LOOPBACK);
    assert_int_equal(rd(f, SDNIC_REG_RXLEN_LO), 0);
    assert_int_equal(rd(f, SDNIC_REG_RXLEN_HI), 0);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 0);
    assert_int_equal(rd(f, SDNIC_REG_RXSTAT), 0);
    assert_int_equal(rd(f, SDNIC_REG_WIDTH), 1);
    /* 10,000 kbit/s = 0x2710, little-endian. */
    assert_int_equal(rd(f, SDNIC_REG_RATE0), 0x10);
    assert_int_equal(rd(f, SDNIC_REG_RATE1), 0x27);
    assert_int_equal(rd(f, SDNIC_REG_RATE2), 0);
    assert_int_equal(rd(f, SDNIC_REG_RATE3), 0);
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(rd(f, SDNIC_REG_MAC0 + i), f->cfg.mac[i]);
    for (unsigned r = 0x16; r < SDNIC_IO_LENGTH; r++)
        assert_int_equal(rd(f, r), 0xFF);
    assert_false(irq_level(f));
    fx_free(f);

    f = fx_new(5, 0);
    assert_int_equal(rd(f, SDNIC_REG_WIDTH), 2);
    for (unsigned r = SDNIC_REG_RATE0; r <= SDNIC_REG_RATE3; r++)
        assert_int_equal(rd(f, r), 0);
    fx_free(f);

    f = fx_new(7, 100000000000ull); /* 100 Gbit/s: 100,000,000 kbit/s = 0x05F5E100 */
    assert_int_equal(rd(f, SDNIC_REG_RATE0), 0x00);
    assert_int_equal(rd(f, SDNIC_REG_RATE1), 0xE1);
    assert_int_equal(rd(f, SDNIC_REG_RATE2), 0xF5);
    assert_int_equal(rd(f, SDNIC_REG_RATE3), 0x05);
    fx_free(f);
}

static void test_registers_writes(void **state)
{
    (void)state;
    fx *f = fx_new(3, 0);
    /* Read-only and unused registers ignore writes. */
    const unsigned ro[] = {SDNIC_REG_RXLEN_LO,
                           SDNIC_REG_RXLEN_HI,
                           SDNIC_REG_RXCOUNT,
                           SDNIC_REG_ID,
                           SDNIC_REG_RATE0,
                           SDNIC_REG_RXSTAT,
                           SDNIC_REG_WIDTH,
                           0x16,
                           0x1F};
    for (size_t i = 0; i < sizeof ro / sizeof ro[0]; i++)
        wr(f, ro[i], 0x5A);
    assert_int_equal(rd(f, SDNIC_REG_ID), SDNIC_ID);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 0);
    assert_int_equal(rd(f, SDNIC_REG_WIDTH), 1);
    assert_int_equal(rd(f, 0x16), 0xFF);
    assert_int_equal(rd(f, SDNIC_REG_RATE0), 0);

    /* MAC, TXLEN, CONFIG, IMR read back what was written (defined bits). */
    for (unsigned i = 0; i < 6; i++)
        wr(f, SDNIC_REG_MAC0 + i, (uint8_t)(0x10 + i));
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(rd(f, SDNIC_REG_MAC0 + i), 0x10 + i);
    wr(f, SDNIC_REG_TXLEN_LO, 0xEA);
    wr(f, SDNIC_REG_TXLEN_HI, 0x05);
    assert_int_equal(rd(f, SDNIC_REG_TXLEN_LO), 0xEA);
    assert_int_equal(rd(f, SDNIC_REG_TXLEN_HI), 0x05);
    wr(f, SDNIC_REG_CONFIG, 0xFE); /* reserved bits read 0 */
    assert_int_equal(rd(f, SDNIC_REG_CONFIG), 0);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_LINK, 0);
    wr(f, SDNIC_REG_IMR, 0xFF);
    assert_int_equal(rd(f, SDNIC_REG_IMR), SDNIC_ISR_ALL);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_RX_ON, SDNIC_ST_RX_ON);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_DISABLE);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_RX_ON, 0);

    /* RESET: power-on state again, MAC and loopback from the config. */
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RESET);
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(rd(f, SDNIC_REG_MAC0 + i), f->cfg.mac[i]);
    assert_int_equal(rd(f, SDNIC_REG_CONFIG), SDNIC_CFG_LOOPBACK);
    assert_int_equal(rd(f, SDNIC_REG_IMR), 0);
    assert_int_equal(rd(f, SDNIC_REG_TXLEN_LO), 0);
    assert_int_equal(rd(f, SDNIC_REG_CMD), SDNIC_ST_LINK);
    fx_free(f);
}

/* ---- receive FIFO and inject ---- */

static void test_inject_rejects_invalid_and_follows_receiver_state(void **state)
{
    (void)state;
    fx *f = fx_new(3, 0);
    uint8_t fr[SDNIC_MAX_FRAME + 1];
    pattern(fr, sizeof fr, 1);
    assert_int_equal(sdnic_inject(NULL, fr, 60), NDISDMA_EINVAL);
    assert_int_equal(sdnic_inject(f->nic, NULL, 60), NDISDMA_EINVAL);
    assert_int_equal(sdnic_inject(f->nic, fr, 0), NDISDMA_EINVAL);
    assert_int_equal(sdnic_inject(f->nic, fr, SDNIC_MAX_FRAME + 1), NDISDMA_EINVAL);

    /* Receiver disabled after power-on: dropped and counted. */
    assert_int_equal(sdnic_inject(f->nic, fr, 60), NDISDMA_ESTATE);
    assert_int_equal(stats(f).rx_disabled_drops, 1);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 0);
    assert_int_equal(rd(f, SDNIC_REG_ISR), 0);

    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    assert_int_equal(sdnic_inject(f->nic, fr, SDNIC_MAX_FRAME), 0);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_RX_READY);
    assert_int_equal(rd(f, SDNIC_REG_RXLEN_LO), SDNIC_MAX_FRAME & 0xFF);
    assert_int_equal(rd(f, SDNIC_REG_RXLEN_HI), SDNIC_MAX_FRAME >> 8);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_RX_AVAIL, SDNIC_ST_RX_AVAIL);

    /* A frame into a non-empty FIFO sets no new RX_READY. */
    wr(f, SDNIC_REG_ISR, SDNIC_ISR_RX_READY);
    assert_int_equal(sdnic_inject(f->nic, fr, 1), 0);
    assert_int_equal(rd(f, SDNIC_REG_ISR), 0);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 2);
    assert_int_equal(rd(f, SDNIC_REG_RXLEN_LO), SDNIC_MAX_FRAME & 0xFF); /* still the head */

    /* Full FIFO: overrun. */
    for (unsigned i = 2; i < f->cfg.rx_fifo_frames; i++)
        assert_int_equal(sdnic_inject(f->nic, fr, 64), 0);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), f->cfg.rx_fifo_frames);
    assert_int_equal(sdnic_inject(f->nic, fr, 64), NDISDMA_ENOSPC);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_RX_OVERRUN);
    assert_int_equal(stats(f).rx_overruns, 1);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), f->cfg.rx_fifo_frames);

    /* Disabling the receiver keeps the frames already in the FIFO. */
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_DISABLE);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), f->cfg.rx_fifo_frames);
    fx_free(f);
}

static void test_rxcount_saturates_at_255(void **state)
{
    (void)state;
    ndisdma_machine *m = new_machine();
    sdnic_config c;
    sdnic_config_init(&c);
    c.rx_fifo_frames = 300;
    sdnic *n = NULL;
    assert_int_equal(sdnic_create(m, &c, &n), 0);
    ndisdma_io_write8(m, c.io_base + SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    uint8_t fr[16];
    pattern(fr, sizeof fr, 21);
    for (int i = 0; i < 254; i++)
        assert_int_equal(sdnic_inject(n, fr, sizeof fr), 0);
    assert_int_equal(ndisdma_io_read8(m, c.io_base + SDNIC_REG_RXCOUNT), 254);
    for (int i = 254; i < 300; i++)
        assert_int_equal(sdnic_inject(n, fr, sizeof fr), 0);
    assert_int_equal(ndisdma_io_read8(m, c.io_base + SDNIC_REG_RXCOUNT), 255);
    assert_int_equal(sdnic_inject(n, fr, sizeof fr), NDISDMA_ENOSPC);
    sdnic_destroy(n);
    ndisdma_machine_destroy(m);
}

/* ---- IRQ edges ---- */

static void test_irq_line_follows_enabled_causes_with_fresh_edge_on_ack(void **state)
{
    (void)state;
    fx *f = fx_new(3, 0);
    uint8_t fr[64];
    pattern(fr, sizeof fr, 2);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);

    /* A cause with IMR 0: no edge, line low. */
    assert_int_equal(sdnic_inject(f->nic, fr, 60), 0);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_RX_READY);
    assert_false(irq_level(f));
    assert_int_equal(irq_edges(f), 0);

    /* Enabling it raises the line: one edge. */
    wr(f, SDNIC_REG_IMR, SDNIC_ISR_ALL);
    assert_true(irq_level(f));
    assert_int_equal(irq_edges(f), 1);
    assert_int_equal(stats(f).irqs, 1);

    /* A cause set while the line is high: no new edge. */
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_GO | SDNIC_CMD_TX_GO); /* TX_GO: TXLEN 0, refused */
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_RX_READY | SDNIC_ISR_TX_ERR);
    assert_int_equal(irq_edges(f), 1);

    /* Writing 0 or a bit that is not set clears nothing: no edge. */
    wr(f, SDNIC_REG_ISR, 0);
    wr(f, SDNIC_REG_ISR, SDNIC_ISR_RX_DONE);
    assert_int_equal(irq_edges(f), 1);

    /* Acknowledging one cause while another remains: a fresh edge. */
    wr(f, SDNIC_REG_ISR, SDNIC_ISR_TX_ERR);
    assert_true(irq_level(f));
    assert_int_equal(irq_edges(f), 2);
    assert_int_equal(stats(f).irqs, 2);

    /* Masking the remaining cause lowers the line. */
    wr(f, SDNIC_REG_IMR, 0);
    assert_false(irq_level(f));
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_RX_READY);
    /* Unmasking it again: a new edge. */
    wr(f, SDNIC_REG_IMR, SDNIC_ISR_RX_READY);
    assert_true(irq_level(f));
    assert_int_equal(irq_edges(f), 3);

    /* IMR write that masks one pending cause while another stays enabled:
       a fresh edge; one that only adds an enabled cause: none. */
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_TX_GO); /* TX_ERR again, line already high */
    wr(f, SDNIC_REG_IMR, SDNIC_ISR_RX_READY | SDNIC_ISR_TX_ERR);
    assert_int_equal(irq_edges(f), 3);
    wr(f, SDNIC_REG_IMR, SDNIC_ISR_RX_READY);
    assert_int_equal(irq_edges(f), 4);

    /* Acknowledging everything lowers the line. */
    wr(f, SDNIC_REG_ISR, 0xFF);
    assert_false(irq_level(f));
    assert_int_equal(rd(f, SDNIC_REG_ISR), 0);
    assert_int_equal(irq_edges(f), 4);

    /* RESET drops the line. */
    wr(f, SDNIC_REG_IMR, SDNIC_ISR_ALL);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_TX_GO);
    assert_true(irq_level(f));
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RESET);
    assert_false(irq_level(f));
    assert_int_equal(stats(f).irqs, irq_edges(f));
    fx_free(f);
}

/* ---- transmit and receive ---- */

/* Send @len bytes on @f's channel in loopback, receive them into a buffer of
   @buf_len bytes; check every byte, the status, the counter residual and the
   pad byte. */
static void loopback_one(fx *f, size_t len, uint32_t buf_len, unsigned seed)
{
    const unsigned ch = f->cfg.dma_channel;
    const bool wide = ch >= 4;
    uint8_t fr[SDNIC_MAX_FRAME];
    pattern(fr, len, seed);
    const sdnic_stats s0 = stats(f);
    const size_t tap0 = f->tap.n;

    tx_start(f, fr, len, (uint32_t)len);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_TX_DMA, SDNIC_ST_TX_DMA);
    ndisdma_dma_run(f->m, 0);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_TX_DMA, 0);
    assert_int_equal(rd(f, SDNIC_REG_ISR) & (SDNIC_ISR_TX_DONE | SDNIC_ISR_TX_ERR),
                     SDNIC_ISR_TX_DONE);
    assert_int_equal(dma_residual(f->m, ch), 0); /* terminal count */
    assert_int_equal(f->tap.n, tap0 + 1);
    assert_int_equal(f->tap.len[tap0], len);
    assert_memory_equal(f->tap.frame[tap0], fr, len);
    assert_int_equal(rd(f, SDNIC_REG_RXLEN_LO) | (rd(f, SDNIC_REG_RXLEN_HI) << 8), len);
    wr(f, SDNIC_REG_ISR, 0xFF);

    rx_start(f, buf_len);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_RX_DMA, SDNIC_ST_RX_DMA);
    ndisdma_dma_run(f->m, 0);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_RX_DMA, 0);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_RX_DONE);
    const uint8_t rs = rd(f, SDNIC_REG_RXSTAT);
    const bool odd = wide && (len & 1);
    assert_int_equal(rs, SDNIC_RXS_OK | (odd ? SDNIC_RXS_ODD : 0));
    expect_ram(f, RX_BUF, fr, len);
    /* The driver's arithmetic (docs/devices/sdnic.md): bytes moved =
       programmed length - residual; minus 1 when RXS_ODD. */
    const uint32_t moved = buf_len - dma_residual(f->m, ch);
    assert_int_equal(moved - ((rs & SDNIC_RXS_ODD) ? 1 : 0), len);
    /* 16-bit odd: the pad byte is 0; past the words moved RAM is untouched. */
    uint8_t after[2];
    assert_int_equal(ndisdma_phys_read(f->m, RX_BUF + len, after, 2), 0);
    if (odd) {
        assert_int_equal(after[0], 0);
        assert_int_equal(after[1], PAD_VAL);
    } else if (buf_len > len) {
        assert_int_equal(after[0], PAD_VAL);
    }
    wr(f, SDNIC_REG_ISR, 0xFF);

    const sdnic_stats s1 = stats(f);
    assert_int_equal(s1.tx_frames, s0.tx_frames + 1);
    assert_int_equal(s1.tx_bytes, s0.tx_bytes + len);
    assert_int_equal(s1.rx_frames, s0.rx_frames + 1);
    assert_int_equal(s1.rx_bytes, s0.rx_bytes + len);
    const uint64_t units = wide ? (len + 1) / 2 : len;
    assert_int_equal(s1.dma_units, s0.dma_units + 2 * units);
}

static void test_loopback_8bit_byte_for_byte_odd_and_even(void **state)
{
    (void)state;
    fx *f = fx_new(3, 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    const size_t lens[] = {SDNIC_MIN_FRAME, 2, 59, 60, 64, 1001, SDNIC_MAX_FRAME - 1,
                           SDNIC_MAX_FRAME};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        loopback_one(f, lens[i], (uint32_t)lens[i], (unsigned)i);     /* TC at frame end */
        loopback_one(f, lens[i], SDNIC_MAX_FRAME, (unsigned)i + 100); /* EOP before TC */
    }
    fx_free(f);
}

static void test_loopback_16bit_words_odd_and_even(void **state)
{
    (void)state;
    const unsigned chans[] = {5, 7};
    for (size_t c = 0; c < 2; c++) {
        fx *f = fx_new(chans[c], 0);
        wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
        const size_t lens[] = {1, 2, 3, 61, 64, 1513, SDNIC_MAX_FRAME};
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            /* Buffer of whole words that ends with the frame: TC at the end. */
            loopback_one(f, lens[i], (uint32_t)((lens[i] + 1) & ~(size_t)1), (unsigned)i);
            loopback_one(f, lens[i], SDNIC_MAX_FRAME, (unsigned)i + 50); /* EOP before TC */
        }
        fx_free(f);
    }
}

static void test_loopback_single_mode_one_unit_per_call(void **state)
{
    (void)state;
    fx *f = fx_new(1, 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    uint8_t fr[100];
    pattern(fr, sizeof fr, 9);
    assert_int_equal(ndisdma_phys_write(f->m, TX_BUF, fr, sizeof fr), 0);
    dma_program(f->m, 1, MODE_SINGLE | MODE_READ, TX_BUF, sizeof fr);
    wr(f, SDNIC_REG_TXLEN_LO, sizeof fr);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_TX_GO);
    assert_int_equal(ndisdma_dma_run(f->m, 0), sizeof fr);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_TX_DONE | SDNIC_ISR_RX_READY);
    dma_program(f->m, 1, MODE_SINGLE | MODE_WRITE, RX_BUF, 200);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_GO);
    assert_int_equal(ndisdma_dma_run(f->m, 0), sizeof fr);
    expect_ram(f, RX_BUF, fr, sizeof fr);
    assert_int_equal(dma_residual(f->m, 1), 100);
    assert_int_equal(rd(f, SDNIC_REG_RXSTAT), SDNIC_RXS_OK);
    fx_free(f);
}

static void test_rx_eop_before_tc_leaves_residual_count(void **state)
{
    (void)state;
    fx *f = fx_new(3, 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    uint8_t fr[300];
    pattern(fr, sizeof fr, 3);
    assert_int_equal(sdnic_inject(f->nic, fr, sizeof fr), 0);
    evcount ec = {{0}};
    const int obs = ndisdma_observer_add(f->m, count_event, &ec);
    assert_true(obs > 0);
    rx_start(f, 1000);
    assert_int_equal(ndisdma_dma_run(f->m, 0), 300);
    assert_int_equal(ec.n[NDISDMA_EV_EOP], 1);
    assert_int_equal(ec.n[NDISDMA_EV_TC], 0);
    assert_int_equal(ndisdma_observer_remove(f->m, obs), 0);
    ndisdma_dma_channel_state cs;
    assert_int_equal(ndisdma_dma_get_channel(f->m, 3, &cs), 0);
    /* The transfer ended by EOP: masked, TC status set, count left at the
       units not moved minus one. */
    assert_true(cs.masked);
    assert_true(cs.terminal_count);
    assert_false(cs.dreq);
    assert_int_equal(cs.current_count, 1000 - 300 - 1);
    assert_int_equal(dma_residual(f->m, 3), 700);
    assert_int_equal(rd(f, SDNIC_REG_RXSTAT), SDNIC_RXS_OK);
    expect_ram(f, RX_BUF, fr, sizeof fr);
    fx_free(f);

    /* 16-bit, odd frame: 151 bytes move as 76 words. */
    f = fx_new(6, 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    assert_int_equal(sdnic_inject(f->nic, fr, 151), 0);
    rx_start(f, 1000);
    assert_int_equal(ndisdma_dma_run(f->m, 0), 76);
    assert_int_equal(dma_residual(f->m, 6), 1000 - 152);
    assert_int_equal(rd(f, SDNIC_REG_RXSTAT), SDNIC_RXS_OK | SDNIC_RXS_ODD);
    expect_ram(f, RX_BUF, fr, 151);
    fx_free(f);
}

static void test_rx_frame_end_at_tc_pulses_no_eop(void **state)
{
    (void)state;
    const unsigned chans[] = {2, 6};
    for (size_t c = 0; c < 2; c++) {
        fx *f = fx_new(chans[c], 0);
        wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
        uint8_t fr[256];
        pattern(fr, sizeof fr, 20);
        assert_int_equal(sdnic_inject(f->nic, fr, sizeof fr), 0);
        evcount ec = {{0}};
        const int obs = ndisdma_observer_add(f->m, count_event, &ec);
        rx_start(f, sizeof fr);
        ndisdma_dma_run(f->m, 0);
        assert_int_equal(ec.n[NDISDMA_EV_EOP], 0);
        assert_int_equal(ec.n[NDISDMA_EV_TC], 1);
        assert_int_equal(rd(f, SDNIC_REG_RXSTAT), SDNIC_RXS_OK);
        assert_int_equal(dma_residual(f->m, chans[c]), 0);
        expect_ram(f, RX_BUF, fr, sizeof fr);
        assert_int_equal(ndisdma_observer_remove(f->m, obs), 0);
        fx_free(f);
    }
}

static void test_rx_truncated_at_tc_drops_rest_of_frame(void **state)
{
    (void)state;
    fx *f = fx_new(3, 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    uint8_t fr[500], nx[40];
    pattern(fr, sizeof fr, 4);
    pattern(nx, sizeof nx, 5);
    assert_int_equal(sdnic_inject(f->nic, fr, sizeof fr), 0);
    assert_int_equal(sdnic_inject(f->nic, nx, sizeof nx), 0);
    wr(f, SDNIC_REG_ISR, 0xFF);
    evcount ec = {{0}};
    const int obs = ndisdma_observer_add(f->m, count_event, &ec);
    rx_start(f, 200);
    assert_int_equal(ndisdma_dma_run(f->m, 0), 200);
    assert_int_equal(ec.n[NDISDMA_EV_EOP], 0);
    assert_int_equal(ec.n[NDISDMA_EV_TC], 1);
    assert_int_equal(ndisdma_observer_remove(f->m, obs), 0);
    assert_int_equal(rd(f, SDNIC_REG_RXSTAT), SDNIC_RXS_TRUNCATED);
    assert_int_equal(rd(f, SDNIC_REG_ISR),
                     SDNIC_ISR_RX_DONE | SDNIC_ISR_RX_ERR | SDNIC_ISR_RX_READY);
    assert_int_equal(dma_residual(f->m, 3), 0);
    expect_ram(f, RX_BUF, fr, 200);
    uint8_t b;
    assert_int_equal(ndisdma_phys_read(f->m, RX_BUF + 200, &b, 1), 0);
    assert_int_equal(b, PAD_VAL);
    /* The rest of the frame is gone: the next frame is at the head. */
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 1);
    assert_int_equal(rd(f, SDNIC_REG_RXLEN_LO), sizeof nx);
    sdnic_stats s = stats(f);
    assert_int_equal(s.rx_truncated, 1);
    assert_int_equal(s.rx_errors, 1);
    assert_int_equal(s.rx_frames, 0);
    wr(f, SDNIC_REG_ISR, 0xFF);
    rx_start(f, 1000);
    ndisdma_dma_run(f->m, 0);
    expect_ram(f, RX_BUF, nx, sizeof nx);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_RX_DONE); /* FIFO empty: no RX_READY */
    fx_free(f);
}

static void test_rx_go_refused_when_empty_or_busy(void **state)
{
    (void)state;
    fx *f = fx_new(3, 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_GO);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_RX_ERR);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_RX_DMA, 0);
    ndisdma_dma_channel_state cs;
    assert_int_equal(ndisdma_dma_get_channel(f->m, 3, &cs), 0);
    assert_false(cs.dreq);
    wr(f, SDNIC_REG_ISR, 0xFF);

    uint8_t fr[64];
    pattern(fr, sizeof fr, 6);
    assert_int_equal(sdnic_inject(f->nic, fr, sizeof fr), 0);
    wr(f, SDNIC_REG_ISR, 0xFF);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_GO);
    assert_int_equal(ndisdma_dma_get_channel(f->m, 3, &cs), 0);
    assert_true(cs.dreq);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_GO); /* busy */
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_RX_ERR);
    wr(f, SDNIC_REG_TXLEN_LO, 60);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_TX_GO); /* busy: shared channel */
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_RX_ERR | SDNIC_ISR_TX_ERR);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & (SDNIC_ST_RX_DMA | SDNIC_ST_TX_DMA), SDNIC_ST_RX_DMA);
    assert_int_equal(stats(f).rx_errors, 2);
    assert_int_equal(stats(f).tx_errors, 1);
    fx_free(f);
}

static void test_tx_go_refused_bad_length_busy_or_fifo_full(void **state)
{
    (void)state;
    fx *f = fx_new(3, 10000000u);          /* frames wait for the wire */
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_TX_GO); /* TXLEN 0 */
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_TX_ERR);
    wr(f, SDNIC_REG_ISR, 0xFF);
    wr(f, SDNIC_REG_TXLEN_LO, (SDNIC_MAX_FRAME + 1) & 0xFF);
    wr(f, SDNIC_REG_TXLEN_HI, (SDNIC_MAX_FRAME + 1) >> 8);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_TX_GO);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_TX_ERR);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_TX_DMA, 0);
    wr(f, SDNIC_REG_ISR, 0xFF);

    uint8_t fr[100];
    pattern(fr, sizeof fr, 7);
    tx_start(f, fr, sizeof fr, sizeof fr);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_TX_GO); /* busy */
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_TX_ERR);
    wr(f, SDNIC_REG_ISR, 0xFF);
    ndisdma_dma_run(f->m, 0);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_TX_DONE);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_TX_FULL, 0);
    tx_start(f, fr, sizeof fr, sizeof fr);
    ndisdma_dma_run(f->m, 0);
    /* Two frames wait for the wire (tx_fifo_frames 2): full. */
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_TX_FULL, SDNIC_ST_TX_FULL);
    wr(f, SDNIC_REG_ISR, 0xFF);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_TX_GO);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_TX_ERR);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_TX_DMA, 0);
    assert_int_equal(stats(f).tx_errors, 4);
    assert_int_equal(stats(f).tx_frames, 0);
    fx_free(f);
}

static void test_tx_tc_before_txlen_is_an_error_and_drops_frame(void **state)
{
    (void)state;
    fx *f = fx_new(3, 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    uint8_t fr[200];
    pattern(fr, sizeof fr, 8);
    tx_start(f, fr, sizeof fr, 150); /* buffer shorter than TXLEN */
    assert_int_equal(ndisdma_dma_run(f->m, 0), 150);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_TX_ERR);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_TX_DMA, 0);
    assert_int_equal(f->tap.n, 0);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 0);
    assert_int_equal(stats(f).tx_errors, 1);
    assert_int_equal(stats(f).tx_frames, 0);
    fx_free(f);
}

static void test_tx_takes_nothing_after_txlen(void **state)
{
    (void)state;
    fx *f = fx_new(3, 0);
    uint8_t fr[100];
    pattern(fr, sizeof fr, 10);
    tx_start(f, fr, 60, 100); /* buffer longer than TXLEN */
    assert_int_equal(ndisdma_dma_run(f->m, 0), 60);
    assert_int_equal(rd(f, SDNIC_REG_ISR), SDNIC_ISR_TX_DONE);
    ndisdma_dma_channel_state cs;
    assert_int_equal(ndisdma_dma_get_channel(f->m, 3, &cs), 0);
    assert_false(cs.dreq);
    assert_false(cs.terminal_count);
    assert_int_equal(dma_residual(f->m, 3), 40);
    assert_int_equal(f->tap.n, 1);
    assert_int_equal(f->tap.len[0], 60);
    assert_memory_equal(f->tap.frame[0], fr, 60);
    /* Loopback with the receiver disabled: counted as a drop. */
    assert_int_equal(stats(f).rx_disabled_drops, 1);
    fx_free(f);
}

static void test_transfer_in_virtual_time_with_machine_run(void **state)
{
    (void)state;
    fx *f = fx_new(5, 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    uint8_t fr[301];
    pattern(fr, sizeof fr, 11);
    tx_start(f, fr, sizeof fr, sizeof fr);
    assert_int_equal(ndisdma_machine_run(f->m, 100000), 0); /* 151 words take 145 us */
    assert_int_equal(f->tap.n, 0);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_TX_DMA, SDNIC_ST_TX_DMA);
    assert_int_equal(ndisdma_machine_run(f->m, 1000000), 0);
    assert_int_equal(f->tap.n, 1);
    assert_true(f->tap.t[0] >= 100000);
    assert_memory_equal(f->tap.frame[0], fr, sizeof fr);
    rx_start(f, 400);
    assert_int_equal(ndisdma_machine_run(f->m, 1000000), 0);
    expect_ram(f, RX_BUF, fr, sizeof fr);
    assert_int_equal(rd(f, SDNIC_REG_RXSTAT), SDNIC_RXS_OK | SDNIC_RXS_ODD);
    assert_int_equal(400 - dma_residual(f->m, 5) - 1, sizeof fr);
    fx_free(f);
}

/* ---- wire ---- */

static void test_line_rate_frames_arrive_at_computed_time(void **state)
{
    (void)state;
    fx *f = fx_new(3, 10000000u);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    uint8_t fr[100];
    pattern(fr, sizeof fr, 12);
    /* (100 + 24) * 8 bits at 10 Mbit/s = 99,200 ns per frame. */
    const uint64_t t1 = 99200;
    tx_start(f, fr, sizeof fr, sizeof fr);
    ndisdma_dma_run(f->m, 0);
    tx_start(f, fr, 60, 60);
    ndisdma_dma_run(f->m, 0);
    const uint64_t t2 = t1 + (60 + 24) * 8 * 100; /* 67,200 ns */
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_TX_FULL, SDNIC_ST_TX_FULL);
    assert_int_equal(ndisdma_machine_run(f->m, t1 - 1), 0);
    assert_int_equal(f->tap.n, 0);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 0);
    assert_int_equal(ndisdma_machine_run(f->m, 1), 0);
    assert_int_equal(f->tap.n, 1);
    assert_int_equal(f->tap.t[0], t1);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 1);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_TX_FULL, 0);
    assert_int_equal(stats(f).tx_frames, 1);
    assert_int_equal(ndisdma_machine_run_until_idle(f->m, 10000000), 0);
    assert_int_equal(f->tap.n, 2);
    assert_int_equal(f->tap.t[1], t2);
    assert_int_equal(f->tap.len[1], 60);
    assert_int_equal(stats(f).tx_frames, 2);
    assert_int_equal(stats(f).tx_bytes, 160);
    fx_free(f);

    /* A line time that is not a whole number of ns is rounded up: 200 bits at
       3 Gbit/s are 66.7 ns, the frame arrives at 67 ns. */
    f = fx_new(3, 3000000000ull);
    tx_start(f, fr, 1, 1);
    ndisdma_dma_run(f->m, 0);
    assert_int_equal(ndisdma_machine_run_until_idle(f->m, 1000000), 0);
    assert_int_equal(f->tap.n, 1);
    assert_int_equal(f->tap.t[0], (25 * 8 * 1000000000ull + 2999999999ull) / 3000000000ull);
    fx_free(f);
}

static void test_rx_overrun_from_loopback_when_fifo_full(void **state)
{
    (void)state;
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->m = new_machine();
    sdnic_config_init(&f->cfg);
    f->cfg.line_rate_bps = 0;
    f->cfg.rx_fifo_frames = 2;
    assert_int_equal(sdnic_create(f->m, &f->cfg, &f->nic), 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    uint8_t fr[64];
    pattern(fr, sizeof fr, 13);
    for (int i = 0; i < 3; i++) {
        tx_start(f, fr, sizeof fr, sizeof fr);
        ndisdma_dma_run(f->m, 0);
    }
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 2);
    assert_int_equal(rd(f, SDNIC_REG_ISR),
                     SDNIC_ISR_TX_DONE | SDNIC_ISR_RX_READY | SDNIC_ISR_RX_OVERRUN);
    assert_int_equal(stats(f).rx_overruns, 1);
    assert_int_equal(stats(f).tx_frames, 3);
    fx_free(f);
}

/* Receive the RX FIFO's head frame into RX_BUF and check it is @fr (@len
   bytes). */
static void rx_expect(fx *f, const uint8_t *fr, size_t len)
{
    assert_int_equal(rd(f, SDNIC_REG_RXLEN_LO) | (rd(f, SDNIC_REG_RXLEN_HI) << 8), len);
    rx_start(f, SDNIC_MAX_FRAME);
    ndisdma_dma_run(f->m, 0);
    assert_int_equal(rd(f, SDNIC_REG_RXSTAT), SDNIC_RXS_OK);
    expect_ram(f, RX_BUF, fr, len);
    wr(f, SDNIC_REG_ISR, 0xFF);
}

/* The RX FIFO keeps its frames in order whatever the slots they sit in: it starts again at its
   first slot each time it is emptied (devices/sdnic.c, rx_ring_pop), also after it wrapped, and
   fills up to its capacity from there. Frames are injected and received in an order that
   empties it in the middle of the ring, at its end and when full. */
static void test_rx_fifo_order_across_emptying_and_wrapping(void **state)
{
    (void)state;
    fx *f = fx_new(3, 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    const unsigned cap = f->cfg.rx_fifo_frames;
    static uint8_t fr[48][128];
    for (unsigned i = 0; i < 48; i++)
        pattern(fr[i], sizeof fr[i], 100 + i);
    unsigned in = 0, out = 0;
    /* (frames to inject, frames to receive) per round */
    const unsigned rounds[][2] = {{3, 1}, {1, 3}, {cap - 2, cap - 3}, {3, 4}, {cap, cap}, {5, 5}};
    for (size_t r = 0; r < sizeof rounds / sizeof rounds[0]; r++) {
        for (unsigned k = 0; k < rounds[r][0]; k++, in++)
            assert_int_equal(sdnic_inject(f->nic, fr[in], 60 + in), 0);
        assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), in - out);
        for (unsigned k = 0; k < rounds[r][1]; k++, out++)
            rx_expect(f, fr[out], 60 + out);
        assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), in - out);
    }
    assert_int_equal(in, 42);
    assert_int_equal(out, in);
    assert_int_equal(stats(f).rx_overruns, 0);
    fx_free(f);
}

/* A transmit that comes in several DMA callbacks with no line time and
   loopback only is written straight into the RX FIFO (devices/sdnic.c,
   Staging): whatever happens mid-frame, the card must behave as if it had
   assembled the frame in its TX FIFO first. */
static void test_loopback_frame_in_pieces_with_events_mid_frame(void **state)
{
    (void)state;
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->m = new_machine();
    sdnic_config_init(&f->cfg);
    f->cfg.line_rate_bps = 0; /* no wire observer either */
    f->cfg.rx_fifo_frames = 2;
    assert_int_equal(sdnic_create(f->m, &f->cfg, &f->nic), 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    uint8_t fr[300], in[80];
    pattern(fr, sizeof fr, 21);
    pattern(in, sizeof in, 22);

    /* 1. An injected frame mid-transmit comes first; both arrive whole. */
    tx_start(f, fr, sizeof fr, sizeof fr);
    assert_int_equal(ndisdma_dma_run(f->m, 100), 100);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 0); /* the partial frame is not visible */
    assert_int_equal(sdnic_inject(f->nic, in, sizeof in), 0);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 1);
    assert_int_equal(ndisdma_dma_run(f->m, 0), sizeof fr - 100);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 2);
    assert_int_equal(rd(f, SDNIC_REG_ISR) & SDNIC_ISR_TX_DONE, SDNIC_ISR_TX_DONE);
    wr(f, SDNIC_REG_ISR, 0xFF);
    rx_expect(f, in, sizeof in);
    rx_expect(f, fr, sizeof fr);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 0);

    /* 2. A frame in pieces alone, twice (the FIFO ring wraps). */
    for (int i = 0; i < 3; i++) {
        tx_start(f, fr, sizeof fr, sizeof fr);
        assert_int_equal(ndisdma_dma_run(f->m, 7), 7);
        assert_int_equal(ndisdma_dma_run(f->m, 0), sizeof fr - 7);
        assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 1);
        wr(f, SDNIC_REG_ISR, 0xFF);
        rx_expect(f, fr, sizeof fr);
    }

    /* 3. The receiver turned off mid-frame: the frame is dropped as
       without staging, and the FIFO is left as it was. */
    tx_start(f, fr, sizeof fr, sizeof fr);
    assert_int_equal(ndisdma_dma_run(f->m, 50), 50);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_DISABLE);
    const sdnic_stats s0 = stats(f);
    assert_int_equal(ndisdma_dma_run(f->m, 0), sizeof fr - 50);
    assert_int_equal(stats(f).rx_disabled_drops, s0.rx_disabled_drops + 1);
    assert_int_equal(stats(f).tx_frames, s0.tx_frames + 1);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    wr(f, SDNIC_REG_ISR, 0xFF);

    /* 4. The FIFO filled mid-frame by injections: an overrun, as without
       staging; the injected frames are intact. */
    tx_start(f, fr, sizeof fr, sizeof fr);
    assert_int_equal(ndisdma_dma_run(f->m, 10), 10);
    assert_int_equal(sdnic_inject(f->nic, in, sizeof in), 0);
    assert_int_equal(sdnic_inject(f->nic, fr, 60), 0);
    assert_int_equal(ndisdma_dma_run(f->m, 0), sizeof fr - 10);
    assert_int_equal(rd(f, SDNIC_REG_ISR) & SDNIC_ISR_RX_OVERRUN, SDNIC_ISR_RX_OVERRUN);
    wr(f, SDNIC_REG_ISR, 0xFF);
    rx_expect(f, in, sizeof in);
    rx_expect(f, fr, 60);

    /* 5. A transmit whose buffer ends early (terminal count before TXLEN):
       dropped; the next frame in pieces is whole. */
    tx_start(f, fr, sizeof fr, 100);
    ndisdma_dma_run(f->m, 0);
    assert_int_equal(rd(f, SDNIC_REG_ISR) & SDNIC_ISR_TX_ERR, SDNIC_ISR_TX_ERR);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 0);
    wr(f, SDNIC_REG_ISR, 0xFF);
    tx_start(f, fr, sizeof fr, sizeof fr);
    assert_int_equal(ndisdma_dma_run(f->m, 1), 1);
    assert_int_equal(ndisdma_dma_run(f->m, 0), sizeof fr - 1);
    rx_expect(f, fr, sizeof fr);
    fx_free(f);
}

static void test_peer_connection_between_two_machines(void **state)
{
    (void)state;
    fx *a = fx_new(3, 0), *b = fx_new(5, 0);
    assert_int_equal(sdnic_connect(NULL, b->nic), NDISDMA_EINVAL);
    assert_int_equal(sdnic_connect(a->nic, NULL), NDISDMA_EINVAL);
    assert_int_equal(sdnic_connect(a->nic, a->nic), NDISDMA_EINVAL);
    wr(a, SDNIC_REG_CONFIG, 0); /* no loopback: link only through the peer */
    wr(b, SDNIC_REG_CONFIG, 0);
    assert_int_equal(rd(a, SDNIC_REG_CMD) & SDNIC_ST_LINK, 0);
    assert_int_equal(sdnic_connect(a->nic, b->nic), 0);
    assert_int_equal(sdnic_connect(b->nic, a->nic), NDISDMA_EBUSY);
    assert_int_equal(rd(a, SDNIC_REG_CMD) & SDNIC_ST_LINK, SDNIC_ST_LINK);
    assert_int_equal(rd(b, SDNIC_REG_CMD) & SDNIC_ST_LINK, SDNIC_ST_LINK);
    wr(a, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    wr(b, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);

    uint8_t fr[777];
    pattern(fr, sizeof fr, 14);
    tx_start(a, fr, sizeof fr, sizeof fr);
    ndisdma_dma_run(a->m, 0);
    assert_int_equal(rd(a, SDNIC_REG_RXCOUNT), 0); /* no loopback */
    assert_int_equal(rd(b, SDNIC_REG_RXCOUNT), 1);
    assert_int_equal(rd(b, SDNIC_REG_ISR), SDNIC_ISR_RX_READY);
    rx_start(b, SDNIC_MAX_FRAME);
    ndisdma_dma_run(b->m, 0);
    expect_ram(b, RX_BUF, fr, sizeof fr);
    assert_int_equal(SDNIC_MAX_FRAME - dma_residual(b->m, 5) - 1, sizeof fr);

    /* And back: b's frame arrives in a's RX FIFO. */
    pattern(fr, 64, 15);
    tx_start(b, fr, 64, 64);
    ndisdma_dma_run(b->m, 0);
    assert_int_equal(rd(a, SDNIC_REG_RXCOUNT), 1);
    rx_start(a, 64);
    ndisdma_dma_run(a->m, 0);
    expect_ram(a, RX_BUF, fr, 64);
    assert_int_equal(stats(a).rx_frames, 1);
    assert_int_equal(stats(b).rx_frames, 1);

    /* Destroying one side undoes the connection. */
    sdnic_destroy(a->nic);
    a->nic = NULL;
    assert_int_equal(rd(b, SDNIC_REG_CMD) & SDNIC_ST_LINK, 0);
    tx_start(b, fr, 64, 64);
    ndisdma_dma_run(b->m, 0);
    assert_int_equal(stats(b).tx_frames, 2);
    fx_free(a);
    fx_free(b);
}

static void test_peer_at_line_rate_arrives_after_wire_time(void **state)
{
    (void)state;
    fx *a = fx_new(3, 1000000u), *b = fx_new(3, 1000000u);
    wr(a, SDNIC_REG_CONFIG, 0);
    assert_int_equal(sdnic_connect(a->nic, b->nic), 0);
    wr(b, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    uint8_t fr[76];
    pattern(fr, sizeof fr, 16);
    tx_start(a, fr, sizeof fr, sizeof fr);
    ndisdma_dma_run(a->m, 0);
    assert_int_equal(rd(b, SDNIC_REG_RXCOUNT), 0);
    assert_int_equal(ndisdma_machine_run(a->m, 799999), 0); /* 100 bytes at 1 Mbit/s */
    assert_int_equal(rd(b, SDNIC_REG_RXCOUNT), 0);
    assert_int_equal(ndisdma_machine_run(a->m, 1), 0);
    assert_int_equal(rd(b, SDNIC_REG_RXCOUNT), 1);
    assert_int_equal(a->tap.t[0], 800000);
    fx_free(a);
    fx_free(b);
}

/* ---- abort and reset ---- */

static void test_abort_ends_operation_tx_dropped_rx_kept(void **state)
{
    (void)state;
    fx *f = fx_new(3, 0);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    uint8_t fr[400];
    pattern(fr, sizeof fr, 17);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_ABORT); /* nothing in progress: no effect */
    assert_int_equal(rd(f, SDNIC_REG_ISR), 0);

    tx_start(f, fr, sizeof fr, sizeof fr);
    assert_int_equal(ndisdma_dma_run(f->m, 100), 100);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_ABORT);
    ndisdma_dma_channel_state cs;
    assert_int_equal(ndisdma_dma_get_channel(f->m, 3, &cs), 0);
    assert_false(cs.dreq);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_TX_DMA, 0);
    assert_int_equal(ndisdma_dma_run(f->m, 0), 0);
    assert_int_equal(f->tap.n, 0);
    assert_int_equal(rd(f, SDNIC_REG_ISR), 0);

    assert_int_equal(sdnic_inject(f->nic, fr, sizeof fr), 0);
    wr(f, SDNIC_REG_ISR, 0xFF);
    rx_start(f, SDNIC_MAX_FRAME);
    assert_int_equal(ndisdma_dma_run(f->m, 50), 50);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_ABORT);
    assert_int_equal(rd(f, SDNIC_REG_CMD) & SDNIC_ST_RX_DMA, 0);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 1);
    /* The frame is received again whole from its first byte. */
    rx_start(f, SDNIC_MAX_FRAME);
    ndisdma_dma_run(f->m, 0);
    expect_ram(f, RX_BUF, fr, sizeof fr);
    assert_int_equal(rd(f, SDNIC_REG_RXSTAT), SDNIC_RXS_OK);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 0);
    fx_free(f);
}

static void test_reset_returns_to_power_on_state(void **state)
{
    (void)state;
    fx *f = fx_new(3, 10000000u);
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    wr(f, SDNIC_REG_IMR, SDNIC_ISR_ALL);
    wr(f, SDNIC_REG_CONFIG, 0);
    uint8_t fr[100];
    pattern(fr, sizeof fr, 18);
    assert_int_equal(sdnic_inject(f->nic, fr, sizeof fr), 0);
    tx_start(f, fr, sizeof fr, sizeof fr);
    ndisdma_dma_run(f->m, 0); /* frame waits for the wire */
    tx_start(f, fr, sizeof fr, sizeof fr);
    ndisdma_dma_run(f->m, 10); /* DMA in progress */
    assert_true(irq_level(f));
    wr(f, SDNIC_REG_CMD, SDNIC_CMD_RESET);
    assert_false(irq_level(f));
    assert_int_equal(rd(f, SDNIC_REG_CMD), SDNIC_ST_LINK);
    assert_int_equal(rd(f, SDNIC_REG_ISR), 0);
    assert_int_equal(rd(f, SDNIC_REG_IMR), 0);
    assert_int_equal(rd(f, SDNIC_REG_RXCOUNT), 0);
    assert_int_equal(rd(f, SDNIC_REG_CONFIG), SDNIC_CFG_LOOPBACK);
    ndisdma_dma_channel_state cs;
    assert_int_equal(ndisdma_dma_get_channel(f->m, 3, &cs), 0);
    assert_false(cs.dreq);
    /* The wire timer is cancelled: nothing is ever delivered. */
    assert_int_equal(ndisdma_machine_run_until_idle(f->m, 10000000), 0);
    assert_int_equal(f->tap.n, 0);
    assert_int_equal(stats(f).tx_frames, 0);
    /* Counters survive a reset. */
    assert_int_equal(stats(f).rx_frames, 0);
    assert_true(stats(f).irqs >= 1);
    fx_free(f);
}

static void test_destroy_with_frame_on_wire_cancels_timer(void **state)
{
    (void)state;
    fx *f = fx_new(3, 10000000u);
    uint8_t fr[100];
    pattern(fr, sizeof fr, 19);
    tx_start(f, fr, sizeof fr, sizeof fr);
    ndisdma_dma_run(f->m, 0);
    sdnic_destroy(f->nic);
    f->nic = NULL;
    assert_int_equal(ndisdma_machine_run_until_idle(f->m, 10000000), 0);
    assert_int_equal(f->tap.n, 0);
    fx_free(f);
}

/* ---- robustness ---- */

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1664525u + 1013904223u;
    return *x >> 8;
}

/* Random port writes, commands, DMA programming, injections and runs (a
   fixed seed): nothing crashes, and the invariants of the register file
   hold after every step. */
static void test_random_operations_keep_invariants(void **state)
{
    (void)state;
    const unsigned chans[] = {3, 5};
    for (size_t c = 0; c < 2; c++) {
        fx *f = fx_new(chans[c], c ? 0 : 100000000u);
        f->tap.n = 0;
        uint32_t x = 12345u + (uint32_t)c;
        uint8_t fr[SDNIC_MAX_FRAME];
        pattern(fr, sizeof fr, 22);
        for (int step = 0; step < 20000; step++) {
            const uint32_t r = lcg(&x);
            switch (r % 8) {
            case 0:
                wr(f, SDNIC_REG_CMD, (uint8_t)(lcg(&x) & 0x7F)); /* not RESET every time */
                break;
            case 1:
                wr(f, lcg(&x) % SDNIC_IO_LENGTH, (uint8_t)lcg(&x));
                break;
            case 2: {
                const uint32_t len = 1 + lcg(&x) % 1600;
                wr(f, SDNIC_REG_TXLEN_LO, (uint8_t)len);
                wr(f, SDNIC_REG_TXLEN_HI, (uint8_t)(len >> 8));
                dma_program(f->m, chans[c],
                            (uint8_t)((lcg(&x) & 1 ? MODE_SINGLE : 0) |
                                      (lcg(&x) & 1 ? MODE_READ : MODE_WRITE)),
                            lcg(&x) & 1 ? TX_BUF : RX_BUF, 1 + lcg(&x) % 1600);
                break;
            }
            case 3:
                (void)sdnic_inject(f->nic, fr, 1 + lcg(&x) % SDNIC_MAX_FRAME);
                break;
            case 4:
                ndisdma_dma_run(f->m, lcg(&x) % 2000);
                break;
            case 5:
                assert_int_equal(ndisdma_machine_run(f->m, lcg(&x) % 50000), 0);
                break;
            case 6:
                wr(f, SDNIC_REG_CMD, lcg(&x) % 64 ? SDNIC_CMD_RX_ENABLE : SDNIC_CMD_RESET);
                break;
            default:
                wr(f, SDNIC_REG_ISR, (uint8_t)lcg(&x));
                break;
            }
            if (f->tap.n == TAP_MAX)
                f->tap.n = 0;
            const uint8_t st = rd(f, SDNIC_REG_CMD), isr = rd(f, SDNIC_REG_ISR);
            const uint8_t imr = rd(f, SDNIC_REG_IMR);
            assert_int_equal(st & 0xC0, 0);
            assert_false((st & SDNIC_ST_TX_DMA) && (st & SDNIC_ST_RX_DMA));
            assert_int_equal(isr & ~SDNIC_ISR_ALL, 0);
            assert_int_equal(irq_level(f), (isr & imr) != 0);
            assert_true(rd(f, SDNIC_REG_RXCOUNT) <= f->cfg.rx_fifo_frames);
            assert_int_equal(rd(f, SDNIC_REG_RXCOUNT) != 0, (st & SDNIC_ST_RX_AVAIL) != 0);
        }
        const sdnic_stats s = stats(f);
        assert_true(s.tx_frames > 0);
        assert_true(s.rx_frames > 0);
        assert_int_equal(s.irqs, irq_edges(f));
        /* Illegal accesses are possible here (a DMA run on a channel left
           unmasked with nothing asked); only the card's own health counts. */
        sdnic_destroy(f->nic);
        ndisdma_machine_destroy(f->m);
        free(f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_rejects_invalid_config),
        cmocka_unit_test(test_create_busy_leaves_nothing_behind),
        cmocka_unit_test(test_config_init_defaults_and_resources),
        cmocka_unit_test(test_registers_power_on_state),
        cmocka_unit_test(test_registers_writes),
        cmocka_unit_test(test_inject_rejects_invalid_and_follows_receiver_state),
        cmocka_unit_test(test_rxcount_saturates_at_255),
        cmocka_unit_test(test_irq_line_follows_enabled_causes_with_fresh_edge_on_ack),
        cmocka_unit_test(test_rx_fifo_order_across_emptying_and_wrapping),
        cmocka_unit_test(test_rx_go_refused_when_empty_or_busy),
        cmocka_unit_test(test_tx_go_refused_bad_length_busy_or_fifo_full),
        cmocka_unit_test(test_tx_tc_before_txlen_is_an_error_and_drops_frame),
        cmocka_unit_test(test_tx_takes_nothing_after_txlen),
        cmocka_unit_test(test_loopback_8bit_byte_for_byte_odd_and_even),
        cmocka_unit_test(test_loopback_16bit_words_odd_and_even),
        cmocka_unit_test(test_loopback_single_mode_one_unit_per_call),
        cmocka_unit_test(test_rx_eop_before_tc_leaves_residual_count),
        cmocka_unit_test(test_rx_frame_end_at_tc_pulses_no_eop),
        cmocka_unit_test(test_rx_truncated_at_tc_drops_rest_of_frame),
        cmocka_unit_test(test_transfer_in_virtual_time_with_machine_run),
        cmocka_unit_test(test_line_rate_frames_arrive_at_computed_time),
        cmocka_unit_test(test_rx_overrun_from_loopback_when_fifo_full),
        cmocka_unit_test(test_loopback_frame_in_pieces_with_events_mid_frame),
        cmocka_unit_test(test_peer_connection_between_two_machines),
        cmocka_unit_test(test_peer_at_line_rate_arrives_after_wire_time),
        cmocka_unit_test(test_abort_ends_operation_tx_dropped_rx_kept),
        cmocka_unit_test(test_reset_returns_to_power_on_state),
        cmocka_unit_test(test_destroy_with_frame_on_wire_cancels_timer),
        cmocka_unit_test(test_random_operations_keep_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
