/*
 * test_service.c - start SERVICE (helper/act/svc/proc.c): the pre-flight, and
 * for real (as root) the launched process.
 *
 * The launch cases run the whole sequence run.c runs, in a child made to
 * look like setuid root started by uid 4242 (real 4242, effective 0) with
 * supplementary groups, an environment variable, a private fd 5, an odd
 * umask, cwd, rlimit, an ignored and a blocked signal: the started
 * "service" is /usr/bin/perl with a script that records what it got
 * (environment, fds, ids, groups, capability sets, session, limits) and
 * serves that on its port; the test reads it and compares.
 *
 * The plan and port cases run as any user; the launch cases and the
 * binary-safety cases that need root-owned fixtures need root, and are
 * left out otherwise with a note.
 */
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper/priv/privilege.h"
#include "helper/act/svc/svc.h"

#define CALLER 4242
#define NOBODY 65534
#define PERL "/usr/bin/perl"

/*
 * The test service: records what it was given, then (DAEMON=1: after
 * forking and leaving its parent to exit 0) listens on $PORT and serves
 * the record to whoever connects.
 */
static const char script[] =
    "use strict; use Socket;\n"
    "if ($ENV{DAEMON}) { exit 0 if fork(); require POSIX; POSIX::setsid();"
    "  select(undef, undef, undef, 0.3); }\n"
    "exit 3 if $ENV{FAIL};\n"
    "my @fds = grep { defined readlink(\"/proc/self/fd/$_\") } 0..1023;\n"
    "my $r = \"PID $$\\nFDS @fds\\n\";\n"
    "$r .= \"FD$_ \" . readlink(\"/proc/self/fd/$_\") . \"\\n\" for 0..2;\n"
    "$r .= \"CWD \" . readlink(\"/proc/self/cwd\") . \"\\n\";\n"
    "$r .= \"ENV $_=$ENV{$_}\\n\" for sort keys %ENV;\n"
    "for my $f ('status', 'stat', 'limits') {\n"
    "  open(my $h, '<', \"/proc/self/$f\") or die; local $/; my $t = <$h>;\n"
    "  $t =~ s/^/$f: /mg; $r .= \"$t\\n\"; }\n"
    "socket(my $s, PF_INET, SOCK_STREAM, 0) or die;\n"
    "setsockopt($s, SOL_SOCKET, SO_REUSEADDR, 1);\n"
    "bind($s, sockaddr_in($ENV{PORT}, INADDR_ANY)) or die;\n"
    "listen($s, 16) or die;\n"
    "while (accept(my $c, $s)) { print $c $r; close $c; }\n";

/* A service built in place, as the loader would build it. */
struct test_service {
	struct service svc;
	const char *start[4];
	const char *env[4];
	const char *caps[2];
	int ports[1];
	char port_env[32];
};

static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ne(s, -1);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &len), 0);
	close(s);
	return ntohs(a.sin_port);
}

static void
make_service(struct test_service *t, const char *user, const char *extra_env)
{
	memset(t, 0, sizeof(*t));
	t->ports[0] = free_port();
	snprintf(t->port_env, sizeof(t->port_env), "PORT=%d", t->ports[0]);
	t->start[0] = PERL;
	t->start[1] = "-e";
	t->start[2] = script;
	t->env[0] = t->port_env;
	t->env[1] = extra_env;
	t->svc.name = "testsvc";
	t->svc.exe = PERL;
	t->svc.user = user;
	t->svc.uid = -1;
	t->svc.start = t->start;
	t->svc.nstart = 3;
	t->svc.start_timeout = 10.0;
	t->svc.ports = t->ports;
	t->svc.nports = 1;
	t->svc.env = t->env;
	t->svc.nenv = extra_env ? 2 : 1;
}

/* ---- the plan: who, what, with what (any user) ----------------------- */

