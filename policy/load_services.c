/*
 * load_services.c - the services section (what may be started, as whom,
 * and how its processes are recognised and stopped) and the ports section
 * (which services may be stopped to free a port).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>

#include "policy/load.h"

static const struct key service_keys[] = {
	{ "exe", K_PATH, 0, 0, true, "exe = \"/usr/sbin/nginx\";" },
	{ "user", K_USER, 0, 0, true, "user = \"nginx\";" },
	{ "group", K_STRING, 0, 0, false, "group = \"nginx\";" },
	{ "holder_users", K_USERS, 0, 0, false,
	    "holder_users = [\"root\", \"www-data\"];" },
	{ "allow_root", K_BOOL, 0, 0, false, "allow_root = true;" },
	{ "unit", K_STRING, 0, 0, false, "unit = \"nginx.service\";" },
	{ "start", K_STRINGS, 0, 0, false,
	    "start = [\"/usr/sbin/nginx\", \"-c\", \"/etc/cutover/nginx.conf\"];" },
	{ "stop_signal", K_STRING, 0, 0, false, "stop_signal = \"TERM\";" },
	{ "stop_timeout", K_SECONDS, 0.1, 3600, false, "stop_timeout = 5.0;" },
	{ "drain_signal", K_STRING, 0, 0, false, "drain_signal = \"WINCH\";" },
	{ "drain_timeout", K_SECONDS, 0.1, 3600, false, "drain_timeout = 30.0;" },
	{ "kill_after", K_BOOL, 0, 0, false, "kill_after = true;" },
	{ "start_timeout", K_SECONDS, 0.1, 3600, false, "start_timeout = 10.0;" },
	{ "ports", K_INTS, 1, 65535, false, "ports = [8080];" },
	{ "env", K_GROUP, 0, 0, false, "env = { LANG = \"C.UTF-8\"; };" },
	{ "capabilities", K_STRINGS, 0, 0, false,
	    "capabilities = [\"cap_net_bind_service\"];" },
	{ "socket_handoff", K_STRING, 0, 0, false, "socket_handoff = \"nginx\";" },
	{ NULL, 0, 0, 0, false, NULL }
};

static const struct { const char *name; int signo; } signals[] = {
	{ "TERM", SIGTERM }, { "INT", SIGINT }, { "HUP", SIGHUP },
	{ "QUIT", SIGQUIT }, { "KILL", SIGKILL }, { "USR1", SIGUSR1 },
	{ "USR2", SIGUSR2 }, { "WINCH", SIGWINCH },
};

const char *
policy_signal_name(int signo)
{
	size_t i;

	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].signo == signo)
			return signals[i].name;
	return "?";
}

static int
signal_from_name(const char *s)
{
	size_t i;

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (strcmp(signals[i].name, s) == 0)
			return signals[i].signo;
	return 0;
}

static void
load_user(struct build *b, const char *file, const config_setting_t *g,
    struct service *sv)
{
	const config_setting_t *u = config_setting_get_member(g, "user");
	bool is_root;

	sv->uid = -1;
	if (config_setting_type(u) == CONFIG_TYPE_STRING)
		sv->user = build_strdup(b, config_setting_get_string(u));
	else
		sv->uid = config_setting_get_int64(u);
	is_root = sv->uid == 0 || (sv->user && strcmp(sv->user, "root") == 0);
	if (is_root && !sv->allow_root)
		build_error(b, file, u, "service %s would run as root; if "
		    "that is really meant, add allow_root = true; otherwise "
		    "name an unprivileged user", sv->name);
	if (!is_root && sv->allow_root)
		build_warning(b, file, config_setting_get_member(g,
		    "allow_root"), "allow_root has no effect: service %s "
		    "does not run as root", sv->name);
	if (sv->group != NULL && !account_name_ok(sv->group))
		build_error(b, file, config_setting_get_member(g, "group"),
		    "group \"%s\" of service %s is not a valid group name",
		    sv->group, sv->name);
}

/*
 * holder_users is the whole list: it must name the service's own user
 * (by name), so that a reader never has to know whether it is implied.
 */
static void
load_holder_users(struct build *b, const char *file, const config_setting_t *g,
    struct service *sv)
{
	const config_setting_t *s = config_setting_get_member(g, "holder_users");
	size_t i, j;
	bool has_user = false;

