/*
 * The NDIS 6 data path of an adapter: the miniport's side
 * (NdisMSendNetBufferListsComplete, NdisMIndicateReceiveNetBufferLists,
 * NdisMOidRequestComplete, NdisMPauseComplete, NdisMRestartComplete,
 * NdisMResetComplete, NdisMIndicateStatusEx) and the host's protocol side
 * of <ndisdma/netif.h> (bind, send, return, pause, restart, OID requests).
 *
 * Concept. NDIS sits between the protocol (here the host) and the miniport
 * and knows at every moment who holds each NET_BUFFER_LIST (nbl.h): the
 * host sends an NBL it holds and it is the miniport's (SENT) until
 * NdisMSendNetBufferListsComplete; the miniport indicates an NBL it holds
 * and it is the host's (INDICATED) until ndisdma_adapter_return gives it
 * back through MiniportReturnNetBufferLists. Each hand-over checks the
 * state with one lookup per NBL and reports what breaks the contract
 * (completing an NBL that was not sent, returning one that was not
 * indicated, indicating while paused, a count that does not match the
 * chain, flags that do not match the IRQL); a bad NBL is taken out of the
 * chain and the rest goes on.
 *
 * Adapter states (NDIS 6): after MiniportInitializeEx the adapter is
 * Paused and NDIS restarts it (MiniportRestart): Running. Pause goes
 * through Pausing to Paused (MiniportPause; the miniport completes its
 * sends and waits for its receive NBLs before the pause completes: a pause
 * that completes with NBLs out is reported), restart through Restarting to
 * Running. A handler that returns NDIS_STATUS_PENDING is waited for by
 * running the machine (virtual time, at most one second) until the
 * miniport calls the matching NdisMXxxComplete.
 *
 * Reentrancy. The host's callbacks run inside the miniport's DDI call, at
 * its IRQL; from them the host may send and return, which calls the
 * miniport again (NDIS allows this as long as the miniport does not hold
 * its own spin lock while it indicates or completes). Nothing here keeps a
 * pointer into a chain across a callback.
 */
#include <string.h>

#include "ndis/nbl.h"

#define ND_WAIT_NS 1000000000ull /* one second of virtual time */

/* ---- helpers ---- */

/* Run the machine until *@pending is false, at most one second. True when
   it became false. */
static bool wait_for(nd_kernel *k, const bool *pending)
{
    if (!*pending)
        return true;
    uint64_t deadline = nd_kernel_now(k) + ND_WAIT_NS;
    uint64_t step = 1000;
    if (nd_kernel_run(k, 0) != 0)
        return !*pending;
    while (*pending) {
        uint64_t now = nd_kernel_now(k);
        if (now >= deadline)
            return false;
        uint64_t s = step < deadline - now ? step : deadline - now;
        if (nd_kernel_run(k, s) != 0)
            return !*pending;
        if (step < 1000000)
            step *= 2;
    }
    return true;
}

/* After a miniport handler ran: the IRQL it was called at, or a report. */
static void check_irql_back(nd_kernel *k, KIRQL irql, const char *who)
{
    if (nd_kernel_irql() != irql) {
        nd_kernel_violation(k, who, "returned at IRQL %u; it was called at IRQL %u",
                            (unsigned)nd_kernel_irql(), (unsigned)irql);
        nd_kernel_set_irql(irql);
    }
}

/* Host-only entry: the thread must not be bound to @k above PASSIVE_LEVEL. */
static int host_only(nd_kernel *k, const char *fn)
{
    if (nd_kernel_current() == k && nd_kernel_irql() != PASSIVE_LEVEL) {
        nd_kernel_violation(k, fn, "called at IRQL %u; host calls need PASSIVE_LEVEL",
                            (unsigned)nd_kernel_irql());
        return NDISDMA_EIRQL;
    }
    return 0;
}

/* An upper bound on any valid chain: every NBL the pools made, plus one. */
static uint64_t chain_limit(const nd_ndis *n)
{
    return (uint64_t)n->nbls.count + 1;
}

/* The adapter behind @h for a miniport DDI, with the IRQL checked
   (<= DISPATCH_LEVEL); NULL after a report. @k: the calling thread's
   kernel, from the DDI (nd_kernel_current): an adapter handle the lookup
   finds is one of that thread's NDIS layer, so @k is the adapter's a->n->k
   and the body need not load it again. */
static inline nd_mp_adapter *mp_adapter(nd_kernel *k, NDIS_HANDLE h, const char *ddi)
{
    nd_mp_adapter *a = nd_ndis_adapter_from_handle(h, ddi);
    if (!a)
        return NULL;
    nd_verify_call_adapter(k, a);
    if (!nd_kernel_irql_at_most(k, DISPATCH_LEVEL, ddi))
        return NULL;
    return a;
}

/* A DISPATCH_LEVEL flag must be set exactly at DISPATCH_LEVEL. */
static void check_flag(nd_kernel *k, bool flag, const char *name, const char *ddi)
{
    bool at_dispatch = nd_kernel_irql() == DISPATCH_LEVEL;
    if (flag != at_dispatch)
        nd_verify_report(k, NDISDMA_RULE_DATAPATH_FLAGS, ddi,
                         "%s is %s but the caller is at IRQL %u", name, flag ? "set" : "clear",
                         (unsigned)nd_kernel_irql());
}

