/*
 * HAL path and protocol tests: the direct-or-bounce decision (N14) over the
 * SCATTERED placement policy (buffers across 64 KiB and 128 KiB boundaries,
 * below and above 16 MiB) checked against an independent statement of the
 * rule, data integrity on every path, and the corners of the adapter
 * channel protocol: re-entrant execution routines, a routine returning a
 * value that is not an IO_ALLOCATION_ACTION, map registers freed before the
 * flush, a direct transfer with no map registers at all, and the lazy
 * reservation of the map-register pool. Invalid input first.
 */
#include "haltest.h"

#include <stdlib.h>
#include <string.h>

static bool in_pool(halt *t, uint64_t phys)
{
    uint64_t p = nd_hal_pool_phys(t->h);
    return phys >= p && phys < p + nd_hal_pool_pages(t->h) * PAGE_SIZE;
}

static IO_ALLOCATION_ACTION bad_action(PDEVICE_OBJECT dev, PIRP irp, PVOID base, PVOID ctx)
{
    (void)dev;
    (void)irp;
    (void)base;
    ++*(int *)ctx;
    return (IO_ALLOCATION_ACTION)42;
}

/* A routine that returns a value that is not an IO_ALLOCATION_ACTION is
   reported; the channel and registers are released as for
   DeallocateObject. */
static void test_invalid_action_reported(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    DEVICE_DESCRIPTION d = halt_desc(2, 4096);
    PDMA_ADAPTER a = halt_adapter(&t, &d, NULL);
    size_t free0 = nd_hal_pool_free(t.h);
    int calls = 0;
    uint64_t mark = ndisdma_violation_count(t.m);
    KIRQL old = halt_raise(DISPATCH_LEVEL);
    assert_int_equal(halt_ops(a)->AllocateAdapterChannel(a, t.pdo, 2, bad_action, &calls),
                     STATUS_SUCCESS);
    halt_lower(old);
    assert_int_equal(calls, 1);
    halt_expect_violation(&t, mark, "AllocateAdapterChannel", "not an IO_ALLOCATION_ACTION");
    assert_int_equal(nd_hal_pool_free(t.h), free0);
    halt_grant g = {0};
    assert_int_equal(halt_alloc(&t, a, 1, &g, DeallocateObject), STATUS_SUCCESS);
    assert_int_equal(g.calls, 1);
    halt_ops(a)->PutDmaAdapter(a);
    halt_fini(&t);
}

typedef struct dealloc_ctx {
    halt *t;
    PDMA_ADAPTER a;
    halt_buf *b;
    PVOID base;
    ULONG len;
} dealloc_ctx;

static IO_ALLOCATION_ACTION map_and_release(PDEVICE_OBJECT dev, PIRP irp, PVOID base, PVOID ctx)
{
    (void)dev;
    (void)irp;
    dealloc_ctx *c = ctx;
    c->base = base;
    c->len = (ULONG)c->b->len;
    halt_ops(c->a)->MapTransfer(c->a, c->b->mdl, base, c->b->va, &c->len, FALSE);
    return DeallocateObject;
}

/* Registers released (DeallocateObject) before the flush of a bounced
   receive: the flush reports that the data is lost instead of copying from
   freed registers. */
