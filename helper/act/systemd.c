/*
 * systemd.c - the connection to systemd (systemd.h), its jobs, and
 * transient scopes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper/exitcodes.h"
#include "helper/lib/clock.h"
#include "helper/act/systemd.h"

#define SYSTEMD_PRIVATE "unix:path=/run/systemd/private"

static sd_bus *held;
static pid_t held_by;
static pid_t lost_by;   /* the process whose connection dropped */
static char held_why[256] = "the step did not connect to systemd as root "
    "first (internal error); nothing was done";

bool
systemd_runs(void)
{
	return access("/run/systemd/system", F_OK) == 0;
}

/*
 * What sd-bus says when systemd closed the connection (a re-exec).  Its
 * synchronous calls fill the error from the errno too ("System.Error.
 * ECONNRESET"), so the errno alone decides: systemd's own refusals map
 * to others (NoSuchUnit: ENOENT; AccessDenied: EACCES).
 */
static bool
dropped(int r)
{
	return r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE ||
	    r == -ESHUTDOWN || r == -ECONNREFUSED;
}

bool
systemd_lost(void)
{
	return lost_by == getpid();     /* not a parent's, before a fork */
}

void
systemd_lost_forget(void)
{
	lost_by = 0;
}

bool
systemd_back(void)
{
	struct timespec pause = { 0, 100 * 1000 * 1000L };
	double deadline = monotonic_seconds() + SYSTEMD_BACK_SECONDS;
	char why[256];
	sd_bus *own;

	do {
		if (systemd_some(&own, why, sizeof(why)) != NULL) {
			sdbus.flush_close_unref(own);
			return true;
		}
		nanosleep(&pause, NULL);
	} while (monotonic_seconds() < deadline);
	return false;
}

int
systemd_failed(char *why, size_t whylen, const char *what, int r,
    const sd_bus_error *e)
{
	if (dropped(r))
		lost_by = getpid();
	snprintf(why, whylen, "%s: %s", what, e != NULL &&
	    sdbus.error_is_set(e) ? e->message : strerror(-r));
	return EXIT_FAILED;
}

/* A new connection, authenticated before it is returned (Subscribe). */
static int
systemd_open(sd_bus **out, char *why, size_t whylen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus *b = NULL;
	int r;

	*out = NULL;
	if (sdbus_load(why, whylen) == -1)
		return -1;
	if (!systemd_runs()) {
		snprintf(why, whylen, "this host does not run systemd (there "
		    "is no /run/systemd/system), so no unit can be started or "
		    "stopped here; nothing was done");
		return -1;
	}
	if ((r = sdbus.bus_new(&b)) < 0 ||
	    (r = sdbus.set_address(b, SYSTEMD_PRIVATE)) < 0 ||
	    (r = sdbus.start(b)) < 0 ||
	    (r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER,
	    "Subscribe", &e, NULL, NULL)) < 0) {
		systemd_failed(why, whylen, "cannot reach systemd (through "
		    "/run/systemd/private)", r, &e);
		sdbus.error_free(&e);
		if (b != NULL)
			sdbus.flush_close_unref(b);
		return -1;
	}
	*out = b;
	return 0;
}

int
systemd_attach(char *why, size_t whylen)
{
	if (held != NULL && held_by == getpid())
		return 0;
	if (systemd_open(&held, why, whylen) == -1) {
		snprintf(held_why, sizeof(held_why), "%s", why);
		return -1;
	}
	held_by = getpid();
	return 0;
}

sd_bus *
systemd_held(char *why, size_t whylen)
{
	if (held != NULL && held_by == getpid())
		return held;
	snprintf(why, whylen, "%s", held_why);
	return NULL;
}

sd_bus *
systemd_some(sd_bus **own, char *why, size_t whylen)
{
	*own = NULL;
	if (held != NULL && held_by == getpid())
		return held;
	return systemd_open(own, why, whylen) == 0 ? *own : NULL;
}

int
systemd_unit_active(const char *name, char *why, size_t whylen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	sd_bus *own, *b = systemd_some(&own, why, whylen);
	const char *path;
	char *state = NULL;
	int r, active = -1;

	if (b == NULL)
		return -1;
	r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER, "LoadUnit", &e,
	    &m, "s", name);
	if (r >= 0)
		r = sdbus.message_read(m, "o", &path);
	if (r >= 0)
		r = sdbus.get_property_string(b, SD_DEST, path, SD_UNIT,
		    "ActiveState", &e, &state);
	if (r >= 0)
		active = state != NULL && strcmp(state, "active") == 0;
	else
		systemd_failed(why, whylen, "cannot ask systemd about a unit", r,
		    &e);
	free(state);
	sdbus.message_unref(m);
	sdbus.error_free(&e);
	sdbus.flush_close_unref(own);
	return active;
}

