/*
 * Internals of the miniport host and the system-DMA DDIs (src/ndis), shared
 * by their files only. The buffers part has its own header.
 *
 * Concept. One nd_ndis per machine holds the drivers loaded, the handle
 * registry and, per 8237 channel, the DMA block that registered it (N6).
 * Every object NDIS hands to a driver as a handle (driver, adapter, DMA
 * channel, interrupt, timer, NBL and NB pool) starts with an nd_obj and is entered into the
 * registry, keyed by its address: a handle is only dereferenced after the
 * registry knows it, so an unknown, stale or wrong-kind handle gives a
 * violation, never a crash. An adapter keeps lists of what its driver
 * registered on it, so that a failed initialisation or a halt can release
 * and report what the driver left behind.
 *
 * The NDIS DDIs take no machine: they find nd_ndis through the calling
 * thread's kernel (nd_kernel_current, nd_kernel_ndis). One machine is used
 * by one thread at a time, so nothing here is locked.
 */
#ifndef ND_NDIS_NDIS_IMPL_H
#define ND_NDIS_NDIS_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include <ndisdma/host.h>
#include <ndisdma/netif.h>

#include "kernel/clock.h"
#include "kernel/interrupt.h"
#include "kernel/u64map.h"
#include "ndis/ndis_layer.h"
#include "verify/verify.h"

/* The WDK's DRIVER_OBJECT is opaque to miniports; this is the part ndisdma
   fills (the WDK's leading fields). */
struct _DRIVER_OBJECT {
    CSHORT Type;
    CSHORT Size;
    PDEVICE_OBJECT DeviceObject;
    ULONG Flags;
    PVOID DriverStart;
    ULONG DriverSize;
    PVOID DriverSection;
    PVOID DriverExtension;
    UNICODE_STRING DriverName;
    PUNICODE_STRING HardwareDatabase;
    PVOID FastIoDispatch;
    PDRIVER_INITIALIZE DriverInit;
    PVOID DriverStartIo;
    PDRIVER_UNLOAD DriverUnload;
};

#define ND_OBJ_MAGIC 0x4E444953u /* "NDIS" */

typedef enum nd_kind {
    ND_KIND_DRIVER = 1,
    ND_KIND_ADAPTER,
    ND_KIND_DMA,
    ND_KIND_INTERRUPT,
    ND_KIND_TIMER,
    ND_KIND_NBL_POOL, /* NdisAllocateNetBufferListPool (nbl.c) */
    ND_KIND_NB_POOL,  /* NdisAllocateNetBufferPool (nbl.c) */
    ND_KIND_COUNT     /* one more than the last kind */
} nd_kind;

typedef struct nd_obj {
    uint32_t magic;
    nd_kind kind;
} nd_obj;

typedef struct nd_dma_block nd_dma_block;
typedef struct nd_mp_interrupt nd_mp_interrupt;
typedef struct nd_mp_timer nd_mp_timer;
typedef struct nd_port_range nd_port_range;
typedef struct nd_nbl_pool nd_nbl_pool;

#define ND_NBL_CACHE    64 /* sets of nd_ndis.nbl_cache, a power of two */
#define ND_HANDLE_CACHE 8  /* sets of nd_ndis.cache, a power of two */
#define ND_HANDLE_WAYS  2  /* entries per set */

static inline unsigned nd_handle_slot(uintptr_t h)
{
    return (unsigned)((h >> 4) ^ (h >> 10)) & (ND_HANDLE_CACHE - 1);
}

/* The handle of an empty nd_ndis.hot entry: no object has that address. */
#define ND_HANDLE_NONE UINTPTR_MAX

/* One entry of the handle cache (handle 0: empty). */
typedef struct nd_handle_entry {
    uintptr_t handle;
    struct nd_obj *obj;
} nd_handle_entry;

struct nd_ndis {
    nd_kernel *k;
    nd_hal *hal;
    nd_u64map handles; /* object address -> nd_obj * */
    /* Lookup cache of live handles (0 = empty entry): a driver's data path
       uses a few handles (adapter, DMA channel, interrupt, timer, pools)
       over and over. Set by handle address bits, two entries per set so
       that two handles of one set (heap addresses decide) both stay; a
       miss puts its handle first and keeps the previous first entry as the
       second. nd_handle_del clears an entry. */
    nd_handle_entry cache[ND_HANDLE_CACHE][ND_HANDLE_WAYS];
    /* In front of the cache, per kind, the handle of that kind found last
       (ND_HANDLE_NONE = none, so that NULL matches no entry): a DDI asks for one kind, known where
       it is called, so its usual lookup is one compare, with no set to compute and no kind to test
       (an entry of hot[K] is only ever an object of kind K). nd_handle_del clears it like the
       cache. */
    nd_handle_entry hot[ND_KIND_COUNT];
    nd_u64map dead;              /* freed handle -> its nd_kind (stale-handle reports) */
    ndisdma_driver *drivers;     /* loaded drivers */
    nd_dma_block *chan_owner[8]; /* N6: the DMA block holding each channel */
    uint64_t loads;              /* drivers loaded so far (names the registry path) */
    /* the data path (nbl.c) */
    nd_nbl_pool *pools; /* every NBL and NB pool not freed */
    nd_u64map nbls;     /* NBL address -> its nd_nbl_item, for every NBL a pool made */
    /* Lookup cache in front of nbls (nbl.h: nd_nbl_find), by NBL address
       bits, one entry per set ({0, NULL} = empty). An NBL is looked up
       at each hand-over (send, completion, indication, return, the frame
       pool's put), so the NBLs in flight are looked up again soon. It
       holds only items still in nbls (free_nbl_item clears their entry). */
    struct nd_nbl_entry {
        uintptr_t nbl;
        struct nd_nbl_item *item;
    } nbl_cache[ND_NBL_CACHE];
    nd_u64map nbs; /* NB address -> its nd_nb_item (NB pools) */
};

