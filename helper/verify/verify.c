/*
 * verify.c - a content check, fetched by libcurl (loaded there, not
 * linked: curlapi.h) in a child process that
 * holds nothing: not root, no capability, no descriptor of the parent's
 * (the audit log stays out of reach of the code that parses HTTP), no
 * other thread.  The child proves that to itself from the kernel's view
 * before libcurl is initialised, then sends its result, a fixed-size
 * struct, through a pipe; the parent trusts nothing in it until
 * judge_sanitize() has been through it.
 *
 * Why a child at all when the parent has already given up privilege:
 * capabilities are per thread and libcurl's resolver starts threads, so
 * the check must start from a process whose one thread is known to hold
 * nothing; and the parent still holds the audit log's descriptors, which
 * the code that parses a hostile server's response must never reach.
 */
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "helper/verify/certdate.h"
#include "helper/verify/curlapi.h"
#include "helper/priv/privilege.h"
#include "helper/verify/verify.h"
#include "helper/lib/clock.h"
#include "helper/lib/procfs.h"
#include "policy/safepath.h"

#define RESULT_FD     3     /* the child's one descriptor beyond 0-2 */
#define FIRST_PAUSE   0.25  /* seconds between the first two attempts */
#define LONGEST_PAUSE 2.0   /* the back-off doubles up to this */
#define PARENT_MARGIN 5.0   /* seconds beyond within + timeout */

static void
pause_for(double seconds)
{
	struct timespec ts;

	if (seconds <= 0)
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* ---- one transfer --------------------------------------------------------- */

static size_t
on_body(char *p, size_t size, size_t n, void *scan)
{
	/* a short count makes libcurl stop: the body is over the cap */
	return judge_scan_body(scan, p, size * n) == 0 ? size * n : 0;
}

static size_t
on_header(char *p, size_t size, size_t n, void *scan)
{
	judge_scan_header(scan, p, size * n);
	return size * n;
}

/*
 * The check's own TLS and address: connect_to (CONNECT_TO keeps the
 * URL's name for Host, SNI and the certificate, and only changes where
 * the connection goes), ca_file (that file's CAs and no others: no
 * CAPATH beside it), pinned_key, and the certificate's details for its
 * expiry.  HTTP/2 is offered by ALPN over TLS, as curl does.
 */
static unsigned int
tls_options(CURL *h, const struct check *c, struct curl_slist **connect_to)
{
	unsigned int bad = 0;
	char to[96];

	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_HTTP_VERSION,
	    (long)CURL_HTTP_VERSION_2TLS);
	if (c->connect_host != NULL) {
		/* "::ADDR:PORT": any host and port of the URL's, to ADDR */
		snprintf(to, sizeof(to), "::%s:%.0d", c->connect_host,
		    c->connect_port);
		if ((*connect_to = curlapi.slist_append(NULL, to)) == NULL)
			return 1;
		bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_CONNECT_TO,
		    *connect_to);
	}
	if (strncmp(c->url, "https://", 8) != 0)
		return bad;
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_CERTINFO, 1L);
	if (c->ca_file != NULL) {
		bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_CAINFO,
		    c->ca_file);
		bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_CAPATH,
		    (char *)NULL);
	}
	if (c->pinned_key != NULL)
		bad |= (unsigned int)curlapi.easy_setopt(h,
		    CURLOPT_PINNEDPUBLICKEY, c->pinned_key);
	return bad;
}

/*
 * A handle that speaks only http and https, never a proxy (whatever the
 * environment held: it was cleared anyway), no .netrc, no cookies, no
 * redirects of its own (attempt() follows them, within the host), and
 * verifies TLS.  NULL if any option is refused: then nothing is fetched.
 */
static CURL *
new_handle(const struct check *c, struct judge_scan *scan, char *errbuf,
    struct curl_slist **connect_to)
{
	CURL *h = curlapi.easy_init();
	unsigned int bad = 0;     /* CURLE_OK is 0: any other bit is a failure */

