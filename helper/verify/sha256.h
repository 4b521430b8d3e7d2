/*
 * sha256.h - SHA-256 (FIPS 180-4), streaming, for a check's sha256 = "...".
 *
 * Written here rather than linked from OpenSSL's libcrypto: the helper's
 * declared dependencies (libcurl, libpam, libconfig, libcap) expose no
 * digest, and one small pure function with the standard's test vectors
 * (tests/unit/test_verify.c) costs less than a new dependency of a setuid
 * program.  It hashes a web page to compare it; nothing secret goes in.
 */
#ifndef CUTOVER_SHA256_H
#define CUTOVER_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE    65   /* 64 lower-case hex digits and a NUL */

struct sha256_ctx {
	uint32_t state[8];
	uint64_t bytes;             /* message length so far */
	unsigned char block[64];
	size_t used;                /* bytes of block[] filled */
};

void sha256_init(struct sha256_ctx *);
void sha256_update(struct sha256_ctx *, const void *data, size_t len);
void sha256_final(struct sha256_ctx *, unsigned char out[SHA256_DIGEST_SIZE]);
/* Final, as lower-case hex, as sha256sum prints it. */
void sha256_final_hex(struct sha256_ctx *, char out[SHA256_HEX_SIZE]);

#endif
