/* Helpers of the HAL tests; see haltest.h. */
#include "haltest.h"

#include <stdlib.h>
#include <string.h>

#include "kernel/frames.h"

void halt_init(halt *t, ndisdma_placement placement, uint64_t ram_bytes)
{
    memset(t, 0, sizeof *t);
    ndisdma_config cfg;
    ndisdma_config_init(&cfg);
    cfg.placement = placement;
    if (ram_bytes)
        cfg.ram_bytes = ram_bytes;
    assert_int_equal(ndisdma_machine_create(&cfg, &t->m), 0);
    /* A failed test longjmps out of its body and leaves its machine bound;
       let the next test start clean. */
    ndisdma_machine *stale = ndisdma_thread_machine();
    if (stale)
        ndisdma_thread_unbind(stale);
    assert_int_equal(ndisdma_thread_bind(t->m), 0);
    t->k = nd_kernel_current();
    assert_non_null(t->k);
    t->h = nd_kernel_hal(t->k);
    assert_non_null(t->h);
    assert_int_equal(ndisdma_device_object_create(t->m, 0, &t->pdo), 0);
}

void halt_fini(halt *t)
{
    ndisdma_device_object_destroy(t->pdo);
    ndisdma_thread_unbind(t->m);
    ndisdma_machine_destroy(t->m);
    memset(t, 0, sizeof *t);
}

DEVICE_DESCRIPTION halt_desc(unsigned ch, ULONG max_len)
{
    DEVICE_DESCRIPTION d;
    memset(&d, 0, sizeof d);
    d.Version = DEVICE_DESCRIPTION_VERSION;
    d.Master = FALSE;
    d.InterfaceType = Isa;
    d.DmaChannel = ch;
    d.DmaWidth = ch >= 4 ? Width16Bits : Width8Bits;
    d.DmaSpeed = Compatible;
    d.MaximumLength = max_len;
    d.DemandMode = TRUE;
    return d;
}

PDMA_ADAPTER halt_adapter(halt *t, const DEVICE_DESCRIPTION *d, ULONG *nregs)
{
    DEVICE_DESCRIPTION copy = *d;
    ULONG n = 0xDEAD;
    PDMA_ADAPTER a = IoGetDmaAdapter(t->pdo, &copy, &n);
    assert_non_null(a);
    assert_non_null(a->DmaOperations);
    if (nregs)
        *nregs = n;
    return a;
}

IO_ALLOCATION_ACTION halt_exec(PDEVICE_OBJECT dev, PIRP irp, PVOID base, PVOID ctx)
{
    halt_grant *g = ctx;
    g->calls++;
    g->dev = dev;
    g->irp = irp;
    g->base = base;
    g->context = ctx;
    g->irql = KeGetCurrentIrql();
    return g->action;
}

KIRQL halt_raise(KIRQL to)
{
    KIRQL old;
    KeRaiseIrql(to, &old);
    return old;
}

void halt_lower(KIRQL to)
{
    KeLowerIrql(to);
}

NTSTATUS halt_alloc(halt *t, PDMA_ADAPTER a, ULONG nregs, halt_grant *g,
                    IO_ALLOCATION_ACTION action)
{
    g->action = action;
    KIRQL old = halt_raise(DISPATCH_LEVEL);
    NTSTATUS st = a->DmaOperations->AllocateAdapterChannel(a, t->pdo, nregs, halt_exec, g);
    halt_lower(old);
    return st;
}

void halt_free_channel(PDMA_ADAPTER a)
{
    KIRQL old = halt_raise(DISPATCH_LEVEL);
    a->DmaOperations->FreeAdapterChannel(a);
    halt_lower(old);
}

void halt_free_regs(PDMA_ADAPTER a, PVOID base, ULONG n)
{
    KIRQL old = halt_raise(DISPATCH_LEVEL);
    a->DmaOperations->FreeMapRegisters(a, base, n);
    halt_lower(old);
}

/* --- buffers --- */

void halt_buf_ram(halt *t, halt_buf *b, size_t len)
{
    memset(b, 0, sizeof *b);
    void *va = NULL;
    assert_int_equal(nd_kernel_alloc_nonpaged(t->k, len, &va, NULL), 0);
    b->ram_va = va;
    b->ram_len = len;
    b->va = va;
    b->len = len;
    b->mdl = IoAllocateMdl(va, (ULONG)len, FALSE, FALSE, NULL);
    assert_non_null(b->mdl);
    MmBuildMdlForNonPagedPool(b->mdl);
}

