/*
 * unitlog.h - what a unit's failed start is told in (unitlog.c, pure):
 * its journal's own lines, made safe to print, or when it has none what
 * systemd says of it.  Reading the journal is journal.c's; this only
 * cleans and words, so that the unit tests reach all of it.
 *
 * Journal text is untrusted: a server's output may hold anything (terminal
 * escapes, control characters, bytes that are not text, any length).
 */
#ifndef CUTOVER_UNITLOG_H
#define CUTOVER_UNITLOG_H

#include <stddef.h>

#define UNITLOG_LINES 5         /* lines of a failed start told */
#define UNITLOG_LINE_MAX 200    /* bytes of one, its NUL included */

/*
 * The N bytes of DATA (one journal MESSAGE, not NUL-terminated, maybe not
 * text) into OUT (SIZE >= 4) as one line of printable ASCII: terminal
 * escape sequences (CSI, OSC, and any other ESC pair) removed, every other
 * control character, DEL and non-ASCII byte a '?', runs of blanks one
 * space, no blank at either end; cut at SIZE - 1 bytes with "..." at the
 * end.  OUT may end up "" (a line of escapes and blanks only).
 */
void unitlog_clean(const void *data, size_t n, char *out, size_t size);

/* What systemd says of a failed service, when its journal says nothing. */
struct unitlog_exit {
	const char *result;     /* Service.Result: "exit-code", "signal", ... */
	int code;               /* ExecMainCode: CLD_EXITED, CLD_KILLED, ... */
	int status;             /* ExecMainStatus: exit status or signal */
};

/*
 * The words for UNIT's failed start into BUF: "nginx.service failed (HOW):
 * LINE | LINE" with the N LINES (oldest first), or with none
 * "nginx.service failed (HOW; systemd: Result=exit-code, exit status 1;
 * its journal has nothing of this start)".  HOW (what cutover did about
 * it; "" for nothing) comes before the lines: an audit record keeps only
 * the first AUDIT_STR_MAX bytes, and what was done must be among them.
 * Never a guess of why.
 */
void unitlog_say(char *buf, size_t size, const char *unit, const char *how,
    const char (*lines)[UNITLOG_LINE_MAX], size_t n,
    const struct unitlog_exit *ex);

#endif
