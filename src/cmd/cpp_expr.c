/*
 * The C++ expression evaluator, after the debugger documentation "C++ Numbers and Operators"
 * and "Evaluating Expressions":
 *   - numbers are decimal unless prefixed 0x (hex, backticks allowed: 0x7ff6`5a3c0000) or 0
 *     (octal); suffixes u, l, ll, i64 and ui64; 'c' character literals; true and false;
 *   - registers and pseudo-registers need '@' (@rax, @$peb, @$teb typed as _PEB/_TEB pointers);
 *   - names are the current frame's locals and parameters, then global variables with their
 *     PDB types ("mod!g_var", "Class::s_member"), then any other symbol (its address);
 *   - types are "[struct|class|union|enum] [mod!]Name" from the PDBs or the built-in C types,
 *     with '*' for pointers: casts "(nt!_EPROCESS*)0x1234", sizeof(type) and sizeof expr;
 *   - postfix . -> [] ; unary - + ! ~ * & ; binary * / % + - << >> < > <= >= == != & ^ | && ||
 *     with C precedence, pointer arithmetic scaled by the pointee size, C's integer promotions
 *     (int, unsigned int, int64, unsigned int64);
 *   - @@masm(...) evaluates a MASM expression inside (its value is an unsigned int64).
 * Floating-point values can be shown but not computed with.
 */
#include "cmd/cpp_expr.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/expr.h"

/* Bounds recursion on hostile input (nested parentheses, long unary chains). */
#define CPP_MAX_DEPTH 200
#define CPP_NAME_MAX 512
/* "@@" switches nested inside one @@(...) (each starts a new evaluator). */
#define CPP_MAX_SWITCHES 16

/* Simple type indices (cvinfo.h CV_typ_t low bytes). */
#define T_VOID 0x03u
#define T_CHAR 0x10u
#define T_UCHAR 0x20u
#define T_RCHAR 0x70u
#define T_WCHAR 0x71u
#define T_SHORT 0x11u
#define T_USHORT 0x21u
#define T_LONG 0x12u
#define T_ULONG 0x22u
#define T_QUAD 0x13u
#define T_UQUAD 0x23u
#define T_INT4 0x74u
#define T_UINT4 0x75u
#define T_BOOL08 0x30u
#define T_REAL32 0x40u
#define T_REAL64 0x41u

struct cpp_parser {
    struct cpp_eval *e;
    const char *start; /* the whole text, for error positions */
    const char *p;     /* scan position */
};

static struct dd_error *cpp_error(const struct cpp_parser *x, const char *kind, const char *at)
{
    size_t n = strlen(at);
    while (n && (at[n - 1] == ' ' || at[n - 1] == '\t'))
        n--;
    if (n == 0)
        return dd_error_create(DD_ERR_SYNTAX, "%s error at '<EOL>'", kind);
    (void)x;
    return dd_error_create(DD_ERR_SYNTAX, "%s error at '%.*s'", kind, (int)(n > 200 ? 200 : n), at);
}

static void skip_blanks(struct cpp_parser *x)
{
    while (*x->p == ' ' || *x->p == '\t')
        x->p++;
}

static bool accept(struct cpp_parser *x, const char *op)
{
    skip_blanks(x);
    size_t n = strlen(op);
    if (strncmp(x->p, op, n) != 0)
        return false;
    x->p += n;
    return true;
}

static bool is_ident_start(char c)
{
    return isalpha((unsigned char)c) || c == '_' || c == '$';
}

static bool is_ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* The keyword KW at the scan position, not followed by an identifier character. */
static bool accept_word(struct cpp_parser *x, const char *kw)
{
    skip_blanks(x);
    size_t n = strlen(kw);
    if (strncmp(x->p, kw, n) != 0 || is_ident_char(x->p[n]))
        return false;
    x->p += n;
    return true;
}

static unsigned ptr_size(const struct cpp_eval *e)
{
    unsigned n = session_ptr_size(e->s);
    return n == 4 ? 4 : 8;
}

static struct cpp_type simple_type(uint32_t index)
{
    struct cpp_type t = {NULL, index, 0};
    return t;
}

/* Integer simple kinds that are signed (cvinfo.h: T_CHAR, T_SHORT, T_LONG, T_QUAD, T_OCT,
 * T_RCHAR, T_INT1..T_INT16, T_HRESULT). */
static bool simple_signed(uint8_t kind)
{
    switch (kind) {
    case 0x08:
    case 0x10:
    case 0x11:
    case 0x12:
    case 0x13:
    case 0x14:
    case 0x70:
    case 0x68:
    case 0x72:
    case 0x74:
    case 0x76:
    case 0x78:
        return true;
    default:
        return false;
    }
}

