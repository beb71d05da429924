/*
 * isr.c - interrupt handling and the one-channel scheduler of the SD-1
 * sample miniport: MiniportInterrupt (ISR), MiniportInterruptDPC, the
 * transmit-FIFO poll timer, SdStartNextOperationLocked and the rare part of
 * the hand-over of completed work to NDIS (SdHandOverRest; the receive and
 * send-complete chains are handed over by SdFlushCompletions, sample.h).
 *
 * Concept. The card's IRQ line follows (ISR & IMR) != 0 and is
 * edge-triggered. The ISR, at DIRQL, reads ISR, writes the same value back
 * to acknowledge exactly those causes (the card raises a fresh edge for any
 * cause that arrives meanwhile), adds them to PendingCauses, claims the
 * interrupt and queues the DPC; ISR reading 0 means another device's
 * interrupt: not claimed. The DPC takes PendingCauses under
 * NdisMSynchronizeWithInterruptEx (serialized with the ISR) and loops while
 * the ISR has seen new ones: it ends the DMA operation the causes belong
 * to, starts the next one, checks a pending pause, then, with the lock
 * released, indicates receives and completes sends.
 *
 * A frame announced by RX_READY in the pass that ends a transmit still
 * waits in the card when the pass looks: frames leave the RX FIFO only at
 * the end of a receive (or a reset, which drops the causes not taken), no
 * receive ran while the transmit did, and a receive that ended before the
 * transmit started raised RX_DONE after the RX_READY of the frame it took,
 * so the pass that took that RX_DONE took that RX_READY too (the ISR takes
 * every cause latched when it reads ISR). That pass starts the receive
 * without reading the status first (SdStartNextOperationIdleLocked).
 *
 * Scheduling on the one channel (SdStartNextOperationLocked): nothing while
 * an operation is in progress or the adapter is not Running; else a receive
 * when a frame waits in the card (ST_RX_AVAIL) and a buffer is free, since
 * frames keep arriving and the RX FIFO would overrun; else the next transmit
 * when the card's transmit FIFO has room (ST_TX_FULL clear). When it is
 * full, the FIFO drains at the line rate without an interrupt of its own,
 * so the driver sets a one-shot NDIS timer for one maximum frame time and
 * tries again then (a TX_DONE or RX interrupt in between also retries).
 * An operation whose card stops moving data never interrupts: the DMA
 * watchdog (watchdog.c) ends it and calls the scheduler in its place.
 */
#include "sample.h"

typedef struct _SD_TAKE_CAUSES {
    PSD_ADAPTER Adapter;
    ULONG Causes;
} SD_TAKE_CAUSES;

static MINIPORT_SYNCHRONIZE_INTERRUPT SdTakeCauses;

/*
 * SdTakeCauses - move PendingCauses to the caller (MINIPORT_SYNCHRONIZE_
 * INTERRUPT). @SynchronizeContext: an SD_TAKE_CAUSES. Returns TRUE when
 * there were any. IRQL: DIRQL, serialized with SdIsr.
 */
static BOOLEAN SdTakeCauses(NDIS_HANDLE SynchronizeContext)
{
    SD_TAKE_CAUSES *t = SynchronizeContext;
    t->Causes = t->Adapter->PendingCauses;
    t->Adapter->PendingCauses = 0;
    return t->Causes != 0;
}

/*
 * SdIsr - MiniportInterrupt.
 * @MiniportInterruptContext: the SD_ADAPTER. @QueueDefaultInterruptDpc:
 * set TRUE to run SdInterruptDpc. @TargetProcessors: unused.
 * Returns TRUE when the card interrupted (ISR not 0), FALSE otherwise.
 * IRQL: DIRQL. Touches only the card's ISR port and PendingCauses.
 */
BOOLEAN SdIsr(NDIS_HANDLE MiniportInterruptContext, PBOOLEAN QueueDefaultInterruptDpc,
              PULONG TargetProcessors)
{
    PSD_ADAPTER ad = MiniportInterruptContext;
    UCHAR causes = SdRead(ad, SDNIC_REG_ISR);
    (void)TargetProcessors;
    if (causes == 0 || causes == 0xFF) { /* 0xFF: nothing decodes the port (card gone) */
        *QueueDefaultInterruptDpc = FALSE;
        return FALSE;
    }
    causes &= SDNIC_ISR_ALL;
    SdWrite(ad, SDNIC_REG_ISR, causes);
    ad->PendingCauses |= causes;
    *QueueDefaultInterruptDpc = TRUE;
    return TRUE;
}

/*
 * SdArmPollLocked - set the one-shot poll timer (if not set) for one
 * maximum frame time at the line rate (SD_POLL_MIN_US at least).
 * IRQL: DISPATCH_LEVEL, lock held.
 */
