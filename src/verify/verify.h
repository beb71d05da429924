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
    /* The bracket's gate: the nesting of nd_verify_call_begin, whether a
       caller position is set (caller_file) and a copy of the machine's
       observer count (its nd_hw's obs.active, which the observer list keeps
       up to date through obs.mirror, see kernel.c), side by side so that
       the inline fast paths below test all three with one compare: gate ==
       0 is "no call in progress, no caller position and no observer", gate
       == 1 is "one outermost call in progress, no caller position and no
       observer" (see nd_verify_gate). So a fast path that passed the gate
       knows caller_file is NULL and leaves it alone. The bracket builds
       events only while obs_active is not 0. */
    union {
        struct {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            union {
                struct {
                    uint16_t depth;      /* nesting of nd_verify_call_begin */
                    uint16_t caller_set; /* caller_file != NULL (nd_verify_set_caller) */
                };
                uint32_t level; /* both, for the fast paths' one-store updates */
            };
            unsigned obs_active; /* observers attached (copy of obs.active) */
#else
            unsigned obs_active;
            union {
                struct {
                    uint16_t caller_set;
                    uint16_t depth;
                };
                uint32_t level;
            };
#endif
        };
        uint64_t gate;
    };
    int policy;              /* ndisdma_verify_policy */
    bool info;               /* record info-severity reports */
    bool no_poison;          /* ndisdma_verify_set_poison(m, 0) */
    const char *caller_file; /* set by the NDISDMA_VERIFY_CALLERS wrappers; static */
    uint32_t caller_line;    /* meaningful only while caller_file is set */
    const char *call_ddi;    /* DDI call in progress (outermost), NULL if none */
    /* The call's arguments and adapter: meaningful only while call_ddi is
       set (a call that ends clears call_ddi and leaves these stale). */
    uint8_t nargs;
    const uint64_t *args; /* the DDI's arguments (its own array, valid during the call) */
    uint64_t adapter;     /* adapter handle of the call in progress, 0 if unknown */
    nd_verify_mdl_busy_fn mdl_busy;
    void *mdl_busy_ctx;
} nd_verify;

_Static_assert(sizeof(unsigned) == 4 && sizeof(uint64_t) == 8,
               "nd_verify's gate packs depth, caller_set and obs_active into 64 bits");

/* The gate's value for a nesting of @depth with no caller position set and
   no observer attached: the fast paths compare the whole gate with it
   (depth in the low 16 bits). */
static inline uint64_t nd_verify_gate(unsigned depth)
{
    return depth;
}

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
/* The adapter the call in progress concerns (recorded only inside a call).
   @k is not NULL: its callers have found a handle of @k's NDIS layer. */
static inline void nd_verify_call_adapter(nd_kernel *k, const void *adapter);
/* The driver's caller position for the next bracketed call (static @file). */
void nd_verify_set_caller(nd_kernel *k, const char *file, uint32_t line);

/* True (and a BUFFER_FREED_IN_PROGRESS report naming @ddi) when @mdl is the
   buffer of a DMA transfer in progress: the caller must not free it. */
bool nd_verify_mdl_free_check(nd_kernel *k, const void *mdl, const char *ddi);

static inline void nd_verify_call_adapter(nd_kernel *k, const void *adapter)
{
    if (nd_kernel_verify(k)->depth > 0)
        nd_kernel_verify(k)->adapter = (uint64_t)(uintptr_t)adapter;
}

/*
 * The bracket's fast paths. The usual call is an outermost one (depth 0 on
 * entry) with no observer attached: then the bracket only records the call
 * (begin) and clears it (end), and the events and the nesting bookkeeping
 * are not needed. Everything else - a nested call, an observer, no kernel
 * - takes the general path, out of line in verify.c (nd_verify_slow_*), so
 * that the DDIs carry no stack frame or saved registers for it. Each fast
 * path leaves exactly the state the general path would.
 */
void nd_verify_slow_begin(nd_kernel *k, const char *ddi, unsigned nargs, const uint64_t *args)
    __attribute__((noinline, cold));
void nd_verify_slow_end(nd_kernel *k, const char *ddi, int64_t status)
    __attribute__((noinline, cold));
void nd_verify_slow_enter(nd_kernel *k, const char *ddi, unsigned nargs, const uint64_t *args,
                          nd_verify_saved *sv) __attribute__((noinline, cold));
void nd_verify_slow_leave(nd_kernel *k, const char *ddi, int64_t status, const nd_verify_saved *sv)
    __attribute__((noinline, cold));
/* slow_leave for an outermost call (a saved depth of 1). */
void nd_verify_slow_leave_outer(nd_kernel *k, const char *ddi, int64_t status)
    __attribute__((noinline, cold));

/* True when the bracket of an outermost call needs no event (the usual case). */
static inline bool nd_verify_quiet(const nd_verify *vs)
{
    return __builtin_expect(vs->obs_active == 0, 1);
}

/* Record the outermost call in progress (begin without the event). */
static inline void nd_verify_record_call(nd_verify *vs, const char *ddi, unsigned nargs,
                                         const uint64_t *args)
{
    vs->call_ddi = ddi;
    vs->nargs = (uint8_t)(nargs > 6 ? 6 : nargs);
    vs->args = args; /* no copy: reports happen during the call */
    vs->adapter = 0;
}

/* Forget the call that ended (end without the event). nargs, args and
   adapter belong to call_ddi and are read only while it is set, and
   caller_line only while caller_file is; so clearing those two (and their
   flag in the gate) is enough. */
static inline void nd_verify_clear_call(nd_verify *vs)
{
    vs->depth = 0;
    vs->caller_set = 0;
    vs->call_ddi = NULL;
    vs->caller_file = NULL;
}

