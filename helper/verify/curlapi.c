/*
 * curlapi.c - libcurl by dlopen(), for the verify child (curlapi.h says
 * why).  The library is never unloaded: the child exits after one check.
 */
#include <stdio.h>
#include <string.h>

#include "helper/lib/dlapi.h"
#include "helper/verify/curlapi.h"

#define LIBCURL "libcurl.so.4"

struct curlapi curlapi;

int
curlapi_load(char *why, size_t whylen)
{
	static const struct dlapi_fn fns[] = {
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
		FN(slist_append, "curl_slist_append"),
		FN(slist_free_all, "curl_slist_free_all"),
#undef FN
	};

	return dlapi_load(LIBCURL, "libcurl4", fns,
	    sizeof(fns) / sizeof(fns[0]), &curlapi, sizeof(curlapi), why, whylen);
}
