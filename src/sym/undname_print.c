/* Prints the undname parse tree in two spellings.
 *
 * UND_STYLE_FULL is the complete declaration exactly as llvm-undname prints it (the independent
 * reference the tests compare with): "public: void __cdecl ns::C::f(int) const".
 * UND_STYLE_NAME_ONLY is what dbghelp's UnDecorateSymbolName(UNDNAME_NAME_ONLY) and so WinDbg show
 * for a public symbol: the qualified name with template arguments and nothing else, in MSVC's
 * spelling: no class/struct/union/enum keywords, "," between arguments, "> >" between closing
 * brackets, "char const *" and "void (__cdecl*)(int)" pointers. Nested declarations (the function
 * of a local scope, symbols used as template arguments) are name-only too: `main'::`2'::x. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sym/undname_internal.h"

#define UND_MAX_PRINT_DEPTH 256

struct pctx {
    struct und_out *out;
    enum und_style style;
    unsigned depth;
};

static void print_symbol(struct pctx *c, const struct und_node *s);
static void print_qname(struct pctx *c, const struct und_node *qn);
static void print_ident(struct pctx *c, const struct und_node *id);
static void print_type(struct pctx *c, const struct und_node *t);
static void type_pre(struct pctx *c, const struct und_node *t, int no_cc);
static void type_post(struct pctx *c, const struct und_node *t);

static int msvc(const struct pctx *c)
{
    return c->style == UND_STYLE_NAME_ONLY;
}

/* ---- output buffer ---- */

static int stopped(const struct pctx *c)
{
    return c->out->overflow || c->out->oom;
}

static void putn(struct pctx *c, const char *s, size_t n)
{
    struct und_out *o = c->out;
    if (stopped(c))
        return;
    if (n > UND_MAX_OUTPUT - o->len) {
        o->overflow = 1;
        return;
    }
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap : 128;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *b = realloc(o->buf, cap);
        if (!b) {
            o->oom = 1;
            return;
        }
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put(struct pctx *c, const char *s)
{
    putn(c, s, strlen(s));
}

static void put_u64(struct pctx *c, uint64_t v)
{
    char b[24];
    snprintf(b, sizeof(b), "%" PRIu64, v);
    put(c, b);
}

static void put_i64(struct pctx *c, int64_t v)
{
    char b[24];
    snprintf(b, sizeof(b), "%" PRId64, v);
    put(c, b);
}

static char last_char(const struct pctx *c)
{
    return c->out->len ? c->out->buf[c->out->len - 1] : '\0';
}

/* A space before a name or declarator when the text so far ends in a word or a '>'. */
static void space_if_needed(struct pctx *c)
{
    char ch = last_char(c);
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        ch == '>')
        put(c, " ");
}

static const char *separator(const struct pctx *c)
{
    return msvc(c) ? "," : ", ";
}

/* Depth guard: backreferences can make a printed tree deeper than the parse was. */
static int enter(struct pctx *c)
{
    if (c->depth >= UND_MAX_PRINT_DEPTH) {
        c->out->overflow = 1;
        return 0;
    }
    c->depth++;
    return !stopped(c);
}

static void leave(struct pctx *c)
{
    c->depth--;
}

/* ---- qualifiers and calling conventions ---- */

static void print_quals(struct pctx *c, unsigned q, int space_before, int space_after)
{
    static const struct {
        unsigned bit;
        const char *text;
    } names[] = {
        {UND_Q_CONST, "const"}, {UND_Q_VOLATILE, "volatile"}, {UND_Q_RESTRICT, "__restrict"}};
    int any = 0;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (!(q & names[i].bit))
            continue;
        if (space_before)
            put(c, " ");
        put(c, names[i].text);
        space_before = 1;
        any = 1;
    }
    if (any && space_after)
        put(c, " ");
}

static void print_cc(struct pctx *c, enum und_cc cc)
{
    static const char *const names[] = {
        [UND_CC_NONE] = "",
        [UND_CC_CDECL] = "__cdecl",
        [UND_CC_PASCAL] = "__pascal",
        [UND_CC_THISCALL] = "__thiscall",
        [UND_CC_STDCALL] = "__stdcall",
        [UND_CC_FASTCALL] = "__fastcall",
        [UND_CC_CLRCALL] = "__clrcall",
        [UND_CC_EABI] = "__eabi",
        [UND_CC_VECTORCALL] = "__vectorcall",
        [UND_CC_SWIFT] = "__attribute__((__swiftcall__)) ",
        [UND_CC_SWIFT_ASYNC] = "__attribute__((__swiftasynccall__)) ",
    };
    put(c, names[cc]);
}

