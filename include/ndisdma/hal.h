/*
 * <ndisdma/hal.h> - what the HAL's DMA adapters did on a machine.
 *
 * Concept: every MapTransfer either programs the 8237 on the caller's buffer
 * itself (direct: contiguous, below 16 MiB, inside one 64/128 KiB window) or
 * bounces it through map registers (copied in before a transfer to the
 * device, out after a transfer from it). Which one a driver's buffers take
 * depends on where they are (ndisdma_config.placement). These counters let
 * hosts and tools show it.
 */
#ifndef NDISDMA_HAL_H
#define NDISDMA_HAL_H

#include <stdint.h>

#include <ndisdma/machine.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ndisdma_hal_stats {
    uint64_t transfers_direct;  /* MapTransfer calls programmed on the buffer itself */
    uint64_t transfers_bounced; /* MapTransfer calls through map registers */
    uint64_t bytes_direct;      /* bytes those transfers mapped */
    uint64_t bytes_bounced;
    uint64_t flushes; /* FlushAdapterBuffers calls that ended a mapped transfer */
} ndisdma_hal_stats;

/*
 * ndisdma_hal_get_stats - copy @m's HAL counters into @out (caller-owned).
 * They only grow, for the life of the machine.
 * Returns 0 or NDISDMA_EINVAL (NULL argument). Any context on the machine's
 * thread.
 */
int ndisdma_hal_get_stats(const ndisdma_machine *m, ndisdma_hal_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_HAL_H */
