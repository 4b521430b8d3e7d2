/*
 * curlapi.h - libcurl, loaded at run time (curlapi.c) by the verify
 * child only, after it has given up everything.
 *
 * Why not link it: libcurl pulls in some 30 libraries (GnuTLS, nettle,
 * Kerberos, LDAP, ...) whose loading and start-up code would run as root
 * on every request - most of cutover's start-up time (bench/README.md)
 * and code no request but verify needs.  Loaded with dlopen() in the
 * child, none of it runs before the privilege drop, and none of it runs
 * at all for free-port, start, stop or a refusal.  The child keeps the
 * setuid process's protection (not dumpable), which an exec of a separate
 * fetcher would lose.
 */
#ifndef CUTOVER_CURLAPI_H
#define CUTOVER_CURLAPI_H

#include <stddef.h>

#include <curl/curl.h>

/* The libcurl functions verify.c calls, by the names libcurl gives them. */
struct curlapi {
	CURLcode (*global_init)(long);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	CURLU *(*url)(void);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
	void (*url_cleanup)(CURLU *);
	void (*free)(void *);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
};

/* Filled by curlapi_load(); all NULL before. */
extern struct curlapi curlapi;

/*
 * dlopen libcurl.so.4 (the soname: the system's library directories
 * only, a setuid process's loader ignores LD_LIBRARY_PATH) and resolve
 * every function above.  Returns 0, or -1 with the reason in WHY.
 */
int curlapi_load(char *why, size_t whylen);

#endif
