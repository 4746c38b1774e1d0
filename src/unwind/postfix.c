/*
 * The postfix evaluator of frame programs. Semantics follow Breakpad's PostfixEvaluator
 * (src/processor/postfix_evaluator-inl.h): names are pushed unresolved and looked up only when
 * an operator pops them as values, so "= " can take a name as its target; literals are decimal
 * with an optional leading '-'; '@' is operand1 & ~(operand2 - 1); a program must leave the
 * stack empty and an expression exactly one value. Unlike Breakpad, division by zero and
 * numbers wider than the value width are errors instead of undefined behaviour.
 */
#include <string.h>

#include "unwind/postfix.h"

/* One stack entry: a value, or a name not yet looked up. */
struct entry {
    bool is_name;
    const char *name;
    size_t name_len;
    struct postfix_value v;
};

struct run {
    struct postfix_machine *m;
    uint64_t mask;
    struct entry stack[POSTFIX_MAX_DEPTH];
    size_t depth;
    size_t ntokens;
};

void postfix_init(struct postfix_machine *m, unsigned width,
                  size_t (*read_memory)(void *ctx, uint64_t addr, void *buf, size_t len), void *ctx)
{
    memset(m, 0, sizeof(*m));
    m->width = width == 4 ? 4 : 8;
    m->read_memory = read_memory;
    m->ctx = ctx;
}

static uint64_t width_mask(const struct postfix_machine *m)
{
    return m->width == 4 ? 0xffffffffull : UINT64_MAX;
}

static struct postfix_var *var_find(struct postfix_machine *m, const char *name, size_t len)
{
    if (len == 0 || len >= POSTFIX_MAX_NAME)
        return NULL;
    for (size_t i = 0; i < m->nvars; i++)
        if (strncmp(m->vars[i].name, name, len) == 0 && m->vars[i].name[len] == '\0')
            return &m->vars[i];
    return NULL;
}

/* The variable NAME, created unset when absent; NULL when the name is too long or M is full. */
static struct postfix_var *var_get(struct postfix_machine *m, const char *name, size_t len)
{
    struct postfix_var *v = var_find(m, name, len);
    if (v || len == 0 || len >= POSTFIX_MAX_NAME || m->nvars == POSTFIX_MAX_VARS)
        return v;
    v = &m->vars[m->nvars++];
    memset(v, 0, sizeof(*v));
    memcpy(v->name, name, len);
    v->name[len] = '\0';
    return v;
}

struct dd_error *postfix_define(struct postfix_machine *m, const char *name, uint64_t value)
{
    size_t len = strlen(name);
    if (len == 0 || len >= POSTFIX_MAX_NAME)
        return dd_error_create(DD_ERR_OTHER, "postfix: bad name length %zu", len);
    struct postfix_var *v = var_get(m, name, len);
    if (!v)
        return dd_error_create(DD_ERR_UNSUPPORTED, "postfix: more than %d names", POSTFIX_MAX_VARS);
    v->v.value = value & width_mask(m);
    v->v.from_memory = false;
    v->v.addr = 0;
    v->assigned = false;
    return NULL;
}

const struct postfix_var *postfix_lookup(const struct postfix_machine *m, const char *name,
                                         size_t len)
{
    return var_find((struct postfix_machine *)m, name, len);
}

const struct postfix_var *postfix_assigned(const struct postfix_machine *m, const char *name)
{
    const struct postfix_var *v = postfix_lookup(m, name, strlen(name));
    return v && v->assigned ? v : NULL;
}

static int short_len(size_t len)
{
    return len > 40 ? 40 : (int)len;
}

/* Parses [-]digits into ret; false when TOK is not a number. Errors on overflow. */
static struct dd_error *parse_number(const struct run *r, const char *tok, size_t len, bool *ret_is,
                                     uint64_t *ret)
{
    size_t i = 0;
    bool neg = false;
    if (len > 1 && tok[0] == '-') {
        neg = true;
        i = 1;
    }
    for (size_t k = i; k < len; k++) {
        if (tok[k] < '0' || tok[k] > '9') {
            *ret_is = false;
            return NULL;
        }
    }
    uint64_t v = 0;
    for (; i < len; i++) {
        uint64_t d = (uint64_t)(tok[i] - '0');
        if (v > (r->mask - d) / 10)
            return dd_error_create(DD_ERR_SYNTAX, "postfix: number %.*s out of range",
                                   short_len(len), tok);
        v = v * 10 + d;
    }
    *ret_is = true;
    *ret = (neg ? (uint64_t)0 - v : v) & r->mask;
    return NULL;
}

static struct dd_error *push(struct run *r, const struct entry *e)
{
    if (r->depth == POSTFIX_MAX_DEPTH)
        return dd_error_create(DD_ERR_UNSUPPORTED, "postfix: stack deeper than %d",
                               POSTFIX_MAX_DEPTH);
    r->stack[r->depth++] = *e;
    return NULL;
}

static struct dd_error *push_value(struct run *r, uint64_t value, bool from_memory, uint64_t addr)
{
    struct entry e = {0};
    e.v.value = value & r->mask;
    e.v.from_memory = from_memory;
    e.v.addr = addr;
    return push(r, &e);
}

/* Pops an entry as a value, looking names up. */
static struct dd_error *pop_value(struct run *r, const char *op, struct postfix_value *ret)
{
    if (r->depth == 0)
        return dd_error_create(DD_ERR_SYNTAX, "postfix: '%s' needs more operands", op);
    struct entry *e = &r->stack[--r->depth];
    if (!e->is_name) {
        *ret = e->v;
        return NULL;
    }
    const struct postfix_var *v = var_find(r->m, e->name, e->name_len);
    if (!v)
        return dd_error_create(DD_ERR_SYNTAX, "postfix: %.*s has no value", short_len(e->name_len),
                               e->name);
    *ret = v->v;
    return NULL;
}