	if (h == NULL)
		return NULL;
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_PROXY, "");
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_NOPROXY, "*");
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_USERAGENT, "cutover/" CUTOVER_VERSION);
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)c->max_body);
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_WRITEDATA, scan);
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_HEADERDATA, scan);
	bad |= (unsigned int)curlapi.easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	bad |= tls_options(h, c, connect_to);
	if (bad) {
		curlapi.easy_cleanup(h);
		return NULL;
	}
	return h;
}

static enum verify_error
error_kind(CURLcode rc, const struct judge_scan *scan)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return VERIFY_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		return VERIFY_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return VERIFY_TLS;
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
		return VERIFY_RESET;
	case CURLE_FILESIZE_EXCEEDED:
		return VERIFY_TOO_BIG;
	case CURLE_WRITE_ERROR:
		return scan->over ? VERIFY_TOO_BIG : VERIFY_TRANSFER;
	default:
		return VERIFY_TRANSFER;
	}
}

/*
 * GET URL once with what is left of the attempt's time.  Returns
 * VERIFY_OK with the status and the redirect target (NULL, or owned by
 * the handle), or the error, recorded in R.
 */
static enum verify_error
fetch(CURL *h, const char *url, double deadline, char *errbuf,
    const struct judge_scan *scan, long *status, char **location,
    struct verify_result *r)
{
	long ms = (long)((deadline - monotonic_seconds()) * 1000);
	enum verify_error e;
	CURLcode rc;

	*status = 0;
	*location = NULL;
	if (ms < 1) {
		judge_set_error(r, VERIFY_TIMEOUT, "");
		return VERIFY_TIMEOUT;
	}
	errbuf[0] = '\0';
	if (curlapi.easy_setopt(h, CURLOPT_URL, url) != CURLE_OK ||
	    curlapi.easy_setopt(h, CURLOPT_TIMEOUT_MS, ms) != CURLE_OK ||
	    curlapi.easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms) != CURLE_OK) {
		judge_set_error(r, VERIFY_INTERNAL, "libcurl refused the URL");
		return VERIFY_INTERNAL;
	}
	if ((rc = curlapi.easy_perform(h)) != CURLE_OK) {
		e = error_kind(rc, scan);
		judge_set_error(r, e, errbuf[0] ? errbuf : curlapi.easy_strerror(rc));
		return e;
	}
	curlapi.easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
	curlapi.easy_getinfo(h, CURLINFO_REDIRECT_URL, location);
	return VERIFY_OK;
}

