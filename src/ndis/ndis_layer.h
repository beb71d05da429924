/*
 * The NDIS layer: ndis.sys over the HAL. This header is the seam between the
 * NDIS layer's parts (miniport host, system-DMA DDIs, buffers and memory)
 * and the machine that owns it. Each part adds its internals in its own
 * header; these are the functions the others may rely on.
 */
#ifndef ND_NDIS_NDIS_LAYER_H
#define ND_NDIS_NDIS_LAYER_H

#include <ndis.h>

#include "hal/hal.h"
#include "kernel/kernel.h"

typedef struct nd_ndis nd_ndis;             /* one per machine */
typedef struct nd_mp_adapter nd_mp_adapter; /* one per started miniport adapter */

/* Create/destroy the NDIS layer of a machine over @k and @hal (not owned).
   Destroy unloads nothing: the host API stops adapters and unloads drivers
   first. Returns 0 or NDISDMA_ENOMEM. */
int nd_ndis_create(nd_kernel *k, nd_hal *hal, nd_ndis **out);
void nd_ndis_destroy(nd_ndis *n);

/*
 * nd_ndis_adapter_from_handle - the adapter behind a MiniportAdapterHandle.
 * Every handle NDIS gives a driver carries a tag; an unknown, stale or
 * wrong-kind handle gives NULL and records a violation naming @ddi.
 * Any IRQL; on the machine's thread.
 */
nd_mp_adapter *nd_ndis_adapter_from_handle(NDIS_HANDLE h, const char *ddi);

/* The kernel of the machine an adapter lives on. */
nd_kernel *nd_mp_adapter_kernel(nd_mp_adapter *a);

/* Machine teardown, before nd_ndis_destroy: stop every adapter and unload
   every driver still loaded (reporting what they leave behind). */
void nd_ndis_shutdown(nd_ndis *n);

/* The body of ndisdma_driver_load (<ndisdma/host.h>) on the NDIS layer of
   the machine. */
struct ndisdma_driver;
int nd_ndis_driver_load(nd_ndis *n, PDRIVER_INITIALIZE driver_entry, struct ndisdma_driver **out);

#endif /* ND_NDIS_NDIS_LAYER_H */
