/*
 * switch.c - cutover switch PLAN as one transaction (transaction.c): the
 * pre-flight, then hand the port from the plan's old service to the new
 * one (below), run its checks, and on a failure roll back; one record
 * per step, one outcome record, one txid.
 *
 * Everything from the pre-flight on runs in the transaction, out of the
 * caller's reach: a caller who could stop the process between the
 * pre-flight and the first step would make it act on a stale view.
 *
 * A plan moves a site: every listening socket of its ports (80 and 443,
 * IPv4 and IPv6) goes to the new service in the same start, or none
 * does; each port has a take-port (or free-port) step of its own, and its
 * own record.
 *
 * Socket handoff (service.handoff), and the overlap it allows: the
 * take-port steps copy the old holders' listening sockets, signalling
 * nothing; the new service starts on those very sockets while the old one
 * still serves on them, and only once the new one is up does the old one
 * get its stop - its drain signal first, where it has one, so that what
 * it has in flight (a download, a keep-alive client's request) ends
 * whole.  The port never stops listening and nobody stops accepting
 * before the other accepts: a client waits in one accept queue, which
 * both empty.  Where the plan has checks and rolls back, the old one is
 * paused before them instead (pause.h): it keeps its sockets and its
 * clients, the new one alone accepts, and the checks see it alone; only
 * when they pass does the old one go on and get its stop.  A failure
 * before the old one's stop leaves it where it was: it goes on, the new
 * one is stopped again, and that is the rollback - nothing is bound
 * afresh, so no connection is refused.
 * Where a port's sockets could not be taken (the kernel refused, or one
 * is not fit to hand on), none of the site's are used and the switch
 * falls back to a gap: the old service is stopped first and the
 * transaction binds [::]:PORT for each port itself; where the ports were
 * free, it binds at once.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/lib/clock.h"
#include "helper/lib/why.h"
#include "helper/exitcodes.h"
#include "helper/act/holders.h"
#include "helper/act/intent.h"
#include "helper/act/svc/svc.h"
#include "helper/act/systemd.h"
#include "policy/strbuf.h"
#include "helper/act/switch/core.h"
#include "helper/act/switch/guardian.h"
#include "helper/act/switch/recover.h"
#include "helper/act/switch/report.h"
#include "helper/act/switch/serverconf.h"
#include "helper/act/switch/switch.h"
#include "helper/act/transaction.h"

/* What the next boot would start, before the switch: each unit's state. */
struct sw_boot {
	struct svc_state from, to;
};

/*
 * The records a sink could not take: "stop apache2, rollback: stop
 * nginx", for the outcome; whether one reached no sink at all; the first
 * reason.
 */
struct sw_lost {
	char steps[600];
	size_t n;
	bool nowhere;
	char why[300];
};

/* The switch as it goes: the core's state, and what the last line says. */
struct sw {
	struct txn *t;
	const struct plan *pl;
	struct sw_boot before;      /* the pre-flight's reading */
	struct sw_core core;
	char failed_at[128];        /* the step that failed, "" while none */
	char failure[STEP_TEXT_MAX];
	bool already;               /* the pre-flight found the switch done */
	bool json;                  /* --format=json: the report on stdout,
	                               the lines for people on stderr */
	struct sw_report rep;
	struct sw_lost lost;
	struct intent intent;       /* the journal, once written */
	bool journaled;
	bool journal_said;          /* a failed update was said once */
	struct guardian guardian;   /* recovers it, were this process killed */
};

/* A line for people: stdout, or with --format=json stderr. */
static char
line_kind(const struct sw *w, bool ok)
{
	return ok && !w->json ? 'O' : 'E';
}

/* Remember the first failure, for the last line. */
static void
note_failure(struct sw *w, const char *words, const char *text)
{
	if (w->failed_at[0] != '\0')
		return;
	snprintf(w->failed_at, sizeof(w->failed_at), "%s", words);
	snprintf(w->failure, sizeof(w->failure), "%s", text);
}

/* Note WORDS' record as lost (WHY), for the outcome. */
static void
note_lost(struct sw *w, const char *words, const char *why)
{
	struct sw_lost *l = &w->lost;
	size_t len = strlen(l->steps);

	if (l->n++ == 0)
		snprintf(l->why, sizeof(l->why), "%.*s", (int)sizeof(l->why) - 1,
		    why);
	if (len + 1 < sizeof(l->steps))
		snprintf(l->steps + len, sizeof(l->steps) - len, "%s%s",
		    len > 0 ? ", " : "", words);
	l->nowhere |= audit_log_took(w->t->log) == 0;
}

/*
 * The record of step WORDS (NULL: the outcome).  0, or -1 when a sink
 * could not take it: said, and noted for the outcome.  Once the switch
 * has begun, what the file cannot take goes to syslog even where the
 * policy has none (audit_log_rescue): the record is written again there.
 */
static int
record(struct sw *w, const char *words, const char *outcome,
    const char *reason, const struct step_result *res, double seconds)
{
	char why[512];

	if (txn_record(w->t, words, outcome, reason, res, seconds, why,
	    sizeof(why)) == 0)
		return 0;
	txn_tell(w->t, 'E', "cutover: cannot write the audit record of %s "
	    "(%s)", words ? words : "the outcome", why);
	if (audit_log_rescue(w->t->log))
		(void)txn_record(w->t, words, outcome, reason, res, seconds,
		    why, sizeof(why));
	note_lost(w, words ? words : "the outcome", why);
	return -1;
}

/*
 * Run S, record it, report it.  Returns true when it succeeded; *CHANGED
 * says whether it changed the machine.  A record that cannot be written
 * fails a forward step (the rollback follows), never a rollback's step:
 * bringing the old service back comes before recording it.
 */
static bool
do_step(struct sw *w, const struct txn_step *s, bool *changed)
{
	struct step_result res;
	struct verify_result vr;
	bool ok, lost;

	txn_run_step(w->t, s, &res, &vr);
	*changed = s->kind != DO_VERIFY && !res.nothing;
	ok = res.status == EXIT_DONE;
	lost = record(w, s->words, status_outcome(res.status), res.text, &res,
	    res.seconds) == -1;
	/* forward, no record means no step; undoing, the service comes first */
	if (lost && ok && !w->core.undoing) {
		ok = false;
		res.status = EXIT_FAILED;
		snprintf(res.text, sizeof(res.text), "its audit record could not "
		    "be written");
	}
	txn_tell(w->t, line_kind(w, ok), "cutover: switch %s: %s: %s",
	    w->pl->name, s->words, res.text);
	sw_report_add(&w->rep, s->words, ok ? "ok" : status_outcome(res.status),
	    res.text, res.seconds, *changed && ok);
	if (lost)
		sw_report_unrecorded(&w->rep);
	if (!ok)
		note_failure(w, s->words, res.text);
	return ok;
}

