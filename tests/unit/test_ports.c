/*
 * test_ports.c - who holds a port (helper/act/holders.c) and whether a socket
 * may be handed over (stop_socket_fit in helper/act/release.c), against real
 * sockets and processes of this test:
 *   - a socket is handed over only when it is a listening TCP socket on
 *     the port's wildcard address, owned by root or the old service's
 *     user, without SO_REUSEPORT, a classic or an eBPF filter, a device;
 *   - a read of /proc that fails is "cannot tell", never "not holding";
 *   - more listening sockets than a scan holds refuse (exit 3);
 *   - an unknown holder user refuses, naming it.
 * Root-only cases (a socket of another user, SO_BINDTODEVICE, an eBPF
 * program) are left out otherwise, with a note.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>

#include <check.h>
#include <poll.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/exitcodes.h"
#include "helper/act/holders.h"
#include "helper/act/release.h"

#define NOBODY 65534

static struct service svc = { .name = "old", .exe = "/usr/bin/perl",
    .user = "root", .uid = -1 };
static struct holder_ids owners;
static char why[400];

static void
setup(void)
{
	memset(&owners, 0, sizeof(owners));
	owners.svc = &svc;
	owners.uid[owners.n++] = geteuid();
	why[0] = '\0';
}

/* A TCP socket of FAMILY, OPTS applied, bound to ADDR (any) port 0. */
enum { O_REUSEPORT = 1, O_V6ONLY = 2, O_LOOPBACK = 4, O_NOLISTEN = 8 };

static int
tcp_socket(int family, int opts, int *port)
{
	struct sockaddr_in6 six = { .sin6_family = AF_INET6 };
	struct sockaddr_in four = { .sin_family = AF_INET };
	struct sockaddr_storage got;
	socklen_t len = sizeof(got);
	int fd = socket(family, SOCK_STREAM, 0), one = 1, v6only = !!(opts & O_V6ONLY);

	ck_assert_int_ge(fd, 0);
	if (opts & O_REUSEPORT)
		ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
		    sizeof(one)), 0);
	if (family == AF_INET6) {
		ck_assert_int_eq(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
		    &v6only, sizeof(v6only)), 0);
		if (opts & O_LOOPBACK)
			six.sin6_addr = in6addr_loopback;
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&six, sizeof(six)), 0);
	} else {
		four.sin_addr.s_addr = htonl(opts & O_LOOPBACK ?
		    INADDR_LOOPBACK : INADDR_ANY);
		ck_assert_int_eq(bind(fd, (struct sockaddr *)&four, sizeof(four)), 0);
	}
	if (!(opts & O_NOLISTEN))
		ck_assert_int_eq(listen(fd, 4), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&got, &len), 0);
	*port = ntohs(family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&got)->sin6_port :
	    ((struct sockaddr_in *)&got)->sin_port);
	return fd;
}

static void
unfit(int fd, int port, const char *words)
{
	ck_assert_int_eq(stop_socket_fit(fd, port, &owners, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, words) != NULL, "\"%s\" not in \"%s\"", words,
	    why);
	close(fd);
}

START_TEST(the_plain_listener_is_fit)
{
	int port, fd = tcp_socket(AF_INET6, 0, &port);

	ck_assert_msg(stop_socket_fit(fd, port, &owners, why, sizeof(why)) == 0,
	    "%s", why);
	close(fd);
	fd = tcp_socket(AF_INET, 0, &port);
	ck_assert_msg(stop_socket_fit(fd, port, &owners, why, sizeof(why)) == 0,
	    "%s", why);
	close(fd);
}
END_TEST

