/*
 * switch.h - cutover switch PLAN: free the port from the plan's old
 * service, start the new one, run its checks, and roll back on a
 * failure; one transaction, one txid, one audit record per step.
 */
#ifndef CUTOVER_SWITCH_H
#define CUTOVER_SWITCH_H

#include "policy/policy.h"
#include "helper/act/transaction.h"

/*
 * In a transaction (T, set up by run.c after the request record): the
 * pre-flight, then the plan.  Returns the exit status: 0 done, 1 failed
 * (rolled back or not: the last line says which and what state the
 * machine is in), 3 refused by the pre-flight.
 */
int switch_run(const struct plan *pl, struct txn *t);

/* -n: the steps the plan would take, and the pre-flight's verdict. */
int switch_dry_run(const struct plan *pl);

#endif
