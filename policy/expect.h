/*
 * expect.h - policy expectations: a file of answers a reviewer expects the
 * policy to give, checked on every change of it (`cutover policy test
 * FILE --expect EXPECTATIONS`, and `cutover policy check` when the
 * policy's NAME.expect lies beside it), as `opa test` checks OPA policies.
 *
 * One expectation a line ('#' starts a comment):
 *   SUBJECT may ACTION TARGET
 *   SUBJECT may-not ACTION TARGET
 *   SUBJECT may-only ACTION TARGET[, ACTION TARGET]...
 *   SUBJECT may-nothing
 * SUBJECT is a user, decided by its name alone ("deploy"), a user with
 * groups ("deploy in ops,web") or a group's member ("group ci").  ACTION
 * is free-port, start, stop, verify or switch; TARGET must be defined by
 * the policy (a typo is an error, not an expectation that holds).
 * may-only and may-nothing compare with every action on every target the
 * policy defines, each decided as a request is (policy_decide).
 *
 * Pure: the text is given, the messages are appended to a strbuf.
 */
#ifndef CUTOVER_EXPECT_H
#define CUTOVER_EXPECT_H

#include <stddef.h>

#include "policy/policy.h"
#include "policy/strbuf.h"

/* A line's words are cut at this many; a longer line is an error. */
#define EXPECT_WORDS_MAX 64

struct expect_result {
	size_t lines;               /* expectations read */
	size_t failed;              /* of them not holding, or malformed */
};

/*
 * Check every expectation of TEXT (LEN bytes, from the file NAME) against
 * P.  Each one that does not hold, and each malformed line, appends one
 * line to OUT: "NAME:LINE: EXPECTATION: but WHY", WHY naming the rule
 * (file:line) that decides, or why none does.  Returns 0, or -1 when out
 * of memory (OUT is failed).
 */
int policy_expect(const struct policy *p, const char *name, const char *text,
    size_t len, struct strbuf *out, struct expect_result *res);

#endif