/* ---- lists ---- */

static void print_list(struct pctx *c, const struct und_list *l, const char *sep, int as_type)
{
    for (int first = 1; l && !stopped(c); l = l->next, first = 0) {
        if (!first)
            put(c, sep);
        if (as_type)
            print_type(c, l->node);
        else
            print_ident(c, l->node);
    }
}

static void print_targ(struct pctx *c, const struct und_node *a)
{
    if (a->kind == UND_ARG_INT) {
        if (a->negative)
            put(c, "-");
        put_u64(c, a->value);
        return;
    }
    if (a->kind == UND_ARG_SYMREF) {
        if (a->num_count)
            put(c, "{");
        else if (a->affinity == UND_PTR)
            put(c, "&");
        if (a->symbol) {
            print_symbol(c, a->symbol);
            if (a->num_count)
                put(c, separator(c));
        }
        for (size_t i = 0; i < a->num_count; i++) {
            if (i)
                put(c, separator(c));
            put_i64(c, a->snums[i]);
        }
        if (a->num_count)
            put(c, "}");
        return;
    }
    if (a->kind == UND_QNAME) {
        print_qname(c, a);
        return;
    }
    print_type(c, a);
}

static void print_targs(struct pctx *c, const struct und_node *id)
{
    if (!id->has_targs)
        return;
    put(c, "<");
    int first = 1;
    for (const struct und_list *l = id->targs; l && !stopped(c); l = l->next, first = 0) {
        if (!first)
            put(c, separator(c));
        print_targ(c, l->node);
    }
    /* MSVC writes "> >" so that nested lists do not end in the >> token */
    if (msvc(c) && last_char(c) == '>')
        put(c, " ");
    put(c, ">");
}

/* ---- identifiers and names ---- */

static void print_ident(struct pctx *c, const struct und_node *id)
{
    if (!enter(c))
        return;
    const char *sep = separator(c);
    switch (id->kind) {
    case UND_ID_NAMED:
    case UND_ID_INTRINSIC:
        putn(c, id->text, id->text_len);
        print_targs(c, id);
        break;
    case UND_ID_ANON_NS:
        put(c, "`anonymous namespace'");
        break;
    case UND_ID_LOCAL_SCOPE:
        put(c, "`");
        print_symbol(c, id->symbol);
        put(c, "'::`");
        put_u64(c, id->value);
        put(c, "'");
        break;
    case UND_ID_STRUCTOR:
        if (id->flag)
            put(c, "~");
        if (id->name)
            print_ident(c, id->name);
        print_targs(c, id);
        break;
    case UND_ID_CONVERSION:
        put(c, "operator");
        print_targs(c, id);
        put(c, " ");
        if (id->type)
            print_type(c, id->type);
        break;
    case UND_ID_LITERAL_OP:
        put(c, "operator \"\"");
        putn(c, id->text, id->text_len);
        print_targs(c, id);
        break;
    case UND_ID_VCALL:
        put(c, "`vcall'{");
        put_u64(c, id->value);
        put(c, sep);
        put(c, "{flat}}");
        break;
    case UND_ID_RTTI_BCD:
        put(c, "`RTTI Base Class Descriptor at (");
        /* 32-bit fields of the RTTI base class descriptor */
        put_u64(c, (uint32_t)id->nums[0]);
        put(c, sep);
        put_i64(c, (int32_t)id->snums[1]);
        put(c, sep);
        put_u64(c, (uint32_t)id->nums[2]);
        put(c, sep);
        put_u64(c, (uint32_t)id->nums[3]);
        put(c, ")'");
        break;
    case UND_ID_GUARD:
        put(c, id->flag ? "`local static thread guard'" : "`local static guard'");
        if ((uint32_t)id->value) {
            put(c, "{");
            put_u64(c, (uint32_t)id->value);
            put(c, "}");
        }
        break;
    case UND_ID_DYN_STRUCTOR:
        put(c, id->flag ? "`dynamic atexit destructor for " : "`dynamic initializer for ");
        if (id->symbol) {
            put(c, "`");
            print_symbol(c, id->symbol);
        } else {
            put(c, "'");
            print_qname(c, id->name);
        }
        put(c, "''");
        break;
    case UND_QNAME:
        print_qname(c, id);
        break;
    default:
        break;
    }
    leave(c);
}

static void print_qname(struct pctx *c, const struct und_node *qn)
{
    if (qn)
        print_list(c, qn->list, "::", 0);
}

/* ---- types ---- */

