/*
 * MapTransfer and FlushAdapterBuffers for subordinate (system) DMA.
 *
 * Concept (N14, N17, N19): MapTransfer programs the adapter's 8237 channel
 * for one transfer of the caller's buffer, described by an MDL and a
 * CurrentVa inside it. It goes direct - the controller works on the
 * buffer's own frames - when the range is physically contiguous, in RAM,
 * below 16 MiB and inside one 64 KiB window (channels 0-3) or 128 KiB window
 * (channels 5-7; there also word-aligned and a whole number of words).
 * Otherwise the transfer is bounced through the adapter's map registers:
 * for a write to the device the data is copied into them now; for a read
 * from the device FlushAdapterBuffers copies back exactly the bytes the
 * controller moved, and never anything of a direct transfer. The mapped
 * length is the shortest of the caller's Length, the rest of the current
 * MDL, one 8237 transfer (65,536 units) and what the map registers cover
 * (their pages minus the first byte's page offset); *Length returns it.
 *
 * Caller data is reached page by page through the MDL's frames: frames in
 * simulated RAM through RAM, other (host-memory) frames through the virtual
 * address, which the kernel keeps valid for them.
 *
 * The "still moving" test of the flush (N19) looks at the channel's mask
 * bit and DREQ line through the hardware's side-effect-free accessors
 * (nd_hw_dma_masked / nd_hw_dma_dreq; the whole snapshot,
 * nd_hw_dma_get_channel, only for a 65,536-unit transfer): the 8237 has no
 * readable mask register, and reading the status register would clear the
 * TC bits a driver may poll. Everything the HAL changes goes through the
 * ports.
 *
 * Entry points: the table's MapTransfer and FlushAdapterBuffers and the
 * _live entries (hal.h), which NDIS calls directly, share one body each
 * (map_checked, flush_checked); a _live entry leaves out the checks its
 * caller has just made or guarantees (IRQL, live MDL, the range, a live
 * adapter holding its channel with its registers' base, a flush with the
 * mapping's own arguments), which could make no report there.
 *
 * Autoinitialize: a ring should live in a common buffer (direct), as on
 * Windows. Bounced, the data is copied in once at MapTransfer, and the flush
 * of a receive copies back the part of the current lap that moved.
 */
#include <string.h>

#include "hal/hal_impl.h"

#include "hw/hw_regs.h"

static uint8_t *mdl_start(PMDL mdl)
{
    return (uint8_t *)MmGetMdlVirtualAddress(mdl);
}

/* Frame number of the page holding @va (inside @mdl). */
static PFN_NUMBER mdl_pfn(PMDL mdl, const uint8_t *va)
{
    uintptr_t idx = ((uintptr_t)va - (uintptr_t)mdl->StartVa) >> PAGE_SHIFT;
    return MmGetMdlPfnArray(mdl)[idx];
}

static uint64_t mdl_phys(PMDL mdl, const uint8_t *va)
{
    return (uint64_t)mdl_pfn(mdl, va) << PAGE_SHIFT | BYTE_OFFSET(va);
}

/* Host pointer of the byte at @va: through RAM for RAM frames. */
static uint8_t *mdl_ptr(nd_kernel *k, PMDL mdl, uint8_t *va)
{
    uint8_t *p = nd_kernel_phys_to_va(k, mdl_phys(mdl, va));
    return p ? p : va;
}

/* Copy @len bytes between the MDL range at @va and @buf. */
static void mdl_copy(nd_kernel *k, PMDL mdl, uint8_t *va, uint8_t *buf, size_t len, bool to_mdl)
{
    while (len > 0) {
        size_t chunk = PAGE_SIZE - BYTE_OFFSET(va);
        if (chunk > len)
            chunk = len;
        uint8_t *p = mdl_ptr(k, mdl, va);
        if (to_mdl)
            memcpy(p, buf, chunk);
        else
            memcpy(buf, p, chunk);
        va += chunk;
        buf += chunk;
        len -= chunk;
    }
}

