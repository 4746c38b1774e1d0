/*
 * The PE image parser (src/pe) against independent facts:
 * - tests/fixtures/pe/NAME.expect, written by tests/fixtures/gen/pe_facts.py from llvm-readobj-16
 *   and llvm-objdump-16 output (and the .rc source for the version resource), for the images of
 *   tests/fixtures/pe/ and the .exe files of tests/fixtures/dumps/;
 * - the PDB GUID of tests/fixtures/dumps/NAME.expect (llvm-pdbutil on the PDB);
 * - the symbol-store key examples of the SSQP key conventions (dotnet/symstore).
 * Each image is read as a file, through a reader serving the mapped layout (built here from the
 * llvm section facts), through a reader holding only the first page, and from the real crash
 * dump's memory. Malformed copies must give errors or partial results, never crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/mapfile.h"
#include "check.h"
#include "core/target.h"
#include "dump/dump.h"
#include "pe/pe_debug.h"
#include "pe/pe_exports.h"
#include "pe/pe_image.h"
#include "pe/pe_pdata.h"
#include "pe/pe_resource.h"
#include "pe/pe_version.h"

/* --- the .expect files ------------------------------------------------------------------ */

struct fact {
    char *key;
    char *value;
};

struct facts {
    struct fact *v;
    size_t n;
    char *text;
};

static bool facts_load(const char *path, struct facts *ret)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    struct facts fs = {NULL, 0, calloc(1, (size_t)size + 1)};
    if (!fs.text || fread(fs.text, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(fs.text);
        return false;
    }
    fclose(f);
    size_t cap = 0;
    for (char *line = strtok(fs.text, "\n"); line; line = strtok(NULL, "\n")) {
        char *colon = strstr(line, ": ");
        if (line[0] == '#' || !colon)
            continue;
        if (fs.n == cap) {
            cap = cap ? cap * 2 : 64;
            fs.v = realloc(fs.v, cap * sizeof(*fs.v));
        }
        *colon = '\0';
        fs.v[fs.n].key = line;
        fs.v[fs.n].value = colon + 2;
        fs.n++;
    }
    *ret = fs;
    return true;
}

static void facts_free(struct facts *fs)
{
    free(fs->v);
    free(fs->text);
}

/* The value of the first fact KEY, or NULL. */
static const char *fact(const struct facts *fs, const char *key)
{
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->v[i].key, key) == 0)
            return fs->v[i].value;
    return NULL;
}

static uint64_t fact_hex(const struct facts *fs, const char *key)
{
    const char *v = fact(fs, key);
    if (!v) {
        check_fail(__FILE__, __LINE__, "no fact %s", key);
        return 0;
    }
    return strtoull(v, NULL, 16);
}

/* How many facts KEY there are. */
static size_t facts_count(const struct facts *fs, const char *key)
{
    size_t n = 0;
    for (size_t i = 0; i < fs->n; i++)
        n += strcmp(fs->v[i].key, key) == 0;
    return n;
}

/* The value of the IDX-th fact KEY, or NULL. */
static const char *fact_nth(const struct facts *fs, const char *key, size_t idx)
{
    for (size_t i = 0; i < fs->n; i++)
        if (strcmp(fs->v[i].key, key) == 0 && idx-- == 0)
            return fs->v[i].value;
    return NULL;
}

static bool expect_load(const char *name, struct facts *ret)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/pe/%s.expect", check_fixtures_dir(), name);
    if (!facts_load(path, ret)) {
        check_fail(__FILE__, __LINE__, "cannot read %s", path);
        return false;
    }
    return true;
}

static void fixture_path(char *buf, size_t len, const char *dir, const char *name)
{
    snprintf(buf, len, "%s/%s/%s", check_fixtures_dir(), dir, name);
}

/* --- checks against the facts ---------------------------------------------------------- */

static void check_headers(const struct pe_image *img, const struct facts *fs)
{
    const struct pe_headers *h = &img->hdr;
    CHECK_EQ(h->machine, fact_hex(fs, "machine"));
    CHECK_EQ(h->number_of_sections, fact_hex(fs, "section_count"));
    CHECK_EQ(h->timestamp, fact_hex(fs, "timestamp"));
    CHECK_EQ(h->optional_header_size, fact_hex(fs, "optional_header_size"));
    CHECK_EQ(h->magic, fact_hex(fs, "magic"));
    CHECK_EQ(h->is_64, h->magic == 0x20b);
    CHECK_EQ(h->linker_major, fact_hex(fs, "linker_major"));
    CHECK_EQ(h->linker_minor, fact_hex(fs, "linker_minor"));
    CHECK_EQ(h->size_of_code, fact_hex(fs, "size_of_code"));
    CHECK_EQ(h->entry_point, fact_hex(fs, "entry_point"));
    CHECK_EQ(h->base_of_code, fact_hex(fs, "base_of_code"));
    CHECK_EQ(h->image_base, fact_hex(fs, "image_base"));
    CHECK_EQ(h->section_alignment, fact_hex(fs, "section_alignment"));
    CHECK_EQ(h->file_alignment, fact_hex(fs, "file_alignment"));
    CHECK_EQ(h->os_major, fact_hex(fs, "os_major"));
    CHECK_EQ(h->os_minor, fact_hex(fs, "os_minor"));
    CHECK_EQ(h->subsystem_major, fact_hex(fs, "subsystem_major"));
    CHECK_EQ(h->subsystem_minor, fact_hex(fs, "subsystem_minor"));
    CHECK_EQ(h->size_of_image, fact_hex(fs, "size_of_image"));
    CHECK_EQ(h->size_of_headers, fact_hex(fs, "size_of_headers"));
    CHECK_EQ(h->checksum, fact_hex(fs, "checksum"));
    CHECK_EQ(h->subsystem, fact_hex(fs, "subsystem"));
    CHECK_EQ(h->stack_reserve, fact_hex(fs, "stack_reserve"));
    CHECK_EQ(h->number_of_rva_and_sizes, fact_hex(fs, "number_of_rva_and_sizes"));
    CHECK_EQ(h->characteristics, fact_hex(fs, "characteristics"));
    CHECK_EQ(h->dll_characteristics, fact_hex(fs, "dll_characteristics"));
    CHECK_EQ(facts_count(fs, "dir"), PE_DIR_COUNT);
    for (size_t i = 0; i < facts_count(fs, "dir"); i++) {
        unsigned idx;
        unsigned long long rva, size;
        CHECK(sscanf(fact_nth(fs, "dir", i), "%u %llx %llx", &idx, &rva, &size) == 3);
        struct pe_data_dir d = pe_image_dir(img, idx);
        CHECK_EQ(d.rva, rva);
        CHECK_EQ(d.size, size);
    }
    CHECK_EQ(img->nsections, facts_count(fs, "section"));
    for (size_t i = 0; i < img->nsections && i < facts_count(fs, "section"); i++) {
        char name[16];
        unsigned long long va, vsize, raw, rawsize, flags;
        CHECK(sscanf(fact_nth(fs, "section", i), "%15s %llx %llx %llx %llx %llx", name, &va,
                     &vsize, &raw, &rawsize, &flags) == 6);
        const struct pe_section *s = &img->sections[i];
        CHECK_STR(s->name, name);
        CHECK_EQ(s->virtual_address, va);
        CHECK_EQ(s->virtual_size, vsize);
        CHECK_EQ(s->raw_offset, raw);
        CHECK_EQ(s->raw_size, rawsize);
        CHECK_EQ(s->characteristics, flags);
        CHECK(pe_image_section_by_rva(img, (uint32_t)va) == s);
        CHECK(pe_image_section_by_rva(img, (uint32_t)(va + vsize - 1)) == s);
    }
}

