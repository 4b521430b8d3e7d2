/*
 * test_verify.c - verify without a network: SHA-256 against FIPS 180-4's
 * vectors, judging a response as it streams in (contains across chunk
 * boundaries, the body cap, the header, the hash), the three renderings
 * (exact text and nagios lines, valid JSON, one printable line whatever
 * a server sent), results from a hostile child made safe, the exit
 * statuses; and, as root, verify_check itself against a one-shot server
 * on 127.0.0.1: it runs from a process that holds nothing, and refuses
 * to run from one that still holds a capability.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/fuzz/json_check.h"
#include "helper/priv/privilege.h"
#include "helper/verify/certdate.h"
#include "helper/verify/sha256.h"
#include "helper/verify/judge.h"
#include "helper/act/served.h"
#include "helper/verify/verify.h"

#define NOBODY 65534

/* ---- SHA-256 ------------------------------------------------------------- */

static void
hash_in_chunks(const char *data, size_t len, size_t chunk, char out[65])
{
	struct sha256_ctx c;
	size_t off;

	sha256_init(&c);
	for (off = 0; off < len; off += chunk)
		sha256_update(&c, data + off, len - off < chunk ? len - off : chunk);
	sha256_final_hex(&c, out);
}

START_TEST(sha256_fips_vectors)
{
	static const struct { const char *msg; const char *hex; } v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
		{ "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		  "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	};
	char hex[65];
	size_t i, chunk;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (chunk = 1; chunk <= 130; chunk += 43) {
			hash_in_chunks(v[i].msg, strlen(v[i].msg), chunk, hex);
			ck_assert_str_eq(hex, v[i].hex);
		}
}
END_TEST

