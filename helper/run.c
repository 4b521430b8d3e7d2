/*
 * run.c - one request, one way through: policy -> caller -> decision
 * (policy, then PAM) -> audit record -> privilege for the step -> action
 * -> outcome record -> exit status.  Each stage takes the previous one's
 * result as a value; nothing here reaches back.
 *
 * Root is held until the record of the decision is written; nothing is
 * done before that record exists, and if it can't be written nothing is
 * done at all (exit 4).
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "helper/record/audit.h"
#include "pam/pam.h"
#include "helper/front/caller.h"
#include "helper/exitcodes.h"
#include "policy/explain.h"
#include "helper/front/hygiene.h"
#include "helper/act/lock.h"
#include "policy/policy.h"
#include "helper/priv/privilege.h"
#include "helper/front/request.h"
#include "helper/run.h"
#include "helper/act/actions.h"
#include "helper/act/switch/recover.h"
#include "helper/act/switch/report.h"
#include "helper/act/switch/switch.h"
#include "policy/strbuf.h"
#include "helper/act/transaction.h"
#include "helper/record/textfile.h"
#include "helper/verify/judge.h"
#include "helper/verify/verify.h"

struct run {
	const struct cli_request *req;
	const char *malformed;          /* the usage error, or NULL */
	struct policy *policy;
	struct caller caller;
	bool have_caller;               /* identified: name and groups */
	bool have_uid;                  /* only the uid is known */
	struct decision dec;
	struct audit_log *log;
	char txid[AUDIT_TXID_SIZE];
	char words[128];                /* "start nginx", "free port 8080" */
	/* set while acting: what this run said, for its last line */
	struct txn *speaking;           /* in a transaction: speak through it */
	char said[AUDIT_STR_MAX];       /* the last message said */
	bool printed;                   /* verify printed its result line */
	bool reported;                  /* a switch's JSON report printed */
	bool logged;                    /* the audit log was opened: the
	                                   txid may name records */
};

#define RULE_MAX 4200   /* "file:line": a path and a number */

/*
 * While an action runs in its transaction, what it says goes to the
 * front through it (the transaction's own stderr is /dev/null).
 */

/* One line for stdout: here, or through the transaction. */
static void
tell_out(struct run *r, const char *line)
{
	if (r->speaking != NULL)
		txn_tell(r->speaking, 'O', "%s", line);
	else
		printable_line(stdout, "%s", line);
}

static void say(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct run *r, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	sb_puts(&sb, "cutover: ");
	va_start(ap, fmt);
	sb_vprintf(&sb, fmt, ap);
	va_end(ap);
	/* The arguments may be anyone's: each sink escapes every control. */
	if (r->speaking != NULL)
		txn_tell(r->speaking, 'E', "%s", sb_failed(&sb) ?
		    "cutover: (out of memory)" : sb_str(&sb));
	else
		printable_line(stderr, "%s", sb_failed(&sb) ?
		    "cutover: (out of memory)" : sb_str(&sb));
	snprintf(r->said, sizeof(r->said), "%s", sb_failed(&sb) ?
	    "out of memory" :
	    sb_str(&sb) + strlen("cutover: "));
	sb_free(&sb);
}

static void
print_policy_diags(const struct diags *d)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];
		if (g->level != DIAG_ERROR)
			continue;
		if (g->line > 0)
			sb_printf(&sb, "%s:%d: %s\n", g->file ? g->file : "",
			    g->line, g->msg);
		else
			sb_printf(&sb, "%s: %s\n", g->file ? g->file : "cutover",
			    g->msg);
	}
	printable_fputs(sb_str(&sb), stderr);
	sb_free(&sb);
}

static int
load_policy(struct run *r)
{
	struct diags d = { 0 };

	r->policy = policy_load(CUTOVER_POLICY_PATH, POLICY_TRUST_SYSTEM, &d);
	if (r->policy == NULL) {
		print_policy_diags(&d);
		say(r, "refusing everything: the policy %s is missing, unsafe or "
		    "invalid (see above); fix it and check it with: cutover "
		    "policy check", CUTOVER_POLICY_PATH);
	}
	diags_free(&d);
	return r->policy ? 0 : -1;
}

