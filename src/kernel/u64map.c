/* A small hash map from 64-bit keys to pointers: see u64map.h. */
#include "kernel/u64map.h"

#include <stdlib.h>

#include <ndisdma/errors.h>

#define EMPTY   0u
#define DELETED UINT64_MAX

static size_t hash(uint64_t k)
{
    return nd_u64map_hash(k);
}

/* Slot of stored key @sk, or of the first free slot for it (-1 never:
   the table always has empty slots). */
static size_t probe(const nd_u64map *m, uint64_t sk, bool for_insert)
{
    size_t mask = m->cap - 1, i = hash(sk) & mask, first_free = SIZE_MAX;
    for (;;) {
        uint64_t c = m->keys[i];
        if (c == sk)
            return i;
        if (c == EMPTY)
            return (for_insert && first_free != SIZE_MAX) ? first_free : i;
        if (c == DELETED && first_free == SIZE_MAX)
            first_free = i;
        i = (i + 1) & mask;
    }
}

static int grow(nd_u64map *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16;
    if (m->count * 4 < m->cap)
        ncap = m->cap; /* mostly tombstones: rehash at the same size */
    uint64_t *nk = calloc(ncap, sizeof *nk);
    void **nv = calloc(ncap, sizeof *nv);
    if (!nk || !nv) {
        free(nk);
        free(nv);
        return NDISDMA_ENOMEM;
    }
    uint64_t *ok = m->keys;
    void **ov = m->vals;
    size_t ocap = m->cap;
    m->keys = nk;
    m->vals = nv;
    m->cap = ncap;
    m->count = 0;
    m->used = 0;
    for (size_t i = 0; i < ocap; i++) {
        uint64_t sk = ok[i];
        if (sk == EMPTY || sk == DELETED)
            continue;
        size_t j = probe(m, sk, true);
        m->keys[j] = sk;
        m->vals[j] = ov[i];
        m->count++;
        m->used++;
    }
    free(ok);
    free(ov);
    return 0;
}

int nd_u64map_put(nd_u64map *m, uint64_t key, void *val)
{
    uint64_t sk = key + 1;
    if (m->cap) {
        size_t i = probe(m, sk, false);
        if (m->keys[i] == sk) {
            m->vals[i] = val;
            return 0;
        }
    }
    if ((m->used + 1) * 2 > m->cap) {
        int rc = grow(m);
        if (rc)
            return rc;
    }
    size_t i = probe(m, sk, true);
    if (m->keys[i] == EMPTY)
        m->used++;
    m->keys[i] = sk;
    m->vals[i] = val;
    m->count++;
    return 0;
}

bool nd_u64map_get(const nd_u64map *m, uint64_t key, void **val)
{
    if (!m->cap)
        return false;
    size_t i = probe(m, key + 1, false);
    if (m->keys[i] != key + 1)
        return false;
    if (val)
        *val = m->vals[i];
    return true;
}

bool nd_u64map_del(nd_u64map *m, uint64_t key)
{
    if (!m->cap)
        return false;
    size_t i = probe(m, key + 1, false);
    if (m->keys[i] != key + 1)
        return false;
    m->keys[i] = DELETED;
    m->count--;
    return true;
}

void nd_u64map_free(nd_u64map *m)
{
    free(m->keys);
    free(m->vals);
    m->keys = NULL;
    m->vals = NULL;
    m->cap = m->count = m->used = 0;
}

bool nd_u64map_slot(const nd_u64map *m, size_t i, uint64_t *key, void **val)
{
    if (i >= m->cap || m->keys[i] == EMPTY || m->keys[i] == DELETED)
        return false;
    if (key)
        *key = m->keys[i] - 1;
    if (val)
        *val = m->vals[i];
    return true;
}
