/*
 * The Breakpad .sym reader. Synthetic files written here cover every record type and the edge
 * cases real files contain (expectations worked out by hand from the text); the real files of the
 * shared corpus are checked against Breakpad's own stackwalk golden for minidump2.dmp and
 * against a second, deliberately naive parse of their text (sscanf, line by line) done here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "dump/xz.h"
#include "sym/breakpad_sym.h"

/* Compares a (pointer, length) string from the reader with a C string. */
#define CHECK_SPAN(ptr, len, str)                                                                 \
    do {                                                                                          \
        const char *cs_p_ = (ptr);                                                                \
        size_t cs_n_ = (len);                                                                     \
        const char *cs_s_ = (str);                                                                \
        if (!cs_p_ || cs_n_ != strlen(cs_s_) || memcmp(cs_p_, cs_s_, cs_n_) != 0)                 \
            check_fail(__FILE__, __LINE__, "%s == \"%s\": got \"%.*s\"", #ptr, cs_s_,             \
                       cs_p_ ? (int)cs_n_ : 6, cs_p_ ? cs_p_ : "(null)");                         \
    } while (0)

/* ---- synthetic file: every record type, written with LF; also tested as CRLF ---- */

static const char synth_text[] =
    "MODULE windows x86_64 0123456789ABCDEF0123456789ABCDEF1 my app.pdb\n" /* 1 */
    "INFO CODE_ID 5FF69A7F93000 myapp.exe\n"                               /* 2 */
    "INFO GENERATOR some tool 1.0\n"                                       /* 3 */
    "FILE 1 c:\\src\\a.cpp\n"                                              /* 4 */
    "FILE 2 c:\\src\\b.h\n"                                                /* 5 */
    "FILE 7 c:\\src\\with space.cpp\n"                                     /* 6 */
    "INLINE_ORIGIN 0 inl_outer()\n"                                        /* 7 */
    "INLINE_ORIGIN 1 inl_inner()\n"                                        /* 8 */
    "\n"                                                                   /* 9 */
    "FUNC 1000 30 8 main\n"                                                /* 10 */
    "INLINE 0 12 1 0 1010 12\n"                                            /* 11 */
    "INLINE 1 40 2 1 1014 4 1020 2\n"                                      /* 12 */
    "1000 10 10 1\n"                                                       /* 13 */
    "1010 4 41 2\n"                                                        /* 14 */
    "1014 4 50 2\n"                                                        /* 15 */
    "1018 18 13 1\n"                                                       /* 16 */
    "FUNC m 2000 20 0 folded()\n"                                          /* 17 */
    "2000 10 5 7\n"                                                        /* 18 */
    "2010 zz 6 7\n"                                 /* 19: malformed line record */
    "FUNC 3000 10 4 no_lines\n"                     /* 20 */
    "FUNC 3000 10 4 duplicate_of_no_lines\n"        /* 21 */
    "FUNC 4000 100 0 outer_big\n"                   /* 22 */
    "FUNC 4040 10 0 nested_small\n"                 /* 23 */
    "FUNC zz 10 0 bad_func\n"                       /* 24: malformed */
    "1234 1 1 1\n"                                  /* 25: orphan line, malformed */
    "PUBLIC 500 0 pub_low\n"                        /* 26 */
    "PUBLIC m 2800 4 pub_mid\n"                     /* 27 */
    "PUBLIC 3000 0 pub_at_func\n"                   /* 28 */
    "PUBLIC 5000 0 pub_high\n"                      /* 29 */
    "PUBLIC 5000 0 pub_high_dup\n"                  /* 30 */
    "PUBLIC 6000 10\n"                              /* 31: malformed, no name */
    "SOMETHING new record\n"                        /* 32: unknown */
    "STACK WIN 4 1000 30 4 0 8 0 10 0 1 $T0 $ebp = $eip $T0 4 + ^ =\n"
    "STACK WIN 4 1004 2c 0 0 8 4 10 0 1 $T0 $ebp 4 + =\n"
    "STACK WIN 0 1000 30 4 0 8 0 10 0 0 1\n"
    "STACK WIN 0 2000 20 0 0 0 4 8 0 0 0\n"
    "STACK WIN 4 3000 10 0 0 0 0 0 0 1\n"           /* 37: malformed, no program */
    "STACK CFI INIT 1000 30 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
    "STACK CFI 1001 .cfa: $rsp 16 +\n"
    "STACK CFI 1010 .cfa: $rsp 32 + $rbx: .cfa -24 + ^\n"
    "STACK CFI INIT 2000 20 .cfa: $rsp 8 + .ra: .cfa -8 + ^\n"
    "STACK CFI 2004 .cfa: $rsp 16 +\n"
    "STACK CFI zzzz .cfa: $rsp\n"                   /* 43: malformed */
    "DEBUG_LINK x.debug\n"                          /* 44: unknown */
    "STACK XYZ 1 2";                                /* 45: unknown, no final newline */

/* Opens TEXT (NUL-terminated); with CRLF set, every "\n" becomes "\r\n" first (kept in *BUF). */
static struct breakpad_sym *open_text(const char *text, bool crlf, char **buf)
{
    size_t n = strlen(text), nl = 0;
    for (size_t i = 0; i < n; i++)
        nl += text[i] == '\n';
    char *b = malloc(n + nl + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (crlf && text[i] == '\n')
            b[o++] = '\r';
        b[o++] = text[i];
    }
    *buf = b;
    struct breakpad_sym *sym = NULL;
    CHECK_OK(breakpad_sym_open_memory((const uint8_t *)b, o, &sym));
    return sym;
}

