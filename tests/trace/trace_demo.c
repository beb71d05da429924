/*
 * trace_demo - run the trace scenario and write its three exports.
 *
 * Usage: trace_demo PREFIX [VARIANT]  writes PREFIX.txt, PREFIX.jsonl,
 * PREFIX.vcd and PREFIX.bits.vcd (vectors split into wires). The CI checkers (check_vcd.py,
 * sigrok-cli, a JSON parser) read them. Exit status 0 on success.
 */
#include <stdio.h>
#include <stdlib.h>

#include "scenario.h"

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: trace_demo PREFIX [VARIANT]\n");
        return 2;
    }
    const int variant = argc > 2 ? atoi(argv[2]) : 0;
    ndisdma_machine *m = trace_scenario(42, variant, 0);
    if (!m) {
        fprintf(stderr, "trace_demo: scenario failed\n");
        return 1;
    }
    static const struct {
        ndisdma_trace_format fmt;
        const char *ext;
    } outs[] = {{NDISDMA_TRACE_TEXT, "txt"},
                {NDISDMA_TRACE_JSONL, "jsonl"},
                {NDISDMA_TRACE_VCD, "vcd"},
                {NDISDMA_TRACE_VCD_BITS, "bits.vcd"}};
    int rc = 0;
    for (size_t i = 0; i < sizeof outs / sizeof outs[0] && !rc; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s.%s", argv[1], outs[i].ext);
        rc = ndisdma_trace_export_path(m, outs[i].fmt, path);
        if (rc)
            fprintf(stderr, "trace_demo: %s: %s\n", path, ndisdma_strerror(rc));
    }
    printf("trace_demo: %zu records, %llu dropped\n", ndisdma_trace_count(m),
           (unsigned long long)ndisdma_trace_dropped(m));
    trace_scenario_done(m);
    return rc ? 1 : 0;
}
