/*
 * Symbols as a debugger wants them: the name for an address (a procedure from the module streams
 * before a public, as dbghelp prefers private symbols) and the list for `x`.
 */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/fmt.h"
#include "pdb/pdb_internal.h"

struct dd_error *pdb_find_symbol(struct pdb *pdb, uint32_t rva, struct pdb_symbol *ret)
{
    struct pdb_proc proc;
    struct dd_error *err = pdb_find_proc(pdb, rva, &proc);
    if (!err) {
        memset(ret, 0, sizeof(*ret));
        ret->name = proc.name;
        ret->source = PDB_SYMBOL_PROC;
        ret->rva = proc.rva;
        ret->length = proc.length;
        ret->type_index = proc.type_index;
        ret->flags = proc.flags;
        ret->module = proc.module;
        return NULL;
    }
    /* No procedure (or its module is damaged): the publics still name the address. */
    dd_error_destroy(err);
    struct pdb_public pub;
    err = pdb_publics_find_by_rva(pdb, rva, &pub);
    if (err)
        return err;
    memset(ret, 0, sizeof(*ret));
    ret->name = pub.name;
    ret->source = PDB_SYMBOL_PUBLIC;
    ret->rva = pub.rva;
    ret->flags = pub.flags;
    ret->module = UINT32_MAX;
    return NULL;
}

struct sym_list {
    struct dd_arena arena;
    const char *pattern;
    struct pdb_symbol *v;
    size_t n, cap;
    bool oom;
};

static bool list_add(struct sym_list *l, const struct pdb_symbol *s)
{
    if (l->pattern && !dd_wildcard_match(l->pattern, s->name))
        return true;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct pdb_symbol *v = realloc(l->v, cap * sizeof(*v));
        if (!v) {
            l->oom = true;
            return false;
        }
        l->v = v;
        l->cap = cap;
    }
    struct pdb_symbol *d = &l->v[l->n];
    *d = *s;
    d->name = dd_arena_strdup(&l->arena, s->name);
    if (!d->name) {
        l->oom = true;
        return false;
    }
    l->n++;
    return true;
}

static bool add_proc(void *ctx, const struct pdb_proc *p)
{
    struct pdb_symbol s = {.name = p->name, .source = PDB_SYMBOL_PROC, .rva = p->rva,
                           .length = p->length, .type_index = p->type_index, .flags = p->flags,
                           .module = p->module};
    return list_add(ctx, &s);
}

static bool add_public(void *ctx, const struct pdb_public *p)
{
    if (!p->has_rva)
        return true;
    struct pdb_symbol s = {.name = p->name, .source = PDB_SYMBOL_PUBLIC, .rva = p->rva,
                           .flags = p->flags, .module = UINT32_MAX};
    return list_add(ctx, &s);
}

static bool add_global(void *ctx, const struct pdb_global *g)
{
    if ((g->kind != PDB_S_GDATA32 && g->kind != PDB_S_LDATA32) || !g->has_rva)
        return true;
    struct pdb_symbol s = {.name = g->name, .source = PDB_SYMBOL_DATA, .rva = g->rva,
                           .type_index = g->type_index, .module = UINT32_MAX};
    return list_add(ctx, &s);
}

static int sym_cmp(const void *a, const void *b)
{
    const struct pdb_symbol *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return (int)x->source - (int)y->source;
}

struct dd_error *pdb_iterate_symbols(struct pdb *pdb, const char *pattern,
                                     bool (*fn)(void *ctx, const struct pdb_symbol *sym),
                                     void *ctx)
{
    struct sym_list l;
    memset(&l, 0, sizeof(l));
    dd_arena_init(&l.arena);
    l.pattern = pattern;
    struct dd_error *err;
    /* A damaged module or a missing stream leaves out only what it holds. */
    for (uint32_t m = 0; m < pdb->nmodules && !l.oom; m++)
        dd_error_destroy(pdb_module_procs_iterate(pdb, m, add_proc, &l));
    if (!l.oom)
        dd_error_destroy(pdb_publics_iterate(pdb, add_public, &l));
    if (!l.oom)
        dd_error_destroy(pdb_globals_iterate(pdb, add_global, &l));
    err = l.oom ? &dd_error_no_memory : NULL;
    if (!err) {
        if (l.n > 1)
            qsort(l.v, l.n, sizeof(*l.v), sym_cmp);
        for (size_t i = 0; i < l.n; i++) {
            if (i > 0 && l.v[i].rva == l.v[i - 1].rva && strcmp(l.v[i].name, l.v[i - 1].name) == 0)
                continue; /* the same name at the same address from another source */
            if (!fn(ctx, &l.v[i]))
                break;
        }
    }
    free(l.v);
    dd_arena_deinit(&l.arena);
    return err;
}
