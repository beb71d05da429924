/*
 * <ndisdma/netif.h> - the host above a started adapter: sending frames to
 * the miniport, receiving what it indicates, OID requests, pause and
 * restart (includes <ndisdma/host.h>).
 *
 * Concept. On Windows, protocol drivers sit above a miniport and NDIS
 * carries NET_BUFFER_LISTs between them. Here the host plays the protocol
 * side: it binds callbacks to an adapter (ndisdma_adapter_bind), sends NBL
 * chains (MiniportSendNetBufferLists), gets them back in its send_complete
 * callback when the miniport calls NdisMSendNetBufferListsComplete, gets
 * received NBLs in its receive callback when the miniport calls
 * NdisMIndicateReceiveNetBufferLists, and returns them
 * (MiniportReturnNetBufferLists). OID requests, pause and restart wait for
 * completion by running the machine when the miniport pends them.
 *
 * Adapter states (NDIS 6): after ndisdma_adapter_start, NDIS restarts the
 * adapter (MiniportRestartEx) so it is Running; if that restart fails (or
 * does not complete within one second: a violation) the adapter stays
 * Paused and ndisdma_adapter_start still returns 0 (see get_state).
 * ndisdma_adapter_pause takes it to Paused (MiniportPause; the miniport
 * completes its sends and waits for its receive NBLs to come back first, so
 * the host returns what it holds before it pauses); ndisdma_adapter_restart
 * back to Running. Sends are accepted only while Running.
 * ndisdma_adapter_stop pauses a Running adapter before MiniportHaltEx, as
 * NDIS does; NBLs still sent or held by the host then are reported (rule
 * nbls-outstanding-at-stop).
 *
 * Ownership. An NBL chain passed to ndisdma_adapter_send is the miniport's
 * until it comes back through send_complete. NBLs indicated without
 * NDIS_RECEIVE_FLAGS_RESOURCES are the host's until ndisdma_adapter_return.
 * The frame pool (below) builds NBLs the way a protocol driver does, in
 * simulated memory placed by the machine's placement policy.
 *
 * Calling context. Functions marked "host" are for host code at
 * PASSIVE_LEVEL (they bind the thread to the machine for the call). The
 * callbacks run on the machine's thread inside the DDI the miniport called,
 * at its IRQL (DISPATCH_LEVEL from a DPC); from them the host may call
 * ndisdma_adapter_send and ndisdma_adapter_return and the frame-pool
 * functions, never ndisdma_machine_run.
 *
 * Reentrancy. A send or return from a callback calls the miniport again
 * from inside its own DDI call (for example MiniportSendNetBufferLists from
 * its receive DPC). NDIS allows this; a miniport must therefore not hold
 * its own spin lock while it calls NdisMIndicateReceiveNetBufferLists or
 * NdisMSendNetBufferListsComplete, as the WDK requires.
 *
 * What is checked (docs/ndis.md "Data path", docs/verifier.md): NDIS knows
 * who holds each NBL (host, miniport, indicated to the host). The
 * miniport's mistakes are verifier reports (nbl-not-held,
 * receive-not-running, receive-count-mismatch, datapath-flags,
 * complete-not-pending, pause-outstanding, ...); the host's mistakes get an
 * error code, and a return of an NBL it does not hold is also reported
 * (return-not-held).
 */
#ifndef NDISDMA_NETIF_H
#define NDISDMA_NETIF_H

#include <stddef.h>
#include <stdint.h>

#include <ndisdma/host.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ndisdma_protocol {
    /* NdisMIndicateReceiveNetBufferLists: a chain of @count NBLs. With
       NDIS_RECEIVE_FLAGS_RESOURCES in @flags they are the miniport's again
       when the callback returns (copy now); otherwise the host gives each
       back with ndisdma_adapter_return, now or later. NULL: every
       indication is returned at once. */
    void (*receive)(void *ctx, ndisdma_adapter *a, PNET_BUFFER_LIST nbls, ULONG count, ULONG flags);
    /* NdisMSendNetBufferListsComplete: NBLs of earlier sends are the host's
       again, each with NET_BUFFER_LIST_STATUS set. May be NULL. */
    void (*send_complete)(void *ctx, ndisdma_adapter *a, PNET_BUFFER_LIST nbls, ULONG flags);
    /* NdisMIndicateStatusEx. May be NULL. */
    void (*status)(void *ctx, ndisdma_adapter *a, const NDIS_STATUS_INDICATION *ind);
} ndisdma_protocol;

/*
 * ndisdma_adapter_bind - attach the host's callbacks to @a (@p copied; NULL
 * unbinds). @ctx is passed back, not owned.
 * Returns 0 or NDISDMA_EINVAL (NULL @a). Host, or a callback.
 */
int ndisdma_adapter_bind(ndisdma_adapter *a, const ndisdma_protocol *p, void *ctx);

