/*
 * intent.h - a switch's journal of intent (intent.c): what it is about
 * to do and the state to return to, on disk before its first change, so
 * that a switch the kernel killed or a power cut ended can be finished
 * or undone (switch/recover.c) by the next request that touches its
 * ports or services, or at boot.
 *
 * One file per plan, CUTOVER_INTENT_DIR/PLAN (root-only, made 0700
 * root:root where missing), written whole each time: a temporary file,
 * fsync, rename, fsync of the directory - so that after any crash the
 * file is the last complete version or absent, never half of one.  Only
 * the switch's outcome removes it.
 *
 * The text is "key value" lines; the parser (intent_parse) is pure and
 * strict, and fuzzed (tests/fuzz/fuzz_intent.c): the file is root's,
 * but a recovery must never act on what it only half understood.
 */
#ifndef CUTOVER_INTENT_H
#define CUTOVER_INTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "helper/record/audit.h"
#include "policy/policy.h"

#define INTENT_TEXT_MAX 2048
#define INTENT_STATE_MAX 32     /* "enabled", "disabled", ... */
#define INTENT_FILES_MAX 64     /* plans with a journal at once */

/* How far the switch got: each bit once that step had succeeded. */
enum intent_mark {
	INTENT_STARTED_NEW  = 1 << 0,   /* the new service is up */
	INTENT_STOPPED_OLD  = 1 << 1,   /* the old one's stop (or free-port) */
	INTENT_VERIFIED     = 1 << 2,   /* every check of the plan passed */
	INTENT_PERSISTING   = 1 << 3,   /* the boot state's change began */
	INTENT_UNDOING      = 1 << 4,   /* the rollback began */
	INTENT_PAUSED_OLD   = 1 << 5,   /* the old one's pause (pause.h) began:
	                                   it may be stopped still */
	INTENT_MARKS_ALL    = (1 << 6) - 1,     /* every mark above */
};

struct intent {
	char txid[AUDIT_TXID_SIZE];
	char plan[POLICY_NAME_MAX + 1];
	char from[POLICY_NAME_MAX + 1];     /* the plan's services, by name: a */
	char to[POLICY_NAME_MAX + 1];      /* changed policy is noticed */
	int ports[POLICY_PLAN_PORTS_MAX];
	size_t nports;
	bool old_held_port;             /* something listened before */
	/* what starts at boot before the switch ("" for a process) */
	char from_boot[INTENT_STATE_MAX];
	char to_boot[INTENT_STATE_MAX];
	unsigned marks;                 /* enum intent_mark */
};

/* I as text, into BUF: 0, or -1 when it does not fit. */
int intent_format(const struct intent *i, char *buf, size_t size);

/*
 * TEXT (LEN bytes, not NUL-terminated) into I: every key once, in any
 * order, none unknown, every value valid.  0, or -1 with WHY.
 */
int intent_parse(const char *text, size_t len, struct intent *i, char *why,
    size_t whylen);

/*
 * Write I durably as CUTOVER_INTENT_DIR/I->plan (replacing the last
 * version).  0, or -1 with WHY: then nothing may be changed on its word.
 */
int intent_write(const struct intent *i, char *why, size_t whylen);

/* Remove PLAN's journal, durably.  0 (also when there was none), or -1. */
int intent_clear(const char *plan, char *why, size_t whylen);

/*
 * Every journal in CUTOVER_INTENT_DIR, into V (at most MAX): how many,
 * or -1 with WHY (an unreadable directory or file, or one that does not
 * parse: named).  A missing directory has none.
 */
int intent_list(struct intent *v, size_t max, char *why, size_t whylen);

/*
 * The same in the directory DIRFD (already checked), whose journals are
 * OWNER's (root's; the unit tests' own uid in a directory of theirs).
 */
int intent_write_at(int dirfd, uid_t owner, const struct intent *i,
    char *why, size_t whylen);
int intent_clear_at(int dirfd, const char *plan, char *why, size_t whylen);
int intent_list_at(int dirfd, uid_t owner, struct intent *v, size_t max,
    char *why, size_t whylen);

#endif
