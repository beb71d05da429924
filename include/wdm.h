/*
 * <wdm.h> - the subset of the Windows Driver Kit's kernel and HAL interface
 * that ndisdma implements: base types with Windows widths, NTSTATUS codes,
 * IRQL and spin locks, MDLs, and the HAL DMA adapter for subordinate (system)
 * DMA. Names, types, fields and constants are the WDK's so that driver code
 * compiles unchanged; <ndis.h> builds on this header.
 *
 * Windows types keep their Windows widths on every host: ULONG and LONG are
 * 32 bits also on LP64 Linux. Function documentation (parameters, return
 * codes, IRQL, ownership) is next to each prototype.
 *
 * Machine binding: DDIs without a handle parameter (KeGetCurrentIrql,
 * IoAllocateMdl, ...) act on the machine the calling thread is bound to.
 * The host API binds the thread while it runs driver code
 * (ndisdma_thread_bind in <ndisdma/kernel.h>); the IRQL is per thread.
 */
#ifndef NDISDMA_WDM_H
#define NDISDMA_WDM_H

#include <stddef.h>
#include <stdint.h>
#include <sal.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Base types (Windows widths) ---- */
typedef void VOID, *PVOID;
typedef char CHAR, *PCHAR;
typedef unsigned char UCHAR, *PUCHAR;
typedef int16_t SHORT, *PSHORT, CSHORT;
typedef uint16_t USHORT, *PUSHORT;
typedef int32_t LONG, *PLONG;
typedef uint32_t ULONG, *PULONG;
typedef int32_t INT;
typedef uint32_t UINT, *PUINT;
typedef int64_t LONGLONG, *PLONGLONG;
typedef uint64_t ULONGLONG, *PULONGLONG;
typedef uintptr_t ULONG_PTR, *PULONG_PTR;
typedef intptr_t LONG_PTR;
typedef size_t SIZE_T;
typedef uint8_t BOOLEAN, *PBOOLEAN;
typedef const char *PCSTR;
typedef uint16_t WCHAR, *PWCHAR, *PWSTR;
typedef const uint16_t *PCWSTR;
typedef ULONG_PTR PFN_NUMBER, *PPFN_NUMBER;
typedef LONG NTSTATUS;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef IN
#define IN
#define OUT
#define OPTIONAL
#endif

