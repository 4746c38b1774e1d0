#include "core/memmap.h"

#include <stdlib.h>
#include <string.h>

void dd_memmap_init(struct dd_memmap *m)
{
    m->ranges = NULL;
    m->count = 0;
    m->cap = 0;
}

void dd_memmap_deinit(struct dd_memmap *m)
{
    free(m->ranges);
    dd_memmap_init(m);
}

struct dd_error *dd_memmap_add(struct dd_memmap *m, uint64_t base, uint64_t size,
                               const uint8_t *data)
{
    if (size == 0)
        return NULL;
    if (base + size < base) /* wraps the address space: keep what fits */
        size = 0 - base;
    if (m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        struct dd_memrange *r = realloc(m->ranges, cap * sizeof(*r));
        if (!r)
            return &dd_error_no_memory;
        m->ranges = r;
        m->cap = cap;
    }
    m->ranges[m->count].base = base;
    m->ranges[m->count].size = size;
    m->ranges[m->count].data = data;
    m->count++;
    return NULL;
}

static int range_cmp(const void *a, const void *b)
{
    const struct dd_memrange *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    /* Equal bases: the larger range first, so it wins the overlap trim. */
    if (x->size != y->size)
        return x->size > y->size ? -1 : 1;
    /* Same range twice (a stack listed by its thread and the memory list): the bytes earlier in
     * the file win, whatever order qsort leaves equal keys in. */
    if ((uintptr_t)x->data != (uintptr_t)y->data)
        return (uintptr_t)x->data < (uintptr_t)y->data ? -1 : 1;
    return 0;
}

struct dd_error *dd_memmap_finish(struct dd_memmap *m)
{
    if (m->count == 0)
        return NULL;
    qsort(m->ranges, m->count, sizeof(*m->ranges), range_cmp);
    /*
     * Trim overlaps so binary search sees disjoint ranges. Compare last bytes, not ends: a range
     * that reaches the top of the address space (dd_memmap_add keeps what fits) has an end of 0.
     */
    size_t out = 0;
    for (size_t i = 0; i < m->count; i++) {
        struct dd_memrange r = m->ranges[i];
        if (out > 0) {
            const struct dd_memrange *prev = &m->ranges[out - 1];
            uint64_t prev_last = prev->base + (prev->size - 1);
            if (r.base <= prev_last) {
                if (r.base + (r.size - 1) <= prev_last)
                    continue;
                uint64_t cut = prev_last - r.base + 1;
                r.base += cut;
                r.data += cut;
                r.size -= cut;
            }
        }
        m->ranges[out++] = r;
    }
    m->count = out;
    return NULL;
}

const struct dd_memrange *dd_memmap_find(const struct dd_memmap *m, uint64_t addr)
{
    size_t lo = 0, hi = m->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct dd_memrange *r = &m->ranges[mid];
        if (addr < r->base)
            hi = mid;
        else if (addr - r->base >= r->size)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}

struct dd_error *dd_memmap_read(const struct dd_memmap *m, uint64_t addr, void *buf, size_t n,
                                size_t *ret_read)
{
    size_t done = 0;
    while (done < n) {
        uint64_t cur = addr + done;
        if (cur < addr) /* wrapped past the top of the address space */
            break;
        const struct dd_memrange *r = dd_memmap_find(m, cur);
        if (!r)
            break;
        uint64_t off = cur - r->base;
        uint64_t avail = r->size - off;
        size_t take = (n - done) < avail ? (n - done) : (size_t)avail;
        memcpy((uint8_t *)buf + done, r->data + off, take);
        done += take;
    }
    *ret_read = done;
    if (done < n)
        return dd_error_memory(addr + done);
    return NULL;
}
