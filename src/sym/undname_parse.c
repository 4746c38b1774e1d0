/* MSVC C++ name mangling parser, part 1: input helpers, numbers, back-references and names
 * (qualified names, templates, operators, anonymous namespaces, local scopes).
 *
 * Grammar: the Microsoft C++ ABI as MSVC emits it and as LLVM's MicrosoftDemangle.cpp documents
 * it (the reference undecorator the tests compare against). This is an independent
 * implementation; where the two undecorators accept different inputs this one follows LLVM so the
 * full form matches llvm-undname. Every read is bounds-checked against p->end, recursion is capped
 * at UND_MAX_DEPTH and the tree at UND_MAX_NODES: a hostile name fails, it never crashes. */
#include <string.h>

#include "sym/undname_internal.h"

/* Name back-reference behaviour (LLVM's NameBackrefBehavior). */
#define NBB_SIMPLE 1
#define NBB_TEMPLATE 2

static struct und_node *parse_unqualified_symbol_name(struct und_parser *p, int nbb);

/* ---- input helpers ---- */

int und_at_end(const struct und_parser *p)
{
    return p->p >= p->end;
}

char und_peek(const struct und_parser *p)
{
    return und_at_end(p) ? '\0' : *p->p;
}

char und_pop(struct und_parser *p)
{
    if (und_at_end(p)) {
        p->error = 1;
        return '\0';
    }
    return *p->p++;
}

int und_starts(const struct und_parser *p, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(p->end - p->p) >= n && memcmp(p->p, s, n) == 0;
}

int und_consume(struct und_parser *p, const char *s)
{
    if (!und_starts(p, s))
        return 0;
    p->p += strlen(s);
    return 1;
}

int und_consume_char(struct und_parser *p, char c)
{
    if (und_peek(p) != c || und_at_end(p))
        return 0;
    p->p++;
    return 1;
}

int und_starts_digit(const struct und_parser *p)
{
    char c = und_peek(p);
    return c >= '0' && c <= '9';
}

/* Offset of the first C at or after the cursor, or -1. */
long und_find_char(const struct und_parser *p, char c)
{
    const char *q = memchr(p->p, c, (size_t)(p->end - p->p));
    return q ? (long)(q - p->p) : -1;
}

struct und_node *und_new_node(struct und_parser *p, enum und_kind kind)
{
    if (p->nodes >= UND_MAX_NODES) {
        p->error = 1;
        return NULL;
    }
    struct und_node *n = dd_arena_alloc(p->arena, sizeof(*n));
    if (!n) {
        p->error = p->oom = 1;
        return NULL;
    }
    p->nodes++;
    n->kind = kind;
    return n;
}

struct und_list *und_new_cell(struct und_parser *p, struct und_node *node)
{
    struct und_list *c = dd_arena_alloc(p->arena, sizeof(*c));
    if (!c) {
        p->error = p->oom = 1;
        return NULL;
    }
    c->node = node;
    return c;
}

/* Depth guard: every recursive production enters and leaves. */
int und_enter(struct und_parser *p)
{
    if (p->depth >= UND_MAX_DEPTH) {
        p->error = 1;
        return 0;
    }
    p->depth++;
    return 1;
}

void und_leave(struct und_parser *p)
{
    p->depth--;
}

/* ---- numbers: <number> ::= [?] <digit 0-9 meaning 1-10> | [?] <hex A-P>* @ ---- */

uint64_t und_parse_number(struct und_parser *p, int *negative)
{
    *negative = und_consume_char(p, '?');
    if (und_starts_digit(p))
        return (uint64_t)(und_pop(p) - '0') + 1;
    uint64_t v = 0;
    while (!und_at_end(p)) {
        char c = *p->p++;
        if (c == '@')
            return v;
        if (c < 'A' || c > 'P')
            break;
        v = (v << 4) + (uint64_t)(c - 'A');
    }
    p->error = 1;
    *negative = 0;
    return 0;
}

uint64_t und_parse_unsigned(struct und_parser *p)
{
    int neg;
    uint64_t v = und_parse_number(p, &neg);
    if (neg)
        p->error = 1;
    return v;
}

int64_t und_parse_signed(struct und_parser *p)
{
    int neg;
    uint64_t v = und_parse_number(p, &neg);
    if (v > (uint64_t)INT64_MAX)
        p->error = 1;
    int64_t i = (int64_t)(v & (uint64_t)INT64_MAX);
    return neg ? -i : i;
}

/* ---- back-references ---- */

