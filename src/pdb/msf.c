/*
 * MSF 7.0 reader. Layout (LLVM's "The MSF File Format" and Microsoft's microsoft-pdb msf.cpp):
 * superblock at offset 0 {magic[32], BlockSize, FreeBlockMapBlock, NumBlocks, NumDirectoryBytes,
 * Unknown, BlockMapAddr}; at BlockMapAddr * BlockSize an array of the directory's block numbers;
 * the directory is {NumStreams, StreamSizes[NumStreams], then each stream's block numbers}.
 */
#include "pdb/msf.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/mapfile.h"

static const char msf7_magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a" "DS\0\0\0";
/* The PDB 2.0 ("JG") container that VC++ 6 and older wrote. */
static const char jg_magic[] = "Microsoft C/C++ program database 2.00\r\n\x1a" "JG";

#define MSF_NIL_SIZE 0xffffffffu

struct msf_file {
    struct dd_mapfile map;
    uint32_t block_size;
    uint32_t num_blocks;
    uint32_t nstreams;
    uint32_t *sizes;        /* per stream; 0 for nil streams */
    uint32_t **stream_blocks; /* per stream: pointer into block_numbers */
    uint32_t *block_numbers;  /* all streams' block lists, decoded */
    uint8_t **copies;       /* per stream: a loaded non-contiguous copy, or NULL */
};

static uint32_t blocks_for(uint32_t size, uint32_t block_size)
{
    return (uint32_t)(((uint64_t)size + block_size - 1) / block_size);
}

/* Reads LEN bytes at byte OFFSET of a sequence of blocks; returns the count copied. */
static size_t read_blocks(const struct msf_file *msf, const uint32_t *blocks, uint32_t nblocks,
                          uint64_t limit, uint64_t offset, uint8_t *buf, size_t len)
{
    size_t done = 0;
    while (done < len && offset < limit) {
        uint64_t bi = offset / msf->block_size;
        if (bi >= nblocks)
            break;
        uint32_t in_block = (uint32_t)(offset % msf->block_size);
        uint64_t n = msf->block_size - in_block;
        if (n > len - done)
            n = len - done;
        if (n > limit - offset)
            n = limit - offset;
        uint64_t file_off = (uint64_t)blocks[bi] * msf->block_size + in_block;
        if (file_off >= msf->map.size)
            break;
        if (n > msf->map.size - file_off)
            n = msf->map.size - file_off;
        memcpy(buf + done, msf->map.data + file_off, n);
        done += n;
        offset += n;
        if (n == 0)
            break;
    }
    return done;
}

static struct dd_error *parse_superblock(struct msf_file *msf, uint32_t *dir_bytes, uint32_t *map_addr)
{
    const uint8_t *d = msf->map.data;
    size_t size = msf->map.size;
    if (size >= sizeof(jg_magic) - 1 && memcmp(d, jg_magic, sizeof(jg_magic) - 1) == 0)
        return dd_error_at(DD_ERR_UNSUPPORTED, 0,
                           "%s: old PDB 2.0 (JG) format; only MSF 7.0 PDBs are supported", msf->map.path);
    if (size < 56 || memcmp(d, msf7_magic, sizeof(msf7_magic)) != 0)
        return dd_error_at(DD_ERR_FORMAT, 0, "%s: not a PDB (no MSF 7.0 signature)", msf->map.path);
    msf->block_size = dd_le32(d + 32);
    msf->num_blocks = dd_le32(d + 40);
    *dir_bytes = dd_le32(d + 44);
    *map_addr = dd_le32(d + 52);
    uint32_t bs = msf->block_size;
    if (bs < 512 || bs > 65536 || (bs & (bs - 1)) != 0)
        return dd_error_at(DD_ERR_FORMAT, 32, "%s: bad MSF block size %u", msf->map.path, bs);
    /* The file may be cut short; blocks past its end are caught when read. */
    uint64_t file_blocks = (size + bs - 1) / bs;
    if (msf->num_blocks > file_blocks)
        msf->num_blocks = (uint32_t)file_blocks;
    return NULL;
}