static int is_function(const struct und_node *t)
{
    return t && t->kind == UND_TY_FUNCTION;
}

static int is_thunk(const struct und_node *sig)
{
    return sig->flag || (sig->fclass & (UND_FC_STHIS_ADJUST | UND_FC_VTHIS_ADJUST));
}

/* The part of a function signature before its name: access, storage, return type, convention. */
static void function_pre(struct pctx *c, const struct und_node *f, int no_cc)
{
    unsigned fc = f->fclass;
    if (is_thunk(f))
        put(c, "[thunk]: ");
    if (fc & UND_FC_PUBLIC)
        put(c, "public: ");
    if (fc & UND_FC_PROTECTED)
        put(c, "protected: ");
    if (fc & UND_FC_PRIVATE)
        put(c, "private: ");
    if (!(fc & UND_FC_GLOBAL) && (fc & UND_FC_STATIC))
        put(c, "static ");
    if (fc & UND_FC_VIRTUAL)
        put(c, "virtual ");
    if (fc & UND_FC_EXTERN_C)
        put(c, "extern \"C\" ");
    if (f->type) {
        type_pre(c, f->type, 0);
        put(c, " ");
    }
    if (!no_cc)
        print_cc(c, f->cc);
}

static void thunk_suffix(struct pctx *c, const struct und_node *f)
{
    const char *sep = separator(c);
    if (f->fclass & UND_FC_STHIS_ADJUST) {
        /* LLVM keeps the static offset as uint32_t and the vtordisp offsets as int32_t */
        put(c, "`adjustor{");
        put_u64(c, (uint32_t)f->snums[0]);
        put(c, "}'");
    } else if (f->fclass & UND_FC_VTHIS_ADJUST) {
        put(c, f->fclass & UND_FC_VTHIS_ADJUST_EX ? "`vtordispex{" : "`vtordisp{");
        for (size_t i = 0; i < f->num_count; i++) {
            if (i)
                put(c, sep);
            if (i + 1 == f->num_count)
                put_u64(c, (uint32_t)f->snums[i]);
            else
                put_i64(c, (int32_t)f->snums[i]);
        }
        put(c, "}'");
    }
}

/* The part after the name: parameters, this-qualifiers, and the rest of the return type. */
static void function_post(struct pctx *c, const struct und_node *f)
{
    if (!(f->fclass & UND_FC_NO_PARAMS)) {
        put(c, "(");
        if (f->params_void)
            put(c, "void");
        else
            print_list(c, f->list, separator(c), 1);
        if (f->variadic) {
            if (last_char(c) != '(')
                put(c, separator(c));
            put(c, "...");
        }
        put(c, ")");
    }
    if (f->quals & UND_Q_CONST)
        put(c, " const");
    if (f->quals & UND_Q_VOLATILE)
        put(c, " volatile");
    if (f->quals & UND_Q_RESTRICT)
        put(c, " __restrict");
    if (f->quals & UND_Q_UNALIGNED)
        put(c, " __unaligned");
    if (f->noexcept_)
        put(c, " noexcept");
    if (f->refqual == 1)
        put(c, " &");
    else if (f->refqual == 2)
        put(c, " &&");
    if (f->type)
        type_post(c, f->type);
}

static void pointer_pre(struct pctx *c, const struct und_node *t)
{
    const struct und_node *pt = t->type;
    if (is_function(pt))
        function_pre(c, pt, 1); /* the convention goes inside the parentheses */
    else if (pt)
        type_pre(c, pt, 0);
    if (msvc(c) && !is_function(pt) && !(pt && pt->kind == UND_TY_ARRAY) && !t->parent) {
        /* MSVC: "char const *", "int * *", "char * const" */
        if (last_char(c) != ' ')
            put(c, " ");
    } else {
        space_if_needed(c);
    }
    if (t->quals & UND_Q_UNALIGNED)
        put(c, "__unaligned ");
    if (pt && pt->kind == UND_TY_ARRAY) {
        put(c, "(");
    } else if (is_function(pt)) {
        put(c, "(");
        print_cc(c, pt->cc);
        /* LLVM: "(__cdecl *)", MSVC: "(__cdecl*)" and "(__cdecl S::*)" */
        if (!msvc(c) || t->parent)
            put(c, " ");
    }
    if (t->parent) {
        print_qname(c, t->parent);
        put(c, "::");
    }
    put(c, t->affinity == UND_REF ? "&" : t->affinity == UND_RREF ? "&&" : "*");
    print_quals(c, t->quals, msvc(c), 0);
}

