/*
 * Type names and sizes. Simple types (cvinfo.h "Type enumeration": T_* kinds with CV_prmode_e
 * pointer modes) get WinDbg's dt names ("Uint4B", "Ptr64 Void", "Wchar"); composite types follow
 * dt's type column: pointers "Ptr64 X", arrays "[N] X", bitfields "Pos P, L Bit(s)", function
 * pointers "Ptr64     void " (return type in C spelling), UDTs by name. The C style is what `??`
 * prints: "struct _LIST_ENTRY *", "unsigned long", "wchar_t [4]", "<function> *".
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdb/tpi_internal.h"

/* Simple type kinds (cvinfo.h T_*), with dt's and C's names and their size. dt names follow the
 * debugger's basic-type names: IntNB/UintNB by size, Char/UChar/Wchar, Bool, and Float for every
 * real (WinDbg prints a double member as Float too). */
static const struct primitive {
    uint8_t kind;
    uint8_t size;
    const char *dt;
    const char *c;
} primitives[] = {
    {0x00, 0, "<NoType>", "<NoType>"},        /* T_NOTYPE */
    {0x03, 0, "Void", "void"},                /* T_VOID */
    {0x08, 4, "HRESULT", "HRESULT"},          /* T_HRESULT */
    {0x10, 1, "Char", "char"},                /* T_CHAR (signed char) */
    {0x20, 1, "UChar", "unsigned char"},      /* T_UCHAR */
    {0x70, 1, "Char", "char"},                /* T_RCHAR */
    {0x71, 2, "Wchar", "wchar_t"},            /* T_WCHAR */
    {0x7a, 2, "Char16", "char16_t"},          /* T_CHAR16 */
    {0x7b, 4, "Char32", "char32_t"},          /* T_CHAR32 */
    {0x7c, 1, "Char8", "char8_t"},            /* T_CHAR8 */
    {0x68, 1, "Int1B", "char"},               /* T_INT1 */
    {0x69, 1, "Uint1B", "unsigned char"},     /* T_UINT1 */
    {0x11, 2, "Int2B", "short"},              /* T_SHORT */
    {0x21, 2, "Uint2B", "unsigned short"},    /* T_USHORT */
    {0x72, 2, "Int2B", "short"},              /* T_INT2 */
    {0x73, 2, "Uint2B", "unsigned short"},    /* T_UINT2 */
    {0x12, 4, "Int4B", "long"},               /* T_LONG */
    {0x22, 4, "Uint4B", "unsigned long"},     /* T_ULONG */
    {0x74, 4, "Int4B", "int"},                /* T_INT4 */
    {0x75, 4, "Uint4B", "unsigned int"},      /* T_UINT4 */
    {0x13, 8, "Int8B", "int64"},              /* T_QUAD */
    {0x23, 8, "Uint8B", "unsigned int64"},    /* T_UQUAD */
    {0x76, 8, "Int8B", "int64"},              /* T_INT8 */
    {0x77, 8, "Uint8B", "unsigned int64"},    /* T_UINT8 */
    {0x14, 16, "Int16B", "int128"},           /* T_OCT */
    {0x24, 16, "Uint16B", "unsigned int128"}, /* T_UOCT */
    {0x78, 16, "Int16B", "int128"},           /* T_INT16 */
    {0x79, 16, "Uint16B", "unsigned int128"}, /* T_UINT16 */
    {0x30, 1, "Bool", "bool"},                /* T_BOOL08 */
    {0x31, 2, "Bool", "bool"},                /* T_BOOL16 */
    {0x32, 4, "Bool", "bool"},                /* T_BOOL32 */
    {0x33, 8, "Bool", "bool"},                /* T_BOOL64 */
    {0x40, 4, "Float", "float"},              /* T_REAL32 */
    {0x41, 8, "Float", "double"},             /* T_REAL64 */
    {0x42, 10, "Float", "long double"},       /* T_REAL80 */
    {0x43, 16, "Float", "long double"},       /* T_REAL128 */
    {0x44, 6, "Float", "float48"},            /* T_REAL48 */
    {0x46, 2, "Float", "half"},               /* T_REAL16 */
};

