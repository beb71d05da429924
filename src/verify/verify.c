/*
 * The verifier's core: the rule catalogue table, reports, the policy, the
 * DDI-call context and the events (see verify.h for the concept).
 *
 * A report is built once into an ndisdma_violation (the record of
 * <ndisdma/kernel.h>): the rule, the DDI, the message, the virtual time, the
 * adapter, the caller's file and line, and the arguments of the DDI call in
 * progress. RECORD and FAIL_FAST keep it in the machine's ring of the last
 * NDISDMA_VIOLATION_LOG reports; COUNT_ONLY only counts it (and builds it
 * only for the NDISDMA_EV_VIOLATION event, when an observer is attached).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hw/hw.h"
#include "kernel/kernel_impl.h"
#include "verify/verify.h"

static const ndisdma_rule_info rules[NDISDMA_RULE_COUNT] = {
#define ND_X(rid, nm, sev, msg, win)                                                               \
    [NDISDMA_RULE_##rid] = {.id = NDISDMA_RULE_##rid,                                              \
                            .name = (nm),                                                          \
                            .severity = NDISDMA_SEV_##sev,                                         \
                            .message = (msg),                                                      \
                            .windows = (win)},
    NDISDMA_VERIFY_RULES(ND_X)
#undef ND_X
};

const ndisdma_rule_info *ndisdma_rule_get(int rule)
{
    if (rule < 0 || rule >= NDISDMA_RULE_COUNT)
        return NULL;
    return &rules[rule];
}

const char *ndisdma_severity_str(int severity)
{
    switch (severity) {
    case NDISDMA_SEV_ERROR:
        return "error";
    case NDISDMA_SEV_WARNING:
        return "warning";
    case NDISDMA_SEV_INFO:
        return "info";
    default:
        return "?";
    }
}

/* Keep the tail of @file (the part that names it) in @dst. */
static void copy_file(char *dst, size_t size, const char *file)
{
    size_t n = strlen(file);
    if (n >= size)
        file += n - (size - 1);
    snprintf(dst, size, "%s", file);
}

static void emit(nd_kernel *k, const ndisdma_violation *v)
{
    nd_hw *hw = k->hw;
    if (!hw || !hw->obs.active)
        return;
    char text[512];
    ndisdma_violation_format(v, NDISDMA_REPORT_TEXT, text, sizeof text);
    ndisdma_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = NDISDMA_EV_VIOLATION;
    ev.channel = 0xFF;
    ev.name = v->rule_name;
    ev.text = text;
    ev.status = v->rule;
    ev.nargs = v->nargs;
    memcpy(ev.arg, v->arg, sizeof ev.arg);
    nd_hw_emit(hw, &ev);
}

void nd_verify_vreport(nd_kernel *k, ndisdma_rule rule, const char *ddi, const char *fmt,
                       va_list ap)
{
    if (!k)
        return; /* an unbound thread has no machine to report to */
    const ndisdma_rule_info *ri = ndisdma_rule_get(rule);
    if (!ri)
        ri = &rules[NDISDMA_RULE_GENERIC];
    nd_verify *vs = &k->verify;
    if (ri->severity == NDISDMA_SEV_INFO && !vs->info)
        return;
    uint64_t index = k->nviolations++;
    /* COUNT_ONLY keeps nothing, but observers still get the event. */
    bool keep = vs->policy != NDISDMA_VERIFY_COUNT_ONLY;
    nd_hw *hw = k->hw;
    if (!keep && !(hw && hw->obs.active))
        return;
    ndisdma_violation local;
    ndisdma_violation *v = keep ? &k->vlog[index % NDISDMA_VIOLATION_LOG] : &local;
    memset(v, 0, sizeof *v);
    v->index = index;
    v->time_ns = k->now_ns;
    snprintf(v->ddi, sizeof v->ddi, "%s", ddi ? ddi : "?");
    /* The analyzer cannot see that every caller has started @ap. */
    /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized) */
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    v->rule = (int)ri->id;
    v->severity = (int)ri->severity;
    v->rule_name = ri->name;
    v->adapter = vs->call_ddi ? vs->adapter : 0; /* stale once the call ended */
    if (vs->caller_file) {
        copy_file(v->file, sizeof v->file, vs->caller_file);
        v->line = vs->caller_line;
    }
    if (vs->call_ddi) {
        snprintf(v->call, sizeof v->call, "%s", vs->call_ddi);
        v->nargs = vs->nargs;
        if (vs->nargs)
            memcpy(v->arg, vs->args, vs->nargs * sizeof *vs->args);
    }
    if (keep)
        k->nrecorded++;
    emit(k, v);
    if (vs->policy == NDISDMA_VERIFY_FAIL_FAST) {
        char text[1024];
        ndisdma_violation_format(v, NDISDMA_REPORT_TEXT, text, sizeof text);
        fprintf(stderr, "ndisdma verifier (fail fast): %s\n", text);
        fflush(stderr);
        abort();
    }
}

