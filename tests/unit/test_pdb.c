/*
 * The PDB reader: the fixture dumps' PDBs against the facts their generator recorded
 * (tests/fixtures/dumps/NAME.expect: function addresses printed by the programs themselves),
 * API details on the repo's tiny PDBs (values from llvm-pdbutil-16, noted where used), and
 * damaged PDBs rebuilt from tiny_x64.pdb with one stream broken: errors or partial results,
 * never a crash.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "check.h"
#include "pdb/msf.h"
#include "pdb/pdb.h"

#define TINY_X64 DD_SOURCE_ROOT "/tests/fixtures/pdb/tiny_x64.pdb"
#define TINY_X86 DD_SOURCE_ROOT "/tests/fixtures/pdb/tiny_x86.pdb"

/* ---- fixture facts ---- */

/* Returns the hex value of KEY in a .expect file, or false when absent. */
static bool expect_get(const char *path, const char *key, char *buf, size_t len)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char line[1024];
    size_t klen = strlen(key);
    bool found = false;
    while (!found && fgets(line, sizeof(line), f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':' && line[klen + 1] == ' ') {
            snprintf(buf, len, "%s", line + klen + 2);
            buf[strcspn(buf, "\r\n")] = 0;
            found = true;
        }
    }
    fclose(f);
    return found;
}

static uint32_t expect_hex(const char *path, const char *key)
{
    char buf[256];
    if (!expect_get(path, key, buf, sizeof(buf))) {
        check_fail(__FILE__, __LINE__, "%s: no %s", path, key);
        return 0;
    }
    return (uint32_t)strtoul(buf, NULL, 16);
}

static void check_fixture(const char *name)
{
    char pdb_path[4096], expect[4096], chain[1024], fault[256];
    snprintf(pdb_path, sizeof(pdb_path), "%s/dumps/%s.pdb", check_fixtures_dir(), name);
    snprintf(expect, sizeof(expect), "%s/dumps/%s.expect", check_fixtures_dir(), name);
    struct pdb *pdb;
    CHECK_OK(pdb_open(pdb_path, &pdb));
    if (!pdb)
        return;
    CHECK(expect_get(expect, "call_chain", chain, sizeof(chain)));
    CHECK(expect_get(expect, "fault_function", fault, sizeof(fault)));
    /* Every function of the call chain: by name and by address, procedure and public. */
    for (char *save = NULL, *fn = strtok_r(chain, " ", &save); fn; fn = strtok_r(NULL, " ", &save)) {
        char key[300];
        snprintf(key, sizeof(key), "fn_%s_rva", fn);
        uint32_t rva = expect_hex(expect, key);
        struct pdb_symbol s;
        CHECK_OK(pdb_find_symbol(pdb, rva, &s));
        CHECK_STR(s.name, fn);
        CHECK_EQ(s.source, PDB_SYMBOL_PROC);
        CHECK_EQ(s.rva, rva);
        struct pdb_proc p;
        CHECK_OK(pdb_find_proc_by_name(pdb, fn, &p));
        CHECK_EQ(p.rva, rva);
        struct pdb_public pub;
        CHECK_OK(pdb_publics_find_by_name(pdb, fn, &pub));
        CHECK_EQ(pub.rva, rva);
        /* The last byte of the procedure is still in it; a line covers its start. */
        CHECK_OK(pdb_find_symbol(pdb, rva + p.length - 1, &s));
        CHECK_STR(s.name, fn);
        struct pdb_line l;
        CHECK_OK(pdb_find_line(pdb, rva, &l));
        CHECK(strstr(l.file, name) != NULL || strstr(l.file, ".c") != NULL);
    }
    /* Return addresses the program recorded resolve into their callers. */
    static const char *const callers[] = {"main", "level_one", "level_two", "recurse_0",
                                          "recurse_1", "recurse_2", "sum_records"};
    for (size_t i = 0; i < sizeof(callers) / sizeof(callers[0]); i++) {
        char key[64], buf[64], fn[64];
        snprintf(key, sizeof(key), "return_into_%s_rva", callers[i]);
        if (!expect_get(expect, key, buf, sizeof(buf)))
            continue;
        snprintf(fn, sizeof(fn), "%s", callers[i]);
        if (strncmp(fn, "recurse_", 8) == 0)
            fn[7] = 0;
        struct pdb_proc p;
        CHECK_OK(pdb_find_proc(pdb, (uint32_t)strtoul(buf, NULL, 16), &p));
        CHECK_STR(p.name, fn);
    }
    /* The faulting instruction is at the recorded offset into the fault function. */
    char buf[64];
    if (expect_get(expect, "exception_address", buf, sizeof(buf))) {
        uint32_t rva = (uint32_t)(strtoull(buf, NULL, 16) - 0x140000000ull);
        struct pdb_symbol s;
        CHECK_OK(pdb_find_symbol(pdb, rva, &s));
        CHECK_STR(s.name, fault);
        CHECK_EQ(rva - s.rva, expect_hex(expect, "exception_offset_in_fault_function"));
    }
    pdb_destroy(pdb);
}

