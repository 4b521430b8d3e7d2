/*
 * holders.c - who holds a listening TCP port.
 *
 * The kernel's socket tables (/proc/net/tcp and tcp6) give the inodes of
 * the LISTEN sockets on the port; every process's fd table gives who has
 * them open - all of them, so a SO_REUSEPORT peer or a process the socket
 * was passed to shows up as a holder too.  Identity is the executable's
 * device and inode (stat of /proc/PID/exe), never its name, and the real
 * and effective uid: anyone may run a 0755 program, so the file alone
 * says nothing about whose process it is.  Nothing here decides or
 * signals; it only describes - and a read that fails describes nothing:
 * it is an error, never "not a holder" or "let go".
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/lib/nss.h"
#include "helper/exitcodes.h"
#include "helper/act/holders.h"
#include "helper/lib/procfs.h"

static const char *const tcp_tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };

#define TCP_LISTEN 0x0a

/* A process that no longer exists: ENOENT/ESRCH from its /proc entry. */
static bool
vanished(int e)
{
	return e == ENOENT || e == ESRCH;
}

/*
 * One table's LISTEN sockets on PORT, appended to OUT.  0; 1 when it
 * cannot be read or a line cannot be parsed; 3 when the port has more
 * LISTEN sockets than OUT holds.
 */
static int
listen_sockets(const char *table, int port, struct holders *out, char *why,
    size_t whylen)
{
	char line[512];
	unsigned int lport, state, uid;
	unsigned long inode;
	int rc = 0;
	FILE *f;

	if ((f = fopen(table, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;       /* no IPv6: fine */
		snprintf(why, whylen, "cannot read %s: %s", table,
		    strerror(errno));
		return EXIT_FAILED;
	}
	if (fgets(line, sizeof(line), f) == NULL)       /* the header */
		rc = ferror(f) ? -1 : 0;
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		if (strchr(line, '\n') == NULL || sscanf(line, " %*u: "
		    "%*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*s %*s %*s %u %*d "
		    "%lu", &lport, &state, &uid, &inode) != 4) {
			rc = -1;
			break;
		}
		if ((int)lport != port || state != TCP_LISTEN || inode == 0)
			continue;
		if (out->nsockets == PORT_SOCKETS_MAX) {
			snprintf(why, whylen, "port %d has more than %d listening "
			    "sockets, more than cutover can account for",
			    port, PORT_SOCKETS_MAX);
			rc = EXIT_REFUSED;
			break;
		}
		out->sockets[out->nsockets++] = inode;
	}
	if (rc == 0 && ferror(f))
		rc = -1;
	if (rc == -1) {
		snprintf(why, whylen, "cannot read %s: %s", table, ferror(f) ?
		    strerror(errno) : "a line cutover cannot parse");
		rc = EXIT_FAILED;
	}
	fclose(f);
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

/*
 * The parent from /proc/PID/stat: the command name is in parentheses and
 * may hold any bytes, ")" and spaces included ("x) R 1 1"), so parse
 * after the LAST ')'.
 */
static int
parent_of(pid_t pid, pid_t *ppid)
{
	char path[64], buf[1024], *p;
	int v;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) == -1)
		return -1;
	if ((p = strrchr(buf, ')')) == NULL || sscanf(p + 1, " %*c %d", &v) != 1) {
		errno = EPROTO;
		return -1;
	}
	*ppid = (pid_t)v;
	return 0;
}

/* The real and effective uid, from the "Uid:" line of /proc/PID/status. */
static int
uids_of(pid_t pid, uid_t *uid, uid_t *euid)
{
	char path[64], buf[4096], *p;
	unsigned int r, e;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) == -1)
		return -1;
	if ((p = strstr(buf, "\nUid:")) == NULL ||
	    sscanf(p, "\nUid:\t%u\t%u", &r, &e) != 2) {
		errno = EPROTO;
		return -1;
	}
	*uid = (uid_t)r;
	*euid = (uid_t)e;
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

int
ports_holders(int port, struct holders *out, char *why, size_t whylen)
{
	unsigned long long seen = 0;
	struct dirent *de;
	size_t i;
	int rc = 0;
	DIR *d;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(tcp_tables) / sizeof(tcp_tables[0]); i++)
		if ((rc = listen_sockets(tcp_tables[i], port, out, why,
		    whylen)) != 0)
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
	size_t i;
	int rc = 0;

	if (h == NULL)
		return -1;
	memset(h, 0, sizeof(*h));
	for (i = 0; rc == 0 && i < sizeof(tcp_tables) / sizeof(tcp_tables[0]);
	    i++)
		rc = listen_sockets(tcp_tables[i], port, h, why, sizeof(why));
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
	for (i = 0; rc == 0 && i < sizeof(tcp_tables) / sizeof(tcp_tables[0]);
	    i++)
		rc = listen_sockets(tcp_tables[i], port, h, why, whylen);
	if (rc != 0)
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

static bool
uid_in(const struct holder_ids *ids, uid_t uid)
{
	size_t i;

	for (i = 0; i < ids->n; i++)
		if (ids->uid[i] == uid)
			return true;
	return false;
}

int
holder_cgroup_read(FILE *f, char *buf, size_t size)
{
	char line[HOLDER_CGROUP_MAX + 32], v1[HOLDER_CGROUP_MAX] = "";
	bool found = false;

	while (!found && fgets(line, sizeof(line), f) != NULL) {
		/*
		 * A line longer than the buffer is not read in pieces: the
		 * rest of a long path (one a caller may name, in a cgroup it
		 * owns) would be taken for a line of its own, "0::/..." too.
		 */
		if (strchr(line, '\n') == NULL && !feof(f))
			return -1;
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "0::", 3) == 0) {
			snprintf(buf, size, "%s", line + 3);
			found = true;
		} else if (strstr(line, ":name=systemd:") != NULL)
			snprintf(v1, sizeof(v1), "%s",
			    strstr(line, ":name=systemd:") + 14);
	}
	if (!found && v1[0] != '\0') {
		snprintf(buf, size, "%s", v1);
		found = true;
	}
	return found ? 0 : -1;
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

/* PID is in CGROUP or below it (a unit's delegated sub-cgroups). */
static bool
in_cgroup(pid_t pid, const char *cgroup)
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
	    uid_in(ids, h->uid) && uid_in(ids, h->euid) &&
	    (!ids->in_unit || in_cgroup(h->pid, ids->cgroup));
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
