/*
 * sample.h - the SD-1 sample miniport: adapter and driver contexts, and the
 * functions the files of the driver share.
 *
 * Concept. An NDIS 6.0 miniport for the SD-1 ISA Ethernet controller
 * (devices/sdnic_regs.h), written only against <ndis.h> as a WDK driver is.
 * The card has ONE system DMA channel for transmit and receive, so the
 * adapter runs at most one DMA operation at a time: a transmit of one
 * NET_BUFFER or a receive of one frame. Every path that can free the channel
 * or bring new work (the interrupt DPC, MiniportSendNetBufferLists,
 * MiniportReturnNetBufferLists, the poll timer, MiniportRestart) calls one
 * routine, SdStartNextOperationLocked, under the adapter's spin lock; it
 * prefers a receive when a frame waits in the card (to keep the RX FIFO from
 * overrunning), else starts the next transmit.
 *
 * Watchdog (watchdog.c). A card that stops moving data (drops DREQ in the
 * middle of a frame and never raises it again) would leave the one channel
 * busy forever. While a DMA operation is in progress a one-shot NDIS timer
 * ticks every SD_WATCHDOG_MS milliseconds; a tick that finds
 * the same operation, still running in the card, with the same
 * NdisMReadDmaCounter value as the tick before, recovers: CMD_ABORT,
 * NdisMCompleteDmaTransfer, a transmit fails (NDIS_STATUS_FAILURE), a
 * receive is retried (the card keeps the frame), and the next operation
 * starts.
 *
 * Locking. SD_ADAPTER.Lock protects every field marked [L]. The ISR (DIRQL)
 * touches only PendingCauses, and the DPC takes them with
 * NdisMSynchronizeWithInterruptEx. NDIS indications
 * (NdisMSendNetBufferListsComplete, NdisMIndicateReceiveNetBufferLists,
 * NdisMPauseComplete, NdisMIndicateStatusEx) are always made with the lock
 * released: the routines that run under the lock collect NBLs in SD_COMPLETION
 * and the caller hands them up afterwards (SdFlushCompletions).
 *
 * Driver-wide state lives in SD_DRIVER (the MiniportDriverContext), never in
 * globals, so several machines may load the driver in one process.
 */
#ifndef SD_SAMPLE_H
#define SD_SAMPLE_H

#include <ndis.h>

#include "sdnic_regs.h"

/* ---- Pool tags (WDK multi-character constants, read backwards in a debugger) ---- */
#define SD_TAG_ADAPTER 'aDSp'
#define SD_TAG_RXBUF   'rDSp'
#define SD_TAG_TXBUF   'tDSp'
#define SD_TAG_POOL    'pDSp'
#define SD_TAG_TIMER   'mDSp'
#define SD_TAG_WDOG    'wDSp'

/* ---- Sizes and tunables ---- */
#define SD_DRIVER_MAJOR     1
#define SD_DRIVER_MINOR     0
#define SD_MTU              1500            /* payload bytes of an Ethernet frame */
#define SD_HEADER_SIZE      14              /* destination, source, type */
#define SD_MAX_FRAME        SDNIC_MAX_FRAME /* 1514: header + MTU, no FCS */
#define SD_BUFFER_SIZE      1536            /* receive buffer / staging: >= 1514, even */
#define SD_DMA_MAX          SD_BUFFER_SIZE  /* MaximumLength of NdisMRegisterDmaChannel */
#define SD_RX_BUFFERS       8               /* receive buffers (NBLs) per adapter */
#define SD_MAX_MCAST        32              /* OID_802_3_MAXIMUM_LIST_SIZE */
#define SD_MAX_SEND_PACKETS 32              /* OID_GEN_MAXIMUM_SEND_PACKETS (advisory) */
#define SD_ETH_ALEN         6
#define SD_UNLIMITED_BPS    1000000000ull /* link speed reported when RATE is 0 */
#define SD_POLL_MIN_US      50            /* shortest transmit-FIFO poll */

