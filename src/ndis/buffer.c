/*
 * NDIS buffers and MDLs: NdisAllocateBufferPool, NdisAllocateBuffer,
 * NdisFreeBuffer, NdisFreeBufferPool, NdisQueryBuffer, NdisQueryBufferSafe,
 * NdisQueryBufferOffset, NdisGetNextBuffer, NdisBufferLength,
 * NdisBufferVirtualAddress, NdisAdjustBufferLength (NDIS 5.1), and
 * NdisAllocateMdl, NdisFreeMdl (NDIS 6).
 *
 * Concept. An NDIS_BUFFER is an MDL (spec N28). NdisAllocateBuffer and
 * NdisAllocateMdl build one with the kernel's IoAllocateMdl and
 * MmBuildMdlForNonPagedPool, so its page-frame array holds the simulated
 * frames of the memory it describes: RAM frames for memory from the NDIS
 * allocators, phantom frames above 4 GiB for host memory a driver owns
 * (stack, malloc), which the HAL therefore bounces (N29).
 *
 * A buffer pool is a real object: it counts the buffers allocated from it
 * against its NumberOfDescriptors (the limit the WDK documents: beyond it
 * NdisAllocateBuffer fails with NDIS_STATUS_FAILURE), and freeing a pool
 * with buffers outstanding is a violation that leaves the pool alive, so
 * that those buffers can still be freed and the pool freed after them.
 * Every buffer and MDL is registered (ndis_mem.h): NdisFreeBuffer and
 * NdisFreeMdl report a stale, foreign or wrong-kind pointer instead of
 * freeing it.
 *
 * The query DDIs work on any MDL (a driver may query MDLs it did not
 * allocate); they check the pointer and the IRQL, and on a thread bound to
 * no machine they refuse (outputs NULL/0) like every other DDI here. In the WDK,
 * NdisQueryBuffer and NdisQueryBufferSafe are macros that accept a pointer
 * to any pointer type for VirtualAddress; <ndis.h> keeps that with a macro
 * of the same name over the function defined here.
 */
#include <stdlib.h>

#include "ndis/ndis_mem.h"
#include "hw/hw.h" /* nd_hw.faults: fault injection */
#include "verify/verify.h"

/* The registered buffer or MDL @mdl, or NULL. */
static nd_ndis_buf *find_buf(nd_ndis_mem *r, PMDL mdl)
{
    void *v = NULL;
    if (r && mdl && nd_u64map_get(&r->bufs, (uintptr_t)mdl, &v))
        return v;
    return NULL;
}

/* An MDL over [@va, @va + @length) with its page-frame array filled, or
   NULL (too long for one MDL, host out of memory). */
static PMDL build_mdl(PVOID va, UINT length)
{
    PMDL mdl = IoAllocateMdl(va, length, FALSE, FALSE, NULL);
    if (mdl)
        MmBuildMdlForNonPagedPool(mdl);
    return mdl;
}

/* IoFreeMdl without a second report: the NDIS DDI that frees has already
   reported a wrong IRQL under its own name, and frees all the same. */
static void free_mdl(PMDL mdl)
{
    KIRQL irql = nd_kernel_irql();
    if (irql > DISPATCH_LEVEL)
        nd_kernel_set_irql(DISPATCH_LEVEL);
    IoFreeMdl(mdl);
    if (irql > DISPATCH_LEVEL)
        nd_kernel_set_irql(irql);
}

/* Register @mdl as @proto; on failure the MDL is freed. */
static bool add_buf(nd_ndis_mem *r, PMDL mdl, const nd_ndis_buf *proto)
{
    nd_ndis_buf *b = malloc(sizeof *b);
    if (b) {
        *b = *proto;
        if (nd_u64map_put(&r->bufs, (uintptr_t)mdl, b) == 0)
            return true;
        free(b);
    }
    IoFreeMdl(mdl);
    return false;
}

/* ---- pools and buffers (NDIS 5.1) ---- */

