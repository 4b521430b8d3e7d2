/*
 * why.c - see why.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "helper/lib/why.h"

int
why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (whylen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int
why_errno(char *why, size_t whylen, const char *what)
{
	return why_set(why, whylen, "%s: %s", what,
	    strerror(errno != 0 ? errno : EPERM));
}