/* The padding's edges: 55 bytes fit one block, 56 need two. */
START_TEST(sha256_block_edges_and_a_million)
{
	static const struct { size_t n; const char *hex; } v[] = {
		{ 55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318" },
		{ 56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a" },
		{ 63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34" },
		{ 64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb" },
		{ 119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb" },
		{ 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	};
	char *a = malloc(1000000), hex[65];
	size_t i;

	ck_assert_ptr_nonnull(a);
	memset(a, 'a', 1000000);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		hash_in_chunks(a, v[i].n, v[i].n, hex);
		ck_assert_str_eq(hex, v[i].hex);
		hash_in_chunks(a, v[i].n, 7, hex);
		ck_assert_str_eq(hex, v[i].hex);
	}
	free(a);
}
END_TEST

/* ---- judging ---------------------------------------------------------------- */

static struct check
a_check(void)
{
	struct check c = { .name = "homepage", .url = "http://127.0.0.1:8080/",
	    .status = 200, .contains = "Fall collection", .timeout = 5.0,
	    .max_body = 1048576 };

	return c;
}

/* Feed BODY in pieces of CHUNK bytes, then judge it with STATUS. */
static void
judge(const struct check *c, const char *body, size_t chunk, long status,
    struct verify_result *r)
{
	struct judge_scan s;
	size_t len = strlen(body), off;

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(judge_scan_begin(&s, c), 0);
	judge_scan_header(&s, "HTTP/1.1 200 OK\r\n", 17);
	judge_scan_header(&s, "Content-Type: text/html; charset=utf-8\r\n", 40);
	for (off = 0; off < len; off += chunk)
		judge_scan_body(&s, body + off, len - off < chunk ? len - off : chunk);
	judge_scan_done(&s, status, r);
	judge_scan_free(&s);
	r->attempts = 1;
}

START_TEST(contains_is_found_across_every_chunk_boundary)
{
	static const char body[] = "<h1>Fall collection</h1>";
	struct check c = a_check();
	struct verify_result r;
	size_t chunk;

	for (chunk = 1; chunk <= sizeof(body); chunk++) {
		judge(&c, body, chunk, 200, &r);
		ck_assert_msg(r.found, "not found in chunks of %zu", chunk);
		ck_assert(judge_passed(&r));
	}
	/* the needle as the very first and very last bytes */
	judge(&c, "Fall collection", 1, 200, &r);
	ck_assert(r.found);
	judge(&c, "xxFall collection", 4, 200, &r);
	ck_assert(r.found);
}
END_TEST

START_TEST(contains_not_found_names_what_was_read)
{
	struct check c = a_check();
	struct verify_result r;
	struct strbuf sb = STRBUF_INIT;

	/* a near miss split in two, and the needle's halves far apart */
	judge(&c, "Fall collectio", 3, 200, &r);
	ck_assert(!r.found);
	judge(&c, "Fall colle--ction Fall", 5, 200, &r);
	ck_assert(!r.found);
	ck_assert_uint_eq(r.diffs, VERIFY_DIFF_CONTAINS);
	judge_render(&c, &r, FORMAT_TEXT, &sb);
	ck_assert_str_eq(sb_str(&sb), "homepage FAILED: \"Fall collection\" not "
	    "found in 22 bytes\n");
	sb_free(&sb);
	/* one-byte needle */
	c.contains = "x";
	judge(&c, "abcx", 1, 200, &r);
	ck_assert(r.found);
}
END_TEST

START_TEST(body_cap_is_a_failure_not_a_crash)
{
	struct check c = a_check();
	struct judge_scan s;
	struct verify_result r;
	struct strbuf sb = STRBUF_INIT;

	c.max_body = 10;
	c.contains = NULL;
	ck_assert_int_eq(judge_scan_begin(&s, &c), 0);
	ck_assert_int_eq(judge_scan_body(&s, "0123456789", 10), 0);
	ck_assert_int_eq(judge_scan_body(&s, "", 0), 0);
	ck_assert_int_eq(judge_scan_body(&s, "x", 1), -1);
	ck_assert_int_eq(judge_scan_body(&s, "y", 1), -1);
	judge_scan_done(&s, 200, &r);
	judge_scan_free(&s);
	r.attempts = 1;
	ck_assert_int_eq(r.error, VERIFY_TOO_BIG);
	ck_assert(!judge_passed(&r));
	judge_render(&c, &r, FORMAT_TEXT, &sb);
	ck_assert_str_eq(sb_str(&sb), "homepage FAILED: body larger than 10 "
	    "bytes\n");
	sb_free(&sb);
	/* exactly the cap is fine */
	judge(&c, "0123456789", 3, 200, &r);
	ck_assert(judge_passed(&r));
}
END_TEST

START_TEST(sha256_of_the_body)
{
	struct check c = a_check();
	struct verify_result r;
	struct strbuf sb = STRBUF_INIT;

	c.contains = NULL;
	c.sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	judge(&c, "abc", 1, 200, &r);
	ck_assert(judge_passed(&r));
	judge(&c, "abd", 2, 200, &r);
	ck_assert_uint_eq(r.diffs, VERIFY_DIFF_SHA256);
	judge_render(&c, &r, FORMAT_TEXT, &sb);
	ck_assert_str_eq(sb_str(&sb), "homepage FAILED: sha256 a52d159f262b..., "
	    "expected ba7816bf8f01...\n");
	sb_free(&sb);
}
END_TEST

START_TEST(header_matching)
{
	static const struct { const char *want, *line; bool match; } v[] = {
		{ "Content-Type: text/html", "Content-Type: text/html\r\n", true },
		{ "Content-Type: text/html", "content-type:TEXT/HTML \r\n", true },
		{ "Content-Type: text/html", "Content-Type: text/html; charset=utf-8\r\n", true },
		{ "Content-Type: text/html", "Content-Type: text/html ;q=1\r\n", true },
		{ "Content-Type: text/html", "Content-Type: text/htmlx\r\n", false },
		{ "Content-Type: text/html", "Content-Type: text/plain\r\n", false },
		{ "Content-Type: text/html", "Content-Types: text/html\r\n", false },
		{ "Content-Type: text/html", "Content-Type\r\n", false },
		{ "Content-Type: text/html", ": text/html\r\n", false },
		{ "X-Empty:", "X-Empty: \r\n", true },
		{ "Cache-Control: no-store", "Cache-Control: no-store\n", true },
	};
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_msg(judge_header_matches(v[i].want, v[i].line,
		    strlen(v[i].line)) == v[i].match, "case %zu", i);
}
END_TEST

static void
judge_headers(const struct check *c, const char *const *lines,
    struct verify_result *r)
{
	struct judge_scan s;

	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(judge_scan_begin(&s, c), 0);
	for (; *lines != NULL; lines++)
		judge_scan_header(&s, *lines, strlen(*lines));
	judge_scan_body(&s, "Fall collection", 15);
	judge_scan_done(&s, 200, r);
	judge_scan_free(&s);
	r->attempts = 1;
}

START_TEST(header_of_the_last_response_counts)
{
	static const char *const early[] = { "HTTP/1.1 100 Continue\r\n",
	    "Content-Type: text/html\r\n", "HTTP/1.1 200 OK\r\n",
	    "Content-Type: text/plain\r\n", NULL };
	static const char *const twice[] = { "HTTP/1.1 200 OK\r\n",
	    "Content-Type: text/plain\r\n", "Content-Type: text/html\r\n", NULL };
	static const char *const none[] = { "HTTP/1.1 200 OK\r\n",
	    "Server: x\r\n", NULL };
	struct check c = a_check();
	struct verify_result r;
	struct strbuf sb = STRBUF_INIT;

	c.header = "Content-Type: text/html";
	judge_headers(&c, early, &r);
	ck_assert_uint_eq(r.diffs, VERIFY_DIFF_HEADER);
	judge_render(&c, &r, FORMAT_TEXT, &sb);
	ck_assert_str_eq(sb_str(&sb), "homepage FAILED: header Content-Type: "
	    "\"text/plain\", expected \"text/html\"\n");
	sb_free(&sb);
	judge_headers(&c, twice, &r);
	ck_assert(judge_passed(&r));
	judge_headers(&c, none, &r);
	ck_assert(!r.header_seen);
	sb = (struct strbuf)STRBUF_INIT;
	judge_render(&c, &r, FORMAT_TEXT, &sb);
	ck_assert_str_eq(sb_str(&sb), "homepage FAILED: no header "
	    "Content-Type\n");
	sb_free(&sb);
}
END_TEST

START_TEST(a_wrong_status_is_all_that_is_said)
{
	struct check c = a_check();
	struct verify_result r;
	struct strbuf sb = STRBUF_INIT;

	judge(&c, "Internal error", 4, 500, &r);
	ck_assert_uint_eq(r.diffs, VERIFY_DIFF_STATUS | VERIFY_DIFF_CONTAINS);
	judge_render(&c, &r, FORMAT_TEXT, &sb);
	ck_assert_str_eq(sb_str(&sb), "homepage FAILED: status 500, expected "
	    "200\n");
	sb_free(&sb);
}
END_TEST

/* ---- rendering ----------------------------------------------------------------- */

static struct verify_result
a_pass(void)
{
	struct verify_result r = { .error = VERIFY_OK, .attempts = 1,
	    .status = 200, .bytes = 5123, .seconds = 0.003, .elapsed = 0.003,
	    .found = 1 };

	strcpy(r.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	return r;
}

static char *
render(const struct check *c, const struct verify_result *r,
    enum output_format f)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	judge_render(c, r, f, &sb);
	ck_assert(!sb_failed(&sb));
	s = strdup(sb_str(&sb));
	sb_free(&sb);
	return s;
}

START_TEST(passed_lines_exactly)
{
	struct check c = a_check();
	struct verify_result r = a_pass();
	char *s;

	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage OK: 200, 5123 bytes, 3 ms, \"Fall "
	    "collection\" found\n");
	free(s);
	s = render(&c, &r, FORMAT_NAGIOS);
	ck_assert_str_eq(s, "CUTOVER OK: homepage http://127.0.0.1:8080/ - 200, "
	    "5123 bytes in 0.003 s"
	    "|time=0.003s;;;0 size=5123B;;;0\n");
	free(s);
	/* the version of the response, when libcurl said which */
	r.http_version = 11;
	s = render(&c, &r, FORMAT_NAGIOS);
	ck_assert_str_eq(s, "CUTOVER OK: homepage http://127.0.0.1:8080/ - 200, "
	    "5123 bytes in 0.003 s, HTTP/1.1"
	    "|time=0.003s;;;0 size=5123B;;;0\n");
	free(s);
	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage OK: 200, 5123 bytes, 3 ms, \"Fall "
	    "collection\" found, HTTP/1.1\n");
	free(s);
	r.http_version = 0;
	r.attempts = 4;
	r.elapsed = 2.34;
	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage OK: 200, 5123 bytes, 3 ms, \"Fall "
	    "collection\" found, after 4 attempts in 2.3 s\n");
	free(s);
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_TEXT), 0);
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_JSON), 0);
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_NAGIOS), 0);
}
END_TEST