/* The host part of URL, lower-case as libcurl normalises it; or NULL. */
static char *
url_host(const char *url)
{
	CURLU *u = curlapi.url();
	char *host = NULL;

	if (u != NULL && curlapi.url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
		curlapi.url_get(u, CURLUPART_HOST, &host, 0);
	curlapi.url_cleanup(u);
	return host;
}

static bool
same_host(const char *a, const char *b)
{
	char *ha = url_host(a), *hb = url_host(b);
	bool same = ha != NULL && hb != NULL && strcasecmp(ha, hb) == 0;

	curlapi.free(ha);
	curlapi.free(hb);
	return same;
}

static int
http_version(CURL *h)
{
	long v = 0;

	curlapi.easy_getinfo(h, CURLINFO_HTTP_VERSION, &v);
	switch (v) {
	case CURL_HTTP_VERSION_1_0: return 10;
	case CURL_HTTP_VERSION_1_1: return 11;
	case CURL_HTTP_VERSION_2_0: return 20;
	case CURL_HTTP_VERSION_3:   return 30;
	}
	return 0;
}

/*
 * The server certificate's "Expire date" of a transfer that made a TLS
 * handshake, parsed here, in the child that holds nothing, into *EXPIRY
 * (0 when it is not in the strict form).  A transfer on a connection
 * kept from the hop before has no certificate details (libcurl gives
 * them per handshake): *EXPIRY is left as that hop's.
 */
static void
cert_expiry(CURL *h, long long *expiry)
{
	struct curl_certinfo *ci = NULL;
	const struct curl_slist *f;
	const char *date;
	long long when;

	if (curlapi.easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return;
	*expiry = 0;
	/* the first is the server's own, the chain's CAs follow */
	for (f = ci->certinfo[0]; f != NULL; f = f->next)
		if (f->data != NULL && (date = certdate_field(f->data)) != NULL &&
		    certdate_parse(date, strlen(date), &when) == 0)
			*expiry = when;
}

/* What the last response came over: its HTTP version, its certificate. */
static void
judge_connection(const struct check *c, CURL *h, long long expiry,
    struct verify_result *r)
{
	if (r->error != VERIFY_OK)
		return;
	r->http_version = http_version(h);
	judge_cert(c, expiry, (long long)time(NULL), r);
}

static bool
is_redirect(long status, const char *location)
{
	return status >= 300 && status < 400 && location != NULL;
}

/*
 * One request, and its redirects when the check says follow = true, as
 * long as they stay on the check's host.  Judges the last response into
 * R; returns false when the next hop is to be fetched from *NEXT.
 */
static bool
one_hop(const struct check *c, long status, char *location, int hop,
    struct judge_scan *scan, struct verify_result *r, char **next)
{
	if (!c->follow || !is_redirect(status, location)) {
		judge_scan_done(scan, status, r);
		if (is_redirect(status, location))
			snprintf(r->detail, sizeof(r->detail), "%s", location);
		return true;
	}
	if (hop == VERIFY_REDIRECTS_MAX) {
		judge_set_error(r, VERIFY_REDIRECTS, "");
		return true;
	}
	if (!same_host(c->url, location)) {
		judge_set_error(r, VERIFY_OFFSITE, location);
		return true;
	}
	/* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): is_redirect() above made sure location != NULL */
	if ((*next = strdup(location)) == NULL) {
		judge_set_error(r, VERIFY_INTERNAL, "out of memory");
		return true;
	}
	return false;
}

static void
attempt(const struct check *c, struct verify_result *r)
{
	char errbuf[CURL_ERROR_SIZE], *url = NULL, *location;
	double start = monotonic_seconds(), deadline = start + c->timeout;
	struct curl_slist *connect_to = NULL;
	long long expiry = 0;
	struct judge_scan scan;
	bool done = false;
	CURL *h = NULL;
	long status;
	int hop;

	memset(r, 0, sizeof(*r));
	for (hop = 0; !done; hop++) {
		if (judge_scan_begin(&scan, c) == -1) {
			judge_set_error(r, VERIFY_INTERNAL, "out of memory");
			break;
		}
		if (h == NULL && (h = new_handle(c, &scan, errbuf,
		    &connect_to)) == NULL)
			judge_set_error(r, VERIFY_INTERNAL, "libcurl refused "
			    "an option (http and https only, no proxy, TLS "
			    "verified)");
		else if (fetch(h, url ? url : c->url, deadline, errbuf, &scan,
		    &status, &location, r) == VERIFY_OK) {
			char *next = NULL;

			cert_expiry(h, &expiry);
			done = one_hop(c, status, location, hop, &scan, r, &next);
			if (done)
				judge_connection(c, h, expiry, r);
			free(url);
			url = next;
		}
		if (r->error != VERIFY_OK)
			done = true;
		judge_scan_free(&scan);
	}
	free(url);
	curlapi.easy_cleanup(h);
	curlapi.slist_free_all(connect_to);
	r->seconds = monotonic_seconds() - start;
}

/*
 * Until the check passes, `within` has passed, or the server gives a
 * definite answer (judge_not_ready): at least one attempt.  A new site
 * that answers 500 is shown to visitors for as long as this waits, so
 * only a server that is not up yet is waited for.
 */
static void
run_attempts(const struct check *c, struct verify_result *r)
{
	double start = monotonic_seconds(), pause = FIRST_PAUSE;
	int n;

	for (n = 1;; n++) {
		attempt(c, r);
		r->attempts = n;
		r->elapsed = monotonic_seconds() - start;
		if (judge_passed(r) || !judge_not_ready(r) ||
		    r->elapsed >= c->within)
			return;
		pause_for(pause < c->within - r->elapsed ? pause :
		    c->within - r->elapsed);
		pause = pause * 2 < LONGEST_PAUSE ? pause * 2 : LONGEST_PAUSE;
	}
}

/* ---- the child: prove it holds nothing, then fetch ---------------------- */

static void
send_result(const struct verify_result *r)
{
	const char *p = (const char *)r;
	size_t left = sizeof(*r);
	ssize_t n;

	while (left > 0) {
		if ((n = write(RESULT_FD, p, left)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);
		p += n;
		left -= (size_t)n;
	}
}

static void __attribute__((noreturn))
child_refuses(const char *why)
{
	struct verify_result r;

	memset(&r, 0, sizeof(r));
	judge_set_error(&r, VERIFY_INTERNAL, why);
	send_result(&r);
	_exit(0);
}

/* The result pipe becomes fd 3; every descriptor above it is closed. */
static void
keep_only_result_fd(int fd)
{
	int max, i;

	if (fd != RESULT_FD && dup2(fd, RESULT_FD) == -1)
		_exit(1);
	if (close_range(RESULT_FD + 1, ~0U, 0) == 0)
		return;
	/* kernels before 5.9: one by one, up to the limit hygiene set */
	max = (int)sysconf(_SC_OPEN_MAX);
	for (i = RESULT_FD + 1; i < (max > 0 ? max : 4096); i++)
		close(i);
}

/* /proc/self/fd lists nothing above RESULT_FD (but the listing's own). */
static bool
no_other_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	bool clean = d != NULL;

	while (clean && (e = readdir(d)) != NULL) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd > RESULT_FD && fd != dirfd(d))
			clean = false;
	}
	if (d != NULL)
		closedir(d);
	return clean;
}

