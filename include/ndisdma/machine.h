/*
 * <ndisdma/machine.h> - the simulated PC/AT platform.
 *
 * A machine is one simulated computer: physical RAM, the ISA I/O port space,
 * and the system DMA hardware (two cascaded 8237A controllers and their page
 * registers). Everything hangs off the machine: there is no global mutable
 * state, so several machines can live in one process, each used by one
 * thread at a time.
 *
 * The names and behaviours of ndisdma_config, ndisdma_config_init,
 * ndisdma_machine_create/destroy, ndisdma_io_read8/write8 and
 * ndisdma_phys_read/write are fixed by spec/host-api.md. Everything else in
 * this header is the project's own addition.
 */
#ifndef NDISDMA_MACHINE_H
#define NDISDMA_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ndisdma/errors.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ndisdma_machine ndisdma_machine;

/* Default simulated RAM: 64 MiB. */
#define NDISDMA_DEFAULT_RAM_BYTES (64ull << 20)
/* RAM must be a whole number of 4 KiB pages, between one page and 4 GiB. */
#define NDISDMA_PAGE_SIZE         4096u
#define NDISDMA_MAX_RAM_BYTES     (4ull << 30)

/*
 * Placement of the memory the kernel hands out to drivers (nonpaged pool,
 * NdisAllocateMemory...), spec N30. RAM is one linear mapping, so one
 * allocation is always physically contiguous; the policy chooses where it
 * lies:
 * - LOW (the default, and the value of a zeroed config): first fit from the
 *   bottom of RAM, below 16 MiB, and never across a 64 KiB boundary when the
 *   allocation fits in 64 KiB. Buffers are then reachable by the 8237
 *   directly: the HAL's direct path. Fails when memory below 16 MiB is
 *   exhausted (it never silently goes high).
 * - HIGH: first fit from 16 MiB up: every buffer is out of the ISA DMA
 *   window, so the HAL bounces it through map registers. Needs more than
 *   16 MiB of RAM.
 * - SCATTERED: seeded pseudo-random page positions over all of RAM, below
 *   and above 16 MiB; multi-page allocations are deliberately placed across
 *   64 KiB and 128 KiB boundaries. Deterministic for a given seed and call
 *   sequence.
 * Host memory a driver owns itself (stack, malloc) is not placed: it gets
 * phantom frames above 4 GiB when an MDL is built on it (N29).
 */
typedef enum ndisdma_placement {
    NDISDMA_PLACEMENT_LOW = 0,
    NDISDMA_PLACEMENT_HIGH = 1,
    NDISDMA_PLACEMENT_SCATTERED = 2
} ndisdma_placement;

typedef struct ndisdma_config {
    uint64_t ram_bytes;          /* simulated physical RAM; 0 = default (64 MiB) */
    uint64_t seed;               /* seeds every randomised choice; same seed, same run */
    ndisdma_placement placement; /* memory placement policy (N30); default LOW */
    int verify; /* verifier policy, an ndisdma_verify_policy (<ndisdma/verify.h>); default
                   0 = NDISDMA_VERIFY_RECORD */
} ndisdma_config;

/*
 * ndisdma_config_init - fill @cfg with the defaults (64 MiB RAM, seed 0,
 * placement NDISDMA_PLACEMENT_LOW).
 * @cfg: caller-owned; must not be NULL.
 */
void ndisdma_config_init(ndisdma_config *cfg);

/*
 * ndisdma_machine_create - build a machine in the state the PC/AT BIOS
 * leaves (spec/i8237.md H5): both 8237 command registers 0, channel 4 in
 * cascade mode and unmasked, all other channels masked, flip-flops clear,
 * page registers 0, RAM zero.
 * @cfg: configuration, copied; NULL means defaults.
 * @out: receives the machine; set to NULL on failure.
 * Returns 0, NDISDMA_EINVAL (NULL @out, RAM size not a page multiple or out
 * of range, unknown placement) or NDISDMA_ENOMEM. The caller owns the
 * machine and frees it with ndisdma_machine_destroy(). Any thread.
 */
int ndisdma_machine_create(const ndisdma_config *cfg, ndisdma_machine **out);

/*
 * ndisdma_machine_destroy - free a machine and everything it owns.
 * Devices attached to it are not called. NULL is a no-op.
 */
void ndisdma_machine_destroy(ndisdma_machine *m);

/* ndisdma_machine_ram_bytes - the size of the machine's simulated RAM. */
uint64_t ndisdma_machine_ram_bytes(const ndisdma_machine *m);

/*
 * ISA port I/O. Any port, any value, any order is accepted and nothing can
 * crash: a read of a port that nothing decodes, or of a write-only register,
 * returns 0xFF (open bus); a write that nothing decodes is dropped. Both are
 * recorded as illegal accesses (see ndisdma_hw_stats and the observer
 * events). Callable from device callbacks (reads only while DMA is running).
 */
uint8_t ndisdma_io_read8(ndisdma_machine *m, uint16_t port);
void ndisdma_io_write8(ndisdma_machine *m, uint16_t port, uint8_t value);