static void call_return(nd_mp_adapter *a, PNET_BUFFER_LIST nbls)
{
    KIRQL irql = nd_kernel_irql();
    ULONG flags = irql == DISPATCH_LEVEL ? NDIS_RETURN_FLAGS_DISPATCH_LEVEL : 0;
    a->drv->chars.ReturnNetBufferListsHandler(a->context, nbls, flags);
    check_irql_back(a->n->k, irql, "MiniportReturnNetBufferLists");
}

/* ---- state changes ---- */

static void pause_done(nd_mp_adapter *a)
{
    nd_datapath *dp = &a->dp;
    dp->pause_pending = false;
    if (dp->with_miniport || dp->with_host)
        nd_verify_report(a->n->k, NDISDMA_RULE_PAUSE_OUTSTANDING, "MiniportPause",
                         "the pause completed with %llu NBLs sent and not completed and %llu "
                         "receive NBLs not returned",
                         (unsigned long long)dp->with_miniport, (unsigned long long)dp->with_host);
    dp->state = NDISDMA_ADAPTER_PAUSED;
    dp->stats.pauses++;
}

static void restart_done(nd_mp_adapter *a, NDIS_STATUS st)
{
    nd_datapath *dp = &a->dp;
    dp->restart_pending = false;
    dp->restart_status = st;
    if (st == NDIS_STATUS_SUCCESS) {
        dp->state = NDISDMA_ADAPTER_RUNNING;
        dp->stats.restarts++;
    } else {
        dp->state = NDISDMA_ADAPTER_PAUSED;
    }
}

static int do_pause(nd_mp_adapter *a)
{
    nd_datapath *dp = &a->dp;
    nd_kernel *k = a->n->k;
    if (a->state != ND_ADAPTER_STARTED || dp->state != NDISDMA_ADAPTER_RUNNING)
        return NDISDMA_ESTATE;
    dp->state = NDISDMA_ADAPTER_PAUSING;
    dp->pause_pending = true;
    NDIS_MINIPORT_PAUSE_PARAMETERS pp;
    memset(&pp, 0, sizeof pp);
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NDIS_MINIPORT_PAUSE_PARAMETERS_REVISION_1;
    pp.Header.Size = (USHORT)NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1;
    pp.PauseReason = NDIS_PAUSE_NDIS_INTERNAL;
    NDIS_STATUS st = a->drv->chars.PauseHandler(a->context, &pp);
    check_irql_back(k, PASSIVE_LEVEL, "MiniportPause");
    if (st == NDIS_STATUS_PENDING) {
        if (!wait_for(k, &dp->pause_pending)) {
            nd_kernel_violation(k, "MiniportPause",
                                "pended and did not call NdisMPauseComplete within one second");
            return NDISDMA_EBUSY;
        }
        return 0;
    }
    if (st != NDIS_STATUS_SUCCESS)
        nd_kernel_violation(k, "MiniportPause",
                            "returned 0x%08X; it must return NDIS_STATUS_SUCCESS or "
                            "NDIS_STATUS_PENDING (taken as success)",
                            (unsigned)st);
    if (dp->pause_pending)
        pause_done(a);
    return 0;
}

static int do_restart(nd_mp_adapter *a)
{
    nd_datapath *dp = &a->dp;
    nd_kernel *k = a->n->k;
    if (a->state != ND_ADAPTER_STARTED || dp->state != NDISDMA_ADAPTER_PAUSED)
        return NDISDMA_ESTATE;
    dp->state = NDISDMA_ADAPTER_RESTARTING;
    dp->restart_pending = true;
    NDIS_MINIPORT_RESTART_PARAMETERS rp;
    memset(&rp, 0, sizeof rp);
    rp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    rp.Header.Revision = NDIS_MINIPORT_RESTART_PARAMETERS_REVISION_1;
    rp.Header.Size = (USHORT)NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1;
    NDIS_STATUS st = a->drv->chars.RestartHandler(a->context, &rp);
    check_irql_back(k, PASSIVE_LEVEL, "MiniportRestart");
    if (st == NDIS_STATUS_PENDING) {
        if (!wait_for(k, &dp->restart_pending)) {
            nd_kernel_violation(k, "MiniportRestart",
                                "pended and did not call NdisMRestartComplete within one second");
            return NDISDMA_EBUSY;
        }
    } else if (dp->restart_pending) {
        restart_done(a, st);
    }
    return dp->state == NDISDMA_ADAPTER_RUNNING ? 0 : NDISDMA_ESTATE;
}

void nd_datapath_started(nd_mp_adapter *a)
{
    a->dp.state = NDISDMA_ADAPTER_PAUSED;
    (void)do_restart(a);
}

