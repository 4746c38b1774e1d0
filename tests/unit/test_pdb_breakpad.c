/*
 * The PDB reader against Breakpad: every FUNC, line, PUBLIC and STACK WIN record that Breakpad's
 * dump_syms wrote from the same PDB (the shared corpus keeps both, read in place) must agree with
 * what the reader resolves at that address. The omap_* PDBs check OMAP address translation:
 * Breakpad splits functions and lines wherever OMAP moved code, so there each piece is looked up
 * at its start and its last byte and compared by name, line and file.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "pdb/pdb.h"

struct symcheck {
    const char *label;
    struct pdb *pdb;
    bool omap;
    char **files;
    size_t nfiles;
    unsigned funcs, lines, publics, stack_win, stack_fpo;
    unsigned failures;
};

#define FAILN(sc, ...)                                                                            \
    do {                                                                                          \
        if ((sc)->failures++ < (getenv("PDB_TEST_VERBOSE") ? 100000u : 10u))                                                                \
            check_fail(__FILE__, __LINE__, __VA_ARGS__);                                          \
    } while (0)

/* Breakpad prints DIA's undecorated names ("static int ns::f(int)"); the PDB stores "ns::f".
 * They agree when equal or when the stored name is followed by the parameter list. */
static bool name_matches(const char *sym, const char *pdb)
{
    if (strcmp(sym, pdb) == 0)
        return true;
    /* DIA undecorates C names: "_f" (cdecl), "_f@8" (stdcall), "@f@8" (fastcall) -> "f". */
    if (pdb[0] == '_' || pdb[0] == '@') {
        size_t n = strlen(pdb + 1);
        const char *at = strrchr(pdb + 1, '@');
        if (at && at[1] >= '0' && at[1] <= '9' && strspn(at + 1, "0123456789") == strlen(at + 1))
            n = (size_t)(at - (pdb + 1));
        if (strlen(sym) == n && strncmp(sym, pdb + 1, n) == 0)
            return true;
    }
    size_t n = strlen(pdb);
    for (const char *p = strstr(sym, pdb); p; p = strstr(p + 1, pdb))
        if ((p == sym || p[-1] == ' ' || p[-1] == '*') && p[n] == '(')
            return true;
    return false;
}

static void add_file(struct symcheck *sc, unsigned long id, const char *name)
{
    if (id >= sc->nfiles) {
        size_t n = id + 1;
        char **f = realloc(sc->files, n * sizeof(*f));
        if (!f)
            return;
        memset(f + sc->nfiles, 0, (n - sc->nfiles) * sizeof(*f));
        sc->files = f;
        sc->nfiles = n;
    }
    free(sc->files[id]);
    sc->files[id] = strdup(name);
}

struct folded {
    unsigned long rva;
    const char *name;
    bool found;
};

static bool folded_visit(void *ctx, const struct pdb_proc *p)
{
    struct folded *f = ctx;
    if (p->rva == f->rva && name_matches(f->name, p->name))
        f->found = true;
    return !f->found;
}

/* Identical code folding leaves several procedures at one address; Breakpad names one of them. */
static bool folded_name(struct symcheck *sc, unsigned long rva, const char *name)
{
    struct folded f = {rva, name, false};
    for (uint32_t m = 0; m < pdb_module_count(sc->pdb) && !f.found; m++)
        dd_error_destroy(pdb_module_procs_iterate(sc->pdb, m, folded_visit, &f));
    return f.found;
}

static void check_func(struct symcheck *sc, unsigned long rva, unsigned long size, const char *name)
{
    struct pdb_proc p;
    struct dd_error *err = pdb_find_proc(sc->pdb, (uint32_t)rva, &p);
    sc->funcs++;
    if (err) {
        FAILN(sc, "%s: FUNC %lx %s: %s", sc->label, rva, name, err->message);
        dd_error_destroy(err);
        return;
    }
    if (!name_matches(name, p.name) && !folded_name(sc, rva, name))
        FAILN(sc, "%s: FUNC %lx: name %s, reader %s", sc->label, rva, name, p.name);
    if (!sc->omap && (p.rva != rva || p.length != size))
        FAILN(sc, "%s: FUNC %lx %lx %s: reader %x %x", sc->label, rva, size, name, p.rva, p.length);
    if (sc->omap && size > 1) {
        err = pdb_find_proc(sc->pdb, (uint32_t)(rva + size - 1), &p);
        if (err || !name_matches(name, p.name))
            FAILN(sc, "%s: FUNC %lx+%lx %s: last byte resolves to %s", sc->label, rva, size, name,
                  err ? err->message : p.name);
        dd_error_destroy(err);
    }
}

