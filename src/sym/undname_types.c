/* MSVC C++ name mangling parser, part 2: types (primitive, class, pointer, member pointer, array,
 * function) and function parameter lists. */
#include <string.h>

#include "sym/undname_internal.h"

const char *const und_primitive_names[] = {
    "void",           "char",           "signed char", "unsigned char",
    "short",          "unsigned short", "int",         "unsigned int",
    "long",           "unsigned long",  "float",       "double",
    "long double",    "bool",           "__int64",     "unsigned __int64",
    "wchar_t",        "char8_t",        "char16_t",    "char32_t",
    "std::nullptr_t",
};

enum prim_index {
    PRIM_VOID,
    PRIM_CHAR,
    PRIM_SCHAR,
    PRIM_UCHAR,
    PRIM_SHORT,
    PRIM_USHORT,
    PRIM_INT,
    PRIM_UINT,
    PRIM_LONG,
    PRIM_ULONG,
    PRIM_FLOAT,
    PRIM_DOUBLE,
    PRIM_LDOUBLE,
    PRIM_BOOL,
    PRIM_INT64,
    PRIM_UINT64,
    PRIM_WCHAR,
    PRIM_CHAR8,
    PRIM_CHAR16,
    PRIM_CHAR32,
    PRIM_NULLPTR,
};

/* ---- types ---- */

static struct und_node *parse_primitive(struct und_parser *p)
{
    int prim = -1;
    if (und_consume(p, "$$T")) {
        prim = PRIM_NULLPTR;
    } else {
        switch (und_pop(p)) {
        case 'X':
            prim = PRIM_VOID;
            break;
        case 'D':
            prim = PRIM_CHAR;
            break;
        case 'C':
            prim = PRIM_SCHAR;
            break;
        case 'E':
            prim = PRIM_UCHAR;
            break;
        case 'F':
            prim = PRIM_SHORT;
            break;
        case 'G':
            prim = PRIM_USHORT;
            break;
        case 'H':
            prim = PRIM_INT;
            break;
        case 'I':
            prim = PRIM_UINT;
            break;
        case 'J':
            prim = PRIM_LONG;
            break;
        case 'K':
            prim = PRIM_ULONG;
            break;
        case 'M':
            prim = PRIM_FLOAT;
            break;
        case 'N':
            prim = PRIM_DOUBLE;
            break;
        case 'O':
            prim = PRIM_LDOUBLE;
            break;
        case '_':
            switch (und_pop(p)) {
            case 'N':
                prim = PRIM_BOOL;
                break;
            case 'J':
                prim = PRIM_INT64;
                break;
            case 'K':
                prim = PRIM_UINT64;
                break;
            case 'W':
                prim = PRIM_WCHAR;
                break;
            case 'Q':
                prim = PRIM_CHAR8;
                break;
            case 'S':
                prim = PRIM_CHAR16;
                break;
            case 'U':
                prim = PRIM_CHAR32;
                break;
            }
            break;
        }
    }
    if (prim < 0 || p->error) {
        p->error = 1;
        return NULL;
    }
    struct und_node *n = und_new_node(p, UND_TY_PRIMITIVE);
    if (n)
        n->prim = prim;
    return n;
}

static struct und_node *parse_tag_type(struct und_parser *p)
{
    enum und_tag tag = UND_TAG_CLASS;
    switch (und_pop(p)) {
    case 'T':
        tag = UND_TAG_UNION;
        break;
    case 'U':
        tag = UND_TAG_STRUCT;
        break;
    case 'V':
        tag = UND_TAG_CLASS;
        break;
    case 'W':
        if (!und_consume_char(p, '4')) {
            p->error = 1;
            return NULL;
        }
        tag = UND_TAG_ENUM;
        break;
    }
    struct und_node *n = und_new_node(p, UND_TY_TAG);
    if (!n)
        return NULL;
    n->tag = tag;
    n->name = und_parse_fq_type_name(p);
    return n;
}

static int is_pointer_type(const struct und_parser *p)
{
    if (und_starts(p, "$$Q"))
        return 1;
    char c = und_peek(p);
    return c == 'A' || c == 'P' || c == 'Q' || c == 'R' || c == 'S';
}