/*
 * Physical memory access by the host (not by DMA: no trace of a bus cycle).
 * @addr, @len: the range; it must lie wholly inside RAM.
 * Returns 0, or NDISDMA_ERANGE (range outside RAM; nothing is copied) or
 * NDISDMA_EINVAL (NULL buffer with a non-zero length).
 */
int ndisdma_phys_read(ndisdma_machine *m, uint64_t addr, void *dst, size_t len);
int ndisdma_phys_write(ndisdma_machine *m, uint64_t addr, const void *src, size_t len);

/*
 * ndisdma_phys_ptr - direct pointer to simulated RAM, for device models and
 * embedders that want zero-copy access.
 * Returns a pointer to @len bytes at @addr, or NULL if the range is not
 * wholly inside RAM. The pointer stays valid until the machine is destroyed.
 */
void *ndisdma_phys_ptr(ndisdma_machine *m, uint64_t addr, size_t len);

/*
 * Port handlers: a device model claims a range of ports. Reads and writes of
 * those ports call the handler with the port number. Ranges may not overlap
 * ports already claimed (the DMA controllers own 0x00-0x0F, 0x80-0x8F and
 * 0xC0-0xDF).
 */
typedef struct ndisdma_io_handler {
    uint8_t (*read8)(void *ctx, uint16_t port);              /* NULL: open bus 0xFF */
    void (*write8)(void *ctx, uint16_t port, uint8_t value); /* NULL: dropped */
} ndisdma_io_handler;

/*
 * ndisdma_io_map - claim ports [@base, @base + @count) for a device.
 * @handler: copied; @ctx: passed back, owned by the caller.
 * Returns a positive mapping id, or NDISDMA_EINVAL (count 0, range past
 * 0xFFFF, NULL handler), NDISDMA_EBUSY (a port already claimed),
 * NDISDMA_ENOSPC (too many mappings).
 */
int ndisdma_io_map(ndisdma_machine *m, uint16_t base, uint32_t count,
                   const ndisdma_io_handler *handler, void *ctx);
/* ndisdma_io_unmap - release a mapping; 0 or NDISDMA_ENOENT. */
int ndisdma_io_unmap(ndisdma_machine *m, int id);

/*
 * Observation. Every port access, every DREQ change, every burst of DMA
 * transfers, every terminal count or EOP, every change of an IRQ line's
 * level and every illegal access raises an event to the machine's observers
 * (trace exporters, the verifier, tests). Observers see; they never change
 * what the machine does. An observer must not call back into the machine
 * except to read state.
 */
typedef enum ndisdma_event_kind {
    NDISDMA_EV_IO_READ = 1, /* port, value (value returned) */
    NDISDMA_EV_IO_WRITE,    /* port, value */
    NDISDMA_EV_DREQ,        /* channel, value = 1 asserted / 0 dropped */
    NDISDMA_EV_BURST,       /* channel, xfer, phys, units, bytes, flags */
    NDISDMA_EV_TC,          /* channel, flags (NDISDMA_EVF_AUTOINIT = reloaded) */
    NDISDMA_EV_EOP,         /* external EOP honoured: channel */
    NDISDMA_EV_EOP_IGNORED, /* external EOP outside service: channel */
    NDISDMA_EV_STALL,       /* device took or gave fewer units: channel, units moved */
    NDISDMA_EV_ILLEGAL,     /* illegal access: reason, port, value, channel */
    NDISDMA_EV_IRQ,         /* IRQ line level changed (<ndisdma/device.h>): channel = line
                               0-15, value = 1 rising / 0 falling edge, flags
                               NDISDMA_EVF_IRQ_MERGED */
    /* Raised by the layers above the hardware (kernel, NDIS, verifier): */
    NDISDMA_EV_ISR_ENTER,  /* channel = IRQ line, value = DIRQL */
    NDISDMA_EV_ISR_EXIT,   /* channel = IRQ line, value = 1 if the ISR claimed it */
    NDISDMA_EV_DPC_ENTER,  /* name = routine kind ("MiniportInterruptDPC", "timer", ...) */
    NDISDMA_EV_DPC_EXIT,   /* name */
    NDISDMA_EV_DDI_CALL,   /* name = DDI, arg[0..nargs) = its arguments (pointers and
                              integers as uint64), before it acts */
    NDISDMA_EV_DDI_RETURN, /* name = DDI, status = its status or return value */
    NDISDMA_EV_VIOLATION,  /* name = rule or DDI, text = the report, status = rule id */
    NDISDMA_EV_FAULT,      /* injected fault (<ndisdma/faults.h>): name = fault name,
                              status = fault kind, channel = DMA channel or 0xFF */
} ndisdma_event_kind;

/* Transfer types as the mode register encodes them (H9), for events. */
enum {
    NDISDMA_XFER_VERIFY = 0,
    NDISDMA_XFER_WRITE = 1,   /* device -> memory */
    NDISDMA_XFER_READ = 2,    /* memory -> device */
    NDISDMA_XFER_ILLEGAL = 3, /* behaves as verify (H15) */
    NDISDMA_XFER_MEM_TO_MEM = 4
};

