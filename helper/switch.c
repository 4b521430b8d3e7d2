/*
 * switch.c - cutover switch PLAN as one transaction.
 *
 * Three kinds of process, so that the caller can ask to abort but can
 * neither kill nor freeze a switch half-way:
 *
 *   the front        the process the caller started.  After the fork it
 *                    becomes the caller for good, prints what the
 *                    transaction reports, and turns SIGINT, SIGTERM and
 *                    SIGHUP into an abort request on the control pipe.
 *                    Killing or stopping it leaves the transaction to
 *                    run to its end (done, or rolled back).
 *   the transaction  real, effective and saved uid 0 (the caller cannot
 *                    signal it, not even SIGKILL or SIGSTOP), a session of
 *                    its own (no terminal), stdio on /dev/null and its
 *                    reports written without blocking (a caller's pipe
 *                    cannot stall it).  It forks each step, waits for it
 *                    with a deadline and writes the step's audit record.
 *   a step           one action with exactly its step's privileges, as
 *                    the caller (steps.c); its result comes back through
 *                    a pipe.  The caller may signal a step that runs as
 *                    the caller: the step then fails or overruns its
 *                    deadline (and is killed), which rolls the switch
 *                    back - it never leaves it half-done.
 *
 * Socket handoff (service.handoff): the free-port step takes a copy of
 * each listening socket the old holders have (pidfd_getfd, before it
 * signals them) and sends them here; the new service inherits them.  The
 * port then never stops listening: a client that connects while it
 * changes hands waits in the same accept queue, which the new service
 * empties.  Where none could be taken (the port was free, or the kernel
 * refused), the transaction binds [::]:PORT itself, trying every 100 us
 * once the holders are signalled, and hands over that.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exitcodes.h"
#include "ports.h"
#include "privilege.h"
#include "service.h"
#include "steps.h"
#include "stop.h"
#include "strbuf.h"
#include "switch.h"

#define MSG_MAX    1024         /* one report line: below PIPE_BUF */
#define SLACK      10.0         /* seconds a step may take beyond its own */

enum step_kind { DO_FREE_PORT, DO_STOP, DO_START, DO_VERIFY };

