/*
 * stop.c - free a port from its permitted holders, or stop a service:
 * kill by identity, never by number.
 *
 * Every target gets a pidfd first; then its identity is checked again
 * through /proc (same executable by device and inode, same uid, still
 * holding the socket); then pidfd_send_signal(0) proves the process the
 * pidfd names is still alive - so the check was about it, not about a
 * process that recycled its pid.  Only then is it signalled, through the
 * pidfd.  The top-most holders get the service's stop signal (apache2's
 * master, which stops its own workers); everything waits by polling the
 * pidfds until the port is free or stop_timeout passes; SIGKILL follows
 * only where the service says kill_after = true.
 */
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ports.h"
#include "stop.h"

struct target {
	struct holder h;
	int pidfd;
	bool signalled;
};

struct job {
	struct target t[HOLDERS_MAX];
	size_t n;
	const int *ports;
	size_t nports;
	struct stop_report *rep;
	char *why;
	size_t whylen;
	int notify_fd;              /* -1, or told once all are signalled */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool
alive(const struct target *t)
{
	return pidfd_send_signal(t->pidfd, 0, NULL, 0) == 0;
}

static void
close_job(struct job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->t[i].pidfd >= 0)
			close(j->t[i].pidfd);
}

/* pidfd, then re-check, then alive: the identity proof. */
static int
open_targets(struct job *j)
{
	size_t i;
	char d[320];

	for (i = 0; i < j->n; i++) {
		struct target *t = &j->t[i];

		t->pidfd = pidfd_open(t->h.pid, 0);
		if (t->pidfd == -1 && errno == ESRCH)
			continue;       /* gone already: nothing to stop */
		if (t->pidfd == -1 || !holder_still(&t->h) || !alive(t)) {
			holder_describe(&t->h, d, sizeof(d));
			snprintf(j->why, j->whylen, "%s changed or exited while "
			    "being checked; nothing was signalled", d);
			return -1;
		}
	}
	return 0;
}

static bool
is_target_pid(const struct job *j, pid_t pid)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->t[i].h.pid == pid)
			return true;
	return false;
}

static void
note_service(struct stop_report *rep, const char *name)
{
	size_t i;

	for (i = 0; i < rep->nservices; i++)
		if (strcmp(rep->services[i], name) == 0)
			return;
	if (rep->nservices < STOP_SERVICES_MAX)
		rep->services[rep->nservices++] = name;
}

static int
signal_target(struct job *j, struct target *t, int sig)
{
	if (t->pidfd < 0 || !alive(t))
		return 0;
	if (pidfd_send_signal(t->pidfd, sig, NULL, 0) == -1) {
		if (errno == ESRCH)
			return 0;       /* it exited: nothing was signalled */
		snprintf(j->why, j->whylen, "cannot signal pid %d: %s",
		    (int)t->h.pid, strerror(errno));
		return -1;
	}
	if (!t->signalled && j->rep->npids < STOP_PIDS_MAX)
		j->rep->pids[j->rep->npids++] = t->h.pid;
	note_service(j->rep, t->h.service->name);
	t->signalled = true;
	return 0;
}

/* The stop signal to each holder whose parent is not a holder too. */
static int
signal_topmost(struct job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (!is_target_pid(j, j->t[i].h.ppid) &&
		    signal_target(j, &j->t[i],
		    j->t[i].h.service->stop_signal) == -1)
			return -1;
	return 0;
}

/*
 * Is the target still there, holding its LISTEN socket?  One that could
 * not be opened (pidfd_open said ESRCH) is judged by /proc alone: "no
 * such process" must not be taken for "stopped" while /proc still shows
 * it holding the socket.
 */
static bool
still_holding(const struct target *t)
{
	return (t->pidfd < 0 || alive(t)) && holder_still(&t->h);
}

/* Done when no target is still holding its LISTEN socket. */
static bool
released(const struct job *j)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (still_holding(&j->t[i]))
			return false;
	return true;
}

static void
wait_released(struct job *j, double deadline)
{
	struct pollfd pfd[HOLDERS_MAX];
	size_t i, n;

	while (!released(j) && now() < deadline) {
		for (i = n = 0; i < j->n; i++)
			if (j->t[i].pidfd >= 0) {
				pfd[n].fd = j->t[i].pidfd;
				pfd[n++].events = POLLIN;
			}
		(void)poll(pfd, n, 50);     /* an exit wakes us early */
	}
}