START_TEST(reuseport_address_and_state_are_unfit)
{
	int port, fd;

	fd = tcp_socket(AF_INET6, O_REUSEPORT, &port);
	unfit(fd, port, "SO_REUSEPORT");
	fd = tcp_socket(AF_INET, O_LOOPBACK, &port);
	unfit(fd, port, "not bound to the port's listening address");
	fd = tcp_socket(AF_INET6, 0, &port);
	unfit(fd, port == 65535 ? 1 : port + 1, "not bound to the port's "
	    "listening address");
	fd = tcp_socket(AF_INET6, O_NOLISTEN, &port);
	unfit(fd, port, "not a listening TCP socket");
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	unfit(fd, port, "not a listening TCP socket");
	fd = open("/dev/null", O_RDONLY);
	unfit(fd, port, "not a socket");
}
END_TEST

/* A port's sockets go together as its one socket or its IPv4 and IPv6 pair. */
START_TEST(one_socket_or_the_ipv4_and_ipv6_pair)
{
	int port, six, four, dual, fds[2];

	/* an IPv6-only socket is fit, but not alone: IPv4 would go unserved */
	six = tcp_socket(AF_INET6, O_V6ONLY, &port);
	ck_assert_int_eq(stop_socket_fit(six, port, &owners, why, sizeof(why)), 0);
	ck_assert_int_eq(stop_sockets_fit(&six, 1, why, sizeof(why)), -1);
	ck_assert_msg(strstr(why, "nor its IPv4 and IPv6-only pair") != NULL,
	    "%s", why);
	/* with 0.0.0.0 on the same port: two families, never one group */
	four = socket(AF_INET, SOCK_STREAM, 0);
	{
		struct sockaddr_in a = { .sin_family = AF_INET,
		    .sin_port = htons((uint16_t)port) };

		ck_assert_int_eq(bind(four, (struct sockaddr *)&a, sizeof(a)), 0);
		ck_assert_int_eq(listen(four, 4), 0);
	}
	ck_assert_int_eq(stop_socket_fit(four, port, &owners, why,
	    sizeof(why)), 0);
	fds[0] = four, fds[1] = six;
	ck_assert_msg(stop_sockets_fit(fds, 2, why, sizeof(why)) == 0, "%s", why);
	fds[0] = six, fds[1] = four;
	ck_assert_int_eq(stop_sockets_fit(fds, 2, why, sizeof(why)), 0);
	ck_assert_int_eq(stop_sockets_fit(&four, 1, why, sizeof(why)), 0);
	/* two of one kind never go together */
	fds[0] = fds[1] = four;
	ck_assert_int_eq(stop_sockets_fit(fds, 2, why, sizeof(why)), -1);
	close(four);
	close(six);
	dual = tcp_socket(AF_INET6, 0, &port);
	ck_assert_int_eq(stop_sockets_fit(&dual, 1, why, sizeof(why)), 0);
	fds[0] = fds[1] = dual;
	ck_assert_int_eq(stop_sockets_fit(fds, 2, why, sizeof(why)), -1);
	close(dual);
}
END_TEST

START_TEST(a_filtered_socket_is_unfit)
{
	struct sock_filter accept_all[] = { BPF_STMT(BPF_RET | BPF_K, 0xffff) };
	struct sock_fprog prog = { 1, accept_all };
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = -1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	int port, fd, bpf;

	fd = tcp_socket(AF_INET6, 0, &port);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog,
	    sizeof(prog)), 0);
	unfit(fd, port, "it has a socket filter");

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = 2;
	attr.license = (unsigned long)"GPL";
	bpf = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (bpf == -1) {
		fprintf(stderr, "note: no eBPF program could be loaded (%s): "
		    "the eBPF filter case is not run\n", strerror(errno));
		return;
	}
	fd = tcp_socket(AF_INET6, 0, &port);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &bpf,
	    sizeof(bpf)), 0);
	unfit(fd, port, "it has an eBPF socket filter");
	close(bpf);
}
END_TEST

