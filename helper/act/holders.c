/*
 * holders.c - who holds a listening TCP port.
 *
 * The kernel's socket tables (NETLINK_SOCK_DIAG, IPv4 and IPv6) give the
 * inodes of the LISTEN sockets on the port; every process's fd table gives who has
 * them open - all of them, so a SO_REUSEPORT peer or a process the socket
 * was passed to shows up as a holder too.  Identity is the executable's
 * device and inode (stat of /proc/PID/exe), never its name, and the real
 * and effective uid: anyone may run a 0755 program, so the file alone
 * says nothing about whose process it is.  Nothing here decides or
 * signals; it only describes - and a read that fails describes nothing:
 * it is an error, never "not a holder" or "let go".
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/lib/nss.h"
#include "helper/exitcodes.h"
#include "helper/act/holders.h"
#include "helper/lib/procfs.h"

#define TCP_LISTEN 0x0a         /* the kernel's TCP_LISTEN state */
#define DIAG_BUF   65536

/* A process that no longer exists: ENOENT/ESRCH from its /proc entry. */
static bool
vanished(int e)
{
	return e == ENOENT || e == ESRCH;
}

/*
 * What message NH's socket M is bound to.  The kernel puts
 * INET_DIAG_SKV6ONLY on every listening IPv6 socket; one without it is
 * taken for IPv6 alone, the narrower claim.
 */
static enum listen_kind
listener_kind(const struct nlmsghdr *nh, const struct inet_diag_msg *m)
{
	static const uint32_t any[4];
	const struct rtattr *a = (const struct rtattr *)(const void *)(m + 1);
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*m));
	bool v6only = true;

	if (m->idiag_family == AF_INET)
		return m->id.idiag_src[0] == 0 ? LISTEN_V4_ANY :
		    LISTEN_ONE_ADDRESS;
	if (memcmp(m->id.idiag_src, any, sizeof(any)) != 0)
		return LISTEN_ONE_ADDRESS;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == INET_DIAG_SKV6ONLY &&
		    RTA_PAYLOAD(a) >= 1)
			v6only = *(const uint8_t *)RTA_DATA(a) != 0;
	return v6only ? LISTEN_V6_ONLY : LISTEN_V6_DUAL;
}

/* Keep inet_diag message NH if it is a LISTEN socket on PORT; 0, or 3. */
static int
note_listener(const struct nlmsghdr *nh, int port, struct holders *out,
    char *why, size_t whylen)
{
	const struct inet_diag_msg *m = NLMSG_DATA(nh);

	if (m->idiag_state != TCP_LISTEN || ntohs(m->id.idiag_sport) != port ||
	    m->idiag_inode == 0)
		return 0;
	if (out->nsockets == PORT_SOCKETS_MAX) {
		snprintf(why, whylen, "port %d has more than %d listening "
		    "sockets, more than cutover can account for", port,
		    PORT_SOCKETS_MAX);
		return EXIT_REFUSED;
	}
	out->kinds[out->nsockets] = listener_kind(nh, m);
	out->sockets[out->nsockets++] = m->idiag_inode;
	return 0;
}

int
port_dump_take(const char *buf, size_t n, int port, struct holders *out,
    char *why, size_t whylen)
{
	const struct nlmsghdr *nh = (const struct nlmsghdr *)(const void *)buf;
	int len = (int)n, rc;

	/* NLMSG_OK, without its comparison of an int with the u32 length */
	for (; len >= (int)NLMSG_HDRLEN && nh->nlmsg_len >= NLMSG_HDRLEN &&
	    nh->nlmsg_len <= (unsigned)len; nh = NLMSG_NEXT(nh, len)) {
		if (nh->nlmsg_flags & NLM_F_DUMP_INTR)
			return -2;
		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			/* a length too short for the error read it past the end */
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(e->error)))
				return -2;
			/* an errno is 1..4095 (MAX_ERRNO); -INT_MIN is no int */
			errno = e->error < 0 && e->error > -4096 ? -e->error :
			    EPROTO;
			return -1;
		}
		if (nh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;
		if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
			return -2;
		if ((rc = note_listener(nh, port, out, why, whylen)) != 0)
			return rc;
	}
	return len == 0 ? 0 : -2;
}

