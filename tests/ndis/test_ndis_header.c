/*
 * <ndis.h> and the <wdm.h> types it builds on: Windows widths on every host,
 * the WDK's field order and offsets for the structures that DMA code and the
 * miniport host depend on, the NDIS_SIZEOF_..._REVISION_n macros (WDK:
 * RTL_SIZEOF_THROUGH_FIELD of the revision's last field), the WDK values of
 * status codes and object types, and the list and memory helpers.
 *
 * Offsets are checked for the data model the test is built for: LP64 (x64,
 * the Windows x64 layout) and ILP32 (the Windows x86 layout, as ndis.sys's
 * symbols give it for the attributes structures).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define NDIS60_MINIPORT 1
#include <ndis.h>

#define LP64                              (sizeof(void *) == 8)
#define OFF(type, field)                  ((unsigned long)offsetof(type, field))
/* x64 value on LP64 hosts, x86 value on 32-bit hosts */
#define EXPECT_OFF(type, field, x64, x86) assert_int_equal(OFF(type, field), LP64 ? (x64) : (x86))
#define EXPECT_SIZE(type, x64, x86)       assert_int_equal(sizeof(type), LP64 ? (x64) : (x86))

/* Windows widths (spec: "ULONG and LONG are 32 bits, also on LP64"). */
static void type_widths(void **state)
{
    (void)state;
    assert_int_equal(sizeof(UCHAR), 1);
    assert_int_equal(sizeof(BOOLEAN), 1);
    assert_int_equal(sizeof(USHORT), 2);
    assert_int_equal(sizeof(WCHAR), 2);
    assert_int_equal(sizeof(ULONG), 4);
    assert_int_equal(sizeof(LONG), 4);
    assert_int_equal(sizeof(UINT), 4);
    assert_int_equal(sizeof(NTSTATUS), 4);
    assert_int_equal(sizeof(NDIS_STATUS), 4);
    assert_int_equal(sizeof(ULONG64), 8);
    assert_int_equal(sizeof(LARGE_INTEGER), 8);
    assert_int_equal(sizeof(NDIS_PHYSICAL_ADDRESS), 8);
    assert_int_equal(sizeof(ULONG_PTR), sizeof(void *));
    assert_int_equal(sizeof(KSPIN_LOCK), sizeof(void *));
    assert_int_equal(sizeof(NDIS_HANDLE), sizeof(void *));
    assert_int_equal(sizeof(KIRQL), 1);
    assert_int_equal(sizeof(NET_LUID), 8);
    /* signedness matters for NT_SUCCESS and status comparisons */
    assert_true((LONG)-1 < 0);
    assert_true((ULONG)-1 > 0);
    assert_true(!NT_SUCCESS(NDIS_STATUS_FAILURE));
    assert_true(NT_SUCCESS(NDIS_STATUS_PENDING));
}

/* NDIS_DMA_DESCRIPTION: DemandMode, AutoInitialize, DmaChannelSpecified,
   DmaWidth, DmaSpeed, DmaPort, DmaChannel (spec, "The family"). */
static void dma_description_layout(void **state)
{
    (void)state;
    assert_int_equal(OFF(NDIS_DMA_DESCRIPTION, DemandMode), 0);
    assert_int_equal(OFF(NDIS_DMA_DESCRIPTION, AutoInitialize), 1);
    assert_int_equal(OFF(NDIS_DMA_DESCRIPTION, DmaChannelSpecified), 2);
    assert_int_equal(OFF(NDIS_DMA_DESCRIPTION, DmaWidth), 4);
    assert_int_equal(OFF(NDIS_DMA_DESCRIPTION, DmaSpeed), 8);
    assert_int_equal(OFF(NDIS_DMA_DESCRIPTION, DmaPort), 12);
    assert_int_equal(OFF(NDIS_DMA_DESCRIPTION, DmaChannel), 16);
    assert_int_equal(sizeof(NDIS_DMA_DESCRIPTION), 20);
    assert_int_equal(sizeof(DMA_WIDTH), 4);
    assert_int_equal(sizeof(DMA_SPEED), 4);
    assert_int_equal(Width8Bits, 0);
    assert_int_equal(Width16Bits, 1);
    assert_int_equal(Width32Bits, 2);
    assert_int_equal(Compatible, 0);
    assert_int_equal(TypeA, 1);
    assert_int_equal(TypeB, 2);
    assert_int_equal(TypeC, 3);
    assert_int_equal(TypeF, 4);
}

