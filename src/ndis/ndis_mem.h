/*
 * The NDIS layer's buffers, MDLs and memory (spec N28-N30): the bookkeeping
 * shared by buffer.c (buffer pools, NDIS_BUFFERs, NdisAllocateMdl) and
 * memory.c (NdisAllocateMemory*, shared memory), and the leak counts the
 * machine and the verifier read.
 *
 * Concept. Every object these DDIs hand out is registered, per machine, in
 * one nd_ndis_mem that hangs off the machine's kernel (nd_kernel_ndis_mem;
 * created on first use, freed with the kernel). The registry is what lets
 * a free tell a live object from a stale, foreign or mismatched one and
 * report it (a violation) instead of corrupting memory, and what lets the
 * machine count what a driver leaked:
 *   - blocks: virtual address -> nd_ndis_block, for NdisAllocateMemory,
 *     NdisAllocateMemoryWithTag, NdisAllocateMemoryWithTagPriority and
 *     NdisMAllocateSharedMemory, with the arguments a free must repeat;
 *   - pools: pool handle -> nd_ndis_pool, each counting its buffers;
 *   - bufs: PMDL -> nd_ndis_buf, for NdisAllocateBuffer and NdisAllocateMdl.
 * The memory itself is simulated RAM from the kernel's frame allocator
 * (placed by the machine's policy, N30, or contiguous below an address
 * limit); the MDLs are the kernel's (IoAllocateMdl and
 * MmBuildMdlForNonPagedPool), so their page-frame arrays hold simulated
 * frames, phantom frames above 4 GiB for host memory (N28, N29).
 *
 * One machine, one thread at a time: nothing here is locked.
 */
#ifndef ND_NDIS_NDIS_MEM_H
#define ND_NDIS_NDIS_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ndis.h>

#include "kernel/kernel.h"
#include "kernel/u64map.h"
#include "ndis/ndis_layer.h"

/* Which DDI allocated a block (and which free it needs). */
typedef enum nd_ndis_block_kind {
    ND_BLOCK_MEMORY = 1,   /* NdisAllocateMemory: NdisFreeMemory, same Length and flags */
    ND_BLOCK_MEMORY_TAG,   /* NdisAllocateMemoryWithTag: NdisFreeMemory, same Length, flags 0 */
    ND_BLOCK_TAG_PRIORITY, /* NdisAllocateMemoryWithTagPriority: NdisFreeMemoryWithTagPriority
                              (same Tag) or NdisFreeMemory (flags 0, Length ignored) */
    ND_BLOCK_SHARED        /* NdisMAllocateSharedMemory: NdisMFreeSharedMemory, same arguments */
} nd_ndis_block_kind;

typedef struct nd_ndis_block {
    nd_ndis_block_kind kind;
    UINT length;            /* the Length asked for */
    UINT flags;             /* NDIS_MEMORY_* (ND_BLOCK_MEMORY) */
    ULONG tag;              /* Tag (ND_BLOCK_MEMORY_TAG, ND_BLOCK_TAG_PRIORITY) */
    BOOLEAN cached;         /* Cached (ND_BLOCK_SHARED) */
    uint64_t phys;          /* physical address of the first byte */
    size_t bytes;           /* bytes taken from RAM (whole pages) */
    nd_mp_adapter *adapter; /* the adapter of the handle, or NULL (no handle) */
} nd_ndis_block;

/* A buffer pool (NdisAllocateBufferPool): a real object that counts. */
typedef struct nd_ndis_pool {
    UINT capacity;    /* NumberOfDescriptors */
    UINT outstanding; /* buffers allocated from it and not freed */
} nd_ndis_pool;

typedef enum nd_ndis_buf_kind {
    ND_BUF_BUFFER = 1, /* NdisAllocateBuffer: NdisFreeBuffer */
    ND_BUF_MDL         /* NdisAllocateMdl: NdisFreeMdl */
} nd_ndis_buf_kind;