void nd_verify_report(nd_kernel *k, ndisdma_rule rule, const char *ddi, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    nd_verify_vreport(k, rule, ddi, fmt, ap);
    va_end(ap);
}

/* The bracket itself is inline (verify.h); these build its events. */
void nd_verify_emit_call(nd_kernel *k, const char *ddi, unsigned nargs, const uint64_t *args)
{
    ndisdma_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = NDISDMA_EV_DDI_CALL;
    ev.channel = 0xFF;
    ev.name = ddi;
    ev.nargs = (uint8_t)nargs;
    if (nargs)
        memcpy(ev.arg, args, nargs * sizeof *args);
    nd_hw_emit(k->hw, &ev);
}

void nd_verify_emit_return(nd_kernel *k, const char *ddi, int64_t status)
{
    ndisdma_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = NDISDMA_EV_DDI_RETURN;
    ev.channel = 0xFF;
    ev.name = ddi;
    ev.status = status;
    nd_hw_emit(k->hw, &ev);
}

/* The general paths of the bracket (verify.h): nested calls, observers
   attached, no kernel. They do what the bracket always did. */
void nd_verify_slow_begin(nd_kernel *k, const char *ddi, unsigned nargs, const uint64_t *args)
{
    if (!k)
        return;
    nd_verify *vs = &k->verify;
    if (vs->depth++ > 0)
        return;
    nd_verify_record_call(vs, ddi, nargs, args);
    if (vs->obs_active)
        nd_verify_emit_call(k, ddi, vs->nargs, args);
}

void nd_verify_slow_end(nd_kernel *k, const char *ddi, int64_t status)
{
    if (!k)
        return;
    nd_verify *vs = &k->verify;
    if (vs->depth == 0 || --vs->depth > 0)
        return;
    if (vs->obs_active)
        nd_verify_emit_return(k, ddi, status);
    nd_verify_clear_call(vs);
}

void nd_verify_slow_enter(nd_kernel *k, const char *ddi, unsigned nargs, const uint64_t *args,
                          nd_verify_saved *sv)
{
    nd_verify_slow_begin(k, ddi, nargs, args);
    nd_verify_call_suspend(k, sv);
}

void nd_verify_slow_leave_outer(nd_kernel *k, const char *ddi, int64_t status)
{
    /* An outermost call: resume would restore the call state only for end
       to clear it, and the fast enter saved nothing else. */
    k->verify.depth = 1;
    nd_verify_slow_end(k, ddi, status);
}

void nd_verify_slow_leave(nd_kernel *k, const char *ddi, int64_t status, const nd_verify_saved *sv)
{
    if (!k)
        return;
    if (sv->depth == 1) {
        nd_verify_slow_leave_outer(k, ddi, status);
        return;
    }
    nd_verify_call_resume(k, sv);
    nd_verify_slow_end(k, ddi, status);
}

void nd_verify_set_caller(nd_kernel *k, const char *file, uint32_t line)
{
    if (!k)
        return;
    k->verify.caller_file = file;
    k->verify.caller_line = line;
    k->verify.caller_set = file != NULL; /* in the gate: the fast paths leave it alone */
}

bool nd_verify_mdl_free_check(nd_kernel *k, const void *mdl, const char *ddi)
{
    if (!k || !mdl || !k->verify.mdl_busy || !k->verify.mdl_busy(k->verify.mdl_busy_ctx, mdl))
        return false;
    nd_verify_report(k, NDISDMA_RULE_BUFFER_FREED_IN_PROGRESS, ddi,
                     "MDL %p is the buffer of a DMA transfer in progress; it is not freed "
                     "(call NdisMCompleteDmaTransfer first, then free it)",
                     mdl);
    return true;
}

