/*
 * Trace writers: human text, JSON Lines and VCD (see docs/trace.md for the
 * formats).
 *
 * Concept. A writer turns records into bytes, one record at a time, so the
 * same code serves the ring export and the streaming mode. Everything that
 * is printed comes from the records: virtual time, never the wall clock;
 * host pointers never, but handles "@N" numbered by first appearance.
 *
 * VCD timing. Records carry the machine's clock, which during DMA service is
 * the start of a service slice. The waveform draws each burst at its bus
 * time instead (record.start_ns, computed by the tracer from the clock's
 * carry): DACK (and HLDA) stay high for the burst's duration. Other records
 * are placed at max(record time, end of the last burst or pulse); TC/EOP is
 * a 1 ns pulse at the end of its burst, and an IRQ edge holds at least 1 ns.
 * So time stamps strictly increase and bursts of one slice follow each
 * other as they did on the bus.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "trace/trace_impl.h"

/* ---- common ---- */

static void out(nd_trace_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(nd_trace_writer *w, const char *fmt, ...)
{
    if (w->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    /* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is just above */
    int n = vfprintf(w->f, fmt, ap);
    va_end(ap);
    if (n < 0)
        w->err = NDISDMA_EIO;
}

const char *ndisdma_trace_kind_name(int kind)
{
    switch (kind) {
    case NDISDMA_EV_IO_READ:
        return "IO_READ";
    case NDISDMA_EV_IO_WRITE:
        return "IO_WRITE";
    case NDISDMA_EV_DREQ:
        return "DREQ";
    case NDISDMA_EV_BURST:
        return "BURST";
    case NDISDMA_EV_TC:
        return "TC";
    case NDISDMA_EV_EOP:
        return "EOP";
    case NDISDMA_EV_EOP_IGNORED:
        return "EOP_IGNORED";
    case NDISDMA_EV_STALL:
        return "STALL";
    case NDISDMA_EV_ILLEGAL:
        return "ILLEGAL";
    case NDISDMA_EV_IRQ:
        return "IRQ";
    case NDISDMA_EV_ISR_ENTER:
        return "ISR_ENTER";
    case NDISDMA_EV_ISR_EXIT:
        return "ISR_EXIT";
    case NDISDMA_EV_DPC_ENTER:
        return "DPC_ENTER";
    case NDISDMA_EV_DPC_EXIT:
        return "DPC_EXIT";
    case NDISDMA_EV_DDI_CALL:
        return "DDI_CALL";
    case NDISDMA_EV_DDI_RETURN:
        return "DDI_RETURN";
    case NDISDMA_EV_VIOLATION:
        return "VIOLATION";
    case NDISDMA_EV_DACK:
        return "DACK";
    default:
        return "?";
    }
}

static const char *xfer_name(unsigned x)
{
    static const char *const names[] = {"verify", "write", "read", "illegal", "mem_to_mem"};
    return x < 5 ? names[x] : "?";
}

static const char *illegal_name(unsigned r)
{
    static const char *const names[] = {"NONE",
#define ND_X_NAME(name, msg) #name,
                                        NDISDMA_ILLEGAL_LIST(ND_X_NAME)
#undef ND_X_NAME
    };
    return r < sizeof names / sizeof names[0] ? names[r] : "?";
}

void nd_trace_writer_init(nd_trace_writer *w, ndisdma_trace_format fmt, FILE *f)
{
    memset(w, 0, sizeof *w);
    w->fmt = fmt;
    w->f = f;
    w->bits = fmt == NDISDMA_TRACE_VCD_BITS;
}

void nd_trace_writer_fini(nd_trace_writer *w)
{
    free(w->handles);
    w->handles = NULL;
    w->nhandles = w->cap_handles = 0;
}

/* Handle number of @v if it already has one, else 0. */
static size_t handle_find(const nd_trace_writer *w, uint64_t v)
{
    for (size_t i = 0; i < w->nhandles; i++)
        if (w->handles[i] == v)
            return i + 1;
    return 0;
}

/* Handle number (from 1) of host pointer @v, assigned on first appearance,
   or 0 when the table could not grow (printed as "@?"). */
static size_t handle_of(nd_trace_writer *w, uint64_t v)
{
    size_t h = handle_find(w, v);
    if (h)
        return h;
    if (w->nhandles == w->cap_handles) {
        size_t cap = w->cap_handles ? 2 * w->cap_handles : 16;
        uint64_t *p = realloc(w->handles, cap * sizeof *p);
        if (!p)
            return 0;
        w->handles = p;
        w->cap_handles = cap;
    }
    w->handles[w->nhandles++] = v;
    return w->nhandles;
}

/* Which arguments of a DDI are pointers (bit i = arg[i]), so that they print
   as handles wherever the host allocator puts them (below 4 GiB too, as
   under valgrind). Every DDI the library brackets is listed; others:
   arguments of 2^32 or more count as pointers. */
static unsigned ddi_pointer_args(const char *ddi)
{
    static const struct {
        const char *name;
        unsigned mask;
    } table[] = {
        {"NdisMRegisterDmaChannel", 0x13u},  /* handle out, adapter, description */
        {"NdisMDeregisterDmaChannel", 0x1u}, /* handle */
        {"NdisMSetupDmaTransfer", 0x7u},     /* status out, handle, buffer */
        {"NdisMCompleteDmaTransfer", 0x7u},  /* status out, handle, buffer */
        {"NdisMReadDmaCounter", 0x1u},       /* handle */
        {"NdisMRegisterMiniportDriver",
         0x1Fu}, /* DriverObject, RegistryPath, MiniportDriverContext,
                    MiniportDriverCharacteristics, NdisMiniportDriverHandle */
        {"NdisMDeregisterMiniportDriver", 0x1u}, /* NdisMiniportDriverHandle */
        {"NdisMSetMiniportAttributes", 0x3u},    /* NdisMiniportHandle, MiniportAttributes */
        {"NdisMRegisterInterruptEx",
         0xFu},                               /* MiniportAdapterHandle, MiniportInterruptContext,
                                                 MiniportInterruptCharacteristics, NdisInterruptHandle */
        {"NdisMDeregisterInterruptEx", 0x1u}, /* NdisInterruptHandle */
        {"NdisMSynchronizeWithInterruptEx", 0x9u}, /* NdisInterruptHandle, SynchronizeContext */
        {"NdisAllocateTimerObject", 0x7u},    /* NdisHandle, TimerCharacteristics, pTimerObject */
        {"NdisSetTimerObject", 0x9u},         /* TimerObject, FunctionContext */
        {"NdisCancelTimerObject", 0x1u},      /* TimerObject */
        {"NdisFreeTimerObject", 0x1u},        /* TimerObject */
        {"NdisStallExecution", 0x0u},         /*  */
        {"NdisMSleep", 0x0u},                 /*  */
        {"NdisMRegisterIoPortRange", 0x3u},   /* PortOffset, MiniportAdapterHandle */
        {"NdisMDeregisterIoPortRange", 0x9u}, /* MiniportAdapterHandle, PortOffset */
        {"NdisRawReadPortUchar", 0x2u},       /* Data */
        {"NdisRawReadPortUshort", 0x2u},      /* Data */
        {"NdisRawReadPortUlong", 0x2u},       /* Data */
        {"NdisRawWritePortUchar", 0x0u},      /*  */
        {"NdisRawWritePortUshort", 0x0u},     /*  */
        {"NdisRawWritePortUlong", 0x0u},      /*  */
        {"NdisAllocateSpinLock", 0x1u},       /* SpinLock */
        {"NdisFreeSpinLock", 0x1u},           /* SpinLock */
        {"NdisAcquireSpinLock", 0x1u},        /* SpinLock */
        {"NdisReleaseSpinLock", 0x1u},        /* SpinLock */
        {"NdisDprAcquireSpinLock", 0x1u},     /* SpinLock */
        {"NdisDprReleaseSpinLock", 0x1u},     /* SpinLock */
        {"NdisAllocateBufferPool", 0x3u},     /* Status, PoolHandle */
        {"NdisFreeBufferPool", 0x1u},         /* PoolHandle */
        {"NdisAllocateBuffer", 0xFu},         /* Status, Buffer, PoolHandle, VirtualAddress */
        {"NdisFreeBuffer", 0x1u},             /* Buffer */
        {"NdisQueryBufferOffset", 0x7u},      /* Buffer, Offset, Length */
        {"NdisGetNextBuffer", 0x3u},          /* CurrentBuffer, NextBuffer */
        {"NdisBufferLength", 0x1u},           /* Buffer */
        {"NdisBufferVirtualAddress", 0x1u},   /* Buffer */
        {"NdisAdjustBufferLength", 0x1u},     /* Buffer */
        {"NdisAllocateMdl", 0x3u},            /* NdisHandle, VirtualAddress */
        {"NdisFreeMdl", 0x1u},                /* Mdl */
        {"NdisAllocateMemoryWithTag", 0x1u},  /* VirtualAddress */
        {"NdisAllocateMemory", 0x1u},         /* VirtualAddress */
        {"NdisAllocateMemoryWithTagPriority", 0x1u}, /* NdisHandle */
        {"NdisFreeMemoryWithTagPriority", 0x3u},     /* NdisHandle, VirtualAddress */
        {"NdisFreeMemory", 0x1u},                    /* VirtualAddress */
        {"NdisMAllocateSharedMemory",
         0x19u}, /* MiniportAdapterHandle, VirtualAddress, PhysicalAddress */
        {"NdisMFreeSharedMemory", 0x9u},                 /* MiniportAdapterHandle, VirtualAddress */
        {"NdisAllocateNetBufferListPool", 0x3u},         /* NdisHandle, Parameters */
        {"NdisFreeNetBufferListPool", 0x1u},             /* PoolHandle */
        {"NdisAllocateNetBufferPool", 0x3u},             /* NdisHandle, Parameters */
        {"NdisFreeNetBufferPool", 0x1u},                 /* PoolHandle */
        {"NdisAllocateNetBufferList", 0x1u},             /* PoolHandle */
        {"NdisAllocateNetBufferAndNetBufferList", 0x9u}, /* PoolHandle, MdlChain */
        {"NdisFreeNetBufferList", 0x1u},                 /* NetBufferList */
        {"NdisAllocateNetBuffer", 0x3u},                 /* PoolHandle, MdlChain */
        {"NdisFreeNetBuffer", 0x1u},                     /* NetBuffer */
        {"NdisGetDataBuffer", 0x5u},                     /* NetBuffer, Storage */
        {"NdisMSendNetBufferListsComplete", 0x3u},       /* MiniportAdapterHandle, NBLs */
        {"NdisMIndicateReceiveNetBufferLists", 0x3u},    /* MiniportAdapterHandle, NBLs */
        {"NdisMOidRequestComplete", 0x3u},               /* MiniportAdapterHandle, OidRequest */
        {"NdisMPauseComplete", 0x1u},                    /* MiniportAdapterHandle */
        {"NdisMRestartComplete", 0x1u},                  /* MiniportAdapterHandle */
        {"NdisMResetComplete", 0x1u},                    /* MiniportAdapterHandle */
        {"NdisMIndicateStatusEx", 0x3u},           /* MiniportAdapterHandle, StatusIndication */
        {"IoAllocateDriverObjectExtension", 0xBu}, /* DriverObject, Id, DriverObjectExtension */
        {"IoGetDriverObjectExtension", 0x3u},      /* DriverObject, Id */
    };
    if (!ddi)
        return 0;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, ddi) == 0)
            return table[i].mask;
    return 0;
}

