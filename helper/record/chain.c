/*
 * chain.c - the audit file's hash chain (chain.h): a line's hash, the last
 * line's hash of an open file, and the walker that checks the links.
 *
 * Rules this file keeps:
 * - the walker is pure and takes any bytes: it reads files a root process
 *   wrote, but a reader treats them as input (tests/fuzz/fuzz_logread.c);
 * - chain_tail_hash only reads (pread), so the writer can call it with the
 *   file's lock held and its O_APPEND descriptor as it is.
 */
#include <sys/stat.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "helper/record/chain.h"
#include "helper/verify/sha256.h"

#define TAIL_BLOCK 4096

void
chain_line_hash(const char *line, size_t len, char hex[CHAIN_HEX_SIZE])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, line, len);
	sha256_final_hex(&c, hex);
}

/* pread all of N bytes at OFF, or -1 (EIO when the file got shorter). */
static int
pread_all(int fd, char *buf, size_t n, off_t off)
{
	ssize_t got;

	while (n > 0) {
		got = pread(fd, buf, n, off);
		if (got == -1 && errno == EINTR)
			continue;
		if (got <= 0) {
			if (got == 0)
				errno = EIO;
			return -1;
		}
		buf += got;
		n -= (size_t)got;
		off += got;
	}
	return 0;
}

/*
 * The offset of the last '\n' before END, or -1 when there is none; -2 on
 * a read error.
 */
static off_t
last_newline_before(int fd, off_t end)
{
	char block[TAIL_BLOCK];
	off_t from;
	size_t n;
	char *nl;

	while (end > 0) {
		n = end < TAIL_BLOCK ? (size_t)end : TAIL_BLOCK;
		from = end - (off_t)n;
		if (pread_all(fd, block, n, from) == -1)
			return -2;
		if ((nl = memrchr(block, '\n', n)) != NULL)
			return from + (nl - block);
		end = from;
	}
	return -1;
}

/* Hash bytes [FROM, TO) of FD. */
static int
hash_range(int fd, off_t from, off_t to, char hex[CHAIN_HEX_SIZE])
{
	char block[TAIL_BLOCK];
	struct sha256_ctx c;
	size_t n;

	sha256_init(&c);
	while (from < to) {
		n = to - from < TAIL_BLOCK ? (size_t)(to - from) : TAIL_BLOCK;
		if (pread_all(fd, block, n, from) == -1)
			return -1;
		sha256_update(&c, block, n);
		from += (off_t)n;
	}
	sha256_final_hex(&c, hex);
	return 0;
}

int
chain_tail_hash(int fd, char hex[CHAIN_HEX_SIZE])
{
	struct stat st;
	off_t end, start;

	if (fstat(fd, &st) == -1)
		return -1;
	if ((end = last_newline_before(fd, st.st_size)) == -2)
		return -1;
	if (end == -1)
		return 0;
	if ((start = last_newline_before(fd, end)) == -2)
		return -1;
	if (hash_range(fd, start + 1, end, hex) == -1)
		return -1;
	return 1;
}

static bool
is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool
chain_prev_of(const char *line, size_t len, char hex[CHAIN_HEX_SIZE])
{
	const char *tail;

	if (len < CHAIN_TAIL_LEN)
		return false;
	tail = line + len - CHAIN_TAIL_LEN;
	if (memcmp(tail, CHAIN_TAIL_KEY, sizeof(CHAIN_TAIL_KEY) - 1) != 0)
		return false;
	tail += sizeof(CHAIN_TAIL_KEY) - 1;
	if (!is_hex64(tail) || memcmp(tail + 64, "\"}", 2) != 0)
		return false;
	memcpy(hex, tail, 64);
	hex[64] = '\0';
	return true;
}

/* What LINE's prev (HAS_PREV, PREV) says, given the lines before. */
static enum chain_verdict
judge_link(const struct chain_walk *w, bool has_prev, const char *prev)
{
	if (!has_prev)
		return w->chained ? CHAIN_DROPPED : CHAIN_UNCHAINED;
	if (w->lines == 0)
		return CHAIN_FIRST;
	if (strcmp(prev, w->last) == 0)
		return CHAIN_LINKED;
	if (strcmp(prev, CHAIN_GENESIS) == 0)
		return CHAIN_RESTARTED;
	if (w->before[0] != '\0' && strcmp(prev, w->before) == 0)
		return CHAIN_INSERTED;
	return CHAIN_BROKEN;
}

enum chain_verdict
chain_walk_line(struct chain_walk *w, const char *line, size_t len)
{
	char prev[CHAIN_HEX_SIZE];
	bool has_prev = chain_prev_of(line, len, prev);
	enum chain_verdict v = judge_link(w, has_prev, prev);

	if (has_prev)
		w->chained = true;
	memcpy(w->before, w->last, sizeof(w->before));
	chain_line_hash(line, len, w->last);
	w->lines++;
	return v;
}
