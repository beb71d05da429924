/*
 * init.c - MiniportInitializeEx and MiniportHaltEx of the SD-1 sample
 * miniport: resources, attributes, the card's ports, DMA channel, interrupt,
 * receive buffers and NBLs, the transmit staging buffer; and their release.
 *
 * Concept. Initialization acquires everything in a fixed order and records
 * each object in the adapter context as soon as it exists; one routine,
 * SdReleaseAdapter, releases whatever is recorded, in reverse order. Every
 * failure path and MiniportHaltEx go through it, so nothing can leak.
 *
 * DMA description (NdisMRegisterDmaChannel): DemandMode TRUE (the card holds
 * DREQ for a whole frame, so the controller moves it in one burst instead
 * of one unit per request: this is what makes the card fast);
 * AutoInitialize FALSE (one frame per transfer); the width follows the
 * channel (Width8Bits on 0-3, Width16Bits on 5-7); DmaSpeed TypeC, the
 * fastest ISA timing (120 ns per unit in ndisdma), which the card supports
 * and which keeps a 1514-byte transfer far shorter than the frame's time on
 * a 10 Mbit/s wire; MaximumLength SD_DMA_MAX (1536: a whole frame rounded up
 * to the 16-bit unit, and the receive buffer size).
 *
 * Timers: a one-shot transmit-FIFO poll (isr.c) and the DMA watchdog
 * (watchdog.c), whose period is SD_WATCHDOG_MS (sample.h).
 *
 * Receive buffers are ordinary nonpaged memory
 * (NdisAllocateMemoryWithTagPriority), not shared memory: where the machine
 * places them decides whether the HAL programs the 8237 on them directly
 * (below 16 MiB) or bounces them through map registers, and the driver does
 * not care which.
 */
#include "sample.h"

/* The OIDs MiniportOidRequest answers (also OID_GEN_SUPPORTED_LIST). */
static const NDIS_OID SdSupportedOids[] = {
    OID_GEN_SUPPORTED_LIST,
    OID_GEN_HARDWARE_STATUS,
    OID_GEN_MEDIA_SUPPORTED,
    OID_GEN_MEDIA_IN_USE,
    OID_GEN_MAXIMUM_LOOKAHEAD,
    OID_GEN_MAXIMUM_FRAME_SIZE,
    OID_GEN_LINK_SPEED,
    OID_GEN_VENDOR_ID,
    OID_GEN_VENDOR_DESCRIPTION,
    OID_GEN_CURRENT_PACKET_FILTER,
    OID_GEN_CURRENT_LOOKAHEAD,
    OID_GEN_MAXIMUM_TOTAL_SIZE,
    OID_GEN_MEDIA_CONNECT_STATUS,
    OID_GEN_MAXIMUM_SEND_PACKETS,
    OID_GEN_VENDOR_DRIVER_VERSION,
    OID_GEN_LINK_STATE,
    OID_GEN_XMIT_OK,
    OID_GEN_RCV_OK,
    OID_GEN_XMIT_ERROR,
    OID_GEN_RCV_ERROR,
    OID_GEN_RCV_NO_BUFFER,
    OID_GEN_STATISTICS,
    OID_802_3_PERMANENT_ADDRESS,
    OID_802_3_CURRENT_ADDRESS,
    OID_802_3_MULTICAST_LIST,
    OID_802_3_MAXIMUM_LIST_SIZE,
};

/*
 * SdSupportedOidList - the OIDs the driver answers.
 * @Count: receives their number. Returns a static, read-only array.
 * Any IRQL.
 */
const NDIS_OID *SdSupportedOidList(ULONG *Count)
{
    *Count = (ULONG)(sizeof SdSupportedOids / sizeof SdSupportedOids[0]);
    return SdSupportedOids;
}

/*
 * SdLinkSpeedBps - the line rate in bits per second (RATE registers read at
 * initialization); SD_UNLIMITED_BPS when the card has no rate limit.
 * Any IRQL.
 */
ULONG64 SdLinkSpeedBps(const SD_ADAPTER *Adapter)
{
    if (Adapter->LineRateKbps == 0)
        return SD_UNLIMITED_BPS;
    return (ULONG64)Adapter->LineRateKbps * 1000u;
}

