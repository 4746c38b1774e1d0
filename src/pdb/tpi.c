/*
 * TPI/IPI stream: header and random access to record N. A record is {u16 length, u16 leaf, body}
 * where length counts the leaf and body (cvinfo.h; LLVM "CodeView Type Records"). Records have no
 * index of their own, so the hash stream keeps (index, offset) pairs about every 8 KB
 * (microsoft-pdb tpi.cpp cbIndexOffsetChunk); a lookup binary-searches them and walks forward.
 */
#include <stdlib.h>
#include <string.h>

#include "pdb/msf.h"
#include "pdb/tpi_internal.h"

static struct dd_error *parse_header(struct pdb_types *t, const uint8_t *data, size_t size)
{
    struct dd_cursor c;
    dd_cursor_init(&c, data, size, 0, "TPI stream header");
    struct pdb_types_header *h = &t->hdr;
    struct dd_error *err;
    if ((err = dd_cursor_u32(&c, &h->version)) || (err = dd_cursor_u32(&c, &h->header_size)) ||
        (err = dd_cursor_u32(&c, &h->index_begin)) || (err = dd_cursor_u32(&c, &h->index_end)) ||
        (err = dd_cursor_u32(&c, &h->record_bytes)) || (err = dd_cursor_u16(&c, &h->hash_stream)) ||
        (err = dd_cursor_u16(&c, &h->hash_aux_stream)) ||
        (err = dd_cursor_u32(&c, &h->hash_key_size)) || (err = dd_cursor_u32(&c, &h->num_buckets)))
        return err;
    if ((err = dd_cursor_u32(&c, &h->hash_values_offset)) ||
        (err = dd_cursor_u32(&c, &h->hash_values_length)) ||
        (err = dd_cursor_u32(&c, &h->index_offsets_offset)) ||
        (err = dd_cursor_u32(&c, &h->index_offsets_length)) ||
        (err = dd_cursor_u32(&c, &h->hash_adjusters_offset)) ||
        (err = dd_cursor_u32(&c, &h->hash_adjusters_length)))
        return err;
    if (h->version != TPI_VERSION_V80)
        return dd_error_at(DD_ERR_UNSUPPORTED, 0,
                           "TPI stream version %u is not supported (only V80 = 20040203)",
                           h->version);
    if (h->header_size < TPI_HEADER_MIN_SIZE || h->header_size > size)
        return dd_error_at(DD_ERR_FORMAT, 4, "TPI header size %u is invalid (stream size %zu)",
                           h->header_size, size);
    if (h->record_bytes > size - h->header_size)
        return dd_error_at(
            DD_ERR_FORMAT, 16,
            "TPI type record bytes %u exceed the stream (%zu bytes after the header)",
            h->record_bytes, size - h->header_size);
    if (h->index_begin < PDB_TYPE_FIRST_INDEX || h->index_end < h->index_begin)
        return dd_error_at(DD_ERR_FORMAT, 8, "TPI type index range 0x%x..0x%x is invalid",
                           h->index_begin, h->index_end);
    /* Every record takes at least 4 bytes, which caps the count against the stream size. */
    if ((uint64_t)(h->index_end - h->index_begin) * 4 > h->record_bytes)
        return dd_error_at(DD_ERR_FORMAT, 12, "TPI claims %u records in only %u bytes",
                           h->index_end - h->index_begin, h->record_bytes);
    t->records = data + h->header_size;
    t->records_size = h->record_bytes;
    t->records_base = h->header_size;
    t->count = h->index_end - h->index_begin;
    return NULL;
}

struct dd_error *pdb_types_open_memory(const uint8_t *data, size_t size, struct pdb_types **ret)
{
    struct pdb_types *t = calloc(1, sizeof(*t));
    if (!t)
        return &dd_error_no_memory;
    struct dd_error *err = parse_header(t, data, size);
    if (err) {
        pdb_types_destroy(t);
        return err;
    }
    *ret = t;
    return NULL;
}

struct dd_error *pdb_types_open(struct msf_file *msf, uint32_t stream, struct pdb_types **ret)
{
    const char *what = stream == PDB_TYPES_IPI ? "IPI" : "TPI";
    const uint8_t *data;
    uint32_t size;
    struct dd_error *err = msf_stream_load(msf, stream, &data, &size);
    if (err)
        return dd_error_wrap(err, "%s stream %u", what, stream);
    if (size == 0)
        return dd_error_create(DD_ERR_NOT_FOUND, "%s: %s stream %u is empty", msf_name(msf), what,
                               stream);
    struct pdb_types *t = calloc(1, sizeof(*t));
    if (!t)
        return &dd_error_no_memory;
    if ((err = parse_header(t, data, size))) {
        pdb_types_destroy(t);
        return dd_error_wrap(err, "%s: %s stream %u", msf_name(msf), what, stream);
    }
    /* The hash stream is optional (0xffff: none): without it, lookups scan and index access
     * builds an offset table. */
    if (t->hdr.hash_stream != 0xffff) {
        const uint8_t *hash;
        uint32_t hash_size;
        err = msf_stream_load(msf, t->hdr.hash_stream, &hash, &hash_size);
        if (!err)
            err = tpi_hash_load(t, hash, hash_size);
        if (err) {
            pdb_types_destroy(t);
            return dd_error_wrap(err, "%s: %s hash stream %u", msf_name(msf), what,
                                 t->hdr.hash_stream);
        }
    }
    *ret = t;
    return NULL;
}

