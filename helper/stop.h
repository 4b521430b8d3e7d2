/*
 * stop.h - free a port from its permitted holders; stop a service.
 * Runs in the free-port/stop step (cap_sys_ptrace, cap_dac_read_search,
 * cap_kill as the caller's uid).
 */
#ifndef CUTOVER_STOP_H
#define CUTOVER_STOP_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

#define STOP_PIDS_MAX 128
#define STOP_SERVICES_MAX 8

enum stop_status { STOP_DONE = 0, STOP_FAILED = 1, STOP_REFUSED = 3 };

struct stop_report {
	bool already_free;          /* nothing held the port / ran */
	pid_t pids[STOP_PIDS_MAX];  /* signalled, in order */
	size_t npids;
	const char *services[STOP_SERVICES_MAX];   /* whose pids were signalled */
	size_t nservices;
	bool killed;                /* SIGKILL was needed */
	double seconds;
};

/*
 * Free PG's port: every holder must be one of its permitted services
 * (else STOP_REFUSED, nothing signalled); signal, wait, maybe SIGKILL.
 * NOTIFY_FD, unless -1, gets one byte once every holder is signalled.
 */
int stop_free_port(const struct port_grant *pg, int notify_fd,
    struct stop_report *, char *why, size_t whylen);

/* Stop SVC: its processes (exe and user) that hold its ports. */
int stop_service(const struct service *svc, struct stop_report *,
    char *why, size_t whylen);

#endif
