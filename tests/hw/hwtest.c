/* Shared helpers of the hardware model tests: see hwtest.h. */
#include "hwtest.h"

#include <stdlib.h>
#include <string.h>

ndisdma_machine *hwt_new(uint64_t ram_bytes)
{
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.ram_bytes = ram_bytes;
    ndisdma_machine *m = NULL;
    assert_int_equal(ndisdma_machine_create(&cfg, &m), 0);
    assert_non_null(m);
    return m;
}

int hwt_setup(void **state)
{
    *state = hwt_new(0);
    return 0;
}

int hwt_teardown(void **state)
{
    ndisdma_machine_destroy(*state);
    *state = NULL;
    return 0;
}

/* --- ports --- */

uint16_t hwt_reg_port(unsigned ctl, unsigned reg)
{
    return ctl ? (uint16_t)(AT_DMA2_BASE + (reg << 1)) : (uint16_t)(AT_DMA1_BASE + reg);
}

uint16_t hwt_addr_port(unsigned ch)
{
    return hwt_reg_port(hwt_ctl_of(ch), I8237_REG_ADDR0 + 2 * (ch & 3));
}

uint16_t hwt_count_port(unsigned ch)
{
    return hwt_reg_port(hwt_ctl_of(ch), I8237_REG_COUNT0 + 2 * (ch & 3));
}

uint16_t hwt_page_port(unsigned ch)
{
    static const uint16_t page[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};
    return page[ch & 7];
}

/* --- registers --- */

void hwt_clear_ff(ndisdma_machine *m, unsigned ch)
{
    ndisdma_io_write8(m, hwt_reg_port(hwt_ctl_of(ch), I8237_REG_CLEAR_FF), 0);
}

void hwt_set_mask(ndisdma_machine *m, unsigned ch, bool masked)
{
    ndisdma_io_write8(m, hwt_reg_port(hwt_ctl_of(ch), I8237_REG_SINGLE_MASK),
                      (uint8_t)((masked ? MASK_SET : 0) | (ch & 3)));
}

void hwt_set_mode(ndisdma_machine *m, unsigned ch, uint8_t mode)
{
    ndisdma_io_write8(m, hwt_reg_port(hwt_ctl_of(ch), I8237_REG_MODE),
                      (uint8_t)((mode & ~MODE_CHANNEL_MASK) | (ch & 3)));
}

void hwt_set_page(ndisdma_machine *m, unsigned ch, uint8_t page)
{
    ndisdma_io_write8(m, hwt_page_port(ch), page);
}

void hwt_sw_request(ndisdma_machine *m, unsigned ch, bool set)
{
    ndisdma_io_write8(m, hwt_reg_port(hwt_ctl_of(ch), I8237_REG_REQUEST),
                      (uint8_t)((set ? REQ_SET : 0) | (ch & 3)));
}

void hwt_command(ndisdma_machine *m, unsigned ctl, uint8_t value)
{
    ndisdma_io_write8(m, hwt_reg_port(ctl, I8237_REG_COMMAND), value);
}

void hwt_master_clear(ndisdma_machine *m, unsigned ctl)
{
    ndisdma_io_write8(m, hwt_reg_port(ctl, I8237_REG_MASTER_CLEAR), 0);
}

uint8_t hwt_read_status(ndisdma_machine *m, unsigned ctl)
{
    return ndisdma_io_read8(m, hwt_reg_port(ctl, I8237_REG_STATUS));
}

static void write16(ndisdma_machine *m, unsigned ch, uint16_t port, uint16_t v)
{
    hwt_clear_ff(m, ch);
    ndisdma_io_write8(m, port, (uint8_t)v);
    ndisdma_io_write8(m, port, (uint8_t)(v >> 8));
}

static uint16_t read16(ndisdma_machine *m, unsigned ch, uint16_t port)
{
    hwt_clear_ff(m, ch);
    uint16_t lo = ndisdma_io_read8(m, port);
    uint16_t hi = ndisdma_io_read8(m, port);
    return (uint16_t)(lo | hi << 8);
}

