/*
 * <ndisdma/verify.h> - the verifier: the rule catalogue, the per-machine
 * policy and the reports.
 *
 * Concept: every broken rule of the DDI contract is reported once, against
 * one rule of a single catalogue (NDISDMA_VERIFY_RULES below, an X-macro that
 * generates the rule ids, names, severities, messages and Windows analogues).
 * A report names the rule, the DDI, its arguments (for the five system-DMA
 * DDIs), the virtual time, the miniport adapter, and the caller's file and
 * line when the driver defines NDISDMA_VERIFY_CALLERS before including
 * <ndis.h>. Reports are kept in the violation log of <ndisdma/kernel.h>
 * (ndisdma_violation_get) and emitted as NDISDMA_EV_VIOLATION events.
 *
 * The verifier observes and never changes behaviour, with one documented
 * exception: a device-to-memory transfer that goes through map registers
 * has the caller's receive range poisoned with NDISDMA_VERIFY_POISON at
 * Setup, so a driver that reads received data before
 * NdisMCompleteDmaTransfer sees a fixed pattern instead of stale data that
 * happens to look right (see docs/verifier.md).
 */
#ifndef NDISDMA_VERIFY_H
#define NDISDMA_VERIFY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ndisdma/kernel.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The byte written over a bounced receive range at Setup. */
#define NDISDMA_VERIFY_POISON 0xD5u