void nd_datapath_before_halt(nd_mp_adapter *a)
{
    nd_datapath *dp = &a->dp;
    nd_kernel *k = a->n->k;
    if (dp->state == NDISDMA_ADAPTER_RUNNING)
        (void)do_pause(a);
    if (dp->with_miniport)
        nd_verify_report(k, NDISDMA_RULE_NBLS_AT_STOP, "MiniportHaltEx",
                         "%llu NBLs sent to the miniport are not completed at the halt",
                         (unsigned long long)dp->with_miniport);
    if (dp->with_host)
        nd_verify_report(k, NDISDMA_RULE_NBLS_AT_STOP, "ndisdma_adapter_stop",
                         "the host still holds %llu received NBLs (not returned with "
                         "ndisdma_adapter_return) at the halt",
                         (unsigned long long)dp->with_host);
    while (dp->frame_pools) {
        nd_kernel_violation(k, "ndisdma_adapter_stop",
                            "a frame pool was not destroyed before the adapter was stopped; "
                            "its NBLs and memory are freed");
        nd_frame_pool_orphan(dp->frame_pools); /* unlinks it */
    }
    dp->state = NDISDMA_ADAPTER_HALTING;
    memset(&dp->proto, 0, sizeof dp->proto);
}

/* ---- the miniport's DDIs ---- */

static VOID ddi_body_NdisMSendNetBufferListsComplete(nd_kernel *k,
                                                     NDIS_HANDLE MiniportAdapterHandle,
                                                     PNET_BUFFER_LIST NetBufferLists,
                                                     ULONG SendCompleteFlags)
{
    static const char ddi[] = "NdisMSendNetBufferListsComplete";
    nd_mp_adapter *a = mp_adapter(k, MiniportAdapterHandle, ddi);
    if (!a)
        return;
    nd_ndis *n = a->n;
    check_flag(k, (SendCompleteFlags & NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL) != 0,
               "NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL", ddi);
    if (!NetBufferLists) {
        nd_verify_report(k, NDISDMA_RULE_NULL_ARG, ddi, "NetBufferLists is NULL");
        return;
    }
    PNET_BUFFER_LIST head = NULL, *tail = &head, next;
    uint64_t good = 0, hops = 0, limit = chain_limit(n);
    for (PNET_BUFFER_LIST nbl = NetBufferLists; nbl; nbl = next) {
        if (++hops > limit) {
            nd_kernel_violation(k, ddi, "the NBL chain loops; the rest is dropped");
            break;
        }
        nd_nbl_item *it = nd_nbl_find(n, nbl);
        if (!it) {
            nd_verify_report(k, NDISDMA_RULE_NBL_UNKNOWN, ddi,
                             "NBL %p is not an NBL NDIS allocated; it and the rest of the "
                             "chain are dropped",
                             (void *)nbl);
            break;
        }
        next = nbl->Next;
        if (it->state != ND_NBL_SENT || it->adapter != a) {
            nd_verify_report(k, NDISDMA_RULE_NBL_NOT_HELD, ddi,
                             "NBL %p is not with this miniport (%s); skipped", (void *)nbl,
                             it->state == ND_NBL_SENT   ? "sent to another adapter"
                             : it->state == ND_NBL_FREE ? "freed"
                                                        : "never sent, or completed already");
            continue;
        }
        it->state = ND_NBL_HELD;
        it->adapter = NULL;
        *tail = nbl;
        tail = &nbl->Next;
        good++;
    }
    *tail = NULL;
    if (!good)
        return;
    nd_datapath *dp = &a->dp;
    dp->with_miniport -= good;
    dp->stats.nbls_completed += good;
    if (dp->proto.send_complete)
        dp->proto.send_complete(dp->proto_ctx, (ndisdma_adapter *)a, head, SendCompleteFlags);
}

