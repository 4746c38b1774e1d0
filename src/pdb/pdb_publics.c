/*
 * The publics stream (PSI; its number is the DBI header's PublicStreamIndex). Layout (LLVM "The
 * PDB Public Symbol Stream", microsoft-pdb gsi.h PSGSIHDR): a 28-byte header {u32 SymHash,
 * u32 AddrMap, u32 NumThunks, u32 SizeOfThunk, u16 ISectThunkTable, u16 pad, u32 OffThunkTable,
 * u32 NumSections}, the GSI hash (SymHash bytes), the address map (AddrMap bytes: u32 symbol
 * record offsets sorted by segment:offset), the thunk map and the section map. Records are
 * S_PUB32 {u32 flags, u32 offset, u16 segment, name} in the symbol record stream.
 * Lookups read the few records they compare; nothing is read whole.
 */
#include <stdlib.h>
#include <string.h>

#include "pdb/pdb_internal.h"

#define PSI_HEADER_SIZE 28u
#define WHAT "PDB publics stream"

static struct dd_error *publics_ready(struct pdb *pdb)
{
    struct pdb_gsi *g = &pdb->publics_gsi;
    if (g->state == PDB_LAZY_NO) {
        g->state = PDB_LAZY_FAILED;
        struct dd_error *err = NULL;
        struct msf_stream s;
        uint8_t h[PSI_HEADER_SIZE];
        if (!pdb->has_dbi || pdb->dbi.public_stream == PDB_NO_STREAM)
            err = dd_error_create(DD_ERR_NOT_FOUND, "no publics stream");
        if (!err)
            err = msf_stream_get(pdb->msf, pdb->dbi.public_stream, &s);
        if (!err)
            err = pdb_stream_read_exact(&s, 0, h, sizeof(h), WHAT " header");
        if (!err) {
            uint32_t hash_size = dd_le32(h), addr_size = dd_le32(h + 4);
            uint64_t addr_at = (uint64_t)PSI_HEADER_SIZE + hash_size;
            if (addr_at + addr_size > s.size)
                err = dd_error_at(DD_ERR_FORMAT, 0, WHAT ": hash (%u bytes) and address map (%u "
                                  "bytes) run past the end of the stream (%u bytes)", hash_size,
                                  addr_size, s.size);
            else {
                pdb->publics_addrmap_off = (uint32_t)addr_at;
                pdb->publics_naddr = addr_size / 4;
                err = pdb_gsi_load(pdb, g, s.index, PSI_HEADER_SIZE, hash_size, WHAT);
            }
        }
        if (!err)
            err = pdb_symrec_open(pdb);
        if (!err)
            err = pdb_sections_ready(pdb);
        if (err) {
            g->error = dd_error_wrap(err, "%s", pdb->name);
            return dd_error_create(g->error->code, "%s", g->error->message);
        }
        g->state = PDB_LAZY_OK;
    }
    if (g->state != PDB_LAZY_OK)
        return dd_error_create(g->error->code, "%s", g->error->message);
    return NULL;
}

uint32_t pdb_publics_count(struct pdb *pdb)
{
    struct dd_error *err = publics_ready(pdb);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    return pdb->publics_naddr;
}

/* Decodes the S_PUB32 record at OFF into ret (the name still in the scratch buffer). */
static struct dd_error *read_public(struct pdb *pdb, uint32_t off, struct pdb_public *ret)
{
    uint16_t kind = 0;
    uint32_t len = 0;
    const uint8_t *d = NULL;
    struct dd_error *err = pdb_symrec_read(pdb, off, &kind, &len, &d);
    if (err)
        return err;
    if (kind != PDB_S_PUB32 || len < 10)
        return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": record at offset 0x%x is kind 0x%04x, not "
                         "S_PUB32", off, kind);
    ret->flags = dd_le32(d);
    ret->offset = dd_le32(d + 4);
    ret->segment = dd_le16(d + 8);
    ret->name = (const char *)d + 10;
    ret->record_offset = off;
    uint32_t src = 0;
    struct dd_error *e2 = pdb_addr_to_src(pdb, ret->segment, ret->offset, &src);
    ret->has_rva = !e2 && pdb_src_to_rva(pdb, src, &ret->rva);
    if (!ret->has_rva)
        ret->rva = 0;
    dd_error_destroy(e2);
    return NULL;
}

/* Reads the address map entry I. */
static struct dd_error *addrmap_at(struct pdb *pdb, uint32_t i, uint32_t *ret)
{
    struct msf_stream s;
    struct dd_error *err = msf_stream_get(pdb->msf, pdb->dbi.public_stream, &s);
    uint8_t b[4];
    if (!err)
        err = pdb_stream_read_exact(&s, pdb->publics_addrmap_off + 4ull * i, b, 4,
                                    WHAT " address map");
    if (err)
        return dd_error_wrap(err, "%s", pdb->name);
    *ret = dd_le32(b);
    return NULL;
}

