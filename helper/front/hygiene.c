/*
 * hygiene.c - make the process safe before it reads anything.
 *
 * Everything here is inherited from the caller and hostile: argv (argc
 * may be 0), fds 0-2 (any may be closed, so the next open() would land on
 * stdout) and fds above them, the environment, rlimits, signal mask and
 * dispositions, umask, cwd, and the namespace the process runs in.  Each
 * is reset or refused in hygiene_start(), which main() calls first.  This
 * file never decides anything and never changes credentials.
 */
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <linux/ioprio.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/exitcodes.h"
#include "helper/front/hygiene.h"
#include "helper/lib/procfs.h"
#include "policy/strbuf.h"

#define TIMERSLACK_NS 50000         /* the kernel's initial timer slack */

static int caller_cwd = -1;

static void __attribute__((noreturn))
refuse(int status, const char *what)
{
	printable_line(stderr, "cutover: %s", what);
	exit(status);
}

/* Reopen a closed 0, 1 or 2 on /dev/null, or give up without a word. */
static void
fix_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(EXIT_FAILED);
	}
}

/*
 * What every limit is set to: the kernel's defaults (NOFILE 1024/4096,
 * STACK 8 MiB, MEMLOCK 8 MiB, MSGQUEUE 819200, NICE and RTPRIO 0, the
 * rest unlimited), whatever the caller set, for cutover and for every
 * service it starts (which inherit them).  CORE is 0: no dumps of root's
 * memory.  FSIZE must be unlimited: a limit inside the audit file would
 * let the caller cut a record short before the write is seen to fail.
 * KEEP: the hard limit stays (its default depends on the machine), the
 * soft one is raised to it.  Hosts that deny root CAP_SYS_RESOURCE (some
 * containers) can't raise a hard limit the caller lowered: then the soft
 * limit goes as high as the hard one allows, and below CUTOVER_MIN (what
 * cutover needs) the request is refused; a service is not started below
 * SERVICE_MIN (its default, but for NPROC and SIGPENDING, whose defaults
 * depend on the machine), rather than run crippled.
 */
#define KEEP ((rlim_t)-2)
#define INF RLIM_INFINITY
#define MiB(n) ((rlim_t)(n) << 20)
static const struct {
	int resource;
	const char *name;
	rlim_t soft, hard, cutover_min, service_min;
} limits[] = {
	{ RLIMIT_CORE, "core", 0, 0, 0, 0 },
	{ RLIMIT_FSIZE, "fsize", INF, INF, INF, INF },
	{ RLIMIT_NOFILE, "nofile", 1024, 4096, 64, 1024 },
	{ RLIMIT_NPROC, "nproc", INF, INF, 0, 0 },
	{ RLIMIT_CPU, "cpu", INF, INF, 0, INF },
	{ RLIMIT_DATA, "data", INF, INF, 0, INF },
	{ RLIMIT_AS, "as", INF, INF, 0, INF },
	{ RLIMIT_RSS, "rss", INF, INF, 0, INF },
	{ RLIMIT_STACK, "stack", MiB(8), INF, 0, MiB(8) },
	{ RLIMIT_MEMLOCK, "memlock", MiB(8), MiB(8), 0, MiB(8) },
	{ RLIMIT_LOCKS, "locks", INF, INF, 0, INF },
	{ RLIMIT_SIGPENDING, "sigpending", KEEP, KEEP, 0, 0 },
	{ RLIMIT_MSGQUEUE, "msgqueue", 819200, 819200, 0, 819200 },
	{ RLIMIT_NICE, "nice", 0, 0, 0, 0 },
	{ RLIMIT_RTPRIO, "rtprio", 0, 0, 0, 0 },
	{ RLIMIT_RTTIME, "rttime", INF, INF, 0, INF },
};

