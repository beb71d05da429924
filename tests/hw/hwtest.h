/*
 * Shared helpers of the hardware model tests (spec/i8237.md H1-H26 and the
 * device contract of <ndisdma/dma.h> in spec/host-api.md).
 *
 * Concept: tests program the controllers through port I/O exactly as a HAL
 * does (mask, clear flip-flop, mode, address, page, count, unmask), read back
 * through the ports where the hardware allows and through the snapshot
 * functions where it does not (base registers, mode, mask, command). A
 * recording device model plugs into a channel and keeps every callback with
 * a snapshot of the channel taken at the call. An event recorder keeps the
 * machine's observer events.
 *
 * Every helper asserts with cmocka, so a test that uses them fails at the
 * first wrong register value.
 */
#ifndef NDISDMA_TESTS_HWTEST_H
#define NDISDMA_TESTS_HWTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ndisdma/dma.h>
#include <ndisdma/errors.h>
#include <ndisdma/machine.h>

#include "hw/hw_regs.h"

/* --- machines --- */

/* A machine with @ram_bytes of RAM (0 = default); asserts success. */
ndisdma_machine *hwt_new(uint64_t ram_bytes);

/* cmocka setup/teardown: *state is a default machine (64 MiB). */
int hwt_setup(void **state);
int hwt_teardown(void **state);

/* --- ports of the PC/AT DMA (H1-H3) --- */

/* Controller index (0: channels 0-3, 1: channels 4-7) of @ch. */
static inline unsigned hwt_ctl_of(unsigned ch)
{
    return ch >> 2;
}
/* Port of register offset @reg (I8237_REG_*) of controller @ctl. */
uint16_t hwt_reg_port(unsigned ctl, unsigned reg);
uint16_t hwt_addr_port(unsigned ch);
uint16_t hwt_count_port(unsigned ch);
uint16_t hwt_page_port(unsigned ch);

/* --- register access as a HAL does it --- */

void hwt_clear_ff(ndisdma_machine *m, unsigned ch);
void hwt_set_mask(ndisdma_machine *m, unsigned ch, bool masked);  /* single mask register */
void hwt_set_mode(ndisdma_machine *m, unsigned ch, uint8_t mode); /* mode bits 7-2 */
void hwt_set_page(ndisdma_machine *m, unsigned ch, uint8_t page);
void hwt_sw_request(ndisdma_machine *m, unsigned ch, bool set); /* request register */
void hwt_command(ndisdma_machine *m, unsigned ctl, uint8_t value);
void hwt_master_clear(ndisdma_machine *m, unsigned ctl);
uint8_t hwt_read_status(ndisdma_machine *m, unsigned ctl);

/* Clear the flip-flop, then write/read low byte, high byte. */
void hwt_write_addr(ndisdma_machine *m, unsigned ch, uint16_t v);
void hwt_write_count(ndisdma_machine *m, unsigned ch, uint16_t v);
uint16_t hwt_read_addr(ndisdma_machine *m, unsigned ch);
uint16_t hwt_read_count(ndisdma_machine *m, unsigned ch);

/* Raw programming in HAL order: mask, clear flip-flop, mode, address low and
   high, page, count low and high. Leaves the channel masked. */
void hwt_setup_raw(ndisdma_machine *m, unsigned ch, uint8_t mode, uint16_t addr, uint8_t page,
                   uint16_t count);

/* Program @ch for @units units starting at physical @phys (even on 5-7) and
   unmask it. @mode: mode bits 7-2 (MODE_*). */
void hwt_program(ndisdma_machine *m, unsigned ch, uint8_t mode, uint64_t phys, uint32_t units);

/* Snapshots; assert success. */
ndisdma_dma_channel_state hwt_chan(const ndisdma_machine *m, unsigned ch);
ndisdma_dma_controller_state hwt_ctl(const ndisdma_machine *m, unsigned idx);
ndisdma_hw_stats hwt_stats(const ndisdma_machine *m);
/* Field by field equality of two snapshots (the structs have padding). */
void hwt_expect_same_channel(const ndisdma_dma_channel_state *a,
                             const ndisdma_dma_channel_state *b);
void hwt_expect_same_controller(const ndisdma_dma_controller_state *a,
                                const ndisdma_dma_controller_state *b);

