/*
 * ndisdma - the command: `ndisdma run` runs the SD-1 sample miniport on an
 * emulated ISA NIC in loopback and shows what happened; `ndisdma bench`
 * runs the benchmarks.
 *
 * Concept. main() dispatches on the subcommand. `run` parses its options
 * (cli_parse_run), reads and validates all input (the built-in frame mix or
 * a capture) before it creates any output, opens every output as a
 * temporary file (cli_outfile), runs the scenario (scenario.h) once with the
 * capture output, the progress bar and the first trace output, and once
 * more for each further trace output (a machine streams one trace format at
 * a time; the scenario is deterministic, so the runs must agree). Then it
 * prints the summary, maps the result to an exit code (cli.h: CLI_EXIT_*)
 * and renames the outputs into place, or removes them when the run could not
 * be made. The options live in a struct on main's stack.
 */
#define _POSIX_C_SOURCE 200809L /* sigaction */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "scenario.h"

#ifndef NDISDMA_VERSION
#define NDISDMA_VERSION "0.0.0"
#endif

enum { OUT_PCAP, OUT_TRACE, OUT_VCD, OUT_VCD_BITS, OUT_COUNT };

/* Set by SIGINT and SIGTERM: the run ends at its next slice and its
   temporary files are removed. The one piece of process state of the
   program (a signal handler can reach nothing else). */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

typedef struct run_ctx {
    cli_run_opts opts;
    scenario_frames frames;
    cli_outfile out[OUT_COUNT];
    cli_pcap_writer *pcap;
    cli_progress progress;
    char err[512];
} run_ctx;

static void on_receive(void *ctx, const uint8_t *frame, size_t len, uint64_t t_ns)
{
    run_ctx *c = ctx;
    cli_pcap_writer_add(c->pcap, frame, len, t_ns);
}

static void abort_outputs(run_ctx *c)
{
    cli_pcap_writer_close(c->pcap);
    c->pcap = NULL;
    for (int k = 0; k < OUT_COUNT; k++)
        cli_outfile_abort(&c->out[k]);
}

static int fail_msg(run_ctx *c, int code)
{
    fprintf(stderr, "ndisdma run: %s\n", c->err);
    abort_outputs(c);
    scenario_frames_free(&c->frames);
    return code;
}

static bool same_run(const scenario_result *a, const scenario_result *b)
{
    return a->frames_received == b->frames_received && a->bytes_received == b->bytes_received &&
           a->end_ns == b->end_ns && a->violations == b->violations &&
           a->mismatches == b->mismatches && a->error == b->error;
}

