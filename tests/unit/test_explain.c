/*
 * test_explain.c - policy explain, test and diff: the words a reviewer
 * signs off must say exactly what cutover will do, and where it was
 * granted.  Policies are built from text with policy_build(), the shipped
 * examples from policy/examples/ (the runner starts in the repository root).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/explain.h"
#include "policy/strbuf.h"
#include "tests/unit/testutil.h"

#define MAIN_NAME   "/etc/cutover/policy.conf"
#define DROPIN_NAME "/etc/cutover/policy.d/web.conf"

/* ---- building policies -------------------------------------------------- */

static void
print_diags(const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(stderr, "%s:%d: %s\n", d->v[i].file ? d->v[i].file : "-",
		    d->v[i].line, d->v[i].msg);
}

/* Build from MAIN (and DROPIN when not NULL); the test fails on errors. */
static struct policy *
build2(const char *main_name, const char *main_text, const char *dropin_text)
{
	static struct policy_texts texts;
	struct diags d = { NULL, 0, 0 };
	struct policy *p;

	memset(&texts, 0, sizeof(texts));
	texts.v[0] = (struct policy_text){ (char *)main_name,
	    (char *)main_text, strlen(main_text), true };
	texts.n = 1;
	if (dropin_text != NULL)
		texts.v[texts.n++] = (struct policy_text){ (char *)DROPIN_NAME,
		    (char *)dropin_text, strlen(dropin_text), false };
	p = policy_build(&texts, &d);
	if (p == NULL)
		print_diags(&d);
	ck_assert_msg(p != NULL, "the policy does not build");
	diags_free(&d);
	return p;
}

static struct policy *
build(const char *text)
{
	return build2(MAIN_NAME, text, NULL);
}

static char *
read_example(const char *name)
{
	char path[256], *text;

	snprintf(path, sizeof(path), "policy/examples/%s", name);
	text = tu_slurp(path);
	ck_assert_msg(text != NULL, "cannot read %s (run from the repo root)",
	    path);
	return text;
}

static struct policy *
build_example(const char *name)
{
	char *text = read_example(name);
	struct policy *p = build(text);

	free(text);     /* the policy owns copies of everything it keeps */
	return p;
}

/* ---- rendering ---------------------------------------------------------- */

static char *
take(struct strbuf *sb)
{
	char *s;

	ck_assert(!sb_failed(sb));
	s = strdup(sb_str(sb));
	sb_free(sb);
	return s;
}

static char *
explain(const struct policy *p, enum explain_format format)
{
	struct strbuf sb = STRBUF_INIT;

	ck_assert_int_eq(policy_explain(p, format, &sb), 0);
	return take(&sb);
}

static char *
diff(const struct policy *old, const struct policy *new, int expect_n)
{
	struct strbuf sb = STRBUF_INIT;
	int n = policy_diff(old, new, &sb);
	char *out = take(&sb);

	ck_assert_msg(n == expect_n, "%d differences, expected %d:\n%s", n,
	    expect_n, out);
	return out;
}

static char *
decide_and_render(const struct policy *p, const char *user,
    const char *const *groups, size_t ngroups, enum action act,
    const char *target, int port)
{
	struct subject subj = { user, groups, ngroups };
	struct request req = { act, target, port, NULL };
	struct decision d;
	struct strbuf sb = STRBUF_INIT;

	policy_decide(p, &subj, &req, &d);
	ck_assert_int_eq(policy_test_render(p, &subj, &req, &d, &sb), 0);
	return take(&sb);
}

