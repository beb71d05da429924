/*
 * The rule catalogue as a Markdown table, for docs/verifier.md: printed by
 * verify_rules_md (to regenerate the page) and compared with the page by
 * verify_docs (so the page cannot fall behind the catalogue).
 */
#ifndef NDISDMA_TESTS_VERIFY_RULES_TABLE_H
#define NDISDMA_TESTS_VERIFY_RULES_TABLE_H

#include <stdio.h>
#include <string.h>

#include <ndisdma/verify.h>

/* Write the table into @buf (@size bytes). Returns the length written, or
   0 when @buf is too small. */
static inline size_t rules_table(char *buf, size_t size)
{
    size_t pos = 0;
    int n = snprintf(buf, size,
                     "| id | rule | severity | what it means | Windows analogue |\n"
                     "|---:|------|----------|---------------|------------------|\n");
    if (n < 0 || (size_t)n >= size)
        return 0;
    pos = (size_t)n;
    for (int r = 0; r < NDISDMA_RULE_COUNT; r++) {
        const ndisdma_rule_info *ri = ndisdma_rule_get(r);
        n = snprintf(buf + pos, size - pos, "| %d | `%s` | %s | %s | %s |\n", r, ri->name,
                     ndisdma_severity_str(ri->severity), ri->message, ri->windows);
        if (n < 0 || (size_t)n >= size - pos)
            return 0;
        pos += (size_t)n;
    }
    return pos;
}

#endif /* NDISDMA_TESTS_VERIFY_RULES_TABLE_H */
