/*
 * Finding UDTs by name: through the hash bucket of the name (microsoft-pdb tpi.cpp
 * TPI1::QueryTiForUDT), so only the records in that bucket are decoded; forward references are
 * resolved the same way; a wildcard listing (dt mod!*CLIP*) has to read every record.
 */
#include <string.h>

#include "base/fmt.h"
#include "pdb/tpi_internal.h"

/* UDT families that may name the same type: class/struct/interface, union, enum. */
static int udt_family(uint16_t leaf)
{
    switch (leaf) {
    case PDB_LF_UNION:
    case PDB_LF_UNION2:
        return 1;
    case PDB_LF_ENUM:
        return 2;
    default:
        return 0;
    }
}

/* Decodes a record met in a scan; one malformed record does not hide the others. */
static bool decode_or_skip(const struct pdb_type_record *rec, struct pdb_type *ret)
{
    struct dd_error *err = tpi_decode(rec, ret);
    if (!err)
        return true;
    dd_error_destroy(err);
    return false;
}

/* The best match so far: an exact-case definition wins over a case-insensitive one, and any
 * definition over a forward reference. */
struct name_match {
    const char *name;
    uint32_t exact_def, ci_def, exact_fwd, ci_fwd;
};

static void match_consider(struct name_match *m, const struct pdb_type *type)
{
    bool fwd = type->u.udt.props & PDB_PROP_FWDREF;
    if (strcmp(type->name, m->name) == 0) {
        uint32_t *slot = fwd ? &m->exact_fwd : &m->exact_def;
        if (!*slot)
            *slot = type->index;
    } else if (dd_strcasecmp(type->name, m->name) == 0) {
        uint32_t *slot = fwd ? &m->ci_fwd : &m->ci_def;
        if (!*slot)
            *slot = type->index;
    }
}

static uint32_t match_best(const struct name_match *m, bool allow_forward)
{
    if (m->exact_def)
        return m->exact_def;
    if (m->ci_def)
        return m->ci_def;
    if (!allow_forward)
        return 0;
    return m->exact_fwd ? m->exact_fwd : m->ci_fwd;
}

static struct dd_error *scan_match(void *ctx, const struct pdb_type_record *rec, bool *stop)
{
    struct name_match *m = ctx;
    if (!pdb_leaf_is_udt(rec->leaf))
        return NULL;
    struct pdb_type type;
    if (!decode_or_skip(rec, &type))
        return NULL;
    match_consider(m, &type);
    *stop = m->exact_def != 0;
    return NULL;
}

/* Looks NAME up in its hash bucket; fills M. False when there is no usable hash. */
static struct dd_error *bucket_match(struct pdb_types *t, const char *name, struct name_match *m,
                                     bool *ret_hashed)
{
    const uint32_t *items;
    uint32_t n;
    uint32_t bucket =
        t->hdr.num_buckets ? pdb_types_hash_name(name, strlen(name)) % t->hdr.num_buckets : 0;
    *ret_hashed = tpi_bucket(t, bucket, &items, &n);
    if (!*ret_hashed)
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        struct pdb_type_record rec;
        struct dd_error *err = pdb_types_record(t, items[i], &rec);
        if (err)
            return err;
        if (!pdb_leaf_is_udt(rec.leaf))
            continue;
        struct pdb_type type;
        t->stats.hash_candidates++;
        t->stats.records_decoded++;
        if (decode_or_skip(&rec, &type))
            match_consider(m, &type);
    }
    return NULL;
}

struct dd_error *pdb_types_find_by_name(struct pdb_types *t, const char *name, unsigned flags,
                                        uint32_t *ret)
{
    /* Hash adjusters name the record a writer chose among same-named definitions. */
    if (t->names) {
        for (uint32_t i = 0; i < t->adjusters_count; i++) {
            const char *s = t->names(t->names_ctx, t->adjusters[i].offset);
            uint32_t index = t->adjusters[i].index;
            if (s && strcmp(s, name) == 0 && index >= t->hdr.index_begin &&
                index < t->hdr.index_end) {
                *ret = index;
                return NULL;
            }
        }
    }
    struct name_match m = {name, 0, 0, 0, 0};
    bool hashed;
    struct dd_error *err = bucket_match(t, name, &m, &hashed);
    if (err)
        return err;
    uint32_t found = match_best(&m, false);
    /* Forward references are hashed by their bytes, not their name: only a scan finds them. */
    if (!found && (!hashed || (flags & (PDB_TYPES_FIND_SCAN | PDB_TYPES_FIND_FORWARD)))) {
        t->stats.full_scans++;
        if ((err = tpi_walk_all(t, scan_match, &m)))
            return err;
        found = match_best(&m, flags & PDB_TYPES_FIND_FORWARD);
    }
    if (!found)
        return dd_error_create(DD_ERR_NOT_FOUND, "no type named %s", name);
    *ret = found;
    return NULL;
}

