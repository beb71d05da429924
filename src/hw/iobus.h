/*
 * The ISA I/O port space.
 *
 * Concept: 65,536 byte-wide ports. A table maps every port to a handler slot
 * (0 = nothing decodes it), so a port access is one table lookup and one
 * indirect call. The DMA controllers, the page registers and device models
 * all claim their ports here; nothing else decodes ports.
 *
 * Every slot holds two callable handlers: slot 0 holds the owner's handlers
 * for undecoded ports (given to nd_iobus_init), and a NULL handler of a
 * mapping is stored as the open-bus one (a read returns 0xFF, a write is
 * dropped), so decoding an access never tests for a missing handler.
 */
#ifndef ND_HW_IOBUS_H
#define ND_HW_IOBUS_H

#include <stdint.h>

#include <ndisdma/machine.h>

#define ND_IOBUS_SLOTS 64 /* slot 0 is "unmapped" */

/* A mapping's bookkeeping; its handlers and context are in nd_iobus. */
typedef struct nd_io_slot {
    uint16_t base;
    uint32_t count;
    uint8_t used;
} nd_io_slot;

typedef uint8_t (*nd_io_read8_fn)(void *ctx, uint16_t port);
typedef void (*nd_io_write8_fn)(void *ctx, uint16_t port, uint8_t value);

typedef struct nd_iobus {
    uint8_t map[65536]; /* port -> slot */
    /* Per slot, one array per field so that the decode indexes each with
       the slot id directly (no multiply); all non-NULL for slot 0 and for
       every mapped slot. */
    nd_io_read8_fn read8[ND_IOBUS_SLOTS];
    nd_io_write8_fn write8[ND_IOBUS_SLOTS];
    void *ctx[ND_IOBUS_SLOTS];
    nd_io_slot slot[ND_IOBUS_SLOTS];
} nd_iobus;

/* An empty bus: every port decodes to slot 0, whose handlers are
   @unmapped (both non-NULL) called with @ctx. */
void nd_iobus_init(nd_iobus *b, const ndisdma_io_handler *unmapped, void *ctx);

/* Claim [base, base + count). Returns slot id (> 0) or NDISDMA_EINVAL,
   NDISDMA_EBUSY, NDISDMA_ENOSPC. */
int nd_iobus_map(nd_iobus *b, uint16_t base, uint32_t count, const ndisdma_io_handler *h,
                 void *ctx);
int nd_iobus_unmap(nd_iobus *b, int id);

/* One access, decoded: the handler of the slot that claims @port (slot 0,
   the owner's undecoded-port handler, when none does). */
static inline uint8_t nd_iobus_read8(const nd_iobus *b, uint16_t port)
{
    unsigned id = b->map[port];
    return b->read8[id](b->ctx[id], port);
}

static inline void nd_iobus_write8(const nd_iobus *b, uint16_t port, uint8_t value)
{
    unsigned id = b->map[port];
    b->write8[id](b->ctx[id], port, value);
}

#endif /* ND_HW_IOBUS_H */