/* True when [@va, @va + @len) of @mdl can be programmed directly. */
static bool direct_ok(const nd_adapter *ad, PMDL mdl, uint8_t *va, uint32_t len, uint64_t *phys_out)
{
    nd_kernel *k = ad->hal->k;
    uint64_t first = mdl_phys(mdl, va);
    PFN_NUMBER pfn0 = mdl_pfn(mdl, va);
    size_t pages = ADDRESS_AND_SIZE_TO_SPAN_PAGES(va, len);
    uintptr_t idx0 = ((uintptr_t)va - (uintptr_t)mdl->StartVa) >> PAGE_SHIFT;
    const PFN_NUMBER *pfn = MmGetMdlPfnArray(mdl);
    for (size_t i = 1; i < pages; i++)
        if (pfn[idx0 + i] != pfn0 + i)
            return false;
    uint64_t last = first + len - 1;
    if (last >= ND_HAL_ISA_LIMIT)
        return false;
    unsigned wshift = 16u + ad->shift;
    if (first >> wshift != last >> wshift)
        return false;
    if (ad->shift && ((first & 1u) || (len & 1u)))
        return false;
    if (!nd_kernel_phys_to_va(k, first) || !nd_kernel_phys_to_va(k, last))
        return false;
    *phys_out = first;
    return true;
}

static const char map_ddi[] = "MapTransfer";

static inline PHYSICAL_ADDRESS map_checked(nd_adapter *ad, PMDL Mdl, PVOID MapRegisterBase,
                                           PVOID CurrentVa, ULONG want, PULONG Length,
                                           BOOLEAN WriteToDevice, bool live)
    __attribute__((always_inline));

uint8_t nd_adapter_mode(const DEVICE_DESCRIPTION *desc)
{
    uint8_t mode = desc->DemandMode ? MODE_DEMAND : MODE_SINGLE;
    if (desc->AutoInitialize)
        mode |= MODE_AUTOINIT;
    return mode;
}

/* The mode register value of a transfer (channel bits 0): the adapter's
   mode bits (nd_adapter_mode of its description, kept at creation) and the
   direction. */
static uint8_t mode_bits(const nd_adapter *ad, BOOLEAN write_to_device)
{
    return (uint8_t)(ad->mode | (write_to_device ? MODE_TYPE_READ : MODE_TYPE_WRITE));
}

/*
 * MapTransfer (DMA_OPERATIONS) - program the adapter's channel for a transfer
 * of [CurrentVa, CurrentVa + *Length) of @Mdl and unmask it.
 * @MapRegisterBase: the base the execution routine received (NULL when no
 *   registers were allocated: then only direct transfers can be mapped).
 * @Length: in, bytes wanted; out, bytes mapped (possibly fewer, see the
 *   concept note); 0 when nothing was mapped.
 * @WriteToDevice: TRUE memory -> device (8237 read transfer), FALSE
 *   device -> memory (8237 write transfer).
 * Returns the logical (physical) address the controller was programmed with,
 * 0 when nothing was mapped. Reported and refused (nothing programmed): wrong
 * IRQL, NULL arguments, an adapter that does not hold its channel, CurrentVa
 * outside the MDL, Length 0, a foreign MapRegisterBase, a transfer that needs
 * map registers without any, an MDL that IoAllocateMdl did not hand out or
 * that was freed. Length running past the MDL is reported and
 * clamped. IRQL: <= DISPATCH_LEVEL. The caller keeps owning the MDL and the
 * buffer until FlushAdapterBuffers.
 */