/* A listening socket made by uid NOBODY, passed back (root only). */
static int
socket_of_nobody(int *port)
{
	char c = 0, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	int sv[2], fd;
	pid_t pid;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	if ((pid = fork()) == 0) {
		if (setresuid(NOBODY, NOBODY, NOBODY) == -1)
			_exit(1);
		fd = tcp_socket(AF_INET6, 0, port);
		memset(cbuf, 0, sizeof(cbuf));
		CMSG_FIRSTHDR(&m)->cmsg_level = SOL_SOCKET;
		CMSG_FIRSTHDR(&m)->cmsg_type = SCM_RIGHTS;
		CMSG_FIRSTHDR(&m)->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(CMSG_FIRSTHDR(&m)), &fd, sizeof(int));
		iov.iov_base = port;
		iov.iov_len = sizeof(*port);
		_exit(sendmsg(sv[1], &m, 0) == -1);
	}
	iov.iov_base = port;
	iov.iov_len = sizeof(*port);
	ck_assert_int_eq(recvmsg(sv[0], &m, 0), sizeof(*port));
	memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
	waitpid(pid, NULL, 0);
	close(sv[0]);
	close(sv[1]);
	return fd;
}

START_TEST(another_users_or_a_devices_socket_is_unfit)
{
	int port, fd;

	if (geteuid() != 0) {
		/* ours, but the old service's user is someone else */
		owners.uid[0] = NOBODY;
		fd = tcp_socket(AF_INET6, 0, &port);
		unfit(fd, port, "neither root nor a user of old");
		fprintf(stderr, "note: not root: the device case is not run\n");
		return;
	}
	fd = socket_of_nobody(&port);
	unfit(fd, port, "it is owned by uid 65534, neither root nor a user "
	    "of old");
	owners.uid[owners.n++] = NOBODY;    /* the old service's own user */
	fd = socket_of_nobody(&port);
	ck_assert_msg(stop_socket_fit(fd, port, &owners, why, sizeof(why)) == 0,
	    "%s", why);
	close(fd);
	fd = tcp_socket(AF_INET6, O_NOLISTEN, &port);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	unfit(fd, port, "bound to one network interface");
}
END_TEST

/*
 * A child that holds a listening socket on PORT and waits; a second
 * child that cannot open a descriptor (RLIMIT_NOFILE 0) asks whether
 * the first still holds it: "cannot tell" (-1), never "no" (0).  The
 * same child, with its limit back, is told "yes".
 */
START_TEST(a_failed_read_is_not_gone)
{
	struct rlimit none = { 0, 0 };
	struct holders *h = calloc(1, sizeof(*h));
	int port, fd = tcp_socket(AF_INET6, 0, &port), sync[2], st;
	pid_t holder, asker;
	char c;

	ck_assert_int_eq(pipe(sync), 0);
	if ((holder = fork()) == 0) {
		close(sync[0]);
		(void)!write(sync[1], "x", 1);
		pause();
		_exit(0);
	}
	close(fd);
	ck_assert_int_eq(read(sync[0], &c, 1), 1);
	ck_assert_int_eq(ports_holders(port, h, why, sizeof(why)), 0);
	ck_assert_uint_eq(h->n, 1);
	ck_assert_int_eq(h->v[0].pid, holder);
	ck_assert_int_eq(h->v[0].uid, getuid());
	ck_assert_int_eq(h->v[0].euid, geteuid());
	ck_assert_int_eq(holder_holds(&h->v[0], why, sizeof(why)), 1);
	ck_assert_int_eq(holder_same(&h->v[0], why, sizeof(why)), 1);
	if ((asker = fork()) == 0) {
		struct holders *again = calloc(1, sizeof(*again));

		if (again == NULL || setrlimit(RLIMIT_NOFILE, &none) == -1)
			_exit(10);
		if (holder_holds(&h->v[0], why, sizeof(why)) != -1 ||
		    strstr(why, "cannot tell whether pid") == NULL)
			_exit(11);
		if (holder_same(&h->v[0], why, sizeof(why)) != -1)
			_exit(12);
		if (ports_holders(port, again, why, sizeof(why)) != EXIT_FAILED)
			_exit(13);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(asker, &st, 0), asker);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "the child without descriptors: wait status %#x", st);
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	/* gone, seen by a read that worked */
	ck_assert_int_eq(holder_holds(&h->v[0], why, sizeof(why)), 0);
	free(h);
}
END_TEST

