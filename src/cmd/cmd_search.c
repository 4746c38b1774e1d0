/*
 * s: search memory, after the debugger reference "s (Search Memory)":
 *
 *   s [-[Flags]Type] Range Pattern     Type: b w d q a u (b when omitted)
 *   s -[Flags]sa Range                 any printable ASCII string
 *   s -[Flags]su Range                 any printable UTF-16 string
 *
 * Flags (in one pair of brackets): 1 prints only the addresses of the hits,
 * w searches only writeable memory, l N sets the minimum string length of
 * -sa/-su (default 3). Saved searches (s, r, n) and -v are not supported.
 *
 * The reference's rules: a hit must lie wholly inside the range; overlapping
 * hits are all found ("QQQ" is found three times in "QQQQQ"); WORD, DWORD and
 * QWORD hits are aligned to their size; numbers are in the current radix and
 * 'c' / 'VUTS' are character constants ('VUTS' is the DWORD whose bytes are
 * S T U V); -a and -u take a string, quoted or not, without escapes. The range
 * is limited to 256 MB unless given with L?.
 *
 * Only the memory the dump holds is searched: the scan walks the dump's memory
 * map where it meets the range, straight over the mapped file, so "s -a 0
 * L?7fffffffffff ..." costs the size of the dump, not of the range.
 *
 * Each hit prints the first line the matching display command would show at
 * that address (transcripts: "s -b"/"s -a" as db, "s -u" as words and
 * characters, "s -d" as dc, "s -q" as dq; the debugger reference's "s -d
 * @rsp L1000000 'H'" example). The layout of "s -w" hits is not shown in any
 * transcript found; it uses the -u layout (the same element size). Nor is the
 * -sa/-su layout: each string prints as da/du print one, address and quoted
 * text; -su looks at even addresses only.
 */
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_format.h"
#include "cmd/cmd_range.h"
#include "cmd/command.h"
#include "cmd/expr.h"

/* MINIDUMP_MEMORY_INFO State and Protect values (winnt.h, "Memory Protection Constants"). */
#define MEM_COMMIT_STATE 0x1000
#define PROT_READWRITE 0x04
#define PROT_WRITECOPY 0x08
#define PROT_EXECUTE_READWRITE 0x40
#define PROT_EXECUTE_WRITECOPY 0x80

/* "l Length": "The default length is 3." */
#define SEARCH_DEFAULT_MIN_LENGTH 3
/* Characters of one -sa/-su string kept for printing; longer strings are cut. */
#define SEARCH_STRING_MAX 1024

enum search_type {
    SEARCH_BYTE,
    SEARCH_WORD,
    SEARCH_DWORD,
    SEARCH_QWORD,
    SEARCH_ASCII,
    SEARCH_UNICODE,
    SEARCH_ANY_ASCII,   /* -sa */
    SEARCH_ANY_UNICODE, /* -su */
};

