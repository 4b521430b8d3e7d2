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
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exitcodes.h"
#include "hygiene.h"
#include "procfs.h"

static int caller_cwd = -1;

static void __attribute__((noreturn))
refuse(int status, const char *what)
{
	fprintf(stderr, "cutover: %s\n", what);
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
 * What every limit is set to.  Raised where a low limit could make a step
 * fail half-way (NOFILE 3 would fail the policy's open(), FSIZE 0 would
 * cut the audit record), lowered where a high one is a risk (CORE: no
 * dumps of root's memory).  Hosts that deny root CAP_SYS_RESOURCE (some
 * containers) can't raise a hard limit the caller lowered: then the soft
 * limit goes as high as the hard one allows, and where that is below the
 * minimum a step needs, the request is refused.  FSIZE must be unlimited:
 * a limit inside the audit file would let the caller cut a record short
 * (a partial line) before the write is seen to fail.
 */
static const struct {
	int resource;
	const char *name;
	rlim_t soft, hard, minimum;
} limits[] = {
	{ RLIMIT_CORE, "core", 0, 0, 0 },
	{ RLIMIT_FSIZE, "fsize", RLIM_INFINITY, RLIM_INFINITY, RLIM_INFINITY },
	{ RLIMIT_NOFILE, "nofile", 1024, 4096, 64 },
	{ RLIMIT_NPROC, "nproc", RLIM_INFINITY, RLIM_INFINITY, 0 },
	{ RLIMIT_CPU, "cpu", RLIM_INFINITY, RLIM_INFINITY, 0 },
	{ RLIMIT_DATA, "data", RLIM_INFINITY, RLIM_INFINITY, 0 },
	{ RLIMIT_AS, "as", RLIM_INFINITY, RLIM_INFINITY, 0 },
	{ RLIMIT_STACK, "stack", 8 * 1024 * 1024, RLIM_INFINITY, 0 },
	{ RLIMIT_LOCKS, "locks", RLIM_INFINITY, RLIM_INFINITY, 0 },
	{ RLIMIT_RTTIME, "rttime", RLIM_INFINITY, RLIM_INFINITY, 0 },
};

static void
reset_limit(size_t i)
{
	struct rlimit rl = { limits[i].soft, limits[i].hard }, cur;
	char msg[128];

	if (setrlimit(limits[i].resource, &rl) == 0)
		return;
	if (getrlimit(limits[i].resource, &cur) == -1)
		refuse(EXIT_FAILED, "cannot read the resource limits");
	if (rl.rlim_max > cur.rlim_max)
		rl.rlim_max = cur.rlim_max;
	if (rl.rlim_cur > rl.rlim_max)
		rl.rlim_cur = rl.rlim_max;
	if (setrlimit(limits[i].resource, &rl) == -1 ||
	    rl.rlim_cur < limits[i].minimum) {
		snprintf(msg, sizeof(msg), "the resource limit %s is too low "
		    "and cannot be raised here; raise it (ulimit) and retry",
		    limits[i].name);
		refuse(EXIT_FAILED, msg);
	}
}

static void
reset_limits(void)
{
	size_t i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		reset_limit(i);
}

/*
 * Default dispositions and an empty mask: an ignored SIGCHLD would break
 * waitpid(), a blocked SIGALRM or SIGTERM would hide timeouts.  SIGPIPE is
 * ignored so that a closed pipe on stdout gives EPIPE instead of killing
 * the process between two steps of an action; SIGXFSZ so that a write
 * past RLIMIT_FSIZE fails with EFBIG (and is refused) instead of killing.
 */
static void
reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL);  /* EINVAL: RT gaps */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1 ||
	    sigaction(SIGXFSZ, &sa, NULL) == -1)
		refuse(EXIT_FAILED, "cannot reset signal dispositions");
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		refuse(EXIT_FAILED, "cannot reset the signal mask");
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
	fix_fds();
	check_argv(argc, argv);
	/* Nothing of the caller's beyond 0-2: not a private file, not a pipe. */
	if (close_range(3, ~0U, 0) == -1)
		refuse(EXIT_FAILED, "cannot close inherited file descriptors");
	/* No core dump and no ptrace of root's memory by the caller. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		refuse(EXIT_FAILED, "cannot turn off core dumps");
	reset_limits();
	reset_signals();
	/* Nothing of the caller's environment is ever read. */
	if (clearenv() != 0)
		refuse(EXIT_FAILED, "cannot clear the environment");
	umask(022);
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
hygiene_caller_cwd(void)
{
	int fd = caller_cwd;

	caller_cwd = -1;
	return fd;
}
