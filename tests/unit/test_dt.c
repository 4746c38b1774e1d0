/*
 * dt's formatter over the fixture PDB (tests/fixtures/gen/tpi_types.cpp) and a fake memory image.
 * Offsets follow from the source under the MSVC x64 layout (also `llvm-pdbutil-16 dump -types`);
 * the spelling follows WinDbg transcripts: "   +0x008 Buffer           : Ptr64 Wchar",
 * "Pos 0, 1 Bit", "0n1" for signed, "0xd" / "0" for unsigned, "(null) " pointers, "0 ( Name )"
 * enums, "0y1" bitfield values, "0x... \"text\"" string pointers; and dt output of a test
 * program kept as fixtures by the DebugDiag.Native project (x86.cs: "NumberOfProcessors : 8"
 * and "NtGlobalFlag : 0x70" for unsigned values, "SubSystemData    : (null) " with its blank,
 * "ReservedBits0    : 0y000000000000000000000000000 (0)" for wide bitfields, "TlsBitmapBits
 * : [2] 1" for arrays, "ProcessHeaps : 0x77a64760  -> 0x00490000 Void" for pointers to
 * pointers, "+0x000 __VFN_table : Ptr32 " and "=00f1cb74 IAmSoStatic      : Int4B" for
 * classes).
 */
#include <stdio.h>
#include <string.h>

#include "base/writer.h"
#include "check.h"
#include "cmd/cmd_dt.h"
#include "pdb/msf.h"
#include "pdb/tpi.h"

#define DT_PDB DD_SOURCE_ROOT "/tests/fixtures/tpi/tpi_types.pdb"

/* Target memory for the tests: 0x200 bytes at 0x1000 and 0x200 at 0x2000. */
struct fake_mem {
    uint8_t page1[0x200];
    uint8_t page2[0x200];
};

static struct dd_error *fake_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    struct fake_mem *m = ctx;
    if (addr >= 0x1000 && addr + n <= 0x1200) {
        memcpy(buf, m->page1 + (addr - 0x1000), n);
        return NULL;
    }
    if (addr >= 0x2000 && addr + n <= 0x2200) {
        memcpy(buf, m->page2 + (addr - 0x2000), n);
        return NULL;
    }
    return dd_error_create(DD_ERR_MEMORY, "no memory at %llx", (unsigned long long)addr);
}

struct dt_fixture {
    struct msf_file *msf;
    struct pdb_types *types;
};

static bool dt_fixture_open(struct dt_fixture *f)
{
    memset(f, 0, sizeof(*f));
    CHECK_OK(msf_open_file(DT_PDB, &f->msf));
    if (!f->msf)
        return false;
    CHECK_OK(pdb_types_open(f->msf, PDB_TYPES_TPI, &f->types));
    return f->types != NULL;
}

static void dt_fixture_close(struct dt_fixture *f)
{
    pdb_types_destroy(f->types);
    msf_destroy(f->msf);
}

/* Formats NAME with OPT (and memory M at ADDR when M is non-NULL) and compares with WANT. */
static void check_dt(struct dt_fixture *f, const char *name, const struct cmd_dt_options *opt,
                     struct fake_mem *m, uint64_t addr, const char *want)
{
    uint32_t index = 0;
    CHECK_OK(pdb_types_find_by_name(f->types, name, 0, &index));
    struct dd_strbuf sb = {0};
    struct dd_writer w = dd_writer_strbuf(&sb);
    struct cmd_dt_memory mem = {fake_read, m, 8};
    CHECK_OK(cmd_dt_format(f->types, index, opt, m ? &mem : NULL, addr, &w));
    CHECK_STR(sb.data ? sb.data : "", want);
    dd_strbuf_deinit(&sb);
}

