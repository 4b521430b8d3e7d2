/*
 * unit.c - services that are systemd units, behind svc.h (svc_unit_ops,
 * at the end): systemd starts and stops them, cutover asks and watches.
 * It never executes or signals a unit's processes itself.
 *
 * The connection is systemd.h's: made as root before the step's
 * privileges (svc_attach), then used by the step with only the ptrace and
 * dac_read_search capabilities it needs to see who holds a port.
 *
 * Starting: StartUnit(unit, "replace") and the job's JobRemoved signal
 * (its result: done, failed, timeout, canceled, dependency, skipped),
 * then until start_timeout every port held by the unit's processes (exe,
 * users and the unit's cgroup) - unless the unit fails or ends first,
 * which ends the wait at once; a failure asks systemd to stop the unit
 * again, so nothing is left half-started, and resets the failed state
 * its own start left (ResetFailedUnit), so that the next try is not
 * refused; the failure is told in the unit's own words, its journal's
 * last lines for that start (below, journal.c).  With a socket handoff, the
 * sockets are offered to the unit's cutover-handoff meanwhile (below).
 * Stopping: StopUnit and its job within stop_timeout, then KillUnit.
 * What starts at boot: unit files enabled, disabled, masked, unmasked.
 * The unit's ActiveState, SubState and main pid are read back and said.
 */
#include <sys/capability.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


#include "helper/exitcodes.h"
#include "helper/lib/clock.h"
#include "helper/act/rootdir.h"
#include "helper/lib/why.h"
#include "helper/act/holders.h"
#include "helper/act/svc/impl.h"
#include "helper/act/svc/journal.h"
#include "helper/act/svc/sdbus.h"
#include "helper/act/svc/unitlog.h"
#include "helper/act/systemd.h"
#include "helper/act/svc/svc.h"

/* As root, before the step's privileges: the step's connection. */
static int
unit_attach(const struct service *svc, enum svc_use use, char *why,
    size_t whylen)
{
	(void)svc;
	(void)use;
	return systemd_attach(why, whylen) == 0 ? 0 : EXIT_FAILED;
}

/*
 * The unit's object path (LoadUnit: loads it if it is not yet), whole:
 * cut, it could be another unit's (systemd_string_copy).
 */
static int
unit_path(sd_bus *b, const struct service *svc, char *path, size_t size,
    char *why, size_t whylen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	const char *p = NULL;
	int r;

	r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER, "LoadUnit",
	    &e, &m, "s", svc->unit);
	if (r >= 0)
		r = sdbus.message_read(m, "o", &p);
	if (r < 0)
		systemd_failed(why, whylen, "systemd cannot load the unit", r, &e);
	else if (systemd_string_copy(path, size, p) == -1) {
		snprintf(why, whylen, "systemd's object path of %s is over %zu "
		    "bytes, more than cutover keeps: give the unit a shorter "
		    "name (fewer characters other than letters and digits)",
		    svc->unit, size - 1);
		r = -1;
	}
	sdbus.message_unref(m);
	sdbus.error_free(&e);
	return r >= 0 ? 0 : EXIT_FAILED;
}

/*
 * A string property of the unit (IFACE: Unit or Service), into BUF: 0;
 * or BUF "?" and sd-bus's negative errno when systemd could not say, or
 * -EOVERFLOW when the value does not fit (cut, a cgroup or a user could
 * be another's: systemd_string_copy).
 */
static int
unit_string(sd_bus *b, const char *path, const char *iface, const char *name,
    char *buf, size_t size)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char *v = NULL;
	int r;

	r = sdbus.get_property_string(b, SD_DEST, path, iface, name, &e, &v);
	if (systemd_string_copy(buf, size, r >= 0 ? v : NULL) == -1 && r >= 0)
		r = -EOVERFLOW;
	free(v);
	sdbus.error_free(&e);
	return r >= 0 ? 0 : r;
}

/* What systemd says of the unit now: its states and main pid. */
struct unit_state {
	char load[32];              /* LoadState: loaded, not-found, masked */
	char active[32];            /* ActiveState: active, inactive, failed */
	char sub[32];               /* SubState: running, dead, failed */
	char cgroup[HOLDER_CGROUP_MAX];     /* ControlGroup, "" when none */
	uint32_t main_pid;
};

/*
 * US as systemd says it now: 0, or a negative errno - sd-bus's own, so
 * that a connection systemd dropped (a re-exec) is told from a refusal
 * by systemd_failed(), and the question asked again.
 */
static int
unit_read(sd_bus *b, const char *path, struct unit_state *us)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	memset(us, 0, sizeof(*us));
	if ((r = unit_string(b, path, SD_UNIT, "LoadState", us->load,
	    sizeof(us->load))) < 0 ||
	    (r = unit_string(b, path, SD_UNIT, "ActiveState", us->active,
	    sizeof(us->active))) < 0 ||
	    (r = unit_string(b, path, SD_UNIT, "SubState", us->sub,
	    sizeof(us->sub))) < 0)
		return r;
	/* A unit that is not loaded has no Service interface. */
	if (strcmp(us->load, "loaded") != 0)
		return 0;
	if ((r = unit_string(b, path, SD_SERVICE, "ControlGroup", us->cgroup,
	    sizeof(us->cgroup))) < 0)
		return r;
	r = sdbus.get_property_trivial(b, SD_DEST, path, SD_SERVICE,
	    "MainPID", &e, 'u', &us->main_pid);
	sdbus.error_free(&e);
	return r >= 0 ? 0 : r;
}

/* "active (running), main pid 123" */
static void
state_describe(const struct unit_state *us, char *buf, size_t size)
{
	if (us->main_pid > 0)
		snprintf(buf, size, "%s (%s), main pid %u", us->active, us->sub,
		    us->main_pid);
	else
		snprintf(buf, size, "%s (%s)", us->active, us->sub);
}

/* ---- a failed start, in the unit's own words ------------------------------ */

#define JOURNAL_WAIT 1.0    /* seconds journald may lag behind a failure */