/* ---- formatting ---- */

/* Append to @buf at *@pos, snprintf-style: *@pos counts the full length. */
static void put(char *buf, size_t size, size_t *pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t size, size_t *pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *dst = *pos < size ? buf + *pos : NULL;
    size_t room = *pos < size ? size - *pos : 0;
    /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): started just above */
    int n = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        *pos += (size_t)n;
}

/* A JSON string: escape quotes, backslashes and control bytes. */
static void put_json_str(char *buf, size_t size, size_t *pos, const char *s)
{
    put(buf, size, pos, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            put(buf, size, pos, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7F)
            put(buf, size, pos, "\\u%04x", *p);
        else
            put(buf, size, pos, "%c", *p);
    }
    put(buf, size, pos, "\"");
}

int ndisdma_violation_format(const ndisdma_violation *v, ndisdma_report_format fmt, char *buf,
                             size_t size)
{
    if (!v || (fmt != NDISDMA_REPORT_TEXT && fmt != NDISDMA_REPORT_JSON))
        return NDISDMA_EINVAL;
    if (!buf)
        size = 0;
    if (size)
        buf[0] = '\0';
    const char *rule = v->rule_name ? v->rule_name : "generic";
    const char *sev = ndisdma_severity_str(v->severity);
    size_t pos = 0;
    if (fmt == NDISDMA_REPORT_TEXT) {
        put(buf, size, &pos, "[%llu ns] %s %s: %s: %s", (unsigned long long)v->time_ns, sev, rule,
            v->ddi, v->message);
        if (v->call[0]) {
            put(buf, size, &pos, " | %s(", v->call);
            for (unsigned i = 0; i < v->nargs && i < 6; i++)
                put(buf, size, &pos, "%s0x%llx", i ? ", " : "", (unsigned long long)v->arg[i]);
            put(buf, size, &pos, ")");
        }
        if (v->adapter)
            put(buf, size, &pos, " adapter 0x%llx", (unsigned long long)v->adapter);
        if (v->file[0])
            put(buf, size, &pos, " at %s:%u", v->file, (unsigned)v->line);
    } else {
        put(buf, size, &pos,
            "{\"index\":%llu,\"time_ns\":%llu,\"rule\":", (unsigned long long)v->index,
            (unsigned long long)v->time_ns);
        put_json_str(buf, size, &pos, rule);
        put(buf, size, &pos, ",\"rule_id\":%d,\"severity\":\"%s\",\"ddi\":", v->rule, sev);
        put_json_str(buf, size, &pos, v->ddi);
        put(buf, size, &pos, ",\"message\":");
        put_json_str(buf, size, &pos, v->message);
        if (v->call[0]) {
            put(buf, size, &pos, ",\"call\":");
            put_json_str(buf, size, &pos, v->call);
            put(buf, size, &pos, ",\"args\":[");
            for (unsigned i = 0; i < v->nargs && i < 6; i++)
                put(buf, size, &pos, "%s%llu", i ? "," : "", (unsigned long long)v->arg[i]);
            put(buf, size, &pos, "]");
        }
        put(buf, size, &pos, ",\"adapter\":%llu", (unsigned long long)v->adapter);
        if (v->file[0]) {
            put(buf, size, &pos, ",\"file\":");
            put_json_str(buf, size, &pos, v->file);
            put(buf, size, &pos, ",\"line\":%u", (unsigned)v->line);
        }
        put(buf, size, &pos, "}");
    }
    return pos > (size_t)0x7FFFFFFF ? 0x7FFFFFFF : (int)pos;
}

/* ---- the log (called by irql.c's accessors) ---- */

uint64_t nd_kernel_violation_count(const nd_kernel *k)
{
    return k ? k->nviolations : 0;
}

int nd_kernel_violation_get(const nd_kernel *k, uint64_t index, ndisdma_violation *out)
{
    if (!k || !out)
        return NDISDMA_EINVAL;
    if (index >= k->nviolations || k->nviolations - index > NDISDMA_VIOLATION_LOG)
        return NDISDMA_ENOENT;
    const ndisdma_violation *v = &k->vlog[index % NDISDMA_VIOLATION_LOG];
    if (v->index != index || v->ddi[0] == '\0')
        return NDISDMA_ENOENT; /* counted only (COUNT_ONLY) */
    *out = *v;
    return 0;
}
