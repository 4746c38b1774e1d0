/*
 * Leaf decoding: one type record into struct pdb_type, and field lists entry by entry. Layouts are
 * cvinfo.h's lf* structs; every field is read through a bounded cursor over the record body.
 */
#include <string.h>

#include "pdb/tpi_internal.h"

/* Numeric leaf kinds (cvinfo.h LF_NUMERIC and following). */
enum {
    LF_CHAR = 0x8000,
    LF_SHORT,
    LF_USHORT,
    LF_LONG,
    LF_ULONG,
    LF_REAL32,
    LF_REAL64,
    LF_REAL80,
    LF_REAL128,
    LF_QUADWORD,
    LF_UQUADWORD,
    LF_REAL48,
    LF_COMPLEX32,
    LF_COMPLEX64,
    LF_COMPLEX80,
    LF_COMPLEX128,
    LF_VARSTRING,
    LF_OCTWORD = 0x8017,
    LF_UOCTWORD,
    LF_DECIMAL,
    LF_DATE,
    LF_UTF8STRING,
    LF_REAL16,
};

struct dd_error *tpi_read_numeric(struct dd_cursor *c, struct pdb_numeric *ret)
{
    uint16_t leaf;
    struct dd_error *err = dd_cursor_u16(c, &leaf);
    if (err)
        return err;
    struct pdb_numeric n = {leaf, false, true};
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    size_t skip = 0;
    if (leaf < LF_CHAR) {
        *ret = n;
        return NULL;
    }
    switch (leaf) {
    case LF_CHAR:
        if ((err = dd_cursor_u8(c, &u8)))
            return err;
        n.value = (uint64_t)(int64_t)(int8_t)u8;
        n.is_signed = true;
        break;
    case LF_SHORT:
    case LF_USHORT:
        if ((err = dd_cursor_u16(c, &u16)))
            return err;
        n.value = leaf == LF_SHORT ? (uint64_t)(int64_t)(int16_t)u16 : u16;
        n.is_signed = leaf == LF_SHORT;
        break;
    case LF_LONG:
    case LF_ULONG:
        if ((err = dd_cursor_u32(c, &u32)))
            return err;
        n.value = leaf == LF_LONG ? (uint64_t)(int64_t)(int32_t)u32 : u32;
        n.is_signed = leaf == LF_LONG;
        break;
    case LF_QUADWORD:
    case LF_UQUADWORD:
        if ((err = dd_cursor_u64(c, &u64)))
            return err;
        n.value = u64;
        n.is_signed = leaf == LF_QUADWORD;
        break;
    case LF_OCTWORD:
    case LF_UOCTWORD: /* the low 64 bits are all a debugger can show */
        if ((err = dd_cursor_u64(c, &u64)) || (err = dd_cursor_skip(c, 8)))
            return err;
        n.value = u64;
        n.is_signed = leaf == LF_OCTWORD;
        break;
    case LF_REAL16:
        skip = 2;
        break;
    case LF_REAL32:
        skip = 4;
        break;
    case LF_REAL48:
        skip = 6;
        break;
    case LF_REAL64:
    case LF_COMPLEX32:
    case LF_DATE:
        skip = 8;
        break;
    case LF_REAL80:
        skip = 10;
        break;
    case LF_REAL128:
    case LF_COMPLEX64:
    case LF_DECIMAL:
        skip = 16;
        break;
    case LF_COMPLEX80:
        skip = 20;
        break;
    case LF_COMPLEX128:
        skip = 32;
        break;
    case LF_VARSTRING:
        if ((err = dd_cursor_u16(c, &u16)))
            return err;
        skip = u16;
        break;
    case LF_UTF8STRING: {
        const char *s;
        if ((err = tpi_read_string(c, &s)))
            return err;
        break;
    }
    default:
        return dd_error_at(DD_ERR_FORMAT, c->base_offset + c->pos - 2,
                           "unknown numeric leaf 0x%04x", leaf);
    }
    if (skip) {
        if ((err = dd_cursor_skip(c, skip)))
            return err;
        n.value = 0;
        n.is_integer = false;
    } else if (leaf == LF_UTF8STRING) {
        n.value = 0;
        n.is_integer = false;
    }
    *ret = n;
    return NULL;
}