static struct dd_error *parse_directory(struct msf_file *msf, uint32_t dir_bytes, uint32_t map_addr)
{
    const char *name = msf->map.path;
    uint32_t bs = msf->block_size;
    if (dir_bytes < 4 || dir_bytes > msf->map.size)
        return dd_error_at(DD_ERR_FORMAT, 44, "%s: bad stream directory size %u", name, dir_bytes);
    uint32_t ndir = blocks_for(dir_bytes, bs);
    uint64_t map_off = (uint64_t)map_addr * bs, map_end;
    if (dd_add_overflows(map_off, (uint64_t)ndir * 4, msf->map.size, &map_end))
        return dd_error_at(DD_ERR_FORMAT, 52, "%s: directory block map at block %u is past the end",
                           name, map_addr);
    uint32_t *dir_blocks = malloc((size_t)ndir * sizeof(*dir_blocks));
    uint8_t *dir = malloc(dir_bytes);
    if (!dir_blocks || !dir) {
        free(dir_blocks);
        free(dir);
        return &dd_error_no_memory;
    }
    struct dd_error *err = NULL;
    for (uint32_t i = 0; i < ndir; i++) {
        dir_blocks[i] = dd_le32(msf->map.data + map_off + 4u * i);
        if (dir_blocks[i] >= msf->num_blocks) {
            err = dd_error_at(DD_ERR_FORMAT, map_off + 4u * i,
                              "%s: directory block %u is past the end of the file", name, dir_blocks[i]);
            goto out;
        }
    }
    if (read_blocks(msf, dir_blocks, ndir, dir_bytes, 0, dir, dir_bytes) != dir_bytes) {
        err = dd_error_at(DD_ERR_FORMAT, map_off, "%s: stream directory is truncated", name);
        goto out;
    }
    struct dd_cursor c;
    dd_cursor_init(&c, dir, dir_bytes, 0, "MSF stream directory");
    uint32_t n;
    (void)dd_cursor_u32(&c, &n);
    if ((uint64_t)n * 4 > dd_cursor_left(&c)) {
        err = dd_error_at(DD_ERR_FORMAT, 0, "%s: directory lists %u streams but holds %u bytes",
                          name, n, dir_bytes);
        goto out;
    }
    msf->nstreams = n;
    msf->sizes = calloc(n ? n : 1, sizeof(*msf->sizes));
    msf->stream_blocks = calloc(n ? n : 1, sizeof(*msf->stream_blocks));
    msf->copies = calloc(n ? n : 1, sizeof(*msf->copies));
    if (!msf->sizes || !msf->stream_blocks || !msf->copies) {
        err = &dd_error_no_memory;
        goto out;
    }
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t sz;
        (void)dd_cursor_u32(&c, &sz);
        msf->sizes[i] = sz == MSF_NIL_SIZE ? 0 : sz;
        total += blocks_for(msf->sizes[i], bs);
    }
    if (total * 4 > dd_cursor_left(&c)) {
        err = dd_error_at(DD_ERR_FORMAT, 4 + 4ull * n,
                          "%s: stream block lists need %llu bytes but the directory has %zu", name,
                          (unsigned long long)(total * 4), dd_cursor_left(&c));
        goto out;
    }
    msf->block_numbers = malloc((total ? total : 1) * sizeof(uint32_t));
    if (!msf->block_numbers) {
        err = &dd_error_no_memory;
        goto out;
    }
    uint32_t *p = msf->block_numbers;
    for (uint32_t i = 0; i < n; i++) {
        msf->stream_blocks[i] = p;
        for (uint32_t k = blocks_for(msf->sizes[i], bs); k > 0; k--) {
            uint64_t at = c.pos;
            (void)dd_cursor_u32(&c, p);
            if (*p >= msf->num_blocks) {
                err = dd_error_at(DD_ERR_FORMAT, at, "%s: stream %u uses block %u past the end of the file",
                                  name, i, *p);
                goto out;
            }
            p++;
        }
    }
out:
    free(dir_blocks);
    free(dir);
    return err;
}