/* NDIS_BUFFER is an MDL; the page-frame array follows the MDL header. */
static void mdl_layout(void **state)
{
    (void)state;
    assert_int_equal(sizeof(NDIS_BUFFER), sizeof(MDL));
    PNDIS_BUFFER b = (PMDL)0;
    (void)b;
    assert_int_equal(OFF(MDL, Next), 0);
    EXPECT_OFF(MDL, Size, 8, 4);
    EXPECT_OFF(MDL, MdlFlags, 10, 6);
    EXPECT_OFF(MDL, Process, 16, 8);
    EXPECT_OFF(MDL, MappedSystemVa, 24, 12);
    EXPECT_OFF(MDL, StartVa, 32, 16);
    EXPECT_OFF(MDL, ByteCount, 40, 20);
    EXPECT_OFF(MDL, ByteOffset, 44, 24);
    EXPECT_SIZE(MDL, 48, 28);
    MDL m;
    assert_ptr_equal(MmGetMdlPfnArray(&m), (PPFN_NUMBER)((char *)&m + sizeof(MDL)));
}

/* DEVICE_DESCRIPTION (what NdisMRegisterDmaChannel hands the HAL, N3). */
static void device_description_layout(void **state)
{
    (void)state;
    assert_int_equal(OFF(DEVICE_DESCRIPTION, Version), 0);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, Master), 4);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, ScatterGather), 5);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, DemandMode), 6);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, AutoInitialize), 7);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, Dma32BitAddresses), 8);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, IgnoreCount), 9);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, Reserved1), 10);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, Dma64BitAddresses), 11);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, BusNumber), 12);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, DmaChannel), 16);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, InterfaceType), 20);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, DmaWidth), 24);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, DmaSpeed), 28);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, MaximumLength), 32);
    assert_int_equal(OFF(DEVICE_DESCRIPTION, DmaPort), 36);
    assert_int_equal(sizeof(DEVICE_DESCRIPTION), 40);
}

static void object_header_and_types(void **state)
{
    (void)state;
    assert_int_equal(OFF(NDIS_OBJECT_HEADER, Type), 0);
    assert_int_equal(OFF(NDIS_OBJECT_HEADER, Revision), 1);
    assert_int_equal(OFF(NDIS_OBJECT_HEADER, Size), 2);
    assert_int_equal(sizeof(NDIS_OBJECT_HEADER), 4);
    assert_int_equal(NDIS_OBJECT_TYPE_DEFAULT, 0x80);
    assert_int_equal(NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS, 0x81);
    assert_int_equal(NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, 0x84);
    assert_int_equal(NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS, 0x8A);
    assert_int_equal(NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, 0x97);
    assert_int_equal(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, 0x9E);
    assert_int_equal(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, 0x9F);
    assert_int_equal(NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, 0xA0);
    assert_int_equal(NDIS_OBJECT_TYPE_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES, 0xA4);
}

