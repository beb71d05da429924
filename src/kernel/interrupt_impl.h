/*
 * The kernel's interrupt state, for the kernel's own files only (embedded in
 * struct nd_kernel; see interrupt.h for the interface and interrupt.c for
 * the concept).
 */
#ifndef ND_KERNEL_INTERRUPT_IMPL_H
#define ND_KERNEL_INTERRUPT_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/pic.h"
#include "kernel/clock.h"
#include "kernel/interrupt.h"

typedef struct nd_irq_ctl {
    nd_interrupt *line[ND_PIC_LINES]; /* connected interrupt objects, by line */
    uint64_t delivered[ND_PIC_LINES]; /* ISR calls */
    uint64_t unclaimed[ND_PIC_LINES]; /* ISR calls that returned FALSE */
    uint64_t spurious[ND_PIC_LINES];  /* requests dropped: nothing connected */
} nd_irq_ctl;

/* Install the PIC hook (nd_kernel_create). */
void nd_kernel_irq_init(nd_kernel *k);
/* Remove the hook and orphan the interrupt objects still connected: their
   later nd_kernel_disconnect_interrupt only frees them (nd_kernel_destroy). */
void nd_kernel_irq_fini(nd_kernel *k);

/*
 * One step of interrupt delivery at a delivery point of the clock, in two
 * calls, so that the run loop tests the first with the hardware it keeps at
 * hand: nd_kernel_irq_ready(@k->hw) - may the step do anything: a request
 * is latched and the DMA engine is not running (a device callback that
 * busy-waits gets no interrupt); when it says true, nd_kernel_irq_deliver(@k)
 * - take the request the PIC presents among the lines that the calling
 * thread's IRQL does not mask, and either call its ISR at DIRQL
 * (acknowledge, ISR, EOI) or, with nothing connected, drop it as spurious.
 * nd_kernel_irq_deliver returns true when it delivered or dropped a request.
 */
struct nd_hw;
bool nd_kernel_irq_ready(const struct nd_hw *hw);
bool nd_kernel_irq_deliver(nd_kernel *k);

/* True when a request is latched (the machine is not idle). */
bool nd_kernel_irq_pending(const nd_kernel *k);

#endif /* ND_KERNEL_INTERRUPT_IMPL_H */
