/*
 * policy_cmd.c - the audit commands: check, explain, test, diff.
 *
 * They never need privilege, so they give it up for good before reading
 * anything: a file the caller names, and the system policy too, are read
 * with the caller's own rights.  (A reviewer who may not read
 * /etc/cutover/policy.conf may not have it explained either.)
 */
#include <sys/types.h>

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/exitcodes.h"
#include "helper/front/expect_cmd.h"
#include "policy/explain.h"
#include "helper/front/hygiene.h"
#include "policy/policy.h"
#include "helper/front/policy_cmd.h"
#include "helper/priv/privilege.h"
#include "policy/strbuf.h"

#define MAX_GROUPS 4096

static int
usage(void)
{
	fputs("usage: cutover policy check [FILE]\n"
	    "       cutover policy explain [FILE] [--format=text|json]\n"
	    "       cutover policy test [FILE] USER ACTION TARGET\n"
	    "       cutover policy test [FILE] --expect EXPECTATIONS\n"
	    "       cutover policy diff OLD NEW\n"
	    "ACTION is free-port, start, stop or verify; without FILE the "
	    "system policy " CUTOVER_POLICY_PATH " is read.\n", stderr);
	return EXIT_USAGE;
}

static void
print_diags(const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];
		const char *lvl = g->level == DIAG_WARNING ? "warning: " : "";

		if (g->file && g->line > 0)
			printable_line(stderr, "%s:%d: %s%s", g->file, g->line,
			    lvl, g->msg);
		else if (g->file)
			printable_line(stderr, "%s: %s%s", g->file, lvl, g->msg);
		else
			printable_line(stderr, "cutover: %s%s", lvl, g->msg);
	}
}

/* Load FILE as the caller named it, or the system policy when NULL. */
static struct policy *
load(const char *file)
{
	struct diags d = { 0 };
	struct policy *p;

	if (file != NULL)
		p = policy_load(file, POLICY_TRUST_NAMED, &d);
	else
		p = policy_load(CUTOVER_POLICY_PATH, POLICY_TRUST_SYSTEM, &d);
	print_diags(&d);
	if (p == NULL)
		fprintf(stderr, "cutover: the policy is invalid: %zu error%s; "
		    "nothing would be allowed\n", d.nerrors,
		    d.nerrors == 1 ? "" : "s");
	diags_free(&d);
	return p;
}

/* JSON is its escaper's (sb_json_string: no control byte); text the sink's. */
static int
emit(struct strbuf *sb, bool json, int status)
{
	if (sb_failed(sb)) {
		fputs("cutover: out of memory\n", stderr);
		status = EXIT_FAILED;
	} else if ((json ? fputs(sb_str(sb), stdout) :
	    printable_fputs(sb_str(sb), stdout)) == EOF || fflush(stdout) == EOF) {
		fputs("cutover: cannot write the output\n", stderr);
		status = EXIT_FAILED;
	}
	sb_free(sb);
	return status;
}

/*
 * Is there a unit file for UNIT on this host?  Where systemd looks for
 * the system's units (systemd.unit(5)); a template instance
 * ("site@blue.service") is there when its template ("site@.service") is.
 */
static bool
unit_file_exists(const char *unit)
{
	static const char *const dirs[] = { "/etc/systemd/system",
	    "/run/systemd/system", "/run/systemd/generator",
	    "/usr/local/lib/systemd/system", "/lib/systemd/system",
	    "/usr/lib/systemd/system" };
	const char *at = strchr(unit, '@'), *dot = strrchr(unit, '.');
	char path[512], tmpl[POLICY_UNIT_MAX + 1];
	size_t i;

	tmpl[0] = '\0';
	if (at != NULL && dot != NULL && dot > at)
		snprintf(tmpl, sizeof(tmpl), "%.*s%s", (int)(at - unit + 1), unit,
		    dot);
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], unit);
		if (access(path, F_OK) == 0)
			return true;
		snprintf(path, sizeof(path), "%s/%s", dirs[i], tmpl);
		if (tmpl[0] != '\0' && access(path, F_OK) == 0)
			return true;
	}
	return false;
}

