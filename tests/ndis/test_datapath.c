/*
 * The host's protocol side of the NDIS 6 data path (<ndisdma/netif.h>,
 * issue 7 section 2) against a loopback test miniport (loopmp.c): start
 * restarts the adapter; frames sent come back as receive indications byte
 * for byte; receive NBLs are held and returned, or lent with
 * NDIS_RECEIVE_FLAGS_RESOURCES; sends and returns from inside the receive
 * callback; OID requests, pended and not; pause waits for the miniport's
 * NBLs, restart; stop pauses first; the frame pool; and each data-path
 * verifier rule broken by a miniport (the test calls the miniport's DDIs
 * itself on the adapter's handle) or by the host. Bad input first in each
 * test. No timing assertions: virtual time only orders events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ndisdma/netif.h>
#include <ndisdma/verify.h>

#include "loopmp.h"

/* ---- fixture ---- */

#define HELD_MAX 64

typedef struct host {
    ndisdma_machine *m;
    loopmp_config cfg;
    ndisdma_driver *drv;
    ndisdma_adapter *ad;
    ndisdma_frame_pool *fp;
    /* protocol behaviour */
    bool hold;           /* keep received NBLs (else return them in the callback) */
    int resend;          /* frames to send again from inside the receive callback */
    bool return_to_pool; /* send_complete puts NBLs back into fp */
    /* what it saw */
    int rx_calls, rx_nbls, completions, completed, statuses;
    ULONG rx_flags, complete_flags;
    KIRQL rx_irql;
    NDIS_STATUS last_status;
    PNET_BUFFER_LIST held[HELD_MAX];
    int nheld;
    UCHAR last[2048];
    long last_len;
    NDIS_STATUS last_indication;
} host;

static void on_receive(void *ctx, ndisdma_adapter *a, PNET_BUFFER_LIST nbls, ULONG count,
                       ULONG flags)
{
    host *h = ctx;
    assert_ptr_equal(a, h->ad);
    h->rx_calls++;
    h->rx_nbls += (int)count;
    h->rx_flags = flags;
    h->rx_irql = KeGetCurrentIrql();
    h->last_len = ndisdma_nb_copy(NET_BUFFER_LIST_FIRST_NB(nbls), h->last, sizeof h->last);
    if (h->resend > 0) {
        h->resend--;
        PNET_BUFFER_LIST again = NULL;
        assert_int_equal(ndisdma_frame_pool_get(h->fp, h->last, (size_t)h->last_len, &again), 0);
        assert_int_equal(ndisdma_adapter_send(a, again, NDIS_SEND_FLAGS_DISPATCH_LEVEL), 0);
    }
    if (flags & NDIS_RECEIVE_FLAGS_RESOURCES)
        return; /* lent: copied above, nothing to give back */
    if (!h->hold) {
        assert_int_equal(ndisdma_adapter_return(a, nbls), 0);
        return;
    }
    while (nbls) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(nbls);
        NET_BUFFER_LIST_NEXT_NBL(nbls) = NULL;
        assert_true(h->nheld < HELD_MAX);
        h->held[h->nheld++] = nbls;
        nbls = next;
    }
}

static void on_send_complete(void *ctx, ndisdma_adapter *a, PNET_BUFFER_LIST nbls, ULONG flags)
{
    host *h = ctx;
    assert_ptr_equal(a, h->ad);
    h->completions++;
    h->complete_flags = flags;
    while (nbls) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(nbls);
        NET_BUFFER_LIST_NEXT_NBL(nbls) = NULL;
        h->completed++;
        h->last_status = NET_BUFFER_LIST_STATUS(nbls);
        if (h->return_to_pool)
            assert_int_equal(ndisdma_frame_pool_put(h->fp, nbls), 0);
        nbls = next;
    }
}

static void on_status(void *ctx, ndisdma_adapter *a, const NDIS_STATUS_INDICATION *ind)
{
    host *h = ctx;
    (void)a;
    h->statuses++;
    h->last_indication = ind->StatusCode;
}

static const ndisdma_protocol protocol = {
    .receive = on_receive, .send_complete = on_send_complete, .status = on_status};

/* Machine, loopmp configured by @tweak (may be NULL), loaded; not started. */
static void init(host *h)
{
    memset(h, 0, sizeof *h);
    ndisdma_config mc;
    ndisdma_config_init(&mc);
    mc.placement = NDISDMA_PLACEMENT_LOW;
    assert_int_equal(ndisdma_machine_create(&mc, &h->m), 0);
    ndisdma_machine *stale = ndisdma_thread_machine();
    if (stale)
        ndisdma_thread_unbind(stale);
    assert_int_equal(ndisdma_thread_bind(h->m), 0);
    loopmp_defaults(&h->cfg);
    h->return_to_pool = true;
}

static void start_adapter(host *h, bool bind)
{
    loopmp_use(&h->cfg);
    assert_int_equal(ndisdma_driver_load(h->m, loopmp_DriverEntry, &h->drv), 0);
    ndisdma_resources res;
    ndisdma_resources_init(&res);
    assert_int_equal(ndisdma_adapter_start(h->drv, &res, &h->ad), 0);
    if (bind)
        assert_int_equal(ndisdma_adapter_bind(h->ad, &protocol, h), 0);
    assert_int_equal(ndisdma_frame_pool_create(h->ad, 16, 1514, &h->fp), 0);
}

static void start(host *h)
{
    init(h);
    start_adapter(h, true);
}

static void fini(host *h)
{
    if (h->fp)
        assert_int_equal(ndisdma_frame_pool_destroy(h->fp), 0);
    ndisdma_adapter_stop(h->ad);
    ndisdma_driver_unload(h->drv);
    ndisdma_thread_unbind(h->m);
    ndisdma_machine_destroy(h->m);
    loopmp_use(NULL);
}

static uint64_t mark(host *h)
{
    return ndisdma_violation_count(h->m);
}