/* X(ID, name, SEVERITY, message, Windows analogue) */
#define NDISDMA_VERIFY_RULES(X)                                                                    \
    X(GENERIC, "generic", ERROR, "a DDI contract was broken (no more specific rule)", "none")      \
    X(IRQL, "irql", ERROR, "a DDI was called at an IRQL its contract does not allow",              \
      "SDV Irql_MCO_Function (NdisMCompleteDmaTransfer), Irql_Miniport_Driver_Function (the "      \
      "other four); Driver Verifier IRQL checking")                                                \
    X(NULL_ARG, "null-argument", ERROR, "a required pointer argument is NULL", "none")             \
    X(HANDLE_UNKNOWN, "handle-unknown", ERROR,                                                     \
      "a handle is NULL, unknown or stale (its object was freed)",                                 \
      "Driver Verifier DMA verification (invalid DMA adapter or handle)")                          \
    X(HANDLE_KIND, "handle-kind", ERROR, "a handle of another kind was passed",                    \
      "Driver Verifier DMA verification (invalid DMA adapter or handle)")                          \
    X(USE_AFTER_DEREGISTER, "use-after-deregister", ERROR,                                         \
      "a DMA handle was used, or deregistered again, after NdisMDeregisterDmaChannel",             \
      "Driver Verifier DMA verification (adapter used after PutDmaAdapter)")                       \
    X(SETUP_IN_PROGRESS, "setup-in-progress", ERROR,                                               \
      "NdisMSetupDmaTransfer while a transfer is in progress on the handle (N10)",                 \
      "Driver Verifier DMA verification (double map / map registers in use)")                      \
    X(COMPLETE_WITHOUT_SETUP, "complete-without-setup", ERROR,                                     \
      "NdisMCompleteDmaTransfer with no transfer in progress (N16)",                               \
      "Driver Verifier DMA verification (flush of unmapped buffer)")                               \
    X(COMPLETE_MISMATCH, "complete-mismatch", ERROR,                                               \
      "NdisMCompleteDmaTransfer arguments differ from its Setup (N16)",                            \
      "Driver Verifier DMA verification (flush does not match map)")                               \
    X(RANGE_OUTSIDE, "range-outside-buffer", ERROR,                                                \
      "Offset + Length lies outside the first buffer of the chain (N11)",                          \
      "Driver Verifier DMA verification (transfer outside the MDL)")                               \
    X(ZERO_LENGTH, "zero-length", ERROR, "a transfer of 0 bytes was set up (N11)",                 \
      "Driver Verifier DMA verification (zero-length map)")                                        \
    X(LENGTH_ABOVE_MAX, "length-above-maximum", ERROR,                                             \
      "Length exceeds MaximumLength or one 8237 transfer (N12)",                                   \
      "Driver Verifier DMA verification (too many map registers)")                                 \
    X(DEREGISTER_IN_PROGRESS, "deregister-in-progress", ERROR,                                     \
      "NdisMDeregisterDmaChannel with a transfer in progress (N27)",                               \
      "Driver Verifier DMA verification (adapter freed with outstanding transfers)")               \
    X(BUFFER_FREED_IN_PROGRESS, "buffer-freed-in-progress", ERROR,                                 \
      "an MDL or NDIS_BUFFER was freed while a DMA transfer on it is in progress",                 \
      "Driver Verifier DMA verification (MDL freed while mapped)")                                 \
    X(RECEIVE_TOUCHED, "receive-touched", WARNING,                                                 \
      "host code wrote a receive buffer between Setup and Complete (poison disturbed)",            \
      "Driver Verifier DMA verification (buffer touched while mapped)")                            \
    X(RECEIVE_POISONED, "receive-poisoned", INFO,                                                  \
      "receive range poisoned with 0xD5 until NdisMCompleteDmaTransfer (bounced transfer)",        \
      "Driver Verifier DMA verification (double buffering with poisoned contents)")                \
    X(HALT_REGISTERED, "halt-channel-registered", ERROR,                                           \
      "the adapter was halted (or its initialisation failed) with a DMA channel registered",       \
      "none (the DDI pages require NdisMDeregisterDmaChannel in MiniportHaltEx)")                  \
    X(MAP_REGISTERS_LEAKED, "map-registers-leaked", ERROR,                                         \
      "map registers or common buffers were not freed before the adapter was released",            \
      "Driver Verifier DMA verification (map registers leaked)")                                   \
    X(PORT_REPROGRAM, "port-reprogram", ERROR,                                                     \
      "the driver wrote the 8237 registers of a channel NDIS owns, behind NDIS's back",            \
      "none (DMA Verification warns against bypassing the HAL; it cannot see port writes)")        \
    X(REGISTER_REFUSED, "register-refused", WARNING,                                               \
      "NdisMRegisterDmaChannel was refused (channel busy, map registers, description)", "none")    \
    X(HAL_CONTRACT, "hal-contract", ERROR,                                                         \
      "a HAL DMA adapter operation was misused (MapTransfer, Flush, channels, buffers)",           \
      "Driver Verifier DMA verification")                                                          \
    X(SPIN_LOCK, "spin-lock", ERROR,                                                               \
      "a spin lock was acquired twice, released while not held, or not initialised",               \
      "Driver Verifier deadlock detection / SDV SpinLock")                                         \
    X(NBL_UNKNOWN, "nbl-unknown", ERROR,                                                           \
      "an NBL or NB that NDIS did not allocate, or that was freed, was passed to the data path",   \
      "Driver Verifier NDIS/WIFI verification; BUGCODE_NDIS_DRIVER (0x7C)")                        \
    X(NBL_NOT_HELD, "nbl-not-held", ERROR,                                                         \
      "the miniport completed an NBL it does not hold (never sent, or completed twice), or "       \
      "indicated one that is a send or already indicated",                                         \
      "Driver Verifier NDIS/WIFI verification; BUGCODE_NDIS_DRIVER (0x7C)")                        \
    X(RECEIVE_NOT_RUNNING, "receive-not-running", ERROR,                                           \
      "NdisMIndicateReceiveNetBufferLists while the adapter is not Running (paused, restarting, "  \
      "initializing or halting)",                                                                  \
      "Driver Verifier NDIS/WIFI verification (state checks)")                                     \
    X(RECEIVE_COUNT, "receive-count-mismatch", ERROR,                                              \
      "NumberOfNetBufferLists does not match the NBL chain of a receive indication",               \
      "Driver Verifier NDIS/WIFI verification")                                                    \
    X(RETURN_NOT_HELD, "return-not-held", ERROR,                                                   \
      "the host returned (MiniportReturnNetBufferLists) an NBL it was not indicated, or twice",    \
      "none (a protocol bug; NDIS may bug check 0x7C)")                                            \
    X(POOL_OUTSTANDING, "pool-freed-outstanding", ERROR,                                           \
      "an NBL or NB pool was freed (or left allocated at halt or unload) with NBLs or NBs out",    \
      "Driver Verifier pool tracking (pool freed with allocations out)")                           \
    X(NBL_FREED_BUSY, "nbl-freed-in-use", ERROR,                                                   \
      "an NBL was freed while it is with the miniport (sent) or indicated and not returned",       \
      "Driver Verifier NDIS/WIFI verification; BUGCODE_NDIS_DRIVER (0x7C)")                        \
    X(PAUSE_OUTSTANDING, "pause-outstanding", ERROR,                                               \
      "the miniport's pause completed with sends not completed or receive NBLs not returned",      \
      "Driver Verifier NDIS/WIFI verification (pause with NBLs pending)")                          \
    X(DATAPATH_FLAGS, "datapath-flags", ERROR,                                                     \
      "a DISPATCH_LEVEL flag (send, send-complete, receive) does not match the caller's IRQL",     \
      "SDV NDIS rules on DISPATCH_LEVEL flags")                                                    \
    X(COMPLETE_NOT_PENDING, "complete-not-pending", ERROR,                                         \
      "NdisMOidRequestComplete, NdisMPauseComplete, NdisMRestartComplete or NdisMResetComplete "   \
      "with no such operation pending",                                                            \
      "Driver Verifier NDIS/WIFI verification; BUGCODE_NDIS_DRIVER (0x7C)")                        \
    X(NBLS_AT_STOP, "nbls-outstanding-at-stop", ERROR,                                             \
      "the adapter was stopped with NBLs still sent and not completed, or indicated and not "      \
      "returned",                                                                                  \
      "NDIS waits forever for the NBLs (a hang at halt)")

