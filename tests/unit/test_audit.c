/*
 * test_audit.c - the audit record: its exact encoding, escaping of every
 * hostile byte (a caller cannot forge a line), the caps that keep a
 * record small, the syslog client (datagram, stream, failures) against
 * sockets of our own and against build/devlog-listen, and the file sink:
 * ownership and modes, refusals, O_APPEND with concurrent writers, and
 * RLIMIT_FSIZE (a record is refused, never cut short).
 *
 * The file sink accepts only root-owned files and directories, so its
 * success cases need root (as CI has); as another user only the refusal
 * is tested, with a note on stderr.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "helper/record/audit.h"
#include "helper/record/chain.h"
#include "tests/fuzz/json_check.h"
#include "tests/unit/testutil.h"

#define TXID "0123456789abcdef0123456789abcdef"

static const char *const deploy_groups[] = { "deploy", "deployers" };
static struct caller deploy;
static const struct audit_context ctx = {
	.host = "web1",
	.pid = 4242,
	.uid = 1001,
	.now = { .tv_sec = 1795568523, .tv_nsec = 456789000 },
};
static const pid_t touched[] = { 5150, 5151 };
static const char *const acted_as[] = { "nginx" };

static void
make_deploy(void)
{
	memset(&deploy, 0, sizeof(deploy));
	deploy.uid = 1001;
	deploy.gid = 1001;
	deploy.name = (char *)"deploy";
	snprintf(deploy.tty, sizeof(deploy.tty), "/dev/pts/3");
	deploy.subject.user = deploy.name;
	deploy.subject.groups = deploy_groups;
	deploy.subject.ngroups = 2;
}

static struct audit_event
allowed_start(void)
{
	struct audit_event ev = {
		.stage = AUDIT_REQUEST,
		.txid = TXID,
		.caller = &deploy,
		.action = "start",
		.target = "nginx",
		.decision = "allow",
		.rule = "/etc/cutover/policy.conf:38",
		.reason = "granted by rule at /etc/cutover/policy.conf:38",
	};

	make_deploy();
	return ev;
}

static struct audit_event
start_outcome(void)
{
	struct audit_event ev = allowed_start();

	ev.stage = AUDIT_OUTCOME;
	ev.outcome = "ok";
	ev.pids = touched;
	ev.npids = 2;
	ev.users = acted_as;
	ev.nusers = 1;
	ev.duration = 0.1234;
	return ev;
}

/* Encode EV into SB (emptied first); the record must be valid JSON. */
static const char *
encode(struct strbuf *sb, const struct audit_event *ev)
{
	size_t where = 0;
	const char *why = NULL;

	sb_free(sb);
	audit_encode(ev, &ctx, sb);
	ck_assert(!sb_failed(sb));
	ck_assert_msg(json_check(sb->s, sb->len, &where, &why),
	    "invalid JSON at %zu (%s): %s", where, why, sb->s);
	return sb_str(sb);
}

