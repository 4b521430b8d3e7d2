/*
 * intent.c - a switch's journal of intent (intent.h).
 *
 *   cutover-intent 1
 *   txid 0123...
 *   plan newsite
 *   from apache2
 *   to nginx
 *   ports 80 443
 *   old-held-port yes
 *   from-boot enabled
 *   to-boot disabled
 *   marks started-new stopped-old verified
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper/act/intent.h"
#include "helper/act/rootdir.h"
#include "helper/lib/why.h"
#include "policy/load.h"

#define MAGIC "cutover-intent 1"

static const char *const mark_words[] = {
	"started-new", "stopped-old", "verified", "persisting", "undoing",
	"paused-old",
};
#define NMARKS (sizeof(mark_words) / sizeof(mark_words[0]))
_Static_assert((1u << NMARKS) - 1 == INTENT_MARKS_ALL,
    "a word for each mark of intent.h, in the order of their bits");

int
intent_format(const struct intent *i, char *buf, size_t size)
{
	size_t len, k;
	int n;

	n = snprintf(buf, size, MAGIC "\ntxid %s\nplan %s\nfrom %s\nto %s\n"
	    "ports", i->txid, i->plan, i->from, i->to);
	for (k = 0; k < i->nports && n >= 0 && (size_t)n < size; k++)
		n += snprintf(buf + n, size - (size_t)n, " %d", i->ports[k]);
	if (n < 0 || (size_t)n >= size)
		return -1;
	len = (size_t)n;
	n = snprintf(buf + len, size - len, "\nold-held-port %s\nfrom-boot %s\n"
	    "to-boot %s\nmarks", i->old_held_port ? "yes" : "no",
	    i->from_boot[0] ? i->from_boot : "-", i->to_boot[0] ? i->to_boot :
	    "-");
	for (k = 0; k < NMARKS && n >= 0 && len + (size_t)n < size; k++)
		if (i->marks & (1u << k))
			n += snprintf(buf + len + n, size - len - (size_t)n,
			    " %s", mark_words[k]);
	if (n < 0 || len + (size_t)n + 1 >= size)
		return -1;
	len += (size_t)n;
	buf[len++] = '\n';
	buf[len] = '\0';
	return 0;
}

/* ---- parsing: strict, every key once ------------------------------------- */

enum intent_key { K_TXID, K_PLAN, K_FROM, K_TO, K_PORTS, K_HELD, K_FROM_BOOT,
	K_TO_BOOT, K_MARKS, NKEYS };
static const char *const key_words[NKEYS] = {
	"txid", "plan", "from", "to", "ports", "old-held-port", "from-boot",
	"to-boot", "marks",
};

static bool
txid_ok(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (!isxdigit((unsigned char)s[n]) || isupper((unsigned char)s[n]))
			return false;
	return n == AUDIT_TXID_SIZE - 1;
}

/* systemd's words for a unit file's state, or "-": no unit */
static bool
state_ok(const char *s)
{
	size_t n;

	if (strcmp(s, "-") == 0)
		return true;
	for (n = 0; s[n] != '\0'; n++)
		if (!islower((unsigned char)s[n]) && s[n] != '-')
			return false;
	return n > 0 && n < INTENT_STATE_MAX;
}

static int
parse_ports(char *v, struct intent *i)
{
	char *word, *end, *save = NULL;
	long port;

	i->nports = 0;
	for (word = strtok_r(v, " ", &save); word != NULL;
	    word = strtok_r(NULL, " ", &save)) {
		if (i->nports == POLICY_PLAN_PORTS_MAX || !isdigit(
		    (unsigned char)word[0]))
			return -1;
		errno = 0;
		port = strtol(word, &end, 10);
		if (errno != 0 || *end != '\0' || port < 1 || port > 65535 ||
		    (word[0] == '0'))
			return -1;
		i->ports[i->nports++] = (int)port;
	}
	return i->nports > 0 ? 0 : -1;
}

static int
parse_marks(char *v, struct intent *i)
{
	char *word, *save = NULL;
	size_t k;

	i->marks = 0;
	for (word = strtok_r(v, " ", &save); word != NULL;
	    word = strtok_r(NULL, " ", &save)) {
		for (k = 0; k < NMARKS && strcmp(word, mark_words[k]) != 0; k++)
			;
		if (k == NMARKS || (i->marks & (1u << k)))
			return -1;
		i->marks |= 1u << k;
	}
	return 0;
}

