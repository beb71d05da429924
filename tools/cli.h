/*
 * cli.h - the ndisdma command's pieces that are not main(): option parsing,
 * exit codes, capture input and output (libpcap), output files written
 * whole or not at all, the progress bar and the run summary.
 *
 * Concept. main() (ndisdma.c) parses the options of a subcommand into a
 * cli_run_opts on its stack, reads and validates all input before it creates
 * any output, runs the scenario (scenario.h), and maps what happened to one
 * exit code (CLI_EXIT_*). Every output is written to a temporary file in its
 * target's directory and renamed into place only when the run succeeded
 * (cli_outfile), so a failed run leaves nothing half-written behind.
 * Nothing here keeps global state.
 */
#ifndef NDISDMA_TOOLS_CLI_H
#define NDISDMA_TOOLS_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "scenario.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Exit codes of the ndisdma command (documented in --help, ndisdma.1 and
   docs/cli.md). */
enum {
    CLI_EXIT_OK = 0,       /* every frame came back equal and in order, no finding */
    CLI_EXIT_FAILED = 1,   /* frames lost, different or out of order; a send failed; the
                              driver or adapter failed to start; a benchmark failed */
    CLI_EXIT_USAGE = 2,    /* unknown option or subcommand, missing or bad value,
                              impossible channel (4, above 7) */
    CLI_EXIT_INPUT = 3,    /* --pcap-in: missing, unreadable, not a capture, truncated,
                              link type not Ethernet, a frame empty, partial or > 1514 */
    CLI_EXIT_VERIFIER = 4, /* verifier findings (strict: the run stopped at the first;
                              record: the run went to the end and lists them) */
    CLI_EXIT_OUTPUT = 5,   /* an output file could not be created or written */
    CLI_EXIT_SIGNAL = 130, /* interrupted (SIGINT or SIGTERM): nothing written */
};

/* --fault options at most. */
#define CLI_MAX_FAULTS 8

/* Options of `ndisdma run`. */
typedef struct cli_run_opts {
    const char *pcap_in, *pcap_out;
    const char *vcd, *vcd_bits, *trace;
    scenario_verify verify;
    uint64_t seed;
    uint64_t frames; /* 0 = default (built-in: 64; --pcap-in: every frame) */
    int channel;
    ndisdma_placement placement;
    uint64_t rate_bps;
    unsigned window;
    scenario_fault faults[CLI_MAX_FAULTS]; /* --fault, in order */
    unsigned nfaults;
    bool quiet;
    bool help;
} cli_run_opts;

/* cli_run_opts_init - the defaults (channel 3, 10 Mbit/s, placement low,
   verify record, seed 0, window 8). */
void cli_run_opts_init(cli_run_opts *o);

/*
 * cli_parse_run - parse the arguments of `ndisdma run` (@argv[0] is "run",
 * options follow; "--opt VALUE" and "--opt=VALUE" both work) into @o.
 * On error writes one message (naming the option and the problem, no
 * newline) to @err (@errlen bytes) and returns CLI_EXIT_USAGE; else 0.
 */
int cli_parse_run(int argc, char **argv, cli_run_opts *o, char *err, size_t errlen);

/* Value parsers (0, or -1 when @s is not a valid value). */
int cli_parse_u64(const char *s, uint64_t *out);
/* A rate in bits per second: decimal digits with an optional suffix k, M or
   G (x1000, x10^6, x10^9), e.g. 10M; 0 = no limit. */
int cli_parse_rate(const char *s, uint64_t *out);
int cli_parse_channel(const char *s, int *out, char *err, size_t errlen);
int cli_parse_placement(const char *s, ndisdma_placement *out);
int cli_parse_verify(const char *s, scenario_verify *out);
/* A fault: NAME:nth=N, NAME:every=N or NAME:ppm=N, then optionally
   ,limit=N and ,channel=N (kinds with a channel); NAME as
   ndisdma_fault_name gives it. 0, or -1 with a message in @err. */
