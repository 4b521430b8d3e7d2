/*
 * ports.c - who holds a listening TCP port.
 *
 * The kernel's socket tables (/proc/net/tcp and tcp6) give the inodes of
 * the LISTEN sockets on the port; every process's fd table gives who has
 * them open - all of them, so a SO_REUSEPORT peer or a process the socket
 * was passed to shows up as a holder too.  Identity is the executable's
 * device and inode (stat of /proc/PID/exe), never its name.  Nothing here
 * decides or signals; it only describes.
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

#include "ports.h"
#include "procfs.h"

static const char *const tcp_tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };

#define TCP_LISTEN 0x0a

/* One table's LISTEN sockets on PORT, appended to OUT. */
static int
listen_sockets(const char *table, int port, struct holders *out)
{
	char line[512];
	unsigned int lport, state, uid;
	unsigned long inode;
	FILE *f;

	if ((f = fopen(table, "re")) == NULL)
		return errno == ENOENT ? 0 : -1;   /* no IPv6: fine */
	if (fgets(line, sizeof(line), f) == NULL) {     /* header */
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x "
		    "%*s %*s %*s %u %*d %lu", &lport, &state, &uid, &inode) != 4)
			continue;
		if ((int)lport != port || state != TCP_LISTEN || inode == 0)
			continue;
		if (out->nsockets == sizeof(out->sockets) / sizeof(out->sockets[0]))
			break;
		out->sockets[out->nsockets++] = inode;
	}
	fclose(f);
	return 0;
}

static bool
is_pid(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Which of OUT's sockets PID has open, as a bit mask (0: none). */
static unsigned long long
held_sockets(pid_t pid, const unsigned long *sockets, size_t nsockets)
{
	char path[64], link[64];
	struct dirent *de;
	unsigned long inode;
	unsigned long long mask = 0;
	ssize_t n;
	size_t i;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return 0;       /* exited, or a kernel thread */
	while ((de = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%.16s", (int)pid,
		    de->d_name);
		if ((n = readlink(path, link, sizeof(link) - 1)) <= 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%lu]", &inode) != 1)
			continue;
		for (i = 0; i < nsockets; i++)
			if (sockets[i] == inode)
				mask |= 1ULL << i;
	}
	closedir(d);
	return mask;
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
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) == -1 ||
	    (p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

static int
real_uid_of(pid_t pid, uid_t *uid)
{
	char path[64], buf[4096], *p;
	unsigned int u;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (procfs_read(path, buf, sizeof(buf)) == -1 ||
	    (p = strstr(buf, "\nUid:")) == NULL ||
	    sscanf(p, "\nUid:\t%u", &u) != 1)
		return -1;
	*uid = (uid_t)u;
	return 0;
}

/* Fill H's identity from /proc/PID.  -1 if the process went away. */
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
	if ((h->ppid = parent_of(pid)) == -1 || real_uid_of(pid, &h->uid) == -1)
		return -1;
	return 0;
}

int
ports_holders(int port, struct holders *out, char *why, size_t whylen)
{
	unsigned long long seen = 0;
	struct dirent *de;
	size_t i;
	DIR *d;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(tcp_tables) / sizeof(tcp_tables[0]); i++)
		if (listen_sockets(tcp_tables[i], port, out) == -1) {
			snprintf(why, whylen, "cannot read %s: %s",
			    tcp_tables[i], strerror(errno));
			return -1;
		}
	if (out->nsockets == 0)
		return 0;
	if ((d = opendir("/proc")) == NULL) {
		snprintf(why, whylen, "cannot list /proc: %s", strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL && out->n < HOLDERS_MAX) {
		unsigned long long mask;
		pid_t pid;

		if (!is_pid(de->d_name) || (pid = atoi(de->d_name)) <= 0 ||
		    pid == getpid() || (mask = held_sockets(pid, out->sockets, out->nsockets)) == 0)
			continue;
		if (describe_process(pid, &out->v[out->n]) == 0) {
			out->v[out->n].inode = first_inode(out, mask);
			out->v[out->n].sockets = mask;
			seen |= mask;
			out->n++;
		}
	}
	closedir(d);
	for (i = 0; i < out->nsockets; i++)
		out->nunseen += !(seen & (1ULL << i));
	return 0;
}

int
ports_listening(int port)
{
	struct holders *h = malloc(sizeof(*h));
	size_t i;
	int rc = 0;

	if (h == NULL)
		return -1;
	memset(h, 0, sizeof(*h));
	for (i = 0; i < sizeof(tcp_tables) / sizeof(tcp_tables[0]); i++)
		if (listen_sockets(tcp_tables[i], port, h) == -1)
			rc = -1;
	if (rc == 0)
		rc = h->nsockets > 0;
	free(h);
	return rc;
}

bool
holder_is(const struct holder *h, const struct service *svc)
{
	struct stat st;

	if (h->exe_deleted || stat(svc->exe, &st) == -1)
		return false;
	return st.st_dev == h->exe_dev && st.st_ino == h->exe_ino;
}

size_t
ports_match(struct holders *h, const struct service *const *services,
    size_t nservices)
{
	size_t i, j, unmatched = 0;

	for (i = 0; i < h->n; i++) {
		h->v[i].service = NULL;
		for (j = 0; j < nservices && h->v[i].service == NULL; j++)
			if (holder_is(&h->v[i], services[j]))
				h->v[i].service = services[j];
		unmatched += h->v[i].service == NULL;
	}
	return unmatched;
}

void
holder_describe(const struct holder *h, char *buf, size_t size)
{
	const struct passwd *pw = getpwuid(h->uid);

	snprintf(buf, size, "pid %d (%s, user %s, uid %lu)", (int)h->pid,
	    h->exe, pw != NULL ? pw->pw_name : "?", (unsigned long)h->uid);
}

/*
 * Is H still the process that was found: same executable (dev, ino), same
 * uid, still holding its socket?  Called after its pidfd is open, so that
 * a live pidfd afterwards proves this check was about the same process.
 */
bool
holder_still(const struct holder *h)
{
	struct holder now;

	if (describe_process(h->pid, &now) == -1)
		return false;
	if (now.exe_dev != h->exe_dev || now.exe_ino != h->exe_ino ||
	    now.exe_deleted || now.uid != h->uid)
		return false;
	return held_sockets(h->pid, &h->inode, 1) != 0;
}
