/*
 * fuzz_argv.c - the libFuzzer target for the command line: request_parse()
 * (helper/front/request.c), the only code that reads argv, the first thing a
 * hostile caller controls.
 *
 * Input: the argument vector, arguments separated by NUL bytes, argv[0]
 * included: "" is argc 0, "a" is { "a" }, "a\0" is { "a", "" }.  Each
 * argument is its own exact-size allocation and so is the vector (with
 * its NULL), so ASan sees a read one byte past any of them.
 *
 * Whatever the input, it checks:
 *   - request_parse returns 0 or -1, and the same twice (on fresh copies);
 *   - it accepts exactly what a reference grammar, written here from
 *     request.c's and cutover(8)'s promises, accepts:
 *       PROG policy ARG...      PROG --help      PROG --version
 *       PROG list|-l [--format=text|json]
 *       PROG [-n] free-port|start|stop TARGET
 *       PROG [-n] switch [--format=text|json] TARGET
 *       PROG verify [--format=text|nagios|json|prometheus] [--textfile] TARGET
 *         (the two options in either order, each at most once)
 *     and yields the same command, action, dry run, format, textfile and
 *     policy arguments;
 *   - an accepted target is the argument, byte for byte (never cut or
 *     cleaned): a port is 1-65535 in plain digits with no leading zero,
 *     and the port field is its value; a name is 1-64 bytes of ASCII
 *     letters, digits, '_' and '-', starting with a letter;
 *   - raw_action and raw_target (the audit record of a malformed request)
 *     are NULL or arguments of the vector, and raw_action is the word
 *     after PROG (or after -n);
 *   - a refusal has a message: non-empty, terminated inside the buffer
 *     the caller gave (main.c's 512 bytes, and a 24-byte one: cut, never
 *     overrun), printable ASCII only, whatever bytes argv held.
 * A broken invariant prints what broke and calls abort().
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/front/request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS   256      /* more says nothing new; keeps runs fast */
#define WHY_MAIN   512      /* what main.c gives */
#define WHY_SMALL  24       /* shorter than every message */

