/*
 * The PDB reader against llvm-pdbutil: tests/unit/gen_pdb_expect.py ran `llvm-pdbutil-16 dump`
 * on each PDB and wrote what it printed into tests/unit/pdb_expect/NAME.txt (see the script for
 * the line format). Every line is checked here against the reader: info stream, named streams,
 * modules and their files, section headers and contributions, publics, globals, procedures,
 * locals with their ranges, inline sites with their annotation ranges, C13 lines, FPO and
 * FrameData. The tiny_* PDBs are the repo's own (tests/fixtures/gen/make-tiny-pdb.sh);
 * crash_null_write is a fixture dump's PDB; the others are read from the shared corpus.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pdb/pdb.h"

#define MAX_FIELDS 12

/* One expectation line: its key, numeric fields and the trailing name. */
struct xline {
    char key[16];
    unsigned long long f[MAX_FIELDS];
    int nf;
    char *name;
};

struct xfile {
    struct xline *v;
    size_t n;
};

/* Splits LINE into the key, NNUM hex numbers and the rest (the name). */
static bool parse_line(char *line, int nnum, struct xline *ret)
{
    char *p = line, *end;
    size_t k = strcspn(p, " ");
    if (k == 0 || k >= sizeof(ret->key))
        return false;
    memcpy(ret->key, p, k);
    ret->key[k] = 0;
    p += k;
    ret->nf = 0;
    for (int i = 0; i < nnum; i++) {
        if (*p != ' ')
            return false;
        ret->f[i] = strtoull(p + 1, &end, 16);
        if (end == p + 1)
            return false;
        p = end;
        ret->nf++;
    }
    ret->name = strdup(*p == ' ' ? p + 1 : p);
    return ret->name != NULL;
}

/* Field counts per key (numbers before the name). */
static int fields_of(const char *key)
{
    static const struct {
        const char *key;
        int n;
    } t[] = {{"info", 0},     {"named_stream", 1}, {"module", 3}, {"module_obj", 1}, {"module_ec", 3},
             {"file", 1},     {"section", 3},      {"contrib", 5}, {"public", 3},
             {"global", 3},   {"proc", 7},         {"local", 6},   {"range", 7},
             {"site", 4},     {"site_range", 5},   {"inlinee", 3}, {"line", 5},
             {"linesec", 4},  {"fpo", 4},          {"framedata", 8}};
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
        if (strcmp(t[i].key, key) == 0)
            return t[i].n;
    return -1;
}

static bool xfile_load(const char *path, struct xfile *ret)
{
    memset(ret, 0, sizeof(*ret));
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    char *line = NULL;
    size_t cap = 0, vcap = 0;
    ssize_t len;
    memset(ret, 0, sizeof(*ret));
    while ((len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        if (line[0] == '#' || line[0] == 0)
            continue;
        char key[16] = "";
        sscanf(line, "%15s", key);
        int n = fields_of(key);
        if (n < 0)
            continue;
        if (ret->n == vcap) {
            vcap = vcap ? vcap * 2 : 1024;
            struct xline *v = realloc(ret->v, vcap * sizeof(*v));
            if (!v)
                break;
            ret->v = v;
        }
        /* "info GUID AGE SIG" has the GUID first: keep the whole rest as the name. */
        if (parse_line(line, n, &ret->v[ret->n]))
            ret->n++;
        else
            check_fail(__FILE__, __LINE__, "%s: unparsed line: %s", path, line);
    }
    free(line);
    fclose(f);
    return true;
}

static void xfile_free(struct xfile *x)
{
    for (size_t i = 0; i < x->n; i++)
        free(x->v[i].name);
    free(x->v);
}

struct run {
    const char *label;
    struct pdb *pdb;
    unsigned failures;
};

#define FAILR(r, ...)                                                                             \
    do {                                                                                          \
        if ((r)->failures++ < (getenv("PDB_TEST_VERBOSE") ? 100000u : 10u))                       \
            check_fail(__FILE__, __LINE__, __VA_ARGS__);                                          \
    } while (0)

static uint32_t rva_of(struct run *r, unsigned long long seg, unsigned long long off)
{
    uint32_t rva = 0;
    struct dd_error *err = pdb_addr_to_rva(r->pdb, (uint16_t)seg, (uint32_t)off, &rva);
    if (err) {
        FAILR(r, "%s: %04llx:%08llx has no RVA: %s", r->label, seg, off, err->message);
        dd_error_destroy(err);
    }
    return rva;
}

/* ---- info, modules, sections ---- */

static void check_info(struct run *r, const struct xline *x)
{
    char guid[39], want[64];
    unsigned long age = 0, sig = 0;
    if (sscanf(x->name, "%63s %lx %lx", want, &age, &sig) != 3) {
        FAILR(r, "%s: bad info line", r->label);
        return;
    }
    const struct pdb_info *in = pdb_info_get(r->pdb);
    pdb_guid_format(in->guid, guid);
    if (strcmp(guid, want) != 0 || in->age != age || in->signature != sig)
        FAILR(r, "%s: info %s %lu %lu, reader %s %u %u", r->label, want, age, sig, guid, in->age,
              in->signature);
    if (pdb_info_match_age(r->pdb) != pdb_dbi_header_get(r->pdb)->age)
        FAILR(r, "%s: match age is not the DBI age", r->label);
}

struct name_list {
    char **v;
    size_t n, cap;
};

static bool list_push(void *ctx, const char *name)
{
    struct name_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        char **v = realloc(l->v, l->cap * sizeof(*v));
        if (!v)
            return false;
        l->v = v;
    }
    l->v[l->n++] = strdup(name);
    return true;
}

