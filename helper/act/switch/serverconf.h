/*
 * serverconf.h - a switch's pre-flight look at the new server's own
 * configuration (serverconf.c): will it serve on the sockets it is
 * handed?  Today for nginx (socket_handoff = "nginx"), whose dump of its
 * configuration (nginx -T) says both whether it is valid and what it
 * listens on.
 */
#ifndef CUTOVER_SWITCH_SERVERCONF_H
#define CUTOVER_SWITCH_SERVERCONF_H

#include <stddef.h>

#include "policy/policy.h"

/*
 * In the transaction (root), before any step: for a plan whose new
 * service takes nginx's socket handoff, run its exe -T as root and judge
 * the dump in a child with no privilege (listens.h) against what each of
 * the plan's ports will be handed.  0 (also for any other plan),
 * EXIT_REFUSED with WHY naming the file, the line and what to write
 * (or nginx's own words when its configuration is invalid), or
 * EXIT_FAILED when it could not be told.
 */
int serverconf_fit(const struct plan *pl, char *why, size_t whylen);

#endif
