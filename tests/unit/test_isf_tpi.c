/*
 * Tests of the ISF -> TPI adapter (src/nt/isf_tpi.c) and of dt over its output. The inline ISF
 * documents are written here by hand in the volatility3 schema; every expected offset, size and
 * name below is read off them. dt's line layout is WinDbg's (cmd_dt_value.c cites its sources):
 * "   +0x%03x %-16s : type", "Ptr64 X", "[N] X", "Pos P, N Bit(s)", "   Name = 0n1".
 */
#include <stdlib.h>
#include <string.h>

#include "base/writer.h"
#include "check.h"
#include "cmd/cmd_dt.h"
#include "nt/isf.h"
#include "nt/isf_tpi.h"
#include "pdb/tpi.h"

static const char isf_doc[] =
    "{\"metadata\": {\"format\": \"6.1.0\"},"
    " \"base_types\": {"
    "  \"pointer\": {\"kind\": \"int\", \"size\": 8, \"signed\": false, \"endian\": \"little\"},"
    "  \"unsigned long\": {\"kind\": \"int\", \"size\": 4, \"signed\": false, "
    "\"endian\": \"little\"},"
    "  \"long long\": {\"kind\": \"int\", \"size\": 8, \"signed\": true, \"endian\": \"little\"},"
    "  \"unsigned char\": {\"kind\": \"char\", \"size\": 1, \"signed\": false, "
    "\"endian\": \"little\"},"
    "  \"wchar\": {\"kind\": \"int\", \"size\": 2, \"signed\": true, \"endian\": \"little\"},"
    "  \"void\": {\"kind\": \"void\", \"size\": 0, \"signed\": true, \"endian\": \"little\"},"
    "  \"int\": {\"kind\": \"int\", \"size\": 4, \"signed\": true, \"endian\": \"little\"}},"
    " \"user_types\": {"
    "  \"_LIST_ENTRY\": {\"kind\": \"struct\", \"size\": 16, \"fields\": {"
    "    \"Flink\": {\"offset\": 0, \"type\": {\"kind\": \"pointer\", \"subtype\": {"
    "\"kind\": \"struct\", \"name\": \"_LIST_ENTRY\"}}},"
    "    \"Blink\": {\"offset\": 8, \"type\": {\"kind\": \"pointer\", \"subtype\": {"
    "\"kind\": \"struct\", \"name\": \"_LIST_ENTRY\"}}}}},"
    "  \"_U\": {\"kind\": \"union\", \"size\": 8, \"fields\": {"
    "    \"Quad\": {\"offset\": 0, \"type\": {\"kind\": \"base\", \"name\": \"long long\"}},"
    "    \"Low\": {\"offset\": 0, \"type\": {\"kind\": \"base\", \"name\": \"unsigned long\"}}}},"
    "  \"_THING\": {\"kind\": \"struct\", \"size\": 64, \"fields\": {"
    "    \"Zeta\": {\"offset\": 40, \"type\": {\"kind\": \"array\", \"count\": 3, \"subtype\": {"
    "\"kind\": \"base\", \"name\": \"wchar\"}}},"
    "    \"Links\": {\"offset\": 0, \"type\": {\"kind\": \"struct\", \"name\": \"_LIST_ENTRY\"}},"
    "    \"Flags\": {\"offset\": 16, \"type\": {\"kind\": \"base\", \"name\": \"unsigned long\"}},"
    "    \"High\": {\"offset\": 16, \"type\": {\"kind\": \"bitfield\", \"bit_position\": 4, "
    "\"bit_length\": 28, \"type\": {\"kind\": \"base\", \"name\": \"unsigned long\"}}},"
    "    \"Low\": {\"offset\": 16, \"type\": {\"kind\": \"bitfield\", \"bit_position\": 0, "
    "\"bit_length\": 4, \"type\": {\"kind\": \"base\", \"name\": \"unsigned long\"}}},"
    "    \"Color\": {\"offset\": 20, \"type\": {\"kind\": \"enum\", \"name\": \"_COLOR\"}},"
    "    \"Context\": {\"offset\": 24, \"type\": {\"kind\": \"pointer\", \"subtype\": {"
    "\"kind\": \"base\", \"name\": \"void\"}}},"
    "    \"Routine\": {\"offset\": 32, \"type\": {\"kind\": \"pointer\", \"subtype\": {"
    "\"kind\": \"function\"}}},"
    "    \"Name\": {\"offset\": 46, \"type\": {\"kind\": \"array\", \"count\": 10, \"subtype\": {"
    "\"kind\": \"base\", \"name\": \"unsigned char\"}}},"
    "    \"Value\": {\"offset\": 56, \"type\": {\"kind\": \"union\", \"name\": \"_U\"}},"
    "    \"Opaque\": {\"offset\": 56, \"type\": {\"kind\": \"pointer\", \"subtype\": {"
    "\"kind\": \"struct\", \"name\": \"_NOT_DEFINED\"}}}}}},"
    " \"enums\": {\"_COLOR\": {\"base\": \"int\", \"size\": 4, \"constants\": {"
    "    \"Red\": 1, \"Black\": -1, \"Green\": 0}}},"
    " \"symbols\": {\"KiProcessorBlock\": {\"address\": 4096}}}";

