/*
 * fuzz_listens.c - the libFuzzer target for what a switch's pre-flight
 * makes of nginx's configuration dump (helper/act/switch/listens.c): the
 * dump is what a root process printed about files the deploy user may
 * be able to write, so every byte of it is hostile.
 *
 * Input: one byte that chooses what each port is handed (two bits per
 * port: HANDED_DUAL, HANDED_V4 or HANDED_PAIR), then the dump.  The plan's
 * ports are the first (up to four, distinct) ports the dump listens on,
 * and 443.
 *
 * Whatever the input, it checks:
 *   - listens_parse returns 0, or -1 with a reason;
 *   - every directive kept is a TCP port from 1 to 65535 of a known
 *     kind, with a line number from 1 on, and its file and text are
 *     printable ASCII, terminated in their buffers;
 *   - parsing is deterministic: the same dump, the same directives;
 *   - listens_judge agrees with a reference written here from
 *     listens.h: it passes exactly when each kind a port is handed has a
 *     directive without reuseport, and the port has no other directive;
 *     a refusal has a printable reason.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/act/switch/listens.h"

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz_listens: " \
	__VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

static struct listen_set one, two;

static int
printable(const char *s, size_t size)
{
	size_t i;

	for (i = 0; i < size && s[i] != '\0'; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return i < size;
}

/* The reference: does port P, handed the kinds K, fit? */
static int
fits(const struct listen_set *ls, int p, unsigned k)
{
	unsigned taken = 0;
	size_t i;

	for (i = 0; i < ls->n; i++) {
		if (ls->v[i].port != p)
			continue;
		if (!(k & (1u << ls->v[i].kind)) || ls->v[i].reuseport)
			return 0;
		taken |= 1u << ls->v[i].kind;
	}
	return taken == k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned sets[] = { HANDED_DUAL, HANDED_V4, HANDED_PAIR,
	    HANDED_DUAL };
	unsigned handed[POLICY_PLAN_PORTS_MAX];
	int ports[POLICY_PLAN_PORTS_MAX];
	char why[1024] = "";
	size_t i, k, n = 0;
	int rc, want = 1;

	if (size < 1)
		return 0;
	rc = listens_parse((const char *)data + 1, size - 1, &one, why,
	    sizeof(why));
	CHECK(rc == 0 || (rc == -1 && why[0] != '\0'), "parse: %d, '%s'", rc,
	    why);
	if (rc == -1)
		return 0;
	for (i = 0; i < one.n; i++) {
		const struct listen_directive *d = &one.v[i];

		CHECK(d->port >= 1 && d->port <= 65535, "port %d", d->port);
		CHECK(d->kind <= LISTEN_ONE_ADDRESS, "kind %d", (int)d->kind);
		CHECK(d->line >= 1, "line %d", d->line);
		CHECK(printable(d->file, sizeof(d->file)), "file not printable");
		CHECK(printable(d->text, sizeof(d->text)), "text not printable");
	}
	CHECK(listens_parse((const char *)data + 1, size - 1, &two, why,
	    sizeof(why)) == 0 && two.n == one.n && memcmp(one.v, two.v,
	    one.n * sizeof(one.v[0])) == 0, "parsing is not deterministic");
	for (i = 0; i < one.n && n + 1 < POLICY_PLAN_PORTS_MAX; i++) {
		for (k = 0; k < n && ports[k] != one.v[i].port; k++)
			;
		if (k == n)
			ports[n++] = one.v[i].port;
	}
	for (k = 0; k < n && ports[k] != 443; k++)
		;
	if (k == n)
		ports[n++] = 443;
	for (i = 0; i < n; i++) {
		handed[i] = sets[(data[0] >> (2 * i)) & 3];
		want &= fits(&one, ports[i], handed[i]);
	}
	why[0] = '\0';
	rc = listens_judge(&one, ports, handed, n, why, sizeof(why));
	CHECK(rc == (want ? 0 : -1), "judge %d, the reference %d: '%s'", rc,
	    want ? 0 : -1, why);
	CHECK(rc == 0 || (why[0] != '\0' && printable(why, sizeof(why))),
	    "a refusal without a printable reason: '%s'", why);
	return 0;
}
