/*
 * test_systemd.c - helper/act/systemd.c without systemd: the bookkeeping
 * of JobRemoved signals (systemd_job_removed, systemd_job_is), which says
 * whether the job cutover asked for has ended and how; and the copy of
 * what systemd says into cutover's buffers (systemd_string_copy, which
 * unit.c reads object paths and properties through); and which failures
 * are systemd's connection dropping (a re-exec: ask again) rather than
 * systemd's answer.  The calls to systemd themselves are the container
 * tests'.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "helper/exitcodes.h"
#include "helper/act/systemd.h"
#include "helper/act/svc/sdbus.h"

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

/*
 * sd-bus's synchronous calls fill the error from the errno when the
 * connection drops ("System.Error.ECONNRESET"): that is still a drop.
 * Before, any error set was taken for systemd's answer, and a pre-flight
 * that lost systemd to a re-exec was refused instead of asked again.
 */
START_TEST(a_dropped_connection_is_not_an_answer)
{
	sd_bus_error reset = SD_BUS_ERROR_MAKE_CONST("System.Error.ECONNRESET",
	    "Connection reset by peer");
	sd_bus_error nounit = SD_BUS_ERROR_MAKE_CONST(
	    "org.freedesktop.systemd1.NoSuchUnit", "Unit x.service not found.");
	char why[128];

	ck_assert_int_eq(sdbus_load(why, sizeof(why)), 0);
	systemd_lost_forget();
	ck_assert_int_eq(systemd_failed(why, sizeof(why), "q", -ENOENT, &nounit),
	    EXIT_FAILED);
	ck_assert_str_eq(why, "q: Unit x.service not found.");
	ck_assert(!systemd_lost());
	systemd_failed(why, sizeof(why), "q", -ECONNRESET, &reset);
	ck_assert(systemd_lost());
	systemd_lost_forget();
	ck_assert(!systemd_lost());
	systemd_failed(why, sizeof(why), "q", -ENOTCONN, NULL);
	ck_assert(systemd_lost());
	systemd_lost_forget();
	systemd_failed(why, sizeof(why), "q", -ECONNREFUSED, NULL);
	ck_assert(systemd_lost());
	systemd_lost_forget();
	systemd_failed(why, sizeof(why), "q", -EIO, NULL);
	ck_assert(!systemd_lost());
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
	tcase_add_test(tc, a_dropped_connection_is_not_an_answer);
	suite_add_tcase(s, tc);
	return s;
}
