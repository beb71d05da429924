/*
 * Internals of the HAL layer, shared by the files of src/hal only.
 *
 * Concept: a DMA adapter (nd_adapter) is what IoGetDmaAdapter returns; its
 * first member is the WDK's DMA_ADAPTER, so PDMA_ADAPTER and nd_adapter *
 * convert both ways. Each adapter names one 8237 channel; the adapter
 * channel itself (nd_hal_channel) is a per-channel object of the HAL, owned
 * by at most one adapter at a time, with a FIFO of requests waiting for it.
 * Map registers (nd_mapreg) are runs of pages out of the HAL's pool below
 * 16 MiB; a request that owns its channel but finds too few free registers
 * waits in the pool's FIFO. Execution routines are always called with no
 * HAL lock held (they may call back into the HAL).
 *
 * Locks: `lock` protects the channel objects, the pool and the adapter
 * list; `ctl_lock[c]` serialises port access to controller c (the
 * byte-pointer flip-flop is shared by its four channels). Both are kernel
 * spin locks (DISPATCH_LEVEL while held). A machine is driven by one thread
 * at a time, so the locks order the work of that thread's IRQL levels, as
 * on a uniprocessor; being the machine's own, they are taken without a
 * compare-and-swap (nd_spin_acquire_machine, kernel/irql.h).
 */
#ifndef ND_HAL_HAL_IMPL_H
#define ND_HAL_HAL_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verify/verify.h"
#include "hal/hal.h"
#include "hw/hw.h"

#define ND_ADAPTER_MAGIC 0x48414C44u /* "HALD" */

typedef struct nd_adapter nd_adapter;

/* A run of map registers: @count pages at @phys (pool page index @first).
   The first min(count, window pages) pages lie inside one 64 KiB (8-bit
   adapter) or 128 KiB (16-bit adapter) window, and bounced data always
   starts at @phys, so a bounce never crosses the window. */
typedef struct nd_mapreg {
    struct nd_mapreg *next; /* pool's list of allocated runs (under lock) */
    nd_adapter *owner;
    size_t first, count;
    uint64_t phys;
    uint8_t *va; /* host pointer of @phys in RAM */
} nd_mapreg;

/* A request of AllocateAdapterChannel, waiting for the channel or, once it
   owns the channel, for map registers. */
typedef struct nd_hal_wait {
    struct nd_hal_wait *next;
    nd_adapter *adapter;
    PDEVICE_OBJECT device;
    ULONG nregs;
    PDRIVER_CONTROL routine;
    PVOID context;
} nd_hal_wait;

/* The adapter channel of one 8237 channel. */
typedef struct nd_hal_channel {
    nd_adapter *owner;        /* adapter holding the channel, or NULL */
    nd_hal_wait *head, *tail; /* requests waiting for the channel (FIFO) */
} nd_hal_channel;

/* The map-register pool. */
typedef struct nd_mapreg_pool {
    size_t want;                          /* pages to reserve on first use */
    size_t pages;                         /* pages reserved (0 until reserved) */
    size_t free;                          /* pages not allocated */
    bool reserved;                        /* reservation attempted */
    uint64_t phys;                        /* first page */
    uint8_t *va;                          /* host pointer of @phys */
    uint8_t *used;                        /* one byte per page: 1 = allocated */
    nd_mapreg *runs;                      /* allocated runs */
    nd_hal_wait *rwait_head, *rwait_tail; /* owners of a channel waiting for registers (FIFO) */
} nd_mapreg_pool;

/* A common buffer handed out by AllocateCommonBuffer. */
typedef struct nd_common_buffer {
    struct nd_common_buffer *next;
    uint64_t phys;
    size_t npages;
    void *va;
    ULONG length;
} nd_common_buffer;