struct search {
    struct session *s;
    enum search_type type;
    bool addresses_only; /* [1] */
    bool writable_only;  /* [w] */
    uint64_t min_length; /* [l N] */
    uint8_t *pat;
    size_t plen;
    unsigned align;
    uint64_t lo, hi; /* the range, both ends inclusive */
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static struct dd_error *syntax_error(const struct cmd_args *a)
{
    return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
}

/* Element size of a typed search (its alignment and pattern unit). */
static unsigned type_size(enum search_type t)
{
    switch (t) {
    case SEARCH_WORD:
        return 2;
    case SEARCH_DWORD:
        return 4;
    case SEARCH_QWORD:
        return 8;
    default:
        return 1;
    }
}

/* Parses "-[Flags]Type" at *P (advancing it); leaves the defaults when there is no '-'. */
static struct dd_error *parse_options(struct search *x, const struct cmd_args *a, const char **p)
{
    const char *q = *p;
    if (*q != '-')
        return NULL;
    q++;
    if (*q == '[') {
        q++;
        while (*q && *q != ']') {
            char c = *q++;
            if (c == '1') {
                x->addresses_only = true;
            } else if (c == 'w' || c == 'W') {
                x->writable_only = true;
            } else if (c == 'l' || c == 'L') {
                while (is_blank(*q))
                    q++;
                char *end;
                unsigned long long v = strtoull(q, &end, x->s->radix ? (int)x->s->radix : 16);
                if (end == q)
                    return syntax_error(a);
                x->min_length = v;
                q = end;
            } else if (c == 's' || c == 'r' || c == 'n' || c == 'S' || c == 'R' || c == 'N') {
                return dd_error_create(DD_ERR_UNSUPPORTED,
                                       "Saved searches (the s, r and n flags) are not supported");
            } else {
                return syntax_error(a);
            }
        }
        if (*q != ']')
            return syntax_error(a);
        q++;
    }
    /* The type ends at a blank: "-sa", "-d", ... */
    size_t n = 0;
    while (q[n] && !is_blank(q[n]))
        n++;
    static const struct {
        const char *name;
        enum search_type type;
    } types[] = {
        {"b", SEARCH_BYTE},   {"w", SEARCH_WORD},    {"d", SEARCH_DWORD},
        {"q", SEARCH_QWORD},  {"a", SEARCH_ASCII},   {"u", SEARCH_UNICODE},
        {"sa", SEARCH_ANY_ASCII}, {"su", SEARCH_ANY_UNICODE},
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        if (strlen(types[i].name) == n && dd_strncasecmp(types[i].name, q, n) == 0) {
            x->type = types[i].type;
            *p = q + n;
            return NULL;
        }
    if (n == 1 && (q[0] == 'v' || q[0] == 'V'))
        return dd_error_create(DD_ERR_UNSUPPORTED, "s -v (search for objects) is not supported");
    /* "If you use Flags, you cannot omit Type." */
    return syntax_error(a);
}

/* Appends the SIZE little-endian bytes of V to the pattern (room is reserved by the caller). */
static void put_value(struct search *x, uint64_t v, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        x->pat[x->plen++] = (uint8_t)(v >> (8 * i));
}

/* True when V is a SIZE-byte value, or a negative one sign-extended from it. */
static bool fits(uint64_t v, unsigned size)
{
    if (size >= 8)
        return true;
    uint64_t high = v >> (8 * size);
    uint64_t all = (UINT64_MAX >> (8 * size));
    return high == 0 || (high == all && (v >> (8 * size - 1) & 1));
}

/* Numeric pattern: values and 'char' constants separated by blanks. */
static struct dd_error *parse_values(struct search *x, const struct cmd_args *a, const char *p)
{
    unsigned size = type_size(x->type);
    size_t cap = (strlen(p) + 1) * size;
    x->pat = dd_arena_alloc(&x->s->scratch, cap);
    if (!x->pat)
        return &dd_error_no_memory;
    while (*p) {
        while (is_blank(*p))
            p++;
        if (!*p)
            break;
        uint64_t v = 0;
        if (*p == '\'') {
            /* A character constant: its characters are the value's bytes, first most significant. */
            const char *q = p + 1;
            size_t n = 0;
            while (q[n] && q[n] != '\'')
                n++;
            if (q[n] != '\'' || n == 0 || n > 8)
                return syntax_error(a);
            for (size_t i = 0; i < n; i++)
                v = (v << 8) | (uint8_t)q[i];
            p = q + n + 1;
        } else {
            const char *end;
            struct dd_error *err = expr_eval_prefix(x->s, p, &end, &v);
            if (err)
                return err;
            if (end == p)
                return syntax_error(a);
            p = end;
        }
        if (!fits(v, size))
            return dd_error_create(DD_ERR_SYNTAX, "Range error in '%s'", a->line);
        if (x->plen + size > cap)
            return syntax_error(a);
        put_value(x, v, size);
    }
    if (x->plen == 0)
        return syntax_error(a);
    return NULL;
}

/* Decodes one UTF-8 sequence at P (advancing it); malformed bytes stand for themselves. */
static unsigned utf8_next(const char **p)
{
    const uint8_t *s = (const uint8_t *)*p;
    unsigned c = s[0];
    size_t n = 1;
    if (c >= 0xc0 && c < 0xe0 && (s[1] & 0xc0) == 0x80) {
        c = ((c & 0x1f) << 6) | (s[1] & 0x3f);
        n = 2;
    } else if (c >= 0xe0 && c < 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
        c = ((c & 0x0f) << 12) | ((s[1] & 0x3f) << 6) | (s[2] & 0x3f);
        n = 3;
    } else if (c >= 0xf0 && c < 0xf8 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
               (s[3] & 0xc0) == 0x80) {
        c = ((c & 0x07) << 18) | ((s[1] & 0x3f) << 12) | ((s[2] & 0x3f) << 6) | (s[3] & 0x3f);
        n = 4;
    }
    *p += n;
    return c;
}

/* -a / -u pattern: a string in double quotes, or the rest of the line as typed. */
static struct dd_error *parse_string(struct search *x, const struct cmd_args *a, const char *p)
{
    const char *text = p;
    size_t len = strlen(p);
    if (*p == '"') {
        text = p + 1;
        const char *close = strchr(text, '"');
        if (close) {
            len = (size_t)(close - text);
            const char *after = close + 1;
            while (is_blank(*after))
                after++;
            if (*after)
                return syntax_error(a);
        } else {
            len = strlen(text);
        }
    }
    if (len == 0)
        return syntax_error(a);
    /* UTF-16 needs at most 4 bytes per input byte (a surrogate pair for 4 bytes of UTF-8). */
    x->pat = dd_arena_alloc(&x->s->scratch, len * 4);
    if (!x->pat)
        return &dd_error_no_memory;
    if (x->type == SEARCH_ASCII) {
        memcpy(x->pat, text, len);
        x->plen = len;
        return NULL;
    }
    const char *q = text, *end = text + len;
    while (q < end) {
        unsigned c = utf8_next(&q);
        if (c >= 0x10000) {
            c -= 0x10000;
            put_value(x, 0xd800 | (c >> 10), 2);
            put_value(x, 0xdc00 | (c & 0x3ff), 2);
        } else {
            put_value(x, c, 2);
        }
    }
    return NULL;
}

static char printable(uint8_t c)
{
    return c >= 0x20 && c < 0x7f ? (char)c : '.';
}

static bool all_ok(const bool *ok, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (!ok[i])
            return false;
    return true;
}

static uint64_t le_value(const uint8_t *b, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = size; i > 0; i--)
        v = (v << 8) | b[i - 1];
    return v;
}

/* One hit: its address, or the first line of the matching display at it. */
static void print_hit(struct search *x, uint64_t addr)
{
    struct session *s = x->s;
    char abuf[DD_ADDR_BUF];
    dd_printf(s->out, "%s", session_fmt_addr(s, abuf, addr));
    if (x->addresses_only) {
        dd_puts(s->out, "\n");
        return;
    }
    uint8_t b[16];
    bool ok[16];
    target_read_marked(s->target, addr, b, ok, sizeof(b));
    dd_puts(s->out, " ");
    bool chars = true;
    switch (x->type) {
    case SEARCH_WORD:
    case SEARCH_UNICODE:
        for (unsigned i = 0; i < 16; i += 2) {
            if (all_ok(ok + i, 2))
                dd_printf(s->out, " %04x", (unsigned)le_value(b + i, 2));
            else
                dd_puts(s->out, " ????");
        }
        break;
    case SEARCH_DWORD:
        for (unsigned i = 0; i < 16; i += 4) {
            if (all_ok(ok + i, 4))
                dd_printf(s->out, " %08x", (unsigned)le_value(b + i, 4));
            else
                dd_puts(s->out, " ????????");
        }
        break;
    case SEARCH_QWORD:
        chars = false;
        for (unsigned i = 0; i < 16; i += 8) {
            uint64_t v = le_value(b + i, 8);
            if (all_ok(ok + i, 8))
                dd_printf(s->out, " %08x`%08x", (unsigned)(v >> 32), (unsigned)(uint32_t)v);
            else
                dd_puts(s->out, " ????????`????????");
        }
        break;
    default:
        for (unsigned i = 0; i < 16; i++) {
            const char *sep = i == 0 ? " " : i == 8 ? "-" : " ";
            if (ok[i])
                dd_printf(s->out, "%s%02x", sep, b[i]);
            else
                dd_printf(s->out, "%s??", sep);
        }
        break;
    }
    if (chars) {
        char text[17];
        for (unsigned i = 0; i < 16; i++)
            text[i] = ok[i] ? printable(b[i]) : '?';
        text[16] = '\0';
        dd_printf(s->out, "  %s", text);
    }
    dd_puts(s->out, "\n");
}

/* With [w]: whether ADDR is in committed, writeable memory (all memory when the dump has no regions). */
static bool writable(const struct target *t, uint64_t addr)
{
    if (t->nregions == 0)
        return true;
    size_t lo = 0, hi = t->nregions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct target_region *r = &t->regions[mid];
        if (addr < r->base) {
            hi = mid;
        } else if (addr - r->base >= r->size) {
            lo = mid + 1;
        } else {
            unsigned p = r->protect & 0xff;
            return r->state == MEM_COMMIT_STATE &&
                   (p == PROT_READWRITE || p == PROT_WRITECOPY || p == PROT_EXECUTE_READWRITE ||
                    p == PROT_EXECUTE_WRITECOPY);
        }
    }
    return false;
}

