/*
 * The hardware layer: power-on, port decode of the DMA controllers and page
 * registers, DREQ/EOP lines and device attachment. See hw.h.
 */
#include "hw/hw.h"

#include <stdlib.h>
#include <string.h>

static const char *const illegal_msg[] = {"no illegal access",
#define X(name, msg) msg,
                                          NDISDMA_ILLEGAL_LIST(X)
#undef X
};

const char *ndisdma_illegal_str(int reason)
{
    if (reason < 0 || reason >= NDISDMA_ILLEGAL_COUNT)
        return "unknown illegal access";
    return illegal_msg[reason];
}

void nd_hw_illegal(nd_hw *hw, ndisdma_illegal why, uint16_t port, uint8_t value, uint8_t channel)
{
    hw->stats.illegal++;
    hw->stats.illegal_by_reason[why]++;
    if (hw->obs.active) {
        ndisdma_event ev = {.kind = NDISDMA_EV_ILLEGAL,
                            .port = port,
                            .value = value,
                            .channel = channel,
                            .reason = (uint8_t)why};
        nd_hw_emit(hw, &ev);
    }
}

/* --- port decode of the two controllers (H1, H2, H15) --- */

/* Both handlers are also inlined into nd_hw_io_read8/write8 (see there). */
static inline __attribute__((always_inline)) uint8_t dma_port_read(void *ctx, uint16_t port)
{
    nd_hw *hw = ctx;
    unsigned idx = port >= AT_DMA2_BASE;
    unsigned reg = idx ? (unsigned)(port - AT_DMA2_BASE) >> 1 : (unsigned)(port - AT_DMA1_BASE);
    if (idx && (port & 1)) {
        nd_hw_illegal(hw, NDISDMA_ILLEGAL_UNDECODED_PORT, port, 0xFF, 0xFF);
        return 0xFF;
    }
    if (idx && reg == I8237_REG_STATUS)
        nd_atdma_sync_cascade(&hw->dma);
    nd_i8237_access why;
    uint8_t v = nd_i8237_read(&hw->dma.ctl[idx], reg, &why);
    if (why == ND_I8237_WRITE_ONLY)
        nd_hw_illegal(hw, NDISDMA_ILLEGAL_READ_WRITE_ONLY, port, 0xFF, 0xFF);
    return v;
}

/* flatten: the 8237's register decode (nd_i8237_write, i8237.c) is inlined
   here too; it stays in its own file, the compiler only copies it. */
static inline __attribute__((always_inline, flatten)) void dma_port_write(void *ctx, uint16_t port,
                                                                          uint8_t value)
{
    nd_hw *hw = ctx;
    unsigned idx = port >= AT_DMA2_BASE;
    unsigned reg = idx ? (unsigned)(port - AT_DMA2_BASE) >> 1 : (unsigned)(port - AT_DMA1_BASE);
    if (idx && (port & 1)) {
        nd_hw_illegal(hw, NDISDMA_ILLEGAL_UNDECODED_PORT, port, value, 0xFF);
        return;
    }
    nd_i8237_access why;
    nd_i8237_write(&hw->dma.ctl[idx], reg, value, idx ? 0 : -1, &why);
    hw->gen++;
    if (reg == I8237_REG_MODE) {
        uint8_t ch = (uint8_t)(idx * 4 + (value & MODE_CHANNEL_MASK));
        if (why == ND_I8237_CASCADE_NOT_4)
            nd_hw_illegal(hw, NDISDMA_ILLEGAL_CASCADE_NOT_4, port, value, ch);
        else if (ch == NDISDMA_DMA_CASCADE_CHANNEL && (value & MODE_SEL_MASK) != MODE_CASCADE)
            nd_hw_illegal(hw, NDISDMA_ILLEGAL_CHANNEL4_NOT_CASCADE, port, value, ch);
        else if (why == ND_I8237_ILLEGAL_TYPE)
            nd_hw_illegal(hw, NDISDMA_ILLEGAL_ILLEGAL_XFER_TYPE, port, value, ch);
    }
}

/* H3: eight page registers among sixteen readable latches. */
static uint8_t page_port_read(void *ctx, uint16_t port)
{
    nd_hw *hw = ctx;
    return hw->dma.page[port - AT_PAGE_BASE];
}

static void page_port_write(void *ctx, uint16_t port, uint8_t value)
{
    nd_hw *hw = ctx;
    hw->dma.page[port - AT_PAGE_BASE] = value;
}

/* Raise an injected fault (src/fault) to the observers. */
static void fault_emit(void *ctx, ndisdma_fault kind, int channel)
{
    nd_hw *hw = ctx;
    if (!hw->obs.active)
        return;
    ndisdma_event ev = {0};
    ev.kind = NDISDMA_EV_FAULT;
    ev.time_ns = hw->now_ns;
    ev.name = ndisdma_fault_name(kind);
    ev.status = (int64_t)kind;
    ev.channel = channel < 0 ? 0xFF : (uint8_t)channel;
    nd_observers_emit(&hw->obs, &ev);
}