static void put_le(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

TEST(dt_layout_unicode_string)
{
    struct dt_fixture f;
    if (dt_fixture_open(&f)) {
        struct cmd_dt_options opt = {0};
        check_dt(&f, "_UNICODE_STRING", &opt, NULL, 0,
                 "   +0x000 Length           : Uint2B\n"
                 "   +0x002 MaximumLength    : Uint2B\n"
                 "   +0x008 Buffer           : Ptr64 Wchar\n");
        opt.field = "Buffer";
        check_dt(&f, "_UNICODE_STRING", &opt, NULL, 0,
                 "   +0x008 Buffer           : Ptr64 Wchar\n");
    }
    dt_fixture_close(&f);
}

TEST(dt_layout_bitfields_and_verbose)
{
    struct dt_fixture f;
    if (dt_fixture_open(&f)) {
        struct cmd_dt_options opt = {0};
        /* a:1 b:3 share the first unsigned int; ":0" closes it; c:40 starts an 8-byte unit at
         * 8; d:2 a signed char at 16. */
        check_dt(&f, "Bits", &opt, NULL, 0,
                 "   +0x000 a                : Pos 0, 1 Bit\n"
                 "   +0x000 b                : Pos 1, 3 Bits\n"
                 "   +0x008 c                : Pos 0, 40 Bits\n"
                 "   +0x010 d                : Pos 0, 2 Bits\n");
        opt.verbose = true;
        check_dt(&f, "_LIST_ENTRY", &opt, NULL, 0,
                 "struct _LIST_ENTRY, 2 elements, 0x10 bytes\n"
                 "   +0x000 Flink            : Ptr64 to struct _LIST_ENTRY, 2 elements, 0x10 bytes\n"
                 "   +0x008 Blink            : Ptr64 to struct _LIST_ENTRY, 2 elements, 0x10 bytes\n");
    }
    dt_fixture_close(&f);
}

TEST(dt_values)
{
    struct dt_fixture f;
    static struct fake_mem m;
    memset(&m, 0, sizeof(m));
    if (dt_fixture_open(&f)) {
        struct cmd_dt_options opt = {0};
        /* UNICODE_STRING at 0x1000: Length 6, MaximumLength 8, Buffer -> L"abc" at 0x2000. */
        put_le(m.page1, 6, 2);
        put_le(m.page1 + 2, 8, 2);
        put_le(m.page1 + 8, 0x2000, 8);
        memcpy(m.page2, "a\0b\0c\0\0\0", 8);
        check_dt(&f, "_UNICODE_STRING", &opt, &m, 0x1000,
                 "   +0x000 Length           : 6\n"
                 "   +0x002 MaximumLength    : 8\n"
                 "   +0x008 Buffer           : 0x00000000`00002000  \"abc\"\n");
        /* Bits: a=1, b=5 (byte 0x0b); c=0x12345; d=-1 (2 bits 11). */
        memset(m.page1, 0, sizeof(m.page1));
        m.page1[0] = 0x0b;
        put_le(m.page1 + 8, 0x12345, 8);
        m.page1[16] = 0x03;
        check_dt(&f, "Bits", &opt, &m, 0x1000,
                 "   +0x000 a                : 0y1\n"
                 "   +0x000 b                : 0y101\n"
                 "   +0x008 c                : "
                 "0y0000000000000000000000010010001101000101 (0x12345)\n"
                 "   +0x010 d                : 0y11\n");
        /* A list entry whose Flink is null and Blink points at itself; -r follows Blink once. */
        memset(m.page1, 0, sizeof(m.page1));
        put_le(m.page1 + 8, 0x1000, 8);
        check_dt(&f, "_LIST_ENTRY", &opt, &m, 0x1000,
                 "   +0x000 Flink            : (null) \n"
                 "   +0x008 Blink            : 0x00000000`00001000 _LIST_ENTRY\n");
        opt.recurse = 1;
        check_dt(&f, "_LIST_ENTRY", &opt, &m, 0x1000,
                 "   +0x000 Flink            : (null) \n"
                 "   +0x008 Blink            : 0x00000000`00001000 _LIST_ENTRY\n"
                 "      +0x000 Flink            : (null) \n"
                 "      +0x008 Blink            : 0x00000000`00001000 _LIST_ENTRY\n");
        /* Unreadable memory prints ?? for each value. */
        opt.recurse = 0;
        check_dt(&f, "_LIST_ENTRY", &opt, &m, 0x5000,
                 "   +0x000 Flink            : ??\n"
                 "   +0x008 Blink            : ??\n");
    }
    dt_fixture_close(&f);
}

TEST(dt_enum_lists_enumerators)
{
    struct dt_fixture f;
    if (dt_fixture_open(&f)) {
        struct cmd_dt_options opt = {0};
        check_dt(&f, "Color", &opt, NULL, 0,
                 "   Red = 0n-1\n"
                 "   Green = 0n7\n"
                 "   Blue = 0n32767\n");
    }
    dt_fixture_close(&f);
}

/* Statics and code names for the class tests: Base::counter lives at 0x2010, code at 0x2020. */
static bool test_static_addr(void *ctx, const char *qualified, uint64_t *ret)
{
    (void)ctx;
    if (strcmp(qualified, "Base::counter") != 0)
        return false;
    *ret = 0x2010;
    return true;
}

static bool test_symbolize(void *ctx, uint64_t addr, char *buf, size_t len)
{
    (void)ctx;
    if (addr != 0x2020)
        return false;
    snprintf(buf, len, "tpi_types!callback_target");
    return true;
}

TEST(dt_class_with_base_vtable_and_static)
{
    struct dt_fixture f;
    static struct fake_mem m;
    memset(&m, 0, sizeof(m));
    if (dt_fixture_open(&f)) {
        struct cmd_dt_options opt = {0};
        opt.static_addr = test_static_addr;
        /* Derived : Base (llvm-pdbutil: LF_BCLASS offset 0; Base = LF_VFUNCTAB, base_value @8,
         * static counter; nested @16, mode @20): the base's members come first. */
        check_dt(&f, "Derived", &opt, NULL, 0,
                 "   +0x000 __VFN_table : Ptr64 \n"
                 "   +0x008 base_value       : Int4B\n"
                 "   =00000000`00002010 counter          : Int4B\n"
                 "   +0x010 nested           : Derived::Nested\n"
                 "   +0x014 mode             : Derived::Mode\n");
        put_le(m.page1, 0x2000, 8);
        put_le(m.page1 + 8, 5, 4);
        put_le(m.page1 + 0x10, 7, 4);
        put_le(m.page1 + 0x14, 1, 4);
        put_le(m.page2 + 0x10, 3, 4);
        check_dt(&f, "Derived", &opt, &m, 0x1000,
                 "   +0x000 __VFN_table : 0x00000000`00002000 \n"
                 "   +0x008 base_value       : 0n5\n"
                 "   =00000000`00002010 counter          : 0n3\n"
                 "   +0x010 nested           : Derived::Nested\n"
                 "   +0x014 mode             : 1 ( B )\n");
        /* A field filter finds members of the base too. */
        opt.field = "base_value";
        check_dt(&f, "Derived", &opt, &m, 0x1000, "   +0x008 base_value       : 0n5\n");
        /* Diamond : Left, Right (bases at 0 and 16, virtual VBase): l @8, r @16+8, dmd @32. */
        opt.field = NULL;
        opt.static_addr = NULL;
        check_dt(&f, "Diamond", &opt, NULL, 0,
                 "   +0x008 l                : Int4B\n"
                 "   +0x018 r                : Int4B\n"
                 "   +0x020 dmd              : Int4B\n");
    }
    dt_fixture_close(&f);
}

TEST(dt_values_arrays_pointers_functions)
{
    struct dt_fixture f;
    static struct fake_mem m;
    memset(&m, 0, sizeof(m));
    if (dt_fixture_open(&f)) {
        struct cmd_dt_options opt = {0};
        opt.symbolize = test_symbolize;
        /* Everything at 0x1000 (offsets from llvm-pdbutil's LF_FIELDLIST 0x1062). */
        for (int i = 0; i < 4; i++)
            put_le(m.page1 + 0x70 + 4 * i, (uint64_t)(i + 1), 4); /* arr @112 */
        put_le(m.page1 + 0x68, 0x2000, 8);                        /* ppi @104 */
        put_le(m.page2, 0x2030, 8);
        put_le(m.page2 + 0x30, 42, 4);
        put_le(m.page1 + 0xe0, 0x2020, 8);  /* callback @224 */
        put_le(m.page1 + 0x90, 0x1090, 8);  /* list @144: an empty list */
        put_le(m.page1 + 0x98, 0x1090, 8);
        put_le(m.page1 + 0xa0, 6, 2);       /* name @160: L"abc" */
        put_le(m.page1 + 0xa8, 0x2040, 8);
        memcpy(m.page2 + 0x40, "a\0b\0c\0\0\0", 8);
        put_le(m.page1 + 0xb0, 7, 2);       /* color @176: Green */
        opt.field = "arr";
        check_dt(&f, "Everything", &opt, &m, 0x1000, "   +0x070 arr              : [4] 0n1\n");
        opt.arrays = true;
        check_dt(&f, "Everything", &opt, &m, 0x1000,
                 "   +0x070 arr              : \n"
                 "    [00] 0n1\n"
                 "    [01] 0n2\n"
                 "    [02] 0n3\n"
                 "    [03] 0n4\n");
        opt.array_max = 2;
        check_dt(&f, "Everything", &opt, &m, 0x1000,
                 "   +0x070 arr              : \n"
                 "    [00] 0n1\n"
                 "    [01] 0n2\n");
        opt.arrays = false;
        opt.array_max = 0;
        opt.field = "ppi";
        check_dt(&f, "Everything", &opt, &m, 0x1000,
                 "   +0x068 ppi              : 0x00000000`00002000  -> 0x00000000`00002030  -> "
                 "0n42\n");
        opt.field = "callback";
        check_dt(&f, "Everything", &opt, &m, 0x1000,
                 "   +0x0e0 callback         : 0x00000000`00002020     void  "
                 "tpi_types!callback_target+0\n");
        check_dt(&f, "Everything", &opt, NULL, 0,
                 "   +0x0e0 callback         : Ptr64     void \n");
        opt.field = "list";
        check_dt(&f, "Everything", &opt, &m, 0x1000,
                 "   +0x090 list             : _LIST_ENTRY [ 0x00000000`00001090 - "
                 "0x00000000`00001090 ]\n");
        /* -b expands the embedded structure in place. */
        opt.expand = true;
        check_dt(&f, "Everything", &opt, &m, 0x1000,
                 "   +0x090 list             : _LIST_ENTRY [ 0x00000000`00001090 - "
                 "0x00000000`00001090 ]\n"
                 "      +0x000 Flink            : 0x00000000`00001090 _LIST_ENTRY\n"
                 "      +0x008 Blink            : 0x00000000`00001090 _LIST_ENTRY\n");
        opt.expand = false;
        opt.field = "name";
        check_dt(&f, "Everything", &opt, &m, 0x1000,
                 "   +0x0a0 name             : _UNICODE_STRING \"abc\"\n");
        opt.field = "color";
        check_dt(&f, "Everything", &opt, &m, 0x1000,
                 "   +0x0b0 color            : 7 ( Green )\n");
        opt.field = "pv";
        check_dt(&f, "Everything", &opt, &m, 0x1000, "   +0x050 pv               : (null) \n");
    }
    dt_fixture_close(&f);
}
