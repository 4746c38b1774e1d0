/*
 * The MASM expression evaluator (WinDbg's default syntax), after the
 * debugger documentation "MASM Numbers and Operators", "Register Syntax",
 * "Pseudo-Register Syntax" and "Sign Extension".
 *
 * Precedence, lowest first (equal levels associate left to right):
 *   or |   xor ^   and &   = == != < > <= >=   << >> >>>   + -   * / % mod
 * Unary operators bind tighter than any binary one:
 *   + - ~ not hi low by wo dwo qwo poi
 * All arithmetic is on 64-bit unsigned values, as the MASM evaluator treats
 * every number as a ULONG64.
 *
 * A bare word is resolved in this order (Register Syntax: "the debugger first
 * tries to interpret the text as a hexadecimal number... next as a symbol...
 * finally as a register", with the common registers recognised first):
 *   1. a number in the current radix (prefixes 0x 0n 0t 0y, suffix h, `),
 *   2. a general-purpose or flags register of the effective machine,
 *   3. a module name (its base address); "mod!sym" cannot resolve until
 *      symbols exist,
 *   4. any other register name, then a "$name" pseudo-register.
 * "@name" is only ever a register or pseudo-register.
 *
 * "@@c++(expr)" and "@@(expr)" evaluate EXPR with the C++ evaluator (cpp_expr.h), "@@masm(expr)"
 * with this one ("Evaluating Expressions": mixing syntaxes); the value is the C++ value as a
 * number (an object's address).
 *
 * Errors carry WinDbg's text: "<kind> error at '<rest of the input>'", where
 * the rest starts at the token the evaluator was looking at (for memory and
 * division errors, the last token it consumed), "<EOL>" at the end of input.
 */
#include "cmd/expr.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/cpp_expr.h"
#include "cmd/session.h"

/* Deep enough for any typed expression; bounds the recursion on hostile input. */
#define EXPR_MAX_DEPTH 200
#define EXPR_WORD_MAX 256

enum expr_tok {
    TOK_END,
    TOK_WORD, /* identifier, number, keyword operator, @reg or $pseudo */
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_PLUS,
    TOK_MINUS,
    TOK_STAR,
    TOK_SLASH,
    TOK_PERCENT,
    TOK_TILDE,
    TOK_SHL,
    TOK_SHR, /* >> logical */
    TOK_SAR, /* >>> arithmetic */
    TOK_LT,
    TOK_GT,
    TOK_LE,
    TOK_GE,
    TOK_EQ, /* = or == */
    TOK_NE,
    TOK_AND,   /* & */
    TOK_XOR,   /* ^ */
    TOK_OR,    /* | */
    TOK_OTHER, /* anything else: ends the expression */
};

struct expr_parser {
    struct session *s;
    const char *p;     /* scan position, just past the lookahead token */
    enum expr_tok tok; /* the lookahead token */
    const char *tok_start, *tok_end;
    const char *prev_start; /* start of the most recently consumed token */
    int depth;
};

/* Pointer size for poi and $ptrsize: the effective machine's, else the target's. */
static unsigned ptr_size(const struct session *s)
{
    unsigned n = session_ptr_size(s);
    if (n == 4 || n == 8)
        return n;
    return s->target ? target_ptr_size(s->target) : 8;
}

static bool is_word_start(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || c == '@' || c == '!';
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '$' || c == '!' || c == '`';
}

/* Length of the word at P: "mod!sym", "Class::member" and "mod!a.b" are one word; "!=" ends it. */
static size_t word_length(const char *p)
{
    size_t n = 1;
    bool bang = p[0] == '!';
    for (;;) {
        char c = p[n];
        if (c == '!' && p[n + 1] == '=')
            break;
        if (is_word_char(c)) {
            bang = bang || c == '!';
            n++;
        } else if (c == ':' && p[n + 1] == ':') {
            n += 2;
        } else if (c == '.' && bang) {
            n++;
        } else {
            break;
        }
    }
    return n;
}

