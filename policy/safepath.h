/*
 * safepath.h - the one safe-path walk: from "/" to an absolute path, one
 * component at a time, each opened relative to the one above with
 * O_PATH|O_NOFOLLOW and checked with fstat() on that descriptor, so that
 * nothing can be swapped between the check and the use.  The policy files
 * (files.c), a service's binaries (helper/act/svc/proc.c), the audit
 * log's directory (helper/record/audit.c) and the lock directory
 * (helper/act/lock.c) are all reached through it; each caller words its
 * own messages from what the walk reports.
 *
 * It never changes privileges; it opens with whatever its caller holds.
 * It creates nothing itself: a caller that makes missing directories
 * passes make_dir, called only in a parent the walk has found safe.
 */
#ifndef CUTOVER_SAFEPATH_H
#define CUTOVER_SAFEPATH_H

#include <sys/stat.h>

#include <limits.h>
#include <stdbool.h>

/* What is wrong with one component's owner and mode (a bit mask). */
#define SAFEPATH_NOT_ROOT  1u       /* not owned by root */
#define SAFEPATH_GROUP_W   2u       /* group-writable */
#define SAFEPATH_WORLD_W   4u       /* world-writable */

/* The one test: 0 when ST is owned by root and writable by root only. */
unsigned safepath_bad(const struct stat *st);

/* Why a walk stopped. */
enum safepath_stop {
	SAFEPATH_UNSAFE,        /* a component's owner or mode (bad, st) */
	SAFEPATH_SYMLINK,       /* a symlink, and follow is off (target) */
	SAFEPATH_LOOP,          /* more than 40 symlinks followed */
	SAFEPATH_NOT_DIR,       /* a component above the last is not a dir */
	SAFEPATH_IS_DIR,        /* want_file, and the path is a directory */
	SAFEPATH_NOT_FILE,      /* want_file, and it is not a regular file */
	SAFEPATH_DOTS,          /* a "." or ".." component */
	SAFEPATH_NOT_ABSOLUTE,
	SAFEPATH_TOO_LONG,
	SAFEPATH_ERRNO,         /* open or fstat failed: err */
};

struct safepath {
	/* in */
	bool follow;            /* follow symlinks (each in a safe dir) */
	bool want_file;         /* the last component: a regular file */
	/*
	 * Called when a component's owner or mode is bad: return true to
	 * stop the walk there (SAFEPATH_UNSAFE), false to go on (a warning).
	 * NULL: always stop.
	 */
	bool (*unsafe)(void *ctx, const char *at, unsigned bad,
	    const struct stat *st);
	/*
	 * Make the missing directory NAME in PARENT (open, already found
	 * safe); LAST says whether it is the path's last component.  Return
	 * 0, or -1 with errno; NULL: a missing component is an error.
	 */
	int (*make_dir)(void *ctx, int parent, const char *name, bool last);
	void *ctx;
	/* out, once safepath_open returned -1 */
	enum safepath_stop stop;
	int err;                /* SAFEPATH_ERRNO: the errno */
	unsigned bad;           /* SAFEPATH_UNSAFE: SAFEPATH_* bits */
	struct stat st;         /* the component last checked */
	bool last;              /* it was the path's last component */
	char at[PATH_MAX];      /* the path walked so far, ending there */
	char target[PATH_MAX];  /* SAFEPATH_SYMLINK: where it points */
};

/*
 * Walk to PATH as W says.  Returns an O_PATH descriptor of PATH (the
 * caller closes it), or -1 with W->stop and the fields it names set.
 */
int safepath_open(const char *path, struct safepath *w);

#endif
