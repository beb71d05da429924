/*
 * <ndis.h> - the subset of the Windows Driver Kit's NDIS interface that
 * ndisdma implements, for miniport drivers of subordinate-DMA NICs (ISA and
 * LPC adapters, IrDA fast-infrared controllers).
 *
 * Concept: driver sources written for the WDK compile unchanged against this
 * header. Every type, field, constant and macro keeps the WDK's name, value
 * and field order, and Windows types keep their Windows widths on every host
 * (ULONG is 32 bits on LP64). This header builds on <wdm.h>, as the WDK's
 * ndis.h builds on the kernel headers, and adds:
 *   - NDIS base types, NDIS_STATUS codes, memory macros, NDIS_BUFFER (an MDL);
 *   - the system-DMA description NDIS_DMA_DESCRIPTION;
 *   - the NDIS 6 miniport structures (NDIS_OBJECT_HEADER, driver
 *     characteristics, initialization parameters, adapter attributes) with
 *     their revision and size macros, and the MiniportXxx role types.
 *   - the NDIS 6 data path: NET_BUFFER, NET_BUFFER_LIST, their pools and
 *     accessor macros, send/receive/return flags, NDIS_OID_REQUEST with the
 *     OIDs an Ethernet miniport answers, status indications.
 * The NDIS DDIs (NdisM..., NdisAllocate...) are
 * declared in the sections at the end, grouped by the src/ndis file that
 * implements them, each with its IRQL, return codes and ownership.
 *
 * Layout facts that DMA code and the miniport host rely on are checked with
 * static assertions below and, offset by offset, in
 * tests/ndis/test_ndis_header.c.
 */
#ifndef NDISDMA_NDIS_H
#define NDISDMA_NDIS_H

#include <wdm.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __cplusplus
#define NDISDMA_STATIC_ASSERT(e, m) static_assert(e, m)
#else
#define NDISDMA_STATIC_ASSERT(e, m) _Static_assert(e, m)
#endif

/* ---- Windows widths, on every host ---- */
NDISDMA_STATIC_ASSERT(sizeof(UCHAR) == 1 && sizeof(BOOLEAN) == 1, "UCHAR/BOOLEAN: 1 byte");
NDISDMA_STATIC_ASSERT(sizeof(USHORT) == 2 && sizeof(WCHAR) == 2, "USHORT/WCHAR: 2 bytes");
NDISDMA_STATIC_ASSERT(sizeof(ULONG) == 4 && sizeof(LONG) == 4, "ULONG/LONG: 4 bytes (LLP64)");
NDISDMA_STATIC_ASSERT(sizeof(UINT) == 4 && sizeof(INT) == 4, "UINT/INT: 4 bytes");
NDISDMA_STATIC_ASSERT(sizeof(ULONG64) == 8 && sizeof(LONGLONG) == 8, "64-bit types: 8 bytes");
NDISDMA_STATIC_ASSERT(sizeof(ULONG_PTR) == sizeof(void *), "ULONG_PTR: pointer-sized");
NDISDMA_STATIC_ASSERT(sizeof(PHYSICAL_ADDRESS) == 8, "PHYSICAL_ADDRESS: 8 bytes");

/* ---- Versions ----
   As in the WDK, a miniport names its NDIS version before including this
   header (NDIS60_MINIPORT, NDIS51_MINIPORT, ...); NDIS_MINIPORT_MAJOR_VERSION
   and NDIS_MINIPORT_MINOR_VERSION follow from it. */
#if !defined(NDIS_MINIPORT_MAJOR_VERSION)
#if defined(NDIS60_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 6
#define NDIS_MINIPORT_MINOR_VERSION 0
#elif defined(NDIS51_MINIPORT)
#define NDIS_MINIPORT_MAJOR_VERSION 5
#define NDIS_MINIPORT_MINOR_VERSION 1
#endif
#endif
#ifndef NDIS_SUPPORT_NDIS6
#define NDIS_SUPPORT_NDIS6 1
#endif

/* ---- Base types ---- */
typedef PVOID NDIS_HANDLE, *PNDIS_HANDLE;
typedef int NDIS_STATUS, *PNDIS_STATUS; /* "note default size" (WDK): 32 bits */
typedef UNICODE_STRING NDIS_STRING, *PNDIS_STRING;
typedef INT *PINT;
typedef PHYSICAL_ADDRESS NDIS_PHYSICAL_ADDRESS, *PNDIS_PHYSICAL_ADDRESS;
typedef ULONG NDIS_OID, *PNDIS_OID;
typedef ULONG NDIS_PORT_NUMBER, *PNDIS_PORT_NUMBER;
typedef ULONG NET_IFINDEX, *PNET_IFINDEX;
typedef USHORT NET_IFTYPE, *PNET_IFTYPE;

/* NET_LUID (ifdef.h): the interface's locally unique id, as Value or as
   its Info bit fields (ULONG64 bit fields: implementation-defined in ISO C,
   laid out as MSVC does by GCC and Clang). */
typedef union _NET_LUID_LH {
    ULONG64 Value;
    struct {
        ULONG64 Reserved : 24;
        ULONG64 NetLuidIndex : 24;
        ULONG64 IfType : 16;
    } Info;
} NET_LUID_LH, *PNET_LUID_LH;
typedef NET_LUID_LH NET_LUID, *PNET_LUID;

#define NDIS_PHYSICAL_ADDRESS_CONST(_Low, _High)                                                   \
    {                                                                                              \
        .u = {(ULONG)(_Low), (LONG)(_High) }                                                       \
    }
#define NdisGetPhysicalAddressHigh(_PhysicalAddress) ((_PhysicalAddress).u.HighPart)
#define NdisSetPhysicalAddressHigh(_PhysicalAddress, _Value)                                       \
    ((_PhysicalAddress).u.HighPart) = (_Value)
#define NdisGetPhysicalAddressLow(_PhysicalAddress) ((_PhysicalAddress).u.LowPart)
#define NdisSetPhysicalAddressLow(_PhysicalAddress, _Value)                                        \
    ((_PhysicalAddress).u.LowPart) = (_Value)

/* The basic spin lock: a kernel spin lock and the IRQL it was acquired at. */
typedef struct _NDIS_SPIN_LOCK {
    KSPIN_LOCK SpinLock;
    KIRQL OldIrql;
} NDIS_SPIN_LOCK, *PNDIS_SPIN_LOCK;

/* An NDIS buffer is an MDL. */
typedef MDL NDIS_BUFFER, *PNDIS_BUFFER;

/* ---- Memory ---- */
#define NdisMoveMemory(Destination, Source, Length)       RtlCopyMemory(Destination, Source, Length)
#define NdisZeroMemory(Destination, Length)               RtlZeroMemory(Destination, Length)
#define NdisEqualMemory(Source1, Source2, Length)         RtlEqualMemory(Source1, Source2, Length)
#define NdisFillMemory(Destination, Length, Fill)         RtlFillMemory(Destination, Length, Fill)
#define NdisMoveMappedMemory(Destination, Source, Length) RtlCopyMemory(Destination, Source, Length)
#define NdisZeroMappedMemory(Destination, Length)         RtlZeroMemory(Destination, Length)
#define NdisMoveToMappedMemory(Destination, Source, Length)                                        \
    NdisMoveMappedMemory(Destination, Source, Length)
#define NdisMoveFromMappedMemory(Destination, Source, Length)                                      \
    NdisMoveMappedMemory(Destination, Source, Length)
/* WCHAR is 16 bits here, so the literal is a C11 u"" (UTF-16) string where the
   WDK has L"". Lengths in bytes, without and with the terminating NUL. */