static void lex(struct expr_parser *x)
{
    const char *p = x->p;
    while (*p == ' ' || *p == '\t')
        p++;
    x->tok_start = p;
    char c = *p;
    enum expr_tok t = TOK_OTHER;
    size_t n = 1;
    if (c == '\0') {
        t = TOK_END;
        n = 0;
    } else if (is_word_start(c)) {
        t = TOK_WORD;
        n = word_length(p);
    } else {
        switch (c) {
        case '(':
            t = TOK_LPAREN;
            break;
        case ')':
            t = TOK_RPAREN;
            break;
        case '+':
            t = TOK_PLUS;
            break;
        case '-':
            t = TOK_MINUS;
            break;
        case '*':
            t = TOK_STAR;
            break;
        case '/':
            t = TOK_SLASH;
            break;
        case '%':
            t = TOK_PERCENT;
            break;
        case '~':
            t = TOK_TILDE;
            break;
        case '&':
            t = TOK_AND;
            break;
        case '^':
            t = TOK_XOR;
            break;
        case '|':
            t = TOK_OR;
            break;
        case '=':
            t = TOK_EQ;
            if (p[1] == '=')
                n = 2;
            break;
        case '<':
            if (p[1] == '<') {
                t = TOK_SHL;
                n = 2;
            } else if (p[1] == '=') {
                t = TOK_LE;
                n = 2;
            } else {
                t = TOK_LT;
            }
            break;
        case '>':
            if (p[1] == '>' && p[2] == '>') {
                t = TOK_SAR;
                n = 3;
            } else if (p[1] == '>') {
                t = TOK_SHR;
                n = 2;
            } else if (p[1] == '=') {
                t = TOK_GE;
                n = 2;
            } else {
                t = TOK_GT;
            }
            break;
        default:
            break;
        }
    }
    /* "!=" lexes as a word start; catch it before the word rule would. */
    if (c == '!' && p[1] == '=') {
        t = TOK_NE;
        n = 2;
    }
    x->tok = t;
    x->tok_end = p + n;
    x->p = p + n;
}

static void advance(struct expr_parser *x)
{
    x->prev_start = x->tok_start;
    lex(x);
}

/* Is the lookahead the word KW (case-insensitive)? */
static bool tok_is_kw(const struct expr_parser *x, const char *kw)
{
    size_t n = (size_t)(x->tok_end - x->tok_start);
    return x->tok == TOK_WORD && strlen(kw) == n && dd_strncasecmp(x->tok_start, kw, n) == 0;
}

/* "<kind> error at '<text from AT>'" with trailing blanks dropped; "<EOL>" when empty. */
static struct dd_error *expr_error(enum dd_error_code code, const char *kind, const char *at)
{
    size_t n = strlen(at);
    while (n && (at[n - 1] == ' ' || at[n - 1] == '\t' || at[n - 1] == '\r' || at[n - 1] == '\n'))
        n--;
    if (n == 0)
        return dd_error_create(code, "%s error at '<EOL>'", kind);
    return dd_error_create(code, "%s error at '%.*s'", kind, (int)(n > 200 ? 200 : n), at);
}

static struct dd_error *expr_missing(const struct expr_parser *x)
{
    const char *at = x->tok_start;
    size_t n = strlen(at);
    while (n && (at[n - 1] == ' ' || at[n - 1] == '\t'))
        n--;
    if (n == 0)
        return dd_error_create(DD_ERR_SYNTAX, "Numeric expression missing from '<EOL>'");
    return dd_error_create(DD_ERR_SYNTAX, "Numeric expression missing from '%.*s'",
                           (int)(n > 200 ? 200 : n), at);
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    return 99;
}

/*
 * Parses W (length N) as a MASM number. Returns 1 and sets *ret on success,
 * 0 when W is not a number, -1 when it is one but overflows 64 bits.
 */
