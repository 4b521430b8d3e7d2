/*
 * dlapi.c - a library's functions by dlopen() (dlapi.h).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/lib/dlapi.h"

int
dlapi_load(const char *soname, const char *package,
    const struct dlapi_fn *fns, size_t n, void *api, size_t size, char *why,
    size_t whylen)
{
	char *table;
	const char *err;
	void *lib, *fn;
	size_t i;

	if ((lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		err = dlerror();
		snprintf(why, whylen, "cannot load %s (%s); is %s installed?",
		    soname, err ? err : "?", package);
		return -1;
	}
	if ((table = calloc(1, size)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		(void)dlerror();
		if ((fn = dlsym(lib, fns[i].symbol)) == NULL) {
			err = dlerror();
			snprintf(why, whylen, "%s has no %s (%s)", soname,
			    fns[i].symbol, err ? err : "null");
			free(table);
			return -1;
		}
		memcpy(table + fns[i].offset, &fn, sizeof(fn));
	}
	memcpy(api, table, size);
	free(table);
	return 0;
}