/* Format argument @v into @buf: a handle when @ptr (NULL stays 0) or when it
   is 2^32 or more, else decimal below 2^16 and hex above. */
static void fmt_arg(nd_trace_writer *w, uint64_t v, bool ptr, char *buf, size_t n)
{
    if (ptr && v == 0) {
        snprintf(buf, n, "0");
    } else if (!ptr && v < 0x10000u) {
        snprintf(buf, n, "%" PRIu64, v);
    } else if (!ptr && v <= 0xFFFFFFFFu) {
        snprintf(buf, n, "0x%08" PRIx64, v);
    } else {
        size_t h = handle_of(w, v);
        if (h)
            snprintf(buf, n, "@%zu", h);
        else
            snprintf(buf, n, "@?");
    }
}

/* A copy of report text @s (malloc'd, NULL when out of memory) in which
   every hexadecimal number "0x..." of 2^32 or more, or already known as a
   pointer (an argument of the DDI call before), is replaced by its handle:
   the verifier prints pointers in hex, and outputs must hold none. A handle is never longer than
   the number it replaces. */
static char *scrub(nd_trace_writer *w, const char *s)
{
    size_t len = strlen(s);
    char *d = malloc(len + 1);
    if (!d)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        const bool start = (i == 0 || !isalnum((unsigned char)s[i - 1])) && s[i] == '0' &&
                           (s[i + 1] == 'x' || s[i + 1] == 'X') &&
                           isxdigit((unsigned char)s[i + 2]);
        if (start) {
            size_t j = i + 2;
            while (j < len && isxdigit((unsigned char)s[j]))
                j++;
            if (j - (i + 2) <= 16) {
                char num[17];
                memcpy(num, s + i + 2, j - (i + 2));
                num[j - (i + 2)] = 0;
                uint64_t v = strtoull(num, NULL, 16);
                if (v > 0xFFFFFFFFu || (v && handle_find(w, v))) {
                    char h[32];
                    fmt_arg(w, v, true, h, sizeof h);
                    size_t hl = strlen(h);
                    memcpy(d + o, h, hl);
                    o += hl;
                    i = j;
                    continue;
                }
            }
            memcpy(d + o, s + i, j - i);
            o += j - i;
            i = j;
            continue;
        }
        d[o++] = s[i++];
    }
    d[o] = 0;
    return d;
}