/* The transfer MapTransfer programmed last, until FlushAdapterBuffers. */
typedef struct nd_mapping {
    bool active;
    bool bounced;
    bool write_to_device;
    PMDL mdl;
    uint8_t *current_va;
    ULONG length;    /* bytes of the caller's buffer mapped (*Length) */
    uint32_t units;  /* 8237 units programmed */
    uint64_t phys;   /* logical address programmed */
    nd_mapreg *regs; /* bounce registers (bounced only) */
} nd_mapping;

struct nd_adapter {
    DMA_ADAPTER pub; /* first: the driver's PDMA_ADAPTER */
    uint32_t magic;
    nd_hal *hal;
    nd_adapter *next; /* HAL's adapter list (under lock) */
    DEVICE_DESCRIPTION desc;
    unsigned channel;
    unsigned shift;       /* 0: 8-bit channel (bytes), 1: 16-bit channel (words) */
    uint8_t mode;         /* mode register bits of desc: nd_adapter_mode(&desc) */
    ULONG max_regs;       /* map registers one request may ask for */
    nd_mapreg *chan_regs; /* registers allocated together with the channel */
    nd_mapping map;
    nd_common_buffer *common;
};

struct nd_hal {
    nd_kernel *k;
    nd_hw *hw;
    KSPIN_LOCK lock;
    KSPIN_LOCK ctl_lock[2];
    nd_hal_channel chan[8];
    nd_mapreg_pool pool;
    nd_adapter *adapters;
    int dispatching;         /* inside nd_hal_dispatch */
    int redo;                /* a nested dispatch request arrived meanwhile */
    bool destroying;         /* nd_hal_destroy: no locks, no port traffic */
    unsigned flush_faults;   /* flushes left that report FALSE (fault injection) */
    ndisdma_hal_stats stats; /* counters of ndisdma_hal_get_stats */
};

/* ---- adapter.c ---- */
extern const DMA_OPERATIONS nd_hal_dma_operations;

/* The adapter behind @a, or NULL (NULL pointer, or not one of ours). When
   NULL and @ddi is set, a violation is recorded on the calling thread's
   machine, if any. */
nd_adapter *nd_adapter_from(PDMA_ADAPTER a, const char *ddi);

/* The adapter behind @a for the _live entry points (hal.h), whose caller
   passes an adapter that IoGetDmaAdapter returned and that was not put:
   nd_adapter_from's check would pass, so it is not made. */
static inline nd_adapter *nd_adapter_live(PDMA_ADAPTER a)
{
    return (nd_adapter *)a;
}

/* Bytes one 8237 transfer can move on the adapter's channel; the window a
   transfer must not cross has the same size. */
static inline uint32_t nd_adapter_window(const nd_adapter *ad)
{
    return (uint32_t)0x10000u << ad->shift;
}

/* IRQL check of a DDI that requires exactly @level. Records a violation and
   returns false otherwise. */
bool nd_hal_irql_is(nd_kernel *k, KIRQL level, const char *ddi);

/* Release everything @ad holds (PutDmaAdapter, HAL destruction). */
void nd_adapter_release_all(nd_adapter *ad, bool report);

/* ---- channel.c ---- */
/* The HAL lock (no-ops while the HAL is destroyed, when the machine's
   thread may already be unbound). */
void nd_hal_lock(nd_hal *h, KIRQL *old);
void nd_hal_unlock(nd_hal *h, KIRQL old);
NTSTATUS nd_hal_allocate_adapter_channel(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                         ULONG NumberOfMapRegisters,
                                         PDRIVER_CONTROL ExecutionRoutine, PVOID Context);
VOID nd_hal_free_adapter_channel(PDMA_ADAPTER DmaAdapter);
VOID nd_hal_free_map_registers(PDMA_ADAPTER DmaAdapter, PVOID MapRegisterBase,
                               ULONG NumberOfMapRegisters);
/* Grant whatever can be granted now (channels, then map registers), calling
   execution routines without a lock held. Re-entrant calls are folded into
   the outermost one. */
