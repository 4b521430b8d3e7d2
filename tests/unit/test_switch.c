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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/act/switch/core.h"
#include "helper/act/switch/report.h"
#include "helper/act/transaction.h"
#include "tests/fuzz/json_check.h"

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
	    [SW_PERSIST] = "persist", [SW_RESTORE_BOOT] = "restore-boot",
	    [SW_PAUSE_OLD] = "pause", [SW_RESUME_OLD] = "resume" };

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
	PLAY(&sc, "take start rollback stop-new", SW_UNDO_FAILED_OLD_KEPT);
	/* without the overlap the old one was stopped first: a failed one */
	sc.no_take = true;
	PLAY(&sc, "take free hold start rollback stop-new", SW_ROLLBACK_FAILED);
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

/* Done already (the new one serves the port): only the checks, and the boot state. */
START_TEST(a_switch_done_already_only_checks)
{
	struct scene sc = { .facts = handoff_two_checks };

	sc.facts.already = true;
	sc.facts.old_held_port = false;
	PLAY(&sc, "verify0 verify1", SW_OK);
	/* a check that fails changed nothing: nothing to undo */
	sc.fail = "verify1";
	PLAY(&sc, "verify0 verify1", SW_NOTHING_CHANGED);
	sc.fail = NULL;
	sc.abort_during = "begin";
	PLAY(&sc, "", SW_NOTHING_CHANGED);
	sc.abort_during = NULL;
	/* units: the boot state is made right, and put back if that fails */
	sc.facts.persist = true;
	sc.facts.nverify = 1;
	PLAY(&sc, "verify0 persist", SW_OK);
	sc.fail = "persist";
	PLAY(&sc, "verify0 persist rollback restore-boot", SW_ROLLED_BACK_IDLE);
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
		/* a restore that fails: the old service is still started,
		   and serves again; only the boot state is not as before */
		{ "restore-boot", NULL, SW_ROLLED_BACK_BOOT_FAILED },
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

/*
 * Issue 27: with checks and a rollback, the old one is paused (not
 * stopped) while they run, so that they see the new one alone and a
 * failed one needs no bind: the old one goes on, the new one stops.
 */
START_TEST(the_old_one_is_paused_while_checked)
{
	static const struct { const char *fail, *during, *trace;
	    enum sw_outcome o; } cases[] = {
		{ NULL, NULL, "take start pause verify0 verify1 resume stop-old "
		    "persist", SW_OK },
		{ "verify0", NULL, "take start pause verify0 rollback resume "
		    "stop-new", SW_OLD_KEPT },
		{ "verify1", NULL, "take start pause verify0 verify1 rollback "
		    "resume stop-new", SW_OLD_KEPT },
		{ "pause", NULL, "take start pause rollback resume stop-new",
		    SW_OLD_KEPT },
		{ NULL, "verify0", "take start pause verify0 rollback resume "
		    "stop-new", SW_OLD_KEPT },
		/* after the checks passed: as a switch without a pause */
		{ "stop-old", NULL, "take start pause verify0 verify1 resume "
		    "stop-old rollback stop-new start-old", SW_ROLLED_BACK },
		{ "persist", NULL, "take start pause verify0 verify1 resume "
		    "stop-old persist rollback restore-boot stop-new start-old",
		    SW_ROLLED_BACK },
		/* a paused one that cannot go on: the new one serves on */
		{ "resume", NULL, "take start pause verify0 verify1 resume "
		    "rollback resume", SW_ROLLBACK_FAILED },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scene sc = { .facts = handoff_two_checks,
		    .fail = cases[i].fail, .abort_during = cases[i].during };

		sc.facts.pause = sc.facts.persist = true;
		PLAY(&sc, cases[i].trace, cases[i].o);
	}
	/* no socket taken over: nothing to pause, the gap as before */
	{
		struct scene sc = { .facts = handoff_two_checks,
		    .no_take = true };

		sc.facts.pause = true;
		PLAY(&sc, "take free hold start verify0 verify1", SW_OK);
	}
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
	ck_assert_str_eq(sw_outcome_word(SW_UNDO_FAILED_OLD_KEPT),
	    "rollback-failed");
	ck_assert_str_eq(sw_outcome_word(SW_ROLLED_BACK_BOOT_FAILED),
	    "rollback-failed");
	ck_assert_str_eq(sw_outcome_word(SW_ROLLBACK_FAILED),
	    "rollback-failed");
}
END_TEST

/* ---- the JSON report (report.c) ------------------------------------------ */

static void
assert_json(const char *s)
{
	const char *why = NULL;
	size_t where = 0;

	ck_assert_msg(json_check(s, strlen(s), &where, &why), "invalid JSON at "
	    "%zu (%s): %s", where, why ? why : "?", s);
}

START_TEST(the_report_is_one_json_object)
{
	static struct sw_report r = { .plan = "newsite", .txid = "abc",
	    .outcome = "rolled-back", .touched = true, .exit_status = 1,
	    .seconds = 1.25, .result = "switch newsite failed at verify" };
	struct strbuf sb = STRBUF_INIT;

	sw_report_add(&r, "pre-flight", "ok", "pre-flight: ok", 0, false);
	sw_report_add(&r, "take-port 8080", "ok", "took over", 0.001, false);
	/* what a step quotes may hold anything: quotes, a newline, bad UTF-8 */
	sw_report_add(&r, "verify homepage", "failed",
	    "body \"x\"\n\x1b[2J \xff end", 10.0, false);
	sw_report_json(&r, &sb);
	ck_assert(!sb_failed(&sb));
	assert_json(sb_str(&sb));
	ck_assert_ptr_null(strchr(sb_str(&sb), '\n'));
	ck_assert_ptr_null(strchr(sb_str(&sb), '\x1b'));
	ck_assert_str_eq(sb_str(&sb), "{\"plan\":\"newsite\",\"dry_run\":false,"
	    "\"txid\":\"abc\",\"outcome\":\"rolled-back\",\"changed\":false,"
	    "\"touched\":true,\"exit\":1,\"seconds\":1.250,\"result\":"
	    "\"switch newsite failed at verify\",\"steps\":[{\"step\":"
	    "\"pre-flight\",\"outcome\":\"ok\",\"reason\":\"pre-flight: ok\","
	    "\"seconds\":0.000,\"changed\":false},{\"step\":\"take-port 8080\","
	    "\"outcome\":\"ok\",\"reason\":\"took over\",\"seconds\":0.001,"
	    "\"changed\":false},{\"step\":\"verify homepage\",\"outcome\":"
	    "\"failed\",\"reason\":\"body \\\"x\\\"\\n\\u001b[2J \\ufffd end\","
	    "\"seconds\":10.000,\"changed\":false}]}");
	sb_free(&sb);
}
END_TEST

START_TEST(a_dry_runs_report_has_planned_steps_and_no_txid)
{
	static const int site[] = { 80, 443 };
	static struct sw_report r = { .plan = "p", .dry_run = true,
	    .ports = site, .nports = 2,
	    .outcome = "ok", .on_failure = "stop b, start a again" };
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	/* more steps than a report holds: the last ones are dropped */
	for (i = 0; i < SW_REPORT_STEPS + 3; i++)
		sw_report_add(&r, "free port 80 from a", "planned", NULL, 0, false);
	ck_assert_uint_eq(r.nsteps, SW_REPORT_STEPS);
	sw_report_json(&r, &sb);
	assert_json(sb_str(&sb));
	/* the site's ports, after the plan's name */
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "{\"plan\":\"p\",\"ports\":"
	    "[80,443],\"dry_run\":true,"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "\"txid\":null,"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "\"would_change\":false,"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "\"on_failure\":\"stop b, "
	    "start a again\""));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "{\"step\":\"free port 80 "
	    "from a\",\"outcome\":\"planned\"}"));
	sb_free(&sb);
}
END_TEST

