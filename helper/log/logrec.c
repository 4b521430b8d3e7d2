/*
 * logrec.c - an audit record read back (logrec.h): a small strict JSON
 * reader that keeps only the members `cutover log` needs, their decoding,
 * the filters and the text of a transaction.
 *
 * Rules this file keeps:
 * - no byte of the line is trusted: every read is bounded by its end, and
 *   nesting by LOGREC_DEPTH (no recursion a line could deepen);
 * - text for a terminal goes through sb_printable, the project's one
 *   escaper: a record cannot move the reader's cursor.
 */
#include <stdio.h>
#include <string.h>

#include "helper/log/logrec.h"

static const char *const key_names[LK_COUNT] = {
	[LK_TIME] = "time", [LK_TXID] = "txid", [LK_STAGE] = "stage",
	[LK_STEP] = "step", [LK_USER] = "user", [LK_ACTION] = "action",
	[LK_TARGET] = "target", [LK_DRY_RUN] = "dry_run",
	[LK_DECISION] = "decision", [LK_REASON] = "reason",
	[LK_OUTCOME] = "outcome", [LK_DURATION] = "duration",
	[LK_RUN_ID] = "run_id", [LK_CALLER_REASON] = "caller_reason",
};

/* ---- the reader ---------------------------------------------------------- */

struct cursor {
	const char *p, *end;
};

static void
skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
	    *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static bool
is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	    (ch >= 'A' && ch <= 'F');
}

/* A string at c->p (its '"'): its inner bytes into V, c->p past it. */
static bool
read_string(struct cursor *c, struct logval *v)
{
	const char *s;

	if (c->p >= c->end || *c->p != '"')
		return false;
	s = ++c->p;
	while (c->p < c->end && *c->p != '"') {
		if ((unsigned char)*c->p < 0x20)
			return false;
		if (*c->p == '\\') {
			if (++c->p >= c->end)
				return false;
			if (*c->p == 'u') {
				if (c->end - c->p < 5 || !is_hex(c->p[1]) ||
				    !is_hex(c->p[2]) || !is_hex(c->p[3]) ||
				    !is_hex(c->p[4]))
					return false;
				c->p += 4;
			} else if (strchr("\"\\/bfnrt", *c->p) == NULL ||
			    *c->p == '\0')
				return false;
		}
		c->p++;
	}
	if (c->p >= c->end)
		return false;
	v->kind = LV_STRING;
	v->at = s;
	v->len = (size_t)(c->p - s);
	c->p++;
	return true;
}

