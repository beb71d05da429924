/*
 * The verifier (issue 6 section 1, docs/verifier.md): for each rule of the
 * catalogue a test that breaks it and a test that correct code does not;
 * the policies (record, fail fast, count only); the text and JSON reports
 * with DDI arguments, adapter and the caller's file and line; the events.
 *
 * Every misuse here also runs under ASan+UBSan in CI: a driver that breaks
 * a rule must not crash the process or touch memory outside its buffers.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <ndisdma/verify.h>

#include "callers.h"
#include "ndtest.h"

/* ---- helpers ---- */

static NDIS_STATUS setup(ndt *t, ndt_buf *b, ULONG off, ULONG len, BOOLEAN write)
{
    NDIS_STATUS st = 0x12345678;
    NdisMSetupDmaTransfer(&st, t->cfg.dma, b ? b->mdl : NULL, off, len, write);
    return st;
}

static NDIS_STATUS complete(ndt *t, ndt_buf *b, ULONG off, ULONG len, BOOLEAN write)
{
    NDIS_STATUS st = 0x12345678;
    NdisMCompleteDmaTransfer(&st, t->cfg.dma, b ? b->mdl : NULL, off, len, write);
    return st;
}

static KIRQL raise_to(KIRQL to)
{
    KIRQL old;
    KeRaiseIrql(to, &old);
    return old;
}

/* The reports since @mark include one of @rule; returns it in *@out. */
static void expect_rule(ndt *t, uint64_t mark, ndisdma_rule rule, ndisdma_violation *out)
{
    uint64_t n = ndisdma_violation_count(t->m);
    for (uint64_t i = mark; i < n; i++) {
        ndisdma_violation v;
        if (ndisdma_violation_get(t->m, i, &v) == 0 && v.rule == (int)rule) {
            assert_string_equal(v.rule_name, ndisdma_rule_get(rule)->name);
            if (out)
                *out = v;
            return;
        }
    }
    fail_msg("no report of rule %s since %llu (%llu reports)", ndisdma_rule_get(rule)->name,
             (unsigned long long)mark, (unsigned long long)n);
}

static void expect_clean(ndt *t, uint64_t mark)
{
    uint64_t n = ndisdma_violation_count(t->m);
    if (n != mark) {
        ndisdma_violation v;
        char text[512] = "";
        if (ndisdma_violation_get(t->m, mark, &v) == 0)
            ndisdma_violation_format(&v, NDISDMA_REPORT_TEXT, text, sizeof text);
        fail_msg("unexpected report: %s", text);
    }
}

/* A started adapter with the device on channel 3 and a buffer. */
static void start(ndt *t, ndisdma_placement placement, ndt_buf *b, size_t len)
{
    ndt_init(t, placement);
    ndt_start(t);
    ndt_dev_attach(t, 3);
    ndt_buf_ram(t, b, len);
}

static void stop(ndt *t, ndt_buf *b)
{
    ndt_buf_free(t, b);
    ndt_fini(t);
}

/* ---- the catalogue ---- */

static void catalogue_is_complete(void **state)
{
    (void)state;
    for (int r = 0; r < NDISDMA_RULE_COUNT; r++) {
        const ndisdma_rule_info *ri = ndisdma_rule_get(r);
        assert_non_null(ri);
        assert_int_equal(ri->id, r);
        assert_true(ri->name[0] && ri->message[0] && ri->windows[0]);
        assert_string_not_equal(ndisdma_severity_str(ri->severity), "?");
        for (int o = 0; o < r; o++)
            assert_string_not_equal(ndisdma_rule_get(o)->name, ri->name);
    }
    assert_null(ndisdma_rule_get(-1));
    assert_null(ndisdma_rule_get(NDISDMA_RULE_COUNT));
    assert_string_equal(ndisdma_severity_str(99), "?");
    assert_string_equal(ndisdma_rule_get(NDISDMA_RULE_IRQL)->name, "irql");
}

/* ---- IRQL, for each of the five DDIs (N1, N9, N15, N25, N22) ---- */