/* The unit has failed or ended (or waits to restart): its start is over. */
static bool
state_ended(const struct unit_state *us)
{
	return strcmp(us->active, "failed") == 0 ||
	    strcmp(us->active, "inactive") == 0 ||
	    strcmp(us->active, "deactivating") == 0 ||
	    strcmp(us->sub, "auto-restart") == 0;
}

/* The unit's InvocationID, 32 hex digits, or "" when it has none. */
static void
unit_invocation(sd_bus *b, const char *path, char *hex, size_t size)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	const void *id;
	size_t n = 0, i;

	hex[0] = '\0';
	if (size >= 33 && sdbus.get_property(b, SD_DEST, path, SD_UNIT,
	    "InvocationID", &e, &m, "ay") >= 0 &&
	    sdbus.message_read_array(m, 'y', &id, &n) >= 0 && n == 16)
		for (i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x",
			    ((const unsigned char *)id)[i]);
	sdbus.message_unref(m);
	sdbus.error_free(&e);
}

static void unit_undo(const struct service *svc, char *note, size_t size);

/*
 * SVC's unit failed or ended during its start: cutover has systemd stop
 * it again and resets the failed state it left (unit_undo), then says
 * why in the unit's own words: the last lines of its journal for this
 * start (since SINCE_USEC, when systemd does not say which start), or
 * when there are none, what systemd says (Result=, ExecMainStatus).
 * Never a guess.  Into WHY.
 */
static void
failed_start(sd_bus *b, const char *path, const struct service *svc,
    uint64_t since_usec, char *why, size_t whylen)
{
	char lines[UNITLOG_LINES][UNITLOG_LINE_MAX], inv[40], result[32],
	    err[200], note[300];
	struct unitlog_exit ex = { .result = result };
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int n;

	/* read before the stop and the reset, which are a new chapter */
	unit_invocation(b, path, inv, sizeof(inv));
	(void)unit_string(b, path, SD_SERVICE, "Result", result,
	    sizeof(result));
	if (sdbus.get_property_trivial(b, SD_DEST, path, SD_SERVICE,
	    "ExecMainCode", &e, 'i', &ex.code) < 0)
		ex.code = 0;
	sdbus.error_free(&e);
	if (sdbus.get_property_trivial(b, SD_DEST, path, SD_SERVICE,
	    "ExecMainStatus", &e, 'i', &ex.status) < 0)
		ex.code = 0;
	sdbus.error_free(&e);
	n = journal_unit_tail(svc->unit, inv, since_usec, JOURNAL_WAIT, lines,
	    UNITLOG_LINES, err, sizeof(err));
	unit_undo(svc, note, sizeof(note));
	unitlog_say(why, whylen, svc->unit, note, lines, n > 0 ? (size_t)n : 0,
	    &ex);
	if (n == -1) {
		size_t len = strlen(why);

		snprintf(why + len, whylen - len, " (%s)", err);
	}
}

/* Wall-clock microseconds SECONDS ago: where a start's journal begins. */
static uint64_t
usec_ago(double seconds)
{
	struct timespec ts;
	double now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - seconds;
	return now > 0 ? (uint64_t)(now * 1e6) : 0;
}

/* ---- the socket handoff ---------------------------------------------------- */

/*
 * A switch hands a unit the port's listening sockets through
 * cutover-handoff (handoff/cutover-handoff.c), which the unit's ExecStart=
 * runs in front of its server: from before StartUnit until the helper has
 * taken them or the job has ended, the step offers them on
 * CUTOVER_HANDOFF_DIR/UNIT.sock, made while it was root in a directory
 * only root can write.  The socket is the service's user's, 0600, and
 * the directory 0711, so that a unit that runs as its own user (nginx as
 * nginx) can reach it and nobody else can connect.  The helper checks
 * that root offers them; the step checks that the peer is the helper (its
 * exe), as the service's user, in the unit's cgroup, so nothing else gets
 * the port's sockets.
 */
static struct {
	int fd;                         /* listening; -1: no offer */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	const struct svc_launch *l;
	const char *unit_path;          /* the unit's object, for its cgroup */
	bool taken;
	char refused[256];              /* a peer turned away, for messages */
} offer = { .fd = -1 };

/* As root: listen on the unit's handoff socket for the step's life. */
static int
unit_offer(const struct svc_launch *l, char *why, size_t whylen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, dir;

	if (l->nhandoff == 0)
		return 0;
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock",
	    CUTOVER_HANDOFF_DIR, l->svc->unit) >= sizeof(sa.sun_path))
		return why_set(why, whylen, "the unit's name is too long for "
		    "its handoff socket"), EXIT_FAILED;
	/* root's all the way from /, so the path below cannot be swapped */
	if ((fd = rootdir_open(CUTOVER_HANDOFF_DIR, "handoff directory", why,
	    whylen)) == -1)
		return EXIT_FAILED;
	dir = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(fd);
	if (dir == -1 || fchmod(dir, 0711) == -1) {
		why_errno(why, whylen, "cannot open the handoff directory to the "
		    "service's user");
		if (dir != -1)
			close(dir);
		return EXIT_FAILED;
	}
	close(dir);
	(void)unlink(sa.sun_path);      /* a step that was killed left it */
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    chown(sa.sun_path, l->uid, 0) == -1 ||
	    chmod(sa.sun_path, 0600) == -1 ||
	    listen(fd, 4) == -1) {
		why_errno(why, whylen, "cannot offer the handoff socket");
		if (fd != -1)
			close(fd);
		return EXIT_FAILED;
	}
	offer.fd = fd;
	offer.l = l;
	snprintf(offer.path, sizeof(offer.path), "%s", sa.sun_path);
	return 0;
}

static void
offer_end(void)
{
	if (offer.fd == -1)
		return;
	close(offer.fd);
	(void)unlink(offer.path);
	offer.fd = -1;
}

/*
 * The peer C is the unit's cutover-handoff: its exe, run as the service's
 * user, in the unit's cgroup.
 */
