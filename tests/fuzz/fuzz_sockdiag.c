/*
 * fuzz_sockdiag.c - the libFuzzer target for the walker of the kernel's
 * socket table answers (port_dump_take, helper/act/holders.c): the
 * NETLINK_SOCK_DIAG messages that say which LISTEN sockets a port has,
 * from which cutover decides whose processes hold it.  The kernel writes
 * them, but every length in them is read, never trusted: a length that
 * lies must not make the walk read past what recvmsg gave it, nor count
 * a socket no whole message names.
 *
 * Input: two bytes of the port (big-endian), then the bytes of one
 * answer as recvmsg leaves them, in an exact-size, malloc-aligned copy
 * (so ASan sees a read past its end).
 *
 * Whatever the input, it checks against a reference walk written here
 * from netlink(7) and sock_diag(7), with explicit offsets:
 *   - the result is the reference's: 1 at NLMSG_DONE, -1 (with errno)
 *     at a whole NLMSG_ERROR (its error if it is one, 1..4095, else
 *     EPROTO), -2 at an interrupted dump or a malformed
 *     message (a length shorter than its header or its payload, longer
 *     than what is left, or bytes left over), 0 when the answer ended
 *     well with more to come, 3 (with a reason) past PORT_SOCKETS_MAX;
 *   - when it is 0 or 1 (the sockets are used), the sockets kept are
 *     exactly the reference's: the LISTEN sockets on the port with a
 *     non-zero inode, in order, each of the kind its family, address and
 *     INET_DIAG_SKV6ONLY attribute say (an attribute whose length lies
 *     ends the attributes, never the buffer).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "helper/act/holders.h"
#include "helper/exitcodes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz_sockdiag: " \
	__VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

#define HDR 16          /* struct nlmsghdr */
#define MSG 72          /* struct inet_diag_msg */

static struct holders got, want;

static uint32_t
u32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint16_t
u16_at(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

/* The kind of the socket of message M (LEN bytes, header included). */
static enum listen_kind
ref_kind(const uint8_t *m, size_t len)
{
	static const uint8_t zero[16];
	size_t off = HDR + MSG;
	bool v6only = true;

	if (m[HDR] == AF_INET)
		return u32_at(m + HDR + 8) == 0 ? LISTEN_V4_ANY : LISTEN_ONE_ADDRESS;
	if (memcmp(m + HDR + 8, zero, 16) != 0)
		return LISTEN_ONE_ADDRESS;
	while (len - off >= 4) {
		size_t alen = u16_at(m + off);

		if (alen < 4 || alen > len - off)
			break;
		if (u16_at(m + off + 2) == INET_DIAG_SKV6ONLY && alen >= 5)
			v6only = m[off + 4] != 0;
		off += (alen + 3) & ~(size_t)3;
		if (off > len)
			break;
	}
	return v6only ? LISTEN_V6_ONLY : LISTEN_V6_DUAL;
}

/* The walk as netlink(7) has it; the sockets into WANT. */
static int
ref_walk(const uint8_t *b, size_t n, int port, int *err)
{
	size_t off = 0;

	while (off < n) {
		size_t len;
		uint16_t type, flags;
		const uint8_t *m = b + off;

		if (n - off < HDR)
			return -2;
		len = u32_at(m);
		type = u16_at(m + 4);
		flags = u16_at(m + 6);
		if (len < HDR || len > n - off)
			return -2;
		if (flags & NLM_F_DUMP_INTR)
			return -2;
		if (type == NLMSG_DONE)
			return 1;
		if (type == NLMSG_ERROR) {
			int32_t e;

			if (len < HDR + 4)
				return -2;
			memcpy(&e, m + HDR, 4);
			*err = e < 0 && e >= -4095 ? -e : EPROTO;
			return -1;
		}
		if (type == SOCK_DIAG_BY_FAMILY) {
			if (len < HDR + MSG)
				return -2;
			if (m[HDR + 1] == 10 && (m[HDR + 4] << 8 | m[HDR + 5]) ==
			    port && u32_at(m + HDR + 68) != 0) {
				if (want.nsockets == PORT_SOCKETS_MAX)
					return EXIT_REFUSED;
				want.kinds[want.nsockets] = ref_kind(m, len);
				want.sockets[want.nsockets++] = u32_at(m + HDR + 68);
			}
		}
		off += (len + 3) & ~(size_t)3;
	}
	return off == n ? 0 : -2;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[256] = "";
	uint8_t *copy;
	size_t n, i;
	int port, rc, ref, err = 0;

	if (size < 2)
		return 0;
	port = data[0] << 8 | data[1];
	n = size - 2;
	if ((copy = malloc(n > 0 ? n : 1)) == NULL)
		return 0;
	memcpy(copy, data + 2, n);
	got.nsockets = want.nsockets = 0;
	errno = 0;
	rc = port_dump_take((const char *)copy, n, port, &got, why, sizeof(why));
	ref = ref_walk(copy, n, port, &err);
	CHECK(rc == ref, "port %d, %zu bytes: %d, the reference %d", port, n,
	    rc, ref);
	CHECK(rc != -1 || errno == err, "errno %d, the reference %d", errno,
	    err);
	CHECK(rc != EXIT_REFUSED || why[0] != '\0', "refused without a reason");
	CHECK(got.nsockets <= PORT_SOCKETS_MAX, "%zu sockets", got.nsockets);
	if (rc == 0 || rc == 1) {
		CHECK(got.nsockets == want.nsockets, "%zu sockets, the reference "
		    "%zu", got.nsockets, want.nsockets);
		for (i = 0; i < got.nsockets; i++)
			CHECK(got.sockets[i] == want.sockets[i] &&
			    got.kinds[i] == want.kinds[i], "socket %zu: inode %lu "
			    "kind %d, the reference %lu %d", i, got.sockets[i],
			    (int)got.kinds[i], want.sockets[i], (int)want.kinds[i]);
	}
	free(copy);
	return 0;
}
