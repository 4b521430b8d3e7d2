/*
 * recover.c - finishing or undoing an interrupted switch (recover.h).
 *
 * Each recovery is recorded as a switch is: its decision before it acts
 * ("recover PLAN": decided, with what it found and will do), each step,
 * then "recover PLAN": recovered (or recovery-failed), each naming the
 * interrupted switch's txid.  Only a recovery that reached the
 * consistent state removes the journal; otherwise the next request
 * tries again, and is refused until one succeeds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/act/holders.h"
#include "helper/act/lock.h"
#include "helper/act/svc/svc.h"
#include "helper/act/switch/recover.h"
#include "helper/act/switch/switch.h"
#include "helper/exitcodes.h"
#include "helper/lib/why.h"

void
recover_decide(const struct intent *i, bool persists, bool boot,
    const struct rc_view *view, struct rc_todo *todo)
{
	bool verified = (i->marks & INTENT_VERIFIED) &&
	    !(i->marks & INTENT_UNDOING);

	memset(todo, 0, sizeof(*todo));
	/* a paused old one first, whichever way: it holds its clients */
	todo->resume_from = !boot && (i->marks & INTENT_PAUSED_OLD);
	todo->forward = verified && (boot || view->to_all);
	if (todo->forward) {
		todo->stop_from = boot || view->from_any;
		todo->persist = persists;
		return;
	}
	todo->stop_to = boot || view->to_any;
	todo->restore_boot = persists;
	todo->start_from = i->old_held_port && (boot || !view->from_all);
}

/* The plan the journal names, as the journal knew it; NULL if changed. */
static const struct plan *
plan_of(const struct policy *p, const struct intent *i)
{
	const struct plan *pl = policy_plan(p, i->plan);
	size_t k;

	if (pl == NULL || strcmp(pl->from->name, i->from) != 0 ||
	    strcmp(pl->to->name, i->to) != 0 || pl->nports != i->nports)
		return NULL;
	for (k = 0; k < i->nports; k++)
		if (pl->ports[k] != i->ports[k])
			return NULL;
	return pl;
}

/* Not stopped: its unit active, starting, stopping or failed. */
static bool
unit_busy(const struct service *svc)
{
	struct svc_state s;
	char why[200];

	if (svc->unit == NULL || svc_state(svc, &s, why, sizeof(why)) != 0)
		return false;
	return s.active[0] != '\0' && strcmp(s.active, "inactive") != 0;
}

/* One port into VIEW's counts; the old side's socket inodes into KEEP. */
static int
look_port(const struct plan *pl, int port, const struct holder_ids ids[2],
    bool has[2], struct stop_keep *keep, char *why, size_t whylen)
{
	struct holders *h = malloc(sizeof(*h));
	char who[400];
	size_t i, b;
	int st;

	has[0] = has[1] = false;
	if (h == NULL)
		return why_set(why, whylen, "out of memory"), EXIT_FAILED;
	if ((st = ports_holders(port, h, why, whylen)) != 0) {
		free(h);
		return st;
	}
	for (i = 0; i < h->n && st == 0; i++) {
		if (holder_is(&h->v[i], &ids[0]))
			has[0] = true;
		else if (holder_is(&h->v[i], &ids[1]))
			has[1] = true;
		else {
			holder_describe(&h->v[i], who, sizeof(who));
			why_set(why, whylen, "port %d is held by %s, which is "
			    "neither %s nor %s", port, who, pl->from->name,
			    pl->to->name);
			st = EXIT_REFUSED;
		}
		for (b = 0; b < h->nsockets && holder_is(&h->v[i], &ids[0]);
		    b++)
			if ((h->v[i].sockets & (1ull << b)) &&
			    keep->n < STOP_SOCKETS_MAX)
				keep->inode[keep->n++] = h->sockets[b];
	}
	free(h);
	return st;
}

