/*
 * Unit tests for s (src/cmd/cmd_search.c) and the shared range parser
 * (src/cmd/cmd_range.c) over a fake target whose memory is a few ranges.
 * Expected behaviour comes from the debugger reference "s (Search Memory)"
 * (whole-pattern hits only, overlapping hits, aligned WORD/DWORD/QWORD hits,
 * 'VUTS' = bytes S T U V, the 256 MB limit without L?) and the layouts of the
 * transcripts cited in cmd_search.c; the bytes are written here.
 */
#include <ctype.h>
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "cmd/cmd_range.h"
#include "cmd/command.h"
#include "cmd/session.h"

static struct dd_error *fake_read(struct target *t, uint64_t addr, void *buf, size_t n,
                                  size_t *ret_read)
{
    return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
}

static const struct target_ops fake_ops = {.read_virtual = fake_read};

/* 0x10000: text, a run of Q, an aligned and an unaligned 'VUTS', a UTF-16 string. */
static uint8_t page_a[0x100];
/* 0x20000 .. 0x20010 and 0x20010 .. 0x20020: two contiguous ranges; "SPLIT" crosses them. */
static uint8_t page_b1[0x10], page_b2[0x10];
/* 0x30000: after a gap; "SPLIT" cut by the gap must not be found. */
static uint8_t page_c[0x10];
/* The last 16 bytes of the 64-bit address space. */
static uint8_t page_top[0x10];

struct fixture {
    struct target t;
    struct target_region regions[3];
    struct session s;
    struct dd_strbuf out;
    struct dd_writer w;
};

static void fill_pages(void)
{
    memset(page_a, 0, sizeof(page_a));
    memcpy(page_a + 0x00, "Hello, World!", 13);
    memcpy(page_a + 0x20, "QQQQQ", 5);
    memcpy(page_a + 0x30, "STUV", 4); /* aligned DWORD 'VUTS' at 0x10030 */
    memcpy(page_a + 0x41, "STUV", 4); /* unaligned copy at 0x10041 */
    const char *w = "kernel32";
    for (size_t i = 0; w[i]; i++) /* UTF-16 "kernel32" at the odd address 0x10061 */
        page_a[0x61 + 2 * i] = (uint8_t)w[i];
    memcpy(page_a + 0x80, "\xef\xcd\xab\x89\x67\x45\x23\x01", 8); /* QWORD 0123456789abcdef */
    memcpy(page_a + 0xa0, "ab", 2);                             /* too short for -sa */
    memcpy(page_a + 0xb0, "abcd", 4);
    memset(page_b1, 0, sizeof(page_b1));
    memset(page_b2, 0, sizeof(page_b2));
    memcpy(page_b1 + 0x0d, "SPL", 3);
    memcpy(page_b2, "IT", 2);
    memset(page_c, 0, sizeof(page_c));
    memcpy(page_c, "IT", 2);
    memset(page_top, 0x41, sizeof(page_top));
}

static void fixture_init(struct fixture *f, enum dd_cpu cpu)
{
    memset(f, 0, sizeof(*f));
    fill_pages();
    f->t.ops = &fake_ops;
    f->t.sys.cpu = cpu;
    struct dd_memmap *m = &f->t.memory;
    dd_memmap_init(m);
    CHECK_OK(dd_memmap_add(m, 0x10000, sizeof(page_a), page_a));
    CHECK_OK(dd_memmap_add(m, 0x20000, sizeof(page_b1), page_b1));
    CHECK_OK(dd_memmap_add(m, 0x20010, sizeof(page_b2), page_b2));
    CHECK_OK(dd_memmap_add(m, 0x30010, sizeof(page_c), page_c));
    if (cpu == DD_CPU_X64)
        CHECK_OK(dd_memmap_add(m, 0xfffffffffffffff0ULL, sizeof(page_top), page_top));
    CHECK_OK(dd_memmap_finish(m));
    f->w = dd_writer_strbuf(&f->out);
    session_init(&f->s, &f->t, &f->w, "test.dmp");
}

static void fixture_deinit(struct fixture *f)
{
    session_deinit(&f->s);
    dd_memmap_deinit(&f->t.memory);
    dd_strbuf_deinit(&f->out);
}

