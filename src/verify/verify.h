/*
 * The verifier, inside the library: report a broken rule of the catalogue
 * (<ndisdma/verify.h>) and keep the context a report carries (the DDI call
 * in progress with its arguments, the adapter, the driver's file and line).
 *
 * Concept: the state lives in the machine's kernel object (nd_verify, one
 * per machine, used by the thread bound to the machine), so several
 * machines verify independently. A report goes through the machine's
 * policy: RECORD keeps it in the violation log and emits an
 * NDISDMA_EV_VIOLATION event; COUNT_ONLY only counts it; FAIL_FAST records,
 * prints it to stderr and aborts. Info-severity reports are dropped unless
 * the host asked for them (ndisdma_verify_set_info).
 *
 * Every NDIS DDI (the files of src/ndis) brackets its work with nd_verify_call_begin /
 * nd_verify_call_end, which emit NDISDMA_EV_DDI_CALL / DDI_RETURN and make
 * the arguments part of every report made inside the call.
 */
#ifndef ND_VERIFY_VERIFY_H
#define ND_VERIFY_VERIFY_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <ndisdma/verify.h>

typedef struct nd_kernel nd_kernel;

/* Returns true when @mdl is the buffer of a transfer in progress (the NDIS
   layer installs it; @ctx is its per-machine object). */
typedef bool (*nd_verify_mdl_busy_fn)(void *ctx, const void *mdl);

typedef struct nd_verify {
    /* The machine's observer count (its nd_hw's obs.active, set with the
       kernel): the inline bracket below builds events only when it is not 0. */
    const unsigned *obs_active;
    int policy;              /* ndisdma_verify_policy */
    bool info;               /* record info-severity reports */
    bool no_poison;          /* ndisdma_verify_set_poison(m, 0) */
    const char *caller_file; /* set by the NDISDMA_VERIFY_CALLERS wrappers; static */
    uint32_t caller_line;
    const char *call_ddi; /* DDI call in progress (outermost), NULL if none */
    unsigned depth;       /* nesting of nd_verify_call_begin */
    uint8_t nargs;
    const uint64_t *args; /* the DDI's arguments (its own array, valid during the call) */
    uint64_t adapter;     /* adapter handle of the call in progress, 0 if unknown */
    nd_verify_mdl_busy_fn mdl_busy;
    void *mdl_busy_ctx;
} nd_verify;

/* The machine's verifier state (never NULL for a live @k): the first member
   of struct nd_kernel (kernel_impl.h checks it), so reaching it from the
   inline bracket below costs no call and no knowledge of the kernel's
   layout. */
static inline nd_verify *nd_kernel_verify(nd_kernel *k)
{
    return (nd_verify *)(void *)k;
}

/*
 * nd_verify_report - report a broken @rule of @ddi's contract on @k's
 * machine, with a printf-style message. NULL @k (a thread bound to no
 * machine) is ignored. Any IRQL; never blocks; may abort under FAIL_FAST.
 */
