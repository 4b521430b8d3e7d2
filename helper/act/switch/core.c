/*
 * core.c - a switch's decisions (core.h).  Forward, with a socket
 * handoff: take a copy of the old service's listening socket, start the
 * new service on it while the old one still serves (the overlap), then
 * stop the old one gracefully; where no socket could be taken, free the
 * port first and listen on it ourselves.  Without a handoff: free the
 * port, start the new one.  Then each check, then (units) make the next
 * boot start the new one instead of the old.  On a failure or an abort,
 * and only when the plan rolls back and a step changed something: put
 * the boot state back if its change was tried (first: an old unit masked
 * must be unmasked before it can start), stop the new service if its
 * start was attempted, then start the old one if it held the port before
 * and its stop was attempted.
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
		return c->took ? SW_STOP_OLD : first_check(c);
	case SW_STOP_OLD:
		return first_check(c);
	case SW_VERIFY:
		c->verify++;
		if (c->verify < c->facts.nverify)
			return SW_VERIFY;
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

static enum sw_step
next_undo(const struct sw_core *c)
{
	if (c->step == SW_ROLLBACK && c->persist_tried)
		return SW_RESTORE_BOOT;
	if ((c->step == SW_ROLLBACK || c->step == SW_RESTORE_BOOT) &&
	    c->started_new)
		return SW_STOP_NEW;
	if ((c->step == SW_ROLLBACK || c->step == SW_RESTORE_BOOT ||
	    c->step == SW_STOP_NEW) && !c->rollback_failed &&
	    c->facts.old_held_port && c->stopped_old)
		return SW_START_OLD;
	return SW_END;
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