static void check_synth(bool crlf)
{
    char *buf;
    struct breakpad_sym *sym = open_text(synth_text, crlf, &buf);
    if (!sym) {
        free(buf);
        return;
    }
    const struct breakpad_module *m = breakpad_sym_module(sym);
    CHECK_STR(m->os, "windows");
    CHECK_STR(m->arch, "x86_64");
    CHECK_STR(m->debug_id, "0123456789ABCDEF0123456789ABCDEF1");
    CHECK_STR(m->name, "my app.pdb");
    CHECK_STR(m->code_id, "5FF69A7F93000");
    CHECK_STR(m->code_file, "myapp.exe");

    const struct breakpad_sym_stats *st = breakpad_sym_stats(sym);
    CHECK_EQ(st->funcs, 6);
    CHECK_EQ(st->publics, 5);
    CHECK_EQ(st->lines, 5);
    CHECK_EQ(st->inlines, 2);
    CHECK_EQ(st->files, 3);
    CHECK_EQ(st->inline_origins, 2);
    CHECK_EQ(st->stack_win, 4);
    CHECK_EQ(st->cfi_init, 2);
    CHECK_EQ(st->cfi_delta, 3);
    CHECK_EQ(st->malformed, 6);
    CHECK_EQ(st->unknown, 3);
    CHECK_EQ(st->first_malformed_line, 19);

    /* FUNC lookups: bounds, the m flag, duplicates (first in file), nesting (innermost). */
    struct breakpad_symbol s;
    CHECK_OK(breakpad_sym_find_func(sym, 0x1000, &s));
    CHECK_EQ(s.kind, BREAKPAD_SYMBOL_FUNC);
    CHECK_EQ(s.addr, 0x1000);
    CHECK_EQ(s.size, 0x30);
    CHECK_EQ(s.param_size, 8);
    CHECK(!s.multiple);
    CHECK_SPAN(s.name, s.name_len, "main");
    CHECK_OK(breakpad_sym_find_func(sym, 0x102f, &s));
    CHECK_EQ(s.addr, 0x1000);
    CHECK(breakpad_sym_find_func(sym, 0x1030, &s) == &dd_error_not_found);
    CHECK(breakpad_sym_find_func(sym, 0xfff, &s) == &dd_error_not_found);
    CHECK_OK(breakpad_sym_find_func(sym, 0x2001, &s));
    CHECK(s.multiple);
    CHECK_SPAN(s.name, s.name_len, "folded()");
    CHECK_OK(breakpad_sym_find_func(sym, 0x3000, &s));
    CHECK_SPAN(s.name, s.name_len, "no_lines");
    CHECK_EQ(s.param_size, 4);
    CHECK_OK(breakpad_sym_find_func(sym, 0x4045, &s));
    CHECK_SPAN(s.name, s.name_len, "nested_small");
    CHECK_OK(breakpad_sym_find_func(sym, 0x4050, &s));
    CHECK_SPAN(s.name, s.name_len, "outer_big");
    CHECK_OK(breakpad_sym_find_func(sym, 0x40ff, &s));
    CHECK_SPAN(s.name, s.name_len, "outer_big");
    CHECK(breakpad_sym_find_func(sym, 0x4100, &s) == &dd_error_not_found);

    /* PUBLIC lookups with Breakpad's rule: a FUNC start between the PUBLIC and the address
     * hides it. */
    CHECK(breakpad_sym_find_public(sym, 0x4ff, &s) == &dd_error_not_found);
    CHECK_OK(breakpad_sym_find_public(sym, 0x600, &s));
    CHECK_EQ(s.kind, BREAKPAD_SYMBOL_PUBLIC);
    CHECK_EQ(s.addr, 0x500);
    CHECK_EQ(s.size, 0xb00); /* up to FUNC main at 0x1000 */
    CHECK_SPAN(s.name, s.name_len, "pub_low");
    CHECK(breakpad_sym_find_public(sym, 0x1030, &s) == &dd_error_not_found);
    CHECK(breakpad_sym_lookup(sym, 0x1030, &s) == &dd_error_not_found);
    CHECK_OK(breakpad_sym_find_public(sym, 0x2900, &s));
    CHECK_SPAN(s.name, s.name_len, "pub_mid");
    CHECK(s.multiple);
    CHECK_EQ(s.param_size, 4);
    CHECK_EQ(s.size, 0x800);
    CHECK_OK(breakpad_sym_lookup(sym, 0x2900, &s));
    CHECK_EQ(s.kind, BREAKPAD_SYMBOL_PUBLIC);
    CHECK(breakpad_sym_find_public(sym, 0x3005, &s) == &dd_error_not_found);
    CHECK_OK(breakpad_sym_lookup(sym, 0x3005, &s));
    CHECK_EQ(s.kind, BREAKPAD_SYMBOL_FUNC);
    CHECK_SPAN(s.name, s.name_len, "no_lines");
    CHECK(breakpad_sym_find_public(sym, 0x4fff, &s) == &dd_error_not_found);
    CHECK_OK(breakpad_sym_find_public(sym, 0x5000, &s));
    CHECK_SPAN(s.name, s.name_len, "pub_high");
    CHECK_EQ(s.size, 0);
    CHECK_OK(breakpad_sym_lookup(sym, 0xffffffffffffffffULL, &s));
    CHECK_SPAN(s.name, s.name_len, "pub_high");

    /* Lines, with file names through FILE records (one with a space). */
    struct breakpad_line l;
    CHECK_OK(breakpad_sym_find_line(sym, 0x1000, &l));
    CHECK_EQ(l.addr, 0x1000);
    CHECK_EQ(l.size, 0x10);
    CHECK_EQ(l.line, 10);
    CHECK_EQ(l.file_num, 1);
    CHECK_SPAN(l.file, l.file_len, "c:\\src\\a.cpp");
    CHECK_OK(breakpad_sym_find_line(sym, 0x1015, &l));
    CHECK_EQ(l.addr, 0x1014);
    CHECK_EQ(l.line, 50);
    CHECK_SPAN(l.file, l.file_len, "c:\\src\\b.h");
    CHECK_OK(breakpad_sym_find_line(sym, 0x102f, &l));
    CHECK_EQ(l.addr, 0x1018);
    CHECK_EQ(l.size, 0x18);
    CHECK_EQ(l.line, 13);
    CHECK_OK(breakpad_sym_find_line(sym, 0x200f, &l));
    CHECK_EQ(l.line, 5);
    CHECK_SPAN(l.file, l.file_len, "c:\\src\\with space.cpp");
    CHECK(breakpad_sym_find_line(sym, 0x2010, &l) == &dd_error_not_found);
    CHECK(breakpad_sym_find_line(sym, 0x3000, &l) == &dd_error_not_found);
    CHECK(breakpad_sym_find_line(sym, 0x1030, &l) == &dd_error_not_found);

    /* Inline frames, outermost first. */
    struct breakpad_inline_frame fr[4];
    size_t n = 99;
    CHECK_OK(breakpad_sym_find_inlines(sym, 0x1015, fr, 4, &n));
    CHECK_EQ(n, 2);
    CHECK_EQ(fr[0].nest_level, 0);
    CHECK_SPAN(fr[0].name, fr[0].name_len, "inl_outer()");
    CHECK_EQ(fr[0].call_line, 12);
    CHECK(fr[0].has_call_file);
    CHECK_SPAN(fr[0].call_file, fr[0].call_file_len, "c:\\src\\a.cpp");
    CHECK_EQ(fr[0].addr, 0x1010);
    CHECK_EQ(fr[0].size, 0x12);
    CHECK_EQ(fr[1].nest_level, 1);
    CHECK_SPAN(fr[1].name, fr[1].name_len, "inl_inner()");
    CHECK_EQ(fr[1].call_line, 40);
    CHECK_SPAN(fr[1].call_file, fr[1].call_file_len, "c:\\src\\b.h");
    CHECK_EQ(fr[1].addr, 0x1014);
    CHECK_OK(breakpad_sym_find_inlines(sym, 0x1021, fr, 4, &n));
    CHECK_EQ(n, 2);
    CHECK_EQ(fr[1].addr, 0x1020); /* the second range of the INLINE record */
    CHECK_EQ(fr[1].size, 2);
    CHECK_OK(breakpad_sym_find_inlines(sym, 0x1011, fr, 4, &n));
    CHECK_EQ(n, 1);
    CHECK_OK(breakpad_sym_find_inlines(sym, 0x1022, fr, 4, &n));
    CHECK_EQ(n, 0);
    CHECK_OK(breakpad_sym_find_inlines(sym, 0x1015, fr, 1, &n));
    CHECK_EQ(n, 1);
    CHECK_OK(breakpad_sym_find_inlines(sym, 0x3000, fr, 4, &n));
    CHECK_EQ(n, 0);
    CHECK(breakpad_sym_find_inlines(sym, 0x1030, fr, 4, &n) == &dd_error_not_found);

    /* STACK WIN: innermost type 4 first, then type 0. */
    struct breakpad_stack_win w;
    CHECK_OK(breakpad_sym_find_stack_win(sym, 0x1000, &w));
    CHECK_EQ(w.type, 4);
    CHECK_EQ(w.rva, 0x1000);
    CHECK_EQ(w.code_size, 0x30);
    CHECK_EQ(w.prolog_size, 4);
    CHECK_EQ(w.params_size, 8);
    CHECK_EQ(w.locals_size, 0x10);
    CHECK(w.has_program_string);
    CHECK_SPAN(w.program_string, w.program_string_len, "$T0 $ebp = $eip $T0 4 + ^ =");
    CHECK_OK(breakpad_sym_find_stack_win(sym, 0x1010, &w));
    CHECK_EQ(w.rva, 0x1004);
    CHECK_EQ(w.saved_regs_size, 4);
    CHECK_SPAN(w.program_string, w.program_string_len, "$T0 $ebp 4 + =");
    CHECK_OK(breakpad_sym_find_stack_win(sym, 0x2010, &w));
    CHECK_EQ(w.type, 0);
    CHECK_EQ(w.rva, 0x2000);
    CHECK_EQ(w.saved_regs_size, 4);
    CHECK_EQ(w.locals_size, 8);
    CHECK(!w.has_program_string);
    CHECK(!w.allocates_base_pointer);
    CHECK(w.program_string == NULL);
    CHECK(breakpad_sym_find_stack_win(sym, 0x3000, &w) == &dd_error_not_found);
    CHECK(breakpad_sym_find_stack_win(sym, 0x1030, &w) == &dd_error_not_found);

    /* STACK CFI: INIT plus the deltas at or below the address. */
    struct breakpad_cfi cfi;
    CHECK_OK(breakpad_sym_find_cfi(sym, 0x1000, &cfi));
    CHECK_EQ(cfi.init_addr, 0x1000);
    CHECK_EQ(cfi.init_size, 0x30);
    CHECK_EQ(cfi.count, 1);
    CHECK_SPAN(cfi.rows[0].rules, cfi.rows[0].rules_len, ".cfa: $rsp 8 + .ra: .cfa -8 + ^");
    breakpad_cfi_deinit(&cfi);
    CHECK_OK(breakpad_sym_find_cfi(sym, 0x100f, &cfi));
    CHECK_EQ(cfi.count, 2);
    CHECK_EQ(cfi.rows[1].addr, 0x1001);
    CHECK_SPAN(cfi.rows[1].rules, cfi.rows[1].rules_len, ".cfa: $rsp 16 +");
    breakpad_cfi_deinit(&cfi);
    CHECK_OK(breakpad_sym_find_cfi(sym, 0x102f, &cfi));
    CHECK_EQ(cfi.count, 3);
    CHECK_EQ(cfi.rows[2].addr, 0x1010);
    breakpad_cfi_deinit(&cfi);
    CHECK_OK(breakpad_sym_find_cfi(sym, 0x201f, &cfi));
    CHECK_EQ(cfi.init_addr, 0x2000);
    CHECK_EQ(cfi.count, 2);
    CHECK_EQ(cfi.rows[1].addr, 0x2004);
    breakpad_cfi_deinit(&cfi);
    CHECK(breakpad_sym_find_cfi(sym, 0x1030, &cfi) == &dd_error_not_found);

    /* Iteration in address order. */
    CHECK_EQ(breakpad_sym_func_count(sym), 6);
    static const char *const order[] = {"main",      "folded()",  "no_lines",
                                        "duplicate_of_no_lines", "outer_big", "nested_small"};
    for (size_t i = 0; i < 6; i++) {
        breakpad_sym_func_at(sym, i, &s);
        CHECK_SPAN(s.name, s.name_len, order[i]);
    }
    CHECK_EQ(breakpad_sym_public_count(sym), 5);
    breakpad_sym_public_at(sym, 4, &s);
    CHECK_SPAN(s.name, s.name_len, "pub_high_dup");

    breakpad_sym_destroy(sym);
    free(buf);
}