static int key_equal(const struct und_node *a, const char *key, size_t len)
{
    return a->key_len == len && memcmp(a->key, key, len) == 0;
}

void und_memorize(struct und_parser *p, struct und_node *ident)
{
    struct und_backrefs *br = &p->br;
    if (br->names_count >= UND_MAX_BACKREFS)
        return;
    for (size_t i = 0; i < br->names_count; i++)
        if (key_equal(br->names[i], ident->key, ident->key_len))
            return;
    br->names[br->names_count++] = ident;
}

static struct und_node *parse_backref_name(struct und_parser *p)
{
    size_t i = (size_t)(und_pop(p) - '0');
    if (i >= p->br.names_count) {
        p->error = 1;
        return NULL;
    }
    return p->br.names[i];
}

/* ---- qualifiers and calling conventions ---- */

unsigned und_parse_qualifiers(struct und_parser *p, int *is_member)
{
    *is_member = 0;
    switch (und_pop(p)) {
    case 'Q':
        *is_member = 1;
        return 0;
    case 'R':
        *is_member = 1;
        return UND_Q_CONST;
    case 'S':
        *is_member = 1;
        return UND_Q_VOLATILE;
    case 'T':
        *is_member = 1;
        return UND_Q_CONST | UND_Q_VOLATILE;
    case 'A':
        return 0;
    case 'B':
        return UND_Q_CONST;
    case 'C':
        return UND_Q_VOLATILE;
    case 'D':
        return UND_Q_CONST | UND_Q_VOLATILE;
    }
    p->error = 1;
    return 0;
}

unsigned und_parse_ptr_ext_quals(struct und_parser *p)
{
    unsigned q = 0;
    if (und_consume_char(p, 'E'))
        q |= UND_Q_PTR64;
    if (und_consume_char(p, 'I'))
        q |= UND_Q_RESTRICT;
    if (und_consume_char(p, 'F'))
        q |= UND_Q_UNALIGNED;
    return q;
}

enum und_cc und_parse_cc(struct und_parser *p)
{
    switch (und_pop(p)) {
    case 'A':
    case 'B':
        return UND_CC_CDECL;
    case 'C':
    case 'D':
        return UND_CC_PASCAL;
    case 'E':
    case 'F':
        return UND_CC_THISCALL;
    case 'G':
    case 'H':
        return UND_CC_STDCALL;
    case 'I':
    case 'J':
        return UND_CC_FASTCALL;
    case 'M':
    case 'N':
        return UND_CC_CLRCALL;
    case 'O':
    case 'P':
        return UND_CC_EABI;
    case 'Q':
        return UND_CC_VECTORCALL;
    case 'S':
        return UND_CC_SWIFT;
    case 'W':
        return UND_CC_SWIFT_ASYNC;
    }
    return UND_CC_NONE; /* unknown letters are tolerated, as LLVM does */
}

/* ---- names ---- */

struct und_node *und_make_named(struct und_parser *p, const char *text, size_t len)
{
    struct und_node *n = und_new_node(p, UND_ID_NAMED);
    if (n) {
        n->text = n->key = text;
        n->text_len = n->key_len = len;
    }
    return n;
}

/* <simple-name> ::= <chars> @ (non-empty) */
static struct und_node *parse_simple_name(struct und_parser *p, int memo)
{
    long at = und_find_char(p, '@');
    if (at <= 0) {
        p->error = 1;
        return NULL;
    }
    struct und_node *n = und_make_named(p, p->p, (size_t)at);
    p->p += at + 1;
    if (n && memo)
        und_memorize(p, n);
    return n;
}

/* ?A<key>@ : `anonymous namespace' (the key, e.g. 0x1a2b3c4d, only identifies it). */
static struct und_node *parse_anon_namespace(struct und_parser *p)
{
    const char *start = p->p;
    p->p += 2; /* ?A */
    long at = und_find_char(p, '@');
    if (at < 0) {
        p->error = 1;
        return NULL;
    }
    struct und_node *n = und_new_node(p, UND_ID_ANON_NS);
    p->p += at + 1;
    if (!n)
        return NULL;
    n->key = start;
    n->key_len = (size_t)(p->p - start - 1);
    und_memorize(p, n);
    return n;
}