/*
 * Records a sink could not take once the switch had begun: the step says
 * "recorded":false, and so does the report for its outcome record; a
 * report whose records were all written says nothing of it.
 */
START_TEST(the_report_names_the_records_not_written)
{
	static struct sw_report r = { .plan = "p", .txid = "t",
	    .outcome = "rolled-back", .exit_status = 1 };
	struct strbuf sb = STRBUF_INIT;

	sw_report_add(&r, "start b", "ok", "started", 0.5, true);
	sw_report_add(&r, "stop a", "failed", "its audit record could not be "
	    "written", 1, false);
	sw_report_unrecorded(&r);
	sw_report_add(&r, "rollback: stop b", "ok", "stopped", 0.1, true);
	sw_report_unrecorded(&r);
	sw_report_json(&r, &sb);
	assert_json(sb_str(&sb));
	ck_assert_ptr_null(strstr(sb_str(&sb), "\"exit\":1,\"seconds\":0.000,"
	    "\"recorded\""));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "{\"step\":\"start b\","
	    "\"outcome\":\"ok\",\"reason\":\"started\",\"seconds\":0.500,"
	    "\"changed\":true}"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "\"seconds\":1.000,"
	    "\"changed\":false,\"recorded\":false}"));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "\"seconds\":0.100,"
	    "\"changed\":true,\"recorded\":false}"));
	sb_free(&sb);
	sb = (struct strbuf)STRBUF_INIT;
	r.unrecorded = true;
	sw_report_json(&r, &sb);
	assert_json(sb_str(&sb));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), "\"exit\":1,\"seconds\":"
	    "0.000,\"recorded\":false,"));
	sb_free(&sb);
}
END_TEST

