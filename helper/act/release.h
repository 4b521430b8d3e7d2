/*
 * release.h - free a port from its permitted holders; stop a service.
 * Runs in the free-port/stop step (cap_sys_ptrace, cap_dac_read_search,
 * cap_kill as the caller's uid).
 */
#ifndef CUTOVER_RELEASE_H
#define CUTOVER_RELEASE_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"
#include "helper/exitcodes.h"

#define STOP_PIDS_MAX 128
#define STOP_SERVICES_MAX 8
#define STOP_SOCKETS_MAX 8      /* listening sockets handed to a switch */

struct stop_report {
	bool already_free;          /* nothing held the port / ran */
	pid_t pids[STOP_PIDS_MAX];  /* signalled, in order (the first ones) */
	size_t npids;
	size_t nsignalled;          /* all of them: npids or more */
	const char *services[STOP_SERVICES_MAX];   /* whose pids were signalled */
	size_t nservices;
	bool killed;                /* SIGKILL was needed */
	bool drained;               /* the drain signal was sent first */
	size_t after_drain;         /* processes still alive after the
	                               drain_timeout: stopped the ordinary way */
	bool by_systemd;            /* units systemd stopped: pids are the
	                               main pids they had */
	bool reset_failed;          /* a switch's unit had failed since it
	                               started: its failed state was reset */
	double seconds;
	/* a handoff: why an old socket was not handed over, or "" */
	char handoff[320];
	size_t handed;              /* sockets handed over */
	pid_t handed_from;          /* the holder the first was copied from */
};

/*
 * The listening sockets a switch took from the old service and handed
 * to the new one: a stop leaves them listening, by design (the other
 * service holds them too), and does not take that for a hidden holder.
 */
struct stop_keep {
	unsigned long inode[STOP_SOCKETS_MAX];
	size_t n;
	/*
	 * The plan's services, the only ones whose processes may hold one
	 * of those sockets (issue 28, item 3): its old service, once the
	 * sockets were taken from it, and its new one, once handed them.
	 */
	const struct service *plan[2];
	size_t nplan;
};

/*
 * Free PG's port: every holder must be one of its permitted services
 * (else EXIT_REFUSED, nothing signalled); signal, wait, maybe SIGKILL.
 * NOTIFY_FD, unless -1, is a switch's SOCK_SEQPACKET socket: it gets
 * 't' with copies of the holders' listening sockets (SCM_RIGHTS, maybe
 * none) before any signal, then 's' once every holder is signalled.
 */
int stop_free_port(const struct port_grant *pg, int notify_fd,
    struct stop_report *, char *why, size_t whylen);

/*
 * A switch's overlap: PG's port's holders must all be permitted (else
 * EXIT_REFUSED); copies of their listening socket go to NOTIFY_FD ('t',
 * as above) and nothing is signalled.  REP->handed says how many were
 * handed (none: REP->handoff says why), REP->already_free that nothing
 * listened.
 */
int stop_take_sockets(const struct port_grant *pg, int notify_fd,
    struct stop_report *, char *why, size_t whylen);

/*
 * Stop SVC: its processes (exe and user) that hold its ports.  KEEP
 * (may be NULL): sockets that listen on afterwards, by design.
 */
int stop_service(const struct service *svc, const struct stop_keep *keep,
    struct stop_report *, char *why, size_t whylen);

/*
 * May FD, a copy of an old holder's listening socket, be handed to the
 * new service on PORT?  0 when it is a listening TCP socket on the
 * port's wildcard address ([::]:PORT, or 0.0.0.0:PORT), bound
 * to no device, owned by root or one of OWNERS' uids, without
 * SO_REUSEPORT and without a socket filter (classic or eBPF); otherwise
 * -1 and WHY says what it is ("it has SO_REUSEPORT set").  Anything
 * that cannot be read is -1 too.
 */
struct holder_ids;
int stop_socket_fit(int fd, int port, const struct holder_ids *owners,
    char *why, size_t whylen);

/*
 * May the N sockets FDS, each fit for one port, be handed on together?
 * 0 when they are the port's one socket ([::] dual-stack or 0.0.0.0) or
 * its pair of 0.0.0.0 and [::] IPv6-only (two families: never one
 * SO_REUSEPORT group); otherwise -1 and WHY.
 */
int stop_sockets_fit(const int *fds, size_t n, char *why, size_t whylen);

#endif