int cli_parse_fault(const char *s, scenario_fault *out, char *err, size_t errlen);
const char *cli_placement_name(ndisdma_placement p);
const char *cli_verify_name(scenario_verify v);

/* Help texts. */
void cli_usage_main(FILE *f);
void cli_usage_run(FILE *f);
void cli_usage_bench(FILE *f);

/*
 * cli_pcap_read - read every frame of the capture at @path into @out
 * (appended). The capture must be a pcap or pcapng file libpcap reads, with
 * link type Ethernet (DLT_EN10MB), at least one frame, and every frame
 * 1..1514 bytes and captured whole. @max: stop after this many frames
 * (0 = all; the rest are not read).
 * Returns 0, or CLI_EXIT_INPUT with a message naming the file (and the
 * frame, counted from 1) in @err.
 */
int cli_pcap_read(const char *path, uint64_t max, scenario_frames *out, char *err, size_t errlen);

/* An output file written whole or not at all. */
typedef struct cli_outfile {
    char *path; /* target */
    char *tmp;  /* temporary name in the same directory */
    FILE *f;
} cli_outfile;

/* cli_outfile_open - create a temporary file next to @path, open for
   writing. Returns 0 or CLI_EXIT_OUTPUT (message in @err). */
int cli_outfile_open(cli_outfile *o, const char *path, char *err, size_t errlen);
/* cli_outfile_commit - flush, close and rename the temporary file to its
   target (with the permissions umask gives). Returns 0 or CLI_EXIT_OUTPUT
   (the temporary file is removed). */
int cli_outfile_commit(cli_outfile *o, char *err, size_t errlen);
/* cli_outfile_abort - close and remove the temporary file. Safe on a
   closed or never-opened file (zeroed). */
void cli_outfile_abort(cli_outfile *o);

/* A pcap writer on a cli_outfile: nanosecond time stamps, DLT_EN10MB. */
typedef struct cli_pcap_writer cli_pcap_writer;
/* cli_pcap_writer_open - start a capture on @o (open). Returns 0 or
   CLI_EXIT_OUTPUT. */
int cli_pcap_writer_open(cli_pcap_writer **w, cli_outfile *o, char *err, size_t errlen);
/* cli_pcap_writer_add - one frame with time stamp @t_ns. */
void cli_pcap_writer_add(cli_pcap_writer *w, const uint8_t *frame, size_t len, uint64_t t_ns);
/* cli_pcap_writer_close - flush and free the writer and close the
   outfile's FILE (the outfile is committed or aborted afterwards). Returns 0
   or CLI_EXIT_OUTPUT (a write failed). NULL: 0. */
int cli_pcap_writer_close(cli_pcap_writer *w);

/* The progress bar: drawn on @f (stderr) only if @enabled, at most ten
   times a second, and only once the run has lasted half a second. @stop
   (may be NULL), set by a signal handler, ends the run. */
typedef struct cli_progress {
    FILE *f;
    const volatile sig_atomic_t *stop;
    bool enabled;
    bool drawn;
    uint64_t start_ns, last_ns; /* wall clock */
} cli_progress;
void cli_progress_init(cli_progress *p, FILE *f, bool enabled);
/* scenario_progress_fn: draws the bar; false once *stop is set. */
bool cli_progress_update(void *ctx, uint64_t done, uint64_t total, uint64_t now_ns);
/* cli_progress_done - erase the bar if one was drawn. */
void cli_progress_done(cli_progress *p);
/* cli_progress_line - format the bar for @done of @total into @buf. */
void cli_progress_line(char *buf, size_t len, uint64_t done, uint64_t total, uint64_t now_ns);

/* cli_print_summary - the run summary of `ndisdma run` on @f. */
void cli_print_summary(FILE *f, const cli_run_opts *o, const scenario_options *so,
                       const scenario_result *r, int exit_code);

/* cli_exit_code - the exit code of a finished run (OK, FAILED, VERIFIER). */
int cli_exit_code(const cli_run_opts *o, const scenario_result *r);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_TOOLS_CLI_H */
