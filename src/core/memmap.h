/* The captured memory of a dump: sorted, non-overlapping address ranges. */
#ifndef DD_CORE_MEMMAP_H
#define DD_CORE_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct dd_memrange {
    uint64_t base;
    uint64_t size;
    const uint8_t *data; /* size bytes inside the mapped file */
};

struct dd_memmap {
    struct dd_memrange *ranges;
    size_t count;
    size_t cap;
};

void dd_memmap_init(struct dd_memmap *m);
void dd_memmap_deinit(struct dd_memmap *m);
/* Adds a range; call dd_memmap_finish once all are added. */
struct dd_error *dd_memmap_add(struct dd_memmap *m, uint64_t base, uint64_t size,
                               const uint8_t *data);
/* Sorts the ranges and trims overlaps (the lower base wins; at equal bases the larger range);
 * returns NULL. */
struct dd_error *dd_memmap_finish(struct dd_memmap *m);
/* Returns the range containing ADDR, or NULL (binary search). */
const struct dd_memrange *dd_memmap_find(const struct dd_memmap *m, uint64_t addr);
/* Reads like target_ops.read_virtual over the ranges (adjacent ranges are joined). */
struct dd_error *dd_memmap_read(const struct dd_memmap *m, uint64_t addr, void *buf, size_t n,
                                size_t *ret_read);

#endif