/* Socket handoff: keep each port listening until the new service has it. */
static bool
hold_ports(struct sw *w)
{
	const struct plan *pl = w->pl;
	char words[64], text[STEP_TEXT_MAX];
	size_t i;

	for (i = 0; i < pl->nports; i++) {
		if (txn_hold_port(w->t, pl->ports[i]) == 0)
			continue;
		snprintf(words, sizeof(words), "hold-port %d", pl->ports[i]);
		snprintf(text, sizeof(text), "cannot listen on port %d for the "
		    "handoff: %s", pl->ports[i], strerror(errno));
		sw_report_add(&w->rep, words, "failed", text, 0, false);
		note_failure(w, words, text);
		return false;
	}
	return true;
}

/*
 * The overlap's first steps: a copy of the old holders' listening
 * sockets on each port, nothing signalled.  The core hears whether the
 * site was taken - as the transaction holds it (txn_has_port), not by
 * the steps' word: every port that listened before has its sockets, or
 * none is kept and the switch takes the gap for the whole site.
 */
static bool
take_ports(struct sw *w, bool *changed)
{
	const struct plan *pl = w->pl;
	char words[64];
	struct txn_step s = { .kind = DO_TAKE_PORT, .words = words,
	    .svc = pl->from };
	bool ok = true, took = true, one;
	size_t i;

	*changed = false;
	for (i = 0; i < pl->nports && ok; i++) {
		bool listened = ports_listening(pl->ports[i]) != 0;

		snprintf(words, sizeof(words), "take-port %d", pl->ports[i]);
		s.grant = pl->grants[i], s.handoff_port = pl->ports[i];
		ok = do_step(w, &s, &one);
		*changed |= one;
		took &= !listened || txn_has_port(w->t, pl->ports[i]);
	}
	took &= ok && w->t->nsocks > 0;
	if (!took && w->t->nsocks > 0) {
		txn_close_socks(w->t);
		txn_tell(w->t, 'E', "cutover: switch %s: not every port's "
		    "listening sockets could be taken over, so none is: the "
		    "site moves as one", pl->name);
	}
	sw_took(&w->core, took);
	return ok;
}

/* Free each of the site's ports (with a handoff: then hold it). */
static bool
free_ports(struct sw *w, bool *changed)
{
	const struct plan *pl = w->pl;
	char words[64];
	struct txn_step s = { .kind = DO_FREE_PORT, .words = words,
	    .svc = pl->from };
	bool ok = true, one;
	size_t i;

	*changed = false;
	for (i = 0; i < pl->nports && ok; i++) {
		snprintf(words, sizeof(words), "free-port %d", pl->ports[i]);
		s.grant = pl->grants[i];
		s.handoff_port = pl->to->handoff != HANDOFF_NONE ?
		    pl->ports[i] : 0;
		ok = do_step(w, &s, &one);
		*changed |= one;
	}
	return ok;
}

/*
 * What the old unit becomes at boot: masked if the plan says so, or if
 * it was masked already (a disable must not unmask what an administrator
 * masked), else disabled.
 */
static const char *
old_at_boot(const struct sw *w)
{
	if (w->pl->persist == PERSIST_MASK ||
	    strcmp(w->before.from.boot, "masked") == 0)
		return "masked";
	return "disabled";
}

/*
 * Who must answer C in plan PL: its own served_by, else the plan's new
 * service when C reaches one of the plan's ports (a check of another
 * port - a backend, a status page - is not the site's).
 */
static const struct service *
check_served_by(const struct plan *pl, const struct check *c)
{
	size_t i;

	if (c->served_by != NULL)
		return c->served_by;
	for (i = 0; i < pl->nports; i++)
		if (c->port == pl->ports[i])
			return pl->to;
	return NULL;
}