/* Whether the cursor is at ?<number>? (a function-local scope, e.g. ?1??f@@YAXXZ@). */
static int starts_local_scope(const struct und_parser *p)
{
    if (und_peek(p) != '?')
        return 0;
    const char *s = p->p + 1;
    const char *q = memchr(s, '?', (size_t)(p->end - s));
    if (!q || q == s)
        return 0;
    size_t n = (size_t)(q - s);
    if (n == 1)
        return s[0] == '@' || (s[0] >= '0' && s[0] <= '9');
    if (s[n - 1] != '@')
        return 0;
    if (s[0] < 'B' || s[0] > 'P')
        return 0;
    for (size_t i = 1; i + 1 < n; i++)
        if (s[i] < 'A' || s[i] > 'P')
            return 0;
    return 1;
}

static struct und_node *parse_local_scope(struct und_parser *p)
{
    p->p++; /* ? */
    int neg;
    uint64_t number = und_parse_number(p, &neg);
    und_consume_char(p, '?');
    if (p->error || !und_enter(p))
        return NULL;
    struct und_node *sym = und_parse_symbol(p);
    und_leave(p);
    if (p->error)
        return NULL;
    struct und_node *n = und_new_node(p, UND_ID_LOCAL_SCOPE);
    if (n) {
        n->symbol = sym;
        n->value = number;
    }
    return n;
}

/* Template argument list up to and including its terminating @. */
static struct und_list *parse_template_params(struct und_parser *p, size_t *count)
{
    struct und_list *head = NULL, **tail = &head;
    *count = 0;
    while (!p->error && und_peek(p) != '@') {
        if (und_at_end(p)) {
            p->error = 1;
            break;
        }
        /* parameter pack separators carry no argument */
        if (und_consume(p, "$S") || und_consume(p, "$$V") || und_consume(p, "$$$V") ||
            und_consume(p, "$$Z"))
            continue;
        struct und_node *arg = NULL;
        if (und_consume(p, "$$Y")) {
            arg = und_parse_fq_type_name(p); /* template alias */
        } else if (und_consume(p, "$$B")) {
            arg = und_parse_type(p, UND_QM_DROP); /* array */
        } else if (und_consume(p, "$$C")) {
            arg = und_parse_type(p, UND_QM_MANGLE); /* qualified type */
        } else if (und_starts(p, "$1") || und_starts(p, "$H") || und_starts(p, "$I") ||
                   und_starts(p, "$J")) {
            /* pointer to function or member function: $1 single, $H multiple, $I virtual,
             * $J unspecified inheritance, followed by 0-3 offsets */
            p->p++;
            char inh = und_pop(p);
            arg = und_new_node(p, UND_ARG_SYMREF);
            if (!arg)
                break;
            arg->affinity = UND_PTR;
            if (und_peek(p) == '?') {
                if (!und_enter(p))
                    break;
                arg->symbol = und_parse_symbol(p);
                und_leave(p);
                if (p->error || !arg->symbol->name) {
                    p->error = 1;
                    break;
                }
                struct und_node *qn = arg->symbol->name;
                if (qn->kind == UND_QNAME && qn->count) {
                    struct und_list *c = qn->list;
                    while (c->next)
                        c = c->next;
                    und_memorize(p, c->node);
                }
            }
            int extra = inh == 'J' ? 3 : inh == 'I' ? 2 : inh == 'H' ? 1 : 0;
            for (int i = 0; i < extra; i++)
                arg->snums[arg->num_count++] = und_parse_signed(p);
        } else if (und_starts(p, "$E?")) {
            p->p += 2; /* reference to a symbol */
            arg = und_new_node(p, UND_ARG_SYMREF);
            if (!arg || !und_enter(p))
                break;
            arg->affinity = UND_REF;
            arg->symbol = und_parse_symbol(p);
            und_leave(p);
        } else if (und_starts(p, "$F") || und_starts(p, "$G")) {
            /* data member pointer: $F two offsets, $G three */
            p->p++;
            char inh = und_pop(p);
            arg = und_new_node(p, UND_ARG_SYMREF);
            if (!arg)
                break;
            arg->affinity = UND_PTR;
            int n = inh == 'G' ? 3 : 2;
            for (int i = 0; i < n; i++)
                arg->snums[arg->num_count++] = und_parse_signed(p);
        } else if (und_starts(p, "$0")) {
            p->p += 2; /* integral non-type argument */
            arg = und_new_node(p, UND_ARG_INT);
            if (!arg)
                break;
            arg->value = und_parse_number(p, &arg->negative);
        } else {
            arg = und_parse_type(p, UND_QM_DROP);
        }
        if (p->error || !arg)
            break;
        struct und_list *cell = und_new_cell(p, arg);
        if (!cell)
            break;
        *tail = cell;
        tail = &cell->next;
        ++*count;
    }
    if (p->error)
        return NULL;
    p->p++; /* @ */
    return head;
}

