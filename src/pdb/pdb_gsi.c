/*
 * The GSI hash shared by the publics and globals streams, and the symbol record stream their
 * records point into. Layout (LLVM "The PDB Global Symbol Stream", microsoft-pdb gsi.cpp):
 * {u32 VerSignature 0xffffffff, u32 VerHdr 0xeffe0000 + 19990810, u32 HrSize, u32 NumBuckets},
 * HrSize / 8 hash records {u32 Off (symbol record offset + 1), u32 CRef}, then the buckets: a
 * bitmap of 4096 + 1 bits (516 bytes) marking non-empty buckets and one u32 per set bit giving
 * where the bucket's chain starts, counted in 12-byte units (the in-memory record size of the
 * 32-bit writer). Names hash with lhashPbCb (LLVM hashStringV1) modulo 4096.
 * Only the bucket table is kept in memory; a lookup reads the one chain it needs.
 */
#include <stdlib.h>
#include <string.h>

#include "pdb/pdb_internal.h"

#define GSI_SIGNATURE 0xffffffffu
#define GSI_V70 (0xeffe0000u + 19990810u)
#define IPHR_HASH 4096u
#define BITMAP_BYTES 516u /* (4096 + 1) bits rounded up to 32 */
#define HR_SIZE 8u
#define HR_MEMORY_SIZE 12u

uint32_t pdb_hash_v1(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    uint32_t h = 0;
    size_t i = 0;
    for (; i + 4 <= len; i += 4)
        h ^= dd_le32(p + i);
    if (len - i >= 2) {
        h ^= dd_le16(p + i);
        i += 2;
    }
    if (len - i == 1)
        h ^= p[i];
    h |= 0x20202020u; /* case-insensitive-ish: lower-case bits forced on */
    h ^= h >> 11;
    return h ^ (h >> 16);
}

struct dd_error *pdb_gsi_load(struct pdb *pdb, struct pdb_gsi *g, uint32_t stream,
                              uint32_t hash_offset, uint32_t hash_size, const char *what)
{
    struct msf_stream s;
    struct dd_error *err = msf_stream_get(pdb->msf, stream, &s);
    if (err)
        return err;
    if (hash_size < 16 || hash_offset > s.size || hash_size > s.size - hash_offset)
        return dd_error_create(DD_ERR_FORMAT, "%s: GSI hash of %u bytes at offset 0x%x does not fit "
                               "in stream %u (%u bytes)", what, hash_size, hash_offset, stream,
                               s.size);
    uint8_t h[16];
    if ((err = pdb_stream_read_exact(&s, hash_offset, h, 16, what)))
        return err;
    uint32_t sig = dd_le32(h), ver = dd_le32(h + 4), hr_size = dd_le32(h + 8),
             bucket_bytes = dd_le32(h + 12);
    if (sig != GSI_SIGNATURE || ver != GSI_V70)
        return dd_error_at(DD_ERR_FORMAT, hash_offset, "%s: bad GSI hash header (signature 0x%x, "
                           "version 0x%x)", what, sig, ver);
    if ((uint64_t)hr_size + bucket_bytes > hash_size - 16 || hr_size % HR_SIZE)
        return dd_error_at(DD_ERR_FORMAT, hash_offset + 8, "%s: GSI hash records (%u bytes) and "
                           "buckets (%u bytes) do not fit in its %u bytes", what, hr_size,
                           bucket_bytes, hash_size);
    g->stream = stream;
    g->hash_offset = hash_offset;
    g->records_at = hash_offset + 16;
    g->nrecords = hr_size / HR_SIZE;
    g->nbuckets = 0;
    if (bucket_bytes == 0)
        return NULL; /* an empty table */
    if (bucket_bytes < BITMAP_BYTES)
        return dd_error_at(DD_ERR_FORMAT, hash_offset + 12, "%s: GSI bucket area of %u bytes is "
                           "smaller than its %u-byte bitmap", what, bucket_bytes, BITMAP_BYTES);
    uint32_t at = g->records_at + hr_size;
    uint8_t bitmap[BITMAP_BYTES];
    if ((err = pdb_stream_read_exact(&s, at, bitmap, BITMAP_BYTES, what)))
        return err;
    uint32_t set = 0;
    for (uint32_t i = 0; i < BITMAP_BYTES / 4; i++) {
        g->bucket_map[i] = dd_le32(bitmap + 4 * i);
        set += (uint32_t)__builtin_popcount(g->bucket_map[i]);
    }
    if ((uint64_t)set * 4 > bucket_bytes - BITMAP_BYTES)
        return dd_error_at(DD_ERR_FORMAT, at, "%s: GSI bitmap marks %u buckets but %u bytes hold "
                           "their offsets", what, set, bucket_bytes - BITMAP_BYTES);
    uint8_t *raw = NULL;
    if ((err = pdb_stream_copy(pdb, stream, at + BITMAP_BYTES, set * 4, what, &raw)))
        return err;
    g->buckets = malloc((set ? set : 1) * sizeof(uint32_t));
    if (!g->buckets) {
        free(raw);
        return &dd_error_no_memory;
    }
    for (uint32_t i = 0; i < set; i++)
        g->buckets[i] = dd_le32(raw + 4 * (size_t)i) / HR_MEMORY_SIZE;
    free(raw);
    g->nbuckets = set;
    return NULL;
}

