/*
 * NDIS memory: NdisAllocateMemory, NdisAllocateMemoryWithTag,
 * NdisAllocateMemoryWithTagPriority, NdisFreeMemory,
 * NdisFreeMemoryWithTagPriority, NdisMAllocateSharedMemory,
 * NdisMFreeSharedMemory; and the per-machine registry of ndis_mem.h.
 *
 * Concept. All of this memory is simulated RAM, so that any of it is
 * DMA-able and has a physical address (N29):
 *   - nonpaged memory (NdisAllocateMemoryWithTag, ...WithTagPriority,
 *     NdisAllocateMemory without NDIS_MEMORY_CONTIGUOUS) is placed by the
 *     machine's placement policy (N30: low, high or scattered), so tests
 *     choose whether the HAL takes the direct path or bounces;
 *   - NDIS_MEMORY_CONTIGUOUS is taken contiguous below
 *     HighestAcceptableAddress, top-down, whatever the policy (as
 *     MmAllocateContiguousMemory); a HighestAcceptableAddress below the top
 *     of RAM is honoured for non-contiguous memory too;
 *   - shared memory of a subordinate-DMA (ISA) adapter is contiguous, below
 *     16 MiB and inside one 64 KiB window when it fits: what the 8237 can
 *     reach in one transfer, as the HAL's AllocateCommonBuffer gives it.
 * Whole pages are taken (the first byte is page-aligned); the contents are
 * not cleared. Caching is not modelled: NDIS_MEMORY_NONCACHED and Cached
 * change nothing but the IRQL rules and what a free must repeat.
 *
 * Every block is registered with the arguments its free must repeat; a
 * free of an unknown address (NULL, freed twice, foreign) is a violation
 * and frees nothing; a free with a mismatched Length, flags, tag, Cached or
 * physical address is a violation and frees the block as it was allocated,
 * so that the driver can go on and the leak count stays exact.
 * Allocations at the wrong IRQL are refused (violation); frees at the wrong
 * IRQL are reported and done. An unbound thread gets a failure and no
 * record (there is no machine to record on).
 */
#include <stdlib.h>

#include "ndis/ndis_impl.h" /* nd_handle_get2: driver or adapter handles */
#include "ndis/ndis_mem.h"
#include "hw/hw.h" /* nd_hw.faults: fault injection */

#define WINDOW_64K (64u * 1024u)

/* ---- the registry ---- */

static void mem_fini(void *state)
{
    nd_ndis_mem *r = state;
    if (!r)
        return;
    nd_u64map *maps[] = {&r->blocks, &r->pools, &r->bufs};
    for (size_t m = 0; m < sizeof maps / sizeof maps[0]; m++) {
        for (size_t i = 0; i < maps[m]->cap; i++) {
            void *v;
            if (nd_u64map_slot(maps[m], i, NULL, &v))
                free(v);
        }
        nd_u64map_free(maps[m]);
    }
    free(r);
}

nd_ndis_mem *nd_ndis_mem_get(nd_kernel *k)
{
    if (!k)
        return NULL;
    nd_ndis_mem *r = nd_kernel_ndis_mem(k);
    if (r)
        return r;
    r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->k = k;
    nd_kernel_set_ndis_mem(k, r, mem_fini);
    return r;
}

bool nd_ndis_mem_handle(nd_kernel *k, NDIS_HANDLE h, const char *ddi, nd_mp_adapter **adapter)
{
    *adapter = NULL;
    if (!h) {
        nd_kernel_violation(k, ddi, "the NDIS handle is NULL");
        return false;
    }
    nd_obj *o = nd_handle_get2(h, ND_KIND_ADAPTER, ND_KIND_DRIVER, ddi);
    if (!o)
        return false;
    if (o->kind != ND_KIND_ADAPTER)
        return true; /* a driver handle */
    nd_mp_adapter *a = (nd_mp_adapter *)o;
    if (nd_mp_adapter_kernel(a) != k) {
        nd_kernel_violation(k, ddi, "handle %p belongs to another machine", h);
        return false;
    }
    *adapter = a;
    return true;
}

