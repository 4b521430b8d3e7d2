/*
 * judge.c - judging a response against a check, and the three ways of
 * saying what came of it.  Pure (see judge.h): everything a response
 * carries is untrusted, and is only ever shown escaped.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "helper/exitcodes.h"
#include "helper/verify/certdate.h"
#include "helper/verify/judge.h"

/* Shown of a hash that differs: enough to tell, short enough for a line. */
#define HASH_SHOWN 12

#define DAY 86400LL

static bool
served_ok(const struct verify_result *r)
{
	return r->served.state == SERVED_UNASKED || r->served.state == SERVED_BY;
}

bool
judge_passed(const struct verify_result *r)
{
	return r->error == VERIFY_OK && r->diffs == 0 && r->attempts > 0 &&
	    served_ok(r);
}

bool
judge_warning(const struct verify_result *r)
{
	return r->error == VERIFY_OK && r->diffs == VERIFY_DIFF_CERT &&
	    r->attempts > 0 && r->cert_left >= 0 && served_ok(r);
}

bool
judge_unknown(const struct verify_result *r)
{
	return r->error == VERIFY_INTERNAL ||
	    r->served.state == SERVED_UNKNOWN;
}

bool
judge_not_ready(const struct verify_result *r)
{
	switch (r->error) {
	case VERIFY_TIMEOUT:
	case VERIFY_CONNECT:
	case VERIFY_RESET:
		return true;
	case VERIFY_OK:
		return (r->diffs & VERIFY_DIFF_STATUS) && (r->status == 502 ||
		    r->status == 503 || r->status == 504);
	default:
		return false;
	}
}

void
judge_cert(const struct check *c, long long expiry, long long now,
    struct verify_result *r)
{
	if (r->error != VERIFY_OK)
		return;
	/* a clock outside X.509's years tells no days left */
	if (now < 0 || now > CERTDATE_MAX)
		expiry = 0;
	r->cert_expiry = expiry > 0 && expiry <= CERTDATE_MAX ? expiry : 0;
	r->cert_left = r->cert_expiry ? r->cert_expiry - now : 0;
	if (c->cert_min_days <= 0)
		return;
	if (r->cert_expiry == 0) {
		/* asked, and not known: fail closed */
		judge_set_error(r, VERIFY_TLS, "the certificate's expiry date "
		    "is not known (libcurl gave none, or not in the form "
		    "\"Dec 27 14:06:12 2026 GMT\")");
		return;
	}
	if (r->cert_left < c->cert_min_days * DAY)
		r->diffs |= VERIFY_DIFF_CERT;
}

void
judge_set_error(struct verify_result *r, enum verify_error e,
    const char *text)
{
	r->error = (int)e;
	r->diffs = 0;
	snprintf(r->detail, sizeof(r->detail), "%s", text ? text : "");
}

static bool
is_hash(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isdigit((unsigned char)s[i]) && (s[i] < 'a' || s[i] > 'f'))
			return false;
	return i == 64;
}

static double
sane_seconds(double s)
{
	return isfinite(s) && s >= 0 && s < 1e7 ? s : 0;
}

/* The differences C can give rise to: the status, and what C asks for. */
static unsigned
possible_diffs(const struct check *c)
{
	return VERIFY_DIFF_STATUS | (c->header ? VERIFY_DIFF_HEADER : 0) |
	    (c->contains ? VERIFY_DIFF_CONTAINS : 0) |
	    (c->sha256 ? VERIFY_DIFF_SHA256 : 0) |
	    (c->cert_min_days > 0 ? VERIFY_DIFF_CERT : 0);
}

static bool
is_https(const struct check *c)
{
	return strncmp(c->url, "https://", 8) == 0;
}

static bool
known_version(int v)
{
	return v == 10 || v == 11 || v == 20 || v == 30;
}

/* Printable ASCII, terminated: an exe's path is anyone's choosing. */
static void
printable_field(char *s, size_t size)
{
	size_t i;

	s[size - 1] = '\0';
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			s[i] = '?';
}

