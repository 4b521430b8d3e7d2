/*
 * privilege.c - the one file that changes credentials, and the table of
 * what each step may hold.  A reviewer reads this file to know everything
 * cutover can ever do with root's powers.
 *
 * Model: cutover starts as euid 0 (setuid root).  It stays root only
 * while it reads the policy, asks PAM and writes the audit record.  Then
 * an action runs in a transaction (transaction.c) whose every uid is 0
 * from its fork on (privilege_become_transaction), so the caller can
 * neither signal, ptrace nor prlimit it.  Each step of it runs in a child
 * that privilege_enter() makes the step user (CUTOVER_STEP_USER, real,
 * effective and saved uid and gid, no supplementary groups) holding
 * exactly the capabilities of its step, in permitted and effective only,
 * with the bounding set cut down to the same set, inheritable and ambient
 * empty, securebits locked so that no uid change can bring root's powers
 * back, and no_new_privs set.  The step user is neither root (uid 0 owns
 * /etc, and DAC lets an owner write its files) nor the caller (who could
 * then signal, prlimit or renice the step half-way).  A check's fetch
 * (STEP_CHECK) runs as a user of its own, CUTOVER_CHECK_USER, with
 * nothing: it parses what a server sends, so it must hold no capability
 * and not be the step user, and it must not be the caller, who could kill
 * or stop it and so force a switch's rollback (issue 28, item 2).  Only
 * STEP_CALLER, for list, becomes the caller.
 */
#include <sys/capability.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/securebits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/lib/procfs.h"
#include "helper/lib/why.h"
#include "helper/priv/privilege.h"

/*
 * The capability table.  Every capability cutover ever uses after its
 * decision is listed here, with the reason.
 */
static const struct step_caps {
	enum priv_step step;
	const char *name;   /* as cutover(8)'s PRIVILEGES says (t-manpages) */
	cap_value_t caps[5];
	size_t ncaps;
	const char *why;
} table[] = {
	{ STEP_CALLER, "caller", { 0 }, 0,
	    "list, the policy commands and refusals: nothing but the "
	    "caller's own rights" },
	/*
	 * A check's fetch parses untrusted HTTP and TLS: nothing at all,
	 * as a user that is neither the caller (who could kill or stop it)
	 * nor the step user (whose steps hold capabilities).
	 */
	{ STEP_CHECK, "check", { 0 }, 0,
	    "a check's fetch (verify, and each check of a switch): the check "
	    "user, no capability, no supplementary group, its own resource "
	    "limits (it parses untrusted HTTP)" },
	{ STEP_FREE_PORT, "free-port",
	    { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_KILL }, 3,
	    "read other users' /proc/PID/fd and exe to find and re-verify "
	    "port holders; signal a permitted holder through its pidfd; in "
	    "a switch with a socket handoff, copy the holder's listening "
	    "socket through that pidfd (pidfd_getfd) before signalling it" },
	{ STEP_STOP, "stop",
	    { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_KILL }, 3,
	    "as free-port, for the processes of one service; and in a "
	    "switch's overlap, pause the old service's processes (SIGSTOP) "
	    "while the new one is checked alone, then let them go on "
	    "(SIGCONT)" },
	/*
	 * A unit's start or stop: the step connected to systemd's private
	 * socket as root before it entered (svc_attach), so systemd knows
	 * the connection as root's; the step itself needs only to see who
	 * holds the unit's ports.
	 */
	{ STEP_UNIT, "unit",
	    { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH }, 2,
	    "read other users' /proc/PID/fd and exe to see that the unit's "
	    "processes hold its ports; after a failed start, read its lines "
	    "in the system journal (root's and group systemd-journal's "
	    "files); talk to systemd over the connection the step opened as "
	    "root" },
	{ STEP_START, "start",
	    { CAP_SETUID, CAP_SETGID, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH,
	    CAP_KILL }, 5,
	    "switch the child to the service's user and groups; see who "
	    "holds its ports before and after; kill, through its pidfd, a "
	    "launched child that did not come up by its deadline (plus the "
	    "service's own listed capabilities, passed on as ambient)" },
	/*
	 * A switch's pre-flight reads the new server's configuration as
	 * the server dumps it (nginx -T, run as root: it reads certificate
	 * keys).  The dump may hold what only root may read, so it is read
	 * as the step user, never as the caller, and parsed with nothing.
	 */
	{ STEP_READ, "read", { 0 }, 0,
	    "read and judge the new server's configuration dump (nginx -T) "
	    "in a switch's pre-flight: the step user, no capability" },
	/*
	 * A check with served_by: who holds the port it reaches, looked at
	 * before and after its fetch (which runs as the check user, with
	 * nothing).  Looks only; for a unit's service over the connection
	 * to systemd the step made as root, to read the unit's cgroup.
	 */
	{ STEP_LOOK, "look",
	    { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH }, 2,
	    "read other users' /proc/PID/fd and exe to see whether only the "
	    "service a check names (served_by) holds the port it reaches" },
	/*
	 * The one exception to "drop before acting": a service that runs as
	 * root (allow_root = true, e.g. apache2 via apache2ctl) must get
	 * root's full set, and NOROOT/NO_SETUID_FIXUP must not reach it (its
	 * workers' setuid to www-data would keep every capability).  So the
	 * parent launches it before entering any step, still root, after
	 * svc_resolve() checked the binaries and svc_ports_unheld() the
	 * ports; the child calls privilege_become_root_service().  Only then
	 * does the parent enter this step, to watch the ports come up.
	 */
	{ STEP_START_ROOT, "start-root",
	    { CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_KILL }, 3,
	    "see who holds a root service's ports once it is launched, and "
	    "kill it through its pidfd if it does not come up by its deadline "
	    "(the launch itself happened as root, see above)" },
};

