/*
 * expect_cmd.h - a policy's expectations file read and checked, for
 * `cutover policy test FILE --expect EXPECTATIONS` and `cutover policy
 * check` (policy/expect.h has the syntax).  Run after the policy commands
 * have given up privilege: the file is read with the caller's rights.
 */
#ifndef CUTOVER_EXPECT_CMD_H
#define CUTOVER_EXPECT_CMD_H

#include <stdbool.h>

#include "policy/policy.h"

/* Bigger than any expectations file a reviewer writes. */
#define EXPECT_FILE_MAX (1024 * 1024)

/*
 * The expectations beside POLICY_PATH: its name with ".conf" replaced by
 * ".expect" (policy.conf: policy.expect; deploy.conf: deploy.expect), or
 * ".expect" added.  NULL when out of memory.  The caller frees it.
 */
char *expect_path_beside(const char *policy_path);

/*
 * Check the expectations in PATH against P, printing each failure on
 * stdout and a summary line.  MISSING_OK: a PATH that does not exist is
 * no expectation (0, nothing printed).  Returns 0 when all hold, 1 when
 * any fails or the file is malformed, 2 when it cannot be read.
 */
int expect_file_check(const struct policy *p, const char *path,
    bool missing_ok);

#endif
