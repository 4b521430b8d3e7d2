/*
 * pause.h - hold a service still while a switch checks the new one, then
 * let it go on.
 *
 * During a switch's overlap the old and the new service accept from the
 * same listening sockets.  A check then could reach either, and a check
 * that failed after the old one's drain would need the old one started
 * afresh: Debian's apache2 cannot take an inherited socket, so it binds
 * anew, and for the ~100 ms that takes the port refuses connections.  So
 * the old one is paused instead (SIGSTOP): it keeps its sockets and what
 * it has in flight, accepts nothing, and every new connection goes to
 * the new service, which the checks then see alone.  When they pass, it
 * goes on (SIGCONT) and drains; when one fails, it goes on and the new
 * one is stopped: the port never stops listening and nobody binds.
 */
#ifndef CUTOVER_PAUSE_H
#define CUTOVER_PAUSE_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

#include "helper/act/holders.h"
#include "helper/act/release.h"

/* What a pause or a resume did. */
struct pause_report {
	pid_t pids[STOP_PIDS_MAX];      /* signalled (the first so many) */
	size_t npids;
	size_t nsignalled;
	size_t rounds;                  /* scans until every one was still */
	double seconds;
};

/*
 * Pause (GO_ON false: SIGSTOP) or let go on (SIGCONT) every process of
 * IDS's service that holds a listening socket on one of PORTS[0..N),
 * each through a pidfd after its identity was checked again, and scan
 * again until each is stopped (or none is) - a worker the parent forks
 * meanwhile is caught by the next scan.  Processes that are not the
 * service's are left alone.  0 (EXIT_DONE), or the exit status with WHY;
 * REP says who was signalled either way.
 */
int pause_service(const struct holder_ids *ids, const int *ports, size_t n,
    bool go_on, struct pause_report *rep, char *why, size_t whylen);

#endif
