/*
 * test_load.c - the policy loader: every accepted form means what it says,
 * and every error names the file and line and says what to write.
 */
#include <check.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "tests/unit/testutil.h"

/* Line 1-2: one valid service; tests append from line 3 on. */
#define SVC \
	"services = { nginx = { exe = \"/usr/sbin/nginx\"; user = \"nginx\";\n" \
	"  start = [\"/usr/sbin/nginx\"]; ports = [8080]; }; };\n"

static struct diags d;

static void
setup(void)
{
	memset(&d, 0, sizeof(d));
}

static void
teardown(void)
{
	diags_free(&d);
}

/* Expect the build to fail with an error at LINE mentioning WORDS. */
static void
refused(const char *text, int line, const char *words)
{
	struct policy *p = tu_build(&d, text, NULL);

	ck_assert_msg(p == NULL, "accepted: %s", text);
	ck_assert_msg(tu_has(&d, DIAG_ERROR, "main.conf", line, words),
	    "no error at line %d with \"%s\"", line, words);
}

START_TEST(reference_example_means_what_it_says)
{
	char *text = tu_slurp("policy/examples/deploy.conf");
	const struct service *a, *n;
	const struct port_grant *pg;
	const struct check *c;
	const struct plan *pl;
	const struct rule *r;
	struct policy *p;

	ck_assert_ptr_nonnull(text);
	p = tu_build(&d, text, NULL);
	free(text);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(d.nerrors, 0);
	ck_assert(p->audit.syslog);
	ck_assert_str_eq(p->audit.file, "/var/log/cutover/audit.jsonl");

	a = policy_service(p, "apache2");
	ck_assert_ptr_nonnull(a);
	ck_assert_str_eq(a->exe, "/usr/sbin/apache2");
	ck_assert_str_eq(a->user, "root");
	ck_assert(a->allow_root);
	ck_assert_uint_eq(a->nstart, 2);
	ck_assert_str_eq(a->start[0], "/usr/sbin/apache2ctl");
	ck_assert_str_eq(a->start[1], "start");
	ck_assert_ptr_null(a->start[2]);
	ck_assert_int_eq(a->stop_signal, SIGTERM);
	ck_assert(a->stop_timeout == 5.0);
	ck_assert(!a->kill_after);
	ck_assert_uint_eq(a->nports, 1);
	ck_assert_int_eq(a->ports[0], 8080);
	ck_assert_uint_eq(a->nholder_users, 2);
	ck_assert_str_eq(a->holder_users[0], "root");
	ck_assert_str_eq(a->holder_users[1], "www-data");

	n = policy_service(p, "nginx");
	ck_assert_ptr_nonnull(n);
	ck_assert_str_eq(n->user, "nginx");
	ck_assert_str_eq(n->group, "nginx");
	ck_assert(!n->allow_root);
	ck_assert_uint_eq(n->nholder_users, 0);     /* its user alone */
	ck_assert_ptr_null(n->holder_users);
	ck_assert_uint_eq(n->nstart, 3);
	ck_assert_str_eq(n->start[2], "/etc/cutover/nginx.conf");
	ck_assert_uint_eq(n->nenv, 0);
	ck_assert_uint_eq(n->ncapabilities, 0);
	ck_assert(n->start_timeout == 10.0);     /* default */
	ck_assert_int_eq(n->handoff, HANDOFF_NGINX);
	ck_assert_int_eq(a->handoff, HANDOFF_NONE);    /* default */

	pg = policy_port(p, 8080);
	ck_assert_ptr_nonnull(pg);
	ck_assert_uint_eq(pg->nholders, 2);
	ck_assert_ptr_eq(pg->holders[0], a);
	ck_assert_ptr_eq(pg->holders[1], n);

	c = policy_check(p, "homepage");
	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c->url, "http://127.0.0.1:8080/");
	ck_assert_int_eq(c->status, 200);
	ck_assert_str_eq(c->contains, "Fall collection");
	ck_assert(c->within == 10.0);
	ck_assert(c->timeout == 5.0);
	ck_assert_int_eq(c->max_body, 1048576);
	ck_assert(!c->follow);

	ck_assert_uint_eq(p->nplans, 1);
	pl = policy_plan(p, "newsite");
	ck_assert_ptr_nonnull(pl);
	ck_assert_int_eq(pl->at.line, 49);
	ck_assert_uint_eq(pl->nports, 1);
	ck_assert_int_eq(pl->ports[0], 8080);
	ck_assert_ptr_eq(pl->grants[0], pg);
	ck_assert_ptr_eq(pl->from, a);
	ck_assert_ptr_eq(pl->to, n);
	ck_assert_uint_eq(pl->nverify, 1);
	ck_assert_ptr_eq(pl->verify[0], c);
	ck_assert(pl->rollback);

	ck_assert_uint_eq(p->nrules, 1);
	r = &p->rules[0];
	ck_assert_uint_eq(r->nusers, 1);
	ck_assert_str_eq(r->users[0], "deploy");
	ck_assert_uint_eq(r->ngroups, 0);
	ck_assert_uint_eq(r->free.n, 1);
	ck_assert_ptr_eq(r->free.items[0].port, pg);
	ck_assert_ptr_eq(r->start.items[0].service, n);
	ck_assert_ptr_eq(r->stop.items[0].service, n);
	ck_assert_ptr_eq(r->verify.items[0].check, c);
	ck_assert_int_eq(r->auth, AUTH_NONE);
	ck_assert_uint_eq(r->plans.n, 1);
	ck_assert_ptr_eq(r->plans.items[0].plan, pl);
	ck_assert_int_eq(r->plans.items[0].at.line, 42);
	/* each permission remembers its own line */
	ck_assert_str_eq(r->start.items[0].at.file, "main.conf");
	ck_assert_int_eq(r->free.items[0].at.line, 37);
	ck_assert_int_eq(r->start.items[0].at.line, 38);
	ck_assert_int_eq(r->verify.items[0].at.line, 40);
	policy_free(p);
}
END_TEST

START_TEST(shipped_examples_load)
{
	const char *files[] = { "policy/examples/deploy.conf",
	    "policy/examples/deny-all.conf", "policy/examples/teams.conf" };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct policy *p = policy_load(files[i], POLICY_TRUST_NAMED, &d);
		ck_assert_msg(p != NULL, "%s did not load", files[i]);
		policy_free(p);
	}
	ck_assert_uint_eq(d.nerrors, 0);
}
END_TEST

