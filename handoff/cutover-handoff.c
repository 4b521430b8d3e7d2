/*
 * cutover-handoff - what a systemd unit's ExecStart= runs in front of its
 * server (a drop-in; cutover(8), SOCKET HANDOFF UNDER SYSTEMD), so that a
 * cutover switch can hand the unit the port's listening sockets:
 *
 *   cutover-handoff [-N] [-p PIDFILE] nginx|systemd UNIT /absolute/server [ARG...]
 *
 * When a switch is starting UNIT with a handoff, its step listens on
 * CUTOVER_HANDOFF_DIR/UNIT.sock (a directory only root can write, made
 * 0700 by the step while it is root).  This connects there, checks that
 * the other end is root, receives the listening sockets (SCM_RIGHTS, up
 * to 8), checks that each is a listening TCP socket, places them at fd 3,
 * 4, ... and says so as the server reads it: NGINX="3;4;" (nginx's
 * inherited sockets), or LISTEN_FDS=N and LISTEN_PID=the server's pid
 * (sd_listen_fds(3)).  Then it runs the server.
 *
 * Without -p (a unit of Type=exec) it execs the server in its own place.
 * With -p (a unit of Type=forking, as Debian's nginx.service is) the
 * server runs in a child, and this process exits 0 once PIDFILE names
 * that child, so that systemd takes it as the unit's main process, as it
 * takes a server that daemonized itself.  nginx needs that: it does not
 * daemonize when it inherits sockets, and it ignores the binary upgrade
 * (SIGUSR2, what its package's postinst sends) while its parent is still
 * the process that started it, which in place of a fork would be PID 1.
 *
 * The sockets a switch hands it are also given to systemd to keep (its
 * file descriptor store: FDSTORE=1 on NOTIFY_SOCKET, which the drop-in's
 * NotifyAccess=exec and FileDescriptorStoreMax= allow).  systemd 252
 * keeps them while a job of the unit runs - across `systemctl restart`,
 * which is what nginx-common's postinst does on every upgrade - and
 * hands them back at the next start as LISTEN_FDS; this then gives them
 * to the server as it gives cutover's, so the port keeps listening (its
 * connections wait in the backlog) while the server is restarted.  Once
 * the unit is stopped with no job left (systemctl stop, a switch away
 * from it, a failed start) systemd closes them, and the next start binds
 * afresh.  A new handoff replaces what the store held (FDSTOREREMOVE=1).
 *
 * With no handoff pending and nothing kept - every boot, every start
 * after a stop - it execs the server unchanged (nginx then daemonizes as
 * Debian's unit has it).  A handoff that is pending but
 * goes wrong (the wrong peer, no sockets, not listening TCP, a server
 * that exits before it writes PIDFILE) is a failure: it exits 1 and the
 * unit's start fails, so that the switch rolls back rather than the
 * server binding the port beside the socket cutover holds.
 *
 * With -N (a server that runs as its own user, the unit's User=), the
 * server it is handing sockets to gets no capability at all: the unit
 * gives it CAP_NET_BIND_SERVICE to bind its ports itself on every other
 * start, and a server handed them bound has no use for it.  -N refuses
 * to run as root.
 *
 * It runs as whoever the unit's ExecStart= runs as (root for Debian's
 * nginx.service, nginx with the unprivileged drop-in: cutover offers the
 * socket to that user alone); it is not setuid, parses nothing but its
 * arguments, one message from root and a pid file's number, and never
 * runs a shell or searches PATH.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <netinet/in.h>

#define FDS_MAX 8
#define UNIT_MAX 255
#define PIDFILE_WAIT_S 60       /* below systemd's TimeoutStartSec=, 90 s */
#define FDSTORE_NAME "cutover"  /* what systemd's fd store calls them */

static const char *prog = "cutover-handoff";

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; the unit's start fails (a cutover switch then "
	    "rolls back)\n");
	exit(1);
}

static void __attribute__((noreturn))
run(char **argv)
{
	execv(argv[0], argv);
	fprintf(stderr, "%s: cannot run %s: %s\n", prog, argv[0],
	    strerror(errno));
	exit(127);
}