void nd_verify_report(nd_kernel *k, ndisdma_rule rule, const char *ddi, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void nd_verify_vreport(nd_kernel *k, ndisdma_rule rule, const char *ddi, const char *fmt,
                       va_list ap);

/* Bracket a DDI call: @ddi static, @nargs <= 6 arguments. Emits the events;
   nested calls are counted but not re-recorded. NULL @k is ignored.
   Inline (below): every DDI call runs them, and with no observer attached
   they are a few loads and stores; the events are built out of line. */
static inline void nd_verify_call_begin(nd_kernel *k, const char *ddi, unsigned nargs,
                                        const uint64_t *args);
static inline void nd_verify_call_end(nd_kernel *k, const char *ddi, int64_t status);
/* The events of the bracket (verify.c), called only while an observer is
   attached: NDISDMA_EV_DDI_CALL and NDISDMA_EV_DDI_RETURN. */
void nd_verify_emit_call(nd_kernel *k, const char *ddi, unsigned nargs, const uint64_t *args);
void nd_verify_emit_return(nd_kernel *k, const char *ddi, int64_t status);
/* A pointer argument of a call bracket (the exporters print it as a handle). */
static inline uint64_t nd_ptr_arg(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* Around a DDI whose work may run driver code (callbacks, DPCs, the
   machine running): the DDIs that code calls are the driver's own and are
   recorded as outermost calls. Suspend returns the call state; resume
   restores it. A few stores; NULL @k is ignored. */
typedef struct nd_verify_saved {
    const char *call_ddi;
    unsigned depth;
    uint8_t nargs;
    const uint64_t *args;
    uint64_t adapter;
} nd_verify_saved;
static inline void nd_verify_call_suspend(nd_kernel *k, nd_verify_saved *sv);
static inline void nd_verify_call_resume(nd_kernel *k, const nd_verify_saved *sv);
/* The adapter the call in progress concerns. */
void nd_verify_call_adapter(nd_kernel *k, const void *adapter);
/* The driver's caller position for the next bracketed call (static @file). */
void nd_verify_set_caller(nd_kernel *k, const char *file, uint32_t line);

/* True (and a BUFFER_FREED_IN_PROGRESS report naming @ddi) when @mdl is the
   buffer of a DMA transfer in progress: the caller must not free it. */
bool nd_verify_mdl_free_check(nd_kernel *k, const void *mdl, const char *ddi);

static inline void nd_verify_call_begin(nd_kernel *k, const char *ddi, unsigned nargs,
                                        const uint64_t *args)
{
    if (!k)
        return;
    nd_verify *vs = nd_kernel_verify(k);
    if (vs->depth++ > 0)
        return;
    if (nargs > 6)
        nargs = 6;
    vs->call_ddi = ddi;
    vs->nargs = (uint8_t)nargs;
    vs->args = args; /* no copy: reports happen during the call */
    vs->adapter = 0;
    if (*vs->obs_active)
        nd_verify_emit_call(k, ddi, nargs, args);
}

static inline void nd_verify_call_end(nd_kernel *k, const char *ddi, int64_t status)
{
    if (!k)
        return;
    nd_verify *vs = nd_kernel_verify(k);
    if (vs->depth == 0 || --vs->depth > 0)
        return;
    if (*vs->obs_active)
        nd_verify_emit_return(k, ddi, status);
    vs->call_ddi = NULL;
    vs->nargs = 0;
    vs->args = NULL;
    vs->adapter = 0;
    vs->caller_file = NULL;
    vs->caller_line = 0;
}

static inline void nd_verify_call_suspend(nd_kernel *k, nd_verify_saved *sv)
{
    if (!k) {
        *sv = (nd_verify_saved){0}; /* resume does nothing either; keeps sv defined */
        return;
    }
    nd_verify *vs = nd_kernel_verify(k);
    sv->call_ddi = vs->call_ddi;
    sv->depth = vs->depth;
    sv->nargs = vs->nargs;
    sv->args = vs->args;
    sv->adapter = vs->adapter;
    vs->depth = 0;
}

static inline void nd_verify_call_resume(nd_kernel *k, const nd_verify_saved *sv)
{
    if (!k)
        return;
    nd_verify *vs = nd_kernel_verify(k);
    vs->call_ddi = sv->call_ddi;
    vs->depth = sv->depth;
    vs->nargs = sv->nargs;
    vs->args = sv->args;
    vs->adapter = sv->adapter;
}

/* The bracket of a DDI that may run driver code: begin + suspend on entry,
   resume + end on exit (the wrappers of src/ndis use these). */
static inline void nd_verify_ddi_enter(nd_kernel *k, const char *ddi, unsigned nargs,
                                       const uint64_t *args, nd_verify_saved *sv)
{
    nd_verify_call_begin(k, ddi, nargs, args);
    nd_verify_call_suspend(k, sv);
}

static inline void nd_verify_ddi_leave(nd_kernel *k, const char *ddi, int64_t status,
                                       const nd_verify_saved *sv)
{
    /* The usual case, an outermost call (saved depth 1) with no observer:
       resume would restore the call state only for end to drop its depth to
       0 and clear it, so clear it directly; the state is the same. */
    if (k && sv->depth == 1 && !*nd_kernel_verify(k)->obs_active) {
        nd_verify *vs = nd_kernel_verify(k);
        vs->depth = 0;
        vs->call_ddi = NULL;
        vs->nargs = 0;
        vs->args = NULL;
        vs->adapter = 0;
        vs->caller_file = NULL;
        vs->caller_line = 0;
        return;
    }
    nd_verify_call_resume(k, sv);
    nd_verify_call_end(k, ddi, status);
}

#endif /* ND_VERIFY_VERIFY_H */
