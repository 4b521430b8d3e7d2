/*
 * textfile.c - a check's metrics, written whole for node_exporter's
 * textfile collector (textfile.h says where, and why only there).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper/record/textfile.h"
#include "policy/safepath.h"

/*
 * CHECK as part of a file name in DIR: no '/' (no other directory), no
 * leading '.' (nothing hidden, no ".."), not empty.  The policy allows
 * far less already (policy/load.c, name_ok); this only keeps the name a
 * name whatever the caller of this function passes.
 */
static bool
file_name_ok(const char *s)
{
	return s[0] != '\0' && s[0] != '.' && strchr(s, '/') == NULL &&
	    strlen(s) <= 64;
}

/*
 * DIR, opened without following a link, if it is one to write into: a
 * directory that only root may change (safepath_bad, the one test of
 * owner and mode; owned by this process's euid also does, for the unit
 * tests - in cutover that is root).  Only DIR itself is checked, not the
 * path to it, as the policy's walk does: Debian's node_exporter directory
 * lies in /var/lib/prometheus, which is the prometheus user's.  Nothing
 * above it matters once it is held: whatever its parents become, what is
 * written goes into this directory, where only root adds or renames.
 */
static int
open_dir(const char *dir, char *why, size_t whylen)
{
	struct stat st;
	unsigned bad;
	int dfd;

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd == -1) {
		snprintf(why, whylen, "cannot open %s (%s)%s", dir,
		    strerror(errno), errno == ENOENT ? ": install "
		    "prometheus-node-exporter, or create it 0755 root:root" : "");
		return -1;
	}
	if (fstat(dfd, &st) == -1) {
		snprintf(why, whylen, "cannot stat %s (%s)", dir, strerror(errno));
		close(dfd);
		return -1;
	}
	bad = safepath_bad(&st);
	if (st.st_uid == geteuid())
		bad &= ~SAFEPATH_NOT_ROOT;
	if (bad != 0) {
		snprintf(why, whylen, "%s is not safe to write metrics into: it "
		    "must be root's and writable by root alone", dir);
		close(dfd);
		return -1;
	}
	return dfd;
}

static int
write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, s, n);

		if (k == -1 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (k == 0)
				errno = EIO;
			return -1;
		}
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

int
textfile_write(const char *dir, const char *check, const char *content,
    char *why, size_t whylen)
{
	char final[128], tmp[160];
	int dfd, fd, err;

	if (!file_name_ok(check)) {
		snprintf(why, whylen, "no metrics file for a check named so");
		return -1;
	}
	snprintf(final, sizeof(final), "cutover_%s.prom", check);
	snprintf(tmp, sizeof(tmp), ".%s.%ld", final, (long)getpid());
	if ((dfd = open_dir(dir, why, whylen)) == -1)
		return -1;
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1 && errno == EEXIST) {
		/* left by an earlier run of this pid that died midway */
		(void)unlinkat(dfd, tmp, 0);
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
	}
	if (fd == -1) {
		snprintf(why, whylen, "cannot create %s/%s (%s)", dir, tmp,
		    strerror(errno));
		close(dfd);
		return -1;
	}
	/*
	 * 0644 whatever the umask (the exporter's user reads it), and
	 * root's group, not the caller's (the transaction keeps the
	 * caller's gid: only its uids are 0).
	 */
	if (fchmod(fd, 0644) == -1 ||
	    (geteuid() == 0 && fchown(fd, 0, 0) == -1) ||
	    write_all(fd, content, strlen(content)) ||
	    fdatasync(fd) == -1) {
		err = errno;
		close(fd);
		(void)unlinkat(dfd, tmp, 0);
		close(dfd);
		snprintf(why, whylen, "cannot write %s/%s (%s)", dir, tmp,
		    strerror(err));
		return -1;
	}
	if (close(fd) == -1 || renameat(dfd, tmp, dfd, final) == -1) {
		err = errno;
		(void)unlinkat(dfd, tmp, 0);
		close(dfd);
		snprintf(why, whylen, "cannot put %s/%s in place (%s)", dir,
		    final, strerror(err));
		return -1;
	}
	close(dfd);
	return 0;
}
