/*
 * test_cli - the library parts of the ndisdma command (issue 7, section 3):
 * option parsing and its usage errors, exit codes, capture input with every
 * bad-input case, output files written whole or not at all, the progress
 * line, the built-in frame mix and the scenario itself (every frame back,
 * byte for byte; the fast path of the benchmarks; bad scenario options).
 * Invalid input first, then the success paths (DESIGN.md).
 */
#define _DEFAULT_SOURCE /* u_char (pcap), mkdtemp, open_memstream */
#include <dirent.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <ndisdma/errors.h>
#include <ndisdma/netif.h>

#include "cli.h"
#include "scenario.h"

/* ---- helpers ---- */

static int parse(cli_run_opts *o, char *err, size_t errlen, ...)
{
    char *argv[32];
    int argc = 0;
    argv[argc++] = "run";
    va_list ap;
    va_start(ap, errlen);
    for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    cli_run_opts_init(o);
    err[0] = 0;
    return cli_parse_run(argc, argv, o, err, errlen);
}

/* A temporary directory per test, removed with its files. */
typedef struct tmpdir {
    char path[64];
} tmpdir;

static void tmpdir_make(tmpdir *t)
{
    strcpy(t->path, "/tmp/test_cli.XXXXXX");
    assert_non_null(mkdtemp(t->path));
}

static int tmpdir_count(const tmpdir *t)
{
    DIR *d = opendir(t->path);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void tmpdir_remove(tmpdir *t)
{
    DIR *d = opendir(t->path);
    if (!d)
        return;
    char p[512];
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", t->path, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(t->path);
}

/* Write a capture of @n frames with caplen lens[i] (len = wire[i] or
   caplen) and link type @dlt. */
static void write_cap(const char *file, int dlt, int n, const unsigned *lens, const unsigned *wire)
{
    pcap_t *dead = pcap_open_dead(dlt, 65535);
    assert_non_null(dead);
    pcap_dumper_t *d = pcap_dump_open(dead, file);
    assert_non_null(d);
    static uint8_t buf[2000];
    for (int i = 0; i < n; i++) {
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof h);
        h.caplen = lens[i];
        h.len = wire && wire[i] ? wire[i] : lens[i];
        memset(buf, i + 1, sizeof buf);
        pcap_dump((u_char *)d, &h, buf);
    }
    pcap_dump_close(d);
    pcap_close(dead);
}

/* ---- options: usage errors first ---- */

