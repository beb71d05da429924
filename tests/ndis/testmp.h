/*
 * A test miniport written only against <ndis.h>: what a driver of a
 * subordinate-DMA ISA NIC does in DriverEntry, MiniportInitializeEx and
 * MiniportHaltEx, with knobs that let a test make it misbehave, and records
 * of what it saw. The host tests load it through <ndisdma/host.h>.
 *
 * The driver's DriverEntry has a fixed signature, so the test hands it its
 * configuration with testmp_use() before ndisdma_driver_load (test code
 * only, one test at a time).
 */
#ifndef NDISDMA_TESTS_TESTMP_H
#define NDISDMA_TESTS_TESTMP_H

#include <ndis.h>

typedef struct testmp_config {
    /* DriverEntry */
    BOOLEAN skip_register; /* DriverEntry does not call NdisMRegisterMiniportDriver */
    NTSTATUS entry_status; /* what DriverEntry returns when registration worked */
    void (*tweak_chars)(PNDIS_MINIPORT_DRIVER_CHARACTERISTICS c);
    NDIS_STATUS register_status; /* out: NdisMRegisterMiniportDriver's status */
    NDIS_HANDLE driver_handle;   /* out */
    BOOLEAN unload_no_deregister;
    int unloads;

    /* MiniportInitializeEx */
    BOOLEAN skip_reg_attrs;
    BOOLEAN dma_before_attrs; /* register the DMA channel before the attributes */
    BOOLEAN set_gen_attrs;
    BOOLEAN register_dma;
    UINT dma_channel;
    BOOLEAN dma32;
    NDIS_DMA_DESCRIPTION desc;
    ULONG max_len;
    NDIS_STATUS dma_status; /* out */
    NDIS_HANDLE dma;        /* out: MiniportDmaHandle */
    BOOLEAN register_interrupt;
    NDIS_STATUS int_status; /* out */
    NDIS_HANDLE interrupt;  /* out */
    BOOLEAN register_ports;
    NDIS_STATUS port_status; /* out */
    PVOID port_base;         /* out */
    BOOLEAN alloc_timer;
    NDIS_STATUS timer_status;   /* out */
    NDIS_HANDLE timer;          /* out */
    NDIS_STATUS init_result;    /* what MiniportInitializeEx returns */
    BOOLEAN release_on_failure; /* a failing init releases what it registered */
    BOOLEAN halt_leaks;         /* MiniportHaltEx deregisters nothing */
    BOOLEAN halt_in_transfer;   /* MiniportHaltEx deregisters DMA with a transfer set up */

    /* what the driver saw */
    int inits, halts;
    KIRQL init_irql, halt_irql;
    NDIS_HANDLE adapter_handle;
    ULONG res_count;
    CM_PARTIAL_RESOURCE_DESCRIPTOR res[4];

    /* interrupts: the ISR claims and queues its DPC as told */
    BOOLEAN isr_claims, isr_queue_dpc;
    int isrs, dpcs;
    KIRQL isr_irql, dpc_irql;
    /* timers */
    int timer_calls;
    KIRQL timer_irql;
    PVOID timer_context;

    /* test hooks (may be NULL), called from the ISR, DPC and timer */
    void *hook_ctx;
    void (*on_isr)(void *hook_ctx);
    void (*on_dpc)(void *hook_ctx);
    void (*on_timer)(void *hook_ctx);
} testmp_config;

/* The configuration the next ndisdma_driver_load uses (NULL: defaults). */
void testmp_use(testmp_config *cfg);
/* A default configuration: registers everything it is asked to; DMA on
   channel 3, demand mode, 8-bit, MaximumLength 4096. */
void testmp_defaults(testmp_config *cfg);

DRIVER_INITIALIZE testmp_DriverEntry;

/* The timer function context the driver sets in its characteristics. */
#define TESTMP_TIMER_CONTEXT ((PVOID)0x7E57)

#endif /* NDISDMA_TESTS_TESTMP_H */