static void list_free(struct name_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof(*l));
}

static void check_modules(struct run *r, const struct xfile *x)
{
    uint32_t nmods = 0;
    for (size_t i = 0; i < x->n; i++) {
        const struct xline *l = &x->v[i];
        if (strcmp(l->key, "module") == 0) {
            nmods++;
            const struct pdb_module_info *mi = pdb_module_get(r->pdb, (uint32_t)l->f[0]);
            if (!mi || mi->stream != l->f[1] || mi->source_file_count != l->f[2] ||
                strcmp(mi->name, l->name) != 0)
                FAILR(r, "%s: module %llx %s: reader %s stream %u files %u", r->label, l->f[0],
                      l->name, mi ? mi->name : "(none)", mi ? mi->stream : 0,
                      mi ? mi->source_file_count : 0);
        } else if (strcmp(l->key, "module_obj") == 0) {
            const struct pdb_module_info *mi = pdb_module_get(r->pdb, (uint32_t)l->f[0]);
            if (!mi || strcmp(mi->obj_name, l->name) != 0)
                FAILR(r, "%s: module %llx obj %s: reader %s", r->label, l->f[0], l->name,
                      mi ? mi->obj_name : "(none)");
        } else if (strcmp(l->key, "module_ec") == 0) {
            const struct pdb_module_info *mi = pdb_module_get(r->pdb, (uint32_t)l->f[0]);
            uint32_t ni = mi ? (l->f[2] ? mi->source_file_ni : mi->pdb_file_ni) : 0;
            const char *name = "";
            if (ni != l->f[1])
                FAILR(r, "%s: module %llx EC offset %llx, reader %x", r->label, l->f[0], l->f[1], ni);
            else if (ni != 0) {
                struct dd_error *err = pdb_ec_name_get(r->pdb, ni, &name);
                if (err || strcmp(name, l->name) != 0)
                    FAILR(r, "%s: EC name %x %s: reader %s", r->label, ni, l->name,
                          err ? err->message : name);
                dd_error_destroy(err);
            }
        } else if (strcmp(l->key, "named_stream") == 0) {
            uint32_t s = 0;
            struct dd_error *err = pdb_named_stream_find(r->pdb, l->name, &s);
            if (err || s != l->f[0])
                FAILR(r, "%s: named stream %s %llu: reader %u", r->label, l->name, l->f[0], s);
            dd_error_destroy(err);
        }
    }
    CHECK_EQ(pdb_module_count(r->pdb), nmods);
    /* Files: each module's list in order. */
    for (size_t i = 0; i < x->n;) {
        if (strcmp(x->v[i].key, "file") != 0) {
            i++;
            continue;
        }
        unsigned long long m = x->v[i].f[0];
        struct name_list got = {0};
        CHECK_OK(pdb_module_files_iterate(r->pdb, (uint32_t)m, list_push, &got));
        size_t k = 0;
        for (; i < x->n && strcmp(x->v[i].key, "file") == 0 && x->v[i].f[0] == m; i++, k++)
            if (k >= got.n || strcmp(got.v[k], x->v[i].name) != 0)
                FAILR(r, "%s: module %llx file %zu %s: reader %s", r->label, m, k, x->v[i].name,
                      k < got.n ? got.v[k] : "(none)");
        if (k != got.n)
            FAILR(r, "%s: module %llx has %zu files, reader %zu", r->label, m, k, got.n);
        list_free(&got);
    }
}

