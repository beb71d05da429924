/*
 * sdnic.c - model of the SD-1 system-DMA Ethernet controller (sdnic.h,
 * register map sdnic_regs.h, behaviour docs/devices/sdnic.md).
 *
 * Concept. The card is a small state machine around one DMA operation at a
 * time (none, transmit or receive) on its one 8237 channel, two rings of
 * fixed SDNIC_MAX_FRAME-byte slots (the transmit FIFO of frames waiting for
 * the wire, the receive FIFO of frames waiting to be taken by DMA), a wire
 * that is a device timer in virtual time, and an interrupt status register
 * whose enabled causes drive one edge-triggered IRQ line.
 *
 * Data path. The DMA callbacks copy with memcpy between the slots and the
 * buffer the controller offers (many units per call in demand mode), so the
 * per-frame work is a few copies and a handful of stores; nothing is
 * allocated after sdnic_create. With the line rate 0 a transmitted frame that
 * arrives whole in one callback goes straight from that buffer to its
 * destinations, without passing through the transmit FIFO, and no timer is
 * used.
 *
 * End of a DMA operation. The card ends an operation itself when it has
 * taken (transmit) or given (receive) the whole frame, inside the data
 * callback that moved the last unit: it drops DREQ, and on a receive that
 * ends before the controller's terminal count it pulses EOP. A terminal
 * count that reaches the card while an operation is still running means the
 * buffer was shorter than the frame: a transmit error, or a truncated
 * receive. A terminal count with no operation running (the usual echo of the
 * end the card already handled) is ignored.
 *
 * Threads: none of its own; everything runs on the machine's thread, from
 * host calls or from callbacks of the machine (port handlers, DMA callbacks,
 * the wire timer).
 */
#include "sdnic.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <ndisdma/device.h>
#include <ndisdma/dma.h>
#include <ndisdma/errors.h>
#include <ndisdma/kernel.h>

/* Bytes between two slots of a FIFO ring: SDNIC_MAX_FRAME rounded up to a
   multiple of 64, so that every slot starts on a cache line of the ring. */
#define SLOT_BYTES 1536u

/* The DMA operation in progress. */
enum sdnic_op { OP_NONE = 0, OP_TX, OP_RX };

/* A ring of fixed-size frame slots. */
typedef struct frame_ring {
    uint8_t *data; /* cap * SLOT_BYTES */
    uint16_t *len; /* cap lengths */
    size_t cap;    /* slots */
    size_t head;   /* oldest frame */
    size_t count;  /* frames held */
} frame_ring;

struct sdnic {
    ndisdma_machine *m;
    sdnic_config cfg; /* as created (RESET restores from it) */
    int io_id;        /* ndisdma_io_map id, 0 when not mapped */
    bool attached;    /* DMA device attached */
    unsigned shift;   /* 0: 8-bit channel, 1: 16-bit channel */

    /* Registers. */
    uint8_t isr, imr, config, rxstat;
    uint16_t txlen;
    uint8_t mac[6];
    bool rx_on;
    bool irq_level; /* level this card drives on its IRQ line */
    bool op_staged; /* transmit in pieces written in the RX tail slot */

    /* The DMA operation in progress. */
    enum sdnic_op op;
    size_t op_pos;    /* bus bytes moved so far (pad byte included) */
    size_t op_need;   /* bus bytes of the whole operation */
    uint16_t op_len;  /* frame length in bytes */
    uint8_t *op_slot; /* transmit in pieces: its TX slot; receive: head slot */

    frame_ring tx, rx;

    /* The wire (line rate > 0): the TX FIFO's head frame is on it until
       wire_end. */
    bool wire_busy;
    uint64_t wire_end;
    ndisdma_timer wire_timer;

    sdnic *peer;
    sdnic_stats st;
};

/* ---- small helpers ---- */

static inline uint8_t *ring_slot(const frame_ring *r, size_t i)
{
    return r->data + i * SLOT_BYTES;
}

/* Index of the slot after the last frame (ring not full). */
static inline size_t ring_tail(const frame_ring *r)
{
    size_t i = r->head + r->count;
    return i >= r->cap ? i - r->cap : i;
}

static inline void ring_pop(frame_ring *r)
{
    r->head = r->head + 1 == r->cap ? 0 : r->head + 1;
    r->count--;
}