/* Print @s quoted, with JSON escapes (the text format uses them too, so
   that a record stays on one line). */
static void out_str(nd_trace_writer *w, const char *s)
{
    out(w, "\"");
    if (!s)
        s = "";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned c = *p;
        if (c == '"' || c == '\\')
            out(w, "\\%c", (char)c);
        else if (c == '\n')
            out(w, "\\n");
        else if (c == '\t')
            out(w, "\\t");
        else if (c == '\r')
            out(w, "\\r");
        else if (c < 0x20 || c == 0x7F)
            out(w, "\\u%04x", c);
        else
            out(w, "%c", (char)c);
    }
    out(w, "\"");
}

/* Print a report's text quoted, pointers replaced by handles. */
static void out_report(nd_trace_writer *w, const char *s)
{
    char *c = s ? scrub(w, s) : NULL;
    out_str(w, c ? c : (s ? "(report lost: out of memory)" : ""));
    free(c);
}

/* ---- text ---- */

static void text_record(nd_trace_writer *w, const ndisdma_trace_record *r)
{
    const ndisdma_event *e = &r->ev;
    out(w, "%8" PRIu64 " %14" PRIu64 " ns  %-11s ", r->seq, e->time_ns,
        ndisdma_trace_kind_name((int)e->kind));
    switch ((int)e->kind) {
    case NDISDMA_EV_IO_READ:
    case NDISDMA_EV_IO_WRITE:
        out(w, "port=0x%04x value=0x%02x", e->port, e->value);
        break;
    case NDISDMA_EV_DREQ:
        out(w, "ch=%u level=%u", e->channel, e->value);
        break;
    case NDISDMA_EV_DACK:
        out(w, "ch=%u level=%u bus_ns=%" PRIu64, e->channel, e->value,
            r->start_ns + (e->value ? 0u : r->dur_ns));
        break;
    case NDISDMA_EV_BURST:
        out(w,
            "ch=%u xfer=%s phys=0x%08" PRIx64 " units=%" PRIu32 " bytes=%" PRIu32
            " start_ns=%" PRIu64 " dur_ns=%" PRIu32 "%s%s",
            e->channel, xfer_name(e->xfer), e->phys, e->units, e->bytes, r->start_ns, r->dur_ns,
            (e->flags & NDISDMA_EVF_DECREMENT) ? " decrement" : "",
            (e->flags & NDISDMA_EVF_NO_DEVICE) ? " no_device" : "");
        break;
    case NDISDMA_EV_TC:
    case NDISDMA_EV_EOP:
        out(w, "ch=%u autoinit=%u address=0x%04x count=0x%04x", e->channel,
            (e->flags & NDISDMA_EVF_AUTOINIT) ? 1u : 0u,
            e->channel < 8 ? r->chan[e->channel].address : 0,
            e->channel < 8 ? r->chan[e->channel].count : 0);
        break;
    case NDISDMA_EV_EOP_IGNORED:
        out(w, "ch=%u", e->channel);
        break;
    case NDISDMA_EV_STALL:
        out(w, "ch=%u units=%" PRIu32, e->channel, e->units);
        break;
    case NDISDMA_EV_ILLEGAL:
        out(w, "reason=%s port=0x%04x value=0x%02x ch=%u", illegal_name(e->reason), e->port,
            e->value, e->channel);
        break;
    case NDISDMA_EV_IRQ:
        out(w, "line=%u level=%u%s", e->channel, e->value,
            (e->flags & NDISDMA_EVF_IRQ_MERGED) ? " merged" : "");
        break;
    case NDISDMA_EV_ISR_ENTER:
        out(w, "line=%u dirql=%u", e->channel, e->value);
        break;
    case NDISDMA_EV_ISR_EXIT:
        out(w, "line=%u claimed=%u", e->channel, e->value);
        break;
    case NDISDMA_EV_DPC_ENTER:
    case NDISDMA_EV_DPC_EXIT:
        out(w, "name=%s", e->name ? e->name : "?");
        break;
    case NDISDMA_EV_DDI_CALL: {
        out(w, "%s(", e->name ? e->name : "?");
        const unsigned n = e->nargs < 6 ? e->nargs : 6, ptrs = ddi_pointer_args(e->name);
        for (unsigned i = 0; i < n; i++) {
            char buf[32];
            fmt_arg(w, e->arg[i], (ptrs >> i) & 1u, buf, sizeof buf);
            out(w, "%s%s", i ? ", " : "", buf);
        }
        out(w, ")");
        break;
    }
    case NDISDMA_EV_DDI_RETURN:
        out(w, "%s status=%" PRId64 " (0x%08" PRIx32 ")", e->name ? e->name : "?", e->status,
            (uint32_t)e->status);
        break;
    case NDISDMA_EV_VIOLATION:
        out(w, "rule=%s id=%" PRId64 " text=", e->name ? e->name : "?", e->status);
        out_report(w, e->text);
        break;
    default:
        out(w, "ch=%u value=%u", e->channel, e->value);
        break;
    }
    out(w, "\n");
}

