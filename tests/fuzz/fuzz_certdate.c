/*
 * fuzz_certdate.c - the libFuzzer target for the certificate expiry
 * parser (helper/verify/certdate.c): the "Expire date" text libcurl
 * reports from a server's certificate, so every byte of it is the
 * network's.
 *
 * Input: the bytes given to certdate_parse() as they are (not
 * terminated: an exact-size copy, so ASan sees a read past the end), and
 * a NUL-terminated copy given to certdate_field().
 *
 * Whatever the input, it checks:
 *   - a date accepted is in X.509's range (1970 to CERTDATE_MAX), and
 *     written back in the one form (gmtime_r, and a month table of its
 *     own) it is exactly the input: the parser accepts one text per
 *     date and nothing else, and agrees with the C library's calendar;
 *   - certdate_field() gives what follows "Expire date:" exactly when
 *     the text starts with it, and NULL otherwise.
 * A broken invariant prints what broke and calls abort().
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helper/verify/certdate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broken(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void
broken(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("fuzz_certdate: invariant broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* EPOCH as ASN1_TIME_print writes a GMT date: "Dec  7 14:06:12 2026 GMT". */
static void
written(long long epoch, char *buf, size_t size)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)epoch;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		broken("gmtime_r refused %lld", epoch);
	snprintf(buf, size, "%s %2d %02d:%02d:%02d %d GMT", months[tm.tm_mon],
	    tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tm.tm_year + 1900);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *exact = malloc(size ? size : 1), *text = malloc(size + 1);
	const char *field;
	long long epoch = -1;
	char back[64];

	if (exact == NULL || text == NULL)
		broken("out of memory");
	memcpy(exact, data, size);
	memcpy(text, data, size);
	text[size] = '\0';
	if (certdate_parse(exact, size, &epoch) == 0) {
		if (epoch < 0 || epoch > CERTDATE_MAX)
			broken("%lld out of range", epoch);
		written(epoch, back, sizeof(back));
		if (strlen(back) != size || memcmp(back, data, size) != 0)
			broken("\"%.*s\" read as %lld, which is \"%s\"",
			    (int)size, text, epoch, back);
	}
	field = certdate_field(text);
	if ((field != NULL) != (strncmp(text, "Expire date:", 12) == 0) ||
	    (field != NULL && field != text + 12))
		broken("certdate_field(\"%s\")", text);
	free(exact);
	free(text);
	return 0;
}