/* One id ties the records of this run (request and outcome). */
static int
make_txid(struct run *r)
{
	if (audit_new_txid(r->txid) == 0)
		return 0;
	say(r, "cannot make a transaction id for the audit record; refusing");
	return -1;
}

static const char *
action_text(const struct run *r)
{
	if (r->malformed != NULL)
		return r->req->raw_action;
	if (r->req->cmd == CMD_LIST)
		return "list";
	if (r->req->cmd == CMD_RECOVER)
		return "recover";
	return action_name(r->req->rq.action);
}

/* The fields every record of this run shares: who asked for what. */
static void
base_event(const struct run *r, struct audit_event *ev, char *rule,
    size_t rulelen)
{
	memset(ev, 0, sizeof(*ev));
	ev->stage = AUDIT_REQUEST;
	ev->txid = r->txid;
	ev->caller = r->have_caller || r->have_uid ? &r->caller : NULL;
	ev->action = action_text(r);
	ev->target = r->malformed ? r->req->raw_target :
	    r->req->cmd == CMD_ACTION ? r->req->target : NULL;
	ev->dry_run = r->req->dry_run;
	ev->run_id = r->req->run_id[0] != '\0' ? r->req->run_id : NULL;
	ev->caller_reason = r->req->rq.reason;
	ev->decision = r->dec.verdict == VERDICT_ALLOW ? "allow" : "deny";
	if (r->dec.rule != NULL) {
		snprintf(rule, rulelen, "%s:%d", r->dec.at.file,
		    r->dec.at.line);
		ev->rule = rule;
	}
}

/*
 * A record the front writes, before any transaction (a refusal, an
 * error, list, a dry run): the request record (OUTCOME NULL) or its
 * outcome record.  Inside a transaction every record is the
 * transaction's (txn_record); both write through audit_record.
 */
static int
record(struct run *r, const char *decision, const char *reason,
    const char *outcome)
{
	struct audit_event base;
	struct audit_entry e = { .stage = outcome ? AUDIT_OUTCOME :
	    AUDIT_REQUEST, .decision = decision, .reason = reason,
	    .outcome = outcome };
	char rule[RULE_MAX], why[512];

	base_event(r, &base, rule, sizeof(rule));
	if (audit_record(r->log, &base, &e, why, sizeof(why)) == 0)
		return 0;
	if (outcome == NULL)
		say(r, "cannot write the audit record (%s); refusing: nothing "
		    "was done", why);
	else
		say(r, "cannot write the outcome record (%s)", why);
	return -1;
}

static const char *
who(const struct run *r)
{
	return r->have_caller ? r->caller.name : "?";
}

static int
refuse_malformed(struct run *r)
{
	if (record(r, "error", r->malformed, NULL) == -1)
		return EXIT_POLICY;
	say(r, "%s", r->malformed);
	return EXIT_USAGE;
}

/* The request's words for messages: "start nginx", "free port 8080". */
static void
request_words(const struct run *r, char *buf, size_t size)
{
	if (r->req->cmd == CMD_LIST)
		snprintf(buf, size, "list");
	else if (r->req->rq.action == ACT_FREE_PORT)
		snprintf(buf, size, "free port %d", r->req->rq.port);
	else
		snprintf(buf, size, "%s %s", action_name(r->req->rq.action),
		    r->req->target);
}

/* The decision: the policy first, then PAM for what it allows. */
static void
decide(struct run *r)
{
	char why[sizeof(r->dec.reason) - 8];

	policy_decide(r->policy, &r->caller.subject, &r->req->rq, &r->dec);
	if (r->dec.verdict != VERDICT_ALLOW)
		return;
	if (authpam_check(&r->caller, r->dec.auth == AUTH_PAM, NULL, why,
	    sizeof(why)) == 0)
		return;
	r->dec.verdict = VERDICT_DENY;
	r->dec.rule = NULL;
	snprintf(r->dec.reason, sizeof(r->dec.reason), "PAM %s", why);
}

