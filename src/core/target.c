#include <stdint.h>

#include "core/target.h"

#include <stdlib.h>
#include <string.h>

#include "dump/dump.h"

struct dd_error *target_open(const char *path, struct target **ret)
{
    return dump_open(path, ret);
}

void target_destroy(struct target *t)
{
    if (!t)
        return;
    if (t->ops && t->ops->destroy)
        t->ops->destroy(t);
    dd_memmap_deinit(&t->memory);
    dd_arena_deinit(&t->arena);
    dd_mapfile_close(&t->file);
    free(t);
}

struct dd_error *target_read(struct target *t, uint64_t addr, void *buf, size_t n,
                             size_t *ret_read)
{
    size_t got = 0;
    struct dd_error *err = t->ops->read_virtual(t, addr, buf, n, &got);
    /* Fill gaps from the fallback (image files), then go back to the dump after each piece. */
    while (err && got < n && t->fallback_read) {
        size_t k = t->fallback_read(t->fallback_ctx, addr + got, (uint8_t *)buf + got, n - got);
        if (k == 0)
            break;
        dd_error_destroy(err);
        got += k;
        err = NULL;
        if (got < n) {
            size_t more = 0;
            err = t->ops->read_virtual(t, addr + got, (uint8_t *)buf + got, n - got, &more);
            got += more;
        }
    }
    *ret_read = got;
    return err;
}

void target_read_marked(struct target *t, uint64_t addr, uint8_t *buf, bool *ok, size_t n)
{
    size_t pos = 0;
    memset(buf, 0, n);
    while (pos < n) {
        size_t got = 0;
        struct dd_error *err = target_read(t, addr + pos, buf + pos, n - pos, &got);
        dd_error_destroy(err);
        for (size_t i = 0; i < got; i++)
            ok[pos + i] = true;
        pos += got;
        if (pos < n)
            ok[pos++] = false; /* a hole: try again after it */
    }
}

struct dd_error *target_read_exact(struct target *t, uint64_t addr, void *buf, size_t n)
{
    size_t got;
    return target_read(t, addr, buf, n, &got);
}

struct dd_error *target_read_physical(struct target *t, uint64_t addr, void *buf, size_t n,
                                      size_t *ret_read)
{
    *ret_read = 0;
    if (!t->ops->read_physical)
        return dd_error_memory(addr);
    return t->ops->read_physical(t, addr, buf, n, ret_read);
}

const struct target_module *target_module_by_addr(const struct target *t, uint64_t addr)
{
    size_t lo = 0, hi = t->nmodules;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct target_module *m = &t->modules[mid];
        if (addr < m->base)
            hi = mid;
        else if (addr - m->base >= m->size)
            lo = mid + 1;
        else
            return m;
    }
    return NULL;
}

long target_thread_by_tid(const struct target *t, uint32_t tid)
{
    for (size_t i = 0; i < t->nthreads; i++)
        if (t->threads[i].tid == tid)
            return (long)i;
    return -1;
}

unsigned target_ptr_size(const struct target *t)
{
    return (t->sys.cpu == DD_CPU_X64 || t->sys.cpu == DD_CPU_ARM64) ? 8 : 4;
}
