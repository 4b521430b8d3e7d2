/*
 * transaction.c - the process every action runs in, out of the caller's
 * reach, and the children it runs each step in (transaction.h says which
 * process is which).
 *
 * Why a transaction at all: a process that runs with the caller's real
 * uid can be stopped, killed, reniced or given limits by the caller at
 * any instant (kill(2), prlimit(2), setpriority(2) all let a user act on
 * a process whose real uid is theirs).  An action so interrupted is the
 * half-done switch cutover exists to prevent: a holder signalled and no
 * outcome recorded, a launch child frozen before its exec and let go
 * later.  So the ids change before the fork, the transaction never has
 * the caller's, and each step runs as the step user, who is not the
 * caller either.  What the caller keeps is their own process, the front:
 * it only relays.
 *
 * Socket handoff: a take-port step (a switch's overlap: nothing is
 * signalled) or a free-port step with a handoff port (before it signals
 * the holders) takes a copy of each listening socket the old holders have
 * on its port (release.c) and sends them here; a switch takes each of its
 * site's ports so, and the next start hands them all on.  Where none came
 * for a port, the transaction binds that port itself (txn_hold_port),
 * after a free-port trying every 100 us once the holders are signalled.
 */
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper/act/svc/svc.h"
#include "helper/act/systemd.h"
#include "helper/exitcodes.h"
#include "helper/front/hygiene.h"
#include "helper/act/holders.h"
#include "helper/act/served.h"
#include "helper/lib/clock.h"
#include "helper/lib/sockport.h"
#include "helper/priv/privilege.h"
#include "policy/strbuf.h"
#include "helper/act/transaction.h"

#define SLACK      10.0         /* seconds a step may take beyond its own */
/* The transaction's and its steps' oom_score_adj: after everything but
   what root protects most (sshd -1000); systemd's own units use -900 */
#define TXN_OOM_SCORE_ADJ (-800)

/* ---- reports to the front --------------------------------------------- */

/*
 * One line for the front: 'O' stdout, 'E' stderr, 'J' stdout as it is
 * (JSON, whose encoder leaves no control byte), 'j' the same without its
 * newline (a piece of a JSON line too long for one report), 'X' the exit
 * status.
 * Escaped here (sb_printable), so that a newline in what a message quotes
 * can't make a line of its own (a fake 'X0'); the front escapes again at
 * its sink, which changes nothing.  Written whole or not at all (below
 * PIPE_BUF, non-blocking): a front that does not read loses lines, never
 * stalls the transaction.
 */
void
txn_tell(struct txn *t, char kind, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char line[TXN_LINE_MAX], *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((kind == 'J' || kind == 'j') && strchr(text, '\n') == NULL)
		sb_puts(&sb, text);
	else
		sb_printable(&sb, text);
	free(text);
	n = snprintf(line, sizeof(line) - 1, "%c%s", kind, sb_failed(&sb) ?
	    "(out of memory)" : sb_str(&sb));
	sb_free(&sb);
	if (n < 0)
		return;
	n = (int)strlen(line);
	line[n++] = '\n';
	(void)!write(t->msgfd, line, (size_t)n);
}

void
txn_tell_json(struct txn *t, const char *json)
{
	size_t len = strlen(json), piece, max = TXN_LINE_MAX - 16;

	while (len > max) {
		/* never inside a UTF-8 sequence: the front prints bytes */
		for (piece = max; piece > 0 &&
		    ((unsigned char)json[piece] & 0xC0) == 0x80; piece--)
			;
		txn_tell(t, 'j', "%.*s", (int)piece, json);
		json += piece;
		len -= piece;
	}
	txn_tell(t, 'J', "%s", json);
}

bool
txn_abort_asked(struct txn *t)
{
	char c;

	/* Always read: a second request must not stay pending (poll). */
	if (!t->front_gone) {
		ssize_t n = read(t->ctlfd, &c, 1);

		if (n == 1)
			t->aborted = true;
		else if (n == 0)
			t->front_gone = true;
	}
	return t->aborted;
}

/* ---- audit records ------------------------------------------------------- */

int
txn_record(struct txn *t, const char *step, const char *outcome,
    const char *reason, const struct step_result *res, double seconds,
    char *why, size_t whylen)
{
	struct audit_entry e = { .stage = step ? AUDIT_STEP : AUDIT_OUTCOME,
	    .step = step, .reason = reason, .outcome = outcome,
	    .seconds = seconds };

	if (res != NULL) {
		e.pids = res->pids;
		e.npids = res->npids;
		e.user = res->user;
	}
	return audit_record(t->log, t->base, &e, why, whylen);
}

/* ---- the handed-off socket ---------------------------------------------- */

