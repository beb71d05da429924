/*
 * Interrupts: ISA IRQ lines delivered to connected service routines.
 *
 * Concept. A device model drives an IRQ line (0-15) of the machine's
 * hardware; on the PC/AT the two 8259A controllers take them edge-triggered,
 * so a rising edge requests one interrupt. At the next delivery point of the
 * virtual clock the kernel calls the service routine connected to the line
 * at its DIRQL, as IoConnectInterrupt's ISR runs, and lowers the IRQL back
 * afterwards. What the ISR asks for next (a DPC) is the connecting layer's
 * business: it queues an nd_dpc. nd_kernel_synchronize runs a routine at the
 * interrupt's DIRQL, serialised with the ISR, as KeSynchronizeExecution.
 */
#ifndef ND_KERNEL_INTERRUPT_H
#define ND_KERNEL_INTERRUPT_H

#include <stdbool.h>

#include <wdm.h>

typedef struct nd_kernel nd_kernel;
typedef struct nd_interrupt nd_interrupt;

/* Service routine: TRUE when its device caused the interrupt. */
typedef BOOLEAN (*nd_isr_fn)(void *ctx);

/*
 * nd_kernel_connect_interrupt - connect @isr(@ctx) to IRQ line @irq (0-15,
 * not 2: the cascade) at @dirql (DISPATCH_LEVEL < dirql < CLOCK_LEVEL).
 * Returns 0, NDISDMA_EINVAL (bad line, IRQL or NULL argument), NDISDMA_EBUSY
 * (the line is connected already) or NDISDMA_ENOMEM. PASSIVE_LEVEL.
 * (Added with the implementation: called above PASSIVE_LEVEL it records a
 * violation naming IoConnectInterrupt and returns NDISDMA_EIRQL.)
 * *@out is owned by the caller and released with nd_kernel_disconnect_interrupt.
 */
int nd_kernel_connect_interrupt(nd_kernel *k, unsigned irq, KIRQL dirql, nd_isr_fn isr, void *ctx,
                                nd_interrupt **out);
/* Disconnect and free; NULL is a no-op. PASSIVE_LEVEL. */
void nd_kernel_disconnect_interrupt(nd_interrupt *i);
/* (Added with the implementation.) Called above PASSIVE_LEVEL, or from the
   interrupt's own ISR, it records a violation naming IoDisconnectInterrupt
   and leaves the interrupt connected. An interrupt whose kernel was
   destroyed first is only freed. Requests latched on the line afterwards
   are spurious. */

/* Run @fn(@ctx) at the interrupt's DIRQL, serialised with its ISR; returns
   what @fn returns. IRQL <= DIRQL. */
/* (Added with the implementation.) Serialisation is by IRQL: ISRs run only
   at delivery points, and the only ones inside @fn (a busy-wait) are of a
   higher DIRQL, never this interrupt's own. Called above DIRQL:
   a violation, and @fn runs at the caller's IRQL. A NULL argument: a
   violation and FALSE. @fn returning at another IRQL: a violation, and the
   caller's IRQL is restored. */
BOOLEAN nd_kernel_synchronize(nd_interrupt *i, BOOLEAN (*fn)(void *ctx), void *ctx);

/* The DIRQL of an interrupt. */
KIRQL nd_interrupt_irql(const nd_interrupt *i);

/* ---- added with the implementation ---- */

/* The IRQ line of an interrupt (16 for NULL). Any IRQL. */
unsigned nd_interrupt_line(const nd_interrupt *i);

/* Fill @out with the IRQ lines' state and counters (<ndisdma/device.h>,
   ndisdma_irq_get_stats). Any IRQL. */
struct ndisdma_irq_stats;
void nd_kernel_irq_get_stats(const nd_kernel *k, struct ndisdma_irq_stats *out);

#endif /* ND_KERNEL_INTERRUPT_H */