START_TEST(more_sockets_than_a_scan_holds_refuse)
{
	struct holders *h = calloc(1, sizeof(*h));
	int fds[PORT_SOCKETS_MAX + 1], port, one = 1, i;
	struct sockaddr_in a = { .sin_family = AF_INET };

	fds[0] = tcp_socket(AF_INET, O_REUSEPORT, &port);
	a.sin_port = htons((uint16_t)port);
	for (i = 1; i <= PORT_SOCKETS_MAX; i++) {
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		ck_assert_int_eq(setsockopt(fds[i], SOL_SOCKET, SO_REUSEPORT,
		    &one, sizeof(one)), 0);
		ck_assert_int_eq(bind(fds[i], (struct sockaddr *)&a, sizeof(a)), 0);
		ck_assert_int_eq(listen(fds[i], 1), 0);
	}
	ck_assert_int_eq(ports_holders(port, h, why, sizeof(why)), EXIT_REFUSED);
	ck_assert_msg(strstr(why, "more than 64 listening sockets") != NULL,
	    "%s", why);
	ck_assert_int_eq(ports_listening(port), 1);
	close(fds[PORT_SOCKETS_MAX]);
	ck_assert_int_eq(ports_holders(port, h, why, sizeof(why)), 0);
	ck_assert_uint_eq(h->nsockets, PORT_SOCKETS_MAX);
	for (i = 0; i < PORT_SOCKETS_MAX; i++)
		close(fds[i]);
	free(h);
}
END_TEST

/*
 * The kernel's table, through NETLINK_SOCK_DIAG: among a thousand
 * connections on the port (several netlink messages' worth, ESTABLISHED
 * and, once closed, TIME_WAIT) only the listener counts, by its inode.
 */
