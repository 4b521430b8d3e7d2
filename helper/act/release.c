/*
 * release.c - free a port from its permitted holders, or stop a service:
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
 *
 * A holder has let go only when its pidfd says it has exited, or its
 * descriptor table, read whole, no longer has the socket.  A read that
 * fails (the caller can lower this step's RLIMIT_NOFILE) proves nothing:
 * the request then fails with "cannot tell", never "stopped".
 */
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper/act/svc/svc.h"
#include "helper/act/holders.h"
#include "helper/act/release.h"
#include "helper/lib/clock.h"
#include "helper/lib/why.h"

#define STOP_INODES_MAX 256     /* LISTEN sockets of one stop, all ports */

struct target {
	struct holder h;
	int pidfd;
	bool signalled;
};

struct job {
	struct target t[HOLDERS_MAX];
	size_t n;
	size_t nsockets;            /* LISTEN sockets the scan found */
	unsigned long handed[STOP_SOCKETS_MAX];     /* copies sent to a switch */
	size_t nhanded;
	unsigned long inodes[STOP_INODES_MAX];      /* the targets' sockets */
	size_t ninodes;
	const int *ports;
	size_t nports;
	struct stop_report *rep;
	char *why;
	size_t whylen;
	int notify_fd;              /* -1, or told once all are signalled */
};

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
	char d[320], err[256];
	int same;

	for (i = 0; i < j->n; i++) {
		struct target *t = &j->t[i];

		t->pidfd = pidfd_open(t->h.pid, 0);
		if (t->pidfd == -1 && errno == ESRCH)
			continue;       /* gone already: nothing to stop */
		holder_describe(&t->h, d, sizeof(d));
		same = t->pidfd == -1 ? 0 : holder_same(&t->h, err, sizeof(err));
		if (same == -1) {
			snprintf(j->why, j->whylen, "%s (%s); nothing was "
			    "signalled", d, err);
			return -1;
		}
		if (same == 0 || !alive(t)) {
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
	j->rep->nsignalled += !t->signalled;
	note_service(j->rep, t->h.service->name);
	t->signalled = true;
	return 0;
}

/*
 * Each holder whose parent is not a holder too gets its service's stop
 * signal, or with DRAIN its drain signal (a service without one is left
 * for the stop signal).
 */
static int
signal_topmost(struct job *j, bool drain)
{
	const struct service *svc;
	size_t i;

	for (i = 0; i < j->n; i++) {
		svc = j->t[i].h.service;
		if (is_target_pid(j, j->t[i].h.ppid) ||
		    (drain && svc->drain_signal == 0))
			continue;
		if (signal_target(j, &j->t[i], drain ? svc->drain_signal :
		    svc->stop_signal) == -1)
			return -1;
	}
	return 0;
}

enum hold { RELEASED, HOLDING, UNKNOWN };

/*
 * Is the target still holding its LISTEN socket?  RELEASED only on
 * evidence: its pidfd is readable or says ESRCH (it has exited), or its
 * descriptor table was read whole without the socket.  One that could
 * not be opened (pidfd_open said ESRCH) is judged by /proc alone: "no
 * such process" must not be taken for "stopped" while /proc still shows
 * it holding the socket.  UNKNOWN when a read failed: ERR says which.
 */
static enum hold
hold_state(const struct target *t, char *err, size_t errlen)
{
	struct pollfd p = { t->pidfd, POLLIN, 0 };
	int r;

	if (t->pidfd >= 0) {
		if (poll(&p, 1, 0) == 1 && (p.revents & POLLIN))
			return RELEASED;
		if (pidfd_send_signal(t->pidfd, 0, NULL, 0) == -1) {
			if (errno == ESRCH)
				return RELEASED;
			snprintf(err, errlen, "cannot tell whether pid %d has "
			    "exited: %s", (int)t->h.pid, strerror(errno));
			return UNKNOWN;
		}
	}
	r = holder_holds(&t->h, err, errlen);
	return r == 0 ? RELEASED : r == 1 ? HOLDING : UNKNOWN;
}

/*
 * RELEASED when no target holds its LISTEN socket; UNKNOWN when any
 * cannot be told (that target in *WHICH, the reason in ERR); else
 * HOLDING (*WHICH: the first that holds).
 */
static enum hold
job_state(const struct job *j, size_t *which, char *err, size_t errlen)
{
	enum hold all = RELEASED, one;
	size_t i;

	for (i = 0; i < j->n && all != UNKNOWN; i++)
		if ((one = hold_state(&j->t[i], err, errlen)) != RELEASED &&
		    all != one) {
			all = one;
			*which = i;
		}
	return all;
}

static bool
released(const struct job *j)
{
	char err[256];
	size_t which;

	return job_state(j, &which, err, sizeof(err)) == RELEASED;
}

/* Until DONE(J), or DEADLINE; a target's exit wakes the wait early. */
static void
wait_until(struct job *j, double deadline, bool (*done)(const struct job *))
{
	struct pollfd pfd[HOLDERS_MAX];
	size_t i, n;

	while (!done(j) && monotonic_seconds() < deadline) {
		for (i = n = 0; i < j->n; i++)
			if (j->t[i].pidfd >= 0) {
				pfd[n].fd = j->t[i].pidfd;
				pfd[n++].events = POLLIN;
			}
		(void)poll(pfd, n, 50);
	}
}

static void
wait_released(struct job *j, double deadline)
{
	wait_until(j, deadline, released);
}

/* The longest drain_timeout of the targets' services; 0: none drains. */
static double
longest_drain(const struct job *j)
{
	double t = 0;
	size_t i;

	for (i = 0; i < j->n; i++)
		if (j->t[i].h.service->drain_signal != 0 &&
		    j->t[i].h.service->drain_timeout > t)
			t = j->t[i].h.service->drain_timeout;
	return t;
}

/* How many targets are still alive (their pidfd not yet readable). */
static size_t
still_alive(const struct job *j)
{
	struct pollfd p;
	size_t i, n = 0;

	for (i = 0; i < j->n; i++) {
		if (j->t[i].pidfd < 0)
			continue;
		p = (struct pollfd){ j->t[i].pidfd, POLLIN, 0 };
		n += !(poll(&p, 1, 0) == 1 && (p.revents & POLLIN));
	}
	return n;
}

static bool
all_exited(const struct job *j)
{
	return still_alive(j) == 0;
}

/*
 * A graceful stop first, for services with a drain signal: their
 * processes get it and have drain_timeout to finish what is in flight
 * and exit - not only to let go of the port, which apache2's
 * graceful-stop does at once while its children still serve; the report
 * counts those still alive after it (the ordinary stop follows for
 * them).  -1 when a signal could not be sent.
 */
static int
drain(struct job *j)
{
	double wait = longest_drain(j);

	if (wait <= 0)
		return 0;
	j->rep->drained = true;
	if (signal_topmost(j, true) == -1)
		return -1;
	/* A switch may now try to bind the port (actions.h). */
	if (j->notify_fd != -1)
		(void)sendto(j->notify_fd, "s", 1, MSG_NOSIGNAL, NULL, 0);
	wait_until(j, monotonic_seconds() + wait, all_exited);
	j->rep->after_drain = still_alive(j);
	return 0;
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

/*
 * SIGKILL what remains, for the services that allow it: only a target
 * still holding and still the process that was found.
 */
static int
kill_remaining(struct job *j)
{
	size_t i, killed = 0;
	char err[256];

	for (i = 0; i < j->n; i++) {
		struct target *t = &j->t[i];

		if (!t->h.service->kill_after || t->pidfd < 0 ||
		    hold_state(t, err, sizeof(err)) != HOLDING ||
		    holder_same(&t->h, err, sizeof(err)) != 1)
			continue;
		if (signal_target(j, t, SIGKILL) == -1)
			return -1;
		killed++;
	}
	j->rep->killed = killed > 0;
	return (int)killed;
}

/* Why the port is not free: who still holds it, or what can't be told. */
static void
describe_remaining(struct job *j)
{
	char d[320], err[256] = "";
	size_t which = 0;
	enum hold st = job_state(j, &which, err, sizeof(err));

	holder_describe(&j->t[which].h, d, sizeof(d));
	if (st == UNKNOWN)
		snprintf(j->why, j->whylen, "cannot tell whether %s has let go "
		    "of the port (%s); it was signalled, and is not taken for "
		    "stopped", d, err);
	else
		snprintf(j->why, j->whylen, "still held after %.1f s by %s%s",
		    longest_timeout(j), d, j->t[which].h.service->kill_after ?
		    "" : " (the service does not allow kill_after)");
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

static bool
uid_listed(const struct holder_ids *ids, uid_t uid)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		if (ids->uid[i] == uid)
			return true;
	return false;
}

static int
sockopt(int fd, int level, int name, int *v, char *why, size_t whylen)
{
	socklen_t len = sizeof(*v);

	*v = 0;
	if (getsockopt(fd, level, name, v, &len) == 0)
		return 0;
	snprintf(why, whylen, "cannot read its socket options: %s",
	    strerror(errno));
	return -1;
}

/*
 * Bound to the wildcard address of its family on PORT: 0.0.0.0, or [::]
 * dual-stack or IPv6 alone (*V6ONLY).  Whether a port's sockets go
 * together is stop_sockets_fit's to say.
 */
static int
wildcard_on(int fd, int family, int port, bool *v6only_out, char *why,
    size_t whylen)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in four;
		struct sockaddr_in6 six;
	} a;
	socklen_t len = sizeof(a);
	int v6only;

	memset(&a, 0, sizeof(a));
	if (getsockname(fd, &a.sa, &len) == -1) {
		snprintf(why, whylen, "cannot read its address: %s",
		    strerror(errno));
		return -1;
	}
	if (family == AF_INET && len >= sizeof(a.four) &&
	    a.four.sin_port == htons((uint16_t)port) &&
	    a.four.sin_addr.s_addr == htonl(INADDR_ANY))
		return 0;
	if (family == AF_INET6 && len >= sizeof(a.six) &&
	    a.six.sin6_port == htons((uint16_t)port) &&
	    IN6_IS_ADDR_UNSPECIFIED(&a.six.sin6_addr)) {
		if (sockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, why,
		    whylen) == -1)
			return -1;
		*v6only_out = v6only != 0;
		return 0;
	}
	snprintf(why, whylen, "it is not bound to the port's listening "
	    "address, [::]:%d or 0.0.0.0:%d", port, port);
	return -1;
}