struct line_seek {
    unsigned long line;
    const char *file;
    bool found;
};

static bool line_seek_visit(void *ctx, const struct pdb_line *l)
{
    struct line_seek *s = ctx;
    if (l->line == s->line && l->length == 0 && s->file && strcmp(l->file, s->file) == 0)
        s->found = true;
    return !s->found;
}

static void check_line_at(struct symcheck *sc, unsigned long rva, unsigned long size,
                          unsigned long line, unsigned long file, unsigned long at)
{
    if (size == 0) {
        /* An empty entry (another line at the same address follows): it must be listed. */
        struct line_seek s = {line, file < sc->nfiles ? sc->files[file] : NULL, false};
        struct dd_error *err = pdb_lines_iterate_range(sc->pdb, (uint32_t)rva, 1, line_seek_visit, &s);
        if (err || !s.found)
            FAILN(sc, "%s: empty line %lx %lu not listed%s%s", sc->label, rva, line,
                  err ? ": " : "", err ? err->message : "");
        dd_error_destroy(err);
        return;
    }
    struct pdb_line l;
    struct dd_error *err = pdb_find_line(sc->pdb, (uint32_t)at, &l);
    if (err) {
        FAILN(sc, "%s: line %lx (%lu): %s", sc->label, rva, line, err->message);
        dd_error_destroy(err);
        return;
    }
    const char *want = file < sc->nfiles ? sc->files[file] : NULL;
    if (l.line != line || !want || strcmp(want, l.file) != 0)
        FAILN(sc, "%s: line %lx+%lx at %lx: %lu %s, reader %u %s", sc->label, rva, size, at, line,
              want ? want : "?", l.line, l.file);
    if (!sc->omap && at == rva && (l.rva != rva || l.length != size))
        FAILN(sc, "%s: line %lx+%lx: reader %x+%x", sc->label, rva, size, l.rva, l.length);
}

static void check_public(struct symcheck *sc, unsigned long rva, const char *name)
{
    struct pdb_public pub;
    struct dd_error *err = pdb_publics_find_by_rva(sc->pdb, (uint32_t)rva, &pub);
    sc->publics++;
    if (err) {
        FAILN(sc, "%s: PUBLIC %lx %s: %s", sc->label, rva, name, err->message);
        dd_error_destroy(err);
        return;
    }
    if (pub.rva != rva)
        FAILN(sc, "%s: PUBLIC %lx %s: reader %x %s", sc->label, rva, name, pub.rva, pub.name);
}

/* One STACK WIN line: type rva code_size prolog epilog params saved_regs locals max_stack
 * has_program (program | allocates_base_pointer). */
struct stack_win {
    unsigned long v[10];
    char *tail;
};

static int stack_win_cmp(const void *a, const void *b)
{
    const struct stack_win *x = a, *y = b;
    if (x->v[0] != y->v[0])
        return x->v[0] < y->v[0] ? -1 : 1;
    if (x->v[1] != y->v[1])
        return x->v[1] < y->v[1] ? -1 : 1;
    return x->v[2] < y->v[2] ? -1 : x->v[2] > y->v[2];
}

/* Compares program strings; some dump_syms versions drop the trailing space DIA keeps. */
static bool program_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    while (la > 0 && a[la - 1] == ' ')
        la--;
    while (lb > 0 && b[lb - 1] == ' ')
        lb--;
    return la == lb && strncmp(a, b, la) == 0;
}

/* Checks the lines W[0..N) that start at one address. Without OMAP there is one and every field
 * must agree. With OMAP, Breakpad splits records into pieces (later pieces get prolog 0 and their
 * own sizes) and one address can start pieces of several nested records; the record the reader
 * finds there (the innermost in the original layout) must be one of them, frame fields equal. */
