/*
 * fuzz_policy.c - the libFuzzer target for the policy loader, and
 * everything that reads the policy it builds.
 *
 * Input: one main policy text, optionally followed by drop-ins, each
 * starting after a line "#--dropin--" (at most 4 texts; later separator
 * lines stay in the last text, where libconfig reads them as comments).
 * The bytes are passed as they are, NUL bytes included: the loader must
 * refuse those itself.
 *
 * Whatever the input, it checks:
 *   - policy_build returns a policy exactly when it reported no error,
 *     and every diagnostic has a message and names one of the texts;
 *   - policy_explain (text) prints only printable ASCII and newlines
 *     (a policy must not be able to drive the reviewer's terminal);
 *   - policy_explain (JSON) prints exactly one valid JSON document, on
 *     one line;
 *   - policy_diff(p, p) finds no difference; against the empty policy it
 *     finds one per permission (plus audit changes), both ways; against
 *     the main text alone it finds as many differences both ways;
 *   - policy_permissions is sorted, one entry per (subject, action,
 *     target);
 *   - every plan holds what the loader promises (policy.h): from and to
 *     differ, the port's entry lets from be stopped, to listens on the
 *     port, the checks exist; a service with a socket_handoff has one
 *     port;
 *   - policy_decide, for every user and group named in the rules (each
 *     alone, and each user with every group) against every service
 *     (start, stop), check (verify), port (free) and plan (switch),
 *     plus targets that
 *     are not defined: an ALLOW always carries its rule and a file:line
 *     with line > 0, a DENY never does, and the verdict, auth and
 *     file:line agree with what policy_permissions (what explain shows)
 *     says that subject may do;
 *   - policy_test_render prints only printable ASCII.
 * A broken invariant prints what broke and calls abort(), which libFuzzer
 * and the replay runner both count as a crash.  Everything is freed, so
 * LeakSanitizer sees any leak.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/explain.h"
#include "tests/fuzz/json_check.h"
#include "policy/policy.h"
#include "policy/strbuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEPARATOR       "#--dropin--\n"
#define MAX_TEXTS       4
#define MAX_SUBJECTS    32
#define MAX_REQUESTS    192
#define MAX_DECISIONS   4096

/*
 * Diagnostics, printed as they are by `cutover policy check`, must be
 * printable ASCII like explain's output: no control bytes from the policy,
 * and no bytes >= 0x80 either (UTF-8 C1 controls such as U+009B, CSI, and
 * a raw 0x9b in an 8-bit terminal).  diags_add() escapes them
 * (sb_printable); corpus/policy/diag-raw-escape.conf is the regression
 * input that found it.
 */
#ifndef CHECK_DIAG_TEXT
#define CHECK_DIAG_TEXT 1
#endif

static void broken(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
broken(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("fuzz_policy: invariant broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(cond, ...) do { if (!(cond)) broken(__VA_ARGS__); } while (0)

/* ---- input -> texts ----------------------------------------------------- */

/* The next separator at a line start in DATA[from..size), or size. */
static size_t
next_separator(const uint8_t *data, size_t size, size_t from)
{
	const size_t n = sizeof(SEPARATOR) - 1;
	size_t i;

	for (i = from; i + n <= size; i++)
		if ((i == 0 || data[i - 1] == '\n') &&
		    memcmp(data + i, SEPARATOR, n) == 0)
			return i;
	return size;
}

static void
add_text(struct policy_texts *t, const uint8_t *p, size_t len)
{
	struct policy_text *v = &t->v[t->n];
	char name[64];

	if (t->n == 0)
		snprintf(name, sizeof(name), "policy.conf");
	else
		snprintf(name, sizeof(name), "policy.d/%02zu-fuzz.conf", t->n);
	v->name = strdup(name);
	v->text = malloc(len + 1);
	if (v->name == NULL || v->text == NULL)
		broken("out of memory copying the input");
	memcpy(v->text, p, len);
	v->text[len] = '\0';
	v->len = len;
	v->main = t->n == 0;
	t->n++;
}

static void
split_input(const uint8_t *data, size_t size, struct policy_texts *t)
{
	const size_t n = sizeof(SEPARATOR) - 1;
	size_t start = 0, sep;

	memset(t, 0, sizeof(*t));
	while (t->n < MAX_TEXTS - 1 &&
	    (sep = next_separator(data, size, start)) < size) {
		add_text(t, data + start, sep - start);
		start = sep + n;
	}
	add_text(t, data + start, size - start);
}

static void
texts_free(struct policy_texts *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].text);
	}
	t->n = 0;
}