static int parse_number(const char *w, size_t n, unsigned radix, uint64_t *ret)
{
    unsigned base = radix;
    size_t i = 0;
    if (n >= 2 && w[0] == '0') {
        switch (tolower((unsigned char)w[1])) {
        case 'x':
            base = 16;
            i = 2;
            break;
        case 'n':
            base = 10;
            i = 2;
            break;
        case 't':
            base = 8;
            i = 2;
            break;
        case 'y':
            base = 2;
            i = 2;
            break;
        default:
            break;
        }
    }
    /* "4ab3h": hexadecimal by suffix (MASM Numbers and Operators). */
    if (i == 0 && n >= 2 && (w[n - 1] == 'h' || w[n - 1] == 'H')) {
        bool hex = true;
        for (size_t k = 0; k + 1 < n; k++)
            if (w[k] != '`' && !isxdigit((unsigned char)w[k]))
                hex = false;
        if (hex && w[0] != '`') {
            base = 16;
            n--;
        }
    }
    /* A prefix alone means 0 ("0x" == 0); a bare word needs a digit. */
    if (i == 0 && (n == 0 || w[0] == '`'))
        return 0;
    uint64_t v = 0;
    bool overflow = false;
    for (; i < n; i++) {
        if (w[i] == '`')
            continue;
        int d = digit_value(w[i]);
        if (d >= (int)base)
            return 0;
        if (v > (UINT64_MAX - (uint64_t)d) / base)
            overflow = true;
        v = v * base + (uint64_t)d;
    }
    if (overflow)
        return -1;
    *ret = v;
    return 1;
}

/* A 32-bit register is sign extended in both modes (Sign Extension). */
static uint64_t sign_extend_reg(const struct arch_reg *reg, uint64_t v)
{
    if (reg->bits == 32 && (v & 0x80000000ULL))
        return v | 0xffffffff00000000ULL;
    return v;
}

/*
 * Looks up register NAME (GPR_ONLY: general-purpose and flags registers only);
 * sets *found and ret when it names a readable register. Errors when the
 * context cannot be read.
 */
static struct dd_error *resolve_register(struct session *s, const char *name, bool gpr_only,
                                         bool *found, uint64_t *ret)
{
    *found = false;
    if (!s->effmach)
        return NULL;
    const struct arch_reg *reg = arch_reg_find(s->effmach, name);
    if (!reg || (gpr_only && reg->kind != ARCH_REG_GPR && reg->kind != ARCH_REG_FLAGS))
        return NULL;
    struct regset rs;
    struct dd_error *err = session_regs(s, &rs);
    if (err)
        return err;
    /* The context may be the native one under a different effective machine. */
    if (rs.arch && rs.arch != s->effmach) {
        reg = arch_reg_find(rs.arch, name);
        if (!reg)
            return NULL;
    }
    uint64_t v;
    if (!regset_get(&rs, reg, &v))
        return NULL;
    *found = true;
    *ret = sign_extend_reg(reg, v);
    return NULL;
}

/* The current context's program counter (WHICH = 0) or stack pointer (1). */
static bool current_slot(struct session *s, int which, uint64_t *ret)
{
    struct regset rs;
    struct dd_error *err = session_regs(s, &rs);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    const struct arch_ops *a = rs.arch ? rs.arch : s->effmach;
    if (!a)
        return false;
    uint16_t slot = which == 0 ? a->pc_slot : a->sp_slot;
    if (slot >= ARCH_MAX_REGS || !rs.valid[slot])
        return false;
    *ret = rs.r[slot];
    if (ptr_size(s) == 4)
        *ret &= 0xffffffffULL;
    return true;
}

/* Reads exactly N bytes at ADDR; false (the error dropped) when the dump lacks them. */
static bool read_ok(struct target *t, uint64_t addr, void *buf, size_t n)
{
    struct dd_error *err = target_read_exact(t, addr, buf, n);
    bool ok = err == NULL;
    dd_error_destroy(err);
    return ok;
}

/* The image entry point of module M from its PE header in memory (PE/COFF: e_lfanew at
 * 0x3c, AddressOfEntryPoint at optional header + 0x10 for PE32 and PE32+ alike). */