TEST(breakpad_sym_synthetic_lf)
{
    check_synth(false);
}

TEST(breakpad_sym_synthetic_crlf)
{
    check_synth(true);
}

struct collect {
    char names[16][64];
    size_t n;
    size_t stop_after;
};

static bool collect_fn(void *ctx, const struct breakpad_symbol *s)
{
    struct collect *c = ctx;
    if (c->n < 16)
        snprintf(c->names[c->n], sizeof(c->names[0]), "%.*s", (int)s->name_len, s->name);
    c->n++;
    return c->n != c->stop_after;
}

TEST(breakpad_sym_names)
{
    char *buf;
    struct breakpad_sym *sym = open_text(synth_text, false, &buf);
    if (!sym) {
        free(buf);
        return;
    }
    struct collect c = {.n = 0};
    CHECK_OK(breakpad_sym_match(sym, "*no_lines", collect_fn, &c));
    CHECK_EQ(c.n, 2);
    CHECK_STR(c.names[0], "no_lines");
    CHECK_STR(c.names[1], "duplicate_of_no_lines");
    c.n = 0;
    CHECK_OK(breakpad_sym_match(sym, "pub_*", collect_fn, &c));
    CHECK_EQ(c.n, 5);
    c.n = 0;
    CHECK_OK(breakpad_sym_match(sym, "MAIN", collect_fn, &c));
    CHECK_EQ(c.n, 1);
    CHECK_STR(c.names[0], "main");
    c.n = 0;
    c.stop_after = 3;
    CHECK_OK(breakpad_sym_match(sym, "*", collect_fn, &c));
    CHECK_EQ(c.n, 3);

    struct breakpad_symbol s;
    CHECK_OK(breakpad_sym_find_name(sym, "folded()", &s));
    CHECK_EQ(s.addr, 0x2000);
    CHECK_EQ(s.kind, BREAKPAD_SYMBOL_FUNC);
    CHECK_OK(breakpad_sym_find_name(sym, "PUB_MID", &s));
    CHECK_EQ(s.addr, 0x2800);
    CHECK_EQ(s.kind, BREAKPAD_SYMBOL_PUBLIC);
    CHECK(breakpad_sym_find_name(sym, "nothing", &s) == &dd_error_not_found);
    CHECK(breakpad_sym_find_name(sym, "mai", &s) == &dd_error_not_found);
    breakpad_sym_destroy(sym);
    free(buf);
}

