/* Shared state of the TPI/IPI reader (tpi*.c only). */
#ifndef DD_PDB_TPI_INTERNAL_H
#define DD_PDB_TPI_INTERNAL_H

#include "base/cursor.h"
#include "pdb/tpi.h"

/* TPI stream version V80 (microsoft-pdb tpi.h impv80); the only one with NUL-terminated names. */
#define TPI_VERSION_V80 20040203u
/* The header HDR is 56 bytes (tpi.h). */
#define TPI_HEADER_MIN_SIZE 56u
/* LLVM MaxTpiHashBuckets; microsoft-pdb never writes more. */
#define TPI_MAX_BUCKETS 0x40000u
/* Bounds on walks through the type graph: continuation chains and name/size recursion. */
#define TPI_MAX_CONTINUATIONS 4096u
#define TPI_MAX_DEPTH 64u
/* Positions remembered from recent walks, so neighbouring lookups start close. */
#define TPI_RECENT 16u

struct tpi_position {
    uint32_t index;
    uint32_t offset;
};

struct pdb_types {
    const uint8_t *records; /* the record bytes after the header */
    uint32_t records_size;
    uint32_t records_base; /* stream offset of the first record, for messages */
    struct pdb_types_header hdr;
    uint32_t count; /* index_end - index_begin */

    /* The hash stream's index offsets: every ~8 KB, (index, offset) pairs sorted by both. */
    struct tpi_position *index_offsets;
    uint32_t index_offsets_count;
    uint32_t *offsets; /* offset of every record once built, else NULL */
    struct tpi_position recent[TPI_RECENT];
    uint32_t recent_next;

    /* Hash values, one u32 per record (already modulo num_buckets), and the bucket map built from
     * them on first use: bucket_start[b]..bucket_start[b+1] indexes bucket_items. */
    const uint8_t *hash_values;
    uint32_t *bucket_start;
    uint32_t *bucket_items;
    bool hash_checked; /* bucket map built or hash found unusable */

    /* Hash adjusters: /names offset -> type index. */
    struct tpi_position *adjusters; /* .index = type, .offset = name offset */
    uint32_t adjusters_count;
    const char *(*names)(void *ctx, uint32_t offset);
    void *names_ctx;

    struct pdb_types_stats stats;
};

/* tpi_hash.c: parses the hash stream bytes (hash values, index offsets, adjusters) into T. */
struct dd_error *tpi_hash_load(struct pdb_types *t, const uint8_t *data, uint32_t size);
/* tpi_hash.c: sets items/n to bucket B's record indices (ascending); false without a hash. */
bool tpi_bucket(struct pdb_types *t, uint32_t bucket, const uint32_t **items, uint32_t *n);

/* tpi_leaf.c: decodes record REC into ret. */
struct dd_error *tpi_decode(const struct pdb_type_record *rec, struct pdb_type *ret);
/* tpi_leaf.c: reads a numeric leaf at C. */
struct dd_error *tpi_read_numeric(struct dd_cursor *c, struct pdb_numeric *ret);
/* tpi_leaf.c: reads a NUL-terminated string at C (the NUL must lie inside C). */
struct dd_error *tpi_read_string(struct dd_cursor *c, const char **ret);

/* tpi.c: calls FN on each record in index order from the first; FN sets *stop to end early. */
struct dd_error *tpi_walk_all(struct pdb_types *t,
                              struct dd_error *(*fn)(void *ctx, const struct pdb_type_record *rec,
                                                     bool *stop),
                              void *ctx);

#endif