static bool module_entry(struct session *s, const struct target_module *m, uint64_t *ret)
{
    uint8_t b[4];
    if (!read_ok(s->target, m->base + 0x3c, b, 4))
        return false;
    uint32_t lfanew = dd_le32(b);
    if (lfanew > m->size || !read_ok(s->target, m->base + lfanew + 0x18 + 0x10, b, 4))
        return false;
    *ret = m->base + dd_le32(b);
    return true;
}

static bool is_exe_module(const struct target_module *m)
{
    size_t n = m->path ? strlen(m->path) : 0;
    return n >= 4 && dd_strcasecmp(m->path + n - 4, ".exe") == 0;
}

/* Pseudo-registers (Pseudo-Register Syntax). NAME excludes '@' and '$'. */
static bool resolve_pseudo(struct session *s, const char *name, uint64_t *ret)
{
    struct target *t = s->target;
    const struct target_thread *th =
        t && s->cur_thread < t->nthreads ? &t->threads[s->cur_thread] : NULL;
    if (dd_strcasecmp(name, "ip") == 0)
        return current_slot(s, 0, ret);
    if (dd_strcasecmp(name, "csp") == 0)
        return current_slot(s, 1, ret);
    if (dd_strcasecmp(name, "ptrsize") == 0) {
        *ret = ptr_size(s);
        return true;
    }
    if (dd_strcasecmp(name, "retreg") == 0) {
        static const char *const names[] = {"rax", "eax", "x0", "r0"};
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
            bool found = false;
            struct dd_error *err = resolve_register(s, names[i], false, &found, ret);
            if (err) {
                dd_error_destroy(err);
                return false;
            }
            if (found)
                return true;
        }
        return false;
    }
    if (dd_strcasecmp(name, "tid") == 0 && th) {
        *ret = th->tid;
        return true;
    }
    if (dd_strcasecmp(name, "teb") == 0 && th && th->teb) {
        *ret = th->teb;
        return true;
    }
    if (dd_strcasecmp(name, "peb") == 0 && t) {
        if (t->proc.peb) {
            *ret = t->proc.peb;
            return true;
        }
        /* Else TEB.ProcessEnvironmentBlock of the native TEB: +0x60 on 64-bit, +0x30 on 32-bit. */
        unsigned n = target_ptr_size(t);
        uint8_t b[8] = {0};
        if (!th || !th->teb || !read_ok(t, th->teb + (n == 8 ? 0x60 : 0x30), b, n))
            return false;
        *ret = n == 8 ? dd_le64(b) : dd_le32(b);
        return *ret != 0;
    }
    if (dd_strcasecmp(name, "tpid") == 0 && t && t->proc.has_pid) {
        *ret = t->proc.pid;
        return true;
    }
    if (dd_strcasecmp(name, "exentry") == 0 && t) {
        for (size_t i = 0; i < t->nmodules; i++)
            if (is_exe_module(&t->modules[i]))
                return module_entry(s, &t->modules[i], ret);
        return false;
    }
    /* $ra needs the unwinder and $p the last d* value: not known yet, so they do not resolve. */
    return false;
}

static const struct target_module *module_by_name(const struct target *t, const char *name)
{
    if (!t)
        return NULL;
    for (size_t i = 0; i < t->nmodules; i++)
        if (t->modules[i].name && dd_strcasecmp(t->modules[i].name, name) == 0)
            return &t->modules[i];
    return NULL;
}

/* Resolves the lookahead word as an operand value. */
static struct dd_error *resolve_word(struct expr_parser *x, uint64_t *ret)
{
    size_t n = (size_t)(x->tok_end - x->tok_start);
    const char *at = x->tok_start;
    if (n >= EXPR_WORD_MAX)
        return expr_error(DD_ERR_NOT_FOUND, "Couldn't resolve", at);
    char w[EXPR_WORD_MAX];
    memcpy(w, at, n);
    w[n] = '\0';
    struct session *s = x->s;
    bool found = false;
    struct dd_error *err;

