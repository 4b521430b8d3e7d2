/*
 * test_metrics.c - verify's metrics: the Prometheus text format of a
 * result (judge_render_metrics), held to a strict reading of the format,
 * and the textfile that carries it (textfile_write): whole or not at
 * all, never through a link, never into a directory others may write.
 */
#include <sys/stat.h>

#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/record/textfile.h"
#include "helper/verify/judge.h"
#include "policy/strbuf.h"

static struct check
a_check(const char *name)
{
	struct check c = { .name = name, .url = "http://127.0.0.1:8080/",
	    .status = 200, .contains = "Fall collection", .timeout = 5.0,
	    .max_body = 1048576 };

	return c;
}

static char *
metrics(const struct check *c, const struct verify_result *r, double when)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	judge_render_metrics(c, r, when, &sb);
	ck_assert(!sb_failed(&sb));
	s = strdup(sb_str(&sb));
	sb_free(&sb);
	return s;
}

/* ---- a strict reader of the text format (what promtool would take) ---- */

static bool
metric_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == ':'))
		return false;
	for (i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':'))
			return false;
	return true;
}

/*
 * TEXT is a valid exposition: every line ends in '\n'; "# HELP NAME
 * text" and "# TYPE NAME gauge" come before NAME's one sample
 * NAME{check="VALUE"} NUMBER, with VALUE escaped (\\, \", \n only) and
 * equal to WANT_CHECK; no name twice.  Returns the number of samples,
 * or -1 with the offending line in BAD.
 */
static int
read_exposition(const char *text, const char *want_check, char *bad,
    size_t badlen)
{
	char typed[8][64] = { { 0 } }, seen[8][64] = { { 0 } };
	int ntyped = 0, nseen = 0, i;
	const char *line = text;

	while (*line != '\0') {
		const char *end = strchr(line, '\n'), *p, *brace;
		char name[64], value[128], *num_end;
		size_t n, k = 0;

		snprintf(bad, badlen, "%.*s", end ? (int)(end - line) : 80, line);
		if (end == NULL)
			return -1;              /* no final newline */
		if (strncmp(line, "# HELP ", 7) == 0 || strncmp(line, "# TYPE ", 7) == 0) {
			p = line + 7;
			n = strcspn(p, " \n");
			if (!metric_name_ok(p, n) || n >= sizeof(name) || p[n] != ' ')
				return -1;
			if (line[2] == 'T') {
				if (strncmp(p + n, " gauge\n", 7) != 0 || ntyped == 8)
					return -1;
				snprintf(typed[ntyped++], 64, "%.*s", (int)n, p);
			} else if (p + n + 1 >= end) {
				return -1;      /* an empty HELP */
			}
			line = end + 1;
			continue;
		}
		if (line[0] == '#')
			return -1;
		brace = strchr(line, '{');
		if (brace == NULL || brace > end)
			return -1;
		n = (size_t)(brace - line);
		if (!metric_name_ok(line, n) || n >= sizeof(name))
			return -1;
		snprintf(name, sizeof(name), "%.*s", (int)n, line);
		for (i = 0; i < ntyped && strcmp(typed[i], name) != 0; i++)
			;
		if (i == ntyped)
			return -1;              /* a sample before its TYPE */
		for (i = 0; i < nseen; i++)
			if (strcmp(seen[i], name) == 0)
				return -1;      /* the same series twice */
		if (nseen == 8)
			return -1;
		snprintf(seen[nseen++], 64, "%s", name);
		p = brace + 1;
		if (strncmp(p, "check=\"", 7) != 0)
			return -1;
		for (p += 7; *p != '"'; p++) {
			if (p >= end || k + 1 >= sizeof(value))
				return -1;
			if (*p == '\\') {
				p++;
				if (*p == 'n')
					value[k++] = '\n';
				else if (*p == '\\' || *p == '"')
					value[k++] = *p;
				else
					return -1;
			} else {
				value[k++] = *p;
			}
		}
		value[k] = '\0';
		if (strcmp(value, want_check) != 0 || *p++ != '"')
			return -1;
		/* more labels: ,name="escaped value" */
		while (*p == ',') {
			const char *lname = ++p;

			while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
				p++;
			if (!metric_name_ok(lname, (size_t)(p - lname)) ||
			    strncmp(p, "=\"", 2) != 0)
				return -1;
			for (p += 2; *p != '"'; p++) {
				if (p >= end || (unsigned char)*p < 0x20)
					return -1;
				if (*p == '\\' && *++p != 'n' && *p != '\\' &&
				    *p != '"')
					return -1;
			}
			p++;
		}
		if (strncmp(p, "} ", 2) != 0)
			return -1;
		p += 2;
		errno = 0;
		(void)strtod(p, &num_end);
		if (errno != 0 || num_end == p || num_end != end)
			return -1;
		line = end + 1;
	}
	return nseen;
}