static VOID ddi_body_NdisAllocateBufferPool(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle,
                                            UINT NumberOfDescriptors)
{
    static const char ddi[] = "NdisAllocateBufferPool";
    nd_kernel *k = nd_kernel_current();
    if (PoolHandle)
        *PoolHandle = NULL;
    if (!k) {
        if (Status)
            *Status = NDIS_STATUS_FAILURE;
        return;
    }
    if (!Status || !PoolHandle) {
        nd_kernel_violation(k, ddi, "%s is NULL", Status ? "PoolHandle" : "Status");
        if (Status)
            *Status = NDIS_STATUS_FAILURE;
        return;
    }
    *Status = NDIS_STATUS_FAILURE;
    if (!nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return;
    if (ND_FAULT_HIT(&nd_kernel_hw(k)->faults, NDISDMA_FAULT_ALLOC_BUFFER_POOL, -1)) {
        *Status = NDIS_STATUS_RESOURCES; /* injected: the WDK's out-of-memory status */
        return;
    }
    nd_ndis_mem *r = nd_ndis_mem_get(k);
    nd_ndis_pool *p = r ? calloc(1, sizeof *p) : NULL;
    if (!p || nd_u64map_put(&r->pools, (uintptr_t)p, p) != 0) {
        free(p);
        *Status = NDIS_STATUS_RESOURCES;
        return;
    }
    p->capacity = NumberOfDescriptors;
    *PoolHandle = p;
    *Status = NDIS_STATUS_SUCCESS;
}

static VOID ddi_body_NdisFreeBufferPool(NDIS_HANDLE PoolHandle)
{
    static const char ddi[] = "NdisFreeBufferPool";
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return;
    nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi);
    nd_ndis_mem *r = nd_kernel_ndis_mem(k);
    void *v = NULL;
    if (!r || !PoolHandle || !nd_u64map_get(&r->pools, (uintptr_t)PoolHandle, &v)) {
        nd_kernel_violation(k, ddi, "%p is not a buffer pool (%s)", PoolHandle,
                            PoolHandle ? "freed twice, or foreign" : "NULL");
        return;
    }
    nd_ndis_pool *p = v;
    if (p->outstanding) {
        nd_kernel_violation(k, ddi,
                            "pool %p still has %u buffers allocated: the pool is not freed "
                            "(free the buffers first)",
                            PoolHandle, p->outstanding);
        return;
    }
    nd_u64map_del(&r->pools, (uintptr_t)PoolHandle);
    free(p);
}

static VOID ddi_body_NdisAllocateBuffer(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer,
                                        NDIS_HANDLE PoolHandle, PVOID VirtualAddress, UINT Length)
{
    static const char ddi[] = "NdisAllocateBuffer";
    nd_kernel *k = nd_kernel_current();
    if (Buffer)
        *Buffer = NULL;
    if (Status)
        *Status = NDIS_STATUS_FAILURE;
    if (!k)
        return;
    if (!Status || !Buffer) {
        nd_kernel_violation(k, ddi, "%s is NULL", Status ? "Buffer" : "Status");
        return;
    }
    if (!nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return;
    nd_ndis_mem *r = nd_kernel_ndis_mem(k);
    void *v = NULL;
    if (!r || !PoolHandle || !nd_u64map_get(&r->pools, (uintptr_t)PoolHandle, &v)) {
        nd_kernel_violation(k, ddi, "PoolHandle %p is not a buffer pool (%s)", PoolHandle,
                            PoolHandle ? "freed, or foreign" : "NULL");
        return;
    }
    if (!VirtualAddress) {
        nd_kernel_violation(k, ddi, "VirtualAddress is NULL");
        return;
    }
    nd_ndis_pool *p = v;
    if (p->outstanding >= p->capacity)
        return; /* the pool's NumberOfDescriptors are all in use: FAILURE, as documented */
    if (ND_FAULT_HIT(&nd_kernel_hw(k)->faults, NDISDMA_FAULT_ALLOC_BUFFER, -1))
        return; /* injected: NDIS_STATUS_FAILURE, *Buffer NULL */
    PMDL mdl = build_mdl(VirtualAddress, Length);
    if (!mdl)
        return;
    nd_ndis_buf b = {.kind = ND_BUF_BUFFER, .pool = p, .length = Length};
    if (!add_buf(r, mdl, &b))
        return;
    p->outstanding++;
    *Buffer = mdl;
    *Status = NDIS_STATUS_SUCCESS;
}

static VOID ddi_body_NdisFreeBuffer(PNDIS_BUFFER Buffer)
{
    static const char ddi[] = "NdisFreeBuffer";
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return;
    nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi);
    nd_ndis_mem *r = nd_kernel_ndis_mem(k);
    nd_ndis_buf *b = find_buf(r, Buffer);
    if (!b || b->kind != ND_BUF_BUFFER) {
        nd_kernel_violation(k, ddi, "%p is not a buffer from NdisAllocateBuffer (%s)",
                            (void *)Buffer,
                            !Buffer ? "NULL"
                            : b     ? "an MDL from NdisAllocateMdl: use NdisFreeMdl"
                                    : "freed twice, or foreign");
        return;
    }
    if (nd_verify_mdl_free_check(k, Buffer, ddi))
        return; /* a DMA transfer is in progress on it: not freed */
    if (Buffer->ByteCount != b->length)
        nd_kernel_violation(k, ddi,
                            "buffer %p freed with length %u: NdisAdjustBufferLength must "
                            "restore the allocated length %u first",
                            (void *)Buffer, Buffer->ByteCount, b->length);
    b->pool->outstanding--;
    nd_u64map_del(&r->bufs, (uintptr_t)Buffer);
    free(b);
    free_mdl(Buffer);
}

