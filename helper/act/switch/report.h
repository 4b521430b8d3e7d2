/*
 * report.h - what a switch did, as one JSON object (`cutover switch
 * --format=json PLAN`, and with -n what it would do): for a deploy
 * script or an Ansible module, which must not parse the lines meant for
 * people.  switch.c fills a report step by step; sw_report_json() only
 * renders it, so every shape of it is a unit test (tests/unit).
 *
 *   {"plan":"newsite","dry_run":false,"txid":"…","outcome":"ok",
 *    "changed":true,"touched":true,"exit":0,"seconds":1.04,
 *    "result":"switch newsite: done in 1.04 s: nginx serves port 8080",
 *    "steps":[{"step":"pre-flight","outcome":"ok","reason":"…",
 *              "seconds":0.000,"changed":false}, …]}
 *
 * outcome: ok, rolled-back, rollback-failed, failed, refused (a dry run
 * whose pre-flight passed says ok).  changed: the port changed hands (the
 * new service serves it now); touched: some step changed something, even
 * if a rollback undid it.  A dry run's steps are the planned ones
 * (outcome "planned"), then its pre-flight; it says "would_change",
 * whether the switch would change anything now (false when it was done
 * already, or its pre-flight refuses).  After a switch that ended ok on
 * a host with systemd, "watched" and "unwatched" name the plan's checks
 * whose monitoring timer (cutover-verify@CHECK.timer) is active, and
 * those whose is not.  A record that could not be written to every
 * sink of the audit log once the switch had begun: its step says
 * "recorded":false, and so does the report when its outcome record was
 * not; the exit status is then never 0.
 */
#ifndef CUTOVER_SWITCH_REPORT_H
#define CUTOVER_SWITCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "policy/strbuf.h"

#define SW_REPORT_STEPS 16
#define SW_REPORT_CHECKS 8
#define SW_REPORT_TEXT 800

struct sw_report_step {
	char words[200];            /* "take-port 8080", "verify homepage" */
	const char *outcome;        /* "ok", "failed", "planned", ... */
	char reason[SW_REPORT_TEXT];
	double seconds;
	bool changed;
	bool unrecorded;            /* its audit record was not written
	                               everywhere ("recorded":false) */
};

struct sw_report {
	const char *plan;
	const int *ports;           /* the plan's site; none when unknown */
	size_t nports;
	const char *txid;           /* NULL for a dry run */
	bool dry_run;
	struct sw_report_step step[SW_REPORT_STEPS];
	size_t nsteps;
	const char *outcome;
	bool changed;
	bool touched;
	bool would_change;          /* a dry run: a real one would change
	                               something (it is not done already) */
	int exit_status;
	bool unrecorded;            /* its outcome record was not written to
	                               every sink ("recorded":false) */
	double seconds;
	char result[4000];                  /* the last line, for people */
	char on_failure[SW_REPORT_TEXT];    /* a dry run: what a failure does */
	bool watch_known;           /* watched, unwatched were asked */
	const char *watched[SW_REPORT_CHECKS];
	size_t nwatched;
	const char *unwatched[SW_REPORT_CHECKS];
	size_t nunwatched;
};

/* One more step (past SW_REPORT_STEPS, the last ones are dropped). */
void sw_report_add(struct sw_report *, const char *words, const char *outcome,
    const char *reason, double seconds, bool changed);

/* The last step's audit record was not written to every sink. */
void sw_report_unrecorded(struct sw_report *);

/* The report as one line of JSON, no newline. */
void sw_report_json(const struct sw_report *, struct strbuf *);

#endif
