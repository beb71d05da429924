/*
 * The AT's two cascaded 8259A interrupt controllers: line levels, edge
 * latching, acknowledge and EOI, and priority. See pic.h for the concept
 * and what is not modelled.
 */
#include "hw/pic.h"

#include <string.h>

#include "hw/hw.h"

/* The AT's 8259 priority order, highest first, is the master's inputs 0
   and 1, then its input 2 (the slave's eight lines 8-15 in their own order),
   then inputs 3-7; line 2 itself never requests. nd_pic_next picks from
   these three groups of lines in turn. */
#define SLAVE_LINES       0xFF00u
#define MASTER_LOW_LINES  0x0003u /* inputs 0, 1: above the slave */
#define MASTER_HIGH_LINES 0x00F8u /* inputs 3-7: below the slave */

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
    unsigned req = p->irr & eligible & ~(1u << ND_PIC_CASCADE_LINE);
    if (!req)
        return -1;
    /* The master's view of what is in service: its own inputs, and input 2
       while any slave line is in service (nothing when no line is, the usual
       case, tested first). */
    const unsigned isr = p->isr;
    const unsigned master_isr =
        isr ? (isr & 0xFFu & ~(1u << ND_PIC_CASCADE_LINE)) | ((isr & SLAVE_LINES) ? 1u << 2 : 0u)
            : 0u;
    /* Fully nested: an input in service blocks the requests at its priority
       and below, that is on its own input and every higher-numbered one (the
       master's priority is its input order; the slave's lines share input
       2). So only the inputs below the lowest-numbered one in service may
       present. */
    if (master_isr) {
        const unsigned open_inputs = (1u << __builtin_ctz(master_isr)) - 1u;
        req &= (open_inputs & 0xFFu) |
               ((open_inputs & (1u << ND_PIC_CASCADE_LINE)) ? SLAVE_LINES : 0u);
        if (!req)
            return -1;
    }
    /* Highest priority first: inputs 0-1, the slave's lines, inputs 3-7. */
    if (req & MASTER_LOW_LINES)
        return __builtin_ctz(req & MASTER_LOW_LINES);
    if (req & SLAVE_LINES)
        return __builtin_ctz(req & SLAVE_LINES);
    return __builtin_ctz(req & MASTER_HIGH_LINES);
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

/* A line that takes no device: recorded as an illegal access. Out of line
   (as the event below), so that nd_hw_irq_set, inlined into device code,
   keeps a small frame. */
static __attribute__((noinline, cold)) int irq_bad_line(nd_hw *hw, unsigned line, bool level)
{
    nd_hw_illegal(hw, NDISDMA_ILLEGAL_BAD_IRQ, 0, level, (uint8_t)(line > 0xFF ? 0xFF : line));
    return NDISDMA_EINVAL;
}

/* The IRQ event of a change of level (observers only). */
static __attribute__((noinline)) void irq_emit(nd_hw *hw, unsigned line, bool level)
{
    const bool merges = level && ((hw->pic.irr >> line) & 1u);
    ndisdma_event ev = {.kind = NDISDMA_EV_IRQ,
                        .channel = (uint8_t)line,
                        .value = level,
                        .flags = merges ? NDISDMA_EVF_IRQ_MERGED : 0};
    nd_hw_emit(hw, &ev);
}

/* nd_hw_irq_set with an observer attached. The event comes before the
   latch, so that an observer sees the edge before whatever the kernel's hook
   starts. */
static __attribute__((noinline)) int irq_set_observed(nd_hw *hw, unsigned line, bool level)
{
    const bool was = (hw->pic.level >> line) & 1u;
    if (hw->obs.active && was != level)
        irq_emit(hw, line, level);
    (void)nd_pic_set_line(&hw->pic, line, level);
    return 0;
}

/* With no observer there is no event to raise: only the latch, whose hook
   call is then a tail call (no registers of its own in the callers this
   inlines into). */
int nd_hw_irq_set(nd_hw *hw, unsigned line, bool level)
{
    if (!nd_pic_device_line(line))
        return irq_bad_line(hw, line, level);
    if (__builtin_expect(hw->obs.active != 0, 0))
        return irq_set_observed(hw, line, level);
    (void)nd_pic_set_line(&hw->pic, line, level);
    return 0;
}