/* ---- queries ---- */

/* Checks shared by the queries: a machine, an MDL, the IRQL. */
static bool query_ok(PNDIS_BUFFER Buffer, const char *ddi)
{
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return false; /* unbound thread: refused, nothing to record on */
    if (!Buffer) {
        nd_kernel_violation(k, ddi, "Buffer is NULL");
        return false;
    }
    return nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi) != 0;
}

/* The system-space address of @mdl (every memory is mapped here). */
static PVOID system_address(PNDIS_BUFFER mdl)
{
    if (mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
        return mdl->MappedSystemVa;
    return MmGetMdlVirtualAddress(mdl);
}

static void query(PNDIS_BUFFER Buffer, PVOID *VirtualAddress, PUINT Length, const char *ddi)
{
    if (VirtualAddress)
        *VirtualAddress = NULL;
    if (Length)
        *Length = 0;
    if (!query_ok(Buffer, ddi))
        return;
    if (!Length) {
        nd_kernel *k = nd_kernel_current();
        if (k)
            nd_kernel_violation(k, ddi, "Length is NULL");
        return;
    }
    if (VirtualAddress)
        *VirtualAddress = system_address(Buffer);
    *Length = MmGetMdlByteCount(Buffer);
}

VOID(NdisQueryBuffer)(PNDIS_BUFFER Buffer, PVOID *VirtualAddress, PUINT Length)
{
    query(Buffer, VirtualAddress, Length, "NdisQueryBuffer");
}

VOID(NdisQueryBufferSafe)
(PNDIS_BUFFER Buffer, PVOID *VirtualAddress, PUINT Length, MM_PAGE_PRIORITY Priority)
{
    (void)Priority; /* mapping never fails here */
    query(Buffer, VirtualAddress, Length, "NdisQueryBufferSafe");
}

static VOID ddi_body_NdisQueryBufferOffset(PNDIS_BUFFER Buffer, PUINT Offset, PUINT Length)
{
    static const char ddi[] = "NdisQueryBufferOffset";
    if (Offset)
        *Offset = 0;
    if (Length)
        *Length = 0;
    if (!query_ok(Buffer, ddi))
        return;
    if (!Offset || !Length) {
        nd_kernel *k = nd_kernel_current();
        if (k)
            nd_kernel_violation(k, ddi, "%s is NULL", Offset ? "Length" : "Offset");
        return;
    }
    *Offset = MmGetMdlByteOffset(Buffer);
    *Length = MmGetMdlByteCount(Buffer);
}

static VOID ddi_body_NdisGetNextBuffer(PNDIS_BUFFER CurrentBuffer, PNDIS_BUFFER *NextBuffer)
{
    static const char ddi[] = "NdisGetNextBuffer";
    if (NextBuffer)
        *NextBuffer = NULL;
    if (!query_ok(CurrentBuffer, ddi))
        return;
    if (!NextBuffer) {
        nd_kernel *k = nd_kernel_current();
        if (k)
            nd_kernel_violation(k, ddi, "NextBuffer is NULL");
        return;
    }
    *NextBuffer = CurrentBuffer->Next;
}

static ULONG ddi_body_NdisBufferLength(PNDIS_BUFFER Buffer)
{
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return 0;
    if (!Buffer) {
        nd_kernel_violation(k, "NdisBufferLength", "Buffer is NULL");
        return 0;
    }
    return MmGetMdlByteCount(Buffer); /* any IRQL */
}

static PVOID ddi_body_NdisBufferVirtualAddress(PNDIS_BUFFER Buffer)
{
    if (!query_ok(Buffer, "NdisBufferVirtualAddress"))
        return NULL;
    return system_address(Buffer);
}

static VOID ddi_body_NdisAdjustBufferLength(PNDIS_BUFFER Buffer, UINT Length)
{
    static const char ddi[] = "NdisAdjustBufferLength";
    if (!query_ok(Buffer, ddi))
        return;
    nd_kernel *k = nd_kernel_current();
    nd_ndis_buf *b = k ? find_buf(nd_kernel_ndis_mem(k), Buffer) : NULL;
    if (b && Length > b->length) {
        nd_kernel_violation(k, ddi,
                            "Length %u is larger than the %u bytes the buffer was allocated "
                            "with: not changed",
                            Length, b->length);
        return;
    }
    Buffer->ByteCount = Length;
}

/* ---- MDLs (NDIS 6) ---- */

static PMDL ddi_body_NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, UINT Length)
{
    static const char ddi[] = "NdisAllocateMdl";
    nd_kernel *k = nd_kernel_current();
    if (!k || !nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return NULL;
    nd_mp_adapter *a;
    if (!nd_ndis_mem_handle(k, NdisHandle, ddi, &a))
        return NULL;
    if (!VirtualAddress) {
        nd_kernel_violation(k, ddi, "VirtualAddress is NULL");
        return NULL;
    }
    nd_ndis_mem *r = nd_ndis_mem_get(k);
    if (!r)
        return NULL;
    if (ND_FAULT_HIT(&nd_kernel_hw(k)->faults, NDISDMA_FAULT_ALLOC_MDL, -1))
        return NULL; /* injected: NULL, the WDK's only failure */
    PMDL mdl = build_mdl(VirtualAddress, Length);
    if (!mdl)
        return NULL;
    nd_ndis_buf b = {.kind = ND_BUF_MDL, .adapter = a, .length = Length};
    return add_buf(r, mdl, &b) ? mdl : NULL;
}

static VOID ddi_body_NdisFreeMdl(PMDL Mdl)
{
    static const char ddi[] = "NdisFreeMdl";
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return;
    nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi);
    nd_ndis_mem *r = nd_kernel_ndis_mem(k);
    nd_ndis_buf *b = find_buf(r, Mdl);
    if (!b || b->kind != ND_BUF_MDL) {
        nd_kernel_violation(k, ddi, "%p is not an MDL from NdisAllocateMdl (%s)", (void *)Mdl,
                            !Mdl ? "NULL"
                            : b  ? "a buffer from NdisAllocateBuffer: use NdisFreeBuffer"
                                 : "freed twice, or foreign");
        return;
    }
    if (nd_verify_mdl_free_check(k, Mdl, ddi))
        return; /* a DMA transfer is in progress on it: not freed */
    nd_u64map_del(&r->bufs, (uintptr_t)Mdl);
    free(b);
    free_mdl(Mdl);
}