static int
copy_word(char *dst, size_t size, const char *v, bool (*ok)(const char *))
{
	size_t len = strlen(v);

	if (len >= size || !ok(v))
		return -1;
	memcpy(dst, v, len + 1);
	return 0;
}

/* A unit's boot state into DST; "-" (a process service) as "". */
static int
boot_word(char *dst, const char *v)
{
	if (copy_word(dst, INTENT_STATE_MAX, v, state_ok) == -1)
		return -1;
	if (strcmp(dst, "-") == 0)
		dst[0] = '\0';
	return 0;
}

/* One "key value" line into I. */
static int
parse_value(enum intent_key k, char *v, struct intent *i)
{
	switch (k) {
	case K_TXID:
		return copy_word(i->txid, sizeof(i->txid), v, txid_ok);
	case K_PLAN:
		return copy_word(i->plan, sizeof(i->plan), v, name_ok);
	case K_FROM:
		return copy_word(i->from, sizeof(i->from), v, name_ok);
	case K_TO:
		return copy_word(i->to, sizeof(i->to), v, name_ok);
	case K_PORTS:
		return parse_ports(v, i);
	case K_HELD:
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return -1;
		i->old_held_port = strcmp(v, "yes") == 0;
		return 0;
	case K_FROM_BOOT:
		return boot_word(i->from_boot, v);
	case K_TO_BOOT:
		return boot_word(i->to_boot, v);
	case K_MARKS:
		return parse_marks(v, i);
	case NKEYS:
		break;
	}
	return -1;
}

/* One line: "key value" (no value: "marks" with none set). */
static int
parse_line(char *line, struct intent *i, unsigned *seen, char *why,
    size_t whylen)
{
	char *v = strchr(line, ' ');
	size_t k;

	if (v != NULL)
		*v++ = '\0';
	else
		v = line + strlen(line);
	for (k = 0; k < NKEYS && strcmp(line, key_words[k]) != 0; k++)
		;
	if (k == NKEYS)
		return why_set(why, whylen, "unknown key '%.40s'", line);
	if (*seen & (1u << k))
		return why_set(why, whylen, "%s given twice", key_words[k]);
	*seen |= 1u << k;
	if (parse_value((enum intent_key)k, v, i) == -1)
		return why_set(why, whylen, "%s: not a valid value", key_words[k]);
	return 0;
}

int
intent_parse(const char *text, size_t len, struct intent *i, char *why,
    size_t whylen)
{
	char buf[INTENT_TEXT_MAX], *line, *next;
	unsigned seen = 0;
	size_t k;

	memset(i, 0, sizeof(*i));
	if (len >= sizeof(buf))
		return why_set(why, whylen, "longer than %d bytes",
		    INTENT_TEXT_MAX - 1);
	if (memchr(text, '\0', len) != NULL || len == 0 ||
	    text[len - 1] != '\n')
		return why_set(why, whylen, "not whole lines of text");
	memcpy(buf, text, len);
	buf[len] = '\0';
	next = strchr(buf, '\n');
	*next++ = '\0';
	if (strcmp(buf, MAGIC) != 0)
		return why_set(why, whylen, "its first line is not '" MAGIC "'");
	for (line = next; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		*next++ = '\0';
		if (parse_line(line, i, &seen, why, whylen) == -1)
			return -1;
	}
	for (k = 0; k < NKEYS; k++)
		if (!(seen & (1u << k)))
			return why_set(why, whylen, "no %s", key_words[k]);
	if (strcmp(i->from, i->to) == 0)
		return why_set(why, whylen, "from and to are the same service");
	return 0;
}

/* ---- the directory --------------------------------------------------------- */

/* fsync the directory DIRFD (an O_PATH fd cannot be synced itself). */
static int
sync_dir(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (fd == -1)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* All of BUF (LEN) to FD, then fsync. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n, len -= (size_t)n;
	}
	return fsync(fd);
}