void nd_hal_dispatch(nd_hal *h);
/* Drop every queued request of @ad (under no lock); returns how many. */
size_t nd_hal_drop_requests(nd_adapter *ad);

/* ---- mapreg.c ---- */
/* Reserve the pool if not yet done (PASSIVE_LEVEL). Never fails: a pool that
   cannot be reserved has 0 pages. */
void nd_mapreg_reserve(nd_hal *h);
void nd_mapreg_release_pool(nd_hal *h);
/* Most registers (<= @want) one run could get from an empty pool for an
   adapter whose window is @window bytes. */
ULONG nd_mapreg_capacity(const nd_hal *h, ULONG want, uint32_t window);
/* Allocate @count registers for @owner (caller holds h->lock); NULL when
   the pool has no such run free now. */
nd_mapreg *nd_mapreg_alloc(nd_hal *h, nd_adapter *owner, size_t count, uint32_t window);
/* Free a run (caller holds h->lock). */
void nd_mapreg_free(nd_hal *h, nd_mapreg *r);
/* The run @base of @owner, or NULL when @base is not a run @owner holds
   (caller holds h->lock, or is the machine's only thread). */
nd_mapreg *nd_mapreg_find(const nd_hal *h, const nd_adapter *owner, const void *base);

/* ---- controller.c ---- */
/* Port-level access to one channel, caller holds ctl_lock[ch >> 2]. */
void nd_ctl_mask(nd_hal *h, unsigned ch, bool masked);
/* Mask, mode, clear flip-flop, address, page, count (no unmask). */
void nd_ctl_program(nd_hal *h, unsigned ch, uint8_t mode, uint64_t phys, uint32_t units);
/* MapTransfer's port sequence: under the controller's lock, program
   (nd_ctl_program) and unmask channel @ch. */
void nd_ctl_start(nd_hal *h, unsigned ch, uint8_t mode, uint64_t phys, uint32_t units);
/* Current count register, read as N23 says (clear flip-flop, low, high,
   until two reads agree). */
uint16_t nd_ctl_read_count(nd_hal *h, unsigned ch);
/* Mask channel @ch (nd_ctl_mask(true)), then one read of its count
   register (clear flip-flop, low, high): enough once it is masked and
   cannot step between the two bytes. */
uint16_t nd_ctl_mask_read_count(nd_hal *h, unsigned ch);
void nd_ctl_lock(nd_hal *h, unsigned ch, KIRQL *old);
void nd_ctl_unlock(nd_hal *h, unsigned ch, KIRQL old);
ULONG nd_hal_read_dma_counter(PDMA_ADAPTER DmaAdapter);

/* ---- maptransfer.c ---- */
/* The mode register bits a description asks for, for every transfer of its
   adapter: demand or single, autoinitialize (no direction, channel 0). */
uint8_t nd_adapter_mode(const DEVICE_DESCRIPTION *desc);
PHYSICAL_ADDRESS nd_hal_map_transfer(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase,
                                     PVOID CurrentVa, PULONG Length, BOOLEAN WriteToDevice);
BOOLEAN nd_hal_flush_adapter_buffers(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase,
                                     PVOID CurrentVa, ULONG Length, BOOLEAN WriteToDevice);

/* ---- commonbuf.c ---- */
PVOID nd_hal_allocate_common_buffer(PDMA_ADAPTER DmaAdapter, ULONG Length,
                                    PPHYSICAL_ADDRESS LogicalAddress, BOOLEAN CacheEnabled);
VOID nd_hal_free_common_buffer(PDMA_ADAPTER DmaAdapter, ULONG Length,
                               PHYSICAL_ADDRESS LogicalAddress, PVOID VirtualAddress,
                               BOOLEAN CacheEnabled);
/* Free every common buffer of @ad; returns how many there were. */
size_t nd_common_free_all(nd_adapter *ad);

#endif /* ND_HAL_HAL_IMPL_H */
