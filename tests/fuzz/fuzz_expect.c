/*
 * fuzz_expect.c - the libFuzzer target for policy expectations
 * (policy/expect.c): the input is an expectations file, any bytes, checked
 * against a fixed policy (users and groups, a port, two services, a check,
 * a plan) as `cutover policy test FILE --expect` checks it.
 *
 * Whatever the input, it checks that
 *   - policy_expect succeeds, and no more lines fail than were read;
 *   - every message starts "expect:LINE: ", lines in order, and each
 *     failing line has at least one message;
 *   - lines are independent: the failures of the file are the sum of the
 *     failures of each of its lines checked alone;
 *   - "may" and "may-not" of the same SUBJECT ACTION TARGET never both
 *     hold (a line with " may " is checked again with " may-not ").
 * A broken invariant prints what broke and calls abort().
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/expect.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 16384

static const char policy_text[] =
    "services = {\n"
    "  apache2 = { exe = \"/usr/sbin/apache2\"; user = \"www-data\";\n"
    "    start = [\"/usr/sbin/apache2ctl\", \"start\"]; ports = [8080]; };\n"
    "  nginx = { exe = \"/usr/sbin/nginx\"; user = \"nginx\";\n"
    "    start = [\"/usr/sbin/nginx\"]; ports = [8080]; };\n"
    "};\n"
    "ports = ( { port = 8080; holders = [\"apache2\", \"nginx\"]; } );\n"
    "checks = { homepage = { url = \"http://127.0.0.1:8080/\"; }; };\n"
    "plans = { newsite = { port = 8080; from = \"apache2\"; to = \"nginx\";\n"
    "  verify = [\"homepage\"]; }; };\n"
    "rules = (\n"
    "  { users = [\"deploy\"]; switch = [\"newsite\"]; start = [\"nginx\"]; },\n"
    "  { groups = [\"ops\"]; free = [8080]; stop = [\"nginx\", \"apache2\"]; },\n"
    "  { groups = [\"ci\"]; verify = [\"homepage\"]; }\n"
    ");\n";

static const char *input;           /* for the message of broken() */

static void broken(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
broken(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz_expect: invariant broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ninput: %s\n", input ? input : "(none)");
	abort();
}

#define CHECK(cond, ...) do { if (!(cond)) broken(__VA_ARGS__); } while (0)

static const struct policy *
the_policy(void)
{
	static struct policy *p;
	static struct policy_texts t;
	struct diags d = { 0 };

	if (p != NULL)
		return p;
	t.v[0].name = strdup("policy.conf");
	t.v[0].text = strdup(policy_text);
	t.v[0].len = strlen(policy_text);
	t.v[0].main = true;
	t.n = 1;
	if ((p = policy_build(&t, &d)) == NULL)
		broken("the fixed policy does not build: %s", d.n ? d.v[0].msg : "?");
	diags_free(&d);
	return p;
}

/* Failures of TEXT[0..LEN), with OUT's messages checked. */
static size_t
failures(const char *text, size_t len, size_t *lines)
{
	struct strbuf out = STRBUF_INIT;
	struct expect_result res;
	const char *m, *nl;
	unsigned long no, last = 0;
	size_t msgs = 0;

	CHECK(policy_expect(the_policy(), "expect", text, len, &out, &res) == 0,
	    "policy_expect failed");
	CHECK(res.failed <= res.lines, "%zu failed of %zu", res.failed,
	    res.lines);
	for (m = sb_str(&out); *m != '\0'; m = nl + 1, msgs++) {
		CHECK((nl = strchr(m, '\n')) != NULL, "a message without '\\n'");
		CHECK(sscanf(m, "expect:%lu: ", &no) == 1 && no >= last,
		    "message \"%.*s\"", (int)(nl - m), m);
		last = no;
	}
	CHECK(msgs >= res.failed, "%zu messages for %zu failures", msgs,
	    res.failed);
	sb_free(&out);
	*lines = res.lines;
	return res.failed;
}

/* The line again with its first " may " as " may-not ": one must fail. */
static void
check_complement(const char *line, size_t len)
{
	char flipped[MAX_INPUT + 8];
	const char *may = memmem(line, len, " may ", 5);
	size_t at, n, f1, f2;

	if (may == NULL || memchr(line, '#', len) != NULL)
		return;
	at = (size_t)(may - line);
	memcpy(flipped, line, at);
	memcpy(flipped + at, " may-not ", 9);
	memcpy(flipped + at + 9, may + 5, len - at - 5);
	f1 = failures(line, len, &n);
	f2 = failures(flipped, len + 4, &n);
	CHECK(f1 + f2 >= 1, "both \"may\" and \"may-not\" hold");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *end, *line, *nl;
	size_t lines, total, sum = 0, n;
	char *copy;

	if (size > MAX_INPUT)
		return 0;
	if ((copy = malloc(size + 1)) == NULL)
		broken("out of memory");
	memcpy(copy, data, size);
	copy[size] = '\0';
	input = copy;
	total = failures(text, size, &lines);
	for (line = text, end = text + size; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		sum += failures(line, (size_t)(nl - line), &n);
		check_complement(line, (size_t)(nl - line));
	}
	CHECK(sum == total, "the file fails %zu, its lines alone %zu", total,
	    sum);
	input = NULL;
	free(copy);
	return 0;
}