/* Do STEP, the core's next one. */
static bool
act(struct sw *w, enum sw_step step, bool *changed)
{
	const struct plan *pl = w->pl;
	bool handoff = pl->to->handoff != HANDOFF_NONE;
	char words[160];
	struct txn_step s = { .words = words };

	*changed = false;
	switch (step) {
	case SW_TAKE_PORT:
		return take_ports(w, changed);
	case SW_FREE_PORT:
		return free_ports(w, changed);
	case SW_HOLD_PORT:
		return hold_ports(w);
	case SW_START_NEW:
		snprintf(words, sizeof(words), "start %s", pl->to->name);
		s.kind = DO_START, s.svc = pl->to, s.handoff = handoff;
		break;
	case SW_PAUSE_OLD:
		snprintf(words, sizeof(words), "pause %s", pl->from->name);
		s.kind = DO_PAUSE, s.svc = pl->from;
		s.ports = pl->ports, s.nports = pl->nports;
		break;
	case SW_RESUME_OLD:
		snprintf(words, sizeof(words), "%sresume %s", w->core.undoing ?
		    "rollback: " : "", pl->from->name);
		s.kind = DO_RESUME, s.svc = pl->from;
		s.ports = pl->ports, s.nports = pl->nports;
		break;
	case SW_STOP_OLD:
		snprintf(words, sizeof(words), "stop %s", pl->from->name);
		s.kind = DO_STOP, s.svc = pl->from, s.keep_taken = true;
		break;
	case SW_VERIFY:
		snprintf(words, sizeof(words), "verify %s",
		    pl->verify[w->core.verify]->name);
		s.kind = DO_VERIFY, s.check = pl->verify[w->core.verify];
		s.served_by = check_served_by(pl, s.check);
		if (w->core.paused && !w->core.resumed)
			s.paused = pl->from;
		break;
	case SW_PERSIST:
		snprintf(words, sizeof(words), "persist");
		s.kind = DO_BOOT, s.nboot = 2;
		s.boot[0] = pl->to, s.boot_state[0] = "enabled";
		s.boot[1] = pl->from, s.boot_state[1] = old_at_boot(w);
		break;
	case SW_ROLLBACK:
		txn_tell(w->t, 'E', "cutover: switch %s: rolling back",
		    pl->name);
		txn_close_socks(w->t);
		return true;
	case SW_RESTORE_BOOT:
		/* the old one first: a mask must go before it can start */
		snprintf(words, sizeof(words), "rollback: restore boot");
		s.kind = DO_BOOT, s.nboot = 2;
		s.boot[0] = pl->from, s.boot_state[0] = w->before.from.boot;
		s.boot[1] = pl->to, s.boot_state[1] = w->before.to.boot;
		break;
	case SW_STOP_NEW:
		snprintf(words, sizeof(words), "rollback: stop %s",
		    pl->to->name);
		/* before the old one's stop, it holds the same socket */
		s.kind = DO_STOP, s.svc = pl->to, s.keep_taken = true;
		break;
	case SW_START_OLD:
		snprintf(words, sizeof(words), "rollback: start %s",
		    pl->from->name);
		s.kind = DO_START, s.svc = pl->from;
		break;
	default:
		return false;
	}
	return do_step(w, &s, changed);
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

/* "port 80 is free (...), port 443 is held by ...", or for one "free (...)" */
static void
site_state(const struct plan *pl, char *buf, size_t size)
{
	char one[400];
	size_t i, len = 0;

	if (pl->nports == 1) {
		port_state(pl->ports[0], buf, size);
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < pl->nports && len < size; i++) {
		port_state(pl->ports[i], one, sizeof(one));
		len += (size_t)snprintf(buf + len, size - len, "%sport %d is %s",
		    i ? ", " : "", pl->ports[i], one);
	}
}

/* What state a failed switch left the machine in, for the last line. */
static void
failed_state(const struct sw *w, enum sw_outcome o, char *buf, size_t size)
{
	const struct plan *pl = w->pl;
	char where[600], ports[64], numbers[64];
	const char *is = pl->nports == 1 ? " is" : ":";

	policy_plan_ports_words(pl, ports, sizeof(ports));
	policy_plan_port_numbers(pl, numbers, sizeof(numbers));
	if (o == SW_ROLLED_BACK_IDLE || o == SW_ROLLBACK_FAILED ||
	    o == SW_UNDO_FAILED_OLD_KEPT || o == SW_ROLLED_BACK_BOOT_FAILED)
		site_state(pl, where, sizeof(where));
	if (o == SW_LEFT_AS_IS)
		snprintf(buf, size, "no rollback (the plan says rollback = "
		    "false); %s %s left as %s", ports, pl->nports == 1 ? "is" :
		    "are", pl->nports == 1 ? "it is" : "they are");
	else if (o == SW_NOTHING_CHANGED)
		snprintf(buf, size, "nothing was changed");
	else if (o == SW_ROLLED_BACK)
		snprintf(buf, size, "rolled back, %s serving %s again "
		    "(verified listening)", pl->from->name, numbers);
	else if (o == SW_OLD_KEPT && w->core.paused)
		snprintf(buf, size, "rolled back: %s was only paused while %s "
		    "was checked, and serves %s on (nothing was bound afresh)",
		    pl->from->name, pl->to->name, ports);
	else if (o == SW_OLD_KEPT)
		snprintf(buf, size, "rolled back: %s was never stopped and "
		    "still serves %s", pl->from->name, ports);
	else if (o == SW_ROLLED_BACK_IDLE)
		snprintf(buf, size, "rolled back: %s did not hold %s before and "
		    "was not started; %s%s %s", pl->from->name, ports, ports, is,
		    where);
	else if (o == SW_UNDO_FAILED_OLD_KEPT)
		snprintf(buf, size, "the rollback did not finish (see the lines "
		    "above), but %s was never stopped and still serves %s; %s%s "
		    "now %s", pl->from->name, ports, ports, is, where);
	else if (o == SW_ROLLED_BACK_BOOT_FAILED)
		snprintf(buf, size, "rolled back, %s serving %s again, but what "
		    "starts at boot could not be restored (see the line above); "
		    "%s%s now %s", pl->from->name, numbers, ports, is, where);
	else
		snprintf(buf, size, "ROLLBACK FAILED (see the line above); "
		    "%s%s now %s", ports, is, where);
}

/*
 * For units, what the next boot starts after the switch:
 * "; at boot: nginx.service enabled, apache2.service disabled", or after
 * a rollback "; at boot as before: ..."; "" for process services.
 */
static void
boot_words(const struct sw *w, enum sw_outcome o, char *buf, size_t size)
{
	const struct plan *pl = w->pl;
	const struct service *first = pl->to, *second = pl->from;
	const char *a = "enabled", *b = old_at_boot(w);
	size_t len;

	buf[0] = '\0';
	if (!w->core.facts.persist || (o != SW_OK && o != SW_ROLLED_BACK &&
	    o != SW_ROLLED_BACK_IDLE && o != SW_OLD_KEPT))
		return;
	if (o != SW_OK) {
		first = pl->from, second = pl->to;
		a = w->before.from.boot, b = w->before.to.boot;
	}
	len = (size_t)snprintf(buf, size, "; at boot%s:", o == SW_OK ? "" :
	    w->core.persist_tried ? " as before (restored)" :
	    " as before (unchanged)");
	if (first->unit != NULL && len < size)
		len += (size_t)snprintf(buf + len, size - len, " %s %s",
		    first->unit, a);
	if (second->unit != NULL && len < size)
		snprintf(buf + len, size - len, "%s %s %s",
		    first->unit != NULL ? "," : "", second->unit, b);
}

/*
 * After a switch that ended ok, on a host with systemd: which of the
 * plan's checks the package's monitoring timers watch
 * (cutover-verify@CHECK.timer active), into the report, and for the last
 * line "; watched by cutover-verify@homepage.timer" or "; not watched:
 * systemctl enable --now cutover-verify@homepage.timer".  A question
 * systemd cannot answer leaves it unsaid: the switch is done either way.
 */
static void
watch_words(struct sw *w, char *buf, size_t size)
{
	const struct plan *pl = w->pl;
	struct sw_report *rep = &w->rep;
	struct strbuf sb = STRBUF_INIT;
	char unit[128], why[256];
	size_t i, k;
	int on;

	buf[0] = '\0';
	if (!systemd_runs() || pl->nverify == 0)
		return;
	for (i = 0; i < pl->nverify && i < SW_REPORT_CHECKS; i++) {
		snprintf(unit, sizeof(unit), "cutover-verify@%s.timer",
		    pl->verify[i]->name);
		if ((on = systemd_unit_active(unit, why, sizeof(why))) == -1)
			return;
		if (on)
			rep->watched[rep->nwatched++] = pl->verify[i]->name;
		else
			rep->unwatched[rep->nunwatched++] = pl->verify[i]->name;
	}
	rep->watch_known = true;
	for (k = 0; k < rep->nwatched; k++)
		sb_printf(&sb, "%s cutover-verify@%s.timer", k == 0 ?
		    "; watched by" : ",", rep->watched[k]);
	for (k = 0; k < rep->nunwatched; k++)
		sb_printf(&sb, "%s cutover-verify@%s.timer", k == 0 ?
		    "; not watched: systemctl enable --now" : "",
		    rep->unwatched[k]);
	snprintf(buf, size, "%s", sb_failed(&sb) ? "" : sb_str(&sb));
	sb_free(&sb);
}

/* With --format=json: the report, on stdout. */
static void
tell_report(struct sw *w)
{
	struct strbuf sb = STRBUF_INIT;

	if (!w->json)
		return;
	sw_report_json(&w->rep, &sb);
	if (sb_failed(&sb))
		txn_tell(w->t, 'E', "cutover: out of memory for the JSON report");
	else
		txn_tell_json(w->t, sb_str(&sb));
	sb_free(&sb);
}

/*
 * The outcome record, its reason LINE - after the records that could not
 * be written, first, so that the record's length cap (audit.h) never cuts
 * them off.  Then LINE, for people, says what was lost and why: "; the
 * audit records of stop apache2, rollback: stop nginx could not be
 * written everywhere (audit file ...: No space left on device); syslog
 * has them".  Whether the outcome record was written to every sink.
 */
static bool
record_outcome(struct sw *w, enum sw_outcome o, char *line, size_t size,
    double took)
{
	const struct sw_lost *l = &w->lost;
	char reason[AUDIT_STR_MAX + 800];
	size_t len;
	bool recorded;

	snprintf(reason, sizeof(reason), "%s%s%s%.*s", l->n ? "records not "
	    "written everywhere: " : "", l->steps, l->n ? "; " : "",
	    AUDIT_STR_MAX, line);
	recorded = record(w, NULL, sw_outcome_word(o), reason, NULL, took) == 0;
	len = strlen(line);
	if (l->n > 0 && len + 1 < size)
		len += (size_t)snprintf(line + len, size - len, "; the audit "
		    "record%s of %s could not be written everywhere (%s); %s",
		    l->n > 1 ? "s" : "", l->steps, l->why, l->nowhere ?
		    "one reached no sink at all" : "syslog has each");
	if (!recorded && len + 1 < size)
		snprintf(line + len, size - len, "; this outcome%s", l->nowhere ?
		    " reached no sink: no record says how the switch ended" :
		    " is recorded in syslog only");
	return recorded;
}

/* The last word: outcome record, last line, exit status. */
static int
conclude(struct sw *w, double started)
{
	const struct plan *pl = w->pl;
	enum sw_outcome o = sw_outcome(&w->core);
	char state[900], boot[256], watch[360], ports[64],
	    line[STEP_TEXT_MAX + 900 + 512 + 1000],
	    told[sizeof(line) + sizeof(watch)];
	double took = monotonic_seconds() - started;
	bool recorded;

	policy_plan_ports_words(pl, ports, sizeof(ports));
	boot_words(w, o, boot, sizeof(boot));
	if (o == SW_OK && w->already) {
		snprintf(line, sizeof(line), "switch %s: nothing to do: %s "
		    "already serves %s%s%s", pl->name, pl->to->name, ports,
		    pl->nverify > 0 ? ", verified" : "", boot);
	} else if (o == SW_OK) {
		snprintf(line, sizeof(line), "switch %s: done in %.2f s: %s "
		    "serves %s%s%s", pl->name, took, pl->to->name, ports,
		    pl->nverify > 0 ? ", verified" : "", boot);
	} else {
		note_failure(w, "the caller's request", "aborted by the caller");
		failed_state(w, o, state, sizeof(state));
		snprintf(line, sizeof(line), "switch %s failed at %s: %s; %s%s",
		    pl->name, w->failed_at, w->failure, state, boot);
	}
	recorded = record_outcome(w, o, line, sizeof(line), took);
	/*
	 * Only after the outcome is recorded: a question to systemd, which
	 * could keep the record waiting for its timeout, and whose answer
	 * is for the people reading the line, not for the audit trail.
	 */
	watch[0] = '\0';
	if (o == SW_OK)
		watch_words(w, watch, sizeof(watch));
	snprintf(told, sizeof(told), "%s%s", line, watch);
	txn_tell(w->t, line_kind(w, o == SW_OK), "cutover: %s", told);
	w->rep.outcome = sw_outcome_word(o);
	w->rep.changed = o == SW_OK && !w->already;
	w->rep.touched = w->core.changed;
	w->rep.unrecorded = !recorded;
	/* never 0 without its outcome record (cutover(8), EXIT STATUS) */
	w->rep.exit_status = o == SW_OK && recorded ? EXIT_DONE : EXIT_FAILED;
	w->rep.seconds = took;
	snprintf(w->rep.result, sizeof(w->rep.result), "%s", told);
	tell_report(w);
	return w->rep.exit_status;
}

/* The next boot would start what the plan wants already. */
static bool
boot_as_planned(const struct sw *w)
{
	const struct plan *pl = w->pl;

	return (pl->to->unit == NULL ||
	    strcmp(w->before.to.boot, "enabled") == 0) &&
	    (pl->from->unit == NULL ||
	    strcmp(w->before.from.boot, old_at_boot(w)) == 0);
}

/* Does anything listen on one of the site's ports? */
static bool
site_listening(const struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->nports; i++)
		if (ports_listening(pl->ports[i]) == 1)
			return true;
	return false;
}

