/*
 * test_lib.c - helper/lib/: procfs (a whole small /proc file, one field
 * of a status text, the stat, Uid and syscall lines), why (the one error setter), nss and clock.
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

/* Only the kernel's form: strtoull and sscanf took a sign, blanks, "0x". */
START_TEST(a_value_is_plain_digits)
{
	unsigned long long v = 42;

	ck_assert_int_eq(procfs_status_field("CapEff:\t0x1f\n", "CapEff", 16,
	    &v), -1);
	ck_assert_int_eq(procfs_status_field("Threads:\t+1\n", "Threads", 10,
	    &v), -1);
	ck_assert_int_eq(procfs_status_field("Threads:\t 1\n", "Threads", 10,
	    &v), -1);
	ck_assert_int_eq(procfs_status_field("Threads:\t99999999999999999999\n",
	    "Threads", 10, &v), -1);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(procfs_status_field("CapEff:\tffffffffffffffff\n",
	    "CapEff", 16, &v), 0);
	ck_assert_uint_eq(v, ~0ULL);
}
END_TEST

/* A command name may hold ") R 1 1": the fields after the last ')'. */
START_TEST(stat_fields_follow_the_last_parenthesis)
{
	struct procfs_stat st = { 0, 0, 0 };

	ck_assert_int_eq(procfs_stat_parse("42 (a) R 1 1 1 1) S 77 42 42 "
	    "34816 -1 4194560 0\n", &st), 0);
	ck_assert_int_eq(st.state, 'S');
	ck_assert_int_eq(st.ppid, 77);
	ck_assert_uint_eq(st.tty_nr, 34816);
	ck_assert_int_eq(procfs_stat_parse("42 (httpd) T 1 1 1 0 -1\n", &st),
	    0);
	ck_assert_int_eq(st.state, 'T');
	ck_assert_int_eq(procfs_stat_parse("42 (x\ny) S 1 2 3 0\n", &st), 0);
	ck_assert_int_eq(st.ppid, 1);
	ck_assert_int_eq(procfs_stat_parse("42 (x) S +5 1 1 0 -1\n", &st), -1);
	ck_assert_int_eq(procfs_stat_parse("42 (x) S -5 1 1 0 -1\n", &st), -1);
	ck_assert_int_eq(procfs_stat_parse("42 (x) S  5 1 1 0 -1\n", &st), -1);
	ck_assert_int_eq(procfs_stat_parse("42 (x) S 4294967297 1 1 0 -1\n",
	    &st), -1);
	ck_assert_int_eq(procfs_stat_parse("42 (x) S 5 1 1 0", &st), -1);
	ck_assert_int_eq(procfs_stat_parse("42 (x) S 5 1 1", &st), -1);
	ck_assert_int_eq(procfs_stat_parse("42 x S 5 1 1 0 -1\n", &st), -1);
	ck_assert_int_eq(st.ppid, 1);
}
END_TEST

START_TEST(uids_are_the_uid_line_s)
{
	uid_t uid = 7, euid = 7;

	ck_assert_int_eq(procfs_status_uids("Name:\tx\tUid:\t0\t0\t0\t0\n"
	    "Uid:\t1000\t0\t1000\t1000\n", &uid, &euid), 0);
	ck_assert_uint_eq(uid, 1000);
	ck_assert_uint_eq(euid, 0);
	/* sscanf's %u read "-1" as 4294967295 */
	ck_assert_int_eq(procfs_status_uids("Uid:\t-1\t0\t0\t0\n", &uid,
	    &euid), -1);
	ck_assert_int_eq(procfs_status_uids("Uid:\t4294967295\t0\t0\t0\n",
	    &uid, &euid), -1);
	ck_assert_int_eq(procfs_status_uids("Uid:\t1000\t1000", &uid, &euid), -1);
	ck_assert_int_eq(procfs_status_uids("Name:\tx\n", &uid, &euid), -1);
	ck_assert_uint_eq(uid, 1000);
}
END_TEST

START_TEST(a_syscall_is_a_number)
{
	long nr = 7;

	ck_assert_int_eq(procfs_syscall_nr("232 0x3 0x7ffd0 0x200 0x0 0x0 0x0 "
	    "0x7ffe8 0x7f12\n", &nr), 0);
	ck_assert_int_eq(nr, 232);
	ck_assert_int_eq(procfs_syscall_nr("running\n", &nr), -1);
	ck_assert_int_eq(procfs_syscall_nr("-1 0x7ffd0 0x7f12\n", &nr), -1);
	ck_assert_int_eq(procfs_syscall_nr("+232 0x3\n", &nr), -1);
	ck_assert_int_eq(procfs_syscall_nr("232", &nr), -1);
	ck_assert_int_eq(nr, 232);
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
	tcase_add_test(tc, a_value_is_plain_digits);
	tcase_add_test(tc, stat_fields_follow_the_last_parenthesis);
	tcase_add_test(tc, uids_are_the_uid_line_s);
	tcase_add_test(tc, a_syscall_is_a_number);
	tcase_add_test(tc, reads_a_real_status);
	tcase_add_test(tc, why_set_formats_cuts_and_fails);
	tcase_add_test(tc, nss_errors_are_not_absence);
	tcase_add_test(tc, the_clock_goes_forward);
	tcase_add_test(tc, one_status_one_outcome);
	suite_add_tcase(s, tc);
	return s;
}