struct dd_error *cpp_type_info(struct cpp_eval *e, const struct cpp_type *t, struct cpp_info *ret)
{
    struct cpp_info in;
    memset(&in, 0, sizeof(in));
    in.under = t->index;
    if (t->ptrs > 0) {
        in.kind = CPP_KIND_PTR;
        in.size = ptr_size(e);
        in.target = *t;
        in.target.ptrs--;
        *ret = in;
        return NULL;
    }
    if (t->types) {
        struct dd_error *err = pdb_types_underlying(t->types, t->index, &in.under);
        if (err)
            return err;
    }
    if (in.under < PDB_TYPE_FIRST_INDEX) {
        uint8_t kind = (uint8_t)in.under;
        if ((in.under >> 8) != 0) {
            in.kind = CPP_KIND_PTR;
            in.size = pdb_primitive_size(in.under);
            in.target.types = t->types;
            in.target.index = kind;
        } else {
            enum pdb_primitive_class c = pdb_primitive_class(kind);
            in.size = pdb_primitive_size(in.under);
            in.kind = c == PDB_PRIM_VOID      ? CPP_KIND_VOID
                      : c == PDB_PRIM_REAL    ? CPP_KIND_REAL
                      : c == PDB_PRIM_UNKNOWN ? CPP_KIND_OTHER
                                              : CPP_KIND_INT;
            in.is_signed = simple_signed(kind);
        }
        *ret = in;
        return NULL;
    }
    struct pdb_type pt;
    struct dd_error *err = pdb_types_get(t->types, in.under, &pt);
    if (err)
        return err;
    switch (pt.leaf) {
    case PDB_LF_POINTER:
        in.kind = CPP_KIND_PTR;
        in.size = pt.u.pointer.size ? pt.u.pointer.size : ptr_size(e);
        in.target.types = t->types;
        in.target.index = pt.u.pointer.referent;
        break;
    case PDB_LF_ARRAY:
        in.kind = CPP_KIND_ARRAY;
        in.size = pt.u.array.size;
        in.target.types = t->types;
        in.target.index = pt.u.array.element;
        dd_error_destroy(pdb_types_array_length(t->types, in.under, &in.count));
        break;
    case PDB_LF_ENUM: {
        in.kind = CPP_KIND_INT;
        uint32_t base = pt.u.udt.underlying;
        in.size = pdb_primitive_size(base);
        in.is_signed = base < PDB_TYPE_FIRST_INDEX && simple_signed((uint8_t)base);
        break;
    }
    case PDB_LF_PROCEDURE:
    case PDB_LF_MFUNCTION:
        in.kind = CPP_KIND_FUNC;
        break;
    default:
        if (pdb_leaf_is_udt(pt.leaf)) {
            in.kind = CPP_KIND_UDT;
            in.size = pt.u.udt.size;
        } else {
            in.kind = CPP_KIND_OTHER;
        }
        break;
    }
    *ret = in;
    return NULL;
}

struct dd_error *cpp_type_size(struct cpp_eval *e, const struct cpp_type *t, uint64_t *ret)
{
    struct cpp_info in;
    struct dd_error *err = cpp_type_info(e, t, &in);
    if (err)
        return err;
    if (in.kind == CPP_KIND_FUNC || in.kind == CPP_KIND_VOID)
        return dd_error_create(DD_ERR_UNSUPPORTED, "sizeof of a function or void");
    *ret = in.size;
    return NULL;
}

void cpp_type_name(struct cpp_eval *e, const struct cpp_type *t, struct dd_strbuf *out)
{
    (void)e;
    struct dd_strbuf name = {0};
    dd_error_destroy(pdb_types_name(t->types, t->index, PDB_TYPES_NAME_C, &name));
    dd_strbuf_append(out, name.data ? name.data : "", name.len);
    for (unsigned i = 0; i < t->ptrs; i++) {
        bool star = out->len && out->data[out->len - 1] == '*';
        dd_strbuf_append(out, star ? "*" : " *", star ? 1 : 2);
    }
    dd_strbuf_deinit(&name);
}

/* Truncates V to SIZE bytes and extends it back to 64 bits by SIGNED. */
static uint64_t fit(uint64_t v, uint64_t size, bool is_signed)
{
    if (size == 0 || size >= 8)
        return v;
    unsigned bits = (unsigned)size * 8;
    uint64_t mask = (UINT64_C(1) << bits) - 1;
    v &= mask;
    if (is_signed && (v >> (bits - 1)) & 1)
        v |= ~mask;
    return v;
}

static struct dd_error *read_target(struct cpp_parser *x, uint64_t addr, void *buf, size_t n,
                                    const char *at)
{
    struct dd_error *err = target_read_exact(x->e->s->target, addr, buf, n);
    if (!err)
        return NULL;
    dd_error_destroy(err);
    size_t len = strlen(at);
    if (len == 0)
        err = dd_error_create(DD_ERR_MEMORY, "Memory access error at '<EOL>'");
    else
        err = dd_error_create(DD_ERR_MEMORY, "Memory access error at '%.*s'",
                              (int)(len > 200 ? 200 : len), at);
    if (!err->is_static)
        err->address = addr;
    return err;
}

/* Turns V into a scalar rvalue: loads lvalues, decays arrays and functions to pointers. */
static struct dd_error *load(struct cpp_parser *x, struct cpp_value *v, const char *at)
{
    struct cpp_info in;
    struct dd_error *err = cpp_type_info(x->e, &v->type, &in);
    if (err)
        return err;
    if (in.kind == CPP_KIND_ARRAY) {
        if (!v->is_lvalue)
            return cpp_error(x, "Type conflict", at);
        v->type = in.target;
        v->type.ptrs++;
        v->bits = v->addr;
        v->is_lvalue = false;
        return NULL;
    }
    if (in.kind == CPP_KIND_FUNC) {
        v->type.ptrs++;
        v->bits = v->addr;
        v->is_lvalue = false;
        return NULL;
    }
    if (!v->is_lvalue)
        return NULL;
    if (in.kind == CPP_KIND_UDT || in.kind == CPP_KIND_VOID || in.kind == CPP_KIND_OTHER ||
        in.size == 0 || in.size > 8)
        return NULL; /* stays an object */
    uint8_t b[8] = {0};
    if ((err = read_target(x, v->addr, b, (size_t)in.size, at)))
        return err;
    uint64_t bits = 0;
    for (size_t i = (size_t)in.size; i-- > 0;)
        bits = bits << 8 | b[i];
    v->bits = in.kind == CPP_KIND_REAL ? bits : fit(bits, in.size, in.is_signed);
    v->is_lvalue = false;
    return NULL;
}

/* Loads V and checks it is an integer or pointer; sets *info. */
static struct dd_error *load_scalar(struct cpp_parser *x, struct cpp_value *v, const char *at,
                                    struct cpp_info *info)
{
    struct dd_error *err = load(x, v, at);
    if (!err)
        err = cpp_type_info(x->e, &v->type, info);
    if (err)
        return err;
    if (info->kind == CPP_KIND_REAL)
        return dd_error_create(DD_ERR_UNSUPPORTED,
                               "floating-point arithmetic is not supported at '%s'", at);
    if (info->kind != CPP_KIND_INT && info->kind != CPP_KIND_PTR)
        return cpp_error(x, "Type conflict", at);
    return NULL;
}