static void irql_each_ddi(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    NDIS_HANDLE dma = t.cfg.dma;

    uint64_t mark = ndisdma_violation_count(t.m);
    KIRQL old = raise_to(DISPATCH_LEVEL + 3);
    assert_int_equal(setup(&t, &b, 0, 64, FALSE), NDIS_STATUS_FAILURE);
    KeLowerIrql(old);
    expect_rule(&t, mark, NDISDMA_RULE_IRQL, NULL);

    assert_int_equal(setup(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS);
    mark = ndisdma_violation_count(t.m);
    old = raise_to(DISPATCH_LEVEL + 3);
    assert_int_equal(complete(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS); /* N21: released */
    KeLowerIrql(old);
    expect_rule(&t, mark, NDISDMA_RULE_IRQL, NULL);

    mark = ndisdma_violation_count(t.m);
    old = raise_to(DISPATCH_LEVEL + 3);
    assert_int_equal(NdisMReadDmaCounter(dma), 0);
    KeLowerIrql(old);
    expect_rule(&t, mark, NDISDMA_RULE_IRQL, NULL);

    mark = ndisdma_violation_count(t.m);
    old = raise_to(DISPATCH_LEVEL);
    NdisMDeregisterDmaChannel(dma); /* refused: still registered */
    NDIS_HANDLE h = (NDIS_HANDLE)1;
    NDIS_DMA_DESCRIPTION d = t.cfg.desc;
    assert_int_equal(NdisMRegisterDmaChannel(&h, t.cfg.adapter_handle, 1, FALSE, &d, 4096),
                     NDIS_STATUS_FAILURE);
    KeLowerIrql(old);
    expect_rule(&t, mark, NDISDMA_RULE_IRQL, NULL);
    assert_null(h);
    stop(&t, &b);
}

static void irql_correct_is_clean(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    uint64_t mark = ndisdma_violation_count(t.m);
    KIRQL old = raise_to(DISPATCH_LEVEL); /* <= DISPATCH_LEVEL is allowed (N9, N15) */
    assert_int_equal(setup(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS);
    (void)NdisMReadDmaCounter(t.cfg.dma);
    assert_int_equal(complete(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS);
    KeLowerIrql(old);
    expect_clean(&t, mark);
    stop(&t, &b);
}

/* ---- Setup / Complete pairing (N10, N16) ---- */

static void setup_in_progress(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    assert_int_equal(setup(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS);
    uint64_t mark = ndisdma_violation_count(t.m);
    assert_int_equal(setup(&t, &b, 64, 64, TRUE), NDIS_STATUS_RESOURCES);
    expect_rule(&t, mark, NDISDMA_RULE_SETUP_IN_PROGRESS, NULL);
    /* the transfer in progress is undisturbed: its Complete is clean */
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(complete(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS);
    assert_int_equal(setup(&t, &b, 64, 64, TRUE), NDIS_STATUS_SUCCESS); /* after Complete: fine */
    assert_int_equal(complete(&t, &b, 64, 64, TRUE), NDIS_STATUS_SUCCESS);
    expect_clean(&t, mark);
    stop(&t, &b);
}

static void complete_without_setup(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    uint64_t mark = ndisdma_violation_count(t.m);
    assert_int_equal(complete(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS);
    expect_rule(&t, mark, NDISDMA_RULE_COMPLETE_WITHOUT_SETUP, NULL);
    /* a second Complete after a good pair is the same mistake */
    assert_int_equal(setup(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS);
    assert_int_equal(complete(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS);
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(complete(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS);
    expect_rule(&t, mark, NDISDMA_RULE_COMPLETE_WITHOUT_SETUP, NULL);
    stop(&t, &b);
}

static void complete_mismatch_each_argument(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b, other;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    ndt_buf_ram(&t, &other, 256);
    for (int which = 0; which < 4; which++) {
        assert_int_equal(setup(&t, &b, 16, 64, FALSE), NDIS_STATUS_SUCCESS);
        uint64_t mark = ndisdma_violation_count(t.m);
        ndisdma_violation v;
        switch (which) {
        case 0:
            (void)complete(&t, &other, 16, 64, FALSE);
            break;
        case 1:
            (void)complete(&t, &b, 17, 64, FALSE);
            break;
        case 2:
            (void)complete(&t, &b, 16, 63, FALSE);
            break;
        default:
            (void)complete(&t, &b, 16, 64, TRUE);
            break;
        }
        expect_rule(&t, mark, NDISDMA_RULE_COMPLETE_MISMATCH, &v);
        /* the call still released the channel (N16): the next pair is clean */
        mark = ndisdma_violation_count(t.m);
        assert_int_equal(setup(&t, &b, 0, 32, TRUE), NDIS_STATUS_SUCCESS);
        assert_int_equal(complete(&t, &b, 0, 32, TRUE), NDIS_STATUS_SUCCESS);
        expect_clean(&t, mark);
    }
    ndt_buf_free(&t, &other);
    stop(&t, &b);
}

/* ---- ranges (N11, N12) ---- */

static void ranges(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.max_len = 1024;
    ndt_start(&t);
    ndt_buf_ram(&t, &b, 4096);
    uint64_t mark = ndisdma_violation_count(t.m);
    assert_int_equal(setup(&t, &b, 4000, 200, FALSE), NDIS_STATUS_RESOURCES);
    expect_rule(&t, mark, NDISDMA_RULE_RANGE_OUTSIDE, NULL);
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(setup(&t, &b, 0xFFFFFFF0u, 0x20, FALSE), NDIS_STATUS_RESOURCES); /* wraps */
    expect_rule(&t, mark, NDISDMA_RULE_RANGE_OUTSIDE, NULL);
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(setup(&t, &b, 0, 0, FALSE), NDIS_STATUS_RESOURCES);
    expect_rule(&t, mark, NDISDMA_RULE_ZERO_LENGTH, NULL);
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(setup(&t, &b, 0, 1025, FALSE), NDIS_STATUS_RESOURCES);
    expect_rule(&t, mark, NDISDMA_RULE_LENGTH_ABOVE_MAX, NULL);
    /* the edges are fine */
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(setup(&t, &b, 3072, 1024, FALSE), NDIS_STATUS_SUCCESS);
    assert_int_equal(complete(&t, &b, 3072, 1024, FALSE), NDIS_STATUS_SUCCESS);
    assert_int_equal(setup(&t, &b, 4095, 1, TRUE), NDIS_STATUS_SUCCESS);
    assert_int_equal(complete(&t, &b, 4095, 1, TRUE), NDIS_STATUS_SUCCESS);
    expect_clean(&t, mark);
    stop(&t, &b);
}

/* ---- Deregister (N25-N27) and handles ---- */

static void deregister_in_progress_and_after(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_HIGH, &b, 512);
    NDIS_HANDLE dma = t.cfg.dma;
    assert_int_equal(setup(&t, &b, 0, 512, FALSE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_request(t.m, 3, true);
    ndisdma_machine_run(t.m, 100000);
    uint64_t mark = ndisdma_violation_count(t.m);
    NdisMDeregisterDmaChannel(dma);
    expect_rule(&t, mark, NDISDMA_RULE_DEREGISTER_IN_PROGRESS, NULL);
    ndisdma_dma_request(t.m, 3, false);
    ndisdma_machine_run(t.m, 100000); /* the channel is masked: nothing moves */

    /* use after deregister: every DDI, and a second Deregister */
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(setup(&t, &b, 0, 64, FALSE), NDIS_STATUS_FAILURE);
    expect_rule(&t, mark, NDISDMA_RULE_USE_AFTER_DEREGISTER, NULL);
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(complete(&t, &b, 0, 512, FALSE), NDIS_STATUS_FAILURE);
    expect_rule(&t, mark, NDISDMA_RULE_USE_AFTER_DEREGISTER, NULL);
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(NdisMReadDmaCounter(dma), 0);
    expect_rule(&t, mark, NDISDMA_RULE_USE_AFTER_DEREGISTER, NULL);
    mark = ndisdma_violation_count(t.m);
    NdisMDeregisterDmaChannel(dma);
    expect_rule(&t, mark, NDISDMA_RULE_USE_AFTER_DEREGISTER, NULL);
    t.cfg.dma = NULL; /* the halt must not deregister it again */
    stop(&t, &b);
}

static void deregister_idle_is_clean(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    assert_int_equal(setup(&t, &b, 0, 64, TRUE), NDIS_STATUS_SUCCESS);
    assert_int_equal(complete(&t, &b, 0, 64, TRUE), NDIS_STATUS_SUCCESS);
    uint64_t mark = ndisdma_violation_count(t.m);
    ndisdma_adapter_stop(t.ad); /* MiniportHaltEx deregisters the idle channel (N25) */
    t.ad = NULL;
    expect_clean(&t, mark);
    stop(&t, &b);
}

static void handles(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    NDIS_STATUS st = 0;
    uint64_t mark = ndisdma_violation_count(t.m);
    NdisMSetupDmaTransfer(&st, NULL, b.mdl, 0, 16, FALSE);
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_UNKNOWN, NULL);
    int not_a_handle = 0;
    mark = ndisdma_violation_count(t.m);
    NdisMSetupDmaTransfer(&st, (NDIS_HANDLE)&not_a_handle, b.mdl, 0, 16, FALSE);
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_UNKNOWN, NULL);
    mark = ndisdma_violation_count(t.m);
    NdisMSetupDmaTransfer(&st, t.cfg.adapter_handle, b.mdl, 0, 16, FALSE); /* an adapter */
    assert_int_equal(st, NDIS_STATUS_FAILURE);
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_KIND, NULL);
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(NdisMReadDmaCounter(t.cfg.driver_handle), 0); /* a driver */
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_KIND, NULL);
    mark = ndisdma_violation_count(t.m);
    NdisMDeregisterDmaChannel((NDIS_HANDLE)&not_a_handle);
    expect_rule(&t, mark, NDISDMA_RULE_HANDLE_UNKNOWN, NULL);
    mark = ndisdma_violation_count(t.m);
    NdisMSetupDmaTransfer(&st, t.cfg.dma, NULL, 0, 16, FALSE);
    expect_rule(&t, mark, NDISDMA_RULE_NULL_ARG, NULL);
    mark = ndisdma_violation_count(t.m);
    NdisMSetupDmaTransfer(NULL, t.cfg.dma, b.mdl, 0, 16, FALSE);
    expect_rule(&t, mark, NDISDMA_RULE_NULL_ARG, NULL);
    NdisMCompleteDmaTransfer(NULL, t.cfg.dma, b.mdl, 0, 16, FALSE);
    /* the live handle is clean */
    mark = ndisdma_violation_count(t.m);
    (void)NdisMReadDmaCounter(t.cfg.dma);
    expect_clean(&t, mark);
    stop(&t, &b);
}

/* ---- buffers freed under a transfer ---- */

static void buffer_freed_in_progress(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_HIGH, &b, 512);
    assert_int_equal(setup(&t, &b, 0, 512, FALSE), NDIS_STATUS_SUCCESS);
    ndisdma_dma_request(t.m, 3, true);
    ndisdma_machine_run(t.m, 10000000);
    ndisdma_dma_request(t.m, 3, false);
    uint64_t mark = ndisdma_violation_count(t.m);
    IoFreeMdl(b.mdl); /* refused: the MDL stays live */
    expect_rule(&t, mark, NDISDMA_RULE_BUFFER_FREED_IN_PROGRESS, NULL);
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(complete(&t, &b, 0, 512, FALSE), NDIS_STATUS_SUCCESS);
    expect_clean(&t, mark);
    for (size_t i = 0; i < 512; i++)
        assert_int_equal(b.va[i], ndt_pat(0, i));
    stop(&t, &b); /* frees the MDL: clean now */

    /* NDIS's own MDLs and buffers */
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    NDIS_HANDLE pool = NULL;
    NDIS_STATUS st = 0;
    NdisAllocateBufferPool(&st, &pool, 4);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    void *mem = NULL;
    assert_int_equal(NdisAllocateMemoryWithTag(&mem, 256, 0x74736554u), NDIS_STATUS_SUCCESS);
    PNDIS_BUFFER nb = NULL;
    NdisAllocateBuffer(&st, &nb, pool, mem, 256);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    PMDL m6 = NdisAllocateMdl(t.cfg.adapter_handle, mem, 128);
    assert_non_null(m6);
    NdisMSetupDmaTransfer(&st, t.cfg.dma, nb, 0, 256, TRUE);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    mark = ndisdma_violation_count(t.m);
    NdisFreeBuffer(nb);
    expect_rule(&t, mark, NDISDMA_RULE_BUFFER_FREED_IN_PROGRESS, NULL);
    NdisMCompleteDmaTransfer(&st, t.cfg.dma, nb, 0, 256, TRUE);
    NdisMSetupDmaTransfer(&st, t.cfg.dma, m6, 0, 128, TRUE);
    assert_int_equal(st, NDIS_STATUS_SUCCESS);
    mark = ndisdma_violation_count(t.m);
    NdisFreeMdl(m6);
    expect_rule(&t, mark, NDISDMA_RULE_BUFFER_FREED_IN_PROGRESS, NULL);
    NdisMCompleteDmaTransfer(&st, t.cfg.dma, m6, 0, 128, TRUE);
    mark = ndisdma_violation_count(t.m);
    NdisFreeMdl(m6); /* after Complete: fine */
    NdisFreeBuffer(nb);
    NdisFreeBufferPool(pool);
    NdisFreeMemory(mem, 256, 0);
    expect_clean(&t, mark);
    ndt_fini(&t);
}

/* ---- the receive poison ---- */

static void receive_poisoned_until_complete(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_HIGH, &b, 1000);
    memset(b.va, 0xEE, 1000);
    t.dev.tx_limit = 600;
    uint64_t mark = ndisdma_violation_count(t.m);
    assert_int_equal(setup(&t, &b, 100, 800, FALSE), NDIS_STATUS_SUCCESS);
    expect_clean(&t, mark);           /* info reports are off by default */
    for (size_t i = 0; i < 1000; i++) /* a driver reading early sees the poison */
        assert_int_equal(b.va[i], i >= 100 && i < 900 ? NDISDMA_VERIFY_POISON : 0xEE);
    ndisdma_dma_request(t.m, 3, true);
    ndisdma_machine_run(t.m, 10000000);
    ndisdma_dma_request(t.m, 3, false);
    assert_int_equal(b.va[100], NDISDMA_VERIFY_POISON); /* still: the device wrote the bounce */
    assert_int_equal(complete(&t, &b, 100, 800, FALSE), NDIS_STATUS_SUCCESS);
    expect_clean(&t, mark);
    for (size_t i = 0; i < 1000; i++) /* received bytes, and the rest as it was */
        assert_int_equal(b.va[i], i >= 100 && i < 700 ? ndt_pat(0, i - 100) : 0xEE);

    /* with info reports on, the poisoning is reported and says why */
    assert_int_equal(ndisdma_verify_set_info(t.m, 1), 0);
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(setup(&t, &b, 0, 100, FALSE), NDIS_STATUS_SUCCESS);
    ndisdma_violation v;
    expect_rule(&t, mark, NDISDMA_RULE_RECEIVE_POISONED, &v);
    assert_non_null(strstr(v.message, "0xD5"));
    assert_non_null(strstr(v.message, "bounce"));
    assert_int_equal(v.severity, NDISDMA_SEV_INFO);
    (void)complete(&t, &b, 0, 100, FALSE);
    stop(&t, &b);
}

static void receive_touched_and_direct_not_poisoned(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_HIGH, &b, 256);
    assert_int_equal(setup(&t, &b, 0, 256, FALSE), NDIS_STATUS_SUCCESS);
    b.va[10] = 0x42; /* the host writes the receive buffer mid-transfer */
    uint64_t mark = ndisdma_violation_count(t.m);
    (void)complete(&t, &b, 0, 256, FALSE);
    ndisdma_violation v;
    expect_rule(&t, mark, NDISDMA_RULE_RECEIVE_TOUCHED, &v);
    assert_int_equal(v.severity, NDISDMA_SEV_WARNING);
    assert_int_equal(b.va[10], 0x42); /* its bytes stand */
    stop(&t, &b);

    /* a direct transfer (low RAM) is not poisoned: the device writes the buffer itself */
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    memset(b.va, 0xEE, 256);
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(setup(&t, &b, 0, 256, FALSE), NDIS_STATUS_SUCCESS);
    assert_int_equal(b.va[0], 0xEE);
    /* sends are never poisoned either */
    assert_int_equal(complete(&t, &b, 0, 256, FALSE), NDIS_STATUS_SUCCESS);
    expect_clean(&t, mark);
    stop(&t, &b);
}

/* ---- halt ---- */

static void halt_with_channel_registered(void **state)
{
    (void)state;
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.halt_leaks = TRUE;
    ndt_start(&t);
    uint64_t mark = ndisdma_violation_count(t.m);
    ndisdma_adapter_stop(t.ad);
    t.ad = NULL;
    expect_rule(&t, mark, NDISDMA_RULE_HALT_REGISTERED, NULL);
    ndt_fini(&t);

    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    ndt_start(&t);
    mark = ndisdma_violation_count(t.m);
    ndisdma_adapter_stop(t.ad); /* a halt that deregisters is clean */
    t.ad = NULL;
    expect_clean(&t, mark);
    ndt_fini(&t);
}

static IO_ALLOCATION_ACTION keep_regs(PDEVICE_OBJECT dev, PIRP irp, PVOID base, PVOID ctx)
{
    (void)dev;
    (void)irp;
    *(PVOID *)ctx = base;
    return DeallocateObjectKeepRegisters;
}

static void map_registers_leaked(void **state)
{
    (void)state;
    for (int leak = 1; leak >= 0; leak--) {
        ndt t;
        ndt_init(&t, NDISDMA_PLACEMENT_LOW);
        PDEVICE_OBJECT dev = NULL;
        assert_int_equal(ndisdma_device_object_create(t.m, 0, &dev), 0);
        DEVICE_DESCRIPTION dd;
        memset(&dd, 0, sizeof dd);
        dd.Version = DEVICE_DESCRIPTION_VERSION;
        dd.InterfaceType = Isa;
        dd.DmaChannel = 1;
        dd.DmaWidth = Width8Bits;
        dd.MaximumLength = 8192;
        ULONG nregs = 0;
        PDMA_ADAPTER a = IoGetDmaAdapter(dev, &dd, &nregs);
        assert_non_null(a);
        PVOID base = NULL;
        KIRQL old = raise_to(DISPATCH_LEVEL);
        assert_int_equal(a->DmaOperations->AllocateAdapterChannel(a, dev, 2, keep_regs, &base),
                         STATUS_SUCCESS);
        if (!leak)
            a->DmaOperations->FreeMapRegisters(a, base, 2);
        KeLowerIrql(old);
        uint64_t mark = ndisdma_violation_count(t.m);
        a->DmaOperations->PutDmaAdapter(a);
        if (leak)
            expect_rule(&t, mark, NDISDMA_RULE_MAP_REGISTERS_LEAKED, NULL);
        else
            expect_clean(&t, mark);
        ndisdma_device_object_destroy(dev);
        ndt_fini(&t);
    }
}

/* ---- the other rules: register refusals, generic, spin locks, the HAL ---- */

static void other_rules(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    /* a second registration of channel 3, from outside MiniportInitializeEx */
    NDIS_HANDLE h = NULL;
    NDIS_DMA_DESCRIPTION d = t.cfg.desc;
    uint64_t mark = ndisdma_violation_count(t.m);
    assert_int_equal(NdisMRegisterDmaChannel(&h, t.cfg.adapter_handle, 3, FALSE, &d, 4096),
                     NDIS_STATUS_RESOURCES);
    expect_rule(&t, mark, NDISDMA_RULE_GENERIC, NULL); /* outside MiniportInitializeEx */
    expect_rule(&t, mark, NDISDMA_RULE_REGISTER_REFUSED, NULL);
    assert_null(h);

    /* spin locks */
    KSPIN_LOCK lock;
    KeInitializeSpinLock(&lock);
    KIRQL old;
    mark = ndisdma_violation_count(t.m);
    KeAcquireSpinLock(&lock, &old);
    KeReleaseSpinLock(&lock, old);
    expect_clean(&t, mark);
    KeAcquireSpinLock(&lock, &old);
    KIRQL old2;
    KeAcquireSpinLock(&lock, &old2); /* deadlock on Windows */
    expect_rule(&t, mark, NDISDMA_RULE_SPIN_LOCK, NULL);
    KeReleaseSpinLock(&lock, old);

    /* the HAL used directly: a flush with nothing mapped */
    PDEVICE_OBJECT dev = NULL;
    assert_int_equal(ndisdma_device_object_create(t.m, 0, &dev), 0);
    DEVICE_DESCRIPTION dd;
    memset(&dd, 0, sizeof dd);
    dd.Version = DEVICE_DESCRIPTION_VERSION;
    dd.InterfaceType = Isa;
    dd.DmaChannel = 1;
    dd.DmaWidth = Width8Bits;
    dd.MaximumLength = 4096;
    ULONG nregs = 0;
    PDMA_ADAPTER a = IoGetDmaAdapter(dev, &dd, &nregs);
    assert_non_null(a);
    mark = ndisdma_violation_count(t.m);
    old = raise_to(DISPATCH_LEVEL);
    (void)a->DmaOperations->FlushAdapterBuffers(a, b.mdl, NULL, b.va, 16, FALSE);
    KeLowerIrql(old);
    expect_rule(&t, mark, NDISDMA_RULE_HAL_CONTRACT, NULL);
    mark = ndisdma_violation_count(t.m);
    a->DmaOperations->PutDmaAdapter(a);
    expect_clean(&t, mark);
    ndisdma_device_object_destroy(dev);
    stop(&t, &b);
}

/* ---- the ports behind NDIS's back ---- */

static void port_reprogram(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    static const struct {
        ULONG port;
        UCHAR value;
    } bad[] = {
        {0x0A, 0x04 | 3}, /* mask channel 3 */
        {0x0B, 0x44 | 3}, /* mode of channel 3 */
        {0x06, 0x00},     /* address of channel 3 */
        {0x07, 0x10},     /* count of channel 3 */
        {0x82, 0x01},     /* page of channel 3 */
        {0x0D, 0x00},     /* master clear */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t mark = ndisdma_violation_count(t.m);
        NdisRawWritePortUchar(bad[i].port, bad[i].value);
        expect_rule(&t, mark, NDISDMA_RULE_PORT_REPROGRAM, NULL);
    }
    /* the device's own ports, another channel, and the HAL's own programming are fine */
    uint64_t mark = ndisdma_violation_count(t.m);
    NdisRawWritePortUchar(0x300, 0x12);
    NdisRawWritePortUchar(0x0A, 0x04 | 1);
    NdisRawWritePortUchar(0x0C, 0x00); /* flip-flop clear: no channel state */
    assert_int_equal(setup(&t, &b, 0, 64, TRUE), NDIS_STATUS_SUCCESS);
    assert_int_equal(complete(&t, &b, 0, 64, TRUE), NDIS_STATUS_SUCCESS);
    expect_clean(&t, mark);
    stop(&t, &b);
}

/* ---- policies ---- */

static void policy_count_only(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    assert_int_equal(ndisdma_verify_get_policy(t.m), NDISDMA_VERIFY_RECORD);
    assert_int_equal(ndisdma_verify_set_policy(t.m, (ndisdma_verify_policy)7), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_verify_set_policy(NULL, NDISDMA_VERIFY_RECORD), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_verify_set_policy(t.m, NDISDMA_VERIFY_COUNT_ONLY), 0);
    uint64_t mark = ndisdma_violation_count(t.m);
    (void)complete(&t, &b, 0, 64, FALSE);
    assert_int_equal(ndisdma_violation_count(t.m), mark + 1);
    ndisdma_violation v;
    assert_int_equal(ndisdma_violation_get(t.m, mark, &v), NDISDMA_ENOENT);
    assert_int_equal(ndisdma_verify_set_policy(t.m, NDISDMA_VERIFY_RECORD), 0);
    (void)complete(&t, &b, 0, 64, FALSE);
    assert_int_equal(ndisdma_violation_get(t.m, mark + 1, &v), 0);
    assert_int_equal(v.rule, NDISDMA_RULE_COMPLETE_WITHOUT_SETUP);
    stop(&t, &b);

    /* the config field, checked at creation */
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.verify = 9;
    ndisdma_machine *m = NULL;
    assert_int_equal(ndisdma_machine_create(&cfg, &m), NDISDMA_EINVAL);
    cfg.verify = NDISDMA_VERIFY_COUNT_ONLY;
    assert_int_equal(ndisdma_machine_create(&cfg, &m), 0);
    assert_int_equal(ndisdma_verify_get_policy(m), NDISDMA_VERIFY_COUNT_ONLY);
    ndisdma_machine_destroy(m);
}

static void policy_fail_fast(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        close(fds[0]);
        ndt t;
        ndt_buf b;
        start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
        ndisdma_verify_set_policy(t.m, NDISDMA_VERIFY_FAIL_FAST);
        (void)complete(&t, &b, 0, 64, FALSE); /* aborts */
        _exit(0);
    }
    close(fds[1]);
    char out[4096] = "";
    size_t got = 0;
    ssize_t n;
    while ((n = read(fds[0], out + got, sizeof out - 1 - got)) > 0)
        got += (size_t)n;
    out[got] = '\0';
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    assert_non_null(strstr(out, "complete-without-setup"));
    assert_non_null(strstr(out, "NdisMCompleteDmaTransfer"));
}

/* ---- reports: formats, arguments, adapter, caller ---- */

static void report_formats(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    assert_int_equal(setup(&t, &b, 16, 64, FALSE), NDIS_STATUS_SUCCESS);
    uint64_t mark = ndisdma_violation_count(t.m);
    (void)complete(&t, &b, 16, 65, FALSE);
    ndisdma_violation v;
    expect_rule(&t, mark, NDISDMA_RULE_COMPLETE_MISMATCH, &v);
    assert_string_equal(v.call, "NdisMCompleteDmaTransfer");
    assert_int_equal(v.nargs, 6);
    assert_int_equal(v.arg[1], (uint64_t)(uintptr_t)t.cfg.dma);
    assert_int_equal(v.arg[2], (uint64_t)(uintptr_t)b.mdl);
    assert_int_equal(v.arg[3], 16);
    assert_int_equal(v.arg[4], 65);
    assert_int_equal(v.arg[5], 0);
    assert_int_equal(v.adapter, (uint64_t)(uintptr_t)t.cfg.adapter_handle);
    assert_string_equal(v.file, "");

    char text[1024], json[1024];
    int n = ndisdma_violation_format(&v, NDISDMA_REPORT_TEXT, text, sizeof text);
    assert_true(n > 0 && (size_t)n < sizeof text);
    assert_non_null(strstr(text, "error complete-mismatch: NdisMCompleteDmaTransfer:"));
    assert_non_null(strstr(text, "| NdisMCompleteDmaTransfer("));
    assert_non_null(strstr(text, " adapter 0x"));
    n = ndisdma_violation_format(&v, NDISDMA_REPORT_JSON, json, sizeof json);
    assert_true(n > 0 && (size_t)n < sizeof json);
    assert_int_equal(json[0], '{');
    assert_int_equal(json[n - 1], '}');
    assert_non_null(strstr(json, "\"rule\":\"complete-mismatch\""));
    assert_non_null(strstr(json, "\"severity\":\"error\""));
    assert_non_null(strstr(json, "\"args\":["));
    assert_non_null(strstr(json, ",16,65,0]"));
    /* truncation is safe and tells the full length */
    char small[8];
    assert_int_equal(ndisdma_violation_format(&v, NDISDMA_REPORT_JSON, small, sizeof small), n);
    assert_int_equal(strlen(small), 7);
    assert_int_equal(ndisdma_violation_format(&v, NDISDMA_REPORT_JSON, NULL, 0), n);
    assert_int_equal(ndisdma_violation_format(NULL, NDISDMA_REPORT_JSON, json, sizeof json),
                     NDISDMA_EINVAL);
    assert_int_equal(ndisdma_violation_format(&v, (ndisdma_report_format)5, json, sizeof json),
                     NDISDMA_EINVAL);

    /* the dump: one line per report held */
    FILE *f = tmpfile();
    assert_non_null(f);
    int lines = ndisdma_verify_dump(t.m, NDISDMA_REPORT_JSON, f);
    assert_true(lines >= 1);
    rewind(f);
    char line[2048];
    int seen = 0;
    while (fgets(line, sizeof line, f)) {
        assert_int_equal(line[0], '{');
        seen++;
    }
    assert_int_equal(seen, lines);
    fclose(f);
    assert_int_equal(ndisdma_verify_dump(NULL, NDISDMA_REPORT_TEXT, stderr), NDISDMA_EINVAL);
    stop(&t, &b);
}

static void report_caller_position(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    uint64_t mark = ndisdma_violation_count(t.m);
    unsigned line = 0;
    (void)callers_complete_without_setup(t.cfg.dma, b.mdl, 64, &line);
    ndisdma_violation v;
    expect_rule(&t, mark, NDISDMA_RULE_COMPLETE_WITHOUT_SETUP, &v);
    size_t len = strlen(v.file);
    assert_true(len >= 9);
    assert_string_equal(v.file + len - 9, "callers.c");
    assert_int_equal(v.line, line);
    char text[1024];
    ndisdma_violation_format(&v, NDISDMA_REPORT_TEXT, text, sizeof text);
    assert_non_null(strstr(text, "callers.c:"));
    /* the position does not leak into the next, unwrapped call */
    mark = ndisdma_violation_count(t.m);
    (void)complete(&t, &b, 0, 64, FALSE);
    expect_rule(&t, mark, NDISDMA_RULE_COMPLETE_WITHOUT_SETUP, &v);
    assert_string_equal(v.file, "");
    /* wrapped calls that break nothing are clean, plain names still link */
    mark = ndisdma_violation_count(t.m);
    assert_int_equal(callers_setup(t.cfg.dma, b.mdl, 64), NDIS_STATUS_SUCCESS);
    (void)callers_counter(t.cfg.dma);
    assert_int_equal(complete(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS);
    expect_clean(&t, mark);
    stop(&t, &b);
}

/* ---- events ---- */

typedef struct seen {
    int calls, returns, violations;
    int64_t last_rule;
    int64_t setup_status;
    uint64_t setup_len;
} seen;

static void observe(void *ctx, const ndisdma_event *ev)
{
    seen *s = ctx;
    if (ev->kind == NDISDMA_EV_DDI_CALL) {
        s->calls++;
        if (strcmp(ev->name, "NdisMSetupDmaTransfer") == 0)
            s->setup_len = ev->arg[4];
    } else if (ev->kind == NDISDMA_EV_DDI_RETURN) {
        s->returns++;
        if (strcmp(ev->name, "NdisMSetupDmaTransfer") == 0)
            s->setup_status = ev->status;
    } else if (ev->kind == NDISDMA_EV_VIOLATION) {
        s->violations++;
        s->last_rule = ev->status;
        assert_non_null(ev->text);
        assert_non_null(strstr(ev->text, ev->name));
    }
}

static void events(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    seen s;
    memset(&s, 0, sizeof s);
    int id = ndisdma_observer_add(t.m, observe, &s);
    assert_true(id > 0);
    assert_int_equal(setup(&t, &b, 0, 77, TRUE), NDIS_STATUS_SUCCESS);
    (void)NdisMReadDmaCounter(t.cfg.dma);
    assert_int_equal(complete(&t, &b, 0, 77, TRUE), NDIS_STATUS_SUCCESS);
    assert_int_equal(s.calls, 3);
    assert_int_equal(s.returns, 3);
    assert_int_equal(s.setup_len, 77);
    assert_int_equal(s.setup_status, NDIS_STATUS_SUCCESS);
    assert_int_equal(s.violations, 0);
    (void)complete(&t, &b, 0, 77, TRUE);
    assert_int_equal(s.violations, 1);
    assert_int_equal(s.last_rule, NDISDMA_RULE_COMPLETE_WITHOUT_SETUP);
    /* count only: no record, but the event */
    assert_int_equal(ndisdma_verify_set_policy(t.m, NDISDMA_VERIFY_COUNT_ONLY), 0);
    (void)complete(&t, &b, 0, 77, TRUE);
    assert_int_equal(s.violations, 2);
    ndisdma_observer_remove(t.m, id);
    stop(&t, &b);
}

/* The bracket tests the verifier's own copy of the observer count (its
   fast path, verify.h): the copy follows every attach and detach, so the
   DDI events go out exactly while some observer is attached. */
static void events_follow_observers(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    seen s, s2;
    memset(&s, 0, sizeof s);
    memset(&s2, 0, sizeof s2);
    (void)NdisMReadDmaCounter(t.cfg.dma); /* nobody listens */
    int id = ndisdma_observer_add(t.m, observe, &s);
    int id2 = ndisdma_observer_add(t.m, observe, &s2);
    assert_true(id > 0 && id2 > 0);
    (void)NdisMReadDmaCounter(t.cfg.dma);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s2.returns, 1);
    assert_int_equal(ndisdma_observer_remove(t.m, id2), 0);
    (void)NdisMReadDmaCounter(t.cfg.dma); /* one observer left */
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.returns, 2);
    assert_int_equal(s2.calls, 1);
    assert_int_equal(ndisdma_observer_remove(t.m, id), 0);
    (void)NdisMReadDmaCounter(t.cfg.dma); /* none left */
    id = ndisdma_observer_add(t.m, observe, &s);
    assert_true(id > 0);
    (void)NdisMReadDmaCounter(t.cfg.dma);
    assert_int_equal(s.calls, 3);
    assert_int_equal(s.returns, 3);
    ndisdma_observer_remove(t.m, id);
    stop(&t, &b);
}

/* The DDI bracket leaves no call context behind, with no observer (its
   fast exit) and with one (its exit through the events): a report made
   after a DDI returned, outside any DDI, names no call, no arguments, no
   adapter and no caller position. */
static void ignore_events(void *ctx, const ndisdma_event *ev)
{
    (void)ctx;
    (void)ev;
}

static void expect_no_call_context(ndt *t)
{
    uint64_t mark = ndisdma_violation_count(t->m);
    KeRaiseIrql(PASSIVE_LEVEL, NULL); /* a kernel call, outside every DDI bracket */
    ndisdma_violation v;
    memset(&v, 0xAA, sizeof v); /* expect_rule fills it (or fails the test) */
    expect_rule(t, mark, NDISDMA_RULE_GENERIC, &v);
    assert_string_equal(v.ddi, "KeRaiseIrql");
    assert_string_equal(v.call, "");
    assert_int_equal(v.nargs, 0);
    assert_int_equal(v.adapter, 0);
    assert_string_equal(v.file, "");
    assert_int_equal(v.line, 0);
}

static void bracket_leaves_no_context(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    for (int observed = 0; observed < 2; observed++) {
        int id = observed ? ndisdma_observer_add(t.m, ignore_events, NULL) : 0;
        if (observed)
            assert_true(id > 0);
        NdisdmaVerifyCaller("bracket.c", 7);
        assert_int_equal(setup(&t, &b, 0, 64, FALSE), NDIS_STATUS_SUCCESS);
        expect_no_call_context(&t);
        /* a report inside the next call still carries it */
        uint64_t mark = ndisdma_violation_count(t.m);
        (void)complete(&t, &b, 0, 65, FALSE);
        ndisdma_violation v;
        memset(&v, 0, sizeof v);
        expect_rule(&t, mark, NDISDMA_RULE_COMPLETE_MISMATCH, &v);
        assert_string_equal(v.call, "NdisMCompleteDmaTransfer");
        assert_int_equal(v.nargs, 6);
        assert_int_equal(v.adapter, (uint64_t)(uintptr_t)t.cfg.adapter_handle);
        expect_no_call_context(&t);
        if (observed)
            ndisdma_observer_remove(t.m, id);
    }
    stop(&t, &b);
}

/* The spin lock DDIs' bracket (a leaf: its fast path tests once, on entry)
   behaves as the general one, with no observer and with one: a report
   inside the call carries the call and its argument, none is left after. */
static void spin_lock_bracket_context(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    NDIS_SPIN_LOCK lock;
    NdisAllocateSpinLock(&lock);
    for (int observed = 0; observed < 2; observed++) {
        int id = observed ? ndisdma_observer_add(t.m, ignore_events, NULL) : 0;
        if (observed)
            assert_true(id > 0);
        NdisAcquireSpinLock(&lock);
        NdisReleaseSpinLock(&lock);
        expect_no_call_context(&t);
        uint64_t mark = ndisdma_violation_count(t.m);
        NdisReleaseSpinLock(&lock); /* not held */
        ndisdma_violation v;
        memset(&v, 0, sizeof v);
        expect_rule(&t, mark, NDISDMA_RULE_SPIN_LOCK, &v);
        assert_string_equal(v.call, "NdisReleaseSpinLock");
        assert_int_equal(v.nargs, 1);
        assert_int_equal(v.arg[0], (uint64_t)(uintptr_t)&lock);
        assert_int_equal(v.adapter, 0);
        expect_no_call_context(&t);
        if (observed)
            ndisdma_observer_remove(t.m, id);
    }
    NdisFreeSpinLock(&lock);
    stop(&t, &b);
}

/* A caller position (NdisdmaVerifyCaller) is part of the bracket's gate:
   with one set, every DDI - a spin lock, a raw port, a DDI that may run
   driver code - takes the general path, which carries the position in its
   reports and consumes it; the fast paths, taken only without one, never
   leave one behind. */
static void caller_position_takes_general_path(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_LOW, &b, 256);
    NDIS_SPIN_LOCK lock;
    NdisAllocateSpinLock(&lock);
    NdisdmaVerifyCaller("gate.c", 3);
    NdisAcquireSpinLock(&lock);
    NdisReleaseSpinLock(&lock); /* the fast path again: nothing to consume */
    expect_no_call_context(&t);
    NdisdmaVerifyCaller("gate.c", 4);
    uint64_t mark = ndisdma_violation_count(t.m);
    NdisReleaseSpinLock(&lock); /* not held */
    ndisdma_violation v;
    memset(&v, 0, sizeof v);
    expect_rule(&t, mark, NDISDMA_RULE_SPIN_LOCK, &v);
    assert_string_equal(v.call, "NdisReleaseSpinLock");
    assert_string_equal(v.file, "gate.c");
    assert_int_equal(v.line, 4);
    expect_no_call_context(&t);
    UCHAR data = 0;
    NdisdmaVerifyCaller("gate.c", 5);
    NdisRawReadPortUchar(0x300, &data);
    NdisRawWritePortUchar(0x300, data);
    expect_no_call_context(&t);
    PVOID p = NULL;
    NdisdmaVerifyCaller("gate.c", 6);
    assert_int_equal(NdisAllocateMemoryWithTag(&p, 16, 0x74736574), NDIS_STATUS_SUCCESS);
    expect_no_call_context(&t);
    NdisFreeMemory(p, 16, 0);
    NdisFreeSpinLock(&lock);
    stop(&t, &b);
}

/* ---- a driver that misbehaves in every way at once does not crash ---- */

static void misuse_storm_is_safe(void **state)
{
    (void)state;
    ndt t;
    ndt_buf b;
    start(&t, NDISDMA_PLACEMENT_SCATTERED, &b, 3000);
    NDIS_HANDLE dma = t.cfg.dma;
    NDIS_STATUS st;
    uint64_t before = ndisdma_violation_count(t.m);
    for (int round = 0; round < 3; round++) {
        NdisMSetupDmaTransfer(&st, dma, b.mdl, 100, 2800, FALSE);
        NdisMSetupDmaTransfer(&st, dma, b.mdl, 0, 10, TRUE);
        NdisRawWritePortUchar(0x06, 0xFF);
        NdisRawWritePortUchar(0x07, 0xFF);
        NdisRawWritePortUchar(0x0A, 3);
        ndisdma_dma_request(t.m, 3, true);
        ndisdma_machine_run(t.m, 1000000);
        IoFreeMdl(b.mdl);
        NdisMCompleteDmaTransfer(&st, dma, b.mdl, 0, 5000, TRUE);
        NdisMCompleteDmaTransfer(&st, dma, b.mdl, 0, 5000, TRUE);
        ndisdma_dma_request(t.m, 3, false);
        (void)NdisMReadDmaCounter((NDIS_HANDLE)&st);
    }
    NdisMSetupDmaTransfer(&st, dma, b.mdl, 0, 3000, FALSE);
    NdisMDeregisterDmaChannel(dma);
    NdisMDeregisterDmaChannel(dma);
    NdisMCompleteDmaTransfer(&st, dma, b.mdl, 0, 3000, FALSE);
    t.cfg.dma = NULL;
    assert_true(ndisdma_violation_count(t.m) > before + 10);
    stop(&t, &b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_is_complete),
        cmocka_unit_test(irql_each_ddi),
        cmocka_unit_test(irql_correct_is_clean),
        cmocka_unit_test(setup_in_progress),
        cmocka_unit_test(complete_without_setup),
        cmocka_unit_test(complete_mismatch_each_argument),
        cmocka_unit_test(ranges),
        cmocka_unit_test(deregister_in_progress_and_after),
        cmocka_unit_test(deregister_idle_is_clean),
        cmocka_unit_test(handles),
        cmocka_unit_test(buffer_freed_in_progress),
        cmocka_unit_test(receive_poisoned_until_complete),
        cmocka_unit_test(receive_touched_and_direct_not_poisoned),
        cmocka_unit_test(halt_with_channel_registered),
        cmocka_unit_test(map_registers_leaked),
        cmocka_unit_test(other_rules),
        cmocka_unit_test(port_reprogram),
        cmocka_unit_test(policy_count_only),
        cmocka_unit_test(policy_fail_fast),
        cmocka_unit_test(report_formats),
        cmocka_unit_test(report_caller_position),
        cmocka_unit_test(events),
        cmocka_unit_test(events_follow_observers),
        cmocka_unit_test(bracket_leaves_no_context),
        cmocka_unit_test(spin_lock_bracket_context),
        cmocka_unit_test(caller_position_takes_general_path),
        cmocka_unit_test(misuse_storm_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
