/*
 * audit.c - the audit record: encoding (pure), the JSON-lines file sink
 * and a syslog client that, unlike syslog(3), reports failure.
 *
 * Rules this file keeps:
 * - every string a record holds goes through sb_json_* (strbuf.c, the
 *   project's one escaper), so no byte of the caller's can end a line or
 *   a JSON string early: a caller cannot forge a record;
 * - a record is written with ONE write()/send(), never retried after a
 *   partial write (a retry would split the line around someone else's);
 * - any failure of an enabled sink is reported, and the caller refuses.
 */
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/utsname.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "helper/record/audit.h"
#include "helper/record/chain.h"
#include "helper/lib/why.h"
#include "policy/safepath.h"

/*
 * How long a record waits for the audit file's lock (another run writing
 * its record holds it for one write and fdatasync).  The lock is a file
 * of root's alone beside the log (.NAME.lock, 0600), not the log itself,
 * which group adm may open and so lock; after this, the record fails and
 * nothing is done, rather than a run hanging.
 */
#define FILE_LOCK_TIMEOUT_MS 5000

/* How long a send to a stuck syslog daemon may block before it fails. */
#define SYSLOG_TIMEOUT_SECONDS 5

/* "…": marks a string or list the caps in audit.h cut short. */
#define ELLIPSIS "\xe2\x80\xa6"

/* ---- encoding ------------------------------------------------------- */

/* Bytes of S to keep under CAP without splitting a UTF-8 sequence. */
static size_t
utf8_prefix(const char *s, size_t cap)
{
	size_t keep = cap;

	while (keep > 0 && cap - keep < 3 &&
	    ((unsigned char)s[keep] & 0xc0) == 0x80)
		keep--;
	return ((unsigned char)s[keep] & 0xc0) == 0x80 ? cap : keep;
}

/*
 * S as a JSON string, at most CAP of its bytes.  The record is for humans,
 * so a cut string says so, inside the string, with its real length:
 * "abc…(truncated, 123456 bytes)".  (A malformed request's argv may be
 * huge; the record must stay one small line.)
 */
static void
put_str(struct strbuf *out, const char *s, size_t cap)
{
	struct strbuf cut = STRBUF_INIT;
	size_t len;

	if (s == NULL) {
		sb_puts(out, "null");
		return;
	}
	len = strlen(s);
	if (len <= cap) {
		sb_json_string(out, s, len);
		return;
	}
	sb_append(&cut, s, utf8_prefix(s, cap));
	sb_printf(&cut, ELLIPSIS "(truncated, %zu bytes)", len);
	if (sb_failed(&cut))
		out->failed = true;
	else
		sb_json_string(out, cut.s, cut.len);
	sb_free(&cut);
}

/* ,"KEY":"VALUE" (KEY is ours; VALUE is escaped and capped). */
static void
put_key_str(struct strbuf *out, const char *key, const char *s, size_t cap)
{
	sb_printf(out, ",\"%s\":", key);
	put_str(out, s, cap);
}

/* Marks the end of a list cut at its cap: N entries left out. */
static void
put_list_cut(struct strbuf *out, size_t more)
{
	sb_printf(out, ",\"" ELLIPSIS "(truncated, %zu more)\"", more);
}

static void
put_names(struct strbuf *out, const char *const *names, size_t n)
{
	size_t i;

	if (names == NULL && n > 0) {
		sb_puts(out, "null");
		return;
	}
	sb_puts(out, "[");
	for (i = 0; i < n && i < AUDIT_NAMES_MAX; i++) {
		if (i > 0)
			sb_puts(out, ",");
		put_str(out, names[i], AUDIT_ENTRY_MAX);
	}
	if (n > AUDIT_NAMES_MAX)
		put_list_cut(out, n - AUDIT_NAMES_MAX);
	sb_puts(out, "]");
}

static void
put_pids(struct strbuf *out, const pid_t *pids, size_t n)
{
	size_t i;

	if (pids == NULL && n > 0) {
		sb_puts(out, "null");
		return;
	}
	sb_puts(out, "[");
	for (i = 0; i < n && i < AUDIT_PIDS_MAX; i++)
		sb_printf(out, "%s%ld", i > 0 ? "," : "", (long)pids[i]);
	if (n > AUDIT_PIDS_MAX)
		put_list_cut(out, n - AUDIT_PIDS_MAX);
	sb_puts(out, "]");
}

/*
 * RFC 3339, UTC, milliseconds: "2026-11-25T01:02:03.456Z".  Written field
 * by field, not with strftime: its %Y does not pad a year below 1000 to
 * four digits ("467-01-02T..."), which RFC 3339 requires; a year it cannot
 * spell at all (below 0 or above 9999) gives null, like a clock gmtime
 * cannot read.
 */