/* ring_pop for the RX FIFO: a FIFO left empty starts again at slot 0, so
   the next frame lands in the slot the last one used, still in the host's
   cache. In loopback at full speed the RX FIFO holds one frame at a time,
   and walking round all its slots kept 24 KB cycling through the cache for
   nothing. Which slot holds a frame is not visible through the registers.
   (Not for the TX FIFO: a transmit DMA may be filling its tail slot while
   the wire empties it.) */
static inline void rx_ring_pop(frame_ring *r)
{
    ring_pop(r);
    if (r->count == 0)
        r->head = 0;
}

/* Bus bytes of a frame of @len bytes: whole words on a 16-bit channel. */
static inline size_t bus_bytes(const sdnic *n, size_t len)
{
    return n->shift ? (len + 1) & ~(size_t)1 : len;
}

/* A fresh edge of the line, high and staying high: lowered and raised again. */
__attribute__((noinline)) static void irq_fresh_edge(sdnic *n)
{
    ndisdma_irq_set(n->m, n->cfg.irq, false);
    ndisdma_irq_set(n->m, n->cfg.irq, true);
}

/* irq_update's slow path: the line changes to @want, or (@want equal to
   the level, high) gets a fresh edge. */
__attribute__((noinline)) static void irq_drive(sdnic *n, bool want)
{
    /* Counted before the line moves (nothing the edge starts reads the
       card's counters), so that each path ends in a tail call and this
       function keeps no registers of its own. */
    if (want)
        n->st.irqs++;
    if (want == n->irq_level) {
        irq_fresh_edge(n);
        return;
    }
    n->irq_level = want;
    ndisdma_irq_set(n->m, n->cfg.irq, want);
}

/*
 * Drive the IRQ line from (ISR & IMR). A change of level is set at once;
 * when the line is high and stays high, @fresh_edge lowers and raises it
 * again so that the interrupt controller latches a new request (the rule for
 * a write to ISR or IMR that removed an enabled pending cause while others
 * remain, docs/devices/sdnic.md).
 * The common case, a line that keeps its level with no fresh edge asked
 * for, returns here without a call (irq_drive does the rest).
 */
static inline void irq_update(sdnic *n, bool fresh_edge)
{
    const bool want = (n->isr & n->imr) != 0;
    if (want != n->irq_level || (want && fresh_edge))
        irq_drive(n, want);
}

/* Set interrupt causes; a cause set while the line is high gives no edge. */
static void raise_cause(sdnic *n, uint8_t bits)
{
    n->isr |= bits;
    if (bits & SDNIC_ISR_TX_ERR)
        n->st.tx_errors++;
    if (bits & SDNIC_ISR_RX_ERR)
        n->st.rx_errors++;
    irq_update(n, false);
}

static void dreq(sdnic *n, bool asserted)
{
    ndisdma_dma_request(n->m, n->cfg.dma_channel, asserted);
}

/* ---- receive FIFO ---- */

static void tx_unstage(sdnic *n);

/* A frame from the wire (loopback, peer, sdnic_inject). */
static inline int rx_accept(sdnic *n, const uint8_t *frame, size_t len)
{
    frame_ring *r = &n->rx;
    if (n->op_staged)
        tx_unstage(n); /* the tail slot holds a partial transmit: move it out */
    if (!n->rx_on) {
        n->st.rx_disabled_drops++;
        return NDISDMA_ESTATE;
    }
    if (r->count == r->cap) {
        n->st.rx_overruns++;
        raise_cause(n, SDNIC_ISR_RX_OVERRUN);
        return NDISDMA_ENOSPC;
    }
    const size_t i = ring_tail(r);
    if (frame != ring_slot(r, i)) /* a staged transmit is already there */
        memcpy(ring_slot(r, i), frame, len);
    r->len[i] = (uint16_t)len;
    r->count++;
    if (r->count == 1)
        raise_cause(n, SDNIC_ISR_RX_READY);
    return 0;
}

/* ---- the wire ---- */

/* Line time of a frame of @len bytes, in ns, rounded up. */
static uint64_t wire_ns(const sdnic *n, size_t len)
{
    const uint64_t bits = ((uint64_t)len + SDNIC_WIRE_OVERHEAD) * 8u;
    const uint64_t rate = n->cfg.line_rate_bps;
    /* bits * 1e9 fits in 64 bits: bits <= (1514 + 24) * 8. */
    return (bits * 1000000000ull + rate - 1) / rate;
}

