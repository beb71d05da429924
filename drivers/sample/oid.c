/*
 * oid.c - MiniportOidRequest and MiniportCancelOidRequest of the SD-1
 * sample miniport.
 *
 * Concept. Every request is answered at once (never pended). A query
 * writes its answer to InformationBuffer and sets BytesWritten; when the
 * buffer is too small it writes nothing, sets BytesNeeded and returns
 * NDIS_STATUS_BUFFER_TOO_SHORT (the NDIS 6 status for a short buffer). The
 * statistics counters are 64-bit; as NDIS allows, a 4-byte buffer gets the
 * low 32 bits. A set reads InformationBuffer and sets BytesRead; a wrong
 * length is NDIS_STATUS_INVALID_LENGTH (with BytesNeeded), a value the card
 * does not support NDIS_STATUS_NOT_SUPPORTED / NDIS_STATUS_INVALID_DATA, a
 * multicast list longer than SD_MAX_MCAST NDIS_STATUS_MULTICAST_FULL. OIDs
 * the driver does not know, and sets of query-only OIDs, are
 * NDIS_STATUS_NOT_SUPPORTED.
 */
#include "sample.h"

static const char SdVendorDescription[] = "ndisdma SD-1 system-DMA Ethernet (sample miniport)";

/*
 * SdQueryCopy - answer a query with @Length bytes at @Data.
 * Returns NDIS_STATUS_SUCCESS, or NDIS_STATUS_BUFFER_TOO_SHORT with
 * BytesNeeded set. IRQL <= DISPATCH_LEVEL.
 */
static NDIS_STATUS SdQueryCopy(PNDIS_OID_REQUEST Request, const VOID *Data, ULONG Length)
{
    struct _QUERY *q = &Request->DATA.QUERY_INFORMATION;
    if (q->InformationBufferLength < Length || (Length && !q->InformationBuffer)) {
        q->BytesWritten = 0;
        q->BytesNeeded = Length;
        return NDIS_STATUS_BUFFER_TOO_SHORT;
    }
    if (Length)
        NdisMoveMemory(q->InformationBuffer, Data, Length);
    q->BytesWritten = Length;
    q->BytesNeeded = 0;
    return NDIS_STATUS_SUCCESS;
}

/* SdQueryCounter - a statistics counter: 8 bytes, or its low 4 bytes into a
   4-byte buffer. IRQL <= DISPATCH_LEVEL. */
static NDIS_STATUS SdQueryCounter(PNDIS_OID_REQUEST Request, ULONG64 Value)
{
    struct _QUERY *q = &Request->DATA.QUERY_INFORMATION;
    if (q->InformationBufferLength >= sizeof(ULONG64) ||
        q->InformationBufferLength < sizeof(ULONG)) {
        NDIS_STATUS st = SdQueryCopy(Request, &Value, sizeof Value);
        return st;
    }
    ULONG low = (ULONG)Value;
    NDIS_STATUS st = SdQueryCopy(Request, &low, sizeof low);
    q->BytesNeeded = sizeof(ULONG64);
    return st;
}

/*
 * SdQuery - answer one query OID. Lock: taken here for the fields it
 * protects. IRQL <= DISPATCH_LEVEL.
 */
