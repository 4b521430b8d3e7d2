/*
 * guardian.c - a switch's guardian (guardian.h).
 */
#include <sys/pidfd.h>
#include <sys/prctl.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper/act/intent.h"
#include "helper/act/lock.h"
#include "helper/act/portguard.h"
#include "helper/act/switch/guardian.h"
#include "helper/act/switch/recover.h"
#include "helper/exitcodes.h"
#include "helper/lib/clock.h"

/*
 * How long the guardian waits for the plan's locks once the transaction
 * died: an orphaned step holds them until it ends, and each step's
 * deadline (its alarm) bounds that; past this the journal stays for the
 * next request.
 */
#define GUARDIAN_LOCK_WAIT 900.0

/* Until the process PIDFD refers to has ended. */
static void
wait_for_end(int pidfd)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };

	while (poll(&pfd, 1, -1) == -1 && errno == EINTR)
		;
}

/* The plan's locks, as the next request would take them: 0, or -1. */
static int
take_locks(struct txn *t)
{
	struct timespec pause = { 0, 200 * 1000 * 1000L };
	double until = monotonic_seconds() + GUARDIAN_LOCK_WAIT;
	char why[300];

	t->locks = (struct locks)LOCKS_INIT;
	while (locks_take(&t->locks, t->targets, t->base->txid, why,
	    sizeof(why)) == -1) {
		if (monotonic_seconds() > until)
			return -1;
		nanosleep(&pause, NULL);
	}
	return 0;
}

/* Has the transaction written its journal of intent (and not removed it)? */
static bool
journaled(const struct txn *t)
{
	struct intent *v = calloc(INTENT_FILES_MAX, sizeof(*v));
	char why[300];
	bool found = false;
	int n, k;

	if (v == NULL)
		return true;        /* cannot tell: recover_pending will */
	n = intent_list(v, INTENT_FILES_MAX, why, sizeof(why));
	for (k = 0; k < n && !found; k++)
		found = strcmp(v[k].txid, t->base->txid) == 0;
	free(v);
	return found || n == -1;
}

/*
 * The killed transaction's outcome record, which it could not write:
 * recovered (or not) when it had changed something (HAD: its journal, and
 * STILL: no other request recovered it while the guardian waited for the
 * locks), failed with nothing done when it was killed before that.
 */
static void
record_outcome(struct txn *t, int st, bool had, bool still, const char *why)
{
	const char *outcome = st != EXIT_DONE ? "recovery-failed" : had ?
	    "recovered" : "failed";
	char text[900], err[300];

	if (st != EXIT_DONE)
		snprintf(text, sizeof(text), "the transaction was killed before "
		    "its outcome; its guardian could not recover the switch: "
		    "%s; the next request, or cutover recover, tries again",
		    why);
	else if (had && still)
		snprintf(text, sizeof(text), "the transaction was killed before "
		    "its outcome; its guardian recovered the switch (the "
		    "records \"recover\" above say how)");
	else if (had)
		snprintf(text, sizeof(text), "the transaction was killed before "
		    "its outcome; another request recovered the switch before "
		    "its guardian could (that request's records \"recover\" "
		    "say how)");
	else
		snprintf(text, sizeof(text), "the transaction was killed before "
		    "it changed anything (it had no journal of intent): nothing "
		    "of its switch was done; its guardian recovered any other "
		    "interrupted switch of its plan (the records \"recover\", "
		    "if any)");
	(void)txn_record(t, NULL, outcome, text, NULL, 0, err, sizeof(err));
}

static void __attribute__((noreturn))
guard(struct txn *t, int pidfd, int ended)
{
	char c, why[600] = "";
	int st = EXIT_FAILED;
	bool had, still = false;

	(void)prctl(PR_SET_NAME, "cutover-guard", 0, 0, 0);
	/* nothing of the transaction's but its records and its plan */
	close(t->msgfd);
	close(t->ctlfd);
	t->msgfd = t->ctlfd = -1;   /* txn_tell: nobody to tell */
	t->front_gone = true;
	locks_forget(&t->locks);    /* the transaction's: taken afresh below */
	port_guard_close(&t->guard);
	wait_for_end(pidfd);
	close(pidfd);
	if (read(ended, &c, 1) == 1)
		_exit(0);           /* it ended with its outcome: nothing to do */
	close(ended);
	had = journaled(t);
	if (take_locks(t) == -1)
		snprintf(why, sizeof(why), "the plan's locks stayed taken "
		    "for %.0f s", GUARDIAN_LOCK_WAIT);
	else {
		still = had && journaled(t);
		st = recover_pending(t, t->policy, false, false, why,
		    sizeof(why));
	}
	record_outcome(t, st, had, still, why);
	locks_release(&t->locks);
	_exit(st);
}

int
guardian_start(struct txn *t, struct guardian *g, char *why, size_t whylen)
{
	int p[2], pidfd;

	*g = (struct guardian)GUARDIAN_NONE;
	if ((pidfd = pidfd_open(getpid(), 0)) == -1) {
		snprintf(why, whylen, "pidfd_open: %s", strerror(errno));
		return -1;
	}
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		close(pidfd);
		return -1;
	}
	if ((g->pid = fork()) == -1) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		close(pidfd);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (g->pid == 0) {
		close(p[1]);
		guard(t, pidfd, p[0]);
	}
	close(pidfd);
	close(p[0]);
	g->ended = p[1];
	return 0;
}

void
guardian_release(struct guardian *g)
{
	if (g->ended == -1)
		return;
	(void)!write(g->ended, "e", 1);
	close(g->ended);
	g->ended = -1;
}
