/*
 * HAL transfer tests: MapTransfer's direct and bounced paths (N14) on both
 * widths, the port programming (mask first, 16-bit address (phys >> 1) &
 * 0xFFFF with page & 0xFE), the limits of one mapping, FlushAdapterBuffers
 * copying back exactly the bytes moved (N17) and returning FALSE while the
 * channel still moves (N19), autoinitialize, and ReadDmaCounter (N22, N23)
 * moving in virtual time. Invalid input first.
 */
#include <ndisdma/hal.h>
#include "haltest.h"

#include <stdlib.h>
#include <string.h>

#include "hw/hw_regs.h"

/* An adapter on @ch holding its channel and @nregs registers. */
typedef struct xfer {
    PDMA_ADAPTER a;
    PDMA_OPERATIONS ops;
    halt_grant g;
    unsigned ch;
} xfer;

static void xfer_open(halt *t, xfer *x, unsigned ch, ULONG max_len, bool demand, bool autoinit)
{
    memset(x, 0, sizeof *x);
    DEVICE_DESCRIPTION d = halt_desc(ch, max_len);
    d.DemandMode = demand;
    d.AutoInitialize = autoinit;
    ULONG n = 0;
    x->a = halt_adapter(t, &d, &n);
    x->ops = halt_ops(x->a);
    x->ch = ch;
    assert_int_equal(halt_alloc(t, x->a, n, &x->g, KeepObject), STATUS_SUCCESS);
    assert_int_equal(x->g.calls, 1);
}

static void xfer_close(halt *t, xfer *x)
{
    uint64_t mark = ndisdma_violation_count(t->m);
    halt_free_channel(x->a);
    x->ops->PutDmaAdapter(x->a);
    halt_expect_no_violation(t, mark);
}

static ULONG map(xfer *x, halt_buf *b, size_t off, ULONG len, bool write, uint64_t *phys)
{
    ULONG l = len;
    PHYSICAL_ADDRESS pa = x->ops->MapTransfer(x->a, b->mdl, x->g.base, b->va + off, &l, write);
    if (phys)
        *phys = (uint64_t)pa.QuadPart;
    return l;
}

static BOOLEAN flush(xfer *x, halt_buf *b, size_t off, ULONG len, bool write)
{
    return x->ops->FlushAdapterBuffers(x->a, b->mdl, x->g.base, b->va + off, len, write);
}

static bool in_pool(halt *t, uint64_t phys)
{
    uint64_t p = nd_hal_pool_phys(t->h);
    return phys >= p && phys < p + nd_hal_pool_pages(t->h) * PAGE_SIZE;
}

static ndisdma_dma_channel_state chan(halt *t, unsigned ch)
{
    ndisdma_dma_channel_state st;
    assert_int_equal(ndisdma_dma_get_channel(t->m, ch, &st), 0);
    return st;
}

/* Asserts the buffer holds halt_pat(seed, i) for i in [from, to) and @fill
   elsewhere. */
static void expect_buf(halt *t, const halt_buf *b, uint32_t seed, size_t from, size_t to,
                       uint8_t fill)
{
    uint8_t *tmp = malloc(b->len);
    assert_non_null(tmp);
    halt_buf_get(t, b, 0, tmp, b->len);
    for (size_t i = 0; i < b->len; i++) {
        uint8_t want = i >= from && i < to ? halt_pat(seed, i - from) : fill;
        if (tmp[i] != want)
            fail_msg("byte %zu: 0x%02x, expected 0x%02x (data in [%zu, %zu), fill 0x%02x)", i,
                     tmp[i], want, from, to, fill);
    }
    free(tmp);
}

/* Device -> memory through @x of [off, off + len) of @b, the device giving
   at most @limit bytes; checks the copy-back. Returns what Flush returned. */
