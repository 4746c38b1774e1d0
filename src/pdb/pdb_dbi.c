/*
 * The DBI stream (stream 3). Layout (LLVM "The DBI Stream", microsoft-pdb dbi.h): a 64-byte
 * header (new format, V70), then the substreams in this order: module info, section
 * contributions, section map, file info, type server map, EC names, optional debug header (an
 * array of u16 stream numbers). Opening parses the header, the module list and the debug header;
 * the other substreams are read when asked for.
 */
#include <stdlib.h>
#include <string.h>

#include "pdb/pdb_internal.h"

#define WHAT "PDB DBI stream"
#define DBI_HEADER_SIZE 64u
#define MODI_FIXED_SIZE 64u
#define SC_ENTRY_SIZE PDB_SC_ENTRY_SIZE
#define SC_VER60 PDB_SC_VER60
#define SC_V2 PDB_SC_V2
/* The module symbol stream signature for C13 records (cvinfo.h CV_SIGNATURE_C13). */
#define CV_SIGNATURE_C13 4u
#define DEBUG_S_FILECHKSMS 0xf4u
#define DEBUG_S_IGNORE 0x80000000u

static void decode_contrib(const uint8_t *p, bool v2, struct pdb_section_contrib *sc)
{
    sc->section = dd_le16(p);
    sc->offset = dd_le32(p + 4);
    sc->size = dd_le32(p + 8);
    sc->characteristics = dd_le32(p + 12);
    sc->module = dd_le16(p + 16);
    sc->data_crc = dd_le32(p + 20);
    sc->reloc_crc = dd_le32(p + 24);
    sc->coff_section = v2 ? dd_le32(p + 28) : 0;
}

static struct dd_error *parse_header(struct pdb *pdb, const uint8_t *h)
{
    struct pdb_dbi_header *d = &pdb->dbi;
    d->version_signature = (int32_t)dd_le32(h);
    d->version = dd_le32(h + 4);
    d->age = dd_le32(h + 8);
    d->global_stream = dd_le16(h + 12);
    d->build_number = dd_le16(h + 14);
    d->public_stream = dd_le16(h + 16);
    d->pdb_dll_version = dd_le16(h + 18);
    d->sym_record_stream = dd_le16(h + 20);
    d->pdb_dll_rebuild = dd_le16(h + 22);
    d->module_info_size = dd_le32(h + 24);
    d->section_contrib_size = dd_le32(h + 28);
    d->section_map_size = dd_le32(h + 32);
    d->file_info_size = dd_le32(h + 36);
    d->type_server_map_size = dd_le32(h + 40);
    d->mfc_type_server_index = dd_le32(h + 44);
    d->optional_dbg_header_size = dd_le32(h + 48);
    d->ec_substream_size = dd_le32(h + 52);
    d->flags = dd_le16(h + 56);
    d->machine = dd_le16(h + 58);
    if (d->version_signature != -1)
        return pdb_error(pdb, DD_ERR_UNSUPPORTED, WHAT ": old-format header (signature %d); only "
                         "the V70 layout is supported", d->version_signature);
    /* Substream sizes are signed on disk; each must fit in what is left of the stream. */
    const uint32_t sizes[7] = {d->module_info_size, d->section_contrib_size, d->section_map_size,
                               d->file_info_size, d->type_server_map_size, d->ec_substream_size,
                               d->optional_dbg_header_size};
    static const char *const names[7] = {"module info", "section contribution", "section map",
                                         "file info", "type server map", "EC",
                                         "optional debug header"};
    uint32_t *offs[7] = {&pdb->mod_off, &pdb->sc_off, &pdb->secmap_off, &pdb->fileinfo_off,
                         &pdb->tsmap_off, &pdb->ec_off, &pdb->dbghdr_off};
    uint64_t at = DBI_HEADER_SIZE;
    for (int i = 0; i < 7; i++) {
        if ((int32_t)sizes[i] < 0 || at + sizes[i] > pdb->dbi_size)
            return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": %s substream of %d bytes at offset 0x%llx "
                             "runs past the end of the stream (%u bytes)", names[i],
                             (int32_t)sizes[i], (unsigned long long)at, pdb->dbi_size);
        *offs[i] = (uint32_t)at;
        at += sizes[i];
    }
    return NULL;
}

