/* Shared helpers of the kernel layer tests: see ktest.h. */
#include "ktest.h"

#include <string.h>

ndisdma_machine *kt_machine(uint64_t ram, uint64_t seed, ndisdma_placement placement)
{
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.ram_bytes = ram;
    cfg.seed = seed;
    cfg.placement = placement;
    ndisdma_machine *m = NULL;
    assert_int_equal(ndisdma_machine_create(&cfg, &m), 0);
    assert_non_null(m);
    return m;
}

ndisdma_machine *kt_bound(uint64_t ram, uint64_t seed, ndisdma_placement placement)
{
    ndisdma_machine *m = kt_machine(ram, seed, placement);
    assert_int_equal(ndisdma_thread_bind(m), 0);
    return m;
}

void kt_done(ndisdma_machine *m)
{
    if (ndisdma_thread_machine() == m)
        ndisdma_thread_unbind(m);
    ndisdma_machine_destroy(m);
}

void kt_expect_violation(ndisdma_machine *m, uint64_t before, const char *ddi)
{
    assert_int_equal(ndisdma_violation_count(m), before + 1);
    ndisdma_violation v;
    assert_int_equal(ndisdma_violation_get(m, before, &v), 0);
    assert_int_equal(v.index, before);
    assert_string_equal(v.ddi, ddi);
    assert_true(v.message[0] != '\0');
}

/* Ports of the AT pair. */
static const uint16_t addr_port[8] = {0x00, 0x02, 0x04, 0x06, 0xC0, 0xC4, 0xC8, 0xCC};
static const uint16_t count_port[8] = {0x01, 0x03, 0x05, 0x07, 0xC2, 0xC6, 0xCA, 0xCE};
static const uint16_t page_port[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};

void kt_program(ndisdma_machine *m, unsigned ch, uint8_t mode, uint64_t phys, uint32_t units)
{
    const bool wide = ch >= 4;
    const uint16_t mask = wide ? 0xD4 : 0x0A, modep = wide ? 0xD6 : 0x0B, ff = wide ? 0xD8 : 0x0C;
    const uint8_t i = (uint8_t)(ch & 3);
    uint16_t a = wide ? (uint16_t)((phys >> 1) & 0xFFFF) : (uint16_t)(phys & 0xFFFF);
    uint8_t page = (uint8_t)((phys >> 16) & (wide ? 0xFE : 0xFF));
    uint16_t c = (uint16_t)(units - 1);
    ndisdma_io_write8(m, mask, (uint8_t)(0x04 | i));
    ndisdma_io_write8(m, modep, (uint8_t)(mode | i));
    ndisdma_io_write8(m, ff, 0);
    ndisdma_io_write8(m, addr_port[ch], (uint8_t)a);
    ndisdma_io_write8(m, addr_port[ch], (uint8_t)(a >> 8));
    ndisdma_io_write8(m, page_port[ch], page);
    ndisdma_io_write8(m, count_port[ch], (uint8_t)c);
    ndisdma_io_write8(m, count_port[ch], (uint8_t)(c >> 8));
    ndisdma_io_write8(m, mask, i);
}

uint16_t kt_read_count(ndisdma_machine *m, unsigned ch)
{
    ndisdma_io_write8(m, ch >= 4 ? 0xD8 : 0x0C, 0);
    uint8_t lo = ndisdma_io_read8(m, count_port[ch]);
    uint8_t hi = ndisdma_io_read8(m, count_port[ch]);
    return (uint16_t)(lo | hi << 8);
}