static struct dd_error *open_str(const char *text, struct breakpad_sym **ret)
{
    return breakpad_sym_open_memory((const uint8_t *)text, strlen(text), ret);
}

TEST(breakpad_sym_module_errors)
{
    struct breakpad_sym *sym = NULL;
    struct dd_error *err;
    const char *bad[] = {
        "",
        "\n\n",
        "FUNC 1000 10 0 f\nMODULE windows x86 0A name\n",
        "MODULE windows x86\n",
        "MODULE windows x86 0A\n",
        "MODULE windows x86 XYZ name\n",
        "PUBLIC 10 0 x\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = open_str(bad[i], &sym);
        CHECK(err != NULL);
        if (err)
            CHECK_EQ(err->code, DD_ERR_FORMAT);
        dd_error_destroy(err);
    }
    /* A BOM and blank lines before MODULE are fine; so is a file with nothing else. */
    CHECK_OK(open_str("\xEF\xBB\xBF\r\n\nMODULE Linux x86_64 ABCDEF0 libfoo.so", &sym));
    if (sym) {
        CHECK_STR(breakpad_sym_module(sym)->name, "libfoo.so");
        CHECK_STR(breakpad_sym_module(sym)->code_id, "");
        CHECK_EQ(breakpad_sym_func_count(sym), 0);
        struct breakpad_symbol s;
        CHECK(breakpad_sym_lookup(sym, 0, &s) == &dd_error_not_found);
        struct breakpad_cfi cfi;
        CHECK(breakpad_sym_find_cfi(sym, 0, &cfi) == &dd_error_not_found);
        breakpad_sym_destroy(sym);
    }
    /* A second MODULE and numbers too large for their fields are malformed, not fatal. */
    CHECK_OK(open_str("MODULE mac arm64 00 n\nMODULE mac arm64 00 n\n"
                      "FUNC 10000000000000000 1 0 too_big\n"
                      "FUNC ffffffffffffffff 2 0 wraps\n"
                      "FUNC 10 1 100000000 param_too_big\n"
                      "FUNC 10 1 0 ok\n"
                      "10 1 4294967296 1\n"
                      "10 1 -1 1\n"
                      "10 1 1 1 extra\n"
                      "10 1 1 1\n",
                      &sym));
    if (sym) {
        CHECK_EQ(breakpad_sym_stats(sym)->malformed, 7);
        CHECK_EQ(breakpad_sym_stats(sym)->first_malformed_line, 2);
        CHECK_EQ(breakpad_sym_func_count(sym), 1);
        CHECK_EQ(breakpad_sym_stats(sym)->lines, 1);
        breakpad_sym_destroy(sym);
    }
}

TEST(breakpad_sym_old_inline_form)
{
    /* The 2021 INLINE form had no call-site file: nest_level call_line origin ranges. */
    struct breakpad_sym *sym = NULL;
    CHECK_OK(open_str("MODULE Linux x86_64 00 a.out\n"
                      "FILE 3 x.c\n"
                      "INLINE_ORIGIN 5 callee\n"
                      "FUNC 100 20 0 caller\n"
                      "INLINE 0 17 5 104 8\n"
                      "100 20 9 3\n",
                      &sym));
    if (!sym)
        return;
    struct breakpad_inline_frame fr[2];
    size_t n = 0;
    CHECK_OK(breakpad_sym_find_inlines(sym, 0x105, fr, 2, &n));
    CHECK_EQ(n, 1);
    CHECK(!fr[0].has_call_file);
    CHECK(fr[0].call_file == NULL);
    CHECK_EQ(fr[0].call_line, 17);
    CHECK_EQ(fr[0].origin_num, 5);
    CHECK_SPAN(fr[0].name, fr[0].name_len, "callee");
    CHECK_OK(breakpad_sym_find_inlines(sym, 0x10c, fr, 2, &n));
    CHECK_EQ(n, 0);
    breakpad_sym_destroy(sym);
}

TEST(breakpad_sym_split_function)
{
    /* OMAP-split functions: several FUNC records of one name, then one block of lines for all
     * of them (as in Breakpad's omap_reorder_bbs.sym). */
    struct breakpad_sym *sym = NULL;
    CHECK_OK(open_str("MODULE windows x86 01 s.pdb\n"
                      "FILE 1 s.c\n"
                      "FUNC 100 10 0 split\n"
                      "FUNC 300 8 0 split\n"
                      "100 10 7 1\n"
                      "300 8 9 1\n"
                      "FUNC 400 8 0 other\n"
                      "FUNC 500 8 0 lonely\n"
                      "500 8 3 1\n",
                      &sym));
    if (!sym)
        return;
    struct breakpad_line l;
    CHECK_OK(breakpad_sym_find_line(sym, 0x105, &l));
    CHECK_EQ(l.line, 7);
    CHECK_OK(breakpad_sym_find_line(sym, 0x307, &l));
    CHECK_EQ(l.line, 9);
    CHECK(breakpad_sym_find_line(sym, 0x400, &l) == &dd_error_not_found);
    CHECK_OK(breakpad_sym_find_line(sym, 0x500, &l));
    CHECK_EQ(l.line, 3);
    breakpad_sym_destroy(sym);
}

