/*
 * devlog-listen.c - a stand-in syslog daemon for the system tests:
 *
 *   devlog-listen SOCKETPATH OUTFILE [CREDFILE]
 *
 * binds a SOCK_DGRAM unix socket at SOCKETPATH (mode 0666, so cutover
 * running as any user can send) and appends every datagram it receives,
 * followed by "\n", to OUTFILE, one write() each, until SIGTERM or SIGINT
 * (and, with CREDFILE, the sender's credentials as the kernel gives them,
 * "uid=U gid=G pid=P", one line per datagram: what journald shows as
 * _UID, _GID and _PID);
 * then it removes SOCKETPATH and exits 0.  CI machines often have no
 * syslog daemon, and so no /dev/log.
 *
 * Ready means the socket is there: it is bound under a temporary name and
 * renamed to SOCKETPATH, so a test can wait for `[ -S SOCKETPATH ]` and
 * never send before anyone listens.  An existing SOCKETPATH is replaced
 * only when nothing listens on it (no socket behind it, or a dead one,
 * e.g. /dev/log -> a journald socket of a stopped journald); a live
 * socket is left alone and the tool exits 1.  The replaced path is not
 * restored at exit: the test that started it owns that.
 *
 * Daemon-friendly: no stdio buffering (write(2) only), stdin and stdout
 * are pointed at /dev/null once running, and errors go to stderr (which
 * the tests redirect to a file) before exiting 1.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* More than the largest datagram a unix socket takes by default. */
#define DATAGRAM_MAX (1024 * 1024)

static volatile sig_atomic_t stop;

static void
on_stop(int signo)
{
	(void)signo;
	stop = 1;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n > sizeof(msg) - 2)
		n = sizeof(msg) - 2;
	msg[n++] = '\n';
	if (write(2, "devlog-listen: ", 15) == -1 || write(2, msg, n) == -1)
		_exit(1);
	_exit(1);
}

static void
fill_addr(struct sockaddr_un *sa, const char *path)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		die("%s: path too long for a unix socket", path);
	strcpy(sa->sun_path, path);
}

/* Does something listen at PATH?  (A connect that works says yes.) */
static int
in_use(const char *path)
{
	struct sockaddr_un sa;
	int fd, rc;

	fill_addr(&sa, path);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (rc == -1 && errno == EPROTOTYPE)
		rc = 0;         /* a live stream socket */
	if (rc == -1 && errno != ENOENT && errno != ECONNREFUSED)
		rc = 0;         /* not a dead socket: leave it alone */
	close(fd);
	return rc == 0;
}

/* Bind at a temporary name, then rename onto PATH: ready when there. */
static int
bind_at(const char *path, const char *tmp)
{
	struct sockaddr_un sa;
	int fd;

	fill_addr(&sa, tmp);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		die("socket: %s", strerror(errno));
	unlink(tmp);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		die("bind %s: %s", tmp, strerror(errno));
	if (chmod(tmp, 0666) == -1 || rename(tmp, path) == -1) {
		unlink(tmp);
		die("%s: %s", path, strerror(errno));
	}
	return fd;
}

static void
quiet_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd == -1 || dup2(fd, 0) == -1 || dup2(fd, 1) == -1)
		die("/dev/null: %s", strerror(errno));
	if (fd > 2)
		close(fd);
}

/* Wait for a datagram or a stop signal, atomically: no lost SIGTERM. */
static int
wait_readable(int sock, const sigset_t *unblocked)
{
	struct pollfd p = { .fd = sock, .events = POLLIN };

	if (ppoll(&p, 1, NULL, unblocked) == -1) {
		if (errno == EINTR)
			return 0;
		die("poll: %s", strerror(errno));
	}
	return 1;
}

/* The sender's credentials of the datagram MH carried, to CREDS. */
static void
write_creds(int creds, struct msghdr *mh)
{
	struct ucred cred = { 0, (uid_t)-1, (gid_t)-1 };
	struct cmsghdr *cm;
	char line[96];
	int n;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_CREDENTIALS)
			memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
	n = snprintf(line, sizeof(line), "uid=%ld gid=%ld pid=%ld\n",
	    (long)(int)cred.uid, (long)(int)cred.gid, (long)cred.pid);
	if (write(creds, line, (size_t)n) != n)
		die("write: %s", strerror(errno));
}

static void
copy_datagrams(int sock, int out, int creds, const sigset_t *unblocked)
{
	static char buf[DATAGRAM_MAX + 1];
	char cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, DATAGRAM_MAX };
	struct msghdr mh;
	ssize_t n;

	while (!stop) {
		if (!wait_readable(sock, unblocked))
			continue;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		n = recvmsg(sock, &mh, MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == -1)
			die("recv: %s", strerror(errno));
		buf[n] = '\n';
		if (write(out, buf, (size_t)n + 1) != n + 1)
			die("write: %s", strerror(errno));
		if (creds != -1)
			write_creds(creds, &mh);
	}
}

int
main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_stop };
	sigset_t stops, unblocked;
	char tmp[256];
	struct stat bound, now;
	int sock, out, creds = -1, on = 1;

	if (argc != 3 && argc != 4)
		die("usage: devlog-listen SOCKETPATH OUTFILE [CREDFILE]");
	sigemptyset(&stops);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGINT);
	/* Blocked except inside ppoll(): a stop is never missed. */
	if (sigprocmask(SIG_BLOCK, &stops, &unblocked) == -1)
		die("sigprocmask: %s", strerror(errno));
	sigdelset(&unblocked, SIGTERM);
	sigdelset(&unblocked, SIGINT);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	out = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (out == -1)
		die("%s: %s", argv[2], strerror(errno));
	if (argc == 4 && (creds = open(argv[3], O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC, 0644)) == -1)
		die("%s: %s", argv[3], strerror(errno));
	if (in_use(argv[1]))
		die("%s: something listens there already", argv[1]);
	snprintf(tmp, sizeof(tmp), "%s.devlog-listen-%ld", argv[1],
	    (long)getpid());
	sock = bind_at(argv[1], tmp);
	if (creds != -1 && setsockopt(sock, SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)) == -1)
		die("SO_PASSCRED: %s", strerror(errno));
	if (lstat(argv[1], &bound) == -1)
		die("%s: %s", argv[1], strerror(errno));
	quiet_stdio();
	copy_datagrams(sock, out, creds, &unblocked);
	/* Remove the socket only if it is still ours. */
	if (lstat(argv[1], &now) == 0 && now.st_dev == bound.st_dev &&
	    now.st_ino == bound.st_ino)
		unlink(argv[1]);
	return 0;
}