nd_mp_adapter *nd_ndis_mem_adapter(nd_kernel *k, NDIS_HANDLE h, const char *ddi)
{
    if (!h) {
        nd_kernel_violation(k, ddi, "the NDIS handle is NULL");
        return NULL;
    }
    nd_mp_adapter *a = nd_ndis_adapter_from_handle(h, ddi);
    if (!a)
        return NULL;
    if (nd_mp_adapter_kernel(a) != k) {
        nd_kernel_violation(k, ddi, "handle %p belongs to another machine", h);
        return NULL;
    }
    return a;
}

uint64_t nd_ndis_memory_outstanding(nd_kernel *k, const nd_mp_adapter *adapter,
                                    nd_ndis_mem_stats *out)
{
    nd_ndis_mem_stats s = {0};
    nd_ndis_mem *r = k ? nd_kernel_ndis_mem(k) : NULL;
    if (r) {
        void *v;
        for (size_t i = 0; i < r->blocks.cap; i++) {
            if (!nd_u64map_slot(&r->blocks, i, NULL, &v))
                continue;
            const nd_ndis_block *b = v;
            if (adapter && b->adapter != adapter)
                continue;
            if (b->kind == ND_BLOCK_SHARED) {
                s.shared_blocks++;
                s.shared_bytes += b->length;
            } else {
                s.memory_blocks++;
                s.memory_bytes += b->length;
            }
        }
        if (!adapter)
            s.pools = r->pools.count;
        for (size_t i = 0; i < r->bufs.cap; i++) {
            if (!nd_u64map_slot(&r->bufs, i, NULL, &v))
                continue;
            const nd_ndis_buf *b = v;
            if (b->kind == ND_BUF_BUFFER && !adapter)
                s.buffers++;
            else if (b->kind == ND_BUF_MDL && (!adapter || b->adapter == adapter))
                s.mdls++;
        }
    }
    if (out)
        *out = s;
    return s.memory_blocks + s.shared_blocks + s.pools + s.buffers + s.mdls;
}

uint64_t nd_ndis_memory_release_adapter(nd_kernel *k, const nd_mp_adapter *adapter)
{
    nd_ndis_mem *r = k ? nd_kernel_ndis_mem(k) : NULL;
    if (!r || !adapter)
        return 0;
    uint64_t n = 0;
    uint64_t key;
    void *v;
    for (size_t i = 0; i < r->blocks.cap; i++) {
        if (!nd_u64map_slot(&r->blocks, i, &key, &v) || ((nd_ndis_block *)v)->adapter != adapter)
            continue;
        nd_ndis_block *b = v;
        nd_kernel_free_nonpaged(k, (void *)(uintptr_t)key, b->bytes,
                                "nd_ndis_memory_release_adapter");
        nd_u64map_del(&r->blocks, key);
        free(b);
        n++;
    }
    for (size_t i = 0; i < r->bufs.cap; i++) {
        if (!nd_u64map_slot(&r->bufs, i, &key, &v))
            continue;
        nd_ndis_buf *b = v;
        if (b->kind != ND_BUF_MDL || b->adapter != adapter)
            continue;
        IoFreeMdl((PMDL)(uintptr_t)key);
        nd_u64map_del(&r->bufs, key);
        free(b);
        n++;
    }
    return n;
}

/* ---- allocation helpers ---- */

static size_t page_bytes(UINT length)
{
    return (size_t)BYTES_TO_PAGES((uint64_t)length) << PAGE_SHIFT;
}

/* Register a block at @va; on failure the memory is given back. */
static bool add_block(nd_ndis_mem *r, void *va, const nd_ndis_block *proto)
{
    nd_ndis_block *b = malloc(sizeof *b);
    if (b) {
        *b = *proto;
        if (nd_u64map_put(&r->blocks, (uintptr_t)va, b) == 0)
            return true;
        free(b);
    }
    nd_kernel_free_nonpaged(r->k, va, proto->bytes, "ndis");
    return false;
}

/*
 * Nonpaged memory of @length bytes below @below (exclusive; 0 = anywhere),
 * placed by the policy when the policy's choice lies below @below, else
 * contiguous below it; @contiguous forces the latter. NULL when there is no
 * such memory.
 */
