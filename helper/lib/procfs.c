/*
 * procfs.c - see procfs.h.
 */
#include <errno.h>
#include <fcntl.h>
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

int
procfs_status_field(const char *status, const char *name, int base,
    unsigned long long *v)
{
	size_t len = strlen(name);
	unsigned long long n;
	const char *p;
	char *end;

	for (p = status; p != NULL; p = (p = strchr(p, '\n')) ? p + 1 : NULL)
		if (strncmp(p, name, len) == 0 && p[len] == ':' &&
		    p[len + 1] == '\t')
			break;
	if (p == NULL || !((p[len + 2] >= '0' && p[len + 2] <= '9') ||
	    (base == 16 && strchr("abcdef", p[len + 2]) != NULL)))
		return -1;
	errno = 0;
	n = strtoull(p + len + 2, &end, base);
	if (errno != 0 || (*end != '\n' && *end != '\0'))
		return -1;
	*v = n;
	return 0;
}