/* ---- output checks ------------------------------------------------------ */

static bool
is_text_name(const struct policy_texts *t, const char *file)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].name, file) == 0)
			return true;
	return false;
}

/* Only printable ASCII and '\n': nothing a terminal would act on. */
static void
check_printable(const struct strbuf *sb, const char *what)
{
	size_t i;

	CHECK(sb->s == NULL || strlen(sb->s) == sb->len,
	    "%s: length %zu but a NUL byte inside", what, sb->len);
	for (i = 0; i < sb->len; i++) {
		unsigned char c = (unsigned char)sb->s[i];
		CHECK(c == '\n' || (c >= 0x20 && c < 0x7f),
		    "%s: byte 0x%02x at offset %zu is not printable ASCII:\n%s",
		    what, c, i, sb->s);
	}
}

static void
check_diags(const struct policy_texts *t, const struct diags *d,
    const struct policy *p)
{
	size_t i, nerrors = 0;

	CHECK((p == NULL) == (d->nerrors > 0),
	    "policy_build returned %s with %zu errors",
	    p ? "a policy" : "NULL", d->nerrors);
	for (i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];
		CHECK(g->msg != NULL && g->msg[0] != '\0', "diagnostic %zu has no message", i);
		CHECK(g->level == DIAG_ERROR || g->level == DIAG_WARNING,
		    "diagnostic %zu has level %d", i, (int)g->level);
		CHECK(g->line >= 0, "diagnostic %zu has line %d", i, g->line);
		CHECK(g->file == NULL || is_text_name(t, g->file),
		    "diagnostic %zu names file \"%s\", not one of the texts",
		    i, g->file);
		if (CHECK_DIAG_TEXT && g->msg != NULL) {
			const unsigned char *c;
			for (c = (const unsigned char *)g->msg; *c != '\0'; c++)
				CHECK(*c >= 0x20 && *c < 0x7f, "diagnostic %zu "
				    "(%s:%d) holds the byte 0x%02x: %s", i,
				    g->file ? g->file : "-", g->line, *c, g->msg);
		}
		nerrors += g->level == DIAG_ERROR;
	}
	CHECK(nerrors == d->nerrors, "%zu error diagnostics, nerrors %zu",
	    nerrors, d->nerrors);
}

static void
check_explain(const struct policy *p)
{
	struct strbuf text = STRBUF_INIT, json = STRBUF_INIT;
	const char *why = NULL;
	size_t where = 0;

	CHECK(policy_explain(p, EXPLAIN_TEXT, &text) == 0 && !sb_failed(&text),
	    "policy_explain (text) failed");
	CHECK(text.len > 0, "policy_explain (text) printed nothing");
	check_printable(&text, "policy_explain (text)");

	CHECK(policy_explain(p, EXPLAIN_JSON, &json) == 0 && !sb_failed(&json),
	    "policy_explain (json) failed");
	CHECK(json.len > 0 && strlen(json.s) == json.len,
	    "policy_explain (json): empty, or a NUL byte inside");
	CHECK(json_check(json.s, json.len, &where, &why),
	    "policy_explain (json) is not valid JSON: %s expected at offset "
	    "%zu:\n%s", why ? why : "?", where, json.s);
	CHECK(json.s[0] == '{', "policy_explain (json) is not an object");
	CHECK(strchr(json.s, '\n') == json.s + json.len - 1,
	    "policy_explain (json) is not exactly one line:\n%s", json.s);
	CHECK(strstr(json.s, "\xe2\x80\xa8") == NULL &&
	    strstr(json.s, "\xe2\x80\xa9") == NULL,
	    "policy_explain (json) holds a raw U+2028/U+2029");
	sb_free(&text);
	sb_free(&json);
}

