/*
 * actions.c - one action each, with exactly its step's privileges.  The
 * words they leave in step_result.text are what the caller reads after
 * "cutover: free port 8080: " and what the audit record's reason says.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper/exitcodes.h"
#include "helper/priv/privilege.h"
#include "helper/act/holders.h"
#include "helper/act/pause.h"
#include "helper/act/served.h"
#include "helper/act/svc/svc.h"
#include "helper/act/actions.h"

static void
list_names(const char *const *names, size_t n, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len + 2 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i ? ", " : "", names[i]);
}

static void
stopped(const struct stop_report *rep, int st, const char *why,
    bool port, struct step_result *res)
{
	char pids[256], services[128], drained[128] = "";
	size_t len;

	if (rep->drained && rep->after_drain == 0)
		snprintf(drained, sizeof(drained), "; drained gracefully");
	else if (rep->drained)
		snprintf(drained, sizeof(drained), "; %zu process%s still ran "
		    "at drain_timeout and got the stop signal",
		    rep->after_drain, rep->after_drain == 1 ? "" : "es");

	res->status = st;
	res->nothing = st == EXIT_DONE && rep->already_free;
	res->seconds = rep->seconds;
	memcpy(res->pids, rep->pids, rep->npids * sizeof(rep->pids[0]));
	res->npids = rep->npids;
	pids_describe(rep->pids, rep->npids, pids, sizeof(pids));
	list_names(rep->services, rep->nservices, services, sizeof(services));
	len = strlen(pids);
	if (rep->nsignalled > rep->npids)
		snprintf(pids + len, sizeof(pids) - len, " and %zu more",
		    rep->nsignalled - rep->npids);
	if (res->nothing)
		snprintf(res->text, sizeof(res->text), "nothing to do, %s%s",
		    port ? "the port is already free" :
		    "the service is not running", rep->reset_failed ? " (its "
		    "unit had failed since it started: its failed state was "
		    "reset, so that the next switch is not refused)" : "");
	else if (st == EXIT_DONE && rep->by_systemd)
		snprintf(res->text, sizeof(res->text), "systemd stopped %s in "
		    "%.2f s (main pid %s%s)", services, rep->seconds,
		    rep->npids ? pids : "none", rep->killed ? "; at stop_timeout "
		    "systemd had to kill what was left (SIGKILL)" : "");
	else if (st == EXIT_DONE)
		snprintf(res->text, sizeof(res->text), "stopped %s in %.2f s "
		    "(signalled pid %s%s%s)", services, rep->seconds, pids,
		    drained, rep->killed ? "; SIGKILL was needed" : "");
	else
		snprintf(res->text, sizeof(res->text), "%s", why);
	/* A switch's handoff that did not use the old socket says why. */
	len = strlen(res->text);
	if (rep->handoff[0] != '\0')
		snprintf(res->text + len, sizeof(res->text) - len, "; %s",
		    rep->handoff);
}

static bool
entered(enum priv_step step, struct step_result *res)
{
	if (privilege_enter(step, NULL, 0) == 0)
		return true;
	res->status = EXIT_FAILED;
	res->nothing = true;
	snprintf(res->text, sizeof(res->text), "could not set up the step's "
	    "privileges: %s; nothing was done", privilege_error());
	return false;
}

/*
 * As root, then the free-port step's privileges: each of PG's holders
 * that is a unit is known by its cgroup and stopped by systemd, over a
 * connection only root can open; one that cannot be opened (no systemd
 * here) is said when that holder is looked at, not before.
 */
static bool
entered_port_step(const struct port_grant *pg, struct step_result *res)
{
	char why[400];
	size_t i;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < pg->nholders; i++)
		(void)svc_attach(pg->holders[i], SVC_TO_STOP, why,
		    sizeof(why));
	return entered(STEP_FREE_PORT, res);
}

void
action_free_port(const struct port_grant *pg, int notify_fd,
    struct step_result *res)
{
	struct stop_report rep;
	char why[400];
	int st;

	if (!entered_port_step(pg, res))
		return;
	st = stop_free_port(pg, notify_fd, &rep, why, sizeof(why));
	stopped(&rep, st, why, true, res);
}

void
action_take_port(const struct port_grant *pg, int notify_fd,
    struct step_result *res)
{
	struct stop_report rep;
	char why[400];
	int st;