/* DMA watchdog (watchdog.c). The card moves a frame in one demand-mode burst
   at the TypeC timing (120 ns per unit, bytes on channels 0-3, words on
   5-7), so the longest legitimate DMA operation, SD_DMA_MAX bytes, takes
   1536 x 120 ns = 184 us on an 8-bit channel and 768 x 120 ns = 92 us on a
   16-bit one; it does not wait for the wire (TX_GO is refused while the
   transmit FIFO is full, and a receive starts only on a frame already in the
   RX FIFO). The watchdog period is SD_WATCHDOG_MS on either width: more than
   50 of those longest operations, and of the order of what a Windows driver
   gets from a timer at all (timers expire at the clock interrupt, every
   15.6 ms by default). A transfer whose count has not moved for one whole
   period is declared stuck (watchdog.c). While operations follow one
   another the timer ticks once a period, and a tick is a timer DPC, the
   adapter lock and a DMA burst split in two: with a period of four longest
   operations (737 us) that was 7% of the work of a full-size frame at full
   speed, at 10 ms it is under 1% (docs/performance.md). */
#define SD_WATCHDOG_MS  10u /* watchdog period, milliseconds */
#define SD_RX_MAX_TRIES 3u  /* receive timeouts in a row before the card is reset */

/* The causes the driver enables in IMR. */
#define SD_IMR_CAUSES                                                                              \
    (SDNIC_ISR_TX_DONE | SDNIC_ISR_RX_READY | SDNIC_ISR_RX_DONE | SDNIC_ISR_TX_ERR |               \
     SDNIC_ISR_RX_ERR | SDNIC_ISR_RX_OVERRUN)

/* Packet filters the card supports (it receives everything; the filter is
   kept and reported, as the card has no address filter). */
#define SD_SUPPORTED_FILTERS                                                                       \
    (NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_ALL_MULTICAST |     \
     NDIS_PACKET_TYPE_BROADCAST | NDIS_PACKET_TYPE_PROMISCUOUS)

/* ---- Per-NBL and per-NB bookkeeping in the miniport-reserved areas ----
   Send NBL: MiniportReserved[0] = NET_BUFFERs not yet done (count),
             MiniportReserved[1] = first failure status (0 = none so far).
   Send NB:  MiniportReserved[0] = the NBL it belongs to,
             MiniportReserved[1] = next NB in the adapter's transmit queue.
   Receive NBL: MiniportReserved[0] = its SD_RX_BUFFER. */
#define SD_NBL_PENDING(_Nbl) ((_Nbl)->MiniportReserved[0])
#define SD_NBL_FAILURE(_Nbl) ((_Nbl)->MiniportReserved[1])
#define SD_NB_NBL(_Nb)       ((PNET_BUFFER_LIST)(_Nb)->MiniportReserved[0])
#define SD_NB_QNEXT(_Nb)     ((PNET_BUFFER)(_Nb)->MiniportReserved[1])
#define SD_RX_OF_NBL(_Nbl)   ((struct _SD_RX_BUFFER *)(_Nbl)->MiniportReserved[0])

/* One receive buffer: nonpaged memory (placed wherever the machine's policy
   puts it: the HAL then transfers directly or through map registers), its
   MDL, and the NBL with one NET_BUFFER that describes it. */
typedef struct _SD_RX_BUFFER {
    struct _SD_RX_BUFFER *Next; /* [L] free list link */
    PUCHAR Va;
    PMDL Mdl;
    PNET_BUFFER_LIST Nbl;
} SD_RX_BUFFER, *PSD_RX_BUFFER;

typedef enum _SD_STATE {
    SdStatePaused = 0, /* after MiniportInitializeEx, and after a pause */
    SdStateRunning,
    SdStatePausing, /* MiniportPause returned NDIS_STATUS_PENDING */
} SD_STATE;

typedef enum _SD_DMA_OP {
    SdDmaIdle = 0,
    SdDmaTransmit,
    SdDmaReceive,
} SD_DMA_OP;