static void hex_bytes(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02X", p[i]);
}

static void check_debug(struct pe_image *img, const struct facts *fs)
{
    const struct pe_debug_info *info = NULL;
    CHECK_OK(pe_debug_get(img, &info));
    if (!info)
        return;
    CHECK_EQ(info->count, facts_count(fs, "debug"));
    bool repro = false;
    for (size_t i = 0; i < info->count && i < facts_count(fs, "debug"); i++) {
        unsigned long long type, size, rva, off;
        CHECK(sscanf(fact_nth(fs, "debug", i), "%llx %llx %llx %llx", &type, &size, &rva, &off) ==
              4);
        CHECK_EQ(info->entries[i].type, type);
        CHECK_EQ(info->entries[i].size, size);
        CHECK_EQ(info->entries[i].rva, rva);
        CHECK_EQ(info->entries[i].file_offset, off);
        repro |= type == PE_DEBUG_TYPE_REPRO;
    }
    CHECK_EQ(info->has_repro, repro);
    const char *cv = fact(fs, "codeview");
    if (!cv) {
        CHECK_EQ(info->codeview.kind, PE_CV_NONE);
        return;
    }
    char guid[40], path[256];
    unsigned age;
    CHECK(sscanf(cv, "RSDS %39s %x %255s", guid, &age, path) == 3);
    CHECK_EQ(info->codeview.kind, PE_CV_RSDS);
    char got[40];
    hex_bytes(got, info->codeview.guid, 16);
    CHECK_STR(got, guid);
    CHECK_EQ(info->codeview.age, age);
    CHECK_STR(info->codeview.pdb_path, path);
}

/* Facts "export: ORD RVA NAME" with RVA 0 are unused slots, which the parser leaves out. */
static void check_exports(struct pe_image *img, const struct facts *fs)
{
    const struct pe_exports *ex = NULL;
    CHECK_OK(pe_exports_get(img, &ex));
    if (!ex)
        return;
    CHECK_STR(ex->dll_name, fact(fs, "export_dll"));
    CHECK_EQ(ex->ordinal_base, fact_hex(fs, "export_base"));
    size_t want = facts_count(fs, "export_forward"), named = 0;
    for (size_t i = 0; i < facts_count(fs, "export"); i++) {
        unsigned ord;
        unsigned long long rva;
        char name[128];
        CHECK(sscanf(fact_nth(fs, "export", i), "%x %llx %127s", &ord, &rva, name) == 3);
        if (rva == 0) {
            CHECK(pe_exports_find_by_ordinal(ex, ord) == NULL);
            continue;
        }
        want++;
        const struct pe_export *e = pe_exports_find_by_ordinal(ex, ord);
        CHECK(e != NULL);
        if (!e)
            continue;
        CHECK_EQ(e->rva, rva);
        CHECK(e->forwarder == NULL);
        if (strcmp(name, "-") == 0) {
            CHECK(e->name == NULL);
        } else {
            named++;
            CHECK_STR(e->name, name);
            CHECK(pe_exports_find_by_name(ex, name) == e);
        }
        /* The nearest export at or below RVA and 1 past it has RVA RVA (aliases share it). */
        const struct pe_export *near = pe_exports_find_by_rva(ex, (uint32_t)rva);
        CHECK(near && near->rva == rva);
        near = pe_exports_find_by_rva(ex, (uint32_t)rva + 1);
        CHECK(near && near->rva == rva);
    }
    for (size_t i = 0; i < facts_count(fs, "export_forward"); i++) {
        unsigned ord;
        char name[128], target[256];
        CHECK(sscanf(fact_nth(fs, "export_forward", i), "%x %127s %255s", &ord, name, target) == 3);
        const struct pe_export *e = pe_exports_find_by_name(ex, name);
        CHECK(e != NULL);
        if (!e)
            continue;
        named++;
        CHECK_EQ(e->ordinal, ord);
        CHECK_STR(e->forwarder, target);
        CHECK(pe_exports_find_by_rva(ex, e->rva) != e); /* forwarders are not code */
    }
    CHECK_EQ(ex->count, want);
    CHECK_EQ(ex->unreadable_names, 0);
    CHECK(pe_exports_find_by_name(ex, "no_such_export") == NULL);
    CHECK(pe_exports_find_by_rva(ex, 0) == NULL);
}

static int count_cb(void *ctx, const struct pe_export *e)
{
    (*(size_t *)ctx)++;
    return 0;
}

static void check_pdata(struct pe_image *img, const struct facts *fs)
{
    const struct pe_pdata *t = NULL;
    size_t nx64 = facts_count(fs, "pdata_x64");
    size_t npacked = facts_count(fs, "pdata_packed"), nxdata = facts_count(fs, "pdata_xdata");
    struct dd_error *err = pe_pdata_get(img, &t);
    if (nx64 + npacked + nxdata == 0) {
        CHECK(err != NULL && err->code == DD_ERR_NOT_FOUND);
        dd_error_destroy(err);
        return;
    }
    CHECK_OK(err);
    if (!t)
        return;
    CHECK_EQ(t->count, nx64 + npacked + nxdata);
    CHECK(t->sorted_in_image);
    CHECK_EQ(t->missing, 0);
    bool arm = img->hdr.machine == PE_MACHINE_ARMNT;
    for (size_t i = 0; i < nx64; i++) {
        unsigned long long b, e, u;
        CHECK(sscanf(fact_nth(fs, "pdata_x64", i), "%llx %llx %llx", &b, &e, &u) == 3);
        CHECK_EQ(t->kind, PE_PDATA_X64);
        CHECK_EQ(t->entries[i].begin, b);
        CHECK_EQ(t->entries[i].end, e);
        CHECK_EQ(t->entries[i].unwind_rva, u);
        struct pe_pdata_entry got = {0};
        CHECK_OK(pe_pdata_lookup(img, (uint32_t)b, &got));
        CHECK_EQ(got.begin, b);
        CHECK_OK(pe_pdata_lookup(img, (uint32_t)e - 1, &got));
        CHECK_EQ(got.begin, b);
        CHECK_EQ(got.unwind_rva, u);
        /* UNWIND_INFO version 1 in the low 3 bits of its first byte. */
        uint8_t ui[4];
        CHECK_EQ(pe_image_read_rva(img, (uint32_t)u, ui, 4), 4);
        CHECK_EQ(ui[0] & 7, 1);
    }
    /* ARM/ARM64 facts come in table order, packed and .xdata mixed: match by begin. */
    for (size_t i = 0; i < npacked + nxdata; i++) {
        bool packed = i < npacked;
        const char *v = fact_nth(fs, packed ? "pdata_packed" : "pdata_xdata", packed ? i : i - npacked);
        unsigned long long b, x = 0, len;
        int frag = 0;
        if (packed)
            CHECK(sscanf(v, "%llx %llx %d", &b, &len, &frag) == 3);
        else
            CHECK(sscanf(v, "%llx %llx %llx", &b, &x, &len) == 3);
        if (arm)
            b &= ~1ull; /* llvm prints the Thumb bit */
        struct pe_pdata_entry got = {0};
        CHECK_OK(pe_pdata_lookup(img, (uint32_t)b, &got));
        CHECK_EQ(got.begin, b);
        CHECK_EQ(got.end, b + len);
        CHECK_EQ(got.flag, packed ? (frag ? 2 : 1) : 0);
        CHECK_EQ(got.unwind_rva, x);
        CHECK_OK(pe_pdata_lookup(img, (uint32_t)(b + len - 2), &got));
        CHECK_EQ(got.begin, b);
        struct dd_error *e2 = pe_pdata_lookup(img, (uint32_t)(b + len), &got);
        CHECK(e2 == NULL ? got.begin == b + len : e2->code == DD_ERR_NOT_FOUND);
        dd_error_destroy(e2);
    }
    struct pe_pdata_entry none;
    err = pe_pdata_lookup(img, 0, &none);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
}

