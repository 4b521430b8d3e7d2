/*
 * ports.c - what every service manager checks on a service's ports
 * (impl.h): that none is held before a start, and that each is held by
 * the service (svc_identity: exe, users, and a unit's cgroup) once it is
 * ready.  Reading other users' /proc/PID/fd needs the step's
 * cap_sys_ptrace and cap_dac_read_search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helper/exitcodes.h"
#include "helper/act/holders.h"
#include "helper/act/svc/impl.h"
#include "helper/act/svc/svc.h"

int
svc_ports_unheld_scan(const struct svc_launch *p, char *why, size_t whylen)
{
	const struct service *svc = p->svc;
	struct holders *h = malloc(sizeof(*h));
	char who[400], err[256], more[64] = "";
	size_t i;
	int st = EXIT_DONE;

	if (h == NULL) {
		snprintf(why, whylen, "out of memory");
		return EXIT_FAILED;
	}
	for (i = 0; i < svc->nports && st == EXIT_DONE; i++) {
		int port = svc->ports[i];

		if ((st = ports_holders(port, h, err, sizeof(err))) != 0) {
			snprintf(why, whylen, "cannot tell who holds port %d "
			    "(%s); nothing was started", port, err);
		} else if (h->n > 0) {
			holder_describe(&h->v[0], who, sizeof(who));
			if (h->n > 1)
				snprintf(more, sizeof(more), " and %zu more "
				    "process%s", h->n - 1, h->n > 2 ? "es" : "");
			if (holder_is(&h->v[0], &p->holders))
				snprintf(why, whylen, "%s already runs: port %d "
				    "is held by %s%s; stop it first (cutover stop "
				    "%s, or cutover free-port %d); nothing was "
				    "started", svc->name, port, who, more,
				    svc->name, port);
			else
				snprintf(why, whylen, "port %d is already held by "
				    "%s%s; free it first (cutover free-port %d); "
				    "nothing was started", port, who, more, port);
			st = EXIT_FAILED;
		} else if (h->nsockets > 0) {
			snprintf(why, whylen, "port %d is already listening, "
			    "held by a process cutover cannot see (another "
			    "PID namespace?); nothing was started", port);
			st = EXIT_FAILED;
		}
	}
	free(h);
	return st;
}

/* Does H hold only sockets L was handed (as the old service of an overlap)? */
static bool
holds_only_handed(const struct svc_launch *l, const struct holders *hs,
    const struct holder *h)
{
	size_t b, k;

	if (l->nhandoff == 0)
		return false;
	for (b = 0; b < hs->nsockets; b++) {
		if (!(h->sockets & (1ULL << b)))
			continue;
		for (k = 0; k < l->nhandoff && l->handoff_inodes[k] !=
		    hs->sockets[b]; k++)
			;
		if (k == l->nhandoff)
			return false;
	}
	return true;
}

/*
 * H holds only handed sockets and is not the service: it may be the
 * switch's old service (it serves on them until it is stopped), the
 * transaction, the start command REP launched or a unit's handoff
 * helper, nothing else (issue 28, item 3: a holder that passed its
 * socket to a sidekick).
 */
static bool
handed_ok(const struct svc_launch *l, const struct svc_started *rep,
    const struct holder *h)
{
	struct service helper;
	struct holder_ids ids;
	size_t k;

	if (l->txn_pid > 0 && h->pid == l->txn_pid)
		return true;
	/* the start command cutover launched, before it execs the server */
	if (rep->launched > 0 && h->pid == rep->launched)
		return true;
	/*
	 * A unit's handoff helper, which takes the sockets and runs the
	 * server (as a child, for Type=forking, until the pid file names
	 * it): its own exe, as the service's users, in the unit's cgroup.
	 */
	if (l->holders.in_unit) {
		helper = *l->svc;
		helper.exe = CUTOVER_HANDOFF_HELPER;
		ids = l->holders;
		ids.svc = &helper;
		if (holder_is(h, &ids))
			return true;
	}
	for (k = 0; k < l->nplan_ids; k++)
		if (holder_is(h, &l->plan_ids[k]))
			return true;
	return false;
}

