/*
 * privilege.c - the one file that changes credentials.
 *
 * Today it holds only the permanent drop that the `policy` commands make
 * before they read anything: they never need privilege, and a file the
 * caller names must be opened with the caller's rights, never root's
 * (otherwise `policy check /etc/shadow` would leak root-only files through
 * its error messages).  The capability table of the actions will live here.
 */
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privilege.h"

static int
drop_failed(const char *what)
{
	fprintf(stderr, "cutover: cannot give up privileges (%s: %s); "
	    "refusing to go on\n", what, strerror(errno));
	return -1;
}

int
privilege_drop_to_caller(void)
{
	uid_t uid = getuid(), ru, eu, su;
	gid_t gid = getgid(), rg, eg, sg;

	/* Group first: once the uid is dropped the gid can't be. */
	if (setresgid(gid, gid, gid) == -1)
		return drop_failed("setresgid");
	if (setresuid(uid, uid, uid) == -1)
		return drop_failed("setresuid");
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		return drop_failed("getresuid");
	if (ru != uid || eu != uid || su != uid ||
	    rg != gid || eg != gid || sg != gid) {
		errno = EPERM;
		return drop_failed("credentials still differ");
	}
	/* POS37-C: a non-root caller must not be able to get root back. */
	if (uid != 0 && setuid(0) != -1) {
		errno = EPERM;
		return drop_failed("setuid(0) still works");
	}
	return 0;
}
