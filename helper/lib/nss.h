/*
 * nss.h - what a NULL from the password or group database means.
 */
#ifndef CUTOVER_NSS_H
#define CUTOVER_NSS_H

#include <errno.h>
#include <stdbool.h>

/*
 * After getpw*() or getgr*() returned NULL with errno E: true when that
 * means "no such entry" (0 and the values getpwnam(3) lists for it),
 * false for a real error, which must refuse rather than be taken as
 * "nobody".
 */
static inline bool
nss_not_found(int e)
{
	return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM;
}

#endif