static struct cpp_value int_value(uint32_t index, uint64_t bits)
{
    struct cpp_value v;
    memset(&v, 0, sizeof(v));
    v.type = simple_type(index);
    v.bits = bits;
    return v;
}

/* The type C's integer promotions and usual arithmetic conversions give A op B. */
static uint32_t arith_type(const struct cpp_info *a, const struct cpp_info *b)
{
    uint64_t sa = a->size < 4 ? 4 : a->size, sb = b->size < 4 ? 4 : b->size;
    bool ua = a->size >= 4 && !a->is_signed, ub = b->size >= 4 && !b->is_signed;
    uint64_t size = sa > sb ? sa : sb;
    bool is_unsigned = (sa == size && ua) || (sb == size && ub);
    if (size >= 8)
        return is_unsigned ? T_UQUAD : T_QUAD;
    return is_unsigned ? T_UINT4 : T_INT4;
}

static uint32_t sizeof_type(const struct cpp_eval *e)
{
    return ptr_size(e) == 8 ? T_UQUAD : T_UINT4; /* size_t */
}

/* ---- names: registers, variables, types ---- */

/* Reads an identifier with "::" scopes (and <template arguments> when TEMPLATES) into BUF;
 * false when there is none. */
static bool read_name(struct cpp_parser *x, char *buf, size_t len, bool templates)
{
    skip_blanks(x);
    const char *p = x->p;
    if (!is_ident_start(*p))
        return false;
    size_t n = 0;
    int angle = 0;
    while (*p) {
        size_t take = 1;
        if (angle > 0) {
            angle += *p == '<' ? 1 : *p == '>' ? -1 : 0;
        } else if (is_ident_char(*p)) {
        } else if (p[0] == ':' && p[1] == ':') {
            take = 2;
        } else if (*p == '<' && templates) {
            angle = 1;
        } else {
            break;
        }
        if (n + take >= len)
            return false;
        memcpy(buf + n, p, take);
        n += take;
        p += take;
    }
    if (angle != 0)
        return false;
    buf[n] = '\0';
    x->p = p;
    return true;
}

/* Reads "mod!" before a name, if present, into MODULE ("" when absent). */
static void read_module(struct cpp_parser *x, char *module, size_t len)
{
    skip_blanks(x);
    module[0] = '\0';
    const char *p = x->p;
    size_t n = 0;
    while (is_ident_char(p[n]) || p[n] == '.' || p[n] == '-')
        n++;
    if (n > 0 && p[n] == '!' && p[n + 1] != '=' && n < len) {
        memcpy(module, p, n);
        module[n] = '\0';
        x->p = p + n + 1;
    }
}

static const struct {
    const char *name;
    uint32_t index;
} builtin_types[] = {
    {"unsigned char", T_UCHAR},
    {"signed char", T_CHAR},
    {"unsigned short", T_USHORT},
    {"unsigned int64", T_UQUAD},
    {"unsigned __int64", T_UQUAD},
    {"unsigned long long", T_UQUAD},
    {"unsigned long", T_ULONG},
    {"unsigned int", T_UINT4},
    {"unsigned", T_UINT4},
    {"long long", T_QUAD},
    {"__int64", T_QUAD},
    {"int64", T_QUAD},
    {"char", T_RCHAR},
    {"short", T_SHORT},
    {"long", T_LONG},
    {"int", T_INT4},
    {"bool", T_BOOL08},
    {"float", T_REAL32},
    {"double", T_REAL64},
    {"wchar_t", T_WCHAR},
    {"void", T_VOID},
};

/* Tries a built-in C type name at the scan position ("unsigned int", "__int64"). */
static bool builtin_type(struct cpp_parser *x, uint32_t *ret)
{
    skip_blanks(x);
    for (size_t i = 0; i < sizeof(builtin_types) / sizeof(builtin_types[0]); i++) {
        const char *n = builtin_types[i].name;
        const char *p = x->p;
        /* Words of the name match with any blanks between them. */
        bool ok = true;
        while (*n && ok) {
            if (*n == ' ') {
                if (*p != ' ' && *p != '\t')
                    ok = false;
                while (*p == ' ' || *p == '\t')
                    p++;
                n++;
            } else if (*n++ != *p++) {
                ok = false;
            }
        }
        if (ok && !is_ident_char(*p)) {
            x->p = p;
            *ret = builtin_types[i].index;
            return true;
        }
    }
    return false;
}

/*
 * Parses a type name at the scan position: a built-in type or "[struct|class|union|enum]
 * [mod!]Name" found in a PDB, then '*'s. Returns false (scan position unchanged) when the text
 * is not a type.
 */
static bool parse_type(struct cpp_parser *x, struct cpp_type *ret)
{
    const char *save = x->p;
    struct cpp_type t = {NULL, 0, 0};
    uint32_t simple = 0;
    bool keyword = accept_word(x, "struct") || accept_word(x, "class") || accept_word(x, "union") ||
                   accept_word(x, "enum");
    if (!keyword && builtin_type(x, &simple)) {
        t.index = simple;
    } else {
        char module[256], name[CPP_NAME_MAX];
        read_module(x, module, sizeof(module));
        struct cmd_types_hit hit;
        struct dd_error *err = NULL;
        if (!read_name(x, name, sizeof(name), true) ||
            (err = cmd_types_find(&x->e->types, module, name, &hit))) {
            dd_error_destroy(err);
            x->p = save;
            return false;
        }
        t.types = hit.types;
        t.index = hit.index;
    }
    while (accept(x, "*"))
        t.ptrs++;
    *ret = t;
    return true;
}