static void broken(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
broken(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("fuzz_argv: invariant broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(cond, ...) do { if (!(cond)) broken(__VA_ARGS__); } while (0)

/* ---- input -> argv -------------------------------------------------------- */

struct args {
	int argc;
	char **argv;        /* argc + 1 entries, the last NULL */
	char **orig;        /* the same pointers: request_parse may move argv's */
};

static char *
dup_bytes(const uint8_t *p, size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		broken("out of memory");
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

static void
split_args(const uint8_t *data, size_t size, struct args *a)
{
	const uint8_t *p = data, *end = data + size, *nul;
	int n = 0;

	a->argv = malloc((MAX_ARGS + 1) * sizeof(char *));
	a->orig = malloc((MAX_ARGS + 1) * sizeof(char *));
	if (a->argv == NULL || a->orig == NULL)
		broken("out of memory");
	while (size > 0 && n < MAX_ARGS) {
		nul = memchr(p, '\0', (size_t)(end - p));
		a->argv[n++] = dup_bytes(p, (size_t)((nul ? nul : end) - p));
		if (nul == NULL)
			break;
		p = nul + 1;
	}
	/* exact size, so that argv[argc + 1] is out of bounds */
	a->argv = realloc(a->argv, (n + 1) * sizeof(char *));
	if (a->argv == NULL)
		broken("out of memory");
	a->argv[n] = NULL;
	memcpy(a->orig, a->argv, (n + 1) * sizeof(char *));
	a->argc = n;
}

static void
free_args(struct args *a)
{
	int i;

	for (i = 0; i < a->argc; i++)
		free(a->orig[i]);
	free(a->orig);
	free(a->argv);
}

/* ---- the reference grammar ----------------------------------------------- */

struct expect {
	bool ok;
	enum command cmd;
	enum action action;
	bool dry_run;
	enum output_format format;
	bool textfile;
	bool boot;                  /* recover --boot */
	const char *target;         /* the argument the target must equal */
	const char *reason;         /* --reason's value, NULL when none */
	const char *run_id;         /* --run-id's value, NULL when none */
	const char *raw_action;     /* the command word */
};

static bool
is_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
valid_name(const char *s)
{
	size_t i;

	if (!is_letter(s[0]))
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!is_letter(s[i]) && !is_digit(s[i]) && s[i] != '_' &&
		    s[i] != '-')
			return false;
	return i <= POLICY_NAME_MAX;
}

/* The port S names (1-65535, digits, no leading zero), or -1. */
static long
valid_port(const char *s)
{
	long v = 0;
	size_t i;

	if (s[0] == '0')
		return -1;
	for (i = 0; s[i] != '\0'; i++) {
		if (!is_digit(s[i]) || i >= 5)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return i > 0 && v <= 65535 ? v : -1;
}

static bool
word_action(const char *w, enum action *a)
{
	static const struct { const char *w; enum action a; } words[] = {
		{ "free-port", ACT_FREE_PORT }, { "start", ACT_START },
		{ "stop", ACT_STOP }, { "verify", ACT_VERIFY },
		{ "switch", ACT_SWITCH },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(w, words[i].w) == 0) {
			*a = words[i].a;
			return true;
		}
	return false;
}

static bool
word_format(const char *opt, enum output_format *f)
{
	if (strcmp(opt, "--format=text") == 0)
		*f = FORMAT_TEXT;
	else if (strcmp(opt, "--format=nagios") == 0)
		*f = FORMAT_NAGIOS;
	else if (strcmp(opt, "--format=json") == 0)
		*f = FORMAT_JSON;
	else if (strcmp(opt, "--format=prometheus") == 0)
		*f = FORMAT_PROMETHEUS;
	else
		return false;
	return true;
}

/* VERIFY's options: each --format= and --textfile at most once. */
static bool
verify_options(int *n, char ***args, struct expect *e)
{
	bool format_seen = false;

	while (*n > 2) {
		if (!format_seen && word_format((*args)[1], &e->format))
			format_seen = true;
		else if (!e->textfile && strcmp((*args)[1], "--textfile") == 0)
			e->textfile = true;
		else
			return false;
		(*args)++;
		(*n)--;
	}
	return true;
}

/* ARGS (after PROG and -n) as an action: ACTION [--format=F] TARGET. */
static void
expect_action(int n, char **args, struct expect *e)
{
	if (n < 2 || !word_action(args[0], &e->action))
		return;
	if (e->action == ACT_VERIFY) {
		if (e->dry_run || !verify_options(&n, &args, e))
			return;
	} else if (e->action == ACT_SWITCH && n == 3 &&
	    word_format(args[1], &e->format)) {
		if (e->format != FORMAT_TEXT && e->format != FORMAT_JSON)
			return;     /* a switch reports as text or json */
		args++;
		n--;
	}
	if (n != 2 || (e->action == ACT_VERIFY && e->dry_run))
		return;
	if (e->action == ACT_FREE_PORT ? valid_port(args[1]) == -1 :
	    !valid_name(args[1]))
		return;
	e->ok = true;
	e->cmd = CMD_ACTION;
	e->target = args[1];
}

static bool
valid_reason(const char *s)
{
	size_t i;
	bool words = false;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
		if (s[i] != ' ')
			words = true;
	}
	return words && i <= 200;
}

static bool
valid_run_id(const char *s)
{
	size_t i;

	if (!is_letter(s[0]) && !is_digit(s[0]))
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!is_letter(s[i]) && !is_digit(s[i]) && s[i] != '.' &&
		    s[i] != '_' && s[i] != ':' && s[i] != '-')
			return false;
	return i <= 64;
}

/*
 * --reason and --run-id out of ARGV into E, the other words into KEPT
 * (argv[0] first).  Returns the words kept, or -1: the vector is refused.
 */
static int
expect_notes(int argc, char **argv, char **kept, struct expect *e)
{
	int i, n = 0;

	kept[n++] = argv[0];
	for (i = 1; i < argc; i++) {
		const char *w = argv[i], *value;
		bool reason = strncmp(w, "--reason", 8) == 0;
		const char **slot = reason ? &e->reason : &e->run_id;

		if ((!reason && strncmp(w, "--run-id", 8) != 0) ||
		    (w[8] != '\0' && w[8] != '=')) {
			kept[n++] = argv[i];
			continue;
		}
		if (w[8] == '=')
			value = w + 9;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return -1;
		if (*slot != NULL || !(reason ? valid_reason(value) :
		    valid_run_id(value)))
			return -1;
		*slot = value;
	}
	kept[n] = NULL;
	return n;
}

static void
expect_parse(int argc, char **argv, struct expect *e)
{
	char *kept[MAX_ARGS + 1];
	int i = 1;

	memset(e, 0, sizeof(*e));
	if (argc < 2)
		return;
	e->ok = true;
	if (strcmp(argv[1], "policy") == 0)
		e->cmd = CMD_POLICY;
	else if (argc == 2 && strcmp(argv[1], "--help") == 0)
		e->cmd = CMD_HELP;
	else if (argc == 2 && strcmp(argv[1], "--version") == 0)
		e->cmd = CMD_VERSION;
	else
		e->ok = false;
	if (e->ok)
		return;
	if ((argc = expect_notes(argc, argv, kept, e)) < 2)
		return;
	argv = kept;
	e->raw_action = argv[1];
	if (strcmp(argv[1], "-n") == 0) {
		e->dry_run = true;
		i = 2;
		e->raw_action = argc > 2 ? argv[2] : NULL;
	}
	if (argc >= i + 1 && argc <= i + 2 && !e->dry_run &&
	    e->reason == NULL && e->run_id == NULL &&
	    (strcmp(argv[i], "list") == 0 || strcmp(argv[i], "-l") == 0)) {
		/* list [--format=text|json] */
		if (argc == i + 2 && (!word_format(argv[i + 1], &e->format) ||
		    (e->format != FORMAT_TEXT && e->format != FORMAT_JSON))) {
			e->format = FORMAT_TEXT;
			return;
		}
		e->ok = true;
		e->cmd = CMD_LIST;
		return;
	}
	if (argc >= i + 1 && argc <= i + 2 && !e->dry_run &&
	    e->reason == NULL && e->run_id == NULL &&
	    strcmp(argv[i], "recover") == 0) {
		/* recover [--boot]: root's, no notes */
		e->boot = argc == i + 2;
		if (e->boot && strcmp(argv[i + 1], "--boot") != 0)
			return;
		e->ok = true;
		e->cmd = CMD_RECOVER;
		return;
	}
	expect_action(argc - i, argv + i, e);
}

/* ---- the checks ------------------------------------------------------------- */

static bool
is_arg(const struct args *a, const char *p)
{
	int i;

	for (i = 0; i < a->argc; i++)
		if (a->orig[i] == p)
			return true;
	return false;
}

static void
check_why(const char *why, size_t whylen)
{
	size_t i;

	CHECK(memchr(why, '\0', whylen) != NULL,
	    "the message is not terminated inside its %zu bytes", whylen);
	CHECK(why[0] != '\0', "a refusal with no message");
	for (i = 0; why[i] != '\0'; i++)
		CHECK(why[i] >= 0x20 && why[i] < 0x7f, "the message holds the "
		    "byte 0x%02x at %zu: %s", (unsigned char)why[i], i, why);
}

static void
check_target(const struct cli_request *r, const struct expect *e)
{
	CHECK(r->rq.target == r->target, "rq.target is not the target buffer");
	CHECK(memchr(r->target, '\0', sizeof(r->target)) != NULL,
	    "the target is not terminated");
	CHECK(strcmp(r->target, e->target) == 0, "target \"%s\", argument "
	    "\"%s\": not byte for byte", r->target, e->target);
	if (r->rq.action == ACT_FREE_PORT)
		CHECK(r->rq.port == valid_port(r->target) && r->rq.port >= 1 &&
		    r->rq.port <= 65535, "port %d from \"%s\"", r->rq.port,
		    r->target);
	else
		CHECK(valid_name(r->target), "accepted the name \"%s\"",
		    r->target);
}

static void
check_accepted(const struct args *a, const struct cli_request *r,
    const struct expect *e)
{
	CHECK(r->cmd == e->cmd, "command %d, expected %d", (int)r->cmd,
	    (int)e->cmd);
	if (r->cmd == CMD_POLICY) {
		CHECK(r->policy_argc == a->argc - 2 &&
		    r->policy_argv == a->argv + 2, "policy arguments: %d at "
		    "%p, expected %d at %p", r->policy_argc,
		    (void *)r->policy_argv, a->argc - 2, (void *)(a->argv + 2));
		return;
	}
	if (r->cmd == CMD_RECOVER)
		CHECK(r->boot == e->boot, "boot %d, expected %d", r->boot,
		    e->boot);
	if (r->cmd != CMD_ACTION && r->cmd != CMD_LIST)
		return;
	CHECK(r->dry_run == e->dry_run, "dry run %d, expected %d",
	    r->dry_run, e->dry_run);
	CHECK(r->raw_action == e->raw_action, "raw_action is "
	    "not the command word");
	if (r->cmd == CMD_LIST)
		return;
	CHECK(strcmp(r->reason, e->reason ? e->reason : "") == 0 &&
	    r->rq.reason == (e->reason ? r->reason : NULL), "reason \"%s\", "
	    "expected \"%s\"", r->reason, e->reason ? e->reason : "");
	CHECK(strcmp(r->run_id, e->run_id ? e->run_id : "") == 0, "run id "
	    "\"%s\", expected \"%s\"", r->run_id, e->run_id ? e->run_id : "");
	CHECK(r->rq.action == e->action, "action %d, expected %d",
	    (int)r->rq.action, (int)e->action);
	CHECK(r->format == e->format, "format %d, expected %d",
	    (int)r->format, (int)e->format);
	CHECK(r->textfile == e->textfile, "textfile %d, expected %d",
	    r->textfile, e->textfile);
	CHECK(r->raw_target == e->target, "raw_target is not the target");
	check_target(r, e);
}

/* One parse of fresh copies, with a WHYLEN-byte message buffer. */
static int
parse_once(const uint8_t *data, size_t size, size_t whylen,
    struct cli_request *out, char *why_out)
{
	struct args a;
	struct expect e;
	char *why = malloc(whylen);
	int rc;

	if (why == NULL)
		broken("out of memory");
	split_args(data, size, &a);
	expect_parse(a.argc, a.orig, &e);
	memset(why, 0xa5, whylen);
	rc = request_parse(a.argc, a.argv, out, why, whylen);
	CHECK(rc == 0 || rc == -1, "request_parse returned %d", rc);
	CHECK((rc == 0) == e.ok, "request_parse %s a vector the grammar %s "
	    "(argc %d, argv[1] \"%s\")", rc == 0 ? "accepted" : "refused",
	    e.ok ? "accepts" : "refuses", a.argc,
	    a.argc > 1 ? a.orig[1] : "(none)");
	CHECK(out->raw_action == NULL || is_arg(&a, out->raw_action),
	    "raw_action points outside argv");
	CHECK(out->raw_target == NULL || is_arg(&a, out->raw_target),
	    "raw_target points outside argv");
	if (rc == 0)
		check_accepted(&a, out, &e);
	else {
		check_why(why, whylen);
		snprintf(why_out, WHY_MAIN, "%s", why);
	}
	/* pointers into this run's copies mean nothing after it */
	out->rq.target = NULL;
	out->policy_argv = NULL;
	out->raw_action = out->raw_target = NULL;
	free_args(&a);
	free(why);
	return rc;
}

/* Field by field: the struct's padding is not part of the result. */
static bool
same_request(const struct cli_request *a, const struct cli_request *b)
{
	return a->cmd == b->cmd && a->dry_run == b->dry_run &&
	    a->format == b->format && a->textfile == b->textfile &&
	    a->rq.action == b->rq.action &&
	    a->rq.port == b->rq.port && a->policy_argc == b->policy_argc &&
	    strcmp(a->target, b->target) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cli_request r1, r2;
	char why1[WHY_MAIN] = "", why2[WHY_MAIN] = "", small[WHY_MAIN];
	int rc1, rc2, rc3;

	rc1 = parse_once(data, size, WHY_MAIN, &r1, why1);
	rc2 = parse_once(data, size, WHY_MAIN, &r2, why2);
	CHECK(rc1 == rc2 && same_request(&r1, &r2) &&
	    strcmp(why1, why2) == 0, "two parses of the same argv differ");
	/* a short buffer: the message cut to fit, as snprintf does */
	rc3 = parse_once(data, size, WHY_SMALL, &r2, small);
	CHECK(rc3 == rc1, "the verdict depends on the message buffer's size");
	if (rc1 == -1)
		CHECK(strncmp(small, why1, WHY_SMALL - 1) == 0 &&
		    strlen(small) == (strlen(why1) < WHY_SMALL ?
		    strlen(why1) : WHY_SMALL - 1),
		    "cut message \"%s\" is not the start of \"%s\"", small, why1);
	return 0;
}
