/*
 * recv.c - the receive path of the SD-1 sample miniport: the start and end
 * of one receive DMA operation, the indication, and
 * MiniportReturnNetBufferLists.
 *
 * Concept. A frame that reaches the card waits in its RX FIFO (ISR_RX_READY,
 * ST_RX_AVAIL) until the driver takes it:
 *   1. a free receive buffer is taken and NdisMSetupDmaTransfer
 *      (WriteToDevice FALSE) is called on its whole length (SD_BUFFER_SIZE,
 *      even, larger than any frame);
 *   2. CMD <- RX_GO; the card moves the head frame and ends the transfer
 *      with EOP at its last byte, then raises ISR_RX_DONE;
 *   3. in the DPC: NdisMReadDmaCounter gives the bytes NOT moved, so
 *      moved = programmed length - counter; on a 16-bit channel an odd frame
 *      is moved as whole words and RXSTAT says RXS_ODD: the frame is one byte
 *      shorter than what moved. NdisMCompleteDmaTransfer (same arguments)
 *      then flushes: only after it is the data in the buffer (bounced
 *      transfers are copied out of the map registers by it);
 *   4. the frame is checked (RXS_OK, not RXS_TRUNCATED, completion
 *      succeeded, 1..1514 bytes), the NB's DataLength set, and the NBL joins
 *      the DPC's indication chain.
 * All NBLs received in one DPC pass are indicated in one
 * NdisMIndicateReceiveNetBufferLists call. When a receive used the last free
 * buffer, its NBL is indicated separately with NDIS_RECEIVE_FLAGS_RESOURCES
 * and is the driver's again when the call returns: the receiver never runs
 * dry while the host holds the other buffers.
 *
 * A receive that stops moving data is ended by the watchdog (watchdog.c)
 * through SdAbortReceiveLocked after CMD_ABORT: the card keeps the frame at
 * the head of its RX FIFO, so the scheduler simply receives it again.
 */
#include "sample.h"

/* SdRxPushFreeLocked - put @Rx on the free list. Lock held (or the adapter
   not yet visible to NDIS). */
VOID SdRxPushFreeLocked(PSD_ADAPTER Adapter, PSD_RX_BUFFER Rx)
{
    Rx->Next = Adapter->RxFree;
    Adapter->RxFree = Rx;
    Adapter->RxFreeCount++;
}

/* SdRxPopFreeLocked - take a buffer off the free list (NULL if none). Lock
   held. */
static PSD_RX_BUFFER SdRxPopFreeLocked(PSD_ADAPTER Adapter)
{
    PSD_RX_BUFFER rx = Adapter->RxFree;
    if (rx) {
        Adapter->RxFree = rx->Next;
        rx->Next = NULL;
        Adapter->RxFreeCount--;
    }
    return rx;
}

/*
 * SdStartReceiveLocked - start receiving the head frame of the card's RX
 * FIFO into a free buffer (the channel is idle; the caller checked that a
 * frame waits and a buffer is free).
 * Returns TRUE when a receive is in progress; FALSE when no buffer is free
 * or the DMA setup was refused (counted; the buffer goes back).
 * IRQL: DISPATCH_LEVEL, lock held.
 * Defined inline (an external definition, as SdEndDmaLocked): a hint to
 * put it into the scheduler, which starts one receive per frame.
 */
inline BOOLEAN SdStartReceiveLocked(PSD_ADAPTER Adapter)
{
    NDIS_STATUS st;
    PSD_RX_BUFFER rx = SdRxPopFreeLocked(Adapter);
    if (!rx)
        return FALSE;
    NdisMSetupDmaTransfer(&st, Adapter->DmaHandle, rx->Mdl, 0, SD_BUFFER_SIZE, FALSE);
    if (st != NDIS_STATUS_SUCCESS) {
        Adapter->Stats.DmaErrors++;
        SdRxPushFreeLocked(Adapter, rx);
        return FALSE;
    }
    Adapter->DmaOp = SdDmaReceive;
    Adapter->RxCur = rx;
    Adapter->DmaMdl = rx->Mdl;
    Adapter->DmaOffset = 0;
    Adapter->DmaLength = SD_BUFFER_SIZE;
    Adapter->DmaSeq++;
    SdWrite(Adapter, SDNIC_REG_CMD, SDNIC_CMD_RX_GO);
    SdArmWatchdogLocked(Adapter);
    return TRUE;
}

/*
 * SdReceiveStatus - RXSTAT of the receive that just ended (@Causes: the
 * ISR causes it raised). On an 8-bit channel, RX_DONE without RX_ERR can
 * only mean RXS_OK (a truncation raises RX_ERR too, and RXS_ODD exists only
 * on 16-bit channels), so the register is read only when it can say more
 * than the causes already did: a 16-bit channel, or an error. Port reads
 * are slow on ISA (about a microsecond each). IRQL: DISPATCH_LEVEL, lock
 * held.
 */
static UCHAR SdReceiveStatus(PSD_ADAPTER Adapter, UCHAR Causes)
{
    if (Adapter->DmaUnit == 1 &&
        (Causes & (SDNIC_ISR_RX_DONE | SDNIC_ISR_RX_ERR)) == SDNIC_ISR_RX_DONE)
        return SDNIC_RXS_OK;
    return SdRead(Adapter, SDNIC_REG_RXSTAT);
}

/*
 * SdFinishReceiveLocked - end the receive in progress (the card raised
 * RX_DONE or RX_ERR, in @Causes): read the counter, complete the transfer,
 * and either queue the frame for indication in @Done or drop it (counted)
 * and free the buffer.
 * IRQL: DISPATCH_LEVEL, lock held.
 */