static int
run_list(struct run *r)
{
	struct strbuf sb = STRBUF_INIT;
	int status = EXIT_DONE;

	if (record(r, "allow", "list shows the caller's own permissions",
	    NULL) == -1)
		return EXIT_POLICY;
	if (privilege_enter(STEP_CALLER, NULL, 0) == -1)
		return EXIT_FAILED;
	policy_list_render(r->policy, &r->caller.subject, r->req->format ==
	    FORMAT_JSON ? EXPLAIN_JSON : EXPLAIN_TEXT, &sb);
	if (sb_failed(&sb) || printable_fputs(sb_str(&sb), stdout) == EOF)
		status = EXIT_FAILED;
	sb_free(&sb);
	return status;
}

/*
 * In the transaction: the outcome record of its one step, REASON and
 * (unless TOUCHED is NULL) what the step touched.  -1 when it could not
 * be written: said, and the action counts as failed.
 */
static int
record_result(struct run *r, const char *reason,
    const struct step_result *res, const struct step_result *touched)
{
	char why[512];

	if (txn_record(r->speaking, NULL, status_outcome(res->status), reason,
	    touched, res->seconds, why, sizeof(why)) == 0)
		return 0;
	say(r, "cannot write the outcome record (%s)", why);
	return -1;
}

/* The outcome record of a step's result, then its line for the caller. */
static int
report(struct run *r, const char *words, const struct step_result *res)
{
	char done[STEP_TEXT_MAX + 160];

	snprintf(done, sizeof(done), "%s: %s", words, res->text);
	if (record_result(r, done, res, res) == -1)
		return EXIT_FAILED;
	if (res->status == EXIT_DONE) {
		char line[sizeof(done) + 16];

		snprintf(line, sizeof(line), "cutover: %s", done);
		tell_out(r, line);
	} else
		say(r, "%s", done);
	return res->status;
}

/*
 * Each line of SB on stdout, through the transaction: escaped there, but
 * JSON (KIND 'J') as it is - its encoder (sb_json_string) leaves no
 * control byte, and its UTF-8 must stay UTF-8.
 */
static int
tell_lines(struct run *r, struct strbuf *sb, char kind)
{
	char *line, *next;

	if (sb_failed(sb))
		return -1;
	for (line = (char *)sb_str(sb); *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (kind == 'J')
			txn_tell(r->speaking, 'J', "%s", line);
		else
			tell_out(r, line);
	}
	return 0;
}

/* The wall clock, for the metrics' timestamp (never for a deadline). */
static double
wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * verify --textfile: the check's metrics into CUTOVER_TEXTFILE_DIR, as
 * the transaction (root: textfile.h says why that directory only).  A
 * file that cannot be written is said, and a check that passed then
 * ends as one that could not be run: a monitor must not read success
 * from a textfile that went stale.
 */
static int
write_textfile(struct run *r, const struct check *c,
    const struct verify_result *vr, double when, int status)
{
	struct strbuf metrics = STRBUF_INIT;
	char why[512];
	int rc;

	judge_render_metrics(c, vr, when, &metrics);
	rc = sb_failed(&metrics) ? -1 : textfile_write(CUTOVER_TEXTFILE_DIR,
	    c->name, sb_str(&metrics), why, sizeof(why));
	if (sb_failed(&metrics))
		snprintf(why, sizeof(why), "out of memory");
	sb_free(&metrics);
	if (rc == 0)
		return status;
	say(r, "verify %s: the metrics were not written: %s", c->name, why);
	if (status != 0)
		return status;
	return r->req->format == FORMAT_NAGIOS ? NAGIOS_UNKNOWN : EXIT_FAILED;
}

/*
 * A check's result: the outcome record (its reason the result line),
 * then the line (or JSON object, or metrics) on stdout, and with
 * --textfile the metrics file.
 */
static int
verified(struct run *r, const struct step_result *res,
    struct verify_result *vr)
{
	const struct check *c = policy_check(r->policy, r->req->target);
	struct strbuf out = STRBUF_INIT;
	double when = wall_seconds();
	int status;

