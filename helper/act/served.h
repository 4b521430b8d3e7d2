/*
 * served.h - who serves the port a check reaches (served_by): a look at
 * the port's listening sockets and their holders, with the identity test
 * every other step uses (holders.h's holder_is: exe, users, a unit's
 * cgroup), before the check's fetch and again after it.
 *
 * The look reads other users' /proc/PID/fd: it runs in a step of its
 * own (STEP_LOOK), never in the fetch's, which runs as the caller with
 * nothing and parses what the server sent.
 */
#ifndef CUTOVER_SERVED_H
#define CUTOVER_SERVED_H

#include <sys/types.h>

#include <stddef.h>

#include "helper/act/holders.h"
#include "helper/verify/judge.h"

/* What one look saw: plain bytes, it crosses the step's result pipe. */
struct served_look {
	int state;                      /* SERVED_BY, _OTHER or _UNKNOWN */
	int port;
	pid_t pid;                      /* the service's first holder, or
	                                 * the first that is not the service */
	char user[SERVED_NAME_MAX];
	char exe[VERIFY_TEXT_MAX];
	char detail[VERIFY_TEXT_MAX];   /* what was wrong */
	unsigned long long sockets;     /* the inodes of the port's listening
	                                 * sockets, summed up: another socket
	                                 * after the fetch is another server */
	size_t nsockets;
};

/*
 * As STEP_LOOK: is every listening socket on PORT held by IDS's service,
 * and by nothing else?  SELF (the transaction, which may keep copies of
 * a switch's handed sockets) is no one; so is a process of PAUSED's
 * service (may be NULL) that is stopped: a switch paused its old service
 * while it checks the new one (pause.h), and a stopped process accepts
 * nothing.  Fills OUT either way.
 */
void served_look(int port, const struct holder_ids *ids,
    const struct holder_ids *paused, pid_t self, struct served_look *out);

/*
 * The looks BEFORE and AFTER the fetch, said as a check's result: served
 * by SERVICE only if both saw it alone on the same sockets.  Pure.
 */
void served_verdict(const struct served_look *before,
    const struct served_look *after, const char *service,
    struct verify_served *out);

#endif
