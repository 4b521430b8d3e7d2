/*
 * guardian.h - a switch's guardian: a process of its transaction's that
 * recovers the switch at once if the transaction dies half-way.
 *
 * A transaction can be killed (the OOM killer, root's SIGKILL, a crash)
 * between any two steps.  Its journal of intent (intent.h) says how far it
 * got, and recover.h says what to do; but without a guardian that is done
 * only by the next request touching the plan, or at the next boot - and
 * until then the site may be served by both servers at once, or have its
 * old server paused.  The guardian is forked by the transaction before it
 * does anything, waits for it to end, and when it ends without saying so
 * (guardian_release), takes the plan's locks (an orphaned step keeps them
 * until it ends) and recovers, as the next request would, recording under
 * the killed transaction's txid.  It is the transaction's copy - uid 0,
 * its session, its cgroup - so it is as far out of the caller's reach.
 * A kill of both (the transaction's scope, a power cut) leaves the journal
 * to the next request and to cutover-recover.service, as before.
 */
#ifndef CUTOVER_SWITCH_GUARDIAN_H
#define CUTOVER_SWITCH_GUARDIAN_H

#include <stddef.h>
#include <sys/types.h>

#include "helper/act/transaction.h"

struct guardian {
	int ended;      /* the write end: one byte says the transaction ended */
	pid_t pid;
};

#define GUARDIAN_NONE { -1, -1 }

/*
 * Fork T's guardian into G: 0, or -1 with WHY (nothing forked).  Before
 * any step: it must hold none of the sockets the switch takes or hands.
 */
int guardian_start(struct txn *t, struct guardian *g, char *why,
    size_t whylen);

/* The transaction ends with its outcome: the guardian leaves. */
void guardian_release(struct guardian *g);

#endif