static BOOLEAN receive(halt *t, xfer *x, halt_buf *b, size_t off, ULONG len, size_t limit,
                       bool expect_bounce)
{
    uint64_t mark = ndisdma_violation_count(t->m);
    halt_dev dev;
    halt_dev_attach(t, &dev, x->ch, 16);
    dev.tx_seed = 7;
    dev.limit = limit;
    halt_buf_fill(t, b, 0xEE);
    uint64_t phys = 0;
    assert_int_equal(map(x, b, off, len, false, &phys), len);
    assert_int_equal(in_pool(t, phys), expect_bounce);
    if (!expect_bounce)
        assert_int_equal(phys, halt_buf_phys(b, off));
    ndisdma_dma_request(t->m, x->ch, true);
    ndisdma_dma_run(t->m, 0);
    size_t moved = limit < len ? limit : len;
    if (x->ch >= 4)
        moved &= ~(size_t)1;
    ndisdma_dma_request(t->m, x->ch, false);
    /* N17: a bounced receive is invisible in the caller's buffer until the
       flush; a direct one is there at once. */
    if (expect_bounce)
        expect_buf(t, b, 7, 0, 0, 0xEE);
    else
        expect_buf(t, b, 7, off, off + moved, 0xEE);
    assert_int_equal(x->ops->ReadDmaCounter(x->a), len - moved); /* N20, N22 */
    BOOLEAN ok = flush(x, b, off, len, false);
    expect_buf(t, b, 7, off, off + moved, 0xEE);
    assert_true(chan(t, x->ch).masked);
    halt_expect_no_violation(t, mark);
    halt_dev_detach(t, &dev);
    return ok;
}

/* Memory -> device through @x of [off, off + len) of @b. */
static void send(halt *t, xfer *x, halt_buf *b, size_t off, ULONG len, bool expect_bounce)
{
    uint64_t mark = ndisdma_violation_count(t->m);
    halt_dev dev;
    halt_dev_attach(t, &dev, x->ch, len + 2);
    uint8_t *src = malloc(len);
    assert_non_null(src);
    for (size_t i = 0; i < len; i++)
        src[i] = halt_pat(3, i);
    halt_buf_fill(t, b, 0x55);
    halt_buf_set(t, b, off, src, len);
    ndisdma_hal_stats before, after;
    assert_int_equal(ndisdma_hal_get_stats(t->m, &before), 0);
    uint64_t phys = 0;
    assert_int_equal(map(x, b, off, len, true, &phys), len);
    assert_int_equal(in_pool(t, phys), expect_bounce);
    /* The HAL's counters say which path the transfer took. */
    assert_int_equal(ndisdma_hal_get_stats(t->m, &after), 0);
    assert_int_equal(after.transfers_bounced - before.transfers_bounced, expect_bounce ? 1 : 0);
    assert_int_equal(after.transfers_direct - before.transfers_direct, expect_bounce ? 0 : 1);
    assert_int_equal(expect_bounce ? after.bytes_bounced - before.bytes_bounced
                                   : after.bytes_direct - before.bytes_direct,
                     len);
    ndisdma_dma_request(t->m, x->ch, true);
    ndisdma_dma_run(t->m, 0);
    ndisdma_dma_request(t->m, x->ch, false);
    assert_true(dev.rx_len >= len);
    assert_memory_equal(dev.rx, src, len);
    assert_int_equal(dev.tcs, 1);
    assert_true(flush(x, b, off, len, true));
    assert_int_equal(ndisdma_hal_get_stats(t->m, &after), 0);
    assert_int_equal(after.flushes - before.flushes, 1);
    /* The caller's buffer is not written by a transfer to the device. */
    uint8_t *now = malloc(b->len);
    assert_non_null(now);
    halt_buf_get(t, b, 0, now, b->len);
    assert_memory_equal(now + off, src, len);
    for (size_t i = 0; i < b->len; i++)
        if (i < off || i >= off + len)
            assert_int_equal(now[i], 0x55);
    free(now);
    free(src);
    halt_expect_no_violation(t, mark);
    halt_dev_detach(t, &dev);
}

/* --- invalid input --- */

/* MDL chains: a Length that runs past the current MDL is reported and
   clamped to the bytes left in it; MapTransfer never follows Next. */