PHYSICAL_ADDRESS nd_hal_map_transfer(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase,
                                     PVOID CurrentVa, PULONG Length, BOOLEAN WriteToDevice)
{
    const char *const ddi = map_ddi;
    PHYSICAL_ADDRESS ret;
    ret.QuadPart = 0;
    nd_adapter *ad = nd_adapter_from(DmaAdapter, ddi);
    if (!ad)
        return ret;
    nd_hal *h = ad->hal;
    nd_kernel *k = h->k;
    if (!Length) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi, "Length is NULL");
        return ret;
    }
    ULONG want = *Length;
    *Length = 0;
    if (!nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return ret;
    if (!Mdl || !CurrentVa) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi, "%s is NULL",
                         Mdl ? "CurrentVa" : "Mdl");
        return ret;
    }
    if (!nd_kernel_mdl_is_live(k, Mdl)) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                         "Mdl %p is not a live MDL (IoAllocateMdl)", (void *)Mdl);
        return ret;
    }
    return map_checked(ad, Mdl, MapRegisterBase, CurrentVa, want, Length, WriteToDevice, false);
}

PHYSICAL_ADDRESS nd_hal_map_transfer_live(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase,
                                          PVOID CurrentVa, PULONG Length, BOOLEAN WriteToDevice)
{
    /* The caller checked the IRQL, that Mdl is live and the range, and
       passes a live adapter that holds its channel and the base of its map
       registers (see hal.h); the check left is MapTransfer's CurrentVa. */
    PHYSICAL_ADDRESS ret;
    ret.QuadPart = 0;
    nd_adapter *ad = nd_adapter_live(DmaAdapter);
    ULONG want = *Length;
    *Length = 0;
    if (!CurrentVa) {
        nd_verify_report(ad->hal->k, NDISDMA_RULE_HAL_CONTRACT, map_ddi, "CurrentVa is NULL");
        return ret;
    }
    return map_checked(ad, Mdl, MapRegisterBase, CurrentVa, want, Length, WriteToDevice, true);
}

/* MapTransfer's checks of the adapter's state and of its arguments, in its
   order: the adapter holds its channel, MapRegisterBase is a run of its
   (*@regs: that run, NULL for a NULL base), and the range [@va, @va +
   @want) is inside @Mdl, not empty, and not past its end (clamped,
   reported). False when refused (reported); else *@len is the length to
   map. */
static bool map_args_ok(nd_adapter *ad, PMDL Mdl, PVOID MapRegisterBase, uint8_t *va, ULONG want,
                        nd_mapreg **regs, uint32_t *len)
{
    const char *const ddi = map_ddi;
    nd_hal *h = ad->hal;
    nd_kernel *k = h->k;
    if (h->chan[ad->channel].owner != ad) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                         "the adapter of channel %u does not hold its adapter channel "
                         "(AllocateAdapterChannel first)",
                         ad->channel);
        return false;
    }
    *regs = NULL;
    if (MapRegisterBase) {
        *regs = nd_mapreg_find(h, ad, MapRegisterBase);
        if (!*regs) {
            nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                             "MapRegisterBase %p is not held by the adapter of channel %u",
                             MapRegisterBase, ad->channel);
            return false;
        }
    }
    uint8_t *start = mdl_start(Mdl);
    uintptr_t off = (uintptr_t)va - (uintptr_t)start;
    if ((uintptr_t)va < (uintptr_t)start || off >= Mdl->ByteCount) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                         "CurrentVa %p is outside the MDL [%p, +%u)", (void *)va, (void *)start,
                         (unsigned)Mdl->ByteCount);
        return false;
    }
    if (want == 0) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi, "Length is 0");
        return false;
    }
    *len = want;
    if ((uint64_t)off + want > Mdl->ByteCount) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                         "Length %u runs past the end of the MDL (%u bytes left); "
                         "an MDL chain is mapped one MDL at a time",
                         (unsigned)want, (unsigned)(Mdl->ByteCount - off));
        *len = (uint32_t)(Mdl->ByteCount - off);
    }
    return true;
}