static void
sanitize_served(struct verify_served *v)
{
	printable_field(v->service, sizeof(v->service));
	printable_field(v->user, sizeof(v->user));
	printable_field(v->exe, sizeof(v->exe));
	printable_field(v->detail, sizeof(v->detail));
	if (v->state < SERVED_UNASKED || v->state > SERVED_LAST ||
	    (v->state != SERVED_UNASKED && v->service[0] == '\0')) {
		v->state = SERVED_UNKNOWN;
		snprintf(v->detail, sizeof(v->detail), "the look at the "
		    "port's holders came back malformed");
	}
	if (v->state == SERVED_UNASKED)
		memset(v, 0, sizeof(*v));
	if (v->port < 0 || v->port > 65535)
		v->port = 0;
	if (v->pid < 0)
		v->pid = 0;
	if (v->state == SERVED_BY && v->pid == 0) {
		v->state = SERVED_UNKNOWN;
		snprintf(v->detail, sizeof(v->detail), "the look at the "
		    "port's holders named no process");
	}
}

void
judge_sanitize(struct verify_result *r, const struct check *c)
{
	sanitize_served(&r->served);
	r->sha256[sizeof(r->sha256) - 1] = '\0';
	r->header_got[sizeof(r->header_got) - 1] = '\0';
	r->detail[sizeof(r->detail) - 1] = '\0';
	if (r->error < VERIFY_OK || r->error > VERIFY_ERROR_LAST)
		judge_set_error(r, VERIFY_INTERNAL, "the check's process "
		    "sent a malformed result");
	/*
	 * A difference the check cannot have (contains, with no contains
	 * asked) is a lie, and the renderers would describe it from a NULL:
	 * fail closed.
	 */
	if (r->error == VERIFY_OK && (r->diffs & ~possible_diffs(c)) != 0)
		judge_set_error(r, VERIFY_INTERNAL, "the check's process "
		    "sent a malformed result");
	r->diffs &= VERIFY_DIFF_ALL;
	if (r->attempts < 0 || r->attempts > 1000000)
		r->attempts = 0;
	if (r->status < 0 || r->status > 999)
		r->status = 0;
	if (r->bytes < 0)
		r->bytes = 0;
	r->seconds = sane_seconds(r->seconds);
	r->elapsed = sane_seconds(r->elapsed);
	r->found = r->found != 0;
	r->header_seen = r->header_seen != 0;
	if (r->sha256[0] != '\0' && !is_hash(r->sha256))
		r->sha256[0] = '\0';
	if (!known_version(r->http_version))
		r->http_version = 0;
	/* a certificate only over https; and then its date in X.509's range,
	 * and within one such range of now */
	if (!is_https(c) || r->cert_expiry <= 0 || r->cert_expiry > CERTDATE_MAX ||
	    r->cert_left < -CERTDATE_MAX || r->cert_left > CERTDATE_MAX)
		r->cert_expiry = r->cert_left = 0;
	if (r->error == VERIFY_OK && (r->diffs & VERIFY_DIFF_CERT) &&
	    r->cert_expiry == 0)
		judge_set_error(r, VERIFY_INTERNAL, "the check's process "
		    "sent a malformed result");
}

/* ---- judging ------------------------------------------------------------ */

int
judge_scan_begin(struct judge_scan *s, const struct check *c)
{
	memset(s, 0, sizeof(*s));
	s->check = c;
	sha256_init(&s->sha);
	s->needle_len = c->contains ? strlen(c->contains) : 0;
	s->found = s->needle_len == 0;
	if (s->needle_len > 1) {
		s->carry = malloc(s->needle_len - 1);
		s->window = malloc(2 * (s->needle_len - 1));
		if (s->carry == NULL || s->window == NULL) {
			judge_scan_free(s);
			return -1;
		}
	}
	return 0;
}

void
judge_scan_free(struct judge_scan *s)
{
	free(s->carry);
	free(s->window);
	s->carry = s->window = NULL;
}

/* Keep the last (n - 1) bytes of everything seen so far. */
static void
keep_tail(struct judge_scan *s, const char *p, size_t len)
{
	size_t keep = s->needle_len - 1, drop;

	if (len >= keep) {
		memcpy(s->carry, p + len - keep, keep);
		s->ncarry = keep;
		return;
	}
	drop = s->ncarry + len > keep ? s->ncarry + len - keep : 0;
	memmove(s->carry, s->carry + drop, s->ncarry - drop);
	memcpy(s->carry + s->ncarry - drop, p, len);
	s->ncarry = s->ncarry - drop + len;
}

