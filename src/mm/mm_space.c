/*
 * Address spaces: creation, the translation cache, errors that say why a translation failed, and
 * page-by-page virtual reads. The per-family walkers are mm_x86.c, mm_x64.c and mm_arm64.c.
 *
 * The cache maps a 4 KB virtual page to its physical page. A dump's page tables never change, so
 * entries are never invalidated (only mm_space_set_ttbr1, which changes the tables, clears it);
 * failures are not cached, so each one is walked again and reported with its reason.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "mm/mm_internal.h"

struct dd_error *mm_space_create(enum mm_paging paging, uint64_t dtb, mm_phys_read_fn read,
                                 void *ctx, struct mm_space **ret)
{
    if (paging > MM_PAGING_ARM64 || !read)
        return dd_error_create(DD_ERR_UNSUPPORTED, "unknown paging mode %d", (int)paging);
    struct mm_space *s = calloc(1, sizeof(*s));
    if (!s)
        return &dd_error_no_memory;
    s->paging = paging;
    s->root = dtb;
    s->root1 = dtb;
    s->read = read;
    s->ctx = ctx;
    *ret = s;
    return NULL;
}

void mm_space_destroy(struct mm_space *space)
{
    free(space);
}

void mm_space_set_ttbr1(struct mm_space *space, uint64_t ttbr1)
{
    space->root1 = ttbr1;
    memset(space->cache, 0, sizeof(space->cache));
}

enum mm_paging mm_space_paging(const struct mm_space *space)
{
    return space->paging;
}

bool mm_entry_read(const struct mm_space *s, uint64_t pa, unsigned size, uint64_t *ret)
{
    uint8_t b[8];
    size_t got = 0;
    struct dd_error *err = s->read(s->ctx, pa, b, size, &got);
    dd_error_destroy(err);
    if (got < size)
        return false;
    *ret = size == 8 ? dd_le64(b) : dd_le32(b);
    return true;
}

void mm_walk_level_start(struct mm_walk *ret, unsigned i, const char *name, uint64_t entry_pa)
{
    ret->level[i] = (struct mm_walk_level){.name = name, .entry_pa = entry_pa};
    ret->nlevels = i + 1;
}

void mm_space_walk(struct mm_space *space, uint64_t va, struct mm_walk *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->result = MM_WALK_NON_CANONICAL;
    switch (space->paging) {
    case MM_PAGING_X86:
        mm_x86_walk(space, va, ret);
        break;
    case MM_PAGING_X86_PAE:
        mm_x86_pae_walk(space, va, ret);
        break;
    case MM_PAGING_X64:
    case MM_PAGING_X64_LA57:
        mm_x64_walk(space, va, ret);
        break;
    case MM_PAGING_ARM64:
        mm_arm64_walk(space, va, ret);
        break;
    }
    ret->present = ret->result == MM_WALK_PRESENT;
}

/*
 * A DD_ERR_MEMORY error at VA whose message starts like dd_error_memory's ("memory at 0x... is
 * not in the dump", which the command layer turns into WinDbg's "Memory read error ADDR") and
 * adds the reason in parentheses.
 */
static struct dd_error *mm_error(uint64_t va, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static struct dd_error *mm_error(uint64_t va, const char *fmt, ...)
{
    char why[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    struct dd_error *err = dd_error_create(DD_ERR_MEMORY, "memory at 0x%llx is not in the dump (%s)",
                                           (unsigned long long)va, why);
    if (!err->is_static)
        err->address = va;
    return err;
}

/* The error for a walk that did not reach a page. */
static struct dd_error *mm_walk_error(const struct mm_walk *w, uint64_t va)
{
    if (w->result == MM_WALK_NON_CANONICAL || w->nlevels == 0)
        return mm_error(va, "non-canonical address");
    const struct mm_walk_level *l = &w->level[w->nlevels - 1];
    if (w->result == MM_WALK_TABLE_MISSING)
        return mm_error(va, "page-table page at physical 0x%llx not in the dump (%s at 0x%llx)",
                        (unsigned long long)(l->entry_pa & ~(MM_PAGE_SIZE - 1)), l->name,
                        (unsigned long long)l->entry_pa);
    if (l->entry == 0)
        return mm_error(va, "%s not present (zero)", l->name);
    if (l->entry & MM_WIN_PROTOTYPE)
        return mm_error(va, "%s not present (prototype PTE %llx)", l->name,
                        (unsigned long long)l->entry);
    return mm_error(va, "%s not present (%llx)", l->name, (unsigned long long)l->entry);
}

/* Slot of virtual page VPN: a multiplicative hash, so that pages equal in their low bits
 * (the same offset in user and kernel space) do not evict each other. */
static struct mm_cache_slot *cache_slot(struct mm_space *s, uint64_t vpn)
{
    return &s->cache[(vpn * 0x9e3779b97f4a7c15ULL) >> (64 - 10)];
}

struct dd_error *mm_space_translate(struct mm_space *space, uint64_t va, uint64_t *ret_pa)
{
    uint64_t vpn = va >> MM_PAGE_SHIFT;
    struct mm_cache_slot *slot = cache_slot(space, vpn);
    if (slot->vpn_tag == vpn + 1) {
        *ret_pa = (slot->ppn << MM_PAGE_SHIFT) | (va & (MM_PAGE_SIZE - 1));
        return NULL;
    }
    struct mm_walk w;
    mm_space_walk(space, va, &w);
    if (!w.present)
        return mm_walk_error(&w, va);
    slot->vpn_tag = vpn + 1;
    slot->ppn = w.pa >> MM_PAGE_SHIFT;
    *ret_pa = w.pa;
    return NULL;
}

struct dd_error *mm_space_read(struct mm_space *space, uint64_t va, void *buf, size_t n,
                               size_t *ret_read)
{
    uint8_t *out = buf;
    size_t done = 0;
    *ret_read = 0;
    while (done < n) {
        uint64_t cur = va + done;
        if (cur < va) { /* ran past the top of the address space */
            *ret_read = done;
            return mm_error(cur, "non-canonical address");
        }
        uint64_t pa;
        struct dd_error *err = mm_space_translate(space, cur, &pa);
        if (err) {
            *ret_read = done;
            return err;
        }
        size_t chunk = (size_t)(MM_PAGE_SIZE - (cur & (MM_PAGE_SIZE - 1)));
        if (chunk > n - done)
            chunk = n - done;
        size_t got = 0;
        dd_error_destroy(space->read(space->ctx, pa, out + done, chunk, &got));
        if (got > chunk)
            got = chunk; /* a reader that over-reports never makes us run past BUF */
        done += got;
        if (got < chunk) {
            *ret_read = done;
            return mm_error(va + done, "page at physical 0x%llx not in the dump",
                            (unsigned long long)((pa + got) & ~(MM_PAGE_SIZE - 1)));
        }
    }
    *ret_read = done;
    return NULL;
}
