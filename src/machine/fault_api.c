/*
 * Host API of fault injection (<ndisdma/faults.h>).
 *
 * Concept: thin checks over the machine's nd_faults (src/fault), which lives
 * in the hardware object so every layer reaches it without global state.
 */
#include <ndisdma/faults.h>

#include "machine/machine.h"

int ndisdma_fault_set(ndisdma_machine *m, ndisdma_fault kind, const ndisdma_fault_spec *spec)
{
    if (!m)
        return NDISDMA_EINVAL;
    return nd_faults_arm(&m->hw.faults, kind, spec);
}

int ndisdma_fault_clear(ndisdma_machine *m, ndisdma_fault kind)
{
    if (!m || (unsigned)kind >= NDISDMA_FAULT_COUNT)
        return NDISDMA_EINVAL;
    nd_faults_disarm(&m->hw.faults, kind);
    return 0;
}

int ndisdma_fault_stats(const ndisdma_machine *m, ndisdma_fault_counters *out)
{
    if (!m || !out)
        return NDISDMA_EINVAL;
    *out = m->hw.faults.stats;
    return 0;
}
