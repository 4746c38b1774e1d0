/*
 * Field lists (LF_FIELDLIST): a sequence of member sub-records, each padded to 4 bytes with
 * LF_PAD0..LF_PAD15 bytes (0xf0 | n: skip n bytes), continued through LF_INDEX when a list would
 * pass 64 KB (cvinfo.h lfFieldList, lfIndex and the member leaves lfMember .. lfVFuncTab).
 */
#include <stdlib.h>
#include <string.h>

#include "pdb/tpi_internal.h"

/* CV_fldattr_t method properties that carry a vtable offset (cvinfo.h CV_methodprop_e). */
#define MPROP_INTRO 4
#define MPROP_PURE_INTRO 6

static struct dd_error *read_type_and_name(struct dd_cursor *c, bool pad, struct pdb_type_field *f)
{
    struct dd_error *err;
    if (pad && (err = dd_cursor_skip(c, 2)))
        return err;
    if ((err = dd_cursor_u32(c, &f->type)))
        return err;
    return tpi_read_string(c, &f->name);
}

/* A member whose type is an LF_BITFIELD: fill in position, length and the underlying type. */
static struct dd_error *resolve_bitfield(struct pdb_types *t, struct pdb_type_field *f)
{
    if (f->type < PDB_TYPE_FIRST_INDEX)
        return NULL;
    struct pdb_type_record rec;
    struct dd_error *err = pdb_types_record(t, f->type, &rec);
    if (err && err->code == DD_ERR_NOT_FOUND) { /* a type outside the stream: just not a bitfield */
        dd_error_destroy(err);
        return NULL;
    }
    if (err)
        return err;
    if (rec.leaf != PDB_LF_BITFIELD)
        return NULL;
    struct pdb_type type;
    if ((err = tpi_decode(&rec, &type)))
        return err;
    f->is_bitfield = true;
    f->bit_position = type.u.bitfield.position;
    f->bit_length = type.u.bitfield.length;
    f->bit_type = type.u.bitfield.type;
    return NULL;
}

