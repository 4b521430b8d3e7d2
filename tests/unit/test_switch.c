/*
 * test_switch.c - the switch core (helper/act/switch/core.c): which steps a
 * switch takes and what it concludes, for every path: the overlap (take
 * the socket, start the new one, stop the old one) and its fallback to a
 * gap, each step failing, an abort before, between and during the steps,
 * a rollback that works or fails, rollback = false, a port that was free
 * before.
 *
 * A scene names the step that fails, the one during which the caller
 * aborts, the one that changes nothing, and whether the take hands a
 * socket over; play() drives the core as switch.c does and writes down
 * the steps it was told to take.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "helper/act/switch/core.h"

struct scene {
	struct sw_facts facts;
	const char *fail;           /* this step fails */
	const char *abort_during;   /* the caller aborts during it ("begin": before all) */
	const char *nothing;        /* this step changes nothing */
	bool no_take;               /* the take hands no socket over */
};

static void
step_name(const struct sw_core *c, enum sw_step step, char *buf, size_t size)
{
	static const char *const names[] = { [SW_TAKE_PORT] = "take",
	    [SW_FREE_PORT] = "free", [SW_HOLD_PORT] = "hold",
	    [SW_START_NEW] = "start", [SW_STOP_OLD] = "stop-old",
	    [SW_VERIFY] = "verify", [SW_ROLLBACK] = "rollback",
	    [SW_STOP_NEW] = "stop-new", [SW_START_OLD] = "start-old",
	    [SW_PERSIST] = "persist", [SW_RESTORE_BOOT] = "restore-boot" };

	if (step == SW_VERIFY)
		snprintf(buf, size, "verify%zu", c->verify);
	else
		snprintf(buf, size, "%s", names[step] ? names[step] : "?");
}

static bool
is(const char *a, const char *b)
{
	return a != NULL && strcmp(a, b) == 0;
}

/* Drive the core through SC; TRACE gets the steps taken, space-separated. */
static enum sw_outcome
play(const struct scene *sc, char *trace, size_t size)
{
	struct sw_core c;
	enum sw_step step;
	bool abort = is(sc->abort_during, "begin"), ok, changed;
	char name[32];
	int steps = 0;

	trace[0] = '\0';
	sw_begin(&c, &sc->facts);
	while ((step = sw_next(&c, abort)) != SW_END) {
		ck_assert_int_lt(++steps, 16);
		step_name(&c, step, name, sizeof(name));
		snprintf(trace + strlen(trace), size - strlen(trace), "%s%s",
		    trace[0] ? " " : "", name);
		if (is(sc->abort_during, name))
			abort = true;
		/* an abort during a check ends the check, as a failure */
		ok = !is(sc->fail, name) && !(abort && step == SW_VERIFY);
		/* a take and a check never change anything */
		changed = step != SW_VERIFY && step != SW_TAKE_PORT &&
		    !is(sc->nothing, name);
		if (step == SW_TAKE_PORT)
			sw_took(&c, ok && !sc->no_take);
		sw_done(&c, ok, changed);
	}
	ck_assert_int_eq(sw_next(&c, abort), SW_END);
	return sw_outcome(&c);
}

static const struct sw_facts handoff_two_checks = {
	.handoff = true, .rollback = true, .old_held_port = true, .nverify = 2,
};

#define PLAY(scene, want_trace, want_outcome) do {                       \
	char trace_[256];                                                 \
	enum sw_outcome got_ = play((scene), trace_, sizeof(trace_));     \
	ck_assert_str_eq(trace_, (want_trace));                           \
	ck_assert_int_eq(got_, (want_outcome));                           \
} while (0)

START_TEST(every_step_succeeds)
{
	struct scene sc = { .facts = handoff_two_checks };

	/* the overlap: the old one stops only after the new one is up */
	PLAY(&sc, "take start stop-old verify0 verify1", SW_OK);
	/* no socket to take over: a gap, the port held by cutover */
	sc.no_take = true;
	PLAY(&sc, "take free hold start verify0 verify1", SW_OK);
	sc.facts.handoff = false;
	PLAY(&sc, "free start verify0 verify1", SW_OK);
	sc.facts.nverify = 0;
	PLAY(&sc, "free start", SW_OK);
}
END_TEST

