/*
 * explain.c - a policy in words: the permissions each subject holds, what
 * each one does exactly (which binary, as whom, with which capabilities,
 * which signal), where it was granted, and what changed between two
 * policies.
 *
 * Every string that came from policy text or from the caller is printed
 * through sb_word(), sb_quoted() or sb_prose(), which escape control and
 * non-ASCII bytes: a reviewer must see the bytes cutover will use, and a
 * policy must not be able to rewrite the reviewer's terminal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/explain.h"

#define PAM_NOTE " (PAM authentication first)"
#define REASON_NOTE " (with --reason TEXT)"

/* ---- quoting ----------------------------------------------------------- */

/* Bytes that need no quoting in a word: no shell or reader would split on them. */
static bool
word_byte_plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("_@%+=:,./-", c) != NULL;
}

/* Escape " and \ and every byte outside printable ASCII, C style. */
static void
sb_escaped(struct strbuf *sb, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			sb_printf(sb, "\\%c", *p);
		else if (*p == '\n')
			sb_puts(sb, "\\n");
		else if (*p == '\t')
			sb_puts(sb, "\\t");
		else if (*p < 0x20 || *p >= 0x7f)
			sb_printf(sb, "\\x%02x", *p);
		else
			sb_append(sb, (const char *)p, 1);
	}
}

static void
sb_quoted(struct strbuf *sb, const char *s)
{
	sb_puts(sb, "\"");
	sb_escaped(sb, s);
	sb_puts(sb, "\"");
}

/* S as is when it is one plain word, else quoted: argv stays exact. */
static void
sb_word(struct strbuf *sb, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (!word_byte_plain(*p))
			break;
	if (*p == '\0' && p != (const unsigned char *)s)
		sb_puts(sb, s);
	else
		sb_quoted(sb, s);
}

/* Prose (a decision's reason): spaces stay, odd bytes are escaped. */
static void
sb_prose(struct strbuf *sb, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p >= 0x7f)
			sb_printf(sb, "\\x%02x", *p);
		else
			sb_append(sb, (const char *)p, 1);
	}
}

/* ---- small parts of effects --------------------------------------------- */

/* "5.0 s", "0.25 s": as many decimals as the policy wrote, at least one. */
static void
sb_seconds(struct strbuf *sb, double seconds)
{
	char num[64];
	size_t len;

	snprintf(num, sizeof(num), "%.3f", seconds);
	len = strlen(num);
	while (len > 0 && num[len - 1] == '0' && num[len - 2] != '.')
		num[--len] = '\0';
	sb_printf(sb, "%s s", num);
}

static void
sb_signal(struct strbuf *sb, int signo)
{
	const char *name = policy_signal_name(signo);

	if (name == NULL || strcmp(name, "?") == 0)
		sb_printf(sb, "signal %d", signo);
	else
		sb_printf(sb, "%s%s", strncmp(name, "SIG", 3) ? "SIG" : "", name);
}

/* What happens when a stopped service outlives its stop_timeout. */
static void
sb_after_timeout(struct strbuf *sb, const struct service *svc)
{
	sb_puts(sb, svc->kill_after ? ", then SIGKILL" : ", then gives up");
}

/* "SIGWINCH, drain up to 30.0 s, then ": a graceful stop first. */
static void
sb_drain(struct strbuf *sb, const struct service *svc)
{
	if (svc->drain_signal == 0)
		return;
	sb_signal(sb, svc->drain_signal);
	sb_puts(sb, ", drain up to ");
	sb_seconds(sb, svc->drain_timeout);
	sb_puts(sb, ", then ");
}

/* "SIGTERM, 5.0 s, then SIGKILL": what stopping a service sends. */
static void
sb_stop_sequence(struct strbuf *sb, const struct service *svc)
{
	if (svc->unit != NULL) {
		sb_puts(sb, "in ");
		sb_word(sb, svc->unit);
		sb_puts(sb, "'s cgroup, stopped by systemd, ");
		sb_seconds(sb, svc->stop_timeout);
		return;
	}
	sb_drain(sb, svc);
	sb_signal(sb, svc->stop_signal);
	sb_puts(sb, ", ");
	sb_seconds(sb, svc->stop_timeout);
	sb_after_timeout(sb, svc);
}

/* "a", "a or b", "a, b or c" */
static const char *
list_separator(size_t i, size_t n, const char *last)
{
	if (i == 0)
		return "";
	return i + 1 == n ? last : ", ";
}

static void
sb_words(struct strbuf *sb, const char *const *v, size_t n, const char *sep)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sb_puts(sb, i ? sep : "");
		sb_word(sb, v[i]);
	}
}

/*
 * "as root or www-data": whose processes of the exe count as the
 * service's (identity is exe and user, never the exe alone).
 */
static void
sb_holder_users(struct strbuf *sb, const struct service *svc)
{
	size_t i;

	sb_puts(sb, " as ");
	if (svc->nholder_users == 0) {
		if (svc->user != NULL)
			sb_word(sb, svc->user);
		else
			sb_printf(sb, "uid %lld", svc->uid);
		return;
	}
	for (i = 0; i < svc->nholder_users; i++) {
		sb_puts(sb, list_separator(i, svc->nholder_users, " or "));
		sb_word(sb, svc->holder_users[i]);
	}
}

/* ---- effects ------------------------------------------------------------ */