/* Row I; STRICT: the soft limit must reach SERVICE_MIN, not CUTOVER_MIN. */
static int
reset_limit(size_t i, bool strict, char *why, size_t whylen)
{
	struct rlimit cur, rl;
	rlim_t minimum;

	if (getrlimit(limits[i].resource, &cur) == -1) {
		snprintf(why, whylen, "cannot read the resource limit %s: %s",
		    limits[i].name, strerror(errno));
		return -1;
	}
	rl.rlim_max = limits[i].hard == KEEP ? cur.rlim_max : limits[i].hard;
	rl.rlim_cur = limits[i].soft == KEEP ? rl.rlim_max : limits[i].soft;
	minimum = strict ? limits[i].service_min : limits[i].cutover_min;
	if (setrlimit(limits[i].resource, &rl) == 0)
		return 0;
	/* Without CAP_SYS_RESOURCE: only as high as the hard limit. */
	if (rl.rlim_max > cur.rlim_max)
		rl.rlim_max = cur.rlim_max;
	if (rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	if (rl.rlim_cur < minimum ||
	    setrlimit(limits[i].resource, &rl) == -1) {
		snprintf(why, whylen, "the resource limit %s is too low and "
		    "cannot be raised here; raise it (ulimit) and retry",
		    limits[i].name);
		return -1;
	}
	return 0;
}

static int
reset_limits(bool strict, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (reset_limit(i, strict, why, whylen) == -1)
			return -1;
	return 0;
}

/*
 * The kernel's struct sigaction (asm-generic layout, amd64 and arm64 alike),
 * for the two signals glibc keeps for itself (32 and 33): its sigaction()
 * refuses them, and a disposition the caller set survives execve.
 */
struct kernel_sigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

/*
 * "NAME:\t<hex>" of this thread's status, or ~0 when it can't be read.
 * The thread's: the signal mask is a thread's (and so the read-back of
 * privilege_verify, of /proc/self/status, is the only open of that path
 * a step makes: t-faults.sh faults it alone).
 */
static unsigned long long
status_hex(const char *name)
{
	char buf[4096];
	unsigned long long v;

	if (procfs_read("/proc/thread-self/status", buf, sizeof(buf)) == -1 ||
	    procfs_status_field(buf, name, 16, &v) == -1)
		return ~0ULL;
	return v;
}

#define SIGBIT(s) (1ULL << ((s) - 1))

/*
 * Every disposition to SIG_DFL but IGNORED's (a bit per signal), an empty
 * mask, read back from the kernel.  An ignored SIGCHLD would break
 * waitpid(), a blocked SIGALRM or SIGTERM would hide timeouts.
 */
static int
set_signals(unsigned long long ignored, char *why, size_t whylen)
{
	struct kernel_sigaction dfl = { SIG_DFL, 0, NULL, 0 }, old;
	struct sigaction sa;
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		sa.sa_handler = ignored & SIGBIT(sig) ? SIG_IGN : SIG_DFL;
		(void)sigaction(sig, &sa, NULL);  /* EINVAL: 32, 33 */
	}
	/*
	 * glibc's own (32, 33): only an ignored one can be the caller's (a
	 * handler is glibc's, installed when it needs it, and execve drops
	 * it), so only that one is reset.
	 */
	for (sig = __SIGRTMIN; sig < SIGRTMIN; sig++)
		if (syscall(SYS_rt_sigaction, sig, NULL, &old,
		    sizeof(old.mask)) == 0 && old.handler == SIG_IGN)
			(void)syscall(SYS_rt_sigaction, sig, &dfl, NULL,
			    sizeof(dfl.mask));
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	if (status_hex("SigIgn") != ignored || status_hex("SigBlk") != 0) {
		snprintf(why, whylen, "cannot reset the signal dispositions "
		    "and mask (SigIgn %llx, SigBlk %llx)", status_hex("SigIgn"),
		    status_hex("SigBlk"));
		return -1;
	}
	return 0;
}

/*
 * cutover's own: SIGPIPE ignored so that a closed pipe on stdout gives
 * EPIPE instead of killing the process between two steps of an action;
 * SIGXFSZ so that a write past RLIMIT_FSIZE fails with EFBIG (and is
 * refused) instead of killing it before it said a word.
 */
#define OWN_IGNORED (SIGBIT(SIGPIPE) | SIGBIT(SIGXFSZ))

