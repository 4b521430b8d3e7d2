/*
 * logrec.h - an audit record read back (pure): the members `cutover log`
 * filters and shows, found in one JSON line, and the one-line text of a
 * transaction.  The reader takes any bytes: the file was written by root,
 * but it is read as input (tests/fuzz/fuzz_logread.c).
 *
 * A line is a record when it is one JSON object (strings without raw
 * control bytes, nesting at most LOGREC_DEPTH) whose members of interest
 * each appear at most once; a repeated one would let two readers see two
 * different records in one line.
 */
#ifndef CUTOVER_LOGREC_H
#define CUTOVER_LOGREC_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/strbuf.h"

#define LOGREC_DEPTH 8
/* A decoded member is cut here: the writer caps every string below it. */
#define LOGREC_STR_MAX 1024

enum logkey {
	LK_TIME, LK_TXID, LK_STAGE, LK_STEP, LK_USER, LK_ACTION, LK_TARGET,
	LK_DRY_RUN, LK_DECISION, LK_REASON, LK_OUTCOME, LK_DURATION,
	LK_RUN_ID, LK_CALLER_REASON, LK_COUNT
};

enum logkind { LV_ABSENT, LV_NULL, LV_STRING, LV_OTHER };

/* A member's value: a string's bytes between its quotes, still escaped. */
struct logval {
	enum logkind kind;
	const char *at;
	size_t len;
};

struct logrec {
	struct logval v[LK_COUNT];
};

/* LINE (without its '\n') read into REC.  0, or -1: not a record. */
int logrec_parse(const char *line, size_t len, struct logrec *rec);

/*
 * V's text, decoded (\uXXXX to UTF-8; a lone surrogate to U+FFFD), into
 * OUT, NUL-terminated, cut at OUTSZ - 1 bytes; "" when not a string.
 */
void logrec_text(const struct logval *v, char *out, size_t outsz);

/* Is V the string S (decoded)? */
bool logrec_is(const struct logval *v, const char *s);

/*
 * What a record is to a reader of transactions: the line of a whole
 * transaction (its outcome, or a request no outcome follows: one not
 * allowed, a dry run, list), a step of one, or an allowed request, whose
 * outcome follows.
 */
enum logrole { ROLE_TRANSACTION, ROLE_STEP, ROLE_REQUEST, ROLE_OTHER };
enum logrole logrec_role(const struct logrec *);

/*
 * The transaction's outcome word: its outcome record's, or for a request
 * "refused" (deny), "error", or "allowed" (a dry run, list); "" for
 * anything else.
 */
void logrec_outcome(const struct logrec *, char *out, size_t outsz);

/*
 * Filters; NULL matches anything.  SINCE and UNTIL compare with the
 * record's RFC 3339 time on their own length: --since 2026-12 keeps
 * December on, --until 2026-12-07 keeps that whole day.  TXID is a prefix;
 * RUN_ID is the whole id (--run-id, one roll-out across hosts); REASON is
 * found anywhere in the caller's reason (a ticket number in a sentence).
 */
struct logfilter {
	const char *user, *action, *target, *outcome, *txid, *since, *until;
	const char *run_id, *reason;
};

bool logfilter_match(const struct logfilter *, const struct logrec *);

/* Is S a time --since/--until take (a prefix of YYYY-MM-DDTHH:MM:SS)? */
bool logfilter_time_ok(const char *s);

/*
 * One line of text for REC, escaped for a terminal (sb_printable): a
 * transaction "TIME USER [-n] ACTION TARGET: OUTCOME[: REASON] (in D s,
 * txid T[, run R])" or, with STEP, an indented step line.  No '\n'.
 */
void logrec_render(const struct logrec *, bool step, struct strbuf *out);

#endif
