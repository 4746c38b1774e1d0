/*
 * dt's formatter: a UDT's members as WinDbg lays them out, with or without values.
 *
 * Layout facts from WinDbg transcripts (seeds: "dt win32k!tagCLIP @rdi", "dt nt!_OBJECT_TYPE";
 * dt output of a test program kept as fixtures by the DebugDiag.Native project: "dt ntdll!_PEB"
 * with and without an address, classes with vtables and statics):
 *   "   +0x008 hData            : Ptr64 Void"        offset +0x%03x, name padded to 16
 *   "   +0x000 __VFN_table : Ptr64 "                 the vtable pointer: name not padded
 *   "   =00f1cb74 IAmSoStatic      : Int4B"          static members: their address
 *   "   +0x064 NumberOfProcessors : 8"               unsigned: decimal below 10, else hex
 *   "   +0x068 NtGlobalFlag     : 0x70"
 *   "   +0x010 fGlobalHandle    : 0n1"               signed: 0n decimal
 *   "   +0x002 BeingDebugged    : 0x1 ''"            chars: value and the quoted character
 *   "   +0x008 ImageBaseAddress : 0x01130000 Void"   pointers: address, pointee name
 *   "   +0x014 SubSystemData    : (null) "           null pointers
 *   "   +0x090 ProcessHeaps     : 0x77a64760  -> 0x00490000 Void"   pointers to values
 *   "   +0x14c PostProcessInitRoutine : Ptr32     void "            function pointers
 *   "   +0x024 PoolType         : 0 ( NonPagedPool )"        enums: value and enumerator
 *   "   +0x044 TlsBitmapBits    : [2] 1"             arrays: count and the first value
 *   "   +0x028 awmControl       : [31] _WNDMSG"      arrays of UDTs, embedded UDTs: the name
 *   "   +0x210 FlsListHead      : _LIST_ENTRY [ 0x4980e8 - 0x4980e8 ]"
 *   "   +0x070 CriticalSectionTimeout : _LARGE_INTEGER 0xffffe86d`079b8000"
 *   "   +0x1f0 CSDVersion       : _UNICODE_STRING "Service Pack 1""
 *   "   +0x003 SpareBits        : 0y000"             bitfield values in binary; wide ones
 *   "   +0x028 ReservedBits0    : 0y000000000000000000000000000 (0)"   add the number
 *   "      +0x000 Flink            : ..."            -r/-b: 3 more spaces per level
 *   "    [00] 0x1"                                   -a/-b: array elements, one blank deeper
 * Base classes are flattened into the derived class at their offsets, as dt shows a C++ class
 * (its first line is the base's "__VFN_table"). An enum type alone lists "   Name = 0n1" lines.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_dt.h"

/* -b expands embedded UDTs without a limit; this bounds it against cyclic type records. */
#define DT_MAX_DEPTH 16
/* Characters of a char array or string pointer dt quotes. */
#define DT_MAX_STRING 256
/* Array elements -a/-b print when no count is given; bounds a display of a huge array. */
#define DT_MAX_ELEMENTS 0x10000
/* Base classes nest at most this deep (cycles in hostile type records end here). */
#define DT_MAX_BASES 8
/* Bitfields wider than this also show their value as a number (the _PEB transcript shows it for
 * 27 and 30 bits, not for 3). */
#define DT_BITFIELD_NUMBER_BITS 8

struct dt_state {
    struct pdb_types *types;
    const struct cmd_dt_options *opt;
    const struct cmd_dt_memory *mem; /* NULL: layout only */
    struct dd_writer *out;
    struct dd_error *err; /* first type error met */
    unsigned level;
    unsigned bases;    /* base classes being flattened */
    uint64_t base;     /* address of the UDT whose members print */
    uint64_t delta;    /* offset of the base class being flattened within that UDT */
    const char *owner; /* name of the class whose field list is walked (statics) */
    bool top;          /* the field filter applies at the top level only */
};

static struct dd_error *dt_udt(struct dt_state *st, uint32_t index, uint64_t base);
static void dt_value(struct dt_state *st, uint32_t index, uint64_t addr, unsigned indent);

static void dt_keep_error(struct dt_state *st, struct dd_error *err)
{
    if (!err)
        return;
    if (!st->err)
        st->err = err;
    else
        dd_error_destroy(err);
}

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

static unsigned dt_ptr_size(const struct dt_state *st)
{
    unsigned n = st->mem ? st->mem->ptr_size : st->opt->ptr_size;
    return n == 4 ? 4 : 8;
}