TEST(pdb_fixture_null_write)
{
    check_fixture("crash_null_write");
}

TEST(pdb_fixture_breakpoint)
{
    check_fixture("crash_breakpoint");
}

TEST(pdb_fixture_full_memory)
{
    check_fixture("crash_full_memory");
}

/* ---- API details on the tiny PDBs ---- */

static bool count_sym(void *ctx, const struct pdb_symbol *s)
{
    unsigned *n = ctx;
    (*n)++;
    return s != NULL;
}

static bool count_line(void *ctx, const struct pdb_line *l)
{
    unsigned *n = ctx;
    (*n)++;
    return l != NULL;
}

static bool count_local(void *ctx, const struct pdb_local *l)
{
    unsigned *n = ctx;
    (*n)++;
    return l != NULL;
}

struct sym_seen {
    bool scale_proc, scale_public, data;
    unsigned n;
};

static bool see_sym(void *ctx, const struct pdb_symbol *s)
{
    struct sym_seen *w = ctx;
    w->n++;
    if (strcmp(s->name, "scale") == 0 && s->source == PDB_SYMBOL_PROC)
        w->scale_proc = true;
    if (strcmp(s->name, "scale") == 0 && s->source == PDB_SYMBOL_PUBLIC)
        w->scale_public = true;
    if (strcmp(s->name, "g_data") == 0)
        w->data = true;
    return true;
}