struct contrib_list {
    struct pdb_section_contrib *v;
    size_t n, cap;
};

static bool contrib_push(void *ctx, const struct pdb_section_contrib *sc)
{
    struct contrib_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        struct pdb_section_contrib *v = realloc(l->v, l->cap * sizeof(*v));
        if (!v)
            return false;
        l->v = v;
    }
    l->v[l->n++] = *sc;
    return true;
}

static void check_sections(struct run *r, const struct xfile *x)
{
    const struct pdb_section_header *h;
    uint32_t nh;
    CHECK_OK(pdb_section_headers_get(r->pdb, false, &h, &nh));
    struct contrib_list cl = {0};
    CHECK_OK(pdb_section_contribs_iterate(r->pdb, contrib_push, &cl));
    size_t k = 0;
    for (size_t i = 0; i < x->n; i++) {
        const struct xline *l = &x->v[i];
        if (strcmp(l->key, "section") == 0) {
            if (l->f[0] == 0 || l->f[0] > nh || h[l->f[0] - 1].virtual_address != l->f[1] ||
                h[l->f[0] - 1].virtual_size != l->f[2] ||
                /* 8 name bytes; llvm-pdbutil reads past a name that fills them */
                strncmp(h[l->f[0] - 1].name, l->name, 8) != 0)
                FAILR(r, "%s: section %llu %s mismatch", r->label, l->f[0], l->name);
        } else if (strcmp(l->key, "contrib") == 0) {
            const struct pdb_section_contrib *c = k < cl.n ? &cl.v[k] : NULL;
            if (!c || c->module != l->f[0] || c->section != l->f[1] || c->offset != l->f[2] ||
                c->size != l->f[3] || c->data_crc != l->f[4])
                FAILR(r, "%s: contribution %zu mod %llx %04llx:%llx+%llx: reader mod %x %04x:%x+%x",
                      r->label, k, l->f[0], l->f[1], l->f[2], l->f[3], c ? c->module : 0,
                      c ? c->section : 0, c ? c->offset : 0, c ? c->size : 0);
            k++;
        }
    }
    CHECK_EQ(cl.n, k);
    free(cl.v);
}

/* ---- publics and globals ---- */

static void check_publics(struct run *r, const struct xfile *x)
{
    uint32_t n = 0;
    for (size_t i = 0; i < x->n; i++) {
        const struct xline *l = &x->v[i];
        if (strcmp(l->key, "public") != 0)
            continue;
        n++;
        struct pdb_public p;
        struct dd_error *err = pdb_publics_find_by_name(r->pdb, l->name, &p);
        if (err) {
            FAILR(r, "%s: public %s: %s", r->label, l->name, err->message);
            dd_error_destroy(err);
            continue;
        }
        if (p.segment != l->f[0] || p.offset != l->f[1] || p.flags != l->f[2])
            FAILR(r, "%s: public %s %04llx:%llx flags %llx: reader %04x:%x flags %x", r->label,
                  l->name, l->f[0], l->f[1], l->f[2], p.segment, p.offset, p.flags);
        if (!p.has_rva)
            continue;
        /* The address map finds a public at that address (maybe another alias). */
        struct pdb_public q;
        err = pdb_publics_find_by_rva(r->pdb, p.rva, &q);
        if (err || q.rva != p.rva)
            FAILR(r, "%s: public %s at %x: by address %s", r->label, l->name, p.rva,
                  err ? err->message : q.name);
        dd_error_destroy(err);
    }
    CHECK_EQ(pdb_publics_count(r->pdb), n);
}

struct global_find {
    const struct xline *want;
    bool found;
};

static bool global_match(void *ctx, const struct pdb_global *g)
{
    struct global_find *f = ctx;
    const struct xline *w = f->want;
    if (g->kind != w->f[0])
        return true;
    if (g->kind == PDB_S_PROCREF || g->kind == PDB_S_LPROCREF)
        f->found = g->module + 1 == w->f[1] && g->module_offset == w->f[2];
    else if (g->kind == PDB_S_GDATA32 || g->kind == PDB_S_LDATA32)
        f->found = g->segment == (w->f[1] >> 32) && g->offset == (uint32_t)w->f[1] &&
                   g->type_index == w->f[2];
    else
        f->found = g->type_index == w->f[2];
    return !f->found;
}