static void check_stack_win_group(struct symcheck *sc, const struct stack_win *w, size_t n)
{
    const unsigned long *v0 = w[0].v;
    if (v0[0] == 4) {
        struct pdb_framedata fd;
        sc->stack_win += (unsigned)n;
        struct dd_error *err = pdb_framedata_find(sc->pdb, (uint32_t)v0[1], &fd);
        if (err) {
            FAILN(sc, "%s: STACK WIN 4 %lx: %s", sc->label, v0[1], err->message);
            dd_error_destroy(err);
            return;
        }
        for (size_t i = 0; i < n; i++) {
            const unsigned long *v = w[i].v;
            bool ok = fd.params_size == v[5] && fd.saved_regs_size == v[6] &&
                      fd.local_size == v[7] && fd.max_stack_size == v[8] && v[9] == 1 &&
                      program_equal(fd.program, w[i].tail);
            if (!sc->omap)
                ok = ok && fd.rva == v[1] && fd.code_size == v[2] && fd.prolog_size == v[3];
            if (ok)
                return;
        }
        FAILN(sc, "%s: STACK WIN 4 %lx %lx %lx params %lx regs %lx locals %lx %s (%zu at this "
              "address): reader %x %x prolog %u params %u regs %u locals %u max %u \"%s\"",
              sc->label, v0[1], v0[2], v0[3], v0[5], v0[6], v0[7], w[0].tail, n, fd.rva,
              fd.code_size, fd.prolog_size, fd.params_size, fd.saved_regs_size, fd.local_size,
              fd.max_stack_size, fd.program);
    } else if (v0[0] == 0) {
        struct pdb_fpo f;
        sc->stack_fpo += (unsigned)n;
        struct dd_error *err = pdb_fpo_find(sc->pdb, (uint32_t)v0[1], &f);
        if (err) {
            FAILN(sc, "%s: STACK WIN 0 %lx: %s", sc->label, v0[1], err->message);
            dd_error_destroy(err);
            return;
        }
        for (size_t i = 0; i < n; i++) {
            const unsigned long *v = w[i].v;
            unsigned long bp = strtoul(w[i].tail, NULL, 16);
            /* FPO sizes are in dwords and saved registers are counted; Breakpad prints bytes. */
            bool ok = f.params * 4u == v[5] && f.regs * 4u == v[6] && f.locals * 4u == v[7] &&
                      v[9] == 0 && (unsigned long)f.use_bp == bp;
            if (!sc->omap)
                ok = ok && f.rva == v[1] && f.size == v[2] && f.prolog == v[3];
            if (ok)
                return;
        }
        FAILN(sc, "%s: STACK WIN 0 %lx %lx %lx: reader %x %x prolog %u params %u regs %u "
              "locals %u bp %d", sc->label, v0[1], v0[2], v0[3], f.rva, f.size, f.prolog, f.params,
              f.regs, f.locals, f.use_bp);
    }
}

static void check_stack_wins(struct symcheck *sc, struct stack_win *w, size_t n)
{
    if (n > 1)
        qsort(w, n, sizeof(*w), stack_win_cmp);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && w[j].v[0] == w[i].v[0] && w[j].v[1] == w[i].v[1])
            j++;
        check_stack_win_group(sc, w + i, j - i);
        i = j;
    }
}

