/*
 * <ndisdma/host.h>: the host API entry point that needs the machine
 * (ndisdma_driver_load). The others take a driver or adapter and live in
 * src/ndis with the objects they act on.
 */
#include <ndisdma/host.h>

#include "machine/machine.h"

int ndisdma_driver_load(ndisdma_machine *m, PDRIVER_INITIALIZE driver_entry, ndisdma_driver **out)
{
    if (!m) {
        if (out)
            *out = NULL;
        return NDISDMA_EINVAL;
    }
    return nd_ndis_driver_load(m->ndis, driver_entry, out);
}
