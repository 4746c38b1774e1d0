/* Export directory: IMAGE_EXPORT_DIRECTORY and its address, name and ordinal tables
 * (PE Format, "The .edata Section (Image Only)"). */
#include "pe/pe_exports.h"

#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "pe/pe_internal.h"

#define EXPORT_DIR_SIZE 40u
/* Ordinals are 16-bit where they are used (import by ordinal, the name-ordinal table), so a
 * real table is at most 64 Ki functions; names get more room for aliases. */
#define EXPORTS_MAX_FUNCTIONS 0x10000u
#define EXPORTS_MAX_NAMES 0x40000u
#define EXPORT_NAME_MAX 4096u
#define DLL_NAME_MAX 512u
/* Bytes of names read per table at most, so that a hostile table of long names stays fast. */
#define NAME_BYTES_BUDGET (16u << 20)

static int by_rva_cmp(const void *a, const void *b)
{
    const struct pe_export *x = *(const struct pe_export *const *)a;
    const struct pe_export *y = *(const struct pe_export *const *)b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    if (!x->name != !y->name)
        return x->name ? -1 : 1;
    if (x->name) {
        int c = strcmp(x->name, y->name);
        if (c)
            return c;
    }
    return x->ordinal < y->ordinal ? -1 : (x->ordinal > y->ordinal);
}

static int by_name_cmp(const void *a, const void *b)
{
    const struct pe_export *x = *(const struct pe_export *const *)a;
    const struct pe_export *y = *(const struct pe_export *const *)b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->ordinal < y->ordinal ? -1 : (x->ordinal > y->ordinal);
}

static int by_ordinal_cmp(const void *a, const void *b)
{
    const struct pe_export *x = a, *y = b;
    if (x->ordinal != y->ordinal)
        return x->ordinal < y->ordinal ? -1 : 1;
    if (!x->name != !y->name)
        return x->name ? -1 : 1;
    return x->name ? strcmp(x->name, y->name) : 0;
}

/* Fills E for address-table slot INDEX; a forwarder's RVA points inside the export directory. */
static struct dd_error *export_fill(struct pe_image *img, struct pe_data_dir dir, uint32_t base,
                                    uint32_t index, uint32_t rva, const char *name,
                                    size_t *budget, struct pe_export *e)
{
    e->name = name;
    e->ordinal = base + index;
    e->rva = rva;
    e->forwarder = NULL;
    if (rva >= dir.rva && rva - (uint64_t)dir.rva < dir.size) {
        e->forwarder = "?"; /* a forwarder whose target is unknown, unless read below */
        if (*budget < EXPORT_NAME_MAX + 1)
            return NULL;
        const char *fwd;
        struct dd_error *err =
            pe_read_cstr(img, rva, EXPORT_NAME_MAX, "export forwarder string", &fwd);
        if (err && err->code == DD_ERR_NO_MEMORY)
            return err;
        if (err) {
            dd_error_destroy(err);
            *budget -= EXPORT_NAME_MAX + 1;
        } else {
            e->forwarder = fwd;
            *budget -= strlen(fwd) + 1;
        }
    }
    return NULL;
}

struct export_tables {
    uint8_t *functions; /* u32 RVAs */
    uint8_t *names;     /* u32 name RVAs */
    uint8_t *ordinals;  /* u16 indices into functions */
};

static void tables_free(struct export_tables *t)
{
    free(t->functions);
    free(t->names);
    free(t->ordinals);
}

