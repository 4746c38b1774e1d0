/*
 * Values as dv and kp print them (the debugger's C++ expression evaluator style, unlike dt's):
 *   int argc = 0n1                      signed integers in decimal with 0n
 *   unsigned int flags = 0x11           unsigned integers in hex
 *   char c = 0n104 'h'                  chars: the number and the character
 *   char * text = 0x00000001`400051d3 "hello"   pointers as addresses; char strings quoted
 *   struct point pt = struct point      aggregates: their type name (dt shows the members)
 *   enum color c = red (0n0)            enums: the enumerator and its value
 *   bool b = true, double d = 1.5
 * Layout facts from WinDbg transcripts ("msg = struct tagMSG", "nCmdShow = 0n10",
 * "lpCmdLine = 0x00141f24 """).
 */
#include <inttypes.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_vars.h"

#define VALUE_MAX_STRING 256 /* characters of a string a pointer value quotes */

static uint64_t value_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n < 8 ? n : 8; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static int64_t value_sign_extend(uint64_t v, size_t size)
{
    if (size >= 8 || size == 0)
        return (int64_t)v;
    uint64_t bit = UINT64_C(1) << (size * 8 - 1);
    return (int64_t)((v ^ bit) - bit);
}

static void value_char(struct dd_writer *out, uint64_t v)
{
    if (v >= 0x20 && v < 0x7f)
        dd_printf(out, " '%c'", (char)v);
    else if (v == 0)
        dd_puts(out, " ''");
    else
        dd_printf(out, " '\\x%02" PRIx64 "'", v & 0xff);
}