/*
 * No socket filter: SO_GET_FILTER with no room answers the number of
 * classic BPF instructions (0: none), and EACCES for an eBPF program
 * (SO_ATTACH_BPF), which cannot be read back.
 */
static int
no_filter(int fd, char *why, size_t whylen)
{
	socklen_t len = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, NULL, &len) == -1) {
		if (errno == EACCES)
			snprintf(why, whylen, "it has an eBPF socket filter");
		else
			snprintf(why, whylen, "cannot tell whether it has a "
			    "socket filter: %s", strerror(errno));
		return -1;
	}
	if (len != 0) {
		snprintf(why, whylen, "it has a socket filter");
		return -1;
	}
	return 0;
}

int
stop_socket_fit(int fd, int port, const struct holder_ids *owners, char *why,
    size_t whylen)
{
	struct stat st;
	int family, type, proto, listening, reuseport, ifindex;
	bool v6only;

	if (fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		snprintf(why, whylen, "it is not a socket");
		return -1;
	}
	if (st.st_uid != 0 && !uid_listed(owners, st.st_uid)) {
		snprintf(why, whylen, "it is owned by uid %lu, neither root nor "
		    "a user of %s", (unsigned long)st.st_uid, owners->svc->name);
		return -1;
	}
	if (sockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, why, whylen) == -1 ||
	    sockopt(fd, SOL_SOCKET, SO_TYPE, &type, why, whylen) == -1 ||
	    sockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, why, whylen) == -1 ||
	    sockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, why,
	    whylen) == -1 ||
	    sockopt(fd, SOL_SOCKET, SO_REUSEPORT, &reuseport, why,
	    whylen) == -1 ||
	    sockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &ifindex, why,
	    whylen) == -1)
		return -1;
	if ((family != AF_INET && family != AF_INET6) || type != SOCK_STREAM ||
	    proto != IPPROTO_TCP || !listening) {
		snprintf(why, whylen, "it is not a listening TCP socket");
		return -1;
	}
	if (reuseport) {
		snprintf(why, whylen, "it has SO_REUSEPORT set: another "
		    "socket of its owner could share its traffic");
		return -1;
	}
	if (ifindex != 0) {
		snprintf(why, whylen, "it is bound to one network interface");
		return -1;
	}
	if (wildcard_on(fd, family, port, &v6only, why, whylen) == -1)
		return -1;
	return no_filter(fd, why, whylen);
}

