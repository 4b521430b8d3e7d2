/*
 * arena.h - one owner for every byte of a built policy, so the structure
 * can be immutable and freed in one call (and the fuzzer sees no leaks).
 */
#ifndef CUTOVER_ARENA_H
#define CUTOVER_ARENA_H

#include <stddef.h>

struct policy_arena;

struct policy_arena *arena_new(void);
/* Zeroed memory, or NULL when out of memory or n * size overflows. */
void *arena_calloc(struct policy_arena *, size_t n, size_t size);
void arena_free(struct policy_arena *);

#endif