/* One line: exactly one '\n', the last byte. */
static void
assert_one_line(const struct strbuf *sb)
{
	ck_assert_uint_gt(sb->len, 0);
	ck_assert_int_eq(sb->s[sb->len - 1], '\n');
	ck_assert_ptr_eq(memchr(sb->s, '\n', sb->len), sb->s + sb->len - 1);
	ck_assert_ptr_null(memchr(sb->s, '\r', sb->len));
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

/* ---- encoding --------------------------------------------------------- */

#define RECORD_WHERE(stage) \
	"{\"time\":\"2026-11-25T01:02:03.456Z\",\"host\":\"web1\"," \
	"\"pid\":4242,\"txid\":\"" TXID "\",\"stage\":\"" stage "\","
#define RECORD_DEPLOY \
	"\"user\":\"deploy\",\"uid\":1001," \
	"\"groups\":[\"deploy\",\"deployers\"],\"tty\":\"/dev/pts/3\","
#define RECORD_START_NGINX \
	"\"action\":\"start\",\"target\":\"nginx\",\"dry_run\":false," \
	"\"run_id\":null,\"caller_reason\":null," \
	"\"decision\":\"allow\",\"rule\":\"/etc/cutover/policy.conf:38\"," \
	"\"reason\":\"granted by rule at /etc/cutover/policy.conf:38\""

START_TEST(request_record_exact)
{
	struct strbuf sb = STRBUF_INIT;
	struct audit_event ev = allowed_start();

	ck_assert_str_eq(encode(&sb, &ev),
	    RECORD_WHERE("request") RECORD_DEPLOY RECORD_START_NGINX "}\n");
	ev.dry_run = true;
	ck_assert_ptr_nonnull(strstr(encode(&sb, &ev), ",\"dry_run\":true,"));
	/* a roll-out's id and the caller's reason, escaped as any string */
	ev.run_id = "r-2026.12:07_1";
	ev.caller_reason = "CHG-1234 \"move\" to nginx";
	ck_assert_ptr_nonnull(strstr(encode(&sb, &ev), ",\"dry_run\":true,"
	    "\"run_id\":\"r-2026.12:07_1\",\"caller_reason\":\"CHG-1234 "
	    "\\\"move\\\" to nginx\",\"decision\":"));
	ev.run_id = ev.caller_reason = NULL;
	deploy.tty[0] = '\0';           /* no terminal */
	ck_assert_ptr_nonnull(strstr(encode(&sb, &ev), ",\"tty\":null,"));
	sb_free(&sb);
}
END_TEST

START_TEST(outcome_record_exact)
{
	struct strbuf sb = STRBUF_INIT;
	struct audit_event ev = start_outcome();

	ck_assert_str_eq(encode(&sb, &ev),
	    RECORD_WHERE("outcome") RECORD_DEPLOY RECORD_START_NGINX
	    ",\"outcome\":\"ok\",\"pids\":[5150,5151],\"users\":[\"nginx\"],"
	    "\"duration\":0.123}\n");
	ev.outcome = "failed";
	ev.pids = NULL;
	ev.npids = 0;
	ev.users = NULL;
	ev.nusers = 0;
	ev.duration = NAN;      /* JSON has no NaN */
	ck_assert_ptr_nonnull(strstr(encode(&sb, &ev),
	    ",\"outcome\":\"failed\",\"pids\":[],\"users\":[],"
	    "\"duration\":null}\n"));
	ev.duration = -1;
	ck_assert_ptr_nonnull(strstr(encode(&sb, &ev), "\"duration\":null}"));
	sb_free(&sb);
}
END_TEST

/*
 * The one recorder's event: the base every record of a run shares, with
 * one entry on it.  An outcome entry gives exactly the outcome record;
 * a NULL decision or reason keeps the base's, an empty user lists none.
 */
START_TEST(entry_on_base_is_the_record)
{
	struct audit_event base = allowed_start(), want = start_outcome(), ev;
	struct audit_entry e = { .stage = AUDIT_OUTCOME, .outcome = "ok",
	    .pids = touched, .npids = 2, .user = "nginx", .seconds = 0.1234 };
	struct strbuf got = STRBUF_INIT, exact = STRBUF_INIT;

	ev = audit_event_of(&base, &e);
	ck_assert_str_eq(encode(&got, &ev), encode(&exact, &want));
	e = (struct audit_entry){ .stage = AUDIT_STEP, .step = "start nginx",
	    .decision = "deny", .reason = "its own", .outcome = "failed",
	    .user = "" };
	ev = audit_event_of(&base, &e);
	ck_assert_int_eq(ev.stage, AUDIT_STEP);
	ck_assert_str_eq(ev.step, "start nginx");
	ck_assert_str_eq(ev.decision, "deny");
	ck_assert_str_eq(ev.reason, "its own");
	ck_assert_uint_eq(ev.nusers, 0);
	ck_assert_uint_eq(ev.npids, 0);
	e = (struct audit_entry){ .stage = AUDIT_REQUEST };
	ev = audit_event_of(&base, &e);
	ck_assert_str_eq(encode(&got, &ev), encode(&exact, &base));
	sb_free(&got);
	sb_free(&exact);
}
END_TEST

/*
 * A switch's step record: "step" right after the stage, then the outcome
 * members; a hostile step text is escaped like any other string.
 */
START_TEST(step_record_exact)
{
	struct strbuf sb = STRBUF_INIT;
	struct audit_event ev = start_outcome();
	const char *rec;

	ev.stage = AUDIT_STEP;
	ev.step = "start nginx";
	rec = encode(&sb, &ev);
	ck_assert_ptr_nonnull(strstr(rec,
	    ",\"stage\":\"step\",\"step\":\"start nginx\",\"user\":"));
	ck_assert_ptr_nonnull(strstr(rec,
	    ",\"outcome\":\"ok\",\"pids\":[5150,5151],\"users\":[\"nginx\"],"
	    "\"duration\":0.123}\n"));
	ev.step = "x\n\"}";
	ck_assert_ptr_nonnull(strstr(encode(&sb, &ev), "\"step\":\"x\\n\\\"}\""));
	/* only step records have the member */
	ev.stage = AUDIT_OUTCOME;
	ck_assert_ptr_null(strstr(encode(&sb, &ev), "\"step\""));
	sb_free(&sb);
}
END_TEST

/* What argv held when it was no request at all: recorded, escaped. */
START_TEST(malformed_request_record)
{
	struct strbuf sb = STRBUF_INIT;
	struct audit_event ev = allowed_start();

	ev.action = "bogus\n{\"decision\":\"allow\"}";
	ev.target = NULL;
	ev.decision = "error";
	ev.rule = NULL;
	ev.reason = "unknown command";
	ck_assert_str_eq(encode(&sb, &ev), RECORD_WHERE("request")
	    RECORD_DEPLOY "\"action\":\"bogus\\n{\\\"decision\\\":"
	    "\\\"allow\\\"}\",\"target\":null,\"dry_run\":false,"
	    "\"run_id\":null,\"caller_reason\":null,"
	    "\"decision\":\"error\",\"rule\":null,"
	    "\"reason\":\"unknown command\"}\n");
	assert_one_line(&sb);
	ck_assert_uint_eq(count(sb.s, "\"decision\":"), 1);
	sb_free(&sb);
}
END_TEST

START_TEST(hostile_bytes_escaped)
{
	struct strbuf sb = STRBUF_INIT;
	struct audit_event ev = allowed_start();
	const char *rec;

	ev.action = "start\r\n{\"time\":\"x\"}\n";
	ev.target = "a\rb\x1b[2Jc\xff\xfe";
	ev.reason = "say \"hi\"\\ \xe2\x80\xa8 end\t";
	ev.rule = "x\x7f\x01";
	deploy.name = (char *)"ev\nil";
	deploy.subject.groups = (const char *const[]){ "g\"1", "g\n2" };
	rec = encode(&sb, &ev);
	assert_one_line(&sb);
	ck_assert_uint_eq(count(rec, "\"time\":"), 1);
	ck_assert_ptr_nonnull(strstr(rec, "\"action\":\"start\\u000d\\n"
	    "{\\\"time\\\":\\\"x\\\"}\\n\""));
	ck_assert_ptr_nonnull(strstr(rec,
	    "\"target\":\"a\\u000db\\u001b[2Jc\\ufffd\\ufffd\""));
	ck_assert_ptr_nonnull(strstr(rec,
	    "\"reason\":\"say \\\"hi\\\"\\\\ \\u2028 end\\t\""));
	ck_assert_ptr_nonnull(strstr(rec, "\"rule\":\"x\\u007f\\u0001\""));
	ck_assert_ptr_nonnull(strstr(rec, "\"user\":\"ev\\nil\""));
	ck_assert_ptr_nonnull(strstr(rec, "\"groups\":[\"g\\\"1\",\"g\\n2\"]"));
	sb_free(&sb);
}
END_TEST

START_TEST(unknown_caller_is_null_but_uid)
{
	struct strbuf sb = STRBUF_INIT;
	struct audit_context nowhere = ctx;
	struct audit_event ev = {
		.stage = AUDIT_REQUEST,
		.action = "start",
		.decision = "error",
		.reason = "unknown uid 4711",
	};

	nowhere.host = NULL;
	nowhere.uid = 4711;
	sb_free(&sb);
	audit_encode(&ev, &nowhere, &sb);
	ck_assert_str_eq(sb_str(&sb),
	    "{\"time\":\"2026-11-25T01:02:03.456Z\",\"host\":null,"
	    "\"pid\":4242,\"txid\":null,\"stage\":\"request\","
	    "\"user\":null,\"uid\":4711,\"groups\":null,\"tty\":null,"
	    "\"action\":\"start\",\"target\":null,\"dry_run\":false,"
	    "\"run_id\":null,\"caller_reason\":null,"
	    "\"decision\":\"error\",\"rule\":null,"
	    "\"reason\":\"unknown uid 4711\"}\n");
	sb_free(&sb);
}
END_TEST

/*
 * RFC 3339 wants four digits of year: strftime's %Y wrote "467-01-02"
 * (found by fuzz_audit); a year it cannot spell is null.
 */
START_TEST(time_always_rfc3339)
{
	struct strbuf sb = STRBUF_INIT;
	struct audit_context c = ctx;
	struct audit_event ev = allowed_start();
	const char *old = "{\"time\":\"0462-01-01T00:04:04.000Z\",";
	const char *far = "{\"time\":null,";

	c.now.tv_sec = -47587823756;      /* 0462-01-01T00:04:04Z */
	c.now.tv_nsec = 2000000000;       /* not a time: 0 ms */
	audit_encode(&ev, &c, &sb);
	ck_assert_msg(strncmp(sb_str(&sb), old, strlen(old)) == 0, "%s",
	    sb_str(&sb));
	sb_free(&sb);
	c.now.tv_sec = 253402300800;      /* 10000-01-01 */
	audit_encode(&ev, &c, &sb);
	ck_assert_msg(strncmp(sb_str(&sb), far, strlen(far)) == 0, "%s",
	    sb_str(&sb));
	sb_free(&sb);
}
END_TEST

START_TEST(huge_target_truncated_with_marker)
{
	struct strbuf sb = STRBUF_INIT, want = STRBUF_INIT;
	struct audit_event ev = allowed_start();
	char *huge = malloc(200001);
	const char *rec;

	ck_assert_ptr_nonnull(huge);
	memset(huge, 'A', 200000);
	huge[200000] = '\0';
	ev.target = huge;
	ev.decision = "error";
	rec = encode(&sb, &ev);
	sb_puts(&want, "\"target\":\"");
	sb_append(&want, huge, AUDIT_STR_MAX);
	sb_puts(&want, "\xe2\x80\xa6(truncated, 200000 bytes)\",");
	ck_assert_ptr_nonnull(strstr(rec, sb_str(&want)));
	ck_assert_uint_lt(sb.len, 2048);
	assert_one_line(&sb);

	/* Cut between characters, not inside one: no U+FFFD appears. */
	huge[0] = 'a';
	for (size_t i = 1; i < 401; i += 2)
		memcpy(huge + i, "\xc3\xa9", 2);        /* é */
	huge[401] = '\0';
	rec = encode(&sb, &ev);
	ck_assert_ptr_null(strstr(rec, "\\ufffd"));
	ck_assert_ptr_nonnull(strstr(rec, "\xc3\xa9\xe2\x80\xa6"
	    "(truncated, 401 bytes)\""));
	free(huge);
	sb_free(&want);
	sb_free(&sb);
}
END_TEST

START_TEST(long_lists_capped_with_marker)
{
	struct strbuf sb = STRBUF_INIT;
	struct audit_event ev = start_outcome();
	const char *names[40];
	char storage[40][8];
	pid_t pids[200];
	const char *rec;
	size_t i;

	for (i = 0; i < 40; i++) {
		snprintf(storage[i], sizeof(storage[i]), "g%02zu", i);
		names[i] = storage[i];
	}
	for (i = 0; i < 200; i++)
		pids[i] = (pid_t)(i + 1);
	deploy.subject.groups = names;
	deploy.subject.ngroups = 40;
	ev.users = names;
	ev.nusers = 33;
	ev.pids = pids;
	ev.npids = 200;
	rec = encode(&sb, &ev);
	ck_assert_ptr_nonnull(strstr(rec,
	    "\"g31\",\"\xe2\x80\xa6(truncated, 8 more)\"],\"tty\""));
	ck_assert_ptr_null(strstr(rec, "g32"));
	ck_assert_ptr_nonnull(strstr(rec,
	    ",128,\"\xe2\x80\xa6(truncated, 72 more)\"],\"users\""));
	ck_assert_ptr_nonnull(strstr(rec,
	    "\"g31\",\"\xe2\x80\xa6(truncated, 1 more)\"],\"duration\""));
	sb_free(&sb);
}
END_TEST

/*
 * The documented bound: whatever the caller passes (every byte of action,
 * target and reason a control byte, 6 bytes each once escaped), with the
 * rule and the names from root's policy and the system's databases at
 * their caps, a request record stays below rsyslog's default 8 KiB
 * message limit, syslog header included.
 */
START_TEST(request_record_stays_under_8k)
{
	struct strbuf sb = STRBUF_INIT;
	struct audit_event ev = allowed_start();
	static char ctl[128 * 1024], name[200], text[4096], ascii[4096];
	const char *names[100];
	struct audit_context big = ctx;
	size_t i;

	memset(ctl, '\x01', sizeof(ctl) - 1);
	memset(name, 'n', sizeof(name) - 1);
	memset(text, '\x02', sizeof(text) - 1);
	memset(ascii, 'r', sizeof(ascii) - 1);
	for (i = 0; i < 100; i++)
		names[i] = name;
	big.host = name;
	ev.txid = name;
	deploy.name = name;
	memset(deploy.tty, 't', sizeof(deploy.tty) - 1);
	deploy.tty[sizeof(deploy.tty) - 1] = '\0';
	deploy.subject.groups = names;
	deploy.subject.ngroups = 100;
	ev.action = ctl;
	ev.target = ctl;
	ev.rule = ascii;        /* file:line of root's policy */
	ev.reason = text;       /* may echo the caller's bytes */
	ev.decision = "error";
	audit_encode(&ev, &big, &sb);
	ck_assert(!sb_failed(&sb));
	ck_assert_msg(sb.len + 64 < 8192, "record of %zu bytes", sb.len);
	ck_assert(json_check(sb.s, sb.len, NULL, NULL));
	sb_free(&sb);
}
END_TEST

START_TEST(syslog_priority_by_result)
{
	struct audit_event ev = allowed_start();

	ck_assert_int_eq(audit_syslog_priority(&ev), LOG_AUTHPRIV | LOG_NOTICE);
	ev.decision = "deny";
	ck_assert_int_eq(audit_syslog_priority(&ev), LOG_AUTHPRIV | LOG_WARNING);
	ev.decision = "error";
	ck_assert_int_eq(audit_syslog_priority(&ev), LOG_AUTHPRIV | LOG_WARNING);
	ev.decision = NULL;
	ck_assert_int_eq(audit_syslog_priority(&ev), LOG_AUTHPRIV | LOG_WARNING);
	ev = start_outcome();
	ck_assert_int_eq(audit_syslog_priority(&ev), LOG_AUTHPRIV | LOG_NOTICE);
	ev.outcome = "failed";
	ck_assert_int_eq(audit_syslog_priority(&ev), LOG_AUTHPRIV | LOG_WARNING);
}
END_TEST

START_TEST(txids_are_random_hex)
{
	char a[AUDIT_TXID_SIZE], b[AUDIT_TXID_SIZE];

	ck_assert_int_eq(audit_new_txid(a), 0);
	ck_assert_int_eq(audit_new_txid(b), 0);
	ck_assert_uint_eq(strlen(a), 32);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 32);
	ck_assert_str_ne(a, b);
}
END_TEST

