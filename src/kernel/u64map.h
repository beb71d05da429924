/*
 * A small hash map from 64-bit keys to pointers, for the kernel's
 * registries (live MDLs, phantom frames by host page and by frame number).
 *
 * Concept: open addressing with linear probing; the table doubles when it is
 * more than half full (tombstones included). Keys are stored plus one so
 * that 0 can mark an empty slot; UINT64_MAX marks a deleted one, so a key
 * must be below UINT64_MAX - 1. Not thread-safe: one machine, one thread.
 */
#ifndef ND_KERNEL_U64MAP_H
#define ND_KERNEL_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct nd_u64map {
    uint64_t *keys; /* key + 1; 0 empty; UINT64_MAX deleted */
    void **vals;
    size_t cap;   /* power of two, or 0 */
    size_t count; /* live entries */
    size_t used;  /* live entries and tombstones */
} nd_u64map;

/* Insert or replace. Returns 0 or NDISDMA_ENOMEM (map unchanged). */
int nd_u64map_put(nd_u64map *m, uint64_t key, void *val);
/* True and *@val (may be NULL) when @key is present. */
bool nd_u64map_get(const nd_u64map *m, uint64_t key, void **val);
/* True when @key is present: nd_u64map_get(@m, @key, NULL), inline (below)
   for the lookups made on every DMA transfer (the live-MDL check). */
static inline bool nd_u64map_has(const nd_u64map *m, uint64_t key);
/* Remove @key; true when it was present. */
bool nd_u64map_del(nd_u64map *m, uint64_t key);
/* Free the table; the map is empty and reusable afterwards. */
void nd_u64map_free(nd_u64map *m);

/* Iteration: slots 0 .. cap - 1; true and the entry when slot @i is live. */
bool nd_u64map_slot(const nd_u64map *m, size_t i, uint64_t *key, void **val);

/* ---- the inline lookup (u64map.c probes with the same hash and order) ---- */

/* Fibonacci hashing: one multiplication by 2^64 / golden ratio, keeping
   bits 32 and up (the probes mask the low ones of those), which depend on
   every bit of the key below them. The keys are addresses (aligned, their
   varying bits in the middle) and frame numbers (consecutive): both spread
   evenly over the table. Three instructions on the lookups made on every
   DMA transfer and NBL, instead of the eight of a full 64-bit mixer; the
   order of the slots is nobody's business (nd_u64map_slot walks them in an
   order that follows the keys' values, addresses among them). */
static inline size_t nd_u64map_hash(uint64_t k)
{
    return (size_t)((k * 0x9e3779b97f4a7c15ull) >> 32);
}

static inline bool nd_u64map_has(const nd_u64map *m, uint64_t key)
{
    if (!m->cap)
        return false;
    const uint64_t sk = key + 1; /* stored keys are key + 1 */
    const size_t mask = m->cap - 1;
    /* Linear probing: the key lies before the first empty slot (0);
       tombstones (UINT64_MAX) are stepped over. */
    for (size_t i = nd_u64map_hash(sk) & mask;; i = (i + 1) & mask) {
        if (m->keys[i] == sk)
            return true;
        if (m->keys[i] == 0)
            return false;
    }
}

#endif /* ND_KERNEL_U64MAP_H */