/*
 * A warning, not an error: the policy may be written before the package
 * that ships the unit is installed, or checked on another machine; but on
 * this host a start or stop of that service would fail.
 */
static void
warn_missing_units(const struct policy *p)
{
	size_t i;

	for (i = 0; i < p->nservices; i++) {
		const struct service *sv = &p->services[i];

		if (sv->unit == NULL || unit_file_exists(sv->unit))
			continue;
		printable_line(stderr, "%s:%d: warning: unit %s of service %s "
		    "does not exist on this host (no unit file where systemd "
		    "looks for one); install it, or every start, stop and "
		    "switch of %s here fails", sv->at.file, sv->at.line,
		    sv->unit, sv->name, sv->name);
	}
}

/*
 * The policy's own expectations, NAME.expect beside it, when there are
 * any: a policy that no longer answers as reviewed is not valid (4).
 */
static int
check_beside(const struct policy *p)
{
	char *path = expect_path_beside(p->files[0]);
	int rc;

	if (path == NULL) {
		fputs("cutover: out of memory\n", stderr);
		return EXIT_FAILED;
	}
	rc = expect_file_check(p, path, true);
	free(path);
	return rc == 0 ? EXIT_DONE : EXIT_POLICY;
}

static int
cmd_check(int argc, char **argv)
{
	struct policy *p;
	int status;

	if (argc > 2)
		return usage();
	if ((p = load(argc == 2 ? argv[1] : NULL)) == NULL)
		return EXIT_POLICY;
	warn_missing_units(p);
	printable_line(stdout, "%s: valid: %zu service%s, %zu port%s, %zu "
	    "check%s, %zu plan%s, %zu rule%s, from %zu file%s", p->files[0],
	    p->nservices, p->nservices == 1 ? "" : "s",
	    p->nports, p->nports == 1 ? "" : "s",
	    p->nchecks, p->nchecks == 1 ? "" : "s",
	    p->nplans, p->nplans == 1 ? "" : "s",
	    p->nrules, p->nrules == 1 ? "" : "s",
	    p->nfiles, p->nfiles == 1 ? "" : "s");
	status = check_beside(p);
	policy_free(p);
	return status;
}

static int
cmd_explain(int argc, char **argv)
{
	enum explain_format fmt = EXPLAIN_TEXT;
	const char *file = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct policy *p;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--format=text") == 0)
			fmt = EXPLAIN_TEXT;
		else if (strcmp(argv[i], "--format=json") == 0)
			fmt = EXPLAIN_JSON;
		else if (argv[i][0] == '-' || file != NULL)
			return usage();
		else
			file = argv[i];
	}
	if ((p = load(file)) == NULL)
		return EXIT_POLICY;
	policy_explain(p, fmt, &sb);
	policy_free(p);
	return emit(&sb, fmt == EXPLAIN_JSON, EXIT_DONE);
}

/* The user's name and the names of its groups, as NSS gives them. */
static int
subject_of(const char *user, struct subject *s, char ***names)
{
	gid_t gids[MAX_GROUPS];
	int n = MAX_GROUPS, i, k = 0;
	struct passwd *pw;
	struct group *gr;
	char **v;

	s->user = user;
	s->groups = NULL;
	s->ngroups = 0;
	*names = NULL;
	if ((pw = getpwnam(user)) == NULL) {
		printable_line(stderr, "cutover: note: no user %s in the "
		    "password database; deciding by the name alone, without "
		    "groups", user);
		return 0;
	}
	if (getgrouplist(user, pw->pw_gid, gids, &n) == -1 ||
	    (v = calloc((size_t)n + 1, sizeof(*v))) == NULL) {
		printable_line(stderr, "cutover: cannot list the groups of %s",
		    user);
		return -1;
	}
	for (i = 0; i < n; i++)
		if ((gr = getgrgid(gids[i])) != NULL &&
		    (v[k] = strdup(gr->gr_name)) != NULL)
			k++;
	s->groups = (const char *const *)v;
	s->ngroups = (size_t)k;
	*names = v;
	return 0;
}