/* Whether the pointer at the cursor points to a member (data or function). */
static int is_member_pointer(struct und_parser *p)
{
    const char *s = p->p, *end = p->end;
    char c = *s++;
    if (c == '$' || c == 'A')
        return 0; /* && and & cannot refer to members */
    if (s < end && *s >= '0' && *s <= '9') {
        if (*s != '6' && *s != '8')
            p->error = 1;
        return *s == '8';
    }
    if (s < end && *s == 'E')
        s++;
    if (s < end && *s == 'I')
        s++;
    if (s < end && *s == 'F')
        s++;
    if (s >= end) {
        p->error = 1;
        return 0;
    }
    switch (*s) {
    case 'A':
    case 'B':
    case 'C':
    case 'D':
        return 0;
    case 'Q':
    case 'R':
    case 'S':
    case 'T':
        return 1;
    }
    p->error = 1;
    return 0;
}

static void parse_pointer_cv(struct und_parser *p, struct und_node *n)
{
    if (und_consume(p, "$$Q")) {
        n->affinity = UND_RREF;
        return;
    }
    switch (und_pop(p)) {
    case 'A':
        n->affinity = UND_REF;
        break;
    case 'P':
        n->affinity = UND_PTR;
        break;
    case 'Q':
        n->affinity = UND_PTR;
        n->quals = UND_Q_CONST;
        break;
    case 'R':
        n->affinity = UND_PTR;
        n->quals = UND_Q_VOLATILE;
        break;
    case 'S':
        n->affinity = UND_PTR;
        n->quals = UND_Q_CONST | UND_Q_VOLATILE;
        break;
    default:
        p->error = 1;
        break;
    }
}

static struct und_node *parse_pointer(struct und_parser *p)
{
    struct und_node *n = und_new_node(p, UND_TY_POINTER);
    if (!n)
        return NULL;
    parse_pointer_cv(p, n);
    if (und_consume_char(p, '6')) {
        n->type = und_parse_function_type(p, 0);
        return n;
    }
    n->quals |= und_parse_ptr_ext_quals(p);
    n->type = und_parse_type(p, UND_QM_MANGLE);
    return n;
}

static struct und_node *parse_member_pointer(struct und_parser *p)
{
    struct und_node *n = und_new_node(p, UND_TY_POINTER);
    if (!n)
        return NULL;
    parse_pointer_cv(p, n);
    n->quals |= und_parse_ptr_ext_quals(p);
    if (und_consume_char(p, '8')) {
        n->parent = und_parse_fq_type_name(p);
        if (!p->error)
            n->type = und_parse_function_type(p, 1);
    } else {
        int is_member;
        unsigned q = und_parse_qualifiers(p, &is_member);
        if (!p->error)
            n->parent = und_parse_fq_type_name(p);
        if (!p->error)
            n->type = und_parse_type(p, UND_QM_DROP);
        if (n->type)
            n->type->quals = q;
    }
    return n;
}

static struct und_node *parse_array(struct und_parser *p)
{
    p->p++; /* Y */
    int neg;
    uint64_t rank = und_parse_number(p, &neg);
    if (p->error || neg || rank == 0 || rank > (uint64_t)(p->end - p->p)) {
        p->error = 1;
        return NULL;
    }
    struct und_node *n = und_new_node(p, UND_TY_ARRAY);
    if (!n)
        return NULL;
    uint64_t *dims = dd_arena_calloc(p->arena, (size_t)rank, sizeof(*dims));
    if (!dims) {
        p->error = p->oom = 1;
        return NULL;
    }
    for (uint64_t i = 0; i < rank; i++) {
        dims[i] = und_parse_number(p, &neg);
        if (p->error || neg) {
            p->error = 1;
            return NULL;
        }
    }
    n->dims = dims;
    n->num_count = (size_t)rank;
    if (und_consume(p, "$$C")) {
        int is_member;
        n->quals = und_parse_qualifiers(p, &is_member);
        if (is_member)
            p->error = 1;
    }
    if (!p->error)
        n->type = und_parse_type(p, UND_QM_DROP);
    return n;
}

