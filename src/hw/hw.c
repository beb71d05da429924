/*
 * The hardware layer: power-on, port decode of the DMA controllers and page
 * registers, DREQ/EOP lines and device attachment. See hw.h.
 */
#include "hw/hw.h"

#include "hw/dma_ports.h"

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

/* --- port decode of the two controllers (H1, H2, H15) and the page registers --- */

/* Every handler below is called through the bus (nd_iobus_read8/write8): one per
   decoder, so that the access path does no comparison to find it. Each
   controller's range is one mapping whose handlers decode any register
   (dma_read, nd_hw_dma_reg_write); the registers a HAL uses on every transfer
   (address, count, single mask, mode, clear flip-flop) have decoders of their
   own that run only that register's body, the same inline function of
   i8237.h that nd_i8237_read/nd_i8237_write run for it, and controller 2's
   odd ports, which it does not decode, go to the bus's undecoded-port
   handlers. */

/* Register read of controller @idx at @port, any register. */
static inline uint8_t dma_read(nd_hw *hw, unsigned idx, uint16_t port)
{
    nd_i8237_access why;
    uint8_t v = nd_i8237_read(&hw->dma.ctl[idx], nd_hw_dma_reg(idx, port), &why);
    if (__builtin_expect(why == ND_I8237_WRITE_ONLY, 0))
        nd_hw_illegal(hw, NDISDMA_ILLEGAL_READ_WRITE_ONLY, port, 0xFF, 0xFF);
    return v;
}

/* The illegal mode writes (dma_ports.h), reported after the write (as the
   chip took it). */
__attribute__((noinline, cold)) void nd_hw_dma_mode_illegal(nd_hw *hw, unsigned idx, uint16_t port,
                                                            uint8_t value, nd_i8237_access why)
{
    uint8_t ch = (uint8_t)(idx * 4 + (value & MODE_CHANNEL_MASK));
    if (why == ND_I8237_CASCADE_NOT_4)
        nd_hw_illegal(hw, NDISDMA_ILLEGAL_CASCADE_NOT_4, port, value, ch);
    else if (ch == NDISDMA_DMA_CASCADE_CHANNEL && (value & MODE_SEL_MASK) != MODE_CASCADE)
        nd_hw_illegal(hw, NDISDMA_ILLEGAL_CHANNEL4_NOT_CASCADE, port, value, ch);
    else if (why == ND_I8237_ILLEGAL_TYPE)
        nd_hw_illegal(hw, NDISDMA_ILLEGAL_ILLEGAL_XFER_TYPE, port, value, ch);
}

/* Controller 1: ports 0x00-0x0F are its sixteen registers (A0-A3 = SA0-SA3). */
static uint8_t dma1_port_read(void *ctx, uint16_t port)
{
    return dma_read(ctx, 0, port);
}

static void dma1_port_write(void *ctx, uint16_t port, uint8_t value)
{
    nd_hw_dma_reg_write(ctx, 0, port, value);
}

/* Controller 2: even ports 0xC0-0xDE (A0-A3 = SA1-SA4); its odd ports are
   routed to the undecoded-port handlers. Its status read first brings the
   cascade input up to date. */
static uint8_t dma2_port_read(void *ctx, uint16_t port)
{
    nd_hw *hw = ctx;
    if (nd_hw_dma_reg(1, port) == I8237_REG_STATUS)
        nd_atdma_sync_cascade(&hw->dma);
    return dma_read(hw, 1, port);
}

static void dma2_port_write(void *ctx, uint16_t port, uint8_t value)
{
    nd_hw_dma_reg_write(ctx, 1, port, value);
}

/* The per-register decoders of controller @idx, named dma<n>_*: the same
   seven trampolines for both controllers, each with its index a constant. */