/* ---- syslog, against sockets of our own --------------------------------- */

static char sockdir[64];
static char sockpath[PATH_MAX];
static char outpath[PATH_MAX];
static char why[2048];

static void
sock_setup(void)
{
	snprintf(sockdir, sizeof(sockdir), "/tmp/cutover-audit-sock-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(sockdir));
	snprintf(sockpath, sizeof(sockpath), "%s/log", sockdir);
	snprintf(outpath, sizeof(outpath), "%s/received", sockdir);
	why[0] = '\0';
}

static void
sock_teardown(void)
{
	unlink(sockpath);
	unlink(outpath);
	rmdir(sockdir);
}

static int
bind_socket(const char *path, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);

	ck_assert_int_ne(fd, -1);
	ck_assert_uint_lt(strlen(path), sizeof(sa.sun_path));
	strcpy(sa.sun_path, path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	if (type == SOCK_STREAM)
		ck_assert_int_eq(listen(fd, 4), 0);
	return fd;
}

/* "<PRI>Mmm dd hh:mm:ss cutover[4242]: " for ctx, in local time. */
static const char *
syslog_header(int pri)
{
	static char hdr[128];
	char stamp[64];
	struct tm tm;

	ck_assert_ptr_nonnull(localtime_r(&ctx.now.tv_sec, &tm));
	strftime(stamp, sizeof(stamp), "%b %e %H:%M:%S", &tm);
	snprintf(hdr, sizeof(hdr), "<%d>%s cutover[4242]: ", pri, stamp);
	return hdr;
}

static const char *
receive(int fd)
{
	static char buf[16384];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	return buf;
}

START_TEST(syslog_datagram_rfc3164)
{
	int fd = bind_socket(sockpath, SOCK_DGRAM);
	char want[256];

	ck_assert_int_eq(audit_syslog_send(sockpath, LOG_AUTHPRIV | LOG_NOTICE,
	    "{\"a\":1}", 7, &ctx, why, sizeof(why)), 0);
	snprintf(want, sizeof(want), "%s{\"a\":1}", syslog_header(85));
	ck_assert_str_eq(receive(fd), want);
	close(fd);
}
END_TEST

/* Some setups have a stream /dev/log: message and a NUL, as glibc. */
START_TEST(syslog_stream_fallback)
{
	int lfd = bind_socket(sockpath, SOCK_STREAM), fd;
	char buf[512], want[256];
	size_t got = 0;
	ssize_t n;

	ck_assert_int_eq(audit_syslog_send(sockpath, LOG_AUTHPRIV | LOG_WARNING,
	    "{\"b\":2}", 7, &ctx, why, sizeof(why)), 0);
	ck_assert_int_ne(fd = accept(lfd, NULL, NULL), -1);
	while ((n = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	snprintf(want, sizeof(want), "%s{\"b\":2}", syslog_header(84));
	ck_assert_uint_eq(got, strlen(want) + 1);
	ck_assert_int_eq(buf[got - 1], '\0');
	ck_assert_str_eq(buf, want);
	close(fd);
	close(lfd);
}
END_TEST

START_TEST(syslog_failures_reported)
{
	static char huge[1024 * 1024];
	char want[PATH_MAX + 64];
	int fd;

	ck_assert_int_eq(audit_syslog_send(sockpath, LOG_AUTHPRIV | LOG_NOTICE,
	    "{}", 2, &ctx, why, sizeof(why)), -1);
	snprintf(want, sizeof(want), "syslog: %s: No such file or directory",
	    sockpath);
	ck_assert_str_eq(why, want);

	fd = bind_socket(sockpath, SOCK_DGRAM);
	close(fd);              /* the socket file stays; no one listens */
	ck_assert_int_eq(audit_syslog_send(sockpath, LOG_AUTHPRIV | LOG_NOTICE,
	    "{}", 2, &ctx, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "Connection refused"));
	unlink(sockpath);

	/* Too big for one datagram: an error, not a truncated record. */
	fd = bind_socket(sockpath, SOCK_DGRAM);
	memset(huge, 'x', sizeof(huge));
	ck_assert_int_eq(audit_syslog_send(sockpath, LOG_AUTHPRIV | LOG_NOTICE,
	    huge, sizeof(huge), &ctx, why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "Message too long"));
	ck_assert_int_eq(recv(fd, huge, 16, MSG_DONTWAIT), -1);
	close(fd);
}
END_TEST

START_TEST(write_to_syslog_only)
{
	struct audit_config ac = { .syslog = true };
	struct audit_event ev = allowed_start();
	struct strbuf rec = STRBUF_INIT;
	int fd = bind_socket(sockpath, SOCK_DGRAM);
	const char *got, *hdr;

	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), 0);
	ck_assert_str_eq(why, "");
	encode(&rec, &ev);
	/* the datagram: the header, then the record without its '\n' */
	got = receive(fd);
	hdr = syslog_header(85);
	ck_assert_int_eq(strncmp(got, hdr, strlen(hdr)), 0);
	ck_assert_uint_eq(strlen(got), strlen(hdr) + rec.len - 1);
	ck_assert_int_eq(memcmp(got + strlen(hdr), rec.s, rec.len - 1), 0);

	ev.decision = "deny";
	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), 0);
	ck_assert_int_eq(strncmp(receive(fd), "<84>", 4), 0);
	close(fd);
	sb_free(&rec);
}
END_TEST