START_TEST(plan_resolves_user_by_name)
{
	struct test_service t;
	struct svc_launch p;
	char why[600];

	make_service(&t, "nobody", "LANG=C.UTF-8");
	ck_assert_int_eq(svc_resolve(&t.svc, &p, why, sizeof(why)),
	    EXIT_DONE);
	ck_assert(!p.root);
	ck_assert_int_eq(p.uid, NOBODY);
	ck_assert_int_eq(p.gid, NOBODY);
	ck_assert_uint_eq(p.ngroups, 1);
	ck_assert_int_eq(p.groups[0], NOBODY);
	ck_assert_str_eq(p.user, "nobody");
	ck_assert_str_eq(p.envp[0], "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	ck_assert_str_eq(p.envp[1], "HOME=/nonexistent");
	ck_assert_str_eq(p.envp[2], "USER=nobody");
	ck_assert_str_eq(p.envp[3], "LOGNAME=nobody");
	ck_assert_str_eq(p.envp[4], t.port_env);
	ck_assert_str_eq(p.envp[5], "LANG=C.UTF-8");
	ck_assert_ptr_null(p.envp[6]);
	ck_assert_double_eq(p.timeout, 10.0);
	svc_launch_free(&p);
}
END_TEST

START_TEST(plan_resolves_user_by_number_and_group)
{
	struct test_service t;
	struct svc_launch p;
	char why[600];

	make_service(&t, NULL, NULL);
	t.svc.uid = NOBODY;
	t.svc.group = "daemon";
	ck_assert_int_eq(svc_resolve(&t.svc, &p, why, sizeof(why)),
	    EXIT_DONE);
	ck_assert_int_eq(p.uid, NOBODY);
	ck_assert_int_eq(p.gid, getgrnam("daemon")->gr_gid);
	ck_assert_str_eq(p.user, "nobody");
	svc_launch_free(&p);
}
END_TEST

START_TEST(plan_policy_env_may_replace_path)
{
	struct test_service t;
	struct svc_launch p;
	char why[600];
	size_t n;

	make_service(&t, "nobody", "PATH=/opt/svc/bin");
	ck_assert_int_eq(svc_resolve(&t.svc, &p, why, sizeof(why)),
	    EXIT_DONE);
	ck_assert_str_eq(p.envp[0], "PATH=/opt/svc/bin");
	for (n = 0; p.envp[n] != NULL; n++)
		;
	ck_assert_uint_eq(n, 5);
	svc_launch_free(&p);
}
END_TEST

START_TEST(plan_converts_capabilities)
{
	struct test_service t;
	struct svc_launch p;
	char why[600];

	make_service(&t, "nobody", NULL);
	t.caps[0] = "cap_net_bind_service";
	t.svc.capabilities = t.caps;
	t.svc.ncapabilities = 1;
	ck_assert_int_eq(svc_resolve(&t.svc, &p, why, sizeof(why)),
	    EXIT_DONE);
	ck_assert_uint_eq(p.ncaps, 1);
	ck_assert_int_eq(p.caps[0], CAP_NET_BIND_SERVICE);
	svc_launch_free(&p);
}
END_TEST

static void
expect_refused(const struct service *svc, const char *words)
{
	struct svc_launch p;
	char why[600] = "";
	int st = svc_resolve(svc, &p, why, sizeof(why));

	if (st != EXIT_REFUSED || strstr(why, words) == NULL)
		fprintf(stderr, "svc_resolve: %d: %s\n", st, why);
	ck_assert_int_eq(st, EXIT_REFUSED);
	ck_assert_ptr_nonnull(strstr(why, words));
	svc_launch_free(&p);
}

START_TEST(plan_refuses_missing_user_uid_or_group)
{
	struct test_service t;

	make_service(&t, "cutover-no-such-user", NULL);
	expect_refused(&t.svc, "does not exist");
	make_service(&t, NULL, NULL);
	t.svc.uid = 4242999;
	expect_refused(&t.svc, "no entry in the password database");
	make_service(&t, NULL, NULL);
	t.svc.uid = -1;          /* neither a name nor a number */
	expect_refused(&t.svc, "no valid user");
	make_service(&t, "nobody", NULL);
	t.svc.group = "cutover-no-such-group";
	expect_refused(&t.svc, "group cutover-no-such-group");
}
END_TEST

START_TEST(plan_refuses_root_without_allow_root)
{
	struct test_service t;
	struct svc_launch p;
	char why[600];

	/* The loader refuses these; the plan must too (defence in depth). */
	make_service(&t, "root", NULL);
	expect_refused(&t.svc, "allow_root");
	make_service(&t, NULL, NULL);
	t.svc.uid = 0;
	expect_refused(&t.svc, "allow_root");
	t.svc.allow_root = true;
	ck_assert_int_eq(svc_resolve(&t.svc, &p, why, sizeof(why)),
	    EXIT_DONE);
	ck_assert(p.root);
	ck_assert_int_eq(p.uid, 0);
	ck_assert_int_eq(p.gid, 0);
	ck_assert_str_eq(p.envp[1], "HOME=/root");
	ck_assert_str_eq(p.envp[2], "USER=root");
	svc_launch_free(&p);
}
END_TEST

START_TEST(plan_refuses_unsafe_system_paths)
{
	struct test_service t;

	make_service(&t, "nobody", NULL);
	t.svc.exe = "/tmp/cutover-no-such-exe";      /* /tmp is 1777 */
	expect_refused(&t.svc, "/tmp, a directory above its exe");
	make_service(&t, "nobody", NULL);
	t.start[0] = "/usr/bin/cutover-no-such-program";
	expect_refused(&t.svc, "No such file");
	make_service(&t, "nobody", NULL);
	t.start[0] = "/usr/bin";
	expect_refused(&t.svc, "is a directory");
	make_service(&t, "nobody", NULL);
	t.start[0] = "/dev/null";
	expect_refused(&t.svc, "not a regular file");
	make_service(&t, "nobody", NULL);
	t.svc.exe = "relative/nginx";
	expect_refused(&t.svc, "not an absolute path");
}
END_TEST

/* ---- the ports pre-flight (any user) ----------------------------------- */

START_TEST(ports_free_names_the_holder_and_the_fix)
{
	struct test_service t;
	struct svc_launch p;
	struct sockaddr_in a = { .sin_family = AF_INET };
	char why[600], pidtext[32], hint[64];
	int sync[2], s;
	pid_t holder;

	make_service(&t, "nobody", NULL);
	ck_assert_int_eq(svc_resolve(&t.svc, &p, why, sizeof(why)),
	    EXIT_DONE);
	ck_assert_int_eq(svc_ports_unheld(&p, why, sizeof(why)),
	    EXIT_DONE);
	ck_assert_int_eq(pipe(sync), 0);
	if ((holder = fork()) == 0) {
		a.sin_port = htons((uint16_t)t.ports[0]);
		s = socket(AF_INET, SOCK_STREAM, 0);
		if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1))
			_exit(1);
		(void)!write(sync[1], "x", 1);
		pause();
		_exit(0);
	}
	ck_assert_int_eq(read(sync[0], hint, 1), 1);
	ck_assert_int_eq(svc_ports_unheld(&p, why, sizeof(why)),
	    EXIT_FAILED);
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	snprintf(pidtext, sizeof(pidtext), "pid %d ", (int)holder);
	snprintf(hint, sizeof(hint), "cutover free-port %d", t.ports[0]);
	ck_assert_ptr_nonnull(strstr(why, pidtext));
	ck_assert_ptr_nonnull(strstr(why, hint));
	ck_assert_ptr_nonnull(strstr(why, "nothing was started"));
	svc_launch_free(&p);
}
END_TEST