static void check_version(struct pe_image *img, const struct facts *fs)
{
    const struct pe_version_info *v = NULL;
    struct pe_resource res;
    const char *rf = fact(fs, "resource");
    if (!rf) {
        struct dd_error *err = pe_version_get(img, &v);
        CHECK(err && err->code == DD_ERR_NOT_FOUND);
        dd_error_destroy(err);
        return;
    }
    unsigned type, name, lang;
    unsigned long long rva, size, cp;
    CHECK(sscanf(rf, "%x %x %x %llx %llx %llx", &type, &name, &lang, &rva, &size, &cp) == 6);
    CHECK_OK(pe_resource_find(img, type, &res));
    CHECK_EQ(res.rva, rva);
    CHECK_EQ(res.size, size);
    CHECK_EQ(res.codepage, cp);
    CHECK_EQ(res.name_id, name);
    CHECK_EQ(res.language, lang);
    struct dd_error *err = pe_resource_find(img, 3 /* RT_ICON */, &res);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);

    CHECK_OK(pe_version_get(img, &v));
    if (!v)
        return;
    unsigned long long fv, pv, mask, flags, os, ftype, sub;
    CHECK(sscanf(fact(fs, "version_fixed"), "%llx.%*x %llx.%*x %llx %llx %llx %llx %llx", &fv, &pv,
                 &mask, &flags, &os, &ftype, &sub) == 7);
    unsigned long long fvl, pvl;
    CHECK(sscanf(fact(fs, "version_fixed"), "%*x.%llx %*x.%llx", &fvl, &pvl) == 2);
    CHECK(v->has_fixed);
    CHECK_EQ(v->fixed.signature, 0xfeef04bd);
    CHECK_EQ(v->fixed.file_version_ms, fv);
    CHECK_EQ(v->fixed.file_version_ls, fvl);
    CHECK_EQ(v->fixed.product_version_ms, pv);
    CHECK_EQ(v->fixed.product_version_ls, pvl);
    CHECK_EQ(v->fixed.file_flags_mask, mask);
    CHECK_EQ(v->fixed.file_flags, flags);
    CHECK_EQ(v->fixed.file_os, os);
    CHECK_EQ(v->fixed.file_type, ftype);
    CHECK_EQ(v->fixed.file_subtype, sub);
    CHECK(!v->truncated);
    /* Strings in stored order, table by table. */
    size_t k = 0;
    for (size_t ti = 0; ti < v->ntables; ti++) {
        const struct pe_version_table *t = &v->tables[ti];
        for (size_t si = 0; si < t->count; si++, k++) {
            const char *f = fact_nth(fs, "version_string", k);
            CHECK(f != NULL);
            if (!f)
                return;
            char want[512];
            snprintf(want, sizeof(want), "%s %s=%s", t->name, t->strings[si].key,
                     t->strings[si].value);
            CHECK_STR(want, f);
        }
        unsigned long long lc = strtoull(t->name, NULL, 16);
        CHECK_EQ(t->language, lc >> 16);
        CHECK_EQ(t->codepage, lc & 0xffff);
    }
    CHECK_EQ(k, facts_count(fs, "version_string"));
    CHECK_EQ(v->ntranslations, facts_count(fs, "version_translation"));
    for (size_t i = 0; i < v->ntranslations; i++) {
        unsigned l, c;
        CHECK(sscanf(fact_nth(fs, "version_translation", i), "%x %x", &l, &c) == 2);
        CHECK_EQ(v->translations[i], (uint32_t)c << 16 | l);
    }
}

/* --- image sources ---------------------------------------------------------------------- */

/* The mapped (loaded) layout of a file, built from the llvm section facts, and a byte limit. */
struct mapped {
    uint8_t *data;
    size_t size;
    size_t served; /* bytes the reader hands out: size, or less to mimic a small dump */
    size_t hole_lo, hole_hi; /* an RVA range the reader pretends not to have */
};

static bool mapped_build(const struct dd_mapfile *file, const struct facts *fs, struct mapped *ret)
{
    size_t size = fact_hex(fs, "size_of_image");
    uint8_t *m = calloc(1, size);
    if (!m)
        return false;
    size_t hdr = fact_hex(fs, "size_of_headers");
    memcpy(m, file->data, hdr < file->size ? hdr : file->size);
    for (size_t i = 0; i < facts_count(fs, "section"); i++) {
        unsigned long long va, vsize, raw, rawsize;
        sscanf(fact_nth(fs, "section", i), "%*s %llx %llx %llx %llx", &va, &vsize, &raw, &rawsize);
        /* The loader maps raw data up to the section-aligned VirtualSize, zeros after it. */
        unsigned long long align = fact_hex(fs, "section_alignment");
        unsigned long long span = (vsize + align - 1) / align * align;
        size_t n = rawsize < span ? rawsize : span;
        if (va + n <= size && raw + n <= file->size)
            memcpy(m + va, file->data + raw, n);
    }
    *ret = (struct mapped){m, size, size, 0, 0};
    return true;
}

static size_t mapped_read(void *ctx, uint32_t rva, void *buf, size_t len)
{
    const struct mapped *m = ctx;
    if (rva >= m->served)
        return 0;
    size_t n = m->served - rva < len ? m->served - rva : len;
    if (m->hole_hi > m->hole_lo) {
        if (rva >= m->hole_lo && rva < m->hole_hi)
            return 0;
        if (rva < m->hole_lo && rva + n > m->hole_lo)
            n = m->hole_lo - rva;
    }
    memcpy(buf, m->data + rva, n);
    return n;
}

static struct pe_image *open_fixture(const char *dir, const char *name)
{
    char path[1024];
    fixture_path(path, sizeof(path), dir, name);
    struct pe_image *img = NULL;
    CHECK_OK(pe_image_open_file(path, &img));
    return img;
}