typedef struct nd_ndis_buf {
    nd_ndis_buf_kind kind;
    nd_ndis_pool *pool;     /* ND_BUF_BUFFER */
    nd_mp_adapter *adapter; /* ND_BUF_MDL */
    UINT length;            /* the Length it was allocated with */
} nd_ndis_buf;

typedef struct nd_ndis_mem {
    nd_kernel *k;
    nd_u64map blocks; /* virtual address -> nd_ndis_block * */
    nd_u64map pools;  /* pool handle -> nd_ndis_pool * */
    nd_u64map bufs;   /* PMDL -> nd_ndis_buf * */
} nd_ndis_mem;

/* The registry of @k, created on first use; NULL for a NULL @k or when the
   host is out of memory. */
nd_ndis_mem *nd_ndis_mem_get(nd_kernel *k);

/*
 * Leak counts (for the machine, the miniport host at halt and unload, and
 * the verifier): what the NDIS buffer and memory DDIs handed out and the
 * driver has not given back yet.
 */
typedef struct nd_ndis_mem_stats {
    uint64_t memory_blocks; /* NdisAllocateMemory, ...WithTag, ...WithTagPriority */
    uint64_t memory_bytes;  /* their Lengths */
    uint64_t shared_blocks; /* NdisMAllocateSharedMemory */
    uint64_t shared_bytes;  /* their Lengths */
    uint64_t pools;         /* buffer pools not freed */
    uint64_t buffers;       /* NdisAllocateBuffer descriptors not freed */
    uint64_t mdls;          /* NdisAllocateMdl MDLs not freed */
} nd_ndis_mem_stats;

/*
 * nd_ndis_memory_outstanding - fill @out with what is outstanding on the
 * machine of @k; with @adapter non-NULL, only what was allocated through
 * that adapter's handle (NdisAllocateMemoryWithTagPriority,
 * NdisMAllocateSharedMemory, NdisAllocateMdl; pools and buffers have no
 * adapter and count 0 then).
 * Returns the total number of objects outstanding (blocks, pools, buffers
 * and MDLs), 0 for a NULL @k. @out may be NULL. Any IRQL, the machine's
 * thread.
 */
uint64_t nd_ndis_memory_outstanding(nd_kernel *k, const nd_mp_adapter *adapter,
                                    nd_ndis_mem_stats *out);

/*
 * nd_ndis_memory_release_adapter - free what was allocated through
 * @adapter's handle and is still outstanding (shared memory, memory from
 * NdisAllocateMemoryWithTagPriority, MDLs from NdisAllocateMdl), for the
 * miniport host when an adapter is halted or its initialisation failed.
 * Records nothing: the caller reports the leak (the return value).
 * Returns the number of objects freed. The machine's thread.
 */
uint64_t nd_ndis_memory_release_adapter(nd_kernel *k, const nd_mp_adapter *adapter);

/*
 * nd_ndis_mem_adapter - the adapter behind MiniportAdapterHandle @h for
 * @ddi on @k (shared memory): NULL @h, an unknown, stale or wrong-kind
 * handle, or an adapter of another machine give NULL and a violation.
 */
nd_mp_adapter *nd_ndis_mem_adapter(nd_kernel *k, NDIS_HANDLE h, const char *ddi);

/*
 * nd_ndis_mem_handle - check "an NDIS handle obtained during the caller's
 * initialisation" (NdisAllocateMemoryWithTagPriority, NdisAllocateMdl): a
 * miniport driver handle (NdisMRegisterMiniportDriver) or adapter handle
 * (MiniportInitializeEx). True and *@adapter (NULL for a driver handle)
 * when it is one; false and a violation naming @ddi otherwise.
 */
bool nd_ndis_mem_handle(nd_kernel *k, NDIS_HANDLE h, const char *ddi, nd_mp_adapter **adapter);

#endif /* ND_NDIS_NDIS_MEM_H */