/*
 * ndisdma_adapter_send - MiniportSendNetBufferLists(@nbls, default port,
 * @flags). With NDIS_SEND_FLAGS_DISPATCH_LEVEL the call is made at
 * DISPATCH_LEVEL (from host code the host raises the IRQL for it).
 * Returns 0 (the chain is the miniport's), NDISDMA_EINVAL (NULL argument,
 * an NBL NDIS did not allocate or without NET_BUFFER, an NBL already with
 * the miniport or indicated and not returned, a chain that loops, or
 * DISPATCH_LEVEL without the flag (reported, rule datapath-flags): nothing
 * is sent), NDISDMA_EIRQL (above DISPATCH_LEVEL) or NDISDMA_ESTATE
 * (adapter not Running: nothing is sent, the chain stays the host's).
 * Host, or a callback (then the flag must match the callback's IRQL).
 */
int ndisdma_adapter_send(ndisdma_adapter *a, PNET_BUFFER_LIST nbls, ULONG flags);

/*
 * ndisdma_adapter_return - MiniportReturnNetBufferLists(@nbls): give back
 * NBLs the host received without NDIS_RECEIVE_FLAGS_RESOURCES. The return
 * flag (NDIS_RETURN_FLAGS_DISPATCH_LEVEL) follows the caller's IRQL.
 * Returns 0, NDISDMA_EINVAL (NULL, or an NBL the host does not hold:
 * reported, nothing returned). Host, or a callback.
 */
int ndisdma_adapter_return(ndisdma_adapter *a, PNET_BUFFER_LIST nbls);

/*
 * ndisdma_adapter_pause / ndisdma_adapter_restart - MiniportPause /
 * MiniportRestart. A pended operation is waited for by running the
 * machine (at most one second of virtual time).
 * Returns 0; NDISDMA_ESTATE (not Running / not Paused; or the miniport
 * failed it: restart failure leaves it Paused); NDISDMA_EBUSY (still
 * pending after one second: a violation; the adapter stays Pausing or
 * Restarting until the miniport completes it); NDISDMA_EINVAL;
 * NDISDMA_EIRQL (called above PASSIVE_LEVEL). Host only.
 */
int ndisdma_adapter_pause(ndisdma_adapter *a);
int ndisdma_adapter_restart(ndisdma_adapter *a);

/*
 * ndisdma_adapter_oid - MiniportOidRequest(@req). @req is the caller's,
 * filled as NDIS fills it (header, RequestType, DATA); the host sets what
 * NDIS sets. A pended request is waited for as a pause is.
 * @status: receives the request's final NDIS_STATUS.
 * Returns 0 (the request ran; see *@status), NDISDMA_EINVAL, NDISDMA_ESTATE
 * (the adapter is not started), NDISDMA_EBUSY (still pending after one
 * second, a violation; the miniport keeps the request, and every later
 * request gets NDISDMA_EBUSY until it completes it), NDISDMA_EIRQL. Host
 * only.
 */
int ndisdma_adapter_oid(ndisdma_adapter *a, PNDIS_OID_REQUEST req, NDIS_STATUS *status);

/*
 * ndisdma_adapter_query / ndisdma_adapter_set - one query or set OID
 * request over @buf (@len bytes, caller's). @done: bytes written (query) or
 * read (set); @needed: BytesNeeded; both may be NULL. Returns as
 * ndisdma_adapter_oid.
 */
int ndisdma_adapter_query(ndisdma_adapter *a, NDIS_OID oid, void *buf, ULONG len, ULONG *done,
                          ULONG *needed, NDIS_STATUS *status);
int ndisdma_adapter_set(ndisdma_adapter *a, NDIS_OID oid, const void *buf, ULONG len, ULONG *done,
                        ULONG *needed, NDIS_STATUS *status);

/*
 * ndisdma_adapter_reset - MiniportResetEx, as NDIS calls it when a
 * protocol resets the adapter or CheckForHang says it hangs. A pended reset
 * is waited for as a pause is, until NdisMResetComplete.
 * @addressing_reset: receives the miniport's AddressingReset (may be NULL).
 * @status: receives the reset's final NDIS_STATUS.
 * Returns 0 (the reset ran; see *@status), NDISDMA_EINVAL (NULL @a or
 * @status), NDISDMA_ESTATE (the adapter is neither Running nor Paused),
 * NDISDMA_EBUSY (an earlier reset is pending, or this one still pends after
 * one second: a violation), NDISDMA_EIRQL. Host only.
 */
int ndisdma_adapter_reset(ndisdma_adapter *a, BOOLEAN *addressing_reset, NDIS_STATUS *status);

typedef enum ndisdma_adapter_state {
    NDISDMA_ADAPTER_INITIALIZING = 1,
    NDISDMA_ADAPTER_PAUSED,
    NDISDMA_ADAPTER_RESTARTING,
    NDISDMA_ADAPTER_RUNNING,
    NDISDMA_ADAPTER_PAUSING,
    NDISDMA_ADAPTER_HALTING
} ndisdma_adapter_state;