enum pdb_primitive_class pdb_primitive_class(uint8_t kind)
{
    switch (kind) {
    case 0x03:
        return PDB_PRIM_VOID;
    case 0x08:
        return PDB_PRIM_HRESULT;
    case 0x10:
    case 0x20:
    case 0x70:
    case 0x7c:
        return PDB_PRIM_CHAR;
    case 0x71:
    case 0x7a:
    case 0x7b:
        return PDB_PRIM_WCHAR;
    case 0x68:
    case 0x11:
    case 0x72:
    case 0x12:
    case 0x74:
    case 0x13:
    case 0x76:
    case 0x14:
    case 0x78:
        return PDB_PRIM_SIGNED;
    case 0x69:
    case 0x21:
    case 0x73:
    case 0x22:
    case 0x75:
    case 0x23:
    case 0x77:
    case 0x24:
    case 0x79:
        return PDB_PRIM_UNSIGNED;
    case 0x30:
    case 0x31:
    case 0x32:
    case 0x33:
        return PDB_PRIM_BOOL;
    case 0x40:
    case 0x41:
    case 0x42:
    case 0x43:
    case 0x44:
    case 0x46:
        return PDB_PRIM_REAL;
    default:
        return PDB_PRIM_UNKNOWN;
    }
}

static const struct primitive *primitive_find(uint8_t kind)
{
    for (size_t i = 0; i < sizeof(primitives) / sizeof(primitives[0]); i++)
        if (primitives[i].kind == kind)
            return &primitives[i];
    return NULL;
}

const char *pdb_primitive_dt_name(uint8_t kind)
{
    const struct primitive *p = primitive_find(kind);
    return p ? p->dt : NULL;
}

const char *pdb_primitive_c_name(uint8_t kind)
{
    const struct primitive *p = primitive_find(kind);
    return p ? p->c : NULL;
}

/* Bytes of a pointer in simple-type mode MODE (CV_prmode_e): near, far, huge, 32, 16:32, 64, 128.
 */
static uint32_t mode_size(unsigned mode)
{
    static const uint8_t sizes[8] = {0, 2, 4, 4, 4, 6, 8, 16};
    return mode < 8 ? sizes[mode] : 0;
}

uint32_t pdb_primitive_size(uint32_t index)
{
    unsigned mode = (index >> 8) & 0xf;
    if (mode != 0)
        return mode_size(mode);
    const struct primitive *p = primitive_find(index & 0xff);
    return p ? p->size : 0;
}

static struct dd_error *too_deep(uint32_t index)
{
    return dd_error_create(DD_ERR_FORMAT, "type 0x%x: type graph deeper than %u (a loop?)", index,
                           TPI_MAX_DEPTH);
}

/* The leaf of record INDEX, or PDB_LF_PRIMITIVE for a simple or unreadable index. */
static uint16_t leaf_of(struct pdb_types *t, uint32_t index)
{
    struct pdb_type_record rec;
    if (index < PDB_TYPE_FIRST_INDEX)
        return PDB_LF_PRIMITIVE;
    struct dd_error *err = pdb_types_record(t, index, &rec);
    if (err) {
        dd_error_destroy(err); /* the walk that follows reports it */
        return PDB_LF_PRIMITIVE;
    }
    return rec.leaf;
}

/* Gets INDEX, following a UDT forward reference to its definition. */
static struct dd_error *get_resolved(struct pdb_types *t, uint32_t index, struct pdb_type *ret)
{
    struct dd_error *err = pdb_types_get(t, index, ret);
    if (err || !pdb_leaf_is_udt(ret->leaf) || !(ret->u.udt.props & PDB_PROP_FWDREF))
        return err;
    uint32_t def;
    if ((err = pdb_types_resolve_forward(t, index, &def)))
        return err;
    return def == index ? NULL : pdb_types_get(t, def, ret);
}