/* nd_verify_clear_call when the gate said "no caller position" (caller_set
   0, so caller_file is NULL already): the depth and the call only (level =
   0 is depth 0 with caller_set still 0). */
static inline void nd_verify_clear_quiet_call(nd_verify *vs)
{
    vs->level = 0;
    vs->call_ddi = NULL;
}

static inline void nd_verify_call_end(nd_kernel *k, const char *ddi, int64_t status)
{
    if (__builtin_expect(k != NULL, 1)) {
        nd_verify *vs = nd_kernel_verify(k);
        if (__builtin_expect(vs->gate == nd_verify_gate(1), 1)) {
            nd_verify_clear_quiet_call(vs);
            return;
        }
    }
    nd_verify_slow_end(k, ddi, status);
}

/* A leaf call in one step, for a DDI that knows before doing anything
   whether its work can make a report: nd_verify_leaf_quiet says whether the
   bracket would take its fast path (a kernel, an outermost call, no
   observer); nd_verify_leaf_quiet_call then leaves the state leaf_begin +
   leaf_end leave around work that made no report: the call cleared, the
   depth back at 0 (its arguments need no recording: they are read only
   while a call is in progress). */
static inline bool nd_verify_leaf_quiet(nd_kernel *k)
{
    return __builtin_expect(k != NULL, 1) &&
           __builtin_expect(nd_kernel_verify(k)->gate == nd_verify_gate(0), 1);
}

/* call_begin after nd_verify_leaf_quiet(@k) said true: its fast path. */
static inline void nd_verify_quiet_begin(nd_kernel *k, const char *ddi, unsigned nargs,
                                         const uint64_t *args)
{
    nd_verify *vs = nd_kernel_verify(k);
    vs->level = 1; /* depth 1; caller_set stays 0, as the gate said */
    nd_verify_record_call(vs, ddi, nargs, args);
}

/* After nd_verify_leaf_quiet(@k) said true and work that touched no
   verifier state: the gate was 0, so the depth is 0 and caller_file NULL
   still, and only the call (of a suspended outer DDI, if any) is left to
   clear, as begin + end would. */
static inline void nd_verify_leaf_quiet_call(nd_kernel *k)
{
    nd_kernel_verify(k)->call_ddi = NULL;
}

/* The bracket of a leaf DDI: one whose work calls no other DDI and runs no
   driver or host code (the spin lock DDIs), so that neither the depth nor
   the observers can change between its begin and its end. leaf_begin is
   call_begin and returns whether it took the fast path; leaf_end, given
   that answer, is call_end: after a fast begin it knows the state end
   would find (depth 1, no observer) and clears the call without testing
   again. */
static inline bool nd_verify_leaf_begin(nd_kernel *k, const char *ddi, unsigned nargs,
                                        const uint64_t *args)
{
    if (nd_verify_leaf_quiet(k)) {
        nd_verify_quiet_begin(k, ddi, nargs, args);
        return true;
    }
    nd_verify_slow_begin(k, ddi, nargs, args);
    return false;
}

static inline void nd_verify_call_begin(nd_kernel *k, const char *ddi, unsigned nargs,
                                        const uint64_t *args)
{
    (void)nd_verify_leaf_begin(k, ddi, nargs, args);
}

static inline void nd_verify_leaf_end(nd_kernel *k, bool fast, const char *ddi, int64_t status)
{
    if (__builtin_expect(fast, 1))
        nd_verify_clear_quiet_call(nd_kernel_verify(k));
    else
        nd_verify_slow_end(k, ddi, status);
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
    vs->depth = (uint16_t)sv->depth;
    vs->nargs = sv->nargs;
    vs->args = sv->args;
    vs->adapter = sv->adapter;
}

/* The bracket of a DDI that may run driver code: begin + suspend on entry,
   resume + end on exit (the wrappers of src/ndis use these). Enter returns
   whether it took its fast path; leave, given that answer, needs nothing
   else from @sv then (as leaf_begin / leaf_end).
   Fast path (outermost call, no caller position, no observer): begin would
   record the call and raise the depth to 1, suspend would save that state
   and drop the depth back to 0; so record the call and leave the depth at
   0, without filling @sv: the saved state is known (a depth of 1), and for
   a saved depth of 1 resume + end restore the call state only to clear
   it. */
static inline bool nd_verify_ddi_enter(nd_kernel *k, const char *ddi, unsigned nargs,
                                       const uint64_t *args, nd_verify_saved *sv)
{
    if (nd_verify_leaf_quiet(k)) {
        nd_verify_record_call(nd_kernel_verify(k), ddi, nargs, args);
        return true;
    }
    nd_verify_slow_enter(k, ddi, nargs, args, sv);
    return false;
}

static inline void nd_verify_ddi_leave(nd_kernel *k, bool fast, const char *ddi, int64_t status,
                                       const nd_verify_saved *sv)
{
    /* The usual case, after a fast enter (so @k is not NULL and the saved
       depth is 1) with the gate still 0: resume would restore the call
       state only for end to drop its depth to 0 and clear it, so clear it
       directly; the state is the same. At gate 0 the depth is 0 already
       and caller_file NULL, so only the call is cleared. Otherwise (an
       observer attached meanwhile, a caller position set inside the call,
       a depth left non-zero) slow_leave_outer sets the depth to 1 and ends
       the call, as slow_leave does for a saved depth of 1. */
    if (__builtin_expect(fast, 1)) {
        nd_verify *vs = nd_kernel_verify(k);
        if (__builtin_expect(vs->gate == nd_verify_gate(0), 1)) {
            vs->call_ddi = NULL;
            return;
        }
        nd_verify_slow_leave_outer(k, ddi, status);
        return;
    }
    nd_verify_slow_leave(k, ddi, status, sv);
}

#endif /* ND_VERIFY_VERIFY_H */
