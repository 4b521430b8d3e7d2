/*
 * test_lock.c - what a request touches (lock_targets_of, pure), and the
 * locks themselves on a directory of the test's own: two struct locks in
 * one process conflict as two requests would (a flock belongs to the
 * open file description, and each take opens its own).
 */
#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/act/lock.h"
#include "helper/act/rootdir.h"
#include "policy/policy.h"
#include "tests/unit/testutil.h"

#define TXID_A "0123456789abcdef0123456789abcdef"
#define TXID_B "fedcba9876543210fedcba9876543210"

/* ---- lock_targets_of ----------------------------------------------------- */

static struct diags d;
static struct policy *p;

/* deploy.conf, and a drop-in: a service of two ports, one of too many. */
static void
policy_setup(void)
{
	char *text = tu_slurp("policy/examples/deploy.conf");
	char big[2048] = "services = {\n"
	    "  two = { exe = \"/usr/bin/true\"; user = \"nobody\"; "
	    "start = [\"/usr/bin/true\"]; ports = [9001, 8080]; };\n"
	    "  big = { exe = \"/usr/bin/true\"; user = \"nobody\"; "
	    "start = [\"/usr/bin/true\"]; ports = [";
	int i;

	for (i = 1; i <= LOCK_TARGETS_MAX + 1; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), "%s%d",
		    i > 1 ? ", " : "", 10000 + i);
	snprintf(big + strlen(big), sizeof(big) - strlen(big), "]; };\n};\n");
	memset(&d, 0, sizeof(d));
	ck_assert_ptr_nonnull(text);
	p = tu_build(&d, text, big, NULL);
	free(text);
	if (p == NULL)
		tu_dump(&d);
	ck_assert_ptr_nonnull(p);
}

static void
policy_teardown(void)
{
	policy_free(p);
	diags_free(&d);
}

/* The targets of ACTION TARGET, as one string: "port-8080 service-nginx" */
static const char *
targets(enum action a, const char *target, int port)
{
	static char buf[LOCK_TARGETS_MAX * LOCK_NAME_MAX];
	struct request rq = { a, target, port, NULL };
	struct lock_targets lt;
	size_t i;

	if (lock_targets_of(p, &rq, &lt, buf, sizeof(buf)) == -1)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < lt.n; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
		    i > 0 ? " " : "", lt.name[i]);
	return buf;
}

START_TEST(free_port_is_the_port_and_its_holders)
{
	ck_assert_str_eq(targets(ACT_FREE_PORT, "8080", 8080),
	    "port-8080 service-apache2 service-nginx");
}
END_TEST

START_TEST(start_and_stop_are_the_service_and_its_ports)
{
	ck_assert_str_eq(targets(ACT_START, "nginx", 0),
	    "port-8080 service-nginx");
	ck_assert_str_eq(targets(ACT_STOP, "nginx", 0),
	    "port-8080 service-nginx");
	/* sorted: the one lock order, whatever the policy's order */
	ck_assert_str_eq(targets(ACT_START, "two", 0),
	    "port-8080 port-9001 service-two");
}
END_TEST

START_TEST(switch_is_every_step_and_the_rollback)
{
	/* free 8080 (apache2, nginx), start nginx; stop nginx, start apache2 */
	ck_assert_str_eq(targets(ACT_SWITCH, "newsite", 0),
	    "port-8080 service-apache2 service-nginx");
}
END_TEST

START_TEST(verify_touches_nothing)
{
	ck_assert_str_eq(targets(ACT_VERIFY, "homepage", 0), "");
}
END_TEST

START_TEST(unknown_or_too_many_refuse)
{
	ck_assert_ptr_nonnull(strstr(targets(ACT_START, "nosuch", 0),
	    "cannot tell what this request would touch"));
	ck_assert_ptr_nonnull(strstr(targets(ACT_FREE_PORT, "22", 22),
	    "cannot tell what this request would touch"));
	ck_assert_ptr_nonnull(strstr(targets(ACT_SWITCH, "nosuch", 0),
	    "cannot tell what this request would touch"));
	ck_assert_ptr_nonnull(strstr(targets(ACT_START, "big", 0),
	    "more than 32 ports and services"));
}
END_TEST

/* ---- the locks -------------------------------------------------------------- */

static char dir[64];
static int dirfd_ = -1;