/* What the plan and the machine are before the first step. */
static struct sw_facts
facts_of(const struct sw *w)
{
	const struct plan *pl = w->pl;

	return (struct sw_facts){
		.handoff = pl->to->handoff != HANDOFF_NONE,
		.rollback = pl->rollback,
		/* done already: the new one holds it, the old one did not */
		.old_held_port = !w->already && site_listening(pl),
		.nverify = pl->nverify,
		/* done already, and the boot state too: nothing to persist */
		.persist = policy_plan_persists(pl) &&
		    !(w->already && boot_as_planned(w)),
		.already = w->already,
		.pause = policy_plan_pauses(pl),
	};
}

/*
 * The journal of intent (intent.h), before the first change: the plan,
 * what held the site, what starts at boot.  -1 with WHY: then nothing
 * may be done, as with a record that cannot be written.
 */
static int
journal_begin(struct sw *w, const struct sw_facts *facts, char *why,
    size_t whylen)
{
	const struct plan *pl = w->pl;
	struct intent *i = &w->intent;
	size_t k;

	memset(i, 0, sizeof(*i));
	snprintf(i->txid, sizeof(i->txid), "%s", w->t->base->txid);
	snprintf(i->plan, sizeof(i->plan), "%s", pl->name);
	snprintf(i->from, sizeof(i->from), "%s", pl->from->name);
	snprintf(i->to, sizeof(i->to), "%s", pl->to->name);
	for (k = 0; k < pl->nports; k++)
		i->ports[i->nports++] = pl->ports[k];
	i->old_held_port = facts->old_held_port;
	snprintf(i->from_boot, sizeof(i->from_boot), "%s", w->before.from.boot);
	snprintf(i->to_boot, sizeof(i->to_boot), "%s", w->before.to.boot);
	if (intent_write(i, why, whylen) == -1)
		return -1;
	w->journaled = true;
	return 0;
}

