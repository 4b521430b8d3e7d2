/*
 * test_procfs.c - helper/lib/procfs.c: a whole small /proc file, and one
 * field of a status text.
 */
#include <check.h>
#include <errno.h>

#include "helper/lib/procfs.h"

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

Suite *
procfs_suite(void)
{
	Suite *s = suite_create("procfs");
	TCase *tc = tcase_create("procfs");

	tcase_add_test(tc, reads_the_named_line_only);
	tcase_add_test(tc, refuses_what_is_not_a_whole_number);
	tcase_add_test(tc, reads_a_real_status);
	suite_add_tcase(s, tc);
	return s;
}