static int cmd_run(int argc, char **argv)
{
    run_ctx *c = calloc(1, sizeof *c);
    if (!c) {
        fprintf(stderr, "ndisdma run: out of memory\n");
        return CLI_EXIT_FAILED;
    }
    cli_run_opts *o = &c->opts;
    cli_run_opts_init(o);
    scenario_frames_init(&c->frames);
    int rc = cli_parse_run(argc, argv, o, c->err, sizeof c->err);
    if (rc) {
        rc = fail_msg(c, rc);
        free(c);
        return rc;
    }
    if (o->help) {
        cli_usage_run(stdout);
        free(c);
        return CLI_EXIT_OK;
    }

    /* 1. Input, whole and valid, before any output exists. */
    if (o->pcap_in)
        rc = cli_pcap_read(o->pcap_in, o->frames, &c->frames, c->err, sizeof c->err);
    if (rc) {
        rc = fail_msg(c, rc);
        free(c);
        return rc;
    }

    /* 2. Outputs, as temporary files (from here on a signal must not kill
       the program before it removes them). */
    catch_signals();
    const char *paths[OUT_COUNT] = {o->pcap_out, o->trace, o->vcd, o->vcd_bits};
    static const ndisdma_trace_format formats[OUT_COUNT] = {
        NDISDMA_TRACE_JSONL, NDISDMA_TRACE_JSONL, NDISDMA_TRACE_VCD, NDISDMA_TRACE_VCD_BITS};
    for (int k = 0; k < OUT_COUNT; k++) {
        if (paths[k] && (rc = cli_outfile_open(&c->out[k], paths[k], c->err, sizeof c->err))) {
            rc = fail_msg(c, rc);
            free(c);
            return rc;
        }
    }
    if (o->pcap_out &&
        (rc = cli_pcap_writer_open(&c->pcap, &c->out[OUT_PCAP], c->err, sizeof c->err))) {
        rc = fail_msg(c, rc);
        free(c);
        return rc;
    }

    /* 3. The run, then one more per further trace output. */
    scenario_options so;
    scenario_options_init(&so);
    so.seed = o->seed;
    so.input = o->pcap_in ? &c->frames : NULL; /* NULL: the built-in mix, made on the fly */
    so.frames = o->frames ? o->frames : SCENARIO_DEFAULT_FRAMES;
    so.channel = o->channel;
    so.placement = o->placement;
    so.line_rate_bps = o->rate_bps;
    so.verify = o->verify;
    so.window = o->window;
    so.faults = o->faults;
    so.nfaults = o->nfaults;
    cli_progress_init(&c->progress, stderr, !o->quiet && isatty(STDERR_FILENO));
    c->progress.stop = &stop_requested;
    so.progress = cli_progress_update;
    so.progress_ctx = &c->progress;
    if (c->pcap) {
        so.on_receive = on_receive;
        so.receive_ctx = c;
    }
    int first_trace = -1;
    for (int k = OUT_TRACE; k < OUT_COUNT; k++) {
        if (paths[k] && first_trace < 0) {
            first_trace = k;
            so.trace_file = c->out[k].f;
            so.trace_format = formats[k];
        }
    }
    scenario_result *r = malloc(sizeof *r), *r2 = malloc(sizeof *r2);
    if (!r || !r2) {
        free(r);
        free(r2);
        snprintf(c->err, sizeof c->err, "out of memory");
        rc = fail_msg(c, CLI_EXIT_FAILED);
        free(c);
        return rc;
    }
    scenario_run(&so, r);
    cli_progress_done(&c->progress);
    int code = cli_exit_code(o, r);
    bool made = r->ran;
    if (r->trace_error) {
        snprintf(c->err, sizeof c->err, "%s: writing the trace failed: %s", paths[first_trace],
                 ndisdma_strerror(r->trace_error));
        code = CLI_EXIT_OUTPUT;
    }
    for (int k = first_trace + 1; code != CLI_EXIT_OUTPUT && first_trace >= 0 && k < OUT_COUNT;
         k++) {
        if (!paths[k])
            continue;
        so.trace_file = c->out[k].f;
        so.trace_format = formats[k];
        so.on_receive = NULL;
        c->progress.enabled = false;
        scenario_run(&so, r2);
        if (r2->interrupted) {
            r->interrupted = true;
            break;
        }
        if (r2->trace_error) {
            snprintf(c->err, sizeof c->err, "%s: writing the trace failed: %s", paths[k],
                     ndisdma_strerror(r2->trace_error));
            code = CLI_EXIT_OUTPUT;
        } else if (!same_run(r, r2)) {
            fprintf(stderr,
                    "ndisdma run: the run made for %s differs from the first run "
                    "(the scenario is not deterministic: a bug)\n",
                    paths[k]);
            if (code == CLI_EXIT_OK)
                code = CLI_EXIT_FAILED;
        }
    }
    if (c->pcap) {
        if (cli_pcap_writer_close(c->pcap) != 0 && code != CLI_EXIT_OUTPUT) {
            snprintf(c->err, sizeof c->err, "%s: writing the capture failed", o->pcap_out);
            code = CLI_EXIT_OUTPUT;
        }
        c->pcap = NULL;
    }

    if (r->interrupted) {
        fprintf(stderr,
                "ndisdma run: interrupted after %" PRIu64 " of %" PRIu64
                " frames; no output written\n",
                r->frames_received, r->frames_total);
        abort_outputs(c);
        code = CLI_EXIT_SIGNAL;
        goto out;
    }

    /* 4. Report, then outputs in place (or gone). */
    if (code != CLI_EXIT_OUTPUT && !o->quiet)
        cli_print_summary(stdout, o, &so, r, code);
    fflush(stdout);
    if (code == CLI_EXIT_OUTPUT || !made) {
        if (code == CLI_EXIT_OUTPUT)
            fprintf(stderr, "ndisdma run: %s\n", c->err);
        abort_outputs(c);
    } else {
        for (int k = 0; k < OUT_COUNT; k++) {
            if (paths[k] && cli_outfile_commit(&c->out[k], c->err, sizeof c->err) != 0) {
                fprintf(stderr, "ndisdma run: %s\n", c->err);
                code = CLI_EXIT_OUTPUT;
                abort_outputs(c);
                /* outputs already renamed stay: they are whole */
                break;
            }
        }
    }
    if (o->quiet && code != CLI_EXIT_OK && code != CLI_EXIT_OUTPUT)
        cli_print_summary(stderr, o, &so, r, code);
out:
    free(r);
    free(r2);
    scenario_frames_free(&c->frames);
    free(c);
    return code;
}

static int cmd_bench(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cli_usage_bench(stdout);
            return CLI_EXIT_OK;
        }
    }
    return bench_main(argc, argv, "ndisdma bench");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage_main(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        cli_usage_main(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("ndisdma %s\n", NDISDMA_VERSION);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "help") == 0) {
        if (argc > 2 && strcmp(argv[2], "run") == 0)
            cli_usage_run(stdout);
        else if (argc > 2 && strcmp(argv[2], "bench") == 0)
            cli_usage_bench(stdout);
        else if (argc > 2) {
            fprintf(stderr, "ndisdma help: unknown command '%s' (commands: run, bench)\n", argv[2]);
            return CLI_EXIT_USAGE;
        } else
            cli_usage_main(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return cmd_bench(argc - 1, argv + 1);
    fprintf(stderr, "ndisdma: unknown command '%s' (commands: run, bench; see ndisdma --help)\n",
            cmd);
    return CLI_EXIT_USAGE;
}
