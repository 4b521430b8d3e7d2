/*
 * judge.h - what `cutover verify` makes of a response, and how it says
 * so.  Pure: no network, no processes, no privilege, so the unit tests
 * reach all of it (tests/unit/test_verify.c).  verify.c feeds it what
 * libcurl delivers; run.c prints and records what it renders.
 *
 * A response is judged as it streams in (judge_scan_*): the body is
 * hashed, searched and counted chunk by chunk, never held whole, so a
 * body of max_body bytes costs no more memory than a small one.
 */
#ifndef CUTOVER_JUDGE_H
#define CUTOVER_JUDGE_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/policy.h"
#include "helper/lib/format.h"
#include "helper/verify/sha256.h"
#include "policy/strbuf.h"

#define VERIFY_TEXT_MAX       160   /* bytes of a header value or error text */
#define VERIFY_REDIRECTS_MAX  5     /* hops followed with follow = true */

/* Why an attempt has no response to judge; VERIFY_OK when it has one. */
enum verify_error {
	VERIFY_OK,
	VERIFY_TIMEOUT,         /* no whole response within the timeout */
	VERIFY_CONNECT,         /* the host could not be resolved or reached */
	VERIFY_TLS,             /* handshake or certificate verification */
	VERIFY_TOO_BIG,         /* the body is larger than max_body */
	VERIFY_OFFSITE,         /* a redirect to another host (not followed) */
	VERIFY_REDIRECTS,       /* more than VERIFY_REDIRECTS_MAX redirects */
	VERIFY_TRANSFER,        /* any other transfer error */
	VERIFY_RESET,           /* the connection reset, or closed unanswered */
	VERIFY_INTERNAL,        /* the check could not be run at all */
};
#define VERIFY_ERROR_LAST VERIFY_INTERNAL

/* What differed in a response that arrived whole (bits of diffs). */
#define VERIFY_DIFF_STATUS    1u
#define VERIFY_DIFF_HEADER    2u
#define VERIFY_DIFF_CONTAINS  4u
#define VERIFY_DIFF_SHA256    8u
#define VERIFY_DIFF_CERT      16u   /* expires within cert_min_days */
#define VERIFY_DIFF_ALL       31u

/*
 * served_by: who held the port the check reached, as the transaction's
 * look before and after the fetch saw it (helper/act/served.c).  Never
 * the fetch's to say: the transaction fills it in.
 */
enum served_state {
	SERVED_UNASKED,         /* the check names no service */
	SERVED_BY,              /* by the service alone, before and after */
	SERVED_OTHER,           /* by another process, nothing, or changed */
	SERVED_UNKNOWN,         /* could not be looked at */
};
#define SERVED_LAST SERVED_UNKNOWN
#define SERVED_NAME_MAX 64      /* a service's or a user's name, and NUL */

struct verify_served {
	int state;                      /* enum served_state */
	int port;                       /* the port looked at */
	int pid;                        /* who was named: the service's first
	                                 * process, or the one that is not
	                                 * it; 0: none */
	char service[SERVED_NAME_MAX];  /* whom the check asked for */
	char user[SERVED_NAME_MAX];     /* PID's user ("uid 1001" unnamed) */
	char exe[VERIFY_TEXT_MAX];      /* PID's executable */
	char detail[VERIFY_TEXT_MAX];   /* what was wrong, when not SERVED_BY */
};

/*
 * The result of a check: the last attempt, and how many there were.
 * Plain bytes only (no pointers, no bool): the check's process sends it
 * to its parent through a pipe as it is, and the parent makes it safe
 * with judge_sanitize() before using any of it.
 */
struct verify_result {
	int error;                      /* enum verify_error */
	unsigned diffs;                 /* VERIFY_DIFF_* when error is OK */
	int attempts;
	long status;                    /* of the last response; 0: none */
	long long bytes;                /* of its body */
	double seconds;                 /* the last attempt, redirects and all */
	double elapsed;                 /* every attempt and every pause */
	unsigned char found;            /* contains: found in the last body */
	unsigned char header_seen;      /* the header's name was there */
	char sha256[SHA256_HEX_SIZE];   /* of the last body; "" without one */
	char header_got[VERIFY_TEXT_MAX];  /* its value, when it differed */
	char detail[VERIFY_TEXT_MAX];   /* error text, or a redirect's target */
	int http_version;               /* of the last response: 10, 11, 20,
	                                 * 30; 0: none */
	long long cert_expiry;          /* https: the server certificate's
	                                 * not-after, epoch seconds; 0: none */
	long long cert_left;            /* seconds from the check to then */
	struct verify_served served;
};

/* Passed: the response was right and, if asked, the service served it. */
bool judge_passed(const struct verify_result *);

/* Could not run, or who served could not be told: nagios' UNKNOWN. */
bool judge_unknown(const struct verify_result *);

/*
 * Failed only because the certificate expires within cert_min_days (and
 * has not expired): nagios says WARNING, not CRITICAL.
 */
bool judge_warning(const struct verify_result *);