	/* The check ran as the caller: nothing was touched. */
	if (record_result(r, res->text, res, NULL) == -1)
		return EXIT_FAILED;
	if (res->nothing) {         /* the check could not be run at all */
		say(r, "%s", res->text);
		return EXIT_FAILED;
	}
	/* It crossed a pipe from a process that ran as the caller. */
	judge_sanitize(vr, c);
	if (r->req->format == FORMAT_PROMETHEUS)
		judge_render_metrics(c, vr, when, &out);
	else
		judge_render(c, vr, r->req->format, &out);
	status = tell_lines(r, &out, r->req->format == FORMAT_JSON ? 'J' :
	    'O') == -1 ? EXIT_FAILED :
	    judge_exit_status(vr, r->req->format);
	sb_free(&out);
	if (r->req->textfile)
		status = write_textfile(r, c, vr, when, status);
	return status;
}

/* The request's one step. */
static struct txn_step
step_of_request(const struct run *r)
{
	const struct policy *p = r->policy;
	struct txn_step s = { .words = r->words };

	switch (r->req->rq.action) {
	case ACT_FREE_PORT:
		s.kind = DO_FREE_PORT;
		s.grant = policy_port(p, r->req->rq.port);
		break;
	case ACT_STOP:
		s.kind = DO_STOP;
		s.svc = policy_service(p, r->req->target);
		break;
	case ACT_START:
		s.kind = DO_START;
		s.svc = policy_service(p, r->req->target);
		break;
	case ACT_VERIFY:
	case ACT_SWITCH:
		s.kind = DO_VERIFY;
		s.check = policy_check(p, r->req->target);
		s.served_by = s.check != NULL ? s.check->served_by : NULL;
		break;
	}
	return s;
}

/* In the transaction: the one step, its outcome record, its lines. */
static int
single_action(struct txn *t, void *ctx)
{
	struct run *r = ctx;
	struct txn_step s = step_of_request(r);
	struct step_result res;
	struct verify_result vr;
	char why[800];
	int st;

	r->speaking = t;
	/* an interrupted switch of this port or service first */
	if (s.kind != DO_VERIFY && (st = recover_pending(t, r->policy, false,
	    false, why, sizeof(why))) != EXIT_DONE) {
		memset(&res, 0, sizeof(res));
		res.status = st;
		res.nothing = true;
		snprintf(res.text, sizeof(res.text), "an interrupted switch could "
		    "not be recovered: %.600s; nothing was done", why);
		return report(r, r->words, &res);
	}
	txn_run_step(t, &s, &res, &vr);
	if (s.kind == DO_VERIFY)
		return verified(r, &res, &vr);
	return report(r, r->words, &res);
}

/* In the transaction: every interrupted switch, recovered. */
static int
recover_body(struct txn *t, void *ctx)
{
	struct run *r = ctx;
	char why[800], err[512];
	int st;

	r->speaking = t;
	st = recover_pending(t, r->policy, true, r->req->boot, why,
	    sizeof(why));
	if (st == EXIT_DONE)
		snprintf(why, sizeof(why), "no interrupted switch is left");
	if (txn_record(t, NULL, status_outcome(st), why, NULL, 0, err,
	    sizeof(err)) == -1)
		say(r, "cannot write the outcome record (%s)", err);
	if (st == EXIT_DONE)
		tell_out(r, "cutover: recover: no interrupted switch is left");
	else
		say(r, "recover: %s", why);
	return st;
}

/*
 * cutover recover [--boot]: root's, not the policy's to grant - the
 * recovery each request does on its own, for every plan at once
 * (cutover-recover.service at boot, or an operator).
 */
