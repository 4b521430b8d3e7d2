/*
 * testutil.h - building policies from strings in unit tests, and finding a
 * diagnostic by line and words.
 */
#ifndef CUTOVER_TESTUTIL_H
#define CUTOVER_TESTUTIL_H

#include <stdbool.h>

#include "policy/policy.h"

/* Build MAIN (as "main.conf") plus optional drop-ins (NULL-terminated). */
struct policy *tu_build(struct diags *, const char *main, ...);
/* Is there a diagnostic of LEVEL at FILE:LINE whose text contains WORDS? */
bool tu_has(const struct diags *, enum diag_level, const char *file,
    int line, const char *words);
/* Print every diagnostic (for a failing test's log). */
void tu_dump(const struct diags *);
/* The whole text of a file, or NULL. */
char *tu_slurp(const char *path);

#endif
