/*
 * send.c - the transmit path of the SD-1 sample miniport:
 * MiniportSendNetBufferLists, MiniportCancelSend, and the start and end of
 * one transmit DMA operation.
 *
 * Concept. Every NET_BUFFER of an accepted NET_BUFFER_LIST joins the
 * adapter's transmit queue (linked through the NB's MiniportReserved, in
 * the same pass that checks their lengths: SdLinkNbs); the
 * NBL counts its NBs still to go in its own MiniportReserved and is
 * completed when the last one is done, with the first failure of any of its
 * NBs or NDIS_STATUS_SUCCESS. One NB is one DMA operation:
 *   1. TXLEN <- the frame length (only the bytes that differ from the
 *      length already in the card: see SdSetTxLenLocked);
 *   2. NdisMSetupDmaTransfer(WriteToDevice TRUE) on the NB's own MDL when
 *      the frame lies in it (plus the pad byte on a 16-bit channel, whose
 *      transfers are whole words: the card drops the pad), else on the
 *      staging buffer the frame was copied to (data over several MDLs);
 *   3. CMD <- TX_GO; the card takes the bytes, and at terminal count raises
 *      ISR_TX_DONE;
 *   4. in the DPC: NdisMCompleteDmaTransfer with the same arguments, then
 *      the NB is done (an error if the card or the completion failed).
 * A transmit that stops moving data is aborted by the watchdog
 * (watchdog.c), which ends it here with DeviceOk FALSE: the NB fails with
 * NDIS_STATUS_FAILURE and is not sent again by the driver.
 * Send-complete chains are collected under the lock and handed to
 * NdisMSendNetBufferListsComplete after it is released (SdFlushCompletions,
 * sample.h), with NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL when the caller
 * runs at DISPATCH_LEVEL: for MiniportSendNetBufferLists, what
 * NDIS_SEND_FLAGS_DISPATCH_LEVEL says.
 */
#include "sample.h"

/* NDIS_STATUS <-> the pointer-sized MiniportReserved slot */
#define SD_STATUS_TO_PTR(_S) ((PVOID)(ULONG_PTR)(ULONG)(_S))
#define SD_PTR_TO_STATUS(_P) ((NDIS_STATUS)(ULONG)(ULONG_PTR)(_P))

/*
 * SdAppendSend - add @Nbl (its Next cleared) to the send-complete chain of
 * @Done. IRQL: any; the caller owns @Nbl.
 */
static VOID SdAppendSend(PSD_COMPLETION Done, PNET_BUFFER_LIST Nbl)
{
    NET_BUFFER_LIST_NEXT_NBL(Nbl) = NULL;
    if (Done->SendTail)
        NET_BUFFER_LIST_NEXT_NBL(Done->SendTail) = Nbl;
    else
        Done->SendHead = Nbl;
    Done->SendTail = Nbl;
}

/*
 * SdNbDoneLocked - one NET_BUFFER of a send NBL is finished with @Status.
 * When it was the NBL's last, the NBL gets its final status (its first
 * failure, else NDIS_STATUS_SUCCESS) and joins @Done's send chain.
 * IRQL: DISPATCH_LEVEL, adapter lock held.
 */
VOID SdNbDoneLocked(PNET_BUFFER Nb, NDIS_STATUS Status, PSD_COMPLETION Done)
{
    PNET_BUFFER_LIST nbl = SD_NB_NBL(Nb);
    if (Status != NDIS_STATUS_SUCCESS && SD_NBL_FAILURE(nbl) == NULL)
        SD_NBL_FAILURE(nbl) = SD_STATUS_TO_PTR(Status);
    ULONG_PTR left = (ULONG_PTR)SD_NBL_PENDING(nbl) - 1;
    SD_NBL_PENDING(nbl) = (PVOID)left;
    if (left == 0) {
        NET_BUFFER_LIST_STATUS(nbl) =
            SD_NBL_FAILURE(nbl) ? SD_PTR_TO_STATUS(SD_NBL_FAILURE(nbl)) : NDIS_STATUS_SUCCESS;
        SdAppendSend(Done, nbl);
    }
}