START_TEST(failed_lines_exactly)
{
	struct check c = a_check();
	struct verify_result r = a_pass();
	char *s;

	r.status = 500;
	r.bytes = 12;
	r.seconds = 0.004;
	r.diffs = VERIFY_DIFF_STATUS;
	s = render(&c, &r, FORMAT_NAGIOS);
	ck_assert_str_eq(s, "CUTOVER CRITICAL: homepage http://127.0.0.1:8080/ - "
	    "status 500, expected 200"
	    "|time=0.004s;;;0 size=12B;;;0\n");
	free(s);
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_NAGIOS), 2);
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_TEXT), 1);
	/* within: for how long it was tried */
	c.within = 10.0;
	r.attempts = 6;
	r.elapsed = 10.04;
	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage FAILED: status 500, expected 200 (a "
	    "definite answer after 6 attempts in 10.0 s; not retried)\n");
	free(s);
	/* a server not ready yet was waited for: timed out */
	r.status = 503;
	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage FAILED: status 503, expected 200 (timed "
	    "out after 6 attempts in 10.0 s)\n");
	free(s);
}
END_TEST

/* Every kind of failure says what it is, in text; nagios and JSON agree. */
START_TEST(each_error_in_words)
{
	static const struct { int error; const char *detail, *text; } v[] = {
		{ VERIFY_TIMEOUT, "", "no response within 5.0 s" },
		{ VERIFY_CONNECT, "Failed to connect", "cannot connect: Failed to connect" },
		{ VERIFY_TLS, "SSL certificate problem", "TLS failed: SSL certificate problem" },
		{ VERIFY_TOO_BIG, "", "body larger than 1048576 bytes" },
		{ VERIFY_OFFSITE, "http://evil.example/", "redirect to another host, not followed: http://evil.example/" },
		{ VERIFY_REDIRECTS, "", "more than 5 redirects" },
		{ VERIFY_TRANSFER, "", "transfer failed: (no reason given)" },
		{ VERIFY_RESET, "Recv failure: Connection reset by peer", "connection reset: Recv failure: Connection reset by peer" },
		{ VERIFY_INTERNAL, "fork: no", "could not run the check: fork: no" },
	};
	struct check c = a_check();
	char want[512], *s;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct verify_result r = { .attempts = 1 };

		judge_set_error(&r, v[i].error, v[i].detail);
		s = render(&c, &r, FORMAT_TEXT);
		snprintf(want, sizeof(want), "homepage FAILED: %s\n", v[i].text);
		ck_assert_str_eq(s, want);
		free(s);
		s = render(&c, &r, FORMAT_NAGIOS);
		snprintf(want, sizeof(want), "CUTOVER %s: homepage "
		    "http://127.0.0.1:8080/ - %s",
		    v[i].error == VERIFY_INTERNAL ? "UNKNOWN" : "CRITICAL",
		    v[i].text);
		ck_assert_msg(strncmp(s, want, strlen(want)) == 0, "%s", s);
		free(s);
		s = render(&c, &r, FORMAT_JSON);
		ck_assert_msg(json_check(s, strlen(s), NULL, NULL), "%s", s);
		ck_assert_ptr_nonnull(strstr(s, v[i].error == VERIFY_INTERNAL ?
		    "\"result\":\"error\"" : "\"result\":\"failed\""));
		free(s);
		ck_assert_int_eq(judge_exit_status(&r, FORMAT_NAGIOS),
		    v[i].error == VERIFY_INTERNAL ? 3 : 2);
		ck_assert_int_eq(judge_exit_status(&r, FORMAT_JSON), 1);
	}
}
END_TEST

START_TEST(json_of_a_pass)
{
	struct check c = a_check();
	struct verify_result r = a_pass();
	char *s = render(&c, &r, FORMAT_JSON);

	ck_assert(json_check(s, strlen(s), NULL, NULL));
	ck_assert_str_eq(s, "{\"check\":\"homepage\",\"url\":\"http://127.0.0.1:"
	    "8080/\",\"result\":\"ok\",\"reason\":\"200, 5123 bytes, 3 ms, "
	    "\\\"Fall collection\\\" found\",\"status\":200,\"expected_status\":"
	    "200,\"bytes\":5123,\"time\":0.003,\"attempts\":1,\"elapsed\":0.003,"
	    "\"sha256\":\"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
	    "7852b855\",\"found\":true,\"header\":null,\"error\":null,"
	    "\"differs\":[],\"http_version\":null,\"cert_expiry\":null,"
	    "\"cert_days_left\":null,\"served_by\":null}\n");
	free(s);
}
END_TEST

/* ---- https: the version, the certificate's expiry, cert_min_days -------------- */

START_TEST(certdate_accepts_the_one_form)
{
	static const struct { const char *text; long long epoch; } v[] = {
		{ "Jan  1 00:00:00 1970 GMT", 0 },
		{ "Dec 27 14:06:12 2026 GMT", 1798380372 },
		{ "Feb 29 12:00:00 2028 GMT", 1835438400 },
		{ "Mar  1 00:00:00 2100 GMT", 4107542400 },
		{ "Dec 31 23:59:59 9999 GMT", CERTDATE_MAX },
	};
	long long when;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_msg(certdate_parse(v[i].text, strlen(v[i].text),
		    &when) == 0, "refused %s", v[i].text);
		ck_assert_msg(when == v[i].epoch, "%s: %lld, not %lld",
		    v[i].text, when, v[i].epoch);
	}
	ck_assert_str_eq(certdate_field("Expire date:Dec 27 14:06:12 2026 GMT"),
	    "Dec 27 14:06:12 2026 GMT");
	ck_assert_ptr_null(certdate_field("Start date:Dec 27 14:06:12 2026 GMT"));
}
END_TEST