static void
put_time(struct strbuf *out, const struct timespec *now)
{
	struct tm tm;
	long year, ms = 0;

	if (gmtime_r(&now->tv_sec, &tm) == NULL ||
	    (year = (long)tm.tm_year + 1900) < 0 || year > 9999) {
		sb_puts(out, "null");
		return;
	}
	if (now->tv_nsec >= 0 && now->tv_nsec < 1000000000L)
		ms = now->tv_nsec / 1000000L;
	sb_printf(out, "\"%04ld-%02d-%02dT%02d:%02d:%02d.%03ldZ\"", year,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

static void
put_where(struct strbuf *out, const struct audit_event *ev,
    const struct audit_context *ctx)
{
	sb_puts(out, "{\"time\":");
	put_time(out, &ctx->now);
	put_key_str(out, "host", ctx->host, AUDIT_NAME_MAX);
	sb_printf(out, ",\"pid\":%ld", (long)ctx->pid);
	put_key_str(out, "txid", ev->txid, AUDIT_NAME_MAX);
	sb_printf(out, ",\"stage\":\"%s\"",
	    ev->stage == AUDIT_OUTCOME ? "outcome" :
	    ev->stage == AUDIT_STEP ? "step" : "request");
	if (ev->stage == AUDIT_STEP)
		put_key_str(out, "step", ev->step, AUDIT_STR_MAX);
}

/*
 * An unknown caller (a uid with no name: caller_identify failed) is still
 * a uid: the kernel's real uid, from the context.
 */
static void
put_who(struct strbuf *out, const struct caller *c,
    const struct audit_context *ctx)
{
	if (c == NULL) {
		sb_printf(out, ",\"user\":null,\"uid\":%lu,\"groups\":null,"
		    "\"tty\":null", (unsigned long)ctx->uid);
		return;
	}
	put_key_str(out, "user", c->name, AUDIT_NAME_MAX);
	sb_printf(out, ",\"uid\":%lu,\"groups\":", (unsigned long)c->uid);
	/* subject.groups: the names caller.c found, as decide() saw them. */
	put_names(out, c->subject.groups, c->subject.ngroups);
	put_key_str(out, "tty", c->tty[0] != '\0' ? c->tty : NULL,
	    AUDIT_NAME_MAX);
}

static void
put_request(struct strbuf *out, const struct audit_event *ev)
{
	put_key_str(out, "action", ev->action, AUDIT_STR_MAX);
	put_key_str(out, "target", ev->target, AUDIT_STR_MAX);
	sb_printf(out, ",\"dry_run\":%s", ev->dry_run ? "true" : "false");
	put_key_str(out, "run_id", ev->run_id, AUDIT_NAME_MAX);
	put_key_str(out, "caller_reason", ev->caller_reason, AUDIT_STR_MAX);
	put_key_str(out, "decision", ev->decision, AUDIT_NAME_MAX);
	put_key_str(out, "rule", ev->rule, AUDIT_STR_MAX);
	put_key_str(out, "reason", ev->reason, AUDIT_STR_MAX);
}

static void
put_outcome(struct strbuf *out, const struct audit_event *ev)
{
	put_key_str(out, "outcome", ev->outcome, AUDIT_NAME_MAX);
	sb_puts(out, ",\"pids\":");
	put_pids(out, ev->pids, ev->npids);
	sb_puts(out, ",\"users\":");
	put_names(out, ev->users, ev->nusers);
	/* JSON has no NaN or Infinity; a nonsense duration is unknown. */
	if (isfinite(ev->duration) && ev->duration >= 0)
		sb_printf(out, ",\"duration\":%.3f", ev->duration);
	else
		sb_puts(out, ",\"duration\":null");
}

void
audit_encode(const struct audit_event *ev, const struct audit_context *ctx,
    struct strbuf *out)
{
	put_where(out, ev, ctx);
	put_who(out, ev->caller, ctx);
	put_request(out, ev);
	if (ev->stage != AUDIT_REQUEST)
		put_outcome(out, ev);
	/* Last, where chain.h's readers find it without parsing the line. */
	if (ctx->prev != NULL)
		put_key_str(out, "prev", ctx->prev, CHAIN_HEX_SIZE - 1);
	sb_puts(out, "}\n");
}

/* ---- errors ---------------------------------------------------------- */

/* Close FD without losing the errno that explains the failure. */
static void
close_keep_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* ---- the file sink --------------------------------------------------- */

/*
 * Root-owned and writable by root only: then no one else can have put or
 * replaced anything in it (a directory) or written a line (the file).
 * Group-writable is refused too: a member of adm, who may read the log,
 * must not be able to add a forged record.
 */
static bool
root_only(const struct stat *st)
{
	return safepath_bad(st) == 0;
}

/* Group adm reads the logs on Debian; without an adm group, root only. */
static gid_t
log_group(void)
{
	struct group *gr = getgrnam("adm");

	return gr != NULL ? gr->gr_gid : 0;
}

/*
 * Give a new directory or file (fd) to root:adm, then MODE.  It is made
 * with mode 0700/0600 first because a setuid-root process creates files
 * in the CALLER's group (only the uid is root's): with 0750/0640 from the
 * start, a member of that group could open it in the window before
 * fchown and keep reading every later record through that descriptor.
 */
static int
give_to_log_group(int fd, mode_t mode)
{
	if (fchown(fd, 0, log_group()) == -1 || fchmod(fd, mode) == -1)
		return -1;
	return 0;
}

/*
 * Create the log's directory NAME in PARENT (already checked root-only),
 * 0750 root:adm, as a package would.  Only the last component is ever
 * made: nobody needs to create /var/log/cutover by hand before the first
 * request (make install does not, an admin or a cleanup may remove it),
 * and doing it is safe because no one but root can have raced us in a
 * root-only parent.  A missing directory higher up is an error.
 */
static int
make_log_dir(int parent, const char *name)
{
	int fd;

	if (mkdirat(parent, name, 0700) == -1)
		return errno == EEXIST ? 0 : -1;
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (give_to_log_group(fd, 0750) == -1) {
		close_keep_errno(fd);
		return -1;
	}
	return close(fd);
}

/* safepath's make_dir(): only the log's own directory is ever made. */
static int
make_last_log_dir(void *ctx, int parent, const char *name, bool last)
{
	(void)ctx;
	if (!last) {
		errno = ENOENT;
		return -1;
	}
	return make_log_dir(parent, name);
}

/*
 * Walk from "/" to DIR (absolute) with policy/safepath.c: every directory
 * root-only, no symlink, the last one made if missing.  Returns an O_PATH
 * descriptor of DIR, or -1 with WHY.
 */
static int
open_log_dir(const char *dir, const char *path, char *why, size_t whylen)
{
	struct safepath w = { .make_dir = make_last_log_dir };
	const char *at;
	int fd = safepath_open(dir, &w), e;

	if (fd != -1)
		return fd;
	at = strcmp(w.at, "/") == 0 ? "" : w.at;
	if (w.stop == SAFEPATH_ERRNO && w.at[1] == '\0' && w.at[0] == '/')
		return why_set(why, whylen, "audit file %s: /: %s", path,
		    strerror(w.err));
	if (w.stop == SAFEPATH_UNSAFE)
		return why_set(why, whylen,
		    "audit file %s: directory %s/ is not "
		    "safe: it must be owned by root and writable only by root",
		    path, at);
	e = w.stop == SAFEPATH_ERRNO ? w.err : w.stop == SAFEPATH_DOTS ?
	    EINVAL : w.stop == SAFEPATH_TOO_LONG ? ENAMETOOLONG : ENOTDIR;
	return why_set(why, whylen,
	    "audit file %s: directory %s: %s%s", path, at,
	    strerror(e), e == ENOTDIR || e == ELOOP ?
	    " (or a symlink, which is refused)" : "");
}

/*
 * Open NAME in DIRFD for appending, or create it 0640 root:adm; never
 * through a symlink.  Returns the fd, or -1 with errno.
 */
static int
open_or_create(int dirfd, const char *name, int flags)
{
	int fd, tries;

	for (tries = 0; tries < 3; tries++) {
		fd = openat(dirfd, name, flags | O_CREAT | O_EXCL, 0600);
		if (fd != -1) {
			if (give_to_log_group(fd, 0640) == 0)
				return fd;
			close_keep_errno(fd);
			return -1;
		}
		if (errno != EEXIST)
			return -1;
		/* It exists: open it; gone again (rotated): create it. */
		fd = openat(dirfd, name, flags);
		if (fd != -1 || errno != ENOENT)
			return fd;
	}
	return -1;
}

/*
 * The log file NAME in DIRFD, checked on the open descriptor.
 * O_NONBLOCK: a FIFO put there would otherwise hang the open; it changes
 * nothing for a regular file.
 */
static int
open_log_file(int dirfd, const char *name, const char *path, char *why,
    size_t whylen)
{
	/* Read too: the chain's "prev" is the last line's hash (chain.c). */
	const int flags = O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK;
	struct stat st;
	int fd;

	fd = open_or_create(dirfd, name, flags);
	if (fd != -1 && fstat(fd, &st) == -1) {
		close_keep_errno(fd);
		fd = -1;
	}
	if (fd == -1)
		return why_set(why, whylen, "audit file %s: %s%s", path,
		    strerror(errno), errno == ELOOP ?
		    " (a symlink, which is refused)" : "");
	if (!S_ISREG(st.st_mode) || !root_only(&st)) {
		close(fd);
		return why_set(why, whylen,
		    "audit file %s: not safe: it must be "
		    "a regular file owned by root and writable only by root",
		    path);
	}
	return fd;
}

/*
 * Would LEN more bytes pass the caller's RLIMIT_FSIZE?  The kernel would
 * write what fits and cut the record; asking first leaves the file whole
 * (hygiene raises the limit, but a host that denies root CAP_SYS_RESOURCE
 * cannot raise a hard limit the caller lowered).  Another run appending
 * between the fstat and the write can still push ours past the limit:
 * write_record() catches that as a short write.
 */
static bool
fits_size_limit(int fd, size_t len)
{
	struct rlimit lim;
	struct stat st;

	if (getrlimit(RLIMIT_FSIZE, &lim) == -1 || fstat(fd, &st) == -1)
		return false;
	return lim.rlim_cur == RLIM_INFINITY ||
	    ((rlim_t)st.st_size <= lim.rlim_cur &&
	    len <= lim.rlim_cur - (rlim_t)st.st_size);
}

/*
 * One write() of the whole line: with O_APPEND the kernel puts it at the
 * end in one piece, so concurrent runs never interleave.  A short write
 * (RLIMIT_FSIZE, a full disk) is a failure and is NOT completed with a
 * second write, which could land after another run's record; the file
 * may then end with a partial line (the next record continues it, so a
 * reader sees one malformed line where the failed attempt was), and the
 * caller refuses the action.  The offset it went to can't be known under
 * concurrent appends, so it is not truncated back either.
 */
static int
write_record(int fd, const char *rec, size_t len, const char *path,
    char *why, size_t whylen)
{
	ssize_t n;

	if (!fits_size_limit(fd, len))
		return why_set(why, whylen,
		    "audit file %s: the record would pass "
		    "the file size limit (RLIMIT_FSIZE): not written", path);
	do
		n = write(fd, rec, len);
	while (n == -1 && errno == EINTR);      /* nothing was written */
	if (n == -1)
		return why_set(why, whylen, "audit file %s: %s", path,
		    strerror(errno));
	if ((size_t)n != len)
		return why_set(why, whylen,
		    "audit file %s: short write (%zd of "
		    "%zu bytes: file size limit or disk full); the file may "
		    "end with a partial line", path, n, len);
	/* On disk before the action: a crash must not lose the record. */
	if (fdatasync(fd) == -1)
		return why_set(why, whylen, "audit file %s: %s", path,
		    strerror(errno));
	return 0;
}

/* "/var/log/cutover/audit.jsonl" -> "/var/log/cutover", "audit.jsonl" */
static int
split_log_path(const char *path, char *dir, size_t dirsz, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (path[0] != '/' || slash[1] == '\0' ||
	    strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0 ||
	    (size_t)(slash - path) >= dirsz || strstr(path, "/./") != NULL ||
	    strstr(path, "/../") != NULL)
		return -1;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	*base = slash + 1;
	return 0;
}

/*
 * The last hash of NAME.1 in DIRFD, the file logrotate rotated NAME to
 * (delaycompress keeps it plain), into ROTATED: where the chain of a new,
 * empty NAME goes on from.  None there: CHAIN_GENESIS.  One there that is
 * not root's alone is refused like the log itself: its last line would
 * decide the next record's link.
 */
static int
rotated_hash(int dirfd, const char *name, const char *path,
    char rotated[CHAIN_HEX_SIZE], char *why, size_t whylen)
{
	char older[NAME_MAX + 1];
	struct stat st;
	int fd, found;

	memcpy(rotated, CHAIN_GENESIS, CHAIN_HEX_SIZE);
	if ((size_t)snprintf(older, sizeof(older), "%s.1", name) >= sizeof(older))
		return 0;
	fd = openat(dirfd, older, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -1 || fstat(fd, &st) == -1) {
		if (fd != -1)
			close_keep_errno(fd);
		return why_set(why, whylen, "audit file %s.1: %s%s", path,
		    strerror(errno), errno == ELOOP ?
		    " (a symlink, which is refused)" : "");
	}
	if (!S_ISREG(st.st_mode) || !root_only(&st)) {
		close(fd);
		return why_set(why, whylen, "audit file %s: its rotated "
		    "file %s.1 is not a regular file owned by root and "
		    "writable only by root: the chain cannot go on from it",
		    path, path);
	}
	found = chain_tail_hash(fd, rotated);
	close_keep_errno(fd);
	if (found == -1)
		return why_set(why, whylen, "audit file %s.1: %s", path,
		    strerror(errno));
	if (found == 0)
		memcpy(rotated, CHAIN_GENESIS, CHAIN_HEX_SIZE);
	return 0;
}

/* ROTATED: what the first record of the file open on FD links to. */
static int
chain_start(int dirfd, const char *name, const char *path, int fd,
    char rotated[CHAIN_HEX_SIZE], char *why, size_t whylen)
{
	struct stat st;

	memcpy(rotated, CHAIN_GENESIS, CHAIN_HEX_SIZE);
	if (fstat(fd, &st) == -1)
		return why_errno(why, whylen, path);
	if (st.st_size != 0)
		return 0;
	return rotated_hash(dirfd, name, path, rotated, why, whylen);
}

/*
 * The file sink PATH, opened for appending after every check; created
 * (and its last directory) root:adm when missing.  Returns the fd, or -1
 * with WHY.  With ROTATED, an empty file gets there the hash its first
 * record links to (rotated_hash): found now, while cutover is root.
 */
/*
 * The lock file beside the log NAME in DIRFD: .NAME.lock, 0600 root:root,
 * made if missing, never through a symlink, refused when anyone but root
 * could open it.  An fd, or -1 with WHY.
 */
static int
open_lock_file(int dirfd, const char *name, const char *path, char *why,
    size_t whylen)
{
	char lock[NAME_MAX + 1];
	struct stat st;
	int fd;

	if ((size_t)snprintf(lock, sizeof(lock), ".%s.lock", name) >=
	    sizeof(lock))
		return why_set(why, whylen, "audit file %s: its name is too "
		    "long for a lock file beside it", path), -1;
	fd = openat(dirfd, lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK, 0600);
	if (fd != -1 && (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_uid != 0 || (st.st_mode & 077) != 0)) {
		close(fd);
		return why_set(why, whylen, "audit file %s: its lock file .%s "
		    "is not a file of root's alone (0600); remove it", path,
		    lock + 1), -1;
	}
	if (fd == -1)
		return why_set(why, whylen, "audit file %s: lock file %s: %s",
		    path, lock, strerror(errno)), -1;
	if (st.st_gid != 0)     /* made by a run with the caller's gid */
		(void)!fchown(fd, 0, 0);
	return fd;
}

static int
open_file_sink(const char *path, char rotated[CHAIN_HEX_SIZE], int *lockfd,
    char *why, size_t whylen)
{
	char dir[PATH_MAX];
	const char *base;
	int dirfd, fd;

	if (split_log_path(path, dir, sizeof(dir), &base) == -1)
		return why_set(why, whylen,
		    "audit file %s: not an absolute path "
		    "to a file (without . or .. components)", path);
	if ((dirfd = open_log_dir(dir, path, why, whylen)) == -1)
		return -1;
	fd = open_log_file(dirfd, base, path, why, whylen);
	if (fd != -1 && rotated != NULL &&
	    chain_start(dirfd, base, path, fd, rotated, why, whylen) == -1) {
		close(fd);
		fd = -1;
	}
	if (fd != -1 && lockfd != NULL &&
	    (*lockfd = open_lock_file(dirfd, base, path, why, whylen)) == -1) {
		close(fd);
		fd = -1;
	}
	close(dirfd);
	return fd;
}

int
audit_file_append(const char *path, const char *rec, size_t len,
    char *why, size_t whylen)
{
	int fd, rc;

	if ((fd = open_file_sink(path, NULL, NULL, why, whylen)) == -1)
		return -1;
	rc = write_record(fd, rec, len, path, why, whylen);
	if (close(fd) == -1 && rc == 0)
		rc = why_set(why, whylen, "audit file %s: %s", path,
		    strerror(errno));
	return rc;
}

/* ---- the syslog sink ------------------------------------------------ */

/*
 * Success (an allowed request, an "ok" outcome) is a notice; a refusal,
 * an error or a failed action is a warning, so that `journalctl -p
 * warning` or a warning-level rsyslog filter shows every one of them.
 */
int
audit_syslog_priority(const struct audit_event *ev)
{
	const char *what = ev->stage != AUDIT_REQUEST ? ev->outcome :
	    ev->decision;
	const char *good = ev->stage != AUDIT_REQUEST ? "ok" : "allow";

	if (what != NULL && strcmp(what, good) == 0)
		return LOG_AUTHPRIV | LOG_NOTICE;
	return LOG_AUTHPRIV | LOG_WARNING;
}

/*
 * "<PRI>Mmm dd hh:mm:ss cutover[PID]: " in local time, as syslog(3)
 * writes it (the exact UTC time is in the record).  The month names are
 * ours: strftime's %b would follow the locale.
 */
static void
put_syslog_header(struct strbuf *out, int priority,
    const struct audit_context *ctx)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr",
		"May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	if (localtime_r(&ctx->now.tv_sec, &tm) == NULL &&
	    gmtime_r(&ctx->now.tv_sec, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	sb_printf(out, "<%d>%s %2d %02d:%02d:%02d cutover[%ld]: ", priority,
	    months[tm.tm_mon >= 0 && tm.tm_mon < 12 ? tm.tm_mon : 0],
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)ctx->pid);
}

/*
 * A socket of TYPE connected to PATH, or -1 with errno.  The send timeout
 * also bounds connect() on a stream socket: a stuck syslog daemon makes
 * the request fail, not hang.
 */
static int
connect_type(const char *path, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = SYSLOG_TIMEOUT_SECONDS };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);   /* length checked */
	if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		close_keep_errno(fd);
		return -1;
	}
	return fd;
}