struct isf_tpi_fixture {
    struct isf *isf;
    uint8_t *tpi;
    struct pdb_types *types;
};

static bool fixture_open(struct isf_tpi_fixture *f)
{
    memset(f, 0, sizeof(*f));
    size_t size = 0;
    CHECK_OK(isf_open_memory((const uint8_t *)isf_doc, strlen(isf_doc), &f->isf));
    if (!f->isf)
        return false;
    CHECK_OK(isf_tpi_build(f->isf, 8, &f->tpi, &size));
    if (!f->tpi)
        return false;
    CHECK_OK(pdb_types_open_memory(f->tpi, size, &f->types));
    return f->types != NULL;
}

static void fixture_close(struct isf_tpi_fixture *f)
{
    pdb_types_destroy(f->types);
    free(f->tpi);
    isf_destroy(f->isf);
}

/* Runs dt over type NAME (layout only when MEM is NULL) into OUT. */
static void dt_text(struct isf_tpi_fixture *f, const char *name, const struct cmd_dt_memory *mem,
                    uint64_t addr, unsigned recurse, struct dd_strbuf *out)
{
    uint32_t index = 0;
    CHECK_OK(pdb_types_find_by_name(f->types, name, 0, &index));
    struct cmd_dt_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.ptr_size = 8;
    opt.recurse = recurse;
    struct dd_writer w = dd_writer_strbuf(out);
    CHECK_OK(cmd_dt_format(f->types, index, &opt, mem, addr, &w));
}

TEST(isf_tpi_indices_and_sizes)
{
    struct isf_tpi_fixture f;
    if (!fixture_open(&f)) {
        fixture_close(&f);
        return;
    }
    /* User types in name order are 0x1000.., enums after them (isf_tpi.h). */
    uint32_t index = 0;
    CHECK_OK(pdb_types_find_by_name(f.types, "_LIST_ENTRY", 0, &index));
    CHECK_EQ(index, 0x1000);
    CHECK_OK(pdb_types_find_by_name(f.types, "_THING", 0, &index));
    CHECK_EQ(index, 0x1001);
    CHECK_OK(pdb_types_find_by_name(f.types, "_COLOR", 0, &index));
    CHECK_EQ(index, 0x1003);
    uint64_t size = 0;
    CHECK_OK(pdb_types_size_of(f.types, 0x1001, &size));
    CHECK_EQ(size, 64);
    CHECK_OK(pdb_types_size_of(f.types, 0x1002, &size)); /* _U */
    CHECK_EQ(size, 8);
    struct pdb_type t;
    CHECK_OK(pdb_types_get(f.types, 0x1002, &t));
    CHECK_EQ(t.leaf, PDB_LF_UNION);
    CHECK_STR(t.name, "_U");
    fixture_close(&f);
}