START_TEST(other_accepted_forms)
{
	struct policy *p = tu_build(&d,
	    "services = { web = { exe = \"/usr/bin/web\"; user = 1234;\n"
	    "  start = (\"/usr/bin/web\", \"--port\", \"80\");\n"
	    "  stop_signal = \"SIGHUP\"; stop_timeout = 2; kill_after = true;\n"
	    "  env = { LANG = \"C.UTF-8\"; WEB_MODE = \"prod\"; };\n"
	    "  capabilities = [\"cap_net_bind_service\"]; }; };\n"
	    "ports = ( { port = 80; holders = [\"web\"]; } );\n"
	    "checks = { c = { url = \"https://example.org/x\"; sha256 =\n"
	    "  \"ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789\";\n"
	    "  header = \"Content-Type: text/html\"; follow = true; }; };\n"
	    "rules = ( { groups = [\"webops\"]; free = [80]; stop = [\"web\"];\n"
	    "  verify = [\"c\"]; auth = \"pam\"; } );\n", NULL);
	const struct service *s;
	const struct check *c;

	ck_assert_ptr_nonnull(p);
	s = policy_service(p, "web");
	ck_assert_ptr_null(s->user);
	ck_assert_int_eq(s->uid, 1234);
	ck_assert_str_eq(s->start[2], "80");
	ck_assert_int_eq(s->stop_signal, SIGHUP);
	ck_assert(s->stop_timeout == 2.0);
	ck_assert(s->kill_after);
	ck_assert_uint_eq(s->nenv, 2);
	ck_assert_str_eq(s->env[0], "LANG=C.UTF-8");
	ck_assert_str_eq(s->env[1], "WEB_MODE=prod");
	ck_assert_str_eq(s->capabilities[0], "cap_net_bind_service");
	c = policy_check(p, "c");
	ck_assert_str_eq(c->sha256,
	    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	ck_assert(c->follow);
	ck_assert_int_eq(p->rules[0].auth, AUTH_PAM);
	ck_assert_str_eq(p->rules[0].groups[0], "webops");
	/* no audit section: syslog only, with a warning */
	ck_assert(p->audit.syslog);
	ck_assert_ptr_null(p->audit.file);
	ck_assert(tu_has(&d, DIAG_WARNING, "main.conf", 0, "no audit section"));
	policy_free(p);
}
END_TEST

START_TEST(no_rules_is_valid_but_warned)
{
	struct policy *p = tu_build(&d, SVC, NULL);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nrules, 0);
	ck_assert(tu_has(&d, DIAG_WARNING, "main.conf", 0, "every request "
	    "will be refused"));
	policy_free(p);
	diags_free(&d);
	p = tu_build(&d, "rules = ();\n", NULL);
	ck_assert_ptr_nonnull(p);
	policy_free(p);
}
END_TEST

START_TEST(dropins_add_and_resolve_across_files)
{
	struct policy *p = tu_build(&d, SVC,
	    "ports = ( { port = 8080; holders = [\"nginx\"]; } );\n"
	    "rules = ( { users = [\"deploy\"]; free = [8080];\n"
	    "  start = [\"nginx\"]; } );\n", NULL);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nfiles, 2);
	ck_assert_str_eq(p->rules[0].at.file, "policy.d/01.conf");
	ck_assert_int_eq(p->rules[0].at.line, 2);
	ck_assert_int_eq(p->rules[0].start.items[0].at.line, 3);
	ck_assert_str_eq(p->rules[0].start.items[0].service->at.file,
	    "main.conf");
	policy_free(p);
}
END_TEST

START_TEST(name_defined_twice_across_files)
{
	struct policy *p = tu_build(&d, SVC, "\n" SVC, NULL);

	ck_assert_ptr_null(p);
	ck_assert(tu_has(&d, DIAG_ERROR, "policy.d/01.conf", 2,
	    "service nginx is already defined at main.conf:1"));
}
END_TEST

START_TEST(audit_only_in_main_file)
{
	struct policy *p = tu_build(&d, SVC,
	    "\naudit = { syslog = true; };\n", NULL);

	ck_assert_ptr_null(p);
	ck_assert(tu_has(&d, DIAG_ERROR, "policy.d/01.conf", 2,
	    "only in the main policy file"));
}
END_TEST

START_TEST(unknown_keys_with_suggestion)
{
	refused(SVC "checks = { h = { url = \"http://x/\";\n"
	    "  contain = \"new\"; }; };\n", 4, "did you mean \"contains\"");
	diags_free(&d);
	refused(SVC "colour = 3;\n", 3, "unknown key \"colour\" in a policy "
	    "file; it may hold: audit, services, ports, checks, plans, rules");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  start = [\"/a\"]; exec = \"/b\"; }; };\n", 2,
	    "did you mean \"exe\"");
}
END_TEST

START_TEST(wrong_types)
{
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  start = [\"/a\"]; stop_timeout = \"5\"; }; };\n", 2,
	    "stop_timeout in service a must be a number of seconds");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  start = \"/a\"; }; };\n", 2,
	    "start in service a must be a list of non-empty strings");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  start = [\"/a\"]; allow_root = 1; }; };\n", 2,
	    "allow_root in service a must be true or false");
	diags_free(&d);
	refused(SVC "rules = { };\n", 3, "rules in a policy file must be a "
	    "list in parentheses");
}
END_TEST

START_TEST(duplicate_names_in_one_file)
{
	refused("services = {\n a = { exe = \"/a\"; user = \"a\"; "
	    "start = [\"/a\"]; };\n a = { exe = \"/a\"; user = \"a\"; "
	    "start = [\"/a\"]; };\n};\n", 3, "duplicate");
}
END_TEST

START_TEST(relative_paths)
{
	refused("services = { a = { exe = \"usr/sbin/a\"; user = \"a\";\n"
	    "  start = [\"/a\"]; }; };\n", 1, "absolute path");
	diags_free(&d);
	refused("services = { a = { exe = \"/usr/sbin/a\"; user = \"a\";\n"
	    "  start = [\"nginx\", \"-t\"]; }; };\n", 2,
	    "must begin with an absolute path");
	diags_free(&d);
	refused("services = { a = { exe = \"/usr/../tmp/a\"; user = \"a\";\n"
	    "  start = [\"/a\"]; }; };\n", 1, "without . or .. components");
	diags_free(&d);
	refused("audit = {\n file = \"audit.jsonl\"; };\n", 2,
	    "absolute path");
}
END_TEST

START_TEST(ports_out_of_range)
{
	refused(SVC "ports = ( { port = 0; holders = [\"nginx\"]; } );\n", 3,
	    "port in a ports entry must be a whole number from 1 to 65535");
	diags_free(&d);
	refused(SVC "ports = ( { port = 65536; holders = [\"nginx\"]; } );\n",
	    3, "from 1 to 65535");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  start = [\"/a\"]; ports = [80, 70000]; }; };\n", 2,
	    "ports in service a must be a list of whole numbers in brackets "
	    "from 1 to 65535");
	diags_free(&d);
	refused(SVC "ports = ( { port = 8080; holders = [\"nginx\"]; },\n"
	    "  { port = 8080; holders = [\"nginx\"]; } );\n", 4,
	    "port 8080 is already listed at main.conf:3");
}
END_TEST

