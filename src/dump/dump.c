#include "dump/dump.h"

#include <stdlib.h>

#include "core/target.h"
#include "dump/mdmp/mdmp.h"

static const struct dump_format *const dump_formats[] = {
    &mdmp_format,
};

struct dd_error *dump_open(const char *path, struct target **ret)
{
    struct target *t = calloc(1, sizeof(*t));
    if (!t)
        return &dd_error_no_memory;
    dd_arena_init(&t->arena);
    dd_memmap_init(&t->memory);
    struct dd_error *err = dd_mapfile_open(path, &t->file);
    if (err) {
        free(t);
        return err;
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
                           "not a recognised dump file (no MDMP signature at offset 0)");
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
