/*
 * The globals stream (its number is the DBI header's GlobalStreamIndex): a GSI hash alone (see
 * pdb_gsi.c) over records in the symbol record stream: S_PROCREF/S_LPROCREF {u32 SumName,
 * u32 ibSym (offset in the module's stream), u16 imod (1-based), name}, S_GDATA32/S_LDATA32 and
 * the thread-local kinds {u32 type, u32 offset, u16 segment, name}, S_UDT {u32 type, name},
 * S_CONSTANT {u32 type, numeric leaf, name} (cvinfo.h).
 */
#include <string.h>

#include "pdb/pdb_internal.h"

#define WHAT "PDB globals stream"
/* More record kinds that share the layouts above (cvinfo.h). */
#define S_COBOLUDT 0x1109u
#define S_LMANDATA 0x111cu
#define S_GMANDATA 0x111du
#define S_ANNOTATIONREF 0x1128u
#define S_MANCONSTANT 0x112du

static struct dd_error *globals_ready(struct pdb *pdb)
{
    struct pdb_gsi *g = &pdb->globals_gsi;
    if (g->state == PDB_LAZY_NO) {
        g->state = PDB_LAZY_FAILED;
        struct dd_error *err = NULL;
        struct msf_stream s;
        if (!pdb->has_dbi || pdb->dbi.global_stream == PDB_NO_STREAM)
            err = dd_error_create(DD_ERR_NOT_FOUND, "no globals stream");
        if (!err)
            err = msf_stream_get(pdb->msf, pdb->dbi.global_stream, &s);
        if (!err)
            err = pdb_gsi_load(pdb, g, s.index, 0, s.size, WHAT);
        if (!err)
            err = pdb_symrec_open(pdb);
        if (!err)
            err = pdb_sections_ready(pdb);
        if (err) {
            g->error = dd_error_wrap(err, "%s", pdb->name);
            return dd_error_create(g->error->code, "%s", g->error->message);
        }
        g->state = PDB_LAZY_OK;
    }
    if (g->state != PDB_LAZY_OK)
        return dd_error_create(g->error->code, "%s", g->error->message);
    return NULL;
}

/* Decodes the record at OFF; false when it is damaged or of a kind without a name. */
static bool decode_global(struct pdb *pdb, uint32_t off, struct pdb_global *ret)
{
    uint16_t kind = 0;
    uint32_t len = 0;
    const uint8_t *d = NULL;
    struct dd_error *err = pdb_symrec_read(pdb, off, &kind, &len, &d);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    memset(ret, 0, sizeof(*ret));
    ret->kind = kind;
    ret->record_offset = off;
    uint32_t name_at = 0, size = 0;
    switch (kind) {
    case PDB_S_PROCREF:
    case PDB_S_LPROCREF:
    case PDB_S_DATAREF:
    case S_ANNOTATIONREF:
        if (len < 10)
            return false;
        ret->module_offset = dd_le32(d + 4);
        ret->module = dd_le16(d + 8) - 1u; /* 1-based on disk */
        name_at = 10;
        break;
    case PDB_S_GDATA32:
    case PDB_S_LDATA32:
    case PDB_S_GTHREAD32:
    case PDB_S_LTHREAD32:
    case S_GMANDATA:
    case S_LMANDATA:
        if (len < 10)
            return false;
        ret->type_index = dd_le32(d);
        ret->offset = dd_le32(d + 4);
        ret->segment = dd_le16(d + 8);
        name_at = 10;
        if (kind != PDB_S_GTHREAD32 && kind != PDB_S_LTHREAD32) {
            uint32_t src = 0;
            struct dd_error *e2 = pdb_addr_to_src(pdb, ret->segment, ret->offset, &src);
            ret->has_rva = !e2 && pdb_src_to_rva(pdb, src, &ret->rva);
            dd_error_destroy(e2);
        }
        break;
    case PDB_S_UDT:
    case S_COBOLUDT:
        if (len < 4)
            return false;
        ret->type_index = dd_le32(d);
        name_at = 4;
        break;
    case PDB_S_CONSTANT:
    case S_MANCONSTANT:
        if (len < 4 || !pdb_numeric_skip(d + 4, len - 4, &size))
            return false;
        ret->type_index = dd_le32(d);
        name_at = 4 + size;
        break;
    default:
        return false;
    }
    if (name_at > len)
        return false;
    ret->name = (const char *)d + name_at;
    if (!ret->has_rva)
        ret->rva = 0;
    return true;
}

struct global_walk {
    struct pdb *pdb;
    const char *name;
    bool (*fn)(void *ctx, const struct pdb_global *g);
    void *ctx;
    bool found;
};

static bool global_visit(void *ctx, uint32_t off)
{
    struct global_walk *w = ctx;
    struct pdb_global g;
    if (!decode_global(w->pdb, off, &g))
        return true;
    if (w->name && strcmp(g.name, w->name) != 0)
        return true;
    w->found = true;
    return w->fn(w->ctx, &g);
}

struct dd_error *pdb_globals_find_by_name(struct pdb *pdb, const char *name,
                                          bool (*fn)(void *ctx, const struct pdb_global *g),
                                          void *ctx)
{
    struct dd_error *err = globals_ready(pdb);
    if (err)
        return err;
    struct global_walk w = {pdb, name, fn, ctx, false};
    err = pdb_gsi_walk(pdb, &pdb->globals_gsi, name, global_visit, &w);
    if (err)
        return dd_error_wrap(err, "%s", pdb->name);
    if (!w.found)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "no global named \"%s\"", name);
    return NULL;
}

struct dd_error *pdb_globals_iterate(struct pdb *pdb,
                                     bool (*fn)(void *ctx, const struct pdb_global *g), void *ctx)
{
    struct dd_error *err = globals_ready(pdb);
    if (err)
        return err;
    struct global_walk w = {pdb, NULL, fn, ctx, false};
    err = pdb_gsi_walk(pdb, &pdb->globals_gsi, NULL, global_visit, &w);
    return err ? dd_error_wrap(err, "%s", pdb->name) : NULL;
}