TEST(pdb_tiny_api)
{
    struct pdb *pdb;
    CHECK_OK(pdb_open(TINY_X64, &pdb));
    if (!pdb)
        return;
    /* llvm-pdbutil-16 dump -summary: GUID {8D6004BA-4C09-9B31-4C4C-44205044422E}, age 1. */
    char guid[39];
    CHECK_STR(pdb_guid_format(pdb_info_get(pdb)->guid, guid),
              "{8D6004BA-4C09-9B31-4C4C-44205044422E}");
    CHECK_EQ(pdb_info_match_age(pdb), 1);
    CHECK(pdb_info_get(pdb)->has_id_stream);
    uint32_t s;
    CHECK_OK(pdb_named_stream_find(pdb, "/names", &s));
    struct dd_error *err = pdb_named_stream_find(pdb, "/nope", &s);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    CHECK_EQ(pdb_dbi_header_get(pdb)->machine, 0x8664);
    CHECK(!pdb_has_omap(pdb));
    /* -symbols: scale at 0001:0000 (RVA 0x1000), 212 bytes; crash at 0001:0224. */
    struct pdb_proc p;
    CHECK_OK(pdb_find_proc_by_name(pdb, "scale", &p));
    CHECK_EQ(p.rva, 0x1000);
    CHECK_EQ(p.length, 212);
    CHECK_EQ(p.kind, PDB_S_GPROC32);
    struct pdb_frameproc fp;
    CHECK_OK(pdb_proc_frameproc(pdb, &p, &fp));
    CHECK_EQ(fp.saved_regs_bytes, 40); /* "bytes of callee saved registers = 40" */
    /* Inline site of add at code offset 8 (-symbols: "code 0x8 ... code end 0x15"), line 14+2. */
    struct pdb_inline_frame fr[4];
    uint32_t n = 0;
    CHECK_OK(pdb_inline_frames(pdb, 0x1008, fr, 4, &n));
    CHECK_EQ(n, 1);
    CHECK_STR(fr[0].name, "add");
    CHECK_EQ(fr[0].line, 16);
    CHECK_EQ(fr[0].range_rva, 0x1008);
    CHECK_EQ(fr[0].range_length, 0xd);
    CHECK_EQ(fr[0].call_line, 21); /* -l: line 21 at 0x1006..0x1015 */
    CHECK_OK(pdb_inline_frames(pdb, 0x1015, fr, 4, &n));
    CHECK_EQ(n, 0);
    /* Padding after crash (0x10e0+0x2e) is no procedure: the public below names it. */
    struct pdb_symbol sym;
    CHECK_OK(pdb_find_symbol(pdb, 0x110f, &sym));
    CHECK_EQ(sym.source, PDB_SYMBOL_PUBLIC);
    CHECK_STR(sym.name, "crash");
    /* x: procedures, publics and data; the public "scale" at the procedure's address has the
     * same name and is listed once, as the procedure. */
    struct sym_seen w = {0};
    CHECK_OK(pdb_iterate_symbols(pdb, NULL, see_sym, &w));
    CHECK(w.scale_proc && !w.scale_public && w.data);
    unsigned m = 0;
    CHECK_OK(pdb_iterate_symbols(pdb, "SC*", count_sym, &m));
    CHECK_EQ(m, 1);
    /* Lines of the procedure for uf: 13 entries in 0001:0000-00D4 (-l). */
    unsigned lines = 0;
    CHECK_OK(pdb_proc_lines(pdb, &p, count_line, &lines));
    CHECK_EQ(lines, 13);
    const struct pdb_section_map_entry *sm;
    uint32_t nsm;
    CHECK_OK(pdb_section_map_get(pdb, &sm, &nsm));
    CHECK(nsm > 0);
    uint16_t seg;
    uint32_t off;
    CHECK_OK(pdb_rva_to_addr(pdb, 0x10e5, &seg, &off));
    CHECK_EQ(seg, 1);
    CHECK_EQ(off, 0xe5);
    uint32_t mod;
    CHECK_OK(pdb_module_find_by_rva(pdb, 0x1000, &mod));
    CHECK_EQ(mod, 0);
    pdb_destroy(pdb);
}

TEST(pdb_tiny_x86_framedata)
{
    struct pdb *pdb;
    CHECK_OK(pdb_open(TINY_X86, &pdb));
    if (!pdb)
        return;
    /* llvm-pdbutil-16 dump -fpo: six nested records for scale; at its start the function-start
     * record (00001000, 225 bytes, params 8, prolog 7), after the pushes the innermost one
     * (00001007, 218 bytes, locals 20, saved registers 16). */
    struct pdb_framedata fd;
    CHECK_OK(pdb_framedata_find(pdb, 0x1000, &fd));
    CHECK_EQ(fd.rva, 0x1000);
    CHECK_EQ(fd.code_size, 225);
    CHECK_EQ(fd.prolog_size, 7);
    CHECK_EQ(fd.flags, PDB_FRAMEDATA_FUNCTION_START);
    CHECK_STR(fd.program, "$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + = ");
    CHECK_OK(pdb_framedata_find(pdb, 0x1010, &fd));
    CHECK_EQ(fd.rva, 0x1007);
    CHECK_EQ(fd.code_size, 218);
    CHECK_EQ(fd.local_size, 20);
    CHECK_EQ(fd.saved_regs_size, 16);
    CHECK(strstr(fd.program, "$esi $T0 16 - ^ =") != NULL);
    struct pdb_fpo fpo;
    struct dd_error *err = pdb_fpo_find(pdb, 0x1010, &fpo);
    CHECK(err && err->code == DD_ERR_NOT_FOUND); /* "FPO stream not present" */
    dd_error_destroy(err);
    pdb_destroy(pdb);
}