static void expect_rule(host *h, uint64_t since, ndisdma_rule rule)
{
    uint64_t n = ndisdma_violation_count(h->m);
    for (uint64_t i = since; i < n; i++) {
        ndisdma_violation v;
        if (ndisdma_violation_get(h->m, i, &v) == 0 && v.rule == (int)rule)
            return;
    }
    fail_msg("no report of rule %s since %llu (%llu reports)", ndisdma_rule_get(rule)->name,
             (unsigned long long)since, (unsigned long long)n);
}

static void expect_clean(host *h, uint64_t since)
{
    uint64_t n = ndisdma_violation_count(h->m);
    if (n != since) {
        ndisdma_violation v;
        char text[512] = "";
        if (ndisdma_violation_get(h->m, since, &v) == 0)
            ndisdma_violation_format(&v, NDISDMA_REPORT_TEXT, text, sizeof text);
        fail_msg("unexpected report: %s", text);
    }
}

/* A frame of @len bytes of a pattern seeded by @seed. */
static PNET_BUFFER_LIST frame(host *h, size_t len, unsigned seed)
{
    UCHAR data[1514];
    for (size_t i = 0; i < len; i++)
        data[i] = (UCHAR)(i * 7 + seed);
    PNET_BUFFER_LIST nbl = NULL;
    assert_int_equal(ndisdma_frame_pool_get(h->fp, data, len, &nbl), 0);
    return nbl;
}

static void run(host *h)
{
    assert_int_equal(ndisdma_machine_run_until_idle(h->m, 10000000), 0);
}

/* ---- life cycle ---- */