static void test_hal_stats_bad_arguments(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    ndisdma_hal_stats st;
    assert_int_equal(ndisdma_hal_get_stats(NULL, &st), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_hal_get_stats(t.m, NULL), NDISDMA_EINVAL);
    assert_int_equal(ndisdma_hal_get_stats(t.m, &st), 0);
    assert_int_equal(st.transfers_direct + st.transfers_bounced + st.flushes, 0);
    halt_fini(&t);
}

static void test_mdl_chain_length_past_mdl(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    xfer x;
    xfer_open(&t, &x, 1, 8192, true, false);
    halt_buf b1, b2;
    halt_buf_ram(&t, &b1, 300);
    halt_buf_ram(&t, &b2, 300);
    b1.mdl->Next = b2.mdl;
    uint64_t mark = ndisdma_violation_count(t.m);
    assert_int_equal(map(&x, &b1, 100, 500, true, NULL), 200);
    halt_expect_violation(&t, mark, "MapTransfer", "past the end of the MDL");
    assert_true(flush(&x, &b1, 100, 200, true));
    b1.mdl->Next = NULL;
    halt_buf_free(&t, &b1);
    halt_buf_free(&t, &b2);
    xfer_close(&t, &x);
    halt_fini(&t);
}

/* A range that needs map registers with none allocated is refused; flush
   arguments that differ from the mapping are reported (the mapping is
   flushed). */
static void test_bounce_without_registers_refused(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_HIGH, 0);
    DEVICE_DESCRIPTION d = halt_desc(3, 4096);
    PDMA_ADAPTER a = halt_adapter(&t, &d, NULL);
    halt_grant g = {0};
    assert_int_equal(halt_alloc(&t, a, 0, &g, KeepObject), STATUS_SUCCESS);
    halt_buf b;
    halt_buf_ram(&t, &b, 512);
    ULONG len = 512;
    uint64_t mark = ndisdma_violation_count(t.m);
    PHYSICAL_ADDRESS pa = halt_ops(a)->MapTransfer(a, b.mdl, NULL, b.va, &len, TRUE);
    assert_int_equal(pa.QuadPart, 0);
    assert_int_equal(len, 0);
    halt_expect_violation(&t, mark, "MapTransfer", "no map registers");
    halt_free_channel(a);
    halt_ops(a)->PutDmaAdapter(a);
    halt_buf_free(&t, &b);

    xfer x;
    xfer_open(&t, &x, 3, 4096, true, false);
    halt_buf_ram(&t, &b, 512);
    assert_int_equal(map(&x, &b, 0, 512, true, NULL), 512);
    mark = ndisdma_violation_count(t.m);
    assert_true(flush(&x, &b, 0, 511, true));
    halt_expect_violation(&t, mark, "FlushAdapterBuffers", "arguments differ");
    halt_buf_free(&t, &b);
    xfer_close(&t, &x);
    halt_fini(&t);
}

/* --- direct path (N14) --- */

/* Low RAM, 8-bit: the controller works on the buffer's own frames. The HAL
   masks first, programs mode, flip-flop, address, page and count through the
   ports, and unmasks last. */