/* deliver's @t_ns for a frame that leaves the wire now (line rate 0): the
   machine's time, read only when a wire observer needs it (nothing that
   deliver does before moves the time). No frame leaves at UINT64_MAX. */
#define DELIVER_NOW UINT64_MAX

/* deliver's destinations beyond the card itself: the peer, then the wire
   observer. Out of line, so that deliver, inlined where a frame leaves,
   keeps the registers of the loopback case only. */
static __attribute__((noinline)) void deliver_out(sdnic *n, const uint8_t *frame, size_t len,
                                                  uint64_t t_ns)
{
    if (n->peer)
        (void)rx_accept(n->peer, frame, len);
    if (n->cfg.on_wire)
        n->cfg.on_wire(n->cfg.wire_ctx, frame, len,
                       t_ns == DELIVER_NOW ? ndisdma_machine_now(n->m) : t_ns);
}

/* A frame leaves the wire at @t_ns: to the destinations (loopback, peer,
   wire observer, in that order), then counted. */
static inline void deliver(sdnic *n, const uint8_t *frame, size_t len, uint64_t t_ns)
{
    if (n->config & SDNIC_CFG_LOOPBACK)
        (void)rx_accept(n, frame, len);
    if (n->peer || n->cfg.on_wire)
        deliver_out(n, frame, len, t_ns);
    n->st.tx_frames++;
    n->st.tx_bytes += len;
}

static void wire_done(ndisdma_machine *m, void *ctx);

/* Put the TX FIFO's head frame on the wire from @t_start. */
static void wire_start(sdnic *n, uint64_t t_start)
{
    n->wire_busy = true;
    n->wire_end = t_start + wire_ns(n, n->tx.len[n->tx.head]);
    (void)ndisdma_timer_schedule(n->m, &n->wire_timer, n->wire_end, wire_done, n);
}

/* Wire timer: the head frame has occupied its line time. */
static void wire_done(ndisdma_machine *m, void *ctx)
{
    sdnic *n = ctx;
    (void)m;
    frame_ring *r = &n->tx;
    n->wire_busy = false;
    if (r->count == 0)
        return;
    const uint64_t t = n->wire_end;
    deliver(n, ring_slot(r, r->head), r->len[r->head], t);
    ring_pop(r);
    if (r->count > 0)
        wire_start(n, t);
}

/* ---- DMA operations ---- */

/*
 * Staging. A transmit whose frame comes in more than one DMA callback is
 * assembled somewhere. With no line time, loopback only (no peer, no wire
 * observer) and the receiver on with room, the frame is going to be copied
 * into the RX FIFO's tail slot the moment it is whole (deliver, rx_accept),
 * so the callbacks write it there at once (tx_fill) and tx_complete
 * delivers it in place (tx_deliver_staged): one copy instead of two. The
 * slot is not part of the FIFO until then: RXCOUNT, RXLEN and the status do
 * not see it. Whatever could make the result differ from the unstaged path
 * undoes the staging first: a frame arriving in the RX FIFO mid-transmit
 * (sdnic_inject, a peer) takes the tail slot, so rx_accept moves the partial
 * frame to the transmit's own slot (tx_unstage) before it writes; a register
 * change (loopback, receiver off) is checked at the end, and the frame is
 * then copied and delivered as without staging. An abort or reset drops the
 * staging with the operation.
 */
static bool tx_can_stage(const sdnic *n)
{
    return n->cfg.line_rate_bps == 0 && (n->config & SDNIC_CFG_LOOPBACK) && !n->peer &&
           !n->cfg.on_wire && n->rx_on && n->rx.count < n->rx.cap;
}

/* Where the bytes of the transmit in progress go: its TX slot, or the RX
   FIFO's tail slot when staged (nothing else moves the tail then). */
static inline uint8_t *tx_fill(const sdnic *n)
{
    return n->op_staged ? ring_slot(&n->rx, ring_tail(&n->rx)) : n->op_slot;
}