/* Unsigned numbers: "8", "0x70" (decimal below ten, as the _PEB transcript shows). */
static void dt_unsigned(struct dd_writer *out, uint64_t v)
{
    if (v < 10)
        dd_printf(out, "%" PRIu64, v);
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

/* Chars: "0 ''", "0x1 ''", "0x41 'A'". */
static void dt_char(struct dd_writer *out, uint64_t v)
{
    if (v == 0)
        dd_puts(out, "0");
    else
        dd_printf(out, "0x%" PRIx64, v);
    if (v >= 0x20 && v < 0x7f && v != '\'')
        dd_printf(out, " '%c'", (char)v);
    else
        dd_puts(out, " ''");
}

static void dt_type_name(struct dt_state *st, uint32_t index)
{
    struct dd_strbuf name = {0};
    enum pdb_types_name_style style =
        st->opt->verbose ? PDB_TYPES_NAME_DT_VERBOSE : PDB_TYPES_NAME_DT;
    dd_error_destroy(pdb_types_name(st->types, index, style, &name));
    dd_write(st->out, name.data ? name.data : "", name.len);
    dd_strbuf_deinit(&name);
}

/* Reads the NUL-terminated narrow (WIDTH 1) or UTF-16 (WIDTH 2) string at ADDR into TEXT. */
static void dt_read_string(struct dt_state *st, uint64_t addr, unsigned width, size_t max,
                           char text[DT_MAX_STRING + 1])
{
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
}

/* Writes the string at ADDR quoted, after two blanks (dt's string pointers and char arrays). */
static void dt_string(struct dt_state *st, uint64_t addr, unsigned width, size_t max)
{
    char text[DT_MAX_STRING + 1];
    uint8_t probe[2];
    if (max > 0 && !dt_read(st, addr, probe, width)) {
        /* dt's words for a string it cannot read. */
        char abuf[DD_ADDR_BUF];
        dd_printf(st->out, "  \"--- memory read error at address 0x%s ---\"",
                  dd_fmt_addr(abuf, addr, dt_ptr_size(st)));
        return;
    }
    dt_read_string(st, addr, width, max, text);
    dd_printf(st->out, "  \"%s\"", text);
}

/* The class of simple type INDEX when it is a direct (non-pointer) simple type, else UNKNOWN. */
static enum pdb_primitive_class dt_simple_class(uint32_t index)
{
    if (index >= PDB_TYPE_FIRST_INDEX || (index >> 8) != 0)
        return PDB_PRIM_UNKNOWN;
    return pdb_primitive_class((uint8_t)index);
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
            dt_unsigned(st->out, v);
        }
        break;
    default:
        dt_unsigned(st->out, v);
        break;
    }
}

/* True when INDEX (after modifiers) is a pointer; sets *referent and *size. */
static bool dt_is_pointer(struct dt_state *st, uint32_t index, uint32_t *referent, unsigned *size)
{
    uint32_t under = index;
    if (pdb_types_underlying(st->types, index, &under))
        return false; /* the error is met again where the value prints */
    if (under < PDB_TYPE_FIRST_INDEX) {
        if ((under >> 8) == 0)
            return false;
        *referent = under & 0xff;
        *size = pdb_primitive_size(under);
        return *size != 0;
    }
    struct pdb_type t;
    struct dd_error *err = pdb_types_get(st->types, under, &t);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    if (t.leaf != PDB_LF_POINTER)
        return false;
    *referent = t.u.pointer.referent;
    *size = t.u.pointer.size ? t.u.pointer.size : dt_ptr_size(st);
    return true;
}

/*
 * Writes pointer value V to REFERENT: "(null) ", or the address and what it points at: the
 * pointee's name, a quoted string, "-> value" for pointers to values and to pointers, a
 * function's type and symbol. DEPTH bounds "-> ->" chains.
 */
