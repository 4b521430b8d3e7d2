/*
 * load.c - policy text -> one immutable struct policy.
 *
 * Every rule of the language is checked here, and every error names the
 * file and line and says what to write instead.  Nothing is guessed: an
 * unknown key, a wrong type or a dangling reference fails the whole load,
 * because a policy that means something other than what its author read
 * is worse than no policy.  Pure: no I/O, no privileges.
 */
#include <ctype.h>
#include <libconfig.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "policy/arena.h"
#include "policy/load.h"
#include "policy/policy.h"

/* The one way a loader message is made: build_error and build_warning differ
 * only in the level. */
static void __attribute__((format(printf, 5, 0)))
vdiag(struct build *b, enum diag_level level, const char *file,
    const config_setting_t *s, const char *fmt, va_list ap)
{
	char msg[1024];

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	diags_add(b->d, level, file,
	    s ? (int)config_setting_source_line(s) : 0, "%s", msg);
}

void
build_error(struct build *b, const char *file, const config_setting_t *s,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(b, DIAG_ERROR, file, s, fmt, ap);
	va_end(ap);
}

void
build_warning(struct build *b, const char *file, const config_setting_t *s,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(b, DIAG_WARNING, file, s, fmt, ap);
	va_end(ap);
}

void *
build_alloc(struct build *b, size_t n, size_t size)
{
	void *p = arena_calloc(b->arena, n, size);

	if (p == NULL && !b->oom) {
		b->oom = true;
		diags_add(b->d, DIAG_ERROR, NULL, 0, "out of memory");
	}
	return p;
}

const char *
build_strdup(struct build *b, const char *s)
{
	char *p = build_alloc(b, strlen(s) + 1, 1);

	if (p != NULL)
		memcpy(p, s, strlen(s) + 1);
	return p;
}

struct origin
build_origin(const struct build *b, const char *file,
    const config_setting_t *s)
{
	struct origin o = { file, 0 };

	(void)b;
	if (s != NULL)
		o.line = (int)config_setting_source_line(s);
	return o;
}

/* ---- names -------------------------------------------------------------- */

/* Service and check names: what libconfig allows as a key, minus '*'. */
bool
name_ok(const char *s)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) > POLICY_NAME_MAX || !isalpha((unsigned char)s[0]))
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/*
 * User and group names as Debian's adduser accepts them (and a trailing
 * '$' for machine accounts).  Anything else cannot be a real account, so
 * it is a typo or an attempt to smuggle a separator into a log line.
 */
bool
account_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 32 || s[0] == '-' || s[0] == '+' || s[0] == '.')
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '_' || c == '-' || c == '.')
			continue;
		if (c == '$' && i == n - 1)
			continue;
		return false;
	}
	for (i = 0; i < n && isdigit((unsigned char)s[i]); i++)
		;
	return i < n;   /* all digits would be read as a uid by some tools */
}