/* Every handler in the WDK's order; revision 1 ends at CancelOidRequestHandler. */
static void driver_characteristics_layout(void **state)
{
    (void)state;
    typedef NDIS_MINIPORT_DRIVER_CHARACTERISTICS C;
    assert_int_equal(OFF(C, Header), 0);
    assert_int_equal(OFF(C, MajorNdisVersion), 4);
    assert_int_equal(OFF(C, MinorNdisVersion), 5);
    assert_int_equal(OFF(C, MajorDriverVersion), 6);
    assert_int_equal(OFF(C, MinorDriverVersion), 7);
    assert_int_equal(OFF(C, Flags), 8);
    /* the handlers: consecutive pointers from SetOptionsHandler on */
    const unsigned long first = LP64 ? 16 : 12;
    const unsigned long p = sizeof(void *);
    assert_int_equal(OFF(C, SetOptionsHandler), first + 0 * p);
    assert_int_equal(OFF(C, InitializeHandlerEx), first + 1 * p);
    assert_int_equal(OFF(C, HaltHandlerEx), first + 2 * p);
    assert_int_equal(OFF(C, UnloadHandler), first + 3 * p);
    assert_int_equal(OFF(C, PauseHandler), first + 4 * p);
    assert_int_equal(OFF(C, RestartHandler), first + 5 * p);
    assert_int_equal(OFF(C, OidRequestHandler), first + 6 * p);
    assert_int_equal(OFF(C, SendNetBufferListsHandler), first + 7 * p);
    assert_int_equal(OFF(C, ReturnNetBufferListsHandler), first + 8 * p);
    assert_int_equal(OFF(C, CancelSendHandler), first + 9 * p);
    assert_int_equal(OFF(C, CheckForHangHandlerEx), first + 10 * p);
    assert_int_equal(OFF(C, ResetHandlerEx), first + 11 * p);
    assert_int_equal(OFF(C, DevicePnPEventNotifyHandler), first + 12 * p);
    assert_int_equal(OFF(C, ShutdownHandlerEx), first + 13 * p);
    assert_int_equal(OFF(C, CancelOidRequestHandler), first + 14 * p);
    assert_int_equal(OFF(C, DirectOidRequestHandler), first + 15 * p);
    assert_int_equal(OFF(C, CancelDirectOidRequestHandler), first + 16 * p);
    /* x64: 0x88 (136) and 0x98 (152); x86: 0x48 (72) and 0x50 (80) */
    assert_int_equal(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1, LP64 ? 136 : 72);
    assert_int_equal(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1,
                     OFF(C, CancelOidRequestHandler) + sizeof(void *));
    assert_int_equal(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2, LP64 ? 152 : 80);
    assert_int_equal(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2, sizeof(C));
    assert_int_equal(NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1, 1);
    assert_int_equal(NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2, 2);
    /* the size fits the header's USHORT Size */
    assert_true(NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 <= 0xFFFF);
}

static void init_parameters_layout(void **state)
{
    (void)state;
    typedef NDIS_MINIPORT_INIT_PARAMETERS P;
    assert_int_equal(OFF(P, Header), 0);
    assert_int_equal(OFF(P, Flags), 4);
    assert_int_equal(OFF(P, AllocatedResources), 8);
    EXPECT_OFF(P, IMDeviceInstanceContext, 16, 12);
    EXPECT_OFF(P, MiniportAddDeviceContext, 24, 16);
    EXPECT_OFF(P, IfIndex, 32, 20);
    EXPECT_OFF(P, NetLuid, 40, 24);
    EXPECT_OFF(P, DefaultPortAuthStates, 48, 32);
    EXPECT_OFF(P, PciDeviceCustomProperties, 56, 36);
    assert_int_equal(NDIS_SIZEOF_MINIPORT_INIT_PARAMETER_REVISION_1, LP64 ? 64 : 40);
    assert_int_equal(NDIS_SIZEOF_MINIPORT_INIT_PARAMETERS_REVISION_1,
                     NDIS_SIZEOF_MINIPORT_INIT_PARAMETER_REVISION_1);
    assert_int_equal(NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1, 1);
    /* the resources are a CM partial resource list */
    PNDIS_RESOURCE_LIST r = (PCM_PARTIAL_RESOURCE_LIST)0;
    (void)r;
}

/* CM descriptors are packed to 4 as in the WDK: 20 bytes on x64, 16 on x86. */
static void resource_descriptor_layout(void **state)
{
    (void)state;
    typedef CM_PARTIAL_RESOURCE_DESCRIPTOR D;
    assert_int_equal(OFF(D, Type), 0);
    assert_int_equal(OFF(D, ShareDisposition), 1);
    assert_int_equal(OFF(D, Flags), 2);
    assert_int_equal(OFF(D, u), 4);
    assert_int_equal(OFF(D, u.Port.Start), 4);
    assert_int_equal(OFF(D, u.Port.Length), 12);
    assert_int_equal(OFF(D, u.Interrupt.Level), 4);
    assert_int_equal(OFF(D, u.Interrupt.Vector), 8);
    assert_int_equal(OFF(D, u.Interrupt.Affinity), 12);
    assert_int_equal(OFF(D, u.Dma.Channel), 4);
    assert_int_equal(OFF(D, u.Dma.Port), 8);
    EXPECT_SIZE(D, 20, 16);
    assert_int_equal(OFF(CM_PARTIAL_RESOURCE_LIST, Count), 4);
    assert_int_equal(OFF(CM_PARTIAL_RESOURCE_LIST, PartialDescriptors), 8);
    assert_int_equal(CmResourceTypePort, 1);
    assert_int_equal(CmResourceTypeInterrupt, 2);
    assert_int_equal(CmResourceTypeMemory, 3);
    assert_int_equal(CmResourceTypeDma, 4);
}