/*
 * One family's LISTEN sockets on PORT, appended to OUT, from the
 * kernel's socket diagnostics (NETLINK_SOCK_DIAG, what ss(8) reads).
 * The kernel selects the LISTEN state itself: under load a port has tens
 * of thousands of TIME_WAIT sockets, which /proc/net/tcp would print and
 * this process parse, line by line, on every look (20 ms each under the
 * benchmark's load).  0; 1 when the table cannot be read whole; 3 when
 * the port has more LISTEN sockets than OUT holds.
 */
static int
listen_sockets(int family, int port, struct holders *out, char *buf,
    char *why, size_t whylen)
{
	struct {
		struct nlmsghdr nh;
		struct inet_diag_req_v2 r;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.r = { .sdiag_family = (unsigned char)family,
		    .sdiag_protocol = IPPROTO_TCP, .idiag_states = 1U << TCP_LISTEN },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK }, from;
	struct iovec iov = { buf, DIAG_BUF };
	struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof(from),
	    .msg_iov = &iov, .msg_iovlen = 1 };
	const char *what = family == AF_INET6 ? "IPv6" : "IPv4";
	ssize_t n;
	int fd, rc = 0;

	if ((fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
	    NETLINK_SOCK_DIAG)) == -1 || sendto(fd, &req, sizeof(req), 0,
	    (struct sockaddr *)&kernel, sizeof(kernel)) != (ssize_t)sizeof(req))
		rc = -1;
	while (rc == 0) {
		msg.msg_namelen = sizeof(from);
		if ((n = recvmsg(fd, &msg, 0)) == -1 && errno == EINTR)
			continue;
		/* only the kernel's answer counts (nl_pid 0), whole */
		if (n <= 0 || (msg.msg_flags & MSG_TRUNC) ||
		    msg.msg_namelen != sizeof(from) || from.nl_pid != 0)
			rc = n < 0 ? -1 : -2;
		else
			rc = port_dump_take(buf, (size_t)n, port, out, why, whylen);
	}
	if (fd != -1)
		close(fd);
	if (rc == -1 && family == AF_INET6 && (errno == ENOENT ||
	    errno == EAFNOSUPPORT))
		return 0;       /* no IPv6: fine */
	if (rc == -1 || rc == -2)
		snprintf(why, whylen, "cannot read the kernel's %s socket table: "
		    "%s", what, rc == -1 ? strerror(errno) : "it changed or "
		    "ended early while it was read");
	return rc == 1 ? 0 : rc == EXIT_REFUSED ? rc : EXIT_FAILED;
}

/*
 * The LISTEN sockets on PORT, IPv4 and IPv6, into OUT->sockets.  A dump
 * the kernel says was interrupted (the table changed under it) is read
 * again, up to three times.
 */
static int
port_sockets(int port, struct holders *out, char *why, size_t whylen)
{
	static const int families[] = { AF_INET, AF_INET6 };
	char *buf = malloc(DIAG_BUF);
	size_t i;
	int rc = 0, tries;

	if (buf == NULL) {
		snprintf(why, whylen, "out of memory");
		return EXIT_FAILED;
	}
	for (tries = 0; tries < 3; tries++) {
		out->nsockets = 0;
		for (i = 0, rc = 0; rc == 0 && i < 2; i++)
			rc = listen_sockets(families[i], port, out, buf, why,
			    whylen);
		if (rc != EXIT_FAILED)
			break;
	}
	free(buf);
	return rc;
}