TEST(breakpad_cfi_rules)
{
    struct breakpad_cfi_rule r[4];
    size_t n = 0;
    const char *t = ".cfa: $rsp 8 + .ra: .cfa -8 + ^";
    CHECK_OK(breakpad_cfi_rules_parse(t, strlen(t), r, 4, &n));
    CHECK_EQ(n, 2);
    CHECK_SPAN(r[0].reg, r[0].reg_len, ".cfa");
    CHECK_SPAN(r[0].expr, r[0].expr_len, "$rsp 8 +");
    CHECK_SPAN(r[1].reg, r[1].reg_len, ".ra");
    CHECK_SPAN(r[1].expr, r[1].expr_len, ".cfa -8 + ^");
    t = "  $ebp:  .cfa 8 - ^   $eip: .undef ";
    CHECK_OK(breakpad_cfi_rules_parse(t, strlen(t), r, 4, &n));
    CHECK_EQ(n, 2);
    CHECK_SPAN(r[0].reg, r[0].reg_len, "$ebp");
    CHECK_SPAN(r[0].expr, r[0].expr_len, ".cfa 8 - ^");
    CHECK_SPAN(r[1].expr, r[1].expr_len, ".undef");
    CHECK_OK(breakpad_cfi_rules_parse("", 0, r, 4, &n));
    CHECK_EQ(n, 0);
    const char *bad[] = {"$rsp 8 +", ".cfa: .ra: x", ".cfa:", ": x", "a: 1 b: 2 c: 3 d: 4 e: 5"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct dd_error *err = breakpad_cfi_rules_parse(bad[i], strlen(bad[i]), r, 4, &n);
        CHECK(err != NULL);
        dd_error_destroy(err);
    }
}

TEST(breakpad_store_paths)
{
    char *p = NULL;
    CHECK_OK(breakpad_store_path("/sym", "test_app.pdb", "5A9832E5287241C1838ED98914E9B7FF1", &p));
    CHECK_STR(p, "/sym/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym");
    free(p);
    CHECK_OK(breakpad_store_path("/sym//", "c:\\build\\Foo.PDB", "ABC1", &p));
    CHECK_STR(p, "/sym/Foo.PDB/ABC1/Foo.sym");
    free(p);
    CHECK_OK(breakpad_store_path("store", "libxul.so", "0A1", &p));
    CHECK_STR(p, "store/libxul.so/0A1/libxul.so.sym");
    free(p);
    CHECK_OK(breakpad_store_path("", "/usr/lib/x.pdb", "01", &p));
    CHECK_STR(p, "x.pdb/01/x.sym");
    free(p);
    const char *bad_names[] = {"", "..", "c:\\dir\\..", "a/", "."};
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        struct dd_error *err = breakpad_store_path("/sym", bad_names[i], "01", &p);
        CHECK(err != NULL);
        dd_error_destroy(err);
    }
    const char *bad_ids[] = {"", "../01", "0 1", "01/"};
    for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
        struct dd_error *err = breakpad_store_path("/sym", "a.pdb", bad_ids[i], &p);
        CHECK(err != NULL);
        dd_error_destroy(err);
    }
}

/* ---- real files from the shared corpus ---- */

static char *corpus_path(const char *rel)
{
    const char *dir = check_corpus_dir();
    if (!dir)
        return NULL;
    size_t n = strlen(dir) + strlen(rel) + 8;
    char *p = malloc(n);
    snprintf(p, n, "%s/user/%s", dir, rel);
    return p;
}

/* Reads a whole file; with .xz, decompressed. NULL on failure (reported). */
static char *load_text(const char *path, size_t *ret_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        check_fail(__FILE__, __LINE__, "cannot open %s", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)size + 1);
    size_t got = fread(buf, 1, (size_t)size, f);
    fclose(f);
    if (got != (size_t)size) {
        free(buf);
        return NULL;
    }
    if (dump_xz_probe(buf, got)) {
        uint8_t *out = NULL;
        size_t out_size = 0;
        struct dd_error *err = dump_xz_decompress(buf, got, &out, &out_size);
        free(buf);
        if (err) {
            check_fail(__FILE__, __LINE__, "xz %s: %s", path, err->message);
            dd_error_destroy(err);
            return NULL;
        }
        *ret_size = out_size;
        return (char *)out;
    }
    *ret_size = got;
    return (char *)buf;
}

/* Counts and cross-checks found by a naive second parse of the text. */
struct naive {
    size_t funcs, publics, files, lines, stack_win, cfi_init, cfi_delta, checked_funcs,
        checked_lines, checked_publics, checked_win;
};

/* Next line of TEXT at *POS copied into LINE (without CR/LF); false at the end. */
static bool naive_line(const char *text, size_t size, size_t *pos, char *line, size_t cap)
{
    if (*pos >= size)
        return false;
    size_t n = 0;
    while (*pos < size && text[*pos] != '\n') {
        if (n + 1 < cap)
            line[n++] = text[*pos];
        (*pos)++;
    }
    (*pos)++;
    while (n > 0 && line[n - 1] == '\r')
        n--;
    line[n] = '\0';
    return true;
}

/* Skips N space-separated fields of S. */
static const char *skip_fields(const char *s, int n)
{
    for (int i = 0; i < n && s; i++) {
        s = strchr(s, ' ');
        if (s)
            s++;
    }
    return s;
}

/*
 * Walks TEXT with sscanf and checks every FUNC (lookup at its start gives it back), the first
 * line record of every FUNC, every PUBLIC not inside a FUNC, and every STACK WIN start.
 */
