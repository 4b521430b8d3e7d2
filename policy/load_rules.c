/*
 * load_rules.c - the rules section: who may do what.  A rule names users
 * and/or groups and lists, per action, the things they may act on; every
 * listed thing must be defined, so a rule can never grant more (or other)
 * than a reviewer sees in the services, ports, checks and plans sections.
 * switch = [...] grants a plan as one whole: it does not grant its steps
 * on their own.
 */
#include <stdio.h>
#include <string.h>

#include "policy/load.h"

static const struct key rule_keys[] = {
	{ "users", K_STRINGS, 0, 0, false, "users = [\"deploy\"];" },
	{ "groups", K_STRINGS, 0, 0, false, "groups = [\"deployers\"];" },
	{ "free", K_INTS, 1, 65535, false, "free = [8080];" },
	{ "start", K_STRINGS, 0, 0, false, "start = [\"nginx\"];" },
	{ "stop", K_STRINGS, 0, 0, false, "stop = [\"nginx\"];" },
	{ "verify", K_STRINGS, 0, 0, false, "verify = [\"homepage\"];" },
	{ "switch", K_STRINGS, 0, 0, false, "switch = [\"newsite\"];" },
	{ "auth", K_STRING, 0, 0, false, "auth = \"none\";" },
	{ "reason", K_STRING, 0, 0, false, "reason = \"required\";" },
	{ NULL, 0, 0, 0, false, NULL }
};

static bool
resolve_plan(struct build *b, const char *file, const config_setting_t *e,
    const char *name, struct grant_item *it)
{
	const char *names[256];
	const char *hint;
	size_t i, n = 0;

	if ((it->plan = policy_plan(b->policy, name)) != NULL)
		return true;
	for (i = 0; i < b->policy->nplans && n < 256; i++)
		names[n++] = b->policy->plans[i].name;
	hint = closest_name(name, names, n);
	build_error(b, file, e, "plan \"%s\" is not defined; define it "
	    "under plans%s%s%s", name, hint ? " or write \"" : "",
	    hint ? hint : "", hint ? "\"" : "");
	return false;
}

static bool
resolve_item(struct build *b, const char *file, const config_setting_t *e,
    const char *key, struct grant_item *it)
{
	const char *name;

	if (strcmp(key, "free") == 0) {
		int port = config_setting_get_int(e);
		if ((it->port = policy_port(b->policy, port)) == NULL)
			build_error(b, file, e, "port %d may not be freed: it "
			    "has no entry in ports; add { port = %d; holders "
			    "= [\"...\"]; } to ports", port, port);
		return it->port != NULL;
	}
	name = config_setting_get_string(e);
	if (strcmp(key, "switch") == 0)
		return resolve_plan(b, file, e, name, it);
	if (strcmp(key, "verify") == 0) {
		if ((it->check = policy_check(b->policy, name)) == NULL)
			build_error(b, file, e, "check \"%s\" is not defined; "
			    "define it under checks", name);
		return it->check != NULL;
	}
	if ((it->service = policy_service(b->policy, name)) == NULL)
		unknown_service(b, file, e, name, key);
	return it->service != NULL;
}

static struct grant_list
load_grants(struct build *b, const char *file, const config_setting_t *rule,
    const char *key)
{
	const config_setting_t *s = config_setting_get_member(rule, key);
	struct grant_list gl = { NULL, 0 };
	struct grant_item *items;
	size_t i, n;

	if (s == NULL)
		return gl;
	n = (size_t)config_setting_length(s);
	if ((items = build_alloc(b, n + 1, sizeof(*items))) == NULL)
		return gl;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (int)i);
		struct grant_item *it = &items[gl.n];

		it->at = build_origin(b, file, e);
		if (it->at.line == 0)
			it->at.line = (int)config_setting_source_line(s);
		if (resolve_item(b, file, e, key, it))
			gl.n++;
	}
	gl.items = items;
	return gl;
}

static void
check_names(struct build *b, const char *file, const config_setting_t *rule,
    const char *key, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; names != NULL && i < n; i++)
		if (names[i] == NULL || !account_name_ok(names[i]))
			build_error(b, file, config_setting_get_member(rule, key),
			    "\"%s\" in %s is not a valid %s name", names[i] ?
			    names[i] : "", key, strcmp(key, "users") == 0 ?
			    "user" : "group");
}

static void
load_auth(struct build *b, const char *file, const config_setting_t *g,
    struct rule *r)
{
	const char *auth = "none";

	config_setting_lookup_string(g, "auth", &auth);
	if (strcmp(auth, "none") == 0)
		r->auth = AUTH_NONE;
	else if (strcmp(auth, "pam") == 0)
		r->auth = AUTH_PAM;
	else
		build_error(b, file, config_setting_get_member(g, "auth"),
		    "auth must be \"none\" or \"pam\", not \"%s\"", auth);
}

/*
 * reason = "required": the rule allows only a request that says why
 * (cutover --reason TEXT ...), so every record of it carries the words.
 */
static void
load_reason(struct build *b, const char *file, const config_setting_t *g,
    struct rule *r)
{
	const char *reason = "optional";

	config_setting_lookup_string(g, "reason", &reason);
	if (strcmp(reason, "required") == 0)
		r->reason_required = true;
	else if (strcmp(reason, "optional") != 0)
		build_error(b, file, config_setting_get_member(g, "reason"),
		    "reason must be \"required\" or \"optional\", not "
		    "\"%s\"", reason);
}

static void
load_rule(struct build *b, const char *file, const config_setting_t *g)
{
	struct rule *r = &b->rules[b->policy->nrules];

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		build_error(b, file, g, "each rule must be a group, e.g. "
		    "{ users = [\"deploy\"]; start = [\"nginx\"]; }");
		return;
	}
	if (!keys_ok(b, file, g, rule_keys, "a rule"))
		return;
	r->at = build_origin(b, file, g);
	r->users = key_strings(b, g, "users", &r->nusers);
	r->groups = key_strings(b, g, "groups", &r->ngroups);
	check_names(b, file, g, "users", r->users, r->nusers);
	check_names(b, file, g, "groups", r->groups, r->ngroups);
	if (r->nusers + r->ngroups == 0)
		build_error(b, file, g, "this rule does not say whom it is "
		    "for; add users = [\"deploy\"]; and/or groups = "
		    "[\"deployers\"];");
	r->free = load_grants(b, file, g, "free");
	r->start = load_grants(b, file, g, "start");
	r->stop = load_grants(b, file, g, "stop");
	r->verify = load_grants(b, file, g, "verify");
	r->plans = load_grants(b, file, g, "switch");
	load_auth(b, file, g, r);
	load_reason(b, file, g, r);
	if (r->free.n + r->start.n + r->stop.n + r->verify.n +
	    r->plans.n == 0)
		build_warning(b, file, g, "this rule grants nothing; add free, "
		    "start, stop, verify or switch, or remove it");
	b->policy->nrules++;
}

void
load_rules(struct build *b, const char *file, const config_t *cfg)
{
	const config_setting_t *all = config_lookup(cfg, "rules");
	int i;

	for (i = 0; all != NULL && i < config_setting_length(all); i++)
		load_rule(b, file, config_setting_get_elem(all, i));
}