static struct dd_error *parse_modules(struct pdb *pdb)
{
    uint32_t size = pdb->dbi.module_info_size;
    struct dd_error *err = pdb_stream_copy(pdb, PDB_STREAM_DBI, pdb->mod_off, size,
                                           WHAT " module info", &pdb->modinfo);
    if (err)
        return dd_error_wrap(err, "%s", pdb->name);
    const uint8_t *b = pdb->modinfo;
    uint32_t cap = 0, n = 0, pos = 0;
    while (pos < size) {
        uint64_t file_off = pdb->mod_off + (uint64_t)pos;
        if (size - pos < MODI_FIXED_SIZE)
            return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": module %u header at offset 0x%llx runs "
                             "past the module info substream", n, (unsigned long long)file_off);
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            struct pdb_module_state *m = realloc(pdb->modules, (size_t)cap * sizeof(*m));
            if (!m)
                return &dd_error_no_memory;
            pdb->modules = m;
        }
        struct pdb_module_state *ms = &pdb->modules[n];
        memset(ms, 0, sizeof(*ms));
        struct pdb_module_info *mi = &ms->info;
        const uint8_t *p = b + pos;
        mi->index = n;
        decode_contrib(p + 4, false, &mi->contrib);
        mi->flags = dd_le16(p + 32);
        mi->stream = dd_le16(p + 34);
        mi->sym_bytes = dd_le32(p + 36);
        mi->c11_bytes = dd_le32(p + 40);
        mi->c13_bytes = dd_le32(p + 44);
        mi->source_file_count = dd_le16(p + 48);
        mi->source_file_ni = dd_le32(p + 56);
        mi->pdb_file_ni = dd_le32(p + 60);
        pos += MODI_FIXED_SIZE;
        size_t len = pdb_strnlen(b + pos, size - pos);
        if (len == size - pos)
            return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": module %u name runs past the module info "
                             "substream at offset 0x%llx", n,
                             (unsigned long long)(pdb->mod_off + (uint64_t)pos));
        mi->name = (const char *)b + pos;
        pos += (uint32_t)len + 1;
        len = pdb_strnlen(b + pos, size - pos);
        if (len == size - pos)
            return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": module %u object name runs past the "
                             "module info substream at offset 0x%llx", n,
                             (unsigned long long)(pdb->mod_off + (uint64_t)pos));
        mi->obj_name = (const char *)b + pos;
        pos += (uint32_t)len + 1;
        pos = (pos + 3) & ~3u; /* entries are 4-byte aligned */
        if (pos > size)
            pos = size;
        n++;
    }
    pdb->nmodules = n;
    return NULL;
}

static struct dd_error *parse_dbg_header(struct pdb *pdb)
{
    for (int i = 0; i < PDB_DBG_COUNT; i++)
        pdb->dbi.dbg_streams[i] = PDB_NO_STREAM;
    uint32_t n = pdb->dbi.optional_dbg_header_size / 2;
    if (n > PDB_DBG_COUNT)
        n = PDB_DBG_COUNT;
    uint8_t buf[2 * PDB_DBG_COUNT];
    struct msf_stream s;
    struct dd_error *err = msf_stream_get(pdb->msf, PDB_STREAM_DBI, &s);
    if (!err)
        err = pdb_stream_read_exact(&s, pdb->dbghdr_off, buf, 2 * n, WHAT " optional debug header");
    if (err)
        return dd_error_wrap(err, "%s", pdb->name);
    for (uint32_t i = 0; i < n; i++)
        pdb->dbi.dbg_streams[i] = dd_le16(buf + 2 * i);
    return NULL;
}

struct dd_error *pdb_dbi_parse(struct pdb *pdb)
{
    struct msf_stream s;
    if (msf_stream_count(pdb->msf) <= PDB_STREAM_DBI)
        return NULL; /* a PDB with types only */
    struct dd_error *err = msf_stream_get(pdb->msf, PDB_STREAM_DBI, &s);
    if (err)
        return err;
    if (s.size == 0)
        return NULL;
    pdb->dbi_size = s.size;
    uint8_t h[DBI_HEADER_SIZE];
    err = pdb_stream_read_exact(&s, 0, h, sizeof(h), WHAT " header");
    if (err)
        return dd_error_wrap(err, "%s", pdb->name);
    if ((err = parse_header(pdb, h)) || (err = parse_modules(pdb)) || (err = parse_dbg_header(pdb)))
        return err;
    if (pdb->dbi.section_contrib_size >= 4) {
        uint8_t v[4];
        err = pdb_stream_read_exact(&s, pdb->sc_off, v, 4, WHAT " section contributions");
        if (err)
            return dd_error_wrap(err, "%s", pdb->name);
        pdb->sc_version = dd_le32(v);
    }
    pdb->has_dbi = true;
    return NULL;
}