/* Runs every check on the image NAME (in fixtures DIR) as a file and as mapped memory. */
static void check_image(const char *dir, const char *name)
{
    struct facts fs;
    if (!expect_load(name, &fs))
        return;
    struct pe_image *img = open_fixture(dir, name);
    if (img) {
        CHECK_EQ(img->layout, PE_LAYOUT_FILE);
        CHECK_EQ(img->base, fact_hex(&fs, "image_base"));
        check_headers(img, &fs);
        check_debug(img, &fs);
        if (fact(&fs, "export_dll"))
            check_exports(img, &fs);
        check_pdata(img, &fs);
        check_version(img, &fs);

        struct mapped m;
        CHECK(mapped_build(&img->file, &fs, &m));
        struct pe_image *mi = NULL;
        CHECK_OK(pe_image_open_reader(mapped_read, &m, 0x7ff612340000ull, (uint32_t)m.size, &mi));
        if (mi) {
            CHECK_EQ(mi->layout, PE_LAYOUT_MAPPED);
            CHECK_EQ(mi->base, 0x7ff612340000ull);
            check_headers(mi, &fs);
            check_debug(mi, &fs);
            if (fact(&fs, "export_dll"))
                check_exports(mi, &fs);
            check_pdata(mi, &fs);
            check_version(mi, &fs);
            /* Both layouts read the same bytes at every RVA. */
            uint8_t *a = malloc(m.size), *b = malloc(m.size);
            CHECK_EQ(pe_image_read_rva(img, 0, a, m.size), m.size);
            CHECK_EQ(pe_image_read_rva(mi, 0, b, m.size), m.size);
            CHECK(memcmp(a, b, m.size) == 0);
            CHECK(memcmp(a, m.data, m.size) == 0);
            CHECK_EQ(pe_image_read_rva(mi, (uint32_t)m.size, a, 1), 0);
            free(a);
            free(b);
            pe_image_destroy(mi);
        }
        /* The same through a reader opened without a size: the header's SizeOfImage bounds it. */
        mi = NULL;
        CHECK_OK(pe_image_open_reader(mapped_read, &m, 0x10000, 0, &mi));
        if (mi)
            CHECK_EQ(mi->rva_limit, m.size);
        pe_image_destroy(mi);
        free(m.data);
        pe_image_destroy(img);
    }
    facts_free(&fs);
}

TEST(pe_fixture_exports_x64)
{
    check_image("pe", "pe_exports_x64.dll");
}

TEST(pe_fixture_exports_x86)
{
    check_image("pe", "pe_exports_x86.dll");
}

TEST(pe_fixture_unwind_x64)
{
    check_image("pe", "pe_unwind_x64.dll");
}

TEST(pe_fixture_unwind_arm64)
{
    check_image("pe", "pe_unwind_arm64.dll");
}

TEST(pe_fixture_unwind_arm)
{
    check_image("pe", "pe_unwind_arm.dll");
}

TEST(pe_fixture_dump_images)
{
    check_image("dumps", "crash_breakpoint.exe");
    check_image("dumps", "crash_null_write.exe");
    check_image("dumps", "crash_full_memory.exe");
}

/* The GUID llvm-pdbutil reads from the PDB is the one the image's CodeView record names. */
TEST(pe_codeview_matches_pdb)
{
    const char *names[] = {"crash_breakpoint", "crash_null_write", "crash_full_memory"};
    for (size_t i = 0; i < 3; i++) {
        char path[1024], exe[64];
        snprintf(path, sizeof(path), "%s/dumps/%s.expect", check_fixtures_dir(), names[i]);
        struct facts fs;
        CHECK(facts_load(path, &fs));
        snprintf(exe, sizeof(exe), "%s.exe", names[i]);
        struct pe_image *img = open_fixture("dumps", exe);
        const struct pe_debug_info *info = NULL;
        if (img)
            CHECK_OK(pe_debug_get(img, &info));
        if (info) {
            char g[PE_GUID_TEXT_MAX], key[PE_KEY_MAX], want[64];
            CHECK_STR(pe_guid_format(g, info->codeview.guid), fact(&fs, "pdb_guid"));
            /* The key is the GUID's hex digits in textual order + age 1. */
            size_t n = 0;
            for (const char *c = fact(&fs, "pdb_guid"); *c; c++)
                if (*c != '{' && *c != '}' && *c != '-')
                    want[n++] = *c;
            want[n++] = '1';
            want[n] = '\0';
            CHECK_STR(pe_codeview_key_format(key, &info->codeview), want);
        }
        pe_image_destroy(img);
        facts_free(&fs);
    }
}

/* Examples of the SSQP key conventions (dotnet/symstore docs/specs/SSQP_Key_Conventions.md),
 * upper-cased the way Microsoft's symbol stores spell PDB keys. */
TEST(pe_key_formats)
{
    char buf[PE_KEY_MAX];
    CHECK_STR(pe_image_key_format(buf, 0x542d574e, 0xc2000), "542D574Ec2000");
    CHECK_STR(pe_image_key_format(buf, 0x0000002a, 0x1000), "0000002A1000");
    /* { 0x497B72F6, 0x390A, 0x44FC, { 0x87, 0x8E, 0x5A, 0x2D, 0x63, 0xB6, 0xCC, 0x4B } } */
    const uint8_t guid[16] = {0xf6, 0x72, 0x7b, 0x49, 0x0a, 0x39, 0xfc, 0x44,
                              0x87, 0x8e, 0x5a, 0x2d, 0x63, 0xb6, 0xcc, 0x4b};
    CHECK_STR(pe_pdb_key_format(buf, guid, 1), "497B72F6390A44FC878E5A2D63B6CC4B1");
    CHECK_STR(pe_pdb_key_format(buf, guid, 0x2a), "497B72F6390A44FC878E5A2D63B6CC4B2A");
    CHECK_STR(pe_pdb_key_format(buf, guid, 0xffffffff), "497B72F6390A44FC878E5A2D63B6CC4BFFFFFFFF");
    char g[PE_GUID_TEXT_MAX];
    CHECK_STR(pe_guid_format(g, guid), "{497B72F6-390A-44FC-878E-5A2D63B6CC4B}");
    CHECK_STR(pe_nb10_key_format(buf, 0x3a1b2c, 2), "003A1B2C2");
    CHECK_STR(pe_debug_type_name(PE_DEBUG_TYPE_CODEVIEW), "CodeView");
    CHECK_STR(pe_debug_type_name(PE_DEBUG_TYPE_REPRO), "Repro");
    CHECK(pe_debug_type_name(1000) == NULL);
    CHECK_STR(pe_machine_name(PE_MACHINE_ARM64), "ARM64");
    CHECK(pe_machine_name(0x1234) == NULL);
}

TEST(pe_exports_lookup_details)
{
    struct pe_image *img = open_fixture("pe", "pe_exports_x64.dll");
    const struct pe_exports *ex = NULL;
    if (img)
        CHECK_OK(pe_exports_get(img, &ex));
    if (!ex) {
        pe_image_destroy(img);
        return;
    }
    /* pe_add and pe_alias share RVA 0x1000 (pe_fixture_exports.def); the first name wins. */
    CHECK_STR(pe_exports_find_by_rva(ex, 0x1000)->name, "pe_add");
    CHECK_STR(pe_exports_find_by_rva(ex, 0x100f)->name, "pe_add");
    CHECK_STR(pe_exports_find_by_rva(ex, 0x1010)->name, "pe_sub");
    /* The NONAME export (ordinal 7) symbolizes by ordinal. */
    const struct pe_export *e = pe_exports_find_by_rva(ex, 0x1021);
    CHECK(e && e->name == NULL && e->ordinal == 7);
    CHECK(pe_exports_find_by_rva(ex, 0xfff) == NULL);
    size_t n = 0;
    pe_exports_each(ex, "pe_*", count_cb, &n);
    CHECK_EQ(n, 5); /* pe_add, pe_alias, pe_data_value, pe_heap_alloc, pe_sub */
    n = 0;
    pe_exports_each(ex, "PE_A*", count_cb, &n);
    CHECK_EQ(n, 2);
    n = 0;
    pe_exports_each(ex, NULL, count_cb, &n);
    CHECK_EQ(n, 5);
    /* A second call returns the same parsed table. */
    const struct pe_exports *again = NULL;
    CHECK_OK(pe_exports_get(img, &again));
    CHECK(again == ex);
    pe_image_destroy(img);
}

