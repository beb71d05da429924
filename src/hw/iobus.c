/* The ISA I/O port space: see iobus.h. */
#include "hw/iobus.h"

#include <string.h>

void nd_iobus_init(nd_iobus *b)
{
    memset(b, 0, sizeof *b);
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
        b->slot[id] = (nd_io_slot){.h = *h, .ctx = ctx, .base = base, .count = count, .used = 1};
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
    return 0;
}
