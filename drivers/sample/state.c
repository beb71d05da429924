/*
 * state.c - the adapter's NDIS 6 states and events in the SD-1 sample
 * miniport: MiniportPause, MiniportRestart, MiniportResetEx,
 * MiniportDevicePnPEventNotify, MiniportShutdownEx, and the link-state
 * indication.
 *
 * Concept. After MiniportInitializeEx the adapter is Paused; NDIS restarts
 * it. Restart enables the card's receiver, makes the adapter Running (only
 * then are sends accepted and receives started) and indicates the link
 * state. Pause makes it Pausing: queued sends that have not started are
 * completed with NDIS_STATUS_PAUSED and new ones are refused the same way,
 * the receiver is disabled (the card drops frames from the wire), and the
 * pause completes at once when no DMA operation is in progress and every
 * receive NBL is back; otherwise MiniportPause returns NDIS_STATUS_PENDING
 * and NdisMPauseComplete is called by whichever path ends the last of them
 * (the DPC, MiniportReturnNetBufferLists, or the DMA watchdog when it
 * aborts a transfer the card stopped moving; SdCheckPauseLocked in isr.c).
 * The pause therefore never waits on a stuck card for more than three
 * watchdog periods, and it leaves the watchdog timer alone.
 */
#include "sample.h"

static MINIPORT_SYNCHRONIZE_INTERRUPT SdDropCauses;

/* SdDropCauses - forget causes the ISR saw (after a reset of the card).
   IRQL: DIRQL, serialized with SdIsr. */
static BOOLEAN SdDropCauses(NDIS_HANDLE SynchronizeContext)
{
    PSD_ADAPTER ad = SynchronizeContext;
    ad->PendingCauses = 0;
    return TRUE;
}

/*
 * SdRecoverCardLocked - reset the card and bring it back to the adapter's
 * state: SdResetHardware (every DMA operation ended, DREQ low, FIFOs empty),
 * the causes the ISR saw but the DPC has not taken are dropped (they
 * belong to the card before the reset), IMR restored, and the receiver
 * enabled again if the adapter is Running. The caller ends the DMA transfer
 * it had in progress (NdisMCompleteDmaTransfer) itself.
 * IRQL: DISPATCH_LEVEL, adapter lock held.
 */