bool
abs_path_ok(const char *s)
{
	const char *p;

	if (s[0] != '/' || strlen(s) > 4096)
		return false;
	for (p = s; *p != '\0'; p++)
		if (iscntrl((unsigned char)*p))
			return false;
	/* No "." or ".." component: the path must say where it leads. */
	for (p = s; (p = strchr(p, '/')) != NULL; ) {
		p++;
		if ((p[0] == '.' && (p[1] == '/' || p[1] == '\0')) ||
		    (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')))
			return false;
	}
	return true;
}

/* ---- parsing the texts ------------------------------------------------- */

/*
 * libconfig 1.5 has no include hook, and an @include would read a file
 * nobody checked; refuse the directive before libconfig sees the text.
 */
static bool
text_has_include(struct build *b, const struct policy_text *t)
{
	const char *p = t->text;
	int line = 1;
	bool found = false;

	while (*p != '\0') {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		/*
		 * Anywhere on the line, not only where libconfig's scanner
		 * looks for it: a false alarm in a comment costs a rewording,
		 * a missed directive would read an unchecked file.
		 */
		if (memmem(p, n, "@include", 8) != NULL) {
			diags_add(b->d, DIAG_ERROR, t->name, line,
			    "@include is not allowed in a policy; put the "
			    "file in policy.d/ instead, where it gets the "
			    "same safety checks");
			found = true;
		}
		if ((p = strchr(p, '\n')) == NULL)
			break;
		p++;
		line++;
	}
	return found;
}

static bool
parse_text(struct build *b, const struct policy_text *t, config_t *cfg)
{
	const char *name = t->name;

	if (strlen(t->text) != t->len) {
		diags_add(b->d, DIAG_ERROR, name, 0,
		    "the file contains a NUL byte; a policy is text");
		return false;
	}
	if (text_has_include(b, t))
		return false;
	config_init(cfg);
	if (config_read_string(cfg, t->text) != CONFIG_TRUE) {
		diags_add(b->d, DIAG_ERROR, name, config_error_line(cfg),
		    "%s (libconfig syntax: name = value; groups in { }, "
		    "lists in ( ), arrays in [ ])", config_error_text(cfg));
		config_destroy(cfg);
		return false;
	}
	return true;
}

static const struct key top_keys[] = {
	{ "audit",    K_GROUP, 0, 0, false, "audit = { syslog = true; };" },
	{ "services", K_GROUP, 0, 0, false, "services = { nginx = { ... }; };" },
	{ "ports",    K_LIST,  0, 0, false, "ports = ( { port = 8080; holders = [\"apache2\"]; } );" },
	{ "checks",   K_GROUP, 0, 0, false, "checks = { homepage = { url = \"http://127.0.0.1:8080/\"; }; };" },
	{ "plans",    K_GROUP, 0, 0, false, "plans = { newsite = { port = 8080; from = \"apache2\"; to = \"nginx\"; }; };" },
	{ "rules",    K_LIST,  0, 0, false, "rules = ( { users = [\"deploy\"]; start = [\"nginx\"]; } );" },
	{ NULL, 0, 0, 0, false, NULL }
};

static size_t
member_count(const config_t *cfg, const char *key)
{
	const config_setting_t *s = config_lookup(cfg, key);

	return s ? (size_t)config_setting_length(s) : 0;
}

static void
allocate_tables(struct build *b, const config_t *cfgs, size_t n)
{
	size_t i, ns = 0, np = 0, nc = 0, npl = 0, nr = 0;

	for (i = 0; i < n; i++) {
		ns += member_count(&cfgs[i], "services");
		np += member_count(&cfgs[i], "ports");
		nc += member_count(&cfgs[i], "checks");
		npl += member_count(&cfgs[i], "plans");
		nr += member_count(&cfgs[i], "rules");
	}
	b->services = build_alloc(b, ns, sizeof(*b->services));
	b->ports = build_alloc(b, np, sizeof(*b->ports));
	b->checks = build_alloc(b, nc, sizeof(*b->checks));
	b->plans = build_alloc(b, npl, sizeof(*b->plans));
	b->rules = build_alloc(b, nr, sizeof(*b->rules));
	b->policy->services = b->services;
	b->policy->ports = b->ports;
	b->policy->checks = b->checks;
	b->policy->plans = b->plans;
	b->policy->rules = b->rules;
}

static void
load_audit(struct build *b, const char *file, const config_t *cfg)
{
	static const struct key audit_keys[] = {
		{ "syslog", K_BOOL, 0, 0, false, "syslog = true;" },
		{ "file",   K_PATH, 0, 0, false, "file = \"/var/log/cutover/audit.jsonl\";" },
		{ NULL, 0, 0, 0, false, NULL }
	};
	const config_setting_t *g = config_lookup(cfg, "audit");
	struct audit_config *ac = &b->policy->audit;
	int v;
	const char *s;

	ac->syslog = true;
	ac->at = build_origin(b, file, g);
	if (g == NULL) {
		build_warning(b, file, NULL, "no audit section: records go to "
		    "syslog only; add audit = { syslog = true; file = "
		    "\"/var/log/cutover/audit.jsonl\"; };");
		return;
	}
	if (!keys_ok(b, file, g, audit_keys, "the audit section"))
		return;
	if (config_setting_lookup_bool(g, "syslog", &v) == CONFIG_TRUE)
		ac->syslog = v;
	if (config_setting_lookup_string(g, "file", &s) == CONFIG_TRUE)
		ac->file = build_strdup(b, s);
	if (!ac->syslog && ac->file == NULL)
		build_error(b, file, g, "the audit section turns every record "
		    "off; keep syslog = true; or name a file = \"...\";");
}

static bool
file_tops_ok(struct build *b, const struct policy_text *t, const config_t *cfg)
{
	const config_setting_t *audit = config_lookup(cfg, "audit");

	if (!keys_ok(b, t->name, config_root_setting(cfg), top_keys,
	    "a policy file"))
		return false;
	if (!t->main && audit != NULL) {
		build_error(b, t->name, audit, "audit may be set only in the "
		    "main policy file, not in a drop-in");
		return false;
	}
	return true;
}

static void
fill_tables(struct build *b, const struct policy_texts *texts,
    const config_t *cfgs)
{
	size_t i;

	for (i = 0; i < texts->n; i++)
		load_services(b, b->policy->files[i], &cfgs[i]);
	for (i = 0; i < texts->n; i++)
		load_checks(b, b->policy->files[i], &cfgs[i]);
	for (i = 0; i < texts->n; i++)
		load_ports(b, b->policy->files[i], &cfgs[i]);
	/* Plans refer to services, checks and ports; rules to plans. */
	for (i = 0; i < texts->n; i++)
		load_plans(b, b->policy->files[i], &cfgs[i]);
	for (i = 0; i < texts->n; i++)
		load_rules(b, b->policy->files[i], &cfgs[i]);
	for (i = 0; i < texts->n; i++)
		if (texts->v[i].main)
			load_audit(b, b->policy->files[i], &cfgs[i]);
	if (b->policy->nrules == 0)
		diags_add(b->d, DIAG_WARNING, texts->n ? texts->v[0].name : NULL,
		    0, "no rules: every request will be refused");
}

static bool
record_files(struct build *b, const struct policy_texts *texts)
{
	const char **files;
	size_t i, nmain = 0;

	files = build_alloc(b, texts->n + 1, sizeof(*files));
	if (files == NULL)
		return false;
	for (i = 0; i < texts->n; i++) {
		if ((files[i] = build_strdup(b, texts->v[i].name)) == NULL)
			return false;
		nmain += texts->v[i].main;
	}
	b->policy->files = files;
	b->policy->nfiles = texts->n;
	if (nmain != 1 || !texts->v[0].main) {
		diags_add(b->d, DIAG_ERROR, NULL, 0,
		    "internal error: the main policy file must come first");
		return false;
	}
	return true;
}

struct policy *
policy_build(const struct policy_texts *texts, struct diags *d)
{
	struct build b = { .d = d };
	config_t cfgs[POLICY_FILES_MAX];
	bool live[POLICY_FILES_MAX] = { false };
	size_t i, errors_before = d->nerrors;
	bool ok, tops_ok;

	if (texts->n == 0 || texts->n > POLICY_FILES_MAX) {
		diags_add(d, DIAG_ERROR, NULL, 0, "no policy text to load");
		return NULL;
	}
	if ((b.arena = arena_new()) == NULL ||
	    (b.policy = build_alloc(&b, 1, sizeof(*b.policy))) == NULL) {
		diags_add(d, DIAG_ERROR, NULL, 0, "out of memory");
		arena_free(b.arena);
		return NULL;
	}
	b.policy->arena = b.arena;
	ok = record_files(&b, texts);
	for (i = 0; ok && i < texts->n; i++)
		live[i] = parse_text(&b, &texts->v[i], &cfgs[i]);
	for (i = 0; ok && i < texts->n; i++)
		ok = live[i];
	for (i = 0, tops_ok = ok; ok && i < texts->n; i++)
		tops_ok = file_tops_ok(&b, &texts->v[i], &cfgs[i]) && tops_ok;
	ok = ok && tops_ok;
	if (ok) {
		allocate_tables(&b, cfgs, texts->n);
		if (!b.oom)
			fill_tables(&b, texts, cfgs);
	}
	for (i = 0; i < texts->n; i++)
		if (live[i])
			config_destroy(&cfgs[i]);
	if (d->nerrors != errors_before) {
		arena_free(b.arena);
		return NULL;
	}
	return b.policy;
}

void
policy_free(struct policy *p)
{
	if (p != NULL)
		arena_free(p->arena);
}