/* Who holds the site now (VIEW), and the old side's sockets (KEEP). */
static int
look(const struct plan *pl, struct rc_view *view, struct stop_keep *keep,
    char *why, size_t whylen)
{
	struct holder_ids ids[2];
	bool has[2];
	size_t k;
	int st;

	memset(keep, 0, sizeof(*keep));
	keep->plan[0] = pl->from, keep->plan[1] = pl->to, keep->nplan = 2;
	if ((st = svc_identity(pl->from, &ids[0], why, whylen)) != 0 ||
	    (st = svc_identity(pl->to, &ids[1], why, whylen)) != 0)
		return st;
	*view = (struct rc_view){ .to_all = true, .from_all = true };
	for (k = 0; k < pl->nports; k++) {
		if ((st = look_port(pl, pl->ports[k], ids, has, keep, why,
		    whylen)) != 0)
			return st;
		view->from_all &= has[0], view->to_all &= has[1];
		view->from_any |= has[0], view->to_any |= has[1];
	}
	view->from_any |= unit_busy(pl->from);
	view->to_any |= unit_busy(pl->to);
	return 0;
}

/* The recovery of one journal as it goes. */
struct rc {
	struct txn *t;
	const struct plan *pl;
	const struct intent *i;
	bool boot;
	struct rc_view view;
	struct stop_keep keep;
	struct rc_todo todo;
	char did[600];
	bool failed;
};

/* Run S, record it, say it; a failure is noted and the rest goes on. */
static void
rc_step(struct rc *r, const struct txn_step *s)
{
	struct step_result res;
	struct verify_result vr;
	char why[300];
	size_t len = strlen(r->did);
	bool ok;

	txn_run_step(r->t, s, &res, &vr);
	ok = res.status == EXIT_DONE;
	/* the site first: a record that cannot be written stops nothing */
	if (txn_record(r->t, s->words, status_outcome(res.status), res.text,
	    &res, res.seconds, why, sizeof(why)) == -1)
		txn_tell(r->t, 'E', "cutover: cannot write the audit record of "
		    "%s (%s)", s->words, why);
	txn_tell(r->t, 'E', "cutover: %s: %s", s->words, res.text);
	r->failed |= !ok;
	snprintf(r->did + len, sizeof(r->did) - len, "%s%s%s", len ? ", " : "",
	    s->words + strlen("recover: "), ok ? "" : " (failed)");
}

/* What the old unit becomes at boot when the switch is finished. */
static const char *
old_at_boot(const struct rc *r)
{
	if (r->pl->persist == PERSIST_MASK ||
	    strcmp(r->i->from_boot, "masked") == 0)
		return "masked";
	return "disabled";
}

