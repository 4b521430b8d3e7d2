/*
 * test_chain.c - the audit file's hash chain (helper/record/chain.c): every
 * kind of tampering the walker must find (a changed byte, a removed
 * record, an inserted one, a swapped pair, a file cut short, a rotated
 * file missing), what it must not call tampering (older records without a
 * chain, a write cut short by a full disk), and the one it cannot find: a
 * record forged with every later hash recomputed (SECURITY.md says so).
 */
#include <sys/stat.h>

#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helper/record/chain.h"

#define NLINES 6

/* A chained trail of N lines: line i is {"n":i,...,"prev":HASH}. */
static char lines[NLINES + 2][160];

static void
make_line(char *out, size_t outsz, int n, const char *prev)
{
	snprintf(out, outsz, "{\"n\":%d,\"user\":\"deploy\"" CHAIN_TAIL_KEY
	    "%s\"}", n, prev);
}

static void
make_trail(int n)
{
	char prev[CHAIN_HEX_SIZE] = CHAIN_GENESIS;
	int i;

	for (i = 0; i < n; i++) {
		make_line(lines[i], sizeof(lines[i]), i, prev);
		chain_line_hash(lines[i], strlen(lines[i]), prev);
	}
}

/* Walk lines[0..n): the index of the first line not linked, or -1. */
static int
first_bad(int n, enum chain_verdict *v)
{
	struct chain_walk w = CHAIN_WALK_INIT;
	int i;

	for (i = 0; i < n; i++) {
		*v = chain_walk_line(&w, lines[i], strlen(lines[i]));
		if (*v != CHAIN_LINKED && *v != CHAIN_FIRST)
			return i;
	}
	return -1;
}

START_TEST(whole_trail_links)
{
	enum chain_verdict v;

	make_trail(NLINES);
	ck_assert_int_eq(first_bad(NLINES, &v), -1);
}
END_TEST

START_TEST(changed_byte_found)
{
	enum chain_verdict v;

	make_trail(NLINES);
	lines[2][5] = 'X';      /* {"n":X: the record after it no longer links */
	ck_assert_int_eq(first_bad(NLINES, &v), 3);
	ck_assert_int_eq(v, CHAIN_BROKEN);
}
END_TEST

START_TEST(removed_record_found)
{
	enum chain_verdict v;

	make_trail(NLINES);
	memmove(lines[2], lines[3], sizeof(lines[0]) * (NLINES - 3));
	ck_assert_int_eq(first_bad(NLINES - 1, &v), 2);
	ck_assert_int_eq(v, CHAIN_BROKEN);
}
END_TEST

START_TEST(inserted_record_found)
{
	char copy[160];
	enum chain_verdict v;

	make_trail(NLINES);
	/* a copy of line 2 (its prev is right for line 2) put after it */
	memcpy(copy, lines[2], sizeof(copy));
	memmove(lines[4], lines[3], sizeof(lines[0]) * (NLINES - 3));
	memcpy(lines[3], copy, sizeof(copy));
	ck_assert_int_eq(first_bad(NLINES + 1, &v), 3);
	ck_assert_int_eq(v, CHAIN_INSERTED);
}
END_TEST

START_TEST(swapped_pair_found)
{
	char tmp[160];
	enum chain_verdict v;

	make_trail(NLINES);
	memcpy(tmp, lines[3], sizeof(tmp));
	memcpy(lines[3], lines[4], sizeof(tmp));
	memcpy(lines[4], tmp, sizeof(tmp));
	ck_assert_int_eq(first_bad(NLINES, &v), 3);
	ck_assert_int_eq(v, CHAIN_BROKEN);       /* 4 (now 3) links to 3 */
}
END_TEST

/* A record without a chain after chained ones: someone wrote it. */
START_TEST(unchained_after_chained_found)
{
	enum chain_verdict v;

	make_trail(NLINES);
	snprintf(lines[3], sizeof(lines[3]), "{\"n\":3}");
	ck_assert_int_eq(first_bad(NLINES, &v), 3);
	ck_assert_int_eq(v, CHAIN_DROPPED);
}
END_TEST

/* Records from before the chain, then chained ones: no alarm. */
START_TEST(older_records_before_the_chain)
{
	struct chain_walk w = CHAIN_WALK_INIT;
	char prev[CHAIN_HEX_SIZE], line[160];

	ck_assert_int_eq(chain_walk_line(&w, "{\"old\":1}", 9), CHAIN_UNCHAINED);
	ck_assert_int_eq(chain_walk_line(&w, "{\"old\":2}", 9), CHAIN_UNCHAINED);
	chain_line_hash("{\"old\":2}", 9, prev);
	make_line(line, sizeof(line), 3, prev);
	ck_assert_int_eq(chain_walk_line(&w, line, strlen(line)), CHAIN_LINKED);
}
END_TEST

/*
 * A write cut short (a full disk) leaves a partial line, and the next
 * record continues it, linked to the last whole line: no alarm, and the
 * record after that links to the joined line.
 */
START_TEST(write_cut_short_no_alarm)
{
	struct chain_walk w = CHAIN_WALK_INIT;
	char prev[CHAIN_HEX_SIZE], joined[400], next[160];

	make_trail(2);
	ck_assert_int_eq(chain_walk_line(&w, lines[0], strlen(lines[0])),
	    CHAIN_FIRST);
	chain_line_hash(lines[0], strlen(lines[0]), prev);
	make_line(next, sizeof(next), 1, prev);
	snprintf(joined, sizeof(joined), "{\"time\":\"2026-%s", next);
	ck_assert_int_eq(chain_walk_line(&w, joined, strlen(joined)),
	    CHAIN_LINKED);
	chain_line_hash(joined, strlen(joined), prev);
	make_line(next, sizeof(next), 2, prev);
	ck_assert_int_eq(chain_walk_line(&w, next, strlen(next)), CHAIN_LINKED);
}
END_TEST