/* Statistics (the OIDs report them). [L] */
typedef struct _SD_COUNTERS {
    ULONG64 XmitOk, XmitError, XmitDiscards;
    ULONG64 RcvOk, RcvError, RcvNoBuffer, RcvDiscards, RcvOverrun;
    ULONG64 XmitBytes, RcvBytes;
    ULONG64 XmitCoalesced;  /* NBs copied to the staging buffer (multi-MDL, odd tail) */
    ULONG64 RcvLowResource; /* indications made with NDIS_RECEIVE_FLAGS_RESOURCES */
    ULONG64 DmaErrors;      /* NdisMSetupDmaTransfer / NdisMCompleteDmaTransfer failures */
    ULONG64 TxFullWaits;    /* a transmit waited for room in the card's FIFO */
    ULONG64 DmaTimeouts;    /* operations the watchdog aborted (no DMA progress) */
    ULONG64 RxRetries;      /* aborted receives started again on the same frame */
    ULONG64 CardResets;     /* card resets by the watchdog (a frame that never moved) */
} SD_COUNTERS;

/* NBLs to hand to NDIS once the lock is released. */
typedef struct _SD_COMPLETION {
    PNET_BUFFER_LIST SendHead, SendTail; /* send-complete chain */
    PNET_BUFFER_LIST RxHead, RxTail;     /* receive indication chain */
    ULONG RxCount;
    PNET_BUFFER_LIST LowHead, LowTail; /* indicated with NDIS_RECEIVE_FLAGS_RESOURCES */
    ULONG LowCount;
    BOOLEAN PauseComplete; /* call NdisMPauseComplete */
} SD_COMPLETION, *PSD_COMPLETION;

typedef struct _SD_DRIVER {
    NDIS_HANDLE DriverHandle; /* NdisMRegisterMiniportDriver */
    PDRIVER_OBJECT DriverObject;
} SD_DRIVER, *PSD_DRIVER;

typedef struct _SD_ADAPTER {
    NDIS_HANDLE AdapterHandle; /* NdisMiniportHandle of MiniportInitializeEx */
    PSD_DRIVER Driver;

    /* Resources (from the CM partial list) */
    ULONG DmaChannel;
    ULONG InterruptLevel;
    ULONG IoBase, IoLength;
    BOOLEAN HaveDma, HaveInterrupt, HavePorts;
    BOOLEAN CardFound; /* the ID register read SDNIC_ID: the ports may be written */

    /* Registered objects; NULL when not registered (the release path checks each) */
    PVOID PortBase; /* NdisMRegisterIoPortRange */
    ULONG_PTR Port; /* == PortBase, as a number for NdisRawXxx */
    NDIS_HANDLE Interrupt;
    NDIS_HANDLE DmaHandle;
    NDIS_HANDLE PollTimer;
    NDIS_HANDLE WatchdogTimer;
    NDIS_HANDLE RxPool; /* NBL pool (fAllocateNetBuffer) for the receive NBLs */
    BOOLEAN LockAllocated;
    NDIS_SPIN_LOCK Lock;

    /* Hardware facts */
    ULONG DmaUnit;      /* 1 (channels 0-3) or 2 (5-7) */
    ULONG LineRateKbps; /* RATE registers; 0 = unlimited */
    UCHAR PermanentAddress[SD_ETH_ALEN];
    UCHAR CurrentAddress[SD_ETH_ALEN];
    UCHAR Config; /* CONFIG as found before the reset */
    USHORT TxLen; /* [L] the card's TXLEN as last written (0 after a reset, which clears it) */

    /* Receive buffers */
    SD_RX_BUFFER RxBuffers[SD_RX_BUFFERS];
    ULONG RxAllocated;    /* entries of RxBuffers fully built */
    PSD_RX_BUFFER RxFree; /* [L] free list */
    ULONG RxFreeCount;    /* [L] */
    ULONG RxWithHost;     /* [L] indicated without RESOURCES, not returned */

    /* Transmit staging buffer (coalescing) */
    PUCHAR TxStage;
    PMDL TxStageMdl;

    /* Transmit queue of NET_BUFFERs not started yet [L] */
    PNET_BUFFER TxHead, TxTail;

    /* The one DMA operation in progress [L] */
    SD_DMA_OP DmaOp;
    PNET_BUFFER TxNb;    /* the NB being transmitted */
    PSD_RX_BUFFER RxCur; /* the buffer being received into */
    PMDL DmaMdl;         /* the exact Setup arguments, repeated at Complete */
    ULONG DmaOffset, DmaLength;

    ULONG DmaSeq; /* [L] bumped at every operation started (the watchdog's view) */

    /* DMA watchdog [L] */
    LONGLONG WatchdogDue;  /* period, relative, 100 ns units (negative: NdisSetTimerObject) */
    BOOLEAN WatchdogArmed; /* the watchdog timer is set */
    BOOLEAN WdSeen;        /* WdSeq/WdLeft hold the last tick's observation */
    ULONG WdSeq;           /* DmaSeq at the last tick */
    ULONG WdLeft;          /* NdisMReadDmaCounter at the last tick */
    ULONG RxTimeouts;      /* receive timeouts in a row (the head frame never moved) */

    SD_STATE State;    /* [L] */
    BOOLEAN PollArmed; /* [L] the poll timer is set */
    /* ISR causes not taken by the DPC yet: ORed in by the ISR, taken under
       NdisMSynchronizeWithInterruptEx; the DPC also looks at it unsynchronized
       (volatile: read from memory each time) to decide whether to take again */
    volatile ULONG PendingCauses;

    /* Configuration kept for the OIDs [L] */
    ULONG PacketFilter;
    ULONG Lookahead;
    UCHAR McastList[SD_MAX_MCAST][SD_ETH_ALEN];
    ULONG McastCount;

    SD_COUNTERS Stats; /* [L] */
} SD_ADAPTER, *PSD_ADAPTER;

