/*
 * The TPI/IPI hash stream and the hashes in it. The stream holds, at offsets the TPI header gives:
 * one u32 hash per record (already modulo NumHashBuckets), the (index, offset) pairs, and the hash
 * adjusters, a serialized PDB hash table of /names offset -> type index (microsoft-pdb tpi.cpp
 * TPI1::QueryTiForUDT, LLVM TpiStream.cpp and HashTable.h).
 */
#include <stdlib.h>
#include <string.h>

#include "pdb/tpi_internal.h"

uint32_t pdb_types_hash_name(const char *s, size_t len)
{
    /* microsoft-pdb misc.h hashSz (LLVM hashStringV1): XOR of little-endian words, then a 16-bit
     * and an 8-bit tail; OR-ing 0x20 into every byte lane makes ASCII case irrelevant. */
    const uint8_t *p = (const uint8_t *)s;
    uint32_t h = 0;
    size_t words = len / 4;
    for (size_t i = 0; i < words; i++, p += 4)
        h ^= dd_le32(p);
    size_t rest = len % 4;
    if (rest >= 2) {
        h ^= dd_le16(p);
        p += 2;
        rest -= 2;
    }
    if (rest == 1)
        h ^= *p;
    h |= 0x20202020u;
    h ^= h >> 11;
    return h ^ (h >> 16);
}

/* CRC-32 (reflected 0xEDB88320) from 0 without a final inversion: microsoft-pdb SigForPbCb with
 * sig 0, LLVM JamCRC(0); the hash of records that are not named UDT definitions. */
static uint32_t crc32_from_zero(const uint8_t *p, size_t n)
{
    uint32_t crc = 0;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int b = 0; b < 8; b++)
            crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
    }
    return crc;
}

/* microsoft-pdb fUDTAnon: the names compilers give unnamed tags. */
static bool is_anonymous_name(const char *name)
{
    static const char *const names[] = {"<unnamed-tag>", "__unnamed"};
    size_t len = strlen(name);
    for (size_t i = 0; i < 2; i++) {
        size_t n = strlen(names[i]);
        if (strcmp(name, names[i]) == 0 || (len > n + 2 && strcmp(name + len - n, names[i]) == 0 &&
                                            memcmp(name + len - n - 2, "::", 2) == 0))
            return true;
    }
    return false;
}

struct dd_error *pdb_types_hash_record(struct pdb_types *t, uint32_t index, uint32_t *ret)
{
    struct pdb_type_record rec;
    struct dd_error *err = pdb_types_record(t, index, &rec);
    if (err)
        return err;
    if (pdb_leaf_is_udt(rec.leaf)) {
        struct pdb_type type;
        if ((err = tpi_decode(&rec, &type)))
            return err;
        /* TPI1::hashPrec / LLVM getHashForUdt: global definitions by name, scoped ones by their
         * unique name, forward references and anonymous tags by their bytes. */
        uint32_t props = type.u.udt.props;
        bool fwd = props & PDB_PROP_FWDREF, scoped = props & PDB_PROP_SCOPED;
        bool has_unique = props & PDB_PROP_UNIQUE_NAME;
        bool anon = has_unique && is_anonymous_name(type.name);
        if (!fwd && !scoped && !anon) {
            *ret = pdb_types_hash_name(type.name, strlen(type.name));
            return NULL;
        }
        if (!fwd && has_unique && !anon && type.unique_name) {
            *ret = pdb_types_hash_name(type.unique_name, strlen(type.unique_name));
            return NULL;
        }
    } else if ((rec.leaf == PDB_LF_UDT_SRC_LINE || rec.leaf == PDB_LF_UDT_MOD_SRC_LINE) &&
               rec.size >= 4) {
        /* LLVM getSourceLineHash: the hash of the UDT's index bytes. */
        *ret = pdb_types_hash_name((const char *)rec.data, 4);
        return NULL;
    }
    *ret = crc32_from_zero(rec.data - 4, (size_t)rec.size + 4);
    return NULL;
}

struct dd_error *pdb_types_stored_hash(struct pdb_types *t, uint32_t index, uint32_t *ret)
{
    if (!t->hash_values)
        return dd_error_create(DD_ERR_NOT_FOUND, "no TPI hash values");
    if (index < t->hdr.index_begin || index >= t->hdr.index_end)
        return dd_error_create(DD_ERR_NOT_FOUND, "type index 0x%x is outside 0x%x..0x%x", index,
                               t->hdr.index_begin, t->hdr.index_end);
    *ret = dd_le32(t->hash_values + (size_t)(index - t->hdr.index_begin) * 4);
    return NULL;
}

static struct dd_error *load_index_offsets(struct pdb_types *t, struct dd_cursor *c)
{
    if (c->size % 8 != 0)
        return dd_error_at(DD_ERR_FORMAT, c->base_offset,
                           "TPI index offsets: length %zu is not a multiple of 8", c->size);
    uint32_t n = (uint32_t)(c->size / 8);
    if (n == 0)
        return NULL;
    t->index_offsets = calloc(n, sizeof(*t->index_offsets));
    if (!t->index_offsets)
        return &dd_error_no_memory;
    for (uint32_t i = 0; i < n; i++) {
        struct tpi_position p;
        struct dd_error *err;
        if ((err = dd_cursor_u32(c, &p.index)) || (err = dd_cursor_u32(c, &p.offset)))
            return err;
        /* Sorted by index and by offset, inside the records: a lookup binary-searches them. */
        if (p.index < t->hdr.index_begin || p.index >= t->hdr.index_end ||
            p.offset >= t->records_size ||
            (i > 0 && (p.index <= t->index_offsets[i - 1].index ||
                       p.offset <= t->index_offsets[i - 1].offset)))
            return dd_error_at(DD_ERR_FORMAT, c->base_offset + (uint64_t)i * 8,
                               "TPI index offset %u (type 0x%x at 0x%x) is out of order or range",
                               i, p.index, p.offset);
        t->index_offsets[i] = p;
    }
    t->index_offsets_count = n;
    return NULL;
}

