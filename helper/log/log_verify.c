/*
 * log_verify.c - `cutover log --verify`: the files walked as one chain,
 * oldest first (helper/record/chain.h), and every place it does not hold
 * named FILE:LINE with what it means.  With --last=HASH (the "hash" of the
 * last record syslog received), a file cut short at its end shows too.
 */
#include <stdio.h>
#include <string.h>

#include "helper/exitcodes.h"
#include "helper/lib/why.h"
#include "helper/log/log_cmd.h"
#include "helper/log/logfile.h"
#include "helper/log/logrec.h"
#include "helper/record/chain.h"
#include "policy/strbuf.h"

struct verifier {
	struct chain_walk walk;
	const char *before;         /* the file walked before this one */
	const char *last;           /* --last; NULL */
	const char *last_path;      /* where a line had that hash, or NULL */
	unsigned long last_line;
	unsigned long lines, breaks, odd;
};

static void
broken(struct verifier *v, const char *path, unsigned long n,
    const char *what)
{
	printable_line(stdout, "%s:%lu: %s", path, n, what);
	v->breaks++;
}

/* Where the walk starts: the first file's first chained record. */
static void
say_start(const char *path, unsigned long n, const char *line, size_t len)
{
	char prev[CHAIN_HEX_SIZE];

	if (chain_prev_of(line, len, prev) && strcmp(prev, CHAIN_GENESIS) == 0)
		printable_line(stdout, "%s:%lu: the chain starts here", path, n);
	else
		printable_line(stdout, "%s:%lu: links to a record not given "
		    "(%.16s...): name the older files first to check that link",
		    path, n, prev);
}

static void
judge(struct verifier *v, const char *path, unsigned long n,
    enum chain_verdict verdict, const char *line, size_t len)
{
	switch (verdict) {
	case CHAIN_LINKED:
	case CHAIN_UNCHAINED:
		break;
	case CHAIN_FIRST:
		say_start(path, n, line, len);
		break;
	case CHAIN_RESTARTED:
		broken(v, path, n, "the chain starts again here: the file was "
		    "emptied, or the file before it was missing when this "
		    "record was written");
		break;
	case CHAIN_BROKEN:
		if (n == 1 && v->before != NULL)
			broken(v, path, n, "does not link to the last line of "
			    "the file before it: that file was cut short or "
			    "changed at its end, or a file between them is "
			    "missing");
		else
			broken(v, path, n, "does not link to the line before "
			    "it: that line was changed, or records before this "
			    "one were removed or moved");
		break;
	case CHAIN_INSERTED:
		broken(v, path, n, "links to the line two before it: the line "
		    "before it was inserted");
		break;
	case CHAIN_DROPPED:
		broken(v, path, n, "a line without a chain among chained "
		    "records: not written there by cutover");
		break;
	}
}

/* One line: its link, whether it is a record, and --last. */
static void
verify_line(struct verifier *v, const char *path, unsigned long n,
    const char *line, size_t len, bool longline)
{
	struct logrec r;

	v->lines++;
	if (longline) {
		broken(v, path, n, "a line over 1 MiB, which cutover never "
		    "writes; the chain is checked again from the next line");
		v->walk = (struct chain_walk)CHAIN_WALK_INIT;
		return;
	}
	judge(v, path, n, chain_walk_line(&v->walk, line, len), line, len);
	if (logrec_parse(line, len, &r) == -1) {
		printable_line(stdout, "%s:%lu: not a record (a write cut short "
		    "by a full disk leaves one; the record after it goes on)",
		    path, n);
		v->odd++;
	}
	if (v->last != NULL && strcmp(v->walk.last, v->last) == 0) {
		v->last_path = path;
		v->last_line = n;
	}
}

static int
verify_file(struct verifier *v, const char *path)
{
	char why[WHY_MAX];
	struct logfile *f = logfile_open(path, why, sizeof(why));
	unsigned long n = 0;
	const char *line;
	bool cut, longline;
	size_t len;
	int rc;

	if (f == NULL) {
		printable_line(stderr, "cutover: log: %s", why);
		return -1;
	}
	while ((rc = logfile_next(f, &line, &len, &cut, &longline, why,
	    sizeof(why))) == 1) {
		verify_line(v, path, ++n, line, len, longline);
		if (cut)
			broken(v, path, n, "the file ends inside this line: "
			    "cut short, or its last write failed");
	}
	if (rc == -1)
		printable_line(stderr, "cutover: log: %s", why);
	if (n == 0)
		printable_line(stdout, "%s: empty", path);
	logfile_close(f);
	v->before = path;
	return rc;
}

/* --last: the trail must end with the record syslog received last. */
static void
check_last(struct verifier *v)
{
	if (v->last == NULL || strcmp(v->walk.last, v->last) == 0)
		return;
	if (v->last_path == NULL) {
		printable_line(stdout, "no line has the hash syslog received "
		    "last (%.16s...): the trail was cut short or changed at its "
		    "end", v->last);
		v->breaks++;
	} else
		printable_line(stdout, "%s:%lu: the record syslog received "
		    "last; the lines after it were not sent there", v->last_path,
		    v->last_line);
}

static bool
is_hash(const char *s)
{
	return strlen(s) == CHAIN_HEX_SIZE - 1 &&
	    strspn(s, "0123456789abcdef") == CHAIN_HEX_SIZE - 1;
}

int
log_verify(const struct log_opts *o)
{
	struct verifier v = { .walk = CHAIN_WALK_INIT, .last = o->last };
	int i, failed = 0;

	if (o->last != NULL && !is_hash(o->last)) {
		fputs("cutover: log: --last is a record's \"hash\" as syslog "
		    "has it: 64 lower-case hex digits\n", stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < o->nfiles; i++)
		if (verify_file(&v, o->files[i]) == -1)
			failed = 1;
	check_last(&v);
	printable_line(stdout, "%lu line%s in %d file%s: %s", v.lines,
	    v.lines == 1 ? "" : "s", o->nfiles, o->nfiles == 1 ? "" : "s",
	    v.breaks == 0 && !failed ? "the chain holds" :
	    "the chain does NOT hold");
	return v.breaks == 0 && !failed ? EXIT_DONE : EXIT_FAILED;
}
