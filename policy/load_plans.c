/*
 * load_plans.c - the plans section: named switches (move a site - its
 * ports - from one service to another, run checks, roll back on failure)
 * that a rule may grant with switch = [...].
 *
 * A plan grants exactly its steps and nothing else, so every step must be
 * one the rest of the policy already describes: each port has a ports
 * entry that lets the old service be stopped, both services say they
 * listen there, the old one can be started again, and every check
 * exists.  What a reviewer reads under services, ports and checks is then
 * all a switch can do.
 */
#include <stdio.h>
#include <string.h>

#include "policy/load.h"

static const struct key plan_keys[] = {
	{ "port", K_INT, 1, 65535, false, "port = 8080;" },
	{ "ports", K_INTS, 1, 65535, false, "ports = [80, 443];" },
	{ "from", K_STRING, 0, 0, true, "from = \"apache2\";" },
	{ "to", K_STRING, 0, 0, true, "to = \"nginx\";" },
	{ "verify", K_STRINGS, 0, 0, false, "verify = [\"homepage\"];" },
	{ "rollback", K_BOOL, 0, 0, false, "rollback = true;" },
	{ "persist", K_STRING, 0, 0, false, "persist = \"disable\";" },
	{ NULL, 0, 0, 0, false, NULL }
};

static const struct service *
plan_service(struct build *b, const char *file, const config_setting_t *g,
    const char *key)
{
	const char *name = config_setting_get_string(
	    config_setting_get_member(g, key));
	const struct service *sv = policy_service(b->policy, name);

	if (sv == NULL)
		unknown_service(b, file, config_setting_get_member(g, key),
		    name, key);
	return sv;
}

static bool
service_listens_on(const struct service *sv, int port)
{
	size_t i;

	for (i = 0; i < sv->nports; i++)
		if (sv->ports[i] == port)
			return true;
	return false;
}

static bool
holds(const struct port_grant *pg, const struct service *sv)
{
	size_t i;

	for (i = 0; i < pg->nholders; i++)
		if (pg->holders[i] == sv)
			return true;
	return false;
}

/*
 * The site's ports: port = 8080; or ports = [80, 443]; (one of the two),
 * each once, at most POLICY_PLAN_PORTS_MAX.  Returns the setting, or
 * NULL (an error said) when there are none to go on with.
 */
static const config_setting_t *
plan_ports(struct build *b, const char *file, const config_setting_t *g,
    struct plan *pl)
{
	const config_setting_t *one = config_setting_get_member(g, "port"),
	    *list = config_setting_get_member(g, "ports");
	int *ports;
	size_t i, j, n = list ? (size_t)config_setting_length(list) : 1;

	if ((one == NULL) == (list == NULL) || n == 0 ||
	    n > POLICY_PLAN_PORTS_MAX) {
		build_error(b, file, list ? list : one ? one : g, "plan %s "
		    "must name its site's ports once: port = 8080; or ports = "
		    "[80, 443]; (1 to %d ports)", pl->name,
		    POLICY_PLAN_PORTS_MAX);
		return NULL;
	}
	if ((ports = build_alloc(b, n, sizeof(*ports))) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		ports[i] = list ? config_setting_get_int_elem(list, (int)i) :
		    config_setting_get_int(one);
		for (j = 0; j < i; j++)
			if (ports[j] == ports[i]) {
				build_error(b, file, list, "port %d is listed "
				    "twice in plan %s", ports[i], pl->name);
				return NULL;
			}
	}
	pl->ports = ports;
	pl->nports = n;
	return list ? list : one;
}