/*
 * A listening socket on [::]:PORT, dual-stack (what apache2's "Listen
 * PORT" makes, and what nginx's "listen [::]:PORT ipv6only=off" asks
 * for), or on 0.0.0.0:PORT where there is no IPv6; -1 while the port is
 * taken.
 */
static int
bind_port(int port)
{
	struct sockaddr_in6 six = { .sin6_family = AF_INET6,
	    .sin6_port = htons((uint16_t)port), .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in four = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_ANY) };
	struct sockaddr *sa = (struct sockaddr *)&six;
	socklen_t salen = sizeof(six);
	int fd, one = 1, off = 0;

	if ((fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			return -1;
		sa = (struct sockaddr *)&four;
		salen = sizeof(four);
	} else if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
	    sizeof(off)) == -1) {
		close(fd);
		return -1;
	}
	/* TIME_WAIT connections of the old holder must not block it. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, sa, salen) == -1 || listen(fd, 511) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

bool
txn_has_port(const struct txn *t, int port)
{
	size_t i;

	for (i = 0; i < t->nsocks; i++)
		if (socket_local_port(t->socks[i]) == port)
			return true;
	return false;
}

int
txn_hold_port(struct txn *t, int port)
{
	int fd;

	if (txn_has_port(t, port))
		return 0;
	if (t->nsocks == STOP_SOCKETS_MAX) {
		errno = EMFILE;
		return -1;
	}
	if ((fd = bind_port(port)) == -1)
		return -1;
	t->socks[t->nsocks++] = fd;
	return 0;
}

void
txn_close_socks(struct txn *t)
{
	while (t->nsocks > 0)
		close(t->socks[--t->nsocks]);
}

/*
 * A start is handing T's sockets on: keep a copy of each, for the
 * switch's life, unless one of the same socket is kept already.  Each
 * is one of T->taken too (a socket the transaction bound itself is not
 * yet): the stops after this one let it listen on, and judge who holds
 * it, as they do the old service's.
 */
static void
keep_handed(struct txn *t)
{
	struct stat a, b;
	size_t i, j;
	int fd;

	for (i = 0; i < t->nsocks && t->nhanded < STOP_SOCKETS_MAX; i++) {
		if (fstat(t->socks[i], &a) == -1)
			continue;
		for (j = 0; j < t->nhanded; j++)
			if (fstat(t->handed[j], &b) == 0 && b.st_ino == a.st_ino)
				break;
		if (j == t->nhanded &&
		    (fd = fcntl(t->socks[i], F_DUPFD_CLOEXEC, 3)) != -1)
			t->handed[t->nhanded++] = fd;
		for (j = 0; j < t->taken.n &&
		    t->taken.inode[j] != (unsigned long)a.st_ino; j++)
			;
		if (j == t->taken.n && t->taken.n < STOP_SOCKETS_MAX)
			t->taken.inode[t->taken.n++] = (unsigned long)a.st_ino;
	}
}

void
txn_revoke_handed(struct txn *t, const char *old_name)
{
	size_t n = t->nhanded;

	if (n == 0)
		return;
	txn_tell(t, 'E', "cutover: shutting down the listening socket%s "
	    "handed on (for every process that holds %s), so that %s binds "
	    "afresh", n > 1 ? "s" : "", n > 1 ? "them" : "it", old_name);
	while (t->nhanded > 0) {
		/* ENOTCONN: no longer listening (nothing to stop) */
		(void)shutdown(t->handed[t->nhanded - 1], SHUT_RDWR);
		close(t->handed[--t->nhanded]);
	}
}

/* In a step's process: the transaction's copies are none of its business. */
static void
forget_handed(struct txn *t)
{
	while (t->nhanded > 0)
		close(t->handed[--t->nhanded]);
}

/*
 * The transaction does not take its step's word for the sockets it was
 * sent: each that came from FIRST on is judged again here, as root
 * (stop_socket_fit, and stop_sockets_fit for them together), against
 * the old service OLD and the step's PORT, and
 * when one is unfit none is kept, of any port - the site's ports are then
 * bound anew, as when the step handed none over: a site is never half
 * handed.
 */
static void
judge_socks(struct txn *t, size_t first, const struct service *old, int port)
{
	struct holder_ids ids;
	char why[256];
	size_t i;

	if (svc_identity(old, &ids, why, sizeof(why)) == 0) {
		for (i = first; i < t->nsocks; i++)
			if (stop_socket_fit(t->socks[i], port, &ids, why,
			    sizeof(why)) == -1)
				break;
		/* each fit, and together the port's socket or pair */
		if (i == t->nsocks && stop_sockets_fit(t->socks + first,
		    t->nsocks - first, why, sizeof(why)) == 0)
			return;
	}
	txn_close_socks(t);
	txn_tell(t, 'E', "cutover: the old listening socket is not used (%s): "
	    "cutover binds its own", why);
}