/* Does TYPE define what the forward reference FWD names? */
static bool defines(const struct pdb_type *type, const struct pdb_type *fwd)
{
    if (!pdb_leaf_is_udt(type->leaf) || (type->u.udt.props & PDB_PROP_FWDREF) ||
        udt_family(type->leaf) != udt_family(fwd->leaf) || strcmp(type->name, fwd->name) != 0)
        return false;
    return !type->unique_name || !fwd->unique_name ||
           strcmp(type->unique_name, fwd->unique_name) == 0;
}

struct forward_scan {
    const struct pdb_type *fwd;
    uint32_t found;
};

static struct dd_error *scan_definition(void *ctx, const struct pdb_type_record *rec, bool *stop)
{
    struct forward_scan *s = ctx;
    if (!pdb_leaf_is_udt(rec->leaf))
        return NULL;
    struct pdb_type type;
    if (!decode_or_skip(rec, &type))
        return NULL;
    if (defines(&type, s->fwd)) {
        s->found = type.index;
        *stop = true;
    }
    return NULL;
}

struct dd_error *pdb_types_resolve_forward(struct pdb_types *t, uint32_t index, uint32_t *ret)
{
    struct pdb_type fwd;
    struct dd_error *err = pdb_types_get(t, index, &fwd);
    if (err)
        return err;
    if (!pdb_leaf_is_udt(fwd.leaf) || !(fwd.u.udt.props & PDB_PROP_FWDREF)) {
        *ret = index;
        return NULL;
    }
    /* The definition is hashed by its name, or by its unique name when it is scoped. */
    bool scoped = fwd.u.udt.props & PDB_PROP_SCOPED;
    const char *key = scoped && fwd.unique_name ? fwd.unique_name : fwd.name;
    const uint32_t *items;
    uint32_t n;
    uint32_t bucket =
        t->hdr.num_buckets ? pdb_types_hash_name(key, strlen(key)) % t->hdr.num_buckets : 0;
    if (tpi_bucket(t, bucket, &items, &n)) {
        for (uint32_t i = 0; i < n; i++) {
            if (items[i] == index)
                continue;
            struct pdb_type_record rec;
            struct pdb_type type;
            if ((err = pdb_types_record(t, items[i], &rec)))
                return err;
            if (!pdb_leaf_is_udt(rec.leaf))
                continue;
            t->stats.hash_candidates++;
            t->stats.records_decoded++;
            if (decode_or_skip(&rec, &type) && defines(&type, &fwd)) {
                *ret = type.index;
                return NULL;
            }
        }
        /* Definitions of anonymous tags are hashed by their bytes; all others were found above. */
        if (!strstr(fwd.name, "<unnamed-") && !strstr(fwd.name, "__unnamed") &&
            !strstr(fwd.name, "<anonymous-")) {
            *ret = index;
            return NULL;
        }
    }
    struct forward_scan s = {&fwd, 0};
    t->stats.full_scans++;
    if ((err = tpi_walk_all(t, scan_definition, &s)))
        return err;
    *ret = s.found ? s.found : index;
    return NULL;
}

struct scan_names {
    const char *pattern;
    unsigned flags;
    struct dd_error *(*fn)(void *ctx, const struct pdb_type *type);
    void *ctx;
    bool stopped;
};

static struct dd_error *scan_one(void *ctx, const struct pdb_type_record *rec, bool *stop)
{
    struct scan_names *s = ctx;
    if (!pdb_leaf_is_udt(rec->leaf))
        return NULL;
    struct pdb_type type;
    if (!decode_or_skip(rec, &type))
        return NULL;
    struct dd_error *err;
    if ((s->flags & PDB_TYPES_SCAN_DEFINITIONS) && (type.u.udt.props & PDB_PROP_FWDREF))
        return NULL;
    if (s->pattern && !dd_wildcard_match(s->pattern, type.name))
        return NULL;
    if ((err = s->fn(s->ctx, &type))) {
        *stop = true;
        s->stopped = true;
        return err == &dd_error_stop ? NULL : err;
    }
    return NULL;
}

struct dd_error *
pdb_types_scan_names(struct pdb_types *t, const char *pattern, unsigned flags,
                     struct dd_error *(*fn)(void *ctx, const struct pdb_type *type), void *ctx)
{
    struct scan_names s = {pattern, flags, fn, ctx, false};
    t->stats.full_scans++;
    return tpi_walk_all(t, scan_one, &s);
}