static VOID ddi_body_NdisMIndicateReceiveNetBufferLists(
    nd_kernel *k, NDIS_HANDLE MiniportAdapterHandle, PNET_BUFFER_LIST NetBufferLists,
    NDIS_PORT_NUMBER PortNumber, ULONG NumberOfNetBufferLists, ULONG ReceiveFlags)
{
    static const char ddi[] = "NdisMIndicateReceiveNetBufferLists";
    (void)PortNumber;
    nd_mp_adapter *a = mp_adapter(k, MiniportAdapterHandle, ddi);
    if (!a)
        return;
    nd_ndis *n = a->n;
    nd_datapath *dp = &a->dp;
    check_flag(k, (ReceiveFlags & NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL) != 0,
               "NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL", ddi);
    if (!NetBufferLists) {
        nd_verify_report(k, NDISDMA_RULE_NULL_ARG, ddi, "NetBufferLists is NULL");
        return;
    }
    const bool res = (ReceiveFlags & NDIS_RECEIVE_FLAGS_RESOURCES) != 0;
    const nd_nbl_state to = res ? ND_NBL_LENT : ND_NBL_INDICATED;
    PNET_BUFFER_LIST head = NULL, *tail = &head, next;
    uint64_t good = 0, hops = 0, limit = chain_limit(n);
    bool cut = false;
    nd_nbl_item *lent = NULL;
    for (PNET_BUFFER_LIST nbl = NetBufferLists; nbl; nbl = next) {
        if (++hops > limit) {
            nd_kernel_violation(k, ddi, "the NBL chain loops; the rest is dropped");
            cut = true;
            break;
        }
        nd_nbl_item *it = nd_nbl_find(n, nbl);
        if (!it || it->state == ND_NBL_FREE) {
            nd_verify_report(k, NDISDMA_RULE_NBL_UNKNOWN, ddi,
                             "NBL %p is %s; it and the rest of the chain are dropped", (void *)nbl,
                             it ? "freed" : "not an NBL NDIS allocated");
            cut = true;
            break;
        }
        next = nbl->Next;
        if (it->state != ND_NBL_HELD) {
            nd_verify_report(k, NDISDMA_RULE_NBL_NOT_HELD, ddi,
                             "NBL %p is not the miniport's to indicate (%s); skipped", (void *)nbl,
                             it->state == ND_NBL_SENT ? "it is a send not completed"
                                                      : "indicated already and not returned");
            continue;
        }
        it->state = to;
        it->adapter = a;
        if (res) {                /* the items to take back after the callback (see below) */
            it->next_free = lent; /* unused while allocated */
            lent = it;
        }
        *tail = nbl;
        tail = &nbl->Next;
        good++;
    }
    *tail = NULL;
    if (!cut && hops != NumberOfNetBufferLists)
        nd_verify_report(k, NDISDMA_RULE_RECEIVE_COUNT, ddi,
                         "NumberOfNetBufferLists is %u but the chain holds %llu NBLs",
                         (unsigned)NumberOfNetBufferLists, (unsigned long long)hops);
    if (!good)
        return;
    bool running = dp->state == NDISDMA_ADAPTER_RUNNING || dp->state == NDISDMA_ADAPTER_PAUSING;
    dp->stats.indications++;
    dp->stats.nbls_indicated += good;
    if (!running || !dp->proto.receive) {
        if (!running)
            nd_verify_report(k, NDISDMA_RULE_RECEIVE_NOT_RUNNING, ddi,
                             "the adapter is %s; the %llu NBLs are returned at once",
                             dp->state == NDISDMA_ADAPTER_PAUSED       ? "paused"
                             : dp->state == NDISDMA_ADAPTER_RESTARTING ? "restarting"
                             : dp->state == NDISDMA_ADAPTER_HALTING    ? "halting"
                                                                       : "initializing",
                             (unsigned long long)good);
        /* No callback has run: the chain built above (head, NULL-ended) is
           exactly the items of this indication. */
        for (PNET_BUFFER_LIST nbl = head; nbl; nbl = nbl->Next) {
            nd_nbl_item *it = (nd_nbl_item *)nbl;
            it->next_free = NULL; /* linked above when @res */
            it->state = ND_NBL_HELD;
            it->adapter = NULL;
        }
        dp->stats.nbls_returned += good;
        if (!res)
            call_return(a, head);
        return;
    }
    if (res) {
        dp->proto.receive(dp->proto_ctx, (ndisdma_adapter *)a, head, (ULONG)good, ReceiveFlags);
        /* The NBLs are the miniport's again (the host's Next links are not
           trusted: the items of this indication are linked apart). */
        for (nd_nbl_item *it = lent, *nx; it; it = nx) {
            nx = it->next_free;
            it->next_free = NULL;
            it->state = ND_NBL_HELD;
            it->adapter = NULL;
        }
        dp->stats.nbls_returned += good;
        return;
    }
    dp->with_host += good;
    dp->proto.receive(dp->proto_ctx, (ndisdma_adapter *)a, head, (ULONG)good, ReceiveFlags);
}

static VOID ddi_body_NdisMOidRequestComplete(nd_kernel *k, NDIS_HANDLE MiniportAdapterHandle,
                                             PNDIS_OID_REQUEST OidRequest, NDIS_STATUS Status)
{
    static const char ddi[] = "NdisMOidRequestComplete";
    nd_mp_adapter *a = mp_adapter(k, MiniportAdapterHandle, ddi);
    if (!a)
        return;
    nd_datapath *dp = &a->dp;
    if (!OidRequest || dp->oid != OidRequest) {
        nd_verify_report(k, NDISDMA_RULE_COMPLETE_NOT_PENDING, ddi,
                         "OID request %p is not the request the miniport holds (%p)",
                         (void *)OidRequest, (void *)dp->oid);
        return;
    }
    dp->oid_status = Status;
    dp->oid_pending = false;
    dp->oid = NULL;
}

static VOID ddi_body_NdisMPauseComplete(nd_kernel *k, NDIS_HANDLE MiniportAdapterHandle)
{
    static const char ddi[] = "NdisMPauseComplete";
    nd_mp_adapter *a = mp_adapter(k, MiniportAdapterHandle, ddi);
    if (!a)
        return;
    if (!a->dp.pause_pending) {
        nd_verify_report(k, NDISDMA_RULE_COMPLETE_NOT_PENDING, ddi, "no pause is pending");
        return;
    }
    pause_done(a);
}

static VOID ddi_body_NdisMRestartComplete(nd_kernel *k, NDIS_HANDLE MiniportAdapterHandle,
                                          NDIS_STATUS Status)
{
    static const char ddi[] = "NdisMRestartComplete";
    nd_mp_adapter *a = mp_adapter(k, MiniportAdapterHandle, ddi);
    if (!a)
        return;
    if (!a->dp.restart_pending) {
        nd_verify_report(k, NDISDMA_RULE_COMPLETE_NOT_PENDING, ddi, "no restart is pending");
        return;
    }
    restart_done(a, Status);
}

