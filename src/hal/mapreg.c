/*
 * Map registers: the HAL's pool of bounce pages below 16 MiB.
 *
 * Concept: a map register stands for one page of bounce memory. The pool is
 * one physically contiguous run of page frames below the ISA limit,
 * reserved from the kernel's frame allocator when the first adapter is
 * created (so machines that never use the HAL lose no memory). A request for
 * n registers gets n contiguous pool pages whose first min(n, window pages)
 * pages lie inside one 64 KiB window (8-bit channels) or 128 KiB window
 * (16-bit channels). A bounced transfer is copied to the start of its run,
 * so it never crosses the window and one 8237 transfer (at most one window)
 * always fits. Allocation is first fit; the FIFO of requests waiting for
 * registers lives in nd_mapreg_pool and is served by nd_hal_dispatch.
 * Finding a run by its base (MapTransfer's check of MapRegisterBase) tries
 * the run held with the adapter's channel before the pool's list.
 *
 * How many registers a transfer needs is the WDK's rule: the pages spanned
 * by the buffer, counting the first byte's page offset; for a maximum
 * length L that is ((L - 2) >> 12) + 2 (N4).
 */
#include <stdlib.h>

#include "hal/hal_impl.h"

#include <ndisdma/errors.h>

static uint64_t page_phys(const nd_mapreg_pool *p, size_t i)
{
    return p->phys + (uint64_t)i * PAGE_SIZE;
}

/* True when a run of @count pages starting at pool page @s satisfies the
   window rule for @window. */
static bool run_in_window(const nd_mapreg_pool *p, size_t s, size_t count, uint32_t window)
{
    uint64_t span = (uint64_t)count * PAGE_SIZE;
    if (span > window)
        span = window;
    uint64_t a = page_phys(p, s);
    return a / window == (a + span - 1) / window;
}

void nd_mapreg_reserve(nd_hal *h)
{
    nd_mapreg_pool *p = &h->pool;
    if (p->reserved)
        return;
    p->reserved = true;
    for (size_t n = p->want; n > 0; n /= 2) {
        uint64_t phys = 0;
        if (nd_frames_alloc_contiguous(h->k, n, ND_HAL_ISA_LIMIT, 0, &phys) != 0)
            continue;
        uint8_t *va = nd_kernel_phys_to_va(h->k, phys);
        uint8_t *used = calloc(n, 1);
        if (!va || !used) {
            free(used);
            nd_frames_free(h->k, phys, n);
            continue;
        }
        p->phys = phys;
        p->va = va;
        p->used = used;
        p->pages = n;
        p->free = n;
        return;
    }
}

void nd_mapreg_release_pool(nd_hal *h)
{
    nd_mapreg_pool *p = &h->pool;
    while (p->runs) {
        nd_mapreg *r = p->runs;
        p->runs = r->next;
        free(r);
    }
    while (p->rwait_head) {
        nd_hal_wait *w = p->rwait_head;
        p->rwait_head = w->next;
        free(w);
    }
    p->rwait_tail = NULL;
    if (p->pages)
        nd_frames_free(h->k, p->phys, p->pages);
    free(p->used);
    p->used = NULL;
    p->pages = p->free = 0;
}

ULONG nd_mapreg_capacity(const nd_hal *h, ULONG want, uint32_t window)
{
    const nd_mapreg_pool *p = &h->pool;
    for (ULONG n = want; n > 0; n--) {
        if (n > p->pages)
            continue;
        for (size_t s = 0; s + n <= p->pages; s++)
            if (run_in_window(p, s, n, window))
                return n;
    }
    return 0;
}

nd_mapreg *nd_mapreg_alloc(nd_hal *h, nd_adapter *owner, size_t count, uint32_t window)
{
    nd_mapreg_pool *p = &h->pool;
    if (count == 0 || count > p->free)
        return NULL;
    for (size_t s = 0; s + count <= p->pages; s++) {
        if (!run_in_window(p, s, count, window))
            continue;
        size_t i = 0;
        while (i < count && !p->used[s + i])
            i++;
        if (i < count) {
            s += i; /* the next candidate starts after the used page */
            continue;
        }
        nd_mapreg *r = calloc(1, sizeof *r);
        if (!r)
            return NULL;
        for (i = 0; i < count; i++)
            p->used[s + i] = 1;
        p->free -= count;
        r->owner = owner;
        r->first = s;
        r->count = count;
        r->phys = page_phys(p, s);
        r->va = p->va + s * PAGE_SIZE;
        r->next = p->runs;
        p->runs = r;
        return r;
    }
    return NULL;
}

void nd_mapreg_free(nd_hal *h, nd_mapreg *r)
{
    nd_mapreg_pool *p = &h->pool;
    for (nd_mapreg **pp = &p->runs; *pp; pp = &(*pp)->next) {
        if (*pp != r)
            continue;
        *pp = r->next;
        for (size_t i = 0; i < r->count; i++)
            p->used[r->first + i] = 0;
        p->free += r->count;
        if (r->owner && r->owner->map.regs == r)
            r->owner->map.regs = NULL; /* a later flush cannot copy from it */
        free(r);
        return;
    }
}

nd_mapreg *nd_mapreg_find(const nd_hal *h, const nd_adapter *owner, const void *base)
{
    if (!base)
        return NULL;
    /* The run held with the channel, the one a transfer usually maps: a
       run of @owner's in the pool while it is set (grant sets it to the run
       allocated for @owner; every path that frees that run clears it), so
       the walk below would find it. */
    if (base == owner->chan_regs)
        return owner->chan_regs;
    for (nd_mapreg *r = h->pool.runs; r; r = r->next)
        if (r == base && r->owner == owner)
            return r;
    return NULL;
}

int nd_hal_set_pool_pages(nd_hal *h, size_t pages)
{
    if (!h)
        return NDISDMA_EINVAL;
    if (h->pool.reserved)
        return NDISDMA_ESTATE;
    h->pool.want = pages;
    return 0;
}

size_t nd_hal_pool_pages(const nd_hal *h)
{
    return h ? h->pool.pages : 0;
}

size_t nd_hal_pool_free(const nd_hal *h)
{
    return h ? h->pool.free : 0;
}

uint64_t nd_hal_pool_phys(const nd_hal *h)
{
    return h ? h->pool.phys : 0;
}