static void start_restarts_the_adapter_and_stop_pauses_it(void **state)
{
    (void)state;
    host h;
    init(&h);
    assert_int_equal(ndisdma_adapter_get_state(NULL), 0);
    assert_int_equal(ndisdma_adapter_netif_stats(NULL, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_adapter_bind(NULL, &protocol, &h), NDISDMA_EINVAL);
    uint64_t since = mark(&h);
    start_adapter(&h, true);
    assert_int_equal(ndisdma_adapter_get_state(h.ad), NDISDMA_ADAPTER_RUNNING);
    assert_int_equal(h.cfg.restarts, 1);
    ndisdma_netif_stats s;
    assert_int_equal(ndisdma_adapter_netif_stats(h.ad, &s), 0);
    assert_int_equal(s.restarts, 1);
    assert_int_equal(s.pauses, 0);
    /* unbound: the host's callbacks are not called any more */
    assert_int_equal(ndisdma_adapter_bind(h.ad, NULL, NULL), 0);
    assert_int_equal(ndisdma_adapter_send(h.ad, frame(&h, 60, 1), 0), 0);
    run(&h);
    assert_int_equal(h.completions, 0);
    assert_int_equal(h.rx_calls, 0);
    assert_int_equal(h.cfg.nbls_returned, 1);
    assert_int_equal(ndisdma_frame_pool_destroy(h.fp), 0);
    h.fp = NULL;
    ndisdma_adapter_stop(h.ad);
    h.ad = NULL;
    assert_int_equal(h.cfg.pauses, 1); /* paused before MiniportHaltEx */
    assert_int_equal(h.cfg.halts, 1);
    expect_clean(&h, since);
    fini(&h);
}

static void pending_restart_is_waited_for_and_failed_restart_stays_paused(void **state)
{
    (void)state;
    host h;
    init(&h);
    h.cfg.pend_restart = TRUE;
    uint64_t since = mark(&h);
    start_adapter(&h, true);
    assert_int_equal(ndisdma_adapter_get_state(h.ad), NDISDMA_ADAPTER_RUNNING);
    assert_true(ndisdma_machine_now(h.m) > 0); /* the machine ran until NdisMRestartComplete */
    assert_int_equal(ndisdma_adapter_restart(h.ad), NDISDMA_ESTATE); /* not paused */
    assert_int_equal(ndisdma_adapter_pause(h.ad), 0);
    assert_int_equal(ndisdma_adapter_pause(h.ad), NDISDMA_ESTATE); /* not running */
    h.cfg.restart_status = NDIS_STATUS_RESOURCES;
    assert_int_equal(ndisdma_adapter_restart(h.ad), NDISDMA_ESTATE);
    assert_int_equal(ndisdma_adapter_get_state(h.ad), NDISDMA_ADAPTER_PAUSED);
    h.cfg.restart_status = NDIS_STATUS_SUCCESS;
    h.cfg.pend_restart = FALSE;
    assert_int_equal(ndisdma_adapter_restart(h.ad), 0);
    assert_int_equal(ndisdma_adapter_get_state(h.ad), NDISDMA_ADAPTER_RUNNING);
    expect_clean(&h, since);
    fini(&h);
}

/* ---- send and receive ---- */

static void send_rejects_bad_input_and_states(void **state)
{
    (void)state;
    host h;
    start(&h);
    PNET_BUFFER_LIST nbl = frame(&h, 60, 1);
    assert_int_equal(ndisdma_adapter_send(NULL, nbl, 0), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_adapter_send(h.ad, NULL, 0), NDISDMA_EINVAL);
    NET_BUFFER_LIST foreign;
    memset(&foreign, 0, sizeof foreign);
    assert_int_equal(ndisdma_adapter_send(h.ad, &foreign, 0), NDISDMA_EINVAL);
    /* an NBL without a NET_BUFFER */
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    memset(&pp, 0, sizeof pp);
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    NDIS_HANDLE pool = NdisAllocateNetBufferListPool(h.cfg.driver_handle, &pp);
    PNET_BUFFER_LIST bare = NdisAllocateNetBufferList(pool, 0, 0);
    assert_int_equal(ndisdma_adapter_send(h.ad, bare, 0), NDISDMA_EINVAL);
    /* a chain with one bad NBL sends nothing */
    NET_BUFFER_LIST_NEXT_NBL(nbl) = bare;
    assert_int_equal(ndisdma_adapter_send(h.ad, nbl, 0), NDISDMA_EINVAL);
    NET_BUFFER_LIST_NEXT_NBL(nbl) = nbl; /* a chain that loops */
    assert_int_equal(ndisdma_adapter_send(h.ad, nbl, 0), NDISDMA_EINVAL);
    NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
    assert_int_equal(h.cfg.send_calls, 0);
    /* paused: nothing is sent, the NBL stays the host's */
    assert_int_equal(ndisdma_adapter_pause(h.ad), 0);
    assert_int_equal(ndisdma_adapter_send(h.ad, nbl, 0), NDISDMA_ESTATE);
    assert_int_equal(ndisdma_adapter_restart(h.ad), 0);
    /* already with the miniport: refused */
    h.cfg.hold_sends = TRUE;
    assert_int_equal(ndisdma_adapter_send(h.ad, nbl, 0), 0);
    assert_int_equal(ndisdma_adapter_send(h.ad, nbl, 0), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_frame_pool_destroy(h.fp), NDISDMA_EBUSY); /* a send is out */
    loopmp_flush_sends(&h.cfg);
    run(&h);
    assert_int_equal(h.completed, 1);
    NdisFreeNetBufferList(bare);
    NdisFreeNetBufferListPool(pool);
    fini(&h);
}

static void sent_frame_comes_back_byte_for_byte(void **state)
{
    (void)state;
    host h;
    start(&h);
    uint64_t since = mark(&h);
    PNET_BUFFER_LIST nbl = frame(&h, 1514, 3);
    assert_int_equal(ndisdma_frame_pool_free_count(h.fp), 15);
    assert_int_equal(ndisdma_adapter_send(h.ad, nbl, 0), 0);
    assert_int_equal(h.cfg.send_irql, PASSIVE_LEVEL);
    assert_int_equal(h.cfg.send_flags, 0);
    run(&h);
    assert_int_equal(h.completed, 1);
    assert_int_equal(h.last_status, NDIS_STATUS_SUCCESS);
    assert_true(NDIS_TEST_SEND_COMPLETE_AT_DISPATCH_LEVEL(h.complete_flags));
    assert_int_equal(ndisdma_frame_pool_free_count(h.fp), 16);
    assert_int_equal(h.rx_calls, 1);
    assert_int_equal(h.rx_irql, DISPATCH_LEVEL);
    assert_true(NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(h.rx_flags));
    assert_false(NDIS_TEST_RECEIVE_CANNOT_PEND(h.rx_flags));
    assert_int_equal(h.last_len, 1514);
    for (int i = 0; i < 1514; i++)
        assert_int_equal(h.last[i], (UCHAR)(i * 7 + 3));
    /* returned from the callback, at DISPATCH_LEVEL */
    assert_int_equal(h.cfg.nbls_returned, 1);
    assert_true(NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(h.cfg.return_flags));
    ndisdma_netif_stats s;
    assert_int_equal(ndisdma_adapter_netif_stats(h.ad, &s), 0);
    assert_int_equal(s.sends, 1);
    assert_int_equal(s.nbls_sent, 1);
    assert_int_equal(s.nbls_completed, 1);
    assert_int_equal(s.indications, 1);
    assert_int_equal(s.nbls_indicated, 1);
    assert_int_equal(s.nbls_returned, 1);
    expect_clean(&h, since);
    fini(&h);
}

static void send_with_dispatch_flag_runs_the_miniport_at_dispatch(void **state)
{
    (void)state;
    host h;
    start(&h);
    uint64_t since = mark(&h);
    /* a chain of three, completed inline */
    h.cfg.complete_inline = TRUE;
    PNET_BUFFER_LIST a = frame(&h, 64, 1), b = frame(&h, 128, 2), c = frame(&h, 60, 3);
    NET_BUFFER_LIST_NEXT_NBL(a) = b;
    NET_BUFFER_LIST_NEXT_NBL(b) = c;
    assert_int_equal(ndisdma_adapter_send(h.ad, a, NDIS_SEND_FLAGS_DISPATCH_LEVEL), 0);
    assert_int_equal(h.cfg.send_irql, DISPATCH_LEVEL);
    assert_int_equal(KeGetCurrentIrql(), PASSIVE_LEVEL);
    assert_int_equal(h.completed, 3); /* inline */
    run(&h);
    assert_int_equal(h.rx_nbls, 3);
    assert_int_equal(h.cfg.nbls_returned, 3);
    /* at DISPATCH_LEVEL without the flag: refused and reported */
    PNET_BUFFER_LIST d = frame(&h, 60, 4);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL, &old);
    assert_int_equal(ndisdma_adapter_send(h.ad, d, 0), NDISDMA_EINVAL);
    KeLowerIrql(old);
    expect_rule(&h, since, NDISDMA_RULE_DATAPATH_FLAGS);
    assert_int_equal(ndisdma_frame_pool_put(h.fp, d), 0);
    fini(&h);
}

static void held_receives_are_returned_later_and_only_once(void **state)
{
    (void)state;
    host h;
    start(&h);
    h.hold = true;
    uint64_t since = mark(&h);
    assert_int_equal(ndisdma_adapter_send(h.ad, frame(&h, 100, 5), 0), 0);
    assert_int_equal(ndisdma_adapter_send(h.ad, frame(&h, 200, 6), 0), 0);
    run(&h);
    assert_int_equal(h.nheld, 2);
    assert_int_equal(h.cfg.rx_out, 2);
    assert_int_equal(ndisdma_adapter_return(NULL, h.held[0]), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_adapter_return(h.ad, NULL), NDISDMA_EINVAL);
    expect_clean(&h, since);
    /* a sent NBL was never indicated: not the host's to return */
    PNET_BUFFER_LIST mine = frame(&h, 60, 7);
    assert_int_equal(ndisdma_adapter_return(h.ad, mine), NDISDMA_EINVAL);
    expect_rule(&h, since, NDISDMA_RULE_RETURN_NOT_HELD);
    assert_int_equal(ndisdma_frame_pool_put(h.fp, mine), 0);
    /* both together, at PASSIVE_LEVEL */
    NET_BUFFER_LIST_NEXT_NBL(h.held[0]) = h.held[1];
    since = mark(&h);
    assert_int_equal(ndisdma_adapter_return(h.ad, h.held[0]), 0);
    assert_int_equal(h.cfg.rx_out, 0);
    assert_int_equal(h.cfg.return_irql, PASSIVE_LEVEL);
    assert_int_equal(h.cfg.return_flags, 0);
    expect_clean(&h, since);
    /* returned twice: reported, nothing returned (the miniport has it again) */
    NET_BUFFER_LIST_NEXT_NBL(h.held[0]) = NULL;
    int calls = h.cfg.return_calls;
    assert_int_equal(ndisdma_adapter_return(h.ad, h.held[0]), NDISDMA_EINVAL);
    expect_rule(&h, since, NDISDMA_RULE_RETURN_NOT_HELD);
    assert_int_equal(h.cfg.return_calls, calls);
    fini(&h);
}