static void
check_diff(const struct policy *p)
{
	struct strbuf out = STRBUF_INIT;
	int n = policy_diff(p, p, &out);

	CHECK(n == 0, "policy_diff(p, p) returned %d:\n%s", n, sb_str(&out));
	CHECK(strcmp(sb_str(&out), "no change in permissions\n") == 0,
	    "policy_diff(p, p) printed:\n%s", sb_str(&out));
	sb_free(&out);
}

/* Build TEXT alone as a main policy ("" when NULL); NULL if it fails. */
static struct policy *
build_one(const char *text, size_t len)
{
	static struct policy_texts t;
	struct diags d = { NULL, 0, 0 };
	struct policy *p;

	memset(&t, 0, sizeof(t));
	add_text(&t, (const uint8_t *)(text ? text : ""), text ? len : 0);
	p = policy_build(&t, &d);
	diags_free(&d);
	texts_free(&t);
	return p;
}

/*
 * Differences against other policies: against the empty policy (syslog
 * only, no rules) every permission is one '+' line, plus one line per
 * audit setting that differs; against the main text alone (when there are
 * drop-ins and it builds) the count is the same both ways.
 */
static void
check_diff_others(const struct policy *p, const struct permissions *ps,
    const struct policy_texts *texts)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	struct policy *empty, *main_only;
	int n, m;
	size_t want;

	if ((empty = build_one(NULL, 0)) == NULL)
		broken("the empty policy does not build");
	want = ps->n + (p->audit.syslog != true) + (p->audit.file != NULL);
	n = policy_diff(empty, p, &a);
	CHECK(n >= 0 && (size_t)n == want, "policy_diff(empty, p) returned "
	    "%d, expected %zu:\n%s", n, want, sb_str(&a));
	check_printable(&a, "policy_diff");
	m = policy_diff(p, empty, &b);
	CHECK(m == n, "policy_diff(p, empty) returned %d, (empty, p) %d", m, n);
	check_printable(&b, "policy_diff");
	sb_free(&a);
	sb_free(&b);
	policy_free(empty);

	if (texts->n < 2 ||
	    (main_only = build_one(texts->v[0].text, texts->v[0].len)) == NULL)
		return;
	n = policy_diff(main_only, p, &a);
	m = policy_diff(p, main_only, &b);
	CHECK(n >= 0 && n == m, "policy_diff(main, all) returned %d, "
	    "(all, main) %d:\n%s---\n%s", n, m, sb_str(&a), sb_str(&b));
	check_printable(&a, "policy_diff");
	check_printable(&b, "policy_diff");
	sb_free(&a);
	sb_free(&b);
	policy_free(main_only);
}

/* The order policy_permissions promises: kind, subject, action, target. */
static int
perm_order(const struct permission *a, const struct permission *b)
{
	int c;

	if (a->kind != b->kind)
		return a->kind == SUBJECT_USER ? -1 : 1;
	if ((c = strcmp(a->subject, b->subject)) != 0)
		return c;
	if (a->action != b->action)
		return a->action < b->action ? -1 : 1;
	if (a->action == ACT_FREE_PORT)
		return (a->item->port->port > b->item->port->port) -
		    (a->item->port->port < b->item->port->port);
	return strcmp(a->target, b->target);
}

static void
check_permissions(const struct policy *p, const struct permissions *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		const struct permission *e = &ps->v[i];
		CHECK(e->subject && e->item && e->target && e->effect,
		    "permission %zu is missing a field", i);
		CHECK(e->at.file != NULL && e->at.line > 0,
		    "permission %zu (%s) has no file:line", i, e->target);
		CHECK(e->nalso == 0 || e->also != NULL,
		    "permission %zu: nalso %zu, no also", i, e->nalso);
		CHECK(i == 0 || perm_order(&ps->v[i - 1], e) < 0,
		    "permissions %zu and %zu are out of order or duplicate "
		    "(%s %s)", i - 1, i, e->subject, e->target);
	}
	(void)p;
}

static bool
lists_port(const struct service *svc, int port)
{
	size_t i;

	for (i = 0; i < svc->nports; i++)
		if (svc->ports[i] == port)
			return true;
	return false;
}