/* SdLinkUp - TRUE when the card reports a link (ST_LINK). Any IRQL. */
BOOLEAN SdLinkUp(PSD_ADAPTER Adapter)
{
    return (SdRead(Adapter, SDNIC_REG_CMD) & SDNIC_ST_LINK) != 0;
}

/*
 * SdResetHardware - put the card in a known state: interrupts masked, a
 * reset (FIFOs empty, ISR and IMR 0, receiver off), CONFIG as it was found.
 * The caller re-enables the IMR causes and the receiver as its state needs.
 * IRQL: any (port I/O only). The caller serializes with the DPC.
 */
VOID SdResetHardware(PSD_ADAPTER Adapter)
{
    SdWrite(Adapter, SDNIC_REG_IMR, 0);
    SdWrite(Adapter, SDNIC_REG_CMD, SDNIC_CMD_RESET);
    Adapter->TxLen = 0; /* the reset cleared TXLEN */
    SdWrite(Adapter, SDNIC_REG_CONFIG, Adapter->Config);
    SdWrite(Adapter, SDNIC_REG_ISR, SDNIC_ISR_ALL);
}

/*
 * SdParseResources - find the DMA channel, the interrupt and the port range
 * in the CM partial resource list of MiniportInitializeEx.
 * Returns NDIS_STATUS_SUCCESS, or NDIS_STATUS_RESOURCES when one of the
 * three is missing or the port range is shorter than the card decodes.
 * IRQL: PASSIVE_LEVEL.
 */
static NDIS_STATUS SdParseResources(PSD_ADAPTER Adapter, PNDIS_RESOURCE_LIST Resources)
{
    if (!Resources)
        return NDIS_STATUS_RESOURCES;
    for (ULONG i = 0; i < Resources->Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &Resources->PartialDescriptors[i];
        switch (d->Type) {
        case CmResourceTypeDma:
            Adapter->DmaChannel = d->u.Dma.Channel;
            Adapter->HaveDma = TRUE;
            break;
        case CmResourceTypeInterrupt:
            Adapter->InterruptLevel = d->u.Interrupt.Level;
            Adapter->HaveInterrupt = TRUE;
            break;
        case CmResourceTypePort:
            Adapter->IoBase = d->u.Port.Start.LowPart;
            Adapter->IoLength = d->u.Port.Length;
            Adapter->HavePorts = TRUE;
            break;
        default:
            break;
        }
    }
    if (!Adapter->HaveDma || !Adapter->HaveInterrupt || !Adapter->HavePorts ||
        Adapter->IoLength < SDNIC_IO_LENGTH || Adapter->DmaChannel == 4 || Adapter->DmaChannel > 7)
        return NDIS_STATUS_RESOURCES;
    return NDIS_STATUS_SUCCESS;
}

/*
 * SdFreeRxBuffer - free what is built of one receive buffer (NBL, MDL,
 * memory) and clear it. IRQL <= DISPATCH_LEVEL (PASSIVE here).
 */
static VOID SdFreeRxBuffer(PSD_ADAPTER Adapter, PSD_RX_BUFFER Rx)
{
    if (Rx->Nbl) {
        NdisFreeNetBufferList(Rx->Nbl);
        Rx->Nbl = NULL;
    }
    if (Rx->Mdl) {
        NdisFreeMdl(Rx->Mdl);
        Rx->Mdl = NULL;
    }
    if (Rx->Va) {
        NdisFreeMemoryWithTagPriority(Adapter->AdapterHandle, Rx->Va, SD_TAG_RXBUF);
        Rx->Va = NULL;
    }
}

/*
 * SdReleaseAdapter - release everything SdInitializeEx recorded in
 * @Adapter, in reverse order, then the adapter context itself.
 * A DMA transfer still in progress is completed first (the channel must be
 * idle when it is deregistered). Receive NBLs still with NDIS cannot be
 * freed; NDIS returns them all before it halts an adapter.
 * IRQL: PASSIVE_LEVEL (initialize or halt).
 */