    if (w[0] == '@') {
        if (w[1] == '$') {
            if (resolve_pseudo(s, w + 2, ret))
                return NULL;
        } else {
            err = resolve_register(s, w + 1, false, &found, ret);
            if (err || found)
                return err;
        }
        return expr_error(DD_ERR_NOT_FOUND, "Couldn't resolve", at);
    }
    if (w[0] == '$') {
        if (resolve_pseudo(s, w + 1, ret))
            return NULL;
        return expr_error(DD_ERR_NOT_FOUND, "Couldn't resolve", at);
    }
    int num = parse_number(w, n, s->radix ? s->radix : 16, ret);
    if (num > 0)
        return NULL;
    if (num < 0)
        return expr_error(DD_ERR_SYNTAX, "Overflow", at);
    if (strchr(w, '!')) {
        if (s->syms && !symbols_find_by_name(s->syms, w, ret))
            return NULL;
        return expr_error(DD_ERR_NOT_FOUND, "Couldn't resolve", at);
    }
    err = resolve_register(s, w, true, &found, ret);
    if (err || found)
        return err;
    const struct target_module *m = module_by_name(s->target, w);
    if (m) {
        *ret = m->base;
        return NULL;
    }
    /* A bare symbol name is looked up in every module, as WinDbg does. */
    if (s->syms && !symbols_find_by_name(s->syms, w, ret))
        return NULL;
    err = resolve_register(s, w, false, &found, ret);
    if (err || found)
        return err;
    return expr_error(DD_ERR_NOT_FOUND, "Couldn't resolve", at);
}

static struct dd_error *parse_binary(struct expr_parser *x, int level, uint64_t *ret);

/* Reads an N-byte little-endian value at ADDR for by/wo/dwo/qwo/poi. */
static struct dd_error *read_value(struct expr_parser *x, uint64_t addr, unsigned n, uint64_t *ret)
{
    uint8_t b[8];
    size_t got = 0;
    struct dd_error *err =
        x->s->target ? target_read(x->s->target, addr, b, n, &got) : dd_error_memory(addr);
    if (err) {
        dd_error_destroy(err);
        err = expr_error(DD_ERR_MEMORY, "Memory access", x->prev_start);
        if (!err->is_static)
            err->address = addr;
        return err;
    }
    uint64_t v = 0;
    for (unsigned i = n; i > 0; i--)
        v = (v << 8) | b[i - 1];
    *ret = v;
    return NULL;
}

enum unary_op {
    UN_NONE,
    UN_PLUS,
    UN_NEG,
    UN_COMPL,
    UN_NOT,
    UN_HI,
    UN_LOW,
    UN_BY,
    UN_WO,
    UN_DWO,
    UN_QWO,
    UN_POI
};

static enum unary_op unary_of(const struct expr_parser *x)
{
    switch (x->tok) {
    case TOK_PLUS:
        return UN_PLUS;
    case TOK_MINUS:
        return UN_NEG;
    case TOK_TILDE:
        return UN_COMPL;
    default:
        break;
    }
    static const struct {
        const char *kw;
        enum unary_op op;
    } kws[] = {
        {"not", UN_NOT}, {"hi", UN_HI},   {"low", UN_LOW}, {"by", UN_BY},
        {"wo", UN_WO},   {"dwo", UN_DWO}, {"qwo", UN_QWO}, {"poi", UN_POI},
    };
    for (size_t i = 0; i < sizeof(kws) / sizeof(kws[0]); i++)
        if (tok_is_kw(x, kws[i].kw))
            return kws[i].op;
    return UN_NONE;
}

/* Each "@@" nests an evaluator in a new one (each with its own depth guard); this bounds the
 * nesting on hostile input. */
#define EXPR_MAX_SWITCHES 16

static unsigned expr_switch_count(const char *s)
{
    unsigned n = 0;
    for (const char *p = strstr(s, "@@"); p; p = strstr(p + 2, "@@"))
        n++;
    return n;
}

/* "@@c++(...)", "@@(...)" or "@@masm(...)" at the lookahead: evaluates the parenthesized text
 * with the evaluator it names and moves past the closing parenthesis. */
