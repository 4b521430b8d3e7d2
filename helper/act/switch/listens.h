/*
 * listens.h - will nginx serve on the sockets a switch hands it?  A pure
 * function of nginx's own dump of its configuration (nginx -T) and of
 * what each of the plan's ports will be handed (listens.c).
 *
 * nginx takes an inherited socket for each listen directive of the same
 * address and binds every other one itself.  Handed apache2's one
 * dual-stack socket [::]:80, Debian's shipped site (listen 80; listen
 * [::]:80;) makes nginx bind 0.0.0.0:80 beside it, which the kernel
 * refuses: nginx fails to start.  And a handed socket that no listen
 * asks for is closed by nginx: the port stops answering.  The pre-flight
 * says so before anything is done, naming the file and line and what to
 * write instead.
 *
 * The dump is what a root process printed about files the deploy user
 * may be able to write: it is parsed as untrusted, in a process with no
 * privilege (fuzz target fuzz_listens).
 */
#ifndef CUTOVER_SWITCH_LISTENS_H
#define CUTOVER_SWITCH_LISTENS_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/act/holders.h"

#define LISTENS_MAX 4096        /* listen directives read from one dump */
#define LISTEN_FILE_MAX 200     /* the file a directive is in, as dumped */
#define LISTEN_TEXT_MAX 120     /* the directive, for messages */

/* One listen directive on a TCP port. */
struct listen_directive {
	char file[LISTEN_FILE_MAX];
	int line;
	int port;
	enum listen_kind kind;
	bool reuseport;
	char text[LISTEN_TEXT_MAX];     /* "listen [::]:80 default_server" */
};

struct listen_set {
	struct listen_directive v[LISTENS_MAX];
	size_t n;
};

/*
 * The listen directives of DUMP (LEN bytes of nginx -T's standard
 * output), in order, into OUT.  0, or -1 with WHY (more directives than
 * OUT holds, a line or token too long, an unterminated quote).
 */
int listens_parse(const char *dump, size_t len, struct listen_set *out,
    char *why, size_t whylen);

/* A set of listen_kinds: what one port is handed. */
#define LISTEN_BIT(kind) (1u << (kind))
/* The sets a port can be handed: one socket, or the IPv4 and IPv6 pair. */
#define HANDED_DUAL LISTEN_BIT(LISTEN_V6_DUAL)
#define HANDED_V4 LISTEN_BIT(LISTEN_V4_ANY)
#define HANDED_PAIR (LISTEN_BIT(LISTEN_V4_ANY) | LISTEN_BIT(LISTEN_V6_ONLY))

/*
 * Will nginx serve every port of PORTS (N of them) on exactly the sockets
 * it is handed, HANDED[i] (HANDED_DUAL, HANDED_V4 or HANDED_PAIR): a
 * listen for each, and none for another address of the port?  0, or -1
 * with WHY: "FILE:LINE: 'listen 80' asks for ...; write ... in its place".
 */
int listens_judge(const struct listen_set *, const int *ports,
    const unsigned *handed, size_t n, char *why, size_t whylen);

#endif