/* --- partial images ------------------------------------------------------------------- */

/* Only the first page of the image, as a minidump that captured just the headers holds it. */
TEST(pe_reader_truncated)
{
    const char *names[] = {"pe_exports_x64.dll", "pe_unwind_arm64.dll", "crash_breakpoint.exe"};
    for (size_t i = 0; i < 3; i++) {
        const char *dir = i == 2 ? "dumps" : "pe";
        struct facts fs;
        if (!expect_load(names[i], &fs))
            continue;
        struct pe_image *file = open_fixture(dir, names[i]);
        struct mapped m;
        if (!file || !mapped_build(&file->file, &fs, &m)) {
            pe_image_destroy(file);
            facts_free(&fs);
            continue;
        }
        m.served = 0x1000;
        struct pe_image *img = NULL;
        CHECK_OK(pe_image_open_reader(mapped_read, &m, 0x180000000ull, (uint32_t)m.size, &img));
        if (img) {
            check_headers(img, &fs);
            const struct pe_exports *ex = NULL;
            struct dd_error *err = pe_exports_get(img, &ex);
            if (fact(&fs, "export_dll")) {
                CHECK(err && err->code == DD_ERR_MEMORY && strstr(err->message, "not available"));
            } else {
                CHECK(err && err->code == DD_ERR_NOT_FOUND);
            }
            dd_error_destroy(err);
            /* The failure is remembered and reported again. */
            err = pe_exports_get(img, &ex);
            CHECK(err && (err->code == DD_ERR_MEMORY || err->code == DD_ERR_NOT_FOUND));
            dd_error_destroy(err);
            const struct pe_debug_info *dbg = NULL;
            err = pe_debug_get(img, &dbg);
            CHECK(err && err->code == DD_ERR_MEMORY);
            dd_error_destroy(err);
            const struct pe_pdata *pd = NULL;
            err = pe_pdata_get(img, &pd);
            CHECK(err && (err->code == DD_ERR_MEMORY || err->code == DD_ERR_NOT_FOUND));
            dd_error_destroy(err);
            const struct pe_version_info *v = NULL;
            err = pe_version_get(img, &v);
            CHECK(err && (err->code == DD_ERR_MEMORY || err->code == DD_ERR_NOT_FOUND));
            dd_error_destroy(err);
            uint8_t buf[0x20];
            CHECK_EQ(pe_image_read_rva(img, 0xff0, buf, sizeof(buf)), 0x10);
            pe_image_destroy(img);
        }
        /* Nothing at all: the headers are "not in the dump". */
        m.served = 0;
        img = NULL;
        struct dd_error *err = pe_image_open_reader(mapped_read, &m, 0x180000000ull,
                                                    (uint32_t)m.size, &img);
        CHECK(err && err->code == DD_ERR_MEMORY && img == NULL);
        CHECK(err && err->address == 0x180000000ull);
        dd_error_destroy(err);
        free(m.data);
        pe_image_destroy(file);
        facts_free(&fs);
    }
}

/* A .pdata table with a hole in the middle keeps the entries around it. */
TEST(pe_reader_pdata_hole)
{
    struct facts fs;
    if (!expect_load("crash_breakpoint.exe", &fs))
        return;
    struct pe_image *file = open_fixture("dumps", "crash_breakpoint.exe");
    struct mapped m;
    if (file && mapped_build(&file->file, &fs, &m)) {
        struct pe_data_dir dir = pe_image_dir(file, PE_DIR_EXCEPTION);
        /* Entries 10..19 missing, and entry 20 cut in half. */
        m.hole_lo = dir.rva + 10 * 12;
        m.hole_hi = dir.rva + 20 * 12 + 6;
        struct pe_image *img = NULL;
        CHECK_OK(pe_image_open_reader(mapped_read, &m, 0x140000000ull, (uint32_t)m.size, &img));
        const struct pe_pdata *t = NULL;
        if (img)
            CHECK_OK(pe_pdata_get(img, &t));
        if (t) {
            size_t all = facts_count(&fs, "pdata_x64");
            CHECK_EQ(t->declared_count, all);
            CHECK_EQ(t->count, all - 11);
            CHECK_EQ(t->missing, 11);
            for (size_t i = 0; i < all; i++) {
                unsigned long long b, e, u;
                sscanf(fact_nth(&fs, "pdata_x64", i), "%llx %llx %llx", &b, &e, &u);
                struct pe_pdata_entry got;
                struct dd_error *err = pe_pdata_lookup(img, (uint32_t)b, &got);
                if (i >= 10 && i <= 20) {
                    CHECK(err && err->code == DD_ERR_NOT_FOUND);
                } else {
                    CHECK(err == NULL && got.begin == b && got.end == e && got.unwind_rva == u &&
                          got.index == i);
                }
                dd_error_destroy(err);
            }
        }
        pe_image_destroy(img);
        free(m.data);
    }
    pe_image_destroy(file);
    facts_free(&fs);
}

struct dump_reader {
    struct target *t;
    const struct target_module *mod;
    const struct pe_image *file; /* serves the header page when set */
};

static size_t dump_read(void *ctx, uint32_t rva, void *buf, size_t len)
{
    const struct dump_reader *r = ctx;
    if (r->file && rva < 0x1000) {
        size_t n = 0x1000 - rva < len ? 0x1000 - rva : len;
        return pe_image_read_rva(r->file, rva, buf, n);
    }
    size_t got = 0;
    struct dd_error *err = target_read(r->t, r->mod->base + rva, buf, len, &got);
    dd_error_destroy(err);
    return got;
}

/*
 * The program's image as the real minidump holds it. Wine's MiniDumpNormal keeps the UNWIND_INFO
 * records its stack walk touched, but neither the headers nor the .pdata table: the image does
 * not open from the dump alone; with the header page taken from the file it opens, .pdata is
 * "not available" (or, from a writer that keeps it, exactly the entries the dump holds), and the
 * unwind bytes the dump does hold agree with the file.
 */
TEST(pe_reader_real_dump)
{
    char path[1024];
    fixture_path(path, sizeof(path), "dumps", "crash_breakpoint.dmp");
    struct target *t = NULL;
    CHECK_OK(dump_open(path, &t));
    struct facts fs;
    if (!t || !expect_load("crash_breakpoint.exe", &fs)) {
        target_destroy(t);
        return;
    }
    struct dump_reader r = {t, NULL, NULL};
    for (size_t i = 0; i < t->nmodules; i++)
        if (strstr(t->modules[i].path, "crash_breakpoint.exe"))
            r.mod = &t->modules[i];
    struct pe_image *file = open_fixture("dumps", "crash_breakpoint.exe");
    if (!r.mod || !file) {
        CHECK(r.mod != NULL);
        pe_image_destroy(file);
        facts_free(&fs);
        target_destroy(t);
        return;
    }
    struct pe_image *img = NULL;
    struct dd_error *err = pe_image_open_reader(dump_read, &r, r.mod->base, (uint32_t)r.mod->size,
                                                &img);
    CHECK(err && err->code == DD_ERR_MEMORY && err->address == r.mod->base);
    dd_error_destroy(err);
    r.file = file;
    CHECK_OK(pe_image_open_reader(dump_read, &r, r.mod->base, (uint32_t)r.mod->size, &img));
    if (!img) {
        pe_image_destroy(file);
        facts_free(&fs);
        target_destroy(t);
        return;
    }
    check_headers(img, &fs);
    uint32_t pdata_rva = pe_image_dir(file, PE_DIR_EXCEPTION).rva;
    size_t readable = 0, unwind_held = 0, n = facts_count(&fs, "pdata_x64");
    for (size_t i = 0; i < n; i++) {
        unsigned long long b, e, u;
        sscanf(fact_nth(&fs, "pdata_x64", i), "%llx %llx %llx", &b, &e, &u);
        uint8_t raw[12], mem[4], disk[4];
        if (pe_image_read_rva(img, pdata_rva + 12 * (uint32_t)i, raw, 12) == 12) {
            readable++;
            CHECK(dd_le32(raw) == b && dd_le32(raw + 4) == e && dd_le32(raw + 8) == u);
        }
        if (pe_image_read_rva(img, (uint32_t)u, mem, 4) == 4) {
            unwind_held++;
            CHECK_EQ(pe_image_read_rva(file, (uint32_t)u, disk, 4), 4);
            CHECK(memcmp(mem, disk, 4) == 0);
        }
    }
    CHECK(unwind_held > 0);
    const struct pe_pdata *pd = NULL;
    err = pe_pdata_get(img, &pd);
    if (readable == 0) {
        CHECK(err && err->code == DD_ERR_MEMORY && strstr(err->message, "not available"));
    } else {
        CHECK(err == NULL && pd->count == readable && pd->missing == n - readable);
    }
    dd_error_destroy(err);
    pe_image_destroy(img);
    pe_image_destroy(file);
    facts_free(&fs);
    target_destroy(t);
}