/* ?$<name><template-args>@ : a template instantiation; its arguments use fresh back-references. */
static struct und_node *parse_template_name(struct und_parser *p, int nbb)
{
    const char *start = p->p;
    p->p += 2; /* ?$ */
    if (!und_enter(p))
        return NULL;
    struct und_backrefs outer = p->br;
    memset(&p->br, 0, sizeof(p->br));
    struct und_node *id = parse_unqualified_symbol_name(p, NBB_SIMPLE);
    size_t count = 0;
    struct und_list *args = NULL;
    if (!p->error)
        args = parse_template_params(p, &count);
    p->br = outer;
    und_leave(p);
    if (p->error)
        return NULL;
    /* A back-referenced identifier is shared: give the instantiation its own node. */
    struct und_node *n = und_new_node(p, id->kind);
    if (!n)
        return NULL;
    *n = *id;
    n->has_targs = 1;
    n->targs = args;
    n->key = start;
    n->key_len = (size_t)(p->p - start);
    if (nbb & NBB_TEMPLATE) {
        /* structors and conversion operators only make sense as the last name component */
        if (n->kind == UND_ID_CONVERSION || n->kind == UND_ID_STRUCTOR) {
            p->error = 1;
            return NULL;
        }
        und_memorize(p, n);
    }
    return n;
}

/* Operator names (?2 new, ?_U new[], ...) in LLVM's order; NULL marks codes handled elsewhere
 * or unused. Index: '0'-'9' then 'A'-'Z'. */
static const char *const op_basic[36] = {
    NULL,         NULL,          "operator new", "operator delete", "operator=",  "operator>>",
    "operator<<", "operator!",   "operator==",   "operator!=",      "operator[]", NULL,
    "operator->", "operator*",   "operator++",   "operator--",      "operator-",  "operator+",
    "operator&",  "operator->*", "operator/",    "operator%",       "operator<",  "operator<=",
    "operator>",  "operator>=",  "operator,",    "operator()",      "operator~",  "operator^",
    "operator|",  "operator&&",  "operator||",   "operator*=",      "operator+=", "operator-=",
};
static const char *const op_under[36] = {
    "operator/=",
    "operator%=",
    "operator>>=",
    "operator<<=",
    "operator&=",
    "operator|=",
    "operator^=",
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    "`vbase dtor'",
    "`vector deleting dtor'",
    "`default ctor closure'",
    "`scalar deleting dtor'",
    "`vector ctor iterator'",
    "`vector dtor iterator'",
    "`vector vbase ctor iterator'",
    "`virtual displacement map'",
    "`eh vector ctor iterator'",
    "`eh vector dtor iterator'",
    "`eh vector vbase ctor iterator'",
    "`copy ctor closure'",
    NULL,
    NULL,
    NULL,
    NULL,
    "`local vftable ctor closure'",
    "operator new[]",
    "operator delete[]",
    NULL,
    NULL,
    NULL,
    NULL,
};
static const char *const op_double_under[36] = {
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    "`managed vector ctor iterator'",
    "`managed vector dtor iterator'",
    "`EH vector copy ctor iterator'",
    "`EH vector vbase copy ctor iterator'",
    NULL,
    NULL,
    "`vector copy ctor iterator'",
    "`vector vbase copy constructor iterator'",
    "`managed vector vbase copy constructor iterator'",
    NULL,
    NULL,
    "operator co_await",
    "operator<=>",
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
    NULL,
};

static struct und_node *make_intrinsic(struct und_parser *p, const char *const *table, char c,
                                       const char *key)
{
    int idx = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'Z' ? c - 'A' + 10 : -1;
    if (idx < 0) {
        p->error = 1;
        return NULL;
    }
    struct und_node *n = und_new_node(p, UND_ID_INTRINSIC);
    if (!n)
        return NULL;
    const char *t = table[idx];
    n->text = t ? t : "";
    n->text_len = strlen(n->text);
    n->key = key;
    n->key_len = (size_t)(p->p - key);
    return n;
}

