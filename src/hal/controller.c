/*
 * Programming the PC/AT DMA controllers through their ports, as a HAL does,
 * and ReadDmaCounter.
 *
 * Concept: the HAL never touches the hardware model's state; it writes and
 * reads the 8237 ports (spec/i8237.md H1-H3), so traces show the real port
 * traffic and the model stays the single source of truth. A channel is
 * always masked before it is reprogrammed. Channels 0-3 sit on controller 1
 * (ports 0x00-0x0F), channels 5-7 on controller 2 (even ports 0xC0-0xDE),
 * whose address register counts words: address = (phys >> 1) & 0xFFFF and
 * page = (phys >> 16) & 0xFE (H17) - never (phys & 0xFFFF) >> 1, which
 * would lose A16. The count register holds units - 1 (H8).
 *
 * Every access of a controller's address/count ports toggles its shared
 * byte-pointer flip-flop, so the sequences below run under the controller's
 * spin lock (ctl_lock), and each starts by clearing the flip-flop.
 * MapTransfer's whole sequence (lock, program, unmask, unlock) is one call,
 * nd_ctl_start, out of line so that its caller keeps nothing live across
 * the port calls; the flush's mask and count read are one call too
 * (nd_ctl_mask_read_count). Each sequence loads the hardware and its ports
 * once, before its first access, rather than per access.
 * ReadDmaCounter is the table's entry (adapter and IRQL checks) in front of
 * nd_hal_read_dma_counter_live, which NDIS calls directly after checking
 * the IRQL itself.
 */
#include "hal/hal_impl.h"

#include "hw/dma_ports.h"
#include "hw/hw_regs.h"

/* Port of register offset @reg of the controller of channel @ch (H1, H2). */
#define REG_PORT(ch, reg) ((ch) < 4 ? AT_DMA1_BASE + (reg) : AT_DMA2_BASE + ((reg) << 1))

/* The ports of one channel's registers, all below 0x100. */
typedef struct ch_ports {
    uint8_t mask;     /* single mask (of its controller) */
    uint8_t mode;     /* mode (of its controller) */
    uint8_t clear_ff; /* clear byte pointer flip-flop (of its controller) */
    uint8_t addr;     /* its address register */
    uint8_t count;    /* its count register */
    uint8_t page;     /* its page register (H3) */
} ch_ports;

#define CH_PORTS(ch, page_port)                                                                    \
    {                                                                                              \
        REG_PORT(ch, I8237_REG_SINGLE_MASK), REG_PORT(ch, I8237_REG_MODE),                         \
            REG_PORT(ch, I8237_REG_CLEAR_FF), REG_PORT(ch, I8237_REG_ADDR0 + 2u * ((ch)&3u)),      \
            REG_PORT(ch, I8237_REG_COUNT0 + 2u * ((ch)&3u)), page_port                             \
    }

/* Per channel, looked up once per sequence rather than computed per access. */
static const ch_ports ch_port[8] = {
    CH_PORTS(0, 0x87), CH_PORTS(1, 0x83), CH_PORTS(2, 0x81), CH_PORTS(3, 0x82),
    CH_PORTS(4, 0x8F), CH_PORTS(5, 0x8B), CH_PORTS(6, 0x89), CH_PORTS(7, 0x8A),
};

/* One port access, as dma_ports.h makes it: the bus's own access while
   observers watch it, otherwise the register's body, resolved when the
   port is a constant. Each sequence below exists once per channel
   (FOR_CHANNEL), so that its ports are constants. */
static inline __attribute__((always_inline)) void out8(nd_hw *hw, uint16_t port, uint8_t v)
{
    nd_hw_dma_write8(hw, port, v);
}

static inline __attribute__((always_inline)) uint8_t in8(nd_hw *hw, uint16_t port)
{
    return nd_hw_dma_read8(hw, port);
}

/* @body(c) with c the channel @ch as a constant, for each of the eight
   channels (4, the cascade, included: the ports exist). */
