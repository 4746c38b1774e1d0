/*
 * The address model. Records in a PDB say segment:offset; a segment is a 1-based index into the
 * image's section headers (DBI debug stream 5). When a post-link tool rewrote the image, the
 * records still refer to the original layout: the original section headers (debug stream 10)
 * turn them into "source" RVAs and the OMAP-from-source table (debug stream 4) maps those to
 * image RVAs; OMAP-to-source (stream 3) maps back. Without OMAP source RVAs are image RVAs.
 * OMAP entries are {u32 rva, u32 rvaTo} sorted by rva; an address maps through the last entry at
 * or below it, and rvaTo 0 means "maps nowhere" (microsoft-pdb, Breakpad omap.cc).
 */
#include <stdlib.h>
#include <string.h>

#include "pdb/pdb_internal.h"

#define SECTION_HEADER_SIZE 40u
#define OMAP_LIMIT 0x80000000u

static struct dd_error *load_section_stream(struct pdb *pdb, uint16_t stream, const char *what,
                                            struct pdb_section_header **ret, uint32_t *ret_count)
{
    *ret = NULL;
    *ret_count = 0;
    if (stream == PDB_NO_STREAM)
        return NULL;
    struct msf_stream s;
    struct dd_error *err = msf_stream_get(pdb->msf, stream, &s);
    if (err)
        return err;
    uint32_t n = s.size / SECTION_HEADER_SIZE;
    uint8_t *buf = NULL;
    err = pdb_stream_copy(pdb, stream, 0, n * SECTION_HEADER_SIZE, what, &buf);
    if (err)
        return err;
    struct pdb_section_header *h = calloc(n ? n : 1, sizeof(*h));
    if (!h) {
        free(buf);
        return &dd_error_no_memory;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *p = buf + (size_t)i * SECTION_HEADER_SIZE;
        memcpy(h[i].name, p, 8);
        h[i].virtual_size = dd_le32(p + 8);
        h[i].virtual_address = dd_le32(p + 12);
        h[i].size_of_raw_data = dd_le32(p + 16);
        h[i].pointer_to_raw_data = dd_le32(p + 20);
        h[i].pointer_to_relocations = dd_le32(p + 24);
        h[i].pointer_to_linenumbers = dd_le32(p + 28);
        h[i].number_of_relocations = dd_le16(p + 32);
        h[i].number_of_linenumbers = dd_le16(p + 34);
        h[i].characteristics = dd_le32(p + 36);
    }
    free(buf);
    *ret = h;
    *ret_count = n;
    return NULL;
}

static int omap_cmp(const void *a, const void *b)
{
    const struct pdb_omap_entry *x = a, *y = b;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

static struct dd_error *load_omap(struct pdb *pdb, uint16_t stream, const char *what,
                                  struct pdb_omap_entry **ret, uint32_t *ret_count)
{
    *ret = NULL;
    *ret_count = 0;
    if (stream == PDB_NO_STREAM)
        return NULL;
    struct msf_stream s;
    struct dd_error *err = msf_stream_get(pdb->msf, stream, &s);
    if (err)
        return err;
    uint32_t n = s.size / 8;
    uint8_t *buf = NULL;
    err = pdb_stream_copy(pdb, stream, 0, n * 8, what, &buf);
    if (err)
        return err;
    struct pdb_omap_entry *e = malloc((n ? n : 1) * sizeof(*e));
    if (!e) {
        free(buf);
        return &dd_error_no_memory;
    }
    bool sorted = true;
    for (uint32_t i = 0; i < n; i++) {
        e[i].rva = dd_le32(buf + 8 * (size_t)i);
        e[i].to = dd_le32(buf + 8 * (size_t)i + 4);
        if (i && e[i].rva < e[i - 1].rva)
            sorted = false;
    }
    free(buf);
    if (!sorted)
        qsort(e, n, sizeof(*e), omap_cmp);
    *ret = e;
    *ret_count = n;
    return NULL;
}

/* The end of the address space the sections H cover. */
static uint64_t sections_end(const struct pdb_section_header *h, uint32_t n)
{
    uint64_t end = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t e = (uint64_t)h[i].virtual_address + h[i].virtual_size;
        if (e > end)
            end = e;
    }
    return end;
}