static bool
peer_is_helper(sd_bus *b, int c)
{
	struct unit_state us;
	struct ucred cr;
	struct stat want, got;
	socklen_t len = sizeof(cr);
	char exe[64], cg[HOLDER_CGROUP_MAX];
	size_t n;

	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) == -1) {
		why_errno(offer.refused, sizeof(offer.refused), "SO_PEERCRED");
		return false;
	}
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)cr.pid);
	if (stat(CUTOVER_HANDOFF_HELPER, &want) == -1 || stat(exe, &got) == -1 ||
	    want.st_dev != got.st_dev || want.st_ino != got.st_ino) {
		why_set(offer.refused, sizeof(offer.refused), "pid %d, which is "
		    "not %s, asked for the sockets", (int)cr.pid,
		    CUTOVER_HANDOFF_HELPER);
		return false;
	}
	if (cr.uid != offer.l->uid) {
		why_set(offer.refused, sizeof(offer.refused), "pid %d asked for "
		    "the sockets as uid %lu, not as %s", (int)cr.pid,
		    (unsigned long)cr.uid, offer.l->user);
		return false;
	}
	if (unit_read(b, offer.unit_path, &us) < 0 ||
	    holder_cgroup(cr.pid, cg, sizeof(cg)) == -1 ||
	    (n = strlen(us.cgroup)) == 0 || strncmp(cg, us.cgroup, n) != 0 ||
	    (cg[n] != '\0' && cg[n] != '/')) {
		why_set(offer.refused, sizeof(offer.refused), "pid %d asked for "
		    "the sockets from outside %s's cgroup", (int)cr.pid,
		    offer.l->svc->unit);
		return false;
	}
	return true;
}

/* A connection to the offer: hand the sockets over if it is the helper. */
static void
offer_serve(sd_bus *b)
{
	const struct svc_launch *l = offer.l;
	char cbuf[CMSG_SPACE(sizeof(int) * SERVICE_SOCKETS_MAX)], h = 'h', k = 0;
	struct iovec iov = { &h, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf,
	    .msg_controllen = CMSG_SPACE(sizeof(int) * l->nhandoff) };
	struct timeval limit = { 2, 0 };
	struct cmsghdr *cm;
	int c;

	if ((c = accept4(offer.fd, NULL, NULL, SOCK_CLOEXEC)) == -1)
		return;
	if (!peer_is_helper(b, c)) {
		close(c);
		return;
	}
	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * l->nhandoff);
	memcpy(CMSG_DATA(cm), l->handoff_fds, sizeof(int) * l->nhandoff);
	(void)setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
	if (sendmsg(c, &msg, MSG_NOSIGNAL) == 1 && recv(c, &k, 1, 0) == 1 &&
	    k == 'k') {
		offer.taken = true;
		offer_end();
	}
	close(c);
}

/*
 * After the start job: a unit of Type=exec has its job done once its
 * ExecStart= is exec'd, before the helper in it has asked for the
 * sockets.  Keep offering until it has, the unit is no longer starting
 * or running, or DEADLINE.
 */
static void
offer_until_taken(sd_bus *b, double deadline)
{
	struct pollfd pfd = { .fd = offer.fd, .events = POLLIN };
	struct unit_state us;

	while (offer.fd != -1 && monotonic_seconds() < deadline) {
		if (poll(&pfd, 1, 20) == 1)
			offer_serve(b);
		else if (unit_read(b, offer.unit_path, &us) < 0 ||
		    (strcmp(us.active, "active") != 0 &&
		    strcmp(us.active, "activating") != 0))
			break;
	}
}

/* ---- a job and its end ---------------------------------------------------- */

/*
 * METHOD (StartUnit or StopUnit) of SVC's unit, its job watched in J
 * (systemd_job_done() lets go of it).  0, or EXIT_FAILED (WHY) when
 * systemd refused or could not be asked.
 */
static int
job_begin(sd_bus *b, const char *method, const struct service *svc,
    struct systemd_job *j, char *why, size_t whylen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	const char *job;
	int r;

	if (systemd_job_watch(b, j, why, whylen) == -1)
		return EXIT_FAILED;
	r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER, method,
	    &e, &m, "ss", svc->unit, "replace");
	if (r >= 0)
		r = sdbus.message_read(m, "o", &job);
	if (r >= 0)
		systemd_job_is(j, job);
	else {
		char what[128];

		snprintf(what, sizeof(what), "systemd refused to %s %s",
		    strcmp(method, "StartUnit") == 0 ? "start" : "stop",
		    svc->unit);
		systemd_failed(why, whylen, what, r, &e);
	}
	sdbus.message_unref(m);
	sdbus.error_free(&e);
	return r >= 0 ? 0 : EXIT_FAILED;
}

/* An offer pending: look at it while the job runs (the helper waits). */
static void
offer_tick(sd_bus *b)
{
	if (offer.fd != -1)
		offer_serve(b);
}

/* job_begin, then wait until DEADLINE (*ENDED: whether it ended). */
static int
run_job(sd_bus *b, const char *method, const struct service *svc,
    double deadline, struct systemd_job *j, bool *ended, char *why,
    size_t whylen)
{
	int st;

	*ended = false;
	if ((st = job_begin(b, method, svc, j, why, whylen)) == 0)
		st = systemd_job_wait(b, j, deadline, offer.fd != -1 ?
		    offer_tick : NULL, ended, why, whylen);
	systemd_job_done(j);
	return st;
}

/* ---- the seam ------------------------------------------------------------- */

/* SVC's unit as systemd sees it now: 0, or EXIT_FAILED (WHY). */
static int
unit_look(const struct service *svc, struct unit_state *us, char *why,
    size_t whylen)
{
	sd_bus *own, *b = systemd_some(&own, why, whylen);
	char path[256];
	int st, r;

	if (b == NULL)
		return EXIT_FAILED;
	if ((st = unit_path(b, svc, path, sizeof(path), why, whylen)) == 0 &&
	    (r = unit_read(b, path, us)) < 0)
		st = systemd_failed(why, whylen, "cannot read the unit's state from "
		    "systemd", r, NULL);
	sdbus.flush_close_unref(own);
	return st;
}