static void
search(struct judge_scan *s, const char *p, size_t len)
{
	const char *needle = s->check->contains;
	size_t n = s->needle_len, take;

	/* a match that starts in the previous chunk ends in this one's
	 * first n - 1 bytes */
	if (s->ncarry > 0) {
		take = len < n - 1 ? len : n - 1;
		memcpy(s->window, s->carry, s->ncarry);
		memcpy(s->window + s->ncarry, p, take);
		if (memmem(s->window, s->ncarry + take, needle, n) != NULL) {
			s->found = true;
			return;
		}
	}
	if (memmem(p, len, needle, n) != NULL) {
		s->found = true;
		return;
	}
	if (n > 1)
		keep_tail(s, p, len);
}

int
judge_scan_body(struct judge_scan *s, const void *data, size_t len)
{
	if (s->over || len > (unsigned long long)(s->check->max_body - s->bytes)) {
		s->over = true;
		return -1;
	}
	s->bytes += (long long)len;
	sha256_update(&s->sha, data, len);
	if (!s->found && len > 0)
		search(s, data, len);
	return 0;
}

/* "Name: value" -> name and value, the value without surrounding blanks. */
static bool
split_header(const char *s, size_t len, const char **name, size_t *nlen,
    const char **value, size_t *vlen)
{
	const char *colon = memchr(s, ':', len), *end = s + len;

	if (colon == NULL || colon == s)
		return false;
	*name = s;
	*nlen = (size_t)(colon - s);
	for (s = colon + 1; s < end && isspace((unsigned char)*s); s++)
		;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*value = s;
	*vlen = (size_t)(end - s);
	return true;
}

/* GOT is WANT, or WANT followed by ";" and parameters (media types). */
static bool
value_matches(const char *want, size_t wlen, const char *got, size_t glen)
{
	if (glen < wlen || strncasecmp(got, want, wlen) != 0)
		return false;
	for (got += wlen, glen -= wlen; glen > 0 && (*got == ' ' ||
	    *got == '\t'); got++, glen--)
		;
	return glen == 0 || *got == ';';
}

bool
judge_header_matches(const char *want, const char *line, size_t len)
{
	const char *wn, *wv, *gn, *gv;
	size_t wnl, wvl, gnl, gvl;

	if (!split_header(want, strlen(want), &wn, &wnl, &wv, &wvl) ||
	    !split_header(line, len, &gn, &gnl, &gv, &gvl))
		return false;
	return wnl == gnl && strncasecmp(wn, gn, wnl) == 0 &&
	    value_matches(wv, wvl, gv, gvl);
}

static bool
same_name(const char *want, const char *line, size_t len)
{
	size_t n = strcspn(want, ":");

	return len > n && line[n] == ':' && strncasecmp(want, line, n) == 0;
}

void
judge_scan_header(struct judge_scan *s, const char *line, size_t len)
{
	const char *want = s->check->header, *name, *value;
	size_t nlen, vlen;

	if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
		/* a new response (after 1xx): only its own headers count */
		s->header_seen = s->header_ok = false;
		s->header_got[0] = '\0';
		return;
	}
	if (want == NULL || !same_name(want, line, len))
		return;
	s->header_seen = true;
	if (judge_header_matches(want, line, len))
		s->header_ok = true;
	else if (s->header_got[0] == '\0' &&
	    split_header(line, len, &name, &nlen, &value, &vlen))
		snprintf(s->header_got, sizeof(s->header_got), "%.*s",
		    (int)(vlen < sizeof(s->header_got) ? vlen :
		    sizeof(s->header_got) - 1), value);
}

void
judge_scan_done(struct judge_scan *s, long status, struct verify_result *r)
{
	const struct check *c = s->check;

	r->error = VERIFY_OK;
	r->diffs = 0;
	/* who served is the transaction's look's to say, never a response's */
	memset(&r->served, 0, sizeof(r->served));
	r->status = status;
	r->bytes = s->bytes;
	sha256_final_hex(&s->sha, r->sha256);
	r->found = s->found;
	r->header_seen = s->header_seen;
	snprintf(r->header_got, sizeof(r->header_got), "%s", s->header_got);
	if (s->over) {
		judge_set_error(r, VERIFY_TOO_BIG, "");
		return;
	}
	if (status != c->status)
		r->diffs |= VERIFY_DIFF_STATUS;
	if (c->header != NULL && !s->header_ok)
		r->diffs |= VERIFY_DIFF_HEADER;
	if (c->contains != NULL && !s->found)
		r->diffs |= VERIFY_DIFF_CONTAINS;
	if (c->sha256 != NULL && strcmp(r->sha256, c->sha256) != 0)
		r->diffs |= VERIFY_DIFF_SHA256;
}