/* MapTransfer after the checks of its arguments' validity (adapter, Length,
   IRQL, NULL pointers, live MDL): the rest of its checks and its work.
   @want: the bytes asked for; *@Length is 0 and receives the bytes mapped.
   @live: the caller keeps the _live contract (hal.h): the adapter holds
   its channel, MapRegisterBase is the base its execution routine received
   (a run of its, or NULL), and the range is inside the MDL; so
   map_args_ok's checks, which could find nothing, are not made.
   Inlined into both entries (one body in the source): the _live entry's
   copy has @live constant, and neither pays an eight-argument call. */
static inline PHYSICAL_ADDRESS map_checked(nd_adapter *ad, PMDL Mdl, PVOID MapRegisterBase,
                                           PVOID CurrentVa, ULONG want, PULONG Length,
                                           BOOLEAN WriteToDevice, bool live)
{
    const char *const ddi = map_ddi;
    PHYSICAL_ADDRESS ret;
    ret.QuadPart = 0;
    nd_hal *h = ad->hal;
    nd_kernel *k = h->k;
    /* A run's base is the run (nd_mapreg_find), so the live base is its
       registers. */
    nd_mapreg *regs = MapRegisterBase;
    uint8_t *va = CurrentVa;
    uint32_t len = want;
    if (!live && !map_args_ok(ad, Mdl, MapRegisterBase, va, want, &regs, &len))
        return ret;
    uint32_t window = nd_adapter_window(ad);
    if (len > window)
        len = window; /* one 8237 transfer: 65,536 units */

    uint64_t phys = 0;
    bool bounced = !direct_ok(ad, Mdl, va, len, &phys);
    uint32_t prog = len; /* bytes the controller will move */
    if (bounced) {
        if (!regs) {
            nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                             "the range at %p (%u bytes) cannot be reached directly by "
                             "channel %u and no map registers were allocated",
                             CurrentVa, (unsigned)len, ad->channel);
            return ret;
        }
        uint64_t cover = (uint64_t)regs->count * PAGE_SIZE - BYTE_OFFSET(va);
        uint64_t room = (uint64_t)regs->count * PAGE_SIZE;
        if (room > window)
            room = window;
        if (len > cover)
            len = (uint32_t)cover;
        if (len > room)
            len = (uint32_t)room;
        prog = len;
        if (ad->shift && (len & 1u)) {
            if (len + 1u <= room)
                prog = len + 1u; /* whole words: one pad byte */
            else
                prog = --len;
        }
        phys = regs->phys;
        if (WriteToDevice) {
            mdl_copy(k, Mdl, va, regs->va, len, false);
            if (prog > len)
                regs->va[len] = 0;
        }
    }
    uint32_t units = prog >> ad->shift;

    /* The mapping is recorded before the controller is programmed rather
       than after: only the HAL reads it, and no HAL code runs inside the
       port sequence (the hardware model knows nothing of it). So nothing
       of the transfer stays live across the port calls; the statistics
       and the results are read back from the record. */
    nd_mapping *m = &ad->map;
    m->active = true;
    m->bounced = bounced;
    m->write_to_device = WriteToDevice != 0;
    m->mdl = Mdl;
    m->current_va = va;
    m->length = len;
    m->units = units;
    m->phys = phys;
    m->regs = bounced ? regs : NULL;
    nd_ctl_start(h, ad->channel, mode_bits(ad, WriteToDevice), phys, units);

    if (m->bounced) {
        h->stats.transfers_bounced++;
        h->stats.bytes_bounced += m->length;
    } else {
        h->stats.transfers_direct++;
        h->stats.bytes_direct += m->length;
    }
    *Length = m->length;
    ret.QuadPart = (LONGLONG)m->phys;
    return ret;
}

/* Units still to move of the current transfer, from the count register
   read after masking; @unstarted: the channel, seen before masking, was
   unmasked at its base address without terminal count (looked at only for
   a 65,536-unit transfer, see flush_unstarted). */