static bool
holds_port(const struct port_grant *pg, const struct service *svc)
{
	size_t i;

	for (i = 0; i < pg->nholders; i++)
		if (pg->holders[i] == svc)
			return true;
	return false;
}

/* What policy.h says the loader makes sure of, for every plan. */
static void
check_plans(const struct policy *p)
{
	size_t i, j;

	for (i = 0; i < p->nservices; i++)
		CHECK(p->services[i].handoff == HANDOFF_NONE ||
		    p->services[i].nports >= 1, "service %s has a socket "
		    "handoff and no port", p->services[i].name);
	for (i = 0; i < p->nplans; i++) {
		const struct plan *pl = &p->plans[i];

		CHECK(pl->name && pl->from && pl->to && pl->grants &&
		    pl->ports && pl->nports >= 1 &&
		    pl->nports <= POLICY_PLAN_PORTS_MAX &&
		    (pl->verify || pl->nverify == 0) && pl->at.line > 0,
		    "plan %zu is missing a part", i);
		CHECK(pl->from != pl->to, "plan %s switches %s to itself",
		    pl->name, pl->from->name);
		for (j = 0; j < pl->nports; j++) {
			size_t k;

			CHECK(pl->grants[j] != NULL &&
			    pl->grants[j]->port == pl->ports[j] &&
			    holds_port(pl->grants[j], pl->from), "plan %s: port "
			    "%d's entry does not let %s be stopped", pl->name,
			    pl->ports[j], pl->from->name);
			CHECK(lists_port(pl->to, pl->ports[j]) &&
			    lists_port(pl->from, pl->ports[j]), "plan %s: %s or "
			    "%s does not listen on %d", pl->name, pl->to->name,
			    pl->from->name, pl->ports[j]);
			for (k = 0; k < j; k++)
				CHECK(pl->ports[k] != pl->ports[j], "plan %s lists "
				    "port %d twice", pl->name, pl->ports[j]);
		}
		CHECK(!pl->rollback || pl->from->nstart > 0, "plan %s rolls "
		    "back to %s, which has no start", pl->name, pl->from->name);
		for (j = 0; j < pl->nverify; j++)
			CHECK(pl->verify[j] != NULL, "plan %s: check %zu is "
			    "NULL", pl->name, j);
	}
}

/* ---- decisions ---------------------------------------------------------- */

struct names {
	const char *v[MAX_SUBJECTS];
	size_t n;
};

static void
names_add(struct names *ns, const char *name)
{
	size_t i;

	for (i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], name) == 0)
			return;
	if (ns->n < MAX_SUBJECTS)
		ns->v[ns->n++] = name;
}

struct requests {
	struct request v[MAX_REQUESTS];
	size_t n;
};

/* Each request twice: without a reason and with one (reason = "required"). */
static void
req_add(struct requests *rs, enum action a, const char *target, int port)
{
	if (rs->n + 1 < MAX_REQUESTS) {
		rs->v[rs->n++] = (struct request){ a, target, port, NULL };
		rs->v[rs->n++] = (struct request){ a, target, port, "CHG-1" };
	}
}

static void
collect_requests(const struct policy *p, struct requests *rs)
{
	size_t i;

	rs->n = 0;
	req_add(rs, ACT_START, "fuzz-undefined", 0);
	req_add(rs, ACT_STOP, NULL, 0);
	req_add(rs, ACT_VERIFY, "", 0);
	req_add(rs, ACT_FREE_PORT, NULL, 0);
	req_add(rs, ACT_FREE_PORT, NULL, 65535);
	for (i = 0; i < p->nservices; i++) {
		req_add(rs, ACT_START, p->services[i].name, 0);
		req_add(rs, ACT_STOP, p->services[i].name, 0);
	}
	for (i = 0; i < p->nchecks; i++)
		req_add(rs, ACT_VERIFY, p->checks[i].name, 0);
	for (i = 0; i < p->nports; i++)
		req_add(rs, ACT_FREE_PORT, NULL, p->ports[i].port);
	req_add(rs, ACT_SWITCH, "fuzz-undefined", 0);
	for (i = 0; i < p->nplans; i++)
		req_add(rs, ACT_SWITCH, p->plans[i].name, 0);
}