/* The inodes of the sockets kept: stops let them listen on. */
static void
note_taken(struct txn *t)
{
	struct stat st;
	size_t i;

	t->taken.n = 0;
	for (i = 0; i < t->nsocks; i++)
		if (fstat(t->socks[i], &st) == 0)
			t->taken.inode[t->taken.n++] = (unsigned long)st.st_ino;
}

/*
 * One note of the take-port or free-port step S: 't' with the old holders' listening
 * sockets (kept for the new service, once judged), or 's' once they are
 * signalled.  Returns the note's letter, 0 if there was none.
 */
static char
take_note(struct txn *t, const struct txn_step *s, int from)
{
	char cbuf[CMSG_SPACE(sizeof(int) * STOP_SOCKETS_MAX)], c = 0;
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	size_t i, n, first = t->nsocks;
	int fds[STOP_SOCKETS_MAX];
	/* a socket that could not be kept: the port would be half handed */
	bool dropped;

	if (recvmsg(from, &msg, MSG_CMSG_CLOEXEC) != 1)
		return 0;
	dropped = (msg.msg_flags & MSG_CTRUNC) != 0;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
		for (i = 0; i < n; i++)
			if (c == 't' && t->nsocks < STOP_SOCKETS_MAX)
				t->socks[t->nsocks++] = fds[i];
			else {
				dropped |= c == 't';
				close(fds[i]);
			}
	}
	if (c == 't' && dropped) {
		txn_close_socks(t);
		txn_tell(t, 'E', "cutover: the old listening sockets are not "
		    "used (more than %d in all): cutover binds its own",
		    STOP_SOCKETS_MAX);
	} else if (c == 't' && t->nsocks > first && s->svc != NULL)
		judge_socks(t, first, s->svc, s->handoff_port);
	else if (c == 't' && s->svc == NULL)
		txn_close_socks(t);     /* no old service to judge them by */
	note_taken(t);
	/* the sockets' old service: one of the few that may hold them */
	t->taken.plan[0] = s->svc;
	t->taken.nplan = s->svc != NULL;
	return c;
}

/* ---- running one step ------------------------------------------------------ */

/* What a step sends back: one write, fixed size, no pointers. */
struct step_out {
	struct step_result res;
	struct verify_result vr;
	struct served_look look;        /* DO_LOOK */
};

/*
 * Below PIPE_BUF, the write is atomic: a step killed half-way (a check
 * whose server made it crash) cannot leave the transaction reading half a
 * result.
 */
_Static_assert(sizeof(struct step_out) <= PIPE_BUF,
    "a step's result must fit one atomic pipe write");

static double
stop_deadline(const struct service *svc)
{
	return (svc->drain_signal ? svc->drain_timeout : 0) + svc->stop_timeout +
	    2.0 + SLACK;
}

/* How long S may take before it is killed: its own timeouts + slack. */
static double
deadline_of(const struct txn_step *s)
{
	double d = 0;
	size_t i;

	switch (s->kind) {
	case DO_TAKE_PORT:
		return SLACK;
	case DO_FREE_PORT:
		for (i = 0; i < s->grant->nholders; i++)
			if (stop_deadline(s->grant->holders[i]) > d)
				d = stop_deadline(s->grant->holders[i]);
		return d > 0 ? d : SLACK;
	case DO_STOP:
		return stop_deadline(s->svc);
	case DO_START:
		/* a unit's failed start is followed by its stop (unit.c) */
		return (s->svc->start_timeout > 0 ? s->svc->start_timeout :
		    10.0) + SLACK + (s->svc->unit != NULL ?
		    stop_deadline(s->svc) : 0);
	case DO_VERIFY:
		return s->check->within + s->check->timeout + SLACK;
	case DO_BOOT:
		return 2 * SLACK;       /* unit files and a reload, twice */
	case DO_PAUSE:
	case DO_RESUME:
	case DO_LOOK:
		return SLACK;
	}
	return SLACK;
}