static VOID ddi_body_NdisMResetComplete(nd_kernel *k, NDIS_HANDLE MiniportAdapterHandle,
                                        NDIS_STATUS Status, BOOLEAN AddressingReset)
{
    static const char ddi[] = "NdisMResetComplete";
    nd_mp_adapter *a = mp_adapter(k, MiniportAdapterHandle, ddi);
    if (!a)
        return;
    if (!a->dp.reset_pending) {
        nd_verify_report(k, NDISDMA_RULE_COMPLETE_NOT_PENDING, ddi, "no reset is pending");
        return;
    }
    a->dp.reset_pending = false;
    a->dp.reset_status = Status;
    a->dp.reset_addressing = AddressingReset;
}

static VOID ddi_body_NdisMIndicateStatusEx(nd_kernel *k, NDIS_HANDLE MiniportAdapterHandle,
                                           PNDIS_STATUS_INDICATION StatusIndication)
{
    static const char ddi[] = "NdisMIndicateStatusEx";
    nd_mp_adapter *a = mp_adapter(k, MiniportAdapterHandle, ddi);
    if (!a)
        return;
    if (!StatusIndication) {
        nd_verify_report(k, NDISDMA_RULE_NULL_ARG, ddi, "StatusIndication is NULL");
        return;
    }
    const NDIS_OBJECT_HEADER *h = &StatusIndication->Header;
    if (h->Type != NDIS_OBJECT_TYPE_STATUS_INDICATION || h->Revision < 1 ||
        h->Size < NDIS_SIZEOF_STATUS_INDICATION_REVISION_1) {
        nd_kernel_violation(k, ddi,
                            "Header is Type 0x%02X, Revision %u, Size %u; it must be "
                            "NDIS_OBJECT_TYPE_STATUS_INDICATION, revision 1, Size at least %u: "
                            "not indicated",
                            h->Type, (unsigned)h->Revision, (unsigned)h->Size,
                            (unsigned)NDIS_SIZEOF_STATUS_INDICATION_REVISION_1);
        return;
    }
    if (StatusIndication->SourceHandle != MiniportAdapterHandle)
        nd_kernel_violation(k, ddi, "SourceHandle %p is not the MiniportAdapterHandle %p",
                            StatusIndication->SourceHandle, MiniportAdapterHandle);
    a->dp.stats.status_indications++;
    if (a->dp.proto.status)
        a->dp.proto.status(a->dp.proto_ctx, (ndisdma_adapter *)a, StatusIndication);
}

/* ---- the host's side (<ndisdma/netif.h>) ---- */

int ndisdma_adapter_bind(ndisdma_adapter *pub, const ndisdma_protocol *p, void *ctx)
{
    if (!pub)
        return NDISDMA_EINVAL;
    nd_datapath *dp = &pub->mp.dp;
    if (p)
        dp->proto = *p;
    else
        memset(&dp->proto, 0, sizeof dp->proto);
    dp->proto_ctx = p ? ctx : NULL;
    return 0;
}

static int send_body(nd_mp_adapter *a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    nd_ndis *n = a->n;
    nd_kernel *k = n->k;
    KIRQL irql = nd_kernel_irql();
    bool flag = (flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL) != 0;
    if (irql > DISPATCH_LEVEL) {
        nd_verify_report(k, NDISDMA_RULE_IRQL, "ndisdma_adapter_send",
                         "called at IRQL %u; the maximum is DISPATCH_LEVEL", (unsigned)irql);
        return NDISDMA_EIRQL;
    }
    if (irql == DISPATCH_LEVEL && !flag) {
        nd_verify_report(k, NDISDMA_RULE_DATAPATH_FLAGS, "ndisdma_adapter_send",
                         "called at DISPATCH_LEVEL without NDIS_SEND_FLAGS_DISPATCH_LEVEL");
        return NDISDMA_EINVAL;
    }
    if (a->state != ND_ADAPTER_STARTED || a->dp.state != NDISDMA_ADAPTER_RUNNING)
        return NDISDMA_ESTATE;
    uint64_t count = 0, limit = chain_limit(n);
    bool ok = true;
    for (PNET_BUFFER_LIST nbl = nbls; nbl; nbl = nbl->Next) {
        nd_nbl_item *it = count < limit ? nd_nbl_find(n, nbl) : NULL;
        if (!it || it->state != ND_NBL_HELD || !nbl->FirstNetBuffer) {
            ok = false;
            break;
        }
        it->state = ND_NBL_SENT; /* marks it: a second visit (a loop) fails */
        it->adapter = a;
        count++;
    }
    if (!ok) {
        PNET_BUFFER_LIST nbl = nbls;
        for (uint64_t i = 0; i < count; i++, nbl = nbl->Next) {
            nd_nbl_item *it = (nd_nbl_item *)nbl;
            it->state = ND_NBL_HELD;
            it->adapter = NULL;
        }
        return NDISDMA_EINVAL;
    }
    nd_datapath *dp = &a->dp;
    dp->stats.sends++;
    dp->stats.nbls_sent += count;
    dp->with_miniport += count;
    bool raise = flag && irql < DISPATCH_LEVEL;
    if (raise)
        nd_kernel_set_irql(DISPATCH_LEVEL);
    KIRQL at = raise ? DISPATCH_LEVEL : irql; /* nd_kernel_irql() now */
    a->drv->chars.SendNetBufferListsHandler(a->context, nbls, NDIS_DEFAULT_PORT_NUMBER, flags);
    check_irql_back(k, at, "MiniportSendNetBufferLists");
    if (raise)
        nd_kernel_set_irql(irql);
    return 0;
}

