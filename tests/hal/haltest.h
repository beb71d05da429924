/*
 * Shared helpers of the HAL tests (spec/ndis-system-dma.md N3, N4, N14,
 * N17, N19, N22, N23; the WDK rules of AllocateAdapterChannel).
 *
 * Concept: each test gets a machine whose placement policy it chooses, with
 * the test thread bound to it (so DDIs act on it) and a DEVICE_OBJECT for
 * IoGetDmaAdapter. Buffers come in the shapes the HAL must tell apart:
 * nonpaged RAM placed by the policy (low: direct; high: bounced), plain
 * host memory (phantom frames above 4 GiB: bounced), and MDLs whose frame
 * array the test writes itself (scattered pages, ranges across a 64 KiB or
 * 128 KiB boundary, addresses chosen to check the 16-bit address
 * arithmetic). A device model plays the NIC on a channel; a port recorder
 * keeps the port traffic so tests can check what the HAL programmed.
 * Every helper asserts with cmocka.
 */
#ifndef NDISDMA_TESTS_HALTEST_H
#define NDISDMA_TESTS_HALTEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ndisdma/dma.h>
#include <ndisdma/errors.h>
#include <ndisdma/kernel.h>
#include <ndisdma/machine.h>
#include <wdm.h>

#include "hal/hal.h"
#include "kernel/kernel.h"

typedef struct halt {
    ndisdma_machine *m;
    nd_kernel *k;
    nd_hal *h;
    PDEVICE_OBJECT pdo;
} halt;

/* A machine with @placement and @ram_bytes (0 = default), thread bound,
   a device object. */
void halt_init(halt *t, ndisdma_placement placement, uint64_t ram_bytes);
void halt_fini(halt *t);

/* --- adapters --- */

/* A valid description of a subordinate ISA device on @ch. */
DEVICE_DESCRIPTION halt_desc(unsigned ch, ULONG max_len);
/* IoGetDmaAdapter at PASSIVE_LEVEL; asserts success. */
PDMA_ADAPTER halt_adapter(halt *t, const DEVICE_DESCRIPTION *d, ULONG *nregs);
static inline PDMA_OPERATIONS halt_ops(PDMA_ADAPTER a)
{
    return a->DmaOperations;
}

/* What an execution routine saw. */
typedef struct halt_grant {
    int calls;
    PDEVICE_OBJECT dev;
    PIRP irp;
    PVOID base;
    PVOID context;
    KIRQL irql;
    IO_ALLOCATION_ACTION action; /* what the routine returns */
} halt_grant;

/* DRIVER_CONTROL that records into the halt_grant its Context points at. */
IO_ALLOCATION_ACTION halt_exec(PDEVICE_OBJECT dev, PIRP irp, PVOID base, PVOID ctx);

/* AllocateAdapterChannel at DISPATCH_LEVEL with halt_exec and @g. */
NTSTATUS halt_alloc(halt *t, PDMA_ADAPTER a, ULONG nregs, halt_grant *g,
                    IO_ALLOCATION_ACTION action);
/* FreeAdapterChannel / FreeMapRegisters at DISPATCH_LEVEL. */
void halt_free_channel(PDMA_ADAPTER a);
void halt_free_regs(PDMA_ADAPTER a, PVOID base, ULONG n);

/* --- buffers --- */

typedef struct halt_buf {
    uint8_t *va; /* CurrentVa of the first byte */
    size_t len;
    PMDL mdl;
    void *host;   /* host allocation to free (host and frames kinds) */
    void *ram_va; /* nonpaged allocation to free */
    size_t ram_len;
} halt_buf;

/* @len bytes of nonpaged RAM placed by the machine's policy. */
void halt_buf_ram(halt *t, halt_buf *b, size_t len);
/* @len bytes of plain host memory at page offset @offset (phantom frames). */
void halt_buf_host(halt *t, halt_buf *b, size_t len, size_t offset);
/* An MDL of @len bytes at page offset @offset whose frames are @pfns (RAM
   frames the test picked; their data lives in RAM). */
void halt_buf_frames(halt *t, halt_buf *b, const PFN_NUMBER *pfns, size_t npages, size_t offset,
                     size_t len);
void halt_buf_free(halt *t, halt_buf *b);
/* The bytes of the buffer as the owner sees them (through RAM for RAM
   frames), and writing them. */
void halt_buf_get(halt *t, const halt_buf *b, size_t off, uint8_t *dst, size_t len);
void halt_buf_set(halt *t, const halt_buf *b, size_t off, const uint8_t *src, size_t len);
void halt_buf_fill(halt *t, const halt_buf *b, uint8_t v);
void halt_buf_pattern(halt *t, const halt_buf *b, uint32_t seed);
/* Physical address of byte @off of the buffer. */
uint64_t halt_buf_phys(const halt_buf *b, size_t off);

static inline uint8_t halt_pat(uint32_t seed, size_t i)
{
    return (uint8_t)((uint32_t)i * 131u + ((uint32_t)i >> 8) * 71u + seed * 29u + 1u);
}

/* --- the device --- */

typedef struct halt_dev {
    ndisdma_machine *m;
    unsigned channel;
    uint8_t *rx; /* to_device: bytes received */
    size_t rx_len, rx_cap;
    uint32_t tx_seed; /* from_device: gives halt_pat(tx_seed, tx_pos + i) */
    size_t tx_pos;
    size_t limit; /* bytes the device takes or gives in all (SIZE_MAX: no limit) */
    size_t tcs;
} halt_dev;

void halt_dev_attach(halt *t, halt_dev *d, unsigned ch, size_t rx_cap);
void halt_dev_detach(halt *t, halt_dev *d);

/* --- ports and violations --- */

#define HALT_MAX_IO 4096
typedef struct halt_io {
    uint16_t port[HALT_MAX_IO];
    uint8_t value[HALT_MAX_IO];
    bool write[HALT_MAX_IO];
    size_t n;
    int id;
} halt_io;

void halt_io_start(halt *t, halt_io *io);
void halt_io_stop(halt *t, halt_io *io);
/* Index of the @nth write (0-based) of @port from @from, or -1. */
long halt_io_find_write(const halt_io *io, uint16_t port, size_t from);

/* Asserts that violations were recorded since @mark, the last one naming
   @ddi with @needle in its message. Returns the new count. */
uint64_t halt_expect_violation(halt *t, uint64_t mark, const char *ddi, const char *needle);
/* Asserts no violation since @mark. */
void halt_expect_no_violation(halt *t, uint64_t mark);

/* KeRaiseIrql / KeLowerIrql shortcuts. */
KIRQL halt_raise(KIRQL to);
void halt_lower(KIRQL to);

#endif /* NDISDMA_TESTS_HALTEST_H */