/* ---- saying it ------------------------------------------------------------ */

static void
put_duration(struct strbuf *sb, double seconds)
{
	if (seconds < 1.0)
		sb_printf(sb, "%.0f ms", seconds * 1000);
	else
		sb_printf(sb, "%.1f s", seconds);
}

/* The header's name as the check writes it: "Content-Type". */
static void
put_header_name(struct strbuf *sb, const char *header)
{
	char name[POLICY_NAME_MAX + 1];

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(header, ":"), header);
	sb_printable(sb, name);
}

/* The value the check wants: "text/html" of "Content-Type: text/html". */
static const char *
header_value(const char *header)
{
	const char *v = header + strcspn(header, ":");

	if (*v == ':')
		v++;
	return v + strspn(v, " \t");
}

static void
put_quoted(struct strbuf *sb, const char *s)
{
	sb_puts(sb, "\"");
	sb_printable(sb, s);
	sb_puts(sb, "\"");
}

static void
put_hash(struct strbuf *sb, const char *hex)
{
	sb_printf(sb, "%.*s...", HASH_SHOWN, hex);
}

static const char *
version_name(int v)
{
	switch (v) {
	case 10: return "HTTP/1.0";
	case 11: return "HTTP/1.1";
	case 20: return "HTTP/2";
	case 30: return "HTTP/3";
	}
	return NULL;
}

/* Whole days left, rounded down (a certificate 1 s past is -1 day). */
static long long
days_left(const struct verify_result *r)
{
	return r->cert_left >= 0 ? r->cert_left / DAY :
	    -((-r->cert_left + DAY - 1) / DAY);
}

/* "2027-03-01"; "?" for a date gmtime cannot say (none in range). */
static void
put_date(struct strbuf *sb, long long epoch, bool with_time)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL) {
		sb_puts(sb, "?");
		return;
	}
	sb_printf(sb, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday);
	if (with_time)
		sb_printf(sb, "T%02d:%02d:%02dZ", tm.tm_hour, tm.tm_min,
		    tm.tm_sec);
}

/* "certificate expires 2027-03-01 (83 days)" */
static void
put_cert(struct strbuf *sb, const struct verify_result *r)
{
	long long days = days_left(r);

	sb_puts(sb, "certificate expires ");
	put_date(sb, r->cert_expiry, false);
	sb_printf(sb, " (%lld day%s)", days, days == 1 || days == -1 ? "" : "s");
}

/* ", HTTP/2, certificate expires ..." of the last response, if known. */
static void
put_protocol(struct strbuf *sb, const struct verify_result *r)
{
	if (version_name(r->http_version) != NULL)
		sb_printf(sb, ", %s", version_name(r->http_version));
	if (r->cert_expiry > 0) {
		sb_puts(sb, ", ");
		put_cert(sb, r);
	}
}

/* The differences of a response that arrived whole. */
static void
put_diffs(struct strbuf *sb, const struct check *c,
    const struct verify_result *r)
{
	const char *sep = "";

	if (r->diffs & VERIFY_DIFF_STATUS) {
		/* the rest says little about an error page */
		sb_printf(sb, "status %ld, expected %d", r->status, c->status);
		if (r->detail[0] != '\0') {
			sb_puts(sb, " (redirect to ");
			sb_printable(sb, r->detail);
			sb_puts(sb, ", not followed: follow is off)");
		}
		return;
	}
	if (r->diffs & VERIFY_DIFF_HEADER) {
		sb_puts(sb, r->header_seen ? "header " : "no header ");
		put_header_name(sb, c->header);
		if (r->header_seen) {
			sb_puts(sb, ": ");
			put_quoted(sb, r->header_got);
			sb_puts(sb, ", expected ");
			put_quoted(sb, header_value(c->header));
		}
		sep = "; ";
	}
	if (r->diffs & VERIFY_DIFF_CONTAINS) {
		sb_puts(sb, sep);
		put_quoted(sb, c->contains);
		sb_printf(sb, " not found in %lld bytes", r->bytes);
		sep = "; ";
	}
	if (r->diffs & VERIFY_DIFF_SHA256) {
		sb_printf(sb, "%ssha256 ", sep);
		put_hash(sb, r->sha256);
		sb_puts(sb, ", expected ");
		put_hash(sb, c->sha256);
		sep = "; ";
	}
	if (r->diffs & VERIFY_DIFF_CERT) {
		sb_puts(sb, sep);
		put_cert(sb, r);
		sb_printf(sb, ", cert_min_days is %d", c->cert_min_days);
	}
}

