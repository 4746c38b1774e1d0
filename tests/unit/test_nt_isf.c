/*
 * Tests of the ISF reader (src/nt/isf.c). Expected values for the corpus file (JPCERT's
 * ntkrnlmp.pdb 5278AFF86C341677D7D7835C85B7B844-1.json.xz) come from shared/corpus/kernel/
 * MANIFEST.md: _EPROCESS 2624 bytes, _KPRCB 44800, and the symbol RVAs PsLoadedModuleList
 * 0xC2A390, PsActiveProcessHead 0xC1E200, KdDebuggerDataBlock 0xC00B20, KeBugCheckEx 0x3F5A80.
 * Small inline documents exercise the schema's corners.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "nt/isf.h"

static const char *corpus_isf_path(char *buf, size_t len)
{
    const char *dir = check_corpus_dir();
    if (!dir)
        return NULL;
    snprintf(buf, len,
             "%s/kernel/jpcert-windows-symbol-tables/ntkrnlmp.pdb/"
             "5278AFF86C341677D7D7835C85B7B844-1.json.xz",
             dir);
    return access(buf, R_OK) == 0 ? buf : NULL;
}

TEST(nt_isf_corpus_ntkrnlmp)
{
    char path[1024];
    if (!corpus_isf_path(path, sizeof(path))) {
        check_skip("corpus ISF not present");
        return;
    }
    struct isf *isf = NULL;
    CHECK_OK(isf_open(path, &isf));
    if (!isf)
        return;
    const struct isf_metadata *meta = isf_get_metadata(isf);
    CHECK(meta->has_pdb);
    CHECK_STR(meta->guid, "5278AFF86C341677D7D7835C85B7B844");
    CHECK_EQ(meta->age, 1);
    CHECK_STR(meta->pdb_name, "ntkrnlmp.pdb");
    CHECK_EQ(meta->machine_type, 0x8664);
    uint64_t v;
    CHECK_OK(isf_struct_size(isf, "_EPROCESS", &v));
    CHECK_EQ(v, 2624);
    CHECK_OK(isf_struct_size(isf, "_KPRCB", &v));
    CHECK_EQ(v, 44800);
    CHECK_OK(isf_symbol_rva(isf, "PsLoadedModuleList", &v));
    CHECK_EQ(v, 0xc2a390);
    CHECK_OK(isf_symbol_rva(isf, "PsActiveProcessHead", &v));
    CHECK_EQ(v, 0xc1e200);
    CHECK_OK(isf_symbol_rva(isf, "KdDebuggerDataBlock", &v));
    CHECK_EQ(v, 0xc00b20);
    CHECK_OK(isf_symbol_rva(isf, "KeBugCheckEx", &v));
    CHECK_EQ(v, 0x3f5a80);
    CHECK_OK(isf_symbol_rva(isf, "MmPfnDatabase", &v));
    CHECK_EQ(v, 0xcfc500);
    /* The triage dump's own KDBG names these offsets for the same kernel. */
    CHECK_OK(isf_field_offset(isf, "_EPROCESS.Pcb.DirectoryTableBase", &v));
    CHECK_EQ(v, 0x28);
    CHECK_OK(isf_field_offset(isf, "_EPROCESS.Peb", &v));
    CHECK_EQ(v, 0x550);
    CHECK_OK(isf_field_offset(isf, "_KTHREAD.ApcState.Process", &v));
    CHECK_EQ(v, 0xb8);
    CHECK_OK(isf_field_offset(isf, "_KPRCB.ProcessorState.ContextFrame", &v));
    CHECK_EQ(v, 0x1f0);
    struct isf_field f;
    CHECK_OK(isf_field_lookup(isf, "_EPROCESS.ImageFileName", &f));
    CHECK_EQ(f.type.kind, ISF_KIND_ARRAY);
    CHECK_EQ(f.type.count, 15);
    CHECK_OK(isf_type_size(isf, &f.type, &v));
    CHECK_EQ(v, 15);
    CHECK_OK(isf_field_lookup(isf, "_KTHREAD.Alertable", &f));
    CHECK_EQ(f.type.kind, ISF_KIND_BITFIELD);
    CHECK_EQ(f.type.bit_length, 1);
    CHECK_OK(isf_field_lookup(isf, "_EPROCESS.UniqueProcessId", &f));
    CHECK_EQ(f.type.kind, ISF_KIND_POINTER);
    CHECK_OK(isf_type_size(isf, &f.type, &v));
    CHECK_EQ(v, 8);
    const char *name;
    CHECK_OK(isf_enum_name(isf, "_KWAIT_REASON", 15, &name));
    CHECK_STR(name, "WrQueue");
    int64_t e;
    CHECK_OK(isf_enum_value(isf, "_KTHREAD_STATE", "Waiting", &e));
    CHECK_EQ(e, 5);
    struct dd_error *err = isf_field_offset(isf, "_EPROCESS.NoSuchField", &v);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    err = isf_field_offset(isf, "_EPROCESS.Peb.Ldr", &v); /* through a pointer: refused */
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    size_t nt, ns, ne, nb;
    isf_counts(isf, &nt, &ns, &ne, &nb);
    CHECK(nt > 1000 && ns > 10000 && ne > 100 && nb > 5);
    isf_destroy(isf);
}