/*
 * The run's own path (audit_log_write, its context made there) with
 * syslog alone: no "prev" (no file to chain in), and no crash - its
 * context's prev was left unset, and a policy without a file sink
 * crashed every transaction at its request record.
 */
START_TEST(log_write_to_syslog_only)
{
	struct audit_config ac = { .syslog = true };
	struct audit_event ev = allowed_start();
	int fd = bind_socket(sockpath, SOCK_DGRAM);
	struct audit_log *log = audit_log_open_at(&ac, sockpath, why,
	    sizeof(why));
	const char *got;

	ck_assert_ptr_nonnull(log);
	ck_assert_int_eq(audit_log_write(log, &ev, why, sizeof(why)), 0);
	got = receive(fd);
	ck_assert_ptr_nonnull(strstr(got, "\"decision\":\"allow\""));
	ck_assert_ptr_null(strstr(got, "\"prev\""));
	audit_log_close(log);
	close(fd);
}
END_TEST

START_TEST(no_sink_is_a_failure)
{
	struct audit_config ac = { .syslog = false, .file = NULL };
	struct audit_event ev = allowed_start();

	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "no sink"));
}
END_TEST

/* A log under /tmp (world-writable) is refused, as anyone. */
START_TEST(file_under_tmp_refused)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/audit.jsonl", sockdir);
	ck_assert_int_eq(audit_file_append(path, "x\n", 2, why, sizeof(why)),
	    -1);
	ck_assert_ptr_nonnull(strstr(why, "is not safe"));
	ck_assert_int_eq(access(path, F_OK), -1);
}
END_TEST

/* ---- build/devlog-listen, the system tests' /dev/log ------------------- */

static const char *
devlog_listen_path(void)
{
	static char path[PATH_MAX];
	const char *build = getenv("BUILD");

	snprintf(path, sizeof(path), "%s/devlog-listen",
	    build != NULL && *build != '\0' ? build : "build");
	ck_assert_msg(access(path, X_OK) == 0, "%s is missing: make %s", path,
	    path);
	return path;
}

