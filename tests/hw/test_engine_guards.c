/*
 * Guards of the transfer engine against devices that would lose a request or
 * make a run spin (device contract of <ndisdma/dma.h>, docs/hw.md):
 * - a device that moves some units and asserts its DREQ again from the same
 *   callback keeps its request (it is not stalled);
 * - devices that keep asserting DREQ from callbacks that move nothing cannot
 *   make ndisdma_dma_run spin: it stops and records NO_PROGRESS.
 */
#include "hwtest.h"

typedef struct guard_dev {
    ndisdma_machine *m;
    unsigned other; /* channel whose DREQ this device asserts */
    size_t take;    /* bytes taken per call */
    size_t calls;
    size_t bytes;
} guard_dev;

/* Takes up to @take bytes and asserts its own channel's DREQ again. */
static size_t take_some_reassert(void *ctx, unsigned ch, const uint8_t *data, size_t len)
{
    guard_dev *d = ctx;
    (void)data;
    d->calls++;
    size_t n = len < d->take ? len : d->take;
    d->bytes += n;
    ndisdma_dma_request(d->m, ch, true);
    return n;
}

/* Takes nothing and asserts the other device's DREQ. */
static size_t take_nothing_wake_other(void *ctx, unsigned ch, const uint8_t *data, size_t len)
{
    guard_dev *d = ctx;
    (void)ch;
    (void)data;
    (void)len;
    d->calls++;
    ndisdma_dma_request(d->m, d->other, true);
    return 0;
}

/* Invalid first: a device that moves nothing and re-asserts its own DREQ is
   stalled anyway, so a run with no limit returns. */
static void guard_zero_units_reassert_still_stalls(void **state)
{
    ndisdma_machine *m = *state;
    guard_dev d = {.m = m, .take = 0};
    ndisdma_dma_device dev = {.to_device = take_some_reassert};
    assert_int_equal(ndisdma_dma_attach(m, 2, &dev, &d), 0);
    hwt_program(m, 2, MODE_DEMAND | MODE_TYPE_READ, 0x3000, 100);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    assert_int_equal(d.calls, 1);
    assert_true(hwt_chan(m, 2).stalled);
}

/* A device that takes part of each burst and re-asserts DREQ keeps being
   served until terminal count: its request is not lost to the stall. */
static void guard_partial_reassert_keeps_request(void **state)
{
    ndisdma_machine *m = *state;
    guard_dev d = {.m = m, .take = 7};
    ndisdma_dma_device dev = {.to_device = take_some_reassert};
    assert_int_equal(ndisdma_dma_attach(m, 2, &dev, &d), 0);
    hwt_program(m, 2, MODE_DEMAND | MODE_TYPE_READ, 0x3000, 100);
    ndisdma_dma_request(m, 2, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 100);
    assert_int_equal(d.bytes, 100);
    assert_int_equal(d.calls, 15); /* 14 x 7 + 2 */
    ndisdma_dma_channel_state st = hwt_chan(m, 2);
    assert_false(st.stalled);
    assert_true(st.terminal_count);
    assert_int_equal(hwt_stats(m).stalls, 0);
}

/* Two devices that wake each other from callbacks that move nothing: the run
   stops after ND_DMA_MAX_IDLE_GRANTS grants and says why. */
static void guard_livelock_stops_run(void **state)
{
    ndisdma_machine *m = *state;
    guard_dev a = {.m = m, .other = 3}, b = {.m = m, .other = 2};
    ndisdma_dma_device dev = {.to_device = take_nothing_wake_other};
    assert_int_equal(ndisdma_dma_attach(m, 2, &dev, &a), 0);
    assert_int_equal(ndisdma_dma_attach(m, 3, &dev, &b), 0);
    hwt_program(m, 2, MODE_DEMAND | MODE_TYPE_READ, 0x3000, 100);
    hwt_program(m, 3, MODE_DEMAND | MODE_TYPE_READ, 0x4000, 100);
    ndisdma_dma_request(m, 2, true);
    ndisdma_dma_request(m, 3, true);
    assert_int_equal(ndisdma_dma_run(m, 0), 0);
    ndisdma_hw_stats s = hwt_stats(m);
    assert_int_equal(s.illegal_by_reason[NDISDMA_ILLEGAL_NO_PROGRESS], 1);
    assert_true(a.calls + b.calls >= 1024);
    assert_true(a.calls + b.calls < 1100);
    /* Nothing moved: both channels still hold their programmed counts. */
    assert_int_equal(hwt_chan(m, 2).current_count, 99);
    assert_int_equal(hwt_chan(m, 3).current_count, 99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(guard_zero_units_reassert_still_stalls, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(guard_partial_reassert_keeps_request, hwt_setup,
                                        hwt_teardown),
        cmocka_unit_test_setup_teardown(guard_livelock_stops_run, hwt_setup, hwt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
