/*
 * fuzz_handoff.c - the libFuzzer target for what cutover-handoff reads
 * (handoff/cutover-handoff.c): the control message of the offer that
 * hands it the listening sockets (handed_fds), and the pid file the
 * server writes (pid_text_names; the file may belong to the server's
 * user).  The helper is one file with its own main(), so it is included
 * here whole, its main renamed: the target calls the very functions the
 * helper runs.  (The offering side, helper/act/svc/unit.c, reads one
 * byte back, 'k', and nothing else.)
 *
 * Input: one byte that chooses the mode, then:
 *   mode even: the control buffer recvmsg filled, as it is (an exact-size,
 *              malloc-aligned copy; msg_controllen its size);
 *   mode odd:  four bytes of a pid, then a pid file's text (at most 31
 *              bytes, read up to a NUL as the helper's buffer is).
 *
 * Whatever the input, it checks:
 *   - handed_fds gives -1 or 0..FDS_MAX and never writes past FDS_MAX
 *     descriptors nor reads past the control buffer (ASan: both exact);
 *   - what it gives is what a reference walk written here with explicit
 *     offsets finds (cmsg(3): each header's length at least its own and
 *     within the buffer, the walk ending where no next header fits, as
 *     glibc's CMSG_NXTHDR ends it): the descriptors of the one
 *     SOL_SOCKET/SCM_RIGHTS message, 0 without one, -1 for a length
 *     that lies, a second such message or more than FDS_MAX descriptors;
 *   - pid_text_names accepts exactly "PID" and "PID\n" in plain decimal
 *     for a pid > 0, and "%d\n" of any such pid.
 */
#define main handoff_main
#include "handoff/cutover-handoff.c"
#undef main

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz_handoff: " \
	__VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

#define HDR sizeof(struct cmsghdr)      /* 16: len (8), level, type */

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/*
 * The reference walk: the fds into WANT; -1, or how many.  The next
 * header is where glibc's CMSG_NXTHDR puts it (its inline version, which
 * every build of the helper and of this target uses, -O1 and up): there
 * is one when what is left from this header holds CMSG_ALIGN(its length)
 * and a header more.
 */
static int
ref_fds(const uint8_t *b, size_t n, int *want)
{
	size_t off = 0, len;
	int found = 0, level, type;
	uint64_t len64;

	if (n < HDR)
		return 0;
	for (;;) {
		memcpy(&len64, b + off, 8);
		memcpy(&level, b + off + 8, 4);
		memcpy(&type, b + off + 12, 4);
		if (len64 < HDR || len64 > n - off)
			return -1;
		len = (size_t)len64;
		if (level == SOL_SOCKET && type == SCM_RIGHTS) {
			size_t k = (len - HDR) / sizeof(int);

			if (found > 0 || k > FDS_MAX)
				return -1;
			memcpy(want, b + off + HDR, k * sizeof(int));
			found = (int)k;
		}
		if (n - off < align8(len) + HDR)
			return found;
		off += align8(len);
	}
}

static void
check_fds(const uint8_t *data, size_t n)
{
	int *fds = malloc(FDS_MAX * sizeof(int)), want[FDS_MAX];
	void *ctl = malloc(n > 0 ? n : 1);
	struct msghdr msg = { 0 };
	int rc, ref, i;

	if (fds == NULL || ctl == NULL) {
		free(fds);
		free(ctl);
		return;
	}
	memcpy(ctl, data, n);
	msg.msg_control = ctl;
	msg.msg_controllen = n;
	rc = handed_fds(&msg, fds);
	ref = ref_fds(ctl, n, want);
	CHECK(rc >= -1 && rc <= FDS_MAX, "handed_fds: %d", rc);
	CHECK(rc == ref, "handed_fds: %d, the reference %d (%zu bytes)", rc,
	    ref, n);
	for (i = 0; i < rc; i++)
		CHECK(fds[i] == want[i], "fd %d: %d, the reference %d", i, fds[i],
		    want[i]);
	free(fds);
	free(ctl);
}

static void
check_pid_text(const uint8_t *data, size_t n)
{
	char text[32], one[32], two[32];
	pid_t pid;
	uint32_t v = 0;
	size_t len;
	int want;

	if (n < 4)
		return;
	memcpy(&v, data, 4);
	pid = (pid_t)(v & 0x7fffffff);
	len = n - 4 < sizeof(text) - 1 ? n - 4 : sizeof(text) - 1;
	memcpy(text, data + 4, len);
	text[len] = '\0';
	snprintf(one, sizeof(one), "%d", (int)pid);
	snprintf(two, sizeof(two), "%d\n", (int)pid);
	want = pid > 0 && (strcmp(text, one) == 0 || strcmp(text, two) == 0);
	CHECK(pid_text_names(text, pid) == want, "pid %d, text '%s': %d",
	    (int)pid, text, !want);
	CHECK(pid <= 0 || pid_text_names(two, pid) == 1, "pid %d, its own "
	    "text refused", (int)pid);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0)
		check_fds(data + 1, size - 1);
	else
		check_pid_text(data + 1, size - 1);
	return 0;
}