static void resources_indication_is_lent_not_held(void **state)
{
    (void)state;
    host h;
    init(&h);
    h.cfg.rx_resources = TRUE;
    start_adapter(&h, true);
    h.hold = true; /* ignored for lent NBLs */
    uint64_t since = mark(&h);
    assert_int_equal(ndisdma_adapter_send(h.ad, frame(&h, 80, 9), 0), 0);
    run(&h);
    assert_int_equal(h.rx_calls, 1);
    assert_true(NDIS_TEST_RECEIVE_CANNOT_PEND(h.rx_flags));
    assert_int_equal(h.last_len, 80);
    assert_int_equal(h.cfg.return_calls, 0);
    ndisdma_netif_stats s;
    ndisdma_adapter_netif_stats(h.ad, &s);
    assert_int_equal(s.nbls_returned, 1);
    expect_clean(&h, since);
    fini(&h);
}

static void without_protocol_receives_return_at_once(void **state)
{
    (void)state;
    host h;
    init(&h);
    start_adapter(&h, false);
    uint64_t since = mark(&h);
    assert_int_equal(ndisdma_adapter_send(h.ad, frame(&h, 60, 1), 0), 0);
    run(&h);
    assert_int_equal(h.cfg.nbls_returned, 1);
    assert_int_equal(h.cfg.rx_out, 0);
    ndisdma_netif_stats s;
    ndisdma_adapter_netif_stats(h.ad, &s);
    assert_int_equal(s.nbls_completed, 1);
    assert_int_equal(s.nbls_indicated, 1);
    assert_int_equal(s.nbls_returned, 1);
    expect_clean(&h, since);
    /* the NBL is the host's again, though nobody was told: put it back */
    assert_int_equal(ndisdma_frame_pool_free_count(h.fp), 15);
    fini(&h); /* destroy frees the one still out */
}

static void receive_callback_may_send_and_return(void **state)
{
    (void)state;
    host h;
    start(&h);
    h.resend = 3; /* each receive sends the frame again, three times */
    uint64_t since = mark(&h);
    assert_int_equal(ndisdma_adapter_send(h.ad, frame(&h, 300, 11), 0), 0);
    run(&h);
    assert_int_equal(h.rx_calls, 4);
    assert_int_equal(h.completed, 4);
    assert_int_equal(h.cfg.nbls_returned, 4);
    assert_int_equal(h.cfg.send_irql, DISPATCH_LEVEL); /* the last send came from the DPC */
    assert_int_equal(ndisdma_frame_pool_free_count(h.fp), 16);
    expect_clean(&h, since);
    fini(&h);
}

/* ---- OIDs ---- */

static void oid_requests_sync_pending_and_never_completed(void **state)
{
    (void)state;
    host h;
    start(&h);
    NDIS_STATUS st = 0;
    UCHAR mac[6];
    ULONG done = 0, needed = 0;
    assert_int_equal(ndisdma_adapter_oid(NULL, NULL, &st), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_adapter_oid(h.ad, NULL, &st), NDISDMA_EINVAL);
    assert_int_equal(
        ndisdma_adapter_query(h.ad, OID_802_3_CURRENT_ADDRESS, NULL, 6, &done, &needed, &st),
        NDISDMA_EINVAL);
    uint64_t since = mark(&h);
    /* too short: BytesNeeded */
    assert_int_equal(
        ndisdma_adapter_query(h.ad, OID_802_3_CURRENT_ADDRESS, mac, 2, &done, &needed, &st), 0);
    assert_int_equal(st, NDIS_STATUS_BUFFER_TOO_SHORT);
    assert_int_equal(needed, 6);
    assert_int_equal(ndisdma_adapter_query(h.ad, OID_802_3_CURRENT_ADDRESS, mac, sizeof mac, &done,
                                           &needed, &st),
                     0);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    assert_int_equal(done, 6);
    assert_memory_equal(mac, h.cfg.mac, 6);
    ULONG filter = NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_BROADCAST;
    assert_int_equal(ndisdma_adapter_set(h.ad, OID_GEN_CURRENT_PACKET_FILTER, &filter,
                                         sizeof filter, &done, NULL, &st),
                     0);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    assert_int_equal(done, sizeof filter);
    assert_int_equal(h.cfg.packet_filter, filter);
    /* the header NDIS fills */
    NDIS_OID_REQUEST req;
    memset(&req, 0, sizeof req);
    req.RequestType = NdisRequestQueryInformation;
    req.DATA.QUERY_INFORMATION.Oid = OID_GEN_VENDOR_ID;
    assert_int_equal(ndisdma_adapter_oid(h.ad, &req, &st), 0);
    assert_int_equal(st, NDIS_STATUS_NOT_SUPPORTED);
    assert_int_equal(req.Header.Type, NDIS_OBJECT_TYPE_OID_REQUEST);
    assert_int_equal(req.Header.Revision, NDIS_OID_REQUEST_REVISION_1);
    assert_int_equal(req.Header.Size, NDIS_SIZEOF_OID_REQUEST_REVISION_1);
    /* pended: the machine runs until NdisMOidRequestComplete */
    h.cfg.pend_oid = TRUE;
    uint64_t t0 = ndisdma_machine_now(h.m);
    ULONG speed = 0;
    assert_int_equal(
        ndisdma_adapter_query(h.ad, OID_GEN_LINK_SPEED, &speed, sizeof speed, &done, NULL, &st), 0);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    assert_int_equal(speed, 100000);
    assert_true(ndisdma_machine_now(h.m) > t0);
    expect_clean(&h, since);
    /* never completed: EBUSY after a second, reported; later requests wait */
    h.cfg.never_complete_oid = TRUE;
    assert_int_equal(
        ndisdma_adapter_query(h.ad, OID_GEN_LINK_SPEED, &speed, sizeof speed, &done, NULL, &st),
        NDISDMA_EBUSY);
    assert_true(mark(&h) > since);
    assert_int_equal(
        ndisdma_adapter_query(h.ad, OID_GEN_LINK_SPEED, &speed, sizeof speed, &done, NULL, &st),
        NDISDMA_EBUSY);
    ndisdma_netif_stats s;
    ndisdma_adapter_netif_stats(h.ad, &s);
    assert_int_equal(s.oid_requests, 6);
    fini(&h);
}