/*
 * How far the switch got, into the journal.  A journal that cannot be
 * updated is said once and does not stop the switch: a recovery reading
 * the last version still reaches a consistent state (switch/recover.c
 * goes back unless the journal says verified).
 */
static void
journal_mark(struct sw *w, unsigned mark)
{
	char why[400];

	if (!w->journaled || (w->intent.marks & mark) == mark)
		return;
	w->intent.marks |= mark;
	if (intent_write(&w->intent, why, sizeof(why)) == 0 || w->journal_said)
		return;
	w->journal_said = true;
	txn_tell(w->t, 'E', "cutover: switch %s: cannot update the journal of "
	    "intent (%s); going on", w->pl->name, why);
}

/* The marks a step that went OK earns; the one a step to come needs. */
static void
journal_step(struct sw *w, enum sw_step step, bool ok, bool changed)
{
	if (step == SW_START_NEW && ok)
		journal_mark(w, INTENT_STARTED_NEW);
	else if ((step == SW_STOP_OLD || step == SW_FREE_PORT) && ok && changed)
		journal_mark(w, INTENT_STOPPED_OLD);
}

/* Before STEP acts: the forward steps all done, or the undoing begun. */
static void
journal_next(struct sw *w, enum sw_step step)
{
	const struct sw_core *c = &w->core;

	if ((step == SW_PERSIST || step == SW_END || step == SW_RESUME_OLD) &&
	    !c->undoing && !c->failed && !c->aborted && !w->already)
		journal_mark(w, INTENT_VERIFIED);
	if (step == SW_PAUSE_OLD)
		journal_mark(w, INTENT_PAUSED_OLD);
	else if (step == SW_PERSIST)
		journal_mark(w, INTENT_PERSISTING);
	else if (step == SW_ROLLBACK)
		journal_mark(w, INTENT_UNDOING);
}

/*
 * The outcome clears the journal - unless the site was left in no
 * consistent state (a rollback step failed): the next request's
 * recovery then tries again.
 */
static void
journal_end(struct sw *w, enum sw_outcome o)
{
	char why[400];

	if (!w->journaled || o == SW_ROLLBACK_FAILED ||
	    o == SW_UNDO_FAILED_OLD_KEPT || o == SW_ROLLED_BACK_BOOT_FAILED)
		return;
	if (intent_clear(w->pl->name, why, sizeof(why)) == -1)
		txn_tell(w->t, 'E', "cutover: switch %s: %s; the next request "
		    "will find the switch ended", w->pl->name, why);
}

/* The core decides, this does: step after step until the core says end. */
static void
drive(struct sw *w, const struct sw_facts *facts)
{
	enum sw_step step;
	bool ok, changed;

	sw_begin(&w->core, facts);
	while ((step = sw_next(&w->core, txn_abort_asked(w->t))) != SW_END) {
		journal_next(w, step);
		ok = act(w, step, &changed);
		sw_done(&w->core, ok, changed);
		journal_step(w, step, ok, changed);
	}
	journal_next(w, SW_END);
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

/* Every one of H's holders is one of IDS's service. */
static bool
all_are(const struct holders *h, const struct holder_ids *ids)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (!holder_is(&h->v[i], ids))
			return false;
	return true;
}

/* Who holds one port of the site, as holders_are_from sees it. */
enum port_side { SIDE_FREE, SIDE_FROM, SIDE_TO };

/*
 * Every holder of PORT is FROM's (its exe, run by its users: SIDE_FROM),
 * or nothing listens on it (SIDE_FREE), or every holder is TO's
 * (SIDE_TO).  What the scan cannot read or count is none of them: a
 * failure, or a refusal (exit 3) for too many or for another holder.
 */
static int
port_side(const struct plan *pl, int port, enum port_side *side, char *why,
    size_t whylen)
{
	struct holders *h = malloc(sizeof(*h));
	struct holder_ids ids, to;
	char who[400], err[256], users[200];
	size_t i;
	int st;

	*side = SIDE_FREE;
	if (h == NULL) {
		snprintf(why, whylen, "out of memory");
		return EXIT_FAILED;
	}
	if ((st = ports_holders(port, h, err, sizeof(err))) != 0)
		snprintf(why, whylen, "cannot tell who holds port %d (%s)",
		    port, err);
	else if (h->nunseen > 0) {
		snprintf(why, whylen, "port %d has a listening socket that no "
		    "visible process holds", port);
		st = EXIT_REFUSED;
	} else if (h->n > 0 && (st = svc_identity(pl->from, &ids, err,
	    sizeof(err))) != 0)
		snprintf(why, whylen, "%s", err);
	else if (h->n > 0 && all_are(h, &ids))
		*side = SIDE_FROM;
	else if (h->n > 0 && svc_identity(pl->to, &to, err, sizeof(err)) == 0 &&
	    all_are(h, &to))
		*side = SIDE_TO;
	for (i = 0; i < h->n && st == EXIT_DONE && *side == SIDE_FREE; i++)
		if (!holder_is(&h->v[i], &ids)) {
			holder_describe(&h->v[i], who, sizeof(who));
			holder_ids_describe(&ids, users, sizeof(users));
			snprintf(why, whylen, "port %d is held by %.300s, which "
			    "is not %s (%s as %.100s)", port, who, pl->from->name,
			    pl->from->exe, users);
			st = EXIT_REFUSED;
		}
	free(h);
	return st;
}

