/*
 * Record parsers for Breakpad .sym lines (Breakpad docs/symbol_files.md). Every parser works on
 * a bounded [p, end) view of one line and returns false on any field that does not parse, so a
 * bad record is skipped by the caller rather than trusted.
 */
#include "sym/breakpad_internal.h"

#include <string.h>

bool bp_line_next(const char *text, size_t size, size_t *pos, const char **line, size_t *len)
{
    size_t at = *pos;
    if (at >= size)
        return false;
    const char *nl = memchr(text + at, '\n', size - at);
    size_t stop = nl ? (size_t)(nl - text) : size;
    size_t n = stop - at;
    /* CRLF files (dump_syms on Windows writes them): drop the '\r'. */
    if (n > 0 && text[at + n - 1] == '\r')
        n--;
    *line = text + at;
    *len = n;
    *pos = nl ? stop + 1 : size;
    return true;
}

bool bp_token(struct bp_fields *f, const char **tok, size_t *len)
{
    const char *p = f->p;
    while (p < f->end && *p == ' ')
        p++;
    const char *s = p;
    while (p < f->end && *p != ' ')
        p++;
    f->p = p;
    if (p == s)
        return false;
    *tok = s;
    *len = (size_t)(p - s);
    return true;
}

bool bp_rest(struct bp_fields *f, const char **s, size_t *n)
{
    const char *p = f->p;
    while (p < f->end && *p == ' ')
        p++;
    f->p = f->end;
    if (p == f->end)
        return false;
    *s = p;
    *n = (size_t)(f->end - p);
    return true;
}

/* Hex digit values, -1 for anything else (a table: this is the hot loop of opening a file). */
static const signed char hex_value[256] = {
    ['0'] = 0,  ['1'] = 1,  ['2'] = 2,  ['3'] = 3,  ['4'] = 4,  ['5'] = 5,  ['6'] = 6,
    ['7'] = 7,  ['8'] = 8,  ['9'] = 9,  ['a'] = 10, ['b'] = 11, ['c'] = 12, ['d'] = 13,
    ['e'] = 14, ['f'] = 15, ['A'] = 10, ['B'] = 11, ['C'] = 12, ['D'] = 13, ['E'] = 14,
    ['F'] = 15,
};

static int hex_digit(unsigned char c)
{
    /* The table's zero entries are real zeros only for '0'. */
    int v = hex_value[c];
    return v == 0 && c != '0' ? -1 : v;
}

bool bp_hex64(const char *s, size_t n, uint64_t *ret)
{
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = hex_digit((unsigned char)s[i]);
        if (d < 0 || v >> 60)
            return false;
        v = v << 4 | (uint64_t)d;
    }
    *ret = v;
    return true;
}

bool bp_dec32(const char *s, size_t n, uint32_t *ret)
{
    if (n == 0)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > UINT32_MAX)
            return false;
    }
    *ret = (uint32_t)v;
    return true;
}

/* The next token as a hex number, read in the same pass that finds its end. */
static bool tok_hex64(struct bp_fields *f, uint64_t *ret)
{
    const char *p = f->p, *end = f->end;
    while (p < end && *p == ' ')
        p++;
    const char *s = p;
    uint64_t v = 0;
    for (; p < end && *p != ' '; p++) {
        int d = hex_digit((unsigned char)*p);
        if (d < 0 || v >> 60)
            return false;
        v = v << 4 | (uint64_t)d;
    }
    if (p == s)
        return false;
    f->p = p;
    *ret = v;
    return true;
}

static bool tok_hex32(struct bp_fields *f, uint32_t *ret)
{
    uint64_t v;
    if (!tok_hex64(f, &v) || v > UINT32_MAX)
        return false;
    *ret = (uint32_t)v;
    return true;
}