/* ---- reset ---- */

static void reset_sync_pending_and_never_completed(void **state)
{
    (void)state;
    host h;
    start(&h);
    NDIS_STATUS st = 0;
    BOOLEAN addressing = TRUE;
    assert_int_equal(ndisdma_adapter_reset(NULL, &addressing, &st), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_adapter_reset(h.ad, &addressing, NULL), NDISDMA_EINVAL);
    assert_int_equal(h.cfg.resets, 0);
    uint64_t since = mark(&h);
    /* synchronous: the handler's status and AddressingReset come back */
    h.cfg.reset_status = NDIS_STATUS_HARD_ERRORS;
    h.cfg.addressing_reset = TRUE;
    assert_int_equal(ndisdma_adapter_reset(h.ad, &addressing, &st), 0);
    assert_int_equal(st, NDIS_STATUS_HARD_ERRORS);
    assert_true(addressing);
    assert_int_equal(h.cfg.resets, 1);
    /* pended: the machine runs until NdisMResetComplete, whose values count */
    h.cfg.pend_reset = TRUE;
    h.cfg.reset_status = NDIS_STATUS_SUCCESS;
    h.cfg.addressing_reset = FALSE;
    uint64_t t0 = ndisdma_machine_now(h.m);
    addressing = TRUE;
    assert_int_equal(ndisdma_adapter_reset(h.ad, &addressing, &st), 0);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    assert_false(addressing);
    assert_true(ndisdma_machine_now(h.m) > t0);
    /* a paused adapter can be reset too; NULL addressing_reset is fine */
    assert_int_equal(ndisdma_adapter_pause(h.ad), 0);
    assert_int_equal(ndisdma_adapter_reset(h.ad, NULL, &st), 0);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    assert_int_equal(ndisdma_adapter_restart(h.ad), 0);
    expect_clean(&h, since);
    /* never completed: EBUSY after a second, reported; a second reset is refused */
    h.cfg.never_complete_reset = TRUE;
    assert_int_equal(ndisdma_adapter_reset(h.ad, &addressing, &st), NDISDMA_EBUSY);
    assert_true(mark(&h) > since);
    assert_int_equal(ndisdma_adapter_reset(h.ad, &addressing, &st), NDISDMA_EBUSY);
    assert_int_equal(h.cfg.resets, 4);
    fini(&h);
}

/* ---- pause ---- */

static void pause_waits_for_sends_and_receives(void **state)
{
    (void)state;
    host h;
    start(&h);
    h.hold = true;
    uint64_t since = mark(&h);
    /* sends in flight: the miniport pends its pause until they complete */
    assert_int_equal(ndisdma_adapter_send(h.ad, frame(&h, 60, 1), 0), 0);
    h.cfg.no_loop = TRUE;
    assert_int_equal(ndisdma_adapter_send(h.ad, frame(&h, 60, 2), 0), 0);
    h.cfg.no_loop = FALSE;
    run(&h); /* one receive indicated and held by the host */
    assert_int_equal(h.nheld, 1);
    /* held receive: the miniport cannot complete its pause */
    assert_int_equal(ndisdma_adapter_pause(h.ad), NDISDMA_EBUSY);
    assert_int_equal(ndisdma_adapter_get_state(h.ad), NDISDMA_ADAPTER_PAUSING);
    since = mark(&h); /* EBUSY was reported (the miniport's pause did not complete) */
    /* returning it lets the miniport complete the pause */
    assert_int_equal(ndisdma_adapter_return(h.ad, h.held[0]), 0);
    assert_int_equal(ndisdma_adapter_get_state(h.ad), NDISDMA_ADAPTER_PAUSED);
    assert_int_equal(ndisdma_adapter_send(h.ad, frame(&h, 60, 3), 0), NDISDMA_ESTATE);
    assert_int_equal(ndisdma_adapter_restart(h.ad), 0);
    /* pended with a send in flight, completed by the miniport's timer */
    h.cfg.pend_pause = TRUE;
    h.cfg.no_loop = TRUE;
    PNET_BUFFER_LIST out = NULL;
    assert_int_equal(ndisdma_frame_pool_get(h.fp, "x", 1, &out), 0);
    assert_int_equal(ndisdma_adapter_send(h.ad, out, 0), 0);
    assert_int_equal(ndisdma_adapter_pause(h.ad), 0);
    assert_int_equal(ndisdma_adapter_get_state(h.ad), NDISDMA_ADAPTER_PAUSED);
    assert_int_equal(h.completed, 3); /* the two first sends and this one */
    expect_clean(&h, since);
    ndisdma_netif_stats s;
    ndisdma_adapter_netif_stats(h.ad, &s);
    assert_int_equal(s.pauses, 2);
    fini(&h); /* stop: already paused, no second pause */
    assert_int_equal(h.cfg.pauses, 2);
}