static int
run_recover(struct run *r)
{
	struct audit_event base;
	struct lock_targets none = { .n = 0 };
	struct txn_seen seen = { 0 };
	char rule[RULE_MAX];
	struct txn t;
	int status;

	r->dec.verdict = r->caller.uid == 0 ? VERDICT_ALLOW : VERDICT_DENY;
	snprintf(r->dec.reason, sizeof(r->dec.reason), "%s", r->caller.uid ==
	    0 ? "root recovers interrupted switches" : "only root runs "
	    "recover; the next request that touches a plan's ports or "
	    "services recovers its interrupted switch on its own");
	base_event(r, &base, rule, sizeof(rule));
	base.reason = r->dec.reason;
	if (r->dec.verdict != VERDICT_ALLOW) {
		if (record(r, "deny", r->dec.reason, NULL) == -1)
			return EXIT_POLICY;
		say(r, "%s", r->dec.reason);
		return EXIT_REFUSED;
	}
	t = (struct txn){ .caller = &r->caller, .base = &base, .log = r->log,
	    .targets = &none, .policy = r->policy, .guard = PORT_GUARD_NONE };
	status = txn_run(&t, recover_body, r, "the recovery is let finish",
	    &seen);
	r->log = NULL;      /* closed in this process by txn_run */
	return status;
}

/*
 * An allowed action: its request record, the action and its outcome
 * record, in a transaction out of the caller's reach (transaction.c); a switch is a transaction of several steps
 * (switch.c).  This process then only relays.
 */
static int
act(struct run *r)
{
	struct audit_event base;
	char rule[RULE_MAX];
	struct txn t;
	struct txn_seen seen = { 0 };
	struct lock_targets targets;
	const struct plan *pl = NULL;
	char why[512];
	int status;

	base_event(r, &base, rule, sizeof(rule));
	base.reason = r->dec.reason;
	t = (struct txn){ .caller = &r->caller, .base = &base, .log = r->log,
	    .targets = &targets, .policy = r->policy,
	    .guard = PORT_GUARD_NONE };
	if (lock_targets_of(r->policy, &r->req->rq, &targets, why,
	    sizeof(why)) == -1) {
		if (record(r, "allow", r->dec.reason, NULL) == 0 &&
		    record(r, "allow", why, "refused") == 0)
			say(r, "%s; nothing was done", why);
		return EXIT_REFUSED;
	}
	if (r->req->rq.action == ACT_SWITCH &&
	    (pl = policy_plan(r->policy, r->req->target)) == NULL) {
		/* the decision allowed it: cannot be */
		record(r, "allow", "no such plan", NULL);
		record(r, "allow", "no such plan", "failed");
		return EXIT_FAILED;
	}
	if (pl != NULL)
		status = switch_run(pl, r->req->format, &t, &seen);
	else
		status = txn_run(&t, single_action, r, "the action is let "
		    "finish (a check is cut short)", &seen);
	r->log = NULL;      /* closed in this process by txn_run */
	r->printed = seen.printed;
	r->reported = seen.json;
	if (seen.last_error[0] != '\0')
		snprintf(r->said, sizeof(r->said), "%.*s",
		    (int)sizeof(r->said) - 1, seen.last_error);
	return status;
}

static int
run_action(struct run *r)
{
	request_words(r, r->words, sizeof(r->words));
	decide(r);
	/* An action's own request record: written by its transaction. */
	if (r->dec.verdict == VERDICT_ALLOW && !r->req->dry_run)
		return act(r);
	if (record(r, r->dec.verdict == VERDICT_ALLOW ? "allow" : "deny",
	    r->dec.reason, NULL) == -1)
		return EXIT_POLICY;
	if (r->dec.verdict != VERDICT_ALLOW) {
		say(r, "%s may not %s: %s (policy " CUTOVER_POLICY_PATH ")",
		    who(r), r->words, r->dec.reason);
		return EXIT_REFUSED;
	}
	if (r->req->dry_run) {
		r->reported = r->req->rq.action == ACT_SWITCH;
		if (r->req->format != FORMAT_JSON)
			printable_line(stdout, "cutover: %s may %s (%s:%d); dry "
			    "run, nothing done", who(r), r->words,
			    r->dec.at.file, r->dec.at.line);
		return r->req->rq.action == ACT_SWITCH ? switch_dry_run(
		    policy_plan(r->policy, r->req->target), r->req->format) :
		    EXIT_DONE;
	}
	return EXIT_DONE;
}