typedef enum ndisdma_rule {
#define NDISDMA_X_RULE(id, name, sev, msg, win) NDISDMA_RULE_##id,
    NDISDMA_VERIFY_RULES(NDISDMA_X_RULE)
#undef NDISDMA_X_RULE
        NDISDMA_RULE_COUNT
} ndisdma_rule;

typedef enum ndisdma_severity {
    NDISDMA_SEV_ERROR = 0,
    NDISDMA_SEV_WARNING,
    NDISDMA_SEV_INFO,
} ndisdma_severity;

/* One catalogue entry; all strings are static. */
typedef struct ndisdma_rule_info {
    const char *name;    /* "complete-mismatch" */
    const char *message; /* what the rule says */
    const char *windows; /* the Windows analogue, or "none" */
    ndisdma_rule id;
    ndisdma_severity severity;
} ndisdma_rule_info;

/* ndisdma_rule_get - the catalogue entry of @rule, or NULL for an unknown
   id. Any thread; the entry is static. */
const ndisdma_rule_info *ndisdma_rule_get(int rule);

/* ndisdma_severity_str - "error", "warning", "info" ("?" otherwise). */
const char *ndisdma_severity_str(int severity);

/* What the machine does with a report. */
typedef enum ndisdma_verify_policy {
    NDISDMA_VERIFY_RECORD = 0, /* record it, emit the event, and continue (default) */
    NDISDMA_VERIFY_FAIL_FAST,  /* record it, print it to stderr, abort() (for CI) */
    NDISDMA_VERIFY_COUNT_ONLY, /* count it (ndisdma_violation_count); keep no record; observers
                                  still get the NDISDMA_EV_VIOLATION event */
} ndisdma_verify_policy;

/*
 * ndisdma_verify_set_policy - change @m's policy (the initial one comes from
 * ndisdma_config.verify).
 * Returns 0, or NDISDMA_EINVAL (NULL @m, unknown policy). Host thread, not
 * from inside a callback of @m.
 */
int ndisdma_verify_set_policy(ndisdma_machine *m, ndisdma_verify_policy policy);

/* ndisdma_verify_get_policy - @m's policy (RECORD for NULL). */
ndisdma_verify_policy ndisdma_verify_get_policy(const ndisdma_machine *m);

/*
 * ndisdma_verify_set_info - record info-severity reports too (default: off;
 * they are dropped before counting, so they never change
 * ndisdma_violation_count unless asked for). Returns 0 or NDISDMA_EINVAL.
 */
int ndisdma_verify_set_info(ndisdma_machine *m, int enabled);

/*
 * ndisdma_verify_set_poison - poison bounced receive buffers at Setup
 * (NDISDMA_VERIFY_POISON over the range until Complete, rule
 * receive-poisoned / receive-touched). Default: on. It costs a save, a fill
 * and a scan of the range per receive, so a benchmark of the DDI path turns
 * it off, as Windows runs without Driver Verifier's DMA checks unless asked.
 * Returns 0 or NDISDMA_EINVAL. Takes effect at the next Setup.
 */
int ndisdma_verify_set_poison(ndisdma_machine *m, int enabled);

typedef enum ndisdma_report_format {
    NDISDMA_REPORT_TEXT = 0, /* one line: "[12345 ns] error complete-mismatch: ..." */
    NDISDMA_REPORT_JSON,     /* one JSON object, no newline */
} ndisdma_report_format;

/*
 * ndisdma_violation_format - format one report @v into @buf (@size bytes,
 * always NUL-terminated when @size > 0).
 * Returns the length the full text needs (as snprintf), or a negative
 * NDISDMA_EINVAL for NULL @v or an unknown format. Any thread.
 */
int ndisdma_violation_format(const ndisdma_violation *v, ndisdma_report_format fmt, char *buf,
                             size_t size);

/*
 * ndisdma_verify_dump - write every report still in @m's log to @out, one
 * per line, in @fmt (JSON: JSON Lines).
 * Returns the number of reports written, or NDISDMA_EINVAL. Host thread.
 */
int ndisdma_verify_dump(const ndisdma_machine *m, ndisdma_report_format fmt, FILE *out);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_VERIFY_H */
