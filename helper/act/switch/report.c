/*
 * report.c - a switch's JSON report (report.h).  Every string goes
 * through sb_json_string, so the object is one valid line whatever a
 * step's text quotes.
 */
#include <stdio.h>
#include <string.h>

#include "helper/act/switch/report.h"

void
sw_report_add(struct sw_report *r, const char *words, const char *outcome,
    const char *reason, double seconds, bool changed)
{
	struct sw_report_step *s;

	if (r->nsteps == SW_REPORT_STEPS)
		return;
	s = &r->step[r->nsteps++];
	snprintf(s->words, sizeof(s->words), "%s", words);
	s->outcome = outcome;
	snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
	s->seconds = seconds;
	s->changed = changed;
}

void
sw_report_unrecorded(struct sw_report *r)
{
	if (r->nsteps > 0)
		r->step[r->nsteps - 1].unrecorded = true;
}

static void
key(struct strbuf *sb, const char *name, const char *value)
{
	sb_printf(sb, ",\"%s\":", name);
	sb_json_cstr(sb, value);
}

static void
step_json(struct strbuf *sb, const struct sw_report_step *s)
{
	sb_puts(sb, "{\"step\":");
	sb_json_cstr(sb, s->words);
	key(sb, "outcome", s->outcome);
	if (s->reason[0] != '\0')
		key(sb, "reason", s->reason);
	if (strcmp(s->outcome, "planned") != 0)
		sb_printf(sb, ",\"seconds\":%.3f,\"changed\":%s", s->seconds,
		    s->changed ? "true" : "false");
	if (s->unrecorded)
		sb_puts(sb, ",\"recorded\":false");
	sb_puts(sb, "}");
}

static void
names_json(struct strbuf *sb, const char *name, const char *const *v,
    size_t n)
{
	size_t i;

	sb_printf(sb, ",\"%s\":[", name);
	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_puts(sb, ",");
		sb_json_cstr(sb, v[i]);
	}
	sb_puts(sb, "]");
}

void
sw_report_json(const struct sw_report *r, struct strbuf *sb)
{
	size_t i;

	sb_puts(sb, "{\"plan\":");
	sb_json_cstr(sb, r->plan);
	if (r->nports > 0) {
		sb_puts(sb, ",\"ports\":[");
		for (i = 0; i < r->nports; i++)
			sb_printf(sb, "%s%d", i ? "," : "", r->ports[i]);
		sb_puts(sb, "]");
	}
	sb_printf(sb, ",\"dry_run\":%s", r->dry_run ? "true" : "false");
	key(sb, "txid", r->txid);
	key(sb, "outcome", r->outcome);
	sb_printf(sb, ",\"changed\":%s,\"touched\":%s,\"exit\":%d,"
	    "\"seconds\":%.3f", r->changed ? "true" : "false",
	    r->touched ? "true" : "false", r->exit_status, r->seconds);
	if (r->dry_run)
		sb_printf(sb, ",\"would_change\":%s", r->would_change ? "true" :
		    "false");
	if (r->unrecorded)
		sb_puts(sb, ",\"recorded\":false");
	key(sb, "result", r->result);
	if (r->on_failure[0] != '\0')
		key(sb, "on_failure", r->on_failure);
	if (r->watch_known) {
		names_json(sb, "watched", r->watched, r->nwatched);
		names_json(sb, "unwatched", r->unwatched, r->nunwatched);
	}
	sb_puts(sb, ",\"steps\":[");
	for (i = 0; i < r->nsteps; i++) {
		if (i > 0)
			sb_puts(sb, ",");
		step_json(sb, &r->step[i]);
	}
	sb_puts(sb, "]}");
}