/* A unit name as systemd spells one, so that it names one file here. */
static int
unit_ok(const char *u)
{
	size_t n = strlen(u);

	return n > 0 && n <= UNIT_MAX && u[0] != '.' && u[0] != '-' &&
	    strspn(u, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789:_.\\@-") == n;
}

/*
 * The offer's socket, connected; -1 when there is none (no handoff is
 * pending).  The directory must be root's and not writable by others,
 * or nothing in it is trusted.
 */
static int
connect_offer(const char *unit)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (lstat(CUTOVER_HANDOFF_DIR, &st) == -1) {
		if (errno == ENOENT)
			return -1;
		fail("cannot look at %s: %s", CUTOVER_HANDOFF_DIR,
		    strerror(errno));
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		fail("%s is not a directory of root's that only root can write",
		    CUTOVER_HANDOFF_DIR);
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock",
	    CUTOVER_HANDOFF_DIR, unit) >= sizeof(sa.sun_path))
		fail("the unit's name is too long for a socket path");
	if ((fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)) == -1)
		fail("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (errno == ENOENT || errno == ECONNREFUSED) {
		close(fd);
		return -1;
	}
	fail("cannot connect to %s: %s", sa.sun_path, strerror(errno));
}

/*
 * The descriptors MSG carries (one SCM_RIGHTS, at most FDS_MAX) into FDS:
 * their number, 0 for none, or -1 for a message not as cutover sends it.
 * No length in it is trusted (tests/fuzz/fuzz_handoff.c).
 */
static int
handed_fds(struct msghdr *msg, int *fds)
{
	struct cmsghdr *cm;
	size_t n, room = msg->msg_controllen;
	int found = 0;

	for (cm = CMSG_FIRSTHDR(msg); cm != NULL; cm = CMSG_NXTHDR(msg, cm)) {
		/* CMSG_FIRSTHDR does not check the first length */
		if (cm->cmsg_len < CMSG_LEN(0) || cm->cmsg_len >
		    room - (size_t)((char *)cm - (char *)msg->msg_control))
			return -1;
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (found > 0 || n > FDS_MAX)
			return -1;
		memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
		found = (int)n;
	}
	return found;
}

/* The sockets the offer sends; their number. */
static size_t
receive(int fd, int *fds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * FDS_MAX)], c = 0;
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct timeval limit = { 5, 0 };
	struct ucred peer;
	socklen_t len = sizeof(peer);
	int n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) == -1)
		fail("cannot tell who offers the socket: %s", strerror(errno));
	if (peer.uid != 0)
		fail("the handoff socket is offered by uid %lu, not root",
		    (unsigned long)peer.uid);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
	if (recvmsg(fd, &msg, MSG_CMSG_CLOEXEC) != 1 || c != 'h')
		fail("no handoff message from cutover within 5 s");
	if (msg.msg_flags & MSG_CTRUNC)
		fail("more sockets were sent than %d", FDS_MAX);
	if ((n = handed_fds(&msg, fds)) <= 0)
		fail("cutover's handoff message carried no socket, or not "
		    "as cutover sends them");
	return (size_t)n;
}

/* Why FD is not a listening TCP socket, or NULL when it is one. */
static const char *
socket_unfit(int fd)
{
	int v = 0, domain = 0;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == -1 || !v)
		return "is not listening";
	len = sizeof(domain);
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) == -1 ||
	    (domain != AF_INET && domain != AF_INET6))
		return "is not an IP socket";
	len = sizeof(v);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == -1 ||
	    v != SOCK_STREAM)
		return "is not a stream socket";
	return NULL;
}

/*
 * NOTIFY_SOCKET's address (a path, or "@name" in the abstract namespace)
 * in SA; its length, or 0 when there is none that fits.
 */
static socklen_t
notify_address(const char *notify, struct sockaddr_un *sa)
{
	size_t len;

	if (notify == NULL || (notify[0] != '/' && notify[0] != '@') ||
	    (len = strlen(notify)) >= sizeof(sa->sun_path))
		return 0;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	memcpy(sa->sun_path, notify, len);
	if (notify[0] == '@')
		sa->sun_path[0] = '\0';
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
	    (notify[0] == '/'));
}