typedef union _LARGE_INTEGER {
    struct {
        ULONG LowPart;
        LONG HighPart;
    }; /* anonymous (C11), as drivers write pa.LowPart */
    struct {
        ULONG LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER, PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

/* ---- NTSTATUS ---- */
#define NT_SUCCESS(s)                 (((NTSTATUS)(s)) >= 0)
#define STATUS_SUCCESS                ((NTSTATUS)0x00000000L)
#define STATUS_PENDING                ((NTSTATUS)0x00000103L)
#define STATUS_UNSUCCESSFUL           ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED        ((NTSTATUS)0xC0000002L)
#define STATUS_INVALID_PARAMETER      ((NTSTATUS)0xC000000DL)
#define STATUS_NO_MEMORY              ((NTSTATUS)0xC0000017L)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_DEVICE_BUSY            ((NTSTATUS)0x80000011L)
#define STATUS_NOT_SUPPORTED          ((NTSTATUS)0xC00000BBL)
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010L)
#define STATUS_OBJECT_NAME_COLLISION  ((NTSTATUS)0xC0000035L)

/* ---- Pages ---- */
#define PAGE_SIZE            0x1000u
#define PAGE_SHIFT           12u
#define BYTE_OFFSET(Va)      ((ULONG)((ULONG_PTR)(Va) & (PAGE_SIZE - 1)))
#define PAGE_ALIGN(Va)       ((PVOID)((ULONG_PTR)(Va) & ~(ULONG_PTR)(PAGE_SIZE - 1)))
#define BYTES_TO_PAGES(Size) (((Size) >> PAGE_SHIFT) + (((Size) & (PAGE_SIZE - 1)) != 0))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size)                                                   \
    ((BYTE_OFFSET(Va) + ((ULONG)(Size)) + (PAGE_SIZE - 1)) >> PAGE_SHIFT)

/* ---- IRQL (x64 values) ---- */
typedef UCHAR KIRQL, *PKIRQL;
#define PASSIVE_LEVEL  0
#define LOW_LEVEL      0
#define APC_LEVEL      1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL     5
#define CLOCK_LEVEL    13
#define IPI_LEVEL      14
#define POWER_LEVEL    14
#define PROFILE_LEVEL  15
#define HIGH_LEVEL     15
/* Device IRQLs (DIRQL) lie between DISPATCH_LEVEL and CLOCK_LEVEL. */

typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;

/* ---- Opaque kernel objects ---- */
typedef struct _IRP IRP, *PIRP;
typedef struct _EPROCESS *PEPROCESS;
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef struct _DEVICE_OBJECT DEVICE_OBJECT, *PDEVICE_OBJECT;

/* ---- GUID, allocation alignment ---- */
typedef struct _GUID {
    ULONG Data1;
    USHORT Data2;
    USHORT Data3;
    UCHAR Data4[8];
} GUID, *PGUID;

#define MEMORY_ALLOCATION_ALIGNMENT 16

/* ---- MDL ---- */
typedef struct _MDL {
    struct _MDL *Next;
    CSHORT Size;
    CSHORT MdlFlags;
    PEPROCESS Process;
    PVOID MappedSystemVa;
    PVOID StartVa;
    ULONG ByteCount;
    ULONG ByteOffset;
} MDL, *PMDL;
/* The page-frame array (PFN_NUMBER[]) follows the structure. */

#define MDL_MAPPED_TO_SYSTEM_VA     0x0001
#define MDL_PAGES_LOCKED            0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE    0x0008
#define MDL_PARTIAL                 0x0010
#define MDL_IO_SPACE                0x0800

#define MmGetMdlVirtualAddress(Mdl) ((PVOID)((PCHAR)((Mdl)->StartVa) + (Mdl)->ByteOffset))
#define MmGetMdlByteCount(Mdl)      ((Mdl)->ByteCount)
#define MmGetMdlByteOffset(Mdl)     ((Mdl)->ByteOffset)
#define MmGetMdlPfnArray(Mdl)       ((PPFN_NUMBER)((Mdl) + 1))

typedef enum _MM_PAGE_PRIORITY {
    LowPagePriority = 0,
    NormalPagePriority = 16,
    HighPagePriority = 32
} MM_PAGE_PRIORITY;

/* ---- DMA (subordinate, ISA) ---- */
typedef enum _INTERFACE_TYPE {
    InterfaceTypeUndefined = -1,
    Internal = 0,
    Isa = 1,
    Eisa = 2,
    MicroChannel = 3,
    TurboChannel = 4,
    PCIBus = 5,
    VMEBus = 6,
    NuBus = 7,
    PCMCIABus = 8,
    CBus = 9,
    MPIBus = 10,
    MPSABus = 11,
    ProcessorInternal = 12,
    InternalPowerBus = 13,
    PNPISABus = 14,
    PNPBus = 15,
    Vmcs = 16,
    ACPIBus = 17,
    MaximumInterfaceType = 18
} INTERFACE_TYPE,
    *PINTERFACE_TYPE;

typedef enum _DMA_WIDTH {
    Width8Bits,
    Width16Bits,
    Width32Bits,
    Width64Bits,
    WidthNoWrap,
    MaximumDmaWidth
} DMA_WIDTH,
    *PDMA_WIDTH;

typedef enum _DMA_SPEED {
    Compatible,
    TypeA,
    TypeB,
    TypeC,
    TypeF,
    MaximumDmaSpeed
} DMA_SPEED,
    *PDMA_SPEED;

#define DEVICE_DESCRIPTION_VERSION  0
#define DEVICE_DESCRIPTION_VERSION1 1
#define DEVICE_DESCRIPTION_VERSION2 2

typedef struct _DEVICE_DESCRIPTION {
    ULONG Version;
    BOOLEAN Master;
    BOOLEAN ScatterGather;
    BOOLEAN DemandMode;
    BOOLEAN AutoInitialize;
    BOOLEAN Dma32BitAddresses;
    BOOLEAN IgnoreCount;
    BOOLEAN Reserved1;
    BOOLEAN Dma64BitAddresses;
    ULONG BusNumber;
    ULONG DmaChannel;
    INTERFACE_TYPE InterfaceType;
    DMA_WIDTH DmaWidth;
    DMA_SPEED DmaSpeed;
    ULONG MaximumLength;
    ULONG DmaPort;
} DEVICE_DESCRIPTION, *PDEVICE_DESCRIPTION;

typedef enum _IO_ALLOCATION_ACTION {
    KeepObject = 1,
    DeallocateObject,
    DeallocateObjectKeepRegisters
} IO_ALLOCATION_ACTION,
    *PIO_ALLOCATION_ACTION;

typedef IO_ALLOCATION_ACTION DRIVER_CONTROL(PDEVICE_OBJECT DeviceObject, PIRP Irp,
                                            PVOID MapRegisterBase, PVOID Context);
typedef DRIVER_CONTROL *PDRIVER_CONTROL;

typedef struct _DMA_ADAPTER DMA_ADAPTER, *PDMA_ADAPTER;

typedef VOID (*PPUT_DMA_ADAPTER)(PDMA_ADAPTER DmaAdapter);
typedef PVOID (*PALLOCATE_COMMON_BUFFER)(PDMA_ADAPTER DmaAdapter, ULONG Length,
                                         PPHYSICAL_ADDRESS LogicalAddress, BOOLEAN CacheEnabled);
typedef VOID (*PFREE_COMMON_BUFFER)(PDMA_ADAPTER DmaAdapter, ULONG Length,
                                    PHYSICAL_ADDRESS LogicalAddress, PVOID VirtualAddress,
                                    BOOLEAN CacheEnabled);
typedef NTSTATUS (*PALLOCATE_ADAPTER_CHANNEL)(PDMA_ADAPTER DmaAdapter, PDEVICE_OBJECT DeviceObject,
                                              ULONG NumberOfMapRegisters,
                                              PDRIVER_CONTROL ExecutionRoutine, PVOID Context);
typedef BOOLEAN (*PFLUSH_ADAPTER_BUFFERS)(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase,
                                          PVOID CurrentVa, ULONG Length, BOOLEAN WriteToDevice);
typedef VOID (*PFREE_ADAPTER_CHANNEL)(PDMA_ADAPTER DmaAdapter);
typedef VOID (*PFREE_MAP_REGISTERS)(PDMA_ADAPTER DmaAdapter, PVOID MapRegisterBase,
                                    ULONG NumberOfMapRegisters);
typedef PHYSICAL_ADDRESS (*PMAP_TRANSFER)(PDMA_ADAPTER DmaAdapter, PMDL Mdl, PVOID MapRegisterBase,
                                          PVOID CurrentVa, PULONG Length, BOOLEAN WriteToDevice);
typedef ULONG (*PGET_DMA_ALIGNMENT)(PDMA_ADAPTER DmaAdapter);
typedef ULONG (*PREAD_DMA_COUNTER)(PDMA_ADAPTER DmaAdapter);

/* The WDK's DMA_OPERATIONS up to ReadDmaCounter; the scatter/gather members
   that follow in the WDK belong to bus-master DMA and are not provided. Size
   is sizeof(DMA_OPERATIONS).
   IRQL of each operation (src/hal; a call at another IRQL is a violation and
   does nothing): PutDmaAdapter, AllocateCommonBuffer, FreeCommonBuffer
   PASSIVE_LEVEL; AllocateAdapterChannel, FreeAdapterChannel,
   FreeMapRegisters DISPATCH_LEVEL (execution routines run at DISPATCH_LEVEL);
   MapTransfer, FlushAdapterBuffers, ReadDmaCounter <= DISPATCH_LEVEL;
   GetDmaAlignment any. Full contracts: src/hal/ next to each function. */
typedef struct _DMA_OPERATIONS {
    ULONG Size;
    PPUT_DMA_ADAPTER PutDmaAdapter;
    PALLOCATE_COMMON_BUFFER AllocateCommonBuffer;
    PFREE_COMMON_BUFFER FreeCommonBuffer;
    PALLOCATE_ADAPTER_CHANNEL AllocateAdapterChannel;
    PFLUSH_ADAPTER_BUFFERS FlushAdapterBuffers;
    PFREE_ADAPTER_CHANNEL FreeAdapterChannel;
    PFREE_MAP_REGISTERS FreeMapRegisters;
    PMAP_TRANSFER MapTransfer;
    PGET_DMA_ALIGNMENT GetDmaAlignment;
    PREAD_DMA_COUNTER ReadDmaCounter;
} DMA_OPERATIONS, *PDMA_OPERATIONS;

struct _DMA_ADAPTER {
    USHORT Version;
    USHORT Size;
    PDMA_OPERATIONS DmaOperations;
};

/* ---- Device objects ----
   ndisdma's DEVICE_OBJECT carries only what its DDIs use; drivers treat it
   as opaque, as in Windows. Created by the host API (<ndisdma/kernel.h>). */
struct _DEVICE_OBJECT {
    CSHORT Type;
    USHORT Size;
    LONG ReferenceCount;
    PDRIVER_OBJECT DriverObject;
    PVOID DeviceExtension;
    ULONG Flags;
    PVOID NdisdmaKernel; /* ndisdma: the kernel of the machine the device lives on */
};

/* ---- Kernel DDIs (src/kernel) ----
   IRQL: KeGetCurrentIrql any; KeRaiseIrql: NewIrql >= current;
   KeLowerIrql: NewIrql <= current. Violations are reported by the machine's
   verifier and the call does nothing (never a crash). */
KIRQL KeGetCurrentIrql(VOID);
VOID KeRaiseIrql(KIRQL NewIrql, PKIRQL OldIrql);
VOID KeLowerIrql(KIRQL NewIrql);
KIRQL KeRaiseIrqlToDpcLevel(VOID);
/* Spin locks: KeAcquireSpinLock raises to DISPATCH_LEVEL (caller <= DISPATCH_LEVEL);
   ...AtDpcLevel requires DISPATCH_LEVEL. */
VOID KeInitializeSpinLock(PKSPIN_LOCK SpinLock);
VOID KeAcquireSpinLock(PKSPIN_LOCK SpinLock, PKIRQL OldIrql);
VOID KeReleaseSpinLock(PKSPIN_LOCK SpinLock, KIRQL NewIrql);
VOID KeAcquireSpinLockAtDpcLevel(PKSPIN_LOCK SpinLock);
VOID KeReleaseSpinLockFromDpcLevel(PKSPIN_LOCK SpinLock);
/* Busy-wait: advances the machine's virtual clock. Any IRQL. */
VOID KeStallExecutionProcessor(ULONG MicroSeconds);

/* MDLs: IoAllocateMdl/IoFreeMdl <= DISPATCH_LEVEL. The MDL describes
   [VirtualAddress, VirtualAddress + Length); its page-frame array is filled
   by MmBuildMdlForNonPagedPool with simulated physical frame numbers.
   IoFreeMdl of the MDL of an NDIS DMA transfer in progress is a violation
   and frees nothing (rule buffer-freed-in-progress, <ndisdma/verify.h>). */
PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer, BOOLEAN ChargeQuota,
                   PIRP Irp);