/* Runs LINE through the search table and returns the output or "ERROR: message". */
static const char *run(struct fixture *f, const char *line)
{
    static char buf[16384];
    const char *p = line;
    while (isalnum((unsigned char)*p))
        p++;
    while (*p == ' ')
        p++;
    dd_strbuf_reset(&f->out);
    struct cmd_args a = {"s", "", p, line};
    struct dd_error *err = cmd_table_search[0].handler(&f->s, &a);
    dd_arena_deinit(&f->s.scratch);
    if (err) {
        snprintf(buf, sizeof(buf), "ERROR: %s", err->message);
        dd_error_destroy(err);
        return buf;
    }
    snprintf(buf, sizeof(buf), "%s", f->out.data ? f->out.data : "");
    return buf;
}

/* The reference's example: s, s with 'c' constants and s -a find "Hello" the same way. */
TEST(search_hello_three_ways)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    const char *expect = "00000000`00010000  48 65 6c 6c 6f 2c 20 57-6f 72 6c 64 21 00 00 00  "
                         "Hello, World!...\n";
    CHECK_STR(run(&f, "s 10000 L20 'H' 'e' 'l' 'l' 'o'"), expect);
    CHECK_STR(run(&f, "s 10000 L20 48 65 6c 6c 6f"), expect);
    CHECK_STR(run(&f, "s -a 10000 L20 \"Hello\""), expect);
    CHECK_STR(run(&f, "s -b 10000 1001f 48 65"), expect);
    /* Without quotes the rest of the line is the string. */
    CHECK_STR(run(&f, "s -a 10000 L20 Hello, World"), expect);
    fixture_deinit(&f);
}

/* "the pattern "QQQ" is found three times in "QQQQQ"". */
TEST(search_overlapping_hits)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    CHECK_STR(run(&f, "s -[1]a 10000 L100 \"QQQ\""),
              "00000000`00010020\n00000000`00010021\n00000000`00010022\n");
    fixture_deinit(&f);
}

/* 'VUTS' is the DWORD whose bytes are S T U V; only the aligned copy is a -d hit. */
TEST(search_dword_aligned)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    CHECK_STR(run(&f, "s -d 10000 L100 'VUTS'"),
              "00000000`00010030  56555453 00000000 00000000 00000000  STUV............\n");
    CHECK_STR(run(&f, "s -d 10000 L100 56555453"),
              "00000000`00010030  56555453 00000000 00000000 00000000  STUV............\n");
    /* As bytes both copies are found. */
    CHECK_STR(run(&f, "s -[1]b 10000 L100 'S' 'T' 'U' 'V'"),
              "00000000`00010030\n00000000`00010041\n");
    /* A value too wide for the element is refused. */
    CHECK(strncmp(run(&f, "s -b 10000 L100 141"), "ERROR: Range error in", 21) == 0);
    fixture_deinit(&f);
}

TEST(search_qword_and_word)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    CHECK_STR(run(&f, "s -q 10000 L100 0123456789abcdef"),
              "00000000`00010080  01234567`89abcdef 00000000`00000000\n");
    /* -w: aligned words only ("ab" at 0x100a0 is the word 0x6261). */
    CHECK_STR(run(&f, "s -[1]w 10000 L100 6261"), "00000000`000100a0\n00000000`000100b0\n");
    fixture_deinit(&f);
}

/* -u: UTF-16, not aligned (a transcript shows a hit at 76f63bad), words and characters. */
TEST(search_unicode)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    CHECK_STR(run(&f, "s -u 10000 L100 \"kernel32\""),
              "00000000`00010061  006b 0065 0072 006e 0065 006c 0033 0032  "
              "k.e.r.n.e.l.3.2.\n");
    fixture_deinit(&f);
}

/* A hit must lie wholly inside the range. */
TEST(search_hit_inside_range)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    CHECK_STR(run(&f, "s -[1]a 10000 L24 \"QQQ\""), "00000000`00010020\n00000000`00010021\n");
    CHECK_STR(run(&f, "s -[1]a 10021 10023 \"QQQ\""), "00000000`00010021\n");
    CHECK_STR(run(&f, "s -[1]a 10021 10022 \"QQQ\""), "");
    fixture_deinit(&f);
}

/* Contiguous ranges join; a gap does not. */
TEST(search_across_ranges)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    CHECK_STR(run(&f, "s -[1]a 0 L?ffffffff \"SPLIT\""), "00000000`0002000d\n");
    CHECK_STR(run(&f, "s -a 2000d L5 \"SPLIT\""),
              "00000000`0002000d  53 50 4c 49 54 00 00 00-00 00 00 00 00 00 00 00  "
              "SPLIT...........\n");
    fixture_deinit(&f);
}

