/*
 * ISF files as nt's symbol source (src/sym/symbols_isf.c) over the generated triage dump
 * tests/fixtures/dumps/kernel/x64_triage.dmp (its description, x64_triage.txt: nt at
 * fffff804`12000000 size 0x1046000, PsLoadedModuleList fffff804`12600000, PsActiveProcessHead
 * fffff804`12700000, KdDebuggerDataBlock fffff804`12500000, no PDB identity for nt) with a
 * hand-written ISF file put on the symbol path; every expected address is read off the document
 * below. The real dump and ISF are covered by tests/golden/isf_triage_x64.t.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/target.h"
#include "dump/dump.h"
#include "pdb/tpi.h"
#include "sym/symbols.h"

#define NT_BASE 0xfffff80412000000ull

static const char isf_doc[] =
    "{\"metadata\": {\"format\": \"6.1.0\"},"
    " \"base_types\": {\"pointer\": {\"kind\": \"int\", \"size\": 8, \"signed\": false},"
    "   \"unsigned long\": {\"kind\": \"int\", \"size\": 4, \"signed\": false}},"
    " \"user_types\": {\"_KSPIN\": {\"kind\": \"struct\", \"size\": 4, \"fields\": {"
    "   \"Value\": {\"offset\": 0, \"type\": {\"kind\": \"base\", \"name\": \"unsigned long\"}}}}},"
    " \"enums\": {},"
    " \"symbols\": {"
    "  \"PsLoadedModuleList\": {\"address\": 6291456},"      /* 0x600000 */
    "  \"PsActiveProcessHead\": {\"address\": 7340032},"     /* 0x700000 */
    "  \"KdDebuggerDataBlock\": {\"address\": 5242880},"     /* 0x500000 */
    "  \"KeBugCheckEx\": {\"address\": 4096},"               /* 0x1000 */
    "  \"$$5\": {\"address\": 4096},"                        /* a label at the same address */
    "  \"KiAbsolute\": {\"address\": 18446735294887882752}," /* fffff804`12003000: past 2^53 */
    "  \"?Decorated@@YAXXZ\": {\"address\": 16384},"         /* 0x4000 */
    "  \"Outside\": {\"address\": 33554432}}}";              /* 0x2000000: past the image */

struct isf_env {
    char dir[64];
    char file[256];
    struct target *t;
    struct symbols *s;
    long nt;
};

static bool env_open(struct isf_env *e, bool with_isf)
{
    memset(e, 0, sizeof(*e));
    e->nt = -1;
    snprintf(e->dir, sizeof(e->dir), "/tmp/dd-isf-XXXXXX");
    if (!mkdtemp(e->dir)) {
        CHECK(!"mkdtemp");
        return false;
    }
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/ntkrnlmp.pdb", e->dir);
    CHECK(mkdir(sub, 0755) == 0);
    snprintf(e->file, sizeof(e->file), "%s/00112233445566778899AABBCCDDEEFF-1.json", sub);
    if (with_isf) {
        FILE *f = fopen(e->file, "w");
        CHECK(f != NULL);
        if (!f)
            return false;
        fputs(isf_doc, f);
        fclose(f);
    }
    char path[1024];
    snprintf(path, sizeof(path), "%s/dumps/kernel/x64_triage.dmp", check_fixtures_dir());
    CHECK_OK(dump_open(path, &e->t));
    if (!e->t)
        return false;
    CHECK_OK(symbols_create(e->t, &e->s));
    if (!e->s)
        return false;
    CHECK_OK(symbols_set_path(e->s, e->dir));
    for (size_t i = 0; i < e->t->nmodules; i++)
        if (e->t->modules[i].base == NT_BASE)
            e->nt = (long)i;
    CHECK(e->nt >= 0);
    return e->nt >= 0;
}

static void env_close(struct isf_env *e)
{
    symbols_destroy(e->s);
    target_destroy(e->t);
    unlink(e->file);
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/ntkrnlmp.pdb", e->dir);
    rmdir(sub);
    rmdir(e->dir);
}

struct iter_probe {
    int count;
    uint64_t addr;
    char name[64];
};

