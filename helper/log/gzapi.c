/*
 * gzapi.c - zlib by dlopen(), for `cutover log` (gzapi.h says why).  The
 * library is never unloaded: the command exits after reading its files.
 */
#include "helper/lib/dlapi.h"
#include "helper/log/gzapi.h"

#define LIBZ "libz.so.1"

struct gzapi gzapi;

int
gzapi_load(char *why, size_t whylen)
{
	static const struct dlapi_fn fns[] = {
#define FN(member, symbol) { symbol, offsetof(struct gzapi, member) }
		FN(dopen, "gzdopen"),
		FN(read, "gzread"),
		FN(close, "gzclose"),
		FN(error, "gzerror"),
#undef FN
	};

	if (gzapi.read != NULL)
		return 0;
	return dlapi_load(LIBZ, "zlib1g", fns, sizeof(fns) / sizeof(fns[0]),
	    &gzapi, sizeof(gzapi), why, whylen);
}