static void
dir_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/cutover-test-lock.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	dirfd_ = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ne(dirfd_, -1);
}

static int
remove_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(path);
}

static void
dir_teardown(void)
{
	close(dirfd_);
	(void)nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static struct lock_targets
names(const char *a, const char *b)
{
	struct lock_targets t = { .n = 0 };

	snprintf(t.name[t.n++], LOCK_NAME_MAX, "%s", a);
	if (b != NULL)
		snprintf(t.name[t.n++], LOCK_NAME_MAX, "%s", b);
	return t;
}

static int
take(struct locks *l, const struct lock_targets *t, const char *txid,
    char *why, size_t whylen)
{
	return locks_take_at(l, dirfd_, geteuid(), t, txid, why, whylen);
}

/* The text of lock file NAME ("" when empty or missing). */
static const char *
content(const char *name)
{
	static char buf[128];
	char path[160];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	buf[0] = '\0';
	if ((f = fopen(path, "r")) != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

START_TEST(second_request_is_refused_naming_the_holder)
{
	struct lock_targets both = names("port-8080", "service-nginx");
	struct lock_targets port = names("port-8080", NULL);
	struct locks a = LOCKS_INIT, b = LOCKS_INIT;
	char why[512] = "";
	struct stat st;
	size_t i;

	ck_assert_int_eq(take(&a, &both, TXID_A, why, sizeof(why)), 0);
	ck_assert_uint_eq(a.n, 2);
	for (i = 0; i < a.n; i++)   /* a started service must not inherit it */
		ck_assert(fcntl(a.fd[i], F_GETFD) & FD_CLOEXEC);
	ck_assert_str_eq(content("port-8080"), TXID_A "\n");
	ck_assert_int_eq(fstatat(dirfd_, "port-8080", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(take(&b, &port, TXID_B, why, sizeof(why)), -1);
	ck_assert_uint_eq(b.n, 0);
	ck_assert_str_eq(why, "another cutover request is working on port "
	    "8080 (txid " TXID_A "); try again when it has finished");
	ck_assert_str_eq(content("port-8080"), TXID_A "\n");
	locks_release(&a);
	ck_assert_uint_eq(a.n, 0);
	ck_assert_str_eq(content("port-8080"), "");    /* names no one */
	ck_assert_int_eq(take(&b, &port, TXID_B, why, sizeof(why)), 0);
	ck_assert_str_eq(content("port-8080"), TXID_B "\n");
	locks_release(&b);
	locks_release(&b);          /* twice, and NULL: harmless */
	locks_release(NULL);
}
END_TEST

START_TEST(a_refusal_holds_nothing)
{
	struct lock_targets svc = names("service-nginx", NULL);
	struct lock_targets both = names("port-8080", "service-nginx");
	struct lock_targets port = names("port-8080", NULL);
	struct locks a = LOCKS_INIT, b = LOCKS_INIT, c = LOCKS_INIT;
	char why[512];

	ck_assert_int_eq(take(&a, &svc, TXID_A, why, sizeof(why)), 0);
	/* b gets port-8080, then not service-nginx: it must let go of both */
	ck_assert_int_eq(take(&b, &both, TXID_B, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "working on service nginx (txid "
	    TXID_A ")"));
	ck_assert_uint_eq(b.n, 0);
	ck_assert_int_eq(take(&c, &port, TXID_B, why, sizeof(why)), 0);
	locks_release(&c);
	locks_release(&a);
}
END_TEST

START_TEST(forget_keeps_the_holders_lock)
{
	struct lock_targets port = names("port-8080", NULL);
	struct locks a = LOCKS_INIT, copy = LOCKS_INIT, b = LOCKS_INIT;
	char why[512];

	ck_assert_int_eq(take(&a, &port, TXID_A, why, sizeof(why)), 0);
	/* what a fork gives a child: copies of the same descriptions */
	copy.fd[0] = dup(a.fd[0]);
	copy.n = 1;
	locks_forget(&copy);
	ck_assert_uint_eq(copy.n, 0);
	ck_assert_int_eq(take(&b, &port, TXID_B, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, TXID_A));
	locks_release(&a);
	ck_assert_int_eq(take(&b, &port, TXID_B, why, sizeof(why)), 0);
	locks_release(&b);
}
END_TEST

/* A lock file that is not what cutover makes is a refusal, untouched. */
static void
refused_as(const char *name, const char *words)
{
	struct lock_targets t = names(name, NULL);
	struct locks l = LOCKS_INIT;
	char why[512] = "";

	ck_assert_int_eq(take(&l, &t, TXID_A, why, sizeof(why)), -1);
	ck_assert_uint_eq(l.n, 0);
	if (strstr(why, words) == NULL)
		ck_abort_msg("%s: \"%s\" does not say \"%s\"", name, why, words);
}

START_TEST(unsafe_lock_files_refuse)
{
	char victim[160], path[160];
	int fd;

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	fd = open(victim, O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, "keep me\n", 8), 8);
	close(fd);
	ck_assert_int_eq(symlinkat(victim, dirfd_, "port-1"), 0);
	refused_as("port-1", "lock file port-1");
	snprintf(path, sizeof(path), "%s/port-2", dir);
	ck_assert_int_eq(link(victim, path), 0);        /* a second link */
	refused_as("port-2", "port 2 (lock file port-2: Operation not "
	    "permitted)");
	ck_assert_str_eq(content("victim"), "keep me\n");
	ck_assert_int_eq(mkfifoat(dirfd_, "port-3", 0600), 0);
	refused_as("port-3", "lock file port-3");
	fd = openat(dirfd_, "port-4", O_WRONLY | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(fchmod(fd, 0620), 0);          /* group-writable */
	close(fd);
	refused_as("port-4", "lock file port-4");
	ck_assert_int_eq(mkdirat(dirfd_, "port-5", 0700), 0);
	refused_as("port-5", "lock file port-5");
	refused_as("../port-6", "Invalid argument");
	refused_as(".hidden", "Invalid argument");
	refused_as("", "Invalid argument");
}
END_TEST

START_TEST(lock_files_of_another_owner_refuse)
{
	struct lock_targets t = names("port-8080", NULL);
	struct locks l = LOCKS_INIT;
	char why[512];

	ck_assert_int_eq(locks_take_at(&l, dirfd_, geteuid() + 1, &t, TXID_A,
	    why, sizeof(why)), -1);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(empty_set_touches_nothing)
{
	struct lock_targets none = { .n = 0 };
	struct locks l = LOCKS_INIT;
	char why[512];

	/* not even CUTOVER_LOCK_DIR: verify must work without it */
	ck_assert_int_eq(locks_take(&l, &none, TXID_A, why, sizeof(why)), 0);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(unsafe_directories_refuse)
{
	char path[128], why[512];

	/* /tmp is world-writable: nothing below it is safe */
	snprintf(path, sizeof(path), "%s/lock", dir);
	ck_assert_int_eq(rootdir_open(path, "lock directory", why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "/tmp/ is not safe"));
	ck_assert_int_ne(faccessat(dirfd_, "lock", F_OK, 0), 0); /* not made */
	ck_assert_int_eq(rootdir_open("run/cutover/lock", "lock directory", why, sizeof(why)),
	    -1);
	ck_assert_ptr_nonnull(strstr(why, "not an absolute path"));
}
END_TEST

Suite *
lock_suite(void)
{
	Suite *s = suite_create("lock");
	TCase *tc = tcase_create("targets");

	tcase_add_checked_fixture(tc, policy_setup, policy_teardown);
	tcase_add_test(tc, free_port_is_the_port_and_its_holders);
	tcase_add_test(tc, start_and_stop_are_the_service_and_its_ports);
	tcase_add_test(tc, switch_is_every_step_and_the_rollback);
	tcase_add_test(tc, verify_touches_nothing);
	tcase_add_test(tc, unknown_or_too_many_refuse);
	suite_add_tcase(s, tc);
	tc = tcase_create("locks");
	tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_test(tc, second_request_is_refused_naming_the_holder);
	tcase_add_test(tc, a_refusal_holds_nothing);
	tcase_add_test(tc, forget_keeps_the_holders_lock);
	tcase_add_test(tc, unsafe_lock_files_refuse);
	tcase_add_test(tc, lock_files_of_another_owner_refuse);
	tcase_add_test(tc, empty_set_touches_nothing);
	tcase_add_test(tc, unsafe_directories_refuse);
	suite_add_tcase(s, tc);
	return s;
}
