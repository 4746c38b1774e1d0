/*
 * Finding an ISF file for a PDB on the symbol path. Volatility 3 names its files
 * "<pdb name>/<GUID>-<AGE>.json.xz" under symbols/windows/ (JPCERTCC/Windows-Symbol-Tables uses
 * the same names under symbols/windows/); a symbol-store-like layout would use "<GUID><AGE>".
 * Both are tried, compressed and plain, in each local directory the path names.
 */
#include "nt/isf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include "pe/pe_debug.h"
#include "sym/sympath.h"

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Tries every name in every sub-layout of DIR; on a hit sets ret (malloc'd) and returns true. */
static bool try_dir(const char *dir, const char *pdb_name, const char *guid, uint32_t age,
                    char **ret)
{
    static const char *const subdirs[] = {"", "/windows", "/symbols/windows"};
    static const char *const exts[] = {".json.xz", ".json"};
    /* Volatility writes "-AGE" in decimal, a symbol store "AGE" in hex; try both spellings. */
    char stems[3][48];
    snprintf(stems[0], sizeof(stems[0]), "%s-%u", guid, age);
    snprintf(stems[1], sizeof(stems[1]), "%s%X", guid, age);
    snprintf(stems[2], sizeof(stems[2]), "%s-%X", guid, age);
    size_t nstems = age >= 10 ? 3 : 2;
    char path[4096];
    for (size_t s = 0; s < sizeof(subdirs) / sizeof(subdirs[0]); s++)
        for (size_t k = 0; k < nstems; k++)
            for (size_t e = 0; e < sizeof(exts) / sizeof(exts[0]); e++) {
                int n = snprintf(path, sizeof(path), "%s%s/%s/%s%s", dir, subdirs[s], pdb_name,
                                 stems[k], exts[e]);
                if (n < 0 || (size_t)n >= sizeof(path) || !file_exists(path))
                    continue;
                *ret = strdup(path);
                return *ret != NULL;
            }
    return false;
}

/* Calls VISIT for each local directory of SYMBOL_PATH until it returns true. */
static bool path_each_dir(const char *symbol_path, bool (*visit)(void *ctx, const char *dir),
                          void *ctx, struct dd_error **ret_err)
{
    struct sympath *sp = NULL;
    *ret_err = sympath_parse(symbol_path, &sp);
    if (*ret_err)
        return false;
    bool done = false;
    char *store = NULL;
    for (size_t i = 0; i < sp->count && !done; i++) {
        const struct sympath_elem *el = &sp->elems[i];
        if ((el->kind == SYMPATH_ELEM_DIR || el->kind == SYMPATH_ELEM_CACHE) && el->dir &&
            !el->foreign) {
            done = visit(ctx, el->dir);
            continue;
        }
        for (size_t t = 0; t < el->tier_count && !done; t++) {
            const struct sympath_tier *tier = &el->tiers[t];
            if (tier->kind == SYMPATH_TIER_DIR && tier->location && !tier->foreign)
                done = visit(ctx, tier->location);
            else if (tier->kind == SYMPATH_TIER_DEFAULT) {
                if (!store && dd_error_drop(sympath_default_store(&store)))
                    store = NULL;
                if (store)
                    done = visit(ctx, store);
            }
        }
    }
    free(store);
    sympath_destroy(sp);
    return done;
}

struct find_ctx {
    const char *pdb_name, *guid;
    uint32_t age;
    char *found;
};

static bool find_visit(void *ctx, const char *dir)
{
    struct find_ctx *c = ctx;
    return try_dir(dir, c->pdb_name, c->guid, c->age, &c->found);
}

struct dd_error *isf_find(const char *symbol_path, const char *pdb_name, const uint8_t guid[16],
                          uint32_t age, char **ret)
{
    if (!symbol_path || !*symbol_path || !pdb_name || strchr(pdb_name, '/'))
        return dd_error_create(DD_ERR_NOT_FOUND, "no symbol path to look for an ISF file in");
    char key[PE_KEY_MAX];
    pe_pdb_key_format(key, guid, age);
    key[32] = 0; /* the GUID part of the symbol-store key */
    struct find_ctx c = {.pdb_name = pdb_name, .guid = key, .age = age};
    struct dd_error *err;
    path_each_dir(symbol_path, find_visit, &c, &err);
    if (err)
        return err;
    if (!c.found)
        return dd_error_create(DD_ERR_NOT_FOUND, "no ISF file for %s %s age %u on the symbol path",
                               pdb_name, key, age);
    *ret = c.found;
    return NULL;
}

struct match_ctx {
    const char *pdb_name;
    const struct isf_symbol_check *checks;
    size_t n;
    unsigned opened;
    char *found;
};

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_isf_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".json") == 0) ||
           (n > 8 && strcmp(name + n - 8, ".json.xz") == 0);
}