struct dd_error *tpi_read_string(struct dd_cursor *c, const char **ret)
{
    const uint8_t *p = c->data + c->pos;
    const uint8_t *nul = memchr(p, 0, dd_cursor_left(c));
    if (!nul)
        return dd_error_at(DD_ERR_FORMAT, c->base_offset + c->pos,
                           "%s: name is not NUL-terminated inside its record",
                           c->what ? c->what : "type record");
    c->pos += (size_t)(nul - p) + 1;
    *ret = (const char *)p;
    return NULL;
}

bool pdb_leaf_is_udt(uint16_t leaf)
{
    switch (leaf) {
    case PDB_LF_CLASS:
    case PDB_LF_STRUCTURE:
    case PDB_LF_INTERFACE:
    case PDB_LF_UNION:
    case PDB_LF_ENUM:
    case PDB_LF_CLASS2:
    case PDB_LF_STRUCTURE2:
    case PDB_LF_INTERFACE2:
    case PDB_LF_UNION2:
        return true;
    default:
        return false;
    }
}

/* The UDT name and, when CV_prop_t says so, the unique (decorated) name after it. */
static struct dd_error *read_udt_names(struct dd_cursor *c, struct pdb_type *t)
{
    struct dd_error *err = tpi_read_string(c, &t->name);
    if (err)
        return err;
    if ((t->u.udt.props & PDB_PROP_UNIQUE_NAME) && dd_cursor_left(c) > 0 &&
        (err = tpi_read_string(c, &t->unique_name)))
        return err;
    return NULL;
}

static struct dd_error *decode_udt(struct dd_cursor *c, uint16_t leaf, struct pdb_type *t)
{
    struct dd_error *err;
    uint16_t count, props16;
    uint32_t props32;
    struct pdb_numeric size = {0};
    switch (leaf) {
    case PDB_LF_CLASS:
    case PDB_LF_STRUCTURE:
    case PDB_LF_INTERFACE: /* lfClass */
        if ((err = dd_cursor_u16(c, &count)) || (err = dd_cursor_u16(c, &props16)) ||
            (err = dd_cursor_u32(c, &t->u.udt.field_list)) ||
            (err = dd_cursor_u32(c, &t->u.udt.derived)) ||
            (err = dd_cursor_u32(c, &t->u.udt.vshape)) || (err = tpi_read_numeric(c, &size)))
            return err;
        t->u.udt.count = count;
        t->u.udt.props = props16;
        break;
    case PDB_LF_UNION: /* lfUnion */
        if ((err = dd_cursor_u16(c, &count)) || (err = dd_cursor_u16(c, &props16)) ||
            (err = dd_cursor_u32(c, &t->u.udt.field_list)) || (err = tpi_read_numeric(c, &size)))
            return err;
        t->u.udt.count = count;
        t->u.udt.props = props16;
        break;
    case PDB_LF_ENUM: /* lfEnum */
        if ((err = dd_cursor_u16(c, &count)) || (err = dd_cursor_u16(c, &props16)) ||
            (err = dd_cursor_u32(c, &t->u.udt.underlying)) ||
            (err = dd_cursor_u32(c, &t->u.udt.field_list)))
            return err;
        t->u.udt.count = count;
        t->u.udt.props = props16;
        break;
    case PDB_LF_CLASS2:
    case PDB_LF_STRUCTURE2:
    case PDB_LF_INTERFACE2:
        /* lfClass2: a 32-bit property first (microsoft-pdb issue #50). */
        if ((err = dd_cursor_u32(c, &props32)) || (err = dd_cursor_u32(c, &t->u.udt.field_list)) ||
            (err = dd_cursor_u32(c, &t->u.udt.derived)) ||
            (err = dd_cursor_u32(c, &t->u.udt.vshape)) || (err = dd_cursor_u16(c, &count)) ||
            (err = tpi_read_numeric(c, &size)))
            return err;
        t->u.udt.count = count;
        t->u.udt.props = props32;
        break;
    default: /* PDB_LF_UNION2: lfUnion2 */
        if ((err = dd_cursor_u32(c, &props32)) || (err = dd_cursor_u32(c, &t->u.udt.field_list)) ||
            (err = dd_cursor_u16(c, &count)) || (err = tpi_read_numeric(c, &size)))
            return err;
        t->u.udt.count = count;
        t->u.udt.props = props32;
        break;
    }
    t->u.udt.size = size.value;
    return read_udt_names(c, t);
}

