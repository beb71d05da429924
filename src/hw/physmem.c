/*
 * Simulated physical RAM: see physmem.h.
 *
 * RAM is one private anonymous mapping: the kernel hands out zero-filled
 * pages lazily, so a 64 MiB machine costs only the pages it touches, and the
 * mapping is page-aligned, so the page offset of a host pointer into RAM
 * equals the page offset of its physical address (MDLs and MmGetPhysicalAddress
 * rely on that).
 */
#define _DEFAULT_SOURCE
#include "hw/physmem.h"

#include <string.h>
#include <sys/mman.h>

#include <ndisdma/errors.h>

int nd_physmem_init(nd_physmem *pm, uint64_t size)
{
    pm->base = NULL;
    pm->size = 0;
    if (size == 0 || size > SIZE_MAX)
        return NDISDMA_ENOMEM;
    void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NDISDMA_ENOMEM;
    pm->base = p;
    pm->size = size;
    return 0;
}

void nd_physmem_fini(nd_physmem *pm)
{
    if (pm->base)
        munmap(pm->base, (size_t)pm->size);
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