/* Move the partial frame of a staged transmit to its own TX slot. */
static void tx_unstage(sdnic *n)
{
    size_t k = n->op_pos < n->op_len ? n->op_pos : n->op_len;
    memcpy(n->op_slot, tx_fill(n), k);
    n->op_staged = false;
}

/* tx_complete of a staged frame (whole, in the RX tail slot): delivered
   where it is (rx_accept finds it in place and does not copy it); if the
   card changed since the staging (tx_can_stage no longer holds), it goes to
   its own slot first and is delivered as an unstaged one. */
static void tx_deliver_staged(sdnic *n, size_t len)
{
    const uint8_t *frame = tx_fill(n);
    if (!tx_can_stage(n)) {
        tx_unstage(n);
        frame = n->op_slot;
    }
    n->op_staged = false;
    deliver(n, frame, len, DELIVER_NOW);
}

/* The transmit DMA took the whole frame; @frame holds its bytes (its TX
   slot, or the controller's buffer during the callback), NULL: a frame in
   pieces (its TX slot, or staged). */
static void tx_complete(sdnic *n, const uint8_t *frame)
{
    const size_t len = n->op_len;
    n->op = OP_NONE;
    dreq(n, false);
    raise_cause(n, SDNIC_ISR_TX_DONE);
    if (!frame) {
        if (n->op_staged) {
            tx_deliver_staged(n, len);
            return;
        }
        frame = n->op_slot;
    }
    if (n->cfg.line_rate_bps == 0) {
        deliver(n, frame, len, DELIVER_NOW);
        return;
    }
    frame_ring *r = &n->tx;
    const size_t i = ring_tail(r);
    if (frame != ring_slot(r, i))
        memcpy(ring_slot(r, i), frame, len);
    r->len[i] = (uint16_t)len;
    r->count++;
    if (!n->wire_busy)
        wire_start(n, ndisdma_machine_now(n->m));
}

/* The receive DMA ended: @status RXS_OK (whole frame) or RXS_TRUNCATED. */
static inline void rx_complete(sdnic *n, uint8_t status)
{
    const size_t len = n->op_len;
    n->op = OP_NONE;
    dreq(n, false);
    rx_ring_pop(&n->rx);
    uint8_t causes = SDNIC_ISR_RX_DONE;
    if (status == SDNIC_RXS_OK) {
        if (n->shift && (len & 1))
            status |= SDNIC_RXS_ODD;
        n->st.rx_frames++;
        n->st.rx_bytes += len;
    } else {
        n->st.rx_truncated++;
        causes |= SDNIC_ISR_RX_ERR;
    }
    n->rxstat = status;
    if (n->rx.count > 0)
        causes |= SDNIC_ISR_RX_READY;
    raise_cause(n, causes);
}

static void tx_go(sdnic *n)
{
    if (n->op != OP_NONE || n->txlen < SDNIC_MIN_FRAME || n->txlen > SDNIC_MAX_FRAME ||
        n->tx.count >= n->tx.cap) {
        raise_cause(n, SDNIC_ISR_TX_ERR);
        return;
    }
    n->op = OP_TX;
    n->op_pos = 0;
    n->op_len = n->txlen;
    n->op_need = bus_bytes(n, n->txlen);
    /* op_slot is set by the first callback of a frame in pieces (the only
       transmits that use it): the TX FIFO's tail cannot move before then,
       as nothing but a transmit adds to the FIFO. */
    n->op_staged = false;
    dreq(n, true);
}

static void rx_go(sdnic *n)
{
    if (n->op != OP_NONE || n->rx.count == 0) {
        raise_cause(n, SDNIC_ISR_RX_ERR);
        return;
    }
    n->op = OP_RX;
    n->op_pos = 0;
    n->op_len = n->rx.len[n->rx.head];
    n->op_need = bus_bytes(n, n->op_len);
    n->op_slot = ring_slot(&n->rx, n->rx.head);
    dreq(n, true);
}

/* CMD_ABORT: a transmit's frame is dropped, a receive's stays at the head. */
static void abort_op(sdnic *n)
{
    if (n->op == OP_NONE)
        return;
    n->op = OP_NONE;
    n->op_staged = false;
    dreq(n, false);
}

