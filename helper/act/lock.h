/*
 * lock.h - one request at a time per port and per service.
 *
 * Every action that touches a port or a service (free-port, start, stop,
 * switch and its rollback) holds an exclusive flock(2) on one file per
 * port and per service it touches, from after its request record until
 * after its outcome record.  A second request for any of them is refused
 * (exit 3), naming the txid of the request that holds it: two requests
 * can never both act on the same thing and both say "ok".
 *
 * What a request touches is a pure function of the policy (no I/O), so
 * that it can be tested on its own; taking the locks is the only I/O.
 */
#ifndef CUTOVER_LOCK_H
#define CUTOVER_LOCK_H

#include <stddef.h>
#include <sys/types.h>

#include "policy/policy.h"

/* More than any sane policy: a plan of two services and their ports. */
#define LOCK_TARGETS_MAX 32
/* "service-" + a policy name, or "port-65535" */
#define LOCK_NAME_MAX    (sizeof("service-") + POLICY_NAME_MAX)

/* What a request touches: lock file names, sorted, each once. */
struct lock_targets {
	char name[LOCK_TARGETS_MAX][LOCK_NAME_MAX];
	size_t n;
};

/*
 * The targets of request RQ (decided and allowed by P): free-port P is
 * port P and the services it may stop (the grant's holders); start and
 * stop S are S and each of S's ports; switch PLAN is the union of its
 * steps' (and its rollback's) targets: the plan's port grant, its from
 * and to services; verify touches nothing.  Returns 0, or -1 with WHY
 * (an unknown target, more than LOCK_TARGETS_MAX).
 */
int lock_targets_of(const struct policy *p, const struct request *rq,
    struct lock_targets *out, char *why, size_t whylen);

/* The locks this process holds: one fd per target, in lock order. */
struct locks {
	int fd[LOCK_TARGETS_MAX];
	size_t n;
};

#define LOCKS_INIT { { 0 }, 0 }

/*
 * Take every lock of T in CUTOVER_LOCK_DIR (made 0700 root where missing,
 * every directory from "/" checked), in T's order, without waiting, and
 * write TXID into each one taken.  Returns 0 with all of them held, or -1
 * with none held and WHY: "another cutover request is working on port
 * 8080 (txid ...); ..." or why a lock could not be taken at all.  Any
 * failure is a refusal (fail closed).  Needs euid 0.  An empty T takes
 * nothing and touches nothing.
 */
int locks_take(struct locks *, const struct lock_targets *t,
    const char *txid, char *why, size_t whylen);

/*
 * The same in the directory DIRFD (already checked), whose lock files
 * must be owned by OWNER: the part of locks_take that the unit tests run
 * on a directory of their own.
 */
int locks_take_at(struct locks *, int dirfd, uid_t owner,
    const struct lock_targets *t, const char *txid, char *why,
    size_t whylen);

/*
 * The holder's end: unlock and close every lock (after the outcome
 * record).  Safe on an empty or already released set, and on NULL.
 */
void locks_release(struct locks *);

/*
 * A process that inherited the fds but does not hold the locks (the
 * switch's front after the fork, a step's child): close its copies
 * without unlocking - flock(LOCK_UN) on a copy would unlock them for
 * the holder too (flock locks belong to the open file description).
 * NULL is fine.
 */
void locks_forget(struct locks *);

#endif
