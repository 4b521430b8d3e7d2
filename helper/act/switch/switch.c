/*
 * switch.c - cutover switch PLAN as one transaction (transaction.c): the
 * pre-flight, then free the port from the plan's old service, start the
 * new one, run its checks, and on a failure roll back; one record per
 * step, one outcome record, one txid.
 *
 * Everything from the pre-flight on runs in the transaction, out of the
 * caller's reach: a caller who could stop the process between the
 * pre-flight and the first step would make it act on a stale view.
 *
 * Socket handoff (service.handoff): the free-port step takes a copy of
 * each listening socket the old holders have and the new service
 * inherits them.  The port then never stops listening: a client that
 * connects while it changes hands waits in the same accept queue, which
 * the new service empties.  Where none could be taken (the port was free,
 * or the kernel refused), the transaction binds [::]:PORT itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/lib/clock.h"
#include "helper/exitcodes.h"
#include "helper/act/holders.h"
#include "helper/act/svc/svc.h"
#include "policy/strbuf.h"
#include "helper/act/switch/switch.h"
#include "helper/act/transaction.h"

/* The switch's state, as it goes. */
struct sw {
	struct txn *t;
	const struct plan *pl;
	bool changed;               /* a step did something */
	bool started;               /* the start of TO was attempted */
	bool from_ran;              /* FROM held the port before */
	char failed_at[128];        /* the step that failed, "" while none */
	char failure[STEP_TEXT_MAX];
};

/* Run S, record it, report it.  Returns true when it succeeded. */
static bool
do_step(struct sw *w, const struct txn_step *s)
{
	struct step_result res;
	struct verify_result vr;
	char why[512];
	bool ok;

	txn_run_step(w->t, s, &res, &vr);
	if (s->kind != DO_VERIFY && !res.nothing)
		w->changed = true;
	ok = res.status == EXIT_DONE;
	if (txn_record(w->t, s->words, status_outcome(res.status), res.text,
	    &res, res.seconds, why, sizeof(why)) == -1) {
		txn_tell(w->t, 'E', "cutover: cannot write the audit record of "
		    "%s (%s)", s->words, why);
		if (ok) {
			ok = false;
			snprintf(res.text, sizeof(res.text), "its audit record "
			    "could not be written");
		}
	}
	txn_tell(w->t, ok ? 'O' : 'E', "cutover: switch %s: %s: %s",
	    w->pl->name, s->words, res.text);
	if (!ok && w->failed_at[0] == '\0') {
		snprintf(w->failed_at, sizeof(w->failed_at), "%s", s->words);
		snprintf(w->failure, sizeof(w->failure), "%s", res.text);
	}
	return ok;
}

/* ---- the plan's steps ---------------------------------------------------- */

/* Free, start, verify: true when all of them succeeded. */
static bool
forward(struct sw *w)
{
	const struct plan *pl = w->pl;
	bool handoff = pl->to->handoff != HANDOFF_NONE;
	char words[3][128];
	struct txn_step s;
	size_t i;

	snprintf(words[0], sizeof(words[0]), "free-port %d", pl->port);
	s = (struct txn_step){ .kind = DO_FREE_PORT, .words = words[0],
	    .grant = pl->grant, .svc = pl->from,
	    .handoff_port = handoff ? pl->port : 0 };
	if (!do_step(w, &s))
		return false;
	if (handoff && txn_hold_port(w->t, pl->port) == -1) {
		snprintf(w->failed_at, sizeof(w->failed_at), "free-port %d",
		    pl->port);
		snprintf(w->failure, sizeof(w->failure), "cannot listen on "
		    "port %d for the handoff: %s", pl->port, strerror(errno));
		return false;
	}
	if (txn_abort_asked(w->t))
		return false;
	snprintf(words[1], sizeof(words[1]), "start %s", pl->to->name);
	s = (struct txn_step){ .kind = DO_START, .words = words[1],
	    .svc = pl->to, .handoff = handoff };
	w->started = true;
	if (!do_step(w, &s))
		return false;
	for (i = 0; i < pl->nverify; i++) {
		if (txn_abort_asked(w->t))
			return false;
		snprintf(words[2], sizeof(words[2]), "verify %s",
		    pl->verify[i]->name);
		s = (struct txn_step){ .kind = DO_VERIFY, .words = words[2],
		    .check = pl->verify[i] };
		if (!do_step(w, &s))
			return false;
	}
	return true;
}

