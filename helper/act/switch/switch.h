/*
 * switch.h - cutover switch PLAN: free the port from the plan's old
 * service, start the new one, run its checks, and roll back on a
 * failure; one transaction, one txid, one audit record per step.
 */
#ifndef CUTOVER_SWITCH_H
#define CUTOVER_SWITCH_H

#include "policy/policy.h"
#include "helper/lib/format.h"
#include "helper/act/transaction.h"

/*
 * In a transaction (T, set up by run.c after the request record): the
 * pre-flight, then the plan.  Returns the exit status: 0 done, 1 failed
 * (rolled back or not: the last line says which and what state the
 * machine is in), 3 refused by the pre-flight.  FORMAT_JSON: the lines
 * for people go to stderr, and stdout gets one JSON object (report.h).
 * SEEN: what the front saw (txn_run), whether that object among it.
 */
int switch_run(const struct plan *pl, enum output_format format,
    struct txn *t, struct txn_seen *seen);

/*
 * In a transaction: the plan's ports bindable by root and the users of
 * its two services alone (portguard.h) until port_guard_close(&T->guard);
 * EXIT_REFUSED (WHY) where that cannot be had for a port any user may
 * bind.  A switch holds it for its life, a recovery (recover.h) for its
 * steps.
 */
int switch_guard_ports(struct txn *t, const struct plan *pl, char *why,
    size_t whylen);

/*
 * -n: the steps the plan would take, and the pre-flight's verdict; with
 * FORMAT_JSON as one JSON object on stdout (report.h).
 */
int switch_dry_run(const struct plan *pl, enum output_format format);

#endif