static void
effect_free_port(struct strbuf *sb, const struct port_grant *pg)
{
	size_t i;

	sb_printf(sb, "free port %d", pg->port);
	if (pg->nholders == 0) {
		sb_puts(sb, " (no service may be stopped for it)");
		return;
	}
	sb_puts(sb, " by stopping ");
	for (i = 0; i < pg->nholders; i++) {
		const struct service *svc = pg->holders[i];

		sb_puts(sb, list_separator(i, pg->nholders, " or "));
		sb_word(sb, svc->name);
		sb_puts(sb, " (");
		sb_word(sb, svc->exe);
		sb_holder_users(sb, svc);
		sb_puts(sb, ", ");
		sb_stop_sequence(sb, svc);
		sb_puts(sb, ")");
	}
}

/* "nginx:nginx", "uid 1234:(primary group)", "root:root (allow_root)" */
static void
sb_run_as(struct strbuf *sb, const struct service *svc)
{
	if (svc->user != NULL)
		sb_word(sb, svc->user);
	else
		sb_printf(sb, "uid %lld", svc->uid);
	sb_puts(sb, ":");
	if (svc->group != NULL)
		sb_word(sb, svc->group);
	else
		sb_puts(sb, "(primary group)");
	if (svc->allow_root)
		sb_puts(sb, " (allow_root)");
}

static void
sb_ports(struct strbuf *sb, const int *ports, size_t n)
{
	size_t i;

	if (n == 0) {
		sb_puts(sb, "no declared port");
		return;
	}
	for (i = 0; i < n; i++)
		sb_printf(sb, "%s%d", i ? ", " : "", ports[i]);
}

/*
 * What the service finds when a switch starts it: policy.h's contract,
 * in the words of the variables it sees.
 */
static void
sb_handoff(struct strbuf *sb, enum socket_handoff handoff, size_t nports)
{
	switch (handoff) {
	case HANDOFF_NONE:
		break;
	case HANDOFF_SYSTEMD:
		sb_puts(sb, nports == 1 ? "; in a switch, inherits the port's "
		    "listening socket as fd 3 with LISTEN_FDS=1" : "; in a "
		    "switch, inherits its ports' listening sockets from fd 3 "
		    "on, with LISTEN_FDS");
		break;
	case HANDOFF_NGINX:
		sb_puts(sb, nports == 1 ? "; in a switch, inherits the port's "
		    "listening socket as fd 3 with NGINX=3;" : "; in a switch, "
		    "inherits its ports' listening sockets from fd 3 on, with "
		    "NGINX=3;4;...");
		break;
	}
}

/*
 * start_timeout is left out: how long cutover waits for the ports changes
 * nothing about what runs, and with whose powers.
 */
/* "start nginx: systemd starts nginx.service (its processes: ...)" */
static void
effect_start_unit(struct strbuf *sb, const struct service *svc)
{
	sb_puts(sb, "start ");
	sb_word(sb, svc->name);
	sb_puts(sb, ": systemd starts ");
	sb_word(sb, svc->unit);
	sb_puts(sb, " (its processes: ");
	sb_word(sb, svc->exe);
	sb_holder_users(sb, svc);
	sb_puts(sb, " in the unit's cgroup; listens on ");
	sb_ports(sb, svc->ports, svc->nports);
	sb_puts(sb, ")");
}

/* Each of a plan's ports freed, as free-port of each would say it. */
static void
effect_free_ports(struct strbuf *sb, const struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->nports; i++) {
		sb_puts(sb, i ? "; " : "");
		effect_free_port(sb, pl->grants[i]);
	}
}

static void
effect_start(struct strbuf *sb, const struct service *svc)
{
	if (svc->unit != NULL) {
		effect_start_unit(sb, svc);
		return;
	}
	sb_puts(sb, "start ");
	sb_word(sb, svc->name);
	sb_puts(sb, " as ");
	sb_run_as(sb, svc);
	if (svc->ncapabilities == 0)
		sb_puts(sb, " with no capabilities");
	else {
		sb_puts(sb, " with capabilities ");
		sb_words(sb, svc->capabilities, svc->ncapabilities, ", ");
	}
	if (svc->nenv > 0) {
		sb_puts(sb, " and env ");
		sb_words(sb, svc->env, svc->nenv, " ");
	}
	sb_puts(sb, ": ");
	sb_words(sb, svc->start, svc->nstart, " ");
	sb_puts(sb, " (listens on ");
	sb_ports(sb, svc->ports, svc->nports);
	sb_handoff(sb, svc->handoff, svc->nports);
	sb_puts(sb, ")");
}

static void
effect_stop(struct strbuf *sb, const struct service *svc)
{
	sb_puts(sb, "stop ");
	sb_word(sb, svc->name);
	sb_puts(sb, ": ");
	if (svc->unit != NULL) {
		sb_puts(sb, "systemd stops ");
		sb_word(sb, svc->unit);
		sb_puts(sb, ", wait ");
		sb_seconds(sb, svc->stop_timeout);
		return;
	}
	sb_drain(sb, svc);
	sb_signal(sb, svc->stop_signal);
	sb_puts(sb, " to processes of ");
	sb_word(sb, svc->exe);
	sb_holder_users(sb, svc);
	sb_puts(sb, ", wait ");
	sb_seconds(sb, svc->stop_timeout);
	sb_after_timeout(sb, svc);
}