#define NDIS_STRING_CONST(x)                                                                       \
    {                                                                                              \
        sizeof(u##x) - 2, sizeof(u##x), (PWSTR)u##x                                                \
    }

/* Types of memory for NdisAllocateMemory (not mutually exclusive). */
#define NDIS_MEMORY_CONTIGUOUS 0x00000001
#define NDIS_MEMORY_NONCACHED  0x00000002

/* ---- NDIS_STATUS ---- */
/* NTSTATUS facility NDIS (ntstatus.h) values that NDIS 6 status codes use. */
#ifndef STATUS_NDIS_INDICATION_REQUIRED
#define STATUS_NDIS_INDICATION_REQUIRED  ((NTSTATUS)0x40230001L)
#define STATUS_NDIS_REQUEST_ABORTED      ((NTSTATUS)0xC023000CL)
#define STATUS_NDIS_MEDIA_DISCONNECTED   ((NTSTATUS)0xC023001FL)
#define STATUS_NDIS_PAUSED               ((NTSTATUS)0xC023002AL)
#define STATUS_NDIS_INTERFACE_NOT_FOUND  ((NTSTATUS)0xC023002BL)
#define STATUS_NDIS_UNSUPPORTED_REVISION ((NTSTATUS)0xC023002CL)
#define STATUS_NDIS_INVALID_PORT         ((NTSTATUS)0xC023002DL)
#define STATUS_NDIS_INVALID_PORT_STATE   ((NTSTATUS)0xC023002EL)
#define STATUS_NDIS_LOW_POWER_STATE      ((NTSTATUS)0xC023002FL)
#endif

#define NDIS_STATUS_SUCCESS             ((NDIS_STATUS)STATUS_SUCCESS)
#define NDIS_STATUS_PENDING             ((NDIS_STATUS)STATUS_PENDING)
#define NDIS_STATUS_NOT_RECOGNIZED      ((NDIS_STATUS)0x00010001L)
#define NDIS_STATUS_NOT_COPIED          ((NDIS_STATUS)0x00010002L)
#define NDIS_STATUS_NOT_ACCEPTED        ((NDIS_STATUS)0x00010003L)
#define NDIS_STATUS_CALL_ACTIVE         ((NDIS_STATUS)0x00010007L)
#define NDIS_STATUS_INDICATION_REQUIRED ((NDIS_STATUS)STATUS_NDIS_INDICATION_REQUIRED)

/* status indications */
#define NDIS_STATUS_ONLINE                       ((NDIS_STATUS)0x40010003L)
#define NDIS_STATUS_RESET_START                  ((NDIS_STATUS)0x40010004L)
#define NDIS_STATUS_RESET_END                    ((NDIS_STATUS)0x40010005L)
#define NDIS_STATUS_RING_STATUS                  ((NDIS_STATUS)0x40010006L)
#define NDIS_STATUS_CLOSED                       ((NDIS_STATUS)0x40010007L)
#define NDIS_STATUS_WAN_LINE_UP                  ((NDIS_STATUS)0x40010008L)
#define NDIS_STATUS_WAN_LINE_DOWN                ((NDIS_STATUS)0x40010009L)
#define NDIS_STATUS_WAN_FRAGMENT                 ((NDIS_STATUS)0x4001000AL)
#define NDIS_STATUS_MEDIA_CONNECT                ((NDIS_STATUS)0x4001000BL)
#define NDIS_STATUS_MEDIA_DISCONNECT             ((NDIS_STATUS)0x4001000CL)
#define NDIS_STATUS_HARDWARE_LINE_UP             ((NDIS_STATUS)0x4001000DL)
#define NDIS_STATUS_HARDWARE_LINE_DOWN           ((NDIS_STATUS)0x4001000EL)
#define NDIS_STATUS_INTERFACE_UP                 ((NDIS_STATUS)0x4001000FL)
#define NDIS_STATUS_INTERFACE_DOWN               ((NDIS_STATUS)0x40010010L)
#define NDIS_STATUS_MEDIA_BUSY                   ((NDIS_STATUS)0x40010011L)
#define NDIS_STATUS_MEDIA_SPECIFIC_INDICATION    ((NDIS_STATUS)0x40010012L)
#define NDIS_STATUS_WW_INDICATION                NDIS_STATUS_MEDIA_SPECIFIC_INDICATION
#define NDIS_STATUS_LINK_SPEED_CHANGE            ((NDIS_STATUS)0x40010013L)
#define NDIS_STATUS_WAN_GET_STATS                ((NDIS_STATUS)0x40010014L)
#define NDIS_STATUS_WAN_CO_FRAGMENT              ((NDIS_STATUS)0x40010015L)
#define NDIS_STATUS_WAN_CO_LINKPARAMS            ((NDIS_STATUS)0x40010016L)
/* status indications new in NDIS 6 */
#define NDIS_STATUS_LINK_STATE                   ((NDIS_STATUS)0x40010017L)
#define NDIS_STATUS_NETWORK_CHANGE               ((NDIS_STATUS)0x40010018L)
#define NDIS_STATUS_MEDIA_SPECIFIC_INDICATION_EX ((NDIS_STATUS)0x40010019L)
#define NDIS_STATUS_PORT_STATE                   ((NDIS_STATUS)0x40010022L)
#define NDIS_STATUS_OPER_STATUS                  ((NDIS_STATUS)0x40010023L)
#define NDIS_STATUS_PACKET_FILTER                ((NDIS_STATUS)0x40010024L)

/* warnings and errors */
#define NDIS_STATUS_NOT_RESETTABLE         ((NDIS_STATUS)0x80010001L)
#define NDIS_STATUS_SOFT_ERRORS            ((NDIS_STATUS)0x80010003L)
#define NDIS_STATUS_HARD_ERRORS            ((NDIS_STATUS)0x80010004L)
#define NDIS_STATUS_BUFFER_OVERFLOW        ((NDIS_STATUS)STATUS_BUFFER_OVERFLOW)
#define NDIS_STATUS_FAILURE                ((NDIS_STATUS)STATUS_UNSUCCESSFUL)
#define NDIS_STATUS_RESOURCES              ((NDIS_STATUS)STATUS_INSUFFICIENT_RESOURCES)
#define NDIS_STATUS_CLOSING                ((NDIS_STATUS)0xC0010002L)
#define NDIS_STATUS_BAD_VERSION            ((NDIS_STATUS)0xC0010004L)
#define NDIS_STATUS_BAD_CHARACTERISTICS    ((NDIS_STATUS)0xC0010005L)
#define NDIS_STATUS_ADAPTER_NOT_FOUND      ((NDIS_STATUS)0xC0010006L)
#define NDIS_STATUS_OPEN_FAILED            ((NDIS_STATUS)0xC0010007L)
#define NDIS_STATUS_DEVICE_FAILED          ((NDIS_STATUS)0xC0010008L)
#define NDIS_STATUS_MULTICAST_FULL         ((NDIS_STATUS)0xC0010009L)
#define NDIS_STATUS_MULTICAST_EXISTS       ((NDIS_STATUS)0xC001000AL)
#define NDIS_STATUS_MULTICAST_NOT_FOUND    ((NDIS_STATUS)0xC001000BL)
#define NDIS_STATUS_REQUEST_ABORTED        ((NDIS_STATUS)0xC001000CL)
#define NDIS_STATUS_RESET_IN_PROGRESS      ((NDIS_STATUS)0xC001000DL)
#define NDIS_STATUS_CLOSING_INDICATING     ((NDIS_STATUS)0xC001000EL)
#define NDIS_STATUS_NOT_SUPPORTED          ((NDIS_STATUS)STATUS_NOT_SUPPORTED)
#define NDIS_STATUS_INVALID_PACKET         ((NDIS_STATUS)0xC001000FL)
#define NDIS_STATUS_OPEN_LIST_FULL         ((NDIS_STATUS)0xC0010010L)
#define NDIS_STATUS_ADAPTER_NOT_READY      ((NDIS_STATUS)0xC0010011L)
#define NDIS_STATUS_ADAPTER_NOT_OPEN       ((NDIS_STATUS)0xC0010012L)
#define NDIS_STATUS_NOT_INDICATING         ((NDIS_STATUS)0xC0010013L)
#define NDIS_STATUS_INVALID_LENGTH         ((NDIS_STATUS)0xC0010014L)
#define NDIS_STATUS_INVALID_DATA           ((NDIS_STATUS)0xC0010015L)
#define NDIS_STATUS_BUFFER_TOO_SHORT       ((NDIS_STATUS)0xC0010016L)
#define NDIS_STATUS_INVALID_OID            ((NDIS_STATUS)0xC0010017L)
#define NDIS_STATUS_ADAPTER_REMOVED        ((NDIS_STATUS)0xC0010018L)
#define NDIS_STATUS_UNSUPPORTED_MEDIA      ((NDIS_STATUS)0xC0010019L)
#define NDIS_STATUS_GROUP_ADDRESS_IN_USE   ((NDIS_STATUS)0xC001001AL)
#define NDIS_STATUS_FILE_NOT_FOUND         ((NDIS_STATUS)0xC001001BL)
#define NDIS_STATUS_ERROR_READING_FILE     ((NDIS_STATUS)0xC001001CL)
#define NDIS_STATUS_ALREADY_MAPPED         ((NDIS_STATUS)0xC001001DL)
#define NDIS_STATUS_RESOURCE_CONFLICT      ((NDIS_STATUS)0xC001001EL)
#define NDIS_STATUS_NO_CABLE               ((NDIS_STATUS)0xC001001FL)
#define NDIS_STATUS_INVALID_DEVICE_REQUEST ((NDIS_STATUS)STATUS_INVALID_DEVICE_REQUEST)
#define NDIS_STATUS_NETWORK_UNREACHABLE    ((NDIS_STATUS)STATUS_NETWORK_UNREACHABLE)
/* errors new in NDIS 6 */
#define NDIS_STATUS_SEND_ABORTED           ((NDIS_STATUS)STATUS_NDIS_REQUEST_ABORTED)
#define NDIS_STATUS_PAUSED                 ((NDIS_STATUS)STATUS_NDIS_PAUSED)
#define NDIS_STATUS_INTERFACE_NOT_FOUND    ((NDIS_STATUS)STATUS_NDIS_INTERFACE_NOT_FOUND)
#define NDIS_STATUS_INVALID_PARAMETER      ((NDIS_STATUS)STATUS_INVALID_PARAMETER)
#define NDIS_STATUS_UNSUPPORTED_REVISION   ((NDIS_STATUS)STATUS_NDIS_UNSUPPORTED_REVISION)
#define NDIS_STATUS_INVALID_PORT           ((NDIS_STATUS)STATUS_NDIS_INVALID_PORT)
#define NDIS_STATUS_INVALID_PORT_STATE     ((NDIS_STATUS)STATUS_NDIS_INVALID_PORT_STATE)
#define NDIS_STATUS_INVALID_STATE          ((NDIS_STATUS)STATUS_INVALID_DEVICE_STATE)
#define NDIS_STATUS_MEDIA_DISCONNECTED     ((NDIS_STATUS)STATUS_NDIS_MEDIA_DISCONNECTED)
#define NDIS_STATUS_LOW_POWER_STATE        ((NDIS_STATUS)STATUS_NDIS_LOW_POWER_STATE)

/* ---- Buses and media ---- */

/* Hardware architecture, matching the HAL's INTERFACE_TYPE values. */
typedef enum _NDIS_INTERFACE_TYPE {
    NdisInterfaceInternal = Internal,
    NdisInterfaceIsa = Isa,
    NdisInterfaceEisa = Eisa,
    NdisInterfaceMca = MicroChannel,
    NdisInterfaceTurboChannel = TurboChannel,
    NdisInterfacePci = PCIBus,
    NdisInterfacePcMcia = PCMCIABus,
    NdisInterfaceCBus = CBus,
    NdisInterfaceMPIBus = MPIBus,
    NdisInterfaceMPSABus = MPSABus,
    NdisInterfaceProcessorInternal = ProcessorInternal,
    NdisInterfaceInternalPowerBus = InternalPowerBus,
    NdisInterfacePNPISABus = PNPISABus,
    NdisInterfacePNPBus = PNPBus,
    NdisInterfaceUSB,
    NdisInterfaceIrda,
    NdisInterface1394,
    NdisMaximumInterfaceType
} NDIS_INTERFACE_TYPE,
    *PNDIS_INTERFACE_TYPE;

/* The resources a miniport adapter was given (NDIS_MINIPORT_INIT_PARAMETERS). */
typedef CM_PARTIAL_RESOURCE_LIST NDIS_RESOURCE_LIST, *PNDIS_RESOURCE_LIST;

typedef enum _NDIS_MEDIUM {
    NdisMedium802_3,
    NdisMedium802_5,
    NdisMediumFddi,
    NdisMediumWan,
    NdisMediumLocalTalk,
    NdisMediumDix,
    NdisMediumArcnetRaw,
    NdisMediumArcnet878_2,
    NdisMediumAtm,
    NdisMediumWirelessWan,
    NdisMediumIrda,
    NdisMediumBpc,
    NdisMediumCoWan,
    NdisMedium1394,
    NdisMediumInfiniBand,
    NdisMediumTunnel,
    NdisMediumNative802_11,
    NdisMediumLoopback,
    NdisMediumMax
} NDIS_MEDIUM,
    *PNDIS_MEDIUM;

typedef enum _NDIS_PHYSICAL_MEDIUM {
    NdisPhysicalMediumUnspecified,
    NdisPhysicalMediumWirelessLan,
    NdisPhysicalMediumCableModem,
    NdisPhysicalMediumPhoneLine,
    NdisPhysicalMediumPowerLine,
    NdisPhysicalMediumDSL,
    NdisPhysicalMediumFibreChannel,
    NdisPhysicalMedium1394,
    NdisPhysicalMediumWirelessWan,
    NdisPhysicalMediumNative802_11,
    NdisPhysicalMediumBluetooth,
    NdisPhysicalMediumInfiniband,
    NdisPhysicalMediumWiMax,
    NdisPhysicalMediumUWB,
    NdisPhysicalMedium802_3,
    NdisPhysicalMedium802_5,
    NdisPhysicalMediumIrda,
    NdisPhysicalMediumWiredWAN,
    NdisPhysicalMediumWiredCoWan,
    NdisPhysicalMediumOther,
    NdisPhysicalMediumMax
} NDIS_PHYSICAL_MEDIUM,
    *PNDIS_PHYSICAL_MEDIUM;

/* Interface properties (ifdef.h) */
typedef enum _NET_IF_MEDIA_CONNECT_STATE {
    MediaConnectStateUnknown,
    MediaConnectStateConnected,
    MediaConnectStateDisconnected
} NET_IF_MEDIA_CONNECT_STATE,
    *PNET_IF_MEDIA_CONNECT_STATE;

typedef enum _NET_IF_MEDIA_DUPLEX_STATE {
    MediaDuplexStateUnknown,
    MediaDuplexStateHalf,
    MediaDuplexStateFull
} NET_IF_MEDIA_DUPLEX_STATE,
    *PNET_IF_MEDIA_DUPLEX_STATE;

typedef NET_IF_MEDIA_CONNECT_STATE NDIS_MEDIA_CONNECT_STATE, *PNDIS_MEDIA_CONNECT_STATE;
typedef NET_IF_MEDIA_DUPLEX_STATE NDIS_MEDIA_DUPLEX_STATE, *PNDIS_MEDIA_DUPLEX_STATE;

typedef enum _NET_IF_ACCESS_TYPE {
    NET_IF_ACCESS_LOOPBACK = 1,
    NET_IF_ACCESS_BROADCAST = 2,
    NET_IF_ACCESS_POINT_TO_POINT = 3,
    NET_IF_ACCESS_POINT_TO_MULTI_POINT = 4,
    NET_IF_ACCESS_MAXIMUM = 5
} NET_IF_ACCESS_TYPE,
    *PNET_IF_ACCESS_TYPE;

typedef enum _NET_IF_DIRECTION_TYPE {
    NET_IF_DIRECTION_SENDRECEIVE,
    NET_IF_DIRECTION_SENDONLY,
    NET_IF_DIRECTION_RECEIVEONLY,
    NET_IF_DIRECTION_MAXIMUM
} NET_IF_DIRECTION_TYPE,
    *PNET_IF_DIRECTION_TYPE;

typedef enum _NET_IF_CONNECTION_TYPE {
    NET_IF_CONNECTION_DEDICATED = 1,
    NET_IF_CONNECTION_PASSIVE = 2,
    NET_IF_CONNECTION_DEMAND = 3,
    NET_IF_CONNECTION_MAXIMUM = 4
} NET_IF_CONNECTION_TYPE,
    *PNET_IF_CONNECTION_TYPE;

#define IF_TYPE_OTHER                1
#define IF_TYPE_ETHERNET_CSMACD      6
#define IF_TYPE_IEEE80211            71
#define IF_TYPE_IRDA                 144
#define IF_MAX_PHYS_ADDRESS_LENGTH   32
#define NDIS_MAX_PHYS_ADDRESS_LENGTH IF_MAX_PHYS_ADDRESS_LENGTH
#define NET_IF_LINK_SPEED_UNKNOWN    ((ULONG64)(-1))
#define NDIS_LINK_SPEED_UNKNOWN      NET_IF_LINK_SPEED_UNKNOWN

typedef enum _NDIS_SUPPORTED_PAUSE_FUNCTIONS {
    NdisPauseFunctionsUnsupported,
    NdisPauseFunctionsSendOnly,
    NdisPauseFunctionsReceiveOnly,
    NdisPauseFunctionsSendAndReceive,
    NdisPauseFunctionsUnknown
} NDIS_SUPPORTED_PAUSE_FUNCTIONS,
    *PNDIS_SUPPORTED_PAUSE_FUNCTIONS;

/* NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES.AutoNegotiationFlags */
#define NDIS_LINK_STATE_XMIT_LINK_SPEED_AUTO_NEGOTIATED 0x00000001
#define NDIS_LINK_STATE_RCV_LINK_SPEED_AUTO_NEGOTIATED  0x00000002
#define NDIS_LINK_STATE_DUPLEX_AUTO_NEGOTIATED          0x00000004
#define NDIS_LINK_STATE_PAUSE_FUNCTIONS_AUTO_NEGOTIATED 0x00000008

/* MAC options (OID_GEN_MAC_OPTIONS, GeneralAttributes.MacOptions) */
#define NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA            0x00000001
#define NDIS_MAC_OPTION_RECEIVE_SERIALIZED             0x00000002
#define NDIS_MAC_OPTION_TRANSFERS_NOT_PEND             0x00000004
#define NDIS_MAC_OPTION_NO_LOOPBACK                    0x00000008
#define NDIS_MAC_OPTION_FULL_DUPLEX                    0x00000010
#define NDIS_MAC_OPTION_EOTX_INDICATION                0x00000020
#define NDIS_MAC_OPTION_8021P_PRIORITY                 0x00000040
#define NDIS_MAC_OPTION_SUPPORTS_MAC_ADDRESS_OVERWRITE 0x00000080
#define NDIS_MAC_OPTION_RECEIVE_AT_DPC                 0x00000100
#define NDIS_MAC_OPTION_8021Q_VLAN                     0x00000200
#define NDIS_MAC_OPTION_RESERVED                       0x80000000

/* Packet filter (OID_GEN_CURRENT_PACKET_FILTER, SupportedPacketFilters) */
#define NDIS_PACKET_TYPE_DIRECTED       0x00000001
#define NDIS_PACKET_TYPE_MULTICAST      0x00000002
#define NDIS_PACKET_TYPE_ALL_MULTICAST  0x00000004
#define NDIS_PACKET_TYPE_BROADCAST      0x00000008
#define NDIS_PACKET_TYPE_SOURCE_ROUTING 0x00000010
#define NDIS_PACKET_TYPE_PROMISCUOUS    0x00000020
#define NDIS_PACKET_TYPE_SMT            0x00000040
#define NDIS_PACKET_TYPE_ALL_LOCAL      0x00000080
#define NDIS_PACKET_TYPE_GROUP          0x00001000
#define NDIS_PACKET_TYPE_ALL_FUNCTIONAL 0x00002000
#define NDIS_PACKET_TYPE_FUNCTIONAL     0x00004000
#define NDIS_PACKET_TYPE_MAC_FRAME      0x00008000
#define NDIS_PACKET_TYPE_NO_LOCAL       0x00010000

/* GeneralAttributes.SupportedStatistics */
#define NDIS_STATISTICS_XMIT_OK_SUPPORTED               0x00000001
#define NDIS_STATISTICS_RCV_OK_SUPPORTED                0x00000002
#define NDIS_STATISTICS_XMIT_ERROR_SUPPORTED            0x00000004
#define NDIS_STATISTICS_RCV_ERROR_SUPPORTED             0x00000008
#define NDIS_STATISTICS_RCV_NO_BUFFER_SUPPORTED         0x00000010
#define NDIS_STATISTICS_DIRECTED_BYTES_XMIT_SUPPORTED   0x00000020
#define NDIS_STATISTICS_DIRECTED_FRAMES_XMIT_SUPPORTED  0x00000040
#define NDIS_STATISTICS_MULTICAST_BYTES_XMIT_SUPPORTED  0x00000080
#define NDIS_STATISTICS_MULTICAST_FRAMES_XMIT_SUPPORTED 0x00000100
#define NDIS_STATISTICS_BROADCAST_BYTES_XMIT_SUPPORTED  0x00000200
#define NDIS_STATISTICS_BROADCAST_FRAMES_XMIT_SUPPORTED 0x00000400
#define NDIS_STATISTICS_DIRECTED_BYTES_RCV_SUPPORTED    0x00000800
#define NDIS_STATISTICS_DIRECTED_FRAMES_RCV_SUPPORTED   0x00001000
#define NDIS_STATISTICS_MULTICAST_BYTES_RCV_SUPPORTED   0x00002000
#define NDIS_STATISTICS_MULTICAST_FRAMES_RCV_SUPPORTED  0x00004000
#define NDIS_STATISTICS_BROADCAST_BYTES_RCV_SUPPORTED   0x00008000
#define NDIS_STATISTICS_BROADCAST_FRAMES_RCV_SUPPORTED  0x00010000
#define NDIS_STATISTICS_RCV_CRC_ERROR_SUPPORTED         0x00020000
#define NDIS_STATISTICS_TRANSMIT_QUEUE_LENGTH_SUPPORTED 0x00040000
#define NDIS_STATISTICS_BYTES_RCV_SUPPORTED             0x00080000
#define NDIS_STATISTICS_BYTES_XMIT_SUPPORTED            0x00100000
#define NDIS_STATISTICS_RCV_DISCARDS_SUPPORTED          0x00200000
#define NDIS_STATISTICS_GEN_STATISTICS_SUPPORTED        0x00400000
#define NDIS_STATISTICS_XMIT_DISCARDS_SUPPORTED         0x08000000

/* ---- System (subordinate) DMA ---- */

/* A miniport's description of its system DMA channel (NdisMRegisterDmaChannel). */
typedef struct _NDIS_DMA_DESCRIPTION {
    BOOLEAN DemandMode;          /* demand-mode transfers (else single) */
    BOOLEAN AutoInitialize;      /* the controller reloads at terminal count */
    BOOLEAN DmaChannelSpecified; /* ignored by Windows (and ndisdma), see N2 */
    DMA_WIDTH DmaWidth;          /* Width8Bits (channels 0-3), Width16Bits (5-7) */
    DMA_SPEED DmaSpeed;          /* Compatible, TypeA, TypeB, TypeC, TypeF */
    ULONG DmaPort;               /* 0 on ISA */
    ULONG DmaChannel;            /* ignored: the DmaChannel parameter is used */
} NDIS_DMA_DESCRIPTION, *PNDIS_DMA_DESCRIPTION;

/* NDIS's own DMA channel object; drivers only ever hold it as a handle. */
typedef struct _NDIS_DMA_BLOCK NDIS_DMA_BLOCK, *PNDIS_DMA_BLOCK;

typedef UCHAR NDIS_DMA_SIZE;
#define NDIS_DMA_24BITS ((NDIS_DMA_SIZE)0)
#define NDIS_DMA_32BITS ((NDIS_DMA_SIZE)1)
#define NDIS_DMA_64BITS ((NDIS_DMA_SIZE)2)

/* ---- NDIS 6 objects ---- */

/* Every NDIS 6 structure starts with this header; Size is in bytes. */
typedef struct _NDIS_OBJECT_HEADER {
    UCHAR Type;
    UCHAR Revision;
    USHORT Size;
} NDIS_OBJECT_HEADER, *PNDIS_OBJECT_HEADER;

#define NDIS_OBJECT_TYPE_DEFAULT                                          0x80
#define NDIS_OBJECT_TYPE_MINIPORT_INIT_PARAMETERS                         0x81
#define NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION                               0x83
#define NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT                               0x84
#define NDIS_OBJECT_TYPE_DEVICE_OBJECT_ATTRIBUTES                         0x85
#define NDIS_OBJECT_TYPE_BIND_PARAMETERS                                  0x86
#define NDIS_OBJECT_TYPE_OPEN_PARAMETERS                                  0x87
#define NDIS_OBJECT_TYPE_RSS_CAPABILITIES                                 0x88
#define NDIS_OBJECT_TYPE_RSS_PARAMETERS                                   0x89
#define NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS                  0x8A
#define NDIS_OBJECT_TYPE_FILTER_DRIVER_CHARACTERISTICS                    0x8B
#define NDIS_OBJECT_TYPE_FILTER_PARTIAL_CHARACTERISTICS                   0x8C
#define NDIS_OBJECT_TYPE_FILTER_ATTRIBUTES                                0x8D
#define NDIS_OBJECT_TYPE_CLIENT_CHIMNEY_OFFLOAD_GENERIC_CHARACTERISTICS   0x8E
#define NDIS_OBJECT_TYPE_PROVIDER_CHIMNEY_OFFLOAD_GENERIC_CHARACTERISTICS 0x8F
#define NDIS_OBJECT_TYPE_CO_PROTOCOL_CHARACTERISTICS                      0x90
#define NDIS_OBJECT_TYPE_CO_MINIPORT_CHARACTERISTICS                      0x91
#define NDIS_OBJECT_TYPE_MINIPORT_PNP_CHARACTERISTICS                     0x92
#define NDIS_OBJECT_TYPE_CLIENT_CHIMNEY_OFFLOAD_CHARACTERISTICS           0x93
#define NDIS_OBJECT_TYPE_PROVIDER_CHIMNEY_OFFLOAD_CHARACTERISTICS         0x94
#define NDIS_OBJECT_TYPE_PROTOCOL_DRIVER_CHARACTERISTICS                  0x95
#define NDIS_OBJECT_TYPE_REQUEST_EX                                       0x96
#define NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS                            0x97
#define NDIS_OBJECT_TYPE_STATUS_INDICATION                                0x98
#define NDIS_OBJECT_TYPE_FILTER_ATTACH_PARAMETERS                         0x99
#define NDIS_OBJECT_TYPE_FILTER_PAUSE_PARAMETERS                          0x9A
#define NDIS_OBJECT_TYPE_FILTER_RESTART_PARAMETERS                        0x9B
#define NDIS_OBJECT_TYPE_PORT_CHARACTERISTICS                             0x9C
#define NDIS_OBJECT_TYPE_PORT_STATE                                       0x9D
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES         0x9E
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES              0x9F
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES              0xA0
#define NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_NATIVE_802_11_ATTRIBUTES        0xA1
#define NDIS_OBJECT_TYPE_RESTART_GENERAL_ATTRIBUTES                       0xA2
#define NDIS_OBJECT_TYPE_PROTOCOL_RESTART_PARAMETERS                      0xA3
#define NDIS_OBJECT_TYPE_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES      0xA4
#define NDIS_OBJECT_TYPE_CO_CALL_MANAGER_OPTIONAL_HANDLERS                0xA5
#define NDIS_OBJECT_TYPE_CO_CLIENT_OPTIONAL_HANDLERS                      0xA6
#define NDIS_OBJECT_TYPE_OFFLOAD                                          0xA7
#define NDIS_OBJECT_TYPE_OFFLOAD_ENCAPSULATION                            0xA8
#define NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT                             0xA9
#define NDIS_OBJECT_TYPE_DRIVER_WRAPPER_OBJECT                            0xAA

/* NET_BUFFER, NET_BUFFER_LIST and NDIS_OID_REQUEST are defined with the
   data path below; the others are referenced by pointer fields only. */
typedef struct _NET_BUFFER NET_BUFFER, *PNET_BUFFER;
typedef struct _NET_BUFFER_LIST NET_BUFFER_LIST, *PNET_BUFFER_LIST;
typedef struct _NDIS_OID_REQUEST NDIS_OID_REQUEST, *PNDIS_OID_REQUEST;
typedef struct _NDIS_RESTART_ATTRIBUTES NDIS_RESTART_ATTRIBUTES, *PNDIS_RESTART_ATTRIBUTES;
typedef struct _NDIS_PORT_AUTHENTICATION_PARAMETERS NDIS_PORT_AUTHENTICATION_PARAMETERS,
    *PNDIS_PORT_AUTHENTICATION_PARAMETERS;
typedef struct _NDIS_PCI_DEVICE_CUSTOM_PROPERTIES NDIS_PCI_DEVICE_CUSTOM_PROPERTIES,
    *PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES;
typedef struct _NDIS_PNP_CAPABILITIES NDIS_PNP_CAPABILITIES, *PNDIS_PNP_CAPABILITIES;
typedef struct _NDIS_PM_CAPABILITIES NDIS_PM_CAPABILITIES, *PNDIS_PM_CAPABILITIES;
typedef struct _NDIS_RECEIVE_SCALE_CAPABILITIES NDIS_RECEIVE_SCALE_CAPABILITIES,
    *PNDIS_RECEIVE_SCALE_CAPABILITIES;
typedef struct _NDIS_OFFLOAD NDIS_OFFLOAD, *PNDIS_OFFLOAD;
typedef struct _NDIS_TCP_CONNECTION_OFFLOAD NDIS_TCP_CONNECTION_OFFLOAD,
    *PNDIS_TCP_CONNECTION_OFFLOAD;

/* ---- Miniport adapter initialization and state changes ---- */

#define NDIS_MINIPORT_INIT_PARAMETERS_REVISION_1 1

/* What MiniportInitializeEx gets. AllocatedResources lists the adapter's
   DMA channel, interrupt and port range as CM partial descriptors. */
typedef struct _NDIS_MINIPORT_INIT_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    PNDIS_RESOURCE_LIST AllocatedResources;
    NDIS_HANDLE IMDeviceInstanceContext;
    NDIS_HANDLE MiniportAddDeviceContext;
    NET_IFINDEX IfIndex;
    NET_LUID NetLuid;
    PNDIS_PORT_AUTHENTICATION_PARAMETERS DefaultPortAuthStates;
    PNDIS_PCI_DEVICE_CUSTOM_PROPERTIES PciDeviceCustomProperties;
} NDIS_MINIPORT_INIT_PARAMETERS, *PNDIS_MINIPORT_INIT_PARAMETERS;