START_TEST(only_the_listener_counts_among_many_connections)
{
	struct holders *h = calloc(1, sizeof(*h));
	struct sockaddr_in a = { .sin_family = AF_INET };
	int port, lfd = tcp_socket(AF_INET, O_LOOPBACK, &port), i;
	int cfd[500], afd[500];
	struct stat st;

	ck_assert_int_eq(fstat(lfd, &st), 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	ck_assert_int_eq(listen(lfd, 600), 0);
	for (i = 0; i < 500; i++) {
		cfd[i] = socket(AF_INET, SOCK_STREAM, 0);
		ck_assert_int_eq(connect(cfd[i], (struct sockaddr *)&a,
		    sizeof(a)), 0);
		ck_assert_int_ge(afd[i] = accept(lfd, NULL, NULL), 0);
	}
	for (i = 0; i < 250; i++) {     /* TIME_WAIT for half of them */
		close(cfd[i]);
		close(afd[i]);
	}
	ck_assert_int_eq(ports_holders(port, h, why, sizeof(why)), 0);
	ck_assert_uint_eq(h->nsockets, 1);
	ck_assert_uint_eq(h->sockets[0], (unsigned long)st.st_ino);
	ck_assert_int_eq(ports_listening(port), 1);
	ck_assert_int_eq(ports_listening_any(port, h->sockets, 1, why,
	    sizeof(why)), 1);
	close(lfd);
	ck_assert_int_eq(ports_listening(port), 0);
	for (i = 250; i < 500; i++) {
		close(cfd[i]);
		close(afd[i]);
	}
	free(h);
}
END_TEST

/* A process waiting in poll() has reached its loop; one in pause() not. */
START_TEST(waiting_is_a_call_that_waits_for_events)
{
	pid_t polling, pausing;
	int i, got = 0;

	if ((polling = fork()) == 0) {
		(void)poll(NULL, 0, 10000);
		_exit(0);
	}
	if ((pausing = fork()) == 0) {
		pause();
		_exit(0);
	}
	for (i = 0; i < 200 && got != 1; i++) {
		usleep(10000);
		got = holder_waiting(polling);
	}
	ck_assert_int_eq(got, 1);
	ck_assert_int_eq(holder_waiting(pausing), 0);
	ck_assert_int_eq(holder_waiting(getpid()), 0);  /* running */
	kill(polling, SIGKILL);
	kill(pausing, SIGKILL);
	waitpid(polling, NULL, 0);
	waitpid(pausing, NULL, 0);
	ck_assert_int_eq(holder_waiting(polling), -1);  /* gone */
}
END_TEST

START_TEST(holder_users_resolve_now)
{
	static const char *const users[] = { "root", "nobody", NULL };
	static const char *const ghost[] = { "root", "no-such-user-ct", NULL };
	struct service s = { .name = "web", .exe = "/usr/bin/perl",
	    .user = "root", .uid = -1 };
	struct holder_ids ids;
	char buf[64];

	ck_assert_int_eq(holder_ids_resolve(&s, &ids, why, sizeof(why)), 0);
	ck_assert_uint_eq(ids.n, 1);
	ck_assert_int_eq(ids.uid[0], 0);
	s.holder_users = users;
	s.nholder_users = 2;
	ck_assert_int_eq(holder_ids_resolve(&s, &ids, why, sizeof(why)), 0);
	ck_assert_uint_eq(ids.n, 2);
	ck_assert_int_eq(ids.uid[1], NOBODY);
	holder_ids_describe(&ids, buf, sizeof(buf));
	ck_assert_str_eq(buf, "root or nobody");
	s.holder_users = ghost;
	ck_assert_int_eq(holder_ids_resolve(&s, &ids, why, sizeof(why)),
	    EXIT_REFUSED);
	ck_assert_msg(strstr(why, "user no-such-user-ct of service web does "
	    "not exist") != NULL, "%s", why);
}
END_TEST

/* exe alone is not identity: the uid must be one of the service's too. */
START_TEST(a_holder_is_exe_and_user)
{
	struct holder h = { 0 };
	struct holders *all = calloc(1, sizeof(*all));
	int port, fd = tcp_socket(AF_INET6, 0, &port), sync[2];
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe2(sync, O_CLOEXEC), 0);
	if ((pid = fork()) == 0) {
		execl("/usr/bin/perl", "perl", "-e", "sleep 30", (char *)NULL);
		_exit(127);
	}
	close(sync[1]);
	close(fd);
	ck_assert_int_eq(read(sync[0], &c, 1), 0);  /* closed by its exec */
	usleep(200 * 1000);
	ck_assert_int_eq(ports_holders(port, all, why, sizeof(why)), 0);
	ck_assert_uint_eq(all->n, 1);
	h = all->v[0];
	svc.exe = "/usr/bin/perl";
	owners.uid[0] = geteuid();
	ck_assert(holder_is(&h, &owners));
	owners.uid[0] = geteuid() + 1;      /* perl, but not its user */
	ck_assert(!holder_is(&h, &owners));
	ck_assert_uint_eq(ports_match(all, &owners, 1), 1);
	ck_assert_ptr_null(all->v[0].service);
	/* a refusal says what differs, of the holder it is most like */
	holder_mismatch(&h, &owners, 1, why, sizeof(why));
	ck_assert_str_eq(why, "it runs /usr/bin/perl, but not as root (old's "
	    "users)");
	owners.uid[0] = geteuid();
	holder_mismatch(&h, &owners, 1, why, sizeof(why));
	ck_assert_str_eq(why, "");
	{
		struct service unit = svc;
		struct holder_ids ids[2] = { owners, owners };
		char cg[HOLDER_CGROUP_MAX], want[1200];

		svc.exe = "/bin/sh";    /* ids[0]: not even its exe */
		unit.unit = "x.service";
		ids[1].svc = &unit;
		ids[1].in_unit = true;
		snprintf(ids[1].cgroup, sizeof(ids[1].cgroup), "/x.slice/x.service");
		ck_assert(!holder_is(&h, &ids[1]));
		ck_assert_int_eq(holder_cgroup(pid, cg, sizeof(cg)), 0);
		holder_mismatch(&h, ids, 2, why, sizeof(why));
		snprintf(want, sizeof(want), "it runs /usr/bin/perl as root, but "
		    "in control group %s, not in x.service's /x.slice/x.service",
		    cg);
		ck_assert_str_eq(why, want);
		holder_mismatch(&h, ids, 1, why, sizeof(why));
		ck_assert_str_eq(why, "its executable is not /bin/sh (old's)");
		svc.exe = "/usr/bin/perl";
	}
	/* a handed socket held by perl: the plan's only if perl is one of it */
	{
		unsigned long inode = all->sockets[0], other = inode + 1;
		struct holder_ids ids[2] = { owners, owners };
		struct service sh = svc;

		sh.exe = "/bin/sh";
		ids[0].svc = &sh;
		ck_assert_int_eq(handed_holders_are(port, &inode, 1, ids, 2, 0,
		    why, sizeof(why)), 1);
		ck_assert_int_eq(handed_holders_are(port, &inode, 1, ids, 1, 0,
		    why, sizeof(why)), 0);
		ck_assert_msg(strstr(why, "'s handed socket is held by pid ") &&
		    strstr(why, "which is not one of the switch's services: its "
		    "executable is not /bin/sh (old's)"), "%s", why);
		/* the transaction's own copy, or another socket: not asked */
		ck_assert_int_eq(handed_holders_are(port, &inode, 1, ids, 1, pid,
		    why, sizeof(why)), 1);
		ck_assert_int_eq(handed_holders_are(port, &other, 1, ids, 1, 0,
		    why, sizeof(why)), 1);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	free(all);
}
END_TEST

/*
 * PID 1's copy of a socket (a unit's fd store) counts for nothing of its
 * own: it goes when another process of the scan holds each of its
 * sockets, and stays, no service's, when it holds one alone or is not
 * root.
 */
START_TEST(pid1_folds_into_who_shares_its_sockets)
{
	struct holders *h = calloc(1, sizeof(*h));
	const struct holder manager = { .pid = 1, .sockets = 0x3 },
	    master = { .pid = 40, .sockets = 0x1 },
	    worker = { .pid = 41, .sockets = 0x3 };

	h->nsockets = 2;
	h->v[0] = master;
	h->v[1] = manager;
	h->v[2] = worker;
	h->n = 3;
	holders_fold_manager(h);
	ck_assert_uint_eq(h->n, 2);
	ck_assert_int_eq(h->v[0].pid, 40);
	ck_assert_int_eq(h->v[1].pid, 41);
	/* the second socket held by PID 1 alone (nginx stopped): it stays */
	h->v[0] = manager;
	h->v[1] = master;
	h->n = 2;
	holders_fold_manager(h);
	ck_assert_uint_eq(h->n, 2);
	ck_assert_int_eq(h->v[0].pid, 1);
	/* alone on the port */
	h->n = 1;
	holders_fold_manager(h);
	ck_assert_uint_eq(h->n, 1);
	/* a PID 1 not root (a user's namespace): judged as any process */
	h->v[0] = manager;
	h->v[0].uid = 1000;
	h->v[1] = worker;
	h->n = 2;
	holders_fold_manager(h);
	ck_assert_uint_eq(h->n, 2);
	h->v[0].uid = 0;
	h->v[0].euid = 1000;
	holders_fold_manager(h);
	ck_assert_uint_eq(h->n, 2);
	h->v[0].euid = 0;
	holders_fold_manager(h);
	ck_assert_uint_eq(h->n, 1);
	ck_assert_int_eq(h->v[0].pid, 41);
	free(h);
}
END_TEST

START_TEST(pids_are_listed_as_far_as_they_fit)
{
	pid_t pids[] = { 12, 345, 6789 };
	char buf[64], small[20];

	pids_describe(pids, 3, buf, sizeof(buf));
	ck_assert_str_eq(buf, "12, 345, 6789");
	pids_describe(pids, 0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "");
	/* no pid is cut in half: one that might not fit is left out */
	pids_describe(pids, 3, small, sizeof(small));
	ck_assert_str_eq(small, "12, 345");
}
END_TEST

/* holder_cgroup: the unified line, else name=systemd; a long line fails. */
static int
cgroup_of(const char *text, char *buf, size_t size)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int rc;

	ck_assert_ptr_nonnull(f);
	rc = holder_cgroup_read(f, buf, size);
	fclose(f);
	return rc;
}