/*
 * Worth another attempt within `within`: the server is not ready yet
 * (refused, reset, timed out, or 502/503/504; VERIFY_CONNECT also holds a
 * name not resolved yet, which is waited for too).  Any other answer is
 * a definite one, and ends the wait at once.
 */
bool judge_not_ready(const struct verify_result *);

/*
 * A whole response's certificate: EXPIRY (epoch seconds, 0 when libcurl
 * gave none or it could not be read) as seen at NOW (the wall clock).
 * Records it in R, and for a check with cert_min_days, the difference
 * VERIFY_DIFF_CERT when it expires sooner, or a TLS error when the
 * expiry is not known.  Call after judge_scan_done().
 */
void judge_cert(const struct check *c, long long expiry, long long now,
    struct verify_result *r);

/*
 * A result of check C as it came through the pipe: every field brought
 * into its range, every string terminated, a kind, a hash or a
 * difference that is not one (a difference C does not ask about) made an
 * internal error or empty.  After this any result renders safely with C.
 */
void judge_sanitize(struct verify_result *, const struct check *);

/* Record an error and its text (cut to fit) in R. */
void judge_set_error(struct verify_result *r, enum verify_error e,
    const char *text);

/* ---- judging one response as it streams in ------------------------- */

struct judge_scan {
	const struct check *check;
	struct sha256_ctx sha;
	long long bytes;
	bool over;                  /* more than max_body bytes arrived */
	/* contains: the last (n - 1) bytes seen, so a match across two
	 * chunks is found; window is scratch for carry + the next chunk */
	size_t needle_len;
	char *carry, *window;
	size_t ncarry;
	bool found;
	bool header_seen, header_ok;
	char header_got[VERIFY_TEXT_MAX];
};

/* 0, or -1 when memory ran out. */
int judge_scan_begin(struct judge_scan *, const struct check *);
/* 0, or -1 when the body is now larger than max_body (nothing kept). */
int judge_scan_body(struct judge_scan *, const void *data, size_t len);
/* One header line as libcurl delivers it ("Name: value\r\n"); a status
 * line ("HTTP/1.1 200 OK") starts a new response's headers. */
void judge_scan_header(struct judge_scan *, const char *line, size_t len);
/* The response is complete with STATUS: fill R (error OK, diffs). */
void judge_scan_done(struct judge_scan *, long status,
    struct verify_result *r);
void judge_scan_free(struct judge_scan *);

/* "Content-Type: text/html" vs one header line: name case-insensitive;
 * value (trimmed) equal, ignoring case, or followed by ";" parameters.
 * Pure, for the tests. */
bool judge_header_matches(const char *want, const char *line, size_t len);

/* ---- saying it -------------------------------------------------------- */

/*
 * The result, one line and '\n', in FORMAT:
 *   text    homepage OK: 200, 5123 bytes, 3 ms, "Fall collection" found, HTTP/1.1
 *           shop OK: 200, 812 bytes, 9 ms, HTTP/2, certificate expires 2027-03-01 (83 days)
 *           homepage FAILED: status 500, expected 200
 *   nagios  CUTOVER OK: homepage http://127.0.0.1:8080/ - 200, 5123 bytes in 0.003 s, HTTP/1.1|time=0.003s;;;0 size=5123B;;;0
 *           CUTOVER WARNING: homepage https://... - certificate expires 2027-01-02 (10 days), cert_min_days 14|...
 *           CUTOVER CRITICAL: homepage http://127.0.0.1:8080/ - status 500, expected 200|time=...
 *           CUTOVER UNKNOWN: homepage http://127.0.0.1:8080/ - could not run the check: ...
 *   json    one object (see cutover(8))
 * Everything that came from the network or a policy is escaped: the
 * text and nagios lines are printable ASCII, the nagios text has no '|'.
 */
void judge_render(const struct check *, const struct verify_result *,
    enum output_format, struct strbuf *out);

/*
 * The result in Prometheus' text format (node_exporter's textfile
 * collector reads it): the gauges cutover_check_up, _http_status,
 * _http_version, _duration_seconds, _body_bytes and _timestamp_seconds
 * (WHEN, read by run.c from the wall clock: the judge has none), and for
 * an https check _cert_expiry_seconds (NaN when no certificate was
 * seen), each with its HELP and TYPE and the label check="NAME"; every
 * line ends in '\n'.
 */
void judge_render_metrics(const struct check *, const struct verify_result *,
    double when, struct strbuf *out);

/* The text line without '\n', cut to SIZE - 1 bytes: the audit reason. */
void judge_reason(const struct check *, const struct verify_result *,
    char *buf, size_t size);

/* 0 passed, 1 failed or could not run; nagios 0 OK, 1 WARNING, 2 CRITICAL,
 * 3 UNKNOWN. */
int judge_exit_status(const struct verify_result *, enum output_format);

/*
 * --format=nagios for every other ending (usage, refusal, policy, audit):
 * "CUTOVER UNKNOWN: REASON" (escaped, no '|') and '\n'; the exit status
 * is then 3.
 */
#define NAGIOS_UNKNOWN 3
void judge_render_unknown(const char *reason, struct strbuf *out);

#endif