/* What FD is bound to, once stop_socket_fit passed it. */
static enum listen_kind
fit_kind(int fd)
{
	int family = 0, v6only = 1;
	socklen_t len = sizeof(family);

	(void)getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len);
	if (family == AF_INET)
		return LISTEN_V4_ANY;
	len = sizeof(v6only);
	(void)getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len);
	return v6only ? LISTEN_V6_ONLY : LISTEN_V6_DUAL;
}

int
stop_sockets_fit(const int *fds, size_t n, char *why, size_t whylen)
{
	enum listen_kind a, b;

	if (n == 1 && fit_kind(fds[0]) != LISTEN_V6_ONLY)
		return 0;
	if (n == 2) {
		a = fit_kind(fds[0]), b = fit_kind(fds[1]);
		if ((a == LISTEN_V4_ANY && b == LISTEN_V6_ONLY) ||
		    (a == LISTEN_V6_ONLY && b == LISTEN_V4_ANY))
			return 0;
	}
	snprintf(why, whylen, "the port has %zu listening socket%s that %s "
	    "not its one socket (0.0.0.0 or [::] dual-stack) nor its IPv4 and "
	    "IPv6-only pair", n, n == 1 ? "" : "s", n == 1 ? "is" : "are");
	return -1;
}

/* A copy of target T's socket INODE, through its pidfd; -1 (WHY) if not. */
static int
copy_socket(const struct target *t, unsigned long inode, char *why,
    size_t whylen)
{
	struct stat st;
	int fd, copy;

	if ((fd = fd_of_socket(t->h.pid, inode)) == -1) {
		snprintf(why, whylen, "its descriptor in pid %d was not found",
		    (int)t->h.pid);
		return -1;
	}
	if ((copy = (int)syscall(SYS_pidfd_getfd, t->pidfd, fd, 0)) == -1) {
		snprintf(why, whylen, "it could not be copied: %s",
		    strerror(errno));
		return -1;
	}
	/* the descriptor may have been reused since /proc was read */
	if (fstat(copy, &st) == -1 || !S_ISSOCK(st.st_mode) ||
	    st.st_ino != inode) {
		close(copy);
		snprintf(why, whylen, "pid %d's descriptor changed meanwhile",
		    (int)t->h.pid);
		return -1;
	}
	return copy;
}

