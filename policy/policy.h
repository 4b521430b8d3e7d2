/*
 * policy.h - the cutover policy: one immutable structure, and the pure
 * functions that build it from text, decide requests against it and
 * describe it in words.
 *
 * Nothing in policy/ touches processes, credentials, capabilities, PAM or
 * the audit log.  The only I/O is policy_read_files() in files.c, which
 * reads policy text (and checks that it is safe to trust) with whatever
 * privileges its caller holds.  Everything else is a function of its
 * arguments, so the unit tests need no root and the fuzzer reaches it all.
 */
#ifndef CUTOVER_POLICY_H
#define CUTOVER_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define POLICY_NAME_MAX   64    /* service, check and user/group names */
#define POLICY_TEXT_MAX   (1024 * 1024)  /* one policy file, in bytes */
#define POLICY_FILES_MAX  256   /* main file plus drop-ins */
#define POLICY_HOLDER_USERS_MAX 16      /* holder_users of one service */
#define POLICY_UNIT_MAX 255             /* a systemd unit name (UNIT_NAME_MAX - 1) */
/*
 * The ports of one plan: each may have an IPv4 and an IPv6 socket, and a
 * switch hands them all over in one message (STOP_SOCKETS_MAX).
 */
#define POLICY_PLAN_PORTS_MAX 4

/* Where something was written: every permission remembers it. */
struct origin {
	const char *file;
	int line;
};

/*
 * How a switch hands the port to a service it starts: the old holder's
 * own listening sockets (checked to be the holder's, not the caller's),
 * or else one cutover binds on [::]:PORT dual-stack (0.0.0.0:PORT without
 * IPv6) as soon as the old holder lets go, are passed from fd 3 on
 * (systemd: LISTEN_FDS=N and LISTEN_PID; nginx: NGINX="3;4;"), so a
 * client in the gap waits in a backlog instead of being refused.
 */
enum socket_handoff { HANDOFF_NONE, HANDOFF_SYSTEMD, HANDOFF_NGINX };

struct service {
	const char *name;
	struct origin at;
	const char *exe;            /* absolute; identity of its processes */
	const char *user;           /* name, or NULL when uid is given */
	long long uid;              /* -1 unless user = <number> */
	const char *group;          /* NULL: the user's primary group */
	/*
	 * The users whose processes of exe are this service's (real and
	 * effective uid): holder_users, which always lists user, or NULL
	 * (n = 0) for user alone.  A root master with www-data workers
	 * lists both; anyone else running exe is never taken for it.
	 */
	const char *const *holder_users;
	size_t nholder_users;
	bool allow_root;
	/*
	 * The systemd unit that is this service ("nginx.service"), or NULL:
	 * then cutover starts it itself (start) and stops it by signal.  A
	 * unit's service is started and stopped only through systemd, and
	 * its holders must also be in the unit's cgroup.
	 */
	const char *unit;
	const char *const *start;   /* argv, NULL-terminated, [0] absolute;
	                               NULL for a unit */
	size_t nstart;
	int stop_signal;            /* signal number */
	double stop_timeout;        /* seconds */
	/*
	 * A graceful stop first, when drain_signal is not 0: that signal
	 * (apache2: WINCH, nginx: QUIT) lets requests in flight finish; what
	 * still holds the port after drain_timeout gets stop_signal.
	 */
	int drain_signal;
	double drain_timeout;       /* seconds */
	bool kill_after;            /* SIGKILL after stop_timeout */
	double start_timeout;       /* seconds */
	const int *ports;
	size_t nports;
	const char *const *env;     /* "NAME=value", NULL-terminated */
	size_t nenv;
	const char *const *capabilities; /* lower-case libcap names */
	size_t ncapabilities;
	enum socket_handoff handoff; /* socket_handoff = "none" (default) */
};

struct port_grant {
	int port;
	struct origin at;
	const struct service *const *holders;
	size_t nholders;
};

