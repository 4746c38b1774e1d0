#include "dump/dump.h"

#include <stdlib.h>

#include "core/target.h"
#include "dump/kdmp/kdmp.h"
#include "dump/mdmp/mdmp.h"
#include "dump/xz.h"

static const struct dump_format *const dump_formats[] = {
    &mdmp_format,
    &kdmp_format,
};

/* Probes and opens T, whose file is mapped; destroys T on failure. */
static struct dd_error *dump_open_mapped(struct target *t, struct target **ret)
{
    struct dd_error *err;
    if (dump_xz_probe(t->file.data, t->file.size)) {
        uint8_t *plain;
        size_t plain_size;
        err = dump_xz_decompress(t->file.data, t->file.size, &plain, &plain_size);
        if (err) {
            target_destroy(t);
            return err;
        }
        dd_mapfile_adopt(&t->file, plain, plain_size);
    }
    const struct dump_format *fmt = NULL;
    for (size_t i = 0; i < sizeof(dump_formats) / sizeof(dump_formats[0]); i++) {
        if (dump_formats[i]->probe(t->file.data, t->file.size)) {
            fmt = dump_formats[i];
            break;
        }
    }
    if (!fmt) {
        target_destroy(t);
        return dd_error_at(DD_ERR_FORMAT, 0,
                           "not a recognised dump file (no MDMP, PAGEDUMP or PAGEDU64 signature "
                           "at offset 0)");
    }
    t->format_name = fmt->name;
    err = fmt->open(t);
    if (err) {
        target_destroy(t);
        return err;
    }
    *ret = t;
    return NULL;
}

static struct target *dump_target_alloc(void)
{
    struct target *t = calloc(1, sizeof(*t));
    if (!t)
        return NULL;
    dd_arena_init(&t->arena);
    dd_memmap_init(&t->memory);
    return t;
}

struct dd_error *dump_open(const char *path, struct target **ret)
{
    struct target *t = dump_target_alloc();
    if (!t)
        return &dd_error_no_memory;
    struct dd_error *err = dd_mapfile_open(path, &t->file);
    if (err) {
        free(t);
        return err;
    }
    return dump_open_mapped(t, ret);
}

struct dd_error *dump_open_memory(const uint8_t *data, size_t size, const char *name,
                                  struct target **ret)
{
    struct target *t = dump_target_alloc();
    if (!t)
        return &dd_error_no_memory;
    struct dd_error *err = dd_mapfile_borrow(data, size, name, &t->file);
    if (err) {
        free(t);
        return err;
    }
    return dump_open_mapped(t, ret);
}