TEST(isf_tpi_dt_layout)
{
    struct isf_tpi_fixture f;
    if (!fixture_open(&f)) {
        fixture_close(&f);
        return;
    }
    struct dd_strbuf out = {0};
    dt_text(&f, "_THING", NULL, 0, 0, &out);
    /* By offset; at 0x10 the plain member first, then the bitfields by position. */
    CHECK_STR(out.data, "   +0x000 Links            : _LIST_ENTRY\n"
                        "   +0x010 Flags            : Uint4B\n"
                        "   +0x010 Low              : Pos 0, 4 Bits\n"
                        "   +0x010 High             : Pos 4, 28 Bits\n"
                        "   +0x014 Color            : _COLOR\n"
                        "   +0x018 Context          : Ptr64 Void\n"
                        "   +0x020 Routine          : Ptr64     void \n"
                        "   +0x028 Zeta             : [3] Wchar\n"
                        "   +0x02e Name             : [10] UChar\n"
                        "   +0x038 Opaque           : Ptr64 _NOT_DEFINED\n"
                        "   +0x038 Value            : _U\n");
    dd_strbuf_deinit(&out);
    /* Enumerators by value (the ISF keeps no declaration order). */
    struct dd_strbuf en = {0};
    dt_text(&f, "_COLOR", NULL, 0, 0, &en);
    CHECK_STR(en.data, "   Black = 0n-1\n   Green = 0n0\n   Red = 0n1\n");
    dd_strbuf_deinit(&en);
    fixture_close(&f);
}

static const uint8_t thing_bytes[64] = {
    0x00, 0x10, 0, 0, 0, 0, 0, 0, /* Links.Flink = 0x1000 */
    0x00, 0x10, 0, 0, 0, 0, 0, 0, /* Links.Blink = 0x1000 */
    0x35, 0x00, 0x00, 0x00,       /* Flags = 0x35: Low 5, High 3 */
    0x01, 0, 0, 0,                /* Color = Red */
    0, 0, 0, 0, 0, 0, 0, 0,       /* Context = NULL */
    0, 0, 0, 0, 0, 0, 0, 0,       /* Routine = NULL */
    'a', 0, 'b', 0, 0, 0,         /* Zeta */
    'N', 'T', 0, 0, 0, 0, 0, 0, 0, 0, /* Name = "NT" */
    0x2a, 0, 0, 0, 0, 0, 0, 0,    /* Value = 42 */
};

static struct dd_error *thing_read(void *ctx, uint64_t addr, void *buf, size_t n)
{
    (void)ctx;
    if (addr < 0x1000 || addr - 0x1000 > sizeof(thing_bytes) ||
        n > sizeof(thing_bytes) - (addr - 0x1000))
        return dd_error_create(DD_ERR_MEMORY, "not there");
    memcpy(buf, thing_bytes + (addr - 0x1000), n);
    return NULL;
}

TEST(isf_tpi_dt_values)
{
    struct isf_tpi_fixture f;
    if (!fixture_open(&f)) {
        fixture_close(&f);
        return;
    }
    struct cmd_dt_memory mem = {thing_read, NULL, 8};
    struct dd_strbuf out = {0};
    dt_text(&f, "_THING", &mem, 0x1000, 0, &out);
    CHECK(strstr(out.data, "   +0x000 Links            : _LIST_ENTRY [ 0x00000000`00001000 - "
                           "0x00000000`00001000 ]\n") != NULL);
    CHECK(strstr(out.data, "   +0x010 Flags            : 0x35\n") != NULL);
    CHECK(strstr(out.data, "   +0x010 Low              : 0y0101\n") != NULL);
    CHECK(strstr(out.data, "   +0x014 Color            : 1 ( Red )\n") != NULL);
    CHECK(strstr(out.data, "   +0x018 Context          : (null) \n") != NULL);
    CHECK(strstr(out.data, "   +0x02e Name             : [10]  \"NT\"\n") != NULL);
    dd_strbuf_deinit(&out);
    struct dd_strbuf r1 = {0};
    dt_text(&f, "_THING", &mem, 0x1000, 1, &r1);
    CHECK(strstr(r1.data, "      +0x000 Quad             : 0n42\n") != NULL);
    CHECK(strstr(r1.data, "      +0x000 Low              : 0x2a\n") != NULL);
    dd_strbuf_deinit(&r1);
    fixture_close(&f);
}