static void pause_completed_with_nbls_out_is_reported(void **state)
{
    (void)state;
    host h;
    start(&h);
    h.hold = true;
    assert_int_equal(ndisdma_adapter_send(h.ad, frame(&h, 60, 1), 0), 0);
    run(&h);
    h.cfg.pause_early = TRUE; /* completes at once, receive NBL still with the host */
    uint64_t since = mark(&h);
    assert_int_equal(ndisdma_adapter_pause(h.ad), 0);
    expect_rule(&h, since, NDISDMA_RULE_PAUSE_OUTSTANDING);
    assert_int_equal(ndisdma_adapter_return(h.ad, h.held[0]), 0);
    fini(&h);
}

static void stop_with_nbls_still_held_is_reported(void **state)
{
    (void)state;
    host h;
    start(&h);
    h.hold = true;
    assert_int_equal(ndisdma_adapter_send(h.ad, frame(&h, 60, 1), 0), 0);
    run(&h);
    assert_int_equal(ndisdma_frame_pool_destroy(h.fp), 0);
    h.fp = NULL;
    uint64_t since = mark(&h);
    ndisdma_adapter_stop(h.ad);
    h.ad = NULL;
    expect_rule(&h, since, NDISDMA_RULE_NBLS_AT_STOP);
    fini(&h);
}

static void frame_pool_left_at_stop_is_reported_and_freed(void **state)
{
    (void)state;
    host h;
    start(&h);
    uint64_t since = mark(&h);
    ndisdma_adapter_stop(h.ad);
    h.ad = NULL;
    expect_rule(&h, since, NDISDMA_RULE_GENERIC);
    assert_int_equal(ndisdma_frame_pool_destroy(h.fp), 0); /* only the object is left */
    h.fp = NULL;
    fini(&h);
}

/* ---- the miniport's misuse ---- */