static struct dd_error *exports_build(struct pe_image *img, struct pe_data_dir dir,
                                      struct pe_exports *ex, const struct export_tables *t)
{
    uint32_t nfuncs = ex->number_of_functions, nnames = ex->number_of_names;
    /* One entry per name plus one per unnamed function: at most nnames + nfuncs. */
    size_t cap = (size_t)nfuncs + nnames;
    uint8_t *named = calloc(nfuncs ? nfuncs : 1, 1);
    ex->entries = dd_arena_calloc(&img->arena, cap ? cap : 1, sizeof(*ex->entries));
    if (!named || !ex->entries) {
        free(named);
        return &dd_error_no_memory;
    }
    size_t n = 0;
    size_t budget = NAME_BYTES_BUDGET;
    struct dd_error *err = NULL;
    for (uint32_t j = 0; j < nnames; j++) {
        uint16_t idx = dd_le16(t->ordinals + 2 * (size_t)j);
        if (idx >= nfuncs)
            continue; /* points past the address table */
        uint32_t rva = dd_le32(t->functions + 4 * (size_t)idx);
        if (rva == 0)
            continue;
        if (budget < EXPORT_NAME_MAX + 1) {
            ex->unreadable_names++;
            continue;
        }
        const char *name;
        err = pe_read_cstr(img, dd_le32(t->names + 4 * (size_t)j), EXPORT_NAME_MAX, "export name",
                           &name);
        if (err && err->code == DD_ERR_NO_MEMORY)
            break;
        if (err) {
            dd_error_destroy(err);
            err = NULL;
            ex->unreadable_names++;
            budget -= EXPORT_NAME_MAX + 1;
            continue;
        }
        budget -= strlen(name) + 1;
        named[idx] = 1;
        err = export_fill(img, dir, ex->ordinal_base, idx, rva, name, &budget, &ex->entries[n++]);
        if (err)
            break;
    }
    for (uint32_t i = 0; !err && i < nfuncs; i++) {
        uint32_t rva = dd_le32(t->functions + 4 * (size_t)i);
        if (rva == 0 || named[i])
            continue;
        err = export_fill(img, dir, ex->ordinal_base, i, rva, NULL, &budget, &ex->entries[n++]);
    }
    free(named);
    if (err)
        return err;
    ex->count = n;
    qsort(ex->entries, n, sizeof(*ex->entries), by_ordinal_cmp);

    ex->by_rva = dd_arena_calloc(&img->arena, n ? n : 1, sizeof(*ex->by_rva));
    ex->by_name = dd_arena_calloc(&img->arena, n ? n : 1, sizeof(*ex->by_name));
    if (!ex->by_rva || !ex->by_name)
        return &dd_error_no_memory;
    for (size_t i = 0; i < n; i++) {
        struct pe_export *e = &ex->entries[i];
        if (!e->forwarder)
            ex->by_rva[ex->nby_rva++] = e;
        if (e->name)
            ex->by_name[ex->nby_name++] = e;
    }
    qsort(ex->by_rva, ex->nby_rva, sizeof(*ex->by_rva), by_rva_cmp);
    qsort(ex->by_name, ex->nby_name, sizeof(*ex->by_name), by_name_cmp);
    return NULL;
}

static struct dd_error *exports_parse(struct pe_image *img, struct pe_exports **ret)
{
    struct pe_data_dir dir = pe_image_dir(img, PE_DIR_EXPORT);
    if (dir.rva == 0 || dir.size == 0)
        return dd_error_create(DD_ERR_NOT_FOUND, "PE: the image has no export directory");
    uint8_t d[EXPORT_DIR_SIZE];
    struct dd_error *err = pe_read_exact(img, dir.rva, d, sizeof(d), "export directory");
    if (err)
        return err;
    struct pe_exports *ex = dd_arena_calloc(&img->arena, 1, sizeof(*ex));
    if (!ex)
        return &dd_error_no_memory;
    /* + 0 Characteristics, + 8/10 Major/MinorVersion */
    ex->timestamp = dd_le32(d + 4);
    uint32_t name_rva = dd_le32(d + 12);
    ex->ordinal_base = dd_le32(d + 16);
    ex->number_of_functions = dd_le32(d + 20);
    ex->number_of_names = dd_le32(d + 24);
    uint32_t functions_rva = dd_le32(d + 28);
    uint32_t names_rva = dd_le32(d + 32);
    uint32_t ordinals_rva = dd_le32(d + 36);

