/*
 * Display-memory commands (db dw dd dq dp dc da du dds dqs dps dda ddu dpa dpu dqa dqu d) and
 * `n`, after the debugger reference "d, da, db, dc, dd, dD, df, dp, dq, du, dw (Display
 * Memory)", "dds, dps, dqs (Display Words and Symbols)", "dda, ddp, ddu, dpa, dpp, dpu, dqa,
 * dqp, dqu (Display Referenced Memory)" and "Address and Address Range Syntax".
 *
 * Ranges: "ADDR", "ADDR L COUNT", "ADDR L?COUNT", "ADDR L-COUNT", "START END"
 * (END inclusive), or nothing (continue after the last display, with the last
 * display command when the command is a bare `d`). COUNT is in elements.
 * Memory missing from the dump prints as question marks, element by element,
 * so holes never stop a display.
 */
#include <stdio.h>
#include <string.h>

#include "base/interrupt.h"
#include "base/fmt.h"
#include "cmd/cmd_format.h"
#include "cmd/cmd_range.h"
#include "cmd/command.h"
#include "cmd/expr.h"

/* Default range of the numeric displays: 128 bytes (db "The default count is 128 bytes"). */
#define DISPLAY_DEFAULT_BYTES 0x80
/* WinDbg prints 32 characters per da/du line (observed output; the page says 48). */
#define STRING_LINE_CHARS 32
/*
 * da/du without L stop at the NUL or after this many characters: our choice, as
 * WinDbg's limit is undocumented (transcripts show strings longer than 128).
 * Characters the dump lacks print as '?' and do not end the string.
 */
#define STRING_DEFAULT_CHARS 0x100
/* Characters dda/ddu show of each string (our bound: the reference gives none). */
#define REF_MAX_CHARS 0x100

enum display_style {
    STYLE_HEX,     /* db dw dd dq dp: values; db adds the character column */
    STYLE_DC,      /* dc: dwords and the character column */
    STYLE_SYMBOLS, /* dds dqs dps: one value per line and its symbol */
    STYLE_ASCII,   /* da */
    STYLE_UNICODE, /* du */
    STYLE_REF_ASCII,   /* dda dqa dpa: one pointer per line and the ASCII string it points to */
    STYLE_REF_UNICODE, /* ddu dqu dpu: the same with a UTF-16 string */
};

struct display_format {
    const char *name;
    unsigned size;     /* element size in bytes; 0 = pointer size */
    unsigned per_line; /* elements per line; 0 = 16 bytes' worth */
    enum display_style style;
};

static const struct display_format display_formats[] = {
    {"db", 1, 16, STYLE_HEX},     {"dw", 2, 8, STYLE_HEX},      {"dd", 4, 4, STYLE_HEX},
    {"dq", 8, 2, STYLE_HEX},      {"dp", 0, 0, STYLE_HEX},      {"dc", 4, 4, STYLE_DC},
    {"dds", 4, 1, STYLE_SYMBOLS}, {"dqs", 8, 1, STYLE_SYMBOLS}, {"dps", 0, 1, STYLE_SYMBOLS},
    {"da", 1, 0, STYLE_ASCII},    {"du", 2, 0, STYLE_UNICODE},
    {"dda", 4, 1, STYLE_REF_ASCII}, {"dqa", 8, 1, STYLE_REF_ASCII}, {"dpa", 0, 1, STYLE_REF_ASCII},
    {"ddu", 4, 1, STYLE_REF_UNICODE}, {"dqu", 8, 1, STYLE_REF_UNICODE},
    {"dpu", 0, 1, STYLE_REF_UNICODE},
};

static const struct display_format *display_format_find(const char *name)
{
    for (size_t i = 0; i < sizeof(display_formats) / sizeof(display_formats[0]); i++)
        if (dd_strcasecmp(display_formats[i].name, name) == 0)
            return &display_formats[i];
    return NULL;
}