/* ---- JSON Lines ---- */

static void json_record(nd_trace_writer *w, const ndisdma_trace_record *r)
{
    const ndisdma_event *e = &r->ev;
    out(w, "{\"seq\":%" PRIu64 ",\"time_ns\":%" PRIu64 ",\"kind\":", r->seq, e->time_ns);
    out_str(w, ndisdma_trace_kind_name((int)e->kind));
    switch ((int)e->kind) {
    case NDISDMA_EV_IO_READ:
    case NDISDMA_EV_IO_WRITE:
        out(w, ",\"port\":%u,\"value\":%u", e->port, e->value);
        break;
    case NDISDMA_EV_DREQ:
        out(w, ",\"channel\":%u,\"level\":%u", e->channel, e->value);
        break;
    case NDISDMA_EV_DACK:
        out(w, ",\"channel\":%u,\"level\":%u,\"bus_ns\":%" PRIu64, e->channel, e->value,
            r->start_ns + (e->value ? 0u : r->dur_ns));
        break;
    case NDISDMA_EV_BURST:
        out(w,
            ",\"channel\":%u,\"xfer\":\"%s\",\"phys\":%" PRIu64 ",\"units\":%" PRIu32
            ",\"bytes\":%" PRIu32 ",\"start_ns\":%" PRIu64 ",\"dur_ns\":%" PRIu32
            ",\"decrement\":%s,\"no_device\":%s",
            e->channel, xfer_name(e->xfer), e->phys, e->units, e->bytes, r->start_ns, r->dur_ns,
            (e->flags & NDISDMA_EVF_DECREMENT) ? "true" : "false",
            (e->flags & NDISDMA_EVF_NO_DEVICE) ? "true" : "false");
        break;
    case NDISDMA_EV_TC:
    case NDISDMA_EV_EOP:
        out(w, ",\"channel\":%u,\"autoinit\":%s,\"address\":%u,\"count\":%u", e->channel,
            (e->flags & NDISDMA_EVF_AUTOINIT) ? "true" : "false",
            e->channel < 8 ? r->chan[e->channel].address : 0u,
            e->channel < 8 ? r->chan[e->channel].count : 0u);
        break;
    case NDISDMA_EV_EOP_IGNORED:
        out(w, ",\"channel\":%u", e->channel);
        break;
    case NDISDMA_EV_STALL:
        out(w, ",\"channel\":%u,\"units\":%" PRIu32, e->channel, e->units);
        break;
    case NDISDMA_EV_ILLEGAL:
        out(w, ",\"reason\":\"%s\",\"port\":%u,\"value\":%u,\"channel\":%u",
            illegal_name(e->reason), e->port, e->value, e->channel);
        break;
    case NDISDMA_EV_IRQ:
        out(w, ",\"line\":%u,\"level\":%u,\"merged\":%s", e->channel, e->value,
            (e->flags & NDISDMA_EVF_IRQ_MERGED) ? "true" : "false");
        break;
    case NDISDMA_EV_ISR_ENTER:
        out(w, ",\"line\":%u,\"dirql\":%u", e->channel, e->value);
        break;
    case NDISDMA_EV_ISR_EXIT:
        out(w, ",\"line\":%u,\"claimed\":%s", e->channel, e->value ? "true" : "false");
        break;
    case NDISDMA_EV_DPC_ENTER:
    case NDISDMA_EV_DPC_EXIT:
        out(w, ",\"name\":");
        out_str(w, e->name);
        break;
    case NDISDMA_EV_DDI_CALL: {
        out(w, ",\"name\":");
        out_str(w, e->name);
        out(w, ",\"args\":[");
        const unsigned n = e->nargs < 6 ? e->nargs : 6, ptrs = ddi_pointer_args(e->name);
        for (unsigned i = 0; i < n; i++) {
            const bool ptr = (ptrs >> i) & 1u;
            if (i)
                out(w, ",");
            if ((!ptr || e->arg[i] == 0) && e->arg[i] <= 0xFFFFFFFFu) {
                out(w, "%" PRIu64, e->arg[i]);
            } else {
                char buf[32];
                fmt_arg(w, e->arg[i], ptr, buf, sizeof buf);
                out_str(w, buf);
            }
        }
        out(w, "]");
        break;
    }
    case NDISDMA_EV_DDI_RETURN:
        out(w, ",\"name\":");
        out_str(w, e->name);
        out(w, ",\"status\":%" PRId64, e->status);
        break;
    case NDISDMA_EV_VIOLATION:
        out(w, ",\"rule\":");
        out_str(w, e->name);
        out(w, ",\"id\":%" PRId64 ",\"text\":", e->status);
        out_report(w, e->text);
        break;
    default:
        out(w, ",\"channel\":%u,\"value\":%u", e->channel, e->value);
        break;
    }
    out(w, "}\n");
}

