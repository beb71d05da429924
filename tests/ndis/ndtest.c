/* Helpers of the NDIS tests; see ndtest.h. */
#include "ndtest.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"

static size_t dev_to(void *ctx, unsigned ch, const uint8_t *data, size_t len)
{
    ndt_dev *d = ctx;
    (void)ch;
    size_t room = sizeof d->rx - d->rx_len;
    if (len > room)
        len = room;
    memcpy(d->rx + d->rx_len, data, len);
    d->rx_len += len;
    return len;
}

static size_t dev_from(void *ctx, unsigned ch, uint8_t *data, size_t len)
{
    ndt_dev *d = ctx;
    (void)ch;
    size_t left = d->tx_limit > d->tx_pos ? d->tx_limit - d->tx_pos : 0;
    if (len > left)
        len = left;
    for (size_t i = 0; i < len; i++)
        data[i] = ndt_pat(d->seed, d->tx_pos + i);
    d->tx_pos += len;
    return len;
}

static void dev_tc(void *ctx, unsigned ch)
{
    ndt_dev *d = ctx;
    (void)ch;
    d->tcs++;
}

void ndt_init(ndt *t, ndisdma_placement placement)
{
    memset(t, 0, sizeof *t);
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.placement = placement;
    assert_int_equal(ndisdma_machine_create(&cfg, &t->m), 0);
    ndisdma_machine *stale = ndisdma_thread_machine();
    if (stale)
        ndisdma_thread_unbind(stale);
    assert_int_equal(ndisdma_thread_bind(t->m), 0);
    testmp_defaults(&t->cfg);
    t->cfg.register_dma = TRUE;
    ndisdma_resources_init(&t->res);
    t->res.dma_channel = 3;
    t->res.irq = 5;
    t->res.io_base = 0x300;
    t->res.io_length = 0x20;
}

void ndt_load(ndt *t)
{
    testmp_use(&t->cfg);
    assert_int_equal(ndisdma_driver_load(t->m, testmp_DriverEntry, &t->drv), 0);
    assert_non_null(t->drv);
}

void ndt_start(ndt *t)
{
    ndt_load(t);
    assert_int_equal(ndisdma_adapter_start(t->drv, &t->res, &t->ad), 0);
    assert_non_null(t->ad);
    if (t->cfg.register_dma) {
        assert_int_equal(t->cfg.dma_status, NDIS_STATUS_SUCCESS);
        assert_non_null(t->cfg.dma);
    }
}

void ndt_fini(ndt *t)
{
    if (t->dev_attached)
        ndisdma_dma_detach(t->m, t->dev.ch);
    ndisdma_adapter_stop(t->ad);
    ndisdma_driver_unload(t->drv);
    ndisdma_thread_unbind(t->m);
    ndisdma_machine_destroy(t->m);
    testmp_use(NULL);
    memset(t, 0, sizeof *t);
}

void ndt_dev_attach(ndt *t, unsigned ch)
{
    static const ndisdma_dma_device dev = {
        .to_device = dev_to, .from_device = dev_from, .terminal_count = dev_tc};
    t->dev.m = t->m;
    t->dev.ch = ch;
    t->dev.tx_limit = SIZE_MAX;
    assert_int_equal(ndisdma_dma_attach(t->m, ch, &dev, &t->dev), 0);
    t->dev_attached = true;
}

void ndt_dev_attach_tc(ndt *t, unsigned ch, void (*tc)(void *ctx, unsigned ch))
{
    const ndisdma_dma_device dev = {
        .to_device = dev_to, .from_device = dev_from, .terminal_count = tc};
    t->dev.m = t->m;
    t->dev.ch = ch;
    t->dev.tx_limit = SIZE_MAX;
    assert_int_equal(ndisdma_dma_attach(t->m, ch, &dev, &t->dev), 0);
    t->dev_attached = true;
}

void ndt_buf_ram(ndt *t, ndt_buf *b, size_t len)
{
    (void)t;
    memset(b, 0, sizeof *b);
    void *va = NULL;
    assert_int_equal(nd_kernel_alloc_nonpaged(nd_kernel_current(), len, &va, NULL), 0);
    b->ram = va;
    b->va = va;
    b->len = len;
    b->mdl = IoAllocateMdl(va, (ULONG)len, FALSE, FALSE, NULL);
    assert_non_null(b->mdl);
    MmBuildMdlForNonPagedPool(b->mdl);
}

void ndt_buf_host(ndt *t, ndt_buf *b, size_t len)
{
    (void)t;
    memset(b, 0, sizeof *b);
    b->host = malloc(len);
    assert_non_null(b->host);
    b->va = b->host;
    b->len = len;
    b->mdl = IoAllocateMdl(b->va, (ULONG)len, FALSE, FALSE, NULL);
    assert_non_null(b->mdl);
    MmBuildMdlForNonPagedPool(b->mdl);
}

void ndt_buf_free(ndt *t, ndt_buf *b)
{
    (void)t;
    if (b->mdl)
        IoFreeMdl(b->mdl);
    if (b->ram)
        assert_int_equal(nd_kernel_free_nonpaged(nd_kernel_current(), b->ram, b->len, "test"), 0);
    free(b->host);
    memset(b, 0, sizeof *b);
}

uint64_t ndt_mark(ndt *t)
{
    return ndisdma_violation_count(t->m);
}

uint64_t ndt_expect_violation(ndt *t, uint64_t mark, const char *ddi, const char *needle)
{
    uint64_t n = ndisdma_violation_count(t->m);
    if (n <= mark)
        fail_msg("expected a violation of %s (\"%s\"), none recorded", ddi, needle);
    ndisdma_violation v;
    assert_int_equal(ndisdma_violation_get(t->m, n - 1, &v), 0);
    if (strcmp(v.ddi, ddi) != 0 || (needle && !strstr(v.message, needle)))
        fail_msg("expected a violation of %s (\"%s\"), got %s: %s", ddi, needle ? needle : "",
                 v.ddi, v.message);
    return n;
}

void ndt_expect_no_violation(ndt *t, uint64_t mark)
{
    uint64_t n = ndisdma_violation_count(t->m);
    if (n > mark) {
        ndisdma_violation v;
        assert_int_equal(ndisdma_violation_get(t->m, n - 1, &v), 0);
        fail_msg("unexpected violation: %s: %s", v.ddi, v.message);
    }
}
