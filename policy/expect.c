/*
 * expect.c - policy expectations (expect.h): each line read, decided and
 * answered on its own, in file order.
 *
 * Rules this file keeps:
 * - an expectation is decided exactly as a request is: policy_decide(),
 *   never a second reading of the rules;
 * - the text is any bytes: words are bounded, and every message passes
 *   the terminal escaper where it is printed (printable_fputs).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/expect.h"

enum verb { MAY, MAY_NOT, MAY_ONLY, MAY_NOTHING };

/* One line, cut into words (the line's copy is written into). */
struct line {
	const char *name;           /* the expectations file */
	size_t no;
	char shown[1024];           /* as written, without its comment */
	char text[1024];
	char *w[EXPECT_WORDS_MAX];
	size_t n;
	bool failed;
	struct strbuf *out;
};

/*
 * "NAME:LINE: EXPECTATION: but ..." - one message; a line may have
 * several (may-only), and fails once.
 */
static void
but(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
but(struct line *l, const char *fmt, ...)
{
	va_list ap;

	sb_printf(l->out, "%s:%zu: %s: but ", l->name, l->no, l->shown);
	va_start(ap, fmt);
	sb_vprintf(l->out, fmt, ap);
	va_end(ap);
	sb_puts(l->out, "\n");
	l->failed = true;
}

/* "NAME:LINE: ..." - a line that is not an expectation, and why. */
static void
bad(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
bad(struct line *l, const char *fmt, ...)
{
	va_list ap;

	sb_printf(l->out, "%s:%zu: ", l->name, l->no);
	va_start(ap, fmt);
	sb_vprintf(l->out, fmt, ap);
	va_end(ap);
	sb_puts(l->out, "\n");
	l->failed = true;
}

/* Words of the line, a '#' and what follows dropped, commas as spaces. */
static bool
split(struct line *l, const char *s, size_t len)
{
	char *p, *save = NULL;

	/* a NUL would end the words early: the rest unchecked, silently */
	if (len >= sizeof(l->text) || memchr(s, '\0', len) != NULL)
		return false;
	memcpy(l->text, s, len);
	l->text[len] = '\0';
	if ((p = strchr(l->text, '#')) != NULL)
		*p = '\0';
	snprintf(l->shown, sizeof(l->shown), "%s", l->text +
	    strspn(l->text, " \t"));
	for (p = l->shown + strlen(l->shown); p > l->shown &&
	    strchr(" \t\r", p[-1]) != NULL; p--)
		p[-1] = '\0';
	for (p = l->text; *p != '\0'; p++)
		if (*p == ',' || *p == '\t' || *p == '\r')
			*p = ' ';
	l->n = 0;
	for (p = strtok_r(l->text, " ", &save); p != NULL;
	    p = strtok_r(NULL, " ", &save)) {
		if (l->n == EXPECT_WORDS_MAX)
			return false;
		l->w[l->n++] = p;
	}
	return true;
}

/* ---- the words -------------------------------------------------------------- */

static const char *const verbs[] = { "may", "may-not", "may-only",
	"may-nothing" };

static int
verb_of(const char *w)
{
	int v;

	for (v = MAY; v <= MAY_NOTHING; v++)
		if (strcmp(w, verbs[v]) == 0)
			return v;
	return -1;
}

/* Who: "deploy", "deploy in ops web", "group ci".  *AT: the verb's word. */
static bool
read_subject(const struct line *l, struct subject *s,
    const char **groups, size_t *at)
{
	size_t i = 1, k = 0;

	memset(s, 0, sizeof(*s));
	if (l->n >= 2 && strcmp(l->w[0], "group") == 0) {
		groups[0] = l->w[1];
		s->groups = groups;
		s->ngroups = 1;
		*at = 2;
		return true;
	}
	if (l->n < 1 || verb_of(l->w[0]) != -1)
		return false;
	s->user = l->w[0];
	if (i < l->n && strcmp(l->w[i], "in") == 0)
		for (i++; i < l->n && verb_of(l->w[i]) == -1; i++)
			groups[k++] = l->w[i];
	if (i > 1 && k == 0)
		return false;
	s->groups = groups;
	s->ngroups = k;
	*at = i;
	return true;
}

/* ACTION TARGET as a request of a target the policy defines. */
static bool
read_request(struct line *l, const struct policy *p, const char *action,
    const char *target, struct request *rq)
{
	bool defined;

	memset(rq, 0, sizeof(*rq));
	if (action_from_name(action, &rq->action) == -1) {
		bad(l, "\"%s\" is not an action: free-port, start, stop, "
		    "verify or switch", action);
		return false;
	}
	rq->target = target;
	switch (rq->action) {
	case ACT_FREE_PORT:
		rq->port = port_from_string(target);
		defined = rq->port != -1 && policy_port(p, rq->port) != NULL;
		break;
	case ACT_START:
	case ACT_STOP:
		defined = policy_service(p, target) != NULL;
		break;
	case ACT_VERIFY:
		defined = policy_check(p, target) != NULL;
		break;
	default:
		defined = policy_plan(p, target) != NULL;
		break;
	}
	if (!defined)
		bad(l, "the policy defines no %s %s (a typo?)",
		    rq->action == ACT_FREE_PORT ? "port" :
		    rq->action == ACT_VERIFY ? "check" :
		    rq->action == ACT_SWITCH ? "plan" : "service", target);
	return defined;
}

/* ---- what the policy answers ------------------------------------------------- */

/* Candidate I of every action on every target P defines; false past them. */
static bool
candidate(const struct policy *p, size_t i, struct request *rq, char *port,
    size_t portsz)
{
	memset(rq, 0, sizeof(*rq));
	if (i < p->nports) {
		rq->action = ACT_FREE_PORT;
		rq->port = p->ports[i].port;
		snprintf(port, portsz, "%d", rq->port);
		rq->target = port;
		return true;
	}
	i -= p->nports;
	if (i < 2 * p->nservices) {
		rq->action = i < p->nservices ? ACT_START : ACT_STOP;
		rq->target = p->services[i % p->nservices].name;
		return true;
	}
	i -= 2 * p->nservices;
	if (i < p->nchecks) {
		rq->action = ACT_VERIFY;
		rq->target = p->checks[i].name;
		return true;
	}
	i -= p->nchecks;
	if (i < p->nplans) {
		rq->action = ACT_SWITCH;
		rq->target = p->plans[i].name;
		return true;
	}
	return false;
}

static bool
same_request(const struct request *a, const struct request *b)
{
	if (a->action != b->action)
		return false;
	return a->action == ACT_FREE_PORT ? a->port == b->port :
	    strcmp(a->target, b->target) == 0;
}

/*
 * Why D denies, in the subject's words: decide names a user, and a group's
 * member has none ("no rule names user ?", "1 rule names ?, but ...").
 */
static const char *
denial(const struct decision *d, const struct subject *s, char *buf,
    size_t bufsz)
{
	const char *q = strchr(d->detail, '?');

	if (s->user == NULL && strncmp(d->detail, "no rule names user", 18) == 0)
		snprintf(buf, bufsz, "%s: no rule names group %s", d->reason,
		    s->groups[0]);
	else if (s->user == NULL && q != NULL)
		snprintf(buf, bufsz, "%s: %.*sgroup %s%s", d->reason,
		    (int)(q - d->detail), d->detail, s->groups[0], q + 1);
	else
		snprintf(buf, bufsz, "%s%s%s", d->reason, d->detail[0] ? ": " :
		    "", d->detail);
	return buf;
}

static void
check_may(struct line *l, const struct policy *p, const struct subject *s,
    const struct request *rq, bool may)
{
	struct decision d;
	char why[1024];

	policy_decide(p, s, rq, &d);
	if (may && d.verdict != VERDICT_ALLOW)
		but(l, "%s", denial(&d, s, why, sizeof(why)));
	else if (!may && d.verdict == VERDICT_ALLOW)
		but(l, "%s:%d allows it", d.at.file, d.at.line);
}

/* may-only: each listed one allowed, and nothing else. */
static void
check_only(struct line *l, const struct policy *p, const struct subject *s,
    const struct request *want, size_t nwant)
{
	struct request rq;
	struct decision d;
	char port[16], why[1024];
	size_t i, k;

	for (k = 0; k < nwant; k++) {
		policy_decide(p, s, &want[k], &d);
		if (d.verdict != VERDICT_ALLOW)
			but(l, "it may not %s %s: %s",
			    action_name(want[k].action), want[k].target,
			    denial(&d, s, why, sizeof(why)));
	}
	for (i = 0; candidate(p, i, &rq, port, sizeof(port)); i++) {
		for (k = 0; k < nwant && !same_request(&rq, &want[k]); k++)
			;
		if (k < nwant)
			continue;
		policy_decide(p, s, &rq, &d);
		if (d.verdict == VERDICT_ALLOW)
			but(l, "it may also %s %s (%s:%d)",
			    action_name(rq.action), rq.target, d.at.file,
			    d.at.line);
	}
}

/* The requests after the verb, ACTION TARGET pairs. */
static bool
read_requests(struct line *l, const struct policy *p, size_t at,
    struct request *rq, size_t *n)
{
	size_t i;

	if ((l->n - at) % 2 != 0) {
		bad(l, "an action without its target: write ACTION TARGET, "
		    "as in \"verify homepage\"");
		return false;
	}
	for (*n = 0, i = at; i < l->n; i += 2)
		if (!read_request(l, p, l->w[i], l->w[i + 1], &rq[(*n)++]))
			return false;
	return true;
}

static void
check_line(struct line *l, const struct policy *p)
{
	struct request rq[EXPECT_WORDS_MAX / 2];
	const char *groups[EXPECT_WORDS_MAX];
	struct subject s;
	size_t at, n;
	int verb;

	if (!read_subject(l, &s, groups, &at) || at >= l->n ||
	    (verb = verb_of(l->w[at])) == -1) {
		bad(l, "not an expectation: write USER, USER in GROUP,... or "
		    "group GROUP, then may, may-not, may-only or may-nothing");
		return;
	}
	if (!read_requests(l, p, at + 1, rq, &n))
		return;
	if ((verb == MAY || verb == MAY_NOT) && n != 1)
		bad(l, "%s takes one ACTION TARGET", verbs[verb]);
	else if (verb == MAY_NOTHING && n != 0)
		bad(l, "may-nothing takes no ACTION TARGET");
	else if (verb == MAY_ONLY && n == 0)
		bad(l, "may-only takes at least one ACTION TARGET "
		    "(may-nothing: none at all)");
	else if (verb == MAY || verb == MAY_NOT)
		check_may(l, p, &s, &rq[0], verb == MAY);
	else
		check_only(l, p, &s, rq, n);
}

int
policy_expect(const struct policy *p, const char *name, const char *text,
    size_t len, struct strbuf *out, struct expect_result *res)
{
	struct line l;
	const char *at = text, *end = text + len, *nl;

	memset(res, 0, sizeof(*res));
	for (l.no = 1; at < end; l.no++, at = nl + 1) {
		if ((nl = memchr(at, '\n', (size_t)(end - at))) == NULL)
			nl = end;
		l.name = name;
		l.out = out;
		l.failed = false;
		if (!split(&l, at, (size_t)(nl - at))) {
			bad(&l, "not an expectation: longer than %zu bytes or "
			    "%d words, or a NUL byte in it", sizeof(l.text) - 1,
			    EXPECT_WORDS_MAX);
		} else if (l.n == 0)
			continue;
		else
			check_line(&l, p);
		res->lines++;
		res->failed += l.failed;
	}
	return sb_failed(out) ? -1 : 0;
}
