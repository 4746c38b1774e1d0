/*
 * TPI/IPI type records. Expected values come from llvm-pdbutil-16 through
 * tests/unit/gen_tpi_expect.py (tests/unit/tpi_expect/NAME.txt), from the ntkrnlmp ISF of
 * volatility3 for kernel struct layouts, from the fixture's source
 * (tests/fixtures/gen/tpi_types.cpp) and, for dt's spelling, from WinDbg transcripts
 * ("+0x008 Buffer : Ptr64 Wchar", "Pos 0, 1 Bit", "[4] UChar", "Ptr64     void ").
 * Malformed streams are built here byte by byte.
 */
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/writer.h"
#include "check.h"
#include "pdb/msf.h"
#include "pdb/tpi.h"
#include "pdb/tpi_internal.h"

/* EXPR must fail with WANT_CODE. */
#define check_error(expr, want_code)                                                               \
    do {                                                                                           \
        struct dd_error *err_ = (expr);                                                            \
        CHECK(err_ != NULL);                                                                       \
        if (err_) {                                                                                \
            CHECK_EQ(err_->code, want_code);                                                       \
            dd_error_destroy(err_);                                                                \
        }                                                                                          \
    } while (0)

/* ---- expectation files ---------------------------------------------------------------------- */

struct exp_line {
    char *tok[12]; /* kind first; fixed fields; NULL-padded */
    int ntok;
    char *name; /* the rest of the line, or NULL */
};

struct exp_file {
    char *text;
    struct exp_line *lines;
    size_t n;
};

/* Fixed fields after the kind, before the free-text name (-1: all tokens, no name). */
static int exp_fixed(const char *kind)
{
    static const struct {
        const char *kind;
        int fixed;
    } table[] = {{"pdb", 1}, {"names", 1}, {"stream", 4}, {"R", 3}, {"U", 7}, {"N", 1}, {"M", 5},
                 {"C", 2},   {"P", 6},     {"A", 4},      {"B", 4}, {"Q", 3}, {"F", 7}, {"L", -1},
                 {"I", 3},   {"S", 2},     {"W", 5},      {"J", 1}, {"K", 2}, {"KF", 4}};
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].kind, kind) == 0)
            return table[i].fixed;
    return -1;
}

static bool exp_load(const char *name, struct exp_file *ret)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/tests/unit/tpi_expect/%s.txt", DD_SOURCE_ROOT, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    struct exp_file e = {malloc((size_t)size + 1), NULL, 0};
    if (fread(e.text, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(e.text);
        return false;
    }
    fclose(f);
    e.text[size] = '\0';
    size_t cap = 0;
    for (char *line = e.text; *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        if (e.n == cap) {
            cap = cap ? cap * 2 : 256;
            e.lines = realloc(e.lines, cap * sizeof(*e.lines));
        }
        struct exp_line *l = &e.lines[e.n++];
        memset(l, 0, sizeof(*l));
        char *p = line;
        char *sp = strchr(p, ' ');
        l->tok[l->ntok++] = p;
        if (sp) {
            *sp = '\0';
            p = sp + 1;
            int fixed = exp_fixed(l->tok[0]);
            while (p && (fixed < 0 || l->ntok <= fixed) && l->ntok < 12) {
                sp = strchr(p, ' ');
                l->tok[l->ntok++] = p;
                if (sp)
                    *sp = '\0';
                p = sp ? sp + 1 : NULL;
            }
            l->name = fixed >= 0 ? p : NULL;
        }
        if (!end)
            break;
        line = end + 1;
    }
    *ret = e;
    return true;
}

static void exp_free(struct exp_file *e)
{
    free(e->lines);
    free(e->text);
}

static uint32_t hex(const char *s)
{
    return (uint32_t)strtoul(s, NULL, 16);
}

static uint64_t dec(const char *s)
{
    return strtoull(s, NULL, 10);
}

/* ---- opening the PDB an expectation file names ---------------------------------------------- */

static struct msf_file *exp_open_pdb(const struct exp_file *e, bool *skipped)
{
    *skipped = false;
    if (e->n == 0 || strcmp(e->lines[0].tok[0], "pdb") != 0)
        return NULL;
    char path[4096];
    if (strcmp(e->lines[0].tok[1], "corpus") == 0) {
        const char *corpus = check_corpus_dir();
        if (!corpus) {
            *skipped = true;
            return NULL;
        }
        snprintf(path, sizeof(path), "%s/%s", corpus, e->lines[0].name);
    } else {
        snprintf(path, sizeof(path), "%s/%s", check_fixtures_dir(), e->lines[0].name);
    }
    struct msf_file *msf = NULL;
    CHECK_OK(msf_open_file(path, &msf));
    return msf;
}

/* ---- field lists: expected entries, concatenated along LF_INDEX chains ---------------------- */

struct field_seen {
    struct pdb_type_field *v;
    size_t n, cap;
};

static struct dd_error *collect_field(void *ctx, const struct pdb_type_field *f)
{
    struct field_seen *s = ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->v = realloc(s->v, s->cap * sizeof(*s->v));
    }
    s->v[s->n++] = *f;
    return NULL;
}

/* Appends to OUT the M lines of field list FL and of the lists it continues into. */
static bool expected_fields(const struct exp_file *e, size_t from, size_t to, uint32_t fl,
                            const struct exp_line ***out, size_t *n, int depth)
{
    bool any = false;
    uint32_t next = 0;
    for (size_t i = from; i < to; i++) {
        const struct exp_line *l = &e->lines[i];
        if (strcmp(l->tok[0], "M") == 0 && hex(l->tok[1]) == fl) {
            *out = realloc(*out, (*n + 1) * sizeof(**out));
            (*out)[(*n)++] = l;
            any = true;
        } else if (strcmp(l->tok[0], "C") == 0 && hex(l->tok[1]) == fl) {
            next = hex(l->tok[2]);
        }
    }
    if (next && depth < 16)
        return expected_fields(e, from, to, next, out, n, depth + 1) && any;
    return any;
}

static void check_field_list(struct pdb_types *t, const struct exp_file *e, size_t from, size_t to,
                             uint32_t fl)
{
    const struct exp_line **want = NULL;
    size_t nwant = 0;
    if (!expected_fields(e, from, to, fl, &want, &nwant, 0)) {
        free(want);
        return; /* part of the chain is not in the expectations (a long list) */
    }
    struct field_seen got = {0};
    CHECK_OK(pdb_types_iterate_fields(t, fl, collect_field, &got));
    CHECK_EQ(got.n, nwant);
    for (size_t i = 0; i < got.n && i < nwant; i++) {
        const struct exp_line *l = want[i];
        const struct pdb_type_field *f = &got.v[i];
        const char *leaf = pdb_leaf_name(f->leaf);
        if (!leaf || strcmp(leaf, l->tok[2]) != 0) {
            CHECK_STR(leaf, l->tok[2]);
            continue;
        }
        if (strcmp(l->tok[3], "-") != 0)
            CHECK_EQ(f->type, hex(l->tok[3]));
        if (strcmp(l->tok[4], "-") != 0)
            CHECK_EQ(f->offset, dec(l->tok[4]));
        if (strcmp(l->tok[5], "-") != 0) {
            int64_t v = strtoll(l->tok[5], NULL, 10);
            if (f->leaf == PDB_LF_ONEMETHOD)
                CHECK_EQ(f->vtable_offset, v);
            else if (l->tok[5][0] == '-')
                CHECK_EQ((int64_t)f->value.value, v);
            else
                CHECK_EQ(f->value.value, strtoull(l->tok[5], NULL, 10));
        }
        if (l->name && strcmp(l->name, "-") != 0)
            CHECK_STR(f->name, l->name);
    }
    free(got.v);
    free(want);
}

/* ---- one stream section of an expectation file ---------------------------------------------- */

static const char *leaf_text(uint16_t leaf)
{
    const char *s = pdb_leaf_name(leaf);
    return s ? s : "?";
}