static void naive_check(const struct breakpad_sym *sym, const char *text, size_t size,
                        struct naive *nv)
{
    static char line[1 << 16];
    size_t pos = 0;
    bool first_line_of_func = false;
    memset(nv, 0, sizeof(*nv));
    while (naive_line(text, size, &pos, line, sizeof(line))) {
        unsigned long long a, sz;
        unsigned ln, file, param;
        if (strncmp(line, "FUNC ", 5) == 0) {
            nv->funcs++;
            bool m = strncmp(line, "FUNC m ", 7) == 0;
            const char *rest = line + (m ? 7 : 5);
            if (sscanf(rest, "%llx %llx %x", &a, &sz, &param) != 3) {
                check_fail(__FILE__, __LINE__, "naive parse of %s", line);
                continue;
            }
            const char *name = skip_fields(rest, 3);
            struct breakpad_symbol s;
            struct dd_error *err = breakpad_sym_find_func(sym, a, &s);
            if (err || s.addr != a || s.size != sz || s.param_size != param ||
                s.multiple != m || s.name_len != strlen(name) ||
                memcmp(s.name, name, s.name_len) != 0)
                check_fail(__FILE__, __LINE__, "lookup of \"%s\" at %llx", line, a);
            else
                nv->checked_funcs++;
            first_line_of_func = true;
        } else if (strncmp(line, "PUBLIC ", 7) == 0) {
            nv->publics++;
            first_line_of_func = false;
            bool m = strncmp(line, "PUBLIC m ", 9) == 0;
            const char *rest = line + (m ? 9 : 7);
            if (sscanf(rest, "%llx %x", &a, &param) != 2)
                continue;
            struct breakpad_symbol s;
            if (breakpad_sym_find_func(sym, a, &s) == NULL)
                continue;
            /* Not inside a FUNC: the address resolves to a PUBLIC there. */
            if (breakpad_sym_lookup(sym, a, &s) != NULL || s.kind != BREAKPAD_SYMBOL_PUBLIC ||
                s.addr != a)
                check_fail(__FILE__, __LINE__, "lookup of \"%s\"", line);
            else
                nv->checked_publics++;
        } else if (strncmp(line, "FILE ", 5) == 0) {
            nv->files++;
        } else if (strncmp(line, "STACK WIN ", 10) == 0) {
            nv->stack_win++;
            unsigned type;
            if (sscanf(line + 10, "%x %llx %llx", &type, &a, &sz) != 3)
                continue;
            if (type != 4 && type != 0)
                continue;
            struct breakpad_stack_win w;
            struct dd_error *err = breakpad_sym_find_stack_win(sym, a, &w);
            /* A type 0 record is hidden by any type 4 record covering its start. */
            if (err || (type == 4 && (w.type != 4 || w.rva != a || w.code_size > sz)) ||
                w.rva > a)
                check_fail(__FILE__, __LINE__, "STACK WIN lookup of \"%s\"", line);
            else
                nv->checked_win++;
        } else if (strncmp(line, "STACK CFI INIT ", 15) == 0) {
            nv->cfi_init++;
        } else if (strncmp(line, "STACK CFI ", 10) == 0) {
            nv->cfi_delta++;
        } else if (sscanf(line, "%llx %llx %u %u", &a, &sz, &ln, &file) == 4) {
            nv->lines++;
            /* Zero-size records (dump_syms writes some) cover no address. */
            if (!first_line_of_func || sz == 0)
                continue;
            first_line_of_func = false;
            struct breakpad_line l;
            struct dd_error *err = breakpad_sym_find_line(sym, a, &l);
            if (err || l.addr != a || l.size != sz || l.line != ln || l.file_num != file)
                check_fail(__FILE__, __LINE__, "line lookup of \"%s\"", line);
            else
                nv->checked_lines++;
        }
    }
}

/* Opens a corpus .sym (plain or .xz) from memory and cross-checks it with naive_check. */
static void check_corpus_sym(const char *rel, size_t min_funcs)
{
    char *path = corpus_path(rel);
    if (!path) {
        check_skip("shared corpus not found");
        return;
    }
    size_t size = 0;
    char *text = load_text(path, &size);
    free(path);
    if (!text)
        return;
    struct breakpad_sym *sym = NULL;
    CHECK_OK(breakpad_sym_open_memory((const uint8_t *)text, size, &sym));
    if (sym) {
        struct naive nv;
        naive_check(sym, text, size, &nv);
        const struct breakpad_sym_stats *st = breakpad_sym_stats(sym);
        CHECK_EQ(st->malformed, 0);
        CHECK_EQ(st->unknown, 0);
        CHECK_EQ(st->funcs, nv.funcs);
        CHECK_EQ(nv.checked_funcs, nv.funcs);
        CHECK_EQ(st->publics, nv.publics);
        CHECK_EQ(st->files, nv.files);
        CHECK_EQ(st->lines, nv.lines);
        CHECK_EQ(st->stack_win, nv.stack_win);
        CHECK_EQ(st->cfi_init, nv.cfi_init);
        CHECK_EQ(st->cfi_delta, nv.cfi_delta);
        CHECK(nv.funcs >= min_funcs);
        breakpad_sym_destroy(sym);
    }
    free(text);
}

#define TEST_APP_SYM                                                                              \
    "google-breakpad/symbols/test_app.pdb/5A9832E5287241C1838ED98914E9B7FF1/test_app.sym"
#define KERNEL32_SYM                                                                              \
    "google-breakpad/symbols/kernel32.pdb/BCE8785C57B44245A669896B6A19B9542/kernel32.sym"