START_TEST(certdate_refuses_the_rest)
{
	static const char *const bad[] = {
		"", "Dec 27 14:06:12 2026", "Dec 27 14:06:12 2026 GMT ",
		" Dec 27 14:06:12 2026 GMT", "dec 27 14:06:12 2026 GMT",
		"Dec 7 14:06:12 2026 GMT", "Dec 07 14:06:12 2026 GMT",
		"Dec  0 14:06:12 2026 GMT", "Dec 32 14:06:12 2026 GMT",
		"Feb 29 12:00:00 2027 GMT", "Feb 29 12:00:00 2100 GMT",
		"Apr 31 12:00:00 2027 GMT", "Dec 27 24:00:00 2026 GMT",
		"Dec 27 14:60:00 2026 GMT", "Dec 27 14:06:60 2026 GMT",
		"Dec 27 14:06:12 1969 GMT", "Dec 27 14:06:12 10000 GMT",
		"Dec 27 14:06:12 226 GMT", "Dec 27 14:06:12.5 2026 GMT",
		"Dec 27 14:6:12 2026 GMT", "Dec 27 +4:06:12 2026 GMT",
		"Dec 27 14:06:12 2026 UTC", "2026-12-27 14:06:12 GMT",
		"Dez 27 14:06:12 2026 GMT",
	};
	long long when = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(certdate_parse(bad[i], strlen(bad[i]), &when) == -1,
		    "accepted \"%s\"", bad[i]);
	ck_assert_int_eq(when, 42);
	/* the length is the end: no reading past it, no NUL needed */
	ck_assert_int_eq(certdate_parse("Dec 27 14:06:12 2026 GMTxx", 24, &when), 0);
	ck_assert_int_eq(certdate_parse("Dec 27 14:06:12 2026 GMT", 23, &when), -1);
}
END_TEST

static struct check
an_https_check(void)
{
	struct check c = a_check();

	c.url = "https://www.example.org/";
	c.cert_min_days = 14;
	return c;
}

START_TEST(cert_min_days_judged)
{
	struct check c = an_https_check();
	struct verify_result r = a_pass();
	long long now = 1798380372 - 30 * 86400LL;

	judge_cert(&c, 1798380372, now, &r);
	ck_assert(judge_passed(&r));
	ck_assert_int_eq(r.cert_expiry, 1798380372);
	ck_assert_int_eq(r.cert_left, 30 * 86400LL);
	/* 13 days and change left, 14 asked: a warning */
	r = a_pass();
	judge_cert(&c, 1798380372, 1798380372 - 13 * 86400LL - 5, &r);
	ck_assert(!judge_passed(&r));
	ck_assert(judge_warning(&r));
	ck_assert_uint_eq(r.diffs, VERIFY_DIFF_CERT);
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_NAGIOS), 1);
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_TEXT), 1);
	/* the expiry unknown, and asked: fail closed */
	r = a_pass();
	judge_cert(&c, 0, now, &r);
	ck_assert_int_eq(r.error, VERIFY_TLS);
	/* not asked: recorded, never a failure */
	c.cert_min_days = 0;
	r = a_pass();
	judge_cert(&c, 1798380372, 1798380372 + 10, &r);
	ck_assert(judge_passed(&r));
	ck_assert_int_eq(r.cert_left, -10);
	/* a wrong status with a near expiry is no mere warning */
	c.cert_min_days = 14;
	r = a_pass();
	r.status = 500;
	r.diffs = VERIFY_DIFF_STATUS;
	judge_cert(&c, 1798380372, 1798380372 - 86400, &r);
	ck_assert(!judge_warning(&r));
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_NAGIOS), 2);
}
END_TEST

START_TEST(https_lines_exactly)
{
	struct check c = an_https_check();
	struct verify_result r = a_pass();
	char *s;

	c.contains = NULL;
	r.http_version = 20;
	judge_cert(&c, 1798380372, 1798380372 - 83 * 86400LL - 7, &r);
	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage OK: 200, 5123 bytes, 3 ms, HTTP/2, "
	    "certificate expires 2026-12-27 (83 days)\n");
	free(s);
	s = render(&c, &r, FORMAT_NAGIOS);
	ck_assert_str_eq(s, "CUTOVER OK: homepage https://www.example.org/ - "
	    "200, 5123 bytes in 0.003 s, HTTP/2, certificate expires "
	    "2026-12-27 (83 days)|time=0.003s;;;0 size=5123B;;;0 "
	    "cert_days=83;14:;0:;\n");
	free(s);
	s = render(&c, &r, FORMAT_JSON);
	ck_assert(json_check(s, strlen(s), NULL, NULL));
	ck_assert_ptr_nonnull(strstr(s, ",\"differs\":[],\"http_version\":"
	    "\"HTTP/2\",\"cert_expiry\":\"2026-12-27T14:06:12Z\","
	    "\"cert_days_left\":83,\"served_by\":null}\n"));
	free(s);
	/* 10 days left */
	r = a_pass();
	r.http_version = 11;
	judge_cert(&c, 1798380372, 1798380372 - 10 * 86400LL - 7, &r);
	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage FAILED: certificate expires 2026-12-27 "
	    "(10 days), cert_min_days is 14\n");
	free(s);
	s = render(&c, &r, FORMAT_NAGIOS);
	ck_assert_str_eq(s, "CUTOVER WARNING: homepage https://www.example.org/ "
	    "- certificate expires 2026-12-27 (10 days), cert_min_days is 14"
	    "|time=0.003s;;;0 size=5123B;;;0 cert_days=10;14:;0:;\n");
	free(s);
	s = render(&c, &r, FORMAT_JSON);
	ck_assert(json_check(s, strlen(s), NULL, NULL));
	ck_assert_ptr_nonnull(strstr(s, "\"result\":\"warning\""));
	ck_assert_ptr_nonnull(strstr(s, "\"differs\":[\"cert_min_days\"],"
	    "\"http_version\":\"HTTP/1.1\""));
	free(s);
}
END_TEST