static VOID SdArmPollLocked(PSD_ADAPTER Adapter)
{
    if (Adapter->PollArmed || !Adapter->PollTimer)
        return;
    ULONG64 us = SD_POLL_MIN_US;
    if (Adapter->LineRateKbps) {
        ULONG64 bits = (ULONG64)(SD_MAX_FRAME + SDNIC_WIRE_OVERHEAD) * 8u;
        ULONG64 frameUs = (bits * 1000u + Adapter->LineRateKbps - 1) / Adapter->LineRateKbps;
        if (frameUs > us)
            us = frameUs;
    }
    LARGE_INTEGER due;
    due.QuadPart = -(LONGLONG)(us * 10u); /* relative, 100 ns units */
    Adapter->PollArmed = TRUE;
    NdisSetTimerObject(Adapter->PollTimer, due, 0, Adapter);
}

/*
 * SdEndDmaLocked - end the DMA operation in progress: NdisMCompleteDmaTransfer
 * with the arguments of its NdisMSetupDmaTransfer (the direction follows
 * DmaOp), after which the channel is idle. A failed completion counts in
 * Stats.DmaErrors. Returns the completion's status. The caller releases the
 * operation's buffer or NB. IRQL: DISPATCH_LEVEL, lock held (or PASSIVE_LEVEL
 * at halt, with the interrupt deregistered).
 * Defined inline (still an external definition: sample.h declares it
 * without inline, and the other files call it): a hint that lets a
 * whole-program build put it straight into the DPC's two per-frame ends of
 * a transfer instead of a call.
 */
inline NDIS_STATUS SdEndDmaLocked(PSD_ADAPTER Adapter)
{
    NDIS_STATUS st;
    NdisMCompleteDmaTransfer(&st, Adapter->DmaHandle, Adapter->DmaMdl, Adapter->DmaOffset,
                             Adapter->DmaLength, Adapter->DmaOp == SdDmaTransmit);
    Adapter->DmaOp = SdDmaIdle;
    if (st != NDIS_STATUS_SUCCESS)
        Adapter->Stats.DmaErrors++;
    return st;
}

/*
 * SdStartNextOperationIdleLocked - SdStartNextOperationLocked (sample.h)
 * once the channel is idle and the adapter Running: a receive when a frame
 * waits and a buffer is free, else a transmit when the card has room (see
 * the concept note). NBs that fail to start join @Done.
 * @RxWaits: the caller knows that a frame waits in the RX FIFO (the DPC
 * pass that ended a transmit and took ISR_RX_READY: see SdInterruptDpc).
 * The status read would then only repeat ST_RX_AVAIL, so with a free buffer
 * the receive starts without it; the read is made when a transmit may
 * follow (no free buffer, or the receive's setup refused), since only it
 * tells ST_TX_FULL. IRQL: DISPATCH_LEVEL, lock held.
 * Defined inline (an external definition, as SdEndDmaLocked): the DPC
 * starts the next operation twice per frame; the other callers call it.
 */
inline VOID SdStartNextOperationIdleLocked(PSD_ADAPTER Adapter, PSD_COMPLETION Done,
                                           BOOLEAN RxWaits)
{
    BOOLEAN tryReceive = TRUE;
    if (RxWaits && Adapter->RxFree) {
        if (SdStartReceiveLocked(Adapter))
            return;
        tryReceive = FALSE; /* its setup was refused: a transmit next, as below */
    }
    UCHAR status = SdRead(Adapter, SDNIC_REG_CMD);
    if (tryReceive && (status & SDNIC_ST_RX_AVAIL) && Adapter->RxFree &&
        SdStartReceiveLocked(Adapter))
        return;
    if (!Adapter->TxHead)
        return;
    if (status & SDNIC_ST_TX_FULL) {
        Adapter->Stats.TxFullWaits++;
        SdArmPollLocked(Adapter);
        return;
    }
    SdStartTransmitLocked(Adapter, Done);
}

/*
 * SdCheckPauseLocked - a pending pause completes once no DMA operation is
 * in progress and every indicated receive NBL is back: the adapter becomes
 * Paused and @Done asks for NdisMPauseComplete. IRQL: DISPATCH_LEVEL, lock
 * held.
 */
VOID SdCheckPauseLocked(PSD_ADAPTER Adapter, PSD_COMPLETION Done)
{
    if (Adapter->State == SdStatePausing && Adapter->DmaOp == SdDmaIdle &&
        Adapter->RxWithHost == 0) {
        Adapter->State = SdStatePaused;
        Done->PauseComplete = TRUE;
    }
}

/*
 * SdHandOverRest - the rare part of SdFlushCompletions (sample.h), once
 * its receive and send-complete chains are handed over: NdisMPauseComplete,
 * and the low-resource chain (indicated with NDIS_RECEIVE_FLAGS_RESOURCES,
 * after which its buffers are freed and the scheduler runs again; what
 * that brings is handed over in the same order). @AtDispatch: as for
 * SdFlushCompletions. IRQL: <= DISPATCH_LEVEL, the lock NOT held.
 */