static const struct step_caps *
step_of(enum priv_step step)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].step == step)
			return &table[i];
	return NULL;
}

/* The last failure, for a step whose stderr is /dev/null. */
static char last_error[256];

const char *
privilege_error(void)
{
	return last_error[0] ? last_error : "no reason known";
}

static int
failed(const char *what)
{
	snprintf(last_error, sizeof(last_error), "cannot set up privileges "
	    "(%s: %s); refusing to go on", what, strerror(errno ? errno :
	    EPERM));
	fprintf(stderr, "cutover: %s\n", last_error);
	return -1;
}

/* The bit mask of the step's capabilities plus EXTRA. */
static unsigned long long
wanted_mask(const struct step_caps *s, const cap_value_t *extra, size_t n)
{
	unsigned long long mask = 0;
	size_t i;

	for (i = 0; i < s->ncaps; i++)
		mask |= 1ULL << s->caps[i];
	for (i = 0; i < n; i++)
		mask |= 1ULL << extra[i];
	return mask;
}

static int
cut_bounding_set(unsigned long long keep)
{
	int c, last = (int)cap_max_bits();

	for (c = 0; c < last && c < 64; c++)
		if (!(keep & (1ULL << c)) && cap_drop_bound((cap_value_t)c) == -1)
			return failed("cap_drop_bound");
	return 0;
}

/*
 * NOROOT: uid 0 gets no capabilities from exec; NO_SETUID_FIXUP: changing
 * uids keeps the set we choose (and never restores a full one); both
 * locked, as is KEEP_CAPS off.  A step that starts a service leaves
 * ambient raising open, for the child's own listed capabilities.
 */
static int
lock_securebits(bool allow_ambient)
{
	unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
	    SECBIT_KEEP_CAPS_LOCKED;

	if (!allow_ambient)
		bits |= SECBIT_NO_CAP_AMBIENT_RAISE |
		    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) == -1)
		return failed("PR_SET_SECUREBITS");
	return 0;
}

