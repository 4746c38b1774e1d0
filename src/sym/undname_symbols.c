/* MSVC C++ name mangling parser, part 3: symbols (functions, variables, thunks, RTTI, string
 * literals, vftables, guards, dynamic initializers) and the entry point und_parse_symbol. */
#include <string.h>

#include "sym/undname_internal.h"

/* ---- symbols ---- */

static unsigned parse_function_class(struct und_parser *p)
{
    switch (und_pop(p)) {
    case '9':
        return UND_FC_EXTERN_C | UND_FC_NO_PARAMS;
    case 'A':
        return UND_FC_PRIVATE;
    case 'B':
        return UND_FC_PRIVATE | UND_FC_FAR;
    case 'C':
        return UND_FC_PRIVATE | UND_FC_STATIC;
    case 'D':
        return UND_FC_PRIVATE | UND_FC_STATIC | UND_FC_FAR;
    case 'E':
        return UND_FC_PRIVATE | UND_FC_VIRTUAL;
    case 'F':
        return UND_FC_PRIVATE | UND_FC_VIRTUAL | UND_FC_FAR;
    case 'G':
        return UND_FC_PRIVATE | UND_FC_STHIS_ADJUST;
    case 'H':
        return UND_FC_PRIVATE | UND_FC_STHIS_ADJUST | UND_FC_FAR;
    case 'I':
        return UND_FC_PROTECTED;
    case 'J':
        return UND_FC_PROTECTED | UND_FC_FAR;
    case 'K':
        return UND_FC_PROTECTED | UND_FC_STATIC;
    case 'L':
        return UND_FC_PROTECTED | UND_FC_STATIC | UND_FC_FAR;
    case 'M':
        return UND_FC_PROTECTED | UND_FC_VIRTUAL;
    case 'N':
        return UND_FC_PROTECTED | UND_FC_VIRTUAL | UND_FC_FAR;
    case 'O':
        return UND_FC_PROTECTED | UND_FC_VIRTUAL | UND_FC_STHIS_ADJUST;
    case 'P':
        return UND_FC_PROTECTED | UND_FC_VIRTUAL | UND_FC_STHIS_ADJUST | UND_FC_FAR;
    case 'Q':
        return UND_FC_PUBLIC;
    case 'R':
        return UND_FC_PUBLIC | UND_FC_FAR;
    case 'S':
        return UND_FC_PUBLIC | UND_FC_STATIC;
    case 'T':
        return UND_FC_PUBLIC | UND_FC_STATIC | UND_FC_FAR;
    case 'U':
        return UND_FC_PUBLIC | UND_FC_VIRTUAL;
    case 'V':
        return UND_FC_PUBLIC | UND_FC_VIRTUAL | UND_FC_FAR;
    case 'W':
        return UND_FC_PUBLIC | UND_FC_VIRTUAL | UND_FC_STHIS_ADJUST;
    case 'X':
        return UND_FC_PUBLIC | UND_FC_VIRTUAL | UND_FC_STHIS_ADJUST | UND_FC_FAR;
    case 'Y':
        return UND_FC_GLOBAL;
    case 'Z':
        return UND_FC_GLOBAL | UND_FC_FAR;
    case '$': {
        unsigned v = UND_FC_VTHIS_ADJUST;
        if (und_consume_char(p, 'R'))
            v |= UND_FC_VTHIS_ADJUST_EX;
        switch (und_pop(p)) {
        case '0':
            return UND_FC_PRIVATE | UND_FC_VIRTUAL | v;
        case '1':
            return UND_FC_PRIVATE | UND_FC_VIRTUAL | v | UND_FC_FAR;
        case '2':
            return UND_FC_PROTECTED | UND_FC_VIRTUAL | v;
        case '3':
            return UND_FC_PROTECTED | UND_FC_VIRTUAL | v | UND_FC_FAR;
        case '4':
            return UND_FC_PUBLIC | UND_FC_VIRTUAL | v;
        case '5':
            return UND_FC_PUBLIC | UND_FC_VIRTUAL | v | UND_FC_FAR;
        }
        break;
    }
    }
    p->error = 1;
    return UND_FC_PUBLIC;
}