static bool
read_word(struct cursor *c, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* A JSON number, loosely (its characters); at least one digit. */
static bool
read_number(struct cursor *c)
{
	const char *s = c->p;
	bool digit = false;

	while (c->p < c->end && strchr("+-.eE0123456789", *c->p) != NULL &&
	    *c->p != '\0') {
		digit |= *c->p >= '0' && *c->p <= '9';
		c->p++;
	}
	return c->p > s && digit;
}

/*
 * Past one array or object at c->p, its nesting counted in a stack of
 * closers (no recursion): strings skipped whole, the rest by characters.
 */
static bool
skip_nested(struct cursor *c)
{
	char closers[LOGREC_DEPTH];
	struct logval ignored;
	size_t depth = 0;

	while (c->p < c->end) {
		char ch = *c->p;

		if (ch == '"') {
			if (!read_string(c, &ignored))
				return false;
			continue;
		}
		if (ch == '[' || ch == '{') {
			if (depth == LOGREC_DEPTH)
				return false;
			closers[depth++] = ch == '[' ? ']' : '}';
		} else if (ch == ']' || ch == '}') {
			if (depth == 0 || closers[--depth] != ch)
				return false;
			if (depth == 0) {
				c->p++;
				return true;
			}
		} else if ((unsigned char)ch < 0x20 && ch != ' ' && ch != '\t' &&
		    ch != '\r' && ch != '\n')
			return false;
		c->p++;
	}
	return false;
}

/* One value into V (kind and, for a string, its bytes). */
static bool
read_value(struct cursor *c, struct logval *v)
{
	const char *s = c->p;

	if (c->p >= c->end)
		return false;
	if (*c->p == '"')
		return read_string(c, v);
	v->kind = LV_OTHER;
	if (read_word(c, "null")) {
		v->kind = LV_NULL;
		return true;
	}
	if (read_word(c, "true") || read_word(c, "false"))
		;
	else if (*c->p == '[' || *c->p == '{') {
		if (!skip_nested(c))
			return false;
	} else if (!read_number(c))
		return false;
	v->at = s;
	v->len = (size_t)(c->p - s);
	return true;
}

static int
key_index(const struct logval *k)
{
	int i;

	for (i = 0; i < LK_COUNT; i++)
		if (strlen(key_names[i]) == k->len &&
		    memcmp(key_names[i], k->at, k->len) == 0)
			return i;
	return -1;
}

/* "KEY": VALUE, kept when KEY is one of ours (a second time: -1). */
static bool
read_member(struct cursor *c, struct logrec *rec)
{
	struct logval key, val;
	int k;

	skip_ws(c);
	if (!read_string(c, &key))
		return false;
	skip_ws(c);
	if (c->p >= c->end || *c->p++ != ':')
		return false;
	skip_ws(c);
	if (!read_value(c, &val))
		return false;
	if ((k = key_index(&key)) == -1)
		return true;
	if (rec->v[k].kind != LV_ABSENT)
		return false;
	rec->v[k] = val;
	return true;
}

int
logrec_parse(const char *line, size_t len, struct logrec *rec)
{
	struct cursor c = { line, line + len };

	memset(rec, 0, sizeof(*rec));
	skip_ws(&c);
	if (c.p >= c.end || *c.p++ != '{')
		return -1;
	skip_ws(&c);
	if (c.p < c.end && *c.p == '}')
		c.p++;
	else
		for (;;) {
			if (!read_member(&c, rec))
				return -1;
			skip_ws(&c);
			if (c.p < c.end && *c.p == ',') {
				c.p++;
				continue;
			}
			if (c.p >= c.end || *c.p++ != '}')
				return -1;
			break;
		}
	skip_ws(&c);
	return c.p == c.end ? 0 : -1;
}

/* ---- decoding ------------------------------------------------------------ */

static unsigned
hex4(const char *p)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char ch = p[i];

		v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' :
		    (ch | 0x20) - 'a' + 10);
	}
	return v;
}