static int
set_capabilities(unsigned long long mask)
{
	cap_t caps = cap_init();
	cap_value_t c;
	int rc = 0;

	if (caps == NULL)
		return failed("cap_init");
	for (c = 0; c < 64; c++)
		if (mask & (1ULL << c))
			if (cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET) ||
			    cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET))
				rc = -1;
	if (rc == 0 && cap_set_proc(caps) == -1)
		rc = -1;
	cap_free(caps);
	if (rc == -1)
		return failed("cap_set_proc");
	if (cap_reset_ambient() == -1)
		return failed("cap_reset_ambient");
	return 0;
}

/*
 * Who the steps act as, set once a request is being served: the caller's
 * ids (kept here when the transaction's become 0) for STEP_CALLER, the
 * check user's for STEP_CHECK, the step user's for every other step.
 * Unset, a step is refused.
 */
static uid_t caller_uid = (uid_t)-1;
static gid_t caller_gid = (gid_t)-1;
static uid_t step_uid = (uid_t)-1;
static gid_t step_gid = (gid_t)-1;
static uid_t check_uid = (uid_t)-1;
static gid_t check_gid = (gid_t)-1;

/*
 * A check's own resource limits, soft and hard: the caller's were reset
 * at start-up (hygiene.c), and these are the check's whatever they were.
 * Enough for libcurl's resolver threads and one connection at a time;
 * no core dump (its memory holds the response), no file written (it
 * writes none: its result goes down a pipe), no memory locked.
 */
static const struct check_limit {
	int resource;
	rlim_t value;
} check_limits[] = {
	{ RLIMIT_CORE, 0 },
	{ RLIMIT_FSIZE, 0 },
	{ RLIMIT_MEMLOCK, 0 },
	{ RLIMIT_MSGQUEUE, 0 },
	{ RLIMIT_NOFILE, 256 },
	{ RLIMIT_NPROC, 512 },  /* the check user's, across every check */
};

static int
set_check_limits(void)
{
	struct rlimit rl;
	size_t i;

	for (i = 0; i < sizeof(check_limits) / sizeof(check_limits[0]); i++) {
		rl.rlim_cur = rl.rlim_max = check_limits[i].value;
		if (setrlimit(check_limits[i].resource, &rl) == -1)
			return failed("setrlimit");
	}
	return 0;
}

/*
 * Become UID and GID (real, effective, saved).  NOGROUPS: with no
 * supplementary groups (the step user); otherwise the current ones stay
 * (the caller's own, for STEP_CALLER).
 */
static int
become(uid_t uid, gid_t gid, bool nogroups)
{
	/* Groups first: once the uid is dropped they can't be changed. */
	if (nogroups && setgroups(0, NULL) == -1)
		return failed("setgroups");
	if (setresgid(gid, gid, gid) == -1)
		return failed("setresgid");
	if (setresuid(uid, uid, uid) == -1)
		return failed("setresuid");
	/* A credential change resets dumpable from fs.suid_dumpable. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return failed("PR_SET_DUMPABLE");
	return 0;
}

int
privilege_set_step_user(uid_t uid, gid_t gid, char *why, size_t whylen)
{
	uid_t caller = caller_uid != (uid_t)-1 ? caller_uid : getuid();

	/* Root would own /etc; the caller could signal the step. */
	if (uid == 0 || gid == 0 || uid == (uid_t)-1 || gid == (gid_t)-1) {
		snprintf(why, whylen, "the step user %s is root or has no "
		    "uid/gid of its own (it must be an unprivileged system "
		    "user)", CUTOVER_STEP_USER);
		return -1;
	}
	if (uid == caller) {
		snprintf(why, whylen, "you are the step user %s; cutover's "
		    "steps must run as a user other than the caller",
		    CUTOVER_STEP_USER);
		return -1;
	}
	step_uid = uid;
	step_gid = gid;
	return 0;
}

