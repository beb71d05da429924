/*
 * The ports of the AT DMA controllers and page registers: the register
 * bodies their decoders run, and the accesses a caller makes with the port
 * known when it is compiled.
 *
 * Concept. nd_hw_io_write8/nd_hw_io_read8 decode a port through the bus
 * (iobus.h): a table lookup and an indirect call of the decoder of that
 * port, which for the registers a HAL uses on every transfer runs only that
 * register's body (hw.c). These ports belong to the hardware from power-on
 * (nd_hw_init maps them; nothing can map over them), so which body a port
 * runs never changes. nd_hw_dma_write8 and nd_hw_dma_read8 make the same
 * access - the same count in the port statistics, the same arbitration
 * generation, the same register body and the same report of an illegal
 * access - with the decode written out: when the caller names the port as a
 * constant (the HAL's port sequences, src/hal/controller.c, once per
 * channel) the compiler resolves it and the access is the body alone, with
 * no call. An access that is watched is the bus's: while observers are
 * attached (the bus's write tap, the read event) both are nd_hw_io_write8 /
 * nd_hw_io_read8 themselves. Ports other than the registers below go
 * through the bus as well.
 *
 * The decoders in hw.c run the same bodies (nd_hw_dma_*_write, _read), so
 * the two ways cannot drift apart; tests/hw/test_fast_paths.c compares them
 * on every port of both controllers and the page registers.
 */
#ifndef ND_HW_DMA_PORTS_H
#define ND_HW_DMA_PORTS_H

#include "hw/hw.h"
#include "hw/i8237.h"

/* Register offset A3-A0 of controller @idx at @port: SA0-SA3 on controller
   1, SA1-SA4 on controller 2 (whose odd ports never reach a handler here). */
static inline unsigned nd_hw_dma_reg(unsigned idx, uint16_t port)
{
    return idx ? (unsigned)(port - AT_DMA2_BASE) >> 1 : (unsigned)(port - AT_DMA1_BASE);
}

/* The report of an illegal mode write (hw.c), after the chip took it. */
void nd_hw_dma_mode_illegal(nd_hw *hw, unsigned idx, uint16_t port, uint8_t value,
                            nd_i8237_access why);

/* The report of a write of @value to register @reg of controller @idx that
   the chip answered with @why. A mode write is illegal only with a non-OK
   outcome, or when it takes channel 4 (the cascade input, mode register of
   controller 2) out of cascade mode; other writes never are. */
static inline void nd_hw_dma_write_check(nd_hw *hw, unsigned idx, uint16_t port, unsigned reg,
                                         uint8_t value, nd_i8237_access why)
{
    if (__builtin_expect(why != ND_I8237_OK || (reg == I8237_REG_MODE && idx == 1 &&
                                                (value & MODE_CHANNEL_MASK) == 0 &&
                                                (value & MODE_SEL_MASK) != MODE_CASCADE),
                         0))
        nd_hw_dma_mode_illegal(hw, idx, port, value, why);
}

/* Register write of controller @idx at @port, any register: the 8237's
   decode (i8237.c), one arbitration generation, and the report of an illegal
   mode. */
static inline void nd_hw_dma_reg_write(nd_hw *hw, unsigned idx, uint16_t port, uint8_t value)
{
    const unsigned reg = nd_hw_dma_reg(idx, port);
    nd_i8237_access why;
    hw->gen++;
    nd_i8237_write(&hw->dma.ctl[idx], reg, value, idx ? 0 : -1, &why);
    nd_hw_dma_write_check(hw, idx, port, reg, value, why);
}

/* The per-register bodies: what nd_hw_dma_reg_write (and the read decode in
   hw.c) do for that register (nd_i8237_read/nd_i8237_write run the same
   i8237.h bodies), without the decode. */
static inline uint8_t nd_hw_dma_addr_read(nd_hw *hw, unsigned idx, uint16_t port)
{
    return nd_i8237_read_addr(&hw->dma.ctl[idx], nd_hw_dma_reg(idx, port));
}

static inline uint8_t nd_hw_dma_count_read(nd_hw *hw, unsigned idx, uint16_t port)
{
    return nd_i8237_read_count(&hw->dma.ctl[idx], nd_hw_dma_reg(idx, port));
}

static inline void nd_hw_dma_addr_write(nd_hw *hw, unsigned idx, uint16_t port, uint8_t value)
{
    hw->gen++;
    nd_i8237_write_addr(&hw->dma.ctl[idx], nd_hw_dma_reg(idx, port), value);
}

