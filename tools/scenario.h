/*
 * scenario.h - one end-to-end run of the SD-1 sample miniport on a machine,
 * for the ndisdma command, its tests and the benchmarks.
 *
 * Concept. A scenario builds a machine (seed, placement, verifier policy),
 * puts an SD-1 NIC in loopback on it (io 0x300, irq 10, the DMA channel of
 * the options), loads the sample miniport (DriverEntry), starts its adapter
 * with the card's resources and binds the host's protocol side to it. Then
 * it keeps a window of frames in flight: each frame is written, every byte
 * of it, into an NBL of an ndisdma_frame_pool and sent (ndisdma_adapter_send);
 * the NBLs whose sends the miniport completed carry the next frames, written
 * into them and sent as one chain from the send_complete callback once half
 * the window is free (what putting them back in the pool and taking the
 * pool's next NBLs would hand out: the pool gives the NBL put last first). What the miniport
 * indicates is copied out (ndisdma_nb_copy), compared with what was sent (in order, byte for byte),
 * and returned (a frame equal to one of the next 64 expected means the
 * frames in between were lost: counted as lost, and the check resumes
 * there). The run ends when every frame is back, when a bounded
 * stretch of virtual time passes without a receive (the rest are lost), or,
 * with SCENARIO_VERIFY_STRICT, at the first verifier finding of severity
 * error (warnings, such as a refused NdisMRegisterDmaChannel, are listed
 * but do not stop or fail a run). Then the
 * adapter is paused (the miniport completes its sends), the pool freed, the
 * adapter stopped, the driver unloaded, the NIC and the machine destroyed.
 *
 * Frames to send come from a scenario_frames list (a capture), from the
 * built-in mix generated on the fly (nothing stored per frame, so runs of
 * any length), or, for benchmarks, from the fixed-length fast path
 * (scenario_options.fixed_len: one template frame with a sequence number,
 * counters only). A fixed-length frame differs from the one before it in
 * its header only, so when no fault is injected and no hook is set (then
 * nothing but the scenario writes the memory of a frame it sends), an NBL
 * that carries the next frame of the same length gets its header written
 * and keeps its payload.
 *
 * Nothing here is global: a scenario lives on the caller's stack and in the
 * memory it allocates, and everything is freed before scenario_run returns.
 * Calling context: host code, one thread per scenario.
 */
#ifndef NDISDMA_TOOLS_SCENARIO_H
#define NDISDMA_TOOLS_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ndisdma/faults.h>
#include <ndisdma/hal.h>
#include <ndisdma/host.h>
#include <ndisdma/machine.h>
#include <ndisdma/trace.h>

#include "sdnic.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Frame sizes the scenario accepts (SD-1: 1 to 1514 bytes, no FCS). */
#define SCENARIO_MIN_FRAME 1u
#define SCENARIO_MAX_FRAME 1514u

/* The EtherType of built-in frames: IEEE 802 local experimental 1. */
#define SCENARIO_ETHERTYPE 0x88B5u

/* Defaults of scenario_options_init. */
#define SCENARIO_DEFAULT_FRAMES   64u
#define SCENARIO_DEFAULT_CHANNEL  3
#define SCENARIO_DEFAULT_RATE_BPS 10000000ull
#define SCENARIO_DEFAULT_WINDOW   8u
/* Virtual time without a receive after which the frames still out are lost. */
#define SCENARIO_DEFAULT_STALL_NS 1000000000ull

/* A list of frames, back to back in one buffer. */
typedef struct scenario_frames {
    size_t count;
    uint8_t *data;   /* frame i is data[offset[i] .. offset[i + 1]) */
    size_t *offset;  /* count + 1 entries once a frame is added */
    size_t cap_data; /* allocated bytes of data */
    size_t cap_off;  /* allocated entries of offset */
} scenario_frames;

/* scenario_frames_init - an empty list (no allocation). */
void scenario_frames_init(scenario_frames *f);
/* scenario_frames_free - free the storage; the list is empty again. */
void scenario_frames_free(scenario_frames *f);
/* scenario_frames_add - append a copy of @len bytes at @data.
   Returns 0, NDISDMA_EINVAL (NULL, @len outside 1..SCENARIO_MAX_FRAME) or
   NDISDMA_ENOMEM (the list is unchanged). */