/* ?<code> : operators, constructors, destructors and other compiler-named functions. */
static struct und_node *parse_function_identifier_code(struct und_parser *p)
{
    const char *key = p->p;
    p->p++; /* ? */
    if (und_consume(p, "__")) {
        char c = und_pop(p);
        if (p->error)
            return NULL;
        if (c == 'K') { /* operator ""name */
            long at = und_find_char(p, '@');
            if (at <= 0) {
                p->error = 1;
                return NULL;
            }
            struct und_node *n = und_new_node(p, UND_ID_LITERAL_OP);
            if (!n)
                return NULL;
            n->text = p->p;
            n->text_len = (size_t)at;
            p->p += at + 1;
            n->key = key;
            n->key_len = (size_t)(p->p - key);
            return n;
        }
        return make_intrinsic(p, op_double_under, c, key);
    }
    if (und_consume_char(p, '_')) {
        char c = und_pop(p);
        return p->error ? NULL : make_intrinsic(p, op_under, c, key);
    }
    char c = und_pop(p);
    if (p->error)
        return NULL;
    if (c == '0' || c == '1') {
        struct und_node *n = und_new_node(p, UND_ID_STRUCTOR);
        if (n) {
            n->flag = c == '1';
            n->key = key;
            n->key_len = 2;
        }
        return n;
    }
    if (c == 'B') {
        struct und_node *n = und_new_node(p, UND_ID_CONVERSION);
        if (n) {
            n->key = key;
            n->key_len = 2;
        }
        return n;
    }
    return make_intrinsic(p, op_basic, c, key);
}

static struct und_node *parse_unqualified_symbol_name(struct und_parser *p, int nbb)
{
    if (und_starts_digit(p))
        return parse_backref_name(p);
    if (und_starts(p, "?$"))
        return parse_template_name(p, nbb);
    if (und_peek(p) == '?')
        return parse_function_identifier_code(p);
    return parse_simple_name(p, (nbb & NBB_SIMPLE) != 0);
}

static struct und_node *parse_name_scope_piece(struct und_parser *p)
{
    if (und_starts_digit(p))
        return parse_backref_name(p);
    if (und_starts(p, "?$"))
        return parse_template_name(p, NBB_TEMPLATE);
    if (und_starts(p, "?A"))
        return parse_anon_namespace(p);
    if (starts_local_scope(p))
        return parse_local_scope(p);
    return parse_simple_name(p, 1);
}

/* <scope>* @ after the unqualified name; builds the QNAME outermost first. */
struct und_node *und_parse_name_scope_chain(struct und_parser *p, struct und_node *ident)
{
    struct und_node *qn = und_new_node(p, UND_QNAME);
    struct und_list *head = und_new_cell(p, ident);
    if (!qn || !head)
        return NULL;
    size_t count = 1;
    while (!und_consume_char(p, '@')) {
        if (und_at_end(p)) {
            p->error = 1;
            return NULL;
        }
        struct und_node *piece = parse_name_scope_piece(p);
        if (p->error)
            return NULL;
        struct und_list *cell = und_new_cell(p, piece);
        if (!cell)
            return NULL;
        cell->next = head;
        head = cell;
        count++;
    }
    qn->list = head;
    qn->count = count;
    return qn;
}

struct und_node *und_last_component(const struct und_node *qn)
{
    const struct und_list *c = qn->list;
    while (c && c->next)
        c = c->next;
    return c ? c->node : NULL;
}

struct und_node *und_parse_fq_symbol_name(struct und_parser *p)
{
    struct und_node *id = parse_unqualified_symbol_name(p, NBB_SIMPLE);
    if (p->error)
        return NULL;
    struct und_node *qn = und_parse_name_scope_chain(p, id);
    if (p->error)
        return NULL;
    if (id->kind == UND_ID_STRUCTOR) {
        if (qn->count < 2) {
            p->error = 1;
            return NULL;
        }
        /* the constructor is named after the class that encloses it */
        struct und_list *c = qn->list;
        for (size_t i = 0; i + 2 < qn->count; i++)
            c = c->next;
        /* a back-referenced structor identifier may be shared; name a private copy */
        struct und_node *copy = und_new_node(p, UND_ID_STRUCTOR);
        if (!copy)
            return NULL;
        *copy = *id;
        copy->name = c->node;
        c->next->node = copy;
    }
    return qn;
}

struct und_node *und_parse_unqualified_type_name(struct und_parser *p, int memo)
{
    if (und_starts_digit(p))
        return parse_backref_name(p);
    if (und_starts(p, "?$"))
        return parse_template_name(p, NBB_TEMPLATE);
    return parse_simple_name(p, memo);
}

struct und_node *und_parse_fq_type_name(struct und_parser *p)
{
    struct und_node *id = und_parse_unqualified_type_name(p, 1);
    if (p->error)
        return NULL;
    return und_parse_name_scope_chain(p, id);
}