/* Does PS grant (KIND, NAME) the request?  The first such permission. */
static const struct permission *
granted(const struct permissions *ps, enum subject_kind kind,
    const char *name, const struct request *rq)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < ps->n; i++) {
		const struct permission *e = &ps->v[i];
		if (e->kind != kind || e->action != rq->action ||
		    strcmp(e->subject, name) != 0)
			continue;
		if (rq->action == ACT_FREE_PORT ?
		    e->item->port->port == rq->port :
		    rq->target != NULL && strcmp(e->target, rq->target) == 0)
			return e;
	}
	return NULL;
}

/* Does a grant of the request to S want a reason the request lacks? */
static bool
reason_lacking(const struct permissions *ps, const struct subject *s,
    const struct request *rq)
{
	const struct permission *e;
	size_t i;

	if (rq->reason != NULL)
		return false;
	if ((e = granted(ps, SUBJECT_USER, s->user, rq)) && e->reason_required)
		return true;
	for (i = 0; i < s->ngroups; i++)
		if ((e = granted(ps, SUBJECT_GROUP, s->groups[i], rq)) &&
		    e->reason_required)
			return true;
	return false;
}

static bool
same_origin(struct origin a, struct origin b)
{
	return a.line == b.line && a.file != NULL && b.file != NULL &&
	    strcmp(a.file, b.file) == 0;
}

static void
check_one_decision(const struct policy *p, const struct permissions *ps,
    const struct subject *s, const struct request *rq)
{
	const struct permission *first;
	struct decision d;
	struct strbuf out = STRBUF_INIT;
	const char *who = s->user ? s->user : s->ngroups ? s->groups[0] : "-";
	const char *what = rq->target ? rq->target : "(null)";
	size_t i;

	/* What explain says: the user's grants, then each group's. */
	first = granted(ps, SUBJECT_USER, s->user, rq);
	for (i = 0; i < s->ngroups && first == NULL; i++)
		first = granted(ps, SUBJECT_GROUP, s->groups[i], rq);

	memset(&d, 0xa5, sizeof(d));
	policy_decide(p, s, rq, &d);
	CHECK(memchr(d.reason, '\0', sizeof(d.reason)) != NULL &&
	    memchr(d.detail, '\0', sizeof(d.detail)) != NULL,
	    "decision for %s %s %s: reason or detail not terminated", who,
	    action_name(rq->action), what);
	CHECK(d.verdict == VERDICT_ALLOW || d.verdict == VERDICT_DENY,
	    "decision for %s %s %s: verdict %d", who, action_name(rq->action),
	    what, (int)d.verdict);
	CHECK(d.reason[0] != '\0', "decision for %s %s %s: no reason", who,
	    action_name(rq->action), what);
	if (d.verdict == VERDICT_ALLOW) {
		CHECK(d.rule != NULL && d.rule >= p->rules &&
		    d.rule < p->rules + p->nrules,
		    "ALLOW for %s %s %s without a rule of the policy", who,
		    action_name(rq->action), what);
		CHECK(d.at.line > 0 && d.at.file != NULL,
		    "ALLOW for %s %s %s at line %d of %s", who,
		    action_name(rq->action), what, d.at.line,
		    d.at.file ? d.at.file : "(no file)");
		CHECK(d.auth == d.rule->auth, "ALLOW for %s %s %s: auth %d, "
		    "rule's %d", who, action_name(rq->action), what,
		    (int)d.auth, (int)d.rule->auth);
		CHECK(first != NULL, "policy_decide allows %s %s %s (%s:%d) "
		    "but explain lists no such permission", who,
		    action_name(rq->action), what, d.at.file, d.at.line);
		CHECK(!d.rule->reason_required || rq->reason != NULL,
		    "policy_decide allows %s %s %s without a reason by a rule "
		    "that requires one (%s:%d)", who, action_name(rq->action),
		    what, d.at.file, d.at.line);
	} else {
		CHECK(d.rule == NULL, "DENY for %s %s %s with a rule", who,
		    action_name(rq->action), what);
		CHECK(first == NULL || reason_lacking(ps, s, rq),
		    "policy_decide refuses %s %s %s but "
		    "explain grants it at %s:%d", who, action_name(rq->action),
		    what, first->at.file, first->at.line);
	}
	/*
	 * One subject kind at a time, explain's first grant is the one the
	 * evaluator uses (rules in file order, items in order).
	 */
	if (first != NULL && (s->user == NULL || s->ngroups == 0))
		CHECK((d.verdict == VERDICT_ALLOW) == (!first->reason_required ||
		    rq->reason != NULL), "policy_decide %s %s %s %s, but its "
		    "first grant (%s:%d) %s a reason and the request %s one",
		    d.verdict == VERDICT_ALLOW ? "allows" : "refuses", who,
		    action_name(rq->action), what, first->at.file,
		    first->at.line, first->reason_required ? "wants" :
		    "wants no", rq->reason ? "gives" : "gives no");
	if (d.verdict == VERDICT_ALLOW && (s->user == NULL || s->ngroups == 0)) {
		CHECK(same_origin(d.at, first->at), "policy_decide grants %s "
		    "%s %s at %s:%d, explain says first at %s:%d", who,
		    action_name(rq->action), what, d.at.file, d.at.line,
		    first->at.file, first->at.line);
		CHECK(d.auth == first->auth, "policy_decide grants %s %s %s "
		    "with auth %d, explain says %d", who,
		    action_name(rq->action), what, (int)d.auth,
		    (int)first->auth);
	}

	CHECK(policy_test_render(p, s, rq, &d, &out) == 0 && !sb_failed(&out),
	    "policy_test_render failed for %s %s %s", who,
	    action_name(rq->action), what);
	check_printable(&out, "policy_test_render");
	sb_free(&out);
}

