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

void nd_iobus_init(nd_iobus *b, const ndisdma_io_handler *unmapped, void *ctx)
{
    memset(b, 0, sizeof *b);
    b->read8[0] = unmapped->read8;
    b->write8[0] = unmapped->write8;
    b->ctx[0] = ctx;
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
        b->read8[id] = h->read8 ? h->read8 : open_bus_read;
        b->write8[id] = h->write8 ? h->write8 : open_bus_write;
        b->ctx[id] = ctx;
        memset(&b->map[base], id, count);
        return id;
    }
    return NDISDMA_ENOSPC;
}

int nd_iobus_unmap(nd_iobus *b, int id)
{
    if (id <= 0 || id >= ND_IOBUS_SLOTS || !b->slot[id].used)
        return NDISDMA_ENOENT;
    memset(&b->map[b->slot[id].base], 0, b->slot[id].count);
    memset(&b->slot[id], 0, sizeof b->slot[id]);
    b->read8[id] = NULL;
    b->write8[id] = NULL;
    b->ctx[id] = NULL;
    return 0;
}