/*
 * A switch with a socket handoff: a copy of each listening socket the
 * targets hold, taken through their pidfds (pidfd_getfd, which needs
 * this step's cap_sys_ptrace) before any signal and sent to the
 * transaction.  The socket then outlives the old holder: connections
 * keep queueing in it until the new service accepts them, and there is
 * no moment at which the port is not listening.
 *
 * The port's sockets are taken only when each is fit (stop_socket_fit)
 * and together they are its one socket or its IPv4 and IPv6-only pair
 * (stop_sockets_fit): a SO_REUSEPORT group's BPF program
 * (SO_ATTACH_REUSEPORT_CBPF/EBPF) cannot be read back, a group stays
 * whole after its members clear SO_REUSEPORT, and a group needs two
 * sockets of one family - an IPv4 and an IPv6 socket never are one.
 * When one is not taken none is, and the transaction binds the port
 * itself once the holders let go; the report says why.
 */
static void
take_sockets(struct job *j)
{
	int fds[STOP_SOCKETS_MAX], copy;
	char why[200] = "";
	size_t b, i, n = 0;

	if (j->ninodes > 2)
		snprintf(why, sizeof(why), "the port has %zu listening sockets; "
		    "cutover hands over a port's one socket, or its IPv4 and "
		    "IPv6-only pair", j->ninodes);
	for (b = 0; b < j->ninodes && why[0] == '\0'; b++) {
		const struct target *t = NULL;

		/* j->inodes[b] is the scan's socket b (job_of_port) */
		for (i = 0; i < j->n && t == NULL; i++)
			if (j->t[i].pidfd >= 0 && (j->t[i].h.sockets & (1ULL << b)))
				t = &j->t[i];
		if (t == NULL)
			snprintf(why, sizeof(why), "no process holding it could "
			    "be reached");
		else if ((copy = copy_socket(t, j->inodes[b], why,
		    sizeof(why))) == -1)
			;
		else if (stop_socket_fit(copy, j->ports[0], t->h.ids, why,
		    sizeof(why)) == -1)
			close(copy);
		else {
			if (n == 0)
				j->rep->handed_from = t->h.pid;
			j->handed[n] = j->inodes[b];
			fds[n++] = copy;
		}
	}
	if (why[0] == '\0' && n > 0)
		(void)stop_sockets_fit(fds, n, why, sizeof(why));
	if (why[0] != '\0') {
		snprintf(j->rep->handoff, sizeof(j->rep->handoff), "the old "
		    "listening socket was not handed over (%s): the switch "
		    "binds its own", why);
		for (; n > 0; n--)
			close(fds[n - 1]);
	}
	j->nhanded = n;
	j->rep->handed = n;
	send_sockets(j->notify_fd, fds, n);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

/* Remember the scan's sockets MASK names, for sockets_gone(). */
static int
note_sockets(struct job *j, const struct holders *h, unsigned long long mask)
{
	size_t i, k;

	for (i = 0; i < h->nsockets; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		for (k = 0; k < j->ninodes && j->inodes[k] != h->sockets[i]; k++)
			;
		if (k < j->ninodes)
			continue;
		if (j->ninodes == STOP_INODES_MAX) {
			snprintf(j->why, j->whylen, "more than %d listening "
			    "sockets to stop, more than cutover can account "
			    "for; nothing was signalled", STOP_INODES_MAX);
			return EXIT_REFUSED;
		}
		j->inodes[j->ninodes++] = h->sockets[i];
	}
	return 0;
}

/*
 * The targets let go; are their sockets gone from the kernel's table
 * too?  One that still listens is held by a process the scan could not
 * read: the port is not free.  (A copy handed to a switch listens on, by
 * design.)  A close's last reference may be dropped a moment after the
 * descriptor is, so this looks again for up to a second.
 */
static int
sockets_gone(struct job *j)
{
	struct timespec tick = { 0, 10 * 1000 * 1000L };
	unsigned long left[STOP_INODES_MAX];
	size_t i, k, n = 0, p;
	int rc = 0, tries;

	for (i = 0; i < j->ninodes; i++) {
		for (k = 0; k < j->nhanded && j->handed[k] != j->inodes[i]; k++)
			;
		if (k == j->nhanded)
			left[n++] = j->inodes[i];
	}
	for (p = 0; p < j->nports && n > 0; p++) {
		for (tries = 0; tries < 100; tries++) {
			rc = ports_listening_any(j->ports[p], left, n, j->why,
			    j->whylen);
			if (rc != 1)
				break;
			nanosleep(&tick, NULL);
		}
		if (rc == -1)
			return EXIT_FAILED;
		if (rc == 1) {
			snprintf(j->why, j->whylen, "port %d still listens on a "
			    "socket its stopped holders had: a process cutover "
			    "cannot see holds it too", j->ports[p]);
			return EXIT_FAILED;
		}
	}
	return EXIT_DONE;
}

static int
run_job(struct job *j)
{
	double start = monotonic_seconds();
	int status = EXIT_DONE;

	if (open_targets(j) == -1)
		status = EXIT_FAILED;
	else if (j->notify_fd != -1)
		take_sockets(j);
	if (status == EXIT_DONE && drain(j) == -1)
		status = EXIT_FAILED;
	/* the stop signal: to all, or after a drain to those still alive */
	if (status == EXIT_DONE && (!j->rep->drained || still_alive(j) > 0) &&
	    signal_topmost(j, false) == -1)
		status = EXIT_FAILED;
	else if (status == EXIT_DONE) {
		/* A switch may now try to bind the port (actions.h). */
		if (j->notify_fd != -1 && !j->rep->drained)
			(void)sendto(j->notify_fd, "s", 1, MSG_NOSIGNAL, NULL, 0);
		wait_released(j, monotonic_seconds() + longest_timeout(j));
		if (!released(j)) {
			if (kill_remaining(j) > 0)
				wait_released(j, monotonic_seconds() + 2.0);
			if (!released(j)) {
				describe_remaining(j);
				status = EXIT_FAILED;
			}
		}
		if (status == EXIT_DONE)
			status = sockets_gone(j);
	}
	j->rep->seconds = monotonic_seconds() - start;
	close_job(j);
	return status;
}

/* Who H is, and what of the permitted holder it is most like differs. */
static void
describe_intruder(const struct holder *h, const struct holder_ids *ids,
    size_t n, int port, char *why, size_t whylen)
{
	char d[320], differs[600];

	holder_describe(h, d, sizeof(d));
	holder_mismatch(h, ids, n, differs, sizeof(differs));
	snprintf(why, whylen, "port %d is held by %s, which is not one of its "
	    "permitted holders: %s; nothing was signalled", port, d, differs);
}

/* The uids of each of PG's holders: 0, or the exit status (WHY). */
static int
resolve_holders(const struct port_grant *pg, struct holder_ids *ids,
    char *why, size_t whylen)
{
	size_t i;
	int st;

	for (i = 0; i < pg->nholders; i++)
		if ((st = svc_identity(pg->holders[i], &ids[i], why,
		    whylen)) != 0)
			return st;
	return 0;
}

/*
 * Who holds PG's port, every one a permitted holder: 0 (H filled; no
 * socket: the port is free), or the exit status with WHY.
 */
static int
port_targets(const struct port_grant *pg, struct holders *h,
    struct holder_ids *ids, char *why, size_t whylen)
{
	size_t i;
	int st;

	if ((st = ports_holders(pg->port, h, why, whylen)) != 0 ||
	    h->nsockets == 0)
		return st;
	if (h->nunseen > 0) {
		snprintf(why, whylen, "port %d has a listening socket that no "
		    "visible process holds; nothing was signalled", pg->port);
		return EXIT_REFUSED;
	}
	if ((st = resolve_holders(pg, ids, why, whylen)) != 0)
		return st;
	if (ports_match(h, ids, pg->nholders) > 0) {
		for (i = 0; h->v[i].service != NULL; i++)
			;
		describe_intruder(&h->v[i], ids, pg->nholders, pg->port, why,
		    whylen);
		return EXIT_REFUSED;
	}
	return 0;
}

/* J: every holder of PG's port in H a target, their sockets noted. */
static int
job_of_port(struct job *j, const struct port_grant *pg,
    const struct holders *h, int notify_fd, struct stop_report *rep,
    char *why, size_t whylen)
{
	size_t i;

	*j = (struct job){ .ports = &pg->port, .nports = 1, .rep = rep,
	    .why = why, .whylen = whylen, .notify_fd = notify_fd,
	    .nsockets = h->nsockets };
	for (i = 0; i < h->n; i++)
		j->t[j->n++] = (struct target){ h->v[i], -1, false };
	return note_sockets(j, h, ~0ULL);
}

/* Add ONE, a unit's stop, to REP. */
static void
note_unit_stop(struct stop_report *rep, const struct stop_report *one,
    const char *name)
{
	size_t i;

	for (i = 0; i < one->npids && rep->npids < STOP_PIDS_MAX; i++)
		rep->pids[rep->npids++] = one->pids[i];
	rep->nsignalled += one->nsignalled;
	rep->seconds += one->seconds;
	rep->by_systemd = true;
	note_service(rep, name);
}

/*
 * Every holder is a unit's: each unit is stopped by systemd (svc_stop),
 * never signalled here, each once.  A switch's handoff first gets copies
 * of their listening sockets (take_sockets, as for processes: 't'), then
 * 's' once the units are stopped; afterwards no socket of theirs but a
 * handed copy may listen (sockets_gone).
 */
static int
stop_unit_holders(const struct port_grant *pg, const struct holders *h,
    struct job *j, int notify_fd, struct stop_report *rep, char *why,
    size_t whylen)
{
	const struct service *done[STOP_SERVICES_MAX];
	struct stop_report one;
	double start = monotonic_seconds();
	size_t i, k, ndone = 0;
	int st;

	if ((st = job_of_port(j, pg, h, notify_fd, rep, why, whylen)) != 0)
		return st;
	if (notify_fd != -1) {
		if (open_targets(j) == -1) {
			close_job(j);
			return EXIT_FAILED;
		}
		take_sockets(j);
	}
	for (i = 0; i < h->n && st == EXIT_DONE; i++) {
		const struct service *svc = h->v[i].service;

		for (k = 0; k < ndone && done[k] != svc; k++)
			;
		if (k < ndone || ndone == STOP_SERVICES_MAX)
			continue;
		done[ndone++] = svc;
		if ((st = svc_stop(svc, NULL, &one, why, whylen)) == EXIT_DONE)
			note_unit_stop(rep, &one, svc->name);
	}
	if (notify_fd != -1 && st == EXIT_DONE)
		(void)sendto(notify_fd, "s", 1, MSG_NOSIGNAL, NULL, 0);
	if (st == EXIT_DONE)
		st = sockets_gone(j);
	rep->seconds = monotonic_seconds() - start;
	close_job(j);
	return st;
}

/* Some holder is a unit's; EXIT_REFUSED (WHY) when others are not. */
static int
units_hold(const struct port_grant *pg, const struct holders *h, char *why,
    size_t whylen, bool *units)
{
	size_t i, n = 0;

	for (i = 0; i < h->n; i++)
		n += h->v[i].service != NULL && h->v[i].service->unit != NULL;
	*units = n > 0;
	if (n == 0 || n == h->n)
		return 0;
	why_set(why, whylen, "port %d is held by a systemd unit's processes and "
	    "by others at once; free-port stops units through systemd and "
	    "processes by signal, not both in one step; nothing was done",
	    pg->port);
	return EXIT_REFUSED;
}

/* H's holders, each signalled by cutover (none is a unit's). */
static int
signal_holders(const struct port_grant *pg, const struct holders *h,
    struct job *j, int notify_fd, struct stop_report *rep, char *why,
    size_t whylen)
{
	int status = job_of_port(j, pg, h, notify_fd, rep, why, whylen);

	if (status == EXIT_DONE)
		status = run_job(j);
	return status;
}

/*
 * A switch's overlap: copies of H's listening sockets to NOTIFY_FD, no
 * holder signalled.
 */
static int
copy_holders_sockets(const struct port_grant *pg, const struct holders *h,
    struct job *j, int notify_fd, struct stop_report *rep, char *why,
    size_t whylen)
{
	double start = monotonic_seconds();
	int status = job_of_port(j, pg, h, notify_fd, rep, why, whylen);

	if (status == EXIT_DONE) {
		if (open_targets(j) == -1)
			status = EXIT_FAILED;
		else
			take_sockets(j);
		close_job(j);
	}
	rep->seconds = monotonic_seconds() - start;
	return status;
}

/*
 * PG's holders, every one of them permitted; then with TAKE_ONLY copies
 * of their sockets, else their stop (a unit's by systemd, the others by
 * signal).
 */
static int
port_job(const struct port_grant *pg, int notify_fd, bool take_only,
    struct stop_report *rep, char *why, size_t whylen)
{
	struct holders *h = calloc(1, sizeof(*h));
	struct job *j = calloc(1, sizeof(*j));
	struct holder_ids *ids = calloc(pg->nholders + 1, sizeof(*ids));
	int status = EXIT_DONE;
	bool units = false;

	memset(rep, 0, sizeof(*rep));
	if (h == NULL || j == NULL || ids == NULL) {
		snprintf(why, whylen, "out of memory");
		status = EXIT_FAILED;
	} else if ((status = port_targets(pg, h, ids, why, whylen)) == 0 &&
	    h->nsockets == 0) {
		rep->already_free = true;
	} else if (status == 0 && take_only) {
		status = copy_holders_sockets(pg, h, j, notify_fd, rep, why,
		    whylen);
	} else if (status == 0 &&
	    (status = units_hold(pg, h, why, whylen, &units)) == 0) {
		/* a unit's holders are systemd's to stop, others cutover's */
		status = units ? stop_unit_holders(pg, h, j, notify_fd, rep, why,
		    whylen) : signal_holders(pg, h, j, notify_fd, rep, why,
		    whylen);
	}
	free(ids);
	free(h);
	free(j);
	return status;
}

int
stop_free_port(const struct port_grant *pg, int notify_fd,
    struct stop_report *rep, char *why, size_t whylen)
{
	return port_job(pg, notify_fd, false, rep, why, whylen);
}

int
stop_take_sockets(const struct port_grant *pg, int notify_fd,
    struct stop_report *rep, char *why, size_t whylen)
{
	return port_job(pg, notify_fd, true, rep, why, whylen);
}

/* The service's processes on one port: its exe, run by its users. */
static int
add_service_targets(struct job *j, const struct holder_ids *ids, int port,
    struct holders *h)
{
	size_t i, k;
	int st;

	if ((st = ports_holders(port, h, j->why, j->whylen)) != 0)
		return st;
	for (i = 0; i < h->n; i++) {
		if (!holder_is(&h->v[i], ids))
			continue;
		for (k = 0; k < j->n && j->t[k].h.pid != h->v[i].pid; k++)
			;
		if (k < j->n)
			continue;       /* already a target (several ports) */
		if (j->n == HOLDERS_MAX) {
			snprintf(j->why, j->whylen, "more than %d processes of "
			    "%s hold its ports, more than cutover can account "
			    "for; nothing was signalled", HOLDERS_MAX,
			    ids->svc->name);
			return EXIT_REFUSED;
		}
		h->v[i].service = ids->svc;
		h->v[i].ids = ids;
		j->t[j->n++] = (struct target){ h->v[i], -1, false };
		if ((st = note_sockets(j, h, h->v[i].sockets)) != 0)
			return st;
	}
	return 0;
}

int
stop_service(const struct service *svc, const struct stop_keep *keep,
    struct stop_report *rep, char *why, size_t whylen)
{
	struct holders *h = calloc(1, sizeof(*h));
	struct job *j = calloc(1, sizeof(*j));
	struct holder_ids ids;
	int status = EXIT_DONE;
	size_t p;

	memset(rep, 0, sizeof(*rep));
	if (h == NULL || j == NULL) {
		snprintf(why, whylen, "out of memory");
		status = EXIT_FAILED;
	} else if (svc->nports == 0) {
		snprintf(why, whylen, "cutover finds a service by the ports it "
		    "holds, and service %s lists none", svc->name);
		status = EXIT_FAILED;
	} else if ((status = svc_identity(svc, &ids, why, whylen)) != 0) {
		;
	} else {
		*j = (struct job){ .ports = svc->ports, .nports = svc->nports,
		    .rep = rep, .why = why, .whylen = whylen, .notify_fd = -1 };
		/* what was handed on listens on: sockets_gone passes it */
		if (keep != NULL) {
			memcpy(j->handed, keep->inode, keep->n *
			    sizeof(keep->inode[0]));
			j->nhanded = keep->n;
		}
		for (p = 0; p < svc->nports && status == EXIT_DONE; p++)
			status = add_service_targets(j, &ids, svc->ports[p], h);
		if (status == EXIT_DONE && j->n == 0)
			rep->already_free = true;
		else if (status == EXIT_DONE)
			status = run_job(j);
	}
	free(h);
	free(j);
	return status;
}