/* The sort key of address map entry I: its source RVA; segment 0 sorts first and segments past
 * the section table last (they have no RVA). */
static struct dd_error *addrmap_key(struct pdb *pdb, uint32_t i, uint64_t *ret_key, bool *ret_ok)
{
    uint32_t off = 0;
    struct dd_error *err = addrmap_at(pdb, i, &off);
    if (err)
        return err;
    uint16_t kind = 0;
    uint32_t len = 0;
    const uint8_t *d = NULL;
    if ((err = pdb_symrec_read(pdb, off, &kind, &len, &d)))
        return err;
    *ret_ok = false;
    if (kind != PDB_S_PUB32 || len < 10) {
        *ret_key = 0;
        return NULL;
    }
    uint16_t seg = dd_le16(d + 8);
    uint32_t src = 0;
    struct dd_error *e2 = pdb_addr_to_src(pdb, seg, dd_le32(d + 4), &src);
    if (e2) {
        dd_error_destroy(e2);
        *ret_key = seg == 0 ? 0 : UINT64_MAX;
        return NULL;
    }
    *ret_key = src;
    *ret_ok = true;
    return NULL;
}

struct dd_error *pdb_publics_find_by_rva(struct pdb *pdb, uint32_t rva, struct pdb_public *ret)
{
    struct dd_error *err = publics_ready(pdb);
    if (err)
        return err;
    uint32_t src = 0;
    if (!pdb_rva_to_src(pdb, rva, &src))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "OMAP maps RVA 0x%x nowhere", rva);
    /* The first entry whose key is above SRC. */
    uint32_t lo = 0, hi = pdb->publics_naddr;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        uint64_t key = 0;
        bool ok = false;
        if ((err = addrmap_key(pdb, mid, &key, &ok)))
            return err;
        if (key <= src)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* Step back over entries without an address (a bounded number of them). */
    for (uint32_t i = lo, tries = 0; i > 0 && tries < 64; i--, tries++) {
        uint64_t key = 0;
        bool ok = false;
        if ((err = addrmap_key(pdb, i - 1, &key, &ok)))
            return err;
        if (!ok)
            continue;
        uint32_t off = 0;
        struct pdb_public pub;
        if ((err = addrmap_at(pdb, i - 1, &off)) || (err = read_public(pdb, off, &pub)))
            return err;
        if (!pub.has_rva)
            continue;
        pub.name = pdb_intern(pdb, PDB_KEY_SYMREC(off), (const uint8_t *)pub.name, SIZE_MAX);
        if (!pub.name)
            return &dd_error_no_memory;
        *ret = pub;
        return NULL;
    }
    return pdb_error(pdb, DD_ERR_NOT_FOUND, "no public at or below RVA 0x%x", rva);
}

struct name_find {
    struct pdb *pdb;
    const char *name;
    struct pdb_public pub;
    bool found;
    struct dd_error *err;
};

static bool name_check(void *ctx, uint32_t off)
{
    struct name_find *f = ctx;
    struct pdb_public pub;
    struct dd_error *err = read_public(f->pdb, off, &pub);
    if (err) {
        dd_error_destroy(err); /* a damaged record in the chain: keep looking */
        return true;
    }
    if (strcmp(pub.name, f->name) != 0)
        return true;
    pub.name = pdb_intern(f->pdb, PDB_KEY_SYMREC(off), (const uint8_t *)pub.name, SIZE_MAX);
    if (!pub.name) {
        f->err = &dd_error_no_memory;
        return false;
    }
    f->pub = pub;
    f->found = true;
    return false;
}

struct dd_error *pdb_publics_find_by_name(struct pdb *pdb, const char *name, struct pdb_public *ret)
{
    struct dd_error *err = publics_ready(pdb);
    if (err)
        return err;
    struct name_find f = {.pdb = pdb, .name = name};
    err = pdb_gsi_walk(pdb, &pdb->publics_gsi, name, name_check, &f);
    if (err)
        return dd_error_wrap(err, "%s", pdb->name);
    if (f.err)
        return f.err;
    if (!f.found)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "no public named \"%s\"", name);
    *ret = f.pub;
    return NULL;
}

struct dd_error *pdb_publics_iterate(struct pdb *pdb,
                                     bool (*fn)(void *ctx, const struct pdb_public *pub), void *ctx)
{
    struct dd_error *err = publics_ready(pdb);
    if (err)
        return err;
    for (uint32_t i = 0; i < pdb->publics_naddr; i++) {
        uint32_t off = 0;
        struct pdb_public pub;
        if ((err = addrmap_at(pdb, i, &off)))
            return err;
        err = read_public(pdb, off, &pub);
        if (err) {
            dd_error_destroy(err); /* skip a damaged record, keep the rest */
            continue;
        }
        if (!fn(ctx, &pub))
            break;
    }
    return NULL;
}
