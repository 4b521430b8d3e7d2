/*
 * impl.h - what one service manager provides behind svc.h: svc.c calls
 * through this table, and only svc.c and the implementations include it.
 */
#ifndef CUTOVER_SVC_IMPL_H
#define CUTOVER_SVC_IMPL_H

#include "helper/act/svc/svc.h"

struct svc_ops {
	const char *name;       /* "process", for messages */
	int (*resolve)(const struct service *, struct svc_launch *, char *,
	    size_t);
	void (*launch_free)(struct svc_launch *);
	int (*ports_unheld)(const struct svc_launch *, char *, size_t);
	int (*launch)(const struct svc_launch *, struct svc_started *, char *,
	    size_t);
	int (*wait_ready)(const struct svc_launch *, struct svc_started *,
	    char *, size_t);
	int (*stop)(const struct service *, struct stop_report *, char *,
	    size_t);
	int (*identity)(const struct service *, struct holder_ids *, char *,
	    size_t);
};

/* Plain processes: proc.c. */
extern const struct svc_ops svc_proc_ops;

#endif