START_TEST(undefined_references)
{
	refused(SVC "ports = ( { port = 8080; holders = [\"ngnix\"]; } );\n",
	    3, "holder \"ngnix\" is not a defined service; define it under "
	    "services or write \"nginx\"");
	diags_free(&d);
	refused(SVC "rules = ( { users = [\"deploy\"];\n"
	    "  start = [\"apache2\"]; } );\n", 4,
	    "start \"apache2\" is not a defined service");
	diags_free(&d);
	refused(SVC "rules = ( { users = [\"deploy\"];\n"
	    "  verify = [\"homepage\"]; } );\n", 4,
	    "check \"homepage\" is not defined");
	diags_free(&d);
	refused(SVC "rules = ( { users = [\"deploy\"];\n"
	    "  free = [8080]; } );\n", 4,
	    "port 8080 may not be freed: it has no entry in ports");
}
END_TEST

START_TEST(root_needs_allow_root)
{
	refused("services = { a = { exe = \"/a\";\n user = \"root\";\n"
	    "  start = [\"/a\"]; }; };\n", 2, "add allow_root = true;");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\";\n user = 0;\n"
	    "  start = [\"/a\"]; }; };\n", 2, "would run as root");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\";\n user = -1;\n"
	    "  start = [\"/a\"]; }; };\n", 2, "user name in quotes or a "
	    "numeric uid");
}
END_TEST

START_TEST(rule_needs_users_or_groups)
{
	refused(SVC "rules = (\n { start = [\"nginx\"]; } );\n", 4,
	    "does not say whom it is for; add users = [\"deploy\"]; and/or "
	    "groups = [\"deployers\"];");
	diags_free(&d);
	refused(SVC "rules = (\n { users = []; start = [\"nginx\"]; } );\n",
	    4, "does not say whom");
	diags_free(&d);
	refused(SVC "rules = (\n { users = [\"bad name\"]; } );\n", 4,
	    "\"bad name\" in users is not a valid user name");
}
END_TEST

START_TEST(include_refused)
{
	refused(SVC "  @include \"/etc/shadow\"\n", 3, "@include is not allowed");
	diags_free(&d);
	refused(SVC "\nrules = (); /* */ @include \"/etc/passwd\"\n", 4,
	    "@include is not allowed");
}
END_TEST

START_TEST(syntax_error_has_line)
{
	refused(SVC "rules = ( { users = [\"deploy\" } );\nchecks = {};\n", 3,
	    "syntax error");
}
END_TEST

START_TEST(nul_byte_refused)
{
	struct policy_texts t = { .n = 1 };
	char text[] = "rules = ();\0more";

	t.v[0].name = "main.conf";
	t.v[0].text = text;
	t.v[0].len = sizeof(text) - 1;
	t.v[0].main = true;
	ck_assert_ptr_null(policy_build(&t, &d));
	ck_assert(tu_has(&d, DIAG_ERROR, "main.conf", 0, "NUL byte"));
}
END_TEST

START_TEST(bad_values)
{
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  start = [\"/a\"]; stop_signal = \"STOP\"; }; };\n", 2,
	    "stop_signal \"STOP\" of service a is not one cutover sends");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  start = [\"/a\"]; capabilities = [\"net_admin\"]; }; };\n", 2,
	    "\"net_admin\" is not a capability name");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  start = []; }; };\n", 2, "start of service a is empty");
	diags_free(&d);
	refused("checks = { h = {\n url = \"ftp://x/\"; }; };\n", 2,
	    "must start with http:// or https://");
	diags_free(&d);
	refused("checks = { h = {\n url = \"http://u:p@x/\"; }; };\n", 2,
	    "must not carry credentials");
	diags_free(&d);
	refused("checks = { h = { url = \"http://x/\";\n sha256 = \"abc\"; }; };\n",
	    2, "64 hexadecimal digits");
	diags_free(&d);
	refused("checks = { h = { url = \"http://x/\";\n header = \"no colon\"; }; };\n",
	    2, "must be \"Name: value\"");
	diags_free(&d);
	refused("checks = { h = { url = \"http://x/\";\n status = 99; }; };\n",
	    2, "from 100 to 599");
	diags_free(&d);
	refused(SVC "rules = ( { users = [\"deploy\"];\n auth = \"kerberos\"; } );\n",
	    4, "auth must be \"none\" or \"pam\"");
	diags_free(&d);
	refused(SVC "rules = ( { users = [\"deploy\"];\n start = [\"nginx\"];\n"
	    " reason = \"please\"; } );\n", 5,
	    "reason must be \"required\" or \"optional\", not \"please\"");
	diags_free(&d);
	refused(SVC "rules = ( { users = [\"deploy\"];\n reason = true; } );\n",
	    4, "reason");
	diags_free(&d);
	refused("\naudit = {\n syslog = false; };\n", 2,
	    "turns every record off");
}
END_TEST

START_TEST(every_error_is_reported)
{
	struct policy *p = tu_build(&d,
	    "services = { a = { exe = \"a\"; user = \"a\"; start = [\"/a\"]; };\n"
	    "  b = { exe = \"/b\"; user = \"root\"; start = [\"/b\"]; }; };\n",
	    NULL);

	ck_assert_ptr_null(p);
	ck_assert_uint_eq(d.nerrors, 2);
}
END_TEST

/* ---- plans ---------------------------------------------------------------- */

/*
 * Lines 1-5: apache2 and nginx on 8080, 8080 freeable from apache2, the
 * check homepage.  Plan tests append from line 6 on.
 */
#define SWITCHABLE \
	"services = { apache2 = { exe = \"/usr/sbin/apache2\"; user = \"www-data\";\n" \
	"  start = [\"/usr/sbin/apache2ctl\", \"start\"]; ports = [8080]; };\n" \
	"  nginx = { exe = \"/usr/sbin/nginx\"; user = \"nginx\"; start = [\"/usr/sbin/nginx\"]; ports = [8080]; }; };\n" \
	"ports = ( { port = 8080; holders = [\"apache2\"]; } );\n" \
	"checks = { homepage = { url = \"http://127.0.0.1:8080/\"; }; };\n"

START_TEST(plan_defaults_and_switch_grant)
{
	struct policy *p = tu_build(&d, SWITCHABLE
	    "plans = { newsite = { port = 8080; from = \"apache2\";\n"
	    "  to = \"nginx\"; }; };\n"
	    "rules = ( { users = [\"deploy\"];\n"
	    "  switch = [\"newsite\"]; } );\n", NULL);
	const struct plan *pl;

	ck_assert_ptr_nonnull(p);
	pl = policy_plan(p, "newsite");
	ck_assert_ptr_nonnull(pl);
	ck_assert_str_eq(pl->at.file, "main.conf");
	ck_assert_int_eq(pl->at.line, 6);
	ck_assert(pl->rollback);                 /* default */
	ck_assert_uint_eq(pl->nverify, 0);
	ck_assert_uint_eq(pl->nports, 1);
	ck_assert_ptr_eq(pl->grants[0], policy_port(p, 8080));
	/* no check: valid, but warned */
	ck_assert(tu_has(&d, DIAG_WARNING, "main.conf", 6, "plan newsite "
	    "runs no check, so a switch cannot know that nginx serves the "
	    "new content"));
	/* a rule that only grants switch grants something */
	ck_assert(!tu_has(&d, DIAG_WARNING, "main.conf", 8, "grants nothing"));
	ck_assert_uint_eq(p->rules[0].plans.n, 1);
	ck_assert_ptr_eq(p->rules[0].plans.items[0].plan, pl);
	ck_assert_int_eq(p->rules[0].plans.items[0].at.line, 9);
	ck_assert_ptr_null(policy_plan(p, "oldsite"));
	policy_free(p);
}
END_TEST