int scenario_frames_add(scenario_frames *f, const void *data, size_t len);
/* scenario_frames_len / scenario_frames_at - length and bytes of frame @i
   (@i < count). */
size_t scenario_frames_len(const scenario_frames *f, size_t i);
const uint8_t *scenario_frames_at(const scenario_frames *f, size_t i);

/*
 * The built-in mix, deterministic from @seed, each frame a function of
 * (@seed, index) alone: sizes cycle through 60, 64, 128, 256, 512, 1024 and
 * 1514 bytes with a seeded random size from 14 to 1514 every fourth frame;
 * each is an Ethernet II frame to @dst (the NIC's address, or broadcast for
 * every eighth frame; @dst NULL: broadcast) from the locally administered
 * source 02:00:5D:00:00:02, EtherType SCENARIO_ETHERTYPE, and a payload
 * that starts (when there is room) with "ndisdma" and a 32-bit big-endian
 * sequence number, then seeded bytes.
 * scenario_builtin_len - the length of frame @i.
 * scenario_builtin_frame - write frame @i into @buf (SCENARIO_MAX_FRAME
 * bytes); returns its length.
 * scenario_frames_builtin - append frames 0..@count-1 to @f. Returns 0,
 * NDISDMA_EINVAL or NDISDMA_ENOMEM.
 */
size_t scenario_builtin_len(uint64_t seed, uint64_t i);
size_t scenario_builtin_frame(uint64_t seed, uint64_t i, const uint8_t *dst, uint8_t *buf);
int scenario_frames_builtin(scenario_frames *f, uint64_t seed, size_t count, const uint8_t *dst);

/*
 * scenario_frame_fill - write frame number @seq of the fixed-length fast
 * path (@len bytes, 14..SCENARIO_MAX_FRAME) into @buf: the built-in header
 * to @dst (NULL: broadcast) and the sequence number, zero payload.
 */
void scenario_frame_fill(uint8_t *buf, size_t len, uint64_t seq, const uint8_t *dst);

typedef enum scenario_verify {
    SCENARIO_VERIFY_RECORD = 0, /* record findings, run to the end (default) */
    SCENARIO_VERIFY_STRICT,     /* stop the run at the first finding of severity error */
    SCENARIO_VERIFY_OFF,        /* count only; receive poisoning off; findings do not fail */
} scenario_verify;

/* One fault to arm: kind and trigger as ndisdma_fault_set takes them. */
typedef struct scenario_fault {
    ndisdma_fault kind;
    ndisdma_fault_spec spec;
} scenario_fault;

/* Progress: @done of @total frames received, at virtual time @now_ns.
   Called between machine runs (not from machine callbacks). Returns true
   to go on, false to end the run now (result.interrupted; the machine is
   taken down as after any run). */
typedef bool (*scenario_progress_fn)(void *ctx, uint64_t done, uint64_t total, uint64_t now_ns);

/* Each frame received, in order, with its virtual receive time. @frame is
   valid during the call only. Called from the receive callback. */
typedef void (*scenario_receive_fn)(void *ctx, const uint8_t *frame, size_t len, uint64_t t_ns);

/* Host hook: called between machine runs with the adapter, after the
   frames of the window went out (@received: frames received so far). May
   call host functions of <ndisdma/netif.h> and arm faults
   (<ndisdma/faults.h>); must not run the machine. */
typedef void (*scenario_hook_fn)(void *ctx, ndisdma_machine *m, ndisdma_adapter *a,
                                 uint64_t received);