static inline void nd_hw_dma_count_write(nd_hw *hw, unsigned idx, uint16_t port, uint8_t value)
{
    hw->gen++;
    nd_i8237_write_count(&hw->dma.ctl[idx], nd_hw_dma_reg(idx, port), value);
}

static inline void nd_hw_dma_single_mask_write(nd_hw *hw, unsigned idx, uint8_t value)
{
    hw->gen++;
    nd_i8237_write_single_mask(&hw->dma.ctl[idx], value);
}

static inline void nd_hw_dma_mode_write(nd_hw *hw, unsigned idx, uint16_t port, uint8_t value)
{
    hw->gen++;
    nd_i8237_access why = nd_i8237_write_mode(&hw->dma.ctl[idx], value, idx ? 0 : -1);
    nd_hw_dma_write_check(hw, idx, port, I8237_REG_MODE, value, why);
}

static inline void nd_hw_dma_clear_ff_write(nd_hw *hw, unsigned idx)
{
    hw->gen++;
    nd_i8237_clear_ff(&hw->dma.ctl[idx]);
}

/* Controller (0 or 1) of @port when it is one of a controller's decoded
   register ports, else -1. */
static inline int nd_hw_dma_port_ctl(uint16_t port)
{
    if (port <= AT_DMA1_LAST)
        return 0;
    if (port >= AT_DMA2_BASE && port <= AT_DMA2_LAST && !(port & 1u))
        return 1;
    return -1;
}

/*
 * nd_hw_dma_write8 - nd_hw_io_write8(@hw, @port, @value) with the decode of
 * the DMA controllers' address, count, single mask, mode and clear
 * flip-flop registers and of the page registers written out (see the
 * concept note); any other port, or any port while the bus has a write tap
 * (observers attached), goes through the bus. Meant for a constant @port.
 * Context: the thread that runs the machine; the caller serialises access
 * to the controller (the HAL's controller lock).
 */
static inline __attribute__((always_inline)) void nd_hw_dma_write8(nd_hw *hw, uint16_t port,
                                                                   uint8_t value)
{
    if (__builtin_expect(hw->io.tap != NULL, 0)) {
        nd_hw_io_write8(hw, port, value);
        return;
    }
    hw->stats.io_writes++;
    const int idx = nd_hw_dma_port_ctl(port);
    if (idx >= 0) {
        const unsigned reg = nd_hw_dma_reg((unsigned)idx, port);
        if (reg < I8237_REG_COMMAND) {
            if (reg & 1u)
                nd_hw_dma_count_write(hw, (unsigned)idx, port, value);
            else
                nd_hw_dma_addr_write(hw, (unsigned)idx, port, value);
            return;
        }
        switch (reg) {
        case I8237_REG_SINGLE_MASK:
            nd_hw_dma_single_mask_write(hw, (unsigned)idx, value);
            return;
        case I8237_REG_MODE:
            nd_hw_dma_mode_write(hw, (unsigned)idx, port, value);
            return;
        case I8237_REG_CLEAR_FF:
            nd_hw_dma_clear_ff_write(hw, (unsigned)idx);
            return;
        default:
            break;
        }
    } else if (port >= AT_PAGE_BASE && port <= AT_PAGE_LAST) {
        hw->dma.page[port - AT_PAGE_BASE] = value;
        return;
    }
    nd_iobus_write8(&hw->io, port, value);
}

/*
 * nd_hw_dma_read8 - nd_hw_io_read8(@hw, @port) with the decode of the DMA
 * controllers' address and count registers written out; any other port, or
 * any port while observers are attached (the read's event), goes through
 * the bus. Meant for a constant @port. Context as nd_hw_dma_write8.
 */
static inline __attribute__((always_inline)) uint8_t nd_hw_dma_read8(nd_hw *hw, uint16_t port)
{
    if (__builtin_expect(hw->obs.active != 0, 0))
        return nd_hw_io_read8(hw, port);
    hw->stats.io_reads++;
    const int idx = nd_hw_dma_port_ctl(port);
    if (idx >= 0) {
        const unsigned reg = nd_hw_dma_reg((unsigned)idx, port);
        if (reg < I8237_REG_COMMAND)
            return (reg & 1u) ? nd_hw_dma_count_read(hw, (unsigned)idx, port)
                              : nd_hw_dma_addr_read(hw, (unsigned)idx, port);
    }
    return nd_iobus_read8(&hw->io, port);
}

#endif /* ND_HW_DMA_PORTS_H */
