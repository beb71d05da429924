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
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER, PHYSICAL_ADDRESS, *PPHYSICAL_ADDRESS;

/* ---- NTSTATUS ---- */
#define NT_SUCCESS(s) (((NTSTATUS)(s)) >= 0)
#define STATUS_SUCCESS ((NTSTATUS)0x00000000L)
#define STATUS_PENDING ((NTSTATUS)0x00000103L)
#define STATUS_UNSUCCESSFUL ((NTSTATUS)0xC0000001L)
#define STATUS_NOT_IMPLEMENTED ((NTSTATUS)0xC0000002L)
#define STATUS_INVALID_PARAMETER ((NTSTATUS)0xC000000DL)
#define STATUS_NO_MEMORY ((NTSTATUS)0xC0000017L)
#define STATUS_INSUFFICIENT_RESOURCES ((NTSTATUS)0xC000009AL)
#define STATUS_DEVICE_BUSY ((NTSTATUS)0x80000011L)
#define STATUS_NOT_SUPPORTED ((NTSTATUS)0xC00000BBL)
#define STATUS_INVALID_DEVICE_REQUEST ((NTSTATUS)0xC0000010L)

/* ---- Pages ---- */
#define PAGE_SIZE 0x1000u
#define PAGE_SHIFT 12u
#define BYTE_OFFSET(Va) ((ULONG)((ULONG_PTR)(Va) & (PAGE_SIZE - 1)))
#define PAGE_ALIGN(Va) ((PVOID)((ULONG_PTR)(Va) & ~(ULONG_PTR)(PAGE_SIZE - 1)))
#define BYTES_TO_PAGES(Size) (((Size) >> PAGE_SHIFT) + (((Size) & (PAGE_SIZE - 1)) != 0))
#define ADDRESS_AND_SIZE_TO_SPAN_PAGES(Va, Size)                                                   \
    ((BYTE_OFFSET(Va) + ((ULONG)(Size)) + (PAGE_SIZE - 1)) >> PAGE_SHIFT)

/* ---- IRQL (x64 values) ---- */
typedef UCHAR KIRQL, *PKIRQL;
#define PASSIVE_LEVEL 0
#define LOW_LEVEL 0
#define APC_LEVEL 1
#define DISPATCH_LEVEL 2
#define CMCI_LEVEL 5
#define CLOCK_LEVEL 13
#define IPI_LEVEL 14
#define POWER_LEVEL 14
#define PROFILE_LEVEL 15
#define HIGH_LEVEL 15
/* Device IRQLs (DIRQL) lie between DISPATCH_LEVEL and CLOCK_LEVEL. */

typedef ULONG_PTR KSPIN_LOCK, *PKSPIN_LOCK;

/* ---- Opaque kernel objects ---- */
typedef struct _IRP IRP, *PIRP;
typedef struct _EPROCESS *PEPROCESS;
typedef struct _DRIVER_OBJECT DRIVER_OBJECT, *PDRIVER_OBJECT;
typedef struct _DEVICE_OBJECT DEVICE_OBJECT, *PDEVICE_OBJECT;

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

#define MDL_MAPPED_TO_SYSTEM_VA 0x0001
#define MDL_PAGES_LOCKED 0x0002
#define MDL_SOURCE_IS_NONPAGED_POOL 0x0004
#define MDL_ALLOCATED_FIXED_SIZE 0x0008
#define MDL_PARTIAL 0x0010
#define MDL_IO_SPACE 0x0800

#define MmGetMdlVirtualAddress(Mdl) ((PVOID)((PCHAR)((Mdl)->StartVa) + (Mdl)->ByteOffset))
#define MmGetMdlByteCount(Mdl) ((Mdl)->ByteCount)
#define MmGetMdlByteOffset(Mdl) ((Mdl)->ByteOffset)
#define MmGetMdlPfnArray(Mdl) ((PPFN_NUMBER)((Mdl) + 1))

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

#define DEVICE_DESCRIPTION_VERSION 0
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
   is sizeof(DMA_OPERATIONS). */
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
   by MmBuildMdlForNonPagedPool with simulated physical frame numbers. */
PMDL IoAllocateMdl(PVOID VirtualAddress, ULONG Length, BOOLEAN SecondaryBuffer,
                   BOOLEAN ChargeQuota, PIRP Irp);
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
                             PDEVICE_DESCRIPTION DeviceDescription,
                             PULONG NumberOfMapRegisters);

#ifdef __cplusplus
}
#endif

#endif /* NDISDMA_WDM_H */
