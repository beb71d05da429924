/*
 * cli_io.c - the ndisdma command's files: captures read and written with
 * libpcap, output files that appear whole or not at all, and the progress
 * bar (see cli.h for the concept).
 *
 * Captures. Input goes through pcap_open_offline (pcap and pcapng) and
 * pcap_next_ex; the link type must be DLT_EN10MB. Output is
 * pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, nano) and
 * pcap_dump_fopen on the temporary file of a cli_outfile, so time stamps
 * carry the virtual receive time to the nanosecond.
 *
 * Output files. cli_outfile_open creates ".NAME.XXXXXX" next to NAME with
 * mkstemp; cli_outfile_commit renames it over NAME (atomic on one file
 * system); cli_outfile_abort removes it.
 */
#define _DEFAULT_SOURCE /* u_char and friends of <pcap/pcap.h>; POSIX 2008 */
#include "cli.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- input ---- */

int cli_pcap_read(const char *path, uint64_t max, scenario_frames *out, char *err, size_t errlen)
{
    char ebuf[PCAP_ERRBUF_SIZE];
    ebuf[0] = 0;
    pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
    if (!p) {
        snprintf(err, errlen, "--pcap-in %s: cannot read the capture: %s", path,
                 ebuf[0] ? ebuf : "unknown error");
        return CLI_EXIT_INPUT;
    }
    int dlt = pcap_datalink(p);
    if (dlt != DLT_EN10MB) {
        const char *n = pcap_datalink_val_to_name(dlt);
        snprintf(err, errlen,
                 "--pcap-in %s: link type %s (%d) is not Ethernet (EN10MB): the SD-1 sends "
                 "Ethernet frames",
                 path, n ? n : "unknown", dlt);
        pcap_close(p);
        return CLI_EXIT_INPUT;
    }
    int rc = 0;
    uint64_t n = 0;
    for (;;) {
        if (max && n >= max)
            break;
        struct pcap_pkthdr *h;
        const u_char *data;
        int r = pcap_next_ex(p, &h, &data);
        if (r == PCAP_ERROR_BREAK)
            break;
        if (r != 1) {
            snprintf(err, errlen, "--pcap-in %s: after frame %llu: %s", path, (unsigned long long)n,
                     pcap_geterr(p));
            rc = CLI_EXIT_INPUT;
            break;
        }
        n++;
        if (h->caplen == 0) {
            snprintf(err, errlen, "--pcap-in %s: frame %llu is empty", path, (unsigned long long)n);
            rc = CLI_EXIT_INPUT;
            break;
        }
        if (h->len > SCENARIO_MAX_FRAME || h->caplen > SCENARIO_MAX_FRAME) {
            snprintf(err, errlen,
                     "--pcap-in %s: frame %llu is %u bytes, longer than %u (Ethernet header + "
                     "1500, no FCS)",
                     path, (unsigned long long)n, h->len > h->caplen ? h->len : h->caplen,
                     SCENARIO_MAX_FRAME);
            rc = CLI_EXIT_INPUT;
            break;
        }
        if (h->caplen < h->len) {
            snprintf(err, errlen,
                     "--pcap-in %s: frame %llu was captured partially (%u of %u bytes; snapshot "
                     "length too small)",
                     path, (unsigned long long)n, h->caplen, h->len);
            rc = CLI_EXIT_INPUT;
            break;
        }
        if (scenario_frames_add(out, data, h->caplen) != 0) {
            snprintf(err, errlen, "--pcap-in %s: out of memory at frame %llu", path,
                     (unsigned long long)n);
            rc = CLI_EXIT_INPUT;
            break;
        }
    }
    if (!rc && n == 0) {
        snprintf(err, errlen, "--pcap-in %s: the capture holds no frames", path);
        rc = CLI_EXIT_INPUT;
    }
    pcap_close(p);
    return rc;
}

/* ---- output files ---- */