/* Only a server that is not ready yet is waited for. */
START_TEST(only_not_ready_is_retried)
{
	static const long waited[] = { 502, 503, 504 };
	static const long definite[] = { 200, 301, 404, 500, 501, 505 };
	static const int errors_waited[] = { VERIFY_TIMEOUT, VERIFY_CONNECT,
	    VERIFY_RESET };
	static const int errors_definite[] = { VERIFY_TLS, VERIFY_TOO_BIG,
	    VERIFY_OFFSITE, VERIFY_REDIRECTS, VERIFY_TRANSFER, VERIFY_INTERNAL };
	struct verify_result r;
	size_t i;

	for (i = 0; i < sizeof(waited) / sizeof(waited[0]); i++) {
		r = a_pass();
		r.status = waited[i];
		r.diffs = VERIFY_DIFF_STATUS;
		ck_assert(judge_not_ready(&r));
		r.diffs |= VERIFY_DIFF_CONTAINS;
		ck_assert(judge_not_ready(&r));
	}
	for (i = 0; i < sizeof(definite) / sizeof(definite[0]); i++) {
		r = a_pass();
		r.status = definite[i];
		r.diffs = VERIFY_DIFF_STATUS;
		ck_assert(!judge_not_ready(&r));
	}
	/* the status expected, the content wrong: definite */
	r = a_pass();
	r.diffs = VERIFY_DIFF_CONTAINS;
	ck_assert(!judge_not_ready(&r));
	r.diffs = VERIFY_DIFF_SHA256;
	ck_assert(!judge_not_ready(&r));
	r.diffs = VERIFY_DIFF_CERT;
	ck_assert(!judge_not_ready(&r));
	for (i = 0; i < sizeof(errors_waited) / sizeof(errors_waited[0]); i++) {
		judge_set_error(&r, errors_waited[i], "");
		ck_assert(judge_not_ready(&r));
	}
	for (i = 0; i < sizeof(errors_definite) / sizeof(errors_definite[0]); i++) {
		judge_set_error(&r, errors_definite[i], "");
		ck_assert(!judge_not_ready(&r));
	}
}
END_TEST

/* What the check's process sends about the certificate is checked too. */
START_TEST(cert_fields_sanitized)
{
	struct check c = an_https_check();
	struct verify_result r = a_pass();

	r.http_version = 7;
	r.cert_expiry = CERTDATE_MAX + 1;
	r.cert_left = 5;
	judge_sanitize(&r, &c);
	ck_assert_int_eq(r.http_version, 0);
	ck_assert_int_eq(r.cert_expiry, 0);
	ck_assert_int_eq(r.cert_left, 0);
	ck_assert(judge_passed(&r));
	/* a cert difference with no date is a lie */
	r.diffs = VERIFY_DIFF_CERT;
	judge_sanitize(&r, &c);
	ck_assert_int_eq(r.error, VERIFY_INTERNAL);
	/* over http there is no certificate */
	c = a_check();
	r = a_pass();
	r.cert_expiry = 1798380372;
	r.cert_left = 86400;
	judge_sanitize(&r, &c);
	ck_assert_int_eq(r.cert_expiry, 0);
	/* nor a cert difference without cert_min_days */
	c = an_https_check();
	c.cert_min_days = 0;
	r = a_pass();
	r.cert_expiry = 1798380372;
	r.diffs = VERIFY_DIFF_CERT;
	judge_sanitize(&r, &c);
	ck_assert_int_eq(r.error, VERIFY_INTERNAL);
}
END_TEST

/* A line and its only '\n' at the end; printable ASCII in between. */
static void
assert_one_printable_line(const char *s)
{
	size_t n = strlen(s), i;

	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(s[n - 1], '\n');
	for (i = 0; i + 1 < n; i++)
		ck_assert_msg(s[i] >= 0x20 && s[i] < 0x7f, "byte %zu of %s", i, s);
}

/* What a server sends ends up escaped: no second line, no second '|'. */
START_TEST(hostile_server_text_is_escaped)
{
	struct check c = a_check();
	struct verify_result r = a_pass();
	char *s;

	c.header = "Content-Type: text/html";
	r.diffs = VERIFY_DIFF_HEADER;
	r.header_seen = 1;
	strcpy(r.header_got, "text/x|y\nCUTOVER OK: fake|time=0s\x1b[2J\xff\"");
	s = render(&c, &r, FORMAT_NAGIOS);
	assert_one_printable_line(s);
	ck_assert_ptr_eq(strchr(s, '|'), strrchr(s, '|'));
	ck_assert_ptr_nonnull(strstr(s, "|time="));
	free(s);
	s = render(&c, &r, FORMAT_TEXT);
	assert_one_printable_line(s);
	free(s);
	s = render(&c, &r, FORMAT_JSON);
	ck_assert_msg(json_check(s, strlen(s), NULL, NULL), "%s", s);
	ck_assert_ptr_eq(strchr(s, '\n'), s + strlen(s) - 1);
	free(s);
}
END_TEST

START_TEST(unknown_line)
{
	struct strbuf sb = STRBUF_INIT;

	judge_render_unknown("deploy may not verify x: no rule | none\x01", &sb);
	ck_assert_str_eq(sb_str(&sb), "CUTOVER UNKNOWN: deploy may not verify "
	    "x: no rule \\x7c none\\x01\n");
	sb_free(&sb);
	sb = (struct strbuf)STRBUF_INIT;
	judge_render_unknown(NULL, &sb);
	ck_assert_str_eq(sb_str(&sb), "CUTOVER UNKNOWN: (no reason given)\n");
	sb_free(&sb);
}
END_TEST

/* The reason of the audit record: the text line, cut to its buffer. */
START_TEST(reason_fits)
{
	struct check c = a_check();
	struct verify_result r = a_pass();
	char reason[256], needle[400];

	memset(needle, 'x', sizeof(needle) - 1);
	needle[sizeof(needle) - 1] = '\0';
	c.contains = needle;
	r.diffs = VERIFY_DIFF_CONTAINS;
	judge_reason(&c, &r, reason, sizeof(reason));
	ck_assert_uint_eq(strlen(reason), sizeof(reason) - 1);
	ck_assert(strncmp(reason, "homepage FAILED: \"xxx", 21) == 0);
	c.contains = "Fall collection";
	judge_reason(&c, &r, reason, sizeof(reason));
	ck_assert_str_eq(reason, "homepage FAILED: \"Fall collection\" not "
	    "found in 5123 bytes");
}
END_TEST

