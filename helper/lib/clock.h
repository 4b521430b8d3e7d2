/*
 * clock.h - the one clock that deadlines and durations are measured on:
 * CLOCK_MONOTONIC, which the caller cannot set (a wall clock set back
 * would stretch every deadline).
 */
#ifndef CUTOVER_CLOCK_H
#define CUTOVER_CLOCK_H

#include <time.h>

/* Seconds since an arbitrary start; only differences mean anything. */
static inline double
monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