VOID SdHandOverRest(PSD_ADAPTER Adapter, PSD_COMPLETION Done, BOOLEAN AtDispatch)
{
    ULONG rflags = AtDispatch ? NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL : 0;

    for (;;) {
        if (Done->PauseComplete)
            NdisMPauseComplete(Adapter->AdapterHandle);
        if (!Done->LowHead)
            return;

        PNET_BUFFER_LIST low = Done->LowHead;
        NdisMIndicateReceiveNetBufferLists(Adapter->AdapterHandle, low, NDIS_DEFAULT_PORT_NUMBER,
                                           Done->LowCount, rflags | NDIS_RECEIVE_FLAGS_RESOURCES);
        NdisZeroMemory(Done, sizeof *Done);
        NdisAcquireSpinLock(&Adapter->Lock);
        while (low) {
            PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(low);
            NET_BUFFER_LIST_NEXT_NBL(low) = NULL;
            NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(low)) = 0;
            SdRxPushFreeLocked(Adapter, SD_RX_OF_NBL(low));
            low = next;
        }
        SdStartNextOperationLocked(Adapter, Done);
        SdCheckPauseLocked(Adapter, Done);
        NdisReleaseSpinLock(&Adapter->Lock);
        SdHandOverChains(Adapter, Done, AtDispatch);
    }
}

/*
 * SdInterruptDpc - MiniportInterruptDPC: process the causes the ISR saw
 * until none are left.
 * @MiniportInterruptContext: the SD_ADAPTER. The other parameters are
 * unused (NULL here). IRQL: DISPATCH_LEVEL.
 */
VOID SdInterruptDpc(NDIS_HANDLE MiniportInterruptContext, PVOID MiniportDpcContext,
                    PVOID ReceiveThrottleParameters, PVOID NdisReserved2)
{
    PSD_ADAPTER ad = MiniportInterruptContext;
    (void)MiniportDpcContext;
    (void)ReceiveThrottleParameters;
    (void)NdisReserved2;

    for (;;) {
        SD_TAKE_CAUSES take = {ad, 0};
        SD_COMPLETION done;
        NdisMSynchronizeWithInterruptEx(ad->Interrupt, 0, SdTakeCauses, &take);
        if (!take.Causes)
            break;
        UCHAR causes = (UCHAR)take.Causes;

        NdisZeroMemory(&done, sizeof done);
        BOOLEAN rxWaits = FALSE;
        NdisDprAcquireSpinLock(&ad->Lock);
        if (causes & SDNIC_ISR_RX_OVERRUN) {
            ad->Stats.RcvOverrun++;
            ad->Stats.RcvNoBuffer++;
        }
        if (ad->DmaOp == SdDmaTransmit && (causes & (SDNIC_ISR_TX_DONE | SDNIC_ISR_TX_ERR))) {
            SdFinishTransmitLocked(ad, (causes & SDNIC_ISR_TX_DONE) && !(causes & SDNIC_ISR_TX_ERR),
                                   &done);
            /* RX_READY taken with the end of a transmit: the frame it
               announced still waits (see the concept note) */
            rxWaits = (causes & SDNIC_ISR_RX_READY) != 0;
        }
        if (ad->DmaOp == SdDmaReceive && (causes & (SDNIC_ISR_RX_DONE | SDNIC_ISR_RX_ERR)))
            SdFinishReceiveLocked(ad, causes, &done);
        SdStartNextOperationRxLocked(ad, &done, rxWaits);
        SdCheckPauseLocked(ad, &done);
        NdisDprReleaseSpinLock(&ad->Lock);
        SdFlushCompletions(ad, &done, TRUE);

        /* Another pass only when the ISR saw causes meanwhile. A look without
           NdisMSynchronizeWithInterruptEx is enough to decide that: a cause
           the ISR adds after this look comes with a DPC queued again (this
           one is off the queue while it runs), so none is left behind, and
           the usual pass, with nothing new, costs no DDI call. */
        if (ad->PendingCauses == 0)
            break;
    }
}

/*
 * SdPollTimer - the transmit-FIFO poll (NDIS_TIMER_FUNCTION): retry the
 * scheduler. @FunctionContext: the SD_ADAPTER. IRQL: DISPATCH_LEVEL.
 */
VOID SdPollTimer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2,
                 PVOID SystemSpecific3)
{
    PSD_ADAPTER ad = FunctionContext;
    SD_COMPLETION done;
    (void)SystemSpecific1;
    (void)SystemSpecific2;
    (void)SystemSpecific3;

    NdisZeroMemory(&done, sizeof done);
    NdisDprAcquireSpinLock(&ad->Lock);
    ad->PollArmed = FALSE;
    SdStartNextOperationLocked(ad, &done);
    SdCheckPauseLocked(ad, &done);
    NdisDprReleaseSpinLock(&ad->Lock);
    SdFlushCompletions(ad, &done, TRUE);
}