static void dt_pointer_text(struct dt_state *st, uint32_t referent, unsigned size, uint64_t v,
                            unsigned depth)
{
    if (v == 0) {
        dd_puts(st->out, "(null) ");
        return;
    }
    char abuf[DD_ADDR_BUF];
    dd_printf(st->out, "0x%s", dd_fmt_addr(abuf, v, size));
    uint32_t under = referent;
    struct dd_error *err = pdb_types_underlying(st->types, referent, &under);
    if (err) {
        dd_error_destroy(err);
        return;
    }
    enum pdb_primitive_class c = dt_simple_class(under);
    if (c == PDB_PRIM_CHAR || c == PDB_PRIM_WCHAR) {
        dt_string(st, v, c == PDB_PRIM_CHAR ? 1 : 2, DT_MAX_STRING);
        return;
    }
    if (c == PDB_PRIM_VOID || under == 0) {
        dd_puts(st->out, " Void");
        return;
    }
    uint32_t inner = 0;
    unsigned inner_size = 0;
    if (depth < 2 && dt_is_pointer(st, under, &inner, &inner_size)) {
        uint8_t buf[8];
        dd_puts(st->out, "  -> ");
        if (inner_size > 8 || !dt_read(st, v, buf, inner_size))
            dd_puts(st->out, "??");
        else
            dt_pointer_text(st, inner, inner_size, dt_le(buf, inner_size), depth + 1);
        return;
    }
    if (c != PDB_PRIM_UNKNOWN) {
        dd_puts(st->out, "  -> ");
        dt_primitive_value(st, (uint8_t)under, pdb_primitive_size(under), v);
        return;
    }
    struct pdb_type t;
    if ((err = pdb_types_get(st->types, under, &t))) {
        dd_error_destroy(err);
        return;
    }
    dd_puts(st->out, " ");
    dt_type_name(st, referent);
    if ((t.leaf == PDB_LF_PROCEDURE || t.leaf == PDB_LF_MFUNCTION) && st->opt->symbolize) {
        /* Function pointers name their target: "0x...     long  nt!IopInvalidDeviceRequest+0". */
        char sym[512];
        if (st->opt->symbolize(st->opt->ctx, v, sym, sizeof(sym)))
            dd_printf(st->out, " %s%s", sym, strchr(sym, '+') ? "" : "+0");
    }
}

static bool dt_is_struct(const struct pdb_type *t)
{
    return pdb_leaf_is_udt(t->leaf) && t->leaf != PDB_LF_ENUM;
}

/* True when the members of a UDT met at this level should print under it. */
static bool dt_expand(const struct dt_state *st)
{
    if (st->level + 1 >= DT_MAX_DEPTH)
        return false;
    return st->opt->expand || st->level < st->opt->recurse;
}

/* Writes what dt shows after an embedded UDT's name for a few well-known structures. */
static void dt_udt_summary(struct dt_state *st, const struct pdb_type *t, uint64_t addr)
{
    unsigned ps = dt_ptr_size(st);
    uint8_t buf[16];
    char a[DD_ADDR_BUF], b[DD_ADDR_BUF];
    if (strcmp(t->name, "_LIST_ENTRY") == 0 && dt_read(st, addr, buf, 2 * ps)) {
        uint64_t f = dt_le(buf, ps), k = dt_le(buf + ps, ps);
        if (ps == 4)
            dd_printf(st->out, " [ 0x%" PRIx64 " - 0x%" PRIx64 " ]", f, k);
        else
            dd_printf(st->out, " [ 0x%s - 0x%s ]", dd_fmt_addr(a, f, 8), dd_fmt_addr(b, k, 8));
    } else if ((strcmp(t->name, "_LARGE_INTEGER") == 0 ||
                strcmp(t->name, "_ULARGE_INTEGER") == 0) &&
               dt_read(st, addr, buf, 8)) {
        uint64_t v = dt_le(buf, 8);
        if (v >> 32)
            dd_printf(st->out, " 0x%" PRIx64 "`%08" PRIx64, v >> 32, v & 0xffffffffu);
        else
            dd_printf(st->out, " 0x%" PRIx64, v);
    } else if ((strcmp(t->name, "_UNICODE_STRING") == 0 || strcmp(t->name, "_STRING") == 0) &&
               dt_read(st, addr, buf, 2 * ps)) {
        /* Length (bytes), then the buffer pointer at the pointer-aligned offset. */
        unsigned len = (unsigned)dt_le(buf, 2);
        unsigned width = t->name[1] == 'U' ? 2 : 1;
        uint64_t p = dt_le(buf + ps, ps);
        char text[DT_MAX_STRING + 1];
        dt_read_string(st, p, width, len / width, text);
        dd_printf(st->out, " \"%s\"", text);
    }
}

