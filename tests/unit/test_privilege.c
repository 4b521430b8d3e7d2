/*
 * test_privilege.c - the capability table, for real: a child made to look
 * like setuid root started by nobody (real uid 65534, effective 0) enters
 * each step, and the kernel's own view (/proc/self/status, getresuid)
 * must show the step's ids - the caller's for STEP_CALLER, the check
 * user's (here CHECK_UID, no supplementary groups, its own limits) for
 * STEP_CHECK, the step user's (here STEP_UID, no supplementary groups) for
 * every other - and exactly that step's capabilities.
 *
 * Needs root; as another user the cases are left out with a note.
 */
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/priv/privilege.h"

#define NOBODY 65534
#define STEP_UID 4242           /* stands for the step user _cutover */
#define STEP_GID 4243
#define CHECK_UID 4244          /* stands for the check user _cutover-check */
#define CHECK_GID 4245

static unsigned long long
status_field(const char *name)
{
	char buf[8192], *p;
	unsigned long long v = ~0ULL;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY);

	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if ((p = strstr(buf, name)) != NULL)
		sscanf(p + strlen(name), ":\t%llx", &v);
	return v;
}

/* As setuid root run by nobody, with the step user set: enter STEP. */
static void
pretend_setuid_nobody(void)
{
	char why[256];

	if (setresgid(NOBODY, 0, 0) || setresuid(NOBODY, 0, 0))
		_exit(10);
	if (privilege_set_step_user(STEP_UID, STEP_GID, why, sizeof(why)))
		_exit(9);
	if (privilege_set_check_user(CHECK_UID, CHECK_GID, why, sizeof(why)))
		_exit(8);
}

/* Who STEP must run as. */
static uid_t
uid_of(enum priv_step step)
{
	return step == STEP_CALLER ? NOBODY : step == STEP_CHECK ? CHECK_UID :
	    STEP_UID;
}

static gid_t
gid_of(enum priv_step step)
{
	return step == STEP_CALLER ? NOBODY : step == STEP_CHECK ? CHECK_GID :
	    STEP_GID;
}