#define DMA_REGISTER_DECODERS(n, idx)                                                              \
    static uint8_t dma##n##_addr_read(void *ctx, uint16_t port)                                    \
    {                                                                                              \
        return nd_hw_dma_addr_read(ctx, idx, port);                                                \
    }                                                                                              \
    static uint8_t dma##n##_count_read(void *ctx, uint16_t port)                                   \
    {                                                                                              \
        return nd_hw_dma_count_read(ctx, idx, port);                                               \
    }                                                                                              \
    static void dma##n##_addr_write(void *ctx, uint16_t port, uint8_t value)                       \
    {                                                                                              \
        nd_hw_dma_addr_write(ctx, idx, port, value);                                               \
    }                                                                                              \
    static void dma##n##_count_write(void *ctx, uint16_t port, uint8_t value)                      \
    {                                                                                              \
        nd_hw_dma_count_write(ctx, idx, port, value);                                              \
    }                                                                                              \
    static void dma##n##_single_mask_write(void *ctx, uint16_t port, uint8_t value)                \
    {                                                                                              \
        (void)port;                                                                                \
        nd_hw_dma_single_mask_write(ctx, idx, value);                                              \
    }                                                                                              \
    static void dma##n##_mode_write(void *ctx, uint16_t port, uint8_t value)                       \
    {                                                                                              \
        nd_hw_dma_mode_write(ctx, idx, port, value);                                               \
    }                                                                                              \
    static void dma##n##_clear_ff_write(void *ctx, uint16_t port, uint8_t value)                   \
    {                                                                                              \
        (void)port;                                                                                \
        (void)value;                                                                               \
        nd_hw_dma_clear_ff_write(ctx, idx);                                                        \
    }

DMA_REGISTER_DECODERS(1, 0)
DMA_REGISTER_DECODERS(2, 1)

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

/* Slot 0 of the bus: nothing decodes the port. */
static uint8_t undecoded_read(void *ctx, uint16_t port)
{
    nd_hw_illegal(ctx, NDISDMA_ILLEGAL_UNDECODED_PORT, port, 0xFF, 0xFF);
    return 0xFF;
}

static void undecoded_write(void *ctx, uint16_t port, uint8_t value)
{
    nd_hw_illegal(ctx, NDISDMA_ILLEGAL_UNDECODED_PORT, port, value, 0xFF);
}

static const ndisdma_io_handler undecoded_ports = {undecoded_read, undecoded_write};

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

/* @n ports of mapping @id from @first, @stride apart, decode to a decoder of
   their own with handlers @h. On a new bus there is room (ND_IOBUS_EXTRA). */
static void route_ports(nd_hw *hw, int id, const ndisdma_io_handler *h, uint16_t first, unsigned n,
                        unsigned stride)
{
    const int d = nd_iobus_decoder(&hw->io, id, h, hw);
    for (unsigned i = 0; i < n; i++)
        nd_iobus_route(&hw->io, d, (uint16_t)(first + i * stride));
}

/* The per-register decoders of controller @idx, mapped as @id. */
static void route_registers(nd_hw *hw, int id, unsigned idx)
{
    static const ndisdma_io_handler addr[2] = {{dma1_addr_read, dma1_addr_write},
                                               {dma2_addr_read, dma2_addr_write}};
    static const ndisdma_io_handler count[2] = {{dma1_count_read, dma1_count_write},
                                                {dma2_count_read, dma2_count_write}};
    static const ndisdma_io_handler single_mask[2] = {{dma1_port_read, dma1_single_mask_write},
                                                      {dma2_port_read, dma2_single_mask_write}};
    static const ndisdma_io_handler mode[2] = {{dma1_port_read, dma1_mode_write},
                                               {dma2_port_read, dma2_mode_write}};
    static const ndisdma_io_handler clear_ff[2] = {{dma1_port_read, dma1_clear_ff_write},
                                                   {dma2_port_read, dma2_clear_ff_write}};
    const uint16_t base = idx ? AT_DMA2_BASE : AT_DMA1_BASE;
    const unsigned stride = 1u << idx; /* port of register r: base + r * stride */
    route_ports(hw, id, &addr[idx], base, 4, 2 * stride); /* registers 0, 2, 4, 6 */
    route_ports(hw, id, &count[idx], (uint16_t)(base + stride), 4, 2 * stride); /* 1, 3, 5, 7 */
    route_ports(hw, id, &single_mask[idx], (uint16_t)(base + I8237_REG_SINGLE_MASK * stride), 1, 1);
    route_ports(hw, id, &mode[idx], (uint16_t)(base + I8237_REG_MODE * stride), 1, 1);
    route_ports(hw, id, &clear_ff[idx], (uint16_t)(base + I8237_REG_CLEAR_FF * stride), 1, 1);
    if (idx)
        route_ports(hw, id, &undecoded_ports, base + 1, 16, 2); /* SA0 is not decoded */
}

static void observers_attached(void *ctx, bool attached);