/* Uids as for a process, and the control group US says the unit has. */
static int
unit_ids(const struct service *svc, const struct unit_state *us,
    struct holder_ids *ids, char *why, size_t whylen)
{
	int st;

	if ((st = holder_ids_resolve(svc, ids, why, whylen)) != 0)
		return st;
	ids->in_unit = true;
	snprintf(ids->cgroup, sizeof(ids->cgroup), "%s", us->cgroup);
	return 0;
}

/* Who the unit's processes are, with its control group as it is now. */
static int
unit_identity(const struct service *svc, struct holder_ids *ids, char *why,
    size_t whylen)
{
	struct unit_state us;
	int st;

	if ((st = unit_look(svc, &us, why, whylen)) != 0)
		return st;
	return unit_ids(svc, &us, ids, why, whylen);
}

/* The unit exists, and is not masked: else why not (EXIT_REFUSED). */
static int
unit_startable(const struct service *svc, const struct unit_state *us,
    char *why, size_t whylen)
{
	if (strcmp(us->load, "not-found") == 0)
		snprintf(why, whylen, "unit %s of service %s does not exist on "
		    "this host; install it, or fix the policy; nothing was "
		    "started", svc->unit, svc->name);
	else if (strcmp(us->load, "masked") == 0)
		snprintf(why, whylen, "unit %s is masked, so systemd will not "
		    "start it; if it should run, systemctl unmask %s; nothing "
		    "was started", svc->unit, svc->unit);
	else if (strcmp(us->load, "loaded") != 0)
		snprintf(why, whylen, "systemd could not load unit %s (%s); "
		    "see systemctl status %s; nothing was started", svc->unit,
		    us->load, svc->unit);
	else
		return 0;
	return EXIT_REFUSED;
}

/*
 * A unit that takes a handoff must run cutover-handoff first (its drop-in):
 * the first ExecStart='s program.  EXIT_REFUSED with what to do.
 */
static int
runs_helper(const struct service *svc, char *why, size_t whylen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	sd_bus *own, *b = systemd_some(&own, why, whylen);
	char path[256];
	const char *prog = NULL;
	int r, st = EXIT_FAILED;

	if (b == NULL)
		return EXIT_FAILED;
	if (unit_path(b, svc, path, sizeof(path), why, whylen) == 0) {
		r = sdbus.get_property(b, SD_DEST, path, SD_SERVICE, "ExecStart",
		    &e, &m, "a(sasbttttuii)");
		if (r >= 0 && (r = sdbus.message_enter_container(m, 'a',
		    "(sasbttttuii)")) > 0 && (r = sdbus.message_enter_container(m,
		    'r', "sasbttttuii")) > 0)
			r = sdbus.message_read(m, "s", &prog);
		if (r < 0)
			systemd_failed(why, whylen, "cannot read the unit's ExecStart=",
			    r, &e);
		else if (prog != NULL && strcmp(prog, CUTOVER_HANDOFF_HELPER) == 0)
			st = 0;
		else {
			why_set(why, whylen, "service %s takes the port's socket "
			    "in a switch (socket_handoff), but its unit %s does not "
			    "run %s (its ExecStart= runs %s): add the drop-in of "
			    "cutover(8), SOCKET HANDOFF UNDER SYSTEMD, or write "
			    "socket_handoff = \"none\"", svc->name, svc->unit,
			    CUTOVER_HANDOFF_HELPER, prog ? prog : "nothing");
			st = EXIT_REFUSED;
		}
	}
	sdbus.message_unref(m);
	sdbus.error_free(&e);
	sdbus.flush_close_unref(own);
	return st;
}

/* The uid the unit's User= names ("": root, as systemd runs it); -1. */
static int
unit_user_uid(const char *user, uid_t *uid)
{
	struct passwd *pw;
	char *end;
	unsigned long v;

	if (user[0] == '\0') {
		*uid = 0;
		return 0;
	}
	if ((pw = getpwnam(user)) != NULL) {
		*uid = pw->pw_uid;
		return 0;
	}
	errno = 0;
	v = strtoul(user, &end, 10);
	if (errno != 0 || end == user || *end != '\0' || v >= (uid_t)-1)
		return -1;
	*uid = (uid_t)v;
	return 0;
}

/*
 * How the unit runs its processes: the user its User= names, and whether
 * its AmbientCapabilities= give them cap_net_bind_service (*BIND).
 */
static int
unit_user(const struct service *svc, char *user, size_t size, bool *bind,
    char *why, size_t whylen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus *own, *b = systemd_some(&own, why, whylen);
	char path[256];
	uint64_t ambient = 0;
	int st, r;

	if (b == NULL)
		return EXIT_FAILED;
	if ((st = unit_path(b, svc, path, sizeof(path), why, whylen)) == 0) {
		if ((r = unit_string(b, path, SD_SERVICE, "User", user,
		    size)) >= 0)
			r = sdbus.get_property_trivial(b, SD_DEST, path,
			    SD_SERVICE, "AmbientCapabilities", &e, 't', &ambient);
		if (r < 0)
			st = systemd_failed(why, whylen, "cannot read the unit's "
			    "User= and AmbientCapabilities=", r, &e);
	}
	*bind = (ambient & (1ULL << CAP_NET_BIND_SERVICE)) != 0;
	sdbus.error_free(&e);
	sdbus.flush_close_unref(own);
	return st;
}

/*
 * The unit runs its processes as the policy's user, L->uid (its User=;
 * none is root): else EXIT_REFUSED, saying what to change.  A policy
 * that says user = "nginx" over a unit that would start nginx as root is
 * refused here, before anything is done, not found out after.  L->caps:
 * cap_net_bind_service when the unit gives it, so that the pre-flight's
 * nginx -T binds as the unit's nginx -t does.
 */
