/* Machine life cycle, port I/O, physical memory and observers (<ndisdma/machine.h>). */
#include "machine/machine.h"

#include <stdlib.h>
#include <string.h>

#include "trace/trace_impl.h"
#include "verify/verify.h"

void ndisdma_config_init(ndisdma_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof *cfg);
    cfg->ram_bytes = NDISDMA_DEFAULT_RAM_BYTES;
    cfg->seed = 0;
    cfg->placement = NDISDMA_PLACEMENT_LOW;
}

int ndisdma_machine_create(const ndisdma_config *cfg, ndisdma_machine **out)
{
    if (!out)
        return NDISDMA_EINVAL;
    *out = NULL;
    ndisdma_config c;
    ndisdma_config_init(&c);
    if (cfg)
        c = *cfg;
    if (c.ram_bytes == 0)
        c.ram_bytes = NDISDMA_DEFAULT_RAM_BYTES;
    if (c.ram_bytes % NDISDMA_PAGE_SIZE != 0 || c.ram_bytes > NDISDMA_MAX_RAM_BYTES)
        return NDISDMA_EINVAL;
    if (c.placement != NDISDMA_PLACEMENT_LOW && c.placement != NDISDMA_PLACEMENT_HIGH &&
        c.placement != NDISDMA_PLACEMENT_SCATTERED)
        return NDISDMA_EINVAL;
    if (c.verify < NDISDMA_VERIFY_RECORD || c.verify > NDISDMA_VERIFY_COUNT_ONLY)
        return NDISDMA_EINVAL;
    ndisdma_machine *m = calloc(1, sizeof *m);
    if (!m)
        return NDISDMA_ENOMEM;
    m->cfg = c;
    int rc = nd_hw_init(&m->hw, c.ram_bytes);
    if (rc != 0) {
        free(m);
        return rc;
    }
    nd_faults_seed(&m->hw.faults, c.seed);
    rc = nd_kernel_create(&m->hw, c.seed, &m->kernel);
    if (rc == 0)
        rc = nd_kernel_set_placement(m->kernel, c.placement);
    if (rc == 0)
        nd_kernel_set_owner(m->kernel, m);
    if (rc == 0)
        nd_kernel_verify(m->kernel)->policy = c.verify;
    if (rc == 0)
        rc = nd_hal_create(m->kernel, &m->hal);
    if (rc == 0)
        nd_kernel_set_hal(m->kernel, m->hal);
    if (rc == 0)
        rc = nd_ndis_create(m->kernel, m->hal, &m->ndis);
    if (rc != 0) {
        nd_ndis_destroy(m->ndis);
        nd_hal_destroy(m->hal);
        nd_kernel_destroy(m->kernel);
        nd_hw_fini(&m->hw);
        free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void ndisdma_machine_destroy(ndisdma_machine *m)
{
    if (!m)
        return;
    nd_trace_destroy(m->trace); /* the tracer stops observing first */
    /* Adapters still started are stopped and drivers unloaded (what they
       leave behind is reported), before the layers below go. */
    nd_ndis_shutdown(m->ndis);
    nd_ndis_destroy(m->ndis);
    nd_hal_destroy(m->hal);
    nd_kernel_destroy(m->kernel);
    nd_hw_fini(&m->hw);
    free(m);
}

uint64_t ndisdma_machine_ram_bytes(const ndisdma_machine *m)
{
    return m ? m->hw.ram.size : 0;
}

uint8_t ndisdma_io_read8(ndisdma_machine *m, uint16_t port)
{
    return m ? nd_hw_io_read8(&m->hw, port) : 0xFF;
}

void ndisdma_io_write8(ndisdma_machine *m, uint16_t port, uint8_t value)
{
    if (m)
        nd_hw_io_write8(&m->hw, port, value);
}

int ndisdma_phys_read(ndisdma_machine *m, uint64_t addr, void *dst, size_t len)
{
    if (!m || (!dst && len))
        return NDISDMA_EINVAL;
    const uint8_t *p = nd_physmem_ptr(&m->hw.ram, addr, len);
    if (!p)
        return NDISDMA_ERANGE;
    if (len)
        memcpy(dst, p, len);
    return 0;
}

int ndisdma_phys_write(ndisdma_machine *m, uint64_t addr, const void *src, size_t len)
{
    if (!m || (!src && len))
        return NDISDMA_EINVAL;
    uint8_t *p = nd_physmem_ptr(&m->hw.ram, addr, len);
    if (!p)
        return NDISDMA_ERANGE;
    if (len)
        memcpy(p, src, len);
    return 0;
}

void *ndisdma_phys_ptr(ndisdma_machine *m, uint64_t addr, size_t len)
{
    return m ? nd_physmem_ptr(&m->hw.ram, addr, len) : NULL;
}

int ndisdma_io_map(ndisdma_machine *m, uint16_t base, uint32_t count,
                   const ndisdma_io_handler *handler, void *ctx)
{
    if (!m)
        return NDISDMA_EINVAL;
    return nd_iobus_map(&m->hw.io, base, count, handler, ctx);
}

int ndisdma_io_unmap(ndisdma_machine *m, int id)
{
    if (!m)
        return NDISDMA_EINVAL;
    /* The DMA controllers' own ranges are not the caller's to release. */
    if (id >= 1 && id <= 3)
        return NDISDMA_ENOENT;
    return nd_iobus_unmap(&m->hw.io, id);
}

int ndisdma_observer_add(ndisdma_machine *m, ndisdma_observer_fn fn, void *ctx)
{
    if (!m)
        return NDISDMA_EINVAL;
    return nd_observers_add(&m->hw.obs, fn, ctx);
}

int ndisdma_observer_remove(ndisdma_machine *m, int id)
{
    if (!m)
        return NDISDMA_EINVAL;
    return nd_observers_remove(&m->hw.obs, id);
}

int ndisdma_hw_get_stats(const ndisdma_machine *m, ndisdma_hw_stats *out)
{
    if (!m || !out)
        return NDISDMA_EINVAL;
    *out = m->hw.stats;
    return 0;
}