/* The WDK's name is singular (PARAMETER); the plural is ndisdma's alias. */
#define NDIS_SIZEOF_MINIPORT_INIT_PARAMETER_REVISION_1                                             \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_INIT_PARAMETERS, PciDeviceCustomProperties)
#define NDIS_SIZEOF_MINIPORT_INIT_PARAMETERS_REVISION_1                                            \
    NDIS_SIZEOF_MINIPORT_INIT_PARAMETER_REVISION_1

#define NDIS_MINIPORT_RESTART_PARAMETERS_REVISION_1 1

typedef struct _NDIS_MINIPORT_RESTART_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    PNDIS_RESTART_ATTRIBUTES RestartAttributes;
    ULONG Flags;
} NDIS_MINIPORT_RESTART_PARAMETERS, *PNDIS_MINIPORT_RESTART_PARAMETERS;

#define NDIS_SIZEOF_MINIPORT_RESTART_PARAMETERS_REVISION_1                                         \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_RESTART_PARAMETERS, Flags)

#define NDIS_MINIPORT_PAUSE_PARAMETERS_REVISION_1 1

typedef struct _NDIS_MINIPORT_PAUSE_PARAMETERS {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    ULONG PauseReason; /* NDIS_PAUSE_* */
} NDIS_MINIPORT_PAUSE_PARAMETERS, *PNDIS_MINIPORT_PAUSE_PARAMETERS;

/* Through Flags, not PauseReason: the WDK's definition. */
#define NDIS_SIZEOF_MINIPORT_PAUSE_PARAMETERS_REVISION_1                                           \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_PAUSE_PARAMETERS, Flags)

#define NDIS_PAUSE_NDIS_INTERNAL          0x00000001
#define NDIS_PAUSE_LOW_POWER              0x00000002
#define NDIS_PAUSE_BIND_PROTOCOL          0x00000004
#define NDIS_PAUSE_UNBIND_PROTOCOL        0x00000008
#define NDIS_PAUSE_ATTACH_FILTER          0x00000010
#define NDIS_PAUSE_DETACH_FILTER          0x00000020
#define NDIS_PAUSE_FILTER_RESTART_STACK   0x00000040
#define NDIS_PAUSE_MINIPORT_DEVICE_REMOVE 0x00000080

typedef enum _NDIS_HALT_ACTION {
    NdisHaltDeviceDisabled,
    NdisHaltDeviceInstanceDeInitialized,
    NdisHaltDevicePoweredDown,
    NdisHaltDeviceSurpriseRemoved,
    NdisHaltDeviceFailed,
    NdisHaltDeviceInitializationFailed,
    NdisHaltDeviceStopped
} NDIS_HALT_ACTION,
    *PNDIS_HALT_ACTION;

/* PNDIS_SHUTDOWN_ACTION is not a pointer type: the WDK declares it so. */
typedef enum _NDIS_SHUTDOWN_ACTION {
    NdisShutdownPowerOff,
    NdisShutdownBugCheck
} NDIS_SHUTDOWN_ACTION,
    PNDIS_SHUTDOWN_ACTION;

typedef enum _NDIS_DEVICE_PNP_EVENT {
    NdisDevicePnPEventQueryRemoved,
    NdisDevicePnPEventRemoved,
    NdisDevicePnPEventSurpriseRemoved,
    NdisDevicePnPEventQueryStopped,
    NdisDevicePnPEventStopped,
    NdisDevicePnPEventPowerProfileChanged,
    NdisDevicePnPEventFilterListChanged,
    NdisDevicePnPEventMaximum
} NDIS_DEVICE_PNP_EVENT,
    *PNDIS_DEVICE_PNP_EVENT;

#define NET_DEVICE_PNP_EVENT_REVISION_1 1

typedef struct _NET_DEVICE_PNP_EVENT {
    NDIS_OBJECT_HEADER Header;
    NDIS_PORT_NUMBER PortNumber;
    NDIS_DEVICE_PNP_EVENT DevicePnPEvent;
    PVOID InformationBuffer;
    ULONG InformationBufferLength;
    UCHAR NdisReserved[2 * sizeof(PVOID)];
} NET_DEVICE_PNP_EVENT, *PNET_DEVICE_PNP_EVENT;

#define NDIS_SIZEOF_NET_DEVICE_PNP_EVENT_REVISION_1                                                \
    RTL_SIZEOF_THROUGH_FIELD(NET_DEVICE_PNP_EVENT, NdisReserved)

/* ---- Miniport adapter attributes (NdisMSetMiniportAttributes) ---- */

#define NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1 1

/* Set first, in MiniportInitializeEx: the adapter context NDIS passes back
   to every MiniportXxx handler, and the bus the adapter is on. */
typedef struct _NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header;
    NDIS_HANDLE MiniportAdapterContext;
    ULONG AttributeFlags; /* NDIS_MINIPORT_ATTRIBUTES_* */
    UINT CheckForHangTimeInSeconds;
    NDIS_INTERFACE_TYPE InterfaceType;
} NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;

#define NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1                            \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES, InterfaceType)

#define NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE       0x00000001
#define NDIS_MINIPORT_ATTRIBUTES_NDIS_WDM              0x00000002
#define NDIS_MINIPORT_ATTRIBUTES_SURPRISE_REMOVE_OK    0x00000004
#define NDIS_MINIPORT_ATTRIBUTES_NOT_CO_NDIS           0x00000008
#define NDIS_MINIPORT_ATTRIBUTES_DO_NOT_BIND_TO_ALL_CO 0x00000010
#define NDIS_MINIPORT_ATTRIBUTES_NO_HALT_ON_SUSPEND    0x00000020
#define NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER            0x00000040
#define NDIS_MINIPORT_ATTRIBUTES_CONTROLS_DEFAULT_PORT 0x00000080

#define NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES_REVISION_1 1

typedef struct _NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header;
    NDIS_HANDLE MiniportAddDeviceContext;
    ULONG Flags;
} NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES,
    *PNDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES;

#define NDIS_SIZEOF_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES_REVISION_1                         \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES, Flags)

#define NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1 1
#define NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2 2

/* Set second: what the adapter is (medium, speeds, addresses, filters). */
typedef struct _NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header;
    ULONG Flags;
    NDIS_MEDIUM MediaType;
    NDIS_PHYSICAL_MEDIUM PhysicalMediumType;
    ULONG MtuSize;
    ULONG64 MaxXmitLinkSpeed;
    ULONG64 XmitLinkSpeed;
    ULONG64 MaxRcvLinkSpeed;
    ULONG64 RcvLinkSpeed;
    NDIS_MEDIA_CONNECT_STATE MediaConnectState;
    NDIS_MEDIA_DUPLEX_STATE MediaDuplexState;
    ULONG LookaheadSize;
    PNDIS_PNP_CAPABILITIES PowerManagementCapabilities;
    ULONG MacOptions;
    ULONG SupportedPacketFilters;
    ULONG MaxMulticastListSize;
    USHORT MacAddressLength;
    UCHAR PermanentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    UCHAR CurrentMacAddress[NDIS_MAX_PHYS_ADDRESS_LENGTH];
    PNDIS_RECEIVE_SCALE_CAPABILITIES RecvScaleCapabilities;
    NET_IF_ACCESS_TYPE AccessType;
    NET_IF_DIRECTION_TYPE DirectionType;
    NET_IF_CONNECTION_TYPE ConnectionType;
    NET_IFTYPE IfType;
    BOOLEAN IfConnectorPresent;
    ULONG SupportedStatistics;
    ULONG SupportedPauseFunctions;
    ULONG DataBackFillSize;
    ULONG ContextBackFillSize;
    PNDIS_OID SupportedOidList;
    ULONG SupportedOidListLength;
    ULONG AutoNegotiationFlags;
    PNDIS_PM_CAPABILITIES PowerManagementCapabilitiesEx; /* revision 2 (NDIS 6.20) */
} NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;

#define NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1                                 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES, AutoNegotiationFlags)
#define NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_2                                 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES,                             \
                             PowerManagementCapabilitiesEx)

#define NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1 1