void hwt_write_addr(ndisdma_machine *m, unsigned ch, uint16_t v)
{
    write16(m, ch, hwt_addr_port(ch), v);
}

void hwt_write_count(ndisdma_machine *m, unsigned ch, uint16_t v)
{
    write16(m, ch, hwt_count_port(ch), v);
}

uint16_t hwt_read_addr(ndisdma_machine *m, unsigned ch)
{
    return read16(m, ch, hwt_addr_port(ch));
}

uint16_t hwt_read_count(ndisdma_machine *m, unsigned ch)
{
    return read16(m, ch, hwt_count_port(ch));
}

void hwt_setup_raw(ndisdma_machine *m, unsigned ch, uint8_t mode, uint16_t addr, uint8_t page,
                   uint16_t count)
{
    hwt_set_mask(m, ch, true);
    hwt_clear_ff(m, ch);
    hwt_set_mode(m, ch, mode);
    ndisdma_io_write8(m, hwt_addr_port(ch), (uint8_t)addr);
    ndisdma_io_write8(m, hwt_addr_port(ch), (uint8_t)(addr >> 8));
    hwt_set_page(m, ch, page);
    ndisdma_io_write8(m, hwt_count_port(ch), (uint8_t)count);
    ndisdma_io_write8(m, hwt_count_port(ch), (uint8_t)(count >> 8));
}

void hwt_program(ndisdma_machine *m, unsigned ch, uint8_t mode, uint64_t phys, uint32_t units)
{
    assert_true(units >= 1 && units <= 0x10000);
    uint16_t addr;
    uint8_t page;
    if (ch >= 4) {
        assert_int_equal(phys & 1, 0);
        addr = (uint16_t)(phys >> 1);
        page = (uint8_t)((phys >> 16) & 0xFE);
    } else {
        addr = (uint16_t)phys;
        page = (uint8_t)(phys >> 16);
    }
    hwt_setup_raw(m, ch, mode, addr, page, (uint16_t)(units - 1));
    hwt_set_mask(m, ch, false);
}

ndisdma_dma_channel_state hwt_chan(const ndisdma_machine *m, unsigned ch)
{
    ndisdma_dma_channel_state st;
    assert_int_equal(ndisdma_dma_get_channel(m, ch, &st), 0);
    return st;
}

ndisdma_dma_controller_state hwt_ctl(const ndisdma_machine *m, unsigned idx)
{
    ndisdma_dma_controller_state st;
    assert_int_equal(ndisdma_dma_get_controller(m, idx, &st), 0);
    return st;
}

ndisdma_hw_stats hwt_stats(const ndisdma_machine *m)
{
    ndisdma_hw_stats s;
    assert_int_equal(ndisdma_hw_get_stats(m, &s), 0);
    return s;
}

void hwt_expect_same_channel(const ndisdma_dma_channel_state *a, const ndisdma_dma_channel_state *b)
{
    assert_int_equal(a->base_address, b->base_address);
    assert_int_equal(a->base_count, b->base_count);
    assert_int_equal(a->current_address, b->current_address);
    assert_int_equal(a->current_count, b->current_count);
    assert_int_equal(a->mode, b->mode);
    assert_int_equal(a->page, b->page);
    assert_int_equal(a->masked, b->masked);
    assert_int_equal(a->terminal_count, b->terminal_count);
    assert_int_equal(a->dreq, b->dreq);
    assert_int_equal(a->software_request, b->software_request);
    assert_int_equal(a->block_active, b->block_active);
    assert_int_equal(a->stalled, b->stalled);
    assert_int_equal(a->has_device, b->has_device);
    assert_int_equal(a->next_phys, b->next_phys);
}

void hwt_expect_same_controller(const ndisdma_dma_controller_state *a,
                                const ndisdma_dma_controller_state *b)
{
    assert_int_equal(a->command, b->command);
    assert_int_equal(a->status, b->status);
    assert_int_equal(a->mask, b->mask);
    assert_int_equal(a->request, b->request);
    assert_int_equal(a->temporary, b->temporary);
    assert_int_equal(a->flipflop, b->flipflop);
}

