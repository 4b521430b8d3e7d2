/*
 * served.c - who serves a check's port (served.h).  The look uses the
 * one identity test (holder_is) that free-port, stop and start use; it
 * never signals, opens or changes anything.
 */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/act/served.h"

/* SRC into DST of SIZE bytes, cut to fit: a message, not a path. */
static void
copy_cut(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Name H in OUT: its pid, user and executable. */
static void
name_holder(const struct holder *h, struct served_look *out)
{
	const struct passwd *pw = getpwuid(h->uid);

	out->pid = h->pid;
	if (pw != NULL)
		snprintf(out->user, sizeof(out->user), "%s", pw->pw_name);
	else
		snprintf(out->user, sizeof(out->user), "uid %lu",
		    (unsigned long)h->uid);
	snprintf(out->exe, sizeof(out->exe), "%.*s",
	    (int)sizeof(out->exe) - 1, h->exe);
}

/*
 * The sockets' inodes, summed up in an order-free way: the same set of
 * sockets gives the same sum, a socket bound afresh another.
 */
static unsigned long long
sockets_sum(const struct holders *h)
{
	unsigned long long sum = 0;
	size_t i;

	for (i = 0; i < h->nsockets; i++)
		sum += (unsigned long long)h->sockets[i] * 0x9E3779B97F4A7C15ULL ^
		    (unsigned long long)h->sockets[i];
	return sum;
}

/* H is a process of PAUSED's service, and stopped: it answers nothing. */
static bool
held_still(const struct holder *h, const struct holder_ids *paused)
{
	return paused != NULL && holder_is(h, paused) &&
	    holder_run_state(h->pid) == 'T';
}

/*
 * Every holder but SELF and the paused is the service's; each socket has
 * one of them.
 */
static void
judge_holders(const struct holders *h, const struct holder_ids *ids,
    const struct holder_ids *paused, pid_t self, struct served_look *out)
{
	unsigned long long covered = 0;
	char who[400], users[600], line[1100];
	size_t j;

	for (j = 0; j < h->n; j++) {
		if (h->v[j].pid == self || held_still(&h->v[j], paused))
			continue;
		if (!holder_is(&h->v[j], ids)) {
			name_holder(&h->v[j], out);
			holder_describe(&h->v[j], who, sizeof(who));
			holder_mismatch(&h->v[j], ids, 1, users, sizeof(users));
			snprintf(line, sizeof(line), "port %d is held by %s, "
			    "not by %s: %s", out->port, who, ids->svc->name,
			    users);
			copy_cut(out->detail, sizeof(out->detail), line);
			out->state = SERVED_OTHER;
			return;
		}
		if (out->pid == 0)
			name_holder(&h->v[j], out);
		covered |= h->v[j].sockets;
	}
	if (h->nsockets < 64 && covered != (1ULL << h->nsockets) - 1) {
		snprintf(out->detail, sizeof(out->detail), "port %d has a "
		    "listening socket that no process of %s holds", out->port,
		    ids->svc->name);
		out->state = SERVED_OTHER;
		return;
	}
	out->state = SERVED_BY;
}

void
served_look(int port, const struct holder_ids *ids,
    const struct holder_ids *paused, pid_t self, struct served_look *out)
{
	struct holders *h = malloc(sizeof(*h));
	char err[256];

	memset(out, 0, sizeof(*out));
	out->port = port;
	out->state = SERVED_OTHER;
	if (h == NULL) {
		out->state = SERVED_UNKNOWN;
		snprintf(out->detail, sizeof(out->detail), "out of memory");
		return;
	}
	memset(h, 0, sizeof(*h));
	if (ports_holders(port, h, err, sizeof(err)) != 0) {
		out->state = SERVED_UNKNOWN;
		snprintf(out->detail, sizeof(out->detail), "cannot tell who "
		    "holds port %d: %.100s", port, err);
	} else if (h->nsockets == 0)
		snprintf(out->detail, sizeof(out->detail), "nothing listens on "
		    "port %d", port);
	else if (h->nunseen > 0)
		snprintf(out->detail, sizeof(out->detail), "port %d is held "
		    "by a process cutover cannot see (another PID namespace?)",
		    port);
	else
		judge_holders(h, ids, paused, self, out);
	out->sockets = sockets_sum(h);
	out->nsockets = h->nsockets;
	free(h);
}

/* A look as it came through a pipe: terminated, its state one we know. */
static int
look_state(const struct served_look *l)
{
	if (l->state != SERVED_BY && l->state != SERVED_OTHER)
		return SERVED_UNKNOWN;
	return l->state;
}

void
served_verdict(const struct served_look *before,
    const struct served_look *after, const char *service,
    struct verify_served *out)
{
	const struct served_look *said = before;

	memset(out, 0, sizeof(*out));
	if (look_state(before) == SERVED_BY && look_state(after) != SERVED_BY)
		said = after;
	out->state = look_state(said);
	out->port = said->port;
	out->pid = (int)said->pid;
	snprintf(out->service, sizeof(out->service), "%s", service);
	snprintf(out->user, sizeof(out->user), "%.*s",
	    (int)sizeof(said->user) - 1, said->user);
	snprintf(out->exe, sizeof(out->exe), "%.*s",
	    (int)sizeof(said->exe) - 1, said->exe);
	if (said->detail[0] != '\0' || out->state == SERVED_BY)
		snprintf(out->detail, sizeof(out->detail), "%s%.140s",
		    said == after ? "after the request, " : "", said->detail);
	else
		snprintf(out->detail, sizeof(out->detail), "%swho holds port %d "
		    "could not be looked at", said == after ? "after the "
		    "request, " : "", said->port);
	if (out->state == SERVED_BY && (before->sockets != after->sockets ||
	    before->nsockets != after->nsockets)) {
		out->state = SERVED_OTHER;
		snprintf(out->detail, sizeof(out->detail), "port %d's listening "
		    "sockets changed during the request (%zu before, %zu after): "
		    "who answered cannot be told", said->port, before->nsockets,
		    after->nsockets);
	}
}
