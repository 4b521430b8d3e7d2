/*
 * decide.c - (policy, subject, request) -> decision.  Pure and total:
 * whatever it is given, it answers allow or deny, and it allows only when
 * a rule names the subject and lists the request's target.  Deny is the
 * default; there is no wildcard.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"

static const char *const action_names[] = {
	[ACT_FREE_PORT] = "free-port",
	[ACT_START] = "start",
	[ACT_STOP] = "stop",
	[ACT_VERIFY] = "verify",
	[ACT_SWITCH] = "switch",
};

const char *
action_name(enum action a)
{
	if ((size_t)a < sizeof(action_names) / sizeof(action_names[0]))
		return action_names[a];
	return "?";
}

int
action_from_name(const char *s, enum action *a)
{
	size_t i;

	for (i = 0; i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (strcmp(action_names[i], s) == 0) {
			*a = (enum action)i;
			return 0;
		}
	return -1;
}

int
port_from_string(const char *s)
{
	int port = 0;
	size_t i;

	if (s[0] == '\0' || s[0] == '0' || strlen(s) > 5)
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		port = port * 10 + (s[i] - '0');
	}
	return port <= 65535 ? port : -1;
}

const struct service *
policy_service(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nservices; i++)
		if (strcmp(p->services[i].name, name) == 0)
			return &p->services[i];
	return NULL;
}

const struct check *
policy_check(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nchecks; i++)
		if (strcmp(p->checks[i].name, name) == 0)
			return &p->checks[i];
	return NULL;
}

const struct plan *
policy_plan(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->nplans; i++)
		if (strcmp(p->plans[i].name, name) == 0)
			return &p->plans[i];
	return NULL;
}

const struct port_grant *
policy_port(const struct policy *p, int port)
{
	size_t i;

	for (i = 0; i < p->nports; i++)
		if (p->ports[i].port == port)
			return &p->ports[i];
	return NULL;
}

bool
policy_plan_has_port(const struct plan *pl, int port)
{
	size_t i;

	for (i = 0; i < pl->nports; i++)
		if (pl->ports[i] == port)
			return true;
	return false;
}

bool
policy_plan_persists(const struct plan *pl)
{
	return pl->persist != PERSIST_NONE &&
	    (pl->from->unit != NULL || pl->to->unit != NULL);
}

bool
policy_plan_pauses(const struct plan *pl)
{
	return pl->to->handoff != HANDOFF_NONE && pl->rollback &&
	    pl->nverify > 0;
}

void
policy_plan_port_numbers(const struct plan *pl, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < pl->nports && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%d", i == 0 ?
		    "" : i + 1 == pl->nports ? " and " : ", ", pl->ports[i]);
}

void
policy_plan_ports_words(const struct plan *pl, char *buf, size_t size)
{
	char numbers[64];

	policy_plan_port_numbers(pl, numbers, sizeof(numbers));
	snprintf(buf, size, "port%s %s", pl->nports > 1 ? "s" : "", numbers);
}

static bool
listed(const char *name, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

static bool
rule_names_subject(const struct rule *r, const struct subject *s)
{
	size_t i;

	if (s->user != NULL && listed(s->user, r->users, r->nusers))
		return true;
	for (i = 0; i < s->ngroups; i++)
		if (listed(s->groups[i], r->groups, r->ngroups))
			return true;
	return false;
}

const struct grant_list *
policy_rule_grants(const struct rule *r, enum action a)
{
	switch (a) {
	case ACT_FREE_PORT: return &r->free;
	case ACT_START:     return &r->start;
	case ACT_STOP:      return &r->stop;
	case ACT_VERIFY:    return &r->verify;
	case ACT_SWITCH:    return &r->plans;
	}
	return NULL;
}

static bool
item_matches(const struct grant_item *it, const struct request *rq)
{
	switch (rq->action) {
	case ACT_FREE_PORT:
		return it->port->port == rq->port;
	case ACT_START:
	case ACT_STOP:
		return rq->target && strcmp(it->service->name, rq->target) == 0;
	case ACT_VERIFY:
		return rq->target && strcmp(it->check->name, rq->target) == 0;
	case ACT_SWITCH:
		return rq->target && strcmp(it->plan->name, rq->target) == 0;
	}
	return false;
}

/* Why nothing matched, in more words than the caller is told. */
static void
explain_denial(const struct policy *p, const struct subject *s,
    const struct request *rq, size_t nnaming, struct decision *d)
{
	bool defined = true;

	switch (rq->action) {
	case ACT_FREE_PORT:
		defined = policy_port(p, rq->port) != NULL;
		break;
	case ACT_START:
	case ACT_STOP:
		defined = rq->target && policy_service(p, rq->target);
		break;
	case ACT_VERIFY:
		defined = rq->target && policy_check(p, rq->target);
		break;
	case ACT_SWITCH:
		defined = rq->target && policy_plan(p, rq->target);
		break;
	}
	if (p->nrules == 0)
		snprintf(d->detail, sizeof(d->detail), "the policy has no rules");
	else if (!defined && rq->action == ACT_FREE_PORT)
		snprintf(d->detail, sizeof(d->detail), "the policy does not "
		    "list port %d under ports", rq->port);
	else if (!defined)
		snprintf(d->detail, sizeof(d->detail), "the policy defines no "
		    "%s by that name", rq->action == ACT_VERIFY ? "check" :
		    rq->action == ACT_SWITCH ? "plan" : "service");
	else if (nnaming == 0)
		snprintf(d->detail, sizeof(d->detail), "no rule names user %s "
		    "or any of its %zu groups", s->user ? s->user : "?",
		    s->ngroups);
	else
		snprintf(d->detail, sizeof(d->detail), "%zu rule%s name%s %s, "
		    "but none lists this %s", nnaming, nnaming == 1 ? "" : "s",
		    nnaming == 1 ? "s" : "", s->user ? s->user : "?",
		    rq->action == ACT_FREE_PORT ? "port" : "target");
}