/* ---- the format ------------------------------------------------------------ */

START_TEST(metrics_of_a_pass_exactly)
{
	struct check c = a_check("homepage");
	struct verify_result r = { .error = VERIFY_OK, .attempts = 1,
	    .status = 200, .bytes = 5123, .seconds = 0.003, .elapsed = 0.003,
	    .found = 1, .http_version = 11 };
	char *s = metrics(&c, &r, 1764806400.25);

	ck_assert_str_eq(s,
	    "# HELP cutover_check_up 1 if the check passed, 0 if it failed or could not run.\n"
	    "# TYPE cutover_check_up gauge\n"
	    "cutover_check_up{check=\"homepage\"} 1\n"
	    "# HELP cutover_check_http_status The HTTP status of the last response (0: none arrived).\n"
	    "# TYPE cutover_check_http_status gauge\n"
	    "cutover_check_http_status{check=\"homepage\"} 200\n"
	    "# HELP cutover_check_http_version The HTTP version of the last response: 1.0, 1.1, 2.0 or 3.0 (0: none arrived).\n"
	    "# TYPE cutover_check_http_version gauge\n"
	    "cutover_check_http_version{check=\"homepage\"} 1.1\n"
	    "# HELP cutover_check_duration_seconds How long the last attempt took, redirects included.\n"
	    "# TYPE cutover_check_duration_seconds gauge\n"
	    "cutover_check_duration_seconds{check=\"homepage\"} 0.003\n"
	    "# HELP cutover_check_body_bytes The size of the last response's body.\n"
	    "# TYPE cutover_check_body_bytes gauge\n"
	    "cutover_check_body_bytes{check=\"homepage\"} 5123\n"
	    "# HELP cutover_check_timestamp_seconds When the check ended, in seconds since the epoch.\n"
	    "# TYPE cutover_check_timestamp_seconds gauge\n"
	    "cutover_check_timestamp_seconds{check=\"homepage\"} 1764806400.250\n");
	free(s);
}
END_TEST

/* https: the version, and the certificate's expiry (NaN when none was
 * seen); http has no certificate, and so no such series at all. */
START_TEST(https_metrics_have_the_expiry)
{
	struct check c = a_check("shop");
	struct verify_result r = { .error = VERIFY_OK, .attempts = 1,
	    .status = 200, .bytes = 10, .found = 1, .http_version = 20,
	    .cert_expiry = 1798761600, .cert_left = 30 * 86400 };
	char *s = metrics(&c, &r, 1.0);

	ck_assert_ptr_null(strstr(s, "cert_expiry"));
	free(s);
	c.url = "https://www.example.org/";
	s = metrics(&c, &r, 1.0);
	ck_assert_ptr_nonnull(strstr(s, "\ncutover_check_http_version{check=\"shop\"} 2.0\n"));
	ck_assert_ptr_nonnull(strstr(s,
	    "\n# HELP cutover_check_cert_expiry_seconds When the server's certificate expires, in seconds since the epoch (NaN: none seen).\n"
	    "# TYPE cutover_check_cert_expiry_seconds gauge\n"
	    "cutover_check_cert_expiry_seconds{check=\"shop\"} 1798761600\n"));
	free(s);
	r = (struct verify_result){ .attempts = 1 };
	judge_set_error(&r, VERIFY_TLS, "SSL certificate problem");
	s = metrics(&c, &r, 1.0);
	ck_assert_ptr_nonnull(strstr(s, "\ncutover_check_cert_expiry_seconds{check=\"shop\"} NaN\n"));
	ck_assert_ptr_nonnull(strstr(s, "\ncutover_check_http_version{check=\"shop\"} 0.0\n"));
	free(s);
}
END_TEST