	sv->holder_users = key_strings(b, g, "holder_users", &sv->nholder_users);
	if (s == NULL || sv->holder_users == NULL)
		return;
	if (sv->user == NULL) {
		build_error(b, file, s, "holder_users of service %s needs its "
		    "user by name, not uid %lld: write user = \"name\";",
		    sv->name, sv->uid);
		return;
	}
	if (sv->nholder_users > POLICY_HOLDER_USERS_MAX)
		build_error(b, file, s, "holder_users of service %s lists %zu "
		    "users; at most %d", sv->name, sv->nholder_users,
		    POLICY_HOLDER_USERS_MAX);
	for (i = 0; i < sv->nholder_users; i++) {
		const char *u = sv->holder_users[i];

		for (j = 0; j < i; j++)
			if (strcmp(sv->holder_users[j], u) == 0)
				build_error(b, file, s, "user %s is listed "
				    "twice in holder_users of service %s", u,
				    sv->name);
		has_user = has_user || strcmp(u, sv->user) == 0;
	}
	if (!has_user)
		build_error(b, file, s, "holder_users of service %s must list "
		    "its own user %s too (it is the whole list), e.g. "
		    "holder_users = [\"%s\", ...];", sv->name, sv->user,
		    sv->user);
}

/*
 * A unit's name as systemd spells a service unit ("nginx.service",
 * "site@blue.service"): it goes to systemd as it is, so nothing but
 * systemd's own characters, and never an option-like leading '-'.
 */
