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
	STEP_START_ROOT,    /* watch a root service launched while root */
	STEP_UNIT,          /* ask systemd to start a unit, and watch it */
	STEP_READ,          /* read and judge what root made: no capability */
	STEP_LOOK,          /* see who holds a check's port (served_by) */
	STEP_CHECK,         /* a check's fetch: the check user, nothing */
};

/*
 * From root (euid 0, full capabilities) to exactly STEP's capabilities
 * plus EXTRA (a service's own), for good: as the caller for STEP_CALLER,
 * as the check user (privilege_set_check_user) with no supplementary
 * groups and its own resource limits for STEP_CHECK, as the step user
 * (privilege_set_step_user) with no supplementary groups for every other
 * step.  Returns 0, or -1 with a message on stderr; the
 * caller must then stop.
 */
int privilege_enter(enum priv_step step, const cap_value_t *extra,
    size_t nextra);

/*
 * The ids every step but STEP_CALLER runs as: CUTOVER_STEP_USER's, which
 * must be neither root nor the caller.  Returns 0, or -1 with WHY.
 */
int privilege_set_step_user(uid_t uid, gid_t gid, char *why, size_t whylen);

/*
 * The ids STEP_CHECK runs as: CUTOVER_CHECK_USER's, which must be neither
 * root, nor the caller (who could kill or stop the check and so force a
 * switch's rollback), nor the step user (a check parses what a server
 * sends: taken over, it must not be able to signal a step that holds
 * capabilities).  Returns 0, or -1 with WHY.
 */
int privilege_set_check_user(uid_t uid, gid_t gid, char *why, size_t whylen);

/* The check user's ids, once set: 0, else -1. */
int privilege_check_user(uid_t *uid, gid_t *gid);

/*
 * Check ids (real, effective, saved and filesystem), capability sets,
 * dumpable and no_new_privs; 0 or -1.
 */
int privilege_verify(uid_t uid, gid_t gid, unsigned long long capmask);

/*
 * The message of the last failure above ("cannot set up privileges
 * (setresuid: ...); refusing to go on"), for a step to put in its result:
 * a step's stderr is /dev/null.
 */
const char *privilege_error(void);

/*
 * Before a transaction is forked (transaction.c): every uid 0, so
 * that the caller cannot signal, ptrace or prlimit the transaction at any
 * instant of its life; root's capabilities are kept for the steps it
 * forks, and the caller's ids for STEP_CALLER and for the front.  Returns
 * 0, or -1 with a message on stderr.
 */
int privilege_become_transaction(void);

/*
 * The policy commands, --help, and a transaction's front: become the
 * caller for good (uid and gid only), not dumpable.
 * Returns 0, or -1 with a message on stderr; the caller must then stop.
 */
int privilege_drop_to_caller(void);

/*
 * start: the launched child, between fork and execve (act/svc/proc.c).  Each
 * returns 0, or -1 with the reason in WHY (the child's stderr is already
 * /dev/null; the parent reports WHY).
 *
 * A non-root service, in the STEP_START step: supplementary groups GROUPS
 * (the caller's do not survive), gid, uid (real, effective, saved), then
 * permitted = effective = inheritable = CAPS and each of CAPS raised as
 * ambient, no_new_privs; everything read back.  uid 0 is refused here.
 */
int privilege_become_service(uid_t uid, gid_t gid, const gid_t *groups,
    size_t ngroups, const cap_value_t *caps, size_t ncaps, char *why,
    size_t whylen);

/*
 * An allow_root service, in a process that still holds root (no step
 * entered): GROUPS (root's), GID (0, or the service's group) and uid 0
 * (real, effective, saved), root's full capability set with inheritable
 * and ambient empty, no securebits, no_new_privs; everything read back.
 */
int privilege_become_root_service(gid_t gid, const gid_t *groups,
    size_t ngroups, char *why, size_t whylen);

#endif