static struct dd_error *decode_pointer(struct dd_cursor *c, struct pdb_type *t)
{
    uint32_t attr;
    struct dd_error *err;
    if ((err = dd_cursor_u32(c, &t->u.pointer.referent)) || (err = dd_cursor_u32(c, &attr)))
        return err;
    /* lfPointerAttr: ptrtype 0-4, ptrmode 5-7, isflat32 8, volatile 9, const 10, unaligned 11,
     * restrict 12, size 13-18. */
    t->u.pointer.attributes = attr;
    t->u.pointer.ptr_kind = attr & 0x1f;
    t->u.pointer.mode = (attr >> 5) & 0x7;
    t->u.pointer.is_volatile = (attr >> 9) & 1;
    t->u.pointer.is_const = (attr >> 10) & 1;
    t->u.pointer.is_unaligned = (attr >> 11) & 1;
    t->u.pointer.is_restrict = (attr >> 12) & 1;
    uint8_t size = (attr >> 13) & 0x3f;
    if (size == 0) /* older writers leave the size out: take it from the kind (CV_ptrtype_e) */
        size = t->u.pointer.ptr_kind == 0x0c ? 8 : t->u.pointer.ptr_kind == 0x0d ? 16 : 4;
    t->u.pointer.size = size;
    if ((t->u.pointer.mode == PDB_PTR_MODE_DATA_MEMBER ||
         t->u.pointer.mode == PDB_PTR_MODE_MEMBER_FUNCTION) &&
        dd_cursor_left(c) >= 6) {
        if ((err = dd_cursor_u32(c, &t->u.pointer.member_class)) ||
            (err = dd_cursor_u16(c, &t->u.pointer.member_repr)))
            return err;
    }
    return NULL;
}

static struct dd_error *decode_proc(struct dd_cursor *c, uint16_t leaf, struct pdb_type *t)
{
    struct dd_error *err;
    uint32_t adjust = 0;
    if ((err = dd_cursor_u32(c, &t->u.proc.return_type)))
        return err;
    if (leaf == PDB_LF_MFUNCTION && ((err = dd_cursor_u32(c, &t->u.proc.class_type)) ||
                                     (err = dd_cursor_u32(c, &t->u.proc.this_type))))
        return err;
    if ((err = dd_cursor_u8(c, &t->u.proc.call_conv)) ||
        (err = dd_cursor_u8(c, &t->u.proc.func_attrs)) ||
        (err = dd_cursor_u16(c, &t->u.proc.param_count)) ||
        (err = dd_cursor_u32(c, &t->u.proc.arg_list)))
        return err;
    if (leaf == PDB_LF_MFUNCTION && (err = dd_cursor_u32(c, &adjust)))
        return err;
    t->u.proc.this_adjust = (int32_t)adjust;
    return NULL;
}

/* LF_ARGLIST/LF_SUBSTR_LIST: u32 count; LF_BUILDINFO: u16 count; then u32 indices. */
static struct dd_error *decode_list(struct dd_cursor *c, bool count16, struct pdb_type *t)
{
    struct dd_error *err;
    uint32_t count;
    uint16_t count_short;
    if (count16) {
        if ((err = dd_cursor_u16(c, &count_short)))
            return err;
        count = count_short;
    } else if ((err = dd_cursor_u32(c, &count))) {
        return err;
    }
    if (count > dd_cursor_left(c) / 4)
        return dd_error_at(DD_ERR_FORMAT, c->base_offset, "%u list items do not fit in %zu bytes",
                           count, dd_cursor_left(c));
    t->u.list.count = count;
    return dd_cursor_bytes(c, (size_t)count * 4, &t->u.list.items);
}