static void
put_error(struct strbuf *sb, const struct check *c,
    const struct verify_result *r)
{
	static const char *const what[] = {
		[VERIFY_CONNECT] = "cannot connect: ",
		[VERIFY_TLS] = "TLS failed: ",
		[VERIFY_OFFSITE] = "redirect to another host, not followed: ",
		[VERIFY_TRANSFER] = "transfer failed: ",
		[VERIFY_RESET] = "connection reset: ",
		[VERIFY_INTERNAL] = "could not run the check: ",
	};

	switch (r->error) {
	case VERIFY_TIMEOUT:
		sb_printf(sb, "no response within %.1f s", c->timeout);
		return;
	case VERIFY_TOO_BIG:
		sb_printf(sb, "body larger than %lld bytes", c->max_body);
		return;
	case VERIFY_REDIRECTS:
		sb_printf(sb, "more than %d redirects", VERIFY_REDIRECTS_MAX);
		return;
	default:
		sb_puts(sb, what[r->error] ? what[r->error] : "failed: ");
		sb_printable(sb, r->detail[0] ? r->detail : "(no reason given)");
	}
}

/* ", served by nginx (pid 123, user www-data)", when it was asked. */
static void
put_served_by(struct strbuf *sb, const struct verify_result *r)
{
	if (r->served.state != SERVED_BY)
		return;
	sb_puts(sb, ", served by ");
	sb_printable(sb, r->served.service);
	sb_printf(sb, " (pid %d, user ", r->served.pid);
	sb_printable(sb, r->served.user);
	sb_puts(sb, ")");
}

/* What a passed check found: "200, 5123 bytes, 3 ms, ..." */
static void
put_passed(struct strbuf *sb, const struct check *c,
    const struct verify_result *r)
{
	sb_printf(sb, "%ld, %lld bytes, ", r->status, r->bytes);
	put_duration(sb, r->seconds);
	if (c->contains != NULL) {
		sb_puts(sb, ", ");
		put_quoted(sb, c->contains);
		sb_puts(sb, " found");
	}
	if (c->sha256 != NULL)
		sb_puts(sb, ", sha256 matches");
	if (c->header != NULL) {
		sb_puts(sb, ", header ");
		put_header_name(sb, c->header);
		sb_puts(sb, " matches");
	}
	put_protocol(sb, r);
	if (r->attempts > 1)
		sb_printf(sb, ", after %d attempts in %.1f s", r->attempts,
		    r->elapsed);
	put_served_by(sb, r);
}

/* What went wrong, and for how long it was tried. */
static void
put_failed(struct strbuf *sb, const struct check *c,
    const struct verify_result *r)
{
	if (!served_ok(r)) {
		/* who answered first: the rest was an impostor's answer */
		sb_printable(sb, r->served.detail[0] ? r->served.detail :
		    "who served could not be told");
		if (r->error == VERIFY_OK && r->diffs == 0)
			return;
		sb_puts(sb, "; and ");
	}
	if (r->error != VERIFY_OK)
		put_error(sb, c, r);
	else
		put_diffs(sb, c, r);
	put_served_by(sb, r);
	if (c->within <= 0 || r->attempts <= 0 || r->error == VERIFY_INTERNAL)
		return;
	/* within waits for a server that is not ready, not for a wrong one */
	sb_printf(sb, " (%s after %d attempt%s in %.1f s%s)",
	    judge_not_ready(r) ? "timed out" : "a definite answer",
	    r->attempts, r->attempts == 1 ? "" : "s", r->elapsed,
	    judge_not_ready(r) ? "" : "; not retried");
}

