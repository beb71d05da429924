/*
 * The PC/AT system DMA: two 8237A controllers, page registers and cascade.
 *
 * Concept (IBM 5170 Technical Reference, spec/i8237.md H1-H5, H16-H17):
 * controller 1 (channels 0-3, bytes) decodes ports 0x00-0x0F; controller 2
 * (channels 4-7, 16-bit words) decodes the even ports 0xC0-0xDE, its A0-A3
 * wired to SA1-SA4. Controller 2 is the master: controller 1's hold request
 * enters its channel 0 (system channel 4), which must be in cascade mode and
 * unmasked for channels 0-3 to get the bus. Each channel has an 8-bit page
 * register that supplies the address bits above the 8237's 16: A16-A23 on
 * channels 0-3, A17-A23 on channels 5-7, whose address counts words.
 * The two controllers are two instances of one nd_i8237, differing only in
 * their `shift`; nothing here is written twice for the two.
 */
#ifndef ND_HW_ATDMA_H
#define ND_HW_ATDMA_H

#include <stdbool.h>
#include <stdint.h>

#include <ndisdma/dma.h>

#include "hw/i8237.h"

typedef struct nd_dma_dev {
    ndisdma_dma_device d;
    void *ctx;
    bool attached;
} nd_dma_dev;

typedef struct nd_atdma {
    nd_i8237 ctl[2];  /* [0] controller 1 (slave, 0-3), [1] controller 2 (master, 4-7) */
    uint8_t page[16]; /* ports 0x80-0x8F */
    nd_dma_dev dev[8];
} nd_atdma;

/* Index into page[] (port - 0x80) of each channel's page register (H3). */
extern const uint8_t nd_at_page_index[8];

/* Power-on state the BIOS leaves (H5). */
void nd_atdma_init(nd_atdma *d);

static inline nd_i8237 *nd_atdma_ctl(nd_atdma *d, unsigned ch)
{
    return &d->ctl[ch >> 2];
}

/* True when controller 1 is asking the master for the bus (its HRQ). */
bool nd_atdma_slave_hrq(const nd_atdma *d);

/* Refresh the master's DREQ0 input (the cascade) from the slave's HRQ. */
void nd_atdma_sync_cascade(nd_atdma *d);

/* The channel that gets the bus now (0-3, 5-7), or -1. *@alone is set when
   it was the only candidate at every level of arbitration (and left alone
   with -1). The usual case (the master enabled under fixed priority, with no
   request of its own) is answered from the slave's requests alone;
   everything else goes to nd_atdma_arbitrate_full, which gives the same
   answer for any state (tests/hw/test_fast_paths.c). */
int nd_atdma_arbitrate(nd_atdma *d, bool *alone);
int nd_atdma_arbitrate_full(const nd_atdma *d, bool *alone) __attribute__((noinline));

/* Physical address of the unit at 16-bit address @addr of channel @ch
   (H16, H17): page << 16 | addr on 0-3, (page & 0xFE) << 16 | addr << 1 on 5-7. */
static inline uint64_t nd_atdma_phys(const nd_atdma *d, unsigned ch, uint16_t addr)
{
    unsigned shift = d->ctl[ch >> 2].shift;
    uint64_t page = d->page[nd_at_page_index[ch]] & (uint8_t) ~((1u << shift) - 1u);
    return page << 16 | (uint64_t)addr << shift;
}

#endif /* ND_HW_ATDMA_H */