/* One sd_notify(3) message, TEXT, with the N descriptors FDS (or none). */
static int
notify_send(int sock, const struct sockaddr_un *sa, socklen_t salen,
    const char *text, const int *fds, size_t n)
{
	char cbuf[CMSG_SPACE(sizeof(int) * FDS_MAX)];
	struct iovec iov = { (void *)text, strlen(text) };
	struct msghdr msg = { .msg_name = (void *)sa, .msg_namelen = salen,
	    .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (n > 0) {
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * n);
	}
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == -1 ? -1 : 0;
}

/*
 * Give systemd the N handed sockets FDS to keep, in place of what it kept
 * before (FDSTOREREMOVE=1, then FDSTORE=1), so that a restart of the unit
 * hands them back.  Not a failure when it cannot: the server still gets
 * them now, and a restart then binds afresh, as without the store.
 */
static void
fdstore_replace(const char *notify, const int *fds, size_t n)
{
	struct sockaddr_un sa;
	socklen_t salen;
	int sock;

	if ((salen = notify_address(notify, &sa)) == 0) {
		fprintf(stderr, "%s: systemd keeps no copy of the sockets (no "
		    "NOTIFY_SOCKET: the unit lacks NotifyAccess=exec), so a "
		    "restart of it binds them afresh\n", prog);
		return;
	}
	if ((sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    notify_send(sock, &sa, salen, "FDSTOREREMOVE=1\nFDNAME="
	    FDSTORE_NAME, NULL, 0) == -1 ||
	    notify_send(sock, &sa, salen, "FDSTORE=1\nFDNAME=" FDSTORE_NAME,
	    fds, n) == -1)
		fprintf(stderr, "%s: cannot give the sockets to systemd to keep "
		    "(%s), so a restart of the unit binds them afresh\n", prog,
		    strerror(errno));
	if (sock != -1)
		close(sock);
}

/* FDS at 3, 4, ..., inheritable; everything else above them closed. */
static void
place(int *fds, size_t n)
{
	size_t i;

	/* first out of the way of 3..3+n, then down into place */
	for (i = 0; i < n; i++)
		if ((fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3 + (int)n)) == -1)
			fail("cannot move a socket: %s", strerror(errno));
	for (i = 0; i < n; i++)
		if (dup2(fds[i], 3 + (int)i) == -1)
			fail("cannot place a socket at fd %zu: %s", 3 + i,
			    strerror(errno));
}

static void
announce(const char *how, size_t n)
{
	char v[64] = "";
	size_t i, len = 0;

	if (strcmp(how, "nginx") == 0) {
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(v + len, sizeof(v) - len, "%zu;",
			    3 + i);
		if (setenv("NGINX", v, 1) == -1)
			fail("setenv: %s", strerror(errno));
		return;
	}
	snprintf(v, sizeof(v), "%zu", n);
	if (setenv("LISTEN_FDS", v, 1) == -1)
		fail("setenv: %s", strerror(errno));
	snprintf(v, sizeof(v), "%ld", (long)getpid());
	if (setenv("LISTEN_PID", v, 1) == -1)
		fail("setenv: %s", strerror(errno));
}

/*
 * No capability left, in any set: the ambient set the unit gave (which
 * would pass to the server at its exec), then effective, permitted and
 * inheritable.  The bounding set needs a capability to change, and the
 * unit's NoNewPrivileges= keeps an exec from gaining any.
 */
static void
drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];

	memset(none, 0, sizeof(none));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 ||
	    syscall(SYS_capset, &hdr, none) == -1)
		fail("cannot drop the capabilities: %s", strerror(errno));
}

/* The handed sockets placed and announced, then the server in this process. */
static void __attribute__((noreturn))
run_handed(char **argv, const char *how, const char *unit, int *fds,
    size_t n, const char *from)
{
	place(fds, n);
	announce(how, n);
	fprintf(stderr, "%s: %s takes over %zu listening socket%s from "
	    "%s (fd 3%s)\n", prog, unit, n, n > 1 ? "s" : "", from,
	    n > 1 ? " on" : "");
	run(argv);
}