/* <function-class> [<this-adjustment>] <function-type>; returns the signature node. */
static struct und_node *parse_function_encoding(struct und_parser *p)
{
    unsigned extra = und_consume(p, "$$J0") ? UND_FC_EXTERN_C : 0;
    if (und_at_end(p)) {
        p->error = 1;
        return NULL;
    }
    unsigned fc = parse_function_class(p) | extra;
    int64_t adj[4] = {0, 0, 0, 0};
    size_t nadj = 0;
    if (fc & UND_FC_STHIS_ADJUST) {
        adj[nadj++] = und_parse_signed(p);
    } else if (fc & UND_FC_VTHIS_ADJUST) {
        if (fc & UND_FC_VTHIS_ADJUST_EX) {
            adj[nadj++] = und_parse_signed(p); /* vbptr offset */
            adj[nadj++] = und_parse_signed(p); /* vboffset offset */
        }
        adj[nadj++] = und_parse_signed(p); /* vtordisp offset */
        adj[nadj++] = und_parse_signed(p); /* static offset */
    }
    if (p->error)
        return NULL;
    struct und_node *fn;
    if (fc & UND_FC_NO_PARAMS) {
        /* a local entity of an extern "C" function: the function's signature is not mangled */
        fn = und_new_node(p, UND_TY_FUNCTION);
    } else {
        fn = und_parse_function_type(p, !(fc & (UND_FC_GLOBAL | UND_FC_STATIC)));
    }
    if (!fn || p->error)
        return NULL;
    fn->fclass = fc;
    memcpy(fn->snums, adj, sizeof(adj));
    fn->num_count = nadj;
    return fn;
}

static struct und_node *parse_variable_encoding(struct und_parser *p, enum und_storage sc)
{
    struct und_node *v = und_new_node(p, UND_SYM_VARIABLE);
    if (!v)
        return NULL;
    v->storage = sc;
    v->type = und_parse_type(p, UND_QM_DROP);
    if (p->error)
        return NULL;
    int is_member;
    if (v->type->kind == UND_TY_POINTER) {
        struct und_node *ptr = v->type;
        ptr->quals |= und_parse_ptr_ext_quals(p);
        unsigned q = und_parse_qualifiers(p, &is_member);
        if (ptr->parent && !p->error)
            (void)und_parse_fq_type_name(p); /* the member pointer's class, repeated */
        /* the pointee may be a shared back-reference: qualify a private copy */
        if (q && ptr->type && !p->error) {
            struct und_node *copy = und_new_node(p, ptr->type->kind);
            if (!copy)
                return NULL;
            *copy = *ptr->type;
            copy->quals |= q;
            ptr->type = copy;
        }
    } else {
        v->type->quals = und_parse_qualifiers(p, &is_member);
    }
    return p->error ? NULL : v;
}

/* After the qualified name: a variable (storage class 0-4 + type) or a function. */
static struct und_node *parse_encoded_symbol(struct und_parser *p, struct und_node *qn)
{
    char c = und_peek(p);
    if (und_at_end(p)) {
        p->error = 1;
        return NULL;
    }
    if (c >= '0' && c <= '4') {
        p->p++;
        static const enum und_storage sc[] = {UND_SC_PRIVATE_STATIC, UND_SC_PROTECTED_STATIC,
                                              UND_SC_PUBLIC_STATIC, UND_SC_GLOBAL,
                                              UND_SC_LOCAL_STATIC};
        return parse_variable_encoding(p, sc[c - '0']);
    }
    struct und_node *sig = parse_function_encoding(p);
    if (!sig)
        return NULL;
    struct und_node *fn = und_new_node(p, UND_SYM_FUNCTION);
    if (!fn)
        return NULL;
    fn->type = sig;
    struct und_node *last = und_last_component(qn);
    if (last && last->kind == UND_ID_CONVERSION)
        last->type = sig->type; /* operator <return type> */
    return fn;
}