/*
 * Scheduling: SCHED_OTHER without SCHED_RESET_ON_FORK (from SCHED_IDLE,
 * SCHED_BATCH or a real-time policy: raising needs CAP_SYS_NICE), nice 0,
 * I/O class "none" (the kernel's default: derived from nice), and 50 us of
 * timer slack - the kernel's initial value, not PR_SET_TIMERSLACK's 0,
 * which means "the default" fork copied from the parent: the caller's.
 */
static int
reset_scheduling(char *why, size_t whylen)
{
	struct sched_param none = { 0 };
	const char *what = NULL;

	if (sched_getscheduler(0) != SCHED_OTHER &&
	    sched_setscheduler(0, SCHED_OTHER, &none) == -1)
		what = "the scheduling policy";
	else if (getpriority(PRIO_PROCESS, 0) != 0 &&
	    setpriority(PRIO_PROCESS, 0, 0) == -1)
		what = "the nice value";
	else if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0,
	    IOPRIO_PRIO_VALUE(IOPRIO_CLASS_NONE, 0)) == -1)
		what = "the I/O priority";
	else if (prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) != TIMERSLACK_NS &&
	    prctl(PR_SET_TIMERSLACK, TIMERSLACK_NS, 0, 0, 0) == -1)
		what = "the timer slack";
	if (what != NULL) {
		snprintf(why, whylen, "cannot reset %s: %s", what,
		    strerror(errno));
		return -1;
	}
	if (sched_getscheduler(0) != SCHED_OTHER ||
	    getpriority(PRIO_PROCESS, 0) != 0 ||
	    prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) != TIMERSLACK_NS) {
		snprintf(why, whylen, "the scheduling state did not take "
		    "(read back)");
		return -1;
	}
	return 0;
}

/*
 * Affinity: every CPU.  The kernel intersects the mask with what the
 * process's cpuset allows (and the CPUs that exist), which is what a
 * process the caller did not pin has; PID 1's mask is not readable
 * everywhere, and /sys's online list would be a read that can fail.
 * 8192 CPUs is the kernel's largest NR_CPUS; a longer mask than the
 * kernel's is accepted.
 */
static int
reset_affinity(char *why, size_t whylen)
{
	static unsigned long all[8192 / (8 * sizeof(unsigned long))];

	memset(all, 0xff, sizeof(all));
	if (sched_setaffinity(0, sizeof(all), (cpu_set_t *)all) == 0)
		return 0;
	snprintf(why, whylen, "cannot reset the CPU affinity: %s",
	    strerror(errno));
	return -1;
}

