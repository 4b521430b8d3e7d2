/*
 * listens.c - nginx's listen directives, read from its own dump of its
 * configuration, against the sockets a switch will hand it (listens.h).
 *
 * Pure: no I/O, no allocation.  The dump is untrusted text; every bound
 * is checked, and what cannot be read as a listen on a TCP port (unix:
 * sockets, a name to resolve) is kept as what it is or left out.
 *
 * The dump: "# configuration file PATH:" on a line of its own, then the
 * file as it is, for each file nginx read.  Directives end at ';', blocks
 * open at '{' and close at '}', '#' begins a comment, a token may be
 * quoted ("..." or '...', with backslash escapes).  Every listen counts,
 * whatever block it is in: an http, stream or mail server binds its
 * port alike.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/act/switch/listens.h"

#define TOKENS_MAX 16
#define TOKEN_MAX 256

struct lexer {
	const char *p, *end;
	int line;                   /* of the current file */
	char file[LISTEN_FILE_MAX];
	bool line_start;
	/* the directive being read */
	char tok[TOKENS_MAX][TOKEN_MAX];
	size_t ntok;
	bool dropped;               /* more tokens than kept: not a listen */
	int first_line;
};

/* Printable ASCII of S into BUF, anything else as '?'. */
static void
printable(char *buf, size_t size, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < size; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f)
			buf[i] = s[i];
		else
			buf[i] = '?';
	}
	buf[i] = '\0';
}

/* At a line's start: "# configuration file PATH:" names the file. */
static void
header(struct lexer *lx)
{
	static const char mark[] = "# configuration file ";
	const char *eol = memchr(lx->p, '\n', (size_t)(lx->end - lx->p));
	size_t len = eol ? (size_t)(eol - lx->p) : (size_t)(lx->end - lx->p);

	if (len > sizeof(mark) && memcmp(lx->p, mark, sizeof(mark) - 1) == 0 &&
	    lx->p[len - 1] == ':') {
		printable(lx->file, sizeof(lx->file), lx->p + sizeof(mark) - 1,
		    len - sizeof(mark));
		lx->line = 0;   /* the header's newline makes the next line 1 */
		lx->ntok = 0;
	}
}

/* One quoted token from lx->p (at the quote) into BUF; -1 if unterminated. */
static int
quoted(struct lexer *lx, char *buf, size_t *n)
{
	char q = *lx->p++;

	while (lx->p < lx->end && *lx->p != q) {
		if (*lx->p == '\\' && lx->p + 1 < lx->end)
			lx->p++;
		if (*lx->p == '\n')
			lx->line++;
		if (*n + 1 < TOKEN_MAX)
			buf[(*n)++] = *lx->p;
		lx->p++;
	}
	if (lx->p == lx->end)
		return -1;
	lx->p++;
	return 0;
}

/* Keep the token BUF (N bytes) in the directive being read. */
static void
keep(struct lexer *lx, const char *buf, size_t n)
{
	if (lx->ntok == 0)
		lx->first_line = lx->line;
	if (lx->ntok == TOKENS_MAX) {
		lx->dropped = true;
		return;
	}
	memcpy(lx->tok[lx->ntok], buf, n);
	lx->tok[lx->ntok++][n] = '\0';
}

/*
 * "80", "*:80", "0.0.0.0:80", "127.0.0.1", "[::]:8080", "[::1]": the
 * port and whether the address is a wildcard.  -1 for what is not an
 * address and port of TCP (unix:..., a bad port).
 */