	if (!entered_port_step(pg, res))
		return;
	st = stop_take_sockets(pg, notify_fd, &rep, why, sizeof(why));
	res->status = st;
	res->nothing = true;    /* a copy: the holders are untouched */
	res->seconds = rep.seconds;
	if (st != EXIT_DONE)
		snprintf(res->text, sizeof(res->text), "%s", why);
	else if (rep.already_free)
		snprintf(res->text, sizeof(res->text), "nothing to take over, "
		    "the port is free");
	else if (rep.handed == 1)
		snprintf(res->text, sizeof(res->text), "took over the "
		    "listening socket of pid %d; its holders serve on",
		    (int)rep.handed_from);
	else if (rep.handed > 1)
		snprintf(res->text, sizeof(res->text), "took over the %zu "
		    "listening sockets (IPv4 and IPv6) of pid %d and its "
		    "fellows; its holders serve on", rep.handed,
		    (int)rep.handed_from);
	else
		snprintf(res->text, sizeof(res->text), "%s", rep.handoff);
}

/*
 * As root, before the step's privileges (a unit's cgroup is systemd's to
 * say): the identities of KEEP's services, the switch's, into IDS.
 * 0, or the exit status with WHY.
 */
static int
plan_identities(const struct stop_keep *keep, struct holder_ids *ids,
    size_t *n, char *why, size_t whylen)
{
	size_t i;
	int st;

	*n = 0;
	for (i = 0; keep != NULL && i < keep->nplan && i < 2; i++) {
		if ((st = svc_attach(keep->plan[i], SVC_TO_STOP, why,
		    whylen)) != 0 || (st = svc_identity(keep->plan[i],
		    &ids[*n], why, whylen)) != 0)
			return st;
		(*n)++;
	}
	return 0;
}

/*
 * After a switch's stop of its old service: the sockets it handed on
 * listen on, and only the switch's services (and the transaction) may
 * hold them; another holder - one the old service passed its socket to -
 * fails the step.  A rollback's stop of the new service is not judged:
 * it must go on, and say what it finds at its start.
 *
 * Looked at twice, HANDED_SETTLE apart: a socket the old service sent
 * (SCM_RIGHTS) as it exited is in flight, no process's, until the
 * receiver's recvmsg().  The switch's checks, which once ran after this
 * stop and looked too (served_by), now run before it, while the old
 * service is paused (pause.h).  A receiver that holds off longer than
 * that is a known gap (SECURITY.md).
 */
#define HANDED_SETTLE_NS (100 * 1000 * 1000L)

static int
handed_kept(const struct service *svc, const struct stop_keep *keep,
    char *why, size_t whylen)
{
	struct timespec settle = { 0, HANDED_SETTLE_NS };
	struct holder_ids ids[2];
	size_t n, p;
	int st, rc = 1, look;

	if (keep == NULL || keep->n == 0 || keep->nplan == 0 ||
	    keep->plan[0] != svc)
		return EXIT_DONE;
	if ((st = plan_identities(keep, ids, &n, why, whylen)) != 0)
		return st;
	for (look = 0; look < 2 && rc == 1; look++) {
		if (look > 0)
			nanosleep(&settle, NULL);
		for (p = 0; p < svc->nports && rc == 1; p++)
			rc = handed_holders_are(svc->ports[p], keep->inode,
			    keep->n, ids, n, getppid(), why, whylen);
	}
	return rc == 1 ? EXIT_DONE : EXIT_FAILED;
}

void
action_stop(const struct service *svc, const struct stop_keep *keep,
    struct step_result *res)
{
	struct stop_report rep;
	char why[400];
	size_t i;
	int st;

	memset(res, 0, sizeof(*res));
	if ((st = svc_attach(svc, SVC_TO_STOP, why, sizeof(why))) != 0) {
		res->status = st;
		res->nothing = true;
		snprintf(res->text, sizeof(res->text), "%s", why);
		return;
	}
	for (i = 0; keep != NULL && i < keep->nplan && st == 0; i++)
		st = svc_attach(keep->plan[i], SVC_TO_STOP, why, sizeof(why));
	if (st != 0) {
		res->status = st;
		res->nothing = true;
		snprintf(res->text, sizeof(res->text), "%s", why);
		return;
	}
	if (!entered(svc_stop_step(svc), res))
		return;
	st = svc_stop(svc, keep, &rep, why, sizeof(why));
	if (st == EXIT_DONE)
		st = handed_kept(svc, keep, why, sizeof(why));
	stopped(&rep, st, why, false, res);
}

/* The launched pid first, then the service's others holding its ports. */
static void
started(const struct svc_launch *plan, const struct svc_started *rep,
    struct step_result *res)
{
	size_t i;