/* ---- Port access (ports are relative to the card's I/O base) ----
   SdRead / SdWrite - one byte from / to card register @Reg (SDNIC_REG_*) of
   @Adapter's port range (registered: Adapter->Port). Any IRQL. */
static inline UCHAR SdRead(PSD_ADAPTER Adapter, ULONG Reg)
{
    UCHAR v;
    NdisRawReadPortUchar(Adapter->Port + Reg, &v);
    return v;
}

static inline VOID SdWrite(PSD_ADAPTER Adapter, ULONG Reg, UCHAR Value)
{
    NdisRawWritePortUchar(Adapter->Port + Reg, Value);
}

/* ---- driver.c ---- */
DRIVER_INITIALIZE DriverEntry;

/* ---- init.c ---- */
MINIPORT_INITIALIZE SdInitializeEx;
MINIPORT_HALT SdHaltEx;
VOID SdResetHardware(PSD_ADAPTER Adapter);
ULONG64 SdLinkSpeedBps(const SD_ADAPTER *Adapter);
BOOLEAN SdLinkUp(PSD_ADAPTER Adapter);
const NDIS_OID *SdSupportedOidList(ULONG *Count);

/* ---- send.c ---- */
MINIPORT_SEND_NET_BUFFER_LISTS SdSendNetBufferLists;
MINIPORT_CANCEL_SEND SdCancelSend;
BOOLEAN SdStartTransmitLocked(PSD_ADAPTER Adapter, PSD_COMPLETION Done);
VOID SdFinishTransmitLocked(PSD_ADAPTER Adapter, BOOLEAN DeviceOk, PSD_COMPLETION Done);
VOID SdFailTransmitQueueLocked(PSD_ADAPTER Adapter, NDIS_STATUS Status, PSD_COMPLETION Done);
VOID SdNbDoneLocked(PNET_BUFFER Nb, NDIS_STATUS Status, PSD_COMPLETION Done);

/* ---- recv.c ---- */
MINIPORT_RETURN_NET_BUFFER_LISTS SdReturnNetBufferLists;
BOOLEAN SdStartReceiveLocked(PSD_ADAPTER Adapter);
VOID SdFinishReceiveLocked(PSD_ADAPTER Adapter, UCHAR Causes, PSD_COMPLETION Done);
VOID SdRxPushFreeLocked(PSD_ADAPTER Adapter, PSD_RX_BUFFER Rx);
VOID SdAbortReceiveLocked(PSD_ADAPTER Adapter);

/* ---- isr.c ---- */
MINIPORT_ISR SdIsr;
MINIPORT_INTERRUPT_DPC SdInterruptDpc;
NDIS_TIMER_FUNCTION SdPollTimer;
NDIS_STATUS SdEndDmaLocked(PSD_ADAPTER Adapter);
VOID SdStartNextOperationIdleLocked(PSD_ADAPTER Adapter, PSD_COMPLETION Done, BOOLEAN RxWaits);
VOID SdCheckPauseLocked(PSD_ADAPTER Adapter, PSD_COMPLETION Done);
VOID SdHandOverRest(PSD_ADAPTER Adapter, PSD_COMPLETION Done, BOOLEAN AtDispatch);