/* The ports entry for each of the plan's ports: each must let FROM be stopped. */
static void
plan_grants(struct build *b, const char *file, const config_setting_t *s,
    struct plan *pl)
{
	const struct port_grant **grants;
	size_t i;

	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	if ((grants = build_alloc(b, pl->nports, sizeof(*grants))) == NULL)
		return;
	pl->grants = grants;
	for (i = 0; i < pl->nports; i++) {
		int port = pl->ports[i];

		if ((grants[i] = policy_port(b->policy, port)) == NULL)
			build_error(b, file, s, "port %d of plan %s has no "
			    "entry in ports, so the switch could not free it; "
			    "add { port = %d; holders = [\"%s\"]; } to ports",
			    port, pl->name, port, pl->from ? pl->from->name :
			    "...");
		else if (pl->from != NULL && !holds(grants[i], pl->from))
			build_error(b, file, s, "plan %s frees port %d from %s, "
			    "but %s is not among the holders of port %d (%s:%d), "
			    "so the switch could not free it; add \"%s\" to "
			    "that port's holders", pl->name, port, pl->from->name,
			    pl->from->name, port, grants[i]->at.file,
			    grants[i]->at.line, pl->from->name);
	}
}

/* Both services list every port of the site. */
static void
plan_listens(struct build *b, const char *file, const config_setting_t *g,
    const struct plan *pl)
{
	size_t i;

	for (i = 0; i < pl->nports; i++) {
		int port = pl->ports[i];

		if (pl->to != NULL && !service_listens_on(pl->to, port))
			build_error(b, file, config_setting_get_member(g, "to"),
			    "plan %s starts %s on port %d, but %s does not list "
			    "that port, so cutover could not tell when it serves; "
			    "add %d to the ports of service %s (%s:%d)", pl->name,
			    pl->to->name, port, pl->to->name, port, pl->to->name,
			    pl->to->at.file, pl->to->at.line);
		/* the old one is found, stopped and started again by its ports */
		if (pl->from != NULL && !service_listens_on(pl->from, port))
			build_error(b, file, config_setting_get_member(g, "from"),
			    "plan %s switches port %d from %s, but %s does not "
			    "list that port, so cutover could find it neither to "
			    "stop it nor, in a rollback, to see it serve again; "
			    "add %d to the ports of service %s (%s:%d)", pl->name,
			    port, pl->from->name, pl->from->name, port,
			    pl->from->name, pl->from->at.file, pl->from->at.line);
	}
}

/* FROM and TO: defined, different, and able to do their part. */
static void
plan_services(struct build *b, const char *file, const config_setting_t *g,
    struct plan *pl)
{
	pl->from = plan_service(b, file, g, "from");
	pl->to = plan_service(b, file, g, "to");
	if (pl->from != NULL && pl->from == pl->to)
		build_error(b, file, config_setting_get_member(g, "to"),
		    "plan %s switches %s to itself; from and to must name "
		    "two different services", pl->name, pl->from->name);
	/*
	 * Every service has start or unit today; the check stays so that a
	 * service made stop-only one day cannot silently become a rollback
	 * target that cannot roll back.
	 */
	if (pl->rollback && pl->from != NULL && pl->from->nstart == 0 &&
	    pl->from->unit == NULL)
		build_error(b, file, g, "plan %s rolls back by starting %s "
		    "again, but %s has no start command; give it start = "
		    "[...] or write rollback = false;", pl->name,
		    pl->from->name, pl->from->name);
}

static void
unknown_check(struct build *b, const char *file, const config_setting_t *s,
    const char *name, const char *plan)
{
	const char *names[256];
	const char *hint;
	size_t i, n = 0;

	for (i = 0; i < b->policy->nchecks && n < 256; i++)
		names[n++] = b->checks[i].name;
	hint = closest_name(name, names, n);
	build_error(b, file, s, "check \"%s\" in verify of plan %s is not "
	    "defined; define it under checks%s%s%s", name, plan,
	    hint ? " or write \"" : "", hint ? hint : "", hint ? "\"" : "");
}

static void
plan_checks(struct build *b, const char *file, const config_setting_t *g,
    struct plan *pl)
{
	const config_setting_t *s = config_setting_get_member(g, "verify");
	const struct check **v;
	size_t i, j, n = s ? (size_t)config_setting_length(s) : 0;

