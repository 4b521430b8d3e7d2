/*
 * diag.c - the list of errors and warnings a load produces, each with the
 * file and line it is about.  Out of memory while recording one still
 * counts the error, so a failed load can never look clean.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/strbuf.h"

/*
 * Messages quote policy text, and a policy the caller names is the
 * caller's: control bytes become \xNN so that no message can move the
 * cursor, retitle the terminal or fake a second line.  Takes MSG.
 */
static char *
printable(char *msg)
{
	struct strbuf sb = STRBUF_INIT;

	if (msg == NULL)
		return NULL;
	sb_printable(&sb, msg);
	free(msg);
	if (sb_failed(&sb) || sb.s == NULL) {
		sb_free(&sb);
		return strdup("");
	}
	return sb.s;
}

void
diags_add(struct diags *d, enum diag_level level, const char *file, int line,
    const char *fmt, ...)
{
	struct diag *v, *e;
	va_list ap;
	char *msg = NULL;

	if (level == DIAG_ERROR)
		d->nerrors++;
	if ((v = reallocarray(d->v, d->n + 1, sizeof(*v))) == NULL)
		return;
	d->v = v;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (msg == NULL || (msg = printable(msg)) == NULL)
		return;
	e = &d->v[d->n];
	e->level = level;
	e->line = line;
	e->msg = msg;
	e->file = file ? printable(strdup(file)) : NULL;
	if (file != NULL && e->file == NULL) {
		free(msg);
		return;
	}
	d->n++;
}

void
diags_free(struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}