/* --- malformed images --------------------------------------------------------------------- */

/* A heap copy of a fixture image, to damage. */
static uint8_t *fixture_copy(const char *dir, const char *name, size_t *ret_size)
{
    char path[1024];
    fixture_path(path, sizeof(path), dir, name);
    struct dd_mapfile f;
    struct dd_error *err = dd_mapfile_open(path, &f);
    if (err) {
        check_fail(__FILE__, __LINE__, "%s", err->message);
        dd_error_destroy(err);
        return NULL;
    }
    uint8_t *copy = malloc(f.size);
    memcpy(copy, f.data, f.size);
    *ret_size = f.size;
    dd_mapfile_close(&f);
    return copy;
}

/* Opens SIZE bytes at DATA expecting an error of CODE whose message contains WANT. */
static void open_fails(const uint8_t *data, size_t size, enum dd_error_code code, const char *want,
                       int line)
{
    struct pe_image *img = NULL;
    struct dd_error *err = pe_image_open_bytes(data, size, "bad.dll", &img);
    if (!err) {
        check_fail(__FILE__, line, "open succeeded, expected \"%s\"", want);
        pe_image_destroy(img);
        return;
    }
    if (err->code != code || !strstr(err->message, want))
        check_fail(__FILE__, line, "error %d \"%s\", expected \"%s\"", err->code, err->message,
                   want);
    dd_error_destroy(err);
}

/* File offset of RVA in the x64 exports fixture (sections from its .expect). */
static size_t rva_to_off(const struct pe_image *img, uint32_t rva)
{
    const struct pe_section *s = pe_image_section_by_rva(img, rva);
    return s ? s->raw_offset + (rva - s->virtual_address) : 0;
}

TEST(pe_malformed_headers)
{
    size_t size;
    uint8_t *d = fixture_copy("pe", "pe_exports_x64.dll", &size);
    if (!d)
        return;
    uint32_t lfanew = dd_le32(d + 0x3c);
    open_fails(d, 0, DD_ERR_FORMAT, "DOS header", __LINE__);
    open_fails(d, 0x30, DD_ERR_FORMAT, "DOS header", __LINE__);
    open_fails(d, lfanew + 10, DD_ERR_FORMAT, "e_lfanew", __LINE__);
    open_fails(d, lfanew + 24 + 50, DD_ERR_FORMAT, "optional header", __LINE__);
    open_fails(d, lfanew + 24 + 0xf0 + 40, DD_ERR_FORMAT, "section table at 0x", __LINE__);
    uint8_t *c = malloc(size);
    memcpy(c, d, size);
    c[0] = 'X';
    open_fails(c, size, DD_ERR_FORMAT, "no MZ signature", __LINE__);
    memcpy(c, d, size);
    dd_put_le32(c + 0x3c, 0xfffffff0);
    open_fails(c, size, DD_ERR_FORMAT, "e_lfanew 0xfffffff0 points past end of file", __LINE__);
    memcpy(c, d, size);
    dd_put_le32(c + 0x3c, (uint32_t)size - 8);
    open_fails(c, size, DD_ERR_FORMAT, "e_lfanew", __LINE__);
    memcpy(c, d, size);
    c[lfanew + 1] = 'X';
    open_fails(c, size, DD_ERR_FORMAT, "no PE signature", __LINE__);
    /* Huge NumberOfSections. */
    memcpy(c, d, size);
    c[lfanew + 6] = 0xff;
    c[lfanew + 7] = 0xff;
    char want[128];
    snprintf(want, sizeof(want), "section table at 0x%x (65535 sections) extends past end of file",
             lfanew + 24 + 0xf0);
    open_fails(c, size, DD_ERR_FORMAT, want, __LINE__);
    /* Bad optional-header magic and a SizeOfOptionalHeader too small for the fields. */
    memcpy(c, d, size);
    c[lfanew + 24] = 0x07;
    open_fails(c, size, DD_ERR_FORMAT, "magic 0x207", __LINE__);
    memcpy(c, d, size);
    c[lfanew + 20] = 0x40;
    open_fails(c, size, DD_ERR_FORMAT, "too small for PE32+", __LINE__);
    /* NumberOfRvaAndSizes larger than SizeOfOptionalHeader holds: only what is there is read. */
    memcpy(c, d, size);
    dd_put_le32(c + lfanew + 24 + 108, 0x1000);
    struct pe_image *img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "many-dirs.dll", &img));
    if (img)
        CHECK_EQ(img->hdr.number_of_rva_and_sizes, 0x1000);
    pe_image_destroy(img);
    /* A file cut inside a section: reads stop at the end of the file. */
    img = NULL;
    CHECK_OK(pe_image_open_bytes(d, 0x700, "cut.dll", &img));
    if (img) {
        uint8_t buf[0x400];
        CHECK_EQ(pe_image_read_rva(img, 0x2000, buf, sizeof(buf)), 0x100);
        CHECK_EQ(pe_image_read_rva(img, 0x3000, buf, 4), 0); /* .data raw at 0x800 */
        const struct pe_version_info *v = NULL;
        struct dd_error *err = pe_version_get(img, &v);
        CHECK(err && err->code == DD_ERR_FORMAT);
        dd_error_destroy(err);
    }
    pe_image_destroy(img);
    free(c);
    free(d);
}