static struct dd_error *size_of(struct pdb_types *t, uint32_t index, uint64_t *ret, unsigned depth)
{
    if (depth > TPI_MAX_DEPTH)
        return too_deep(index);
    if (index < PDB_TYPE_FIRST_INDEX) {
        *ret = pdb_primitive_size(index);
        return NULL;
    }
    struct pdb_type type;
    struct dd_error *err = get_resolved(t, index, &type);
    if (err)
        return err;
    switch (type.leaf) {
    case PDB_LF_MODIFIER:
        return size_of(t, type.u.modifier.type, ret, depth + 1);
    case PDB_LF_POINTER:
        *ret = type.u.pointer.size;
        return NULL;
    case PDB_LF_ARRAY:
        *ret = type.u.array.size;
        return NULL;
    case PDB_LF_BITFIELD:
        return size_of(t, type.u.bitfield.type, ret, depth + 1);
    case PDB_LF_ALIAS:
        return size_of(t, type.u.alias.type, ret, depth + 1);
    case PDB_LF_ENUM:
        return size_of(t, type.u.udt.underlying, ret, depth + 1);
    default:
        if (pdb_leaf_is_udt(type.leaf)) {
            *ret = type.u.udt.size;
            return NULL;
        }
        return dd_error_create(DD_ERR_UNSUPPORTED, "type 0x%x (%s) has no size", index,
                               pdb_leaf_name(type.leaf) ? pdb_leaf_name(type.leaf) : "unknown");
    }
}

struct dd_error *pdb_types_size_of(struct pdb_types *t, uint32_t index, uint64_t *ret)
{
    return size_of(t, index, ret, 0);
}

struct dd_error *pdb_types_underlying(struct pdb_types *t, uint32_t index, uint32_t *ret)
{
    for (unsigned depth = 0; depth <= TPI_MAX_DEPTH; depth++) {
        if (index < PDB_TYPE_FIRST_INDEX) {
            *ret = index;
            return NULL;
        }
        struct pdb_type type;
        struct dd_error *err = pdb_types_get(t, index, &type);
        if (err)
            return err;
        if (type.leaf == PDB_LF_MODIFIER) {
            index = type.u.modifier.type;
        } else if (type.leaf == PDB_LF_ALIAS) {
            index = type.u.alias.type;
        } else if (pdb_leaf_is_udt(type.leaf) && (type.u.udt.props & PDB_PROP_FWDREF)) {
            return pdb_types_resolve_forward(t, index, ret);
        } else {
            *ret = index;
            return NULL;
        }
    }
    return too_deep(index);
}

static const char *udt_keyword(uint16_t leaf)
{
    switch (leaf) {
    case PDB_LF_CLASS:
    case PDB_LF_CLASS2:
        return "class";
    case PDB_LF_UNION:
    case PDB_LF_UNION2:
        return "union";
    case PDB_LF_INTERFACE:
    case PDB_LF_INTERFACE2:
        return "interface";
    case PDB_LF_ENUM:
        return "enum";
    default:
        return "struct";
    }
}

/* Elements of an array: its byte size over the element's (dt prints "[N] X"). */
static struct dd_error *array_count(struct pdb_types *t, const struct pdb_type *type, uint64_t *ret,
                                    unsigned depth)
{
    uint64_t elem;
    struct dd_error *err = size_of(t, type->u.array.element, &elem, depth + 1);
    if (err)
        return err;
    *ret = elem ? type->u.array.size / elem : 0;
    return NULL;
}

struct dd_error *pdb_types_array_length(struct pdb_types *t, uint32_t index, uint64_t *ret)
{
    struct pdb_type type;
    struct dd_error *err = pdb_types_get(t, index, &type);
    if (err)
        return err;
    if (type.leaf != PDB_LF_ARRAY)
        return dd_error_create(DD_ERR_UNSUPPORTED, "type 0x%x is not an array", index);
    return array_count(t, &type, ret, 0);
}

/* C spelling with a declarator: INNER is what surrounds the name so far ("*", "[4]", "(*)"). */
static struct dd_error *c_decl(struct pdb_types *t, uint32_t index, bool compact, const char *inner,
                               struct dd_strbuf *out, unsigned depth);

