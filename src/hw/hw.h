/*
 * The hardware layer as one object: RAM, the port space, the AT DMA pair,
 * the IRQ lines (pic.h) and the observers.
 *
 * Concept: nd_hw is everything in a PC/AT that knows nothing of Windows. The
 * machine (src/machine) embeds one and the layers above reach the hardware
 * only through its port I/O, its RAM and its DMA device interface, exactly as
 * a HAL does. The hardware has no clock of its own: the layer that owns
 * virtual time writes `now_ns` so that events carry a time stamp.
 */
#ifndef ND_HW_HW_H
#define ND_HW_HW_H

#include <stdbool.h>
#include <stdint.h>

#include <ndisdma/dma.h>
#include <ndisdma/machine.h>

#include "fault/fault.h"
#include "hw/atdma.h"
#include "hw/hw_regs.h"
#include "hw/iobus.h"
#include "hw/observe.h"
#include "hw/physmem.h"
#include "hw/pic.h"

/* Largest run of units one burst may cover: 65,536 units of 2 bytes. */
#define ND_HW_SCRATCH_BYTES ((size_t)128 * 1024)

typedef struct nd_hw {
    nd_physmem ram;
    nd_atdma dma;
    nd_observers obs;
    ndisdma_hw_stats stats;
    uint64_t now_ns; /* written by the owner of virtual time */
    /* During timed DMA service: bus time the first unit had already spent
       before now_ns (the clock's carry), so that a tracer can place bursts
       at their bus time; 0 otherwise. Written by the owner of virtual time. */
    uint64_t carry_ns;
    uint64_t gen; /* bumped by every change that may alter arbitration */
    uint8_t *scratch;
    int running;     /* inside the transfer engine */
    int serving;     /* channel whose data callback is running, or -1 */
    int eop_pending; /* external EOP seen during that callback */
    int reasserted;  /* that callback asserted its channel's DREQ */
    /* Set by the owner of virtual time when a callback during timed DMA
       service scheduled something (an event, an IRQ's delivery): the
       service returns after the current burst so that it happens on time. */
    int yield;
    /* During timed DMA service: bus time of one unit of the channel being
       served (0 when untimed). The engine advances now_ns by it for each
       unit moved (less carry_ns for the first), so callbacks and terminal
       count see the bus time of their burst. */
    uint64_t unit_ns;
    nd_iobus io;
    nd_pic pic;       /* IRQ lines 0-15 (pic.h) */
    nd_faults faults; /* fault injection (src/fault), seeded by the machine */
} nd_hw;

/* Build the hardware in its power-on state with @ram_bytes of zeroed RAM.
   Returns 0 or NDISDMA_ENOMEM. */
int nd_hw_init(nd_hw *hw, uint64_t ram_bytes);
void nd_hw_fini(nd_hw *hw);

/* One port access: counted (stats.io_reads / io_writes), raised to the
   observers (NDISDMA_EV_IO_READ / IO_WRITE), decoded by whatever claims the
   port (an undecoded port is an illegal access; a read of it gives 0xFF). */
uint8_t nd_hw_io_read8(nd_hw *hw, uint16_t port);
void nd_hw_io_write8(nd_hw *hw, uint16_t port, uint8_t value);

/* True for the ports of the DMA controllers and page registers (H1-H3):
   0x00-0x0F, 0x80-0x8F, 0xC0-0xDF. Only a write there can reprogram a
   channel. */
static inline bool nd_hw_is_dma_port(uint16_t port)
{
    if (port > AT_DMA2_LAST) /* a device's port: the usual case */
        return false;
    return port <= AT_DMA1_LAST || port >= AT_DMA2_BASE ||
           (port >= AT_PAGE_BASE && port <= AT_PAGE_LAST);
}

int nd_hw_dma_attach(nd_hw *hw, unsigned ch, const ndisdma_dma_device *dev, void *ctx);
int nd_hw_dma_detach(nd_hw *hw, unsigned ch);
void nd_hw_dma_eop(nd_hw *hw, unsigned ch);
int nd_hw_dma_get_channel(const nd_hw *hw, unsigned ch, ndisdma_dma_channel_state *out);
int nd_hw_dma_get_controller(const nd_hw *hw, unsigned idx, ndisdma_dma_controller_state *out);

/* The mask bit and the DREQ line of device channel @ch (0-3, 5-7): the
   fields `masked` and `dreq` of nd_hw_dma_get_channel, without building the
   rest of the snapshot. No side effect. */
static inline bool nd_hw_dma_masked(const nd_hw *hw, unsigned ch)
{
    return (hw->dma.ctl[ch >> 2].mask >> (ch & 3u)) & 1u;
}

static inline bool nd_hw_dma_dreq(const nd_hw *hw, unsigned ch)
{
    return (hw->dma.ctl[ch >> 2].dreq >> (ch & 3u)) & 1u;
}

/* The line change itself, without event (device channel @ch): set or clear
   the DREQ bit; an assertion also ends a stall (the device is ready again)
   and, during the data callback of @ch, tells the engine the line came back.
   Bumps the arbitration generation. */
static inline void nd_hw_dma_set_line(nd_hw *hw, unsigned ch, bool asserted)
{
    nd_i8237 *c = &hw->dma.ctl[ch >> 2];
    uint8_t bit = (uint8_t)(1u << (ch & 3u));
    if (asserted) {
        if (hw->serving == (int)ch)
            hw->reasserted = 1;
        c->dreq |= bit;
        c->stall &= (uint8_t)~bit; /* the device is ready again */
    } else {
        c->dreq &= (uint8_t)~bit;
    }
    hw->gen++;
}

/*
 * nd_hw_dma_request - drive the DREQ line of device channel @ch. A channel
 * that takes no device (4, above 7) is an illegal access (reported, nothing
 * changes); an injected DREQ storm bounces the line before it settles
 * asserted; an observer sees every change of the line (NDISDMA_EV_DREQ).
 * The usual call - a device channel, no observer attached and no storm
 * armed - is the inline part below: it sets or clears the line and bumps the
 * arbitration generation, exactly what the general path (nd_hw_dma_request_slow)
 * does in that case. The general path handles everything else.
 */
void nd_hw_dma_request_slow(nd_hw *hw, unsigned ch, bool asserted) __attribute__((noinline));

static inline void nd_hw_dma_request(nd_hw *hw, unsigned ch, bool asserted)
{
    bool general = ch >= NDISDMA_DMA_CHANNELS || ch == NDISDMA_DMA_CASCADE_CHANNEL ||
                   hw->obs.active != 0 ||
                   (asserted && (hw->faults.armed & (1u << NDISDMA_FAULT_DREQ_STORM)) != 0);
    if (__builtin_expect(general, 0)) {
        nd_hw_dma_request_slow(hw, ch, asserted);
        return;
    }
    nd_hw_dma_set_line(hw, ch, asserted);
}

/* Record an illegal access (counters and an event). Out of line and cold:
   it is never the path a correct program takes, and inlined it would give
   its callers the event's stack frame. */
void nd_hw_illegal(nd_hw *hw, ndisdma_illegal why, uint16_t port, uint8_t value, uint8_t channel)
    __attribute__((noinline, cold));

static inline void nd_hw_emit(nd_hw *hw, ndisdma_event *ev)
{
    ev->time_ns = hw->now_ns;
    nd_observers_emit(&hw->obs, ev);
}

#endif /* ND_HW_HW_H */
