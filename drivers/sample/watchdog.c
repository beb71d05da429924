/*
 * watchdog.c - the DMA watchdog of the SD-1 sample miniport: a one-shot NDIS
 * timer that notices a DMA operation which stopped moving data, and the
 * recovery that frees the one channel again.
 *
 * Concept. Every DMA operation ends with an interrupt (TX_DONE, RX_DONE,
 * TX_ERR, RX_ERR) only if the card keeps DREQ up until the frame is moved.
 * A card that drops DREQ in the middle (a stall, or a short transfer: it took
 * part of the units offered and then let go) and never raises it again
 * leaves the 8237 channel waiting for a request that never comes: no
 * terminal count, no EOP, no interrupt, and with one channel shared by
 * transmit and receive every later frame waits behind it. Real ISA and IrDA
 * drivers guard the transfer with a timer; so does this one.
 *
 * Timing. The timer is set when an operation starts and nothing else has
 * set it (SdArmWatchdogLocked), and re-sets itself at each tick while an
 * operation is in progress; with the channel idle it lapses, so an idle
 * adapter has no timer running and the data path pays no timer call per
 * frame. Its period (SD_ADAPTER.WatchdogDue) is SD_WATCHDOG_MS, 10 ms: the
 * longest transfer (SD_DMA_MAX bytes at the TypeC 120 ns per unit) takes
 * 184 us on an 8-bit channel, 92 us on a 16-bit one, and never waits for
 * the wire (sample.h says why the period is not shorter).
 *
 * The judgment. A tick that finds an operation started since the tick
 * before (DmaSeq moved) only records it, with the whole programmed length
 * as its count (what NdisMReadDmaCounter reads before the first unit):
 * with traffic flowing, most ticks end there, at the cost of a compare.
 * A tick that finds the SAME operation reads NdisMReadDmaCounter and the
 * card's status: the operation is stuck when the card still says it runs
 * (ST_TX_DMA / ST_RX_DMA) and the count equals the one recorded: no data
 * for one whole period. Otherwise the new count is recorded for the next
 * tick. A slow but moving transfer is never aborted (the count moves); an
 * operation the card has already ended (its interrupt is on the way to the
 * DPC) is left to the DPC. A transfer that never moved is recovered one to
 * two periods after it started, one that stopped midway one to three
 * periods after it stopped (10-20 ms and at most 30 ms).
 *
 * Recovery (SdDmaTimeoutLocked), under the adapter lock:
 *   1. CMD <- ABORT: the card drops DREQ and forgets the operation; it sets
 *      no interrupt cause, and ignores a terminal count that comes later, so
 *      no stale TX_DONE/RX_DONE can reach the DPC for the next operation;
 *   2. NdisMCompleteDmaTransfer with the Setup's arguments (every Setup is
 *      Completed; it masks the channel and releases the map registers);
 *   3. a transmit: its NET_BUFFER fails with NDIS_STATUS_FAILURE (or the
 *      completion's failure), counted in OID_GEN_XMIT_ERROR: the card
 *      dropped the partial frame and the protocol decides whether to send
 *      it again (no silent retry: the driver cannot know whether the card's
 *      fault is transient);
 *      a receive: the card keeps an aborted frame at the head of its RX
 *      FIFO, so the buffer goes back to the free list and the scheduler
 *      receives the same frame again from its first byte (counted in
 *      RxRetries, not as an error: the frame is not lost). After
 *      SD_RX_MAX_TRIES timeouts in a row on that frame the card is reset
 *      (SdRecoverCardLocked): that frame is counted in OID_GEN_RCV_ERROR,
 *      the others still in the RX FIFO in RcvDiscards;
 *   4. the counters DmaTimeouts (and CardResets), then the next operation
 *      starts, a pending pause completes if that was the last thing it
 *      waited for, and completions go to NDIS with the lock released.
 */
#include "sample.h"

/*
 * SdArmWatchdogLocked - set the watchdog timer for one period if it is not
 * set. Called when a DMA operation starts. IRQL: DISPATCH_LEVEL, adapter
 * lock held.
 */