/* In the step's own process: do it, send the result back, exit. */
static void __attribute__((noreturn))
step_child(struct txn *t, const struct txn_step *s, int resfd, int notifyfd)
{
	struct verify_identity who = { (uid_t)-1, (gid_t)-1, NULL, 0 };
	struct step_out out;
	char oom_why[128];

	memset(&out, 0, sizeof(out));
	/* a check's fetch runs as the check user, with no group but its own */
	(void)privilege_check_user(&who.uid, &who.gid);
	/* Nothing of the transaction's but what this step needs. */
	audit_log_close(t->log);
	/*
	 * A step that acts keeps its copies of the locks (flock: they stay
	 * held while any copy is open, and its exec'd service gets none:
	 * O_CLOEXEC): were the transaction killed, the step would finish on
	 * its own, and the next request's recovery (switch/recover.c) must
	 * not act beside it.  Its deadline's alarm ends it in any case, so
	 * an orphan cannot hold them for long.  A check's step runs as the
	 * check user: nothing of root's stays with it.
	 */
	if (s->kind == DO_VERIFY || s->kind == DO_LOOK)
		locks_forget(&t->locks);
	else
		alarm((unsigned)deadline_of(s) + 2 * (unsigned)SLACK);
	port_guard_close(&t->guard);    /* the guard is the transaction's:
	                                   a check's step runs as the check
	                                   user */
	close(t->msgfd);
	close(t->ctlfd);
	if (!s->handoff)
		txn_close_socks(t);
	forget_handed(t);
	/*
	 * A check's fetch, and a service this step starts, as anyone's:
	 * set here, while root, so that the floor (oom_score_adj_min) is 0
	 * too - a child that raised it without privilege could lower itself
	 * to the transaction's again.
	 */
	if (s->kind == DO_VERIFY || s->kind == DO_START)
		(void)hygiene_oom_score_adj(0, oom_why, sizeof(oom_why));
	switch (s->kind) {
	case DO_TAKE_PORT:
		action_take_port(s->grant, notifyfd, &out.res);
		break;
	case DO_FREE_PORT:
		action_free_port(s->grant, notifyfd, &out.res);
		break;
	case DO_STOP:
		action_stop(s->svc, s->keep_taken ? &t->taken : NULL, &out.res);
		break;
	case DO_START:
		action_start(s->svc, s->handoff ? t->socks : NULL,
		    s->handoff ? t->nsocks : 0, s->handoff ? &t->taken : NULL,
		    s->resumed, &out.res);
		break;
	case DO_VERIFY:
		action_verify(s->check, &who, &out.vr, &out.res);
		break;
	case DO_BOOT:
		action_boot(s->boot, s->boot_state, s->nboot, s->queue,
		    &out.res);
		break;
	case DO_PAUSE:
	case DO_RESUME:
		action_pause(s->svc, s->ports, s->nports, s->kind == DO_RESUME,
		    &out.res);
		break;
	case DO_LOOK:
		/* the transaction forked it: its copies of handed sockets */
		action_look(s->served_by, s->paused, s->check->port, getppid(),
		    &out.look, &out.res);
		break;
	}
	out.res.systemd_lost = systemd_lost();
	(void)!write(resfd, &out, sizeof(out));
	_exit(0);
}

