/*
 * MDLs: IoAllocateMdl, IoFreeMdl, MmBuildMdlForNonPagedPool,
 * MmGetSystemAddressForMdlSafe, MmSizeOfMdl, MmGetPhysicalAddress.
 *
 * Concept. An MDL has the WDK's layout: the MDL header, then its PFN array
 * (MmGetMdlPfnArray(Mdl) == (PPFN_NUMBER)(Mdl + 1)). IoAllocateMdl puts the
 * kernel's bookkeeping in front of the header (nd_mdl_block) and registers
 * the MDL with the machine's kernel, so that IoFreeMdl and
 * MmBuildMdlForNonPagedPool can tell a live MDL from a stale or foreign
 * pointer and report it instead of corrupting memory. The MDLs found live
 * are remembered by address (nd_kernel.mdl_seen, see lookup), so that the
 * test made on every DMA transfer is usually one comparison.
 *
 * MmBuildMdlForNonPagedPool fills the PFN array: pages in simulated RAM get
 * their own frame; any other host page (a driver's stack or malloc) gets a
 * phantom frame above 4 GiB (frames.h, spec N29), referenced while the MDL
 * lives. The MDL remembers which phantom frames it holds, because a driver
 * may shorten ByteCount (NdisAdjustBufferLength) or rewrite the array.
 * Every memory is "mapped to system space" here: MappedSystemVa is the
 * MDL's own virtual address.
 *
 * MDL chains are plain Next links, which the DDIs never follow (IoFreeMdl
 * frees one MDL, as on Windows).
 */
#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_impl.h"

static_assert(offsetof(nd_mdl_block, pfn) == offsetof(nd_mdl_block, mdl) + sizeof(MDL),
              "the PFN array must follow the MDL header");

/* Largest MDL whose Size fits the CSHORT Size field. */
#define MDL_MAX_BYTES 0x7FFF

static nd_mdl_block *block_of(PMDL mdl)
{
    return (nd_mdl_block *)((char *)mdl - offsetof(nd_mdl_block, mdl));
}

/* The slot of nd_kernel.mdl_seen for @mdl: address bits above the heap's
   16-byte alignment (MDL blocks are at least 96 bytes apart). */
static size_t seen_slot(PMDL mdl)
{
    return ((uintptr_t)mdl >> 4) & (ND_MDL_SEEN - 1u);
}

/* The block of @mdl if @k knows it; NULL otherwise. The MDLs of the DMA
   transfers come back again and again: one found live is remembered in its
   slot of mdl_seen, and a pointer equal to its slot's entry is live without
   a probe of the map. Equivalent to the map alone: an entry is only ever an
   MDL the map held when it was stored, and IoFreeMdl clears it when it
   frees that MDL, so every entry is live. */
static nd_mdl_block *lookup(nd_kernel *k, PMDL mdl)
{
    if (!k || !mdl)
        return NULL;
    PMDL *seen = &k->mdl_seen[seen_slot(mdl)];
    if (*seen != mdl) {
        if (!nd_u64map_has(&k->mdls, (uintptr_t)mdl))
            return NULL;
        *seen = mdl;
    }
    return block_of(mdl);
}

static void release_held(nd_kernel *k, nd_mdl_block *b)
{
    for (size_t i = 0; i < b->nheld; i++)
        nd_phantom_unref(k, b->held[i]);
    free(b->held);
    b->held = NULL;
    b->nheld = 0;
}

SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length)
{
    size_t pages = (size_t)((BYTE_OFFSET(Base) + (uint64_t)Length + PAGE_SIZE - 1) >> PAGE_SHIFT);
    return sizeof(MDL) + pages * sizeof(PFN_NUMBER);
}

PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota,
                   PIRP Irp)
{
    (void)SecondaryBuffer; /* meaningful only with an IRP */
    (void)ChargeQuota;     /* no quotas */
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return NULL;
    if (!nd_kernel_irql_at_most(k, DISPATCH_LEVEL, "IoAllocateMdl"))
        return NULL;
    if (!VirtualAddress) {
        nd_kernel_violation(k, "IoAllocateMdl", "VirtualAddress is NULL");
        return NULL;
    }
    if (Irp) {
        nd_kernel_violation(k, "IoAllocateMdl", "IRPs are not supported: Irp must be NULL");
        return NULL;
    }
    SIZE_T size = MmSizeOfMdl(VirtualAddress, Length);
    if (size > MDL_MAX_BYTES)
        return NULL; /* too large for one MDL, as on Windows */
    size_t pages = (size - sizeof(MDL)) / sizeof(PFN_NUMBER);
    nd_mdl_block *b = calloc(1, sizeof *b + pages * sizeof(PFN_NUMBER));
    if (!b)
        return NULL;
    b->k = k;
    b->capacity = pages;
    PMDL m = &b->mdl;
    m->Next = NULL;
    m->Size = (CSHORT)size;
    m->MdlFlags = MDL_ALLOCATED_FIXED_SIZE;
    m->Process = NULL;
    m->MappedSystemVa = NULL;
    m->StartVa = (char *)VirtualAddress - BYTE_OFFSET(VirtualAddress); /* PAGE_ALIGN */
    m->ByteOffset = BYTE_OFFSET(VirtualAddress);
    m->ByteCount = Length;
    if (nd_u64map_put(&k->mdls, (uintptr_t)m, b) != 0) {
        free(b);
        return NULL;
    }
    return m;
}

