/*
 * `??`: evaluate a C++ expression and print its value with its type, as WinDbg does
 * (debugger documentation "?? (Evaluate C++ Expression)", "C++ Numbers and Operators"):
 *   ?? @eip                     unsigned int 0x771e1a02
 *   ?? sizeof(_TEB)             unsigned int 0x1000     (unsigned int64 on 64-bit targets)
 *   ?? sizeof(PODType *)        unsigned int 4          (unsigned: decimal below ten)
 *   ?? 1+2                      int 0n3                 (signed: 0n decimal)
 *   ?? @$peb                    struct _PEB * 0x000000e1`3d3c6000, then the members dt-style
 *   ?? @$peb->ProcessParameters->ImagePathName
 *                               struct _UNICODE_STRING, its text, then the members
 * Chars print their number and the quoted character, bools true/false, enums their
 * enumerator and value, char pointers their string.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/cmd_dt.h"
#include "cmd/command.h"
#include "cmd/cpp_expr.h"

/* Characters of a string a pointer or array value quotes. */
#define CPP_MAX_STRING 256

static struct dd_error *cpp_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    return target_read_exact(ctx, addr, buf, n);
}

/* Writes the NUL-terminated string of WIDTH-byte characters at ADDR, quoted, at most MAX. */
static void cpp_string(struct session *s, uint64_t addr, unsigned width, size_t max)
{
    char text[CPP_MAX_STRING + 1];
    size_t n = 0;
    if (max > CPP_MAX_STRING)
        max = CPP_MAX_STRING;
    for (; n < max; n++) {
        uint8_t c[2] = {0, 0};
        if (dd_error_drop(target_read_exact(s->target, addr + n * width, c, width)))
            break;
        unsigned ch = width == 2 ? (unsigned)(c[0] | c[1] << 8) : c[0];
        if (ch == 0)
            break;
        text[n] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    text[n] = '\0';
    dd_printf(s->out, " \"%s\"", text);
}

/* The class of T when it is a direct simple type (modifiers skipped), else PDB_PRIM_UNKNOWN. */
static enum pdb_primitive_class cpp_simple_class(struct cpp_eval *e, const struct cpp_type *t)
{
    struct cpp_info in;
    if (t->ptrs || dd_error_drop(cpp_type_info(e, t, &in)))
        return PDB_PRIM_UNKNOWN;
    if (in.under >= PDB_TYPE_FIRST_INDEX || (in.under >> 8) != 0)
        return PDB_PRIM_UNKNOWN;
    return pdb_primitive_class((uint8_t)in.under);
}

static void cpp_unsigned(struct dd_writer *out, uint64_t v)
{
    if (v < 10)
        dd_printf(out, "%" PRIu64, v);
    else
        dd_printf(out, "0x%" PRIx64, v);
}

/* Prints the members of UDT INDEX at ADDR as dt does. */
static struct dd_error *cpp_members(struct session *s, struct cpp_eval *e, struct pdb_types *types,
                                    uint32_t index, uint64_t addr)
{
    struct cmd_dt_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.symbolize = cmd_types_symbolize;
    opt.static_addr = cmd_types_static_addr;
    opt.ctx = &e->types;
    struct cmd_dt_memory mem = {cpp_read, s->target, session_ptr_size(s)};
    return cmd_dt_format(types, index, &opt, &mem, addr, s->out);
}

/* Prints an integer value V of type T (info IN). */
static void cpp_integer(struct session *s, struct cpp_eval *e, const struct cpp_value *v,
                        const struct cpp_info *in)
{
    struct dd_writer *out = s->out;
    const struct cpp_type *t = &v->type;
    if (t->types && in->under >= PDB_TYPE_FIRST_INDEX) {
        /* An enum: "Green (0n7)". */
        const char *name = NULL;
        if (!dd_error_drop(pdb_types_enum_name(t->types, in->under, v->bits, &name)))
            dd_printf(out, "%s ", name);
        dd_printf(out, "(0n%" PRId64 ")\n", (int64_t)v->bits);
        return;
    }
    struct cpp_type simple = {NULL, in->under, 0};
    enum pdb_primitive_class c = cpp_simple_class(e, &simple);
    if (c == PDB_PRIM_BOOL) {
        dd_puts(out, v->bits ? "true\n" : "false\n");
        return;
    }
    if (in->is_signed)
        dd_printf(out, "0n%" PRId64, (int64_t)v->bits);
    else if (c == PDB_PRIM_CHAR || c == PDB_PRIM_WCHAR)
        dd_printf(out, "0x%" PRIx64, v->bits);
    else
        cpp_unsigned(out, v->bits);
    if (c == PDB_PRIM_CHAR || c == PDB_PRIM_WCHAR) {
        uint64_t ch = v->bits & (c == PDB_PRIM_CHAR ? 0xff : 0xffff);
        if (ch >= 0x20 && ch < 0x7f)
            dd_printf(out, " '%c'", (char)ch);
        else
            dd_puts(out, " ''");
    }
    dd_puts(out, "\n");
}

static struct dd_error *cpp_print(struct session *s, struct cpp_eval *e, struct cpp_value *v)
{
    struct dd_writer *out = s->out;
    struct cpp_info in;
    struct dd_error *err = cpp_type_info(e, &v->type, &in);
    if (err)
        return err;
    /* Scalars are read before anything prints, so a read error stands alone. */
    struct cpp_value shown = *v;
    bool object = (in.kind == CPP_KIND_UDT || in.kind == CPP_KIND_ARRAY) && v->is_lvalue;
    if (!object && (err = cpp_value_load(e, &shown)))
        return err;
    struct dd_strbuf name = {0};
    cpp_type_name(e, &v->type, &name);
    dd_printf(out, "%s", name.data ? name.data : "");
    dd_strbuf_deinit(&name);
    char abuf[DD_ADDR_BUF];
    unsigned ps = session_ptr_size(s) == 4 ? 4 : 8;
    if (in.kind == CPP_KIND_UDT && v->is_lvalue) {
        dd_puts(out, "\n");
        struct pdb_type t;
        if (v->type.types && !dd_error_drop(pdb_types_get(v->type.types, in.under, &t)) &&
            (strcmp(t.name, "_UNICODE_STRING") == 0 || strcmp(t.name, "_STRING") == 0)) {
            /* Counted strings show their text on a line of its own first. */
            uint8_t b[16];
            if (!dd_error_drop(target_read_exact(s->target, v->addr, b, 2 * ps))) {
                unsigned width = t.name[1] == 'U' ? 2 : 1;
                uint64_t p = ps == 8 ? dd_le64(b + 8) : dd_le32(b + 4);
                cpp_string(s, p, width, (size_t)dd_le16(b) / width);
                dd_puts(out, "\n");
            }
        }
        return cpp_members(s, e, v->type.types, in.under, v->addr);
    }
    if (in.kind == CPP_KIND_ARRAY && v->is_lvalue) {
        dd_printf(out, " 0x%s", dd_fmt_addr(abuf, v->addr, ps));
        enum pdb_primitive_class c = cpp_simple_class(e, &in.target);
        if (c == PDB_PRIM_CHAR || c == PDB_PRIM_WCHAR)
            cpp_string(s, v->addr, c == PDB_PRIM_CHAR ? 1 : 2, (size_t)in.count);
        dd_puts(out, "\n");
        return NULL;
    }
    *v = shown;
    if ((err = cpp_type_info(e, &v->type, &in)))
        return err;
    dd_puts(out, " ");
    switch (in.kind) {
    case CPP_KIND_INT:
        cpp_integer(s, e, v, &in);
        return NULL;
    case CPP_KIND_REAL:
        if (in.size == 4) {
            float f;
            uint32_t b32 = (uint32_t)v->bits;
            memcpy(&f, &b32, 4);
            dd_printf(out, "%g\n", (double)f);
        } else {
            double d;
            memcpy(&d, &v->bits, 8);
            dd_printf(out, "%g\n", d);
        }
        return NULL;
    case CPP_KIND_PTR: {
        dd_printf(out, "0x%s", dd_fmt_addr(abuf, v->bits, in.size == 4 ? 4 : ps));
        enum pdb_primitive_class c = cpp_simple_class(e, &in.target);
        if (v->bits && (c == PDB_PRIM_CHAR || c == PDB_PRIM_WCHAR))
            cpp_string(s, v->bits, c == PDB_PRIM_CHAR ? 1 : 2, CPP_MAX_STRING);
        dd_puts(out, "\n");
        struct cpp_info tin;
        if (v->bits && in.target.ptrs == 0 && in.target.types &&
            !dd_error_drop(cpp_type_info(e, &in.target, &tin)) && tin.kind == CPP_KIND_UDT)
            return cpp_members(s, e, in.target.types, tin.under, v->bits);
        return NULL;
    }
    default:
        dd_puts(out, "\n");
        return NULL;
    }
}

struct dd_error *cmd_cpp_evaluate(struct session *s, const struct cmd_args *args)
{
    struct cpp_eval e;
    struct dd_error *err = cpp_eval_init(&e, s);
    if (err)
        return err;
    struct cpp_value v;
    const char *end = NULL;
    err = cpp_eval_expr(&e, args->rest, &end, &v);
    if (!err && *end) {
        size_t n = strlen(end);
        err =
            dd_error_create(DD_ERR_SYNTAX, "Syntax error at '%.*s'", (int)(n > 200 ? 200 : n), end);
    }
    if (!err)
        err = cpp_print(s, &e, &v);
    cpp_eval_deinit(&e);
    return err;
}