static void check_line(struct pdb_types *t, const struct exp_file *e, size_t from, size_t to,
                       const struct exp_line *l)
{
    const char *k = l->tok[0];
    uint32_t ti = l->ntok > 1 ? hex(l->tok[1]) : 0;
    struct pdb_type type;
    if (strcmp(k, "R") == 0) {
        struct pdb_type_record rec;
        CHECK_OK(pdb_types_record(t, ti, &rec));
        CHECK_STR(leaf_text(rec.leaf), l->tok[2]);
        if (strcmp(l->tok[3], "-") != 0) {
            uint32_t stored = 0, computed = 0;
            CHECK_OK(pdb_types_stored_hash(t, ti, &stored));
            CHECK_EQ(stored, hex(l->tok[3]));
            CHECK_OK(pdb_types_hash_record(t, ti, &computed));
            CHECK_EQ(computed % pdb_types_header(t)->num_buckets, hex(l->tok[3]));
        }
        return;
    }
    if (strcmp(k, "C") == 0 || strcmp(k, "J") == 0 || strcmp(k, "K") == 0 || strcmp(k, "KF") == 0)
        return;
    if (strcmp(k, "M") == 0) {
        /* Check each list once, at the first line of the head of its chain. */
        if (l == e->lines || strcmp(l[-1].tok[0], "M") != 0 || hex(l[-1].tok[1]) != ti) {
            bool continued = false;
            for (size_t i = from; i < to; i++)
                if (strcmp(e->lines[i].tok[0], "C") == 0 && hex(e->lines[i].tok[2]) == ti)
                    continued = true;
            if (!continued)
                check_field_list(t, e, from, to, ti);
        }
        return;
    }
    struct dd_error *err = pdb_types_get(t, ti, &type);
    CHECK_OK(err);
    if (err)
        return;
    if (strcmp(k, "U") == 0) {
        CHECK_STR(leaf_text(type.leaf), l->tok[2]);
        bool fwd = type.u.udt.props & PDB_PROP_FWDREF;
        CHECK_EQ(fwd, dec(l->tok[3]));
        uint32_t def = 0;
        CHECK_OK(pdb_types_resolve_forward(t, ti, &def));
        if (fwd)
            CHECK_EQ(def, strcmp(l->tok[4], "-") == 0 ? ti : hex(l->tok[4]));
        else
            CHECK_EQ(def, ti);
        if (strcmp(l->tok[5], "-") != 0)
            CHECK_EQ(type.u.udt.size, dec(l->tok[5]));
        CHECK_EQ(type.u.udt.field_list, hex(l->tok[6]));
        if (strcmp(l->tok[7], "-") != 0)
            CHECK_EQ(type.u.udt.underlying, hex(l->tok[7]));
        CHECK_STR(type.name, l->name ? l->name : "");
    } else if (strcmp(k, "N") == 0) {
        CHECK_STR(type.unique_name, l->name);
    } else if (strcmp(k, "P") == 0) {
        CHECK_EQ(type.leaf, PDB_LF_POINTER);
        CHECK_EQ(type.u.pointer.referent, hex(l->tok[2]));
        if (dec(l->tok[3]))
            CHECK_EQ(type.u.pointer.size, dec(l->tok[3]));
        CHECK_EQ(type.u.pointer.mode, dec(l->tok[4]));
        CHECK_EQ(type.u.pointer.is_const, dec(l->tok[5]));
        CHECK_EQ(type.u.pointer.is_volatile, dec(l->tok[6]));
    } else if (strcmp(k, "A") == 0) {
        CHECK_EQ(type.u.array.element, hex(l->tok[2]));
        CHECK_EQ(type.u.array.index_type, hex(l->tok[3]));
        CHECK_EQ(type.u.array.size, dec(l->tok[4]));
    } else if (strcmp(k, "B") == 0) {
        CHECK_EQ(type.u.bitfield.type, hex(l->tok[2]));
        CHECK_EQ(type.u.bitfield.position, dec(l->tok[3]));
        CHECK_EQ(type.u.bitfield.length, dec(l->tok[4]));
    } else if (strcmp(k, "Q") == 0) {
        CHECK_EQ(type.u.modifier.type, hex(l->tok[2]));
        CHECK_EQ(type.u.modifier.flags & 7, dec(l->tok[3]));
    } else if (strcmp(k, "F") == 0) {
        CHECK_EQ(type.u.proc.return_type, hex(l->tok[2]));
        CHECK_EQ(type.u.proc.param_count, dec(l->tok[3]));
        CHECK_EQ(type.u.proc.arg_list, hex(l->tok[4]));
        if (strcmp(l->tok[5], "-") != 0) {
            CHECK_EQ(type.u.proc.class_type, hex(l->tok[5]));
            CHECK_EQ(type.u.proc.this_type, hex(l->tok[6]));
            CHECK_EQ(type.u.proc.this_adjust, strtol(l->tok[7], NULL, 10));
        }
    } else if (strcmp(k, "L") == 0) {
        CHECK_EQ(type.u.list.count, dec(l->tok[2]));
        for (int i = 3; i < l->ntok && l->tok[i][0]; i++)
            CHECK_EQ(pdb_type_list_item(&type, (uint32_t)i - 3), hex(l->tok[i]));
    } else if (strcmp(k, "I") == 0) {
        CHECK_EQ(type.u.func_id.type, hex(l->tok[2]));
        CHECK_EQ(type.u.func_id.scope, hex(l->tok[3]));
        CHECK_STR(type.name, l->name);
    } else if (strcmp(k, "S") == 0) {
        CHECK_EQ(type.u.string_id.substrings, hex(l->tok[2]));
        CHECK_STR(type.name, l->name ? l->name : "");
    } else if (strcmp(k, "W") == 0) {
        CHECK_EQ(type.u.udt_src_line.udt, hex(l->tok[2]));
        CHECK_EQ(type.u.udt_src_line.source, dec(l->tok[3]));
        CHECK_EQ(type.u.udt_src_line.line, dec(l->tok[4]));
        if (strcmp(l->tok[5], "-") != 0)
            CHECK_EQ(type.u.udt_src_line.module, dec(l->tok[5]));
    } else {
        check_fail(__FILE__, __LINE__, "unknown expectation line kind %s", k);
    }
}

/* The /names string table (PDB "/names" named stream: magic 0xEFFEEFFE, version, byte count,
 * then the strings), for the hash adjusters' name offsets. */
struct names_table {
    const uint8_t *data;
    uint32_t size;
};

static const char *names_lookup(void *ctx, uint32_t offset)
{
    const struct names_table *n = ctx;
    if (offset >= n->size || !memchr(n->data + offset, 0, n->size - offset))
        return NULL;
    return (const char *)n->data + offset;
}

static void check_expect_file(const char *name)
{
    struct exp_file e;
    if (!exp_load(name, &e)) {
        check_fail(__FILE__, __LINE__, "cannot read expectations %s", name);
        return;
    }
    bool skipped;
    struct msf_file *msf = exp_open_pdb(&e, &skipped);
    if (!msf) {
        if (skipped)
            check_skip("shared corpus not present");
        exp_free(&e);
        return;
    }
    struct names_table names = {NULL, 0};
    for (size_t i = 0; i < e.n; i++) {
        if (strcmp(e.lines[i].tok[0], "names") != 0)
            continue;
        const uint8_t *data;
        uint32_t size;
        CHECK_OK(msf_stream_load(msf, (uint32_t)dec(e.lines[i].tok[1]), &data, &size));
        if (size >= 12 && dd_le32(data) == 0xeffeeffeu && dd_le32(data + 8) <= size - 12) {
            names.data = data + 12;
            names.size = dd_le32(data + 8);
        }
    }
    for (size_t i = 0; i < e.n; i++) {
        if (strcmp(e.lines[i].tok[0], "stream") != 0)
            continue;
        size_t end = i + 1;
        while (end < e.n && strcmp(e.lines[end].tok[0], "stream") != 0)
            end++;
        struct pdb_types *t = NULL;
        CHECK_OK(pdb_types_open(msf, (uint32_t)dec(e.lines[i].tok[1]), &t));
        if (!t)
            break;
        const struct pdb_types_header *h = pdb_types_header(t);
        CHECK_EQ(h->index_begin, hex(e.lines[i].tok[2]));
        CHECK_EQ(h->index_end, hex(e.lines[i].tok[3]));
        CHECK_EQ(h->num_buckets, dec(e.lines[i].tok[4]));
        for (size_t j = i + 1; j < end; j++)
            check_line(t, &e, i + 1, end, &e.lines[j]);
        /* Hash adjusters: with the string table, the named record wins. */
        pdb_types_set_string_table(t, names_lookup, &names);
        for (size_t j = i + 1; j < end; j++) {
            if (strcmp(e.lines[j].tok[0], "J") != 0)
                continue;
            uint32_t found = 0;
            CHECK_OK(pdb_types_find_by_name(t, e.lines[j].name, 0, &found));
            CHECK_EQ(found, hex(e.lines[j].tok[1]));
        }
        /* The walk to each record stays within one ~8 KB index-offset chunk: lazy. */
        CHECK(!pdb_types_get_stats(t).full_offset_table);
        pdb_types_destroy(t);
        i = end - 1;
    }
    msf_destroy(msf);
    exp_free(&e);
}