static uint64_t addr_mask(const struct session *s)
{
    return cmd_format_ptr_size(s) == 4 ? 0xffffffffULL : UINT64_MAX;
}

/*
 * Parses the range in A->rest for elements of SIZE bytes (the shared syntax of cmd_range.h);
 * sets *start and *count (DEFAULT_COUNT when only an address, or nothing, is given). With no
 * argument the display continues where the last one ended, or starts at the instruction pointer.
 */
static struct dd_error *parse_range(struct session *s, const struct cmd_args *a, unsigned size,
                                    uint64_t default_count, uint64_t *start, uint64_t *count)
{
    if (!*a->rest) {
        uint64_t addr;
        if (s->last_dump_cmd[0]) {
            addr = s->next_dump_addr;
        } else {
            struct dd_error *err = expr_eval(s, "@$ip", &addr);
            if (err)
                return err;
        }
        *start = addr & addr_mask(s);
        *count = default_count;
        return NULL;
    }
    struct cmd_range r;
    struct dd_error *err = cmd_range_parse(s, a->rest, a->line, size, &r);
    if (err)
        return err;
    if (*r.rest) /* what follows a complete range is not part of any expression */
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error at '%s'", r.rest);
    *start = r.start;
    *count = r.has_count ? r.count : default_count;
    return NULL;
}

static uint64_t le_value(const uint8_t *b, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = size; i > 0; i--)
        v = (v << 8) | b[i - 1];
    return v;
}

static bool all_ok(const bool *ok, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        if (!ok[i])
            return false;
    return true;
}

static char printable(uint8_t c)
{
    return c >= 0x20 && c < 0x7f ? (char)c : '.';
}

/* One value as WinDbg prints an element of SIZE bytes, or its question marks. */
static void put_value(struct dd_writer *w, uint64_t v, unsigned size, bool ok)
{
    switch (size) {
    case 1:
        if (ok)
            dd_printf(w, "%02x", (unsigned)v);
        else
            dd_puts(w, "??");
        break;
    case 2:
        if (ok)
            dd_printf(w, "%04x", (unsigned)v);
        else
            dd_puts(w, "????");
        break;
    case 4:
        if (ok)
            dd_printf(w, "%08x", (unsigned)v);
        else
            dd_puts(w, "????????");
        break;
    default:
        if (ok)
            dd_printf(w, "%08x`%08x", (unsigned)(v >> 32), (unsigned)(uint32_t)v);
        else
            dd_puts(w, "????????`????????");
        break;
    }
}

static size_t put_utf16(char *out, unsigned c);

/*
 * The string a dda/ddu pointer V refers to, after one blank: "00401000 "hello"". Nothing when
 * the first character cannot be read (a null or wild pointer); characters of WIDTH bytes up to
 * the NUL or REF_MAX_CHARS, unprintable ones as '.'.
 */
static void put_referenced(struct session *s, uint64_t v, unsigned width)
{
    char text[REF_MAX_CHARS * 3 + 1];
    size_t len = 0;
    for (size_t i = 0; i < REF_MAX_CHARS; i++) {
        uint8_t c[2] = {0, 0};
        struct dd_error *err = target_read_exact(s->target, v + i * width, c, width);
        if (err) {
            dd_error_destroy(err);
            if (i == 0)
                return;
            break;
        }
        unsigned ch = width == 2 ? (unsigned)(c[0] | c[1] << 8) : c[0];
        if (ch == 0)
            break;
        if (width == 1)
            text[len++] = printable((uint8_t)ch);
        else
            len += put_utf16(text + len, ch);
    }
    text[len] = '\0';
    dd_printf(s->out, " \"%s\"", text);
}

