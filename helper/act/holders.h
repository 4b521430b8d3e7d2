/*
 * holders.h - who holds a listening TCP port, by identity: the processes
 * that have the listening socket open, with the device and inode of their
 * executable, their real and effective uid and parent.  Reading other
 * users' /proc/PID/fd needs the free-port/stop/start step's
 * cap_sys_ptrace and cap_dac_read_search.
 *
 * What cannot be read or counted is never taken for "free" or "gone":
 * every scan either accounts for every socket and process or fails.
 */
#ifndef CUTOVER_HOLDERS_H
#define CUTOVER_HOLDERS_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>

#include "policy/policy.h"

#define HOLDERS_MAX 1024            /* processes holding one port */
#define PORT_SOCKETS_MAX 64         /* LISTEN sockets on one port (a mask) */

#define HOLDER_CGROUP_MAX 512         /* a unit's control group path */

/*
 * Who may run a service's exe and count as that service: the uids of its
 * user and of its holder_users, resolved at request time; for a unit's
 * service also the unit's control group, as systemd names it then
 * ("/system.slice/nginx.service"; "" while the unit has none: nothing is
 * then the service's).
 */
struct holder_ids {
	const struct service *svc;
	uid_t uid[POLICY_HOLDER_USERS_MAX];
	size_t n;
	bool in_unit;               /* the cgroup must match too */
	char cgroup[HOLDER_CGROUP_MAX];
};

struct holder {
	pid_t pid;
	pid_t ppid;
	uid_t uid;                  /* real uid, from /proc/PID/status */
	uid_t euid;                 /* effective uid, the same line */
	dev_t exe_dev;              /* of the file /proc/PID/exe points to */
	ino_t exe_ino;
	bool exe_deleted;           /* "(deleted)": replaced or removed */
	char exe[256];              /* readlink of /proc/PID/exe, for messages */
	unsigned long inode;        /* a listening socket it holds */
	unsigned long long sockets; /* which of holders.sockets[], as bits */
	const struct service *service;  /* the permitted holder it is, or NULL */
	const struct holder_ids *ids;   /* and whose uids made it so */
};

/*
 * What address a listening socket is bound to, as a server that is
 * handed it must listen: nginx takes an inherited socket for a listen
 * directive of the same address, and binds every other one itself.
 */
enum listen_kind {
	LISTEN_V4_ANY,          /* 0.0.0.0:PORT */
	LISTEN_V6_DUAL,         /* [::]:PORT, IPv4 too (IPV6_V6ONLY off) */
	LISTEN_V6_ONLY,         /* [::]:PORT, IPv6 alone */
	LISTEN_ONE_ADDRESS,     /* one address: 127.0.0.1:PORT, [::1]:PORT */
};

struct holders {
	struct holder v[HOLDERS_MAX];
	size_t n;
	unsigned long sockets[PORT_SOCKETS_MAX]; /* LISTEN sockets' inodes */
	enum listen_kind kinds[PORT_SOCKETS_MAX]; /* and what each is bound to */
	size_t nsockets;
	/*
	 * LISTEN sockets no visible process holds (another pid namespace,
	 * a process that exited mid-scan): their holder can't be identified,
	 * so nothing may be signalled for them.
	 */
	size_t nunseen;
	size_t nhidden;             /* processes whose fds can't be read */
};

/*
 * Every process holding a listening socket on PORT (IPv4 and IPv6).
 * Returns 0 (n may be 0: the port is free); 1 (EXIT_FAILED) when a table
 * or a process's /proc entry could not be read; 3 (EXIT_REFUSED) when
 * there are more sockets or processes than OUT can hold.  WHY says which.
 */
int ports_holders(int port, struct holders *out, char *why, size_t whylen);

/*
 * PID 1 keeps listening sockets for units: a unit's file descriptor store
 * (what cutover-handoff gives systemd to keep across a restart), a socket
 * unit's.  Such a socket is the unit's only as far as the processes that
 * share it are, so ports_holders drops PID 1 (root) from OUT when every
 * socket it holds there is also held by another process of OUT: those are
 * judged by their identity (exe, users, a unit's cgroup), as every holder
 * is.  A socket PID 1 holds alone keeps it a holder, which is no
 * service's: "held by PID 1" alone is never trusted.
 */
void holders_fold_manager(struct holders *out);

/* Is anything listening on PORT?  1 yes, 0 no, -1 error. */
int ports_listening(int port);

/*
 * Is any of the N sockets INODES still listening on PORT (the kernel's
 * table, whoever holds it)?  1 yes, 0 no, -1 cannot tell (WHY).
 */
int ports_listening_any(int port, const unsigned long *inodes, size_t n,
    char *why, size_t whylen);

/*
 * The uids SVC's processes may run as: its user, or each of its
 * holder_users.  0; 3 (EXIT_REFUSED) when a user does not exist; 1
 * (EXIT_FAILED) when the database could not be read.  WHY names it.
 * Names are looked up now, not when the policy was loaded.
 */