TEST(tpi_pdbutil_fixture_types)
{
    check_expect_file("tpi_types");
}
TEST(tpi_pdbutil_fixture_crash_null_write)
{
    check_expect_file("crash_null_write");
}
TEST(tpi_pdbutil_corpus_regtest64)
{
    check_expect_file("dump_syms_regtest64");
}
TEST(tpi_pdbutil_corpus_crash_x86)
{
    check_expect_file("crash_x86");
}
TEST(tpi_pdbutil_corpus_amdppm)
{
    check_expect_file("amdppm");
}

/* ---- opening PDBs directly ------------------------------------------------------------------ */

static struct pdb_types *open_types(const char *path, uint32_t stream, struct msf_file **msf)
{
    struct pdb_types *t = NULL;
    *msf = NULL;
    CHECK_OK(msf_open_file(path, msf));
    if (!*msf)
        return NULL;
    CHECK_OK(pdb_types_open(*msf, stream, &t));
    return t;
}

static const char *corpus_path(const char *rel, char *buf, size_t size)
{
    const char *corpus = check_corpus_dir();
    if (!corpus)
        return NULL;
    snprintf(buf, size, "%s/%s", corpus, rel);
    return buf;
}

#define FIXTURE_PDB DD_SOURCE_ROOT "/tests/fixtures/tpi/tpi_types.pdb"
#define REGTEST64 "user/google-breakpad/pdb-goldens/dump_syms_regtest64.pdb"
#define CRASH_X86                                                                                  \
    "user/getsentry-symbolicator/symbols/crash.pdb/3249D99D0C4049318610F4E4FB0B6936ffffffff/"      \
    "crash.pdb"
#define AMDPPM                                                                                     \
    "kernel/rizin-test-pdb-repository/amdppm.pdb/1C19FDDB27BB3399D9B45973EFEAFCF31/amdppm.pdb"

/* ---- every stored hash equals the hash computed from the record (MSVC's and lld's writers) -- */

static void check_all_hashes(const char *path, uint32_t stream)
{
    struct msf_file *msf;
    struct pdb_types *t = open_types(path, stream, &msf);
    if (t) {
        const struct pdb_types_header *h = pdb_types_header(t);
        CHECK(pdb_types_get_stats(t).has_hash);
        uint32_t bad = 0;
        for (uint32_t ti = h->index_begin; ti < h->index_end; ti++) {
            uint32_t stored = 0, computed = 0;
            CHECK_OK(pdb_types_stored_hash(t, ti, &stored));
            CHECK_OK(pdb_types_hash_record(t, ti, &computed));
            if (computed % h->num_buckets != stored && bad++ < 5)
                check_fail(__FILE__, __LINE__, "%s stream %u type 0x%x: hash %x, stored %x", path,
                           stream, ti, computed % h->num_buckets, stored);
        }
        pdb_types_destroy(t);
    }
    msf_destroy(msf);
}

TEST(tpi_hash_values_match_records)
{
    check_all_hashes(FIXTURE_PDB, PDB_TYPES_TPI);
    check_all_hashes(FIXTURE_PDB, PDB_TYPES_IPI);
    char buf[4096];
    static const char *const corpus[] = {REGTEST64, CRASH_X86, AMDPPM};
    if (!check_corpus_dir()) {
        check_skip("shared corpus not present");
        return;
    }
    for (size_t i = 0; i < 3; i++) {
        check_all_hashes(corpus_path(corpus[i], buf, sizeof(buf)), PDB_TYPES_TPI);
        check_all_hashes(corpus_path(corpus[i], buf, sizeof(buf)), PDB_TYPES_IPI);
    }
}

/* ---- find by name: the hash bucket gives what a full scan gives, touching only the bucket --- */

struct udt_list {
    struct pdb_type *v;
    size_t n, cap;
};

static struct dd_error *collect_udt(void *ctx, const struct pdb_type *type)
{
    struct udt_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = realloc(l->v, l->cap * sizeof(*l->v));
    }
    l->v[l->n++] = *type;
    return NULL;
}

/* LLVM TpiHashing isAnonymous: these definitions are hashed by their bytes, not by name. */
static bool anonymous(const char *name)
{
    size_t n = strlen(name);
    return strcmp(name, "<unnamed-tag>") == 0 || strcmp(name, "__unnamed") == 0 ||
           (n > 15 && strcmp(name + n - 15, "::<unnamed-tag>") == 0) ||
           (n > 11 && strcmp(name + n - 11, "::__unnamed") == 0);
}

static void check_find_by_name(const char *path)
{
    struct msf_file *msf;
    struct pdb_types *t = open_types(path, PDB_TYPES_TPI, &msf);
    if (!t) {
        msf_destroy(msf);
        return;
    }
    const struct pdb_types_header *h = pdb_types_header(t);
    /* Bucket sizes, from the stored hash values. */
    uint32_t *bucket_size = calloc(h->num_buckets, sizeof(uint32_t));
    for (uint32_t ti = h->index_begin; ti < h->index_end; ti++) {
        uint32_t b = 0;
        CHECK_OK(pdb_types_stored_hash(t, ti, &b));
        if (b < h->num_buckets)
            bucket_size[b]++;
    }
    struct udt_list all = {0};
    CHECK_OK(pdb_types_scan_names(t, NULL, PDB_TYPES_SCAN_DEFINITIONS, collect_udt, &all));
    CHECK(all.n > 0);
    size_t checked = 0;
    for (size_t i = 0; i < all.n; i++) {
        const struct pdb_type *u = &all.v[i];
        bool is_anon = (u->u.udt.props & PDB_PROP_UNIQUE_NAME) && anonymous(u->name);
        if ((u->u.udt.props & PDB_PROP_SCOPED) || is_anon)
            continue; /* hashed by unique name or bytes: not findable by name */
        /* The scan's answer: the first definition with exactly this name. */
        uint32_t want = 0;
        for (size_t j = 0; j < all.n && !want; j++)
            if (strcmp(all.v[j].name, u->name) == 0)
                want = all.v[j].index;
        struct pdb_types_stats before = pdb_types_get_stats(t);
        uint32_t got = 0;
        CHECK_OK(pdb_types_find_by_name(t, u->name, 0, &got));
        struct pdb_types_stats after = pdb_types_get_stats(t);
        CHECK_EQ(got, want);
        CHECK_EQ(after.full_scans, before.full_scans);
        uint32_t bucket = pdb_types_hash_name(u->name, strlen(u->name)) % h->num_buckets;
        CHECK(after.hash_candidates - before.hash_candidates <= bucket_size[bucket]);
        CHECK(after.records_decoded - before.records_decoded <= bucket_size[bucket]);
        checked++;
    }
    CHECK(checked > 0);
    CHECK(!pdb_types_get_stats(t).full_offset_table);
    free(all.v);
    free(bucket_size);
    pdb_types_destroy(t);
    msf_destroy(msf);
}

TEST(tpi_find_by_name_uses_only_the_bucket)
{
    check_find_by_name(FIXTURE_PDB);
    char buf[4096];
    if (!check_corpus_dir()) {
        check_skip("shared corpus not present");
        return;
    }
    check_find_by_name(corpus_path(REGTEST64, buf, sizeof(buf)));
    check_find_by_name(corpus_path(CRASH_X86, buf, sizeof(buf)));
    check_find_by_name(corpus_path(AMDPPM, buf, sizeof(buf)));
}

