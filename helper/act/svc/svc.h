/*
 * svc.h - start a service the policy names (proc.c).
 *
 * Four steps, so that run.c can put the privilege changes between them
 * (every credential change itself is in privilege.c):
 *
 *   service_plan        touches nothing: the service's exe and start
 *                       argv[0] are safe (root-owned, not group- or
 *                       world-writable, no symlinks, up to /), its user
 *                       and groups resolve, uid 0 only with allow_root;
 *                       builds the argv, environment and capabilities
 *   service_ports_free  touches nothing: none of its ports is held
 *   service_launch      fork; the child becomes the service's user (or
 *                       root, for an allow_root service) with nothing of
 *                       the caller's and execs the start argv
 *   service_wait        until every port is listening and held by the
 *                       service's exe running as its user, or the
 *                       service's start_timeout
 *
 * A non-root service: service_plan as root, privilege_enter(STEP_START,
 * plan.caps, plan.ncaps), then the other three.  A root service (plan.root):
 * service_plan, service_ports_free and service_launch as root, then
 * privilege_enter(STEP_START_ROOT, NULL, 0), then service_wait.
 */
#ifndef CUTOVER_SVC_H
#define CUTOVER_SVC_H

#include <sys/capability.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"
#include "helper/act/holders.h"

/* The values are the exit codes (exitcodes.h), like release.h's. */
enum service_status {
	SERVICE_DONE = 0,
	SERVICE_FAILED = 1,         /* the action failed: port held, timeout */
	SERVICE_REFUSED = 3,        /* the system makes it unsafe: refused */
};

#define SERVICE_PIDS_MAX 16
#define SERVICE_SOCKETS_MAX 8

/* Everything the launch needs, resolved before anything is done. */
struct service_plan {
	const struct service *svc;
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
	size_t nhandoff;
};

struct start_report {
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
 * Resolve SVC into PLAN, touching nothing.  SERVICE_REFUSED when a binary
 * is unsafe, the user or group does not exist (or is -1), or the user is
 * uid 0 without allow_root; SERVICE_FAILED on a lookup or memory error.
 * WHY says which and what to do.  PLAN must be freed with
 * service_plan_free() whatever the result.
 */
int service_plan(const struct service *svc, struct service_plan *plan,
    char *why, size_t whylen);
void service_plan_free(struct service_plan *plan);

/*
 * SERVICE_FAILED with the holder and the command that frees the port
 * ("cutover free-port 8080") when any of the service's ports is listening.
 * Needs cap_sys_ptrace and cap_dac_read_search (or root).
 */
int service_ports_free(const struct service_plan *plan, char *why,
    size_t whylen);

/*
 * Fork and exec the start command as PLAN says; REP->launched is its pid,
 * REP->pidfd its pidfd.  SERVICE_FAILED, with the child's own reason, when
 * the child could not set itself up or exec, or did not reach its exec
 * within PLAN->timeout (it is then killed): nothing then runs.
 */
int service_launch(const struct service_plan *plan, struct start_report *rep,
    char *why, size_t whylen);

/*
 * Poll every 50 ms until each of the service's ports is listening and held
 * only by processes of its exe, at least one of them running as its user;
 * or the start command failed; or PLAN->timeout passed (SERVICE_FAILED).
 * WHY says what happened either way: who holds the ports, and the start
 * command's exit status.  A launched process still running once ready is
 * left to run (a foreground service; it has its own session); one still
 * running at the timeout is killed through its pidfd (a failure is never
 * "left running").
 */
int service_wait(const struct service_plan *plan, struct start_report *rep,
    char *why, size_t whylen);

#endif
