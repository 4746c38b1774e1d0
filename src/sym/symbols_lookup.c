/* Symbol queries over every kind of symbol file: address -> name, name -> address, lines, `x`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "pdb/pdb.h"
#include "pe/pe_exports.h"
#include "pe/pe_image.h"
#include "sym/breakpad_sym.h"
#include "sym/symbols_internal.h"
#include "sym/undname.h"


/* Breakpad FUNC names carry the parameter list ("Foo::Bar(int) const"); WinDbg shows none. */
static void strip_params(char *name)
{
    size_t len = strlen(name);
    if (len >= 6 && strcmp(name + len - 6, " const") == 0)
        name[len -= 6] = '\0';
    if (len == 0 || name[len - 1] != ')')
        return;
    int depth = 0;
    for (size_t i = len; i-- > 0;) {
        if (name[i] == ')')
            depth++;
        else if (name[i] == '(' && --depth == 0) {
            /* "operator()" alone is a name, not a parameter list. */
            if (i >= 8 && strncmp(name + i - 8, "operator", 8) == 0 && i + 2 == len)
                return;
            if (i > 0)
                name[i] = '\0';
            return;
        }
    }
}

void symbols_display_name(const char *name, bool is_public, bool x86, char *buf, size_t len)
{
    if (!len)
        return;
    if (is_public) {
        char *u = NULL;
        if (!undname_public(name, x86 ? UNDNAME_X86 : 0, &u) && u) {
            snprintf(buf, len, "%s", u);
            free(u);
            return;
        }
    }
    snprintf(buf, len, "%s", name);
    if (!is_public)
        strip_params(buf);
}

static void hit_module_only(const struct target_module *m, size_t idx, uint64_t addr,
                            struct symbols_hit *ret)
{
    ret->module = idx;
    ret->has_name = false;
    ret->name[0] = '\0';
    ret->addr = m->base;
    ret->disp = addr - m->base;
}

struct dd_error *symbols_find_by_addr(struct symbols *s, uint64_t addr, struct symbols_hit *ret)
{
    const struct target_module *m = target_module_by_addr(s->target, addr);
    if (!m)
        return &dd_error_not_found;
    size_t idx = (size_t)(m - s->target->modules);
    symbols_module_load(s, idx);
    struct symbols_module *sm = &s->mods[idx];
    uint64_t rva64 = addr - m->base;
    uint32_t rva = rva64 > UINT32_MAX ? UINT32_MAX : (uint32_t)rva64;
    struct symbols_hit hit;
    hit_module_only(m, idx, addr, &hit);
    if (sm->pdb) {
        struct pdb_symbol sym;
        struct dd_error *err = pdb_find_symbol(sm->pdb, rva, &sym);
        if (!err) {
            symbols_display_name(sym.name, sym.source == PDB_SYMBOL_PUBLIC, s->x86, hit.name,
                                 sizeof(hit.name));
            hit.has_name = true;
            hit.addr = m->base + sym.rva;
        } else {
            dd_error_destroy(err);
        }
    } else if (sm->breakpad) {
        struct breakpad_symbol sym;
        struct dd_error *err = breakpad_sym_lookup(sm->breakpad, rva, &sym);
        if (!err) {
            char raw[1024];
            snprintf(raw, sizeof(raw), "%.*s", (int)sym.name_len, sym.name);
            symbols_display_name(raw, false, s->x86, hit.name, sizeof(hit.name));
            hit.has_name = true;
            hit.addr = m->base + sym.addr;
        } else {
            dd_error_destroy(err);
        }
    } else if (sm->isf) {
        const char *name = NULL;
        uint32_t sym_rva = 0;
        if (symbols_isf_find_by_rva(sm->isf, rva64, &name, &sym_rva)) {
            /* ISF names are the PDB's public names: undecorated as publics are. */
            symbols_display_name(name, true, s->x86, hit.name, sizeof(hit.name));
            hit.has_name = true;
            hit.addr = m->base + sym_rva;
        }
    } else if (sm->state == SYMBOLS_EXPORT) {
        struct pe_image *img = symbols_module_image(s, idx);
        const struct pe_exports *ex;
        const struct pe_export *e = NULL;
        if (img && !dd_error_drop(pe_exports_get(img, &ex)))
            e = pe_exports_find_by_rva(ex, rva);
        if (e) {
            if (e->name)
                snprintf(hit.name, sizeof(hit.name), "%s", e->name);
            else
                snprintf(hit.name, sizeof(hit.name), "Ordinal%u", e->ordinal);
            hit.has_name = true;
            hit.addr = m->base + e->rva;
        }
    }
    hit.disp = addr - hit.addr;
    *ret = hit;
    return NULL;
}