VOID IoFreeMdl(PMDL Mdl)
{
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return;
    nd_kernel_irql_at_most(k, DISPATCH_LEVEL, "IoFreeMdl");
    nd_mdl_block *b = lookup(k, Mdl);
    if (!b) {
        nd_kernel_violation(k, "IoFreeMdl", "%p is not a live MDL from IoAllocateMdl (%s)",
                            (void *)Mdl, Mdl ? "freed twice, or foreign" : "NULL");
        return;
    }
    if (nd_verify_mdl_free_check(k, Mdl, "IoFreeMdl"))
        return; /* a DMA transfer is in progress on it: not freed */
    release_held(k, b);
    nd_u64map_del(&k->mdls, (uintptr_t)Mdl);
    PMDL *seen = &k->mdl_seen[seen_slot(Mdl)];
    if (*seen == Mdl)
        *seen = NULL; /* no longer live */
    free(b);
}

VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList)
{
    nd_kernel *k = nd_kernel_current();
    if (!k)
        return;
    nd_kernel_irql_at_most(k, DISPATCH_LEVEL, "MmBuildMdlForNonPagedPool");
    nd_mdl_block *b = lookup(k, MemoryDescriptorList);
    if (!b) {
        nd_kernel_violation(k, "MmBuildMdlForNonPagedPool",
                            "%p is not a live MDL from IoAllocateMdl",
                            (void *)MemoryDescriptorList);
        return;
    }
    PMDL m = &b->mdl;
    char *va = (char *)MmGetMdlVirtualAddress(m);
    size_t pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, m->ByteCount);
    if (pages > b->capacity) {
        nd_kernel_violation(k, "MmBuildMdlForNonPagedPool",
                            "ByteCount %u spans %zu pages but the MDL holds %zu", m->ByteCount,
                            pages, b->capacity);
        return;
    }
    release_held(k, b); /* a rebuild replaces the previous frames */
    PFN_NUMBER *held = pages ? malloc(pages * sizeof *held) : NULL;
    PPFN_NUMBER pfn = MmGetMdlPfnArray(m);
    char *page = (char *)m->StartVa;
    for (size_t i = 0; i < pages; i++, page += PAGE_SIZE) {
        uint64_t phys;
        if (nd_kernel_va_to_ram(k, page, &phys)) {
            pfn[i] = (PFN_NUMBER)(phys >> PAGE_SHIFT);
        } else if (held && nd_phantom_ref(k, page, &pfn[i]) == 0) {
            held[b->nheld++] = pfn[i];
        } else {
            pfn[i] = 0;
            nd_kernel_violation(k, "MmBuildMdlForNonPagedPool",
                                "out of host memory for the frame of page %p", (void *)page);
        }
    }
    b->held = held;
    m->MappedSystemVa = va;
    m->MdlFlags |= MDL_SOURCE_IS_NONPAGED_POOL;
}

PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority)
{
    (void)Priority; /* nothing to map: never fails for lack of PTEs */
    nd_kernel *k = nd_kernel_current();
    if (!Mdl) {
        nd_kernel_violation(k, "MmGetSystemAddressForMdlSafe", "Mdl is NULL");
        return NULL;
    }
    if (k)
        nd_kernel_irql_at_most(k, DISPATCH_LEVEL, "MmGetSystemAddressForMdlSafe");
    if (Mdl->MdlFlags & (MDL_MAPPED_TO_SYSTEM_VA | MDL_SOURCE_IS_NONPAGED_POOL))
        return Mdl->MappedSystemVa;
    Mdl->MappedSystemVa = MmGetMdlVirtualAddress(Mdl);
    Mdl->MdlFlags |= MDL_MAPPED_TO_SYSTEM_VA;
    return Mdl->MappedSystemVa;
}

PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress)
{
    PHYSICAL_ADDRESS pa;
    pa.QuadPart = 0;
    nd_kernel *k = nd_kernel_current();
    if (!k || !BaseAddress)
        return pa;
    uint64_t phys;
    PFN_NUMBER pfn;
    if (nd_kernel_va_to_ram(k, BaseAddress, &phys))
        pa.QuadPart = (LONGLONG)phys;
    else if (nd_phantom_lookup(k, BaseAddress, &pfn))
        pa.QuadPart = (LONGLONG)(((uint64_t)pfn << PAGE_SHIFT) | BYTE_OFFSET(BaseAddress));
    return pa;
}

int nd_kernel_mdl_is_live(nd_kernel *k, PMDL mdl)
{
    return lookup(k, mdl) != NULL;
}

void nd_mdl_fini(nd_kernel *k)
{
    for (size_t i = 0; i < k->mdls.cap; i++) {
        void *v;
        if (!nd_u64map_slot(&k->mdls, i, NULL, &v))
            continue;
        nd_mdl_block *b = v;
        free(b->held);
        free(b);
    }
    nd_u64map_free(&k->mdls);
    memset(k->mdl_seen, 0, sizeof k->mdl_seen);
}