struct dd_error *pdb_sections_ready(struct pdb *pdb)
{
    if (pdb->sections_state == PDB_LAZY_NO) {
        struct dd_error *err = load_section_stream(
            pdb, pdb_dbg_stream_get(pdb, PDB_DBG_SECTION_HEADERS), "section headers stream",
            &pdb->sections, &pdb->nsections);
        if (!err)
            err = load_section_stream(pdb, pdb_dbg_stream_get(pdb, PDB_DBG_SECTION_HEADERS_ORIG),
                                      "original section headers stream", &pdb->orig_sections,
                                      &pdb->norig_sections);
        if (!err)
            err = load_omap(pdb, pdb_dbg_stream_get(pdb, PDB_DBG_OMAP_TO_SRC), "OMAP to source",
                            &pdb->omap_to_src, &pdb->nomap_to_src);
        if (!err)
            err = load_omap(pdb, pdb_dbg_stream_get(pdb, PDB_DBG_OMAP_FROM_SRC),
                            "OMAP from source", &pdb->omap_from_src, &pdb->nomap_from_src);
        if (!err && pdb->nsections == 0)
            err = dd_error_create(DD_ERR_NOT_FOUND, "no section headers stream");
        /* OMAP targets past the other layout's sections (or in the upper 2 GiB, where no image
         * lives) are markers for injected or removed code. Without both section tables the
         * layouts' extents are unknown. */
        pdb->image_end = pdb->orig_end = OMAP_LIMIT;
        if (!err && pdb->norig_sections) {
            pdb->image_end = sections_end(pdb->sections, pdb->nsections);
            pdb->orig_end = sections_end(pdb->orig_sections, pdb->norig_sections);
        }
        pdb->sections_error = err ? dd_error_wrap(err, "%s", pdb->name) : NULL;
        pdb->sections_state = err ? PDB_LAZY_FAILED : PDB_LAZY_OK;
    }
    if (pdb->sections_state != PDB_LAZY_OK)
        return dd_error_create(pdb->sections_error->code, "%s", pdb->sections_error->message);
    return NULL;
}

struct dd_error *pdb_section_headers_get(struct pdb *pdb, bool original,
                                         const struct pdb_section_header **ret_headers,
                                         uint32_t *ret_count)
{
    struct dd_error *err = pdb_sections_ready(pdb);
    if (err)
        return err;
    *ret_headers = original ? pdb->orig_sections : pdb->sections;
    *ret_count = original ? pdb->norig_sections : pdb->nsections;
    return NULL;
}

bool pdb_has_omap(struct pdb *pdb)
{
    struct dd_error *err = pdb_sections_ready(pdb);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    return pdb->nomap_from_src > 0;
}

/* Maps X through OMAP table E; a target at or past LIMIT (the end of the other address space)
 * is "nowhere" too: rewriting tools mark injected or removed code with 0x80000000 or ~0. */
static bool omap_map(const struct pdb_omap_entry *e, uint32_t n, uint32_t x, uint64_t limit,
                     uint32_t *ret)
{
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (e[mid].rva <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || e[lo - 1].to == 0)
        return false;
    uint64_t to = (uint64_t)e[lo - 1].to + (x - e[lo - 1].rva);
    if (to >= limit || to >= OMAP_LIMIT)
        return false;
    *ret = (uint32_t)to;
    return true;
}

bool pdb_rva_to_src(struct pdb *pdb, uint32_t rva, uint32_t *ret)
{
    if (pdb->sections_state == PDB_LAZY_OK && pdb->nomap_to_src)
        return omap_map(pdb->omap_to_src, pdb->nomap_to_src, rva, pdb->orig_end, ret);
    *ret = rva;
    return true;
}

/* One OMAP-to-source range seen from the source side, for mapping source RVAs the
 * OMAP-from-source table maps nowhere. */
struct omap_range {
    uint32_t src, rva, length;
};

static int omap_range_cmp(const void *a, const void *b)
{
    const struct omap_range *x = a, *y = b;
    if (x->src != y->src)
        return x->src < y->src ? -1 : 1;
    return x->rva < y->rva ? -1 : x->rva > y->rva;
}

