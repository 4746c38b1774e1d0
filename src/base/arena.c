#include "base/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct dd_arena_chunk {
    struct dd_arena_chunk *next;
    size_t size;
    _Alignas(16) unsigned char data[];
};

#define ARENA_CHUNK 65536

void dd_arena_init(struct dd_arena *a)
{
    a->head = NULL;
    a->used = 0;
    a->total = 0;
}

void dd_arena_deinit(struct dd_arena *a)
{
    struct dd_arena_chunk *c = a->head;
    while (c) {
        struct dd_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    dd_arena_init(a);
}

void *dd_arena_alloc(struct dd_arena *a, size_t n)
{
    if (n > SIZE_MAX - 64)
        return NULL;
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->head->size - a->used < n) {
        size_t size = n > ARENA_CHUNK ? n : ARENA_CHUNK;
        struct dd_arena_chunk *c = malloc(sizeof(*c) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->next = a->head;
        a->head = c;
        a->used = 0;
    }
    void *p = a->head->data + a->used;
    a->used += n;
    a->total += n;
    memset(p, 0, n);
    return p;
}

void *dd_arena_calloc(struct dd_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    return dd_arena_alloc(a, count * size);
}

char *dd_arena_strndup(struct dd_arena *a, const char *s, size_t len)
{
    char *p = dd_arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *dd_arena_strdup(struct dd_arena *a, const char *s)
{
    return dd_arena_strndup(a, s, strlen(s));
}
