/*
 * Physical reads: a physical address -> its page -> the page's file offset (run table or
 * bitmap rank) -> bytes of the mapped file. Pages the dump does not hold, and pages a
 * truncated file lost, end the read with a DD_ERR_MEMORY error at the first missing byte
 * that says which of the two it was.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dump/kdmp/kdmp_internal.h"

/* A DD_ERR_MEMORY error at ADDR with a specific message. */
__attribute__((format(printf, 2, 3))) static struct dd_error *missing(uint64_t addr,
                                                                      const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    struct dd_error *err = dd_error_create(DD_ERR_MEMORY, "%s", msg);
    if (!err->is_static)
        err->address = addr;
    return err;
}

/* Sets ret to the file offset of physical address PA; false when its page is not in the dump. */
static bool phys_to_offset(const struct kdmp_file *f, uint64_t pa, uint64_t *ret)
{
    uint64_t page = pa >> KDMP_PAGE_SHIFT, in_page = pa & (KDMP_PAGE_SIZE - 1);
    uint64_t off;
    switch (f->memory) {
    case KDMP_MEMORY_RUNS: {
        const struct kdmp_run *r = kdmp_runs_find(f, page);
        if (!r)
            return false;
        /* Checked at parse time: file_offset + page_count pages does not overflow. */
        off = r->file_offset + ((page - r->base_page) << KDMP_PAGE_SHIFT);
        break;
    }
    case KDMP_MEMORY_BITMAP:
        if (!kdmp_bitmap_find(&f->bitmap, page, &off))
            return false;
        break;
    default:
        return false;
    }
    *ret = off + in_page;
    return true;
}

struct dd_error *kdmp_read_physical(struct target *t, uint64_t addr, void *buf, size_t n,
                                    size_t *ret_read)
{
    const struct kdmp_file *f = kdmp_impl(t);
    uint8_t *out = buf;
    size_t done = 0;
    struct dd_error *err = NULL;
    if (f->memory != KDMP_MEMORY_RUNS && f->memory != KDMP_MEMORY_BITMAP) {
        *ret_read = 0;
        return n ? missing(addr, "physical address 0x%llx: this dump holds no physical memory",
                           (unsigned long long)addr)
                 : NULL;
    }
    while (done < n) {
        uint64_t pa = addr + done;
        if (pa < addr) {
            err = missing(pa, "physical address range wraps past 0xffffffffffffffff");
            break;
        }
        uint64_t off;
        if (!phys_to_offset(f, pa, &off)) {
            err = missing(pa, "physical page 0x%llx (address 0x%llx) is not in the dump",
                          (unsigned long long)(pa >> KDMP_PAGE_SHIFT), (unsigned long long)pa);
            break;
        }
        size_t chunk = KDMP_PAGE_SIZE - (size_t)(pa & (KDMP_PAGE_SIZE - 1));
        if (chunk > n - done)
            chunk = n - done;
        if (off >= t->file.size || chunk > t->file.size - off) {
            /* The page is listed but the file stops before it (or inside it). */
            size_t have = off < t->file.size ? (size_t)(t->file.size - off) : 0;
            if (have)
                memcpy(out + done, t->file.data + off, have);
            done += have;
            err = missing(pa + have,
                          "physical address 0x%llx lies at file offset 0x%llx, past the "
                          "end of the truncated dump file (0x%zx bytes)",
                          (unsigned long long)(pa + have), (unsigned long long)(off + have),
                          t->file.size);
            break;
        }
        memcpy(out + done, t->file.data + off, chunk);
        done += chunk;
    }
    *ret_read = done;
    return err;
}