/* SdDequeueTx - take the head NB off the transmit queue. Lock held. */
static PNET_BUFFER SdDequeueTx(PSD_ADAPTER Adapter)
{
    PNET_BUFFER nb = Adapter->TxHead;
    if (nb) {
        Adapter->TxHead = SD_NB_QNEXT(nb);
        if (!Adapter->TxHead)
            Adapter->TxTail = NULL;
        nb->MiniportReserved[1] = NULL;
    }
    return nb;
}

/*
 * SdCopyToStage - copy the @Length data bytes of @Nb (from CurrentMdl at
 * CurrentMdlOffset, along the MDL chain) into the staging buffer.
 * Returns TRUE, or FALSE when the chain holds fewer bytes or an MDL has no
 * system address. IRQL <= DISPATCH_LEVEL.
 */
static BOOLEAN SdCopyToStage(PSD_ADAPTER Adapter, PNET_BUFFER Nb, ULONG Length)
{
    PMDL mdl = NET_BUFFER_CURRENT_MDL(Nb);
    ULONG offset = NET_BUFFER_CURRENT_MDL_OFFSET(Nb);
    ULONG copied = 0;
    while (mdl && copied < Length) {
        ULONG count = MmGetMdlByteCount(mdl);
        if (offset < count) {
            PUCHAR va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);
            if (!va)
                return FALSE;
            ULONG chunk = count - offset;
            if (chunk > Length - copied)
                chunk = Length - copied;
            NdisMoveMemory(Adapter->TxStage + copied, va + offset, chunk);
            copied += chunk;
        }
        offset = 0;
        mdl = mdl->Next;
    }
    return copied == Length;
}

/*
 * SdSetTxLenLocked - make the card's TXLEN @Length. TXLEN keeps the value
 * written until the next write or a reset (which clears it), so only the
 * bytes that differ from Adapter->TxLen are written: ISA port I/O is slow
 * (about a microsecond per access), and back-to-back frames of one length
 * need no TXLEN write at all. IRQL: DISPATCH_LEVEL, lock held.
 */
static VOID SdSetTxLenLocked(PSD_ADAPTER Adapter, ULONG Length)
{
    if (Length == Adapter->TxLen)
        return; /* the usual case: neither byte differs */
    if ((Length & 0xFF) != (Adapter->TxLen & 0xFF))
        SdWrite(Adapter, SDNIC_REG_TXLEN_LO, (UCHAR)(Length & 0xFF));
    if ((Length >> 8) != (Adapter->TxLen >> 8))
        SdWrite(Adapter, SDNIC_REG_TXLEN_HI, (UCHAR)(Length >> 8));
    Adapter->TxLen = (USHORT)Length;
}

/*
 * SdStartTransmitLocked - start the DMA operation of the next queued NB
 * (the channel is idle and the card has room: the caller checked). NBs that
 * cannot be started (no data, a DMA setup refused) are finished with an
 * error and the next one is tried.
 * Returns TRUE when a transmit is in progress. IRQL: DISPATCH_LEVEL, lock
 * held.
 */
BOOLEAN SdStartTransmitLocked(PSD_ADAPTER Adapter, PSD_COMPLETION Done)
{
    PNET_BUFFER nb;
    while ((nb = SdDequeueTx(Adapter)) != NULL) {
        ULONG len = NET_BUFFER_DATA_LENGTH(nb);
        ULONG dmaLen = (len + Adapter->DmaUnit - 1) & ~(Adapter->DmaUnit - 1);
        PMDL mdl = NET_BUFFER_CURRENT_MDL(nb);
        ULONG offset = NET_BUFFER_CURRENT_MDL_OFFSET(nb);
        NDIS_STATUS st;

        if (!mdl || offset + dmaLen > MmGetMdlByteCount(mdl)) {
            /* the frame (with its pad) is not in one MDL: coalesce */
            if (!SdCopyToStage(Adapter, nb, len)) {
                Adapter->Stats.XmitError++;
                SdNbDoneLocked(nb, NDIS_STATUS_INVALID_LENGTH, Done);
                continue;
            }
            if (dmaLen > len)
                Adapter->TxStage[len] = 0;
            mdl = Adapter->TxStageMdl;
            offset = 0;
            Adapter->Stats.XmitCoalesced++;
        }

        SdSetTxLenLocked(Adapter, len);
        NdisMSetupDmaTransfer(&st, Adapter->DmaHandle, mdl, offset, dmaLen, TRUE);
        if (st != NDIS_STATUS_SUCCESS) {
            Adapter->Stats.DmaErrors++;
            Adapter->Stats.XmitError++;
            SdNbDoneLocked(nb, st, Done);
            continue;
        }
        Adapter->DmaOp = SdDmaTransmit;
        Adapter->TxNb = nb;
        Adapter->DmaMdl = mdl;
        Adapter->DmaOffset = offset;
        Adapter->DmaLength = dmaLen;
        Adapter->DmaSeq++;
        SdWrite(Adapter, SDNIC_REG_CMD, SDNIC_CMD_TX_GO);
        SdArmWatchdogLocked(Adapter);
        return TRUE;
    }
    return FALSE;
}