static struct und_node *parse_declarator(struct und_parser *p)
{
    struct und_node *qn = und_parse_fq_symbol_name(p);
    if (p->error)
        return NULL;
    struct und_node *sym = parse_encoded_symbol(p, qn);
    if (p->error || !sym)
        return NULL;
    sym->name = qn;
    struct und_node *last = und_last_component(qn);
    if (last && last->kind == UND_ID_CONVERSION && !last->type) {
        p->error = 1;
        return NULL;
    }
    return sym;
}

static struct und_node *synth_qname(struct und_parser *p, struct und_node *ident)
{
    struct und_node *qn = und_new_node(p, UND_QNAME);
    struct und_list *c = und_new_cell(p, ident);
    if (!qn || !c)
        return NULL;
    qn->list = c;
    qn->count = 1;
    return qn;
}

static struct und_node *make_text(struct und_parser *p, const char *text)
{
    return und_make_named(p, text, strlen(text));
}

/* ??_7, ??_8, ??_S, ??_R4: <scope>@ 6|7 <quals> [<target name>] @ */
static struct und_node *parse_special_table(struct und_parser *p, const char *what)
{
    struct und_node *id = make_text(p, what);
    if (!id)
        return NULL;
    struct und_node *qn = und_parse_name_scope_chain(p, id);
    if (p->error)
        return NULL;
    struct und_node *s = und_new_node(p, UND_SYM_TABLE);
    if (!s)
        return NULL;
    s->name = qn;
    char c = und_pop(p);
    if (p->error || (c != '6' && c != '7')) {
        p->error = 1;
        return NULL;
    }
    int is_member;
    s->quals = und_parse_qualifiers(p, &is_member);
    if (!p->error && !und_consume_char(p, '@'))
        s->parent = und_parse_fq_type_name(p);
    return p->error ? NULL : s;
}

/* ??_C@_<char size><length><crc>@<chars>@ : validated as LLVM does, printed as `string'. */
static uint8_t parse_char_literal(struct und_parser *p)
{
    if (!und_consume_char(p, '?'))
        return (uint8_t)und_pop(p);
    char c = und_pop(p);
    if (c == '$') {
        char a = und_pop(p), b = und_pop(p);
        if (p->error || a < 'A' || a > 'P' || b < 'A' || b > 'P') {
            p->error = 1;
            return 0;
        }
        return (uint8_t)(((a - 'A') << 4) | (b - 'A'));
    }
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1; /* one of the escape tables; the value is not needed */
    p->error = 1;
    return 0;
}

static struct und_node *parse_string_literal(struct und_parser *p)
{
    if (!und_consume(p, "@_")) {
        p->error = 1;
        return NULL;
    }
    char kind = und_pop(p);
    if (kind != '0' && kind != '1') {
        p->error = 1;
        return NULL;
    }
    int wide = kind == '1';
    int neg;
    uint64_t size = und_parse_number(p, &neg);
    if (p->error || neg || size < (wide ? 2u : 1u)) {
        p->error = 1;
        return NULL;
    }
    long crc_end = und_find_char(p, '@');
    if (crc_end < 0) {
        p->error = 1;
        return NULL;
    }
    p->p += crc_end + 1;
    if (und_at_end(p)) {
        p->error = 1;
        return NULL;
    }
    unsigned decoded = 0;
    while (!p->error && !und_consume_char(p, '@')) {
        if (und_at_end(p) || (wide && p->end - p->p < 2) || (!wide && decoded >= 128)) {
            p->error = 1;
            break;
        }
        parse_char_literal(p);
        if (wide)
            parse_char_literal(p);
        decoded++;
    }
    return p->error ? NULL : und_new_node(p, UND_SYM_STRING);
}