/* What an https check asks of the certificate, and whom it trusts. */
static void
effect_tls(struct strbuf *sb, const struct check *chk)
{
	if (chk->pinned_key != NULL)
		sb_puts(sb, " and a pinned server key");
	if (chk->cert_min_days > 0)
		sb_printf(sb, " and a certificate valid %d more days",
		    chk->cert_min_days);
	if (chk->ca_file != NULL) {
		sb_puts(sb, ", trusting only the CAs of ");
		sb_word(sb, chk->ca_file);
	}
}

/*
 * What a check asks of the response, after the name the caller types
 * ("verify homepage: check ..."), so explain, list and a switch's steps
 * say it alike.  timeout and max_body are left out: they bound the work
 * of one attempt and grant nothing.
 */
static void
effect_verify(struct strbuf *sb, const struct check *chk)
{
	sb_puts(sb, "verify ");
	sb_word(sb, chk->name);
	sb_puts(sb, ": check ");
	sb_word(sb, chk->url);
	if (chk->connect_host != NULL) {
		/* where the requests go is part of what is granted */
		sb_printf(sb, " at %s", chk->connect_host);
		if (chk->connect_port > 0)
			sb_printf(sb, ":%d", chk->connect_port);
	}
	sb_printf(sb, " for status %d", chk->status);
	if (chk->contains != NULL) {
		sb_puts(sb, " and body containing ");
		sb_quoted(sb, chk->contains);
	}
	if (chk->sha256 != NULL) {
		sb_puts(sb, " and body sha256 ");
		sb_word(sb, chk->sha256);
	}
	if (chk->header != NULL) {
		sb_puts(sb, " and header ");
		sb_quoted(sb, chk->header);
	}
	effect_tls(sb, chk);
	if (chk->served_by != NULL) {
		/* whose answer counts is part of what the check proves */
		sb_printf(sb, ", served by ");
		sb_word(sb, chk->served_by->name);
		sb_printf(sb, " alone on port %d", chk->port);
	}
	if (chk->follow)
		sb_puts(sb, ", following redirects on the same host");
	if (chk->within > 0) {
		sb_puts(sb, ", waiting for a server not ready up to ");
		sb_seconds(sb, chk->within);
	} else
		sb_puts(sb, ", one attempt");
}

static bool
plan_has_units(const struct plan *pl)
{
	return pl->from->unit != NULL || pl->to->unit != NULL;
}

/* ", then enable nginx.service and disable apache2.service" */
static void
sb_persist(struct strbuf *sb, const struct plan *pl)
{
	if (!plan_has_units(pl))
		return;
	if (pl->persist == PERSIST_NONE) {
		sb_puts(sb, ", then leave what starts at boot as it is");
		return;
	}
	sb_puts(sb, ", then ");
	if (pl->to->unit != NULL) {
		sb_puts(sb, "enable ");
		sb_word(sb, pl->to->unit);
	}
	if (pl->from->unit != NULL) {
		sb_puts(sb, pl->to->unit != NULL ? " and " : "");
		sb_puts(sb, pl->persist == PERSIST_MASK ? "disable and mask " :
		    "disable ");
		sb_word(sb, pl->from->unit);
	}
}

/*
 * "switch newsite: free port 8080 from apache2, start nginx, ..."; with
 * a socket handoff the overlap: "start nginx on port 8080's listening
 * socket while apache2 serves, then stop apache2, ..."
 */
static void
switch_summary(struct strbuf *sb, const struct plan *pl)
{
	char ports[64];
	size_t i;

	policy_plan_ports_words(pl, ports, sizeof(ports));
	sb_puts(sb, "switch ");
	sb_word(sb, pl->name);
	if (pl->to->handoff != HANDOFF_NONE) {
		sb_puts(sb, ": start ");
		sb_word(sb, pl->to->name);
		if (pl->nports == 1)
			sb_printf(sb, " on port %d's listening socket while ",
			    pl->ports[0]);
		else
			sb_printf(sb, " on the listening sockets of %s while ",
			    ports);
		sb_word(sb, pl->from->name);
		sb_puts(sb, policy_plan_pauses(pl) ? " serves, pause " :
		    " serves, then stop ");
		sb_word(sb, pl->from->name);
	} else {
		sb_printf(sb, ": free %s from ", ports);
		sb_word(sb, pl->from->name);
		sb_puts(sb, ", start ");
		sb_word(sb, pl->to->name);
	}
	for (i = 0; i < pl->nverify; i++) {
		sb_puts(sb, i == 0 ? ", verify " : " and ");
		sb_word(sb, pl->verify[i]->name);
	}
	if (pl->nverify == 0)
		sb_puts(sb, ", no check");
	if (policy_plan_pauses(pl)) {
		sb_puts(sb, ", then stop ");
		sb_word(sb, pl->from->name);
	}
	sb_persist(sb, pl);
	sb_puts(sb, pl->rollback ? "; on failure " : "; no rollback");
	if (pl->rollback && policy_plan_pauses(pl)) {
		sb_puts(sb, "let ");
		sb_word(sb, pl->from->name);
		sb_puts(sb, " go on, ");
	}
	if (pl->rollback) {
		sb_puts(sb, "stop ");
		sb_word(sb, pl->to->name);
		sb_puts(sb, " and start ");
		sb_word(sb, pl->from->name);
		sb_puts(sb, pl->to->handoff != HANDOFF_NONE ? " again if it was "
		    "stopped" : " again");
		if (plan_has_units(pl) && pl->persist != PERSIST_NONE)
			sb_puts(sb, ", as enabled, disabled or masked as before");
	}
}