static pid_t
start_devlog_listen(bool quiet)
{
	const char *tool = devlog_listen_path();
	pid_t pid = fork();
	int null;

	ck_assert_int_ne(pid, -1);
	if (pid == 0) {
		if (quiet && (null = open("/dev/null", O_WRONLY)) != -1)
			dup2(null, 2);
		execl(tool, tool, sockpath, outpath, (char *)NULL);
		_exit(127);
	}
	return pid;
}

/*
 * Wait up to 5 s for the socket (ready) or the exit of PID.  STALE: the
 * inode of a dead socket that was there before, or 0.
 */
static bool
wait_ready(pid_t pid, ino_t stale, int *status)
{
	struct stat st;
	int i;

	for (i = 0; i < 500; i++) {
		if (stat(sockpath, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    st.st_ino != stale)
			return true;
		if (waitpid(pid, status, WNOHANG) == pid)
			return false;
		usleep(10000);
	}
	return false;
}

START_TEST(devlog_listen_writes_lines)
{
	pid_t pid = start_devlog_listen(false);
	char *text, want[512];
	int status, i;

	ck_assert(wait_ready(pid, 0, &status));
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(audit_syslog_send(sockpath,
		    LOG_AUTHPRIV | LOG_NOTICE, "{\"n\":1}", 7, &ctx, why,
		    sizeof(why)), 0);
	usleep(100000);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	snprintf(want, sizeof(want), "%s{\"n\":1}\n%s{\"n\":1}\n%s{\"n\":1}\n",
	    syslog_header(85), syslog_header(85), syslog_header(85));
	ck_assert_ptr_nonnull(text = tu_slurp(outpath));
	ck_assert_str_eq(text, want);
	free(text);
	ck_assert_int_eq(access(sockpath, F_OK), -1);   /* removed */
}
END_TEST

START_TEST(devlog_listen_leaves_live_socket_alone)
{
	int fd = bind_socket(sockpath, SOCK_DGRAM), status;
	pid_t pid = start_devlog_listen(true);
	struct stat dead;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	ck_assert_int_eq(audit_syslog_send(sockpath, LOG_AUTHPRIV | LOG_NOTICE,
	    "{}", 2, &ctx, why, sizeof(why)), 0);   /* still ours */
	close(fd);

	/* A dead socket (no one listens) is replaced. */
	ck_assert_int_eq(stat(sockpath, &dead), 0);
	pid = start_devlog_listen(false);
	ck_assert(wait_ready(pid, dead.st_ino, &status));
	ck_assert_int_eq(audit_syslog_send(sockpath, LOG_AUTHPRIV | LOG_NOTICE,
	    "{}", 2, &ctx, why, sizeof(why)), 0);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

/* ---- the file sink (root: it accepts only root-owned files) ------------ */

static char top[64];            /* /run/cutover-audit-test-XXXXXX, 0755 */
static char logdir[128];        /* top/log, not made by the fixture */
static char logpath[PATH_MAX];  /* top/log/audit.jsonl */

static void
file_setup(void)
{
	sock_setup();
	snprintf(top, sizeof(top), "/run/cutover-audit-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(top));
	ck_assert_int_eq(chmod(top, 0755), 0);
	snprintf(logdir, sizeof(logdir), "%s/log", top);
	snprintf(logpath, sizeof(logpath), "%s/audit.jsonl", logdir);
}

static void
file_teardown(void)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", top);
	if (system(cmd) != 0)
		fprintf(stderr, "audit: could not remove %s\n", top);
	sock_teardown();
}

static gid_t
adm_gid(void)
{
	struct group *gr = getgrnam("adm");

	return gr != NULL ? gr->gr_gid : 0;
}

static void
assert_owned(const char *path, mode_t type, mode_t mode)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & S_IFMT, type);
	ck_assert_uint_eq(st.st_mode & 07777, mode);
	ck_assert_uint_eq(st.st_uid, 0);
	ck_assert_uint_eq(st.st_gid, adm_gid());
}

