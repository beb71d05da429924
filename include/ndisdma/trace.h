/*
 * <ndisdma/trace.h> - event traces of a machine: a ring, and exporters to
 * human text, JSON Lines and VCD waveforms.
 *
 * Concept. A tracer is an observer of the machine (ndisdma_observer_add):
 * it sees every event the hardware and the layers above raise (port I/O,
 * DREQ, bursts, TC/EOP, IRQ, ISR and DPC entry and exit, DDI calls and
 * returns, verifier findings) and never changes what the machine does. It
 * adds DACK, derived from bursts: DACK is asserted for the duration of a
 * burst (its units times the channel's bus cycle time). Each record also
 * carries a side-effect-free snapshot of the eight DMA channels taken when
 * the event happened (ndisdma_dma_get_channel), from which the VCD draws the
 * register values.
 *
 * Two modes, usable together on one machine:
 * - the ring (ndisdma_trace_start): a bounded buffer of records kept in the
 *   machine. When it is full, new records are dropped and counted (the
 *   beginning of the run is kept). Export it afterwards with
 *   ndisdma_trace_export / ndisdma_trace_export_path.
 * - streaming (ndisdma_trace_stream_start): each record is written to a
 *   FILE* in one format as it happens, so that long runs need no large ring.
 *
 * Outputs are deterministic: same seed and same calls give byte-identical
 * files. They hold no wall-clock time and no host pointers: a pointer
 * argument of a DDI (known for the DMA DDIs; for others, any argument of 2^32
 * or more) is printed as a handle "@N", numbered in order of first
 * appearance within one export or stream, also inside violation reports.
 *
 * Calling context: the thread that owns the machine, outside observer and
 * device callbacks. Errors are negative NDISDMA_E* codes.
 */
#ifndef NDISDMA_TRACE_H
#define NDISDMA_TRACE_H

#include <stdio.h>

#include <ndisdma/dma.h>
#include <ndisdma/machine.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Trace-only event kind: DACK of a channel (channel, value 1 raised / 0
   dropped, dur_ns = the burst's bus time). Raised by the tracer around each
   NDISDMA_EV_BURST, never by the machine. */
#define NDISDMA_EV_DACK 64

/* Default ring capacity in records. */
#define NDISDMA_TRACE_DEFAULT_CAPACITY 65536u

typedef enum ndisdma_trace_format {
    NDISDMA_TRACE_TEXT = 0,  /* one aligned line per record */
    NDISDMA_TRACE_JSONL = 1, /* one JSON object per record */
    NDISDMA_TRACE_VCD = 2,   /* value change dump, 1 ns timescale */
    /* The same VCD with every vector (address, count, page) split into 1-bit
       wires ch1_address15 ... ch1_address0: for sigrok/PulseView builds on
       libsigrok 0.5 (Debian 12), whose VCD reader takes 1-bit signals only. */
    NDISDMA_TRACE_VCD_BITS = 3
} ndisdma_trace_format;

/* One channel as the tracer saw it when a record was made. */
typedef struct ndisdma_trace_channel {
    uint16_t address; /* current address register */
    uint16_t count;   /* current count register */
    uint8_t page;     /* page register */
    bool masked;
    bool dreq;    /* hardware DREQ or software request */
    bool pending; /* ready to be served: (DREQ or request) and not masked */
} ndisdma_trace_channel;

typedef struct ndisdma_trace_record {
    ndisdma_event ev;  /* ev.text (VIOLATION) points into the trace's storage */
    uint64_t seq;      /* 0, 1, 2... over the whole trace, dropped ones included */
    uint32_t dur_ns;   /* BURST and DACK: bus time of the burst */
    uint32_t reserved; /* 0 */
    /* BURST and DACK: modelled bus time at which the burst began. time_ns is
       the machine's clock, which during DMA service is the start of a
       service slice; bursts of one slice follow each other on the bus, the
       first one possibly begun in the previous slice. DACK is high from
       start_ns to start_ns + dur_ns. */
    uint64_t start_ns;
    ndisdma_trace_channel chan[NDISDMA_DMA_CHANNELS];
} ndisdma_trace_record;

/*
 * ndisdma_trace_start - start recording into a ring of @capacity records
 * (0 = NDISDMA_TRACE_DEFAULT_CAPACITY). A ring left by an earlier
 * start/stop is discarded. The machine owns the ring.
 * Returns 0, NDISDMA_EINVAL (NULL @m), NDISDMA_ESTATE (already recording),
 * NDISDMA_ENOMEM, or NDISDMA_ENOSPC (no observer slot left).
 */
int ndisdma_trace_start(ndisdma_machine *m, size_t capacity);

/*
 * ndisdma_trace_stop - stop recording; the ring stays readable and
 * exportable until the next start or the machine's destruction.
 * Returns 0, NDISDMA_EINVAL or NDISDMA_ESTATE (not recording).
 */
int ndisdma_trace_stop(ndisdma_machine *m);

/* Records held by the ring, and records dropped because it was full. 0 for
   a machine without a ring. */
size_t ndisdma_trace_count(const ndisdma_machine *m);
uint64_t ndisdma_trace_dropped(const ndisdma_machine *m);

/*
 * ndisdma_trace_get - copy record @index (0 = oldest) into @out. out->ev.text
 * stays valid until the ring is discarded.
 * Returns 0, NDISDMA_EINVAL (NULL pointer) or NDISDMA_ERANGE (no such record).
 */
int ndisdma_trace_get(const ndisdma_machine *m, size_t index, ndisdma_trace_record *out);

/*
 * ndisdma_trace_export - write the ring in @fmt to @f (caller-owned, left
 * open). Returns 0, NDISDMA_EINVAL (NULL pointer, bad format, no ring) or
 * NDISDMA_EIO (a write failed).
 */
int ndisdma_trace_export(const ndisdma_machine *m, ndisdma_trace_format fmt, FILE *f);

/* ndisdma_trace_export_path - the same into a file created or truncated at
   @path. Returns 0, NDISDMA_EINVAL or NDISDMA_EIO (open, write or close
   failed). */
int ndisdma_trace_export_path(const ndisdma_machine *m, ndisdma_trace_format fmt, const char *path);

/*
 * ndisdma_trace_stream_start - write every record in @fmt to @f as it
 * happens (headers first). @f is caller-owned and must stay open until
 * ndisdma_trace_stream_stop. One stream per machine, independent of the ring.
 * Returns 0, NDISDMA_EINVAL, NDISDMA_ESTATE (already streaming),
 * NDISDMA_ENOMEM or NDISDMA_ENOSPC. A write error is reported by
 * ndisdma_trace_stream_stop.
 */
int ndisdma_trace_stream_start(ndisdma_machine *m, ndisdma_trace_format fmt, FILE *f);

/* ndisdma_trace_stream_stop - finish the stream (VCD: a last time stamp) and
   flush @f. Returns 0, NDISDMA_EINVAL, NDISDMA_ESTATE (not streaming) or
   NDISDMA_EIO (some write failed). ndisdma_machine_destroy finishes a stream
   still open, writing to @f: stop it first if @f may be closed before. */
int ndisdma_trace_stream_stop(ndisdma_machine *m);

/* ndisdma_trace_kind_name - "IO_WRITE", "DACK", ...; "?" if unknown. */
const char *ndisdma_trace_kind_name(int kind);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_TRACE_H */