struct check {
	const char *name;
	struct origin at;
	const char *url;            /* http:// or https:// */
	int status;                 /* expected HTTP status */
	const char *contains;       /* NULL: not checked */
	const char *sha256;         /* lower-case hex, or NULL */
	const char *header;         /* "Name: value", or NULL */
	double timeout;             /* seconds per attempt */
	double within;              /* seconds of waiting for a server not
	                             * ready yet; 0: one attempt */
	bool follow;                /* follow redirects on the same host */
	long long max_body;         /* bytes */
	/* where to connect instead of the URL's host: an address literal
	 * ("[v6]" bracketed, as curl's CONNECT_TO wants it), NULL: the URL's
	 * host; the Host header, SNI and the certificate's name stay the
	 * URL's */
	const char *connect_host;
	int connect_port;           /* 0: the URL's port */
	const char *ca_file;        /* https: NULL, the system's CAs */
	const char *pinned_key;     /* https: "sha256//...[;...]", or NULL */
	int cert_min_days;          /* https: 0, expiry not checked */
	/*
	 * The port the check's connection reaches on this host: connect_to's
	 * port, else the URL's, else 80 or 443; 0 when no holder can be
	 * named for it (a host name DNS resolves, or follow = true: a
	 * redirect may lead to another port).
	 */
	int port;
	/* served_by: the service whose processes alone must hold every
	 * listening socket of that port; NULL: not looked at (a plan's
	 * check then looks for the plan's new service) */
	const struct service *served_by;
};

/*
 * A switch plan: move a site - every listening socket on its PORTS (80
 * and 443, IPv4 and IPv6) - from FROM to TO as one, run the checks; on a
 * failure and with rollback, stop TO and start FROM again.  The loader
 * makes sure every step is one the policy defines: each port has a ports
 * entry whose holders include FROM, TO and FROM list each port, FROM has
 * a start command, and each check exists.
 */
/*
 * What a switch whose services are systemd units leaves for the next boot
 * once it succeeded: the new unit enabled, and the old one disabled
 * (the default), disabled and masked, or both as they were ("none").
 */
enum plan_persist { PERSIST_DISABLE, PERSIST_MASK, PERSIST_NONE };

struct plan {
	const char *name;
	struct origin at;
	/*
	 * The site: its ports (port = 8080; or ports = [80, 443];), at
	 * least one, in the policy's order, and the ports entry of each.
	 */
	const int *ports;
	const struct port_grant *const *grants;
	size_t nports;
	const struct service *from;
	const struct service *to;
	const struct check *const *verify;
	size_t nverify;
	bool rollback;
	enum plan_persist persist;  /* only where from or to is a unit */
};

enum auth_method { AUTH_NONE, AUTH_PAM };

/* One item a rule grants: the item's own file:line is kept. */
struct grant_item {
	struct origin at;
	const struct port_grant *port;        /* free = [...] */
	const struct service *service;        /* start/stop = [...] */
	const struct check *check;            /* verify = [...] */
	const struct plan *plan;              /* switch = [...] */
};

struct grant_list {
	const struct grant_item *items;
	size_t n;
};

struct rule {
	struct origin at;
	const char *const *users;
	size_t nusers;
	const char *const *groups;
	size_t ngroups;
	struct grant_list free, start, stop, verify;
	struct grant_list plans;    /* switch = [...]: the key is "switch" */
	enum auth_method auth;
	bool reason_required;       /* reason = "required": --reason TEXT */
};

struct audit_config {
	bool syslog;
	const char *file;           /* NULL: no file sink */
	struct origin at;
};

struct policy {
	struct audit_config audit;
	const struct service *services;
	size_t nservices;
	const struct port_grant *ports;
	size_t nports;
	const struct check *checks;
	size_t nchecks;
	const struct plan *plans;
	size_t nplans;
	const struct rule *rules;
	size_t nrules;
	const char *const *files;   /* the files it was read from, in order */
	size_t nfiles;
	struct policy_arena *arena; /* owns every byte above */
};

/* ---- diagnostics: errors and warnings with file:line ---------------- */

enum diag_level { DIAG_WARNING, DIAG_ERROR };

struct diag {
	enum diag_level level;
	char *file;                 /* may be NULL */
	int line;                   /* 0: no line */
	char *msg;
};

struct diags {
	struct diag *v;
	size_t n;
	size_t nerrors;
};