/* ---- damaged PDBs ---- */

/* The streams of a PDB, each a malloc'd copy, to be changed and written back. */
struct streams {
    uint8_t *data[64];
    uint32_t size[64];
    uint32_t n;
};

static bool streams_load(const char *path, struct streams *ret)
{
    struct msf_file *msf;
    memset(ret, 0, sizeof(*ret));
    if (msf_open_file(path, &msf))
        return false;
    ret->n = msf_stream_count(msf);
    if (ret->n > 64)
        ret->n = 64;
    for (uint32_t i = 0; i < ret->n; i++) {
        const uint8_t *d;
        uint32_t size;
        if (msf_stream_load(msf, i, &d, &size) == NULL) {
            ret->data[i] = malloc(size + 1);
            memcpy(ret->data[i], d, size);
            ret->size[i] = size;
        }
    }
    msf_destroy(msf);
    return true;
}

static void streams_free(struct streams *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        free(s->data[i]);
}

/* Writes S as an MSF 7.0 file with 512-byte blocks (LLVM "The MSF File Format"). */
static uint8_t *msf_build(const struct streams *s, size_t *ret_size)
{
    const uint32_t bs = 512;
    uint32_t nblocks = 3, dir_bytes = 4 + 4 * s->n;
    for (uint32_t i = 0; i < s->n; i++) {
        uint32_t k = (s->size[i] + bs - 1) / bs;
        nblocks += k;
        dir_bytes += 4 * k;
    }
    uint32_t dir_blocks = (dir_bytes + bs - 1) / bs;
    uint32_t total = nblocks + dir_blocks + 1;
    uint8_t *f = calloc(total, bs);
    uint8_t *dir = calloc(dir_blocks, bs);
    if (!f || !dir) {
        free(f);
        free(dir);
        return NULL;
    }
    uint32_t next = 3, pos = 4 + 4 * s->n;
    dd_put_le32(dir, s->n);
    for (uint32_t i = 0; i < s->n; i++) {
        dd_put_le32(dir + 4 + 4 * i, s->size[i]);
        for (uint32_t off = 0; off < s->size[i]; off += bs) {
            uint32_t k = s->size[i] - off < bs ? s->size[i] - off : bs;
            memcpy(f + (size_t)next * bs, s->data[i] + off, k);
            dd_put_le32(dir + pos, next++);
            pos += 4;
        }
    }
    uint32_t map = next + dir_blocks;
    for (uint32_t i = 0; i < dir_blocks; i++) {
        memcpy(f + (size_t)(next + i) * bs, dir + (size_t)i * bs, bs);
        dd_put_le32(f + (size_t)map * bs + 4 * i, next + i);
    }
    memcpy(f, "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0", 32);
    dd_put_le32(f + 32, bs);
    dd_put_le32(f + 36, 1);
    dd_put_le32(f + 40, total);
    dd_put_le32(f + 44, dir_bytes);
    dd_put_le32(f + 52, map);
    free(dir);
    *ret_size = (size_t)total * bs;
    return f;
}

/* Opens S as a PDB; returns the error (NULL on success, *ret set). */
static struct dd_error *open_streams(const struct streams *s, uint8_t **ret_buf, struct pdb **ret)
{
    size_t size;
    *ret_buf = msf_build(s, &size);
    if (!*ret_buf)
        return &dd_error_no_memory;
    return pdb_open_memory(*ret_buf, size, "damaged.pdb", ret);
}