/* The transaction's state, as it goes. */
struct txn {
	const struct switch_request *sr;
	const struct plan *pl;
	int msgfd;                  /* reports to the front (non-blocking) */
	int ctlfd;                  /* abort requests from the front */
	int socks[STOP_SOCKETS_MAX];        /* the sockets for the handoff */
	size_t nsocks;
	bool aborted;
	bool front_gone;            /* ctlfd at EOF: never poll it again */
	bool changed;               /* a step did something */
	bool started;               /* the start of TO was attempted */
	bool from_ran;              /* FROM held the port before */
	char failed_at[128];        /* the step that failed, "" while none */
	char failure[STEP_TEXT_MAX];
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- reports to the front ------------------------------------------- */

/*
 * One line for the front: 'O' stdout, 'E' stderr, 'X' the exit status.
 * Written whole or not at all; a front that does not read loses lines,
 * never stalls the transaction.  Escaped here, so that a newline in what
 * a message quotes can't make a line of its own (a fake 'X0').
 */
static void
tell(struct txn *t, char kind, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char line[MSG_MAX], *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_printable(&sb, text);
	free(text);
	n = snprintf(line, sizeof(line) - 1, "%c%s", kind, sb_str(&sb));
	sb_free(&sb);
	if (n < 0)
		return;
	n = (int)strlen(line);
	line[n++] = '\n';
	(void)!write(t->msgfd, line, (size_t)n);
}

/* Has the front asked to abort?  Reads without blocking. */
static bool
abort_asked(struct txn *t)
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

/* ---- the audit record of a step -------------------------------------- */

static const char *
outcome_of(int status)
{
	return status == EXIT_DONE ? "ok" : status == EXIT_REFUSED ?
	    "refused" : "failed";
}

static int
record_step(struct txn *t, const char *words, const struct step_result *res)
{
	struct audit_event ev = *t->sr->base;
	const char *user = res->user;
	char why[512];

	ev.stage = AUDIT_STEP;
	ev.step = words;
	ev.reason = res->text;
	ev.outcome = outcome_of(res->status);
	ev.pids = res->pids;
	ev.npids = res->npids;
	ev.users = &user;
	ev.nusers = res->user[0] != '\0';
	ev.duration = res->seconds;
	if (audit_log_write(*t->sr->log, &ev, why, sizeof(why)) == 0)
		return 0;
	tell(t, 'E', "cutover: cannot write the audit record of %s (%s)",
	    words, why);
	return -1;
}

static int
record_outcome(const struct switch_request *sr, const char *outcome,
    const char *reason, double seconds)
{
	struct audit_event ev = *sr->base;
	char why[512];

	ev.stage = AUDIT_OUTCOME;
	ev.reason = reason;
	ev.outcome = outcome;
	ev.duration = seconds;
	return audit_log_write(*sr->log, &ev, why, sizeof(why));
}

/* ---- the handed-off socket ------------------------------------------ */

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

/* ---- running one step -------------------------------------------------- */

struct step {
	enum step_kind kind;
	const char *words;          /* "free-port 8080", "start nginx" */
	const struct port_grant *grant;
	const struct service *svc;
	const struct check *check;
	bool handoff;               /* DO_START: hand it the txn's sockets */
	double deadline;            /* seconds */
};

static void
close_socks(struct txn *t)
{
	while (t->nsocks > 0)
		close(t->socks[--t->nsocks]);
}

/*
 * One note of the free-port step: 't' with the old holders' listening
 * sockets (kept for the new service), or 's' once they are signalled.
 * Returns the note's letter, 0 if there was none.
 */
static char
take_note(struct txn *t, int from)
{
	char cbuf[CMSG_SPACE(sizeof(int) * STOP_SOCKETS_MAX)], c = 0;
	struct iovec iov = { &c, 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	size_t i, n;
	int fds[STOP_SOCKETS_MAX];

	if (recvmsg(from, &msg, MSG_CMSG_CLOEXEC) != 1)
		return 0;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
		for (i = 0; i < n; i++)
			if (c == 't' && t->nsocks < STOP_SOCKETS_MAX)
				t->socks[t->nsocks++] = fds[i];
			else
				close(fds[i]);
	}
	return c;
}

/* In the step's own process: do it, send the result back, exit. */
static void __attribute__((noreturn))
step_child(struct txn *t, const struct step *s, int resfd, int notifyfd)
{
	const struct caller *c = t->sr->caller;
	struct verify_identity who = { c->uid, c->gid, c->gids, c->ngids };
	struct verify_result vr;
	struct step_result res;

	/* Nothing of the transaction's but what this step needs. */
	audit_log_close(*t->sr->log);
	close(t->msgfd);
	close(t->ctlfd);
	if (!s->handoff)
		close_socks(t);
	switch (s->kind) {
	case DO_FREE_PORT:
		step_free_port(s->grant, notifyfd, &res);
		break;
	case DO_STOP:
		step_stop(s->svc, &res);
		break;
	case DO_START:
		step_start(s->svc, s->handoff ? t->socks : NULL,
		    s->handoff ? t->nsocks : 0, &res);
		break;
	case DO_VERIFY:
		step_verify(s->check, &who, &vr, &res);
		break;
	}
	(void)!write(resfd, &res, sizeof(res));
	_exit(0);
}

/*
 * Wait for the step's result until its deadline; meanwhile, for a
 * free-port with a handoff, bind the port as soon as it is let go, and
 * take note of an abort request: a check is cut short by it (it changes
 * nothing), any other step is let finish, so that the rollback starts
 * from a known state.
 */
static void
step_wait(struct txn *t, const struct step *s, pid_t pid, int resfd,
    int notifyfd, struct step_result *res)
{
	double end = now() + s->deadline;
	/* A gone front's pipe stays at EOF: polled, it would spin. */
	struct pollfd pfd[3] = { { resfd, POLLIN, 0 },
	    { t->front_gone ? -1 : t->ctlfd, POLLIN, 0 },
	    { notifyfd, POLLIN, 0 } };
	bool signalled = false, cut = false;
	ssize_t n = 0;

	for (;;) {
		/*
		 * Once the holders are signalled, try to bind every 100 us:
		 * a client that comes between the old holder's close and our
		 * listen is refused, so that gap must be as short as can be.
		 */
		struct timespec wait = signalled && t->nsocks == 0 ?
		    (struct timespec){ 0, 100 * 1000L } :
		    (struct timespec){ 0, 100 * 1000 * 1000L };

		if (now() >= end)
			break;
		if (ppoll(pfd, notifyfd != -1 ? 3 : 2, &wait, NULL) == -1 &&
		    errno != EINTR)
			break;
		if ((pfd[1].revents & POLLIN) && abort_asked(t) &&
		    s->kind == DO_VERIFY) {
			cut = true;
			break;
		}
		if (pfd[1].revents & POLLHUP) {
			t->front_gone = true;   /* no more aborts can come */
			pfd[1].fd = -1;
		}
		if (notifyfd != -1 && (pfd[2].revents & POLLIN) &&
		    take_note(t, notifyfd) == 's')
			signalled = true;
		if (signalled && t->nsocks == 0 &&
		    (t->socks[0] = bind_port(t->pl->port)) != -1)
			t->nsocks = 1;
		if (pfd[0].revents & (POLLIN | POLLHUP)) {
			n = read(resfd, res, sizeof(*res));
			break;
		}
	}
	if (n != (ssize_t)sizeof(*res)) {
		memset(res, 0, sizeof(*res));
		res->status = EXIT_FAILED;
		snprintf(res->text, sizeof(res->text), cut ? "aborted by the "
		    "caller during the check" : now() >= end ? "did not finish "
		    "within %.0f s; its process was killed" : "its process "
		    "ended without a result (killed?)", s->deadline);
	}
	(void)kill(pid, SIGKILL);   /* no-op when it exited */
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		;
}

static void
run_step(struct txn *t, const struct step *s, struct step_result *res)
{
	int resp[2], notp[2] = { -1, -1 };
	bool handoff = s->kind == DO_FREE_PORT && t->pl->to->handoff !=
	    HANDOFF_NONE;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	res->status = EXIT_FAILED;
	if (pipe2(resp, O_CLOEXEC) == -1 ||
	    (handoff && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
	    notp) == -1)) {
		snprintf(res->text, sizeof(res->text), "pipe: %s",
		    strerror(errno));
		return;
	}
	if ((pid = fork()) == -1) {
		snprintf(res->text, sizeof(res->text), "fork: %s",
		    strerror(errno));
		close(resp[0]);
		close(resp[1]);
		if (handoff) {
			close(notp[0]);
			close(notp[1]);
		}
		return;
	}
	if (pid == 0) {
		close(resp[0]);
		if (handoff)
			close(notp[0]);
		step_child(t, s, resp[1], notp[1]);
	}
	close(resp[1]);
	if (handoff)
		close(notp[1]);
	/* The start step hands the socket on: it must be its only holder. */
	if (s->handoff)
		close_socks(t);
	step_wait(t, s, pid, resp[0], notp[0], res);
	close(resp[0]);
	if (handoff)
		close(notp[0]);
}