VOID IoFreeMdl(PMDL Mdl);
VOID MmBuildMdlForNonPagedPool(PMDL MemoryDescriptorList);
PVOID MmGetSystemAddressForMdlSafe(PMDL Mdl, ULONG Priority);
SIZE_T MmSizeOfMdl(PVOID Base, SIZE_T Length);
PHYSICAL_ADDRESS MmGetPhysicalAddress(PVOID BaseAddress);

/* ---- HAL DDIs (src/hal) ----
   IoGetDmaAdapter: PASSIVE_LEVEL. Returns NULL for an impossible
   description; *NumberOfMapRegisters receives what the adapter can map at
   once. The adapter is released with DmaOperations->PutDmaAdapter. */
PDMA_ADAPTER IoGetDmaAdapter(PDEVICE_OBJECT PhysicalDeviceObject,
                             PDEVICE_DESCRIPTION DeviceDescription, PULONG NumberOfMapRegisters);

/* ==== Runtime-library and I/O-manager types that <ndis.h> builds on ====
   (section added with <ndis.h>: ntdef.h/wdm.h facts of the WDK - lists,
   counted strings, resource descriptors, field-offset macros, pool
   priorities, DriverEntry's type. Types and pure macros/inline helpers only.) */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t ULONG64, *PULONG64;
