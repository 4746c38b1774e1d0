/* The kernel-dump format entry: probe, open (header, memory index, triage data, target), ops. */
#include "dump/kdmp/kdmp.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "dump/kdmp/kdmp_internal.h"

static bool kdmp_probe(const uint8_t *head, size_t len)
{
    return len >= 8 && (memcmp(head, "PAGEDU64", 8) == 0 || memcmp(head, "PAGEDUMP", 8) == 0);
}

static void kdmp_destroy(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    if (f) {
        kdmp_bitmap_free(&f->bitmap);
        kdmp_vm_free(f);
    }
    /* Everything else lives in the arena or the mapping. */
    t->impl = NULL;
}

static const struct target_ops kdmp_ops = {
    .read_virtual = kdmp_read_virtual,
    .destroy = kdmp_destroy,
    .read_physical = kdmp_read_physical,
};

const uint8_t *kdmp_file_range(const struct target *t, uint64_t offset, uint64_t size)
{
    uint64_t end;
    if (dd_add_overflows(offset, size, t->file.size, &end))
        return NULL;
    return t->file.data + offset;
}

void kdmp_warn(struct target *t, const char *fmt, ...)
{
    struct kdmp_file *f = kdmp_impl(t);
    if (f->nwarnings >= KDMP_MAX_WARNINGS) {
        f->warnings_dropped++;
        return;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    const char *s = dd_arena_strdup(&t->arena, buf);
    if (!s) {
        f->warnings_dropped++;
        return;
    }
    f->warnings[f->nwarnings++] = s;
}

/* Rows grow by doubling inside the arena (the old block is simply left there). */
struct dd_error *kdmp_stream_add(struct target *t, uint32_t type, const char *name, uint64_t offset,
                                 uint64_t size)
{
    size_t n = t->nstreams;
    /* Capacity is the next power of two at or above n (at least 16). */
    if (n >= 16 && (n & (n - 1)) == 0) {
        struct target_stream *s = dd_arena_calloc(&t->arena, n * 2, sizeof(*s));
        if (!s)
            return &dd_error_no_memory;
        memcpy(s, t->streams, n * sizeof(*s));
        t->streams = s;
    } else if (n == 0) {
        t->streams = dd_arena_calloc(&t->arena, 16, sizeof(*t->streams));
        if (!t->streams)
            return &dd_error_no_memory;
    }
    t->streams[n] = (struct target_stream){type, name, offset, size};
    t->nstreams = n + 1;
    return NULL;
}

/*
 * Indexes the dump's memory by DumpType. A damaged index is not fatal: the header alone
 * still answers vertarget and .bugcheck, so the problem becomes a warning.
 */
static struct dd_error *index_memory(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    struct dd_error *err;
    switch (f->hdr.dump_type) {
    case KDMP_TYPE_FULL:
    case KDMP_FIELD_ABSENT:
    case KDMP_TYPE_RDMP_KERNEL:
    case KDMP_TYPE_RDMP_KERNEL_USER:
    case KDMP_TYPE_RDMP_COMPLETE:
        err = kdmp_runs_parse(t);
        break;
    case KDMP_TYPE_SUMMARY:
    case KDMP_TYPE_BITMAP_FULL:
    case KDMP_TYPE_BITMAP_KERNEL:
        err = kdmp_bitmap_parse(t);
        break;
    case KDMP_TYPE_TRIAGE:
        err = kdmp_triage_parse(t);
        break;
    default:
        kdmp_warn(t, "DumpType %u is not a kind this reader knows: only the header is available",
                  f->hdr.dump_type);
        return NULL;
    }
    if (err && err->code != DD_ERR_NO_MEMORY) {
        kdmp_warn(t, "%s", err->message);
        dd_error_destroy(err);
        if (f->memory != KDMP_MEMORY_TRIAGE)
            f->memory = KDMP_MEMORY_NONE;
        return NULL;
    }
    return err;
}

/* Reads of a large dump hit random pages: read-ahead around each would only fill the cache. */
static void advise_random(const struct target *t)
{
    if (t->file.borrowed || t->file.heap || t->file.size < (64u << 20))
        return;
    (void)madvise((void *)(uintptr_t)t->file.data, t->file.size, MADV_RANDOM);
}

static struct dd_error *kdmp_open(struct target *t)
{
    struct kdmp_file *f = dd_arena_alloc(&t->arena, sizeof(*f));
    if (!f)
        return &dd_error_no_memory;
    t->impl = f;
    t->ops = &kdmp_ops;
    t->kind = TARGET_KERNEL;
    t->sys.csd_version = "";
    struct dd_error *err = kdmp_header_parse(t);
    if (err)
        return err;
    const struct kdmp_header *h = &f->hdr;
    if ((err = kdmp_stream_add(t, KDMP_STREAM_HEADER, h->is64 ? "DUMP_HEADER64" : "DUMP_HEADER32",
                               0, h->header_size)) ||
        (err = index_memory(t)) || (err = dd_memmap_finish(&t->memory)) ||
        (err = kdmp_target_add_page_streams(t)))
        return err;
    if (f->triage.present && (err = kdmp_drivers_parse(t)))
        return err;
    if ((err = kdmp_blobs_parse(t)) || (err = kdmp_target_fill(t)))
        return err;
    advise_random(t);
    err = kdmp_vm_init(t);
    if (!err)
        kdmp_target_kernel_base(t);
    if (!err)
        kdmp_target_add_kernel_modules(t);
    /* What was worked around while opening, for .dumpdebug (docs/limits.md). */
    t->warnings = f->warnings;
    t->nwarnings = f->nwarnings;
    t->warnings_dropped = f->warnings_dropped;
    return err;
}

const struct kdmp_file *kdmp_file_of(const struct target *t)
{
    if (!t || t->ops != &kdmp_ops)
        return NULL;
    return t->impl;
}

const struct dump_format kdmp_format = {"kernel dump", kdmp_probe, kdmp_open};
