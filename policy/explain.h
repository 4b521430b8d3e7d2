/*
 * explain.h - what a policy lets whom do, in words a security reviewer can
 * sign off: "cutover policy explain", "cutover policy test" and
 * "cutover policy diff".
 *
 * Pure functions of the policy: the only output is text appended to a
 * struct strbuf.  On allocation failure they return -1 and mark the
 * strbuf failed, so a caller that checks sb_failed() alone is also safe.
 */
#ifndef CUTOVER_EXPLAIN_H
#define CUTOVER_EXPLAIN_H

#include <stddef.h>

#include "policy/policy.h"
#include "policy/strbuf.h"

enum subject_kind { SUBJECT_USER, SUBJECT_GROUP };

/*
 * One thing one subject may do.  A subject is a name from a rule's users
 * (SUBJECT_USER) or groups (SUBJECT_GROUP); a person may be several
 * subjects at once, and explain lists each subject on its own.
 */
struct permission {
	enum subject_kind kind;
	const char *subject;            /* borrowed from the policy */
	enum action action;
	const struct grant_item *item;  /* borrowed: the first grant */
	char *target;                   /* "8080", "nginx", "homepage" */
	char *effect;                   /* in words, without the auth */
	enum auth_method auth;
	bool reason_required;           /* the rule's reason = "required" */
	struct origin at;               /* the first grant item */
	/*
	 * The same (subject, action, target) granted again by later items:
	 * shown once, with these places, so the reviewer can find and remove
	 * every copy.  policy_decide() grants on the first rule that matches
	 * in file order, so the first grant's auth is the one that applies.
	 * (A person who is several subjects, a user in a group, gets the
	 * auth of whichever of their rules comes first.)
	 */
	struct origin *also;
	size_t nalso;
};

struct permissions {
	struct permission *v;
	size_t n;
};

/*
 * Flatten P into one permission per (subject, action, target), sorted by
 * kind (users first), subject name, action, then target (ports by
 * number).  A subject named in several rules gets the union.  Returns 0,
 * or -1 when out of memory (OUT is then empty).
 */
int policy_permissions(const struct policy *p, struct permissions *out);
void permissions_free(struct permissions *);

/* The words for what ITEM lets its holder do, under ACTION. */
void policy_effect(struct strbuf *, enum action, const struct grant_item *);

enum explain_format { EXPLAIN_TEXT, EXPLAIN_JSON };

/*
 * Every subject, and every permission with its effect and file:line,
 * plus the audit settings and the files read.  0, or -1 out of memory.
 */
int policy_explain(const struct policy *, enum explain_format,
    struct strbuf *out);

/*
 * The answer to "cutover policy test": whether SUBJ may do REQ, as
 * DECISION (from policy_decide) says, and why, on one line.
 */
int policy_test_render(const struct policy *, const struct subject *subj,
    const struct request *req, const struct decision *decision,
    struct strbuf *out);

/*
 * What changed between OLD and NEW, one line per difference, sorted:
 * "+" a permission gained, "-" one lost, "~" one whose effect or auth
 * changed, and "~ audit" for changed audit settings.  Returns the number
 * of differences, or -1 when out of memory.
 */
int policy_diff(const struct policy *old, const struct policy *new,
    struct strbuf *out);

/*
 * What subject S may do, one line per action and target with its effect
 * and the file:line of the grant that applies (as policy_decide() finds
 * it): "cutover list"; with EXPLAIN_JSON one line of JSON,
 * {"user":...,"permissions":[{"action","target","effect","auth",
 * "granted_at"[,"plan"]}, ...]}.  0, or -1 out of memory.
 */
int policy_list_render(const struct policy *, const struct subject *s,
    enum explain_format format, struct strbuf *out);

#endif