START_TEST(a_failure_is_up_0)
{
	struct check c = a_check("homepage");
	struct verify_result r = { .error = VERIFY_OK, .attempts = 3,
	    .status = 200, .bytes = 28, .seconds = 0.001, .found = 0,
	    .diffs = VERIFY_DIFF_CONTAINS };
	char *s = metrics(&c, &r, 1.0);

	ck_assert_ptr_nonnull(strstr(s, "\ncutover_check_up{check=\"homepage\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(s, "\ncutover_check_http_status{check=\"homepage\"} 200\n"));
	free(s);
	/* no response at all: status 0 */
	r = (struct verify_result){ .attempts = 1 };
	judge_set_error(&r, VERIFY_CONNECT, "Connection refused");
	s = metrics(&c, &r, 1.0);
	ck_assert_ptr_nonnull(strstr(s, "\ncutover_check_up{check=\"homepage\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(s, "\ncutover_check_http_status{check=\"homepage\"} 0\n"));
	free(s);
}
END_TEST

/*
 * served_by: who held the port, in labels; 1 only when the service did.
 * No series when the check names none.
 */
START_TEST(served_metric_names_the_holder)
{
	struct check c = a_check("homepage");
	struct verify_result r = { .error = VERIFY_OK, .attempts = 1,
	    .status = 200, .bytes = 10, .found = 1 };
	char *s = metrics(&c, &r, 1.0);

	ck_assert_ptr_null(strstr(s, "served"));
	free(s);
	r.served = (struct verify_served){ .state = SERVED_BY, .port = 8080,
	    .pid = 123, .service = "nginx", .user = "www-data",
	    .exe = "/usr/sbin/nginx" };
	s = metrics(&c, &r, 1.0);
	ck_assert_ptr_nonnull(strstr(s, "\ncutover_check_up{check=\"homepage\"} 1\n"));
	ck_assert_ptr_nonnull(strstr(s,
	    "\n# HELP cutover_check_served 1 if every listening socket of the "
	    "check's port was held by the service named (served_by) and nothing "
	    "else, before and after the request; pid, user and exe name who held "
	    "it.\n# TYPE cutover_check_served gauge\n"
	    "cutover_check_served{check=\"homepage\",service=\"nginx\",pid=\"123\","
	    "user=\"www-data\",exe=\"/usr/sbin/nginx\"} 1\n"));
	free(s);
	/* the audit's impostor: up 0, and who it was */
	r.served = (struct verify_served){ .state = SERVED_OTHER, .port = 8080,
	    .pid = 207, .service = "nginx", .user = "deploy",
	    .exe = "/usr/bin/python3.11", .detail = "port 8080 is held by ..." };
	s = metrics(&c, &r, 1.0);
	ck_assert_ptr_nonnull(strstr(s, "\ncutover_check_up{check=\"homepage\"} 0\n"));
	ck_assert_ptr_nonnull(strstr(s, "\ncutover_check_served{check=\"homepage\","
	    "service=\"nginx\",pid=\"207\",user=\"deploy\",exe=\"/usr/bin/python3.11\"} 0\n"));
	free(s);
	/* nothing listened: no one to name */
	r.served = (struct verify_served){ .state = SERVED_OTHER, .port = 8080,
	    .service = "nginx", .detail = "nothing listens on port 8080" };
	s = metrics(&c, &r, 1.0);
	ck_assert_ptr_nonnull(strstr(s, "\ncutover_check_served{check=\"homepage\","
	    "service=\"nginx\",pid=\"\",user=\"\",exe=\"\"} 0\n"));
	free(s);
}
END_TEST

/* Every kind of result, and a name that needs escaping, read strictly. */
START_TEST(every_result_is_a_valid_exposition)
{
	static const int errors[] = { VERIFY_OK, VERIFY_TIMEOUT, VERIFY_CONNECT,
	    VERIFY_TLS, VERIFY_TOO_BIG, VERIFY_OFFSITE, VERIFY_REDIRECTS,
	    VERIFY_TRANSFER, VERIFY_RESET, VERIFY_INTERNAL };
	static const char *const names[] = { "homepage", "a\"b\\c\nd" };
	char bad[256];
	size_t i, k;

	for (k = 0; k < 4; k++)
		for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
			struct check c = a_check(names[k % 2]);
			struct verify_result r = { .attempts = 1, .status = 503,
			    .bytes = 1LL << 40, .seconds = 29.9999 };
			char *s;

			if (k >= 2) {   /* https, with a certificate */
				c.url = "https://www.example.org/";
				r.http_version = 20;
				r.cert_expiry = 253402300799LL;
			}
			if (errors[i] != VERIFY_OK)
				judge_set_error(&r, errors[i], "why\n\"not\"");
			s = metrics(&c, &r, 4102444800.0);
			ck_assert_msg(read_exposition(s, names[k % 2], bad,
			    sizeof(bad)) == (k >= 2 ? 7 : 6), "not a valid "
			    "exposition at \"%s\":\n%s", bad, s);
			free(s);
			/* and with served_by, in each of its states */
			r.served = (struct verify_served){ .state = (int)(i %
			    SERVED_LAST) + 1, .port = 8080, .pid = (int)i };
			strcpy(r.served.service, names[k % 2]);
			strcpy(r.served.user, "www\"data\\");
			strcpy(r.served.exe, "/tmp/x\ny");
			s = metrics(&c, &r, 4102444800.0);
			ck_assert_msg(read_exposition(s, names[k % 2], bad,
			    sizeof(bad)) == (k >= 2 ? 8 : 7), "not a valid "
			    "exposition at \"%s\":\n%s", bad, s);
			free(s);
		}
}
END_TEST

/* The reader itself refuses what the format does not allow. */
START_TEST(the_reader_is_strict)
{
	static const char *const wrong[] = {
		"cutover_check_up{check=\"homepage\"} 1\n",     /* no TYPE */
		"# TYPE x gauge\nx{check=\"homepage\"} 1",      /* no newline */
		"# TYPE x gauge\nx{check=\"homepage\"} one\n",
		"# TYPE x gauge\nx{check=\"homepage\"} 1\nx{check=\"homepage\"} 1\n",
		"# TYPE x gauge\nx{check=\"home\\qpage\"} 1\n",
		"# TYPE x gauge\nx{check=\"other\"} 1\n",
		"# TYPE 1x gauge\n1x{check=\"homepage\"} 1\n",
		"# TYPE x counter\nx{check=\"homepage\"} 1\n",
		"# a comment\n",
	};
	char bad[256];
	size_t i;

	for (i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++)
		ck_assert_msg(read_exposition(wrong[i], "homepage", bad,
		    sizeof(bad)) == -1, "taken: %s", wrong[i]);
}
END_TEST

/* ---- the file -------------------------------------------------------------- */

static char *
a_dir(void)
{
	char *d = strdup("/tmp/cutover-textfile.XXXXXX");

	ck_assert_ptr_nonnull(mkdtemp(d));
	ck_assert_int_eq(chmod(d, 0755), 0);
	return d;
}

static char *
slurp(const char *dir, const char *name)
{
	static char buf[4096];
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW)) == -1)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static int
entries(const char *dir)
{
	char cmd[PATH_MAX + 64];
	FILE *f;
	int n = 0, ch;

	/* ls -A: the dot files (a temporary file left behind) too */
	snprintf(cmd, sizeof(cmd), "ls -A '%s'", dir);
	f = popen(cmd, "r");
	ck_assert_ptr_nonnull(f);
	while ((ch = fgetc(f)) != EOF)
		n += ch == '\n';
	pclose(f);
	return n;
}