/*
 * With a handed socket: is one of the service's processes that hold it
 * waiting for connections (holder_waiting)?  The socket is theirs from
 * the exec on; one that fails to start holds it too, until it exits.
 */
static bool
waits_on_port(const struct svc_launch *l, const struct holders *h)
{
	size_t j;

	for (j = 0; j < h->n; j++)
		if (holder_is(&h->v[j], &l->holders) &&
		    holder_waiting(h->v[j].pid) == 1)
			return true;
	return false;
}

/*
 * Is every port held by the service?  1 yes (pids in REP), 0 not yet
 * (STATE says why), -1 on error (STATE too).
 */
int
svc_ports_ready(const struct svc_launch *p, struct holders *h,
    struct svc_started *rep, char *state, size_t len)
{
	const struct service *svc = p->svc;
	char who[400], users[600];
	size_t i, j, k;
	bool ours;

	rep->npids = 0;
	for (i = 0; i < svc->nports; i++) {
		int port = svc->ports[i];

		if (ports_holders(port, h, who, sizeof(who)) != 0) {
			snprintf(state, len, "cannot tell who holds port %d "
			    "(%s)", port, who);
			return -1;
		}
		if (h->nsockets == 0) {
			snprintf(state, len, "nothing listens on port %d", port);
			return 0;
		}
		ours = false;
		for (j = 0; j < h->n; j++) {
			if (!holder_is(&h->v[j], &p->holders) &&
			    holds_only_handed(p, h, &h->v[j])) {
				/* the old service's, or an intruder's: now */
				if (handed_ok(p, rep, &h->v[j]))
					continue;
				holder_describe(&h->v[j], who, sizeof(who));
				holder_mismatch(&h->v[j], p->plan_ids,
				    p->nplan_ids, users, sizeof(users));
				snprintf(state, len, "port %d's handed socket is "
				    "held by %.300s, which is not one of the "
				    "switch's services: %.300s", port, who, users);
				return -1;
			}
			if (!holder_is(&h->v[j], &p->holders)) {
				holder_describe(&h->v[j], who, sizeof(who));
				holder_mismatch(&h->v[j], &p->holders, 1, users,
				    sizeof(users));
				snprintf(state, len, "port %d is held by %.300s, "
				    "which is not %s: %.300s", port, who,
				    svc->name, users);
				return 0;
			}
			if (h->v[j].uid != p->uid)
				continue;
			ours = true;
			for (k = 0; k < rep->npids && rep->pids[k] != h->v[j].pid;
			    k++)
				;
			if (k == rep->npids && k < SERVICE_PIDS_MAX)
				rep->pids[rep->npids++] = h->v[j].pid;
		}
		if (h->nunseen > 0) {
			snprintf(state, len, "port %d is also held by a process "
			    "cutover cannot see", port);
			return 0;
		}
		if (!ours) {
			snprintf(state, len, "port %d is held by %s but not by "
			    "one running as %s", port, svc->exe, p->user);
			return 0;
		}
		if (p->nhandoff > 0 && !waits_on_port(p, h)) {
			snprintf(state, len, "port %d's handed socket is held by "
			    "%s, but none of its processes waits for connections "
			    "yet", port, svc->name);
			return 0;
		}
	}
	return 1;
}

void
svc_poll_pause(long *ms)
{
	struct timespec t = { *ms / 1000, (*ms % 1000) * 1000000L };

	nanosleep(&t, NULL);
	*ms = *ms < 25 ? *ms * 2 : 50;
}

void
svc_port_list(const struct service *svc, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < svc->nports && len + 16 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%d",
		    i ? ", " : "", svc->ports[i]);
}