static bool
listed(gid_t g, const gid_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == g)
			return true;
	return false;
}

/* The supplementary groups are WHO's (none, for the check user). */
static bool
groups_are_whos(const struct verify_identity *who)
{
	int n = getgroups(0, NULL), i;
	gid_t *now_g;
	bool same = n >= 0;

	if (!same || (now_g = calloc((size_t)n + 1, sizeof(gid_t))) == NULL)
		return false;
	if (getgroups(n, now_g) != n)
		same = false;
	for (i = 0; same && i < n; i++)
		same = now_g[i] == who->gid ||
		    listed(now_g[i], who->groups, who->ngroups);
	for (i = 0; same && (size_t)i < who->ngroups; i++)
		same = who->groups[i] == who->gid ||
		    listed(who->groups[i], now_g, (size_t)n);
	free(now_g);
	return same;
}

/* "Threads:\t1" in /proc/self/status: no thread but this one. */
static bool
single_threaded(void)
{
	char buf[8192];
	unsigned long long threads;

	return procfs_read("/proc/self/status", buf, sizeof(buf)) == 0 &&
	    procfs_status_field(buf, "Threads", 10, &threads) == 0 &&
	    threads == 1;
}

/*
 * Before anything parses a byte from the network: WHO's uid and gid
 * (the check user's) in every slot (real, effective, saved, filesystem),
 * WHO's groups (none), no capability in any set, an empty bounding set,
 * no_new_privs, not dumpable, setuid(0) refused (privilege_verify), one
 * thread, and no descriptor but 0-2 and the result pipe.
 */
static const char *
holds_something(const struct verify_identity *who)
{
	if (!no_other_fds())
		return "a descriptor other than the result pipe is open";
	if (privilege_verify(who->uid, who->gid, 0) == -1)
		return "it still holds a privilege (see above)";
	if (!groups_are_whos(who))
		return "the supplementary groups are not the check's own";
	if (!single_threaded())
		return "another thread is running";
	return NULL;
}

static void
quiet_stdio(void)
{
	int fd = open("/dev/null", O_RDWR), i;

	for (i = 0; i <= 2 && fd != -1; i++)
		if (fd != i)
			dup2(fd, i);
	if (fd > 2)
		close(fd);
}