/*
 * SdFinishTransmitLocked - end the transmit in progress: complete the DMA
 * transfer (same arguments as its setup) and finish its NB.
 * @DeviceOk: the card reported TX_DONE (FALSE: TX_ERR, or the watchdog
 * aborted a transmit that stopped moving data).
 * A completion that is not NDIS_STATUS_SUCCESS counts a DMA error and
 * fails the NB. IRQL: DISPATCH_LEVEL, lock held.
 * Defined inline (an external definition, as SdEndDmaLocked): the DPC ends
 * a transmit once per frame, the watchdog rarely.
 */
inline VOID SdFinishTransmitLocked(PSD_ADAPTER Adapter, BOOLEAN DeviceOk, PSD_COMPLETION Done)
{
    PNET_BUFFER nb = Adapter->TxNb;
    NDIS_STATUS st = SdEndDmaLocked(Adapter);
    Adapter->TxNb = NULL;
    if (!nb)
        return;
    if (st != NDIS_STATUS_SUCCESS || !DeviceOk) {
        Adapter->Stats.XmitError++;
        SdNbDoneLocked(nb, st != NDIS_STATUS_SUCCESS ? st : NDIS_STATUS_FAILURE, Done);
        return;
    }
    Adapter->Stats.XmitOk++;
    Adapter->Stats.XmitBytes += NET_BUFFER_DATA_LENGTH(nb);
    SdNbDoneLocked(nb, NDIS_STATUS_SUCCESS, Done);
}

/*
 * SdFailTransmitQueueLocked - finish every queued (not started) NB with
 * @Status (pause: NDIS_STATUS_PAUSED). IRQL: DISPATCH_LEVEL, lock held.
 */
VOID SdFailTransmitQueueLocked(PSD_ADAPTER Adapter, NDIS_STATUS Status, PSD_COMPLETION Done)
{
    PNET_BUFFER nb;
    while ((nb = SdDequeueTx(Adapter)) != NULL) {
        Adapter->Stats.XmitDiscards++;
        SdNbDoneLocked(nb, Status, Done);
    }
}

/*
 * SdLinkNbs - check that every NET_BUFFER of @Nbl holds a frame of 1 to
 * 1514 bytes with an MDL, and link them the way the transmit queue does:
 * each NB to @Nbl and to the next NB of @Nbl (the last to none), so that
 * they join the queue as one piece. Returns the number of NBs, with the
 * last one in *@Last; 0 when one is bad or there is none (the links
 * written so far are then unused). IRQL <= DISPATCH_LEVEL.
 */
static ULONG SdLinkNbs(PNET_BUFFER_LIST Nbl, PNET_BUFFER *Last)
{
    ULONG n = 0;
    for (PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(Nbl); nb; nb = NET_BUFFER_NEXT_NB(nb)) {
        ULONG len = NET_BUFFER_DATA_LENGTH(nb);
        if (len < SDNIC_MIN_FRAME || len > SD_MAX_FRAME || !NET_BUFFER_CURRENT_MDL(nb))
            return 0;
        nb->MiniportReserved[0] = Nbl;
        nb->MiniportReserved[1] = NET_BUFFER_NEXT_NB(nb);
        *Last = nb;
        n++;
    }
    return n;
}