/* db dw dd dq dp dc dds dqs dps dda ddu ...: COUNT elements of SIZE bytes from START. */
static void display_values(struct session *s, const struct display_format *f, unsigned size,
                           uint64_t start, uint64_t count)
{
    unsigned per_line = f->per_line ? f->per_line : 16 / size;
    uint8_t buf[16];
    bool ok[16];
    char abuf[DD_ADDR_BUF];
    uint64_t addr = start;
    while (count && !dd_interrupt_pending()) {
        unsigned n = count < per_line ? (unsigned)count : per_line;
        target_read_marked(s->target, addr, buf, ok, (size_t)n * size);
        dd_printf(s->out, "%s  ", session_fmt_addr(s, abuf, addr));
        for (unsigned i = 0; i < n; i++) {
            if (i)
                dd_puts(s->out, size == 1 && i == 8 ? "-" : " ");
            put_value(s->out, le_value(buf + i * size, size), size, all_ok(ok + i * size, size));
        }
        if (f->style == STYLE_SYMBOLS && all_ok(ok, size)) {
            char sym[512];
            if (session_symbolize(s, le_value(buf, size), sym, sizeof(sym)))
                dd_printf(s->out, " %s", sym);
        }
        if ((f->style == STYLE_REF_ASCII || f->style == STYLE_REF_UNICODE) && all_ok(ok, size))
            put_referenced(s, le_value(buf, size), f->style == STYLE_REF_ASCII ? 1 : 2);
        if (size == 1 || f->style == STYLE_DC) {
            /* Pad a short last line so the characters line up with full lines. */
            unsigned width = size * 2 + 1;
            dd_printf(s->out, "%*s  ", (int)((per_line - n) * width), "");
            for (unsigned i = 0; i < n * size; i++)
                dd_printf(s->out, "%c", ok[i] ? printable(buf[i]) : '?');
        }
        dd_puts(s->out, "\n");
        addr += (uint64_t)n * size;
        count -= n;
    }
    s->next_dump_addr = addr & addr_mask(s);
}

/* Appends code unit C of a du string as UTF-8 (controls and surrogates as '.'). */
static size_t put_utf16(char *out, unsigned c)
{
    if (c < 0x20 || c == 0x7f || (c >= 0xd800 && c < 0xe000)) {
        out[0] = '.';
        return 1;
    }
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xc0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3f));
        return 2;
    }
    out[0] = (char)(0xe0 | (c >> 12));
    out[1] = (char)(0x80 | ((c >> 6) & 0x3f));
    out[2] = (char)(0x80 | (c & 0x3f));
    return 3;
}

/* da du: up to COUNT characters from START, stopping after a NUL; lines of 32. */
static void display_string(struct session *s, unsigned size, uint64_t start, uint64_t count)
{
    uint8_t buf[STRING_LINE_CHARS * 2];
    bool ok[STRING_LINE_CHARS * 2];
    char text[STRING_LINE_CHARS * 3 + 1];
    char abuf[DD_ADDR_BUF];
    uint64_t addr = start;
    bool done = false;
    while (count && !done && !dd_interrupt_pending()) {
        unsigned n = count < STRING_LINE_CHARS ? (unsigned)count : STRING_LINE_CHARS;
        target_read_marked(s->target, addr, buf, ok, (size_t)n * size);
        size_t len = 0;
        unsigned used = 0;
        for (; used < n; used++) {
            if (!all_ok(ok + used * size, size)) {
                text[len++] = '?';
                continue;
            }
            unsigned c = (unsigned)le_value(buf + used * size, size);
            if (c == 0) {
                done = true;
                used++; /* the NUL is consumed, not shown */
                break;
            }
            if (size == 1)
                text[len++] = printable((uint8_t)c);
            else
                len += put_utf16(text + len, c);
        }
        text[len] = '\0';
        if (len || addr == start)
            dd_printf(s->out, "%s  \"%s\"\n", session_fmt_addr(s, abuf, addr), text);
        addr += (uint64_t)used * size;
        count -= used;
    }
    s->next_dump_addr = addr & addr_mask(s);
}

static void remember(struct session *s, const char *name)
{
    snprintf(s->last_dump_cmd, sizeof(s->last_dump_cmd), "%s", name);
}

