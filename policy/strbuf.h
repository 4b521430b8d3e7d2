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

#include <stdbool.h>
#include <stddef.h>

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
/*
 * Append S as a JSON string literal, quotes included.  Bytes that are not
 * valid UTF-8 become U+FFFD; control characters, '"', '\\', and U+2028/9
 * are escaped, so the result is always one valid JSON line.
 */
void sb_json_string(struct strbuf *, const char *s, size_t len);
void sb_json_cstr(struct strbuf *, const char *s); /* NULL -> null */
/*
 * Append S for a terminal or a log line: every byte outside printable
 * ASCII becomes \xNN, so text from a policy or a caller can't move the
 * cursor or fake a line (C1 controls such as U+009B included).
 */
void sb_printable(struct strbuf *, const char *s);
bool sb_failed(const struct strbuf *);
const char *sb_str(const struct strbuf *);  /* "" when empty */
void sb_free(struct strbuf *);

#endif