/* ---- VCD ---- */

/* Signal numbering: controllers (hrq, hlda), channels (7 signals, or 44 when
   vectors are split into wires: 4 wires, then 16 address, 16 count and 8
   page bits, most significant first), IRQs. */
enum { VCD_CH_SIGS = 7 };
enum { SIG_DREQ, SIG_DACK, SIG_TC, SIG_MASK, SIG_ADDR, SIG_COUNT, SIG_PAGE };
static const unsigned vcd_width[VCD_CH_SIGS] = {1, 1, 1, 1, 16, 16, 8};
static const unsigned vcd_off_bits[VCD_CH_SIGS] = {0, 1, 2, 3, 4, 20, 36};

static unsigned vcd_stride(const nd_trace_writer *w)
{
    return w->bits ? 44u : VCD_CH_SIGS;
}
#define VCD_SIG_CTL(c, hlda) ((c)*2 + (hlda))
#define VCD_SIG_CH(ch, s)    (4 + (ch)*vcd_stride(w) + (w->bits ? vcd_off_bits[(s)] : (unsigned)(s)))
#define VCD_SIG_IRQ(line)    (4 + NDISDMA_DMA_CHANNELS * vcd_stride(w) + (line))

/* Identifier of signal @i, in base 82 over the printable characters that
   cannot be mistaken for a value or a keyword where an identifier is
   expected: not 0, 1, x, X, z, Z, b, B, r, R, # or $ (sigrok's VCD reader
   takes the identifier "0" after a vector value for a new scalar change). */