static struct dd_error *read_field(struct pdb_types *t, struct dd_cursor *c, uint16_t leaf,
                                   struct pdb_type_field *f, uint32_t *continuation)
{
    struct dd_error *err;
    struct pdb_numeric num;
    uint32_t u32;
    f->leaf = leaf;
    f->name = "";
    f->vtable_offset = -1;
    switch (leaf) {
    case PDB_LF_MEMBER: /* lfMember: attr, index, offset, name */
        if ((err = dd_cursor_u16(c, &f->attributes)) || (err = dd_cursor_u32(c, &f->type)) ||
            (err = tpi_read_numeric(c, &num)) || (err = tpi_read_string(c, &f->name)))
            return err;
        f->offset = num.value;
        return resolve_bitfield(t, f);
    case PDB_LF_STMEMBER: /* lfSTMember: attr, index, name */
        f->is_static = true;
        if ((err = dd_cursor_u16(c, &f->attributes)))
            return err;
        return read_type_and_name(c, false, f);
    case PDB_LF_BCLASS:
    case PDB_LF_BINTERFACE: /* lfBClass: attr, index, offset */
        if ((err = dd_cursor_u16(c, &f->attributes)) || (err = dd_cursor_u32(c, &f->type)) ||
            (err = tpi_read_numeric(c, &num)))
            return err;
        f->offset = num.value;
        return NULL;
    case PDB_LF_VBCLASS:
    case PDB_LF_IVBCLASS: { /* lfVBClass: attr, index, vbptr, vbpoff, vbind */
        struct pdb_numeric vbind;
        if ((err = dd_cursor_u16(c, &f->attributes)) || (err = dd_cursor_u32(c, &f->type)) ||
            (err = dd_cursor_u32(c, &f->vbptr_type)) || (err = tpi_read_numeric(c, &num)) ||
            (err = tpi_read_numeric(c, &vbind)))
            return err;
        f->vbptr_offset = num.value;
        f->vbtable_index = vbind.value;
        return NULL;
    }
    case PDB_LF_ENUMERATE: /* lfEnumerate: attr, value, name */
        if ((err = dd_cursor_u16(c, &f->attributes)) || (err = tpi_read_numeric(c, &f->value)))
            return err;
        return tpi_read_string(c, &f->name);
    case PDB_LF_METHOD: /* lfMethod: count, mList, name */
        if ((err = dd_cursor_u16(c, &f->method_count)))
            return err;
        return read_type_and_name(c, false, f);
    case PDB_LF_ONEMETHOD: { /* lfOneMethod: attr, index, [vbaseoff], name */
        if ((err = dd_cursor_u16(c, &f->attributes)) || (err = dd_cursor_u32(c, &f->type)))
            return err;
        unsigned mprop = (f->attributes >> 2) & 7;
        if (mprop == MPROP_INTRO || mprop == MPROP_PURE_INTRO) {
            if ((err = dd_cursor_u32(c, &u32)))
                return err;
            f->vtable_offset = (int32_t)u32;
        }
        return tpi_read_string(c, &f->name);
    }
    case PDB_LF_NESTTYPE:  /* lfNestType: pad, index, name */
    case PDB_LF_FRIENDFCN: /* lfFriendFcn: pad, index, name */
        return read_type_and_name(c, true, f);
    case PDB_LF_NESTTYPEEX:   /* lfNestTypeEx: attr, index, name */
    case PDB_LF_MEMBERMODIFY: /* lfMemberModify: attr, index, name */
        if ((err = dd_cursor_u16(c, &f->attributes)))
            return err;
        return read_type_and_name(c, false, f);
    case PDB_LF_VFUNCTAB:  /* lfVFuncTab: pad, type */
    case PDB_LF_FRIENDCLS: /* lfFriendCls: pad, index */
        if ((err = dd_cursor_skip(c, 2)))
            return err;
        return dd_cursor_u32(c, &f->type);
    case PDB_LF_VFUNCOFF: /* lfVFuncOff: pad, type, offset */
        if ((err = dd_cursor_skip(c, 2)) || (err = dd_cursor_u32(c, &f->type)) ||
            (err = dd_cursor_u32(c, &u32)))
            return err;
        f->offset = u32;
        return NULL;
    case PDB_LF_INDEX: /* lfIndex: pad, index of the continuation list */
        if ((err = dd_cursor_skip(c, 2)) || (err = dd_cursor_u32(c, continuation)))
            return err;
        return NULL;
    default:
        /* The length of an unknown member is unknown, so the rest of the list cannot be read. */
        return dd_error_at(DD_ERR_FORMAT, c->base_offset + c->pos - 2,
                           "unknown field list member leaf 0x%04x", leaf);
    }
}

/* Walks one LF_FIELDLIST record; sets *continuation to its LF_INDEX target or leaves it 0. */
static struct dd_error *walk_list(struct pdb_types *t, const struct pdb_type_record *rec,
                                  struct dd_error *(*fn)(void *ctx,
                                                         const struct pdb_type_field *field),
                                  void *ctx, uint32_t *continuation, bool *stopped)
{
    struct dd_cursor c;
    dd_cursor_init(&c, rec->data, rec->size, 0, "field list");
    struct dd_error *err;
    while (dd_cursor_left(&c) > 0) {
        uint8_t b = c.data[c.pos];
        if (b >= 0xf0) { /* LF_PADn: n counts this byte too; 0xf0 alone still moves on */
            size_t n = b & 0x0f;
            if ((err = dd_cursor_skip(&c, n ? n : 1)))
                return err;
            continue;
        }
        uint16_t leaf;
        if ((err = dd_cursor_u16(&c, &leaf)))
            return err;
        struct pdb_type_field f;
        memset(&f, 0, sizeof(f));
        uint32_t next = 0;
        if ((err = read_field(t, &c, leaf, &f, &next)))
            return dd_error_wrap(err, "field list 0x%x", rec->index);
        if (leaf == PDB_LF_INDEX) {
            *continuation = next;
            continue;
        }
        if ((err = fn(ctx, &f))) {
            *stopped = true;
            return err == &dd_error_stop ? NULL : err;
        }
    }
    return NULL;
}