static NDIS_STATUS SdQuery(PSD_ADAPTER Adapter, PNDIS_OID_REQUEST Request)
{
    ULONG u = 0;
    ULONG oidCount;
    const NDIS_OID *oids;
    SD_COUNTERS s;
    ULONG filter, lookahead, mcount;
    UCHAR mlist[SD_MAX_MCAST][SD_ETH_ALEN];

    NdisAcquireSpinLock(&Adapter->Lock);
    s = Adapter->Stats;
    filter = Adapter->PacketFilter;
    lookahead = Adapter->Lookahead;
    mcount = Adapter->McastCount;
    NdisMoveMemory(mlist, Adapter->McastList, sizeof mlist);
    NdisReleaseSpinLock(&Adapter->Lock);

    switch (Request->DATA.QUERY_INFORMATION.Oid) {
    case OID_GEN_SUPPORTED_LIST:
        oids = SdSupportedOidList(&oidCount);
        return SdQueryCopy(Request, oids, oidCount * (ULONG)sizeof(NDIS_OID));
    case OID_GEN_HARDWARE_STATUS:
        u = NdisHardwareStatusReady;
        break;
    case OID_GEN_MEDIA_SUPPORTED:
    case OID_GEN_MEDIA_IN_USE:
        u = NdisMedium802_3;
        break;
    case OID_GEN_MAXIMUM_LOOKAHEAD:
    case OID_GEN_MAXIMUM_FRAME_SIZE:
        u = SD_MTU;
        break;
    case OID_GEN_CURRENT_LOOKAHEAD:
        u = lookahead;
        break;
    case OID_GEN_MAXIMUM_TOTAL_SIZE:
        u = SD_MAX_FRAME;
        break;
    case OID_GEN_LINK_SPEED:
        u = (ULONG)(SdLinkSpeedBps(Adapter) / 100u); /* units of 100 bit/s */
        break;
    case OID_GEN_MEDIA_CONNECT_STATUS:
        u = (ULONG)(SdLinkUp(Adapter) ? NdisMediaStateConnected : NdisMediaStateDisconnected);
        break;
    case OID_GEN_LINK_STATE: {
        NDIS_LINK_STATE ls;
        NdisZeroMemory(&ls, sizeof ls);
        ls.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        ls.Header.Revision = NDIS_LINK_STATE_REVISION_1;
        ls.Header.Size = NDIS_SIZEOF_LINK_STATE_REVISION_1;
        ls.MediaConnectState =
            SdLinkUp(Adapter) ? MediaConnectStateConnected : MediaConnectStateDisconnected;
        ls.MediaDuplexState = MediaDuplexStateFull;
        ls.XmitLinkSpeed = ls.RcvLinkSpeed = SdLinkSpeedBps(Adapter);
        ls.PauseFunctions = NdisPauseFunctionsUnsupported;
        return SdQueryCopy(Request, &ls, sizeof ls);
    }
    case OID_GEN_VENDOR_ID:
        /* the IEEE OUI of the station address in the low three bytes, then an id */
        u = (ULONG)Adapter->PermanentAddress[0] | ((ULONG)Adapter->PermanentAddress[1] << 8) |
            ((ULONG)Adapter->PermanentAddress[2] << 16) | (1ul << 24);
        break;
    case OID_GEN_VENDOR_DESCRIPTION:
        return SdQueryCopy(Request, SdVendorDescription, (ULONG)sizeof SdVendorDescription);
    case OID_GEN_VENDOR_DRIVER_VERSION:
        u = ((ULONG)SD_DRIVER_MAJOR << 16) | SD_DRIVER_MINOR;
        break;
    case OID_GEN_CURRENT_PACKET_FILTER:
        u = filter;
        break;
    case OID_GEN_MAXIMUM_SEND_PACKETS:
        u = SD_MAX_SEND_PACKETS;
        break;
    case OID_802_3_PERMANENT_ADDRESS:
        return SdQueryCopy(Request, Adapter->PermanentAddress, SD_ETH_ALEN);
    case OID_802_3_CURRENT_ADDRESS:
        return SdQueryCopy(Request, Adapter->CurrentAddress, SD_ETH_ALEN);
    case OID_802_3_MULTICAST_LIST:
        return SdQueryCopy(Request, mlist, mcount * SD_ETH_ALEN);
    case OID_802_3_MAXIMUM_LIST_SIZE:
        u = SD_MAX_MCAST;
        break;
    case OID_GEN_XMIT_OK:
        return SdQueryCounter(Request, s.XmitOk);
    case OID_GEN_RCV_OK:
        return SdQueryCounter(Request, s.RcvOk);
    case OID_GEN_XMIT_ERROR:
        return SdQueryCounter(Request, s.XmitError);
    case OID_GEN_RCV_ERROR:
        return SdQueryCounter(Request, s.RcvError);
    case OID_GEN_RCV_NO_BUFFER:
        return SdQueryCounter(Request, s.RcvNoBuffer);
    case OID_GEN_STATISTICS: {
        NDIS_STATISTICS_INFO si;
        NdisZeroMemory(&si, sizeof si);
        si.Header.Type = NDIS_OBJECT_TYPE_DEFAULT;
        si.Header.Revision = NDIS_STATISTICS_INFO_REVISION_1;
        si.Header.Size = NDIS_SIZEOF_STATISTICS_INFO_REVISION_1;
        si.SupportedStatistics =
            NDIS_STATISTICS_FLAGS_VALID_BYTES_RCV | NDIS_STATISTICS_FLAGS_VALID_RCV_DISCARDS |
            NDIS_STATISTICS_FLAGS_VALID_RCV_ERROR | NDIS_STATISTICS_FLAGS_VALID_BYTES_XMIT |
            NDIS_STATISTICS_FLAGS_VALID_XMIT_ERROR | NDIS_STATISTICS_FLAGS_VALID_XMIT_DISCARDS |
            NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_RCV |
            NDIS_STATISTICS_FLAGS_VALID_DIRECTED_FRAMES_XMIT;
        si.ifInDiscards = s.RcvDiscards + s.RcvNoBuffer;
        si.ifInErrors = s.RcvError;
        si.ifHCInOctets = s.RcvBytes;
        si.ifHCInUcastPkts = s.RcvOk; /* the card does not classify frames */
        si.ifHCOutOctets = s.XmitBytes;
        si.ifHCOutUcastPkts = s.XmitOk;
        si.ifOutErrors = s.XmitError;
        si.ifOutDiscards = s.XmitDiscards;
        return SdQueryCopy(Request, &si, sizeof si);
    }
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
    return SdQueryCopy(Request, &u, sizeof u);
}

/*
 * SdSetUlong - read the ULONG of a set request into @Value.
 * Returns NDIS_STATUS_SUCCESS or NDIS_STATUS_INVALID_LENGTH (BytesNeeded
 * set). IRQL <= DISPATCH_LEVEL.
 */
static NDIS_STATUS SdSetUlong(PNDIS_OID_REQUEST Request, ULONG *Value)
{
    struct _SET *s = &Request->DATA.SET_INFORMATION;
    if (s->InformationBufferLength < sizeof(ULONG) || !s->InformationBuffer) {
        s->BytesRead = 0;
        s->BytesNeeded = sizeof(ULONG);
        return NDIS_STATUS_INVALID_LENGTH;
    }
    NdisMoveMemory(Value, s->InformationBuffer, sizeof(ULONG));
    s->BytesRead = sizeof(ULONG);
    return NDIS_STATUS_SUCCESS;
}

/* SdSet - carry out one set OID. IRQL <= DISPATCH_LEVEL. */
static NDIS_STATUS SdSet(PSD_ADAPTER Adapter, PNDIS_OID_REQUEST Request)
{
    struct _SET *s = &Request->DATA.SET_INFORMATION;
    NDIS_STATUS st;
    ULONG v;

    switch (s->Oid) {
    case OID_GEN_CURRENT_PACKET_FILTER:
        st = SdSetUlong(Request, &v);
        if (st != NDIS_STATUS_SUCCESS)
            return st;
        if (v & ~(ULONG)SD_SUPPORTED_FILTERS) {
            s->BytesRead = 0;
            return NDIS_STATUS_NOT_SUPPORTED;
        }
        NdisAcquireSpinLock(&Adapter->Lock);
        Adapter->PacketFilter = v;
        NdisReleaseSpinLock(&Adapter->Lock);
        return NDIS_STATUS_SUCCESS;
    case OID_GEN_CURRENT_LOOKAHEAD:
        st = SdSetUlong(Request, &v);
        if (st != NDIS_STATUS_SUCCESS)
            return st;
        if (v > SD_MTU) {
            s->BytesRead = 0;
            return NDIS_STATUS_INVALID_DATA;
        }
        NdisAcquireSpinLock(&Adapter->Lock);
        Adapter->Lookahead = v;
        NdisReleaseSpinLock(&Adapter->Lock);
        return NDIS_STATUS_SUCCESS;
    case OID_802_3_MULTICAST_LIST: {
        ULONG len = s->InformationBufferLength;
        if (len % SD_ETH_ALEN != 0 || (len && !s->InformationBuffer)) {
            s->BytesRead = 0;
            s->BytesNeeded = (len / SD_ETH_ALEN + 1) * SD_ETH_ALEN;
            return NDIS_STATUS_INVALID_LENGTH;
        }
        if (len / SD_ETH_ALEN > SD_MAX_MCAST) {
            s->BytesRead = 0;
            s->BytesNeeded = SD_MAX_MCAST * SD_ETH_ALEN;
            return NDIS_STATUS_MULTICAST_FULL;
        }
        NdisAcquireSpinLock(&Adapter->Lock);
        if (len)
            NdisMoveMemory(Adapter->McastList, s->InformationBuffer, len);
        Adapter->McastCount = len / SD_ETH_ALEN;
        NdisReleaseSpinLock(&Adapter->Lock);
        s->BytesRead = len;
        return NDIS_STATUS_SUCCESS;
    }
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

/*
 * SdOidRequest - MiniportOidRequest.
 * @OidRequest: the request (NDIS's until this returns; never pended here).
 * Returns the request's status (see the concept note).
 * IRQL: <= DISPATCH_LEVEL.
 */
NDIS_STATUS SdOidRequest(NDIS_HANDLE MiniportAdapterContext, PNDIS_OID_REQUEST OidRequest)
{
    PSD_ADAPTER ad = MiniportAdapterContext;
    switch (OidRequest->RequestType) {
    case NdisRequestQueryInformation:
    case NdisRequestQueryStatistics:
        return SdQuery(ad, OidRequest);
    case NdisRequestSetInformation:
        return SdSet(ad, OidRequest);
    default:
        return NDIS_STATUS_NOT_SUPPORTED;
    }
}

/*
 * SdCancelOidRequest - MiniportCancelOidRequest: nothing to cancel, the
 * driver never pends a request. IRQL: <= DISPATCH_LEVEL.
 */
VOID SdCancelOidRequest(NDIS_HANDLE MiniportAdapterContext, PVOID RequestId)
{
    (void)MiniportAdapterContext;
    (void)RequestId;
}
