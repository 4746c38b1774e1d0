/*
 * Complete, kernel and bitmap dumps carry no driver list of their own (triage dumps do,
 * kdmp_drivers.c): the loaded kernel modules are the PsLoadedModuleList chain in the dump's
 * memory, as the debugger's "Loading Kernel Symbols" reads it. Each becomes a target module, so
 * the stack walker finds the images' unwind data and the symbols their exports.
 */
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "dump/kdmp/kdmp_internal.h"
#include "nt/kernel_names.h"
#include "nt/kmodules.h"

static int module_cmp(const void *a, const void *b)
{
    const struct target_module *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

/* The module name the debugger shows: "nt" for the kernel, else the file name less its extension. */
static const char *module_name(struct target *t, const struct nt_kmodule *m)
{
    const char *b = m->name[0] ? m->name : dd_path_basename(m->path);
    if (nt_kernel_file_name(b, strlen(b)))
        return "nt";
    const char *dot = strrchr(b, '.');
    return dd_arena_strndup(&t->arena, b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
}

void kdmp_target_add_kernel_modules(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    if (t->nmodules || f->triage.present || !f->space)
        return;
    struct nt_kernel_options opt = {.no_scan = true};
    struct nt_kernel k;
    struct nt_kmodule_list l = {0};
    if (dd_error_drop(nt_kernel_init(t, &opt, &k)) || dd_error_drop(nt_kmodules_list(&k, &l)))
        return;
    struct target_module *mods = l.count ? dd_arena_calloc(&t->arena, l.count, sizeof(*mods)) : NULL;
    size_t n = 0;
    for (size_t i = 0; mods && i < l.count; i++) {
        const struct nt_kmodule *m = &l.items[i];
        /* An entry without a base or size, or wrapping around, names no image. */
        if (!m->base || !m->size || m->base + m->size < m->base || (!m->name[0] && !m->path[0]))
            continue;
        struct target_module *tm = &mods[n];
        tm->base = m->base;
        tm->size = m->size;
        tm->timestamp = m->timestamp;
        tm->checksum = m->checksum;
        tm->path = dd_arena_strdup(&t->arena, m->path[0] ? m->path : m->name);
        tm->name = module_name(t, m);
        if (!tm->path || !tm->name)
            break;
        n++;
    }
    nt_kmodule_list_free(&l);
    if (!n)
        return;
    qsort(mods, n, sizeof(*mods), module_cmp);
    /* Overlapping images are not believed: the first of two keeps its range. */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (!kept || mods[i].base >= mods[kept - 1].base + mods[kept - 1].size)
            mods[kept++] = mods[i];
    t->modules = mods;
    t->nmodules = kept;
}
