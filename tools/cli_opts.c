/*
 * cli_opts.c - options, help texts, exit codes and the run summary of the
 * ndisdma command (see cli.h for the concept).
 *
 * Options are parsed by hand (no getopt: its global state and its messages
 * are not ours): "--name VALUE" or "--name=VALUE", each option at most once
 * in effect (the last wins), every value checked here so that a bad one is a
 * usage error (exit 2) before anything is read or written.
 */
#define _POSIX_C_SOURCE 200809L /* strtok_r */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <ndisdma/errors.h>

void cli_run_opts_init(cli_run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->verify = SCENARIO_VERIFY_RECORD;
    o->channel = SCENARIO_DEFAULT_CHANNEL;
    o->placement = NDISDMA_PLACEMENT_LOW;
    o->rate_bps = SCENARIO_DEFAULT_RATE_BPS;
    o->window = SCENARIO_DEFAULT_WINDOW;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_rate(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    uint64_t mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1000;
    else if (*end == 'M')
        mul = 1000000;
    else if (*end == 'G')
        mul = 1000000000;
    else if (*end)
        return -1;
    if (*end && end[1])
        return -1;
    /* SD-1 reports its rate in kbit/s in 32 bits: at most ~4.29 Tbit/s. */
    if (v > UINT64_MAX / mul || v * mul > 4000000000000ull)
        return -1;
    *out = v * mul;
    return 0;
}

int cli_parse_channel(const char *s, int *out, char *err, size_t errlen)
{
    uint64_t v;
    if (cli_parse_u64(s, &v) != 0) {
        snprintf(err, errlen, "--channel: '%s' is not a number (use 0-3 or 5-7)", s ? s : "");
        return -1;
    }
    if (v == 4) {
        snprintf(err, errlen,
                 "--channel: channel 4 is impossible: it cascades the first 8237 into the "
                 "second (use 0-3 or 5-7)");
        return -1;
    }
    if (v > 7) {
        snprintf(err, errlen,
                 "--channel: channel %s is impossible: the PC/AT has channels 0-7 (use 0-3 or 5-7)",
                 s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int cli_parse_placement(const char *s, ndisdma_placement *out)
{
    if (!s)
        return -1;
    if (strcmp(s, "low") == 0)
        *out = NDISDMA_PLACEMENT_LOW;
    else if (strcmp(s, "high") == 0)
        *out = NDISDMA_PLACEMENT_HIGH;
    else if (strcmp(s, "scattered") == 0)
        *out = NDISDMA_PLACEMENT_SCATTERED;
    else
        return -1;
    return 0;
}

int cli_parse_verify(const char *s, scenario_verify *out)
{
    if (!s)
        return -1;
    if (strcmp(s, "strict") == 0)
        *out = SCENARIO_VERIFY_STRICT;
    else if (strcmp(s, "record") == 0)
        *out = SCENARIO_VERIFY_RECORD;
    else if (strcmp(s, "off") == 0)
        *out = SCENARIO_VERIFY_OFF;
    else
        return -1;
    return 0;
}

static bool fault_has_channel(ndisdma_fault k)
{
    switch (k) {
    case NDISDMA_FAULT_FLUSH:
    case NDISDMA_FAULT_MAPREG_EXHAUSTED:
    case NDISDMA_FAULT_GET_ADAPTER:
    case NDISDMA_FAULT_DEVICE_SHORT:
    case NDISDMA_FAULT_DEVICE_STALL:
    case NDISDMA_FAULT_TC_SPURIOUS:
    case NDISDMA_FAULT_TC_MISSING:
    case NDISDMA_FAULT_DREQ_STORM:
        return true;
    default:
        return false;
    }
}

int cli_parse_fault(const char *s, scenario_fault *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    out->spec.channel = -1;
    const char *colon = strchr(s, ':');
    size_t nlen = colon ? (size_t)(colon - s) : strlen(s);
    int kind = -1;
    for (int k = 0; k < NDISDMA_FAULT_COUNT; k++) {
        const char *n = ndisdma_fault_name((ndisdma_fault)k);
        if (n && strlen(n) == nlen && strncmp(n, s, nlen) == 0)
            kind = k;
    }
    if (kind < 0) {
        snprintf(err, errlen, "--fault: unknown fault '%.*s' (see ndisdma run --help)", (int)nlen,
                 s);
        return -1;
    }
    out->kind = (ndisdma_fault)kind;
    if (!colon) {
        snprintf(err, errlen, "--fault %s: needs a trigger: NAME:nth=N, NAME:every=N or NAME:ppm=N",
                 s);
        return -1;
    }
    char buf[128];
    snprintf(buf, sizeof buf, "%s", colon + 1);
    int triggers = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        uint64_t v;
        if (!eq || cli_parse_u64(eq + 1, &v) != 0 || v > UINT32_MAX) {
            snprintf(err, errlen, "--fault %s: '%s' is not KEY=NUMBER", s, tok);
            return -1;
        }
        *eq = 0;
        if (strcmp(tok, "nth") == 0 && v > 0) {
            out->spec.nth = (uint32_t)v;
            triggers++;
        } else if (strcmp(tok, "every") == 0 && v > 0) {
            out->spec.every = (uint32_t)v;
            triggers++;
        } else if (strcmp(tok, "ppm") == 0 && v > 0 && v <= 1000000) {
            out->spec.ppm = (uint32_t)v;
            triggers++;
        } else if (strcmp(tok, "limit") == 0) {
            out->spec.limit = (uint32_t)v;
        } else if (strcmp(tok, "channel") == 0 && v <= 7 && v != 4 &&
                   fault_has_channel(out->kind)) {
            out->spec.channel = (int)v;
        } else {
            snprintf(err, errlen,
                     "--fault %s: bad '%s=%llu' (nth, every >= 1; ppm 1-1000000; limit; channel "
                     "0-3, 5-7 for DMA and device faults)",
                     s, tok, (unsigned long long)v);
            return -1;
        }
    }
    if (triggers != 1) {
        snprintf(err, errlen, "--fault %s: give exactly one of nth=N, every=N, ppm=N", s);
        return -1;
    }
    return 0;
}

const char *cli_placement_name(ndisdma_placement p)
{
    switch (p) {
    case NDISDMA_PLACEMENT_LOW:
        return "low";
    case NDISDMA_PLACEMENT_HIGH:
        return "high";
    case NDISDMA_PLACEMENT_SCATTERED:
        return "scattered";
    }
    return "?";
}

const char *cli_verify_name(scenario_verify v)
{
    switch (v) {
    case SCENARIO_VERIFY_STRICT:
        return "strict";
    case SCENARIO_VERIFY_RECORD:
        return "record";
    case SCENARIO_VERIFY_OFF:
        return "off";
    }
    return "?";
}

static const char exit_codes_text[] =
    "Exit status:\n"
    "  0  OK: every frame came back equal, in order, and the verifier found nothing\n"
    "  1  the run failed: frames lost, different or out of order, a send failed, or\n"
    "     the driver or adapter did not start\n"
    "  2  usage error: unknown option or subcommand, missing or bad value, impossible\n"
    "     channel (4, or above 7)\n"
    "  3  input error (--pcap-in): missing or unreadable file, not a capture, truncated,\n"
    "     link type not Ethernet, no frames, a frame empty, captured partially or\n"
    "     longer than 1514 bytes\n"
    "  4  the verifier found broken DDI rules of severity error (strict: the run\n"
    "     stopped at the first; record: the run went to the end and lists them);\n"
    "     takes precedence over 1. Warnings are listed but do not fail a run\n"
    "  5  an output file could not be created or written, or is not a regular file\n"
    "  130  interrupted (SIGINT, SIGTERM): the run stopped, nothing was written\n"
    "Outputs are written to temporary files and renamed into place when the run ends\n"
    "with 0, 1 or 4 (the outputs of a failed run show what failed); with 2, 3 or 5,\n"
    "or when the adapter never started, no output file is created or changed.\n";

void cli_usage_main(FILE *f)
{
    fprintf(f,
            "usage: ndisdma <command> [options]\n"
            "       ndisdma --help | --version\n"
            "\n"
            "Runs the SD-1 sample NDIS 6 miniport on an emulated ISA NIC that moves Ethernet\n"
            "frames by system DMA (two cascaded 8237A, page registers, HAL map registers).\n"
            "\n"
            "Commands:\n"
            "  run     send frames through the miniport with the NIC in loopback and check\n"
            "          that every frame comes back (ndisdma run --help)\n"
            "  bench   run the benchmarks, one JSON object per line (ndisdma bench --help)\n"
            "  help    this text, or the help of a command (ndisdma help run)\n"
            "\n%s",
            exit_codes_text);
}

void cli_usage_run(FILE *f)
{
    fprintf(f,
            "usage: ndisdma run [options]\n"
            "\n"
            "Builds a machine, puts an SD-1 NIC in loopback on it (io 0x300, irq 10), loads\n"
            "the sample miniport, sends the frames (the built-in mix, or a capture) and checks\n"
            "that each comes back byte for byte and in order; then prints a summary.\n"
            "\n"
            "Options:\n"
            "  --pcap-in FILE      send the frames of FILE (pcap or pcapng, Ethernet)\n"
            "  --pcap-out FILE     write the frames received to FILE (pcap, nanosecond time\n"
            "                      stamps = virtual receive time; for tshark or Wireshark)\n"
            "  --vcd FILE          waveform of the run (VCD: 16-bit vectors; GTKWave)\n"
            "  --vcd-bits FILE     the same with every vector split into 1-bit wires, for\n"
            "                      sigrok-cli and PulseView on libsigrok 0.5 (Debian 12),\n"
            "                      whose VCD reader takes only 1-bit signals\n"
            "  --trace FILE        every event as JSON Lines\n"
            "  --verify MODE       strict (stop at the first error), record (default: run\n"
            "                      to the end and list every finding) or off (count only,\n"
            "                      no receive poisoning; findings do not fail the run)\n"
            "  --seed N            seed of the frame mix and of the machine (default 0)\n"
            "  --frames N          built-in mix: send N frames (default 64); with --pcap-in:\n"
            "                      the first N frames of the capture\n"
            "  --channel N         DMA channel of the NIC: 0-3 (8-bit) or 5-7 (16-bit);\n"
            "                      default 3\n"
            "  --placement P       where driver memory lies: low (below 16 MiB, direct DMA;\n"
            "                      default), high (above 16 MiB: bounced through map\n"
            "                      registers) or scattered (seeded, both)\n"
            "  --rate BPS          line rate in bit/s, suffixes k M G (default 10M); 0 = no\n"
            "                      limit\n"
            "  --window N          frames in flight at once (default 8)\n"
            "  --fault SPEC        inject a fault (repeatable, up to 8): NAME:nth=N,\n"
            "                      NAME:every=N or NAME:ppm=N, then optionally ,limit=N and\n"
            "                      ,channel=N; NAME is one of docs/faults.md, e.g.\n"
            "                      flush_adapter_buffers:every=10 or device_stall:nth=3\n"
            "  --quiet             print nothing on success; errors still go to stderr\n"
            "  --help              this text\n"
            "\n"
            "Each trace output is one more run of the same deterministic scenario (a machine\n"
            "streams one trace format at a time); the runs must agree.\n"
            "A progress bar is drawn on stderr when it is a terminal and the run is long.\n"
            "\n%s",
            exit_codes_text);
}

void cli_usage_bench(FILE *f)
{
    fprintf(f, "usage: ndisdma bench [--quick] [--filter NAME] [--list]\n"
               "Runs the benchmarks (the same as build/ndisdma-bench) and prints one JSON object\n"
               "per benchmark: name, value, unit, baseline (measured in the same run), ratio,\n"
               "better, goal and goal_met.\n"
               "  --quick        fewer, shorter samples\n"
               "  --filter NAME  run only NAME (or the names containing NAME)\n"
               "  --list         list the benchmarks\n"
               "Exit status: 0 every benchmark ran, 1 one could not run, 2 usage error.\n");
}

/* ---- parsing ---- */

static int usage_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is just above */
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

int cli_parse_run(int argc, char **argv, cli_run_opts *o, char *err, size_t errlen)
{
    static const char *const with_value[] = {
        "--pcap-in", "--pcap-out", "--vcd",       "--vcd-bits", "--trace",  "--verify", "--seed",
        "--frames",  "--channel",  "--placement", "--rate",     "--window", "--fault",
    };
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            o->help = true;
            continue;
        }
        if (strcmp(arg, "--quiet") == 0 || strcmp(arg, "-q") == 0) {
            o->quiet = true;
            continue;
        }
        char name[32];
        const char *val = NULL;
        const char *eq = strchr(arg, '=');
        size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
        if (nlen >= sizeof name)
            nlen = sizeof name - 1;
        memcpy(name, arg, nlen);
        name[nlen] = 0;
        bool known = false;
        for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
            known |= strcmp(name, with_value[k]) == 0;
        if (!known) {
            if (arg[0] == '-')
                return usage_err(err, errlen, "unknown option '%s' (see ndisdma run --help)", arg);
            return usage_err(err, errlen, "unexpected argument '%s' (see ndisdma run --help)", arg);
        }
        if (eq) {
            val = eq + 1;
        } else {
            if (i + 1 >= argc)
                return usage_err(err, errlen, "%s needs a value (see ndisdma run --help)", name);
            val = argv[++i];
        }
        if (!*val)
            return usage_err(err, errlen, "%s: empty value", name);

        if (strcmp(name, "--pcap-in") == 0) {
            o->pcap_in = val;
        } else if (strcmp(name, "--pcap-out") == 0) {
            o->pcap_out = val;
        } else if (strcmp(name, "--vcd") == 0) {
            o->vcd = val;
        } else if (strcmp(name, "--vcd-bits") == 0) {
            o->vcd_bits = val;
        } else if (strcmp(name, "--trace") == 0) {
            o->trace = val;
        } else if (strcmp(name, "--verify") == 0) {
            if (cli_parse_verify(val, &o->verify) != 0)
                return usage_err(err, errlen, "--verify: '%s' is not strict, record or off", val);
        } else if (strcmp(name, "--seed") == 0) {
            if (cli_parse_u64(val, &o->seed) != 0)
                return usage_err(err, errlen,
                                 "--seed: '%s' is not a number from 0 to 18446744073709551615",
                                 val);
        } else if (strcmp(name, "--frames") == 0) {
            if (cli_parse_u64(val, &o->frames) != 0 || o->frames == 0 || o->frames > 100000000u)
                return usage_err(err, errlen, "--frames: '%s' is not a number from 1 to 100000000",
                                 val);
        } else if (strcmp(name, "--channel") == 0) {
            if (cli_parse_channel(val, &o->channel, err, errlen) != 0)
                return CLI_EXIT_USAGE;
        } else if (strcmp(name, "--placement") == 0) {
            if (cli_parse_placement(val, &o->placement) != 0)
                return usage_err(err, errlen, "--placement: '%s' is not low, high or scattered",
                                 val);
        } else if (strcmp(name, "--rate") == 0) {
            if (cli_parse_rate(val, &o->rate_bps) != 0)
                return usage_err(err, errlen,
                                 "--rate: '%s' is not a rate in bit/s (digits with an optional "
                                 "k, M or G; 0 = no limit; at most 4000G)",
                                 val);
        } else if (strcmp(name, "--fault") == 0) {
            if (o->nfaults >= CLI_MAX_FAULTS)
                return usage_err(err, errlen, "--fault: at most %d faults", CLI_MAX_FAULTS);
            if (cli_parse_fault(val, &o->faults[o->nfaults], err, errlen) != 0)
                return CLI_EXIT_USAGE;
            o->nfaults++;
        } else if (strcmp(name, "--window") == 0) {
            uint64_t w;
            if (cli_parse_u64(val, &w) != 0 || w == 0 || w > 256)
                return usage_err(err, errlen, "--window: '%s' is not a number from 1 to 256", val);
            o->window = (unsigned)w;
        }
    }
    /* Two outputs on one file would overwrite each other. */
    const char *outs[] = {o->pcap_out, o->vcd, o->vcd_bits, o->trace};
    const char *onames[] = {"--pcap-out", "--vcd", "--vcd-bits", "--trace"};
    for (int a = 0; a < 4; a++)
        for (int b = a + 1; b < 4; b++)
            if (outs[a] && outs[b] && strcmp(outs[a], outs[b]) == 0)
                return usage_err(err, errlen, "%s and %s name the same file '%s'", onames[a],
                                 onames[b], outs[a]);
    for (int a = 0; a < 4; a++)
        if (outs[a] && o->pcap_in && strcmp(outs[a], o->pcap_in) == 0)
            return usage_err(err, errlen, "%s would overwrite the input '%s'", onames[a],
                             o->pcap_in);
    return 0;
}

/* ---- summary ---- */

int cli_exit_code(const cli_run_opts *o, const scenario_result *r)
{
    if (o->verify != SCENARIO_VERIFY_OFF && r->violation_errors > 0)
        return CLI_EXIT_VERIFIER;
    if (!scenario_ok(r))
        return CLI_EXIT_FAILED;
    return CLI_EXIT_OK;
}

static void rate_text(char *buf, size_t len, uint64_t bps)
{
    if (bps == 0)
        snprintf(buf, len, "no line rate limit");
    else if (bps % 1000000000u == 0)
        snprintf(buf, len, "%" PRIu64 " Gbit/s", bps / 1000000000u);
    else if (bps % 1000000u == 0)
        snprintf(buf, len, "%" PRIu64 " Mbit/s", bps / 1000000u);
    else if (bps % 1000u == 0)
        snprintf(buf, len, "%" PRIu64 " kbit/s", bps / 1000u);
    else
        snprintf(buf, len, "%" PRIu64 " bit/s", bps);
}

void cli_print_summary(FILE *f, const cli_run_opts *o, const scenario_options *so,
                       const scenario_result *r, int exit_code)
{
    char rate[32];
    rate_text(rate, sizeof rate, so->line_rate_bps);
    fprintf(f,
            "ndisdma run: SD-1 sample miniport, NIC in loopback at io 0x%03X irq %u, DMA channel "
            "%d (%s)\n",
            so->io_base, so->irq, so->channel, so->channel >= 4 ? "16-bit" : "8-bit");
    fprintf(f, "  frames        %s, %s, placement %s, seed %" PRIu64 ", window %u\n",
            o->pcap_in ? o->pcap_in : "built-in mix", rate, cli_placement_name(so->placement),
            so->seed, so->window);
    fprintf(f, "  sent          %" PRIu64 " frames, %" PRIu64 " bytes\n", r->frames_sent,
            r->bytes_sent);
    fprintf(f, "  received      %" PRIu64 " frames, %" PRIu64 " bytes", r->frames_received,
            r->bytes_received);
    if (r->frames_received && r->frames_matched == r->frames_received)
        fprintf(f, ", all equal to those sent, in order\n");
    else if (r->mismatches)
        fprintf(f, ", %" PRIu64 " different (first: frame %" PRIu64 ")\n", r->mismatches,
                r->first_mismatch + 1);
    else
        fprintf(f, "\n");
    if (r->lost || r->extra)
        fprintf(f,
                "  lost          %" PRIu64 " frame%s (%" PRIu64
                " missing between frames received); %" PRIu64 " unexpected\n",
                r->lost, r->lost == 1 ? "" : "s", r->frames_skipped, r->extra);
    if (r->frames_received)
        fprintf(f, "  virtual time  %" PRIu64 ".%06" PRIu64 " ms (last frame received)\n",
                r->virtual_ns / 1000000u, r->virtual_ns % 1000000u);
    else
        fprintf(f, "  virtual time  %" PRIu64 ".%06" PRIu64 " ms (no frame received)\n",
                r->end_ns / 1000000u, r->end_ns % 1000000u);
    fprintf(f,
            "  DMA           %" PRIu64 " transfers direct (%" PRIu64 " bytes), %" PRIu64
            " bounced through map registers (%" PRIu64 " bytes)\n",
            r->hal.transfers_direct, r->hal.bytes_direct, r->hal.transfers_bounced,
            r->hal.bytes_bounced);
    fprintf(f, "  interrupts    %" PRIu64 " delivered\n", r->interrupts);
    fprintf(f,
            "  NIC           tx %" PRIu64 " frames, rx %" PRIu64 " frames, %" PRIu64
            " overruns, %" PRIu64 " errors\n",
            r->nic.tx_frames, r->nic.rx_frames, r->nic.rx_overruns,
            r->nic.tx_errors + r->nic.rx_errors);
    if (o->nfaults)
        fprintf(f, "  faults        %" PRIu64 " injected (%u armed)\n", r->faults_injected,
                o->nfaults);
    if (o->verify == SCENARIO_VERIFY_OFF)
        fprintf(f, "  verifier      %" PRIu64 " finding%s (off: counted only)\n", r->violations,
                r->violations == 1 ? "" : "s");
    else
        fprintf(f,
                "  verifier      %" PRIu64 " finding%s (%" PRIu64 " error%s, %" PRIu64
                " warning%s; %s)\n",
                r->violations, r->violations == 1 ? "" : "s", r->violation_errors,
                r->violation_errors == 1 ? "" : "s", r->violation_warnings,
                r->violation_warnings == 1 ? "" : "s", cli_verify_name(o->verify));
    for (unsigned i = 0; i < r->nreports; i++)
        fprintf(f, "    %s\n", r->reports[i]);
    if (r->violations > r->nreports && r->nreports)
        fprintf(f, "    (the last %u are listed)\n", r->nreports);

    switch (exit_code) {
    case CLI_EXIT_OK:
        fprintf(f, "OK: %" PRIu64 " frames sent and received, byte for byte, in order\n",
                r->frames_received);
        break;
    case CLI_EXIT_VERIFIER:
        fprintf(f, "FAILED: the verifier found %" PRIu64 " broken rule%s%s\n", r->violation_errors,
                r->violation_errors == 1 ? "" : "s",
                r->stopped_strict ? " (--verify strict: stopped at the first)" : "");
        break;
    default:
        if (r->error)
            fprintf(f, "FAILED: %s: %s\n", r->failed_step ? r->failed_step : "run",
                    ndisdma_strerror(r->error));
        else if (r->trace_error)
            fprintf(f, "FAILED: writing the trace: %s\n", ndisdma_strerror(r->trace_error));
        else if (r->mismatches)
            fprintf(
                f, "FAILED: %" PRIu64 " frames differ from those sent (first: frame %" PRIu64 ")\n",
                r->mismatches, r->first_mismatch + 1);
        else if (r->lost || r->frames_sent < r->frames_total)
            fprintf(f, "FAILED: %" PRIu64 " of %" PRIu64 " frames did not come back%s\n",
                    r->frames_total - r->frames_matched, r->frames_total,
                    r->stalled ? " (no receive for 1 s of virtual time)" : "");
        else if (r->send_errors)
            fprintf(f, "FAILED: %" PRIu64 " sends completed with an error\n", r->send_errors);
        else
            fprintf(f, "FAILED: %" PRIu64 " unexpected frames received\n", r->extra);
        break;
    }
}