typedef struct _NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES {
    NDIS_OBJECT_HEADER Header;
    PNDIS_OFFLOAD DefaultOffloadConfiguration;
    PNDIS_OFFLOAD HardwareOffloadCapabilities;
    PNDIS_TCP_CONNECTION_OFFLOAD DefaultTcpConnectionOffloadConfiguration;
    PNDIS_TCP_CONNECTION_OFFLOAD TcpConnectionOffloadHardwareCapabilities;
} NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES;

#define NDIS_SIZEOF_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES_REVISION_1                                 \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES,                             \
                             TcpConnectionOffloadHardwareCapabilities)

/* What NdisMSetMiniportAttributes takes: one of these, told apart by
   Header.Type. (The WDK's union also holds the native 802.11 attributes,
   which this subset does not provide.) */
typedef union _NDIS_MINIPORT_ADAPTER_ATTRIBUTES {
    NDIS_MINIPORT_ADD_DEVICE_REGISTRATION_ATTRIBUTES AddDeviceRegistrationAttributes;
    NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES RegistrationAttributes;
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES GeneralAttributes;
    NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES OffloadAttributes;
} NDIS_MINIPORT_ADAPTER_ATTRIBUTES, *PNDIS_MINIPORT_ADAPTER_ATTRIBUTES;

/* ---- NET_BUFFER, NET_BUFFER_LIST and their pools (the NDIS 6 data path) ----
   A NET_BUFFER is one frame: DataLength bytes starting DataOffset bytes into
   its MDL chain (CurrentMdl/CurrentMdlOffset point at the first data byte).
   A NET_BUFFER_LIST carries one or more NET_BUFFERs; NBLs are chained with
   Next. Drivers use the accessor macros, never the fields' offsets. The
   layout is the WDK's (x64 field order). */

/* The WDK's interlocked singly linked list head: 16 bytes, 16-aligned on
   64-bit Windows. NDIS only overlays it on the NB and NBL headers. */
typedef union _SLIST_HEADER {
    struct {
        ULONGLONG Alignment;
        ULONGLONG Region;
    } s;
    _Alignas(16) UCHAR Bytes[16];
} SLIST_HEADER, *PSLIST_HEADER;

typedef struct _NET_BUFFER_LIST_CONTEXT NET_BUFFER_LIST_CONTEXT, *PNET_BUFFER_LIST_CONTEXT;
struct _NET_BUFFER_LIST_CONTEXT {
    PNET_BUFFER_LIST_CONTEXT Next;
    USHORT Size;
    USHORT Offset;
    _Alignas(16) UCHAR ContextData[];
};

typedef struct _NET_BUFFER_DATA {
    PNET_BUFFER Next;
    PMDL CurrentMdl;
    ULONG CurrentMdlOffset;
    union {
        ULONG DataLength;
        SIZE_T stDataLength;
    };
    PMDL MdlChain;
    ULONG DataOffset;
} NET_BUFFER_DATA, *PNET_BUFFER_DATA;

typedef union _NET_BUFFER_HEADER {
    NET_BUFFER_DATA NetBufferData;
    SLIST_HEADER Link;
} NET_BUFFER_HEADER, *PNET_BUFFER_HEADER;

struct _NET_BUFFER {
    union {
        struct {
            PNET_BUFFER Next;
            PMDL CurrentMdl;
            ULONG CurrentMdlOffset;
            union {
                ULONG DataLength;
                SIZE_T stDataLength;
            };
            PMDL MdlChain;
            ULONG DataOffset;
        };
        SLIST_HEADER Link;
        NET_BUFFER_HEADER NetBufferHeader;
    };
    USHORT ChecksumBias;
    USHORT Reserved;
    NDIS_HANDLE NdisPoolHandle;
    PVOID NdisReserved[2];
    PVOID ProtocolReserved[6];
    PVOID MiniportReserved[4];
    NDIS_PHYSICAL_ADDRESS DataPhysicalAddress;
    PVOID ScatterGatherList; /* the WDK's union of SharedMemoryInfo and ScatterGatherList */
};

/* NetBufferListInfo slots (NDIS 6.0 numbering). */
typedef enum _NDIS_NET_BUFFER_LIST_INFO {
    TcpIpChecksumNetBufferListInfo,
    IPsecOffloadV1NetBufferListInfo,
    TcpLargeSendNetBufferListInfo,
    ClassificationHandleNetBufferListInfo,
    Ieee8021QNetBufferListInfo,
    NetBufferListCancelId,
    MediaSpecificInformation,
    NetBufferListFrameType,
    NetBufferListHashValue,
    NetBufferListHashInfo,
    WfpNetBufferListInfo,
    MaxNetBufferListInfo
} NDIS_NET_BUFFER_LIST_INFO,
    *PNDIS_NET_BUFFER_LIST_INFO;

#define NetBufferListProtocolId    NetBufferListFrameType
#define TcpOffloadBytesTransferred TcpIpChecksumNetBufferListInfo

typedef struct _NET_BUFFER_LIST_DATA {
    PNET_BUFFER_LIST Next;
    PNET_BUFFER FirstNetBuffer;
} NET_BUFFER_LIST_DATA, *PNET_BUFFER_LIST_DATA;

typedef union _NET_BUFFER_LIST_HEADER {
    NET_BUFFER_LIST_DATA NetBufferListData;
    SLIST_HEADER Link;
} NET_BUFFER_LIST_HEADER, *PNET_BUFFER_LIST_HEADER;

struct _NET_BUFFER_LIST {
    union {
        struct {
            PNET_BUFFER_LIST Next;
            PNET_BUFFER FirstNetBuffer;
        };
        SLIST_HEADER Link;
        NET_BUFFER_LIST_HEADER NetBufferListHeader;
    };
    PNET_BUFFER_LIST_CONTEXT Context;
    PNET_BUFFER_LIST ParentNetBufferList;
    NDIS_HANDLE NdisPoolHandle;
    PVOID NdisReserved[2];
    PVOID ProtocolReserved[4];
    PVOID MiniportReserved[2];
    PVOID Scratch;
    NDIS_HANDLE SourceHandle;
    ULONG NblFlags;
    LONG ChildRefCount;
    ULONG Flags;
    union {
        NDIS_STATUS Status;
        ULONG NdisReserved2;
    };
    PVOID NetBufferListInfo[MaxNetBufferListInfo];
};

#define NET_BUFFER_NEXT_NB(_NB)            ((_NB)->Next)
#define NET_BUFFER_FIRST_MDL(_NB)          ((_NB)->MdlChain)
#define NET_BUFFER_DATA_LENGTH(_NB)        ((_NB)->DataLength)
#define NET_BUFFER_DATA_OFFSET(_NB)        ((_NB)->DataOffset)
#define NET_BUFFER_CURRENT_MDL(_NB)        ((_NB)->CurrentMdl)
#define NET_BUFFER_CURRENT_MDL_OFFSET(_NB) ((_NB)->CurrentMdlOffset)
#define NET_BUFFER_PROTOCOL_RESERVED(_NB)  ((_NB)->ProtocolReserved)
#define NET_BUFFER_MINIPORT_RESERVED(_NB)  ((_NB)->MiniportReserved)
#define NET_BUFFER_CHECKSUM_BIAS(_NB)      ((_NB)->ChecksumBias)

#define NET_BUFFER_LIST_NEXT_NBL(_NBL)          ((_NBL)->Next)
#define NET_BUFFER_LIST_FIRST_NB(_NBL)          ((_NBL)->FirstNetBuffer)
#define NET_BUFFER_LIST_FLAGS(_NBL)             ((_NBL)->Flags)
#define NET_BUFFER_LIST_NBL_FLAGS(_NBL)         ((_NBL)->NblFlags)
#define NET_BUFFER_LIST_PROTOCOL_RESERVED(_NBL) ((_NBL)->ProtocolReserved)
#define NET_BUFFER_LIST_MINIPORT_RESERVED(_NBL) ((_NBL)->MiniportReserved)
#define NET_BUFFER_LIST_CONTEXT_DATA_START(_NBL)                                                   \
    ((PUCHAR)(((_NBL)->Context)->ContextData) + ((_NBL)->Context)->Offset)
#define NET_BUFFER_LIST_CONTEXT_DATA_SIZE(_NBL) (((_NBL)->Context)->Size)
#define NET_BUFFER_LIST_INFO(_NBL, _Id)         ((_NBL)->NetBufferListInfo[(_Id)])
#define NET_BUFFER_LIST_STATUS(_NBL)            ((_NBL)->Status)

#define NDIS_MDL_LINKAGE(_Mdl) ((_Mdl)->Next)
#define NdisGetNextMdl(_CurrentMdl, _NextMdl)                                                      \
    {                                                                                              \
        *(_NextMdl) = (_CurrentMdl)->Next;                                                         \
    }

#define NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1 1
#define NET_BUFFER_POOL_PARAMETERS_REVISION_1      1

#define NDIS_PROTOCOL_ID_DEFAULT 0x00
#define NDIS_PROTOCOL_ID_TCP_IP  0x02
#define NDIS_PROTOCOL_ID_IPX     0x06
#define NDIS_PROTOCOL_ID_NBF     0x07

typedef struct _NET_BUFFER_LIST_POOL_PARAMETERS {
    NDIS_OBJECT_HEADER Header;  /* NDIS_OBJECT_TYPE_DEFAULT, revision 1 */
    UCHAR ProtocolId;           /* NDIS_PROTOCOL_ID_* */
    BOOLEAN fAllocateNetBuffer; /* each NBL comes with one NET_BUFFER */
    USHORT ContextSize;         /* a multiple of MEMORY_ALLOCATION_ALIGNMENT */
    ULONG PoolTag;
    ULONG DataSize; /* with fAllocateNetBuffer: data buffer allocated per NBL, 0 = none */
} NET_BUFFER_LIST_POOL_PARAMETERS, *PNET_BUFFER_LIST_POOL_PARAMETERS;

#define NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1                                     \
    RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_LIST_POOL_PARAMETERS, DataSize)

typedef struct _NET_BUFFER_POOL_PARAMETERS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_DEFAULT, revision 1 */
    ULONG PoolTag;
    ULONG DataSize;
} NET_BUFFER_POOL_PARAMETERS, *PNET_BUFFER_POOL_PARAMETERS;

#define NDIS_SIZEOF_NET_BUFFER_POOL_PARAMETERS_REVISION_1                                          \
    RTL_SIZEOF_THROUGH_FIELD(NET_BUFFER_POOL_PARAMETERS, DataSize)

/* Send, send-complete, receive and return flags. */
#define NDIS_DEFAULT_PORT_NUMBER ((NDIS_PORT_NUMBER)0)

#define NDIS_SEND_FLAGS_DISPATCH_LEVEL     0x00000001
#define NDIS_SEND_FLAGS_CHECK_FOR_LOOPBACK 0x00000002
#define NDIS_TEST_SEND_FLAG(_Flags, _Fl)   (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_SEND_FLAG(_Flags, _Fl)    ((_Flags) |= (_Fl))
#define NDIS_TEST_SEND_AT_DISPATCH_LEVEL(_Flags)                                                   \
    NDIS_TEST_SEND_FLAG((_Flags), NDIS_SEND_FLAGS_DISPATCH_LEVEL)

#define NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL   0x00000001
#define NDIS_TEST_SEND_COMPLETE_FLAG(_Flags, _Fl) (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_SEND_COMPLETE_FLAG(_Flags, _Fl)  ((_Flags) |= (_Fl))
#define NDIS_TEST_SEND_COMPLETE_AT_DISPATCH_LEVEL(_Flags)                                          \
    NDIS_TEST_SEND_COMPLETE_FLAG((_Flags), NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL)

#define NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL    0x00000001
#define NDIS_RECEIVE_FLAGS_RESOURCES         0x00000002
#define NDIS_RECEIVE_FLAGS_SINGLE_ETHER_TYPE 0x00000100
#define NDIS_RECEIVE_FLAGS_SINGLE_VLAN       0x00000200
#define NDIS_RECEIVE_FLAGS_PERFECT_FILTERED  0x00000400
#define NDIS_TEST_RECEIVE_FLAG(_Flags, _Fl)  (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_RECEIVE_FLAG(_Flags, _Fl)   ((_Flags) |= (_Fl))
#define NDIS_TEST_RECEIVE_AT_DISPATCH_LEVEL(_Flags)                                                \
    NDIS_TEST_RECEIVE_FLAG((_Flags), NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL)
#define NDIS_TEST_RECEIVE_CANNOT_PEND(_Flags)                                                      \
    NDIS_TEST_RECEIVE_FLAG((_Flags), NDIS_RECEIVE_FLAGS_RESOURCES)

#define NDIS_RETURN_FLAGS_DISPATCH_LEVEL   0x00000001
#define NDIS_TEST_RETURN_FLAG(_Flags, _Fl) (((_Flags) & (_Fl)) == (_Fl))
#define NDIS_SET_RETURN_FLAG(_Flags, _Fl)  ((_Flags) |= (_Fl))
#define NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(_Flags)                                                 \
    NDIS_TEST_RETURN_FLAG((_Flags), NDIS_RETURN_FLAGS_DISPATCH_LEVEL)

/* ---- OID requests ---- */

typedef enum _NDIS_REQUEST_TYPE {
    NdisRequestQueryInformation,
    NdisRequestSetInformation,
    NdisRequestQueryStatistics,
    NdisRequestOpen,
    NdisRequestClose,
    NdisRequestSend,
    NdisRequestTransferData,
    NdisRequestReset,
    NdisRequestGeneric1,
    NdisRequestGeneric2,
    NdisRequestGeneric3,
    NdisRequestGeneric4,
    NdisRequestMethod
} NDIS_REQUEST_TYPE,
    *PNDIS_REQUEST_TYPE;

#define NDIS_OID_REQUEST_REVISION_1         1
#define NDIS_OID_REQUEST_NDIS_RESERVED_SIZE 16
#define NDIS_OBJECT_TYPE_OID_REQUEST        NDIS_OBJECT_TYPE_REQUEST_EX

/* What MiniportOidRequest gets. Header: NDIS_OBJECT_TYPE_OID_REQUEST,
   revision 1. The miniport answers in DATA and returns a status, or returns
   NDIS_STATUS_PENDING and later calls NdisMOidRequestComplete. */
struct _NDIS_OID_REQUEST {
    NDIS_OBJECT_HEADER Header;
    NDIS_REQUEST_TYPE RequestType;
    NDIS_PORT_NUMBER PortNumber;
    UINT Timeout; /* seconds */
    PVOID RequestId;
    NDIS_HANDLE RequestHandle;
    union _REQUEST_DATA {
        struct _QUERY {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            UINT InformationBufferLength;
            UINT BytesWritten;
            UINT BytesNeeded;
        } QUERY_INFORMATION;
        struct _SET {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            UINT InformationBufferLength;
            UINT BytesRead;
            UINT BytesNeeded;
        } SET_INFORMATION;
        struct _METHOD {
            NDIS_OID Oid;
            PVOID InformationBuffer;
            ULONG InputBufferLength;
            ULONG OutputBufferLength;
            ULONG MethodId;
            UINT BytesWritten;
            UINT BytesRead;
            UINT BytesNeeded;
        } METHOD_INFORMATION;
    } DATA;
    UCHAR NdisReserved[NDIS_OID_REQUEST_NDIS_RESERVED_SIZE * sizeof(PVOID)];
    UCHAR MiniportReserved[2 * sizeof(PVOID)];
    UCHAR SourceReserved[2 * sizeof(PVOID)];
    UCHAR SupportedRevision;
    UCHAR Reserved1;
    USHORT Reserved2;
};

