/*
 * json_check.c - see json_check.h.  A recursive-descent recogniser over a
 * byte range (never reads past LEN, needs no NUL terminator).
 */
#include <stdint.h>
#include <string.h>

#include "tests/fuzz/json_check.h"

#define JSON_DEPTH_MAX 64

struct jc {
	const unsigned char *s;
	size_t len, i;
	int depth;
	const char *why;
};

static bool value(struct jc *);

static bool
fail(struct jc *j, const char *why)
{
	if (j->why == NULL)
		j->why = why;
	return false;
}

static int
peek(const struct jc *j)
{
	return j->i < j->len ? j->s[j->i] : -1;
}

static void
space(struct jc *j)
{
	while (j->i < j->len && (j->s[j->i] == ' ' || j->s[j->i] == '\t' ||
	    j->s[j->i] == '\n' || j->s[j->i] == '\r'))
		j->i++;
}

static bool
literal(struct jc *j, const char *word)
{
	size_t n = strlen(word);

	if (j->len - j->i < n || memcmp(j->s + j->i, word, n) != 0)
		return fail(j, "true, false or null");
	j->i += n;
	return true;
}

static size_t
digits(struct jc *j)
{
	size_t start = j->i;

	while (j->i < j->len && j->s[j->i] >= '0' && j->s[j->i] <= '9')
		j->i++;
	return j->i - start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
number(struct jc *j)
{
	if (peek(j) == '-')
		j->i++;
	if (peek(j) == '0')
		j->i++;
	else if (peek(j) >= '1' && peek(j) <= '9')
		digits(j);
	else
		return fail(j, "a digit");
	if (peek(j) == '.') {
		j->i++;
		if (digits(j) == 0)
			return fail(j, "a digit after the decimal point");
	}
	if (peek(j) == 'e' || peek(j) == 'E') {
		j->i++;
		if (peek(j) == '+' || peek(j) == '-')
			j->i++;
		if (digits(j) == 0)
			return fail(j, "a digit in the exponent");
	}
	return true;
}

static int
hex4(struct jc *j)
{
	int v = 0, k, c;

	if (j->len - j->i < 4)
		return -1;
	for (k = 0; k < 4; k++) {
		c = j->s[j->i + k];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	j->i += 4;
	return v;
}

/* One UTF-8 sequence (RFC 3629) starting at j->i, not ASCII. */
static bool
utf8(struct jc *j)
{
	const unsigned char *p = j->s + j->i;
	size_t n, k, left = j->len - j->i;
	uint32_t c, min;

	if ((p[0] & 0xe0) == 0xc0) {
		n = 2; c = p[0] & 0x1f; min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3; c = p[0] & 0x0f; min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		n = 4; c = p[0] & 0x07; min = 0x10000;
	} else
		return fail(j, "valid UTF-8 (bad lead byte)");
	if (n > left)
		return fail(j, "valid UTF-8 (truncated sequence)");
	for (k = 1; k < n; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return fail(j, "valid UTF-8 (bad continuation byte)");
		c = (c << 6) | (p[k] & 0x3f);
	}
	if (c < min)
		return fail(j, "valid UTF-8 (overlong form)");
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return fail(j, "valid UTF-8 (surrogate or beyond U+10FFFF)");
	j->i += n;
	return true;
}

static bool
string(struct jc *j)
{
	int c, u, lo;

	if (peek(j) != '"')
		return fail(j, "a string");
	j->i++;
	for (;;) {
		if ((c = peek(j)) == -1)
			return fail(j, "the closing quote of a string");
		if (c == '"') {
			j->i++;
			return true;
		}
		if (c < 0x20)
			return fail(j, "no raw control character in a string");
		if (c >= 0x80) {
			if (!utf8(j))
				return false;
			continue;
		}
		j->i++;
		if (c != '\\')
			continue;
		c = peek(j);
		if (c != -1 && strchr("\"\\/bfnrt", c) != NULL) {
			j->i++;
			continue;
		}
		if (c != 'u')
			return fail(j, "an escape RFC 8259 allows");
		j->i++;
		if ((u = hex4(j)) < 0)
			return fail(j, "four hex digits after \\u");
		if (u >= 0xdc00 && u <= 0xdfff)
			return fail(j, "no lone low surrogate");
		if (u >= 0xd800 && u <= 0xdbff) {
			if (j->len - j->i < 2 || j->s[j->i] != '\\' ||
			    j->s[j->i + 1] != 'u')
				return fail(j, "a low surrogate after a high one");
			j->i += 2;
			if ((lo = hex4(j)) < 0xdc00 || lo > 0xdfff)
				return fail(j, "a low surrogate after a high one");
		}
	}
}

/* Members of an object or elements of an array; the opener is consumed. */
static bool
container(struct jc *j, int close)
{
	bool object = close == '}';

	space(j);
	if (peek(j) == close) {
		j->i++;
		return true;
	}
	for (;;) {
		space(j);
		if (object) {
			if (!string(j))
				return false;
			space(j);
			if (peek(j) != ':')
				return fail(j, "':' after a key");
			j->i++;
		}
		if (!value(j))
			return false;
		space(j);
		if (peek(j) == close) {
			j->i++;
			return true;
		}
		if (peek(j) != ',')
			return fail(j, object ? "',' or '}'" : "',' or ']'");
		j->i++;
	}
}

static bool
value(struct jc *j)
{
	bool ok;
	int c;

	space(j);
	if (++j->depth > JSON_DEPTH_MAX)
		return fail(j, "nesting no deeper than 64");
	switch ((c = peek(j))) {
	case '{':
	case '[':
		j->i++;
		ok = container(j, c == '{' ? '}' : ']');
		break;
	case '"':
		ok = string(j);
		break;
	case 't':
		ok = literal(j, "true");
		break;
	case 'f':
		ok = literal(j, "false");
		break;
	case 'n':
		ok = literal(j, "null");
		break;
	default:
		ok = (c == '-' || (c >= '0' && c <= '9')) ? number(j) :
		    fail(j, "a JSON value");
		break;
	}
	j->depth--;
	return ok;
}

bool
json_check(const char *s, size_t len, size_t *where, const char **why)
{
	struct jc j = { (const unsigned char *)s, len, 0, 0, NULL };
	bool ok;

	ok = value(&j);
	if (ok) {
		space(&j);
		if (j.i != j.len)
			ok = fail(&j, "nothing after the JSON value");
	}
	if (where != NULL)
		*where = j.i;
	if (why != NULL)
		*why = ok ? NULL : j.why;
	return ok;
}