static struct dd_error *c_wrap(struct pdb_types *t, uint32_t index, bool compact,
                               const char *prefix, const char *inner, const char *suffix,
                               struct dd_strbuf *out, unsigned depth)
{
    struct dd_strbuf decl = {0};
    dd_strbuf_printf(&decl, "%s%s%s", prefix, inner, suffix);
    if (decl.failed) {
        dd_strbuf_deinit(&decl);
        return &dd_error_no_memory;
    }
    struct dd_error *err = c_decl(t, index, compact, decl.data ? decl.data : "", out, depth + 1);
    dd_strbuf_deinit(&decl);
    return err;
}

static void c_base(struct dd_strbuf *out, bool compact, const char *keyword, const char *name,
                   const char *inner)
{
    if (keyword && !compact)
        dd_strbuf_printf(out, "%s ", keyword);
    dd_strbuf_printf(out, "%s%s%s", name, *inner && !compact ? " " : "", inner);
}

static struct dd_error *c_decl(struct pdb_types *t, uint32_t index, bool compact, const char *inner,
                               struct dd_strbuf *out, unsigned depth)
{
    if (depth > TPI_MAX_DEPTH)
        return too_deep(index);
    if (index < PDB_TYPE_FIRST_INDEX) {
        if ((index >> 8) & 0xf)
            return c_wrap(t, index & 0xff, compact, "*", inner, "", out, depth);
        const char *name = pdb_primitive_c_name(index & 0xff);
        if (!name)
            return dd_error_create(DD_ERR_UNSUPPORTED, "unknown simple type 0x%04x", index);
        c_base(out, compact, NULL, name, inner);
        return NULL;
    }
    struct pdb_type type;
    struct dd_error *err = pdb_types_get(t, index, &type);
    if (err)
        return err;
    switch (type.leaf) {
    case PDB_LF_MODIFIER:
        return c_decl(t, type.u.modifier.type, compact, inner, out, depth + 1);
    case PDB_LF_ALIAS:
        return c_decl(t, type.u.alias.type, compact, inner, out, depth + 1);
    case PDB_LF_BITFIELD:
        return c_decl(t, type.u.bitfield.type, compact, inner, out, depth + 1);
    case PDB_LF_POINTER: {
        const char *op = type.u.pointer.mode == PDB_PTR_MODE_LVALUE_REF   ? "&"
                         : type.u.pointer.mode == PDB_PTR_MODE_RVALUE_REF ? "&&"
                                                                          : "*";
        /* A pointer to an array needs parentheses: "char (*)[260]". */
        bool paren = leaf_of(t, type.u.pointer.referent) == PDB_LF_ARRAY;
        char prefix[8];
        snprintf(prefix, sizeof(prefix), "%s%s", paren ? "(" : "", op);
        return c_wrap(t, type.u.pointer.referent, compact, prefix, inner, paren ? ")" : "", out,
                      depth);
    }
    case PDB_LF_ARRAY: {
        uint64_t n;
        if ((err = array_count(t, &type, &n, depth)))
            return err;
        char dim[32];
        snprintf(dim, sizeof(dim), "[%" PRIu64 "]", n);
        return c_wrap(t, type.u.array.element, compact, inner, dim, "", out, depth);
    }
    case PDB_LF_PROCEDURE:
    case PDB_LF_MFUNCTION:
        c_base(out, compact, NULL, "<function>", inner);
        return NULL;
    default:
        if (pdb_leaf_is_udt(type.leaf)) {
            c_base(out, compact, type.leaf == PDB_LF_ENUM ? NULL : udt_keyword(type.leaf),
                   type.name, inner);
            return NULL;
        }
        return dd_error_create(DD_ERR_UNSUPPORTED, "type 0x%x (%s) has no C name", index,
                               pdb_leaf_name(type.leaf) ? pdb_leaf_name(type.leaf) : "unknown");
    }
}

static void dt_pointer(struct dd_strbuf *out, uint32_t bytes, bool verbose)
{
    dd_strbuf_printf(out, "Ptr%u%s", bytes * 8, verbose ? " to " : " ");
}