static bool
is_pid(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/*
 * Which of SOCKETS PID has open, as a bit mask in *MASK.  0, or -1 with
 * errno when its fd table could not be read whole (ENOENT, ESRCH: the
 * process no longer exists).
 */
static int
held_sockets(pid_t pid, const unsigned long *sockets, size_t nsockets,
    unsigned long long *mask)
{
	char path[64], link[64];
	struct dirent *de;
	unsigned long inode;
	ssize_t n;
	size_t i;
	DIR *d;
	int e = 0;

	*mask = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if (!is_pid(de->d_name))
			continue;       /* "." and ".." */
		if ((n = readlinkat(dirfd(d), de->d_name, link,
		    sizeof(link) - 1)) < 0) {
			if (errno == ENOENT)
				continue;       /* closed meanwhile */
			e = errno;
			break;
		}
		link[n] = '\0';
		if (sscanf(link, "socket:[%lu]", &inode) != 1)
			continue;
		for (i = 0; i < nsockets; i++)
			if (sockets[i] == inode)
				*mask |= 1ULL << i;
	}
	if (e == 0)
		e = errno;      /* readdir's: 0 at the end */
	closedir(d);
	errno = e;
	return e == 0 ? 0 : -1;
}

static unsigned long
first_inode(const struct holders *out, unsigned long long mask)
{
	size_t i;

	for (i = 0; i < out->nsockets; i++)
		if (mask & (1ULL << i))
			return out->sockets[i];
	return 0;
}

/* The parent, from /proc/PID/stat (procfs_stat_parse). */
static int
parent_of(pid_t pid, pid_t *ppid)
{
	struct procfs_stat st;
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) == -1)
		return -1;
	if (procfs_stat_parse(buf, &st) == -1) {
		errno = EPROTO;
		return -1;
	}
	*ppid = st.ppid;
	return 0;
}

int
holder_run_state(pid_t pid)
{
	struct procfs_stat st;
	char path[64], buf[1024];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) == -1 ||
	    procfs_stat_parse(buf, &st) == -1)
		return -1;
	return (unsigned char)st.state;
}

/* The real and effective uid, from the "Uid:" line of /proc/PID/status. */
static int
uids_of(pid_t pid, uid_t *uid, uid_t *euid)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) == -1)
		return -1;
	if (procfs_status_uids(buf, uid, euid) == -1) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

/* Fill H's identity from /proc/PID.  -1 with errno when it can't be read. */
static int
describe_process(pid_t pid, struct holder *h)
{
	char path[64];
	struct stat st;
	ssize_t n;
	size_t len;

	memset(h, 0, sizeof(*h));
	h->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st) == -1)
		return -1;
	h->exe_dev = st.st_dev;
	h->exe_ino = st.st_ino;
	if ((n = readlink(path, h->exe, sizeof(h->exe) - 1)) < 0)
		return -1;
	h->exe[n] = '\0';
	len = (size_t)n;
	h->exe_deleted = len >= 10 && strcmp(h->exe + len - 10, " (deleted)") == 0;
	if (parent_of(pid, &h->ppid) == -1 || uids_of(pid, &h->uid, &h->euid) == -1)
		return -1;
	return 0;
}

/*
 * One process of /proc for ports_holders: a holder appended to OUT, or
 * nothing (it holds none of the sockets, or exited mid-scan: whatever it
 * held is then closed, held by another, or counted unseen).
 */
static int
scan_process(pid_t pid, int port, struct holders *out, char *why,
    size_t whylen)
{
	unsigned long long mask;
	struct holder h;

	if (held_sockets(pid, out->sockets, out->nsockets, &mask) == -1) {
		if (vanished(errno))
			return 0;
		/*
		 * A process an LSM hides from this step (outside the caller's
		 * Landlock domain, an AppArmor profile): not a holder cutover
		 * can name.  A socket only it holds is counted unseen, and a
		 * stop is over only once its sockets have left the kernel's
		 * table (ports_listening_any), so it cannot make either pass.
		 */
		if (errno == EACCES || errno == EPERM) {
			out->nhidden++;
			return 0;
		}
		snprintf(why, whylen, "cannot tell whether pid %d holds port "
		    "%d: /proc/%d/fd: %s", (int)pid, port, (int)pid,
		    strerror(errno));
		return EXIT_FAILED;
	}
	if (mask == 0)
		return 0;
	if (describe_process(pid, &h) == -1) {
		if (vanished(errno))
			return 0;
		snprintf(why, whylen, "cannot tell who pid %d, a holder of "
		    "port %d, is: /proc/%d: %s", (int)pid, port, (int)pid,
		    strerror(errno));
		return EXIT_FAILED;
	}
	if (out->n == HOLDERS_MAX) {
		snprintf(why, whylen, "more than %d processes hold port %d, "
		    "more than cutover can account for", HOLDERS_MAX, port);
		return EXIT_REFUSED;
	}
	h.inode = first_inode(out, mask);
	h.sockets = mask;
	out->v[out->n++] = h;
	return 0;
}

