/*
 * serverconf.c - the new server's configuration, as the server itself
 * reads it, judged before a switch touches anything (serverconf.h).
 *
 * Three processes, so that no privileged process parses the dump and
 * no caller's process ever holds it:
 *   the transaction (root)   forks the reader and waits for its verdict
 *                            with a deadline; kills its process group
 *                            when it is late;
 *   the reader               forks the dumper, then enters STEP_READ (the
 *                            step user, no capability: the dump may hold
 *                            what only root may read, so never the
 *                            caller), reads the dump, judges it
 *                            (listens.c) and writes one verdict;
 *   the dumper               the new service's own user and groups, as
 *                            its start makes them (root for Debian's
 *                            unit: it reads certificate keys), with no
 *                            capability, no environment, stdin /dev/null:
 *                            execs EXE -T -q (-c/-p as the service's start
 *                            command has them).
 * Run as the service's user because that is who reads the configuration
 * and opens its error log at every start: as root, nginx -T would create
 * an unprivileged nginx's log root's, and its next start would fail.  For
 * Debian's unit it is what the unit does before every start
 * (ExecStartPre= nginx -t).
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "helper/act/holders.h"
#include "helper/act/svc/svc.h"
#include "helper/front/hygiene.h"
#include "helper/act/switch/listens.h"
#include "helper/act/switch/serverconf.h"
#include "helper/exitcodes.h"
#include "helper/lib/clock.h"
#include "helper/lib/why.h"
#include "helper/priv/privilege.h"

#define DUMP_MAX (16 * 1024 * 1024)     /* nginx -T of a large host */
#define SAID_MAX 2048                   /* its standard error */
#define DEADLINE 15.0                   /* seconds for the whole look */

struct conf_verdict {
	int status;
	char text[900];
};

/*
 * What PORT will be handed: the old holders' sockets when the take can
 * hand them (its one wildcard socket, IPv4 or dual-stack, or its IPv4
 * and IPv6-only pair: stop_sockets_fit), else the socket cutover binds
 * itself: dual-stack, or IPv4 on a host without IPv6.
 */
