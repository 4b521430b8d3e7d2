/*
 * fuzz_logread.c - the libFuzzer target for `cutover log`'s reader: the
 * input is an audit file, any bytes (root wrote it, but the reader treats
 * it as input).  Each line goes through logrec_parse (helper/log/logrec.c),
 * and the walk through chain_walk_line (helper/record/chain.c), as
 * `cutover log` and `cutover log --verify` do.
 *
 * Whatever the input, it checks that
 *   - a line the strict validator (json_check.c) takes as one object,
 *     nested at most LOGREC_DEPTH deep, without a raw NUL, and with no
 *     member of ours twice, is a record; a record is JSON that validator
 *     takes, but for the UTF-8 and number spellings it does not check;
 *   - a record's text (logrec_render, both kinds) is printable ASCII only:
 *     no byte of a file reaches a terminal raw;
 *   - each string member decodes within its cap, and a record matches a
 *     filter made of its own user, action, target, outcome, txid and time
 *     (when those decode whole, without a NUL);
 *   - the chain walk gives the same verdicts twice, and a line whose
 *     "prev" is the line before's hash links.
 * A broken invariant prints what broke and calls abort().
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/log/logrec.h"
#include "helper/record/chain.h"
#include "tests/fuzz/json_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES 256

static void broken(const char *line, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));

static void
broken(const char *line, size_t len, const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz_logread: invariant broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nline: %.*s\n", (int)len, line);
	abort();
}

#define CHECK(cond, ...) do { if (!(cond)) broken(line, len, __VA_ARGS__); } while (0)

/* Nesting of the JSON LINE (strings skipped), or SIZE_MAX on a stray. */
static size_t
depth_of(const char *line, size_t len)
{
	size_t i, d = 0, most = 0;
	bool in_string = false;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (line[i] == '\\')
				i++;
			else if (line[i] == '"')
				in_string = false;
		} else if (line[i] == '"')
			in_string = true;
		else if (line[i] == '{' || line[i] == '[')
			most = ++d > most ? d : most;
		else if ((line[i] == '}' || line[i] == ']') && d > 0)
			d--;
	}
	return most;
}

/* Does "KEY": appear twice at the top level?  (Roughly: anywhere.) */
static bool
repeats_a_key(const char *line, size_t len)
{
	static const char *const keys[] = { "\"time\"", "\"txid\"",
	    "\"stage\"", "\"step\"", "\"user\"", "\"action\"", "\"target\"",
	    "\"dry_run\"", "\"decision\"", "\"reason\"", "\"outcome\"",
	    "\"duration\"" };
	size_t k, n;
	const char *p;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		for (n = 0, p = line; (p = memmem(p, len - (size_t)(p - line),
		    keys[k], strlen(keys[k]))) != NULL; p++)
			n++;
		if (n > 1)
			return true;
	}
	return false;
}

static void
check_printable(const char *line, size_t len, const struct strbuf *sb)
{
	size_t i;

	CHECK(!sb_failed(sb), "render failed");
	for (i = 0; i < sb->len; i++)
		CHECK(sb->s[i] >= 0x20 && sb->s[i] < 0x7f,
		    "byte 0x%02x in the text", (unsigned char)sb->s[i]);
}

/* V's text, when it decodes whole without a NUL; NULL otherwise. */
static const char *
whole(const struct logval *v, char *buf, size_t bufsz)
{
	logrec_text(v, buf, bufsz);
	if (strlen(buf) >= bufsz - 4 || v->kind != LV_STRING ||
	    memchr(v->at, '\\', v->len) != NULL)
		return NULL;
	return buf;
}

static void
check_record(const char *line, size_t len, const struct logrec *r)
{
	char user[LOGREC_STR_MAX + 1], action[LOGREC_STR_MAX + 1],
	    target[LOGREC_STR_MAX + 1], txid[LOGREC_STR_MAX + 1],
	    outcome[LOGREC_STR_MAX + 1];
	struct logfilter f = { 0 };
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	logrec_render(r, false, &sb);
	check_printable(line, len, &sb);
	sb_free(&sb);
	logrec_render(r, true, &sb);
	check_printable(line, len, &sb);
	sb_free(&sb);
	for (i = 0; i < LK_COUNT; i++) {
		logrec_text(&r->v[i], user, sizeof(user));
		CHECK(strlen(user) <= LOGREC_STR_MAX, "member %zu too long", i);
	}
	f.user = whole(&r->v[LK_USER], user, sizeof(user));
	f.action = whole(&r->v[LK_ACTION], action, sizeof(action));
	f.target = whole(&r->v[LK_TARGET], target, sizeof(target));
	f.txid = whole(&r->v[LK_TXID], txid, sizeof(txid));
	logrec_outcome(r, outcome, sizeof(outcome));
	f.outcome = outcome;
	CHECK(logfilter_match(&f, r), "a record does not match its own "
	    "members");
}

static void
check_line(const char *line, size_t len)
{
	struct logrec r;
	bool parsed = logrec_parse(line, len, &r) == 0;
	bool valid = json_check(line, len, NULL, NULL);

	if (valid && len > 0 && memchr(line, '\0', len) == NULL &&
	    line[strspn(line, " \t\r\n")] == '{' &&
	    depth_of(line, len) <= LOGREC_DEPTH && !repeats_a_key(line, len))
		CHECK(parsed, "valid JSON object not taken as a record");
	if (parsed)
		check_record(line, len, &r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *end = text + size, *line, *nl;
	enum chain_verdict first[MAX_LINES];
	struct chain_walk a = CHAIN_WALK_INIT, b = CHAIN_WALK_INIT;
	char prev[CHAIN_HEX_SIZE], before[CHAIN_HEX_SIZE] = "";
	size_t n = 0, len;

	for (line = text; line < end && n < MAX_LINES; line = nl + 1, n++) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		len = (size_t)(nl - line);
		check_line(line, len);
		first[n] = chain_walk_line(&a, line, len);
		if (n > 0 && chain_prev_of(line, len, prev) &&
		    strcmp(prev, before) == 0)
			CHECK(first[n] == CHAIN_LINKED, "a line whose prev is "
			    "the hash before it does not link (%d)", first[n]);
		chain_line_hash(line, len, before);
	}
	for (line = text, n = 0; line < end && n < MAX_LINES; line = nl + 1,
	    n++) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		len = (size_t)(nl - line);
		CHECK(chain_walk_line(&b, line, len) == first[n],
		    "the walk differs the second time");
	}
	return 0;
}