static void vcd_id(unsigned i, char buf[8])
{
    static const char alphabet[] = "!\"%&'()*+,-./23456789:;<=>?@ACDEFGHIJKLMNOPQSTUVWY[\\]^_`"
                                   "acdefghijklmnopqstuvwy{|}~";
    const unsigned base = (unsigned)sizeof alphabet - 1;
    size_t n = 0;
    do {
        buf[n++] = alphabet[i % base];
        i /= base;
    } while (i && n < 7);
    buf[n] = 0;
}

static void vcd_time(nd_trace_writer *w, uint64_t t)
{
    if (t > w->last_t) {
        out(w, "#%" PRIu64 "\n", t);
        w->last_t = t;
    }
}

static void vcd_bit(nd_trace_writer *w, unsigned sig, bool v)
{
    char id[8];
    vcd_id(sig, id);
    out(w, "%c%s\n", v ? '1' : '0', id);
}

/* Vector @s of a channel whose signal index is @sig: value @v, previous
   value @old (split mode writes the bits that changed, all when @all). */
static void vcd_vec(nd_trace_writer *w, unsigned sig, unsigned s, unsigned v, unsigned old,
                    bool all)
{
    if (w->bits) {
        const unsigned width = vcd_width[s];
        for (unsigned k = 0; k < width; k++) {
            const unsigned b = width - 1 - k;
            if (all || ((v ^ old) >> b) & 1u)
                vcd_bit(w, sig + k, (v >> b) & 1u);
        }
        return;
    }
    char id[8], bits[20];
    vcd_id(sig, id);
    size_t n = 0;
    for (int b = 15; b >= 0; b--)
        if (n || (v >> b) & 1u || b == 0)
            bits[n++] = (char)('0' + ((v >> b) & 1u));
    bits[n] = 0;
    out(w, "b%s %s\n", bits, id);
}

static bool hrq_of(const ndisdma_trace_channel *ch, unsigned ctl)
{
    for (unsigned i = 0; i < 4; i++)
        if (ch[ctl * 4 + i].pending)
            return true;
    return false;
}

/* Write the changes from the writer's last values to @chan at the current
   time stamp (all values when @all). */