struct dd_error *
pdb_types_iterate_fields(struct pdb_types *t, uint32_t index,
                         struct dd_error *(*fn)(void *ctx, const struct pdb_type_field *field),
                         void *ctx)
{
    struct dd_error *err;
    struct pdb_type type;
    if ((err = pdb_types_get(t, index, &type)))
        return err;
    uint32_t list = index;
    if (pdb_leaf_is_udt(type.leaf)) {
        uint32_t def;
        if ((err = pdb_types_resolve_forward(t, index, &def)))
            return err;
        if (def != index && (err = pdb_types_get(t, def, &type)))
            return err;
        list = type.u.udt.field_list;
        if (list == 0) /* a forward reference without a definition: no fields */
            return NULL;
    } else if (type.leaf != PDB_LF_FIELDLIST) {
        return dd_error_create(DD_ERR_UNSUPPORTED, "type 0x%x (%s) has no field list", index,
                               pdb_leaf_name(type.leaf) ? pdb_leaf_name(type.leaf) : "unknown");
    }
    /* Continuations: remember every list visited, so a loop is an error, not a hang. */
    uint32_t seen[TPI_MAX_CONTINUATIONS];
    uint32_t nseen = 0;
    while (list != 0) {
        for (uint32_t i = 0; i < nseen; i++)
            if (seen[i] == list)
                return dd_error_create(DD_ERR_FORMAT, "field list 0x%x continues into itself",
                                       list);
        if (nseen == TPI_MAX_CONTINUATIONS)
            return dd_error_create(DD_ERR_FORMAT, "field list of 0x%x continues past %u records",
                                   index, TPI_MAX_CONTINUATIONS);
        seen[nseen++] = list;
        struct pdb_type_record rec;
        if ((err = pdb_types_record(t, list, &rec)))
            return err;
        if (rec.leaf != PDB_LF_FIELDLIST)
            return dd_error_create(DD_ERR_FORMAT, "type 0x%x is %s, not a field list", list,
                                   pdb_leaf_name(rec.leaf) ? pdb_leaf_name(rec.leaf) : "unknown");
        uint32_t next = 0;
        bool stopped = false;
        if ((err = walk_list(t, &rec, fn, ctx, &next, &stopped)) || stopped)
            return err;
        list = next;
    }
    return NULL;
}

struct enum_search {
    uint64_t value;
    uint64_t mask; /* the enum's size: -1 as a short is stored as 0xffff or as LF_SHORT -1 */
    const char *name;
};

static struct dd_error *match_enumerator(void *ctx, const struct pdb_type_field *f)
{
    struct enum_search *s = ctx;
    if (f->leaf != PDB_LF_ENUMERATE || ((f->value.value ^ s->value) & s->mask) != 0)
        return NULL;
    s->name = f->name;
    return &dd_error_stop;
}

struct dd_error *pdb_types_enum_name(struct pdb_types *t, uint32_t index, uint64_t value,
                                     const char **ret)
{
    struct enum_search s = {value, UINT64_MAX, NULL};
    uint64_t size = 0;
    struct dd_error *err = pdb_types_size_of(t, index, &size);
    if (err)
        dd_error_destroy(err); /* compare all 64 bits */
    else if (size > 0 && size < 8)
        s.mask = (UINT64_C(1) << (size * 8)) - 1;
    err = pdb_types_iterate_fields(t, index, match_enumerator, &s);
    if (err)
        return err;
    if (!s.name)
        return dd_error_create(DD_ERR_NOT_FOUND, "enum 0x%x has no enumerator 0x%llx", index,
                               (unsigned long long)value);
    *ret = s.name;
    return NULL;
}