TEST(tpi_find_by_name_case_and_forward)
{
    struct msf_file *msf;
    struct pdb_types *t = open_types(FIXTURE_PDB, PDB_TYPES_TPI, &msf);
    if (!t)
        return;
    uint32_t exact = 0, folded = 0, fwd = 0;
    /* dt matches type names without regard to case (dt nt!_ksemaphore). */
    CHECK_OK(pdb_types_find_by_name(t, "_LIST_ENTRY", 0, &exact));
    CHECK_OK(pdb_types_find_by_name(t, "_list_entry", 0, &folded));
    CHECK_EQ(exact, folded);
    struct pdb_type type;
    CHECK_OK(pdb_types_get(t, exact, &type));
    CHECK(!(type.u.udt.props & PDB_PROP_FWDREF));
    /* Inner is only declared: found only when a forward reference is acceptable (by a scan). */
    struct dd_error *err = pdb_types_find_by_name(t, "Inner", 0, &fwd);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    CHECK_OK(pdb_types_find_by_name(t, "Inner", PDB_TYPES_FIND_FORWARD, &fwd));
    CHECK_OK(pdb_types_get(t, fwd, &type));
    CHECK(type.u.udt.props & PDB_PROP_FWDREF);
    uint32_t same = 0;
    CHECK_OK(pdb_types_resolve_forward(t, fwd, &same));
    CHECK_EQ(same, fwd);
    /* Wildcards scan: dt tpi_types!*ing* */
    struct udt_list found = {0};
    CHECK_OK(pdb_types_scan_names(t, "*_string", PDB_TYPES_SCAN_DEFINITIONS, collect_udt, &found));
    CHECK_EQ(found.n, 1);
    if (found.n == 1)
        CHECK_STR(found.v[0].name, "_UNICODE_STRING");
    found.n = 0;
    /* With forward references: the declaration of ns::Thing comes first, then its definition. */
    CHECK_OK(pdb_types_scan_names(t, "NS::*", 0, collect_udt, &found));
    CHECK_EQ(found.n, 2);
    if (found.n == 2) {
        CHECK(found.v[0].u.udt.props & PDB_PROP_FWDREF);
        CHECK_STR(found.v[1].name, "ns::Thing");
    }
    free(found.v);
    pdb_types_destroy(t);
    msf_destroy(msf);
}

/* ---- dt's type column, dt -v, the C spelling, sizeof (fixture: tpi_types.cpp) -------------- */

struct member_names {
    struct pdb_types *t;
    const char *member;
    enum pdb_types_name_style style;
    struct dd_strbuf out;
    uint32_t type;
    bool found;
};

static struct dd_error *name_member(void *ctx, const struct pdb_type_field *f)
{
    struct member_names *m = ctx;
    if (f->leaf != PDB_LF_MEMBER || strcmp(f->name, m->member) != 0)
        return NULL;
    m->found = true;
    m->type = f->type;
    struct dd_error *err = pdb_types_name(m->t, f->type, m->style, &m->out);
    return err ? err : &dd_error_stop;
}

/* The name of member MEMBER of UDT in STYLE. */
static void check_member_name(struct pdb_types *t, const char *udt, const char *member,
                              enum pdb_types_name_style style, const char *want)
{
    uint32_t index = 0;
    CHECK_OK(pdb_types_find_by_name(t, udt, 0, &index));
    struct member_names m = {t, member, style, {0}, 0, false};
    CHECK_OK(pdb_types_iterate_fields(t, index, name_member, &m));
    if (!m.found)
        check_fail(__FILE__, __LINE__, "%s has no member %s", udt, member);
    else if (!m.out.data || strcmp(m.out.data, want) != 0)
        check_fail(__FILE__, __LINE__, "%s.%s style %d: \"%s\" != \"%s\"", udt, member, style,
                   m.out.data ? m.out.data : "", want);
    dd_strbuf_deinit(&m.out);
}

TEST(tpi_names_dt_style)
{
    struct msf_file *msf;
    struct pdb_types *t = open_types(FIXTURE_PDB, PDB_TYPES_TPI, &msf);
    if (!t)
        return;
    static const struct {
        const char *member, *dt;
    } dt[] = {
        {"c", "Char"},
        {"sc", "Char"},
        {"uc", "UChar"},
        {"s", "Int2B"},
        {"us", "Uint2B"},
        {"i", "Int4B"},
        {"ui", "Uint4B"},
        {"l", "Int4B"},
        {"ul", "Uint4B"},
        {"ll", "Int8B"},
        {"ull", "Uint8B"},
        {"f", "Float"},
        {"d", "Float"},
        {"b", "Bool"},
        {"wc", "Wchar"},
        {"pv", "Ptr64 Void"},
        {"pcc", "Ptr64 Char"},
        {"pvi", "Ptr64 Int4B"},
        {"ppi", "Ptr64 Ptr64 Int4B"},
        {"arr", "[4] Int4B"},
        {"grid", "[2] [3] UChar"},
        {"parr", "Ptr64 [16] Char"},
        {"list", "_LIST_ENTRY"},
        {"name", "_UNICODE_STRING"},
        {"color", "Color"},
        {"big", "Big"},
        {"value", "Value"},
        {"bits", "Bits"},
        {"callback", "Ptr64     void "},
        {"cb2", "Ptr64     long "},
        {"cb3", "Ptr64     void* "},
        {"inner", "Ptr64 Inner"},
        {"lists", "[3] Ptr64 _LIST_ENTRY"},
        {"anon_struct", "Everything::<unnamed-type-anon_struct>"},
    };
    for (size_t i = 0; i < sizeof(dt) / sizeof(dt[0]); i++)
        check_member_name(t, "Everything", dt[i].member, PDB_TYPES_NAME_DT, dt[i].dt);
    check_member_name(t, "_UNICODE_STRING", "Buffer", PDB_TYPES_NAME_DT, "Ptr64 Wchar");
    check_member_name(t, "_LIST_ENTRY", "Flink", PDB_TYPES_NAME_DT, "Ptr64 _LIST_ENTRY");
    check_member_name(t, "Bits", "a", PDB_TYPES_NAME_DT, "Pos 0, 1 Bit");
    check_member_name(t, "Bits", "b", PDB_TYPES_NAME_DT, "Pos 1, 3 Bits");
    check_member_name(t, "Bits", "c", PDB_TYPES_NAME_DT, "Pos 0, 40 Bits");
    check_member_name(t, "Derived", "mode", PDB_TYPES_NAME_DT, "Derived::Mode");

    /* dt -v */
    check_member_name(t, "Everything", "list", PDB_TYPES_NAME_DT_VERBOSE,
                      "struct _LIST_ENTRY, 2 elements, 0x10 bytes");
    check_member_name(t, "Everything", "pv", PDB_TYPES_NAME_DT_VERBOSE, "Ptr64 to Void");
    check_member_name(t, "Everything", "inner", PDB_TYPES_NAME_DT_VERBOSE,
                      "Ptr64 to struct Inner, 0 elements, 0x0 bytes");
    check_member_name(t, "Everything", "value", PDB_TYPES_NAME_DT_VERBOSE,
                      "union Value, 3 elements, 0x8 bytes");
    check_member_name(t, "Everything", "color", PDB_TYPES_NAME_DT_VERBOSE,
                      "Enum Color,  3 total enums");
    check_member_name(t, "Everything", "grid", PDB_TYPES_NAME_DT_VERBOSE, "[2] [3] UChar");
    check_member_name(t, "Bits", "a", PDB_TYPES_NAME_DT_VERBOSE, "Bitfield Pos 0, 1 Bit");

    /* ?? spelling */
    static const struct {
        const char *member, *c;
    } c[] = {
        {"c", "char"},
        {"uc", "unsigned char"},
        {"ul", "unsigned long"},
        {"i", "int"},
        {"ull", "unsigned int64"},
        {"ll", "int64"},
        {"wc", "wchar_t"},
        {"b", "bool"},
        {"d", "double"},
        {"pv", "void *"},
        {"pcc", "char *"},
        {"ppi", "int **"},
        {"arr", "int [4]"},
        {"grid", "unsigned char [2][3]"},
        {"parr", "char (*)[16]"},
        {"list", "struct _LIST_ENTRY"},
        {"value", "union Value"},
        {"color", "Color"},
        {"callback", "<function> *"},
        {"lists", "struct _LIST_ENTRY *[3]"},
        {"inner", "struct Inner *"},
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++)
        check_member_name(t, "Everything", c[i].member, PDB_TYPES_NAME_C, c[i].c);

    /* Simple indices (cvinfo.h): 0x0074 int, 0x0603 void* 64-bit, 0x0470 char* 32-bit. */
    struct dd_strbuf sb = {0};
    CHECK_OK(pdb_types_name(t, 0x0603, PDB_TYPES_NAME_DT, &sb));
    CHECK_STR(sb.data, "Ptr64 Void");
    dd_strbuf_reset(&sb);
    CHECK_OK(pdb_types_name(t, 0x0470, PDB_TYPES_NAME_DT, &sb));
    CHECK_STR(sb.data, "Ptr32 Char");
    dd_strbuf_reset(&sb);
    CHECK_OK(pdb_types_name(t, 0x0074, PDB_TYPES_NAME_C, &sb));
    CHECK_STR(sb.data, "int");
    dd_strbuf_reset(&sb);
    CHECK_OK(pdb_types_name(t, 0x0671, PDB_TYPES_NAME_C, &sb));
    CHECK_STR(sb.data, "wchar_t *");
    dd_strbuf_reset(&sb);
    struct dd_error *err = pdb_types_name(t, 0x00ee, PDB_TYPES_NAME_DT, &sb);
    CHECK(err != NULL);
    dd_error_destroy(err);
    CHECK_STR(sb.data, "<error>");
    dd_strbuf_deinit(&sb);
    pdb_types_destroy(t);
    msf_destroy(msf);
}