static void check_globals(struct run *r, const struct xfile *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct xline *l = &x->v[i];
        if (strcmp(l->key, "global") != 0)
            continue;
        struct global_find f = {l, false};
        struct dd_error *err = pdb_globals_find_by_name(r->pdb, l->name, global_match, &f);
        if (err || !f.found)
            FAILR(r, "%s: global %llx %s: %s", r->label, l->f[0], l->name,
                  err ? err->message : "no record with these fields");
        dd_error_destroy(err);
    }
}

/* ---- procedures, locals, inline sites ---- */

struct local_list {
    struct pdb_local *v;
    struct pdb_defrange **ranges;
    size_t n, cap;
};

static bool local_push(void *ctx, const struct pdb_local *l)
{
    struct local_list *ll = ctx;
    if (ll->n == ll->cap) {
        ll->cap = ll->cap ? ll->cap * 2 : 32;
        ll->v = realloc(ll->v, ll->cap * sizeof(*ll->v));
        ll->ranges = realloc(ll->ranges, ll->cap * sizeof(*ll->ranges));
        if (!ll->v || !ll->ranges)
            return false;
    }
    ll->v[ll->n] = *l;
    ll->v[ll->n].name = strdup(l->name);
    ll->ranges[ll->n] = NULL;
    if (l->range_count) {
        ll->ranges[ll->n] = malloc(l->range_count * sizeof(struct pdb_defrange));
        memcpy(ll->ranges[ll->n], l->ranges, l->range_count * sizeof(struct pdb_defrange));
    }
    ll->n++;
    return true;
}

static void local_list_free(struct local_list *ll)
{
    for (size_t i = 0; i < ll->n; i++) {
        free((char *)ll->v[i].name);
        free(ll->ranges[i]);
    }
    free(ll->v);
    free(ll->ranges);
}

/* Compares the locals (and their ranges) the reader lists for PROC with the expectation lines
 * X[first..) that belong to it. */
static void check_locals(struct run *r, const struct xfile *x, size_t first,
                         const struct pdb_proc *proc, unsigned long long mod,
                         unsigned long long off)
{
    struct local_list got = {0};
    CHECK_OK(pdb_proc_locals(r->pdb, proc, local_push, &got));
    size_t k = 0;
    const struct pdb_local *cur = NULL;
    uint32_t ri = 0;
    for (size_t i = first; i < x->n; i++) {
        const struct xline *l = &x->v[i];
        bool is_local = strcmp(l->key, "local") == 0, is_range = strcmp(l->key, "range") == 0;
        if (!is_local && !is_range)
            continue;
        if (l->f[0] != mod || l->f[1] != off)
            continue;
        if (is_local) {
            if (cur && ri != cur->range_count)
                FAILR(r, "%s: %s local %s: %u ranges, reader %u", r->label, proc->name,
                      cur->name, ri, cur->range_count);
            cur = k < got.n ? &got.v[k] : NULL;
            ri = 0;
            bool ok = cur && cur->kind == l->f[2] && cur->type_index == l->f[3] &&
                      strcmp(cur->name, l->name) == 0;
            if (ok) {
                switch (cur->kind) {
                case PDB_S_LOCAL: ok = cur->flags == l->f[4]; break;
                case PDB_S_REGREL32:
                    ok = (l->f[4] == 0xffff || cur->reg == l->f[4]) &&
                         (uint32_t)cur->offset == l->f[5];
                    break;
                case PDB_S_BPREL32: ok = (uint32_t)cur->offset == l->f[5]; break;
                case PDB_S_REGISTER: ok = l->f[4] == 0xffff || cur->reg == l->f[4]; break;
                case PDB_S_CONSTANT: ok = (unsigned long long)cur->value == l->f[5]; break;
                default: ok = cur->segment == l->f[4] && (uint32_t)cur->offset == l->f[5]; break;
                }
            }
            if (!ok)
                FAILR(r, "%s: %s local %zu %s kind %llx type %llx %llx %llx: reader %s kind %x "
                      "type %x flags %x reg %u off %d", r->label, proc->name, k, l->name, l->f[2],
                      l->f[3], l->f[4], l->f[5], cur ? cur->name : "(none)", cur ? cur->kind : 0,
                      cur ? cur->type_index : 0, cur ? cur->flags : 0, cur ? cur->reg : 0,
                      cur ? cur->offset : 0);
            k++;
        } else if (cur) {
            const struct pdb_defrange *d = ri < cur->range_count ? &got.ranges[k - 1][ri] : NULL;
            bool ok = d && d->kind == l->f[2];
            if (ok && !d->full_scope)
                ok = d->rva == rva_of(r, l->f[3], l->f[4]) && d->length == l->f[5] &&
                     d->gap_count == l->f[6];
            if (!ok)
                FAILR(r, "%s: %s local %s range %u kind %llx %04llx:%llx+%llx gaps %llu: reader "
                      "kind %x %x+%x gaps %u", r->label, proc->name, cur->name, ri, l->f[2],
                      l->f[3], l->f[4], l->f[5], l->f[6], d ? d->kind : 0, d ? d->rva : 0,
                      d ? d->length : 0, d ? d->gap_count : 0);
            ri++;
        }
    }
    if (cur && ri != cur->range_count)
        FAILR(r, "%s: %s local %s: %u ranges, reader %u", r->label, proc->name, cur->name, ri,
              cur->range_count);
    if (k != got.n)
        FAILR(r, "%s: %s: %zu locals, reader %zu", r->label, proc->name, k, got.n);
    local_list_free(&got);
}

