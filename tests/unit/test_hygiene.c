/*
 * test_hygiene.c - hygiene_reset_process() undoes what a caller can set
 * on a process and hand down to it: each case runs in a forked child
 * (Check's fork mode) that first makes itself hostile, then resets, then
 * reads every attribute back from the kernel.  Root only: raising nice
 * and leaving SCHED_IDLE need CAP_SYS_NICE.
 */
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/ioprio.h>

#include <check.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper/front/hygiene.h"
#include "helper/lib/procfs.h"

static char why[256];

static void
make_hostile(void)
{
	struct sched_param none = { 0 };
	struct rlimit low;
	cpu_set_t one;
	sigset_t all;
	int fd;

	ck_assert_int_eq(setpriority(PRIO_PROCESS, 0, 19), 0);
	ck_assert_int_eq(sched_setscheduler(0, SCHED_IDLE |
	    SCHED_RESET_ON_FORK, &none), 0);
	ck_assert_int_eq(syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
	    IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0)), 0);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	ck_assert_int_eq(sched_setaffinity(0, sizeof(one), &one), 0);
	ck_assert_int_ne(fd = open("/proc/self/oom_score_adj", O_WRONLY), -1);
	ck_assert_int_eq(write(fd, "1000", 4), 4);
	close(fd);
	ck_assert_int_ne(personality(UNAME26), -1);
	ck_assert_int_eq(prctl(PR_SET_TIMERSLACK, 1000000, 0, 0, 0), 0);
	/* The soft limit only: raising a hard one needs CAP_SYS_RESOURCE,
	 * which some hosts (containers) deny even root. */
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &low), 0);
	low.rlim_cur = 16;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	signal(SIGCHLD, SIG_IGN);
	signal(SIGXFSZ, SIG_DFL);
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	umask(0);
}

static void
assert_reset(void)
{
	struct rlimit nofile;
	cpu_set_t cpus;
	sigset_t mask;
	struct sigaction sa;
	char buf[32];

	ck_assert_int_eq(sched_getscheduler(0), SCHED_OTHER);  /* no flag */
	ck_assert_int_eq(getpriority(PRIO_PROCESS, 0), 0);
	ck_assert_int_eq(syscall(SYS_ioprio_get, IOPRIO_WHO_PROCESS, 0),
	    IOPRIO_PRIO_VALUE(IOPRIO_CLASS_NONE, 0));
	ck_assert_int_eq(sched_getaffinity(0, sizeof(cpus), &cpus), 0);
	/* Exactly which CPUs is the cpuset's; t-sched.sh compares. */
	ck_assert(sysconf(_SC_NPROCESSORS_ONLN) == 1 || CPU_COUNT(&cpus) > 1);
	ck_assert_int_eq(procfs_read("/proc/self/oom_score_adj", buf,
	    sizeof(buf)), 0);
	ck_assert_str_eq(buf, "0\n");
	ck_assert_int_eq(personality(0xffffffff), PER_LINUX);
	ck_assert_int_eq(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), 50000);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &nofile), 0);
	ck_assert_uint_eq(nofile.rlim_cur, 1024);
	ck_assert_int_eq(sigaction(SIGCHLD, NULL, &sa), 0);
	ck_assert_ptr_eq(sa.sa_handler, SIG_DFL);
	ck_assert_int_eq(sigaction(SIGXFSZ, NULL, &sa), 0);
	ck_assert_ptr_eq(sa.sa_handler, SIG_IGN);
	ck_assert_int_eq(sigprocmask(SIG_SETMASK, NULL, &mask), 0);
	ck_assert(sigisemptyset(&mask));
	ck_assert_uint_eq(umask(022), 022);
}

START_TEST(resets_what_the_caller_set)
{
	make_hostile();
	ck_assert_msg(hygiene_reset_process(why, sizeof(why)) == 0, "%s", why);
	assert_reset();
	/* Again, as the transaction will after its fork: still 0. */
	ck_assert_msg(hygiene_reset_process(why, sizeof(why)) == 0, "%s", why);
	assert_reset();
}
END_TEST

/* For an exec, nothing stays ignored: not even cutover's SIGXFSZ. */
START_TEST(for_exec_ignores_nothing)
{
	struct sigaction sa;

	make_hostile();
	ck_assert_msg(hygiene_reset_for_exec(why, sizeof(why)) == 0, "%s", why);
	ck_assert_int_eq(sigaction(SIGXFSZ, NULL, &sa), 0);
	ck_assert_ptr_eq(sa.sa_handler, SIG_DFL);
	ck_assert_int_eq(sigaction(SIGPIPE, NULL, &sa), 0);
	ck_assert_ptr_eq(sa.sa_handler, SIG_DFL);
}
END_TEST

/* Without CAP_SYS_NICE, nice 19 can't be undone: refused, with a reason. */
START_TEST(refuses_what_it_cannot_undo)
{
	ck_assert_int_eq(setpriority(PRIO_PROCESS, 0, 19), 0);
	ck_assert_int_eq(setresuid(65534, 65534, 65534), 0);
	ck_assert_int_eq(hygiene_reset_process(why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "nice"));
}
END_TEST

Suite *
hygiene_suite(void)
{
	Suite *s = suite_create("hygiene");
	TCase *tc = tcase_create("hygiene");

	if (geteuid() != 0) {
		fputs("hygiene: not root: the reset cases are left out\n",
		    stderr);
		suite_add_tcase(s, tc);
		return s;
	}
	tcase_add_test(tc, resets_what_the_caller_set);
	tcase_add_test(tc, for_exec_ignores_nothing);
	tcase_add_test(tc, refuses_what_it_cannot_undo);
	suite_add_tcase(s, tc);
	return s;
}
