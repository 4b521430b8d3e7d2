/*
 * safepath.c - see safepath.h.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "policy/safepath.h"

#define LINKS_MAX 40    /* symlinks followed in one walk, as the kernel */

unsigned
safepath_bad(const struct stat *st)
{
	return (st->st_uid != 0 ? SAFEPATH_NOT_ROOT : 0) |
	    (st->st_mode & S_IWGRP ? SAFEPATH_GROUP_W : 0) |
	    (st->st_mode & S_IWOTH ? SAFEPATH_WORLD_W : 0);
}

static int
stopped(struct safepath *w, enum safepath_stop why, int fd)
{
	if (fd != -1)
		close(fd);
	w->stop = why;
	return -1;
}

static int
sys_failed(struct safepath *w, int fd)
{
	w->err = errno;
	return stopped(w, SAFEPATH_ERRNO, fd);
}

/* The owner and mode of the component open as FD (already fstat'ed). */
static bool
owner_mode_ok(struct safepath *w)
{
	w->bad = safepath_bad(&w->st);
	return w->bad == 0 ||
	    (w->unsafe != NULL && !w->unsafe(w->ctx, w->at, w->bad, &w->st));
}

/* Append NAME to W->at; false when it does not fit. */
static bool
walked_into(struct safepath *w, const char *name)
{
	size_t len = strlen(w->at);

	return snprintf(w->at + len, sizeof(w->at) - len, "%s%s",
	    len > 1 ? "/" : "", name) < (int)(sizeof(w->at) - len);
}

/*
 * The symlink open as FD, met at W->at in PARENT with LEFT still to walk:
 * its target, then LEFT, becomes the new path in TODO.  0 to walk on
 * from "/", -1 to stop.
 */
static int
follow_link(struct safepath *w, int fd, const char *parent, const char *left,
    char *todo, size_t size, int *links)
{
	ssize_t n = readlinkat(fd, "", w->target, sizeof(w->target) - 1);

	w->target[n > 0 ? n : 0] = '\0';
	if (!w->follow || n <= 0)
		return stopped(w, SAFEPATH_SYMLINK, fd);
	if (++*links > LINKS_MAX)
		return stopped(w, SAFEPATH_LOOP, fd);
	close(fd);
	/* LEFT is "" or starts with '/': a trailing slash stays one. */
	if (snprintf(todo, size, "%s/%s%s", w->target[0] == '/' ? "" : parent,
	    w->target, left) >= (int)size)
		return stopped(w, SAFEPATH_TOO_LONG, -1);
	return 0;
}

/* Open the next component NAME in DIR, making it if missing and asked. */
static int
open_component(struct safepath *w, int dir, const char *name, bool last)
{
	int fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd == -1 && errno == ENOENT && w->make_dir != NULL &&
	    !(last && w->want_file)) {
		if (w->make_dir(w->ctx, dir, name, last) == -1)
			return -1;
		fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	}
	return fd;
}

/*
 * One walk from "/" along TODO (rewritten when a symlink is followed).
 * Returns the last component's fd, -1 to stop, or -2 to walk again.
 */
static int
walk(struct safepath *w, char *todo, size_t size, int *links)
{
	char name[NAME_MAX + 1], parent[PATH_MAX];
	const char *p = todo;
	size_t len;
	int fd, sub;

	snprintf(w->at, sizeof(w->at), "/");
	w->last = *p + strspn(p, "/") == '\0';
	if ((fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		return sys_failed(w, -1);
	if (fstat(fd, &w->st) == -1)
		return sys_failed(w, fd);
	if (!owner_mode_ok(w))
		return stopped(w, SAFEPATH_UNSAFE, fd);
	for (;;) {
		p += strspn(p, "/");
		if (*p == '\0')
			return w->want_file ? stopped(w, SAFEPATH_IS_DIR, fd) : fd;
		if ((len = strcspn(p, "/")) >= sizeof(name))
			return stopped(w, SAFEPATH_TOO_LONG, fd);
		memcpy(name, p, len);
		name[len] = '\0';
		p += len;
		w->last = p[strspn(p, "/")] == '\0';
		memcpy(parent, w->at, sizeof(parent));
		if (!walked_into(w, name))
			return stopped(w, SAFEPATH_TOO_LONG, fd);
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			return stopped(w, SAFEPATH_DOTS, fd);
		sub = open_component(w, fd, name, w->last);
		close(fd);
		if ((fd = sub) == -1)
			return sys_failed(w, -1);
		if (fstat(fd, &w->st) == -1)
			return sys_failed(w, fd);
		if (S_ISLNK(w->st.st_mode)) {
			char left[PATH_MAX];

			snprintf(left, sizeof(left), "%s", p);
			return follow_link(w, fd, parent, left, todo, size,
			    links) == -1 ? -1 : -2;
		}
		if (!S_ISDIR(w->st.st_mode))
			break;
		if (!owner_mode_ok(w))
			return stopped(w, SAFEPATH_UNSAFE, fd);
	}
	/* Not a directory: only a regular file, as the very last thing. */
	if (!w->want_file || !w->last)
		return stopped(w, SAFEPATH_NOT_DIR, fd);
	if (!S_ISREG(w->st.st_mode) || *p != '\0')
		return stopped(w, SAFEPATH_NOT_FILE, fd);
	if (!owner_mode_ok(w))
		return stopped(w, SAFEPATH_UNSAFE, fd);
	return fd;
}

int
safepath_open(const char *path, struct safepath *w)
{
	char todo[PATH_MAX];
	int links = 0, fd;

	w->at[0] = w->target[0] = '\0';
	w->err = 0;
	w->bad = 0;
	w->last = false;
	memset(&w->st, 0, sizeof(w->st));
	if (path == NULL || path[0] != '/')
		return stopped(w, SAFEPATH_NOT_ABSOLUTE, -1);
	if (strlen(path) >= sizeof(todo))
		return stopped(w, SAFEPATH_TOO_LONG, -1);
	snprintf(todo, sizeof(todo), "%s", path);
	while ((fd = walk(w, todo, sizeof(todo), &links)) == -2)
		;
	return fd;
}
