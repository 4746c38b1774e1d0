/*
 * Secondary dump data (what bugcheck callbacks add, `.enumtag`): after the dump's own data a
 * DUMP_BLOB_FILE_HEADER ("Dump" "Blob", HeaderSize, BuildNumber), then DUMP_BLOB_HEADERs
 * (HeaderSize, GUID Tag, DataSize, PrePad, PostPad) each followed by its data (ntiodump.h).
 * Blobs are streamed with no count, so the walk stops at the first header that does not fit.
 */
#include <string.h>

#include "dump/kdmp/kdmp_internal.h"

#define BLOB_SIGNATURE1 0x706d7544u /* "Dump" */
#define BLOB_SIGNATURE2 0x626f6c42u /* "Blob" */
#define BLOB_FILE_HEADER_SIZE 16u
#define BLOB_HEADER_SIZE 32u

struct dd_error *kdmp_blobs_parse(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    uint64_t pos = f->data_end;
    const uint8_t *p = pos ? kdmp_file_range(t, pos, BLOB_FILE_HEADER_SIZE) : NULL;
    if (!p || dd_le32(p) != BLOB_SIGNATURE1 || dd_le32(p + 4) != BLOB_SIGNATURE2)
        return NULL;
    uint32_t hsize = dd_le32(p + 8);
    if (hsize < BLOB_FILE_HEADER_SIZE || hsize > t->file.size - pos) {
        kdmp_warn(t, "secondary dump data at 0x%llx: header size 0x%x is impossible",
                  (unsigned long long)pos, hsize);
        return NULL;
    }
    f->has_blobs = true;
    f->blob_file_offset = pos;
    f->blob_build_number = dd_le32(p + 12);
    struct dd_error *err =
        kdmp_stream_add(t, KDMP_STREAM_SECONDARY_DATA, "SecondaryData", pos, t->file.size - pos);
    if (err)
        return err;
    pos += hsize;
    size_t cap = (size_t)((t->file.size - pos) / BLOB_HEADER_SIZE) + 1;
    f->blobs = dd_arena_calloc(&t->arena, cap, sizeof(*f->blobs));
    if (!f->blobs)
        return &dd_error_no_memory;
    while (f->nblobs < cap && (p = kdmp_file_range(t, pos, BLOB_HEADER_SIZE))) {
        uint32_t bh = dd_le32(p), size = dd_le32(p + 20), pre = dd_le32(p + 24),
                 post = dd_le32(p + 28);
        uint64_t data = pos + bh + pre, next;
        if (bh < BLOB_HEADER_SIZE ||
            dd_add_overflows(data, (uint64_t)size + post, t->file.size, &next)) {
            kdmp_warn(t,
                      "secondary dump data: blob at 0x%llx does not fit in the file; the "
                      "blob list ends there",
                      (unsigned long long)pos);
            break;
        }
        struct kdmp_blob *b = &f->blobs[f->nblobs++];
        memcpy(b->tag, p + 4, 16);
        b->data_offset = data;
        b->data_size = size;
        if ((err = kdmp_stream_add(t, KDMP_STREAM_BLOB, "SecondaryDataBlob", data, size)))
            return err;
        pos = next;
    }
    return NULL;
}