void diags_add(struct diags *, enum diag_level, const char *file, int line,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void diags_free(struct diags *);

/* ---- reading and building -------------------------------------------- */

/* One policy text with the name it is reported under. */
struct policy_text {
	char *name;
	char *text;                 /* NUL-terminated, no NUL inside */
	size_t len;
	bool main;                  /* false for policy.d drop-ins */
};

struct policy_texts {
	struct policy_text v[POLICY_FILES_MAX];
	size_t n;
};

enum policy_trust {
	/*
	 * The system policy: the file, its drop-ins and every directory
	 * above them must be root-owned, not group- or world-writable and
	 * not symlinks; any failure is an error.
	 */
	POLICY_TRUST_SYSTEM,
	/*
	 * A file the caller named (policy check FILE): read with the
	 * caller's privileges, symlinks followed, directories above it not
	 * checked; a file (or drop-in, or policy.d) not owned by root or
	 * writable by group/others is reported as a warning.
	 */
	POLICY_TRUST_NAMED,
};

/*
 * Read PATH and every *.conf in policy.d/ beside it (lexical order).
 * Returns 0, or -1 with the reasons in diags.
 */
int policy_read_files(const char *path, enum policy_trust,
    struct policy_texts *, struct diags *);
void policy_texts_free(struct policy_texts *);

/*
 * Build the policy from texts.  Returns NULL and errors in diags when
 * anything is wrong; warnings may be added either way.
 */
struct policy *policy_build(const struct policy_texts *, struct diags *);
void policy_free(struct policy *);

/* Read and build: the one call the helper makes. */
struct policy *policy_load(const char *path, enum policy_trust,
    struct diags *);

/* ---- lookups ---------------------------------------------------------- */

const struct service *policy_service(const struct policy *, const char *);
const struct check *policy_check(const struct policy *, const char *);
const struct port_grant *policy_port(const struct policy *, int port);
const struct plan *policy_plan(const struct policy *, const char *);
const char *policy_signal_name(int signo);
/* "port 8080", "ports 80 and 443", "ports 80, 443 and 8443" */
void policy_plan_ports_words(const struct plan *, char *buf, size_t size);
/* The same without the noun: "8080", "80 and 443" */
void policy_plan_port_numbers(const struct plan *, char *buf, size_t size);
/* Does the plan set what starts at boot (a unit, persist not "none")? */
bool policy_plan_persists(const struct plan *);
/*
 * Does a switch pause the old service, rather than stop it, while the
 * new one is checked (a socket handoff, checks and a rollback)?  Then a
 * failed check needs no fresh bind of the old one (helper/act/pause.h).
 */
bool policy_plan_pauses(const struct plan *);
/* Does the plan move PORT? */
bool policy_plan_has_port(const struct plan *, int port);

/* ---- deciding --------------------------------------------------------- */

enum action { ACT_FREE_PORT, ACT_START, ACT_STOP, ACT_VERIFY, ACT_SWITCH };

struct request {
	enum action action;
	const char *target;         /* service, check or plan name */
	int port;                   /* ACT_FREE_PORT */
	const char *reason;         /* the caller's --reason; NULL: none */
};

/* Who asks: names as the password and group databases give them. */
struct subject {
	const char *user;
	const char *const *groups;  /* primary and supplementary */
	size_t ngroups;
};

enum verdict { VERDICT_DENY, VERDICT_ALLOW };

struct decision {
	enum verdict verdict;
	const struct rule *rule;    /* the rule that allowed; NULL on deny */
	struct origin at;           /* file:line of the granting item */
	enum auth_method auth;
	char reason[256];           /* what the caller is told */
	char detail[512];           /* more, for policy test and reviewers */
};

void policy_decide(const struct policy *, const struct subject *,
    const struct request *, struct decision *);

/* What rule R grants under action A (the rule's key for A). */
const struct grant_list *policy_rule_grants(const struct rule *r,
    enum action a);

const char *action_name(enum action);
int action_from_name(const char *, enum action *);
/* Parse "8080": 1..65535 only, digits only.  -1 on anything else. */
int port_from_string(const char *);

#endif
