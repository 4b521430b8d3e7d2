/*
 * test_files.c - reading the policy from disk: the system policy is
 * refused unless the file, its drop-ins and every directory above them are
 * root-owned, not group/world-writable and not symlinks.
 *
 * Making root-owned files needs root, so most cases run only as root (as
 * CI does); as another user they are left out with a note on stderr.
 */
#include <sys/stat.h>

#include <check.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/policy.h"
#include "tests/unit/testutil.h"

static char top[64];            /* a root-owned 0755 directory of ours */
static char path[PATH_MAX];     /* top/etc/policy.conf */
static struct diags d;

static void
put(const char *rel, const char *text, mode_t mode)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", top, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_int_eq(chmod(p, mode), 0);
}

static void __attribute__((format(printf, 1, 2)))
run(const char *fmt, ...)
{
	char cmd[PATH_MAX * 2];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
}

static void
setup(void)
{
	snprintf(top, sizeof(top), "/run/cutover-unit-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	ck_assert_int_eq(chmod(top, 0755), 0);
	run("mkdir -m 0755 %s/etc %s/etc/policy.d", top, top);
	snprintf(path, sizeof(path), "%s/etc/policy.conf", top);
	put("etc/policy.conf", "audit = { syslog = true; };\n"
	    "services = { a = { exe = \"/a\"; user = \"a\"; start = [\"/a\"]; }; };\n"
	    "rules = ( { users = [\"u\"]; start = [\"a\"]; } );\n", 0640);
	memset(&d, 0, sizeof(d));
}

static void
teardown(void)
{
	run("rm -rf -- %s", top);
	diags_free(&d);
}

static void
refused_with(const char *words)
{
	struct policy *p = policy_load(path, POLICY_TRUST_SYSTEM, &d);

	ck_assert_ptr_null(p);
	ck_assert_msg(tu_has(&d, DIAG_ERROR, NULL, 0, words), "%s", words);
}

START_TEST(safe_policy_and_dropins_load_in_order)
{
	struct policy *p;

	put("etc/policy.d/20-b.conf", "rules = ( { users = [\"b\"]; "
	    "start = [\"a\"]; } );\n", 0644);
	put("etc/policy.d/10-a.conf", "rules = ( { users = [\"x\"]; "
	    "start = [\"a\"]; } );\n", 0644);
	put("etc/policy.d/notes.txt", "not a policy", 0666);
	put("etc/policy.d/.hidden.conf", "garbage", 0666);
	put("etc/policy.d/30-c.conf~", "garbage", 0666);
	p = policy_load(path, POLICY_TRUST_SYSTEM, &d);
	if (p == NULL)
		tu_dump(&d);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(p->nfiles, 3);
	ck_assert_ptr_nonnull(strstr(p->files[1], "/policy.d/10-a.conf"));
	ck_assert_ptr_nonnull(strstr(p->files[2], "/policy.d/20-b.conf"));
	ck_assert_str_eq(p->rules[1].users[0], "x");
	ck_assert_str_eq(p->rules[2].users[0], "b");
	policy_free(p);
}
END_TEST

START_TEST(group_or_world_writable_file)
{
	chmod(path, 0660);
	refused_with("group-writable");
	diags_free(&d);
	chmod(path, 0642);
	refused_with("world-writable");
}
END_TEST

START_TEST(file_not_owned_by_root)
{
	ck_assert_int_eq(chown(path, 1000, 0), 0);
	refused_with("owned by uid 1000, not root");
}
END_TEST

START_TEST(symlinked_file)
{
	char real[PATH_MAX];

	snprintf(real, sizeof(real), "%s/real.conf", top);
	ck_assert_int_eq(rename(path, real), 0);
	ck_assert_int_eq(symlink(real, path), 0);
	refused_with("symlink");
}
END_TEST

START_TEST(unsafe_directory_above)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/etc", top);
	chmod(dir, 0775);
	refused_with("group-writable");
	diags_free(&d);
	chmod(dir, 0755);
	ck_assert_int_eq(chown(top, 1000, 1000), 0);
	refused_with("owned by uid 1000");
}
END_TEST

START_TEST(symlinked_directory_above)
{
	char dir[PATH_MAX], moved[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/etc", top);
	snprintf(moved, sizeof(moved), "%s/real-etc", top);
	ck_assert_int_eq(rename(dir, moved), 0);
	ck_assert_int_eq(symlink(moved, dir), 0);
	refused_with("symlink");
}
END_TEST

START_TEST(unsafe_dropins)
{
	char dir[PATH_MAX], link[PATH_MAX];

	put("etc/policy.d/10-a.conf", "rules = ();\n", 0664);
	refused_with("group-writable");
	diags_free(&d);
	snprintf(dir, sizeof(dir), "%s/etc/policy.d/10-a.conf", top);
	chmod(dir, 0644);
	snprintf(link, sizeof(link), "%s/etc/policy.d/20-b.conf", top);
	ck_assert_int_eq(symlink(dir, link), 0);
	refused_with("symlink");
	diags_free(&d);
	unlink(link);
	snprintf(dir, sizeof(dir), "%s/etc/policy.d", top);
	ck_assert_int_eq(chown(dir, 1000, 0), 0);
	refused_with("owned by uid 1000");
}
END_TEST

START_TEST(named_file_is_only_warned)
{
	struct policy *p;

	ck_assert_int_eq(chown(path, 1000, 1000), 0);
	p = policy_load(path, POLICY_TRUST_NAMED, &d);
	ck_assert_ptr_nonnull(p);
	ck_assert(tu_has(&d, DIAG_WARNING, path, 0, "as the system policy "
	    "this would be refused: it is owned by uid 1000"));
	policy_free(p);
}
END_TEST

START_TEST(missing_huge_or_relative)
{
	char big[PATH_MAX];
	FILE *f;
	int i;

	unlink(path);
	refused_with("cannot open the policy: No such file or directory");
	diags_free(&d);
	ck_assert_ptr_null(policy_load("etc/policy.conf", POLICY_TRUST_SYSTEM, &d));
	ck_assert(tu_has(&d, DIAG_ERROR, NULL, 0, "must be absolute"));
	diags_free(&d);
	snprintf(big, sizeof(big), "%s", path);
	ck_assert_ptr_nonnull(f = fopen(big, "w"));
	for (i = 0; i < 70000; i++)
		fputs("# padding padding\n", f);
	fclose(f);
	chmod(big, 0640);
	refused_with("larger than");
}
END_TEST

Suite *
files_suite(void)
{
	Suite *s = suite_create("files");
	TCase *tc = tcase_create("files");

	if (geteuid() != 0) {
		fputs("files: not root: the file-safety cases are left out "
		    "(they need root-owned files)\n", stderr);
		suite_add_tcase(s, tc);
		return s;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, safe_policy_and_dropins_load_in_order);
	tcase_add_test(tc, group_or_world_writable_file);
	tcase_add_test(tc, file_not_owned_by_root);
	tcase_add_test(tc, symlinked_file);
	tcase_add_test(tc, unsafe_directory_above);
	tcase_add_test(tc, symlinked_directory_above);
	tcase_add_test(tc, unsafe_dropins);
	tcase_add_test(tc, named_file_is_only_warned);
	tcase_add_test(tc, missing_huge_or_relative);
	suite_add_tcase(s, tc);
	return s;
}