static void registration_attributes_layout(void **state)
{
    (void)state;
    typedef NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES R;
    assert_int_equal(OFF(R, Header), 0);
    EXPECT_OFF(R, MiniportAdapterContext, 8, 4);
    EXPECT_OFF(R, AttributeFlags, 16, 8);
    EXPECT_OFF(R, CheckForHangTimeInSeconds, 20, 12);
    EXPECT_OFF(R, InterfaceType, 24, 16);
    assert_int_equal(NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1,
                     LP64 ? 28 : 20);
    assert_int_equal(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1, 1);
    assert_int_equal(NdisInterfaceInternal, 0);
    assert_int_equal(NdisInterfaceIsa, 1);
    assert_int_equal(NdisInterfacePci, 5);
    assert_int_equal(NdisInterfacePcMcia, 8);
    assert_int_equal(NdisInterfacePNPBus, 15);
    assert_int_equal(NdisInterfaceUSB, 16);
    assert_int_equal(NdisInterfaceIrda, 17);
    assert_int_equal(NdisInterface1394, 18);
}

/* x86 offsets: ndis.sys symbols (Windows 10); x64 by the same rules. */
static void general_attributes_layout(void **state)
{
    (void)state;
    typedef NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES G;
    assert_int_equal(OFF(G, Flags), 4);
    assert_int_equal(OFF(G, MediaType), 8);
    assert_int_equal(OFF(G, PhysicalMediumType), 12);
    assert_int_equal(OFF(G, MtuSize), 16);
    assert_int_equal(OFF(G, MaxXmitLinkSpeed), 24);
    assert_int_equal(OFF(G, XmitLinkSpeed), 32);
    assert_int_equal(OFF(G, MaxRcvLinkSpeed), 40);
    assert_int_equal(OFF(G, RcvLinkSpeed), 48);
    assert_int_equal(OFF(G, MediaConnectState), 56);
    assert_int_equal(OFF(G, MediaDuplexState), 60);
    assert_int_equal(OFF(G, LookaheadSize), 64);
    EXPECT_OFF(G, PowerManagementCapabilities, 72, 0x44);
    EXPECT_OFF(G, MacOptions, 80, 0x48);
    EXPECT_OFF(G, SupportedPacketFilters, 84, 0x4c);
    EXPECT_OFF(G, MaxMulticastListSize, 88, 0x50);
    EXPECT_OFF(G, MacAddressLength, 92, 0x54);
    EXPECT_OFF(G, PermanentMacAddress, 94, 0x56);
    EXPECT_OFF(G, CurrentMacAddress, 126, 0x76);
    EXPECT_OFF(G, RecvScaleCapabilities, 160, 0x98);
    EXPECT_OFF(G, AccessType, 168, 0x9c);
    EXPECT_OFF(G, DirectionType, 172, 0xa0);
    EXPECT_OFF(G, ConnectionType, 176, 0xa4);
    EXPECT_OFF(G, IfType, 180, 0xa8);
    EXPECT_OFF(G, IfConnectorPresent, 182, 0xaa);
    EXPECT_OFF(G, SupportedStatistics, 184, 0xac);
    EXPECT_OFF(G, SupportedPauseFunctions, 188, 0xb0);
    EXPECT_OFF(G, DataBackFillSize, 192, 0xb4);
    EXPECT_OFF(G, ContextBackFillSize, 196, 0xb8);
    EXPECT_OFF(G, SupportedOidList, 200, 0xbc);
    EXPECT_OFF(G, SupportedOidListLength, 208, 0xc0);
    EXPECT_OFF(G, AutoNegotiationFlags, 212, 0xc4);
    EXPECT_OFF(G, PowerManagementCapabilitiesEx, 216, 0xc8);
    assert_int_equal(NDIS_MAX_PHYS_ADDRESS_LENGTH, 32);
    assert_int_equal(NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1, LP64 ? 216 : 0xc8);
    assert_int_equal(NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2, LP64 ? 224 : 0xcc);
    /* the attributes union starts every member at the header */
    assert_int_equal(OFF(NDIS_MINIPORT_ADAPTER_ATTRIBUTES, RegistrationAttributes.Header), 0);
    assert_int_equal(OFF(NDIS_MINIPORT_ADAPTER_ATTRIBUTES, GeneralAttributes.Header), 0);
    assert_true(sizeof(NDIS_MINIPORT_ADAPTER_ATTRIBUTES) >= sizeof(G));
}