/* Datagram first; a stream /dev/log (some setups) says EPROTOTYPE. */
static int
devlog_connect(const char *path, int *type)
{
	int fd;

	*type = SOCK_DGRAM;
	fd = connect_type(path, SOCK_DGRAM);
	if (fd == -1 && errno == EPROTOTYPE) {
		*type = SOCK_STREAM;
		fd = connect_type(path, SOCK_STREAM);
	}
	return fd;
}

/*
 * Send with our effective uid as the credentials (and gid 0 with it, when
 * that is root): what the syslog daemon shows as the sender (journald's
 * _UID, _GID, _PID).  Without them the kernel attaches the real uid - in
 * the front of a setuid run, the caller's, as on a line any local user
 * can forge on /dev/log.  cutover sends every record while its effective
 * uid is 0, so a real record shows _UID=0; a process that is not root
 * cannot claim it (the kernel refuses: an audit failure).
 */
static ssize_t
send_as_root(int fd, const char *msg, size_t len)
{
	struct ucred cred = { .pid = getpid(), .uid = geteuid(),
	    .gid = geteuid() == 0 ? 0 : getegid() };
	char cbuf[CMSG_SPACE(sizeof(cred))];
	struct iovec iov = { (void *)msg, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_CREDENTIALS;
	cm->cmsg_len = CMSG_LEN(sizeof(cred));
	memcpy(CMSG_DATA(cm), &cred, sizeof(cred));
	return sendmsg(fd, &mh, MSG_NOSIGNAL);
}

/*
 * A stream socket takes the message and a NUL, as glibc sends it.  The
 * connection is ours alone, so finishing a partial send cannot interleave
 * with anyone.
 */
static int
send_stream(int fd, const char *msg, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send_as_root(fd, msg, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0)
			errno = EIO;
		if (n <= 0)
			return -1;
		msg += n;
		len -= (size_t)n;
	}
	return 0;
}