/* Runs every lookup on PDB; none may crash, whatever they return. */
static void exercise(struct pdb *pdb)
{
    static const uint32_t rvas[] = {0, 0x1000, 0x1008, 0x1075, 0x10e5, 0x1110, 0x2000, 0xffffffff};
    for (size_t i = 0; i < sizeof(rvas) / sizeof(rvas[0]); i++) {
        struct pdb_symbol s;
        struct pdb_line l;
        struct pdb_proc p;
        struct pdb_inline_frame fr[4];
        struct pdb_framedata fd;
        uint32_t n;
        dd_error_destroy(pdb_find_symbol(pdb, rvas[i], &s));
        dd_error_destroy(pdb_find_line(pdb, rvas[i], &l));
        dd_error_destroy(pdb_inline_frames(pdb, rvas[i], fr, 4, &n));
        dd_error_destroy(pdb_framedata_find(pdb, rvas[i], &fd));
        struct dd_error *err = pdb_find_proc(pdb, rvas[i], &p);
        if (!err) {
            unsigned k = 0;
            dd_error_destroy(pdb_proc_locals(pdb, &p, count_local, &k));
        }
        dd_error_destroy(err);
    }
    struct pdb_public pub;
    dd_error_destroy(pdb_publics_find_by_name(pdb, "scale", &pub));
    unsigned k = 0;
    dd_error_destroy(pdb_iterate_symbols(pdb, "*", count_sym, &k));
}

/* Module info substream offsets in tiny_x64.pdb's DBI stream (header: 64 bytes). */
#define DBI_MODI_SIZE_AT 24u

TEST(pdb_damaged_dbi)
{
    struct streams s;
    if (!streams_load(TINY_X64, &s)) {
        check_fail(__FILE__, __LINE__, "cannot read %s", TINY_X64);
        return;
    }
    uint8_t *buf;
    struct pdb *pdb;
    /* A DBI stream cut inside its header. */
    uint32_t saved = s.size[3];
    s.size[3] = 40;
    struct dd_error *err = open_streams(&s, &buf, &pdb);
    CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "DBI"));
    dd_error_destroy(err);
    free(buf);
    s.size[3] = saved;
    /* A module info substream that claims more bytes than the stream has. */
    uint32_t modi = dd_le32(s.data[3] + DBI_MODI_SIZE_AT);
    dd_put_le32(s.data[3] + DBI_MODI_SIZE_AT, 0x7ffffff0);
    err = open_streams(&s, &buf, &pdb);
    CHECK(err && strstr(err->message, "module info substream"));
    dd_error_destroy(err);
    free(buf);
    /* A module info substream that ends inside the first module's name. */
    dd_put_le32(s.data[3] + DBI_MODI_SIZE_AT, 64 + 8);
    err = open_streams(&s, &buf, &pdb);
    CHECK(err && strstr(err->message, "module 0 name runs past the module info substream"));
    dd_error_destroy(err);
    free(buf);
    dd_put_le32(s.data[3] + DBI_MODI_SIZE_AT, modi);
    /* An old-format DBI header. */
    dd_put_le32(s.data[3], 0);
    err = open_streams(&s, &buf, &pdb);
    CHECK(err && err->code == DD_ERR_UNSUPPORTED);
    dd_error_destroy(err);
    free(buf);
    streams_free(&s);
}

TEST(pdb_damaged_info)
{
    struct streams s;
    if (!streams_load(TINY_X64, &s))
        return;
    uint8_t *buf;
    struct pdb *pdb;
    /* The named stream map claims more entries than it marks present. */
    dd_put_le32(s.data[1] + 28 + 4 + dd_le32(s.data[1] + 28), 1000);
    struct dd_error *err = open_streams(&s, &buf, &pdb);
    CHECK(err && err->code == DD_ERR_FORMAT && strstr(err->message, "named stream"));
    dd_error_destroy(err);
    free(buf);
    /* An info stream of 10 bytes. */
    s.size[1] = 10;
    err = open_streams(&s, &buf, &pdb);
    CHECK(err && strstr(err->message, "28-byte header"));
    dd_error_destroy(err);
    free(buf);
    streams_free(&s);
}

