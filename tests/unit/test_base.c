/* Unit tests for src/base and src/core/memmap. */
#include <stdlib.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "base/writer.h"
#include "check.h"
#include "core/memmap.h"

TEST(cursor_reads_little_endian)
{
    static const uint8_t data[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};
    struct dd_cursor c;
    dd_cursor_init(&c, data, sizeof(data), 0x100, "test");
    uint8_t b;
    uint16_t h;
    uint32_t w;
    CHECK_OK(dd_cursor_u8(&c, &b));
    CHECK_EQ(b, 1);
    CHECK_OK(dd_cursor_u16(&c, &h));
    CHECK_EQ(h, 0x0302);
    CHECK_OK(dd_cursor_u32(&c, &w));
    CHECK_EQ(w, 0x07060504);
    uint64_t q;
    struct dd_error *err = dd_cursor_u64(&c, &q);
    CHECK(err != NULL);
    CHECK(err && err->file_offset == 0x107);
    dd_error_destroy(err);
    CHECK_EQ(c.pos, 7); /* a failed read does not move */
}

TEST(cursor_sub_rejects_overflow)
{
    static const uint8_t data[16];
    struct dd_cursor c, sub;
    dd_cursor_init(&c, data, sizeof(data), 0, "file");
    CHECK_OK(dd_cursor_sub(&c, 8, 8, "tail", &sub));
    CHECK_EQ(sub.size, 8);
    struct dd_error *err = dd_cursor_sub(&c, 8, 9, "x", &sub);
    CHECK(err != NULL);
    dd_error_destroy(err);
    err = dd_cursor_sub(&c, UINT64_MAX, 2, "wrap", &sub);
    CHECK(err != NULL);
    dd_error_destroy(err);
}

TEST(fmt_addresses)
{
    char buf[DD_ADDR_BUF];
    CHECK_STR(dd_fmt_addr(buf, 0x12fe84, 4), "0012fe84");
    CHECK_STR(dd_fmt_addr(buf, 0x7ff612345678ULL, 8), "00007ff6`12345678");
    CHECK_STR(dd_fmt_u64_tick(buf, 0x235), "00000000`00000235");
}

TEST(fmt_time_and_duration)
{
    char buf[96];
    /* 2006-06-19 20:13:51 UTC is time_t 0x4497074f? use a value computed by hand: 86400*365 */
    CHECK_STR(dd_fmt_time(buf, sizeof(buf), 0, 0), "Thu Jan  1 00:00:00.000 1970 (UTC + 0:00)");
    /* Bias -120 minutes means UTC+2. */
    CHECK_STR(dd_fmt_time(buf, sizeof(buf), 0, -120), "Thu Jan  1 02:00:00.000 1970 (UTC + 2:00)");
    CHECK_STR(dd_fmt_time(buf, sizeof(buf), 86400, 300), "Thu Jan  1 19:00:00.000 1970 (UTC - 5:00)");
    CHECK_STR(dd_fmt_duration(buf, sizeof(buf), 3, 0), "0 days 0:00:03.000");
    CHECK_STR(dd_fmt_duration(buf, sizeof(buf), 2 * 86400 + 2 * 3600 + 18 * 60 + 4, 36),
              "2 days 2:18:04.036");
    CHECK_EQ(dd_filetime_to_unix(116444736000000000ULL), 0);
}

TEST(wildcards)
{
    CHECK(dd_wildcard_match("nt*", "ntdll"));
    CHECK(dd_wildcard_match("*DLL", "ntdll"));
    CHECK(dd_wildcard_match("k?rnel32", "KERNEL32"));
    CHECK(!dd_wildcard_match("kernel", "kernel32"));
    CHECK(dd_wildcard_match("*", ""));
    CHECK(dd_wildcard_match("a*b*c", "aXXbYYc"));
    CHECK(!dd_wildcard_match("a*b*c", "aXXbYY"));
}

TEST(utf16_conversion)
{
    static const uint8_t text[] = {'h', 0, 0xe9, 0, 0x3d, 0xd8, 0x00, 0xde, 0x00, 0xd8};
    char *s = dd_utf16_to_utf8(text, 5);
    CHECK_STR(s, "h\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbd");
    free(s);
}

TEST(writer_strbuf_captures)
{
    struct dd_strbuf sb = {0};
    struct dd_writer w = dd_writer_strbuf(&sb);
    dd_printf(&w, "%s=%08x", "eax", 0x45u);
    dd_puts(&w, "\n");
    CHECK_STR(sb.data, "eax=00000045\n");
    dd_strbuf_deinit(&sb);
}

TEST(memmap_reads_across_ranges)
{
    static const uint8_t a[4] = {1, 2, 3, 4}, b[4] = {5, 6, 7, 8}, c[2] = {9, 10};
    struct dd_memmap m;
    dd_memmap_init(&m);
    CHECK_OK(dd_memmap_add(&m, 0x1004, 4, b));
    CHECK_OK(dd_memmap_add(&m, 0x1000, 4, a));
    CHECK_OK(dd_memmap_add(&m, 0x2000, 2, c));
    CHECK_OK(dd_memmap_finish(&m));
    uint8_t buf[8];
    size_t got;
    CHECK_OK(dd_memmap_read(&m, 0x1002, buf, 6, &got));
    CHECK_EQ(got, 6);
    CHECK_EQ(buf[0], 3);
    CHECK_EQ(buf[5], 8);
    struct dd_error *err = dd_memmap_read(&m, 0x1006, buf, 4, &got);
    CHECK(err != NULL);
    CHECK_EQ(got, 2);
    CHECK(err && err->address == 0x1008);
    dd_error_destroy(err);
    CHECK(dd_memmap_find(&m, 0x2001) != NULL);
    CHECK(dd_memmap_find(&m, 0x2002) == NULL);
    CHECK(dd_memmap_find(&m, 0xfff) == NULL);
    dd_memmap_deinit(&m);
}

TEST(memmap_trims_overlaps)
{
    static const uint8_t a[8] = {1, 1, 1, 1, 1, 1, 1, 1}, b[8] = {2, 2, 2, 2, 2, 2, 2, 2};
    struct dd_memmap m;
    dd_memmap_init(&m);
    CHECK_OK(dd_memmap_add(&m, 0x100, 8, a));
    CHECK_OK(dd_memmap_add(&m, 0x104, 8, b));
    CHECK_OK(dd_memmap_finish(&m));
    uint8_t buf[12];
    size_t got;
    CHECK_OK(dd_memmap_read(&m, 0x100, buf, 12, &got));
    CHECK_EQ(buf[7], 1);
    CHECK_EQ(buf[8], 2);
    dd_memmap_deinit(&m);
}

TEST(error_memory_message)
{
    struct dd_error *err = dd_error_memory(0x7ffe0030);
    CHECK_EQ(err->code, DD_ERR_MEMORY);
    CHECK_EQ(err->address, 0x7ffe0030);
    CHECK_STR(err->message, "memory at 0x7ffe0030 is not in the dump");
    dd_error_destroy(err);
    err = dd_error_memory(0);
    CHECK_STR(err->message, "memory at 0x0 is not in the dump");
    dd_error_destroy(err);
    err = dd_error_memory(UINT64_MAX);
    CHECK_STR(err->message, "memory at 0xffffffffffffffff is not in the dump");
    CHECK_EQ(err->file_offset, DD_NO_OFFSET);
    dd_error_destroy(err);
}
