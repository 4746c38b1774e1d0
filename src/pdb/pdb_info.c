/*
 * The PDB info stream (stream 1). Layout (LLVM "The PDB Info Stream", microsoft-pdb pdb.cpp):
 * {u32 Version, u32 Signature, u32 Age, GUID}, the named stream map (a string buffer, then a hash
 * table: u32 Size, u32 Capacity, present and deleted bit vectors (u32 word count + words), and one
 * {u32 name offset, u32 stream} pair per present bucket), then u32 feature codes to the end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdb/pdb_internal.h"

#define WHAT "PDB info stream"

/* Reads a bit vector (u32 word count, words) and returns how many bits are set; the words stay in
 * the cursor's buffer at *ret_words. */
static struct dd_error *read_bitvector(struct dd_cursor *c, uint32_t *ret_nwords,
                                       const uint8_t **ret_words)
{
    uint32_t n = 0;
    struct dd_error *err = dd_cursor_u32(c, &n);
    if (err)
        return err;
    if ((uint64_t)n * 4 > dd_cursor_left(c))
        return dd_error_at(DD_ERR_FORMAT, c->pos, WHAT ": named stream bit vector of %u words at "
                           "offset 0x%zx runs past the end", n, c->pos);
    err = dd_cursor_bytes(c, (size_t)n * 4, ret_words);
    if (err)
        return err;
    *ret_nwords = n;
    return NULL;
}

static struct dd_error *parse_named_streams(struct pdb *pdb, struct dd_cursor *c)
{
    uint32_t buf_size = 0;
    struct dd_error *err = dd_cursor_u32(c, &buf_size);
    if (err)
        return err;
    if (buf_size > dd_cursor_left(c))
        return dd_error_at(DD_ERR_FORMAT, c->pos, WHAT ": named stream string buffer of %u bytes "
                           "runs past the end of the stream", buf_size);
    const uint8_t *strs;
    (void)dd_cursor_bytes(c, buf_size, &strs);
    pdb->ns_buf = malloc((size_t)buf_size + 1);
    if (!pdb->ns_buf)
        return &dd_error_no_memory;
    memcpy(pdb->ns_buf, strs, buf_size);
    pdb->ns_buf[buf_size] = 0; /* names never run past the buffer */
    pdb->ns_buf_size = buf_size;

    uint32_t size = 0, capacity = 0;
    if ((err = dd_cursor_u32(c, &size)) || (err = dd_cursor_u32(c, &capacity)))
        return err;
    uint32_t present_words = 0, deleted_words = 0;
    const uint8_t *present = NULL, *deleted = NULL;
    if ((err = read_bitvector(c, &present_words, &present)) ||
        (err = read_bitvector(c, &deleted_words, &deleted)))
        return err;
    uint64_t nbits = (uint64_t)present_words * 32;
    if (nbits > capacity)
        nbits = capacity;
    uint32_t count = 0;
    for (uint64_t i = 0; i < nbits; i++)
        if (present[(i / 32) * 4 + (i % 32) / 8] & (1u << (i % 8)))
            count++;
    if (count != size)
        return dd_error_at(DD_ERR_FORMAT, c->pos, WHAT ": named stream map says %u entries but "
                           "marks %u buckets present", size, count);
    if ((uint64_t)count * 8 > dd_cursor_left(c))
        return dd_error_at(DD_ERR_FORMAT, c->pos, WHAT ": %u named stream entries run past the end "
                           "of the stream", count);
    pdb->ns_entries = malloc(((size_t)count ? count : 1) * 8);
    if (!pdb->ns_entries)
        return &dd_error_no_memory;
    for (uint32_t i = 0; i < count; i++) {
        (void)dd_cursor_u32(c, &pdb->ns_entries[2 * i]);
        (void)dd_cursor_u32(c, &pdb->ns_entries[2 * i + 1]);
        if (pdb->ns_entries[2 * i] >= buf_size)
            return dd_error_at(DD_ERR_FORMAT, c->pos - 8, WHAT ": named stream %u has name offset "
                               "%u past the %u-byte string buffer", i, pdb->ns_entries[2 * i],
                               buf_size);
    }
    pdb->ns_count = count;
    return NULL;
}

struct dd_error *pdb_info_parse(struct pdb *pdb)
{
    const uint8_t *data;
    uint32_t size;
    struct dd_error *err = msf_stream_load(pdb->msf, PDB_STREAM_INFO, &data, &size);
    if (err)
        return dd_error_wrap(err, "%s: " WHAT, pdb->name);
    struct dd_cursor c;
    dd_cursor_init(&c, data, size, 0, WHAT);
    struct pdb_info *in = &pdb->info;
    if (size < 28)
        return pdb_error(pdb, DD_ERR_FORMAT, WHAT ": %u bytes, shorter than its 28-byte header",
                         size);
    (void)dd_cursor_u32(&c, &in->version);
    (void)dd_cursor_u32(&c, &in->signature);
    (void)dd_cursor_u32(&c, &in->age);
    (void)dd_cursor_copy(&c, in->guid, 16);
    if (in->version < 20000404u)
        return pdb_error(pdb, DD_ERR_UNSUPPORTED, WHAT ": version %u is older than VC70 (20000404)",
                         in->version);
    err = parse_named_streams(pdb, &c);
    if (err)
        return dd_error_wrap(err, "%s", pdb->name);
    /* Feature codes (LLVM InfoStream::reload): unknown codes are kept and skipped. */
    while (dd_cursor_left(&c) >= 4) {
        uint32_t code;
        (void)dd_cursor_u32(&c, &code);
        if (in->feature_count < PDB_MAX_FEATURES)
            in->features[in->feature_count++] = code;
        if (code == PDB_FEATURE_VC110 || code == PDB_FEATURE_VC140)
            in->has_id_stream = true;
        else if (code == PDB_FEATURE_MINIMAL_DEBUG_INFO)
            in->minimal_debug_info = true;
    }
    return NULL;
}

const struct pdb_info *pdb_info_get(const struct pdb *pdb)
{
    return &pdb->info;
}

uint32_t pdb_info_match_age(const struct pdb *pdb)
{
    return pdb->has_dbi ? pdb->dbi.age : pdb->info.age;
}

char *pdb_guid_format(const uint8_t g[16], char buf[39])
{
    /* Data1..Data3 are little-endian on disk; Data4 is a byte array. */
    snprintf(buf, 39, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", dd_le32(g), dd_le16(g + 4),
             dd_le16(g + 6), g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
    return buf;
}

struct dd_error *pdb_named_stream_find(const struct pdb *pdb, const char *name, uint32_t *ret)
{
    for (uint32_t i = 0; i < pdb->ns_count; i++) {
        if (strcmp(pdb->ns_buf + pdb->ns_entries[2 * i], name) == 0) {
            *ret = pdb->ns_entries[2 * i + 1];
            return NULL;
        }
    }
    return dd_error_create(DD_ERR_NOT_FOUND, "%s: no named stream \"%s\"", pdb->name, name);
}

void pdb_named_streams_iterate(const struct pdb *pdb,
                               bool (*fn)(void *ctx, const char *name, uint32_t stream), void *ctx)
{
    for (uint32_t i = 0; i < pdb->ns_count; i++)
        if (!fn(ctx, pdb->ns_buf + pdb->ns_entries[2 * i], pdb->ns_entries[2 * i + 1]))
            return;
}
