/*
 * rootdir.c - a directory only root may use (rootdir.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper/act/rootdir.h"
#include "helper/lib/why.h"
#include "policy/safepath.h"

/*
 * safepath's make_dir(): NAME in PARENT, made 0700 root:root if missing
 * (a setuid process creates in the caller's group: the fchown puts it
 * right).  PARENT is root-only, so no one else can have made or swapped
 * NAME meanwhile.
 */
static int
make_root_dir(void *ctx, int parent, const char *name, bool last)
{
	int fd, e;

	(void)ctx;
	(void)last;
	if (mkdirat(parent, name, 0700) == -1 && errno != EEXIST)
		return -1;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fchown(fd, 0, 0) == -1) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

int
rootdir_open(const char *dir, const char *what, char *why, size_t whylen)
{
	struct safepath w = { .make_dir = make_root_dir };
	const char *at;
	int fd, e;

	if (dir[0] != '/' || strlen(dir) >= PATH_MAX)
		return why_set(why, whylen, "the %s %s is not an absolute path",
		    what, dir);
	if ((fd = safepath_open(dir, &w)) != -1)
		return fd;
	at = strcmp(w.at, "/") == 0 ? "" : w.at;
	if (w.stop == SAFEPATH_ERRNO && *at == '\0')
		return why_set(why, whylen, "%s %s: /: %s", what, dir,
		    strerror(w.err));
	if (w.stop == SAFEPATH_UNSAFE)
		return why_set(why, whylen,
		    "%s %s: %s/ is not safe: it must be owned by root and "
		    "writable only by root", what, dir, at);
	e = w.stop == SAFEPATH_ERRNO ? w.err : w.stop == SAFEPATH_DOTS ?
	    EINVAL : w.stop == SAFEPATH_TOO_LONG ? ENAMETOOLONG : ENOTDIR;
	return why_set(why, whylen, "%s %s: %s: %s%s", what, dir, at,
	    strerror(e), e == ENOTDIR || e == ELOOP ?
	    " (or a symlink, which is refused)" : "");
}

