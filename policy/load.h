/*
 * load.h - what the parts of the loader share (not for users of policy/).
 */
#ifndef CUTOVER_LOAD_H
#define CUTOVER_LOAD_H

#include <libconfig.h>
#include <stdbool.h>

#include "policy/policy.h"

/*
 * A build under way: mutable views of the policy's tables.  The policy's
 * counts grow as entries are accepted, so the policy_*() lookups of
 * decide.c already see every entry loaded so far.
 */
struct build {
	struct policy *policy;
	struct policy_arena *arena;
	struct diags *d;
	bool oom;
	struct service *services;
	struct port_grant *ports;
	struct check *checks;
	struct plan *plans;
	struct rule *rules;
};

enum key_type {
	K_STRING, K_PATH, K_BOOL, K_INT, K_SECONDS, K_USER,
	K_STRINGS, K_USERS, K_INTS, K_GROUP, K_LIST,
};

/* One key a group may hold; tables end with a NULL name. */
struct key {
	const char *name;
	enum key_type type;
	double min, max;            /* K_INT, K_SECONDS, K_INTS elements */
	bool required;
	const char *example;        /* what to write, for error messages */
};

void build_error(struct build *, const char *file, const config_setting_t *,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void build_warning(struct build *, const char *file, const config_setting_t *,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void *build_alloc(struct build *, size_t n, size_t size);
const char *build_strdup(struct build *, const char *);
struct origin build_origin(const struct build *, const char *file,
    const config_setting_t *);

bool name_ok(const char *);
bool account_name_ok(const char *);
bool abs_path_ok(const char *);
const char *closest_name(const char *, const char *const *names, size_t n);

/* keys.c: every key known, of the right type, in range; required present. */
bool keys_ok(struct build *, const char *file, const config_setting_t *group,
    const struct key *table, const char *what);
/* Values of keys that keys_ok() accepted. */
double key_seconds(const config_setting_t *group, const char *key, double dflt);
bool key_bool(const config_setting_t *group, const char *key, bool dflt);
const char *const *key_strings(struct build *, const config_setting_t *group,
    const char *key, size_t *n);

void unknown_service(struct build *, const char *file,
    const config_setting_t *, const char *name, const char *role);

void load_services(struct build *, const char *file, const config_t *);
void load_ports(struct build *, const char *file, const config_t *);
void load_checks(struct build *, const char *file, const config_t *);
void load_plans(struct build *, const char *file, const config_t *);
void load_rules(struct build *, const char *file, const config_t *);

#endif
