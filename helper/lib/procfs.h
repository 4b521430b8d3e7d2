/*
 * procfs.h - reading a small /proc file whole, and one field of a
 * /proc/PID/status.  Every read of a status file goes through these; the
 * walks of /proc and /proc/PID/fd (holders.c, release.c, verify.c) and
 * the kernel's socket tables (holders.c, NETLINK_SOCK_DIAG) their own way.
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

/*
 * The number after "NAME:\t" at the start of a line of STATUS (the text of
 * a /proc/.../status), in BASE (16 for the Cap* and Sig* masks, 10 for
 * Threads, NoNewPrivs and the like), into V.  Returns 0, or -1 when the
 * line is missing or the value is not a number that ends the line.
 */
int procfs_status_field(const char *status, const char *name, int base,
    unsigned long long *v);

#endif