static uint32_t remaining_units(const nd_adapter *ad, uint16_t count, bool unstarted)
{
    uint32_t rem = ((uint32_t)count + 1u) & 0xFFFFu;
    /* A 65,536-unit transfer reads count 0xFFFF both before its first unit
       and at terminal count: it has not started if the channel is still
       unmasked at its base address. */
    if (rem == 0 && ad->map.units == 0x10000u && unstarted)
        rem = 0x10000u;
    return rem;
}

/* For a 65,536-unit transfer only (the one case remaining_units needs it):
   whether channel @ch is unmasked at its base address without terminal
   count, from the hardware's side-effect-free snapshot. */
__attribute__((noinline)) static bool flush_unstarted(nd_hal *h, unsigned ch)
{
    ndisdma_dma_channel_state st;
    nd_hw_dma_get_channel(h->hw, ch, &st);
    return !st.masked && st.current_address == st.base_address && !st.terminal_count;
}

static const char flush_ddi[] = "FlushAdapterBuffers";

/* FlushAdapterBuffers' arguments after the adapter, for the comparison
   with the mapping. */
typedef struct flush_args {
    PMDL mdl;
    PVOID map_register_base;
    PVOID current_va;
    ULONG length;
    BOOLEAN write_to_device;
} flush_args;

static inline BOOLEAN flush_checked(nd_adapter *ad, const flush_args *args)
    __attribute__((always_inline));

/*
 * FlushAdapterBuffers (DMA_OPERATIONS) - end the transfer MapTransfer
 * programmed: mask the channel and, for a device-to-memory transfer through
 * map registers, copy the bytes the controller moved (mapped bytes minus the
 * bytes the count register says remain; all of them at terminal count) into
 * the caller's buffer. Nothing else of the caller's buffer is written.
 * The arguments must be those of the MapTransfer (Length: the length it
 * returned); differences are reported and the recorded transfer is used.
 * Returns TRUE, or FALSE when the channel was still moving data at the call
 * (unmasked, DREQ asserted, count not exhausted: the last bytes may be
 * partial, N19) - the channel is masked and what moved is copied anyway -,
 * when received bytes could not be copied back because the MDL or the map
 * registers were freed before the flush (reported), and when a test
 * injected a flush fault (nd_hal_inject_flush_faults).
 * Reported: wrong IRQL (returns FALSE, nothing done), NULL adapter (FALSE),
 * no transfer to flush (TRUE, the channel is masked if the adapter holds it).
 * IRQL: <= DISPATCH_LEVEL.
 */
BOOLEAN nd_hal_flush_adapter_buffers(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase,
                                     PVOID CurrentVa, ULONG Length, BOOLEAN WriteToDevice)
{
    nd_adapter *ad = nd_adapter_from(DmaAdapter, flush_ddi);
    if (!ad)
        return FALSE;
    if (!nd_kernel_irql_at_most(ad->hal->k, DISPATCH_LEVEL, flush_ddi))
        return FALSE;
    const flush_args args = {Mdl, MapRegisterBase, CurrentVa, Length, WriteToDevice};
    return flush_checked(ad, &args);
}

BOOLEAN nd_hal_flush_mapped_live(PDMA_ADAPTER DmaAdapter)
{
    /* The caller checked the IRQL and passes a live adapter (see hal.h);
       the arguments are the mapping's own. */
    return flush_checked(nd_adapter_live(DmaAdapter), NULL);
}

/* FlushAdapterBuffers' comparisons of its arguments @a with the mapping @ad
   has (active): differences are reported, the mapping is flushed anyway. */