/* Register NAME (without '@') of the effective machine: its value, typed by its width. */
static struct dd_error *register_value(struct cpp_parser *x, const char *name, const char *at,
                                       struct cpp_value *ret)
{
    struct session *s = x->e->s;
    char text[CPP_NAME_MAX + 2];
    snprintf(text, sizeof(text), "@%s", name);
    uint64_t v = 0;
    struct dd_error *err = expr_eval(s, text, &v);
    if (err) {
        dd_error_destroy(err);
        size_t n = strlen(at);
        return dd_error_create(DD_ERR_NOT_FOUND, "Couldn't resolve error at '%.*s'",
                               (int)(n > 200 ? 200 : n), at);
    }
    struct cpp_value r = int_value(ptr_size(x->e) == 8 ? T_UQUAD : T_UINT4, v);
    if (name[0] == '$') {
        /* $peb and $teb are typed pointers, as WinDbg's C++ evaluator types them. */
        const char *udt = dd_strcasecmp(name, "$peb") == 0   ? "_PEB"
                          : dd_strcasecmp(name, "$teb") == 0 ? "_TEB"
                                                             : NULL;
        struct cmd_types_hit hit;
        if (udt && !dd_error_drop(cmd_types_find(&x->e->types, NULL, udt, &hit))) {
            r.type.types = hit.types;
            r.type.index = hit.index;
            r.type.ptrs = 1;
        }
    } else if (s->effmach) {
        const struct arch_reg *reg = arch_reg_find(s->effmach, name);
        if (reg && reg->bits <= 32) {
            r.type = simple_type(reg->bits <= 8 ? T_UCHAR : reg->bits <= 16 ? T_USHORT : T_UINT4);
            r.bits = fit(v, reg->bits <= 8 ? 1 : reg->bits <= 16 ? 2 : 4, false);
        }
    }
    *ret = r;
    return NULL;
}

/* Collects the current frame's variables once; false when there are none. */
static bool frame_vars(struct cpp_eval *e)
{
    if (e->frame_tried)
        return e->have_frame;
    e->frame_tried = true;
    struct session *s = e->s;
    struct dd_error *err = cmd_frames_collect(s, s->cur_frame + 1, &e->frames);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    if (s->cur_frame >= e->frames.count)
        return false;
    err = cmd_frame_vars_get(s, &e->frames, s->cur_frame, &e->vars);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    e->have_frame = true;
    return true;
}

/* A local or parameter NAME of the current frame; false when there is none by that name. */
static bool local_value(struct cpp_eval *e, const char *name, struct cpp_value *ret)
{
    if (!frame_vars(e))
        return false;
    for (size_t i = 0; i < e->vars.count; i++) {
        const struct cmd_var *v = &e->vars.vars[i];
        if (!v->name || strcmp(v->name, name) != 0)
            continue;
        struct cpp_value r;
        memset(&r, 0, sizeof(r));
        r.type.types = e->vars.types;
        r.type.index = v->type_index;
        if (v->in_memory) {
            r.is_lvalue = true;
            r.addr = v->address;
        } else if (v->available) {
            uint64_t bits = 0;
            size_t n = v->size && v->size < 8 ? v->size : 8;
            for (size_t k = n; k-- > 0;)
                bits = bits << 8 | v->value[k];
            r.bits = bits;
        } else {
            return false;
        }
        *ret = r;
        return true;
    }
    return false;
}

/* A name in an expression: a local, a global variable, or a symbol's address. */
static struct dd_error *name_value(struct cpp_parser *x, const char *at, struct cpp_value *ret)
{
    char module[256], name[CPP_NAME_MAX];
    read_module(x, module, sizeof(module));
    if (!read_name(x, name, sizeof(name), false))
        return cpp_error(x, "Syntax", at);
    if (!module[0] && strcmp(name, "true") == 0) {
        *ret = int_value(T_BOOL08, 1);
        return NULL;
    }
    if (!module[0] && strcmp(name, "false") == 0) {
        *ret = int_value(T_BOOL08, 0);
        return NULL;
    }
    if (!module[0] && local_value(x->e, name, ret))
        return NULL;
    struct cmd_types_var var;
    if (!dd_error_drop(cmd_types_find_var(&x->e->types, module, name, &var)) && var.types) {
        memset(ret, 0, sizeof(*ret));
        ret->type.types = var.types;
        ret->type.index = var.type_index;
        ret->is_lvalue = true;
        ret->addr = var.addr;
        return NULL;
    }
    char full[CPP_NAME_MAX + 260];
    snprintf(full, sizeof(full), "%s%s%s", module, module[0] ? "!" : "", name);
    uint64_t addr = 0;
    if (x->e->s->syms && !symbols_find_by_name(x->e->s->syms, full, &addr)) {
        /* A function or a symbol without type information: its address. */
        *ret = int_value(T_VOID, addr);
        ret->type.ptrs = 1;
        return NULL;
    }
    size_t n = strlen(at);
    return dd_error_create(DD_ERR_NOT_FOUND, "Couldn't resolve error at '%.*s'",
                           (int)(n > 200 ? 200 : n), at);
}

/* ---- numbers ---- */

static struct dd_error *number(struct cpp_parser *x, struct cpp_value *ret)
{
    const char *at = x->p;
    const char *p = x->p;
    unsigned base = 10;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
    } else if (p[0] == '0' && isdigit((unsigned char)p[1])) {
        base = 8;
        p++;
    }
    uint64_t v = 0;
    bool overflow = false, digits = base == 8;
    for (;; p++) {
        if (*p == '`' && base == 16)
            continue;
        int d;
        if (*p >= '0' && *p <= '9')
            d = *p - '0';
        else if (base == 16 && isxdigit((unsigned char)*p))
            d = tolower((unsigned char)*p) - 'a' + 10;
        else
            break;
        if (d >= (int)base)
            return cpp_error(x, "Syntax", at);
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            overflow = true;
        v = v * base + (uint64_t)d;
        digits = true;
    }
    if (!digits || overflow)
        return cpp_error(x, overflow ? "Overflow" : "Syntax", at);
    bool is_unsigned = false, is_long = false;
    for (;;) {
        if (*p == 'u' || *p == 'U') {
            is_unsigned = true;
            p++;
        } else if (*p == 'l' || *p == 'L') {
            if (p[1] == 'l' || p[1] == 'L') {
                is_long = true;
                p++;
            }
            p++;
        } else if ((p[0] == 'i' || p[0] == 'I') && p[1] == '6' && p[2] == '4') {
            is_long = true;
            p += 3;
        } else {
            break;
        }
    }
    if (is_ident_char(*p))
        return cpp_error(x, "Syntax", at);
    x->p = p;
    /* C's rule: the first of int, unsigned int (not for decimal), int64, unsigned int64 that
     * holds the value. */
    uint32_t type;
    if (!is_long && !is_unsigned && v <= INT32_MAX)
        type = T_INT4;
    else if (!is_long && (is_unsigned || base != 10) && v <= UINT32_MAX)
        type = T_UINT4;
    else if (!is_unsigned && v <= INT64_MAX)
        type = T_QUAD;
    else
        type = T_UQUAD;
    *ret = int_value(type, v);
    return NULL;
}

