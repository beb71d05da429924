/*
 * The verifier's host API (<ndisdma/verify.h>): policy, info reports and
 * the dump of every report a machine still holds. Thin wrappers over the
 * machine's kernel object, where the verifier's state lives (verify.c).
 */
#include <stdio.h>

#include "kernel/kernel_impl.h"
#include "machine/machine.h"
#include "verify/verify.h"

int ndisdma_verify_set_policy(ndisdma_machine *m, ndisdma_verify_policy policy)
{
    if (!m || (int)policy < NDISDMA_VERIFY_RECORD || (int)policy > NDISDMA_VERIFY_COUNT_ONLY)
        return NDISDMA_EINVAL;
    nd_kernel_verify(m->kernel)->policy = (int)policy;
    return 0;
}

ndisdma_verify_policy ndisdma_verify_get_policy(const ndisdma_machine *m)
{
    if (!m)
        return NDISDMA_VERIFY_RECORD;
    return (ndisdma_verify_policy)m->kernel->verify.policy;
}

int ndisdma_verify_set_info(ndisdma_machine *m, int enabled)
{
    if (!m)
        return NDISDMA_EINVAL;
    nd_kernel_verify(m->kernel)->info = enabled != 0;
    return 0;
}

int ndisdma_verify_set_poison(ndisdma_machine *m, int enabled)
{
    if (!m)
        return NDISDMA_EINVAL;
    nd_kernel_verify(m->kernel)->no_poison = enabled == 0;
    return 0;
}

int ndisdma_verify_dump(const ndisdma_machine *m, ndisdma_report_format fmt, FILE *out)
{
    if (!m || !out || (fmt != NDISDMA_REPORT_TEXT && fmt != NDISDMA_REPORT_JSON))
        return NDISDMA_EINVAL;
    uint64_t n = nd_kernel_violation_count(m->kernel);
    uint64_t first = n > NDISDMA_VIOLATION_LOG ? n - NDISDMA_VIOLATION_LOG : 0;
    int written = 0;
    for (uint64_t i = first; i < n; i++) {
        ndisdma_violation v;
        if (nd_kernel_violation_get(m->kernel, i, &v) != 0)
            continue; /* counted only */
        char line[1024];
        ndisdma_violation_format(&v, fmt, line, sizeof line);
        fprintf(out, "%s\n", line);
        written++;
    }
    return written;
}
