/* The fake physical memory of test_mm.c and test_kmem.c. */
#include <string.h>

#include "mm_fake_phys.h"

void fake_phys_init(struct fake_phys *m)
{
    memset(m, 0, sizeof(*m));
}

static uint8_t *find(struct fake_phys *m, uint64_t page)
{
    for (unsigned i = 0; i < m->npages; i++)
        if (m->pa[i] == page)
            return m->data[i];
    return NULL;
}

uint8_t *fake_phys_page(struct fake_phys *m, uint64_t pa)
{
    uint64_t page = pa & ~0xfffULL;
    uint8_t *p = find(m, page);
    if (p || m->npages == FAKE_PHYS_MAX_PAGES)
        return p;
    m->pa[m->npages] = page;
    memset(m->data[m->npages], 0, 4096);
    return m->data[m->npages++];
}

void fake_phys_put64(struct fake_phys *m, uint64_t pa, uint64_t v)
{
    uint8_t *p = fake_phys_page(m, pa);
    for (unsigned i = 0; i < 8; i++)
        p[(pa & 0xfff) + i] = (uint8_t)(v >> (8 * i));
}

void fake_phys_put32(struct fake_phys *m, uint64_t pa, uint32_t v)
{
    uint8_t *p = fake_phys_page(m, pa);
    for (unsigned i = 0; i < 4; i++)
        p[(pa & 0xfff) + i] = (uint8_t)(v >> (8 * i));
}

struct dd_error *fake_phys_read(void *ctx, uint64_t pa, void *buf, size_t n, size_t *ret_read)
{
    struct fake_phys *m = ctx;
    m->reads++;
    size_t done = 0;
    while (done < n) {
        uint64_t cur = pa + done;
        uint8_t *p = find(m, cur & ~0xfffULL);
        if (!p) {
            *ret_read = done;
            return dd_error_memory(cur);
        }
        size_t chunk = 4096 - (size_t)(cur & 0xfff);
        if (chunk > n - done)
            chunk = n - done;
        memcpy((uint8_t *)buf + done, p + (cur & 0xfff), chunk);
        done += chunk;
    }
    *ret_read = done;
    return NULL;
}