/* Power-on state (CMD_RESET, and sdnic_create). Counters are kept. */
static void reset(sdnic *n)
{
    abort_op(n);
    if (n->wire_busy)
        (void)ndisdma_timer_cancel(n->m, &n->wire_timer);
    n->wire_busy = false;
    n->tx.head = n->tx.count = 0;
    n->rx.head = n->rx.count = 0;
    n->isr = 0;
    n->imr = 0;
    irq_update(n, false);
    n->config = n->cfg.loopback ? SDNIC_CFG_LOOPBACK : 0;
    n->rx_on = false;
    n->txlen = 0;
    n->rxstat = 0;
    memcpy(n->mac, n->cfg.mac, sizeof n->mac);
}

/* ---- DMA device callbacks ---- */

/* memory -> card: the frame of a transmit. */
static size_t dma_to_device(void *ctx, unsigned channel, const uint8_t *data, size_t len)
{
    sdnic *n = ctx;
    (void)channel;
    if (n->op != OP_TX)
        return 0; /* not expecting data: the channel stalls */
    const size_t pos = n->op_pos, left = n->op_need - pos;
    const size_t take = len < left ? len : left;
    n->st.dma_units += take >> n->shift;
    if (pos == 0 && take == left && n->cfg.line_rate_bps == 0) {
        /* The whole frame in one call, delivered at once: no copy into the
           TX FIFO. */
        n->op_pos = take;
        tx_complete(n, data);
        return take;
    }
    if (pos == 0) { /* the first part of a transmit in pieces (see Staging) */
        n->op_slot = ring_slot(&n->tx, ring_tail(&n->tx));
        n->op_staged = tx_can_stage(n);
    }
    if (pos < n->op_len) {
        size_t k = n->op_len - pos;
        if (k > take)
            k = take;
        memcpy(tx_fill(n) + pos, data, k);
    }
    n->op_pos = pos + take;
    if (n->op_pos == n->op_need)
        tx_complete(n, NULL);
    return take;
}

/* Does the controller reach terminal count with the @give bytes of this
   from_device call on @channel? Out of line: rare (see dma_from_device). */
static __attribute__((noinline)) bool rx_ends_at_tc(const sdnic *n, unsigned channel, size_t give)
{
    ndisdma_dma_channel_state cs;
    return ndisdma_dma_get_channel(n->m, channel, &cs) == 0 &&
           (give >> n->shift) == (size_t)cs.current_count + 1u;
}

/* card -> memory: the head frame of the RX FIFO. */
static size_t dma_from_device(void *ctx, unsigned channel, uint8_t *data, size_t len)
{
    sdnic *n = ctx;
    if (n->op != OP_RX)
        return 0; /* nothing to give: the channel stalls */
    const size_t pos = n->op_pos, left = n->op_need - pos;
    const size_t give = len < left ? len : left;
    size_t k = 0;
    if (pos < n->op_len) {
        k = n->op_len - pos;
        if (k > give)
            k = give;
    }
    if (k < give)
        data[k] = 0; /* pad byte of an odd frame on a 16-bit channel */
    n->op_pos = pos + give;
    n->st.dma_units += give >> n->shift;
    /* The frame's bytes last (they and the pad byte do not overlap; nothing
       above reads them), so that fewer values live across the copy. */
    memcpy(data, n->op_slot + pos, k);
    if (n->op_pos == n->op_need) {
        /* End of frame. Before the controller's terminal count, the card
           pulses EOP: the transfer ends after the units of this call. A
           call offered more than the frame's rest ends before the last unit
           offered, so before terminal count (the controller never offers
           units past it); only a call that takes all it was offered needs
           the channel's count to tell. */
        if (give < len || !rx_ends_at_tc(n, channel, give))
            ndisdma_dma_eop(n->m, channel);
        rx_complete(n, SDNIC_RXS_OK);
    }
    return give;
}

/* Terminal count (or EOP) on the card's channel. */
static void dma_terminal_count(void *ctx, unsigned channel)
{
    sdnic *n = ctx;
    (void)channel;
    if (n->op == OP_TX) {
        /* The buffer ended before TXLEN bytes: the frame is dropped. */
        n->op = OP_NONE;
        n->op_staged = false;
        dreq(n, false);
        raise_cause(n, SDNIC_ISR_TX_ERR);
    } else if (n->op == OP_RX) {
        /* The receive buffer was shorter than the frame. */
        rx_complete(n, SDNIC_RXS_TRUNCATED);
    }
}

