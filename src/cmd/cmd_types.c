/*
 * Types by name over the modules' PDBs (dt, ??). A module's TPI stream is opened once per command
 * (its header and hash stream only) and closed when the command ends.
 */
#include "cmd/cmd_types.h"

#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "pdb/pdb.h"

struct dd_error *cmd_types_init(struct cmd_types *c, struct session *s)
{
    memset(c, 0, sizeof(*c));
    c->s = s;
    size_t n = s->target ? s->target->nmodules : 0;
    if (n == 0)
        return NULL;
    c->open = calloc(n, sizeof(*c->open));
    c->tried = calloc(n, 1);
    c->borrowed = calloc(n, 1);
    if (!c->open || !c->tried || !c->borrowed) {
        free(c->open);
        free(c->tried);
        free(c->borrowed);
        memset(c, 0, sizeof(*c));
        return &dd_error_no_memory;
    }
    c->count = n;
    return NULL;
}

void cmd_types_deinit(struct cmd_types *c)
{
    for (size_t i = 0; i < c->count; i++)
        if (!c->borrowed[i])
            pdb_types_destroy(c->open[i]);
    free(c->open);
    free(c->tried);
    free(c->borrowed);
    memset(c, 0, sizeof(*c));
}

struct pdb_types *cmd_types_module(struct cmd_types *c, size_t idx)
{
    if (idx >= c->count || !c->s->syms)
        return NULL;
    if (c->tried[idx])
        return c->open[idx];
    c->tried[idx] = 1;
    struct pdb *pdb = symbols_module_pdb(c->s->syms, idx);
    if (!pdb) {
        /* The kernel without its PDB: an ISF file's types, kept by the symbol layer. */
        c->open[idx] = symbols_module_isf_types(c->s->syms, idx);
        c->borrowed[idx] = 1;
        return c->open[idx];
    }
    struct pdb_types *types = NULL;
    struct dd_error *err = pdb_types_open(pdb_msf(pdb), PDB_TYPES_TPI, &types);
    if (err) {
        dd_error_destroy(err);
        return NULL;
    }
    c->open[idx] = types;
    return types;
}

struct dd_error *cmd_types_find(struct cmd_types *c, const char *module, const char *name,
                                struct cmd_types_hit *ret)
{
    const struct target *t = c->s->target;
    for (size_t i = 0; i < c->count; i++) {
        if (module && module[0] &&
            (!t->modules[i].name || !dd_wildcard_match(module, t->modules[i].name)))
            continue;
        struct pdb_types *types = cmd_types_module(c, i);
        if (!types)
            continue;
        uint32_t index = 0;
        struct dd_error *err = pdb_types_find_by_name(types, name, 0, &index);
        if (err && err->code == DD_ERR_NOT_FOUND) {
            dd_error_destroy(err);
            continue;
        }
        if (err)
            return err;
        ret->module = i;
        ret->types = types;
        ret->index = index;
        return NULL;
    }
    return dd_error_create(DD_ERR_NOT_FOUND, "type %s%s%s not found", module ? module : "",
                           module && module[0] ? "!" : "", name);
}

struct var_probe {
    bool found;
    uint32_t type_index;
    uint32_t rva;
};

static bool var_cb(void *ctx, const struct pdb_global *g)
{
    struct var_probe *vp = ctx;
    if ((g->kind != PDB_S_GDATA32 && g->kind != PDB_S_LDATA32) || !g->has_rva)
        return true;
    vp->found = true;
    vp->type_index = g->type_index;
    vp->rva = g->rva;
    return false;
}

struct dd_error *cmd_types_find_var(struct cmd_types *c, const char *module, const char *name,
                                    struct cmd_types_var *ret)
{
    const struct target *t = c->s->target;
    for (size_t i = 0; i < c->count && c->s->syms; i++) {
        if (module && module[0] &&
            (!t->modules[i].name || !dd_wildcard_match(module, t->modules[i].name)))
            continue;
        struct pdb *pdb = symbols_module_pdb(c->s->syms, i);
        if (!pdb)
            continue;
        struct var_probe vp = {false, 0, 0};
        dd_error_destroy(pdb_globals_find_by_name(pdb, name, var_cb, &vp));
        if (!vp.found)
            continue;
        ret->module = i;
        ret->types = cmd_types_module(c, i);
        ret->type_index = vp.type_index;
        ret->addr = t->modules[i].base + vp.rva;
        return NULL;
    }
    return dd_error_create(DD_ERR_NOT_FOUND, "symbol %s%s%s not found", module ? module : "",
                           module && module[0] ? "!" : "", name);
}

/* Base classes nest at most this deep (hostile records could cycle). */
#define TYPES_MAX_BASES 8

struct member_probe {
    struct pdb_types *types;
    const char *name;
    bool wildcard;
    unsigned depth;
    bool found;
    struct cmd_types_member hit;
};

static struct dd_error *member_cb(void *ctx, const struct pdb_type_field *f)
{
    struct member_probe *mp = ctx;
    if ((f->leaf == PDB_LF_BCLASS || f->leaf == PDB_LF_BINTERFACE) && mp->depth < TYPES_MAX_BASES) {
        struct member_probe inner = *mp;
        inner.depth++;
        dd_error_destroy(pdb_types_iterate_fields(mp->types, f->type, member_cb, &inner));
        if (!inner.found)
            return NULL;
        mp->found = true;
        mp->hit = inner.hit;
        mp->hit.offset += f->offset;
        return &dd_error_stop;
    }
    if (f->leaf != PDB_LF_MEMBER)
        return NULL;
    if (mp->wildcard ? !dd_wildcard_match(mp->name, f->name) : strcmp(mp->name, f->name) != 0)
        return NULL;
    mp->found = true;
    mp->hit.field = *f;
    mp->hit.offset = f->offset;
    return &dd_error_stop;
}

struct dd_error *cmd_types_member_find(struct pdb_types *types, uint32_t index, const char *name,
                                       bool wildcard, struct cmd_types_member *ret)
{
    struct member_probe mp;
    memset(&mp, 0, sizeof(mp));
    mp.types = types;
    mp.name = name;
    mp.wildcard = wildcard;
    struct dd_error *err = pdb_types_iterate_fields(types, index, member_cb, &mp);
    if (err)
        return err;
    if (!mp.found)
        return dd_error_create(DD_ERR_NOT_FOUND, "no member %s", name);
    *ret = mp.hit;
    return NULL;
}

bool cmd_types_symbolize(void *ctx, uint64_t addr, char *buf, size_t len)
{
    struct cmd_types *c = ctx;
    return session_symbolize(c->s, addr, buf, len);
}

bool cmd_types_static_addr(void *ctx, const char *qualified, uint64_t *ret)
{
    struct cmd_types_var v;
    if (dd_error_drop(cmd_types_find_var(ctx, NULL, qualified, &v)))
        return false;
    *ret = v.addr;
    return true;
}
