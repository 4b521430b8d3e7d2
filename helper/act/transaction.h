/*
 * transaction.h - where every action runs: a process the caller can
 * neither signal, ptrace, prlimit nor stall (transaction.c).
 *
 * Three kinds of process:
 *
 *   the front        the process the caller started.  Before the fork it
 *                    makes every id 0 (so the transaction is never the
 *                    caller's to signal, not even for an instant); after
 *                    it, it becomes the caller for good, prints what the
 *                    transaction reports and turns SIGINT, SIGTERM and
 *                    SIGHUP into an abort request.  Killing or stopping
 *                    it leaves the transaction to run to its end.
 *   the transaction  every uid 0 (the gids stay the caller's), a
 *                    session of its own, stdio on /dev/null, reports
 *                    written without blocking, its limits and
 *                    scheduling reset.  It forks each step,
 *                    waits for it with a deadline, and writes the step's
 *                    and the outcome's audit records.
 *   a step           one action (actions.c) in a child of the transaction,
 *                    with exactly its step's privileges: as the step user
 *                    (neither root nor the caller), or as the check user for
 *                    a check; its result comes back through a pipe.
 */
#ifndef CUTOVER_TRANSACTION_H
#define CUTOVER_TRANSACTION_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/record/audit.h"
#include "helper/front/caller.h"
#include "helper/act/lock.h"
#include "helper/act/portguard.h"
#include "policy/policy.h"
#include "helper/act/actions.h"
#include "helper/act/release.h"
#include "helper/verify/verify.h"

#define TXN_LINE_MAX 4000       /* one report line: below PIPE_BUF */

struct txn {
	/* Set by the front before txn_run. */
	const struct caller *caller;
	const struct audit_event *base; /* the request record: written by
	                                   the transaction, copied into each
	                                   step and outcome record */
	struct audit_log *log;          /* the front closes its copy */
	const struct lock_targets *targets;     /* what the action touches */
	const struct policy *policy;    /* for recover_pending (switch/
	                                   recover.h), before the action */
	/* The transaction's own. */
	int msgfd;                      /* reports to the front */
	int ctlfd;                      /* abort requests from the front */
	bool aborted;
	bool front_gone;                /* ctlfd at EOF: never poll it again */
	struct locks locks;             /* TARGETS', while the body runs */
	int socks[STOP_SOCKETS_MAX];    /* listening sockets for a handoff */
	size_t nsocks;
	struct stop_keep taken;         /* the inodes of those taken from the
	                                   old holders, for the switch's life */
	/*
	 * The transaction's own copies of every socket a start handed on,
	 * for the switch's life: a rollback that starts the old service
	 * afresh shuts them down first (txn_revoke_handed), so that no
	 * process they were passed to keeps listening on the port.
	 */
	int handed[STOP_SOCKETS_MAX];
	size_t nhanded;
	struct port_guard guard;        /* a switch's ports bindable by its
	                                   services' users alone (portguard.h) */
};

enum txn_step_kind {
	DO_TAKE_PORT, DO_FREE_PORT, DO_STOP, DO_START, DO_VERIFY, DO_BOOT,
	DO_PAUSE, DO_RESUME,            /* hold the old service still (pause.h) */
	DO_LOOK                         /* txn_run_step's own, for served_by */
};

struct txn_step {
	enum txn_step_kind kind;
	const char *words;              /* "free-port 8080", "start nginx" */
	const struct port_grant *grant; /* DO_TAKE_PORT, DO_FREE_PORT */
	const struct service *svc;      /* DO_STOP, DO_START, DO_PAUSE,
	                                   DO_RESUME; DO_TAKE_PORT,
	                                   DO_FREE_PORT with a handoff: the
	                                   old service, whose sockets may be
	                                   handed on */
	const struct check *check;      /* DO_VERIFY */
	const struct service *served_by;        /* DO_VERIFY: the service
	                                   that must alone hold the check's
	                                   port (check->port) before and after
	                                   its fetch; NULL: not looked at */
	const struct service *paused;   /* DO_VERIFY: the old service, paused
	                                   by the switch: its stopped
	                                   processes answer nothing, so they
	                                   are no one in served_by's looks */
	const int *ports;               /* DO_PAUSE, DO_RESUME: the site's */
	size_t nports;
	int handoff_port;               /* DO_TAKE_PORT: this port's; and
	                                   DO_FREE_PORT: take the holders'
	                                   sockets, else bind this port, for
	                                   the next start; 0: no handoff */
	bool handoff;                   /* DO_START: hand it t->socks */
	bool resumed;                   /* run again: the last run lost
	                                   systemd (txn_run_step sets it) */
	bool keep_taken;                /* DO_STOP: t->taken listen on */
	/* DO_BOOT: make each unit of boot[] boot_state[] at the next boot */
	const struct service *boot[2];
	const char *boot_state[2];
	size_t nboot;
	bool queue;                     /* DO_BOOT during boot: this boot
	                                   too (action_boot) */
};

