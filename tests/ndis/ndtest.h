/*
 * Shared helpers of the NDIS host and DMA tests (spec/ndis-system-dma.md
 * N1-N27, the miniport host of issue 5 section 4).
 *
 * Concept: each test gets a machine (placement of its choice), the test
 * miniport (testmp.c, <ndis.h> only) loaded through <ndisdma/host.h>, and an
 * adapter started with a DMA channel, an IRQ and a port range. The test
 * thread stays bound to the machine so that it can call DDIs itself at
 * PASSIVE_LEVEL with the handles the driver stored, as host-api.md allows.
 * The test plays the NIC: a device model on the DMA channel that receives
 * (to_device) into a FIFO and sends (from_device) a known pattern, up to a
 * limit, so that short transfers are observable.
 */
#ifndef NDISDMA_TESTS_NDTEST_H
#define NDISDMA_TESTS_NDTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ndisdma/dma.h>
#include <ndisdma/host.h>

#include "testmp.h"

typedef struct ndt_dev {
    ndisdma_machine *m;
    unsigned ch;
    uint8_t rx[65536]; /* bytes the device received, in order */
    size_t rx_len;
    uint32_t seed; /* from_device gives ndt_pat(seed, tx_pos + i) */
    size_t tx_pos;
    size_t tx_limit; /* bytes the device gives in all (SIZE_MAX: no limit) */
    size_t tcs;
} ndt_dev;

typedef struct ndt {
    ndisdma_machine *m;
    testmp_config cfg;
    ndisdma_driver *drv;
    ndisdma_adapter *ad;
    ndisdma_resources res;
    ndt_dev dev;
    bool dev_attached;
} ndt;

static inline uint8_t ndt_pat(uint32_t seed, size_t i)
{
    return (uint8_t)((uint32_t)i * 151u + ((uint32_t)i >> 8) * 37u + seed * 17u + 3u);
}

/* A machine with @placement, thread bound; cfg = testmp defaults, res =
   channel 3, IRQ 5, ports 0x300-0x31F. Nothing loaded. */
void ndt_init(ndt *t, ndisdma_placement placement);
/* Load the driver (asserts success). */
void ndt_load(ndt *t);
/* Load and start with the DMA channel registered (asserts success). */
void ndt_start(ndt *t);
/* Stop, unload, destroy (whatever is live). */
void ndt_fini(ndt *t);

/* Attach the device model to @ch. */
void ndt_dev_attach(ndt *t, unsigned ch);
/* The same, with @tc(&t->dev, ch) as its terminal-count callback (it must
   count t->dev.tcs itself). */
void ndt_dev_attach_tc(ndt *t, unsigned ch, void (*tc)(void *ctx, unsigned ch));

/* A buffer described by an MDL: nonpaged RAM (placed by the policy) or
   plain host memory (phantom frames: always bounced). */
typedef struct ndt_buf {
    uint8_t *va;
    size_t len;
    PMDL mdl;
    void *host;
    void *ram;
} ndt_buf;
void ndt_buf_ram(ndt *t, ndt_buf *b, size_t len);
void ndt_buf_host(ndt *t, ndt_buf *b, size_t len);
void ndt_buf_free(ndt *t, ndt_buf *b);

/* Violations since @mark: the last names @ddi and contains @needle. */
uint64_t ndt_expect_violation(ndt *t, uint64_t mark, const char *ddi, const char *needle);
void ndt_expect_no_violation(ndt *t, uint64_t mark);
uint64_t ndt_mark(ndt *t);

#endif /* NDISDMA_TESTS_NDTEST_H */
