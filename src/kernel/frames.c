/*
 * Physical page frames, placement and phantom frames: see frames.h for the
 * concept. The bitmap has one bit per RAM frame; searches skip whole words.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_impl.h"

#define NONE          UINT64_MAX
#define ISA_FRAMES    (ND_ISA_LIMIT >> PAGE_SHIFT)
#define FRAMES_64K    16u
#define FRAMES_128K   32u
#define SCATTER_TRIES 64

/* ---- bitmap ---- */

static bool frame_used(const nd_kernel *k, uint64_t f)
{
    return (k->bitmap[f >> 6] >> (f & 63)) & 1u;
}

static void mark(nd_kernel *k, uint64_t f, uint64_t n, bool on)
{
    for (uint64_t i = f; i < f + n; i++) {
        uint64_t bit = 1ull << (i & 63);
        if (on)
            k->bitmap[i >> 6] |= bit;
        else
            k->bitmap[i >> 6] &= ~bit;
    }
    if (on)
        k->nused += n;
    else
        k->nused -= n;
}

/* Word @i of the bitmap, inverted when looking for free frames. */
static uint64_t word(const nd_kernel *k, uint64_t i, bool want_used)
{
    return want_used ? k->bitmap[i] : ~k->bitmap[i];
}

/* First frame in [a, b) that is in use (@want_used) or free, or b. */
static uint64_t first_in(const nd_kernel *k, uint64_t a, uint64_t b, bool want_used)
{
    uint64_t i = a;
    while (i < b) {
        uint64_t w = word(k, i >> 6, want_used) >> (i & 63);
        if (w) {
            uint64_t f = i + (uint64_t)__builtin_ctzll(w);
            return f < b ? f : b;
        }
        i = (i | 63) + 1;
    }
    return b;
}

/* Last frame in [a, b) that is in use (@want_used) or free, or NONE. */
static uint64_t last_in(const nd_kernel *k, uint64_t a, uint64_t b, bool want_used)
{
    uint64_t i = b;
    while (i > a) {
        uint64_t top = i - 1; /* highest frame of this word still examined */
        uint64_t w = word(k, top >> 6, want_used) << (63 - (top & 63));
        if (w) {
            uint64_t f = top - (uint64_t)__builtin_clzll(w);
            return f >= a ? f : NONE;
        }
        i = top & ~(uint64_t)63;
    }
    return NONE;
}

static uint64_t first_used(const nd_kernel *k, uint64_t a, uint64_t b)
{
    return first_in(k, a, b, true);
}

static bool crosses(uint64_t s, uint64_t n, uint64_t bpages)
{
    return bpages && s / bpages != (s + n - 1) / bpages;
}

/* Lowest run of @n free frames in [lo, hi) not crossing @bpages. */
static uint64_t find_up(const nd_kernel *k, uint64_t lo, uint64_t hi, uint64_t n, uint64_t bpages)
{
    uint64_t s = lo;
    while (s < hi && n <= hi - s) {
        if (crosses(s, n, bpages)) {
            s = (s / bpages + 1) * bpages;
            continue;
        }
        uint64_t u = first_used(k, s, s + n);
        if (u == s + n)
            return s;
        s = first_in(k, u, hi, false); /* skip the run of used frames */
    }
    return NONE;
}

/* Highest run of @n free frames in [lo, hi) not crossing @bpages. */
static uint64_t find_down(const nd_kernel *k, uint64_t lo, uint64_t hi, uint64_t n, uint64_t bpages)
{
    if (hi < lo || hi - lo < n)
        return NONE;
    uint64_t s = hi - n;
    for (;;) {
        uint64_t end;
        if (crosses(s, n, bpages)) {
            end = ((s + n - 1) / bpages) * bpages;
        } else {
            uint64_t u = last_in(k, s, s + n, true);
            if (u == NONE)
                return s;
            uint64_t f = last_in(k, lo, u, false); /* skip the run of used frames */
            if (f == NONE)
                return NONE;
            end = f + 1;
        }
        if (end < lo + n)
            return NONE;
        s = end - n;
    }
}

static bool run_free(const nd_kernel *k, uint64_t s, uint64_t n)
{
    return s >= 1 && s < k->nframes && n <= k->nframes - s && first_used(k, s, s + n) == s + n;
}

