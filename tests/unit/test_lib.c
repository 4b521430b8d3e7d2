/*
 * test_lib.c - helper/lib/: procfs (a whole small /proc file, one field
 * of a status text), why (the one error setter), nss and clock.
 */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "helper/exitcodes.h"
#include "helper/lib/clock.h"
#include "helper/lib/nss.h"
#include "helper/lib/procfs.h"
#include "helper/lib/why.h"

static const char status[] =
    "Name:\tcutover\n"
    "Threads:\t1\n"
    "SigIgn:\t0000000000001000\n"
    "XCapEff:\tffff\n"
    "CapEff:\t00000000000000c0\n"
    "NoNewPrivs:\t1\n"
    "Bad:\t12zz\n"
    "Empty:\t\n"
    "Last:\t7";

START_TEST(reads_the_named_line_only)
{
	unsigned long long v = 0;

	ck_assert_int_eq(procfs_status_field(status, "Threads", 10, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(procfs_status_field(status, "SigIgn", 16, &v), 0);
	ck_assert_uint_eq(v, 0x1000);
	/* "XCapEff" comes first but is another line's name */
	ck_assert_int_eq(procfs_status_field(status, "CapEff", 16, &v), 0);
	ck_assert_uint_eq(v, 0xc0);
	ck_assert_int_eq(procfs_status_field(status, "NoNewPrivs", 10, &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(procfs_status_field(status, "Last", 10, &v), 0);
	ck_assert_uint_eq(v, 7);
}
END_TEST

START_TEST(refuses_what_is_not_a_whole_number)
{
	unsigned long long v = 42;

	ck_assert_int_eq(procfs_status_field(status, "Cap", 16, &v), -1);
	ck_assert_int_eq(procfs_status_field(status, "Missing", 10, &v), -1);
	ck_assert_int_eq(procfs_status_field(status, "Bad", 16, &v), -1);
	ck_assert_int_eq(procfs_status_field(status, "Empty", 10, &v), -1);
	ck_assert_int_eq(procfs_status_field(status, "Name", 10, &v), -1);
	ck_assert_int_eq(procfs_status_field("", "Threads", 10, &v), -1);
	ck_assert_uint_eq(v, 42);
}
END_TEST

START_TEST(reads_a_real_status)
{
	char buf[8192], small[16];
	unsigned long long threads = 0;

	ck_assert_int_eq(procfs_read("/proc/self/status", buf, sizeof(buf)), 0);
	ck_assert_int_eq(procfs_status_field(buf, "Threads", 10, &threads), 0);
	ck_assert_uint_ge(threads, 1);
	/* a file cut short is not read */
	ck_assert_int_eq(procfs_read("/proc/self/status", small, sizeof(small)), -1);
	ck_assert_int_eq(errno, EOVERFLOW);
	ck_assert_int_eq(procfs_read("/proc/self/no-such-file", buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(why_set_formats_cuts_and_fails)
{
	char why[16];

	memset(why, 'x', sizeof(why));
	ck_assert_int_eq(why_set(why, sizeof(why), "port %d is %s", 8080,
	    "held by someone"), -1);
	ck_assert_str_eq(why, "port 8080 is he");
	ck_assert_int_eq(why_set(why, 0, "%s", "untouched"), -1);
	ck_assert_str_eq(why, "port 8080 is he");
	errno = ENOENT;
	ck_assert_int_eq(why_errno(why, sizeof(why), "open"), -1);
	ck_assert_str_eq(why, "open: No such f");
	errno = 0;
	why_errno(why, sizeof(why), "x");
	ck_assert_str_eq(why, "x: Operation no");
}
END_TEST

START_TEST(nss_errors_are_not_absence)
{
	ck_assert(nss_not_found(0));
	ck_assert(nss_not_found(ENOENT));
	ck_assert(!nss_not_found(EIO));
	ck_assert(!nss_not_found(ENOMEM));
	ck_assert(!nss_not_found(EAGAIN));
}
END_TEST

/* The one status: its values are the documented exit codes, and each
 * has one outcome word (only done is "ok", only refused "refused"). */
START_TEST(one_status_one_outcome)
{
	ck_assert_int_eq(EXIT_DONE, 0);
	ck_assert_int_eq(EXIT_FAILED, 1);
	ck_assert_int_eq(EXIT_USAGE, 2);
	ck_assert_int_eq(EXIT_REFUSED, 3);
	ck_assert_int_eq(EXIT_POLICY, 4);
	ck_assert_str_eq(status_outcome(EXIT_DONE), "ok");
	ck_assert_str_eq(status_outcome(EXIT_REFUSED), "refused");
	ck_assert_str_eq(status_outcome(EXIT_FAILED), "failed");
	ck_assert_str_eq(status_outcome(EXIT_POLICY), "failed");
	ck_assert_str_eq(status_outcome(EXIT_USAGE), "failed");
}
END_TEST

START_TEST(the_clock_goes_forward)
{
	double a = monotonic_seconds(), b = monotonic_seconds();

	ck_assert(a > 0 && b >= a);
}
END_TEST

Suite *
lib_suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("lib");

	tcase_add_test(tc, reads_the_named_line_only);
	tcase_add_test(tc, refuses_what_is_not_a_whole_number);
	tcase_add_test(tc, reads_a_real_status);
	tcase_add_test(tc, why_set_formats_cuts_and_fails);
	tcase_add_test(tc, nss_errors_are_not_absence);
	tcase_add_test(tc, the_clock_goes_forward);
	tcase_add_test(tc, one_status_one_outcome);
	suite_add_tcase(s, tc);
	return s;
}
