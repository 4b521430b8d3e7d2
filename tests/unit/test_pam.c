/*
 * test_pam.c - authpam_check() against real Linux-PAM and real modules
 * (pam_permit, pam_deny, pam_time, pam_access, pam_unix, pam_exec,
 * pam_stress), with the test stacks in tests/unit/data/pam/NAME/cutover
 * through pam_start_confdir.  No mocks: what these tests see is what PAM does.
 *
 * Every call runs in a child in a session of its own, so it has no
 * controlling terminal unless a test gives it a pseudo-terminal: a test
 * can then never prompt whoever runs the suite, and "no terminal" is
 * really no terminal.  The child sends back the result, and its stderr is
 * kept for the tests of what is shown.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "pam/pam.h"

#define DATA "tests/unit/data/pam"

/* What the child reports. */
struct outcome {
	int rc;
	int echo_after;             /* 1: ECHO is on once it returned; -1: no tty */
	char why[1024];
};

/* One call of authpam_check() as a test wants it made. */
struct call {
	const char *confdir;
	bool authenticate;
	const char *tty;            /* the child's controlling terminal, or NULL */
	int stdin_fd;               /* -1: /dev/null */
	bool libpam_leaks;          /* skip the leak check of this call */
};

static struct outcome out;      /* the last call's */
static char err[4096];          /* the last call's stderr */