struct range_list {
    struct pdb_inline_range v[256];
    size_t n;
};

static bool range_push(void *ctx, const struct pdb_inline_range *ir)
{
    struct range_list *l = ctx;
    if (ir->length == 0)
        return true; /* an open last range: llvm-pdbutil prints no end for it */
    if (l->n < 256)
        l->v[l->n++] = *ir;
    return true;
}

/* llvm-pdbutil prints an inlinee's unqualified name, cut to 32 characters plus "...". */
static bool name_is(const char *full, const char *shortname)
{
    if (strcmp(shortname, "?") == 0 || strcmp(full, shortname) == 0)
        return true;
    size_t b = strlen(shortname);
    if (b > 3 && strcmp(shortname + b - 3, "...") == 0) {
        for (const char *p = full; (p = strstr(p, "::")) != NULL; p += 2)
            if (strncmp(p + 2, shortname, b - 3) == 0)
                return true;
        return strncmp(full, shortname, b - 3) == 0;
    }
    size_t a = strlen(full);
    return a > b + 2 && strcmp(full + a - b, shortname) == 0 && full[a - b - 1] == ':';
}

static void check_sites(struct run *r, const struct xfile *x, size_t first,
                        const struct pdb_proc *proc, unsigned long long mod,
                        unsigned long long off)
{
    for (size_t i = first; i < x->n; i++) {
        const struct xline *s = &x->v[i];
        if (strcmp(s->key, "site") != 0 || s->f[0] != mod || s->f[1] != off)
            continue;
        unsigned long long site = s->f[2], inlinee = s->f[3];
        /* The inlinee's base line ("inlinee MODULE ID LINE FILE"). */
        uint32_t base = 0;
        bool have_base = false;
        for (size_t j = 0; j < x->n && !have_base; j++)
            if (strcmp(x->v[j].key, "inlinee") == 0 && x->v[j].f[0] == mod &&
                x->v[j].f[1] == inlinee) {
                base = (uint32_t)x->v[j].f[2];
                have_base = true;
            }
        struct range_list got = {.n = 0};
        CHECK_OK(pdb_inline_site_ranges(r->pdb, proc, (uint32_t)site, range_push, &got));
        size_t k = 0;
        for (size_t j = i + 1; j < x->n; j++) {
            const struct xline *g = &x->v[j];
            if (strcmp(g->key, "site_range") != 0 || g->f[0] != mod || g->f[1] != site)
                continue;
            const struct pdb_inline_range *ir = k < got.n ? &got.v[k] : NULL;
            uint32_t want_rva = proc->rva + (uint32_t)g->f[2];
            /* llvm-pdbutil prints the line relative to the inlinee's base line. */
            uint32_t want_line = base + (uint32_t)g->f[4];
            if (!ir || ir->rva != want_rva || ir->length != g->f[3] - g->f[2] ||
                (have_base && ir->line != want_line))
                FAILR(r, "%s: %s site %llx range %zu %x+%llx line %u: reader %x+%x line %u",
                      r->label, proc->name, site, k, want_rva, g->f[3] - g->f[2], want_line,
                      ir ? ir->rva : 0, ir ? ir->length : 0, ir ? ir->line : 0);
            k++;
        }
        if (k != got.n)
            FAILR(r, "%s: %s site %llx: %zu ranges, reader %zu", r->label, proc->name, site, k,
                  got.n);
        /* At the start of each range the site is among the inline frames. */
        for (size_t j = 0; j < got.n; j++) {
            struct pdb_inline_frame fr[16];
            uint32_t n = 0;
            struct dd_error *err = pdb_inline_frames(r->pdb, got.v[j].rva, fr, 16, &n);
            bool seen = false;
            for (uint32_t q = 0; !err && q < n; q++)
                if (fr[q].record_offset == site && fr[q].inlinee == inlinee &&
                    name_is(fr[q].name, s->name))
                    seen = true;
            if (!seen)
                FAILR(r, "%s: %s site %llx %s not among the inline frames at %x%s%s", r->label,
                      proc->name, site, s->name, got.v[j].rva, err ? ": " : "",
                      err ? err->message : "");
            dd_error_destroy(err);
        }
    }
}