static bool iter_cb(void *ctx, size_t module, const char *name, uint64_t addr, uint64_t size)
{
    struct iter_probe *p = ctx;
    p->count++;
    p->addr = addr;
    snprintf(p->name, sizeof(p->name), "%s", name);
    return true;
}

TEST(symbols_isf_names_nt)
{
    struct isf_env e;
    if (!env_open(&e, true)) {
        env_close(&e);
        return;
    }
    struct symbols_hit hit;
    CHECK_OK(symbols_find_by_addr(e.s, NT_BASE + 0x1010, &hit));
    CHECK_EQ(symbols_module_state(e.s, (size_t)e.nt), SYMBOLS_ISF);
    CHECK_STR(symbols_module_file(e.s, (size_t)e.nt), e.file);
    CHECK(hit.has_name);
    /* KeBugCheckEx wins over the label "$$5" at the same address. */
    CHECK_STR(hit.name, "KeBugCheckEx");
    CHECK_EQ(hit.addr, NT_BASE + 0x1000);
    CHECK_EQ(hit.disp, 0x10);
    /* A JSON number past 2^53 is not exact in the parser (a double): such an absolute 64-bit
     * address is refused rather than rounded, so the nearest symbol stays KeBugCheckEx. */
    CHECK_OK(symbols_find_by_addr(e.s, NT_BASE + 0x3004, &hit));
    CHECK_STR(hit.name, "KeBugCheckEx");
    /* Decorated public names are undecorated, as PDB publics are. */
    CHECK_OK(symbols_find_by_addr(e.s, NT_BASE + 0x4000, &hit));
    CHECK_STR(hit.name, "Decorated");
    CHECK_EQ(hit.disp, 0);
    /* Below the first symbol: only the module. */
    CHECK_OK(symbols_find_by_addr(e.s, NT_BASE + 0x800, &hit));
    CHECK(!hit.has_name);

    uint64_t a = 0;
    CHECK_OK(symbols_find_by_name(e.s, "nt!KeBugCheckEx", &a));
    CHECK_EQ(a, NT_BASE + 0x1000);
    CHECK(symbols_find_by_name(e.s, "nt!KiAbsolute", &a) != NULL);
    CHECK_OK(symbols_find_by_name(e.s, "nt!PsLoadedModuleList", &a));
    CHECK_EQ(a, NT_BASE + 0x600000);
    CHECK_OK(symbols_find_by_name(e.s, "nt!Decorated", &a));
    CHECK_EQ(a, NT_BASE + 0x4000);
    CHECK(symbols_find_by_name(e.s, "nt!Outside", &a) != NULL);

    struct iter_probe p = {0, 0, ""};
    CHECK_OK(symbols_iterate(e.s, "nt", "KeBug*", iter_cb, &p));
    CHECK_EQ(p.count, 1);
    CHECK_STR(p.name, "KeBugCheckEx");
    CHECK_EQ(p.addr, NT_BASE + 0x1000);

    /* The file's types, made once and kept. */
    struct pdb_types *types = symbols_module_isf_types(e.s, (size_t)e.nt);
    CHECK(types != NULL);
    CHECK(symbols_module_isf_types(e.s, (size_t)e.nt) == types);
    uint32_t index = 0;
    if (types)
        CHECK_OK(pdb_types_find_by_name(types, "_KSPIN", 0, &index));
    CHECK(symbols_module_isf(e.s, (size_t)e.nt) != NULL);

    /* .reload drops it and finds it again. */
    symbols_module_reload(e.s, (size_t)e.nt, true);
    CHECK_EQ(symbols_module_state(e.s, (size_t)e.nt), SYMBOLS_ISF);
    env_close(&e);
}

TEST(symbols_isf_absent)
{
    struct isf_env e;
    if (!env_open(&e, false)) {
        env_close(&e);
        return;
    }
    struct symbols_hit hit;
    CHECK_OK(symbols_find_by_addr(e.s, NT_BASE + 0x1010, &hit));
    CHECK(!hit.has_name);
    CHECK(symbols_module_state(e.s, (size_t)e.nt) != SYMBOLS_ISF);
    CHECK(symbols_module_isf_types(e.s, (size_t)e.nt) == NULL);
    env_close(&e);
}
