/*
 * actions.h - the actions themselves: free a port, stop, start, verify.
 * A step is one action run by the transaction (transaction.c) in a child
 * of its own; each action enters exactly its step's privileges
 * (priv/privilege.c's table, STEP_*) and does the one thing, so the
 * process that calls one must be root and is not root afterwards.
 */
#ifndef CUTOVER_ACTIONS_H
#define CUTOVER_ACTIONS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"
#include "helper/act/release.h"
#include "helper/verify/verify.h"

#define STEP_TEXT_MAX 800

/*
 * What a step did.  Fixed size and no pointers: switch.c passes it from
 * the step's process to the transaction through a pipe in one write.
 */
struct step_result {
	int status;                 /* EXIT_DONE, EXIT_FAILED, EXIT_REFUSED */
	bool nothing;               /* nothing was done: port already free,
	                               service not running, or the step's
	                               privileges could not be set up */
	char text[STEP_TEXT_MAX];   /* what happened, or why not */
	pid_t pids[STOP_PIDS_MAX];  /* signalled, or launched then serving */
	size_t npids;
	char user[POLICY_NAME_MAX + 1];     /* acted as (start); "" if none */
	double seconds;
	bool systemd_lost;          /* its connection to systemd dropped: the
	                               result is no answer (systemd.h) */
};

/*
 * Free PG's port (STEP_FREE_PORT).  NOTIFY_FD, unless -1, gets one byte
 * once every holder has been signalled: a switch then starts trying to
 * bind the port for the new service.
 */
void action_free_port(const struct port_grant *pg, int notify_fd,
    struct step_result *);

/*
 * A switch's overlap (STEP_FREE_PORT): copies of PG's port's listening
 * sockets to NOTIFY_FD, every holder permitted, nothing signalled.
 * Changes nothing (res->nothing); res->text says what was taken, or why
 * nothing was.  Whether one came is the transaction's to judge.
 */
void action_take_port(const struct port_grant *pg, int notify_fd,
    struct step_result *);

/*
 * Stop SVC's processes (STEP_STOP).  KEEP (may be NULL): the sockets a
 * switch handed on, which listen on.
 */
void action_stop(const struct service *svc, const struct stop_keep *keep,
    struct step_result *);

/*
 * Start SVC (STEP_START, or root then STEP_START_ROOT).  The NFDS
 * sockets of FDS are listening sockets on SVC's port that the service
 * inherits (service.handoff says how); they are closed here after the
 * launch.  RESUMED: an earlier start of this step lost systemd half-way
 * (a re-exec), so a unit that already runs is that start's, not a
 * stranger's.
 */
void action_start(const struct service *svc, const int *fds, size_t nfds,
    const struct stop_keep *keep, bool resumed, struct step_result *);

/*
 * What the next boot finds (STEP_UNIT): each of the N services (units;
 * any other is passed over) made STATES[i] (svc_set_boot), in order.
 * With QUEUE (during boot, before the services start): this boot too -
 * an enabled unit's start queued, any other's stop (svc_queue).
 */
void action_boot(const struct service *const *svcs,
    const char *const *states, size_t n, bool queue, struct step_result *);

/*
 * A switch's overlap (STEP_STOP): pause SVC (SIGSTOP; GO_ON: SIGCONT
 * again) in each of its processes that holds a listening socket on one
 * of PORTS[0..NPORTS) (pause.h), while the new service is checked alone.
 */
void action_pause(const struct service *svc, const int *ports, size_t nports,
    bool go_on, struct step_result *res);

/* Run check C as WHO (STEP_CALLER); VR is verify's own result. */
void action_verify(const struct check *c, const struct verify_identity *who,
    struct verify_result *vr, struct step_result *res);

/*
 * A check's served_by (STEP_LOOK): does SVC alone hold every listening
 * socket on PORT?  SELF, the transaction, is no one, nor is a stopped
 * process of PAUSED (NULL: none), the old service a switch paused.  LOOK
 * says what was seen; RES only whether it could be looked at.
 */
struct served_look;
void action_look(const struct service *svc, const struct service *paused,
    int port, pid_t self, struct served_look *look, struct step_result *res);

#endif