/* Writes an array's elements one per line ("    [00] 0x1"), INDENT blanks before each. */
static void dt_array_elements(struct dt_state *st, uint32_t elem, uint64_t count, uint64_t addr,
                              unsigned indent)
{
    uint64_t esize = 0;
    dd_error_destroy(pdb_types_size_of(st->types, elem, &esize));
    uint64_t max = st->opt->array_max ? st->opt->array_max : DT_MAX_ELEMENTS;
    uint64_t shown = count > max ? max : count;
    for (uint64_t i = 0; i < shown; i++) {
        dd_printf(st->out, "%*s[%02" PRIu64 "] ", (int)indent, "", i);
        dt_value(st, elem, addr + i * esize, indent);
    }
    /* A count the user gave (-aN) is no news; the default cap is (docs/limits.md). */
    if (shown < count && !st->opt->array_max)
        dd_printf(st->out,
                  "%*s... %" PRIu64 " more elements not shown (the limit is %u elements; "
                  "dt -aN shows N)\n",
                  (int)indent, "", count - shown, DT_MAX_ELEMENTS);
}

/*
 * Writes the value of type INDEX at ADDR (or its type name without memory) and a newline, then
 * whatever nests under it (embedded UDT members with -r/-b, array elements with -a/-b, pointed-to
 * UDTs with -r). INDENT is the column of the line's "+" for nested array elements.
 */
static void dt_value(struct dt_state *st, uint32_t index, uint64_t addr, unsigned indent)
{
    struct dd_writer *out = st->out;
    uint32_t under = index;
    struct pdb_type t;
    struct dd_error *err = pdb_types_underlying(st->types, index, &under);
    if (!err)
        err = pdb_types_get(st->types, under, &t);
    if (err) {
        dd_puts(out, "<error>\n");
        dt_keep_error(st, err);
        return;
    }
    uint32_t nested = 0; /* a UDT whose members may print below */
    uint64_t nested_addr = addr;
    if (!st->mem) {
        dt_type_name(st, index);
        if (dt_is_struct(&t)) {
            nested = under;
        } else if (t.leaf == PDB_LF_POINTER && st->level < st->opt->recurse) {
            uint32_t ref = t.u.pointer.referent;
            struct pdb_type rt;
            if (!pdb_types_underlying(st->types, ref, &ref) &&
                !pdb_types_get(st->types, ref, &rt) && dt_is_struct(&rt))
                nested = ref;
        }
    } else if (t.leaf == PDB_LF_PRIMITIVE) {
        if (t.u.primitive.mode != 0) {
            unsigned size = pdb_primitive_size(under);
            uint8_t buf[8];
            if (size == 0 || size > 8 || !dt_read(st, addr, buf, size))
                dd_puts(out, "??");
            else
                dt_pointer_text(st, t.u.primitive.kind, size, dt_le(buf, size), 0);
        } else {
            dt_primitive_value(st, t.u.primitive.kind, pdb_primitive_size(under), addr);
        }
    } else if (t.leaf == PDB_LF_POINTER) {
        unsigned size = t.u.pointer.size ? t.u.pointer.size : dt_ptr_size(st);
        uint8_t buf[8];
        uint64_t v = 0;
        if (size > 8 || !dt_read(st, addr, buf, size)) {
            dd_puts(out, "??");
        } else {
            v = dt_le(buf, size);
            dt_pointer_text(st, t.u.pointer.referent, size, v, 0);
        }
        uint32_t ref = t.u.pointer.referent;
        struct pdb_type rt;
        if (v != 0 && st->level < st->opt->recurse && !pdb_types_underlying(st->types, ref, &ref) &&
            !pdb_types_get(st->types, ref, &rt) && dt_is_struct(&rt)) {
            nested = ref;
            nested_addr = v;
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
            dt_unsigned(out, v);
            struct dd_error *e = pdb_types_enum_name(st->types, under, v, &name);
            if (!e)
                dd_printf(out, " ( %s )", name);
            dd_error_destroy(e);
        }
    } else if (t.leaf == PDB_LF_ARRAY) {
        uint32_t elem = t.u.array.element;
        uint64_t count = 0;
        dd_error_destroy(pdb_types_array_length(st->types, under, &count));
        uint32_t eu = elem;
        dd_error_destroy(pdb_types_underlying(st->types, elem, &eu));
        enum pdb_primitive_class c = dt_simple_class(eu);
        struct pdb_type et;
        bool elem_udt = false;
        if (eu >= PDB_TYPE_FIRST_INDEX) {
            struct dd_error *e = pdb_types_get(st->types, eu, &et);
            elem_udt = !e && dt_is_struct(&et);
            dd_error_destroy(e);
        }
        if (c == PDB_PRIM_CHAR || c == PDB_PRIM_WCHAR) {
            dd_printf(out, "[%" PRIu64 "]", count);
            dt_string(st, addr, c == PDB_PRIM_CHAR ? 1 : 2, (size_t)count);
        } else if (st->opt->arrays || st->opt->expand) {
            dd_puts(out, "\n");
            dt_array_elements(st, elem, count, addr, indent + 1);
            return;
        } else if (elem_udt || count == 0) {
            dt_type_name(st, index);
        } else {
            dd_printf(out, "[%" PRIu64 "] ", count);
            /* The first element's value, as "TlsBitmapBits : [2] 1" shows it. */
            struct dd_strbuf first = {0};
            struct dd_writer w = dd_writer_strbuf(&first);
            struct dd_writer *saved = st->out;
            unsigned saved_recurse_level = st->level;
            st->out = &w;
            st->level = DT_MAX_DEPTH; /* nothing nests under the summary */
            dt_value(st, elem, addr, indent);
            st->out = saved;
            st->level = saved_recurse_level;
            size_t n = first.len;
            while (n && first.data[n - 1] == '\n')
                n--;
            dd_write(out, first.data ? first.data : "", n);
            dd_strbuf_deinit(&first);
        }
    } else if (t.leaf == PDB_LF_PROCEDURE || t.leaf == PDB_LF_MFUNCTION) {
        dt_type_name(st, index);
    } else {
        dt_type_name(st, index);
        if (dt_is_struct(&t)) {
            dt_udt_summary(st, &t, addr);
            nested = under;
        }
    }
    dd_puts(out, "\n");
    if (nested && dt_expand(st)) {
        st->level++;
        struct dd_error *e = dt_udt(st, nested, nested_addr);
        st->level--;
        dt_keep_error(st, e);
    } else if (nested && st->level + 1 == DT_MAX_DEPTH &&
               (st->opt->expand || st->level < st->opt->recurse)) {
        /* Expansion asked for but cut by the depth bound (docs/limits.md). */
        dd_printf(out, "%*s... members nested deeper than %u levels not shown\n",
                  (int)(3 + 3 * (st->level + 1)), "", DT_MAX_DEPTH);
    }
}

