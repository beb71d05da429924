/*
 * The tracer's internals, shared by trace.c (ring, observer, API) and
 * export.c (the text, JSON Lines and VCD writers).
 *
 * Concept: one nd_trace per machine (created on first use, owned by the
 * machine, freed by ndisdma_machine_destroy through nd_trace_destroy). One
 * observer feeds both the ring and the stream. A writer (nd_trace_writer)
 * holds everything an export needs between records: the handle table for
 * pointer arguments and the VCD's last values, so that the ring export and
 * the streaming mode produce the same bytes from the same records.
 */
#ifndef ND_TRACE_TRACE_IMPL_H
#define ND_TRACE_TRACE_IMPL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <ndisdma/trace.h>

/* State of the traced machine when a ring or stream began (VCD $dumpvars). */
typedef struct nd_trace_initial {
    uint64_t time_ns;
    uint16_t irq_level;
    ndisdma_trace_channel chan[NDISDMA_DMA_CHANNELS];
} nd_trace_initial;

typedef struct nd_trace_writer {
    ndisdma_trace_format fmt;
    FILE *f;
    int err;   /* sticky: NDISDMA_EIO after a failed write */
    bool bits; /* VCD: vectors split into 1-bit wires */
    /* handles for pointer-sized DDI arguments, in order of first appearance */
    uint64_t *handles;
    size_t nhandles, cap_handles;
    /* VCD */
    uint64_t last_t; /* last time stamp written */
    uint64_t cursor; /* end of the last burst or pulse */
    uint16_t irq;
    bool dack[NDISDMA_DMA_CHANNELS], tc[NDISDMA_DMA_CHANNELS];
    bool hrq[2], hlda[2];
    ndisdma_trace_channel chan[NDISDMA_DMA_CHANNELS];
} nd_trace_writer;

typedef struct nd_trace nd_trace;

/* export.c */
void nd_trace_writer_init(nd_trace_writer *w, ndisdma_trace_format fmt, FILE *f);
void nd_trace_writer_fini(nd_trace_writer *w);
/* Headers (VCD definitions and $dumpvars from @init). */
void nd_trace_write_begin(nd_trace_writer *w, const nd_trace_initial *init);
void nd_trace_write_record(nd_trace_writer *w, const ndisdma_trace_record *r);
/* VCD: a last time stamp; flushes. */
void nd_trace_write_end(nd_trace_writer *w);

/* trace.c: free the machine's tracer (NULL is a no-op). */
void nd_trace_destroy(nd_trace *t);

#endif /* ND_TRACE_TRACE_IMPL_H */
