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
/* Remove @key; true when it was present. */
bool nd_u64map_del(nd_u64map *m, uint64_t key);
/* Free the table; the map is empty and reusable afterwards. */
void nd_u64map_free(nd_u64map *m);

/* Iteration: slots 0 .. cap - 1; true and the entry when slot @i is live. */
bool nd_u64map_slot(const nd_u64map *m, size_t i, uint64_t *key, void **val);

#endif /* ND_KERNEL_U64MAP_H */