static void
check_decisions(const struct policy *p, const struct permissions *ps)
{
	struct names users = { .n = 0 }, groups = { .n = 0 };
	static struct requests rs;
	struct subject s;
	size_t i, j, r, budget = MAX_DECISIONS;

	for (i = 0; i < p->nrules; i++) {
		for (j = 0; j < p->rules[i].nusers; j++)
			names_add(&users, p->rules[i].users[j]);
		for (j = 0; j < p->rules[i].ngroups; j++)
			names_add(&groups, p->rules[i].groups[j]);
	}
	names_add(&users, "fuzz-nobody");
	collect_requests(p, &rs);

	for (r = 0; r < rs.n && budget > 0; r++) {
		for (i = 0; i < users.n && budget > 0; i++, budget--) {
			/* the user alone */
			s = (struct subject){ users.v[i], NULL, 0 };
			check_one_decision(p, ps, &s, &rs.v[r]);
			/* the user in every group */
			s = (struct subject){ users.v[i], groups.v, groups.n };
			check_one_decision(p, ps, &s, &rs.v[r]);
		}
		for (i = 0; i < groups.n && budget > 0; i++, budget--) {
			/* a member of that group only, with no user name */
			s = (struct subject){ NULL, &groups.v[i], 1 };
			check_one_decision(p, ps, &s, &rs.v[r]);
		}
	}
}

/* ---- the target ---------------------------------------------------------- */

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct policy_texts texts;   /* 8 KiB: not on the stack */
	struct diags d = { NULL, 0, 0 };
	struct permissions ps;
	struct policy *p;

	split_input(data, size, &texts);
	p = policy_build(&texts, &d);
	check_diags(&texts, &d, p);
	if (p != NULL) {
		CHECK(p->nfiles == texts.n, "policy has %zu files, %zu texts",
		    p->nfiles, texts.n);
		check_plans(p);
		check_explain(p);
		check_diff(p);
		CHECK(policy_permissions(p, &ps) == 0,
		    "policy_permissions failed");
		check_permissions(p, &ps);
		check_diff_others(p, &ps, &texts);
		check_decisions(p, &ps);
		permissions_free(&ps);
		policy_free(p);
	}
	diags_free(&d);
	texts_free(&texts);
	return 0;
}