/* ---- the exported DDIs: the verifier's call bracket around each ---- */

VOID NdisAllocateBufferPool(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle, UINT NumberOfDescriptors)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[3] = {nd_ptr_arg(Status), nd_ptr_arg(PoolHandle),
                              (uint64_t)NumberOfDescriptors};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateBufferPool", 3, args, &sv);
    ddi_body_NdisAllocateBufferPool(Status, PoolHandle, NumberOfDescriptors);
    nd_verify_ddi_leave(k, fast, "NdisAllocateBufferPool", Status ? (int64_t)*Status : 0, &sv);
}

VOID NdisFreeBufferPool(NDIS_HANDLE PoolHandle)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(PoolHandle)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisFreeBufferPool", 1, args, &sv);
    ddi_body_NdisFreeBufferPool(PoolHandle);
    nd_verify_ddi_leave(k, fast, "NdisFreeBufferPool", 0, &sv);
}

VOID NdisAllocateBuffer(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer, NDIS_HANDLE PoolHandle,
                        PVOID VirtualAddress, UINT Length)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[5] = {nd_ptr_arg(Status), nd_ptr_arg(Buffer), nd_ptr_arg(PoolHandle),
                              nd_ptr_arg(VirtualAddress), (uint64_t)Length};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateBuffer", 5, args, &sv);
    ddi_body_NdisAllocateBuffer(Status, Buffer, PoolHandle, VirtualAddress, Length);
    nd_verify_ddi_leave(k, fast, "NdisAllocateBuffer", Status ? (int64_t)*Status : 0, &sv);
}