static void *alloc_ram(nd_kernel *k, UINT length, uint64_t below, bool contiguous, uint64_t *phys)
{
    size_t bytes = page_bytes(length);
    void *va = NULL;
    if (!contiguous) {
        if (nd_kernel_alloc_nonpaged(k, bytes, &va, phys) != 0)
            va = NULL;
        if (va && below && *phys + bytes > below) {
            nd_kernel_free_nonpaged(k, va, bytes, "ndis");
            va = NULL;
        } else if (va) {
            return va;
        }
        if (!below)
            return NULL;
    }
    if (nd_frames_alloc_contiguous(k, bytes >> PAGE_SHIFT, below, 0, phys) != 0)
        return NULL;
    va = nd_kernel_phys_to_va(k, *phys);
    if (!va)
        nd_frames_free(k, *phys, bytes >> PAGE_SHIFT);
    return va;
}

/* Common part of NdisAllocateMemory and NdisAllocateMemoryWithTag. */
static NDIS_STATUS allocate_memory(const char *ddi, PVOID *VirtualAddress, UINT Length,
                                   UINT MemoryFlags, uint64_t highest, nd_ndis_block_kind kind,
                                   ULONG Tag)
{
    nd_kernel *k = nd_kernel_current();
    if (VirtualAddress)
        *VirtualAddress = NULL;
    if (!k)
        return NDIS_STATUS_FAILURE;
    if (!VirtualAddress) {
        nd_kernel_violation(k, ddi, "VirtualAddress is NULL");
        return NDIS_STATUS_FAILURE;
    }
    if (MemoryFlags & ~(UINT)(NDIS_MEMORY_CONTIGUOUS | NDIS_MEMORY_NONCACHED)) {
        nd_kernel_violation(k, ddi, "unknown MemoryFlags 0x%x", MemoryFlags);
        return NDIS_STATUS_FAILURE;
    }
    if (!nd_kernel_irql_at_most(k, MemoryFlags ? PASSIVE_LEVEL : DISPATCH_LEVEL, ddi))
        return NDIS_STATUS_FAILURE;
    if (Length == 0) {
        nd_kernel_violation(k, ddi, "Length is 0");
        return NDIS_STATUS_FAILURE;
    }
    nd_ndis_mem *r = nd_ndis_mem_get(k);
    if (!r)
        return NDIS_STATUS_FAILURE;
    /* Injected pool exhaustion: the WDK's failure, NDIS_STATUS_FAILURE. */
    if (ND_FAULT_HIT(&nd_kernel_hw(k)->faults,
                     kind == ND_BLOCK_MEMORY_TAG ? NDISDMA_FAULT_ALLOC_MEMORY_TAG
                                                 : NDISDMA_FAULT_ALLOC_MEMORY,
                     -1))
        return NDIS_STATUS_FAILURE;
    uint64_t ram = nd_frames_total(k) << PAGE_SHIFT;
    uint64_t below = highest >= ram - 1 ? 0 : highest + 1; /* 0: no limit inside RAM */
    uint64_t phys = 0;
    void *va = alloc_ram(k, Length, below, (MemoryFlags & NDIS_MEMORY_CONTIGUOUS) != 0, &phys);
    if (!va)
        return NDIS_STATUS_FAILURE;
    nd_ndis_block b = {.kind = kind,
                       .length = Length,
                       .flags = MemoryFlags,
                       .tag = Tag,
                       .phys = phys,
                       .bytes = page_bytes(Length)};
    if (!add_block(r, va, &b))
        return NDIS_STATUS_FAILURE;
    *VirtualAddress = va;
    return NDIS_STATUS_SUCCESS;
}

/* The registered block at @va, or NULL after a violation naming @ddi. */
static nd_ndis_block *find_block(nd_kernel *k, nd_ndis_mem *r, PVOID va, const char *ddi)
{
    void *v = NULL;
    if (va && r && nd_u64map_get(&r->blocks, (uintptr_t)va, &v))
        return v;
    nd_kernel_violation(k, ddi, "%p is not memory allocated by NDIS (%s)", va,
                        va ? "freed twice, foreign, or not the start of the block" : "NULL");
    return NULL;
}

static void release_block(nd_ndis_mem *r, PVOID va, nd_ndis_block *b, const char *ddi)
{
    nd_kernel_free_nonpaged(r->k, va, b->bytes, ddi);
    nd_u64map_del(&r->blocks, (uintptr_t)va);
    free(b);
}

/* ---- DDIs ---- */

static NDIS_STATUS ddi_body_NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT Length, ULONG Tag)
{
    return allocate_memory("NdisAllocateMemoryWithTag", VirtualAddress, Length, 0, UINT64_MAX,
                           ND_BLOCK_MEMORY_TAG, Tag);
}