/* The whole 64-bit space with L?: only the dump's ranges are walked, up to the last byte. */
TEST(search_whole_space)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    clock_t t0 = clock();
    /* L?ffffffffffffffff ends one byte short of the top: 15 of the 16 bytes fit. */
    const char *out = run(&f, "s -[1]b 0 L?ffffffffffffffff 41 41 41 41 41 41 41 41 41 41 41 41 "
                              "41 41 41 41");
    CHECK_STR(out, "");
    out = run(&f, "s -[1]b 0 L?ffffffffffffffff 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41");
    CHECK_STR(out, "ffffffff`fffffff0\n");
    CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
    /* The line at the top shows what exists. */
    CHECK_STR(run(&f, "s -b fffffffffffffff8 L8 41"),
              "ffffffff`fffffff8  41 41 41 41 41 41 41 41-?? ?? ?? ?? ?? ?? ?? ??  "
              "AAAAAAAA????????\n"
              "ffffffff`fffffff9  41 41 41 41 41 41 41 ?\?-?? ?? ?? ?? ?? ?? ?? ??  "
              "AAAAAAA?????????\n"
              "ffffffff`fffffffa  41 41 41 41 41 41 ?? ?\?-?? ?? ?? ?? ?? ?? ?? ??  "
              "AAAAAA??????????\n"
              "ffffffff`fffffffb  41 41 41 41 41 ?? ?? ?\?-?? ?? ?? ?? ?? ?? ?? ??  "
              "AAAAA???????????\n"
              "ffffffff`fffffffc  41 41 41 41 ?? ?? ?? ?\?-?? ?? ?? ?? ?? ?? ?? ??  "
              "AAAA????????????\n"
              "ffffffff`fffffffd  41 41 41 ?? ?? ?? ?? ?\?-?? ?? ?? ?? ?? ?? ?? ??  "
              "AAA?????????????\n"
              "ffffffff`fffffffe  41 41 ?? ?? ?? ?? ?? ?\?-?? ?? ?? ?? ?? ?? ?? ??  "
              "AA??????????????\n"
              "ffffffff`ffffffff  41 ?? ?? ?? ?? ?? ?? ?\?-?? ?? ?? ?? ?? ?? ?? ??  "
              "A???????????????\n");
    fixture_deinit(&f);
}

/* "This range cannot be more than 256 MB long unless you use the L? syntax." */
TEST(search_range_limit)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    CHECK_STR(run(&f, "s -b 0 L10000001 41"), "ERROR: Range error in 's -b 0 L10000001 41'");
    CHECK_STR(run(&f, "s -b 0 10000000 41"), "ERROR: Range error in 's -b 0 10000000 41'");
    CHECK_STR(run(&f, "s -b 0 L10000000 48 65"),
              "00000000`00010000  48 65 6c 6c 6f 2c 20 57-6f 72 6c 64 21 00 00 00  "
              "Hello, World!...\n");
    CHECK_STR(run(&f, "s -b 20000 10000 41"), "ERROR: Range error in 's -b 20000 10000 41'");
    /* A range and a pattern are required; unsupported forms say so. */
    CHECK(strncmp(run(&f, "s -b 10000"), "ERROR: Syntax error", 19) == 0);
    CHECK(strncmp(run(&f, "s -b 10000 L10"), "ERROR: Syntax error", 19) == 0);
    CHECK(strncmp(run(&f, "s -[s]b 10000 L10 41"), "ERROR: Saved searches", 21) == 0);
    CHECK(strncmp(run(&f, "s -v 10000 L10 41"), "ERROR: s -v", 11) == 0);
    CHECK(strncmp(run(&f, "s -[1] 10000 L10 41"), "ERROR: Syntax error", 19) == 0);
    fixture_deinit(&f);
}

/* 32-bit targets: 8-digit addresses, and ranges stop at 0xffffffff. */
TEST(search_x86)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X86);
    CHECK_STR(run(&f, "s -a 0 L?ffffffff \"World\""),
              "00010007  57 6f 72 6c 64 21 00 00-00 00 00 00 00 00 00 00  World!..........\n");
    CHECK_STR(run(&f, "s -[1]b 0 L?100000000 57 6f"), "00010007\n");
    CHECK_STR(run(&f, "s -b 1 L?100000000 41"), "ERROR: Range error in 's -b 1 L?100000000 41'");
    fixture_deinit(&f);
}

