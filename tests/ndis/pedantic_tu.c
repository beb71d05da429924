/*
 * Compiled with -std=c11 -Wall -Wextra -pedantic -Werror (tests/ndis/CMakeLists.txt):
 * the build fails if <ndis.h> or the <wdm.h> it includes is not strict ISO C11.
 * Uses the header the way a miniport's DriverEntry and MiniportInitializeEx do.
 */
#define NDIS60_MINIPORT 1
#include <ndis.h>

MINIPORT_INITIALIZE PedanticInitializeEx;
MINIPORT_HALT PedanticHaltEx;
DRIVER_INITIALIZE PedanticDriverEntry;

/* SAL annotations, as WDK driver sources write them, compile to nothing. */
_IRQL_requires_max_(DISPATCH_LEVEL) _Must_inspect_result_ static ULONG
    PedanticAnnotated(_In_reads_bytes_(Length) const UCHAR *Data, _In_ ULONG Length,
                      _Out_opt_ PULONG Sum);

_Use_decl_annotations_ static ULONG PedanticAnnotated(const UCHAR *Data, ULONG Length, PULONG Sum)
{
    ULONG s = 0;
    for (ULONG i = 0; i < Length; i++)
        s += Data[i];
    if (Sum)
        *Sum = s;
    return s;
}

NDIS_STATUS PedanticInitializeEx(NDIS_HANDLE NdisMiniportHandle, NDIS_HANDLE MiniportDriverContext,
                                 PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters)
{
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES reg;
    NDIS_DMA_DESCRIPTION dma;
    NDIS_STRING name = NDIS_STRING_CONST("Pedantic");
    NDIS_PHYSICAL_ADDRESS highest = NDIS_PHYSICAL_ADDRESS_CONST(-1, -1);
    ULONG i;
    UNREFERENCED_PARAMETER(NdisMiniportHandle);
    UNREFERENCED_PARAMETER(MiniportDriverContext);
    NdisZeroMemory(&reg, sizeof(reg));
    reg.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
    reg.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    reg.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
    reg.InterfaceType = NdisInterfaceIsa;
    NdisZeroMemory(&dma, sizeof(dma));
    dma.DmaWidth = Width8Bits;
    dma.DmaSpeed = Compatible;
    ASSERT(name.Length == 16);
    ASSERT(NdisGetPhysicalAddressLow(highest) == 0xFFFFFFFFu);
    for (i = 0; i < MiniportInitParameters->AllocatedResources->Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d =
            &MiniportInitParameters->AllocatedResources->PartialDescriptors[i];
        if (d->Type == CmResourceTypeDma) {
            dma.DmaChannel = d->u.Dma.Channel;
        }
    }
    return NdisEqualMemory(&name, &name, sizeof(name.Length)) ? NDIS_STATUS_SUCCESS
                                                              : NDIS_STATUS_FAILURE;
}

VOID PedanticHaltEx(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    UNREFERENCED_PARAMETER(MiniportAdapterContext);
    UNREFERENCED_PARAMETER(HaltAction);
}

NTSTATUS PedanticDriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    static const UCHAR probe[2] = {1, 2};
    if (PedanticAnnotated(probe, sizeof probe, NULL) != 3)
        return STATUS_UNSUCCESSFUL;
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS chars;
    LIST_ENTRY head, entry;
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    NdisZeroMemory(&chars, sizeof(chars));
    chars.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS;
    chars.Header.Revision = NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    chars.Header.Size = NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1;
    chars.MajorNdisVersion = NDIS_MINIPORT_MAJOR_VERSION;
    chars.MinorNdisVersion = NDIS_MINIPORT_MINOR_VERSION;
    chars.InitializeHandlerEx = PedanticInitializeEx;
    chars.HaltHandlerEx = PedanticHaltEx;
    InitializeListHead(&head);
    InsertTailList(&head, &entry);
    (void)RemoveHeadList(&head);
    KdPrint(("chars at %p\n", (void *)&chars));
    return IsListEmpty(&head) && chars.InitializeHandlerEx != NULL ? STATUS_SUCCESS
                                                                   : STATUS_UNSUCCESSFUL;
}