/* Calls FN for hash records [first, end). */
static struct dd_error *walk_records(struct pdb *pdb, const struct pdb_gsi *g, uint32_t first,
                                     uint32_t end, bool (*fn)(void *ctx, uint32_t off), void *ctx)
{
    struct msf_stream s;
    struct dd_error *err = msf_stream_get(pdb->msf, g->stream, &s);
    if (err)
        return err;
    if (end > g->nrecords)
        end = g->nrecords;
    uint8_t buf[HR_SIZE * 128];
    while (first < end) {
        uint32_t k = end - first < 128 ? end - first : 128;
        err = pdb_stream_read_exact(&s, g->records_at + (uint64_t)first * HR_SIZE, buf,
                                    (size_t)k * HR_SIZE, "GSI hash records");
        if (err)
            return err;
        for (uint32_t i = 0; i < k; i++) {
            uint32_t off = dd_le32(buf + HR_SIZE * i);
            if (off == 0)
                continue; /* a deleted record */
            if (!fn(ctx, off - 1))
                return NULL;
        }
        first += k;
    }
    return NULL;
}

struct dd_error *pdb_gsi_walk(struct pdb *pdb, const struct pdb_gsi *g, const char *name,
                              bool (*fn)(void *ctx, uint32_t symrec_off), void *ctx)
{
    if (!name)
        return walk_records(pdb, g, 0, g->nrecords, fn, ctx);
    uint32_t bucket = pdb_hash_v1(name, strlen(name)) % IPHR_HASH;
    if (!(g->bucket_map[bucket / 32] & (1u << (bucket % 32))))
        return NULL;
    uint32_t rank = 0;
    for (uint32_t i = 0; i < bucket / 32; i++)
        rank += (uint32_t)__builtin_popcount(g->bucket_map[i]);
    rank += (uint32_t)__builtin_popcount(g->bucket_map[bucket / 32] & ((1u << (bucket % 32)) - 1));
    if (rank >= g->nbuckets)
        return NULL;
    uint32_t first = g->buckets[rank];
    uint32_t end = rank + 1 < g->nbuckets ? g->buckets[rank + 1] : g->nrecords;
    return walk_records(pdb, g, first, end, fn, ctx);
}

struct dd_error *pdb_symrec_open(struct pdb *pdb)
{
    if (pdb->has_symrec)
        return NULL;
    if (!pdb->has_dbi || pdb->dbi.sym_record_stream == PDB_NO_STREAM)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "no symbol record stream");
    struct dd_error *err = msf_stream_get(pdb->msf, pdb->dbi.sym_record_stream, &pdb->symrec);
    if (err)
        return dd_error_wrap(err, "%s: symbol record stream", pdb->name);
    if (!pdb->scratch && !(pdb->scratch = malloc(PDB_MAX_RECORD)))
        return &dd_error_no_memory;
    pdb->has_symrec = true;
    return NULL;
}

struct dd_error *pdb_symrec_read(struct pdb *pdb, uint32_t off, uint16_t *ret_kind,
                                 uint32_t *ret_len, const uint8_t **ret_data)
{
    struct dd_error *err = pdb_symrec_open(pdb);
    if (err)
        return err;
    uint8_t h[4];
    err = pdb_stream_read_exact(&pdb->symrec, off, h, 4, "symbol record");
    if (err)
        return dd_error_wrap(err, "%s", pdb->name);
    uint16_t len = dd_le16(h);
    if (len < 2)
        return pdb_error(pdb, DD_ERR_FORMAT, "symbol record at offset 0x%x has length %u", off, len);
    err = pdb_stream_read_exact(&pdb->symrec, (uint64_t)off + 4, pdb->scratch, len - 2u,
                                "symbol record");
    if (err)
        return dd_error_wrap(err, "%s", pdb->name);
    pdb->scratch[len - 2u] = 0; /* names at the end of a record are always terminated */
    *ret_kind = dd_le16(h + 2);
    *ret_len = len - 2u;
    *ret_data = pdb->scratch;
    return NULL;
}