START_TEST(plan_rollback_off_and_several_checks)
{
	struct policy *p = tu_build(&d, SWITCHABLE,
	    "checks = { api = { url = \"http://127.0.0.1:8080/api\"; }; };\n"
	    "plans = { back = { port = 8080; from = \"apache2\"; to = \"nginx\";\n"
	    "  verify = [\"homepage\", \"api\"]; rollback = false; }; };\n",
	    NULL);
	ck_assert_ptr_nonnull(p);
	ck_assert(!p->plans[0].rollback);
	ck_assert_uint_eq(p->plans[0].nverify, 2);
	ck_assert_str_eq(p->plans[0].verify[1]->name, "api");
	ck_assert_str_eq(p->plans[0].at.file, "policy.d/01.conf");
	policy_free(p);
}
END_TEST

START_TEST(plan_errors_say_what_to_write)
{
	refused(SWITCHABLE "plans = { newsite = {\n port = 8080; from = \"apache2\"; "
	    "to = \"nginx\"; verfy = [\"homepage\"]; }; };\n", 7,
	    "unknown key \"verfy\" in plan newsite; did you mean \"verify\"?");
	diags_free(&d);
	refused(SWITCHABLE "plans = {\n newsite = { from = \"apache2\"; "
	    "to = \"nginx\"; }; };\n", 7,
	    "plan newsite must name its site's ports once: port = 8080; or "
	    "ports = [80, 443]; (1 to 4 ports)");
	diags_free(&d);
	refused(SWITCHABLE "plans = {\n newsite = { port = 8080; from = \"apache2\"; }; };\n",
	    7, "plan newsite needs to, e.g. to = \"nginx\";");
	diags_free(&d);
	refused(SWITCHABLE "plans = { newsite = { port = 8080;\n from = \"apache\"; "
	    "to = \"nginx\"; }; };\n", 7, "from \"apache\" is not a defined "
	    "service; define it under services or write \"apache2\"");
	diags_free(&d);
	refused(SWITCHABLE "plans = { newsite = { port = 8080; from = \"apache2\";\n"
	    " to = \"apache2\"; }; };\n", 7, "plan newsite switches apache2 to "
	    "itself; from and to must name two different services");
	diags_free(&d);
	refused(SWITCHABLE "plans = { newsite = {\n port = 9090; from = \"apache2\"; "
	    "to = \"nginx\"; }; };\n", 7, "port 9090 of plan newsite has no "
	    "entry in ports, so the switch could not free it; add { port = "
	    "9090; holders = [\"apache2\"]; } to ports");
	diags_free(&d);
	refused(SWITCHABLE "plans = { back = {\n port = 8080; from = \"nginx\"; "
	    "to = \"apache2\"; }; };\n", 7, "plan back frees port 8080 from "
	    "nginx, but nginx is not among the holders of port 8080 "
	    "(main.conf:4), so the switch could not free it; add \"nginx\" to "
	    "that port's holders");
	diags_free(&d);
	refused(SWITCHABLE "plans = { newsite = { port = 8080; from = \"apache2\";\n"
	    " to = \"nginx\"; rollback = \"yes\"; }; };\n", 7,
	    "rollback in plan newsite must be true or false, e.g. rollback = true;");
}
END_TEST

/*
 * Lines 1-6: a site on 80 and 443: apache2 and nginx list both, each port
 * freeable from apache2.  Tests append from line 7 on.
 */
#define SITE \
	"services = { apache2 = { exe = \"/usr/sbin/apache2\"; user = \"www-data\";\n" \
	"  start = [\"/usr/sbin/apache2ctl\", \"start\"]; ports = [80, 443]; };\n" \
	"  nginx = { exe = \"/usr/sbin/nginx\"; user = \"nginx\"; start = [\"/usr/sbin/nginx\"];\n" \
	"  ports = [80, 443, 8443]; socket_handoff = \"nginx\"; }; };\n" \
	"ports = ( { port = 80; holders = [\"apache2\"]; }, { port = 443; holders = [\"apache2\"]; } );\n" \
	"checks = { homepage = { url = \"http://127.0.0.1/\"; }; };\n"

START_TEST(plan_moves_a_site_of_several_ports)
{
	struct policy *p = tu_build(&d, SITE
	    "plans = { site = { ports = [443, 80]; from = \"apache2\";\n"
	    "  to = \"nginx\"; verify = [\"homepage\"]; }; };\n", NULL);
	const struct plan *pl;
	char words[64];

	ck_assert_ptr_nonnull(p);
	pl = policy_plan(p, "site");
	ck_assert_ptr_nonnull(pl);
	/* the policy's order, each with its own ports entry */
	ck_assert_uint_eq(pl->nports, 2);
	ck_assert_int_eq(pl->ports[0], 443);
	ck_assert_int_eq(pl->ports[1], 80);
	ck_assert_ptr_eq(pl->grants[0], policy_port(p, 443));
	ck_assert_ptr_eq(pl->grants[1], policy_port(p, 80));
	ck_assert(policy_plan_has_port(pl, 80));
	ck_assert(!policy_plan_has_port(pl, 8443));
	policy_plan_ports_words(pl, words, sizeof(words));
	ck_assert_str_eq(words, "ports 443 and 80");
	policy_plan_port_numbers(pl, words, sizeof(words));
	ck_assert_str_eq(words, "443 and 80");
	/* a handoff service may list several ports now */
	ck_assert_int_eq(policy_service(p, "nginx")->handoff, HANDOFF_NGINX);
	policy_free(p);
}
END_TEST