typedef int64_t LONG64, *PLONG64;
typedef uint8_t UINT8, *PUINT8;
typedef uint16_t UINT16, *PUINT16;
typedef uint32_t UINT32, *PUINT32;
typedef uint64_t UINT64, *PUINT64;
typedef int32_t INT32, *PINT32;
typedef int64_t INT64, *PINT64;
typedef char *PSTR;
typedef ULONG_PTR KAFFINITY, *PKAFFINITY;

#ifndef STATUS_BUFFER_OVERFLOW
#define STATUS_BUFFER_OVERFLOW ((NTSTATUS)0x80000005L)
#endif
#ifndef STATUS_INVALID_DEVICE_STATE
#define STATUS_INVALID_DEVICE_STATE ((NTSTATUS)0xC0000184L)
#endif
#ifndef STATUS_NETWORK_UNREACHABLE
#define STATUS_NETWORK_UNREACHABLE ((NTSTATUS)0xC000023CL)
#endif

/* Field offsets and sizes (ntdef.h). FIELD_OFFSET is a LONG as in the WDK;
   RTL_SIZEOF_THROUGH_FIELD is what the NDIS_SIZEOF_..._REVISION_n macros use. */
#define FIELD_OFFSET(type, field) ((LONG)offsetof(type, field))
/* With GCC and Clang the field's type is measured rather than an expression
   of that type, so that clang-tidy's bugprone-sizeof-expression does not
   take a pointer-typed field (PNDIS_RESOURCE_LIST ...) for sizeof(A *). */