const struct pdb_dbi_header *pdb_dbi_header_get(const struct pdb *pdb)
{
    return pdb->has_dbi ? &pdb->dbi : NULL;
}

uint32_t pdb_module_count(const struct pdb *pdb)
{
    return pdb->nmodules;
}

const struct pdb_module_info *pdb_module_get(const struct pdb *pdb, uint32_t index)
{
    return index < pdb->nmodules ? &pdb->modules[index].info : NULL;
}

const struct dd_error *pdb_module_error(const struct pdb *pdb, uint32_t index)
{
    return index < pdb->nmodules ? pdb->modules[index].error : NULL;
}

uint16_t pdb_dbg_stream_get(const struct pdb *pdb, enum pdb_dbg_stream kind)
{
    if (!pdb->has_dbi || (unsigned)kind >= PDB_DBG_COUNT)
        return PDB_NO_STREAM;
    return pdb->dbi.dbg_streams[kind];
}

uint32_t pdb_section_contrib_version(const struct pdb *pdb)
{
    return pdb->sc_version;
}

struct dd_error *pdb_section_contribs_iterate(struct pdb *pdb,
                                              bool (*fn)(void *ctx,
                                                         const struct pdb_section_contrib *sc),
                                              void *ctx)
{
    if (!pdb->has_dbi || pdb->dbi.section_contrib_size == 0)
        return NULL;
    bool v2 = pdb->sc_version == SC_V2;
    if (!v2 && pdb->sc_version != SC_VER60)
        return pdb_error(pdb, DD_ERR_UNSUPPORTED, WHAT ": unknown section contribution version "
                         "0x%x at offset 0x%x", pdb->sc_version, pdb->sc_off);
    uint32_t esize = v2 ? SC_ENTRY_SIZE + 4 : SC_ENTRY_SIZE;
    uint32_t count = (pdb->dbi.section_contrib_size - 4) / esize;
    struct msf_stream s;
    struct dd_error *err = msf_stream_get(pdb->msf, PDB_STREAM_DBI, &s);
    if (err)
        return err;
    /* Read in chunks so a large substream is never held whole. */
    uint8_t buf[32 * 256];
    for (uint32_t i = 0; i < count;) {
        uint32_t k = count - i < 256 ? count - i : 256;
        err = pdb_stream_read_exact(&s, pdb->sc_off + 4 + (uint64_t)i * esize, buf,
                                    (size_t)k * esize, WHAT " section contributions");
        if (err)
            return dd_error_wrap(err, "%s", pdb->name);
        for (uint32_t j = 0; j < k; j++) {
            struct pdb_section_contrib sc;
            decode_contrib(buf + (size_t)j * esize, v2, &sc);
            if (!fn(ctx, &sc))
                return NULL;
        }
        i += k;
    }
    return NULL;
}

struct dd_error *pdb_section_map_get(struct pdb *pdb, const struct pdb_section_map_entry **ret_entries,
                                     uint32_t *ret_count)
{
    if (pdb->secmap_state == PDB_LAZY_NO) {
        pdb->secmap_state = PDB_LAZY_FAILED;
        uint32_t size = pdb->has_dbi ? pdb->dbi.section_map_size : 0;
        uint8_t *buf = NULL;
        if (size) {
            struct dd_error *err = pdb_stream_copy(pdb, PDB_STREAM_DBI, pdb->secmap_off, size,
                                                   WHAT " section map", &buf);
            if (err)
                return dd_error_wrap(err, "%s", pdb->name);
        }
        uint32_t count = size >= 4 ? dd_le16(buf) : 0;
        if (4 + (uint64_t)count * 20 > size) {
            free(buf);
            return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": section map lists %u entries but holds "
                             "%u bytes", count, size);
        }
        pdb->secmap = calloc(count ? count : 1, sizeof(*pdb->secmap));
        if (!pdb->secmap) {
            free(buf);
            return &dd_error_no_memory;
        }
        for (uint32_t i = 0; i < count; i++) {
            const uint8_t *p = buf + 4 + 20 * (size_t)i;
            struct pdb_section_map_entry *e = &pdb->secmap[i];
            e->flags = dd_le16(p);
            e->ovl = dd_le16(p + 2);
            e->group = dd_le16(p + 4);
            e->frame = dd_le16(p + 6);
            e->section_name = dd_le16(p + 8);
            e->class_name = dd_le16(p + 10);
            e->offset = dd_le32(p + 12);
            e->length = dd_le32(p + 16);
        }
        free(buf);
        pdb->nsecmap = count;
        pdb->secmap_state = PDB_LAZY_OK;
    }
    if (pdb->secmap_state != PDB_LAZY_OK)
        return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": section map is unreadable");
    *ret_entries = pdb->secmap;
    *ret_count = pdb->nsecmap;
    return NULL;
}

