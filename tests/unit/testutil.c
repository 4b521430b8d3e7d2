/*
 * testutil.c - see testutil.h.  Not a suite: no tests here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/testutil.h"

struct policy *
tu_build(struct diags *d, const char *main, ...)
{
	static struct policy_texts texts;
	struct policy *p;
	const char *s;
	va_list ap;
	size_t i;

	memset(&texts, 0, sizeof(texts));
	texts.v[0].name = strdup("main.conf");
	texts.v[0].text = strdup(main);
	texts.v[0].len = strlen(main);
	texts.v[0].main = true;
	texts.n = 1;
	va_start(ap, main);
	while ((s = va_arg(ap, const char *)) != NULL) {
		char name[64];
		snprintf(name, sizeof(name), "policy.d/%02zu.conf", texts.n);
		texts.v[texts.n].name = strdup(name);
		texts.v[texts.n].text = strdup(s);
		texts.v[texts.n].len = strlen(s);
		texts.n++;
	}
	va_end(ap);
	p = policy_build(&texts, d);
	for (i = 0; i < texts.n; i++) {
		free(texts.v[i].name);
		free(texts.v[i].text);
	}
	return p;
}

bool
tu_has(const struct diags *d, enum diag_level level, const char *file,
    int line, const char *words)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag *g = &d->v[i];
		if (g->level == level && g->line == line &&
		    (file == NULL || (g->file && strcmp(g->file, file) == 0)) &&
		    strstr(g->msg, words) != NULL)
			return true;
	}
	tu_dump(d);
	return false;
}

void
tu_dump(const struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(stderr, "  diag %s %s:%d: %s\n",
		    d->v[i].level == DIAG_ERROR ? "error" : "warning",
		    d->v[i].file ? d->v[i].file : "-", d->v[i].line,
		    d->v[i].msg);
}

char *
tu_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n < 0 || (buf = calloc(1, (size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	return buf;
}