/*
 * A plan allows exactly its steps, so they are what a reviewer reads:
 * the summary, then each step as the permission of its own would say it.
 * A change to any of them (a holder's signal, the new service's command,
 * a check's URL) is then a change of the switch, and diff shows it.
 */
static void
effect_switch(struct strbuf *sb, const struct plan *pl)
{
	char ports[64];
	size_t i;

	policy_plan_ports_words(pl, ports, sizeof(ports));
	switch_summary(sb, pl);
	sb_puts(sb, ". Steps: ");
	if (pl->to->handoff != HANDOFF_NONE) {
		/* the overlap: the old one stops after the new one is up */
		if (pl->nports == 1)
			sb_printf(sb, "take over port %d's listening socket "
			    "(where it cannot be: ", pl->ports[0]);
		else
			sb_printf(sb, "take over every listening socket of %s "
			    "(where one cannot be: ", ports);
		effect_free_ports(sb, pl);
		sb_puts(sb, ", first); ");
		effect_start(sb, pl->to);
		sb_puts(sb, "; ");
		if (policy_plan_pauses(pl)) {
			sb_puts(sb, "pause ");
			sb_word(sb, pl->from->name);
			sb_printf(sb, ": SIGSTOP to its processes that hold %s, "
			    "SIGCONT after the checks", ports);
		} else
			effect_stop(sb, pl->from);
	} else {
		effect_free_ports(sb, pl);
		sb_puts(sb, "; ");
		effect_start(sb, pl->to);
	}
	for (i = 0; i < pl->nverify; i++) {
		sb_puts(sb, "; ");
		effect_verify(sb, pl->verify[i]);
	}
	if (policy_plan_pauses(pl)) {
		sb_puts(sb, "; ");
		effect_stop(sb, pl->from);
	}
	if (pl->rollback) {
		sb_puts(sb, "; on failure: ");
		effect_stop(sb, pl->to);
		sb_puts(sb, "; ");
		effect_start(sb, pl->from);
	}
}

void
policy_effect(struct strbuf *sb, enum action act, const struct grant_item *it)
{
	switch (act) {
	case ACT_FREE_PORT:
		effect_free_port(sb, it->port);
		break;
	case ACT_START:
		effect_start(sb, it->service);
		break;
	case ACT_STOP:
		effect_stop(sb, it->service);
		break;
	case ACT_VERIFY:
		effect_verify(sb, it->check);
		break;
	case ACT_SWITCH:
		effect_switch(sb, it->plan);
		break;
	}
}

/* "free port 8080", "start nginx", "verify homepage": what was asked. */
static void
sb_request(struct strbuf *sb, enum action act, const char *target, int port)
{
	static const char *const verbs[] = {
		[ACT_FREE_PORT] = "free port", [ACT_START] = "start",
		[ACT_STOP] = "stop", [ACT_VERIFY] = "verify",
		[ACT_SWITCH] = "switch",
	};

	if ((size_t)act >= sizeof(verbs) / sizeof(verbs[0])) {
		sb_puts(sb, "do an unknown action");
		return;
	}
	sb_printf(sb, "%s ", verbs[act]);
	if (act == ACT_FREE_PORT)
		sb_printf(sb, "%d", port);
	else
		sb_word(sb, target ? target : "");
}

static const char *
auth_name(enum auth_method auth)
{
	return auth == AUTH_PAM ? "pam" : "none";
}

static void
sb_origin(struct strbuf *sb, struct origin at)
{
	sb_prose(sb, at.file ? at.file : "(unknown file)");
	sb_printf(sb, ":%d", at.line);
}

/* ---- flattening rules into permissions ---------------------------------- */

#define NACTIONS (ACT_SWITCH + 1)

/* A permission while being collected: SEQ is its place in file order. */
struct raw_perm {
	struct permission p;
	size_t seq;
};

struct collector {
	struct raw_perm *v;
	size_t n, cap;
	bool oom;
};

static void
collect_one(struct collector *c, enum subject_kind kind, const char *subject,
    enum action act, const struct grant_item *it, const struct rule *r)
{
	struct raw_perm *v;

	if (c->oom)
		return;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;

		if ((v = reallocarray(c->v, cap, sizeof(*v))) == NULL) {
			c->oom = true;
			return;
		}
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n].p = (struct permission){ .kind = kind, .subject = subject,
	    .action = act, .item = it, .auth = r->auth,
	    .reason_required = r->reason_required, .at = it->at };
	c->v[c->n].seq = c->n;
	c->n++;
}

static void
collect_subject(struct collector *c, const struct rule *r,
    enum subject_kind kind, const char *subject)
{
	const struct grant_list *gl;
	size_t a, i;

	for (a = 0; a < NACTIONS; a++) {
		gl = policy_rule_grants(r, (enum action)a);
		for (i = 0; i < gl->n; i++)
			collect_one(c, kind, subject, (enum action)a,
			    &gl->items[i], r);
	}
}

static void
collect_rule(struct collector *c, const struct rule *r)
{
	size_t i;

	for (i = 0; i < r->nusers; i++)
		collect_subject(c, r, SUBJECT_USER, r->users[i]);
	for (i = 0; i < r->ngroups; i++)
		collect_subject(c, r, SUBJECT_GROUP, r->groups[i]);
}