static NDIS_STATUS ddi_body_NdisAllocateMemory(PVOID *VirtualAddress, UINT Length, UINT MemoryFlags,
                                               NDIS_PHYSICAL_ADDRESS HighestAcceptableAddress)
{
    return allocate_memory("NdisAllocateMemory", VirtualAddress, Length, MemoryFlags,
                           (uint64_t)HighestAcceptableAddress.QuadPart, ND_BLOCK_MEMORY, 0);
}

static PVOID ddi_body_NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length,
                                                        ULONG Tag, EX_POOL_PRIORITY Priority)
{
    static const char ddi[] = "NdisAllocateMemoryWithTagPriority";
    (void)Priority; /* memory is never short "for low priority only" here */
    nd_kernel *k = nd_kernel_current();
    if (!k || !nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return NULL;
    nd_mp_adapter *a;
    if (!nd_ndis_mem_handle(k, NdisHandle, ddi, &a))
        return NULL;
    if (Length == 0) {
        nd_kernel_violation(k, ddi, "Length is 0");
        return NULL;
    }
    nd_ndis_mem *r = nd_ndis_mem_get(k);
    if (!r)
        return NULL;
    if (ND_FAULT_HIT(&nd_kernel_hw(k)->faults, NDISDMA_FAULT_ALLOC_MEMORY_TAG_PRIORITY, -1))
        return NULL; /* injected: NULL, the WDK's only failure */
    uint64_t phys = 0;
    void *va = alloc_ram(k, Length, 0, false, &phys);
    if (!va)
        return NULL;
    nd_ndis_block b = {.kind = ND_BLOCK_TAG_PRIORITY,
                       .length = Length,
                       .tag = Tag,
                       .phys = phys,
                       .bytes = page_bytes(Length),
                       .adapter = a};
    return add_block(r, va, &b) ? va : NULL;
}

static VOID ddi_body_NdisFreeMemoryWithTagPriority(NDIS_HANDLE NdisHandle, PVOID VirtualAddress,
                                                   ULONG Tag)
{
    static const char ddi[] = "NdisFreeMemoryWithTagPriority";
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return;
    nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi);
    nd_mp_adapter *a;
    if (!nd_ndis_mem_handle(k, NdisHandle, ddi, &a))
        return;
    nd_ndis_mem *r = nd_kernel_ndis_mem(k);
    nd_ndis_block *b = find_block(k, r, VirtualAddress, ddi);
    if (!b)
        return;
    if (b->kind != ND_BLOCK_TAG_PRIORITY) {
        nd_kernel_violation(k, ddi,
                            "%p was not allocated by NdisAllocateMemoryWithTagPriority: "
                            "not freed",
                            VirtualAddress);
        return;
    }
    if (b->tag != Tag)
        nd_kernel_violation(k, ddi, "Tag 0x%08x, but %p was allocated with Tag 0x%08x", Tag,
                            VirtualAddress, b->tag);
    release_block(r, VirtualAddress, b, ddi);
}

static VOID ddi_body_NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags)
{
    static const char ddi[] = "NdisFreeMemory";
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return;
    nd_ndis_mem *r = nd_kernel_ndis_mem(k);
    nd_ndis_block *b = find_block(k, r, VirtualAddress, ddi);
    if (!b) {
        nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi);
        return;
    }
    if (b->kind == ND_BLOCK_SHARED) {
        nd_kernel_violation(k, ddi, "%p is shared memory: free it with NdisMFreeSharedMemory",
                            VirtualAddress);
        return;
    }
    /* The IRQL rule follows the memory as it was allocated. */
    KIRQL max = (b->flags & NDIS_MEMORY_CONTIGUOUS)  ? PASSIVE_LEVEL
                : (b->flags & NDIS_MEMORY_NONCACHED) ? APC_LEVEL
                                                     : DISPATCH_LEVEL;
    nd_kernel_irql_at_most(k, max, ddi);
    if (b->kind == ND_BLOCK_TAG_PRIORITY) {
        /* NDIS 6: Length is ignored; MemoryFlags must be 0. */
        if (MemoryFlags != 0)
            nd_kernel_violation(k, ddi,
                                "MemoryFlags 0x%x for memory of "
                                "NdisAllocateMemoryWithTagPriority (must be 0)",
                                MemoryFlags);
    } else {
        if (MemoryFlags != b->flags)
            nd_kernel_violation(k, ddi, "MemoryFlags 0x%x, but %p was allocated with 0x%x",
                                MemoryFlags, VirtualAddress, b->flags);
        if (Length != b->length)
            nd_kernel_violation(k, ddi, "Length %u, but %p was allocated with Length %u", Length,
                                VirtualAddress, b->length);
    }
    release_block(r, VirtualAddress, b, ddi);
}

