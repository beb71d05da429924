/*
 * The ISA I/O port space.
 *
 * Concept: 65,536 byte-wide ports. A table maps every port to a handler slot
 * (0 = nothing decodes it), so a port access is one table lookup and one
 * indirect call. The DMA controllers, the page registers and device models
 * all claim their ports here; nothing else decodes ports.
 */
#ifndef ND_HW_IOBUS_H
#define ND_HW_IOBUS_H

#include <stdint.h>

#include <ndisdma/machine.h>

#define ND_IOBUS_SLOTS 64 /* slot 0 is "unmapped" */

typedef struct nd_io_slot {
    ndisdma_io_handler h;
    void *ctx;
    uint16_t base;
    uint32_t count;
    uint8_t used;
} nd_io_slot;

typedef struct nd_iobus {
    uint8_t map[65536]; /* port -> slot */
    nd_io_slot slot[ND_IOBUS_SLOTS];
} nd_iobus;

void nd_iobus_init(nd_iobus *b);

/* Claim [base, base + count). Returns slot id (> 0) or NDISDMA_EINVAL,
   NDISDMA_EBUSY, NDISDMA_ENOSPC. */
int nd_iobus_map(nd_iobus *b, uint16_t base, uint32_t count, const ndisdma_io_handler *h,
                 void *ctx);
int nd_iobus_unmap(nd_iobus *b, int id);

#endif /* ND_HW_IOBUS_H */
