/*
 * driver.c - DriverEntry and MiniportDriverUnload of the SD-1 sample
 * miniport.
 *
 * Concept. DriverEntry allocates the driver context (SD_DRIVER), fills the
 * NDIS 6.0 miniport driver characteristics with every required handler and
 * registers with NdisMRegisterMiniportDriver; NDIS then passes the context
 * to MiniportInitializeEx of each adapter. MiniportCheckForHangEx is left
 * NULL: it is optional, and the driver never needs NDIS to reset it (every
 * DMA operation ends with an interrupt or is polled by the driver's timer).
 *
 * MiniportDriverUnload receives only the DRIVER_OBJECT, which is opaque to a
 * miniport. To find its context without a global variable that one load
 * would overwrite for another (several machines may load this driver in one
 * process), the driver keeps a small table that maps each loaded
 * DRIVER_OBJECT to its SD_DRIVER; slots are claimed and released with atomic
 * operations, so loads on different threads do not race. This table is the
 * driver's only static storage, and it holds no state of any machine
 * beyond that key.
 */
#include <stdatomic.h>

#include "sample.h"

#define SD_MAX_LOADS 64

typedef struct _SD_LOAD_SLOT {
    _Atomic(PDRIVER_OBJECT) Key;
    _Atomic(PSD_DRIVER) Driver;
} SD_LOAD_SLOT;

static SD_LOAD_SLOT SdLoads[SD_MAX_LOADS];

/*
 * SdRememberLoad - enter (@DriverObject, @Driver) in the load table.
 * Returns TRUE, or FALSE when the table is full. Any IRQL.
 */
static BOOLEAN SdRememberLoad(PDRIVER_OBJECT DriverObject, PSD_DRIVER Driver)
{
    for (ULONG i = 0; i < SD_MAX_LOADS; i++) {
        PDRIVER_OBJECT expected = NULL;
        if (atomic_compare_exchange_strong(&SdLoads[i].Key, &expected, DriverObject)) {
            atomic_store(&SdLoads[i].Driver, Driver);
            return TRUE;
        }
    }
    return FALSE;
}

/*
 * SdForgetLoad - remove @DriverObject from the load table.
 * Returns its SD_DRIVER (the caller frees it), or NULL when it is not there.
 * Any IRQL.
 */
static PSD_DRIVER SdForgetLoad(PDRIVER_OBJECT DriverObject)
{
    for (ULONG i = 0; i < SD_MAX_LOADS; i++) {
        if (atomic_load(&SdLoads[i].Key) == DriverObject) {
            PSD_DRIVER drv = atomic_exchange(&SdLoads[i].Driver, NULL);
            atomic_store(&SdLoads[i].Key, NULL);
            return drv;
        }
    }
    return NULL;
}

static MINIPORT_UNLOAD SdDriverUnload;

/*
 * SdDriverUnload - MiniportDriverUnload: deregister the miniport driver and
 * free the driver context.
 * @DriverObject: the object DriverEntry got.
 * IRQL: PASSIVE_LEVEL. NDIS has halted every adapter before.
 */
static VOID SdDriverUnload(PDRIVER_OBJECT DriverObject)
{
    PSD_DRIVER drv = SdForgetLoad(DriverObject);
    if (!drv)
        return;
    if (drv->DriverHandle)
        NdisMDeregisterMiniportDriver(drv->DriverHandle);
    NdisFreeMemory(drv, sizeof *drv, 0);
}

/*
 * DriverEntry - the driver's entry point (DRIVER_INITIALIZE).
 * @DriverObject: the driver object the system built for this load.
 * @RegistryPath: the driver's service key (unused).
 * Returns STATUS_SUCCESS after NdisMRegisterMiniportDriver succeeded; else
 * the failure status, with nothing left allocated or registered.
 * IRQL: PASSIVE_LEVEL.
 */
NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    PSD_DRIVER drv = NULL;
    NDIS_STATUS status = NdisAllocateMemoryWithTag((PVOID *)&drv, sizeof *drv, SD_TAG_DRIVER);
    if (status != NDIS_STATUS_SUCCESS || !drv)
        return STATUS_INSUFFICIENT_RESOURCES;
    NdisZeroMemory(drv, sizeof *drv);
    drv->DriverObject = DriverObject;
    if (!SdRememberLoad(DriverObject, drv)) {
        NdisFreeMemory(drv, sizeof *drv, 0);
        return STATUS_INSUFFICIENT_RESOURCES;
    }

    NDIS_MINIPORT_DRIVER_CHARACTERISTICS mc;
    NdisZeroMemory(&mc, sizeof mc);
    mc.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    mc.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    mc.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    mc.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
    mc.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
    mc.MajorDriverVersion = SD_DRIVER_MAJOR;
    mc.MinorDriverVersion = SD_DRIVER_MINOR;
    mc.InitializeHandlerEx = SdInitializeEx;
    mc.HaltHandlerEx = SdHaltEx;
    mc.UnloadHandler = SdDriverUnload;
    mc.PauseHandler = SdPause;
    mc.RestartHandler = SdRestart;
    mc.OidRequestHandler = SdOidRequest;
    mc.SendNetBufferListsHandler = SdSendNetBufferLists;
    mc.ReturnNetBufferListsHandler = SdReturnNetBufferLists;
    mc.CancelSendHandler = SdCancelSend;
    mc.CheckForHangHandlerEx = NULL; /* optional; see the concept note */
    mc.ResetHandlerEx = SdResetEx;
    mc.DevicePnPEventNotifyHandler = SdDevicePnPEventNotify;
    mc.ShutdownHandlerEx = SdShutdownEx;
    mc.CancelOidRequestHandler = SdCancelOidRequest;

    status = NdisMRegisterMiniportDriver(DriverObject, RegistryPath, drv, &mc, &drv->DriverHandle);
    if (status != NDIS_STATUS_SUCCESS) {
        SdForgetLoad(DriverObject);
        NdisFreeMemory(drv, sizeof *drv, 0);
        return (NTSTATUS)status;
    }
    return STATUS_SUCCESS;
}
