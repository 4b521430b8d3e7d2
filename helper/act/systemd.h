/*
 * systemd.h - cutover's connection to systemd, the manager of a host that
 * runs it (systemd.c): over its private socket /run/systemd/private,
 * which systemd accepts from root only and which needs neither dbus-daemon
 * (so it works while dbus restarts in an upgrade) nor polkit.
 *
 * A step opens it as root (systemd_attach, before privilege_enter) and
 * authenticates there and then; afterwards the step runs as the step user
 * and asks systemd over the connection it already has: the manager knows
 * the connection as root's, the step can do nothing else as root.  The
 * transaction itself opens one only for a question and closes it at once
 * (systemd_some): every step it forks, a check's among them (which runs
 * as the caller), would inherit a connection systemd takes for root's.
 * libsystemd itself is loaded by dlopen() (sdbus.h says why).
 */
#ifndef CUTOVER_SYSTEMD_H
#define CUTOVER_SYSTEMD_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "helper/act/svc/sdbus.h"

#define SD_DEST "org.freedesktop.systemd1"
#define SD_PATH "/org/freedesktop/systemd1"
#define SD_MANAGER "org.freedesktop.systemd1.Manager"
#define SD_UNIT "org.freedesktop.systemd1.Unit"
#define SD_SERVICE "org.freedesktop.systemd1.Service"

/* This host runs systemd as its init (/run/systemd/system exists). */
bool systemd_runs(void);

/* As root: this process's connection, kept for its life.  0, or -1 (WHY). */
int systemd_attach(char *why, size_t whylen);

/* This process's attached connection, or NULL and WHY says why not. */
sd_bus *systemd_held(char *why, size_t whylen);

/*
 * The attached connection, or one of this call's own in *OWN (as root),
 * which the caller closes with sdbus.flush_close_unref(*OWN) at once.
 * NULL (WHY) when neither can be had.
 */
sd_bus *systemd_some(sd_bus **own, char *why, size_t whylen);

/*
 * Whether unit NAME is active now (ActiveState "active"): 1 yes, 0 no (a
 * unit systemd cannot load is not active), -1 (WHY) when systemd cannot
 * be asked.  A question of the transaction's: its own connection, closed
 * at once (systemd_some).
 */
int systemd_unit_active(const char *name, char *why, size_t whylen);

/*
 * A connection of this process's to systemd dropped: systemd re-executed
 * or reloaded itself (it closes every connection then, and keeps its
 * jobs), or was upgraded.  What the step was told is then no answer: the
 * transaction waits for systemd and runs the step again (resumed), which
 * reads the unit's real state before it decides anything.
 */
bool systemd_lost(void);

/* Before a question asked again: no connection of this process's lost. */
void systemd_lost_forget(void);

#define SYSTEMD_AGAIN_MAX 2             /* questions asked again after a loss */
#define SYSTEMD_BACK_SECONDS 30.0       /* what a re-exec may take */

/* Until systemd answers again, or SYSTEMD_BACK_SECONDS: whether it does. */
bool systemd_back(void);

/* "WHAT: systemd's error, or strerror(-R)" into WHY; EXIT_FAILED. */
int systemd_failed(char *why, size_t whylen, const char *what, int r,
    const sd_bus_error *e);

/*
 * A string systemd sent (an object path, a property), into BUF whole: 0;
 * or -1 and BUF "?" when VALUE is NULL or does not fit.  Never cut: a cut
 * object path, cgroup or user could name another unit's, another
 * directory, another user.  unit.c's reading of what systemd says; pure,
 * for the unit tests and tests/fuzz/fuzz_dbus.c.
 */
int systemd_string_copy(char *buf, size_t size, const char *value);

/* A job of systemd's, watched from before it exists until it has ended. */
struct systemd_job {
	sd_bus_slot *slot;          /* the JobRemoved match */
	char path[256];             /* the job's object path, once known */
	char result[32];            /* JobRemoved's result, once it came */
	/* JobRemoved signals that came before the path was known */
	char early[8][256];
	char early_result[8][32];
	size_t nearly;
};

/* Watch for JobRemoved before the call that makes the job: 0, or -1. */
int systemd_job_watch(sd_bus *b, struct systemd_job *j, char *why,
    size_t whylen);

/*
 * A JobRemoved signal for job PATH with RESULT: J's result if PATH is J's
 * job, or kept (the first 8) until J's path is known.  on_job_removed's
 * reading of the signal; pure, for the fuzz target tests/fuzz/fuzz_dbus.c.
 */
void systemd_job_removed(struct systemd_job *j, const char *path,
    const char *result);

/* The call's reply gave the job's object path PATH. */
void systemd_job_is(struct systemd_job *j, const char *path);

/*
 * Until J has ended or DEADLINE (monotonic seconds), calling TICK (when
 * not NULL) every 2 ms meanwhile: 0, and *ENDED says whether it ended
 * (J->result: done, failed, timeout, canceled, dependency, skipped); or
 * EXIT_FAILED (WHY) when the connection failed.
 */
int systemd_job_wait(sd_bus *b, struct systemd_job *j, double deadline,
    void (*tick)(sd_bus *), bool *ended, char *why, size_t whylen);

void systemd_job_done(struct systemd_job *j);

/*
 * Move PID into a transient scope NAME ("cutover-nginx.scope") of
 * system.slice, DESCRIPTION its description, and wait until systemd has
 * (StartTransientUnit): out of any cgroup its caller owns.  0, or
 * EXIT_FAILED (WHY).
 */
int systemd_scope(sd_bus *b, const char *name, pid_t pid,
    const char *description, char *why, size_t whylen);

#endif
