/*
 * Simulated physical RAM.
 *
 * Concept: one zero-filled host allocation stands for physical addresses
 * [0, size). DMA and device models reach it through direct pointers; the
 * helpers below only check ranges. Addresses past the end of RAM are not
 * backed: DMA reads them as 0xFF and loses writes (host-api.md).
 */
#ifndef ND_HW_PHYSMEM_H
#define ND_HW_PHYSMEM_H

#include <stddef.h>
#include <stdint.h>

typedef struct nd_physmem {
    uint8_t *base;
    uint64_t size;
} nd_physmem;

/* Allocate @size zeroed bytes. Returns 0 or NDISDMA_ENOMEM. */
int nd_physmem_init(nd_physmem *pm, uint64_t size);
void nd_physmem_fini(nd_physmem *pm);

/* True when [addr, addr + len) lies wholly inside RAM (overflow-safe). */
static inline int nd_physmem_contains(const nd_physmem *pm, uint64_t addr, uint64_t len)
{
    return addr <= pm->size && len <= pm->size - addr;
}

/* Pointer to @len bytes at @addr, or NULL when not wholly inside RAM. */
static inline uint8_t *nd_physmem_ptr(const nd_physmem *pm, uint64_t addr, uint64_t len)
{
    return nd_physmem_contains(pm, addr, len) ? pm->base + addr : NULL;
}

/* Bus-level accesses that tolerate unbacked addresses: bytes past RAM read
   0xFF and writes to them are dropped. */
void nd_physmem_bus_read(const nd_physmem *pm, uint64_t addr, uint8_t *dst, size_t len);
void nd_physmem_bus_write(nd_physmem *pm, uint64_t addr, const uint8_t *src, size_t len);

#endif /* ND_HW_PHYSMEM_H */