	res->seconds = rep->seconds;
	if (rep->launched > 0) {
		res->pids[res->npids++] = rep->launched;
		if (plan->user != NULL)
			snprintf(res->user, sizeof(res->user), "%s", plan->user);
	}
	for (i = 0; i < rep->npids && res->npids < STOP_PIDS_MAX; i++)
		if (rep->pids[i] != rep->launched)
			res->pids[res->npids++] = rep->pids[i];
}

/*
 * The plan (still root: it reads file metadata and the user and group
 * databases, and touches nothing), then the step's privileges - for a
 * root service only after the launch, the one exception in privilege.c's
 * table -, the ports, the launch, the wait.
 */
void
action_start(const struct service *svc, const int *fds, size_t nfds,
    const struct stop_keep *keep, bool resumed, struct step_result *res)
{
	struct svc_launch plan;
	struct svc_started rep;
	struct stat sb;
	char why[600];
	size_t i;
	int st;

	memset(res, 0, sizeof(*res));
	memset(&rep, 0, sizeof(rep));
	/* as root, before anything: a unit's step talks to systemd */
	if ((st = svc_attach(svc, SVC_TO_START, why, sizeof(why))) ==
	    EXIT_DONE)
		st = svc_resolve(svc, &plan, why, sizeof(why));
	else
		memset(&plan, 0, sizeof(plan));
	plan.resumed = resumed;
	for (i = 0; i < nfds && i < SERVICE_SOCKETS_MAX; i++) {
		plan.handoff_inodes[plan.nhandoff] = fstat(fds[i], &sb) == 0 ?
		    (unsigned long)sb.st_ino : 0;
		plan.handoff_fds[plan.nhandoff++] = fds[i];
	}
	/* who else may hold what it is handed: the switch's old service */
	if (st == EXIT_DONE && plan.nhandoff > 0) {
		plan.txn_pid = getppid();
		st = plan_identities(keep, plan.plan_ids, &plan.nplan_ids, why,
		    sizeof(why));
	}
	if (st == EXIT_DONE && plan.nhandoff > 0)
		st = svc_offer(&plan, why, sizeof(why));
	if (st == EXIT_DONE && !plan.root &&
	    privilege_enter(plan.step, plan.caps, plan.ncaps) == -1) {
		st = EXIT_FAILED;
		snprintf(why, sizeof(why), "could not set up the step's "
		    "privileges: %s; nothing was started", privilege_error());
	}
	/* A handed-off port is held by cutover's own socket: that is it. */
	if (st == EXIT_DONE && nfds == 0)
		st = svc_ports_unheld(&plan, why, sizeof(why));
	if (st == EXIT_DONE)
		st = svc_launch(&plan, &rep, why, sizeof(why));
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	if (st == EXIT_DONE && plan.root &&
	    privilege_enter(STEP_START_ROOT, NULL, 0) == -1) {
		st = EXIT_FAILED;
		snprintf(why, sizeof(why), "it was launched (pid %d) but "
		    "cutover could not give up root to watch it (%s); see "
		    "whether it runs", (int)rep.launched, privilege_error());
	}
	if (st == EXIT_DONE)
		st = svc_wait_ready(&plan, &rep, why, sizeof(why));
	res->status = st;
	snprintf(res->text, sizeof(res->text), "%s", why);
	started(&plan, &rep, res);
	svc_launch_free(&plan);
}

void
action_boot(const struct service *const *svcs, const char *const *states,
    size_t n, bool queue, struct step_result *res)
{
	char why[400], done[300] = "";
	size_t i, last = n, len = 0;
	int st = EXIT_DONE;

	memset(res, 0, sizeof(*res));
	for (i = 0; i < n && st == EXIT_DONE; i++)
		if (svcs[i]->unit != NULL) {
			st = svc_attach(svcs[i], SVC_TO_SET_BOOT, why,
			    sizeof(why));
			last = i;       /* systemd reloads once, after it */
		}
	if (st == EXIT_DONE && !entered(STEP_UNIT, res))
		return;
	for (i = 0; i < n && st == EXIT_DONE; i++) {
		if (svcs[i]->unit == NULL)
			continue;
		if ((st = svc_set_boot(svcs[i], states[i], i == last, why,
		    sizeof(why))) == EXIT_DONE && len < sizeof(done))
			len += (size_t)snprintf(done + len, sizeof(done) - len,
			    "%s%s %s", len ? ", " : "", svcs[i]->unit,
			    states[i]);
	}
	for (i = 0; i < n && st == EXIT_DONE && queue; i++)
		if (svcs[i]->unit != NULL)
			st = svc_queue(svcs[i], strcmp(states[i], "enabled") == 0,
			    why, sizeof(why));
	res->status = st;
	res->nothing = len == 0;
	if (st == EXIT_DONE)
		snprintf(res->text, sizeof(res->text), "at boot: %s%s", done,
		    queue && len > 0 ? " (and so this boot)" : "");
	else if (len == 0)
		snprintf(res->text, sizeof(res->text), "%s; nothing was "
		    "changed", why);
	else
		snprintf(res->text, sizeof(res->text), "at boot: %s; then %s",
		    done, why);
}

