#include "base/array.h"

#include <stdint.h>
#include <stdlib.h>

void *dd_array_grow(void *items, size_t *cap, size_t count, size_t elem, size_t first)
{
    if (count < *cap)
        return items;
    size_t ncap = *cap ? *cap * 2 : (first ? first : 1);
    if (ncap <= count || elem == 0 || ncap > SIZE_MAX / elem)
        return NULL;
    void *n = realloc(items, ncap * elem);
    if (n)
        *cap = ncap;
    return n;
}