static VOID SdReleaseAdapter(PSD_ADAPTER Adapter)
{
    NDIS_HANDLE handle = Adapter->AdapterHandle;

    if (Adapter->PortBase && Adapter->CardFound)
        SdResetHardware(Adapter); /* quiet: no DREQ, no interrupt from now on */
    if (Adapter->Interrupt) {
        NdisMDeregisterInterruptEx(Adapter->Interrupt);
        Adapter->Interrupt = NULL;
    }
    if (Adapter->PollTimer) {
        NdisCancelTimerObject(Adapter->PollTimer);
        NdisFreeTimerObject(Adapter->PollTimer);
        Adapter->PollTimer = NULL;
    }
    if (Adapter->WatchdogTimer) {
        NdisCancelTimerObject(Adapter->WatchdogTimer);
        NdisFreeTimerObject(Adapter->WatchdogTimer);
        Adapter->WatchdogTimer = NULL;
    }
    if (Adapter->DmaHandle) {
        if (Adapter->DmaOp != SdDmaIdle)
            (void)SdEndDmaLocked(Adapter);
        NdisMDeregisterDmaChannel(Adapter->DmaHandle);
        Adapter->DmaHandle = NULL;
    }
    for (ULONG i = 0; i < SD_RX_BUFFERS; i++)
        SdFreeRxBuffer(Adapter, &Adapter->RxBuffers[i]);
    if (Adapter->RxPool) {
        NdisFreeNetBufferListPool(Adapter->RxPool);
        Adapter->RxPool = NULL;
    }
    if (Adapter->TxStageMdl) {
        NdisFreeMdl(Adapter->TxStageMdl);
        Adapter->TxStageMdl = NULL;
    }
    if (Adapter->TxStage) {
        NdisFreeMemoryWithTagPriority(handle, Adapter->TxStage, SD_TAG_TXBUF);
        Adapter->TxStage = NULL;
    }
    if (Adapter->PortBase) {
        NdisMDeregisterIoPortRange(handle, Adapter->IoBase, SDNIC_IO_LENGTH, Adapter->PortBase);
        Adapter->PortBase = NULL;
    }
    if (Adapter->LockAllocated) {
        NdisFreeSpinLock(&Adapter->Lock);
        Adapter->LockAllocated = FALSE;
    }
    NdisFreeMemoryWithTagPriority(handle, Adapter, SD_TAG_ADAPTER);
}

/*
 * SdSetGeneralAttributes - tell NDIS what the adapter is: 802.3, MTU 1500,
 * link speed and state, addresses, filters, statistics, the OID list.
 * Returns the status of NdisMSetMiniportAttributes. IRQL: PASSIVE_LEVEL.
 */