void
action_verify(const struct check *c, const struct verify_identity *who,
    struct verify_result *vr, struct step_result *res)
{
	memset(res, 0, sizeof(*res));
	memset(vr, 0, sizeof(*vr));
	if (!entered(STEP_CHECK, res))
		return;
	verify_check(c, who, vr);
	judge_reason(c, vr, res->text, sizeof(res->text));
	res->seconds = vr->elapsed;
	res->status = judge_passed(vr) ? EXIT_DONE : EXIT_FAILED;
}

/*
 * As root, connect to what drives SVC (a unit's cgroup is systemd's to
 * say); then only look (STEP_LOOK).  Whatever fails is "cannot tell",
 * never "served".
 */
void
action_look(const struct service *svc, const struct service *paused,
    int port, pid_t self, struct served_look *look, struct step_result *res)
{
	struct holder_ids ids, still;
	char why[400];

	memset(res, 0, sizeof(*res));
	memset(look, 0, sizeof(*look));
	look->port = port;
	look->state = SERVED_UNKNOWN;
	res->nothing = true;            /* it looks, and touches nothing */
	if (svc_attach(svc, SVC_TO_STOP, why, sizeof(why)) != 0 ||
	    (paused != NULL && svc_attach(paused, SVC_TO_STOP, why,
	    sizeof(why)) != 0)) {
		snprintf(look->detail, sizeof(look->detail), "%.150s", why);
		return;
	}
	if (!entered(STEP_LOOK, res)) {
		snprintf(look->detail, sizeof(look->detail), "%.150s", res->text);
		return;
	}
	if (svc_identity(svc, &ids, why, sizeof(why)) != 0 ||
	    (paused != NULL && svc_identity(paused, &still, why,
	    sizeof(why)) != 0)) {
		snprintf(look->detail, sizeof(look->detail), "%.150s", why);
		return;
	}
	served_look(port, &ids, paused != NULL ? &still : NULL, self, look);
	res->status = look->state == SERVED_BY ? EXIT_DONE : EXIT_FAILED;
}

/* "paused apache2 (pid 12, 13) in 0.01 s" */
static void
paused(const struct service *svc, const struct pause_report *rep, int st,
    const char *why, bool go_on, struct step_result *res)
{
	char pids[256];

	res->status = st;
	res->seconds = rep->seconds;
	res->nothing = rep->nsignalled == 0;
	memcpy(res->pids, rep->pids, rep->npids * sizeof(rep->pids[0]));
	res->npids = rep->npids;
	pids_describe(rep->pids, rep->npids, pids, sizeof(pids));
	if (st != EXIT_DONE)
		snprintf(res->text, sizeof(res->text), "%s%s", why,
		    rep->nsignalled > 0 ? " (some of its processes were "
		    "signalled)" : "");
	else if (rep->nsignalled == 0)
		snprintf(res->text, sizeof(res->text), "nothing to do: no "
		    "process of %s holding the site's ports was %s", svc->name,
		    go_on ? "paused" : "running");
	else if (go_on)
		snprintf(res->text, sizeof(res->text), "%s goes on (SIGCONT to "
		    "pid %s)", svc->name, pids);
	else
		snprintf(res->text, sizeof(res->text), "%s paused while the new "
		    "service is checked alone: it keeps its sockets and what it "
		    "has in flight, and accepts nothing (SIGSTOP to pid %s, "
		    "%.3f s)", svc->name, pids, rep->seconds);
}

void
action_pause(const struct service *svc, const int *ports, size_t nports,
    bool go_on, struct step_result *res)
{
	struct pause_report rep;
	struct holder_ids ids;
	char why[400];
	int st;

	memset(res, 0, sizeof(*res));
	memset(&rep, 0, sizeof(rep));
	if ((st = svc_attach(svc, SVC_TO_STOP, why, sizeof(why))) != 0) {
		paused(svc, &rep, st, why, go_on, res);
		return;
	}
	if (!entered(STEP_STOP, res))
		return;
	if ((st = svc_identity(svc, &ids, why, sizeof(why))) == 0)
		st = pause_service(&ids, ports, nports, go_on, &rep, why,
		    sizeof(why));
	paused(svc, &rep, st, why, go_on, res);
}
