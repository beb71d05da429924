/*
 * Calls made from a translation unit built with NDISDMA_VERIFY_CALLERS
 * (callers.c), for the verifier's caller-position tests.
 */
#ifndef NDISDMA_TESTS_VERIFY_CALLERS_H
#define NDISDMA_TESTS_VERIFY_CALLERS_H

#include <ndis.h>

/* NdisMCompleteDmaTransfer with no Setup (a report at callers.c); *@line
   receives the line of that call. */
NDIS_STATUS callers_complete_without_setup(NDIS_HANDLE dma, PMDL mdl, ULONG len, unsigned *line);
/* NdisSetupDmaTransfer of [0, len) of @mdl, device to memory. */
NDIS_STATUS callers_setup(NDIS_HANDLE dma, PMDL mdl, ULONG len);
/* NdisMReadDmaCounter, through the wrapper and through a function pointer. */
ULONG callers_counter(NDIS_HANDLE dma);

#endif /* NDISDMA_TESTS_VERIFY_CALLERS_H */