static int
compare_targets(enum action act, const struct grant_item *a,
    const struct grant_item *b)
{
	switch (act) {
	case ACT_FREE_PORT:
		return (a->port->port > b->port->port) -
		    (a->port->port < b->port->port);
	case ACT_START:
	case ACT_STOP:
		return strcmp(a->service->name, b->service->name);
	case ACT_VERIFY:
		return strcmp(a->check->name, b->check->name);
	case ACT_SWITCH:
		return strcmp(a->plan->name, b->plan->name);
	}
	return 0;
}

/* The identity of a permission: who, what, on what; not how or where. */
static int
compare_keys(const struct permission *a, const struct permission *b)
{
	int c;

	if (a->kind != b->kind)
		return a->kind == SUBJECT_USER ? -1 : 1;
	if ((c = strcmp(a->subject, b->subject)) != 0)
		return c;
	if (a->action != b->action)
		return a->action < b->action ? -1 : 1;
	return compare_targets(a->action, a->item, b->item);
}

static int
compare_raw(const void *pa, const void *pb)
{
	const struct raw_perm *a = pa, *b = pb;
	int c = compare_keys(&a->p, &b->p);

	if (c != 0)
		return c;
	return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Record the grants after FIRST with FIRST's key in FIRST->p.also. */
static int
merge_duplicates(struct raw_perm *first, size_t ndup)
{
	size_t i;

	if (ndup == 0)
		return 0;
	first->p.also = calloc(ndup, sizeof(*first->p.also));
	if (first->p.also == NULL)
		return -1;
	for (i = 0; i < ndup; i++)
		first->p.also[i] = first[1 + i].p.at;
	first->p.nalso = ndup;
	return 0;
}

static char *
strbuf_take(struct strbuf *sb)
{
	char *s = sb_failed(sb) ? NULL : strdup(sb_str(sb));

	sb_free(sb);
	return s;
}

static int
describe(struct permission *p)
{
	struct strbuf target = STRBUF_INIT, effect = STRBUF_INIT;

	switch (p->action) {
	case ACT_FREE_PORT:
		sb_printf(&target, "%d", p->item->port->port);
		break;
	case ACT_START:
	case ACT_STOP:
		sb_puts(&target, p->item->service->name);
		break;
	case ACT_VERIFY:
		sb_puts(&target, p->item->check->name);
		break;
	case ACT_SWITCH:
		sb_puts(&target, p->item->plan->name);
		break;
	}
	policy_effect(&effect, p->action, p->item);
	p->target = strbuf_take(&target);
	p->effect = strbuf_take(&effect);
	return p->target && p->effect ? 0 : -1;
}

/* Keep the first of each key (sorted RAW), with words, into OUT. */
static int
keep_firsts(struct raw_perm *raw, size_t n, struct permissions *out)
{
	size_t i, j;

	if ((out->v = calloc(n ? n : 1, sizeof(*out->v))) == NULL)
		return -1;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && compare_keys(&raw[i].p, &raw[j].p) == 0; j++)
			;
		if (merge_duplicates(&raw[i], j - i - 1) == -1)
			return -1;
		out->v[out->n++] = raw[i].p;
		if (describe(&out->v[out->n - 1]) == -1)
			return -1;
	}
	return 0;
}

int
policy_permissions(const struct policy *p, struct permissions *out)
{
	struct collector c = { NULL, 0, 0, false };
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < p->nrules; i++)
		collect_rule(&c, &p->rules[i]);
	if (c.oom) {
		free(c.v);
		return -1;
	}
	if (c.n > 0)    /* qsort(NULL, 0, ...) is undefined */
		qsort(c.v, c.n, sizeof(*c.v), compare_raw);
	rc = keep_firsts(c.v, c.n, out);
	free(c.v);
	if (rc == -1)
		permissions_free(out);
	return rc;
}

void
permissions_free(struct permissions *ps)
{
	size_t i;

	for (i = 0; i < ps->n; i++) {
		free(ps->v[i].target);
		free(ps->v[i].effect);
		free(ps->v[i].also);
	}
	free(ps->v);
	memset(ps, 0, sizeof(*ps));
}

/* ---- explain: text ------------------------------------------------------ */

static const char *
kind_name(enum subject_kind kind)
{
	return kind == SUBJECT_USER ? "user" : "group";
}

static bool
same_subject(const struct permission *a, const struct permission *b)
{
	return a->kind == b->kind && strcmp(a->subject, b->subject) == 0;
}

static void
text_files(struct strbuf *sb, const struct policy *p)
{
	size_t i;

	if (p->nfiles == 0) {
		sb_puts(sb, "policy (no files)\n");
		return;
	}
	sb_puts(sb, "policy ");
	sb_word(sb, p->files[0]);
	sb_printf(sb, " (%zu file%s)\n", p->nfiles, p->nfiles == 1 ? "" : "s");
	for (i = 1; i < p->nfiles; i++) {
		sb_puts(sb, "  and ");
		sb_word(sb, p->files[i]);
		sb_puts(sb, "\n");
	}
}

static void
text_audit_sinks(struct strbuf *sb, const struct audit_config *a)
{
	if (!a->syslog && a->file == NULL) {
		sb_puts(sb, "none (requests are not recorded)");
		return;
	}
	if (a->syslog)
		sb_puts(sb, "syslog (LOG_AUTHPRIV)");
	if (a->file != NULL) {
		sb_puts(sb, a->syslog ? ", file " : "file ");
		sb_word(sb, a->file);
	}
}