static int
unit_runs_as(struct svc_launch *l, char *why, size_t whylen)
{
	const struct service *svc = l->svc;
	char user[256];
	bool bind = false;
	uid_t uid = 0;
	int st;

	if ((st = unit_user(svc, user, sizeof(user), &bind, why, whylen)) != 0)
		return st;
	if (bind && l->uid != 0) {
		if ((l->caps = calloc(1, sizeof(*l->caps))) == NULL)
			return why_set(why, whylen, "out of memory"), EXIT_FAILED;
		l->caps[0] = CAP_NET_BIND_SERVICE;
		l->ncaps = 1;
	}
	if (unit_user_uid(user, &uid) == -1)
		return why_set(why, whylen, "unit %s runs as user %s, which does "
		    "not exist; fix the unit; nothing was done", svc->unit, user),
		    EXIT_REFUSED;
	if (uid == l->uid)
		return 0;
	if (uid == 0)
		why_set(why, whylen, "unit %s runs as root (%s), but the policy "
		    "says service %s runs as %s: give the unit User=%s (for nginx, "
		    "the drop-in of cutover(8), NGINX AS ITS OWN USER), or, if root "
		    "is meant, say user = \"root\"; allow_root = true; nothing was "
		    "done", svc->unit, user[0] ? user : "it has no User=", svc->name,
		    l->user, l->user);
	else
		why_set(why, whylen, "unit %s runs as user %s, but the policy says "
		    "service %s runs as %s: make them one; nothing was done",
		    svc->unit, user, svc->name, l->user);
	return EXIT_REFUSED;
}

/* Touching nothing: the unit can be started, and who its processes are. */
static int
unit_resolve(const struct service *svc, struct svc_launch *l, char *why,
    size_t whylen)
{
	struct unit_state us;
	int st;

	memset(l, 0, sizeof(*l));
	l->svc = svc;
	l->step = STEP_UNIT;
	l->timeout = svc->start_timeout > 0 ? svc->start_timeout : 10.0;
	if ((st = unit_look(svc, &us, why, whylen)) != 0 ||
	    (st = unit_startable(svc, &us, why, whylen)) != 0 ||
	    (svc->handoff != HANDOFF_NONE &&
	    (st = runs_helper(svc, why, whylen)) != 0) ||
	    (st = unit_ids(svc, &us, &l->holders, why, whylen)) != 0 ||
	    (st = svc_resolve_user(svc, l, why, whylen)) != EXIT_DONE ||
	    (st = unit_runs_as(l, why, whylen)) != 0)
		return st;
	return EXIT_DONE;
}

static void
unit_launch_free(struct svc_launch *l)
{
	free(l->caps);
	free(l->groups);
	free(l->user);
	free(l->home);
	memset(l, 0, sizeof(*l));
}

static void unit_undo_start(const struct service *svc, char *why,
    size_t whylen);
static int start_outcome(sd_bus *b, const char *path,
    const struct svc_launch *l, const struct systemd_job *w, bool ended,
    double seconds, char *why, size_t whylen);

static int
unit_launch(const struct svc_launch *l, struct svc_started *rep, char *why,
    size_t whylen)
{
	const struct service *svc = l->svc;
	double start = monotonic_seconds();
	struct unit_state us;
	struct systemd_job w;
	char path[256];
	bool ended;
	sd_bus *b;
	int st, r;

	rep->launched = 0;
	rep->pidfd = -1;
	rep->exited = true;         /* nothing of cutover's to reap */
	if ((b = systemd_held(why, whylen)) == NULL)
		return EXIT_FAILED;
	if ((st = unit_path(b, svc, path, sizeof(path), why, whylen)) != 0)
		return st;
	if ((r = unit_read(b, path, &us)) < 0)
		return systemd_failed(why, whylen, "cannot read the unit's state",
		    r, NULL);
	if ((st = unit_startable(svc, &us, why, whylen)) != 0)
		return st;
	/* resumed: the lost start's job ended while systemd re-executed */
	if (l->resumed && strcmp(us.active, "active") == 0) {
		offer_end();
		rep->seconds = monotonic_seconds() - start;
		return EXIT_DONE;       /* serving is unit_wait_ready's to see */
	}
	offer.unit_path = path;
	/* resumed and still starting: systemd merges this job into its own */
	st = run_job(b, "StartUnit", svc, start + l->timeout, &w, &ended, why,
	    whylen);
	if (st == 0 && ended && strcmp(w.result, "done") == 0 && !l->resumed)
		offer_until_taken(b, start + l->timeout);
	rep->seconds = monotonic_seconds() - start;
	offer_end();
	if (st == EXIT_FAILED)
		return st;
	return start_outcome(b, path, l, &w, ended, rep->seconds, why, whylen);
}

/*
 * How the start job W of L's unit at PATH ended (ENDED: whether it did,
 * SECONDS after it began): EXIT_DONE, or EXIT_FAILED with WHY, the unit
 * stopped again where it ran.
 */