int
privilege_set_check_user(uid_t uid, gid_t gid, char *why, size_t whylen)
{
	uid_t caller = caller_uid != (uid_t)-1 ? caller_uid : getuid();

	if (uid == 0 || gid == 0 || uid == (uid_t)-1 || gid == (gid_t)-1) {
		snprintf(why, whylen, "the check user %s is root or has no "
		    "uid/gid of its own (it must be an unprivileged system "
		    "user)", CUTOVER_CHECK_USER);
		return -1;
	}
	if (uid == caller) {
		snprintf(why, whylen, "you are the check user %s; a check must "
		    "run as a user other than the caller", CUTOVER_CHECK_USER);
		return -1;
	}
	if (uid == step_uid || gid == step_gid) {
		snprintf(why, whylen, "the check user %s has the step user %s's "
		    "uid or group; each must be a system user of its own",
		    CUTOVER_CHECK_USER, CUTOVER_STEP_USER);
		return -1;
	}
	check_uid = uid;
	check_gid = gid;
	return 0;
}

int
privilege_check_user(uid_t *uid, gid_t *gid)
{
	if (check_uid == (uid_t)-1)
		return -1;
	*uid = check_uid;
	*gid = check_gid;
	return 0;
}

/* Who STEP runs as: the caller, the check user or the step user. */
static void
step_ids(enum priv_step step, uid_t *uid, gid_t *gid)
{
	if (step == STEP_CALLER) {
		*uid = caller_uid != (uid_t)-1 ? caller_uid : getuid();
		*gid = caller_gid != (gid_t)-1 ? caller_gid : getgid();
	} else if (step == STEP_CHECK) {
		*uid = check_uid;
		*gid = check_gid;
	} else {
		*uid = step_uid;
		*gid = step_gid;
	}
}

int
privilege_enter(enum priv_step step, const cap_value_t *extra, size_t nextra)
{
	const struct step_caps *s = step_of(step);
	bool as_caller = step == STEP_CALLER;
	unsigned long long mask;
	uid_t uid;
	gid_t gid;

	errno = 0;
	step_ids(step, &uid, &gid);
	if (s == NULL || geteuid() != 0)
		return failed("not running as root");
	if (uid == (uid_t)-1 || gid == (gid_t)-1)
		return failed(step == STEP_CHECK ? "no check user was set" :
		    "no step user was set");
	if (step == STEP_CHECK && set_check_limits() == -1)
		return -1;
	mask = wanted_mask(s, extra, nextra);
	if (cut_bounding_set(mask) == -1 ||
	    lock_securebits(step == STEP_START) == -1 ||
	    become(uid, gid, !as_caller) == -1 ||
	    set_capabilities(mask) == -1)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return failed("PR_SET_NO_NEW_PRIVS");
	if (!as_caller && getgroups(0, NULL) != 0) {
		errno = EPERM;
		return failed("supplementary groups remain");
	}
	return privilege_verify(uid, gid, mask);
}

struct capsets {
	unsigned long long inh, prm, eff, bnd, amb, nnp;
};

static int
read_capsets(struct capsets *c)
{
	char status[8192];

	if (procfs_read("/proc/self/status", status, sizeof(status)) == -1 ||
	    procfs_status_field(status, "CapInh", 16, &c->inh) ||
	    procfs_status_field(status, "CapPrm", 16, &c->prm) ||
	    procfs_status_field(status, "CapEff", 16, &c->eff) ||
	    procfs_status_field(status, "CapBnd", 16, &c->bnd) ||
	    procfs_status_field(status, "CapAmb", 16, &c->amb) ||
	    procfs_status_field(status, "NoNewPrivs", 10, &c->nnp))
		return -1;
	return 0;
}

/*
 * Read back what the kernel says we hold: ids, every capability set, the
 * securebits' effect and no_new_privs.  Any difference refuses.
 */
int
privilege_verify(uid_t uid, gid_t gid, unsigned long long mask)
{
	struct capsets c;
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	errno = EPERM;
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != uid || eu != uid || su != uid ||
	    rg != gid || eg != gid || sg != gid)
		return failed("the uid/gid read back differ");
	/* setfs*id(-1) changes nothing and returns the current value. */
	if ((uid_t)setfsuid((uid_t)-1) != uid || (gid_t)setfsgid((gid_t)-1) != gid)
		return failed("the filesystem uid/gid read back differ");
	if (read_capsets(&c) == -1)
		return failed("/proc/self/status");
	if (c.inh != 0 || c.amb != 0 || c.prm != mask || c.eff != mask ||
	    c.bnd != mask || c.nnp != 1)
		return failed("the capabilities read back differ");
	if (prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return failed("still dumpable");
	/* POS37-C: without CAP_SETUID, root must be out of reach. */
	if (uid != 0 && !(mask & (1ULL << CAP_SETUID)) && setuid(0) != -1)
		return failed("setuid(0) still works");
	return 0;
}