/* Event flags. */
enum {
    NDISDMA_EVF_DECREMENT = 1u << 0,  /* burst ran downwards */
    NDISDMA_EVF_AUTOINIT = 1u << 1,   /* TC/EOP reloaded the channel */
    NDISDMA_EVF_NO_DEVICE = 1u << 2,  /* no device attached: data discarded / 0xFF */
    NDISDMA_EVF_IRQ_MERGED = 1u << 3, /* IRQ rising edge while a request was still latched:
                                         no new interrupt */
};

/* Reasons for NDISDMA_EV_ILLEGAL. */
#define NDISDMA_ILLEGAL_LIST(X)                                                                    \
    X(READ_WRITE_ONLY, "read of a write-only register (open bus 0xFF)")                            \
    X(UNDECODED_PORT, "access to a port that nothing decodes")                                     \
    X(ILLEGAL_XFER_TYPE, "mode register transfer type 11 (behaves as verify)")                     \
    X(CASCADE_NOT_4, "cascade mode on a channel other than 4 (moves nothing)")                     \
    X(CHANNEL4_NOT_CASCADE, "channel 4 not in cascade mode (starves 0-3)")                         \
    X(EOP_OUTSIDE_SERVICE, "external EOP while the channel is not served")                         \
    X(BAD_CHANNEL, "DREQ for a channel that takes no device (4, or above 7)")                      \
    X(NO_PROGRESS, "devices keep requesting without moving data: DMA service stopped")             \
    X(BAD_IRQ, "IRQ line that takes no device (2, the cascade, or above 15)")

typedef enum ndisdma_illegal {
    NDISDMA_ILLEGAL_NONE = 0,
#define NDISDMA_X_ILL(name, msg) NDISDMA_ILLEGAL_##name,
    NDISDMA_ILLEGAL_LIST(NDISDMA_X_ILL)
#undef NDISDMA_X_ILL
        NDISDMA_ILLEGAL_COUNT
} ndisdma_illegal;

/* ndisdma_illegal_str - message for an illegal-access reason; never NULL. */
const char *ndisdma_illegal_str(int reason);

typedef struct ndisdma_event {
    ndisdma_event_kind kind;
    uint64_t time_ns; /* virtual time of the event */
    uint64_t phys;    /* BURST: lowest address touched (memory-to-memory: first source byte) */
    uint32_t units;   /* BURST/STALL: units moved */
    uint32_t bytes;   /* BURST: bytes moved */
    uint16_t port;    /* IO_*, ILLEGAL */
    uint8_t value;    /* IO_*: data; DREQ: 1/0; ILLEGAL: value written */
    uint8_t channel;  /* 0-7 (IRQ: line 0-15); 0xFF when none */
    uint8_t xfer;     /* BURST: NDISDMA_XFER_* */
    uint8_t flags;    /* NDISDMA_EVF_* */
    uint8_t reason;   /* ILLEGAL: ndisdma_illegal */
    uint8_t nargs;    /* DDI_CALL: arguments in arg[] */
    const char *name; /* DDI_*, DPC_*, VIOLATION: a static string */
    const char *text; /* VIOLATION: the report; valid during the callback only */
    int64_t status;   /* DDI_RETURN: status or value returned; VIOLATION: rule id */
    uint64_t arg[6];  /* DDI_CALL: arguments */
} ndisdma_event;

typedef void (*ndisdma_observer_fn)(void *ctx, const ndisdma_event *ev);

#define NDISDMA_MAX_OBSERVERS 8

/*
 * ndisdma_observer_add - add an observer.
 * Returns a positive id for ndisdma_observer_remove, or NDISDMA_EINVAL
 * (NULL @fn) or NDISDMA_ENOSPC (NDISDMA_MAX_OBSERVERS already).
 */
int ndisdma_observer_add(ndisdma_machine *m, ndisdma_observer_fn fn, void *ctx);
/* ndisdma_observer_remove - 0, or NDISDMA_ENOENT for an unknown id. */
int ndisdma_observer_remove(ndisdma_machine *m, int id);

/* Counters kept by the hardware model (never reset but by a new machine). */
typedef struct ndisdma_hw_stats {
    uint64_t io_reads, io_writes;
    uint64_t illegal; /* illegal accesses of every reason */
    uint64_t illegal_by_reason[NDISDMA_ILLEGAL_COUNT];
    uint64_t units;           /* units moved by DMA (memory-to-memory: bytes) */
    uint64_t bytes;           /* bytes moved by DMA */
    uint64_t bursts;          /* device callbacks / burst events */
    uint64_t terminal_counts; /* TC or honoured EOP */
    uint64_t stalls;          /* short device returns */
} ndisdma_hw_stats;

/* ndisdma_hw_get_stats - copy the counters; 0 or NDISDMA_EINVAL. */
int ndisdma_hw_get_stats(const ndisdma_machine *m, ndisdma_hw_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_MACHINE_H */