static void miniport_completion_and_indication_misuse_is_reported(void **state)
{
    (void)state;
    host h;
    start(&h);
    NDIS_HANDLE ah = h.cfg.adapter_handle;
    NET_BUFFER_LIST_POOL_PARAMETERS pp;
    memset(&pp, 0, sizeof pp);
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.fAllocateNetBuffer = TRUE;
    NDIS_HANDLE pool = NdisAllocateNetBufferListPool(ah, &pp);
    PNET_BUFFER_LIST x = NdisAllocateNetBufferList(pool, 0, 0);
    PNET_BUFFER_LIST y = NdisAllocateNetBufferList(pool, 0, 0);

    uint64_t since = mark(&h);
    NdisMSendNetBufferListsComplete(NULL, x, 0);
    expect_rule(&h, since, NDISDMA_RULE_HANDLE_UNKNOWN);
    since = mark(&h);
    NdisMSendNetBufferListsComplete(ah, NULL, 0);
    expect_rule(&h, since, NDISDMA_RULE_NULL_ARG);
    since = mark(&h);
    NdisMSendNetBufferListsComplete(ah, x, 0); /* never sent */
    expect_rule(&h, since, NDISDMA_RULE_NBL_NOT_HELD);
    since = mark(&h);
    KIRQL old;
    KeRaiseIrql(DISPATCH_LEVEL + 1, &old);
    NdisMSendNetBufferListsComplete(ah, x, 0);
    KeLowerIrql(old);
    expect_rule(&h, since, NDISDMA_RULE_IRQL);
    since = mark(&h);
    NdisMSendNetBufferListsComplete(ah, x, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
    expect_rule(&h, since, NDISDMA_RULE_DATAPATH_FLAGS);

    /* completed twice */
    h.cfg.hold_sends = TRUE;
    PNET_BUFFER_LIST f = frame(&h, 60, 1);
    h.return_to_pool = false;
    assert_int_equal(ndisdma_adapter_send(h.ad, f, 0), 0);
    since = mark(&h);
    NdisFreeNetBufferList(f); /* with the miniport */
    expect_rule(&h, since, NDISDMA_RULE_NBL_FREED_BUSY);
    loopmp_flush_sends(&h.cfg);
    assert_int_equal(h.completed, 1);
    since = mark(&h);
    NdisMSendNetBufferListsComplete(ah, f, 0);
    expect_rule(&h, since, NDISDMA_RULE_NBL_NOT_HELD);
    assert_int_equal(h.completed, 1);
    assert_int_equal(ndisdma_frame_pool_put(h.fp, f), 0);

    /* a foreign NBL */
    NET_BUFFER_LIST foreign;
    memset(&foreign, 0, sizeof foreign);
    since = mark(&h);
    NdisMIndicateReceiveNetBufferLists(ah, &foreign, 0, 1, NDIS_RECEIVE_FLAGS_RESOURCES);
    expect_rule(&h, since, NDISDMA_RULE_NBL_UNKNOWN);

    /* count mismatch (lent: nothing to return) */
    NET_BUFFER_LIST_NEXT_NBL(x) = y;
    since = mark(&h);
    int calls = h.rx_calls;
    NdisMIndicateReceiveNetBufferLists(ah, x, 0, 3, NDIS_RECEIVE_FLAGS_RESOURCES);
    expect_rule(&h, since, NDISDMA_RULE_RECEIVE_COUNT);
    assert_int_equal(h.rx_calls, calls + 1); /* the chain is indicated all the same */
    assert_int_equal(h.rx_nbls, 2);
    /* the receive flag does not match the IRQL */
    since = mark(&h);
    NdisMIndicateReceiveNetBufferLists(
        ah, x, 0, 2, NDIS_RECEIVE_FLAGS_RESOURCES | NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
    expect_rule(&h, since, NDISDMA_RULE_DATAPATH_FLAGS);
    /* a send NBL indicated */
    h.cfg.hold_sends = TRUE;
    h.return_to_pool = true;
    PNET_BUFFER_LIST g = frame(&h, 60, 2);
    h.cfg.no_loop = TRUE;
    assert_int_equal(ndisdma_adapter_send(h.ad, g, 0), 0);
    since = mark(&h);
    NdisMIndicateReceiveNetBufferLists(ah, g, 0, 1, NDIS_RECEIVE_FLAGS_RESOURCES);
    expect_rule(&h, since, NDISDMA_RULE_NBL_NOT_HELD);
    loopmp_flush_sends(&h.cfg);
    /* indicated while paused */
    h.cfg.hold_sends = FALSE;
    assert_int_equal(ndisdma_adapter_pause(h.ad), 0);
    NET_BUFFER_LIST_NEXT_NBL(x) = NULL;
    since = mark(&h);
    calls = h.rx_calls;
    NdisMIndicateReceiveNetBufferLists(ah, x, 0, 1, NDIS_RECEIVE_FLAGS_RESOURCES);
    expect_rule(&h, since, NDISDMA_RULE_RECEIVE_NOT_RUNNING);
    assert_int_equal(h.rx_calls, calls); /* not passed up */
    assert_int_equal(ndisdma_adapter_restart(h.ad), 0);

    /* completions of nothing pending */
    NDIS_OID_REQUEST req;
    memset(&req, 0, sizeof req);
    since = mark(&h);
    NdisMOidRequestComplete(ah, &req, NDIS_STATUS_SUCCESS);
    expect_rule(&h, since, NDISDMA_RULE_COMPLETE_NOT_PENDING);
    since = mark(&h);
    NdisMPauseComplete(ah);
    expect_rule(&h, since, NDISDMA_RULE_COMPLETE_NOT_PENDING);
    since = mark(&h);
    NdisMRestartComplete(ah, NDIS_STATUS_SUCCESS);
    expect_rule(&h, since, NDISDMA_RULE_COMPLETE_NOT_PENDING);
    since = mark(&h);
    NdisMResetComplete(ah, NDIS_STATUS_SUCCESS, FALSE);
    expect_rule(&h, since, NDISDMA_RULE_COMPLETE_NOT_PENDING);
    assert_int_equal(ndisdma_adapter_get_state(h.ad), NDISDMA_ADAPTER_RUNNING);

    NdisFreeNetBufferList(x);
    NdisFreeNetBufferList(y);
    NdisFreeNetBufferListPool(pool);
    fini(&h);
}

static void status_indications_reach_the_host(void **state)
{
    (void)state;
    host h;
    start(&h);
    NDIS_HANDLE ah = h.cfg.adapter_handle;
    NDIS_STATUS_INDICATION ind;
    memset(&ind, 0, sizeof ind);
    uint64_t since = mark(&h);
    NdisMIndicateStatusEx(ah, NULL);
    expect_rule(&h, since, NDISDMA_RULE_NULL_ARG);
    since = mark(&h);
    NdisMIndicateStatusEx(ah, &ind); /* header 0 */
    expect_rule(&h, since, NDISDMA_RULE_GENERIC);
    assert_int_equal(h.statuses, 0);
    ind.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
    ind.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
    ind.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
    ind.SourceHandle = ah;
    ind.StatusCode = NDIS_STATUS_LINK_STATE;
    since = mark(&h);
    NdisMIndicateStatusEx(ah, &ind);
    expect_clean(&h, since);
    assert_int_equal(h.statuses, 1);
    assert_int_equal(h.last_indication, NDIS_STATUS_LINK_STATE);
    ndisdma_netif_stats s;
    ndisdma_adapter_netif_stats(h.ad, &s);
    assert_int_equal(s.status_indications, 1);
    fini(&h);
}

/* ---- the frame pool ---- */

static void frame_pool_rejects_bad_input_then_hands_out_frames(void **state)
{
    (void)state;
    host h;
    start(&h);
    ndisdma_frame_pool *p = (ndisdma_frame_pool *)1;
    assert_int_equal(ndisdma_frame_pool_create(NULL, 4, 64, &p), NDISDMA_EINVAL);
    assert_null(p);
    assert_int_equal(ndisdma_frame_pool_create(h.ad, 0, 64, &p), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_frame_pool_create(h.ad, 4, 0, &p), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_frame_pool_create(h.ad, 4, 64, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_frame_pool_destroy(NULL), 0);
    assert_int_equal(ndisdma_frame_pool_free_count(NULL), 0);
    uint64_t since = mark(&h);
    assert_int_equal(ndisdma_frame_pool_create(h.ad, 3, 64, &p), 0);
    PNET_BUFFER_LIST n[4];
    UCHAR data[65] = {1, 2, 3};
    assert_int_equal(ndisdma_frame_pool_get(NULL, data, 10, &n[0]), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_frame_pool_get(p, data, 0, &n[0]), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_frame_pool_get(p, data, 65, &n[0]), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_frame_pool_get(p, NULL, 10, &n[0]), NDISDMA_EINVAL);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ndisdma_frame_pool_get(p, data, 10 + (size_t)i, &n[i]), 0);
    assert_int_equal(ndisdma_frame_pool_get(p, data, 10, &n[3]), NDISDMA_ENOSPC);
    assert_int_equal(ndisdma_frame_pool_free_count(p), 0);
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(n[2]);
    assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 12);
    UCHAR out[16];
    assert_int_equal(ndisdma_nb_copy(NULL, out, sizeof out), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_nb_copy(nb, out, 4), NDISDMA_ENOSPC);
    assert_int_equal(ndisdma_nb_copy(nb, out, sizeof out), 12);
    assert_memory_equal(out, data, 12);
    /* the frames are simulated RAM, small ones share a page */
    PMDL m0 = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(n[0]));
    PMDL m1 = NET_BUFFER_FIRST_MDL(NET_BUFFER_LIST_FIRST_NB(n[1]));
    assert_int_equal(MmGetMdlPfnArray(m0)[0], MmGetMdlPfnArray(m1)[0]);
    /* put: not its own, twice */
    assert_int_equal(ndisdma_frame_pool_put(p, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_frame_pool_put(h.fp, n[0]), NDISDMA_EINVAL);
    NET_BUFFER_LIST_NEXT_NBL(n[0]) = n[1];
    assert_int_equal(ndisdma_frame_pool_put(p, n[0]), 0);
    assert_int_equal(ndisdma_frame_pool_free_count(p), 2);
    NET_BUFFER_LIST_NEXT_NBL(n[0]) = NULL;
    assert_int_equal(ndisdma_frame_pool_put(p, n[0]), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_frame_pool_put(p, n[2]), 0);
    assert_int_equal(ndisdma_frame_pool_free_count(p), 3);
    assert_int_equal(ndisdma_frame_pool_destroy(p), 0);
    expect_clean(&h, since);
    fini(&h);
}

static void frame_pool_take_hands_out_frames_to_write_in_place(void **state)
{
    (void)state;
    host h;
    start(&h);
    uint64_t since = mark(&h);
    ndisdma_frame_pool *p;
    assert_int_equal(ndisdma_frame_pool_create(h.ad, 2, 64, &p), 0);
    PNET_BUFFER_LIST n[3];
    void *buf[3];
    /* invalid input: nothing handed out, both outputs cleared */
    n[0] = (PNET_BUFFER_LIST)1;
    buf[0] = (void *)1;
    assert_int_equal(ndisdma_frame_pool_take(NULL, 10, &n[0], &buf[0]), NDISDMA_EINVAL);
    assert_null(n[0]);
    assert_null(buf[0]);
    assert_int_equal(ndisdma_frame_pool_take(p, 0, &n[0], &buf[0]), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_frame_pool_take(p, 65, &n[0], &buf[0]), NDISDMA_EINVAL);
    buf[0] = (void *)1;
    assert_int_equal(ndisdma_frame_pool_take(p, 10, NULL, &buf[0]), NDISDMA_EINVAL);
    assert_null(buf[0]);
    n[0] = (PNET_BUFFER_LIST)1;
    assert_int_equal(ndisdma_frame_pool_take(p, 10, &n[0], NULL), NDISDMA_EINVAL);
    assert_null(n[0]);
    assert_int_equal(ndisdma_frame_pool_free_count(p), 2);
    /* the buffer is the NB's data: what is written there is what nb_copy reads */
    assert_int_equal(ndisdma_frame_pool_take(p, 64, &n[0], &buf[0]), 0);
    assert_non_null(buf[0]);
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(n[0]);
    assert_int_equal(NET_BUFFER_DATA_LENGTH(nb), 64);
    assert_null(NET_BUFFER_NEXT_NB(nb));
    assert_ptr_equal(buf[0], MmGetMdlVirtualAddress(NET_BUFFER_CURRENT_MDL(nb)));
    UCHAR want[64], out[64];
    for (unsigned i = 0; i < sizeof want; i++)
        want[i] = (UCHAR)(i * 7u + 1u);
    memcpy(buf[0], want, sizeof want);
    assert_int_equal(ndisdma_nb_copy(nb, out, sizeof out), 64);
    assert_memory_equal(out, want, sizeof want);
    /* take and get share the free list */
    assert_int_equal(ndisdma_frame_pool_get(p, want, 5, &n[1]), 0);
    assert_int_equal(ndisdma_frame_pool_take(p, 1, &n[2], &buf[2]), NDISDMA_ENOSPC);
    assert_null(n[2]);
    assert_null(buf[2]);
    assert_int_equal(ndisdma_frame_pool_free_count(p), 0);
    /* a taken frame goes back with put, and is taken again with its new length */
    assert_int_equal(ndisdma_frame_pool_put(p, n[0]), 0);
    assert_int_equal(ndisdma_frame_pool_take(p, 3, &n[2], &buf[2]), 0);
    assert_ptr_equal(n[2], n[0]);
    assert_ptr_equal(buf[2], buf[0]);
    assert_int_equal(NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(n[2])), 3);
    assert_int_equal(ndisdma_frame_pool_put(p, n[2]), 0);
    assert_int_equal(ndisdma_frame_pool_put(p, n[2]), NDISDMA_EINVAL); /* twice */
    assert_int_equal(ndisdma_frame_pool_put(p, n[1]), 0);
    assert_int_equal(ndisdma_frame_pool_free_count(p), 2);
    assert_int_equal(ndisdma_frame_pool_destroy(p), 0);
    expect_clean(&h, since);
    fini(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(start_restarts_the_adapter_and_stop_pauses_it),
        cmocka_unit_test(pending_restart_is_waited_for_and_failed_restart_stays_paused),
        cmocka_unit_test(send_rejects_bad_input_and_states),
        cmocka_unit_test(sent_frame_comes_back_byte_for_byte),
        cmocka_unit_test(send_with_dispatch_flag_runs_the_miniport_at_dispatch),
        cmocka_unit_test(held_receives_are_returned_later_and_only_once),
        cmocka_unit_test(resources_indication_is_lent_not_held),
        cmocka_unit_test(without_protocol_receives_return_at_once),
        cmocka_unit_test(receive_callback_may_send_and_return),
        cmocka_unit_test(oid_requests_sync_pending_and_never_completed),
        cmocka_unit_test(reset_sync_pending_and_never_completed),
        cmocka_unit_test(pause_waits_for_sends_and_receives),
        cmocka_unit_test(pause_completed_with_nbls_out_is_reported),
        cmocka_unit_test(stop_with_nbls_still_held_is_reported),
        cmocka_unit_test(frame_pool_left_at_stop_is_reported_and_freed),
        cmocka_unit_test(miniport_completion_and_indication_misuse_is_reported),
        cmocka_unit_test(status_indications_reach_the_host),
        cmocka_unit_test(frame_pool_rejects_bad_input_then_hands_out_frames),
        cmocka_unit_test(frame_pool_take_hands_out_frames_to_write_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