struct dd_error *symbols_find_line(struct symbols *s, uint64_t addr, struct symbols_line *ret)
{
    const struct target_module *m = target_module_by_addr(s->target, addr);
    if (!m)
        return &dd_error_not_found;
    size_t idx = (size_t)(m - s->target->modules);
    symbols_module_load(s, idx);
    struct symbols_module *sm = &s->mods[idx];
    uint64_t rva64 = addr - m->base;
    if (rva64 > UINT32_MAX)
        return &dd_error_not_found;
    if (sm->pdb) {
        struct pdb_line line;
        struct dd_error *err = pdb_find_line(sm->pdb, (uint32_t)rva64, &line);
        if (err)
            return err;
        snprintf(ret->file, sizeof(ret->file), "%s", line.file ? line.file : "");
        ret->line = line.line;
        ret->addr = m->base + line.rva;
        return NULL;
    }
    if (sm->breakpad) {
        struct breakpad_line line;
        struct dd_error *err = breakpad_sym_find_line(sm->breakpad, rva64, &line);
        if (err)
            return err;
        snprintf(ret->file, sizeof(ret->file), "%.*s", line.file ? (int)line.file_len : 0,
                 line.file ? line.file : "");
        ret->line = line.line;
        ret->addr = m->base + line.addr;
        return NULL;
    }
    return &dd_error_not_found;
}

/* A search by display name over every symbol of one module, for names no index holds. */
struct name_scan {
    const char *name;
    bool found;
    uint64_t addr;
};

static bool scan_cb(void *ctx, size_t module, const char *name, uint64_t addr, uint64_t size)
{
    struct name_scan *n = ctx;
    if (strcmp(name, n->name) != 0)
        return true;
    n->found = true;
    n->addr = addr;
    return false;
}

static struct dd_error *iterate_module(struct symbols *s, size_t idx, const char *pattern,
                                       bool (*fn)(void *, size_t, const char *, uint64_t, uint64_t),
                                       void *ctx, bool *stopped);

static bool module_find_name(struct symbols *s, size_t idx, const char *name, uint64_t *ret)
{
    symbols_module_load(s, idx);
    struct symbols_module *sm = &s->mods[idx];
    uint64_t base = s->target->modules[idx].base;
    if (sm->pdb) {
        struct pdb_proc proc;
        struct dd_error *err = pdb_find_proc_by_name(sm->pdb, name, &proc);
        if (!err) {
            *ret = base + proc.rva;
            return true;
        }
        dd_error_destroy(err);
        struct pdb_public pub;
        err = pdb_publics_find_by_name(sm->pdb, name, &pub);
        if (!err && pub.has_rva) {
            *ret = base + pub.rva;
            return true;
        }
        dd_error_destroy(err);
    } else if (sm->breakpad) {
        struct breakpad_symbol sym;
        struct dd_error *err = breakpad_sym_find_name(sm->breakpad, name, &sym);
        if (!err) {
            *ret = base + sym.addr;
            return true;
        }
        dd_error_destroy(err);
    } else if (sm->isf) {
        const struct target_module *m = &s->target->modules[idx];
        if (symbols_isf_find_by_name(sm->isf, name, m->base, m->size, ret))
            return true;
    } else if (sm->state == SYMBOLS_EXPORT) {
        struct pe_image *img = symbols_module_image(s, idx);
        const struct pe_exports *ex;
        const struct pe_export *e = NULL;
        if (img && !dd_error_drop(pe_exports_get(img, &ex)))
            e = pe_exports_find_by_name(ex, name);
        if (e && !e->forwarder) {
            *ret = base + e->rva;
            return true;
        }
        return false;
    } else {
        return false;
    }
    /* Undecorated public names and Breakpad names with parameter lists: scan by display name. */
    struct name_scan n = {name, false, 0};
    bool stopped = false;
    struct dd_error *err = iterate_module(s, idx, name, scan_cb, &n, &stopped);
    dd_error_destroy(err);
    if (n.found)
        *ret = n.addr;
    return n.found;
}