static double
longest_timeout(const struct job *j)
{
	double t = 0;
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->t[i].h.service->stop_timeout > t)
			t = j->t[i].h.service->stop_timeout;
	return t;
}

/* SIGKILL what remains, for the services that allow it. */
static int
kill_remaining(struct job *j)
{
	size_t i, killed = 0;

	for (i = 0; i < j->n; i++)
		if (j->t[i].h.service->kill_after && j->t[i].pidfd >= 0 &&
		    alive(&j->t[i]) && holder_still(&j->t[i].h)) {
			if (signal_target(j, &j->t[i], SIGKILL) == -1)
				return -1;
			killed++;
		}
	j->rep->killed = killed > 0;
	return (int)killed;
}

static void
describe_remaining(struct job *j)
{
	char d[320];
	size_t i;

	for (i = 0; i < j->n; i++)
		if (still_holding(&j->t[i])) {
			holder_describe(&j->t[i].h, d, sizeof(d));
			snprintf(j->why, j->whylen, "still held after %.1f s by "
			    "%s (the service does not allow kill_after)",
			    longest_timeout(j), d);
			return;
		}
	snprintf(j->why, j->whylen, "still held after %.1f s",
	    longest_timeout(j));
}

/* The number of PID's descriptor for the socket INODE, or -1. */
static int
fd_of_socket(pid_t pid, unsigned long inode)
{
	char dir[64], link[64], want[48];
	struct dirent *e;
	ssize_t n;
	DIR *d;
	int fd = -1;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while (fd == -1 && (e = readdir(d)) != NULL) {
		n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		if (strcmp(link, want) == 0)
			fd = atoi(e->d_name);
	}
	closedir(d);
	return fd;
}