static int
address(const char *a, int *port, enum listen_kind *kind, bool *v6)
{
	char host[TOKEN_MAX];
	unsigned char bin[16] = { 0 }, zero[16] = { 0 };
	const char *colon, *p = NULL;
	long v;
	char *end;

	*v6 = a[0] == '[';
	if (strncmp(a, "unix:", 5) == 0)
		return -1;
	if (*v6) {
		const char *close = strchr(a, ']');

		if (close == NULL || (size_t)(close - a - 1) >= sizeof(host))
			return -1;
		memcpy(host, a + 1, (size_t)(close - a - 1));
		host[close - a - 1] = '\0';
		if (close[1] == ':')
			p = close + 2;
		else if (close[1] != '\0')
			return -1;
		if (inet_pton(AF_INET6, host, bin) != 1)
			return -1;
		*kind = memcmp(bin, zero, 16) == 0 ? LISTEN_V6_ONLY :
		    LISTEN_ONE_ADDRESS;
	} else {
		colon = strrchr(a, ':');
		if (colon == NULL && strspn(a, "0123456789") == strlen(a)) {
			p = a;
			*kind = LISTEN_V4_ANY;
		} else {
			size_t hl = colon ? (size_t)(colon - a) : strlen(a);

			if (hl >= sizeof(host))
				return -1;
			memcpy(host, a, hl);
			host[hl] = '\0';
			p = colon ? colon + 1 : NULL;
			*kind = strcmp(host, "*") == 0 ||
			    strcmp(host, "0.0.0.0") == 0 ? LISTEN_V4_ANY :
			    LISTEN_ONE_ADDRESS;
		}
	}
	if (p == NULL) {
		*port = 80;
		return 0;
	}
	if (*p < '0' || *p > '9')
		return -1;
	v = strtol(p, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

/* The directive just ended: a listen on a TCP port goes into OUT. */
static int
directive(struct lexer *lx, struct listen_set *out, char *why, size_t whylen)
{
	struct listen_directive d;
	size_t i, len = 0;
	bool v6;

	if (lx->ntok < 2 || lx->dropped || strcmp(lx->tok[0], "listen") != 0)
		return 0;
	memset(&d, 0, sizeof(d));
	if (address(lx->tok[1], &d.port, &d.kind, &v6) == -1)
		return 0;
	for (i = 2; i < lx->ntok; i++) {
		if (strcmp(lx->tok[i], "reuseport") == 0)
			d.reuseport = true;
		else if (v6 && d.kind != LISTEN_ONE_ADDRESS &&
		    strcmp(lx->tok[i], "ipv6only=off") == 0)
			d.kind = LISTEN_V6_DUAL;
		else if (v6 && d.kind != LISTEN_ONE_ADDRESS &&
		    strcmp(lx->tok[i], "ipv6only=on") == 0)
			d.kind = LISTEN_V6_ONLY;
	}
	if (out->n == LISTENS_MAX) {
		snprintf(why, whylen, "nginx's configuration has more than %d "
		    "listen directives, more than cutover reads", LISTENS_MAX);
		return -1;
	}
	snprintf(d.file, sizeof(d.file), "%s", lx->file);
	d.line = lx->first_line;
	for (i = 0; i < lx->ntok && len + 1 < sizeof(d.text); i++) {
		if (i > 0)
			d.text[len++] = ' ';
		printable(d.text + len, sizeof(d.text) - len, lx->tok[i],
		    strlen(lx->tok[i]));
		len = strlen(d.text);
	}
	out->v[out->n++] = d;
	return 0;
}

/* The end of a directive or of a block's head: what was read is done. */
static int
end_of(struct lexer *lx, char c, struct listen_set *out, char *why,
    size_t whylen)
{
	int rc = c == ';' ? directive(lx, out, why, whylen) : 0;

	lx->ntok = 0;
	lx->dropped = false;
	return rc;
}

/* One step of the lexer: a character, a comment, a quoted or bare token. */
static int
lex(struct lexer *lx, struct listen_set *out, char *why, size_t whylen)
{
	char buf[TOKEN_MAX];
	size_t n = 0;
	char c = *lx->p;

	if (lx->line_start && c == '#')
		header(lx);
	lx->line_start = false;
	if (c == '\n' || c == ' ' || c == '\t' || c == '\r') {
		lx->line += c == '\n';
		lx->line_start = c == '\n';
		lx->p++;
		return 0;
	}
	if (c == '#') {
		while (lx->p < lx->end && *lx->p != '\n')
			lx->p++;
		return 0;
	}
	if (c == ';' || c == '{' || c == '}') {
		lx->p++;
		return end_of(lx, c, out, why, whylen);
	}
	if (c == '"' || c == '\'') {
		if (quoted(lx, buf, &n) == -1) {
			snprintf(why, whylen, "nginx's configuration dump has "
			    "an unterminated quote in %s", lx->file);
			return -1;
		}
	} else {
		/* a NUL too ends a token (strchr would find the set's own) */
		while (lx->p < lx->end && *lx->p != '\0' &&
		    strchr(" \t\r\n;{}\"'#", *lx->p) == NULL) {
			if (n + 1 < TOKEN_MAX)
				buf[n++] = *lx->p;
			lx->p++;
		}
	}
	if (n == 0 && c == '\0')
		lx->p++;        /* a NUL between tokens: skipped */
	else
		keep(lx, buf, n);
	return 0;
}

int
listens_parse(const char *dump, size_t len, struct listen_set *out,
    char *why, size_t whylen)
{
	static struct lexer lx;     /* 4 KB of tokens: not on the stack */

	memset(&lx, 0, sizeof(lx));
	lx.p = dump;
	lx.end = dump + len;
	lx.line = 1;
	lx.line_start = true;
	snprintf(lx.file, sizeof(lx.file), "(nginx -T)");
	out->n = 0;
	while (lx.p < lx.end)
		if (lex(&lx, out, why, whylen) == -1)
			return -1;
	return 0;
}

/* ---- judging ------------------------------------------------------------ */

/* What to write for PORT handed HANDED. */
static void
wanted(int port, unsigned handed, char *buf, size_t size)
{
	if (handed == HANDED_PAIR)
		snprintf(buf, size, "listen %d; listen [::]:%d;", port, port);
	else if (handed == HANDED_V4)
		snprintf(buf, size, "listen %d;", port);
	else
		snprintf(buf, size, "listen [::]:%d ipv6only=off;", port);
}

/* What PORT is handed, in words. */
static void
handed_words(int port, unsigned handed, char *buf, size_t size)
{
	if (handed == HANDED_PAIR)
		snprintf(buf, size, "an IPv4 socket, 0.0.0.0:%d, and an IPv6-only "
		    "one, [::]:%d", port, port);
	else if (handed == HANDED_V4)
		snprintf(buf, size, "one IPv4 socket, 0.0.0.0:%d", port);
	else
		snprintf(buf, size, "one dual-stack socket, [::]:%d, that serves "
		    "IPv4 too", port);
}

/* Why directive D cannot take PORT's sockets, handed HANDED. */
static void
misfit(const struct listen_directive *d, unsigned handed, char *buf,
    size_t size)
{
	char want[64], as[128];

	wanted(d->port, handed, want, sizeof(want));
	handed_words(d->port, handed, as, sizeof(as));
	if (d->reuseport)
		snprintf(buf, size, "%s:%d: '%s' has reuseport, so nginx would "
		    "bind sockets of its own for port %d beside the ones it is "
		    "handed, which the kernel refuses; remove reuseport",
		    d->file, d->line, d->text, d->port);
	else if (d->kind == LISTEN_V6_ONLY && handed == HANDED_DUAL)
		snprintf(buf, size, "%s:%d: '%s' is IPv6 alone, but port %d is "
		    "handed over as %s: nginx would serve IPv4 on it now, and no "
		    "longer after a plain restart; write '%s' in its place",
		    d->file, d->line, d->text, d->port, as, want);
	else
		snprintf(buf, size, "%s:%d: '%s' asks for an address of port %d "
		    "that is not one it is handed (%s), so nginx would bind it "
		    "beside them, which the kernel refuses, and fail to start; "
		    "write '%s' in its place, for port %d in each server block",
		    d->file, d->line, d->text, d->port, as, want, d->port);
}

/* Port PORT, handed HANDED: 0, or the number of misfits (FIRST the first's words). */
static size_t
judge_port(const struct listen_set *ls, int port, unsigned handed,
    char *first, size_t size, bool say)
{
	unsigned taken = 0;
	char want[64];
	size_t k, bad = 0;

	for (k = 0; k < ls->n; k++) {
		const struct listen_directive *d = &ls->v[k];

		if (d->port != port)
			continue;
		if ((handed & LISTEN_BIT(d->kind)) && !d->reuseport) {
			taken |= LISTEN_BIT(d->kind);
			continue;
		}
		if (bad++ == 0 && say)
			misfit(d, handed, first, size);
	}
	/* a port with misfits has said what to write already */
	if (bad == 0 && taken != handed) {
		bad++;
		wanted(port, handed, want, sizeof(want));
		if (say)
			snprintf(first, size, "nginx's configuration has no '%s' "
			    "for the socket%s of port %d the switch hands it: nginx "
			    "would close %s and the site would stop answering there; "
			    "add it to the site's server block", want, handed ==
			    HANDED_PAIR ? "s" : "", port, handed == HANDED_PAIR ?
			    "what it does not listen on" : "it");
	}
	return bad;
}

int
listens_judge(const struct listen_set *ls, const int *ports,
    const unsigned *handed, size_t n, char *why, size_t whylen)
{
	char first[900] = "";
	size_t i, bad = 0;

	for (i = 0; i < n; i++)
		bad += judge_port(ls, ports[i], handed[i], first, sizeof(first),
		    bad == 0);
	if (bad == 0)
		return 0;
	if (bad > 1)
		snprintf(why, whylen, "%s (and %zu more such line%s)", first,
		    bad - 1, bad > 2 ? "s" : "");
	else
		snprintf(why, whylen, "%s", first);
	return -1;
}