static void
text_permission(struct strbuf *sb, const struct permission *p)
{
	size_t i;

	sb_puts(sb, "  ");
	sb_puts(sb, p->effect);
	sb_puts(sb, p->auth == AUTH_PAM ? PAM_NOTE : "");
	sb_puts(sb, p->reason_required ? REASON_NOTE : "");
	sb_puts(sb, "  [");
	sb_origin(sb, p->at);
	for (i = 0; i < p->nalso; i++) {
		sb_puts(sb, i ? ", " : "; also granted at ");
		sb_origin(sb, p->also[i]);
	}
	sb_puts(sb, "]\n");
}

static void
text_subjects(struct strbuf *sb, const struct policy *p,
    const struct permissions *ps)
{
	size_t i;

	if (p->nrules == 0) {
		sb_puts(sb, "\nnobody may do anything (no rules)\n");
		return;
	}
	if (ps->n == 0) {
		sb_puts(sb, "\nnobody may do anything (the rules grant nothing)\n");
		return;
	}
	for (i = 0; i < ps->n; i++) {
		if (i == 0 || !same_subject(&ps->v[i - 1], &ps->v[i])) {
			sb_printf(sb, "\n%s ", kind_name(ps->v[i].kind));
			sb_word(sb, ps->v[i].subject);
			sb_puts(sb, " may:\n");
		}
		text_permission(sb, &ps->v[i]);
	}
}

static void
explain_text(struct strbuf *sb, const struct policy *p,
    const struct permissions *ps)
{
	text_files(sb, p);
	sb_puts(sb, "audit: ");
	text_audit_sinks(sb, &p->audit);
	sb_puts(sb, "\n");
	text_subjects(sb, p, ps);
}

/* ---- explain: JSON ------------------------------------------------------ */

static void
json_origin(struct strbuf *sb, struct origin at)
{
	struct strbuf tmp = STRBUF_INIT;

	sb_printf(&tmp, "%s:%d", at.file ? at.file : "", at.line);
	if (sb_failed(&tmp))
		sb->failed = true;
	else
		sb_json_string(sb, sb_str(&tmp), tmp.len);
	sb_free(&tmp);
}

/* A plan's parts, for a program that checks them rather than reads them. */
static void
json_plan(struct strbuf *sb, const struct plan *pl)
{
	size_t i;

	sb_puts(sb, ",\"plan\":{\"ports\":[");
	for (i = 0; i < pl->nports; i++)
		sb_printf(sb, "%s%d", i ? "," : "", pl->ports[i]);
	sb_puts(sb, "],\"from\":");
	sb_json_cstr(sb, pl->from->name);
	sb_puts(sb, ",\"to\":");
	sb_json_cstr(sb, pl->to->name);
	sb_puts(sb, ",\"verify\":[");
	for (i = 0; i < pl->nverify; i++) {
		sb_puts(sb, i ? "," : "");
		sb_json_cstr(sb, pl->verify[i]->name);
	}
	sb_printf(sb, "],\"rollback\":%s", pl->rollback ? "true" : "false");
	if (plan_has_units(pl))
		sb_printf(sb, ",\"persist\":\"%s\"", pl->persist == PERSIST_MASK ?
		    "mask" : pl->persist == PERSIST_NONE ? "none" : "disable");
	sb_puts(sb, "}");
}

/*
 * {"action":…,"target":…,"effect":…,"auth":…,"reason":…,"granted_at":…
 * (open); reason: "required" when the rule wants --reason, else "optional"
 */
static void
json_grant(struct strbuf *sb, const struct permission *p, enum auth_method auth,
    struct origin at)
{
	sb_puts(sb, "{\"action\":");
	sb_json_cstr(sb, action_name(p->action));
	sb_puts(sb, ",\"target\":");
	sb_json_cstr(sb, p->target);
	sb_puts(sb, ",\"effect\":");
	sb_json_cstr(sb, p->effect);
	sb_puts(sb, ",\"auth\":");
	sb_json_cstr(sb, auth_name(auth));
	sb_printf(sb, ",\"reason\":\"%s\"", p->reason_required ? "required" :
	    "optional");
	sb_puts(sb, ",\"granted_at\":");
	json_origin(sb, at);
}

static void
json_permission(struct strbuf *sb, const struct permission *p)
{
	size_t i;

	json_grant(sb, p, p->auth, p->at);
	sb_puts(sb, ",\"also_granted_at\":[");
	for (i = 0; i < p->nalso; i++) {
		sb_puts(sb, i ? "," : "");
		json_origin(sb, p->also[i]);
	}
	sb_puts(sb, "]");
	if (p->action == ACT_SWITCH)
		json_plan(sb, p->item->plan);
	sb_puts(sb, "}");
}

static void
json_subjects(struct strbuf *sb, const struct permissions *ps)
{
	size_t i;

	sb_puts(sb, "\"subjects\":[");
	for (i = 0; i < ps->n; i++) {
		if (i == 0 || !same_subject(&ps->v[i - 1], &ps->v[i])) {
			sb_puts(sb, i ? "]}," : "");
			sb_puts(sb, "{\"kind\":");
			sb_json_cstr(sb, kind_name(ps->v[i].kind));
			sb_puts(sb, ",\"name\":");
			sb_json_cstr(sb, ps->v[i].subject);
			sb_puts(sb, ",\"permissions\":[");
		} else
			sb_puts(sb, ",");
		json_permission(sb, &ps->v[i]);
	}
	sb_puts(sb, ps->n ? "]}]" : "]");
}

