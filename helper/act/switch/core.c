/*
 * core.c - a switch's decisions (core.h).  Forward, with a socket
 * handoff: take a copy of the old service's listening socket, start the
 * new service on it while the old one still serves (the overlap), then
 * stop the old one gracefully; where no socket could be taken, free the
 * port first and listen on it ourselves.  Without a handoff: free the
 * port, start the new one.  Then each check, then (units) make the next
 * boot start the new one instead of the old.  An overlap whose plan has
 * checks and rolls back pauses the old one instead of stopping it, runs
 * the checks against the new one alone, and only then lets the old one
 * go on and stops it.  On a failure or an abort, and only when the plan
 * rolls back and a step changed something: let a paused old one go on,
 * put the boot state back if its change was tried (first: an old unit
 * masked must be unmasked before it can start), stop the new service if
 * its start was attempted, then start the old one if it held the port
 * before and its stop was attempted.
 */
#include "helper/act/switch/core.h"

void
sw_begin(struct sw_core *c, const struct sw_facts *facts)
{
	*c = (struct sw_core){ .facts = *facts, .step = SW_BEGIN };
}

void
sw_took(struct sw_core *c, bool took)
{
	c->took = took;
}

/* The checks, then the boot state. */
static enum sw_step
first_check(struct sw_core *c)
{
	c->verify = 0;
	if (c->facts.nverify > 0)
		return SW_VERIFY;
	return c->facts.persist ? SW_PERSIST : SW_END;
}

static enum sw_step
next_forward(struct sw_core *c)
{
	switch (c->step) {
	case SW_BEGIN:
		if (c->facts.already)
			return first_check(c);
		return c->facts.handoff ? SW_TAKE_PORT : SW_FREE_PORT;
	case SW_TAKE_PORT:
		if (c->took)
			return SW_START_NEW;
		return c->facts.old_held_port ? SW_FREE_PORT : SW_HOLD_PORT;
	case SW_FREE_PORT:
		return c->facts.handoff ? SW_HOLD_PORT : SW_START_NEW;
	case SW_HOLD_PORT:
		return SW_START_NEW;
	case SW_START_NEW:
		if (!c->took)
			return first_check(c);
		return c->facts.pause ? SW_PAUSE_OLD : SW_STOP_OLD;
	case SW_PAUSE_OLD:
		return first_check(c);
	case SW_RESUME_OLD:
		return SW_STOP_OLD;
	case SW_STOP_OLD:
		if (!c->paused)
			return first_check(c);
		return c->facts.persist ? SW_PERSIST : SW_END;
	case SW_VERIFY:
		c->verify++;
		if (c->verify < c->facts.nverify)
			return SW_VERIFY;
		if (c->paused)
			return SW_RESUME_OLD;
		return c->facts.persist ? SW_PERSIST : SW_END;
	default:
		return SW_END;
	}
}

/* The forward steps are over, for a failure or an abort. */
static enum sw_step
first_undo(struct sw_core *c)
{
	c->undoing = true;
	if (!c->facts.rollback || !c->changed)
		return SW_END;
	return SW_ROLLBACK;
}

/* The rollback's steps, in order; undo_wanted says which are taken. */
static const enum sw_step undo_order[] = {
	SW_ROLLBACK, SW_RESUME_OLD, SW_RESTORE_BOOT, SW_STOP_NEW, SW_START_OLD,
	SW_END,
};

static bool
undo_wanted(const struct sw_core *c, enum sw_step step)
{
	switch (step) {
	case SW_RESUME_OLD:     /* first: a paused server holds its clients */
		return c->paused && !c->resumed;
	case SW_RESTORE_BOOT:
		return c->persist_tried;
	case SW_STOP_NEW:
		return c->started_new && !c->resume_failed;
	case SW_START_OLD:
		return !c->rollback_failed && c->facts.old_held_port &&
		    c->stopped_old;
	default:
		return true;
	}
}

static enum sw_step
next_undo(const struct sw_core *c)
{
	size_t i = 0;

	while (undo_order[i] != SW_END && undo_order[i] != c->step)
		i++;
	while (undo_order[i] != SW_END && !undo_wanted(c, undo_order[++i]))
		;
	return undo_order[i];
}

enum sw_step
sw_next(struct sw_core *c, bool abort_asked)
{
	bool holding_next = c->step == SW_FREE_PORT && c->facts.handoff;

	if (c->step == SW_END)
		return SW_END;
	if (c->undoing)
		return c->step = next_undo(c);
	if (abort_asked && !c->failed && !holding_next)
		c->aborted = true;
	if (c->failed || c->aborted)
		return c->step = first_undo(c);
	return c->step = next_forward(c);
}

void
sw_done(struct sw_core *c, bool ok, bool changed)
{
	switch (c->step) {
	case SW_START_NEW:
		c->started_new = true;
		c->changed |= changed;
		c->failed |= !ok;
		break;
	case SW_FREE_PORT:
	case SW_STOP_OLD:
		c->stopped_old = true;
		c->changed |= changed;
		c->failed |= !ok;
		break;
	case SW_PERSIST:
		c->persist_tried = true;
		c->changed |= changed;
		c->failed |= !ok;
		break;
	case SW_PAUSE_OLD:
		c->paused = true;
		c->changed |= changed;
		c->failed |= !ok;
		break;
	case SW_RESUME_OLD:
		c->resumed = ok;
		if (!c->undoing)
			c->failed |= !ok;
		c->resume_failed |= c->undoing && !ok;
		c->rollback_failed |= c->undoing && !ok;
		break;
	case SW_TAKE_PORT:      /* a copy: the old service is untouched */
	case SW_HOLD_PORT:      /* our own socket, closed at the end */
	case SW_VERIFY:         /* a check changes nothing */
		c->failed |= !ok;
		break;
	case SW_RESTORE_BOOT:
		c->boot_restore_failed |= !ok;
		break;
	case SW_STOP_NEW:
	case SW_START_OLD:
		c->rollback_failed |= !ok;
		break;
	default:
		break;
	}
}

enum sw_outcome
sw_outcome(const struct sw_core *c)
{
	if (!c->failed && !c->aborted)
		return SW_OK;
	if (!c->facts.rollback)
		return SW_LEFT_AS_IS;
	if (!c->changed)
		return SW_NOTHING_CHANGED;
	if (c->resume_failed)   /* never "still serves": it is stopped */
		return SW_ROLLBACK_FAILED;
	if ((c->rollback_failed || c->boot_restore_failed) &&
	    c->facts.old_held_port && !c->stopped_old)
		return SW_UNDO_FAILED_OLD_KEPT;
	if (c->boot_restore_failed && !c->rollback_failed &&
	    c->facts.old_held_port)
		return SW_ROLLED_BACK_BOOT_FAILED;
	if (c->rollback_failed || c->boot_restore_failed)
		return SW_ROLLBACK_FAILED;
	if (!c->facts.old_held_port)
		return SW_ROLLED_BACK_IDLE;
	return c->stopped_old ? SW_ROLLED_BACK : SW_OLD_KEPT;
}

const char *
sw_outcome_word(enum sw_outcome o)
{
	switch (o) {
	case SW_OK:
		return "ok";
	case SW_ROLLED_BACK:
	case SW_ROLLED_BACK_IDLE:
	case SW_OLD_KEPT:
		return "rolled-back";
	case SW_ROLLBACK_FAILED:
	case SW_UNDO_FAILED_OLD_KEPT:
	case SW_ROLLED_BACK_BOOT_FAILED:
		return "rollback-failed";
	default:
		return "failed";
	}
}