static long module_by_name(const struct target *t, const char *name, size_t len)
{
    for (size_t i = 0; i < t->nmodules; i++) {
        const char *mn = t->modules[i].name;
        if (mn && strlen(mn) == len && dd_strncasecmp(mn, name, len) == 0)
            return (long)i;
    }
    return -1;
}

struct dd_error *symbols_find_by_name(struct symbols *s, const char *name, uint64_t *ret)
{
    const char *bang = strchr(name, '!');
    if (bang) {
        long idx = module_by_name(s->target, name, (size_t)(bang - name));
        if (idx < 0 || !bang[1] || !module_find_name(s, (size_t)idx, bang + 1, ret))
            return &dd_error_not_found;
        return NULL;
    }
    for (size_t i = 0; i < s->target->nmodules; i++)
        if (module_find_name(s, i, name, ret))
            return NULL;
    return &dd_error_not_found;
}

struct iter_ctx {
    struct symbols *s;
    size_t module;
    uint64_t base;
    const char *pattern;
    bool (*fn)(void *, size_t, const char *, uint64_t, uint64_t);
    void *ctx;
    bool stopped;
};

static bool emit(struct iter_ctx *c, const char *raw, bool is_public, uint64_t rva, uint64_t size)
{
    char name[1024];
    symbols_display_name(raw, is_public, c->s->x86, name, sizeof(name));
    if (c->pattern && !dd_wildcard_match(c->pattern, name))
        return true;
    if (!c->fn(c->ctx, c->module, name, c->base + rva, size)) {
        c->stopped = true;
        return false;
    }
    return true;
}

static bool pdb_cb(void *ctx, const struct pdb_symbol *sym)
{
    return emit(ctx, sym->name, sym->source == PDB_SYMBOL_PUBLIC, sym->rva, sym->length);
}

static bool breakpad_cb(void *ctx, const struct breakpad_symbol *sym)
{
    char raw[1024];
    snprintf(raw, sizeof(raw), "%.*s", (int)sym->name_len, sym->name);
    return emit(ctx, raw, false, sym->addr, sym->size);
}

static int export_cb(void *ctx, const struct pe_export *e)
{
    if (!e->name || e->forwarder)
        return 1;
    return emit(ctx, e->name, false, e->rva, 0) ? 1 : 0;
}

static bool isf_cb(void *ctx, const char *name, uint32_t rva)
{
    return emit(ctx, name, true, rva, 0);
}

static struct dd_error *iterate_module(struct symbols *s, size_t idx, const char *pattern,
                                       bool (*fn)(void *, size_t, const char *, uint64_t, uint64_t),
                                       void *ctx, bool *stopped)
{
    symbols_module_load(s, idx);
    struct symbols_module *sm = &s->mods[idx];
    struct iter_ctx c = {s, idx, s->target->modules[idx].base, pattern, fn, ctx, false};
    struct dd_error *err = NULL;
    if (sm->pdb) {
        err = pdb_iterate_symbols(sm->pdb, NULL, pdb_cb, &c);
    } else if (sm->breakpad) {
        err = breakpad_sym_match(sm->breakpad, "*", breakpad_cb, &c);
    } else if (sm->isf) {
        symbols_isf_each(sm->isf, isf_cb, &c);
    } else if (sm->state == SYMBOLS_EXPORT) {
        struct pe_image *img = symbols_module_image(s, idx);
        const struct pe_exports *ex;
        if (img && !dd_error_drop(pe_exports_get(img, &ex)))
            pe_exports_each(ex, "*", export_cb, &c);
    }
    *stopped = c.stopped;
    return err;
}

struct dd_error *symbols_iterate(struct symbols *s, const char *module_pattern,
                                 const char *name_pattern,
                                 bool (*fn)(void *ctx, size_t module, const char *name,
                                            uint64_t addr, uint64_t size),
                                 void *ctx)
{
    for (size_t i = 0; i < s->target->nmodules; i++) {
        const char *mn = s->target->modules[i].name;
        if (module_pattern && !(mn && dd_wildcard_match(module_pattern, mn)))
            continue;
        bool stopped = false;
        struct dd_error *err = iterate_module(s, i, name_pattern, fn, ctx, &stopped);
        if (err)
            return err;
        if (stopped)
            break;
    }
    return NULL;
}