void pdb_types_destroy(struct pdb_types *t)
{
    if (!t)
        return;
    free(t->index_offsets);
    free(t->offsets);
    free(t->bucket_start);
    free(t->bucket_items);
    free(t->adjusters);
    free(t);
}

const struct pdb_types_header *pdb_types_header(const struct pdb_types *t)
{
    return &t->hdr;
}

struct pdb_types_stats pdb_types_get_stats(const struct pdb_types *t)
{
    return t->stats;
}

/* Reads the record at OFFSET; its index is only for messages and ret. */
static struct dd_error *record_at(const struct pdb_types *t, uint32_t index, uint32_t offset,
                                  struct pdb_type_record *ret)
{
    if (offset > t->records_size || t->records_size - offset < 4)
        return dd_error_at(DD_ERR_FORMAT, t->records_base + (uint64_t)offset,
                           "type record 0x%x at offset 0x%x lies past the end of the records",
                           index, offset);
    uint16_t len = dd_le16(t->records + offset);
    if (len < 2 || len > t->records_size - offset - 2)
        return dd_error_at(DD_ERR_FORMAT, t->records_base + (uint64_t)offset,
                           "type record 0x%x at offset 0x%x has bad length %u", index, offset, len);
    ret->index = index;
    ret->leaf = dd_le16(t->records + offset + 2);
    ret->data = t->records + offset + 4;
    ret->size = (uint32_t)len - 2;
    ret->offset = offset;
    return NULL;
}

struct dd_error *tpi_walk_all(struct pdb_types *t,
                              struct dd_error *(*fn)(void *ctx, const struct pdb_type_record *rec,
                                                     bool *stop),
                              void *ctx)
{
    uint32_t offset = 0;
    for (uint32_t i = 0; i < t->count; i++) {
        struct pdb_type_record rec;
        struct dd_error *err = record_at(t, t->hdr.index_begin + i, offset, &rec);
        if (err)
            return err;
        t->stats.records_walked++;
        bool stop = false;
        if ((err = fn(ctx, &rec, &stop)) || stop)
            return err;
        offset += rec.size + 4;
    }
    return NULL;
}

struct offset_table {
    uint32_t *offsets;
    uint32_t begin;
};

static struct dd_error *note_offset(void *ctx, const struct pdb_type_record *rec, bool *stop)
{
    struct offset_table *table = ctx;
    table->offsets[rec->index - table->begin] = rec->offset;
    return NULL;
}

struct dd_error *pdb_types_build_offset_table(struct pdb_types *t)
{
    if (t->offsets)
        return NULL;
    struct offset_table table = {calloc(t->count ? t->count : 1, sizeof(uint32_t)),
                                 t->hdr.index_begin};
    if (!table.offsets)
        return &dd_error_no_memory;
    struct dd_error *err = tpi_walk_all(t, note_offset, &table);
    if (err) {
        free(table.offsets);
        return err;
    }
    t->offsets = table.offsets;
    t->stats.full_offset_table = true;
    return NULL;
}

/* The best known position at or before INDEX: an index-offset entry or a recent walk. */
static struct tpi_position start_for(const struct pdb_types *t, uint32_t index)
{
    struct tpi_position best = {t->hdr.index_begin, 0};
    uint32_t lo = 0, hi = t->index_offsets_count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->index_offsets[mid].index <= index)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0)
        best = t->index_offsets[lo - 1];
    for (uint32_t i = 0; i < TPI_RECENT; i++) {
        const struct tpi_position *p = &t->recent[i];
        if (p->index != 0 && p->index <= index && p->index > best.index)
            best = *p;
    }
    return best;
}

struct dd_error *pdb_types_record(struct pdb_types *t, uint32_t index, struct pdb_type_record *ret)
{
    if (index < t->hdr.index_begin || index >= t->hdr.index_end)
        return dd_error_create(DD_ERR_NOT_FOUND, "type index 0x%x is outside 0x%x..0x%x", index,
                               t->hdr.index_begin, t->hdr.index_end);
    struct dd_error *err;
    /* Without index offsets every lookup would walk from the start: record them all once. */
    if (!t->offsets && t->index_offsets_count == 0 && (err = pdb_types_build_offset_table(t)))
        return err;
    if (t->offsets)
        return record_at(t, index, t->offsets[index - t->hdr.index_begin], ret);
    struct tpi_position pos = start_for(t, index);
    struct pdb_type_record rec;
    for (;;) {
        if ((err = record_at(t, pos.index, pos.offset, &rec)))
            return err;
        if (pos.index == index)
            break;
        t->stats.records_walked++;
        pos.offset += rec.size + 4;
        pos.index++;
    }
    t->recent[t->recent_next] = pos;
    t->recent_next = (t->recent_next + 1) % TPI_RECENT;
    *ret = rec;
    return NULL;
}