static struct dd_error *binary(struct run *r, char op)
{
    char ops[2] = {op, '\0'};
    struct postfix_value a, b;
    struct dd_error *err = pop_value(r, ops, &b);
    if (!err)
        err = pop_value(r, ops, &a);
    if (err)
        return err;
    uint64_t x = a.value, y = b.value, res;
    switch (op) {
    case '+':
        res = x + y;
        break;
    case '-':
        res = x - y;
        break;
    case '*':
        res = x * y;
        break;
    case '/':
    case '%':
        if (y == 0)
            return dd_error_create(DD_ERR_SYNTAX, "postfix: '%c' by zero", op);
        res = op == '/' ? x / y : x % y;
        break;
    default: /* '@': align down to a multiple of Y (Y a power of two) */
        res = x & ~(y - 1);
        break;
    }
    return push_value(r, res, false, 0);
}

static struct dd_error *deref(struct run *r)
{
    struct postfix_value a;
    struct dd_error *err = pop_value(r, "^", &a);
    if (err)
        return err;
    uint8_t buf[8] = {0};
    size_t got = r->m->read_memory ? r->m->read_memory(r->m->ctx, a.value, buf, r->m->width) : 0;
    if (got < r->m->width)
        return dd_error_memory((a.value + got) & r->mask);
    uint64_t v = 0;
    for (unsigned i = r->m->width; i-- > 0;)
        v = v << 8 | buf[i];
    return push_value(r, v, true, a.value);
}

static struct dd_error *assign(struct run *r)
{
    struct postfix_value val;
    struct dd_error *err = pop_value(r, "=", &val);
    if (err)
        return err;
    if (r->depth == 0)
        return dd_error_create(DD_ERR_SYNTAX, "postfix: '=' needs a name");
    struct entry *e = &r->stack[--r->depth];
    if (!e->is_name || e->name[0] != '$')
        return dd_error_create(DD_ERR_SYNTAX, "postfix: '=' target is not a $ name");
    struct postfix_var *v = var_get(r->m, e->name, e->name_len);
    if (!v)
        return dd_error_create(DD_ERR_UNSUPPORTED, "postfix: more than %d names", POSTFIX_MAX_VARS);
    v->v = val;
    v->assigned = true;
    return NULL;
}

static struct dd_error *token(struct run *r, const char *tok, size_t len)
{
    if (++r->ntokens > POSTFIX_MAX_TOKENS)
        return dd_error_create(DD_ERR_UNSUPPORTED, "postfix: more than %d tokens",
                               POSTFIX_MAX_TOKENS);
    if (len == 1) {
        switch (tok[0]) {
        case '+':
        case '-':
        case '*':
        case '/':
        case '%':
        case '@':
            return binary(r, tok[0]);
        case '^':
            return deref(r);
        case '=':
            return assign(r);
        default:
            break;
        }
    }
    bool is_number = false;
    uint64_t n = 0;
    struct dd_error *err = parse_number(r, tok, len, &is_number, &n);
    if (err)
        return err;
    if (is_number)
        return push_value(r, n, false, 0);
    if (len >= POSTFIX_MAX_NAME)
        return dd_error_create(DD_ERR_UNSUPPORTED, "postfix: name %.*s... too long", short_len(len),
                               tok);
    struct entry e = {0};
    e.is_name = true;
    e.name = tok;
    e.name_len = len;
    return push(r, &e);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Runs TEXT, leaving the final stack in R. */
static struct dd_error *run_tokens(struct run *r, const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        while (i < len && is_space(text[i]))
            i++;
        size_t start = i;
        while (i < len && !is_space(text[i]))
            i++;
        if (i == start)
            break;
        const char *tok = text + start;
        size_t tlen = i - start;
        struct dd_error *err;
        /* "=$eip": an assignment smashed against the next token (Breakpad's evaluator). */
        if (tlen > 1 && tok[0] == '=') {
            err = token(r, "=", 1);
            if (!err)
                err = token(r, tok + 1, tlen - 1);
        } else {
            err = token(r, tok, tlen);
        }
        if (err)
            return err;
    }
    return NULL;
}

static struct dd_error *run_checked(struct postfix_machine *m, const char *text, size_t len,
                                    size_t want_depth, struct postfix_value *ret)
{
    /* Assignments are undone on error: keep a copy of the names. */
    struct postfix_var saved[POSTFIX_MAX_VARS];
    size_t saved_n = m->nvars;
    memcpy(saved, m->vars, saved_n * sizeof(saved[0]));

    struct run r;
    r.m = m;
    r.mask = width_mask(m);
    r.depth = 0;
    r.ntokens = 0;
    struct dd_error *err = run_tokens(&r, text, len);
    if (!err && r.depth != want_depth)
        err = dd_error_create(DD_ERR_SYNTAX, "postfix: %zu values left on the stack (want %zu)",
                              r.depth, want_depth);
    struct postfix_value v = {0};
    if (!err && want_depth == 1)
        err = pop_value(&r, "result", &v);
    if (err) {
        memcpy(m->vars, saved, saved_n * sizeof(saved[0]));
        m->nvars = saved_n;
        return err;
    }
    if (ret)
        *ret = v;
    return NULL;
}

struct dd_error *postfix_run(struct postfix_machine *m, const char *text, size_t len)
{
    return run_checked(m, text, len, 0, NULL);
}

struct dd_error *postfix_eval(struct postfix_machine *m, const char *text, size_t len,
                              struct postfix_value *ret)
{
    return run_checked(m, text, len, 1, ret);
}
