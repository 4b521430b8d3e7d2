/*
 * fuzz_verdict.c - the libFuzzer target for what `cutover verify` makes of
 * an HTTP response (helper/verify/judge.c): the streaming judge
 * (judge_scan_*), the result's sanitizer, and the three renderers.  The
 * response is the network's, so every byte of it is hostile; the check is
 * the policy's.
 *
 * Input: a fixed header (struct head), then NUL-separated strings: the
 * check's name, url, contains, header and sha256 (the last two only when
 * they are what the policy loader lets through), the response's header
 * lines (separated by '\n'), an error or redirect text; the rest, NUL
 * bytes and all, is the body.  Mode 3 instead reads the rest as the raw
 * bytes of a struct verify_result, as a hostile check process could send
 * it through the pipe (this replaces the role of the seeded random loop
 * in tests/unit/test_verify.c).  With F_CERT the check is an https one
 * with cert_min_days, and a struct cert follows the header: the
 * certificate's expiry and the clock as verify.c would give them to
 * judge_cert(), and the HTTP version.
 *
 * Whatever the input, it checks:
 *   - the judge agrees with a reference written here from judge.h:
 *     a body over max_body is VERIFY_TOO_BIG; otherwise each difference
 *     (status, header after the last status line, contains, sha256) is
 *     set exactly when the reference finds it, and bytes, found,
 *     header_seen and the body's sha256 are right; a certificate that
 *     expires within cert_min_days is a difference, one whose expiry is
 *     not known a TLS error, the expiry recorded only when in X.509's
 *     range; so a wrong status
 *     never passes, and a right status with the text found and nothing
 *     else asked always does;
 *   - the same response fed whole and fed in input-chosen chunks (a
 *     match across chunks) gives the same result: deterministic;
 *   - a judged result is already sane: judge_sanitize leaves it
 *     as it is;
 *   - text and nagios are one printable-ASCII line ending in '\n', text
 *     "NAME OK: " or "NAME FAILED: ", nagios "CUTOVER OK|WARNING|
 *     CRITICAL|UNKNOWN: " as the result says (WARNING: only the
 *     certificate's days differ), with exactly one '|' (before the
 *     performance data) unless UNKNOWN, which has none; json is one
 *     valid JSON object on one line whose "result" says the same;
 *     judge_reason is the text line, cut to its buffer; the exit status
 *     matches;
 *   - judge_render_unknown with any reason is one printable nagios line;
 *   - the metrics (judge_render_metrics) are 18 lines (21 for https),
 *     each ending in '\n' whatever the check's name holds: six gauges
 *     (seven with the certificate's expiry), each a HELP, a TYPE and one
 *     sample, and cutover_check_up's sample ends in 1 exactly when the
 *     result passed;
 *   - served_by (the transaction's looks, as they come through the
 *     sanitizer; in the judged modes drawn from the header's error byte
 *     and the detail text): a result whose service did not serve, or
 *     could not be looked at, never passes; could-not-tell is nagios
 *     UNKNOWN and JSON "error"; what was wrong is in the text line; the
 *     metrics have cutover_check_served (3 lines more) exactly when it
 *     was asked, ending in 1 exactly when the service served.
 * A broken invariant prints what broke and calls abort().
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "helper/exitcodes.h"
#include "tests/fuzz/json_check.h"
#include "helper/verify/certdate.h"
#include "helper/verify/judge.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REASON_SIZE 256         /* what run.c gives judge_reason */

