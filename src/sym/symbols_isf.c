/*
 * A Volatility ISF type file (nt/isf.h) as the kernel's symbol source when its PDB is not at
 * hand: the file's "symbols" table (name -> "address", an RVA from the image base in the
 * Windows files volatility3's pdbconv writes; see the ISF schema, schema-6.*.json) names nt's
 * addresses like a public-symbols PDB does: no sizes, so an address resolves to the nearest
 * symbol at or below it ("nt!KiPageFault+0x3c0"), as WinDbg does with export-only symbols.
 *
 * Which file: the one named by the kernel's PDB identity (the module's CodeView record or the
 * image's debug directory; isf_find), else, on a small dump without either, the first ISF on
 * the symbol path whose symbols sit where the dump says PsLoadedModuleList,
 * PsActiveProcessHead and KdDebuggerDataBlock are (isf_find_by_symbols).
 *
 * The same file also gives the kernel's types, turned once into a TPI stream (nt/isf_tpi.h) so
 * dt and the other type commands read them through the PDB type code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "nt/isf.h"
#include "nt/isf_tpi.h"
#include "nt/kernel_names.h"
#include "pdb/tpi.h"
#include "pe/pe_debug.h"
#include "sym/symbols_internal.h"

struct symbols_isf_sym {
    uint32_t rva;
    const char *name; /* owned by the ISF */
};

struct symbols_isf {
    struct isf *isf;
    struct symbols_isf_sym *by_addr; /* sorted by rva, one name per rva */
    size_t count;
    uint8_t *tpi;            /* the TPI stream image made from the ISF's types */
    struct pdb_types *types; /* over tpi */
    bool types_tried;
};

void symbols_isf_destroy(struct symbols_isf *x)
{
    if (!x)
        return;
    pdb_types_destroy(x->types);
    free(x->tpi);
    free(x->by_addr);
    isf_destroy(x->isf);
    free(x);
}

/* Names a person would not pick when several share an address: labels ("$$0") and string
 * literals ("??_C@...", `string'). */
static int name_rank(const char *name)
{
    return strncmp(name, "$$", 2) == 0 || strncmp(name, "??_C@", 5) == 0;
}

static int sym_cmp(const void *a, const void *b)
{
    const struct symbols_isf_sym *x = a, *y = b;
    if (x->rva != y->rva)
        return x->rva < y->rva ? -1 : 1;
    int rx = name_rank(x->name), ry = name_rank(y->name);
    if (rx != ry)
        return rx - ry;
    return strcmp(x->name, y->name);
}

/*
 * Builds the address index. An address below the image size is an RVA (Windows ISF files); one
 * inside [BASE, BASE + SIZE) is taken as absolute (the form Linux ISF files use); others are
 * outside the image and left out.
 */
static struct dd_error *index_build(struct symbols_isf *x, uint64_t base, uint64_t size)
{
    size_t n = isf_symbol_count(x->isf);
    x->by_addr = calloc(n ? n : 1, sizeof(*x->by_addr));
    if (!x->by_addr)
        return &dd_error_no_memory;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = NULL;
        uint64_t a = 0;
        if (dd_error_drop(isf_symbol_at(x->isf, i, &name, &a)))
            continue;
        if (a >= size && a - base < size)
            a -= base;
        if (a >= size || a > UINT32_MAX || !name[0])
            continue;
        x->by_addr[k++] = (struct symbols_isf_sym){(uint32_t)a, name};
    }
    qsort(x->by_addr, k, sizeof(*x->by_addr), sym_cmp);
    /* One name per address: the best-ranked, then alphabetically first. */
    size_t w = 0;
    for (size_t i = 0; i < k; i++)
        if (w == 0 || x->by_addr[w - 1].rva != x->by_addr[i].rva)
            x->by_addr[w++] = x->by_addr[i];
    x->count = w;
    return NULL;
}

/* The kernel's PDB identity, when the dump or the image has it. */
static bool kernel_identity(struct symbols *s, size_t idx, struct pe_codeview *cv, char *name,
                            size_t name_len)
{
    if (!symbols_module_codeview(s, idx, cv) || cv->kind != PE_CV_RSDS)
        return false;
    snprintf(name, name_len, "%s", cv->pdb_path ? dd_path_basename(cv->pdb_path) : "");
    if (!name[0])
        snprintf(name, name_len, "ntkrnlmp.pdb");
    return true;
}