static const ndisdma_dma_device sdnic_dma_ops = {
    .to_device = dma_to_device,
    .from_device = dma_from_device,
    .terminal_count = dma_terminal_count,
};

/* ---- ports ---- */

/* The operation in progress is its status bit. */
static_assert((int)OP_TX == SDNIC_ST_TX_DMA && (int)OP_RX == SDNIC_ST_RX_DMA,
              "enum sdnic_op must match the ST_*_DMA bits");

/* The status register (CMD read). */
static uint8_t status(const sdnic *n)
{
    uint8_t s = (uint8_t)n->op; /* ST_TX_DMA, ST_RX_DMA or 0 */
    if (n->rx_on)
        s |= SDNIC_ST_RX_ON;
    if ((n->config & SDNIC_CFG_LOOPBACK) || n->peer)
        s |= SDNIC_ST_LINK;
    if (n->tx.count >= n->tx.cap)
        s |= SDNIC_ST_TX_FULL;
    if (n->rx.count)
        s |= SDNIC_ST_RX_AVAIL;
    return s;
}

/* Register reads. ISR and the status, which a driver reads on every
   interrupt, and RXSTAT, read on every receive, are tested before the
   decode of the others. */
static uint8_t port_read(void *ctx, uint16_t port)
{
    const sdnic *n = ctx;
    const unsigned reg = (unsigned)(port - n->cfg.io_base);
    if (reg == SDNIC_REG_ISR)
        return n->isr;
    if (reg == SDNIC_REG_CMD)
        return status(n);
    if (reg == SDNIC_REG_RXSTAT)
        return n->rxstat;
    switch (reg) {
    case SDNIC_REG_IMR:
        return n->imr;
    case SDNIC_REG_CONFIG:
        return n->config;
    case SDNIC_REG_TXLEN_LO:
        return (uint8_t)n->txlen;
    case SDNIC_REG_TXLEN_HI:
        return (uint8_t)(n->txlen >> 8);
    case SDNIC_REG_RXLEN_LO:
    case SDNIC_REG_RXLEN_HI: {
        const uint16_t l = n->rx.count ? n->rx.len[n->rx.head] : 0;
        return reg == SDNIC_REG_RXLEN_LO ? (uint8_t)l : (uint8_t)(l >> 8);
    }
    case SDNIC_REG_MAC0:
    case SDNIC_REG_MAC0 + 1:
    case SDNIC_REG_MAC0 + 2:
    case SDNIC_REG_MAC0 + 3:
    case SDNIC_REG_MAC0 + 4:
    case SDNIC_REG_MAC0 + 5:
        return n->mac[reg - SDNIC_REG_MAC0];
    case SDNIC_REG_RXCOUNT:
        return n->rx.count > 255 ? 255 : (uint8_t)n->rx.count;
    case SDNIC_REG_ID:
        return SDNIC_ID;
    case SDNIC_REG_RATE0:
    case SDNIC_REG_RATE1:
    case SDNIC_REG_RATE2:
    case SDNIC_REG_RATE3: {
        uint64_t k = n->cfg.line_rate_bps / 1000u;
        if (k == 0 && n->cfg.line_rate_bps)
            k = 1;
        if (k > UINT32_MAX)
            k = UINT32_MAX;
        return (uint8_t)(k >> (8u * (reg - SDNIC_REG_RATE0)));
    }
    case SDNIC_REG_WIDTH:
        return (uint8_t)(1u << n->shift);
    default:
        return 0xFF;
    }
}

/* A command write, any bits: reset alone, or the others in their order.
   Out of line, so that port_write, whose usual commands are a lone TX_GO or
   RX_GO (tail calls), needs no stack frame. */
static __attribute__((noinline)) void write_cmd_general(sdnic *n, uint8_t v)
{
    if (v & SDNIC_CMD_RESET) {
        reset(n);
        return;
    }
    if (v & SDNIC_CMD_ABORT)
        abort_op(n);
    if (v & SDNIC_CMD_RX_ENABLE)
        n->rx_on = true;
    if (v & SDNIC_CMD_RX_DISABLE)
        n->rx_on = false;
    if (v & SDNIC_CMD_TX_GO)
        tx_go(n);
    if (v & SDNIC_CMD_RX_GO)
        rx_go(n);
}