static unsigned
handed_to(int port)
{
	static struct holders h;
	char err[256];
	unsigned kinds = 0;
	size_t i;
	int six;

	if (ports_holders(port, &h, err, sizeof(err)) != 0)
		h.nsockets = 0;
	for (i = 0; i < h.nsockets && i < 2; i++)
		kinds |= LISTEN_BIT(h.kinds[i]);
	if (h.nsockets == 1 && (kinds == HANDED_V4 || kinds == HANDED_DUAL))
		return kinds;
	if (h.nsockets == 2 && kinds == HANDED_PAIR)
		return kinds;
	if ((six = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return HANDED_V4;
	close(six);
	return HANDED_DUAL;
}

/* EXE -T -q, with the -c and -p of the service's start command. */
static void
dump_argv(const struct service *svc, const char **argv, size_t max)
{
	size_t n = 0, i;

	argv[n++] = svc->exe;
	argv[n++] = "-T";
	argv[n++] = "-q";
	for (i = 1; svc->start != NULL && i + 1 < svc->nstart && n + 3 < max;
	    i++)
		if (strcmp(svc->start[i], "-c") == 0 ||
		    strcmp(svc->start[i], "-p") == 0) {
			argv[n++] = svc->start[i];
			argv[n++] = svc->start[++i];
		}
	argv[n] = NULL;
}

/*
 * The service's user and groups, as its start makes them (svc_resolve_user:
 * the user's group, or the service's, and the user's supplementary groups,
 * as cutover sets them for a process and systemd for a unit's User=),
 * with the capabilities its start gives it (a unit's: cap_net_bind_service
 * at most): nginx -t binds the ports it listens on, and reads its TLS key,
 * perhaps through group ssl-cert, as the server will.
 */
static int
become(const struct svc_launch *l, char *why, size_t whylen)
{
	if (l->root || l->uid == 0)
		return privilege_become_root_service(l->gid, l->groups,
		    l->ngroups, why, whylen);
	/* as a start's child does: from the start step, whose locked
	   securebits keep the capabilities it passes on across setresuid */
	if (privilege_enter(STEP_START, l->caps, l->ncaps) == -1)
		return why_set(why, whylen, "%s", privilege_error()), -1;
	return privilege_become_service(l->uid, l->gid, l->groups, l->ngroups,
	    l->caps, l->ncaps, why, whylen);
}

/*
 * The dumper: nothing of the transaction's but stdout and stderr (no
 * audit log, lock or socket descriptor reaches the server, which may run
 * as an unprivileged user), a process reset as for a service's exec, the
 * service's user, then the server's own -T.
 */
static void __attribute__((noreturn))
dumper(const struct svc_launch *l, int out, int err)
{
	static char *const no_env[] = { NULL };
	const char *argv[12];
	char why[256];
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null == -1 || dup2(null, 0) == -1 || dup2(out, 1) == -1 ||
	    dup2(err, 2) == -1 || close_range(3, ~0U, 0) == -1 ||
	    chdir("/") == -1)
		_exit(126);
	if (hygiene_reset_for_exec(why, sizeof(why)) == -1 ||
	    become(l, why, sizeof(why)) == -1) {
		dprintf(2, "cannot run as %s: %s\n", l->user, why);
		_exit(126);
	}
	dump_argv(l->svc, argv, sizeof(argv) / sizeof(argv[0]));
	execve(argv[0], (char *const *)argv, no_env);
	_exit(127);
}

/*
 * FD to its end, the first MAX bytes kept: their length (*CUT, unless
 * NULL, when there was more), or -1 when a read failed.  What is past MAX is read and
 * dropped, so that the writer never blocks on a full pipe.
 */
static ssize_t
read_all(int fd, char *buf, size_t max, bool *cut)
{
	char sink[4096];
	size_t got = 0;
	ssize_t n;
	bool more = false;

	for (;;) {
		n = got < max ? read(fd, buf + got, max - got) :
		    read(fd, sink, sizeof(sink));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (got < max)
			got += (size_t)n;
		else
			more = true;
	}
	if (cut != NULL)
		*cut = more;
	return n == -1 ? -1 : (ssize_t)got;
}

/*
 * nginx's first "[emerg]" message, from the word on (its date and pid
 * before it say nothing here), or its first line; printable.
 */
static void
server_words(const char *said, size_t len, char *buf, size_t size)
{
	const char *start = memmem(said, len, "[emerg]", 7), *eol;
	size_t i, n;

	if (start == NULL)
		start = said;
	eol = memchr(start, '\n', len - (size_t)(start - said));
	n = eol ? (size_t)(eol - start) : len - (size_t)(start - said);
	for (i = 0; i < n && i + 1 < size; i++) {
		if (start[i] >= 0x20 && start[i] < 0x7f)
			buf[i] = start[i];
		else
			buf[i] = '?';
	}
	buf[i] = '\0';
}

/* The reader's judgement, once it runs as the step user. */
static void
judge_dump(const struct plan *pl, const unsigned *handed, int out,
    int err, pid_t dumper_pid, struct conf_verdict *v)
{
	static char dump[DUMP_MAX];
	static struct listen_set ls;
	char said[SAID_MAX], words[400];
	bool cut;
	ssize_t n = read_all(out, dump, sizeof(dump), &cut), m;
	int ws = 0;

	m = read_all(err, said, sizeof(said), NULL);     /* its first words do */
	while (waitpid(dumper_pid, &ws, 0) == -1 && errno == EINTR)
		;
	v->status = EXIT_REFUSED;
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
		server_words(said, m > 0 ? (size_t)m : 0, words, sizeof(words));
		snprintf(v->text, sizeof(v->text), "%s's configuration is not "
		    "valid, so it could not start: %s -T says: %s", pl->to->name,
		    pl->to->exe, words[0] ? words : "(nothing)");
	} else if (n == -1 || cut)
		snprintf(v->text, sizeof(v->text), "%s -T printed more than %d "
		    "MiB (or could not be read), more than cutover reads to see "
		    "what %s listens on", pl->to->exe, DUMP_MAX >> 20,
		    pl->to->name);
	else if (listens_parse(dump, (size_t)n, &ls, v->text,
	    sizeof(v->text)) == 0 && listens_judge(&ls, pl->ports, handed,
	    pl->nports, v->text, sizeof(v->text)) == 0)
		v->status = EXIT_DONE;
}