/* One datagram: all of it or an error (EMSGSIZE), never a truncation. */
static int
send_datagram(int fd, const char *msg, size_t len)
{
	ssize_t n;

	do
		n = send_as_root(fd, msg, len);
	while (n == -1 && errno == EINTR);
	if (n != -1 && (size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return n == -1 ? -1 : 0;
}

/* LINE (header and record, NUL-terminated) on a connected socket. */
static int
send_line(int fd, int type, const struct strbuf *line)
{
	if (type == SOCK_STREAM)
		return send_stream(fd, line->s, line->len + 1);
	return send_datagram(fd, line->s, line->len);
}

static int
syslog_failure(const char *devlog, char *why, size_t whylen)
{
	return why_set(why, whylen, "syslog: %s: %s%s", devlog, strerror(errno),
	    errno == EAGAIN ? " (the syslog daemon did not take the record "
	    "in time)" : "");
}

/* Header and message in one buffer, for one send. */
static int
make_line(struct strbuf *line, int priority, const char *msg, size_t len,
    const struct audit_context *ctx)
{
	put_syslog_header(line, priority, ctx);
	sb_append(line, msg, len);
	return sb_failed(line) ? -1 : 0;
}

int
audit_syslog_send(const char *devlog, int priority, const char *msg,
    size_t len, const struct audit_context *ctx, char *why, size_t whylen)
{
	struct strbuf line = STRBUF_INIT;
	int fd, type, rc;

	if (make_line(&line, priority, msg, len, ctx) == -1)
		rc = why_set(why, whylen, "syslog: out of memory");
	else if ((fd = devlog_connect(devlog, &type)) == -1)
		rc = syslog_failure(devlog, why, whylen);
	else {
		if ((rc = send_line(fd, type, &line)) == -1)
			rc = syslog_failure(devlog, why, whylen);
		close(fd);
	}
	sb_free(&line);
	return rc;
}

/* ---- the log: every sink, opened once ---------------------------------- */

struct audit_log {
	char *file;         /* the file sink's path, or NULL */
	int fd;             /* open on it for appending, or -1 */
	int lockfd;         /* its lock file (open_lock_file), or -1 */
	char *devlog;       /* the syslog socket's path, or NULL: no syslog */
	int sock;           /* connected to it, or -1 */
	int socktype;       /* SOCK_DGRAM, or SOCK_STREAM */
	/* chain.h: what an empty file's first record links to, from FILE.1 */
	char rotated[CHAIN_HEX_SIZE];
	unsigned took;      /* AUDIT_SINK_*: the sinks the last record
	                       reached */
};

void
audit_log_close(struct audit_log *log)
{
	if (log == NULL)
		return;
	if (log->fd != -1)
		close(log->fd);
	if (log->lockfd != -1)
		close(log->lockfd);
	if (log->sock != -1)
		close(log->sock);
	free(log->file);
	free(log->devlog);
	free(log);
}

/*
 * Any sink that cannot be opened fails the whole open: then no record
 * can be written where the policy wants it, and nothing may be done.
 */
struct audit_log *
audit_log_open_at(const struct audit_config *ac, const char *devlog,
    char *why, size_t whylen)
{
	struct audit_log *log;

	if (!ac->syslog && ac->file == NULL) {
		why_set(why, whylen, "audit: no sink is enabled");
		return NULL;
	}
	if ((log = calloc(1, sizeof(*log))) == NULL)
		goto oom;
	log->fd = log->lockfd = log->sock = -1;
	if (ac->file != NULL) {
		if ((log->file = strdup(ac->file)) == NULL)
			goto oom;
		log->fd = open_file_sink(ac->file, log->rotated, &log->lockfd,
		    why, whylen);
		if (log->fd == -1)
			goto fail;
	}
	if (ac->syslog) {
		if ((log->devlog = strdup(devlog)) == NULL)
			goto oom;
		log->sock = devlog_connect(devlog, &log->socktype);
		if (log->sock == -1) {
			syslog_failure(devlog, why, whylen);
			goto fail;
		}
	}
	return log;
oom:
	why_set(why, whylen, "audit: out of memory");
fail:
	audit_log_close(log);
	return NULL;
}

struct audit_log *
audit_log_open(const struct audit_config *ac, char *why, size_t whylen)
{
	return audit_log_open_at(ac, AUDIT_DEVLOG, why, whylen);
}

/*
 * To syslog on the socket opened before; if that fails (the daemon was
 * restarted since: ECONNREFUSED), once more on a new connection, as
 * syslog(3) does.  Nothing of a failed datagram was delivered, so the
 * retry cannot duplicate a record.
 */
static int
log_to_syslog(struct audit_log *log, const struct audit_event *ev,
    const struct strbuf *rec, const struct audit_context *ctx, char *why,
    size_t whylen)
{
	struct strbuf line = STRBUF_INIT;
	int rc;

	if (make_line(&line, audit_syslog_priority(ev), rec->s, rec->len - 1,
	    ctx) == -1) {
		sb_free(&line);
		return why_set(why, whylen, "syslog: out of memory");
	}
	rc = log->sock == -1 ? -1 : send_line(log->sock, log->socktype, &line);
	if (rc == -1 && errno != EMSGSIZE && errno != EAGAIN) {
		if (log->sock != -1)
			close(log->sock);
		log->sock = devlog_connect(log->devlog, &log->socktype);
		if (log->sock != -1)
			rc = send_line(log->sock, log->socktype, &line);
	}
	if (rc == -1)
		syslog_failure(log->devlog, why, whylen);
	sb_free(&line);
	return rc;
}

/* Add one sink's failure to WHY ("...; ..."). */
static void
add_why(char *why, size_t whylen, const char *one)
{
	size_t used = strnlen(why, whylen);

	if (used + 1 >= whylen)
		return;
	snprintf(why + used, whylen - used, "%s%s", used > 0 ? "; " : "",
	    one);
}

/*
 * An open file description lock on all of FD's file (F_OFD_SETLK): held by
 * the descriptor, as flock(2)'s are - a run's front and its transaction
 * share it and write one after the other, another run has its own - but
 * not released when some other descriptor of the file is closed, as a
 * POSIX record lock would be.  (Not flock itself: the per-port locks are
 * flock's, lock.c, and a fault injected there must not land here.)
 */
static int
ofd_lock(int fd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };

	return fcntl(fd, F_OFD_SETLK, &fl);
}

/* The file's lock, waited for at most FILE_LOCK_TIMEOUT_MS. */
static int
lock_file(int fd, const char *path, char *why, size_t whylen)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000000L };
	int waited_ms;

	for (waited_ms = 0; ofd_lock(fd, F_WRLCK) == -1; waited_ms += 10) {
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return why_set(why, whylen, "audit file %s: lock: %s",
			    path, strerror(errno));
		if (waited_ms >= FILE_LOCK_TIMEOUT_MS)
			return why_set(why, whylen, "audit file %s: another "
			    "process has held its lock for %d s (fuser -v %s "
			    "shows who): not written", path,
			    FILE_LOCK_TIMEOUT_MS / 1000, path);
		nanosleep(&tick, NULL);
	}
	return 0;
}