/*
 * The NDIS 6 data path of one adapter (datapath.c): its NDIS state, the
 * protocol the host bound, the operations pending on the miniport and the
 * counts of NBLs outside NDIS. Every field is the machine thread's.
 */
typedef struct nd_datapath {
    ndisdma_adapter_state state; /* 0 until MiniportInitializeEx succeeded */
    ndisdma_protocol proto;      /* bound callbacks (all NULL: none) */
    void *proto_ctx;
    ndisdma_netif_stats stats;
    uint64_t with_miniport; /* NBLs sent and not completed */
    uint64_t with_host;     /* NBLs indicated (without RESOURCES) and not returned */
    bool pause_pending, restart_pending, reset_pending, oid_pending;
    NDIS_STATUS restart_status;
    NDIS_STATUS reset_status; /* NdisMResetComplete's Status and AddressingReset */
    BOOLEAN reset_addressing;
    PNDIS_OID_REQUEST oid;  /* the request MiniportOidRequest has (pended), or NULL */
    NDIS_STATUS oid_status; /* NdisMOidRequestComplete's status for it */
    NDIS_OID_REQUEST req;   /* the request of ndisdma_adapter_query / _set */
    struct ndisdma_frame_pool *frame_pools; /* frame pools built on the adapter */
} nd_datapath;

typedef enum nd_adapter_state {
    ND_ADAPTER_INITIALIZING = 1,
    ND_ADAPTER_STARTED,
    ND_ADAPTER_HALTING,
} nd_adapter_state;

struct ndisdma_driver {
    nd_obj obj; /* ND_KIND_DRIVER: the NdisMiniportDriverHandle */
    nd_ndis *n;
    ndisdma_driver *next;
    DRIVER_OBJECT drvobj;
    UNICODE_STRING regpath;
    WCHAR regbuf[96];
    bool in_entry;   /* inside DriverEntry */
    bool registered; /* NdisMRegisterMiniportDriver succeeded, not deregistered */
    bool handle_live;
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars;
    NDIS_HANDLE context; /* MiniportDriverContext */
    nd_mp_adapter *adapters;
    nd_mp_timer *timers;     /* timers allocated on the driver handle */
    struct nd_drv_ext *exts; /* IoAllocateDriverObjectExtension areas */
};

/* One driver-object extension (driver.c). */
typedef struct nd_drv_ext {
    struct nd_drv_ext *next;
    PVOID id; /* ClientIdentificationAddress */
    _Alignas(16) unsigned char area[];
} nd_drv_ext;

struct nd_mp_adapter {
    nd_obj obj; /* ND_KIND_ADAPTER: the NdisMiniportHandle */
    nd_ndis *n;
    ndisdma_driver *drv;
    nd_mp_adapter *next; /* driver's list */
    nd_adapter_state state;
    ndisdma_resources res;
    PDEVICE_OBJECT pdo; /* for IoGetDmaAdapter */
    struct {
        CM_PARTIAL_RESOURCE_LIST list;          /* one descriptor inside ... */
        CM_PARTIAL_RESOURCE_DESCRIPTOR more[2]; /* ... and up to two more */
    } resources;
    NDIS_MINIPORT_INIT_PARAMETERS init;
    bool reg_attrs;
    bool gen_attrs;
    NDIS_HANDLE context; /* MiniportAdapterContext */
    ULONG attribute_flags;
    NDIS_INTERFACE_TYPE interface_type;
    nd_dma_block *dmas;
    nd_mp_interrupt *interrupt;
    nd_mp_timer *timers;
    nd_port_range *ports;
    nd_datapath dp;
};

/* The public adapter is the internal one. */
struct ndisdma_adapter {
    nd_mp_adapter mp;
};

