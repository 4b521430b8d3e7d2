/*
 * dlapi.h - a library's functions by dlopen() (dlapi.c), for the two
 * libraries cutover loads only in the process that needs them: libcurl
 * (the verify child, helper/verify/curlapi.h) and libsystemd (a unit's
 * step, helper/act/svc/sdbus.h).  Each says why it is not linked.
 */
#ifndef CUTOVER_DLAPI_H
#define CUTOVER_DLAPI_H

#include <stddef.h>

/* One function: its symbol, and where its pointer goes in the table. */
struct dlapi_fn {
	const char *symbol;
	size_t offset;
};

/*
 * dlopen SONAME (the soname: the system's library directories only; a
 * setuid process's loader ignores LD_LIBRARY_PATH) and put each of the N
 * FNS into the table API.  The library is never unloaded.  0, or -1 with
 * WHY ("cannot load ...; is PACKAGE installed?", or the missing symbol);
 * API is then left as it was.
 */
int dlapi_load(const char *soname, const char *package,
    const struct dlapi_fn *fns, size_t n, void *api, size_t size, char *why,
    size_t whylen);

#endif