#if defined(__GNUC__)
#define RTL_FIELD_SIZE(type, field) (sizeof(__typeof__(((type *)0)->field)))
#else
#define RTL_FIELD_SIZE(type, field) (sizeof(((type *)0)->field))
#endif
#define RTL_SIZEOF_THROUGH_FIELD(type, field)                                                      \
    (FIELD_OFFSET(type, field) + RTL_FIELD_SIZE(type, field))
#define RTL_NUMBER_OF(A)                        (sizeof(A) / sizeof((A)[0]))
#define CONTAINING_RECORD(address, type, field) ((type *)((PCHAR)(address)-offsetof(type, field)))
#ifndef UNREFERENCED_PARAMETER
#define UNREFERENCED_PARAMETER(P) ((void)(P))
#endif

/* Memory (the WDK defines these as macros over the C library too). */
#define RtlEqualMemory(Destination, Source, Length) (!memcmp((Destination), (Source), (Length)))
#define RtlMoveMemory(Destination, Source, Length)  memmove((Destination), (Source), (Length))
#define RtlCopyMemory(Destination, Source, Length)  memcpy((Destination), (Source), (Length))
#define RtlFillMemory(Destination, Length, Fill)    memset((Destination), (Fill), (Length))
#define RtlZeroMemory(Destination, Length)          memset((Destination), 0, (Length))

/* Checked (DBG = 1) and free (DBG = 0) builds, as in the WDK: ASSERT and
   KdPrint compile to nothing unless DBG is nonzero. The free-build ASSERT
   still names its operands (inside sizeof, not evaluated) so that variables
   used only in assertions do not trigger -Wunused warnings. */
#ifndef DBG
#define DBG 0
#endif

/* DbgPrint - print a debug message to the host's stderr. Any IRQL.
   Returns STATUS_SUCCESS. Format conversions are the C library's: the
   Windows-only ones (%wZ, %ws, %I64x) are not translated. */
static inline ULONG DbgPrint(PCSTR Format, ...)
{
    va_list ap;
    va_start(ap, Format);
    (void)vfprintf(stderr, Format, ap);
    va_end(ap);
    return 0;
}

static inline VOID ndisdma_wdm_assert_failed(PCSTR Expression, PCSTR File, ULONG Line)
{
    (void)fprintf(stderr, "*** Assertion failed: %s\n***   Source File: %s, line %lu\n", Expression,
                  File, (unsigned long)Line);
    abort(); /* a checked build breaks into the debugger here */
}