START_TEST(a_cgroup_is_read_whole)
{
	char cg[HOLDER_CGROUP_MAX], text[2048], name[700];

	ck_assert_int_eq(cgroup_of("0::/system.slice/nginx.service\n", cg,
	    sizeof(cg)), 0);
	ck_assert_str_eq(cg, "/system.slice/nginx.service");
	ck_assert_int_eq(cgroup_of("4:memory:/x\n1:name=systemd:/system.slice/a.service\n"
	    "0::/system.slice/b.service\n", cg, sizeof(cg)), 0);
	ck_assert_str_eq(cg, "/system.slice/b.service");
	ck_assert_int_eq(cgroup_of("4:memory:/x\n1:name=systemd:/system.slice/a.service\n",
	    cg, sizeof(cg)), 0);
	ck_assert_str_eq(cg, "/system.slice/a.service");
	ck_assert_int_eq(cgroup_of("4:memory:/x\n", cg, sizeof(cg)), -1);
	/*
	 * A path of the caller's own cgroup, long enough that the end of its
	 * line would be read as a line "0::/system.slice/nginx.service" of
	 * its own: the file is not believed at all.
	 */
	memset(name, 'a', HOLDER_CGROUP_MAX + 31 - strlen("1:name=systemd:/user.slice/"));
	name[HOLDER_CGROUP_MAX + 31 - strlen("1:name=systemd:/user.slice/")] = '\0';
	snprintf(text, sizeof(text), "1:name=systemd:/user.slice/%s"
	    "0::/system.slice/nginx.service\n0::/user.slice/x\n", name);
	ck_assert_int_eq(cgroup_of(text, cg, sizeof(cg)), -1);
}
END_TEST