static void test_registers_freed_before_flush_reported(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_HIGH, 0);
    DEVICE_DESCRIPTION d = halt_desc(1, 4096);
    PDMA_ADAPTER a = halt_adapter(&t, &d, NULL);
    halt_buf b;
    halt_buf_ram(&t, &b, 100);
    halt_dev dev;
    halt_dev_attach(&t, &dev, 1, 16);
    dealloc_ctx c = {&t, a, &b, NULL, 0};
    KIRQL old = halt_raise(DISPATCH_LEVEL);
    assert_int_equal(halt_ops(a)->AllocateAdapterChannel(a, t.pdo, 2, map_and_release, &c),
                     STATUS_SUCCESS);
    halt_lower(old);
    assert_int_equal(c.len, 100);
    ndisdma_dma_request(t.m, 1, true);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 100);
    ndisdma_dma_request(t.m, 1, false);
    uint64_t mark = ndisdma_violation_count(t.m);
    halt_buf_fill(&t, &b, 0xEE);
    /* FALSE: the received bytes are lost, the data is incoherent (N19). */
    assert_false(halt_ops(a)->FlushAdapterBuffers(a, b.mdl, c.base, b.va, 100, FALSE));
    halt_expect_violation(&t, mark, "FlushAdapterBuffers", "freed before the flush");
    uint8_t buf[100];
    halt_buf_get(&t, &b, 0, buf, 100);
    for (size_t i = 0; i < 100; i++)
        assert_int_equal(buf[i], 0xEE);
    halt_dev_detach(&t, &dev);
    halt_buf_free(&t, &b);
    halt_ops(a)->PutDmaAdapter(a);
    halt_fini(&t);
}

/* An MDL freed between MapTransfer and the flush of a bounced receive: the
   flush reports it, writes nothing, and returns FALSE (incoherent, N19). */
static void test_mdl_freed_before_flush_reported(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    DEVICE_DESCRIPTION d = halt_desc(3, 4096);
    PDMA_ADAPTER a = halt_adapter(&t, &d, NULL);
    halt_grant g = {0};
    assert_int_equal(halt_alloc(&t, a, 2, &g, KeepObject), STATUS_SUCCESS);
    halt_buf b;
    halt_buf_host(&t, &b, 64, 0);
    memset(b.va, 0xEE, 64);
    halt_dev dev;
    halt_dev_attach(&t, &dev, 3, 16);
    ULONG len = 64;
    PMDL mdl = b.mdl;
    halt_ops(a)->MapTransfer(a, mdl, g.base, b.va, &len, FALSE);
    assert_int_equal(len, 64);
    ndisdma_dma_request(t.m, 3, true);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 64);
    ndisdma_dma_request(t.m, 3, false);
    IoFreeMdl(mdl);
    b.mdl = NULL;
    uint64_t mark = ndisdma_violation_count(t.m);
    assert_false(halt_ops(a)->FlushAdapterBuffers(a, mdl, g.base, b.va, 64, FALSE));
    halt_expect_violation(&t, mark, "FlushAdapterBuffers", "freed before the flush");
    for (size_t i = 0; i < 64; i++)
        assert_int_equal(b.va[i], 0xEE);
    halt_dev_detach(&t, &dev);
    halt_buf_free(&t, &b);
    halt_free_channel(a);
    halt_ops(a)->PutDmaAdapter(a);
    halt_fini(&t);
}

/* N19 fault injection: an injected flush fault makes the flush return FALSE
   after doing its whole work (mask, copy back); nd_hal_channel_busy tells
   a held or contended channel (N6). */