/* One 't' and FDS (SCM_RIGHTS) on the switch's socket. */
static void
send_sockets(int to, const int *fds, size_t n)
{
	char cbuf[CMSG_SPACE(sizeof(int) * STOP_SOCKETS_MAX)], t = 't';
	struct iovec iov = { &t, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;

	memset(cbuf, 0, sizeof(cbuf));
	if (n > 0) {
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	(void)sendmsg(to, &msg, MSG_NOSIGNAL);
}

/*
 * A switch with a socket handoff: a copy of each listening socket the
 * targets hold, taken through their pidfds (pidfd_getfd, which needs
 * this step's cap_sys_ptrace) before any signal and sent to the
 * transaction.  The socket then outlives the old holder: connections
 * keep queueing in it until the new service accepts them, and there is
 * no moment at which the port is not listening.  What cannot be taken,
 * the transaction binds anew once the holders let go.
 */
static void
take_sockets(struct job *j)
{
	unsigned long inodes[STOP_SOCKETS_MAX];
	int fds[STOP_SOCKETS_MAX], fd, copy;
	size_t i, k, n = 0;
	struct stat st;

	for (i = 0; i < j->n && n < STOP_SOCKETS_MAX; i++) {
		struct target *t = &j->t[i];

		for (k = 0; k < n && inodes[k] != t->h.inode; k++)
			;
		if (t->pidfd < 0 || k < n ||
		    (fd = fd_of_socket(t->h.pid, t->h.inode)) == -1)
			continue;
		if ((copy = (int)syscall(SYS_pidfd_getfd, t->pidfd, fd, 0)) == -1)
			continue;
		/* the descriptor may have been reused since /proc was read */
		if (fstat(copy, &st) == -1 || !S_ISSOCK(st.st_mode) ||
		    st.st_ino != t->h.inode) {
			close(copy);
			continue;
		}
		inodes[n] = t->h.inode;
		fds[n++] = copy;
	}
	send_sockets(j->notify_fd, fds, n);
	for (k = 0; k < n; k++)
		close(fds[k]);
}

static int
run_job(struct job *j)
{
	double start = now();
	int status = STOP_DONE;

	if (open_targets(j) == -1)
		status = STOP_FAILED;
	else if (j->notify_fd != -1)
		take_sockets(j);
	if (status == STOP_DONE && signal_topmost(j) == -1)
		status = STOP_FAILED;
	else if (status == STOP_DONE) {
		/* A switch may now try to bind the port (steps.h). */
		if (j->notify_fd != -1)
			(void)sendto(j->notify_fd, "s", 1, MSG_NOSIGNAL, NULL, 0);
		wait_released(j, start + longest_timeout(j));
		if (!released(j)) {
			if (kill_remaining(j) > 0)
				wait_released(j, now() + 2.0);
			if (!released(j)) {
				describe_remaining(j);
				status = STOP_FAILED;
			}
		}
	}
	j->rep->seconds = now() - start;
	close_job(j);
	return status;
}

static void
describe_intruder(const struct holder *h, int port, char *why, size_t whylen)
{
	char d[320];

	holder_describe(h, d, sizeof(d));
	snprintf(why, whylen, "port %d is held by %s, which is not one of its "
	    "permitted holders%s; nothing was signalled", port, d,
	    h->exe_deleted ? " (its executable was deleted or replaced)" : "");
}

int
stop_free_port(const struct port_grant *pg, int notify_fd,
    struct stop_report *rep, char *why, size_t whylen)
{
	struct holders *h = calloc(1, sizeof(*h));
	struct job *j = calloc(1, sizeof(*j));
	size_t i;
	int status = STOP_DONE;

	memset(rep, 0, sizeof(*rep));
	if (h == NULL || j == NULL) {
		snprintf(why, whylen, "out of memory");
		status = STOP_FAILED;
	} else if (ports_holders(pg->port, h, why, whylen) == -1) {
		status = STOP_FAILED;
	} else if (h->nsockets == 0) {
		rep->already_free = true;
	} else if (h->nunseen > 0) {
		snprintf(why, whylen, "port %d has a listening socket that no "
		    "visible process holds; nothing was signalled", pg->port);
		status = STOP_REFUSED;
	} else if (ports_match(h, pg->holders, pg->nholders) > 0) {
		for (i = 0; h->v[i].service != NULL; i++)
			;
		describe_intruder(&h->v[i], pg->port, why, whylen);
		status = STOP_REFUSED;
	} else {
		*j = (struct job){ .ports = &pg->port, .nports = 1, .rep = rep,
		    .why = why, .whylen = whylen, .notify_fd = notify_fd };
		for (i = 0; i < h->n; i++)
			j->t[j->n++] = (struct target){ h->v[i], -1, false };
		status = run_job(j);
	}
	free(h);
	free(j);
	return status;
}

static int
service_uid(const struct service *svc, uid_t *uid, char *why, size_t whylen)
{
	struct passwd *pw;

	if (svc->user == NULL) {
		*uid = (uid_t)svc->uid;
		return 0;
	}
	errno = 0;
	if ((pw = getpwnam(svc->user)) == NULL) {
		snprintf(why, whylen, "user %s of service %s does not exist",
		    svc->user, svc->name);
		return -1;
	}
	*uid = pw->pw_uid;
	return 0;
}

/* The service's processes on one port: its exe, running as its user. */
static int
add_service_targets(struct job *j, const struct service *svc, uid_t uid,
    int port, struct holders *h)
{
	size_t i, k;

	if (ports_holders(port, h, j->why, j->whylen) == -1)
		return -1;
	for (i = 0; i < h->n; i++) {
		if (!holder_is(&h->v[i], svc) || h->v[i].uid != uid)
			continue;
		for (k = 0; k < j->n && j->t[k].h.pid != h->v[i].pid; k++)
			;
		if (k < j->n || j->n == HOLDERS_MAX)
			continue;       /* already a target (several ports) */
		h->v[i].service = svc;
		j->t[j->n++] = (struct target){ h->v[i], -1, false };
	}
	return 0;
}

int
stop_service(const struct service *svc, struct stop_report *rep, char *why,
    size_t whylen)
{
	struct holders *h = calloc(1, sizeof(*h));
	struct job *j = calloc(1, sizeof(*j));
	int status = STOP_DONE;
	uid_t uid;
	size_t p;

	memset(rep, 0, sizeof(*rep));
	if (h == NULL || j == NULL) {
		snprintf(why, whylen, "out of memory");
		status = STOP_FAILED;
	} else if (svc->nports == 0) {
		snprintf(why, whylen, "cutover finds a service by the ports it "
		    "holds, and service %s lists none", svc->name);
		status = STOP_FAILED;
	} else if (service_uid(svc, &uid, why, whylen) == -1) {
		status = STOP_FAILED;
	} else {
		*j = (struct job){ .ports = svc->ports, .nports = svc->nports,
		    .rep = rep, .why = why, .whylen = whylen, .notify_fd = -1 };
		for (p = 0; p < svc->nports && status == STOP_DONE; p++)
			if (add_service_targets(j, svc, uid, svc->ports[p], h) == -1)
				status = STOP_FAILED;
		if (status == STOP_DONE && j->n == 0)
			rep->already_free = true;
		else if (status == STOP_DONE)
			status = run_job(j);
	}
	free(h);
	free(j);
	return status;
}