static void
rm_dir(char *d)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
	ck_assert_int_eq(system(cmd), 0);
	free(d);
}

START_TEST(the_file_is_written_whole_and_replaced)
{
	char *d = a_dir(), why[512], path[PATH_MAX];
	struct stat st;

	umask(077);     /* the caller's umask must not make it unreadable */
	ck_assert_int_eq(textfile_write(d, "homepage", "a 1\n", why, sizeof(why)), 0);
	ck_assert_str_eq(slurp(d, "cutover_homepage.prom"), "a 1\n");
	snprintf(path, sizeof(path), "%s/cutover_homepage.prom", d);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(textfile_write(d, "homepage", "a 0\n", why, sizeof(why)), 0);
	ck_assert_str_eq(slurp(d, "cutover_homepage.prom"), "a 0\n");
	ck_assert_int_eq(entries(d), 1);        /* no temporary file left */
	umask(022);
	rm_dir(d);
}
END_TEST

/* A link where the temporary file goes is replaced, not written through. */
START_TEST(a_planted_link_is_not_followed)
{
	char *d = a_dir(), *victim = a_dir(), why[512], link[PATH_MAX],
	    target[PATH_MAX];
	struct stat st;

	snprintf(target, sizeof(target), "%s/victim", victim);
	snprintf(link, sizeof(link), "%s/.cutover_homepage.prom.%ld", d, (long)getpid());
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(textfile_write(d, "homepage", "a 1\n", why, sizeof(why)), 0);
	ck_assert_int_eq(lstat(target, &st), -1);       /* nothing made there */
	ck_assert_str_eq(slurp(d, "cutover_homepage.prom"), "a 1\n");
	ck_assert_int_eq(entries(d), 1);
	/* the file itself a link: replaced by a regular file */
	snprintf(link, sizeof(link), "%s/cutover_homepage.prom", d);
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(symlink(target, link), 0);
	ck_assert_int_eq(textfile_write(d, "homepage", "a 2\n", why, sizeof(why)), 0);
	ck_assert_int_eq(lstat(target, &st), -1);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	rm_dir(d);
	rm_dir(victim);
}
END_TEST

