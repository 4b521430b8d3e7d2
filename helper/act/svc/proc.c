/*
 * proc.c - services as plain processes, behind svc.h (svc_proc_ops, at
 * the end): check that a service is safe to start (touching nothing),
 * launch it with nothing of the caller's, wait until it holds its ports;
 * its stop and its identity are release.c's and holders.c's, which work
 * on processes too.
 *
 * The credential changes themselves (groups, ids, capabilities,
 * no_new_privs) are privilege.c's; this file prepares everything the
 * child needs before the fork (argv, environment, groups: no NSS lookup
 * and no policy access after it), and in the child resets what the
 * process inherited from the caller through cutover: session and
 * controlling tty, cwd and every open descriptor here; signal
 * dispositions and mask, rlimits, umask and the scheduling state through
 * hygiene_reset_for_exec(), the one place that resets them.  It never
 * runs a shell, never searches PATH and never passes on a byte of the
 * caller's environment.
 */
#include <sys/capability.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper/lib/nss.h"
#include "helper/front/hygiene.h"
#include "helper/act/holders.h"
#include "helper/priv/privilege.h"
#include "helper/act/svc/impl.h"
#include "helper/act/svc/svc.h"
#include "helper/act/systemd.h"
#include "helper/lib/clock.h"
#include "helper/lib/sockport.h"
#include "policy/safepath.h"

/* ---- pre-flight: the binaries --------------------------------------- */

#define SCRIPT_DEPTH 4  /* "#!" interpreters, as the kernel */

/* "not owned by root" or "group- or world-writable", for messages. */
static const char *
what_is_bad(unsigned bad)
{
	return bad & SAFEPATH_NOT_ROOT ? "not owned by root" :
	    "group- or world-writable";
}

/* Why the walk to SVC's ROLE PATH stopped, in WHY. */
static void
binary_refusal(const struct safepath *w, const char *path, const char *role,
    const struct service *svc, char *why, size_t whylen)
{
	switch (w->stop) {
	case SAFEPATH_UNSAFE:
		if (S_ISDIR(w->st.st_mode))
			snprintf(why, whylen, "refusing to start %s: %s, a "
			    "directory above its %s %s, is %s; whoever can write "
			    "there could replace the program (make it root-owned "
			    "and not group- or world-writable)", svc->name,
			    w->at, role, path, what_is_bad(w->bad));
		else
			snprintf(why, whylen, "refusing to start %s: its %s %s "
			    "is %s; whoever can write it would run code as the "
			    "service's user (make it root-owned and not group- "
			    "or world-writable)", svc->name, role, path,
			    what_is_bad(w->bad));
		break;
	case SAFEPATH_SYMLINK:
		snprintf(why, whylen, "refusing to start %s: %s in its %s %s is "
		    "a symlink (to %s); name the real path in the policy",
		    svc->name, w->at, role, path, w->target);
		break;
	case SAFEPATH_LOOP:
		snprintf(why, whylen, "refusing to start %s: too many symlinks "
		    "in its %s %s", svc->name, role, path);
		break;
	case SAFEPATH_IS_DIR:
		snprintf(why, whylen, "the %s of service %s, %s, is a directory; "
		    "refusing", role, svc->name, path);
		break;
	case SAFEPATH_NOT_DIR:
	case SAFEPATH_NOT_FILE:
		snprintf(why, whylen, "refusing to start %s: its %s %s is not a "
		    "regular file", svc->name, role, path);
		break;
	case SAFEPATH_DOTS:
		snprintf(why, whylen, "refusing to start %s: its %s %s has a . or "
		    ".. component; name the real path in the policy", svc->name,
		    role, path);
		break;
	case SAFEPATH_NOT_ABSOLUTE:
	case SAFEPATH_TOO_LONG:
		snprintf(why, whylen, "the %s of service %s is too long once its "
		    "symlinks are followed", role, svc->name);
		break;
	case SAFEPATH_ERRNO:
		snprintf(why, whylen, "refusing to start %s: its %s %s: %s: %s",
		    svc->name, role, path, w->at, strerror(w->err));
		break;
	}
}

