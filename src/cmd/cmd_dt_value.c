/*
 * dt's formatter: a UDT's members as WinDbg lays them out, with or without values.
 *
 * Layout facts from WinDbg transcripts (seeds: "dt win32k!tagCLIP @rdi", "dt nt!_OBJECT_TYPE"):
 *   "   +0x008 hData            : Ptr64 Void"        offset +0x%03x, name padded to 16
 *   "   +0x000 fmt              : 0xd"               unsigned: hex, zero as "0"
 *   "   +0x010 fGlobalHandle    : 0n1"               signed: 0n decimal
 *   "   +0x010 bType            : 0x6 ''"            chars: value and the quoted character
 *   "   +0x008 hData            : 0x00000000`00270235 Void"   pointers: address, pointee name
 *   "   +0x008 pOwner           : (null)"            null pointers
 *   "   +0x024 PoolType         : 0 ( NonPagedPool )"        enums: value and enumerator
 *   "   +0x028 awmControl       : [31] _WNDMSG"      arrays and embedded UDTs: the type name
 *   "      +0x000 Flink            : ..."            -r: 3 more spaces per level
 *   "   +0x003 ImageUsesLargePages : 0y0"            bitfield values in binary
 * An enum type alone lists "   Name = 0n1" lines.
 */
#include <inttypes.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_dt.h"

/* -b expands embedded UDTs without a limit; this bounds it against cyclic type records. */
#define DT_MAX_DEPTH 16
/* Characters of a char array or string pointer dt quotes. */
#define DT_MAX_STRING 256

struct dt_state {
    struct pdb_types *types;
    const struct cmd_dt_options *opt;
    const struct cmd_dt_memory *mem; /* NULL: layout only */
    struct dd_writer *out;
    struct dd_error *err; /* first type error met */
    unsigned level;
    uint64_t base; /* address of the UDT whose members print */
    bool top;      /* the field filter applies at the top level only */
};

static struct dd_error *dt_udt(struct dt_state *st, uint32_t index, uint64_t base);

static bool dt_read(struct dt_state *st, uint64_t addr, void *buf, size_t n)
{
    struct dd_error *err = st->mem->read(st->mem->ctx, addr, buf, n);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    return true;
}

static uint64_t dt_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static void dt_hex(struct dd_writer *out, uint64_t v)
{
    if (v == 0)
        dd_puts(out, "0");
    else
        dd_printf(out, "0x%" PRIx64, v);
}

static void dt_signed(struct dd_writer *out, uint64_t v, size_t size)
{
    int64_t s = (int64_t)v;
    if (size < 8 && (v >> (size * 8 - 1)) & 1)
        s = (int64_t)(v | ~((UINT64_C(1) << (size * 8)) - 1));
    dd_printf(out, "0n%" PRId64, s);
}

static void dt_char(struct dd_writer *out, uint64_t v)
{
    dt_hex(out, v);
    if (v >= 0x20 && v < 0x7f && v != '\'')
        dd_printf(out, " '%c'", (char)v);
    else
        dd_puts(out, " ''");
}