#if DBG
#define ASSERT(exp) ((void)((exp) ? 0 : (ndisdma_wdm_assert_failed(#exp, __FILE__, __LINE__), 0)))
#define ASSERTMSG(msg, exp)                                                                        \
    ((void)((exp) ? 0 : (ndisdma_wdm_assert_failed(msg, __FILE__, __LINE__), 0)))
#define KdPrint(_x_) DbgPrint _x_
#else
#define ASSERT(exp)         ((void)sizeof((exp) ? 1 : 0))
#define ASSERTMSG(msg, exp) ((void)sizeof((exp) ? 1 : 0))
#define KdPrint(_x_)
#endif

/* ---- Doubly and singly linked lists (FORCEINLINE in the WDK) ---- */
typedef struct _LIST_ENTRY {
    struct _LIST_ENTRY *Flink;
    struct _LIST_ENTRY *Blink;
} LIST_ENTRY, *PLIST_ENTRY, *PRLIST_ENTRY;

typedef struct _SINGLE_LIST_ENTRY {
    struct _SINGLE_LIST_ENTRY *Next;
} SINGLE_LIST_ENTRY, *PSINGLE_LIST_ENTRY;

static inline VOID InitializeListHead(PLIST_ENTRY ListHead)
{
    ListHead->Flink = ListHead->Blink = ListHead;
}

static inline BOOLEAN IsListEmpty(const LIST_ENTRY *ListHead)
{
    return (BOOLEAN)(ListHead->Flink == ListHead);
}

/* Unlinks Entry; returns TRUE if the list is empty afterwards. */
static inline BOOLEAN RemoveEntryList(PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = Entry->Flink;
    PLIST_ENTRY Blink = Entry->Blink;
    Blink->Flink = Flink;
    Flink->Blink = Blink;
    return (BOOLEAN)(Flink == Blink);
}

/* Removes and returns the first entry (ListHead itself if the list is empty). */
static inline PLIST_ENTRY RemoveHeadList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Flink;
    PLIST_ENTRY Flink = Entry->Flink;
    ListHead->Flink = Flink;
    Flink->Blink = ListHead;
    return Entry;
}

/* Removes and returns the last entry (ListHead itself if the list is empty). */
static inline PLIST_ENTRY RemoveTailList(PLIST_ENTRY ListHead)
{
    PLIST_ENTRY Entry = ListHead->Blink;
    PLIST_ENTRY Blink = Entry->Blink;
    ListHead->Blink = Blink;
    Blink->Flink = ListHead;
    return Entry;
}

static inline VOID InsertTailList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Blink = ListHead->Blink;
    Entry->Flink = ListHead;
    Entry->Blink = Blink;
    Blink->Flink = Entry;
    ListHead->Blink = Entry;
}

static inline VOID InsertHeadList(PLIST_ENTRY ListHead, PLIST_ENTRY Entry)
{
    PLIST_ENTRY Flink = ListHead->Flink;
    Entry->Flink = Flink;
    Entry->Blink = ListHead;
    Flink->Blink = Entry;
    ListHead->Flink = Entry;
}

static inline VOID PushEntryList(PSINGLE_LIST_ENTRY ListHead, PSINGLE_LIST_ENTRY Entry)
{
    Entry->Next = ListHead->Next;
    ListHead->Next = Entry;
}

static inline PSINGLE_LIST_ENTRY PopEntryList(PSINGLE_LIST_ENTRY ListHead)
{
    PSINGLE_LIST_ENTRY FirstEntry = ListHead->Next;
    if (FirstEntry != NULL) {
        ListHead->Next = FirstEntry->Next;
    }
    return FirstEntry;
}

/* ---- Counted UTF-16 strings. Length and MaximumLength are in bytes. ---- */
typedef struct _UNICODE_STRING {
    USHORT Length;
    USHORT MaximumLength;
    PWSTR Buffer;
} UNICODE_STRING, *PUNICODE_STRING;
typedef const UNICODE_STRING *PCUNICODE_STRING;