	/* NOLINTNEXTLINE(bugprone-sizeof-expression): v is an array of pointers */
	if ((v = build_alloc(b, n + 1, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		const char *name = config_setting_get_string_elem(s, (int)i);
		const struct check *c = policy_check(b->policy, name);

		for (j = 0; c != NULL && j < pl->nverify; j++)
			if (v[j] == c) {
				build_error(b, file, s, "check %s is listed "
				    "twice in verify of plan %s", name,
				    pl->name);
				break;
			}
		if (c == NULL)
			unknown_check(b, file, s, name, pl->name);
		else if (c->served_by != NULL && pl->to != NULL &&
		    c->served_by != pl->to)
			build_error(b, file, s, "check %s is served_by %s, but "
			    "plan %s moves the site to %s: after the switch it "
			    "could never pass; drop its served_by (a plan's check "
			    "looks for the new service) or name %s", name,
			    c->served_by->name, pl->name, pl->to->name,
			    pl->to->name);
		else if (j == pl->nverify)
			v[pl->nverify++] = c;
	}
	pl->verify = v;
	if (n == 0)
		build_warning(b, file, g, "plan %s runs no check, so a switch "
		    "cannot know that %s serves the new content before it "
		    "reports success; add verify = [\"...\"]; naming a check",
		    pl->name, pl->to ? pl->to->name : "the new service");
}

/*
 * persist: what the next boot finds.  It is about unit files, so a plan
 * of two process services that says it would be promising something
 * cutover cannot do.
 */
static void
plan_persist(struct build *b, const char *file, const config_setting_t *g,
    struct plan *pl)
{
	const config_setting_t *s = config_setting_get_member(g, "persist");
	const char *how;

	pl->persist = PERSIST_DISABLE;
	if (s == NULL)
		return;
	how = config_setting_get_string(s);
	if (strcmp(how, "disable") == 0)
		pl->persist = PERSIST_DISABLE;
	else if (strcmp(how, "mask") == 0)
		pl->persist = PERSIST_MASK;
	else if (strcmp(how, "none") == 0)
		pl->persist = PERSIST_NONE;
	else {
		build_error(b, file, s, "persist of plan %s must be \"disable\", "
		    "\"mask\" or \"none\", not \"%s\"", pl->name, how);
		return;
	}
	if (pl->from != NULL && pl->to != NULL && pl->from->unit == NULL &&
	    pl->to->unit == NULL)
		build_error(b, file, s, "plan %s says persist = \"%s\", but "
		    "neither %s nor %s is a systemd unit (unit = \"...\"), so "
		    "there is nothing to enable or disable; remove persist",
		    pl->name, how, pl->from->name, pl->to->name);
}

static void
load_plan(struct build *b, const char *file, const config_setting_t *g)
{
	struct plan *pl = &b->plans[b->policy->nplans];
	const char *name = config_setting_name(g);
	const config_setting_t *ports;
	const struct plan *prev;
	char what[128];

	snprintf(what, sizeof(what), "plan %s", name);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		build_error(b, file, g, "plan %s must be a group, e.g. %s = "
		    "{ port = 8080; from = \"apache2\"; to = \"nginx\"; "
		    "verify = [\"homepage\"]; };", name, name);
		return;
	}
	if (!name_ok(name))
		build_error(b, file, g, "\"%s\" is not a valid plan name "
		    "(letters, digits, _ and -, at most %d)", name,
		    POLICY_NAME_MAX);
	if ((prev = policy_plan(b->policy, name)) != NULL) {
		build_error(b, file, g, "plan %s is already defined at %s:%d; "
		    "rename one of them", name, prev->at.file, prev->at.line);
		return;
	}
	if (!keys_ok(b, file, g, plan_keys, what))
		return;
	if ((pl->name = build_strdup(b, name)) == NULL)
		return;
	pl->at = build_origin(b, file, g);
	pl->rollback = key_bool(g, "rollback", true);
	plan_services(b, file, g, pl);
	/* without ports (an error said) the rest is still checked */
	if ((ports = plan_ports(b, file, g, pl)) != NULL) {
		plan_listens(b, file, g, pl);
		plan_grants(b, file, ports, pl);
	}
	plan_checks(b, file, g, pl);
	plan_persist(b, file, g, pl);
	b->policy->nplans++;
}

void
load_plans(struct build *b, const char *file, const config_t *cfg)
{
	const config_setting_t *all = config_lookup(cfg, "plans");
	int i;

	for (i = 0; all != NULL && i < config_setting_length(all); i++)
		load_plan(b, file, config_setting_get_elem(all, i));
}