/* ndisdma_adapter_get_state - @a's NDIS state; 0 for NULL. */
ndisdma_adapter_state ndisdma_adapter_get_state(const ndisdma_adapter *a);

/* Data-path counters of one adapter (NBLs, not frames); they only grow. */
typedef struct ndisdma_netif_stats {
    uint64_t sends;          /* ndisdma_adapter_send calls that were accepted */
    uint64_t nbls_sent;      /* NBLs handed to the miniport */
    uint64_t nbls_completed; /* NBLs given back by NdisMSendNetBufferListsComplete */
    uint64_t indications;    /* NdisMIndicateReceiveNetBufferLists calls */
    uint64_t nbls_indicated;
    uint64_t nbls_returned; /* given back to MiniportReturnNetBufferLists (or RESOURCES) */
    uint64_t oid_requests;
    uint64_t pauses, restarts;
    uint64_t status_indications;
} ndisdma_netif_stats;

/* ndisdma_adapter_netif_stats - copy @a's counters; 0 or NDISDMA_EINVAL. */
int ndisdma_adapter_netif_stats(const ndisdma_adapter *a, ndisdma_netif_stats *out);

/* ---- frames as a protocol driver builds them ---- */

typedef struct ndisdma_frame_pool ndisdma_frame_pool;

/*
 * ndisdma_frame_pool_create - @count send frames of up to @max_len bytes
 * each: for each, @max_len bytes of simulated memory placed by the
 * machine's placement policy (NdisAllocateMemoryWithTagPriority), an MDL
 * (NdisAllocateMdl) and an NBL with one NET_BUFFER over it (from a pool of
 * the adapter's: NdisAllocateNetBufferListPool). Frames that fit several
 * to a page share one allocation. @out: receives the pool, owned by the
 * caller until ndisdma_frame_pool_destroy, which must come before
 * ndisdma_adapter_stop (a pool left then is reported and emptied; destroy
 * then only frees the object).
 * Returns 0, NDISDMA_EINVAL (NULL, @count 0, @max_len 0), NDISDMA_ENOMEM
 * (nothing is left allocated). Host only.
 */
int ndisdma_frame_pool_create(ndisdma_adapter *a, unsigned count, ULONG max_len,
                              ndisdma_frame_pool **out);

/* ndisdma_frame_pool_destroy - free everything; NBLs still out (sent and
   not completed) are an error: NDISDMA_EBUSY, nothing is freed. NULL: 0.
   Host only. */
int ndisdma_frame_pool_destroy(ndisdma_frame_pool *p);

/*
 * ndisdma_frame_pool_get - a free NBL of @p holding a copy of @data (@len
 * bytes: the NB's DataLength). @out: receives it; it is the caller's until
 * ndisdma_frame_pool_put. Returns 0, NDISDMA_EINVAL (NULL, @len 0 or above
 * max_len) or NDISDMA_ENOSPC (none free). Host or callback.
 */
int ndisdma_frame_pool_get(ndisdma_frame_pool *p, const void *data, size_t len,
                           PNET_BUFFER_LIST *out);

/*
 * ndisdma_frame_pool_take - a free NBL of @p whose frame the caller writes
 * in place: the same NBL ndisdma_frame_pool_get hands out (NB DataLength
 * @len), without the copy. @buf: receives the host pointer to the frame's
 * @len bytes of simulated memory; they hold whatever the frame's last user
 * left there (nothing is cleared), and the caller must write all of them
 * before it sends the NBL. The pointer is valid until the NBL goes back
 * with ndisdma_frame_pool_put; the NBL is the caller's until then, as from
 * ndisdma_frame_pool_get. @out: receives the NBL.
 * Returns 0, NDISDMA_EINVAL (NULL @p, @out or @buf, @len 0 or above
 * max_len: *@out and *@buf are NULL) or NDISDMA_ENOSPC (none free). Host or
 * callback.
 */
int ndisdma_frame_pool_take(ndisdma_frame_pool *p, size_t len, PNET_BUFFER_LIST *out, void **buf);

/* ndisdma_frame_pool_put - give @nbl (a chain is fine) back to @p. Returns
   0 or NDISDMA_EINVAL (NULL, or not @p's: nothing is put back). Host or
   callback. */
int ndisdma_frame_pool_put(ndisdma_frame_pool *p, PNET_BUFFER_LIST nbl);

/* ndisdma_frame_pool_free_count - NBLs of @p not handed out (0 for NULL). */
unsigned ndisdma_frame_pool_free_count(const ndisdma_frame_pool *p);

/*
 * ndisdma_nb_copy - copy the data of @nb (DataLength bytes from
 * CurrentMdl/CurrentMdlOffset along the MDL chain) to @dst (@cap bytes).
 * Returns the bytes copied (>= 0), NDISDMA_EINVAL (NULL, or a broken MDL
 * chain) or NDISDMA_ENOSPC (@cap too small: nothing copied). Any context.
 */
long ndisdma_nb_copy(const NET_BUFFER *nb, void *dst, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_NETIF_H */
