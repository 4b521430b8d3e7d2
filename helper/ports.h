/*
 * ports.h - who holds a listening TCP port, by identity: the processes
 * that have the listening socket open, with the device and inode of their
 * executable, their uid and parent.  Reading other users' /proc/PID/fd
 * needs the free-port/stop/start step's cap_sys_ptrace and
 * cap_dac_read_search.
 */
#ifndef CUTOVER_PORTS_H
#define CUTOVER_PORTS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

#define HOLDERS_MAX 1024

struct holder {
	pid_t pid;
	pid_t ppid;
	uid_t uid;                  /* real uid, from /proc/PID/status */
	dev_t exe_dev;              /* of the file /proc/PID/exe points to */
	ino_t exe_ino;
	bool exe_deleted;           /* "(deleted)": replaced or removed */
	char exe[256];              /* readlink of /proc/PID/exe, for messages */
	unsigned long inode;        /* a listening socket it holds */
	unsigned long long sockets; /* which of holders.sockets[], as bits */
	const struct service *service;  /* the permitted holder it is, or NULL */
};

struct holders {
	struct holder v[HOLDERS_MAX];
	size_t n;
	unsigned long sockets[64];  /* inodes of the LISTEN sockets on the port */
	size_t nsockets;
	/*
	 * LISTEN sockets no visible process holds (another pid namespace,
	 * a process that exited mid-scan): their holder can't be identified,
	 * so nothing may be signalled for them.
	 */
	size_t nunseen;
};

/*
 * Every process holding a listening socket on PORT (IPv4 and IPv6).
 * Returns 0 (n may be 0: the port is free), or -1 with WHY.
 */
int ports_holders(int port, struct holders *out, char *why, size_t whylen);

/* Is anything listening on PORT?  1 yes, 0 no, -1 error. */
int ports_listening(int port);

/*
 * Mark each holder with the service (of SERVICES) whose exe it runs:
 * same device and inode, and not deleted.  Returns the number of holders
 * that match none.
 */
size_t ports_match(struct holders *h, const struct service *const *services,
    size_t nservices);

/* Same identity: the holder runs the file SVC->exe names (dev+ino). */
bool holder_is(const struct holder *h, const struct service *svc);

/* Still the same process, exe, uid, holding its socket?  (procs.c) */
bool holder_still(const struct holder *h);

/* "pid 1234 (/usr/bin/python3, user intruder, uid 1001)" */
void holder_describe(const struct holder *h, char *buf, size_t size);

#endif