int ndisdma_adapter_send(ndisdma_adapter *pub, PNET_BUFFER_LIST nbls, ULONG flags)
{
    if (!pub || !nbls)
        return NDISDMA_EINVAL;
    nd_mp_adapter *a = &pub->mp;
    nd_kernel_binding saved;
    nd_kernel_enter(a->n->k, &saved);
    int rc = send_body(a, nbls, flags);
    nd_kernel_leave(&saved);
    return rc;
}

static int return_body(nd_mp_adapter *a, PNET_BUFFER_LIST nbls)
{
    nd_ndis *n = a->n;
    nd_kernel *k = n->k;
    if (nd_kernel_irql() > DISPATCH_LEVEL) {
        nd_verify_report(k, NDISDMA_RULE_IRQL, "ndisdma_adapter_return",
                         "called at IRQL %u; the maximum is DISPATCH_LEVEL",
                         (unsigned)nd_kernel_irql());
        return NDISDMA_EIRQL;
    }
    uint64_t count = 0, limit = chain_limit(n);
    PNET_BUFFER_LIST bad = NULL;
    for (PNET_BUFFER_LIST nbl = nbls; nbl; nbl = nbl->Next) {
        nd_nbl_item *it = count < limit ? nd_nbl_find(n, nbl) : NULL;
        if (!it || it->state != ND_NBL_INDICATED || it->adapter != a) {
            bad = nbl;
            break;
        }
        it->state = ND_NBL_HELD; /* marks it: a second visit (a loop) fails */
        it->adapter = NULL;
        count++;
    }
    if (bad) { /* undo: the NBLs passed were all indicated by @a */
        PNET_BUFFER_LIST nbl = nbls;
        for (uint64_t i = 0; i < count; i++, nbl = nbl->Next) {
            ((nd_nbl_item *)nbl)->state = ND_NBL_INDICATED;
            ((nd_nbl_item *)nbl)->adapter = a;
        }
        nd_verify_report(k, NDISDMA_RULE_RETURN_NOT_HELD, "ndisdma_adapter_return",
                         "NBL %p was not indicated to the host by this adapter, or was returned "
                         "already; nothing is returned",
                         (void *)bad);
        return NDISDMA_EINVAL;
    }
    a->dp.with_host -= count;
    a->dp.stats.nbls_returned += count;
    call_return(a, nbls);
    return 0;
}

int ndisdma_adapter_return(ndisdma_adapter *pub, PNET_BUFFER_LIST nbls)
{
    if (!pub || !nbls)
        return NDISDMA_EINVAL;
    nd_mp_adapter *a = &pub->mp;
    nd_kernel_binding saved;
    nd_kernel_enter(a->n->k, &saved);
    int rc = return_body(a, nbls);
    nd_kernel_leave(&saved);
    return rc;
}

/* Host entry points that run @body on @pub's adapter at PASSIVE_LEVEL,
   bound to its machine. */
static int host_call(ndisdma_adapter *pub, const char *fn, int (*body)(nd_mp_adapter *a))
{
    if (!pub)
        return NDISDMA_EINVAL;
    nd_mp_adapter *a = &pub->mp;
    nd_kernel *k = a->n->k;
    int rc = host_only(k, fn);
    if (rc)
        return rc;
    nd_kernel_binding saved;
    nd_kernel_enter(k, &saved);
    rc = body(a);
    nd_kernel_leave(&saved);
    return rc;
}

int ndisdma_adapter_pause(ndisdma_adapter *pub)
{
    return host_call(pub, "ndisdma_adapter_pause", do_pause);
}

int ndisdma_adapter_restart(ndisdma_adapter *pub)
{
    return host_call(pub, "ndisdma_adapter_restart", do_restart);
}