static struct dd_error *parse_switch(struct expr_parser *x, uint64_t *ret)
{
    const char *at = x->tok_start;
    const char *open = NULL;
    bool cpp = true;
    if (strncmp(at, "@@c++(", 6) == 0 || strncmp(at, "@@C++(", 6) == 0) {
        open = at + 5;
    } else if (strncmp(at, "@@(", 3) == 0) {
        open = at + 2;
    } else if (dd_strncasecmp(at, "@@masm(", 7) == 0) {
        open = at + 6;
        cpp = false;
    } else {
        return expr_error(DD_ERR_SYNTAX, "Syntax", at);
    }
    int depth = 0;
    const char *close = open;
    for (; *close; close++) {
        if (*close == '(')
            depth++;
        else if (*close == ')' && --depth == 0)
            break;
    }
    if (!*close)
        return expr_error(DD_ERR_SYNTAX, "Syntax", at);
    size_t n = (size_t)(close - open - 1);
    char inner[1024];
    if (n >= sizeof(inner))
        return expr_error(DD_ERR_SYNTAX, "Syntax", at);
    memcpy(inner, open + 1, n);
    inner[n] = '\0';
    if (expr_switch_count(inner) > EXPR_MAX_SWITCHES)
        return expr_error(DD_ERR_SYNTAX, "Syntax", at);
    struct dd_error *err =
        cpp ? cpp_expr_eval_number(x->s, inner, ret) : expr_eval(x->s, inner, ret);
    if (err)
        return err;
    x->p = close + 1;
    advance(x);
    return NULL;
}

/* One double-quoted string argument of $scmp/$sicmp at P (backslash escapes a quote or a
 * backslash); copies it to OUT and returns the position after it, or NULL. */
static const char *parse_string_arg(const char *p, char *out, size_t len)
{
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != '"')
        return NULL;
    size_t n = 0;
    for (; *p && *p != '"'; p++) {
        if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
            p++;
        if (n + 1 >= len)
            return NULL;
        out[n++] = *p;
    }
    if (*p != '"')
        return NULL;
    out[n] = '\0';
    return p + 1;
}

/* $scmp("a", "b") and $sicmp("a", "b"): -1, 0 or 1 like strcmp/stricmp (MASM Numbers and
 * Operators). The lookahead is the function's name. */
static struct dd_error *parse_string_compare(struct expr_parser *x, bool nocase, uint64_t *ret)
{
    const char *at = x->tok_start;
    const char *p = x->p;
    char a[512], b[512];
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != '(' || !(p = parse_string_arg(p, a, sizeof(a))))
        return expr_error(DD_ERR_SYNTAX, "Syntax", at);
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != ',' || !(p = parse_string_arg(p, b, sizeof(b))))
        return expr_error(DD_ERR_SYNTAX, "Syntax", at);
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p++ != ')')
        return expr_error(DD_ERR_SYNTAX, "Syntax", at);
    int c = nocase ? dd_strcasecmp(a, b) : strcmp(a, b);
    *ret = c < 0 ? UINT64_MAX : c > 0 ? 1 : 0;
    x->p = p;
    advance(x);
    return NULL;
}

/* $iment(Address): the entry point of the PE image whose base is Address, from its header. */
static struct dd_error *parse_iment(struct expr_parser *x, uint64_t *ret)
{
    const char *at = x->tok_start;
    advance(x);
    if (x->tok != TOK_LPAREN)
        return expr_error(DD_ERR_SYNTAX, "Syntax", at);
    advance(x);
    uint64_t base;
    struct dd_error *err = parse_binary(x, 0, &base);
    if (err)
        return err;
    if (x->tok != TOK_RPAREN)
        return expr_error(DD_ERR_SYNTAX, "Syntax", x->tok_start);
    advance(x);
    struct target_module m = {.base = base, .size = UINT32_MAX};
    if (!module_entry(x->s, &m, ret))
        return expr_error(DD_ERR_MEMORY, "Memory access", at);
    return NULL;
}