/*
 * SdStartNextOperationLocked - start the next DMA operation if the channel
 * is idle and the adapter is Running (SdStartNextOperationIdleLocked does
 * the rest). Most calls (a send or a return while a transfer is in
 * progress) end at this test, inlined in the caller. NBs that fail to start
 * join @Done. IRQL: DISPATCH_LEVEL, lock held.
 * SdStartNextOperationRxLocked - the same, for a caller that knows whether
 * a frame waits in the card (@RxWaits: as for SdStartNextOperationIdleLocked).
 */
static inline VOID SdStartNextOperationRxLocked(PSD_ADAPTER Adapter, PSD_COMPLETION Done,
                                                BOOLEAN RxWaits)
{
    if (Adapter->DmaOp == SdDmaIdle && Adapter->State == SdStateRunning)
        SdStartNextOperationIdleLocked(Adapter, Done, RxWaits);
}

static inline VOID SdStartNextOperationLocked(PSD_ADAPTER Adapter, PSD_COMPLETION Done)
{
    SdStartNextOperationRxLocked(Adapter, Done, FALSE);
}

/*
 * SdHandOverChains - the common part of SdFlushCompletions: the receive
 * chain of @Done in one indication, then its send-complete chain.
 * @AtDispatch: as for SdFlushCompletions. IRQL: <= DISPATCH_LEVEL, the
 * adapter lock NOT held.
 */
static inline VOID SdHandOverChains(PSD_ADAPTER Adapter, PSD_COMPLETION Done, BOOLEAN AtDispatch)
{
    if (Done->RxHead)
        NdisMIndicateReceiveNetBufferLists(Adapter->AdapterHandle, Done->RxHead,
                                           NDIS_DEFAULT_PORT_NUMBER, Done->RxCount,
                                           AtDispatch ? NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL : 0);
    if (Done->SendHead)
        NdisMSendNetBufferListsComplete(Adapter->AdapterHandle, Done->SendHead,
                                        AtDispatch ? NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL : 0);
}

/*
 * SdFlushCompletions - hand @Done to NDIS with the adapter lock NOT held:
 * the receive chain, the send-complete chain, then (SdHandOverRest, out of
 * line: rare) NdisMPauseComplete and the low-resource receives. The usual
 * case for a send or a return, nothing to hand over, ends at the tests
 * inlined in the caller.
 * @AtDispatch: the caller runs at DISPATCH_LEVEL, as a DPC or a timer
 * function always does and as NDIS tells MiniportSendNetBufferLists and
 * MiniportReturnNetBufferLists with their DISPATCH_LEVEL flags (other
 * callers ask KeGetCurrentIrql): the indications' DISPATCH_LEVEL flags
 * follow it. IRQL: <= DISPATCH_LEVEL.
 */
static inline VOID SdFlushCompletions(PSD_ADAPTER Adapter, PSD_COMPLETION Done, BOOLEAN AtDispatch)
{
    SdHandOverChains(Adapter, Done, AtDispatch);
    if (Done->PauseComplete || Done->LowHead)
        SdHandOverRest(Adapter, Done, AtDispatch);
}

/* ---- watchdog.c ---- */
NDIS_TIMER_FUNCTION SdWatchdogTimer;
VOID SdArmWatchdogLocked(PSD_ADAPTER Adapter);

/* ---- state.c ---- */
MINIPORT_PAUSE SdPause;
MINIPORT_RESTART SdRestart;
MINIPORT_RESET SdResetEx;
MINIPORT_DEVICE_PNP_EVENT_NOTIFY SdDevicePnPEventNotify;
MINIPORT_SHUTDOWN SdShutdownEx;
VOID SdIndicateLinkState(PSD_ADAPTER Adapter);
VOID SdRecoverCardLocked(PSD_ADAPTER Adapter);

/* ---- oid.c ---- */
MINIPORT_OID_REQUEST SdOidRequest;
MINIPORT_CANCEL_OID_REQUEST SdCancelOidRequest;

#endif /* SD_SAMPLE_H */