static void type_pre(struct pctx *c, const struct und_node *t, int no_cc)
{
    if (!t || !enter(c))
        return;
    switch (t->kind) {
    case UND_TY_PRIMITIVE:
        put(c, und_primitive_names[t->prim]);
        print_quals(c, t->quals, 1, 0);
        break;
    case UND_TY_TAG:
        if (!msvc(c)) {
            static const char *const tags[] = {"class ", "struct ", "union ", "enum "};
            put(c, tags[t->tag]);
        }
        print_qname(c, t->name);
        print_quals(c, t->quals, 1, 0);
        break;
    case UND_TY_CUSTOM:
        print_ident(c, t->name);
        break;
    case UND_TY_POINTER:
        pointer_pre(c, t);
        break;
    case UND_TY_ARRAY:
        type_pre(c, t->type, 0);
        print_quals(c, t->quals, 1, 0);
        break;
    case UND_TY_FUNCTION:
        function_pre(c, t, no_cc);
        break;
    default:
        break;
    }
    leave(c);
}

static void type_post(struct pctx *c, const struct und_node *t)
{
    if (!t || !enter(c))
        return;
    switch (t->kind) {
    case UND_TY_POINTER:
        if (t->type && (t->type->kind == UND_TY_ARRAY || is_function(t->type)))
            put(c, ")");
        type_post(c, t->type);
        break;
    case UND_TY_ARRAY:
        put(c, "[");
        for (size_t i = 0; i < t->num_count; i++) {
            if (i)
                put(c, "][");
            if (t->dims[i])
                put_u64(c, t->dims[i]);
        }
        put(c, "]");
        type_post(c, t->type);
        break;
    case UND_TY_FUNCTION:
        function_post(c, t);
        break;
    default:
        break;
    }
    leave(c);
}

static void print_type(struct pctx *c, const struct und_node *t)
{
    type_pre(c, t, 0);
    type_post(c, t);
}

/* ---- symbols ---- */

static void print_function_symbol(struct pctx *c, const struct und_node *s)
{
    const struct und_node *sig = s->type;
    if (msvc(c)) {
        if (is_thunk(sig))
            put(c, "[thunk]:");
        print_qname(c, s->name);
        thunk_suffix(c, sig);
        return;
    }
    function_pre(c, sig, 0);
    space_if_needed(c);
    print_qname(c, s->name);
    thunk_suffix(c, sig);
    function_post(c, sig);
}

static void print_variable_symbol(struct pctx *c, const struct und_node *s)
{
    if (msvc(c)) {
        /* compiler-made RTTI names keep their type: "type_info `RTTI Type Descriptor'" */
        if (s->storage == UND_SC_NONE && s->type) {
            print_type(c, s->type);
            put(c, " ");
        }
        print_qname(c, s->name);
        return;
    }
    static const char *const access[] = {
        [UND_SC_PRIVATE_STATIC] = "private: ",
        [UND_SC_PROTECTED_STATIC] = "protected: ",
        [UND_SC_PUBLIC_STATIC] = "public: ",
    };
    if (s->storage >= UND_SC_PRIVATE_STATIC && s->storage <= UND_SC_PUBLIC_STATIC) {
        put(c, access[s->storage]);
        put(c, "static ");
    }
    if (s->type) {
        type_pre(c, s->type, 0);
        space_if_needed(c);
    }
    print_qname(c, s->name);
    if (s->type)
        type_post(c, s->type);
}

static void print_symbol(struct pctx *c, const struct und_node *s)
{
    if (!s || !enter(c))
        return;
    switch (s->kind) {
    case UND_SYM_FUNCTION:
        print_function_symbol(c, s);
        break;
    case UND_SYM_VARIABLE:
        print_variable_symbol(c, s);
        break;
    case UND_SYM_TABLE:
        if (!msvc(c))
            print_quals(c, s->quals, 0, 1);
        print_qname(c, s->name);
        if (s->parent) {
            put(c, "{for `");
            print_qname(c, s->parent);
            put(c, "'}");
        }
        break;
    case UND_SYM_STRING:
        /* MSVC and dbghelp name every string literal this way; LLVM decodes the bytes */
        put(c, "`string'");
        break;
    case UND_SYM_MD5:
        putn(c, s->text, s->text_len);
        break;
    case UND_SYM_GUARD:
        print_qname(c, s->name);
        break;
    default:
        break;
    }
    leave(c);
}

void und_print_symbol(struct und_out *out, const struct und_node *sym, enum und_style style)
{
    struct pctx c = {out, style, 0};
    print_symbol(&c, sym);
}