/* --- RAM --- */

/* A byte pattern that differs between neighbouring bytes and between 256-byte
   blocks, so that misordered, shifted or repeated data shows. */
static inline uint8_t hwt_pat(uint32_t seed, size_t i)
{
    return (uint8_t)((uint32_t)i * 131u + ((uint32_t)i >> 8) * 71u + seed * 29u + 1u);
}
void hwt_fill_pat(ndisdma_machine *m, uint64_t phys, size_t len, uint32_t seed);
void hwt_fill_byte(ndisdma_machine *m, uint64_t phys, size_t len, uint8_t v);
/* RAM at @phys equals hwt_pat(seed, first + i) for i < len. */
void hwt_expect_pat(ndisdma_machine *m, uint64_t phys, size_t len, uint32_t seed, size_t first);
void hwt_expect_byte(ndisdma_machine *m, uint64_t phys, size_t len, uint8_t v);
void hwt_expect_bytes(ndisdma_machine *m, uint64_t phys, const uint8_t *exp, size_t len);

/* --- a recording device --- */

enum { HWT_TO_DEVICE = 1, HWT_FROM_DEVICE, HWT_TC };

typedef struct hwt_call {
    int kind;
    unsigned channel;
    size_t len;                   /* bytes offered */
    size_t ret;                   /* bytes taken or given */
    size_t offset;                /* device byte position before the call */
    ndisdma_dma_channel_state st; /* channel at the call */
} hwt_call;

#define HWT_MAX_CALLS 512

/* A log shared by several devices: the channels of data callbacks in order. */
typedef struct hwt_log {
    unsigned ch[4096];
    size_t n;
} hwt_log;

typedef struct hwt_dev hwt_dev;
/* Called inside a data callback after the device chose @take bytes; returns
   the bytes to take or give instead. May call the machine as callbacks may. */
typedef size_t (*hwt_hook)(hwt_dev *d, unsigned ch, size_t len, size_t take);

struct hwt_dev {
    ndisdma_machine *m;
    unsigned channel;
    uint8_t *rx; /* to_device: bytes received, in order */
    size_t rx_len, rx_cap;
    uint32_t tx_seed; /* from_device: gives hwt_pat(tx_seed, tx_pos + i) */
    size_t tx_pos;
    size_t per_call;  /* most bytes per call; 0 = all offered */
    size_t remaining; /* most bytes in total; SIZE_MAX = no limit */
    hwt_hook hook;
    void *user;
    hwt_log *log;
    hwt_call calls[HWT_MAX_CALLS]; /* data callbacks */
    size_t ncalls;
    size_t tc_count;
    ndisdma_dma_channel_state tc_state;   /* snapshot inside the last TC callback */
    uint16_t tc_port_addr, tc_port_count; /* read through the ports in the TC callback */
    bool tc_read_ports;
    void (*tc_hook)(hwt_dev *d, unsigned ch); /* called at the end of the TC callback */
};

extern const ndisdma_dma_device hwt_device_ops;

/* Initialise @d for machine @m with room for @rx_cap received bytes. */
void hwt_dev_init(hwt_dev *d, ndisdma_machine *m, size_t rx_cap);
void hwt_dev_free(hwt_dev *d);
/* Attach @d to @ch (asserts success). */
void hwt_dev_attach(hwt_dev *d, unsigned ch);
/* Total bytes given or taken by data callbacks. */
size_t hwt_dev_bytes(const hwt_dev *d);

/* --- observer events --- */

#define HWT_MAX_EVENTS 2048

typedef struct hwt_events {
    ndisdma_event ev[HWT_MAX_EVENTS];
    size_t n;         /* events kept */
    size_t count[16]; /* events seen, by kind */
    int id;
} hwt_events;

void hwt_events_attach(hwt_events *e, ndisdma_machine *m);
void hwt_events_detach(hwt_events *e, ndisdma_machine *m);
void hwt_events_reset(hwt_events *e);
/* The @nth (0-based) kept event of @kind, or NULL. */
const ndisdma_event *hwt_events_find(const hwt_events *e, ndisdma_event_kind kind, size_t nth);

#endif /* NDISDMA_TESTS_HWTEST_H */