/* True when OUT has LINE as one whole line. */
static bool
has_line(const char *out, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = out; (p = strstr(p, line)) != NULL; p++)
		if ((p == out || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

#define ck_assert_line(out, line) \
	ck_assert_msg(has_line((out), (line)), "missing line:\n%s\nin:\n%s", \
	    (line), (out))

static size_t
count_lines_starting(const char *out, const char *prefix)
{
	const char *p;
	size_t n = 0;

	for (p = out; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

/* ---- a strict JSON checker, enough for one explain document ------------- */

struct json {
	const char *s;
	int depth;
};

static bool json_value(struct json *);

static void
json_space(struct json *j)
{
	while (*j->s == ' ' || *j->s == '\n' || *j->s == '\t' || *j->s == '\r')
		j->s++;
}

static bool
json_string(struct json *j)
{
	if (*j->s++ != '"')
		return false;
	for (; *j->s != '"'; j->s++) {
		if ((unsigned char)*j->s < 0x20)    /* raw control, or the end */
			return false;
		if (*j->s != '\\')
			continue;
		j->s++;
		if (*j->s == 'u') {
			if (strspn(j->s + 1, "0123456789abcdefABCDEF") < 4)
				return false;
			j->s += 4;
		} else if (strchr("\"\\/bfnrt", *j->s) == NULL || *j->s == '\0')
			return false;
	}
	j->s++;
	return true;
}

static bool
json_number(struct json *j)
{
	const char *start = j->s;

	if (*j->s == '-')
		j->s++;
	j->s += strspn(j->s, "0123456789");
	if (*j->s == '.')
		j->s += 1 + strspn(j->s + 1, "0123456789");
	return j->s > start && j->s[-1] != '-' && j->s[-1] != '.';
}

/* Members (OBJECT) or elements of a container up to CLOSE. */
static bool
json_members(struct json *j, char close, bool object)
{
	json_space(j);
	if (*j->s == close) {
		j->s++;
		return true;
	}
	for (;;) {
		json_space(j);
		if (object) {
			if (!json_string(j))
				return false;
			json_space(j);
			if (*j->s++ != ':')
				return false;
		}
		if (!json_value(j))
			return false;
		json_space(j);
		if (*j->s == close) {
			j->s++;
			return true;
		}
		if (*j->s++ != ',')
			return false;
	}
}

static bool
json_value(struct json *j)
{
	bool ok;

	json_space(j);
	if (++j->depth > 32)
		return false;
	if (*j->s == '{' || *j->s == '[') {
		char open = *j->s++;
		ok = json_members(j, open == '{' ? '}' : ']', open == '{');
	} else if (*j->s == '"')
		ok = json_string(j);
	else if (strncmp(j->s, "true", 4) == 0 || strncmp(j->s, "null", 4) == 0)
		ok = (j->s += 4, true);
	else if (strncmp(j->s, "false", 5) == 0)
		ok = (j->s += 5, true);
	else
		ok = json_number(j);
	j->depth--;
	return ok;
}

/* One JSON value, then at most a newline: what explain --format=json prints. */
static bool
json_valid(const char *s)
{
	struct json j = { s, 0 };

	if (!json_value(&j) || *s != '{')
		return false;
	return strcmp(j.s, "\n") == 0 || *j.s == '\0';
}

#define ck_assert_contains(out, needle) \
	ck_assert_msg(strstr((out), (needle)) != NULL, "missing:\n%s\nin:\n%s", \
	    (needle), (out))

/* ---- the JSON checker itself: a validator that accepts anything proves nothing */

START_TEST(json_checker_rejects_broken_json)
{
	ck_assert(json_valid("{\"a\":[1,\"x\\n\",true,null,{}]}\n"));
	ck_assert(!json_valid("{\"a\":[1,2}\n"));
	ck_assert(!json_valid("{\"a\":\"x\ny\"}"));
	ck_assert(!json_valid("{\"a\":\"\\q\"}"));
	ck_assert(!json_valid("{\"a\":1}}"));
	ck_assert(!json_valid("{\"a\" 1}"));
	ck_assert(!json_valid("{\"a\":1,}"));
}
END_TEST

/* ---- explain: deploy.conf ----------------------------------------------- */

/* nginx's start, and the newsite plan, as deploy.conf has them. */
#define START_NGINX \
    "start nginx as nginx:nginx with no capabilities: /usr/sbin/nginx -c " \
    "/etc/cutover/nginx.conf (listens on 8080; in a switch, inherits " \
    "the port's listening socket as fd 3 with NGINX=3;)"
#define FREE_8080 \
    "free port 8080 by stopping apache2 (/usr/sbin/apache2 as root or " \
    "www-data, SIGWINCH, drain up to 30.0 s, then SIGTERM, 5.0 s, then " \
    "gives up) or nginx (/usr/sbin/nginx as nginx, SIGQUIT, drain up to " \
    "30.0 s, then SIGTERM, 5.0 s, then gives up)"
#define STOP_NGINX \
    "stop nginx: SIGQUIT, drain up to 30.0 s, then SIGTERM to processes " \
    "of /usr/sbin/nginx as nginx, wait 5.0 s, then gives up"
#define SWITCH_NEWSITE \
    "switch newsite: start nginx on port 8080's listening socket while " \
    "apache2 serves, pause apache2, verify homepage, then stop apache2; " \
    "on failure let apache2 go on, stop nginx and start apache2 again if " \
    "it was stopped. Steps: take over " \
    "port 8080's listening socket (where it cannot be: " FREE_8080 \
    ", first); " START_NGINX "; pause apache2: SIGSTOP to its processes " \
    "that hold port 8080, SIGCONT after the checks; verify homepage: check " \
    "http://127.0.0.1:8080/ for " \
    "status 200 and body containing \"Fall collection\", waiting for a " \
    "server not ready up to 10.0 s; stop apache2: SIGWINCH, drain up to " \
    "30.0 s, then SIGTERM to processes of /usr/sbin/apache2 as root or " \
    "www-data, wait 5.0 s, then gives up; on failure: " STOP_NGINX "; start apache2 as root:(primary group) " \
    "(allow_root) with no capabilities: /usr/sbin/apache2ctl start " \
    "(listens on 8080)"

static const char deploy_text[] =
    "policy /etc/cutover/policy.conf (1 file)\n"
    "audit: syslog (LOG_AUTHPRIV), file /var/log/cutover/audit.jsonl\n"
    "\n"
    "user deploy may:\n"
    "  " FREE_8080 "  [/etc/cutover/policy.conf:37]\n"
    "  " START_NGINX "  [/etc/cutover/policy.conf:38]\n"
    "  " STOP_NGINX "  [/etc/cutover/policy.conf:39]\n"
    "  verify homepage: check http://127.0.0.1:8080/ for status 200 and "
    "body containing "
    "\"Fall collection\", waiting for a server not ready up to 10.0 s  "
    "[/etc/cutover/policy.conf:40]\n"
    "  " SWITCH_NEWSITE "  [/etc/cutover/policy.conf:42]\n";

START_TEST(explain_deploy_text)
{
	struct policy *p = build_example("deploy.conf");
	char *out = explain(p, EXPLAIN_TEXT);

	ck_assert_str_eq(out, deploy_text);
	free(out);
	policy_free(p);
}
END_TEST

START_TEST(explain_deploy_json)
{
	struct policy *p = build_example("deploy.conf");
	char *out = explain(p, EXPLAIN_JSON);

	ck_assert_msg(json_valid(out), "invalid JSON:\n%s", out);
	ck_assert_contains(out, "{\"files\":[\"/etc/cutover/policy.conf\"],"
	    "\"audit\":{\"syslog\":true,"
	    "\"file\":\"/var/log/cutover/audit.jsonl\"},");
	ck_assert_contains(out, "\"subjects\":[{\"kind\":\"user\","
	    "\"name\":\"deploy\",\"permissions\":[{\"action\":\"free-port\","
	    "\"target\":\"8080\",");
	ck_assert_contains(out, "{\"action\":\"start\",\"target\":\"nginx\","
	    "\"effect\":\"" START_NGINX "\","
	    "\"auth\":\"none\",\"reason\":\"optional\","
	    "\"granted_at\":\"/etc/cutover/policy.conf:38\",");
	ck_assert_contains(out, "{\"action\":\"switch\",\"target\":\"newsite\","
	    "\"effect\":\"switch newsite: start nginx on port 8080's ");
	ck_assert_contains(out, "\"granted_at\":\"/etc/cutover/policy.conf:42\","
	    "\"also_granted_at\":[],\"plan\":{\"ports\":[8080],\"from\":\"apache2\","
	    "\"to\":\"nginx\",\"verify\":[\"homepage\"],\"rollback\":true}}]}]}\n");
	ck_assert_contains(out, "\"effect\":\"verify homepage: check http://127.0.0.1:8080/ for "
	    "status 200 and body containing \\\"Fall collection\\\", waiting for "
	    "a server not ready up to 10.0 s\"");
	ck_assert_int_eq(count_lines_starting(out, "{"), 1);  /* one line */
	free(out);
	policy_free(p);
}
END_TEST

START_TEST(permissions_of_deploy)
{
	struct policy *p = build_example("deploy.conf");
	struct permissions ps;
	static const char *const targets[] = { "8080", "nginx", "nginx",
	    "homepage", "newsite" };
	static const enum action actions[] = { ACT_FREE_PORT, ACT_START,
	    ACT_STOP, ACT_VERIFY, ACT_SWITCH };
	static const int lines[] = { 37, 38, 39, 40, 42 };
	size_t i;

	ck_assert_int_eq(policy_permissions(p, &ps), 0);
	ck_assert_uint_eq(ps.n, 5);
	for (i = 0; i < ps.n; i++) {
		ck_assert_int_eq(ps.v[i].kind, SUBJECT_USER);
		ck_assert_str_eq(ps.v[i].subject, "deploy");
		ck_assert_int_eq(ps.v[i].action, actions[i]);
		ck_assert_str_eq(ps.v[i].target, targets[i]);
		ck_assert_int_eq(ps.v[i].auth, AUTH_NONE);
		ck_assert_str_eq(ps.v[i].at.file, MAIN_NAME);
		ck_assert_int_eq(ps.v[i].at.line, lines[i]);
		ck_assert_uint_eq(ps.v[i].nalso, 0);
	}
	permissions_free(&ps);
	policy_free(p);
}
END_TEST

/* ---- explain: teams.conf and deny-all.conf ------------------------------ */

START_TEST(explain_teams_text)
{
	struct policy *p = build_example("teams.conf");
	char *out = explain(p, EXPLAIN_TEXT);
	const char *user = strstr(out, "\nuser deploy may:\n");
	const char *group = strstr(out, "\ngroup webops may:\n");

	ck_assert_msg(user && group && user < group, "users first:\n%s", out);
	ck_assert_line(out, "  start nginx as www-data:www-data with "
	    "capabilities cap_net_bind_service and env TZ=UTC: /usr/sbin/nginx "
	    "-c /etc/cutover/nginx.conf -g \"pid /run/cutover/nginx.pid;\" "
	    "(listens on 80, 8080) (PAM authentication first)  "
	    "[/etc/cutover/policy.conf:62]");
	ck_assert_line(out, "  free port 8080 by stopping apache2 "
	    "(/usr/sbin/apache2 as root or www-data, SIGWINCH, 30.0 s, then SIGKILL) "
	    "(PAM authentication first)  [/etc/cutover/policy.conf:61]");
	ck_assert_line(out, "  stop nginx: SIGQUIT to processes of "
	    "/usr/sbin/nginx as www-data, wait 10.0 s, then SIGKILL (PAM authentication "
	    "first)  [/etc/cutover/policy.conf:63]");
	ck_assert_line(out, "  verify logo: check "
	    "https://shop.example.com/static/logo.png "
	    "for status 200 and body sha256 9f86d081884c7d659a2feaa0c55ad015a3"
	    "bf4f1b2b0b822cd15d6c15b0f00a08 and header \"Content-Type: "
	    "image/png\", following redirects on the same host, one attempt  "
	    "[/etc/cutover/policy.conf:68]");
	/* deploy may only verify: two lines, no PAM, nothing else */
	ck_assert_uint_eq(count_lines_starting(user, "  "), 7);
	ck_assert_uint_eq(count_lines_starting(group, "  "), 5);
	ck_assert_uint_eq(count_lines_starting(user, "  verify "), 4);
	ck_assert_uint_eq(count_lines_starting(group, "  verify "), 2);
	ck_assert_line(out, "  verify homepage: check http://127.0.0.1/ for "
	    "status 200 and "
	    "body containing \"Fall collection\", waiting for a server not ready up to 20.0 s  "
	    "[/etc/cutover/policy.conf:68]");
	free(out);
	policy_free(p);
}
END_TEST

START_TEST(explain_teams_json)
{
	struct policy *p = build_example("teams.conf");
	char *out = explain(p, EXPLAIN_JSON);

	ck_assert_msg(json_valid(out), "invalid JSON:\n%s", out);
	ck_assert_contains(out, "]},{\"kind\":\"group\",\"name\":\"webops\","
	    "\"permissions\":[{\"action\":\"free-port\",\"target\":\"8080\",");
	ck_assert_contains(out, "\"auth\":\"pam\",\"reason\":\"optional\",\"granted_at\":"
	    "\"/etc/cutover/policy.conf:62\"");
	ck_assert_contains(out, "-g \\\"pid /run/cutover/nginx.pid;\\\"");
	free(out);
	policy_free(p);
}
END_TEST

START_TEST(explain_deny_all)
{
	char *text = read_example("deny-all.conf");
	struct policy *p = build(text);
	char *out = explain(p, EXPLAIN_TEXT), *json = explain(p, EXPLAIN_JSON);

	ck_assert_str_eq(out, "policy /etc/cutover/policy.conf (1 file)\n"
	    "audit: syslog (LOG_AUTHPRIV), file /var/log/cutover/audit.jsonl\n"
	    "\nnobody may do anything (no rules)\n");
	ck_assert_msg(json_valid(json), "invalid JSON:\n%s", json);
	ck_assert_contains(json, "\"rules\":0,\"subjects\":[]}");
	free(json);
	free(out);
	policy_free(p);
	free(text);
}
END_TEST

/* ---- explain: merging, sorting, drop-ins, quoting ----------------------- */

static const char two_rules[] =
    "audit = { syslog = false; file = \"/var/log/c.jsonl\"; };\n"
    "services = { web = { exe = \"/usr/sbin/web\"; user = \"www\";\n"
    "  start = [\"/usr/sbin/web\"]; }; };\n"
    "rules = (\n"
    "  { users = [\"zoe\", \"al\"]; start = [\"web\"]; },\n"
    "  { groups = [\"aaa\"]; stop = [\"web\"]; },\n"
    "  { users = [\"al\"]; stop = [\"web\"]; start = [\"web\"]; auth = \"pam\"; }\n"
    ");\n";

START_TEST(explain_union_and_duplicates)
{
	struct policy *p = build(two_rules);
	char *out = explain(p, EXPLAIN_TEXT);
	const char *al = strstr(out, "user al may:"), *zoe = strstr(out,
	    "user zoe may:"), *aaa = strstr(out, "group aaa may:");

	ck_assert_msg(al && zoe && aaa && al < zoe && zoe < aaa,
	    "users sorted, then groups:\n%s", out);
	ck_assert_line(out, "audit: file /var/log/c.jsonl");
	/* al: start from rule 1 (no PAM: it comes first), stop from rule 3 */
	ck_assert_line(out, "  start web as www:(primary group) with no "
	    "capabilities: /usr/sbin/web (listens on no declared port)  "
	    "[/etc/cutover/policy.conf:5; also granted at "
	    "/etc/cutover/policy.conf:7]");
	ck_assert_line(out, "  stop web: SIGTERM to processes of "
	    "/usr/sbin/web as www, wait 5.0 s, then gives up (PAM authentication "
	    "first)  [/etc/cutover/policy.conf:7]");
	ck_assert_uint_eq(count_lines_starting(out, "  start web"), 2);
	ck_assert_uint_eq(count_lines_starting(out, "  stop web"), 2);
	free(out);
	out = explain(p, EXPLAIN_JSON);
	ck_assert_msg(json_valid(out), "invalid JSON:\n%s", out);
	ck_assert_contains(out, "\"granted_at\":\"/etc/cutover/policy.conf:5\","
	    "\"also_granted_at\":[\"/etc/cutover/policy.conf:7\"]}");
	ck_assert_contains(out, "{\"kind\":\"group\",\"name\":\"aaa\",");
	free(out);
	policy_free(p);
}
END_TEST

static const char dropin_main[] =
    "audit = { syslog = true; };\n"
    "services = { web = { exe = \"/usr/sbin/web\"; user = \"www\";\n"
    "  start = [\"/usr/sbin/web\"]; ports = [80]; }; };\n";
static const char dropin_rules[] =
    "ports = ( { port = 80; holders = [\"web\"]; } );\n"
    "\n"
    "rules = ( { groups = [\"ops\"]; free = [80]; } );\n";

START_TEST(explain_names_the_drop_in)
{
	struct policy *p = build2(MAIN_NAME, dropin_main, dropin_rules);
	char *out = explain(p, EXPLAIN_TEXT);

	ck_assert_line(out, "policy /etc/cutover/policy.conf (2 files)");
	ck_assert_line(out, "  and /etc/cutover/policy.d/web.conf");
	ck_assert_line(out, "audit: syslog (LOG_AUTHPRIV)");
	ck_assert_line(out, "  free port 80 by stopping web (/usr/sbin/web as www, "
	    "SIGTERM, 5.0 s, then gives up)  [/etc/cutover/policy.d/web.conf:3]");
	free(out);
	policy_free(p);
}
END_TEST

/* Odd bytes everywhere a policy or a file name can put them. */
static const char odd_policy[] =
    "services = { x = { exe = \"/usr/bin/x\"; user = 1234;\n"
    "  start = [\"/usr/bin/x\", \"say \\\"hi\\\"\", \"a\\x01b\", \"t\\tz\"];\n"
    "  env = { A = \"b c\"; }; stop_signal = \"SIGHUP\";\n"
    "  stop_timeout = 0.25; kill_after = true; }; };\n"
    "rules = ( { users = [\"bob\"]; start = [\"x\"]; stop = [\"x\"]; } );\n";
#define ODD_NAME "/tmp/odd\"name\x01\xe2\x80\xa8.conf"

START_TEST(explain_quotes_odd_bytes)
{
	struct policy *p = build2(ODD_NAME, odd_policy, NULL);
	char *out = explain(p, EXPLAIN_TEXT), *json = explain(p, EXPLAIN_JSON);

	ck_assert_line(out, "policy \"/tmp/odd\\\"name\\x01\\xe2\\x80\\xa8.conf\" "
	    "(1 file)");
	ck_assert_line(out, "  start x as uid 1234:(primary group) with no "
	    "capabilities and env \"A=b c\": /usr/bin/x \"say \\\"hi\\\"\" "
	    "\"a\\x01b\" \"t\\tz\" (listens on no declared port)  "
	    "[/tmp/odd\"name\\x01\\xe2\\x80\\xa8.conf:5]");
	ck_assert_line(out, "  stop x: SIGHUP to processes of /usr/bin/x as uid 1234, "
	    "wait 0.25 s, then SIGKILL  [/tmp/odd\"name\\x01\\xe2\\x80\\xa8.conf:5]");
	ck_assert_msg(json_valid(json), "invalid JSON:\n%s", json);
	ck_assert_contains(json, "\"files\":[\"/tmp/odd\\\"name\\u0001\\u2028.conf\"]");
	ck_assert_contains(json, "\"granted_at\":\"/tmp/odd\\\"name\\u0001\\u2028.conf:5\"");
	ck_assert_contains(json, "/usr/bin/x \\\"say \\\\\\\"hi\\\\\\\"\\\" "
	    "\\\"a\\\\x01b\\\"");
	ck_assert_ptr_null(strchr(json, '\x01'));
	free(json);
	free(out);
	policy_free(p);
}
END_TEST

START_TEST(explain_root_service)
{
	struct policy *p = build(
	    "services = { a = { exe = \"/usr/sbin/a\"; user = \"root\";\n"
	    "  allow_root = true; start = [\"/usr/sbin/a\", \"start\"];\n"
	    "  capabilities = [\"cap_net_bind_service\", \"cap_kill\"]; }; };\n"
	    "rules = ( { users = [\"u\"]; start = [\"a\"]; } );\n");
	char *out = explain(p, EXPLAIN_TEXT);

	ck_assert_line(out, "  start a as root:(primary group) (allow_root) "
	    "with capabilities cap_net_bind_service, cap_kill: /usr/sbin/a "
	    "start (listens on no declared port)  [/etc/cutover/policy.conf:4]");
	free(out);
	policy_free(p);
}
END_TEST

/* A graceful stop first: the drain signal and its timeout come before. */
START_TEST(explain_drain)
{
	struct policy *p = build(
	    "services = { a = { exe = \"/usr/sbin/a\"; user = \"a\"; start = [\"/usr/sbin/a\"];\n"
	    "  drain_signal = \"WINCH\"; drain_timeout = 20.0; ports = [80]; }; };\n"
	    "rules = ( { users = [\"u\"]; stop = [\"a\"]; } );\n");
	char *out = explain(p, EXPLAIN_TEXT);

	ck_assert_line(out, "  stop a: SIGWINCH, drain up to 20.0 s, then SIGTERM to "
	    "processes of /usr/sbin/a as a, wait 5.0 s, then gives up  "
	    "[/etc/cutover/policy.conf:3]");
	free(out);
	policy_free(p);
}
END_TEST

/* A unit's service: systemd starts and stops it; identity adds the cgroup. */
START_TEST(explain_unit_service)
{
	struct policy *p = build(
	    "services = { web = { exe = \"/usr/sbin/nginx\"; user = \"root\";\n"
	    "  allow_root = true; holder_users = [\"root\", \"www-data\"];\n"
	    "  unit = \"nginx.service\"; ports = [8080]; stop_timeout = 9.0; };\n"
	    "  old = { exe = \"/usr/sbin/old\"; user = \"old\"; unit = \"old.service\"; ports = [8080]; }; };\n"
	    "ports = ( { port = 8080; holders = [\"web\", \"old\"]; } );\n"
	    "plans = { sw = { port = 8080; from = \"old\"; to = \"web\"; persist = \"mask\"; };\n"
	    "  keep = { port = 8080; from = \"old\"; to = \"web\"; persist = \"none\"; }; };\n"
	    "rules = ( { users = [\"u\"]; start = [\"web\"]; stop = [\"web\"];\n"
	    "  free = [8080]; switch = [\"sw\", \"keep\"]; } );\n");
	char *out = explain(p, EXPLAIN_TEXT);

	ck_assert_line(out, "  start web: systemd starts nginx.service (its "
	    "processes: /usr/sbin/nginx as root or www-data in the unit's "
	    "cgroup; listens on 8080)  [/etc/cutover/policy.conf:8]");
	ck_assert_line(out, "  stop web: systemd stops nginx.service, wait 9.0 s"
	    "  [/etc/cutover/policy.conf:8]");
	ck_assert_ptr_nonnull(strstr(out, "switch sw: free port 8080 from old, "
	    "start web, no check, then enable nginx.service and disable and mask "
	    "old.service; on failure stop web and start old again, as enabled, "
	    "disabled or masked as before. Steps: "));
	ck_assert_ptr_nonnull(strstr(out, "switch keep: free port 8080 from old, "
	    "start web, no check, then leave what starts at boot as it is; on "
	    "failure"));
	ck_assert_line(out, "  free port 8080 by stopping web (/usr/sbin/nginx "
	    "as root or www-data, in nginx.service's cgroup, stopped by systemd, "
	    "9.0 s) or old (/usr/sbin/old as old, in old.service's cgroup, stopped "
	    "by systemd, 5.0 s)  [/etc/cutover/policy.conf:9]");
	free(out);
	policy_free(p);
}
END_TEST

START_TEST(explain_check_variants)
{
	struct policy *p = build(
	    "checks = { c = { url = \"http://h/?q=1&r\"; status = 204;\n"
	    "  follow = true; }; };\n"
	    "rules = ( { groups = [\"g\"]; verify = [\"c\"]; } );\n");
	char *out = explain(p, EXPLAIN_TEXT);

	ck_assert_line(out, "  verify c: check \"http://h/?q=1&r\" for status "
	    "204, "
	    "following redirects on the same host, one attempt  "
	    "[/etc/cutover/policy.conf:3]");
	free(out);
	policy_free(p);
}
END_TEST

/* An https check says where it connects, and whom and what it trusts. */
START_TEST(explain_https_check)
{
	struct policy *p = build(
	    "checks = { s = { url = \"https://www.example.org/\";\n"
	    "  connect_to = \"[::1]:8443\"; ca_file = \"/etc/ssl/ca.pem\";\n"
	    "  pinned_key = \"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE=\";\n"
	    "  cert_min_days = 14; within = 10.0; };\n"
	    "  t = { url = \"https://www.example.org/\"; connect_to = \"127.0.0.1\"; }; };\n"
	    "rules = ( { groups = [\"g\"]; verify = [\"s\", \"t\"]; } );\n");
	char *out = explain(p, EXPLAIN_TEXT);

	ck_assert_line(out, "  verify s: check https://www.example.org/ at "
	    "[::1]:8443 for status 200 and a pinned server key and a "
	    "certificate valid 14 more days, trusting only the CAs of "
	    "/etc/ssl/ca.pem, waiting for a server not ready up to 10.0 s  "
	    "[/etc/cutover/policy.conf:6]");
	ck_assert_line(out, "  verify t: check https://www.example.org/ at "
	    "127.0.0.1 for status 200, one attempt  "
	    "[/etc/cutover/policy.conf:6]");
	free(out);
	policy_free(p);
}
END_TEST

/* ---- policy test -------------------------------------------------------- */

START_TEST(test_render_allow)
{
	struct policy *p = build_example("deploy.conf");
	char *out = decide_and_render(p, "deploy", NULL, 0, ACT_START, "nginx", 0);

	ck_assert_str_eq(out, "deploy may start nginx: granted by rule at "
	    "/etc/cutover/policy.conf:38 (" START_NGINX ")\n");
	free(out);
	out = decide_and_render(p, "deploy", NULL, 0, ACT_FREE_PORT, NULL, 8080);
	ck_assert_str_eq(out, "deploy may free port 8080: granted by rule at "
	    "/etc/cutover/policy.conf:37 (" FREE_8080 ")\n");
	free(out);
	policy_free(p);
}
END_TEST

START_TEST(test_render_allow_with_pam)
{
	struct policy *p = build_example("teams.conf");
	static const char *const groups[] = { "staff", "webops" };
	char *out = decide_and_render(p, "ann", groups, 2, ACT_STOP, "nginx", 0);

	ck_assert_str_eq(out, "ann may stop nginx: granted by rule at "
	    "/etc/cutover/policy.conf:63 (stop nginx: SIGQUIT to processes of "
	    "/usr/sbin/nginx as www-data, wait 10.0 s, then SIGKILL) (PAM authentication "
	    "first)\n");
	free(out);
	policy_free(p);
}
END_TEST

START_TEST(test_render_deny)
{
	struct policy *p = build_example("deploy.conf");
	struct subject subj = { "deploy", NULL, 0 };
	struct request req = { ACT_START, "apache2", 0, NULL };
	struct decision d;
	struct strbuf sb = STRBUF_INIT;
	char want[1024];
	char *out;

	policy_decide(p, &subj, &req, &d);
	ck_assert_int_eq(d.verdict, VERDICT_DENY);
	ck_assert_int_eq(policy_test_render(p, &subj, &req, &d, &sb), 0);
	out = take(&sb);
	snprintf(want, sizeof(want), "deploy may not start apache2: %s%s%s%s\n",
	    d.reason, d.detail[0] ? " (" : "", d.detail, d.detail[0] ? ")" : "");
	ck_assert_str_eq(out, want);
	ck_assert_uint_gt(strlen(d.reason), 0);
	free(out);
	policy_free(p);
}
END_TEST

START_TEST(test_render_escapes_the_callers_target)
{
	struct policy *p = build_example("deploy.conf");
	char *out = decide_and_render(p, "deploy", NULL, 0, ACT_VERIFY,
	    "home\x1b[2Jpage", 0);

	static const char want[] = "deploy may not verify \"home\\x1b[2Jpage\": ";

	ck_assert_msg(strncmp(out, want, strlen(want)) == 0, "got: %s", out);
	ck_assert_ptr_null(strchr(out, '\x1b'));
	free(out);
	policy_free(p);
}
END_TEST

/* ---- diff --------------------------------------------------------------- */

START_TEST(diff_gained_and_lost)
{
	struct policy *none = build_example("deny-all.conf");
	struct policy *deploy = build_example("deploy.conf");
	char *gained = diff(none, deploy, 5), *lost = diff(deploy, none, 5);

	ck_assert_uint_eq(count_lines_starting(gained, "+ user deploy: "), 5);
	ck_assert_line(gained, "+ user deploy: " SWITCH_NEWSITE);
	ck_assert_line(gained, "+ user deploy: " STOP_NGINX);
	ck_assert_uint_eq(count_lines_starting(lost, "- user deploy: "), 5);
	ck_assert_line(lost, "- user deploy: " START_NGINX);
	/* sorted: the order of the permissions, free-port first */
	ck_assert_msg(strncmp(lost, "- user deploy: free port 8080 ", 30) == 0,
	    "%s", lost);
	free(gained);
	free(lost);
	policy_free(none);
	policy_free(deploy);
}
END_TEST

static char *
replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t before, n;
	char *out;

	ck_assert_ptr_nonnull(at);
	before = (size_t)(at - text);
	n = strlen(text) - strlen(from) + strlen(to);
	ck_assert_ptr_nonnull(out = malloc(n + 1));
	memcpy(out, text, before);
	strcpy(out + before, to);
	strcat(out, at + strlen(from));
	return out;
}

START_TEST(diff_effect_changed_to_root)
{
	char *text = read_example("deploy.conf");
	char *root = replace(text, "user  = \"nginx\";",
	    "user  = \"root\"; allow_root = true;");
	struct policy *old = build(text), *new = build(root);
	/*
	 * start nginx changed, and so did the switch that starts it; and
	 * free-port and stop, which now take root's nginx for nginx
	 */
	char *out = diff(old, new, 4);

	ck_assert_line(out, "~ user deploy: start nginx: was \"" START_NGINX
	    "\", now \"start nginx as root:nginx (allow_root) with no "
	    "capabilities: /usr/sbin/nginx -c /etc/cutover/nginx.conf (listens "
	    "on 8080; in a switch, inherits the port's listening socket as fd 3 "
	    "with NGINX=3;)\"");
	ck_assert_uint_eq(count_lines_starting(out, "~ user deploy: switch "
	    "newsite: was \"switch newsite: "), 1);
	ck_assert_ptr_nonnull(strstr(out, "; start nginx as root:nginx "
	    "(allow_root) with no capabilities: "));
	ck_assert_ptr_nonnull(strstr(out, "~ user deploy: stop nginx: was \""
	    STOP_NGINX "\", now \"stop nginx: SIGQUIT, drain up to 30.0 s, "
	    "then SIGTERM to processes of /usr/sbin/nginx as root, "));
	free(out);
	policy_free(old);
	policy_free(new);
	free(root);
	free(text);
}
END_TEST

START_TEST(diff_auth_holders_and_audit)
{
	char *example = read_example("deploy.conf");
	/* newsite frees 8080 from apache2: without that holder, no plan */
	char *noswitch = replace(example, "switch = [\"newsite\"];", "");
	char *text = replace(noswitch, "newsite = {", "# newsite = {");
	char *a = replace(text, "auth   = \"none\";", "auth   = \"pam\";");
	char *b = replace(a, "syslog = true;", "syslog = false;");
	char *c = replace(b, "holders = [\"apache2\", \"nginx\"]",
	    "holders = [\"nginx\"]");
	struct policy *old = build(text), *new = build(c);
	char *out = diff(old, new, 5);

	ck_assert_msg(strncmp(out, "~ audit: syslog was on, now off\n", 32) == 0,
	    "audit first:\n%s", out);
	ck_assert_line(out, "~ user deploy: free port 8080: was \"" FREE_8080
	    "\", now \"free port 8080 by stopping nginx (/usr/sbin/nginx as "
	    "nginx, SIGQUIT, drain up to 30.0 s, then SIGTERM, 5.0 s, then gives "
	    "up) (PAM authentication first)\"");
	ck_assert_line(out, "~ user deploy: stop nginx: was \"" STOP_NGINX
	    "\", now \"" STOP_NGINX " (PAM authentication first)\"");
	ck_assert_uint_eq(count_lines_starting(out, "~ user deploy: "), 4);
	free(out);
	policy_free(old);
	policy_free(new);
	free(c);
	free(b);
	free(a);
	free(text);
	free(noswitch);
	free(example);
}
END_TEST

START_TEST(diff_no_change)
{
	char *text = read_example("deploy.conf");
	/* moved lines and a new comment change origins, not permissions */
	char *moved = replace(text, "rules = (", "# reviewed\n\n\nrules = (");
	struct policy *old = build(text), *new = build(moved);
	char *out = diff(old, new, 0);

	ck_assert_str_eq(out, "no change in permissions\n");
	free(out);
	policy_free(old);
	policy_free(new);
	free(moved);
	free(text);
}
END_TEST

START_TEST(diff_audit_file)
{
	struct policy *old = build("audit = { file = \"/var/log/a\"; };\n");
	struct policy *new = build("audit = { syslog = true; };\n");
	char *out = diff(old, new, 1);

	ck_assert_str_eq(out, "~ audit: file was /var/log/a, now none\n");
	free(out);
	policy_free(old);
	policy_free(new);
}
END_TEST

/* ---- plans ---------------------------------------------------------------- */

/* web hands port 80 back to old; "back" has no check and no rollback. */
static const char plans_policy[] =
    "audit = { syslog = true; };\n"
    "services = {\n"
    "  old = { exe = \"/usr/sbin/old\"; user = \"old\"; start = [\"/usr/sbin/old\"];\n"
    "          ports = [80]; };\n"
    "  web = { exe = \"/usr/sbin/web\"; user = \"www\"; start = [\"/usr/sbin/web\"];\n"
    "          ports = [80]; socket_handoff = \"systemd\"; }; };\n"
    "ports = ( { port = 80; holders = [\"old\", \"web\"]; } );\n"
    "checks = { up = { url = \"http://127.0.0.1/\"; }; };\n"
    "plans = { back = { port = 80; from = \"web\"; to = \"old\"; rollback = false; };\n"
    "  fwd = { port = 80; from = \"old\"; to = \"web\"; verify = [\"up\"]; }; };\n"
    "rules = ( { users = [\"ann\"]; switch = [\"back\", \"fwd\"]; },\n"
    "  { groups = [\"ops\"]; switch = [\"fwd\"]; auth = \"pam\"; } );\n";

#define SWITCH_BACK \
    "switch back: free port 80 from web, start old, no check; no rollback. " \
    "Steps: free port 80 by stopping old (/usr/sbin/old as old, SIGTERM, 5.0 s, " \
    "then gives up) or web (/usr/sbin/web as www, SIGTERM, 5.0 s, then gives up); " \
    "start old as old:(primary group) with no capabilities: /usr/sbin/old " \
    "(listens on 80)"

START_TEST(explain_plans_text)
{
	struct policy *p = build(plans_policy);
	char *out = explain(p, EXPLAIN_TEXT);

	ck_assert_line(out, "  " SWITCH_BACK "  [/etc/cutover/policy.conf:11]");
	/* the handoff, in the start step; the rollback's steps after it */
	ck_assert_line(out, "  switch fwd: start web on port 80's listening "
	    "socket while old serves, pause old, verify up, then stop old; on "
	    "failure let old go on, stop web and start old again if it was "
	    "stopped. Steps: take over port "
	    "80's listening socket (where it cannot be: free port 80 by stopping "
	    "old (/usr/sbin/old as old, SIGTERM, 5.0 s, then gives up) or web "
	    "(/usr/sbin/web as www, SIGTERM, 5.0 s, then gives up), first); start "
	    "web as www:(primary group) with no capabilities: /usr/sbin/web "
	    "(listens on 80; in a switch, inherits the port's listening socket "
	    "as fd 3 with LISTEN_FDS=1); pause old: SIGSTOP to its processes "
	    "that hold port 80, SIGCONT after the checks; verify up: check "
	    "http://127.0.0.1/ for status 200, one attempt; stop old: SIGTERM to "
	    "processes of /usr/sbin/old as old, wait 5.0 s, then gives up; on "
	    "failure: stop web: SIGTERM to processes of "
	    "/usr/sbin/web as www, wait 5.0 s, then gives up; start old as old:(primary "
	    "group) with no capabilities: /usr/sbin/old (listens on 80) (PAM "
	    "authentication first)  [/etc/cutover/policy.conf:12]");
	/* ann: back and fwd; ops: fwd; nothing else */
	ck_assert_uint_eq(count_lines_starting(out, "  switch back: "), 1);
	ck_assert_uint_eq(count_lines_starting(out, "  switch fwd: "), 2);
	ck_assert_uint_eq(count_lines_starting(out, "  "), 3);
	free(out);
	out = explain(p, EXPLAIN_JSON);
	ck_assert_msg(json_valid(out), "invalid JSON:\n%s", out);
	ck_assert_contains(out, "\"plan\":{\"ports\":[80],\"from\":\"web\","
	    "\"to\":\"old\",\"verify\":[],\"rollback\":false}");
	free(out);
	policy_free(p);
}
END_TEST

START_TEST(test_render_switch)
{
	struct policy *p = build(plans_policy);
	static const char *const ops[] = { "ops" };
	char *out = decide_and_render(p, "ann", NULL, 0, ACT_SWITCH, "back", 0);

	ck_assert_str_eq(out, "ann may switch back: granted by rule at "
	    "/etc/cutover/policy.conf:11 (" SWITCH_BACK ")\n");
	free(out);
	out = decide_and_render(p, "bob", ops, 1, ACT_SWITCH, "fwd", 0);
	ck_assert_msg(strncmp(out, "bob may switch fwd: granted by rule at "
	    "/etc/cutover/policy.conf:12 (switch fwd: ", 62) == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "(listens on 80)) (PAM "
	    "authentication first)\n"));
	free(out);
	out = decide_and_render(p, "bob", ops, 1, ACT_SWITCH, "back", 0);
	ck_assert_str_eq(out, "bob may not switch back: no rule allows it (1 "
	    "rule names bob, but none lists this target)\n");
	free(out);
	/* a plan is not a service: no start of it, no switch of a service */
	out = decide_and_render(p, "ann", NULL, 0, ACT_START, "fwd", 0);
	ck_assert_msg(strncmp(out, "ann may not start fwd: ", 23) == 0, "%s", out);
	free(out);
	out = decide_and_render(p, "ann", NULL, 0, ACT_SWITCH, "web", 0);
	ck_assert_str_eq(out, "ann may not switch web: no rule allows it (the "
	    "policy defines no plan by that name)\n");
	free(out);
	policy_free(p);
}
END_TEST

START_TEST(list_shows_switches)
{
	struct policy *p = build(plans_policy);
	static const char *const ops[] = { "ops" };
	struct subject ann = { "ann", ops, 1 };
	struct strbuf sb = STRBUF_INIT;
	char *out;

	ck_assert_int_eq(policy_list_render(p, &ann, EXPLAIN_TEXT, &sb), 0);
	out = take(&sb);
	ck_assert_line(out, "ann may:");
	ck_assert_line(out, "  " SWITCH_BACK "  [/etc/cutover/policy.conf:11]");
	/* fwd is granted to ann first, without PAM: that rule decides */
	ck_assert_uint_eq(count_lines_starting(out, "  switch fwd: "), 1);
	ck_assert_ptr_null(strstr(out, "PAM"));
	ck_assert_uint_eq(count_lines_starting(out, "  "), 2);
	free(out);
	policy_free(p);
}
END_TEST

/* list --format=json: one line of JSON, each grant as the decision has it. */
START_TEST(list_as_json)
{
	struct policy *p = build(plans_policy);
	static const char *const ops[] = { "ops" };
	struct subject ann = { "ann", ops, 1 }, bob = { "bob", NULL, 0 };
	struct strbuf sb = STRBUF_INIT;
	char *out;

	ck_assert_int_eq(policy_list_render(p, &ann, EXPLAIN_JSON, &sb), 0);
	out = take(&sb);
	ck_assert_msg(json_valid(out), "invalid JSON:\n%s", out);
	ck_assert_msg(strncmp(out, "{\"user\":\"ann\",\"permissions\":["
	    "{\"action\":\"switch\",\"target\":\"back\",\"effect\":\""
	    SWITCH_BACK "\",\"auth\":\"none\",\"reason\":\"optional\",\"granted_at\":"
	    "\"/etc/cutover/policy.conf:11\",\"plan\":{", 160) == 0, "%s", out);
	/* fwd: the rule without PAM decides for ann, as in the text */
	ck_assert_contains(out, "\"target\":\"fwd\"");
	ck_assert_ptr_null(strstr(out, "\"auth\":\"pam\""));
	free(out);
	ck_assert_int_eq(policy_list_render(p, &bob, EXPLAIN_JSON, &sb), 0);
	out = take(&sb);
	ck_assert_str_eq(out, "{\"user\":\"bob\",\"permissions\":[]}\n");
	free(out);
	policy_free(p);
}
END_TEST

/* One renderer: list and explain say a grant alike, with the name to type. */
START_TEST(list_and_explain_say_a_grant_alike)
{
	struct policy *p = build(
	    "checks = { up = { url = \"http://127.0.0.1/\"; status = 200; }; };\n"
	    "rules = ( { users = [\"ann\"]; verify = [\"up\"]; } );\n");
	struct subject ann = { "ann", NULL, 0 };
	struct strbuf sb = STRBUF_INIT;
	static const char line[] = "  verify up: check http://127.0.0.1/ for "
	    "status 200, one attempt  [/etc/cutover/policy.conf:2]";
	char *listed, *explained;

	ck_assert_int_eq(policy_list_render(p, &ann, EXPLAIN_TEXT, &sb), 0);
	listed = take(&sb);
	explained = explain(p, EXPLAIN_TEXT);
	ck_assert_line(listed, line);
	ck_assert_line(explained, line);
	free(listed);
	free(explained);
	policy_free(p);
}
END_TEST

START_TEST(diff_plans_added_removed_changed)
{
	char *fwd_only = replace(plans_policy, "switch = [\"back\", \"fwd\"];",
	    "switch = [\"fwd\"];");
	char *no_rollback = replace(plans_policy, "verify = [\"up\"]; };",
	    "verify = [\"up\"]; rollback = false; };");
	struct policy *was = build(plans_policy), *less = build(fwd_only);
	struct policy *changed = build(no_rollback);
	char *out = diff(was, less, 1);

	ck_assert_str_eq(out, "- user ann: " SWITCH_BACK "\n");
	free(out);
	out = diff(less, was, 1);
	ck_assert_str_eq(out, "+ user ann: " SWITCH_BACK "\n");
	free(out);
	/* fwd changed for both subjects that hold it */
	out = diff(was, changed, 2);
	ck_assert_uint_eq(count_lines_starting(out, "~ user ann: switch fwd: "
	    "was \"switch fwd: start web on port 80's listening socket while old "
	    "serves, pause old, verify up, then stop old; on failure let old go "
	    "on, stop web and start old again if it was stopped. "), 1);
	ck_assert_uint_eq(count_lines_starting(out, "~ group ops: switch fwd: "
	    "was "), 1);
	ck_assert_ptr_nonnull(strstr(out, "now \"switch fwd: start web on port "
	    "80's listening socket while old serves, then stop old, verify up; "
	    "no rollback. Steps: "));
	free(out);
	policy_free(was);
	policy_free(less);
	policy_free(changed);
	free(fwd_only);
	free(no_rollback);
}
END_TEST

Suite *
explain_suite(void)
{
	Suite *s = suite_create("explain");
	TCase *json = tcase_create("json-checker"), *ex = tcase_create("explain");
	TCase *test = tcase_create("test"), *df = tcase_create("diff");

	tcase_add_test(json, json_checker_rejects_broken_json);
	tcase_add_test(ex, explain_deploy_text);
	tcase_add_test(ex, explain_deploy_json);
	tcase_add_test(ex, permissions_of_deploy);
	tcase_add_test(ex, explain_teams_text);
	tcase_add_test(ex, explain_teams_json);
	tcase_add_test(ex, explain_deny_all);
	tcase_add_test(ex, explain_union_and_duplicates);
	tcase_add_test(ex, explain_names_the_drop_in);
	tcase_add_test(ex, explain_quotes_odd_bytes);
	tcase_add_test(ex, explain_root_service);
	tcase_add_test(ex, explain_unit_service);
	tcase_add_test(ex, explain_drain);
	tcase_add_test(ex, explain_check_variants);
	tcase_add_test(ex, explain_https_check);
	tcase_add_test(test, test_render_allow);
	tcase_add_test(test, test_render_allow_with_pam);
	tcase_add_test(test, test_render_deny);
	tcase_add_test(test, test_render_escapes_the_callers_target);
	tcase_add_test(df, diff_gained_and_lost);
	tcase_add_test(df, diff_effect_changed_to_root);
	tcase_add_test(df, diff_auth_holders_and_audit);
	tcase_add_test(df, diff_no_change);
	tcase_add_test(df, diff_audit_file);
	tcase_add_test(ex, explain_plans_text);
	tcase_add_test(test, test_render_switch);
	tcase_add_test(test, list_shows_switches);
	tcase_add_test(test, list_as_json);
	tcase_add_test(test, list_and_explain_say_a_grant_alike);
	tcase_add_test(df, diff_plans_added_removed_changed);
	suite_add_tcase(s, json);
	suite_add_tcase(s, ex);
	suite_add_tcase(s, test);
	suite_add_tcase(s, df);
	return s;
}