/* After a switch on a systemd host: which checks a timer watches. */
START_TEST(the_report_says_which_checks_are_watched)
{
	static struct sw_report r = { .plan = "p", .outcome = "ok",
	    .watch_known = true, .watched = { "homepage" }, .nwatched = 1,
	    .unwatched = { "logo", "a\"b" }, .nunwatched = 2 };
	struct strbuf sb = STRBUF_INIT;

	sw_report_json(&r, &sb);
	assert_json(sb_str(&sb));
	ck_assert_ptr_nonnull(strstr(sb_str(&sb), ",\"watched\":[\"homepage\"],"
	    "\"unwatched\":[\"logo\",\"a\\\"b\"],"));
	sb_free(&sb);
	/* not asked (no systemd, a dry run, a failed switch): not said */
	r.watch_known = false;
	sw_report_json(&r, &sb);
	ck_assert_ptr_null(strstr(sb_str(&sb), "watched"));
	sb_free(&sb);
}
END_TEST

/*
 * A report longer than one report line reaches the front in pieces ('j'
 * then 'J'), never cut inside a UTF-8 sequence, and put back together it
 * is the report.
 */
START_TEST(a_long_report_goes_in_pieces)
{
	struct txn t = { .msgfd = -1 };
	size_t n = 3 * TXN_LINE_MAX, i, got = 0, pieces = 0;
	char *json = malloc(n + 8), *back = malloc(n + 8), buf[TXN_LINE_MAX + 8];
	char *line, *end;
	int p[2];
	FILE *f;

	ck_assert_ptr_nonnull(json);
	ck_assert_ptr_nonnull(back);
	ck_assert_int_eq(pipe(p), 0);
	t.msgfd = p[1];
	/* "\"ééé…\"": two-byte sequences, so some piece ends next to one */
	json[0] = '"';
	for (i = 1; i + 2 < n; i += 2)
		json[i] = (char)0xc3, json[i + 1] = (char)0xa9;
	json[i++] = '"';
	json[i] = '\0';
	txn_tell_json(&t, json);
	close(p[1]);
	ck_assert_ptr_nonnull(f = fdopen(p[0], "r"));
	while (fgets(buf, sizeof(buf), f) != NULL) {
		ck_assert_ptr_nonnull(end = strchr(buf, '\n'));
		*end = '\0';
		line = buf + 1;
		ck_assert_msg(buf[0] == 'j' || buf[0] == 'J', "kind %c", buf[0]);
		/* a piece starts on a sequence's first byte */
		ck_assert_int_ne((unsigned char)line[0] & 0xc0, 0x80);
		memcpy(back + got, line, strlen(line));
		got += strlen(line);
		pieces++;
		if (buf[0] == 'J')
			break;
	}
	fclose(f);
	back[got] = '\0';
	ck_assert_uint_ge(pieces, 3);
	ck_assert_str_eq(back, json);
	assert_json(back);
	free(json);
	free(back);
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
	tcase_add_test(tc, the_old_one_is_paused_while_checked);
	tcase_add_test(tc, no_rollback_leaves_it_as_it_is);
	tcase_add_test(tc, a_port_free_before);
	tcase_add_test(tc, outcome_words);
	tcase_add_test(tc, units_persist_last_and_restore_first);
	tcase_add_test(tc, a_switch_done_already_only_checks);
	tcase_add_test(tc, the_report_is_one_json_object);
	tcase_add_test(tc, a_dry_runs_report_has_planned_steps_and_no_txid);
	tcase_add_test(tc, a_long_report_goes_in_pieces);
	tcase_add_test(tc, the_report_says_which_checks_are_watched);
	tcase_add_test(tc, the_report_names_the_records_not_written);
	suite_add_tcase(s, tc);
	return s;
}