#define NDIS_SIZEOF_OID_REQUEST_REVISION_1 RTL_SIZEOF_THROUGH_FIELD(NDIS_OID_REQUEST, Reserved2)

/* General OIDs (ntddndis.h values). */
#define OID_GEN_SUPPORTED_LIST         0x00010101
#define OID_GEN_HARDWARE_STATUS        0x00010102
#define OID_GEN_MEDIA_SUPPORTED        0x00010103
#define OID_GEN_MEDIA_IN_USE           0x00010104
#define OID_GEN_MAXIMUM_LOOKAHEAD      0x00010105
#define OID_GEN_MAXIMUM_FRAME_SIZE     0x00010106
#define OID_GEN_LINK_SPEED             0x00010107
#define OID_GEN_TRANSMIT_BUFFER_SPACE  0x00010108
#define OID_GEN_RECEIVE_BUFFER_SPACE   0x00010109
#define OID_GEN_TRANSMIT_BLOCK_SIZE    0x0001010A
#define OID_GEN_RECEIVE_BLOCK_SIZE     0x0001010B
#define OID_GEN_VENDOR_ID              0x0001010C
#define OID_GEN_VENDOR_DESCRIPTION     0x0001010D
#define OID_GEN_CURRENT_PACKET_FILTER  0x0001010E
#define OID_GEN_CURRENT_LOOKAHEAD      0x0001010F
#define OID_GEN_DRIVER_VERSION         0x00010110
#define OID_GEN_MAXIMUM_TOTAL_SIZE     0x00010111
#define OID_GEN_MAC_OPTIONS            0x00010113
#define OID_GEN_MEDIA_CONNECT_STATUS   0x00010114
#define OID_GEN_MAXIMUM_SEND_PACKETS   0x00010115
#define OID_GEN_VENDOR_DRIVER_VERSION  0x00010116
#define OID_GEN_MAX_LINK_SPEED         0x00010206
#define OID_GEN_LINK_STATE             0x00010207
#define OID_GEN_XMIT_OK                0x00020101
#define OID_GEN_RCV_OK                 0x00020102
#define OID_GEN_XMIT_ERROR             0x00020103
#define OID_GEN_RCV_ERROR              0x00020104
#define OID_GEN_RCV_NO_BUFFER          0x00020105
#define OID_GEN_STATISTICS             0x00020106
/* 802.3 OIDs */
#define OID_802_3_PERMANENT_ADDRESS    0x01010101
#define OID_802_3_CURRENT_ADDRESS      0x01010102
#define OID_802_3_MULTICAST_LIST       0x01010103
#define OID_802_3_MAXIMUM_LIST_SIZE    0x01010104
#define OID_802_3_RCV_ERROR_ALIGNMENT  0x01020101
#define OID_802_3_XMIT_ONE_COLLISION   0x01020102
#define OID_802_3_XMIT_MORE_COLLISIONS 0x01020103

/* OID_GEN_CURRENT_PACKET_FILTER bits */
#define NDIS_PACKET_TYPE_DIRECTED      0x00000001
#define NDIS_PACKET_TYPE_MULTICAST     0x00000002
#define NDIS_PACKET_TYPE_ALL_MULTICAST 0x00000004
#define NDIS_PACKET_TYPE_BROADCAST     0x00000008
#define NDIS_PACKET_TYPE_PROMISCUOUS   0x00000020

/* OID_GEN_MEDIA_CONNECT_STATUS answer. */
typedef enum _NDIS_MEDIA_STATE {
    NdisMediaStateConnected,
    NdisMediaStateDisconnected
} NDIS_MEDIA_STATE,
    *PNDIS_MEDIA_STATE;

typedef enum _NDIS_HARDWARE_STATUS {
    NdisHardwareStatusReady,
    NdisHardwareStatusInitializing,
    NdisHardwareStatusReset,
    NdisHardwareStatusClosing,
    NdisHardwareStatusNotReady
} NDIS_HARDWARE_STATUS,
    *PNDIS_HARDWARE_STATUS;

/* OID_GEN_STATISTICS answer. */
#define NDIS_STATISTICS_INFO_REVISION_1 1

typedef struct _NDIS_STATISTICS_INFO {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_DEFAULT, revision 1 */
    ULONG SupportedStatistics; /* NDIS_STATISTICS_FLAGS_VALID_* */
    ULONG64 ifInDiscards;
    ULONG64 ifInErrors;
    ULONG64 ifHCInOctets;
    ULONG64 ifHCInUcastPkts;
    ULONG64 ifHCInMulticastPkts;
    ULONG64 ifHCInBroadcastPkts;
    ULONG64 ifHCOutOctets;
    ULONG64 ifHCOutUcastPkts;
    ULONG64 ifHCOutMulticastPkts;
    ULONG64 ifHCOutBroadcastPkts;
    ULONG64 ifOutErrors;
    ULONG64 ifOutDiscards;
    ULONG64 ifHCInUcastOctets;
    ULONG64 ifHCInMulticastOctets;
    ULONG64 ifHCInBroadcastOctets;
    ULONG64 ifHCOutUcastOctets;
    ULONG64 ifHCOutMulticastOctets;
    ULONG64 ifHCOutBroadcastOctets;
} NDIS_STATISTICS_INFO, *PNDIS_STATISTICS_INFO;

#define NDIS_SIZEOF_STATISTICS_INFO_REVISION_1                                                     \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_STATISTICS_INFO, ifHCOutBroadcastOctets)

#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV   0x00000001
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_RCV  0x00000002
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_RCV  0x00000004
#define NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV             0x00000008
#define NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS          0x00000010
#define NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR             0x00000020
#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT  0x00000040
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_FRAMES_XMIT 0x00000080
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_FRAMES_XMIT 0x00000100
#define NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT            0x00000200
#define NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR            0x00000400
#define NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS         0x00008000
#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_RCV    0x00010000
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_RCV   0x00020000
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_RCV   0x00040000
#define NDIS_STATISTICS_FLAGS_VALID_DIRECTED_BYTES_XMIT   0x00080000
#define NDIS_STATISTICS_FLAGS_VALID_MULTICAST_BYTES_XMIT  0x00100000
#define NDIS_STATISTICS_FLAGS_VALID_BROADCAST_BYTES_XMIT  0x00200000

/* ---- Status indications (NdisMIndicateStatusEx) ---- */

#define NDIS_STATUS_INDICATION_REVISION_1 1

typedef struct _NDIS_STATUS_INDICATION {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_STATUS_INDICATION, revision 1 */
    NDIS_HANDLE SourceHandle;  /* the MiniportAdapterHandle */
    NDIS_PORT_NUMBER PortNumber;
    NDIS_STATUS StatusCode; /* NDIS_STATUS_LINK_STATE, ... */
    ULONG Flags;
    NDIS_HANDLE DestinationHandle;
    PVOID RequestId;
    PVOID StatusBuffer;
    ULONG StatusBufferSize;
    GUID Guid;
    PVOID NdisReserved[4];
} NDIS_STATUS_INDICATION, *PNDIS_STATUS_INDICATION;

#define NDIS_SIZEOF_STATUS_INDICATION_REVISION_1                                                   \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_STATUS_INDICATION, NdisReserved)

#define NDIS_LINK_STATE_REVISION_1 1

/* The StatusBuffer of NDIS_STATUS_LINK_STATE, and OID_GEN_LINK_STATE. */
typedef struct _NDIS_LINK_STATE {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_DEFAULT, revision 1 */
    NDIS_MEDIA_CONNECT_STATE MediaConnectState;
    NDIS_MEDIA_DUPLEX_STATE MediaDuplexState;
    ULONG64 XmitLinkSpeed; /* bits per second; NDIS_LINK_SPEED_UNKNOWN */
    ULONG64 RcvLinkSpeed;
    NDIS_SUPPORTED_PAUSE_FUNCTIONS PauseFunctions;
    ULONG AutoNegotiationFlags;
} NDIS_LINK_STATE, *PNDIS_LINK_STATE;

#define NDIS_SIZEOF_LINK_STATE_REVISION_1                                                          \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_LINK_STATE, AutoNegotiationFlags)

/* ---- Miniport driver entry points (role types and handler pointers) ----
   A driver declares each function with its role type, for example
   "MINIPORT_INITIALIZE MpInitializeEx;", and stores it in the matching
   NDIS_MINIPORT_DRIVER_CHARACTERISTICS field. IRQLs are NDIS's. */

/* NdisMRegisterMiniportDriver, PASSIVE_LEVEL: register optional services. */
typedef NDIS_STATUS(SET_OPTIONS)(NDIS_HANDLE NdisDriverHandle, NDIS_HANDLE DriverContext);
typedef SET_OPTIONS(*SET_OPTIONS_HANDLER);

/* PASSIVE_LEVEL: initialize one adapter. */
typedef NDIS_STATUS(MINIPORT_INITIALIZE)(NDIS_HANDLE NdisMiniportHandle,
                                         NDIS_HANDLE MiniportDriverContext,
                                         PNDIS_MINIPORT_INIT_PARAMETERS MiniportInitParameters);
typedef MINIPORT_INITIALIZE(*MINIPORT_INITIALIZE_HANDLER);

/* PASSIVE_LEVEL: release one adapter's resources. */
typedef VOID(MINIPORT_HALT)(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction);
typedef MINIPORT_HALT(*MINIPORT_HALT_HANDLER);

/* PASSIVE_LEVEL: the driver is being unloaded. */
typedef VOID(MINIPORT_UNLOAD)(PDRIVER_OBJECT DriverObject);
typedef MINIPORT_UNLOAD(*MINIPORT_DRIVER_UNLOAD);

/* PASSIVE_LEVEL */
typedef NDIS_STATUS(MINIPORT_PAUSE)(NDIS_HANDLE MiniportAdapterContext,
                                    PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters);
typedef MINIPORT_PAUSE(*MINIPORT_PAUSE_HANDLER);

/* PASSIVE_LEVEL */
typedef NDIS_STATUS(MINIPORT_RESTART)(NDIS_HANDLE MiniportAdapterContext,
                                      PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters);
typedef MINIPORT_RESTART(*MINIPORT_RESTART_HANDLER);

/* <= DISPATCH_LEVEL */
typedef NDIS_STATUS(MINIPORT_OID_REQUEST)(NDIS_HANDLE MiniportAdapterContext,
                                          PNDIS_OID_REQUEST OidRequest);
typedef MINIPORT_OID_REQUEST(*MINIPORT_OID_REQUEST_HANDLER);

/* <= DISPATCH_LEVEL */
typedef VOID(MINIPORT_SEND_NET_BUFFER_LISTS)(NDIS_HANDLE MiniportAdapterContext,
                                             PNET_BUFFER_LIST NetBufferList,
                                             NDIS_PORT_NUMBER PortNumber, ULONG SendFlags);
typedef MINIPORT_SEND_NET_BUFFER_LISTS(*MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER);

/* <= DISPATCH_LEVEL */
typedef VOID(MINIPORT_RETURN_NET_BUFFER_LISTS)(NDIS_HANDLE MiniportAdapterContext,
                                               PNET_BUFFER_LIST NetBufferLists, ULONG ReturnFlags);
typedef MINIPORT_RETURN_NET_BUFFER_LISTS(*MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER);

/* <= DISPATCH_LEVEL */
typedef VOID(MINIPORT_CANCEL_SEND)(NDIS_HANDLE MiniportAdapterContext, PVOID CancelId);
typedef MINIPORT_CANCEL_SEND(*MINIPORT_CANCEL_SEND_HANDLER);

/* PASSIVE_LEVEL (NDIS 6.20 and later), DISPATCH_LEVEL before */
typedef BOOLEAN(MINIPORT_CHECK_FOR_HANG)(NDIS_HANDLE MiniportAdapterContext);
typedef MINIPORT_CHECK_FOR_HANG(*MINIPORT_CHECK_FOR_HANG_HANDLER);

/* <= DISPATCH_LEVEL */
typedef NDIS_STATUS(MINIPORT_RESET)(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset);
typedef MINIPORT_RESET(*MINIPORT_RESET_HANDLER);

/* PASSIVE_LEVEL */
typedef VOID(MINIPORT_DEVICE_PNP_EVENT_NOTIFY)(NDIS_HANDLE MiniportAdapterContext,
                                               PNET_DEVICE_PNP_EVENT NetDevicePnPEvent);
typedef MINIPORT_DEVICE_PNP_EVENT_NOTIFY(*MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER);

/* PASSIVE_LEVEL (power off) or HIGH_LEVEL (bug check) */
typedef VOID(MINIPORT_SHUTDOWN)(NDIS_HANDLE MiniportAdapterContext,
                                NDIS_SHUTDOWN_ACTION ShutdownAction);
typedef MINIPORT_SHUTDOWN(*MINIPORT_SHUTDOWN_HANDLER);

/* <= DISPATCH_LEVEL */
typedef VOID(MINIPORT_CANCEL_OID_REQUEST)(NDIS_HANDLE MiniportAdapterContext, PVOID RequestId);
typedef MINIPORT_CANCEL_OID_REQUEST(*MINIPORT_CANCEL_OID_REQUEST_HANDLER);

/* <= DISPATCH_LEVEL (revision 2, NDIS 6.1) */
typedef NDIS_STATUS(MINIPORT_DIRECT_OID_REQUEST)(NDIS_HANDLE MiniportAdapterContext,
                                                 PNDIS_OID_REQUEST OidRequest);
typedef MINIPORT_DIRECT_OID_REQUEST(*MINIPORT_DIRECT_OID_REQUEST_HANDLER);

/* <= DISPATCH_LEVEL (revision 2, NDIS 6.1) */
typedef VOID(MINIPORT_CANCEL_DIRECT_OID_REQUEST)(NDIS_HANDLE MiniportAdapterContext,
                                                 PVOID RequestId);
typedef MINIPORT_CANCEL_DIRECT_OID_REQUEST(*MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER);

/* NDIS_MINIPORT_DRIVER_CHARACTERISTICS.Flags */
#define NDIS_INTERMEDIATE_DRIVER 0x00000001
#define NDIS_WDM_DRIVER          0x00000002

#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1 1
#define NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2 2

/* What a miniport passes to NdisMRegisterMiniportDriver from DriverEntry.
   Revision 1 (NDIS 6.0) ends at CancelOidRequestHandler; revision 2
   (NDIS 6.1) adds the two direct-OID handlers. */
typedef struct _NDIS_MINIPORT_DRIVER_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header;
    UCHAR MajorNdisVersion;
    UCHAR MinorNdisVersion;
    UCHAR MajorDriverVersion;
    UCHAR MinorDriverVersion;
    ULONG Flags;
    SET_OPTIONS_HANDLER SetOptionsHandler;
    MINIPORT_INITIALIZE_HANDLER InitializeHandlerEx;
    MINIPORT_HALT_HANDLER HaltHandlerEx;
    MINIPORT_DRIVER_UNLOAD UnloadHandler;
    MINIPORT_PAUSE_HANDLER PauseHandler;
    MINIPORT_RESTART_HANDLER RestartHandler;
    MINIPORT_OID_REQUEST_HANDLER OidRequestHandler;
    MINIPORT_SEND_NET_BUFFER_LISTS_HANDLER SendNetBufferListsHandler;
    MINIPORT_RETURN_NET_BUFFER_LISTS_HANDLER ReturnNetBufferListsHandler;
    MINIPORT_CANCEL_SEND_HANDLER CancelSendHandler;
    MINIPORT_CHECK_FOR_HANG_HANDLER CheckForHangHandlerEx;
    MINIPORT_RESET_HANDLER ResetHandlerEx;
    MINIPORT_DEVICE_PNP_EVENT_NOTIFY_HANDLER DevicePnPEventNotifyHandler;
    MINIPORT_SHUTDOWN_HANDLER ShutdownHandlerEx;
    MINIPORT_CANCEL_OID_REQUEST_HANDLER CancelOidRequestHandler;
    MINIPORT_DIRECT_OID_REQUEST_HANDLER DirectOidRequestHandler;
    MINIPORT_CANCEL_DIRECT_OID_REQUEST_HANDLER CancelDirectOidRequestHandler;
} NDIS_MINIPORT_DRIVER_CHARACTERISTICS, *PNDIS_MINIPORT_DRIVER_CHARACTERISTICS;

