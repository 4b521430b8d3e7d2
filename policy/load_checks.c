/*
 * load_checks.c - the checks section: content checks `cutover verify` may
 * run.  Only the form is checked here; verify runs them without privilege.
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/load.h"

static const struct key check_keys[] = {
	{ "url", K_STRING, 0, 0, true, "url = \"http://127.0.0.1:8080/\";" },
	{ "status", K_INT, 100, 599, false, "status = 200;" },
	{ "contains", K_STRING, 0, 0, false, "contains = \"Fall collection\";" },
	{ "sha256", K_STRING, 0, 0, false, "sha256 = \"<64 hex digits>\";" },
	{ "header", K_STRING, 0, 0, false, "header = \"Content-Type: text/html\";" },
	{ "timeout", K_SECONDS, 0.1, 600, false, "timeout = 5.0;" },
	{ "within", K_SECONDS, 0, 3600, false, "within = 10.0;" },
	{ "follow", K_BOOL, 0, 0, false, "follow = true;" },
	{ "max_body", K_INT, 1, 1073741824, false, "max_body = 1048576;" },
	{ "connect_to", K_STRING, 0, 0, false, "connect_to = \"127.0.0.1\";" },
	{ "ca_file", K_PATH, 0, 0, false,
	    "ca_file = \"/etc/ssl/certs/ssl-cert-snakeoil.pem\";" },
	{ "pinned_key", K_STRING, 0, 0, false, "pinned_key = \"sha256//<44 "
	    "characters of base64>\";" },
	{ "cert_min_days", K_INT, 1, 3650, false, "cert_min_days = 14;" },
	{ "served_by", K_STRING, 0, 0, false, "served_by = \"nginx\";" },
	{ NULL, 0, 0, 0, false, NULL }
};

/* http(s)://host[:port][/path], printable, no credentials. */
static const char *
url_problem(const char *url)
{
	const char *p, *host;
	size_t hostlen;

	if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else
		return "must start with http:// or https://";
	for (p = url; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p))
			return "must not contain spaces or control characters";
	hostlen = strcspn(host, "/?#");
	if (hostlen == 0 || host[0] == ':')
		return "has no host";
	if (memchr(host, '@', hostlen) != NULL)
		return "must not carry credentials (user@host)";
	return NULL;
}

static const char *
header_problem(const char *h)
{
	size_t n = strcspn(h, ":");
	const char *p;

	if (n == 0 || h[n] != ':')
		return "must be \"Name: value\"";
	for (p = h; p < h + n; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return "has an invalid header name";
	for (p = h; *p != '\0'; p++)
		if (iscntrl((unsigned char)*p))
			return "must not contain control characters";
	return NULL;
}

static const char *
sha256_lower(struct build *b, const char *hex)
{
	char buf[65];
	size_t i;

	if (strlen(hex) != 64)
		return NULL;
	for (i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)hex[i]))
			return NULL;
		buf[i] = (char)tolower((unsigned char)hex[i]);
	}
	buf[64] = '\0';
	return build_strdup(b, buf);
}

/*
 * "ADDR", "ADDR:PORT", "[V6]" or "[V6]:PORT": an address literal, never a
 * name.  A name would be resolved by whoever answers DNS on the day; an
 * address is exactly what root wrote.  Any address, not only loopback:
 * the URL may already name any host, so this reaches no further, and a
 * site may listen on this host's public address only.  HOST gets the
 * address as curl's CONNECT_TO wants it (a v6 one in brackets).
 */
static const char *
connect_to_problem(const char *s, char *host, size_t hostsize, int *port)
{
	unsigned char addr[16];
	const char *end, *colon = strrchr(s, ':');
	char *stop;
	long n;

	*port = 0;
	if (s[0] == '[') {
		if ((end = strchr(s, ']')) == NULL)
			return "has a '[' without its ']'";
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			return "has something after ']' that is not \":PORT\"";
		snprintf(host, hostsize, "%.*s", (int)(end - s - 1), s + 1);
		if (inet_pton(AF_INET6, host, addr) != 1)
			return "is not an IPv6 address in brackets";
		snprintf(host, hostsize, "%.*s", (int)(end - s + 1), s);
	} else if (colon != NULL && strchr(s, ':') != colon) {
		/* more than one ':': a bare IPv6 address, no port */
		colon = NULL;
		if (inet_pton(AF_INET6, s, addr) != 1)
			return "is not an IPv4 or IPv6 address";
		snprintf(host, hostsize, "[%s]", s);
	} else {
		snprintf(host, hostsize, "%.*s", (int)(colon ? colon - s :
		    (long)strlen(s)), s);
		if (inet_pton(AF_INET, host, addr) != 1)
			return "is not an IPv4 or IPv6 address (a name is "
			    "not accepted: DNS would choose the host)";
	}
	if (colon == NULL)
		return NULL;
	n = strtol(colon + 1, &stop, 10);
	if (!isdigit((unsigned char)colon[1]) || *stop != '\0' || n < 1 ||
	    n > 65535)
		return "has a port that is not a number from 1 to 65535";
	*port = (int)n;
	return NULL;
}

