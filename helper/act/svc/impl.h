/*
 * impl.h - what one service manager provides behind svc.h: svc.c calls
 * through this table, and only svc.c and the implementations include it.
 */
#ifndef CUTOVER_SVC_IMPL_H
#define CUTOVER_SVC_IMPL_H

#include "helper/act/svc/svc.h"

struct svc_ops {
	const char *name;       /* "process", for messages */
	int (*attach)(const struct service *, enum svc_use, char *, size_t);
	enum priv_step stop_step;   /* the privileges svc_stop needs */
	int (*resolve)(const struct service *, struct svc_launch *, char *,
	    size_t);
	void (*launch_free)(struct svc_launch *);
	int (*offer)(const struct svc_launch *, char *, size_t);
	int (*ports_unheld)(const struct svc_launch *, char *, size_t);
	int (*launch)(const struct svc_launch *, struct svc_started *, char *,
	    size_t);
	int (*wait_ready)(const struct svc_launch *, struct svc_started *,
	    char *, size_t);
	int (*stop)(const struct service *, const struct stop_keep *,
	    struct stop_report *, char *, size_t);
	int (*identity)(const struct service *, struct holder_ids *, char *,
	    size_t);
	int (*state)(const struct service *, struct svc_state *, char *,
	    size_t);
	int (*set_boot)(const struct service *, const char *, bool, char *,
	    size_t);
	int (*queue)(const struct service *, bool, char *, size_t);
};

/* Plain processes: proc.c. */
extern const struct svc_ops svc_proc_ops;
/* systemd units: unit.c. */
extern const struct svc_ops svc_unit_ops;

/* ---- who a service runs as: user.c ----------------------------------- */

/*
 * SVC's user (its uid 0 refused unless allow_root), group and
 * supplementary groups as initgroups() would set them, name and home,
 * into L: EXIT_DONE, EXIT_REFUSED (no such user or group) or EXIT_FAILED
 * (the database could not be read), WHY saying which.
 */
int svc_resolve_user(const struct service *svc, struct svc_launch *l,
    char *why, size_t whylen);

/*
 * Every process in a unit's control group (IDS->cgroup) runs with all
 * its uids among IDS's, and - unless SVC says allow_root - with no
 * capability but cap_net_bind_service: 0, or EXIT_FAILED with WHY naming
 * the first process that does not (unitprocs.c).
 */
int svc_unit_procs_fit(const struct service *svc,
    const struct holder_ids *ids, char *why, size_t whylen);

/* ---- what every implementation checks on the ports: ports.c ---------- */

/* svc_ports_unheld(): none of L's ports is listening (WHY: who holds it). */
int svc_ports_unheld_scan(const struct svc_launch *l, char *why,
    size_t whylen);

/*
 * Is every port of L's service held by it (L->holders), at least one
 * holder running as L->uid, and nobody else - but a handed socket
 * (L->handoff_inodes), which the old service of an overlap holds too?  1 yes (their pids in REP), 0 not yet, -1
 * cannot tell; STATE says how the ports were seen.  H is scratch.
 */
int svc_ports_ready(const struct svc_launch *l, struct holders *h,
    struct svc_started *rep, char *state, size_t len);

/*
 * Between two looks at a starting service: *MS milliseconds, then the
 * next pause twice as long, up to 50 ms.  Start *MS at 1: a look is
 * cheap, and a server handed its socket is often up within milliseconds.
 */
void svc_poll_pause(long *ms);

/* "8080, 8443": the service's ports, for messages. */
void svc_port_list(const struct service *svc, char *buf, size_t size);

#endif