/*
 * SdSendNetBufferLists - MiniportSendNetBufferLists.
 * @MiniportAdapterContext: the SD_ADAPTER. @NetBufferLists: a chain of NBLs,
 * the miniport's until NdisMSendNetBufferListsComplete. @PortNumber: the
 * default port. @SendFlags: NDIS_SEND_FLAGS_DISPATCH_LEVEL when called at
 * DISPATCH_LEVEL.
 * Not Running: every NBL is completed at once with NDIS_STATUS_PAUSED. An
 * NBL with an empty or oversized frame (or no NET_BUFFER) is completed with
 * NDIS_STATUS_INVALID_LENGTH. The others are queued and the channel is
 * started if it is idle.
 * IRQL: <= DISPATCH_LEVEL.
 */
VOID SdSendNetBufferLists(NDIS_HANDLE MiniportAdapterContext, PNET_BUFFER_LIST NetBufferLists,
                          NDIS_PORT_NUMBER PortNumber, ULONG SendFlags)
{
    PSD_ADAPTER ad = MiniportAdapterContext;
    SD_COMPLETION done;
    PNET_BUFFER_LIST nbl, next;
    (void)PortNumber;

    NdisZeroMemory(&done, sizeof done);
    NdisAcquireSpinLock(&ad->Lock);
    for (nbl = NetBufferLists; nbl; nbl = next) {
        PNET_BUFFER last = NULL;
        next = NET_BUFFER_LIST_NEXT_NBL(nbl);
        if (ad->State != SdStateRunning) {
            NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_PAUSED;
            ad->Stats.XmitDiscards++;
            SdAppendSend(&done, nbl);
            continue;
        }
        ULONG count = SdLinkNbs(nbl, &last);
        if (count == 0) {
            NET_BUFFER_LIST_STATUS(nbl) = NDIS_STATUS_INVALID_LENGTH;
            ad->Stats.XmitError++;
            SdAppendSend(&done, nbl);
            continue;
        }
        NET_BUFFER_LIST_NEXT_NBL(nbl) = NULL;
        SD_NBL_PENDING(nbl) = (PVOID)(ULONG_PTR)count;
        SD_NBL_FAILURE(nbl) = NULL;
        /* its NBs, linked by SdLinkNbs, join the end of the transmit queue */
        if (ad->TxTail)
            ad->TxTail->MiniportReserved[1] = NET_BUFFER_LIST_FIRST_NB(nbl);
        else
            ad->TxHead = NET_BUFFER_LIST_FIRST_NB(nbl);
        ad->TxTail = last;
    }
    SdStartNextOperationLocked(ad, &done);
    NdisReleaseSpinLock(&ad->Lock);
    SdFlushCompletions(ad, &done, NDIS_TEST_SEND_AT_DISPATCH_LEVEL(SendFlags));
}

/*
 * SdCancelSend - MiniportCancelSend: finish with NDIS_STATUS_SEND_ABORTED
 * the queued NBs of every NBL whose cancel id is @CancelId (an NB whose
 * transfer already started finishes normally; its NBL then carries the
 * abort). IRQL: <= DISPATCH_LEVEL.
 */
VOID SdCancelSend(NDIS_HANDLE MiniportAdapterContext, PVOID CancelId)
{
    PSD_ADAPTER ad = MiniportAdapterContext;
    SD_COMPLETION done;
    PNET_BUFFER keepHead = NULL, keepTail = NULL, nb;

    NdisZeroMemory(&done, sizeof done);
    NdisAcquireSpinLock(&ad->Lock);
    while ((nb = SdDequeueTx(ad)) != NULL) {
        if (NET_BUFFER_LIST_INFO(SD_NB_NBL(nb), NetBufferListCancelId) == CancelId) {
            ad->Stats.XmitDiscards++;
            SdNbDoneLocked(nb, NDIS_STATUS_SEND_ABORTED, &done);
            continue;
        }
        if (keepTail)
            keepTail->MiniportReserved[1] = nb;
        else
            keepHead = nb;
        keepTail = nb;
    }
    ad->TxHead = keepHead;
    ad->TxTail = keepTail;
    NdisReleaseSpinLock(&ad->Lock);
    SdFlushCompletions(ad, &done, KeGetCurrentIrql() == DISPATCH_LEVEL);
}
