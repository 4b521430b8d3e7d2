/*
 * gzapi.h - zlib by dlopen(), for `cutover log` reading a rotated file
 * logrotate compressed (audit.jsonl.2.gz and older).
 *
 * Not linked: the setuid binary loads only libc, libpam, libconfig and
 * libcap (tests/cli/t-linkage.sh), so zlib's code never runs as root; it
 * is loaded by `log`, after that command has given up every privilege,
 * and only when a file starts with gzip's magic bytes.  Debian's zlib1g
 * is Priority: required (on every Debian system); the packages depend on
 * it by name.
 */
#ifndef CUTOVER_GZAPI_H
#define CUTOVER_GZAPI_H

#include <stddef.h>
#include <zlib.h>

struct gzapi {
	gzFile (*dopen)(int fd, const char *mode);
	int (*read)(gzFile, voidp buf, unsigned len);
	int (*close)(gzFile);
	const char *(*error)(gzFile, int *errnum);
};

extern struct gzapi gzapi;

/* Load libz.so.1 into gzapi.  0, or -1 with WHY. */
int gzapi_load(char *why, size_t whylen);

#endif