START_TEST(plan_ports_errors_say_what_to_write)
{
	const char *once = "plan site must name its site's ports once: port = "
	    "8080; or ports = [80, 443]; (1 to 4 ports)";

	refused(SITE "plans = { site = {\n port = 80; ports = [80, 443]; "
	    "from = \"apache2\"; to = \"nginx\"; }; };\n", 8, once);
	diags_free(&d);
	refused(SITE "plans = { site = {\n ports = []; "
	    "from = \"apache2\"; to = \"nginx\"; }; };\n", 8, once);
	diags_free(&d);
	refused(SITE "plans = { site = {\n ports = [80, 443, 81, 82, 83]; "
	    "from = \"apache2\"; to = \"nginx\"; }; };\n", 8, once);
	diags_free(&d);
	refused(SITE "plans = { site = {\n ports = [80, 443, 80]; "
	    "from = \"apache2\"; to = \"nginx\"; }; };\n", 8,
	    "port 80 is listed twice in plan site");
	diags_free(&d);
	/* every port needs its entry, and both services must list it */
	refused(SITE "plans = { site = {\n ports = [80, 8443]; "
	    "from = \"apache2\"; to = \"nginx\"; }; };\n", 8,
	    "port 8443 of plan site has no entry in ports");
	diags_free(&d);
	refused(SITE "plans = { site = {\n ports = [80, 8443]; "
	    "from = \"apache2\"; to = \"nginx\"; }; };\n", 8,
	    "plan site switches port 8443 from apache2, but apache2 does not "
	    "list that port");
	diags_free(&d);
	refused(SITE "plans = { site = { ports = [443, 80];\n from = \"nginx\"; "
	    "to = \"apache2\"; }; };\n", 7, "plan site frees port 443 from "
	    "nginx, but nginx is not among the holders of port 443");
	diags_free(&d);
	/* a handoff needs ports to hand */
	refused("services = { web = { exe = \"/usr/sbin/nginx\"; user = \"nginx\";\n"
	    " start = [\"/usr/sbin/nginx\"]; socket_handoff = \"nginx\"; }; };\n",
	    2, "service web has socket_handoff = \"nginx\", which hands it the "
	    "listening sockets of its ports, but it lists none");
}
END_TEST

START_TEST(plan_errors_about_checks_and_names)
{
	refused(SWITCHABLE "plans = { newsite = { port = 8080; from = \"apache2\";\n"
	    " to = \"nginx\"; verify = [\"homepag\"]; }; };\n", 7,
	    "check \"homepag\" in verify of plan newsite is not defined; "
	    "define it under checks or write \"homepage\"");
	diags_free(&d);
	refused(SWITCHABLE "plans = { newsite = { port = 8080; from = \"apache2\";\n"
	    " to = \"nginx\"; verify = [\"homepage\", \"homepage\"]; }; };\n",
	    7, "check homepage is listed twice in verify of plan newsite");
	diags_free(&d);
	refused(SWITCHABLE "plans = {\n newsite = 3; };\n", 7,
	    "plan newsite must be a group");
	diags_free(&d);
	refused(SWITCHABLE "plans = {\n new_site* = { port = 8080; from = "
	    "\"apache2\"; to = \"nginx\"; }; };\n", 7,
	    "\"new_site*\" is not a valid plan name");
	diags_free(&d);
	refused(SWITCHABLE "plans = ( );\n", 6,
	    "plans in a policy file must be a group in braces");
}
END_TEST

/* TO must say it listens on the port: that is how start knows it serves. */
START_TEST(plan_target_must_listen_on_the_port)
{
	struct policy *p = tu_build(&d, SWITCHABLE,
	    "services = { other = { exe = \"/usr/bin/other\"; user = \"other\";\n"
	    "  start = [\"/usr/bin/other\"]; ports = [9090]; }; };\n"
	    "plans = { newsite = { port = 8080; from = \"apache2\";\n"
	    "  to = \"other\"; }; };\n", NULL);

	ck_assert_ptr_null(p);
	ck_assert(tu_has(&d, DIAG_ERROR, "policy.d/01.conf", 4, "plan newsite "
	    "starts other on port 8080, but other does not list that port, so "
	    "cutover could not tell when it serves; add 8080 to the ports of "
	    "service other (policy.d/01.conf:1)"));
}
END_TEST

/* FROM too: it is found, stopped and seen to serve again by its ports. */
START_TEST(plan_source_must_listen_on_the_port)
{
	struct policy *p = tu_build(&d, SWITCHABLE,
	    "services = { other = { exe = \"/usr/bin/other\"; user = \"other\";\n"
	    "  start = [\"/usr/bin/other\"]; ports = [9090]; }; };\n"
	    "ports = ( { port = 8080; holders = [\"other\"]; } );\n"
	    "plans = { newsite = { port = 8080; from = \"other\";\n"
	    "  to = \"nginx\"; }; };\n", NULL);

	ck_assert_ptr_null(p);
	ck_assert(tu_has(&d, DIAG_ERROR, "policy.d/01.conf", 4, "plan newsite "
	    "switches port 8080 from other, but other does not list that port, "
	    "so cutover could find it neither to stop it nor, in a rollback, to "
	    "see it serve again; add 8080 to the ports of service other "
	    "(policy.d/01.conf:1)"));
}
END_TEST

START_TEST(plan_defined_twice_across_files)
{
	struct policy *p = tu_build(&d, SWITCHABLE
	    "plans = { newsite = { port = 8080; from = \"apache2\"; to = \"nginx\"; }; };\n",
	    "\n\nplans = { newsite = { port = 8080; from = \"apache2\";\n"
	    "  to = \"nginx\"; }; };\n", NULL);

	ck_assert_ptr_null(p);
	ck_assert(tu_has(&d, DIAG_ERROR, "policy.d/01.conf", 3,
	    "plan newsite is already defined at main.conf:6; rename one of them"));
}
END_TEST

START_TEST(switch_in_rules_resolves_to_plans)
{
	refused(SWITCHABLE "plans = { newsite = { port = 8080; from = \"apache2\"; to = \"nginx\"; }; };\n"
	    "rules = ( { users = [\"deploy\"];\n switch = [\"newsit\"]; } );\n",
	    8, "plan \"newsit\" is not defined; define it under plans or "
	    "write \"newsite\"");
	diags_free(&d);
	refused(SWITCHABLE "rules = ( { users = [\"deploy\"];\n"
	    " switch = [\"nginx\"]; } );\n", 7,
	    "plan \"nginx\" is not defined; define it under plans");
	diags_free(&d);
	refused(SWITCHABLE "rules = ( { users = [\"deploy\"];\n"
	    " swtich = [\"newsite\"]; } );\n", 7, "did you mean \"switch\"?");
	diags_free(&d);
	refused(SWITCHABLE "rules = ( { users = [\"deploy\"];\n"
	    " switch = \"newsite\"; } );\n", 7, "switch in a rule must be a "
	    "list of non-empty strings in brackets, e.g. switch = [\"newsite\"];");
}
END_TEST