TEST(isf_tpi_malformed)
{
    /* A type tree deeper than ISF_MAX_DEPTH is refused, not followed. */
    struct dd_strbuf doc = {0};
    struct dd_writer w = dd_writer_strbuf(&doc);
    dd_puts(&w, "{\"base_types\": {"
                "\"pointer\": {\"kind\": \"int\", \"size\": 8, \"signed\": false},"
                " \"int\": {\"kind\": \"int\", \"size\": 4, \"signed\": true}},"
                " \"user_types\": {\"_D\": {\"kind\": \"struct\", \"size\": 8, \"fields\": {"
                "\"p\": {\"offset\": 0, \"type\": ");
    for (int i = 0; i < ISF_MAX_DEPTH + 4; i++)
        dd_puts(&w, "{\"kind\": \"pointer\", \"subtype\": ");
    dd_puts(&w, "{\"kind\": \"base\", \"name\": \"int\"}");
    for (int i = 0; i < ISF_MAX_DEPTH + 4; i++)
        dd_puts(&w, "}");
    dd_puts(&w, "}}}}}");
    struct isf *isf = NULL;
    CHECK_OK(isf_open_memory((const uint8_t *)doc.data, doc.len, &isf));
    uint8_t *tpi = NULL;
    size_t size = 0;
    struct dd_error *err = isf_tpi_build(isf, 8, &tpi, &size);
    CHECK(err != NULL);
    CHECK(tpi == NULL);
    dd_error_destroy(err);
    isf_destroy(isf);
    dd_strbuf_deinit(&doc);
    /* An unknown type kind in a field. */
    static const char bad[] =
        "{\"base_types\": {}, \"user_types\": {\"_B\": {\"kind\": \"struct\", \"size\": 4,"
        " \"fields\": {\"x\": {\"offset\": 0, \"type\": {\"kind\": \"wat\"}}}}}}";
    CHECK_OK(isf_open_memory((const uint8_t *)bad, strlen(bad), &isf));
    err = isf_tpi_build(isf, 8, &tpi, &size);
    CHECK(err != NULL && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    isf_destroy(isf);
}

TEST(isf_tpi_corpus_ntkrnlmp)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("corpus not present");
        return;
    }
    char path[1024];
    snprintf(path, sizeof(path),
             "%s/kernel/jpcert-windows-symbol-tables/ntkrnlmp.pdb/"
             "5278AFF86C341677D7D7835C85B7B844-1.json.xz",
             dir);
    struct isf *isf = NULL;
    CHECK_OK(isf_open(path, &isf));
    if (!isf)
        return;
    uint8_t *tpi = NULL;
    size_t size = 0;
    struct pdb_types *types = NULL;
    CHECK_OK(isf_tpi_build(isf, 8, &tpi, &size));
    if (tpi)
        CHECK_OK(pdb_types_open_memory(tpi, size, &types));
    if (types) {
        /* MANIFEST: _EPROCESS is 2624 bytes and _KPRCB 44800 in this ISF. */
        uint32_t index = 0;
        uint64_t sz = 0;
        CHECK_OK(pdb_types_find_by_name(types, "_EPROCESS", 0, &index));
        CHECK_OK(pdb_types_size_of(types, index, &sz));
        CHECK_EQ(sz, 2624);
        CHECK_OK(pdb_types_find_by_name(types, "_KPRCB", 0, &index));
        CHECK_OK(pdb_types_size_of(types, index, &sz));
        CHECK_EQ(sz, 44800);
    }
    pdb_types_destroy(types);
    free(tpi);
    isf_destroy(isf);
}