static struct dd_error *msf_open_mapped(struct msf_file *msf, struct msf_file **ret)
{
    uint32_t dir_bytes = 0, map_addr = 0;
    struct dd_error *err = parse_superblock(msf, &dir_bytes, &map_addr);
    if (!err)
        err = parse_directory(msf, dir_bytes, map_addr);
    if (err) {
        msf_destroy(msf);
        return err;
    }
    *ret = msf;
    return NULL;
}

struct dd_error *msf_open_file(const char *path, struct msf_file **ret)
{
    struct msf_file *msf = calloc(1, sizeof(*msf));
    if (!msf)
        return &dd_error_no_memory;
    struct dd_error *err = dd_mapfile_open(path, &msf->map);
    if (err) {
        free(msf);
        return err;
    }
    return msf_open_mapped(msf, ret);
}

struct dd_error *msf_open_memory(const uint8_t *data, size_t size, const char *name,
                                 struct msf_file **ret)
{
    struct msf_file *msf = calloc(1, sizeof(*msf));
    if (!msf)
        return &dd_error_no_memory;
    struct dd_error *err = dd_mapfile_borrow(data, size, name ? name : "(memory)", &msf->map);
    if (err) {
        free(msf);
        return err;
    }
    return msf_open_mapped(msf, ret);
}

void msf_destroy(struct msf_file *msf)
{
    if (!msf)
        return;
    if (msf->copies)
        for (uint32_t i = 0; i < msf->nstreams; i++)
            free(msf->copies[i]);
    free(msf->copies);
    free(msf->sizes);
    free(msf->stream_blocks);
    free(msf->block_numbers);
    dd_mapfile_close(&msf->map);
    free(msf);
}

const char *msf_name(const struct msf_file *msf)
{
    return msf->map.path;
}

uint32_t msf_stream_count(const struct msf_file *msf)
{
    return msf->nstreams;
}

uint32_t msf_block_size(const struct msf_file *msf)
{
    return msf->block_size;
}

struct dd_error *msf_stream_get(const struct msf_file *msf, uint32_t index, struct msf_stream *ret)
{
    if (index >= msf->nstreams)
        return dd_error_create(DD_ERR_NOT_FOUND, "%s: no stream %u (the directory has %u)",
                               msf->map.path, index, msf->nstreams);
    ret->msf = msf;
    ret->index = index;
    ret->size = msf->sizes[index];
    ret->blocks = msf->stream_blocks[index];
    ret->nblocks = blocks_for(ret->size, msf->block_size);
    return NULL;
}

size_t msf_stream_read(const struct msf_stream *s, uint64_t offset, void *buf, size_t len)
{
    return read_blocks(s->msf, s->blocks, s->nblocks, s->size, offset, buf, len);
}

struct dd_error *msf_stream_load(struct msf_file *msf, uint32_t index, const uint8_t **ret_data,
                                 uint32_t *ret_size)
{
    struct msf_stream s;
    struct dd_error *err = msf_stream_get(msf, index, &s);
    if (err)
        return err;
    if (s.size == 0) {
        *ret_data = msf->map.data;
        *ret_size = 0;
        return NULL;
    }
    if (msf->copies[index]) {
        *ret_data = msf->copies[index];
        *ret_size = s.size;
        return NULL;
    }
    bool contiguous = true;
    for (uint32_t i = 1; i < s.nblocks && contiguous; i++)
        contiguous = s.blocks[i] == s.blocks[i - 1] + 1;
    uint64_t start = (uint64_t)s.blocks[0] * msf->block_size;
    if (contiguous && start + s.size <= msf->map.size) {
        *ret_data = msf->map.data + start;
        *ret_size = s.size;
        return NULL;
    }
    uint8_t *copy = malloc(s.size);
    if (!copy)
        return &dd_error_no_memory;
    if (msf_stream_read(&s, 0, copy, s.size) != s.size) {
        free(copy);
        return dd_error_create(DD_ERR_FORMAT, "%s: stream %u is cut short by the end of the file",
                               msf->map.path, index);
    }
    msf->copies[index] = copy;
    *ret_data = copy;
    *ret_size = s.size;
    return NULL;
}