static struct dd_error *dt_name(struct pdb_types *t, uint32_t index, bool verbose,
                                struct dd_strbuf *out, unsigned depth)
{
    if (depth > TPI_MAX_DEPTH)
        return too_deep(index);
    if (index < PDB_TYPE_FIRST_INDEX) {
        unsigned mode = (index >> 8) & 0xf;
        if (mode)
            dt_pointer(out, mode_size(mode), verbose);
        const char *name = pdb_primitive_dt_name(index & 0xff);
        if (!name)
            return dd_error_create(DD_ERR_UNSUPPORTED, "unknown simple type 0x%04x", index);
        dd_strbuf_printf(out, "%s", name);
        return NULL;
    }
    struct pdb_type type;
    struct dd_error *err = get_resolved(t, index, &type);
    if (err)
        return err;
    switch (type.leaf) {
    case PDB_LF_MODIFIER:
        return dt_name(t, type.u.modifier.type, verbose, out, depth + 1);
    case PDB_LF_ALIAS:
        return dt_name(t, type.u.alias.type, verbose, out, depth + 1);
    case PDB_LF_POINTER: {
        /* The vtable pointer points at a shape with no name: dt prints just "Ptr64". */
        if (leaf_of(t, type.u.pointer.referent) == PDB_LF_VTSHAPE) {
            dd_strbuf_printf(out, "Ptr%u", type.u.pointer.size * 8);
            return NULL;
        }
        dt_pointer(out, type.u.pointer.size, verbose);
        return dt_name(t, type.u.pointer.referent, verbose, out, depth + 1);
    }
    case PDB_LF_ARRAY: {
        uint64_t n;
        if ((err = array_count(t, &type, &n, depth)))
            return err;
        dd_strbuf_printf(out, "[%" PRIu64 "] ", n);
        return dt_name(t, type.u.array.element, verbose, out, depth + 1);
    }
    case PDB_LF_BITFIELD:
        dd_strbuf_printf(out, "%sPos %u, %u Bit%s", verbose ? "Bitfield " : "",
                         type.u.bitfield.position, type.u.bitfield.length,
                         type.u.bitfield.length == 1 ? "" : "s");
        return NULL;
    case PDB_LF_PROCEDURE:
    case PDB_LF_MFUNCTION:
        /* dt shows a function by its return type, C-spelled, between fixed spaces. */
        dd_strbuf_printf(out, "    ");
        if ((err = c_decl(t, type.u.proc.return_type, true, "", out, depth + 1)))
            return err;
        dd_strbuf_printf(out, verbose ? "  " : " ");
        return NULL;
    case PDB_LF_VTSHAPE:
        return NULL;
    case PDB_LF_ENUM:
        if (verbose)
            dd_strbuf_printf(out, "Enum %s,  %u total enums", type.name, type.u.udt.count);
        else
            dd_strbuf_printf(out, "%s", type.name);
        return NULL;
    default:
        if (pdb_leaf_is_udt(type.leaf)) {
            if (verbose)
                dd_strbuf_printf(out, "%s %s, %u elements, 0x%" PRIx64 " bytes",
                                 udt_keyword(type.leaf), type.name, type.u.udt.count,
                                 type.u.udt.size);
            else
                dd_strbuf_printf(out, "%s", type.name);
            return NULL;
        }
        return dd_error_create(DD_ERR_UNSUPPORTED, "type 0x%x (%s) has no dt name", index,
                               pdb_leaf_name(type.leaf) ? pdb_leaf_name(type.leaf) : "unknown");
    }
}

struct dd_error *pdb_types_name(struct pdb_types *t, uint32_t index,
                                enum pdb_types_name_style style, struct dd_strbuf *out)
{
    size_t mark = out->len;
    struct dd_error *err = style == PDB_TYPES_NAME_C
                               ? c_decl(t, index, false, "", out, 0)
                               : dt_name(t, index, style == PDB_TYPES_NAME_DT_VERBOSE, out, 0);
    if (err) {
        /* Drop what a failed walk half-wrote, then mark the failure in the text. */
        if (out->data && out->len > mark) {
            out->len = mark;
            out->data[mark] = '\0';
        }
        dd_strbuf_append(out, "<error>", 7);
    }
    return err;
}