static inline void write_cmd(sdnic *n, uint8_t v)
{
    /* A lone TX_GO or RX_GO, what a driver writes per frame: the one command
       bit that acts (the general order runs that one only). */
    if (v == SDNIC_CMD_TX_GO)
        tx_go(n);
    else if (v == SDNIC_CMD_RX_GO)
        rx_go(n);
    else
        write_cmd_general(n, v);
}

/* Register writes. ISR, CMD and TXLEN, which a driver writes on every
   frame, are tested before the decode of the others. */
static void port_write(void *ctx, uint16_t port, uint8_t v)
{
    sdnic *n = ctx;
    const unsigned reg = (unsigned)(port - n->cfg.io_base);
    if (reg == SDNIC_REG_ISR) {
        const uint8_t before = n->isr & n->imr;
        n->isr &= (uint8_t)~v;
        irq_update(n, (before & ~(n->isr & n->imr)) != 0);
        return;
    }
    if (reg == SDNIC_REG_CMD) {
        write_cmd(n, v);
        return;
    }
    /* TXLEN, written on every transmit, before the decode of the rest. */
    if (reg == SDNIC_REG_TXLEN_LO) {
        n->txlen = (uint16_t)((n->txlen & 0xFF00u) | v);
        return;
    }
    if (reg == SDNIC_REG_TXLEN_HI) {
        n->txlen = (uint16_t)((n->txlen & 0x00FFu) | ((unsigned)v << 8));
        return;
    }
    switch (reg) {
    case SDNIC_REG_IMR: {
        const uint8_t before = n->isr & n->imr;
        n->imr = v & SDNIC_ISR_ALL;
        irq_update(n, (before & ~(n->isr & n->imr)) != 0);
        break;
    }
    case SDNIC_REG_CONFIG:
        n->config = v & SDNIC_CFG_LOOPBACK;
        break;
    case SDNIC_REG_MAC0:
    case SDNIC_REG_MAC0 + 1:
    case SDNIC_REG_MAC0 + 2:
    case SDNIC_REG_MAC0 + 3:
    case SDNIC_REG_MAC0 + 4:
    case SDNIC_REG_MAC0 + 5:
        n->mac[reg - SDNIC_REG_MAC0] = v;
        break;
    default:
        break; /* read-only and unused registers ignore writes */
    }
}

static const ndisdma_io_handler sdnic_io_ops = {
    .read8 = port_read,
    .write8 = port_write,
};

/* ---- host API ----
 * The contracts (parameters, return codes, ownership) are in sdnic.h; all
 * of these run on the machine's thread, from host code. sdnic_create and
 * sdnic_destroy must not be called from a callback of the machine (attach
 * and detach refuse it); sdnic_inject, sdnic_get_stats and
 * sdnic_resources_of may be.
 */

/* sdnic_config_init - the defaults of sdnic.h into @c (NULL: no-op). */
void sdnic_config_init(sdnic_config *c)
{
    if (!c)
        return;
    *c = (sdnic_config){
        .io_base = 0x300,
        .irq = 10,
        .dma_channel = 3,
        .line_rate_bps = 10000000u,
        .loopback = true,
        .mac = {0x02, 0x00, 0x5D, 0x00, 0x00, 0x01},
        .rx_fifo_frames = 16,
        .tx_fifo_frames = 2,
        .on_wire = NULL,
        .wire_ctx = NULL,
    };
}

static void free_card(sdnic *n)
{
    free(n->tx.data);
    free(n->tx.len);
    free(n->rx.data);
    free(n->rx.len);
    free(n);
}

static bool ring_alloc(frame_ring *r, size_t cap)
{
    r->cap = cap;
    r->data = calloc(cap, SLOT_BYTES);
    r->len = calloc(cap, sizeof *r->len);
    return r->data && r->len;
}

/* sdnic_create - validate, allocate both FIFOs once, map the ports, attach
   to the channel, power-on state. Errors of ndisdma_io_map (EBUSY, ENOSPC)
   and ndisdma_dma_attach (EBUSY) are returned as they are; everything done
   before a failure is undone. */