/* ??_9<scope>@$B<offset>A<calling convention> : [thunk] `vcall'{offset, {flat}} */
static struct und_node *parse_vcall_thunk(struct und_parser *p)
{
    struct und_node *id = und_new_node(p, UND_ID_VCALL);
    if (!id)
        return NULL;
    struct und_node *qn = und_parse_name_scope_chain(p, id);
    if (p->error)
        return NULL;
    if (!und_consume(p, "$B")) {
        p->error = 1;
        return NULL;
    }
    id->value = und_parse_unsigned(p);
    if (p->error || !und_consume_char(p, 'A')) {
        p->error = 1;
        return NULL;
    }
    struct und_node *sig = und_new_node(p, UND_TY_FUNCTION);
    struct und_node *fn = und_new_node(p, UND_SYM_FUNCTION);
    if (!sig || !fn)
        return NULL;
    sig->fclass = UND_FC_NO_PARAMS;
    sig->flag = 1; /* a thunk */
    sig->cc = und_parse_cc(p);
    fn->name = qn;
    fn->type = sig;
    return p->error ? NULL : fn;
}

static struct und_node *parse_local_static_guard(struct und_parser *p, int is_thread)
{
    struct und_node *id = und_new_node(p, UND_ID_GUARD);
    if (!id)
        return NULL;
    id->flag = is_thread;
    struct und_node *qn = und_parse_name_scope_chain(p, id);
    if (p->error)
        return NULL;
    struct und_node *s = und_new_node(p, UND_SYM_GUARD);
    if (!s)
        return NULL;
    s->name = qn;
    if (!und_consume(p, "4IA") && !und_consume_char(p, '5')) {
        p->error = 1;
        return NULL;
    }
    if (!und_at_end(p))
        id->value = und_parse_unsigned(p);
    return p->error ? NULL : s;
}

static struct und_node *parse_untyped_variable(struct und_parser *p, const char *what)
{
    struct und_node *id = make_text(p, what);
    if (!id)
        return NULL;
    struct und_node *qn = und_parse_name_scope_chain(p, id);
    if (p->error)
        return NULL;
    struct und_node *v = und_new_node(p, UND_SYM_VARIABLE);
    if (!v)
        return NULL;
    v->name = qn;
    if (!und_consume_char(p, '8')) {
        p->error = 1;
        return NULL;
    }
    return v;
}

static struct und_node *parse_rtti_bcd(struct und_parser *p)
{
    struct und_node *id = und_new_node(p, UND_ID_RTTI_BCD);
    if (!id)
        return NULL;
    id->nums[0] = und_parse_unsigned(p); /* member displacement */
    id->snums[1] = und_parse_signed(p);  /* vbptr displacement */
    id->nums[2] = und_parse_unsigned(p); /* vbtable displacement */
    id->nums[3] = und_parse_unsigned(p); /* attributes */
    if (p->error)
        return NULL;
    struct und_node *v = und_new_node(p, UND_SYM_VARIABLE);
    if (!v)
        return NULL;
    v->name = und_parse_name_scope_chain(p, id);
    und_consume_char(p, '8');
    return p->error ? NULL : v;
}

/* ??__E / ??__F: `dynamic initializer for 'x'' / `dynamic atexit destructor for 'x'' */
static struct und_node *parse_init_fini_stub(struct und_parser *p, int is_dtor)
{
    struct und_node *id = und_new_node(p, UND_ID_DYN_STRUCTOR);
    if (!id)
        return NULL;
    id->flag = is_dtor;
    int static_member = und_consume_char(p, '?');
    if (!und_enter(p))
        return NULL;
    struct und_node *sym = parse_declarator(p);
    und_leave(p);
    if (p->error)
        return NULL;
    struct und_node *fn;
    if (sym->kind == UND_SYM_VARIABLE) {
        id->symbol = sym;
        /* older clang wrote a single @ here; MSVC writes two for static data members */
        for (int i = 0; i < (static_member ? 2 : 1); i++) {
            if (!und_consume_char(p, '@')) {
                p->error = 1;
                return NULL;
            }
        }
        struct und_node *sig = parse_function_encoding(p);
        if (!sig)
            return NULL;
        fn = und_new_node(p, UND_SYM_FUNCTION);
        if (!fn)
            return NULL;
        fn->type = sig;
    } else {
        if (static_member) {
            p->error = 1;
            return NULL;
        }
        fn = sym;
        id->name = sym->name;
    }
    fn->name = synth_qname(p, id);
    return p->error ? NULL : fn;
}