/*
 * TEXT, a pid file's, names PID: its decimal digits as the server writes
 * them (no sign, blank or leading zero: strtol took all three), then a
 * newline or nothing.
 */
static int
pid_text_names(const char *text, pid_t pid)
{
	char *end;
	long v;

	if (text[0] < '1' || text[0] > '9')
		return 0;
	errno = 0;
	v = strtol(text, &end, 10);
	return errno == 0 && v == (long)pid &&
	    (*end == '\0' || strcmp(end, "\n") == 0);
}

/*
 * How many sockets systemd passed this process from its fd store
 * (sd_listen_fds(3)): LISTEN_FDS when LISTEN_PID names PID, else 0 (none,
 * or another process's); -1 when LISTEN_FDS is not a number from 1 to
 * FDS_MAX.  Pure, for the tests.
 */
static int
stored_count(const char *listen_fds, const char *listen_pid, pid_t pid)
{
	char *end;
	long n;

	if (listen_fds == NULL || listen_pid == NULL ||
	    !pid_text_names(listen_pid, pid))
		return 0;
	if (listen_fds[0] < '1' || listen_fds[0] > '9')
		return -1;
	errno = 0;
	n = strtol(listen_fds, &end, 10);
	if (errno != 0 || *end != '\0' || n > FDS_MAX)
		return -1;
	return (int)n;
}

/*
 * Whether PIDFILE, a regular file, holds PID (a decimal number, a newline
 * or nothing after it).  A pid file left from an earlier server names
 * another pid; one that happened to name this one would only end the wait
 * early, and systemd would still read the right main PID from it.  Not a
 * link, and opened without blocking: a server that runs as another user
 * (issue 32) may own the file, and nothing else of it is read.
 */