/* Run S, record it, report it.  Returns true when it succeeded. */
static bool
do_step(struct txn *t, const struct step *s)
{
	struct step_result res;
	bool ok;

	run_step(t, s, &res);
	if (s->kind != DO_VERIFY && !res.nothing)
		t->changed = true;
	ok = res.status == EXIT_DONE;
	if (record_step(t, s->words, &res) == -1 && ok) {
		ok = false;
		snprintf(res.text, sizeof(res.text), "its audit record could "
		    "not be written");
	}
	tell(t, ok ? 'O' : 'E', "cutover: switch %s: %s: %s", t->pl->name,
	    s->words, res.text);
	if (!ok && t->failed_at[0] == '\0') {
		snprintf(t->failed_at, sizeof(t->failed_at), "%s", s->words);
		snprintf(t->failure, sizeof(t->failure), "%s", res.text);
	}
	return ok;
}

/* ---- the plan's steps ---------------------------------------------------- */

static double
stop_deadline(const struct service *svc)
{
	return svc->stop_timeout + 2.0 + SLACK;
}

static double
free_deadline(const struct port_grant *pg)
{
	double d = 0;
	size_t i;

	for (i = 0; i < pg->nholders; i++)
		if (stop_deadline(pg->holders[i]) > d)
			d = stop_deadline(pg->holders[i]);
	return d;
}

