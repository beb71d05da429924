/*
 * The AT's two cascaded 8259A interrupt controllers: line levels, edge
 * latching, acknowledge and EOI, and priority. See pic.h for the concept
 * and what is not modelled.
 */
#include "hw/pic.h"

#include <string.h>

#include "hw/hw.h"

/* Lines in 8259 priority order on the AT, highest first: the master's
   inputs 0, 1, then its input 2 (the slave's eight lines in its own order),
   then inputs 3-7. Line 2 itself never requests. */
static const uint8_t priority_order[ND_PIC_LINES - 1] = {0,  1,  8, 9, 10, 11, 12, 13,
                                                         14, 15, 3, 4, 5,  6,  7};

void nd_pic_init(nd_pic *p)
{
    memset(p, 0, sizeof *p);
}

int nd_pic_set_line(nd_pic *p, unsigned line, bool level)
{
    const uint16_t bit = (uint16_t)(1u << line);
    const bool was = (p->level & bit) != 0;
    if (!level) {
        /* Edge-triggered: a falling edge leaves a latched request alone. */
        p->level &= (uint16_t)~bit;
        return 0;
    }
    if (was)
        return 0; /* held high: no new edge */
    p->level |= bit;
    if (p->irr & bit) {
        p->merged[line]++;
        return 2;
    }
    p->irr |= bit;
    p->requests[line]++;
    if (p->irq_notify)
        p->irq_notify(p->notify_ctx);
    return 1;
}

int nd_pic_next(const nd_pic *p, uint16_t eligible)
{
    const uint16_t req = p->irr & eligible;
    if (!req)
        return -1;
    /* The master's view of what is in service: its own inputs, and input 2
       while any slave line is in service. */
    const unsigned master_isr =
        (p->isr & 0xFFu & ~(1u << ND_PIC_CASCADE_LINE)) | ((p->isr & 0xFF00u) ? 1u << 2 : 0u);
    for (unsigned i = 0; i < ND_PIC_LINES - 1; i++) {
        const unsigned line = priority_order[i];
        const unsigned input = line < 8 ? line : ND_PIC_CASCADE_LINE;
        /* Fully nested: an input in service at this priority or above blocks
           this request and every one after it in the order. */
        if (master_isr & ((2u << input) - 1u))
            return -1;
        if (req & (1u << line))
            return (int)line;
    }
    return -1;
}

void nd_pic_acknowledge(nd_pic *p, unsigned line)
{
    const uint16_t bit = (uint16_t)(1u << line);
    p->irr &= (uint16_t)~bit;
    p->isr |= bit;
}

void nd_pic_drop(nd_pic *p, unsigned line)
{
    p->irr &= (uint16_t) ~(1u << line);
}

void nd_pic_eoi(nd_pic *p, unsigned line)
{
    p->isr &= (uint16_t) ~(1u << line);
}

int nd_hw_irq_set(nd_hw *hw, unsigned line, bool level)
{
    if (!nd_pic_device_line(line)) {
        nd_hw_illegal(hw, NDISDMA_ILLEGAL_BAD_IRQ, 0, level, (uint8_t)(line > 0xFF ? 0xFF : line));
        return NDISDMA_EINVAL;
    }
    const bool was = (hw->pic.level >> line) & 1u;
    /* Emit before latching, so that an observer sees the edge before
       whatever the kernel's hook starts. */
    if (hw->obs.active && was != level) {
        const bool merges = level && ((hw->pic.irr >> line) & 1u);
        ndisdma_event ev = {.kind = NDISDMA_EV_IRQ,
                            .channel = (uint8_t)line,
                            .value = level,
                            .flags = merges ? NDISDMA_EVF_IRQ_MERGED : 0};
        nd_hw_emit(hw, &ev);
    }
    (void)nd_pic_set_line(&hw->pic, line, level);
    return 0;
}
