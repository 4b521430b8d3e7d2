/*
 * lock.c - one request at a time per port and per service (lock.h).
 *
 * One file per port ("port-8080") and per service ("service-nginx") in a
 * root-only directory (CUTOVER_LOCK_DIR, /run/cutover/lock: /run is a
 * tmpfs, so nothing of it outlives a boot and nothing needs packaging),
 * each locked with flock(LOCK_EX | LOCK_NB).  flock, not fcntl locks: a
 * flock lock belongs to the open file description, so it survives the
 * fork into the switch's transaction and is not dropped when some other
 * descriptor of the same file is closed; the kernel drops it when the
 * holder dies, so a killed request never leaves a stale lock behind.
 *
 * Never waits: a request that finds a lock taken is refused, naming the
 * holder's txid, rather than acting later on a state it has not seen (a
 * stopped holder must not be able to hang every other request either).
 * Locks are taken in one total order (sorted names), so that of two
 * requests that overlap, the one that gets the first common lock gets
 * them all: two such requests can never both be refused, each holding a
 * lock the other wants (and none could deadlock, were they to wait).
 *
 * Must never: follow a symlink, use a directory or file that anyone but
 * root could have put there or written, or report a lock as taken when
 * it was not (any error is a refusal).
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper/record/audit.h"
#include "helper/act/lock.h"
#include "helper/act/rootdir.h"
#include "helper/lib/why.h"

/* ---- what a request touches (pure) ------------------------------------ */

static int
add_name(struct lock_targets *t, const char *kind, const char *name)
{
	if (t->n == LOCK_TARGETS_MAX)
		return -1;
	if ((size_t)snprintf(t->name[t->n], LOCK_NAME_MAX, "%s-%s", kind,
	    name) >= LOCK_NAME_MAX)
		return -1;
	t->n++;
	return 0;
}

static int
add_port(struct lock_targets *t, int port)
{
	char num[16];

	snprintf(num, sizeof(num), "%d", port);
	return add_name(t, "port", num);
}

/* A service and each port it listens on once started. */
static int
add_service(struct lock_targets *t, const struct service *svc)
{
	size_t i;

	if (svc == NULL || add_name(t, "service", svc->name) == -1)
		return -1;
	for (i = 0; i < svc->nports; i++)
		if (add_port(t, svc->ports[i]) == -1)
			return -1;
	return 0;
}

