/*
 * unitlog.c - a unit's failed start in its own words (unitlog.h): pure,
 * no I/O, no privilege.  Must never let a byte of a server's output reach
 * a terminal or a record unless it is printable ASCII.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "helper/act/svc/unitlog.h"

/* The end of the escape sequence that starts at D[I] (an ESC): its length. */
static size_t
escape_len(const unsigned char *d, size_t i, size_t n)
{
	size_t k = i + 1;

	if (k >= n)
		return 1;
	if (d[k] == '[') {              /* CSI: parameters, then a final byte */
		for (k++; k < n && (d[k] < 0x40 || d[k] > 0x7e); k++)
			;
		return (k < n ? k + 1 : n) - i;
	}
	if (d[k] == ']' || d[k] == 'P' || d[k] == '_' || d[k] == '^') {
		/* OSC, DCS, APC, PM: a string, to BEL or ST (ESC \) */
		for (k++; k < n && d[k] != 0x07 &&
		    !(d[k] == 0x1b && k + 1 < n && d[k + 1] == '\\'); k++)
			;
		if (k < n && d[k] == 0x1b)
			k++;
		return (k < n ? k + 1 : n) - i;
	}
	return 2;                       /* ESC and one byte: ESC c, ESC 7, ... */
}

void
unitlog_clean(const void *data, size_t n, char *out, size_t size)
{
	const unsigned char *d = data;
	const char *text = data;        /* the same bytes, to copy */
	size_t i = 0, len = 0;
	bool blank = false, cut = false;

	while (i < n && !cut) {
		unsigned char c = d[i];

		if (c == 0x1b) {
			i += escape_len(d, i, n);
			continue;
		}
		i++;
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			blank = len > 0;
			continue;
		}
		if (len + (blank ? 2 : 1) >= size) {
			cut = true;
			break;
		}
		if (blank)
			out[len++] = ' ';
		blank = false;
		if (c >= 0x20 && c < 0x7f)
			out[len++] = text[i - 1];
		else
			out[len++] = '?';
	}
	if (cut) {
		if (len > size - 4)
			len = size - 4;
		memcpy(out + len, "...", 3);
		len += 3;
	}
	out[len] = '\0';
}

/* "exit status 1", "killed by signal 9 (SIGKILL)", "status 0" */
static void
exit_words(const struct unitlog_exit *ex, char *buf, size_t size)
{
	const char *sig = ex->code == CLD_KILLED || ex->code == CLD_DUMPED ?
	    sigabbrev_np(ex->status) : NULL;

	if (ex->code == CLD_EXITED)
		snprintf(buf, size, ", exit status %d", ex->status);
	else if (ex->code == CLD_KILLED || ex->code == CLD_DUMPED)
		snprintf(buf, size, ", %s by signal %d%s%s%s", ex->code ==
		    CLD_DUMPED ? "dumped core" : "killed", ex->status,
		    sig ? " (SIG" : "", sig ? sig : "", sig ? ")" : "");
	else
		buf[0] = '\0';
}

void
unitlog_say(char *buf, size_t size, const char *unit, const char *how,
    const char (*lines)[UNITLOG_LINE_MAX], size_t n,
    const struct unitlog_exit *ex)
{
	char exited[96];
	size_t i, len;

	if (n == 0) {
		exit_words(ex, exited, sizeof(exited));
		snprintf(buf, size, "%s failed (%s%ssystemd: Result=%s%s; its "
		    "journal has nothing of this start)", unit, how, how[0] ?
		    "; " : "", ex->result && ex->result[0] ? ex->result : "?",
		    exited);
		return;
	}
	len = (size_t)snprintf(buf, size, "%s failed%s%s%s:", unit, how[0] ?
	    " (" : "", how, how[0] ? ")" : "");
	for (i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
		    i == 0 ? " " : " | ", lines[i]);
}