static size_t
utf8_of(unsigned cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/*
 * The \u escape at S (N bytes left, read_string checked its 4 digits), a
 * surrogate pair joined: its UTF-8 into O; *USED gets the bytes read.
 */
static size_t
unicode_escape(const char *s, size_t n, char *o, size_t *used)
{
	unsigned cp = hex4(s + 2), lo;

	*used = 6;
	if (cp >= 0xd800 && cp <= 0xdbff && n >= 12 && s[6] == '\\' &&
	    s[7] == 'u' && (lo = hex4(s + 8)) >= 0xdc00 && lo <= 0xdfff) {
		*used = 12;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xd800 && cp <= 0xdfff)
		cp = 0xfffd;
	return utf8_of(cp, o);
}

/* One character of V at I: its bytes into O; *USED: the bytes read. */
static size_t
decode_one(const struct logval *v, size_t i, char *o, size_t *used)
{
	static const char from[] = "bfnrt", to[] = "\b\f\n\r\t";
	const char *s = v->at + i, *k;

	*used = 1;
	if (*s != '\\' || i + 1 >= v->len) {
		o[0] = *s;
		return 1;
	}
	if (s[1] == 'u' && i + 6 <= v->len)
		return unicode_escape(s, v->len - i, o, used);
	*used = 2;
	k = strchr(from, s[1]);
	if (k != NULL && s[1] != '\0')
		o[0] = to[k - from];
	else
		o[0] = s[1];
	return 1;
}

void
logrec_text(const struct logval *v, char *out, size_t outsz)
{
	size_t n = 0, i = 0, used, got;
	char one[4];

	if (outsz == 0)
		return;
	while (v->kind == LV_STRING && i < v->len) {
		got = decode_one(v, i, one, &used);
		if (n + got > outsz - 1)
			break;
		memcpy(out + n, one, got);
		n += got;
		i += used;
	}
	out[n] = '\0';
}

bool
logrec_is(const struct logval *v, const char *s)
{
	char text[LOGREC_STR_MAX + 1];

	if (v->kind != LV_STRING)
		return false;
	if (memchr(v->at, '\\', v->len) == NULL)
		return v->len == strlen(s) && memcmp(v->at, s, v->len) == 0;
	logrec_text(v, text, sizeof(text));
	return strcmp(text, s) == 0;
}

/* ---- transactions and filters -------------------------------------------- */

/*
 * An allowed request that no outcome follows: a dry run (-n) and list do
 * nothing, so their request is the whole transaction (audit.h).
 */
static bool
ends_at_request(const struct logrec *r)
{
	return !logrec_is(&r->v[LK_DECISION], "allow") ||
	    (r->v[LK_DRY_RUN].kind == LV_OTHER && r->v[LK_DRY_RUN].len == 4 &&
	    memcmp(r->v[LK_DRY_RUN].at, "true", 4) == 0) ||
	    logrec_is(&r->v[LK_ACTION], "list");
}

enum logrole
logrec_role(const struct logrec *r)
{
	if (logrec_is(&r->v[LK_STAGE], "outcome"))
		return ROLE_TRANSACTION;
	if (logrec_is(&r->v[LK_STAGE], "step"))
		return ROLE_STEP;
	if (!logrec_is(&r->v[LK_STAGE], "request"))
		return ROLE_OTHER;
	return ends_at_request(r) ? ROLE_TRANSACTION : ROLE_REQUEST;
}

void
logrec_outcome(const struct logrec *r, char *out, size_t outsz)
{
	const char *word = "";

	if (r->v[LK_OUTCOME].kind == LV_STRING) {
		logrec_text(&r->v[LK_OUTCOME], out, outsz);
		return;
	}
	if (logrec_is(&r->v[LK_STAGE], "request"))
		word = logrec_is(&r->v[LK_DECISION], "allow") ? "allowed" :
		    logrec_is(&r->v[LK_DECISION], "deny") ? "refused" : "error";
	snprintf(out, outsz, "%s", word);
}

/* Does V's decoded text start with PREFIX? */
static bool
starts_with(const struct logval *v, const char *prefix)
{
	char text[LOGREC_STR_MAX + 1];

	logrec_text(v, text, sizeof(text));
	return v->kind == LV_STRING &&
	    strncmp(text, prefix, strlen(prefix)) == 0;
}

/* Is NEEDLE in V's decoded text? */
static bool
holds(const struct logval *v, const char *needle)
{
	char text[LOGREC_STR_MAX + 1];

	logrec_text(v, text, sizeof(text));
	return v->kind == LV_STRING && strstr(text, needle) != NULL;
}

/* The record's time against --since (SIGN 1) or --until (SIGN -1). */
static bool
time_within(const struct logval *v, const char *bound, int sign)
{
	char text[64];
	int cmp;

	if (bound == NULL)
		return true;
	if (v->kind != LV_STRING)
		return false;
	logrec_text(v, text, sizeof(text));
	cmp = strncmp(text, bound, strlen(bound));
	return sign > 0 ? cmp >= 0 : cmp <= 0;
}

static bool
outcome_is(const struct logrec *r, const char *want)
{
	char got[LOGREC_STR_MAX + 1];

	logrec_outcome(r, got, sizeof(got));
	return strcmp(got, want) == 0;
}

bool
logfilter_match(const struct logfilter *f, const struct logrec *r)
{
	return (f->user == NULL || logrec_is(&r->v[LK_USER], f->user)) &&
	    (f->action == NULL || logrec_is(&r->v[LK_ACTION], f->action)) &&
	    (f->target == NULL || logrec_is(&r->v[LK_TARGET], f->target)) &&
	    (f->outcome == NULL || outcome_is(r, f->outcome)) &&
	    (f->txid == NULL || starts_with(&r->v[LK_TXID], f->txid)) &&
	    (f->run_id == NULL || logrec_is(&r->v[LK_RUN_ID], f->run_id)) &&
	    (f->reason == NULL || holds(&r->v[LK_CALLER_REASON], f->reason)) &&
	    time_within(&r->v[LK_TIME], f->since, 1) &&
	    time_within(&r->v[LK_TIME], f->until, -1);
}

bool
logfilter_time_ok(const char *s)
{
	static const char shape[] = "0000-00-00T00:00:00";
	size_t i, n = strlen(s);

	/* whole fields only: "2026-12-7" would compare as the 70th */
	if (n == 0 || n > sizeof(shape) - 1 || (n < sizeof(shape) - 1 &&
	    shape[n] == '0'))
		return false;
	for (i = 0; i < n; i++)
		if (shape[i] == '0' ? (s[i] < '0' || s[i] > '9') :
		    s[i] != shape[i])
			return false;
	return true;
}

/* ---- text ---------------------------------------------------------------- */

/* " KEY's text" when it is a non-empty string. */
static void
put_word(struct strbuf *sb, const struct logrec *r, enum logkey k,
    const char *before)
{
	char text[LOGREC_STR_MAX + 1];

	logrec_text(&r->v[k], text, sizeof(text));
	if (text[0] != '\0')
		sb_printf(sb, "%s%s", before, text);
}

/* ": OUTCOME[: REASON][, D s]": the reason unless it went well. */
static void
put_result(struct strbuf *sb, const struct logrec *r)
{
	char outcome[64];

	logrec_outcome(r, outcome, sizeof(outcome));
	sb_printf(sb, ": %s", outcome[0] != '\0' ? outcome : "?");
	if (strcmp(outcome, "ok") != 0)
		put_word(sb, r, LK_REASON, ": ");
	if (r->v[LK_DURATION].kind == LV_OTHER && r->v[LK_DURATION].len < 32)
		sb_printf(sb, ", %.*s s", (int)r->v[LK_DURATION].len,
		    r->v[LK_DURATION].at);
}

void
logrec_render(const struct logrec *r, bool step, struct strbuf *out)
{
	struct strbuf line = STRBUF_INIT;
	char txid[9], run_id[LOGREC_STR_MAX + 1];

	if (step) {
		sb_puts(&line, "    step");
		put_word(&line, r, LK_STEP, " ");
	} else {
		put_word(&line, r, LK_TIME, "");
		put_word(&line, r, LK_USER, " ");
		if (r->v[LK_DRY_RUN].kind == LV_OTHER &&
		    r->v[LK_DRY_RUN].len == 4 &&
		    memcmp(r->v[LK_DRY_RUN].at, "true", 4) == 0)
			sb_puts(&line, " -n");
		put_word(&line, r, LK_ACTION, " ");
		put_word(&line, r, LK_TARGET, " ");
	}
	put_result(&line, r);
	logrec_text(&r->v[LK_TXID], txid, sizeof(txid));
	if (!step && txid[0] != '\0')
		sb_printf(&line, ", txid %s", txid);
	logrec_text(&r->v[LK_RUN_ID], run_id, sizeof(run_id));
	if (!step && run_id[0] != '\0')
		sb_printf(&line, ", run %s", run_id);
	if (sb_failed(&line))
		out->failed = true;
	else
		sb_printable(out, sb_str(&line));
	sb_free(&line);
}
