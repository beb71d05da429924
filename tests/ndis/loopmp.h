/*
 * A loopback NDIS 6 test miniport written only against <ndis.h>, for the
 * data-path tests: every frame sent to it comes back as a receive
 * indication, copied into an NBL of its own receive pool (NBL pool with
 * DataSize). Work is deferred to an NDIS timer object that fires 1 us later
 * at DISPATCH_LEVEL, as a DPC would: it completes the sends, indicates the
 * receives, and completes what was pended (OID requests, pause, restart).
 * Its pause waits, as NDIS requires, for its sends to be completed and its
 * receive NBLs to come back. Knobs make it complete inline, pend, fail, or
 * break the data-path rules; counters record what it saw.
 *
 * As with testmp, DriverEntry has a fixed signature: the test hands the
 * configuration over with loopmp_use() before ndisdma_driver_load.
 */
#ifndef NDISDMA_TESTS_LOOPMP_H
#define NDISDMA_TESTS_LOOPMP_H

#include <ndis.h>

#define LOOPMP_RX_MAX 64 /* receive NBLs at most */

typedef struct loopmp_config {
    /* behaviour */
    BOOLEAN complete_inline; /* complete sends inside MiniportSendNetBufferLists */
    BOOLEAN no_loop;         /* do not indicate what was sent */
    BOOLEAN rx_resources;    /* indicate with NDIS_RECEIVE_FLAGS_RESOURCES */
    BOOLEAN pend_oid;        /* OID requests pend; completed by the timer */
    BOOLEAN never_complete_oid;
    BOOLEAN pend_pause;  /* pause pends until sends are done and receives are back */
    BOOLEAN pause_early; /* pause completes at once even with NBLs out (a violation) */
    BOOLEAN pend_restart;
    BOOLEAN pend_reset; /* MiniportResetEx pends; completed by the timer */
    BOOLEAN never_complete_reset;
    BOOLEAN addressing_reset; /* what the reset says of the addresses */
    NDIS_STATUS reset_status; /* what the reset ends with (default SUCCESS) */
    int resets;
    NDIS_STATUS restart_status; /* what the restart ends with */
    BOOLEAN hold_sends;         /* keep sends until loopmp_flush_sends */
    ULONG rx_count;             /* receive NBLs (default 8, at most LOOPMP_RX_MAX) */
    ULONG rx_size;              /* bytes of each (default 2048) */
    UCHAR mac[6];               /* OID_802_3_CURRENT_ADDRESS / PERMANENT_ADDRESS */

    /* what the driver saw */
    NDIS_HANDLE driver_handle, adapter_handle, rx_pool;
    PVOID context; /* the MiniportAdapterContext */
    int inits, halts, pauses, restarts, oids, send_calls, return_calls;
    ULONG nbls_sent, nbls_returned, rx_dropped;
    KIRQL send_irql, return_irql;
    ULONG send_flags, return_flags;
    ULONG rx_out; /* receive NBLs indicated and not returned */
    NDIS_OID last_oid;
    ULONG packet_filter; /* set by OID_GEN_CURRENT_PACKET_FILTER */
} loopmp_config;

/* The configuration the next ndisdma_driver_load uses (NULL: defaults). */
void loopmp_use(loopmp_config *cfg);
/* Defaults: loops back, 8 receive NBLs of 2048 bytes, nothing pended. */
void loopmp_defaults(loopmp_config *cfg);
/* Complete every send it holds (hold_sends), at the caller's IRQL. */
void loopmp_flush_sends(loopmp_config *cfg);

DRIVER_INITIALIZE loopmp_DriverEntry;

#endif /* NDISDMA_TESTS_LOOPMP_H */