/* Builds the OMAP-to-source table sorted by source address, with each range's length (the
 * distance to the next image address), as Breakpad's omap.cc builds its image map. */
static bool inverse_ready(struct pdb *pdb)
{
    if (pdb->omap_inverse_state == PDB_LAZY_NO) {
        pdb->omap_inverse_state = PDB_LAZY_FAILED;
        uint32_t n = pdb->nomap_to_src, k = 0;
        struct omap_range *v = malloc((n ? n : 1) * sizeof(*v));
        if (!v)
            return false;
        for (uint32_t i = 0; i < n; i++) {
            const struct pdb_omap_entry *e = &pdb->omap_to_src[i];
            if (e->to == 0 || e->to >= pdb->orig_end || e->to >= OMAP_LIMIT)
                continue; /* injected code */
            uint32_t next = i + 1 < n ? pdb->omap_to_src[i + 1].rva : e->rva + 1;
            if (next <= e->rva)
                continue;
            v[k].src = e->to;
            v[k].rva = e->rva;
            v[k].length = next - e->rva;
            k++;
        }
        if (k > 1)
            qsort(v, k, sizeof(*v), omap_range_cmp);
        pdb->omap_inverse = v;
        pdb->nomap_inverse = k;
        pdb->omap_inverse_state = PDB_LAZY_OK;
    }
    return pdb->omap_inverse_state == PDB_LAZY_OK;
}

/* The lowest image address whose OMAP-to-source range covers SRC. */
static bool inverse_map(struct pdb *pdb, uint32_t src, uint32_t *ret)
{
    if (!inverse_ready(pdb))
        return false;
    const struct omap_range *v = pdb->omap_inverse;
    uint32_t lo = 0, hi = pdb->nomap_inverse;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v[mid].src <= src)
            lo = mid + 1;
        else
            hi = mid;
    }
    bool found = false;
    for (uint32_t i = lo, tries = 0; i > 0 && tries < 32; i--, tries++) {
        const struct omap_range *r = &v[i - 1];
        if (src - r->src < r->length && (!found || r->rva + (src - r->src) < *ret)) {
            *ret = r->rva + (src - r->src);
            found = true;
        }
    }
    return found;
}

bool pdb_src_to_rva(struct pdb *pdb, uint32_t src, uint32_t *ret)
{
    if (pdb->sections_state != PDB_LAZY_OK || !pdb->nomap_from_src) {
        *ret = src;
        return true;
    }
    if (omap_map(pdb->omap_from_src, pdb->nomap_from_src, src, pdb->image_end, ret))
        return true;
    /* Tools that stretch code mark whole source ranges as removed in OMAP-from-source even
     * though OMAP-to-source still maps image code to them. */
    return inverse_map(pdb, src, ret);
}

struct dd_error *pdb_addr_to_src(struct pdb *pdb, uint16_t segment, uint32_t offset, uint32_t *ret)
{
    struct dd_error *err = pdb_sections_ready(pdb);
    if (err)
        return err;
    const struct pdb_section_header *h = pdb->sections;
    uint32_t n = pdb->nsections;
    if (pdb->nomap_from_src && pdb->norig_sections) {
        h = pdb->orig_sections;
        n = pdb->norig_sections;
    }
    if (segment == 0 || segment > n)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "segment %u is not one of the %u sections", segment,
                         n);
    uint64_t rva = (uint64_t)h[segment - 1].virtual_address + offset;
    if (rva > UINT32_MAX)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "address %04x:%08x is past 4 GiB", segment, offset);
    *ret = (uint32_t)rva;
    return NULL;
}

struct dd_error *pdb_addr_to_rva(struct pdb *pdb, uint16_t segment, uint32_t offset, uint32_t *ret)
{
    uint32_t src = 0, rva = 0;
    struct dd_error *err = pdb_addr_to_src(pdb, segment, offset, &src);
    if (err)
        return err;
    if (!pdb_src_to_rva(pdb, src, &rva))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "OMAP maps %04x:%08x nowhere", segment, offset);
    *ret = rva;
    return NULL;
}