static int
parse_request(char **argv, struct request *rq)
{
	memset(rq, 0, sizeof(*rq));
	if (action_from_name(argv[0], &rq->action) == -1) {
		printable_line(stderr, "cutover: unknown action \"%s\"; use "
		    "free-port, start, stop, verify or switch", argv[0]);
		return -1;
	}
	rq->target = argv[1];
	if (rq->action == ACT_FREE_PORT &&
	    (rq->port = port_from_string(argv[1])) == -1) {
		printable_line(stderr, "cutover: \"%s\" is not a port number "
		    "(1-65535)", argv[1]);
		return -1;
	}
	return 0;
}

/* policy test [FILE] --expect EXPECTATIONS: 0 all hold, 1 not, 2 unread. */
static int
cmd_test_expect(const char *file, const char *expectations)
{
	struct policy *p;
	int rc;

	if ((p = load(file)) == NULL)
		return EXIT_POLICY;
	rc = expect_file_check(p, expectations, false);
	policy_free(p);
	return rc == 0 ? EXIT_DONE : EXIT_FAILED;
}

static int
cmd_test(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	struct subject subj;
	struct request rq;
	struct decision dec;
	struct policy *p;
	char **names = NULL;
	int first = argc == 5 ? 2 : 1, i;

	if (argc == 3 && strcmp(argv[1], "--expect") == 0)
		return cmd_test_expect(NULL, argv[2]);
	if (argc == 4 && strcmp(argv[2], "--expect") == 0)
		return cmd_test_expect(argv[1], argv[3]);
	if (argc != 4 && argc != 5)
		return usage();
	if (parse_request(argv + first + 1, &rq) == -1)
		return EXIT_USAGE;
	if ((p = load(argc == 5 ? argv[1] : NULL)) == NULL)
		return EXIT_POLICY;
	if (subject_of(argv[first], &subj, &names) == -1) {
		policy_free(p);
		return EXIT_FAILED;
	}
	policy_decide(p, &subj, &rq, &dec);
	policy_test_render(p, &subj, &rq, &dec, &sb);
	for (i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
	policy_free(p);
	return emit(&sb, false, dec.verdict == VERDICT_ALLOW ? EXIT_DONE :
	    EXIT_REFUSED);
}

static int
cmd_diff(int argc, char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	struct policy *old, *new;
	int n;

	if (argc != 3)
		return usage();
	if ((old = load(argv[1])) == NULL)
		return EXIT_POLICY;
	if ((new = load(argv[2])) == NULL) {
		policy_free(old);
		return EXIT_POLICY;
	}
	n = policy_diff(old, new, &sb);
	policy_free(old);
	policy_free(new);
	if (n < 0)
		sb.failed = true;
	return emit(&sb, false, n == 0 ? EXIT_DONE : EXIT_FAILED);
}

int
policy_command(int argc, char **argv)
{
	int cwd;

	if (argc < 1)
		return usage();
	cwd = hygiene_take_caller_cwd();
	if (privilege_drop_to_caller() == -1) {
		if (cwd != -1)
			close(cwd);
		return EXIT_FAILED;
	}
	/* Relative FILEs are the caller's: resolve them where they are. */
	if (cwd != -1) {
		if (fchdir(cwd) == -1) {
			fputs("cutover: cannot return to the working "
			    "directory as the caller\n", stderr);
			close(cwd);
			return EXIT_FAILED;
		}
		close(cwd);
	}
	if (strcmp(argv[0], "check") == 0)
		return cmd_check(argc, argv);
	if (strcmp(argv[0], "explain") == 0)
		return cmd_explain(argc, argv);
	if (strcmp(argv[0], "test") == 0)
		return cmd_test(argc, argv);
	if (strcmp(argv[0], "diff") == 0)
		return cmd_diff(argc, argv);
	return usage();
}
