/*
 * Field offsets from a PDB's type stream (pdb/tpi.h): "TYPE.a.b" is found by looking TYPE up by
 * name, then each member in the field list of the type before it (MSVC lists the members of
 * anonymous unions and structs in the enclosing field list, so "_KTHREAD.State" is direct).
 */
#include "nt/layout.h"

#include <string.h>

#include "pdb/tpi.h"

#define PDB_PATH_MAX_DEPTH 16

struct member_probe {
    const char *name;
    bool found;
    struct pdb_type_field field;
};

static struct dd_error *member_cb(void *ctx, const struct pdb_type_field *f)
{
    struct member_probe *mp = ctx;
    if (f->leaf == PDB_LF_MEMBER && f->name && strcmp(f->name, mp->name) == 0) {
        mp->found = true;
        mp->field = *f;
        return &dd_error_stop;
    }
    return NULL;
}

static struct dd_error *lookup_one(struct pdb_types *types, const char *path,
                                   struct nt_layout_hit *ret)
{
    char buf[160];
    size_t len = strlen(path);
    if (len == 0 || len >= sizeof(buf))
        return dd_error_create(DD_ERR_SYNTAX, "bad type path \"%.100s\"", path);
    memcpy(buf, path, len + 1);
    char *part = strchr(buf, '.');
    if (part)
        *part++ = 0;
    uint32_t index;
    struct dd_error *err = pdb_types_find_by_name(types, buf, 0, &index);
    if (err)
        return err;
    struct nt_layout_hit h = {0};
    if (!part) {
        err = pdb_types_size_of(types, index, &h.offset);
        if (err)
            return err;
        h.width = h.offset;
        *ret = h;
        return NULL;
    }
    for (unsigned depth = 0; part; depth++) {
        if (depth >= PDB_PATH_MAX_DEPTH)
            return dd_error_create(DD_ERR_SYNTAX, "type path \"%.100s\" is too deep", path);
        char *next = strchr(part, '.');
        if (next)
            *next++ = 0;
        struct member_probe mp = {.name = part};
        err = pdb_types_iterate_fields(types, index, member_cb, &mp);
        if (err)
            return err;
        if (!mp.found)
            return dd_error_create(DD_ERR_NOT_FOUND, "no member %s in %.100s", part, path);
        if (h.offset + mp.field.offset < h.offset)
            return dd_error_create(DD_ERR_FORMAT, "member offsets overflow in %.100s", path);
        h.offset += mp.field.offset;
        if (!next) {
            uint32_t t = mp.field.is_bitfield ? mp.field.bit_type : mp.field.type;
            err = pdb_types_size_of(types, t, &h.width);
            if (err)
                return err;
            if (mp.field.is_bitfield) {
                h.bit_pos = mp.field.bit_position;
                h.bit_len = mp.field.bit_length;
            }
            break;
        }
        uint32_t under;
        err = pdb_types_underlying(types, mp.field.type, &under);
        if (err)
            return err;
        struct pdb_type ty;
        err = pdb_types_get(types, under, &ty);
        if (err)
            return err;
        if (!pdb_leaf_is_udt(ty.leaf) || ty.leaf == PDB_LF_ENUM)
            return dd_error_create(DD_ERR_NOT_FOUND, "member %s of %.100s is not a structure",
                                   part, path);
        index = under;
        part = next;
    }
    *ret = h;
    return NULL;
}

struct dd_error *nt_layout_pdb_lookup(struct pdb_types *types, const char *path,
                                      struct nt_layout_hit *ret)
{
    char one[160];
    const char *p = path;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == 0 || n >= sizeof(one))
            return dd_error_create(DD_ERR_SYNTAX, "bad type path \"%.100s\"", path);
        memcpy(one, p, n);
        one[n] = 0;
        struct dd_error *err = lookup_one(types, one, ret);
        if (!err || !bar)
            return err;
        dd_error_destroy(err);
        p = bar + 1;
    }
}