void
holders_fold_manager(struct holders *out)
{
	unsigned long long others = 0;
	size_t i, m = out->n;

	for (i = 0; i < out->n; i++) {
		if (out->v[i].pid == 1)
			m = i;
		else
			others |= out->v[i].sockets;
	}
	if (m == out->n || out->v[m].uid != 0 || out->v[m].euid != 0 ||
	    (out->v[m].sockets & ~others) != 0)
		return;         /* none, or a socket PID 1 alone holds */
	memmove(&out->v[m], &out->v[m + 1], (out->n - m - 1) *
	    sizeof(out->v[0]));
	out->n--;
}

int
ports_holders(int port, struct holders *out, char *why, size_t whylen)
{
	unsigned long long seen = 0;
	struct dirent *de;
	size_t i;
	int rc = 0;
	DIR *d;

	memset(out, 0, sizeof(*out));
	if ((rc = port_sockets(port, out, why, whylen)) != 0)
		return rc;
	if (out->nsockets == 0)
		return 0;
	if ((d = opendir("/proc")) == NULL) {
		snprintf(why, whylen, "cannot list /proc: %s", strerror(errno));
		return EXIT_FAILED;
	}
	for (errno = 0; rc == 0 && (de = readdir(d)) != NULL; errno = 0) {
		pid_t pid;

		if (!is_pid(de->d_name) || (pid = atoi(de->d_name)) <= 0 ||
		    pid == getpid())
			continue;
		rc = scan_process(pid, port, out, why, whylen);
	}
	if (rc == 0 && errno != 0) {
		snprintf(why, whylen, "cannot list /proc: %s", strerror(errno));
		rc = EXIT_FAILED;
	}
	closedir(d);
	if (rc != 0)
		return rc;
	holders_fold_manager(out);
	for (i = 0; i < out->n; i++)
		seen |= out->v[i].sockets;
	for (i = 0; i < out->nsockets; i++)
		out->nunseen += !(seen & (1ULL << i));
	return 0;
}

int
ports_listening(int port)
{
	struct holders *h = malloc(sizeof(*h));
	char why[256];
	int rc;

	if (h == NULL)
		return -1;
	memset(h, 0, sizeof(*h));
	rc = port_sockets(port, h, why, sizeof(why));
	/* More sockets than can be counted: it listens. */
	rc = rc == EXIT_REFUSED ? 1 : rc != 0 ? -1 : h->nsockets > 0;
	free(h);
	return rc;
}