TEST(pe_malformed_exports)
{
    size_t size;
    uint8_t *d = fixture_copy("pe", "pe_exports_x64.dll", &size);
    struct pe_image *ref = open_fixture("pe", "pe_exports_x64.dll");
    if (!d || !ref) {
        free(d);
        pe_image_destroy(ref);
        return;
    }
    size_t dir = rva_to_off(ref, pe_image_dir(ref, PE_DIR_EXPORT).rva);
    CHECK(dir != 0);
    struct {
        size_t at;
        uint32_t value;
        enum dd_error_code code;
        const char *want;
    } cases[] = {
        {20, 0x7fffffff, DD_ERR_FORMAT, "claims 2147483647 functions"},
        {20, 0x2000, DD_ERR_FORMAT, "claims 8192 functions, more than the image"},
        {24, 0x40001, DD_ERR_FORMAT, "names"},
        {28, 0x4ffff, DD_ERR_FORMAT, "export address table at RVA 0x4ffff"},
        {32, 0xfffffff0, DD_ERR_FORMAT, "export name table"},
        {36, 0x4fffe, DD_ERR_FORMAT, "export ordinal table"},
    };
    uint8_t *c = malloc(size);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memcpy(c, d, size);
        dd_put_le32(c + dir + cases[i].at, cases[i].value);
        struct pe_image *img = NULL;
        CHECK_OK(pe_image_open_bytes(c, size, "bad-exports.dll", &img));
        const struct pe_exports *ex = NULL;
        struct dd_error *err = img ? pe_exports_get(img, &ex) : NULL;
        if (!err || err->code != cases[i].code || !strstr(err->message, cases[i].want))
            check_fail(__FILE__, __LINE__, "case %zu: %s", i, err ? err->message : "no error");
        dd_error_destroy(err);
        pe_image_destroy(img);
    }
    /* Name RVAs pointing nowhere and ordinals past the table: those names are left out. */
    memcpy(c, d, size);
    uint32_t names = dd_le32(c + dir + 32), ordinals = dd_le32(c + dir + 36);
    dd_put_le32(c + rva_to_off(ref, names), 0x00fffff0);
    c[rva_to_off(ref, ordinals) + 2] = 0x99; /* second name -> index 0x99 */
    /* The DLL name lies past the end of the image. */
    dd_put_le32(c + dir + 12, 0x5000);
    struct pe_image *img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "bad-names.dll", &img));
    const struct pe_exports *ex = NULL;
    if (img)
        CHECK_OK(pe_exports_get(img, &ex));
    if (ex) {
        CHECK_EQ(ex->unreadable_names, 1);
        CHECK(ex->dll_name == NULL);
        CHECK(pe_exports_find_by_ordinal(ex, 1) != NULL); /* now ordinal-only, or by its alias */
    }
    pe_image_destroy(img);
    /* No export directory at all. */
    memcpy(c, d, size);
    uint32_t lfanew = dd_le32(c + 0x3c);
    dd_put_le32(c + lfanew + 24 + 112, 0);
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "no-exports.dll", &img));
    if (img) {
        struct dd_error *err = pe_exports_get(img, &ex);
        CHECK(err && err->code == DD_ERR_NOT_FOUND);
        dd_error_destroy(err);
    }
    pe_image_destroy(img);
    free(c);
    free(d);
    pe_image_destroy(ref);
}

TEST(pe_malformed_resources)
{
    size_t size;
    uint8_t *d = fixture_copy("pe", "pe_exports_x64.dll", &size);
    struct pe_image *ref = open_fixture("pe", "pe_exports_x64.dll");
    if (!d || !ref) {
        free(d);
        pe_image_destroy(ref);
        return;
    }
    size_t root = rva_to_off(ref, pe_image_dir(ref, PE_DIR_RESOURCE).rva);
    uint8_t *c = malloc(size);
    /* The type entry points back at the root directory (a loop). */
    memcpy(c, d, size);
    dd_put_le32(c + root + 16 + 4, 0x80000000u);
    struct pe_image *img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "res-loop.dll", &img));
    if (img) {
        const struct pe_version_info *v = NULL;
        struct dd_error *err = pe_version_get(img, &v);
        CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "points to a directory"));
        dd_error_destroy(err);
    }
    pe_image_destroy(img);
    /* Entry counts larger than the resource directory. */
    memcpy(c, d, size);
    c[root + 14] = 0xff;
    c[root + 15] = 0xff;
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "res-count.dll", &img));
    if (img) {
        struct pe_resource r;
        struct dd_error *err = pe_resource_find(img, PE_RT_VERSION, &r);
        CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "65535 entries"));
        dd_error_destroy(err);
    }
    pe_image_destroy(img);
    /* The type entry points at a data entry; then a subdirectory offset past the directory. */
    memcpy(c, d, size);
    dd_put_le32(c + root + 16 + 4, 0x48);
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "res-data.dll", &img));
    if (img) {
        struct pe_resource r;
        struct dd_error *err = pe_resource_find(img, PE_RT_VERSION, &r);
        CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "data entry"));
        dd_error_destroy(err);
    }
    pe_image_destroy(img);
    memcpy(c, d, size);
    dd_put_le32(c + root + 16 + 4, 0x80fffff0u);
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "res-far.dll", &img));
    if (img) {
        struct pe_resource r;
        struct dd_error *err = pe_resource_find(img, PE_RT_VERSION, &r);
        CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "extends past"));
        dd_error_destroy(err);
    }
    pe_image_destroy(img);
    /* VS_VERSIONINFO damage: a child whose length runs past its parent, a zero-length child,
     * and a wrong root key. */
    struct pe_resource vr;
    CHECK_OK(pe_resource_find(ref, PE_RT_VERSION, &vr));
    size_t ver = rva_to_off(ref, vr.rva);
    /* The first child (StringFileInfo) follows the 0x5c-byte root header + fixed info. */
    size_t sfi = ver + 0x5c;
    CHECK_EQ(dd_le16(c + sfi + 6), 'S');
    memcpy(c, d, size);
    c[sfi] = 0xff;
    c[sfi + 1] = 0xff;
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "ver-long.dll", &img));
    if (img) {
        const struct pe_version_info *v = NULL;
        CHECK_OK(pe_version_get(img, &v));
        if (v) {
            CHECK(v->truncated);
            CHECK(v->has_fixed);
            CHECK_STR(pe_version_string(v, "CompanyName"), "dumpdbg test fixtures");
        }
    }
    pe_image_destroy(img);
    memcpy(c, d, size);
    c[sfi] = 0;
    c[sfi + 1] = 0;
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "ver-zero.dll", &img));
    if (img) {
        const struct pe_version_info *v = NULL;
        CHECK_OK(pe_version_get(img, &v));
        if (v) {
            CHECK(v->has_fixed);
            CHECK_EQ(v->ntables, 0);
            CHECK(pe_version_string(v, "CompanyName") == NULL);
        }
    }
    pe_image_destroy(img);
    memcpy(c, d, size);
    c[ver + 6] = 'X';
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "ver-key.dll", &img));
    if (img) {
        const struct pe_version_info *v = NULL;
        struct dd_error *err = pe_version_get(img, &v);
        CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "XS_VERSION_INFO"));
        dd_error_destroy(err);
    }
    pe_image_destroy(img);
    free(c);
    free(d);
    pe_image_destroy(ref);
}

/* Version strings are taken from the first translation's table. */
TEST(pe_version_string_choice)
{
    struct pe_image *img = open_fixture("pe", "pe_exports_x86.dll");
    const struct pe_version_info *v = NULL;
    if (img)
        CHECK_OK(pe_version_get(img, &v));
    if (v) {
        CHECK_STR(pe_version_string(v, "CompanyName"), "dumpdbg test fixtures");
        CHECK_STR(pe_version_string(v, "Comments"), "Gr\xc3\xbc\xc3\x9f" "e \xe2\x82\xac");
        CHECK(pe_version_string(v, "companyname") == NULL);
    }
    pe_image_destroy(img);
}

