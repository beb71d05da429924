/*
 * docs/verifier.md is up to date: it holds the catalogue's table exactly as
 * verify_rules_md prints it (regenerate the page with that program when a
 * rule changes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "rules_table.h"

static void doc_lists_every_rule(void **state)
{
    (void)state;
    static char table[16384], doc[65536];
    assert_true(rules_table(table, sizeof table) > 0);
    FILE *f = fopen(NDISDMA_VERIFIER_DOC, "rb");
    assert_non_null(f);
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = '\0';
    if (!strstr(doc, table))
        fail_msg("docs/verifier.md is out of date: run build/tests/verify_rules_md and paste its "
                 "table into the page");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(doc_lists_every_rule)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