static void test_n14_direct_8bit_ports(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    xfer x;
    xfer_open(&t, &x, 1, 4096, true, false);
    halt_buf b;
    halt_buf_ram(&t, &b, 1514);
    uint64_t p = halt_buf_phys(&b, 0);
    assert_true(p + 1514 <= ND_HAL_ISA_LIMIT);
    halt_io io;
    halt_io_start(&t, &io);
    uint64_t phys = 0;
    assert_int_equal(map(&x, &b, 0, 1514, true, &phys), 1514);
    halt_io_stop(&t, &io);
    assert_int_equal(phys, p);
    const struct {
        uint16_t port;
        uint8_t value;
    } want[] = {
        {0x0A, 0x05},                             /* mask channel 1 */
        {0x0B, MODE_TYPE_READ | MODE_DEMAND | 1}, /* mode */
        {0x0C, 0x00},                             /* clear flip-flop */
        {0x02, (uint8_t)p},
        {0x02, (uint8_t)(p >> 8)},  /* address */
        {0x83, (uint8_t)(p >> 16)}, /* page */
        {0x03, (uint8_t)(1513 & 0xFF)},
        {0x03, (uint8_t)(1513 >> 8)}, /* count */
        {0x0A, 0x01},                 /* unmask */
    };
    size_t w = 0;
    for (size_t i = 0; i < io.n; i++) {
        if (!io.write[i])
            continue;
        assert_true(w < sizeof want / sizeof want[0]);
        assert_int_equal(io.port[i], want[w].port);
        assert_int_equal(io.value[i], want[w].value);
        w++;
    }
    assert_int_equal(w, sizeof want / sizeof want[0]);
    assert_true(flush(&x, &b, 0, 1514, true));
    send(&t, &x, &b, 0, 1514, false);
    receive(&t, &x, &b, 10, 1000, SIZE_MAX, false);
    halt_buf_free(&t, &b);
    xfer_close(&t, &x);
    halt_fini(&t);
}

/* 16-bit channels: address (phys >> 1) & 0xFFFF and page & 0xFE, never
   (phys & 0xFFFF) >> 1 - checked at a physical address with bit 16 set
   (0x35000: address 0xA800, page 0x02), through the ports and by where the
   hardware puts the data. Count is in words. */
static void test_n14_16bit_address_page_ports(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    xfer x;
    xfer_open(&t, &x, 5, 8192, false, false);
    PFN_NUMBER pfn[] = {0x35};
    halt_buf b;
    halt_buf_frames(&t, &b, pfn, 1, 0, 0x400);
    halt_io io;
    halt_io_start(&t, &io);
    uint64_t phys = 0;
    assert_int_equal(map(&x, &b, 0, 0x400, false, &phys), 0x400);
    halt_io_stop(&t, &io);
    assert_int_equal(phys, 0x35000);
    long i = halt_io_find_write(&io, 0xD4, 0);
    assert_true(i >= 0);
    assert_int_equal(io.value[i], 0x05); /* mask channel 5 first */
    assert_int_equal(halt_io_find_write(&io, 0xD6, 0) > i, 1);
    assert_int_equal(io.value[halt_io_find_write(&io, 0xD6, 0)], MODE_TYPE_WRITE | MODE_SINGLE | 1);
    long a0 = halt_io_find_write(&io, 0xC4, 0);
    assert_true(a0 > halt_io_find_write(&io, 0xD8, 0));
    assert_int_equal(io.value[a0], 0x00);
    assert_int_equal(io.value[halt_io_find_write(&io, 0xC4, (size_t)a0 + 1)], 0xA8);
    assert_int_equal(io.value[halt_io_find_write(&io, 0x8B, 0)], 0x02);
    long c0 = halt_io_find_write(&io, 0xC6, 0);
    assert_int_equal(io.value[c0], 0xFF);
    assert_int_equal(io.value[halt_io_find_write(&io, 0xC6, (size_t)c0 + 1)], 0x01);
    long last = (long)io.n - 1;
    while (last >= 0 && !io.write[last])
        last--;
    assert_int_equal(io.port[last], 0xD4);
    assert_int_equal(io.value[last], 0x01); /* unmask last */
    ndisdma_dma_channel_state st = chan(&t, 5);
    assert_int_equal(st.next_phys, 0x35000);
    assert_int_equal(st.base_count, 0x1FF);
    assert_true(flush(&x, &b, 0, 0x400, false));
    receive(&t, &x, &b, 0, 0x400, SIZE_MAX, false);
    halt_buf_free(&t, &b);
    xfer_close(&t, &x);
    halt_fini(&t);
}

/* --- bounced path (N14, N17) --- */

/* Buffers above 16 MiB (placement HIGH) go through map registers on both
   widths; a receive is invisible before the flush. */