/* --- RAM --- */

void hwt_fill_pat(ndisdma_machine *m, uint64_t phys, size_t len, uint32_t seed)
{
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    for (size_t i = 0; i < len; i++)
        buf[i] = hwt_pat(seed, i);
    assert_int_equal(ndisdma_phys_write(m, phys, buf, len), 0);
    free(buf);
}

void hwt_fill_byte(ndisdma_machine *m, uint64_t phys, size_t len, uint8_t v)
{
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    memset(buf, v, len);
    assert_int_equal(ndisdma_phys_write(m, phys, buf, len), 0);
    free(buf);
}

void hwt_expect_pat(ndisdma_machine *m, uint64_t phys, size_t len, uint32_t seed, size_t first)
{
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    assert_int_equal(ndisdma_phys_read(m, phys, buf, len), 0);
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != hwt_pat(seed, first + i)) {
            uint8_t got = buf[i];
            free(buf);
            fail_msg("RAM 0x%llx: got 0x%02x, want 0x%02x", (unsigned long long)(phys + i), got,
                     hwt_pat(seed, first + i));
        }
    }
    free(buf);
}

void hwt_expect_byte(ndisdma_machine *m, uint64_t phys, size_t len, uint8_t v)
{
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    assert_int_equal(ndisdma_phys_read(m, phys, buf, len), 0);
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != v) {
            uint8_t got = buf[i];
            free(buf);
            fail_msg("RAM 0x%llx: got 0x%02x, want 0x%02x", (unsigned long long)(phys + i), got, v);
        }
    }
    free(buf);
}

void hwt_expect_bytes(ndisdma_machine *m, uint64_t phys, const uint8_t *exp, size_t len)
{
    uint8_t *buf = malloc(len ? len : 1);
    assert_non_null(buf);
    assert_int_equal(ndisdma_phys_read(m, phys, buf, len), 0);
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != exp[i]) {
            uint8_t got = buf[i];
            free(buf);
            fail_msg("RAM 0x%llx: got 0x%02x, want 0x%02x", (unsigned long long)(phys + i), got,
                     exp[i]);
        }
    }
    free(buf);
}

/* --- the recording device --- */

static size_t choose(hwt_dev *d, size_t len)
{
    size_t take = len;
    if (d->per_call && take > d->per_call)
        take = d->per_call;
    if (take > d->remaining)
        take = d->remaining;
    return take;
}