#define FOR_CHANNEL(ch, body)                                                                      \
    switch (ch) {                                                                                  \
    case 0:                                                                                        \
        body(0);                                                                                   \
        break;                                                                                     \
    case 1:                                                                                        \
        body(1);                                                                                   \
        break;                                                                                     \
    case 2:                                                                                        \
        body(2);                                                                                   \
        break;                                                                                     \
    case 3:                                                                                        \
        body(3);                                                                                   \
        break;                                                                                     \
    case 4:                                                                                        \
        body(4);                                                                                   \
        break;                                                                                     \
    case 5:                                                                                        \
        body(5);                                                                                   \
        break;                                                                                     \
    case 6:                                                                                        \
        body(6);                                                                                   \
        break;                                                                                     \
    default:                                                                                       \
        body(7);                                                                                   \
        break;                                                                                     \
    }

void nd_ctl_lock(nd_hal *h, unsigned ch, KIRQL *old)
{
    nd_spin_acquire_machine(&h->ctl_lock[ch >> 2], old);
}

void nd_ctl_unlock(nd_hal *h, unsigned ch, KIRQL old)
{
    nd_spin_release_machine(&h->ctl_lock[ch >> 2], old);
}

/* The bodies of nd_ctl_mask and nd_ctl_program, on the hardware @hw the
   caller has loaded (nd_ctl_start keeps it in a register across both). */
static inline __attribute__((always_inline)) void mask_at(nd_hw *hw, unsigned ch, bool masked)
{
    out8(hw, ch_port[ch].mask, (uint8_t)((masked ? MASK_SET : 0) | (ch & MASK_CHANNEL_MASK)));
}

static inline __attribute__((always_inline)) void program_at(nd_hw *hw, unsigned ch, uint8_t mode,
                                                             uint64_t phys, uint32_t units)
{
    unsigned sub = ch & 3u;
    uint16_t addr;
    uint8_t page;
    if (ch < 4) {
        addr = (uint16_t)(phys & 0xFFFFu);
        page = (uint8_t)((phys >> 16) & 0xFFu);
    } else {
        addr = (uint16_t)((phys >> 1) & 0xFFFFu);
        page = (uint8_t)((phys >> 16) & 0xFEu);
    }
    uint16_t count = (uint16_t)(units - 1u);

    const ch_ports *p = &ch_port[ch];
    out8(hw, p->mask, (uint8_t)(MASK_SET | sub));
    out8(hw, p->mode, (uint8_t)((mode & ~MODE_CHANNEL_MASK) | sub));
    out8(hw, p->clear_ff, 0);
    out8(hw, p->addr, (uint8_t)(addr & 0xFFu));
    out8(hw, p->addr, (uint8_t)(addr >> 8));
    out8(hw, p->page, page);
    out8(hw, p->count, (uint8_t)(count & 0xFFu));
    out8(hw, p->count, (uint8_t)(count >> 8));
}

void nd_ctl_mask(nd_hal *h, unsigned ch, bool masked)
{
    nd_hw *hw = h->hw;
#define MASK(c) mask_at(hw, c, masked)
    FOR_CHANNEL(ch, MASK)
#undef MASK
}

void nd_ctl_program(nd_hal *h, unsigned ch, uint8_t mode, uint64_t phys, uint32_t units)
{
    nd_hw *hw = h->hw;
#define PROGRAM(c) program_at(hw, c, mode, phys, units)
    FOR_CHANNEL(ch, PROGRAM)
#undef PROGRAM
}

/* Out of line, with only its arguments as state: the caller (MapTransfer)
   keeps none of its own values in registers or on its stack across the
   nine port accesses (calls of the bus while observers watch). The same
   accesses, in the same order, as lock + nd_ctl_program +
   nd_ctl_mask(false) + unlock written out in the caller. */
__attribute__((noinline)) void nd_ctl_start(nd_hal *h, unsigned ch, uint8_t mode, uint64_t phys,
                                            uint32_t units)
{
    nd_hw *hw = h->hw;
    KIRQL old;
    nd_ctl_lock(h, ch, &old);
#define START(c) (program_at(hw, c, mode, phys, units), mask_at(hw, c, false))
    FOR_CHANNEL(ch, START)
#undef START
    nd_ctl_unlock(h, ch, old);
}