int holder_ids_resolve(const struct service *svc, struct holder_ids *ids,
    char *why, size_t whylen);

/*
 * Mark each holder with the first of IDS[0..N) it is (holder_is).
 * Returns the number of holders that match none.
 */
size_t ports_match(struct holders *h, const struct holder_ids *ids, size_t n);

/*
 * H is one of IDS's service: it runs the file the service's exe names
 * (device and inode, not deleted), its real and effective uid are
 * both among IDS's, and for a unit it is in the unit's cgroup or below.
 */
bool holder_is(const struct holder *h, const struct holder_ids *ids);

/*
 * Why H is none of the N services IDS[]: of the one it is most like,
 * what differs first - "its executable is not /usr/sbin/nginx (nginx's)",
 * "it runs /usr/sbin/nginx, but not as root or www-data (nginx's
 * users)", or, when exe and users are right, "it runs ... but in control
 * group /user.slice/..., not in nginx.service's /system.slice/...".
 * "" when H is that service's.
 */
void holder_mismatch(const struct holder *h, const struct holder_ids *ids,
    size_t n, char *buf, size_t size);

/*
 * A switch's handed sockets stay its own: is every process that holds
 * one of INODES[0..N) on PORT one of the services IDS[0..NIDS) (SELF,
 * the transaction, aside)?  1 yes; 0 no, WHY names the first that is
 * not and what differs; -1 cannot tell (WHY).
 */
int handed_holders_are(int port, const unsigned long *inodes, size_t n,
    const struct holder_ids *ids, size_t nids, pid_t self, char *why,
    size_t whylen);

/*
 * Still the process that was found: same executable, same real and
 * effective uid, still holding its socket?  1 yes, 0 no (it changed, or
 * /proc shows it holds the socket no more), -1 cannot tell (a read
 * failed; WHY says which).
 */
int holder_same(const struct holder *h, char *why, size_t whylen);

/*
 * Does H's process still have its socket open?  1 yes, 0 no (its
 * descriptor table was read whole, or it no longer exists), -1 cannot
 * tell (WHY).  Says nothing about who the process is now.
 */
int holder_holds(const struct holder *h, char *why, size_t whylen);

/*
 * Is PID asleep in a call that waits for connections or events - accept,
 * poll, select, epoll?  1 yes, 0 no (running, or in any other call), -1
 * cannot tell (/proc/PID/syscall needs the step's cap_sys_ptrace).  A
 * server that inherited its listening socket holds it from its exec on,
 * before it has even read its configuration: holding proves nothing, a
 * process that waits with it has reached its loop.
 */
int holder_waiting(pid_t pid);

/*
 * PID's state letter in /proc/PID/stat ('T': stopped by a signal, 'S',
 * 'R', ...), or -1 when it cannot be read (it exited).
 */
int holder_run_state(pid_t pid);

/*
 * PID's control group: the cgroup v2 ("0::") path of /proc/PID/cgroup,
 * or the name=systemd hierarchy's on a host of cgroup v1 (systemd's
 * own, where it tracks units).  0, or -1 when it cannot be read.
 */
int holder_cgroup(pid_t pid, char *buf, size_t size);

/* PID is in CGROUP or below it (a unit's delegated sub-cgroups). */
bool holder_in_cgroup(pid_t pid, const char *cgroup);

/* UID is one of IDS's. */
bool holder_ids_have(const struct holder_ids *ids, uid_t uid);

/* The same, from F, a /proc/PID/cgroup's text (for the tests). */
int holder_cgroup_read(FILE *f, char *buf, size_t size);

/*
 * One answer of a NETLINK_SOCK_DIAG dump of TCP sockets, the N bytes of
 * BUF (aligned as recvmsg fills a malloc'd buffer): the LISTEN sockets on
 * PORT appended to OUT's sockets and kinds.  0 more to come, 1 done, -1
 * the kernel's error (errno), -2 an interrupted or malformed dump, or 3
 * (EXIT_REFUSED, WHY) with more sockets than OUT holds.  Pure, for the
 * fuzz target tests/fuzz/fuzz_sockdiag.c: the lengths in it are read,
 * never trusted.
 */
int port_dump_take(const char *buf, size_t n, int port, struct holders *out,
    char *why, size_t whylen);

/* "pid 1234 (/usr/bin/python3, user intruder, uid 1001)" */
void holder_describe(const struct holder *h, char *buf, size_t size);

/* "root or www-data": IDS's users, for messages. */
void holder_ids_describe(const struct holder_ids *ids, char *buf, size_t size);

/* "12, 13, 14": the first N of PIDS that fit in BUF, for messages. */
void pids_describe(const pid_t *pids, size_t n, char *buf, size_t size);

#endif