VOID SdFinishReceiveLocked(PSD_ADAPTER Adapter, UCHAR Causes, PSD_COMPLETION Done)
{
    PSD_RX_BUFFER rx = Adapter->RxCur;
    ULONG left = NdisMReadDmaCounter(Adapter->DmaHandle); /* before the completion */
    NDIS_STATUS st = SdEndDmaLocked(Adapter);
    UCHAR rxstat = SdReceiveStatus(Adapter, Causes);
    ULONG moved = left <= Adapter->DmaLength ? Adapter->DmaLength - left : 0;
    ULONG received = moved;
    if ((rxstat & SDNIC_RXS_ODD) && received > 0)
        received--;
    Adapter->RxCur = NULL;
    Adapter->RxTimeouts = 0; /* the card ended a receive: the head frame moved */
    if (!rx)
        return;

    if (!(Causes & SDNIC_ISR_RX_DONE) || (Causes & SDNIC_ISR_RX_ERR) || !(rxstat & SDNIC_RXS_OK) ||
        (rxstat & SDNIC_RXS_TRUNCATED) || st != NDIS_STATUS_SUCCESS || received < SDNIC_MIN_FRAME ||
        received > SD_MAX_FRAME) {
        Adapter->Stats.RcvError++;
        SdRxPushFreeLocked(Adapter, rx);
        return;
    }
    if (Adapter->State != SdStateRunning) {
        /* pausing: no new indications; the frame is discarded */
        Adapter->Stats.RcvDiscards++;
        SdRxPushFreeLocked(Adapter, rx);
        return;
    }

    Adapter->Stats.RcvOk++;
    Adapter->Stats.RcvBytes += received;
    PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(rx->Nbl);
    NET_BUFFER_DATA_LENGTH(nb) = received;
    NET_BUFFER_LIST_STATUS(rx->Nbl) = NDIS_STATUS_SUCCESS;
    NET_BUFFER_LIST_NEXT_NBL(rx->Nbl) = NULL;
    rx->Nbl->SourceHandle = Adapter->AdapterHandle;

    if (Adapter->RxFreeCount == 0) {
        /* last buffer: indicate it with NDIS_RECEIVE_FLAGS_RESOURCES, take it back at once */
        Adapter->Stats.RcvLowResource++;
        if (Done->LowTail)
            NET_BUFFER_LIST_NEXT_NBL(Done->LowTail) = rx->Nbl;
        else
            Done->LowHead = rx->Nbl;
        Done->LowTail = rx->Nbl;
        Done->LowCount++;
        return;
    }
    Adapter->RxWithHost++;
    if (Done->RxTail)
        NET_BUFFER_LIST_NEXT_NBL(Done->RxTail) = rx->Nbl;
    else
        Done->RxHead = rx->Nbl;
    Done->RxTail = rx->Nbl;
    Done->RxCount++;
}

/*
 * SdAbortReceiveLocked - end the receive in progress that the card was told
 * to abort (CMD_ABORT, by the watchdog): complete the transfer (same
 * arguments as its setup; a failed completion counts a DMA error) and put
 * the buffer back on the free list. Nothing is indicated: the card keeps
 * the frame at the head of its RX FIFO for the next CMD_RX_GO.
 * IRQL: DISPATCH_LEVEL, lock held.
 */
VOID SdAbortReceiveLocked(PSD_ADAPTER Adapter)
{
    PSD_RX_BUFFER rx = Adapter->RxCur;
    (void)SdEndDmaLocked(Adapter); /* a failed completion is counted there */
    Adapter->RxCur = NULL;
    if (rx)
        SdRxPushFreeLocked(Adapter, rx);
}

/*
 * SdReturnNetBufferLists - MiniportReturnNetBufferLists: NDIS gives back
 * receive NBLs it was indicated. Their buffers go back on the free list, a
 * frame that was waiting for a buffer is started, and a pause that waited
 * for them completes.
 * @NetBufferLists: a chain of this driver's receive NBLs. @ReturnFlags:
 * NDIS_RETURN_FLAGS_DISPATCH_LEVEL when called at DISPATCH_LEVEL.
 * IRQL: <= DISPATCH_LEVEL.
 */
VOID SdReturnNetBufferLists(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists,
                            ULONG ReturnFlags)
{
    PSD_ADAPTER ad = MiniportAdapterContext;
    SD_COMPLETION done;
    PNET_BUFFER_LIST nbl, next;

    NdisAcquireSpinLock(&ad->Lock);
    for (nbl = NetBufferLists; nbl; nbl = next) {
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        PSD_RX_BUFFER rx = SD_RX_OF_NBL(nbl);
        if (!rx)
            continue;
        NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(nbl)) = 0;
        SdRxPushFreeLocked(ad, rx);
        if (ad->RxWithHost)
            ad->RxWithHost--;
    }
    if (ad->DmaOp != SdDmaIdle && ad->State == SdStateRunning) {
        /* The usual case, a transfer in progress: the scheduler would start
           nothing and no pause is pending, so there is nothing to hand over. */
        NdisReleaseSpinLock(&ad->Lock);
        return;
    }
    NdisZeroMemory(&done, sizeof done);
    SdStartNextOperationLocked(ad, &done);
    SdCheckPauseLocked(ad, &done);
    NdisReleaseSpinLock(&ad->Lock);
    SdFlushCompletions(ad, &done, NDIS_TEST_RETURN_AT_DISPATCH_LEVEL(ReturnFlags));
}