static void test_n14_bounce_above_16m(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_HIGH, 0);
    const unsigned chans[] = {2, 6};
    for (size_t c = 0; c < 2; c++) {
        xfer x;
        xfer_open(&t, &x, chans[c], 4096, true, false);
        halt_buf b;
        halt_buf_ram(&t, &b, 2000);
        assert_true(halt_buf_phys(&b, 0) >= ND_HAL_ISA_LIMIT);
        send(&t, &x, &b, 0, 1514, true);
        assert_true(receive(&t, &x, &b, 4, 1514, SIZE_MAX, true));
        halt_buf_free(&t, &b);
        xfer_close(&t, &x);
    }
    halt_fini(&t);
}

/* Plain host memory (phantom frames above 4 GiB) is bounced; its data is
   read and written through the host pointer. */
static void test_n14_bounce_host_memory(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    const unsigned chans[] = {3, 7};
    for (size_t c = 0; c < 2; c++) {
        xfer x;
        xfer_open(&t, &x, chans[c], 0xFFFFFFFFu, true, false);
        halt_buf b;
        halt_buf_host(&t, &b, 9000, 0x123);
        send(&t, &x, &b, 0, 9000, true);
        assert_true(receive(&t, &x, &b, 2, 8000, SIZE_MAX, true));
        halt_buf_free(&t, &b);
        xfer_close(&t, &x);
    }
    halt_fini(&t);
}

/* Physically scattered pages below 16 MiB are not contiguous: bounced. */
static void test_n14_bounce_scattered_pages(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    xfer x;
    xfer_open(&t, &x, 2, 0xFFFFFFFFu, false, false);
    PFN_NUMBER pfn[] = {0x100, 0x0F0, 0x201};
    halt_buf b;
    halt_buf_frames(&t, &b, pfn, 3, 0x80, 9000);
    send(&t, &x, &b, 0, 9000, true);
    assert_true(receive(&t, &x, &b, 0, 9000, SIZE_MAX, true));
    /* One page of the same MDL is contiguous by itself: direct. */
    assert_true(receive(&t, &x, &b, 100, 1000, SIZE_MAX, false));
    halt_buf_free(&t, &b);
    xfer_close(&t, &x);
    halt_fini(&t);
}

/* A contiguous range across a 64 KiB boundary is bounced on channel 2; the
   same range is direct on channel 5 (128 KiB window) unless it crosses a
   128 KiB boundary. */
static void test_n14_window_crossing(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    PFN_NUMBER cross64[] = {0x2F, 0x30};  /* crosses 0x30000 (64 KiB, not 128 KiB) */
    PFN_NUMBER cross128[] = {0x3F, 0x40}; /* crosses 0x40000 (128 KiB) */
    halt_buf b;
    xfer x;

    xfer_open(&t, &x, 2, 8192, true, false);
    halt_buf_frames(&t, &b, cross64, 2, 0x800, 4096);
    send(&t, &x, &b, 0, 4096, true);
    assert_true(receive(&t, &x, &b, 0, 4096, SIZE_MAX, true));
    assert_true(receive(&t, &x, &b, 0, 0x800, SIZE_MAX, false)); /* below the boundary */
    halt_buf_free(&t, &b);
    xfer_close(&t, &x);

    xfer_open(&t, &x, 5, 8192, true, false);
    halt_buf_frames(&t, &b, cross64, 2, 0x800, 4096);
    send(&t, &x, &b, 0, 4096, false);
    assert_true(receive(&t, &x, &b, 0, 4096, SIZE_MAX, false));
    halt_buf_free(&t, &b);
    halt_buf_frames(&t, &b, cross128, 2, 0x800, 4096);
    send(&t, &x, &b, 0, 4096, true);
    assert_true(receive(&t, &x, &b, 0, 4096, SIZE_MAX, true));
    halt_buf_free(&t, &b);
    xfer_close(&t, &x);
    halt_fini(&t);
}

/* 16-bit channels move words: an odd address or an odd length is bounced,
   and the flush copies back exactly the odd length. */
