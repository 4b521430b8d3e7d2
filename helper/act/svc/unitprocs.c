/*
 * unitprocs.c - every process of a started unit runs as its service may
 * (impl.h, svc_unit_procs_fit).  The port's holders are judged one by one
 * (holders.c); this looks at the rest of the unit too - a master that
 * holds no socket, a cache manager, a helper left running - so that a
 * policy that says user = "nginx" is not satisfied by workers that are
 * nginx under a master that is root.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/act/holders.h"
#include "helper/act/svc/impl.h"
#include "helper/exitcodes.h"
#include "helper/lib/procfs.h"
#include "helper/lib/why.h"

/* The one capability a service that is not root may keep: binding a port
   below 1024 itself, as nginx does at boot (cutover(8), NGINX AS ITS OWN
   USER).  Every other one is as good as root for the purpose. */
#define CAPS_ALLOWED (1ULL << 10)       /* CAP_NET_BIND_SERVICE */

/*
 * PID as SVC may run: 1 yes, 0 no (WHY says how it runs), -1 it is gone.
 * All four uids (real, effective, saved, file-system) count: a process
 * that keeps root as its saved uid can be root again at will.
 */
static int
proc_fits(pid_t pid, const struct service *svc, const struct holder_ids *ids,
    char *why, size_t whylen)
{
	char path[64], status[8192], *line;
	unsigned long u[4];
	unsigned long long eff = 0, prm = 0;
	size_t i;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (procfs_read(path, status, sizeof(status)) == -1)
		return -1;
	if ((line = strstr(status, "\nUid:")) == NULL ||
	    sscanf(line, "\nUid:\t%lu\t%lu\t%lu\t%lu", &u[0], &u[1], &u[2],
	    &u[3]) != 4 ||
	    procfs_status_field(status, "CapEff", 16, &eff) == -1 ||
	    procfs_status_field(status, "CapPrm", 16, &prm) == -1)
		return why_set(why, whylen, "cannot read how pid %d runs",
		    (int)pid), 0;
	for (i = 0; i < 4; i++)
		if (u[i] > (uid_t)-1 || !holder_ids_have(ids, (uid_t)u[i]))
			return why_set(why, whylen, "pid %d runs as uid %lu "
			    "(real, effective, saved, file-system: %lu %lu %lu "
			    "%lu)", (int)pid, u[i], u[0], u[1], u[2], u[3]), 0;
	if (!svc->allow_root && ((eff | prm) & ~CAPS_ALLOWED) != 0)
		return why_set(why, whylen, "pid %d has capabilities %llx "
		    "(effective) %llx (permitted), more than binding a low port",
		    (int)pid, eff, prm), 0;
	return 1;
}

int
svc_unit_procs_fit(const struct service *svc, const struct holder_ids *ids,
    char *why, size_t whylen)
{
	char users[128], how[256];
	struct dirent *d;
	DIR *proc;
	pid_t pid;
	int fits = 1;

	if ((proc = opendir("/proc")) == NULL)
		return why_errno(why, whylen, "cannot read /proc"), EXIT_FAILED;
	while (fits == 1 && (errno = 0, d = readdir(proc)) != NULL) {
		if ((pid = (pid_t)strtol(d->d_name, NULL, 10)) <= 0 ||
		    !holder_in_cgroup(pid, ids->cgroup))
			continue;
		if (proc_fits(pid, svc, ids, how, sizeof(how)) == 0)
			fits = 0;
	}
	if (fits == 1 && errno != 0)
		fits = -1;
	closedir(proc);
	if (fits == 1)
		return 0;
	if (fits == -1)
		return why_errno(why, whylen, "cannot read /proc"), EXIT_FAILED;
	holder_ids_describe(ids, users, sizeof(users));
	why_set(why, whylen, "systemd started %s, but not every process of it "
	    "runs as service %s may: %s; the policy allows %s%s", svc->unit,
	    svc->name, how, users, svc->allow_root ? "" : " and no capability "
	    "but cap_net_bind_service (cutover(8), NGINX AS ITS OWN USER)");
	return EXIT_FAILED;
}