static double
start_deadline(const struct service *svc)
{
	return (svc->start_timeout > 0 ? svc->start_timeout : 10.0) + SLACK;
}

/* Free, start, verify: true when all of them succeeded. */
static bool
forward(struct txn *t)
{
	const struct plan *pl = t->pl;
	char words[3][128];
	struct step s;
	size_t i;

	snprintf(words[0], sizeof(words[0]), "free-port %d", pl->port);
	s = (struct step){ DO_FREE_PORT, words[0], pl->grant, NULL, NULL,
	    false, free_deadline(pl->grant) };
	if (!do_step(t, &s))
		return false;
	if (pl->to->handoff != HANDOFF_NONE && t->nsocks == 0 &&
	    (t->socks[t->nsocks++] = bind_port(pl->port)) == -1) {
		t->nsocks = 0;
		snprintf(t->failed_at, sizeof(t->failed_at), "free-port %d",
		    pl->port);
		snprintf(t->failure, sizeof(t->failure), "cannot listen on "
		    "port %d for the handoff: %s", pl->port, strerror(errno));
		return false;
	}
	if (abort_asked(t))
		return false;
	snprintf(words[1], sizeof(words[1]), "start %s", pl->to->name);
	s = (struct step){ DO_START, words[1], NULL, pl->to, NULL,
	    pl->to->handoff != HANDOFF_NONE, start_deadline(pl->to) };
	t->started = true;
	if (!do_step(t, &s))
		return false;
	for (i = 0; i < pl->nverify; i++) {
		if (abort_asked(t))
			return false;
		snprintf(words[2], sizeof(words[2]), "verify %s",
		    pl->verify[i]->name);
		s = (struct step){ DO_VERIFY, words[2], NULL, NULL,
		    pl->verify[i], false, pl->verify[i]->within +
		    pl->verify[i]->timeout + SLACK };
		if (!do_step(t, &s))
			return false;
	}
	return true;
}

/* "free (nothing listens)", "held by pid 12 (/usr/sbin/nginx, ...)" */
static void
port_state(int port, char *buf, size_t size)
{
	struct holders *h = malloc(sizeof(*h));
	char who[400], err[256];

	if (h == NULL || ports_holders(port, h, err, sizeof(err)) == -1)
		snprintf(buf, size, "in an unknown state (%s)", h ? err :
		    "out of memory");
	else if (h->nsockets == 0)
		snprintf(buf, size, "free (nothing listens on it)");
	else if (h->n == 0)
		snprintf(buf, size, "held by a process cutover cannot see");
	else {
		holder_describe(&h->v[0], who, sizeof(who));
		snprintf(buf, size, "held by %s%s", who, h->n > 1 ?
		    " and others" : "");
	}
	free(h);
}

/*
 * Undo: stop TO if its start was attempted, start FROM again if it held
 * the port before.  Returns true when FROM serves again (or had not run).
 */