/* ---- binary safety with root-owned fixtures (root) -------------------- */

static char fixture[64];

static void
make_fixture(void)
{
	char path[128];
	int in, out;
	char buf[65536];
	ssize_t n;

	/* /run: root-owned, 0755 all the way up (unlike /tmp). */
	snprintf(fixture, sizeof(fixture), "/run/cutover-service-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fixture));
	ck_assert_int_eq(chmod(fixture, 0755), 0);
	snprintf(path, sizeof(path), "%s/bin", fixture);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/bin/prog", fixture);
	in = open("/usr/bin/true", O_RDONLY);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL, 0755);
	ck_assert(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		ck_assert_int_eq(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
	ck_assert_int_eq(chmod(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/link", fixture);
	ck_assert_int_eq(symlink("bin", path), 0);
	snprintf(path, sizeof(path), "%s/tmp", fixture);
	ck_assert_int_eq(symlink("/tmp", path), 0);
}

/* FIXTURE/NAME: a root-owned 0755 script run by INTERPRETER. */
static void
make_script(char *path, size_t size, const char *name,
    const char *interpreter)
{
	FILE *f;

	snprintf(path, size, "%s/%s", fixture, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "#!%s\nexit 0\n", interpreter);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, 0755), 0);
}

static int
remove_one(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/*
 * Unchecked fixture: runs in the runner itself, around the whole case, so
 * the directory goes even when a test fails (a forked test that fails
 * never reaches its own clean-up).
 */
static void
remove_fixture(void)
{
	if (fixture[0] != '\0')
		(void)nftw(fixture, remove_one, 8, FTW_DEPTH | FTW_PHYS);
	fixture[0] = '\0';
}

START_TEST(plan_refuses_unsafe_binaries)
{
	struct test_service t;
	struct svc_launch p;
	char prog[128], dir[128], via_link[128], why[600];
	char script_path[128], interp[128];

	snprintf(prog, sizeof(prog), "%s/bin/prog", fixture);
	snprintf(dir, sizeof(dir), "%s/bin", fixture);
	snprintf(via_link, sizeof(via_link), "%s/link/prog", fixture);

	/* safe: root-owned, 0755, up to / */
	make_service(&t, "nobody", NULL);
	t.svc.exe = prog;
	t.start[0] = prog;
	ck_assert_int_eq(svc_resolve(&t.svc, &p, why, sizeof(why)),
	    EXIT_DONE);
	svc_launch_free(&p);

	/* a group-writable directory above it */
	ck_assert_int_eq(chmod(dir, 0775), 0);
	expect_refused(&t.svc, "group- or world-writable");
	ck_assert_int_eq(chmod(dir, 0755), 0);

	/* a directory above it owned by someone else */
	ck_assert_int_eq(chown(dir, CALLER, 0), 0);
	expect_refused(&t.svc, "not owned by root");
	ck_assert_int_eq(chown(dir, 0, 0), 0);

	/* the file itself: another owner, or group-writable */
	ck_assert_int_eq(chown(prog, CALLER, 0), 0);
	expect_refused(&t.svc, "not owned by root");
	ck_assert_int_eq(chown(prog, 0, 0), 0);
	ck_assert_int_eq(chmod(prog, 0775), 0);
	expect_refused(&t.svc, "group- or world-writable");
	ck_assert_int_eq(chmod(prog, 0755), 0);

	/* a symlinked directory, even a root-owned one */
	t.svc.exe = via_link;
	expect_refused(&t.svc, "is a symlink (to bin)");

	/* the start command is checked as well as the exe */
	t.svc.exe = PERL;
	t.start[0] = prog;
	ck_assert_int_eq(chmod(prog, 0757), 0);
	expect_refused(&t.svc, "start command");
	ck_assert_int_eq(chmod(prog, 0755), 0);

	/*
	 * A script's interpreter too; its path may go through root-owned
	 * symlinks (/bin -> usr/bin), never through an unsafe directory.
	 */
	make_script(script_path, sizeof(script_path), "script", "/bin/sh");
	t.start[0] = script_path;
	ck_assert_int_eq(svc_resolve(&t.svc, &p, why, sizeof(why)),
	    EXIT_DONE);
	svc_launch_free(&p);
	make_script(script_path, sizeof(script_path), "script", via_link);
	ck_assert_int_eq(svc_resolve(&t.svc, &p, why, sizeof(why)),
	    EXIT_DONE);
	svc_launch_free(&p);
	ck_assert_int_eq(chmod(dir, 0775), 0);
	expect_refused(&t.svc, "a directory above its start command's "
	    "interpreter");
	ck_assert_int_eq(chmod(dir, 0755), 0);
	snprintf(interp, sizeof(interp), "%s/tmp/sh", fixture);
	make_script(script_path, sizeof(script_path), "script", interp);
	expect_refused(&t.svc, "/tmp, a directory above its start command's "
	    "interpreter");
}
END_TEST

/* ---- the launch, for real (root) --------------------------------------- */

struct outcome {
	int plan, ports, launch, wait;
	char why[600];
	struct svc_started rep;
};

/*
 * Ignore SIG, one of the two that glibc's sigaction() refuses (32, 33):
 * a caller can, and an ignored signal survives execve.
 */
static void
ignore_glibc_signal(int sig)
{
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} k = { SIG_IGN, 0, NULL, 0 };

	ck_assert_int_eq(syscall(SYS_rt_sigaction, sig, &k, NULL,
	    sizeof(k.mask)), 0);
}

/*
 * What run.c does, in a child made to look like setuid root started by
 * CALLER, with some of the caller's state that must not reach the service.
 * The result comes back through a pipe that is NOT close-on-exec: a
 * service holding it would keep the test's read from ending.
 */
static void
run_start(const struct service *svc, struct outcome *o)
{
	gid_t callers_groups[] = { CALLER, 27, 4243 };
	struct rlimit low = { 100, 4096 };
	struct svc_launch p;
	sigset_t block;
	int res[2], fd, status;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	ck_assert_int_eq(pipe(res), 0);
	if ((pid = fork()) == 0) {
		close(res[0]);
		if (res[1] == 5)
			res[1] = dup(res[1]);
		if (setgroups(3, callers_groups) || setresgid(CALLER, 0, 0) ||
		    setresuid(CALLER, 0, 0))
			_exit(10);
		/* the steps' own user, as the transaction sets it */
		if (privilege_set_step_user(4245, 4245, o->why, sizeof(o->why)))
			_exit(10);
		setenv("CUTOVER_TEST_SECRET", "leaked", 1);
		fd = open("/etc/shadow", O_RDONLY);     /* a private file */
		if (fd == -1 || dup2(fd, 5) != 5)
			_exit(11);
		umask(077);
		if (chdir("/tmp") || setrlimit(RLIMIT_NOFILE, &low))
			_exit(12);
		signal(SIGPIPE, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		ignore_glibc_signal(33);
		sigemptyset(&block);
		sigaddset(&block, SIGUSR1);
		sigaddset(&block, SIGTERM);
		sigprocmask(SIG_BLOCK, &block, NULL);

		o->plan = svc_resolve(svc, &p, o->why, sizeof(o->why));
		if (o->plan == EXIT_DONE && !p.root &&
		    privilege_enter(STEP_START, p.caps, p.ncaps) == -1)
			o->plan = 99;
		if (o->plan == EXIT_DONE)
			o->ports = svc_ports_unheld(&p, o->why,
			    sizeof(o->why));
		if (o->plan == EXIT_DONE && o->ports == EXIT_DONE)
			o->launch = svc_launch(&p, &o->rep, o->why,
			    sizeof(o->why));
		if (o->plan == EXIT_DONE && o->ports == EXIT_DONE &&
		    o->launch == EXIT_DONE) {
			if (p.root &&
			    privilege_enter(STEP_START_ROOT, NULL, 0) == -1)
				o->launch = 98;
			else
				o->wait = svc_wait_ready(&p, &o->rep, o->why,
				    sizeof(o->why));
		}
		svc_launch_free(&p);
		(void)!write(res[1], o, sizeof(*o));
		_exit(0);
	}
	close(res[1]);
	if (read(res[0], o, sizeof(*o)) != (ssize_t)sizeof(*o)) {
		waitpid(pid, &status, 0);
		ck_abort_msg("the test's cutover ended with wait status %#x",
		    status);
	}
	/* EOF here: nobody else (not the service) holds the write end. */
	ck_assert_int_eq(read(res[0], &fd, 1), 0);
	close(res[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* What the service serves on PORT: its own record (NULL: nothing). */
static char *
fetch(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	static char buf[65536];
	size_t len = 0;
	ssize_t n;
	int s;

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return NULL;
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) == -1) {
		close(s);
		return NULL;
	}
	while ((n = read(s, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(s);
	buf[len] = '\0';
	return buf;
}

/* The rest of the line that starts with PREFIX, or NULL. */
static const char *
field(const char *rec, const char *prefix, char *out, size_t size)
{
	const char *p = rec;
	size_t n = strlen(prefix), len;

	for (; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, prefix, n) == 0) {
			len = strcspn(p + n, "\n");
			if (len >= size)
				len = size - 1;
			memcpy(out, p + n, len);
			out[len] = '\0';
			return out;
		}
	return NULL;
}

static void
expect_field(const char *rec, const char *prefix, const char *want)
{
	char got[512];

	if (field(rec, prefix, got, sizeof(got)) == NULL ||
	    strcmp(got, want) != 0)
		fprintf(stderr, "%s: got \"%s\", want \"%s\"\n", prefix,
		    field(rec, prefix, got, sizeof(got)) ? got : "(none)",
		    want);
	ck_assert_ptr_nonnull(field(rec, prefix, got, sizeof(got)));
	ck_assert_str_eq(got, want);
}

/*
 * No signal ignored but SIGFPE, which perl itself ignores at start-up:
 * the test's cutover ignored SIGPIPE and SIGHUP, and these must not pass.
 */
static void
expect_sigign_clean(const char *rec)
{
	char got[64];
	unsigned long long ign;

	ck_assert_ptr_nonnull(field(rec, "status: SigIgn:", got, sizeof(got)));
	ck_assert_int_eq(sscanf(got, "%llx", &ign), 1);
	ck_assert_uint_eq(ign & ~(1ULL << (SIGFPE - 1)), 0);
	ck_assert_ptr_nonnull(field(rec, "status: SigBlk:", got, sizeof(got)));
	ck_assert_str_eq(got, "\t0000000000000000");
}

/* Every "ENV " line, joined with spaces. */
static void
env_of(const char *rec, char *out, size_t size)
{
	const char *p;
	size_t len = 0, n;

	out[0] = '\0';
	for (p = rec; (p = strstr(p, "\nENV ")) != NULL; p += 5) {
		n = strcspn(p + 5, "\n");
		len += (size_t)snprintf(out + len, size - len, "%s%.*s",
		    len ? " " : "", (int)n, p + 5);
	}
}

/*
 * Kill what the start left running - before any assertion, so that a
 * failing case leaves no service behind.  Root kills them all.
 */
static void
stop_started(const struct outcome *o)
{
	size_t i;

	if (o->rep.launched > 1 && !o->rep.exited)
		kill(o->rep.launched, SIGKILL);
	for (i = 0; i < o->rep.npids; i++)
		if (o->rep.pids[i] > 1)
			kill(o->rep.pids[i], SIGKILL);
}

/* session and tty_nr from "stat: pid (comm) state ppid pgrp session tty" */
static void
session_of(const char *rec, int *sid, int *tty)
{
	char line[1024];
	const char *p;

	ck_assert_ptr_nonnull(field(rec, "stat: ", line, sizeof(line)));
	ck_assert_ptr_nonnull(p = strrchr(line, ')'));
	ck_assert_int_eq(sscanf(p + 1, " %*c %*d %*d %d %d", sid, tty), 2);
}

START_TEST(service_gets_only_what_the_policy_gives)
{
	struct test_service t;
	struct outcome o;
	char env[2048], want[2048], pid[32];
	const char *rec;
	int sid, tty;

	make_service(&t, "nobody", "LANG=C.UTF-8");
	t.caps[0] = "cap_net_bind_service";
	t.svc.capabilities = t.caps;
	t.svc.ncapabilities = 1;
	run_start(&t.svc, &o);
	rec = fetch(t.ports[0]);
	stop_started(&o);
	if (o.wait != EXIT_DONE)
		fprintf(stderr, "start: %d %d %d %d: %s\n", o.plan, o.ports,
		    o.launch, o.wait, o.why);
	ck_assert_int_eq(o.plan, EXIT_DONE);
	ck_assert_int_eq(o.ports, EXIT_DONE);
	ck_assert_int_eq(o.launch, EXIT_DONE);
	ck_assert_int_eq(o.wait, EXIT_DONE);
	ck_assert(!o.rep.exited);               /* a foreground service */
	ck_assert_uint_eq(o.rep.npids, 1);
	ck_assert_int_eq(o.rep.pids[0], o.rep.launched);
	ck_assert_ptr_nonnull(strstr(o.why, "testsvc listens on"));
	ck_assert_ptr_nonnull(rec);
	snprintf(pid, sizeof(pid), "%d", (int)o.rep.launched);
	expect_field(rec, "PID ", pid);
	/* the environment: exactly the policy's */
	env_of(rec, env, sizeof(env));
	snprintf(want, sizeof(want), "HOME=/nonexistent LANG=C.UTF-8 "
	    "LOGNAME=nobody PATH=/usr/sbin:/usr/bin:/sbin:/bin %s USER=nobody",
	    t.port_env);
	ck_assert_str_eq(env, want);
	/* descriptors: 0-2 on /dev/null, nothing else (not the caller's 5) */
	expect_field(rec, "FDS ", "0 1 2");
	expect_field(rec, "FD0 ", "/dev/null");
	expect_field(rec, "FD1 ", "/dev/null");
	expect_field(rec, "FD2 ", "/dev/null");
	expect_field(rec, "CWD ", "/");
	/* ids and groups: the service user's, none of the caller's */
	expect_field(rec, "status: Uid:", "\t65534\t65534\t65534\t65534");
	expect_field(rec, "status: Gid:", "\t65534\t65534\t65534\t65534");
	expect_field(rec, "status: Groups:", "\t65534 ");
	/* its one capability, as ambient; the step's own ones gone */
	expect_field(rec, "status: CapInh:", "\t0000000000000400");
	expect_field(rec, "status: CapPrm:", "\t0000000000000400");
	expect_field(rec, "status: CapEff:", "\t0000000000000400");
	expect_field(rec, "status: CapAmb:", "\t0000000000000400");
	expect_field(rec, "status: NoNewPrivs:", "\t1");
	/* signals, umask, limits: defaults */
	expect_sigign_clean(rec);
	expect_field(rec, "status: Umask:", "\t0022");
	expect_field(rec, "limits: Max open files",
	    "            1024                 4096                 files     ");
	/* its own session, no controlling tty */
	session_of(rec, &sid, &tty);
	ck_assert_int_eq(sid, o.rep.launched);
	ck_assert_int_eq(tty, 0);
}
END_TEST

START_TEST(root_service_gets_root_and_nothing_of_the_caller)
{
	struct test_service t;
	struct outcome o;
	char env[2048], want[2048], eff[64], bnd[64];
	const char *rec;

	make_service(&t, "root", NULL);
	t.svc.allow_root = true;
	run_start(&t.svc, &o);
	rec = fetch(t.ports[0]);
	stop_started(&o);
	if (o.wait != EXIT_DONE)
		fprintf(stderr, "start: %d %d %d %d: %s\n", o.plan, o.ports,
		    o.launch, o.wait, o.why);
	ck_assert_int_eq(o.wait, EXIT_DONE);
	ck_assert_ptr_nonnull(rec);
	env_of(rec, env, sizeof(env));
	snprintf(want, sizeof(want), "HOME=/root LOGNAME=root "
	    "PATH=/usr/sbin:/usr/bin:/sbin:/bin %s USER=root", t.port_env);
	ck_assert_str_eq(env, want);
	expect_field(rec, "FDS ", "0 1 2");
	expect_field(rec, "status: Uid:", "\t0\t0\t0\t0");
	expect_field(rec, "status: Gid:", "\t0\t0\t0\t0");
	expect_field(rec, "status: Groups:", "\t0 ");
	/* root's full set (as far as this host's bounding set goes) */
	ck_assert_ptr_nonnull(field(rec, "status: CapEff:", eff, sizeof(eff)));
	ck_assert_ptr_nonnull(field(rec, "status: CapBnd:", bnd, sizeof(bnd)));
	ck_assert_str_eq(eff, bnd);
	expect_field(rec, "status: CapInh:", "\t0000000000000000");
	expect_field(rec, "status: CapAmb:", "\t0000000000000000");
	expect_field(rec, "status: NoNewPrivs:", "\t1");
	expect_sigign_clean(rec);
}
END_TEST

START_TEST(root_service_runs_with_its_group)
{
	struct test_service t;
	struct outcome o;
	char gid[64];
	const char *rec;
	int g = (int)getgrnam("daemon")->gr_gid;

	make_service(&t, "root", NULL);
	t.svc.allow_root = true;
	t.svc.group = "daemon";
	run_start(&t.svc, &o);
	rec = fetch(t.ports[0]);
	stop_started(&o);
	if (o.wait != EXIT_DONE)
		fprintf(stderr, "start: %s\n", o.why);
	ck_assert_int_eq(o.wait, EXIT_DONE);
	ck_assert_ptr_nonnull(rec);
	snprintf(gid, sizeof(gid), "\t%d\t%d\t%d\t%d", g, g, g, g);
	expect_field(rec, "status: Uid:", "\t0\t0\t0\t0");
	expect_field(rec, "status: Gid:", gid);
}
END_TEST

START_TEST(daemonizing_service_is_waited_for)
{
	struct test_service t;
	struct outcome o;
	char pid[32];
	const char *rec;

	make_service(&t, "nobody", "DAEMON=1");
	run_start(&t.svc, &o);
	rec = fetch(t.ports[0]);
	stop_started(&o);
	if (o.wait != EXIT_DONE)
		fprintf(stderr, "start: %s\n", o.why);
	ck_assert_int_eq(o.wait, EXIT_DONE);
	ck_assert(o.rep.exited);
	ck_assert(WIFEXITED(o.rep.wait_status) &&
	    WEXITSTATUS(o.rep.wait_status) == 0);
	ck_assert_uint_eq(o.rep.npids, 1);
	ck_assert_int_ne(o.rep.pids[0], o.rep.launched);
	ck_assert(o.rep.seconds >= 0.25);
	ck_assert_ptr_nonnull(rec);
	snprintf(pid, sizeof(pid), "%d", (int)o.rep.pids[0]);
	expect_field(rec, "PID ", pid);
	expect_field(rec, "FDS ", "0 1 2");
}
END_TEST

START_TEST(failing_start_command_is_reported_at_once)
{
	struct test_service t;
	struct outcome o;

	make_service(&t, "nobody", "FAIL=1");
	run_start(&t.svc, &o);
	stop_started(&o);
	ck_assert_int_eq(o.wait, EXIT_FAILED);
	ck_assert(o.rep.exited);
	ck_assert(o.rep.seconds < 5.0);
	ck_assert_ptr_nonnull(strstr(o.why, "exited with status 3"));
	ck_assert_ptr_nonnull(strstr(o.why, "nothing listens on port"));
}
END_TEST

START_TEST(start_times_out_and_says_why)
{
	struct test_service t;
	struct outcome o;

	make_service(&t, "nobody", NULL);
	t.start[2] = "sleep 30";
	t.svc.start_timeout = 0.5;
	run_start(&t.svc, &o);
	stop_started(&o);
	ck_assert_int_eq(o.launch, EXIT_DONE);
	ck_assert_int_eq(o.wait, EXIT_FAILED);
	/* a timeout is a failure, never a start command left running */
	ck_assert(o.rep.exited);
	ck_assert(WIFSIGNALED(o.rep.wait_status) &&
	    WTERMSIG(o.rep.wait_status) == SIGKILL);
	ck_assert(kill(o.rep.launched, 0) == -1 && errno == ESRCH);
	ck_assert(o.rep.seconds >= 0.5 && o.rep.seconds < 3.0);
	ck_assert_msg(strstr(o.why, "did not come up within 0.5 s") != NULL,
	    "%s", o.why);
	ck_assert_ptr_nonnull(strstr(o.why, "was still running and was "
	    "killed"));
}
END_TEST

START_TEST(port_held_by_another_program_is_not_ready)
{
	struct test_service t;
	struct outcome o;

	/* identity is the exe: perl holding the port is not /usr/bin/env */
	make_service(&t, "nobody", NULL);
	t.svc.exe = "/usr/bin/env";
	t.svc.start_timeout = 1.0;
	run_start(&t.svc, &o);
	stop_started(&o);
	ck_assert_int_eq(o.wait, EXIT_FAILED);
	ck_assert_ptr_nonnull(strstr(o.why, "/usr/bin/perl, user nobody, uid 65534), "
	    "which is not testsvc"));
}
END_TEST

START_TEST(exec_failure_comes_back_from_the_child)
{
	struct test_service t;
	struct outcome o;

	/* root-owned, safe path, but not executable */
	make_service(&t, "nobody", NULL);
	t.start[0] = "/etc/passwd";
	run_start(&t.svc, &o);
	stop_started(&o);
	ck_assert_int_eq(o.launch, EXIT_FAILED);
	ck_assert(o.rep.exited);
	ck_assert_ptr_nonnull(strstr(o.why, "cannot run /etc/passwd: "
	    "Permission denied"));
}
END_TEST

START_TEST(held_port_refuses_before_launching)
{
	struct test_service t;
	struct outcome o;
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s;

	make_service(&t, "nobody", NULL);
	a.sin_port = htons((uint16_t)t.ports[0]);
	s = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s, 1), 0);
	run_start(&t.svc, &o);
	stop_started(&o);
	close(s);
	ck_assert_int_eq(o.ports, EXIT_FAILED);
	ck_assert_int_eq(o.rep.launched, 0);
	ck_assert_ptr_nonnull(strstr(o.why, "cutover free-port"));
}
END_TEST

Suite *
service_suite(void)
{
	Suite *s = suite_create("service");
	TCase *tc = tcase_create("service");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, plan_resolves_user_by_name);
	tcase_add_test(tc, plan_resolves_user_by_number_and_group);
	tcase_add_test(tc, plan_policy_env_may_replace_path);
	tcase_add_test(tc, plan_converts_capabilities);
	tcase_add_test(tc, plan_refuses_missing_user_uid_or_group);
	tcase_add_test(tc, plan_refuses_root_without_allow_root);
	tcase_add_test(tc, plan_refuses_unsafe_system_paths);
	tcase_add_test(tc, ports_free_names_the_holder_and_the_fix);
	if (geteuid() != 0) {
		fputs("service: not root: the launch and fixture cases are "
		    "left out\n", stderr);
		suite_add_tcase(s, tc);
		return s;
	}
	tcase_add_unchecked_fixture(tc, make_fixture, remove_fixture);
	tcase_add_test(tc, plan_refuses_unsafe_binaries);
	tcase_add_test(tc, service_gets_only_what_the_policy_gives);
	tcase_add_test(tc, root_service_gets_root_and_nothing_of_the_caller);
	tcase_add_test(tc, root_service_runs_with_its_group);
	tcase_add_test(tc, daemonizing_service_is_waited_for);
	tcase_add_test(tc, failing_start_command_is_reported_at_once);
	tcase_add_test(tc, start_times_out_and_says_why);
	tcase_add_test(tc, port_held_by_another_program_is_not_ready);
	tcase_add_test(tc, exec_failure_comes_back_from_the_child);
	tcase_add_test(tc, held_port_refuses_before_launching);
	suite_add_tcase(s, tc);
	return s;
}
