/*
 * user.c - who a service runs as, from the password and group databases
 * at request time (impl.h, svc_resolve_user): a process service is run
 * so by cutover, a unit's is checked against what its unit says.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/act/svc/impl.h"
#include "helper/exitcodes.h"
#include "helper/lib/nss.h"

/* SVC's password entry, by user name or by uid; NULL with WHY and *ST. */
static struct passwd *
service_passwd(const struct service *svc, int *st, char *why, size_t whylen)
{
	struct passwd *pw;
	bool nf;

	errno = 0;
	if (svc->user == NULL &&
	    (svc->uid < 0 || svc->uid >= (long long)(uid_t)-1)) {
		snprintf(why, whylen, "service %s has no valid user (uid %lld); "
		    "refusing", svc->name, svc->uid);
		*st = EXIT_REFUSED;
		return NULL;
	}
	pw = svc->user != NULL ? getpwnam(svc->user) : getpwuid((uid_t)svc->uid);
	if (pw != NULL)
		return pw;
	nf = nss_not_found(errno);
	if (svc->user != NULL)
		snprintf(why, whylen, !nf ? "cannot look up user %s of service "
		    "%s: %s" : "user %s of service %s does not exist%s; create "
		    "it or fix the policy", svc->user, svc->name,
		    nf ? "" : strerror(errno));
	else
		snprintf(why, whylen, !nf ? "cannot look up uid %lld of service "
		    "%s: %s" : "uid %lld of service %s has no entry in the "
		    "password database%s; refusing", svc->uid, svc->name,
		    nf ? "" : strerror(errno));
	*st = nf ? EXIT_REFUSED : EXIT_FAILED;
	return NULL;
}

/* SVC's group, when it names one, replaces the user's as P->gid. */
static int
resolve_group(const struct service *svc, struct svc_launch *p, char *why,
    size_t whylen)
{
	struct group *gr;
	bool nf;

	if (svc->group == NULL)
		return EXIT_DONE;
	errno = 0;
	if ((gr = getgrnam(svc->group)) == NULL) {
		nf = nss_not_found(errno);
		snprintf(why, whylen, !nf ? "cannot look up group %s of service "
		    "%s: %s" : "group %s of service %s does not exist%s; create "
		    "it or fix the policy", svc->group, svc->name,
		    nf ? "" : strerror(errno));
		return nf ? EXIT_REFUSED : EXIT_FAILED;
	}
	if (gr->gr_gid == (gid_t)-1) {
		snprintf(why, whylen, "group %s of service %s is gid -1; refusing",
		    svc->group, svc->name);
		return EXIT_REFUSED;
	}
	p->gid = gr->gr_gid;
	return EXIT_DONE;
}

/* The supplementary groups, as initgroups(user, gid) would set them. */
static int
resolve_groups(struct svc_launch *p, char *why, size_t whylen)
{
	gid_t *list = NULL, *bigger;
	int n = 64, got;

	for (;;) {
		if ((bigger = realloc(list, (size_t)n * sizeof(*list))) == NULL) {
			free(list);
			snprintf(why, whylen, "out of memory");
			return EXIT_FAILED;
		}
		list = bigger;
		got = n;
		if (getgrouplist(p->user, p->gid, list, &got) != -1)
			break;
		if (got <= n) {
			if (n >= 65536) {
				free(list);
				snprintf(why, whylen, "cannot list the groups "
				    "of user %s", p->user);
				return EXIT_FAILED;
			}
			got = n * 2;
		}
		n = got;
	}
	p->groups = list;
	p->ngroups = (size_t)got;
	return EXIT_DONE;
}

int
svc_resolve_user(const struct service *svc, struct svc_launch *p, char *why,
    size_t whylen)
{
	struct passwd *pw;
	int st;

	if ((pw = service_passwd(svc, &st, why, whylen)) == NULL)
		return st;
	if (pw->pw_uid == (uid_t)-1 || pw->pw_gid == (gid_t)-1) {
		snprintf(why, whylen, "user %s of service %s has uid or gid -1; "
		    "refusing", pw->pw_name, svc->name);
		return EXIT_REFUSED;
	}
	if (pw->pw_uid == 0 && !svc->allow_root) {
		snprintf(why, whylen, "service %s would run as root (user %s "
		    "is uid 0) and its policy does not say allow_root = true; "
		    "refusing", svc->name, pw->pw_name);
		return EXIT_REFUSED;
	}
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	p->root = pw->pw_uid == 0;
	if ((p->user = strdup(pw->pw_name)) == NULL ||
	    (p->home = strdup(pw->pw_dir)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return EXIT_FAILED;
	}
	if ((st = resolve_group(svc, p, why, whylen)) != EXIT_DONE)
		return st;
	return resolve_groups(p, why, whylen);
}
