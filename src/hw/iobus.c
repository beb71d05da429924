/* The ISA I/O port space: see iobus.h. */
#include "hw/iobus.h"

#include <string.h>

/* The open bus, for a mapping without a read or a write handler. */
static uint8_t open_bus_read(void *ctx, uint16_t port)
{
    (void)ctx;
    (void)port;
    return 0xFF;
}

static void open_bus_write(void *ctx, uint16_t port, uint8_t value)
{
    (void)ctx;
    (void)port;
    (void)value;
}

/* What a write to decoder @d calls: the tap, or the decoder's handler. */
static void route_write(nd_iobus *b, int d)
{
    b->write8[d] = b->tap ? b->tap : b->dec_write8[d];
    b->write_ctx[d] = b->tap ? b->tap_ctx : b->ctx[d];
}

/* Decoder @d calls @h (a NULL handler: the open bus) with @ctx. */
static void set_handlers(nd_iobus *b, int d, const ndisdma_io_handler *h, void *ctx)
{
    b->read8[d] = h->read8 ? h->read8 : open_bus_read;
    b->dec_write8[d] = h->write8 ? h->write8 : open_bus_write;
    b->ctx[d] = ctx;
    route_write(b, d);
}

/* Decoder @d is free. */
static void clear_handlers(nd_iobus *b, int d)
{
    b->read8[d] = NULL;
    b->write8[d] = NULL;
    b->write_ctx[d] = NULL;
    b->dec_write8[d] = NULL;
    b->ctx[d] = NULL;
}

void nd_iobus_set_write_tap(nd_iobus *b, nd_io_write8_fn tap, void *ctx)
{
    b->tap = tap;
    b->tap_ctx = ctx;
    for (int d = 0; d < ND_IOBUS_DECODERS; d++)
        if (b->dec_write8[d])
            route_write(b, d);
}

void nd_iobus_init(nd_iobus *b, const ndisdma_io_handler *unmapped, void *ctx)
{
    memset(b, 0, sizeof *b);
    set_handlers(b, 0, unmapped, ctx);
}

int nd_iobus_map(nd_iobus *b, uint16_t base, uint32_t count, const ndisdma_io_handler *h, void *ctx)
{
    if (!h || count == 0 || (uint32_t)base + count > 65536u)
        return NDISDMA_EINVAL;
    for (uint32_t p = base; p < (uint32_t)base + count; p++)
        if (b->map[p])
            return NDISDMA_EBUSY;
    for (int id = 1; id < ND_IOBUS_SLOTS; id++) {
        if (b->slot[id].used)
            continue;
        b->slot[id] = (nd_io_slot){.base = base, .count = count, .used = 1};
        set_handlers(b, id, h, ctx);
        memset(&b->map[base], id, count);
        return id;
    }
    return NDISDMA_ENOSPC;
}

int nd_iobus_decoder(nd_iobus *b, int id, const ndisdma_io_handler *h, void *ctx)
{
    if (id <= 0 || id >= ND_IOBUS_SLOTS || !b->slot[id].used)
        return NDISDMA_ENOENT;
    if (!h)
        return NDISDMA_EINVAL;
    for (int i = 0; i < ND_IOBUS_EXTRA; i++) {
        if (b->extra_owner[i])
            continue;
        b->extra_owner[i] = (uint8_t)id;
        set_handlers(b, ND_IOBUS_SLOTS + i, h, ctx);
        return ND_IOBUS_SLOTS + i;
    }
    return NDISDMA_ENOSPC;
}

int nd_iobus_route(nd_iobus *b, int decoder, uint16_t port)
{
    if (decoder < ND_IOBUS_SLOTS || decoder >= ND_IOBUS_DECODERS)
        return NDISDMA_EINVAL;
    const int id = b->extra_owner[decoder - ND_IOBUS_SLOTS];
    if (!id || port < b->slot[id].base || (uint32_t)(port - b->slot[id].base) >= b->slot[id].count)
        return NDISDMA_EINVAL;
    b->map[port] = (uint8_t)decoder;
    return 0;
}

int nd_iobus_unmap(nd_iobus *b, int id)
{
    if (id <= 0 || id >= ND_IOBUS_SLOTS || !b->slot[id].used)
        return NDISDMA_ENOENT;
    /* The range's routed ports go with it. */
    memset(&b->map[b->slot[id].base], 0, b->slot[id].count);
    memset(&b->slot[id], 0, sizeof b->slot[id]);
    clear_handlers(b, id);
    for (int i = 0; i < ND_IOBUS_EXTRA; i++) {
        if (b->extra_owner[i] != id)
            continue;
        b->extra_owner[i] = 0;
        clear_handlers(b, ND_IOBUS_SLOTS + i);
    }
    return 0;
}