int ndisdma_adapter_reset(ndisdma_adapter *pub, BOOLEAN *addressing_reset, NDIS_STATUS *status)
{
    if (!pub || !status)
        return NDISDMA_EINVAL;
    nd_mp_adapter *a = &pub->mp;
    nd_datapath *dp = &a->dp;
    nd_kernel *k = a->n->k;
    int rc = host_only(k, "ndisdma_adapter_reset");
    if (rc)
        return rc;
    if (a->state != ND_ADAPTER_STARTED ||
        (dp->state != NDISDMA_ADAPTER_RUNNING && dp->state != NDISDMA_ADAPTER_PAUSED))
        return NDISDMA_ESTATE;
    if (dp->reset_pending)
        return NDISDMA_EBUSY; /* an earlier reset is still pending */
    nd_kernel_binding saved;
    nd_kernel_enter(k, &saved);
    BOOLEAN addressing = FALSE;
    dp->reset_pending = true;
    dp->reset_status = NDIS_STATUS_PENDING;
    dp->reset_addressing = FALSE;
    NDIS_STATUS st = a->drv->chars.ResetHandlerEx(a->context, &addressing);
    check_irql_back(k, PASSIVE_LEVEL, "MiniportResetEx");
    rc = 0;
    if (st == NDIS_STATUS_PENDING) {
        if (!wait_for(k, &dp->reset_pending)) {
            nd_kernel_violation(k, "MiniportResetEx",
                                "pended and did not call NdisMResetComplete within one second");
            rc = NDISDMA_EBUSY;
        } else {
            st = dp->reset_status;
            addressing = dp->reset_addressing;
        }
    } else {
        dp->reset_pending = false;
    }
    nd_kernel_leave(&saved);
    if (rc == 0) {
        *status = st;
        if (addressing_reset)
            *addressing_reset = addressing;
    }
    return rc;
}

static int oid_body(nd_mp_adapter *a, PNDIS_OID_REQUEST req, NDIS_STATUS *status)
{
    nd_datapath *dp = &a->dp;
    nd_kernel *k = a->n->k;
    if (a->state != ND_ADAPTER_STARTED || dp->state == 0 || dp->state == NDISDMA_ADAPTER_HALTING)
        return NDISDMA_ESTATE;
    if (dp->oid)
        return NDISDMA_EBUSY; /* an earlier request is still pending */
    req->Header.Type = NDIS_OBJECT_TYPE_OID_REQUEST;
    req->Header.Revision = NDIS_OID_REQUEST_REVISION_1;
    req->Header.Size = (USHORT)NDIS_SIZEOF_OID_REQUEST_REVISION_1;
    req->PortNumber = NDIS_DEFAULT_PORT_NUMBER;
    req->RequestHandle = (NDIS_HANDLE)a;
    memset(req->NdisReserved, 0, sizeof req->NdisReserved);
    dp->stats.oid_requests++;
    dp->oid = req;
    dp->oid_pending = true;
    dp->oid_status = NDIS_STATUS_PENDING;
    NDIS_STATUS st = a->drv->chars.OidRequestHandler(a->context, req);
    check_irql_back(k, PASSIVE_LEVEL, "MiniportOidRequest");
    if (st == NDIS_STATUS_PENDING) {
        if (!wait_for(k, &dp->oid_pending)) {
            nd_kernel_violation(k, "MiniportOidRequest",
                                "pended and did not call NdisMOidRequestComplete within one "
                                "second");
            return NDISDMA_EBUSY;
        }
        *status = dp->oid_status;
        return 0;
    }
    dp->oid = NULL;
    dp->oid_pending = false;
    *status = st;
    return 0;
}

int ndisdma_adapter_oid(ndisdma_adapter *pub, PNDIS_OID_REQUEST req, NDIS_STATUS *status)
{
    if (!pub || !req || !status)
        return NDISDMA_EINVAL;
    nd_mp_adapter *a = &pub->mp;
    nd_kernel *k = a->n->k;
    int rc = host_only(k, "ndisdma_adapter_oid");
    if (rc)
        return rc;
    nd_kernel_binding saved;
    nd_kernel_enter(k, &saved);
    rc = oid_body(a, req, status);
    nd_kernel_leave(&saved);
    return rc;
}

/* One query or set over the adapter's own request (it outlives a request
   the miniport never completes). */
static int query_set(ndisdma_adapter *pub, NDIS_REQUEST_TYPE type, NDIS_OID oid, void *buf,
                     ULONG len, ULONG *done, ULONG *needed, NDIS_STATUS *status)
{
    if (done)
        *done = 0;
    if (needed)
        *needed = 0;
    if (!pub || !status || (len && !buf))
        return NDISDMA_EINVAL;
    nd_datapath *dp = &pub->mp.dp;
    if (dp->oid == &dp->req)
        return NDISDMA_EBUSY;
    PNDIS_OID_REQUEST r = &dp->req;
    memset(r, 0, sizeof *r);
    r->RequestType = type;
    /* QUERY_INFORMATION and SET_INFORMATION share their layout. */
    r->DATA.QUERY_INFORMATION.Oid = oid;
    r->DATA.QUERY_INFORMATION.InformationBuffer = buf;
    r->DATA.QUERY_INFORMATION.InformationBufferLength = len;
    int rc = ndisdma_adapter_oid(pub, r, status);
    if (rc == 0) {
        if (done)
            *done = type == NdisRequestSetInformation ? r->DATA.SET_INFORMATION.BytesRead
                                                      : r->DATA.QUERY_INFORMATION.BytesWritten;
        if (needed)
            *needed = r->DATA.QUERY_INFORMATION.BytesNeeded;
    }
    return rc;
}

int ndisdma_adapter_query(ndisdma_adapter *a, NDIS_OID oid, void *buf, ULONG len, ULONG *done,
                          ULONG *needed, NDIS_STATUS *status)
{
    return query_set(a, NdisRequestQueryInformation, oid, buf, len, done, needed, status);
}