static struct dd_error *parse_unary(struct expr_parser *x, uint64_t *ret)
{
    if (++x->depth > EXPR_MAX_DEPTH)
        return expr_error(DD_ERR_SYNTAX, "Syntax", x->tok_start);
    struct dd_error *err = NULL;
    uint64_t v = 0;
    enum unary_op op = unary_of(x);
    if (op != UN_NONE) {
        advance(x);
        err = parse_unary(x, &v);
        if (err)
            goto out;
        switch (op) {
        case UN_PLUS:
            break;
        case UN_NEG:
            v = 0 - v;
            break;
        case UN_COMPL:
            v = ~v;
            break;
        case UN_NOT:
            v = v == 0;
            break;
        case UN_HI:
            v = (v >> 16) & 0xffff;
            break;
        case UN_LOW:
            v &= 0xffff;
            break;
        case UN_BY:
            err = read_value(x, v, 1, &v);
            break;
        case UN_WO:
            err = read_value(x, v, 2, &v);
            break;
        case UN_DWO:
            err = read_value(x, v, 4, &v);
            break;
        case UN_QWO:
            err = read_value(x, v, 8, &v);
            break;
        case UN_POI:
            err = read_value(x, v, ptr_size(x->s), &v);
            break;
        case UN_NONE:
            break;
        }
    } else if (x->tok == TOK_LPAREN) {
        advance(x);
        err = parse_binary(x, 0, &v);
        if (err)
            goto out;
        if (x->tok != TOK_RPAREN) {
            err = expr_error(DD_ERR_SYNTAX, "Syntax", x->tok_start);
            goto out;
        }
        advance(x);
    } else if (x->tok == TOK_WORD && x->tok_start[0] == '@' && x->tok_start[1] == '@') {
        err = parse_switch(x, &v);
    } else if (tok_is_kw(x, "$iment") || tok_is_kw(x, "@$iment")) {
        err = parse_iment(x, &v);
    } else if (tok_is_kw(x, "$scmp") || tok_is_kw(x, "@$scmp")) {
        err = parse_string_compare(x, false, &v);
    } else if (tok_is_kw(x, "$sicmp") || tok_is_kw(x, "@$sicmp")) {
        err = parse_string_compare(x, true, &v);
    } else if (x->tok == TOK_WORD) {
        err = resolve_word(x, &v);
        if (err)
            goto out;
        advance(x);
    } else {
        err = expr_missing(x);
    }
out:
    x->depth--;
    if (!err)
        *ret = v;
    return err;
}

/* Binary operator levels, lowest precedence first; -1 when the lookahead is none. */
enum bin_op {
    BIN_OR,
    BIN_XOR,
    BIN_AND,
    BIN_EQ,
    BIN_NE,
    BIN_LT,
    BIN_GT,
    BIN_LE,
    BIN_GE,
    BIN_SHL,
    BIN_SHR,
    BIN_SAR,
    BIN_ADD,
    BIN_SUB,
    BIN_MUL,
    BIN_DIV,
    BIN_MOD
};
#define LEVELS 7

static int binary_of(const struct expr_parser *x, enum bin_op *op)
{
    switch (x->tok) {
    case TOK_OR:
        *op = BIN_OR;
        return 0;
    case TOK_XOR:
        *op = BIN_XOR;
        return 1;
    case TOK_AND:
        *op = BIN_AND;
        return 2;
    case TOK_EQ:
        *op = BIN_EQ;
        return 3;
    case TOK_NE:
        *op = BIN_NE;
        return 3;
    case TOK_LT:
        *op = BIN_LT;
        return 3;
    case TOK_GT:
        *op = BIN_GT;
        return 3;
    case TOK_LE:
        *op = BIN_LE;
        return 3;
    case TOK_GE:
        *op = BIN_GE;
        return 3;
    case TOK_SHL:
        *op = BIN_SHL;
        return 4;
    case TOK_SHR:
        *op = BIN_SHR;
        return 4;
    case TOK_SAR:
        *op = BIN_SAR;
        return 4;
    case TOK_PLUS:
        *op = BIN_ADD;
        return 5;
    case TOK_MINUS:
        *op = BIN_SUB;
        return 5;
    case TOK_STAR:
        *op = BIN_MUL;
        return 6;
    case TOK_SLASH:
        *op = BIN_DIV;
        return 6;
    case TOK_PERCENT:
        *op = BIN_MOD;
        return 6;
    default:
        break;
    }
    if (tok_is_kw(x, "or")) {
        *op = BIN_OR;
        return 0;
    }
    if (tok_is_kw(x, "xor")) {
        *op = BIN_XOR;
        return 1;
    }
    if (tok_is_kw(x, "and")) {
        *op = BIN_AND;
        return 2;
    }
    if (tok_is_kw(x, "mod")) {
        *op = BIN_MOD;
        return 6;
    }
    return -1;
}