int
ports_listening_any(int port, const unsigned long *inodes, size_t n,
    char *why, size_t whylen)
{
	struct holders *h = malloc(sizeof(*h));
	size_t i, k;
	int rc = 0;

	if (h == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	memset(h, 0, sizeof(*h));
	if ((rc = port_sockets(port, h, why, whylen)) != 0)
		rc = -1;
	for (i = 0; rc == 0 && i < h->nsockets; i++)
		for (k = 0; k < n; k++)
			if (h->sockets[i] == inodes[k])
				rc = 1;
	free(h);
	return rc;
}

int
holder_ids_resolve(const struct service *svc, struct holder_ids *ids,
    char *why, size_t whylen)
{
	const char *const *names = svc->holder_users;
	size_t i, n = svc->nholder_users;
	struct passwd *pw;

	memset(ids, 0, sizeof(*ids));
	ids->svc = svc;
	if (names == NULL || n == 0) {
		if (svc->user == NULL) {        /* user = <uid> */
			ids->uid[ids->n++] = (uid_t)svc->uid;
			return 0;
		}
		names = &svc->user;
		n = 1;
	}
	if (n > POLICY_HOLDER_USERS_MAX) {
		snprintf(why, whylen, "service %s lists too many holder_users",
		    svc->name);
		return EXIT_REFUSED;
	}
	for (i = 0; i < n; i++) {
		errno = 0;
		if ((pw = getpwnam(names[i])) == NULL) {
			bool nf = nss_not_found(errno);

			snprintf(why, whylen, nf ? "user %s of service %s does "
			    "not exist; create it or fix the policy; nothing "
			    "was done" : "cannot look up user %s of service %s: "
			    "%s", names[i], svc->name, strerror(errno));
			return nf ? EXIT_REFUSED : EXIT_FAILED;
		}
		ids->uid[ids->n++] = pw->pw_uid;
	}
	return 0;
}

bool
holder_ids_have(const struct holder_ids *ids, uid_t uid)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		if (ids->uid[i] == uid)
			return true;
	return false;
}

/*
 * The path of a /proc/PID/cgroup LINE of the hierarchy that places units:
 * cgroup v2's "0::PATH" (*UNIFIED), or cgroup v1's "ID:name=systemd:PATH";
 * NULL for any other line.  The hierarchy is the line's second field, not
 * text found anywhere in it: a v1 path may hold ":name=systemd:" itself.
 */
static const char *
cgroup_line_path(const char *line, bool *unified)
{
	size_t id = strspn(line, "0123456789");

	*unified = strncmp(line, "0::", 3) == 0;
	if (*unified)
		return line + 3;
	if (id > 0 && strncmp(line + id, ":name=systemd:", 14) == 0)
		return line + id + 14;
	return NULL;
}

int
holder_cgroup_read(FILE *f, char *buf, size_t size)
{
	char *line = NULL, v1[HOLDER_CGROUP_MAX] = "";
	const char *path;
	size_t cap = 0, len;
	ssize_t n;
	bool unified, found = false, bad = false, v1_cut = false;

	while (!found && !bad && (n = getline(&line, &cap, f)) > 0) {
		len = (size_t)n - (line[n - 1] == '\n');
		/*
		 * Not the kernel's: a NUL (a path would end at it), or a line
		 * longer than any a unit's cgroup makes.  A path cut to the
		 * buffer would be another cgroup's, a prefix of the real one.
		 */
		bad = memchr(line, '\0', len) != NULL ||
		    len >= HOLDER_CGROUP_MAX + 30;
		line[len] = '\0';
		if (bad || (path = cgroup_line_path(line, &unified)) == NULL)
			continue;
		if (unified) {
			bad = snprintf(buf, size, "%s", path) >= (int)size;
			found = !bad;
		} else if (v1[0] == '\0')     /* needed only without a "0::" */
			v1_cut = snprintf(v1, sizeof(v1), "%s", path) >=
			    (int)sizeof(v1);
	}
	free(line);
	if (!found && !bad && !v1_cut && v1[0] != '\0') {
		bad = snprintf(buf, size, "%s", v1) >= (int)size;
		found = !bad;
	}
	return found && !bad ? 0 : -1;
}

int
holder_cgroup(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	rc = holder_cgroup_read(f, buf, size);
	fclose(f);
	return rc;
}

bool
holder_in_cgroup(pid_t pid, const char *cgroup)
{
	char cg[HOLDER_CGROUP_MAX];
	size_t n = strlen(cgroup);

	if (n == 0 || holder_cgroup(pid, cg, sizeof(cg)) == -1)
		return false;
	return strncmp(cg, cgroup, n) == 0 && (cg[n] == '\0' || cg[n] == '/');
}