/*
 * Found by fuzz_procfs: a path longer than the buffer was cut to it (a
 * prefix, another cgroup's path); one with a NUL was read up to it; and
 * a v1 line was taken for systemd's when ":name=systemd:" was anywhere in
 * it, a path included.
 */
START_TEST(a_cgroup_path_is_whole_or_nothing)
{
	char cg[HOLDER_CGROUP_MAX], small[16], longpath[521], text[700];
	FILE *f;
	static const char nul[] = "0::/system.slice/a.service\0/x\n";

	ck_assert_int_eq(cgroup_of("0::/system.slice/nginx.service\n", small,
	    sizeof(small)), -1);
	ck_assert_int_eq(cgroup_of("0::/system.slice/a\n", small,
	    sizeof(small)), 0);
	ck_assert_str_eq(small, "/system.slice/a");
	ck_assert_int_eq(cgroup_of("5:cpu:/x:name=systemd:/system.slice/"
	    "nginx.service\n", cg, sizeof(cg)), -1);
	ck_assert_int_eq(cgroup_of("5:cpu:/x:name=systemd:/evil\n"
	    "1:name=systemd:/system.slice/a.service\n", cg, sizeof(cg)), 0);
	ck_assert_str_eq(cg, "/system.slice/a.service");
	/* a v1 path too long to keep matters only without a "0::" line */
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	snprintf(text, sizeof(text), "1:name=systemd:/%s\n0::/system.slice/"
	    "x.service\n", longpath);
	ck_assert_int_eq(cgroup_of(text, cg, sizeof(cg)), 0);
	ck_assert_str_eq(cg, "/system.slice/x.service");
	snprintf(text, sizeof(text), "1:name=systemd:/%s\n", longpath);
	ck_assert_int_eq(cgroup_of(text, cg, sizeof(cg)), -1);
	f = fmemopen((void *)nul, sizeof(nul) - 1, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(holder_cgroup_read(f, cg, sizeof(cg)), -1);
	fclose(f);
}
END_TEST

/*
 * Found by fuzz_sockdiag: an error message too short for its error (read
 * past the end), and an error of INT_MIN (negated: undefined).
 */
START_TEST(a_short_netlink_error_is_malformed)
{
	struct nlmsghdr *nh = calloc(1, NLMSG_HDRLEN);
	struct holders *h = calloc(1, sizeof(*h));
	char why[64];

	ck_assert_ptr_nonnull(nh);
	ck_assert_ptr_nonnull(h);
	nh->nlmsg_len = NLMSG_HDRLEN;
	nh->nlmsg_type = NLMSG_ERROR;
	ck_assert_int_eq(port_dump_take((const char *)nh, NLMSG_HDRLEN, 80, h,
	    why, sizeof(why)), -2);
	free(nh);
	/* and one whose error is no errno (-INT_MIN overflowed) */
	nh = calloc(1, NLMSG_LENGTH(sizeof(int)));
	ck_assert_ptr_nonnull(nh);
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(int));
	nh->nlmsg_type = NLMSG_ERROR;
	*(int *)NLMSG_DATA(nh) = INT_MIN;
	ck_assert_int_eq(port_dump_take((const char *)nh, nh->nlmsg_len, 80, h,
	    why, sizeof(why)), -1);
	ck_assert_int_eq(errno, EPROTO);
	*(int *)NLMSG_DATA(nh) = -EPERM;
	ck_assert_int_eq(port_dump_take((const char *)nh, nh->nlmsg_len, 80, h,
	    why, sizeof(why)), -1);
	ck_assert_int_eq(errno, EPERM);
	free(nh);
	free(h);
}
END_TEST

