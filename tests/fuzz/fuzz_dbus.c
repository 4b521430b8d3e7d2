/*
 * fuzz_dbus.c - the libFuzzer target for what cutover itself makes of
 * systemd's D-Bus messages (helper/act/systemd.c).  sd-bus parses the
 * wire format, checks the signature and hands out typed values; what is
 * cutover's own is what it does with them.  Of the readers looked at
 * (issue 33: unit.c, systemd.c, sdbus.c), all but one copy a string into
 * a buffer or compare it with a constant; the one with logic is the
 * bookkeeping of JobRemoved signals, which decides whether a start or
 * stop job of systemd's is over and how it ended (systemd_job_removed,
 * systemd_job_is): signals for every job on the host arrive, before and
 * after the reply that names the job cutover asked for.
 *
 * Input: a sequence of operations, two bytes each, while they last:
 *   op 0..5  JobRemoved(PATH, RESULT): the second byte picks the path
 *            (low nibble) and the result (high nibble) from the tables
 *            below: near and far job paths, paths cut at the buffer's
 *            size (255, 256, 300 bytes sharing their first 255), "!",
 *            a relative path; results of systemd's and some not;
 *   op 6, 7  systemd_job_is(PATH): the reply names the job (the first
 *            such op only; at the end if none).
 *
 * Each signal's path and result are also copied as unit.c copies what
 * systemd says (systemd_string_copy), into an exact-size buffer of the
 * op's first byte (the path) and of that byte mod 40 (the result).
 *
 * Whatever the input, it checks:
 *   - never another job's result: a result recorded is the result of a
 *     signal whose path is the job's, byte for byte, whole;
 *   - the job's own end is seen: when its path and result fit, a signal
 *     for it after the reply, or among the first 8 kept before it, gives
 *     its result;
 *   - a copy is whole or refused: 0 and the value byte for byte when it
 *     fits, else -1 and "?" (or "" in one byte), never a prefix of it;
 *   - nothing is written past the job's buffers or a copy's (ASan).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helper/act/systemd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "fuzz_dbus: " \
	__VA_ARGS__); fputc('\n', stderr); abort(); } } while (0)

#define OPS_MAX 64

static char paths[16][320];
static const char *const results[16] = {
	"done", "failed", "timeout", "canceled", "dependency", "skipped",
	"invalid", "once", "", "done ", "d",
	"0123456789012345678901234567890",      /* 31: fits */
	"01234567890123456789012345678901",     /* 32: does not */
	"failed\nand more", "DONE", "collected",
};

static void
tables(void)
{
	static int made;
	int i;

	if (made++)
		return;
	for (i = 0; i < 8; i++)
		snprintf(paths[i], sizeof(paths[i]), "/org/freedesktop/systemd1/"
		    "job/%d", i < 4 ? 1000 + i : 10000 * i);
	/* 255 (fits), 256 and 300 (do not), the same first 255 bytes */
	memset(paths[8], 'a', 255);
	paths[8][0] = '/';
	memcpy(paths[9], paths[8], 255);
	paths[9][255] = 'b';
	memcpy(paths[10], paths[9], 256);
	memset(paths[10] + 256, 'c', 44);
	memcpy(paths[11], paths[8], 254);       /* 254: a prefix of them */
	snprintf(paths[12], sizeof(paths[12]), "!");
	snprintf(paths[13], sizeof(paths[13]), "org/freedesktop/systemd1/job/1000");
	snprintf(paths[14], sizeof(paths[14]), "/org/freedesktop/systemd1/job/1000/");
	snprintf(paths[15], sizeof(paths[15]), "/");
}

/* VALUE copied into SIZE bytes: whole, or refused and no prefix left. */
static void
check_copy(const char *value, size_t size)
{
	char *buf = malloc(size > 0 ? size : 1);
	int r;

	CHECK(buf != NULL, "out of memory");
	buf[0] = 'x';
	r = systemd_string_copy(buf, size, value);
	if (strlen(value) < size)
		CHECK(r == 0 && strcmp(buf, value) == 0, "'%s' in %zu bytes: "
		    "%d '%.*s'", value, size, r, (int)size, buf);
	else
		CHECK(r == -1 && (size == 0 ? buf[0] == 'x' : strcmp(buf,
		    size > 1 ? "?" : "") == 0), "%zu bytes of '%s' in %zu: %d",
		    strlen(value), value, size, r);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct systemd_job j;
	int sig_path[OPS_MAX], sig_result[OPS_MAX], job = -1;
	size_t nsig = 0, at = 0, i, kept = 0;
	int seen = 0;

	tables();
	memset(&j, 0, sizeof(j));
	for (i = 0; i + 1 < size && nsig < OPS_MAX; i += 2) {
		int p = data[i + 1] & 15, r = data[i + 1] >> 4;

		if (data[i] % 8 >= 6) {
			if (job == -1) {
				job = p;
				at = nsig;
				systemd_job_is(&j, paths[p]);
			}
			continue;
		}
		sig_path[nsig] = p;
		sig_result[nsig++] = r;
		systemd_job_removed(&j, paths[p], results[r]);
		check_copy(paths[p], data[i]);
		check_copy(results[r], data[i] % 40u);
	}
	if (job == -1) {
		job = size > 0 ? data[0] & 15 : 0;
		at = nsig;
		systemd_job_is(&j, paths[job]);
	}
	/* never another job's */
	if (j.result[0] != '\0') {
		int ok = 0;

		for (i = 0; i < nsig; i++)
			ok |= strcmp(paths[sig_path[i]], paths[job]) == 0 &&
			    strcmp(results[sig_result[i]], j.result) == 0;
		CHECK(ok, "job %s: result '%s' of no signal for it", paths[job],
		    j.result);
	}
	/* its own end seen, if its path and result fit and it was kept */
	if (paths[job][0] == '/' && strlen(paths[job]) < sizeof(j.path))
		for (i = 0; i < nsig; i++) {
			int fits = paths[sig_path[i]][0] == '/' &&
			    strlen(paths[sig_path[i]]) < sizeof(j.path) &&
			    strlen(results[sig_result[i]]) < sizeof(j.result);

			if (i < at && fits && kept++ >= 8)
				continue;
			if (fits && results[sig_result[i]][0] != '\0' &&
			    strcmp(paths[sig_path[i]], paths[job]) == 0)
				seen = 1;
		}
	CHECK(!seen || j.result[0] != '\0', "job %s: its signal came, no result",
	    paths[job]);
	return 0;
}