/*
 * Become the caller for good (the policy commands, --help, and the
 * front of a transaction), whatever this process is: setuid root, all
 * root since privilege_become_transaction(), or an unprivileged run.
 * Only ids are changed: an unprivileged process has nothing more to
 * drop, and a root one loses every capability with its uid (no securebits
 * are set yet).  setgid()/setuid(): for a process with CAP_SETGID/
 * CAP_SETUID they set the real, effective and saved id in one call (read
 * back below); the front uses them and the steps setres*id(), so that a
 * fault injected into one family in a test (t-faults.sh) reaches one
 * kind of process.  Not dumpable afterwards: the front's memory holds
 * what root read (the policy), and fs.suid_dumpable decides nothing here.
 */
int
privilege_drop_to_caller(void)
{
	uid_t uid = caller_uid != (uid_t)-1 ? caller_uid : getuid(), ru, eu, su;
	gid_t gid = caller_gid != (gid_t)-1 ? caller_gid : getgid(), rg, eg, sg;

	errno = 0;
	if (setgid(gid) == -1)
		return failed("setgid");
	if (setuid(uid) == -1)
		return failed("setuid");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return failed("PR_SET_DUMPABLE");
	errno = EPERM;
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    ru != uid || eu != uid || su != uid ||
	    rg != gid || eg != gid || sg != gid)
		return failed("the uid/gid read back differ");
	if (uid != 0 && setuid(0) != -1)
		return failed("setuid(0) still works");
	return 0;
}

/*
 * Before a transaction is forked: real, effective and saved uid 0
 * (setuid(0) as euid 0), so that the transaction is the caller's to
 * signal at no instant of its life (kill(2) needs the sender's real or
 * effective uid to be the target's real or saved uid; prlimit(2) and
 * ptrace(2) need all of them) - neither SIGKILL nor SIGSTOP.  Root's
 * capabilities stay: the transaction forks each step, and a rollback may
 * launch a root service.  The caller's ids are kept here (for STEP_CALLER
 * and for the front, which privilege_drop_to_caller() turns back into the
 * caller), and so are the gids and the caller's supplementary groups (for
 * STEP_CALLER; a step as the step or the check user sets its own);
 * only the filesystem gid becomes 0, for the files the transaction makes.
 */
