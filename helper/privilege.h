/*
 * privilege.h - every change of credentials the helper makes, in one place.
 */
#ifndef CUTOVER_PRIVILEGE_H
#define CUTOVER_PRIVILEGE_H

/*
 * Become the caller for good: real, effective and saved uid and gid all
 * the caller's real ones.  Returns 0, or -1 (with a message on stderr)
 * when the drop could not be made or verified; the caller must then stop.
 */
int privilege_drop_to_caller(void);

#endif