typedef struct scenario_options {
    uint64_t seed;                /* machine seed (placement SCATTERED, faults) */
    uint64_t frames;              /* frames to send (fixed_len, or the built-in mix) */
    const scenario_frames *input; /* frames to send, in order; NULL: the built-in mix of
                                     `frames` frames from `seed` (or fixed_len) */
    unsigned fixed_len;           /* fast path: every frame this long, 0 = use input */
    int channel;                  /* DMA channel of the NIC: 0-3 or 5-7 */
    uint16_t io_base;             /* default 0x300 */
    unsigned irq;                 /* default 10 */
    ndisdma_placement placement;  /* default LOW */
    uint64_t line_rate_bps;       /* 0 = no line rate limit */
    scenario_verify verify;
    unsigned window;   /* frames in flight (1..), default 8 */
    bool check_data;   /* copy out and compare every frame (default true) */
    uint64_t stall_ns; /* see SCENARIO_DEFAULT_STALL_NS */
    uint64_t slice_ns; /* virtual time per machine run; 0 = 1 ms */
    /* One trace stream (ndisdma_trace_stream_start), or none: */
    FILE *trace_file; /* caller-owned, left open */
    ndisdma_trace_format trace_format;
    scenario_progress_fn progress;
    void *progress_ctx;
    scenario_receive_fn on_receive;
    void *receive_ctx;
    scenario_hook_fn hook; /* may be NULL */
    void *hook_ctx;
    /* Faults armed on the machine before the driver loads (<ndisdma/faults.h>). */
    unsigned nfaults;
    const struct scenario_fault *faults;
} scenario_options;

/* scenario_options_init - the defaults above; @o must not be NULL. */
void scenario_options_init(scenario_options *o);

/* Verifier reports kept in a result (the kernel's log keeps the last 32). */
#define SCENARIO_MAX_REPORTS 32
#define SCENARIO_REPORT_LEN  512

typedef struct scenario_result {
    /* Setup: 0, or the NDISDMA_E* code of the step named in failed_step. */
    int error;
    const char *failed_step;                  /* static: "ndisdma_machine_create", ... */
    bool ran;                                 /* setup succeeded and frames were driven */
    uint64_t frames_total;                    /* frames the run was asked to send */
    uint64_t frames_sent, bytes_sent;         /* accepted by the miniport */
    uint64_t send_calls;                      /* ndisdma_adapter_send calls (NBL chains) */
    uint64_t frames_completed;                /* sends completed with NDIS_STATUS_SUCCESS */
    uint64_t send_errors;                     /* sends completed with another status */
    uint64_t frames_received, bytes_received; /* indicated by the miniport */
    uint64_t frames_matched;                  /* received equal to the frame expected, in order */
    uint64_t mismatches;     /* received and equal to none of the frames expected next */
    uint64_t first_mismatch; /* index (from 0) of the frame expected then */
    uint64_t frames_skipped; /* frames not received, found missing when a later one came */
    uint64_t extra;          /* frames received beyond those sent */
    uint64_t lost;           /* frames sent and not received (skipped ones included) */
    bool stalled;            /* the run ended on the stall limit */
    bool stopped_strict;     /* the run ended on a finding (STRICT) */
    bool interrupted;        /* the progress callback ended the run */
    uint64_t virtual_ns;     /* virtual time of the last receive (0: none) */
    uint64_t end_ns;         /* virtual time when the run ended */
    ndisdma_hal_stats hal;
    uint64_t interrupts; /* ISR calls on every line */
    sdnic_stats nic;
    uint64_t violations;         /* verifier findings (ndisdma_violation_count) */
    uint64_t violation_errors;   /* of those, severity error (they fail a run) */
    uint64_t violation_warnings; /* severity warning or info (listed; they do not fail it) */
    unsigned nreports;           /* text reports kept in reports[] */
    char reports[SCENARIO_MAX_REPORTS][SCENARIO_REPORT_LEN];
    int trace_error;          /* ndisdma_trace_stream_stop's result (NDISDMA_EIO...) */
    uint64_t faults_injected; /* faults injected, every kind */
} scenario_result;

/*
 * scenario_run - run the scenario of @o and fill @r (caller-owned; it is
 * zeroed first). Returns 0 when the run happened (see @r for what it
 * found), or the negative NDISDMA_E* code of a setup step that failed
 * (also in r->error, with r->failed_step), NDISDMA_EINVAL for bad options
 * (NULL, no input, fixed_len out of range, window 0). Everything it created
 * is destroyed before it returns.
 */
int scenario_run(const scenario_options *o, scenario_result *r);

/* scenario_ok - the run sent every frame and got every one back equal, in
   order, without setup errors or trace write errors (findings aside). */
bool scenario_ok(const scenario_result *r);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_TOOLS_SCENARIO_H */