static void other_revision_sizes(void **state)
{
    (void)state;
    assert_int_equal(NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1, 8);
    assert_int_equal(NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1, LP64 ? 20 : 12);
    assert_int_equal(NDIS_SIZEOF_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES_REVISION_1,
                     LP64 ? 20 : 12);
    assert_int_equal(NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1, LP64 ? 44 : 28);
    assert_int_equal(NDIS_SIZEOF_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1, LP64 ? 40 : 20);
}

/* The status codes a DMA miniport sees, with the WDK's values. */
static void status_values(void **state)
{
    (void)state;
    assert_int_equal(NDIS_STATUS_SUCCESS, 0);
    assert_int_equal((ULONG)NDIS_STATUS_PENDING, 0x00000103u);
    assert_int_equal((ULONG)NDIS_STATUS_NOT_ACCEPTED, 0x00010003u);
    assert_int_equal((ULONG)NDIS_STATUS_MEDIA_CONNECT, 0x4001000Bu);
    assert_int_equal((ULONG)NDIS_STATUS_MEDIA_DISCONNECT, 0x4001000Cu);
    assert_int_equal((ULONG)NDIS_STATUS_LINK_STATE, 0x40010017u);
    assert_int_equal((ULONG)NDIS_STATUS_FAILURE, 0xC0000001u);
    assert_int_equal((ULONG)NDIS_STATUS_INVALID_PARAMETER, 0xC000000Du);
    assert_int_equal((ULONG)NDIS_STATUS_RESOURCES, 0xC000009Au);
    assert_int_equal((ULONG)NDIS_STATUS_NOT_SUPPORTED, 0xC00000BBu);
    assert_int_equal((ULONG)NDIS_STATUS_CLOSING, 0xC0010002u);
    assert_int_equal((ULONG)NDIS_STATUS_BAD_VERSION, 0xC0010004u);
    assert_int_equal((ULONG)NDIS_STATUS_BAD_CHARACTERISTICS, 0xC0010005u);
    assert_int_equal((ULONG)NDIS_STATUS_ADAPTER_NOT_FOUND, 0xC0010006u);
    assert_int_equal((ULONG)NDIS_STATUS_RESET_IN_PROGRESS, 0xC001000Du);
    assert_int_equal((ULONG)NDIS_STATUS_INVALID_LENGTH, 0xC0010014u);
    assert_int_equal((ULONG)NDIS_STATUS_INVALID_DATA, 0xC0010015u);
    assert_int_equal((ULONG)NDIS_STATUS_BUFFER_TOO_SHORT, 0xC0010016u);
    assert_int_equal((ULONG)NDIS_STATUS_INVALID_OID, 0xC0010017u);
    assert_int_equal((ULONG)NDIS_STATUS_FILE_NOT_FOUND, 0xC001001Bu);
    assert_int_equal((ULONG)NDIS_STATUS_PAUSED, 0xC023002Au);
    assert_int_equal((ULONG)NDIS_STATUS_LOW_POWER_STATE, 0xC023002Fu);
    assert_true(NDIS_STATUS_RESOURCES < 0); /* NDIS_STATUS is a signed 32-bit int */
    assert_int_equal(NDIS_MEMORY_CONTIGUOUS, 1);
    assert_int_equal(NDIS_MEMORY_NONCACHED, 2);
    assert_int_equal(NormalPoolPriority, 16);
    assert_int_equal(HighPoolPriority, 32);
}

