/*
 * The DREQ line's two paths (src/hw/hw.h, nd_hw_dma_request): the inline one
 * a device takes with no observer attached and no fault armed, and the
 * general one (observers, faults, bad channels). Driven with the same
 * sequence, both leave every channel in the same state; the general path
 * also raises one NDISDMA_EV_DREQ event per change of a line.
 */
#include "hwtest.h"

/* The fields of the snapshot that a DREQ change may touch, and the rest. */
static void expect_same_channel(ndisdma_machine *a, ndisdma_machine *b, unsigned ch)
{
    ndisdma_dma_channel_state sa, sb;
    assert_int_equal(ndisdma_dma_get_channel(a, ch, &sa), 0);
    assert_int_equal(ndisdma_dma_get_channel(b, ch, &sb), 0);
    assert_int_equal(sa.dreq, sb.dreq);
    assert_int_equal(sa.stalled, sb.stalled);
    assert_int_equal(sa.masked, sb.masked);
    assert_int_equal(sa.software_request, sb.software_request);
    assert_int_equal(sa.block_active, sb.block_active);
    assert_int_equal(sa.terminal_count, sb.terminal_count);
    assert_int_equal(sa.current_count, sb.current_count);
    assert_int_equal(sa.current_address, sb.current_address);
}

static void dreq_inline_path_equals_general_path(void **state)
{
    (void)state;
    ndisdma_machine *quiet = hwt_new(0);
    ndisdma_machine *observed = hwt_new(0);
    static hwt_events ev; /* large: not on the stack */
    hwt_events_attach(&ev, observed);
    static const bool seq[] = {true, true, false, false, true, false, true};
    size_t changes = 0;
    for (unsigned ch = 0; ch < 8; ch++) {
        if (ch == 4)
            continue; /* the cascade input takes no device */
        bool line = false;
        for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
            ndisdma_dma_request(quiet, ch, seq[i]);
            ndisdma_dma_request(observed, ch, seq[i]);
            if (seq[i] != line)
                changes++;
            line = seq[i];
            for (unsigned c = 0; c < 8; c++)
                expect_same_channel(quiet, observed, c);
        }
    }
    assert_int_equal(ev.count[NDISDMA_EV_DREQ], changes);
    hwt_events_detach(&ev, observed);
    ndisdma_machine_destroy(observed);
    ndisdma_machine_destroy(quiet);
}

/* A channel that takes no device goes to the general path even with no
   observer attached: an illegal access each time. */
static void dreq_bad_channel_is_illegal(void **state)
{
    (void)state;
    ndisdma_machine *m = hwt_new(0);
    ndisdma_hw_stats before, after;
    assert_int_equal(ndisdma_hw_get_stats(m, &before), 0);
    ndisdma_dma_request(m, 4, true);
    ndisdma_dma_request(m, 8, true);
    assert_int_equal(ndisdma_hw_get_stats(m, &after), 0);
    assert_int_equal(after.illegal - before.illegal, 2);
    ndisdma_machine_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dreq_inline_path_equals_general_path),
        cmocka_unit_test(dreq_bad_channel_is_illegal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