static struct dd_error *char_literal(struct cpp_parser *x, struct cpp_value *ret)
{
    const char *at = x->p;
    const char *p = x->p + 1;
    uint64_t c;
    if (*p == '\\') {
        p++;
        switch (*p) {
        case 'n':
            c = '\n';
            break;
        case 't':
            c = '\t';
            break;
        case 'r':
            c = '\r';
            break;
        case '0':
            c = 0;
            break;
        case '\\':
            c = '\\';
            break;
        case '\'':
            c = '\'';
            break;
        default:
            return cpp_error(x, "Syntax", at);
        }
        p++;
    } else if (*p && *p != '\'') {
        c = (unsigned char)*p++;
    } else {
        return cpp_error(x, "Syntax", at);
    }
    if (*p != '\'')
        return cpp_error(x, "Syntax", at);
    x->p = p + 1;
    *ret = int_value(T_RCHAR, c);
    return NULL;
}

/* ---- the grammar ---- */

static struct dd_error *parse_expr(struct cpp_parser *x, struct cpp_value *ret);
static struct dd_error *parse_unary(struct cpp_parser *x, struct cpp_value *ret);

/* Finds the ')' matching the '(' before P; returns NULL when there is none. */
static const char *matching_paren(const char *p)
{
    int depth = 1;
    for (; *p; p++) {
        if (*p == '(')
            depth++;
        else if (*p == ')' && --depth == 0)
            return p;
    }
    return NULL;
}

/* @@masm(...) / @@c++(...) / @@(...) inside a C++ expression. */
static struct dd_error *switch_syntax(struct cpp_parser *x, struct cpp_value *ret)
{
    const char *at = x->p;
    bool masm = false;
    if (strncmp(x->p, "@@masm(", 7) == 0) {
        masm = true;
        x->p += 7;
    } else if (strncmp(x->p, "@@c++(", 6) == 0) {
        x->p += 6;
    } else if (strncmp(x->p, "@@(", 3) == 0) {
        masm = true; /* "@@(" names the other evaluator: MASM inside C++ */
        x->p += 3;
    } else {
        return cpp_error(x, "Syntax", at);
    }
    const char *close = matching_paren(x->p);
    if (!close)
        return cpp_error(x, "Syntax", at);
    size_t n = (size_t)(close - x->p);
    char *inner = malloc(n + 1);
    if (!inner)
        return &dd_error_no_memory;
    memcpy(inner, x->p, n);
    inner[n] = '\0';
    struct dd_error *err;
    /* Each "@@" inside nests another evaluator: bound the nesting on hostile input. */
    unsigned switches = 0;
    for (const char *p = strstr(inner, "@@"); p; p = strstr(p + 2, "@@"))
        switches++;
    if (switches > CPP_MAX_SWITCHES) {
        free(inner);
        return cpp_error(x, "Syntax", at);
    }
    if (masm) {
        uint64_t v = 0;
        err = expr_eval(x->e->s, inner, &v);
        if (!err)
            *ret = int_value(T_UQUAD, v);
    } else {
        struct cpp_parser sub = {x->e, inner, inner};
        err = parse_expr(&sub, ret);
        skip_blanks(&sub);
        if (!err && *sub.p)
            err = cpp_error(&sub, "Syntax", sub.p);
    }
    free(inner);
    if (!err)
        x->p = close + 1;
    return err;
}

static struct dd_error *parse_primary(struct cpp_parser *x, struct cpp_value *ret)
{
    skip_blanks(x);
    const char *at = x->p;
    if (*x->p == '(') {
        x->p++;
        struct dd_error *err = parse_expr(x, ret);
        if (err)
            return err;
        if (!accept(x, ")"))
            return cpp_error(x, "Syntax", x->p);
        return NULL;
    }
    if (x->p[0] == '@' && x->p[1] == '@')
        return switch_syntax(x, ret);
    if (*x->p == '@') {
        x->p++;
        char name[CPP_NAME_MAX];
        size_t n = 0;
        while ((is_ident_char(*x->p)) && n + 1 < sizeof(name))
            name[n++] = *x->p++;
        name[n] = '\0';
        if (n == 0)
            return cpp_error(x, "Syntax", at);
        return register_value(x, name, at, ret);
    }
    if (isdigit((unsigned char)*x->p))
        return number(x, ret);
    if (*x->p == '\'')
        return char_literal(x, ret);
    if (is_ident_start(*x->p))
        return name_value(x, at, ret);
    if (*x->p == '\0')
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error at '<EOL>'");
    return cpp_error(x, "Syntax", at);
}