/*
 * Every port of the site is FROM's or free - or every port is TO's: the
 * switch was done already (*ALREADY; a second run then only checks).  A
 * site that is partly TO's is neither: refused, with the port that is.
 */
static int
holders_are_from(const struct plan *pl, bool *already, char *why,
    size_t whylen)
{
	enum port_side side;
	size_t i, nto = 0;
	int st, first_to = 0;

	for (i = 0; i < pl->nports; i++) {
		if ((st = port_side(pl, pl->ports[i], &side, why, whylen)) != 0)
			return st;
		if (side == SIDE_TO && nto++ == 0)
			first_to = pl->ports[i];
	}
	*already = nto == pl->nports;
	if (nto == 0 || *already)
		return EXIT_DONE;
	why_set(why, whylen, "%s already serves port %d but not every port of "
	    "the site: the site is split between %s and %s; cutover moves a "
	    "site only as a whole, so put it back on one of them first",
	    pl->to->name, first_to, pl->from->name, pl->to->name);
	return EXIT_REFUSED;
}

static bool
settable(const char *boot)
{
	return strcmp(boot, "enabled") == 0 || strcmp(boot, "disabled") == 0 ||
	    strcmp(boot, "masked") == 0 || strcmp(boot, "static") == 0;
}

/*
 * A unit of the plan: it exists, has not failed, and the new one is not
 * masked.  EXIT_REFUSED with what to do.
 */
static int
unit_usable(const struct service *svc, const struct svc_state *s,
    bool is_new, char *why, size_t whylen)
{
	const char *u = svc->unit;

	if (strcmp(s->boot, "not-found") == 0)
		why_set(why, whylen, "unit %s of service %s does not exist on "
		    "this host; install it, or fix the policy", u, svc->name);
	else if (strcmp(s->active, "failed") == 0)
		why_set(why, whylen, "unit %s has failed (systemctl status %s "
		    "says why); fix it, systemctl reset-failed %s, then switch",
		    u, u, u);
	else if (is_new && strcmp(s->boot, "masked") == 0)
		why_set(why, whylen, "unit %s is masked, so the switch could not "
		    "start it; systemctl unmask %s if it should run", u, u);
	else
		return 0;
	return EXIT_REFUSED;
}

/*
 * Unless persist = "none": the unit's boot state is one cutover can set
 * and restore, and the new one can be enabled, the old one disabled (or
 * masked).  EXIT_REFUSED with what to do.
 */
static int
unit_settable(const struct plan *pl, const struct service *svc,
    const struct svc_state *s, bool is_new, char *why, size_t whylen)
{
	const char *u = svc->unit;
	bool is_static = strcmp(s->boot, "static") == 0;

	if (pl->persist == PERSIST_NONE)
		return 0;
	if (!settable(s->boot))
		why_set(why, whylen, "unit %s is %s at boot; cutover sets and "
		    "restores only enabled, disabled, masked and static units: "
		    "make it one of those (systemctl reenable or disable %s), or "
		    "write persist = \"none\"; in plan %s", u, s->boot, u,
		    pl->name);
	else if (is_new && is_static)
		why_set(why, whylen, "unit %s is static (no [Install] section), "
		    "so it cannot be enabled to start at boot; give it one, or "
		    "write persist = \"none\"; in plan %s", u, pl->name);
	else if (!is_new && is_static && pl->persist == PERSIST_DISABLE)
		why_set(why, whylen, "unit %s is static, so it cannot be "
		    "disabled and would start at the next boot again; write "
		    "persist = \"mask\"; in plan %s", u, pl->name);
	else
		return 0;
	return EXIT_REFUSED;
}

static int
unit_fit(const struct plan *pl, const struct service *svc,
    const struct svc_state *s, bool is_new, char *why, size_t whylen)
{
	int st;

	if (svc->unit == NULL)
		return 0;
	if ((st = unit_usable(svc, s, is_new, why, whylen)) != 0)
		return st;
	return unit_settable(pl, svc, s, is_new, why, whylen);
}

/* Both units as systemd sees them now, into BEFORE; fit for the plan. */
static int
units_fit(const struct plan *pl, struct sw_boot *before, char *why,
    size_t whylen)
{
	int st;

	memset(before, 0, sizeof(*before));
	if ((st = svc_state(pl->from, &before->from, why, whylen)) != 0 ||
	    (st = svc_state(pl->to, &before->to, why, whylen)) != 0 ||
	    (st = unit_fit(pl, pl->to, &before->to, true, why, whylen)) != 0)
		return st;
	return unit_fit(pl, pl->from, &before->from, false, why, whylen);
}

/*
 * The plan can run now: its units are fit, the new service can be
 * started, the old one (for a rollback) too, each port is the old
 * service's or free, and the new server's own configuration is valid and
 * listens on what it will be handed (serverconf.c).  The loader already
 * made sure that the policy defines every step.  BEFORE gets what starts
 * at boot now.
 */
static int
preflight(const struct plan *pl, struct sw_boot *before, bool *already,
    char *why, size_t whylen)
{
	char ports[64];
	int st;

	*already = false;
	/* its checks run as the check user: none, no switch (issue 28) */
	if (pl->nverify > 0 && (st = txn_find_check_user(why, whylen)) != 0)
		return st;
	if ((st = units_fit(pl, before, why, whylen)) != 0)
		return st;
	if ((st = can_start(pl->to, "the new service", why, whylen)) != 0)
		return st;
	if (pl->rollback &&
	    (st = can_start(pl->from, "the old service (for a rollback)", why,
	    whylen)) != 0)
		return st;
	policy_plan_ports_words(pl, ports, sizeof(ports));
	if ((st = holders_are_from(pl, already, why, whylen)) != EXIT_DONE)
		return st;
	if (*already) {
		why_set(why, whylen, "pre-flight: %s already serves %s: nothing "
		    "to switch; %s", pl->to->name, ports, pl->nverify > 0 ?
		    "its checks run" : "nothing to do");
		return EXIT_DONE;
	}
	/* last: it runs the new server's own configuration test */
	return serverconf_fit(pl, why, whylen);
}