static void
put_description(struct strbuf *sb, const struct check *c,
    const struct verify_result *r)
{
	if (judge_passed(r))
		put_passed(sb, c, r);
	else
		put_failed(sb, c, r);
}

static void
render_text(const struct check *c, const struct verify_result *r,
    struct strbuf *out)
{
	sb_printable(out, c->name);
	sb_puts(out, judge_passed(r) ? " OK: " : " FAILED: ");
	put_description(out, c, r);
}

/* Printable text with '|' escaped: it would start the performance data. */
static void
put_nagios_text(struct strbuf *out, const char *printable)
{
	const char *p;

	for (p = printable; *p != '\0'; p++)
		if (*p == '|')
			sb_puts(out, "\\x7c");
		else
			sb_append(out, p, 1);
}

/*
 * WARNING only when the certificate expires within cert_min_days and all
 * else is right: a date to act on, not an outage; CRITICAL for every
 * other failure, an expired or untrusted certificate included (TLS
 * verification fails then).
 */
static const char *
nagios_word(const struct verify_result *r)
{
	if (judge_passed(r))
		return "CUTOVER OK: ";
	if (judge_warning(r))
		return "CUTOVER WARNING: ";
	return judge_unknown(r) ? "CUTOVER UNKNOWN: " : "CUTOVER CRITICAL: ";
}

static void
render_nagios(const struct check *c, const struct verify_result *r,
    struct strbuf *out)
{
	struct strbuf text = STRBUF_INIT;

	/* the URL too: the line is what a monitoring system's alert quotes */
	sb_printable(&text, c->name);
	sb_puts(&text, " ");
	sb_printable(&text, c->url);
	sb_puts(&text, " - ");
	if (judge_passed(r)) {
		sb_printf(&text, "%ld, %lld bytes in %.3f s", r->status,
		    r->bytes, r->seconds);
		put_protocol(&text, r);
		put_served_by(&text, r);
	} else {
		put_failed(&text, c, r);
	}
	sb_puts(out, nagios_word(r));
	put_nagios_text(out, sb_str(&text));
	if (sb_failed(&text))
		sb_puts(out, "(out of memory)");
	sb_free(&text);
	if (r->error == VERIFY_INTERNAL)
		return;
	sb_printf(out, "|time=%.3fs;;;0 size=%lldB;;;0", r->seconds, r->bytes);
	if (r->cert_expiry > 0)
		sb_printf(out, " cert_days=%lld;%d:;0:;", days_left(r),
		    c->cert_min_days);
}

/* A label value of Prometheus' text format: \\, \" and \n escaped. */
static void
put_label_value(struct strbuf *out, const char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\\' || *s == '"')
			sb_printf(out, "\\%c", *s);
		else if (*s == '\n')
			sb_puts(out, "\\n");
		else
			sb_append(out, s, 1);
}

static void
put_metric(struct strbuf *out, const struct check *c, const char *name,
    const char *help, const char *value)
{
	sb_printf(out, "# HELP cutover_check_%s %s\n", name, help);
	sb_printf(out, "# TYPE cutover_check_%s gauge\n", name);
	sb_printf(out, "cutover_check_%s{check=\"", name);
	put_label_value(out, c->name);
	sb_printf(out, "\"} %s\n", value);
}

/*
 * cutover_check_served{check,service,pid,user,exe}: 1 when the service
 * alone served the port, 0 when not (pid, user and exe then name who
 * did, "" when no one could be named).  No series when not asked.
 */
static void
put_served_metric(struct strbuf *out, const struct check *c,
    const struct verify_served *v)
{
	if (v->state == SERVED_UNASKED)
		return;
	sb_puts(out, "# HELP cutover_check_served 1 if every listening socket "
	    "of the check's port was held by the service named (served_by) "
	    "and nothing else, before and after the request; pid, user and "
	    "exe name who held it.\n# TYPE cutover_check_served gauge\n"
	    "cutover_check_served{check=\"");
	put_label_value(out, c->name);
	sb_puts(out, "\",service=\"");
	put_label_value(out, v->service);
	if (v->pid > 0)
		sb_printf(out, "\",pid=\"%d", v->pid);
	else
		sb_puts(out, "\",pid=\"");
	sb_puts(out, "\",user=\"");
	put_label_value(out, v->pid > 0 ? v->user : "");
	sb_puts(out, "\",exe=\"");
	put_label_value(out, v->pid > 0 ? v->exe : "");
	sb_printf(out, "\"} %d\n", v->state == SERVED_BY);
}

