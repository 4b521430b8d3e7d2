/*
 * chain.h - the audit file's hash chain.  Each record the transaction
 * writes ends with "prev": the SHA-256, in hex, of the line before it in
 * the same file (its bytes without the '\n').  The first record of a file
 * carries the last line's hash of the file it follows (FILE.1, as
 * logrotate names the file it rotated away; CHAIN_GENESIS when there is
 * none), so the chain runs on across rotation.
 *
 * What the chain shows: a line changed, removed, inserted or moved, a
 * file cut short (against the last hash syslog saw), a rotated file
 * missing between two others.  What it cannot show: root rewriting the
 * file and recomputing every hash after the change (SECURITY.md); the
 * copy syslog sent off the host is the evidence then.
 *
 * A record's hash covers "prev", so each record vouches for the one
 * before it; the walker below needs nothing but the lines.
 */
#ifndef CUTOVER_CHAIN_H
#define CUTOVER_CHAIN_H

#include <stdbool.h>
#include <stddef.h>

#define CHAIN_HEX_SIZE 65       /* 64 lower-case hex digits and a NUL */
#define CHAIN_GENESIS \
	"0000000000000000000000000000000000000000000000000000000000000000"
/* The record's last member, as audit_encode writes it: ,"prev":"HEX"} */
#define CHAIN_TAIL_KEY ",\"prev\":\""
#define CHAIN_TAIL_LEN (sizeof(CHAIN_TAIL_KEY) - 1 + 64 + 2)

/* LINE (without its '\n') hashed: SHA-256, hex.  Pure. */
void chain_line_hash(const char *line, size_t len, char hex[CHAIN_HEX_SIZE]);

/*
 * The hash of the last whole line ('\n'-terminated) of the file open on
 * FD, read with pread (FD's offset is left alone; O_APPEND writes do not
 * care).  Bytes after the last '\n' (a write cut short by a full disk)
 * are not a line yet.  Returns 1 with HEX, 0 when the file has no whole
 * line, -1 with errno.
 */
int chain_tail_hash(int fd, char hex[CHAIN_HEX_SIZE]);

/*
 * The "prev" LINE carries, into HEX: true when LINE ends with a chain
 * member (64 lower-case hex digits), false for a record written before
 * the chain, or not a record.  Pure.
 */
bool chain_prev_of(const char *line, size_t len, char hex[CHAIN_HEX_SIZE]);

/* ---- the walker: cutover log --verify ----------------------------------- */

enum chain_verdict {
	CHAIN_LINKED,           /* its prev is the line before's hash */
	CHAIN_FIRST,            /* the first line walked: nothing to link to */
	CHAIN_UNCHAINED,        /* no prev, before any chained record: older */
	CHAIN_RESTARTED,        /* prev is CHAIN_GENESIS after other lines */
	CHAIN_BROKEN,           /* prev is not the line before's hash */
	CHAIN_INSERTED,         /* broken, and prev is the hash two lines up */
	CHAIN_DROPPED,          /* no prev after chained records */
};

struct chain_walk {
	char last[CHAIN_HEX_SIZE];      /* the hash of the line before, "" */
	char before[CHAIN_HEX_SIZE];    /* of the line before that, "" */
	bool chained;                   /* a chained record was seen */
	unsigned long lines;            /* lines walked */
};

#define CHAIN_WALK_INIT { "", "", false, 0 }

/*
 * Walk one more LINE (without its '\n'): how it links to the line before.
 * Every line counts, a malformed one too (a write cut short leaves one,
 * and the next record then links to it).  Pure.
 */
enum chain_verdict chain_walk_line(struct chain_walk *, const char *line,
    size_t len);

#endif