VOID SdRecoverCardLocked(PSD_ADAPTER Adapter)
{
    SdResetHardware(Adapter);
    NdisMSynchronizeWithInterruptEx(Adapter->Interrupt, 0, SdDropCauses, Adapter);
    SdWrite(Adapter, SDNIC_REG_IMR, SD_IMR_CAUSES);
    if (Adapter->State == SdStateRunning)
        SdWrite(Adapter, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
}

/*
 * SdIndicateLinkState - NdisMIndicateStatusEx(NDIS_STATUS_LINK_STATE) with
 * the card's link (ST_LINK), full duplex and the line rate.
 * IRQL: <= DISPATCH_LEVEL, lock not held.
 */
VOID SdIndicateLinkState(PSD_ADAPTER Adapter)
{
    NDIS_LINK_STATE ls;
    NDIS_STATUS_INDICATION si;
    ULONG64 bps = SdLinkSpeedBps(Adapter);

    NdisZeroMemory(&ls, sizeof ls);
    ls.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    ls.Header.Revision = NDIS_LINK_STATE_REVISION_1;
    ls.Header.Size = NDIS_SIZEOF_LINK_STATE_REVISION_1;
    ls.MediaConnectState =
        SdLinkUp(Adapter) ? MediaConnectStateConnected : MediaConnectStateDisconnected;
    ls.MediaDuplexState = MediaDuplexStateFull;
    ls.XmitLinkSpeed = ls.RcvLinkSpeed = bps;
    ls.PauseFunctions = NdisPauseFunctionsUnsupported;
    ls.AutoNegotiationFlags = 0;

    NdisZeroMemory(&si, sizeof si);
    si.Header.Type = NDIS_OBJECT_TYPE_STATUS_INDICATION;
    si.Header.Revision = NDIS_STATUS_INDICATION_REVISION_1;
    si.Header.Size = NDIS_SIZEOF_STATUS_INDICATION_REVISION_1;
    si.SourceHandle = Adapter->AdapterHandle;
    si.PortNumber = NDIS_DEFAULT_PORT_NUMBER;
    si.StatusCode = NDIS_STATUS_LINK_STATE;
    si.StatusBuffer = &ls;
    si.StatusBufferSize = sizeof ls;
    NdisMIndicateStatusEx(Adapter->AdapterHandle, &si);
}

/*
 * SdPause - MiniportPause.
 * @PauseParameters: why (unused).
 * Returns NDIS_STATUS_SUCCESS (Paused now) or NDIS_STATUS_PENDING (a DMA
 * operation is in progress or receive NBLs are with NDIS; NdisMPauseComplete
 * follows). IRQL: PASSIVE_LEVEL.
 */
NDIS_STATUS SdPause(NDIS_HANDLE MiniportAdapterContext,
                    PNDIS_MINIPORT_PAUSE_PARAMETERS PauseParameters)
{
    PSD_ADAPTER ad = MiniportAdapterContext;
    SD_COMPLETION done;
    NDIS_STATUS status;
    (void)PauseParameters;

    NdisZeroMemory(&done, sizeof done);
    NdisAcquireSpinLock(&ad->Lock);
    ad->State = SdStatePausing;
    SdWrite(ad, SDNIC_REG_CMD, SDNIC_CMD_RX_DISABLE);
    SdFailTransmitQueueLocked(ad, NDIS_STATUS_PAUSED, &done);
    if (ad->PollArmed) {
        NdisCancelTimerObject(ad->PollTimer);
        ad->PollArmed = FALSE;
    }
    SdCheckPauseLocked(ad, &done);
    status = done.PauseComplete ? NDIS_STATUS_SUCCESS : NDIS_STATUS_PENDING;
    done.PauseComplete = FALSE; /* reported by the return value, not NdisMPauseComplete */
    NdisReleaseSpinLock(&ad->Lock);
    SdFlushCompletions(ad, &done, KeGetCurrentIrql() == DISPATCH_LEVEL);
    return status;
}

/*
 * SdRestart - MiniportRestart: receiver on, Running, link state indicated.
 * @RestartParameters: unused. Returns NDIS_STATUS_SUCCESS.
 * IRQL: PASSIVE_LEVEL.
 */
NDIS_STATUS SdRestart(NDIS_HANDLE MiniportAdapterContext,
                      PNDIS_MINIPORT_RESTART_PARAMETERS RestartParameters)
{
    PSD_ADAPTER ad = MiniportAdapterContext;
    SD_COMPLETION done;
    (void)RestartParameters;

    NdisZeroMemory(&done, sizeof done);
    NdisAcquireSpinLock(&ad->Lock);
    ad->State = SdStateRunning;
    SdWrite(ad, SDNIC_REG_CMD, SDNIC_CMD_RX_ENABLE);
    SdStartNextOperationLocked(ad, &done); /* frames left in the RX FIFO before the pause */
    NdisReleaseSpinLock(&ad->Lock);
    SdFlushCompletions(ad, &done, KeGetCurrentIrql() == DISPATCH_LEVEL);
    SdIndicateLinkState(ad);
    return NDIS_STATUS_SUCCESS;
}

/*
 * SdResetEx - MiniportResetEx: reset the card. The DMA operation in
 * progress is completed: a transmit's NB fails with
 * NDIS_STATUS_RESET_IN_PROGRESS (its frame may not have left), a receive's
 * frame is discarded (the reset emptied the card's FIFOs). Queued sends are
 * kept and go out after the reset; the receiver is enabled again if the
 * adapter is Running.
 * @AddressingReset: set FALSE (the driver keeps filter and multicast list
 * itself). Returns NDIS_STATUS_SUCCESS. IRQL: <= DISPATCH_LEVEL.
 */
NDIS_STATUS SdResetEx(NDIS_HANDLE MiniportAdapterContext, PBOOLEAN AddressingReset)
{
    PSD_ADAPTER ad = MiniportAdapterContext;
    SD_COMPLETION done;

    *AddressingReset = FALSE;
    NdisZeroMemory(&done, sizeof done);
    NdisAcquireSpinLock(&ad->Lock);
    SdRecoverCardLocked(ad);
    ad->RxTimeouts = 0;
    if (ad->DmaOp == SdDmaTransmit) {
        PNET_BUFFER nb = ad->TxNb;
        (void)SdEndDmaLocked(ad);
        ad->TxNb = NULL;
        ad->Stats.XmitError++;
        if (nb)
            SdNbDoneLocked(nb, NDIS_STATUS_RESET_IN_PROGRESS, &done);
    } else if (ad->DmaOp == SdDmaReceive) {
        (void)SdEndDmaLocked(ad);
        if (ad->RxCur)
            SdRxPushFreeLocked(ad, ad->RxCur);
        ad->RxCur = NULL;
        ad->Stats.RcvDiscards++;
    }
    SdStartNextOperationLocked(ad, &done);
    SdCheckPauseLocked(ad, &done);
    NdisReleaseSpinLock(&ad->Lock);
    SdFlushCompletions(ad, &done, KeGetCurrentIrql() == DISPATCH_LEVEL);
    return NDIS_STATUS_SUCCESS;
}

/*
 * SdDevicePnPEventNotify - MiniportDevicePnPEventNotify. On surprise
 * removal the card is gone: nothing to do here, the halt that follows
 * releases everything (the ISR ignores an open bus). Other events need no
 * action. IRQL: PASSIVE_LEVEL.
 */
VOID SdDevicePnPEventNotify(NDIS_HANDLE MiniportAdapterContext,
                            PNET_DEVICE_PNP_EVENT NetDevicePnPEvent)
{
    (void)MiniportAdapterContext;
    (void)NetDevicePnPEvent;
}

/*
 * SdShutdownEx - MiniportShutdownEx: leave the card quiet (no DMA request,
 * no interrupt) for the next system. Only port I/O: this may run at
 * HIGH_LEVEL after a bug check, where no lock may be taken.
 * IRQL: PASSIVE_LEVEL or HIGH_LEVEL.
 */
VOID SdShutdownEx(NDIS_HANDLE MiniportAdapterContext, NDIS_SHUTDOWN_ACTION ShutdownAction)
{
    PSD_ADAPTER ad = MiniportAdapterContext;
    (void)ShutdownAction;
    SdWrite(ad, SDNIC_REG_IMR, 0);
    SdWrite(ad, SDNIC_REG_CMD, SDNIC_CMD_RESET);
    ad->TxLen = 0; /* the reset cleared TXLEN (a plain store: no lock here) */
}