int
hygiene_oom_score_adj(int adj, char *why, size_t whylen)
{
	static const char oom[] = "/proc/self/oom_score_adj";
	char buf[32], want[32];
	int fd, ok, len = snprintf(want, sizeof(want), "%d\n", adj);

	if (procfs_read(oom, buf, sizeof(buf)) == -1)
		ok = 0;
	else if (strcmp(buf, want) == 0)
		ok = 1;
	else {
		ok = (fd = open(oom, O_WRONLY | O_CLOEXEC)) != -1 &&
		    write(fd, want, (size_t)len - 1) == len - 1;
		if (fd != -1)
			close(fd);
		ok = ok && procfs_read(oom, buf, sizeof(buf)) == 0 &&
		    strcmp(buf, want) == 0;
	}
	if (!ok) {
		snprintf(why, whylen, "cannot set oom_score_adj to %d: %s", adj,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * oom_score_adj 0: the caller may raise it (to 1000, the OOM killer's
 * first choice) and lower it again only down to the floor a privileged
 * writer left; below that needs CAP_SYS_RESOURCE.  Personality 0
 * (PER_LINUX: no READ_IMPLIES_EXEC, no ADDR_NO_RANDOMIZE).  Each is
 * written only when it differs, so that a process without privilege (a
 * launch child) passes where nothing was changed since start-up.
 */
static int
reset_placement(char *why, size_t whylen)
{
	if (hygiene_oom_score_adj(0, why, whylen) == -1)
		return -1;
	if (personality(0xffffffff) != PER_LINUX &&
	    (personality(PER_LINUX) == -1 ||
	    personality(0xffffffff) != PER_LINUX)) {
		snprintf(why, whylen, "cannot reset the personality: %s",
		    strerror(errno));
		return -1;
	}
	return reset_affinity(why, whylen);
}

/* Both resets; STRICT as in reset_limit(). */
static int
reset_process(bool strict, char *why, size_t whylen)
{
	/* Signals first: SIGXFSZ must be harmless before the first write. */
	if (set_signals(OWN_IGNORED, why, whylen) == -1 ||
	    reset_limits(strict, why, whylen) == -1 ||
	    reset_scheduling(why, whylen) == -1 ||
	    reset_placement(why, whylen) == -1)
		return -1;
	(void)umask(022);
	return 0;
}

int
hygiene_reset_process(char *why, size_t whylen)
{
	return reset_process(false, why, whylen);
}

int
hygiene_reset_for_exec(char *why, size_t whylen)
{
	if (reset_process(true, why, whylen) == -1)
		return -1;
	/* An ignored signal survives execve: nothing of cutover's passes. */
	return set_signals(0, why, whylen);
}

/*
 * In a user namespace other than the initial one, uid 0 and capabilities
 * mean nothing outside it, and a setuid bit was not honoured: whatever
 * geteuid() says, this process is not privileged.  The initial namespace
 * maps all 2^32-1 ids onto themselves; read our own map (not PID 1's,
 * which some hosts hide even from root).
 */
static int
initial_user_namespace(const char *map)
{
	char buf[256];
	unsigned long inside, outside, count;
	int ok;

	if (procfs_read(map, buf, sizeof(buf)) == -1)
		return 0;
	ok = sscanf(buf, " %lu %lu %lu", &inside, &outside, &count) == 3 &&
	    inside == 0 && outside == 0 && count == 4294967295UL &&
	    strchr(buf, '\n') == strrchr(buf, '\n');  /* one line only */
	return ok;
}

static void
check_argv(int argc, char **argv)
{
	/* PwnKit: with argc 0, argv[1] is the first environment string. */
	if (argc < 1 || argv == NULL || argv[0] == NULL || argv[0][0] == '\0')
		refuse(EXIT_USAGE, "refusing to run without a program name in "
		    "argv[0]");
}

void
hygiene_start(int argc, char **argv)
{
	char why[256];

	fix_fds();
	/* First: until it has run, a write may die of SIGXFSZ unheard. */
	if (hygiene_reset_process(why, sizeof(why)) == -1)
		refuse(EXIT_FAILED, why);
	check_argv(argc, argv);
	/* Nothing of the caller's beyond 0-2: not a private file, not a pipe. */
	if (close_range(3, ~0U, 0) == -1)
		refuse(EXIT_FAILED, "cannot close inherited file descriptors");
	/* No core dump and no ptrace of root's memory by the caller. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		refuse(EXIT_FAILED, "cannot turn off core dumps");
	/* Nothing of the caller's environment is ever read. */
	if (clearenv() != 0)
		refuse(EXIT_FAILED, "cannot clear the environment");
	/*
	 * Kept (O_PATH: no read access) so that a command which has dropped
	 * to the caller's credentials can resolve the caller's relative
	 * paths; everything else runs in "/".
	 */
	caller_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (chdir("/") == -1)
		refuse(EXIT_FAILED, "cannot change directory to /");
}

/*
 * May this process act for root?  "Am I privileged" is never decided
 * from geteuid() alone: in a user namespace euid 0 is a local fiction.
 */
int
hygiene_privileged(char *why, size_t whylen)
{
	if (!initial_user_namespace("/proc/self/uid_map") ||
	    !initial_user_namespace("/proc/self/gid_map")) {
		snprintf(why, whylen, "refusing to run inside a user namespace "
		    "(or without /proc): privileges there are not real");
		return EXIT_REFUSED;
	}
	if (geteuid() != 0) {
		snprintf(why, whylen, "not installed setuid root (install it "
		    "mode 4750, owner root, group cutover)");
		return EXIT_POLICY;
	}
	return 0;
}

int
hygiene_take_caller_cwd(void)
{
	int fd = caller_cwd;

	caller_cwd = -1;
	return fd;
}