/*
 * EV into the file, chained: with the lock held, "prev" is the file's last
 * line's hash (an empty file's: the rotated one's, found at open), so two
 * runs appending at once link one after the other, never both to the same
 * line.  REC gets the record as encoded, HASH its hash once written.
 */
static int
write_chained(struct audit_log *log, const struct audit_event *ev,
    const struct audit_context *ctx, struct strbuf *rec,
    char hash[CHAIN_HEX_SIZE], char *why, size_t whylen)
{
	struct audit_context chained = *ctx;
	char prev[CHAIN_HEX_SIZE];
	int found, rc;

	if (lock_file(log->lockfd, log->file, why, whylen) == -1)
		return -1;
	if ((found = chain_tail_hash(log->fd, prev)) == -1)
		rc = why_set(why, whylen, "audit file %s: reading its last "
		    "line: %s", log->file, strerror(errno));
	else {
		chained.prev = found == 1 ? prev : log->rotated;
		audit_encode(ev, &chained, rec);
		rc = sb_failed(rec) ? why_set(why, whylen,
		    "audit: out of memory") : write_record(log->fd, rec->s,
		    rec->len, log->file, why, whylen);
		if (rc == 0)
			chain_line_hash(rec->s, rec->len - 1, hash);
	}
	ofd_lock(log->lockfd, F_UNLCK);
	return rc;
}

