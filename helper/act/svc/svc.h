/*
 * svc.h - the service-manager seam: everything that starts, finds, stops
 * and watches a service the policy names goes through these calls, so
 * that the single actions (actions.c) and a switch (switch/) never know
 * which service manager drives it.  Behind it (svc.c picks one per
 * service): plain processes (proc.c: fork and exec as the service's
 * user, holders found by exe and uid); systemd units come next, behind
 * the same calls.
 *
 * Starting is four calls, so that actions.c can put the privilege
 * changes between them (every credential change itself is in priv/):
 *
 *   svc_resolve       touches nothing: the service's binaries are safe
 *                     (root-owned, not group- or world-writable, no
 *                     symlinks, up to /), its user and groups resolve,
 *                     uid 0 only with allow_root; builds the launch
 *   svc_ports_unheld  touches nothing: none of its ports is held
 *   svc_launch        start it: the launched process becomes the
 *                     service's user (or root, for an allow_root service)
 *                     with nothing of the caller's
 *   svc_wait_ready    until every port is listening and held by the
 *                     service (svc_identity), or its start_timeout
 *
 * A non-root service: svc_resolve as root, privilege_enter(launch.step,
 * launch.caps, launch.ncaps) (STEP_START for a process, STEP_UNIT for a
 * unit), then the other three.  A root service
 * (launch.root): svc_resolve, svc_ports_unheld and svc_launch as root,
 * then privilege_enter(STEP_START_ROOT, NULL, 0), then svc_wait_ready.
 *
 * svc_stop stops a running service; svc_identity says which processes
 * are the service's (a port's holder is the service's only if it is).
 */
#ifndef CUTOVER_SVC_H
#define CUTOVER_SVC_H

#include <sys/capability.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"
#include "helper/exitcodes.h"
#include "helper/priv/privilege.h"
#include "helper/act/holders.h"
#include "helper/act/release.h"

#define SERVICE_PIDS_MAX 16
#define SERVICE_SOCKETS_MAX 8

/* Everything a start needs, resolved before anything is done. */
struct svc_launch {
	const struct service *svc;
	enum priv_step step;        /* the start step's privilege profile */
	bool root;                  /* runs as uid 0 (allow_root = true) */
	uid_t uid;
	gid_t gid;                  /* the service's group, or the user's */
	char *user;                 /* the password database's name */
	char *home;
	gid_t *groups;              /* supplementary: getgrouplist(user, gid) */
	size_t ngroups;
	cap_value_t *caps;          /* the service's listed capabilities */
	size_t ncaps;
	char **envp;                /* built from the policy only */
	double timeout;             /* seconds: the service's start_timeout */
	struct holder_ids holders;  /* the uids its processes may run as */
	/* listening sockets the service inherits as fds 3, 4, ... (a switch) */
	int handoff_fds[SERVICE_SOCKETS_MAX];
	unsigned long handoff_inodes[SERVICE_SOCKETS_MAX];  /* theirs */
	size_t nhandoff;
	/* who else may hold a handed socket: the switch's old service,
	   which serves on it until it is stopped; and the transaction */
	struct holder_ids plan_ids[2];
	size_t nplan_ids;
	pid_t txn_pid;
	bool resumed;               /* a start again after systemd was lost
	                               (action_start) */
};

struct svc_started {
	pid_t launched;             /* the start command's pid; 0: none */
	int pidfd;                  /* its pidfd while it is watched; -1 */
	bool exited;                /* it has ended (and was reaped) */
	int wait_status;            /* its waitpid() status, when exited */
	double seconds;             /* from the launch to ready or timeout */
	pid_t pids[SERVICE_PIDS_MAX];   /* the service's processes holding
	                                   its ports once ready */
	size_t npids;
};

/*
 * As root, before the step's privileges: connect this process to what
 * drives SVC for USE, and only when that needs it (a unit: systemd's
 * private socket, which takes root only, for every use; a process: the
 * same on a systemd host, to start it in a scope of its own, and nothing
 * to stop it).  The connection is root's power over systemd, so no step
 * holds one it does not need.  0, or EXIT_FAILED (WHY: e.g. the host
 * does not run systemd).
 */
enum svc_use { SVC_TO_START, SVC_TO_STOP, SVC_TO_SET_BOOT };
int svc_attach(const struct service *svc, enum svc_use use, char *why,
    size_t whylen);

/* The privilege profile a stop of SVC runs with: STEP_STOP, STEP_UNIT. */
enum priv_step svc_stop_step(const struct service *svc);