static struct dd_error *decode_body(struct dd_cursor *c, uint16_t leaf, struct pdb_type *t)
{
    struct dd_error *err;
    struct pdb_numeric size;
    uint32_t u32;
    if (pdb_leaf_is_udt(leaf))
        return decode_udt(c, leaf, t);
    switch (leaf) {
    case PDB_LF_MODIFIER:
        if ((err = dd_cursor_u32(c, &t->u.modifier.type)) ||
            (err = dd_cursor_u16(c, &t->u.modifier.flags)))
            return err;
        return NULL;
    case PDB_LF_POINTER:
        return decode_pointer(c, t);
    case PDB_LF_PROCEDURE:
    case PDB_LF_MFUNCTION:
        return decode_proc(c, leaf, t);
    case PDB_LF_ARGLIST:
    case PDB_LF_SUBSTR_LIST:
        return decode_list(c, false, t);
    case PDB_LF_BUILDINFO:
        return decode_list(c, true, t);
    case PDB_LF_ARRAY:
        if ((err = dd_cursor_u32(c, &t->u.array.element)) ||
            (err = dd_cursor_u32(c, &t->u.array.index_type)) || (err = tpi_read_numeric(c, &size)))
            return err;
        t->u.array.size = size.value;
        /* The name is optional in practice: some writers end the record after the size. */
        return dd_cursor_left(c) > 0 ? tpi_read_string(c, &t->name) : NULL;
    case PDB_LF_BITFIELD:
        if ((err = dd_cursor_u32(c, &t->u.bitfield.type)) ||
            (err = dd_cursor_u8(c, &t->u.bitfield.length)) ||
            (err = dd_cursor_u8(c, &t->u.bitfield.position)))
            return err;
        return NULL;
    case PDB_LF_VTSHAPE:
        return dd_cursor_u16(c, &t->u.vtshape.count);
    case PDB_LF_ALIAS:
        if ((err = dd_cursor_u32(c, &t->u.alias.type)))
            return err;
        return tpi_read_string(c, &t->name);
    case PDB_LF_FUNC_ID:
    case PDB_LF_MFUNC_ID:
        if ((err = dd_cursor_u32(c, &t->u.func_id.scope)) ||
            (err = dd_cursor_u32(c, &t->u.func_id.type)))
            return err;
        return tpi_read_string(c, &t->name);
    case PDB_LF_STRING_ID:
        if ((err = dd_cursor_u32(c, &t->u.string_id.substrings)))
            return err;
        return tpi_read_string(c, &t->name);
    case PDB_LF_UDT_SRC_LINE:
    case PDB_LF_UDT_MOD_SRC_LINE:
        if ((err = dd_cursor_u32(c, &t->u.udt_src_line.udt)) ||
            (err = dd_cursor_u32(c, &t->u.udt_src_line.source)) || (err = dd_cursor_u32(c, &u32)))
            return err;
        t->u.udt_src_line.line = u32;
        if (leaf == PDB_LF_UDT_MOD_SRC_LINE)
            return dd_cursor_u16(c, &t->u.udt_src_line.module);
        return NULL;
    default: /* field lists, method lists and rarer leaves: raw bytes only */
        return NULL;
    }
}

struct dd_error *tpi_decode(const struct pdb_type_record *rec, struct pdb_type *ret)
{
    struct pdb_type t;
    memset(&t, 0, sizeof(t));
    t.index = rec->index;
    t.leaf = rec->leaf;
    t.name = "";
    struct dd_cursor c;
    dd_cursor_init(&c, rec->data, rec->size, 0, "type record");
    struct dd_error *err = decode_body(&c, rec->leaf, &t);
    if (err) {
        const char *leaf = pdb_leaf_name(rec->leaf);
        return dd_error_wrap(err, "type 0x%x (%s, %u bytes at record offset 0x%x)", rec->index,
                             leaf ? leaf : "unknown leaf", rec->size, rec->offset);
    }
    *ret = t;
    return NULL;
}