/* "free (nothing listens)", "held by pid 12 (/usr/sbin/nginx, ...)" */
static void
port_state(int port, char *buf, size_t size)
{
	struct holders *h = malloc(sizeof(*h));
	char who[400], err[256];

	if (h == NULL || ports_holders(port, h, err, sizeof(err)) != 0)
		snprintf(buf, size, "in an unknown state (%s)", h ? err :
		    "out of memory");
	else if (h->nsockets == 0)
		snprintf(buf, size, "free (nothing listens on it)");
	else if (h->n == 0)
		snprintf(buf, size, "held by a process cutover cannot see");
	else {
		holder_describe(&h->v[0], who, sizeof(who));
		snprintf(buf, size, "held by %s%s", who, h->n > 1 ?
		    " and others" : "");
	}
	free(h);
}

/*
 * Undo: stop TO if its start was attempted, start FROM again if it held
 * the port before.  Returns true when FROM serves again (or had not run).
 */
static bool
roll_back(struct sw *w, char *state, size_t size)
{
	const struct plan *pl = w->pl;
	char stop_words[128], start_words[128], where[600];
	struct txn_step s;
	bool ok = true;

	txn_tell(w->t, 'E', "cutover: switch %s: rolling back", pl->name);
	txn_close_socks(w->t);
	if (w->started) {
		snprintf(stop_words, sizeof(stop_words), "rollback: stop %s",
		    pl->to->name);
		s = (struct txn_step){ .kind = DO_STOP, .words = stop_words,
		    .svc = pl->to };
		ok = do_step(w, &s);
	}
	if (ok && w->from_ran) {
		snprintf(start_words, sizeof(start_words), "rollback: start %s",
		    pl->from->name);
		s = (struct txn_step){ .kind = DO_START, .words = start_words,
		    .svc = pl->from };
		ok = do_step(w, &s);
	}
	port_state(pl->port, where, sizeof(where));
	if (ok && w->from_ran)
		snprintf(state, size, "rolled back, %s serving %d again "
		    "(verified listening)", pl->from->name, pl->port);
	else if (ok)
		snprintf(state, size, "rolled back: %s did not hold port %d "
		    "before and was not started; port %d is %s", pl->from->name,
		    pl->port, pl->port, where);
	else
		snprintf(state, size, "ROLLBACK FAILED (see the line above); "
		    "port %d is now %s", pl->port, where);
	return ok;
}

/* The last word: outcome record, last line, exit status. */
static int
conclude(struct sw *w, double started)
{
	const struct plan *pl = w->pl;
	char state[900], line[STEP_TEXT_MAX + 900 + 256], why[512];
	const char *outcome = "ok";
	double took;
	int status = EXIT_DONE;

	if (w->failed_at[0] == '\0' && !w->t->aborted) {
		took = monotonic_seconds() - started;
		snprintf(line, sizeof(line), "switch %s: done in %.2f s: %s "
		    "serves port %d", pl->name, took, pl->to->name, pl->port);
		if (pl->nverify > 0)
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
			    ", verified");
	} else {
		if (w->failed_at[0] == '\0') {
			snprintf(w->failed_at, sizeof(w->failed_at), "%s",
			    "the caller's request");
			snprintf(w->failure, sizeof(w->failure), "aborted by "
			    "the caller");
		}
		status = EXIT_FAILED;
		outcome = "failed";
		if (!pl->rollback)
			snprintf(state, sizeof(state), "no rollback (the plan "
			    "says rollback = false); port %d is left as it is",
			    pl->port);
		else if (!w->changed)
			snprintf(state, sizeof(state), "nothing was changed");
		else if (roll_back(w, state, sizeof(state)))
			outcome = "rolled-back";
		else
			outcome = "rollback-failed";
		took = monotonic_seconds() - started;
		snprintf(line, sizeof(line), "switch %s failed at %s: %s; %s",
		    pl->name, w->failed_at, w->failure, state);
	}
	if (txn_record(w->t, NULL, outcome, line, NULL, took, why,
	    sizeof(why)) == -1)
		txn_tell(w->t, 'E', "cutover: cannot write the outcome record "
		    "(%s)", why);
	txn_tell(w->t, status == EXIT_DONE ? 'O' : 'E', "cutover: %s", line);
	return status;
}

/* ---- pre-flight: touching nothing ------------------------------------------ */

/* The service can be started: safe binaries, user, groups, capabilities. */
static int
can_start(const struct service *svc, const char *role, char *why,
    size_t whylen)
{
	struct svc_launch sp;
	char reason[600];
	int st = svc_resolve(svc, &sp, reason, sizeof(reason));

	svc_launch_free(&sp);
	if (st != EXIT_DONE)
		snprintf(why, whylen, "%s %s could not be started: %s", role,
		    svc->name, reason);
	return st;
}

/*
 * Every holder of the port is FROM's (its exe, run by its users), or
 * nothing listens on it.  What the scan cannot read or count is not
 * "FROM's": a failure, or a refusal (exit 3) for too many.
 */