static struct und_node *synth_variable(struct und_parser *p, struct und_node *type,
                                       const char *what)
{
    struct und_node *v = und_new_node(p, UND_SYM_VARIABLE);
    struct und_node *id = make_text(p, what);
    if (!v || !id)
        return NULL;
    v->type = type;
    v->name = synth_qname(p, id);
    return v;
}

/* Symbols whose first name is a compiler-reserved code (??_7, ??_R0, ??__E, ...); returns NULL
 * without consuming anything when the name is an ordinary declarator. */
static struct und_node *parse_special_intrinsic(struct und_parser *p, int *handled)
{
    *handled = 1;
    if (und_consume(p, "?_7"))
        return parse_special_table(p, "`vftable'");
    if (und_consume(p, "?_8"))
        return parse_special_table(p, "`vbtable'");
    if (und_consume(p, "?_9"))
        return parse_vcall_thunk(p);
    if (und_consume(p, "?_A") || und_consume(p, "?_P")) {
        p->error = 1; /* typeof / udt returning: not produced by known compilers */
        return NULL;
    }
    if (und_consume(p, "?_B"))
        return parse_local_static_guard(p, 0);
    if (und_consume(p, "?_C"))
        return parse_string_literal(p);
    if (und_consume(p, "?_R0")) {
        struct und_node *t = und_parse_type(p, UND_QM_RESULT);
        if (p->error || !und_consume(p, "@8") || !und_at_end(p)) {
            p->error = 1;
            return NULL;
        }
        return synth_variable(p, t, "`RTTI Type Descriptor'");
    }
    if (und_consume(p, "?_R1"))
        return parse_rtti_bcd(p);
    if (und_consume(p, "?_R2"))
        return parse_untyped_variable(p, "`RTTI Base Class Array'");
    if (und_consume(p, "?_R3"))
        return parse_untyped_variable(p, "`RTTI Class Hierarchy Descriptor'");
    if (und_consume(p, "?_R4"))
        return parse_special_table(p, "`RTTI Complete Object Locator'");
    if (und_consume(p, "?_S"))
        return parse_special_table(p, "`local vftable'");
    if (und_consume(p, "?__E"))
        return parse_init_fini_stub(p, 0);
    if (und_consume(p, "?__F"))
        return parse_init_fini_stub(p, 1);
    if (und_consume(p, "?__J"))
        return parse_local_static_guard(p, 1);
    *handled = 0;
    return NULL;
}

struct und_node *und_parse_symbol(struct und_parser *p)
{
    if (und_consume_char(p, '.')) {
        /* type_info name string (.?AVfoo@@): not a symbol, but shown by the same tools */
        struct und_node *t = und_parse_type(p, UND_QM_RESULT);
        if (p->error || !und_at_end(p)) {
            p->error = 1;
            return NULL;
        }
        return synth_variable(p, t, "`RTTI Type Descriptor Name'");
    }
    if (und_starts(p, "??@")) {
        /* ??@<md5>@ : too long to mangle; shown as is (with a ??_R4@ suffix if present) */
        const char *start = p->p;
        p->p += 3;
        long at = und_find_char(p, '@');
        if (at < 0) {
            p->error = 1;
            return NULL;
        }
        p->p += at + 1;
        und_consume(p, "??_R4@");
        struct und_node *s = und_new_node(p, UND_SYM_MD5);
        if (s) {
            s->text = start;
            s->text_len = (size_t)(p->p - start);
        }
        return s;
    }
    if (!und_consume_char(p, '?')) {
        p->error = 1;
        return NULL;
    }
    int handled;
    struct und_node *s = parse_special_intrinsic(p, &handled);
    if (handled)
        return p->error ? NULL : s;
    return parse_declarator(p);
}
