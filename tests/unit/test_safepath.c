/*
 * test_safepath.c - policy/safepath.c, the one safe-path walk, on a tree
 * of good and bad directories made under a fresh temporary directory.
 *
 * /tmp itself is world-writable (sticky): the walk reports it, and these
 * tests' unsafe() lets the components down to the tree's top pass, as a
 * caller that warns instead of refusing would.  Run as non-root, the
 * tree is the tester's own: "not owned by root" is let pass for the
 * tester's uid too, and the one test that needs chown is skipped (said).
 */
#include <sys/stat.h>

#include <check.h>
#include <stdarg.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/safepath.h"

static char top[256];

struct seen {
	int unsafe_calls;
	int made, made_last;
};

static bool
test_unsafe(void *ctx, const char *at, unsigned bad, const struct stat *st)
{
	struct seen *s = ctx;
	size_t n = strlen(at);

	s->unsafe_calls++;
	if (strncmp(top, at, n) == 0 && (top[n] == '/' || top[n] == '\0'))
		return false;           /* /tmp and the tree's own top */
	if (bad == SAFEPATH_NOT_ROOT && geteuid() != 0 &&
	    st->st_uid == geteuid())
		return false;
	return true;
}

static int
test_make_dir(void *ctx, int parent, const char *name, bool last)
{
	struct seen *s = ctx;

	s->made++;
	s->made_last += last;
	return mkdirat(parent, name, 0755);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
sh(const char *fmt, ...)
{
	char cmd[PATH_MAX * 2];
	va_list ap;

	snprintf(cmd, sizeof(cmd), "cd '%s' && ", top);
	va_start(ap, fmt);
	vsnprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
}

static void
setup(void)
{
	snprintf(top, sizeof(top), "/tmp/cutover-safepath-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	ck_assert_int_eq(chmod(top, 0755), 0);
	sh("umask 022 && mkdir -p a/b gw ww st && touch a/prog && "
	    "chmod 0755 a/prog && touch a/open && chmod 0666 a/open && "
	    "mkfifo a/fifo && chmod 0775 gw && chmod 0757 ww && "
	    "chmod 01777 st && ln -s a link && ln -s l2 l1 && ln -s l1 l2 && "
	    "touch f");
}

static void
teardown(void)
{
	sh("cd / && rm -rf -- '%s'", top);
}

/* Walk to TOP/REL; returns the fd (closed here) or -1, W filled. */
static int
walk(const char *rel, bool file, bool follow, struct safepath *w,
    struct seen *s)
{
	char path[PATH_MAX];
	int fd;

	memset(w, 0, sizeof(*w));
	memset(s, 0, sizeof(*s));
	w->want_file = file;
	w->follow = follow;
	w->unsafe = test_unsafe;
	w->ctx = s;
	snprintf(path, sizeof(path), "%s/%s", top, rel);
	fd = safepath_open(path, w);
	if (fd != -1)
		close(fd);
	return fd == -1 ? -1 : 0;
}

static void
ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	ck_assert_msg(n >= m && strcmp(s + n - m, tail) == 0,
	    "\"%s\" does not end with \"%s\"", s, tail);
}

START_TEST(a_good_chain_opens)
{
	struct safepath w;
	struct seen s;
	struct stat a, b;
	char path[PATH_MAX];
	int fd;

	ck_assert_int_eq(walk("a/b", false, false, &w, &s), 0);
	ck_assert_int_eq(walk("a/prog", true, false, &w, &s), 0);
	/* the descriptor is the path's own */
	memset(&w, 0, sizeof(w));
	w.unsafe = test_unsafe;
	w.ctx = &s;
	snprintf(path, sizeof(path), "%s/a/b", top);
	ck_assert_int_ne(fd = safepath_open(path, &w), -1);
	ck_assert_int_eq(fstat(fd, &a), 0);
	ck_assert_int_eq(stat(path, &b), 0);
	ck_assert(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	close(fd);
}
END_TEST

START_TEST(writable_directories_stop_it)
{
	struct safepath w;
	struct seen s;

	ck_assert_int_eq(walk("gw", false, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_UNSAFE);
	ck_assert_uint_eq(w.bad & ~SAFEPATH_NOT_ROOT, SAFEPATH_GROUP_W);
	ends_with(w.at, "/gw");
	ck_assert_int_eq(walk("ww", false, false, &w, &s), -1);
	ck_assert_uint_eq(w.bad & ~SAFEPATH_NOT_ROOT, SAFEPATH_WORLD_W);
	/* sticky is no excuse: only a caller's unsafe() may let it pass */
	ck_assert_int_eq(walk("st", false, false, &w, &s), -1);
	ck_assert_uint_eq(w.bad & ~SAFEPATH_NOT_ROOT,
	    SAFEPATH_GROUP_W | SAFEPATH_WORLD_W);
	/* /tmp was reported too (and let pass by this test's unsafe()) */
	ck_assert_int_ge(s.unsafe_calls, 2);
	/* a writable file at the end */
	ck_assert_int_eq(walk("a/open", true, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_UNSAFE);
	ck_assert(w.last && S_ISREG(w.st.st_mode));
}
END_TEST

START_TEST(without_unsafe_any_fault_stops)
{
	struct safepath w = { 0 };

	/* /tmp is world-writable: with no unsafe(), the walk stops there */
	ck_assert_int_eq(safepath_open(top, &w), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_UNSAFE);
	ck_assert_str_eq(w.at, "/tmp");
	ck_assert(w.bad & SAFEPATH_WORLD_W);
}
END_TEST

START_TEST(a_symlink_refuses_unless_followed)
{
	struct safepath w;
	struct seen s;

	ck_assert_int_eq(walk("link/b", false, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_SYMLINK);
	ck_assert_str_eq(w.target, "a");
	ends_with(w.at, "/link");
	ck_assert_int_eq(walk("link/b", false, true, &w, &s), 0);
	ck_assert_int_eq(walk("link/prog", true, true, &w, &s), 0);
	ck_assert_int_eq(walk("l1", true, true, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_LOOP);
}
END_TEST

START_TEST(the_wrong_kind_of_file_stops_it)
{
	struct safepath w;
	struct seen s;

	ck_assert_int_eq(walk("f/x", false, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_NOT_DIR);
	ck_assert_int_eq(walk("f", false, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_NOT_DIR);
	ck_assert_int_eq(walk("a", true, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_IS_DIR);
	ck_assert_int_eq(walk("a/fifo", true, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_NOT_FILE);
	ck_assert_int_eq(walk("a/prog/", true, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_NOT_FILE);
}
END_TEST

START_TEST(missing_relative_and_dotted_paths_stop_it)
{
	struct safepath w;
	struct seen s;

	ck_assert_int_eq(walk("none/x", false, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_ERRNO);
	ck_assert_int_eq(w.err, ENOENT);
	ends_with(w.at, "/none");
	ck_assert_int_eq(walk("a/../a", false, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_DOTS);
	ck_assert_int_eq(walk("a/./b", false, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_DOTS);
	memset(&w, 0, sizeof(w));
	ck_assert_int_eq(safepath_open("tmp/x", &w), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_NOT_ABSOLUTE);
	ck_assert_int_eq(safepath_open(NULL, &w), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_NOT_ABSOLUTE);
}
END_TEST

START_TEST(missing_directories_are_made_when_asked)
{
	struct safepath w;
	struct seen s;
	struct stat st;
	char path[PATH_MAX];

	memset(&w, 0, sizeof(w));
	memset(&s, 0, sizeof(s));
	w.unsafe = test_unsafe;
	w.make_dir = test_make_dir;
	w.ctx = &s;
	snprintf(path, sizeof(path), "%s/n1/n2", top);
	ck_assert_int_ge(safepath_open(path, &w), 0);
	ck_assert_int_eq(s.made, 2);
	ck_assert_int_eq(s.made_last, 1);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
}
END_TEST

START_TEST(another_owner_stops_it)
{
	struct safepath w;
	struct seen s;

	if (geteuid() != 0) {
		fprintf(stderr, "test_safepath: not root: the owner case "
		    "(chown) is skipped\n");
		return;
	}
	sh("mkdir -m 0755 theirs && chown 65534 theirs");
	ck_assert_int_eq(walk("theirs", false, false, &w, &s), -1);
	ck_assert_int_eq(w.stop, SAFEPATH_UNSAFE);
	ck_assert_uint_eq(w.bad, SAFEPATH_NOT_ROOT);
	ck_assert_uint_eq(w.st.st_uid, 65534);
}
END_TEST

START_TEST(the_test_of_owner_and_mode)
{
	struct stat st = { 0 };

	st.st_mode = S_IFDIR | 0755;
	ck_assert_uint_eq(safepath_bad(&st), 0);
	st.st_mode = S_IFDIR | 01777;
	ck_assert_uint_eq(safepath_bad(&st), SAFEPATH_GROUP_W | SAFEPATH_WORLD_W);
	st.st_mode = S_IFREG | 0644;
	st.st_uid = 1;
	ck_assert_uint_eq(safepath_bad(&st), SAFEPATH_NOT_ROOT);
}
END_TEST

Suite *
safepath_suite(void)
{
	Suite *s = suite_create("safepath");
	TCase *tc = tcase_create("safepath");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_good_chain_opens);
	tcase_add_test(tc, writable_directories_stop_it);
	tcase_add_test(tc, without_unsafe_any_fault_stops);
	tcase_add_test(tc, a_symlink_refuses_unless_followed);
	tcase_add_test(tc, the_wrong_kind_of_file_stops_it);
	tcase_add_test(tc, missing_relative_and_dotted_paths_stop_it);
	tcase_add_test(tc, missing_directories_are_made_when_asked);
	tcase_add_test(tc, another_owner_stops_it);
	tcase_add_test(tc, the_test_of_owner_and_mode);
	suite_add_tcase(s, tc);
	return s;
}