Suite *
ports_suite(void)
{
	Suite *s = suite_create("ports");
	TCase *t = tcase_create("ports");

	tcase_add_checked_fixture(t, setup, NULL);
	tcase_add_test(t, the_plain_listener_is_fit);
	tcase_add_test(t, reuseport_address_and_state_are_unfit);
	tcase_add_test(t, one_socket_or_the_ipv4_and_ipv6_pair);
	tcase_add_test(t, a_filtered_socket_is_unfit);
	tcase_add_test(t, another_users_or_a_devices_socket_is_unfit);
	tcase_add_test(t, a_failed_read_is_not_gone);
	tcase_add_test(t, more_sockets_than_a_scan_holds_refuse);
	tcase_add_test(t, only_the_listener_counts_among_many_connections);
	tcase_add_test(t, waiting_is_a_call_that_waits_for_events);
	tcase_add_test(t, holder_users_resolve_now);
	tcase_add_test(t, a_holder_is_exe_and_user);
	tcase_add_test(t, pid1_folds_into_who_shares_its_sockets);
	tcase_add_test(t, pids_are_listed_as_far_as_they_fit);
	tcase_add_test(t, a_cgroup_is_read_whole);
	tcase_add_test(t, a_cgroup_path_is_whole_or_nothing);
	tcase_add_test(t, a_short_netlink_error_is_malformed);
	suite_add_tcase(s, t);
	return s;
}
