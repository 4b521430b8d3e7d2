/*
 * test_unitlog.c - helper/act/svc/unitlog.c: a journal line made safe to
 * print (escapes, control bytes, non-ASCII, blanks, length), and the
 * words a failed start is told in (its lines, or what systemd says).
 */
#include <check.h>
#include <signal.h>
#include <string.h>

#include "helper/act/svc/unitlog.h"

static const char *
clean(const char *s, size_t n)
{
	static char out[UNITLOG_LINE_MAX];

	unitlog_clean(s, n, out, sizeof(out));
	return out;
}

#define CLEAN(lit) clean(lit, sizeof(lit) - 1)

START_TEST(nginx_words_pass_unchanged)
{
	ck_assert_str_eq(CLEAN("nginx: [emerg] bind() to 0.0.0.0:80 failed "
	    "(98: Address already in use)"), "nginx: [emerg] bind() to "
	    "0.0.0.0:80 failed (98: Address already in use)");
}
END_TEST

START_TEST(terminal_escapes_are_removed)
{
	/* colour (CSI), a window title (OSC to BEL, and to ST), a reset */
	ck_assert_str_eq(CLEAN("\x1b[1;31merror\x1b[0m here"), "error here");
	ck_assert_str_eq(CLEAN("a\x1b]0;pwned\x07" "b"), "ab");
	ck_assert_str_eq(CLEAN("a\x1b]2;title\x1b\\b"), "ab");
	ck_assert_str_eq(CLEAN("\x1b" "cclear"), "clear");
	ck_assert_str_eq(CLEAN("x\x1bP1;2|data\x1b\\y"), "xy");
	/* an escape cut off at the end of the line takes nothing else */
	ck_assert_str_eq(CLEAN("end\x1b[12"), "end");
	ck_assert_str_eq(CLEAN("end\x1b"), "end");
	ck_assert_str_eq(CLEAN("end\x1b]0;never ended"), "end");
}
END_TEST

START_TEST(control_and_foreign_bytes_become_marks)
{
	ck_assert_str_eq(clean("a\0b", 3), "a?b");
	ck_assert_str_eq(CLEAN("bell\x07" "del\x7f" "bs\x08"), "bell?del?bs?");
	/* UTF-8 and bytes that are no text at all: never passed on raw */
	ck_assert_str_eq(CLEAN("caf\xc3\xa9 \xff\xfe"), "caf?? ??");
	/* a carriage return cannot overwrite the start of the line */
	ck_assert_str_eq(CLEAN("ok\rFAKE"), "ok FAKE");
}
END_TEST

START_TEST(blanks_are_one_space_and_trimmed)
{
	ck_assert_str_eq(CLEAN("  \t a \n\n b\t\t"), "a b");
	ck_assert_str_eq(CLEAN(" \x1b[0m \t "), "");
	ck_assert_str_eq(clean("", 0), "");
}
END_TEST

START_TEST(long_lines_are_cut_with_a_mark)
{
	char big[5000], out[UNITLOG_LINE_MAX], tiny[8];

	memset(big, 'x', sizeof(big));
	unitlog_clean(big, sizeof(big), out, sizeof(out));
	ck_assert_uint_eq(strlen(out), UNITLOG_LINE_MAX - 1);
	ck_assert_str_eq(out + UNITLOG_LINE_MAX - 4, "...");
	/* exactly fits: not cut */
	unitlog_clean(big, UNITLOG_LINE_MAX - 1, out, sizeof(out));
	ck_assert_uint_eq(strlen(out), UNITLOG_LINE_MAX - 1);
	ck_assert_ptr_null(strstr(out, "..."));
	unitlog_clean("abcdefghij", 10, tiny, sizeof(tiny));
	ck_assert_str_eq(tiny, "abcd...");
	/* a blank before the cut is not kept */
	unitlog_clean("abcdef  ghij", 12, tiny, sizeof(tiny));
	ck_assert_str_eq(tiny, "abcd...");
}
END_TEST

START_TEST(the_journal_words_come_first)
{
	const char lines[2][UNITLOG_LINE_MAX] = {
		"nginx: [emerg] bind() to 0.0.0.0:8081 failed (98: Address "
		"already in use)",
		"nginx: [emerg] still could not bind()",
	};
	struct unitlog_exit ex = { "exit-code", CLD_EXITED, 1 };
	char buf[1024];

	unitlog_say(buf, sizeof(buf), "nginx.service", "", lines, 2, &ex);
	ck_assert_str_eq(buf, "nginx.service failed: nginx: [emerg] bind() to "
	    "0.0.0.0:8081 failed (98: Address already in use) | nginx: "
	    "[emerg] still could not bind()");
	/* what cutover did comes before the lines, which may be cut */
	unitlog_say(buf, sizeof(buf), "nginx.service", "stopped again, "
	    "failed state reset", lines, 1, &ex);
	ck_assert_str_eq(buf, "nginx.service failed (stopped again, failed "
	    "state reset): nginx: [emerg] bind() to 0.0.0.0:8081 failed (98: "
	    "Address already in use)");
	/* a short buffer cuts, and stays a string */
	unitlog_say(buf, 30, "nginx.service", "", lines, 2, &ex);
	ck_assert_uint_eq(strlen(buf), 29);
}
END_TEST

START_TEST(without_words_what_systemd_says)
{
	struct unitlog_exit exited = { "exit-code", CLD_EXITED, 1 },
	    killed = { "signal", CLD_KILLED, SIGKILL },
	    dumped = { "core-dump", CLD_DUMPED, SIGSEGV },
	    none = { "timeout", 0, 0 }, unknown = { "", 0, 0 };
	char buf[512];

	unitlog_say(buf, sizeof(buf), "nginx.service", "", NULL, 0, &exited);
	ck_assert_str_eq(buf, "nginx.service failed (systemd: "
	    "Result=exit-code, exit status 1; its journal has nothing of "
	    "this start)");
	unitlog_say(buf, sizeof(buf), "a.service", "stopped again", NULL, 0,
	    &killed);
	ck_assert_str_eq(buf, "a.service failed (stopped again; systemd: "
	    "Result=signal, "
	    "killed by signal 9 (SIGKILL); its journal has nothing of this "
	    "start)");
	unitlog_say(buf, sizeof(buf), "a.service", "", NULL, 0, &dumped);
	ck_assert_str_eq(buf, "a.service failed (systemd: Result=core-dump, "
	    "dumped core by signal 11 (SIGSEGV); its journal has nothing of "
	    "this start)");
	unitlog_say(buf, sizeof(buf), "a.service", "", NULL, 0, &none);
	ck_assert_str_eq(buf, "a.service failed (systemd: Result=timeout; "
	    "its journal has nothing of this start)");
	unitlog_say(buf, sizeof(buf), "a.service", "", NULL, 0, &unknown);
	ck_assert_str_eq(buf, "a.service failed (systemd: Result=?; its "
	    "journal has nothing of this start)");
}
END_TEST

Suite *
unitlog_suite(void)
{
	Suite *s = suite_create("unitlog");
	TCase *tc = tcase_create("unitlog");

	tcase_add_test(tc, nginx_words_pass_unchanged);
	tcase_add_test(tc, terminal_escapes_are_removed);
	tcase_add_test(tc, control_and_foreign_bytes_become_marks);
	tcase_add_test(tc, blanks_are_one_space_and_trimmed);
	tcase_add_test(tc, long_lines_are_cut_with_a_mark);
	tcase_add_test(tc, the_journal_words_come_first);
	tcase_add_test(tc, without_words_what_systemd_says);
	suite_add_tcase(s, tc);
	return s;
}