/* The steps TODO says, in order. */
static void
rc_act(struct rc *r)
{
	const struct plan *pl = r->pl;
	const struct rc_todo *d = &r->todo;
	char words[160];
	struct txn_step s;

	if (r->boot && (d->persist || d->restore_boot)) {
		s = (struct txn_step){ .kind = DO_BOOT, .words = words,
		    .nboot = 2, .queue = true };
		snprintf(words, sizeof(words), "recover: boot %s", d->forward ?
		    pl->to->name : pl->from->name);
		s.boot[0] = pl->from;
		s.boot_state[0] = d->forward ? old_at_boot(r) : r->i->from_boot;
		s.boot[1] = pl->to;
		s.boot_state[1] = d->forward ? "enabled" : r->i->to_boot;
		rc_step(r, &s);
		return;
	}
	if (r->boot)
		return;         /* process services: the boot starts neither */
	if (d->resume_from) {
		snprintf(words, sizeof(words), "recover: resume %s",
		    pl->from->name);
		rc_step(r, &(struct txn_step){ .kind = DO_RESUME, .words = words,
		    .svc = pl->from, .ports = pl->ports, .nports = pl->nports });
	}
	if (d->stop_from) {
		snprintf(words, sizeof(words), "recover: stop %s", pl->from->name);
		rc_step(r, &(struct txn_step){ .kind = DO_STOP, .words = words,
		    .svc = pl->from });
	}
	if (d->persist) {
		s = (struct txn_step){ .kind = DO_BOOT, .words = words,
		    .nboot = 2 };
		snprintf(words, sizeof(words), "recover: persist");
		s.boot[0] = pl->to, s.boot_state[0] = "enabled";
		s.boot[1] = pl->from, s.boot_state[1] = old_at_boot(r);
		rc_step(r, &s);
	}
	if (d->stop_to && !r->failed) {
		/*
		 * In a split, the old one serves on the same sockets.  After
		 * a resume that failed, the new one serves on alone.
		 */
		snprintf(words, sizeof(words), "recover: stop %s", pl->to->name);
		r->t->taken = r->keep;
		rc_step(r, &(struct txn_step){ .kind = DO_STOP, .words = words,
		    .svc = pl->to, .keep_taken = r->keep.n > 0 });
		memset(&r->t->taken, 0, sizeof(r->t->taken));
	}
	if (d->restore_boot) {
		/* the old one first: a mask must go before it can start */
		s = (struct txn_step){ .kind = DO_BOOT, .words = words,
		    .nboot = 2 };
		snprintf(words, sizeof(words), "recover: restore boot");
		s.boot[0] = pl->from, s.boot_state[0] = r->i->from_boot;
		s.boot[1] = pl->to, s.boot_state[1] = r->i->to_boot;
		rc_step(r, &s);
	}
	if (d->start_from && !r->failed) {
		snprintf(words, sizeof(words), "recover: start %s", pl->from->name);
		rc_step(r, &(struct txn_step){ .kind = DO_START, .words = words,
		    .svc = pl->from });
	}
}

/* "started-new stopped-old" or "nothing": how far the switch got. */
static void
reached_words(const struct intent *i, char *buf, size_t size)
{
	char text[INTENT_TEXT_MAX], *m;

	snprintf(buf, size, "nothing");
	if (intent_format(i, text, sizeof(text)) == 0 &&
	    (m = strstr(text, "\nmarks")) != NULL && m[6] == ' ')
		snprintf(buf, size, "%.*s", (int)strcspn(m + 7, "\n"), m + 7);
}

/* The decision's words: "the new service ... ; going back: ...". */
static void
decision_words(const struct rc *r, char *buf, size_t size)
{
	const struct plan *pl = r->pl;
	char reached[200];

	reached_words(r->i, reached, sizeof(reached));
	snprintf(buf, size, "interrupted switch %s (txid %s) had reached: %s; "
	    "%s%s; %s", pl->name, r->i->txid, reached, r->boot ?
	    "during boot, nothing runs yet" : r->view.to_all ? pl->to->name :
	    r->view.from_all ? pl->from->name : "neither service",
	    r->boot ? "" : r->view.to_all && r->view.from_any ?
	    " and the other serve the site" : " serves the site",
	    r->todo.forward ? "going forward: the site stays on the new "
	    "service, and the next boot starts it" : "going back: the site "
	    "returns to the old service, and the next boot as before");
}

/* Recover journal I of plan PL, the locks held. */
static int
recover_one(struct rc *r, char *why, size_t whylen)
{
	char found[800], line[1200], err[300];
	int st = 0;

	if (!r->boot && (st = look(r->pl, &r->view, &r->keep, why, whylen)) != 0)
		return st;
	/* its steps stop one service and may start the other: guarded */
	if (!r->boot && (st = switch_guard_ports(r->t, r->pl, why, whylen)) !=
	    EXIT_DONE)
		return st;
	recover_decide(r->i, policy_plan_persists(r->pl), r->boot, &r->view,
	    &r->todo);
	decision_words(r, found, sizeof(found));
	snprintf(line, sizeof(line), "recover %s", r->pl->name);
	/* the decision before any act: no record, nothing done */
	if (txn_record(r->t, line, "decided", found, NULL, 0, err,
	    sizeof(err)) == -1) {
		port_guard_close(&r->t->guard);
		return why_set(why, whylen, "cannot write the audit record (%s); "
		    "nothing was recovered", err), EXIT_POLICY;
	}
	txn_tell(r->t, 'E', "cutover: recovering: %s", found);
	rc_act(r);
	port_guard_close(&r->t->guard);
	snprintf(found, sizeof(found), "interrupted switch %s (txid %s) %s: "
	    "%s", r->pl->name, r->i->txid, r->failed ? "NOT recovered" :
	    r->todo.forward ? "finished" : "undone", r->did[0] ? r->did :
	    "nothing left to do");
	if (txn_record(r->t, line, r->failed ? "recovery-failed" : "recovered",
	    found, NULL, 0, err, sizeof(err)) == -1)
		txn_tell(r->t, 'E', "cutover: cannot write the audit record of "
		    "the recovery (%s)", err);
	txn_tell(r->t, 'E', "cutover: %s", found);
	if (r->failed)
		return why_set(why, whylen, "%s; see the lines above", found),
		    EXIT_FAILED;
	if (intent_clear(r->pl->name, err, sizeof(err)) == -1)
		return why_set(why, whylen, "%s", err), EXIT_FAILED;
	return EXIT_DONE;
}

