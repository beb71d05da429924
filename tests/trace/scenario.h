/*
 * A small traced scenario shared by the trace tests and trace_demo.
 *
 * Concept: a device on channel 1 takes a buffer from memory in single mode
 * (memory -> device) through ports programmed as a HAL would; at terminal
 * count it raises IRQ 5, whose ISR queues a DPC that lowers the line. A
 * 16-bit channel 5 demand transfer (device -> memory) follows. Variant 1
 * changes the count, so that its trace differs.
 */
#ifndef TRACE_SCENARIO_H
#define TRACE_SCENARIO_H

#include <ndisdma/trace.h>

/* Build a machine (seed @seed), start a ring of @capacity records (0 =
   default, SIZE_MAX = no ring) and run the scenario @variant (0 or 1).
   Returns the machine, bound to the calling thread, or NULL on failure. */
ndisdma_machine *trace_scenario(uint64_t seed, int variant, size_t capacity);
/* Unbind and destroy. */
void trace_scenario_done(ndisdma_machine *m);
/* Run only the scenario's activity on @m (the ring or stream set up by the
   caller). Returns 0 or a negative error. */
int trace_scenario_run(ndisdma_machine *m, int variant);

#endif /* TRACE_SCENARIO_H */