static void dt_indent(struct dt_state *st)
{
    dd_printf(st->out, "%*s", (int)(3 + 3 * st->level), "");
}

/* The vtable pointer: "+0x000 __VFN_table : Ptr64 " / ": 0x0114cc84 ". */
static void dt_vfptr(struct dt_state *st, const struct pdb_type_field *f)
{
    dt_indent(st);
    dd_printf(st->out, "+0x%03" PRIx64 " __VFN_table : ", st->delta + f->offset);
    if (!st->mem) {
        dt_type_name(st, f->type);
        dd_puts(st->out, " \n");
        return;
    }
    unsigned ps = dt_ptr_size(st);
    uint8_t buf[8];
    char abuf[DD_ADDR_BUF];
    if (!dt_read(st, st->base + st->delta + f->offset, buf, ps))
        dd_puts(st->out, "?? \n");
    else
        dd_printf(st->out, "0x%s \n", dd_fmt_addr(abuf, dt_le(buf, ps), ps));
}

/* A static member: "   =00f1cb74 IAmSoStatic      : Int4B" (its value with memory). */
static void dt_static(struct dt_state *st, const struct pdb_type_field *f)
{
    char qualified[1024];
    uint64_t addr = 0;
    snprintf(qualified, sizeof(qualified), "%s::%s", st->owner ? st->owner : "", f->name);
    if (!st->opt->static_addr || !st->opt->static_addr(st->opt->ctx, qualified, &addr))
        return;
    char abuf[DD_ADDR_BUF];
    dt_indent(st);
    dd_printf(st->out, "=%s %-16s : ", dd_fmt_addr(abuf, addr, dt_ptr_size(st)), f->name);
    unsigned saved = st->level;
    st->level = DT_MAX_DEPTH; /* a static's own members are not expanded */
    dt_value(st, f->type, addr, 3 + 3 * saved);
    st->level = saved;
}

static struct dd_error *dt_field_cb(void *ctx, const struct pdb_type_field *f);

