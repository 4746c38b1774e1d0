/*
 * libFuzzer target: open bytes as a whole PDB (MSF container) and run the lookups a debugger
 * makes: symbols, lines, inline frames, frame data and locals at addresses inside the PDB's own
 * sections and publics, name lookups, and the listings (x, modules, files, lines, checksums).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pdb/pdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile size_t fuzz_pdb_sink;

static bool on_local(void *ctx, const struct pdb_local *l)
{
    size_t *n = ctx;
    for (uint32_t i = 0; i < l->range_count; i++)
        *n += l->ranges[i].gap_count + (l->ranges[i].gaps ? l->ranges[i].gaps[0].length : 0);
    return ++*n < 10000;
}

static bool on_line(void *ctx, const struct pdb_line *l)
{
    size_t *n = ctx;
    *n += strlen(l->file);
    return true;
}

static bool on_symbol(void *ctx, const struct pdb_symbol *s)
{
    size_t *n = ctx;
    *n += strlen(s->name);
    return true;
}

static bool on_name(void *ctx, const char *name)
{
    size_t *n = ctx;
    *n += strlen(name);
    return true;
}

static bool on_checksum(void *ctx, const struct pdb_file_checksum *c)
{
    size_t *n = ctx;
    *n += c->size ? c->bytes[0] : 0;
    return true;
}

static bool on_global(void *ctx, const struct pdb_global *g)
{
    size_t *n = ctx;
    *n += strlen(g->name);
    return true;
}

struct probes {
    uint32_t rva[32];
    unsigned n;
};

static bool on_public(void *ctx, const struct pdb_public *p)
{
    struct probes *pr = ctx;
    if (pr->n < 32 && p->has_rva)
        pr->rva[pr->n++] = p->rva + 3;
    return pr->n < 32;
}

static void probe(struct pdb *pdb, uint32_t rva, size_t *sink)
{
    struct pdb_symbol s;
    struct pdb_line l;
    struct pdb_proc p;
    struct pdb_inline_frame fr[8];
    struct pdb_framedata fd;
    struct pdb_fpo fpo;
    uint32_t n = 0;
    dd_error_destroy(pdb_find_symbol(pdb, rva, &s));
    dd_error_destroy(pdb_find_line(pdb, rva, &l));
    dd_error_destroy(pdb_inline_frames(pdb, rva, fr, 8, &n));
    dd_error_destroy(pdb_framedata_find(pdb, rva, &fd));
    dd_error_destroy(pdb_fpo_find(pdb, rva, &fpo));
    dd_error_destroy(pdb_lines_iterate_range(pdb, rva, 64, on_line, sink));
    struct dd_error *err = pdb_find_proc(pdb, rva, &p);
    if (err == NULL) {
        struct pdb_frameproc fp;
        dd_error_destroy(pdb_proc_locals(pdb, &p, on_local, sink));
        dd_error_destroy(pdb_proc_lines(pdb, &p, on_line, sink));
        dd_error_destroy(pdb_proc_frameproc(pdb, &p, &fp));
    }
    dd_error_destroy(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pdb *pdb;
    struct dd_error *err = pdb_open_memory(data, size, "fuzz.pdb", &pdb);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    size_t sink = 0;
    /* Addresses: the start and a few bytes into each section, and just past some publics. */
    const struct pdb_section_header *h;
    uint32_t nh;
    err = pdb_section_headers_get(pdb, false, &h, &nh);
    for (uint32_t i = 0; !err && i < nh && i < 8; i++) {
        probe(pdb, h[i].virtual_address, &sink);
        probe(pdb, h[i].virtual_address + 8, &sink);
        probe(pdb, h[i].virtual_address + 0x75, &sink);
    }
    dd_error_destroy(err);
    struct probes pr = {.n = 0};
    dd_error_destroy(pdb_publics_iterate(pdb, on_public, &pr));
    for (unsigned i = 0; i < pr.n; i++)
        probe(pdb, pr.rva[i], &sink);
    probe(pdb, 0, &sink);
    probe(pdb, 0xffffffffu, &sink);
    /* Names. */
    struct pdb_public pub;
    struct pdb_proc p;
    dd_error_destroy(pdb_publics_find_by_name(pdb, "main", &pub));
    dd_error_destroy(pdb_find_proc_by_name(pdb, "main", &p));
    dd_error_destroy(pdb_globals_find_by_name(pdb, "g_data", on_global, &sink));
    /* Listings. */
    dd_error_destroy(pdb_iterate_symbols(pdb, "*a*", on_symbol, &sink));
    for (uint32_t m = 0; m < pdb_module_count(pdb) && m < 16; m++) {
        dd_error_destroy(pdb_module_files_iterate(pdb, m, on_name, &sink));
        dd_error_destroy(pdb_module_lines_iterate(pdb, m, on_line, &sink));
        dd_error_destroy(pdb_module_checksums_iterate(pdb, m, on_checksum, &sink));
    }
    const struct pdb_section_map_entry *sm;
    uint32_t nsm;
    dd_error_destroy(pdb_section_map_get(pdb, &sm, &nsm));
    const char *ec;
    dd_error_destroy(pdb_ec_name_get(pdb, 1, &ec));
    const char *idname;
    dd_error_destroy(pdb_id_name(pdb, 0x1000, &idname));
    pdb_destroy(pdb);
    fuzz_pdb_sink = sink; /* every result is read, so nothing is optimized away */
    return 0;
}