static NDIS_STATUS SdSetGeneralAttributes(PSD_ADAPTER Adapter)
{
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES ga;
    ULONG oidCount;
    const NDIS_OID *oids = SdSupportedOidList(&oidCount);
    ULONG64 bps = SdLinkSpeedBps(Adapter);

    NdisZeroMemory(&ga, sizeof ga);
    ga.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES;
    ga.Header.Revision = NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1;
    ga.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES_REVISION_1;
    ga.MediaType = NdisMedium802_3;
    ga.PhysicalMediumType = NdisPhysicalMedium802_3;
    ga.MtuSize = SD_MTU;
    ga.MaxXmitLinkSpeed = ga.XmitLinkSpeed = bps;
    ga.MaxRcvLinkSpeed = ga.RcvLinkSpeed = bps;
    ga.MediaConnectState =
        SdLinkUp(Adapter) ? MediaConnectStateConnected : MediaConnectStateDisconnected;
    ga.MediaDuplexState = MediaDuplexStateFull;
    ga.LookaheadSize = SD_MTU;
    ga.PowerManagementCapabilities = NULL;
    ga.MacOptions = NDIS_MAC_OPTION_COPY_LOOKAHEAD_DATA | NDIS_MAC_OPTION_TRANSFERS_NOT_PEND |
                    NDIS_MAC_OPTION_NO_LOOPBACK;
    ga.SupportedPacketFilters = SD_SUPPORTED_FILTERS;
    ga.MaxMulticastListSize = SD_MAX_MCAST;
    ga.MacAddressLength = SD_ETH_ALEN;
    NdisMoveMemory(ga.PermanentMacAddress, Adapter->PermanentAddress, SD_ETH_ALEN);
    NdisMoveMemory(ga.CurrentMacAddress, Adapter->CurrentAddress, SD_ETH_ALEN);
    ga.RecvScaleCapabilities = NULL;
    ga.AccessType = NET_IF_ACCESS_BROADCAST;
    ga.DirectionType = NET_IF_DIRECTION_SENDRECEIVE;
    ga.ConnectionType = NET_IF_CONNECTION_DEDICATED;
    ga.IfType = IF_TYPE_ETHERNET_CSMACD;
    ga.IfConnectorPresent = TRUE;
    ga.SupportedStatistics =
        NDIS_STATISTICS_XMIT_OK_SUPPORTED | NDIS_STATISTICS_RCV_OK_SUPPORTED |
        NDIS_STATISTICS_XMIT_ERROR_SUPPORTED | NDIS_STATISTICS_RCV_ERROR_SUPPORTED |
        NDIS_STATISTICS_RCV_NO_BUFFER_SUPPORTED | NDIS_STATISTICS_BYTES_RCV_SUPPORTED |
        NDIS_STATISTICS_BYTES_XMIT_SUPPORTED | NDIS_STATISTICS_RCV_DISCARDS_SUPPORTED |
        NDIS_STATISTICS_GEN_STATISTICS_SUPPORTED | NDIS_STATISTICS_XMIT_DISCARDS_SUPPORTED;
    ga.SupportedPauseFunctions = NdisPauseFunctionsUnsupported;
    ga.DataBackFillSize = 0;
    ga.ContextBackFillSize = 0;
    ga.SupportedOidList = (PNDIS_OID)oids;
    ga.SupportedOidListLength = oidCount * (ULONG)sizeof(NDIS_OID);
    ga.AutoNegotiationFlags = 0;
    return NdisMSetMiniportAttributes(Adapter->AdapterHandle,
                                      (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ga);
}

/*
 * SdAllocateBuffers - the receive NBL pool, SD_RX_BUFFERS receive buffers
 * (memory, MDL, NBL each, all on the free list) and the transmit staging
 * buffer with its MDL.
 * Returns NDIS_STATUS_SUCCESS or NDIS_STATUS_RESOURCES (what was built
 * stays recorded for SdReleaseAdapter). IRQL: PASSIVE_LEVEL.
 */
static NDIS_STATUS SdAllocateBuffers(PSD_ADAPTER Adapter)
{
    NDIS_HANDLE handle = Adapter->AdapterHandle;
    NET_BUFFER_LIST_POOL_PARAMETERS pp;

    NdisZeroMemory(&pp, sizeof pp);
    pp.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
    pp.Header.Revision = NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.Header.Size = NDIS_SIZEOF_NET_BUFFER_LIST_POOL_PARAMETERS_REVISION_1;
    pp.ProtocolId = NDIS_PROTOCOL_ID_DEFAULT;
    pp.fAllocateNetBuffer = TRUE;
    pp.ContextSize = 0;
    pp.PoolTag = SD_TAG_POOL;
    pp.DataSize = 0;
    Adapter->RxPool = NdisAllocateNetBufferListPool(handle, &pp);
    if (!Adapter->RxPool)
        return NDIS_STATUS_RESOURCES;

    for (ULONG i = 0; i < SD_RX_BUFFERS; i++) {
        PSD_RX_BUFFER rx = &Adapter->RxBuffers[i];
        rx->Va = NdisAllocateMemoryWithTagPriority(handle, SD_BUFFER_SIZE, SD_TAG_RXBUF,
                                                   NormalPoolPriority);
        if (!rx->Va)
            return NDIS_STATUS_RESOURCES;
        rx->Mdl = NdisAllocateMdl(handle, rx->Va, SD_BUFFER_SIZE);
        if (!rx->Mdl)
            return NDIS_STATUS_RESOURCES;
        rx->Nbl = NdisAllocateNetBufferAndNetBufferList(Adapter->RxPool, 0, 0, rx->Mdl, 0, 0);
        if (!rx->Nbl)
            return NDIS_STATUS_RESOURCES;
        rx->Nbl->MiniportReserved[0] = rx;
        rx->Nbl->SourceHandle = handle;
        SdRxPushFreeLocked(Adapter, rx); /* no one else sees the adapter yet */
        Adapter->RxAllocated++;
    }

    Adapter->TxStage =
        NdisAllocateMemoryWithTagPriority(handle, SD_BUFFER_SIZE, SD_TAG_TXBUF, NormalPoolPriority);
    if (!Adapter->TxStage)
        return NDIS_STATUS_RESOURCES;
    Adapter->TxStageMdl = NdisAllocateMdl(handle, Adapter->TxStage, SD_BUFFER_SIZE);
    if (!Adapter->TxStageMdl)
        return NDIS_STATUS_RESOURCES;
    return NDIS_STATUS_SUCCESS;
}

/*
 * SdAllocateTimer - a timer object of @Adapter calling @Function with the
 * adapter as its context.
 * @Tag: its pool tag. @Timer: receives the handle, NULL on failure.
 * Returns the status of NdisAllocateTimerObject. IRQL: PASSIVE_LEVEL.
 */
static NDIS_STATUS SdAllocateTimer(PSD_ADAPTER Adapter, PNDIS_TIMER_FUNCTION Function, ULONG Tag,
                                   NDIS_HANDLE *Timer)
{
    NDIS_TIMER_CHARACTERISTICS tc;
    NdisZeroMemory(&tc, sizeof tc);
    tc.Header.Type = NDIS_OBJECT_TYPE_TIMER_CHARACTERISTICS;
    tc.Header.Revision = NDIS_TIMER_CHARACTERISTICS_REVISION_1;
    tc.Header.Size = NDIS_SIZEOF_TIMER_CHARACTERISTICS_REVISION_1;
    tc.AllocationTag = Tag;
    tc.TimerFunction = Function;
    tc.FunctionContext = Adapter;
    NDIS_STATUS status = NdisAllocateTimerObject(Adapter->AdapterHandle, &tc, Timer);
    if (status != NDIS_STATUS_SUCCESS)
        *Timer = NULL;
    return status;
}

/*
 * SdInitializeEx - MiniportInitializeEx: bring up one SD-1 adapter.
 * @MiniportAdapterHandle: NDIS's handle of the adapter.
 * @MiniportDriverContext: the SD_DRIVER of DriverEntry.
 * @InitParameters: AllocatedResources holds the DMA channel, the interrupt
 * and the port range.
 * Returns NDIS_STATUS_SUCCESS (the adapter is Paused; NDIS restarts it);
 * NDIS_STATUS_ADAPTER_NOT_FOUND (no SD-1 at the port range: wrong ID);
 * NDIS_STATUS_RESOURCES (missing resources, no memory); or the failure of
 * the NDIS call that failed. On failure everything is released.
 * IRQL: PASSIVE_LEVEL.
 */
NDIS_STATUS SdInitializeEx(NDIS_HANDLE MiniportAdapterHandle, NDIS_HANDLE MiniportDriverContext,
                           PNDIS_MINIPORT_INIT_PARAMETERS InitParameters)
{
    NDIS_STATUS status;
    PSD_ADAPTER ad = NdisAllocateMemoryWithTagPriority(MiniportAdapterHandle, sizeof *ad,
                                                       SD_TAG_ADAPTER, NormalPoolPriority);
    if (!ad)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(ad, sizeof *ad);
    ad->AdapterHandle = MiniportAdapterHandle;
    ad->Driver = MiniportDriverContext;
    ad->State = SdStatePaused;
    ad->PacketFilter = 0;
    ad->Lookahead = SD_MTU;
    NdisAllocateSpinLock(&ad->Lock);
    ad->LockAllocated = TRUE;

    status = SdParseResources(ad, InitParameters ? InitParameters->AllocatedResources : NULL);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    ad->DmaUnit = ad->DmaChannel >= 4 ? 2 : 1;

    /* Registration attributes first: NDIS needs the context before the DMA channel (N1). */
    {
        NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES ra;
        NdisZeroMemory(&ra, sizeof ra);
        ra.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES;
        ra.Header.Revision = NDIS_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
        ra.Header.Size = NDIS_SIZEOF_MINIPORT_ADAPTER_REGISTRATION_ATTRIBUTES_REVISION_1;
        ra.MiniportAdapterContext = ad;
        ra.AttributeFlags = NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE;
        ra.CheckForHangTimeInSeconds = 0;
        ra.InterfaceType = NdisInterfaceIsa;
        status = NdisMSetMiniportAttributes(MiniportAdapterHandle,
                                            (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&ra);
        if (status != NDIS_STATUS_SUCCESS)
            goto fail;
    }

    status =
        NdisMRegisterIoPortRange(&ad->PortBase, MiniportAdapterHandle, ad->IoBase, SDNIC_IO_LENGTH);
    if (status != NDIS_STATUS_SUCCESS) {
        ad->PortBase = NULL;
        goto fail;
    }
    ad->Port = (ULONG_PTR)ad->PortBase;

    if (SdRead(ad, SDNIC_REG_ID) != SDNIC_ID) {
        status = NDIS_STATUS_ADAPTER_NOT_FOUND; /* and no write to ports of someone else */
        goto fail;
    }
    ad->CardFound = TRUE;
    ad->Config = SdRead(ad, SDNIC_REG_CONFIG);
    SdResetHardware(ad);
    for (ULONG i = 0; i < SD_ETH_ALEN; i++)
        ad->PermanentAddress[i] = SdRead(ad, SDNIC_REG_MAC0 + i);
    NdisMoveMemory(ad->CurrentAddress, ad->PermanentAddress, SD_ETH_ALEN);
    ad->LineRateKbps =
        (ULONG)SdRead(ad, SDNIC_REG_RATE0) | ((ULONG)SdRead(ad, SDNIC_REG_RATE1) << 8) |
        ((ULONG)SdRead(ad, SDNIC_REG_RATE2) << 16) | ((ULONG)SdRead(ad, SDNIC_REG_RATE3) << 24);
    if (SdRead(ad, SDNIC_REG_WIDTH) != ad->DmaUnit) {
        /* the card is strapped for another channel width than the resource says */
        status = NDIS_STATUS_RESOURCE_CONFLICT;
        goto fail;
    }

    status = SdSetGeneralAttributes(ad);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;

    status = SdAllocateTimer(ad, SdPollTimer, SD_TAG_TIMER, &ad->PollTimer);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    status = SdAllocateTimer(ad, SdWatchdogTimer, SD_TAG_WDOG, &ad->WatchdogTimer);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    ad->WatchdogDue = -(LONGLONG)SD_WATCHDOG_MS * 10000; /* relative, 100 ns units */

    status = SdAllocateBuffers(ad);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;

    {
        NDIS_DMA_DESCRIPTION dd;
        NdisZeroMemory(&dd, sizeof dd);
        dd.DemandMode = TRUE;
        dd.AutoInitialize = FALSE;
        dd.DmaChannelSpecified = TRUE;
        dd.DmaWidth = ad->DmaUnit == 2 ? Width16Bits : Width8Bits;
        dd.DmaSpeed = TypeC;
        dd.DmaPort = 0;
        dd.DmaChannel = ad->DmaChannel;
        status = NdisMRegisterDmaChannel(&ad->DmaHandle, MiniportAdapterHandle, ad->DmaChannel,
                                         FALSE, &dd, SD_DMA_MAX);
        if (status != NDIS_STATUS_SUCCESS) {
            ad->DmaHandle = NULL;
            goto fail;
        }
    }

    {
        NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS ic;
        NdisZeroMemory(&ic, sizeof ic);
        ic.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
        ic.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
        ic.Header.Size = NDIS_SIZEOF_MINIPORT_INTERRUPT_CHARACTERISTICS_REVISION_1;
        ic.InterruptHandler = SdIsr;
        ic.InterruptDpcHandler = SdInterruptDpc;
        ic.MsiSupported = FALSE;
        status = NdisMRegisterInterruptEx(MiniportAdapterHandle, ad, &ic, &ad->Interrupt);
        if (status != NDIS_STATUS_SUCCESS) {
            ad->Interrupt = NULL;
            goto fail;
        }
    }

    /* Interrupts on; the receiver stays off until MiniportRestart. */
    SdWrite(ad, SDNIC_REG_IMR, SD_IMR_CAUSES);
    return NDIS_STATUS_SUCCESS;

fail:
    SdReleaseAdapter(ad);
    return status;
}

/*
 * SdHaltEx - MiniportHaltEx: stop the card and release everything.
 * @MiniportAdapterContext: the SD_ADAPTER. @HaltAction: why (unused).
 * NDIS halts only a Paused adapter: no send is queued and every receive
 * NBL is back. IRQL: PASSIVE_LEVEL.
 */
VOID SdHaltEx(NDIS_HANDLE MiniportAdapterContext, NDIS_HALT_ACTION HaltAction)
{
    PSD_ADAPTER ad = MiniportAdapterContext;
    (void)HaltAction;
    SdReleaseAdapter(ad);
}