static VOID ddi_body_NdisMAllocateSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length,
                                               BOOLEAN Cached, PVOID *VirtualAddress,
                                               PNDIS_PHYSICAL_ADDRESS PhysicalAddress)
{
    static const char ddi[] = "NdisMAllocateSharedMemory";
    nd_kernel *k = nd_kernel_current();
    if (VirtualAddress)
        *VirtualAddress = NULL;
    if (PhysicalAddress)
        PhysicalAddress->QuadPart = 0;
    if (!k)
        return;
    if (!nd_kernel_irql_at_most(k, PASSIVE_LEVEL, ddi))
        return;
    if (!VirtualAddress || !PhysicalAddress) {
        nd_kernel_violation(k, ddi, "%s is NULL",
                            VirtualAddress ? "PhysicalAddress" : "VirtualAddress");
        return;
    }
    nd_mp_adapter *a = nd_ndis_mem_adapter(k, MiniportAdapterHandle, ddi);
    if (!a)
        return;
    if (Length == 0) {
        nd_kernel_violation(k, ddi, "Length is 0");
        return;
    }
    nd_ndis_mem *r = nd_ndis_mem_get(k);
    if (!r)
        return;
    if (ND_FAULT_HIT(&nd_kernel_hw(k)->faults, NDISDMA_FAULT_ALLOC_SHARED_MEMORY, -1))
        return; /* injected: *VirtualAddress NULL, as on Windows */
    size_t bytes = page_bytes(Length);
    uint64_t phys = 0;
    if (nd_frames_alloc_contiguous(k, bytes >> PAGE_SHIFT, ND_ISA_LIMIT,
                                   Length <= WINDOW_64K ? WINDOW_64K : 0, &phys) != 0)
        return; /* no such memory: NULL, as on Windows */
    void *va = nd_kernel_phys_to_va(k, phys);
    if (!va) {
        nd_frames_free(k, phys, bytes >> PAGE_SHIFT);
        return;
    }
    nd_ndis_block b = {.kind = ND_BLOCK_SHARED,
                       .length = Length,
                       .cached = Cached,
                       .phys = phys,
                       .bytes = bytes,
                       .adapter = a};
    if (!add_block(r, va, &b))
        return;
    *VirtualAddress = va;
    PhysicalAddress->QuadPart = (LONGLONG)phys;
}

static VOID ddi_body_NdisMFreeSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length,
                                           BOOLEAN Cached, PVOID VirtualAddress,
                                           NDIS_PHYSICAL_ADDRESS PhysicalAddress)
{
    static const char ddi[] = "NdisMFreeSharedMemory";
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return;
    nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi);
    nd_mp_adapter *a = nd_ndis_mem_adapter(k, MiniportAdapterHandle, ddi);
    if (!a)
        return;
    nd_ndis_mem *r = nd_kernel_ndis_mem(k);
    nd_ndis_block *b = find_block(k, r, VirtualAddress, ddi);
    if (!b)
        return;
    if (b->kind != ND_BLOCK_SHARED) {
        nd_kernel_violation(k, ddi, "%p was not allocated by NdisMAllocateSharedMemory: not freed",
                            VirtualAddress);
        return;
    }
    if (b->adapter != a)
        nd_kernel_violation(k, ddi, "%p was allocated through another adapter's handle",
                            VirtualAddress);
    if (Length != b->length)
        nd_kernel_violation(k, ddi, "Length %u, but %p was allocated with Length %u", Length,
                            VirtualAddress, b->length);
    if ((uint64_t)PhysicalAddress.QuadPart != b->phys)
        nd_kernel_violation(k, ddi, "PhysicalAddress 0x%llx, but %p is at 0x%llx",
                            (unsigned long long)PhysicalAddress.QuadPart, VirtualAddress,
                            (unsigned long long)b->phys);
    if (!Cached != !b->cached)
        nd_kernel_violation(k, ddi, "Cached %s, but %p was allocated with Cached %s",
                            Cached ? "TRUE" : "FALSE", VirtualAddress,
                            b->cached ? "TRUE" : "FALSE");
    release_block(r, VirtualAddress, b, ddi);
}