/* One read of the count register through ports @clear_ff and @count. */
static inline __attribute__((always_inline)) uint16_t read_count_at(nd_hw *hw, uint16_t clear_ff,
                                                                    uint16_t count)
{
    out8(hw, clear_ff, 0);
    uint8_t lo = in8(hw, count);
    uint8_t hi = in8(hw, count);
    return (uint16_t)(lo | (unsigned)hi << 8);
}

uint16_t nd_ctl_mask_read_count(nd_hal *h, unsigned ch)
{
    /* nd_ctl_mask(true), then one count read: masked, the channel cannot
       step between the two bytes. */
    nd_hw *hw = h->hw;
    uint16_t v;
#define MASK_READ(c)                                                                               \
    (mask_at(hw, c, true), v = read_count_at(hw, ch_port[c].clear_ff, ch_port[c].count))
    FOR_CHANNEL(ch, MASK_READ)
#undef MASK_READ
    return v;
}

/* nd_ctl_read_count on channel @ch, a constant. N23: read until two reads
   agree. The count may step between the two byte reads while the channel
   runs; bounded (16 reads), so a pathological device cannot hang the
   caller. The first read has nothing to agree with. */
static inline __attribute__((always_inline)) uint16_t read_count_agreed(nd_hw *hw, unsigned ch)
{
    const uint16_t clear_ff = ch_port[ch].clear_ff, count = ch_port[ch].count;
    uint16_t prev = read_count_at(hw, clear_ff, count);
    for (int i = 1; i < 16; i++) {
        uint16_t v = read_count_at(hw, clear_ff, count);
        if (v == prev)
            return v;
        prev = v;
    }
    return prev;
}

uint16_t nd_ctl_read_count(nd_hal *h, unsigned ch)
{
    nd_hw *hw = h->hw;
    uint16_t v;
#define READ(c) (v = read_count_agreed(hw, c))
    FOR_CHANNEL(ch, READ)
#undef READ
    return v;
}

/*
 * ReadDmaCounter (DMA_OPERATIONS) - bytes not yet transferred by the
 * adapter's channel (N22): (current count + 1) units modulo the 65,536-unit
 * wrap, times 2 on channels 5-7; 0 at terminal count. Readable whether or
 * not a transfer is in progress (N24).
 * IRQL: <= DISPATCH_LEVEL; above it, a violation is recorded and 0 returned.
 * A NULL or foreign adapter returns 0 (and is reported).
 */
ULONG nd_hal_read_dma_counter(PDMA_ADAPTER DmaAdapter)
{
    nd_adapter *ad = nd_adapter_from(DmaAdapter, "ReadDmaCounter");
    if (!ad)
        return 0;
    if (!nd_kernel_irql_at_most(ad->hal->k, DISPATCH_LEVEL, "ReadDmaCounter"))
        return 0;
    return nd_hal_read_dma_counter_live(DmaAdapter); /* the rest, from its adapter check on */
}

ULONG nd_hal_read_dma_counter_live(PDMA_ADAPTER DmaAdapter)
{
    /* The caller checked the IRQL and passes a live adapter (see hal.h):
       NDIS after its checks, or the table's entry after its own. */
    /* The adapter's fields are read once, before the port calls, so that
       the adapter itself need not stay live across them. */
    const nd_adapter *ad = nd_adapter_live(DmaAdapter);
    nd_hal *h = ad->hal;
    const unsigned ch = ad->channel;
    const unsigned shift = ad->shift;
    KIRQL old;
    nd_ctl_lock(h, ch, &old);
    uint16_t count = nd_ctl_read_count(h, ch);
    nd_ctl_unlock(h, ch, old);
    uint32_t units = ((uint32_t)count + 1u) & 0xFFFFu;
    return (ULONG)(units << shift);
}
