/*
 * The ISA interrupt request lines of the PC/AT: two cascaded 8259A
 * programmable interrupt controllers, as far as device models need them.
 *
 * Concept. The AT has sixteen IRQ lines: 0-7 on the master 8259A, 8-15 on
 * the slave, whose output drives the master's input 2 (the cascade). Line 2
 * therefore takes no device. The AT programs both chips edge-triggered: a
 * rising edge of a line latches a request in the interrupt request register
 * (IRR); lowering the line afterwards does not cancel a latched request, and
 * a line held high requests nothing more until it falls and rises again. A
 * rising edge while a request is still latched adds nothing: the two become
 * one interrupt ("merged").
 *
 * When the processor takes an interrupt (the kernel, at a delivery point of
 * its clock) it acknowledges the request: the IRR bit moves to the
 * in-service register (ISR), and an end of interrupt (EOI) clears it after
 * the service routine. The AT runs the master in fully nested mode without
 * special fully nested mode: a line in service blocks requests of equal or
 * lower priority, and any slave line in service holds the master's input 2
 * in service, so it blocks every other slave line. Priority, highest first:
 * 0, 1, (8-15 through input 2), 3, 4, 5, 6, 7.
 *
 * Not modelled: the chips' ports (0x20-0x21, 0xA0-0xA1), their
 * initialisation words, the mask register (the kernel masks by IRQL), level
 * triggering, rotation and polling. Nobody in the library programs the PIC
 * through ports; the kernel plays the processor and the HAL's part.
 *
 * The hardware knows nothing of the kernel: the layer above sets irq_notify,
 * which is called after every rising edge that latched a request.
 */
#ifndef ND_HW_PIC_H
#define ND_HW_PIC_H

#include <stdbool.h>
#include <stdint.h>

#define ND_PIC_LINES        16u /* ISA IRQ 0-15 */
#define ND_PIC_CASCADE_LINE 2u  /* master input 2: the slave's output */

typedef struct nd_pic {
    uint16_t level;                  /* bit n: line n is high */
    uint16_t irr;                    /* bit n: a request is latched */
    uint16_t isr;                    /* bit n: the request was acknowledged and not yet ended */
    uint64_t requests[ND_PIC_LINES]; /* rising edges that latched a request */
    uint64_t merged[ND_PIC_LINES];   /* rising edges that found one latched already */
    /* Set by the layer above (NULL: nobody listens). Called after a rising
       edge latched a request, from whatever code raised the line (a device
       callback, an event, host code). Must not call back into the PIC. */
    void (*irq_notify)(void *ctx);
    void *notify_ctx;
} nd_pic;

/* Power-on state: all lines low, nothing latched or in service, no hook. */
void nd_pic_init(nd_pic *p);

/* True for a line that takes a device: 0-15 but not the cascade. */
static inline bool nd_pic_device_line(unsigned line)
{
    return line < ND_PIC_LINES && line != ND_PIC_CASCADE_LINE;
}

/*
 * nd_pic_set_line - drive @line to @level. @line must satisfy
 * nd_pic_device_line (the caller checks). Returns 1 when a rising edge
 * latched a new request, 2 when a rising edge merged with a latched one, 0
 * when the level did not rise (unchanged, or a falling edge). Calls
 * irq_notify when it returns 1.
 */
int nd_pic_set_line(nd_pic *p, unsigned line, bool level);

/*
 * nd_pic_next - the latched request the PIC would present now: the line of
 * highest priority whose IRR bit is set, in @eligible, and not blocked by a
 * line in service (see the concept note). -1 when there is none.
 */
int nd_pic_next(const nd_pic *p, uint16_t eligible);

/* Interrupt acknowledge: @line's request moves from IRR to ISR. */
void nd_pic_acknowledge(nd_pic *p, unsigned line);
/* Drop @line's latched request without serving it. */
void nd_pic_drop(nd_pic *p, unsigned line);
/* End of interrupt: clear @line's in-service bit. */
void nd_pic_eoi(nd_pic *p, unsigned line);

struct nd_hw;
/*
 * nd_hw_irq_set - a device drives IRQ @line of the machine's hardware to
 * @level: the edge is latched as nd_pic_set_line says, and each change of
 * level raises an NDISDMA_EV_IRQ event (channel = line, value = new level,
 * flags NDISDMA_EVF_IRQ_MERGED when a rising edge merged). A line that takes
 * no device (2, or above 15) changes nothing and is recorded as the illegal
 * access NDISDMA_ILLEGAL_BAD_IRQ.
 * Returns 0 or NDISDMA_EINVAL (bad line). Any context, including device
 * callbacks during DMA service.
 */
int nd_hw_irq_set(struct nd_hw *hw, unsigned line, bool level);

#endif /* ND_HW_PIC_H */
