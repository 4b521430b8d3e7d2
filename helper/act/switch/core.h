/*
 * core.h - a switch's decisions, as a pure function of its steps' results.
 *
 * switch.c drives: it asks sw_next() what to do, does it, tells sw_done()
 * how it went, and asks again until SW_END; sw_outcome() then says what the
 * switch achieved.  Nothing here touches a process, a port or a record, so
 * every path (each step failing, an abort before, between or during the
 * steps, a rollback that works or fails, rollback = false, a port that was
 * free before) is a unit test (tests/unit/test_switch.c).
 */
#ifndef CUTOVER_SWITCH_CORE_H
#define CUTOVER_SWITCH_CORE_H

#include <stdbool.h>
#include <stddef.h>

enum sw_step {
	SW_BEGIN,       /* nothing done yet (never returned by sw_next) */
	SW_TAKE_PORT,   /* socket handoff: copy the old service's listening
	                   socket, signalling nothing (sw_took says if one
	                   came) */
	SW_FREE_PORT,   /* stop the port's holders: the old service */
	SW_HOLD_PORT,   /* socket handoff: listen on the port ourselves */
	SW_START_NEW,
	SW_PAUSE_OLD,   /* overlap, with checks and a rollback: the old
	                   service paused (pause.h), so that the checks see
	                   the new one alone and a rollback needs no bind */
	SW_RESUME_OLD,  /* the paused old service goes on: after the checks,
	                   to drain; undoing, to serve on */
	SW_STOP_OLD,    /* overlap: the old service's graceful stop, once the
	                   new one serves on the same socket */
	SW_VERIFY,      /* the plan's check number sw_core.verify */
	SW_PERSIST,     /* units: the next boot starts the new one, not the old */
	SW_ROLLBACK,    /* rolling back begins: say so, drop held sockets */
	SW_RESTORE_BOOT,        /* units: what starts at boot, as before */
	SW_STOP_NEW,
	SW_START_OLD,
	SW_END,
};

enum sw_outcome {
	SW_OK,                  /* every step succeeded: the new one serves */
	SW_LEFT_AS_IS,          /* failed; rollback = false */
	SW_NOTHING_CHANGED,     /* failed before any step changed anything */
	SW_ROLLED_BACK,         /* the old service serves again */
	SW_OLD_KEPT,            /* undone before the old one was stopped: it
	                           serves on, as it did throughout */
	SW_ROLLED_BACK_IDLE,    /* undone; the old one had not held the port */
	SW_ROLLBACK_FAILED,
	SW_UNDO_FAILED_OLD_KEPT,        /* a rollback step failed, but the
	                                   old one was never stopped: it
	                                   serves on (beside the new one) */
	SW_ROLLED_BACK_BOOT_FAILED,     /* the old one serves again, but what
	                                   starts at boot is not as before */
};

/* What the plan and the machine were before the first step. */
struct sw_facts {
	bool handoff;           /* the new service inherits the port's sockets */
	bool rollback;          /* the plan's rollback = true */
	bool old_held_port;     /* something listened on the port before */
	size_t nverify;         /* the plan's checks */
	bool persist;           /* units whose boot state the switch sets */
	bool pause;             /* with an overlap, checks and a rollback: the
	                           old one is paused while the checks run, and
	                           stopped only after they passed */
	bool already;           /* the new service serves the port already:
	                           only its checks (and the boot state) */
};

struct sw_core {
	struct sw_facts facts;
	enum sw_step step;      /* the step sw_next last returned */
	size_t verify;          /* with SW_VERIFY: which check */
	bool failed;            /* a forward step failed */
	bool aborted;           /* the caller asked to stop first */
	bool changed;           /* a forward step changed something */
	bool took;              /* the take handed over the old socket */
	bool started_new;       /* the new service's start was attempted */
	bool stopped_old;       /* the old service's stop was attempted */
	bool persist_tried;     /* the boot state's change was attempted */
	bool paused;            /* the old one's pause was attempted */
	bool resumed;           /* and it went on again */
	bool resume_failed;     /* undoing, it could not: the new one then
	                           keeps serving (stopping it would leave the
	                           port to a stopped server) */
	bool undoing;           /* past the forward steps */
	bool rollback_failed;
	bool boot_restore_failed;       /* counts as rollback_failed, but the
	                                   old service is still tried */
};

void sw_begin(struct sw_core *, const struct sw_facts *);

/*
 * After SW_TAKE_PORT: TOOK, the old listening socket is the switch's to
 * hand on.  Then the switch overlaps: the new service starts on that
 * socket while the old one still serves, and the old one stops after.
 * Without it, the old one is stopped first and the port bound anew.
 */
void sw_took(struct sw_core *, bool took);

/*
 * The next step.  ABORT_ASKED: the caller has asked to stop; it is heeded
 * before every forward step but the port's hold, which must follow the
 * free-port at once (the port would stop listening), and after the last.
 */
enum sw_step sw_next(struct sw_core *, bool abort_asked);

/*
 * How the step sw_next returned went: OK, and CHANGED when it changed the
 * machine (a free-port of a free port changes nothing; a hold or a check
 * never counts as a change).
 */
void sw_done(struct sw_core *, bool ok, bool changed);

/* After SW_END: what the switch achieved. */
enum sw_outcome sw_outcome(const struct sw_core *);

/*
 * The audit record's outcome word: ok, failed, rolled-back,
 * rollback-failed (the last two failed outcomes too: a rollback step
 * failed, whatever still serves).
 */
const char *sw_outcome_word(enum sw_outcome);

#endif