static void __attribute__((noreturn))
child(const struct check *c, const struct verify_identity *who, int fd)
{
	struct verify_result r;
	char loaded[256];
	const char *why;

	keep_only_result_fd(fd);
	if ((why = holds_something(who)) != NULL)
		child_refuses(why);
	/* nothing of libcurl's may reach the caller's terminal */
	quiet_stdio();
	/* libcurl is loaded only here, with nothing left to misuse */
	if (curlapi_load(loaded, sizeof(loaded)) == -1)
		child_refuses(loaded);
	if (curlapi.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		child_refuses("libcurl could not be initialised");
	run_attempts(c, &r);
	curlapi.global_cleanup();
	send_result(&r);
	_exit(0);
}

/* ---- the parent: wait for the result, no longer than it may take ------- */

static int
internal(struct verify_result *r, const char *what)
{
	char why[VERIFY_TEXT_MAX];

	snprintf(why, sizeof(why), "%s: %s", what, strerror(errno));
	judge_set_error(r, VERIFY_INTERNAL, why);
	return -1;
}

/* Read the whole result by DEADLINE: 0; -1 short or failed; -2 too late. */
static int
read_result(int fd, double deadline, struct verify_result *r)
{
	char *p = (char *)r;
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(*r)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		double left = deadline - monotonic_seconds();
		int ready = left > 0 ? poll(&pfd, 1, (int)(left * 1000) + 1) : 0;

		if (ready == -1 && errno == EINTR)
			continue;
		if (ready == 0)
			return -2;
		if (ready == -1)
			return -1;
		if ((n = read(fd, p + got, sizeof(*r) - got)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* Why there is no result: the child's end, in words. */
static void
no_result(struct verify_result *r, int status, bool killed, double limit)
{
	char why[VERIFY_TEXT_MAX];

	if (killed)
		snprintf(why, sizeof(why), "the check did not finish within "
		    "%.1f s and was stopped", limit);
	else if (WIFSIGNALED(status))
		snprintf(why, sizeof(why), "the check's process died of "
		    "signal %d", WTERMSIG(status));
	else
		snprintf(why, sizeof(why), "the check's process exited %d "
		    "without a result", WEXITSTATUS(status));
	memset(r, 0, sizeof(*r));
	judge_set_error(r, VERIFY_INTERNAL, why);
}

/*
 * A check's ca_file decides whom it trusts, so only root may be able to
 * change it: root's, written by root only, in directories that are, all
 * the way up (the one safe-path walk).  The child reads it itself, with
 * the check user's rights (no group: what any user may read): a CA
 * bundle is public, and read so it can never bring the child a byte the
 * caller could not read anyway.  It is the policy's file, never one the
 * caller names.
 */
static int
ca_file_unsafe(const struct check *c, struct verify_result *r)
{
	struct safepath w = { .follow = true, .want_file = true };
	char why[512];     /* cut to fit by judge_set_error */
	int fd;

	if (c->ca_file == NULL)
		return 0;
	if ((fd = safepath_open(c->ca_file, &w)) != -1) {
		close(fd);
		return 0;
	}
	if (w.stop == SAFEPATH_UNSAFE)
		snprintf(why, sizeof(why), "ca_file: %.300s is not root's, or "
		    "others may write it; chown root and chmod go-w", w.at);
	else if (w.stop == SAFEPATH_ERRNO)
		snprintf(why, sizeof(why), "ca_file: %.300s: %s", w.at,
		    strerror(w.err));
	else
		snprintf(why, sizeof(why), "ca_file: %.300s is not a regular file "
		    "reached by a safe path", c->ca_file);
	judge_set_error(r, VERIFY_INTERNAL, why);
	return -1;
}

int
verify_check(const struct check *c, const struct verify_identity *who,
    struct verify_result *r)
{
	double limit = c->within + c->timeout + PARENT_MARGIN;
	int fds[2], status = 0, got;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (ca_file_unsafe(c, r) == -1)
		return -1;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return internal(r, "pipe");
	fflush(NULL);   /* nothing buffered may be written twice */
	if ((pid = fork()) == -1) {
		close(fds[0]);
		close(fds[1]);
		return internal(r, "fork");
	}
	if (pid == 0)
		child(c, who, fds[1]);
	close(fds[1]);
	got = read_result(fds[0], monotonic_seconds() + limit, r);
	close(fds[0]);
	if (got != 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (got != 0) {
		no_result(r, status, got == -2, limit);
		return -1;
	}
	judge_sanitize(r, c);
	return r->error == VERIFY_INTERNAL ? -1 : 0;
}
