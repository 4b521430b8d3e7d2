/*
 * certdate.h - the "Expire date" libcurl reports for a certificate
 * (CURLINFO_CERTINFO), to seconds since the epoch.  Pure: the text is the
 * server's certificate as the TLS library prints it, so it is parsed
 * strictly, in the verify child that holds nothing, and fuzzed
 * (tests/fuzz/fuzz_certdate.c).
 */
#ifndef CUTOVER_CERTDATE_H
#define CUTOVER_CERTDATE_H

#include <stddef.h>

/* The latest date accepted: 9999-12-31 23:59:59 UTC (X.509's own end). */
#define CERTDATE_MAX 253402300799LL

/*
 * TEXT (LEN bytes, not terminated) as OpenSSL's ASN1_TIME_print() writes
 * it, which is what Debian's libcurl (the OpenSSL build) reports:
 * "Dec 27 14:06:12 2026 GMT", the day space-padded ("Dec  7").  Every
 * field in range (the day in its month, leap years counted), a year from
 * 1970 to 9999, nothing before or after.  Returns 0 with *EPOCH, or -1.
 */
int certdate_parse(const char *text, size_t len, long long *epoch);

/* "Expire date:..." of one libcurl certinfo line: the date's text, or
 * NULL when LINE is another field. */
const char *certdate_field(const char *line);

#endif