/* Flattens base class F's members into the class being shown, at the base's offset. */
static void dt_base_walk(struct dt_state *st, const struct pdb_type_field *f)
{
    if (st->bases >= DT_MAX_BASES)
        return;
    uint32_t under = f->type;
    struct pdb_type t;
    struct dd_error *err = pdb_types_underlying(st->types, f->type, &under);
    if (!err)
        err = pdb_types_get(st->types, under, &t);
    if (err) {
        dt_keep_error(st, err);
        return;
    }
    uint64_t saved_delta = st->delta;
    const char *saved_owner = st->owner;
    st->bases++;
    st->delta += f->offset;
    st->owner = t.name;
    dt_keep_error(st, pdb_types_iterate_fields(st->types, under, dt_field_cb, st));
    st->bases--;
    st->delta = saved_delta;
    st->owner = saved_owner;
}

static struct dd_error *dt_field_cb(void *ctx, const struct pdb_type_field *f)
{
    struct dt_state *st = ctx;
    if (f->leaf == PDB_LF_BCLASS || f->leaf == PDB_LF_BINTERFACE) {
        dt_base_walk(st, f);
        return NULL;
    }
    bool is_member = f->leaf == PDB_LF_MEMBER || f->leaf == PDB_LF_STMEMBER;
    if (!is_member && f->leaf != PDB_LF_VFUNCTAB)
        return NULL;
    const char *name = f->leaf == PDB_LF_VFUNCTAB ? "__VFN_table" : f->name;
    if (st->top && st->opt->field && !dd_wildcard_match(st->opt->field, name))
        return NULL;
    bool top = st->top;
    st->top = false;
    if (f->leaf == PDB_LF_VFUNCTAB) {
        dt_vfptr(st, f);
    } else if (f->leaf == PDB_LF_STMEMBER) {
        dt_static(st, f);
    } else {
        dt_indent(st);
        dd_printf(st->out, "+0x%03" PRIx64 " %-16s : ", st->delta + f->offset, f->name);
        unsigned indent = 3 + 3 * st->level;
        uint64_t addr = st->base + st->delta + f->offset;
        if (f->is_bitfield && st->mem) {
            uint32_t size = pdb_primitive_size(f->bit_type);
            uint8_t buf[8];
            if (size == 0 || size > 8 || !dt_read(st, addr, buf, size)) {
                dd_puts(st->out, "??");
            } else {
                uint64_t v = dt_le(buf, size) >> f->bit_position;
                if (f->bit_length < 64)
                    v &= (UINT64_C(1) << f->bit_length) - 1;
                dd_puts(st->out, "0y");
                for (unsigned i = f->bit_length; i-- > 0;)
                    dd_puts(st->out, (v >> i) & 1 ? "1" : "0");
                if (f->bit_length > DT_BITFIELD_NUMBER_BITS) {
                    dd_puts(st->out, " (");
                    dt_unsigned(st->out, v);
                    dd_puts(st->out, ")");
                }
            }
            dd_puts(st->out, "\n");
        } else if (f->is_bitfield) {
            dt_type_name(st, f->type);
            dd_puts(st->out, "\n");
        } else {
            /* Flattened bases keep the derived class's base address: delta is in addr. */
            uint64_t saved_delta = st->delta;
            st->delta = 0;
            dt_value(st, f->type, addr, indent);
            st->delta = saved_delta;
        }
    }
    st->top = top;
    return NULL;
}

static struct dd_error *dt_udt(struct dt_state *st, uint32_t index, uint64_t base)
{
    uint64_t saved = st->base;
    uint64_t saved_delta = st->delta;
    const char *saved_owner = st->owner;
    struct pdb_type t;
    struct dd_error *err = pdb_types_get(st->types, index, &t);
    if (err)
        return err;
    st->base = base;
    st->delta = 0;
    st->owner = t.name;
    err = pdb_types_iterate_fields(st->types, index, dt_field_cb, st);
    st->base = saved;
    st->delta = saved_delta;
    st->owner = saved_owner;
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
        const char *kind = t.leaf == PDB_LF_UNION || t.leaf == PDB_LF_UNION2   ? "union"
                           : t.leaf == PDB_LF_CLASS || t.leaf == PDB_LF_CLASS2 ? "class"
                                                                               : "struct";
        dd_printf(out, "%s %s, %u elements, 0x%" PRIx64 " bytes\n", kind, t.name,
                  (unsigned)t.u.udt.count, size);
    }
    struct dt_state st;
    memset(&st, 0, sizeof(st));
    st.types = types;
    st.opt = opt;
    st.mem = mem;
    st.out = out;
    st.top = true;
    err = dt_udt(&st, under, addr);
    if (err) {
        dd_error_destroy(st.err);
        return err;
    }
    return st.err;
}