#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_1                                     \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelOidRequestHandler)
#define NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2                                     \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, CancelDirectOidRequestHandler)

/* ---- Layouts the host and DMA code rely on (any data model) ---- */
NDISDMA_STATIC_ASSERT(sizeof(NDIS_OBJECT_HEADER) == 4, "NDIS_OBJECT_HEADER: 4 bytes");
NDISDMA_STATIC_ASSERT(offsetof(NDIS_DMA_DESCRIPTION, DmaWidth) == 4,
                      "NDIS_DMA_DESCRIPTION: three BOOLEANs, then DmaWidth");
NDISDMA_STATIC_ASSERT(sizeof(NDIS_DMA_DESCRIPTION) == 20, "NDIS_DMA_DESCRIPTION: 20 bytes");
NDISDMA_STATIC_ASSERT(offsetof(NDIS_MINIPORT_DRIVER_CHARACTERISTICS, Flags) == 8,
                      "NDIS_MINIPORT_DRIVER_CHARACTERISTICS: versions, then Flags");
NDISDMA_STATIC_ASSERT(sizeof(NDIS_SPIN_LOCK) == 2 * sizeof(ULONG_PTR), "NDIS_SPIN_LOCK");
NDISDMA_STATIC_ASSERT((int)NdisInterfaceIsa == (int)Isa && (int)NdisInterfacePci == (int)PCIBus,
                      "NDIS_INTERFACE_TYPE follows INTERFACE_TYPE");

/* ==== DDIs: miniport driver and adapter (src/ndis/miniport*.c, interrupt.c, timer.c,
   port.c, lock.c). Each prototype documents IRQL, return codes and ownership. ==== */

/* Every handle NDIS gives a driver carries a tag: a NULL, unknown, stale or
   wrong-kind handle is a verifier violation naming the DDI, and the DDI then
   returns NDIS_STATUS_FAILURE (or does nothing), never crashes. */

/* NdisMRegisterMiniportDriver - from DriverEntry, PASSIVE_LEVEL. Validates
   @MiniportDriverCharacteristics as Windows does: Header.Type
   NDIS_OBJECT_TYPE_MINIPORT_DRIVER_CHARACTERISTICS, Header.Revision 1 or 2
   with a Size of at least that revision's; MajorNdisVersion 6 with a known
   minor (0, 1, 20, 30, 40, 50, 60, 70, 80-89); and every required handler
   (all but SetOptionsHandler, CheckForHangHandlerEx and the direct-OID pair).
   The characteristics are copied. SetOptionsHandler, if any, is called before
   this returns. *@NdisMiniportDriverHandle receives the driver handle (NULL on
   failure). Returns NDIS_STATUS_SUCCESS, NDIS_STATUS_BAD_CHARACTERISTICS,
   NDIS_STATUS_BAD_VERSION, NDIS_STATUS_FAILURE (bad pointers, not called from
   DriverEntry of a loading driver, registered already, wrong IRQL),
   NDIS_STATUS_RESOURCES, or SetOptionsHandler's failure status. */
NDIS_STATUS
NdisMRegisterMiniportDriver(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath,
                            NDIS_HANDLE MiniportDriverContext,
                            PNDIS_MINIPORT_DRIVER_CHARACTERISTICS MiniportDriverCharacteristics,
                            PNDIS_HANDLE NdisMiniportDriverHandle);
/* NdisMDeregisterMiniportDriver - from MiniportDriverUnload, or from
   DriverEntry after a failure. PASSIVE_LEVEL. The handle is invalid
   afterwards. */
VOID NdisMDeregisterMiniportDriver(NDIS_HANDLE NdisMiniportDriverHandle);

/* NdisMSetMiniportAttributes - from MiniportInitializeEx, PASSIVE_LEVEL.
   The registration attributes come first (they give NDIS the
   MiniportAdapterContext); general, add-device and offload attributes after
   them. Returns NDIS_STATUS_SUCCESS, NDIS_STATUS_INVALID_PARAMETER (unknown
   Header.Type, revision or size), NDIS_STATUS_FAILURE (not in
   MiniportInitializeEx, registration attributes missing or set twice, bad
   handle, wrong IRQL). The structure is copied. */
NDIS_STATUS NdisMSetMiniportAttributes(NDIS_HANDLE NdisMiniportHandle,
                                       PNDIS_MINIPORT_ADAPTER_ATTRIBUTES MiniportAttributes);

/* ---- Interrupts ---- */

typedef enum _NDIS_INTERRUPT_TYPE {
    NDIS_CONNECT_LINE_BASED = 1,
    NDIS_CONNECT_MESSAGE_BASED
} NDIS_INTERRUPT_TYPE,
    *PNDIS_INTERRUPT_TYPE;

typedef struct _IO_INTERRUPT_MESSAGE_INFO IO_INTERRUPT_MESSAGE_INFO, *PIO_INTERRUPT_MESSAGE_INFO;

/* DIRQL: TRUE when the adapter caused the interrupt; *QueueDefaultInterruptDpc
   TRUE queues MiniportInterruptDPC. */
typedef BOOLEAN(MINIPORT_ISR)(NDIS_HANDLE MiniportInterruptContext,
                              PBOOLEAN QueueDefaultInterruptDpc, PULONG TargetProcessors);
typedef MINIPORT_ISR(*MINIPORT_ISR_HANDLER);
/* DISPATCH_LEVEL */
typedef VOID(MINIPORT_INTERRUPT_DPC)(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext,
                                     PVOID ReceiveThrottleParameters, PVOID NdisReserved2);
typedef MINIPORT_INTERRUPT_DPC(*MINIPORT_INTERRUPT_DPC_HANDLER);
/* DIRQL */
typedef VOID(MINIPORT_DISABLE_INTERRUPT)(NDIS_HANDLE MiniportInterruptContext);
typedef MINIPORT_DISABLE_INTERRUPT(*MINIPORT_DISABLE_INTERRUPT_HANDLER);
typedef VOID(MINIPORT_ENABLE_INTERRUPT)(NDIS_HANDLE MiniportInterruptContext);
typedef MINIPORT_ENABLE_INTERRUPT(*MINIPORT_ENABLE_INTERRUPT_HANDLER);
typedef BOOLEAN(MINIPORT_MESSAGE_INTERRUPT)(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId,
                                            PBOOLEAN QueueDefaultInterruptDpc,
                                            PULONG TargetProcessors);
typedef MINIPORT_MESSAGE_INTERRUPT(*MINIPORT_MSI_ISR_HANDLER);
typedef VOID(MINIPORT_MESSAGE_INTERRUPT_DPC)(NDIS_HANDLE MiniportInterruptContext, ULONG MessageId,
                                             PVOID MiniportDpcContext,
                                             PVOID ReceiveThrottleParameters, PVOID NdisReserved2);
typedef MINIPORT_MESSAGE_INTERRUPT_DPC(*MINIPORT_MSI_INTERRUPT_DPC_HANDLER);
typedef VOID(MINIPORT_DISABLE_MESSAGE_INTERRUPT)(NDIS_HANDLE MiniportInterruptContext,
                                                 ULONG MessageId);
typedef MINIPORT_DISABLE_MESSAGE_INTERRUPT(*MINIPORT_DISABLE_MSI_INTERRUPT_HANDLER);
typedef VOID(MINIPORT_ENABLE_MESSAGE_INTERRUPT)(NDIS_HANDLE MiniportInterruptContext,
                                                ULONG MessageId);
typedef MINIPORT_ENABLE_MESSAGE_INTERRUPT(*MINIPORT_ENABLE_MSI_INTERRUPT_HANDLER);
/* DIRQL, serialised with the ISR */
typedef BOOLEAN(MINIPORT_SYNCHRONIZE_INTERRUPT)(NDIS_HANDLE SynchronizeContext);
typedef MINIPORT_SYNCHRONIZE_INTERRUPT(*MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER);

#define NDIS_MINIPORT_INTERRUPT_REVISION_1 1

typedef struct _NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT, revision 1 */
    MINIPORT_ISR_HANDLER InterruptHandler;
    MINIPORT_INTERRUPT_DPC_HANDLER InterruptDpcHandler;
    MINIPORT_DISABLE_INTERRUPT_HANDLER DisableInterruptHandler;
    MINIPORT_ENABLE_INTERRUPT_HANDLER EnableInterruptHandler;
    BOOLEAN MsiSupported;
    BOOLEAN MsiSyncWithAllMessages;
    MINIPORT_MSI_ISR_HANDLER MessageInterruptHandler;
    MINIPORT_MSI_INTERRUPT_DPC_HANDLER MessageInterruptDpcHandler;
    MINIPORT_DISABLE_MSI_INTERRUPT_HANDLER DisableMessageInterruptHandler;
    MINIPORT_ENABLE_MSI_INTERRUPT_HANDLER EnableMessageInterruptHandler;
    NDIS_INTERRUPT_TYPE InterruptType;           /* out */
    PIO_INTERRUPT_MESSAGE_INFO MessageInfoTable; /* out */
} NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, *PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS;

#define NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1                                  \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS, MessageInfoTable)

/* NdisMRegisterInterruptEx - PASSIVE_LEVEL, from MiniportInitializeEx.
   Connects the adapter's interrupt resource (line-based; MSI is refused): the
   ISR runs at the line's DIRQL, and when it sets *QueueDefaultInterruptDpc
   the DPC handler runs at DISPATCH_LEVEL. InterruptType is set to
   NDIS_CONNECT_LINE_BASED. *@NdisInterruptHandle: the interrupt handle.
   Returns NDIS_STATUS_SUCCESS, NDIS_STATUS_INVALID_PARAMETER (header,
   missing InterruptHandler or InterruptDpcHandler, MsiSupported),
   NDIS_STATUS_RESOURCES (no interrupt resource, line busy, no memory),
   NDIS_STATUS_FAILURE (bad handle or pointer, registered already, wrong
   IRQL). */
NDIS_STATUS
NdisMRegisterInterruptEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportInterruptContext,
                         PNDIS_MINIPORT_INTERRUPT_CHARACTERISTICS MiniportInterruptCharacteristics,
                         PNDIS_HANDLE NdisInterruptHandle);
/* NdisMDeregisterInterruptEx - PASSIVE_LEVEL (initialize or halt).
   Disconnects; a queued DPC is removed. */
VOID NdisMDeregisterInterruptEx(NDIS_HANDLE NdisInterruptHandle);
/* NdisMSynchronizeWithInterruptEx - runs @SynchronizeFunction(@SynchronizeContext)
   at the interrupt's DIRQL, serialised with the ISR; returns its result
   (FALSE for a bad handle). IRQL <= DIRQL. */
BOOLEAN NdisMSynchronizeWithInterruptEx(NDIS_HANDLE NdisInterruptHandle, ULONG MessageId,
                                        MINIPORT_SYNCHRONIZE_INTERRUPT_HANDLER SynchronizeFunction,
                                        PVOID SynchronizeContext);

/* ---- Spin locks ---- */
/* NdisAllocateSpinLock / NdisFreeSpinLock: any IRQL; the caller owns the
   NDIS_SPIN_LOCK. NdisAcquireSpinLock raises to DISPATCH_LEVEL (caller <=
   DISPATCH_LEVEL) and NdisReleaseSpinLock restores the IRQL it saved;
   the Dpr variants run at DISPATCH_LEVEL and change no IRQL. Misuse (double
   acquire, release while not held, free while held) is a violation. */
VOID NdisAllocateSpinLock(PNDIS_SPIN_LOCK SpinLock);
VOID NdisFreeSpinLock(PNDIS_SPIN_LOCK SpinLock);
VOID NdisAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock);
VOID NdisReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock);
VOID NdisDprAcquireSpinLock(PNDIS_SPIN_LOCK SpinLock);
VOID NdisDprReleaseSpinLock(PNDIS_SPIN_LOCK SpinLock);

/* ---- I/O ports ---- */
/* NdisMRegisterIoPortRange - PASSIVE_LEVEL. The range must lie inside the
   adapter's port resource. *@PortOffset receives the base to use with
   NdisRawXxxPortXxx (the port number itself, as on x86/x64).
   Returns NDIS_STATUS_SUCCESS, NDIS_STATUS_RESOURCE_CONFLICT (outside the
   adapter's resources), NDIS_STATUS_RESOURCES (no memory), NDIS_STATUS_FAILURE
   (bad handle or pointer, NumberOfPorts 0, wrong IRQL). */
NDIS_STATUS NdisMRegisterIoPortRange(PVOID *PortOffset, NDIS_HANDLE MiniportAdapterHandle,
                                     UINT InitialPort, UINT NumberOfPorts);
/* NdisMDeregisterIoPortRange - PASSIVE_LEVEL; the arguments of a registered
   range (a violation otherwise). */
VOID NdisMDeregisterIoPortRange(NDIS_HANDLE MiniportAdapterHandle, UINT InitialPort,
                                UINT NumberOfPorts, PVOID PortOffset);
/* Raw port I/O on the machine's ISA bus (device models' port handlers see
   it). Any IRQL. USHORT and ULONG accesses are little-endian byte accesses of
   consecutive ports. A port above 0xFFFF reads 0xFF.. and is a violation. A
   write to an 8237 register of a channel registered with
   NdisMRegisterDmaChannel is reported (rule port-reprogram) and still done. */
VOID NdisRawReadPortUchar(ULONG_PTR Port, PUCHAR Data);
VOID NdisRawReadPortUshort(ULONG_PTR Port, PUSHORT Data);
VOID NdisRawReadPortUlong(ULONG_PTR Port, PULONG Data);
VOID NdisRawWritePortUchar(ULONG_PTR Port, UCHAR Data);
VOID NdisRawWritePortUshort(ULONG_PTR Port, USHORT Data);
VOID NdisRawWritePortUlong(ULONG_PTR Port, ULONG Data);

/* ---- Timers ---- */
typedef VOID(NDIS_TIMER_FUNCTION)(PVOID SystemSpecific1, PVOID FunctionContext,
                                  PVOID SystemSpecific2, PVOID SystemSpecific3);
typedef NDIS_TIMER_FUNCTION(*PNDIS_TIMER_FUNCTION);

#define NDIS_TIMER_CHARACTERISTICS_REVISION_1 1

typedef struct _NDIS_TIMER_CHARACTERISTICS {
    NDIS_OBJECT_HEADER Header; /* NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS, revision 1 */
    ULONG AllocationTag;
    PNDIS_TIMER_FUNCTION TimerFunction;
    PVOID FunctionContext;
} NDIS_TIMER_CHARACTERISTICS, *PNDIS_TIMER_CHARACTERISTICS;

#define NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1                                               \
    RTL_SIZEOF_THROUGH_FIELD(NDIS_TIMER_CHARACTERISTICS, FunctionContext)

/* NdisAllocateTimerObject - @NdisHandle: a miniport adapter or driver handle
   (the timer belongs to it and is checked for at halt or unload). IRQL <=
   DISPATCH_LEVEL. Returns NDIS_STATUS_SUCCESS, NDIS_STATUS_INVALID_PARAMETER
   (header, no TimerFunction), NDIS_STATUS_RESOURCES, NDIS_STATUS_FAILURE (bad
   handle or pointer). */
