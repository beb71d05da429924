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
 * MiniportDriverUnload receives only the DRIVER_OBJECT. The driver finds
 * its context there without any global variable (several machines may load
 * this driver in one process): the context is the driver object's
 * extension (IoAllocateDriverObjectExtension in DriverEntry,
 * IoGetDriverObjectExtension at unload), which the system frees with the
 * driver object. The extension's key is the address of a constant, the
 * driver's only static storage.
 */
#include "sample.h"

/* The key of the driver-object extension that holds the SD_DRIVER. */
static const UCHAR SdDriverExtensionKey = 0;

static MINIPORT_UNLOAD SdDriverUnload;

/*
 * SdDriverUnload - MiniportDriverUnload: deregister the miniport driver (its
 * context, the driver-object extension, goes with the driver object).
 * @DriverObject: the object DriverEntry got.
 * IRQL: PASSIVE_LEVEL. NDIS has halted every adapter before.
 */
static VOID SdDriverUnload(PDRIVER_OBJECT DriverObject)
{
    PSD_DRIVER drv = IoGetDriverObjectExtension(DriverObject, (PVOID)&SdDriverExtensionKey);
    if (drv && drv->DriverHandle)
        NdisMDeregisterMiniportDriver(drv->DriverHandle);
    /* The extension is freed with the driver object. */
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
    NTSTATUS nt = IoAllocateDriverObjectExtension(DriverObject, (PVOID)&SdDriverExtensionKey,
                                                  (ULONG)sizeof *drv, (PVOID *)&drv);
    if (!NT_SUCCESS(nt) || !drv)
        return NT_SUCCESS(nt) ? STATUS_INSUFFICIENT_RESOURCES : nt;
    NdisZeroMemory(drv, sizeof *drv);
    drv->DriverObject = DriverObject;

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

    NDIS_STATUS status =
        NdisMRegisterMiniportDriver(DriverObject, RegistryPath, drv, &mc, &drv->DriverHandle);
    if (status != NDIS_STATUS_SUCCESS)
        return (NTSTATUS)status; /* the extension goes with the driver object */
    return STATUS_SUCCESS;
}
