/*
 * Opening and closing a PDB, stream helpers and string interning. Opening reads only the PDB info
 * stream, the DBI header and the module list; the rest is read on first use by the other files.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdb/pdb_internal.h"

struct dd_error *pdb_error(struct pdb *pdb, enum dd_error_code code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return dd_error_create(code, "%s: %s", pdb->name, msg);
}

struct dd_error *pdb_stream_read_exact(const struct msf_stream *s, uint64_t off, void *buf,
                                       size_t len, const char *what)
{
    if (off > s->size || len > s->size - off)
        return dd_error_at(DD_ERR_FORMAT, off, "%s: %zu bytes at offset 0x%llx run past the end of "
                           "stream %u (%u bytes)", what, len, (unsigned long long)off, s->index,
                           s->size);
    if (msf_stream_read(s, off, buf, len) != len)
        return dd_error_at(DD_ERR_FORMAT, off, "%s: stream %u is cut short by the end of the file "
                           "at offset 0x%llx", what, s->index, (unsigned long long)off);
    return NULL;
}

struct dd_error *pdb_stream_copy(struct pdb *pdb, uint32_t index, uint64_t off, uint32_t len,
                                 const char *what, uint8_t **ret)
{
    struct msf_stream s;
    struct dd_error *err = msf_stream_get(pdb->msf, index, &s);
    if (err)
        return err;
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf)
        return &dd_error_no_memory;
    err = pdb_stream_read_exact(&s, off, buf, len, what);
    if (err) {
        free(buf);
        return err;
    }
    *ret = buf;
    return NULL;
}

size_t pdb_strnlen(const uint8_t *s, size_t max)
{
    const uint8_t *z = memchr(s, 0, max);
    return z ? (size_t)(z - s) : max;
}

static uint64_t intern_hash(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return key;
}

static bool intern_grow(struct pdb *pdb)
{
    uint32_t cap = pdb->intern_cap ? pdb->intern_cap * 2 : 256;
    struct pdb_intern_slot *slots = calloc(cap, sizeof(*slots));
    if (!slots)
        return false;
    for (uint32_t i = 0; i < pdb->intern_cap; i++) {
        if (!pdb->intern[i].s)
            continue;
        uint32_t j = (uint32_t)intern_hash(pdb->intern[i].key) & (cap - 1);
        while (slots[j].s)
            j = (j + 1) & (cap - 1);
        slots[j] = pdb->intern[i];
    }
    free(pdb->intern);
    pdb->intern = slots;
    pdb->intern_cap = cap;
    return true;
}

const char *pdb_intern_find(const struct pdb *pdb, uint64_t key)
{
    if (!pdb->intern_cap)
        return NULL;
    uint32_t j = (uint32_t)intern_hash(key) & (pdb->intern_cap - 1);
    while (pdb->intern[j].s) {
        if (pdb->intern[j].key == key)
            return pdb->intern[j].s;
        j = (j + 1) & (pdb->intern_cap - 1);
    }
    return NULL;
}

const char *pdb_intern(struct pdb *pdb, uint64_t key, const uint8_t *s, size_t max)
{
    if ((pdb->intern_count + 1) * 4 > pdb->intern_cap * 3 && !intern_grow(pdb))
        return NULL;
    uint32_t j = (uint32_t)intern_hash(key) & (pdb->intern_cap - 1);
    while (pdb->intern[j].s) {
        if (pdb->intern[j].key == key)
            return pdb->intern[j].s;
        j = (j + 1) & (pdb->intern_cap - 1);
    }
    char *copy = dd_arena_strndup(&pdb->arena, (const char *)s, pdb_strnlen(s, max));
    if (!copy)
        return NULL;
    pdb->intern[j].key = key;
    pdb->intern[j].s = copy;
    pdb->intern_count++;
    return copy;
}

struct dd_error *pdb_open_msf(struct msf_file *msf, struct pdb **ret)
{
    struct pdb *pdb = calloc(1, sizeof(*pdb));
    if (!pdb) {
        msf_destroy(msf);
        return &dd_error_no_memory;
    }
    pdb->msf = msf;
    pdb->name = msf_name(msf);
    dd_arena_init(&pdb->arena);
    struct dd_error *err = pdb_info_parse(pdb);
    if (!err)
        err = pdb_dbi_parse(pdb);
    if (err) {
        pdb_destroy(pdb);
        return err;
    }
    pdb->info.has_dbi = pdb->has_dbi;
    pdb->info.dbi_age = pdb->has_dbi ? pdb->dbi.age : 0;
    *ret = pdb;
    return NULL;
}

struct dd_error *pdb_open(const char *path, struct pdb **ret)
{
    struct msf_file *msf;
    struct dd_error *err = msf_open_file(path, &msf);
    if (err)
        return err;
    return pdb_open_msf(msf, ret);
}

struct dd_error *pdb_open_memory(const uint8_t *data, size_t size, const char *name,
                                 struct pdb **ret)
{
    struct msf_file *msf;
    struct dd_error *err = msf_open_memory(data, size, name, &msf);
    if (err)
        return err;
    return pdb_open_msf(msf, ret);
}

static void gsi_free(struct pdb_gsi *g)
{
    free(g->buckets);
    dd_error_destroy(g->error);
}

void pdb_destroy(struct pdb *pdb)
{
    if (!pdb)
        return;
    for (uint32_t i = 0; i < pdb->nmodules; i++) {
        struct pdb_module_state *ms = &pdb->modules[i];
        dd_error_destroy(ms->error);
        free(ms->procs);
        free(ms->lines);
    }
    free(pdb->modules);
    free(pdb->modinfo);
    free(pdb->ns_buf);
    free(pdb->ns_entries);
    free(pdb->secmap);
    dd_error_destroy(pdb->fileinfo_error);
    free(pdb->fileinfo);
    free(pdb->fi_mod_start);
    free(pdb->fi_mod_count);
    free(pdb->ec_buf);
    dd_error_destroy(pdb->sections_error);
    free(pdb->sections);
    free(pdb->orig_sections);
    free(pdb->omap_to_src);
    free(pdb->omap_from_src);
    free(pdb->omap_inverse);
    dd_error_destroy(pdb->contribs_error);
    free(pdb->contribs);
    gsi_free(&pdb->publics_gsi);
    gsi_free(&pdb->globals_gsi);
    free(pdb->scratch);
    free(pdb->fpo);
    free(pdb->fd);
    free(pdb->tpi_idx.idx_ti);
    free(pdb->tpi_idx.idx_off);
    free(pdb->ipi_idx.idx_ti);
    free(pdb->ipi_idx.idx_off);
    free(pdb->intern);
    dd_arena_deinit(&pdb->arena);
    msf_destroy(pdb->msf);
    free(pdb);
}

struct msf_file *pdb_msf(struct pdb *pdb)
{
    return pdb->msf;
}