    uint64_t nfuncs = ex->number_of_functions, nnames = ex->number_of_names;
    if (nfuncs > EXPORTS_MAX_FUNCTIONS || nfuncs * 4 > img->rva_limit)
        return dd_error_create(DD_ERR_FORMAT,
                               "PE: export directory at RVA 0x%x claims %llu functions, more than "
                               "the image (0x%x bytes) can hold",
                               dir.rva, (unsigned long long)nfuncs, img->rva_limit);
    if (nnames > EXPORTS_MAX_NAMES || nnames * 4 > img->rva_limit)
        return dd_error_create(DD_ERR_FORMAT,
                               "PE: export directory at RVA 0x%x claims %llu names, more than the "
                               "image (0x%x bytes) can hold",
                               dir.rva, (unsigned long long)nnames, img->rva_limit);
    if (name_rva) {
        err = pe_read_cstr(img, name_rva, DLL_NAME_MAX, "export DLL name", &ex->dll_name);
        if (err && err->code == DD_ERR_NO_MEMORY)
            return err;
        dd_error_destroy(err);
    }

    struct export_tables t = {NULL, NULL, NULL};
    err = pe_read_alloc(img, functions_rva, nfuncs * 4, "export address table", &t.functions);
    if (!err)
        err = pe_read_alloc(img, names_rva, nnames * 4, "export name table", &t.names);
    if (!err)
        err = pe_read_alloc(img, ordinals_rva, nnames * 2, "export ordinal table", &t.ordinals);
    if (!err)
        err = exports_build(img, dir, ex, &t);
    tables_free(&t);
    if (err)
        return err;
    *ret = ex;
    return NULL;
}

struct dd_error *pe_exports_get(struct pe_image *img, const struct pe_exports **ret)
{
    if (img->exports_lazy.state == 2)
        return pe_lazy_replay(&img->exports_lazy);
    if (img->exports_lazy.state == 0) {
        struct pe_exports *ex = NULL;
        struct dd_error *err = exports_parse(img, &ex);
        if (err)
            return pe_lazy_fail(img, &img->exports_lazy, err);
        img->exports = ex;
        img->exports_lazy.state = 1;
    }
    *ret = img->exports;
    return NULL;
}

/* The first index of BY_RVA[0..N) whose RVA is >= RVA (N when none). */
static size_t rva_lower_bound(struct pe_export *const *by_rva, size_t n, uint64_t rva)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (by_rva[mid]->rva < rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct pe_export *pe_exports_find_by_rva(const struct pe_exports *ex, uint32_t rva)
{
    /* The last export at or below RVA, then the first export with that same RVA. */
    size_t above = rva_lower_bound(ex->by_rva, ex->nby_rva, (uint64_t)rva + 1);
    if (above == 0)
        return NULL;
    uint32_t at = ex->by_rva[above - 1]->rva;
    return ex->by_rva[rva_lower_bound(ex->by_rva, above, at)];
}

const struct pe_export *pe_exports_find_by_name(const struct pe_exports *ex, const char *name)
{
    /* Lower bound, so the first of several exports with one name. */
    size_t lo = 0, hi = ex->nby_name;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ex->by_name[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ex->nby_name && strcmp(ex->by_name[lo]->name, name) == 0 ? ex->by_name[lo] : NULL;
}

const struct pe_export *pe_exports_find_by_ordinal(const struct pe_exports *ex, uint32_t ordinal)
{
    size_t lo = 0, hi = ex->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ex->entries[mid].ordinal < ordinal)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < ex->count && ex->entries[lo].ordinal == ordinal ? &ex->entries[lo] : NULL;
}

int pe_exports_each(const struct pe_exports *ex, const char *pattern,
                    int (*fn)(void *ctx, const struct pe_export *e), void *ctx)
{
    for (size_t i = 0; i < ex->nby_name; i++) {
        const struct pe_export *e = ex->by_name[i];
        if (pattern && !dd_wildcard_match(pattern, e->name))
            continue;
        int r = fn(ctx, e);
        if (r)
            return r;
    }
    return 0;
}