static int
identify(struct run *r)
{
	char why[512];

	if (caller_identify(&r->caller, why, sizeof(why)) == 0) {
		r->have_caller = true;
		return 0;
	}
	/* Who asked is still known by number: the record says so. */
	r->caller.uid = getuid();
	r->caller.gid = getgid();
	r->have_uid = true;
	if (record(r, "error", why, NULL) == 0)
		say(r, "cannot establish who you are (%s); refusing", why);
	return -1;
}

static int
serve(struct run *r)
{
	char why[512];
	int status;

	if ((status = hygiene_privileged(why, sizeof(why))) != 0) {
		say(r, "%s", why);
		return status;
	}
	if (make_txid(r) == -1)
		return EXIT_FAILED;
	if (load_policy(r) == -1)
		return EXIT_POLICY;
	r->log = audit_log_open(&r->policy->audit, why, sizeof(why));
	r->logged = r->log != NULL;
	if (r->log == NULL) {
		say(r, "cannot open the audit log (%s); refusing: nothing was "
		    "done", why);
		status = EXIT_POLICY;
	} else if (identify(r) == -1)
		status = EXIT_REFUSED;
	else if (r->malformed != NULL)
		status = refuse_malformed(r);
	else if (r->req->cmd == CMD_LIST)
		status = run_list(r);
	else if (r->req->cmd == CMD_RECOVER)
		status = run_recover(r);
	else
		status = run_action(r);
	audit_log_close(r->log);
	if (r->have_caller)
		caller_free(&r->caller);
	policy_free(r->policy);
	return status;
}

/* What an ending means, when nothing more was said. */
static const char *
status_words(int status)
{
	switch (status) {
	case EXIT_USAGE:   return "usage error; see cutover --help";
	case EXIT_REFUSED: return "refused";
	case EXIT_POLICY:  return "the policy or the audit log is unusable";
	default:           return "the check could not be run";
	}
}

/* switch --format=json: a script reads the report, whatever the ending. */
static bool
wants_report(const struct run *r)
{
	return r->malformed == NULL && r->req->cmd == CMD_ACTION &&
	    r->req->rq.action == ACT_SWITCH && r->req->format == FORMAT_JSON;
}

/*
 * The report of a switch that ended before its own could be printed: a
 * refusal by the policy or PAM, a lock another request holds, a policy or
 * audit log that cannot be used, a transaction that could not begin.
 * Its result is the last thing said (on stderr too); nothing was done.
 */
static void
ending_report(struct run *r, int status)
{
	struct sw_report *rep;
	struct strbuf sb = STRBUF_INIT;

	if (!wants_report(r) || r->reported ||
	    (rep = calloc(1, sizeof(*rep))) == NULL)
		return;
	rep->plan = r->req->target;
	rep->dry_run = r->req->dry_run;
	rep->txid = r->logged ? r->txid : NULL;       /* names records */
	rep->outcome = status_outcome(status);
	rep->exit_status = status;
	snprintf(rep->result, sizeof(rep->result), "%s", r->said[0] ? r->said :
	    status_words(status));
	sw_report_json(rep, &sb);
	if (!sb_failed(&sb))
		printf("%s\n", sb_str(&sb));
	r->reported = true;
	sb_free(&sb);
	free(rep);
}

/*
 * --format=nagios: a monitoring system reads one line and 0-3, so every
 * ending but verify's own line (usage, refusal, policy, audit) is one
 * "CUTOVER UNKNOWN: ..." line and exit 3.
 */
int
run_request(const struct cli_request *req, const char *malformed)
{
	struct run r = { .req = req, .malformed = malformed };
	struct strbuf sb = STRBUF_INIT;
	int status = serve(&r);

	if (status != EXIT_DONE)
		ending_report(&r, status);
	if (req->format != FORMAT_NAGIOS || r.printed)
		return status;
	judge_render_unknown(r.said[0] ? r.said : status_words(status), &sb);
	printable_fputs(sb_failed(&sb) ? "CUTOVER UNKNOWN: out of memory\n" :
	    sb_str(&sb), stdout);
	sb_free(&sb);
	return NAGIOS_UNKNOWN;
}
