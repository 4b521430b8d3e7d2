/*
 * procfs.h - reading a small /proc file whole, the one way.
 */
#ifndef CUTOVER_PROCFS_H
#define CUTOVER_PROCFS_H

#include <stddef.h>

/*
 * Read PATH (at most SIZE - 1 bytes) into BUF, NUL-terminated.  Returns
 * 0, or -1 with errno when it can't be opened or read (ENOENT or ESRCH:
 * the process it belongs to is gone), is empty (ENODATA) or does not fit
 * (EOVERFLOW): a file cut short is not read.  One read(): /proc files of
 * this size are produced whole.
 */
int procfs_read(const char *path, char *buf, size_t size);

#endif