static const char small_isf[] =
    "{\"metadata\": {\"format\": \"6.1.0\"},"
    " \"base_types\": {\"pointer\": {\"kind\": \"int\", \"size\": 4, \"signed\": false,"
    "   \"endian\": \"little\"}, \"unsigned long\": {\"kind\": \"int\", \"size\": 4,"
    "   \"signed\": false, \"endian\": \"little\"}, \"unsigned char\": {\"kind\": \"char\","
    "   \"size\": 1, \"signed\": false, \"endian\": \"little\"}},"
    " \"user_types\": {"
    "  \"_OUTER\": {\"kind\": \"struct\", \"size\": 64, \"fields\": {"
    "    \"Inner\": {\"offset\": 16, \"type\": {\"kind\": \"struct\", \"name\": \"_INNER\"}},"
    "    \"Ptr\": {\"offset\": 4, \"type\": {\"kind\": \"pointer\", \"subtype\":"
    "       {\"kind\": \"struct\", \"name\": \"_INNER\"}}},"
    "    \"Arr\": {\"offset\": 32, \"type\": {\"kind\": \"array\", \"count\": 3, \"subtype\":"
    "       {\"kind\": \"struct\", \"name\": \"_INNER\"}}},"
    "    \"Bad\": {\"offset\": -1, \"type\": {\"kind\": \"base\", \"name\": \"unsigned long\"}},"
    "    \"Odd\": {\"offset\": 1, \"type\": {\"kind\": \"mystery\"}},"
    "    \"E\": {\"offset\": 8, \"type\": {\"kind\": \"enum\", \"name\": \"_COLOR\"}}}},"
    "  \"_INNER\": {\"kind\": \"union\", \"size\": 8, \"fields\": {"
    "    \"Flags\": {\"offset\": 4, \"type\": {\"kind\": \"bitfield\", \"bit_position\": 3,"
    "       \"bit_length\": 2, \"type\": {\"kind\": \"base\", \"name\": \"unsigned long\"}}},"
    "    \"Byte\": {\"offset\": 1, \"type\": {\"kind\": \"base\", \"name\": \"unsigned char\"}}}}},"
    " \"enums\": {\"_COLOR\": {\"base\": \"int\", \"size\": 4, \"constants\":"
    "   {\"Red\": 0, \"Green\": 1, \"Verde\": 1}}},"
    " \"symbols\": {\"Foo\": {\"address\": 4096}, \"Bar\": {\"address\": \"x\"}}}";

TEST(nt_isf_small_document)
{
    struct isf *isf = NULL;
    CHECK_OK(isf_open_memory((const uint8_t *)small_isf, sizeof(small_isf) - 1, &isf));
    if (!isf)
        return;
    CHECK(!isf_get_metadata(isf)->has_pdb);
    struct isf_field f;
    CHECK_OK(isf_field_lookup(isf, "_OUTER.Inner.Flags", &f));
    CHECK_EQ(f.offset, 20);
    CHECK_EQ(f.type.kind, ISF_KIND_BITFIELD);
    CHECK_EQ(f.type.bit_position, 3);
    CHECK_EQ(f.type.bit_length, 2);
    uint64_t v;
    CHECK_OK(isf_type_size(isf, &f.type, &v));
    CHECK_EQ(v, 4);
    struct isf_type sub;
    CHECK_OK(isf_type_subtype(isf, &f.type, &sub));
    CHECK_EQ(sub.kind, ISF_KIND_BASE);
    CHECK_STR(sub.name, "unsigned long");
    CHECK_OK(isf_field_lookup(isf, "_OUTER.Arr", &f));
    CHECK_OK(isf_type_size(isf, &f.type, &v));
    CHECK_EQ(v, 24);
    CHECK_OK(isf_field_lookup(isf, "_OUTER.Ptr", &f));
    CHECK_OK(isf_type_size(isf, &f.type, &v));
    CHECK_EQ(v, 4);
    CHECK_OK(isf_field_lookup(isf, "_OUTER.E", &f));
    CHECK_OK(isf_type_size(isf, &f.type, &v));
    CHECK_EQ(v, 4);
    const char *name;
    CHECK_OK(isf_enum_name(isf, "_COLOR", 1, &name));
    CHECK_STR(name, "Green"); /* the alphabetically first of the equal constants */
    struct dd_error *err = isf_field_lookup(isf, "_OUTER.Bad", &f);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    err = isf_field_lookup(isf, "_OUTER.Odd", &f);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    err = isf_field_lookup(isf, "_OUTER.Ptr.Byte", &f);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    err = isf_field_lookup(isf, "_OUTER", &f);
    CHECK(err && err->code == DD_ERR_SYNTAX);
    dd_error_destroy(err);
    CHECK_OK(isf_symbol_rva(isf, "Foo", &v));
    CHECK_EQ(v, 4096);
    err = isf_symbol_rva(isf, "Bar", &v);
    CHECK(err && err->code == DD_ERR_FORMAT);
    dd_error_destroy(err);
    err = isf_symbol_rva(isf, "Baz", &v);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    isf_destroy(isf);
}