/* ---- a hostile child's result ------------------------------------------------------ */

static unsigned long long rng = 0x9e3779b97f4a7c15ULL;

static unsigned char
random_byte(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned char)rng;
}

START_TEST(any_bytes_render_safely_once_sanitized)
{
	struct check c = a_check();
	struct verify_result r;
	int i, f;
	size_t k;

	c.header = "Content-Type: text/html";
	c.sha256 = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	c.within = 1.0;
	for (i = 0; i < 3000; i++) {
		unsigned char *p = (unsigned char *)&r;

		for (k = 0; k < sizeof(r); k++)
			p[k] = random_byte();
		if (i % 3 == 0)
			r.error = random_byte() % (VERIFY_ERROR_LAST + 1);
		judge_sanitize(&r, &c);
		for (f = FORMAT_TEXT; f <= FORMAT_JSON; f++) {
			char *s = render(&c, &r, f);

			if (f == FORMAT_JSON)
				ck_assert_msg(json_check(s, strlen(s), NULL,
				    NULL), "%s", s);
			else
				assert_one_printable_line(s);
			free(s);
		}
	}
}
END_TEST

START_TEST(an_empty_result_never_passes)
{
	struct check c = a_check();
	struct verify_result r;

	memset(&r, 0, sizeof(r));
	judge_sanitize(&r, &c);
	ck_assert(!judge_passed(&r));
	r.error = 99;
	judge_sanitize(&r, &c);
	ck_assert_int_eq(r.error, VERIFY_INTERNAL);
}
END_TEST

/*
 * A difference the check does not ask about (found by fuzz_verdict: the
 * text renderer quoted a NULL contains) is a malformed result.
 */
START_TEST(a_difference_not_asked_is_malformed)
{
	struct check c = a_check();
	struct verify_result r = a_pass();
	char *s;

	c.contains = NULL;
	c.header = NULL;
	r.diffs = VERIFY_DIFF_CONTAINS | VERIFY_DIFF_HEADER;
	judge_sanitize(&r, &c);
	ck_assert_int_eq(r.error, VERIFY_INTERNAL);
	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage FAILED: could not run the check: the "
	    "check's process sent a malformed result\n");
	free(s);
	r = a_pass();
	r.diffs = VERIFY_DIFF_STATUS;
	judge_sanitize(&r, &c);
	ck_assert_int_eq(r.error, VERIFY_OK);
	ck_assert_uint_eq(r.diffs, VERIFY_DIFF_STATUS);
}
END_TEST

/* ---- served_by: who answered ------------------------------------------------------ */

static struct verify_served
served(int state, int pid, const char *user, const char *exe,
    const char *detail)
{
	struct verify_served v = { .state = state, .port = 8080, .pid = pid };

	strcpy(v.service, "nginx");
	strcpy(v.user, user);
	strcpy(v.exe, exe);
	strcpy(v.detail, detail);
	return v;
}

#define IMPOSTOR "port 8080 is held by pid 207 (/usr/bin/python3.11, user " \
	"deploy, uid 1001), not by nginx (/usr/sbin/nginx as root or www-data)"

START_TEST(served_lines_exactly)
{
	struct check c = a_check();
	struct verify_result r = a_pass();
	char *s;

	r.served = served(SERVED_BY, 123, "www-data", "/usr/sbin/nginx", "");
	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage OK: 200, 5123 bytes, 3 ms, \"Fall "
	    "collection\" found, served by nginx (pid 123, user www-data)\n");
	free(s);
	s = render(&c, &r, FORMAT_NAGIOS);
	ck_assert_str_eq(s, "CUTOVER OK: homepage http://127.0.0.1:8080/ - 200, "
	    "5123 bytes in 0.003 s, served by nginx (pid 123, user www-data)"
	    "|time=0.003s;;;0 size=5123B;;;0\n");
	free(s);
	s = render(&c, &r, FORMAT_JSON);
	ck_assert(json_check(s, strlen(s), NULL, NULL));
	ck_assert_ptr_nonnull(strstr(s, ",\"served_by\":{\"service\":\"nginx\","
	    "\"result\":\"ok\",\"port\":8080,\"pid\":123,\"user\":\"www-data\","
	    "\"exe\":\"/usr/sbin/nginx\",\"detail\":null}}\n"));
	free(s);
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_NAGIOS), 0);
	/* the right page from the wrong server: failed, who it was first */
	r.served = served(SERVED_OTHER, 207, "deploy", "/usr/bin/python3.11",
	    IMPOSTOR);
	ck_assert(!judge_passed(&r));
	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage FAILED: " IMPOSTOR "\n");
	free(s);
	s = render(&c, &r, FORMAT_NAGIOS);
	ck_assert_str_eq(s, "CUTOVER CRITICAL: homepage http://127.0.0.1:8080/ - "
	    IMPOSTOR "|time=0.003s;;;0 size=5123B;;;0\n");
	free(s);
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_NAGIOS), 2);
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_TEXT), 1);
	s = render(&c, &r, FORMAT_JSON);
	ck_assert(json_check(s, strlen(s), NULL, NULL));
	ck_assert_ptr_nonnull(strstr(s, "\"result\":\"failed\",\"reason\":\""
	    IMPOSTOR "\""));
	ck_assert_ptr_nonnull(strstr(s, ",\"served_by\":{\"service\":\"nginx\","
	    "\"result\":\"other\",\"port\":8080,\"pid\":207,\"user\":\"deploy\","
	    "\"exe\":\"/usr/bin/python3.11\",\"detail\":\"" IMPOSTOR "\"}}\n"));
	free(s);
	/* and a wrong page as well */
	r.diffs = VERIFY_DIFF_STATUS;
	r.status = 500;
	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage FAILED: " IMPOSTOR "; and status 500, "
	    "expected 200\n");
	free(s);
	/* the right server, a wrong page: who served is said too */
	r.served = served(SERVED_BY, 123, "www-data", "/usr/sbin/nginx", "");
	s = render(&c, &r, FORMAT_TEXT);
	ck_assert_str_eq(s, "homepage FAILED: status 500, expected 200, served "
	    "by nginx (pid 123, user www-data)\n");
	free(s);
	/* who held the port could not be looked at: UNKNOWN, not CRITICAL */
	r = a_pass();
	r.served = served(SERVED_UNKNOWN, 0, "", "", "cannot tell who holds "
	    "port 8080: /proc/1/fd: Permission denied");
	s = render(&c, &r, FORMAT_NAGIOS);
	ck_assert_str_eq(s, "CUTOVER UNKNOWN: homepage http://127.0.0.1:8080/ - "
	    "cannot tell who holds port 8080: /proc/1/fd: Permission denied"
	    "|time=0.003s;;;0 size=5123B;;;0\n");
	free(s);
	ck_assert_int_eq(judge_exit_status(&r, FORMAT_NAGIOS), 3);
	s = render(&c, &r, FORMAT_JSON);
	ck_assert_ptr_nonnull(strstr(s, "\"result\":\"error\""));
	ck_assert_ptr_nonnull(strstr(s, "\"result\":\"unknown\",\"port\":8080,"
	    "\"pid\":null,\"user\":null,\"exe\":null,\"detail\":\"cannot tell"));
	free(s);
}
END_TEST