/* The reader: the dumper forked, privilege given up, one verdict written. */
static void __attribute__((noreturn))
reader(const struct plan *pl, const struct svc_launch *l,
    const unsigned *handed, int result)
{
	struct conf_verdict v = { EXIT_FAILED, "" };
	int out[2], err[2];
	pid_t pid;

	if (pipe2(out, O_CLOEXEC) == -1 || pipe2(err, O_CLOEXEC) == -1 ||
	    (pid = fork()) == -1) {
		snprintf(v.text, sizeof(v.text), "cannot run %s -T: %s",
		    pl->to->exe, strerror(errno));
	} else if (pid == 0) {
		dumper(l, out[1], err[1]);
	} else {
		close(out[1]);
		close(err[1]);
		if (privilege_enter(STEP_READ, NULL, 0) == -1)
			snprintf(v.text, sizeof(v.text), "could not set up the "
			    "step's privileges: %s", privilege_error());
		else
			judge_dump(pl, handed, out[0], err[0], pid, &v);
	}
	(void)!write(result, &v, sizeof(v));
	_exit(0);
}

/* The verdict from FD by the deadline; false when none came whole. */
static bool
await_verdict(int fd, struct conf_verdict *v)
{
	double end = monotonic_seconds() + DEADLINE;
	struct pollfd p = { fd, POLLIN, 0 };
	int left;

	for (;;) {
		left = (int)((end - monotonic_seconds()) * 1000);
		if (left <= 0)
			return false;
		if (poll(&p, 1, left) == -1 && errno != EINTR)
			return false;
		if (p.revents & (POLLIN | POLLHUP))
			return read(fd, v, sizeof(*v)) == (ssize_t)sizeof(*v);
	}
}

int
serverconf_fit(const struct plan *pl, char *why, size_t whylen)
{
	unsigned handed[POLICY_PLAN_PORTS_MAX];
	struct conf_verdict v;
	struct svc_launch l;
	int res[2], ws, st;
	size_t i;
	pid_t pid;

	if (pl->to->handoff != HANDOFF_NGINX)
		return EXIT_DONE;
	for (i = 0; i < pl->nports; i++)
		handed[i] = handed_to(pl->ports[i]);
	if ((st = svc_resolve(pl->to, &l, why, whylen)) != EXIT_DONE) {
		svc_launch_free(&l);
		return st;
	}
	if (pipe2(res, O_CLOEXEC) == -1 || (pid = fork()) == -1) {
		snprintf(why, whylen, "cannot look at %s's configuration: %s",
		    pl->to->name, strerror(errno));
		svc_launch_free(&l);
		return EXIT_FAILED;
	}
	if (pid == 0) {
		close(res[0]);
		(void)setpgid(0, 0);    /* one group: a late look is killed whole */
		reader(pl, &l, handed, res[1]);
	}
	svc_launch_free(&l);
	(void)setpgid(pid, pid);
	close(res[1]);
	if (!await_verdict(res[0], &v)) {
		(void)kill(-pid, SIGKILL);
		v.status = EXIT_FAILED;
		snprintf(v.text, sizeof(v.text), "%s -T did not answer within "
		    "%.0f s", pl->to->exe, DEADLINE);
	}
	close(res[0]);
	while (waitpid(pid, &ws, 0) == -1 && errno == EINTR)
		;
	if (v.status != EXIT_DONE)
		snprintf(why, whylen, "%s", v.text);
	return v.status;
}