int nd_hw_init(nd_hw *hw, uint64_t ram_bytes)
{
    memset(hw, 0, sizeof *hw);
    hw->serving = -1;
    nd_iobus_init(&hw->io);
    nd_atdma_init(&hw->dma);
    nd_pic_init(&hw->pic);
    nd_faults_init(&hw->faults, 0);
    nd_faults_set_emit(&hw->faults, fault_emit, hw);
    if (nd_physmem_init(&hw->ram, ram_bytes) != 0)
        return NDISDMA_ENOMEM;
    hw->scratch = malloc(ND_HW_SCRATCH_BYTES);
    if (!hw->scratch) {
        nd_physmem_fini(&hw->ram);
        return NDISDMA_ENOMEM;
    }
    static const ndisdma_io_handler dma_ports = {dma_port_read, dma_port_write};
    static const ndisdma_io_handler page_ports = {page_port_read, page_port_write};
    /* The ranges are free on a new bus, so these cannot fail. */
    nd_iobus_map(&hw->io, AT_DMA1_BASE, AT_DMA1_LAST - AT_DMA1_BASE + 1, &dma_ports, hw);
    nd_iobus_map(&hw->io, AT_DMA2_BASE, AT_DMA2_LAST - AT_DMA2_BASE + 1, &dma_ports, hw);
    nd_iobus_map(&hw->io, AT_PAGE_BASE, AT_PAGE_LAST - AT_PAGE_BASE + 1, &page_ports, hw);
    return 0;
}

void nd_hw_fini(nd_hw *hw)
{
    nd_physmem_fini(&hw->ram);
    free(hw->scratch);
    hw->scratch = NULL;
}

/* The observer event of a port access, out of line: the accessors below
   build it only while an observer is attached, and keeping the event off
   their stack frame keeps them small (a HAL transfer is a dozen accesses). */
__attribute__((noinline)) static void io_emit(nd_hw *hw, ndisdma_event_kind kind, uint16_t port,
                                              uint8_t value)
{
    ndisdma_event ev = {.kind = kind, .port = port, .value = value, .channel = 0xFF};
    nd_hw_emit(hw, &ev);
}

uint8_t nd_hw_io_read8(nd_hw *hw, uint16_t port)
{
    uint8_t v = 0xFF;
    unsigned id = hw->io.map[port];
    hw->stats.io_reads++;
    if (id) {
        const nd_io_slot *s = &hw->io.slot[id];
        /* The DMA controllers' handler is called directly (and inlined), as
           in nd_hw_io_write8: the same call, without the indirect jump. */
        if (s->h.read8 == dma_port_read)
            v = dma_port_read(hw, port);
        else if (s->h.read8)
            v = s->h.read8(s->ctx, port);
    } else {
        nd_hw_illegal(hw, NDISDMA_ILLEGAL_UNDECODED_PORT, port, 0xFF, 0xFF);
    }
    if (hw->obs.active)
        io_emit(hw, NDISDMA_EV_IO_READ, port, v);
    return v;
}

void nd_hw_io_write8(nd_hw *hw, uint16_t port, uint8_t value)
{
    unsigned id = hw->io.map[port];
    hw->stats.io_writes++;
    if (hw->obs.active)
        io_emit(hw, NDISDMA_EV_IO_WRITE, port, value);
    if (id) {
        const nd_io_slot *s = &hw->io.slot[id];
        /* The DMA controllers' and page registers' own handlers are called
           directly (and inlined): a HAL programs a channel with ten port
           writes per transfer. */
        if (s->h.write8 == dma_port_write)
            dma_port_write(hw, port, value);
        else if (s->h.write8 == page_port_write)
            page_port_write(hw, port, value);
        else if (s->h.write8)
            s->h.write8(s->ctx, port, value);
    } else {
        nd_hw_illegal(hw, NDISDMA_ILLEGAL_UNDECODED_PORT, port, value, 0xFF);
    }
}

/* --- DMA lines and devices --- */

static bool device_channel(unsigned ch)
{
    return ch < NDISDMA_DMA_CHANNELS && ch != NDISDMA_DMA_CASCADE_CHANNEL;
}

int nd_hw_dma_attach(nd_hw *hw, unsigned ch, const ndisdma_dma_device *dev, void *ctx)
{
    if (!dev)
        return NDISDMA_EINVAL;
    if (!device_channel(ch))
        return NDISDMA_ECHANNEL;
    if (hw->dma.dev[ch].attached || hw->running)
        return NDISDMA_EBUSY;
    hw->dma.dev[ch] = (nd_dma_dev){.d = *dev, .ctx = ctx, .attached = true};
    hw->gen++;
    return 0;
}

