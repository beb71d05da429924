/*
 * verify_rules_md - print the verifier's rule catalogue as the Markdown
 * table of docs/verifier.md (paste it between the page's markers).
 */
#include "rules_table.h"

int main(void)
{
    char buf[16384];
    if (!rules_table(buf, sizeof buf))
        return 1;
    fputs(buf, stdout);
    return 0;
}
