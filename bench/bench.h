/*
 * ndisdma-bench: shared declarations.
 *
 * Concept: a benchmark is a function that measures one thing and a baseline
 * for it in the same run, and fills a bench_result; bench_main.c keeps the
 * one table of {name, function} and prints each result as one JSON line.
 * Later layers add a file with their functions and a line each in the table.
 * Timing is wall clock (CLOCK_MONOTONIC); each measurement is calibrated to a
 * sample length and repeated, and the best sample counts (the least disturbed
 * by the rest of the machine). Measurement and baseline samples alternate so
 * that both see the same machine state.
 */
#ifndef NDISDMA_BENCH_H
#define NDISDMA_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct bench_ctx {
    bool quick;      /* --quick: fewer and shorter samples */
    int samples;     /* samples per measurement */
    double sample_s; /* target length of one sample, seconds */
} bench_ctx;

typedef struct bench_result {
    double value;              /* the measurement, in unit */
    const char *unit;          /* "GB/s", "ns/unit", ... */
    double baseline;           /* the reference measured in the same run, same unit */
    const char *baseline_what; /* what the baseline is, in a few words */
    double ratio;              /* value / baseline */
    const char *better; /* "higher" or "lower": which direction of value and ratio is better */
    const char *goal;   /* the goal, e.g. "ratio >= 0.5"; NULL: none */
    bool goal_met;
} bench_result;

/* A benchmark: returns 0, or -1 after printing why it could not run. */
typedef int (*bench_fn)(const bench_ctx *ctx, bench_result *out);

typedef struct bench_def {
    const char *name;
    bench_fn fn;
} bench_def;

/* --- helpers (bench_util.c) --- */

uint64_t bench_now_ns(void);

/* A body runs its operation @iters times. */
typedef void (*bench_body)(void *arg, uint64_t iters);

/* Calibrate and time two bodies, alternating samples; the best ns per
   iteration of each goes to *@ns_a and *@ns_b. @b may be NULL. */
void bench_time_pair(const bench_ctx *ctx, bench_body a, void *arg_a, bench_body b, void *arg_b,
                     double *ns_a, double *ns_b);

/* The libc memcpy, in a function that the compiler cannot elide, inline
   or specialise (not even under LTO): the copy both a device model and its
   baseline use, so that they do the same work. */
void bench_copy(void *dst, const void *src, size_t n);

/* Keep @p's pointee alive for the optimiser. */
void bench_sink(const void *p);

/* The copies a frame path must do at least, as a baseline: @copies (1 or 2)
   memcpy of @len bytes from @src to @dst, the second through @tmp. The
   caller owns the buffers (@tmp may be NULL for one copy). */
typedef struct bench_copies {
    uint8_t *dst;
    uint8_t *tmp;
    const uint8_t *src;
    size_t len;
    int copies;
} bench_copies;
void bench_copies_body(void *arg, uint64_t iters);

/* --- benchmarks of the hardware model (bench_hw.c) --- */

int bench_dma_block_64k(const bench_ctx *ctx, bench_result *out);
int bench_dma_demand_16bit_128k(const bench_ctx *ctx, bench_result *out);
int bench_dma_single_unit(const bench_ctx *ctx, bench_result *out);
int bench_program_channel(const bench_ctx *ctx, bench_result *out);

/* --- benchmarks of the HAL (bench_hal.c) --- */

int bench_hal_cycle_1514_direct(const bench_ctx *ctx, bench_result *out);
int bench_hal_cycle_1514_bounce(const bench_ctx *ctx, bench_result *out);

/* --- benchmarks of the NDIS system-DMA DDIs (bench_ndis.c) --- */

int bench_ndis_cycle_1514_direct(const bench_ctx *ctx, bench_result *out);
int bench_ndis_cycle_1514_bounce(const bench_ctx *ctx, bench_result *out);

/* --- end to end through the sample miniport and the SD-1 NIC (bench_e2e.c) --- */

int bench_e2e_frames_64(const bench_ctx *ctx, bench_result *out);
int bench_e2e_frames_1514(const bench_ctx *ctx, bench_result *out);

/* The scenario options of the e2e benchmarks' fast path: @frames frames of
   @len bytes, line rate 0, placement low, verifier off, no data check,
   window 16 (the profiling program bench/e2e_profile.c uses them too). */
struct scenario_options;
void bench_e2e_options(struct scenario_options *o, unsigned len, uint64_t frames);

/*
 * bench_main - the benchmark program: parse @argc/@argv (@argv[0] is the
 * program or subcommand name; --quick, --filter NAME, --list, --help), run
 * the benchmarks and print one JSON line each on stdout. @prog names the
 * program in messages. Returns the exit status: 0 all ran, 1 one failed,
 * 2 usage error or no benchmark matched.
 */
int bench_main(int argc, char **argv, const char *prog);

#endif /* NDISDMA_BENCH_H */
