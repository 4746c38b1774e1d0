/*
 * A fake physical memory for the page-table tests: a few 4 KB pages at chosen physical
 * addresses; everything else is "not in the dump".
 */
#ifndef DD_TESTS_MM_FAKE_PHYS_H
#define DD_TESTS_MM_FAKE_PHYS_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

#define FAKE_PHYS_MAX_PAGES 32

struct fake_phys {
    unsigned npages;
    uint64_t pa[FAKE_PHYS_MAX_PAGES];
    uint8_t data[FAKE_PHYS_MAX_PAGES][4096];
    unsigned reads; /* read calls, to see the cache at work */
};

void fake_phys_init(struct fake_phys *m);
/* The page holding PA, created (zero-filled) when missing. */
uint8_t *fake_phys_page(struct fake_phys *m, uint64_t pa);
void fake_phys_put64(struct fake_phys *m, uint64_t pa, uint64_t v);
void fake_phys_put32(struct fake_phys *m, uint64_t pa, uint32_t v);
/* An mm_phys_read_fn over a struct fake_phys (CTX). */
struct dd_error *fake_phys_read(void *ctx, uint64_t pa, void *buf, size_t n, size_t *ret_read);

#endif
