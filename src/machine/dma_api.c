/* <ndisdma/dma.h>: host API entry points over the hardware layer. */
#include <ndisdma/dma.h>

#include "hw/dma_engine.h"
#include "machine/machine.h"

int ndisdma_dma_attach(ndisdma_machine *m, unsigned channel, const ndisdma_dma_device *dev,
                       void *ctx)
{
    if (!m)
        return NDISDMA_EINVAL;
    return nd_hw_dma_attach(&m->hw, channel, dev, ctx);
}

int ndisdma_dma_detach(ndisdma_machine *m, unsigned channel)
{
    if (!m)
        return NDISDMA_EINVAL;
    return nd_hw_dma_detach(&m->hw, channel);
}

void ndisdma_dma_request(ndisdma_machine *m, unsigned channel, bool asserted)
{
    if (m)
        nd_hw_dma_request(&m->hw, channel, asserted);
}

void ndisdma_dma_eop(ndisdma_machine *m, unsigned channel)
{
    if (m)
        nd_hw_dma_eop(&m->hw, channel);
}

size_t ndisdma_dma_run(ndisdma_machine *m, size_t max_units)
{
    if (!m)
        return 0;
    return nd_dma_service(&m->hw, NULL, max_units, NULL);
}

int ndisdma_dma_get_channel(const ndisdma_machine *m, unsigned channel,
                            ndisdma_dma_channel_state *out)
{
    if (!m)
        return NDISDMA_EINVAL;
    return nd_hw_dma_get_channel(&m->hw, channel, out);
}

int ndisdma_dma_get_controller(const ndisdma_machine *m, unsigned index,
                               ndisdma_dma_controller_state *out)
{
    if (!m)
        return NDISDMA_EINVAL;
    return nd_hw_dma_get_controller(&m->hw, index, out);
}

int ndisdma_hal_get_stats(const ndisdma_machine *m, ndisdma_hal_stats *out)
{
    if (!m || !out)
        return NDISDMA_EINVAL;
    nd_hal_get_stats(m->hal, out);
    return 0;
}