static void test_16bit_odd_address_and_length_bounced(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    xfer x;
    xfer_open(&t, &x, 6, 4096, true, false);
    halt_buf b;
    halt_buf_ram(&t, &b, 600);
    send(&t, &x, &b, 1, 300, true);
    send(&t, &x, &b, 0, 301, true);
    halt_dev dev;
    halt_dev_attach(&t, &dev, 6, 16);
    dev.tx_seed = 7;
    halt_buf_fill(&t, &b, 0xEE);
    assert_int_equal(map(&x, &b, 0, 101, false, NULL), 101);
    ndisdma_dma_request(t.m, 6, true);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 51);
    ndisdma_dma_request(t.m, 6, false);
    assert_true(flush(&x, &b, 0, 101, false));
    expect_buf(&t, &b, 7, 0, 101, 0xEE);
    halt_dev_detach(&t, &dev);
    halt_buf_free(&t, &b);
    xfer_close(&t, &x);
    halt_fini(&t);
}

/* Partial transfers (N17, N20): the device stops early; ReadDmaCounter
   tells what is left and the flush copies back exactly the bytes moved,
   leaving the rest of the caller's buffer untouched. Both widths. */
static void test_n17_partial_transfer_copies_exact(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_HIGH, 0);
    const unsigned chans[] = {1, 5};
    for (size_t c = 0; c < 2; c++) {
        xfer x;
        xfer_open(&t, &x, chans[c], 4096, true, false);
        halt_buf b;
        halt_buf_ram(&t, &b, 1200);
        assert_true(receive(&t, &x, &b, 50, 1000, 300, true));
        assert_true(receive(&t, &x, &b, 0, 1000, 0, true));
        halt_buf_free(&t, &b);
        xfer_close(&t, &x);
    }
    halt_fini(&t);
}

/* N19: a flush while the channel still moves data (unmasked, DREQ asserted,
   count not exhausted) returns FALSE, masks the channel and copies what
   moved; on a direct transfer nothing is copied. */
static void test_n19_flush_false_while_moving(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    xfer x;
    xfer_open(&t, &x, 3, 4096, true, false);
    halt_dev dev;
    halt_dev_attach(&t, &dev, 3, 16);
    dev.tx_seed = 7;

    halt_buf b;
    halt_buf_host(&t, &b, 1000, 0);
    halt_buf_fill(&t, &b, 0xEE);
    assert_int_equal(map(&x, &b, 0, 1000, false, NULL), 1000);
    ndisdma_dma_request(t.m, 3, true);
    assert_int_equal(ndisdma_dma_run(t.m, 10), 10);
    assert_int_equal(x.ops->ReadDmaCounter(x.a), 990);
    assert_false(flush(&x, &b, 0, 1000, false));
    assert_true(chan(&t, 3).masked);
    expect_buf(&t, &b, 7, 0, 10, 0xEE);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 0); /* masked: nothing moves */
    ndisdma_dma_request(t.m, 3, false);
    halt_buf_free(&t, &b);

    halt_buf_ram(&t, &b, 1000);
    halt_buf_fill(&t, &b, 0xEE);
    dev.tx_pos = 0;
    assert_int_equal(map(&x, &b, 0, 1000, false, NULL), 1000);
    ndisdma_dma_request(t.m, 3, true);
    assert_int_equal(ndisdma_dma_run(t.m, 20), 20);
    assert_false(flush(&x, &b, 0, 1000, false));
    expect_buf(&t, &b, 7, 0, 20, 0xEE);
    ndisdma_dma_request(t.m, 3, false);
    /* Once the transfer reached terminal count the flush succeeds although
       DREQ is still asserted. */
    dev.tx_pos = 0;
    assert_int_equal(map(&x, &b, 0, 1000, false, NULL), 1000);
    ndisdma_dma_request(t.m, 3, true);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 1000);
    assert_true(flush(&x, &b, 0, 1000, false));
    ndisdma_dma_request(t.m, 3, false);
    halt_buf_free(&t, &b);
    halt_dev_detach(&t, &dev);
    xfer_close(&t, &x);
    halt_fini(&t);
}