/* Reads a bit vector {u32 words, u32 word[words]} and counts the set bits below LIMIT. */
static struct dd_error *read_bit_vector(struct dd_cursor *c, uint32_t limit, uint32_t *ret_set)
{
    uint32_t words, set = 0;
    struct dd_error *err = dd_cursor_u32(c, &words);
    if (err)
        return err;
    if (words > dd_cursor_left(c) / 4)
        return dd_error_at(DD_ERR_FORMAT, c->base_offset + c->pos,
                           "TPI hash adjusters: bit vector of %u words is truncated", words);
    for (uint32_t w = 0; w < words; w++) {
        uint32_t bits;
        if ((err = dd_cursor_u32(c, &bits)))
            return err;
        for (uint32_t b = 0; b < 32; b++)
            if ((bits >> b) & 1 && (uint64_t)w * 32 + b < limit)
                set++;
    }
    *ret_set = set;
    return NULL;
}

static struct dd_error *load_adjusters(struct pdb_types *t, struct dd_cursor *c)
{
    if (c->size == 0)
        return NULL;
    uint32_t size, capacity, present, deleted;
    struct dd_error *err;
    if ((err = dd_cursor_u32(c, &size)) || (err = dd_cursor_u32(c, &capacity)) ||
        (err = read_bit_vector(c, capacity, &present)) ||
        (err = read_bit_vector(c, capacity, &deleted)))
        return err;
    if (present != size || size > dd_cursor_left(c) / 8)
        return dd_error_at(DD_ERR_FORMAT, c->base_offset,
                           "TPI hash adjusters: %u entries but %u present bits in %zu bytes", size,
                           present, dd_cursor_left(c));
    if (size == 0)
        return NULL;
    t->adjusters = calloc(size, sizeof(*t->adjusters));
    if (!t->adjusters)
        return &dd_error_no_memory;
    for (uint32_t i = 0; i < size; i++) {
        struct tpi_position *a = &t->adjusters[i];
        if ((err = dd_cursor_u32(c, &a->offset)) || (err = dd_cursor_u32(c, &a->index)))
            return err;
    }
    t->adjusters_count = size;
    return NULL;
}

struct dd_error *tpi_hash_load(struct pdb_types *t, const uint8_t *data, uint32_t size)
{
    struct dd_cursor stream, c;
    dd_cursor_init(&stream, data, size, 0, "TPI hash stream");
    const struct pdb_types_header *h = &t->hdr;
    struct dd_error *err;
    if ((err = dd_cursor_sub(&stream, h->index_offsets_offset, h->index_offsets_length,
                             "TPI index offsets", &c)) ||
        (err = load_index_offsets(t, &c)))
        return err;
    if ((err = dd_cursor_sub(&stream, h->hash_adjusters_offset, h->hash_adjusters_length,
                             "TPI hash adjusters", &c)) ||
        (err = load_adjusters(t, &c)))
        return err;
    if ((err = dd_cursor_sub(&stream, h->hash_values_offset, h->hash_values_length,
                             "TPI hash values", &c)))
        return err;
    /* Hash values that do not fit the records leave lookups to scans, as with no hash at all. */
    if (h->hash_key_size == 4 && h->num_buckets > 0 && h->num_buckets <= TPI_MAX_BUCKETS &&
        c.size == (size_t)t->count * 4 && t->count > 0) {
        t->hash_values = c.data;
        t->stats.has_hash = true;
    }
    return NULL;
}

bool tpi_bucket(struct pdb_types *t, uint32_t bucket, const uint32_t **items, uint32_t *n)
{
    if (!t->hash_checked) {
        t->hash_checked = true;
        if (!t->hash_values)
            return false;
        uint32_t nb = t->hdr.num_buckets;
        uint32_t *start = calloc((size_t)nb + 1, sizeof(*start));
        uint32_t *list = calloc(t->count, sizeof(*list));
        if (!start || !list) {
            free(start);
            free(list);
            t->hash_values = NULL;
            t->stats.has_hash = false;
            return false;
        }
        for (uint32_t i = 0; i < t->count; i++) {
            uint32_t v = dd_le32(t->hash_values + (size_t)i * 4);
            if (v >= nb) { /* a corrupt hash: never trust it */
                free(start);
                free(list);
                t->hash_values = NULL;
                t->stats.has_hash = false;
                return false;
            }
            start[v + 1]++;
        }
        for (uint32_t b = 0; b < nb; b++)
            start[b + 1] += start[b];
        /* Fill in index order, so each bucket lists its records ascending. */
        uint32_t *fill = calloc(nb, sizeof(*fill));
        if (!fill) {
            free(start);
            free(list);
            t->hash_values = NULL;
            t->stats.has_hash = false;
            return false;
        }
        for (uint32_t i = 0; i < t->count; i++) {
            uint32_t v = dd_le32(t->hash_values + (size_t)i * 4);
            list[start[v] + fill[v]++] = t->hdr.index_begin + i;
        }
        free(fill);
        t->bucket_start = start;
        t->bucket_items = list;
    }
    if (!t->bucket_start || bucket >= t->hdr.num_buckets)
        return false;
    *items = t->bucket_items + t->bucket_start[bucket];
    *n = t->bucket_start[bucket + 1] - t->bucket_start[bucket];
    return true;
}

void pdb_types_set_string_table(struct pdb_types *t,
                                const char *(*lookup)(void *ctx, uint32_t offset), void *ctx)
{
    t->names = lookup;
    t->names_ctx = ctx;
}