static void check_sym_file(const char *pdb_rel, const char *sym_rel, bool omap,
                           unsigned expect_funcs, unsigned expect_win)
{
    const char *corpus = check_corpus_dir();
    if (!corpus) {
        check_skip("shared corpus not present");
        return;
    }
    char pdb_path[4096], sym_path[4096];
    snprintf(pdb_path, sizeof(pdb_path), "%s/user/%s", corpus, pdb_rel);
    snprintf(sym_path, sizeof(sym_path), "%s/user/%s", corpus, sym_rel);
    struct symcheck sc;
    memset(&sc, 0, sizeof(sc));
    sc.label = strrchr(pdb_rel, '/') + 1;
    sc.omap = omap;
    CHECK_OK(pdb_open(pdb_path, &sc.pdb));
    if (!sc.pdb)
        return;
    CHECK_EQ(pdb_has_omap(sc.pdb), omap);
    FILE *f = fopen(sym_path, "r");
    CHECK(f != NULL);
    if (!f) {
        pdb_destroy(sc.pdb);
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    char func_name[4096] = "";
    struct stack_win *wins = NULL;
    size_t nwins = 0, cap_wins = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = 0;
        unsigned long a, b, c, d;
        int used = 0;
        if (strncmp(line, "FILE ", 5) == 0) {
            if (sscanf(line + 5, "%lu %n", &a, &used) == 1)
                add_file(&sc, a, line + 5 + used);
        } else if (strncmp(line, "FUNC ", 5) == 0) {
            char *p = line + 5;
            if (strncmp(p, "m ", 2) == 0)
                p += 2;
            if (sscanf(p, "%lx %lx %lx %n", &a, &b, &c, &used) == 3) {
                snprintf(func_name, sizeof(func_name), "%s", p + used);
                check_func(&sc, a, b, func_name);
            }
        } else if (strncmp(line, "PUBLIC ", 7) == 0) {
            char *p = line + 7;
            if (strncmp(p, "m ", 2) == 0)
                p += 2;
            if (sscanf(p, "%lx %lx %n", &a, &b, &used) == 2)
                check_public(&sc, a, p + used);
        } else if (strncmp(line, "STACK WIN ", 10) == 0) {
            struct stack_win w;
            unsigned long *v = w.v;
            if (sscanf(line + 10, "%lx %lx %lx %lx %lx %lx %lx %lx %lx %lx %n", &v[0], &v[1], &v[2],
                       &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &used) != 10) {
                FAILN(&sc, "%s: unparsed %s", sc.label, line);
                continue;
            }
            if (nwins == cap_wins) {
                cap_wins = cap_wins ? cap_wins * 2 : 256;
                struct stack_win *nw = realloc(wins, cap_wins * sizeof(*nw));
                if (!nw)
                    break;
                wins = nw;
            }
            w.tail = strdup(line + 10 + used);
            wins[nwins++] = w;
        } else if (line[0] >= '0' && line[0] <= 'f' &&
                   sscanf(line, "%lx %lx %lu %lu", &a, &b, &c, &d) == 4) {
            sc.lines++;
            check_line_at(&sc, a, b, c, d, a);
            if (b > 1)
                check_line_at(&sc, a, b, c, d, a + b - 1);
        }
    }
    free(line);
    fclose(f);
    check_stack_wins(&sc, wins, nwins);
    for (size_t i = 0; i < nwins; i++)
        free(wins[i].tail);
    free(wins);
    if (sc.failures > 10)
        check_fail(__FILE__, __LINE__, "%s: %u mismatches in all", sc.label, sc.failures);
    CHECK_EQ(sc.funcs, expect_funcs);
    CHECK_EQ(sc.stack_win + sc.stack_fpo, expect_win);
    CHECK(sc.lines > 0);
    for (size_t i = 0; i < sc.nfiles; i++)
        free(sc.files[i]);
    free(sc.files);
    pdb_destroy(sc.pdb);
}

/* The FUNC and STACK WIN counts are those of the .sym files (grep -c). */
TEST(pdb_breakpad_regtest)
{
    check_sym_file("google-breakpad/pdb-goldens/dump_syms_regtest.pdb",
                   "google-breakpad/pdb-goldens/dump_syms_regtest.sym", false, 158, 281);
}

TEST(pdb_breakpad_regtest64)
{
    check_sym_file("google-breakpad/pdb-goldens/dump_syms_regtest64.pdb",
                   "google-breakpad/pdb-goldens/dump_syms_regtest64.sym", false, 246, 0);
}

TEST(pdb_breakpad_omap_reorder_funcs)
{
    check_sym_file("google-breakpad/pdb-goldens/omap_reorder_funcs.pdb",
                   "google-breakpad/pdb-goldens/omap_reorder_funcs.sym", true, 158, 281);
}

TEST(pdb_breakpad_omap_reorder_bbs)
{
    check_sym_file("google-breakpad/pdb-goldens/omap_reorder_bbs.pdb",
                   "google-breakpad/pdb-goldens/omap_reorder_bbs.sym", true, 953, 2506);
}

TEST(pdb_breakpad_omap_stretched)
{
    check_sym_file("google-breakpad/pdb-goldens/omap_stretched.pdb",
                   "google-breakpad/pdb-goldens/omap_stretched.sym", true, 175, 350);
}

TEST(pdb_breakpad_omap_stretched_filled)
{
    check_sym_file("google-breakpad/pdb-goldens/omap_stretched_filled.pdb",
                   "google-breakpad/pdb-goldens/omap_stretched_filled.sym", true, 158, 281);
}

TEST(pdb_breakpad_symbolicator_crash)
{
    check_sym_file(
        "getsentry-symbolicator/symbols/crash.pdb/3249D99D0C4049318610F4E4FB0B6936ffffffff/crash.pdb",
        "getsentry-symbolicator/symbols/crash.pdb/3249D99D0C4049318610F4E4FB0B69361/crash.pdb",
        false, 92, 154);
}
