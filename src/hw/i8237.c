/*
 * Intel 8237A register decode and per-channel state changes.
 * See i8237.h for the concept; behaviour numbers refer to spec/i8237.md.
 */
#include "hw/i8237.h"

#include <string.h>

void nd_i8237_init(nd_i8237 *c, unsigned shift)
{
    memset(c, 0, sizeof *c);
    c->shift = (uint8_t)shift;
    for (unsigned i = 0; i < 4; i++)
        c->mode[i] = (uint8_t)i;
    nd_i8237_master_clear(c);
    nd_i8237_update_modes(c);
}

void nd_i8237_master_clear(nd_i8237 *c)
{
    /* H14. The datasheet's reset also leaves mode, address and count alone.
       Choice: the block latch, stall state and rotating-priority position are
       internal state of the same kind as the request register, so they are
       cleared too: after a master clear no transfer is in progress. */
    c->command = 0;
    c->tc = 0;
    c->sreq = 0;
    c->temp = 0;
    c->flipflop = 0;
    c->mask = 0x0F;
    c->block = 0;
    c->stall = 0;
    c->last = 3; /* so that rotating priority starts with channel 0 highest */
}

void nd_i8237_update_modes(nd_i8237 *c)
{
    uint8_t dm = 0, bm = 0;
    for (unsigned i = 0; i < 4; i++) {
        uint8_t sel = c->mode[i] & MODE_SEL_MASK;
        if (sel != MODE_CASCADE)
            dm |= (uint8_t)(1u << i);
        if (sel == MODE_BLOCK)
            bm |= (uint8_t)(1u << i);
    }
    c->dreq_modes = dm;
    c->block_modes = bm;
}

uint8_t nd_i8237_read(nd_i8237 *c, unsigned reg, nd_i8237_access *why)
{
    *why = ND_I8237_OK;
    reg &= 0x0F;
    if (reg < 8)
        return nd_i8237_read_counter(c, reg);
    switch (reg) {
    case I8237_REG_STATUS: {
        uint8_t s = nd_i8237_status(c);
        c->tc = 0; /* H11: TC bits cleared by every status read */
        return s;
    }
    case I8237_REG_TEMPORARY:
        return c->temp;
    default:
        /* 0x9, 0xA, 0xB, 0xC, 0xE, 0xF are write-only (H15). */
        *why = ND_I8237_WRITE_ONLY;
        return 0xFF;
    }
}

void nd_i8237_write(nd_i8237 *c, unsigned reg, uint8_t v, int cascade_input, nd_i8237_access *why)
{
    *why = ND_I8237_OK;
    reg &= 0x0F;
    if (reg < 8) {
        nd_i8237_write_counter(c, reg, v);
        return;
    }
    switch (reg) {
    case I8237_REG_COMMAND:
        /* H10: every bit is stored; 3, 5, 6, 7 only change timing/polarity. */
        c->command = v;
        break;
    case I8237_REG_REQUEST: {
        uint8_t bit = (uint8_t)(1u << (v & REQ_CHANNEL_MASK));
        if (v & REQ_SET) {
            c->sreq |= bit;
            c->stall &= (uint8_t)~bit; /* a new software request restarts the channel */
        } else {
            c->sreq &= (uint8_t)~bit;
        }
        break;
    }
    case I8237_REG_SINGLE_MASK:
        nd_i8237_write_single_mask(c, v);
        break;
    case I8237_REG_MODE:
        *why = nd_i8237_write_mode(c, v, cascade_input);
        break;
    case I8237_REG_CLEAR_FF:
        nd_i8237_clear_ff(c);
        break;
    case I8237_REG_MASTER_CLEAR:
        nd_i8237_master_clear(c);
        break;
    case I8237_REG_CLEAR_MASK:
        c->mask = 0;
        break;
    case I8237_REG_ALL_MASK:
        c->mask = v & 0x0F;
        break;
    default:
        break;
    }
}

bool nd_i8237_terminal(nd_i8237 *c, unsigned i)
{
    uint8_t bit = (uint8_t)(1u << i);
    c->tc |= bit;
    c->sreq &= (uint8_t)~bit;
    c->block &= (uint8_t)~bit;
    if (c->mode[i] & MODE_AUTOINIT) {
        c->cur_addr[i] = c->base_addr[i];
        c->cur_count[i] = c->base_count[i];
        return true;
    }
    c->mask |= bit;
    return false;
}