static int
holders_are_from(const struct plan *pl, char *why, size_t whylen)
{
	struct holders *h = malloc(sizeof(*h));
	struct holder_ids ids;
	char who[400], err[256], users[200];
	size_t i;
	int st;

	if (h == NULL) {
		snprintf(why, whylen, "out of memory");
		return EXIT_FAILED;
	}
	if ((st = ports_holders(pl->port, h, err, sizeof(err))) != 0)
		snprintf(why, whylen, "cannot tell who holds port %d (%s)",
		    pl->port, err);
	else if (h->nunseen > 0) {
		snprintf(why, whylen, "port %d has a listening socket that no "
		    "visible process holds", pl->port);
		st = EXIT_REFUSED;
	} else if (h->n > 0 && (st = svc_identity(pl->from, &ids, err,
	    sizeof(err))) != 0)
		snprintf(why, whylen, "%s", err);
	for (i = 0; i < h->n && st == EXIT_DONE; i++)
		if (!holder_is(&h->v[i], &ids)) {
			holder_describe(&h->v[i], who, sizeof(who));
			holder_ids_describe(&ids, users, sizeof(users));
			snprintf(why, whylen, "port %d is held by %.300s, which "
			    "is not %s (%s as %.100s)", pl->port, who, pl->from->name,
			    pl->from->exe, users);
			st = EXIT_REFUSED;
		}
	free(h);
	return st;
}

/*
 * The plan can run now: the new service can be started, the old one
 * (for a rollback) too, and the port is the old service's or free.  The
 * loader already made sure that the policy defines every step.
 */
static int
preflight(const struct plan *pl, char *why, size_t whylen)
{
	int st;

	if ((st = can_start(pl->to, "the new service", why, whylen)) != 0)
		return st;
	if (pl->rollback &&
	    (st = can_start(pl->from, "the old service (for a rollback)", why,
	    whylen)) != 0)
		return st;
	return holders_are_from(pl, why, whylen);
}

/* "free port 8080 from apache2, start nginx (socket handoff: nginx), ..." */
static void
print_steps(const struct plan *pl)
{
	static const char *const handoffs[] = { [HANDOFF_NONE] = "none",
	    [HANDOFF_SYSTEMD] = "systemd", [HANDOFF_NGINX] = "nginx" };
	size_t i;
	int n = 1;

	printf("cutover: switch %s would:\n", pl->name);
	printf("  %d. free port %d from %s\n", n++, pl->port, pl->from->name);
	printf("  %d. start %s", n++, pl->to->name);
	if (pl->to->handoff != HANDOFF_NONE)
		printf(" (socket handoff: %s)", handoffs[pl->to->handoff]);
	printf("\n");
	for (i = 0; i < pl->nverify; i++)
		printf("  %d. verify %s\n", n++, pl->verify[i]->name);
	if (pl->rollback)
		printf("  on a failure: stop %s, start %s again\n",
		    pl->to->name, pl->from->name);
	else
		printf("  on a failure: nothing (rollback = false)\n");
}

int
switch_dry_run(const struct plan *pl)
{
	char why[800] = "";
	int st;

	print_steps(pl);
	st = preflight(pl, why, sizeof(why));
	if (st == EXIT_DONE)
		printf("cutover: pre-flight: ok, it could run now\n");
	else
		printable_line(stderr, "cutover: pre-flight: %s", why);
	return st;
}

/* In the transaction: pre-flight, forward, and the conclusion. */
static int
switch_body(struct txn *t, void *ctx)
{
	struct sw *w = ctx;
	char why[800] = "pre-flight: ok", err[512];
	double started = monotonic_seconds();
	int st;

	w->t = t;
	st = preflight(w->pl, why, sizeof(why));
	if (txn_record(t, "pre-flight", status_outcome(st), why, NULL, 0, err,
	    sizeof(err)) == -1) {
		txn_tell(t, 'E', "cutover: cannot write the audit record (%s); "
		    "refusing: nothing was done", err);
		return EXIT_POLICY;
	}
	if (st != EXIT_DONE) {
		if (txn_record(t, NULL, status_outcome(st), why, NULL, 0, err,
		    sizeof(err)) == -1)
			txn_tell(t, 'E', "cutover: cannot write the outcome "
			    "record (%s)", err);
		txn_tell(t, 'E', "cutover: switch %s %s: %s; nothing was done",
		    w->pl->name, st == EXIT_REFUSED ? "refused by its "
		    "pre-flight" : "could not begin", why);
		return st;
	}
	w->from_ran = ports_listening(w->pl->port) == 1;
	(void)forward(w);
	return conclude(w, started);
}

int
switch_run(const struct plan *pl, struct txn *t)
{
	struct sw w = { .pl = pl };
	struct txn_seen seen;

	return txn_run(t, switch_body, &w, "the current step ends, then the "
	    "switch rolls back", &seen);
}
