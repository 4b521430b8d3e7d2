/*
 * journal.c - a unit's own lines from the system journal (journal.h).
 * Reads and cleans; never prints, never decides.  Bounded: at most
 * SCAN_MAX entries are looked at, each at most DATA_MAX bytes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "helper/lib/clock.h"
#include "helper/lib/why.h"
#include "helper/act/svc/journal.h"
#include "helper/act/svc/sdbus.h"

#define SCAN_MAX 200            /* entries looked at, from the newest */
#define DATA_MAX 4096           /* bytes of a field read */
#define HELPER_WORDS "cutover-handoff: "    /* handoff/'s lines begin so */

/* LINE is one of the N kept already (a server that says it again). */
static bool
kept(const char (*lines)[UNITLOG_LINE_MAX], size_t n, const char *line)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(lines[i], line) == 0)
			return true;
	return false;
}

/*
 * The newest lines of J's matches, newest first, into LINES: how many.
 * OURS: also the lines of cutover's own helper, which are not the
 * server's words but may be all there is (the helper itself failed).
 */
static size_t
collect(sd_journal *j, uint64_t since_usec, bool ours,
    char (*lines)[UNITLOG_LINE_MAX], size_t max)
{
	char line[UNITLOG_LINE_MAX];
	const void *data;
	uint64_t at;
	size_t n = 0, len, scanned = 0;

	if (sdjournal.seek_tail(j) < 0)
		return 0;
	while (n < max && scanned++ < SCAN_MAX && sdjournal.previous(j) > 0) {
		if (since_usec > 0 && (sdjournal.get_realtime_usec(j, &at) < 0 ||
		    at < since_usec))
			break;
		if (sdjournal.get_data(j, "MESSAGE", &data, &len) < 0 ||
		    len < sizeof("MESSAGE=") - 1)
			continue;
		unitlog_clean((const char *)data + sizeof("MESSAGE=") - 1,
		    len - (sizeof("MESSAGE=") - 1), line, sizeof(line));
		if (line[0] != '\0' && !kept(lines, n, line) && (ours ||
		    strncmp(line, HELPER_WORDS, sizeof(HELPER_WORDS) - 1) != 0))
			snprintf(lines[n++], UNITLOG_LINE_MAX, "%s", line);
	}
	return n;
}

/* One look at the journal: the number of lines, or -1 (WHY). */
static int
look(const char *match, uint64_t since_usec, char (*lines)[UNITLOG_LINE_MAX],
    size_t max, char *why, size_t whylen)
{
	sd_journal *j = NULL;
	int r;

	if ((r = sdjournal.open(&j, SD_JOURNAL_SYSTEM | SD_JOURNAL_LOCAL_ONLY))
	    < 0 || (r = sdjournal.set_data_threshold(j, DATA_MAX)) < 0 ||
	    (r = sdjournal.add_match(j, match, 0)) < 0) {
		errno = -r;
		why_errno(why, whylen, "cannot read the system journal");
		if (j != NULL)
			sdjournal.close(j);
		return -1;
	}
	if ((r = (int)collect(j, since_usec, false, lines, max)) == 0)
		r = (int)collect(j, since_usec, true, lines, max);
	sdjournal.close(j);
	return r;
}

int
journal_unit_tail(const char *unit, const char *invocation,
    uint64_t since_usec, double wait, char (*lines)[UNITLOG_LINE_MAX],
    size_t max, char *why, size_t whylen)
{
	char match[160], swap[UNITLOG_LINE_MAX];
	double until = monotonic_seconds() + wait;
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	size_t i;
	int n;

	if (sdbus_load(why, whylen) == -1)
		return -1;
	if (invocation[0] != '\0') {
		snprintf(match, sizeof(match), "_SYSTEMD_INVOCATION_ID=%s",
		    invocation);
		since_usec = 0;
	} else
		snprintf(match, sizeof(match), "_SYSTEMD_UNIT=%s", unit);
	while ((n = look(match, since_usec, lines, max, why, whylen)) == 0 &&
	    monotonic_seconds() < until)
		nanosleep(&pause, NULL);
	for (i = 0; n > 0 && i < (size_t)n / 2; i++) {
		memcpy(swap, lines[i], sizeof(swap));
		memcpy(lines[i], lines[n - 1 - i], sizeof(swap));
		memcpy(lines[n - 1 - i], swap, sizeof(swap));
	}
	return n;
}