/* Member NAME of the structure value V (an lvalue), or of what it points to (ARROW). */
static struct dd_error *member(struct cpp_parser *x, struct cpp_value *v, bool arrow,
                               const char *at)
{
    struct dd_error *err;
    struct cpp_info in;
    if (arrow) {
        if ((err = load_scalar(x, v, at, &in)))
            return err;
        if (in.kind != CPP_KIND_PTR)
            return cpp_error(x, "Type conflict", at);
        struct cpp_value obj;
        memset(&obj, 0, sizeof(obj));
        obj.type = in.target;
        obj.is_lvalue = true;
        obj.addr = v->bits;
        *v = obj;
    }
    if ((err = cpp_type_info(x->e, &v->type, &in)))
        return err;
    if (in.kind != CPP_KIND_UDT || !v->is_lvalue || !v->type.types)
        return cpp_error(x, "Type conflict", at);
    skip_blanks(x);
    const char *name_at = x->p;
    char name[CPP_NAME_MAX];
    size_t n = 0;
    while (is_ident_char(*x->p) && n + 1 < sizeof(name))
        name[n++] = *x->p++;
    name[n] = '\0';
    if (n == 0)
        return cpp_error(x, "Syntax", name_at);
    struct cmd_types_member m;
    err = cmd_types_member_find(v->type.types, in.under, name, false, &m);
    if (err) {
        if (err->code != DD_ERR_NOT_FOUND)
            return err;
        dd_error_destroy(err);
        size_t len = strlen(name_at);
        return dd_error_create(DD_ERR_NOT_FOUND, "Couldn't resolve error at '%.*s'",
                               (int)(len > 200 ? 200 : len), name_at);
    }
    uint64_t addr = v->addr + m.offset;
    if (m.field.is_bitfield) {
        uint32_t size = pdb_primitive_size(m.field.bit_type);
        uint8_t b[8];
        if (size == 0 || size > 8)
            return cpp_error(x, "Type conflict", name_at);
        if ((err = read_target(x, addr, b, size, at)))
            return err;
        uint64_t bits = 0;
        for (size_t i = size; i-- > 0;)
            bits = bits << 8 | b[i];
        bits >>= m.field.bit_position;
        if (m.field.bit_length < 64)
            bits &= (UINT64_C(1) << m.field.bit_length) - 1;
        memset(v, 0, sizeof(*v));
        v->type.types = NULL;
        v->type.index = m.field.bit_type;
        v->bits = bits;
        return NULL;
    }
    struct pdb_types *types = v->type.types;
    memset(v, 0, sizeof(*v));
    v->type.types = types;
    v->type.index = m.field.type;
    v->is_lvalue = true;
    v->addr = addr;
    return NULL;
}

/* *V: the object pointer V points to. */
static struct dd_error *deref(struct cpp_parser *x, struct cpp_value *v, const char *at)
{
    struct cpp_info in;
    struct dd_error *err = load_scalar(x, v, at, &in);
    if (err)
        return err;
    if (in.kind != CPP_KIND_PTR)
        return cpp_error(x, "Type conflict", at);
    struct cpp_info tin;
    if ((err = cpp_type_info(x->e, &in.target, &tin)))
        return err;
    if (tin.kind == CPP_KIND_VOID)
        return cpp_error(x, "Type conflict", at);
    struct cpp_value r;
    memset(&r, 0, sizeof(r));
    r.type = in.target;
    r.is_lvalue = true;
    r.addr = v->bits;
    *v = r;
    return NULL;
}

/* P + N (SIGN -1 for P - N) for a pointer P. */
static struct dd_error *pointer_add(struct cpp_parser *x, struct cpp_value *p,
                                    const struct cpp_info *pin, uint64_t n, int sign,
                                    const char *at)
{
    uint64_t size = 0;
    struct dd_error *err = cpp_type_size(x->e, &pin->target, &size);
    if (err) {
        dd_error_destroy(err);
        return cpp_error(x, "Type conflict", at);
    }
    uint64_t delta = n * size;
    p->bits = sign < 0 ? p->bits - delta : p->bits + delta;
    if (pin->size == 4)
        p->bits &= 0xffffffffu;
    return NULL;
}

static struct dd_error *parse_postfix(struct cpp_parser *x, struct cpp_value *ret)
{
    struct dd_error *err = parse_primary(x, ret);
    while (!err) {
        skip_blanks(x);
        const char *at = x->p;
        if (accept(x, "->")) {
            err = member(x, ret, true, at);
        } else if (x->p[0] == '.' && !isdigit((unsigned char)x->p[1])) {
            x->p++;
            err = member(x, ret, false, at);
        } else if (accept(x, "[")) {
            struct cpp_value idx;
            struct cpp_info pin, iin;
            if ((err = parse_expr(x, &idx)))
                break;
            if (!accept(x, "]"))
                return cpp_error(x, "Syntax", x->p);
            if ((err = load_scalar(x, ret, at, &pin)) || (err = load_scalar(x, &idx, at, &iin)))
                break;
            if (pin.kind != CPP_KIND_PTR || iin.kind != CPP_KIND_INT)
                return cpp_error(x, "Type conflict", at);
            if ((err = pointer_add(x, ret, &pin, idx.bits, 1, at)))
                break;
            err = deref(x, ret, at);
        } else {
            break;
        }
    }
    return err;
}

