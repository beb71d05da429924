/*
 * ndisdma-e2e-profile - the body of the e2e benchmarks, once, for profilers.
 *
 * Concept: ndisdma-bench calibrates, repeats and interleaves a baseline, so
 * a profile of it mixes all of that. This program runs one scenario_run of
 * the e2e fast path (bench_e2e_options: fixed-length frames, line rate 0,
 * placement low, verifier off, counters only) and nothing else, so that
 * `perf record` or callgrind see only the frame path. scripts/profile.sh
 * runs it under callgrind twice and prints the instructions per frame (the
 * difference between two frame counts, so set-up and teardown cancel out):
 * a deterministic measure, unlike time on a shared machine.
 *
 * Usage: ndisdma-e2e-profile [FRAMES [LEN]]   (defaults 100000, 1514)
 * Prints one line: frames sent and received, virtual time, ok or FAILED.
 * Exit status 0 when every frame came back, 1 otherwise, 2 on bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "scenario.h"

static int parse(const char *s, unsigned long long max, unsigned long long *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end || v == 0 || v > max)
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long long frames = 100000, len = 1514;
    if (argc > 3 || (argc > 1 && parse(argv[1], 1000000000000ull, &frames) != 0) ||
        (argc > 2 && parse(argv[2], SCENARIO_MAX_FRAME, &len) != 0)) {
        fprintf(stderr, "usage: %s [FRAMES [LEN]]  (FRAMES >= 1, LEN 1..%u)\n", argv[0],
                SCENARIO_MAX_FRAME);
        return 2;
    }
    scenario_options o;
    bench_e2e_options(&o, (unsigned)len, frames);
    scenario_result *r = malloc(sizeof *r);
    if (!r) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        return 1;
    }
    scenario_run(&o, r);
    const bool ok = scenario_ok(r);
    printf("%llu frames of %llu bytes: %llu sent, %llu received, %.6f ms virtual, %s\n", frames,
           len, (unsigned long long)r->frames_sent, (unsigned long long)r->frames_received,
           (double)r->virtual_ns / 1e6, ok ? "ok" : "FAILED");
    free(r);
    return ok ? 0 : 1;
}
