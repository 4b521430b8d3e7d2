/*
 * rootdir.h - a directory only root may use (rootdir.c): the lock
 * directory (act/lock.c) and the handoff directory (act/svc/unit.c),
 * both under /run/cutover.
 */
#ifndef CUTOVER_ROOTDIR_H
#define CUTOVER_ROOTDIR_H

#include <stddef.h>

/*
 * Open DIR (absolute) from "/" component by component through the one
 * safe-path walker (policy/safepath.h), never through a symlink, making a
 * missing one 0700 root:root; each must be owned by root and not group-
 * or world-writable.  Returns an O_PATH fd of DIR, or -1 with WHY, which
 * names it WHAT ("lock directory").
 */
int rootdir_open(const char *dir, const char *what, char *why, size_t whylen);

#endif
