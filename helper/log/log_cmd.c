/*
 * log_cmd.c - `cutover log`: the command line and the files (log_cmd.h).
 *
 * Rules this file keeps:
 * - privilege is given up for good before any file is opened or any
 *   option is looked at beyond its name: the reader of hostile bytes
 *   (logrec.c, logfile.c, zlib) runs as the caller, never as root;
 * - every message that names a file or a value goes through
 *   printable_line.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/exitcodes.h"
#include "helper/front/hygiene.h"
#include "helper/log/log_cmd.h"
#include "helper/priv/privilege.h"
#include "policy/strbuf.h"

/* logrotate's rotate count in packaging/debian/cutover.logrotate, and more */
#define ROTATED_MAX 1000

static int
usage(void)
{
	fputs("usage: cutover log [--steps | --all] [--format=text|json] "
	    "[FILTER...] [FILE...]\n"
	    "       cutover log --verify [--last=HASH] [FILE...]\n"
	    "FILTER: --user=USER --action=ACTION --target=TARGET --plan=PLAN\n"
	    "        --outcome=OUTCOME --txid=PREFIX --since=TIME "
	    "--until=TIME\n"
	    "        --run-id=ID --reason=WORDS\n"
	    "TIME: 2026-12-07, 2026-12-07T16:05 ... (UTC, the records' own "
	    "times); FILE: oldest first, .gz read too, - for standard input;\n"
	    "without FILE: " LOG_DEFAULT_FILE " and its rotated files.\n",
	    stderr);
	return EXIT_USAGE;
}

/* As the caller, for good, in the caller's own working directory. */
static int
become_caller(void)
{
	int cwd = hygiene_take_caller_cwd(), rc = 0;

	if (privilege_drop_to_caller() == -1)
		rc = -1;
	else if (cwd != -1 && fchdir(cwd) == -1) {
		fputs("cutover: cannot return to the working directory as the "
		    "caller\n", stderr);
		rc = -1;
	}
	if (cwd != -1)
		close(cwd);
	return rc;
}

/* ---- options --------------------------------------------------------------- */

/* "--NAME=VALUE" or "--NAME VALUE": VALUE into *OUT, *I past it. */
static int
take_value(int argc, char **argv, int *i, const char *name,
    const char **out)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=')
		*out = a + n + 1;
	else if (a[n] == '\0' && *i + 1 < argc)
		*out = argv[++*i];
	else
		return 0;
	return 1;
}

static int
take_filter(int argc, char **argv, int *i, struct log_opts *o,
    const char **plan, const char **format)
{
	struct logfilter *f = &o->filter;

	return take_value(argc, argv, i, "--user", &f->user) ||
	    take_value(argc, argv, i, "--action", &f->action) ||
	    take_value(argc, argv, i, "--target", &f->target) ||
	    take_value(argc, argv, i, "--plan", plan) ||
	    take_value(argc, argv, i, "--outcome", &f->outcome) ||
	    take_value(argc, argv, i, "--txid", &f->txid) ||
	    take_value(argc, argv, i, "--run-id", &f->run_id) ||
	    take_value(argc, argv, i, "--reason", &f->reason) ||
	    take_value(argc, argv, i, "--since", &f->since) ||
	    take_value(argc, argv, i, "--until", &f->until) ||
	    take_value(argc, argv, i, "--last", &o->last) ||
	    take_value(argc, argv, i, "--format", format);
}

/* --plan P is a switch of P; a time must have the records' shape. */
static int
check_opts(struct log_opts *o, const char *plan, const char *format)
{
	struct logfilter *f = &o->filter;

	if (plan != NULL) {
		if (f->action != NULL && strcmp(f->action, "switch") != 0) {
			fputs("cutover: log: --plan is a switch's target: "
			    "not with another --action\n", stderr);
			return -1;
		}
		f->action = "switch";
		f->target = plan;
	}
	if (format != NULL && strcmp(format, "json") != 0 &&
	    strcmp(format, "text") != 0)
		return -1;
	o->json = format != NULL && strcmp(format, "json") == 0;
	if ((f->since && !logfilter_time_ok(f->since)) ||
	    (f->until && !logfilter_time_ok(f->until))) {
		fputs("cutover: log: a time is UTC as the records have it: "
		    "2026-12-07, 2026-12-07T16, 2026-12-07T16:05:30\n", stderr);
		return -1;
	}
	return o->steps && o->all ? -1 : 0;
}

static int
parse_opts(int argc, char **argv, struct log_opts *o)
{
	const char *plan = NULL, *format = NULL;
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "--verify") == 0)
			o->verify = true;
		else if (strcmp(argv[i], "--steps") == 0)
			o->steps = true;
		else if (strcmp(argv[i], "--all") == 0)
			o->all = true;
		else if (take_filter(argc, argv, &i, o, &plan, &format))
			continue;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			return -1;
		else
			break;
	}
	o->files = argv + i;
	o->nfiles = argc - i;
	return check_opts(o, plan, format);
}

/* ---- the default files -------------------------------------------------- */

/* The default file's .N or .N.gz, whichever is there; NULL: neither. */
static char *
rotated_name(int n)
{
	struct stat st;
	char *name;

	if (asprintf(&name, "%s.%d", LOG_DEFAULT_FILE, n) == -1)
		return NULL;
	if (stat(name, &st) == 0)
		return name;
	free(name);
	if (asprintf(&name, "%s.%d.gz", LOG_DEFAULT_FILE, n) == -1)
		return NULL;
	if (stat(name, &st) == 0)
		return name;
	free(name);
	return NULL;
}

/*
 * The default trail, oldest first: .N ... .1, then the file itself.  The
 * names live until the command exits.
 */
static char **
default_files(int *n)
{
	static char *files[ROTATED_MAX + 2];
	int count = 0, i;

	while (count < ROTATED_MAX && (files[count] = rotated_name(count + 1)))
		count++;
	for (i = 0; i < count / 2; i++) {
		char *t = files[i];

		files[i] = files[count - 1 - i];
		files[count - 1 - i] = t;
	}
	if ((files[count++] = strdup(LOG_DEFAULT_FILE)) == NULL)
		return NULL;
	*n = count;
	return files;
}

int
log_command(int argc, char **argv)
{
	struct log_opts o;
	int status;

	if (become_caller() == -1)
		return EXIT_FAILED;
	if (parse_opts(argc, argv, &o) == -1)
		return usage();
	if (o.nfiles == 0 && (o.files = default_files(&o.nfiles)) == NULL) {
		fputs("cutover: log: out of memory\n", stderr);
		return EXIT_FAILED;
	}
	status = o.verify ? log_verify(&o) : log_list(&o);
	if (fflush(stdout) == EOF || ferror(stdout))
		return EXIT_FAILED;
	return status;
}