int sdnic_create(ndisdma_machine *m, const sdnic_config *c, sdnic **out)
{
    if (out)
        *out = NULL;
    if (!m || !out)
        return NDISDMA_EINVAL;
    sdnic_config cfg;
    if (c)
        cfg = *c;
    else
        sdnic_config_init(&cfg);
    if (cfg.dma_channel == NDISDMA_DMA_CASCADE_CHANNEL || cfg.dma_channel >= NDISDMA_DMA_CHANNELS)
        return NDISDMA_EINVAL;
    if (cfg.irq == NDISDMA_IRQ_CASCADE_LINE || cfg.irq >= NDISDMA_IRQ_LINES)
        return NDISDMA_EINVAL;
    if ((uint32_t)cfg.io_base + SDNIC_IO_LENGTH > 0x10000u)
        return NDISDMA_EINVAL;
    if (cfg.rx_fifo_frames == 0 || cfg.tx_fifo_frames == 0)
        return NDISDMA_EINVAL;

    sdnic *n = calloc(1, sizeof *n);
    if (!n)
        return NDISDMA_ENOMEM;
    n->m = m;
    n->cfg = cfg;
    n->shift = cfg.dma_channel > NDISDMA_DMA_CASCADE_CHANNEL ? 1u : 0u;
    ndisdma_timer_init(&n->wire_timer);
    if (!ring_alloc(&n->tx, cfg.tx_fifo_frames) || !ring_alloc(&n->rx, cfg.rx_fifo_frames)) {
        free_card(n);
        return NDISDMA_ENOMEM;
    }
    const int id = ndisdma_io_map(m, cfg.io_base, SDNIC_IO_LENGTH, &sdnic_io_ops, n);
    if (id < 0) {
        free_card(n);
        return id;
    }
    n->io_id = id;
    const int rc = ndisdma_dma_attach(m, cfg.dma_channel, &sdnic_dma_ops, n);
    if (rc < 0) {
        (void)ndisdma_io_unmap(m, id);
        free_card(n);
        return rc == NDISDMA_ECHANNEL ? NDISDMA_EINVAL : rc;
    }
    n->attached = true;
    reset(n);
    *out = n;
    return 0;
}

/* sdnic_destroy - unlink the peer, cancel the wire, detach, unmap, lower
   the IRQ line, free. */
void sdnic_destroy(sdnic *n)
{
    if (!n)
        return;
    if (n->peer) {
        n->peer->peer = NULL;
        n->peer = NULL;
    }
    if (n->wire_busy)
        (void)ndisdma_timer_cancel(n->m, &n->wire_timer);
    if (n->attached)
        (void)ndisdma_dma_detach(n->m, n->cfg.dma_channel);
    if (n->io_id > 0)
        (void)ndisdma_io_unmap(n->m, n->io_id);
    if (n->irq_level)
        ndisdma_irq_set(n->m, n->cfg.irq, false);
    free_card(n);
}

/* sdnic_inject - a frame from the wire now; @frame is copied. */
int sdnic_inject(sdnic *n, const void *frame, size_t len)
{
    if (!n || !frame || len == 0 || len > SDNIC_MAX_FRAME)
        return NDISDMA_EINVAL;
    return rx_accept(n, frame, len);
}

/* sdnic_connect - crossed wire between @a and @b (undone by destroy). */
int sdnic_connect(sdnic *a, sdnic *b)
{
    if (!a || !b || a == b)
        return NDISDMA_EINVAL;
    if (a->peer || b->peer)
        return NDISDMA_EBUSY;
    a->peer = b;
    b->peer = a;
    return 0;
}

/* sdnic_get_stats - copy the counters into caller-owned @out. */
int sdnic_get_stats(const sdnic *n, sdnic_stats *out)
{
    if (!n || !out)
        return NDISDMA_EINVAL;
    *out = n->st;
    return 0;
}

/* sdnic_resources_of - the card's resources; NULL @n or NULL outputs are
   skipped. */
void sdnic_resources_of(const sdnic *n, int *dma_channel, int *irq, uint16_t *io_base,
                        uint16_t *io_length)
{
    if (!n)
        return;
    if (dma_channel)
        *dma_channel = (int)n->cfg.dma_channel;
    if (irq)
        *irq = (int)n->cfg.irq;
    if (io_base)
        *io_base = n->cfg.io_base;
    if (io_length)
        *io_length = SDNIC_IO_LENGTH;
}