int
systemd_string_copy(char *buf, size_t size, const char *value)
{
	if (value != NULL && strlen(value) < size) {
		memcpy(buf, value, strlen(value) + 1);
		return 0;
	}
	if (size > 0)
		snprintf(buf, size, "?");
	return -1;
}

/* ---- jobs ------------------------------------------------------------------ */

void
systemd_job_removed(struct systemd_job *j, const char *path,
    const char *result)
{
	/*
	 * Cut to fit, a path could be taken for another job's; an object
	 * path starts with '/' (so none is systemd_job_is's "!"); and an
	 * empty result would read as no end yet.
	 */
	if (path[0] != '/' || strlen(path) >= sizeof(j->path) ||
	    result[0] == '\0' || strlen(result) >= sizeof(j->result))
		return;
	if (j->path[0] != '\0') {
		if (strcmp(path, j->path) == 0)
			snprintf(j->result, sizeof(j->result), "%s", result);
	} else if (j->nearly < 8) {
		snprintf(j->early[j->nearly], sizeof(j->early[0]), "%s", path);
		snprintf(j->early_result[j->nearly++],
		    sizeof(j->early_result[0]), "%s", result);
	}
}

static int
on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	const char *path, *unit, *result;
	uint32_t id;

	(void)e;
	if (sdbus.message_read(m, "uoss", &id, &path, &unit, &result) >= 0)
		systemd_job_removed(userdata, path, result);
	return 0;
}

int
systemd_job_watch(sd_bus *b, struct systemd_job *j, char *why, size_t whylen)
{
	int r;

	memset(j, 0, sizeof(*j));
	r = sdbus.match_signal(b, &j->slot, SD_DEST, SD_PATH, SD_MANAGER,
	    "JobRemoved", on_job_removed, j);
	if (r < 0)
		return systemd_failed(why, whylen, "cannot watch systemd's jobs",
		    r, NULL), -1;
	return 0;
}

void
systemd_job_is(struct systemd_job *j, const char *path)
{
	size_t i;

	/* one that does not fit matches nothing: "!" is no object path */
	if (snprintf(j->path, sizeof(j->path), "%s", path) >= (int)sizeof(j->path))
		snprintf(j->path, sizeof(j->path), "!");
	for (i = 0; i < j->nearly; i++)
		if (strcmp(j->early[i], j->path) == 0)
			snprintf(j->result, sizeof(j->result), "%s",
			    j->early_result[i]);
}

int
systemd_job_wait(sd_bus *b, struct systemd_job *j, double deadline,
    void (*tick)(sd_bus *), bool *ended, char *why, size_t whylen)
{
	int r = 0;

	while (j->result[0] == '\0') {
		double left = deadline - monotonic_seconds();

		if ((r = sdbus.process(b, NULL)) < 0)
			break;
		if (r > 0)
			continue;
		if (left <= 0)
			break;
		if (tick != NULL) {
			tick(b);
			if (left > 0.002)
				left = 0.002;
		}
		if ((r = sdbus.wait(b, (uint64_t)(left * 1e6) + 1)) < 0)
			break;
	}
	*ended = j->result[0] != '\0';
	if (r < 0) {
		lost_by = getpid();     /* whatever the error: the job is not
		                           known */
		return systemd_failed(why, whylen, "lost systemd while waiting "
		    "for its job", r, NULL);
	}
	return 0;
}

void
systemd_job_done(struct systemd_job *j)
{
	j->slot = sdbus.slot_unref(j->slot);
}

/* ---- scopes ------------------------------------------------------------------ */

int
systemd_scope(sd_bus *b, const char *name, pid_t pid,
    const char *description, char *why, size_t whylen)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	struct systemd_job j;
	const char *path;
	bool ended = false;
	int r;

	if (systemd_job_watch(b, &j, why, whylen) == -1)
		return EXIT_FAILED;
	r = sdbus.call_method(b, SD_DEST, SD_PATH, SD_MANAGER,
	    "StartTransientUnit", &e, &m, "ssa(sv)a(sa(sv))", name, "fail", 3,
	    "PIDs", "au", 1, (uint32_t)pid,
	    "Slice", "s", "system.slice",
	    "Description", "s", description, 0);
	if (r >= 0)
		r = sdbus.message_read(m, "o", &path);
	if (r < 0) {
		char what[128];

		snprintf(what, sizeof(what), "systemd could not make the scope %s",
		    name);
		systemd_failed(why, whylen, what, r, &e);
	} else {
		systemd_job_is(&j, path);
		r = systemd_job_wait(b, &j, monotonic_seconds() + 5.0, NULL,
		    &ended, why, whylen) == 0 ? 0 : -1;
		if (r == 0 && (!ended || strcmp(j.result, "done") != 0)) {
			snprintf(why, whylen, "systemd's job for the scope %s %s",
			    name, ended ? j.result : "did not end within 5 s");
			r = -1;
		}
	}
	systemd_job_done(&j);
	sdbus.message_unref(m);
	sdbus.error_free(&e);
	return r >= 0 ? 0 : EXIT_FAILED;
}
