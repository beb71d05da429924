/*
 * ndisdma-bench: benchmarks of the library, one JSON object per line.
 *
 * Concept: the table below lists every benchmark by name; each measures its
 * subject and a baseline in the same run (bench.h). A line reads
 *   {"name": ..., "value": ..., "unit": ..., "baseline": ..., "baseline_what": ...,
 *    "ratio": value / baseline, "better": "higher"|"lower", "goal": ..., "goal_met": ...}
 * where "better" says which direction of value and ratio is better. Goals are
 * informative: the exit status reports only whether every benchmark ran.
 * To add a benchmark, write a bench_fn and add a line to the table.
 * bench_main is the program: build/ndisdma-bench (bench_cli.c) and
 * `ndisdma bench` both call it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static const bench_def benches[] = {
    {"dma_block_64k", bench_dma_block_64k},
    {"dma_demand_16bit_128k", bench_dma_demand_16bit_128k},
    {"dma_single_unit", bench_dma_single_unit},
    {"program_channel", bench_program_channel},
    {"hal_cycle_1514_direct", bench_hal_cycle_1514_direct},
    {"hal_cycle_1514_bounce", bench_hal_cycle_1514_bounce},
    {"ndis_cycle_1514_direct", bench_ndis_cycle_1514_direct},
    {"ndis_cycle_1514_bounce", bench_ndis_cycle_1514_bounce},
    {"e2e_frames_64", bench_e2e_frames_64},
    {"e2e_frames_1514", bench_e2e_frames_1514},
};
#define N_BENCHES (sizeof benches / sizeof benches[0])

static void usage(FILE *f, const char *prog)
{
    fprintf(f,
            "usage: %s [--quick] [--filter NAME] [--list]\n"
            "Prints one JSON object per benchmark: name, value, unit, baseline (measured in\n"
            "the same run), ratio = value / baseline, better (\"higher\" or \"lower\": the\n"
            "better direction of value and ratio), goal and goal_met.\n"
            "  --quick        fewer, shorter samples\n"
            "  --filter NAME  run only NAME (or, if no name matches exactly, the names\n"
            "                 containing NAME)\n"
            "  --list         list the benchmarks\n",
            prog);
}

static void json_str(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        if (*s == '"' || *s == '\\')
            putchar('\\');
        putchar(*s);
    }
    putchar('"');
}

static void json_num(double v)
{
    if (isfinite(v))
        printf("%.6g", v);
    else
        printf("null");
}

static void print_result(const char *name, const bench_result *r)
{
    printf("{\"name\": ");
    json_str(name);
    printf(", \"value\": ");
    json_num(r->value);
    printf(", \"unit\": ");
    json_str(r->unit);
    printf(", \"baseline\": ");
    json_num(r->baseline);
    printf(", \"baseline_what\": ");
    json_str(r->baseline_what);
    printf(", \"ratio\": ");
    json_num(r->ratio);
    printf(", \"better\": ");
    json_str(r->better);
    printf(", \"goal\": ");
    if (r->goal)
        json_str(r->goal);
    else
        printf("null");
    printf(", \"goal_met\": %s}\n", r->goal ? (r->goal_met ? "true" : "false") : "null");
    fflush(stdout);
}

int bench_main(int argc, char **argv, const char *prog)
{
    bench_ctx ctx = {.quick = false, .samples = 7, .sample_s = 0.15};
    const char *filter = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0) {
            ctx.quick = true;
        } else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
            filter = argv[++i];
        } else if (strcmp(argv[i], "--list") == 0) {
            for (size_t k = 0; k < N_BENCHES; k++)
                printf("%s\n", benches[k].name);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout, prog);
            return 0;
        } else {
            fprintf(stderr, "%s: unknown option or missing value '%s'\n", prog, argv[i]);
            usage(stderr, prog);
            return 2;
        }
    }
    if (ctx.quick) {
        ctx.samples = 3;
        ctx.sample_s = 0.03;
    }
    bool exact = false;
    for (size_t k = 0; filter && k < N_BENCHES; k++)
        exact |= strcmp(benches[k].name, filter) == 0;

    int ran = 0, failed = 0;
    for (size_t k = 0; k < N_BENCHES; k++) {
        const char *name = benches[k].name;
        if (filter && (exact ? strcmp(name, filter) != 0 : !strstr(name, filter)))
            continue;
        bench_result r;
        memset(&r, 0, sizeof r);
        if (benches[k].fn(&ctx, &r) != 0) {
            failed++;
            continue;
        }
        print_result(name, &r);
        ran++;
    }
    if (!ran && !failed) {
        fprintf(stderr, "%s: no benchmark matches '%s' (see --list)\n", prog, filter ? filter : "");
        return 2;
    }
    return failed ? 1 : 0;
}
