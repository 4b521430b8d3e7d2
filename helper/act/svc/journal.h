/*
 * journal.h - the last lines a unit's processes wrote to the system
 * journal (journal.c), for a failed start told in the server's own words.
 *
 * Read in the unit's step (STEP_UNIT: the step user, with
 * cap_dac_read_search, which reads the journal's files as group
 * systemd-journal would; no new privilege), through sd-journal from the
 * libsystemd the step has loaded already (sdbus.h).  What is read is
 * untrusted: each line is cleaned by unitlog_clean() before it is kept.
 */
#ifndef CUTOVER_JOURNAL_H
#define CUTOVER_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "helper/act/svc/unitlog.h"

/*
 * Up to MAX distinct lines (oldest first, cleaned) of the journal of
 * UNIT's invocation INVOCATION (32 hex digits), or with INVOCATION ""
 * of UNIT since SINCE_USEC (CLOCK_REALTIME, microseconds).  Journald
 * writes a line some time after the server did: when none is there yet,
 * looks again for up to WAIT seconds.  The number of lines, or -1 (WHY)
 * when the journal cannot be read.
 */
int journal_unit_tail(const char *unit, const char *invocation,
    uint64_t since_usec, double wait, char (*lines)[UNITLOG_LINE_MAX],
    size_t max, char *why, size_t whylen);

#endif