/* What the front saw, for the nagios UNKNOWN line (run.c). */
struct txn_seen {
	bool printed;                   /* a stdout line was shown */
	bool json;                      /* a JSON report among them */
	char last_error[TXN_LINE_MAX];  /* the last stderr line, "" if none */
};

/*
 * In the front, after the decision to allow: fork the transaction, which
 * writes the request record (T->base; failing that, nothing is done:
 * EXIT_POLICY), takes the locks of T->targets (another request at work on
 * one of them: refused, EXIT_REFUSED, recorded), runs BODY(T, CTX),
 * releases the locks after its outcome record and exits with what BODY
 * returns; become the caller
 * for good; relay the transaction's lines until it ends.  ON_ABORT is
 * printed once when the caller asks to abort.  Returns the exit status;
 * a transaction that could not be begun is recorded and said here
 * (EXIT_FAILED, nothing done).
 */
int txn_run(struct txn *t, int (*body)(struct txn *, void *), void *ctx,
    const char *on_abort, struct txn_seen *seen);

/*
 * The step user's ids, from the password database, made the ids every
 * step but STEP_CALLER runs as (privilege_set_step_user).  The
 * transaction does it before its body; a dry run whose pre-flight runs a
 * step of its own, in the front, does it first.  0, or -1 with WHY.
 */
int txn_find_step_user(char *why, size_t whylen);

/*
 * The check user's ids, from the password database, made the ids a
 * check's step runs as (privilege_set_check_user).  Before a check's
 * step, and in a switch's pre-flight when its plan has checks: a missing
 * check user refuses the check, saying what to do.  0, or EXIT_POLICY
 * with WHY.
 */
int txn_find_check_user(char *why, size_t whylen);

/* In the transaction: one line for the front's stdout ('O') or stderr. */
void txn_tell(struct txn *t, char kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * In the transaction: JSON (one line, from sb_json_string's encoder) for
 * the front's stdout as it is, in as many reports as its length needs.
 */
void txn_tell_json(struct txn *t, const char *json);

/* Has the front asked to abort?  Never blocks. */
bool txn_abort_asked(struct txn *t);

/*
 * Run S in a child and wait for its result (RES, and VR for a check)
 * until its deadline; a child still running then is killed.  A check is
 * cut short by an abort request; any other step is let finish.  A check
 * with served_by is three children: a look at who holds its port
 * (STEP_LOOK), the fetch (as the check user), and a look again; VR's served
 * and the verdict in RES then say who served.  A step
 * whose connection to systemd dropped (a daemon-reexec: res.systemd_lost)
 * is run again, resumed, once systemd answers again, up to twice: its
 * result then is what systemd really did.
 */
void txn_run_step(struct txn *t, const struct txn_step *s,
    struct step_result *res, struct verify_result *vr);

/*
 * After a free-port with a handoff port: when no socket on PORT was taken
 * from the old holders, listen on PORT ([::], dual-stack) for the new
 * service.  0, or -1 with errno.
 */
int txn_hold_port(struct txn *t, int port);

/* Does the transaction hold a listening socket on PORT for a handoff? */
bool txn_has_port(const struct txn *t, int port);

/* Close the sockets taken for a handoff. */
void txn_close_socks(struct txn *t);

/*
 * Before a rollback's start of the old service (a start that hands
 * nothing on while T keeps copies of handed sockets): shutdown() each
 * copy - a listening socket is one kernel object, so it stops listening
 * for every process holding it, the new service and any process it was
 * passed to alike - and close them, so that the old service can bind
 * afresh.  Says so on the caller's stderr.
 */
void txn_revoke_handed(struct txn *t, const char *old_name);

/*
 * The audit records the transaction writes: one per step of a plan
 * (STEP non-NULL), or the outcome (STEP NULL), with what RES says was
 * touched (may be NULL).  0, or -1 with WHY.
 */
int txn_record(struct txn *t, const char *step, const char *outcome,
    const char *reason, const struct step_result *res, double seconds,
    char *why, size_t whylen);

#endif