/* What came through the pipe: printable, in range, or "cannot tell". */
START_TEST(served_fields_sanitized)
{
	struct check c = a_check();
	struct verify_result r = a_pass();
	char *s;

	r.served = served(SERVED_OTHER, 207, "dep\x1b[2Jloy", "/tmp/x\nCUTOVER OK",
	    "held by \x7f");
	judge_sanitize(&r, &c);
	ck_assert_str_eq(r.served.user, "dep?[2Jloy");
	ck_assert_str_eq(r.served.exe, "/tmp/x?CUTOVER OK");
	ck_assert_str_eq(r.served.detail, "held by ?");
	s = render(&c, &r, FORMAT_NAGIOS);
	assert_one_printable_line(s);
	free(s);
	r.served.state = 9;
	judge_sanitize(&r, &c);
	ck_assert_int_eq(r.served.state, SERVED_UNKNOWN);
	ck_assert(!judge_passed(&r));
	/* "served" with no one named, or for no service, is not served */
	r.served = served(SERVED_BY, 0, "root", "/usr/sbin/nginx", "");
	judge_sanitize(&r, &c);
	ck_assert_int_eq(r.served.state, SERVED_UNKNOWN);
	r.served = served(SERVED_BY, 12, "root", "/usr/sbin/nginx", "");
	r.served.service[0] = '\0';
	judge_sanitize(&r, &c);
	ck_assert_int_eq(r.served.state, SERVED_UNKNOWN);
	/* not asked: nothing of it is kept */
	r.served = served(SERVED_UNASKED, 12, "root", "/usr/sbin/nginx", "x");
	judge_sanitize(&r, &c);
	ck_assert_int_eq(r.served.pid, 0);
	ck_assert_str_eq(r.served.exe, "");
	ck_assert(judge_passed(&r));
}
END_TEST

static struct served_look
look(int state, pid_t pid, unsigned long long sockets, size_t n)
{
	struct served_look l = { .state = state, .port = 8080, .pid = pid,
	    .sockets = sockets, .nsockets = n };

	strcpy(l.user, pid == 207 ? "deploy" : "www-data");
	strcpy(l.exe, pid == 207 ? "/usr/bin/python3" : "/usr/sbin/nginx");
	if (state != SERVED_BY)
		strcpy(l.detail, "port 8080 is held by pid 207");
	return l;
}

/* The looks before and after the fetch: both must see the service alone. */
START_TEST(served_verdict_of_two_looks)
{
	struct served_look a = look(SERVED_BY, 123, 77, 1), b = a;
	struct verify_served v;

	served_verdict(&a, &b, "nginx", &v);
	ck_assert_int_eq(v.state, SERVED_BY);
	ck_assert_int_eq(v.pid, 123);
	ck_assert_str_eq(v.service, "nginx");
	ck_assert_str_eq(v.user, "www-data");
	/* the impostor before: named */
	a = look(SERVED_OTHER, 207, 78, 1);
	served_verdict(&a, &b, "nginx", &v);
	ck_assert_int_eq(v.state, SERVED_OTHER);
	ck_assert_int_eq(v.pid, 207);
	ck_assert_str_eq(v.detail, "port 8080 is held by pid 207");
	/* it came while the request ran, and holds the port still */
	a = look(SERVED_BY, 123, 77, 1);
	b = look(SERVED_OTHER, 207, 77, 1);
	served_verdict(&a, &b, "nginx", &v);
	ck_assert_int_eq(v.state, SERVED_OTHER);
	ck_assert_int_eq(v.pid, 207);
	ck_assert_str_eq(v.detail, "after the request, port 8080 is held by "
	    "pid 207");
	/* it came and went: the service holds other sockets than before */
	b = look(SERVED_BY, 123, 99, 1);
	served_verdict(&a, &b, "nginx", &v);
	ck_assert_int_eq(v.state, SERVED_OTHER);
	ck_assert_str_eq(v.detail, "port 8080's listening sockets changed "
	    "during the request (1 before, 1 after): who answered cannot be told");
	b = look(SERVED_BY, 123, 77, 2);
	served_verdict(&a, &b, "nginx", &v);
	ck_assert_int_eq(v.state, SERVED_OTHER);
	/* a look that did not come back is "cannot tell", never served */
	b = look(SERVED_BY, 123, 77, 1);
	b.state = SERVED_UNASKED;
	b.detail[0] = '\0';
	served_verdict(&a, &b, "nginx", &v);
	ck_assert_int_eq(v.state, SERVED_UNKNOWN);
	ck_assert_str_eq(v.detail, "after the request, who holds port 8080 could "
	    "not be looked at");
}
END_TEST

/* ---- verify_check for real (root only) ------------------------------------------- */

/* A server for one request on 127.0.0.1: answers RESPONSE, then exits. */
static pid_t
serve_once(const char *response, int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), c;
	char buf[4096];
	pid_t pid;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(s, 1), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	if ((pid = fork()) == 0) {
		alarm(20);
		if ((c = accept(s, NULL, NULL)) == -1)
			_exit(1);
		(void)!read(c, buf, sizeof(buf));
		(void)!write(c, response, strlen(response));
		close(c);
		_exit(0);
	}
	close(s);
	return pid;
}