static struct dd_error *parse_unary(struct cpp_parser *x, struct cpp_value *ret)
{
    if (++x->e->depth > CPP_MAX_DEPTH) {
        x->e->depth--;
        return cpp_error(x, "Syntax", x->p);
    }
    struct dd_error *err = NULL;
    skip_blanks(x);
    const char *at = x->p;
    struct cpp_info in;
    if (accept_word(x, "sizeof")) {
        struct cpp_type t;
        const char *save = x->p;
        if (accept(x, "(") && parse_type(x, &t) && accept(x, ")")) {
            uint64_t size = 0;
            err = cpp_type_size(x->e, &t, &size);
            if (!err)
                *ret = int_value(sizeof_type(x->e), size);
        } else {
            x->p = save;
            struct cpp_value v;
            err = parse_unary(x, &v);
            uint64_t size = 0;
            if (!err)
                err = cpp_type_size(x->e, &v.type, &size);
            if (!err)
                *ret = int_value(sizeof_type(x->e), size);
        }
    } else if (*x->p == '(' && x->p[1] != '(') {
        /* A cast when a type name follows, else a parenthesized expression. */
        const char *save = x->p;
        struct cpp_type t;
        x->p++;
        if (parse_type(x, &t) && accept(x, ")")) {
            struct cpp_value v;
            err = parse_unary(x, &v);
            struct cpp_info tin;
            if (!err)
                err = cpp_type_info(x->e, &t, &tin);
            if (!err && (tin.kind == CPP_KIND_INT || tin.kind == CPP_KIND_PTR)) {
                err = load_scalar(x, &v, at, &in);
                if (!err) {
                    v.type = t;
                    v.bits = fit(v.bits, tin.size, tin.is_signed);
                    v.is_lvalue = false;
                }
            } else if (!err && tin.kind == CPP_KIND_UDT && v.is_lvalue) {
                v.type = t; /* reinterpret the object */
            } else if (!err) {
                err = cpp_error(x, "Type conflict", at);
            }
            if (!err)
                *ret = v;
        } else {
            x->p = save;
            err = parse_postfix(x, ret);
        }
    } else if (accept(x, "&")) {
        err = parse_unary(x, ret);
        if (!err && !ret->is_lvalue)
            err = cpp_error(x, "Type conflict", at);
        if (!err) {
            ret->type.ptrs++;
            ret->bits = ret->addr;
            ret->is_lvalue = false;
        }
    } else if (*x->p == '*') {
        x->p++;
        err = parse_unary(x, ret);
        if (!err)
            err = deref(x, ret, at);
    } else if (*x->p == '-' || *x->p == '+' || *x->p == '~' || (*x->p == '!' && x->p[1] != '=')) {
        char op = *x->p++;
        err = parse_unary(x, ret);
        if (!err)
            err = load_scalar(x, ret, at, &in);
        if (!err && op == '!') {
            *ret = int_value(T_BOOL08, ret->bits == 0);
        } else if (!err && in.kind != CPP_KIND_INT) {
            err = cpp_error(x, "Type conflict", at);
        } else if (!err) {
            struct cpp_info none = in;
            uint32_t type = arith_type(&in, &none);
            uint64_t size = type == T_QUAD || type == T_UQUAD ? 8 : 4;
            uint64_t v = ret->bits;
            v = op == '-' ? 0 - v : op == '~' ? ~v : v;
            *ret = int_value(type, fit(v, size, type == T_INT4 || type == T_QUAD));
        }
    } else {
        err = parse_postfix(x, ret);
    }
    x->e->depth--;
    return err;
}

/* Binary operators by C precedence, lowest level first. */
static const char *const levels[][6] = {
    {"||", NULL},
    {"&&", NULL},
    {"|", NULL},
    {"^", NULL},
    {"&", NULL},
    {"==", "!=", NULL},
    {"<=", ">=", "<", ">", NULL},
    {"<<", ">>", NULL},
    {"+", "-", NULL},
    {"*", "/", "%", NULL},
};
#define LEVELS (int)(sizeof(levels) / sizeof(levels[0]))

/* The operator of LEVEL at the scan position (not the first half of a longer one), or NULL. */
static const char *binary_op(struct cpp_parser *x, int level)
{
    skip_blanks(x);
    const char *p = x->p;
    for (int i = 0; levels[level][i]; i++) {
        const char *op = levels[level][i];
        size_t n = strlen(op);
        if (strncmp(p, op, n) != 0)
            continue;
        /* "&" is not "&&", "|" not "||", "<" not "<<" or "<=", "=" never alone. */
        if (n == 1 && (p[1] == p[0] || p[1] == '=') && strchr("&|<>", p[0]))
            continue;
        if (n == 1 && p[0] == '-' && p[1] == '>')
            continue;
        return op;
    }
    return NULL;
}

static struct dd_error *apply(struct cpp_parser *x, const char *op, struct cpp_value *a,
                              struct cpp_value *b, const char *at)
{
    struct cpp_info ai, bi;
    struct dd_error *err = load_scalar(x, a, at, &ai);
    if (!err)
        err = load_scalar(x, b, at, &bi);
    if (err)
        return err;
    if (strcmp(op, "&&") == 0 || strcmp(op, "||") == 0) {
        bool r = op[0] == '&' ? (a->bits && b->bits) : (a->bits || b->bits);
        *a = int_value(T_BOOL08, r);
        return NULL;
    }
    bool cmp = strchr("=!<>", op[0]) && strcmp(op, "<<") != 0 && strcmp(op, ">>") != 0;
    if (ai.kind == CPP_KIND_PTR || bi.kind == CPP_KIND_PTR) {
        if (cmp) {
            uint64_t l = a->bits, r = b->bits;
            bool v = op[0] == '='            ? l == r
                     : op[0] == '!'          ? l != r
                     : strcmp(op, "<") == 0  ? l < r
                     : strcmp(op, ">") == 0  ? l > r
                     : strcmp(op, "<=") == 0 ? l <= r
                                             : l >= r;
            *a = int_value(T_BOOL08, v);
            return NULL;
        }
        if (op[0] == '+' && ai.kind == CPP_KIND_PTR && bi.kind == CPP_KIND_INT)
            return pointer_add(x, a, &ai, b->bits, 1, at);
        if (op[0] == '+' && bi.kind == CPP_KIND_PTR && ai.kind == CPP_KIND_INT) {
            uint64_t n = a->bits;
            *a = *b;
            return pointer_add(x, a, &bi, n, 1, at);
        }
        if (op[0] == '-' && ai.kind == CPP_KIND_PTR && bi.kind == CPP_KIND_INT)
            return pointer_add(x, a, &ai, b->bits, -1, at);
        if (op[0] == '-' && ai.kind == CPP_KIND_PTR && bi.kind == CPP_KIND_PTR) {
            uint64_t size = 0;
            if ((err = cpp_type_size(x->e, &ai.target, &size)) || size == 0) {
                dd_error_destroy(err);
                return cpp_error(x, "Type conflict", at);
            }
            int64_t diff = (int64_t)(a->bits - b->bits) / (int64_t)size;
            *a = int_value(ptr_size(x->e) == 8 ? T_QUAD : T_INT4, (uint64_t)diff);
            return NULL;
        }
        return cpp_error(x, "Type conflict", at);
    }
    uint32_t type = arith_type(&ai, &bi);
    bool is_signed = type == T_INT4 || type == T_QUAD;
    uint64_t size = type == T_QUAD || type == T_UQUAD ? 8 : 4;
    uint64_t l = fit(a->bits, size, is_signed), r = fit(b->bits, size, is_signed);
    if (cmp) {
        bool v;
        if (op[0] == '=')
            v = l == r;
        else if (op[0] == '!')
            v = l != r;
        else if (is_signed) {
            int64_t sl = (int64_t)l, sr = (int64_t)r;
            v = strcmp(op, "<") == 0    ? sl < sr
                : strcmp(op, ">") == 0  ? sl > sr
                : strcmp(op, "<=") == 0 ? sl <= sr
                                        : sl >= sr;
        } else {
            v = strcmp(op, "<") == 0    ? l < r
                : strcmp(op, ">") == 0  ? l > r
                : strcmp(op, "<=") == 0 ? l <= r
                                        : l >= r;
        }
        *a = int_value(T_BOOL08, v);
        return NULL;
    }
    uint64_t v = 0;
    switch (op[0]) {
    case '+':
        v = l + r;
        break;
    case '-':
        v = l - r;
        break;
    case '*':
        v = l * r;
        break;
    case '&':
        v = l & r;
        break;
    case '|':
        v = l | r;
        break;
    case '^':
        v = l ^ r;
        break;
    case '<':
        v = l << (r & 63);
        break;
    case '>':
        v = is_signed ? (uint64_t)((int64_t)l >> (r & 63)) : fit(l, size, false) >> (r & 63);
        break;
    case '/':
    case '%':
        if (r == 0)
            return cpp_error(x, "Divide by zero", at);
        if (is_signed)
            v = op[0] == '/' ? (uint64_t)((int64_t)l / (int64_t)r)
                             : (uint64_t)((int64_t)l % (int64_t)r);
        else
            v = op[0] == '/' ? fit(l, size, false) / fit(r, size, false)
                             : fit(l, size, false) % fit(r, size, false);
        break;
    default:
        return cpp_error(x, "Syntax", at);
    }
    *a = int_value(type, fit(v, size, is_signed));
    return NULL;
}