static void check_procs(struct run *r, const struct xfile *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct xline *l = &x->v[i];
        if (strcmp(l->key, "proc") != 0)
            continue;
        struct pdb_proc p;
        struct dd_error *err = pdb_proc_from_ref(r->pdb, (uint32_t)l->f[0], (uint32_t)l->f[1], &p);
        if (err) {
            FAILR(r, "%s: proc %s: %s", r->label, l->name, err->message);
            dd_error_destroy(err);
            continue;
        }
        if (p.kind != l->f[2] || p.segment != l->f[3] || p.offset != l->f[4] ||
            p.length != l->f[5] || p.type_index != l->f[6] || strcmp(p.name, l->name) != 0)
            FAILR(r, "%s: proc %s kind %llx %04llx:%llx+%llx type %llx: reader %s %x %04x:%x+%x %x",
                  r->label, l->name, l->f[2], l->f[3], l->f[4], l->f[5], l->f[6], p.name, p.kind,
                  p.segment, p.offset, p.length, p.type_index);
        /* By address: this procedure, or one folded onto the same address. */
        struct pdb_proc q;
        err = pdb_find_proc(r->pdb, p.rva, &q);
        if (err || q.rva != p.rva)
            FAILR(r, "%s: proc %s at %x: by address %s", r->label, l->name, p.rva,
                  err ? err->message : q.name);
        dd_error_destroy(err);
        check_locals(r, x, i + 1, &p, l->f[0], l->f[1]);
        check_sites(r, x, i + 1, &p, l->f[0], l->f[1]);
    }
}

/* ---- lines ---- */

struct xl {
    uint32_t rva, length, line;
    bool stmt;
    const char *file;
};

static int xl_cmp(const void *a, const void *b)
{
    const struct xl *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    if (x->length != y->length)
        return x->length < y->length ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->file, y->file);
}

struct xl_list {
    struct xl *v;
    size_t n, cap;
};

static bool xl_push(struct xl_list *l, const struct xl *e)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        struct xl *v = realloc(l->v, l->cap * sizeof(*v));
        if (!v)
            return false;
        l->v = v;
    }
    l->v[l->n++] = *e;
    return true;
}

static bool line_push(void *ctx, const struct pdb_line *pl)
{
    struct xl e = {pl->rva, pl->length, pl->line, pl->is_statement, pl->file};
    return xl_push(ctx, &e);
}

/* Expected entries of module MOD: llvm-pdbutil prints each contribution's entries per file
 * block under the contribution's extent; a line's length runs to the next entry of the same
 * contribution (in address order, blocks in file order) or to its end. */
