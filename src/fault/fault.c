/*
 * Fault injection: triggers, the per-machine PRNG, counters.
 *
 * Concept: each kind has a trigger (nth / every / ppm), a limit and an
 * optional channel filter. A call "matches" when the kind is armed and the
 * channel filter accepts it; matching calls are numbered from 1 since the
 * kind was armed. The probability trigger draws one splitmix64 number per
 * matching call from the machine's fault PRNG, so the sequence of injected
 * faults depends only on the seed and the sequence of calls.
 */
#include "fault/fault.h"

#include <string.h>

#include <ndisdma/errors.h>

static const char *const fault_names[NDISDMA_FAULT_COUNT] = {
#define ND_X_FAULT_NAME(id, name, result) [NDISDMA_FAULT_##id] = (name),
    NDISDMA_FAULT_LIST(ND_X_FAULT_NAME)
#undef ND_X_FAULT_NAME
};

const char *ndisdma_fault_name(ndisdma_fault kind)
{
    if ((unsigned)kind >= NDISDMA_FAULT_COUNT)
        return NULL;
    return fault_names[kind];
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Kinds whose injection point knows a DMA channel. */
static bool has_channel(ndisdma_fault kind)
{
    return kind == NDISDMA_FAULT_FLUSH || kind == NDISDMA_FAULT_MAPREG_EXHAUSTED ||
           kind == NDISDMA_FAULT_GET_ADAPTER || (ND_FAULT_DEVICE_MASK & (1u << kind)) != 0;
}

void nd_faults_init(nd_faults *f, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    nd_faults_seed(f, seed);
}

void nd_faults_seed(nd_faults *f, uint64_t seed)
{
    /* A distinct stream from the placement generator, which also uses the seed. */
    f->rng = seed ^ 0x6661756C74736565ull;
}

void nd_faults_set_emit(nd_faults *f, nd_fault_emit_fn fn, void *ctx)
{
    f->emit = fn;
    f->emit_ctx = ctx;
}

int nd_faults_arm(nd_faults *f, ndisdma_fault kind, const ndisdma_fault_spec *spec)
{
    if (!f || !spec || (unsigned)kind >= NDISDMA_FAULT_COUNT)
        return NDISDMA_EINVAL;
    int triggers = (spec->nth != 0) + (spec->every != 0) + (spec->ppm != 0);
    if (triggers != 1 || spec->ppm > 1000000u)
        return NDISDMA_EINVAL;
    if (spec->channel < -1 || spec->channel > 7)
        return NDISDMA_EINVAL;
    if (spec->channel != -1 && !has_channel(kind))
        return NDISDMA_EINVAL;
    f->spec[kind] = *spec;
    f->seen[kind] = 0;
    f->hits[kind] = 0;
    f->armed |= 1u << kind;
    return 0;
}

void nd_faults_disarm(nd_faults *f, ndisdma_fault kind)
{
    if ((unsigned)kind < NDISDMA_FAULT_COUNT)
        f->armed &= ~(1u << kind);
}

bool nd_fault_decide(nd_faults *f, ndisdma_fault kind, int channel)
{
    const ndisdma_fault_spec *s = &f->spec[kind];
    if (s->channel != -1 && s->channel != channel)
        return false;
    uint64_t n = ++f->seen[kind];
    f->stats.calls[kind]++;
    bool hit;
    if (s->nth)
        hit = n == s->nth;
    else if (s->every)
        hit = n % s->every == 0;
    else
        hit = splitmix64(&f->rng) % 1000000u < s->ppm;
    if (!hit)
        return false;
    f->hits[kind]++;
    f->stats.injected[kind]++;
    if ((s->limit && f->hits[kind] >= s->limit) || s->nth)
        f->armed &= ~(1u << kind); /* spent; an nth trigger fires once */
    if (f->emit)
        f->emit(f->emit_ctx, kind, channel);
    return true;
}