/*
 * The pre-flight, asked again when systemd dropped a connection of its
 * meanwhile (a daemon-reexec closes every one, an upgrade of systemd does
 * one): it touches nothing, so asking again is safe, and a re-exec is no
 * reason to refuse a switch.  Said so in WHY when it passed.
 */
static int
preflight_again(const struct plan *pl, struct sw_boot *before, bool *already,
    char *why, size_t whylen)
{
	int st, again = 0;

	for (;;) {
		systemd_lost_forget();
		st = preflight(pl, before, already, why, whylen);
		if (st == EXIT_DONE || !systemd_lost() ||
		    again == SYSTEMD_AGAIN_MAX || !systemd_back())
			break;
		again++;
	}
	if (again > 0 && st == EXIT_DONE && !*already)
		why_set(why, whylen, "pre-flight: ok (systemd re-executed "
		    "meanwhile; asked again)");
	return st;
}

/*
 * The steps a plan would take, into REP (outcome "planned"): "take over
 * port 8080's listening socket from apache2, which serves on", "start
 * nginx on it (socket handoff: nginx)", ... - or without a handoff "free
 * port 8080 from apache2", "start nginx", ...; and what a failure does.
 */
static void
plan_steps(const struct plan *pl, struct sw_report *rep)
{
	static const char *const handoffs[] = { [HANDOFF_NONE] = "none",
	    [HANDOFF_SYSTEMD] = "systemd", [HANDOFF_NGINX] = "nginx" };
	char words[200], also[200] = "", ports[64];
	size_t i;

	policy_plan_ports_words(pl, ports, sizeof(ports));
	if (pl->to->handoff == HANDOFF_NONE) {
		snprintf(words, sizeof(words), "free %s from %s", ports,
		    pl->from->name);
		sw_report_add(rep, words, "planned", NULL, 0, false);
		snprintf(words, sizeof(words), "start %s", pl->to->name);
		sw_report_add(rep, words, "planned", NULL, 0, false);
	} else {
		if (pl->nports == 1)
			snprintf(words, sizeof(words), "take over port %d's "
			    "listening socket from %s, which serves on",
			    pl->ports[0], pl->from->name);
		else
			snprintf(words, sizeof(words), "take over every listening "
			    "socket of %s from %s, which serves on", ports,
			    pl->from->name);
		snprintf(also, sizeof(also), "if %s cannot be taken over: stop "
		    "%s first, then listen on %s for %s", pl->nports == 1 ?
		    "the socket" : "one of them", pl->from->name, ports,
		    pl->to->name);
		sw_report_add(rep, words, "planned", also, 0, false);
		snprintf(words, sizeof(words), "start %s on it (socket handoff: "
		    "%s)", pl->to->name, handoffs[pl->to->handoff]);
		sw_report_add(rep, words, "planned", NULL, 0, false);
		if (policy_plan_pauses(pl)) {
			snprintf(words, sizeof(words), "pause %s (it keeps its "
			    "sockets and clients, and accepts nothing) while %s "
			    "is checked alone", pl->from->name, pl->to->name);
			sw_report_add(rep, words, "planned", NULL, 0, false);
		} else {
			snprintf(words, sizeof(words), "stop %s%s, once %s is "
			    "up", pl->from->name, pl->from->drain_signal ?
			    " gracefully (its drain signal)" : "", pl->to->name);
			sw_report_add(rep, words, "planned", NULL, 0, false);
		}
	}
	for (i = 0; i < pl->nverify; i++) {
		snprintf(words, sizeof(words), "verify %s", pl->verify[i]->name);
		sw_report_add(rep, words, "planned", NULL, 0, false);
	}
	if (policy_plan_pauses(pl)) {
		snprintf(words, sizeof(words), "let %s go on, and stop it%s",
		    pl->from->name, pl->from->drain_signal ? " gracefully (its "
		    "drain signal)" : "");
		sw_report_add(rep, words, "planned", NULL, 0, false);
	}
	if (policy_plan_persists(pl)) {
		snprintf(words, sizeof(words), "at boot:%s%s%s%s%s",
		    pl->to->unit ? " enable " : "", pl->to->unit ? pl->to->unit :
		    "", pl->to->unit && pl->from->unit ? "," : "",
		    pl->from->unit ? (pl->persist == PERSIST_MASK ?
		    " disable and mask " : " disable ") : "",
		    pl->from->unit ? pl->from->unit : "");
		sw_report_add(rep, words, "planned", NULL, 0, false);
	}
	if (policy_plan_pauses(pl))
		snprintf(also, sizeof(also), "let %s go on, ", pl->from->name);
	else
		also[0] = '\0';
	if (pl->rollback)
		snprintf(rep->on_failure, sizeof(rep->on_failure), "%sstop %s, "
		    "start %s again%s%s", also, pl->to->name, pl->from->name,
		    pl->to->handoff != HANDOFF_NONE ? " if it was stopped" : "",
		    policy_plan_persists(pl) ? ", and what starts at boot as "
		    "before" : "");
	else
		snprintf(rep->on_failure, sizeof(rep->on_failure), "nothing "
		    "(rollback = false)");
}

/* The planned steps, for people. */
static void
print_steps(const struct sw_report *rep)
{
	size_t i;

	printf("cutover: switch %s would:\n", rep->plan);
	for (i = 0; i < rep->nsteps; i++) {
		printf("  %zu. %s\n", i + 1, rep->step[i].words);
		if (rep->step[i].reason[0] != '\0')
			printf("     (%s)\n", rep->step[i].reason);
	}
	printf("  on a failure: %s\n", rep->on_failure);
}