/* Finds the ISF by the addresses the dump header gives, as RVAs from the module's base. */
static char *find_by_addresses(struct symbols *s, const struct target_module *m)
{
    const struct target_kernel *tk = &s->target->kernel;
    struct isf_symbol_check checks[3];
    size_t n = 0;
    const struct {
        const char *name;
        uint64_t addr;
    } known[] = {
        {"PsLoadedModuleList", tk->ps_loaded_module_list},
        {"PsActiveProcessHead", tk->ps_active_process_head},
        {"KdDebuggerDataBlock", tk->kd_debugger_data_block},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (known[i].addr > m->base && known[i].addr - m->base < m->size)
            checks[n++] = (struct isf_symbol_check){known[i].name, known[i].addr - m->base};
    if (n < 2)
        return NULL;
    for (size_t i = 0; i < nt_kernel_stem_count; i++) {
        char pdb_name[32];
        char *path = NULL;
        snprintf(pdb_name, sizeof(pdb_name), "%s.pdb", nt_kernel_stems[i]);
        if (!dd_error_drop(isf_find_by_symbols(s->path_text, pdb_name, checks, n, &path)))
            return path;
    }
    return NULL;
}

bool symbols_isf_load(struct symbols *s, size_t idx)
{
    struct target *t = s->target;
    if (t->kind != TARGET_KERNEL || idx >= t->nmodules || !s->path_text[0])
        return false;
    const struct target_module *m = &t->modules[idx];
    const char *file = m->path ? dd_path_basename(m->path) : NULL;
    bool is_nt = (m->name && dd_strcasecmp(m->name, "nt") == 0) ||
                 (file && nt_kernel_file_name(file, strlen(file)));
    if (!is_nt || !m->size)
        return false;
    struct pe_codeview cv;
    char pdb_name[64];
    char *path = NULL;
    if (kernel_identity(s, idx, &cv, pdb_name, sizeof(pdb_name)) &&
        dd_error_drop(isf_find(s->path_text, pdb_name, cv.guid, cv.age, &path)))
        path = NULL;
    if (!path)
        path = find_by_addresses(s, m);
    if (!path)
        return false;
    struct symbols_isf *x = calloc(1, sizeof(*x));
    struct dd_error *err = x ? isf_open(path, &x->isf) : &dd_error_no_memory;
    if (!err)
        err = index_build(x, m->base, m->size);
    if (err) {
        symbols_log(s, "%s: %s", path, err->message);
        dd_error_destroy(err);
        symbols_isf_destroy(x);
        free(path);
        return false;
    }
    struct symbols_module *sm = &s->mods[idx];
    sm->isf = x;
    sm->symbol_file = path;
    sm->state = SYMBOLS_ISF;
    symbols_log(s, "%s - ISF symbols\n        %s", m->name, path);
    return true;
}

bool symbols_isf_find_by_rva(const struct symbols_isf *x, uint64_t rva, const char **ret_name,
                             uint32_t *ret_rva)
{
    size_t lo = 0, hi = x->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->by_addr[mid].rva <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return false;
    *ret_name = x->by_addr[lo - 1].name;
    *ret_rva = x->by_addr[lo - 1].rva;
    return true;
}

bool symbols_isf_find_by_name(const struct symbols_isf *x, const char *name, uint64_t base,
                              uint64_t size, uint64_t *ret)
{
    uint64_t a = 0;
    if (dd_error_drop(isf_symbol_rva(x->isf, name, &a)))
        return false;
    if (a >= size && a - base < size)
        a -= base;
    if (a >= size)
        return false;
    *ret = base + a;
    return true;
}

bool symbols_isf_each(const struct symbols_isf *x,
                      bool (*fn)(void *ctx, const char *name, uint32_t rva), void *ctx)
{
    for (size_t i = 0; i < x->count; i++)
        if (!fn(ctx, x->by_addr[i].name, x->by_addr[i].rva))
            return false;
    return true;
}

struct isf *symbols_module_isf(struct symbols *s, size_t idx)
{
    symbols_module_load(s, idx);
    return idx < s->target->nmodules && s->mods[idx].isf ? s->mods[idx].isf->isf : NULL;
}

struct pdb_types *symbols_module_isf_types(struct symbols *s, size_t idx)
{
    symbols_module_load(s, idx);
    struct symbols_isf *x = idx < s->target->nmodules ? s->mods[idx].isf : NULL;
    if (!x)
        return NULL;
    if (x->types_tried)
        return x->types;
    x->types_tried = true;
    size_t size = 0;
    struct dd_error *err = isf_tpi_build(x->isf, target_ptr_size(s->target), &x->tpi, &size);
    if (!err)
        err = pdb_types_open_memory(x->tpi, size, &x->types);
    if (err) {
        symbols_log(s, "%s: the ISF types: %s", s->mods[idx].symbol_file, err->message);
        dd_error_destroy(err);
        free(x->tpi);
        x->tpi = NULL;
        x->types = NULL;
    }
    return x->types;
}