static uint64_t size_of_name(struct pdb_types *t, const char *name)
{
    uint32_t index = 0;
    uint64_t size = 0;
    CHECK_OK(pdb_types_find_by_name(t, name, PDB_TYPES_FIND_FORWARD, &index));
    CHECK_OK(pdb_types_size_of(t, index, &size));
    return size;
}

TEST(tpi_size_of)
{
    struct msf_file *msf;
    struct pdb_types *t = open_types(FIXTURE_PDB, PDB_TYPES_TPI, &msf);
    if (!t)
        return;
    /* From tpi_types.cpp under the x64 MSVC ABI. */
    CHECK_EQ(size_of_name(t, "_LIST_ENTRY"), 16);
    CHECK_EQ(size_of_name(t, "_UNICODE_STRING"), 16);
    CHECK_EQ(size_of_name(t, "Color"), 2); /* enum : short */
    CHECK_EQ(size_of_name(t, "Big"), 8);
    CHECK_EQ(size_of_name(t, "Value"), 8);
    CHECK_EQ(size_of_name(t, "Bits"), 24);
    CHECK_EQ(size_of_name(t, "Huge"), 3000 * 4);
    CHECK_EQ(size_of_name(t, "Inner"), 0); /* never defined */
    uint64_t size = 0;
    CHECK_OK(pdb_types_size_of(t, 0x0074, &size));
    CHECK_EQ(size, 4);
    CHECK_OK(pdb_types_size_of(t, 0x0603, &size));
    CHECK_EQ(size, 8);
    CHECK_OK(pdb_types_size_of(t, 0x0023, &size));
    CHECK_EQ(size, 8);
    /* The forward reference to Derived sizes as its definition: vfptr, base_value, nested,
     * mode. */
    struct udt_list fwd = {0};
    CHECK_OK(pdb_types_scan_names(t, "Derived", 0, collect_udt, &fwd));
    CHECK(fwd.n >= 1 && (fwd.v[0].u.udt.props & PDB_PROP_FWDREF));
    if (fwd.n >= 1) {
        CHECK_OK(pdb_types_size_of(t, fwd.v[0].index, &size));
        CHECK_EQ(size, 24);
    }
    free(fwd.v);
    pdb_types_destroy(t);
    msf_destroy(msf);
}

static uint32_t member_type(struct pdb_types *t, const char *udt, const char *member)
{
    uint32_t index = 0;
    CHECK_OK(pdb_types_find_by_name(t, udt, 0, &index));
    struct member_names m = {t, member, PDB_TYPES_NAME_DT, {0}, 0, false};
    CHECK_OK(pdb_types_iterate_fields(t, index, name_member, &m));
    CHECK(m.found);
    dd_strbuf_deinit(&m.out);
    return m.type;
}

TEST(tpi_value_helpers)
{
    struct msf_file *msf;
    struct pdb_types *t = open_types(FIXTURE_PDB, PDB_TYPES_TPI, &msf);
    if (!t)
        return;
    /* enum Color : short { Red = -1, Green = 7, Blue = 0x7fff } */
    uint32_t color = 0, big = 0;
    const char *name = NULL;
    CHECK_OK(pdb_types_find_by_name(t, "Color", 0, &color));
    CHECK_OK(pdb_types_enum_name(t, color, UINT64_MAX, &name));
    CHECK_STR(name, "Red");
    CHECK_OK(pdb_types_enum_name(t, color, 0xffff, &name));
    CHECK_STR(name, "Red");
    CHECK_OK(pdb_types_enum_name(t, color, 7, &name));
    CHECK_STR(name, "Green");
    check_error(pdb_types_enum_name(t, color, 8, &name), DD_ERR_NOT_FOUND);
    CHECK_OK(pdb_types_find_by_name(t, "Big", 0, &big));
    CHECK_OK(pdb_types_enum_name(t, big, 0xfedcba9876543210ull, &name));
    CHECK_STR(name, "Huge");
    /* const char *pcc: the pointer is its own underlying type; its referent is const char. */
    uint32_t pcc = member_type(t, "Everything", "pcc"), under = 0;
    CHECK_OK(pdb_types_underlying(t, pcc, &under));
    CHECK_EQ(under, pcc);
    struct pdb_type ptr;
    CHECK_OK(pdb_types_get(t, pcc, &ptr));
    CHECK_OK(pdb_types_underlying(t, ptr.u.pointer.referent, &under));
    CHECK_EQ(under, 0x0070); /* T_RCHAR */
    /* A member typed by a forward reference: the underlying type is the definition. */
    uint32_t list = member_type(t, "Everything", "list"), def = 0;
    CHECK_OK(pdb_types_underlying(t, list, &under));
    CHECK_OK(pdb_types_find_by_name(t, "_LIST_ENTRY", 0, &def));
    CHECK_EQ(under, def);
    uint64_t n = 0;
    CHECK_OK(pdb_types_array_length(t, member_type(t, "Everything", "arr"), &n));
    CHECK_EQ(n, 4);
    CHECK_OK(pdb_types_array_length(t, member_type(t, "Everything", "grid"), &n));
    CHECK_EQ(n, 2);
    check_error(pdb_types_array_length(t, list, &n), DD_ERR_UNSUPPORTED);
    CHECK_EQ(pdb_primitive_class(0x74), PDB_PRIM_SIGNED);
    CHECK_EQ(pdb_primitive_class(0x22), PDB_PRIM_UNSIGNED);
    CHECK_EQ(pdb_primitive_class(0x70), PDB_PRIM_CHAR);
    CHECK_EQ(pdb_primitive_class(0x71), PDB_PRIM_WCHAR);
    CHECK_EQ(pdb_primitive_class(0x30), PDB_PRIM_BOOL);
    CHECK_EQ(pdb_primitive_class(0x41), PDB_PRIM_REAL);
    CHECK_EQ(pdb_primitive_class(0x03), PDB_PRIM_VOID);
    CHECK_EQ(pdb_primitive_class(0xee), PDB_PRIM_UNKNOWN);
    pdb_types_destroy(t);
    msf_destroy(msf);
}

/* ---- struct Huge: a field list of 3,000 members split by LF_INDEX (from the source) ---------- */

struct huge_check {
    uint32_t n;
    uint32_t bad;
};

static struct dd_error *huge_member(void *ctx, const struct pdb_type_field *f)
{
    struct huge_check *h = ctx;
    char want[64];
    snprintf(want, sizeof(want), "member_with_a_rather_long_name_%04u", h->n);
    if (f->leaf != PDB_LF_MEMBER || strcmp(f->name, want) != 0 || f->offset != 4u * h->n ||
        f->type != 0x0074)
        h->bad++;
    h->n++;
    return NULL;
}

static struct dd_error *stop_after_one(void *ctx, const struct pdb_type_field *f)
{
    (*(int *)ctx)++;
    return &dd_error_stop;
}

