/*
 * procfs.h - reading a small /proc file whole, the one way.
 */
#ifndef CUTOVER_PROCFS_H
#define CUTOVER_PROCFS_H

#include <stddef.h>

/*
 * Read PATH (at most SIZE - 1 bytes) into BUF, NUL-terminated.  Returns
 * 0, or -1 when it can't be opened or is empty.  One read(): /proc files
 * of this size are produced whole.
 */
int procfs_read(const char *path, char *buf, size_t size);

#endif