int
intent_write_at(int dirfd, uid_t owner, const struct intent *i, char *why,
    size_t whylen)
{
	char text[INTENT_TEXT_MAX], tmp[POLICY_NAME_MAX + 16];
	int fd, e;

	if (!name_ok(i->plan) || intent_format(i, text, sizeof(text)) == -1)
		return why_set(why, whylen, "the journal of plan %.64s cannot be "
		    "written: not a valid journal", i->plan);
	snprintf(tmp, sizeof(tmp), ".%s.new", i->plan);
	(void)unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	/* a setuid process creates in the caller's group: root's, then */
	if (fd == -1 || (geteuid() == 0 && fchown(fd, owner, 0) == -1) ||
	    write_all(fd, text, strlen(text)) == -1) {
		e = errno;
		if (fd != -1) {
			close(fd);
			(void)unlinkat(dirfd, tmp, 0);
		}
		return why_set(why, whylen, "the journal of plan %s: %s", i->plan,
		    strerror(e));
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, i->plan) == -1 || sync_dir(dirfd) == -1) {
		e = errno;
		(void)unlinkat(dirfd, tmp, 0);
		return why_set(why, whylen, "the journal of plan %s: %s", i->plan,
		    strerror(e));
	}
	return 0;
}

int
intent_clear_at(int dirfd, const char *plan, char *why, size_t whylen)
{
	if (!name_ok(plan))
		return why_set(why, whylen, "no such journal: %.64s", plan);
	if ((unlinkat(dirfd, plan, 0) == -1 && errno != ENOENT) ||
	    sync_dir(dirfd) == -1)
		return why_set(why, whylen, "the journal of plan %s cannot be "
		    "removed: %s", plan, strerror(errno));
	return 0;
}

/* Read the journal NAME in DIRFD into I. */
static int
read_one(int dirfd, uid_t owner, const char *name, struct intent *i,
    char *why, size_t whylen)
{
	char text[INTENT_TEXT_MAX], err[200];
	struct stat st;
	ssize_t n;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK);
	if (fd == -1 || fstat(fd, &st) == -1)
		return why_set(why, whylen, "journal %s: %s", name,
		    strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_uid != owner || (st.st_mode & 077)) {
		close(fd);
		return why_set(why, whylen, "journal %s is not a root-only "
		    "file", name);
	}
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n == -1)
		return why_set(why, whylen, "journal %s: %s", name,
		    strerror(errno));
	if (intent_parse(text, (size_t)n, i, err, sizeof(err)) == -1 ||
	    strcmp(i->plan, name) != 0)
		return why_set(why, whylen, "journal %s cannot be read: %s", name,
		    strcmp(i->plan, name) != 0 && err[0] == '\0' ?
		    "it names another plan" : err);
	return 0;
}

int
intent_list_at(int dirfd, uid_t owner, struct intent *v, size_t max,
    char *why, size_t whylen)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	DIR *dir;
	size_t n = 0;
	int st = 0;

	if (fd == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return why_set(why, whylen, "journal directory: %s",
		    strerror(errno));
	}
	while (st == 0 && (d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')        /* ., .., a .PLAN.new */
			continue;
		if (n == max)
			st = why_set(why, whylen, "more than %zu journals", max);
		else {
			why[0] = '\0';
			st = read_one(dirfd, owner, d->d_name, &v[n], why,
			    whylen);
			n += st == 0;
		}
	}
	closedir(dir);
	return st == 0 ? (int)n : -1;
}

/* The journal directory, or -1 (WHY); MISSING: it does not exist. */
static int
intent_dir(bool make, bool *missing, char *why, size_t whylen)
{
	struct stat st;

	*missing = false;
	if (!make && stat(CUTOVER_INTENT_DIR, &st) == -1 && errno == ENOENT) {
		*missing = true;
		return -1;
	}
	return rootdir_open(CUTOVER_INTENT_DIR, "journal directory", why,
	    whylen);
}

int
intent_write(const struct intent *i, char *why, size_t whylen)
{
	bool missing;
	int dirfd = intent_dir(true, &missing, why, whylen), st;

	if (dirfd == -1)
		return -1;
	st = intent_write_at(dirfd, 0, i, why, whylen);
	close(dirfd);
	return st;
}

int
intent_clear(const char *plan, char *why, size_t whylen)
{
	bool missing;
	int dirfd = intent_dir(false, &missing, why, whylen), st;

	if (dirfd == -1)
		return missing ? 0 : -1;
	st = intent_clear_at(dirfd, plan, why, whylen);
	close(dirfd);
	return st;
}

int
intent_list(struct intent *v, size_t max, char *why, size_t whylen)
{
	bool missing;
	int dirfd = intent_dir(false, &missing, why, whylen), n;

	if (dirfd == -1)
		return missing ? 0 : -1;
	n = intent_list_at(dirfd, 0, v, max, why, whylen);
	close(dirfd);
	return n;
}