int ndisdma_adapter_set(ndisdma_adapter *a, NDIS_OID oid, const void *buf, ULONG len, ULONG *done,
                        ULONG *needed, NDIS_STATUS *status)
{
    /* The miniport reads a set request's buffer; NDIS types it PVOID. */
    return query_set(a, NdisRequestSetInformation, oid, (void *)(uintptr_t)buf, len, done, needed,
                     status);
}

ndisdma_adapter_state ndisdma_adapter_get_state(const ndisdma_adapter *pub)
{
    return pub ? pub->mp.dp.state : (ndisdma_adapter_state)0;
}

int ndisdma_adapter_netif_stats(const ndisdma_adapter *pub, ndisdma_netif_stats *out)
{
    if (!pub || !out)
        return NDISDMA_EINVAL;
    *out = pub->mp.dp.stats;
    return 0;
}

/* ---- the exported DDIs: the verifier's call bracket around each ---- */

VOID NdisMSendNetBufferListsComplete(NDIS_HANDLE MiniportAdapterHandle,
                                     PNET_BUFFER_LIST NetBufferLists, ULONG SendCompleteFlags)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[3] = {nd_ptr_arg(MiniportAdapterHandle), nd_ptr_arg(NetBufferLists),
                              (uint64_t)SendCompleteFlags};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMSendNetBufferListsComplete", 3, args, &sv);
    ddi_body_NdisMSendNetBufferListsComplete(k, MiniportAdapterHandle, NetBufferLists,
                                             SendCompleteFlags);
    nd_verify_ddi_leave(k, fast, "NdisMSendNetBufferListsComplete", 0, &sv);
}

VOID NdisMIndicateReceiveNetBufferLists(NDIS_HANDLE MiniportAdapterHandle,
                                        PNET_BUFFER_LIST NetBufferLists,
                                        NDIS_PORT_NUMBER PortNumber, ULONG NumberOfNetBufferLists,
                                        ULONG ReceiveFlags)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[5] = {nd_ptr_arg(MiniportAdapterHandle), nd_ptr_arg(NetBufferLists),
                              (uint64_t)PortNumber, (uint64_t)NumberOfNetBufferLists,
                              (uint64_t)ReceiveFlags};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMIndicateReceiveNetBufferLists", 5, args, &sv);
    ddi_body_NdisMIndicateReceiveNetBufferLists(k, MiniportAdapterHandle, NetBufferLists,
                                                PortNumber, NumberOfNetBufferLists, ReceiveFlags);
    nd_verify_ddi_leave(k, fast, "NdisMIndicateReceiveNetBufferLists", 0, &sv);
}

VOID NdisMOidRequestComplete(NDIS_HANDLE MiniportAdapterHandle, PNDIS_OID_REQUEST OidRequest,
                             NDIS_STATUS Status)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[3] = {nd_ptr_arg(MiniportAdapterHandle), nd_ptr_arg(OidRequest),
                              (uint64_t)(uint32_t)Status};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMOidRequestComplete", 3, args, &sv);
    ddi_body_NdisMOidRequestComplete(k, MiniportAdapterHandle, OidRequest, Status);
    nd_verify_ddi_leave(k, fast, "NdisMOidRequestComplete", 0, &sv);
}

VOID NdisMPauseComplete(NDIS_HANDLE MiniportAdapterHandle)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[1] = {nd_ptr_arg(MiniportAdapterHandle)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMPauseComplete", 1, args, &sv);
    ddi_body_NdisMPauseComplete(k, MiniportAdapterHandle);
    nd_verify_ddi_leave(k, fast, "NdisMPauseComplete", 0, &sv);
}

VOID NdisMRestartComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {nd_ptr_arg(MiniportAdapterHandle), (uint64_t)(uint32_t)Status};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMRestartComplete", 2, args, &sv);
    ddi_body_NdisMRestartComplete(k, MiniportAdapterHandle, Status);
    nd_verify_ddi_leave(k, fast, "NdisMRestartComplete", 0, &sv);
}

VOID NdisMResetComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status,
                        BOOLEAN AddressingReset)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[3] = {nd_ptr_arg(MiniportAdapterHandle), (uint64_t)(uint32_t)Status,
                              (uint64_t)AddressingReset};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMResetComplete", 3, args, &sv);
    ddi_body_NdisMResetComplete(k, MiniportAdapterHandle, Status, AddressingReset);
    nd_verify_ddi_leave(k, fast, "NdisMResetComplete", 0, &sv);
}

VOID NdisMIndicateStatusEx(NDIS_HANDLE MiniportAdapterHandle,
                           PNDIS_STATUS_INDICATION StatusIndication)
{
    nd_kernel *k = nd_kernel_current();
    const uint64_t args[2] = {nd_ptr_arg(MiniportAdapterHandle), nd_ptr_arg(StatusIndication)};
    nd_verify_saved sv;
    const bool fast = nd_verify_ddi_enter(k, "NdisMIndicateStatusEx", 2, args, &sv);
    ddi_body_NdisMIndicateStatusEx(k, MiniportAdapterHandle, StatusIndication);
    nd_verify_ddi_leave(k, fast, "NdisMIndicateStatusEx", 0, &sv);
}