/* File info: u16 modules, u16 files (unreliable), u16 start[modules], u16 count[modules],
 * u32 name offsets[sum of counts], names buffer. The 16-bit start indices overflow on large
 * PDBs, so starts are recomputed from the counts (as LLVM does). */
static struct dd_error *load_fileinfo(struct pdb *pdb)
{
    uint32_t size = pdb->dbi.file_info_size;
    struct dd_error *err = pdb_stream_copy(pdb, PDB_STREAM_DBI, pdb->fileinfo_off, size,
                                           WHAT " file info", &pdb->fileinfo);
    if (err)
        return dd_error_wrap(err, "%s", pdb->name);
    const uint8_t *b = pdb->fileinfo;
    if (size < 4)
        return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": file info substream of %u bytes is too short",
                         size);
    uint32_t nmods = dd_le16(b);
    if (nmods == (pdb->nmodules & 0xffffu))
        nmods = pdb->nmodules;
    if (4 + (uint64_t)nmods * 4 > size)
        return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": file info lists %u modules but holds %u bytes",
                         nmods, size);
    pdb->fi_mod_start = malloc(((size_t)nmods + 1) * sizeof(uint32_t));
    pdb->fi_mod_count = malloc(((size_t)nmods + 1) * sizeof(uint16_t));
    if (!pdb->fi_mod_start || !pdb->fi_mod_count)
        return &dd_error_no_memory;
    uint32_t counts_at = 4 + nmods * 2;
    uint64_t total = 0;
    for (uint32_t i = 0; i < nmods; i++) {
        pdb->fi_mod_start[i] = (uint32_t)total;
        pdb->fi_mod_count[i] = dd_le16(b + counts_at + 2 * (size_t)i);
        total += pdb->fi_mod_count[i];
    }
    pdb->fi_offsets_at = counts_at + nmods * 2;
    if (pdb->fi_offsets_at + total * 4 > size)
        return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": file info lists %llu file names but holds %u "
                         "bytes", (unsigned long long)total, size);
    pdb->fi_nfiles = (uint32_t)total;
    pdb->fi_names_at = pdb->fi_offsets_at + (uint32_t)total * 4;
    pdb->fi_nmods = nmods;
    return NULL;
}

struct dd_error *pdb_module_files_iterate(struct pdb *pdb, uint32_t module,
                                          bool (*fn)(void *ctx, const char *name), void *ctx)
{
    if (!pdb->has_dbi)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "no DBI stream");
    if (pdb->fileinfo_state == PDB_LAZY_NO) {
        pdb->fileinfo_error = load_fileinfo(pdb);
        pdb->fileinfo_state = pdb->fileinfo_error ? PDB_LAZY_FAILED : PDB_LAZY_OK;
    }
    if (pdb->fileinfo_state != PDB_LAZY_OK)
        return dd_error_create(pdb->fileinfo_error->code, "%s", pdb->fileinfo_error->message);
    if (module >= pdb->fi_nmods)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, WHAT ": file info has no module %u", module);
    const uint8_t *b = pdb->fileinfo;
    uint32_t names_size = pdb->dbi.file_info_size - pdb->fi_names_at;
    const uint8_t *names = b + pdb->fi_names_at;
    for (uint32_t i = 0; i < pdb->fi_mod_count[module]; i++) {
        uint32_t k = pdb->fi_mod_start[module] + i;
        uint32_t off = dd_le32(b + pdb->fi_offsets_at + 4 * (size_t)k);
        if (off >= names_size || pdb_strnlen(names + off, names_size - off) == names_size - off)
            return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": module %u file %u name offset %u runs "
                             "past the file names buffer (%u bytes)", module, i, off, names_size);
        if (!fn(ctx, (const char *)names + off))
            break;
    }
    return NULL;
}