/* REC (a record and '\n') with ,"hash":HASH after its last member. */
static void
with_hash(struct strbuf *out, const struct strbuf *rec, const char *hash)
{
	sb_append(out, rec->s, rec->len - 2);
	sb_printf(out, ",\"hash\":\"%s\"}\n", hash);
}

/* To syslog: REC, with its hash in the file when it was written there. */
static int
syslog_record(struct audit_log *log, const struct audit_event *ev,
    const struct strbuf *rec, const char *hash,
    const struct audit_context *ctx, char *why, size_t whylen)
{
	struct strbuf sent = STRBUF_INIT;
	int rc;

	if (hash[0] == '\0')
		return log_to_syslog(log, ev, rec, ctx, why, whylen);
	with_hash(&sent, rec, hash);
	rc = sb_failed(&sent) ? why_set(why, whylen, "syslog: out of memory") :
	    log_to_syslog(log, ev, &sent, ctx, why, whylen);
	sb_free(&sent);
	return rc;
}

/*
 * Every sink is tried, the file first, even after one has failed: the
 * record is then still wherever it can be.  Any failure makes the result
 * -1, and the caller must not act.
 */
int
audit_log_write_at(struct audit_log *log, const struct audit_event *ev,
    const struct audit_context *ctx, char *why, size_t whylen)
{
	struct strbuf rec = STRBUF_INIT;
	char one[1024], hash[CHAIN_HEX_SIZE] = "";
	int rc = 0;

	if (whylen > 0)
		why[0] = '\0';
	if (log == NULL)
		return why_set(why, whylen, "audit: the log is not open");
	log->took = 0;
	if (log->fd != -1 && write_chained(log, ev, ctx, &rec, hash, one,
	    sizeof(one)) == -1) {
		add_why(why, whylen, one);
		rc = -1;
	} else if (log->fd != -1)
		log->took |= AUDIT_SINK_FILE;
	if (rec.len == 0 && !sb_failed(&rec))
		audit_encode(ev, ctx, &rec);    /* no file, or it was locked */
	if (sb_failed(&rec)) {
		sb_free(&rec);
		return why_set(why, whylen, "audit: out of memory");
	}
	if (log->devlog != NULL && syslog_record(log, ev, &rec, hash, ctx, one,
	    sizeof(one)) == -1) {
		add_why(why, whylen, one);
		rc = -1;
	} else if (log->devlog != NULL)
		log->took |= AUDIT_SINK_SYSLOG;
	sb_free(&rec);
	return rc;
}