static int
pidfile_names(const char *pidfile, pid_t pid)
{
	char buf[32];
	struct stat st;
	ssize_t len = -1;
	int fd;

	if ((fd = open(pidfile, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return 0;
	buf[len] = '\0';
	return pid_text_names(buf, pid);
}

/*
 * Until the server, CHILD, has written its pid to PIDFILE: then it is up
 * (nginx writes it once its configuration is loaded and the sockets are
 * its own), and this process's exit lets systemd read it as the main PID.
 */
static void
await_pidfile(pid_t child, const char *server, const char *pidfile)
{
	const struct timespec tick = { 0, 10 * 1000 * 1000 };
	int i, status;

	for (i = 0; i < PIDFILE_WAIT_S * 100; i++) {
		if (pidfile_names(pidfile, child))
			return;
		if (waitpid(child, &status, WNOHANG) == child) {
			if (WIFEXITED(status))
				fail("%s exited with status %d before it wrote "
				    "its pid to %s", server, WEXITSTATUS(status),
				    pidfile);
			fail("%s was killed by signal %d before it wrote its "
			    "pid to %s", server, WTERMSIG(status), pidfile);
		}
		nanosleep(&tick, NULL);
	}
	fail("%s did not write its pid %ld to %s within %d s", server,
	    (long)child, pidfile, PIDFILE_WAIT_S);
}

/*
 * Type=forking: the server in a child of its own session, as a server
 * that daemonized itself is; this process exits 0 once PIDFILE names it.
 */
static void __attribute__((noreturn))
run_forked(char **argv, const char *how, const char *unit, int *fds,
    size_t n, const char *from, const char *pidfile)
{
	pid_t child;
	size_t i;

	if ((child = fork()) == -1)
		fail("fork: %s", strerror(errno));
	if (child == 0) {
		(void)setsid();         /* as nginx daemonizing itself would */
		run_handed(argv, how, unit, fds, n, from);
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	await_pidfile(child, argv[0], pidfile);
	exit(0);
}

/*
 * The sockets cutover's offer, OFFER, hands: received, checked, and the
 * step told they arrived (it then stops offering them).  Their number.
 */
static size_t
take_offer(int offer, int *fds)
{
	size_t i, n = receive(offer, fds);
	const char *why;

	for (i = 0; i < n; i++)
		if ((why = socket_unfit(fds[i])) != NULL)
			fail("a handed socket %s", why);
	(void)send(offer, "k", 1, MSG_NOSIGNAL);
	close(offer);
	return n;
}

/*
 * The N sockets systemd kept for the unit, at fd 3, 4, ... (sd_listen_fds)
 * into FDS, each checked as a handed one is.
 */
static void
take_stored(int *fds, size_t n)
{
	const char *why;
	size_t i;

	for (i = 0; i < n; i++) {
		fds[i] = 3 + (int)i;
		if ((why = socket_unfit(fds[i])) != NULL)
			fail("a socket systemd kept for the unit (its fd store) %s: "
			    "stop the unit, which empties the store, and start it "
			    "again", why);
	}
}

/*
 * The sockets to run the server on, into FDS, and whose they are in
 * *FROM: a pending handoff's (given to systemd to keep, in place of what
 * it kept), else the NSTORED systemd kept.  Their number; 0 for none.
 */
static size_t
sockets_to_hand(const char *unit, const char *notify, int nstored,
    int *fds, const char **from)
{
	int offer, i;
	size_t n;

	if ((offer = connect_offer(unit)) == -1) {
		*from = "systemd's fd store";
		take_stored(fds, (size_t)nstored);
		return (size_t)nstored;
	}
	/* a new handoff: what the store kept gives way to it */
	for (i = 0; i < nstored; i++)
		close(3 + i);
	n = take_offer(offer, fds);
	fdstore_replace(notify[0] ? notify : NULL, fds, n);
	*from = "cutover";
	return n;
}

/*
 * systemd's variables are for this process, not the server's: the server
 * is told of its sockets its own way (announce), and nginx runs with the
 * environment Debian's unit gives it (NotifyAccess= is the helper's).
 */
static void
unsetenv_systemd(const char *how)
{
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDNAMES");
	if (strcmp(how, "nginx") == 0)
		unsetenv("NOTIFY_SOCKET");
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: %s [-N] [-p /absolute/pidfile] nginx|systemd UNIT "
	    "/absolute/server [ARG...]\n", prog);
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *pidfile = NULL, *from;
	char notify[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fds[FDS_MAX], nstored;
	size_t n;
	bool no_caps = false;

	if (argc > 1 && strcmp(argv[1], "-N") == 0) {
		no_caps = true;
		argc--;
		argv++;
	}
	if (argc > 2 && strcmp(argv[1], "-p") == 0) {
		pidfile = argv[2];
		if (pidfile[0] != '/')
			usage();
		argc -= 2;
		argv += 2;
	}
	if (argc < 4 || (strcmp(argv[1], "nginx") != 0 &&
	    strcmp(argv[1], "systemd") != 0) || !unit_ok(argv[2]) ||
	    argv[3][0] != '/')
		usage();
	if (no_caps && (getuid() == 0 || geteuid() == 0))
		fail("-N is for a server that runs as its own user, but this "
		    "runs as root: give the unit User=, or leave -N out");
	/* systemd's words, read before they are taken from the server */
	if (snprintf(notify, sizeof(notify), "%s", getenv("NOTIFY_SOCKET") ?
	    getenv("NOTIFY_SOCKET") : "") >= (int)sizeof(notify))
		notify[0] = '\0';
	if ((nstored = stored_count(getenv("LISTEN_FDS"),
	    getenv("LISTEN_PID"), getpid())) == -1)
		fail("systemd passed LISTEN_FDS=%s, not 1 to %d sockets",
		    getenv("LISTEN_FDS"), FDS_MAX);
	unsetenv_systemd(argv[1]);
	if ((n = sockets_to_hand(argv[2], notify, nstored, fds, &from)) == 0)
		run(argv + 3);          /* nothing handed or kept: as it is */
	if (no_caps)
		drop_capabilities();
	if (pidfile != NULL)
		run_forked(argv + 3, argv[1], argv[2], fds, n, from, pidfile);
	run_handed(argv + 3, argv[1], argv[2], fds, n, from);
}