/* The next token as a decimal number of at most 32 bits, in one pass. */
static bool tok_dec32(struct bp_fields *f, uint32_t *ret)
{
    const char *p = f->p, *end = f->end;
    while (p < end && *p == ' ')
        p++;
    const char *s = p;
    uint64_t v = 0;
    for (; p < end && *p != ' '; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (uint64_t)(*p - '0');
        if (v > UINT32_MAX)
            return false;
    }
    if (p == s)
        return false;
    f->p = p;
    *ret = (uint32_t)v;
    return true;
}

static bool tok_is(const char *t, size_t n, const char *word)
{
    size_t w = strlen(word);
    return n == w && memcmp(t, word, w) == 0;
}

/* True when nothing but spaces is left on the line. */
static bool at_end(struct bp_fields *f)
{
    const char *t;
    size_t n;
    return !bp_token(f, &t, &n);
}

enum bp_kind bp_classify(struct bp_fields *f)
{
    struct bp_fields start = *f;
    const char *t;
    size_t n;
    /* Most lines are line records; keywords are upper-case, so a digit or a lower-case hex
     * letter settles it without reading the token. */
    if (f->p < f->end) {
        unsigned char c = (unsigned char)*f->p;
        if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
            return BP_LINE;
    }
    if (!bp_token(f, &t, &n))
        return BP_EMPTY;
    switch (t[0]) {
    case 'F':
        if (tok_is(t, n, "FUNC"))
            return BP_FUNC;
        if (tok_is(t, n, "FILE"))
            return BP_FILE;
        break;
    case 'P':
        if (tok_is(t, n, "PUBLIC"))
            return BP_PUBLIC;
        break;
    case 'I':
        if (tok_is(t, n, "INLINE"))
            return BP_INLINE;
        if (tok_is(t, n, "INLINE_ORIGIN"))
            return BP_INLINE_ORIGIN;
        if (tok_is(t, n, "INFO"))
            return BP_INFO;
        break;
    case 'M':
        if (tok_is(t, n, "MODULE"))
            return BP_MODULE;
        break;
    case 'S':
        if (tok_is(t, n, "STACK")) {
            if (!bp_token(f, &t, &n))
                return BP_UNKNOWN;
            if (tok_is(t, n, "WIN"))
                return BP_STACK_WIN;
            if (!tok_is(t, n, "CFI"))
                return BP_UNKNOWN;
            struct bp_fields after_cfi = *f;
            if (bp_token(f, &t, &n) && tok_is(t, n, "INIT"))
                return BP_CFI_INIT;
            *f = after_cfi;
            return BP_CFI_DELTA;
        }
        break;
    default:
        break;
    }
    /* Line records have no keyword: they start with a (lower-case) hex address. A first word
     * that is not hex and starts upper-case is a record type newer than this reader. */
    bool hex = true;
    for (size_t i = 0; i < n && hex; i++)
        hex = hex_digit((unsigned char)t[i]) >= 0;
    if (!hex && t[0] >= 'A' && t[0] <= 'Z')
        return BP_UNKNOWN;
    *f = start;
    return BP_LINE;
}

/* The optional "m" (multiple) flag of FUNC and PUBLIC. */
static bool opt_multiple(struct bp_fields *f)
{
    struct bp_fields save = *f;
    const char *t;
    size_t n;
    if (bp_token(f, &t, &n) && tok_is(t, n, "m"))
        return true;
    *f = save;
    return false;
}

bool bp_parse_func(struct bp_fields *f, struct bp_func_rec *ret)
{
    struct bp_func_rec r = {0};
    r.multiple = opt_multiple(f);
    uint64_t end;
    if (!tok_hex64(f, &r.addr) || !tok_hex64(f, &r.size) || !tok_hex32(f, &r.param_size) ||
        !bp_rest(f, &r.name, &r.name_len))
        return false;
    end = r.addr + r.size;
    if (end < r.addr)
        return false;
    *ret = r;
    return true;
}

bool bp_parse_public(struct bp_fields *f, struct bp_func_rec *ret)
{
    struct bp_func_rec r = {0};
    r.multiple = opt_multiple(f);
    if (!tok_hex64(f, &r.addr) || !tok_hex32(f, &r.param_size) ||
        !bp_rest(f, &r.name, &r.name_len))
        return false;
    *ret = r;
    return true;
}