/* Tries the ISF files of one PDB_NAME directory, in name order. */
static bool match_in(struct match_ctx *c, const char *pdir)
{
    DIR *d = opendir(pdir);
    if (!d)
        return false;
    char *names[ISF_FIND_MAX_CANDIDATES];
    size_t count = 0;
    struct dirent *de;
    while ((de = readdir(d)) && count < ISF_FIND_MAX_CANDIDATES)
        if (is_isf_name(de->d_name) && (names[count] = strdup(de->d_name)))
            count++;
    closedir(d);
    qsort(names, count, sizeof(names[0]), name_cmp);
    bool done = false;
    for (size_t i = 0; i < count; i++) {
        if (done || c->opened >= ISF_FIND_MAX_CANDIDATES) {
            free(names[i]);
            continue;
        }
        char path[4096];
        int len = snprintf(path, sizeof(path), "%s/%s", pdir, names[i]);
        free(names[i]);
        struct isf *isf = NULL;
        if (len < 0 || (size_t)len >= sizeof(path) || !file_exists(path))
            continue;
        c->opened++;
        if (dd_error_drop(isf_open(path, &isf)))
            continue;
        bool all = true;
        for (size_t k = 0; k < c->n && all; k++) {
            uint64_t rva;
            all = !dd_error_drop(isf_symbol_rva(isf, c->checks[k].name, &rva)) &&
                  rva == c->checks[k].rva;
        }
        isf_destroy(isf);
        if (all) {
            c->found = strdup(path);
            done = c->found != NULL;
        }
    }
    return done;
}

static bool match_visit(void *ctx, const char *dir)
{
    struct match_ctx *c = ctx;
    static const char *const subdirs[] = {"", "/windows", "/symbols/windows"};
    for (size_t s = 0; s < sizeof(subdirs) / sizeof(subdirs[0]); s++) {
        char pdir[4096];
        int n = snprintf(pdir, sizeof(pdir), "%s%s/%s", dir, subdirs[s], c->pdb_name);
        if (n > 0 && (size_t)n < sizeof(pdir) && match_in(c, pdir))
            return true;
    }
    return false;
}

struct dd_error *isf_find_by_symbols(const char *symbol_path, const char *pdb_name,
                                     const struct isf_symbol_check *checks, size_t n, char **ret)
{
    if (!symbol_path || !*symbol_path || !pdb_name || strchr(pdb_name, '/') || n < 2)
        return dd_error_create(DD_ERR_NOT_FOUND, "nothing to match an ISF file with");
    struct match_ctx c = {.pdb_name = pdb_name, .checks = checks, .n = n};
    struct dd_error *err;
    path_each_dir(symbol_path, match_visit, &c, &err);
    if (err)
        return err;
    if (!c.found)
        return dd_error_create(DD_ERR_NOT_FOUND,
                               "no ISF file of %s on the symbol path matches the kernel's symbol "
                               "addresses (%u examined)",
                               pdb_name, c.opened);
    *ret = c.found;
    return NULL;
}