/* One mapping never exceeds one 8237 transfer (65,536 units: 64 KiB on
   channels 0-3, 128 KiB on 5-7, count register 0xFFFF) nor what the map
   registers cover (their pages minus the first byte's page offset). */
static void test_mapping_limits(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_HIGH, 0);
    const unsigned chans[] = {2, 5};
    for (size_t c = 0; c < 2; c++) {
        xfer x;
        xfer_open(&t, &x, chans[c], 0xFFFFFFFFu, true, false);
        ULONG full = chans[c] >= 4 ? 0x20000u : 0x10000u;
        halt_buf b;
        halt_buf_ram(&t, &b, 200000);
        assert_int_equal(map(&x, &b, 0, 200000, false, NULL), full);
        assert_int_equal(chan(&t, chans[c]).base_count, 0xFFFF);
        assert_true(flush(&x, &b, 0, full, false));
        halt_buf_free(&t, &b);
        halt_buf_ram(&t, &b, full + 100);
        assert_true(receive(&t, &x, &b, 0, full, SIZE_MAX, true));
        halt_buf_free(&t, &b);
        xfer_close(&t, &x);
    }
    /* Three registers at page offset 0x100 cover 3 * 4096 - 0x100 bytes. */
    xfer x;
    xfer_open(&t, &x, 1, 8192, true, false);
    halt_buf b;
    halt_buf_host(&t, &b, 20000, 0x100);
    assert_int_equal(map(&x, &b, 0, 20000, true, NULL), 3 * 4096 - 0x100);
    assert_true(flush(&x, &b, 0, 3 * 4096 - 0x100, true));
    halt_buf_free(&t, &b);
    xfer_close(&t, &x);
    halt_fini(&t);
}

/* Mode register: demand or single per DemandMode, read or write per
   WriteToDevice, autoinitialize per AutoInitialize. An autoinitialize ring
   in a common buffer goes direct, reloads at terminal count, and its
   counter shows the position in the ring; a flush while it runs returns
   FALSE (N19). */
static void test_mode_bits_and_autoinit(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    xfer x;
    xfer_open(&t, &x, 1, 4096, false, true);
    PHYSICAL_ADDRESS la;
    uint8_t *ring = x.ops->AllocateCommonBuffer(x.a, 256, &la, FALSE);
    assert_non_null(ring);
    halt_buf b;
    memset(&b, 0, sizeof b);
    b.va = ring;
    b.len = 256;
    b.mdl = IoAllocateMdl(ring, 256, FALSE, FALSE, NULL);
    assert_non_null(b.mdl);
    MmBuildMdlForNonPagedPool(b.mdl);
    halt_dev dev;
    halt_dev_attach(&t, &dev, 1, 16);
    uint64_t phys = 0;
    assert_int_equal(map(&x, &b, 0, 256, false, &phys), 256);
    assert_int_equal(phys, (uint64_t)la.QuadPart);
    assert_int_equal(chan(&t, 1).mode & 0xFC, MODE_SINGLE | MODE_AUTOINIT | MODE_TYPE_WRITE);
    ndisdma_dma_request(t.m, 1, true);
    assert_int_equal(ndisdma_dma_run(t.m, 256 + 100), 356);
    assert_int_equal(dev.tcs, 1);
    assert_false(chan(&t, 1).masked);
    assert_int_equal(x.ops->ReadDmaCounter(x.a), 156);
    for (size_t i = 0; i < 256; i++)
        assert_int_equal(ring[i], halt_pat(0, i < 100 ? 256 + i : i));
    assert_false(flush(&x, &b, 0, 256, false));
    ndisdma_dma_request(t.m, 1, false);
    assert_int_equal(map(&x, &b, 0, 16, true, NULL), 16);
    assert_int_equal(chan(&t, 1).mode & 0xFC, MODE_SINGLE | MODE_AUTOINIT | MODE_TYPE_READ);
    assert_true(flush(&x, &b, 0, 16, true));
    IoFreeMdl(b.mdl);
    x.ops->FreeCommonBuffer(x.a, 256, la, ring, FALSE);
    halt_dev_detach(&t, &dev);
    xfer_close(&t, &x);
    halt_fini(&t);
}