void halt_buf_host(halt *t, halt_buf *b, size_t len, size_t offset)
{
    (void)t;
    memset(b, 0, sizeof *b);
    size_t total = ((offset + len + PAGE_SIZE - 1) / PAGE_SIZE) * PAGE_SIZE;
    b->host = aligned_alloc(PAGE_SIZE, total);
    assert_non_null(b->host);
    b->va = (uint8_t *)b->host + offset;
    b->len = len;
    b->mdl = IoAllocateMdl(b->va, (ULONG)len, FALSE, FALSE, NULL);
    assert_non_null(b->mdl);
    MmBuildMdlForNonPagedPool(b->mdl);
}

void halt_buf_frames(halt *t, halt_buf *b, const PFN_NUMBER *pfns, size_t npages, size_t offset,
                     size_t len)
{
    (void)t;
    memset(b, 0, sizeof *b);
    assert_true(ADDRESS_AND_SIZE_TO_SPAN_PAGES(offset, len) <= npages);
    b->host = aligned_alloc(PAGE_SIZE, npages * PAGE_SIZE);
    assert_non_null(b->host);
    b->va = (uint8_t *)b->host + offset;
    b->len = len;
    b->mdl = IoAllocateMdl(b->va, (ULONG)len, FALSE, FALSE, NULL);
    assert_non_null(b->mdl);
    PPFN_NUMBER arr = MmGetMdlPfnArray(b->mdl);
    for (size_t i = 0; i < ADDRESS_AND_SIZE_TO_SPAN_PAGES(offset, len); i++)
        arr[i] = pfns[i];
}

void halt_buf_free(halt *t, halt_buf *b)
{
    if (b->mdl)
        IoFreeMdl(b->mdl);
    if (b->ram_va)
        assert_int_equal(nd_kernel_free_nonpaged(t->k, b->ram_va, b->ram_len, "test"), 0);
    free(b->host);
    memset(b, 0, sizeof *b);
}

uint64_t halt_buf_phys(const halt_buf *b, size_t off)
{
    const uint8_t *va = b->va + off;
    uintptr_t idx = ((uintptr_t)va - (uintptr_t)b->mdl->StartVa) >> PAGE_SHIFT;
    return (uint64_t)MmGetMdlPfnArray(b->mdl)[idx] << PAGE_SHIFT | BYTE_OFFSET(va);
}

static void buf_access(halt *t, const halt_buf *b, size_t off, uint8_t *data, size_t len,
                       bool write)
{
    assert_true(off + len <= b->len);
    while (len > 0) {
        uint8_t *va = b->va + off;
        size_t chunk = PAGE_SIZE - BYTE_OFFSET(va);
        if (chunk > len)
            chunk = len;
        uint64_t phys = halt_buf_phys(b, off);
        if (nd_kernel_pfn_is_ram(t->k, (PFN_NUMBER)(phys >> PAGE_SHIFT))) {
            if (write)
                assert_int_equal(ndisdma_phys_write(t->m, phys, data, chunk), 0);
            else
                assert_int_equal(ndisdma_phys_read(t->m, phys, data, chunk), 0);
        } else if (write) {
            memcpy(va, data, chunk);
        } else {
            memcpy(data, va, chunk);
        }
        off += chunk;
        data += chunk;
        len -= chunk;
    }
}

void halt_buf_get(halt *t, const halt_buf *b, size_t off, uint8_t *dst, size_t len)
{
    buf_access(t, b, off, dst, len, false);
}

void halt_buf_set(halt *t, const halt_buf *b, size_t off, const uint8_t *src, size_t len)
{
    buf_access(t, b, off, (uint8_t *)src, len, true);
}

void halt_buf_fill(halt *t, const halt_buf *b, uint8_t v)
{
    uint8_t *tmp = malloc(b->len);
    assert_non_null(tmp);
    memset(tmp, v, b->len);
    halt_buf_set(t, b, 0, tmp, b->len);
    free(tmp);
}

