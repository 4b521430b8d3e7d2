/*
 * certdate.c - a certificate's expiry date as libcurl prints it, to
 * seconds since the epoch (certdate.h).  No libc time functions: strptime
 * and timegm follow the locale and the TZ environment, and accept more
 * than they should; this reads one fixed form and nothing else.
 */
#include <string.h>

#include "helper/verify/certdate.h"

#define EXPIRE_FIELD "Expire date:"

static const char months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

static int
is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(long y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
	    31, 30, 31 };

	return days[m] + (m == 1 && is_leap(y));
}

/* Days from 1970-01-01 to Y-M-D (M 0-11), Y >= 1970. */
static long long
days_since_epoch(long y, int m, int d)
{
	long long days = 0;
	long yy;
	int mm;

	/* whole years: 365 each, plus the leap days before Y */
	days = (long long)(y - 1970) * 365;
	for (yy = 1972; yy < y; yy += 4)
		days += is_leap(yy);
	for (mm = 0; mm < m; mm++)
		days += month_days(y, mm);
	return days + d - 1;
}

/* N digits at *P into *V (no sign, no blank); advances *P. */
static int
digits(const char **p, const char *end, int n, long *v)
{
	*v = 0;
	if (end - *p < n)
		return -1;
	for (; n > 0; n--, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

static int
literal(const char **p, const char *end, const char *s)
{
	size_t n = strlen(s);

	if ((size_t)(end - *p) < n || memcmp(*p, s, n) != 0)
		return -1;
	*p += n;
	return 0;
}

static int
month_of(const char **p, const char *end, int *m)
{
	for (*m = 0; *m < 12; (*m)++)
		if (literal(p, end, months[*m]) == 0)
			return 0;
	return -1;
}

/* "DD" or " D" (ASN1_TIME_print's "%2d"), 1 to 31. */
static int
day_of(const char **p, const char *end, long *d)
{
	if (end - *p >= 2 && (*p)[0] == ' ') {
		(*p)++;
		return digits(p, end, 1, d) == 0 && *d >= 1 ? 0 : -1;
	}
	return digits(p, end, 2, d) == 0 && *d >= 10 ? 0 : -1;
}

int
certdate_parse(const char *text, size_t len, long long *epoch)
{
	const char *p = text, *end = text + len;
	long day, hh, mi, ss, year;
	int m;

	if (month_of(&p, end, &m) == -1 || literal(&p, end, " ") == -1 ||
	    day_of(&p, end, &day) == -1 || literal(&p, end, " ") == -1 ||
	    digits(&p, end, 2, &hh) == -1 || literal(&p, end, ":") == -1 ||
	    digits(&p, end, 2, &mi) == -1 || literal(&p, end, ":") == -1 ||
	    digits(&p, end, 2, &ss) == -1 || literal(&p, end, " ") == -1 ||
	    digits(&p, end, 4, &year) == -1 || literal(&p, end, " GMT") == -1 ||
	    p != end)
		return -1;
	if (year < 1970 || hh > 23 || mi > 59 || ss > 59 ||
	    day > month_days(year, m))
		return -1;
	*epoch = days_since_epoch(year, m, (int)day) * 86400 +
	    hh * 3600 + mi * 60 + ss;
	return 0;
}

const char *
certdate_field(const char *line)
{
	size_t n = strlen(EXPIRE_FIELD);

	return strncmp(line, EXPIRE_FIELD, n) == 0 ? line + n : NULL;
}
