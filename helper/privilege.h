/*
 * privilege.h - every change of credentials and capabilities cutover
 * makes, and the table of which step holds which capabilities
 * (privilege.c; SECURITY.md repeats it for reviewers).
 */
#ifndef CUTOVER_PRIVILEGE_H
#define CUTOVER_PRIVILEGE_H

#include <sys/capability.h>
#include <sys/types.h>

#include <stddef.h>

enum priv_step {
	STEP_CALLER,        /* nothing beyond the caller's own rights */
	STEP_FREE_PORT,     /* find, re-verify and signal port holders */
	STEP_STOP,          /* the same, for one service's processes */
	STEP_START,         /* launch a service as its user */
};

/*
 * From root (euid 0, full capabilities) to the caller's uid and gid with
 * exactly STEP's capabilities plus EXTRA (a service's own), for good.
 * Returns 0, or -1 with a message on stderr; the caller must then stop.
 */
int privilege_enter(enum priv_step step, const cap_value_t *extra,
    size_t nextra);

/* Check ids, capability sets, dumpable and no_new_privs; 0 or -1. */
int privilege_verify(uid_t uid, gid_t gid, unsigned long long capmask);

const char *privilege_step_name(enum priv_step);

/*
 * The policy commands: become the caller for good (uid and gid only).
 * Returns 0, or -1 with a message on stderr; the caller must then stop.
 */
int privilege_drop_to_caller(void);

#endif