static void broken(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
broken(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("fuzz_verdict: invariant broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

#define CHECK(cond, ...) do { if (!(cond)) broken(__VA_ARGS__); } while (0)

/* ---- input -> check and response ----------------------------------------- */

/* head.flags: the mode (bits 0-1), then what the check asks for. */
#define MODE_JUDGE      0       /* judge the response */
#define MODE_REDIRECT   1       /* and add a redirect target, as verify.c does */
#define MODE_ERROR      2       /* judge, then record an error instead */
#define MODE_RAW        3       /* a raw result from the pipe, sanitized */
#define F_CONTAINS      0x04
#define F_HEADER        0x08
#define F_SHA256        0x10    /* the input's, when the loader takes it */
#define F_SHA256_RIGHT  0x20    /* the body's own */
#define F_WITHIN        0x40
#define F_CERT          0x80    /* https, cert_min_days, a struct cert */

enum { S_NAME, S_URL, S_CONTAINS, S_HEADER, S_SHA256, S_LINES, S_DETAIL,
	S_N };

struct head {
	uint8_t flags;
	uint16_t want_status, status, max_body;
	uint8_t error, chunks, attempts;
};

struct cert {
	int64_t expiry, now;
	uint16_t min_days;
	uint8_t version;
};

struct input {
	struct head h;
	struct cert cert;
	char *s[S_N];
	const uint8_t *body;        /* the rest, NUL bytes included */
	size_t blen;
	struct check c;
	char sha[SHA256_HEX_SIZE];
};

static void
take(const uint8_t **p, const uint8_t *end, void *out, size_t n)
{
	size_t have = (size_t)(end - *p) < n ? (size_t)(end - *p) : n;

	memset(out, 0, n);
	memcpy(out, *p, have);
	*p += have;
}

static void
read_strings(const uint8_t **p, const uint8_t *end, struct input *in)
{
	const uint8_t *nul;
	size_t i, len;

	for (i = 0; i < S_N; i++) {
		nul = *p < end ? memchr(*p, '\0', (size_t)(end - *p)) : NULL;
		len = *p < end ? (size_t)((nul ? nul : end) - *p) : 0;
		if ((in->s[i] = strndup((const char *)*p, len)) == NULL)
			broken("out of memory");
		*p = nul ? nul + 1 : end;
	}
}

/* What the loader lets through (load_checks.c): "Name: value", a name
 * of letters, digits, '-' and '_', and no control character. */
static bool
header_loadable(const char *h)
{
	size_t n = strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRS"
	    "TUVWXYZ0123456789-_");
	const char *p;

	if (n == 0 || h[n] != ':')
		return false;
	for (p = h; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* And a sha256 is 64 lower-case hex digits (load_checks.c lowers it). */
static bool
sha256_loadable(const char *h)
{
	return strlen(h) == 64 && strspn(h, "0123456789abcdef") == 64;
}

static void
read_check(struct input *in)
{
	struct check *c = &in->c;
	struct sha256_ctx sha;

	memset(c, 0, sizeof(*c));
	c->name = in->s[S_NAME];
	c->url = in->s[S_URL];
	c->status = in->h.want_status % 1000;
	c->contains = in->h.flags & F_CONTAINS ? in->s[S_CONTAINS] : NULL;
	if (in->h.flags & F_HEADER && header_loadable(in->s[S_HEADER]))
		c->header = in->s[S_HEADER];
	sha256_init(&sha);
	sha256_update(&sha, in->body, in->blen);
	sha256_final_hex(&sha, in->sha);
	if (in->h.flags & F_SHA256_RIGHT)
		c->sha256 = in->sha;
	else if (in->h.flags & F_SHA256 && sha256_loadable(in->s[S_SHA256]))
		c->sha256 = in->s[S_SHA256];
	c->timeout = 5.0;
	c->within = in->h.flags & F_WITHIN ? 10.0 : 0;
	c->max_body = in->h.max_body;
	if (in->h.flags & F_CERT) {
		c->url = "https://www.example.org/";
		c->cert_min_days = in->cert.min_days % 3651;
	}
}

static void
read_input(const uint8_t *data, size_t size, struct input *in)
{
	const uint8_t *p = data, *end = data + size;

	memset(in, 0, sizeof(*in));
	take(&p, end, &in->h.flags, 1);
	take(&p, end, &in->h.want_status, 2);
	take(&p, end, &in->h.status, 2);
	take(&p, end, &in->h.max_body, 2);
	take(&p, end, &in->h.error, 1);
	take(&p, end, &in->h.chunks, 1);
	take(&p, end, &in->h.attempts, 1);
	if (in->h.flags & F_CERT) {
		take(&p, end, &in->cert.expiry, 8);
		take(&p, end, &in->cert.now, 8);
		take(&p, end, &in->cert.min_days, 2);
		take(&p, end, &in->cert.version, 1);
	}
	read_strings(&p, end, in);
	in->body = p;
	in->blen = (size_t)(end - p);
	read_check(in);
}

static void
free_input(struct input *in)
{
	size_t i;

	for (i = 0; i < S_N; i++)
		free(in->s[i]);
}

/* ---- the response, fed to the judge ---------------------------------------- */

/* An exact-size copy, so that ASan sees a read past what was given. */
static char *
copy_of(const void *p, size_t len, const char *tail, size_t tlen)
{
	char *c = malloc(len + tlen ? len + tlen : 1);

	if (c == NULL)
		broken("out of memory");
	memcpy(c, p, len);
	memcpy(c + len, tail, tlen);
	return c;
}

/* Each header line as libcurl gives it: its bytes and "\r\n". */
static void
feed_headers(struct judge_scan *s, const char *lines)
{
	const char *nl;
	size_t len;
	char *line;

	for (;;) {
		nl = strchr(lines, '\n');
		len = nl ? (size_t)(nl - lines) : strlen(lines);
		line = copy_of(lines, len, "\r\n", 2);
		judge_scan_header(s, line, len + 2);
		free(line);
		if (nl == NULL)
			return;
		lines = nl + 1;
	}
}

/* The body whole (SEED 0) or in chunks of 1..SEED bytes, SEED-driven. */
static void
feed_body(struct judge_scan *s, const uint8_t *body, size_t len,
    unsigned seed)
{
	unsigned x = seed * 2654435761u + 1;
	size_t off = 0, n;
	char *chunk;

	while (off < len || (off == 0 && len == 0)) {
		n = len - off;
		if (seed != 0) {
			x = x * 1103515245u + 12345u;
			n = 1 + (x >> 16) % seed;
			n = n < len - off ? n : len - off;
		}
		chunk = copy_of(body + off, n, "", 0);
		off += n;
		if (judge_scan_body(s, chunk, n) == -1) {
			free(chunk);
			return;     /* as verify.c: the transfer stops there */
		}
		free(chunk);
		if (len == 0)
			return;
	}
}

static void
judge(const struct input *in, unsigned seed, struct verify_result *r)
{
	struct judge_scan s;

	memset(r, 0, sizeof(*r));
	CHECK(judge_scan_begin(&s, &in->c) == 0, "judge_scan_begin failed");
	feed_headers(&s, in->s[S_LINES]);
	feed_body(&s, in->body, in->blen, seed);
	judge_scan_done(&s, in->h.status % 1000, r);
	judge_scan_free(&s);
	if (in->h.flags & F_CERT) {
		static const int versions[] = { 0, 10, 11, 20, 30 };

		/* as verify.c: the version of a whole response only */
		if (r->error == VERIFY_OK)
			r->http_version = versions[in->cert.version % 5];
		judge_cert(&in->c, in->cert.expiry, in->cert.now, r);
	}
	r->attempts = 1 + in->h.attempts % 5;
	r->seconds = in->h.chunks / 100.0;
	r->elapsed = r->seconds * r->attempts;
}

/* ---- the reference ---------------------------------------------------------- */

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	    c == '\f';
}

/* "Name: value" -> name, and value without blanks around it. */
static bool
split(const char *s, size_t len, size_t *nlen, const char **v, size_t *vlen)
{
	const char *colon = memchr(s, ':', len);

	if (colon == NULL || colon == s)
		return false;
	*nlen = (size_t)(colon - s);
	*v = colon + 1;
	*vlen = len - *nlen - 1;
	for (; *vlen > 0 && blank(**v); (*v)++, (*vlen)--)
		;
	for (; *vlen > 0 && blank((*v)[*vlen - 1]); (*vlen)--)
		;
	return true;
}

static bool
same_ci(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return false;
	return true;
}

/* Has LINE the header WANT names; does its value match WANT's? */
static void
ref_header(const char *want, const char *line, size_t len, bool *seen,
    bool *ok)
{
	const char *wv, *gv;
	size_t wn, wvl, gn, gvl, k;

	if (!split(want, strlen(want), &wn, &wv, &wvl) ||
	    !split(line, len, &gn, &gv, &gvl) || gn != wn ||
	    !same_ci(want, line, wn))
		return;
	*seen = true;
	if (gvl < wvl || !same_ci(wv, gv, wvl))
		return;
	for (k = wvl; k < gvl && (gv[k] == ' ' || gv[k] == '\t'); k++)
		;
	if (k == gvl || gv[k] == ';')   /* equal, or parameters follow */
		*ok = true;
}

struct ref {
	bool over, found, seen, cert_unknown;
	unsigned diffs;
	long long expiry;
};

/* What judge_cert must make of the input's certificate. */
static void
ref_cert(const struct input *in, struct ref *e)
{
	const struct cert *k = &in->cert;
	bool sane_now = k->now >= 0 && k->now <= CERTDATE_MAX;

	if (!(in->h.flags & F_CERT))
		return;
	e->expiry = sane_now && k->expiry > 0 && k->expiry <= CERTDATE_MAX ?
	    k->expiry : 0;
	if (in->c.cert_min_days == 0)
		return;
	if (e->expiry == 0)
		e->cert_unknown = true;
	else if (e->expiry - k->now < in->c.cert_min_days * 86400LL)
		e->diffs |= VERIFY_DIFF_CERT;
}

static void
reference(const struct input *in, struct ref *e)
{
	const struct check *c = &in->c;
	const char *line = in->s[S_LINES], *nl;
	bool ok = false;
	size_t len;

	memset(e, 0, sizeof(*e));
	e->over = in->blen > (size_t)c->max_body;
	for (; c->header != NULL; line = nl + 1) {
		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (len >= 5 && memcmp(line, "HTTP/", 5) == 0)
			e->seen = ok = false;   /* a new response's headers */
		else
			ref_header(c->header, line, len, &e->seen, &ok);
		if (nl == NULL)
			break;
	}
	e->found = c->contains == NULL || memmem(in->body, in->blen,
	    c->contains, strlen(c->contains)) != NULL;
	if (in->h.status % 1000 != (unsigned)c->status)
		e->diffs |= VERIFY_DIFF_STATUS;
	if (c->header != NULL && !ok)
		e->diffs |= VERIFY_DIFF_HEADER;
	if (!e->found)
		e->diffs |= VERIFY_DIFF_CONTAINS;
	if (c->sha256 != NULL && strcmp(c->sha256, in->sha) != 0)
		e->diffs |= VERIFY_DIFF_SHA256;
	ref_cert(in, e);
}

/* ---- the checks ---------------------------------------------------------------- */

static void
check_judged(const struct input *in, const struct verify_result *r)
{
	struct ref e;

	reference(in, &e);
	if (e.over) {
		CHECK(r->error == VERIFY_TOO_BIG && r->diffs == 0, "a body of "
		    "%zu bytes, max_body %lld: error %d, diffs %u", in->blen,
		    in->c.max_body, r->error, r->diffs);
		return;
	}
	if (e.cert_unknown) {
		CHECK(r->error == VERIFY_TLS && r->diffs == 0, "cert_min_days "
		    "%d with no expiry known: error %d, diffs %u",
		    in->c.cert_min_days, r->error, r->diffs);
		return;
	}
	CHECK(r->error == VERIFY_OK, "a whole response judged error %d",
	    r->error);
	CHECK(r->cert_expiry == e.expiry && (e.expiry == 0 ||
	    r->cert_left == e.expiry - in->cert.now), "expiry %lld (left %lld), "
	    "the reference %lld", r->cert_expiry, r->cert_left, e.expiry);
	CHECK(r->diffs == e.diffs, "differences %#x, the reference finds %#x",
	    r->diffs, e.diffs);
	CHECK(r->status == (long)(in->h.status % 1000), "status %ld", r->status);
	CHECK(r->bytes == (long long)in->blen, "%lld bytes, %zu given",
	    r->bytes, in->blen);
	CHECK(!r->found == !e.found && !r->header_seen == !e.seen,
	    "found %d (reference %d), header seen %d (reference %d)",
	    r->found, e.found, r->header_seen, e.seen);
	CHECK(strcmp(r->sha256, in->sha) == 0, "sha256 %s, of the body %s",
	    r->sha256, in->sha);
	CHECK(judge_passed(r) == (e.diffs == 0), "passed %d with "
	    "differences %#x", judge_passed(r), e.diffs);
}

static bool
same_result(const struct verify_result *a, const struct verify_result *b,
    bool whole)
{
	if (memcmp(&a->served, &b->served, sizeof(a->served)) != 0)
		return false;
	if (a->error != b->error || a->diffs != b->diffs ||
	    a->status != b->status || a->attempts != b->attempts ||
	    a->http_version != b->http_version ||
	    a->cert_expiry != b->cert_expiry || a->cert_left != b->cert_left)
		return false;
	/* of a body cut short, what arrived depends on the chunks */
	return !whole || (a->bytes == b->bytes && a->found == b->found &&
	    a->header_seen == b->header_seen &&
	    strcmp(a->sha256, b->sha256) == 0 &&
	    strcmp(a->header_got, b->header_got) == 0 &&
	    strcmp(a->detail, b->detail) == 0);
}

/* One line: printable ASCII, '\n' only at its end. */
static void
check_line(const struct strbuf *sb, const char *what)
{
	size_t i;

	CHECK(!sb_failed(sb) && sb->len > 0 && sb->s[sb->len - 1] == '\n' &&
	    strlen(sb->s) == sb->len, "%s: not one line", what);
	for (i = 0; i + 1 < sb->len; i++)
		CHECK(sb->s[i] >= 0x20 && sb->s[i] < 0x7f, "%s: byte 0x%02x at "
		    "%zu: %s", what, (unsigned char)sb->s[i], i, sb->s);
}

/* Who served could not be told, or the check could not run at all. */
static bool
unknown(const struct verify_result *r)
{
	return r->error == VERIFY_INTERNAL || r->served.state == SERVED_UNKNOWN;
}

static bool
not_served(const struct verify_result *r)
{
	return r->served.state != SERVED_UNASKED &&
	    r->served.state != SERVED_BY;
}

static void
check_nagios(const struct strbuf *sb, const struct verify_result *r)
{
	bool warning = r->error == VERIFY_OK && r->diffs == VERIFY_DIFF_CERT &&
	    r->attempts > 0 && r->cert_left >= 0 && !not_served(r);
	const char *word = judge_passed(r) ? "CUTOVER OK: " :
	    warning ? "CUTOVER WARNING: " :
	    unknown(r) ? "CUTOVER UNKNOWN: " : "CUTOVER CRITICAL: ";
	size_t bars = 0;
	const char *p;

	check_line(sb, "nagios");
	CHECK(strncmp(sb->s, word, strlen(word)) == 0, "nagios: \"%s\" does "
	    "not start with \"%s\"", sb->s, word);
	for (p = sb->s; *p != '\0'; p++)
		bars += *p == '|';
	CHECK(bars == (r->error == VERIFY_INTERNAL ? 0u : 1u), "nagios: %zu "
	    "'|' in %s", bars, sb->s);
	CHECK(judge_exit_status(r, FORMAT_NAGIOS) == (judge_passed(r) ? 0 :
	    warning ? 1 : unknown(r) ? 3 : 2),
	    "nagios exit status");
}

static void
check_json(const struct strbuf *sb, const struct verify_result *r)
{
	const char *why = NULL, *result = judge_passed(r) ? "ok" :
	    judge_warning(r) ? "warning" : unknown(r) ? "error" : "failed";
	char want[64];
	size_t where = 0;

	CHECK(!sb_failed(sb) && sb->len > 0 && strlen(sb->s) == sb->len &&
	    strchr(sb->s, '\n') == sb->s + sb->len - 1, "json: not one line");
	CHECK(json_check(sb->s, sb->len, &where, &why) && sb->s[0] == '{',
	    "json: not one valid object: %s expected at %zu: %s",
	    why ? why : "?", where, sb->s);
	snprintf(want, sizeof(want), ",\"result\":\"%s\",", result);
	CHECK(strstr(sb->s, want) != NULL, "json: no %s in %s", want, sb->s);
}

static void
check_metrics(const struct check *c, const struct verify_result *r)
{
	struct strbuf m = STRBUF_INIT;
	const char *line, *end;
	size_t lines = 0, ups = 0, serveds = 0;
	bool https;

	judge_render_metrics(c, r, 1e9, &m);
	CHECK(!sb_failed(&m) && m.len > 0 && m.s[m.len - 1] == '\n',
	    "metrics: not whole lines");
	for (line = m.s; *line != '\0'; line = end + 1) {
		end = strchr(line, '\n');
		lines++;
		if (strncmp(line, "cutover_check_up{", 17) == 0) {
			ups++;
			CHECK(end - line > 2 && end[-2] == ' ' &&
			    end[-1] == (judge_passed(r) ? '1' : '0'),
			    "metrics: up is not %d: %.*s", judge_passed(r),
			    (int)(end - line), line);
		}
		if (strncmp(line, "cutover_check_served{", 21) == 0) {
			serveds++;
			CHECK(end - line > 2 && end[-2] == ' ' &&
			    end[-1] == (r->served.state == SERVED_BY ? '1' : '0'),
			    "metrics: served is not %d: %.*s",
			    r->served.state == SERVED_BY, (int)(end - line), line);
		}
	}
	https = strncmp(c->url, "https://", 8) == 0;
	CHECK(lines == (https ? 21u : 18u) + (r->served.state ? 3u : 0u) &&
	    ups == 1 && serveds == (r->served.state ? 1u : 0u), "metrics: %zu "
	    "lines, %zu up samples, %zu served samples", lines, ups, serveds);
	sb_free(&m);
}

static void
check_renders(const struct check *c, const struct verify_result *r)
{
	struct strbuf text = STRBUF_INIT, nagios = STRBUF_INIT;
	struct strbuf json = STRBUF_INIT, name = STRBUF_INIT;
	char reason[REASON_SIZE];

	judge_render(c, r, FORMAT_TEXT, &text);
	judge_render(c, r, FORMAT_NAGIOS, &nagios);
	judge_render(c, r, FORMAT_JSON, &json);
	check_line(&text, "text");
	CHECK(!not_served(r) || !judge_passed(r), "served %d, and passed",
	    r->served.state);
	CHECK(!not_served(r) || r->served.detail[0] == '\0' ||
	    strstr(text.s, r->served.detail) != NULL, "text: \"%s\" does not "
	    "say what was wrong: %s", text.s, r->served.detail);
	sb_printable(&name, c->name);
	sb_puts(&name, judge_passed(r) ? " OK: " : " FAILED: ");
	CHECK(strncmp(text.s, sb_str(&name), name.len) == 0, "text: \"%s\" "
	    "does not start with \"%s\"", text.s, sb_str(&name));
	check_nagios(&nagios, r);
	check_json(&json, r);
	check_metrics(c, r);
	judge_reason(c, r, reason, sizeof(reason));
	CHECK(strlen(reason) == (text.len - 1 < sizeof(reason) ? text.len - 1 :
	    sizeof(reason) - 1) && strncmp(reason, text.s, strlen(reason)) == 0,
	    "judge_reason \"%s\" is not the text line, cut", reason);
	CHECK(judge_exit_status(r, FORMAT_TEXT) == (judge_passed(r) ?
	    EXIT_DONE : EXIT_FAILED) && judge_exit_status(r, FORMAT_JSON) ==
	    judge_exit_status(r, FORMAT_TEXT), "exit status");
	sb_free(&text);
	sb_free(&nagios);
	sb_free(&json);
	sb_free(&name);
}

/* MODE_RAW: whatever the pipe brings, once sanitized, renders safely. */
static void
check_raw(const struct input *in)
{
	struct verify_result r, again;

	memset(&r, 0, sizeof(r));
	memcpy(&r, in->body, in->blen < sizeof(r) ? in->blen : sizeof(r));
	judge_sanitize(&r, &in->c);
	again = r;
	judge_sanitize(&again, &in->c);
	CHECK(same_result(&r, &again, true), "sanitizing twice changes it");
	check_renders(&in->c, &r);
}

/* served_by from the input: any state, the detail's bytes as every text. */
static void
add_served(const struct input *in, struct verify_result *r)
{
	struct verify_served *v = &r->served;
	const char *t = in->s[S_DETAIL];

	memset(v, 0, sizeof(*v));
	v->state = (in->h.error >> 4) % (SERVED_LAST + 2);     /* one bad */
	v->port = in->h.want_status;
	v->pid = in->h.chunks;
	snprintf(v->service, sizeof(v->service), "%s", in->h.error & 0x08 ?
	    t : "nginx");
	snprintf(v->user, sizeof(v->user), "%s", t);
	snprintf(v->exe, sizeof(v->exe), "%s", t);
	snprintf(v->detail, sizeof(v->detail), "%s", t);
}

/* judge_render_unknown, with the detail as the reason. */
static void
check_unknown(const char *reason)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	judge_render_unknown(reason, &sb);
	check_line(&sb, "unknown");
	CHECK(strncmp(sb.s, "CUTOVER UNKNOWN: ", 17) == 0, "unknown: %s", sb.s);
	for (p = sb.s; *p != '\0'; p++)
		CHECK(*p != '|', "unknown: a '|' in %s", sb.s);
	sb_free(&sb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct input in;
	struct verify_result whole, chunked, clean;
	int mode;

	read_input(data, size, &in);
	mode = in.h.flags & 3;
	check_unknown(in.s[S_DETAIL]);
	if (mode == MODE_RAW) {
		check_raw(&in);
		free_input(&in);
		return 0;
	}
	judge(&in, 0, &whole);
	judge(&in, in.h.chunks, &chunked);
	CHECK(same_result(&whole, &chunked, whole.error == VERIFY_OK),
	    "fed whole and in chunks of up to %u, the results differ",
	    in.h.chunks);
	check_judged(&in, &whole);
	if (mode == MODE_REDIRECT && whole.error == VERIFY_OK)
		snprintf(whole.detail, sizeof(whole.detail), "%s",
		    in.s[S_DETAIL]);
	else if (mode == MODE_ERROR)
		judge_set_error(&whole, 1 + in.h.error % VERIFY_ERROR_LAST,
		    in.s[S_DETAIL]);
	clean = whole;
	judge_sanitize(&clean, &in.c);
	CHECK(same_result(&whole, &clean, true) && clean.seconds ==
	    whole.seconds && clean.elapsed == whole.elapsed,
	    "judge_sanitize changed a judged result");
	check_renders(&in.c, &whole);
	/* and as the transaction's looks would have it */
	add_served(&in, &whole);
	judge_sanitize(&whole, &in.c);
	check_renders(&in.c, &whole);
	free_input(&in);
	return 0;
}