/*
 * A rule with reason = "required" allows only a request that gives one
 * (--reason TEXT).  As with auth, the first rule that lists the target
 * decides: a later rule that asks for no reason does not lift the need,
 * so what policy explain shows first is what applies.
 */
static void
refuse_for_reason(const struct rule *r, const struct request *rq,
    struct decision *d)
{
	snprintf(d->reason, sizeof(d->reason), "the rule at %s:%d allows it "
	    "only with a reason; give one: cutover --reason TEXT %s ...",
	    r->at.file, r->at.line, action_name(rq->action));
	snprintf(d->detail, sizeof(d->detail), "reason = \"required\" in "
	    "the rule at %s:%d, and the request gave no --reason",
	    r->at.file, r->at.line);
}

void
policy_decide(const struct policy *p, const struct subject *s,
    const struct request *rq, struct decision *d)
{
	const struct grant_list *gl;
	size_t i, j, nnaming = 0;

	memset(d, 0, sizeof(*d));
	d->verdict = VERDICT_DENY;
	for (i = 0; i < p->nrules; i++) {
		const struct rule *r = &p->rules[i];
		if (!rule_names_subject(r, s))
			continue;
		nnaming++;
		if ((gl = policy_rule_grants(r, rq->action)) == NULL)
			continue;
		for (j = 0; j < gl->n; j++) {
			if (!item_matches(&gl->items[j], rq))
				continue;
			if (r->reason_required && rq->reason == NULL) {
				refuse_for_reason(r, rq, d);
				return;
			}
			d->verdict = VERDICT_ALLOW;
			d->rule = r;
			d->at = gl->items[j].at;
			d->auth = r->auth;
			snprintf(d->reason, sizeof(d->reason),
			    "allowed by the rule at %s:%d",
			    r->at.file, r->at.line);
			return;
		}
	}
	snprintf(d->reason, sizeof(d->reason), "no rule allows it");
	explain_denial(p, s, rq, nnaming, d);
}