struct dd_error *pdb_rva_to_addr(struct pdb *pdb, uint32_t rva, uint16_t *ret_segment,
                                 uint32_t *ret_offset)
{
    struct dd_error *err = pdb_sections_ready(pdb);
    if (err)
        return err;
    uint32_t src = 0;
    if (!pdb_rva_to_src(pdb, rva, &src))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "OMAP maps RVA 0x%x nowhere", rva);
    const struct pdb_section_header *h = pdb->sections;
    uint32_t n = pdb->nsections;
    if (pdb->nomap_from_src && pdb->norig_sections) {
        h = pdb->orig_sections;
        n = pdb->norig_sections;
    }
    /* The last section starting at or below the address; sections are in address order. */
    for (uint32_t i = n; i-- > 0;) {
        uint32_t size = h[i].virtual_size > h[i].size_of_raw_data ? h[i].virtual_size
                                                                  : h[i].size_of_raw_data;
        if (src >= h[i].virtual_address && src - h[i].virtual_address < size) {
            *ret_segment = (uint16_t)(i + 1);
            *ret_offset = src - h[i].virtual_address;
            return NULL;
        }
    }
    return pdb_error(pdb, DD_ERR_NOT_FOUND, "RVA 0x%x is in no section", rva);
}

/* ---- module lookup through section contributions ---- */

struct contrib_build {
    struct pdb *pdb;
    struct pdb_contrib_ref *v;
    uint32_t n, cap;
    bool oom;
};

static bool contrib_add(void *ctx, const struct pdb_section_contrib *sc)
{
    struct contrib_build *b = ctx;
    uint32_t src = 0;
    if (sc->size == 0 || sc->module >= b->pdb->nmodules)
        return true;
    struct dd_error *err = pdb_addr_to_src(b->pdb, sc->section, sc->offset, &src);
    if (err) {
        dd_error_destroy(err);
        return true;
    }
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 256;
        struct pdb_contrib_ref *v = realloc(b->v, (size_t)cap * sizeof(*v));
        if (!v) {
            b->oom = true;
            return false;
        }
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n].src_rva = src;
    b->v[b->n].size = sc->size;
    b->v[b->n].module = sc->module;
    b->n++;
    return true;
}

static int contrib_cmp(const void *a, const void *b)
{
    const struct pdb_contrib_ref *x = a, *y = b;
    if (x->src_rva != y->src_rva)
        return x->src_rva < y->src_rva ? -1 : 1;
    return x->module < y->module ? -1 : x->module > y->module;
}

static struct dd_error *contribs_ready(struct pdb *pdb)
{
    if (pdb->contribs_state == PDB_LAZY_NO) {
        struct contrib_build b = {.pdb = pdb};
        struct dd_error *err = pdb_sections_ready(pdb);
        if (!err)
            err = pdb_section_contribs_iterate(pdb, contrib_add, &b);
        if (!err && b.oom)
            err = &dd_error_no_memory;
        if (err) {
            free(b.v);
            pdb->contribs_error = err;
            pdb->contribs_state = PDB_LAZY_FAILED;
        } else {
            if (b.n > 1)
                qsort(b.v, b.n, sizeof(*b.v), contrib_cmp);
            pdb->contribs = b.v;
            pdb->ncontribs = b.n;
            pdb->contribs_state = PDB_LAZY_OK;
        }
    }
    if (pdb->contribs_state != PDB_LAZY_OK)
        return dd_error_create(pdb->contribs_error->code, "%s", pdb->contribs_error->message);
    return NULL;
}

/* The source RVA where contribution I of the substream starts, with its size and module. */
static bool contrib_disk_at(struct pdb *pdb, const struct msf_stream *s, uint32_t esize,
                            uint32_t i, struct pdb_contrib_ref *ret)
{
    uint8_t e[PDB_SC_ENTRY_SIZE];
    if (msf_stream_read(s, pdb->sc_off + 4 + (uint64_t)i * esize, e, sizeof(e)) != sizeof(e))
        return false;
    struct dd_error *err = pdb_addr_to_src(pdb, dd_le16(e), dd_le32(e + 4), &ret->src_rva);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    ret->size = dd_le32(e + 8);
    ret->module = dd_le16(e + 16);
    return true;
}