static void
put_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ne(fd, -1);
	ck_assert_int_eq(write(fd, text, strlen(text)),
	    (ssize_t)strlen(text));
	ck_assert_int_eq(close(fd), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static void
refused(const char *path, const char *words)
{
	why[0] = '\0';
	ck_assert_msg(audit_file_append(path, "x\n", 2, why, sizeof(why)) ==
	    -1, "%s accepted", path);
	ck_assert_msg(strstr(why, words) != NULL, "\"%s\" lacks \"%s\"", why,
	    words);
}

static char *
slurp(const char *path)
{
	char *text = tu_slurp(path);

	ck_assert_ptr_nonnull(text);
	return text;
}

/*
 * Made as a setuid-root run would: euid root, but the caller's gid, which
 * new files would get.  Both still end up root:adm.
 */
START_TEST(creates_dir_and_file_root_adm)
{
	pid_t pid;
	int status;
	char *text;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if (setegid(4711) == -1)
			_exit(2);
		_exit(audit_file_append(logpath, "one\n", 4, why,
		    sizeof(why)) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_owned(logdir, S_IFDIR, 0750);
	assert_owned(logpath, S_IFREG, 0640);
	ck_assert_str_eq(text = slurp(logpath), "one\n");
	free(text);
}
END_TEST

/*
 * Each record is appended whole, and chained: its "prev" is the hash of
 * the line before it, whatever that line is (here one of an older format).
 */
START_TEST(appends_one_line_per_record)
{
	struct audit_config ac = { .file = logpath };
	struct audit_event ev = allowed_start();
	struct audit_context chained = ctx;
	struct strbuf want = STRBUF_INIT, rec = STRBUF_INIT;
	char prev[CHAIN_HEX_SIZE];
	struct stat st;
	char *text;
	int i;

	ck_assert_int_eq(mkdir(logdir, 0755), 0);
	put_file(logpath, "old line\n", 0600);
	sb_puts(&want, "old line\n");
	chain_line_hash("old line", 8, prev);
	chained.prev = prev;
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
		    sizeof(why)), 0);
		sb_free(&rec);
		audit_encode(&ev, &chained, &rec);
		sb_append(&want, rec.s, rec.len);
		chain_line_hash(rec.s, rec.len - 1, prev);
	}
	ck_assert_str_eq(text = slurp(logpath), sb_str(&want));
	free(text);
	/* an existing file keeps its owner and mode */
	ck_assert_int_eq(stat(logpath, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	ck_assert_uint_eq(st.st_gid, 0);
	sb_free(&want);
	sb_free(&rec);
}
END_TEST

#define WRITERS 200

/*
 * 200 runs at once, as 200 concurrent invocations: 200 intact lines, and
 * one chain through them (the file's lock).
 */
START_TEST(concurrent_writers_intact_lines)
{
	struct audit_config ac = { .file = logpath };
	struct audit_event ev = allowed_start();
	struct audit_context mine = ctx;
	struct chain_walk walk = CHAIN_WALK_INIT;
	enum chain_verdict v;
	int gate[2], status, i, lines = 0;
	char *text, *line, *end, buf;
	pid_t pid;

	ck_assert_int_eq(pipe(gate), 0);
	for (i = 0; i < WRITERS; i++) {
		ck_assert_int_ne(pid = fork(), -1);
		if (pid == 0) {
			close(gate[1]);
			/* all start when the parent closes the gate */
			if (read(gate[0], &buf, 1) != 0)
				_exit(3);
			mine.pid = 100000 + i;
			_exit(audit_write_at(&ac, &ev, &mine, sockpath, why,
			    sizeof(why)) == 0 ? 0 : 1);
		}
	}
	close(gate[0]);
	close(gate[1]);
	for (i = 0; i < WRITERS; i++) {
		ck_assert_int_ne(wait(&status), -1);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	text = slurp(logpath);
	for (line = text; *line != '\0'; line = end + 1, lines++) {
		ck_assert_ptr_nonnull(end = strchr(line, '\n'));
		ck_assert(json_check(line, (size_t)(end - line), NULL, NULL));
		ck_assert_int_eq(strncmp(line, "{\"time\":", 8), 0);
		/* one chain, not forks: each links to the line before it */
		v = chain_walk_line(&walk, line, (size_t)(end - line));
		ck_assert_msg(v == (lines == 0 ? CHAIN_FIRST : CHAIN_LINKED),
		    "line %d: verdict %d: the chain forked", lines + 1, v);
	}
	ck_assert_int_eq(lines, WRITERS);
	free(text);
}
END_TEST

/*
 * A file logrotate has just made (empty) goes on from the rotated one:
 * its first record's "prev" is the last line's hash of FILE.1; with no
 * FILE.1 the chain starts at CHAIN_GENESIS; a FILE.1 that anyone but root
 * could have written is refused, as the log itself would be.
 */
START_TEST(first_record_links_to_rotated_file)
{
	struct audit_config ac = { .file = logpath };
	struct audit_event ev = allowed_start();
	char rotated[PATH_MAX + 2], want[CHAIN_HEX_SIZE], got[CHAIN_HEX_SIZE];
	char *text;

	ck_assert_int_eq(mkdir(logdir, 0755), 0);
	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), 0);
	text = slurp(logpath);
	ck_assert(chain_prev_of(text, strlen(text) - 1, got));
	ck_assert_str_eq(got, CHAIN_GENESIS);
	free(text);

	snprintf(rotated, sizeof(rotated), "%s.1", logpath);
	ck_assert_int_eq(rename(logpath, rotated), 0);
	put_file(logpath, "", 0640);
	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), 0);
	text = slurp(rotated);
	chain_line_hash(text, strlen(text) - 1, want);
	free(text);
	text = slurp(logpath);
	ck_assert(chain_prev_of(text, strlen(text) - 1, got));
	ck_assert_str_eq(got, want);
	free(text);

	put_file(logpath, "", 0640);
	ck_assert_int_eq(chmod(rotated, 0660), 0);
	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), -1);
	ck_assert_msg(strstr(why, ".1 is not a regular file owned by root")
	    != NULL, "%s", why);
	/* nor through a symlink: its last line would be anyone's */
	ck_assert_int_eq(unlink(rotated), 0);
	ck_assert_int_eq(symlink("/etc/hostname", rotated), 0);
	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), -1);
	ck_assert_msg(strstr(why, "a symlink, which is refused") != NULL, "%s",
	    why);
}
END_TEST

/*
 * Syslog gets the record as the file has it, and its hash after it: the
 * last hash a syslog server saw is what the file must still end with.
 */
START_TEST(syslog_copy_carries_the_hash)
{
	struct audit_config ac = { .syslog = true, .file = logpath };
	struct audit_event ev = start_outcome();
	char hash[CHAIN_HEX_SIZE], want[256];
	const char *got;
	char *text;
	size_t len;
	int fd = bind_socket(sockpath, SOCK_DGRAM);

	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), 0);
	text = slurp(logpath);
	len = strlen(text) - 1;
	chain_line_hash(text, len, hash);
	got = receive(fd);
	ck_assert_ptr_nonnull(got = strchr(got, '{'));
	ck_assert_int_eq(strncmp(got, text, len - 1), 0);
	snprintf(want, sizeof(want), ",\"hash\":\"%s\"}", hash);
	ck_assert_str_eq(got + len - 1, want);
	ck_assert(json_check(got, strlen(got), NULL, NULL));
	free(text);
	close(fd);
}
END_TEST

/*
 * A reader of the file (group adm may open it) holding a lock on it
 * changes nothing: the lock is .audit.jsonl.lock, root's alone (0600).
 * That one held (by another root process) makes the record fail after
 * FILE_LOCK_TIMEOUT_MS, saying so: never a hang.
 */
START_TEST(held_lock_fails_the_record)
{
	struct audit_config ac = { .file = logpath };
	struct audit_event ev = allowed_start();
	struct flock rdlock = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	char lockpath[PATH_MAX];
	struct stat st;
	int fd;

	ck_assert_int_eq(mkdir(logdir, 0755), 0);
	put_file(logpath, "", 0640);
	/* a read lock, as a reader in group adm could take: no matter */
	ck_assert_int_ne(fd = open(logpath, O_RDONLY), -1);
	ck_assert_int_eq(fcntl(fd, F_OFD_SETLK, &rdlock), 0);
	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), 0);
	close(fd);
	/* the lock file: root's, 0600; held, the record waits, then fails */
	snprintf(lockpath, sizeof(lockpath), "%s/.%s.lock", logdir,
	    strrchr(logpath, '/') + 1);
	ck_assert_int_eq(stat(lockpath, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_uid, 0);
	ck_assert_int_ne(fd = open(lockpath, O_RDONLY), -1);
	ck_assert_int_eq(fcntl(fd, F_OFD_SETLK, &rdlock), 0);
	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), -1);
	ck_assert_msg(strstr(why, "another process has held its lock") != NULL,
	    "%s", why);
	close(fd);
	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), 0);
	/* an unsafe lock file refuses the sink */
	ck_assert_int_eq(chmod(lockpath, 0644), 0);
	ck_assert_int_eq(audit_write_at(&ac, &ev, &ctx, sockpath, why,
	    sizeof(why)), -1);
	ck_assert_msg(strstr(why, "not a file of root's alone") != NULL, "%s",
	    why);
	ck_assert_int_eq(unlink(lockpath), 0);
}
END_TEST

