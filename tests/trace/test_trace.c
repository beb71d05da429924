/*
 * Trace tests (issue 6, section 3): the ring, its exporters, streaming, and
 * determinism.
 *
 * Concept: the scenario of scenario.c runs on fresh machines; the exports
 * are read back into memory (open_memstream) and compared byte for byte.
 * Invalid input is tested first, as everywhere in the project.
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ndis.h>
#include <ndisdma/kernel.h>

#include "hw/hw.h"
#include "machine/machine.h"
#include "ndtest.h" /* tests/ndis: the test miniport and its host */
#include "scenario.h"

typedef struct blob {
    char *data;
    size_t len;
} blob;

static blob export(ndisdma_machine *m, ndisdma_trace_format fmt)
{
    blob b = {0};
    FILE *f = open_memstream(&b.data, &b.len);
    assert_non_null(f);
    assert_int_equal(ndisdma_trace_export(m, fmt, f), 0);
    assert_int_equal(fclose(f), 0);
    return b;
}

static bool same(const blob *a, const blob *b)
{
    return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

static size_t count_kind(ndisdma_machine *m, int kind)
{
    size_t n = 0;
    for (size_t i = 0; i < ndisdma_trace_count(m); i++) {
        ndisdma_trace_record r;
        assert_int_equal(ndisdma_trace_get(m, i, &r), 0);
        n += (int)r.ev.kind == kind;
    }
    return n;
}

/* Invalid input: NULLs, bad formats, no ring, double start/stop. */
static void test_trace_invalid(void **state)
{
    (void)state;
    ndisdma_machine *m = NULL;
    assert_int_equal(ndisdma_machine_create(NULL, &m), 0);
    ndisdma_trace_record r;
    assert_int_equal(ndisdma_trace_start(NULL, 0), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_trace_stop(NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_trace_stop(m), NDISDMA_ESTATE);
    assert_int_equal(ndisdma_trace_export(m, NDISDMA_TRACE_TEXT, stdout), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_trace_export_path(m, NDISDMA_TRACE_TEXT, "x"), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_trace_get(m, 0, &r), NDISDMA_ERANGE);
    assert_int_equal(ndisdma_trace_get(m, 0, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_trace_count(NULL), 0);
    assert_int_equal(ndisdma_trace_dropped(NULL), 0);
    assert_int_equal(ndisdma_trace_stream_start(m, NDISDMA_TRACE_JSONL, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_trace_stream_start(m, (ndisdma_trace_format)7, stdout),
                     NDISDMA_EINVAL);
    assert_int_equal(ndisdma_trace_stream_stop(m), NDISDMA_ESTATE);
    assert_int_equal(ndisdma_trace_start(m, 4), 0);
    assert_int_equal(ndisdma_trace_start(m, 4), NDISDMA_ESTATE);
    assert_int_equal(ndisdma_trace_export(m, (ndisdma_trace_format)4, stdout), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_trace_export(m, NDISDMA_TRACE_TEXT, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_trace_export_path(m, NDISDMA_TRACE_TEXT, "/nonexistent/dir/x"),
                     NDISDMA_EIO);
    assert_int_equal(ndisdma_trace_stop(m), 0);
    assert_int_equal(ndisdma_trace_stop(m), NDISDMA_ESTATE);
    assert_string_equal(ndisdma_trace_kind_name(NDISDMA_EV_DACK), "DACK");
    assert_string_equal(ndisdma_trace_kind_name(0), "?");
    ndisdma_machine_destroy(m);
}

/* A full ring keeps its first records and counts the rest. */
static void test_trace_ring_drops(void **state)
{
    (void)state;
    ndisdma_machine *m = NULL;
    assert_int_equal(ndisdma_machine_create(NULL, &m), 0);
    assert_int_equal(ndisdma_trace_start(m, 3), 0);
    for (unsigned i = 0; i < 5; i++)
        ndisdma_io_write8(m, 0x0C, (uint8_t)i);
    assert_int_equal(ndisdma_trace_count(m), 3);
    assert_int_equal(ndisdma_trace_dropped(m), 2);
    ndisdma_trace_record r;
    assert_int_equal(ndisdma_trace_get(m, 2, &r), 0);
    assert_int_equal(r.ev.kind, NDISDMA_EV_IO_WRITE);
    assert_int_equal(r.ev.value, 2);
    assert_int_equal(r.seq, 2);
    assert_int_equal(ndisdma_trace_get(m, 3, &r), NDISDMA_ERANGE);
    /* Stopped: nothing more is recorded, and no observer is left behind. */
    assert_int_equal(ndisdma_trace_stop(m), 0);
    assert_int_equal(m->hw.obs.active, 0);
    ndisdma_machine_destroy(m);
}

/* The ring holds every kind of the scenario: port I/O, DREQ, DACK around
   bursts, TC, IRQ, ISR and DPC entry/exit, the ignored EOP. */
static void test_trace_kinds(void **state)
{
    (void)state;
    ndisdma_machine *m = trace_scenario(1, 0, 0);
    assert_non_null(m);
    assert_int_equal(ndisdma_trace_dropped(m), 0);
    assert_true(count_kind(m, NDISDMA_EV_IO_WRITE) > 10);
    assert_int_equal(count_kind(m, NDISDMA_EV_IO_READ), 1);
    assert_true(count_kind(m, NDISDMA_EV_DREQ) >= 4);
    size_t bursts = count_kind(m, NDISDMA_EV_BURST);
    assert_true(bursts >= 2);
    assert_int_equal(count_kind(m, NDISDMA_EV_DACK), 2 * bursts);
    assert_int_equal(count_kind(m, NDISDMA_EV_TC), 2);
    assert_int_equal(count_kind(m, NDISDMA_EV_IRQ), 2);
    assert_int_equal(count_kind(m, NDISDMA_EV_ISR_ENTER), 1);
    assert_int_equal(count_kind(m, NDISDMA_EV_ISR_EXIT), 1);
    assert_int_equal(count_kind(m, NDISDMA_EV_DPC_ENTER), 1);
    assert_int_equal(count_kind(m, NDISDMA_EV_DPC_EXIT), 1);
    assert_int_equal(count_kind(m, NDISDMA_EV_EOP_IGNORED), 1);
    /* Times never go back; the DPC is named. */
    uint64_t t = 0;
    for (size_t i = 0; i < ndisdma_trace_count(m); i++) {
        ndisdma_trace_record r;
        assert_int_equal(ndisdma_trace_get(m, i, &r), 0);
        assert_true(r.ev.time_ns >= t);
        t = r.ev.time_ns;
        if (r.ev.kind == NDISDMA_EV_DPC_ENTER)
            assert_string_equal(r.ev.name, "scenario_dpc");
        if (r.ev.kind == NDISDMA_EV_BURST && r.ev.channel == 1)
            assert_int_equal(r.dur_ns, r.ev.units * 960u);
    }
    trace_scenario_done(m);
}

/* Determinism: same seed and same calls, byte-identical exports in all
   three formats, from two machines. */
static void test_trace_deterministic(void **state)
{
    (void)state;
    ndisdma_machine *a = trace_scenario(7, 0, 0);
    assert_non_null(a);
    blob ea[4];
    for (int f = 0; f < 4; f++)
        ea[f] = export(a, (ndisdma_trace_format)f);
    trace_scenario_done(a);
    ndisdma_machine *b = trace_scenario(7, 0, 0);
    assert_non_null(b);
    for (int f = 0; f < 4; f++) {
        blob eb = export(b, (ndisdma_trace_format)f);
        assert_true(ea[f].len > 100);
        assert_true(same(&ea[f], &eb));
        free(eb.data);
    }
    trace_scenario_done(b);
    /* A different scenario gives a different trace in every format. */
    ndisdma_machine *c = trace_scenario(7, 1, 0);
    assert_non_null(c);
    for (int f = 0; f < 4; f++) {
        blob ec = export(c, (ndisdma_trace_format)f);
        assert_false(same(&ea[f], &ec));
        free(ec.data);
        free(ea[f].data);
    }
    trace_scenario_done(c);
}

/* Streaming writes the same bytes as the ring's export, in every format. */
static void test_trace_stream_equals_ring(void **state)
{
    (void)state;
    for (int f = 0; f < 4; f++) {
        ndisdma_config cfg;
        ndisdma_config_init(&cfg);
        cfg.ram_bytes = 1u << 20;
        cfg.seed = 42;
        ndisdma_machine *m = NULL;
        assert_int_equal(ndisdma_machine_create(&cfg, &m), 0);
        assert_int_equal(ndisdma_thread_bind(m), 0);
        blob s = {0};
        FILE *fs = open_memstream(&s.data, &s.len);
        assert_non_null(fs);
        assert_int_equal(ndisdma_trace_start(m, 0), 0);
        assert_int_equal(ndisdma_trace_stream_start(m, (ndisdma_trace_format)f, fs), 0);
        assert_int_equal(ndisdma_trace_stream_start(m, (ndisdma_trace_format)f, fs),
                         NDISDMA_ESTATE);
        assert_int_equal(trace_scenario_run(m, 0), 0);
        assert_int_equal(ndisdma_trace_stream_stop(m), 0);
        assert_int_equal(fclose(fs), 0);
        blob r = export(m, (ndisdma_trace_format)f);
        assert_true(same(&s, &r));
        free(s.data);
        free(r.data);
        trace_scenario_done(m);
    }
}

static void raise_violation(void *ctx, ndisdma_machine *m)
{
    (void)ctx;
    char text[64];
    snprintf(text, sizeof text, "a \"quoted\"\nreport 0x%llx 0x10",
             (unsigned long long)((uintptr_t)m | (1ull << 40)));
    ndisdma_event ev = {.kind = NDISDMA_EV_VIOLATION,
                        .channel = 0xFF,
                        .name = "TestRule",
                        .text = text,
                        .status = 3};
    nd_hw_emit(&m->hw, &ev);
    memset(text, 'X', sizeof text - 1); /* the ring must hold its own copy */
    ndisdma_event call = {.kind = NDISDMA_EV_DDI_CALL,
                          .channel = 0xFF,
                          .name = "TestDdi",
                          .nargs = 3,
                          .arg = {(uint64_t)(uintptr_t)m | (1ull << 40), 5, 0x12345678}};
    nd_hw_emit(&m->hw, &call);
    nd_hw_emit(&m->hw, &call);
    ndisdma_event ret = {.kind = NDISDMA_EV_DDI_RETURN,
                         .channel = 0xFF,
                         .name = "TestDdi",
                         .status = (int64_t)0xC000009A};
    nd_hw_emit(&m->hw, &ret);
}

/* Violation text is copied and escaped; DDI pointer arguments become
   handles numbered by first appearance. */
static void test_trace_ddi_and_violation(void **state)
{
    (void)state;
    ndisdma_machine *m = NULL;
    assert_int_equal(ndisdma_machine_create(NULL, &m), 0);
    assert_int_equal(ndisdma_trace_start(m, 0), 0);
    raise_violation(NULL, m);
    ndisdma_trace_record r;
    assert_int_equal(ndisdma_trace_get(m, 0, &r), 0);
    assert_int_equal(strncmp(r.ev.text, "a \"quoted\"\nreport 0x", 20), 0);
    blob j = export(m, NDISDMA_TRACE_JSONL);
    /* the pointer in the report becomes the handle of the same value in the
       DDI call that follows */
    assert_non_null(strstr(j.data, "\"text\":\"a \\\"quoted\\\"\\nreport @1 0x10\""));
    assert_non_null(strstr(j.data, "\"args\":[\"@1\",5,305419896]"));
    assert_null(strstr(j.data, "@2"));
    blob t = export(m, NDISDMA_TRACE_TEXT);
    assert_non_null(strstr(t.data, "TestDdi(@1, 5, 0x12345678)"));
    assert_non_null(strstr(t.data, "status=3221225626 (0xc000009a)"));
    free(j.data);
    free(t.data);
    ndisdma_machine_destroy(m);
}

/* Real DDI calls through the verifier's hooks: a bogus handle on two
   machines (so at different host addresses) gives DDI_CALL, VIOLATION and
   DDI_RETURN records, and byte-identical exports without host pointers. */
static blob ddi_run(void *bogus, ndisdma_trace_format fmt)
{
    ndisdma_machine *m = NULL;
    assert_int_equal(ndisdma_machine_create(NULL, &m), 0);
    assert_int_equal(ndisdma_thread_bind(m), 0);
    assert_int_equal(ndisdma_trace_start(m, 0), 0);
    (void)NdisMReadDmaCounter((NDIS_HANDLE)bogus);
    NdisMDeregisterDmaChannel((NDIS_HANDLE)bogus);
    assert_true(count_kind(m, NDISDMA_EV_DDI_CALL) >= 2);
    assert_true(count_kind(m, NDISDMA_EV_DDI_RETURN) >= 2);
    assert_true(count_kind(m, NDISDMA_EV_VIOLATION) >= 1);
    blob b = export(m, fmt);
    char hex[32];
    snprintf(hex, sizeof hex, "%llx", (unsigned long long)(uintptr_t)bogus);
    assert_null(strstr(b.data, hex));
    assert_non_null(strstr(b.data, "@1"));
    ndisdma_thread_unbind(m);
    ndisdma_machine_destroy(m);
    return b;
}

static void test_trace_ddi_deterministic(void **state)
{
    (void)state;
    char *p1 = malloc(64), *p2 = malloc(64);
    assert_non_null(p1);
    assert_non_null(p2);
    for (int f = 0; f < 2; f++) {
        blob a = ddi_run(p1, (ndisdma_trace_format)f);
        blob b = ddi_run(p2, (ndisdma_trace_format)f);
        assert_true(same(&a, &b));
        free(a.data);
        free(b.data);
    }
    free(p1);
    free(p2);
}

/* Every DDI a driver calls is bracketed, not only the DMA ones: a miniport
   loaded and started (registration, attributes, DMA, interrupt, ports,
   timer) and a memory allocation by the test thread. Each DDI_CALL is
   paired with the DDI_RETURN of the same name (calls that run driver code
   nest), and two identical runs export byte-identical JSON Lines. */
static blob miniport_run(bool check)
{
    ndt t;
    ndt_init(&t, NDISDMA_PLACEMENT_LOW);
    t.cfg.register_interrupt = TRUE;
    t.cfg.register_ports = TRUE;
    t.cfg.alloc_timer = TRUE;
    assert_int_equal(ndisdma_trace_start(t.m, 0), 0);
    ndt_start(&t);
    PVOID va = NdisAllocateMemoryWithTagPriority(t.cfg.adapter_handle, 64, 0x54637274u,
                                                 NormalPoolPriority);
    assert_non_null(va);
    NdisFreeMemoryWithTagPriority(t.cfg.adapter_handle, va, 0x54637274u);
    if (check) {
        static const char *const want[] = {
            "NdisMRegisterMiniportDriver",       "NdisMSetMiniportAttributes",
            "NdisMRegisterInterruptEx",          "NdisMRegisterIoPortRange",
            "NdisAllocateTimerObject",           "NdisMRegisterDmaChannel",
            "NdisAllocateMemoryWithTagPriority", "NdisFreeMemoryWithTagPriority"};
        unsigned seen_call[8] = {0}, seen_ret[8] = {0};
        const char *stack[16];
        size_t depth = 0;
        for (size_t i = 0; i < ndisdma_trace_count(t.m); i++) {
            ndisdma_trace_record r;
            assert_int_equal(ndisdma_trace_get(t.m, i, &r), 0);
            if (r.ev.kind != NDISDMA_EV_DDI_CALL && r.ev.kind != NDISDMA_EV_DDI_RETURN)
                continue;
            assert_non_null(r.ev.name);
            for (size_t w = 0; w < 8; w++)
                if (strcmp(r.ev.name, want[w]) == 0) {
                    if (r.ev.kind == NDISDMA_EV_DDI_CALL)
                        seen_call[w]++;
                    else
                        seen_ret[w]++;
                }
            if (r.ev.kind == NDISDMA_EV_DDI_CALL) {
                assert_true(depth < 16);
                stack[depth++] = r.ev.name;
            } else {
                assert_true(depth > 0);
                assert_string_equal(stack[--depth], r.ev.name);
            }
        }
        assert_int_equal(depth, 0);
        for (size_t w = 0; w < 8; w++) {
            assert_true(seen_call[w] >= 1);
            assert_int_equal(seen_call[w], seen_ret[w]);
        }
        assert_int_equal(count_kind(t.m, NDISDMA_EV_DDI_CALL),
                         count_kind(t.m, NDISDMA_EV_DDI_RETURN));
    }
    blob b = export(t.m, NDISDMA_TRACE_JSONL);
    assert_non_null(strstr(b.data, "\"name\":\"NdisMRegisterMiniportDriver\",\"args\":[\"@"));
    assert_non_null(strstr(b.data, "\"name\":\"NdisAllocateMemoryWithTagPriority\",\"args\":[\"@"));
    ndt_fini(&t);
    return b;
}

static void test_trace_all_ddis(void **state)
{
    (void)state;
    void *spacer = malloc(4096); /* the second run's host objects lie elsewhere */
    assert_non_null(spacer);
    blob a = miniport_run(true);
    blob b = miniport_run(false);
    assert_true(same(&a, &b));
    free(a.data);
    free(b.data);
    free(spacer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_invalid),
        cmocka_unit_test(test_trace_ring_drops),
        cmocka_unit_test(test_trace_kinds),
        cmocka_unit_test(test_trace_deterministic),
        cmocka_unit_test(test_trace_stream_equals_ring),
        cmocka_unit_test(test_trace_ddi_and_violation),
        cmocka_unit_test(test_trace_ddi_deterministic),
        cmocka_unit_test(test_trace_all_ddis),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