static struct dd_error *apply(struct expr_parser *x, enum bin_op op, uint64_t a, uint64_t b,
                              uint64_t *ret)
{
    uint64_t v = 0;
    switch (op) {
    case BIN_OR:
        v = a | b;
        break;
    case BIN_XOR:
        v = a ^ b;
        break;
    case BIN_AND:
        v = a & b;
        break;
    case BIN_EQ:
        v = a == b;
        break;
    case BIN_NE:
        v = a != b;
        break;
    case BIN_LT:
        v = a < b;
        break;
    case BIN_GT:
        v = a > b;
        break;
    case BIN_LE:
        v = a <= b;
        break;
    case BIN_GE:
        v = a >= b;
        break;
    /* Shift counts wrap at 64 as the x64 shift instructions do. */
    case BIN_SHL:
        v = a << (b & 63);
        break;
    case BIN_SHR:
        v = a >> (b & 63);
        break;
    case BIN_SAR: {
        unsigned sh = (unsigned)(b & 63);
        v = a >> sh;
        if (sh && (a >> 63))
            v |= ~(UINT64_MAX >> sh);
        break;
    }
    case BIN_ADD:
        v = a + b;
        break;
    case BIN_SUB:
        v = a - b;
        break;
    case BIN_MUL:
        v = a * b;
        break;
    case BIN_DIV:
    case BIN_MOD:
        if (b == 0)
            return expr_error(DD_ERR_SYNTAX, "Divide by zero", x->prev_start);
        v = op == BIN_DIV ? a / b : a % b;
        break;
    }
    *ret = v;
    return NULL;
}

/* Parses operators of precedence LEVEL and above (LEVELS = a unary operand). */
static struct dd_error *parse_binary(struct expr_parser *x, int level, uint64_t *ret)
{
    if (level >= LEVELS)
        return parse_unary(x, ret);
    if (++x->depth > EXPR_MAX_DEPTH) {
        x->depth--;
        return expr_error(DD_ERR_SYNTAX, "Syntax", x->tok_start);
    }
    uint64_t a;
    struct dd_error *err = parse_binary(x, level + 1, &a);
    enum bin_op op = BIN_OR;
    while (!err && binary_of(x, &op) == level) {
        advance(x);
        uint64_t b;
        err = parse_binary(x, level + 1, &b);
        if (!err)
            err = apply(x, op, a, b, &a);
    }
    x->depth--;
    if (!err)
        *ret = a;
    return err;
}

struct dd_error *expr_eval_prefix(struct session *s, const char *text, const char **end,
                                  uint64_t *ret)
{
    struct expr_parser x = {s, text, TOK_END, text, text, text, 0};
    lex(&x);
    x.prev_start = x.tok_start;
    uint64_t v;
    struct dd_error *err = parse_binary(&x, 0, &v);
    if (err)
        return err;
    if (end)
        *end = x.tok_start;
    *ret = v;
    return NULL;
}

struct dd_error *expr_eval(struct session *s, const char *text, uint64_t *ret)
{
    const char *end;
    uint64_t v;
    struct dd_error *err = expr_eval_prefix(s, text, &end, &v);
    if (err)
        return err;
    if (*end)
        return expr_error(DD_ERR_SYNTAX, "Syntax", end);
    *ret = v;
    return NULL;
}
