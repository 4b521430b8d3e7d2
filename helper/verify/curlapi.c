/*
 * curlapi.c - libcurl by dlopen(), for the verify child (curlapi.h says
 * why).  The library is never unloaded: the child exits after one check.
 */
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "helper/verify/curlapi.h"

#define LIBCURL "libcurl.so.4"

struct curlapi curlapi;

/* One symbol into *SLOT; false (and the reason in WHY) if it is missing. */
static bool
resolve(void *lib, const char *name, void **slot, char *why, size_t whylen)
{
	const char *err;

	(void)dlerror();
	*slot = dlsym(lib, name);
	if (*slot != NULL)
		return true;
	err = dlerror();
	snprintf(why, whylen, "%s has no %s (%s)", LIBCURL, name,
	    err ? err : "null");
	return false;
}

int
curlapi_load(char *why, size_t whylen)
{
	static const struct {
		const char *name;
		size_t offset;
	} fns[] = {
#define FN(member, symbol) { symbol, offsetof(struct curlapi, member) }
		FN(global_init, "curl_global_init"),
		FN(global_cleanup, "curl_global_cleanup"),
		FN(easy_init, "curl_easy_init"),
		FN(easy_setopt, "curl_easy_setopt"),
		FN(easy_perform, "curl_easy_perform"),
		FN(easy_getinfo, "curl_easy_getinfo"),
		FN(easy_cleanup, "curl_easy_cleanup"),
		FN(easy_strerror, "curl_easy_strerror"),
		FN(url, "curl_url"),
		FN(url_set, "curl_url_set"),
		FN(url_get, "curl_url_get"),
		FN(url_cleanup, "curl_url_cleanup"),
		FN(free, "curl_free"),
#undef FN
	};
	struct curlapi api;
	void *lib;
	size_t i;

	if ((lib = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		const char *err = dlerror();

		snprintf(why, whylen, "cannot load %s (%s); is libcurl4 "
		    "installed?", LIBCURL, err ? err : "?");
		return -1;
	}
	memset(&api, 0, sizeof(api));
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++)
		if (!resolve(lib, fns[i].name,
		    (void **)((char *)&api + fns[i].offset), why, whylen))
			return -1;
	curlapi = api;
	return 0;
}