VOID NdisFreeBuffer(PNDIS_BUFFER Buffer)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(Buffer)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisFreeBuffer", 1, args, &sv);
    ddi_body_NdisFreeBuffer(Buffer);
    nd_verify_ddi_leave(k, fast, "NdisFreeBuffer", 0, &sv);
}

VOID NdisQueryBufferOffset(PNDIS_BUFFER Buffer, PUINT Offset, PUINT Length)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[3] = {nd_ptr_arg(Buffer), nd_ptr_arg(Offset), nd_ptr_arg(Length)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisQueryBufferOffset", 3, args, &sv);
    ddi_body_NdisQueryBufferOffset(Buffer, Offset, Length);
    nd_verify_ddi_leave(k, fast, "NdisQueryBufferOffset", 0, &sv);
}

VOID NdisGetNextBuffer(PNDIS_BUFFER CurrentBuffer, PNDIS_BUFFER *NextBuffer)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {nd_ptr_arg(CurrentBuffer), nd_ptr_arg(NextBuffer)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisGetNextBuffer", 2, args, &sv);
    ddi_body_NdisGetNextBuffer(CurrentBuffer, NextBuffer);
    nd_verify_ddi_leave(k, fast, "NdisGetNextBuffer", 0, &sv);
}

ULONG NdisBufferLength(PNDIS_BUFFER Buffer)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(Buffer)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisBufferLength", 1, args, &sv);
    ULONG r = ddi_body_NdisBufferLength(Buffer);
    nd_verify_ddi_leave(k, fast, "NdisBufferLength", (int64_t)r, &sv);
    return r;
}

PVOID NdisBufferVirtualAddress(PNDIS_BUFFER Buffer)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(Buffer)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisBufferVirtualAddress", 1, args, &sv);
    PVOID r = ddi_body_NdisBufferVirtualAddress(Buffer);
    nd_verify_ddi_leave(k, fast, "NdisBufferVirtualAddress", (int64_t)(r != NULL), &sv);
    return r;
}

VOID NdisAdjustBufferLength(PNDIS_BUFFER Buffer, UINT Length)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {nd_ptr_arg(Buffer), (uint64_t)Length};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAdjustBufferLength", 2, args, &sv);
    ddi_body_NdisAdjustBufferLength(Buffer, Length);
    nd_verify_ddi_leave(k, fast, "NdisAdjustBufferLength", 0, &sv);
}

PMDL NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, UINT Length)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[3] = {nd_ptr_arg(NdisHandle), nd_ptr_arg(VirtualAddress), (uint64_t)Length};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisAllocateMdl", 3, args, &sv);
    PMDL r = ddi_body_NdisAllocateMdl(NdisHandle, VirtualAddress, Length);
    nd_verify_ddi_leave(k, fast, "NdisAllocateMdl", (int64_t)(r != NULL), &sv);
    return r;
}

VOID NdisFreeMdl(PMDL Mdl)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(Mdl)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisFreeMdl", 1, args, &sv);
    ddi_body_NdisFreeMdl(Mdl);
    nd_verify_ddi_leave(k, fast, "NdisFreeMdl", 0, &sv);
}