START_TEST(unsafe_files_refused)
{
	ck_assert_int_eq(mkdir(logdir, 0755), 0);
	put_file(logpath, "", 0640);
	ck_assert_int_eq(chown(logpath, 65534, 0), 0);
	refused(logpath, "not safe");
	ck_assert_int_eq(chown(logpath, 0, 0), 0);
	ck_assert_int_eq(chmod(logpath, 0660), 0);      /* group-writable */
	refused(logpath, "not safe");
	ck_assert_int_eq(chmod(logpath, 0642), 0);      /* world-writable */
	refused(logpath, "not safe");
	ck_assert_int_eq(unlink(logpath), 0);
	ck_assert_int_eq(symlink("/run/elsewhere", logpath), 0);
	refused(logpath, "symlink");
	ck_assert_int_eq(unlink(logpath), 0);
	/* a FIFO: refused at once, no hang waiting for a reader */
	ck_assert_int_eq(mkfifo(logpath, 0600), 0);
	refused(logpath, logpath);
	/* not a regular file */
	refused("/dev/full", "not safe");
}
END_TEST

START_TEST(unsafe_directories_refused)
{
	char real[PATH_MAX], deeper[PATH_MAX];

	ck_assert_int_eq(mkdir(logdir, 0755), 0);
	ck_assert_int_eq(chmod(logdir, 0775), 0);       /* group-writable */
	refused(logpath, "directory");
	ck_assert_int_eq(chmod(logdir, 0755), 0);
	ck_assert_int_eq(chown(logdir, 65534, 0), 0);
	refused(logpath, "not safe");
	ck_assert_int_eq(rmdir(logdir), 0);
	snprintf(real, sizeof(real), "%s/real", top);
	ck_assert_int_eq(mkdir(real, 0755), 0);
	ck_assert_int_eq(symlink(real, logdir), 0);
	refused(logpath, "symlink");
	ck_assert_int_eq(unlink(logdir), 0);

	/* only the last directory is ever created */
	snprintf(deeper, sizeof(deeper), "%s/a/b/audit.jsonl", top);
	refused(deeper, "No such file or directory");
	snprintf(deeper, sizeof(deeper), "%s/a", top);
	ck_assert_int_eq(access(deeper, F_OK), -1);

	/* and not in a parent others could write to */
	ck_assert_int_eq(chmod(top, 0777), 0);
	refused(logpath, "not safe");
	ck_assert_int_eq(access(logdir, F_OK), -1);
	ck_assert_int_eq(chmod(top, 0755), 0);

	refused("audit.jsonl", "absolute");
	refused("/run/../run/x.jsonl", "absolute");
	refused("/run/", "absolute");
}
END_TEST

/*
 * RLIMIT_FSIZE set by the caller (where hygiene cannot raise it): the
 * kernel would write what fits and cut the record.  A record that would
 * pass the limit is refused unwritten; one that fits exactly is written.
 */
START_TEST(file_size_limit_refused_unwritten)
{
	static const char rec[] = "0123456789012345678901234567890123456789"
	    "012345678\n";
	struct stat st;
	pid_t pid;
	int status;
	char *text;

	ck_assert_int_eq(audit_file_append(logpath, "first line\n", 11, why,
	    sizeof(why)), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		struct rlimit lim = { 11 + 10, 11 + 10 };

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &lim) == -1)
			_exit(2);
		if (audit_file_append(logpath, rec, 50, why, sizeof(why)) != -1
		    || strstr(why, "file size limit") == NULL)
			_exit(3);
		lim.rlim_cur = lim.rlim_max = 11;
		if (setrlimit(RLIMIT_FSIZE, &lim) == -1)
			_exit(2);
		if (audit_file_append(logpath, rec, 50, why, sizeof(why)) != -1)
			_exit(4);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child status %d", status);
	ck_assert_int_eq(stat(logpath, &st), 0);
	ck_assert_int_eq(st.st_size, 11);       /* no partial line */

	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		struct rlimit lim = { 11 + 50, 11 + 50 };

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &lim) == -1)
			_exit(2);
		_exit(audit_file_append(logpath, rec, 50, why, sizeof(why)) ==
		    0 ? 0 : 3);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child status %d", status);
	text = slurp(logpath);
	ck_assert_str_eq(text, "first line\n" "0123456789012345678901234567890"
	    "123456789012345678\n");
	free(text);
}
END_TEST

/* Any enabled sink that cannot be opened: no log, nothing may be done. */
START_TEST(open_fails_on_any_sink)
{
	struct audit_config ac = { .syslog = true, .file = logpath };
	struct audit_log *log;
	int fd = bind_socket(sockpath, SOCK_DGRAM);

	ck_assert_int_eq(mkdir(logdir, 0755), 0);
	ck_assert_int_eq(chmod(logdir, 0777), 0);
	log = audit_log_open_at(&ac, sockpath, why, sizeof(why));
	ck_assert_ptr_null(log);
	ck_assert_ptr_nonnull(strstr(why, "audit file"));
	ck_assert_ptr_nonnull(strstr(why, "not safe"));

	ck_assert_int_eq(chmod(logdir, 0755), 0);
	close(fd);
	unlink(sockpath);
	log = audit_log_open_at(&ac, sockpath, why, sizeof(why));
	ck_assert_ptr_null(log);
	ck_assert_ptr_nonnull(strstr(why, "syslog: "));
	ck_assert_ptr_nonnull(strstr(why, "No such file or directory"));
}
END_TEST

/*
 * At write time every sink is tried: a file that cannot take the record
 * (RLIMIT_FSIZE) still leaves it in syslog, and the result is a failure;
 * a syslog that went away fails too, with the file written.
 */
START_TEST(write_tries_every_sink)
{
	struct audit_config ac = { .syslog = true, .file = logpath };
	struct audit_event ev = allowed_start();
	struct audit_log *log;
	struct stat st;
	int fd = bind_socket(sockpath, SOCK_DGRAM), status;
	pid_t pid;

	log = audit_log_open_at(&ac, sockpath, why, sizeof(why));
	ck_assert_msg(log != NULL, "%s", why);
	ck_assert_int_eq(audit_log_write_at(log, &ev, &ctx, why, sizeof(why)),
	    0);
	ck_assert_uint_eq(audit_log_took(log), AUDIT_SINK_FILE |
	    AUDIT_SINK_SYSLOG);
	ck_assert_int_eq(strncmp(receive(fd), "<85>", 4), 0);
	ck_assert_int_eq(stat(logpath, &st), 0);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		struct rlimit lim = { (rlim_t)st.st_size, (rlim_t)st.st_size };

		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &lim) == -1)
			_exit(2);
		if (audit_log_write_at(log, &ev, &ctx, why, sizeof(why)) != -1)
			_exit(3);
		/* the record is still where it could go: syslog */
		if (audit_log_took(log) != AUDIT_SINK_SYSLOG)
			_exit(5);
		_exit(strstr(why, "file size limit") != NULL &&
		    strstr(why, "syslog") == NULL ? 0 : 4);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child status %d", status);
	ck_assert_int_eq(strncmp(receive(fd), "<85>", 4), 0);

	close(fd);
	unlink(sockpath);
	ck_assert_int_eq(audit_log_write_at(log, &ev, &ctx, why, sizeof(why)),
	    -1);
	ck_assert_ptr_nonnull(strstr(why, "syslog: "));
	ck_assert_ptr_null(strstr(why, "audit file"));
	ck_assert_uint_eq(audit_log_took(log), AUDIT_SINK_FILE);
	audit_log_close(log);
}
END_TEST