static void
explain_json(struct strbuf *sb, const struct policy *p,
    const struct permissions *ps)
{
	size_t i;

	sb_puts(sb, "{\"files\":[");
	for (i = 0; i < p->nfiles; i++) {
		sb_puts(sb, i ? "," : "");
		sb_json_cstr(sb, p->files[i]);
	}
	sb_printf(sb, "],\"audit\":{\"syslog\":%s,\"file\":",
	    p->audit.syslog ? "true" : "false");
	sb_json_cstr(sb, p->audit.file);
	sb_printf(sb, "},\"rules\":%zu,", p->nrules);
	json_subjects(sb, ps);
	sb_puts(sb, "}\n");
}

int
policy_explain(const struct policy *p, enum explain_format format,
    struct strbuf *out)
{
	struct permissions ps;

	if (policy_permissions(p, &ps) == -1) {
		out->failed = true;
		return -1;
	}
	if (format == EXPLAIN_JSON)
		explain_json(out, p, &ps);
	else
		explain_text(out, p, &ps);
	permissions_free(&ps);
	return sb_failed(out) ? -1 : 0;
}

/* ---- policy test -------------------------------------------------------- */

static bool
item_is_target(enum action act, const struct grant_item *it,
    const struct request *req)
{
	const char *target = req->target ? req->target : "";

	switch (act) {
	case ACT_FREE_PORT:
		return it->port->port == req->port;
	case ACT_START:
	case ACT_STOP:
		return strcmp(it->service->name, target) == 0;
	case ACT_VERIFY:
		return strcmp(it->check->name, target) == 0;
	case ACT_SWITCH:
		return strcmp(it->plan->name, target) == 0;
	}
	return false;
}

/* The item of the granting rule that names the request's target. */
static const struct grant_item *
granting_item(const struct rule *r, const struct request *req)
{
	const struct grant_list *l;
	size_t i;

	if ((size_t)req->action >= NACTIONS)
		return NULL;
	l = policy_rule_grants(r, req->action);
	for (i = 0; i < l->n; i++)
		if (item_is_target(req->action, &l->items[i], req))
			return &l->items[i];
	return NULL;
}

static void
render_allow(struct strbuf *sb, const struct request *req,
    const struct decision *d)
{
	const struct grant_item *it = d->rule ? granting_item(d->rule, req) : NULL;

	sb_puts(sb, ": granted by rule at ");
	sb_origin(sb, d->at);
	if (it != NULL) {
		sb_puts(sb, " (");
		policy_effect(sb, req->action, it);
		sb_puts(sb, ")");
	}
	sb_puts(sb, d->auth == AUTH_PAM ? PAM_NOTE : "");
}

/* The caller's reason, then the reviewer's detail: policy test is for both. */
static void
render_deny(struct strbuf *sb, const struct decision *d)
{
	sb_puts(sb, ": ");
	sb_prose(sb, d->reason[0] ? d->reason : "refused");
	if (d->detail[0] != '\0') {
		sb_puts(sb, " (");
		sb_prose(sb, d->detail);
		sb_puts(sb, ")");
	}
}

int
policy_test_render(const struct policy *p, const struct subject *subj,
    const struct request *req, const struct decision *d, struct strbuf *out)
{
	bool allowed = d->verdict == VERDICT_ALLOW;

	(void)p;    /* the decision points into it already */
	sb_word(out, subj->user ? subj->user : "(unknown user)");
	sb_puts(out, allowed ? " may " : " may not ");
	sb_request(out, req->action, req->target, req->port);
	if (allowed)
		render_allow(out, req, d);
	else
		render_deny(out, d);
	sb_puts(out, "\n");
	return sb_failed(out) ? -1 : 0;
}

/* ---- diff --------------------------------------------------------------- */

static void
sb_subject(struct strbuf *sb, const struct permission *p)
{
	sb_printf(sb, "%s ", kind_name(p->kind));
	sb_word(sb, p->subject);
}

/* Effect and auth together: a change in either changes the permission. */
static char *
full_effect(const struct permission *p)
{
	struct strbuf sb = STRBUF_INIT;

	sb_puts(&sb, p->effect);
	sb_puts(&sb, p->auth == AUTH_PAM ? PAM_NOTE : "");
	sb_puts(&sb, p->reason_required ? REASON_NOTE : "");
	return strbuf_take(&sb);
}

static int
diff_one_side(struct strbuf *sb, char sign, const struct permission *p)
{
	sb_printf(sb, "%c ", sign);
	sb_subject(sb, p);
	sb_puts(sb, ": ");
	sb_puts(sb, p->effect);
	sb_puts(sb, p->auth == AUTH_PAM ? PAM_NOTE : "");
	sb_puts(sb, p->reason_required ? REASON_NOTE : "");
	sb_puts(sb, "\n");
	return 1;
}

static int
diff_changed(struct strbuf *sb, const struct permission *was,
    const struct permission *now)
{
	char *before = full_effect(was), *after = full_effect(now);
	int n = 0;

	if (before == NULL || after == NULL)
		sb->failed = true;
	else if (strcmp(before, after) != 0) {
		sb_puts(sb, "~ ");
		sb_subject(sb, now);
		sb_puts(sb, ": ");
		sb_request(sb, now->action, now->target,
		    now->action == ACT_FREE_PORT ? now->item->port->port : 0);
		sb_puts(sb, ": was ");
		sb_quoted(sb, before);
		sb_puts(sb, ", now ");
		sb_quoted(sb, after);
		sb_puts(sb, "\n");
		n = 1;
	}
	free(before);
	free(after);
	return n;
}