int cli_outfile_open(cli_outfile *o, const char *path, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dirlen;
    if (!*base) {
        snprintf(err, errlen, "%s: not a file name", path);
        return CLI_EXIT_OUTPUT;
    }
    /* Renaming over a device, a FIFO or a directory would replace it: only
       regular files (or new names) are outputs. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: exists and is not a regular file", path);
        return CLI_EXIT_OUTPUT;
    }
    size_t n = strlen(path) + 16;
    o->path = strdup(path);
    o->tmp = malloc(n);
    if (!o->path || !o->tmp) {
        snprintf(err, errlen, "%s: out of memory", path);
        cli_outfile_abort(o);
        return CLI_EXIT_OUTPUT;
    }
    snprintf(o->tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, base);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create a file there: %s", path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        cli_outfile_abort(o);
        return CLI_EXIT_OUTPUT;
    }
    /* mkstemp makes 0600; the target gets what a plain fopen would give. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0666 & ~mask) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        cli_outfile_abort(o);
        return CLI_EXIT_OUTPUT;
    }
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(fd);
        cli_outfile_abort(o);
        return CLI_EXIT_OUTPUT;
    }
    return 0;
}

int cli_outfile_commit(cli_outfile *o, char *err, size_t errlen)
{
    int bad = 0;
    if (o->f) {
        if (fflush(o->f) != 0 || ferror(o->f))
            bad = errno ? errno : EIO;
        if (fclose(o->f) != 0 && !bad)
            bad = errno ? errno : EIO;
        o->f = NULL;
    }
    if (!bad && rename(o->tmp, o->path) != 0)
        bad = errno;
    if (bad) {
        snprintf(err, errlen, "%s: cannot write: %s", o->path, strerror(bad));
        cli_outfile_abort(o);
        return CLI_EXIT_OUTPUT;
    }
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
    return 0;
}

void cli_outfile_abort(cli_outfile *o)
{
    if (!o)
        return;
    if (o->f)
        fclose(o->f);
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}

/* ---- capture output ---- */

struct cli_pcap_writer {
    pcap_t *dead;
    pcap_dumper_t *d;
    cli_outfile *o;
};

int cli_pcap_writer_open(cli_pcap_writer **out, cli_outfile *o, char *err, size_t errlen)
{
    *out = NULL;
    cli_pcap_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "%s: out of memory", o->path);
        return CLI_EXIT_OUTPUT;
    }
    w->dead = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
    if (w->dead)
        w->d = pcap_dump_fopen(w->dead, o->f);
    if (!w->d) {
        snprintf(err, errlen, "%s: cannot start the capture: %s", o->path,
                 w->dead ? pcap_geterr(w->dead) : "pcap_open_dead failed");
        if (w->dead)
            pcap_close(w->dead);
        free(w);
        return CLI_EXIT_OUTPUT;
    }
    w->o = o;
    *out = w;
    return 0;
}

void cli_pcap_writer_add(cli_pcap_writer *w, const uint8_t *frame, size_t len, uint64_t t_ns)
{
    struct pcap_pkthdr h;
    memset(&h, 0, sizeof h);
    h.ts.tv_sec = (time_t)(t_ns / 1000000000u);
    h.ts.tv_usec = (suseconds_t)(t_ns % 1000000000u); /* nanoseconds: nano precision */
    h.caplen = (bpf_u_int32)len;
    h.len = (bpf_u_int32)len;
    pcap_dump((u_char *)w->d, &h, frame);
}

int cli_pcap_writer_close(cli_pcap_writer *w)
{
    if (!w)
        return 0;
    int rc = pcap_dump_flush(w->d) == 0 && !ferror(w->o->f) ? 0 : CLI_EXIT_OUTPUT;
    /* pcap_dump_close closes the outfile's FILE: the outfile is left to be
       renamed (commit) or removed (abort). */
    pcap_dump_close(w->d);
    w->o->f = NULL;
    pcap_close(w->dead);
    free(w);
    return rc;
}

/* ---- progress ---- */

static uint64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void cli_progress_init(cli_progress *p, FILE *f, bool enabled)
{
    memset(p, 0, sizeof *p);
    p->f = f;
    p->enabled = enabled;
    p->start_ns = wall_ns();
}

void cli_progress_line(char *buf, size_t len, uint64_t done, uint64_t total, uint64_t now_ns)
{
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    unsigned fill = total ? (unsigned)(done * WIDTH / total) : 0;
    if (fill > WIDTH)
        fill = WIDTH;
    memset(bar, '#', fill);
    memset(bar + fill, '.', WIDTH - fill);
    bar[WIDTH] = 0;
    unsigned pct = total ? (unsigned)(done * 100 / total) : 0;
    snprintf(buf, len, "[%s] %3u%% %llu/%llu frames, virtual time %llu.%03llu s", bar, pct,
             (unsigned long long)done, (unsigned long long)total,
             (unsigned long long)(now_ns / 1000000000u),
             (unsigned long long)(now_ns % 1000000000u / 1000000u));
}

bool cli_progress_update(void *ctx, uint64_t done, uint64_t total, uint64_t now_ns)
{
    cli_progress *p = ctx;
    if (p->stop && *p->stop)
        return false;
    if (!p->enabled)
        return true;
    uint64_t t = wall_ns();
    if (t - p->start_ns < 500000000u || t - p->last_ns < 100000000u)
        return true;
    p->last_ns = t;
    char line[128];
    cli_progress_line(line, sizeof line, done, total, now_ns);
    fprintf(p->f, "\r%s", line);
    fflush(p->f);
    p->drawn = true;
    return true;
}

void cli_progress_done(cli_progress *p)
{
    if (p->drawn) {
        fprintf(p->f, "\r\033[K");
        fflush(p->f);
        p->drawn = false;
    }
}