NDIS_STATUS NdisAllocateTimerObject(NDIS_HANDLE NdisHandle,
                                    PNDIS_TIMER_CHARACTERISTICS TimerCharacteristics,
                                    PNDIS_HANDLE pTimerObject);
/* NdisSetTimerObject - fire at @DueTime (negative: relative, in 100 ns
   units; positive: absolute virtual system time in 100 ns units) in the
   machine's virtual time, then every @MillisecondsPeriod ms if non-zero.
   The timer function runs at DISPATCH_LEVEL with @FunctionContext (NULL: the
   characteristics' FunctionContext). Returns TRUE when the timer was already
   set (it is reset). IRQL <= DISPATCH_LEVEL. */
BOOLEAN NdisSetTimerObject(NDIS_HANDLE TimerObject, LARGE_INTEGER DueTime, LONG MillisecondsPeriod,
                           PVOID FunctionContext);
/* NdisCancelTimerObject - TRUE when the timer was set (it will not fire).
   IRQL <= DISPATCH_LEVEL. */
BOOLEAN NdisCancelTimerObject(NDIS_HANDLE TimerObject);
/* NdisFreeTimerObject - PASSIVE_LEVEL. A timer still set is a violation and
   is cancelled. */
VOID NdisFreeTimerObject(NDIS_HANDLE TimerObject);

/* ---- Delays (virtual time) ---- */
/* NdisStallExecution - busy-wait: advances the machine's clock (DMA and
   device events go on, DPCs wait). Any IRQL. */
VOID NdisStallExecution(UINT MicrosecondsToStall);
/* NdisMSleep - PASSIVE_LEVEL: the thread sleeps while virtual time advances
   and the machine delivers events, DMA and DPCs (above PASSIVE_LEVEL: a
   violation, then a stall). */
VOID NdisMSleep(ULONG MicrosecondsToSleep);

/* ==== DDIs: system DMA (src/ndis/dma.c), N1-N27 ==== */

/* NdisMRegisterDmaChannel - from MiniportInitializeEx at PASSIVE_LEVEL, after
   the registration attributes (N1). Uses the @DmaChannel parameter and ignores
   DmaDescription->DmaChannel and DmaChannelSpecified (N2, as Windows does).
   Gets a HAL adapter for an ISA subordinate device (N3) that must offer
   ((MaximumLength - 2) >> 12) + 2 map registers (0xFFFFFFFF: one whole 8237
   transfer) (N4), and allocates the adapter channel now, held until
   NdisMDeregisterDmaChannel (N5). *@MiniportDmaHandle receives the handle,
   NULL on failure. Returns NDIS_STATUS_SUCCESS; NDIS_STATUS_RESOURCES when the
   HAL refuses the description (N3, N8: DmaPort != 0), too few map registers
   (N4), the channel is registered already (N6) or memory runs out;
   NDIS_STATUS_FAILURE for bad arguments (NULL pointers, bad handle, wrong
   IRQL, no registration attributes). Failures leak nothing (N7). */
NDIS_STATUS NdisMRegisterDmaChannel(PNDIS_HANDLE MiniportDmaHandle,
                                    NDIS_HANDLE MiniportAdapterHandle, UINT DmaChannel,
                                    BOOLEAN Dma32BitAddresses, PNDIS_DMA_DESCRIPTION DmaDescription,
                                    ULONG MaximumLength);
/* NdisMDeregisterDmaChannel - PASSIVE_LEVEL, from MiniportInitializeEx or
   MiniportHaltEx (N25). Frees the channel, the map registers and the adapter
   and invalidates the handle (N26). A transfer in progress is a violation;
   the channel is masked first (N27). */
VOID NdisMDeregisterDmaChannel(NDIS_HANDLE MiniportDmaHandle);
/* NdisSetupDmaTransfer (NdisMSetupDmaTransfer) - IRQL <= DISPATCH_LEVEL (N9);
   never waits. Maps [Offset, Offset + Length) of the first buffer of the
   chain @Buffer (N11) and programs the channel (N12, N13). *@Status:
   NDIS_STATUS_SUCCESS; NDIS_STATUS_RESOURCES when a transfer is in progress
   (left untouched, N10), for Length 0 or a range outside the buffer (N11), or
   when fewer than Length bytes can be mapped (N12); NDIS_STATUS_FAILURE for a
   bad handle or wrong IRQL. The caller keeps owning @Buffer until Complete. */
VOID NdisSetupDmaTransfer(PNDIS_STATUS Status, NDIS_HANDLE MiniportDmaHandle, PNDIS_BUFFER Buffer,
                          ULONG Offset, ULONG Length, BOOLEAN WriteToDevice);
/* NdisCompleteDmaTransfer (NdisMCompleteDmaTransfer) - IRQL <= DISPATCH_LEVEL
   (N15); never blocks and always releases the channel for the next Setup
   (N18, N21). Same arguments as the Setup (N16: a mismatch, or no transfer in
   progress, is a violation). Flushes: a bounced receive is copied into the
   caller's buffer now, exactly the bytes moved (N17, N20). *@Status:
   NDIS_STATUS_SUCCESS, or NDIS_STATUS_RESOURCES when the channel was still
   moving data or the flush failed (N19); NDIS_STATUS_FAILURE only for a bad
   handle. */
VOID NdisCompleteDmaTransfer(PNDIS_STATUS Status, NDIS_HANDLE MiniportDmaHandle,
                             PNDIS_BUFFER Buffer, ULONG Offset, ULONG Length,
                             BOOLEAN WriteToDevice);
#define NdisMSetupDmaTransfer(_S, _H, _B, _O, _L, _M_) NdisSetupDmaTransfer(_S, _H, _B, _O, _L, _M_)
#define NdisMCompleteDmaTransfer(_S, _H, _B, _O, _L, _M_)                                          \
    NdisCompleteDmaTransfer(_S, _H, _B, _O, _L, _M_)
/* NdisMReadDmaCounter - bytes not yet transferred (N22), read as the HAL does
   (N23); also after Complete (N24). IRQL <= DISPATCH_LEVEL. 0 for a bad
   handle. */
ULONG NdisMReadDmaCounter(NDIS_HANDLE MiniportDmaHandle);

/* NdisdmaVerifyCaller - ndisdma's addition: the driver's source position
   (@File: a string that outlives the call, such as __FILE__) for the next
   of the five system-DMA DDIs this thread calls; the verifier puts it in
   every report that call makes (<ndisdma/verify.h>). Any IRQL. A driver
   does not call it: it defines NDISDMA_VERIFY_CALLERS before including
   <ndis.h>, and the five DDIs (with both Setup/Complete spellings) become
   macros that pass __FILE__ and __LINE__. The plain names keep working
   (a function-like macro does not hide the function's address). */
VOID NdisdmaVerifyCaller(const char *File, ULONG Line);
#ifdef NDISDMA_VERIFY_CALLERS
#define NdisMRegisterDmaChannel(...)                                                               \
    (NdisdmaVerifyCaller(__FILE__, __LINE__), (NdisMRegisterDmaChannel)(__VA_ARGS__))
#define NdisMDeregisterDmaChannel(_H)                                                              \
    (NdisdmaVerifyCaller(__FILE__, __LINE__), (NdisMDeregisterDmaChannel)(_H))
#define NdisSetupDmaTransfer(...)                                                                  \
    (NdisdmaVerifyCaller(__FILE__, __LINE__), (NdisSetupDmaTransfer)(__VA_ARGS__))
#define NdisCompleteDmaTransfer(...)                                                               \
    (NdisdmaVerifyCaller(__FILE__, __LINE__), (NdisCompleteDmaTransfer)(__VA_ARGS__))
#define NdisMReadDmaCounter(_H) (NdisdmaVerifyCaller(__FILE__, __LINE__), (NdisMReadDmaCounter)(_H))
#endif

/* ==== DDIs: buffers, MDLs and memory (src/ndis/buffer.c, memory.c), N28-N30 ==== */

/* NDIS buffers are MDLs (N28): their page-frame arrays hold the simulated
   physical frames of the memory they describe: RAM frames for memory from
   the NDIS allocators below, phantom frames above 4 GiB for host memory a
   driver owns (stack, malloc), which the HAL bounces (N29). Every DDI acts
   on the machine the calling thread is bound to; on an unbound thread it
   fails (FAILURE status, NULL or 0 outputs, nothing freed) and records
   nothing. Bad arguments are
   refused with a verifier record (<ndisdma/kernel.h>), never a crash. */

/*
 * NdisAllocateBufferPool - create a pool of NumberOfDescriptors buffer
 * descriptors for NdisAllocateBuffer.
 * @Status: receives NDIS_STATUS_SUCCESS, NDIS_STATUS_RESOURCES (host out of
 * memory) or NDIS_STATUS_FAILURE (unbound thread; reported: NULL
 * PoolHandle, wrong IRQL). @PoolHandle: receives the pool (NULL on
 * failure), owned by the caller until NdisFreeBufferPool.
 * @NumberOfDescriptors: buffers that may be allocated from the pool at once.
 * IRQL <= DISPATCH_LEVEL.
 */
VOID NdisAllocateBufferPool(PNDIS_STATUS Status, PNDIS_HANDLE PoolHandle, UINT NumberOfDescriptors);

/*
 * NdisFreeBufferPool - free a pool. A pool with buffers still allocated
 * from it is a violation and is not freed (free the buffers, then the pool
 * again). A NULL, stale or foreign handle is a violation. IRQL <=
 * DISPATCH_LEVEL (reported, and freed all the same, above it).
 */
VOID NdisFreeBufferPool(NDIS_HANDLE PoolHandle);

/*
 * NdisAllocateBuffer - a buffer descriptor (an MDL) for Length bytes at
 * VirtualAddress, drawn from pool PoolHandle; its page-frame array is
 * filled (N28). VirtualAddress may be memory from the NDIS allocators or
 * any host memory the driver owns (N29). Length 0 is a valid empty buffer.
 * @Status: receives NDIS_STATUS_SUCCESS or NDIS_STATUS_FAILURE (the pool's
 * NumberOfDescriptors are all in use, a range too long for one MDL, host
 * out of memory, unbound thread; reported: NULL Buffer, NULL/stale/foreign
 * PoolHandle, NULL VirtualAddress, wrong IRQL). @Buffer: receives the
 * buffer (NULL on failure), owned by the caller until NdisFreeBuffer; it
 * does not own the memory it describes.
 * IRQL <= DISPATCH_LEVEL.
 */
VOID NdisAllocateBuffer(PNDIS_STATUS Status, PNDIS_BUFFER *Buffer, NDIS_HANDLE PoolHandle,
                        PVOID VirtualAddress, UINT Length);

/*
 * NdisFreeBuffer - give a buffer from NdisAllocateBuffer back to its pool.
 * A NULL, stale (freed twice) or foreign pointer, or an MDL of
 * NdisAllocateMdl, is a violation and nothing is freed. A buffer whose
 * length was adjusted and not restored is a violation (it is freed). A
 * buffer of a DMA transfer in progress (Setup without Complete) is a
 * violation and is not freed (rule buffer-freed-in-progress).
 * IRQL <= DISPATCH_LEVEL (reported, and freed all the same, above it).
 */
VOID NdisFreeBuffer(PNDIS_BUFFER Buffer);

/*
 * NdisQueryBuffer - the length of a buffer and, optionally, its
 * system-space virtual address. Works on any MDL.
 * @VirtualAddress: optional (NULL); receives the address. @Length:
 * receives the byte count. Both are set to NULL/0 when the call is refused
 * (reported: NULL Buffer, NULL Length, wrong IRQL).
 * IRQL <= DISPATCH_LEVEL. In the WDK this is a macro that takes a pointer
 * to any pointer type for VirtualAddress; so is it here (over the exported
 * function of the same name).
 */
VOID NdisQueryBuffer(PNDIS_BUFFER Buffer, PVOID *VirtualAddress, PUINT Length);
#define NdisQueryBuffer(_Buffer, _VirtualAddress, _Length)                                         \
    NdisQueryBuffer((_Buffer), (PVOID *)(_VirtualAddress), (_Length))

/*
 * NdisQueryBufferSafe - NdisQueryBuffer that may fail for lack of system
 * PTEs instead of bug-checking; here mapping never fails, so Priority (an
 * MM_PAGE_PRIORITY) is accepted and ignored. Same outputs, same refusals.
 * IRQL <= DISPATCH_LEVEL. A macro over the function, as NdisQueryBuffer.
 */
VOID NdisQueryBufferSafe(PNDIS_BUFFER Buffer, PVOID *VirtualAddress, PUINT Length,
                         MM_PAGE_PRIORITY Priority);
#define NdisQueryBufferSafe(_Buffer, _VirtualAddress, _Length, _Priority)                          \
    NdisQueryBufferSafe((_Buffer), (PVOID *)(_VirtualAddress), (_Length), (_Priority))

/*
 * NdisQueryBufferOffset - the buffer's byte offset inside its first page
 * (its physical page offset too) and its length. Both are set to 0 when the
 * call is refused (reported: NULL argument, wrong IRQL).
 * IRQL <= DISPATCH_LEVEL.
 */
VOID NdisQueryBufferOffset(PNDIS_BUFFER Buffer, PUINT Offset, PUINT Length);

/*
 * NdisGetNextBuffer - the buffer after CurrentBuffer in its chain (the
 * MDL's Next link), NULL at the end of the chain. *NextBuffer is NULL when
 * the call is refused (reported: NULL argument, wrong IRQL).
 * IRQL <= DISPATCH_LEVEL.
 */
VOID NdisGetNextBuffer(PNDIS_BUFFER CurrentBuffer, PNDIS_BUFFER *NextBuffer);

/* NdisBufferLength - the buffer's byte count; 0 for NULL (reported). Any
   IRQL. */
ULONG NdisBufferLength(PNDIS_BUFFER Buffer);

/* NdisBufferVirtualAddress - the buffer's system-space virtual address;
   NULL for NULL or at the wrong IRQL (reported). IRQL <= DISPATCH_LEVEL. */
PVOID NdisBufferVirtualAddress(PNDIS_BUFFER Buffer);

/*
 * NdisAdjustBufferLength - set the byte count of a buffer the caller
 * allocated. For a buffer of NdisAllocateBuffer (or MDL of
 * NdisAllocateMdl), a Length above the allocated length is a violation and
 * nothing changes; the length must be restored before NdisFreeBuffer.
 * IRQL <= DISPATCH_LEVEL (refused above it).
 */
VOID NdisAdjustBufferLength(PNDIS_BUFFER Buffer, UINT Length);

/*
 * NdisAllocateMdl (NDIS 6) - allocate and build an MDL for Length bytes at
 * VirtualAddress in one step (page-frame array filled, N28).
 * @NdisHandle: the caller's miniport driver handle (from
 * NdisMRegisterMiniportDriver) or MiniportAdapterHandle (NULL, another kind
 * of handle, a stale one or another machine's: a violation).
 * @VirtualAddress: memory from the NDIS allocators, or host memory the
 * driver owns (phantom frames, N29); NULL is a violation.
 * Returns the MDL, owned by the caller until NdisFreeMdl, or NULL (too
 * long for one MDL, host out of memory, unbound thread, or reported).
 * IRQL <= DISPATCH_LEVEL.
 */
PMDL NdisAllocateMdl(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, UINT Length);