struct dd_error *pdb_ec_name_get(struct pdb *pdb, uint32_t offset, const char **ret)
{
    if (pdb->ec_state == PDB_LAZY_NO) {
        pdb->ec_state = PDB_LAZY_FAILED;
        if (!pdb->has_dbi || pdb->dbi.ec_substream_size == 0)
            return pdb_error(pdb, DD_ERR_NOT_FOUND, WHAT ": no EC substream");
        struct dd_error *err = pdb_stream_copy(pdb, PDB_STREAM_DBI, pdb->ec_off,
                                               pdb->dbi.ec_substream_size, WHAT " EC substream",
                                               &pdb->ec_buf);
        if (!err)
            err = pdb_strtab_parse(pdb->ec_buf, pdb->dbi.ec_substream_size, WHAT " EC substream",
                                   &pdb->ec);
        if (err)
            return dd_error_wrap(err, "%s", pdb->name);
        pdb->ec_state = PDB_LAZY_OK;
    }
    if (pdb->ec_state != PDB_LAZY_OK)
        return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": EC substream is unreadable");
    struct dd_error *err = pdb_strtab_get(&pdb->ec, offset, WHAT " EC substream", ret);
    return err ? dd_error_wrap(err, "%s", pdb->name) : NULL;
}

/* Finds the DEBUG_S_FILECHKSMS subsection among the module's C13 subsections. */
static void find_checksums(struct pdb_module_state *ms)
{
    uint32_t pos = 0;
    while (ms->c13_size - pos >= 8) {
        uint32_t kind = dd_le32(ms->c13 + pos), len = dd_le32(ms->c13 + pos + 4);
        if (len > ms->c13_size - pos - 8)
            return;
        if (kind == DEBUG_S_FILECHKSMS) {
            ms->checksums_off = pos + 8;
            ms->checksums_size = len;
            return;
        }
        pos += 8 + len;
        pos = pos + 3 > ms->c13_size ? ms->c13_size : (pos + 3) & ~3u;
    }
}

static struct dd_error *module_read(struct pdb *pdb, struct pdb_module_state *ms)
{
    const struct pdb_module_info *mi = &ms->info;
    if (mi->stream == PDB_NO_STREAM)
        return NULL;
    /* The stream as one view: its pages in the mapping when the linker wrote them in a row (lld
     * does for most modules), else one copy kept by the MSF layer; either way nothing more. */
    const uint8_t *data;
    uint32_t size;
    struct dd_error *err = msf_stream_load(pdb->msf, mi->stream, &data, &size);
    if (err)
        return err;
    uint64_t need = (uint64_t)mi->sym_bytes + mi->c11_bytes + mi->c13_bytes;
    if (need > size)
        return dd_error_create(DD_ERR_FORMAT, "module %u (%s): symbols %u + C11 lines %u + C13 "
                               "lines %u bytes exceed its stream %u (%u bytes)", mi->index,
                               mi->name, mi->sym_bytes, mi->c11_bytes, mi->c13_bytes, mi->stream,
                               size);
    if (mi->sym_bytes) {
        if (mi->sym_bytes < 4)
            return dd_error_create(DD_ERR_FORMAT, "module %u (%s): symbol substream of %u bytes "
                                   "has no signature", mi->index, mi->name, mi->sym_bytes);
        ms->syms = data;
        ms->syms_size = mi->sym_bytes;
        uint32_t sig = dd_le32(ms->syms);
        if (sig != CV_SIGNATURE_C13)
            return dd_error_create(DD_ERR_UNSUPPORTED, "module %u (%s): symbol stream signature %u "
                                   "is not C13 (4)", mi->index, mi->name, sig);
    }
    if (mi->c13_bytes) {
        ms->c13 = data + mi->sym_bytes + mi->c11_bytes;
        ms->c13_size = mi->c13_bytes;
        find_checksums(ms);
    }
    return NULL;
}

struct dd_error *pdb_module_load(struct pdb *pdb, uint32_t m, struct pdb_module_state **ret)
{
    if (m >= pdb->nmodules)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, WHAT ": no module %u (there are %u)", m,
                         pdb->nmodules);
    struct pdb_module_state *ms = &pdb->modules[m];
    if (ms->loaded == PDB_LAZY_NO) {
        struct dd_error *err = module_read(pdb, ms);
        if (err) {
            ms->syms = ms->c13 = NULL;
            ms->syms_size = ms->c13_size = 0;
            ms->error = dd_error_wrap(err, "%s", pdb->name);
            ms->loaded = PDB_LAZY_FAILED;
        } else {
            ms->loaded = PDB_LAZY_OK;
        }
    }
    if (ms->loaded != PDB_LAZY_OK)
        return dd_error_create(ms->error->code, "%s", ms->error->message);
    *ret = ms;
    return NULL;
}