static bool
roll_back(struct txn *t, char *state, size_t size)
{
	const struct plan *pl = t->pl;
	char stop_words[128], start_words[128], where[600];
	struct step s;
	bool ok = true;

	tell(t, 'E', "cutover: switch %s: rolling back", pl->name);
	close_socks(t);
	if (t->started) {
		snprintf(stop_words, sizeof(stop_words), "rollback: stop %s",
		    pl->to->name);
		s = (struct step){ DO_STOP, stop_words, NULL, pl->to, NULL,
		    false, stop_deadline(pl->to) };
		ok = do_step(t, &s);
	}
	if (ok && t->from_ran) {
		snprintf(start_words, sizeof(start_words), "rollback: start %s",
		    pl->from->name);
		s = (struct step){ DO_START, start_words, NULL, pl->from, NULL,
		    false, start_deadline(pl->from) };
		ok = do_step(t, &s);
	}
	port_state(pl->port, where, sizeof(where));
	if (ok && t->from_ran)
		snprintf(state, size, "rolled back, %s serving %d again "
		    "(verified listening)", pl->from->name, pl->port);
	else if (ok)
		snprintf(state, size, "rolled back: %s did not hold port %d "
		    "before and was not started; port %d is %s", pl->from->name,
		    pl->port, pl->port, where);
	else
		snprintf(state, size, "ROLLBACK FAILED (see the line above); "
		    "port %d is now %s", pl->port, where);
	return ok;
}

/* The last word: outcome record, last line, exit status. */
static int
conclude(struct txn *t, double started)
{
	const struct plan *pl = t->pl;
	char state[900], line[STEP_TEXT_MAX + 900 + 256];
	const char *outcome = "ok";
	double took;
	int status = EXIT_DONE;

	if (t->failed_at[0] == '\0' && !t->aborted) {
		took = now() - started;
		snprintf(line, sizeof(line), "switch %s: done in %.2f s: %s "
		    "serves port %d", pl->name, took, pl->to->name, pl->port);
		if (pl->nverify > 0)
			snprintf(line + strlen(line), sizeof(line) - strlen(line),
			    ", verified");
	} else {
		if (t->failed_at[0] == '\0') {
			snprintf(t->failed_at, sizeof(t->failed_at), "%s",
			    "the caller's request");
			snprintf(t->failure, sizeof(t->failure), "aborted by "
			    "the caller");
		}
		status = EXIT_FAILED;
		outcome = "failed";
		if (!pl->rollback)
			snprintf(state, sizeof(state), "no rollback (the plan "
			    "says rollback = false); port %d is left as it is",
			    pl->port);
		else if (!t->changed)
			snprintf(state, sizeof(state), "nothing was changed");
		else if (roll_back(t, state, sizeof(state)))
			outcome = "rolled-back";
		else
			outcome = "rollback-failed";
		took = now() - started;
		snprintf(line, sizeof(line), "switch %s failed at %s: %s; %s",
		    pl->name, t->failed_at, t->failure, state);
	}
	if (record_outcome(t->sr, outcome, line, took) == -1)
		tell(t, 'E', "cutover: cannot write the outcome record");
	tell(t, status == EXIT_DONE ? 'O' : 'E', "cutover: %s", line);
	tell(t, 'X', "%d", status);
	return status;
}

/* ---- the transaction process ------------------------------------------ */

/*
 * Out of the caller's reach: uid 0 (no signals), own session (no tty),
 * stdio on /dev/null (no caller pipe to block on), reports without
 * blocking, and the signals a terminal or a dying front would send
 * ignored.
 */
static int
detach(int msgfd)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
	    SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU, SIGUSR1, SIGUSR2 };
	int null, fd;
	size_t i;

	if (privilege_become_transaction() == -1 || setsid() == -1)
		return -1;
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		(void)signal(ignored[i], SIG_IGN);
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	for (fd = 0; fd <= 2; fd++)
		if (dup2(null, fd) == -1)
			return -1;
	if (null > 2)
		close(null);
	return fcntl(msgfd, F_SETFL, O_NONBLOCK);
}