/* Runs display format F over the range in A. */
static struct dd_error *display_run(struct session *s, const struct cmd_args *a,
                                    const struct display_format *f)
{
    unsigned size = f->size ? f->size : cmd_format_ptr_size(s);
    bool string = f->style == STYLE_ASCII || f->style == STYLE_UNICODE;
    uint64_t default_count = string ? STRING_DEFAULT_CHARS : DISPLAY_DEFAULT_BYTES / size;
    uint64_t start = 0, count = 0;
    struct dd_error *err = parse_range(s, a, size, default_count, &start, &count);
    if (err)
        return err;
    if (string)
        display_string(s, size, start, count);
    else
        display_values(s, f, size, start, count);
    remember(s, f->name);
    return NULL;
}

static struct dd_error *cmd_display_memory(struct session *s, const struct cmd_args *a)
{
    const struct display_format *f = display_format_find(a->name);
    if (!f)
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
    return display_run(s, a, f);
}

/* `d`: repeats the most recent display format, db when there was none. */
static struct dd_error *cmd_display_repeat(struct session *s, const struct cmd_args *a)
{
    const struct display_format *f = display_format_find(s->last_dump_cmd);
    return display_run(s, a, f ? f : display_format_find("db"));
}

/* `n [8|10|16]`: the radix is always given in decimal. */
static struct dd_error *cmd_display_radix(struct session *s, const struct cmd_args *a)
{
    if (*a->rest) {
        unsigned r;
        if (strcmp(a->rest, "8") == 0)
            r = 8;
        else if (strcmp(a->rest, "10") == 0)
            r = 10;
        else if (strcmp(a->rest, "16") == 0)
            r = 16;
        else
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
        s->radix = r;
    }
    dd_printf(s->out, "base is %u\n", s->radix ? s->radix : 16);
    return NULL;
}

const struct cmd_def cmd_table_display[] = {
    {"d", cmd_display_repeat, 0, "d [range] - repeat the last display command (db at first)"},
    {"db", cmd_display_memory, 0, "db [range] - display bytes and characters"},
    {"dw", cmd_display_memory, 0, "dw [range] - display words"},
    {"dd", cmd_display_memory, 0, "dd [range] - display dwords"},
    {"dq", cmd_display_memory, 0, "dq [range] - display qwords"},
    {"dp", cmd_display_memory, 0, "dp [range] - display pointer-sized values"},
    {"dc", cmd_display_memory, 0, "dc [range] - display dwords and characters"},
    {"da", cmd_display_memory, 0, "da [range] - display an ASCII string"},
    {"du", cmd_display_memory, 0, "du [range] - display a UTF-16 string"},
    {"dds", cmd_display_memory, 0, "dds [range] - display dwords and their symbols"},
    {"dqs", cmd_display_memory, 0, "dqs [range] - display qwords and their symbols"},
    {"dps", cmd_display_memory, 0, "dps [range] - display pointers and their symbols"},
    {"dda", cmd_display_memory, 0, "dda [range] - dwords and the ASCII strings they point to"},
    {"ddu", cmd_display_memory, 0, "ddu [range] - dwords and the UTF-16 strings they point to"},
    {"dqa", cmd_display_memory, 0, "dqa [range] - qwords and the ASCII strings they point to"},
    {"dqu", cmd_display_memory, 0, "dqu [range] - qwords and the UTF-16 strings they point to"},
    {"dpa", cmd_display_memory, 0, "dpa [range] - pointers and the ASCII strings they point to"},
    {"dpu", cmd_display_memory, 0, "dpu [range] - pointers and the UTF-16 strings they point to"},
    {"?", cmd_display_evaluate, 0, "? expr - evaluate a MASM expression"},
    {".formats", cmd_format_formats, 0, ".formats expr - show a value in several formats"},
    {"n", cmd_display_radix, 0, "n [8|10|16] - show or set the default radix"},
    {NULL, NULL, 0, NULL},
};
