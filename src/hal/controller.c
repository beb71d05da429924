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
 */
#include "hal/hal_impl.h"

#include "hw/hw_regs.h"

/* Page register port of each channel (H3). */
static const uint16_t page_port[8] = {0x87, 0x83, 0x81, 0x82, 0x8F, 0x8B, 0x89, 0x8A};

/* Port of register offset @reg of the controller of @ch (H1, H2). */
static uint16_t reg_port(unsigned ch, unsigned reg)
{
    return ch < 4 ? (uint16_t)(AT_DMA1_BASE + reg) : (uint16_t)(AT_DMA2_BASE + (reg << 1));
}

static void out8(nd_hal *h, uint16_t port, uint8_t v)
{
    nd_hw_io_write8(h->hw, port, v);
}

static uint8_t in8(nd_hal *h, uint16_t port)
{
    return nd_hw_io_read8(h->hw, port);
}

void nd_ctl_lock(nd_hal *h, unsigned ch, KIRQL *old)
{
    KeAcquireSpinLock(&h->ctl_lock[ch >> 2], old);
}

void nd_ctl_unlock(nd_hal *h, unsigned ch, KIRQL old)
{
    KeReleaseSpinLock(&h->ctl_lock[ch >> 2], old);
}

void nd_ctl_mask(nd_hal *h, unsigned ch, bool masked)
{
    out8(h, reg_port(ch, I8237_REG_SINGLE_MASK),
         (uint8_t)((masked ? MASK_SET : 0) | (ch & MASK_CHANNEL_MASK)));
}

void nd_ctl_program(nd_hal *h, unsigned ch, uint8_t mode, uint64_t phys, uint32_t units)
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

    nd_ctl_mask(h, ch, true);
    out8(h, reg_port(ch, I8237_REG_MODE), (uint8_t)((mode & ~MODE_CHANNEL_MASK) | sub));
    out8(h, reg_port(ch, I8237_REG_CLEAR_FF), 0);
    uint16_t ap = reg_port(ch, I8237_REG_ADDR0 + 2u * sub);
    out8(h, ap, (uint8_t)(addr & 0xFFu));
    out8(h, ap, (uint8_t)(addr >> 8));
    out8(h, page_port[ch], page);
    uint16_t cp = reg_port(ch, I8237_REG_COUNT0 + 2u * sub);
    out8(h, cp, (uint8_t)(count & 0xFFu));
    out8(h, cp, (uint8_t)(count >> 8));
}

uint16_t nd_ctl_read_count_once(nd_hal *h, unsigned ch)
{
    uint16_t cp = reg_port(ch, I8237_REG_COUNT0 + 2u * (ch & 3u));
    out8(h, reg_port(ch, I8237_REG_CLEAR_FF), 0);
    uint8_t lo = in8(h, cp);
    uint8_t hi = in8(h, cp);
    return (uint16_t)(lo | (unsigned)hi << 8);
}

uint16_t nd_ctl_read_count(nd_hal *h, unsigned ch)
{
    uint16_t cp = reg_port(ch, I8237_REG_COUNT0 + 2u * (ch & 3u));
    uint16_t ff = reg_port(ch, I8237_REG_CLEAR_FF);
    uint16_t prev = 0;
    /* N23: read until two reads agree. The count may step between the two
       byte reads while the channel runs; bounded, so a pathological device
       cannot hang the caller. */
    for (int i = 0; i < 16; i++) {
        out8(h, ff, 0);
        uint8_t lo = in8(h, cp);
        uint8_t hi = in8(h, cp);
        uint16_t v = (uint16_t)(lo | (unsigned)hi << 8);
        if (i > 0 && v == prev)
            return v;
        prev = v;
    }
    return prev;
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
    nd_hal *h = ad->hal;
    if (!nd_kernel_irql_at_most(h->k, DISPATCH_LEVEL, "ReadDmaCounter"))
        return 0;
    KIRQL old;
    nd_ctl_lock(h, ad->channel, &old);
    uint16_t count = nd_ctl_read_count(h, ad->channel);
    nd_ctl_unlock(h, ad->channel, old);
    uint32_t units = ((uint32_t)count + 1u) & 0xFFFFu;
    return (ULONG)(units << ad->shift);
}