static void
read_all(int fd, char *buf, size_t size, size_t *len)
{
	ssize_t n;

	*len = 0;
	while (*len < size && (n = read(fd, buf + *len, size - *len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			break;
		*len += (size_t)n;
	}
}

/*
 * Signal handlers come to the child from Check's runner; an exec would
 * reset them to the default, so do what cutover would find.
 */
static void
default_signals(void)
{
	static const int sigs[] = { SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGALRM };
	size_t i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		signal(sigs[i], SIG_DFL);
}

/* The caller is whoever runs the tests, on terminal TTY (or none). */
static void
child_call(const struct call *k, int result_fd, int err_fd)
{
	struct outcome o = { .echo_after = -1 };
	struct caller c;
	struct termios t;
	struct passwd *pw = getpwuid(getuid());
	int tty = -1;
	int in = k->stdin_fd != -1 ? k->stdin_fd : open("/dev/null", O_RDONLY);

	default_signals();
	if (setsid() == -1 || pw == NULL || in == -1)
		_exit(90);
	if (k->tty != NULL && ((tty = open(k->tty, O_RDWR)) == -1 ||
	    ioctl(tty, TIOCSCTTY, 0) == -1))
		_exit(91);
	if (dup2(in, STDIN_FILENO) == -1 || dup2(err_fd, STDERR_FILENO) == -1)
		_exit(92);
	memset(&c, 0, sizeof(c));
	c.uid = getuid();
	c.gid = getgid();
	c.name = pw->pw_name;
	snprintf(c.tty, sizeof(c.tty), "%s", k->tty != NULL ? k->tty : "");
	o.rc = authpam_check(&c, k->authenticate, k->confdir, o.why,
	    sizeof(o.why));
	if (tty != -1)
		o.echo_after = tcgetattr(tty, &t) == 0 && (t.c_lflag & ECHO);
	if (write(result_fd, &o, sizeof(o)) != (ssize_t)sizeof(o))
		_exit(93);
	if (k->libpam_leaks)
		_exit(0);
	exit(0);    /* not _exit: LeakSanitizer checks the PAM calls here */
}

static pid_t
start_call(const struct call *k, int *result_fd, int *err_fd)
{
	int res[2], e[2];
	pid_t pid;

	ck_assert_int_eq(pipe2(res, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(e, O_CLOEXEC), 0);
	fflush(NULL);               /* the child exits through exit() */
	pid = fork();
	ck_assert_int_ne(pid, -1);
	if (pid == 0)
		child_call(k, res[1], e[1]);
	close(res[1]);
	close(e[1]);
	*result_fd = res[0];
	*err_fd = e[0];
	return pid;
}

/* Collect the child's outcome; returns its wait status. */
static int
end_call(pid_t pid, int result_fd, int err_fd)
{
	size_t len;
	int status;

	memset(&out, 0, sizeof(out));
	read_all(result_fd, (char *)&out, sizeof(out), &len);
	read_all(err_fd, err, sizeof(err) - 1, &len);
	err[len] = '\0';
	close(result_fd);
	close(err_fd);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static int
run(const struct call *k)
{
	int r, e;
	pid_t pid = start_call(k, &r, &e);
	int status = end_call(pid, r, e);

	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "the child failed (status 0x%x): %s", status, err);
	return out.rc;
}

/* authpam_check with test stack NAME, no terminal, stdin /dev/null. */
static int
check_stack(const char *name, bool authenticate)
{
	char dir[PATH_MAX];
	struct call k = { .confdir = dir, .authenticate = authenticate,
	    .stdin_fd = -1 };

	snprintf(dir, sizeof(dir), DATA "/%s", name);
	return run(&k);
}

static void
refused(const char *why)
{
	ck_assert_int_eq(out.rc, -1);
	ck_assert_str_eq(out.why, why);
}

/* ---- the account stage ------------------------------------------------ */

START_TEST(permit_allows_with_and_without_authentication)
{
	ck_assert_int_eq(check_stack("permit", false), 0);
	ck_assert_int_eq(check_stack("permit", true), 0);
	ck_assert_str_eq(err, "");
}
END_TEST

START_TEST(account_refusal_names_stage_and_pam_message)
{
	check_stack("deny-account", false);
	refused("account: Authentication failure");
	check_stack("deny-account", true);    /* auth passes, account still runs */
	refused("account: Authentication failure");
}
END_TEST

START_TEST(pam_time_closed_window_refuses)
{
	check_stack("time-closed", false);
	refused("account: Permission denied");
}
END_TEST

START_TEST(pam_time_open_window_allows)
{
	ck_assert_int_eq(check_stack("time-open", false), 0);
}
END_TEST

START_TEST(pam_access_refusal)
{
	check_stack("access-denied", false);
	refused("account: Permission denied");
}
END_TEST

START_TEST(expired_password_refused_with_advice)
{
	check_stack("expired", false);
	refused("account: password expired, change it with passwd first");
}
END_TEST

START_TEST(module_message_is_kept_and_shown)
{
	check_stack("exec-fails", false);
	refused("account: System error (/bin/false failed: exit code 1)");
	ck_assert_str_eq(err, "/bin/false failed: exit code 1\n");
}
END_TEST

START_TEST(items_user_ruser_tty_no_rhost)
{
	/* check-items.sh exits 2..5 for the item that is wrong */
	ck_assert_msg(check_stack("items", false) == 0, "%s", out.why);
}
END_TEST

/*
 * libpam 1.5.2 itself leaks 96 bytes (its module table) when pam_start
 * fails, so this one call skips LeakSanitizer's check.
 */
START_TEST(missing_stack_is_a_setup_refusal)
{
	struct call k = { .confdir = DATA "/no-such-stack",
	    .stdin_fd = -1, .libpam_leaks = true };

	ck_assert_int_eq(run(&k), -1);
	ck_assert_msg(strncmp(out.why, "setup: ", 7) == 0, "%s", out.why);
}
END_TEST

/* Without a name PAM would ask for one; refused before PAM is asked. */
START_TEST(no_caller_name_refused_before_pam)
{
	struct caller c;
	char why[128];

	memset(&c, 0, sizeof(c));
	ck_assert_int_eq(authpam_check(&c, true, DATA "/permit", why,
	    sizeof(why)), -1);
	ck_assert_str_eq(why, "setup: no caller name");
}
END_TEST

/* ---- the auth stage --------------------------------------------------- */

START_TEST(auth_is_skipped_unless_the_rule_asks)
{
	ck_assert_int_eq(check_stack("deny-auth", false), 0);
}
END_TEST

START_TEST(auth_refusal_names_stage_and_pam_message)
{
	check_stack("deny-auth", true);
	refused("auth: Authentication failure");
}
END_TEST

/*
 * pam_unix asks for a password; there is no terminal, so the conversation
 * fails and says so, and the password waiting on stdin (a pipe) is still
 * there afterwards: nothing read it.  (pam_unix 1.5.2 turns the
 * conversation error into PAM_AUTHTOK_ERR, hence PAM's odd words; the
 * note in parentheses is what tells the user what happened.)
 */
START_TEST(no_terminal_no_prompt_and_stdin_unread)
{
	static const char pw[] = "s3cret\n";
	char left[64];
	struct call k = { .confdir = DATA "/unix-auth",
	    .authenticate = true };
	int p[2];
	size_t len;

	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(write(p[1], pw, strlen(pw)), (ssize_t)strlen(pw));
	close(p[1]);
	k.stdin_fd = p[0];
	run(&k);
	refused("auth: Authentication token manipulation error "
	    "(no terminal to ask for a password on)");
	read_all(p[0], left, sizeof(left), &len);
	close(p[0]);
	ck_assert_uint_eq(len, strlen(pw));
	ck_assert(memcmp(left, pw, len) == 0);
}
END_TEST

/* ---- the shipped stack with Debian's common-auth/common-account -------- */

/*
 * A confdir holding pam/cutover as "cutover" and the system's own
 * common-auth and common-account (which its @include lines name), made
 * and removed by the runner (an unchecked fixture), so a failing test
 * leaves nothing behind.
 */
static char shipped[64];
static const char *const shipped_names[] = { "cutover", "common-auth",
    "common-account" };

static void
shipped_setup(void)
{
	char cwd[PATH_MAX], target[PATH_MAX + 16], link[PATH_MAX];
	const char *targets[3];
	size_t i;

	snprintf(shipped, sizeof(shipped), "/tmp/cutover-pam-XXXXXX");
	if (getcwd(cwd, sizeof(cwd)) == NULL || mkdtemp(shipped) == NULL) {
		shipped[0] = '\0';
		return;
	}
	snprintf(target, sizeof(target), "%s/pam/cutover", cwd);
	targets[0] = target;
	targets[1] = "/etc/pam.d/common-auth";
	targets[2] = "/etc/pam.d/common-account";
	for (i = 0; i < 3; i++) {
		snprintf(link, sizeof(link), "%s/%s", shipped, shipped_names[i]);
		if (symlink(targets[i], link) == -1)
			perror(link);     /* the test then fails on its own */
	}
}

static void
shipped_teardown(void)
{
	char p[PATH_MAX];
	size_t i;

	if (shipped[0] == '\0')
		return;
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/%s", shipped, shipped_names[i]);
		unlink(p);
	}
	rmdir(shipped);
}

START_TEST(shipped_stack_with_debian_common_files)
{
	struct call k = { .confdir = shipped, .stdin_fd = -1 };

	ck_assert_msg(shipped[0] != '\0', "no temporary directory");
	ck_assert_msg(run(&k) == 0, "account: %s", out.why);
	k.authenticate = true;
	ck_assert_int_eq(run(&k), -1);
	ck_assert_msg(strncmp(out.why, "auth: ", 6) == 0 &&
	    strstr(out.why, "(no terminal to ask for a password on)") != NULL,
	    "%s", out.why);
}
END_TEST

/* ---- prompting on a terminal (a pseudo-terminal) ---------------------- */

struct pty {
	int master;
	char slave[64];
	char seen[4096];            /* everything the child wrote to it */
	size_t len;
};

static void
pty_open(struct pty *p)
{
	memset(p, 0, sizeof(*p));
	p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_int_ne(p->master, -1);
	ck_assert_int_eq(grantpt(p->master), 0);
	ck_assert_int_eq(unlockpt(p->master), 0);
	ck_assert_int_eq(ptsname_r(p->master, p->slave, sizeof(p->slave)), 0);
}

/* Read what the child writes until TEXT shows (true) or MS pass. */
static bool
pty_wait(struct pty *p, const char *text, int ms)
{
	struct pollfd pfd = { p->master, POLLIN, 0 };
	ssize_t n;

	while (text == NULL || strstr(p->seen, text) == NULL) {
		if (poll(&pfd, 1, ms) != 1)
			return false;
		n = read(p->master, p->seen + p->len, sizeof(p->seen) - 1 - p->len);
		if (n <= 0)                 /* EIO: the child has gone */
			return false;
		p->len += (size_t)n;
		p->seen[p->len] = '\0';
	}
	return true;
}

/* Answer the prompt of the "password" stack with LINE; the outcome. */
static void
answer_prompt(struct pty *p, const char *line)
{
	struct call k = { .confdir = DATA "/password", .authenticate = true,
	    .tty = p->slave, .stdin_fd = -1 };
	int r, e, status;
	pid_t pid;

	pid = start_call(&k, &r, &e);
	ck_assert_msg(pty_wait(p, "Password: ", 5000), "no prompt: %s", p->seen);
	ck_assert_int_eq(write(p->master, line, strlen(line)),
	    (ssize_t)strlen(line));
	status = end_call(pid, r, e);
	ck_assert_msg(status == 0, "the child failed (status 0x%x): %s",
	    status, err);
	pty_wait(p, NULL, 200);           /* the rest of its output */
}

START_TEST(password_asked_on_the_terminal_without_echo)
{
	struct pty p;

	pty_open(&p);
	answer_prompt(&p, "s3cret\n");
	ck_assert_msg(out.rc == 0, "%s", out.why);
	ck_assert_msg(strstr(p.seen, "s3cret") == NULL, "echoed: %s", p.seen);
	ck_assert_int_eq(out.echo_after, 1);
	ck_assert_str_eq(err, "");        /* nothing went to stderr */
	close(p.master);
}
END_TEST

START_TEST(wrong_password_refused_with_module_message)
{
	struct pty p;

	pty_open(&p);
	answer_prompt(&p, "guess\n");
	refused("auth: System error (/bin/sh failed: exit code 1)");
	ck_assert_msg(strstr(p.seen, "/bin/sh failed: exit code 1") != NULL,
	    "not shown on the terminal: %s", p.seen);
	ck_assert_int_eq(out.echo_after, 1);
	close(p.master);
}
END_TEST

START_TEST(overlong_answer_refused_not_cut)
{
	char line[700];
	struct pty p;

	memset(line, 'x', sizeof(line) - 2);
	line[sizeof(line) - 2] = '\n';
	line[sizeof(line) - 1] = '\0';
	pty_open(&p);
	answer_prompt(&p, line);
	refused("auth: Conversation error (answer longer than PAM allows)");
	ck_assert_int_eq(out.echo_after, 1);
	close(p.master);
}
END_TEST

/* Killed while echo is off: the terminal gets its echo back. */
START_TEST(signal_at_the_prompt_restores_echo)
{
	struct call k;
	struct termios t;
	struct pty p;
	int r, e, status, fd;
	pid_t pid;

	pty_open(&p);
	k = (struct call){ .confdir = DATA "/password", .authenticate = true,
	    .tty = p.slave, .stdin_fd = -1 };
	pid = start_call(&k, &r, &e);
	ck_assert_msg(pty_wait(&p, "Password: ", 5000), "no prompt: %s", p.seen);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	status = end_call(pid, r, e);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	    "status 0x%x", status);
	fd = open(p.slave, O_RDWR | O_NOCTTY);
	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(tcgetattr(fd, &t), 0);
	ck_assert(t.c_lflag & ECHO);
	close(fd);
	close(p.master);
}
END_TEST

Suite *
pam_suite(void)
{
	Suite *s = suite_create("pam");
	TCase *acct = tcase_create("account");
	TCase *auth = tcase_create("auth");
	TCase *tty = tcase_create("terminal");
	TCase *ship = tcase_create("shipped");

	tcase_add_test(acct, permit_allows_with_and_without_authentication);
	tcase_add_test(acct, account_refusal_names_stage_and_pam_message);
	tcase_add_test(acct, pam_time_closed_window_refuses);
	tcase_add_test(acct, pam_time_open_window_allows);
	tcase_add_test(acct, pam_access_refusal);
	tcase_add_test(acct, expired_password_refused_with_advice);
	tcase_add_test(acct, module_message_is_kept_and_shown);
	tcase_add_test(acct, items_user_ruser_tty_no_rhost);
	tcase_add_test(acct, missing_stack_is_a_setup_refusal);
	tcase_add_test(acct, no_caller_name_refused_before_pam);
	tcase_add_test(auth, auth_is_skipped_unless_the_rule_asks);
	tcase_add_test(auth, auth_refusal_names_stage_and_pam_message);
	tcase_add_test(auth, no_terminal_no_prompt_and_stdin_unread);
	tcase_add_unchecked_fixture(ship, shipped_setup, shipped_teardown);
	if (access("/etc/pam.d/common-auth", R_OK) == 0 &&
	    access("/etc/pam.d/common-account", R_OK) == 0)
		tcase_add_test(ship, shipped_stack_with_debian_common_files);
	else
		fputs("pam: no /etc/pam.d/common-auth or common-account: the "
		    "shipped-stack case is left out\n", stderr);
	tcase_add_test(tty, password_asked_on_the_terminal_without_echo);
	tcase_add_test(tty, wrong_password_refused_with_module_message);
	tcase_add_test(tty, overlong_answer_refused_not_cut);
	tcase_add_test(tty, signal_at_the_prompt_restores_echo);
	suite_add_tcase(s, acct);
	suite_add_tcase(s, auth);
	suite_add_tcase(s, ship);
	suite_add_tcase(s, tty);
	return s;
}
