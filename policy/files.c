/*
 * files.c - read the policy file and its policy.d/ drop-ins into memory,
 * refusing any file a non-root user could have written.
 *
 * The system policy is trusted only if the file, every directory above it
 * and the drop-in directory are owned by root, not writable by group or
 * others, and not symlinks.  Each check is made with fstat() on the
 * descriptor that is then read (openat() from a checked directory, with
 * O_NOFOLLOW), so nothing can be swapped between check and use.  The text
 * is read once into memory and parsed from there, which also keeps
 * libconfig from opening anything itself.
 *
 * This file opens files with whatever privileges its caller holds; it
 * never changes them.  A file the caller names is read after the helper
 * has dropped to the caller's own credentials.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/policy.h"
#include "policy/safepath.h"

#define DROPIN_DIR "policy.d"

struct reader {
	enum policy_trust trust;
	struct diags *d;
	struct policy_texts *out;
};

/*
 * A failed safety check: an error for the system policy; for a file the
 * caller named, a warning that the same file would be refused as the
 * system policy.  Returns true when reading must stop.
 */
static bool __attribute__((format(printf, 3, 4)))
unsafe(struct reader *r, const char *file, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->trust == POLICY_TRUST_SYSTEM) {
		diags_add(r->d, DIAG_ERROR, file, 0, "refusing the policy: %s; "
		    "make it root-owned and writable only by root (chown "
		    "root:root, chmod go-w)", msg);
		return true;
	}
	diags_add(r->d, DIAG_WARNING, file, 0, "as the system policy this "
	    "would be refused: %s", msg);
	return false;
}

/* Each fault of ST (safepath_bad) said; false when reading must stop. */
static bool
owner_mode_safe(struct reader *r, const char *name, const struct stat *st)
{
	unsigned bad = safepath_bad(st);

	if ((bad & SAFEPATH_NOT_ROOT) && unsafe(r, name, "it is owned by uid "
	    "%lu, not root", (unsigned long)st->st_uid))
		return false;
	if ((bad & SAFEPATH_GROUP_W) && unsafe(r, name, "it is group-writable"))
		return false;
	if ((bad & SAFEPATH_WORLD_W) && unsafe(r, name, "it is world-writable"))
		return false;
	return true;
}

static int
fail_errno(struct reader *r, const char *name, const char *doing)
{
	int e = errno;

	if (e == ELOOP || e == ENOTDIR)
		diags_add(r->d, DIAG_ERROR, name, 0, "refusing the policy: "
		    "%s is a symlink or not a directory (%s); the policy "
		    "must be reached without symlinks", name, strerror(e));
	else
		diags_add(r->d, DIAG_ERROR, name, 0, "cannot %s: %s", doing,
		    strerror(e));
	return -1;
}

struct dir_walk {
	struct reader *r;
	const char *dir;
};

/* safepath's unsafe(): "/" by its name, any other component as DIR. */
static bool
dir_unsafe(void *ctx, const char *at, unsigned bad, const struct stat *st)
{
	struct dir_walk *dw = ctx;

	(void)bad;
	return !owner_mode_safe(dw->r, strcmp(at, "/") == 0 ? "/" : dw->dir,
	    st);
}

/*
 * Open the directory DIR (absolute) component by component from "/",
 * never following a symlink, checking each one (policy/safepath.c).
 * Returns an O_PATH fd.
 */
static int
open_checked_dir(struct reader *r, const char *dir)
{
	struct dir_walk dw = { r, dir };
	struct safepath w = { .unsafe = dir_unsafe, .ctx = &dw };
	int fd = safepath_open(dir, &w);

	if (fd != -1)
		return fd;
	switch (w.stop) {
	case SAFEPATH_UNSAFE:           /* said by dir_unsafe() */
		return -1;
	case SAFEPATH_TOO_LONG:
	case SAFEPATH_NOT_ABSOLUTE:
		diags_add(r->d, DIAG_ERROR, dir, 0, "path too long");
		return -1;
	case SAFEPATH_DOTS:
		diags_add(r->d, DIAG_ERROR, dir, 0, "the policy path must not "
		    "contain . or .. components");
		return -1;
	case SAFEPATH_ERRNO:
		errno = w.err;
		break;
	default:                        /* a symlink, or not a directory */
		errno = ENOTDIR;
		break;
	}
	if (strcmp(w.at, "/") == 0)
		return fail_errno(r, "/", "open /");
	return fail_errno(r, dir, "open the policy directory");
}