static bool
unit_name_ok(const char *u)
{
	static const char suffix[] = ".service";
	size_t n = strlen(u), s = sizeof(suffix) - 1;

	return n > s && n <= POLICY_UNIT_MAX && u[0] != '-' && u[0] != '.' &&
	    strcmp(u + n - s, suffix) == 0 && strspn(u, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.\\@-") == n;
}

/*
 * What the unit file decides, the policy does not say again: for a
 * service with unit, systemd starts and stops it (its ExecStart=,
 * KillSignal=, Environment=, CapabilityBoundingSet=), so those keys are
 * refused rather than silently ignored.
 */
static const char *const unit_owns[] = {
	"start", "stop_signal", "kill_after", "env", "capabilities",
	"drain_signal", "drain_timeout",
};

static void
load_unit(struct build *b, const char *file, const config_setting_t *g,
    struct service *sv)
{
	const config_setting_t *s = config_setting_get_member(g, "unit");
	size_t i;

	if (s == NULL)
		return;
	sv->unit = build_strdup(b, config_setting_get_string(s));
	if (sv->unit && !unit_name_ok(sv->unit))
		build_error(b, file, s, "unit \"%s\" of service %s is not a "
		    "service unit's name; write it as systemctl shows it, e.g. "
		    "unit = \"%s.service\";", sv->unit, sv->name, sv->name);
	for (i = 0; i < sizeof(unit_owns) / sizeof(unit_owns[0]); i++)
		if (config_setting_get_member(g, unit_owns[i]) != NULL)
			build_error(b, file, config_setting_get_member(g,
			    unit_owns[i]), "service %s is the unit %s: systemd "
			    "starts and stops it as its unit file says, so %s "
			    "belongs there (a drop-in, systemctl edit %s), not "
			    "in the policy; remove it here", sv->name, sv->unit,
			    unit_owns[i], sv->unit);
}

static void
load_start(struct build *b, const char *file, const config_setting_t *g,
    struct service *sv)
{
	const config_setting_t *s = config_setting_get_member(g, "start");

	if (sv->unit != NULL)
		return;
	if (s == NULL) {
		build_error(b, file, g, "service %s has neither start nor unit; "
		    "write how cutover starts it, e.g. start = "
		    "[\"/usr/sbin/nginx\"]; or name its systemd unit, e.g. "
		    "unit = \"nginx.service\";", sv->name);
		return;
	}
	sv->start = key_strings(b, g, "start", &sv->nstart);
	if (sv->nstart == 0)
		build_error(b, file, s, "start of service %s is empty; write "
		    "the command as a list, e.g. start = [\"/usr/sbin/nginx\"];",
		    sv->name);
	else if (sv->start && sv->start[0] && !abs_path_ok(sv->start[0]))
		build_error(b, file, s, "start of service %s must begin with "
		    "an absolute path (cutover never searches PATH and never "
		    "runs a shell), e.g. \"/usr/sbin/%s\"", sv->name, sv->name);
}

static void
load_stop(struct build *b, const char *file, const config_setting_t *g,
    struct service *sv)
{
	const char *sig = "TERM";

	config_setting_lookup_string(g, "stop_signal", &sig);
	if ((sv->stop_signal = signal_from_name(sig)) == 0)
		build_error(b, file, config_setting_get_member(g, "stop_signal"),
		    "stop_signal \"%s\" of service %s is not one cutover "
		    "sends; use TERM, INT, HUP, QUIT, KILL, USR1, USR2 or WINCH",
		    sig, sv->name);
	sv->stop_timeout = key_seconds(g, "stop_timeout", 5.0);
	if (config_setting_lookup_string(g, "drain_signal", &sig) == CONFIG_TRUE &&
	    (sv->drain_signal = signal_from_name(sig)) == 0)
		build_error(b, file, config_setting_get_member(g, "drain_signal"),
		    "drain_signal \"%s\" of service %s is not one cutover "
		    "sends; use TERM, INT, HUP, QUIT, KILL, USR1, USR2 or WINCH",
		    sig, sv->name);
	sv->drain_timeout = key_seconds(g, "drain_timeout", 30.0);
	if (sv->drain_signal == 0 && config_setting_get_member(g,
	    "drain_timeout") != NULL)
		build_warning(b, file, config_setting_get_member(g,
		    "drain_timeout"), "drain_timeout has no effect: service %s "
		    "has no drain_signal", sv->name);
	sv->kill_after = key_bool(g, "kill_after", false);
	sv->start_timeout = key_seconds(g, "start_timeout", 10.0);
}

static void
load_service_ports(struct build *b, const char *file,
    const config_setting_t *g, struct service *sv)
{
	const config_setting_t *s = config_setting_get_member(g, "ports");
	int *ports;
	size_t i, j;

	if (s == NULL)
		return;
	sv->nports = (size_t)config_setting_length(s);
	if ((ports = build_alloc(b, sv->nports + 1, sizeof(*ports))) == NULL)
		return;
	for (i = 0; i < sv->nports; i++) {
		ports[i] = config_setting_get_int_elem(s, (int)i);
		for (j = 0; j < i; j++)
			if (ports[j] == ports[i])
				build_error(b, file, s, "port %d is listed "
				    "twice for service %s", ports[i], sv->name);
	}
	sv->ports = ports;
}

static void
load_env(struct build *b, const char *file, const config_setting_t *g,
    struct service *sv)
{
	const config_setting_t *env = config_setting_get_member(g, "env");
	const char **v;
	size_t i, n;

	if (env == NULL)
		return;
	n = (size_t)config_setting_length(env);
	if ((v = build_alloc(b, n + 1, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(env, (int)i);
		const char *name = config_setting_name(e);
		const char *value;
		size_t len;
		char *kv;

		if (config_setting_type(e) != CONFIG_TYPE_STRING ||
		    strchr(name, '-') != NULL || strchr(name, '*') != NULL) {
			build_error(b, file, e, "env of service %s: %s must be "
			    "a variable name (letters, digits, _) set to a "
			    "string, e.g. LANG = \"C.UTF-8\";", sv->name, name);
			continue;
		}
		value = config_setting_get_string(e);
		len = strlen(name) + strlen(value) + 2;
		if ((kv = build_alloc(b, len, 1)) == NULL)
			return;
		snprintf(kv, len, "%s=%s", name, value);
		v[sv->nenv++] = kv;
	}
	sv->env = v;
}

static void
load_capabilities(struct build *b, const char *file, const config_setting_t *g,
    struct service *sv)
{
	const config_setting_t *s = config_setting_get_member(g, "capabilities");
	cap_value_t cap;
	size_t i;

	sv->capabilities = key_strings(b, g, "capabilities", &sv->ncapabilities);
	for (i = 0; sv->capabilities && i < sv->ncapabilities; i++) {
		const char *c = sv->capabilities[i];
		if (strncmp(c, "cap_", 4) != 0 || strspn(c,
		    "abcdefghijklmnopqrstuvwxyz_") != strlen(c) ||
		    cap_from_name(c, &cap) != 0)
			build_error(b, file, s, "\"%s\" is not a capability "
			    "name; write it as capsh does, e.g. "
			    "\"cap_net_bind_service\"", c);
	}
}

/*
 * How a switch hands a site's listening sockets to the service it
 * starts.  Any number of ports: it gets every socket of the plan's
 * ports; those it lists beyond the plan's it binds itself.
 */
static void
load_handoff(struct build *b, const char *file, const config_setting_t *g,
    struct service *sv)
{
	const config_setting_t *s = config_setting_get_member(g,
	    "socket_handoff");
	const char *how;

	if (s == NULL)
		return;
	how = config_setting_get_string(s);
	if (strcmp(how, "none") == 0)
		sv->handoff = HANDOFF_NONE;
	else if (strcmp(how, "systemd") == 0)
		sv->handoff = HANDOFF_SYSTEMD;
	else if (strcmp(how, "nginx") == 0)
		sv->handoff = HANDOFF_NGINX;
	else {
		build_error(b, file, s, "socket_handoff of service %s must be "
		    "\"none\", \"systemd\" or \"nginx\", not \"%s\"",
		    sv->name, how);
		return;
	}
	if (sv->handoff != HANDOFF_NONE && sv->nports == 0)
		build_error(b, file, s, "service %s has socket_handoff = "
		    "\"%s\", which hands it the listening sockets of its "
		    "ports, but it lists none; list them, e.g. ports = [80, 443];",
		    sv->name, how);
}

static void
load_service(struct build *b, const char *file, const config_setting_t *g)
{
	struct service *sv = &b->services[b->policy->nservices];
	const char *name = config_setting_name(g);
	const struct service *prev;
	char what[128];

	snprintf(what, sizeof(what), "service %s", name);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		build_error(b, file, g, "service %s must be a group, e.g. "
		    "%s = { exe = \"...\"; user = \"...\"; start = [...]; };",
		    name, name);
		return;
	}
	if (!name_ok(name))
		build_error(b, file, g, "\"%s\" is not a valid service name "
		    "(letters, digits, _ and -, at most %d)", name,
		    POLICY_NAME_MAX);
	if ((prev = policy_service(b->policy, name)) != NULL) {
		build_error(b, file, g, "service %s is already defined at "
		    "%s:%d; rename one of them", name, prev->at.file,
		    prev->at.line);
		return;
	}
	if (!keys_ok(b, file, g, service_keys, what))
		return;
	sv->name = build_strdup(b, name);
	sv->at = build_origin(b, file, g);
	config_setting_lookup_string(g, "exe", &sv->exe);
	sv->exe = build_strdup(b, sv->exe);
	if (config_setting_lookup_string(g, "group", &sv->group) == CONFIG_TRUE)
		sv->group = build_strdup(b, sv->group);
	sv->allow_root = key_bool(g, "allow_root", false);
	load_user(b, file, g, sv);
	load_holder_users(b, file, g, sv);
	load_unit(b, file, g, sv);
	load_start(b, file, g, sv);
	load_stop(b, file, g, sv);
	load_service_ports(b, file, g, sv);
	load_env(b, file, g, sv);
	load_capabilities(b, file, g, sv);
	load_handoff(b, file, g, sv);
	b->policy->nservices++;
}

void
load_services(struct build *b, const char *file, const config_t *cfg)
{
	const config_setting_t *all = config_lookup(cfg, "services");
	int i;

	for (i = 0; all != NULL && i < config_setting_length(all); i++)
		load_service(b, file, config_setting_get_elem(all, i));
}

/* ---- ports ------------------------------------------------------------- */

static const struct key port_keys[] = {
	{ "port", K_INT, 1, 65535, true, "port = 8080;" },
	{ "holders", K_STRINGS, 0, 0, true, "holders = [\"apache2\", \"nginx\"];" },
	{ NULL, 0, 0, 0, false, NULL }
};

void
unknown_service(struct build *b, const char *file, const config_setting_t *s,
    const char *name, const char *role)
{
	const char *names[256];
	const char *hint;
	size_t i, n = 0;

	for (i = 0; i < b->policy->nservices && n < 256; i++)
		names[n++] = b->services[i].name;
	hint = closest_name(name, names, n);
	build_error(b, file, s, "%s \"%s\" is not a defined service; define "
	    "it under services%s%s%s", role, name, hint ? " or write \"" : "",
	    hint ? hint : "", hint ? "\"" : "");
}

static void
load_holders(struct build *b, const char *file, const config_setting_t *g,
    struct port_grant *pg)
{
	const config_setting_t *s = config_setting_get_member(g, "holders");
	const struct service **v;
	size_t i, n = (size_t)config_setting_length(s);

	if (n == 0)
		build_error(b, file, s, "port %d has no holders, so it could "
		    "never be freed; name the services that may hold it, e.g. "
		    "holders = [\"apache2\"];", pg->port);
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): v is an array of pointers */
	if ((v = build_alloc(b, n + 1, sizeof(*v))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		const char *name = config_setting_get_string_elem(s, (int)i);
		if ((v[pg->nholders] = policy_service(b->policy, name)) == NULL)
			unknown_service(b, file, s, name, "holder");
		else
			pg->nholders++;
	}
	pg->holders = v;
}

static void
load_port(struct build *b, const char *file, const config_setting_t *g)
{
	struct port_grant *pg = &b->ports[b->policy->nports];
	size_t i;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		build_error(b, file, g, "each entry of ports must be a group, "
		    "e.g. { port = 8080; holders = [\"apache2\"]; }");
		return;
	}
	if (!keys_ok(b, file, g, port_keys, "a ports entry"))
		return;
	config_setting_lookup_int(g, "port", &pg->port);
	pg->at = build_origin(b, file, g);
	for (i = 0; i < b->policy->nports; i++)
		if (b->ports[i].port == pg->port) {
			build_error(b, file, g, "port %d is already listed at "
			    "%s:%d; merge the holders into one entry",
			    pg->port, b->ports[i].at.file, b->ports[i].at.line);
			return;
		}
	load_holders(b, file, g, pg);
	b->policy->nports++;
}

void
load_ports(struct build *b, const char *file, const config_t *cfg)
{
	const config_setting_t *all = config_lookup(cfg, "ports");
	int i;

	for (i = 0; all != NULL && i < config_setting_length(all); i++)
		load_port(b, file, config_setting_get_elem(all, i));
}