bool
holder_is(const struct holder *h, const struct holder_ids *ids)
{
	struct stat st;

	if (h->exe_deleted || stat(ids->svc->exe, &st) == -1)
		return false;
	return st.st_dev == h->exe_dev && st.st_ino == h->exe_ino &&
	    holder_ids_have(ids, h->uid) && holder_ids_have(ids, h->euid) &&
	    (!ids->in_unit || holder_in_cgroup(h->pid, ids->cgroup));
}

/* How many of exe, users and cgroup H shares with IDS's service (0-3). */
static int
holder_likeness(const struct holder *h, const struct holder_ids *ids)
{
	struct stat st;

	if (h->exe_deleted || stat(ids->svc->exe, &st) == -1 ||
	    st.st_dev != h->exe_dev || st.st_ino != h->exe_ino)
		return 0;
	if (!holder_ids_have(ids, h->uid) || !holder_ids_have(ids, h->euid))
		return 1;
	return ids->in_unit && !holder_in_cgroup(h->pid, ids->cgroup) ? 2 : 3;
}

void
holder_mismatch(const struct holder *h, const struct holder_ids *ids,
    size_t n, char *buf, size_t size)
{
	const struct holder_ids *like = &ids[0];
	const struct service *svc;
	char users[200], cg[HOLDER_CGROUP_MAX];
	size_t i;

	if (n == 0) {
		snprintf(buf, size, "no service it could be is known");
		return;
	}
	for (i = 1; i < n; i++)
		if (holder_likeness(h, &ids[i]) > holder_likeness(h, like))
			like = &ids[i];
	svc = like->svc;
	holder_ids_describe(like, users, sizeof(users));
	switch (holder_likeness(h, like)) {
	case 0:
		snprintf(buf, size, h->exe_deleted ? "its executable was "
		    "deleted or replaced" : "its executable is not %s (%s's)",
		    svc->exe, svc->name);
		break;
	case 1:
		snprintf(buf, size, "it runs %s, but not as %s (%s's users)",
		    svc->exe, users, svc->name);
		break;
	case 2:
		/* exe and user are right: only the unit's cgroup tells */
		if (holder_cgroup(h->pid, cg, sizeof(cg)) == -1)
			snprintf(cg, sizeof(cg), "(unreadable)");
		snprintf(buf, size, "it runs %s as %s, but in control group "
		    "%s, not in %s's %s", svc->exe, users, cg, svc->unit ?
		    svc->unit : svc->name, like->cgroup[0] ? like->cgroup :
		    "(none: the unit is not running)");
		break;
	default:
		buf[0] = '\0';
	}
}

/* Does H hold one of the sockets INODES[0..N) (HS's scan)? */
static bool
holds_one_of(const struct holders *hs, const struct holder *h,
    const unsigned long *inodes, size_t n)
{
	size_t b, k;

	for (b = 0; b < hs->nsockets && b < 64; b++)
		for (k = 0; (h->sockets & (1ULL << b)) && k < n; k++)
			if (hs->sockets[b] == inodes[k])
				return true;
	return false;
}

