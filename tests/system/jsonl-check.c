/*
 * jsonl-check.c - the system tests' JSON-lines checker (no python3 or jq
 * on the CI machine): every line of the audit log must be one complete
 * JSON object, and the tests read fields out of those objects.
 *
 *   jsonl-check [FILE]            validate; print "N records"
 *   jsonl-check -f KEY [FILE]     validate; print, per record, the raw
 *                                 JSON text of the top-level member KEY
 *                                 (e.g. "deploy", 1001, true, [...]), or
 *                                 an empty line when the record has none
 *
 * FILE "-" or no FILE: standard input.  Valid means: each line (ended by
 * '\n', the last one too) is exactly one JSON value as tests/fuzz/
 * json_check.c accepts it (strict RFC 8259: UTF-8, no raw control
 * characters, ...), and that value is an object.  An empty input is valid
 * (0 records).  Exit 0 valid, 1 not valid (the first bad line is named on
 * stderr as FILE:LINE), 2 usage or I/O error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/json_check.h"

static const char *name = "-";

static int
isspace_json(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* S[I] starts a value of an already validated text: its end. */
static size_t
skip_value(const char *s, size_t len, size_t i)
{
	int depth = 0, in_string = 0;

	for (; i < len; i++) {
		char c = s[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"') {
				in_string = 0;
				if (depth == 0)
					return i + 1;
			}
			continue;
		}
		if (c == '"')
			in_string = 1;
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']') {
			if (depth == 0)
				return i;         /* end of a scalar */
			if (--depth == 0)
				return i + 1;
		} else if (depth == 0 && (c == ',' || isspace_json(c)))
			return i;
	}
	return i;
}

/* The raw text of top-level member KEY of a validated object, or NULL. */
static const char *
member(const char *s, size_t len, const char *key, size_t *vlen)
{
	size_t i = 0, klen = strlen(key), ks, ke, vs;

	while (i < len && s[i] != '{')
		i++;
	i++;
	for (;;) {
		while (i < len && (isspace_json(s[i]) || s[i] == ','))
			i++;
		if (i >= len || s[i] != '"')
			return NULL;
		ks = i + 1;
		ke = skip_value(s, len, i) - 1;      /* the closing quote */
		i = ke + 1;
		while (i < len && (isspace_json(s[i]) || s[i] == ':'))
			i++;
		vs = i;
		i = skip_value(s, len, vs);
		if (ke - ks == klen && memcmp(s + ks, key, klen) == 0) {
			*vlen = i - vs;
			return s + vs;
		}
	}
}

int
main(int argc, char **argv)
{
	const char *key = NULL, *why, *v;
	char *line = NULL;
	size_t cap = 0, where, vlen, k;
	ssize_t n;
	unsigned long lineno = 0;
	FILE *in = stdin;

	if (argc >= 3 && strcmp(argv[1], "-f") == 0) {
		key = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc > 2 || (argc == 2 && argv[1][0] == '-' && argv[1][1] != '\0')) {
		fputs("usage: jsonl-check [-f KEY] [FILE]\n", stderr);
		return 2;
	}
	if (argc == 2 && strcmp(argv[1], "-") != 0) {
		name = argv[1];
		if ((in = fopen(name, "r")) == NULL) {
			perror(name);
			return 2;
		}
	}
	while ((n = getline(&line, &cap, in)) != -1) {
		lineno++;
		if (line[n - 1] != '\n') {
			fprintf(stderr, "%s:%lu: the last record is not ended "
			    "by a newline (cut short?)\n", name, lineno);
			return 1;
		}
		n--;
		if (!json_check(line, (size_t)n, &where, &why)) {
			fprintf(stderr, "%s:%lu: not one JSON value: at byte "
			    "%zu, expected %s\n", name, lineno, where, why);
			return 1;
		}
		for (k = 0; k < (size_t)n && isspace_json(line[k]); k++)
			;
		if (line[k] != '{') {
			fprintf(stderr, "%s:%lu: not a JSON object\n", name,
			    lineno);
			return 1;
		}
		if (key != NULL) {
			v = member(line, (size_t)n, key, &vlen);
			printf("%.*s\n", v != NULL ? (int)vlen : 0,
			    v != NULL ? v : "");
		}
	}
	if (ferror(in)) {
		perror(name);
		return 2;
	}
	if (key == NULL)
		printf("%lu records\n", lineno);
	free(line);
	return 0;
}