/* Read all of fd (at most POLICY_TEXT_MAX bytes) as text NAME. */
static int
read_text(struct reader *r, int fd, const char *name, bool main)
{
	struct policy_text *t = &r->out->v[r->out->n];
	size_t len = 0, cap = 4096;
	ssize_t n;
	char *buf, *p;

	if (r->out->n == POLICY_FILES_MAX) {
		diags_add(r->d, DIAG_ERROR, name, 0, "more than %d policy "
		    "files; merge some drop-ins", POLICY_FILES_MAX);
		return -1;
	}
	if ((buf = malloc(cap)) == NULL)
		goto oom;
	for (;;) {
		if (len > POLICY_TEXT_MAX) {
			diags_add(r->d, DIAG_ERROR, name, 0, "larger than %d "
			    "bytes; a policy is small", POLICY_TEXT_MAX);
			free(buf);
			return -1;
		}
		if (len + 1 == cap) {
			if ((p = realloc(buf, cap * 2)) == NULL)
				goto oom;
			buf = p;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			return fail_errno(r, name, "read it");
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if ((t->name = strdup(name)) == NULL)
		goto oom;
	t->text = buf;
	t->len = len;
	t->main = main;
	r->out->n++;
	return 0;
oom:
	free(buf);
	diags_add(r->d, DIAG_ERROR, name, 0, "out of memory");
	return -1;
}

/* Open NAME in directory DIRFD (or by PATH for a named file), check, read. */
static int
read_one(struct reader *r, int dirfd, const char *base, const char *path,
    bool main)
{
	struct stat st;
	int fd, rc = -1;

	if (r->trust == POLICY_TRUST_SYSTEM)
		fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
	else
		fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return fail_errno(r, path, "open the policy");
	if (fstat(fd, &st) == -1) {
		fail_errno(r, path, "stat the policy");
	} else if (!S_ISREG(st.st_mode)) {
		diags_add(r->d, DIAG_ERROR, path, 0, "not a regular file");
	} else if (owner_mode_safe(r, path, &st)) {
		rc = read_text(r, fd, path, main);
	}
	close(fd);
	return rc;
}

static int
compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "*.conf", not hidden, only characters that need no quoting in logs. */
static bool
dropin_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 5 && s[0] != '.' && strcmp(s + n - 5, ".conf") == 0 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789._-") == n;
}

static int
list_dropins(struct reader *r, int dfd, const char *dpath, char ***names,
    size_t *n)
{
	DIR *dir;
	struct dirent *de;
	char **v = NULL, **nv;
	int fd;

	*n = 0;
	if ((fd = dup(dfd)) == -1 || (dir = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return fail_errno(r, dpath, "list the drop-in directory");
	}
	while ((de = readdir(dir)) != NULL) {
		if (!dropin_name_ok(de->d_name))
			continue;
		if ((nv = reallocarray(v, *n + 1, sizeof(*v))) == NULL ||
		    (nv[*n] = strdup(de->d_name)) == NULL) {
			closedir(dir);
			*names = nv ? nv : v;
			diags_add(r->d, DIAG_ERROR, dpath, 0, "out of memory");
			return -1;
		}
		v = nv;
		(*n)++;
	}
	closedir(dir);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), compare_names);
	*names = v;
	return 0;
}

static int
read_dropins(struct reader *r, int dfd, const char *dpath)
{
	char **names = NULL, path[PATH_MAX];
	size_t i, n = 0;
	int rc;

	rc = list_dropins(r, dfd, dpath, &names, &n);
	for (i = 0; rc == 0 && i < n; i++) {
		int len = snprintf(path, sizeof(path), "%s/%s", dpath,
		    names[i]);
		if (len < 0 || (size_t)len >= sizeof(path)) {
			diags_add(r->d, DIAG_ERROR, dpath, 0, "a drop-in "
			    "path is too long");
			rc = -1;
		} else
			rc = read_one(r, dfd, names[i], path, false);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* The drop-in directory beside the main file; absent is fine. */
static int
open_dropin_dir(struct reader *r, int parent, const char *dpath)
{
	struct stat st;
	int fd;

	if (r->trust == POLICY_TRUST_SYSTEM)
		fd = openat(parent, DROPIN_DIR, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC);
	else
		fd = open(dpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return -2;
	if (fd == -1)
		return fail_errno(r, dpath, "open the drop-in directory");
	if (fstat(fd, &st) == -1 || !owner_mode_safe(r, dpath, &st)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
split_path(const char *path, char *dir, size_t dirsz, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		snprintf(dir, dirsz, ".");
		*base = path;
	} else {
		snprintf(dir, dirsz, "%.*s", (int)(slash - path), path);
		if (dir[0] == '\0')
			snprintf(dir, dirsz, "/");
		*base = slash + 1;
	}
}

int
policy_read_files(const char *path, enum policy_trust trust,
    struct policy_texts *out, struct diags *d)
{
	struct reader r = { trust, d, out };
	char dir[PATH_MAX], dpath[PATH_MAX + 16];
	const char *base;
	int pfd = AT_FDCWD, dfd, rc = -1;

	memset(out, 0, sizeof(*out));
	if (strlen(path) >= PATH_MAX || path[0] == '\0' ||
	    (trust == POLICY_TRUST_SYSTEM && path[0] != '/')) {
		diags_add(d, DIAG_ERROR, path, 0, "the policy path must be "
		    "absolute and shorter than %d bytes", PATH_MAX);
		return -1;
	}
	split_path(path, dir, sizeof(dir), &base);
	snprintf(dpath, sizeof(dpath), "%s%s" DROPIN_DIR, dir,
	    strcmp(dir, "/") == 0 ? "" : "/");
	if (trust == POLICY_TRUST_SYSTEM &&
	    (pfd = open_checked_dir(&r, dir)) == -1)
		return -1;
	if (read_one(&r, pfd, base, path, true) == 0) {
		dfd = open_dropin_dir(&r, pfd, dpath);
		if (dfd >= 0) {
			rc = read_dropins(&r, dfd, dpath);
			close(dfd);
		} else
			rc = dfd == -2 ? 0 : -1;
	}
	if (pfd != AT_FDCWD)
		close(pfd);
	if (rc == -1)
		policy_texts_free(out);
	return rc;
}

void
policy_texts_free(struct policy_texts *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].text);
	}
	t->n = 0;
}

struct policy *
policy_load(const char *path, enum policy_trust trust, struct diags *d)
{
	struct policy_texts *texts;
	struct policy *p = NULL;

	if ((texts = calloc(1, sizeof(*texts))) == NULL) {
		diags_add(d, DIAG_ERROR, path, 0, "out of memory");
		return NULL;
	}
	if (policy_read_files(path, trust, texts, d) == 0) {
		p = policy_build(texts, d);
		policy_texts_free(texts);
	}
	free(texts);
	return p;
}