/* ---- the exported DDIs: the verifier's call bracket around each ---- */

NDIS_STATUS NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT Length, ULONG Tag)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[3] = {nd_ptr_arg(VirtualAddress), (uint64_t)Length, (uint64_t)Tag};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateMemoryWithTag", 3, args, &sv);
    NDIS_STATUS r = ddi_body_NdisAllocateMemoryWithTag(VirtualAddress, Length, Tag);
    nd_verify_ddi_leave(k, fast, "NdisAllocateMemoryWithTag", (int64_t)r, &sv);
    return r;
}

NDIS_STATUS NdisAllocateMemory(PVOID *VirtualAddress, UINT Length, UINT MemoryFlags,
                               NDIS_PHYSICAL_ADDRESS HighestAcceptableAddress)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[4] = {nd_ptr_arg(VirtualAddress), (uint64_t)Length, (uint64_t)MemoryFlags,
                              (uint64_t)HighestAcceptableAddress.QuadPart};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateMemory", 4, args, &sv);
    NDIS_STATUS r =
        ddi_body_NdisAllocateMemory(VirtualAddress, Length, MemoryFlags, HighestAcceptableAddress);
    nd_verify_ddi_leave(k, fast, "NdisAllocateMemory", (int64_t)r, &sv);
    return r;
}

PVOID NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length, ULONG Tag,
                                        EX_POOL_PRIORITY Priority)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[4] = {nd_ptr_arg(NdisHandle), (uint64_t)Length, (uint64_t)Tag,
                              (uint64_t)Priority};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateMemoryWithTagPriority", 4, args, &sv);
    PVOID r = ddi_body_NdisAllocateMemoryWithTagPriority(NdisHandle, Length, Tag, Priority);
    nd_verify_ddi_leave(k, fast, "NdisAllocateMemoryWithTagPriority", (int64_t)(r != NULL), &sv);
    return r;
}

VOID NdisFreeMemoryWithTagPriority(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, ULONG Tag)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[3] = {nd_ptr_arg(NdisHandle), nd_ptr_arg(VirtualAddress), (uint64_t)Tag};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisFreeMemoryWithTagPriority", 3, args, &sv);
    ddi_body_NdisFreeMemoryWithTagPriority(NdisHandle, VirtualAddress, Tag);
    nd_verify_ddi_leave(k, fast, "NdisFreeMemoryWithTagPriority", 0, &sv);
}

VOID NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[3] = {nd_ptr_arg(VirtualAddress), (uint64_t)Length, (uint64_t)MemoryFlags};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisFreeMemory", 3, args, &sv);
    ddi_body_NdisFreeMemory(VirtualAddress, Length, MemoryFlags);
    nd_verify_ddi_leave(k, fast, "NdisFreeMemory", 0, &sv);
}

VOID NdisMAllocateSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length, BOOLEAN Cached,
                               PVOID *VirtualAddress, PNDIS_PHYSICAL_ADDRESS PhysicalAddress)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[5] = {nd_ptr_arg(MiniportAdapterHandle), (uint64_t)Length, (uint64_t)Cached,
                              nd_ptr_arg(VirtualAddress), nd_ptr_arg(PhysicalAddress)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMAllocateSharedMemory", 5, args, &sv);
    ddi_body_NdisMAllocateSharedMemory(MiniportAdapterHandle, Length, Cached, VirtualAddress,
                                       PhysicalAddress);
    nd_verify_ddi_leave(k, fast, "NdisMAllocateSharedMemory", 0, &sv);
}

VOID NdisMFreeSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length, BOOLEAN Cached,
                           PVOID VirtualAddress, NDIS_PHYSICAL_ADDRESS PhysicalAddress)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[5] = {nd_ptr_arg(MiniportAdapterHandle), (uint64_t)Length, (uint64_t)Cached,
                              nd_ptr_arg(VirtualAddress), (uint64_t)PhysicalAddress.QuadPart};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMFreeSharedMemory", 5, args, &sv);
    ddi_body_NdisMFreeSharedMemory(MiniportAdapterHandle, Length, Cached, VirtualAddress,
                                   PhysicalAddress);
    nd_verify_ddi_leave(k, fast, "NdisMFreeSharedMemory", 0, &sv);
}
