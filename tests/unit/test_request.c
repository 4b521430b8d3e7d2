/*
 * test_request.c - argv -> request (helper/front/request.c): the options
 * a roll-out gives every action, --reason TEXT and --run-id ID, taken
 * wherever they stand after the program's name, each once, validated
 * byte by byte; the rest of the grammar is tests/fuzz/fuzz_argv.c's.
 */
#include <check.h>
#include <string.h>

#include "helper/front/request.h"

static struct cli_request req;
static char why[512];

/* Parse the NULL-terminated words (cutover first); returns its result. */
static int
parse(const char *const *words)
{
	char *argv[32];
	int argc = 0;

	while (words[argc] != NULL && argc < 31) {
		argv[argc] = (char *)words[argc];
		argc++;
	}
	argv[argc] = NULL;
	why[0] = '\0';
	return request_parse(argc, argv, &req, why, sizeof(why));
}

START_TEST(reason_and_run_id_anywhere)
{
	const char *after[] = { "cutover", "switch", "--reason",
	    "CHG-1234 move to nginx", "--run-id", "r-2026.12:07_1", "site",
	    NULL };
	const char *before[] = { "cutover", "--run-id=r1", "-n",
	    "--reason=JIRA-7", "start", "nginx", NULL };
	const char *json[] = { "cutover", "switch", "--format=json",
	    "--reason", "x", "site", NULL };

	ck_assert_int_eq(parse(after), 0);
	ck_assert_int_eq(req.cmd, CMD_ACTION);
	ck_assert_int_eq(req.rq.action, ACT_SWITCH);
	ck_assert_str_eq(req.target, "site");
	ck_assert_str_eq(req.reason, "CHG-1234 move to nginx");
	ck_assert_ptr_eq(req.rq.reason, req.reason);
	ck_assert_str_eq(req.run_id, "r-2026.12:07_1");
	ck_assert_str_eq(req.raw_action, "switch");

	ck_assert_int_eq(parse(before), 0);
	ck_assert(req.dry_run);
	ck_assert_int_eq(req.rq.action, ACT_START);
	ck_assert_str_eq(req.reason, "JIRA-7");
	ck_assert_str_eq(req.run_id, "r1");

	ck_assert_int_eq(parse(json), 0);
	ck_assert_int_eq(req.format, FORMAT_JSON);
	ck_assert_str_eq(req.reason, "x");
}
END_TEST

START_TEST(without_them_nothing_changes)
{
	const char *plain[] = { "cutover", "verify", "--format=nagios",
	    "homepage", NULL };

	ck_assert_int_eq(parse(plain), 0);
	ck_assert_str_eq(req.reason, "");
	ck_assert_ptr_null(req.rq.reason);
	ck_assert_str_eq(req.run_id, "");
}
END_TEST

START_TEST(bad_values_are_usage_errors)
{
	static const struct {
		const char *words[8];
		const char *said;
	} cases[] = {
		{ { "cutover", "switch", "site", "--reason", NULL },
		    "--reason needs a value" },
		{ { "cutover", "--reason", "a", "--reason=b", "switch", "site",
		    NULL }, "--reason is given twice" },
		{ { "cutover", "--run-id", "a", "--run-id", "a", "stop", "x",
		    NULL }, "--run-id is given twice" },
		{ { "cutover", "--reason", "   ", "switch", "site", NULL },
		    "not blank" },
		{ { "cutover", "--reason", "", "switch", "site", NULL },
		    "not blank" },
		{ { "cutover", "--reason", "tab\there", "switch", "site", NULL },
		    "printable ASCII" },
		{ { "cutover", "--reason", "caf\xc3\xa9", "switch", "site",
		    NULL }, "printable ASCII" },
		{ { "cutover", "--run-id", "-r1", "switch", "site", NULL },
		    "starting with a letter or digit" },
		{ { "cutover", "--run-id", "r 1", "switch", "site", NULL },
		    "is not a valid id" },
		{ { "cutover", "--run-id", "r/1", "switch", "site", NULL },
		    "is not a valid id" },
		{ { "cutover", "list", "--run-id", "r1", NULL },
		    "list takes no arguments" },
		{ { "cutover", "--reason", "x", NULL }, "no command" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(parse(cases[i].words) == -1, "case %zu accepted",
		    i);
		ck_assert_msg(strstr(why, cases[i].said) != NULL,
		    "case %zu: \"%s\" lacks \"%s\"", i, why, cases[i].said);
	}
}
END_TEST

START_TEST(lengths_are_bounded)
{
	char reason[REQUEST_REASON_MAX + 2], id[REQUEST_RUN_ID_MAX + 2];
	const char *r[] = { "cutover", "--reason", reason, "stop", "x", NULL };
	const char *d[] = { "cutover", "--run-id", id, "stop", "x", NULL };

	memset(reason, 'a', sizeof(reason) - 2);
	reason[sizeof(reason) - 2] = '\0';
	memset(id, '7', sizeof(id) - 2);
	id[sizeof(id) - 2] = '\0';
	ck_assert_int_eq(parse(r), 0);
	ck_assert_uint_eq(strlen(req.reason), REQUEST_REASON_MAX);
	ck_assert_int_eq(parse(d), 0);
	ck_assert_uint_eq(strlen(req.run_id), REQUEST_RUN_ID_MAX);
	strcat(reason, "a");
	strcat(id, "7");
	ck_assert_int_eq(parse(r), -1);
	ck_assert_int_eq(parse(d), -1);
}
END_TEST

Suite *
request_suite(void)
{
	Suite *s = suite_create("request");
	TCase *tc = tcase_create("request");

	tcase_add_test(tc, reason_and_run_id_anywhere);
	tcase_add_test(tc, without_them_nothing_changes);
	tcase_add_test(tc, bad_values_are_usage_errors);
	tcase_add_test(tc, lengths_are_bounded);
	suite_add_tcase(s, tc);
	return s;
}