/* A syslog daemon restarted between open and write: one reconnect. */
START_TEST(syslog_reconnects_after_restart)
{
	struct audit_config ac = { .syslog = true };
	struct audit_event ev = allowed_start();
	struct audit_log *log;
	int fd = bind_socket(sockpath, SOCK_DGRAM);

	log = audit_log_open_at(&ac, sockpath, why, sizeof(why));
	ck_assert_msg(log != NULL, "%s", why);
	close(fd);
	unlink(sockpath);
	fd = bind_socket(sockpath, SOCK_DGRAM);
	ck_assert_int_eq(audit_log_write_at(log, &ev, &ctx, why, sizeof(why)),
	    0);
	ck_assert_int_eq(strncmp(receive(fd), "<85>", 4), 0);
	audit_log_close(log);
	close(fd);
}
END_TEST

/*
 * Every record is sent to syslog with the effective uid (root's, in
 * cutover: the real one may be the caller's) and our pid as credentials,
 * which the daemon shows as the sender (journald's _UID), so that a
 * record cannot be taken for one any local user can send.
 */
START_TEST(syslog_records_carry_uid_0)
{
	struct audit_config ac = { .syslog = true };
	struct audit_event ev = allowed_start();
	struct audit_log *log;
	int fd = bind_socket(sockpath, SOCK_DGRAM), on = 1;
	char buf[8192], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	struct ucred cred = { 0, 99, 99 };

	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)), 0);
	log = audit_log_open_at(&ac, sockpath, why, sizeof(why));
	ck_assert_msg(log != NULL, "%s", why);
	ck_assert_int_eq(audit_log_write_at(log, &ev, &ctx, why, sizeof(why)),
	    0);
	ck_assert_int_gt(recvmsg(fd, &mh, MSG_DONTWAIT), 0);
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_CREDENTIALS)
			memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
	ck_assert_int_eq(cred.uid, geteuid());     /* 0 in make check */
	ck_assert_int_eq(cred.gid, geteuid() == 0 ? 0 : getegid());
	ck_assert_int_eq(cred.pid, getpid());
	audit_log_close(log);
	close(fd);
}
END_TEST

/*
 * Opened as root, written after becoming an ordinary user: the record
 * then says who sent it (uid 65534), not root - which is why cutover
 * writes every record before it gives up root.
 */
START_TEST(log_after_privilege_drop_is_not_roots)
{
	struct audit_config ac = { .syslog = true };
	struct audit_event ev = start_outcome();
	struct audit_log *log;
	int fd = bind_socket(sockpath, SOCK_DGRAM), status, on = 1;
	char buf[8192], cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	struct ucred cred = { 0, 0, 0 };
	pid_t pid;

	if (geteuid() != 0)
		return;     /* needs root to become someone else */
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on,
	    sizeof(on)), 0);
	log = audit_log_open_at(&ac, sockpath, why, sizeof(why));
	ck_assert_msg(log != NULL, "%s", why);
	ck_assert_int_ne(pid = fork(), -1);
	if (pid == 0) {
		if (setgroups(0, NULL) == -1 || setresgid(65534, 65534, 65534)
		    == -1 || setresuid(65534, 65534, 65534) == -1)
			_exit(2);
		_exit(audit_log_write_at(log, &ev, &ctx, why, sizeof(why)) ==
		    0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "child status %d", status);
	audit_log_close(log);
	ck_assert_int_gt(recvmsg(fd, &mh, MSG_DONTWAIT), 0);
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm))
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_CREDENTIALS)
			memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
	ck_assert_int_eq(cred.uid, 65534);
	close(fd);
}
END_TEST

Suite *
audit_suite(void)
{
	Suite *s = suite_create("audit");
	TCase *enc = tcase_create("encode");
	TCase *sys = tcase_create("syslog");
	TCase *file;

	tcase_add_test(enc, request_record_exact);
	tcase_add_test(enc, outcome_record_exact);
	tcase_add_test(enc, entry_on_base_is_the_record);
	tcase_add_test(enc, step_record_exact);
	tcase_add_test(enc, malformed_request_record);
	tcase_add_test(enc, hostile_bytes_escaped);
	tcase_add_test(enc, unknown_caller_is_null_but_uid);
	tcase_add_test(enc, time_always_rfc3339);
	tcase_add_test(enc, huge_target_truncated_with_marker);
	tcase_add_test(enc, long_lists_capped_with_marker);
	tcase_add_test(enc, request_record_stays_under_8k);
	tcase_add_test(enc, syslog_priority_by_result);
	tcase_add_test(enc, txids_are_random_hex);
	suite_add_tcase(s, enc);

	tcase_add_checked_fixture(sys, sock_setup, sock_teardown);
	tcase_add_test(sys, syslog_datagram_rfc3164);
	tcase_add_test(sys, syslog_stream_fallback);
	tcase_add_test(sys, syslog_failures_reported);
	tcase_add_test(sys, write_to_syslog_only);
	tcase_add_test(sys, log_write_to_syslog_only);
	tcase_add_test(sys, no_sink_is_a_failure);
	tcase_add_test(sys, syslog_reconnects_after_restart);
	tcase_add_test(sys, file_under_tmp_refused);
	tcase_add_test(sys, devlog_listen_writes_lines);
	tcase_add_test(sys, devlog_listen_leaves_live_socket_alone);
	suite_add_tcase(s, sys);

	if (geteuid() != 0) {
		fputs("audit: not root: the file sink's success cases are left "
		    "out (it accepts only root-owned files)\n", stderr);
		return s;
	}
	file = tcase_create("file");
	/* held_lock_fails_the_record waits out the 5 s lock timeout */
	tcase_set_timeout(file, 30);
	tcase_add_checked_fixture(file, file_setup, file_teardown);
	tcase_add_test(file, creates_dir_and_file_root_adm);
	tcase_add_test(file, appends_one_line_per_record);
	tcase_add_test(file, concurrent_writers_intact_lines);
	tcase_add_test(file, first_record_links_to_rotated_file);
	tcase_add_test(file, syslog_copy_carries_the_hash);
	tcase_add_test(file, held_lock_fails_the_record);
	tcase_add_test(file, unsafe_files_refused);
	tcase_add_test(file, unsafe_directories_refused);
	tcase_add_test(file, file_size_limit_refused_unwritten);
	tcase_add_test(file, open_fails_on_any_sink);
	tcase_add_test(file, write_tries_every_sink);
	tcase_add_test(file, log_after_privilege_drop_is_not_roots);
	tcase_add_test(sys, syslog_records_carry_uid_0);
	suite_add_tcase(s, file);
	return s;
}