int
handed_holders_are(int port, const unsigned long *inodes, size_t n,
    const struct holder_ids *ids, size_t nids, pid_t self, char *why,
    size_t whylen)
{
	struct holders *h = malloc(sizeof(*h));
	char who[320], differs[600], err[256];
	size_t i, k;
	int rc = 1;

	if (h == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (ports_holders(port, h, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "cannot tell who holds port %d's handed "
		    "socket: %s", port, err);
		rc = -1;
	}
	for (i = 0; rc == 1 && i < h->n; i++) {
		if (h->v[i].pid == self || !holds_one_of(h, &h->v[i], inodes, n))
			continue;
		for (k = 0; k < nids && !holder_is(&h->v[i], &ids[k]); k++)
			;
		if (k < nids)
			continue;
		holder_describe(&h->v[i], who, sizeof(who));
		holder_mismatch(&h->v[i], ids, nids, differs, sizeof(differs));
		snprintf(why, whylen, "port %d's handed socket is held by %s, "
		    "which is not one of the switch's services: %s", port, who,
		    differs);
		rc = 0;
	}
	free(h);
	return rc;
}

size_t
ports_match(struct holders *h, const struct holder_ids *ids, size_t n)
{
	size_t i, j, unmatched = 0;

	for (i = 0; i < h->n; i++) {
		h->v[i].service = NULL;
		h->v[i].ids = NULL;
		for (j = 0; j < n && h->v[i].service == NULL; j++)
			if (holder_is(&h->v[i], &ids[j])) {
				h->v[i].service = ids[j].svc;
				h->v[i].ids = &ids[j];
			}
		unmatched += h->v[i].service == NULL;
	}
	return unmatched;
}

void
holder_describe(const struct holder *h, char *buf, size_t size)
{
	const struct passwd *pw = getpwuid(h->uid);
	char eff[48] = "";

	if (h->euid != h->uid)
		snprintf(eff, sizeof(eff), ", effective uid %lu",
		    (unsigned long)h->euid);
	snprintf(buf, size, "pid %d (%s, user %s, uid %lu%s)", (int)h->pid,
	    h->exe, pw != NULL ? pw->pw_name : "?", (unsigned long)h->uid, eff);
}

void
holder_ids_describe(const struct holder_ids *ids, char *buf, size_t size)
{
	const struct service *svc = ids->svc;
	size_t i, len = 0;

	buf[0] = '\0';
	if (svc->user == NULL) {
		snprintf(buf, size, "uid %lld", svc->uid);
		return;
	}
	if (svc->nholder_users == 0) {
		snprintf(buf, size, "%s", svc->user);
		return;
	}
	for (i = 0; i < svc->nholder_users && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i == 0 ? "" : i + 1 == svc->nholder_users ? " or " : ", ",
		    svc->holder_users[i]);
}

int
holder_waiting(pid_t pid)
{
	static const long waits[] = {
#ifdef SYS_accept
		SYS_accept,
#endif
		SYS_accept4,
#ifdef SYS_poll
		SYS_poll,
#endif
		SYS_ppoll,
#ifdef SYS_select
		SYS_select,
#endif
		SYS_pselect6,
#ifdef SYS_epoll_wait
		SYS_epoll_wait,
#endif
		SYS_epoll_pwait,
#ifdef SYS_epoll_pwait2
		SYS_epoll_pwait2,
#endif
	};
	char path[64], buf[256];
	size_t i;
	long nr;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) == -1)
		return -1;
	if (procfs_syscall_nr(buf, &nr) == -1)
		return 0;       /* running, or in no call */
	for (i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
		if (waits[i] == nr)
			return 1;
	return 0;
}

int
holder_holds(const struct holder *h, char *why, size_t whylen)
{
	unsigned long long mask;

	if (held_sockets(h->pid, &h->inode, 1, &mask) == 0)
		return mask != 0;
	if (vanished(errno))
		return 0;
	snprintf(why, whylen, "cannot tell whether pid %d still holds its "
	    "socket: /proc/%d/fd: %s", (int)h->pid, (int)h->pid, strerror(errno));
	return -1;
}

/*
 * Called after its pidfd is open, so that a live pidfd afterwards proves
 * this check was about the same process.
 */
int
holder_same(const struct holder *h, char *why, size_t whylen)
{
	struct holder now;

	if (describe_process(h->pid, &now) == -1) {
		if (vanished(errno))
			return 0;
		snprintf(why, whylen, "cannot tell whether pid %d is still the "
		    "process that was found: /proc/%d: %s", (int)h->pid,
		    (int)h->pid, strerror(errno));
		return -1;
	}
	if (now.exe_dev != h->exe_dev || now.exe_ino != h->exe_ino ||
	    now.exe_deleted || now.uid != h->uid || now.euid != h->euid)
		return 0;
	return holder_holds(h, why, whylen);
}

void
pids_describe(const pid_t *pids, size_t n, char *buf, size_t size)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len + 16 < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%d",
		    i ? ", " : "", (int)pids[i]);
}
