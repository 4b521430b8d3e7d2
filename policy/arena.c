/*
 * arena.c - a list of allocations freed together.  Simple on purpose: a
 * policy holds at most a few thousand objects.
 */
#include <stdint.h>
#include <stdlib.h>

#include "policy/arena.h"

struct chunk {
	struct chunk *next;
	max_align_t data[];
};

struct policy_arena {
	struct chunk *chunks;
};

struct policy_arena *
arena_new(void)
{
	return calloc(1, sizeof(struct policy_arena));
}

void *
arena_calloc(struct policy_arena *a, size_t n, size_t size)
{
	struct chunk *c;
	size_t bytes;

	if (size != 0 && n > (SIZE_MAX - sizeof(*c)) / size)
		return NULL;
	bytes = n * size;
	if ((c = calloc(1, sizeof(*c) + (bytes ? bytes : 1))) == NULL)
		return NULL;
	c->next = a->chunks;
	a->chunks = c;
	return c->data;
}

void
arena_free(struct policy_arena *a)
{
	struct chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}