START_TEST(socket_handoff_values)
{
	struct policy *p = tu_build(&d,
	    "services = { a = { exe = \"/a\"; user = \"a\"; start = [\"/a\"];\n"
	    "  ports = [80]; socket_handoff = \"systemd\"; };\n"
	    "  b = { exe = \"/b\"; user = \"b\"; start = [\"/b\"];\n"
	    "  socket_handoff = \"none\"; }; };\n", NULL);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(policy_service(p, "a")->handoff, HANDOFF_SYSTEMD);
	ck_assert_int_eq(policy_service(p, "b")->handoff, HANDOFF_NONE);
	policy_free(p);
	refused("services = { a = { exe = \"/a\"; user = \"a\"; start = [\"/a\"];\n"
	    "  ports = [80]; socket_handoff = \"inetd\"; }; };\n", 2,
	    "socket_handoff of service a must be \"none\", \"systemd\" or "
	    "\"nginx\", not \"inetd\"");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\"; start = [\"/a\"];\n"
	    "  socket_handoff = \"systemd\"; }; };\n", 2, "but it lists none");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\"; start = [\"/a\"];\n"
	    "  socket_handoff = true; }; };\n", 2, "socket_handoff in service a "
	    "must be a string in double quotes, e.g. socket_handoff = \"nginx\";");
}
END_TEST

/* drain_signal, drain_timeout: a graceful stop before the ordinary one. */
START_TEST(drain_values)
{
	struct policy *p = tu_build(&d,
	    "services = { a = { exe = \"/a\"; user = \"a\"; start = [\"/a\"];\n"
	    "  drain_signal = \"WINCH\"; drain_timeout = 12.5; };\n"
	    "  b = { exe = \"/b\"; user = \"b\"; start = [\"/b\"]; }; };\n", NULL);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(policy_service(p, "a")->drain_signal, SIGWINCH);
	ck_assert(policy_service(p, "a")->drain_timeout == 12.5);
	ck_assert_int_eq(policy_service(p, "b")->drain_signal, 0);
	policy_free(p);
	refused("services = { a = { exe = \"/a\"; user = \"a\"; start = [\"/a\"];\n"
	    "  drain_signal = \"STOP\"; }; };\n", 2, "drain_signal \"STOP\" of "
	    "service a is not one cutover sends");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\"; unit = \"a.service\";\n"
	    "  drain_signal = \"WINCH\"; }; };\n", 2, "so drain_signal belongs there");
	diags_free(&d);
	p = tu_build(&d, "services = { a = { exe = \"/a\"; user = \"a\"; start = [\"/a\"];\n"
	    "  drain_timeout = 3.0; }; };\n", NULL);
	ck_assert_ptr_nonnull(p);
	ck_assert(tu_has(&d, DIAG_WARNING, "main.conf", 2, "drain_timeout has "
	    "no effect: service a has no drain_signal"));
	policy_free(p);
}
END_TEST

/* persist: what the next boot finds, for plans of units only. */
#define UNITS \
	"services = { apache2 = { exe = \"/usr/sbin/apache2\"; user = \"www-data\";\n" \
	"  unit = \"apache2.service\"; ports = [8080]; };\n" \
	"  nginx = { exe = \"/usr/sbin/nginx\"; user = \"nginx\"; unit = \"nginx.service\"; ports = [8080]; }; };\n" \
	"ports = ( { port = 8080; holders = [\"apache2\"]; } );\n" \
	"checks = { homepage = { url = \"http://127.0.0.1:8080/\"; }; };\n"

START_TEST(plan_persist_values)
{
	struct policy *p = tu_build(&d, UNITS
	    "plans = { a = { port = 8080; from = \"apache2\"; to = \"nginx\"; verify = [\"homepage\"]; };\n"
	    "  b = { port = 8080; from = \"apache2\"; to = \"nginx\"; verify = [\"homepage\"]; persist = \"mask\"; };\n"
	    "  c = { port = 8080; from = \"apache2\"; to = \"nginx\"; verify = [\"homepage\"]; persist = \"none\"; }; };\n",
	    NULL);

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(policy_plan(p, "a")->persist, PERSIST_DISABLE);
	ck_assert_int_eq(policy_plan(p, "b")->persist, PERSIST_MASK);
	ck_assert_int_eq(policy_plan(p, "c")->persist, PERSIST_NONE);
	policy_free(p);
	refused(UNITS "plans = { a = { port = 8080; from = \"apache2\"; to = \"nginx\";\n"
	    " persist = \"off\"; }; };\n", 7, "persist of plan a must be "
	    "\"disable\", \"mask\" or \"none\", not \"off\"");
	diags_free(&d);
	refused(SWITCHABLE "plans = { a = { port = 8080; from = \"apache2\"; to = \"nginx\";\n"
	    " persist = \"disable\"; }; };\n", 7, "plan a says persist = "
	    "\"disable\", but neither apache2 nor nginx is a systemd unit "
	    "(unit = \"...\"), so there is nothing to enable or disable; remove "
	    "persist");
}
END_TEST

/* unit: systemd starts and stops it; what its unit file owns is refused. */
START_TEST(unit_values)
{
	struct policy *p = tu_build(&d,
	    "services = { web = { exe = \"/usr/sbin/nginx\"; user = \"root\";\n"
	    "  allow_root = true; holder_users = [\"root\", \"www-data\"];\n"
	    "  unit = \"nginx.service\"; ports = [8080]; stop_timeout = 9.0; };\n"
	    "  tpl = { exe = \"/a\"; user = \"a\"; unit = \"site@blue-1.service\"; }; };\n",
	    NULL);

	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(policy_service(p, "web")->unit, "nginx.service");
	ck_assert_uint_eq(policy_service(p, "web")->nstart, 0);
	ck_assert_str_eq(policy_service(p, "tpl")->unit, "site@blue-1.service");
	ck_assert_ptr_null(policy_service(p, "tpl")->start);
	policy_free(p);
	refused("services = { a = { exe = \"/a\"; user = \"a\"; }; };\n", 1,
	    "service a has neither start nor unit; write how cutover starts "
	    "it, e.g. start = [\"/usr/sbin/nginx\"]; or name its systemd unit");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  unit = \"nginx.socket\"; }; };\n", 2, "unit \"nginx.socket\" of "
	    "service a is not a service unit's name; write it as systemctl "
	    "shows it, e.g. unit = \"a.service\";");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  unit = \"-x.service\"; }; };\n", 2, "is not a service unit's name");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  unit = \"a b.service\"; }; };\n", 2, "is not a service unit's name");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  unit = \".service\"; }; };\n", 2, "is not a service unit's name");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\"; unit = \"a.service\";\n"
	    "  start = [\"/a\"]; }; };\n", 2, "service a is the unit a.service: "
	    "systemd starts and stops it as its unit file says, so start belongs "
	    "there (a drop-in, systemctl edit a.service), not in the policy");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\"; unit = \"a.service\";\n"
	    "  stop_signal = \"QUIT\"; }; };\n", 2, "so stop_signal belongs there");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"root\"; unit = \"a.service\"; }; };\n",
	    1, "service a would run as root; if that is really meant, add "
	    "allow_root = true");
}
END_TEST

