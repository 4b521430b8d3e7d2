/*
 * caller.h - who is asking: the real uid/gid and current supplementary
 * groups of the process (never $USER, never a name from argv), with the
 * names the password and group databases give them.
 */
#ifndef CUTOVER_CALLER_H
#define CUTOVER_CALLER_H

#include <sys/types.h>

#include <stddef.h>

#include "policy/policy.h"

#define CALLER_GROUPS_MAX 65536   /* the kernel's NGROUPS_MAX */

struct caller {
	uid_t uid;
	gid_t gid;
	char *name;                 /* from getpwuid(uid) */
	char *home;                 /* unused by decisions; for PAM only */
	gid_t *gids;                /* primary first, then supplementary */
	size_t ngids;
	char **group_names;         /* names of gids[], same order */
	char tty[128];              /* "/dev/pts/3", or "" without a tty */
	struct subject subject;     /* the view policy_decide() takes */
};

/*
 * Fill C from the process's own credentials.  Returns 0, or -1 with a
 * reason in WHY: an unknown uid, or any NSS or allocation error, refuses
 * the request; no field ever defaults to root.
 */
int caller_identify(struct caller *c, char *why, size_t whylen);
void caller_free(struct caller *c);

#endif
