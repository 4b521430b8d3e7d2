/*
 * test_strbuf.c - the growing string and the JSON escaper: whatever bytes
 * go in, one valid JSON string literal comes out.
 */
#include <check.h>
#include <string.h>

#include "strbuf.h"

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

Suite *
strbuf_suite(void)
{
	Suite *s = suite_create("strbuf");
	TCase *tc = tcase_create("strbuf");

	tcase_add_test(tc, appends_and_formats);
	tcase_add_test(tc, escapes_quotes_and_controls);
	tcase_add_test(tc, keeps_utf8_and_replaces_invalid);
	tcase_add_test(tc, null_is_json_null);
	suite_add_tcase(s, tc);
	return s;
}