static void flush_args_check(const nd_adapter *ad, const flush_args *a)
{
    const nd_mapping *m = &ad->map;
    nd_kernel *k = ad->hal->k;
    if (a->mdl != m->mdl || (uint8_t *)a->current_va != m->current_va ||
        (a->write_to_device != 0) != m->write_to_device || a->length != m->length)
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, flush_ddi,
                         "arguments differ from the MapTransfer of channel %u "
                         "(Mdl %p/%p, CurrentVa %p/%p, Length %u/%u, WriteToDevice %d/%d); "
                         "the mapped transfer is flushed",
                         ad->channel, (void *)a->mdl, (void *)m->mdl, a->current_va,
                         (void *)m->current_va, (unsigned)a->length, (unsigned)m->length,
                         a->write_to_device != 0, (int)m->write_to_device);
    if (m->bounced && a->map_register_base != (PVOID)m->regs)
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, flush_ddi,
                         "MapRegisterBase %p differs from the one mapped (%p)",
                         a->map_register_base, (void *)m->regs);
}

/* FlushAdapterBuffers after the checks of the adapter and the IRQL: the
   rest of its checks and its work. @args: its other arguments, compared
   with the mapping; NULL for a flush with the mapping's own arguments
   (nd_hal_flush_mapped_live), where there is nothing to compare.
   Inlined into both entries (one body in the source), like map_checked. */
static inline BOOLEAN flush_checked(nd_adapter *ad, const flush_args *args)
{
    const char *const ddi = flush_ddi;
    nd_hal *h = ad->hal;
    nd_kernel *k = h->k;
    nd_mapping *m = &ad->map;
    unsigned ch = ad->channel;
    KIRQL old;
    if (!m->active) {
        nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                         "no transfer mapped on channel %u (MapTransfer first)", ch);
        if (h->chan[ch].owner == ad) {
            nd_ctl_lock(h, ch, &old);
            nd_ctl_mask(h, ch, true);
            nd_ctl_unlock(h, ch, old);
        }
        return TRUE;
    }
    if (args)
        flush_args_check(ad, args);

    /* The channel's state before masking: its mask bit and DREQ line, and
       for a 65,536-unit transfer whether it has started. */
    nd_ctl_lock(h, ch, &old);
    bool was_masked = nd_hw_dma_masked(h->hw, ch);
    bool dreq = nd_hw_dma_dreq(h->hw, ch);
    bool unstarted = m->units == 0x10000u && flush_unstarted(h, ch);
    uint16_t count = nd_ctl_mask_read_count(h, ch); /* masked: it cannot move */
    nd_ctl_unlock(h, ch, old);

    uint32_t rem = remaining_units(ad, count, unstarted);
    bool moving = !was_masked && dreq && rem > 0;
    bool lost = false; /* received bytes that could not reach the caller */
    if (m->bounced && !m->write_to_device) {
        uint64_t moved = rem >= m->units ? 0 : (uint64_t)(m->units - rem) << ad->shift;
        if (moved > m->length)
            moved = m->length;
        lost = moved > 0 && (!nd_kernel_mdl_is_live(k, m->mdl) || !m->regs);
        if (moved > 0 && !nd_kernel_mdl_is_live(k, m->mdl))
            nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                             "the MDL of the transfer on channel %u was freed before the "
                             "flush; %u received bytes are lost",
                             ch, (unsigned)moved);
        else if (moved > 0 && m->regs)
            mdl_copy(k, m->mdl, m->current_va, m->regs->va, (size_t)moved, true);
        else if (moved > 0)
            nd_verify_report(k, NDISDMA_RULE_HAL_CONTRACT, ddi,
                             "the map registers of channel %u were freed before the flush; "
                             "%u received bytes are lost",
                             ch, (unsigned)moved);
    }
    m->active = false;
    h->stats.flushes++;
    if (h->flush_faults > 0) {
        h->flush_faults--;
        return FALSE;
    }
    /* Injected flush fault (N19): the work above is done, the result is FALSE. */
    if (ND_FAULT_HIT(&h->hw->faults, NDISDMA_FAULT_FLUSH, (int)ch))
        return FALSE;
    /* FALSE: the data may be incoherent (still moving, or received bytes
       lost), although the channel is masked and the mapping released. */
    return moving || lost ? FALSE : TRUE;
}
