/*
 * End-to-end benchmarks: Ethernet frames through the whole stack.
 *
 * Concept: each iteration is one frame of the scenario's fast path
 * (tools/scenario.h: fixed length, counters only, line rate 0, placement
 * low, verifier count-only without receive poisoning, as Windows runs
 * without Driver Verifier): frame pool -> ndisdma_adapter_send -> the
 * sample miniport -> NdisMSetupDmaTransfer -> HAL MapTransfer -> 8237 ->
 * SD-1 transmit FIFO -> loopback -> receive DMA -> NdisMCompleteDmaTransfer
 * -> NdisMIndicateReceiveNetBufferLists -> the host's receive callback ->
 * MiniportReturnNetBufferLists. One timed body is one scenario_run of
 * `iters` frames: machine creation, driver load and adapter start are
 * included and amortised over the frames of a sample (hundreds of
 * thousands at full length), and the run must bring every frame back or
 * the benchmark fails.
 *
 * Baseline: the copies a frame must take at least through a DMA NIC in
 * loopback: into the card (transmit DMA) and out of it (receive DMA), two
 * memcpy of the frame (bench_copies_body), measured in the same run.
 *  - e2e_frames_64: frames per second, 64-byte frames. Goal >= 1,000,000.
 *  - e2e_frames_1514: GB/s of frame bytes delivered, 1514-byte frames.
 *    Goal >= 5 GB/s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "scenario.h"

typedef struct e2e_arg {
    unsigned len;
    bool failed;
} e2e_arg;

void bench_e2e_options(scenario_options *o, unsigned len, uint64_t frames)
{
    scenario_options_init(o);
    o->fixed_len = len;
    o->frames = frames;
    o->line_rate_bps = 0;
    o->placement = NDISDMA_PLACEMENT_LOW;
    o->verify = SCENARIO_VERIFY_OFF;
    o->check_data = false;
    o->window = 16;
    o->slice_ns = 100000000; /* 100 ms of virtual time per machine run */
}

static void e2e_body(void *arg, uint64_t iters)
{
    e2e_arg *e = arg;
    scenario_options o;
    bench_e2e_options(&o, e->len, iters);
    scenario_result *r = malloc(sizeof *r);
    if (!r) {
        e->failed = true;
        return;
    }
    scenario_run(&o, r);
    if (!scenario_ok(r) && !e->failed) {
        e->failed = true;
        fprintf(stderr, "e2e: %u-byte frames: %llu of %llu back, error %d at %s, %llu different\n",
                e->len, (unsigned long long)r->frames_received, (unsigned long long)iters, r->error,
                r->failed_step ? r->failed_step : "-", (unsigned long long)r->mismatches);
    }
    free(r);
}

static int e2e(const bench_ctx *ctx, bench_result *out, unsigned len)
{
    e2e_arg e = {.len = len};
    bench_copies c = {.len = len, .copies = 2};
    uint8_t *buf = calloc(3, len);
    if (!buf)
        return -1;
    c.dst = buf;
    c.tmp = buf + len;
    c.src = buf + 2 * (size_t)len;
    double ns, base_ns;
    bench_time_pair(ctx, e2e_body, &e, bench_copies_body, &c, &ns, &base_ns);
    free(buf);
    if (e.failed) {
        fprintf(stderr, "e2e_frames_%u: the scenario did not bring every frame back\n", len);
        return -1;
    }
    double fps = 1e9 / ns, base_fps = 1e9 / base_ns;
    if (len == 64) {
        out->value = fps;
        out->unit = "frames/s";
        out->baseline = base_fps;
        out->baseline_what = "2 memcpy of a 64-byte frame (into and out of the NIC)";
        out->goal = "value >= 1000000 frames/s";
        out->goal_met = fps >= 1e6;
    } else {
        out->value = fps * len / 1e9;
        out->unit = "GB/s";
        out->baseline = base_fps * len / 1e9;
        out->baseline_what = "2 memcpy of a 1514-byte frame (into and out of the NIC)";
        out->goal = "value >= 5 GB/s";
        out->goal_met = out->value >= 5.0;
    }
    out->ratio = out->value / out->baseline;
    out->better = "higher";
    return 0;
}

int bench_e2e_frames_64(const bench_ctx *ctx, bench_result *out)
{
    return e2e(ctx, out, 64);
}

int bench_e2e_frames_1514(const bench_ctx *ctx, bench_result *out)
{
    return e2e(ctx, out, 1514);
}