VOID SdArmWatchdogLocked(PSD_ADAPTER Adapter)
{
    LARGE_INTEGER due;
    if (Adapter->WatchdogArmed || !Adapter->WatchdogTimer)
        return;
    due.QuadPart = Adapter->WatchdogDue;
    Adapter->WatchdogArmed = TRUE;
    NdisSetTimerObject(Adapter->WatchdogTimer, due, 0, Adapter);
}

/*
 * SdDmaTimeoutLocked - recover from the stuck DMA operation in progress
 * (see the concept note): abort it in the card, complete the transfer,
 * fail the transmit or give the receive back for a retry, and reset the
 * card after SD_RX_MAX_TRIES receive timeouts in a row. NBs that complete
 * join @Done. The caller starts the next operation.
 * IRQL: DISPATCH_LEVEL, adapter lock held.
 */
static VOID SdDmaTimeoutLocked(PSD_ADAPTER Adapter, PSD_COMPLETION Done)
{
    Adapter->Stats.DmaTimeouts++;
    SdWrite(Adapter, SDNIC_REG_CMD, SDNIC_CMD_ABORT);
    if (Adapter->DmaOp == SdDmaTransmit) {
        /* completes the transfer and fails the NB with NDIS_STATUS_FAILURE */
        SdFinishTransmitLocked(Adapter, FALSE, Done);
        return;
    }

    SdAbortReceiveLocked(Adapter);
    if (++Adapter->RxTimeouts < SD_RX_MAX_TRIES) {
        Adapter->Stats.RxRetries++;
        return; /* the frame is still at the head of the card's RX FIFO */
    }

    /* The head frame cannot be moved: only a reset gets the card past it. */
    UCHAR waiting = SdRead(Adapter, SDNIC_REG_RXCOUNT);
    Adapter->Stats.RcvError++;
    if (waiting > 1)
        Adapter->Stats.RcvDiscards += (ULONG64)waiting - 1u;
    Adapter->Stats.CardResets++;
    Adapter->RxTimeouts = 0;
    SdRecoverCardLocked(Adapter);
}

/*
 * SdWatchdogTimer - the DMA watchdog (NDIS_TIMER_FUNCTION): judge the
 * operation in progress (see the concept note), recover a stuck one, and
 * set the timer again while an operation is in progress.
 * @FunctionContext: the SD_ADAPTER. The other parameters are unused.
 * IRQL: DISPATCH_LEVEL.
 */
VOID SdWatchdogTimer(PVOID SystemSpecific1, PVOID FunctionContext, PVOID SystemSpecific2,
                     PVOID SystemSpecific3)
{
    PSD_ADAPTER ad = FunctionContext;
    SD_COMPLETION done;
    BOOLEAN judged = FALSE; /* only a judgment can bring completions */
    (void)SystemSpecific1;
    (void)SystemSpecific2;
    (void)SystemSpecific3;

    NdisDprAcquireSpinLock(&ad->Lock);
    ad->WatchdogArmed = FALSE;
    if (ad->DmaOp == SdDmaIdle) {
        ad->WdSeen = FALSE; /* lapse: the next operation sets the timer again */
    } else if (!ad->WdSeen || ad->WdSeq != ad->DmaSeq) {
        /* an operation started since the last tick: its count was the whole length then */
        ad->WdSeen = TRUE;
        ad->WdSeq = ad->DmaSeq;
        ad->WdLeft = ad->DmaLength;
        SdArmWatchdogLocked(ad);
    } else {
        ULONG left = NdisMReadDmaCounter(ad->DmaHandle);
        UCHAR busy = SdRead(ad, SDNIC_REG_CMD) &
                     (ad->DmaOp == SdDmaTransmit ? SDNIC_ST_TX_DMA : SDNIC_ST_RX_DMA);
        judged = TRUE;
        NdisZeroMemory(&done, sizeof done);
        if (busy && ad->WdLeft == left) {
            ad->WdSeen = FALSE;
            SdDmaTimeoutLocked(ad, &done);
            SdStartNextOperationLocked(ad, &done); /* sets the timer for a new operation */
            SdCheckPauseLocked(ad, &done);
        } else {
            ad->WdLeft = left;
        }
        if (ad->DmaOp != SdDmaIdle)
            SdArmWatchdogLocked(ad);
    }
    NdisDprReleaseSpinLock(&ad->Lock);
    if (judged)
        SdFlushCompletions(ad, &done, TRUE);
}