TEST(pe_codeview_nb10)
{
    size_t size;
    uint8_t *c = fixture_copy("pe", "pe_exports_x64.dll", &size);
    struct pe_image *ref = open_fixture("pe", "pe_exports_x64.dll");
    const struct pe_debug_info *info = NULL;
    if (ref)
        CHECK_OK(pe_debug_get(ref, &info));
    if (!c || !info) {
        free(c);
        pe_image_destroy(ref);
        return;
    }
    /* Rewrite the RSDS record as CV_INFO_PDB20 (NB10 + offset + signature + age + path). */
    size_t cv = info->entries[0].file_offset;
    memcpy(c + cv, "NB10", 4);
    dd_put_le32(c + cv + 4, 0);
    dd_put_le32(c + cv + 8, 0x3a1b2c4d);
    dd_put_le32(c + cv + 12, 0x11);
    memcpy(c + cv + 16, "old.pdb", 8);
    struct pe_image *img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "nb10.dll", &img));
    const struct pe_debug_info *nb = NULL;
    if (img)
        CHECK_OK(pe_debug_get(img, &nb));
    if (nb) {
        char key[PE_KEY_MAX];
        CHECK_EQ(nb->codeview.kind, PE_CV_NB10);
        CHECK_EQ(nb->codeview.signature, 0x3a1b2c4d);
        CHECK_EQ(nb->codeview.age, 0x11);
        CHECK_STR(nb->codeview.pdb_path, "old.pdb");
        CHECK_STR(pe_codeview_key_format(key, &nb->codeview), "3A1B2C4D11");
        CHECK(nb->has_repro);
    }
    pe_image_destroy(img);
    /* An unknown signature (NB09) and a record cut to 8 bytes give no PDB identity. */
    memcpy(c + cv, "NB09", 4);
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "nb09.dll", &img));
    nb = NULL;
    if (img)
        CHECK_OK(pe_debug_get(img, &nb));
    if (nb) {
        char key[PE_KEY_MAX];
        CHECK_EQ(nb->codeview.kind, PE_CV_NONE);
        CHECK(pe_codeview_key_format(key, &nb->codeview) == NULL);
    }
    pe_image_destroy(img);
    /* A debug directory claiming 100000 entries. */
    uint32_t lfanew = dd_le32(c + 0x3c);
    dd_put_le32(c + lfanew + 24 + 112 + 6 * 8 + 4, 28 * 100000);
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "many-debug.dll", &img));
    if (img) {
        struct dd_error *err = pe_debug_get(img, &nb);
        CHECK(err && err->code == DD_ERR_FORMAT);
        dd_error_destroy(err);
    }
    pe_image_destroy(img);
    free(c);
    pe_image_destroy(ref);
}

TEST(pe_pdata_unsorted_and_flags)
{
    size_t size;
    uint8_t *c = fixture_copy("pe", "pe_unwind_x64.dll", &size);
    struct pe_image *ref = open_fixture("pe", "pe_unwind_x64.dll");
    struct facts fs;
    if (!c || !ref || !expect_load("pe_unwind_x64.dll", &fs)) {
        free(c);
        pe_image_destroy(ref);
        return;
    }
    /* Swap the first and last x64 entries: lookups still work through a sorted copy. */
    size_t pd = rva_to_off(ref, pe_image_dir(ref, PE_DIR_EXCEPTION).rva);
    size_t n = facts_count(&fs, "pdata_x64");
    uint8_t tmp[12];
    memcpy(tmp, c + pd, 12);
    memcpy(c + pd, c + pd + 12 * (n - 1), 12);
    memcpy(c + pd + 12 * (n - 1), tmp, 12);
    struct pe_image *img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "unsorted.dll", &img));
    const struct pe_pdata *t = NULL;
    if (img)
        CHECK_OK(pe_pdata_get(img, &t));
    if (t) {
        CHECK(!t->sorted_in_image);
        CHECK_EQ(t->count, n);
        for (size_t i = 0; i < n; i++) {
            unsigned long long b, e, u;
            sscanf(fact_nth(&fs, "pdata_x64", i), "%llx %llx %llx", &b, &e, &u);
            struct pe_pdata_entry got;
            CHECK_OK(pe_pdata_lookup(img, (uint32_t)(b + e) / 2, &got));
            CHECK_EQ(got.unwind_rva, u);
            CHECK_EQ(got.index, i == 0 ? n - 1 : i == n - 1 ? 0 : i);
        }
    }
    pe_image_destroy(img);
    free(c);
    pe_image_destroy(ref);
    facts_free(&fs);

    /* ARM64: a packed entry turned into a fragment (flag 2) keeps its length; flag 3 is
     * reserved; an .xdata RVA past the image cannot give the length. */
    c = fixture_copy("pe", "pe_unwind_arm64.dll", &size);
    ref = open_fixture("pe", "pe_unwind_arm64.dll");
    if (!c || !ref || !expect_load("pe_unwind_arm64.dll", &fs)) {
        free(c);
        pe_image_destroy(ref);
        return;
    }
    pd = rva_to_off(ref, pe_image_dir(ref, PE_DIR_EXCEPTION).rva);
    unsigned long long b0, len0, bx, xd, lenx;
    int frag;
    sscanf(fact_nth(&fs, "pdata_packed", 0), "%llx %llx %d", &b0, &len0, &frag);
    sscanf(fact_nth(&fs, "pdata_xdata", 0), "%llx %llx %llx", &bx, &xd, &lenx);
    size_t ip = 0, ix = 0;
    for (size_t i = 0; i < 8; i++) {
        if (dd_le32(c + pd + 8 * i) == b0)
            ip = i;
        if (dd_le32(c + pd + 8 * i) == bx)
            ix = i;
    }
    c[pd + 8 * ip + 4] = (uint8_t)((c[pd + 8 * ip + 4] & ~3) | 2);
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "fragment.dll", &img));
    struct pe_pdata_entry got;
    if (img) {
        CHECK_OK(pe_pdata_lookup(img, (uint32_t)b0, &got));
        CHECK_EQ(got.flag, PE_PDATA_FLAG_PACKED_FRAGMENT);
        CHECK_EQ(got.end, b0 + len0);
    }
    pe_image_destroy(img);
    c[pd + 8 * ip + 4] |= 3;
    dd_put_le32(c + pd + 8 * ix + 4, 0x7ffffff0);
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "flag3.dll", &img));
    if (img) {
        struct dd_error *err = pe_pdata_lookup(img, (uint32_t)b0, &got);
        CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "reserved flag 3"));
        dd_error_destroy(err);
        err = pe_pdata_lookup(img, (uint32_t)bx, &got);
        CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, ".xdata header"));
        dd_error_destroy(err);
    }
    pe_image_destroy(img);
    /* An exception directory larger than the image. */
    uint32_t lfanew = dd_le32(c + 0x3c);
    dd_put_le32(c + lfanew + 24 + 112 + 3 * 8 + 4, 0x7fffffff);
    img = NULL;
    CHECK_OK(pe_image_open_bytes(c, size, "big-pdata.dll", &img));
    if (img) {
        struct dd_error *err = pe_pdata_lookup(img, (uint32_t)b0, &got);
        CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "exception directory"));
        dd_error_destroy(err);
    }
    pe_image_destroy(img);
    free(c);
    pe_image_destroy(ref);
    facts_free(&fs);
}

/* x86 images have no .pdata. */
TEST(pe_pdata_x86_absent)
{
    struct pe_image *img = open_fixture("pe", "pe_exports_x86.dll");
    if (!img)
        return;
    struct pe_pdata_entry e;
    struct dd_error *err = pe_pdata_lookup(img, 0x1000, &e);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    pe_image_destroy(img);
}