/* holder_users: the whole list of whose processes of exe are the service's. */
START_TEST(holder_users_values)
{
	struct policy *p = tu_build(&d,
	    "services = { a = { exe = \"/a\"; user = \"root\"; allow_root = true;\n"
	    "  holder_users = [\"www-data\", \"root\"]; start = [\"/a\"]; }; };\n",
	    NULL);

	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(policy_service(p, "a")->nholder_users, 2);
	ck_assert_str_eq(policy_service(p, "a")->holder_users[0], "www-data");
	policy_free(p);
	refused("services = { a = { exe = \"/a\"; user = \"root\"; allow_root = true;\n"
	    "  holder_users = [\"www-data\"]; start = [\"/a\"]; }; };\n", 2,
	    "holder_users of service a must list its own user root too (it is "
	    "the whole list)");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  holder_users = [\"a\", \"b\", \"a\"]; start = [\"/a\"]; }; };\n", 2,
	    "user a is listed twice in holder_users of service a");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  holder_users = [\"a\", \"b c\"]; start = [\"/a\"]; }; };\n", 2,
	    "holder_users in service a must be a list of user names in quotes");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\";\n"
	    "  holder_users = \"a\"; start = [\"/a\"]; }; };\n", 2,
	    "holder_users in service a must be a list of user names");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = 1234;\n"
	    "  holder_users = [\"a\"]; start = [\"/a\"]; }; };\n", 2,
	    "holder_users of service a needs its user by name, not uid 1234");
	diags_free(&d);
	refused("services = { a = { exe = \"/a\"; user = \"a\"; holder_users = [\"a\",\n"
	    "  \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\", \"j\", \"k\", \"l\",\n"
	    "  \"m\", \"n\", \"o\", \"p\", \"q\"]; start = [\"/a\"]; }; };\n", 1,
	    "holder_users of service a lists 17 users; at most 16");
}
END_TEST

#define PIN "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE="

START_TEST(https_check_values)
{
	struct policy *p = tu_build(&d,
	    "checks = { a = { url = \"https://www.example.org/\";\n"
	    "  connect_to = \"127.0.0.1\"; ca_file = \"/etc/ssl/ca.pem\";\n"
	    "  pinned_key = \"" PIN ";" PIN "\"; cert_min_days = 14; };\n"
	    "  b = { url = \"https://www.example.org/\"; connect_to = \"[::1]:8443\"; };\n"
	    "  c = { url = \"http://www.example.org/\"; connect_to = \"::1\"; };\n"
	    "  d = { url = \"https://www.example.org/\"; connect_to = \"10.0.0.1:443\"; }; };\n",
	    NULL);
	const struct check *c;

	ck_assert_ptr_nonnull(p);
	c = policy_check(p, "a");
	ck_assert_str_eq(c->connect_host, "127.0.0.1");
	ck_assert_int_eq(c->connect_port, 0);
	ck_assert_str_eq(c->ca_file, "/etc/ssl/ca.pem");
	ck_assert_str_eq(c->pinned_key, PIN ";" PIN);
	ck_assert_int_eq(c->cert_min_days, 14);
	c = policy_check(p, "b");
	ck_assert_str_eq(c->connect_host, "[::1]");
	ck_assert_int_eq(c->connect_port, 8443);
	ck_assert_ptr_null(c->ca_file);
	ck_assert_ptr_null(c->pinned_key);
	ck_assert_int_eq(c->cert_min_days, 0);
	c = policy_check(p, "c");
	ck_assert_str_eq(c->connect_host, "[::1]");
	ck_assert_int_eq(c->connect_port, 0);
	c = policy_check(p, "d");
	ck_assert_str_eq(c->connect_host, "10.0.0.1");
	ck_assert_int_eq(c->connect_port, 443);
	policy_free(p);
}
END_TEST

START_TEST(https_check_errors)
{
	static const struct { const char *value, *words; } bad_connect[] = {
		{ "localhost", "a name is not accepted" },
		{ "www.example.org:443", "a name is not accepted" },
		{ "127.0.0.1:0", "a port that is not a number from 1 to 65535" },
		{ "127.0.0.1:65536", "a port that is not a number" },
		{ "127.0.0.1:", "a port that is not a number" },
		{ "127.0.0.1:+1", "a port that is not a number" },
		{ "[::1", "without its ']'" },
		{ "[::1]x", "something after ']'" },
		{ "[127.0.0.1]", "not an IPv6 address in brackets" },
		{ "::g", "is not an IPv4 or IPv6 address" },
		{ "1.2.3", "is not an IPv4 or IPv6 address" },
	};
	static const char *const bad_pins[] = {
		"sha256//abc", "sha1//" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=",
		PIN ";", PIN ";x", PIN "x", "sha256//" "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.E=",
	};
	char text[512];
	size_t i;

	for (i = 0; i < sizeof(bad_connect) / sizeof(bad_connect[0]); i++) {
		snprintf(text, sizeof(text), "checks = { h = { url = "
		    "\"https://www.example.org/\";\n\n connect_to = \"%s\"; }; };\n",
		    bad_connect[i].value);
		refused(text, 3, bad_connect[i].words);
		diags_free(&d);
	}
	for (i = 0; i < sizeof(bad_pins) / sizeof(bad_pins[0]); i++) {
		snprintf(text, sizeof(text), "checks = { h = { url = "
		    "\"https://www.example.org/\";\n pinned_key = \"%s\"; }; };\n",
		    bad_pins[i]);
		refused(text, 2, "must be \"sha256//\" and the 44 characters");
		diags_free(&d);
	}
	refused("checks = { h = { url = \"http://x/\";\n cert_min_days = 14; }; };\n",
	    2, "cert_min_days of check h needs an https:// url");
	diags_free(&d);
	refused("checks = { h = { url = \"http://x/\";\n ca_file = \"/ca.pem\"; }; };\n",
	    2, "ca_file of check h needs an https:// url");
	diags_free(&d);
	refused("checks = { h = { url = \"http://x/\";\n pinned_key = \"" PIN "\"; }; };\n",
	    2, "pinned_key of check h needs an https:// url");
	diags_free(&d);
	refused("checks = { h = { url = \"https://x/\";\n ca_file = \"ca.pem\"; }; };\n",
	    2, "ca_file in check h must be an absolute path");
	diags_free(&d);
	refused("checks = { h = { url = \"https://x/\";\n cert_min_days = 0; }; };\n",
	    2, "cert_min_days in check h must be a whole number from 1 to 3650");
	diags_free(&d);
	refused("checks = { h = { url = \"https://x/\";\n connect_to = 8443; }; };\n",
	    2, "connect_to in check h must be a string");
}
END_TEST

#define SVC_NGINX "services = { nginx = { exe = \"/usr/sbin/nginx\"; " \
	"user = \"www-data\"; start = [\"/usr/sbin/nginx\"]; ports = [8080]; };\n" \
	"  apache2 = { exe = \"/usr/sbin/apache2\"; user = \"www-data\"; " \
	"start = [\"/usr/sbin/apache2\"]; ports = [8080]; }; };\n"