static void expected_lines(struct run *r, const struct xfile *x, unsigned long long mod,
                           struct xl_list *out)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct xline *s = &x->v[i];
        if (strcmp(s->key, "linesec") != 0 || s->f[0] != mod)
            continue;
        bool seen_before = false;
        for (size_t j = 0; j < i && !seen_before; j++)
            seen_before = strcmp(x->v[j].key, "linesec") == 0 && x->v[j].f[0] == mod &&
                          x->v[j].f[1] == s->f[1] && x->v[j].f[2] == s->f[2] &&
                          x->v[j].f[3] == s->f[3];
        if (seen_before)
            continue;
        /* Gather every block printed under this extent. */
        struct xl_list sec = {0};
        bool in = false;
        for (size_t j = 0; j < x->n; j++) {
            const struct xline *l = &x->v[j];
            if (strcmp(l->key, "linesec") == 0 && l->f[0] == mod)
                in = l->f[1] == s->f[1] && l->f[2] == s->f[2] && l->f[3] == s->f[3];
            else if (strcmp(l->key, "linesec") == 0)
                in = false;
            else if (in && strcmp(l->key, "line") == 0 && l->f[0] == mod) {
                struct xl e = {rva_of(r, l->f[1], l->f[2]), 0, (uint32_t)l->f[3], l->f[4] != 0,
                               l->name};
                xl_push(&sec, &e);
            }
        }
        /* Stable insertion sort by address, then lengths. */
        for (size_t a = 1; a < sec.n; a++) {
            struct xl t = sec.v[a];
            size_t b = a;
            while (b > 0 && sec.v[b - 1].rva > t.rva) {
                sec.v[b] = sec.v[b - 1];
                b--;
            }
            sec.v[b] = t;
        }
        uint32_t end = rva_of(r, s->f[1], s->f[3]);
        for (size_t a = 0; a < sec.n; a++) {
            uint32_t next = a + 1 < sec.n ? sec.v[a + 1].rva : end;
            sec.v[a].length = next - sec.v[a].rva;
            xl_push(out, &sec.v[a]);
        }
        free(sec.v);
    }
}

static void check_lines(struct run *r, const struct xfile *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const struct xline *s = &x->v[i];
        if (strcmp(s->key, "linesec") != 0)
            continue;
        unsigned long long mod = s->f[0];
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            first = !(strcmp(x->v[j].key, "linesec") == 0 && x->v[j].f[0] == mod);
        if (!first)
            continue;
        struct xl_list want = {0}, got = {0};
        expected_lines(r, x, mod, &want);
        CHECK_OK(pdb_module_lines_iterate(r->pdb, (uint32_t)mod, line_push, &got));
        qsort(want.v, want.n, sizeof(*want.v), xl_cmp);
        qsort(got.v, got.n, sizeof(*got.v), xl_cmp);
        if (want.n != got.n)
            FAILR(r, "%s: module %llx: %zu line entries, reader %zu", r->label, mod, want.n, got.n);
        for (size_t k = 0; k < want.n && k < got.n; k++) {
            const struct xl *w = &want.v[k], *g = &got.v[k];
            if (w->rva != g->rva || w->length != g->length || w->line != g->line ||
                w->stmt != g->stmt || strcmp(w->file, g->file) != 0)
                FAILR(r, "%s: module %llx line %zu: %x+%x %u %s: reader %x+%x %u %s", r->label,
                      mod, k, w->rva, w->length, w->line, w->file, g->rva, g->length, g->line,
                      g->file);
        }
        /* And by address: the entry covering each non-empty entry's start. */
        for (size_t k = 0; k < want.n; k++) {
            if (want.v[k].length == 0)
                continue;
            struct pdb_line pl;
            struct dd_error *err = pdb_find_line(r->pdb, want.v[k].rva, &pl);
            if (err || pl.line != want.v[k].line || pl.rva != want.v[k].rva)
                FAILR(r, "%s: line at %x: %u, reader %s%u", r->label, want.v[k].rva,
                      want.v[k].line, err ? err->message : "", err ? 0 : pl.line);
            dd_error_destroy(err);
        }
        free(want.v);
        free(got.v);
    }
}

/* ---- frame data ---- */

struct fd_list {
    struct pdb_framedata v[4096];
    size_t n;
    struct pdb_fpo f[4096];
    size_t nf;
};

static bool fd_push(void *ctx, const struct pdb_framedata *f)
{
    struct fd_list *l = ctx;
    if (l->n < 4096) {
        l->v[l->n] = *f;
        l->v[l->n].program = strdup(f->program);
        l->n++;
    }
    return true;
}

static bool fpo_push(void *ctx, const struct pdb_fpo *f)
{
    struct fd_list *l = ctx;
    if (l->nf < 4096)
        l->f[l->nf++] = *f;
    return true;
}