TEST(nt_isf_malformed_documents)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{\"user_types\": {}}",                          /* no base_types */
        "{\"user_types\": [], \"base_types\": {}}",      /* wrong section type */
        "{\"user_types\": {\"x\": 5}, \"base_types\": {}}", /* an entry is not an object */
        "{\"user_types\": {}, \"base_types\": {}",       /* truncated */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct isf *isf = NULL;
        struct dd_error *err = isf_open_memory((const uint8_t *)bad[i], strlen(bad[i]), &isf);
        CHECK(err != NULL);
        CHECK(isf == NULL);
        dd_error_destroy(err);
    }
    /* A deep array chain is bounded. */
    char deep[8192];
    size_t n = (size_t)snprintf(deep, sizeof(deep),
                                "{\"base_types\": {}, \"user_types\": {\"_T\": {\"kind\": "
                                "\"struct\", \"size\": 1, \"fields\": {\"A\": {\"offset\": 0, "
                                "\"type\": ");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(deep + n, sizeof(deep) - n,
                              "{\"kind\": \"array\", \"count\": 2, \"subtype\": ");
    n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{\"kind\": \"function\"}");
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(deep + n, sizeof(deep) - n, "}");
    n += (size_t)snprintf(deep + n, sizeof(deep) - n, "}}}}}");
    struct isf *isf = NULL;
    CHECK_OK(isf_open_memory((const uint8_t *)deep, n, &isf));
    if (isf) {
        struct isf_field f;
        CHECK_OK(isf_field_lookup(isf, "_T.A", &f));
        uint64_t v;
        struct dd_error *err = isf_type_size(isf, &f.type, &v);
        CHECK(err && err->code == DD_ERR_FORMAT);
        dd_error_destroy(err);
        isf_destroy(isf);
    }
}

TEST(nt_isf_find_on_symbol_path)
{
    char path[1024];
    if (!corpus_isf_path(path, sizeof(path))) {
        check_skip("corpus ISF not present");
        return;
    }
    const char *dir = check_corpus_dir();
    /* 5278AFF8-6C34-1677-D7D7-835C85B7B844 in the stored (mixed-endian) byte order. */
    static const uint8_t guid[16] = {0xf8, 0xaf, 0x78, 0x52, 0x34, 0x6c, 0x77, 0x16,
                                     0xd7, 0xd7, 0x83, 0x5c, 0x85, 0xb7, 0xb8, 0x44};
    char sympath[1200];
    snprintf(sympath, sizeof(sympath), "/nonexistent/dir;%s/kernel/jpcert-windows-symbol-tables",
             dir);
    char *found = NULL;
    CHECK_OK(isf_find(sympath, "ntkrnlmp.pdb", guid, 1, &found));
    CHECK_STR(found, path);
    free(found);
    struct dd_error *err = isf_find(sympath, "ntkrnlmp.pdb", guid, 2, &found);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    err = isf_find("", "ntkrnlmp.pdb", guid, 1, &found);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    err = isf_find(sympath, "../x", guid, 1, &found);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
}

TEST(nt_isf_find_by_symbol_addresses)
{
    char path[1024];
    if (!corpus_isf_path(path, sizeof(path))) {
        check_skip("corpus ISF not present");
        return;
    }
    char sympath[1200];
    snprintf(sympath, sizeof(sympath), "%s/kernel/jpcert-windows-symbol-tables",
             check_corpus_dir());
    /* The triage dump's header addresses minus its kernel base (MANIFEST.md). */
    const struct isf_symbol_check good[] = {{"PsLoadedModuleList", 0xc2a390},
                                            {"PsActiveProcessHead", 0xc1e200},
                                            {"KdDebuggerDataBlock", 0xc00b20}};
    char *found = NULL;
    CHECK_OK(isf_find_by_symbols(sympath, "ntkrnlmp.pdb", good, 3, &found));
    CHECK_STR(found, path);
    free(found);
    const struct isf_symbol_check bad[] = {{"PsLoadedModuleList", 0xc2a390},
                                           {"PsActiveProcessHead", 0xc1e208}};
    struct dd_error *err = isf_find_by_symbols(sympath, "ntkrnlmp.pdb", bad, 2, &found);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    err = isf_find_by_symbols(sympath, "ntkrnlmp.pdb", good, 1, &found); /* one is too weak */
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
}
