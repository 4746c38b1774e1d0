/* Growable arrays of fixed-size elements: the doubling every list walker needs, in one place. */
#ifndef DD_BASE_ARRAY_H
#define DD_BASE_ARRAY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Makes room for one more element after COUNT in ITEMS (elements of ELEM bytes, *CAP of them
 * allocated), doubling the allocation from FIRST elements with the size guarded against
 * overflow. Returns the array to use from now on (ITEMS itself when there was room), or NULL
 * when out of memory: ITEMS and *CAP are then unchanged and still owned by the caller.
 */
void *dd_array_grow(void *items, size_t *cap, size_t count, size_t elem, size_t first);

#endif
