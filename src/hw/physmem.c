/* Simulated physical RAM: see physmem.h. */
#include "hw/physmem.h"

#include <stdlib.h>
#include <string.h>

#include <ndisdma/errors.h>

int nd_physmem_init(nd_physmem *pm, uint64_t size)
{
    /* calloc of a large block maps fresh zero pages lazily, so a 64 MiB
       machine costs only the pages it touches. */
    pm->base = (size > SIZE_MAX) ? NULL : calloc(1, (size_t)size);
    pm->size = pm->base ? size : 0;
    return pm->base ? 0 : NDISDMA_ENOMEM;
}

void nd_physmem_fini(nd_physmem *pm)
{
    free(pm->base);
    pm->base = NULL;
    pm->size = 0;
}

void nd_physmem_bus_read(const nd_physmem *pm, uint64_t addr, uint8_t *dst, size_t len)
{
    size_t in = 0;
    if (addr < pm->size)
        in = (size_t)((pm->size - addr) < len ? (pm->size - addr) : len);
    if (in)
        memcpy(dst, pm->base + addr, in);
    if (in < len)
        memset(dst + in, 0xFF, len - in);
}

void nd_physmem_bus_write(nd_physmem *pm, uint64_t addr, const uint8_t *src, size_t len)
{
    size_t in = 0;
    if (addr < pm->size)
        in = (size_t)((pm->size - addr) < len ? (pm->size - addr) : len);
    if (in)
        memcpy(pm->base + addr, src, in);
}