void
judge_render_metrics(const struct check *c, const struct verify_result *r,
    double when, struct strbuf *out)
{
	char v[64];

	put_metric(out, c, "up", "1 if the check passed, 0 if it failed or "
	    "could not run.", judge_passed(r) ? "1" : "0");
	snprintf(v, sizeof(v), "%ld", r->status);
	put_metric(out, c, "http_status", "The HTTP status of the last "
	    "response (0: none arrived).", v);
	snprintf(v, sizeof(v), "%.1f", r->http_version / 10.0);
	put_metric(out, c, "http_version", "The HTTP version of the last "
	    "response: 1.0, 1.1, 2.0 or 3.0 (0: none arrived).", v);
	snprintf(v, sizeof(v), "%.3f", r->seconds);
	put_metric(out, c, "duration_seconds", "How long the last attempt "
	    "took, redirects included.", v);
	snprintf(v, sizeof(v), "%lld", r->bytes);
	put_metric(out, c, "body_bytes", "The size of the last response's "
	    "body.", v);
	snprintf(v, sizeof(v), "%.3f", when);
	put_metric(out, c, "timestamp_seconds", "When the check ended, in "
	    "seconds since the epoch.", v);
	put_served_metric(out, c, &r->served);
	/* over http there is no certificate: no series, not a fake one */
	if (!is_https(c))
		return;
	if (r->cert_expiry > 0)
		snprintf(v, sizeof(v), "%lld", r->cert_expiry);
	else
		snprintf(v, sizeof(v), "NaN");
	put_metric(out, c, "cert_expiry_seconds", "When the server's "
	    "certificate expires, in seconds since the epoch (NaN: none "
	    "seen).", v);
}

static const char *
error_name(int e)
{
	static const char *const names[] = {
		[VERIFY_OK] = "none", [VERIFY_TIMEOUT] = "timeout",
		[VERIFY_CONNECT] = "connect", [VERIFY_TLS] = "tls",
		[VERIFY_TOO_BIG] = "too-big", [VERIFY_OFFSITE] = "offsite-redirect",
		[VERIFY_REDIRECTS] = "too-many-redirects",
		[VERIFY_TRANSFER] = "transfer", [VERIFY_RESET] = "reset",
		[VERIFY_INTERNAL] = "internal",
	};

	return names[e];
}

static void
json_diffs(struct strbuf *out, unsigned diffs)
{
	static const char *const names[] = { "status", "header", "contains",
	    "sha256", "cert_min_days" };
	const char *sep = "";
	size_t i;

	sb_puts(out, "[");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (diffs & (1u << i)) {
			sb_printf(out, "%s\"%s\"", sep, names[i]);
			sep = ",";
		}
	sb_puts(out, "]");
}

/* "http_version", "cert_expiry" (ISO 8601, UTC), "cert_days_left". */
static void
json_protocol(struct strbuf *out, const struct verify_result *r)
{
	sb_puts(out, ",\"http_version\":");
	sb_json_cstr(out, version_name(r->http_version));
	sb_puts(out, ",\"cert_expiry\":");
	if (r->cert_expiry > 0) {
		sb_puts(out, "\"");
		put_date(out, r->cert_expiry, true);
		sb_printf(out, "\",\"cert_days_left\":%lld", days_left(r));
	} else {
		sb_puts(out, "null,\"cert_days_left\":null");
	}
}

/*
 * "served_by": null when not asked, else {"service", "result" ("ok",
 * "other", "unknown"), "port", "pid", "user", "exe", "detail"}.
 */
