/*
 * hygiene.c - make the process safe to run before it reads anything.
 *
 * The caller controls argv (argc may be 0), the environment, fds 0-2 (any
 * may be closed, so the next open() would land on stdout), cwd and umask.
 * This is the first step of the setuid front; the full list (rlimits,
 * signals, dumpable, user namespaces) is the secure start-up work.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hygiene.h"

#define EXIT_USAGE 2

static int caller_cwd = -1;

/* Reopen a closed 0, 1 or 2 on /dev/null, or give up without a word. */
static void
fix_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(EXIT_USAGE);
	}
}

void
hygiene_start(int argc, char **argv)
{
	fix_fds();
	/* PwnKit: with argc 0, argv[1] is the first environment string. */
	if (argc < 1 || argv == NULL || argv[0] == NULL || argv[0][0] == '\0') {
		fputs("cutover: refusing to run without a program name in "
		    "argv[0]\n", stderr);
		exit(EXIT_USAGE);
	}
	/* Nothing of the caller's environment is ever read. */
	if (clearenv() != 0)
		_exit(EXIT_USAGE);
	umask(022);
	/*
	 * Kept (O_PATH: no read access) so that a command which has dropped
	 * to the caller's credentials can resolve the caller's relative
	 * paths; everything else runs in "/".
	 */
	caller_cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (chdir("/") == -1) {
		fputs("cutover: cannot change directory to /\n", stderr);
		exit(EXIT_USAGE);
	}
}

int
hygiene_caller_cwd(void)
{
	int fd = caller_cwd;

	caller_cwd = -1;
	return fd;
}