/* N22, N23: ReadDmaCounter reads the count the HAL's way (clear flip-flop,
   low, high, until two reads agree), returns bytes remaining, moves while
   ndisdma_machine_run moves data at the bus rate, and is 0 at terminal
   count. Both widths. */
static void test_n22_n23_counter_in_time(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    const unsigned chans[] = {2, 7};
    for (size_t c = 0; c < 2; c++) {
        unsigned ch = chans[c];
        xfer x;
        xfer_open(&t, &x, ch, 8192, true, false);
        halt_buf b;
        halt_buf_ram(&t, &b, 4096);
        halt_dev dev;
        halt_dev_attach(&t, &dev, ch, 16);
        assert_int_equal(map(&x, &b, 0, 4096, false, NULL), 4096);
        assert_int_equal(x.ops->ReadDmaCounter(x.a), 4096);

        halt_io io;
        halt_io_start(&t, &io);
        (void)x.ops->ReadDmaCounter(x.a);
        halt_io_stop(&t, &io);
        uint16_t ff = ch < 4 ? 0x0C : 0xD8;
        uint16_t cp = ch < 4 ? (uint16_t)((ch & 3) * 2 + 1) : (uint16_t)(0xC2 + (ch & 3) * 4);
        assert_int_equal(io.n, 6);
        for (size_t r = 0; r < 2; r++) {
            assert_true(io.write[3 * r] && io.port[3 * r] == ff);
            assert_true(!io.write[3 * r + 1] && io.port[3 * r + 1] == cp);
            assert_true(!io.write[3 * r + 2] && io.port[3 * r + 2] == cp);
        }

        ndisdma_dma_request(t.m, ch, true);
        ULONG last = 4096;
        uint32_t unit_ns = ndisdma_dma_unit_time(t.m, ch);
        for (int i = 0; i < 5; i++) {
            assert_int_equal(ndisdma_machine_run(t.m, 100000), 0);
            ULONG now = x.ops->ReadDmaCounter(x.a);
            assert_true(now < last);
            ULONG units = (last - now) >> (ch >= 4 ? 1 : 0);
            /* about 100 us of bus time per step */
            assert_true(units + 2 >= 100000 / unit_ns && units <= 100000 / unit_ns + 2);
            last = now;
        }
        assert_int_equal(ndisdma_machine_run_until_idle(t.m, 100000000ull), 0);
        assert_int_equal(x.ops->ReadDmaCounter(x.a), 0);
        assert_int_equal(dev.tcs, 1);
        assert_true(flush(&x, &b, 0, 4096, false));
        ndisdma_dma_request(t.m, ch, false);
        halt_dev_detach(&t, &dev);
        halt_buf_free(&t, &b);
        xfer_close(&t, &x);
    }
    halt_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hal_stats_bad_arguments),
        cmocka_unit_test(test_mdl_chain_length_past_mdl),
        cmocka_unit_test(test_bounce_without_registers_refused),
        cmocka_unit_test(test_n14_direct_8bit_ports),
        cmocka_unit_test(test_n14_16bit_address_page_ports),
        cmocka_unit_test(test_n14_bounce_above_16m),
        cmocka_unit_test(test_n14_bounce_host_memory),
        cmocka_unit_test(test_n14_bounce_scattered_pages),
        cmocka_unit_test(test_n14_window_crossing),
        cmocka_unit_test(test_16bit_odd_address_and_length_bounced),
        cmocka_unit_test(test_n17_partial_transfer_copies_exact),
        cmocka_unit_test(test_n19_flush_false_while_moving),
        cmocka_unit_test(test_mapping_limits),
        cmocka_unit_test(test_mode_bits_and_autoinit),
        cmocka_unit_test(test_n22_n23_counter_in_time),
    };
    return cmocka_run_group_tests_name("hal_maptransfer", tests, NULL, NULL);
}