START_TEST(an_unsafe_or_missing_directory_is_refused)
{
	char *d = a_dir(), why[512], path[PATH_MAX];

	ck_assert_int_eq(chmod(d, 0775), 0);
	ck_assert_int_eq(textfile_write(d, "homepage", "a 1\n", why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "is not safe to write metrics into"));
	ck_assert_int_eq(chmod(d, 0757), 0);
	ck_assert_int_eq(textfile_write(d, "homepage", "a 1\n", why, sizeof(why)), -1);
	ck_assert_int_eq(chmod(d, 0755), 0);
	/* a link to a directory: not followed */
	snprintf(path, sizeof(path), "%s/link", d);
	ck_assert_int_eq(symlink(d, path), 0);
	ck_assert_int_eq(textfile_write(path, "homepage", "a 1\n", why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "cannot open"));
	snprintf(path, sizeof(path), "%s/none", d);
	ck_assert_int_eq(textfile_write(path, "homepage", "a 1\n", why, sizeof(why)), -1);
	ck_assert_ptr_nonnull(strstr(why, "install prometheus-node-exporter"));
	/* a name that is not a policy name never makes a path */
	ck_assert_int_eq(textfile_write(d, "../x", "a 1\n", why, sizeof(why)), -1);
	ck_assert_int_eq(textfile_write(d, "", "a 1\n", why, sizeof(why)), -1);
	ck_assert_int_eq(entries(d), 1);        /* only the link */
	rm_dir(d);
}
END_TEST

Suite *
metrics_suite(void)
{
	Suite *s = suite_create("metrics");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, metrics_of_a_pass_exactly);
	tcase_add_test(tc, https_metrics_have_the_expiry);
	tcase_add_test(tc, a_failure_is_up_0);
	tcase_add_test(tc, served_metric_names_the_holder);
	tcase_add_test(tc, every_result_is_a_valid_exposition);
	tcase_add_test(tc, the_reader_is_strict);
	tcase_add_test(tc, the_file_is_written_whole_and_replaced);
	tcase_add_test(tc, a_planted_link_is_not_followed);
	tcase_add_test(tc, an_unsafe_or_missing_directory_is_refused);
	suite_add_tcase(s, tc);
	return s;
}