/* A chain started again (the file emptied, FILE.1 gone): found. */
START_TEST(restart_found)
{
	enum chain_verdict v;

	make_trail(NLINES);
	make_line(lines[4], sizeof(lines[4]), 4, CHAIN_GENESIS);
	ck_assert_int_eq(first_bad(NLINES, &v), 4);
	ck_assert_int_eq(v, CHAIN_RESTARTED);
}
END_TEST

/*
 * NOT found, and it cannot be: root changes a record and recomputes every
 * hash after it.  The walker sees a whole chain; only the last hash sent
 * off the host (syslog) differs.  SECURITY.md says so.
 */
START_TEST(forged_with_recomputed_hashes_not_found)
{
	char prev[CHAIN_HEX_SIZE], last[CHAIN_HEX_SIZE];
	enum chain_verdict v;
	int i;

	make_trail(NLINES);
	chain_line_hash(lines[NLINES - 1], strlen(lines[NLINES - 1]), last);
	chain_line_hash(lines[1], strlen(lines[1]), prev);
	for (i = 2; i < NLINES; i++) {
		make_line(lines[i], sizeof(lines[i]), i == 2 ? 99 : i, prev);
		chain_line_hash(lines[i], strlen(lines[i]), prev);
	}
	ck_assert_int_eq(first_bad(NLINES, &v), -1);
	ck_assert_str_ne(prev, last);   /* what syslog saw last shows it */
}
END_TEST

/* chain_prev_of: only its own tail, exactly. */
START_TEST(prev_read_from_the_tail_only)
{
	char hex[CHAIN_HEX_SIZE];
	char line[200];

	make_line(line, sizeof(line), 1, CHAIN_GENESIS);
	ck_assert(chain_prev_of(line, strlen(line), hex));
	ck_assert_str_eq(hex, CHAIN_GENESIS);
	ck_assert(!chain_prev_of(line, strlen(line) - 1, hex));
	line[strlen(line) - 3] = 'A';   /* upper case: not ours */
	ck_assert(!chain_prev_of(line, strlen(line), hex));
	ck_assert(!chain_prev_of("", 0, hex));
	ck_assert(!chain_prev_of("{\"prev\":\"0\"}", 12, hex));
}
END_TEST

/* ---- chain_tail_hash on files ------------------------------------------- */

static int
file_of(const char *text, size_t len)
{
	char path[] = "/tmp/cutover-chain-XXXXXX";
	int fd = mkstemp(path);

	ck_assert_int_ne(fd, -1);
	unlink(path);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	return fd;
}

START_TEST(tail_hash_of_files)
{
	char got[CHAIN_HEX_SIZE], want[CHAIN_HEX_SIZE];
	char *big;
	int fd;

	fd = file_of("", 0);
	ck_assert_int_eq(chain_tail_hash(fd, got), 0);
	close(fd);
	fd = file_of("partial", 7);
	ck_assert_int_eq(chain_tail_hash(fd, got), 0);
	close(fd);
	fd = file_of("one\n", 4);
	chain_line_hash("one", 3, want);
	ck_assert_int_eq(chain_tail_hash(fd, got), 1);
	ck_assert_str_eq(got, want);
	close(fd);
	/* a write cut short after the last line is not a line yet */
	fd = file_of("one\ntwo\nthr", 11);
	chain_line_hash("two", 3, want);
	ck_assert_int_eq(chain_tail_hash(fd, got), 1);
	ck_assert_str_eq(got, want);
	close(fd);
	/* a line longer than the read block, and an empty last line */
	ck_assert_ptr_nonnull(big = malloc(10002));
	memset(big, 'x', 10002);
	big[0] = '\n';
	big[10001] = '\n';
	fd = file_of(big, 10002);
	chain_line_hash(big + 1, 10000, want);
	ck_assert_int_eq(chain_tail_hash(fd, got), 1);
	ck_assert_str_eq(got, want);
	close(fd);
	free(big);
	fd = file_of("a\n\n", 3);
	chain_line_hash("", 0, want);
	ck_assert_int_eq(chain_tail_hash(fd, got), 1);
	ck_assert_str_eq(got, want);
	close(fd);
}
END_TEST

Suite *
chain_suite(void)
{
	Suite *s = suite_create("chain");
	TCase *walk = tcase_create("walk");
	TCase *tail = tcase_create("tail");

	tcase_add_test(walk, whole_trail_links);
	tcase_add_test(walk, changed_byte_found);
	tcase_add_test(walk, removed_record_found);
	tcase_add_test(walk, inserted_record_found);
	tcase_add_test(walk, swapped_pair_found);
	tcase_add_test(walk, unchained_after_chained_found);
	tcase_add_test(walk, older_records_before_the_chain);
	tcase_add_test(walk, restart_found);
	tcase_add_test(walk, write_cut_short_no_alarm);
	tcase_add_test(walk, forged_with_recomputed_hashes_not_found);
	tcase_add_test(walk, prev_read_from_the_tail_only);
	suite_add_tcase(s, walk);
	tcase_add_test(tail, tail_hash_of_files);
	suite_add_tcase(s, tail);
	return s;
}
