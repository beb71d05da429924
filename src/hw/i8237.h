/*
 * One Intel 8237A DMA controller: its registers and register decode.
 *
 * Concept: the chip holds four channels, each with base and current address
 * and count registers (16 bits), a mode register, and one bit in each of the
 * mask, request (software) and TC status registers. The CPU reaches them
 * through 16 register offsets (A3-A0); the byte-pointer flip-flop picks the
 * low or high byte of the 16-bit registers. This file decodes register
 * accesses and implements the per-channel state changes (terminal count,
 * autoinitialize, arbitration by priority). Moving data is the transfer
 * engine's job (dma_engine.c), and wiring two chips into a PC/AT is atdma.c.
 *
 * `shift` is the only difference between the AT's two chips: 0 on controller
 * 1 (bytes), 1 on controller 2 (16-bit words, A0-A3 on SA1-SA4, page bit 0
 * ignored, address shifted left by one: H2, H17).
 */
#ifndef ND_HW_I8237_H
#define ND_HW_I8237_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include "hw/hw_regs.h"

typedef struct nd_i8237 {
    uint16_t base_addr[4];
    uint16_t base_count[4];
    uint16_t cur_addr[4];
    uint16_t cur_count[4];
    uint8_t mode[4]; /* bits 7-2 as written; bits 1-0 hold the channel number */
    uint8_t command;
    uint8_t tc;       /* status bits 0-3 */
    uint8_t sreq;     /* software request bits */
    uint8_t dreq;     /* hardware DREQ inputs (bit 0 of the master: the slave's HRQ) */
    uint8_t mask;     /* mask bits */
    uint8_t block;    /* block transfer in progress (latched until TC/EOP) */
    uint8_t stall;    /* device returned short: wait for DREQ to be asserted again */
    uint8_t flipflop; /* 0: next access is the low byte */
    uint8_t temp;     /* temporary register */
    uint8_t last;     /* channel served last (rotating priority) */
    /* Derived from mode[] on every mode write, for a cheap ready test. */
    uint8_t dreq_modes;  /* demand, single or block */
    uint8_t block_modes; /* block */
    uint8_t shift;       /* 0: byte controller, 1: word controller */
    /* Sized to 64 bytes, so that &ctl[ch >> 2] is a shift rather than a
       multiply. */
    uint8_t reserved[15];
} nd_i8237;

static_assert(sizeof(nd_i8237) == 64, "nd_i8237 is sized for indexing by shift");

/* Outcome of one register access, for the trace. */
typedef enum nd_i8237_access {
    ND_I8237_OK = 0,
    ND_I8237_WRITE_ONLY,    /* read of a write-only register: returned 0xFF */
    ND_I8237_ILLEGAL_TYPE,  /* mode write with transfer type 11 */
    ND_I8237_CASCADE_NOT_4, /* cascade mode written to a channel that is not the cascade input */
} nd_i8237_access;

/* Power-on: registers zero, master clear (H5, H14). */
void nd_i8237_init(nd_i8237 *c, unsigned shift);

/* Master clear (H14): command, status, request, temporary and flip-flop
   cleared, all masks set; mode, address and count kept. */
void nd_i8237_master_clear(nd_i8237 *c);

/* Register read at offset @reg (0-15). Side effects as on the chip (flip-flop
   toggle, status TC bits cleared). *@why tells whether the access was legal. */
uint8_t nd_i8237_read(nd_i8237 *c, unsigned reg, nd_i8237_access *why);

/* Register write at offset @reg (0-15). @cascade_input: the channel that is
   wired as a cascade input on this chip (0 on the AT master, -1 otherwise). */
void nd_i8237_write(nd_i8237 *c, unsigned reg, uint8_t v, int cascade_input, nd_i8237_access *why);

/*
 * Per-register entry points: the bodies of nd_i8237_read/nd_i8237_write for
 * the registers a HAL uses on every transfer, inline so that a port decoder
 * that already knows the register (hw.c) runs only that register's body.
 * nd_i8237_read/nd_i8237_write use the same functions.
 */

/* Byte @hi (0: bits 7-0, 1: bits 15-8) of the 16-bit register @r := @v. On
   a little-endian host that is a byte store at the byte's own address
   (uint8_t may alias any object); otherwise the same by shift and mask. */
static inline void nd_i8237_set_byte(uint16_t *r, unsigned hi, uint8_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    ((uint8_t *)r)[hi] = v;
#else
    *r = hi ? (uint16_t)((*r & 0x00FF) | (uint16_t)v << 8) : (uint16_t)((*r & 0xFF00) | v);
#endif
}

/* H6, H7: write of a 16-bit register pair (@base, @cur: base and current
   alike); one flip-flop for all eight registers picks the byte, low first.
   flipflop only ever holds 0 or 1. */
static inline void nd_i8237_write_pair(nd_i8237 *c, uint16_t *base, uint16_t *cur, uint8_t v)
{
    unsigned hi = c->flipflop;
    nd_i8237_set_byte(base, hi, v);
    nd_i8237_set_byte(cur, hi, v);
    c->flipflop = (uint8_t)(hi ^ 1u);
}

/* H6, H7: read of a 16-bit current register @cur: the byte picked by the
   flip-flop, which toggles. */
static inline uint8_t nd_i8237_read_pair(nd_i8237 *c, const uint16_t *cur)
{
    unsigned hi = c->flipflop;
    c->flipflop = (uint8_t)(hi ^ 1u);
    return (uint8_t)(*cur >> (hi << 3));
}

