/*
 * ndisdma-bench helpers: clock, calibration and the copy primitive.
 * See bench.h for the concept.
 */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <string.h>
#include <time.h>

uint64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* BENCH_OPAQUE: never inlined, cloned or specialised (GCC's noipa). With
   LTO, GCC would otherwise inline bench_copy into a body whose length is a
   constant and turn it into `rep movsq`: a different copy, several times
   slower on some CPUs, than the libc memcpy the stack does. */
#if defined(__clang__)
#define BENCH_OPAQUE __attribute__((noinline))
#else
#define BENCH_OPAQUE __attribute__((noipa))
#endif

BENCH_OPAQUE void bench_copy(void *dst, const void *src, size_t n)
{
    memcpy(dst, src, n);
}

BENCH_OPAQUE void bench_sink(const void *p)
{
    (void)p;
}

/* Iterations that make one sample last about ctx->sample_s. */
static uint64_t calibrate(const bench_ctx *ctx, bench_body body, void *arg)
{
    uint64_t iters = 1;
    for (;;) {
        uint64_t t0 = bench_now_ns();
        body(arg, iters);
        uint64_t dt = bench_now_ns() - t0;
        if (dt >= ctx->sample_s * 1e9 / 4 || iters >= (1ull << 40)) {
            double per = (double)dt / (double)iters;
            double want = ctx->sample_s * 1e9 / (per > 0.01 ? per : 0.01);
            return want < 1 ? 1 : (uint64_t)want;
        }
        iters *= 2;
    }
}

void bench_time_pair(const bench_ctx *ctx, bench_body a, void *arg_a, bench_body b, void *arg_b,
                     double *ns_a, double *ns_b)
{
    uint64_t ia = calibrate(ctx, a, arg_a);
    uint64_t ib = b ? calibrate(ctx, b, arg_b) : 0;
    double best_a = 0, best_b = 0;
    for (int s = 0; s < ctx->samples; s++) {
        uint64_t t0 = bench_now_ns();
        a(arg_a, ia);
        double da = (double)(bench_now_ns() - t0) / (double)ia;
        if (s == 0 || da < best_a)
            best_a = da;
        if (b) {
            t0 = bench_now_ns();
            b(arg_b, ib);
            double db = (double)(bench_now_ns() - t0) / (double)ib;
            if (s == 0 || db < best_b)
                best_b = db;
        }
    }
    *ns_a = best_a;
    if (ns_b)
        *ns_b = best_b;
}

void bench_copies_body(void *arg, uint64_t iters)
{
    bench_copies *h = arg;
    for (uint64_t k = 0; k < iters; k++) {
        if (h->copies == 1) {
            bench_copy(h->dst, h->src, h->len);
        } else {
            bench_copy(h->tmp, h->src, h->len);
            bench_copy(h->dst, h->tmp, h->len);
        }
        bench_sink(h->dst);
    }
}