TEST(tpi_field_list_continuations)
{
    struct msf_file *msf;
    struct pdb_types *t = open_types(FIXTURE_PDB, PDB_TYPES_TPI, &msf);
    if (!t)
        return;
    uint32_t huge = 0;
    CHECK_OK(pdb_types_find_by_name(t, "Huge", 0, &huge));
    struct huge_check h = {0, 0};
    CHECK_OK(pdb_types_iterate_fields(t, huge, huge_member, &h));
    CHECK_EQ(h.n, 3000);
    CHECK_EQ(h.bad, 0);
    int calls = 0;
    CHECK_OK(pdb_types_iterate_fields(t, huge, stop_after_one, &calls));
    CHECK_EQ(calls, 1);
    /* A type without a field list. */
    struct dd_error *err = pdb_types_iterate_fields(t, 0x0074, huge_member, &h);
    CHECK(err && err->code == DD_ERR_UNSUPPORTED);
    dd_error_destroy(err);
    pdb_types_destroy(t);
    msf_destroy(msf);
}

/* ---- kernel layouts: amdppm.pdb against volatility3's ntkrnlmp ISF -------------------------- */

struct layout_check {
    const struct exp_file *e;
    const char *name;
    uint32_t members, matched;
};

static struct dd_error *layout_member(void *ctx, const struct pdb_type_field *f)
{
    struct layout_check *c = ctx;
    if (f->leaf != PDB_LF_MEMBER)
        return NULL;
    c->members++;
    for (size_t i = 0; i < c->e->n; i++) {
        const struct exp_line *l = &c->e->lines[i];
        if (strcmp(l->tok[0], "KF") != 0 || strcmp(l->tok[1], c->name) != 0 ||
            strcmp(l->name, f->name) != 0)
            continue;
        CHECK_EQ(f->offset, dec(l->tok[2]));
        CHECK_EQ(f->is_bitfield, strcmp(l->tok[3], "-") != 0);
        if (f->is_bitfield) {
            CHECK_EQ(f->bit_position, dec(l->tok[3]));
            CHECK_EQ(f->bit_length, dec(l->tok[4]));
        }
        c->matched++;
        return NULL;
    }
    check_fail(__FILE__, __LINE__, "%s.%s is not in the ISF", c->name, f->name);
    return NULL;
}

TEST(tpi_kernel_layouts_match_isf)
{
    char buf[4096];
    if (!check_corpus_dir()) {
        check_skip("shared corpus not present");
        return;
    }
    struct exp_file e;
    if (!exp_load("amdppm", &e)) {
        check_fail(__FILE__, __LINE__, "no amdppm expectations");
        return;
    }
    struct msf_file *msf;
    struct pdb_types *t = open_types(corpus_path(AMDPPM, buf, sizeof(buf)), PDB_TYPES_TPI, &msf);
    size_t structs = 0;
    for (size_t i = 0; t && i < e.n; i++) {
        if (strcmp(e.lines[i].tok[0], "K") != 0)
            continue;
        const char *name = e.lines[i].tok[1];
        uint32_t index = 0;
        uint64_t size = 0;
        CHECK_OK(pdb_types_find_by_name(t, name, 0, &index));
        CHECK_OK(pdb_types_size_of(t, index, &size));
        CHECK_EQ(size, dec(e.lines[i].tok[2]));
        uint32_t fields = 0;
        for (size_t j = 0; j < e.n; j++)
            fields += strcmp(e.lines[j].tok[0], "KF") == 0 && strcmp(e.lines[j].tok[1], name) == 0;
        struct layout_check c = {&e, name, 0, 0};
        CHECK_OK(pdb_types_iterate_fields(t, index, layout_member, &c));
        CHECK_EQ(c.matched, c.members);
        CHECK_EQ(c.members, fields);
        structs++;
    }
    CHECK(structs >= 5);
    pdb_types_destroy(t);
    msf_destroy(msf);
    exp_free(&e);
}

/* ---- laziness: one lookup walks one index-offset chunk, not the stream -------------------- */

TEST(tpi_random_access_is_lazy)
{
    char buf[4096];
    if (!check_corpus_dir()) {
        check_skip("shared corpus not present");
        return;
    }
    struct msf_file *msf;
    struct pdb_types *t = open_types(corpus_path(CRASH_X86, buf, sizeof(buf)), PDB_TYPES_TPI, &msf);
    if (!t)
        return;
    const struct pdb_types_header *h = pdb_types_header(t);
    struct pdb_type_record rec;
    CHECK_OK(pdb_types_record(t, h->index_end - 1, &rec));
    CHECK_OK(pdb_types_record(t, h->index_begin + (h->index_end - h->index_begin) / 2, &rec));
    struct pdb_types_stats s = pdb_types_get_stats(t);
    /* 8 KB chunks of records of at least 8 bytes: at most ~1,000 steps per lookup. */
    CHECK(s.records_walked < 2 * 1100);
    CHECK(s.records_walked < (h->index_end - h->index_begin) / 4);
    CHECK(!s.full_offset_table);
    struct dd_error *err = pdb_types_record(t, h->index_end, &rec);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    err = pdb_types_record(t, 0xfff, &rec);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    /* The on-demand table gives the same records. */
    struct pdb_type_record again;
    CHECK_OK(pdb_types_build_offset_table(t));
    CHECK(pdb_types_get_stats(t).full_offset_table);
    CHECK_OK(pdb_types_record(t, h->index_begin + (h->index_end - h->index_begin) / 2, &again));
    CHECK(again.data == rec.data);
    pdb_types_destroy(t);
    msf_destroy(msf);
}

/* ---- malformed streams, built byte by byte -------------------------------------------------- */

struct tb {
    uint8_t buf[4096];
    size_t len;
    uint32_t count;
    uint32_t buckets;
};

static void tb_init(struct tb *b)
{
    memset(b, 0, sizeof(*b));
    b->len = 56;
}

/* Appends a record {len, leaf, body} padded to 4 bytes with LF_PADn. */
static uint32_t tb_record(struct tb *b, uint16_t leaf, const uint8_t *body, size_t n)
{
    size_t pad = (4 - (n + 4) % 4) % 4;
    uint16_t len = (uint16_t)(n + 2 + pad);
    b->buf[b->len] = (uint8_t)len;
    b->buf[b->len + 1] = (uint8_t)(len >> 8);
    b->buf[b->len + 2] = (uint8_t)leaf;
    b->buf[b->len + 3] = (uint8_t)(leaf >> 8);
    memcpy(b->buf + b->len + 4, body, n);
    for (size_t i = 0; i < pad; i++)
        b->buf[b->len + 4 + n + i] = (uint8_t)(0xf0 + pad - i);
    b->len += 4 + n + pad;
    return 0x1000 + b->count++;
}

static const uint8_t *tb_finish(struct tb *b, size_t *size)
{
    static const uint32_t fields[] = {20040203, 56, 0x1000};
    for (int i = 0; i < 3; i++)
        dd_put_le32(b->buf + i * 4, fields[i]);
    dd_put_le32(b->buf + 12, 0x1000 + b->count);
    dd_put_le32(b->buf + 16, (uint32_t)(b->len - 56));
    b->buf[20] = b->buf[21] = b->buf[22] = b->buf[23] = 0xff; /* no hash stream */
    dd_put_le32(b->buf + 24, 4);
    dd_put_le32(b->buf + 28, b->buckets);
    *size = b->len;
    return b->buf;
}

static size_t put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    return 2;
}

static size_t put32(uint8_t *p, uint32_t v)
{
    dd_put_le32(p, v);
    return 4;
}

static size_t put_str(uint8_t *p, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(p, s, n);
    return n;
}

/* An lfStructure body: count, property, field list, derived, vshape, size, name. */
static size_t struct_body(uint8_t *p, uint16_t props, uint32_t fields, uint16_t size,
                          const char *name)
{
    size_t n = put16(p, 1);
    n += put16(p + n, props);
    n += put32(p + n, fields);
    n += put32(p + n, 0);
    n += put32(p + n, 0);
    n += put16(p + n, size);
    return n + put_str(p + n, name);
}

static struct dd_error *count_field(void *ctx, const struct pdb_type_field *f)
{
    (*(uint32_t *)ctx)++;
    return NULL;
}