/*
 * NdisFreeMdl - free an MDL of NdisAllocateMdl. A NULL, stale or foreign
 * pointer, or a buffer of NdisAllocateBuffer, is a violation and nothing is
 * freed; so is the MDL of a DMA transfer in progress (rule
 * buffer-freed-in-progress). IRQL <= DISPATCH_LEVEL (reported, and freed
 * all the same, above it).
 */
VOID NdisFreeMdl(PMDL Mdl);

/*
 * NdisAllocateMemoryWithTagPriority (NDIS 6) - Length bytes of nonpaged
 * memory in simulated RAM, placed by the machine's placement policy (N30),
 * physically contiguous, page-aligned, not cleared.
 * @NdisHandle: the caller's miniport driver handle or MiniportAdapterHandle
 * (NULL, another kind of handle, a stale one or another machine's: a
 * violation); it need not be the one the memory was allocated with at the
 * free. @Tag: kept, checked
 * by NdisFreeMemoryWithTagPriority. @Priority: accepted and ignored.
 * Returns the memory, owned by the caller until NdisFreeMemoryWithTagPriority
 * (or NdisFreeMemory with MemoryFlags 0), or NULL (no room where the policy
 * places memory, unbound thread; reported: Length 0, wrong IRQL, bad
 * handle). IRQL <= DISPATCH_LEVEL.
 */
PVOID NdisAllocateMemoryWithTagPriority(NDIS_HANDLE NdisHandle, UINT Length, ULONG Tag,
                                        EX_POOL_PRIORITY Priority);

/*
 * NdisFreeMemoryWithTagPriority - free memory of
 * NdisAllocateMemoryWithTagPriority. A NULL, stale or foreign address, or
 * memory of another allocator, is a violation and nothing is freed; a Tag
 * other than the allocation's is a violation (it is freed). A bad handle is
 * a violation and nothing is freed. IRQL <= DISPATCH_LEVEL (reported, and
 * freed all the same, above it).
 */
VOID NdisFreeMemoryWithTagPriority(NDIS_HANDLE NdisHandle, PVOID VirtualAddress, ULONG Tag);

/*
 * NdisAllocateMemoryWithTag - Length bytes of nonpaged memory, as
 * NdisAllocateMemoryWithTagPriority but without a handle.
 * @VirtualAddress: receives the memory (NULL on failure), owned by the
 * caller until NdisFreeMemory(VirtualAddress, Length, 0).
 * Returns NDIS_STATUS_SUCCESS or NDIS_STATUS_FAILURE (no room, unbound
 * thread; reported: NULL VirtualAddress, Length 0, wrong IRQL).
 * IRQL <= DISPATCH_LEVEL.
 */
NDIS_STATUS NdisAllocateMemoryWithTag(PVOID *VirtualAddress, UINT Length, ULONG Tag);

/*
 * NdisAllocateMemory - Length bytes of memory at or below
 * HighestAcceptableAddress (-1: anywhere).
 * @MemoryFlags: 0 (nonpaged, placed by the policy, N30; if the policy's
 * place is above HighestAcceptableAddress, contiguous below it instead),
 * NDIS_MEMORY_CONTIGUOUS (physically contiguous below
 * HighestAcceptableAddress, whatever the policy, N29),
 * NDIS_MEMORY_NONCACHED (caching is not modelled: as 0), or both.
 * @VirtualAddress: receives the memory (NULL on failure), owned by the
 * caller until NdisFreeMemory with the same Length and MemoryFlags.
 * Returns NDIS_STATUS_SUCCESS or NDIS_STATUS_FAILURE (no such memory,
 * unbound thread; reported: NULL VirtualAddress, Length 0, unknown flags,
 * wrong IRQL).
 * IRQL <= DISPATCH_LEVEL with MemoryFlags 0; PASSIVE_LEVEL with
 * NDIS_MEMORY_CONTIGUOUS or NDIS_MEMORY_NONCACHED.
 */
NDIS_STATUS NdisAllocateMemory(PVOID *VirtualAddress, UINT Length, UINT MemoryFlags,
                               NDIS_PHYSICAL_ADDRESS HighestAcceptableAddress);

/*
 * NdisFreeMemory - free memory of NdisAllocateMemory or
 * NdisAllocateMemoryWithTag (Length and MemoryFlags must be the
 * allocation's), or of NdisAllocateMemoryWithTagPriority (MemoryFlags 0,
 * Length ignored, as NDIS 6 documents). A NULL, stale or foreign address,
 * or shared memory, is a violation and nothing is freed; a mismatched
 * Length or MemoryFlags is a violation and the block is freed as it was
 * allocated. IRQL, after the allocation's flags: PASSIVE_LEVEL for
 * contiguous memory, < DISPATCH_LEVEL for noncached memory, <=
 * DISPATCH_LEVEL otherwise (reported, and freed all the same, above it).
 */
VOID NdisFreeMemory(PVOID VirtualAddress, UINT Length, UINT MemoryFlags);

/*
 * NdisMAllocateSharedMemory - Length bytes that the driver and its DMA
 * device share. For the subordinate-DMA (ISA) adapters this library hosts:
 * physically contiguous, below 16 MiB, and inside one 64 KiB window when
 * Length fits in one, so that the 8237 reaches all of it in one transfer.
 * @MiniportAdapterHandle: the adapter's handle (NULL, unknown or another
 * machine's: a violation). @Cached: kept (must be repeated at the free);
 * caching is not modelled.
 * @VirtualAddress: receives the memory, or NULL when it cannot be
 * allocated (no such memory, unbound thread; reported: NULL output, Length
 * 0, wrong IRQL, bad handle). @PhysicalAddress: receives its physical
 * address (0 on failure). Owned by the caller until NdisMFreeSharedMemory.
 * IRQL PASSIVE_LEVEL.
 */
VOID NdisMAllocateSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length, BOOLEAN Cached,
                               PVOID *VirtualAddress, PNDIS_PHYSICAL_ADDRESS PhysicalAddress);

/*
 * NdisMFreeSharedMemory - free shared memory; every argument must be the
 * allocation's. A NULL, stale or foreign VirtualAddress, or memory of
 * another allocator, is a violation and nothing is freed; a mismatched
 * Length, Cached, PhysicalAddress or adapter is a violation and the block
 * is freed as it was allocated. A bad handle is a violation and nothing is
 * freed. IRQL <= DISPATCH_LEVEL (reported, and freed all the same, above
 * it).
 */
VOID NdisMFreeSharedMemory(NDIS_HANDLE MiniportAdapterHandle, ULONG Length, BOOLEAN Cached,
                           PVOID VirtualAddress, NDIS_PHYSICAL_ADDRESS PhysicalAddress);

/* ==== DDIs: the NDIS 6 data path (src/ndis/nbl.c, datapath.c) ====
   Pools and NBLs: any NDIS handle (driver or adapter) may own a pool. The
   exact behaviour on bad input (what is reported, what is returned) is in
   docs/ndis.md. */

/*
 * NdisAllocateNetBufferListPool - a pool of NET_BUFFER_LISTs.
 * @NdisHandle: a driver or adapter handle (NdisMiniportDriverHandle or
 * NdisMiniportHandle). @Parameters: header NDIS_OBJECT_TYPE_DEFAULT,
 * revision 1; ContextSize a multiple of MEMORY_ALLOCATION_ALIGNMENT;
 * fAllocateNetBuffer: each NBL comes with one NET_BUFFER; DataSize (only
 * with fAllocateNetBuffer): bytes of nonpaged data per NBL, placed by the
 * machine's placement policy, described by one MDL.
 * Returns the pool handle, owned by the caller until
 * NdisFreeNetBufferListPool, or NULL (no memory; reported: bad handle,
 * NULL or malformed parameters, wrong IRQL). IRQL <= DISPATCH_LEVEL.
 */
NDIS_HANDLE NdisAllocateNetBufferListPool(NDIS_HANDLE NdisHandle,
                                          PNET_BUFFER_LIST_POOL_PARAMETERS Parameters);

/* NdisFreeNetBufferListPool - free a pool whose NBLs are all freed (NBLs
   still allocated: a violation, and the pool is not freed). IRQL <=
   DISPATCH_LEVEL. */
VOID NdisFreeNetBufferListPool(NDIS_HANDLE PoolHandle);

/* NdisAllocateNetBufferPool - a pool of NET_BUFFERs (header revision 1;
   DataSize must be 0: data buffers with NBs are not provided). Returns the
   pool or NULL. IRQL <= DISPATCH_LEVEL. */
NDIS_HANDLE NdisAllocateNetBufferPool(NDIS_HANDLE NdisHandle,
                                      PNET_BUFFER_POOL_PARAMETERS Parameters);

/* NdisFreeNetBufferPool - as NdisFreeNetBufferListPool, for NB pools. */
VOID NdisFreeNetBufferPool(NDIS_HANDLE PoolHandle);

/*
 * NdisAllocateNetBufferList - an NBL from @PoolHandle with @ContextSize
 * bytes of context used space after @ContextBackFill bytes of backfill
 * (both multiples of MEMORY_ALLOCATION_ALIGNMENT: reported and NULL
 * otherwise). Context->Size is the used size and Context->Offset where it
 * starts in ContextData, so NET_BUFFER_LIST_CONTEXT_DATA_START/_SIZE give
 * the caller's area (a request within the pool's ContextSize uses the
 * preallocated area, all of whose unused space is backfill); both 0 and a
 * pool ContextSize of 0: Context is NULL. No NET_BUFFER unless the pool was
 * created with fAllocateNetBuffer (then one NB with DataLength 0, or over
 * the pool's data buffer: MdlChain = CurrentMdl = its one MDL of DataSize
 * bytes, DataOffset 0, DataLength 0 - the driver sets DataLength).
 * Returns the NBL (zeroed but for what NDIS fills), owned by the caller
 * until NdisFreeNetBufferList, or NULL. IRQL <= DISPATCH_LEVEL.
 */
PNET_BUFFER_LIST NdisAllocateNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize,
                                           USHORT ContextBackFill);

/*
 * NdisAllocateNetBufferAndNetBufferList - an NBL with one NET_BUFFER over
 * @MdlChain (may be NULL with @DataLength 0): data starts @DataOffset bytes
 * into the chain and is @DataLength bytes long (must fit in the chain:
 * reported and NULL otherwise); CurrentMdl and CurrentMdlOffset point at
 * its first byte. The pool must have fAllocateNetBuffer and DataSize 0.
 * The MDLs stay the caller's. Returns the NBL or NULL. IRQL <=
 * DISPATCH_LEVEL.
 */
PNET_BUFFER_LIST NdisAllocateNetBufferAndNetBufferList(NDIS_HANDLE PoolHandle, USHORT ContextSize,
                                                       USHORT ContextBackFill, PMDL MdlChain,
                                                       ULONG DataOffset, SIZE_T DataLength);

/* NdisFreeNetBufferList - free an NBL of NdisAllocateNetBufferList or
   NdisAllocateNetBufferAndNetBufferList, with the NB NDIS allocated with it
   (NBs the caller chained from an NB pool must be freed first: reported).
   An NBL that is with the miniport or indicated and not returned is
   reported and not freed. IRQL <= DISPATCH_LEVEL. */
VOID NdisFreeNetBufferList(PNET_BUFFER_LIST NetBufferList);

/* NdisAllocateNetBuffer - an NB from an NB pool over @MdlChain, as
   NdisAllocateNetBufferAndNetBufferList. Returns the NB or NULL.
   IRQL <= DISPATCH_LEVEL. */
PNET_BUFFER NdisAllocateNetBuffer(NDIS_HANDLE PoolHandle, PMDL MdlChain, ULONG DataOffset,
                                  SIZE_T DataLength);

/* NdisFreeNetBuffer - free an NB of NdisAllocateNetBuffer. IRQL <=
   DISPATCH_LEVEL. */
VOID NdisFreeNetBuffer(PNET_BUFFER NetBuffer);

/*
 * NdisGetDataBuffer - a pointer to the first @BytesNeeded bytes of
 * @NetBuffer's data: into the MDL's memory when they are contiguous there
 * (and aligned as asked: address % @AlignMultiple == @AlignOffset, with
 * @AlignMultiple 0 or 1 meaning any address), else copied into @Storage
 * (may be NULL: then NULL is returned). NULL too when the NB has fewer
 * bytes, or @BytesNeeded is 0. IRQL <= DISPATCH_LEVEL.
 */
PVOID NdisGetDataBuffer(PNET_BUFFER NetBuffer, ULONG BytesNeeded, PVOID Storage, UINT AlignMultiple,
                        UINT AlignOffset);

/*
 * NdisMSendNetBufferListsComplete - give back NBLs that MiniportSend-
 * NetBufferLists received (a chain; NET_BUFFER_LIST_STATUS of each set by
 * the miniport). @SendCompleteFlags: NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL
 * when called at DISPATCH_LEVEL. An NBL that is not with the miniport
 * (never sent, already completed) is reported and skipped.
 * IRQL <= DISPATCH_LEVEL.
 */
VOID NdisMSendNetBufferListsComplete(NDIS_HANDLE MiniportAdapterHandle,
                                     PNET_BUFFER_LIST NetBufferLists, ULONG SendCompleteFlags);

/*
 * NdisMIndicateReceiveNetBufferLists - hand received frames up. A chain of
 * @NumberOfNetBufferLists NBLs (must match the chain: reported). Without
 * NDIS_RECEIVE_FLAGS_RESOURCES the NBLs are NDIS's until
 * MiniportReturnNetBufferLists gives them back; with it, they are the
 * miniport's again when this returns. Indicating while the adapter is
 * not Running (or Pausing) is reported (and the NBLs are returned at once).
 * An NBL that is not the miniport's to indicate (unknown, freed, a send not
 * completed, already indicated) is reported and left out of the chain.
 * IRQL <= DISPATCH_LEVEL (NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL set exactly when
 * at DISPATCH_LEVEL).
 */
VOID NdisMIndicateReceiveNetBufferLists(NDIS_HANDLE MiniportAdapterHandle,
                                        PNET_BUFFER_LIST NetBufferLists,
                                        NDIS_PORT_NUMBER PortNumber, ULONG NumberOfNetBufferLists,
                                        ULONG ReceiveFlags);

/* NdisMOidRequestComplete - complete an OID request MiniportOidRequest
   returned NDIS_STATUS_PENDING for. IRQL <= DISPATCH_LEVEL. */
VOID NdisMOidRequestComplete(NDIS_HANDLE MiniportAdapterHandle, PNDIS_OID_REQUEST OidRequest,
                             NDIS_STATUS Status);

/* NdisMPauseComplete - complete a pause MiniportPause returned
   NDIS_STATUS_PENDING for. IRQL <= DISPATCH_LEVEL. */
VOID NdisMPauseComplete(NDIS_HANDLE MiniportAdapterHandle);

/* NdisMRestartComplete - complete a restart MiniportRestart returned
   NDIS_STATUS_PENDING for. IRQL <= DISPATCH_LEVEL. */
VOID NdisMRestartComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status);

/* NdisMResetComplete - complete a reset MiniportResetEx returned
   NDIS_STATUS_PENDING for. IRQL <= DISPATCH_LEVEL. */
VOID NdisMResetComplete(NDIS_HANDLE MiniportAdapterHandle, NDIS_STATUS Status,
                        BOOLEAN AddressingReset);

/* NdisMIndicateStatusEx - a status indication (NDIS_STATUS_LINK_STATE with
   an NDIS_LINK_STATE, ...), passed to the host. IRQL <= DISPATCH_LEVEL. */
VOID NdisMIndicateStatusEx(NDIS_HANDLE MiniportAdapterHandle,
                           PNDIS_STATUS_INDICATION StatusIndication);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_NDIS_H */