TEST(breakpad_sym_corpus_test_app)
{
    char *path = corpus_path(TEST_APP_SYM);
    if (!path) {
        check_skip("shared corpus not found");
        return;
    }
    struct breakpad_sym *sym = NULL;
    CHECK_OK(breakpad_sym_open(path, &sym));
    free(path);
    if (!sym)
        return;
    const struct breakpad_module *m = breakpad_sym_module(sym);
    CHECK_STR(m->os, "windows");
    CHECK_STR(m->arch, "x86");
    CHECK_STR(m->debug_id, "5A9832E5287241C1838ED98914E9B7FF1");
    CHECK_STR(m->name, "test_app.pdb");
    /* `grep -c` of the file: 1065 FUNC, 5 PUBLIC, 1556 + 259 STACK WIN. */
    CHECK_EQ(breakpad_sym_func_count(sym), 1065);
    CHECK_EQ(breakpad_sym_public_count(sym), 5);
    CHECK_EQ(breakpad_sym_stats(sym)->stack_win, 1556 + 259);
    CHECK_EQ(breakpad_sym_stats(sym)->malformed, 0);

    /* Breakpad's golden minidump2.stackwalk.out: eip 0x0040429e in test_app.exe (base
     * 0x400000) is "`anonymous namespace'::CrashFunction [test_app.cc : 58 + 0x3]". */
    struct breakpad_symbol s;
    CHECK_OK(breakpad_sym_lookup(sym, 0x429e, &s));
    CHECK_SPAN(s.name, s.name_len, "`anonymous namespace'::CrashFunction");
    struct breakpad_line l;
    CHECK_OK(breakpad_sym_find_line(sym, 0x429e, &l));
    CHECK_EQ(l.line, 58);
    CHECK_EQ(0x429e - l.addr, 3);
    CHECK_SPAN(l.file, l.file_len, "c:\\test_app.cc");
    /* Frame 1 "main [test_app.cc : 65 + 0x5]" at return address 0x404200 (looked up at -1). */
    CHECK_OK(breakpad_sym_lookup(sym, 0x41ff, &s));
    CHECK_SPAN(s.name, s.name_len, "main");
    CHECK_OK(breakpad_sym_find_line(sym, 0x41ff, &l));
    CHECK_EQ(l.line, 65);
    CHECK_EQ(0x4200 - l.addr, 5);
    /* Frame 2 "__tmainCRTStartup [crt0.c : 327 + 0x12]" at 0x4053ec. */
    CHECK_OK(breakpad_sym_lookup(sym, 0x53eb, &s));
    CHECK_SPAN(s.name, s.name_len, "__tmainCRTStartup");
    CHECK_OK(breakpad_sym_find_line(sym, 0x53eb, &l));
    CHECK_EQ(l.line, 327);
    CHECK_EQ(0x53ec - l.addr, 0x12);
    CHECK(l.file_len >= 6 && memcmp(l.file + l.file_len - 6, "crt0.c", 6) == 0);

    /* grep "STACK WIN 4 4290 ": 4 4290 18 4 0 0 0 4 0 1 $T0 $ebp = ... */
    struct breakpad_stack_win w;
    CHECK_OK(breakpad_sym_find_stack_win(sym, 0x429e, &w));
    CHECK_EQ(w.type, 4);
    CHECK_EQ(w.rva, 0x4290);
    CHECK_EQ(w.code_size, 0x18);
    CHECK_EQ(w.prolog_size, 4);
    CHECK_EQ(w.locals_size, 4);
    CHECK(w.has_program_string);
    CHECK_SPAN(w.program_string, w.program_string_len,
               "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + = $L $T0 .cbSavedRegs - = "
               "$P $T0 8 + .cbParams + =");
    breakpad_sym_destroy(sym);
    check_corpus_sym(TEST_APP_SYM, 1065);
}

TEST(breakpad_sym_corpus_kernel32)
{
    char *path = corpus_path(KERNEL32_SYM);
    if (!path) {
        check_skip("shared corpus not found");
        return;
    }
    struct breakpad_sym *sym = NULL;
    CHECK_OK(breakpad_sym_open(path, &sym));
    free(path);
    if (!sym)
        return;
    /* Golden frame 3: eip 0x7c816fd7, kernel32 at 0x7c800000, "BaseProcessStart + 0x23". */
    struct breakpad_symbol s;
    CHECK_OK(breakpad_sym_lookup(sym, 0x16fd7, &s));
    CHECK_EQ(s.kind, BREAKPAD_SYMBOL_PUBLIC);
    CHECK_SPAN(s.name, s.name_len, "BaseProcessStart");
    CHECK_EQ(0x16fd7 - s.addr, 0x23);
    CHECK_EQ(s.param_size, 4);
    CHECK_EQ(breakpad_sym_public_count(sym), 1576);
    CHECK_EQ(breakpad_sym_func_count(sym), 0);
    CHECK_OK(breakpad_sym_find_name(sym, "basedllinitialize", &s));
    CHECK_EQ(s.addr, 0xb5ae);
    breakpad_sym_destroy(sym);
    check_corpus_sym(KERNEL32_SYM, 0);
}

TEST(breakpad_sym_corpus_pdb_goldens)
{
    static const char *const names[] = {"dump_syms_regtest",  "dump_syms_regtest64",
                                        "omap_reorder_bbs",   "omap_reorder_funcs",
                                        "omap_stretched",     "omap_stretched_filled"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char rel[256];
        snprintf(rel, sizeof(rel), "google-breakpad/pdb-goldens/%s.sym", names[i]);
        check_corpus_sym(rel, 100);
    }
    /* dump_syms_regtest64.sym (CRLF): "STACK CFI INIT 1010 6a .cfa: $rsp .ra: .cfa 8 - ^"
     * followed by "STACK CFI 1010 .cfa: $rsp 80 +". */
    char *path = corpus_path("google-breakpad/pdb-goldens/dump_syms_regtest64.sym");
    if (!path)
        return;
    struct breakpad_sym *sym = NULL;
    CHECK_OK(breakpad_sym_open(path, &sym));
    free(path);
    if (!sym)
        return;
    struct breakpad_cfi cfi;
    CHECK_OK(breakpad_sym_find_cfi(sym, 0x1079, &cfi));
    CHECK_EQ(cfi.init_addr, 0x1010);
    CHECK_EQ(cfi.init_size, 0x6a);
    CHECK_EQ(cfi.count, 2);
    if (cfi.count == 2) {
        CHECK_SPAN(cfi.rows[0].rules, cfi.rows[0].rules_len, ".cfa: $rsp .ra: .cfa 8 - ^");
        CHECK_EQ(cfi.rows[1].addr, 0x1010);
        CHECK_SPAN(cfi.rows[1].rules, cfi.rows[1].rules_len, ".cfa: $rsp 80 +");
        struct breakpad_cfi_rule r[8];
        size_t n = 0;
        CHECK_OK(breakpad_cfi_rules_parse(cfi.rows[0].rules, cfi.rows[0].rules_len, r, 8, &n));
        CHECK_EQ(n, 2);
        CHECK_SPAN(r[0].expr, r[0].expr_len, "$rsp");
        CHECK_SPAN(r[1].expr, r[1].expr_len, ".cfa 8 - ^");
    }
    breakpad_cfi_deinit(&cfi);
    CHECK(breakpad_sym_find_cfi(sym, 0x107a, &cfi) == &dd_error_not_found);
    CHECK_STR(breakpad_sym_module(sym)->arch, "x86_64");
    breakpad_sym_destroy(sym);
}

#define MOZ "mozilla-minidump-stackwalk/symbols/"