TEST(tpi_malformed_headers)
{
    struct tb b;
    tb_init(&b);
    uint8_t body[16];
    tb_record(&b, PDB_LF_MODIFIER, body, put32(body, 0x74) + put16(body + 4, 1));
    size_t size;
    const uint8_t *data = tb_finish(&b, &size);
    struct pdb_types *t = NULL;
    CHECK_OK(pdb_types_open_memory(data, size, &t));
    pdb_types_destroy(t);
    check_error(pdb_types_open_memory(data, 20, &t), DD_ERR_FORMAT);
    uint8_t copy[4096];
    memcpy(copy, data, size);
    dd_put_le32(copy, 19990903); /* V70 */
    check_error(pdb_types_open_memory(copy, size, &t), DD_ERR_UNSUPPORTED);
    memcpy(copy, data, size);
    dd_put_le32(copy + 4, 5000); /* header size past the stream */
    check_error(pdb_types_open_memory(copy, size, &t), DD_ERR_FORMAT);
    memcpy(copy, data, size);
    dd_put_le32(copy + 16, 0xfffffff0u); /* record bytes past the stream */
    check_error(pdb_types_open_memory(copy, size, &t), DD_ERR_FORMAT);
    memcpy(copy, data, size);
    dd_put_le32(copy + 12, 0xfff); /* end before begin */
    check_error(pdb_types_open_memory(copy, size, &t), DD_ERR_FORMAT);
    memcpy(copy, data, size);
    dd_put_le32(copy + 12, 0x7fffffffu); /* a huge count in a few bytes */
    check_error(pdb_types_open_memory(copy, size, &t), DD_ERR_FORMAT);
}

TEST(tpi_malformed_records)
{
    struct tb b;
    tb_init(&b);
    uint8_t body[64];
    size_t n;
    /* 0x1000: a structure whose name has no NUL inside the record. */
    n = struct_body(body, 0, 0, 4, "X");
    memset(body + n - 2, 'A', 6);
    uint32_t no_nul = tb_record(&b, PDB_LF_STRUCTURE, body, n + 4);
    b.buf[b.len - 1] = 'A'; /* overwrite the padding too */
    /* 0x1001: an argument list claiming 2^32-1 items. */
    uint32_t args = tb_record(&b, PDB_LF_ARGLIST, body, put32(body, 0xffffffffu));
    /* 0x1002: pointer to itself; 0x1003: modifier of itself; 0x1004: array of itself. */
    n = put32(body, 0x1002) + put32(body + 4, 0x0c | (8u << 13));
    uint32_t ptr_loop = tb_record(&b, PDB_LF_POINTER, body, n);
    n = put32(body, 0x1003) + put16(body + 4, 1);
    uint32_t mod_loop = tb_record(&b, PDB_LF_MODIFIER, body, n);
    n = put32(body, 0x1004) + put32(body + 4, 0x23) + put16(body + 8, 16);
    uint32_t arr_loop = tb_record(&b, PDB_LF_ARRAY, body, n + put_str(body + n + 0, ""));
    /* 0x1005: a forward reference with no definition. */
    uint32_t fwd =
        tb_record(&b, PDB_LF_STRUCTURE, body, struct_body(body, PDB_PROP_FWDREF, 0, 0, "Lonely"));
    size_t size;
    const uint8_t *data = tb_finish(&b, &size);
    struct pdb_types *t = NULL;
    CHECK_OK(pdb_types_open_memory(data, size, &t));
    if (!t)
        return;
    struct pdb_type type;
    check_error(pdb_types_get(t, no_nul, &type), DD_ERR_FORMAT);
    check_error(pdb_types_get(t, args, &type), DD_ERR_FORMAT);
    struct dd_strbuf sb = {0};
    check_error(pdb_types_name(t, ptr_loop, PDB_TYPES_NAME_DT, &sb), DD_ERR_FORMAT);
    check_error(pdb_types_name(t, ptr_loop, PDB_TYPES_NAME_C, &sb), DD_ERR_FORMAT);
    check_error(pdb_types_name(t, arr_loop, PDB_TYPES_NAME_DT, &sb), DD_ERR_FORMAT);
    dd_strbuf_deinit(&sb);
    uint64_t sz = 0;
    CHECK_OK(pdb_types_size_of(t, ptr_loop, &sz));
    CHECK_EQ(sz, 8);
    check_error(pdb_types_size_of(t, mod_loop, &sz), DD_ERR_FORMAT);
    CHECK_OK(pdb_types_size_of(t, arr_loop, &sz));
    CHECK_EQ(sz, 16);
    uint32_t same = 0;
    CHECK_OK(pdb_types_resolve_forward(t, fwd, &same));
    CHECK_EQ(same, fwd);
    CHECK_OK(pdb_types_size_of(t, fwd, &sz));
    CHECK_EQ(sz, 0);
    uint32_t found = 0;
    check_error(pdb_types_find_by_name(t, "Lonely", 0, &found), DD_ERR_NOT_FOUND);
    CHECK_OK(pdb_types_find_by_name(t, "Lonely", PDB_TYPES_FIND_FORWARD, &found));
    CHECK_EQ(found, fwd);
    pdb_types_destroy(t);

    /* Record lengths: past the end, and too short to hold the leaf. */
    uint8_t copy[4096];
    memcpy(copy, data, size);
    put16(copy + 56, 0xfff0);
    CHECK_OK(pdb_types_open_memory(copy, size, &t));
    check_error(pdb_types_get(t, 0x1003, &type), DD_ERR_FORMAT);
    pdb_types_destroy(t);
    memcpy(copy, data, size);
    put16(copy + 56, 1);
    CHECK_OK(pdb_types_open_memory(copy, size, &t));
    check_error(pdb_types_get(t, 0x1000, &type), DD_ERR_FORMAT);
    check_error(pdb_types_scan_names(t, NULL, 0, NULL, NULL), DD_ERR_FORMAT);
    pdb_types_destroy(t);
}

TEST(tpi_malformed_field_lists)
{
    struct tb b;
    tb_init(&b);
    uint8_t body[128];
    size_t n;
    /* 0x1000 -> 0x1001 -> 0x1000: a continuation loop. */
    n = put16(body, PDB_LF_INDEX) + put16(body + 2, 0) + put32(body + 4, 0x1001);
    uint32_t loop_a = tb_record(&b, PDB_LF_FIELDLIST, body, n);
    n = put16(body, PDB_LF_MEMBER) + put16(body + 2, 3) + put32(body + 4, 0x74) +
        put16(body + 8, 0);
    n += put_str(body + n, "m");
    n += put16(body + n, PDB_LF_INDEX) + put16(body + n + 2, 0);
    n += put32(body + n, 0x1000);
    tb_record(&b, PDB_LF_FIELDLIST, body, n);
    /* 0x1002: continues into itself. */
    n = put16(body, PDB_LF_INDEX) + put16(body + 2, 0) + put32(body + 4, 0x1002);
    uint32_t self = tb_record(&b, PDB_LF_FIELDLIST, body, n);
    /* 0x1003: a member offset with an unknown numeric leaf. */
    n = put16(body, PDB_LF_MEMBER) + put16(body + 2, 3) + put32(body + 4, 0x74) +
        put16(body + 8, 0x80ff);
    uint32_t bad_numeric = tb_record(&b, PDB_LF_FIELDLIST, body, n + put_str(body + n, "m"));
    /* 0x1004: an unknown member leaf. */
    n = put16(body, 0x1234) + put32(body + 2, 0);
    uint32_t bad_leaf = tb_record(&b, PDB_LF_FIELDLIST, body, n);
    /* 0x1005: continuation to a record that is not a field list (0x1008); 0x1006: out of
     * range. */
    n = put16(body, PDB_LF_INDEX) + put16(body + 2, 0) + put32(body + 4, 0x1008);
    uint32_t not_list = tb_record(&b, PDB_LF_FIELDLIST, body, n);
    n = put16(body, PDB_LF_INDEX) + put16(body + 2, 0) + put32(body + 4, 0x9000);
    uint32_t outside = tb_record(&b, PDB_LF_FIELDLIST, body, n);
    /* 0x1007: a member whose type lies outside the stream, a 64-bit offset and a negative
     * enumerator: still read. */
    n = put16(body, PDB_LF_MEMBER) + put16(body + 2, 3) + put32(body + 4, 0x7000);
    n += put16(body + n, 0x800a);
    n += put32(body + n, 0x89abcdef);
    n += put32(body + n, 0x1);
    n += put_str(body + n, "far");
    n += put16(body + n, PDB_LF_ENUMERATE) + put16(body + n + 2, 3);
    n += put16(body + n, 0x8000);
    body[n++] = 0xfe;
    n += put_str(body + n, "minus2");
    uint32_t fine = tb_record(&b, PDB_LF_FIELDLIST, body, n);
    tb_record(&b, PDB_LF_MODIFIER, body, put32(body, 0x74) + put16(body + 4, 1));
    size_t size;
    const uint8_t *data = tb_finish(&b, &size);
    struct pdb_types *t = NULL;
    CHECK_OK(pdb_types_open_memory(data, size, &t));
    if (!t)
        return;
    uint32_t count = 0;
    check_error(pdb_types_iterate_fields(t, loop_a, count_field, &count), DD_ERR_FORMAT);
    CHECK_EQ(count, 1);
    check_error(pdb_types_iterate_fields(t, self, count_field, &count), DD_ERR_FORMAT);
    check_error(pdb_types_iterate_fields(t, bad_numeric, count_field, &count), DD_ERR_FORMAT);
    check_error(pdb_types_iterate_fields(t, bad_leaf, count_field, &count), DD_ERR_FORMAT);
    check_error(pdb_types_iterate_fields(t, not_list, count_field, &count), DD_ERR_FORMAT);
    check_error(pdb_types_iterate_fields(t, outside, count_field, &count), DD_ERR_NOT_FOUND);
    struct field_seen got = {0};
    CHECK_OK(pdb_types_iterate_fields(t, fine, collect_field, &got));
    CHECK_EQ(got.n, 2);
    if (got.n == 2) {
        CHECK_EQ(got.v[0].offset, 0x189abcdefull);
        CHECK(!got.v[0].is_bitfield);
        CHECK_STR(got.v[1].name, "minus2");
        CHECK(got.v[1].value.is_signed);
        CHECK_EQ((int64_t)got.v[1].value.value, -2);
    }
    free(got.v);
    pdb_types_destroy(t);
}