static void report(struct search *x, uint64_t addr)
{
    if (x->writable_only && !writable(x->s->target, addr))
        return;
    print_hit(x, addr);
}

/* Index of the first range of M whose last byte is at or above ADDR (M->count when none). */
static size_t first_range_from(const struct dd_memmap *m, uint64_t addr)
{
    size_t lo = 0, hi = m->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct dd_memrange *r = &m->ranges[mid];
        if (r->size == 0 || r->base + (r->size - 1) < addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Typed search: every (aligned) start in [lo, hi - plen + 1] where the pattern is in memory. */
static void search_pattern(struct search *x)
{
    const struct dd_memmap *m = &x->s->target->memory;
    if (x->plen == 0 || x->hi - x->lo < x->plen - 1)
        return;
    uint64_t last_start = x->hi - (x->plen - 1);
    uint8_t *tmp = dd_arena_alloc(&x->s->scratch, x->plen);
    if (!tmp)
        return;
    for (size_t i = first_range_from(m, x->lo); i < m->count; i++) {
        const struct dd_memrange *r = &m->ranges[i];
        if (r->size == 0)
            continue;
        if (r->base > last_start)
            break;
        uint64_t r_last = r->base + (r->size - 1);
        uint64_t first = r->base > x->lo ? r->base : x->lo;
        uint64_t stop = r_last < last_start ? r_last : last_start;
        if (first > stop)
            continue;
        /* Starts whose whole pattern lies in this range: scan the mapped bytes directly. */
        uint64_t cross_from = r->base; /* first start whose pattern runs past the range */
        if (r->size >= x->plen) {
            uint64_t max_inside = r_last - (x->plen - 1);
            cross_from = max_inside + 1;
            uint64_t inside_last = stop < max_inside ? stop : max_inside;
            if (first <= inside_last) {
                const uint8_t *base = r->data;
                size_t off = (size_t)(first - r->base);
                size_t end = (size_t)(inside_last - r->base);
                while (off <= end) {
                    const uint8_t *hit = memchr(base + off, x->pat[0], end - off + 1);
                    if (!hit)
                        break;
                    off = (size_t)(hit - base);
                    uint64_t addr = r->base + off;
                    if (addr % x->align == 0 && memcmp(hit, x->pat, x->plen) == 0)
                        report(x, addr);
                    off++;
                }
            }
        }
        /* Starts near the range's end: the pattern can only continue into a contiguous next range. */
        bool contiguous = i + 1 < m->count && r_last != UINT64_MAX &&
                          m->ranges[i + 1].base == r_last + 1;
        if (!contiguous)
            continue;
        if (cross_from < first)
            cross_from = first;
        for (uint64_t addr = cross_from; addr <= stop; addr++) {
            if (addr % x->align != 0)
                continue;
            /* Compare the part in this range first; read the rest only when it matches. */
            size_t here = (size_t)(r_last - addr + 1);
            if (memcmp(r->data + (addr - r->base), x->pat, here) != 0)
                continue;
            size_t got = 0;
            struct dd_error *err = dd_memmap_read(m, r_last + 1, tmp, x->plen - here, &got);
            dd_error_destroy(err);
            if (got == x->plen - here && memcmp(tmp, x->pat + here, got) == 0)
                report(x, addr);
        }
    }
}

/* -sa / -su: the state of the string being collected. */
struct string_scan {
    struct search *x;
    bool active;
    uint64_t start, len; /* characters */
    uint64_t next;       /* address the next character must be at */
    char text[SEARCH_STRING_MAX + 1];
    size_t text_len;
};

static void string_flush(struct string_scan *st)
{
    if (st->active && st->len >= st->x->min_length && st->len) {
        st->text[st->text_len] = '\0';
        struct search *x = st->x;
        if (!x->writable_only || writable(x->s->target, st->start)) {
            char abuf[DD_ADDR_BUF];
            if (x->addresses_only)
                dd_printf(x->s->out, "%s\n", session_fmt_addr(x->s, abuf, st->start));
            else
                dd_printf(x->s->out, "%s  \"%s\"\n", session_fmt_addr(x->s, abuf, st->start),
                          st->text);
        }
    }
    st->active = false;
    st->len = 0;
    st->text_len = 0;
}

/* Adds printable character C found at ADDR (or ends the string when C is 0). */
static void string_char(struct string_scan *st, uint64_t addr, unsigned c, unsigned width)
{
    if (st->active && addr != st->next)
        string_flush(st);
    if (c == 0) {
        string_flush(st);
        return;
    }
    if (!st->active) {
        st->active = true;
        st->start = addr;
    }
    if (st->len < SEARCH_STRING_MAX)
        st->text[st->text_len++] = (char)c;
    st->len++;
    st->next = addr + width;
}

/*
 * -sa / -su: runs of at least min_length printable characters (0x20-0x7e;
 * for -su, UTF-16 code units of that range at even addresses).
 */
static void search_strings(struct search *x)
{
    const struct dd_memmap *m = &x->s->target->memory;
    struct string_scan *st = dd_arena_alloc(&x->s->scratch, sizeof(*st));
    if (!st)
        return;
    st->x = x;
    unsigned width = x->type == SEARCH_ANY_UNICODE ? 2 : 1;
    for (size_t i = first_range_from(m, x->lo); i < m->count; i++) {
        const struct dd_memrange *r = &m->ranges[i];
        if (r->size == 0)
            continue;
        if (r->base > x->hi)
            break;
        uint64_t r_last = r->base + (r->size - 1);
        uint64_t first = r->base > x->lo ? r->base : x->lo;
        uint64_t last = r_last < x->hi ? r_last : x->hi;
        if (width == 2 && (first & 1))
            first++;
        for (uint64_t addr = first; addr <= last && addr >= first; addr += width) {
            unsigned c;
            if (width == 1) {
                c = r->data[addr - r->base];
            } else {
                uint8_t pair[2];
                size_t got = 0;
                if (addr - r->base + 1 < r->size) {
                    pair[0] = r->data[addr - r->base];
                    pair[1] = r->data[addr - r->base + 1];
                    got = 2;
                } else {
                    struct dd_error *err = dd_memmap_read(m, addr, pair, 2, &got);
                    dd_error_destroy(err);
                }
                if (got < 2 || addr + 1 > x->hi)
                    break;
                c = pair[1] ? 0 : pair[0];
            }
            string_char(st, addr, c >= 0x20 && c < 0x7f ? c : 0, width);
            if (last - addr < width)
                break;
        }
    }
    string_flush(st);
}

static struct dd_error *cmd_search_memory(struct session *s, const struct cmd_args *a)
{
    struct search x = {.s = s, .type = SEARCH_BYTE, .min_length = SEARCH_DEFAULT_MIN_LENGTH};
    const char *p = a->rest;
    struct dd_error *err = parse_options(&x, a, &p);
    if (err)
        return err;
    struct cmd_range r;
    err = cmd_range_parse(s, p, a->line, 1, &r);
    if (err)
        return err;
    if (!r.has_count || r.count == 0)
        return syntax_error(a);
    x.lo = r.start;
    x.hi = r.start + (r.count - 1);
    x.align = type_size(x.type);
    if (x.type == SEARCH_ANY_ASCII || x.type == SEARCH_ANY_UNICODE) {
        if (*r.rest)
            return syntax_error(a);
        search_strings(&x);
        return NULL;
    }
    if (!*r.rest)
        return syntax_error(a);
    if (x.type == SEARCH_ASCII || x.type == SEARCH_UNICODE)
        err = parse_string(&x, a, r.rest);
    else
        err = parse_values(&x, a, r.rest);
    if (err)
        return err;
    search_pattern(&x);
    return NULL;
}

const struct cmd_def cmd_table_search[] = {
    {"s", cmd_search_memory, 0, "s [-[1wl N]b|w|d|q|a|u|sa|su] range pattern - search memory"},
    {NULL, NULL, 0, NULL},
};