/* ---- placement ---- */

static uint64_t next_rand(nd_kernel *k)
{
    uint64_t z = (k->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) (0 when n is 0); the bias of the modulo is irrelevant
   here. */
static uint64_t rand_below(nd_kernel *k, uint64_t n)
{
    uint64_t r = next_rand(k);
    return n ? r % n : 0;
}

/* A run of @n frames straddling a multiple of @bpages that is an odd
   multiple when @odd (64 KiB but not 128 KiB), inside [1, hi). */
static uint64_t try_straddle(nd_kernel *k, uint64_t n, uint64_t bpages, bool odd, uint64_t hi)
{
    uint64_t step = odd ? 2 * bpages : bpages;
    uint64_t first = bpages; /* smallest boundary of the kind */
    if (hi <= first)
        return NONE;
    uint64_t count = (hi - first + step - 1) / step; /* boundaries below hi */
    for (int t = 0; t < SCATTER_TRIES; t++) {
        uint64_t b = first + rand_below(k, count) * step;
        uint64_t before = 1 + rand_below(k, n - 1); /* frames below the boundary */
        if (b < before + 1)
            continue;
        uint64_t s = b - before;
        if (s + n <= hi && run_free(k, s, n))
            return s;
    }
    return NONE;
}

static uint64_t try_random(nd_kernel *k, uint64_t n, uint64_t lo, uint64_t hi)
{
    if (hi <= lo || hi - lo < n)
        return NONE;
    for (int t = 0; t < SCATTER_TRIES; t++) {
        uint64_t s = lo + rand_below(k, hi - lo - n + 1);
        if (run_free(k, s, n))
            return s;
    }
    return NONE;
}

static uint64_t place_scattered(nd_kernel *k, uint64_t n)
{
    const uint64_t isa = k->nframes < ISA_FRAMES ? k->nframes : ISA_FRAMES;
    const bool high = k->nframes > ISA_FRAMES;
    uint64_t s = NONE;
    unsigned kind = (unsigned)(k->scatter++ % 4);
    if (n < 2 && kind < 2)
        kind += 2; /* one page cannot straddle a boundary */
    switch (kind) {
    case 0:
        s = try_straddle(k, n, FRAMES_64K, true, isa);
        break;
    case 1:
        s = try_straddle(k, n, FRAMES_128K, false, isa);
        break;
    case 2:
        s = try_random(k, n, 1, isa);
        break;
    default:
        s = high ? try_random(k, n, ISA_FRAMES, k->nframes) : try_random(k, n, 1, isa);
        break;
    }
    if (s == NONE) /* crowded: any free run, starting at a random frame */
        s = find_up(k, 1 + rand_below(k, k->nframes - 1), k->nframes, n, 0);
    if (s == NONE)
        s = find_up(k, 1, k->nframes, n, 0);
    return s;
}

static uint64_t place(nd_kernel *k, uint64_t n)
{
    const uint64_t isa = k->nframes < ISA_FRAMES ? k->nframes : ISA_FRAMES;
    uint64_t s = NONE;
    switch (k->placement) {
    case NDISDMA_PLACEMENT_LOW:
        if (n <= FRAMES_64K)
            s = find_up(k, 1, isa, n, FRAMES_64K);
        if (s == NONE)
            s = find_up(k, 1, isa, n, 0);
        break;
    case NDISDMA_PLACEMENT_HIGH:
        if (k->nframes > ISA_FRAMES)
            s = find_up(k, ISA_FRAMES, k->nframes, n, 0);
        break;
    case NDISDMA_PLACEMENT_SCATTERED:
        s = place_scattered(k, n);
        break;
    }
    return s;
}

int nd_kernel_set_placement(nd_kernel *k, ndisdma_placement p)
{
    if (!k || (p != NDISDMA_PLACEMENT_LOW && p != NDISDMA_PLACEMENT_HIGH &&
               p != NDISDMA_PLACEMENT_SCATTERED))
        return NDISDMA_EINVAL;
    k->placement = p;
    return 0;
}

ndisdma_placement nd_kernel_placement(const nd_kernel *k)
{
    return k->placement;
}

/* ---- allocation ---- */

int nd_frames_init(nd_kernel *k)
{
    k->nframes = k->hw->ram.size >> PAGE_SHIFT;
    k->bitmap = calloc((size_t)((k->nframes + 63) / 64) + 1, sizeof *k->bitmap);
    if (!k->bitmap)
        return NDISDMA_ENOMEM;
    k->nused = 0;
    mark(k, 0, 1, true); /* frame 0 is never handed out */
    k->rng = k->seed ^ 0x6e646973646d61ull;
    k->scatter = 0;
    k->phantom_next = ND_PHANTOM_PFN_BASE;
    return 0;
}

void nd_frames_fini(nd_kernel *k)
{
    for (size_t i = 0; i < k->phantom_by_pfn.cap; i++) {
        void *v;
        if (nd_u64map_slot(&k->phantom_by_pfn, i, NULL, &v))
            free(v);
    }
    nd_u64map_free(&k->phantom_by_pfn);
    nd_u64map_free(&k->phantom_by_page);
    free(k->bitmap);
    k->bitmap = NULL;
}

int nd_frames_alloc_contiguous(nd_kernel *k, size_t npages, uint64_t below, uint64_t boundary,
                               uint64_t *phys)
{
    if (!k || !phys || npages == 0)
        return NDISDMA_EINVAL;
    if (boundary && (boundary < PAGE_SIZE || (boundary & (boundary - 1))))
        return NDISDMA_EINVAL;
    uint64_t hi = k->nframes;
    if (below && (below >> PAGE_SHIFT) < hi)
        hi = below >> PAGE_SHIFT;
    uint64_t s = find_down(k, 1, hi, npages, boundary >> PAGE_SHIFT);
    if (s == NONE)
        return NDISDMA_ENOMEM;
    mark(k, s, npages, true);
    *phys = s << PAGE_SHIFT;
    return 0;
}

/* Free @npages frames at @phys; a violation naming @ddi (and nothing freed)
   unless all of them are allocated RAM. Returns 0 or NDISDMA_EINVAL. */
static int frames_free(nd_kernel *k, uint64_t phys, size_t npages, const char *ddi)
{
    uint64_t f = phys >> PAGE_SHIFT;
    if ((phys & (PAGE_SIZE - 1)) || f == 0 || f >= k->nframes || npages > k->nframes - f) {
        nd_kernel_violation(k, ddi, "0x%llx (%zu pages) is not RAM that can be freed",
                            (unsigned long long)phys, npages);
        return NDISDMA_EINVAL;
    }
    for (uint64_t i = f; i < f + npages; i++) {
        if (!frame_used(k, i)) {
            nd_kernel_violation(k, ddi, "frame 0x%llx freed but not allocated (double free?)",
                                (unsigned long long)i);
            return NDISDMA_EINVAL;
        }
    }
    mark(k, f, npages, false);
    return 0;
}

void nd_frames_free(nd_kernel *k, uint64_t phys, size_t npages)
{
    if (k)
        (void)frames_free(k, phys, npages, "nd_frames_free");
}

int nd_kernel_alloc_nonpaged(nd_kernel *k, size_t bytes, void **va, uint64_t *phys)
{
    if (!k || !va || bytes == 0)
        return NDISDMA_EINVAL;
    *va = NULL;
    uint64_t n = ((uint64_t)bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
    if (n >= k->nframes)
        return NDISDMA_ENOMEM;
    uint64_t s = place(k, n);
    if (s == NONE)
        return NDISDMA_ENOMEM;
    mark(k, s, n, true);
    *va = k->hw->ram.base + (s << PAGE_SHIFT);
    if (phys)
        *phys = s << PAGE_SHIFT;
    return 0;
}

int nd_kernel_free_nonpaged(nd_kernel *k, void *va, size_t bytes, const char *ddi)
{
    uint64_t phys;
    if (!k || bytes == 0)
        return NDISDMA_EINVAL;
    if (!nd_kernel_va_to_ram(k, va, &phys) || (phys & (PAGE_SIZE - 1))) {
        nd_kernel_violation(k, ddi ? ddi : "nd_kernel_free_nonpaged",
                            "%p is not memory the kernel allocated", va);
        return NDISDMA_EINVAL;
    }
    return frames_free(k, phys, (size_t)(((uint64_t)bytes + PAGE_SIZE - 1) >> PAGE_SHIFT),
                       ddi ? ddi : "nd_kernel_free_nonpaged");
}

uint64_t nd_frames_used(const nd_kernel *k)
{
    return k->nused - 1; /* frame 0 is reserved, not used */
}

uint64_t nd_frames_total(const nd_kernel *k)
{
    return k->nframes;
}

/* ---- frame queries ---- */

bool nd_kernel_pfn_is_ram(const nd_kernel *k, PFN_NUMBER pfn)
{
    return k && pfn < k->nframes;
}

bool nd_kernel_pfn_is_phantom(const nd_kernel *k, PFN_NUMBER pfn)
{
    return k && pfn >= ND_PHANTOM_PFN_BASE && nd_u64map_get(&k->phantom_by_pfn, pfn, NULL);
}

void *nd_kernel_pfn_to_va(nd_kernel *k, PFN_NUMBER pfn)
{
    if (!k)
        return NULL;
    if (pfn < k->nframes)
        return k->hw->ram.base + ((uint64_t)pfn << PAGE_SHIFT);
    void *v;
    if (pfn >= ND_PHANTOM_PFN_BASE && nd_u64map_get(&k->phantom_by_pfn, pfn, &v))
        return ((nd_phantom *)v)->page;
    return NULL;
}

bool nd_kernel_va_to_ram(const nd_kernel *k, const void *va, uint64_t *phys)
{
    uintptr_t a = (uintptr_t)va, base = (uintptr_t)k->hw->ram.base;
    if (!va || a < base || a - base >= k->hw->ram.size)
        return false;
    if (phys)
        *phys = a - base;
    return true;
}

void *nd_kernel_phys_to_va(nd_kernel *k, uint64_t phys)
{
    if (!k || phys >= k->hw->ram.size)
        return NULL;
    return k->hw->ram.base + phys;
}

/* ---- phantom frames ---- */

/* The host page that holds @va, without an integer-to-pointer cast. */
static char *host_page(const void *va)
{
    return (char *)va - BYTE_OFFSET(va);
}

int nd_phantom_ref(nd_kernel *k, const void *va, PFN_NUMBER *pfn)
{
    char *page = host_page(va);
    void *v;
    if (nd_u64map_get(&k->phantom_by_page, (uintptr_t)page, &v)) {
        nd_phantom *p = v;
        p->refs++;
        *pfn = p->pfn;
        return 0;
    }
    nd_phantom *p = malloc(sizeof *p);
    if (!p)
        return NDISDMA_ENOMEM;
    p->page = page;
    p->pfn = k->phantom_next;
    p->refs = 1;
    if (nd_u64map_put(&k->phantom_by_page, (uintptr_t)page, p) != 0) {
        free(p);
        return NDISDMA_ENOMEM;
    }
    if (nd_u64map_put(&k->phantom_by_pfn, p->pfn, p) != 0) {
        nd_u64map_del(&k->phantom_by_page, (uintptr_t)page);
        free(p);
        return NDISDMA_ENOMEM;
    }
    k->phantom_next++;
    *pfn = p->pfn;
    return 0;
}

void nd_phantom_unref(nd_kernel *k, PFN_NUMBER pfn)
{
    void *v;
    if (!nd_u64map_get(&k->phantom_by_pfn, pfn, &v))
        return;
    nd_phantom *p = v;
    if (--p->refs == 0) {
        nd_u64map_del(&k->phantom_by_pfn, pfn);
        nd_u64map_del(&k->phantom_by_page, (uintptr_t)p->page);
        free(p);
    }
}

bool nd_phantom_lookup(const nd_kernel *k, const void *va, PFN_NUMBER *pfn)
{
    void *v;
    if (!nd_u64map_get(&k->phantom_by_page, (uintptr_t)host_page(va), &v))
        return false;
    if (pfn)
        *pfn = ((nd_phantom *)v)->pfn;
    return true;
}

size_t nd_phantom_count(const nd_kernel *k)
{
    return k->phantom_by_pfn.count;
}
