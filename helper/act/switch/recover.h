/*
 * recover.h - finishing or undoing a switch that never reached its
 * outcome (recover.c): its transaction was killed (the OOM killer, a
 * SIGKILL), the host lost power, cutover was upgraded half-way.  Its
 * journal of intent (intent.h) says how far it got.
 *
 * Which way: forward when the journal says every forward step succeeded
 * (the new service served and passed every check) and the new service
 * still holds every port of the site - then only the boot state is left
 * to make the new one's; back otherwise - the new service stopped, the
 * old one started again if it held the site before, and the boot state
 * as it was before the switch.  Either way the end is the consistent
 * state the issue asks for: one of the plan's services serves every port,
 * and the next boot starts it and not the other.
 *
 * When: (a) the next request that touches the plan's ports or services,
 * in its transaction, before it decides anything (recover_pending);
 * (b) at boot, cutover-recover.service runs `cutover recover --boot`
 * before any service starts: nothing runs yet, so the journal alone
 * decides, and the jobs the boot queued are made to match.
 */
#ifndef CUTOVER_SWITCH_RECOVER_H
#define CUTOVER_SWITCH_RECOVER_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/act/intent.h"
#include "helper/act/transaction.h"
#include "policy/policy.h"

/* Who holds the site now, as a recovery needs to know. */
struct rc_view {
	bool to_all;        /* every port has one of the new service's holders */
	bool from_all;      /* every port has one of the old service's */
	bool to_any;        /* the new one holds a port, or its unit is busy */
	bool from_any;
};

/* What a recovery does, in this order. */
struct rc_todo {
	bool resume_from;   /* the old one, paused by the switch: SIGCONT */
	bool forward;
	bool stop_from;     /* forward: the old one, if it still runs */
	bool persist;       /* forward: the next boot starts the new one */
	bool stop_to;       /* back: the new one */
	bool restore_boot;  /* back: the boot state as before the switch */
	bool start_from;    /* back: the old one, if it held the site */
};

/*
 * The decision, a pure function: journal I, whether the plan sets the
 * boot state (PERSISTS), BOOT (during boot: nothing runs, VIEW unused).
 */
void recover_decide(const struct intent *i, bool persists, bool boot,
    const struct rc_view *view, struct rc_todo *todo);

/*
 * In a transaction, before its request decides anything: recover every
 * interrupted switch whose plan touches what T locked (ALL: every one;
 * BOOT: during boot), taking the plan's other locks for it.  EXIT_DONE
 * when nothing was left to recover or all of it was; otherwise the
 * status and WHY, and the request must not go on.
 */
int recover_pending(struct txn *t, const struct policy *p, bool all,
    bool boot, char *why, size_t whylen);

#endif