static int
start_outcome(sd_bus *b, const char *path, const struct svc_launch *l,
    const struct systemd_job *w, bool ended, double seconds, char *why,
    size_t whylen)
{
	const struct service *svc = l->svc;
	struct unit_state us;
	char state[128];
	bool done = ended && strcmp(w->result, "done") == 0;
	/* resumed, the helper may have taken the lost start's offer */
	bool untaken = l->nhandoff > 0 && !offer.taken && !l->resumed;

	(void)unit_read(b, path, &us);
	state_describe(&us, state, sizeof(state));
	if ((done && untaken && state_ended(&us)) ||
	    (ended && !done && strcmp(us.active, "failed") == 0)) {
		/* it ran and failed (its job, or before its helper asked for
		   the sockets): its own words say why, not the job's; and
		   whom the offer turned away, if anyone */
		failed_start(b, path, svc, usec_ago(seconds + 1), why, whylen);
		if (offer.refused[0] != '\0') {
			size_t n = strlen(why);

			snprintf(why + n, whylen - n, "; cutover refused it the "
			    "port's sockets: %s", offer.refused);
		}
	} else if (done && untaken) {
		snprintf(why, whylen, "systemd started %s, but it did not take "
		    "the port's socket from cutover%s%s (its ExecStart= must "
		    "run %s: cutover(8), SOCKET HANDOFF UNDER SYSTEMD); the unit "
		    "was %s", svc->unit, offer.refused[0] ? ": " : "",
		    offer.refused, CUTOVER_HANDOFF_HELPER, state);
		unit_undo_start(svc, why, whylen);
	} else if (!ended) {
		snprintf(why, whylen, "systemd did not start %s within %.1f s "
		    "(its job was still running; the unit was %s)", svc->unit,
		    l->timeout, state);
		unit_undo_start(svc, why, whylen);
	} else if (!done)
		snprintf(why, whylen, "systemd could not start %s: its job %s; "
		    "the unit is %s; see journalctl -u %s", svc->unit, w->result,
		    state, svc->unit);
	else
		return EXIT_DONE;
	return EXIT_FAILED;
}

/*
 * The failed state that this start left on SVC's unit: reset
 * (ResetFailedUnit), so that the next switch's pre-flight, which refuses
 * a failed unit, does not lock out a caller who has fixed the cause.
 * Only a start cutover ran, in this step: a unit that failed before is
 * still refused (switch.c).  The failure's words stay in the journal,
 * the step's result and its audit record.  Whether it was reset.
 */
static bool
reset_failed(sd_bus *b, const struct service *svc)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	struct unit_state us;
	char path[256], err[200];
	int r;

	if (unit_path(b, svc, path, sizeof(path), err, sizeof(err)) != 0 ||
	    unit_read(b, path, &us) < 0 || strcmp(us.active, "failed") != 0)
		return false;
	r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER,
	    "ResetFailedUnit", &e, NULL, "s", svc->unit);
	sdbus.error_free(&e);
	return r >= 0;
}

/*
 * After a failed start: ask systemd to stop the unit again (that also
 * cancels a start job still running), so that no failure leaves it
 * half-started, and reset the failed state it left.  NOTE says what
 * became of it: "stopped again, failed state reset".
 */
static void
unit_undo(const struct service *svc, char *note, size_t size)
{
	struct systemd_job w;
	char err[200];
	sd_bus *b = systemd_held(err, sizeof(err));
	bool ended;
	int st;

	if (b == NULL) {
		snprintf(note, size, "not stopped again: %s", err);
		return;
	}
	st = run_job(b, "StopUnit", svc, monotonic_seconds() +
	    svc->stop_timeout, &w, &ended, err, sizeof(err));
	if (st == 0 && ended && strcmp(w.result, "done") == 0)
		snprintf(note, size, "stopped again%s", reset_failed(b, svc) ?
		    ", failed state reset" : "");
	else
		snprintf(note, size, "cutover asked systemd to stop it again, "
		    "which did not finish (%s): see systemctl status %s",
		    st == EXIT_FAILED ? err : !ended ? "still running" :
		    w.result, svc->unit);
}

/* unit_undo, its note after WHY. */
static void
unit_undo_start(const struct service *svc, char *why, size_t whylen)
{
	char note[300];
	size_t len = strlen(why);

	unit_undo(svc, note, sizeof(note));
	snprintf(why + len, whylen - len, "; %s: %s", svc->unit, note);
}

/* The unit at PATH has failed or ended: its start will not serve. */
static bool
unit_gone(sd_bus *b, const char *path)
{
	struct unit_state us;

	memset(&us, 0, sizeof(us));
	return unit_string(b, path, SD_UNIT, "ActiveState", us.active,
	    sizeof(us.active)) == 0 && unit_string(b, path, SD_UNIT,
	    "SubState", us.sub, sizeof(us.sub)) == 0 && state_ended(&us);
}

/*
 * Until L's ports are held by the unit's processes (1), cannot be read
 * (-1), the unit at PATH has failed or ended (-2: at once, not at the
 * timeout), or L->timeout passed (0); STATE says how they were last seen.
 */
static int
poll_ports(sd_bus *b, const char *path, const struct svc_launch *l,
    struct svc_started *rep, char *state, size_t len)
{
	struct holders *h = malloc(sizeof(*h));
	double deadline = monotonic_seconds() + l->timeout;
	long pause = 1;
	int ready;

	if (h == NULL) {
		snprintf(state, len, "cutover ran out of memory");
		return -1;
	}
	while ((ready = svc_ports_ready(l, h, rep, state, len)) == 0 &&
	    monotonic_seconds() < deadline) {
		if (unit_gone(b, path)) {
			ready = -2;
			break;
		}
		svc_poll_pause(&pause);
	}
	free(h);
	return ready;
}