/* A hash stream image for the records of B: index offsets, hash values, adjusters. */
struct hash_image {
    uint8_t buf[512];
    size_t len;
};

static void hash_section(struct hash_image *h, uint8_t *tpi, int field, const uint32_t *words,
                         size_t n)
{
    dd_put_le32(tpi + 32 + field * 8, (uint32_t)h->len);
    dd_put_le32(tpi + 36 + field * 8, (uint32_t)(n * 4));
    for (size_t i = 0; i < n; i++)
        put32(h->buf + h->len + i * 4, words[i]);
    h->len += n * 4;
}

TEST(tpi_malformed_hash_stream)
{
    struct tb b;
    tb_init(&b);
    b.buckets = 16;
    uint8_t body[64];
    uint32_t a = tb_record(&b, PDB_LF_STRUCTURE, body, struct_body(body, 0, 0, 4, "Alpha"));
    tb_record(&b, PDB_LF_MODIFIER, body, put32(body, 0x74) + put16(body + 4, 1));
    uint32_t c = tb_record(&b, PDB_LF_STRUCTURE, body, struct_body(body, 0, 0, 8, "Gamma"));
    size_t size;
    const uint8_t *data = tb_finish(&b, &size);
    uint32_t alpha = pdb_types_hash_name("Alpha", 5) % 16,
             gamma = pdb_types_hash_name("Gamma", 5) % 16;
    uint32_t values[3] = {alpha, 3, gamma};

    /* Index offsets in order: lookups walk from them; the bucket finds Gamma. */
    struct hash_image h = {{0}, 0};
    uint8_t tpi[4096];
    memcpy(tpi, data, size);
    uint32_t good_offsets[] = {0x1000, 0, 0x1002, (uint32_t)(b.len - 56 - 28)};
    struct pdb_type_record rec;
    /* The third record's offset: two records of 28 and 12 bytes before it. */
    good_offsets[3] = 28 + 12;
    hash_section(&h, tpi, 0, values, 3);
    hash_section(&h, tpi, 1, good_offsets, 4);
    struct pdb_types *t = NULL;
    CHECK_OK(pdb_types_open_memory(tpi, size, &t));
    CHECK_OK(tpi_hash_load(t, h.buf, (uint32_t)h.len));
    CHECK_OK(pdb_types_record(t, c, &rec));
    CHECK_EQ(rec.leaf, PDB_LF_STRUCTURE);
    uint32_t found = 0;
    CHECK_OK(pdb_types_find_by_name(t, "gamma", 0, &found));
    CHECK_EQ(found, c);
    CHECK_EQ(pdb_types_get_stats(t).full_scans, 0);
    pdb_types_destroy(t);

    /* Out of order, and past the records: errors. */
    uint32_t swapped[] = {0x1002, 40, 0x1000, 0};
    h.len = 0;
    memcpy(tpi, data, size);
    hash_section(&h, tpi, 0, values, 3);
    hash_section(&h, tpi, 1, swapped, 4);
    CHECK_OK(pdb_types_open_memory(tpi, size, &t));
    check_error(tpi_hash_load(t, h.buf, (uint32_t)h.len), DD_ERR_FORMAT);
    pdb_types_destroy(t);
    uint32_t past[] = {0x1000, 0, 0x1001, 5000};
    h.len = 0;
    memcpy(tpi, data, size);
    hash_section(&h, tpi, 0, values, 3);
    hash_section(&h, tpi, 1, past, 4);
    CHECK_OK(pdb_types_open_memory(tpi, size, &t));
    check_error(tpi_hash_load(t, h.buf, (uint32_t)h.len), DD_ERR_FORMAT);
    pdb_types_destroy(t);
    /* A buffer outside the hash stream. */
    memcpy(tpi, data, size);
    dd_put_le32(tpi + 32, 400);
    dd_put_le32(tpi + 36, 12);
    CHECK_OK(pdb_types_open_memory(tpi, size, &t));
    check_error(tpi_hash_load(t, h.buf, 64), DD_ERR_FORMAT);
    pdb_types_destroy(t);

    /* Hash values past the bucket count: the hash is not trusted, lookups scan. */
    uint32_t wild[3] = {alpha, 99, gamma};
    h.len = 0;
    memcpy(tpi, data, size);
    hash_section(&h, tpi, 0, wild, 3);
    CHECK_OK(pdb_types_open_memory(tpi, size, &t));
    CHECK_OK(tpi_hash_load(t, h.buf, (uint32_t)h.len));
    CHECK_OK(pdb_types_find_by_name(t, "Alpha", 0, &found));
    CHECK_EQ(found, a);
    CHECK(!pdb_types_get_stats(t).has_hash);
    CHECK_EQ(pdb_types_get_stats(t).full_scans, 1);
    pdb_types_destroy(t);

    /* Hash adjusters: {size 1, capacity 2, present bits 0b1, no deleted, key 7 -> 0x1002}, and
     * one claiming more entries than its bytes hold. */
    uint32_t adjusters[] = {1, 2, 1, 1, 0, 7, 0x1002};
    h.len = 0;
    memcpy(tpi, data, size);
    hash_section(&h, tpi, 0, values, 3);
    hash_section(&h, tpi, 2, adjusters, 7);
    CHECK_OK(pdb_types_open_memory(tpi, size, &t));
    CHECK_OK(tpi_hash_load(t, h.buf, (uint32_t)h.len));
    pdb_types_destroy(t);
    uint32_t bad_adjusters[] = {1000, 2000, 1, 0xffffffffu, 0};
    h.len = 0;
    memcpy(tpi, data, size);
    hash_section(&h, tpi, 2, bad_adjusters, 5);
    CHECK_OK(pdb_types_open_memory(tpi, size, &t));
    check_error(tpi_hash_load(t, h.buf, (uint32_t)h.len), DD_ERR_FORMAT);
    pdb_types_destroy(t);
}

TEST(tpi_hash_name_is_pdb_hash)
{
    /* hashStringV1 folds ASCII case; the values of "" and a 1-byte name follow from the
     * definition (0 | 0x20202020, then the shifts). */
    CHECK_EQ(pdb_types_hash_name("_PEB", 4), pdb_types_hash_name("_peb", 4));
    uint32_t h = 0x20202020u;
    h ^= h >> 11;
    CHECK_EQ(pdb_types_hash_name("", 0), h ^ (h >> 16));
    h = 0x20202020u | 'a';
    h ^= h >> 11;
    CHECK_EQ(pdb_types_hash_name("a", 1), h ^ (h >> 16));
}