struct nd_dma_block {
    nd_obj obj; /* ND_KIND_DMA: the MiniportDmaHandle */
    nd_mp_adapter *a;
    nd_dma_block *next; /* adapter's list */
    PDMA_ADAPTER adapter;
    PDMA_OPERATIONS ops;
    PVOID map_base;
    ULONG nregs;
    ULONG max_length; /* MaximumLength, 0xFFFFFFFF clamped to one 8237 transfer (N4, N12) */
    unsigned channel;
    bool granted;
    /* the transfer in progress (N10-N21) */
    bool in_progress;
    PMDL mdl;
    ULONG offset, length;
    BOOLEAN write;
    PVOID va;
    bool poisoned;  /* the verifier poisoned the receive range at Setup */
    uint8_t *saved; /* the range as it was before the poison (restored where not received) */
};

/* The verifier's MDL hook (dma.c): true when @mdl is the buffer of a
   transfer in progress on one of @ctx's (an nd_ndis) DMA channels. */
bool nd_dma_mdl_busy(void *ctx, const void *mdl);

/* The verifier's port hook (dma.c): report a driver write to @port that
   reprograms a channel an NDIS DMA block owns (PORT_REPROGRAM). */
void nd_dma_port_check(nd_ndis *n, uint16_t port, uint8_t value, const char *ddi);

struct nd_mp_interrupt {
    nd_obj obj; /* ND_KIND_INTERRUPT */
    nd_mp_adapter *a;
    nd_kernel *k; /* a->n->k, kept for the ISR (one load where three were) */
    NDIS_HANDLE context;
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS chars;
    nd_interrupt *ki;
    nd_dpc dpc;
};

struct nd_mp_timer {
    nd_obj obj; /* ND_KIND_TIMER */
    nd_ndis *n;
    nd_mp_timer *next;   /* owner's list */
    nd_mp_adapter *a;    /* owner: an adapter ... */
    ndisdma_driver *drv; /* ... or a driver */
    NDIS_TIMER_CHARACTERISTICS chars;
    nd_event ev;
    nd_dpc dpc;
    uint64_t period_ns;
    PVOID context;
};

struct nd_port_range {
    nd_port_range *next;
    UINT first, count;
};

/* ---- ndis.c: the layer and its handle registry ---- */
/* The NDIS layer of the calling thread's machine, or NULL (unbound). */
nd_ndis *nd_ndis_current(void);
/* Enter @o (of @kind) into the registry; 0 or NDISDMA_ENOMEM. */
int nd_handle_add(nd_ndis *n, nd_obj *o, nd_kind kind);
/* Remove @o; its memory may then be freed. */
void nd_handle_del(nd_ndis *n, nd_obj *o);
/* The object behind @h if it is a live handle of @kind on the calling
   thread's machine; otherwise NULL and a violation naming @ddi. */
nd_obj *nd_handle_get(NDIS_HANDLE h, nd_kind kind, const char *ddi);
/* Either kind (@a or @b), for DDIs that take a driver or adapter handle. */
nd_obj *nd_handle_get2(NDIS_HANDLE h, nd_kind a, nd_kind b, const char *ddi);
/* IRQL check that records a violation naming @ddi: current IRQL must be
   exactly @level (PASSIVE DDIs) or at most @level. */
bool nd_irql_is(nd_kernel *k, KIRQL level, const char *ddi);

/* ---- miniport.c ---- */
/* Release what @a still holds, reporting each item with @when in the
   message ("after a failed MiniportInitializeEx", "after MiniportHaltEx"). */
void nd_adapter_release_leftovers(nd_mp_adapter *a, const char *when);
/* Stop an adapter (halt, leftovers, free). */
void nd_adapter_stop(nd_mp_adapter *a);

/* ---- driver.c ---- */
void nd_driver_unload(ndisdma_driver *drv);

/* ---- dma.c ---- */
/* Release a DMA block (mask, free the channel, put the adapter). */
void nd_dma_release(nd_dma_block *b);

/* ---- interrupt.c ---- */
void nd_interrupt_release(nd_mp_interrupt *i);

/* ---- nbl.c ---- */
/* Free every pool @owner (a driver or adapter object) still has, with its
   NBLs and NBs, reporting each (POOL_OUTSTANDING) with @when. */
void nd_pools_release_owner(nd_ndis *n, const nd_obj *owner, const char *when);
/* Free every pool left (machine teardown; no report). */
void nd_pools_free_all(nd_ndis *n);

/* ---- datapath.c ---- */
/* After MiniportInitializeEx succeeded: the adapter is Paused; restart it
   (MiniportRestart, waited for). The thread is bound, PASSIVE_LEVEL. */
void nd_datapath_started(nd_mp_adapter *a);
/* Before MiniportHaltEx: pause a Running adapter, report NBLs still out,
   free the host's frame pools left on it. */
void nd_datapath_before_halt(nd_mp_adapter *a);

/* ---- framepool.c ---- */
/* Free what frame pool @p holds on its adapter (before the halt: the host
   did not destroy it); @p itself stays for ndisdma_frame_pool_destroy. */
void nd_frame_pool_orphan(struct ndisdma_frame_pool *p);

/* ---- timer.c ---- */
/* Cancel and free @t (unlinks it from its owner). */
void nd_timer_release(nd_mp_timer *t);

#endif /* ND_NDIS_NDIS_IMPL_H */
