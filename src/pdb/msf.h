/*
 * MSF 7.0, the multi-stream container a PDB is stored in: a superblock, a stream directory, and
 * numbered streams scattered over fixed-size blocks. Streams are read lazily from the mapping.
 */
#ifndef DD_PDB_MSF_H
#define DD_PDB_MSF_H

#include <stddef.h>
#include <stdint.h>

#include "base/error.h"

struct msf_file;

/* One stream: its size and its block list (pointing into the parsed directory). */
struct msf_stream {
    const struct msf_file *msf;
    uint32_t index;
    uint32_t size;        /* 0 for a nil (deleted) stream */
    const uint32_t *blocks;
    uint32_t nblocks;
};

/* Maps PATH and parses the superblock and stream directory; errors name the file and offset. */
struct dd_error *msf_open_file(const char *path, struct msf_file **ret);
/* Like msf_open_file on caller-owned bytes, which must outlive the result. */
struct dd_error *msf_open_memory(const uint8_t *data, size_t size, const char *name,
                                 struct msf_file **ret);
/* Frees the file, its directory and every loaded stream copy; NULL is a no-op. */
void msf_destroy(struct msf_file *msf);

/* Returns the file name given at open (for messages). */
const char *msf_name(const struct msf_file *msf);
/* Returns the number of streams in the directory. */
uint32_t msf_stream_count(const struct msf_file *msf);
/* Returns the block size in bytes. */
uint32_t msf_block_size(const struct msf_file *msf);
/* Fills ret with stream INDEX; DD_ERR_NOT_FOUND when there is no such stream. */
struct dd_error *msf_stream_get(const struct msf_file *msf, uint32_t index, struct msf_stream *ret);
/* Copies up to LEN bytes at OFFSET of the stream into BUF; returns how many were copied (short at the
 * end of the stream or where a block lies past the end of the file). */
size_t msf_stream_read(const struct msf_stream *s, uint64_t offset, void *buf, size_t len);
/* Returns the whole of stream INDEX as one contiguous buffer: a view into the mapping when its blocks
 * are consecutive, else a copy made once and owned by MSF. An empty or nil stream gives size 0. */
struct dd_error *msf_stream_load(struct msf_file *msf, uint32_t index, const uint8_t **ret_data,
                                 uint32_t *ret_size);

#endif
