/*
 * The DMA transfer engine: see dma_engine.h. Behaviour numbers refer to
 * spec/i8237.md; the device contract is spec/host-api.md (<ndisdma/dma.h>).
 */
#include "hw/dma_engine.h"

#include <string.h>

/* 16-bit device-to-memory bursts go through the scratch buffer (a half word
   must not reach RAM) and are cut into pieces of this many units: 16 KiB
   stay in the L1 cache between the device's copy and the copy to RAM, which
   makes the second copy nearly free (bench dma_demand_16bit_128k). The
   device contract allows it: demand and block mode *may* offer many units per
   call. */
#define WORD_WRITE_BURST_UNITS 8192u

/* Reverse the order of @n units of 1 << @shift bytes, keeping the byte order
   inside a unit (decrementing 16-bit transfers offer each word low byte
   first). */
static void reverse_units(uint8_t *p, size_t n, unsigned shift)
{
    if (n < 2)
        return;
    if (shift == 0) {
        for (size_t a = 0, b = n - 1; a < b; a++, b--) {
            uint8_t t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
        return;
    }
    for (size_t a = 0, b = n - 1; a < b; a++, b--) {
        uint8_t t0 = p[2 * a], t1 = p[2 * a + 1];
        p[2 * a] = p[2 * b];
        p[2 * a + 1] = p[2 * b + 1];
        p[2 * b] = t0;
        p[2 * b + 1] = t1;
    }
}

/* Can channel @ch still hold the bus (demand and block grants, H4, H22)? */
static bool still_ready(const nd_atdma *d, unsigned ch)
{
    const nd_i8237 *m = &d->ctl[1];
    if (m->command & CMD_DISABLE)
        return false;
    if (ch < 4 && ((m->mode[0] & MODE_SEL_MASK) != MODE_CASCADE || (m->mask & 1)))
        return false;
    return (nd_i8237_ready(&d->ctl[ch >> 2]) >> (ch & 3)) & 1;
}

/* An event of @kind on channel @ch (observers only), out of line so that
   the functions that raise one keep a small frame. */
static __attribute__((noinline)) void emit_channel_event(nd_hw *hw, ndisdma_event_kind kind,
                                                         unsigned ch, uint32_t units, uint8_t flags)
{
    ndisdma_event ev = {.kind = kind, .channel = (uint8_t)ch, .units = units, .flags = flags};
    nd_hw_emit(hw, &ev);
}

/* The device on channel @ch hears terminal count, if it has a callback for it. */
static inline void tell_terminal_count(const nd_hw *hw, unsigned ch)
{
    const nd_dma_dev *dev = &hw->dma.dev[ch];
    if (dev->attached && dev->d.terminal_count)
        dev->d.terminal_count(dev->ctx, ch);
}

/* end_of_transfer with an observer attached or a missing TC armed. */
static __attribute__((noinline)) void end_of_transfer_slow(nd_hw *hw, unsigned ch, bool external,
                                                           bool reloaded)
{
    if (hw->obs.active)
        emit_channel_event(hw, external ? NDISDMA_EV_EOP : NDISDMA_EV_TC, ch, 0,
                           reloaded ? NDISDMA_EVF_AUTOINIT : 0);
    /* Injected missing TC: the controller reached it, the device is not told. */
    const nd_dma_dev *dev = &hw->dma.dev[ch];
    if (dev->attached && dev->d.terminal_count &&
        ND_FAULT_HIT(&hw->faults, NDISDMA_FAULT_TC_MISSING, (int)ch))
        return;
    tell_terminal_count(hw, ch);
}

/* Terminal count or external EOP (@external) on channel @ch: the chip's
   state change (nd_i8237_terminal), the counters, the event and the device's
   callback. With no observer and no missing TC armed, the event and the
   fault decision have nothing to do: the device is told directly (a tail
   call, so that this function keeps no registers of its own). */
static void end_of_transfer(nd_hw *hw, unsigned ch, bool external)
{
    nd_i8237 *c = nd_atdma_ctl(&hw->dma, ch);
    bool reloaded = nd_i8237_terminal(c, ch & 3);
    hw->stats.terminal_counts++;
    hw->gen++;
    if (__builtin_expect(
            hw->obs.active || (hw->faults.armed & (1u << NDISDMA_FAULT_TC_MISSING)) != 0, 0)) {
        end_of_transfer_slow(hw, ch, external, reloaded);
        return;
    }
    tell_terminal_count(hw, ch);
}

/* The device took or gave fewer units than offered: as if DREQ had dropped,
   until it is asserted again (host-api.md). */
static void stall_channel(nd_hw *hw, nd_i8237 *c, unsigned ch, uint32_t units)
{
    /* A device that moved some units and asserted its DREQ again from the
       same callback is ready for more: its new assertion is not lost. (With
       no unit moved the channel stalls anyway, so that a device cannot keep
       the engine spinning.) */
    if (units > 0 && hw->reasserted)
        return;
    const uint8_t bit = (uint8_t)(1u << (ch & 3));
    c->stall |= bit;
    c->dreq &= (uint8_t)~bit;
    c->block &= (uint8_t)~bit;
    hw->stats.stalls++;
    hw->gen++;
    if (hw->obs.active)
        emit_channel_event(hw, NDISDMA_EV_STALL, ch, units, 0);
}

/* Timed service: the bus spent @units unit times (the first unit had
   already spent carry_ns before now_ns). */
static inline void bus_advance(nd_hw *hw, uint64_t units)
{
    if (hw->unit_ns && units) {
        const uint64_t t = units * hw->unit_ns;
        const uint64_t c = hw->carry_ns;
        hw->carry_ns = 0;
        hw->now_ns += t > c ? t - c : 0;
    }
}

/*
 * Single mode (H22) fast path, for the common case of a device that takes or
 * gives one unit per grant while DREQ stays asserted, with no observer. Each
 * unit gets exactly what the general loop (serve_general) does for it (a
 * callback with a direct pointer into RAM, address and count stepped, the
 * counters), without recomputing what cannot change between two units: the
 * units up to the next address wrap, the end of RAM, the budget or the unit
 * that reaches terminal count are known in advance, and only a callback can
 * change anything else. Returns the units moved. Stops before a unit the
 * general loop must handle (terminal count, an address outside RAM) and after
 * a unit whose callback changed anything: a short return, an EOP, or anything
 * that bumped hw->gen and so may change the arbitration; then *@done says the
 * grant is over. The caller checks that the channel is in single mode, that
 * re-arbitration may be skipped (keep_single), and that the direction has a
 * device callback and may use a direct pointer (not 16-bit device to memory).
 * Callbacks cannot add observers or write ports (host-api.md), and only they
 * run between two units, so hw->serving stays set for the whole loop.
 * Out of line: the common grants are demand and block mode.
 */
static __attribute__((noinline)) size_t
serve_single_fast(nd_hw *hw, nd_i8237 *c, unsigned ch, uint64_t page_base, uint64_t max, bool *done)
{
    const unsigned i = ch & 3, shift = c->shift;
    const size_t us = (size_t)1 << shift;
    const bool dec = (c->mode[i] & MODE_DECREMENT) != 0;
    const bool read = (c->mode[i] & MODE_TYPE_MASK) == MODE_TYPE_READ;
    const nd_dma_dev *dev = &hw->dma.dev[ch];
    size_t (*const to)(void *, unsigned, const uint8_t *, size_t) = dev->d.to_device;
    size_t (*const from)(void *, unsigned, uint8_t *, size_t) = dev->d.from_device;
    void *const ctx = dev->ctx;
    const uint64_t ram_size = hw->ram.size, gen0 = hw->gen;
    uint64_t moved = 0;
    size_t got;

    *done = false;
    hw->serving = (int)ch;
    for (;;) {
        const uint16_t addr = c->cur_addr[i], count = c->cur_count[i];
        const uint64_t phys = page_base + ((uint64_t)addr << shift);
        /* Plain units: before the one that reaches TC (count 0 left), up to
           the address wrap (H18), inside RAM, within the budget. */
        uint64_t n = count;
        const uint32_t until_wrap = dec ? addr + 1u : 0x10000u - addr;
        if (n > until_wrap)
            n = until_wrap;
        if (n > max - moved)
            n = max - moved;
        if (phys >= ram_size || ram_size - phys < us)
            n = 0;
        else if (!dec && n > (ram_size - phys) >> shift)
            n = (ram_size - phys) >> shift;
        if (n == 0)
            break;
        uint8_t *p = hw->ram.base + phys;
        const ptrdiff_t step = dec ? -(ptrdiff_t)us : (ptrdiff_t)us;
        uint64_t k = 0;
        do {
            got = read ? to(ctx, ch, p, us) : from(ctx, ch, p, us);
            hw->stats.bursts++;
            if (got < us)
                break;
            k++;
            bus_advance(hw, 1);
            p += step;
            c->cur_addr[i] = (uint16_t)(dec ? addr - k : addr + k);
            c->cur_count[i] = (uint16_t)(count - k);
            hw->stats.units++;
            hw->stats.bytes += us;
        } while (k < n && !hw->eop_pending && hw->gen == gen0);
        moved += k;
        if (got < us || hw->eop_pending || hw->gen != gen0) {
            /* As the tail of serve_channel's loop, for a unit short of TC. */
            const bool eop = hw->eop_pending != 0;
            hw->eop_pending = 0;
            hw->serving = -1;
            if (got < us)
                stall_channel(hw, c, ch, 0);
            if (eop)
                end_of_transfer(hw, ch, true);
            *done = true;
            break;
        }
    }
    hw->serving = -1;
    return (size_t)moved;
}

/* Injected device faults at a grant (docs/faults.md): a stall is a device
   that drops DREQ at the grant before taking anything; a short transfer is a
   device that takes half the units offered and then drops DREQ. Returns true
   for a stall (the channel is stalled, the grant is over); halves *@n and
   sets *@short_fault for a short transfer. Out of line: faults are rare. */
static __attribute__((noinline, cold)) bool grant_faults(nd_hw *hw, nd_i8237 *c, unsigned ch,
                                                         uint64_t *n, bool *short_fault)
{
    if (ND_FAULT_HIT(&hw->faults, NDISDMA_FAULT_DEVICE_STALL, (int)ch)) {
        stall_channel(hw, c, ch, 0);
        return true;
    }
    if (ND_FAULT_HIT(&hw->faults, NDISDMA_FAULT_DEVICE_SHORT, (int)ch)) {
        *n = (*n + 1) / 2;
        *short_fault = true;
    }
    return false;
}

/*
 * The data of one burst of @n units (@bytes) at @phys, when it does not go
 * straight between the device and RAM (serve_channel's direct case): a
 * decrementing burst, a 16-bit device-to-memory burst, a range not wholly in
 * RAM, no device or no callback for the direction, verify and illegal
 * transfers. Returns the bytes the device took or gave (not clamped) and
 * adds to *@flags. Out of line, so that the common burst keeps a small frame.
 */
static __attribute__((noinline)) size_t burst_indirect(nd_hw *hw, unsigned ch, unsigned type,
                                                       bool dec, uint64_t page_base, uint32_t addr,
                                                       uint64_t phys, uint64_t n, size_t bytes,
                                                       uint8_t *flags)
{
    const nd_dma_dev *dev = &hw->dma.dev[ch];
    const unsigned shift = nd_atdma_ctl(&hw->dma, ch)->shift;
    size_t got = bytes;
    if (type == MODE_TYPE_READ) { /* memory -> device (H21) */
        const uint8_t *src = dec ? NULL : nd_physmem_ptr(&hw->ram, phys, bytes);
        if (!src) {
            nd_physmem_bus_read(&hw->ram, phys, hw->scratch, bytes);
            if (dec)
                reverse_units(hw->scratch, (size_t)n, shift);
            src = hw->scratch;
        }
        if (dev->attached && dev->d.to_device) {
            hw->serving = (int)ch;
            hw->reasserted = 0;
            got = dev->d.to_device(dev->ctx, ch, src, bytes);
            hw->serving = -1;
        } else {
            *flags |= NDISDMA_EVF_NO_DEVICE;
        }
    } else if (type == MODE_TYPE_WRITE) { /* device -> memory (H21) */
        /* 16-bit channels go through the scratch buffer too: a device
           that returns an odd byte count gave half a word, which must
           not reach memory (only whole words are transferred). */
        uint8_t *dst = (dec || shift) ? NULL : nd_physmem_ptr(&hw->ram, phys, bytes);
        uint8_t *buf = dst ? dst : hw->scratch;
        if (dev->attached && dev->d.from_device) {
            hw->serving = (int)ch;
            hw->reasserted = 0;
            got = dev->d.from_device(dev->ctx, ch, buf, bytes);
            hw->serving = -1;
        } else {
            memset(buf, 0xFF, bytes);
            *flags |= NDISDMA_EVF_NO_DEVICE;
        }
        if (got > bytes)
            got = bytes;
        if (!dst) {
            size_t u = got >> shift;
            if (dec) {
                /* The first u units in transfer order sit at the top
                   addresses addr .. addr - u + 1. */
                reverse_units(buf, u, shift);
                nd_physmem_bus_write(&hw->ram,
                                     page_base + ((uint64_t)(addr - (uint32_t)u + 1u) << shift),
                                     buf, u << shift);
            } else {
                nd_physmem_bus_write(&hw->ram, phys, buf, u << shift);
            }
        }
    }
    /* Verify and illegal (type 11, H15) only step address and count. */
    return got;
}

/* The BURST event of @u units (observers only). */
static __attribute__((noinline)) void emit_burst(nd_hw *hw, unsigned ch, unsigned type, bool dec,
                                                 uint64_t page_base, uint32_t addr, uint64_t phys,
                                                 uint32_t u, uint8_t flags)
{
    const unsigned shift = nd_atdma_ctl(&hw->dma, ch)->shift;
    uint64_t lo = dec ? page_base + ((uint64_t)(addr - u + 1u) << shift) : phys;
    ndisdma_event ev = {.kind = NDISDMA_EV_BURST,
                        .channel = (uint8_t)ch,
                        .xfer = (uint8_t)(type >> 2),
                        .phys = lo,
                        .units = u,
                        .bytes = u << shift,
                        .flags = flags};
    nd_hw_emit(hw, &ev);
}

/* Injected spurious TC: the device hears terminal count mid-transfer. */
static __attribute__((noinline, cold)) void spurious_tc(nd_hw *hw, unsigned ch, uint32_t u,
                                                        uint32_t until_tc)
{
    const nd_dma_dev *dev = &hw->dma.dev[ch];
    if (u && u != until_tc && dev->attached && dev->d.terminal_count &&
        nd_fault_decide(&hw->faults, NDISDMA_FAULT_TC_SPURIOUS, (int)ch))
        dev->d.terminal_count(dev->ctx, ch);
}

/* Can the single-mode fast loop serve this grant (see serve_single_fast)? */
static bool single_fast_ok(const nd_hw *hw, const nd_dma_dev *dev, unsigned type, unsigned shift)
{
    return !hw->obs.active && dev->attached && !(hw->faults.armed & ND_FAULT_ENGINE_MASK) &&
           (type == MODE_TYPE_READ ? dev->d.to_device != NULL
                                   : type == MODE_TYPE_WRITE && shift == 0 && dev->d.from_device);
}

/* Can serve_direct move the next burst of channel @ch (@read: memory to
   device): no observer, no engine fault armed, a device with a callback for
   the direction? */
static inline bool direct_ok(const nd_hw *hw, const nd_dma_dev *dev, bool read)
{
    return !hw->obs.active && !(hw->faults.armed & ND_FAULT_ENGINE_MASK) && dev->attached &&
           (read ? dev->d.to_device != NULL : dev->d.from_device != NULL);
}

/*
 * Demand and block mode (H22) fast path, for the common burst: incrementing,
 * going straight between the device's callback and RAM (wholly inside RAM, a
 * device with a callback for the direction; memory to device on any channel,
 * device to memory on an 8-bit one), with no observer and no engine fault
 * armed. Each burst gets exactly what the general loop of serve_general does
 * for it in that case (the same offer, callback, address and count steps,
 * counters, bus time, EOP/TC/stall handling and re-test of the request),
 * without the decoding and the branches that the case rules out. Returns the
 * units moved; *@done says the grant is over. Otherwise (*@done false, units
 * still allowed by @max) the next burst is one this loop does not handle and
 * the caller passes it to serve_general. @read: memory to device.
 *
 * Few values live across the device's callback: a callback may only request
 * DREQ, pulse EOP and read ports (host-api.md), none of which changes the
 * channel's address, count or page, so they are read again from the chip
 * after it (and the units until terminal count with them).
 */
static inline size_t serve_direct(nd_hw *hw, unsigned ch, uint64_t max, bool read, bool *done)
{
    size_t moved = 0;
    for (;;) {
        const nd_dma_dev *const dev = &hw->dma.dev[ch];
        if (!direct_ok(hw, dev, read))
            break;
        const nd_i8237 *c = nd_atdma_ctl(&hw->dma, ch);
        const unsigned shift = c->shift;
        const uint32_t addr = c->cur_addr[ch & 3];
        const uint32_t until_tc = (uint32_t)c->cur_count[ch & 3] + 1u; /* H8, H26 */
        const uint32_t until_wrap = 0x10000u - addr;                   /* H18 */
        uint64_t n = until_tc < until_wrap ? until_tc : until_wrap;
        if (n > max - moved)
            n = max - moved;
        const size_t bytes = (size_t)n << shift;
        const uint64_t phys = nd_atdma_phys(&hw->dma, ch, (uint16_t)addr);
        if (!nd_physmem_contains(&hw->ram, phys, bytes))
            break;
        uint8_t *const p = hw->ram.base + phys;
        hw->serving = (int)ch;
        hw->reasserted = 0;
        size_t got = read ? dev->d.to_device(dev->ctx, ch, p, bytes)
                          : dev->d.from_device(dev->ctx, ch, p, bytes);
        hw->serving = -1;
        if (got > bytes)
            got = bytes;
        nd_i8237 *const cc = nd_atdma_ctl(&hw->dma, ch);
        const uint32_t u = (uint32_t)(got >> cc->shift);
        const uint16_t a0 = cc->cur_addr[ch & 3], c0 = cc->cur_count[ch & 3];
        const bool tc = u == (uint32_t)c0 + 1u; /* u == until_tc */
        cc->cur_addr[ch & 3] = (uint16_t)(a0 + u);
        cc->cur_count[ch & 3] = (uint16_t)(c0 - u);
        moved += u;
        hw->stats.units += u;
        hw->stats.bytes += (uint64_t)u << cc->shift;
        hw->stats.bursts++;
        if (hw->obs.active && u) /* callbacks add no observers: never, in fact */
            emit_burst(hw, ch, read ? MODE_TYPE_READ : MODE_TYPE_WRITE, false,
                       nd_atdma_phys(&hw->dma, ch, 0), a0, nd_atdma_phys(&hw->dma, ch, a0), u, 0);
        bus_advance(hw, u);

        const bool eop = hw->eop_pending != 0;
        hw->eop_pending = 0;
        if (ND_FAULT_UNLIKELY(hw->faults.armed & (1u << NDISDMA_FAULT_TC_SPURIOUS)))
            spurious_tc(hw, ch, u, (uint32_t)c0 + 1u);
        *done = true;
        if (tc) { /* H19, H20 */
            end_of_transfer(hw, ch, false);
            return moved;
        }
        const bool short_return = got < bytes; /* u < n */
        if (eop) {                             /* H25 (see serve_general) */
            if (short_return)
                stall_channel(hw, cc, ch, u);
            end_of_transfer(hw, ch, true);
            return moved;
        }
        if (short_return) {
            stall_channel(hw, cc, ch, u);
            return moved;
        }
        if (moved >= max || !still_ready(&hw->dma, ch))
            return moved;
    }
    *done = false;
    return moved;
}

/*
 * The general loop of one grant of channel @ch (serve_channel has done the
 * grant's set-up), for @max units. Each burst moves its data directly
 * between the device's callback and RAM when it can (incrementing, wholly
 * inside RAM, a device with a callback for the direction, and for device to
 * memory an 8-bit channel); burst_indirect does the rest.
 */
static __attribute__((noinline)) size_t serve_general(nd_hw *hw, unsigned ch, uint64_t max,
                                                      bool keep_single)
{
    nd_atdma *d = &hw->dma;
    const uint64_t page_base = nd_atdma_phys(d, ch, 0);
    nd_i8237 *c = nd_atdma_ctl(d, ch);
    const unsigned i = ch & 3, shift = c->shift;
    const uint8_t mode = c->mode[i];
    const unsigned sel = mode & MODE_SEL_MASK, type = mode & MODE_TYPE_MASK;
    const bool dec = (mode & MODE_DECREMENT) != 0;
    const nd_dma_dev *dev = &d->dev[ch];
    /* Bursts that may go straight to RAM, when the device has a callback. */
    const bool direct_ok = !dec && (type == MODE_TYPE_READ || (type == MODE_TYPE_WRITE && !shift));
    const bool fast_single =
        sel == MODE_SINGLE && keep_single && single_fast_ok(hw, dev, type, shift);

    size_t moved = 0;
    for (;;) {
        if (fast_single) {
            bool done;
            moved += serve_single_fast(hw, c, ch, page_base, max - moved, &done);
            if (done || moved >= max)
                break;
        }
        const uint64_t gen0 = hw->gen;
        const uint32_t addr = c->cur_addr[i];
        const uint32_t until_tc = (uint32_t)c->cur_count[i] + 1u;      /* H8, H26 */
        const uint32_t until_wrap = dec ? addr + 1u : 0x10000u - addr; /* H18 */
        uint64_t n = until_tc < until_wrap ? until_tc : until_wrap;
        if (sel == MODE_SINGLE)
            n = 1;
        else if (type == MODE_TYPE_WRITE && shift && n > WORD_WRITE_BURST_UNITS)
            n = WORD_WRITE_BURST_UNITS;
        if (n > max - moved)
            n = max - moved;
        bool short_fault = false;
        if (ND_FAULT_UNLIKELY(hw->faults.armed & ND_FAULT_ENGINE_MASK) && dev->attached &&
            grant_faults(hw, c, ch, &n, &short_fault))
            break;
        const size_t bytes = (size_t)n << shift;
        const uint64_t phys =
            page_base + ((uint64_t)(dec ? addr - (uint32_t)(n - 1) : addr) << shift);
        uint8_t flags = dec ? NDISDMA_EVF_DECREMENT : 0;
        size_t got;

        uint8_t *direct = NULL;
        if (direct_ok && dev->attached &&
            (type == MODE_TYPE_READ ? dev->d.to_device != NULL : dev->d.from_device != NULL))
            direct = nd_physmem_ptr(&hw->ram, phys, bytes);
        if (direct) {
            hw->serving = (int)ch;
            hw->reasserted = 0;
            got = type == MODE_TYPE_READ ? dev->d.to_device(dev->ctx, ch, direct, bytes)
                                         : dev->d.from_device(dev->ctx, ch, direct, bytes);
            hw->serving = -1;
        } else {
            got = burst_indirect(hw, ch, type, dec, page_base, addr, phys, n, bytes, &flags);
        }
        if (got > bytes)
            got = bytes;
        const uint32_t u = (uint32_t)(got >> shift);
        c->cur_addr[i] = (uint16_t)(dec ? addr - u : addr + u);
        c->cur_count[i] = (uint16_t)(c->cur_count[i] - u);
        moved += u;
        hw->stats.units += u;
        hw->stats.bytes += (uint64_t)u << shift;
        hw->stats.bursts++;
        if (hw->obs.active && u)
            emit_burst(hw, ch, type, dec, page_base, addr, phys, u, flags);
        bus_advance(hw, u);

        const bool eop = hw->eop_pending != 0;
        hw->eop_pending = 0;
        if (ND_FAULT_UNLIKELY(hw->faults.armed & (1u << NDISDMA_FAULT_TC_SPURIOUS)))
            spurious_tc(hw, ch, u, until_tc);
        if (u == until_tc) { /* H19, H20 */
            end_of_transfer(hw, ch, false);
            break;
        }
        if (eop) { /* H25 */
            /* A short return still means the device cannot go on now, even
               when it also ends the transfer: without the stall an
               autoinitialize channel with DREQ held would be granted again
               at once, forever, moving nothing. */
            if (u < n)
                stall_channel(hw, c, ch, u);
            end_of_transfer(hw, ch, true);
            break;
        }
        if (u < n || short_fault) {
            if (short_fault)
                hw->reasserted = 0; /* the device dropped DREQ after the units */
            stall_channel(hw, c, ch, u);
            break;
        }
        if (moved >= max)
            break;
        if (sel == MODE_SINGLE) {
            /* H22: one unit per grant, then re-arbitrate; skip the
               arbitration when its answer cannot have changed. */
            if (hw->gen != gen0 || !keep_single)
                break;
            continue;
        }
        if (!still_ready(d, ch))
            break;
    }
    return moved;
}

/* One grant of channel @ch (not memory-to-memory), for at most @max units
   (> 0). */
static size_t serve_channel(nd_hw *hw, unsigned ch, uint64_t max, bool alone)
{
    nd_atdma *d = &hw->dma;
    nd_i8237 *c = nd_atdma_ctl(d, ch);
    const unsigned i = ch & 3;
    const uint8_t mode = c->mode[i];
    const unsigned sel = mode & MODE_SEL_MASK, type = mode & MODE_TYPE_MASK;

    c->last = (uint8_t)i; /* H23: the channel just served becomes the lowest */
    if (ch < 4)
        d->ctl[1].last = 0;
    if (sel == MODE_BLOCK)
        c->block |= (uint8_t)(1u << i); /* H22: block mode runs to TC from one request */
    if ((sel == MODE_DEMAND || sel == MODE_BLOCK) && !(mode & MODE_DECREMENT) &&
        (type == MODE_TYPE_READ || (type == MODE_TYPE_WRITE && !c->shift))) {
        bool done;
        const size_t moved = serve_direct(hw, ch, max, type == MODE_TYPE_READ, &done);
        if (done)
            return moved;
        /* keep_single matters in single mode only, and the channel is in
           demand or block mode (callbacks write no port): false, so that
           @alone need not be kept across the callbacks. */
        return moved + serve_general(hw, ch, max - moved, false);
    }
    /* Single mode may keep serving without re-arbitrating while nothing
       changed and the channel would win again. */
    const bool keep_single =
        alone || !((c->command & CMD_ROTATING) || (d->ctl[1].command & CMD_ROTATING));
    return serve_general(hw, ch, max, keep_single);
}

/* Memory-to-memory on controller 1 (H24): channel 0 reads, channel 1 writes,
   each byte through the temporary register, until channel 1 reaches TC. */
static __attribute__((noinline)) size_t serve_mem_to_mem(nd_hw *hw, uint64_t max)
{
    nd_atdma *d = &hw->dma;
    nd_i8237 *c = &d->ctl[0];
    const uint64_t src_page = nd_atdma_phys(d, 0, 0), dst_page = nd_atdma_phys(d, 1, 0);
    const bool hold = (c->command & CMD_CH0_ADDR_HOLD) != 0;
    const uint16_t step0 = hold ? 0 : ((c->mode[0] & MODE_DECREMENT) ? 0xFFFF : 1);
    const uint16_t step1 = (c->mode[1] & MODE_DECREMENT) ? 0xFFFF : 1;
    const uint64_t first_src = src_page + c->cur_addr[0];
    bool tc = false;
    size_t moved = 0;

    c->last = 0;
    d->ctl[1].last = 0;
    c->block |= 1; /* runs as a block transfer until channel 1's TC */
    while (moved < max && !tc) {
        uint8_t b;
        nd_physmem_bus_read(&hw->ram, src_page + c->cur_addr[0], &b, 1);
        c->temp = b;
        nd_physmem_bus_write(&hw->ram, dst_page + c->cur_addr[1], &b, 1);
        c->cur_addr[0] = (uint16_t)(c->cur_addr[0] + step0);
        c->cur_addr[1] = (uint16_t)(c->cur_addr[1] + step1);
        c->cur_count[0]--;
        tc = c->cur_count[1] == 0;
        c->cur_count[1]--;
        moved++;
    }
    hw->stats.units += moved;
    hw->stats.bytes += moved;
    hw->stats.bursts++;
    if (hw->obs.active && moved) {
        ndisdma_event ev = {.kind = NDISDMA_EV_BURST,
                            .channel = 0,
                            .xfer = NDISDMA_XFER_MEM_TO_MEM,
                            .phys = first_src,
                            .units = (uint32_t)moved,
                            .bytes = (uint32_t)moved};
        nd_hw_emit(hw, &ev);
    }
    bus_advance(hw, moved);
    if (tc) {
        /* The transfer ends for both channels. Channel 0's request and latch
           are cleared; like channel 1 it then reloads if it is in
           autoinitialize and is masked otherwise, so that a DREQ still held
           on channel 0 does not start the copy again. Its TC status bit is
           not set: the count that ended the transfer is channel 1's. */
        c->sreq &= (uint8_t)~1u;
        c->block &= (uint8_t)~1u;
        if (c->mode[0] & MODE_AUTOINIT) {
            c->cur_addr[0] = c->base_addr[0];
            c->cur_count[0] = c->base_count[0];
        } else {
            c->mask |= 1u;
        }
        bool reloaded = nd_i8237_terminal(c, 1);
        hw->stats.terminal_counts++;
        hw->gen++;
        if (hw->obs.active) {
            ndisdma_event ev = {
                .kind = NDISDMA_EV_TC, .channel = 1, .flags = reloaded ? NDISDMA_EVF_AUTOINIT : 0};
            nd_hw_emit(hw, &ev);
        }
    }
    return moved;
}

/* The service loop from a grant just arbitrated: @ch (>= 0, or -1 for none)
   with @alone, as nd_atdma_arbitrate returned it with nothing changed since.
   *@busy (may be NULL): 1 when the loop ended at an arbitration that found a
   channel it could not serve within the budget (the bus is still busy), 0
   when it found none, -1 when it ended otherwise (a yield, the idle-grant
   limit): then the caller must arbitrate again to know. */
static size_t service(nd_hw *hw, int ch, bool alone, const uint32_t *cost, uint64_t budget,
                      uint64_t *spent, int *busy)
{
    uint64_t used = 0;
    size_t total = 0;
    unsigned idle_grants = 0;
    int after = -1;
    hw->running = 1;
    hw->yield = 0;
    for (;;) {
        if (ch < 0) {
            after = 0;
            break;
        }
        if (idle_grants >= ND_DMA_MAX_IDLE_GRANTS) {
            /* Devices keep asserting DREQ from callbacks that move nothing
               (each other's, say): stop instead of spinning, and say so. */
            nd_hw_illegal(hw, NDISDMA_ILLEGAL_NO_PROGRESS, 0, 0, (uint8_t)ch);
            break;
        }
        uint64_t c = cost && cost[ch] ? cost[ch] : 1;
        uint64_t left = budget ? (budget - used) / c : UINT64_MAX;
        if (left == 0) {
            after = 1;
            break;
        }
        hw->unit_ns = cost ? c : 0; /* the engine moves now_ns as units go */
        size_t n;
        if (ch == 0 && (hw->dma.ctl[0].command & CMD_MEM_TO_MEM))
            n = serve_mem_to_mem(hw, left);
        else
            n = serve_channel(hw, (unsigned)ch, left, alone);
        total += n;
        used += (uint64_t)n * c;
        idle_grants = n ? 0 : idle_grants + 1;
        if (hw->yield)
            break; /* something was scheduled for now: let it happen */
        alone = false;
        ch = nd_atdma_arbitrate(&hw->dma, &alone);
    }
    hw->running = 0;
    hw->unit_ns = 0;
    if (spent)
        *spent = used;
    if (busy)
        *busy = after;
    return total;
}

size_t nd_dma_service(nd_hw *hw, const uint32_t *cost, uint64_t budget, uint64_t *spent)
{
    if (spent)
        *spent = 0;
    if (hw->running)
        return 0;
    bool alone = false;
    const int ch = nd_atdma_arbitrate(&hw->dma, &alone);
    return service(hw, ch, alone, cost, budget, spent, NULL);
}

size_t nd_dma_service_from(nd_hw *hw, int ch, bool alone, const uint32_t *cost, uint64_t budget,
                           uint64_t *spent, int *busy)
{
    if (hw->running) {
        *spent = 0;
        *busy = -1;
        return 0;
    }
    return service(hw, ch, alone, cost, budget, spent, busy);
}