int nd_hw_init(nd_hw *hw, uint64_t ram_bytes)
{
    memset(hw, 0, sizeof *hw);
    hw->serving = -1;
    nd_iobus_init(&hw->io, &undecoded_ports, hw);
    hw->obs.on_attached = observers_attached;
    hw->obs.on_attached_ctx = hw;
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
    static const ndisdma_io_handler dma1_ports = {dma1_port_read, dma1_port_write};
    static const ndisdma_io_handler dma2_ports = {dma2_port_read, dma2_port_write};
    static const ndisdma_io_handler page_ports = {page_port_read, page_port_write};
    /* The ranges are free on a new bus, so these cannot fail; they take
       slots 1-3, which ndisdma_io_unmap refuses to release. */
    const int dma1 =
        nd_iobus_map(&hw->io, AT_DMA1_BASE, AT_DMA1_LAST - AT_DMA1_BASE + 1, &dma1_ports, hw);
    const int dma2 =
        nd_iobus_map(&hw->io, AT_DMA2_BASE, AT_DMA2_LAST - AT_DMA2_BASE + 1, &dma2_ports, hw);
    nd_iobus_map(&hw->io, AT_PAGE_BASE, AT_PAGE_LAST - AT_PAGE_BASE + 1, &page_ports, hw);
    route_registers(hw, dma1, 0);
    route_registers(hw, dma2, 1);
    return 0;
}

void nd_hw_fini(nd_hw *hw)
{
    nd_physmem_fini(&hw->ram);
    free(hw->scratch);
    hw->scratch = NULL;
}

/*
 * Port accesses: a count, the observers' event and the decode, which is one
 * table lookup and a call of the claiming handler (nd_iobus_read8/write8;
 * slot 0 reports an undecoded port). A write's event comes before the
 * decode (an illegal access it finds follows it): while observers are
 * attached the bus's write tap is io_write8_observed (set and cleared by
 * observers_attached as the first observer comes and the last goes), which
 * raises the event and then decodes, so that a write with no observer, the
 * common case, tests nothing and is a tail call into the bus. A read's event
 * comes after the decode (it carries the value read), as the observers
 * attached then see it.
 */

/* The event of a port access, out of line: built only while an observer is
   attached, and kept off the accessors' stack frames. */
__attribute__((noinline)) static void io_emit(nd_hw *hw, ndisdma_event_kind kind, uint16_t port,
                                              uint8_t value)
{
    ndisdma_event ev = {.kind = kind, .port = port, .value = value, .channel = 0xFF};
    nd_hw_emit(hw, &ev);
}

/* The bus's write tap while observers are attached. */
static void io_write8_observed(void *ctx, uint16_t port, uint8_t value)
{
    nd_hw *hw = ctx;
    io_emit(hw, NDISDMA_EV_IO_WRITE, port, value);
    nd_iobus_write8_decoded(&hw->io, port, value);
}

/* The first observer came (@attached) or the last one went. */
static void observers_attached(void *ctx, bool attached)
{
    nd_hw *hw = ctx;
    nd_iobus_set_write_tap(&hw->io, attached ? io_write8_observed : NULL, hw);
}

uint8_t nd_hw_io_read8(nd_hw *hw, uint16_t port)
{
    hw->stats.io_reads++;
    uint8_t v = nd_iobus_read8(&hw->io, port);
    if (__builtin_expect(hw->obs.active != 0, 0))
        io_emit(hw, NDISDMA_EV_IO_READ, port, v);
    return v;
}

void nd_hw_io_write8(nd_hw *hw, uint16_t port, uint8_t value)
{
    hw->stats.io_writes++;
    nd_iobus_write8(&hw->io, port, value); /* the tap when observed */
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

/* The general path of nd_hw_dma_request (hw.h): any channel, observers
   attached, faults armed. */
void nd_hw_dma_request_slow(nd_hw *hw, unsigned ch, bool asserted)
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

/* Drive the DREQ line of device channel @ch; an observer sees a change. */
static void set_dreq(nd_hw *hw, unsigned ch, bool asserted)
{
    bool before = nd_hw_dma_dreq(hw, ch);
    nd_hw_dma_set_line(hw, ch, asserted);
    if (hw->obs.active && before != asserted) {
        ndisdma_event ev = {.kind = NDISDMA_EV_DREQ, .channel = (uint8_t)ch, .value = asserted};
        nd_hw_emit(hw, &ev);
    }
}

/* An EOP outside the service of its channel: ignored, and reported. */
static __attribute__((noinline, cold)) void eop_ignored(nd_hw *hw, unsigned ch)
{
    nd_hw_illegal(hw, NDISDMA_ILLEGAL_EOP_OUTSIDE_SERVICE, 0, 0, (uint8_t)ch);
    if (hw->obs.active) {
        ndisdma_event ev = {.kind = NDISDMA_EV_EOP_IGNORED, .channel = (uint8_t)ch};
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
    eop_ignored(hw, ch);
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