/* ---- Pool priorities (NdisAllocateMemoryWithTagPriority) ---- */
typedef enum _EX_POOL_PRIORITY {
    LowPoolPriority,
    LowPoolPrioritySpecialPoolOverrun = 8,
    LowPoolPrioritySpecialPoolUnderrun = 9,
    NormalPoolPriority = 16,
    NormalPoolPrioritySpecialPoolOverrun = 24,
    NormalPoolPrioritySpecialPoolUnderrun = 25,
    HighPoolPriority = 32,
    HighPoolPrioritySpecialPoolOverrun = 40,
    HighPoolPrioritySpecialPoolUnderrun = 41
} EX_POOL_PRIORITY;

/* ---- Driver entry points ---- */
typedef NTSTATUS DRIVER_INITIALIZE(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath);
typedef DRIVER_INITIALIZE *PDRIVER_INITIALIZE;
typedef VOID DRIVER_UNLOAD(PDRIVER_OBJECT DriverObject);
typedef DRIVER_UNLOAD *PDRIVER_UNLOAD;

/*
 * IoAllocateDriverObjectExtension - a per-driver-object context area: how
 * a driver finds its own state from the DRIVER_OBJECT alone (in
 * MiniportDriverUnload, say) without a global variable.
 * @DriverObject: a loaded driver's object (the one DriverEntry got).
 * @ClientIdentificationAddress: a unique key of the caller's choice (by
 * convention the address of one of its functions).
 * @DriverObjectExtensionSize: bytes, > 0. @DriverObjectExtension: receives
 * the zeroed area, or NULL on failure. The area lives as long as the driver
 * object: the I/O manager frees it after the driver is unloaded.
 * Returns STATUS_SUCCESS, STATUS_OBJECT_NAME_COLLISION (the key is taken),
 * STATUS_INSUFFICIENT_RESOURCES, or STATUS_INVALID_PARAMETER (not a loaded
 * driver's object, size 0, NULL output: reported). IRQL <= APC_LEVEL.
 */
NTSTATUS IoAllocateDriverObjectExtension(PDRIVER_OBJECT DriverObject,
                                         PVOID ClientIdentificationAddress,
                                         ULONG DriverObjectExtensionSize,
                                         PVOID *DriverObjectExtension);

/* IoGetDriverObjectExtension - the area allocated for
   @ClientIdentificationAddress on @DriverObject, or NULL (none; not a loaded
   driver's object: reported). IRQL <= DISPATCH_LEVEL. */
PVOID IoGetDriverObjectExtension(PDRIVER_OBJECT DriverObject, PVOID ClientIdentificationAddress);

/* ---- Hardware resources (CM_*): what a miniport gets as its allocated
   resources. As in the WDK the descriptors are packed to 4 bytes, so a
   descriptor is 16 bytes on 32-bit hosts and 20 bytes on 64-bit hosts. ---- */
#define CmResourceTypeNull           0
#define CmResourceTypePort           1
#define CmResourceTypeInterrupt      2
#define CmResourceTypeMemory         3
#define CmResourceTypeDma            4
#define CmResourceTypeDeviceSpecific 5
#define CmResourceTypeBusNumber      6
#define CmResourceTypeMemoryLarge    7
#define CmResourceTypeNonArbitrated  128
#define CmResourceTypeConfigData     128
#define CmResourceTypeDevicePrivate  129
#define CmResourceTypePcCardConfig   130
#define CmResourceTypeMfCardConfig   131
#define CmResourceTypeConnection     132

typedef enum _CM_SHARE_DISPOSITION {
    CmResourceShareUndetermined = 0,
    CmResourceShareDeviceExclusive,
    CmResourceShareDriverExclusive,
    CmResourceShareShared
} CM_SHARE_DISPOSITION;