/* Do PT and what T locked share a name? */
static bool
overlaps(const struct lock_targets *pt, const struct lock_targets *held)
{
	size_t a, b;

	for (a = 0; held != NULL && a < pt->n; a++)
		for (b = 0; b < held->n; b++)
			if (strcmp(pt->name[a], held->name[b]) == 0)
				return true;
	return false;
}

/* PT without what T holds already: a second flock would refuse us. */
static void
minus(struct lock_targets *pt, const struct lock_targets *held)
{
	struct lock_targets one = { .n = 0 };
	size_t a;

	for (a = 0; a < pt->n; a++) {
		struct lock_targets probe = { .n = 1 };

		memcpy(probe.name[0], pt->name[a], sizeof(probe.name[0]));
		if (!overlaps(&probe, held))
			memcpy(one.name[one.n++], pt->name[a],
			    sizeof(one.name[0]));
	}
	*pt = one;
}

/* Journal I, if it is T's to recover: its plan's other locks, then it. */
static int
recover_if_ours(struct txn *t, const struct policy *p,
    const struct intent *i, bool all, bool boot, char *why, size_t whylen)
{
	struct rc r = { .t = t, .i = i, .boot = boot };
	struct request rq = { .action = ACT_SWITCH, .target = i->plan };
	struct lock_targets pt;
	struct locks extra = LOCKS_INIT;
	int st;

	if ((r.pl = plan_of(p, i)) == NULL)
		return why_set(why, whylen, "the switch of plan %s (txid %s) was "
		    "interrupted, and the policy no longer has that plan as it "
		    "was (from %s to %s, the same ports), so cutover cannot "
		    "recover it: as root, put the site on one of the two, then "
		    "remove " CUTOVER_INTENT_DIR "/%s", i->plan, i->txid, i->from,
		    i->to, i->plan), EXIT_REFUSED;
	if (lock_targets_of(p, &rq, &pt, why, whylen) == -1)
		return EXIT_FAILED;
	if (!all && !overlaps(&pt, t->targets))
		return EXIT_DONE;
	minus(&pt, t->targets);
	if (locks_take(&extra, &pt, t->base->txid, why, whylen) == -1)
		return EXIT_REFUSED;
	st = recover_one(&r, why, whylen);
	locks_release(&extra);
	return st;
}

int
recover_pending(struct txn *t, const struct policy *p, bool all, bool boot,
    char *why, size_t whylen)
{
	struct intent *v = calloc(INTENT_FILES_MAX, sizeof(*v));
	int n, k, st = EXIT_DONE;

	if (v == NULL)
		return why_set(why, whylen, "out of memory"), EXIT_FAILED;
	if ((n = intent_list(v, INTENT_FILES_MAX, why, whylen)) == -1)
		st = EXIT_FAILED;
	for (k = 0; k < n && st == EXIT_DONE; k++)
		st = recover_if_ours(t, p, &v[k], all, boot, why, whylen);
	free(v);
	return st;
}