/*
 * Resolve SVC into L, touching nothing.  EXIT_REFUSED when a binary
 * is unsafe, the user or group does not exist (or is -1), or the user is
 * uid 0 without allow_root; EXIT_FAILED on a lookup or memory error.
 * WHY says which and what to do.  L must be freed with svc_launch_free()
 * whatever the result.
 */
int svc_resolve(const struct service *svc, struct svc_launch *l, char *why,
    size_t whylen);
void svc_launch_free(struct svc_launch *l);

/*
 * As root, before the step's privileges, when L has handoff sockets:
 * prepare to hand them to the service (a unit: listen on its root-only
 * handoff socket, which the unit's cutover-handoff takes them from; a
 * process inherits them at its exec).  0, or EXIT_FAILED (WHY).
 */
int svc_offer(const struct svc_launch *l, char *why, size_t whylen);

/*
 * EXIT_FAILED with the holder and the command that frees the port
 * ("cutover free-port 8080") when any of the service's ports is listening.
 * Needs cap_sys_ptrace and cap_dac_read_search (or root).
 */
int svc_ports_unheld(const struct svc_launch *l, char *why, size_t whylen);

/*
 * Start the service as L says; REP->launched is the launched process's
 * pid, REP->pidfd its pidfd.  EXIT_FAILED, with the child's own reason,
 * when it could not set itself up or exec, or did not reach its exec
 * within L->timeout (it is then killed): nothing then runs.
 */
int svc_launch(const struct svc_launch *l, struct svc_started *rep,
    char *why, size_t whylen);

/*
 * Look (after 1 ms, then twice as long each time, up to every 50 ms)
 * until each of the service's ports is listening and held only by the
 * service's processes, at least one of them running as its user (a
 * handed socket may be held by others too - in a switch's overlap the
 * old service still serves on it - and one of the service's processes
 * must wait for connections on it); or the start command failed; or
 * L->timeout passed (EXIT_FAILED).
 * WHY says what happened either way: who holds the ports, and the start
 * command's exit status.  A launched process still running once ready is
 * left to run (a foreground service; it has its own session); one still
 * running at the timeout is killed through its pidfd (a failure is never
 * "left running").
 */
int svc_wait_ready(const struct svc_launch *l, struct svc_started *rep,
    char *why, size_t whylen);

/*
 * Stop SVC: its processes that hold its ports, signalled through pidfds,
 * waited for, killed at its stop_timeout (release.h's struct
 * stop_report says what was done).  KEEP (may be NULL): the sockets a
 * switch handed on, which listen on after the stop (release.h).
 */
int svc_stop(const struct service *svc, const struct stop_keep *keep,
    struct stop_report *rep, char *why, size_t whylen);

/*
 * Which processes are SVC's: its exe, run by its user or one of its
 * holder_users (uids looked up now).  0; EXIT_REFUSED when a user does
 * not exist; EXIT_FAILED when the database could not be read (WHY).
 */
int svc_identity(const struct service *svc, struct holder_ids *ids,
    char *why, size_t whylen);

/* What the service manager says of a service now. */
struct svc_state {
	/* systemd's words for a unit's file: "enabled", "disabled",
	   "masked", "static", ... (GetUnitFileState), "not-found"; "" for a
	   process service (cutover starts those, the boot never does) */
	char boot[32];
	/* its ActiveState: "active", "inactive", "failed", ...; "" for a
	   process service */
	char active[32];
};

/* SVC's state (see above).  0, or EXIT_FAILED (WHY). */
int svc_state(const struct service *svc, struct svc_state *state, char *why,
    size_t whylen);

/*
 * Make the next boot find SVC's unit STATE: "enabled" (unmasked,
 * enabled), "disabled" (unmasked, disabled), "masked" (disabled and
 * masked) or "static" (unmasked: a static unit cannot be enabled or
 * disabled); then, with RELOAD, systemd reloads (once after the last of
 * several changes is enough).  Nothing for a process service.  Needs the
 * step's connection (svc_attach).  0, or EXIT_FAILED (WHY).
 */
int svc_set_boot(const struct service *svc, const char *state, bool reload,
    char *why, size_t whylen);

/*
 * During boot (cutover recover --boot, before the services start): make
 * this boot start SVC's unit (START) or not, as a job systemd queues and
 * this call does not wait for - the unit's own start is ordered after
 * the caller's.  A stop replaces a start job the boot had queued.
 * Nothing for a process service.  Needs the step's connection.  0, or
 * EXIT_FAILED (WHY).
 */
int svc_queue(const struct service *svc, bool start, char *why,
    size_t whylen);

#endif
