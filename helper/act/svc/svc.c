/*
 * svc.c - the seam itself (svc.h): each call goes to the implementation
 * that drives the service.  Nothing else happens here: no privilege, no
 * I/O, so a second service manager is a second table, not a second path
 * through actions.c and switch/.
 */
#include <stddef.h>

#include "helper/act/svc/impl.h"
#include "helper/act/svc/svc.h"

/* A service that names a unit is systemd's; any other, a process. */
static const struct svc_ops *
ops_of(const struct service *svc)
{
	return svc != NULL && svc->unit != NULL ? &svc_unit_ops : &svc_proc_ops;
}

int
svc_attach(const struct service *svc, enum svc_use use, char *why,
    size_t whylen)
{
	return ops_of(svc)->attach(svc, use, why, whylen);
}

enum priv_step
svc_stop_step(const struct service *svc)
{
	return ops_of(svc)->stop_step;
}

int
svc_resolve(const struct service *svc, struct svc_launch *l, char *why,
    size_t whylen)
{
	return ops_of(svc)->resolve(svc, l, why, whylen);
}

void
svc_launch_free(struct svc_launch *l)
{
	ops_of(l->svc)->launch_free(l);
}

int
svc_offer(const struct svc_launch *l, char *why, size_t whylen)
{
	return ops_of(l->svc)->offer(l, why, whylen);
}

int
svc_ports_unheld(const struct svc_launch *l, char *why, size_t whylen)
{
	return ops_of(l->svc)->ports_unheld(l, why, whylen);
}

int
svc_launch(const struct svc_launch *l, struct svc_started *rep, char *why,
    size_t whylen)
{
	return ops_of(l->svc)->launch(l, rep, why, whylen);
}

int
svc_wait_ready(const struct svc_launch *l, struct svc_started *rep,
    char *why, size_t whylen)
{
	return ops_of(l->svc)->wait_ready(l, rep, why, whylen);
}

int
svc_stop(const struct service *svc, const struct stop_keep *keep,
    struct stop_report *rep, char *why, size_t whylen)
{
	return ops_of(svc)->stop(svc, keep, rep, why, whylen);
}

int
svc_identity(const struct service *svc, struct holder_ids *ids, char *why,
    size_t whylen)
{
	return ops_of(svc)->identity(svc, ids, why, whylen);
}

int
svc_state(const struct service *svc, struct svc_state *state, char *why,
    size_t whylen)
{
	return ops_of(svc)->state(svc, state, why, whylen);
}

int
svc_set_boot(const struct service *svc, const char *state, bool reload,
    char *why, size_t whylen)
{
	return ops_of(svc)->set_boot(svc, state, reload, why, whylen);
}

int
svc_queue(const struct service *svc, bool start, char *why, size_t whylen)
{
	return ops_of(svc)->queue(svc, start, why, whylen);
}