START_TEST(each_step_failing_rolls_back)
{
	static const struct { const char *fail, *trace; bool no_take;
	    enum sw_outcome o; } cases[] = {
		/* a take changes nothing: there is nothing to undo */
		{ "take", "take", false, SW_NOTHING_CHANGED },
		/* before the old one's stop it was never touched */
		{ "start", "take start rollback stop-new", false, SW_OLD_KEPT },
		{ "stop-old", "take start stop-old rollback stop-new start-old",
		    false, SW_ROLLED_BACK },
		{ "verify0", "take start stop-old verify0 rollback stop-new "
		    "start-old", false, SW_ROLLED_BACK },
		{ "verify1", "take start stop-old verify0 verify1 rollback "
		    "stop-new start-old", false, SW_ROLLED_BACK },
		/* the gap */
		{ "free", "take free rollback start-old", true, SW_ROLLED_BACK },
		{ "hold", "take free hold rollback start-old", true,
		    SW_ROLLED_BACK },
		{ "start", "take free hold start rollback stop-new start-old",
		    true, SW_ROLLED_BACK },
		{ "verify0", "take free hold start verify0 rollback stop-new "
		    "start-old", true, SW_ROLLED_BACK },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scene sc = { .facts = handoff_two_checks,
		    .fail = cases[i].fail, .no_take = cases[i].no_take };

		PLAY(&sc, cases[i].trace, cases[i].o);
	}
}
END_TEST

START_TEST(abort_before_between_and_during)
{
	static const struct { const char *during, *trace; bool no_take;
	    enum sw_outcome o; } cases[] = {
		{ "begin", "", false, SW_NOTHING_CHANGED },
		{ "take", "take", false, SW_NOTHING_CHANGED },
		{ "start", "take start rollback stop-new", false, SW_OLD_KEPT },
		{ "stop-old", "take start stop-old rollback stop-new start-old",
		    false, SW_ROLLED_BACK },
		{ "verify0", "take start stop-old verify0 rollback stop-new "
		    "start-old", false, SW_ROLLED_BACK },
		{ "verify1", "take start stop-old verify0 verify1 rollback "
		    "stop-new start-old", false, SW_ROLLED_BACK },
		/* the gap: the hold follows the free-port even so, the port
		   stays up */
		{ "free", "take free hold rollback start-old", true,
		    SW_ROLLED_BACK },
		{ "hold", "take free hold rollback start-old", true,
		    SW_ROLLED_BACK },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scene sc = { .facts = handoff_two_checks,
		    .abort_during = cases[i].during, .no_take = cases[i].no_take };

		PLAY(&sc, cases[i].trace, cases[i].o);
	}
}
END_TEST

START_TEST(abort_between_steps_without_handoff)
{
	struct scene sc = { .facts = handoff_two_checks,
	    .abort_during = "free" };

	sc.facts.handoff = false;
	PLAY(&sc, "free rollback start-old", SW_ROLLED_BACK);
}
END_TEST

START_TEST(an_abort_during_the_rollback_is_not_heeded)
{
	struct scene sc = { .facts = handoff_two_checks, .fail = "stop-old",
	    .abort_during = "rollback" };

	PLAY(&sc, "take start stop-old rollback stop-new start-old",
	    SW_ROLLED_BACK);
}
END_TEST

START_TEST(rollback_failing)
{
	struct scene sc = { .facts = handoff_two_checks,
	    .abort_during = "stop-old", .fail = "stop-new" };

	/* the new one could not be stopped: the old one is not started */
	PLAY(&sc, "take start stop-old rollback stop-new", SW_ROLLBACK_FAILED);
	sc.fail = "start-old";
	PLAY(&sc, "take start stop-old rollback stop-new start-old",
	    SW_ROLLBACK_FAILED);
	/* during the overlap: the new one runs on beside the old one */
	sc.abort_during = "start";
	sc.fail = "stop-new";
	PLAY(&sc, "take start rollback stop-new", SW_ROLLBACK_FAILED);
}
END_TEST

START_TEST(no_rollback_leaves_it_as_it_is)
{
	struct scene sc = { .facts = handoff_two_checks, .fail = "verify0" };

	sc.facts.rollback = false;
	PLAY(&sc, "take start stop-old verify0", SW_LEFT_AS_IS);
	sc.fail = NULL;
	sc.abort_during = "start";
	PLAY(&sc, "take start", SW_LEFT_AS_IS);
	sc.abort_during = NULL;
	PLAY(&sc, "take start stop-old verify0 verify1", SW_OK);
}
END_TEST