int
switch_dry_run(const struct plan *pl, enum output_format format)
{
	struct sw_report *rep = calloc(1, sizeof(*rep));
	struct strbuf sb = STRBUF_INIT;
	struct sw_boot before;
	char why[800] = "pre-flight: ok, it could run now";
	bool already;
	int st;

	if (rep == NULL)
		return EXIT_FAILED;
	rep->plan = pl->name;
	rep->ports = pl->ports;
	rep->nports = pl->nports;
	rep->dry_run = true;
	plan_steps(pl, rep);
	if (format != FORMAT_JSON)
		print_steps(rep);
	/* the pre-flight's look at nginx's configuration reads as the step user */
	if (txn_find_step_user(why, sizeof(why)) != 0)
		st = EXIT_POLICY;
	else
		st = preflight_again(pl, &before, &already, why, sizeof(why));
	sw_report_add(rep, "pre-flight", status_outcome(st), why, 0, false);
	if (format == FORMAT_JSON) {
		rep->outcome = status_outcome(st);
		rep->exit_status = st;
		rep->would_change = st == EXIT_DONE && !already;
		snprintf(rep->result, sizeof(rep->result), "%s%s", st ==
		    EXIT_DONE ? "" : "pre-flight: ", why);
		sw_report_json(rep, &sb);
		if (!sb_failed(&sb))
			printf("%s\n", sb_str(&sb));
		sb_free(&sb);
	} else if (st == EXIT_DONE)
		printf("cutover: %s\n", why);
	else
		printable_line(stderr, "cutover: pre-flight: %s", why);
	free(rep);
	return st;
}

/* The uid SVC's user names (the one that binds: a master, not its workers). */
static int
service_uid(const struct service *svc, uid_t *uid, char *why, size_t whylen)
{
	struct passwd *pw;

	if (svc->user == NULL) {
		*uid = (uid_t)svc->uid;
		return EXIT_DONE;
	}
	errno = 0;
	if ((pw = getpwnam(svc->user)) == NULL)
		return why_set(why, whylen, "user %s of service %s does not "
		    "exist; create it or fix the policy; nothing was done",
		    svc->user, svc->name), EXIT_REFUSED;
	*uid = pw->pw_uid;
	return EXIT_DONE;
}

/*
 * Bindable by root and by the users of the plan's two services alone -
 * each one's user, the one its master runs as, not its holder_users
 * (www-data, which a CGI script may run as, never binds for apache2) -
 * (portguard.h): when a rollback starts an old service that binds its
 * own socket, or the switch takes the gap, no other process can take the
 * port meanwhile.  Where the kernel will not attach the guard, a port any
 * process may bind (at or above net.ipv4.ip_unprivileged_port_start) is
 * refused (EXIT_REFUSED): left to chance, the port could end in a
 * caller's hands.
 */
int
switch_guard_ports(struct txn *t, const struct plan *pl, char *why,
    size_t whylen)
{
	uid_t uids[3] = { 0 };
	size_t i;
	char err[400];
	int st;

	if ((st = service_uid(pl->from, &uids[1], why, whylen)) != EXIT_DONE ||
	    (st = service_uid(pl->to, &uids[2], why, whylen)) != EXIT_DONE)
		return st;
	if (port_guard_raise(&t->guard, pl->ports, pl->nports, uids, 3, err,
	    sizeof(err)) == 0)
		return EXIT_DONE;
	for (i = 0; i < pl->nports; i++)
		if (port_unprivileged(pl->ports[i]) != 0)
			return why_set(why, whylen, "port %d cannot be reserved "
			    "for %s and %s while it changes hands (%s), and any "
			    "user may bind it: refusing", pl->ports[i],
			    pl->from->name, pl->to->name, err), EXIT_REFUSED;
	return EXIT_DONE;           /* only those who may bind below 1024 */
}

/* In the transaction: pre-flight, forward, and the conclusion. */
static int
switch_act(struct txn *t, void *ctx)
{
	struct sw *w = ctx;
	char why[800] = "pre-flight: ok", err[512];
	double started = monotonic_seconds();
	struct sw_facts facts;
	int st;

	w->t = t;
	w->rep.txid = t->base->txid;
	/* before anything is done: were this process killed, it recovers */
	if (guardian_start(t, &w->guardian, err, sizeof(err)) == -1) {
		why_set(why, sizeof(why), "cannot start the switch's guardian "
		    "(%s)", err);
		st = EXIT_FAILED;
	} else if ((st = recover_pending(t, t->policy, false, false, err,
	    sizeof(err))) != EXIT_DONE)
		/* an interrupted switch of these ports or services first */
		why_set(why, sizeof(why), "an interrupted switch could not be "
		    "recovered: %s", err);
	else
		st = preflight_again(w->pl, &w->before, &w->already, why,
		    sizeof(why));
	if (st == EXIT_DONE && !w->already)
		st = switch_guard_ports(t, w->pl, why, sizeof(why));
	if (st == EXIT_DONE)
		facts = facts_of(w);
	if (st == EXIT_DONE && !w->already &&
	    journal_begin(w, &facts, err, sizeof(err)) == -1) {
		why_set(why, sizeof(why), "cannot write the journal of intent "
		    "(%s)", err);
		st = EXIT_FAILED;
	}
	sw_report_add(&w->rep, "pre-flight", status_outcome(st), why, 0, false);
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
		w->rep.outcome = status_outcome(st);
		w->rep.exit_status = st;
		snprintf(w->rep.result, sizeof(w->rep.result), "switch %s %s: "
		    "%s; nothing was done", w->pl->name, st == EXIT_REFUSED ?
		    "refused by its pre-flight" : "could not begin", why);
		tell_report(w);
		return st;
	}
	drive(w, &facts);
	st = conclude(w, started);
	journal_end(w, sw_outcome(&w->core));   /* after the outcome record */
	port_guard_close(&t->guard);
	return st;
}

/* switch_act, its guardian released on every way out (guardian.h) */
static int
switch_body(struct txn *t, void *ctx)
{
	struct sw *w = ctx;
	int st = switch_act(t, ctx);

	guardian_release(&w->guardian);
	return st;
}

int
switch_run(const struct plan *pl, enum output_format format, struct txn *t,
    struct txn_seen *seen)
{
	struct sw *w = calloc(1, sizeof(*w));
	int st;

	if (w == NULL)
		return EXIT_FAILED;
	*w = (struct sw){ .pl = pl, .json = format == FORMAT_JSON,
	    .guardian = GUARDIAN_NONE,
	    .rep = { .plan = pl->name, .ports = pl->ports,
	    .nports = pl->nports } };
	st = txn_run(t, switch_body, w, "the current step ends, then the "
	    "switch rolls back", seen);
	free(w);
	return st;
}
