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
 *
 * Decoders. The table maps a port to a decoder, not to a mapping: decoder
 * n < ND_IOBUS_SLOTS is mapping n's own handlers, and the owner of a mapping
 * may give some of its ports decoders of their own (nd_iobus_decoder,
 * nd_iobus_route), so that a chip whose registers sit at fixed ports (the
 * 8237) has one handler per register and its handlers need not decode the
 * port again. Routed ports still belong to their mapping: they cannot be
 * mapped by anyone else and are released with it.
 *
 * Write tap. While a tap is set (nd_iobus_set_write_tap: the hardware's
 * observers are attached), every write calls the tap instead of the
 * decoder's handler, and the tap calls nd_iobus_write8_decoded when it is
 * ready; so the write path itself never tests whether anyone observes.
 */
#ifndef ND_HW_IOBUS_H
#define ND_HW_IOBUS_H

#include <stdint.h>

#include <ndisdma/machine.h>

#define ND_IOBUS_SLOTS    64 /* slot 0 is "unmapped" */
#define ND_IOBUS_EXTRA    16 /* decoders of single ports of a mapping */
#define ND_IOBUS_DECODERS (ND_IOBUS_SLOTS + ND_IOBUS_EXTRA)

/* A mapping's bookkeeping; its handlers and context are in nd_iobus. */
typedef struct nd_io_slot {
    uint16_t base;
    uint32_t count;
    uint8_t used;
} nd_io_slot;

typedef uint8_t (*nd_io_read8_fn)(void *ctx, uint16_t port);
typedef void (*nd_io_write8_fn)(void *ctx, uint16_t port, uint8_t value);

typedef struct nd_iobus {
    uint8_t map[65536]; /* port -> decoder (0: nothing decodes it) */
    /* Per decoder, one array per field so that the decode indexes each with
       the decoder id directly (no multiply); all non-NULL for decoder 0, for
       every mapped slot and every decoder in use. */
    nd_io_read8_fn read8[ND_IOBUS_DECODERS];
    nd_io_write8_fn write8[ND_IOBUS_DECODERS];     /* the decoder's, or the tap */
    void *write_ctx[ND_IOBUS_DECODERS];            /* ctx[], or the tap's */
    nd_io_write8_fn dec_write8[ND_IOBUS_DECODERS]; /* the decoder's own */
    void *ctx[ND_IOBUS_DECODERS];
    nd_io_write8_fn tap; /* NULL: none */
    void *tap_ctx;
    nd_io_slot slot[ND_IOBUS_SLOTS];
    uint8_t extra_owner[ND_IOBUS_EXTRA]; /* mapping of decoder SLOTS + i; 0: free */
} nd_iobus;

/* An empty bus: every port decodes to slot 0, whose handlers are
   @unmapped (both non-NULL) called with @ctx. */
void nd_iobus_init(nd_iobus *b, const ndisdma_io_handler *unmapped, void *ctx);

/* Claim [base, base + count). Returns slot id (> 0) or NDISDMA_EINVAL,
   NDISDMA_EBUSY, NDISDMA_ENOSPC. */
int nd_iobus_map(nd_iobus *b, uint16_t base, uint32_t count, const ndisdma_io_handler *h,
                 void *ctx);
int nd_iobus_unmap(nd_iobus *b, int id);

/* A decoder of its own for ports of mapping @id, with handlers @h (NULL
   ones are the open bus) called with @ctx; nd_iobus_route gives it ports.
   Returns the decoder (>= ND_IOBUS_SLOTS), NDISDMA_ENOENT (no mapping @id)
   or NDISDMA_ENOSPC. Released with the mapping. */
int nd_iobus_decoder(nd_iobus *b, int id, const ndisdma_io_handler *h, void *ctx);

/* @port, which must lie in the range of the mapping that owns @decoder (from
   nd_iobus_decoder), decodes to @decoder from now on. Returns 0 or
   NDISDMA_EINVAL. */
int nd_iobus_route(nd_iobus *b, int decoder, uint16_t port);

/* One access, decoded: the handler of the decoder of @port (decoder 0, the
   owner's undecoded-port handler, when no mapping claims it). */
static inline uint8_t nd_iobus_read8(const nd_iobus *b, uint16_t port)
{
    unsigned id = b->map[port];
    return b->read8[id](b->ctx[id], port);
}

/* A write: the tap when one is set, else the handler of the decoder of @port. */
static inline void nd_iobus_write8(const nd_iobus *b, uint16_t port, uint8_t value)
{
    unsigned id = b->map[port];
    b->write8[id](b->write_ctx[id], port, value);
}

/* A write decoded, tap or not (what the tap calls). */
static inline void nd_iobus_write8_decoded(const nd_iobus *b, uint16_t port, uint8_t value)
{
    unsigned id = b->map[port];
    b->dec_write8[id](b->ctx[id], port, value);
}

/* Every write calls @tap with @ctx from now on (NULL: none, the decoders'
   handlers again). */
void nd_iobus_set_write_tap(nd_iobus *b, nd_io_write8_fn tap, void *ctx);

#endif /* ND_HW_IOBUS_H */
