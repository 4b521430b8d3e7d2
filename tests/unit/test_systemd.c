/*
 * test_systemd.c - helper/act/systemd.c without systemd: the bookkeeping
 * of JobRemoved signals (systemd_job_removed, systemd_job_is), which says
 * whether the job cutover asked for has ended and how; and the copy of
 * what systemd says into cutover's buffers (systemd_string_copy, which
 * unit.c reads object paths and properties through).  The calls to
 * systemd themselves are the container tests'.
 */
#include <check.h>
#include <string.h>

#include "helper/act/systemd.h"

#define JOB "/org/freedesktop/systemd1/job/1234"

START_TEST(a_job_ends_with_its_own_signal)
{
	static struct systemd_job j;
	int i;

	memset(&j, 0, sizeof(j));
	systemd_job_removed(&j, "/org/freedesktop/systemd1/job/1", "failed");
	systemd_job_removed(&j, JOB, "done");
	systemd_job_is(&j, JOB);
	ck_assert_str_eq(j.result, "done");
	memset(&j, 0, sizeof(j));
	systemd_job_is(&j, JOB);
	systemd_job_removed(&j, "/org/freedesktop/systemd1/job/12345", "done");
	ck_assert_str_eq(j.result, "");
	systemd_job_removed(&j, JOB, "failed");
	ck_assert_str_eq(j.result, "failed");
	/* the first 8 before the reply are kept */
	memset(&j, 0, sizeof(j));
	for (i = 0; i < 7; i++)
		systemd_job_removed(&j, "/org/freedesktop/systemd1/job/1", "done");
	systemd_job_removed(&j, JOB, "timeout");
	systemd_job_is(&j, JOB);
	ck_assert_str_eq(j.result, "timeout");
}
END_TEST

/*
 * Found by fuzz_dbus: a path cut to the buffer was compared cut, so a job
 * whose path is longer took the result of another whose path is its first
 * 255 bytes; and an empty result after the real one erased it.
 */
START_TEST(no_other_job_s_result)
{
	static struct systemd_job j;
	char fits[256], longer[300];

	memset(fits, 'a', sizeof(fits) - 1);
	fits[0] = '/';
	fits[255] = '\0';
	memcpy(longer, fits, 255);
	memset(longer + 255, 'b', 44);
	longer[299] = '\0';
	memset(&j, 0, sizeof(j));
	systemd_job_removed(&j, fits, "done");
	systemd_job_is(&j, longer);
	ck_assert_str_eq(j.result, "");
	systemd_job_removed(&j, longer, "failed");
	systemd_job_removed(&j, fits, "done");
	systemd_job_removed(&j, "!", "done");
	ck_assert_str_eq(j.result, "");
	memset(&j, 0, sizeof(j));
	systemd_job_removed(&j, JOB, "done");
	systemd_job_is(&j, JOB);
	systemd_job_removed(&j, JOB, "");
	ck_assert_str_eq(j.result, "done");
}
END_TEST

/*
 * A value that does not fit is refused, never cut: unit.c's unit_path and
 * unit_string cut them (snprintf), so a unit's object path over 255 bytes
 * became the path of the unit whose escaped name is its first 255 bytes,
 * and a cgroup or User= cut to its buffer could name another's.  So did
 * unit_file_state, the boot state a rollback puts back; systemd 252's
 * longest ("enabled-runtime") is far from its 31 bytes, so its refusal
 * is reached only here.
 */
START_TEST(a_value_is_whole_or_refused)
{
	char buf[16], longer[300];

	ck_assert_int_eq(systemd_string_copy(buf, sizeof(buf), "nginx.service"), 0);
	ck_assert_str_eq(buf, "nginx.service");
	ck_assert_int_eq(systemd_string_copy(buf, sizeof(buf), "0123456789abcde"), 0);
	ck_assert_str_eq(buf, "0123456789abcde");
	ck_assert_int_eq(systemd_string_copy(buf, sizeof(buf), ""), 0);
	ck_assert_str_eq(buf, "");
	/* 16 bytes and more: refused, and no prefix of it is left */
	ck_assert_int_eq(systemd_string_copy(buf, sizeof(buf), "0123456789abcdef"), -1);
	ck_assert_str_eq(buf, "?");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[299] = '\0';
	memcpy(longer, "/org/freedesktop/systemd1/unit/", 31);
	ck_assert_int_eq(systemd_string_copy(buf, sizeof(buf), longer), -1);
	ck_assert_str_eq(buf, "?");
	ck_assert_int_eq(systemd_string_copy(buf, sizeof(buf), NULL), -1);
	ck_assert_str_eq(buf, "?");
	ck_assert_int_eq(systemd_string_copy(buf, 1, "a"), -1);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(systemd_string_copy(buf, 0, "a"), -1);
}
END_TEST

Suite *
systemd_suite(void)
{
	Suite *s = suite_create("systemd");
	TCase *tc = tcase_create("systemd");

	tcase_add_test(tc, a_job_ends_with_its_own_signal);
	tcase_add_test(tc, no_other_job_s_result);
	tcase_add_test(tc, a_value_is_whole_or_refused);
	suite_add_tcase(s, tc);
	return s;
}
