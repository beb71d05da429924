/*
 * The DMA transfer engine of the PC/AT pair.
 *
 * Concept: while some channel may have the bus, the engine asks the pair who
 * wins arbitration (atdma.c), then serves that channel for one grant: one
 * unit in single mode; in demand mode as long as DREQ stays asserted; in
 * block mode until terminal count. A grant is moved in bursts: runs of units
 * that never cross the 16-bit address wrap (H18) or terminal count, handed
 * to the device in one callback with direct pointers into RAM where the
 * order allows (incrementing; device to memory only on 8-bit channels, so
 * that half a word never reaches RAM; 16-bit device-to-memory bursts go
 * through the scratch buffer in pieces of at most 16 KiB, which stay in the
 * L1 cache). Single mode with no observer runs a tight loop that skips the
 * work whose answer cannot change between units; so do demand and block
 * mode bursts that go straight between a device and RAM. Each unit costs the
 * caller-given number of ticks: 1 for ndisdma_dma_run (ticks = units),
 * nanoseconds for a timed run.
 */
#ifndef ND_HW_DMA_ENGINE_H
#define ND_HW_DMA_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/hw.h"

/* Grants in a row that move nothing before a service call gives up (devices
   that keep re-asserting DREQ without taking or giving data). */
#define ND_DMA_MAX_IDLE_GRANTS 1024u

/*
 * nd_dma_service - serve DMA requests.
 * @cost:   ticks per unit of each channel (NULL: 1 for all); 0 counts as 1.
 * @budget: ticks available; 0 = no limit. A unit is moved only when its
 *          whole cost fits.
 * @spent:  receives the ticks used (may be NULL).
 * Returns units moved. A nested call (from a device callback) returns 0.
 */
size_t nd_dma_service(nd_hw *hw, const uint32_t *cost, uint64_t budget, uint64_t *spent);

/*
 * nd_dma_service_from - nd_dma_service for a caller that has just asked
 * nd_atdma_arbitrate who gets the bus (@ch, -1 for nobody, and @alone) and
 * changed nothing since: the service starts from that answer instead of
 * asking again. @spent and @busy must not be NULL. *@busy receives 1 when
 * the service ended with a channel still ready that the budget did not let
 * it serve, 0 when no channel was ready any more, and -1 when the caller
 * must ask nd_atdma_arbitrate to know (after a yield, for instance). A
 * nested call returns 0 with *@busy = -1.
 */
size_t nd_dma_service_from(nd_hw *hw, int ch, bool alone, const uint32_t *cost, uint64_t budget,
                           uint64_t *spent, int *busy);

#endif /* ND_HW_DMA_ENGINE_H */
