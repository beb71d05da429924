/*
 * A translation unit built the way a driver opts in to caller positions:
 * NDISDMA_VERIFY_CALLERS before <ndis.h>. The verifier tests call these
 * and check that reports carry this file and the line recorded here.
 */
#define NDISDMA_VERIFY_CALLERS
#include "callers.h"

#include <ndis.h>

NDIS_STATUS callers_complete_without_setup(NDIS_HANDLE dma, PMDL mdl, ULONG len, unsigned *line)
{
    NDIS_STATUS st = 0;
    /* clang-format off */
    *line = __LINE__; NdisMCompleteDmaTransfer(&st, dma, mdl, 0, len, FALSE);
    /* clang-format on */
    return st;
}

NDIS_STATUS callers_setup(NDIS_HANDLE dma, PMDL mdl, ULONG len)
{
    NDIS_STATUS st = 0;
    NdisSetupDmaTransfer(&st, dma, mdl, 0, len, FALSE); /* the exported spelling */
    return st;
}

ULONG callers_counter(NDIS_HANDLE dma)
{
    ULONG (*plain)(NDIS_HANDLE) = NdisMReadDmaCounter; /* the plain name still has an address */
    return NdisMReadDmaCounter(dma) + 0 * plain(dma);
}