static void
json_served(struct strbuf *out, const struct verify_served *v)
{
	static const char *const results[] = { [SERVED_BY] = "ok",
	    [SERVED_OTHER] = "other", [SERVED_UNKNOWN] = "unknown" };

	sb_puts(out, ",\"served_by\":");
	if (v->state == SERVED_UNASKED) {
		sb_puts(out, "null");
		return;
	}
	sb_puts(out, "{\"service\":");
	sb_json_cstr(out, v->service);
	sb_printf(out, ",\"result\":\"%s\",\"port\":", results[v->state]);
	sb_printf(out, v->port > 0 ? "%d" : "null", v->port);
	sb_puts(out, ",\"pid\":");
	sb_printf(out, v->pid > 0 ? "%d" : "null", v->pid);
	sb_puts(out, ",\"user\":");
	sb_json_cstr(out, v->pid > 0 ? v->user : NULL);
	sb_puts(out, ",\"exe\":");
	sb_json_cstr(out, v->pid > 0 ? v->exe : NULL);
	sb_puts(out, ",\"detail\":");
	sb_json_cstr(out, v->state == SERVED_BY ? NULL : v->detail);
	sb_puts(out, "}");
}

static void
render_json(const struct check *c, const struct verify_result *r,
    struct strbuf *out)
{
	struct strbuf reason = STRBUF_INIT;
	bool passed = judge_passed(r);

	put_description(&reason, c, r);
	sb_puts(out, "{\"check\":");
	sb_json_cstr(out, c->name);
	sb_puts(out, ",\"url\":");
	sb_json_cstr(out, c->url);
	sb_printf(out, ",\"result\":\"%s\",\"reason\":", passed ? "ok" :
	    judge_warning(r) ? "warning" : judge_unknown(r) ? "error" :
	    "failed");
	sb_json_cstr(out, sb_failed(&reason) ? "(out of memory)" :
	    sb_str(&reason));
	sb_free(&reason);
	sb_puts(out, ",\"status\":");
	if (r->status > 0)
		sb_printf(out, "%ld", r->status);
	else
		sb_puts(out, "null");
	sb_printf(out, ",\"expected_status\":%d,\"bytes\":%lld,\"time\":%.3f,"
	    "\"attempts\":%d,\"elapsed\":%.3f,\"sha256\":", c->status,
	    r->bytes, r->seconds, r->attempts, r->elapsed);
	sb_json_cstr(out, r->sha256[0] ? r->sha256 : NULL);
	sb_puts(out, ",\"found\":");
	sb_puts(out, c->contains == NULL || r->error != VERIFY_OK ? "null" :
	    r->found ? "true" : "false");
	sb_puts(out, ",\"header\":");
	sb_json_cstr(out, r->diffs & VERIFY_DIFF_HEADER && r->header_seen ?
	    r->header_got : NULL);
	sb_puts(out, ",\"error\":");
	sb_json_cstr(out, r->error == VERIFY_OK ? NULL : error_name(r->error));
	sb_puts(out, ",\"differs\":");
	json_diffs(out, r->error == VERIFY_OK ? r->diffs : 0);
	json_protocol(out, r);
	json_served(out, &r->served);
	sb_puts(out, "}");
}

void
judge_render(const struct check *c, const struct verify_result *r,
    enum output_format format, struct strbuf *out)
{
	if (format == FORMAT_NAGIOS)
		render_nagios(c, r, out);
	else if (format == FORMAT_JSON)
		render_json(c, r, out);
	else
		render_text(c, r, out);
	sb_puts(out, "\n");
}

void
judge_reason(const struct check *c, const struct verify_result *r,
    char *buf, size_t size)
{
	struct strbuf sb = STRBUF_INIT;

	render_text(c, r, &sb);
	snprintf(buf, size, "%s", sb_failed(&sb) ? "(out of memory)" :
	    sb_str(&sb));
	sb_free(&sb);
}

int
judge_exit_status(const struct verify_result *r, enum output_format format)
{
	if (format != FORMAT_NAGIOS)
		return judge_passed(r) ? EXIT_DONE : EXIT_FAILED;
	if (judge_passed(r))
		return 0;
	if (judge_warning(r))
		return 1;
	return judge_unknown(r) ? NAGIOS_UNKNOWN : 2;
}

void
judge_render_unknown(const char *reason, struct strbuf *out)
{
	struct strbuf text = STRBUF_INIT;

	sb_printable(&text, reason && *reason ? reason : "(no reason given)");
	sb_puts(out, "CUTOVER UNKNOWN: ");
	put_nagios_text(out, sb_failed(&text) ? "(out of memory)" :
	    sb_str(&text));
	sb_free(&text);
	sb_puts(out, "\n");
}