static void vcd_apply(nd_trace_writer *w, const ndisdma_trace_channel *chan, bool all)
{
    for (unsigned ch = 0; ch < NDISDMA_DMA_CHANNELS; ch++) {
        const ndisdma_trace_channel *n = &chan[ch];
        ndisdma_trace_channel *o = &w->chan[ch];
        if (all || n->dreq != o->dreq)
            vcd_bit(w, VCD_SIG_CH(ch, SIG_DREQ), n->dreq);
        if (all || n->masked != o->masked)
            vcd_bit(w, VCD_SIG_CH(ch, SIG_MASK), n->masked);
        if (all || n->address != o->address)
            vcd_vec(w, VCD_SIG_CH(ch, SIG_ADDR), SIG_ADDR, n->address, o->address, all);
        if (all || n->count != o->count)
            vcd_vec(w, VCD_SIG_CH(ch, SIG_COUNT), SIG_COUNT, n->count, o->count, all);
        if (all || n->page != o->page)
            vcd_vec(w, VCD_SIG_CH(ch, SIG_PAGE), SIG_PAGE, n->page, o->page, all);
        *o = *n;
    }
    for (unsigned c = 0; c < 2; c++) {
        bool h = hrq_of(chan, c);
        if (all || h != w->hrq[c])
            vcd_bit(w, VCD_SIG_CTL(c, 0), h);
        w->hrq[c] = h;
    }
}

static void vcd_dack(nd_trace_writer *w, unsigned ch, bool v)
{
    if (w->dack[ch] != v) {
        vcd_bit(w, VCD_SIG_CH(ch, SIG_DACK), v);
        w->dack[ch] = v;
    }
}

static void vcd_hlda(nd_trace_writer *w, unsigned c, bool v)
{
    if (w->hlda[c] != v) {
        vcd_bit(w, VCD_SIG_CTL(c, 1), v);
        w->hlda[c] = v;
    }
}

static void vcd_begin(nd_trace_writer *w, const nd_trace_initial *init)
{
    static const char *const names[VCD_CH_SIGS] = {"dreq",    "dack",  "tc",  "mask",
                                                   "address", "count", "page"};
    const unsigned *widths = vcd_width;
    char id[8];
    out(w, "$date\n  virtual time 0 (ndisdma trace: no wall clock)\n$end\n");
    out(w, "$version\n  ndisdma trace 1\n$end\n");
    out(w, "$comment\n  one scope per 8237 controller (hrq, hlda) and per DMA channel;"
           " DACK spans each burst at its bus time\n$end\n");
    out(w, "$timescale 1ns $end\n");
    out(w, "$scope module ndisdma $end\n");
    for (unsigned c = 0; c < 2; c++) {
        out(w, "$scope module dma%u $end\n", c + 1);
        vcd_id(VCD_SIG_CTL(c, 0), id);
        out(w, "$var wire 1 %s dma%u_hrq $end\n", id, c + 1);
        vcd_id(VCD_SIG_CTL(c, 1), id);
        out(w, "$var wire 1 %s dma%u_hlda $end\n", id, c + 1);
        out(w, "$upscope $end\n");
    }
    for (unsigned ch = 0; ch < NDISDMA_DMA_CHANNELS; ch++) {
        out(w, "$scope module ch%u $end\n", ch);
        for (unsigned s = 0; s < VCD_CH_SIGS; s++) {
            vcd_id(VCD_SIG_CH(ch, s), id);
            if (widths[s] == 1) {
                out(w, "$var wire 1 %s ch%u_%s $end\n", id, ch, names[s]);
            } else if (w->bits) {
                for (unsigned k = 0; k < widths[s]; k++) {
                    vcd_id(VCD_SIG_CH(ch, s) + k, id);
                    out(w, "$var wire 1 %s ch%u_%s%u $end\n", id, ch, names[s], widths[s] - 1 - k);
                }
            } else
                out(w, "$var wire %u %s ch%u_%s [%u:0] $end\n", widths[s], id, ch, names[s],
                    widths[s] - 1);
        }
        out(w, "$upscope $end\n");
    }
    out(w, "$scope module irq $end\n");
    for (unsigned l = 0; l < 16; l++) {
        vcd_id(VCD_SIG_IRQ(l), id);
        out(w, "$var wire 1 %s irq%u $end\n", id, l);
    }
    out(w, "$upscope $end\n$upscope $end\n$enddefinitions $end\n");
    w->last_t = init->time_ns;
    w->cursor = init->time_ns;
    out(w, "#%" PRIu64 "\n$dumpvars\n", init->time_ns);
    vcd_apply(w, init->chan, true);
    for (unsigned c = 0; c < 2; c++)
        vcd_bit(w, VCD_SIG_CTL(c, 1), false);
    for (unsigned ch = 0; ch < NDISDMA_DMA_CHANNELS; ch++) {
        vcd_bit(w, VCD_SIG_CH(ch, SIG_DACK), false);
        vcd_bit(w, VCD_SIG_CH(ch, SIG_TC), false);
    }
    w->irq = init->irq_level;
    for (unsigned l = 0; l < 16; l++)
        vcd_bit(w, VCD_SIG_IRQ(l), (w->irq >> l) & 1u);
    out(w, "$end\n");
}