static bool
is_base64(char ch)
{
	return isalnum((unsigned char)ch) || ch == '+' || ch == '/';
}

/* curl's CURLOPT_PINNEDPUBLICKEY form: "sha256//B64[;sha256//B64]...",
 * each B64 the 44 characters of a SHA-256 digest. */
static bool
pinned_key_ok(const char *s)
{
	size_t i;

	for (;;) {
		if (strncmp(s, "sha256//", 8) != 0)
			return false;
		for (s += 8, i = 0; i < 43; i++)
			if (!is_base64(s[i]))
				return false;
		if (s[43] != '=')
			return false;
		s += 44;
		if (*s == '\0')
			return true;
		if (*s++ != ';')
			return false;
	}
}

static const char *
optional_string(struct build *b, const config_setting_t *g, const char *key)
{
	const char *s;

	if (config_setting_lookup_string(g, key, &s) != CONFIG_TRUE)
		return NULL;
	return build_strdup(b, s);
}

static void
connect_to_value(struct build *b, const char *file, const config_setting_t *g,
    struct check *c)
{
	const char *s, *why;
	char host[64];

	if ((s = optional_string(b, g, "connect_to")) == NULL)
		return;
	if ((why = connect_to_problem(s, host, sizeof(host),
	    &c->connect_port)) != NULL) {
		build_error(b, file, config_setting_get_member(g, "connect_to"),
		    "connect_to of check %s %s, e.g. connect_to = "
		    "\"127.0.0.1\"; or \"[::1]:8443\";", c->name, why);
		return;
	}
	c->connect_host = build_strdup(b, host);
}

/* Keys that only an https URL has a use for. */
static void
https_only(struct build *b, const char *file, const config_setting_t *g,
    const struct check *c, const char *key)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s != NULL && c->url != NULL && strncmp(c->url, "https://", 8) != 0)
		build_error(b, file, s, "%s of check %s needs an https:// url "
		    "(there is no certificate over http)", key, c->name);
}

static void
tls_values(struct build *b, const char *file, const config_setting_t *g,
    struct check *c)
{
	connect_to_value(b, file, g, c);
	c->ca_file = optional_string(b, g, "ca_file");
	c->pinned_key = optional_string(b, g, "pinned_key");
	if (c->pinned_key && !pinned_key_ok(c->pinned_key))
		build_error(b, file, config_setting_get_member(g, "pinned_key"),
		    "pinned_key of check %s must be \"sha256//\" and the 44 "
		    "characters of base64 of the key's SHA-256 (several: "
		    "separated by ';'), as `openssl pkey -pubin -outform der "
		    "| openssl dgst -sha256 -binary | base64` prints it",
		    c->name);
	c->cert_min_days = 0;
	config_setting_lookup_int(g, "cert_min_days", &c->cert_min_days);
	https_only(b, file, g, c, "ca_file");
	https_only(b, file, g, c, "pinned_key");
	https_only(b, file, g, c, "cert_min_days");
}

/*
 * The URL's port: after the host ("[v6]:PORT", "host:PORT"), else the
 * scheme's.  -1 when what follows the ':' is not a port.
 */
static int
url_port(const char *url)
{
	const char *host = url + (strncmp(url, "https://", 8) == 0 ? 8 : 7);
	size_t len = strcspn(host, "/?#");
	const char *end = host + len, *colon = NULL, *p;
	long n = 0;

	if (host[0] == '[') {
		p = memchr(host, ']', len);
		colon = p != NULL && p + 1 < end && p[1] == ':' ? p + 1 : NULL;
	} else
		for (p = host; p < end; p++)
			if (*p == ':')
				colon = p;
	if (colon == NULL)
		return host == url + 8 ? 443 : 80;
	for (p = colon + 1; p < end && n <= 65535; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		n = n * 10 + (*p - '0');
	}
	return p == colon + 1 || n < 1 || n > 65535 ? -1 : (int)n;
}

/*
 * Is the URL's host an address of no one's choosing but root's: an
 * address literal, or localhost (resolved from /etc/hosts only)?  A name
 * DNS resolves may lead to another host, whose holders are not ours to
 * look at.
 */
static bool
url_host_literal(const char *url)
{
	const char *host = url + (strncmp(url, "https://", 8) == 0 ? 8 : 7);
	unsigned char addr[16];
	char name[64];
	size_t len = strcspn(host, "/?#");

	if (host[0] == '[')
		return memchr(host, ']', len) != NULL;  /* curl checks it */
	len = strcspn(host, ":/?#");
	if (len >= sizeof(name))
		return false;
	snprintf(name, sizeof(name), "%.*s", (int)len, host);
	return strcasecmp(name, "localhost") == 0 ||
	    inet_pton(AF_INET, name, addr) == 1;
}

