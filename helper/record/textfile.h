/*
 * textfile.h - a check's metrics as a file of node_exporter's textfile
 * collector (verify --textfile): DIR/cutover_CHECK.prom, replaced whole.
 *
 * The transaction writes it, as root, after the check's outcome record,
 * into CUTOVER_TEXTFILE_DIR: a directory fixed when cutover is built,
 * never one the caller names (a root write into a caller's directory
 * would be a way to plant files as root).  Debian's
 * prometheus-node-exporter reads /var/lib/prometheus/node-exporter,
 * 0755 root:root, which only root may write.
 */
#ifndef CUTOVER_TEXTFILE_H
#define CUTOVER_TEXTFILE_H

#include <stddef.h>

#ifndef CUTOVER_TEXTFILE_DIR
#define CUTOVER_TEXTFILE_DIR "/var/lib/prometheus/node-exporter"
#endif

/*
 * Put CONTENT in DIR/cutover_CHECK.prom, 0644: a temporary file in DIR
 * (".cutover_CHECK.prom.PID", which the collector's *.prom ignores),
 * then rename(2), so the exporter reads the old file or the new one,
 * never half of one.  DIR is opened once without following a symbolic
 * link and must be a directory owned by root or by this process's euid
 * (the unit tests') that neither its group nor others may write; the
 * temporary file is created O_EXCL | O_NOFOLLOW.  CHECK is a policy
 * name (letters, digits, _ and -).  Returns 0, or -1 with WHY.
 */
int textfile_write(const char *dir, const char *check, const char *content,
    char *why, size_t whylen);

#endif