static int
unit_wait_ready(const struct svc_launch *l, struct svc_started *rep,
    char *why, size_t whylen)
{
	const struct service *svc = l->svc;
	struct svc_launch seen = *l;
	struct unit_state us;
	char path[256], state[512], pids[128], ports[128];
	double waited = rep->seconds, ready_from = monotonic_seconds();
	sd_bus *b;
	int st;

	if ((b = systemd_held(why, whylen)) == NULL)
		return EXIT_FAILED;
	/* Started now: its cgroup is known, and its holders must be in it. */
	if ((st = unit_identity(svc, &seen.holders, why, whylen)) != 0) {
		unit_undo_start(svc, why, whylen);
		return st;
	}
	seen.timeout = l->timeout > waited ? l->timeout - waited : 0.1;
	if ((st = unit_path(b, svc, path, sizeof(path), why, whylen)) != 0) {
		unit_undo_start(svc, why, whylen);
		return st;
	}
	st = poll_ports(b, path, &seen, rep, state, sizeof(state));
	rep->seconds = waited + (monotonic_seconds() - ready_from);
	if (st == -2) {
		/* failed or ended before it served: at once, in its words */
		failed_start(b, path, svc, usec_ago(rep->seconds + 1), why,
		    whylen);
		return EXIT_FAILED;
	}
	if (unit_read(b, path, &us) < 0) {
		memset(&us, 0, sizeof(us));
		snprintf(us.active, sizeof(us.active), "?");
	}
	svc_port_list(svc, ports, sizeof(ports));
	if (st == 1) {
		char unit[160];

		/* all of it, not only the holders, as the policy says */
		if ((st = svc_unit_procs_fit(svc, &seen.holders, why,
		    whylen)) != 0) {
			unit_undo_start(svc, why, whylen);
			return st;
		}

		state_describe(&us, unit, sizeof(unit));
		pids_describe(rep->pids, rep->npids, pids, sizeof(pids));
		snprintf(why, whylen, "systemd started %s: %s; %s listens on %s "
		    "(pid %s) after %.2f s", svc->unit, unit, svc->name,
		    svc->nports ? ports : "no declared port",
		    rep->npids ? pids : "none", rep->seconds);
		return EXIT_DONE;
	}
	snprintf(why, whylen, "systemd started %s, but %s is not ready "
	    "within %.1f s: %s", svc->unit, svc->name, l->timeout, state);
	unit_undo_start(svc, why, whylen);
	return EXIT_FAILED;
}

#define KILL_WAIT 2.0       /* seconds for a stop job after a SIGKILL */

/* systemd sends SIGKILL to every process of SVC's unit (its cgroup). */
static int
kill_unit(sd_bus *b, const struct service *svc, char *why, size_t whylen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER, "KillUnit", &e,
	    NULL, "ssi", svc->unit, "all", SIGKILL);
	if (r < 0)
		systemd_failed(why, whylen, "systemd could not kill the unit's "
		    "processes", r, &e);
	sdbus.error_free(&e);
	return r < 0 ? EXIT_FAILED : 0;
}

/*
 * systemd stops the unit as it says (apache2: ExecStop= is apachectl
 * graceful-stop, which waits for the requests in flight; KillMode=mixed's
 * SIGTERM comes only after it).  What still runs at DEADLINE is cut:
 * systemd kills the unit's processes (KillUnit, SIGKILL, by cgroup,
 * *KILLED), so a stop is never left half-done.  0 (*ENDED: the job ended,
 * its result in W), or EXIT_FAILED (WHY).
 */
static int
stop_job(sd_bus *b, const struct service *svc, double deadline,
    struct systemd_job *w, bool *ended, bool *killed, char *why,
    size_t whylen)
{
	int st;

	*ended = *killed = false;
	if ((st = job_begin(b, "StopUnit", svc, w, why, whylen)) == 0 &&
	    (st = systemd_job_wait(b, w, deadline, NULL, ended, why,
	    whylen)) == 0 && !*ended && kill_unit(b, svc, why, whylen) == 0) {
		*killed = true;
		st = systemd_job_wait(b, w, monotonic_seconds() + KILL_WAIT,
		    NULL, ended, why, whylen);
	}
	systemd_job_done(w);
	return st;
}

/* KEEP: systemd stops the unit and cutover counts no socket after it. */
static int
unit_stop(const struct service *svc, const struct stop_keep *keep,
    struct stop_report *rep, char *why, size_t whylen)
{
	double start = monotonic_seconds();
	struct unit_state before, after;
	struct systemd_job w;
	char path[256], state[128];
	bool ended = false;
	sd_bus *b;
	int st, r;

	memset(rep, 0, sizeof(*rep));
	if ((b = systemd_held(why, whylen)) == NULL)
		return EXIT_FAILED;
	if ((st = unit_path(b, svc, path, sizeof(path), why, whylen)) != 0)
		return st;
	if ((r = unit_read(b, path, &before)) < 0)
		return systemd_failed(why, whylen, "cannot read the unit's state",
		    r, NULL);
	if (strcmp(before.load, "not-found") == 0) {
		snprintf(why, whylen, "unit %s of service %s does not exist on "
		    "this host; nothing was done", svc->unit, svc->name);
		return EXIT_REFUSED;
	}
	if (strcmp(before.active, "inactive") == 0 ||
	    strcmp(before.active, "failed") == 0) {
		/*
		 * A switch's unit that failed after it started (a new
		 * server that crashed during the check): reset, as a failed
		 * start is, or the next switch's pre-flight refuses it and
		 * the caller is locked out until root runs reset-failed.
		 */
		if (keep != NULL)       /* a switch's stop, and only that */
			rep->reset_failed = reset_failed(b, svc);
		rep->already_free = true;
		return EXIT_DONE;
	}
	st = stop_job(b, svc, start + svc->stop_timeout, &w, &ended,
	    &rep->killed, why, whylen);
	rep->seconds = monotonic_seconds() - start;
	if (st == EXIT_FAILED)
		return st;
	if (before.main_pid > 0) {
		rep->pids[rep->npids++] = (pid_t)before.main_pid;
		rep->nsignalled = 1;
	}
	rep->services[rep->nservices++] = svc->name;
	rep->by_systemd = true;
	(void)unit_read(b, path, &after);
	state_describe(&after, state, sizeof(state));
	if (!ended)
		snprintf(why, whylen, "systemd did not stop %s within %.1f s, "
		    "nor %.0f s after it killed its processes (its job goes on; "
		    "the unit is %s); see systemctl status %s", svc->unit,
		    svc->stop_timeout, KILL_WAIT, state, svc->unit);
	else if (strcmp(w.result, "done") != 0)
		snprintf(why, whylen, "systemd could not stop %s: its job %s; "
		    "the unit is %s", svc->unit, w.result, state);
	else
		return EXIT_DONE;
	return EXIT_FAILED;
}

/* ---- what the next boot finds -------------------------------------------- */

/*
 * GetUnitFileState into STATE ("not-found" for no such unit): 0, -1.
 * Whole or refused (systemd_string_copy): a rollback puts this state
 * back, and a state cut to fit would be another or none.
 */
