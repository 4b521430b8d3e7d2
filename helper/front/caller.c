/*
 * caller.c - who is asking, from the kernel's view of this process: the
 * real uid and gid and the current supplementary groups, named by the
 * password and group databases.  Never from $USER, $LOGNAME or argv.
 * Any lookup error refuses; nothing defaults to root.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/front/caller.h"
#include "helper/lib/procfs.h"

#define NSS_BUF_MAX (1 << 20)

/*
 * One lookup by id, getpwuid_r (into PW) or, with PW NULL, getgrgid_r
 * (into GR), with a growing buffer: ERANGE is not an error.  Returns 0
 * with *FOUND, or an errno.  *BUF holds the entry's strings; the caller
 * frees it.
 */
static int
nss_by_id(unsigned long id, struct passwd *pw, struct group *gr,
    char **buf, bool *found)
{
	struct passwd *pw_res = NULL;
	struct group *gr_res = NULL;
	size_t size = 1024;
	char *p;
	int rc;

	*buf = NULL;
	for (;;) {
		if ((p = realloc(*buf, size)) == NULL)
			return ENOMEM;
		*buf = p;
		rc = pw != NULL ?
		    getpwuid_r((uid_t)id, pw, p, size, &pw_res) :
		    getgrgid_r((gid_t)id, gr, p, size, &gr_res);
		if (rc != ERANGE || size >= NSS_BUF_MAX)
			break;
		size *= 2;
	}
	*found = pw_res != NULL || gr_res != NULL;
	return rc;
}

static int
lookup_user(uid_t uid, struct caller *c, char *why, size_t whylen)
{
	struct passwd pw;
	char *buf;
	bool found;
	int rc = nss_by_id(uid, &pw, NULL, &buf, &found);

	if (rc == 0 && found) {
		c->name = strdup(pw.pw_name);
		c->home = strdup(pw.pw_dir);
		rc = c->name && c->home ? 0 : ENOMEM;
	} else if (rc == 0)
		snprintf(why, whylen, "uid %lu is not in the password database",
		    (unsigned long)uid);
	if (rc != 0)
		snprintf(why, whylen, "cannot look up uid %lu: %s",
		    (unsigned long)uid, strerror(rc));
	free(buf);
	return rc == 0 && c->name != NULL ? 0 : -1;
}

/*
 * The name of one group; a gid with no name is left out (no rule can
 * name it), but a lookup error refuses.
 */
static int
lookup_group(gid_t gid, char **name, char *why, size_t whylen)
{
	struct group gr;
	char *buf;
	bool found;
	int rc = nss_by_id(gid, NULL, &gr, &buf, &found);

	*name = NULL;
	if (rc == 0 && found && (*name = strdup(gr.gr_name)) == NULL)
		rc = ENOMEM;
	free(buf);
	if (rc != 0) {
		snprintf(why, whylen, "cannot look up gid %lu: %s",
		    (unsigned long)gid, strerror(rc));
		return -1;
	}
	return 0;
}

static int
load_gids(struct caller *c, char *why, size_t whylen)
{
	int n = getgroups(0, NULL), m, i;

	if (n < 0 || n > CALLER_GROUPS_MAX ||
	    (c->gids = calloc((size_t)n + 1, sizeof(gid_t))) == NULL) {
		snprintf(why, whylen, "cannot read the caller's groups");
		return -1;
	}
	c->gids[0] = c->gid;
	if ((m = getgroups(n, c->gids + 1)) < 0) {
		snprintf(why, whylen, "cannot read the caller's groups: %s",
		    strerror(errno));
		return -1;
	}
	c->ngids = 1;
	for (i = 1; i <= m; i++)
		if (c->gids[i] != c->gid)
			c->gids[c->ngids++] = c->gids[i];
	return 0;
}

static int
load_group_names(struct caller *c, char *why, size_t whylen)
{
	size_t i, k = 0;
	char *name;

	if ((c->group_names = calloc(c->ngids + 1, sizeof(char *))) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (i = 0; i < c->ngids; i++) {
		if (lookup_group(c->gids[i], &name, why, whylen) == -1)
			return -1;
		if (name != NULL)
			c->group_names[k++] = name;
	}
	c->subject.user = c->name;
	c->subject.groups = (const char *const *)c->group_names;
	c->subject.ngroups = k;
	return 0;
}

/* The tty_nr field of /proc/self/stat (procfs_stat_parse). */
static int
controlling_tty_dev(dev_t *dev)
{
	struct procfs_stat st;
	char buf[1024];
	unsigned long long nr;

	if (procfs_read("/proc/self/stat", buf, sizeof(buf)) == -1 ||
	    procfs_stat_parse(buf, &st) == -1 || (nr = st.tty_nr) == 0)
		return -1;
	*dev = makedev((nr >> 8) & 0xfff, (nr & 0xff) | ((nr >> 12) & 0xfff00));
	return 0;
}

/*
 * The caller's controlling terminal, for the audit record and PAM_TTY:
 * the kernel's tty_nr, not ttyname(0), because fds 0-2 are the caller's
 * to point at any terminal they can open (and pam_time/pam_access read
 * PAM_TTY).  Only the usual names are tried; otherwise the record says
 * none.
 */
static void
find_tty(struct caller *c)
{
	struct stat st;
	dev_t dev;
	char path[64];

	c->tty[0] = '\0';
	if (controlling_tty_dev(&dev) == -1)
		return;
	if (major(dev) >= 136 && major(dev) <= 143)
		snprintf(path, sizeof(path), "/dev/pts/%u",
		    (major(dev) - 136) * 256 + minor(dev));
	else if (major(dev) == 4 && minor(dev) < 64)
		snprintf(path, sizeof(path), "/dev/tty%u", minor(dev));
	else
		return;
	if (stat(path, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == dev)
		snprintf(c->tty, sizeof(c->tty), "%s", path);
}

int
caller_identify(struct caller *c, char *why, size_t whylen)
{
	memset(c, 0, sizeof(*c));
	c->uid = getuid();
	c->gid = getgid();
	if (lookup_user(c->uid, c, why, whylen) == -1 ||
	    load_gids(c, why, whylen) == -1 ||
	    load_group_names(c, why, whylen) == -1) {
		caller_free(c);
		return -1;
	}
	find_tty(c);
	return 0;
}

void
caller_free(struct caller *c)
{
	size_t i;

	if (c->group_names != NULL)
		for (i = 0; c->group_names[i] != NULL; i++)
			free(c->group_names[i]);
	free(c->group_names);
	free(c->gids);
	free(c->name);
	free(c->home);
	memset(c, 0, sizeof(*c));
}