/* Finds module 0's stream number in tiny_x64.pdb's DBI (module info at 64, stream at +34). */
static uint32_t module0_stream(const struct streams *s)
{
    return dd_le16(s->data[3] + 64 + 34);
}

TEST(pdb_damaged_module_stream)
{
    struct streams s;
    if (!streams_load(TINY_X64, &s))
        return;
    uint32_t ms = module0_stream(&s);
    CHECK(ms < s.n);
    uint8_t *buf;
    struct pdb *pdb;
    /* The first record (S_OBJNAME at offset 4) claims 0xffff bytes: the module is disabled, the
     * publics still name its functions. */
    dd_put_le32(s.data[ms], 4);
    s.data[ms][4] = 0xff;
    s.data[ms][5] = 0xff;
    CHECK_OK(open_streams(&s, &buf, &pdb));
    if (pdb) {
        struct pdb_proc p;
        struct dd_error *err = pdb_find_proc(pdb, 0x1000, &p);
        CHECK(err != NULL);
        dd_error_destroy(err);
        struct pdb_symbol sym;
        CHECK_OK(pdb_find_symbol(pdb, 0x1008, &sym));
        CHECK_EQ(sym.source, PDB_SYMBOL_PUBLIC);
        CHECK_STR(sym.name, "scale");
        exercise(pdb);
        pdb_destroy(pdb);
    }
    free(buf);
    streams_free(&s);
    /* A symbol substream size past the stream's end: a specific error for that module only. */
    if (!streams_load(TINY_X64, &s))
        return;
    dd_put_le32(s.data[3] + 64 + 36, 0x10000000);
    CHECK_OK(open_streams(&s, &buf, &pdb));
    if (pdb) {
        struct pdb_proc p;
        struct dd_error *err = pdb_find_proc(pdb, 0x1000, &p);
        CHECK(err && strstr(err->message, "module 0") && strstr(err->message, "exceed its stream"));
        dd_error_destroy(err);
        CHECK(pdb_module_error(pdb, 0) != NULL);
        exercise(pdb);
        pdb_destroy(pdb);
    }
    free(buf);
    streams_free(&s);
}

/* Overwrites every 4-byte-aligned word of stream INDEX in turn with a huge count and runs all
 * lookups: counts and sizes too big must give errors or partial results. */
static void fuzz_words(uint32_t index)
{
    struct streams s;
    if (!streams_load(TINY_X64, &s))
        return;
    if (index >= s.n || !s.data[index]) {
        streams_free(&s);
        return;
    }
    for (uint32_t at = 0; at + 4 <= s.size[index]; at += 4) {
        uint32_t saved = dd_le32(s.data[index] + at);
        static const uint32_t values[] = {0xffffffff, 0x7fffffff, 0x10000};
        for (size_t v = 0; v < 3; v++) {
            dd_put_le32(s.data[index] + at, values[v]);
            uint8_t *buf;
            struct pdb *pdb = NULL;
            struct dd_error *err = open_streams(&s, &buf, &pdb);
            if (!err) {
                exercise(pdb);
                pdb_destroy(pdb);
            }
            dd_error_destroy(err);
            free(buf);
        }
        dd_put_le32(s.data[index] + at, saved);
    }
    streams_free(&s);
}

TEST(pdb_damaged_counts)
{
    struct streams s;
    if (!streams_load(TINY_X64, &s))
        return;
    uint32_t ms = module0_stream(&s);
    uint32_t publics = dd_le16(s.data[3] + 16), globals = dd_le16(s.data[3] + 12);
    uint32_t symrec = dd_le16(s.data[3] + 20), names;
    struct pdb *pdb;
    CHECK_OK(pdb_open(TINY_X64, &pdb));
    CHECK_OK(pdb_named_stream_find(pdb, "/names", &names));
    pdb_destroy(pdb);
    streams_free(&s);
    /* Every word of the info, DBI, publics, globals, symbol record, /names and module streams. */
    const uint32_t which[] = {1, 3, publics, globals, symrec, names, ms};
    for (size_t i = 0; i < sizeof(which) / sizeof(which[0]); i++)
        fuzz_words(which[i]);
}