bool bp_parse_named(struct bp_fields *f, uint32_t *num, const char **name, size_t *len)
{
    uint32_t v;
    if (!tok_dec32(f, &v) || !bp_rest(f, name, len))
        return false;
    *num = v;
    return true;
}

bool bp_parse_line(struct bp_fields *f, struct bp_line_rec *ret)
{
    struct bp_line_rec r;
    if (!tok_hex64(f, &r.addr) || !tok_hex64(f, &r.size) || !tok_dec32(f, &r.line) ||
        !tok_dec32(f, &r.file) || !at_end(f) || r.addr + r.size < r.addr)
        return false;
    *ret = r;
    return true;
}

bool bp_inline_range_next(struct bp_fields *ranges, uint64_t *addr, uint64_t *size)
{
    uint64_t a, s;
    if (!tok_hex64(ranges, &a) || !tok_hex64(ranges, &s))
        return false;
    *addr = a;
    *size = s;
    return true;
}

bool bp_parse_inline(struct bp_fields *f, struct bp_inline_rec *ret)
{
    /*
     * Current form: nest_level call_line call_file origin (addr size)+, an even token count.
     * The first form (2021) had no call_file: an odd count.
     */
    struct bp_fields scan = *f;
    const char *t;
    size_t n, count = 0;
    while (bp_token(&scan, &t, &n))
        count++;
    if (count < 5)
        return false;
    struct bp_inline_rec r = {0};
    r.has_call_file = count % 2 == 0;
    if (!tok_dec32(f, &r.nest_level) || !tok_dec32(f, &r.call_line))
        return false;
    if (r.has_call_file && !tok_dec32(f, &r.call_file))
        return false;
    if (!tok_dec32(f, &r.origin))
        return false;
    r.ranges = *f;
    /* Check every range now so lookups can trust them. */
    struct bp_fields check = *f;
    uint64_t a, s;
    while (bp_inline_range_next(&check, &a, &s))
        if (a + s < a)
            return false;
    if (!at_end(&check))
        return false;
    *ret = r;
    return true;
}

bool bp_parse_stack_win(struct bp_fields *f, struct breakpad_stack_win *ret)
{
    struct breakpad_stack_win w = {0};
    uint32_t has_program;
    if (!tok_hex32(f, &w.type) || !tok_hex64(f, &w.rva) || !tok_hex32(f, &w.code_size) ||
        !tok_hex32(f, &w.prolog_size) || !tok_hex32(f, &w.epilog_size) ||
        !tok_hex32(f, &w.params_size) || !tok_hex32(f, &w.saved_regs_size) ||
        !tok_hex32(f, &w.locals_size) || !tok_hex32(f, &w.max_stack_size) ||
        !tok_hex32(f, &has_program))
        return false;
    if (w.rva + w.code_size < w.rva)
        return false;
    w.has_program_string = has_program != 0;
    if (w.has_program_string) {
        if (!bp_rest(f, &w.program_string, &w.program_string_len))
            return false;
    } else {
        uint32_t allocates;
        if (!tok_hex32(f, &allocates) || !at_end(f))
            return false;
        w.allocates_base_pointer = allocates != 0;
    }
    *ret = w;
    return true;
}

bool bp_parse_cfi_init(struct bp_fields *f, uint64_t *addr, uint64_t *size, const char **rules,
                       size_t *rules_len)
{
    uint64_t a, s;
    if (!tok_hex64(f, &a) || !tok_hex64(f, &s) || a + s < a || !bp_rest(f, rules, rules_len))
        return false;
    *addr = a;
    *size = s;
    return true;
}

bool bp_parse_cfi_delta(struct bp_fields *f, uint64_t *addr, const char **rules,
                        size_t *rules_len)
{
    uint64_t a;
    if (!tok_hex64(f, &a) || !bp_rest(f, rules, rules_len))
        return false;
    *addr = a;
    return true;
}
