/*
 * keys.c - the generic half of validation: which keys a group may hold,
 * of which type and in which range.  The loaders for services, ports,
 * checks and rules describe their keys in tables and check the meaning;
 * this file checks the form, so every group is checked the same way.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/load.h"

static const char *
type_words(enum key_type t)
{
	switch (t) {
	case K_STRING:  return "a string in double quotes";
	case K_PATH:    return "an absolute path in double quotes";
	case K_BOOL:    return "true or false";
	case K_INT:     return "a whole number";
	case K_SECONDS: return "a number of seconds";
	case K_USER:    return "a user name in quotes or a numeric uid";
	case K_STRINGS: return "a list of non-empty strings in brackets";
	case K_USERS:   return "a list of user names in quotes, in brackets";
	case K_INTS:    return "a list of whole numbers in brackets";
	case K_GROUP:   return "a group in braces";
	case K_LIST:    return "a list in parentheses";
	}
	return "?";
}

/* Edit distance, for "did you mean": short keys only, so O(n*m) is fine. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, tmp;
	size_t row[64];

	if (la >= 64 || lb >= 64)
		return 64;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			cur = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < cur)
				cur = row[j] + 1;
			if (row[j - 1] + 1 < cur)
				cur = row[j - 1] + 1;
			row[j] = cur;
			prev = tmp;
		}
	}
	return row[lb];
}

/* The closest of names[] to s, or NULL when none is close. */
const char *
closest_name(const char *s, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t i, d, bestd = 3;

	for (i = 0; i < n; i++)
		if ((d = distance(s, names[i])) < bestd) {
			bestd = d;
			best = names[i];
		}
	return best;
}

static void
unknown_key(struct build *b, const char *file, const config_setting_t *s,
    const struct key *table, const char *what)
{
	const char *names[32];
	char list[512] = "";
	size_t n = 0;
	const char *hint;

	for (; table->name != NULL && n < 32; table++) {
		names[n++] = table->name;
		if (list[0] != '\0')
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, table->name, sizeof(list) - strlen(list) - 1);
	}
	hint = closest_name(config_setting_name(s), names, n);
	if (hint != NULL)
		build_error(b, file, s, "unknown key \"%s\" in %s; did you "
		    "mean \"%s\"?", config_setting_name(s), what, hint);
	else
		build_error(b, file, s, "unknown key \"%s\" in %s; it may "
		    "hold: %s", config_setting_name(s), what, list);
}

static bool
number_of(const config_setting_t *s, double *v)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		*v = (double)config_setting_get_int64(s);
		return true;
	case CONFIG_TYPE_FLOAT:
		*v = config_setting_get_float(s);
		return !isnan(*v);
	}
	return false;
}

static bool
is_int(const config_setting_t *s)
{
	int t = config_setting_type(s);

	return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64;
}

static bool
string_ok(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_STRING &&
	    config_setting_get_string(s)[0] != '\0';
}

static bool
elements_ok(const config_setting_t *s, const struct key *k)
{
	int t = config_setting_type(s), i, n;
	double v;

	if (t != CONFIG_TYPE_ARRAY && t != CONFIG_TYPE_LIST)
		return false;
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		if (k->type == K_STRINGS && !string_ok(e))
			return false;
		if (k->type == K_USERS && (!string_ok(e) ||
		    !account_name_ok(config_setting_get_string(e))))
			return false;
		if (k->type == K_INTS && (!is_int(e) || !number_of(e, &v) ||
		    v < k->min || v > k->max))
			return false;
	}
	return true;
}

static bool
type_ok(const config_setting_t *s, const struct key *k)
{
	int t = config_setting_type(s);
	double v;

	switch (k->type) {
	case K_STRING:
		return string_ok(s);
	case K_PATH:
		return string_ok(s) && abs_path_ok(config_setting_get_string(s));
	case K_BOOL:
		return t == CONFIG_TYPE_BOOL;
	case K_INT:
		return is_int(s) && number_of(s, &v) && v >= k->min &&
		    v <= k->max;
	case K_SECONDS:
		return number_of(s, &v) && v >= k->min && v <= k->max;
	case K_USER:
		if (t == CONFIG_TYPE_STRING)
			return account_name_ok(config_setting_get_string(s));
		return is_int(s) && number_of(s, &v) && v >= 0 &&
		    v <= 4294967294.0;
	case K_STRINGS:
	case K_USERS:
	case K_INTS:
		return elements_ok(s, k);
	case K_GROUP:
		return t == CONFIG_TYPE_GROUP;
	case K_LIST:
		return t == CONFIG_TYPE_LIST ||
		    (t == CONFIG_TYPE_ARRAY && config_setting_length(s) == 0);
	}
	return false;
}

static void
wrong_type(struct build *b, const char *file, const config_setting_t *s,
    const struct key *k, const char *what)
{
	char range[96] = "";

	if (k->type == K_INT || k->type == K_INTS || k->type == K_SECONDS)
		snprintf(range, sizeof(range), " from %g to %g", k->min, k->max);
	if (k->type == K_PATH)
		snprintf(range, sizeof(range), " (starting with /, without "
		    ". or .. components)");
	build_error(b, file, s, "%s in %s must be %s%s, e.g. %s",
	    k->name, what, type_words(k->type), range, k->example);
}

bool
keys_ok(struct build *b, const char *file, const config_setting_t *group,
    const struct key *table, const char *what)
{
	const struct key *k;
	const config_setting_t *s;
	int i, n = config_setting_length(group);
	bool ok = true;

	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(group, i);
		for (k = table; k->name != NULL; k++)
			if (strcmp(k->name, config_setting_name(s)) == 0)
				break;
		if (k->name == NULL) {
			unknown_key(b, file, s, table, what);
			ok = false;
		} else if (!type_ok(s, k)) {
			wrong_type(b, file, s, k, what);
			ok = false;
		}
	}
	for (k = table; k->name != NULL; k++)
		if (k->required && config_setting_get_member(group, k->name) == NULL) {
			build_error(b, file, group, "%s needs %s, e.g. %s",
			    what, k->name, k->example);
			ok = false;
		}
	return ok;
}

double
key_seconds(const config_setting_t *group, const char *key, double dflt)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	double v;

	return s != NULL && number_of(s, &v) ? v : dflt;
}

bool
key_bool(const config_setting_t *group, const char *key, bool dflt)
{
	int v;

	if (config_setting_lookup_bool(group, key, &v) == CONFIG_TRUE)
		return v;
	return dflt;
}

/* A NULL-terminated copy of a string array; NULL (n = 0) when absent. */
const char *const *
key_strings(struct build *b, const config_setting_t *group, const char *key,
    size_t *n)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	const char **v;
	size_t i;

	*n = 0;
	if (s == NULL)
		return NULL;
	*n = (size_t)config_setting_length(s);
	if ((v = build_alloc(b, *n + 1, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < *n; i++)
		v[i] = build_strdup(b, config_setting_get_string_elem(s, (int)i));
	return v;
}