static void test_n19_injected_flush_fault(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_HIGH, 0);
    assert_int_equal(nd_hal_inject_flush_faults(NULL, 1), NDISDMA_EINVAL);
    assert_false(nd_hal_channel_busy(t.h, 2));
    assert_false(nd_hal_channel_busy(t.h, 8));
    DEVICE_DESCRIPTION d = halt_desc(2, 4096);
    PDMA_ADAPTER a = halt_adapter(&t, &d, NULL);
    halt_grant g = {0};
    assert_int_equal(halt_alloc(&t, a, 2, &g, KeepObject), STATUS_SUCCESS);
    assert_true(nd_hal_channel_busy(t.h, 2));
    halt_buf b;
    halt_buf_ram(&t, &b, 128);
    halt_buf_fill(&t, &b, 0xEE);
    halt_dev dev;
    halt_dev_attach(&t, &dev, 2, 16);
    dev.tx_seed = 4;
    assert_int_equal(nd_hal_inject_flush_faults(t.h, 1), 0);
    for (int round = 0; round < 2; round++) {
        ULONG len = 128;
        dev.tx_pos = 0;
        halt_ops(a)->MapTransfer(a, b.mdl, g.base, b.va, &len, FALSE);
        ndisdma_dma_request(t.m, 2, true);
        assert_int_equal(ndisdma_dma_run(t.m, 0), 128);
        ndisdma_dma_request(t.m, 2, false);
        BOOLEAN ok = halt_ops(a)->FlushAdapterBuffers(a, b.mdl, g.base, b.va, 128, FALSE);
        assert_int_equal(ok, round == 0 ? FALSE : TRUE);
        uint8_t buf[128];
        halt_buf_get(&t, &b, 0, buf, 128);
        for (size_t i = 0; i < 128; i++)
            assert_int_equal(buf[i], halt_pat(4, i));
    }
    halt_dev_detach(&t, &dev);
    halt_buf_free(&t, &b);
    halt_free_channel(a);
    assert_false(nd_hal_channel_busy(t.h, 2));
    halt_ops(a)->PutDmaAdapter(a);
    halt_fini(&t);
}

/* --- re-entrancy --- */

typedef struct chain_ctx {
    halt *t;
    PDMA_ADAPTER self, next;
    struct chain_ctx *next_ctx;
    int *order; /* shared: ids in the order the routines ran */
    int *n;
    int id;
} chain_ctx;

static IO_ALLOCATION_ACTION chain_exec(PDEVICE_OBJECT dev, PIRP irp, PVOID base, PVOID ctx)
{
    (void)irp;
    (void)base;
    chain_ctx *c = ctx;
    c->order[(*c->n)++] = c->id;
    /* From inside the routine: ask for another channel, which is granted
       after this routine returns (no nested routine call). */
    if (c->next) {
        int before = *c->n;
        NTSTATUS st =
            halt_ops(c->next)->AllocateAdapterChannel(c->next, dev, 1, chain_exec, c->next_ctx);
        assert_int_equal(st, STATUS_SUCCESS);
        assert_int_equal(*c->n, before);
    }
    return DeallocateObject;
}

/* An execution routine may call AllocateAdapterChannel; the new request is
   granted once the running routine has returned, in order, never nested. */
static void test_reentrant_execution_routine(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    DEVICE_DESCRIPTION d1 = halt_desc(1, 4096), d2 = halt_desc(2, 4096), d5 = halt_desc(5, 4096);
    PDMA_ADAPTER a = halt_adapter(&t, &d1, NULL);
    PDMA_ADAPTER b = halt_adapter(&t, &d2, NULL);
    PDMA_ADAPTER c = halt_adapter(&t, &d5, NULL);
    int n = 0, order[8] = {0};
    chain_ctx cc = {.t = &t, .self = c, .order = order, .n = &n, .id = 3};
    chain_ctx cb = {
        .t = &t, .self = b, .next = c, .next_ctx = &cc, .order = order, .n = &n, .id = 2};
    chain_ctx ca = {
        .t = &t, .self = a, .next = b, .next_ctx = &cb, .order = order, .n = &n, .id = 1};
    KIRQL old = halt_raise(DISPATCH_LEVEL);
    assert_int_equal(halt_ops(a)->AllocateAdapterChannel(a, t.pdo, 1, chain_exec, &ca),
                     STATUS_SUCCESS);
    halt_lower(old);
    assert_int_equal(n, 3);
    assert_int_equal(order[0], 1);
    assert_int_equal(order[1], 2);
    assert_int_equal(order[2], 3);
    size_t free_all = nd_hal_pool_free(t.h);
    assert_int_equal(free_all, nd_hal_pool_pages(t.h));
    halt_ops(a)->PutDmaAdapter(a);
    halt_ops(b)->PutDmaAdapter(b);
    halt_ops(c)->PutDmaAdapter(c);
    halt_fini(&t);
}

/* --- paths --- */

