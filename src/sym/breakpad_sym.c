/* Opening and closing a Breakpad .sym file; the index itself is built in breakpad_index.c. */
#include "sym/breakpad_sym.h"

#include <stdlib.h>

#include "sym/breakpad_internal.h"

static void module_free(struct breakpad_module *m)
{
    free(m->os);
    free(m->arch);
    free(m->debug_id);
    free(m->name);
    free(m->code_id);
    free(m->code_file);
}

void breakpad_sym_destroy(struct breakpad_sym *sym)
{
    if (!sym)
        return;
    module_free(&sym->module);
    free(sym->funcs);
    free(sym->publics);
    free(sym->files);
    free(sym->origins);
    free(sym->win4);
    free(sym->win0);
    free(sym->cfi);
    dd_mapfile_close(&sym->map);
    free(sym);
}

/* Takes MAP (closed on failure) and indexes it. */
static struct dd_error *sym_open_map(struct dd_mapfile *map, struct breakpad_sym **ret)
{
    struct breakpad_sym *sym = calloc(1, sizeof(*sym));
    if (!sym) {
        dd_mapfile_close(map);
        return &dd_error_no_memory;
    }
    sym->map = *map;
    sym->text = (const char *)map->data;
    sym->size = map->size;
    struct dd_error *err = bp_index_build(sym);
    if (err) {
        breakpad_sym_destroy(sym);
        return err;
    }
    *ret = sym;
    return NULL;
}

struct dd_error *breakpad_sym_open(const char *path, struct breakpad_sym **ret)
{
    struct dd_mapfile map;
    struct dd_error *err = dd_mapfile_open(path, &map);
    if (err)
        return dd_error_wrap(err, "%s", path);
    err = sym_open_map(&map, ret);
    if (err)
        return dd_error_wrap(err, "%s", path);
    return NULL;
}

struct dd_error *breakpad_sym_open_memory(const uint8_t *data, size_t size,
                                          struct breakpad_sym **ret)
{
    struct dd_mapfile map;
    struct dd_error *err = dd_mapfile_borrow(data, size, "memory", &map);
    if (err)
        return err;
    return sym_open_map(&map, ret);
}

const struct breakpad_module *breakpad_sym_module(const struct breakpad_sym *sym)
{
    return &sym->module;
}

const struct breakpad_sym_stats *breakpad_sym_stats(const struct breakpad_sym *sym)
{
    return &sym->stats;
}