/*
 * PATH and every directory above it: owned by root, not group- or
 * world-writable; PATH itself a regular file.  Whoever could replace any
 * of them would run code as the service's user.  The walk is
 * policy/safepath.c's.  A symlink refuses (name the real path in the
 * policy), unless FOLLOW: then it is followed - it sits in a directory
 * already found safe, so only root could change it - and its target is
 * checked the same way.  ROLE names PATH in messages.
 */
static int
binary_safe(const char *path, const char *role, bool follow,
    const struct service *svc, char *why, size_t whylen)
{
	struct safepath w = { .follow = follow, .want_file = true };
	int fd;

	if (path == NULL || path[0] != '/' || strlen(path) >= PATH_MAX) {
		snprintf(why, whylen, "the %s of service %s is not an absolute "
		    "path; refusing", role, svc->name);
		return -1;
	}
	if ((fd = safepath_open(path, &w)) == -1) {
		binary_refusal(&w, path, role, svc, why, whylen);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * A start command that is a script ("#!/bin/sh", apache2ctl) runs its
 * interpreter: that must be as safe as the script.  The interpreter's
 * path may go through root-owned symlinks (/bin -> usr/bin on Debian 12);
 * a script interpreting a script is followed as the kernel would.
 */
static int
interpreter_safe(const char *path, int depth, const struct service *svc,
    char *why, size_t whylen)
{
	char line[256], interp[256];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1)
		return 0;       /* not readable: execve will say */
	n = read(fd, line, sizeof(line) - 1);
	close(fd);
	if (n < 2 || line[0] != '#' || line[1] != '!')
		return 0;
	line[n] = '\0';
	if (sscanf(line + 2, " %255[^ \t\n]", interp) != 1)
		return 0;       /* execve will refuse it */
	if (depth >= SCRIPT_DEPTH) {
		snprintf(why, whylen, "refusing to start %s: its start command "
		    "%s nests interpreters too deep", svc->name,
		    svc->start[0]);
		return -1;
	}
	if (binary_safe(interp, "start command's interpreter", true, svc,
	    why, whylen) == -1)
		return -1;
	return interpreter_safe(interp, depth + 1, svc, why, whylen);
}

static int
resolve_caps(const struct service *svc, struct svc_launch *p, char *why,
    size_t whylen)
{
	size_t i;

	if ((p->caps = calloc(svc->ncapabilities + 1, sizeof(*p->caps))) ==
	    NULL) {
		snprintf(why, whylen, "out of memory");
		return EXIT_FAILED;
	}
	for (i = 0; i < svc->ncapabilities; i++) {
		if (cap_from_name(svc->capabilities[i], &p->caps[i]) == -1 ||
		    p->caps[i] < 0 || p->caps[i] > 63) {
			snprintf(why, whylen, "capability %s of service %s is "
			    "not known to this system; refusing",
			    svc->capabilities[i], svc->name);
			return EXIT_REFUSED;
		}
	}
	/* A root service holds all of root's; its list is not used. */
	p->ncaps = svc->ncapabilities;
	return EXIT_DONE;
}

/* "NAME=value": is NAME the same as in ENTRY? */
static bool
same_name(const char *a, const char *b)
{
	size_t n = strcspn(a, "=");

	return strncmp(a, b, n) == 0 && b[n] == '=';
}

/* Set "NAME=value" in ENV (N entries, room for one more): add or replace. */
static int
env_set(char **env, size_t *n, char *kv)
{
	size_t i;

	if (kv == NULL)
		return -1;
	for (i = 0; i < *n && !same_name(kv, env[i]); i++)
		;
	if (i < *n)
		free(env[i]);
	else
		(*n)++;
	env[i] = kv;
	return 0;
}

static char *
env_entry(const char *name, const char *value)
{
	char *kv;

	return asprintf(&kv, "%s=%s", name, value) == -1 ? NULL : kv;
}

/*
 * PATH, HOME, USER and LOGNAME of the target user, then the service's env
 * (which may replace any of the four: it is root's policy).
 */
static int
build_env(const struct service *svc, struct svc_launch *p, char *why,
    size_t whylen)
{
	size_t i, n = 0;
	char **env;
	int rc = 0;

	if ((env = calloc(4 + svc->nenv + 1, sizeof(*env))) == NULL)
		rc = -1;
	p->envp = env;
	if (rc == 0)
		rc = env_set(env, &n, env_entry("PATH",
		    "/usr/sbin:/usr/bin:/sbin:/bin"));
	if (rc == 0)
		rc = env_set(env, &n, env_entry("HOME", p->home));
	if (rc == 0)
		rc = env_set(env, &n, env_entry("USER", p->user));
	if (rc == 0)
		rc = env_set(env, &n, env_entry("LOGNAME", p->user));
	for (i = 0; rc == 0 && i < svc->nenv; i++)
		rc = env_set(env, &n, strdup(svc->env[i]));
	if (rc == 0)
		return EXIT_DONE;
	snprintf(why, whylen, "out of memory");
	return EXIT_FAILED;
}

static int
proc_resolve(const struct service *svc, struct svc_launch *p, char *why,
    size_t whylen)
{
	int st;

	memset(p, 0, sizeof(*p));
	p->svc = svc;
	p->step = STEP_START;
	if (svc == NULL) {
		snprintf(why, whylen, "no such service");
		return EXIT_REFUSED;
	}
	p->timeout = svc->start_timeout > 0 ? svc->start_timeout : 10.0;
	if (svc->nstart == 0 || svc->start == NULL || svc->start[0] == NULL) {
		snprintf(why, whylen, "service %s has no start command",
		    svc->name);
		return EXIT_REFUSED;
	}
	if (binary_safe(svc->exe, "exe", false, svc, why, whylen) == -1 ||
	    binary_safe(svc->start[0], "start command", false, svc, why,
	    whylen) == -1 ||
	    interpreter_safe(svc->start[0], 0, svc, why, whylen) == -1)
		return EXIT_REFUSED;
	if ((st = svc_resolve_user(svc, p, why, whylen)) != EXIT_DONE ||
	    (st = svc_identity(svc, &p->holders, why, whylen)) != 0 ||
	    (st = resolve_caps(svc, p, why, whylen)) != EXIT_DONE ||
	    (st = build_env(svc, p, why, whylen)) != EXIT_DONE)
		return st;
	return EXIT_DONE;
}

static void
proc_launch_free(struct svc_launch *p)
{
	size_t i;

	if (p->envp != NULL)
		for (i = 0; p->envp[i] != NULL; i++)
			free(p->envp[i]);
	free(p->envp);
	free(p->caps);
	free(p->groups);
	free(p->user);
	free(p->home);
	memset(p, 0, sizeof(*p));
}

/*
 * On a host that runs systemd: PID, the launched child, into a transient
 * scope named after its service (cutover-NAME.scope; with its pid when
 * one of that name is still there), out of the caller's session and the
 * transaction's scope: systemd then knows it, stops it at shutdown, and
 * no cgroup of the caller's holds it.  0, or -1 (WHY).
 */
static int
into_scope(const struct service *svc, pid_t pid, char *why, size_t whylen)
{
	char name[POLICY_NAME_MAX + 64], desc[POLICY_NAME_MAX + 64];
	sd_bus *b;

	if (!systemd_runs())
		return 0;
	if ((b = systemd_held(why, whylen)) == NULL)
		return -1;
	snprintf(name, sizeof(name), "cutover-%s.scope", svc->name);
	snprintf(desc, sizeof(desc), "%s, started by cutover", svc->name);
	if (systemd_scope(b, name, pid, desc, why, whylen) == 0)
		return 0;
	snprintf(name, sizeof(name), "cutover-%s-%d.scope", svc->name,
	    (int)pid);
	return systemd_scope(b, name, pid, desc, why, whylen) == 0 ? 0 : -1;
}

/* ---- the child -------------------------------------------------------- */

static int
close_above(unsigned int from, unsigned int to)
{
	struct rlimit rl;
	unsigned int fd;

	if (from > to)
		return 0;
	if (syscall(SYS_close_range, from, to, 0) == 0)
		return 0;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	for (fd = from; fd <= to && fd < rl.rlim_max; fd++)
		(void)close((int)fd);
	return 0;
}

/*
 * 0, 1 and 2 on /dev/null; every other descriptor closed but ERRFD
 * (close-on-exec, the way back to the parent) and the NKEEP handed-off
 * sockets on 3, 4, ...  The caller's, the policy's and the audit log's
 * descriptors end here.
 */
static int
reset_fds(int errfd, size_t nkeep, char *why, size_t whylen)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC), fd;
	unsigned int first = 3 + (unsigned int)nkeep;

	if (null == -1) {
		snprintf(why, whylen, "/dev/null: %s", strerror(errno));
		return -1;
	}
	for (fd = 0; fd <= 2; fd++)
		if (dup2(null, fd) == -1) {
			snprintf(why, whylen, "dup2: %s", strerror(errno));
			return -1;
		}
	if (null > 2 && (unsigned int)null >= first)
		close(null);
	if (close_above(first, (unsigned int)errfd - 1) == -1 ||
	    close_above((unsigned int)errfd + 1, ~0U) == -1) {
		snprintf(why, whylen, "close_range: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The handed-off listening sockets onto fds 3, 4, ..., inheritable and
 * blocking (LISTEN_FDS counts from 3, NGINX="3;4;" names them): first every one
 * of them, and ERRFD, moves above that range, so that no dup2 closes
 * another.  What is left above is closed by reset_fds().
 */
static int
place_sockets(const struct svc_launch *p, int *errfd, char *why,
    size_t whylen)
{
	int above = 3 + (int)p->nhandoff, moved[SERVICE_SOCKETS_MAX], flags;
	size_t i;

	if ((*errfd = fcntl(*errfd, F_DUPFD_CLOEXEC, above)) == -1) {
		snprintf(why, whylen, "fcntl: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < p->nhandoff; i++)
		if ((moved[i] = fcntl(p->handoff_fds[i], F_DUPFD_CLOEXEC,
		    above)) == -1) {
			snprintf(why, whylen, "fcntl: %s", strerror(errno));
			return -1;
		}
	/*
	 * Blocking, as systemd passes them: a socket taken from apache2 is
	 * non-blocking, and a plain accept() loop would fail at once.  The
	 * old holder has let go of it by now.
	 */
	for (i = 0; i < p->nhandoff; i++)
		if (dup2(moved[i], 3 + (int)i) == -1 ||
		    (flags = fcntl(3 + (int)i, F_GETFL)) == -1 ||
		    fcntl(3 + (int)i, F_SETFL, flags & ~O_NONBLOCK) == -1) {
			snprintf(why, whylen, "socket %zu: %s", i, strerror(errno));
			return -1;
		}
	return 0;
}

/* The plan's environment plus the variables that name fds 3, 4, ... */
static char **
handoff_env(const struct svc_launch *p)
{
	static char pid[32], fds[32], nginx[8 + 4 * SERVICE_SOCKETS_MAX],
	    names[16 + 6 * SERVICE_SOCKETS_MAX];
	size_t n, k, len;
	char **env;

	for (n = 0; p->envp[n] != NULL; n++)
		;
	if ((env = calloc(n + 4, sizeof(*env))) == NULL)
		return NULL;
	for (k = 0; k < n; k++)
		env[k] = p->envp[k];
	if (p->svc->handoff == HANDOFF_NGINX) {
		len = (size_t)snprintf(nginx, sizeof(nginx), "NGINX=");
		for (k = 0; k < p->nhandoff && len < sizeof(nginx); k++)
			len += (size_t)snprintf(nginx + len, sizeof(nginx) - len,
			    "%zu;", 3 + k);
		env[n++] = nginx;
	} else {
		/* LISTEN_PID: this process's pid, which execve keeps. */
		snprintf(fds, sizeof(fds), "LISTEN_FDS=%zu", p->nhandoff);
		snprintf(pid, sizeof(pid), "LISTEN_PID=%ld", (long)getpid());
		env[n++] = fds;
		env[n++] = pid;
		/* each socket named by its port (sd_listen_fds_with_names) */
		len = (size_t)snprintf(names, sizeof(names), "LISTEN_FDNAMES=");
		for (k = 0; k < p->nhandoff && len < sizeof(names); k++)
			len += (size_t)snprintf(names + len, sizeof(names) - len,
			    "%s%d", k ? ":" : "", socket_local_port(p->handoff_fds[k]));
		env[n++] = names;
	}
	return env;
}

/* The child: set up, exec; on any failure tell the parent why, exit. */
static void __attribute__((noreturn))
child(const struct svc_launch *p, int errfd, int gofd)
{
	const struct service *svc = p->svc;
	bool handoff = p->nhandoff > 0;
	char why[400] = "", **envp = p->envp, go = 0;
	int rc = -1;

	/* not a step further before the parent has put us in our scope */
	while (read(gofd, &go, 1) == -1 && errno == EINTR)
		;
	close(gofd);
	if (go != 'g')
		_exit(127);
	if (handoff && (envp = handoff_env(p)) == NULL)
		snprintf(why, sizeof(why), "out of memory");
	else if (handoff && place_sockets(p, &errfd, why, sizeof(why)) == -1)
		;
	else if (setsid() == -1)
		snprintf(why, sizeof(why), "setsid: %s", strerror(errno));
	else if (hygiene_reset_for_exec(why, sizeof(why)) == 0 &&
	    reset_fds(errfd, p->nhandoff, why, sizeof(why)) == 0) {
		if (chdir("/") == -1)
			snprintf(why, sizeof(why), "chdir /: %s",
			    strerror(errno));
		else if (p->root)
			rc = privilege_become_root_service(p->gid, p->groups,
			    p->ngroups, why, sizeof(why));
		else
			rc = privilege_become_service(p->uid, p->gid, p->groups,
			    p->ngroups, p->caps, p->ncaps, why, sizeof(why));
	}
	if (rc == 0) {
		execve(svc->start[0], (char *const *)svc->start, envp);
		snprintf(why, sizeof(why), "cannot run %s: %s", svc->start[0],
		    strerror(errno));
	}
	(void)!write(errfd, why, strnlen(why, sizeof(why)));
	_exit(127);
}

/* Kill our launched child through its pidfd and reap it. */
static void
kill_launched(struct svc_started *rep)
{
	int status;

	/* Without a pidfd: our own child, not reaped, its pid is still it. */
	if (rep->pidfd == -1 ||
	    pidfd_send_signal(rep->pidfd, SIGKILL, NULL, 0) == -1)
		(void)kill(rep->launched, SIGKILL);
	while (waitpid(rep->launched, &status, 0) == -1 && errno == EINTR)
		;
	rep->exited = true;
	rep->wait_status = status;
}

/*
 * After the go: the child's exec, seen as EOF on ERRFD (close-on-exec),
 * or its own reason why not, within P->timeout; then ERRFD is closed.
 */
static int
exec_reached(const struct svc_launch *p, struct svc_started *rep, int errfd,
    char *why, size_t whylen)
{
	char msg[400];
	struct pollfd pfd = { .fd = errfd, .events = POLLIN };
	int status, ready;
	ssize_t n = 0;

	while ((ready = poll(&pfd, 1, (int)(p->timeout * 1000))) == -1 &&
	    errno == EINTR)
		;
	if (ready == 1)
		while ((n = read(errfd, msg, sizeof(msg) - 1)) == -1 &&
		    errno == EINTR)
			;
	close(errfd);
	if (ready != 1) {
		/* Frozen or stuck before its exec: never let it go on later. */
		kill_launched(rep);
		snprintf(why, whylen, "could not start %s (as %s): its process "
		    "did not reach its exec within %.1f s and was killed; "
		    "nothing runs", p->svc->name, p->user, p->timeout);
		return EXIT_FAILED;
	}
	if (n <= 0)
		return EXIT_DONE;
	msg[n] = '\0';
	while (waitpid(rep->launched, &status, 0) == -1 && errno == EINTR)
		;
	rep->exited = true;
	rep->wait_status = status;
	snprintf(why, whylen, "could not start %s (as %s): %s; nothing runs",
	    p->svc->name, p->user, msg);
	return EXIT_FAILED;
}

static int
proc_launch(const struct svc_launch *p, struct svc_started *rep,
    char *why, size_t whylen)
{
	char err[256];
	int fds[2], go[2];
	pid_t pid;

	memset(rep, 0, sizeof(*rep));
	rep->pidfd = -1;
	if (pipe2(fds, O_CLOEXEC) == -1 || pipe2(go, O_CLOEXEC) == -1) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return EXIT_FAILED;
	}
	fflush(NULL);
	if ((pid = fork()) == -1) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		close(go[0]);
		close(go[1]);
		return EXIT_FAILED;
	}
	if (pid == 0) {
		close(fds[0]);
		close(go[1]);
		child(p, fds[1], go[0]);
	}
	close(fds[1]);
	close(go[0]);
	rep->launched = pid;
	/* Our child, not yet reaped: the pid cannot be reused under us. */
	rep->pidfd = pidfd_open(pid, 0);
	if (into_scope(p->svc, pid, err, sizeof(err)) == -1) {
		close(go[1]);           /* it exits without going on */
		close(fds[0]);
		kill_launched(rep);
		snprintf(why, whylen, "could not start %s: %s; nothing runs",
		    p->svc->name, err);
		return EXIT_FAILED;
	}
	(void)!write(go[1], "g", 1);
	close(go[1]);
	return exec_reached(p, rep, fds[0], why, whylen);
}

/* ---- waiting ------------------------------------------------------------ */

static void
describe_exit(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d (%s)",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(buf, size, "ended (wait status %#x)", status);
}

/* Reap the launched start command if it has ended; never blocks. */
static void
reap_if_ended(struct svc_started *rep)
{
	int status;

	if (!rep->exited && waitpid(rep->launched, &status, WNOHANG) ==
	    rep->launched) {
		rep->exited = true;
		rep->wait_status = status;
	}
}

static bool
exited_badly(const struct svc_started *rep)
{
	return rep->exited && !(WIFEXITED(rep->wait_status) &&
	    WEXITSTATUS(rep->wait_status) == 0);
}

/*
 * Poll until the service's ports are ready (1), cannot be read (-1), its
 * start command failed or the timeout passed (0); STATE says how the
 * ports were last seen.
 */
static int
poll_ready(const struct svc_launch *p, struct svc_started *rep,
    char *state, size_t len)
{
	struct holders *h = malloc(sizeof(*h));
	double start = monotonic_seconds(), deadline = start + p->timeout;
	long pause = 1;
	int ready = 0;

	if (h == NULL) {
		snprintf(state, len, "cutover ran out of memory");
		return -1;
	}
	for (;;) {
		reap_if_ended(rep);
		if ((ready = svc_ports_ready(p, h, rep, state, len)) != 0)
			break;
		/* A daemonizing start command exits 0; anything else failed. */
		if (exited_badly(rep) || monotonic_seconds() >= deadline)
			break;
		svc_poll_pause(&pause);
	}
	rep->seconds = monotonic_seconds() - start;
	free(h);
	/* A daemonizing start command may just be exiting: reap it if so. */
	reap_if_ended(rep);
	return ready;
}

static int
proc_wait_ready(const struct svc_launch *p, struct svc_started *rep,
    char *why, size_t whylen)
{
	const struct service *svc = p->svc;
	char state[512] = "", ended[128] = "", pids[128], ports[128];
	int ready = poll_ready(p, rep, state, sizeof(state));
	bool killed = false;

	/* A timeout is a failure, never a start command left running. */
	if (ready != 1 && !rep->exited) {
		kill_launched(rep);
		killed = true;
		snprintf(ended, sizeof(ended), "was still running and was "
		    "killed (SIGKILL, through its pidfd)");
	} else if (rep->exited)
		describe_exit(rep->wait_status, ended, sizeof(ended));
	if (rep->pidfd != -1) {
		close(rep->pidfd);
		rep->pidfd = -1;
	}
	svc_port_list(svc, ports, sizeof(ports));
	if (ready == 1 && svc->nports == 0)
		snprintf(why, whylen, "%s was started (pid %d, as %s); it lists "
		    "no ports, so there was nothing to wait for", svc->name,
		    (int)rep->launched, p->user);
	else if (ready == 1) {
		pids_describe(rep->pids, rep->npids, pids, sizeof(pids));
		snprintf(why, whylen, "%s listens on %s (pid %s, as %s) after "
		    "%.2f s", svc->name, ports, pids, p->user, rep->seconds);
	} else if (ready == -1)
		snprintf(why, whylen, "%s was started (pid %d) but %s", svc->name,
		    (int)rep->launched, state);
	else if (!killed && exited_badly(rep))
		snprintf(why, whylen, "%s did not start: its start command "
		    "(pid %d) %s after %.2f s; %s", svc->name,
		    (int)rep->launched, ended, rep->seconds, state);
	else
		snprintf(why, whylen, "%s did not come up within %.1f s: its "
		    "start command (pid %d) %s; %s", svc->name, p->timeout,
		    (int)rep->launched, ended, state);
	return ready == 1 ? EXIT_DONE : EXIT_FAILED;
}

/*
 * On a host that runs systemd, a process service is put in a scope of its
 * own when it starts (proc_launch): that step needs systemd's connection,
 * made as root.  Its stop and a free-port of its port do not, so they do
 * not hold one (it is root's power over systemd).  Elsewhere, nothing.
 */
static int
proc_attach(const struct service *svc, enum svc_use use, char *why,
    size_t whylen)
{
	(void)svc;
	if (use != SVC_TO_START || !systemd_runs())
		return 0;
	return systemd_attach(why, whylen) == 0 ? 0 : EXIT_FAILED;
}


/* A process inherits its handoff sockets at its exec: nothing before. */
static int
proc_offer(const struct svc_launch *l, char *why, size_t whylen)
{
	(void)l;
	(void)why;
	(void)whylen;
	return 0;
}

/* The boot never starts a process service: there is nothing to say or do. */
static int
proc_state(const struct service *svc, struct svc_state *state, char *why,
    size_t whylen)
{
	(void)svc;
	(void)why;
	(void)whylen;
	memset(state, 0, sizeof(*state));
	return 0;
}

static int
proc_set_boot(const struct service *svc, const char *state, bool reload,
    char *why, size_t whylen)
{
	(void)svc;
	(void)state;
	(void)reload;
	(void)why;
	(void)whylen;
	return 0;
}

/* A process service: the boot never starts one. */
static int
proc_queue(const struct service *svc, bool start, char *why, size_t whylen)
{
	(void)svc;
	(void)start;
	(void)why;
	(void)whylen;
	return 0;
}

const struct svc_ops svc_proc_ops = {
	.name = "process",
	.attach = proc_attach,
	.stop_step = STEP_STOP,
	.resolve = proc_resolve,
	.launch_free = proc_launch_free,
	.offer = proc_offer,
	.ports_unheld = svc_ports_unheld_scan,
	.launch = proc_launch,
	.wait_ready = proc_wait_ready,
	.stop = stop_service,
	.identity = holder_ids_resolve,
	.state = proc_state,
	.set_boot = proc_set_boot,
	.queue = proc_queue,
};