static void
sb_audit_file(struct strbuf *sb, const char *file)
{
	if (file == NULL)
		sb_puts(sb, "none");
	else
		sb_word(sb, file);
}

static int
diff_audit(struct strbuf *sb, const struct audit_config *was,
    const struct audit_config *now)
{
	int n = 0;

	if (was->syslog != now->syslog) {
		sb_printf(sb, "~ audit: syslog was %s, now %s\n",
		    was->syslog ? "on" : "off", now->syslog ? "on" : "off");
		n++;
	}
	if ((was->file == NULL) != (now->file == NULL) ||
	    (was->file != NULL && strcmp(was->file, now->file) != 0)) {
		sb_puts(sb, "~ audit: file was ");
		sb_audit_file(sb, was->file);
		sb_puts(sb, ", now ");
		sb_audit_file(sb, now->file);
		sb_puts(sb, "\n");
		n++;
	}
	return n;
}

/* Walk both sorted lists together, as a merge does. */
static int
diff_permissions(struct strbuf *sb, const struct permissions *was,
    const struct permissions *now)
{
	size_t i = 0, j = 0;
	int n = 0, c;

	while (i < was->n || j < now->n) {
		if (i == was->n)
			c = 1;
		else if (j == now->n)
			c = -1;
		else
			c = compare_keys(&was->v[i], &now->v[j]);
		if (c < 0)
			n += diff_one_side(sb, '-', &was->v[i++]);
		else if (c > 0)
			n += diff_one_side(sb, '+', &now->v[j++]);
		else
			n += diff_changed(sb, &was->v[i++], &now->v[j++]);
	}
	return n;
}

int
policy_diff(const struct policy *old, const struct policy *new,
    struct strbuf *out)
{
	struct permissions was, now;
	int n = -1;

	if (policy_permissions(old, &was) == -1) {
		out->failed = true;
		return -1;
	}
	if (policy_permissions(new, &now) == 0) {
		n = diff_audit(out, &old->audit, &new->audit);
		n += diff_permissions(out, &was, &now);
		if (n == 0)
			sb_puts(out, "no change in permissions\n");
		permissions_free(&now);
	}
	permissions_free(&was);
	if (n == -1 || sb_failed(out)) {
		out->failed = true;
		return -1;
	}
	return n;
}

/* ---- list: what one subject may do ------------------------------------ */

static bool
names_subject(const struct permission *p, const struct subject *s)
{
	size_t i;

	if (p->kind == SUBJECT_USER)
		return s->user != NULL && strcmp(p->subject, s->user) == 0;
	for (i = 0; i < s->ngroups; i++)
		if (strcmp(p->subject, s->groups[i]) == 0)
			return true;
	return false;
}

static bool
listed_before(const struct permissions *ps, size_t upto,
    const struct subject *s, const struct permission *p)
{
	size_t i;

	for (i = 0; i < upto; i++)
		if (names_subject(&ps->v[i], s) && ps->v[i].action == p->action &&
		    strcmp(ps->v[i].target, p->target) == 0)
			return true;
	return false;
}

/*
 * One line per (action, target) S may take, shown with the rule that
 * decides it: policy_decide()'s answer, so list can never disagree with
 * what a request would get.
 */
/* One permission of "cutover list --format=json", as D grants it. */
static void
json_listed(struct strbuf *sb, const struct permission *pm,
    const struct decision *d)
{
	json_grant(sb, pm, d->auth, d->at);
	if (pm->action == ACT_SWITCH)
		json_plan(sb, pm->item->plan);
	sb_puts(sb, "}");
}

int
policy_list_render(const struct policy *p, const struct subject *s,
    enum explain_format format, struct strbuf *out)
{
	struct permissions ps;
	struct decision d;
	size_t i, shown = 0;
	bool json = format == EXPLAIN_JSON;

	if (policy_permissions(p, &ps) == -1)
		return -1;
	if (json) {
		sb_puts(out, "{\"user\":");
		sb_json_cstr(out, s->user);
		sb_puts(out, ",\"permissions\":[");
	}
	for (i = 0; i < ps.n; i++) {
		const struct permission *pm = &ps.v[i];
		/* with a reason: a rule that wants one is listed, noted */
		struct request rq = { pm->action, pm->target, 0, "(list)" };

		if (!names_subject(pm, s) || listed_before(&ps, i, s, pm))
			continue;
		if (pm->action == ACT_FREE_PORT)
			rq.port = port_from_string(pm->target);
		policy_decide(p, s, &rq, &d);
		if (d.verdict != VERDICT_ALLOW)
			continue;
		if (json) {
			sb_puts(out, shown++ ? "," : "");
			json_listed(out, pm, &d);
			continue;
		}
		if (shown++ == 0) {
			sb_word(out, s->user ? s->user : "(unknown user)");
			sb_puts(out, " may:\n");
		}
		sb_puts(out, "  ");
		sb_printf(out, "%s%s%s  [", pm->effect,
		    d.auth == AUTH_PAM ? PAM_NOTE : "",
		    d.rule->reason_required ? REASON_NOTE : "");
		sb_origin(out, d.at);
		sb_puts(out, "]\n");
	}
	if (json)
		sb_puts(out, "]}\n");
	else if (shown == 0) {
		sb_word(out, s->user ? s->user : "(unknown user)");
		sb_puts(out, " may do nothing: no rule names this user or any "
		    "of its groups\n");
	}
	permissions_free(&ps);
	return sb_failed(out) ? -1 : 0;
}
