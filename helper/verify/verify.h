/*
 * verify.h - `cutover verify CHECK`: fetch the check's URL with libcurl
 * and judge the response (judge.h), with no privilege at all.
 */
#ifndef CUTOVER_VERIFY_H
#define CUTOVER_VERIFY_H

#include <sys/types.h>

#include <stddef.h>

#include "policy/policy.h"
#include "helper/verify/judge.h"

/* Who the check must run as: the check user (CUTOVER_CHECK_USER). */
struct verify_identity {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;        /* primary and supplementary */
	size_t ngroups;
};

/*
 * Run check C and fill R.  Call it only once privilege is gone for good
 * (privilege_enter(STEP_CHECK)): the fetch runs in a child process that
 * first closes every descriptor but its result pipe (the audit log's stay
 * with the parent, out of reach of the code that parses HTTP), checks
 * with the kernel that it is WHO with no capability, no way back to root
 * and no other thread, and only then starts libcurl.  It tries until the
 * check passes or C->within seconds have passed (at least once), each
 * attempt limited to C->timeout seconds; the parent waits for the result
 * no longer than within + timeout + a margin, then kills the child.
 *
 * Returns 0 when the check ran (R says whether it passed), -1 when it
 * could not be run (R's error is VERIFY_INTERNAL, with the reason).
 */
int verify_check(const struct check *c, const struct verify_identity *who,
    struct verify_result *r);

#endif