int
privilege_become_transaction(void)
{
	uid_t uid = getuid(), ru, eu, su;
	gid_t gid = getgid();

	errno = 0;
	if (geteuid() != 0)
		return failed("not running as root");
	if (caller_uid == (uid_t)-1) {
		caller_uid = uid;
		caller_gid = gid;
	}
	if (setuid(0) == -1)
		return failed("setuid");
	errno = EPERM;
	if (getresuid(&ru, &eu, &su) == -1 || ru != 0 || eu != 0 || su != 0)
		return failed("the uids read back differ");
	/*
	 * What the transaction creates (its lock files, the directories
	 * under /run/cutover) is root's group from the start, not the
	 * caller's: the filesystem gid only, so the caller's gids stay for
	 * STEP_CALLER; every later gid change (a step's, the front's) sets
	 * it again.
	 */
	(void)setfsgid(0);
	if ((gid_t)setfsgid((gid_t)-1) != 0)
		return failed("setfsgid");
	/* A credential change resets dumpable from fs.suid_dumpable. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		return failed("PR_SET_DUMPABLE");
	return 0;
}

/* ---- start: the service's own process, between fork and execve ------- */

static int
gid_cmp(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

/* Are the supplementary groups exactly WANT (as a set)? */
static bool
groups_are(const gid_t *want, size_t n)
{
	gid_t *have, *sorted;
	int got;
	size_t i, j, nw = 0;
	bool same;

	if ((got = getgroups(0, NULL)) < 0)
		return false;
	have = calloc((size_t)got + 1, sizeof(*have));
	sorted = calloc(n + 1, sizeof(*sorted));
	if (have == NULL || sorted == NULL ||
	    (got = getgroups(got, have)) < 0) {
		free(have);
		free(sorted);
		return false;
	}
	/* WANT may repeat a gid (getgrouplist does not, but be exact). */
	for (i = 0; i < n; i++) {
		for (j = 0; j < nw && sorted[j] != want[i]; j++)
			;
		if (j == nw)
			sorted[nw++] = want[i];
	}
	qsort(sorted, nw, sizeof(*sorted), gid_cmp);
	qsort(have, (size_t)got, sizeof(*have), gid_cmp);
	same = (size_t)got == nw;
	for (i = 0; same && i < nw; i++)
		same = have[i] == sorted[i];
	free(have);
	free(sorted);
	return same;
}

static bool
ids_are(uid_t uid, gid_t gid)
{
	uid_t ru, eu, su;
	gid_t rg, eg, sg;

	return getresuid(&ru, &eu, &su) == 0 && getresgid(&rg, &eg, &sg) == 0 &&
	    ru == uid && eu == uid && su == uid &&
	    rg == gid && eg == gid && sg == gid;
}

/* CAPS permitted, effective, inheritable and ambient; nothing else. */
static int
give_caps(const cap_value_t *caps, size_t ncaps, char *why, size_t whylen)
{
	cap_t set;
	size_t i;
	int rc = 0;

	if ((set = cap_init()) == NULL)
		return why_errno(why, whylen, "cap_init");
	for (i = 0; i < ncaps && rc == 0; i++)
		if (cap_set_flag(set, CAP_PERMITTED, 1, &caps[i], CAP_SET) ||
		    cap_set_flag(set, CAP_EFFECTIVE, 1, &caps[i], CAP_SET) ||
		    cap_set_flag(set, CAP_INHERITABLE, 1, &caps[i], CAP_SET))
			rc = -1;
	if (rc == 0)
		rc = cap_set_proc(set);
	cap_free(set);
	if (rc == -1)
		return why_errno(why, whylen, "cap_set_proc");
	if (cap_reset_ambient() == -1)
		return why_errno(why, whylen, "cap_reset_ambient");
	for (i = 0; i < ncaps; i++)
		if (cap_set_ambient(caps[i], CAP_SET) == -1)
			return why_errno(why, whylen, "cap_set_ambient");
	return 0;
}

/* The service's ids, groups and MASK read back; root out of reach. */
static int
service_read_back(uid_t uid, gid_t gid, const gid_t *groups, size_t ngroups,
    unsigned long long mask, char *why, size_t whylen)
{
	struct capsets c;

	errno = EPERM;
	if (!ids_are(uid, gid))
		return why_errno(why, whylen, "the uid/gid read back differ");
	if (!groups_are(groups, ngroups))
		return why_errno(why, whylen, "the groups read back differ");
	if (read_capsets(&c) == -1)
		return why_errno(why, whylen, "/proc/self/status");
	if (c.prm != mask || c.eff != mask || c.inh != mask || c.amb != mask ||
	    c.nnp != 1)
		return why_errno(why, whylen,
		    "the capabilities read back differ");
	if (!(mask & (1ULL << CAP_SETUID)) &&
	    (setuid(0) != -1 || setresuid(uid, uid, 0) != -1))
		return why_errno(why, whylen, "setuid(0) still works");
	if (!(mask & (1ULL << CAP_SETGID)) &&
	    (setgid(0) != -1 || setgroups(0, NULL) != -1))
		return why_errno(why, whylen, "setgid(0) still works");
	return 0;
}

/*
 * The credential part of the child, in this order: groups, gid, uid
 * (POS36-C), the capability sets, no_new_privs; then everything read back
 * (POS37-C).  The step's securebits (NOROOT, NO_SETUID_FIXUP, locked) keep
 * the capabilities across setresuid, so the child sheds here whatever it
 * does not pass on: CAP_SETUID, CAP_SETGID, CAP_SYS_PTRACE and
 * CAP_DAC_READ_SEARCH leave permitted and effective, and the service's
 * own capabilities become permitted, effective, inheritable and ambient -
 * only ambient survives the execve of a file without file capabilities.
 * The bounding set stays the step's (cutting it needs CAP_SETPCAP): with
 * no_new_privs nothing can raise a capability from it again.  The locked
 * securebits stay too: they reach the service, which keeps them.
 */
int
privilege_become_service(uid_t uid, gid_t gid, const gid_t *groups,
    size_t ngroups, const cap_value_t *caps, size_t ncaps, char *why,
    size_t whylen)
{
	unsigned long long mask = 0;
	size_t i;

	errno = EINVAL;
	if (uid == 0 || uid == (uid_t)-1 || gid == (gid_t)-1)
		return why_errno(why, whylen, "not a service user");
	for (i = 0; i < ncaps; i++) {
		if (caps[i] < 0 || caps[i] > 63)
			return why_errno(why, whylen, "capability number");
		mask |= 1ULL << caps[i];
	}
	errno = 0;
	if (setgroups(ngroups, groups) == -1)
		return why_errno(why, whylen, "setgroups");
	if (setresgid(gid, gid, gid) == -1)
		return why_errno(why, whylen, "setresgid");
	if (setresuid(uid, uid, uid) == -1)
		return why_errno(why, whylen, "setresuid");
	if (give_caps(caps, ncaps, why, whylen) == -1)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return why_errno(why, whylen, "PR_SET_NO_NEW_PRIVS");
	return service_read_back(uid, gid, groups, ngroups, mask, why, whylen);
}

/*
 * An allow_root service: this process is still what the setuid exec made
 * it (effective and saved uid 0, the caller's real uid and gid, root's
 * full capability set, no securebits).  Make every uid 0 - the caller
 * then can no longer signal it -, every gid the service's (0 unless the
 * policy names a group), the groups root's; clear inheritable and
 * ambient (the caller's inheritable set passed through the setuid exec);
 * no_new_privs; read it all back.
 */
int
privilege_become_root_service(gid_t gid, const gid_t *groups,
    size_t ngroups, char *why, size_t whylen)
{
	struct capsets c;
	cap_t set;
	int rc;

	errno = EPERM;
	if (geteuid() != 0)
		return why_errno(why, whylen, "not running as root");
	errno = 0;
	if (setgroups(ngroups, groups) == -1)
		return why_errno(why, whylen, "setgroups");
	if (setresgid(gid, gid, gid) == -1)
		return why_errno(why, whylen, "setresgid");
	if (setresuid(0, 0, 0) == -1)
		return why_errno(why, whylen, "setresuid");
	if ((set = cap_get_proc()) == NULL)
		return why_errno(why, whylen, "cap_get_proc");
	rc = cap_clear_flag(set, CAP_INHERITABLE);
	if (rc == 0)
		rc = cap_set_proc(set);
	cap_free(set);
	if (rc == -1)
		return why_errno(why, whylen, "cap_set_proc");
	if (cap_reset_ambient() == -1)
		return why_errno(why, whylen, "cap_reset_ambient");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return why_errno(why, whylen, "PR_SET_NO_NEW_PRIVS");

	errno = EPERM;
	if (!ids_are(0, gid))
		return why_errno(why, whylen, "the uid/gid read back differ");
	if (!groups_are(groups, ngroups))
		return why_errno(why, whylen, "the groups read back differ");
	if (read_capsets(&c) == -1)
		return why_errno(why, whylen, "/proc/self/status");
	if (c.inh != 0 || c.amb != 0 || c.prm != c.bnd || c.eff != c.prm ||
	    c.nnp != 1)
		return why_errno(why, whylen,
		    "the capabilities read back differ");
	if (prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != 0)
		return why_errno(why, whylen, "securebits are set");
	return 0;
}
