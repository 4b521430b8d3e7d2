/*
 * test_strbuf.c - the growing string and the JSON escaper: whatever bytes
 * go in, one valid JSON string literal comes out.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/strbuf.h"

static const char *
json_of(struct strbuf *sb, const char *s, size_t n)
{
	sb_free(sb);
	sb_json_string(sb, s, n);
	ck_assert(!sb_failed(sb));
	return sb_str(sb);
}

START_TEST(appends_and_formats)
{
	struct strbuf sb = STRBUF_INIT;
	int i;

	ck_assert_str_eq(sb_str(&sb), "");
	sb_puts(&sb, "port ");
	sb_printf(&sb, "%d of %s", 8080, "apache2");
	ck_assert_str_eq(sb_str(&sb), "port 8080 of apache2");
	for (i = 0; i < 10000; i++)
		sb_puts(&sb, "x");
	ck_assert_uint_eq(sb.len, strlen("port 8080 of apache2") + 10000);
	ck_assert_uint_eq(strlen(sb_str(&sb)), sb.len);
	sb_free(&sb);
}
END_TEST

START_TEST(escapes_quotes_and_controls)
{
	struct strbuf sb = STRBUF_INIT;

	ck_assert_str_eq(json_of(&sb, "a\"b\\c", 5), "\"a\\\"b\\\\c\"");
	ck_assert_str_eq(json_of(&sb, "l1\nl2\r\t", 7), "\"l1\\nl2\\u000d\\t\"");
	ck_assert_str_eq(json_of(&sb, "\x1b[31m", 5), "\"\\u001b[31m\"");
	ck_assert_str_eq(json_of(&sb, "a\0b", 3), "\"a\\u0000b\"");
	ck_assert_str_eq(json_of(&sb, "\x7f", 1), "\"\\u007f\"");
	sb_free(&sb);
}
END_TEST

START_TEST(keeps_utf8_and_replaces_invalid)
{
	struct strbuf sb = STRBUF_INIT;

	ck_assert_str_eq(json_of(&sb, "caf\xc3\xa9", 5), "\"caf\xc3\xa9\"");
	/* lone continuation byte, overlong '/', surrogate, truncated */
	ck_assert_str_eq(json_of(&sb, "\x80", 1), "\"\\ufffd\"");
	ck_assert_str_eq(json_of(&sb, "\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
	ck_assert_str_eq(json_of(&sb, "\xed\xa0\x80", 3),
	    "\"\\ufffd\\ufffd\\ufffd\"");
	ck_assert_str_eq(json_of(&sb, "\xe2\x82", 2), "\"\\ufffd\\ufffd\"");
	/* U+2028 would end a line in JavaScript: escaped */
	ck_assert_str_eq(json_of(&sb, "\xe2\x80\xa8", 3), "\"\\u2028\"");
	sb_free(&sb);
}
END_TEST

START_TEST(null_is_json_null)
{
	struct strbuf sb = STRBUF_INIT;

	sb_json_cstr(&sb, NULL);
	ck_assert_str_eq(sb_str(&sb), "null");
	sb_free(&sb);
}
END_TEST

/* C1 controls (U+0080..U+009F, CSI among them) are controls on a UTF-8
 * terminal: escaped, so explain and verify --format=json carry none. */
START_TEST(json_escapes_c1_controls)
{
	struct strbuf sb = STRBUF_INIT;

	ck_assert_str_eq(json_of(&sb, "\xc2\x9b" "2J", 4), "\"\\u009b2J\"");
	ck_assert_str_eq(json_of(&sb, "\xc2\x80\xc2\x9f\xc2\xa0", 6),
	    "\"\\u0080\\u009f\xc2\xa0\"");
	sb_free(&sb);
}
END_TEST

static const char *
printable_of(struct strbuf *sb, const char *s)
{
	sb_free(sb);
	sb_printable(sb, s);
	ck_assert(!sb_failed(sb));
	return sb_str(sb);
}

/* Every byte outside 0x20..0x7e, and nothing else, becomes \xNN. */
START_TEST(printable_escapes_outside_printable_ascii)
{
	struct strbuf sb = STRBUF_INIT;
	char all[256], want[4 * 256 + 1], *w = want;
	int c;

	ck_assert_str_eq(printable_of(&sb, "\x1b]0;pwned\a\x1b[2J"),
	    "\\x1b]0;pwned\\x07\\x1b[2J");
	ck_assert_str_eq(printable_of(&sb, "a\nb\tc\rd\x7f\xc2\x9b"),
	    "a\\x0ab\\x09c\\x0dd\\x7f\\xc2\\x9b");
	ck_assert_str_eq(printable_of(&sb, " ~ plain, \"quoted\" \\x41"),
	    " ~ plain, \"quoted\" \\x41");
	for (c = 1; c < 256; c++) {
		all[c - 1] = (char)c;
		w += c >= 0x20 && c <= 0x7e ? sprintf(w, "%c", c) :
		    sprintf(w, "\\x%02x", c);
	}
	all[255] = '\0';
	ck_assert_str_eq(printable_of(&sb, all), want);
	sb_free(&sb);
}
END_TEST

/* Its output is its own fixed point: a line may pass two sinks. */
START_TEST(printable_is_idempotent)
{
	static const char *const in[] = { "\x1b]0;pwned\a\x1b[2J", "\n\n",
	    "caf\xc3\xa9 \\x1b", "" };
	struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		sb_printable(&once, in[i]);
		sb_printable(&twice, sb_str(&once));
		ck_assert_str_eq(sb_str(&twice), sb_str(&once));
		sb_free(&once);
		sb_free(&twice);
	}
}
END_TEST

/* What a sink writes, through a memory stream. */
static char *
sunk(int (*write_it)(FILE *, const char *), const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_ne(write_it(f, text), EOF);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

static int
lines_of(FILE *f, const char *text)
{
	return printable_fputs(text, f);
}

static int
one_line(FILE *f, const char *text)
{
	return printable_line(f, "cutover: %s", text);
}

START_TEST(sinks_escape_and_keep_only_their_newlines)
{
	char *out;

	/* A rendered text keeps its lines, escapes inside them. */
	out = sunk(lines_of, "a\x1b[2J\nb\a\n\nc");
	ck_assert_str_eq(out, "a\\x1b[2J\nb\\x07\n\nc");
	free(out);
	/* A message is one line, whatever it quotes. */
	out = sunk(one_line, "held by /tmp/x\nX0\x1b]0;t\a");
	ck_assert_str_eq(out, "cutover: held by /tmp/x\\x0aX0\\x1b]0;t\\x07\n");
	free(out);
	/* Idempotent through the sinks too. */
	out = sunk(lines_of, "a\\x1b[2J\nb\\x07");
	ck_assert_str_eq(out, "a\\x1b[2J\nb\\x07");
	free(out);
}
END_TEST

Suite *
strbuf_suite(void)
{
	Suite *s = suite_create("strbuf");
	TCase *tc = tcase_create("strbuf");

	tcase_add_test(tc, appends_and_formats);
	tcase_add_test(tc, escapes_quotes_and_controls);
	tcase_add_test(tc, keeps_utf8_and_replaces_invalid);
	tcase_add_test(tc, null_is_json_null);
	tcase_add_test(tc, json_escapes_c1_controls);
	tcase_add_test(tc, printable_escapes_outside_printable_ascii);
	tcase_add_test(tc, printable_is_idempotent);
	tcase_add_test(tc, sinks_escape_and_keep_only_their_newlines);
	suite_add_tcase(s, tc);
	return s;
}