/* served_by: the service, and the port the check reaches on this host. */
START_TEST(served_by_values)
{
	struct policy *p = tu_build(&d, SVC_NGINX
	    "checks = { a = { url = \"http://127.0.0.1:8080/\"; served_by = \"nginx\"; };\n"
	    "  b = { url = \"https://www.example.org/\"; connect_to = \"127.0.0.1\"; served_by = \"nginx\"; };\n"
	    "  c = { url = \"https://www.example.org:8443/x\"; connect_to = \"[::1]:9443\"; served_by = \"nginx\"; };\n"
	    "  d = { url = \"http://localhost/\"; served_by = \"apache2\"; };\n"
	    "  e = { url = \"http://[::1]:81/\"; };\n"
	    "  f = { url = \"http://www.example.org/\"; };\n"
	    "  g = { url = \"http://127.0.0.1:8080/\"; follow = true; };\n"
	    "  h = { url = \"https://www.example.org:8443/x\"; connect_to = \"::1\"; }; };\n",
	    NULL);
	const struct check *c;

	ck_assert_ptr_nonnull(p);
	c = policy_check(p, "a");
	ck_assert_ptr_eq(c->served_by, policy_service(p, "nginx"));
	ck_assert_int_eq(c->port, 8080);
	ck_assert_int_eq(policy_check(p, "b")->port, 443);
	ck_assert_int_eq(policy_check(p, "c")->port, 9443);
	c = policy_check(p, "d");
	ck_assert_ptr_eq(c->served_by, policy_service(p, "apache2"));
	ck_assert_int_eq(c->port, 80);
	c = policy_check(p, "e");
	ck_assert_ptr_null(c->served_by);
	ck_assert_int_eq(c->port, 81);
	/* a name DNS resolves, or a redirect followed: no port to look at */
	ck_assert_int_eq(policy_check(p, "f")->port, 0);
	ck_assert_int_eq(policy_check(p, "g")->port, 0);
	ck_assert_int_eq(policy_check(p, "h")->port, 8443);
	policy_free(p);
}
END_TEST

START_TEST(served_by_errors)
{
	refused(SVC_NGINX "checks = { h = { url = \"http://127.0.0.1:8080/\";\n"
	    "\n\n served_by = \"nginks\"; }; };\n", 6,
	    "served_by of check \"nginks\" is not a defined service; define it "
	    "under services or write \"nginx\"");
	diags_free(&d);
	refused(SVC_NGINX "checks = { h = { url = \"http://127.0.0.1:8080/\";\n"
	    "\n\n served_by = 1; }; };\n", 6, "served_by in check h must be a string");
	diags_free(&d);
	refused(SVC_NGINX "checks = { h = { url = \"http://127.0.0.1:8080/\"; follow = true;\n"
	    "\n\n served_by = \"nginx\"; }; };\n", 6,
	    "served_by of check h cannot be used with follow = true");
	diags_free(&d);
	refused(SVC_NGINX "checks = { h = { url = \"https://www.example.org/\";\n"
	    "\n\n served_by = \"nginx\"; }; };\n", 6, "served_by of check h needs "
	    "the check to connect to an address of this host, not to a name DNS "
	    "resolves: add connect_to = \"127.0.0.1\";");
	diags_free(&d);
	refused(SVC_NGINX "checks = { h = {\n url = \"http://127.0.0.1:80x/\";\n"
	    " served_by = \"nginx\"; }; };\n", 4, "url of check h has a port "
	    "that is not a number from 1 to 65535");
	diags_free(&d);
	refused(SVC_NGINX "checks = { h = {\n url = \"http://127.0.0.1:65536/\";\n"
	    " served_by = \"nginx\"; }; };\n", 4, "has a port that is not a number");
	diags_free(&d);
	/* a plan's check must be served by the plan's new service */
	refused(SVC_NGINX "ports = ( { port = 8080; holders = [\"apache2\", \"nginx\"]; } );\n"
	    "checks = { h = { url = \"http://127.0.0.1:8080/\"; served_by = \"apache2\"; }; };\n"
	    "plans = { p = { port = 8080; from = \"apache2\"; to = \"nginx\";\n"
	    "  verify = [\"h\"]; }; };\n", 6,
	    "check h is served_by apache2, but plan p moves the site to nginx");
}
END_TEST

Suite *
load_suite(void)
{
	Suite *s = suite_create("load");
	TCase *ok = tcase_create("accepted");
	TCase *bad = tcase_create("errors");

	tcase_add_checked_fixture(ok, setup, teardown);
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_add_test(ok, reference_example_means_what_it_says);
	tcase_add_test(ok, shipped_examples_load);
	tcase_add_test(ok, other_accepted_forms);
	tcase_add_test(ok, no_rules_is_valid_but_warned);
	tcase_add_test(ok, dropins_add_and_resolve_across_files);
	tcase_add_test(ok, served_by_values);
	tcase_add_test(bad, served_by_errors);
	tcase_add_test(bad, name_defined_twice_across_files);
	tcase_add_test(bad, audit_only_in_main_file);
	tcase_add_test(bad, unknown_keys_with_suggestion);
	tcase_add_test(bad, wrong_types);
	tcase_add_test(bad, duplicate_names_in_one_file);
	tcase_add_test(bad, relative_paths);
	tcase_add_test(bad, ports_out_of_range);
	tcase_add_test(bad, undefined_references);
	tcase_add_test(bad, root_needs_allow_root);
	tcase_add_test(bad, rule_needs_users_or_groups);
	tcase_add_test(bad, include_refused);
	tcase_add_test(bad, syntax_error_has_line);
	tcase_add_test(bad, nul_byte_refused);
	tcase_add_test(bad, bad_values);
	tcase_add_test(bad, every_error_is_reported);
	tcase_add_test(ok, plan_defaults_and_switch_grant);
	tcase_add_test(ok, plan_moves_a_site_of_several_ports);
	tcase_add_test(ok, plan_rollback_off_and_several_checks);
	tcase_add_test(ok, socket_handoff_values);
	tcase_add_test(ok, holder_users_values);
	tcase_add_test(bad, plan_errors_say_what_to_write);
	tcase_add_test(bad, plan_errors_about_checks_and_names);
	tcase_add_test(bad, plan_target_must_listen_on_the_port);
	tcase_add_test(bad, plan_source_must_listen_on_the_port);
	tcase_add_test(bad, plan_defined_twice_across_files);
	tcase_add_test(bad, switch_in_rules_resolves_to_plans);
	tcase_add_test(bad, unit_values);
	tcase_add_test(bad, plan_persist_values);
	tcase_add_test(bad, plan_ports_errors_say_what_to_write);
	tcase_add_test(bad, drain_values);
	tcase_add_test(ok, https_check_values);
	tcase_add_test(bad, https_check_errors);
	suite_add_tcase(s, ok);
	suite_add_tcase(s, bad);
	return s;
}