/* The map-register pool is reserved only when the first adapter is made. */
static void test_pool_reserved_lazily(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    assert_int_equal(nd_hal_pool_pages(t.h), 0);
    DEVICE_DESCRIPTION d = halt_desc(0, 4096);
    PDMA_ADAPTER a = halt_adapter(&t, &d, NULL);
    assert_int_equal(nd_hal_pool_pages(t.h), ND_HAL_DEFAULT_POOL_PAGES);
    halt_ops(a)->PutDmaAdapter(a);
    halt_fini(&t);
}

/* A direct transfer needs no map registers: MapRegisterBase NULL works. */
static void test_direct_without_registers(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_LOW, 0);
    DEVICE_DESCRIPTION d = halt_desc(0, 4096);
    PDMA_ADAPTER a = halt_adapter(&t, &d, NULL);
    halt_grant g = {0};
    assert_int_equal(halt_alloc(&t, a, 0, &g, KeepObject), STATUS_SUCCESS);
    assert_null(g.base);
    halt_buf b;
    halt_buf_ram(&t, &b, 700);
    halt_buf_pattern(&t, &b, 9);
    halt_dev dev;
    halt_dev_attach(&t, &dev, 0, 1000);
    ULONG len = 700;
    uint64_t mark = ndisdma_violation_count(t.m);
    PHYSICAL_ADDRESS pa = halt_ops(a)->MapTransfer(a, b.mdl, NULL, b.va, &len, TRUE);
    assert_int_equal(len, 700);
    assert_int_equal((uint64_t)pa.QuadPart, halt_buf_phys(&b, 0));
    ndisdma_dma_request(t.m, 0, true);
    assert_int_equal(ndisdma_dma_run(t.m, 0), 700);
    ndisdma_dma_request(t.m, 0, false);
    assert_true(halt_ops(a)->FlushAdapterBuffers(a, b.mdl, NULL, b.va, 700, TRUE));
    for (size_t i = 0; i < 700; i++)
        assert_int_equal(dev.rx[i], halt_pat(9, i));
    halt_expect_no_violation(&t, mark);
    halt_dev_detach(&t, &dev);
    halt_buf_free(&t, &b);
    halt_free_channel(a);
    halt_ops(a)->PutDmaAdapter(a);
    halt_fini(&t);
}

/* N14 as the test states it: direct exactly when the range is in RAM below
   16 MiB, physically contiguous, inside one 64 KiB (8-bit) or 128 KiB
   (16-bit) window, and on 16-bit channels word-aligned with an even
   length. */
static bool expect_direct(halt *t, const halt_buf *b, size_t off, size_t len, unsigned ch)
{
    uint64_t first = halt_buf_phys(b, off), last = halt_buf_phys(b, off + len - 1);
    if (last - first != len - 1 || last >= (16u << 20))
        return false;
    for (size_t i = 0; i < len; i += PAGE_SIZE - BYTE_OFFSET(b->va + off + i))
        if (halt_buf_phys(b, off + i) != first + i)
            return false;
    if (!nd_kernel_pfn_is_ram(t->k, (PFN_NUMBER)(first >> PAGE_SHIFT)))
        return false;
    unsigned shift = ch >= 4 ? 17 : 16;
    if (first >> shift != last >> shift)
        return false;
    return ch < 4 || ((first & 1) == 0 && (len & 1) == 0);
}

/* SCATTERED placement: buffers land below and above 16 MiB and across
   64 KiB and 128 KiB boundaries. Every transfer takes the path N14 states,
   and moves the right bytes both ways on both widths; a receive touches
   nothing outside its range. */