TEST(pdb_truncated_file)
{
    FILE *f = fopen(TINY_X64, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    uint8_t *data = malloc(1 << 20);
    size_t size = fread(data, 1, 1 << 20, f);
    fclose(f);
    /* Cut the file at every block boundary: open fails or lookups fail cleanly. */
    for (size_t cut = 512; cut < size; cut += 512) {
        struct pdb *pdb;
        struct dd_error *err = pdb_open_memory(data, cut, "cut.pdb", &pdb);
        if (!err) {
            exercise(pdb);
            pdb_destroy(pdb);
        }
        dd_error_destroy(err);
    }
    free(data);
}

TEST(pdb_corpus_fpo)
{
    const char *corpus = check_corpus_dir();
    if (!corpus) {
        check_skip("shared corpus not present");
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/google-breakpad/pdb-goldens/dump_syms_regtest.pdb", corpus);
    struct pdb *pdb;
    CHECK_OK(pdb_open(path, &pdb));
    if (!pdb)
        return;
    /* FPO 00002DB0 (winnt.h FPO_DATA bits 0x1100: 1 saved register, uses EBP; Breakpad's .sym
     * prints "STACK WIN 0 2db0 46 0 0 10 4 0 0 0 1"). */
    struct pdb_fpo f;
    CHECK_OK(pdb_fpo_find(pdb, 0x2db5, &f));
    CHECK_EQ(f.rva, 0x2db0);
    CHECK_EQ(f.size, 0x46);
    CHECK_EQ(f.params, 4);
    CHECK_EQ(f.regs, 1);
    CHECK(f.use_bp);
    CHECK(!f.has_seh);
    /* llvm-pdbutil -summary: age 1; the DBI age matches. */
    CHECK_EQ(pdb_info_match_age(pdb), 1);
    pdb_destroy(pdb);
}

TEST(pdb_corpus_cross_module_inlinee)
{
    const char *corpus = check_corpus_dir();
    if (!corpus) {
        check_skip("shared corpus not present");
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/getsentry-symbolicator/symbols/crash.pdb/"
             "3249D99D0C4049318610F4E4FB0B6936ffffffff/crash.pdb", corpus);
    struct pdb *pdb;
    CHECK_OK(pdb_open(path, &pdb));
    if (!pdb)
        return;
    /* llvm-pdbutil-16 dump: module 4's S_INLINESITE at 0x1c4 has inlinee 0x80000009 (-symbols),
     * its range [0x64, 0x67) of operator= at 0x12e0 (-symbols), -xmi: import group 0 is
     * client_info.obj, item 9 0x8000139F; -xme of client_info.obj: 0x8000139F -> 0x1175;
     * -ids: 0x1175 is LF_MFUNC_ID _Tidy_init; -il: base line 3895, range line -4. */
    struct pdb_inline_frame fr[8];
    uint32_t n = 0;
    CHECK_OK(pdb_inline_frames(pdb, 0x12e0 + 0x64, fr, 8, &n));
    CHECK(n >= 1);
    if (n >= 1) {
        CHECK_EQ(fr[n - 1].inlinee, 0x80000009u);
        const char *nm = fr[n - 1].name;
        CHECK(strlen(nm) > 12 && strcmp(nm + strlen(nm) - 12, "::_Tidy_init") == 0);
        CHECK_EQ(fr[n - 1].line, 3891);
        CHECK_EQ(fr[n - 1].range_rva, 0x12e0 + 0x64);
        CHECK_EQ(fr[n - 1].range_length, 3);
    }
    pdb_destroy(pdb);
}
