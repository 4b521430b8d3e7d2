/*
 * procfs.c - see procfs.h.
 */
#include <fcntl.h>
#include <unistd.h>

#include "procfs.h"

int
procfs_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if (size == 0 || (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}