static void test_parse_usage_errors(void **state)
{
    (void)state;
    cli_run_opts o;
    char err[256];
    assert_int_equal(parse(&o, err, sizeof err, "--nope", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(err, "unknown option '--nope'"));
    assert_int_equal(parse(&o, err, sizeof err, "--frames", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(err, "--frames needs a value"));
    assert_int_equal(parse(&o, err, sizeof err, "--frames", "0", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "--frames", "1x", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "--frames=", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(err, "empty value"));
    assert_int_equal(parse(&o, err, sizeof err, "--seed", "-1", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "--seed", "18446744073709551616", NULL),
                     CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "--channel", "4", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(err, "channel 4 is impossible"));
    assert_int_equal(parse(&o, err, sizeof err, "--channel", "8", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(err, "channel 8 is impossible"));
    assert_int_equal(parse(&o, err, sizeof err, "--channel=x", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "--placement", "LOW", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(err, "--placement: 'LOW'"));
    assert_int_equal(parse(&o, err, sizeof err, "--verify", "fail-fast", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(err, "--verify: 'fail-fast'"));
    assert_int_equal(parse(&o, err, sizeof err, "--rate", "10m", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "--rate", "5T", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "--rate", "", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "--rate", "5000G", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "--window", "257", NULL), CLI_EXIT_USAGE);
    assert_int_equal(parse(&o, err, sizeof err, "extra", NULL), CLI_EXIT_USAGE);
    assert_non_null(strstr(err, "unexpected argument 'extra'"));
    assert_int_equal(parse(&o, err, sizeof err, "--vcd", "x", "--vcd-bits", "x", NULL),
                     CLI_EXIT_USAGE);
    assert_non_null(strstr(err, "name the same file"));
    assert_int_equal(parse(&o, err, sizeof err, "--pcap-in", "x", "--pcap-out", "x", NULL),
                     CLI_EXIT_USAGE);
    assert_non_null(strstr(err, "would overwrite the input"));
}

static void test_parse_values(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(cli_parse_rate("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(cli_parse_rate("10M", &v), 0);
    assert_int_equal(v, 10000000u);
    assert_int_equal(cli_parse_rate("9600", &v), 0);
    assert_int_equal(v, 9600u);
    assert_int_equal(cli_parse_rate("64k", &v), 0);
    assert_int_equal(v, 64000u);
    assert_int_equal(cli_parse_rate("2G", &v), 0);
    assert_int_equal(v, 2000000000u);
    assert_int_equal(cli_parse_rate("1MM", &v), -1);
    assert_int_equal(cli_parse_u64("0x10", &v), 0);
    assert_int_equal(v, 16);
    assert_int_equal(cli_parse_u64(" 1", &v), -1);
    int ch;
    char err[128];
    for (int c = 0; c <= 7; c++) {
        char s[4];
        snprintf(s, sizeof s, "%d", c);
        assert_int_equal(cli_parse_channel(s, &ch, err, sizeof err), c == 4 ? -1 : 0);
        if (c != 4)
            assert_int_equal(ch, c);
    }
    ndisdma_placement p;
    assert_int_equal(cli_parse_placement("scattered", &p), 0);
    assert_int_equal(p, NDISDMA_PLACEMENT_SCATTERED);
    assert_string_equal(cli_placement_name(NDISDMA_PLACEMENT_HIGH), "high");
    scenario_verify vv;
    assert_int_equal(cli_parse_verify("off", &vv), 0);
    assert_int_equal(vv, SCENARIO_VERIFY_OFF);
    assert_string_equal(cli_verify_name(SCENARIO_VERIFY_STRICT), "strict");
}

static void test_parse_good(void **state)
{
    (void)state;
    cli_run_opts o;
    char err[256];
    assert_int_equal(parse(&o, err, sizeof err, NULL), 0);
    assert_int_equal(o.channel, 3);
    assert_int_equal(o.rate_bps, 10000000u);
    assert_int_equal(o.verify, SCENARIO_VERIFY_RECORD);
    assert_int_equal(o.placement, NDISDMA_PLACEMENT_LOW);
    assert_int_equal(parse(&o, err, sizeof err, "--pcap-in", "a.pcap", "--pcap-out=b.pcap", "--vcd",
                           "c.vcd", "--vcd-bits", "d.vcd", "--trace", "e.jsonl", "--verify",
                           "strict", "--seed", "42", "--frames", "7", "--channel", "6",
                           "--placement", "high", "--rate", "1G", "--window", "3", "-q", "--help",
                           NULL),
                     0);
    assert_string_equal(o.pcap_in, "a.pcap");
    assert_string_equal(o.pcap_out, "b.pcap");
    assert_string_equal(o.vcd, "c.vcd");
    assert_string_equal(o.vcd_bits, "d.vcd");
    assert_string_equal(o.trace, "e.jsonl");
    assert_int_equal(o.verify, SCENARIO_VERIFY_STRICT);
    assert_int_equal(o.seed, 42);
    assert_int_equal(o.frames, 7);
    assert_int_equal(o.channel, 6);
    assert_int_equal(o.placement, NDISDMA_PLACEMENT_HIGH);
    assert_int_equal(o.rate_bps, 1000000000u);
    assert_int_equal(o.window, 3);
    assert_true(o.quiet);
    assert_true(o.help);
}

/* ---- exit codes ---- */

static void test_exit_codes(void **state)
{
    (void)state;
    cli_run_opts o;
    cli_run_opts_init(&o);
    scenario_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->frames_total = r->frames_sent = r->frames_received = r->frames_matched = 4;
    assert_int_equal(cli_exit_code(&o, r), CLI_EXIT_OK);
    r->violations = r->violation_warnings = 1; /* a warning does not fail a run */
    assert_int_equal(cli_exit_code(&o, r), CLI_EXIT_OK);
    r->violations = 2;
    r->violation_errors = 1;
    assert_int_equal(cli_exit_code(&o, r), CLI_EXIT_VERIFIER);
    r->frames_received = r->frames_matched = 2; /* findings take precedence over lost frames */
    r->lost = 2;
    assert_int_equal(cli_exit_code(&o, r), CLI_EXIT_VERIFIER);
    o.verify = SCENARIO_VERIFY_OFF; /* off: findings do not fail the run */
    assert_int_equal(cli_exit_code(&o, r), CLI_EXIT_FAILED);
    r->frames_received = r->frames_matched = 4;
    r->lost = 0;
    assert_int_equal(cli_exit_code(&o, r), CLI_EXIT_OK);
    r->mismatches = 1;
    assert_int_equal(cli_exit_code(&o, r), CLI_EXIT_FAILED);
    r->mismatches = 0;
    r->error = NDISDMA_EINIT;
    assert_int_equal(cli_exit_code(&o, r), CLI_EXIT_FAILED);
    free(r);
}

/* ---- capture input: every bad case, then a good one ---- */

static void test_pcap_bad_inputs(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    char f[256], err[512];
    scenario_frames fr;
    scenario_frames_init(&fr);

    snprintf(f, sizeof f, "%s/missing.pcap", t.path);
    assert_int_equal(cli_pcap_read(f, 0, &fr, err, sizeof err), CLI_EXIT_INPUT);
    assert_non_null(strstr(err, f));

    unsigned one[1] = {40};
    snprintf(f, sizeof f, "%s/raw.pcap", t.path);
    write_cap(f, DLT_RAW, 1, one, NULL);
    assert_int_equal(cli_pcap_read(f, 0, &fr, err, sizeof err), CLI_EXIT_INPUT);
    assert_non_null(strstr(err, "is not Ethernet"));

    unsigned big[2] = {60, 1515};
    snprintf(f, sizeof f, "%s/big.pcap", t.path);
    write_cap(f, DLT_EN10MB, 2, big, NULL);
    assert_int_equal(cli_pcap_read(f, 0, &fr, err, sizeof err), CLI_EXIT_INPUT);
    assert_non_null(strstr(err, "frame 2 is 1515 bytes"));

    unsigned empty[1] = {0};
    snprintf(f, sizeof f, "%s/empty.pcap", t.path);
    write_cap(f, DLT_EN10MB, 1, empty, NULL);
    assert_int_equal(cli_pcap_read(f, 0, &fr, err, sizeof err), CLI_EXIT_INPUT);
    assert_non_null(strstr(err, "frame 1 is empty"));

    unsigned part[1] = {64}, wire[1] = {128};
    snprintf(f, sizeof f, "%s/partial.pcap", t.path);
    write_cap(f, DLT_EN10MB, 1, part, wire);
    assert_int_equal(cli_pcap_read(f, 0, &fr, err, sizeof err), CLI_EXIT_INPUT);
    assert_non_null(strstr(err, "captured partially"));

    snprintf(f, sizeof f, "%s/none.pcap", t.path);
    write_cap(f, DLT_EN10MB, 0, NULL, NULL);
    assert_int_equal(cli_pcap_read(f, 0, &fr, err, sizeof err), CLI_EXIT_INPUT);
    assert_non_null(strstr(err, "no frames"));

    unsigned good[3] = {60, 1514, 14};
    snprintf(f, sizeof f, "%s/good.pcap", t.path);
    write_cap(f, DLT_EN10MB, 3, good, NULL);
    /* truncated: the same capture without the last 10 bytes */
    FILE *in = fopen(f, "rb");
    assert_non_null(in);
    static uint8_t all[8192];
    size_t n = fread(all, 1, sizeof all, in);
    fclose(in);
    char tf[256];
    snprintf(tf, sizeof tf, "%s/trunc.pcap", t.path);
    FILE *out = fopen(tf, "wb");
    assert_non_null(out);
    assert_int_equal(fwrite(all, 1, n - 10, out), n - 10);
    fclose(out);
    assert_int_equal(cli_pcap_read(tf, 0, &fr, err, sizeof err), CLI_EXIT_INPUT);
    assert_non_null(strstr(err, "truncated"));

    /* good, whole and limited to 2 frames */
    scenario_frames_free(&fr);
    assert_int_equal(cli_pcap_read(f, 0, &fr, err, sizeof err), 0);
    assert_int_equal(fr.count, 3);
    assert_int_equal(scenario_frames_len(&fr, 1), 1514);
    assert_int_equal(scenario_frames_at(&fr, 1)[0], 2);
    scenario_frames_free(&fr);
    assert_int_equal(cli_pcap_read(f, 2, &fr, err, sizeof err), 0);
    assert_int_equal(fr.count, 2);
    scenario_frames_free(&fr);
    tmpdir_remove(&t);
}

/* ---- output files ---- */

static void test_outfile(void **state)
{
    (void)state;
    tmpdir t;
    tmpdir_make(&t);
    char p[256], err[512];
    cli_outfile o;
    snprintf(p, sizeof p, "%s/no/dir/x.pcap", t.path);
    assert_int_equal(cli_outfile_open(&o, p, err, sizeof err), CLI_EXIT_OUTPUT);
    assert_non_null(strstr(err, p));
    assert_int_equal(tmpdir_count(&t), 0);

    /* not a regular file: refused, never replaced */
    assert_int_equal(cli_outfile_open(&o, t.path, err, sizeof err), CLI_EXIT_OUTPUT);
    assert_non_null(strstr(err, "not a regular file"));
    assert_int_equal(cli_outfile_open(&o, "/dev/null", err, sizeof err), CLI_EXIT_OUTPUT);
    assert_int_equal(tmpdir_count(&t), 0);

    /* aborted: nothing left */
    snprintf(p, sizeof p, "%s/a.txt", t.path);
    assert_int_equal(cli_outfile_open(&o, p, err, sizeof err), 0);
    fputs("half", o.f);
    assert_int_equal(tmpdir_count(&t), 1); /* the temporary file */
    assert_null(strstr(o.tmp, "/a.txt"));
    cli_outfile_abort(&o);
    assert_int_equal(tmpdir_count(&t), 0);
    cli_outfile_abort(&o); /* twice is harmless */

    /* committed: in place, whole */
    assert_int_equal(cli_outfile_open(&o, p, err, sizeof err), 0);
    fputs("whole", o.f);
    assert_int_equal(access(p, F_OK), -1);
    assert_int_equal(cli_outfile_commit(&o, err, sizeof err), 0);
    char buf[16] = {0};
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "whole");
    assert_int_equal(tmpdir_count(&t), 1);

    /* a capture on an outfile */
    snprintf(p, sizeof p, "%s/c.pcap", t.path);
    assert_int_equal(cli_outfile_open(&o, p, err, sizeof err), 0);
    cli_pcap_writer *w;
    assert_int_equal(cli_pcap_writer_open(&w, &o, err, sizeof err), 0);
    uint8_t fr[60];
    memset(fr, 0xAB, sizeof fr);
    cli_pcap_writer_add(w, fr, sizeof fr, 1500000123u);
    cli_pcap_writer_add(w, fr, 14, 1500000999u);
    assert_int_equal(cli_pcap_writer_close(w), 0);
    assert_int_equal(cli_outfile_commit(&o, err, sizeof err), 0);
    scenario_frames got;
    scenario_frames_init(&got);
    assert_int_equal(cli_pcap_read(p, 0, &got, err, sizeof err), 0);
    assert_int_equal(got.count, 2);
    assert_int_equal(scenario_frames_len(&got, 0), 60);
    assert_memory_equal(scenario_frames_at(&got, 0), fr, 60);
    scenario_frames_free(&got);
    /* nanosecond time stamps */
    char e2[PCAP_ERRBUF_SIZE];
    pcap_t *pc = pcap_open_offline_with_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO, e2);
    assert_non_null(pc);
    struct pcap_pkthdr *h;
    const u_char *d;
    assert_int_equal(pcap_next_ex(pc, &h, &d), 1);
    assert_int_equal(h->ts.tv_sec, 1);
    assert_int_equal(h->ts.tv_usec, 500000123);
    pcap_close(pc);
    tmpdir_remove(&t);
}

/* ---- progress ---- */

static void test_progress_line(void **state)
{
    (void)state;
    char line[128];
    cli_progress_line(line, sizeof line, 50, 100, 12345678901ull);
    assert_non_null(strstr(line, " 50% 50/100 frames, virtual time 12.345 s"));
    assert_non_null(strstr(line, "[###############...............]"));
    cli_progress_line(line, sizeof line, 0, 0, 0);
    assert_non_null(strstr(line, "  0%"));
    /* disabled: never draws */
    cli_progress p;
    cli_progress_init(&p, stderr, false);
    cli_progress_update(&p, 1, 2, 3);
    assert_false(p.drawn);
    cli_progress_done(&p);
}

/* ---- frames and the scenario ---- */

static void test_frames_builtin(void **state)
{
    (void)state;
    scenario_frames a, b;
    scenario_frames_init(&a);
    scenario_frames_init(&b);
    assert_int_equal(scenario_frames_add(&a, "x", 0), NDISDMA_EINVAL);
    uint8_t big[1515] = {0};
    assert_int_equal(scenario_frames_add(&a, big, sizeof big), NDISDMA_EINVAL);
    assert_int_equal(a.count, 0);
    uint8_t mac[6] = {2, 0, 0x5D, 0, 0, 1};
    assert_int_equal(scenario_frames_builtin(&a, 5, 100, mac), 0);
    assert_int_equal(scenario_frames_builtin(&b, 5, 100, mac), 0);
    assert_int_equal(a.count, 100);
    assert_int_equal(a.offset[100], b.offset[100]);
    assert_memory_equal(a.data, b.data, a.offset[100]); /* deterministic */
    bool seen60 = false, seen1514 = false, seen_bcast = false;
    for (size_t i = 0; i < a.count; i++) {
        size_t len = scenario_frames_len(&a, i);
        const uint8_t *f = scenario_frames_at(&a, i);
        assert_true(len >= 14 && len <= 1514);
        assert_int_equal(f[12], 0x88);
        assert_int_equal(f[13], 0xB5);
        assert_int_equal(f[6] & 0x03, 0x02); /* locally administered unicast source */
        seen60 |= len == 60;
        seen1514 |= len == 1514;
        seen_bcast |= f[0] == 0xFF;
        if (len >= 25) {
            assert_memory_equal(f + 14, "ndisdma", 7);
            assert_int_equal(f[24], (uint8_t)i); /* the sequence number */
        }
    }
    assert_true(seen60 && seen1514 && seen_bcast);
    scenario_frames_free(&b);
    assert_int_equal(scenario_frames_builtin(&b, 6, 100, mac), 0);
    assert_true(memcmp(a.data, b.data, 100) != 0 || a.offset[100] != b.offset[100]);
    scenario_frames_free(&a);
    scenario_frames_free(&b);
}

static void test_scenario_bad_options(void **state)
{
    (void)state;
    scenario_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    scenario_options o;
    scenario_options_init(&o);
    o.frames = 0;
    assert_int_equal(scenario_run(&o, r), NDISDMA_EINVAL); /* nothing to send */
    assert_false(scenario_ok(r));
    o.frames = 10;
    o.fixed_len = 13;
    assert_int_equal(scenario_run(&o, r), NDISDMA_EINVAL);
    o.fixed_len = 1515;
    assert_int_equal(scenario_run(&o, r), NDISDMA_EINVAL);
    o.fixed_len = 64;
    o.window = 0;
    assert_int_equal(scenario_run(&o, r), NDISDMA_EINVAL);
    assert_int_equal(scenario_run(NULL, r), NDISDMA_EINVAL);
    assert_int_equal(scenario_run(&o, NULL), NDISDMA_EINVAL);
    /* channel 4: the NIC cannot be created; the step is named */
    o.window = 8;
    o.channel = 4;
    assert_int_equal(scenario_run(&o, r), NDISDMA_EINVAL);
    assert_string_equal(r->failed_step, "sdnic_create");
    assert_false(r->ran);
    free(r);
}

typedef struct rx_log {
    uint64_t n, last_t;
    bool ordered;
} rx_log;

static void log_rx(void *ctx, const uint8_t *frame, size_t len, uint64_t t)
{
    rx_log *l = ctx;
    (void)frame;
    (void)len;
    if (t < l->last_t)
        l->ordered = false;
    l->last_t = t;
    l->n++;
}

static void test_scenario_builtin(void **state)
{
    (void)state;
    scenario_frames f;
    scenario_frames_init(&f);
    sdnic_config nc;
    sdnic_config_init(&nc);
    assert_int_equal(scenario_frames_builtin(&f, 1, 48, nc.mac), 0);
    scenario_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    const ndisdma_placement pl[] = {NDISDMA_PLACEMENT_LOW, NDISDMA_PLACEMENT_HIGH,
                                    NDISDMA_PLACEMENT_SCATTERED};
    for (unsigned k = 0; k < 3; k++) {
        scenario_options o;
        scenario_options_init(&o);
        o.input = &f;
        o.placement = pl[k];
        o.channel = k == 1 ? 5 : 3;
        rx_log log = {.ordered = true};
        o.on_receive = log_rx;
        o.receive_ctx = &log;
        assert_int_equal(scenario_run(&o, r), 0);
        assert_true(r->ran);
        assert_true(scenario_ok(r));
        assert_int_equal(r->frames_received, 48);
        assert_int_equal(r->bytes_received, f.offset[48]);
        assert_int_equal(r->mismatches, 0);
        assert_int_equal(r->lost, 0);
        assert_int_equal(r->violations, 0);
        assert_int_equal(log.n, 48);
        assert_true(log.ordered);
        assert_true(r->interrupts > 0);
        assert_int_equal(r->nic.rx_frames, 48);
        if (pl[k] == NDISDMA_PLACEMENT_LOW)
            assert_int_equal(r->hal.transfers_bounced, 0);
        if (pl[k] == NDISDMA_PLACEMENT_HIGH)
            assert_int_equal(r->hal.transfers_direct, 0);
        assert_true(r->hal.transfers_direct + r->hal.transfers_bounced >= 96);
    }
    /* the same mix made on the fly (no list): the same bytes */
    scenario_options o;
    scenario_options_init(&o);
    o.frames = 48;
    o.seed = 1;
    assert_int_equal(scenario_run(&o, r), 0);
    assert_true(scenario_ok(r));
    assert_int_equal(r->bytes_received, f.offset[48]);
    uint8_t buf[SCENARIO_MAX_FRAME];
    for (size_t i = 0; i < 48; i++) {
        assert_int_equal(scenario_builtin_frame(1, i, nc.mac, buf), scenario_frames_len(&f, i));
        assert_memory_equal(buf, scenario_frames_at(&f, i), scenario_frames_len(&f, i));
    }
    free(r);
    scenario_frames_free(&f);
}

static void test_scenario_fast_path(void **state)
{
    (void)state;
    scenario_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    for (int check = 0; check < 2; check++) {
        scenario_options o;
        scenario_options_init(&o);
        o.fixed_len = check ? 1514 : 64;
        o.frames = 500;
        o.line_rate_bps = 0;
        o.verify = SCENARIO_VERIFY_OFF;
        o.check_data = check;
        assert_int_equal(scenario_run(&o, r), 0);
        assert_true(scenario_ok(r));
        assert_int_equal(r->frames_received, 500);
        assert_int_equal(r->bytes_received, 500u * o.fixed_len);
    }
    free(r);
}

/* The host refills its window once half of it is free, as one NBL chain: with a window of 8,
   the first send carries 8 frames and each refill 4 (one machine run, so no refill between
   runs); a window of 1 sends frame by frame. Every frame comes back either way. */
static void test_scenario_refills_half_the_window(void **state)
{
    (void)state;
    scenario_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    const unsigned windows[] = {8, 5, 1};
    const uint64_t calls[] = {1 + (64 - 8) / 4, 1 + (64 - 5) / 2 + 1, 64};
    for (unsigned k = 0; k < 3; k++) {
        scenario_options o;
        scenario_options_init(&o);
        o.fixed_len = 1514;
        o.frames = 64;
        o.line_rate_bps = 0;
        o.window = windows[k];
        o.slice_ns = 1000000000; /* one run of the machine does it all */
        assert_int_equal(scenario_run(&o, r), 0);
        assert_true(scenario_ok(r));
        assert_int_equal(r->frames_sent, 64);
        assert_int_equal(r->send_calls, calls[k]);
    }
    free(r);
}

/* A host bug, once: give back an NBL the host was never indicated
   (rule return-not-held). */
static void bad_return(void *ctx, ndisdma_machine *m, ndisdma_adapter *a, uint64_t received)
{
    int *done = ctx;
    (void)m;
    if (*done || received < 3)
        return;
    NET_BUFFER_LIST fake;
    memset(&fake, 0, sizeof fake);
    assert_int_equal(ndisdma_adapter_return(a, &fake), NDISDMA_EINVAL);
    *done = 1;
}

static void test_scenario_verifier(void **state)
{
    (void)state;
    scenario_frames f;
    scenario_frames_init(&f);
    assert_int_equal(scenario_frames_builtin(&f, 0, 40, NULL), 0);
    scenario_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    cli_run_opts co;
    cli_run_opts_init(&co);
    for (int strict = 0; strict < 2; strict++) {
        int done = 0;
        scenario_options o;
        scenario_options_init(&o);
        o.input = &f;
        o.verify = strict ? SCENARIO_VERIFY_STRICT : SCENARIO_VERIFY_RECORD;
        co.verify = o.verify;
        o.hook = bad_return;
        o.hook_ctx = &done;
        assert_int_equal(scenario_run(&o, r), 0);
        assert_int_equal(done, 1);
        assert_int_equal(r->violations, 1);
        assert_int_equal(r->violation_errors, 1);
        assert_int_equal(r->nreports, 1);
        assert_non_null(strstr(r->reports[0], "return-not-held"));
        assert_int_equal(cli_exit_code(&co, r), CLI_EXIT_VERIFIER);
        if (strict) { /* stopped at the first finding */
            assert_true(r->stopped_strict);
            assert_true(r->frames_received < 40);
        } else { /* ran to the end */
            assert_false(r->stopped_strict);
            assert_int_equal(r->frames_matched, 40);
        }
        char *text = NULL;
        size_t len = 0;
        FILE *mf = open_memstream(&text, &len);
        assert_non_null(mf);
        cli_print_summary(mf, &co, &o, r, CLI_EXIT_VERIFIER);
        fclose(mf);
        assert_non_null(strstr(text, "verifier      1 finding (1 error, 0 warnings"));
        assert_non_null(strstr(text, "return-not-held"));
        assert_non_null(strstr(text, "FAILED: the verifier found 1 broken rule"));
        free(text);
    }
    free(r);
    scenario_frames_free(&f);
}

/* Faults: frames may be lost (and are counted as lost, the check resuming
   after them), never passed up corrupted. */
static void test_scenario_faults(void **state)
{
    (void)state;
    scenario_frames f;
    scenario_frames_init(&f);
    assert_int_equal(scenario_frames_builtin(&f, 0, 30, NULL), 0);
    scenario_result *r = calloc(1, sizeof *r);
    assert_non_null(r);
    cli_run_opts co;
    cli_run_opts_init(&co);
    char err[256];
    scenario_fault fl;
    assert_int_equal(cli_parse_fault("nonsense:nth=1", &fl, err, sizeof err), -1);
    assert_non_null(strstr(err, "unknown fault 'nonsense'"));
    assert_int_equal(cli_parse_fault("flush_adapter_buffers", &fl, err, sizeof err), -1);
    assert_int_equal(cli_parse_fault("flush_adapter_buffers:nth=1,every=2", &fl, err, sizeof err),
                     -1);
    assert_int_equal(cli_parse_fault("flush_adapter_buffers:ppm=1000001", &fl, err, sizeof err),
                     -1);
    assert_int_equal(cli_parse_fault("NdisAllocateMdl:nth=1,channel=3", &fl, err, sizeof err), -1);
    assert_int_equal(cli_parse_fault("flush_adapter_buffers:every=x", &fl, err, sizeof err), -1);
    assert_int_equal(
        cli_parse_fault("flush_adapter_buffers:every=10,limit=2,channel=3", &fl, err, sizeof err),
        0);
    assert_int_equal(fl.kind, NDISDMA_FAULT_FLUSH);
    assert_int_equal(fl.spec.every, 10);
    assert_int_equal(fl.spec.limit, 2);
    assert_int_equal(fl.spec.channel, 3);

    scenario_options o;
    scenario_options_init(&o);
    o.input = &f;
    o.faults = &fl;
    o.nfaults = 1;
    assert_int_equal(scenario_run(&o, r), 0);
    assert_int_equal(r->faults_injected, 2);
    assert_int_equal(r->mismatches, 0);
    assert_int_equal(r->lost, r->frames_sent - r->frames_matched);
    assert_int_equal(r->frames_matched + r->lost, 30);
    if (r->lost)
        assert_int_equal(cli_exit_code(&co, r),
                         r->violations ? CLI_EXIT_VERIFIER : CLI_EXIT_FAILED);

    /* a fault in initialisation: the adapter does not start, the step is named */
    assert_int_equal(cli_parse_fault("io_get_dma_adapter:nth=1", &fl, err, sizeof err), 0);
    assert_int_not_equal(scenario_run(&o, r), 0);
    assert_string_equal(r->failed_step, "ndisdma_adapter_start");
    assert_false(r->ran);
    assert_int_equal(r->violation_errors, 0); /* register-refused is a warning */
    assert_true(r->violation_warnings >= 1);
    assert_int_equal(cli_exit_code(&co, r), CLI_EXIT_FAILED);
    free(r);
    scenario_frames_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_usage_errors),
        cmocka_unit_test(test_parse_values),
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test(test_pcap_bad_inputs),
        cmocka_unit_test(test_outfile),
        cmocka_unit_test(test_progress_line),
        cmocka_unit_test(test_frames_builtin),
        cmocka_unit_test(test_scenario_bad_options),
        cmocka_unit_test(test_scenario_builtin),
        cmocka_unit_test(test_scenario_fast_path),
        cmocka_unit_test(test_scenario_refills_half_the_window),
        cmocka_unit_test(test_scenario_verifier),
        cmocka_unit_test(test_scenario_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