unsigned
audit_log_took(const struct audit_log *log)
{
	return log != NULL ? log->took : 0;
}

/*
 * A policy without syslog still gets one once an action has begun and
 * the file fails: the journal beats no record at all.  Connected now; if
 * that fails, log_to_syslog tries again at each write.
 */
bool
audit_log_rescue(struct audit_log *log)
{
	if (log == NULL || log->devlog != NULL)
		return false;
	if ((log->devlog = strdup(AUDIT_DEVLOG)) == NULL)
		return false;
	log->sock = devlog_connect(log->devlog, &log->socktype);
	return true;
}

/* Where, when and who, now. */
static int
fill_context(struct audit_context *ctx, struct utsname *uts)
{
	ctx->host = uname(uts) == 0 ? uts->nodename : NULL;
	ctx->prev = NULL;       /* the file's writer sets it (write_chained) */
	ctx->pid = getpid();
	ctx->uid = getuid();
	return clock_gettime(CLOCK_REALTIME, &ctx->now);
}

int
audit_log_write(struct audit_log *log, const struct audit_event *ev,
    char *why, size_t whylen)
{
	struct audit_context ctx;
	struct utsname uts;

	if (fill_context(&ctx, &uts) == -1)
		return why_set(why, whylen, "audit: clock_gettime: %s",
		    strerror(errno));
	return audit_log_write_at(log, ev, &ctx, why, whylen);
}

