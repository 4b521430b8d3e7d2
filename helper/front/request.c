/*
 * request.c - argv -> struct cli_request.  The only code that reads argv.
 *
 * Targets are checked byte by byte: a service or check name is what the
 * policy can define (letters, digits, _ and -, starting with a letter, at
 * most 64 bytes) and a port is 1-65535 in plain digits.  Anything else is
 * a usage error, never truncated or cleaned up, so what is decided and
 * recorded is exactly what was asked.  Messages never echo raw argv bytes.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "helper/front/request.h"
#include "policy/strbuf.h"

#define ARG_MAX_LEN 4096    /* longer than any path or name we accept */

static const struct {
	const char *name;
	enum action action;
	const char *what;           /* for messages: "a port", ... */
} actions[] = {
	{ "free-port", ACT_FREE_PORT, "a port number" },
	{ "start", ACT_START, "a service name" },
	{ "stop", ACT_STOP, "a service name" },
	{ "verify", ACT_VERIFY, "a check name" },
	{ "switch", ACT_SWITCH, "a plan name" },
};

static bool
target_name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > POLICY_NAME_MAX || !isalpha((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

/*
 * A refusal: FMT's message in WHY, escaped whole (its arguments are the
 * caller's bytes; the literal text is printable ASCII, which escaping
 * leaves as it is), cut to WHYLEN.  Returns -1.
 */
static int __attribute__((format(printf, 3, 4)))
bad(char *why, size_t whylen, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char raw[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	sb_printable(&sb, raw);
	snprintf(why, whylen, "%s", sb_failed(&sb) ?
	    "the command line is invalid (out of memory)" : sb_str(&sb));
	sb_free(&sb);
	return -1;
}

static bool
reason_ok(const char *s)
{
	size_t i, n = strlen(s);
	bool words = false;

	if (n == 0 || n > REQUEST_REASON_MAX)
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e)
			return false;
		words |= s[i] != ' ';
	}
	return words;
}

static bool
run_id_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > REQUEST_RUN_ID_MAX || !isalnum((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._:-", s[i]) == NULL)
			return false;
	return true;
}

/*
 * --reason TEXT and --run-id ID (or --reason=TEXT, --run-id=ID), each at
 * most once, anywhere after the command word: taken out of argv, which
 * keeps its order, so the rest of the grammar never sees them.  Returns
 * the new argc, or -1 with a usage message.
 */
static int
take_notes(int argc, char **argv, int from, struct cli_request *r,
    char *why, size_t whylen)
{
	int i, out = from;

	for (i = from; i < argc; i++) {
		bool is_reason = strncmp(argv[i], "--reason", 8) == 0;
		bool is_run_id = strncmp(argv[i], "--run-id", 8) == 0;
		const char *opt = is_reason ? "--reason" : "--run-id";
		const char *value;
		char *dst;

		if ((!is_reason && !is_run_id) ||
		    (argv[i][8] != '\0' && argv[i][8] != '=')) {
			argv[out++] = argv[i];
			continue;
		}
		if (argv[i][8] == '=')
			value = argv[i] + 9;
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return bad(why, whylen, "%s needs a value: %s", opt,
			    is_reason ? "--reason TEXT" : "--run-id ID");
		dst = is_reason ? r->reason : r->run_id;
		if (dst[0] != '\0')
			return bad(why, whylen, "%s is given twice; give it "
			    "once", opt);
		if (strlen(value) > ARG_MAX_LEN)
			return bad(why, whylen, "the argument is too long");
		if (is_reason && !reason_ok(value))
			return bad(why, whylen, "--reason \"%.80s\" is not a "
			    "reason cutover records: printable ASCII and "
			    "spaces, not blank, at most %d bytes (a ticket: "
			    "--reason \"CHG-1234 move to nginx\")", value,
			    REQUEST_REASON_MAX);
		if (is_run_id && !run_id_ok(value))
			return bad(why, whylen, "--run-id \"%.80s\" is not a "
			    "valid id: letters, digits, . _ : and -, starting "
			    "with a letter or digit, at most %d bytes", value,
			    REQUEST_RUN_ID_MAX);
		/* checked above: it fits, NUL included */
		memcpy(dst, value, strlen(value) + 1);
	}
	if (r->reason[0] != '\0')
		r->rq.reason = r->reason;
	return out;
}

static int
parse_action(int argc, char **argv, int i, struct cli_request *r,
    char *why, size_t whylen)
{
	size_t k;

	for (k = 0; k < sizeof(actions) / sizeof(actions[0]); k++)
		if (strcmp(argv[i], actions[k].name) == 0)
			break;
	if (k == sizeof(actions) / sizeof(actions[0]))
		return bad(why, whylen, "unknown command \"%.64s\"; see "
		    "cutover --help", argv[i]);
	r->cmd = CMD_ACTION;
	r->rq.action = actions[k].action;
	r->raw_target = i + 1 < argc ? argv[i + 1] : NULL;
	if (argc != i + 2) {
		snprintf(why, whylen, "%s takes %s: cutover %s%s %s",
		    actions[k].name, actions[k].what,
		    actions[k].action == ACT_VERIFY ? "" : "[-n] ",
		    actions[k].name, actions[k].action == ACT_FREE_PORT ?
		    "PORT" : actions[k].action == ACT_VERIFY ? "CHECK" :
		    actions[k].action == ACT_SWITCH ?
		    "[--format=text|json] PLAN" : "SERVICE");
		return -1;
	}
	if (strlen(argv[i + 1]) > ARG_MAX_LEN)
		return bad(why, whylen, "the argument is too long");
	if (r->rq.action == ACT_FREE_PORT) {
		if ((r->rq.port = port_from_string(argv[i + 1])) == -1)
			return bad(why, whylen, "\"%.64s\" is not a port number "
			    "(1-65535, digits only)", argv[i + 1]);
	} else if (!target_name_ok(argv[i + 1]))
		return bad(why, whylen, "\"%.80s\" is not a valid name (letters, "
		    "digits, _ and -, starting with a letter, at most 64)",
		    argv[i + 1]);
	if (r->dry_run && r->rq.action == ACT_VERIFY)
		return bad(why, whylen, "-n goes with free-port, start, stop "
		    "and switch; verify changes nothing");
	snprintf(r->target, sizeof(r->target), "%s", argv[i + 1]);
	r->rq.target = r->target;
	return 0;
}

static int
parse_format(const char *s, enum output_format *f)
{
	if (strcmp(s, "text") == 0)
		*f = FORMAT_TEXT;
	else if (strcmp(s, "nagios") == 0)
		*f = FORMAT_NAGIOS;
	else if (strcmp(s, "json") == 0)
		*f = FORMAT_JSON;
	else if (strcmp(s, "prometheus") == 0)
		*f = FORMAT_PROMETHEUS;
	else
		return -1;
	return 0;
}

/*
 * verify [--format=text|nagios|json|prometheus] [--textfile] CHECK: the
 * options before the name, each at most once.  Each is dropped from argv
 * as it is read, so parse_action sees "verify CHECK".
 */
static int
parse_verify(int argc, char **argv, int i, struct cli_request *r,
    char *why, size_t whylen)
{
	bool format_seen = false;

	r->cmd = CMD_ACTION;
	r->rq.action = ACT_VERIFY;
	while (i + 1 < argc && strncmp(argv[i + 1], "--", 2) == 0) {
		const char *opt = argv[i + 1];

		if (strncmp(opt, "--format=", 9) == 0 && !format_seen) {
			if (parse_format(opt + 9, &r->format) == -1)
				return bad(why, whylen, "--format=%.32s: use "
				    "text, nagios, json or prometheus", opt + 9);
			format_seen = true;
		} else if (strcmp(opt, "--textfile") == 0 && !r->textfile) {
			r->textfile = true;
		} else {
			return bad(why, whylen, "%.40s: verify takes "
			    "--format=FORMAT and --textfile, each at most "
			    "once, before the check's name", opt);
		}
		argv[i + 1] = argv[i];  /* drop the option, keep the shape */
		i++;
	}
	return parse_action(argc, argv, i, r, why, whylen);
}

int
request_parse(int argc, char **argv, struct cli_request *r, char *why,
    size_t whylen)
{
	int i = 1;

	memset(r, 0, sizeof(*r));
	r->cmd = CMD_HELP;
	r->raw_action = argc > 1 ? argv[1] : NULL;
	if (argc < 2) {
		snprintf(why, whylen, "no command; see cutover --help");
		return -1;
	}
	if (strcmp(argv[1], "policy") == 0) {
		r->cmd = CMD_POLICY;
		r->policy_argc = argc - 2;
		r->policy_argv = argv + 2;
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		return 0;
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		r->cmd = CMD_VERSION;
		return 0;
	}
	if ((argc = take_notes(argc, argv, 1, r, why, whylen)) == -1)
		return -1;
	r->raw_action = argc > 1 ? argv[1] : NULL;
	if (argc < 2)
		return bad(why, whylen, "no command; see cutover --help");
	if (strcmp(argv[1], "-n") == 0) {
		r->dry_run = true;
		i = 2;
		r->raw_action = argc > 2 ? argv[2] : NULL;
	}
	if (i < argc && (strcmp(argv[i], "list") == 0 ||
	    strcmp(argv[i], "-l") == 0)) {
		enum output_format f = FORMAT_TEXT;

		r->cmd = CMD_LIST;
		if (argc == i + 2 && strncmp(argv[i + 1], "--format=", 9) == 0 &&
		    (parse_format(argv[i + 1] + 9, &f) == -1 ||
		    (f != FORMAT_TEXT && f != FORMAT_JSON)))
			return bad(why, whylen, "--format=%.32s: list shows text "
			    "or json", argv[i + 1] + 9);
		if ((argc != i + 1 && (argc != i + 2 ||
		    strncmp(argv[i + 1], "--format=", 9) != 0)) || r->dry_run ||
		    r->reason[0] != '\0' || r->run_id[0] != '\0')
			return bad(why, whylen, "list takes no arguments but "
			    "--format=text|json");
		r->format = f;
		return 0;
	}
	if (i < argc && strcmp(argv[i], "recover") == 0) {
		r->cmd = CMD_RECOVER;
		r->boot = argc == i + 2 && strcmp(argv[i + 1], "--boot") == 0;
		if ((argc != i + 1 && !r->boot) || r->dry_run ||
		    r->reason[0] != '\0' || r->run_id[0] != '\0')
			return bad(why, whylen, "recover takes no arguments but "
			    "--boot");
		return 0;
	}
	if (i >= argc)
		return bad(why, whylen, "-n needs a command: cutover -n start "
		    "SERVICE");
	if (strcmp(argv[i], "verify") == 0)
		return parse_verify(argc, argv, i, r, why, whylen);
	if (strcmp(argv[i], "switch") == 0 && i + 1 < argc &&
	    strncmp(argv[i + 1], "--format=", 9) == 0) {
		/* switch [--format=text|json] PLAN: as verify's */
		enum output_format f;

		r->cmd = CMD_ACTION;
		r->rq.action = ACT_SWITCH;
		if (parse_format(argv[i + 1] + 9, &f) == -1 ||
		    (f != FORMAT_TEXT && f != FORMAT_JSON))
			return bad(why, whylen, "--format=%.32s: a switch "
			    "reports as text or json", argv[i + 1] + 9);
		r->format = f;
		argv[i + 1] = argv[i];
		return parse_action(argc, argv, i + 1, r, why, whylen);
	}
	return parse_action(argc, argv, i, r, why, whylen);
}