static int
transaction(const struct switch_request *sr, int msgfd, int ctlfd)
{
	struct txn t = { .sr = sr, .pl = sr->plan, .msgfd = msgfd,
	    .ctlfd = ctlfd };
	double started = now();

	if (detach(msgfd) == -1) {
		record_outcome(sr, "failed", "the switch could not detach "
		    "from the caller; nothing was done", 0);
		tell(&t, 'E', "cutover: switch %s: could not detach from the "
		    "caller (%s); nothing was done", t.pl->name,
		    strerror(errno));
		tell(&t, 'X', "%d", EXIT_FAILED);
		return EXIT_FAILED;
	}
	(void)fcntl(ctlfd, F_SETFL, O_NONBLOCK);
	t.from_ran = ports_listening(t.pl->port) == 1;
	(void)forward(&t);
	return conclude(&t, started);
}

/* ---- the front ------------------------------------------------------------ */

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
show(const char *line, int *status)
{
	if (line[0] == 'O')
		printable_line(stdout, "%s", line + 1);
	else if (line[0] == 'E')
		printable_line(stderr, "%s", line + 1);
	else if (line[0] == 'X')
		*status = atoi(line + 1);
	fflush(stdout);
}

/*
 * The caller's side: print the reports until the transaction closes its
 * end, pass on an abort request once, and return the transaction's exit
 * status.
 */
