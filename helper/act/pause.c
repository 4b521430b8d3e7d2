/*
 * pause.c - hold a service still, then let it go on (pause.h).  The same
 * identity proof as release.c's: a pidfd first, then the process checked
 * again through /proc (same executable, same uids, still holding its
 * socket), then the signal through the pidfd - never a pid alone.
 */
#include <sys/pidfd.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper/act/pause.h"
#include "helper/exitcodes.h"
#include "helper/lib/clock.h"

#define PAUSE_ROUNDS 200        /* scans, 5 ms apart: a second of waits */

/* Is H as GO_ON wants it: stopped for a pause, running for a resume? */
static bool
settled(const struct holder *h, bool go_on)
{
	int state = holder_run_state(h->pid);

	if (state == -1)
		return true;            /* it exited: nothing to hold */
	return go_on ? state != 'T' : state == 'T';
}

/* Was PID signalled by an earlier scan (it is on its way to settle)? */
static bool
signalled(const struct pause_report *rep, pid_t pid)
{
	size_t i;

	for (i = 0; i < rep->npids; i++)
		if (rep->pids[i] == pid)
			return true;
	return false;
}

/* Signal H through a pidfd, once it is proven to be the one scanned. */
static int
signal_holder(const struct holder *h, int sig, struct pause_report *rep,
    char *why, size_t whylen)
{
	char err[256];
	int pidfd, same, rc = 0;

	if ((pidfd = pidfd_open(h->pid, 0)) == -1) {
		if (errno == ESRCH)
			return 0;       /* it exited: nothing to hold */
		snprintf(why, whylen, "cannot open a pidfd for pid %d: %s",
		    (int)h->pid, strerror(errno));
		return -1;
	}
	same = holder_same(h, err, sizeof(err));
	if (same == -1) {
		snprintf(why, whylen, "%s", err);
		rc = -1;
	} else if (same == 1 && pidfd_send_signal(pidfd, sig, NULL, 0) == 0) {
		if (rep->npids < STOP_PIDS_MAX)
			rep->pids[rep->npids++] = h->pid;
		rep->nsignalled++;
	} else if (same == 1 && errno != ESRCH) {
		snprintf(why, whylen, "cannot signal pid %d: %s", (int)h->pid,
		    strerror(errno));
		rc = -1;
	}
	close(pidfd);
	return rc;
}

/*
 * One scan of PORT: signal each of IDS's holders not yet settled.
 * *UNSETTLED counts them.  0, or the exit status (WHY).
 */
static int
scan_port(int port, const struct holder_ids *ids, bool go_on,
    struct holders *h, struct pause_report *rep, size_t *unsettled,
    char *why, size_t whylen)
{
	size_t i;
	int st;

	if ((st = ports_holders(port, h, why, whylen)) != 0)
		return st;
	for (i = 0; i < h->n; i++) {
		if (!holder_is(&h->v[i], ids) || settled(&h->v[i], go_on))
			continue;
		(*unsettled)++;
		if (!signalled(rep, h->v[i].pid) && signal_holder(&h->v[i], go_on ? SIGCONT : SIGSTOP, rep, why,
		    whylen) == -1)
			return EXIT_FAILED;
	}
	return 0;
}

int
pause_service(const struct holder_ids *ids, const int *ports, size_t n,
    bool go_on, struct pause_report *rep, char *why, size_t whylen)
{
	struct timespec gap = { 0, 5 * 1000 * 1000L };
	double began = monotonic_seconds();
	struct holders *h = malloc(sizeof(*h));
	size_t unsettled, i;
	int st = 0;

	memset(rep, 0, sizeof(*rep));
	if (h == NULL) {
		snprintf(why, whylen, "out of memory");
		return EXIT_FAILED;
	}
	/* a stop is not instant: until a scan finds every one settled */
	for (rep->rounds = 1; rep->rounds <= PAUSE_ROUNDS; rep->rounds++) {
		unsettled = 0;
		for (i = 0; i < n && st == 0; i++)
			st = scan_port(ports[i], ids, go_on, h, rep, &unsettled,
			    why, whylen);
		if (st != 0 || unsettled == 0)
			break;
		nanosleep(&gap, NULL);
	}
	free(h);
	rep->seconds = monotonic_seconds() - began;
	if (st == 0 && unsettled > 0) {
		snprintf(why, whylen, "%zu process%s of %s still %s after %d "
		    "scans", unsettled, unsettled == 1 ? "" : "es",
		    ids->svc->name, go_on ? "stopped" : "running", PAUSE_ROUNDS);
		st = EXIT_FAILED;
	}
	return st;
}
