/*
 * switch.h - cutover switch PLAN: free the port from the plan's old
 * service, start the new one, run its checks, and roll back on a
 * failure; one transaction, one txid, one audit record per step.
 */
#ifndef CUTOVER_SWITCH_H
#define CUTOVER_SWITCH_H

#include <stdbool.h>

#include "audit.h"
#include "caller.h"
#include "lock.h"
#include "policy.h"

struct switch_request {
	const struct plan *plan;
	const struct caller *caller;
	/*
	 * The request record's fields (txid, caller, action, target, rule):
	 * each step record and the outcome record copy them.
	 */
	const struct audit_event *base;
	/*
	 * The audit log: the transaction writes to it, the front closes its
	 * copy before it becomes the caller (and sets *LOG to NULL).
	 */
	struct audit_log **log;
	/*
	 * The locks of what the plan touches (lock.h), taken before the
	 * pre-flight: the transaction holds them through the rollback and
	 * releases them after the outcome record; the front and the steps
	 * close their copies.  NULL for a dry run.
	 */
	struct locks *locks;
};

/*
 * Pre-flight (touching nothing), then the transaction.  Returns the exit
 * status: 0 done, 1 failed (rolled back or not: the last line says which
 * and what state the machine is in), 3 refused by the pre-flight.
 */
int switch_run(const struct switch_request *);

/* -n: the steps the plan would take, and the pre-flight's verdict. */
int switch_dry_run(const struct switch_request *);

#endif