/* A port and the services freeing it may stop. */
static int
add_grant(struct lock_targets *t, const struct port_grant *pg)
{
	size_t i;

	if (pg == NULL || add_port(t, pg->port) == -1)
		return -1;
	for (i = 0; i < pg->nholders; i++)
		if (add_name(t, "service", pg->holders[i]->name) == -1)
			return -1;
	return 0;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Sorted, each name once: the one lock order. */
static void
sort_unique(struct lock_targets *t)
{
	size_t i, n = 0;

	qsort(t->name, t->n, sizeof(t->name[0]), by_name);
	for (i = 0; i < t->n; i++)
		if (n == 0 || strcmp(t->name[n - 1], t->name[i]) != 0)
			memmove(t->name[n++], t->name[i], LOCK_NAME_MAX);
	t->n = n;
}

static int
add_request(const struct policy *p, const struct request *rq,
    struct lock_targets *t)
{
	const struct plan *pl;
	size_t i;

	switch (rq->action) {
	case ACT_FREE_PORT:
		return add_grant(t, policy_port(p, rq->port));
	case ACT_START:
	case ACT_STOP:
		return add_service(t, policy_service(p, rq->target));
	case ACT_SWITCH:
		/* free each port, start TO; rollback: stop TO, start FROM */
		if ((pl = policy_plan(p, rq->target)) == NULL)
			return -1;
		for (i = 0; i < pl->nports; i++)
			if (add_grant(t, pl->grants[i]) == -1)
				return -1;
		if (add_service(t, pl->from) == -1)
			return -1;
		return add_service(t, pl->to);
	case ACT_VERIFY:
		return 0;
	}
	return -1;
}

int
lock_targets_of(const struct policy *p, const struct request *rq,
    struct lock_targets *out, char *why, size_t whylen)
{
	out->n = 0;
	if (add_request(p, rq, out) == -1) {
		out->n = 0;
		return why_set(why, whylen,
		    "cannot tell what this request would "
		    "touch (an unknown target, or more than %d ports and "
		    "services)", LOCK_TARGETS_MAX);
	}
	sort_unique(out);
	return 0;
}

/* ---- the locks ------------------------------------------------------------ */

/* "port-8080" -> "port 8080": the words for messages. */
static void
target_words(const char *name, char *buf, size_t size)
{
	char *dash;

	snprintf(buf, size, "%s", name);
	if ((dash = strchr(buf, '-')) != NULL)
		*dash = ' ';
}

/* Only names lock_targets_of makes: never a path, never a dot file. */
static bool
name_ok(const char *s)
{
	if (s[0] == '\0' || s[0] == '-')
		return false;
	for (; *s != '\0'; s++)
		if (!(*s == '-' || *s == '_' || (*s >= '0' && *s <= '9') ||
		    (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
			return false;
	return true;
}

/*
 * The lock file NAME in DIRFD, made 0600 if missing, in root's group (the
 * transaction's filesystem gid is 0: privilege_become_transaction);
 * checked on the descriptor: a regular file of OWNER's, one link,
 * writable by the owner only.
 */
static int
open_lock_file(int dirfd, uid_t owner, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0600);

	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != owner || st.st_nlink != 1 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

static bool
read_txid(int fd, char out[AUDIT_TXID_SIZE])
{
	ssize_t n = pread(fd, out, AUDIT_TXID_SIZE - 1, 0);
	ssize_t i;

	for (i = 0; i < n; i++)
		if (!((out[i] >= '0' && out[i] <= '9') ||
		    (out[i] >= 'a' && out[i] <= 'f')))
			return false;
	out[n > 0 ? n : 0] = '\0';
	return n == AUDIT_TXID_SIZE - 1;
}

/*
 * The holder's txid.  It writes it right after its flock, into a file
 * its predecessor emptied: give it up to 20 ms to appear, then say
 * "unknown" (a holder killed hard leaves its own txid behind, which
 * the next one overwrites).
 */
static void
holder_txid(int fd, char out[AUDIT_TXID_SIZE])
{
	const struct timespec ms = { 0, 1000 * 1000L };
	int tries;

	for (tries = 0; tries < 20; tries++) {
		if (read_txid(fd, out))
			return;
		nanosleep(&ms, NULL);
	}
	snprintf(out, AUDIT_TXID_SIZE, "unknown");
}

/*
 * Every txid has the same length: overwritten in place, the file never
 * shows a reader half of one txid and half of another.
 */
static int
write_txid(int fd, const char *txid)
{
	char line[AUDIT_TXID_SIZE + 1];
	int n = snprintf(line, sizeof(line), "%s\n", txid);

	if (n != AUDIT_TXID_SIZE || pwrite(fd, line, (size_t)n, 0) != n)
		return -1;
	return ftruncate(fd, n);
}

/* One lock, NAME, taken and marked with TXID: its fd, or -1 with WHY. */
static int
take_one(int dirfd, uid_t owner, const char *name, const char *txid,
    char *why, size_t whylen)
{
	char words[LOCK_NAME_MAX], other[AUDIT_TXID_SIZE];
	int fd, e;

	target_words(name, words, sizeof(words));
	if (!name_ok(name)) {
		errno = EINVAL;
		fd = -1;
	} else
		fd = open_lock_file(dirfd, owner, name);
	if (fd == -1)
		return why_set(why, whylen, "cannot lock %s (lock file %s: %s)",
		    words, name, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		e = errno;
		if (e == EWOULDBLOCK)
			holder_txid(fd, other);
		close(fd);
		if (e == EWOULDBLOCK)
			return why_set(why, whylen,
			    "another cutover request is "
			    "working on %s (txid %s); try again when it has "
			    "finished", words, other);
		return why_set(why, whylen, "cannot lock %s (lock file %s: %s)",
		    words, name, strerror(e));
	}
	if (write_txid(fd, txid) == -1) {
		e = errno;
		close(fd);      /* the last descriptor: unlocks it */
		return why_set(why, whylen, "cannot lock %s (writing lock file "
		    "%s: %s)", words, name, strerror(e));
	}
	return fd;
}

int
locks_take_at(struct locks *l, int dirfd, uid_t owner,
    const struct lock_targets *t, const char *txid, char *why,
    size_t whylen)
{
	size_t i;
	int fd;

	for (i = 0; i < t->n; i++) {
		fd = take_one(dirfd, owner, t->name[i], txid, why, whylen);
		if (fd == -1 || l->n == LOCK_TARGETS_MAX) {
			if (fd != -1)
				close(fd);
			locks_release(l);
			return -1;
		}
		l->fd[l->n++] = fd;
	}
	return 0;
}

int
locks_take(struct locks *l, const struct lock_targets *t, const char *txid,
    char *why, size_t whylen)
{
	int dirfd, st;

	if (t->n == 0)
		return 0;
	if ((dirfd = rootdir_open(CUTOVER_LOCK_DIR, "lock directory", why, whylen)) == -1)
		return -1;
	st = locks_take_at(l, dirfd, 0, t, txid, why, whylen);
	close(dirfd);
	return st;
}

/*
 * Emptied first, so that the next request refused on this file never
 * names a finished one; unlocked explicitly, so that a copy of the fd
 * left in some child (a launch child before its exec) cannot keep it.
 */
void
locks_release(struct locks *l)
{
	while (l != NULL && l->n > 0) {
		int fd = l->fd[--l->n];

		(void)!ftruncate(fd, 0);
		(void)flock(fd, LOCK_UN);
		close(fd);
	}
}

void
locks_forget(struct locks *l)
{
	while (l != NULL && l->n > 0)
		close(l->fd[--l->n]);
}