/*
 * In a child made to look like setuid root run by nobody: enter the
 * caller's step (unless STAY_ROOT), then verify_check URL.  Returns the
 * child's exit status: the result's error, or 100 + something wrong.
 */
static int
check_as_nobody_within(const char *url, bool stay_root, double within)
{
	static const gid_t groups[] = { NOBODY };
	struct check c = a_check();
	struct verify_identity who = { NOBODY, NOBODY, groups, 1 };
	struct verify_result r;
	int status, devnull;
	pid_t pid;

	c.url = url;
	c.timeout = 3.0;
	c.within = within;
	if ((pid = fork()) == 0) {
		if (setgroups(1, groups) || setresgid(NOBODY, 0, 0) ||
		    setresuid(NOBODY, 0, 0))
			_exit(101);
		if (!stay_root && privilege_enter(STEP_CALLER, NULL, 0) != 0)
			_exit(102);
		/* privilege_verify says why it refuses: not in the log */
		if ((devnull = open("/dev/null", O_WRONLY)) != -1)
			dup2(devnull, 2);
		if (verify_check(&c, &who, &r) == -1 &&
		    r.error != VERIFY_INTERNAL)
			_exit(103);
		if (stay_root && strstr(r.detail, "privilege") == NULL)
			_exit(104);
		/* a wrong answer: 50 + the attempts it took */
		_exit(judge_passed(&r) ? 0 : r.error == VERIFY_OK ? 50 +
		    (r.attempts < 9 ? r.attempts : 9) : r.error);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int
check_as_nobody(const char *url, bool stay_root)
{
	return check_as_nobody_within(url, stay_root, 0);
}

START_TEST(verify_check_passes_with_nothing_held)
{
	char url[64];
	int port, status;
	pid_t server = serve_once("HTTP/1.1 200 OK\r\nContent-Length: 26\r\n"
	    "Connection: close\r\n\r\n<h1>Fall collection</h1>\r\n", &port);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	ck_assert_int_eq(check_as_nobody(url, false), 0);
	ck_assert_int_eq(waitpid(server, &status, 0), server);
}
END_TEST

START_TEST(verify_check_refuses_with_a_capability_left)
{
	char url[64];
	int port;
	pid_t server = serve_once("HTTP/1.1 200 OK\r\n\r\n", &port);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	ck_assert_int_eq(check_as_nobody(url, true), VERIFY_INTERNAL);
	/* nothing connected: the server is still waiting */
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
}
END_TEST

START_TEST(verify_check_says_connection_refused)
{
	int port;
	pid_t server = serve_once("", &port);
	char url[64];

	/* the port is closed once the server is gone */
	kill(server, SIGKILL);
	waitpid(server, NULL, 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	ck_assert_int_eq(check_as_nobody(url, false), VERIFY_CONNECT);
}
END_TEST

/* within = 10 and a 500: one attempt, not ten seconds of them */
START_TEST(verify_check_does_not_wait_on_a_500)
{
	char url[64];
	int port, status;
	pid_t server = serve_once("HTTP/1.1 500 Internal Server Error\r\n"
	    "Content-Length: 0\r\nConnection: close\r\n\r\n", &port);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	ck_assert_int_eq(check_as_nobody_within(url, false, 10.0), 50 + 1);
	ck_assert_int_eq(waitpid(server, &status, 0), server);
}
END_TEST

Suite *
verify_suite(void)
{
	Suite *s = suite_create("verify");
	TCase *tc = tcase_create("verdict");
	TCase *live = tcase_create("verify_check");

	/*
	 * 3000 random results, each rendered three ways: about 1 s alone,
	 * past Check's default 4 s on 2 cores at load 8 (seen twice).
	 */
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, sha256_fips_vectors);
	tcase_add_test(tc, sha256_block_edges_and_a_million);
	tcase_add_test(tc, contains_is_found_across_every_chunk_boundary);
	tcase_add_test(tc, contains_not_found_names_what_was_read);
	tcase_add_test(tc, body_cap_is_a_failure_not_a_crash);
	tcase_add_test(tc, sha256_of_the_body);
	tcase_add_test(tc, header_matching);
	tcase_add_test(tc, header_of_the_last_response_counts);
	tcase_add_test(tc, a_wrong_status_is_all_that_is_said);
	tcase_add_test(tc, passed_lines_exactly);
	tcase_add_test(tc, failed_lines_exactly);
	tcase_add_test(tc, each_error_in_words);
	tcase_add_test(tc, json_of_a_pass);
	tcase_add_test(tc, hostile_server_text_is_escaped);
	tcase_add_test(tc, unknown_line);
	tcase_add_test(tc, reason_fits);
	tcase_add_test(tc, any_bytes_render_safely_once_sanitized);
	tcase_add_test(tc, an_empty_result_never_passes);
	tcase_add_test(tc, a_difference_not_asked_is_malformed);
	tcase_add_test(tc, certdate_accepts_the_one_form);
	tcase_add_test(tc, certdate_refuses_the_rest);
	tcase_add_test(tc, cert_min_days_judged);
	tcase_add_test(tc, https_lines_exactly);
	tcase_add_test(tc, only_not_ready_is_retried);
	tcase_add_test(tc, cert_fields_sanitized);
	tcase_add_test(tc, served_lines_exactly);
	tcase_add_test(tc, served_fields_sanitized);
	tcase_add_test(tc, served_verdict_of_two_looks);
	suite_add_tcase(s, tc);
	if (geteuid() != 0) {
		fputs("verify: not root: verify_check itself is left out\n",
		    stderr);
		return s;
	}
	tcase_set_timeout(live, 30);
	tcase_add_test(live, verify_check_passes_with_nothing_held);
	tcase_add_test(live, verify_check_refuses_with_a_capability_left);
	tcase_add_test(live, verify_check_says_connection_refused);
	tcase_add_test(live, verify_check_does_not_wait_on_a_500);
	suite_add_tcase(s, live);
	return s;
}
