/*
 * procfs.c - see procfs.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/lib/procfs.h"

int
procfs_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, e;

	if (size < 2) {
		errno = EINVAL;
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, size - 1);
	e = errno;
	close(fd);
	if (n < 0) {
		errno = e;
		return -1;
	}
	if (n == 0 || (size_t)n == size - 1) {
		errno = n == 0 ? ENODATA : EOVERFLOW;
		return -1;
	}
	buf[n] = '\0';
	return 0;
}

/*
 * The number of plain digits (BASE 10 or 16, lower case as the kernel
 * writes them) at P, at most MAX, into *V: the end of the digits, or NULL
 * when there is none or it is over MAX.  No sign, no blank, no "0x":
 * strtoull would take all three.
 */
static const char *
digits(const char *p, int base, unsigned long long max,
    unsigned long long *v)
{
	const char *start = p;
	unsigned long long n = 0;
	unsigned d;

	for (;; p++) {
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else
			break;
		if (n > (max - d) / (unsigned)base)
			return NULL;
		n = n * (unsigned)base + d;
	}
	if (p == start)
		return NULL;
	*v = n;
	return p;
}

/* The line of TEXT that starts with PREFIX: just after the prefix, or NULL. */
static const char *
line_after(const char *text, const char *prefix)
{
	size_t len = strlen(prefix);
	const char *p;

	for (p = text; p != NULL; p = (p = strchr(p, '\n')) ? p + 1 : NULL)
		if (strncmp(p, prefix, len) == 0)
			return p + len;
	return NULL;
}

int
procfs_status_field(const char *status, const char *name, int base,
    unsigned long long *v)
{
	unsigned long long n;
	char prefix[64];
	const char *p;

	if (snprintf(prefix, sizeof(prefix), "%s:\t", name) >= (int)sizeof(prefix) ||
	    (p = line_after(status, prefix)) == NULL ||
	    (p = digits(p, base, ULLONG_MAX, &n)) == NULL ||
	    (*p != '\n' && *p != '\0'))
		return -1;
	*v = n;
	return 0;
}

int
procfs_stat_parse(const char *text, struct procfs_stat *st)
{
	unsigned long long ppid, skip;
	const char *p = strrchr(text, ')');
	char state;
	int i;

	/* " S PPID": the state is one letter */
	if (p == NULL || p[1] != ' ' || !((p[2] >= 'A' && p[2] <= 'Z') ||
	    (p[2] >= 'a' && p[2] <= 'z')) || p[3] != ' ')
		return -1;
	state = p[2];
	if ((p = digits(p + 4, 10, INT_MAX, &ppid)) == NULL)
		return -1;
	for (i = 0; i < 2; i++)         /* pgrp, session */
		if (*p++ != ' ' || (p = digits(p, 10, INT_MAX, &skip)) == NULL)
			return -1;
	if (*p++ != ' ' || (p = digits(p, 10, UINT_MAX, &st->tty_nr)) == NULL ||
	    (*p != ' ' && *p != '\n'))
		return -1;
	st->state = state;
	st->ppid = (pid_t)ppid;
	return 0;
}

int
procfs_status_uids(const char *status, uid_t *uid, uid_t *euid)
{
	unsigned long long r, e;
	const char *p = line_after(status, "Uid:\t");

	/* (uid_t)-1 is no user: the kernel writes 65534 for an unmapped one */
	if (p == NULL || (p = digits(p, 10, UINT_MAX - 1, &r)) == NULL ||
	    *p++ != '\t' || (p = digits(p, 10, UINT_MAX - 1, &e)) == NULL ||
	    *p != '\t')
		return -1;
	*uid = (uid_t)r;
	*euid = (uid_t)e;
	return 0;
}

int
procfs_syscall_nr(const char *text, long *nr)
{
	unsigned long long v;
	const char *p = digits(text, 10, 1UL << 20, &v);

	/* "running", "-1 SP PC" (in no call) */
	if (p == NULL || *p != ' ')
		return -1;
	*nr = (long)v;
	return 0;
}