/* Writes the NUL-terminated string of WIDTH-byte characters at ADDR, quoted; unreadable: "". */
static void value_string(const struct cmd_dt_memory *mem, uint64_t addr, unsigned width,
                         struct dd_writer *out)
{
    char text[VALUE_MAX_STRING + 1];
    size_t n = 0;
    bool readable = mem && mem->read;
    for (; readable && n < VALUE_MAX_STRING; n++) {
        uint8_t c[2] = {0, 0};
        struct dd_error *err = mem->read(mem->ctx, addr + n * width, c, width);
        if (err) {
            dd_error_destroy(err);
            if (n == 0)
                readable = false;
            break;
        }
        uint32_t ch = width == 2 ? (uint32_t)(c[0] | c[1] << 8) : c[0];
        if (ch == 0)
            break;
        text[n] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    text[n] = 0;
    if (!readable) {
        dd_puts(out, " \"<Memory access error>\"");
        return;
    }
    dd_printf(out, " \"%s\"", text);
}

static void value_pointer(const struct cmd_dt_memory *mem, struct pdb_types *types,
                          uint32_t referent, uint64_t v, unsigned size, struct dd_writer *out)
{
    char abuf[DD_ADDR_BUF];
    dd_printf(out, "0x%s", dd_fmt_addr(abuf, v, size == 4 ? 4 : 8));
    if (v == 0)
        return;
    uint32_t under = referent;
    struct dd_error *err = types ? pdb_types_underlying(types, referent, &under) : NULL;
    if (err) {
        dd_error_destroy(err);
        return;
    }
    if (under < PDB_TYPE_FIRST_INDEX && (under >> 8) == 0) {
        enum pdb_primitive_class c = pdb_primitive_class((uint8_t)under);
        if (c == PDB_PRIM_CHAR)
            value_string(mem, v, 1, out);
        else if (c == PDB_PRIM_WCHAR && pdb_primitive_size(under) == 2)
            value_string(mem, v, 2, out);
    }
}

static void value_primitive(uint32_t index, const uint8_t *bytes, size_t size,
                            const struct cmd_dt_memory *mem, struct pdb_types *types,
                            struct dd_writer *out)
{
    uint8_t kind = (uint8_t)index;
    uint32_t want = pdb_primitive_size(index);
    if (want == 0 || want > size) {
        dd_puts(out, "??");
        return;
    }
    uint64_t v = value_le(bytes, want);
    if ((index >> 8) != 0) { /* a simple pointer type (mode != 0): "char *" is 0x0670 */
        value_pointer(mem, types, kind, v, want, out);
        return;
    }
    switch (pdb_primitive_class(kind)) {
    case PDB_PRIM_SIGNED:
    case PDB_PRIM_HRESULT:
        dd_printf(out, "0n%" PRId64, value_sign_extend(v, want));
        break;
    case PDB_PRIM_CHAR:
        /* char and signed char print signed, unsigned char in hex (cvinfo.h T_UCHAR 0x20). */
        if (kind == 0x20)
            dd_printf(out, "0x%" PRIx64, v);
        else
            dd_printf(out, "0n%" PRId64, value_sign_extend(v, want));
        value_char(out, v);
        break;
    case PDB_PRIM_WCHAR:
        dd_printf(out, "0x%" PRIx64, v);
        value_char(out, v);
        break;
    case PDB_PRIM_BOOL:
        dd_puts(out, v ? "true" : "false");
        break;
    case PDB_PRIM_REAL:
        if (want == 4) {
            float f;
            memcpy(&f, bytes, 4);
            dd_printf(out, "%g", (double)f);
        } else if (want == 8) {
            double d;
            memcpy(&d, bytes, 8);
            dd_printf(out, "%g", d);
        } else {
            dd_printf(out, "0x%" PRIx64, v);
        }
        break;
    default:
        dd_printf(out, "0x%" PRIx64, v);
        break;
    }
}

void cmd_value_type_name(struct pdb_types *types, uint32_t index, struct dd_strbuf *out)
{
    if (!types) {
        dd_strbuf_append(out, "<unknown>", 9);
        return;
    }
    struct dd_strbuf name = {0};
    struct dd_error *err = pdb_types_name(types, index, PDB_TYPES_NAME_C, &name);
    if (err || !name.data)
        dd_strbuf_append(out, "<unknown>", 9);
    else
        dd_strbuf_append(out, name.data, name.len);
    dd_error_destroy(err);
    dd_strbuf_deinit(&name);
}

void cmd_value_format(struct pdb_types *types, uint32_t index, const uint8_t *bytes, size_t size,
                      const struct cmd_dt_memory *mem, struct dd_writer *out)
{
    uint32_t under = index;
    struct pdb_type t;
    struct dd_error *err = NULL;
    if (index < PDB_TYPE_FIRST_INDEX) {
        value_primitive(index, bytes, size, mem, types, out);
        return;
    }
    if (!types) {
        dd_puts(out, "??");
        return;
    }
    err = pdb_types_underlying(types, index, &under);
    if (!err)
        err = pdb_types_get(types, under, &t);
    if (err) {
        dd_error_destroy(err);
        dd_puts(out, "??");
        return;
    }
    if (t.leaf == PDB_LF_PRIMITIVE) {
        value_primitive(under, bytes, size, mem, types, out);
        return;
    }
    if (t.leaf == PDB_LF_POINTER) {
        unsigned ps = t.u.pointer.size ? t.u.pointer.size : 8;
        if (ps > size || ps > 8) {
            dd_puts(out, "??");
            return;
        }
        value_pointer(mem, types, t.u.pointer.referent, value_le(bytes, ps), ps, out);
        return;
    }
    if (t.leaf == PDB_LF_ENUM) {
        uint32_t base = t.u.udt.underlying;
        uint32_t n = pdb_primitive_size(base);
        if (n == 0 || n > size || n > 8) {
            dd_puts(out, "??");
            return;
        }
        uint64_t v = value_le(bytes, n);
        const char *name = NULL;
        err = pdb_types_enum_name(types, under, v, &name);
        if (!err)
            dd_printf(out, "%s (0n%" PRId64 ")", name, value_sign_extend(v, n));
        else
            dd_printf(out, "0n%" PRId64, value_sign_extend(v, n));
        dd_error_destroy(err);
        return;
    }
    /* Aggregates, arrays and anything else: the type's name, as dv prints "struct tagMSG". */
    struct dd_strbuf name = {0};
    cmd_value_type_name(types, index, &name);
    dd_write(out, name.data ? name.data : "", name.len);
    dd_strbuf_deinit(&name);
}