START_TEST(a_port_free_before)
{
	struct scene sc = { .facts = handoff_two_checks, .no_take = true };

	sc.facts.old_held_port = false;
	/* the new one is stopped; there is no old one to start again */
	sc.fail = "verify1";
	PLAY(&sc, "take hold start verify0 verify1 rollback stop-new",
	    SW_ROLLED_BACK_IDLE);
	/* nothing was changed yet: nothing to undo */
	sc.fail = "hold";
	PLAY(&sc, "take hold", SW_NOTHING_CHANGED);
	sc.fail = "take";
	PLAY(&sc, "take", SW_NOTHING_CHANGED);
	/* a start that failed without starting anything changed nothing */
	sc.fail = "start";
	sc.nothing = "start";
	PLAY(&sc, "take hold start", SW_NOTHING_CHANGED);
	/* without a handoff */
	sc.facts.handoff = false;
	sc.fail = "verify0";
	sc.nothing = "free";
	PLAY(&sc, "free start verify0 rollback stop-new", SW_ROLLED_BACK_IDLE);
}
END_TEST

/* Units: the boot state changes last, and is put back first on a rollback. */
START_TEST(units_persist_last_and_restore_first)
{
	static const struct { const char *fail, *trace; enum sw_outcome o; } cases[] = {
		{ NULL, "free start verify0 persist", SW_OK },
		{ "verify0", "free start verify0 rollback stop-new start-old",
		    SW_ROLLED_BACK },
		{ "persist", "free start verify0 persist rollback restore-boot "
		    "stop-new start-old", SW_ROLLED_BACK },
		/* a restore that fails: the old service is still started */
		{ "restore-boot", NULL, SW_ROLLBACK_FAILED },
	};
	struct scene sc = { .facts = { .rollback = true, .old_held_port = true,
	    .nverify = 1, .persist = true } };
	size_t i;

	for (i = 0; i < 3; i++) {
		sc.fail = cases[i].fail;
		PLAY(&sc, cases[i].trace, cases[i].o);
	}
	/* persist fails, then its restore fails too */
	{
		struct sw_core c;
		enum sw_step st;
		char trace[256] = "", name[32];

		sw_begin(&c, &sc.facts);
		while ((st = sw_next(&c, false)) != SW_END) {
			step_name(&c, st, name, sizeof(name));
			snprintf(trace + strlen(trace), sizeof(trace) - strlen(trace),
			    "%s%s", trace[0] ? " " : "", name);
			sw_done(&c, st != SW_PERSIST && st != SW_RESTORE_BOOT, true);
		}
		ck_assert_str_eq(trace, "free start verify0 persist rollback "
		    "restore-boot stop-new start-old");
		ck_assert_int_eq(sw_outcome(&c), cases[3].o);
	}
	/* no check: persist right after the start; an abort before it: none */
	sc.facts.nverify = 0;
	sc.fail = NULL;
	PLAY(&sc, "free start persist", SW_OK);
	sc.abort_during = "start";
	PLAY(&sc, "free start rollback stop-new start-old", SW_ROLLED_BACK);
	/* persist = none, or process services: no such step */
	sc.abort_during = NULL;
	sc.facts.persist = false;
	PLAY(&sc, "free start", SW_OK);
}
END_TEST

START_TEST(outcome_words)
{
	ck_assert_str_eq(sw_outcome_word(SW_OK), "ok");
	ck_assert_str_eq(sw_outcome_word(SW_LEFT_AS_IS), "failed");
	ck_assert_str_eq(sw_outcome_word(SW_NOTHING_CHANGED), "failed");
	ck_assert_str_eq(sw_outcome_word(SW_ROLLED_BACK), "rolled-back");
	ck_assert_str_eq(sw_outcome_word(SW_ROLLED_BACK_IDLE), "rolled-back");
	ck_assert_str_eq(sw_outcome_word(SW_OLD_KEPT), "rolled-back");
	ck_assert_str_eq(sw_outcome_word(SW_ROLLBACK_FAILED),
	    "rollback-failed");
}
END_TEST

Suite *
switch_suite(void)
{
	Suite *s = suite_create("switch");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, every_step_succeeds);
	tcase_add_test(tc, each_step_failing_rolls_back);
	tcase_add_test(tc, abort_before_between_and_during);
	tcase_add_test(tc, abort_between_steps_without_handoff);
	tcase_add_test(tc, an_abort_during_the_rollback_is_not_heeded);
	tcase_add_test(tc, rollback_failing);
	tcase_add_test(tc, no_rollback_leaves_it_as_it_is);
	tcase_add_test(tc, a_port_free_before);
	tcase_add_test(tc, outcome_words);
	tcase_add_test(tc, units_persist_last_and_restore_first);
	suite_add_tcase(s, tc);
	return s;
}
