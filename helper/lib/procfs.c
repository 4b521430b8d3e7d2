/*
 * procfs.c - see procfs.h.
 */
#include <errno.h>
#include <fcntl.h>
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