static void check_frames(struct run *r, const struct xfile *x)
{
    struct fd_list *l = calloc(1, sizeof(*l));
    if (!l)
        return;
    CHECK_OK(pdb_framedata_iterate(r->pdb, fd_push, l));
    CHECK_OK(pdb_fpo_iterate(r->pdb, fpo_push, l));
    size_t nfd = 0, nfpo = 0;
    for (size_t i = 0; i < x->n; i++) {
        const struct xline *e = &x->v[i];
        if (strcmp(e->key, "framedata") == 0) {
            /* The reader lists in address order; llvm-pdbutil in stream order. */
            bool found = false;
            for (size_t k = 0; k < l->n && !found; k++) {
                const struct pdb_framedata *f = &l->v[k];
                found = f->rva == e->f[0] && f->code_size == e->f[1] &&
                        f->local_size == e->f[2] && f->params_size == e->f[3] &&
                        f->max_stack_size == e->f[4] && f->prolog_size == e->f[5] &&
                        f->saved_regs_size == e->f[6] && f->flags == e->f[7] &&
                        strcmp(f->program, e->name) == 0;
            }
            if (!found)
                FAILR(r, "%s: framedata %llx+%llx \"%s\" not listed", r->label, e->f[0], e->f[1],
                      e->name);
            nfd++;
        } else if (strcmp(e->key, "fpo") == 0) {
            bool found = false;
            for (size_t k = 0; k < l->nf && !found; k++)
                found = l->f[k].rva == e->f[0] && l->f[k].size == e->f[1] &&
                        l->f[k].locals == e->f[2] && l->f[k].params == e->f[3];
            if (!found)
                FAILR(r, "%s: fpo %llx+%llx not listed", r->label, e->f[0], e->f[1]);
            nfpo++;
        }
    }
    CHECK_EQ(l->n, nfd);
    CHECK_EQ(l->nf, nfpo);
    for (size_t k = 0; k < l->n; k++)
        free((char *)l->v[k].program);
    free(l);
}

/* ---- driver ---- */

static void run_expect(const char *label, const char *pdb_path, bool corpus)
{
    if (corpus && !check_corpus_dir()) {
        check_skip("shared corpus not present");
        return;
    }
    char xpath[4096];
    snprintf(xpath, sizeof(xpath), "%s/tests/unit/pdb_expect/%s.txt", DD_SOURCE_ROOT, label);
    struct xfile x;
    CHECK(xfile_load(xpath, &x));
    struct run r = {label, NULL, 0};
    CHECK_OK(pdb_open(pdb_path, &r.pdb));
    if (!r.pdb) {
        xfile_free(&x);
        return;
    }
    for (size_t i = 0; i < x.n; i++)
        if (strcmp(x.v[i].key, "info") == 0)
            check_info(&r, &x.v[i]);
    check_modules(&r, &x);
    check_sections(&r, &x);
    check_publics(&r, &x);
    check_globals(&r, &x);
    check_procs(&r, &x);
    check_lines(&r, &x);
    check_frames(&r, &x);
    if (r.failures > 10)
        check_fail(__FILE__, __LINE__, "%s: %u mismatches in all", label, r.failures);
    pdb_destroy(r.pdb);
    xfile_free(&x);
}

TEST(pdb_pdbutil_tiny_x64)
{
    run_expect("tiny_x64", DD_SOURCE_ROOT "/tests/fixtures/pdb/tiny_x64.pdb", false);
}

TEST(pdb_pdbutil_tiny_x86)
{
    run_expect("tiny_x86", DD_SOURCE_ROOT "/tests/fixtures/pdb/tiny_x86.pdb", false);
}

TEST(pdb_pdbutil_crash_null_write)
{
    run_expect("crash_null_write", DD_SOURCE_ROOT "/tests/fixtures/dumps/crash_null_write.pdb",
               false);
}

TEST(pdb_pdbutil_symbolicator_crash)
{
    const char *c = check_corpus_dir();
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/getsentry-symbolicator/symbols/crash.pdb/"
             "3249D99D0C4049318610F4E4FB0B6936ffffffff/crash.pdb", c ? c : ".");
    run_expect("symbolicator_crash", path, true);
}

TEST(pdb_pdbutil_regtest64)
{
    const char *c = check_corpus_dir();
    char path[4096];
    snprintf(path, sizeof(path), "%s/user/google-breakpad/pdb-goldens/dump_syms_regtest64.pdb",
             c ? c : ".");
    run_expect("regtest64", path, true);
}