/* Writes the NUL-terminated narrow (WIDTH 1) or UTF-16 (WIDTH 2) string at ADDR, quoted. */
static void dt_string(struct dt_state *st, uint64_t addr, unsigned width, size_t max)
{
    char text[DT_MAX_STRING + 1];
    size_t n = 0;
    if (max > DT_MAX_STRING)
        max = DT_MAX_STRING;
    for (; n < max; n++) {
        uint8_t c[2] = {0, 0};
        if (!dt_read(st, addr + n * width, c, width))
            break;
        uint32_t ch = width == 2 ? (uint32_t)(c[0] | c[1] << 8) : c[0];
        if (ch == 0)
            break;
        text[n] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    text[n] = 0;
    dd_printf(st->out, "  \"%s\"", text);
}

/* Writes the value of a simple type KIND of SIZE bytes read at ADDR. */
static void dt_primitive_value(struct dt_state *st, uint8_t kind, uint32_t size, uint64_t addr)
{
    uint8_t buf[8];
    if (size == 0 || size > sizeof(buf) || !dt_read(st, addr, buf, size)) {
        dd_puts(st->out, "??");
        return;
    }
    uint64_t v = dt_le(buf, size);
    switch (pdb_primitive_class(kind)) {
    case PDB_PRIM_SIGNED:
    case PDB_PRIM_HRESULT:
        dt_signed(st->out, v, size);
        break;
    case PDB_PRIM_CHAR:
        dt_char(st->out, v);
        break;
    case PDB_PRIM_REAL:
        if (size == 4) {
            float f;
            memcpy(&f, buf, 4);
            dd_printf(st->out, "%g", (double)f);
        } else if (size == 8) {
            double d;
            memcpy(&d, buf, 8);
            dd_printf(st->out, "%g", d);
        } else {
            dt_hex(st->out, v);
        }
        break;
    default:
        dt_hex(st->out, v);
        break;
    }
}

/* Writes a pointer value: "(null)" or the address, then the pointee's dt name. */
static void dt_pointer_value(struct dt_state *st, uint32_t referent, unsigned size, uint64_t addr,
                             uint64_t *ret_value)
{
    uint8_t buf[8];
    *ret_value = 0;
    if (size == 0 || size > 8 || !dt_read(st, addr, buf, size)) {
        dd_puts(st->out, "??");
        return;
    }
    uint64_t v = dt_le(buf, size);
    *ret_value = v;
    if (v == 0) {
        dd_puts(st->out, "(null)");
        return;
    }
    char abuf[DD_ADDR_BUF];
    dd_printf(st->out, "0x%s", dd_fmt_addr(abuf, v, size));
    /* String pointers show the text instead of the pointee's name. */
    uint32_t under = referent;
    struct dd_error *err = pdb_types_underlying(st->types, referent, &under);
    if (!err && under < PDB_TYPE_FIRST_INDEX && (under >> 8) == 0) {
        enum pdb_primitive_class c = pdb_primitive_class((uint8_t)under);
        if (c == PDB_PRIM_CHAR || c == PDB_PRIM_WCHAR) {
            dt_string(st, v, c == PDB_PRIM_CHAR ? 1 : 2, DT_MAX_STRING);
            return;
        }
    }
    dd_error_destroy(err);
    struct dd_strbuf name = {0};
    dd_error_destroy(pdb_types_name(st->types, referent, PDB_TYPES_NAME_DT, &name));
    dd_puts(st->out, " ");
    dd_write(st->out, name.data ? name.data : "", name.len);
    dd_strbuf_deinit(&name);
}

/* True when the members of a UDT met at this level should print under it. */
static bool dt_expand(const struct dt_state *st)
{
    if (st->level + 1 >= DT_MAX_DEPTH)
        return false;
    return st->opt->expand || st->level < st->opt->recurse;
}

static bool dt_is_struct(const struct pdb_type *t)
{
    return pdb_leaf_is_udt(t->leaf) && t->leaf != PDB_LF_ENUM;
}

/* Writes a member's value (or its type) after the colon, and any nested lines. */
static void dt_member(struct dt_state *st, const struct pdb_type_field *f)
{
    struct dd_writer *out = st->out;
    uint64_t addr = st->base + f->offset;
    enum pdb_types_name_style style =
        st->opt->verbose ? PDB_TYPES_NAME_DT_VERBOSE : PDB_TYPES_NAME_DT;
    uint32_t under = f->type;
    struct pdb_type t;
    struct dd_error *err = f->is_bitfield ? NULL : pdb_types_underlying(st->types, f->type, &under);
    if (!err)
        err = pdb_types_get(st->types, under, &t);
    if (err) {
        dd_puts(out, "<error>\n");
        if (!st->err)
            st->err = err;
        else
            dd_error_destroy(err);
        return;
    }
    uint64_t pointee = 0;
    uint32_t nested = 0; /* a UDT whose members may print below */
    bool have_nested_addr = true;
    if (!st->mem) {
        struct dd_strbuf name = {0};
        dd_error_destroy(pdb_types_name(st->types, f->type, style, &name));
        dd_write(out, name.data ? name.data : "", name.len);
        dd_strbuf_deinit(&name);
        if (dt_is_struct(&t)) {
            nested = under;
        } else if (t.leaf == PDB_LF_POINTER && st->level < st->opt->recurse) {
            uint32_t ref = t.u.pointer.referent;
            struct pdb_type rt;
            if (!pdb_types_underlying(st->types, ref, &ref) &&
                !pdb_types_get(st->types, ref, &rt) && dt_is_struct(&rt))
                nested = ref;
        }
    } else if (f->is_bitfield) {
        uint32_t size = pdb_primitive_size(f->bit_type);
        uint8_t buf[8];
        if (size == 0 || size > 8 || !dt_read(st, addr, buf, size)) {
            dd_puts(out, "??");
        } else {
            uint64_t v = dt_le(buf, size) >> f->bit_position;
            dd_puts(out, "0y");
            for (unsigned i = f->bit_length; i-- > 0;)
                dd_puts(out, (v >> i) & 1 ? "1" : "0");
        }
    } else if (t.leaf == PDB_LF_PRIMITIVE) {
        if (t.u.primitive.mode != 0) {
            unsigned size = pdb_primitive_size(under);
            dt_pointer_value(st, t.u.primitive.kind, size, addr, &pointee);
        } else {
            dt_primitive_value(st, t.u.primitive.kind, pdb_primitive_size(under), addr);
        }
    } else if (t.leaf == PDB_LF_POINTER) {
        dt_pointer_value(st, t.u.pointer.referent, t.u.pointer.size, addr, &pointee);
        uint32_t ref = t.u.pointer.referent;
        struct pdb_type rt;
        if (pointee != 0 && st->level < st->opt->recurse &&
            !pdb_types_underlying(st->types, ref, &ref) && !pdb_types_get(st->types, ref, &rt) &&
            dt_is_struct(&rt)) {
            nested = ref;
            addr = pointee;
        }
    } else if (t.leaf == PDB_LF_ENUM) {
        uint64_t size = 0;
        uint8_t buf[8];
        dd_error_destroy(pdb_types_size_of(st->types, under, &size));
        if (size == 0 || size > 8 || !dt_read(st, addr, buf, (size_t)size)) {
            dd_puts(out, "??");
        } else {
            uint64_t v = dt_le(buf, (size_t)size);
            const char *name = NULL;
            dt_hex(out, v);
            struct dd_error *e = pdb_types_enum_name(st->types, under, v, &name);
            if (!e)
                dd_printf(out, " ( %s )", name);
            dd_error_destroy(e);
        }
    } else if (t.leaf == PDB_LF_ARRAY) {
        struct dd_strbuf name = {0};
        dd_error_destroy(pdb_types_name(st->types, f->type, style, &name));
        dd_write(out, name.data ? name.data : "", name.len);
        dd_strbuf_deinit(&name);
        uint32_t elem = t.u.array.element;
        uint64_t count = 0;
        dd_error_destroy(pdb_types_array_length(st->types, under, &count));
        if (!pdb_types_underlying(st->types, elem, &elem) && elem < PDB_TYPE_FIRST_INDEX &&
            (elem >> 8) == 0) {
            enum pdb_primitive_class c = pdb_primitive_class((uint8_t)elem);
            if (c == PDB_PRIM_CHAR)
                dt_string(st, addr, 1, (size_t)count);
            else if (c == PDB_PRIM_WCHAR)
                dt_string(st, addr, 2, (size_t)count);
        }
    } else {
        struct dd_strbuf name = {0};
        dd_error_destroy(pdb_types_name(st->types, f->type, style, &name));
        dd_write(out, name.data ? name.data : "", name.len);
        dd_strbuf_deinit(&name);
        if (dt_is_struct(&t))
            nested = under;
    }
    dd_puts(out, "\n");
    if (nested && have_nested_addr && dt_expand(st)) {
        st->level++;
        struct dd_error *e = dt_udt(st, nested, addr);
        st->level--;
        if (e && !st->err)
            st->err = e;
        else
            dd_error_destroy(e);
    }
}

static struct dd_error *dt_field_cb(void *ctx, const struct pdb_type_field *f)
{
    struct dt_state *st = ctx;
    if (f->leaf != PDB_LF_MEMBER)
        return NULL;
    if (st->top && st->opt->field && !dd_wildcard_match(st->opt->field, f->name))
        return NULL;
    bool top = st->top;
    st->top = false;
    dd_printf(st->out, "%*s+0x%03" PRIx64 " %-16s : ", (int)(3 + 3 * st->level), "", f->offset,
              f->name);
    dt_member(st, f);
    st->top = top;
    return NULL;
}

static struct dd_error *dt_udt(struct dt_state *st, uint32_t index, uint64_t base)
{
    uint64_t saved = st->base;
    st->base = base;
    struct dd_error *err = pdb_types_iterate_fields(st->types, index, dt_field_cb, st);
    st->base = saved;
    return err;
}

struct dt_enum_state {
    struct dd_writer *out;
    uint64_t size;
};

static struct dd_error *dt_enum_cb(void *ctx, const struct pdb_type_field *f)
{
    struct dt_enum_state *es = ctx;
    if (f->leaf != PDB_LF_ENUMERATE)
        return NULL;
    dd_printf(es->out, "   %s = ", f->name);
    dt_signed(es->out, f->value.value, f->value.is_signed ? 8 : (size_t)(es->size ? es->size : 8));
    dd_puts(es->out, "\n");
    return NULL;
}

struct dd_error *cmd_dt_format(struct pdb_types *types, uint32_t index,
                               const struct cmd_dt_options *opt, const struct cmd_dt_memory *mem,
                               uint64_t addr, struct dd_writer *out)
{
    uint32_t under = index;
    struct pdb_type t;
    struct dd_error *err = pdb_types_underlying(types, index, &under);
    if (!err)
        err = pdb_types_get(types, under, &t);
    if (err)
        return err;
    if (t.leaf == PDB_LF_ENUM) {
        struct dt_enum_state es = {out, 0};
        dd_error_destroy(pdb_types_size_of(types, under, &es.size));
        return pdb_types_iterate_fields(types, under, dt_enum_cb, &es);
    }
    if (!dt_is_struct(&t))
        return dd_error_create(DD_ERR_UNSUPPORTED, "dt shows structures, unions and enums");
    if (opt->verbose) {
        uint64_t size = 0;
        dd_error_destroy(pdb_types_size_of(types, under, &size));
        const char *kind = t.leaf == PDB_LF_UNION || t.leaf == PDB_LF_UNION2 ? "union"
                           : t.leaf == PDB_LF_CLASS || t.leaf == PDB_LF_CLASS2 ? "class"
                                                                                 : "struct";
        dd_printf(out, "%s %s, %u elements, 0x%" PRIx64 " bytes\n", kind, t.name,
                  (unsigned)t.u.udt.count, size);
    }
    struct dt_state st = {types, opt, mem, out, NULL, 0, 0, true};
    err = dt_udt(&st, under, addr);
    if (err) {
        dd_error_destroy(st.err);
        return err;
    }
    return st.err;
}
