/*
 * <ndisdma/dma.h> - devices on the ISA system DMA channels.
 *
 * A device model attaches to a channel (0-3: 8-bit, on controller 1; 5-7:
 * 16-bit, on controller 2; 4 is the cascade) and drives the channel's DREQ
 * line. When the controller grants the channel it calls the device's data
 * callback with a run of units in transfer order. The names and semantics of
 * ndisdma_dma_device and ndisdma_dma_attach/detach/request/eop/run are fixed
 * by spec/host-api.md; ndisdma_dma_get_channel is the project's addition.
 */
#ifndef NDISDMA_DMA_H
#define NDISDMA_DMA_H

#include <ndisdma/machine.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NDISDMA_DMA_CHANNELS        8
#define NDISDMA_DMA_CASCADE_CHANNEL 4

typedef struct ndisdma_dma_device {
    /* memory -> device (8237 read transfer). data[i] is the i-th byte in
       transfer order (descending addresses when decrementing). Returns the
       bytes the device took. */
    size_t (*to_device)(void *ctx, unsigned channel, const uint8_t *data, size_t len);
    /* device -> memory (8237 write transfer). Fills data[0..len) in transfer
       order. Returns the bytes the device gave; it must not write past them. */
    size_t (*from_device)(void *ctx, unsigned channel, uint8_t *data, size_t len);
    /* terminal count (EOP) on this channel, called after status, count,
       address, mask and autoinitialize reload are updated. May be NULL. */
    void (*terminal_count)(void *ctx, unsigned channel);
} ndisdma_dma_device;

/*
 * ndisdma_dma_attach - plug a device into @channel.
 * @dev: copied; a NULL to_device or from_device makes that direction behave
 *       as without a device. @ctx: passed to every callback, caller-owned.
 * Returns 0, NDISDMA_EINVAL (NULL @dev), NDISDMA_ECHANNEL (channel 4 or > 7)
 * or NDISDMA_EBUSY (the channel already has a device). Not from a callback.
 */
int ndisdma_dma_attach(ndisdma_machine *m, unsigned channel, const ndisdma_dma_device *dev,
                       void *ctx);

/*
 * ndisdma_dma_detach - unplug the device of @channel and drop its DREQ.
 * Returns 0, NDISDMA_ECHANNEL or NDISDMA_ENODEV. Not from a callback.
 */
int ndisdma_dma_detach(ndisdma_machine *m, unsigned channel);

/*
 * ndisdma_dma_request - drive the DREQ line of @channel (0-3, 5-7; others are
 * ignored and reported as illegal). Asserting also ends a stall caused by a
 * short device return. Callable from device callbacks.
 */
void ndisdma_dma_request(ndisdma_machine *m, unsigned channel, bool asserted);

/*
 * ndisdma_dma_eop - pulse the external EOP line for @channel. Honoured only
 * from the channel's own data callback, after the units that callback moved;
 * it then ends the transfer as terminal count does (H25). Outside service it
 * is ignored and traced.
 */
void ndisdma_dma_eop(ndisdma_machine *m, unsigned channel);

/*
 * ndisdma_dma_run - serve DMA requests by priority until no channel can move
 * or @max_units units have moved (0 = no limit). Ignores bus timing.
 * Returns the units moved (memory-to-memory counts each byte once). A nested
 * call from a device callback does nothing and returns 0.
 */
size_t ndisdma_dma_run(ndisdma_machine *m, size_t max_units);

/* A snapshot of one channel, for tests, debuggers and trace tools. The base
   registers are not readable through the ports; this is the only way to see
   them. */
typedef struct ndisdma_dma_channel_state {
    uint16_t base_address, base_count;
    uint16_t current_address, current_count;
    uint8_t mode; /* mode register bits 7-2 as written, channel bits 0 */
    uint8_t page; /* page register of the channel */
    bool masked;
    bool terminal_count; /* TC status bit (not cleared by this call) */
    bool dreq;           /* hardware DREQ line */
    bool software_request;
    bool block_active; /* a block transfer is in progress */
    bool stalled;      /* waiting for the device to assert DREQ again */
    bool has_device;
    uint64_t next_phys; /* physical address of the next unit */
} ndisdma_dma_channel_state;

/*
 * ndisdma_dma_get_channel - snapshot of @channel (0-7) without side effects
 * (no flip-flop toggle, no status clear). Returns 0, NDISDMA_EINVAL or
 * NDISDMA_ECHANNEL.
 */
int ndisdma_dma_get_channel(const ndisdma_machine *m, unsigned channel,
                            ndisdma_dma_channel_state *out);

/* Controller-wide snapshot: index 0 = controller 1 (channels 0-3). */
typedef struct ndisdma_dma_controller_state {
    uint8_t command;
    uint8_t status;  /* as a status read would return it, without clearing */
    uint8_t mask;    /* bits 0-3 */
    uint8_t request; /* software request bits 0-3 */
    uint8_t temporary;
    bool flipflop; /* true: next access is the high byte */
} ndisdma_dma_controller_state;

int ndisdma_dma_get_controller(const ndisdma_machine *m, unsigned index,
                               ndisdma_dma_controller_state *out);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_DMA_H */
