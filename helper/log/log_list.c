/*
 * log_list.c - `cutover log` listing: one line per transaction (its
 * outcome record, or a request that was not allowed and so has none),
 * filtered; with --steps each one's steps under it, with --all every
 * record.  Steps come before their outcome in the file, so they wait in a
 * few slots, by txid, until it comes.
 */
#include <stdio.h>
#include <string.h>

#include "helper/exitcodes.h"
#include "helper/lib/why.h"
#include "helper/log/log_cmd.h"
#include "helper/log/logfile.h"
#include "helper/log/logrec.h"
#include "policy/strbuf.h"

/* Transactions whose steps may wait at once (concurrent runs). */
#define SLOTS 64

struct slot {
	char txid[LOGREC_STR_MAX + 1];
	struct strbuf lines;        /* their lines, each with its '\n' */
};

struct lister {
	const struct log_opts *o;
	struct slot slots[SLOTS];
	unsigned next;              /* the slot a new txid takes (oldest) */
	unsigned long odd;          /* lines that were not records */
	struct strbuf out;
};

static struct slot *
slot_of(struct lister *l, const struct logrec *r, bool take)
{
	char txid[LOGREC_STR_MAX + 1];
	struct slot *s;
	unsigned i;

	logrec_text(&r->v[LK_TXID], txid, sizeof(txid));
	if (txid[0] == '\0')
		return NULL;
	for (i = 0; i < SLOTS; i++)
		if (strcmp(l->slots[i].txid, txid) == 0)
			return &l->slots[i];
	if (!take)
		return NULL;
	s = &l->slots[l->next++ % SLOTS];
	sb_free(&s->lines);
	memcpy(s->txid, txid, sizeof(txid));
	return s;
}

/* LINE (the record R) as the output has it, with its '\n'. */
static void
put_record(struct strbuf *out, const struct logrec *r, const char *line,
    size_t len, bool json, bool step)
{
	if (json)
		sb_append(out, line, len);
	else
		logrec_render(r, step, out);
	sb_puts(out, "\n");
}

static void
flush_out(struct lister *l)
{
	if (l->out.len > 0)
		fwrite(l->out.s, 1, l->out.len, stdout);
	sb_free(&l->out);
}

static void
list_record(struct lister *l, const char *line, size_t len)
{
	const struct log_opts *o = l->o;
	enum logrole role;
	struct logrec r;
	struct slot *s;

	if (logrec_parse(line, len, &r) == -1) {
		l->odd++;
		return;
	}
	role = logrec_role(&r);
	if (o->all) {
		if (logfilter_match(&o->filter, &r))
			put_record(&l->out, &r, line, len, o->json,
			    role == ROLE_STEP);
		return;
	}
	if (role == ROLE_STEP && o->steps && (s = slot_of(l, &r, true)))
		put_record(&s->lines, &r, line, len, o->json, true);
	if (role != ROLE_TRANSACTION)
		return;
	s = o->steps ? slot_of(l, &r, false) : NULL;
	if (logfilter_match(&o->filter, &r)) {
		put_record(&l->out, &r, line, len, o->json, false);
		if (s != NULL)
			sb_append(&l->out, s->lines.s, s->lines.len);
	}
	if (s != NULL) {
		sb_free(&s->lines);
		s->txid[0] = '\0';
	}
}

static int
list_file(struct lister *l, const char *path)
{
	char why[WHY_MAX];
	struct logfile *f = logfile_open(path, why, sizeof(why));
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
		list_record(l, line, len);
		if (l->out.len >= 1 << 16)
			flush_out(l);
	}
	if (rc == -1)
		printable_line(stderr, "cutover: log: %s", why);
	logfile_close(f);
	return rc;
}

int
log_list(const struct log_opts *o)
{
	static struct lister l;     /* 64 KiB of txids: not on the stack */
	int i, failed = 0;

	memset(&l, 0, sizeof(l));
	l.o = o;
	for (i = 0; i < o->nfiles; i++)
		if (list_file(&l, o->files[i]) == -1)
			failed = 1;
	flush_out(&l);
	for (i = 0; i < SLOTS; i++)
		sb_free(&l.slots[i].lines);
	if (l.odd > 0)
		fprintf(stderr, "cutover: log: %lu line%s not a record "
		    "(cutover log --verify says where)\n", l.odd,
		    l.odd == 1 ? " was" : "s were");
	return failed ? EXIT_FAILED : EXIT_DONE;
}