struct dd_error *pdb_types_get(struct pdb_types *types, uint32_t index, struct pdb_type *ret)
{
    if (index < PDB_TYPE_FIRST_INDEX) {
        struct pdb_type t;
        memset(&t, 0, sizeof(t));
        t.index = index;
        t.leaf = PDB_LF_PRIMITIVE;
        t.name = "";
        t.u.primitive.kind = index & 0xff;
        t.u.primitive.mode = (index >> 8) & 0xf;
        *ret = t;
        return NULL;
    }
    struct pdb_type_record rec;
    struct dd_error *err = pdb_types_record(types, index, &rec);
    if (err)
        return err;
    types->stats.records_decoded++;
    return tpi_decode(&rec, ret);
}

uint32_t pdb_type_list_item(const struct pdb_type *type, uint32_t i)
{
    return i < type->u.list.count ? dd_le32(type->u.list.items + (size_t)i * 4) : 0;
}

const char *pdb_leaf_name(uint16_t leaf)
{
    static const struct {
        uint16_t leaf;
        const char *name;
    } names[] = {
        {PDB_LF_VTSHAPE, "LF_VTSHAPE"},
        {PDB_LF_MODIFIER, "LF_MODIFIER"},
        {PDB_LF_POINTER, "LF_POINTER"},
        {PDB_LF_PROCEDURE, "LF_PROCEDURE"},
        {PDB_LF_MFUNCTION, "LF_MFUNCTION"},
        {PDB_LF_ARGLIST, "LF_ARGLIST"},
        {PDB_LF_FIELDLIST, "LF_FIELDLIST"},
        {PDB_LF_BITFIELD, "LF_BITFIELD"},
        {PDB_LF_METHODLIST, "LF_METHODLIST"},
        {PDB_LF_BCLASS, "LF_BCLASS"},
        {PDB_LF_VBCLASS, "LF_VBCLASS"},
        {PDB_LF_IVBCLASS, "LF_IVBCLASS"},
        {PDB_LF_INDEX, "LF_INDEX"},
        {PDB_LF_VFUNCTAB, "LF_VFUNCTAB"},
        {PDB_LF_FRIENDCLS, "LF_FRIENDCLS"},
        {PDB_LF_VFUNCOFF, "LF_VFUNCOFF"},
        {PDB_LF_ENUMERATE, "LF_ENUMERATE"},
        {PDB_LF_ARRAY, "LF_ARRAY"},
        {PDB_LF_CLASS, "LF_CLASS"},
        {PDB_LF_STRUCTURE, "LF_STRUCTURE"},
        {PDB_LF_UNION, "LF_UNION"},
        {PDB_LF_ENUM, "LF_ENUM"},
        {PDB_LF_ALIAS, "LF_ALIAS"},
        {PDB_LF_FRIENDFCN, "LF_FRIENDFCN"},
        {PDB_LF_MEMBER, "LF_MEMBER"},
        {PDB_LF_STMEMBER, "LF_STMEMBER"},
        {PDB_LF_METHOD, "LF_METHOD"},
        {PDB_LF_NESTTYPE, "LF_NESTTYPE"},
        {PDB_LF_ONEMETHOD, "LF_ONEMETHOD"},
        {PDB_LF_NESTTYPEEX, "LF_NESTTYPEEX"},
        {PDB_LF_MEMBERMODIFY, "LF_MEMBERMODIFY"},
        {PDB_LF_INTERFACE, "LF_INTERFACE"},
        {PDB_LF_BINTERFACE, "LF_BINTERFACE"},
        {PDB_LF_FUNC_ID, "LF_FUNC_ID"},
        {PDB_LF_MFUNC_ID, "LF_MFUNC_ID"},
        {PDB_LF_BUILDINFO, "LF_BUILDINFO"},
        {PDB_LF_SUBSTR_LIST, "LF_SUBSTR_LIST"},
        {PDB_LF_STRING_ID, "LF_STRING_ID"},
        {PDB_LF_UDT_SRC_LINE, "LF_UDT_SRC_LINE"},
        {PDB_LF_UDT_MOD_SRC_LINE, "LF_UDT_MOD_SRC_LINE"},
        {PDB_LF_CLASS2, "LF_CLASS2"},
        {PDB_LF_STRUCTURE2, "LF_STRUCTURE2"},
        {PDB_LF_UNION2, "LF_UNION2"},
        {PDB_LF_INTERFACE2, "LF_INTERFACE2"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (names[i].leaf == leaf)
            return names[i].name;
    return NULL;
}