int nd_hw_dma_detach(nd_hw *hw, unsigned ch)
{
    if (!device_channel(ch))
        return NDISDMA_ECHANNEL;
    if (!hw->dma.dev[ch].attached)
        return NDISDMA_ENODEV;
    if (hw->running)
        return NDISDMA_EBUSY;
    nd_hw_dma_request(hw, ch, false);
    memset(&hw->dma.dev[ch], 0, sizeof hw->dma.dev[ch]);
    hw->gen++;
    return 0;
}

static void set_dreq(nd_hw *hw, unsigned ch, bool asserted);

void nd_hw_dma_request(nd_hw *hw, unsigned ch, bool asserted)
{
    if (!device_channel(ch)) {
        nd_hw_illegal(hw, NDISDMA_ILLEGAL_BAD_CHANNEL, 0, asserted,
                      (uint8_t)(ch > 0xFF ? 0xFF : ch));
        return;
    }
    /* Injected DREQ storm: the line bounces before it settles asserted. */
    if (asserted && ND_FAULT_HIT(&hw->faults, NDISDMA_FAULT_DREQ_STORM, (int)ch)) {
        for (unsigned i = 0; i < ND_FAULT_STORM_TOGGLES; i++) {
            set_dreq(hw, ch, true);
            set_dreq(hw, ch, false);
        }
    }
    set_dreq(hw, ch, asserted);
}

/* Drive the DREQ line of device channel @ch. */
static void set_dreq(nd_hw *hw, unsigned ch, bool asserted)
{
    nd_i8237 *c = nd_atdma_ctl(&hw->dma, ch);
    uint8_t bit = (uint8_t)(1u << (ch & 3));
    uint8_t before = c->dreq & bit;
    if (asserted) {
        if (hw->serving == (int)ch)
            hw->reasserted = 1;
        c->dreq |= bit;
        c->stall &= (uint8_t)~bit; /* the device is ready again */
    } else {
        c->dreq &= (uint8_t)~bit;
    }
    hw->gen++;
    if (hw->obs.active && (before != 0) != asserted) {
        ndisdma_event ev = {.kind = NDISDMA_EV_DREQ, .channel = (uint8_t)ch, .value = asserted};
        nd_hw_emit(hw, &ev);
    }
}

void nd_hw_dma_eop(nd_hw *hw, unsigned ch)
{
    if (hw->running && hw->serving == (int)ch) {
        hw->eop_pending = 1;
        hw->gen++;
        return;
    }
    nd_hw_illegal(hw, NDISDMA_ILLEGAL_EOP_OUTSIDE_SERVICE, 0, 0, (uint8_t)ch);
    if (hw->obs.active) {
        ndisdma_event ev = {.kind = NDISDMA_EV_EOP_IGNORED, .channel = (uint8_t)ch};
        nd_hw_emit(hw, &ev);
    }
}

int nd_hw_dma_get_channel(const nd_hw *hw, unsigned ch, ndisdma_dma_channel_state *out)
{
    if (!out)
        return NDISDMA_EINVAL;
    if (ch >= NDISDMA_DMA_CHANNELS)
        return NDISDMA_ECHANNEL;
    const nd_i8237 *c = &hw->dma.ctl[ch >> 2];
    unsigned i = ch & 3;
    uint8_t bit = (uint8_t)(1u << i);
    uint8_t dreq = c->dreq;
    if (ch == NDISDMA_DMA_CASCADE_CHANNEL)
        dreq = nd_atdma_slave_hrq(&hw->dma) ? 1 : 0;
    *out = (ndisdma_dma_channel_state){
        .base_address = c->base_addr[i],
        .base_count = c->base_count[i],
        .current_address = c->cur_addr[i],
        .current_count = c->cur_count[i],
        .mode = (uint8_t)(c->mode[i] & ~MODE_CHANNEL_MASK),
        .page = hw->dma.page[nd_at_page_index[ch]],
        .masked = (c->mask & bit) != 0,
        .terminal_count = (c->tc & bit) != 0,
        .dreq = (dreq & bit) != 0,
        .software_request = (c->sreq & bit) != 0,
        .block_active = (c->block & bit) != 0,
        .stalled = (c->stall & bit) != 0,
        .has_device = hw->dma.dev[ch].attached,
        .next_phys = nd_atdma_phys(&hw->dma, ch, c->cur_addr[i]),
    };
    return 0;
}

int nd_hw_dma_get_controller(const nd_hw *hw, unsigned idx, ndisdma_dma_controller_state *out)
{
    if (!out || idx > 1)
        return NDISDMA_EINVAL;
    nd_i8237 c = hw->dma.ctl[idx];
    if (idx == 1) {
        c.dreq = (uint8_t)(c.dreq & ~1u);
        if (nd_atdma_slave_hrq(&hw->dma))
            c.dreq |= 1;
    }
    *out = (ndisdma_dma_controller_state){
        .command = c.command,
        .status = nd_i8237_status(&c),
        .mask = c.mask,
        .request = c.sreq,
        .temporary = c.temp,
        .flipflop = c.flipflop != 0,
    };
    return 0;
}