/* In a child: enter STEP, then check ids, groups and capability sets. */
static int
child_enters(enum priv_step step, unsigned long long expect)
{
	uid_t r, e, s, want = uid_of(step);
	gid_t rg, eg, sg, wantg = gid_of(step);
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		pretend_setuid_nobody();
		if (privilege_enter(step, NULL, 0) != 0)
			_exit(11);
		getresuid(&r, &e, &s);
		if (r != want || e != want || s != want)
			_exit(12);
		getresgid(&rg, &eg, &sg);
		if (rg != wantg || eg != wantg || sg != wantg)
			_exit(16);
		if (step != STEP_CALLER && getgroups(0, NULL) != 0)
			_exit(17);
		if (status_field("CapEff") != expect ||
		    status_field("CapPrm") != expect ||
		    status_field("CapBnd") != expect ||
		    status_field("CapInh") != 0 || status_field("CapAmb") != 0)
			_exit(13);
		/* nothing brings root back */
		if (setuid(0) == 0 || seteuid(0) == 0)
			_exit(14);
		if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
			_exit(15);
		_exit(0);
	}
	ck_assert_int_ne(pid, -1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(caller_step_holds_nothing)
{
	ck_assert_int_eq(child_enters(STEP_CALLER, 0), 0);
}
END_TEST

START_TEST(free_port_step_holds_ptrace_read_search_kill)
{
	unsigned long long m = 1ULL << CAP_SYS_PTRACE |
	    1ULL << CAP_DAC_READ_SEARCH | 1ULL << CAP_KILL;

	ck_assert_int_eq(child_enters(STEP_FREE_PORT, m), 0);
	ck_assert_int_eq(child_enters(STEP_STOP, m), 0);
}
END_TEST

START_TEST(start_step_holds_setuid_setgid_kill)
{
	unsigned long long m = 1ULL << CAP_SETUID | 1ULL << CAP_SETGID |
	    1ULL << CAP_SYS_PTRACE | 1ULL << CAP_DAC_READ_SEARCH |
	    1ULL << CAP_KILL;
	pid_t pid = fork();
	int status;

	/* setuid(0) works with CAP_SETUID: check only the sets here */
	if (pid == 0) {
		pretend_setuid_nobody();
		if (privilege_enter(STEP_START, NULL, 0) != 0)
			_exit(11);
		_exit(status_field("CapEff") == m &&
		    status_field("CapBnd") == m ? 0 : 13);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(refuses_without_root)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setresuid(NOBODY, NOBODY, NOBODY))
			_exit(10);
		_exit(privilege_enter(STEP_CALLER, NULL, 0) == -1 ? 0 : 11);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(verify_notices_a_difference)
{
	pid_t pid = fork();
	int status;

	/* root with every capability is not "nobody with none" */
	if (pid == 0)
		_exit(privilege_verify(NOBODY, NOBODY, 0) == -1 ? 0 : 11);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(start_root_step_holds_ptrace_read_search_kill)
{
	ck_assert_int_eq(child_enters(STEP_START_ROOT, 1ULL << CAP_SYS_PTRACE |
	    1ULL << CAP_DAC_READ_SEARCH | 1ULL << CAP_KILL), 0);
}
END_TEST

/* served_by's look reads who holds a port: it cannot signal or write. */
START_TEST(look_step_holds_ptrace_and_read_search_only)
{
	ck_assert_int_eq(child_enters(STEP_LOOK, 1ULL << CAP_SYS_PTRACE |
	    1ULL << CAP_DAC_READ_SEARCH), 0);
}
END_TEST

/*
 * make coverage's builds (tests/coverage/dump_on_exit.c) leave a check's
 * RLIMIT_FSIZE as it was, so that its counts can be written: the one
 * thing this test cannot ask of them.
 */
void __gcov_dump(void) __attribute__((weak));

/* The reader of a server's configuration dump holds nothing at all. */
/*
 * A check's step: the check user, nothing, and its own limits whatever
 * the caller's were (here raised as far as root may, before the entry).
 */
START_TEST(check_step_is_the_check_user_with_its_own_limits)
{
	pid_t pid;
	int status;

	ck_assert_int_eq(child_enters(STEP_CHECK, 0), 0);
	pid = fork();
	if (pid == 0) {
		struct rlimit big = { 4096, 4096 }, core = { RLIM_INFINITY,
		    RLIM_INFINITY }, got;

		if (setrlimit(RLIMIT_NOFILE, &big) || setrlimit(RLIMIT_CORE,
		    &core))
			_exit(20);
		pretend_setuid_nobody();
		if (privilege_enter(STEP_CHECK, NULL, 0) != 0)
			_exit(11);
		if (getrlimit(RLIMIT_NOFILE, &got) || got.rlim_cur != 256 ||
		    got.rlim_max != 256)
			_exit(21);
		if (getrlimit(RLIMIT_CORE, &got) || got.rlim_cur != 0 ||
		    got.rlim_max != 0)
			_exit(22);
		if (__gcov_dump == NULL && (getrlimit(RLIMIT_FSIZE, &got) ||
		    got.rlim_max != 0))
			_exit(23);
		/* the caller cannot raise them back: no CAP_SYS_RESOURCE */
		if (setrlimit(RLIMIT_NOFILE, &big) != -1)
			_exit(24);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* The check user is none of root, the caller and the step user. */
START_TEST(the_check_user_is_its_own)
{
	pid_t pid = fork();
	char why[256];
	int status;

	if (pid == 0) {
		if (setresgid(NOBODY, 0, 0) || setresuid(NOBODY, 0, 0))
			_exit(10);
		/* without one a check is refused, not run as the caller */
		if (privilege_enter(STEP_CHECK, NULL, 0) != -1 ||
		    geteuid() != 0)
			_exit(11);
		if (privilege_set_step_user(STEP_UID, STEP_GID, why,
		    sizeof(why)))
			_exit(12);
		if (privilege_set_check_user(0, CHECK_GID, why,
		    sizeof(why)) != -1 || privilege_set_check_user(CHECK_UID,
		    0, why, sizeof(why)) != -1)
			_exit(13);
		if (privilege_set_check_user(NOBODY, CHECK_GID, why,
		    sizeof(why)) != -1 || strstr(why, "caller") == NULL)
			_exit(14);
		if (privilege_set_check_user(STEP_UID, CHECK_GID, why,
		    sizeof(why)) != -1 || strstr(why, "step user") == NULL)
			_exit(15);
		if (privilege_set_check_user(CHECK_UID, STEP_GID, why,
		    sizeof(why)) != -1)
			_exit(16);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(read_step_holds_no_capability)
{
	ck_assert_int_eq(child_enters(STEP_READ, 0), 0);
}
END_TEST

/* Without a step user a step is refused, not run as the caller. */
START_TEST(a_step_needs_a_step_user)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setresgid(NOBODY, 0, 0) || setresuid(NOBODY, 0, 0))
			_exit(10);
		_exit(privilege_enter(STEP_FREE_PORT, NULL, 0) == -1 &&
		    geteuid() == 0 ? 0 : 11);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(the_step_user_is_neither_root_nor_the_caller)
{
	pid_t pid = fork();
	char why[256];
	int status;

	if (pid == 0) {
		if (setresgid(NOBODY, 0, 0) || setresuid(NOBODY, 0, 0))
			_exit(10);
		if (privilege_set_step_user(0, STEP_GID, why, sizeof(why)) != -1)
			_exit(11);
		if (privilege_set_step_user(STEP_UID, 0, why, sizeof(why)) != -1)
			_exit(12);
		if (privilege_set_step_user(NOBODY, STEP_GID, why,
		    sizeof(why)) != -1 || strstr(why, "caller") == NULL)
			_exit(13);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/*
 * The transaction's every uid is 0 (so nobody cannot signal it) and the
 * front, dropped afterwards, is nobody again, not dumpable; a step
 * entered from the transaction as the caller is nobody too.
 */
START_TEST(a_transaction_is_root_and_its_front_the_caller)
{
	uid_t r, e, s;
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		if (setresgid(NOBODY, 0, 0) || setresuid(NOBODY, 0, 0))
			_exit(10);
		if (privilege_become_transaction() != 0)
			_exit(11);
		getresuid(&r, &e, &s);
		if (r || e || s)
			_exit(12);
		if (privilege_drop_to_caller() != 0)
			_exit(13);
		getresuid(&r, &e, &s);
		if (r != NOBODY || e != NOBODY || s != NOBODY)
			_exit(14);
		if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
			_exit(15);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

Suite *
privilege_suite(void)
{
	Suite *s = suite_create("privilege");
	TCase *tc = tcase_create("privilege");

	if (geteuid() != 0) {
		fputs("privilege: not root: the capability cases are left out\n",
		    stderr);
		suite_add_tcase(s, tc);
		return s;
	}
	tcase_add_test(tc, caller_step_holds_nothing);
	tcase_add_test(tc, free_port_step_holds_ptrace_read_search_kill);
	tcase_add_test(tc, start_step_holds_setuid_setgid_kill);
	tcase_add_test(tc, start_root_step_holds_ptrace_read_search_kill);
	tcase_add_test(tc, read_step_holds_no_capability);
	tcase_add_test(tc, check_step_is_the_check_user_with_its_own_limits);
	tcase_add_test(tc, the_check_user_is_its_own);
	tcase_add_test(tc, look_step_holds_ptrace_and_read_search_only);
	tcase_add_test(tc, a_step_needs_a_step_user);
	tcase_add_test(tc, the_step_user_is_neither_root_nor_the_caller);
	tcase_add_test(tc, a_transaction_is_root_and_its_front_the_caller);
	tcase_add_test(tc, refuses_without_root);
	tcase_add_test(tc, verify_notices_a_difference);
	suite_add_tcase(s, tc);
	return s;
}
