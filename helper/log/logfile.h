/*
 * logfile.h - an audit file read line by line, for `cutover log`: plain,
 * or gzip-compressed as logrotate leaves the older ones (zlib by dlopen,
 * gzapi.h).  Opened with the caller's own rights: `log` has given up
 * every privilege before it opens anything.
 */
#ifndef CUTOVER_LOGFILE_H
#define CUTOVER_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>

/* A line longer than this is not one cutover writes (its caps, audit.h). */
#define LOGFILE_LINE_MAX (1024 * 1024)

struct logfile;

/* PATH ("-": standard input), open for reading.  NULL with WHY. */
struct logfile *logfile_open(const char *path, char *why, size_t whylen);

/*
 * The next line, without its '\n', valid until the next call.  Returns 1,
 * 0 at the end, -1 with WHY.  *CUT: the line is the file's last and has
 * no '\n' (the file ends inside a line).  A line longer than
 * LOGFILE_LINE_MAX is skipped whole and given as an empty line with
 * *LONGLINE set.
 */
int logfile_next(struct logfile *, const char **line, size_t *len,
    bool *cut, bool *longline, char *why, size_t whylen);

void logfile_close(struct logfile *);   /* NULL is fine */

#endif
