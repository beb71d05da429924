/*
 * Fault injection state (internal; public API in <ndisdma/faults.h>).
 *
 * Concept: one nd_faults per machine, embedded in the hardware object
 * (nd_hw.faults) so that every layer reaches it from what it already holds
 * (hw, kernel -> hw, HAL -> hw) without global state. This module is
 * layer-neutral: it includes only public headers and raises its events
 * through a callback the owner installs. Injection points write
 *     if (ND_FAULT_HIT(f, NDISDMA_FAULT_X, channel)) { fail as the WDK does }
 * which costs one load and one predicted branch while nothing is armed.
 * Single-threaded per machine, like the rest of the model.
 */
#ifndef ND_FAULT_FAULT_H
#define ND_FAULT_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include <ndisdma/faults.h>

#if defined(__GNUC__) || defined(__clang__)
#define ND_FAULT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define ND_FAULT_UNLIKELY(x) (x)
#endif

/* Called for each injected fault: @kind, @channel (-1 none). */
typedef void (*nd_fault_emit_fn)(void *ctx, ndisdma_fault kind, int channel);

typedef struct nd_faults {
    uint32_t armed; /* bit per kind: any trigger set; the only word hot paths read */
    ndisdma_fault_spec spec[NDISDMA_FAULT_COUNT];
    uint64_t seen[NDISDMA_FAULT_COUNT]; /* matching calls since armed */
    uint64_t hits[NDISDMA_FAULT_COUNT]; /* injections since armed (for the limit) */
    ndisdma_fault_counters stats;
    uint64_t rng; /* splitmix64 state, seeded from cfg.seed */
    nd_fault_emit_fn emit;
    void *emit_ctx;
} nd_faults;

_Static_assert(NDISDMA_FAULT_COUNT <= 32, "armed is a 32-bit mask");

/* Device-interface kinds, injected by the transfer engine (src/hw). */
#define ND_FAULT_DEVICE_MASK                                                                       \
    ((1u << NDISDMA_FAULT_DEVICE_SHORT) | (1u << NDISDMA_FAULT_DEVICE_STALL) |                     \
     (1u << NDISDMA_FAULT_TC_SPURIOUS) | (1u << NDISDMA_FAULT_TC_MISSING) |                        \
     (1u << NDISDMA_FAULT_DREQ_STORM))
/* The kinds that need the engine's general loop (the single-mode fast path
   is skipped while one is armed, so the per-unit loop has no check). */
#define ND_FAULT_ENGINE_MASK                                                                       \
    ((1u << NDISDMA_FAULT_DEVICE_SHORT) | (1u << NDISDMA_FAULT_DEVICE_STALL) |                     \
     (1u << NDISDMA_FAULT_TC_SPURIOUS))
/* Drop/assert pairs of one DREQ storm. */
#define ND_FAULT_STORM_TOGGLES 16u

/* Disarmed state, PRNG seeded from @seed. */
void nd_faults_init(nd_faults *f, uint64_t seed);
/* Restart the PRNG from @seed (the machine's cfg.seed). */
void nd_faults_seed(nd_faults *f, uint64_t seed);
/* Install the event callback (NULL: none). */
void nd_faults_set_emit(nd_faults *f, nd_fault_emit_fn fn, void *ctx);
/* Validate and arm; 0 or NDISDMA_EINVAL. */
int nd_faults_arm(nd_faults *f, ndisdma_fault kind, const ndisdma_fault_spec *spec);
void nd_faults_disarm(nd_faults *f, ndisdma_fault kind);

/* Slow path of ND_FAULT_HIT: count the call, decide, count and emit. */
bool nd_fault_decide(nd_faults *f, ndisdma_fault kind, int channel);

#define ND_FAULT_HIT(f, kind, channel)                                                             \
    (ND_FAULT_UNLIKELY((f)->armed & (1u << (kind))) && nd_fault_decide((f), (kind), (channel)))

#endif /* ND_FAULT_FAULT_H */