static void vcd_record(nd_trace_writer *w, const ndisdma_trace_record *r)
{
    const ndisdma_event *e = &r->ev;
    uint64_t t = e->time_ns;
    if (t < w->cursor)
        t = w->cursor;
    if (t < w->last_t)
        t = w->last_t;
    switch ((int)e->kind) {
    case NDISDMA_EV_DACK:
        return; /* drawn from the burst itself */
    case NDISDMA_EV_BURST: {
        if (e->channel >= NDISDMA_DMA_CHANNELS)
            return;
        const unsigned ch = e->channel, c = ch >> 2;
        const bool m2m = e->xfer == NDISDMA_XFER_MEM_TO_MEM;
        t = r->start_ns > w->last_t ? r->start_ns : w->last_t;
        if (t < w->cursor)
            t = w->cursor;
        vcd_time(w, t);
        vcd_dack(w, ch, true);
        if (m2m)
            vcd_dack(w, 1, true);
        vcd_hlda(w, c, true);
        if (c == 0) { /* controller 1 holds the bus through the cascade */
            vcd_dack(w, NDISDMA_DMA_CASCADE_CHANNEL, true);
            vcd_hlda(w, 1, true);
        }
        const uint64_t end = t + (r->dur_ns ? r->dur_ns : 1);
        vcd_time(w, end);
        vcd_dack(w, ch, false);
        if (m2m)
            vcd_dack(w, 1, false);
        vcd_hlda(w, c, false);
        if (c == 0) {
            vcd_dack(w, NDISDMA_DMA_CASCADE_CHANNEL, false);
            vcd_hlda(w, 1, false);
        }
        vcd_apply(w, r->chan, false);
        w->cursor = end;
        return;
    }
    case NDISDMA_EV_TC:
    case NDISDMA_EV_EOP:
        if (e->channel >= NDISDMA_DMA_CHANNELS)
            return;
        vcd_time(w, t);
        vcd_bit(w, VCD_SIG_CH(e->channel, SIG_TC), true);
        vcd_apply(w, r->chan, false);
        vcd_time(w, t + 1);
        vcd_bit(w, VCD_SIG_CH(e->channel, SIG_TC), false);
        w->cursor = t + 1;
        return;
    case NDISDMA_EV_IRQ:
        if (e->channel < 16) {
            const uint16_t bit = (uint16_t)(1u << e->channel);
            const bool v = e->value != 0;
            if (((w->irq & bit) != 0) != v) {
                vcd_time(w, t);
                vcd_bit(w, VCD_SIG_IRQ(e->channel), v);
                w->irq = (uint16_t)(v ? (w->irq | bit) : (w->irq & ~bit));
                w->cursor = t + 1; /* an edge holds at least 1 ns */
            }
        }
        return;
    default: {
        /* Register changes only; write the time stamp only when needed. */
        bool changed = false;
        for (unsigned ch = 0; ch < NDISDMA_DMA_CHANNELS && !changed; ch++)
            changed = memcmp(&r->chan[ch], &w->chan[ch], sizeof r->chan[ch]) != 0;
        if (changed) {
            vcd_time(w, t);
            vcd_apply(w, r->chan, false);
        }
        return;
    }
    }
}

/* ---- dispatch ---- */

void nd_trace_write_begin(nd_trace_writer *w, const nd_trace_initial *init)
{
    if (w->fmt == NDISDMA_TRACE_VCD || w->fmt == NDISDMA_TRACE_VCD_BITS)
        vcd_begin(w, init);
    else if (w->fmt == NDISDMA_TRACE_TEXT)
        out(w, "%8s %17s  %-11s %s\n", "seq", "time", "event", "details");
}

void nd_trace_write_record(nd_trace_writer *w, const ndisdma_trace_record *r)
{
    switch (w->fmt) {
    case NDISDMA_TRACE_TEXT:
        text_record(w, r);
        break;
    case NDISDMA_TRACE_JSONL:
        json_record(w, r);
        break;
    case NDISDMA_TRACE_VCD:
    case NDISDMA_TRACE_VCD_BITS:
        vcd_record(w, r);
        break;
    }
}

void nd_trace_write_end(nd_trace_writer *w)
{
    if (w->fmt == NDISDMA_TRACE_VCD || w->fmt == NDISDMA_TRACE_VCD_BITS) {
        uint64_t t = w->cursor > w->last_t ? w->cursor : w->last_t;
        out(w, "#%" PRIu64 "\n", t + 1);
        w->last_t = t + 1;
    }
    if (!w->err && fflush(w->f) != 0)
        w->err = NDISDMA_EIO;
}