struct audit_event
audit_event_of(const struct audit_event *base, const struct audit_entry *e)
{
	struct audit_event ev = *base;

	ev.stage = e->stage;
	ev.step = e->step;
	if (e->decision != NULL)
		ev.decision = e->decision;
	if (e->reason != NULL)
		ev.reason = e->reason;
	ev.outcome = e->outcome;
	ev.pids = e->pids;
	ev.npids = e->npids;
	ev.users = &e->user;
	ev.nusers = e->user != NULL && e->user[0] != '\0';
	ev.duration = e->seconds;
	return ev;
}

int
audit_record(struct audit_log *log, const struct audit_event *base,
    const struct audit_entry *e, char *why, size_t whylen)
{
	struct audit_event ev = audit_event_of(base, e);

	return audit_log_write(log, &ev, why, whylen);
}

int
audit_write_at(const struct audit_config *ac, const struct audit_event *ev,
    const struct audit_context *ctx, const char *devlog, char *why,
    size_t whylen)
{
	struct audit_log *log = audit_log_open_at(ac, devlog, why, whylen);
	int rc;

	if (log == NULL)
		return -1;
	rc = audit_log_write_at(log, ev, ctx, why, whylen);
	audit_log_close(log);
	return rc;
}

int
audit_new_txid(char out[AUDIT_TXID_SIZE])
{
	unsigned char raw[(AUDIT_TXID_SIZE - 1) / 2];
	size_t i;
	ssize_t n;

	do
		n = getrandom(raw, sizeof(raw), 0);
	while (n == -1 && errno == EINTR);
	if (n != (ssize_t)sizeof(raw)) {
		if (n != -1)
			errno = EIO;
		return -1;
	}
	for (i = 0; i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}
