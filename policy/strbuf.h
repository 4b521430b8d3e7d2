/*
 * strbuf.h - a growing string for renderers and encoders, and the one JSON
 * string escaper of the project (explain --format=json and the audit record
 * both use it, so a caller-controlled byte is escaped the same way
 * everywhere).
 *
 * Allocation failure is sticky: the buffer is marked failed, later appends
 * do nothing, and the owner checks sb_failed() once at the end.
 */
#ifndef CUTOVER_STRBUF_H
#define CUTOVER_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct strbuf {
	char *s;        /* NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
	bool failed;
};

#define STRBUF_INIT { NULL, 0, 0, false }

void sb_append(struct strbuf *, const char *, size_t);
void sb_puts(struct strbuf *, const char *);
void sb_printf(struct strbuf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void sb_vprintf(struct strbuf *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));
/*
 * Append S as a JSON string literal, quotes included.  Bytes that are not
 * valid UTF-8 become U+FFFD; control characters (C0, DEL and C1), '"',
 * '\\', and U+2028/9 are escaped, so the result is always one valid JSON
 * line and holds no byte a terminal would take for a control.
 */
void sb_json_string(struct strbuf *, const char *s, size_t len);
void sb_json_cstr(struct strbuf *, const char *s); /* NULL -> null */
/*
 * The one escaper of text for a terminal: append S with every byte
 * outside 0x20..0x7e (newline and tab too) as \xNN, so text from a
 * policy, a caller or a process can't move the cursor, retitle the
 * terminal or fake a line (C1 controls such as U+009B included).  Its
 * output is printable ASCII, so escaping it again changes nothing: a
 * string may pass two sinks.
 */
void sb_printable(struct strbuf *, const char *s);
/*
 * The sinks: every text (not JSON) that reaches stdout or stderr goes
 * through one of these two, so no path can forget to escape.  EOF when
 * nothing could be written (or out of memory), as fputs().
 *
 * printable_fputs: a rendered text of many lines (explain, list, a verify
 *   result): each line escaped as sb_printable() does, the newlines
 *   between them kept - the renderer escaped the newlines of its values.
 * printable_line: one message: the formatted text escaped whole (a
 *   newline in a quoted path too: no fake second line), then a newline.
 */
int printable_fputs(const char *text, FILE *);
int printable_line(FILE *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
bool sb_failed(const struct strbuf *);
const char *sb_str(const struct strbuf *);  /* "" when empty */
void sb_free(struct strbuf *);

#endif
