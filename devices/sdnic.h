/*
 * sdnic.h - the SD-1 system-DMA Ethernet controller on a machine (host side).
 *
 * Concept. A model of a simple ISA Ethernet card that moves frames by system
 * DMA, the way IrDA fast-infrared controllers do: one 8237 channel shared by
 * transmit and receive, a transmit FIFO of frames waiting for the wire, a
 * receive FIFO of frames waiting to be taken by DMA, a block of I/O ports
 * (sdnic_regs.h), and one IRQ line that follows (ISR & IMR) != 0. It plugs
 * into the machine only through ndisdma_io_map, ndisdma_dma_attach and
 * ndisdma_irq_set, plus a device timer for the line rate.
 *
 * Wire. A transmitted frame occupies the wire for
 * (len + SDNIC_WIRE_OVERHEAD) * 8 / line_rate seconds of virtual time, one
 * frame after another; then it is delivered: to the card's own RX FIFO in
 * loopback (CFG_LOOPBACK), to the connected peer's RX FIFO, and to the
 * on_wire tap. With line_rate 0 a frame is delivered as soon as its transmit
 * DMA ends. The full behaviour (DMA, EOP, interrupts, 16-bit channels) is in
 * docs/devices/sdnic.md.
 *
 * Threads. All functions: host code or callbacks on the machine's thread.
 * Nothing here is locked.
 */
#ifndef NDISDMA_SDNIC_H
#define NDISDMA_SDNIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ndisdma/machine.h>

#include "sdnic_regs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sdnic sdnic;

/* Called for every frame that leaves the wire (after its line time), with
   the virtual time it arrived. @frame is valid during the call only. */
typedef void (*sdnic_wire_fn)(void *ctx, const uint8_t *frame, size_t len, uint64_t t_ns);

typedef struct sdnic_config {
    uint16_t io_base;        /* default 0x300; SDNIC_IO_LENGTH ports */
    unsigned irq;            /* default 10 */
    unsigned dma_channel;    /* default 3; 0-3 (8-bit) or 5-7 (16-bit) */
    uint64_t line_rate_bps;  /* default 10000000 (10 Mbit/s); 0 = no limit */
    bool loopback;           /* power-on value of CFG_LOOPBACK; default true */
    uint8_t mac[6];          /* station address; default 02:00:5D:00:00:01 */
    unsigned rx_fifo_frames; /* default 16 */
    unsigned tx_fifo_frames; /* frames waiting for the wire; default 2 */
    sdnic_wire_fn on_wire;   /* tap, may be NULL */
    void *wire_ctx;
} sdnic_config;

/* Counters; they only grow. */
typedef struct sdnic_stats {
    uint64_t tx_frames, tx_bytes; /* frames that left the wire */
    uint64_t tx_errors;           /* ISR_TX_ERR raised */
    uint64_t rx_frames, rx_bytes; /* frames written to memory whole */
    uint64_t rx_truncated;        /* receives that hit terminal count first */
    uint64_t rx_errors;           /* ISR_RX_ERR raised (truncations included) */
    uint64_t rx_overruns;         /* frames dropped: RX FIFO full */
    uint64_t rx_disabled_drops;   /* frames dropped: receiver disabled */
    uint64_t irqs;                /* rising edges of the IRQ line */
    uint64_t dma_units;           /* units moved by DMA, both ways */
} sdnic_stats;

/* sdnic_config_init - the defaults above. @c must not be NULL. */
void sdnic_config_init(sdnic_config *c);

/*
 * sdnic_create - build a card on @m: maps its ports, attaches to its DMA
 * channel, takes its IRQ line (low). @c NULL = defaults; it is copied.
 * @out: receives the card, owned by the caller until sdnic_destroy (which
 * must come before ndisdma_machine_destroy).
 * Returns 0; NDISDMA_EINVAL (NULL @m or @out, channel 4 or above 7, IRQ 2
 * or above 15, ports past 0xFFFF, fifo sizes 0); NDISDMA_EBUSY (ports or
 * DMA channel taken); NDISDMA_ENOMEM. Nothing is left behind on failure.
 */
int sdnic_create(ndisdma_machine *m, const sdnic_config *c, sdnic **out);

/* sdnic_destroy - detach, unmap, cancel the timer, free. NULL: no-op. A
   peer connection is undone. */
void sdnic_destroy(sdnic *n);

/*
 * sdnic_inject - a frame of @len bytes arrives from the wire now (as from a
 * peer): into the RX FIFO if the receiver is enabled and the FIFO has room
 * (RX_READY), else dropped and counted (RX_OVERRUN when full).
 * Returns 0 (taken), NDISDMA_ENOSPC (dropped: FIFO full), NDISDMA_ESTATE
 * (dropped: receiver disabled), NDISDMA_EINVAL (NULL, @len 0 or above
 * SDNIC_MAX_FRAME). @frame is copied.
 */
int sdnic_inject(sdnic *n, const void *frame, size_t len);

/*
 * sdnic_connect - wire @a and @b together (crossed): what one transmits,
 * the other receives. Both may be on different machines driven by one
 * thread; a frame arrives at the receiving machine's current virtual time.
 * Returns 0, NDISDMA_EINVAL (NULL, same card) or NDISDMA_EBUSY (either
 * already connected).
 */
int sdnic_connect(sdnic *a, sdnic *b);

/* sdnic_get_stats - copy the counters into @out. 0 or NDISDMA_EINVAL. */
int sdnic_get_stats(const sdnic *n, sdnic_stats *out);

/* sdnic_resources_of - the card's I/O base, length, IRQ and DMA channel as
   the host API's ndisdma_resources fields (for ndisdma_adapter_start). */
void sdnic_resources_of(const sdnic *n, int *dma_channel, int *irq, uint16_t *io_base,
                        uint16_t *io_length);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_SDNIC_H */