/* WDK list semantics, including RemoveEntryList's "empty now" result. */
static void list_helpers(void **state)
{
    (void)state;
    struct item {
        int value;
        LIST_ENTRY link;
    } a = {1, {NULL, NULL}}, b = {2, {NULL, NULL}}, c = {3, {NULL, NULL}};
    LIST_ENTRY head;
    InitializeListHead(&head);
    assert_true(IsListEmpty(&head));
    assert_ptr_equal(RemoveHeadList(&head), &head); /* empty: returns the head */
    assert_true(IsListEmpty(&head));
    InsertTailList(&head, &b.link);
    InsertHeadList(&head, &a.link);
    InsertTailList(&head, &c.link);
    assert_false(IsListEmpty(&head));
    assert_int_equal(CONTAINING_RECORD(head.Flink, struct item, link)->value, 1);
    assert_int_equal(CONTAINING_RECORD(head.Blink, struct item, link)->value, 3);
    assert_false(RemoveEntryList(&b.link)); /* a and c remain */
    assert_ptr_equal(RemoveTailList(&head), &c.link);
    assert_ptr_equal(RemoveHeadList(&head), &a.link);
    assert_true(IsListEmpty(&head));
    InsertTailList(&head, &a.link);
    assert_true(RemoveEntryList(&a.link));

    SINGLE_LIST_ENTRY shead = {NULL}, s1, s2;
    PushEntryList(&shead, &s1);
    PushEntryList(&shead, &s2);
    assert_ptr_equal(PopEntryList(&shead), &s2);
    assert_ptr_equal(PopEntryList(&shead), &s1);
    assert_null(PopEntryList(&shead));
}

static void memory_and_string_macros(void **state)
{
    (void)state;
    UCHAR x[8], y[8];
    NdisFillMemory(x, sizeof(x), 0xA5);
    NdisMoveMemory(y, x, sizeof(y));
    assert_true(NdisEqualMemory(x, y, sizeof(x)));
    NdisZeroMemory(y, sizeof(y));
    assert_false(NdisEqualMemory(x, y, sizeof(x)));
    assert_int_equal(y[7], 0);
    NDIS_STRING s = NDIS_STRING_CONST("DMA");
    assert_int_equal(s.Length, 6);
    assert_int_equal(s.MaximumLength, 8);
    assert_int_equal(s.Buffer[0], 'D');
    assert_int_equal(s.Buffer[3], 0);
    NDIS_PHYSICAL_ADDRESS pa = NDIS_PHYSICAL_ADDRESS_CONST(0x12345678, 0x9);
    assert_int_equal(NdisGetPhysicalAddressLow(pa), 0x12345678);
    assert_int_equal(NdisGetPhysicalAddressHigh(pa), 0x9);
    assert_true(pa.QuadPart == 0x912345678LL);
    assert_int_equal(FIELD_OFFSET(NDIS_DMA_DESCRIPTION, DmaPort), 12);
    assert_int_equal(RTL_SIZEOF_THROUGH_FIELD(NDIS_DMA_DESCRIPTION, DmaSpeed), 12);
    NET_LUID luid;
    luid.Value = 0;
    luid.Info.IfType = IF_TYPE_ETHERNET_CSMACD;
    assert_true(luid.Value == ((ULONG64)IF_TYPE_ETHERNET_CSMACD << 48));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(type_widths),
        cmocka_unit_test(dma_description_layout),
        cmocka_unit_test(mdl_layout),
        cmocka_unit_test(device_description_layout),
        cmocka_unit_test(object_header_and_types),
        cmocka_unit_test(driver_characteristics_layout),
        cmocka_unit_test(init_parameters_layout),
        cmocka_unit_test(resource_descriptor_layout),
        cmocka_unit_test(registration_attributes_layout),
        cmocka_unit_test(general_attributes_layout),
        cmocka_unit_test(other_revision_sizes),
        cmocka_unit_test(status_values),
        cmocka_unit_test(list_helpers),
        cmocka_unit_test(memory_and_string_macros),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