static void test_n14_scattered_placement_paths(void **state)
{
    (void)state;
    halt t;
    halt_init(&t, NDISDMA_PLACEMENT_SCATTERED, 0);
    const unsigned chans[] = {1, 6};
    const size_t sizes[] = {6000, 100, 9000, 4096, 1514, 20000, 3, 8192};
    size_t direct = 0, bounced = 0;
    for (size_t c = 0; c < 2; c++) {
        unsigned ch = chans[c];
        DEVICE_DESCRIPTION d = halt_desc(ch, 0xFFFFFFFFu);
        ULONG nregs = 0;
        PDMA_ADAPTER a = halt_adapter(&t, &d, &nregs);
        halt_grant g = {0};
        assert_int_equal(halt_alloc(&t, a, nregs, &g, KeepObject), STATUS_SUCCESS);
        halt_dev dev;
        halt_dev_attach(&t, &dev, ch, 32768);
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t len = sizes[s];
            halt_buf b;
            halt_buf_ram(&t, &b, len + 8);
            for (int write = 0; write < 2; write++) {
                size_t off = (size_t)write * 3; /* odd offsets on the 16-bit channel too */
                bool want_direct = expect_direct(&t, &b, off, len, ch);
                halt_buf_fill(&t, &b, 0xEE);
                if (write) {
                    uint8_t *src = malloc(len);
                    assert_non_null(src);
                    for (size_t i = 0; i < len; i++)
                        src[i] = halt_pat((uint32_t)s, i);
                    halt_buf_set(&t, &b, off, src, len);
                    free(src);
                }
                dev.rx_len = 0;
                dev.tx_pos = 0;
                dev.tx_seed = (uint32_t)s;
                ULONG l = (ULONG)len;
                PHYSICAL_ADDRESS pa =
                    halt_ops(a)->MapTransfer(a, b.mdl, g.base, b.va + off, &l, (BOOLEAN)write);
                assert_int_equal(l, len);
                if (in_pool(&t, (uint64_t)pa.QuadPart) == want_direct)
                    fail_msg("channel %u, %zu bytes at 0x%llx: %s, expected %s", ch, len,
                             (unsigned long long)halt_buf_phys(&b, off),
                             want_direct ? "bounced" : "direct",
                             want_direct ? "direct" : "bounced");
                direct += want_direct;
                bounced += !want_direct;
                ndisdma_dma_request(t.m, ch, true);
                ndisdma_dma_run(t.m, 0);
                ndisdma_dma_request(t.m, ch, false);
                assert_true(halt_ops(a)->FlushAdapterBuffers(a, b.mdl, g.base, b.va + off, l,
                                                             (BOOLEAN)write));
                uint8_t *now = malloc(b.len);
                assert_non_null(now);
                halt_buf_get(&t, &b, 0, now, b.len);
                for (size_t i = 0; i < b.len; i++) {
                    bool in = i >= off && i < off + len;
                    uint8_t want = in ? halt_pat((uint32_t)s, i - off) : 0xEE;
                    if (now[i] != want)
                        fail_msg("channel %u %s %zu bytes: byte %zu is 0x%02x, expected 0x%02x", ch,
                                 write ? "send" : "receive", len, i, now[i], want);
                }
                if (write)
                    for (size_t i = 0; i < len; i++)
                        assert_int_equal(dev.rx[i], halt_pat((uint32_t)s, i));
                free(now);
            }
            halt_buf_free(&t, &b);
        }
        halt_dev_detach(&t, &dev);
        halt_free_channel(a);
        halt_ops(a)->PutDmaAdapter(a);
    }
    /* The policy produced both kinds. */
    assert_true(direct > 0);
    assert_true(bounced > 0);
    halt_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_action_reported),
        cmocka_unit_test(test_registers_freed_before_flush_reported),
        cmocka_unit_test(test_mdl_freed_before_flush_reported),
        cmocka_unit_test(test_n19_injected_flush_fault),
        cmocka_unit_test(test_reentrant_execution_routine),
        cmocka_unit_test(test_pool_reserved_lazily),
        cmocka_unit_test(test_direct_without_registers),
        cmocka_unit_test(test_n14_scattered_placement_paths),
    };
    return cmocka_run_group_tests_name("hal_paths", tests, NULL, NULL);
}