TEST(breakpad_sym_corpus_mozilla_xz)
{
    static const char *const files[] = {
        "combase.pdb/81CE972123FF0B76AD5AA3E06BB9FE751/combase.sym.xz",
        "combase.pdb/32CE467DC6E2C14D988998A75F9947741/combase.sym.xz",
        "nss3.pdb/20E1BE54C3A888114C4C44205044422E1/nss3.sym.xz",
        "nss3.pdb/EED0C01223AABBC04C4C44205044422E1/nss3.sym.xz",
        "wntdll.pdb/3CCC2398F623C3D0915D0E0ADC5714A71/wntdll.sym.xz",
        "ntdll.pdb/D5BDF9F95DB06E5B56A91B98DE4403E71/ntdll.sym.xz",
        "ucrtbase.pdb/B6AC828B65092A857EB84274407C36A81/ucrtbase.sym.xz",
        "win32u.pdb/DAA6CDAFEEE3650AECFB0F4CF2F360DA1/win32u.sym.xz",
        "wwin32u.pdb/D3CAE32F6C9D443362C27D4D4FF51E151/wwin32u.sym.xz",
        "firefox.pdb/7EAD9E2FC99C6C154C4C44205044422E1/firefox.sym.xz",
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        char rel[512];
        snprintf(rel, sizeof(rel), MOZ "%s", files[i]);
        check_corpus_sym(rel, 0);
    }

    /* Hand-picked from the decompressed nss3 (arm64) text:
     *   MODULE windows unknown EED0C01223AABBC04C4C44205044422E1 nss3.pdb
     *   INFO CODE_ID 5FF69A84221000 nss3.dll
     *   FUNC 151cc0 98 0 PK11_GetInternalSlot()
     *   151cc8 8 2080 122
     *   FILE 122 hg:hg.mozilla.org/mozilla-central:security/nss/lib/pk11wrap/pk11slot.c:958d...
     */
    char *path = corpus_path(MOZ "nss3.pdb/EED0C01223AABBC04C4C44205044422E1/nss3.sym.xz");
    if (!path) {
        check_skip("shared corpus not found");
        return;
    }
    size_t size = 0;
    char *text = load_text(path, &size);
    free(path);
    struct breakpad_sym *sym = NULL;
    if (text)
        CHECK_OK(breakpad_sym_open_memory((const uint8_t *)text, size, &sym));
    if (sym) {
        const struct breakpad_module *m = breakpad_sym_module(sym);
        CHECK_STR(m->arch, "unknown");
        CHECK_STR(m->code_id, "5FF69A84221000");
        CHECK_STR(m->code_file, "nss3.dll");
        struct breakpad_symbol s;
        CHECK_OK(breakpad_sym_lookup(sym, 0x151cc0 + 0x97, &s));
        CHECK_SPAN(s.name, s.name_len, "PK11_GetInternalSlot()");
        struct breakpad_line l;
        CHECK_OK(breakpad_sym_find_line(sym, 0x151ccf, &l));
        CHECK_EQ(l.addr, 0x151cc8);
        CHECK_EQ(l.line, 2080);
        CHECK_EQ(l.file_num, 122);
        CHECK_SPAN(l.file, l.file_len,
                   "hg:hg.mozilla.org/mozilla-central:security/nss/lib/pk11wrap/pk11slot.c:"
                   "958d142c083c70c4eb74eb833d01aeaea4159bbe");
        CHECK_EQ(breakpad_sym_func_count(sym), 4246);
        CHECK_EQ(breakpad_sym_public_count(sym), 106);
        breakpad_sym_destroy(sym);
    }
    free(text);

    /* wntdll: "PUBLIC 675a9 8 _RtlUserThreadStart" then "FUNC 675c5 34 0 _RtlUserThreadStart":
     * the PUBLIC covers the bytes up to the FUNC. */
    path = corpus_path(MOZ "wntdll.pdb/3CCC2398F623C3D0915D0E0ADC5714A71/wntdll.sym.xz");
    text = path ? load_text(path, &size) : NULL;
    free(path);
    sym = NULL;
    if (text)
        CHECK_OK(breakpad_sym_open_memory((const uint8_t *)text, size, &sym));
    if (sym) {
        struct breakpad_symbol s;
        CHECK_OK(breakpad_sym_lookup(sym, 0x675c4, &s));
        CHECK_EQ(s.kind, BREAKPAD_SYMBOL_PUBLIC);
        CHECK_EQ(s.addr, 0x675a9);
        CHECK_EQ(s.size, 0x675c5 - 0x675a9);
        CHECK_EQ(s.param_size, 8);
        CHECK_OK(breakpad_sym_lookup(sym, 0x675c5, &s));
        CHECK_EQ(s.kind, BREAKPAD_SYMBOL_FUNC);
        CHECK_EQ(s.size, 0x34);
        /* "STACK WIN 4 4b529 22c f 0 0 c 1c 0 1 $T0 $ebp = ... $24 $T0 40 - ^ =" */
        struct breakpad_stack_win w;
        CHECK_OK(breakpad_sym_find_stack_win(sym, 0x4b529, &w));
        CHECK_EQ(w.code_size, 0x22c);
        CHECK_EQ(w.prolog_size, 0xf);
        CHECK_EQ(w.saved_regs_size, 0xc);
        CHECK_EQ(w.locals_size, 0x1c);
        CHECK(w.program_string_len > 8 &&
              memcmp(w.program_string + w.program_string_len - 8, "40 - ^ =", 8) == 0);
        breakpad_sym_destroy(sym);
    }
    free(text);
}

/* Not a correctness check: reports how long the largest corpus .sym takes to open. */
TEST(breakpad_sym_corpus_open_time)
{
    char *path = corpus_path(MOZ "combase.pdb/81CE972123FF0B76AD5AA3E06BB9FE751/combase.sym.xz");
    if (!path) {
        check_skip("shared corpus not found");
        return;
    }
    size_t size = 0;
    char *text = load_text(path, &size);
    free(path);
    if (!text)
        return;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct breakpad_sym *sym = NULL;
    CHECK_OK(breakpad_sym_open_memory((const uint8_t *)text, size, &sym));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    if (getenv("DD_BENCH_VERBOSE"))
        fprintf(stderr, "combase.sym: %zu bytes opened in %.1f ms\n", size, ms);
    CHECK(ms < 2000);
    breakpad_sym_destroy(sym);
    free(text);
}