static struct dd_error *parse_binary(struct cpp_parser *x, int level, struct cpp_value *ret)
{
    if (level >= LEVELS)
        return parse_unary(x, ret);
    if (++x->e->depth > CPP_MAX_DEPTH) {
        x->e->depth--;
        return cpp_error(x, "Syntax", x->p);
    }
    struct dd_error *err = parse_binary(x, level + 1, ret);
    const char *op;
    while (!err && (op = binary_op(x, level))) {
        const char *at = x->p;
        x->p += strlen(op);
        struct cpp_value b;
        err = parse_binary(x, level + 1, &b);
        if (!err)
            err = apply(x, op, ret, &b, at);
    }
    x->e->depth--;
    return err;
}

static struct dd_error *parse_expr(struct cpp_parser *x, struct cpp_value *ret)
{
    return parse_binary(x, 0, ret);
}

/* ---- the interface ---- */

struct dd_error *cpp_eval_init(struct cpp_eval *e, struct session *s)
{
    memset(e, 0, sizeof(*e));
    e->s = s;
    return cmd_types_init(&e->types, s);
}

void cpp_eval_deinit(struct cpp_eval *e)
{
    if (e->have_frame)
        cmd_frame_vars_deinit(&e->vars);
    if (e->frame_tried)
        cmd_frames_deinit(&e->frames);
    cmd_types_deinit(&e->types);
    memset(e, 0, sizeof(*e));
}

struct dd_error *cpp_eval_expr(struct cpp_eval *e, const char *text, const char **end,
                               struct cpp_value *ret)
{
    struct cpp_parser x = {e, text, text};
    struct cpp_value v;
    memset(&v, 0, sizeof(v));
    e->depth = 0;
    struct dd_error *err = parse_expr(&x, &v);
    if (err)
        return err;
    skip_blanks(&x);
    if (end)
        *end = x.p;
    *ret = v;
    return NULL;
}

struct dd_error *cpp_value_load(struct cpp_eval *e, struct cpp_value *v)
{
    struct cpp_parser x = {e, "", ""};
    return load(&x, v, "");
}

struct dd_error *cpp_value_number(struct cpp_eval *e, const struct cpp_value *v, uint64_t *ret)
{
    struct cpp_info in;
    struct dd_error *err = cpp_type_info(e, &v->type, &in);
    if (err)
        return err;
    if (v->is_lvalue &&
        (in.kind == CPP_KIND_UDT || in.kind == CPP_KIND_ARRAY || in.kind == CPP_KIND_FUNC)) {
        *ret = v->addr;
        return NULL;
    }
    struct cpp_value copy = *v;
    struct cpp_parser x = {e, "", ""};
    if ((err = load(&x, &copy, "")))
        return err;
    if (copy.is_lvalue)
        return dd_error_create(DD_ERR_SYNTAX, "the value is not a number");
    *ret = copy.bits;
    return NULL;
}

struct dd_error *cpp_expr_eval_number(struct session *s, const char *text, uint64_t *ret)
{
    struct cpp_eval e;
    struct dd_error *err = cpp_eval_init(&e, s);
    if (err)
        return err;
    struct cpp_value v;
    const char *end = NULL;
    err = cpp_eval_expr(&e, text, &end, &v);
    if (!err && *end) {
        size_t n = strlen(end);
        err =
            dd_error_create(DD_ERR_SYNTAX, "Syntax error at '%.*s'", (int)(n > 200 ? 200 : n), end);
    }
    uint64_t n = 0;
    if (!err)
        err = cpp_value_number(&e, &v, &n);
    cpp_eval_deinit(&e);
    if (!err)
        *ret = n;
    return err;
}