static hwt_call *record(hwt_dev *d, int kind, unsigned ch, size_t len)
{
    if (d->log && d->log->n < sizeof d->log->ch / sizeof d->log->ch[0])
        d->log->ch[d->log->n++] = ch;
    if (d->ncalls >= HWT_MAX_CALLS)
        fail_msg("device on channel %u: more than %d calls", ch, HWT_MAX_CALLS);
    hwt_call *c = &d->calls[d->ncalls++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->channel = ch;
    c->len = len;
    c->offset = kind == HWT_TO_DEVICE ? d->rx_len : d->tx_pos;
    assert_int_equal(ndisdma_dma_get_channel(d->m, ch, &c->st), 0);
    return c;
}

static size_t dev_to_device(void *ctx, unsigned ch, const uint8_t *data, size_t len)
{
    hwt_dev *d = ctx;
    assert_int_equal(ch, d->channel);
    hwt_call *c = record(d, HWT_TO_DEVICE, ch, len);
    size_t take = choose(d, len);
    if (d->hook)
        take = d->hook(d, ch, len, take);
    assert_true(take <= len);
    if (d->rx_len + take > d->rx_cap)
        fail_msg("device on channel %u: receive buffer full", ch);
    memcpy(d->rx + d->rx_len, data, take);
    d->rx_len += take;
    if (d->remaining != SIZE_MAX)
        d->remaining -= take < d->remaining ? take : d->remaining;
    c->ret = take;
    return take;
}

static size_t dev_from_device(void *ctx, unsigned ch, uint8_t *data, size_t len)
{
    hwt_dev *d = ctx;
    assert_int_equal(ch, d->channel);
    hwt_call *c = record(d, HWT_FROM_DEVICE, ch, len);
    size_t give = choose(d, len);
    if (d->hook)
        give = d->hook(d, ch, len, give);
    assert_true(give <= len);
    for (size_t i = 0; i < give; i++)
        data[i] = hwt_pat(d->tx_seed, d->tx_pos + i);
    d->tx_pos += give;
    if (d->remaining != SIZE_MAX)
        d->remaining -= give < d->remaining ? give : d->remaining;
    c->ret = give;
    return give;
}

static void dev_terminal_count(void *ctx, unsigned ch)
{
    hwt_dev *d = ctx;
    assert_int_equal(ch, d->channel);
    d->tc_count++;
    assert_int_equal(ndisdma_dma_get_channel(d->m, ch, &d->tc_state), 0);
    if (d->tc_read_ports) {
        /* Callbacks may only read ports: rely on the flip-flop being clear
           (the test programs the channel with complete 16-bit writes). */
        ndisdma_dma_controller_state c;
        assert_int_equal(ndisdma_dma_get_controller(d->m, hwt_ctl_of(ch), &c), 0);
        assert_false(c.flipflop);
        uint16_t lo = ndisdma_io_read8(d->m, hwt_addr_port(ch));
        d->tc_port_addr = (uint16_t)(lo | ndisdma_io_read8(d->m, hwt_addr_port(ch)) << 8);
        lo = ndisdma_io_read8(d->m, hwt_count_port(ch));
        d->tc_port_count = (uint16_t)(lo | ndisdma_io_read8(d->m, hwt_count_port(ch)) << 8);
    }
    if (d->tc_hook)
        d->tc_hook(d, ch);
}

const ndisdma_dma_device hwt_device_ops = {
    .to_device = dev_to_device,
    .from_device = dev_from_device,
    .terminal_count = dev_terminal_count,
};

void hwt_dev_init(hwt_dev *d, ndisdma_machine *m, size_t rx_cap)
{
    memset(d, 0, sizeof *d);
    d->m = m;
    d->rx_cap = rx_cap;
    d->rx = malloc(rx_cap ? rx_cap : 1);
    assert_non_null(d->rx);
    d->remaining = SIZE_MAX;
}

void hwt_dev_free(hwt_dev *d)
{
    free(d->rx);
    d->rx = NULL;
}

void hwt_dev_attach(hwt_dev *d, unsigned ch)
{
    d->channel = ch;
    assert_int_equal(ndisdma_dma_attach(d->m, ch, &hwt_device_ops, d), 0);
}

size_t hwt_dev_bytes(const hwt_dev *d)
{
    size_t n = 0;
    for (size_t i = 0; i < d->ncalls; i++)
        n += d->calls[i].ret;
    return n;
}

/* --- events --- */

static void on_event(void *ctx, const ndisdma_event *ev)
{
    hwt_events *e = ctx;
    if ((unsigned)ev->kind < 16)
        e->count[ev->kind]++;
    if (e->n < HWT_MAX_EVENTS)
        e->ev[e->n++] = *ev;
}

void hwt_events_attach(hwt_events *e, ndisdma_machine *m)
{
    memset(e, 0, sizeof *e);
    e->id = ndisdma_observer_add(m, on_event, e);
    assert_true(e->id > 0);
}

void hwt_events_detach(hwt_events *e, ndisdma_machine *m)
{
    assert_int_equal(ndisdma_observer_remove(m, e->id), 0);
    e->id = 0;
}

void hwt_events_reset(hwt_events *e)
{
    e->n = 0;
    memset(e->count, 0, sizeof e->count);
}

const ndisdma_event *hwt_events_find(const hwt_events *e, ndisdma_event_kind kind, size_t nth)
{
    for (size_t i = 0; i < e->n; i++)
        if (e->ev[i].kind == kind && nth-- == 0)
            return &e->ev[i];
    return NULL;
}
