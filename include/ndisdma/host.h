/*
 * <ndisdma/host.h> - running NDIS 6 miniport drivers on a machine.
 *
 * Concept: the host plays the parts of Windows that sit above and around a
 * miniport: the I/O manager loads the driver (DriverEntry, which registers
 * with NdisMRegisterMiniportDriver), the PnP manager starts an adapter with
 * its allocated resources (MiniportInitializeEx gets them as CM partial
 * descriptors: the DMA channel, the interrupt and the port range) and stops
 * it (MiniportHaltEx), and the driver is unloaded (MiniportDriverUnload).
 * What the driver leaves registered after a failed initialisation, a halt or
 * an unload is released and reported as a violation (<ndisdma/kernel.h>), so
 * nothing leaks. Everything else happens in virtual time under
 * ndisdma_machine_run: DMA service, device events, interrupts (ISR at DIRQL,
 * then the DPC at DISPATCH_LEVEL) and timers.
 *
 * ndisdma_driver, ndisdma_adapter, ndisdma_resources and the four life-cycle
 * functions are fixed by spec/host-api.md; the rest is the project's.
 * Calling context of every function here: host code at PASSIVE_LEVEL; each
 * binds the calling thread to the machine for the duration of the call.
 */
#ifndef NDISDMA_HOST_H
#define NDISDMA_HOST_H

#include <ndis.h>
#include <ndisdma/kernel.h>
#include <ndisdma/machine.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ndisdma_driver ndisdma_driver;
typedef struct ndisdma_adapter ndisdma_adapter;

typedef struct ndisdma_resources {
    int dma_channel;    /* ISA DMA channel, -1 = none */
    int irq;            /* ISA IRQ line, -1 = none */
    uint16_t io_base;   /* first I/O port */
    uint16_t io_length; /* 0 = no ports */
} ndisdma_resources;

/* ndisdma_resources_init - no DMA channel, no IRQ, no ports. */
void ndisdma_resources_init(ndisdma_resources *res);

/*
 * ndisdma_driver_load - load a miniport driver: call @driver_entry with a
 * DRIVER_OBJECT and a registry path; it must register with
 * NdisMRegisterMiniportDriver and return STATUS_SUCCESS.
 * @out: receives the driver (NULL on failure); owned by the machine until
 * ndisdma_driver_unload (or ndisdma_machine_destroy).
 * Returns 0; NDISDMA_EINVAL (NULL argument); NDISDMA_EIRQL (the thread is
 * bound to @m above PASSIVE_LEVEL); NDISDMA_ENOMEM; NDISDMA_EINIT (DriverEntry
 * failed or returned success without registering: a violation, and a
 * registration it left behind is withdrawn).
 */
int ndisdma_driver_load(ndisdma_machine *m, PDRIVER_INITIALIZE driver_entry, ndisdma_driver **out);

/*
 * ndisdma_adapter_start - start an adapter of @drv with @res as its
 * allocated resources: MiniportInitializeEx (NDIS_MINIPORT_INIT_PARAMETERS,
 * AllocatedResources a CM partial resource list of CmResourceTypeDma,
 * CmResourceTypeInterrupt and CmResourceTypePort descriptors, those present
 * in @res, in that order).
 * @out: receives the adapter (NULL on failure); owned by the machine until
 * ndisdma_adapter_stop.
 * Returns 0; NDISDMA_EINVAL (NULL argument, channel 4 or outside -1..7, IRQ
 * outside -1..15, port range past 0xFFFF); NDISDMA_ESTATE (the driver is not
 * registered); NDISDMA_EIRQL; NDISDMA_ENOMEM; NDISDMA_EINIT
 * (MiniportInitializeEx failed, or succeeded without registration
 * attributes): everything it registered and did not release (DMA channel,
 * interrupt, port ranges, timers) is released and reported.
 */
int ndisdma_adapter_start(ndisdma_driver *drv, const ndisdma_resources *res, ndisdma_adapter **out);

/*
 * ndisdma_adapter_stop - MiniportHaltEx(NdisHaltDeviceStopped), then
 * anything still registered is released and reported. @a is freed. NULL is
 * a no-op.
 */
void ndisdma_adapter_stop(ndisdma_adapter *a);

/*
 * ndisdma_driver_unload - stop the driver's adapters still started, call
 * MiniportDriverUnload (which should call NdisMDeregisterMiniportDriver; if
 * not, a violation, and the registration is withdrawn), release and report
 * driver timers left allocated, and free @drv. NULL is a no-op.
 */
void ndisdma_driver_unload(ndisdma_driver *drv);

/* ndisdma_adapter_handle - the NDIS handle of @a (NdisMiniportHandle of
   MiniportInitializeEx); NULL for NULL. */
NDIS_HANDLE ndisdma_adapter_handle(const ndisdma_adapter *a);
/* ndisdma_adapter_context - the MiniportAdapterContext @a's driver set in
   its registration attributes; NULL before that or for NULL. */
NDIS_HANDLE ndisdma_adapter_context(const ndisdma_adapter *a);
/* ndisdma_driver_machine / ndisdma_adapter_machine - the machine of a driver
   or adapter; NULL for NULL. */
ndisdma_machine *ndisdma_driver_machine(const ndisdma_driver *drv);
ndisdma_machine *ndisdma_adapter_machine(const ndisdma_adapter *a);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_HOST_H */