/*
 * Which port the check reaches, when a holder can be named for it:
 * connect_to's port, else the URL's.  0 when it cannot (see policy.h).
 */
static void
reached_port(struct check *c)
{
	int port;

	c->port = 0;
	if (c->url == NULL || url_problem(c->url) != NULL || c->follow ||
	    (c->connect_host == NULL && !url_host_literal(c->url)))
		return;
	port = c->connect_port > 0 ? c->connect_port : url_port(c->url);
	c->port = port > 0 ? port : 0;
}

/* served_by: a service of the policy, on a port the check surely reaches. */
static void
served_by_value(struct build *b, const char *file, const config_setting_t *g,
    struct check *c)
{
	const config_setting_t *s = config_setting_get_member(g, "served_by");
	const char *name;

	reached_port(c);
	if (s == NULL || (name = config_setting_get_string(s)) == NULL)
		return;
	if ((c->served_by = policy_service(b->policy, name)) == NULL)
		unknown_service(b, file, s, name, "served_by of check");
	else if (c->url == NULL || url_problem(c->url) != NULL)
		return;                 /* the url's own error says it */
	else if (c->follow)
		build_error(b, file, s, "served_by of check %s cannot be used "
		    "with follow = true: a redirect may reach another port than "
		    "the one whose holders are looked at; check the last URL "
		    "instead", c->name);
	else if (c->port == 0 && c->connect_host == NULL &&
	    !url_host_literal(c->url))
		build_error(b, file, s, "served_by of check %s needs the check "
		    "to connect to an address of this host, not to a name DNS "
		    "resolves: add connect_to = \"127.0.0.1\"; (the URL's host "
		    "stays the Host header and the TLS name)", c->name);
	else if (c->port == 0)
		build_error(b, file, config_setting_get_member(g, "url"),
		    "url of check %s has a port that is not a number from 1 "
		    "to 65535", c->name);
}

static void
check_values(struct build *b, const char *file, const config_setting_t *g,
    struct check *c)
{
	const char *why, *hex;
	long long max_body = 1048576;

	c->url = optional_string(b, g, "url");
	if (c->url && (why = url_problem(c->url)) != NULL)
		build_error(b, file, config_setting_get_member(g, "url"),
		    "url of check %s %s, e.g. url = \"http://127.0.0.1:8080/\";",
		    c->name, why);
	c->status = 200;
	config_setting_lookup_int(g, "status", &c->status);
	c->contains = optional_string(b, g, "contains");
	c->header = optional_string(b, g, "header");
	if (c->header && (why = header_problem(c->header)) != NULL)
		build_error(b, file, config_setting_get_member(g, "header"),
		    "header of check %s %s, e.g. header = \"Content-Type: "
		    "text/html\";", c->name, why);
	if ((hex = optional_string(b, g, "sha256")) != NULL &&
	    (c->sha256 = sha256_lower(b, hex)) == NULL)
		build_error(b, file, config_setting_get_member(g, "sha256"),
		    "sha256 of check %s must be 64 hexadecimal digits (as "
		    "sha256sum prints them)", c->name);
	c->timeout = key_seconds(g, "timeout", 5.0);
	c->within = key_seconds(g, "within", 0.0);
	c->follow = key_bool(g, "follow", false);
	config_setting_lookup_int64(g, "max_body", &max_body);
	c->max_body = max_body;
	tls_values(b, file, g, c);
	served_by_value(b, file, g, c);
}

static void
load_check(struct build *b, const char *file, const config_setting_t *g)
{
	struct check *c = &b->checks[b->policy->nchecks];
	const char *name = config_setting_name(g);
	const struct check *prev;
	char what[128];

	snprintf(what, sizeof(what), "check %s", name);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		build_error(b, file, g, "check %s must be a group, e.g. %s = "
		    "{ url = \"http://127.0.0.1:8080/\"; };", name, name);
		return;
	}
	if (!name_ok(name))
		build_error(b, file, g, "\"%s\" is not a valid check name "
		    "(letters, digits, _ and -, at most %d)", name,
		    POLICY_NAME_MAX);
	if ((prev = policy_check(b->policy, name)) != NULL) {
		build_error(b, file, g, "check %s is already defined at %s:%d; "
		    "rename one of them", name, prev->at.file, prev->at.line);
		return;
	}
	if (!keys_ok(b, file, g, check_keys, what))
		return;
	c->name = build_strdup(b, name);
	c->at = build_origin(b, file, g);
	check_values(b, file, g, c);
	b->policy->nchecks++;
}

void
load_checks(struct build *b, const char *file, const config_t *cfg)
{
	const config_setting_t *all = config_lookup(cfg, "checks");
	int i;

	for (i = 0; all != NULL && i < config_setting_length(all); i++)
		load_check(b, file, config_setting_get_elem(all, i));
}
