/*
 * audit.h - the audit record: one JSON line per event, written to every
 * sink the policy enables (the JSON-lines file, syslog LOG_AUTHPRIV)
 * before anything is done.  If a configured sink cannot take the record
 * the caller must not act (exit 4).
 *
 * A run writes a "request" record (allowed, refused or malformed) before
 * any action and, after an allowed action, an "outcome" record with the
 * same txid.  A request record with no outcome means nothing was done, or
 * cutover died while doing it.
 */
#ifndef CUTOVER_AUDIT_H
#define CUTOVER_AUDIT_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "helper/front/caller.h"
#include "policy/policy.h"
#include "policy/strbuf.h"

#define AUDIT_DEVLOG "/dev/log"

/*
 * Caps that keep a record to a few KiB whatever the caller passes (a
 * malformed request's argv may be 128 KiB per argument): a longer string
 * is cut, inside its JSON string, with "…(truncated, N bytes)" (N: its
 * whole length); a longer list ends with one string element
 * "…(truncated, N more)".  A request record stays below 8 KiB, the
 * default message size limit of rsyslog.
 */
#define AUDIT_STR_MAX    256    /* bytes of action, target, rule, reason */
#define AUDIT_NAME_MAX   64     /* bytes of host, user, tty, txid */
#define AUDIT_ENTRY_MAX  32     /* bytes of a group or user in a list
                                   (Debian's limit for a name) */
#define AUDIT_NAMES_MAX  32     /* entries of groups and users */
#define AUDIT_PIDS_MAX   128    /* entries of pids */

#define AUDIT_TXID_SIZE  33     /* 32 hex digits and a NUL */

/*
 * A switch writes its request record, one "step" record per step it took
 * (free-port, start, verify, and the rollback's stop and start), and its
 * outcome record, all with one txid.
 */
enum audit_stage { AUDIT_REQUEST, AUDIT_OUTCOME, AUDIT_STEP };

struct audit_event {
	enum audit_stage stage;
	const char *txid;           /* shared by the records of one run */
	const struct caller *caller;        /* NULL only if unknown */
	/* the request, as given: any bytes, escaped by the encoder */
	const char *action;         /* "free-port", "start", ... or argv[1] */
	const char *target;         /* NULL when absent */
	bool dry_run;
	/* the caller's words (--run-id, --reason), NULL when not given */
	const char *run_id;         /* one roll-out across many hosts */
	const char *caller_reason;  /* a ticket: why the caller asks */
	/* the decision */
	const char *decision;       /* "allow", "deny" or "error" */
	const char *rule;           /* "file:line", NULL when none */
	const char *reason;
	const char *step;           /* AUDIT_STEP only: "free-port 8080" */
	/* AUDIT_OUTCOME and AUDIT_STEP only */
	const char *outcome;        /* "ok", "refused", "failed", "rolled-back"... */
	const pid_t *pids;          /* processes touched */
	size_t npids;
	const char *const *users;   /* users acted as */
	size_t nusers;
	double duration;            /* seconds */
};

/* Where, when and who: filled by audit_log_write, given by the tests. */
struct audit_context {
	const char *host;
	pid_t pid;
	uid_t uid;                  /* real uid: recorded when caller is NULL */
	struct timespec now;        /* CLOCK_REALTIME */
	/*
	 * The hash of the line before this record in the audit file
	 * (helper/record/chain.h), or NULL: no "prev" member.  Filled by
	 * audit_log_write with the file's lock held.
	 */
	const char *prev;
};

/*
 * One JSON object on one line, '\n' included.  Pure.  Keys, always all
 * of them and in this order (NULL strings give null; an unknown caller
 * gives null user, groups and tty but still its uid, from the context;
 * tty is null without a terminal):
 *   time host pid txid stage user uid groups tty action target dry_run
 *   run_id caller_reason decision rule reason
 * with "step" after stage for AUDIT_STEP, and for AUDIT_OUTCOME and
 * AUDIT_STEP then: outcome pids users duration; and last, when the
 * context has one, "prev" (chain.h: readers find it at the line's end).
 */
void audit_encode(const struct audit_event *, const struct audit_context *,
    struct strbuf *out);

/*
 * NOT audit_open()/audit_close(): libpam imports those names from
 * libaudit, and a definition in cutover would take over libpam's calls.
 *
 * The sinks AC enables, opened once, while cutover still holds root: the
 * file and a connection to /dev/log.  The file and every directory above
 * it must be root-owned, writable by root only and not symlinks (checked
 * on the open descriptors); a missing file is created 0640 root:adm, a
 * missing last directory 0750 root:adm (root:root without an adm group).  Records can then be written after privilege is
 * dropped (the outcome record).  Returns NULL, with the failing sink and
 * the reason in WHY, when any enabled sink cannot be opened; then nothing
 * may be done.  Both descriptors are close-on-exec.
 */
struct audit_log;
struct audit_log *audit_log_open(const struct audit_config *ac, char *why,
    size_t whylen);

/*
 * Encode EV (host, pid and time filled in here) and write it to every
 * sink of LOG: one write() to the file, one datagram to syslog.  In the
 * file the record is chained (chain.h): under an exclusive lock of the
 * file (an open file description lock, fcntl(2)), so that two runs
 * appending at once cannot both link to the same line, its "prev" is the last line's hash; syslog gets the same
 * record with its own hash after it, "hash", so that a file cut short
 * shows against the copy syslog sent away.  Every sink is tried even
 * after one failed.  Returns 0, or -1 with each
 * failing sink and its reason in WHY ("audit file PATH: ...; syslog:
 * /dev/log: ..."); then nothing may be done.
 */
int audit_log_write(struct audit_log *, const struct audit_event *,
    char *why, size_t whylen);
void audit_log_close(struct audit_log *);    /* NULL is fine */

/* The sinks the last audit_log_write reached, even when it failed. */
#define AUDIT_SINK_FILE   1u
#define AUDIT_SINK_SYSLOG 2u
unsigned audit_log_took(const struct audit_log *);

/*
 * Once something has been done and a record could not be written
 * everywhere: make syslog (/dev/log) a sink of LOG if the policy did not,
 * so that what the file loses lands somewhere.  Whether it added one.
 */
bool audit_log_rescue(struct audit_log *);

/*
 * What one record of a run says beyond BASE, the fields all its records
 * share (who asked for what, and the decision).
 */
struct audit_entry {
	enum audit_stage stage;
	const char *step;           /* AUDIT_STEP: "free-port 8080" */
	const char *decision;       /* NULL: the base's */
	const char *reason;         /* NULL: the base's */
	const char *outcome;        /* AUDIT_OUTCOME and AUDIT_STEP */
	const pid_t *pids;          /* processes touched */
	size_t npids;
	const char *user;           /* acted as; NULL or "" when none */
	double seconds;
};

/*
 * The one recorder: BASE with ENTRY on it, written by audit_log_write.
 * The front (run.c) and the transaction both record through it.
 */
int audit_record(struct audit_log *, const struct audit_event *base,
    const struct audit_entry *, char *why, size_t whylen);
/* The event audit_record writes (pure; it points into E, keep E alive). */
struct audit_event audit_event_of(const struct audit_event *base,
    const struct audit_entry *e);

/*
 * A fresh transaction id for audit_event.txid: 32 hex digits from
 * getrandom().  Returns 0, or -1 with errno set.
 */
int audit_new_txid(char out[AUDIT_TXID_SIZE]);

/* ---- for the unit tests: the parts the above are made of ------------ */

/* With DEVLOG instead of /dev/log, and a given context. */
struct audit_log *audit_log_open_at(const struct audit_config *ac,
    const char *devlog, char *why, size_t whylen);
int audit_log_write_at(struct audit_log *, const struct audit_event *,
    const struct audit_context *, char *why, size_t whylen);
/* Open with DEVLOG, write one record with CTX, close. */
int audit_write_at(const struct audit_config *ac,
    const struct audit_event *, const struct audit_context *,
    const char *devlog, char *why, size_t whylen);

/*
 * Append REC (one whole line) to the file sink PATH with one write(),
 * creating the file (and its missing last directory) root:adm.
 */
int audit_file_append(const char *path, const char *rec, size_t len,
    char *why, size_t whylen);

/* LOG_AUTHPRIV with LOG_NOTICE for success, LOG_WARNING otherwise. */
int audit_syslog_priority(const struct audit_event *);

/*
 * Send MSG (the record without its '\n') as one RFC 3164 message to the
 * syslog socket DEVLOG: "<PRI>Mmm dd hh:mm:ss cutover[PID]: MSG".
 */
int audit_syslog_send(const char *devlog, int priority, const char *msg,
    size_t len, const struct audit_context *, char *why, size_t whylen);

#endif