/* Linkers write the contributions sorted by section:offset, so a binary search over the
 * substream in place finds the module after reading a few entries. An entry that holds the
 * address is the answer whatever the order (contributions do not overlap); when the search finds
 * none, the caller builds the sorted copy. */
enum contrib_answer { CONTRIB_FOUND, CONTRIB_ABSENT, CONTRIB_UNKNOWN };

static enum contrib_answer contrib_disk_find(struct pdb *pdb, uint32_t src, uint32_t *ret)
{
    uint32_t esize = pdb->sc_version == PDB_SC_V2 ? PDB_SC_ENTRY_SIZE + 4 : PDB_SC_ENTRY_SIZE;
    struct msf_stream s;
    if (!pdb->has_dbi || pdb->dbi.section_contrib_size < 4 ||
        (pdb->sc_version != PDB_SC_VER60 && pdb->sc_version != PDB_SC_V2))
        return CONTRIB_UNKNOWN;
    struct dd_error *err = msf_stream_get(pdb->msf, PDB_STREAM_DBI, &s);
    if (err) {
        dd_error_destroy(err);
        return CONTRIB_UNKNOWN;
    }
    uint32_t lo = 0, hi = (pdb->dbi.section_contrib_size - 4) / esize;
    struct pdb_contrib_ref c;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (!contrib_disk_at(pdb, &s, esize, mid, &c))
            return CONTRIB_UNKNOWN;
        if (c.src_rva <= src)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint32_t i = lo, tries = 0; i > 0 && tries < 4; i--, tries++) {
        if (!contrib_disk_at(pdb, &s, esize, i - 1, &c))
            return CONTRIB_UNKNOWN;
        if (src - c.src_rva < c.size && c.module < pdb->nmodules) {
            *ret = c.module;
            return CONTRIB_FOUND;
        }
    }
    /* Padding between two contributions: when the entries around the address are in order,
     * no contribution holds it, and the whole list need not be read and sorted to say so. */
    uint32_t count = (pdb->dbi.section_contrib_size - 4) / esize;
    if (lo > 0 && contrib_disk_at(pdb, &s, esize, lo - 1, &c) && c.src_rva <= src &&
        (lo == count || (contrib_disk_at(pdb, &s, esize, lo, &c) && c.src_rva > src)))
        return CONTRIB_ABSENT;
    return CONTRIB_UNKNOWN;
}

struct dd_error *pdb_module_find_by_src(struct pdb *pdb, uint32_t src, uint32_t *ret)
{
    struct dd_error *err = pdb_sections_ready(pdb);
    if (err)
        return err;
    if (pdb->contribs_state == PDB_LAZY_NO) {
        enum contrib_answer a = contrib_disk_find(pdb, src, ret);
        if (a == CONTRIB_FOUND)
            return NULL;
        if (a == CONTRIB_ABSENT)
            return &dd_error_not_found;
    }
    if ((err = contribs_ready(pdb)))
        return err;
    uint32_t lo = 0, hi = pdb->ncontribs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pdb->contribs[mid].src_rva <= src)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Contributions do not overlap in linker output; look back a little in case they do. */
    for (uint32_t i = lo, tries = 0; i > 0 && tries < 8; i--, tries++) {
        const struct pdb_contrib_ref *c = &pdb->contribs[i - 1];
        if (src - c->src_rva < c->size) {
            *ret = c->module;
            return NULL;
        }
    }
    return pdb_error(pdb, DD_ERR_NOT_FOUND, "no module contributes the code at RVA 0x%x", src);
}

struct dd_error *pdb_module_find_by_rva(struct pdb *pdb, uint32_t rva, uint32_t *ret)
{
    struct dd_error *err = pdb_sections_ready(pdb);
    if (err)
        return err;
    uint32_t src = 0;
    if (!pdb_rva_to_src(pdb, rva, &src))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "OMAP maps RVA 0x%x nowhere", rva);
    return pdb_module_find_by_src(pdb, src, ret);
}