static struct und_node *parse_custom_type(struct und_parser *p)
{
    p->p++; /* ? */
    struct und_node *n = und_new_node(p, UND_TY_CUSTOM);
    if (!n)
        return NULL;
    n->name = und_parse_unqualified_type_name(p, 1);
    if (!p->error && !und_consume_char(p, '@'))
        p->error = 1;
    return p->error ? NULL : n;
}

static struct und_node *parse_type_body(struct und_parser *p)
{
    char c = und_peek(p);
    if (c == 'T' || c == 'U' || c == 'V' || c == 'W')
        return parse_tag_type(p);
    if (is_pointer_type(p)) {
        int member = is_member_pointer(p);
        if (p->error)
            return NULL;
        return member ? parse_member_pointer(p) : parse_pointer(p);
    }
    if (c == 'Y')
        return parse_array(p);
    if (und_consume(p, "$$A8@@"))
        return und_parse_function_type(p, 1);
    if (und_consume(p, "$$A6"))
        return und_parse_function_type(p, 0);
    if (c == '?')
        return parse_custom_type(p);
    return parse_primitive(p);
}

struct und_node *und_parse_type(struct und_parser *p, enum und_qual_mode qm)
{
    unsigned quals = 0;
    int is_member;
    if (qm == UND_QM_MANGLE)
        quals = und_parse_qualifiers(p, &is_member);
    else if (qm == UND_QM_RESULT && und_consume_char(p, '?'))
        quals = und_parse_qualifiers(p, &is_member);
    if (p->error || und_at_end(p)) {
        p->error = 1;
        return NULL;
    }
    if (!und_enter(p))
        return NULL;
    struct und_node *t = parse_type_body(p);
    und_leave(p);
    if (!t || p->error) {
        p->error = 1;
        return NULL;
    }
    t->quals |= quals;
    return t;
}

/* Parameter list: X (void), or types ending in @ or Z (variadic). Multi-character types are
 * remembered for the back-references 0-9. */
static struct und_list *parse_params(struct und_parser *p, struct und_node *fn)
{
    if (und_consume_char(p, 'X')) {
        fn->params_void = 1;
        return NULL;
    }
    struct und_list *head = NULL, **tail = &head;
    size_t count = 0;
    while (!p->error && und_peek(p) != '@' && und_peek(p) != 'Z') {
        if (und_at_end(p)) {
            p->error = 1;
            return NULL;
        }
        struct und_node *t;
        if (und_starts_digit(p)) {
            size_t i = (size_t)(und_pop(p) - '0');
            if (i >= p->br.params_count) {
                p->error = 1;
                return NULL;
            }
            t = p->br.params[i];
        } else {
            const char *before = p->p;
            t = und_parse_type(p, UND_QM_DROP);
            if (!t || p->error)
                return NULL;
            if (p->br.params_count < UND_MAX_BACKREFS && p->p - before > 1)
                p->br.params[p->br.params_count++] = t;
        }
        struct und_list *cell = und_new_cell(p, t);
        if (!cell)
            return NULL;
        *tail = cell;
        tail = &cell->next;
        count++;
    }
    if (p->error)
        return NULL;
    fn->count = count;
    if (!und_consume_char(p, '@')) {
        p->p++; /* Z */
        fn->variadic = 1;
    }
    return head;
}

struct und_node *und_parse_function_type(struct und_parser *p, int has_this_quals)
{
    struct und_node *fn = und_new_node(p, UND_TY_FUNCTION);
    if (!fn || !und_enter(p))
        return NULL;
    fn->fclass = UND_FC_GLOBAL;
    if (has_this_quals) {
        fn->quals = und_parse_ptr_ext_quals(p);
        if (und_consume_char(p, 'G'))
            fn->refqual = 1;
        else if (und_consume_char(p, 'H'))
            fn->refqual = 2;
        int is_member;
        fn->quals |= und_parse_qualifiers(p, &is_member);
    }
    fn->cc = und_parse_cc(p);
    if (!und_consume_char(p, '@') && !p->error)
        fn->type = und_parse_type(p, UND_QM_RESULT);
    if (!p->error)
        fn->list = parse_params(p, fn);
    if (!p->error) {
        if (und_consume(p, "_E"))
            fn->noexcept_ = 1;
        else if (!und_consume_char(p, 'Z'))
            p->error = 1;
    }
    und_leave(p);
    return p->error ? NULL : fn;
}
