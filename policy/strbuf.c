/*
 * strbuf.c - growing strings, JSON string escaping, and the one escaper
 * (and sink) of text for a terminal.
 *
 * Must never write past its buffer, emit invalid JSON, or pass a control
 * byte to a terminal, whatever bytes it is given: the audit log, explain
 * --format=json and every message on stdout and stderr depend on it.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/strbuf.h"

static int
sb_reserve(struct strbuf *sb, size_t extra)
{
	size_t need, cap;
	char *p;

	if (sb->failed)
		return -1;
	if (extra > SIZE_MAX - sb->len - 1)
		goto fail;
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 64;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			goto fail;
		cap *= 2;
	}
	if ((p = realloc(sb->s, cap)) == NULL)
		goto fail;
	sb->s = p;
	sb->cap = cap;
	return 0;
fail:
	sb->failed = true;
	return -1;
}

void
sb_append(struct strbuf *sb, const char *s, size_t n)
{
	if (sb_reserve(sb, n) == -1)
		return;
	memcpy(sb->s + sb->len, s, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void
sb_puts(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

void
sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sb_vprintf(sb, fmt, ap);
	va_end(ap);
}

void
sb_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	if (n < 0 || sb_reserve(sb, (size_t)n) == -1) {
		sb->failed = true;
		va_end(again);
		return;
	}
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, again);
	va_end(again);
	sb->len += (size_t)n;
}

/*
 * Length of the valid UTF-8 sequence at s (at most n bytes), or 0 when it
 * is not one: overlong forms, surrogates and code points above U+10FFFF
 * are invalid, as RFC 3629 says.
 */
static size_t
utf8_valid_len(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		len = 2; c = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3; c = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4; c = s[0] & 0x07; min = 0x10000;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

void
sb_json_string(struct strbuf *sb, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, len;
	uint32_t cp;

	sb_append(sb, "\"", 1);
	while (i < n) {
		len = utf8_valid_len(s + i, n - i, &cp);
		if (len == 0) {
			sb_puts(sb, "\\ufffd");
			i++;
			continue;
		}
		if (cp == '"')
			sb_puts(sb, "\\\"");
		else if (cp == '\\')
			sb_puts(sb, "\\\\");
		else if (cp == '\n')
			sb_puts(sb, "\\n");
		else if (cp == '\t')
			sb_puts(sb, "\\t");
		else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
		    cp == 0x2028 || cp == 0x2029)
			sb_printf(sb, "\\u%04x", (unsigned)cp);
		else
			sb_append(sb, (const char *)s + i, len);
		i += len;
	}
	sb_append(sb, "\"", 1);
}

void
sb_json_cstr(struct strbuf *sb, const char *s)
{
	if (s == NULL)
		sb_puts(sb, "null");
	else
		sb_json_string(sb, s, strlen(s));
}

/* The one terminal escaper: see strbuf.h. */
static void
printable_n(struct strbuf *sb, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		/* Bytes >= 0x80 too: U+009B (CSI) is a control in UTF-8. */
		if (c < 0x20 || c > 0x7e)
			sb_printf(sb, "\\x%02x", c);
		else
			sb_append(sb, s + i, 1);
	}
}

void
sb_printable(struct strbuf *sb, const char *s)
{
	printable_n(sb, s, strlen(s));
}

int
printable_fputs(const char *text, FILE *f)
{
	struct strbuf sb = STRBUF_INIT;
	const char *nl;
	int rc;

	while ((nl = strchr(text, '\n')) != NULL) {
		printable_n(&sb, text, (size_t)(nl - text));
		sb_append(&sb, "\n", 1);
		text = nl + 1;
	}
	printable_n(&sb, text, strlen(text));
	rc = sb_failed(&sb) ? EOF : fputs(sb_str(&sb), f);
	sb_free(&sb);
	return rc;
}

int
printable_line(FILE *f, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;
	char *text = NULL;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (rc == -1)
		return EOF;
	sb_printable(&sb, text);
	sb_append(&sb, "\n", 1);
	free(text);
	rc = sb_failed(&sb) ? EOF : fputs(sb_str(&sb), f);
	sb_free(&sb);
	return rc;
}

bool
sb_failed(const struct strbuf *sb)
{
	return sb->failed;
}

const char *
sb_str(const struct strbuf *sb)
{
	return sb->s ? sb->s : "";
}

void
sb_free(struct strbuf *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
	sb->failed = false;
}
