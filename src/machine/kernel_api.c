/*
 * <ndisdma/kernel.h>: host API entry points over the kernel layer (virtual
 * time, thread binding, violations, device objects, DMA unit times).
 *
 * Entry points that run driver code bind the calling thread to the machine
 * for the duration of the call (nd_kernel_enter/leave), so that DDIs called
 * from callbacks find their machine.
 */
#include <stdlib.h>
#include <string.h>

#include <ndisdma/kernel.h>

#include "machine/machine.h"

/* IO_TYPE_DEVICE in the WDK. */
#define ND_IO_TYPE_DEVICE 3

/* Common part of run and run_until_idle. */
static int run_common(ndisdma_machine *m, uint64_t ns, bool until_idle)
{
    if (!m)
        return NDISDMA_EINVAL;
    nd_kernel *k = m->kernel;
    if (nd_kernel_current() == k && nd_kernel_irql() != PASSIVE_LEVEL) {
        nd_kernel_violation(
            k, until_idle ? "ndisdma_machine_run_until_idle" : "ndisdma_machine_run",
            "called at IRQL %u; host calls need PASSIVE_LEVEL", (unsigned)nd_kernel_irql());
        return NDISDMA_EIRQL;
    }
    nd_kernel_binding saved;
    nd_kernel_enter(k, &saved);
    int rc = until_idle ? nd_kernel_run_until_idle(k, ns) : nd_kernel_run(k, ns);
    nd_kernel_leave(&saved);
    return rc;
}

int ndisdma_machine_run(ndisdma_machine *m, uint64_t ns)
{
    return run_common(m, ns, false);
}

int ndisdma_machine_run_until_idle(ndisdma_machine *m, uint64_t max_ns)
{
    return run_common(m, max_ns, true);
}

uint64_t ndisdma_machine_now(const ndisdma_machine *m)
{
    return m ? nd_kernel_now(m->kernel) : 0;
}

int ndisdma_thread_bind(ndisdma_machine *m)
{
    return m ? nd_kernel_bind(m->kernel) : NDISDMA_EINVAL;
}

int ndisdma_thread_unbind(ndisdma_machine *m)
{
    return m ? nd_kernel_unbind(m->kernel) : NDISDMA_EINVAL;
}

ndisdma_machine *ndisdma_thread_machine(void)
{
    return nd_kernel_owner(nd_kernel_current());
}

uint64_t ndisdma_violation_count(const ndisdma_machine *m)
{
    return m ? nd_kernel_violation_count(m->kernel) : 0;
}

int ndisdma_violation_get(const ndisdma_machine *m, uint64_t index, ndisdma_violation *out)
{
    if (!m || !out)
        return NDISDMA_EINVAL;
    return nd_kernel_violation_get(m->kernel, index, out);
}

int ndisdma_device_object_create(ndisdma_machine *m, size_t extension_size, PDEVICE_OBJECT *out)
{
    if (!out)
        return NDISDMA_EINVAL;
    *out = NULL;
    if (!m || extension_size > 0xFFFF)
        return NDISDMA_EINVAL;
    PDEVICE_OBJECT d = calloc(1, sizeof *d);
    if (!d)
        return NDISDMA_ENOMEM;
    if (extension_size) {
        d->DeviceExtension = calloc(1, extension_size);
        if (!d->DeviceExtension) {
            free(d);
            return NDISDMA_ENOMEM;
        }
    }
    d->Type = ND_IO_TYPE_DEVICE;
    d->Size = (USHORT)sizeof *d;
    d->ReferenceCount = 1;
    d->NdisdmaKernel = m->kernel;
    *out = d;
    return 0;
}

void ndisdma_device_object_destroy(PDEVICE_OBJECT dev)
{
    if (!dev)
        return;
    free(dev->DeviceExtension);
    free(dev);
}

int ndisdma_dma_set_unit_time(ndisdma_machine *m, unsigned channel, uint32_t ns)
{
    if (!m)
        return NDISDMA_EINVAL;
    return nd_kernel_set_dma_speed(m->kernel, channel, ns);
}

uint32_t ndisdma_dma_unit_time(const ndisdma_machine *m, unsigned channel)
{
    return m ? nd_kernel_dma_speed(m->kernel, channel) : 0;
}