/* Flags for CmResourceTypeInterrupt */
#define CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE 0x0000
#define CM_RESOURCE_INTERRUPT_LATCHED         0x0001
#define CM_RESOURCE_INTERRUPT_MESSAGE         0x0002
#define CM_RESOURCE_INTERRUPT_POLICY_INCLUDED 0x0004
/* Flags for CmResourceTypePort */
#define CM_RESOURCE_PORT_MEMORY               0x0000
#define CM_RESOURCE_PORT_IO                   0x0001
#define CM_RESOURCE_PORT_10_BIT_DECODE        0x0004
#define CM_RESOURCE_PORT_12_BIT_DECODE        0x0008
#define CM_RESOURCE_PORT_16_BIT_DECODE        0x0010
#define CM_RESOURCE_PORT_POSITIVE_DECODE      0x0020
#define CM_RESOURCE_PORT_PASSIVE_DECODE       0x0040
#define CM_RESOURCE_PORT_WINDOW_DECODE        0x0080
/* Flags for CmResourceTypeMemory */
#define CM_RESOURCE_MEMORY_READ_WRITE         0x0000
#define CM_RESOURCE_MEMORY_READ_ONLY          0x0001
#define CM_RESOURCE_MEMORY_WRITE_ONLY         0x0002
#define CM_RESOURCE_MEMORY_PREFETCHABLE       0x0004
#define CM_RESOURCE_MEMORY_COMBINEDWRITE      0x0008
#define CM_RESOURCE_MEMORY_24                 0x0010
#define CM_RESOURCE_MEMORY_CACHEABLE          0x0020
/* Flags for CmResourceTypeDma */
#define CM_RESOURCE_DMA_8                     0x0000
#define CM_RESOURCE_DMA_16                    0x0001
#define CM_RESOURCE_DMA_32                    0x0002
#define CM_RESOURCE_DMA_8_AND_16              0x0004
#define CM_RESOURCE_DMA_BUS_MASTER            0x0008
#define CM_RESOURCE_DMA_TYPE_A                0x0010
#define CM_RESOURCE_DMA_TYPE_B                0x0020
#define CM_RESOURCE_DMA_TYPE_F                0x0040

#pragma pack(push, 4)
typedef struct _CM_PARTIAL_RESOURCE_DESCRIPTOR {
    UCHAR Type;             /* CmResourceType* */
    UCHAR ShareDisposition; /* CM_SHARE_DISPOSITION */
    USHORT Flags;           /* CM_RESOURCE_* of the type */
    union {
        struct {
            PHYSICAL_ADDRESS Start;
            ULONG Length;
        } Generic;
        struct {
            PHYSICAL_ADDRESS Start;
            ULONG Length;
        } Port;
        struct {
            ULONG Level;
            ULONG Vector;
            KAFFINITY Affinity;
        } Interrupt;
        struct {
            PHYSICAL_ADDRESS Start;
            ULONG Length;
        } Memory;
        struct {
            ULONG Channel;
            ULONG Port;
            ULONG Reserved1;
        } Dma;
        struct {
            ULONG Data[3];
        } DevicePrivate;
        struct {
            ULONG Start;
            ULONG Length;
            ULONG Reserved;
        } BusNumber;
        struct {
            ULONG DataSize;
            ULONG Reserved1;
            ULONG Reserved2;
        } DeviceSpecificData;
    } u;
} CM_PARTIAL_RESOURCE_DESCRIPTOR, *PCM_PARTIAL_RESOURCE_DESCRIPTOR;

/* PartialDescriptors[1] is the first of Count descriptors (ANYSIZE_ARRAY). */
typedef struct _CM_PARTIAL_RESOURCE_LIST {
    USHORT Version;
    USHORT Revision;
    ULONG Count;
    CM_PARTIAL_RESOURCE_DESCRIPTOR PartialDescriptors[1];
} CM_PARTIAL_RESOURCE_LIST, *PCM_PARTIAL_RESOURCE_LIST;

typedef struct _CM_FULL_RESOURCE_DESCRIPTOR {
    INTERFACE_TYPE InterfaceType;
    ULONG BusNumber;
    CM_PARTIAL_RESOURCE_LIST PartialResourceList;
} CM_FULL_RESOURCE_DESCRIPTOR, *PCM_FULL_RESOURCE_DESCRIPTOR;

typedef struct _CM_RESOURCE_LIST {
    ULONG Count;
    CM_FULL_RESOURCE_DESCRIPTOR List[1];
} CM_RESOURCE_LIST, *PCM_RESOURCE_LIST;
#pragma pack(pop)
/* ==== end of the section added with <ndis.h> ==== */

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_WDM_H */