/* Address (even @reg 0-6) and count (odd @reg 1-7) registers of channel
   @reg / 2, for a decoder that knows which of the two it has. */
static inline void nd_i8237_write_addr(nd_i8237 *c, unsigned reg, uint8_t v)
{
    unsigned ch = (reg >> 1) & 3u;
    nd_i8237_write_pair(c, &c->base_addr[ch], &c->cur_addr[ch], v);
}

static inline void nd_i8237_write_count(nd_i8237 *c, unsigned reg, uint8_t v)
{
    unsigned ch = (reg >> 1) & 3u;
    nd_i8237_write_pair(c, &c->base_count[ch], &c->cur_count[ch], v);
}

static inline uint8_t nd_i8237_read_addr(nd_i8237 *c, unsigned reg)
{
    return nd_i8237_read_pair(c, &c->cur_addr[(reg >> 1) & 3u]);
}

static inline uint8_t nd_i8237_read_count(nd_i8237 *c, unsigned reg)
{
    return nd_i8237_read_pair(c, &c->cur_count[(reg >> 1) & 3u]);
}

/* Write/read of address/count register @reg (0-7). */
static inline void nd_i8237_write_counter(nd_i8237 *c, unsigned reg, uint8_t v)
{
    if (reg & 1)
        nd_i8237_write_count(c, reg, v);
    else
        nd_i8237_write_addr(c, reg, v);
}

static inline uint8_t nd_i8237_read_counter(nd_i8237 *c, unsigned reg)
{
    return (reg & 1) ? nd_i8237_read_count(c, reg) : nd_i8237_read_addr(c, reg);
}

/* Single mask register: set or clear one channel's mask bit. */
static inline void nd_i8237_write_single_mask(nd_i8237 *c, uint8_t v)
{
    uint8_t bit = (uint8_t)(1u << (v & MASK_CHANNEL_MASK));
    if (v & MASK_SET)
        c->mask |= bit;
    else
        c->mask &= (uint8_t)~bit;
}

/* Mode register of channel v & 3. @cascade_input as for nd_i8237_write.
   Returns whether the write was legal (the chip takes it either way). */
static inline nd_i8237_access nd_i8237_write_mode(nd_i8237 *c, uint8_t v, int cascade_input)
{
    unsigned ch = v & MODE_CHANNEL_MASK;
    uint8_t bit = (uint8_t)(1u << ch);
    uint8_t sel = v & MODE_SEL_MASK;
    c->mode[ch] = v;
    /* Choice: a new mode ends a block latch on that channel; the program
       that rewrites a mode is setting up a new transfer. */
    c->block &= (uint8_t)~bit;
    /* nd_i8237_update_modes for this channel only: the others are unchanged. */
    c->dreq_modes = (uint8_t)((c->dreq_modes & ~bit) | (sel != MODE_CASCADE ? bit : 0));
    c->block_modes = (uint8_t)((c->block_modes & ~bit) | (sel == MODE_BLOCK ? bit : 0));
    if (sel == MODE_CASCADE)
        return (int)ch != cascade_input ? ND_I8237_CASCADE_NOT_4 : ND_I8237_OK;
    return (v & MODE_TYPE_MASK) == MODE_TYPE_ILLEGAL ? ND_I8237_ILLEGAL_TYPE : ND_I8237_OK;
}

/* Clear byte pointer flip-flop: the next address/count access is the low byte. */
static inline void nd_i8237_clear_ff(nd_i8237 *c)
{
    c->flipflop = 0;
}

/* Status register as a read would return it, without the side effect. */
static inline uint8_t nd_i8237_status(const nd_i8237 *c)
{
    return (uint8_t)((c->tc & STATUS_TC_MASK) | ((c->dreq | c->sreq) & 0x0F) << STATUS_REQ_SHIFT);
}

/* Channels that may be granted the bus now (bit per channel), ignoring the
   cascade input, which the pair handles: H12, H13, H22. */
static inline uint8_t nd_i8237_ready(const nd_i8237 *c)
{
    if (c->command & CMD_DISABLE)
        return 0;
    uint8_t r = (uint8_t)(((c->dreq & c->dreq_modes) | (c->block & c->block_modes)) & ~c->mask);
    r |= c->sreq & c->block_modes;
    return (uint8_t)(r & ~c->stall & 0x0F);
}

/* Pick the channel that wins arbitration among @ready (non-zero): fixed
   priority, channel 0 highest, or rotating (H23). */
static inline unsigned nd_i8237_pick(const nd_i8237 *c, uint8_t ready)
{
    if (!(c->command & CMD_ROTATING))
        return (unsigned)__builtin_ctz(ready);
    unsigned start = (c->last + 1u) & 3u;
    unsigned rot = ((unsigned)ready | ((unsigned)ready << 4)) >> start;
    return (start + (unsigned)__builtin_ctz(rot)) & 3u;
}

/* End of a transfer on channel @i by terminal count or external EOP (H19,
   H20, H25): TC status bit set, software request and block latch cleared,
   then either reload from the base registers (autoinitialize, mask kept) or
   mask set. Returns true when the channel was reloaded. */
bool nd_i8237_terminal(nd_i8237 *c, unsigned i);

/* Re-derive dreq_modes/block_modes from mode[] (after a mode write). */
void nd_i8237_update_modes(nd_i8237 *c);

#endif /* ND_HW_I8237_H */