/* -sa: printable runs of at least 3 characters (l N changes it); -su the same in UTF-16. */
TEST(search_any_strings)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    CHECK_STR(run(&f, "s -sa 10000 L100"),
              "00000000`00010000  \"Hello, World!\"\n"
              "00000000`00010020  \"QQQQQ\"\n"
              "00000000`00010030  \"STUV\"\n"
              "00000000`00010041  \"STUV\"\n"
              "00000000`00010084  \"gE#\"\n"
              "00000000`000100b0  \"abcd\"\n");
    CHECK_STR(run(&f, "s -[l5]sa 10000 L100"),
              "00000000`00010000  \"Hello, World!\"\n"
              "00000000`00010020  \"QQQQQ\"\n");
    CHECK_STR(run(&f, "s -[1l5]sa 10000 L100"), "00000000`00010000\n00000000`00010020\n");
    /* Strings join across contiguous ranges. */
    CHECK_STR(run(&f, "s -sa 20000 L20"), "00000000`0002000d  \"SPLIT\"\n");
    CHECK_STR(run(&f, "s -su 10000 L100"), "");
    page_a[0xe0] = 'x';
    page_a[0xe2] = 'y';
    page_a[0xe4] = 'z';
    CHECK_STR(run(&f, "s -su 10000 L100"), "00000000`000100e0  \"xyz\"\n");
    fixture_deinit(&f);
}

/* [w]: with a region list, only committed writeable regions are searched. */
TEST(search_writable_only)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    f.regions[0] = (struct target_region){.base = 0x10000, .size = 0x10000, .state = 0x1000,
                                          .protect = 0x02, .type = 0x20000};
    f.regions[1] = (struct target_region){.base = 0x20000, .size = 0x10000, .state = 0x1000,
                                          .protect = 0x04, .type = 0x20000};
    f.t.regions = f.regions;
    f.t.nregions = 2;
    CHECK_STR(run(&f, "s -[1]a 0 L?ffffffff \"SPLIT\""), "00000000`0002000d\n");
    CHECK_STR(run(&f, "s -[1w]a 0 L?ffffffff \"SPLIT\""), "00000000`0002000d\n");
    CHECK_STR(run(&f, "s -[1w]a 0 L?ffffffff \"Hello\""), "");
    CHECK_STR(run(&f, "s -[1]a 0 L?ffffffff \"Hello\""), "00000000`00010000\n");
    fixture_deinit(&f);
}

/* The shared range parser: the forms of "Address and Address Range Syntax". */
TEST(range_parse_forms)
{
    struct fixture f;
    fixture_init(&f, DD_CPU_X64);
    struct cmd_range r;
    CHECK_OK(cmd_range_parse(&f.s, "1000 L8 rest", "x", 4, &r));
    CHECK_EQ(r.start, 0x1000);
    CHECK_EQ(r.count, 8);
    CHECK(r.has_count);
    CHECK_STR(r.rest, "rest");
    CHECK_OK(cmd_range_parse(&f.s, "1000 100f", "x", 4, &r));
    CHECK_EQ(r.count, 4);
    CHECK_STR(r.rest, "");
    CHECK_OK(cmd_range_parse(&f.s, "1000", "x", 1, &r));
    CHECK(!r.has_count);
    CHECK_OK(cmd_range_parse(&f.s, "1000 L-10", "x", 1, &r));
    CHECK_EQ(r.start, 0xff0);
    CHECK_EQ(r.count, 0x10);
    CHECK_OK(cmd_range_parse(&f.s, "0 L?20000000 'x'", "x", 1, &r));
    CHECK_EQ(r.count, 0x20000000);
    CHECK_STR(r.rest, "'x'");
    struct dd_error *err = cmd_range_parse(&f.s, "0 L20000000", "dd 0 L20000000", 1, &r);
    CHECK(err != NULL);
    if (err)
        CHECK_STR(err->message, "Range error in 'dd 0 L20000000'");
    dd_error_destroy(err);
    err = cmd_range_parse(&f.s, "ffffffffffffff00 L200", "x", 1, &r);
    CHECK(err != NULL);
    dd_error_destroy(err);
    fixture_deinit(&f);
}