static int
front(const char *plan, pid_t txn, int msgfd, int ctlfd)
{
	char buf[4 * MSG_MAX], *nl;
	size_t len = 0;
	int status = -1, told = 0, ws;
	ssize_t n;

	front_ctlfd = ctlfd;
	catch_aborts();
	for (;;) {
		if (abort_signal != 0 && !told) {
			told = 1;
			fprintf(stderr, "cutover: switch %s: abort requested "
			    "(%s): the current step ends, then it rolls back\n",
			    plan, strsignal(abort_signal));
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
			show(buf, &status);
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

/* ---- pre-flight: touching nothing ------------------------------------------ */

/* The service can be started: safe binaries, user, groups, capabilities. */
static int
can_start(const struct service *svc, const char *role, char *why,
    size_t whylen)
{
	struct service_plan sp;
	char reason[600];
	int st = service_plan(svc, &sp, reason, sizeof(reason));

	service_plan_free(&sp);
	if (st != SERVICE_DONE)
		snprintf(why, whylen, "%s %s could not be started: %s", role,
		    svc->name, reason);
	return st;
}

/* Every holder of the port is FROM's, or nothing listens on it. */
static int
holders_are_from(const struct plan *pl, char *why, size_t whylen)
{
	struct holders *h = malloc(sizeof(*h));
	char who[400], err[256];
	size_t i;
	int st = EXIT_DONE;

	if (h == NULL || ports_holders(pl->port, h, err, sizeof(err)) == -1) {
		snprintf(why, whylen, "cannot tell who holds port %d (%s)",
		    pl->port, h ? err : "out of memory");
		free(h);
		return EXIT_FAILED;
	}
	if (h->nunseen > 0) {
		snprintf(why, whylen, "port %d has a listening socket that no "
		    "visible process holds", pl->port);
		st = EXIT_REFUSED;
	}
	for (i = 0; i < h->n && st == EXIT_DONE; i++)
		if (!holder_is(&h->v[i], pl->from)) {
			holder_describe(&h->v[i], who, sizeof(who));
			snprintf(why, whylen, "port %d is held by %s, which is "
			    "not %s (%s)", pl->port, who, pl->from->name,
			    pl->from->exe);
			st = EXIT_REFUSED;
		}
	free(h);
	return st;
}

/*
 * The plan can run now: the new service can be started, the old one
 * (for a rollback) too, and the port is the old service's or free.  The
 * loader already made sure that the policy defines every step.
 */
static int
preflight(const struct plan *pl, char *why, size_t whylen)
{
	int st;

	if ((st = can_start(pl->to, "the new service", why, whylen)) != 0)
		return st;
	if (pl->rollback &&
	    (st = can_start(pl->from, "the old service (for a rollback)", why,
	    whylen)) != 0)
		return st;
	return holders_are_from(pl, why, whylen);
}

static int
record_preflight(const struct switch_request *sr, int st, const char *why)
{
	struct audit_event ev = *sr->base;
	char err[512];

	ev.stage = AUDIT_STEP;
	ev.step = "pre-flight";
	ev.reason = why;
	ev.outcome = outcome_of(st);
	return audit_log_write(*sr->log, &ev, err, sizeof(err));
}

/* "free port 8080 from apache2, start nginx (socket handoff: nginx), ..." */
static void
print_steps(const struct plan *pl)
{
	static const char *const handoffs[] = { [HANDOFF_NONE] = "none",
	    [HANDOFF_SYSTEMD] = "systemd", [HANDOFF_NGINX] = "nginx" };
	size_t i;
	int n = 1;

	printf("cutover: switch %s would:\n", pl->name);
	printf("  %d. free port %d from %s\n", n++, pl->port, pl->from->name);
	printf("  %d. start %s", n++, pl->to->name);
	if (pl->to->handoff != HANDOFF_NONE)
		printf(" (socket handoff: %s)", handoffs[pl->to->handoff]);
	printf("\n");
	for (i = 0; i < pl->nverify; i++)
		printf("  %d. verify %s\n", n++, pl->verify[i]->name);
	if (pl->rollback)
		printf("  on a failure: stop %s, start %s again\n",
		    pl->to->name, pl->from->name);
	else
		printf("  on a failure: nothing (rollback = false)\n");
}

int
switch_dry_run(const struct switch_request *sr)
{
	char why[800] = "";
	int st;

	print_steps(sr->plan);
	st = preflight(sr->plan, why, sizeof(why));
	if (st == EXIT_DONE)
		printf("cutover: pre-flight: ok, it could run now\n");
	else
		printable_line(stderr, "cutover: pre-flight: %s", why);
	return st;
}

int
switch_run(const struct switch_request *sr)
{
	char why[800] = "pre-flight: ok";
	int msg[2], ctl[2], st;
	pid_t pid;

	st = preflight(sr->plan, why, sizeof(why));
	if (record_preflight(sr, st, why) == -1) {
		fprintf(stderr, "cutover: cannot write the audit record; "
		    "refusing: nothing was done\n");
		return EXIT_POLICY;
	}
	if (st == EXIT_DONE && (pipe2(msg, O_CLOEXEC) == -1 ||
	    pipe2(ctl, O_CLOEXEC) == -1)) {
		snprintf(why, sizeof(why), "pipe: %s", strerror(errno));
		st = EXIT_FAILED;
	}
	fflush(NULL);
	if (st == EXIT_DONE && (pid = fork()) == -1) {
		snprintf(why, sizeof(why), "fork: %s", strerror(errno));
		st = EXIT_FAILED;
	}
	if (st != EXIT_DONE) {
		(void)record_outcome(sr, outcome_of(st), why, 0);
		printable_line(stderr, "cutover: switch %s %s: %s; nothing was "
		    "done",
		    sr->plan->name, st == EXIT_REFUSED ? "refused by its "
		    "pre-flight" : "could not begin", why);
		return st;
	}
	if (pid == 0) {
		close(msg[0]);
		close(ctl[1]);
		_exit(transaction(sr, msg[1], ctl[0]));
	}
	close(msg[1]);
	close(ctl[0]);
	/* The front keeps nothing of root's: no log, no privilege. */
	audit_log_close(*sr->log);
	*sr->log = NULL;
	/* Never relay with root's ids: the transaction goes on without us. */
	if (privilege_drop_to_caller() == -1) {
		fprintf(stderr, "cutover: switch %s goes on, but this process "
		    "could not become you again and stops here; its outcome "
		    "will be in the audit log (txid %s)\n", sr->plan->name,
		    sr->base->txid);
		return EXIT_FAILED;
	}
	return front(sr->plan->name, pid, msg[0], ctl[1]);
}
