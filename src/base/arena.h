/* A bump allocator: many small allocations freed together. */
#ifndef DD_BASE_ARENA_H
#define DD_BASE_ARENA_H

#include <stddef.h>

struct dd_arena_chunk;

struct dd_arena {
    struct dd_arena_chunk *head;
    size_t used;  /* bytes used in head */
    size_t total; /* bytes handed out, for accounting */
};

void dd_arena_init(struct dd_arena *a);
/* Frees every allocation made from A. */
void dd_arena_deinit(struct dd_arena *a);
/* Returns N zeroed bytes aligned to 16, or NULL when out of memory. */
void *dd_arena_alloc(struct dd_arena *a, size_t n);
/* Returns COUNT*SIZE zeroed bytes, or NULL on overflow or when out of memory. */
void *dd_arena_calloc(struct dd_arena *a, size_t count, size_t size);
/* Copies LEN bytes of S and a NUL; returns NULL when out of memory. */
char *dd_arena_strndup(struct dd_arena *a, const char *s, size_t len);
char *dd_arena_strdup(struct dd_arena *a, const char *s);

#endif
