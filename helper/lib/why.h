/*
 * why.h - the one error idiom.  A function that can fail returns its
 * status (-1, or an enum status) and says why in the caller's buffer:
 * parameters `char *why, size_t whylen`, a buffer of WHY_MAX bytes unless
 * the message must fit something smaller (a step's result text).  The
 * message is a sentence the user can act on ("port 8080 is held by ...;
 * free it first (cutover free-port 8080)"), set with why_set().  Only the
 * front prints it (run.c's say(), printable_line: escaped), and the
 * record carries it (audit.c: JSON-escaped).
 */
#ifndef CUTOVER_WHY_H
#define CUTOVER_WHY_H

#include <stddef.h>

#define WHY_MAX 512

/* FMT's message into WHY (cut to WHYLEN; nothing if WHYLEN is 0); -1. */
int why_set(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "WHAT: strerror(errno)" into WHY (EPERM when errno is 0); -1. */
int why_errno(char *why, size_t whylen, const char *what);

#endif