void halt_buf_pattern(halt *t, const halt_buf *b, uint32_t seed)
{
    uint8_t *tmp = malloc(b->len);
    assert_non_null(tmp);
    for (size_t i = 0; i < b->len; i++)
        tmp[i] = halt_pat(seed, i);
    halt_buf_set(t, b, 0, tmp, b->len);
    free(tmp);
}

/* --- the device --- */

static size_t dev_to(void *ctx, unsigned ch, const uint8_t *data, size_t len)
{
    halt_dev *d = ctx;
    (void)ch;
    size_t take = len < d->limit ? len : d->limit;
    if (take > d->rx_cap - d->rx_len)
        take = d->rx_cap - d->rx_len;
    memcpy(d->rx + d->rx_len, data, take);
    d->rx_len += take;
    d->limit -= d->limit == SIZE_MAX ? 0 : take;
    return take;
}

static size_t dev_from(void *ctx, unsigned ch, uint8_t *data, size_t len)
{
    halt_dev *d = ctx;
    (void)ch;
    size_t give = len < d->limit ? len : d->limit;
    for (size_t i = 0; i < give; i++)
        data[i] = halt_pat(d->tx_seed, d->tx_pos + i);
    d->tx_pos += give;
    d->limit -= d->limit == SIZE_MAX ? 0 : give;
    return give;
}

static void dev_tc(void *ctx, unsigned ch)
{
    halt_dev *d = ctx;
    (void)ch;
    d->tcs++;
}

static const ndisdma_dma_device dev_ops = {
    .to_device = dev_to,
    .from_device = dev_from,
    .terminal_count = dev_tc,
};

void halt_dev_attach(halt *t, halt_dev *d, unsigned ch, size_t rx_cap)
{
    memset(d, 0, sizeof *d);
    d->m = t->m;
    d->channel = ch;
    d->rx_cap = rx_cap;
    d->rx = calloc(rx_cap ? rx_cap : 1, 1);
    assert_non_null(d->rx);
    d->limit = SIZE_MAX;
    assert_int_equal(ndisdma_dma_attach(t->m, ch, &dev_ops, d), 0);
}

void halt_dev_detach(halt *t, halt_dev *d)
{
    ndisdma_dma_detach(t->m, d->channel);
    free(d->rx);
    d->rx = NULL;
}

/* --- ports and violations --- */

static void io_obs(void *ctx, const ndisdma_event *ev)
{
    halt_io *io = ctx;
    if (ev->kind != NDISDMA_EV_IO_WRITE && ev->kind != NDISDMA_EV_IO_READ)
        return;
    if (io->n >= HALT_MAX_IO)
        return;
    io->port[io->n] = ev->port;
    io->value[io->n] = ev->value;
    io->write[io->n] = ev->kind == NDISDMA_EV_IO_WRITE;
    io->n++;
}

void halt_io_start(halt *t, halt_io *io)
{
    memset(io, 0, sizeof *io);
    io->id = ndisdma_observer_add(t->m, io_obs, io);
    assert_true(io->id > 0);
}

void halt_io_stop(halt *t, halt_io *io)
{
    assert_int_equal(ndisdma_observer_remove(t->m, io->id), 0);
}

long halt_io_find_write(const halt_io *io, uint16_t port, size_t from)
{
    for (size_t i = from; i < io->n; i++)
        if (io->write[i] && io->port[i] == port)
            return (long)i;
    return -1;
}

uint64_t halt_expect_violation(halt *t, uint64_t mark, const char *ddi, const char *needle)
{
    uint64_t n = ndisdma_violation_count(t->m);
    if (n <= mark)
        fail_msg("expected a violation of %s (\"%s\"), none recorded", ddi, needle);
    ndisdma_violation v;
    assert_int_equal(ndisdma_violation_get(t->m, n - 1, &v), 0);
    if (strcmp(v.ddi, ddi) != 0 || !strstr(v.message, needle))
        fail_msg("expected a violation of %s (\"%s\"), last was %s: %s", ddi, needle, v.ddi,
                 v.message);
    return n;
}

void halt_expect_no_violation(halt *t, uint64_t mark)
{
    uint64_t n = ndisdma_violation_count(t->m);
    if (n != mark) {
        ndisdma_violation v;
        assert_int_equal(ndisdma_violation_get(t->m, n - 1, &v), 0);
        fail_msg("unexpected violation of %s: %s", v.ddi, v.message);
    }
}