static int
unit_file_state(sd_bus *b, const struct service *svc, char *state,
    size_t size, char *why, size_t whylen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	const char *v = NULL;
	int r;

	r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER,
	    "GetUnitFileState", &e, &m, "s", svc->unit);
	if (r >= 0)
		r = sdbus.message_read(m, "s", &v);
	if (r >= 0) {
		if (systemd_string_copy(state, size, v) == -1) {
			snprintf(why, whylen, "systemd's state of %s's unit "
			    "file (whether it starts at boot) is over %zu bytes, "
			    "longer than any state cutover knows: see systemctl "
			    "is-enabled %s, and report it", svc->unit, size - 1,
			    svc->unit);
			r = -1;
		}
	} else if (e.name != NULL &&
	    strcmp(e.name, "org.freedesktop.systemd1.NoSuchUnit") == 0) {
		snprintf(state, size, "not-found");
		r = 0;
	} else
		systemd_failed(why, whylen, "systemd cannot say whether the unit "
		    "starts at boot", r, &e);
	sdbus.message_unref(m);
	sdbus.error_free(&e);
	return r >= 0 ? 0 : -1;
}

/* The unit file's state and the unit's ActiveState. */
static int
unit_state(const struct service *svc, struct svc_state *state, char *why,
    size_t whylen)
{
	sd_bus *own, *b = systemd_some(&own, why, whylen);
	struct unit_state us;
	char path[256];
	int st = EXIT_FAILED, r;

	memset(state, 0, sizeof(*state));
	if (b == NULL)
		return EXIT_FAILED;
	if (unit_file_state(b, svc, state->boot, sizeof(state->boot), why,
	    whylen) == 0 && unit_path(b, svc, path, sizeof(path), why,
	    whylen) == 0) {
		if ((r = unit_read(b, path, &us)) == 0) {
			snprintf(state->active, sizeof(state->active), "%s",
			    us.active);
			st = 0;
		} else
			systemd_failed(why, whylen, "cannot read the unit's state "
			    "from systemd", r, NULL);
	}
	sdbus.flush_close_unref(own);
	return st;
}

/* One of the Manager's unit-file methods on SVC's unit, persistently. */
static int
unit_file_call(sd_bus *b, const char *method, const struct service *svc,
    char *why, size_t whylen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char what[128];
	int r;

	/* Enable and Mask take (files, runtime, force), the others no force */
	if (strcmp(method, "EnableUnitFiles") == 0 ||
	    strcmp(method, "MaskUnitFiles") == 0)
		r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER, method, &e,
		    NULL, "asbb", 1, svc->unit, 0, 0);
	else
		r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER, method, &e,
		    NULL, "asb", 1, svc->unit, 0);
	if (r < 0) {
		snprintf(what, sizeof(what), "systemd could not %s %s", method,
		    svc->unit);
		systemd_failed(why, whylen, what, r, &e);
	}
	sdbus.error_free(&e);
	return r < 0 ? EXIT_FAILED : 0;
}

static int
unit_set_boot(const struct service *svc, const char *state, bool reload,
    char *why, size_t whylen)
{
	static const struct {
		const char *state;
		const char *first, *then;
	} how[] = {
		{ "enabled", "UnmaskUnitFiles", "EnableUnitFiles" },
		{ "disabled", "UnmaskUnitFiles", "DisableUnitFiles" },
		{ "masked", "DisableUnitFiles", "MaskUnitFiles" },
		{ "static", "UnmaskUnitFiles", NULL },
	};
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus *b;
	size_t i;
	int r;

	if ((b = systemd_held(why, whylen)) == NULL)
		return EXIT_FAILED;
	for (i = 0; i < sizeof(how) / sizeof(how[0]) &&
	    strcmp(how[i].state, state) != 0; i++)
		;
	if (i == sizeof(how) / sizeof(how[0])) {
		snprintf(why, whylen, "cutover cannot make %s '%s' at boot "
		    "(it can make a unit enabled, disabled, masked or static)",
		    svc->unit, state);
		return EXIT_FAILED;
	}
	if (unit_file_call(b, how[i].first, svc, why, whylen) != 0 ||
	    (how[i].then != NULL &&
	    unit_file_call(b, how[i].then, svc, why, whylen) != 0))
		return EXIT_FAILED;
	if (!reload)
		return 0;
	/* as systemctl does after a change of unit files */
	r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER, "Reload", &e,
	    NULL, NULL);
	if (r < 0)
		systemd_failed(why, whylen, "systemd could not reload", r, &e);
	sdbus.error_free(&e);
	return r < 0 ? EXIT_FAILED : 0;
}

/* StartUnit or StopUnit, "replace", the job left to run: not waited for. */
static int
unit_queue(const struct service *svc, bool start, char *why, size_t whylen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	char what[128];
	sd_bus *b;
	int r;

	if ((b = systemd_held(why, whylen)) == NULL)
		return EXIT_FAILED;
	r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER, start ?
	    "StartUnit" : "StopUnit", &e, NULL, "ss", svc->unit, "replace");
	if (r < 0) {
		snprintf(what, sizeof(what), "systemd could not queue the %s of "
		    "%s", start ? "start" : "stop", svc->unit);
		systemd_failed(why, whylen, what, r, &e);
	}
	sdbus.error_free(&e);
	return r < 0 ? EXIT_FAILED : 0;
}

const struct svc_ops svc_unit_ops = {
	.name = "systemd unit",
	.attach = unit_attach,
	.stop_step = STEP_UNIT,
	.resolve = unit_resolve,
	.launch_free = unit_launch_free,
	.offer = unit_offer,
	.ports_unheld = svc_ports_unheld_scan,
	.launch = unit_launch,
	.wait_ready = unit_wait_ready,
	.stop = unit_stop,
	.identity = unit_identity,
	.state = unit_state,
	.set_boot = unit_set_boot,
	.queue = unit_queue,
};