/* Read the step's result whole; false if it did not come whole. */
static bool
read_out(int fd, struct step_out *out)
{
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*out)) {
		n = read(fd, (char *)out + got, sizeof(*out) - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/*
 * Wait for the step's result until its deadline; meanwhile, for a
 * free-port with a handoff, bind the port as soon as it is let go, and
 * take note of an abort request: a check is cut short by it (it changes
 * nothing), any other step is let finish, so that what follows starts
 * from a known state.  Returns how the wait ended, for the text of a
 * step that sent no result.
 */
static const char *
step_wait(struct txn *t, const struct txn_step *s, int resfd, int notifyfd,
    struct step_out *out)
{
	double deadline = deadline_of(s), end = monotonic_seconds() + deadline;
	/* A gone front's pipe stays at EOF: polled, it would spin. */
	struct pollfd pfd[3] = { { resfd, POLLIN, 0 },
	    { t->front_gone ? -1 : t->ctlfd, POLLIN, 0 },
	    { notifyfd, POLLIN, 0 } };
	bool signalled = false;

	for (;;) {
		/*
		 * Once the holders are signalled, try to bind every 100 us:
		 * a client that comes between the old holder's close and our
		 * listen is refused, so that gap must be as short as can be.
		 */
		struct timespec wait = signalled &&
		    !txn_has_port(t, s->handoff_port) ?
		    (struct timespec){ 0, 100 * 1000L } :
		    (struct timespec){ 0, 100 * 1000 * 1000L };

		if (monotonic_seconds() >= end)
			return "did not finish within its deadline; its process "
			    "was killed";
		if (ppoll(pfd, notifyfd != -1 ? 3 : 2, &wait, NULL) == -1 &&
		    errno != EINTR)
			return "could not be waited for";
		if ((pfd[1].revents & POLLIN) && txn_abort_asked(t) &&
		    s->kind == DO_VERIFY)
			return "aborted by the caller during the check";
		if (pfd[1].revents & POLLHUP) {
			t->front_gone = true;   /* no more aborts can come */
			pfd[1].fd = -1;
		}
		if (notifyfd != -1 && (pfd[2].revents & POLLIN) &&
		    take_note(t, s, notifyfd) == 's')
			signalled = true;
		if (signalled && s->handoff_port > 0)
			(void)txn_hold_port(t, s->handoff_port);
		if (pfd[0].revents & (POLLIN | POLLHUP))
			return read_out(resfd, out) ? NULL : "its process ended "
			    "without a result";
	}
}

/* Fork the step's process, with its result pipe and its notes' socket. */
static pid_t
step_fork(struct txn *t, const struct txn_step *s, int resp[2], int notp[2])
{
	pid_t pid;

	resp[0] = resp[1] = notp[0] = notp[1] = -1;
	if (pipe2(resp, O_CLOEXEC) == -1)
		return -1;
	if (s->handoff_port > 0 && socketpair(AF_UNIX, SOCK_SEQPACKET |
	    SOCK_CLOEXEC, 0, notp) == -1)
		return -1;
	if ((pid = fork()) != 0)
		return pid;
	close(resp[0]);
	if (notp[0] != -1)
		close(notp[0]);
	step_child(t, s, resp[1], notp[1]);
}

static void
close_pair(int p[2])
{
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	p[0] = p[1] = -1;
}

/* One step in a child of its own, its result in OUT. */
static void
run_child(struct txn *t, const struct txn_step *s, struct step_out *outp)
{
	struct step_out out;
	int resp[2], notp[2], pidfd;
	const char *ended;
	pid_t pid;

	memset(&out, 0, sizeof(out));
	/* the new service handed the sockets: the other that may hold them */
	if (s->kind == DO_START && s->handoff && t->taken.nplan == 1)
		t->taken.plan[t->taken.nplan++] = s->svc;
	if ((pid = step_fork(t, s, resp, notp)) == -1) {
		out.res.status = EXIT_FAILED;
		out.res.nothing = true;
		snprintf(out.res.text, sizeof(out.res.text), "could not begin "
		    "(%s); nothing was done", strerror(errno));
		close_pair(resp);
		close_pair(notp);
		out.look.state = SERVED_UNKNOWN;
		*outp = out;
		return;
	}
	/* Our own child, not yet reaped: its pid cannot be reused. */
	pidfd = pidfd_open(pid, 0);
	close(resp[1]);
	if (notp[1] != -1)
		close(notp[1]);
	if ((ended = step_wait(t, s, resp[0], notp[0], &out)) != NULL) {
		memset(&out, 0, sizeof(out));
		out.res.status = EXIT_FAILED;
		snprintf(out.res.text, sizeof(out.res.text), "%s", ended);
		/* a check that sent nothing could not be run: say so */
		judge_set_error(&out.vr, VERIFY_INTERNAL, ended);
		out.look.state = SERVED_UNKNOWN;
		snprintf(out.look.detail, sizeof(out.look.detail), "the look "
		    "at its port %s", ended);
		/* A step past its deadline, or silent, ends here. */
		if (pidfd == -1 || pidfd_send_signal(pidfd, SIGKILL, NULL,
		    0) == -1)
			(void)kill(pid, SIGKILL);
	}
	/* A step exits right after it sent its result. */
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
	if (pidfd != -1)
		close(pidfd);
	close(resp[0]);
	if (notp[0] != -1)
		close(notp[0]);
	/* Whatever came, it is bounded before anyone reads it. */
	out.res.text[sizeof(out.res.text) - 1] = '\0';
	out.res.user[sizeof(out.res.user) - 1] = '\0';
	if (out.res.npids > STOP_PIDS_MAX)
		out.res.npids = STOP_PIDS_MAX;
	out.look.user[sizeof(out.look.user) - 1] = '\0';
	out.look.exe[sizeof(out.look.exe) - 1] = '\0';
	out.look.detail[sizeof(out.look.detail) - 1] = '\0';
	*outp = out;
}

/*
 * S in a child, run again while its connection to systemd was dropped
 * (a daemon-reexec closes every one) and systemd answers again, at most
 * SYSTEMD_AGAIN_MAX times: systemd's restart is not the step's failure.  How
 * many runs were lost.
 */
static int
run_resumed(struct txn *t, const struct txn_step *s, struct step_out *out)
{
	struct txn_step again = *s;
	int resumes = 0;

	run_child(t, s, out);
	while (out->res.systemd_lost && resumes < SYSTEMD_AGAIN_MAX &&
	    systemd_back()) {
		resumes++;
		again.resumed = true;
		run_child(t, &again, out);
	}
	return resumes;
}

/* A step's TEXT (of STEP_TEXT_MAX) once it was run again: said so. */
static void
say_resumed(char *text)
{
	char was[STEP_TEXT_MAX];

	snprintf(was, sizeof(was), "%s", text);
	snprintf(text, STEP_TEXT_MAX, "(systemd re-executed meanwhile; asked "
	    "again) %.*s", (int)sizeof(was) - 48, was);
}

/*
 * served_by: who holds the check's port is looked at before the fetch
 * and again after it, by a step that can read every process's
 * descriptors but parses nothing from the network; the fetch, as the
 * check user, with nothing, between them.  The look after catches an
 * impostor that took the port while the fetch ran: it holds it still, or
 * the port's sockets are not the ones seen before.  The fetch's own
 * process never says who served (it parses what the server sent): VR's
 * served is the looks' only.  A look asks systemd for the unit's cgroup:
 * one that lost systemd to a daemon-reexec looks again once it is back
 * (a look changes nothing), or a re-exec would fail a passing check.
 */
static void
served_check(struct txn *t, const struct txn_step *s,
    struct step_result *res, struct verify_result *vr)
{
	struct txn_step look = *s, fetch = *s;
	struct step_out before, got, after;
	int resumes;

	look.kind = DO_LOOK;
	fetch.served_by = NULL;
	resumes = run_resumed(t, &look, &before);
	run_child(t, &fetch, &got);
	resumes += run_resumed(t, &look, &after);
	*res = got.res;
	*vr = got.vr;
	memset(&vr->served, 0, sizeof(vr->served));
	if (res->nothing)               /* the check could not be run */
		return;
	served_verdict(&before.look, &after.look, s->served_by->name,
	    &vr->served);
	judge_sanitize(vr, s->check);
	judge_reason(s->check, vr, res->text, sizeof(res->text));
	res->status = judge_passed(vr) ? EXIT_DONE : EXIT_FAILED;
	if (resumes > 0 && !before.res.systemd_lost &&
	    !after.res.systemd_lost)
		say_resumed(res->text);
}

void
txn_run_step(struct txn *t, const struct txn_step *s,
    struct step_result *res, struct verify_result *vr)
{
	struct step_out out;
	char why[300];
	int resumes, st;

	if (s->kind == DO_VERIFY && (st = txn_find_check_user(why,
	    sizeof(why))) != 0) {
		memset(res, 0, sizeof(*res));
		memset(vr, 0, sizeof(*vr));
		res->status = st;
		res->nothing = true;
		snprintf(res->text, sizeof(res->text), "%s; nothing was checked",
		    why);
		judge_set_error(vr, VERIFY_INTERNAL, res->text);
		return;
	}
	if (s->kind == DO_VERIFY && s->served_by != NULL &&
	    s->check->port > 0) {
		served_check(t, s, res, vr);
		return;
	}
	if (s->kind == DO_START && s->handoff)
		keep_handed(t);
	else if (s->kind == DO_START)
		txn_revoke_handed(t, s->svc->name);
	resumes = run_resumed(t, s, &out);
	/*
	 * The start step hands the sockets on: kept until it has its result,
	 * for a resumed start; its own copies are the only ones after.
	 */
	if (s->handoff)
		txn_close_socks(t);
	if (resumes > 0 && !out.res.systemd_lost) {
		out.res.nothing = false;        /* the lost run acted */
		say_resumed(out.res.text);
	}
	*res = out.res;
	*vr = out.vr;
	/* only the looks say who served, never a check's own process */
	memset(&vr->served, 0, sizeof(vr->served));
}

/* ---- the transaction process ------------------------------------------ */

int
txn_find_step_user(char *why, size_t whylen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc;

	rc = getpwnam_r(CUTOVER_STEP_USER, &pw, buf, sizeof(buf), &res);
	if (res == NULL) {
		snprintf(why, whylen, "the step user %s %s; install the package "
		    "(it creates the user) or: adduser --system --group "
		    "--no-create-home %s", CUTOVER_STEP_USER, rc ? strerror(rc) :
		    "does not exist", CUTOVER_STEP_USER);
		return -1;
	}
	return privilege_set_step_user(pw.pw_uid, pw.pw_gid, why, whylen);
}

int
txn_find_check_user(char *why, size_t whylen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc;

	rc = getpwnam_r(CUTOVER_CHECK_USER, &pw, buf, sizeof(buf), &res);
	if (res == NULL) {
		snprintf(why, whylen, "the check user %s %s; install the package "
		    "(it creates the user) or: adduser --system --group "
		    "--no-create-home %s", CUTOVER_CHECK_USER, rc ? strerror(rc) :
		    "does not exist", CUTOVER_CHECK_USER);
		return EXIT_POLICY;
	}
	return privilege_set_check_user(pw.pw_uid, pw.pw_gid, why, whylen) ==
	    0 ? 0 : EXIT_POLICY;
}

/*
 * Out of the caller's reach (the ids are 0 already): the inherited
 * process state reset again, own session (no terminal), stdio on /dev/null (no caller pipe to block on), reports
 * without blocking, and the signals a terminal or a dying front would
 * send ignored.
 */
static int
detach(struct txn *t, char *why, size_t whylen)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
	    SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2 };
	int null, fd;
	size_t i;

	/*
	 * Between start-up and the fork the front had the caller's real uid:
	 * its limits, nice, scheduling and place may have been changed since
	 * hygiene reset them.  Again, here, where nobody else can.
	 */
	if (hygiene_reset_process(why, whylen) == -1)
		return -1;
	/*
	 * Out of the OOM killer's way, as far as root may: a transaction
	 * killed half-way leaves a site half switched.  Not its check's step
	 * (a fetch that a server may make grow) nor a start's (its service
	 * inherits it): step_child; not a reason to refuse where the kernel
	 * will not.
	 */
	(void)hygiene_oom_score_adj(TXN_OOM_SCORE_ADJ, why, whylen);
	why[0] = '\0';
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		(void)signal(ignored[i], SIG_IGN);
	if (setsid() == -1 || (null = open("/dev/null", O_RDWR |
	    O_CLOEXEC)) == -1) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	for (fd = 0; fd <= 2; fd++)
		if (dup2(null, fd) == -1) {
			snprintf(why, whylen, "dup2: %s", strerror(errno));
			return -1;
		}
	if (null > 2)
		close(null);
	if (fcntl(t->msgfd, F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(t->ctlfd, F_SETFL, O_NONBLOCK) == -1) {
		snprintf(why, whylen, "fcntl: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The locks of what the action touches, taken here (as root, after the
 * request record, before any step) and held until its outcome record:
 * a request racing another on a port or a service is refused, never
 * both "ok".  EXIT_DONE, or EXIT_REFUSED with WHY.
 */
static int
take_locks(struct txn *t, char *why, size_t whylen)
{
	if (t->targets == NULL || locks_take(&t->locks, t->targets,
	    t->base->txid, why, whylen) == 0)
		return EXIT_DONE;
	return EXIT_REFUSED;
}

/*
 * On a host that runs systemd: into a scope of its own in system.slice
 * (cutover-TXID.scope), out of whatever cgroup the caller's session put
 * the front in - one the caller may own (a systemd --user delegation)
 * and so freeze or kill.  Every step is forked from here and stays in
 * it.  The connection is this call's own and closed at once (systemd.h).
 * 0, or -1 (WHY); without systemd, 0 and nothing done.
 */
static int
leave_caller_cgroup(const struct txn *t, char *why, size_t whylen)
{
	char name[AUDIT_NAME_MAX + 32];
	sd_bus *own, *b;
	int st;

	if (!systemd_runs())
		return 0;
	if ((b = systemd_some(&own, why, whylen)) == NULL)
		return -1;
	snprintf(name, sizeof(name), "cutover-%s.scope", t->base->txid);
	st = systemd_scope(b, name, getpid(), "cutover transaction", why,
	    whylen);
	sdbus.flush_close_unref(own);
	return st == 0 ? 0 : -1;
}

/*
 * The request record is written here, by the process that acts: nothing
 * can come between it and the action, and nothing is done without it.
 * Then the step user, then BODY.
 */
static void __attribute__((noreturn))
transaction(struct txn *t, int (*body)(struct txn *, void *), void *ctx)
{
	const struct audit_entry request = { .stage = AUDIT_REQUEST };
	char why[600], err[512];
	bool detached = detach(t, why, sizeof(why)) == 0;
	int status = EXIT_POLICY;

	t->locks = (struct locks)LOCKS_INIT;

	if (audit_record(t->log, t->base, &request, err, sizeof(err)) == -1)
		txn_tell(t, 'E', "cutover: cannot write the audit record (%s); "
		    "refusing: nothing was done", err);
	else if (detached && leave_caller_cgroup(t, why, sizeof(why)) == 0 &&
	    txn_find_step_user(why, sizeof(why)) == 0 &&
	    (status = take_locks(t, why, sizeof(why))) == 0) {
		status = body(t, ctx);
		locks_release(&t->locks);   /* after the outcome record */
	} else {
		if (status != EXIT_REFUSED)
			status = EXIT_POLICY;
		if (txn_record(t, NULL, status_outcome(status), why, NULL, 0,
		    err, sizeof(err)) == -1)
			txn_tell(t, 'E', "cutover: cannot write the outcome "
			    "record (%s)", err);
		txn_tell(t, 'E', "cutover: %s%s; nothing was done",
		    status == EXIT_REFUSED ? "" : "cannot act: ", why);
	}
	txn_tell(t, 'X', "%d", status);
	_exit(status);
}

/* ---- the front --------------------------------------------------------- */

static volatile sig_atomic_t abort_signal;
static int front_ctlfd = -1;

static void
on_abort(int signo)
{
	int saved = errno;

	abort_signal = signo;
	(void)!write(front_ctlfd, "a", 1);
	errno = saved;
}

static void
catch_aborts(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_abort;   /* no SA_RESTART: read() returns */
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
}

/* Print one report line; 'X' gives the status. */
static void
show(const char *line, int *status, struct txn_seen *seen)
{
	if (line[0] == 'O' || line[0] == 'J' || line[0] == 'j') {
		if (line[0] == 'J')
			printf("%s\n", line + 1);
		else if (line[0] == 'j')
			fputs(line + 1, stdout);
		else
			printable_line(stdout, "%s", line + 1);
		seen->printed = true;
		seen->json |= line[0] == 'J';
	} else if (line[0] == 'E') {
		printable_line(stderr, "%s", line + 1);
		snprintf(seen->last_error, sizeof(seen->last_error), "%.*s",
		    (int)sizeof(seen->last_error) - 1, strncmp(line + 1,
		    "cutover: ", 9) == 0 ? line + 10 : line + 1);
	} else if (line[0] == 'X')
		*status = atoi(line + 1);
	fflush(stdout);
}

/*
 * The caller's side: print the reports until the transaction closes its
 * end, pass on an abort request once, and return the transaction's exit
 * status.
 */
static int
front(pid_t txn, int msgfd, int ctlfd, const char *on_abort_text,
    struct txn_seen *seen)
{
	char buf[2 * TXN_LINE_MAX], *nl;
	size_t len = 0;
	int status = -1, told = 0, ws;
	ssize_t n;

	front_ctlfd = ctlfd;
	catch_aborts();
	for (;;) {
		if (abort_signal != 0 && !told) {
			told = 1;
			fprintf(stderr, "cutover: abort requested (%s): %s\n",
			    strsignal(abort_signal), on_abort_text);
		}
		n = read(msgfd, buf + len, sizeof(buf) - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			show(buf, &status, seen);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len + 1);
		}
		if (len == sizeof(buf) - 1)
			len = 0;    /* a line too long: cannot happen, drop it */
	}
	while (waitpid(txn, &ws, 0) == -1 && errno == EINTR)
		;
	if (status < 0)
		status = WIFEXITED(ws) ? WEXITSTATUS(ws) : EXIT_FAILED;
	return status;
}

/* The transaction could not be begun: record it, say it, no action. */
static int
not_begun(struct txn *t, const char *what, int e)
{
	const struct audit_entry request = { .stage = AUDIT_REQUEST };
	char why[300], err[512];

	snprintf(why, sizeof(why), "could not begin the transaction (%s: %s); "
	    "nothing was done", what, strerror(e));
	if (audit_record(t->log, t->base, &request, err, sizeof(err)) == -1 ||
	    txn_record(t, NULL, "failed", why, NULL, 0, err, sizeof(err)) == -1)
		fprintf(stderr, "cutover: cannot write the outcome record "
		    "(%s)\n", err);
	fprintf(stderr, "cutover: %s\n", why);
	return EXIT_FAILED;
}

int
txn_run(struct txn *t, int (*body)(struct txn *, void *), void *ctx,
    const char *on_abort_text, struct txn_seen *seen)
{
	int msg[2] = { -1, -1 }, ctl[2] = { -1, -1 }, e;
	pid_t pid = -1;
	const char *what = "pipe";

	memset(seen, 0, sizeof(*seen));
	fflush(NULL);
	/* Root before the fork: the transaction is never the caller's. */
	if (pipe2(msg, O_CLOEXEC) == 0 && pipe2(ctl, O_CLOEXEC) == 0) {
		what = "its ids";
		if (privilege_become_transaction() == 0) {
			what = "fork";
			pid = fork();
		}
	}
	if (pid == -1) {
		e = errno;
		close_pair(msg);
		close_pair(ctl);
		return not_begun(t, what, e);
	}
	if (pid == 0) {
		close(msg[0]);
		close(ctl[1]);
		t->msgfd = msg[1];
		t->ctlfd = ctl[0];
		transaction(t, body, ctx);
	}
	close(msg[1]);
	close(ctl[0]);
	/* The front keeps nothing of root's: no log, no privilege. */
	audit_log_close(t->log);
	t->log = NULL;
	/* Never relay with root's ids: the transaction goes on without us. */
	if (privilege_drop_to_caller() == -1) {
		fprintf(stderr, "cutover: the action goes on, but this process "
		    "could not become you again and stops here; its outcome "
		    "will be in the audit log (txid %s)\n", t->base->txid);
		return EXIT_FAILED;
	}
	return front(pid, msg[0], ctl[1], on_abort_text, seen);
}
