/* MemoryListStream, Memory64ListStream (indexed into t->memory, never copied), MemoryInfoList. */
#include <stdlib.h>

#include "dump/mdmp/mdmp_internal.h"

#define MEMORY_DESCRIPTOR_SIZE 16u   /* MINIDUMP_MEMORY_DESCRIPTOR */
#define MEMORY_DESCRIPTOR64_SIZE 16u /* MINIDUMP_MEMORY_DESCRIPTOR64 */
#define MEMORY_INFO_SIZE 48u         /* MINIDUMP_MEMORY_INFO */

/*
 * Indexes SIZE bytes of target memory at BASE whose bytes sit at file offset RVA.
 * Bytes past the end of the file (a truncated dump) are left out with a warning.
 */
static struct dd_error *range_add(struct target *t, const char *what, uint64_t base, uint64_t size,
                                  uint64_t rva)
{
    if (size == 0)
        return NULL;
    uint64_t fsize = t->file.size;
    if (rva >= fsize) {
        mdmp_warn(t, "%s: range %llx+%llx at rva 0x%llx is outside the file", what,
                  (unsigned long long)base, (unsigned long long)size, (unsigned long long)rva);
        return NULL;
    }
    if (size > fsize - rva) {
        mdmp_warn(t, "%s: range %llx+%llx at rva 0x%llx is cut short by the end of the file", what,
                  (unsigned long long)base, (unsigned long long)size, (unsigned long long)rva);
        size = fsize - rva;
    }
    if (base + size < base && base + size != 0) /* dd_memmap_add keeps the part below 2^64 */
        mdmp_warn(t, "%s: range %llx+%llx wraps around the top of the address space: cut to "
                     "%llx bytes",
                  what, (unsigned long long)base, (unsigned long long)size,
                  (unsigned long long)(0 - base));
    return dd_memmap_add(&t->memory, base, size, t->file.data + rva);
}

/* MINIDUMP_MEMORY_LIST: u32 count (maybe padded to 8), then descriptors {u64 start, u32 size, u32
 * rva}. */
static struct dd_error *memory_list_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_MEMORY_LIST);
    if (!s)
        return NULL;
    if (s->size < 4)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "MemoryListStream at offset 0x%llx: size "
                           "0x%llx has no room for the range count",
                           (unsigned long long)s->offset, (unsigned long long)s->size);
    const uint8_t *p = t->file.data + s->offset;
    uint32_t count = dd_le32(p);
    uint64_t start = 4;
    if (s->size >= 8 && count <= (s->size - 8) / MEMORY_DESCRIPTOR_SIZE &&
        8 + (uint64_t)count * MEMORY_DESCRIPTOR_SIZE == s->size)
        start = 8;
    struct dd_error *err = mdmp_list_check(s, start, count, MEMORY_DESCRIPTOR_SIZE);
    if (err)
        return err;
    for (uint32_t i = 0; i < count && !err; i++) {
        const uint8_t *e = p + start + (uint64_t)i * MEMORY_DESCRIPTOR_SIZE;
        err = range_add(t, "MemoryListStream", dd_le64(e), dd_le32(e + 8), dd_le32(e + 12));
    }
    return err;
}

/*
 * MINIDUMP_MEMORY64_LIST: u64 count, u64 BaseRva, descriptors {u64 start, u64 size};
 * the data of all ranges follows BaseRva back to back, in descriptor order.
 */
static struct dd_error *memory64_list_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_MEMORY64_LIST);
    if (!s)
        return NULL;
    if (s->size < 16)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "Memory64ListStream at offset 0x%llx: "
                           "size 0x%llx is smaller than its 16-byte header",
                           (unsigned long long)s->offset, (unsigned long long)s->size);
    const uint8_t *p = t->file.data + s->offset;
    uint64_t count = dd_le64(p);
    uint64_t rva = dd_le64(p + 8);
    struct dd_error *err = mdmp_list_check(s, 16, count, MEMORY_DESCRIPTOR64_SIZE);
    if (err)
        return err;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *e = p + 16 + i * MEMORY_DESCRIPTOR64_SIZE;
        uint64_t base = dd_le64(e), size = dd_le64(e + 8);
        if (rva >= t->file.size && size != 0) {
            mdmp_warn(t, "Memory64ListStream: ranges %llu..%llu lie past the end of the file",
                      (unsigned long long)i, (unsigned long long)(count - 1));
            break;
        }
        err = range_add(t, "Memory64ListStream", base, size, rva);
        if (err)
            return err;
        if (rva + size < rva)
            break;
        rva += size;
    }
    return NULL;
}

static int region_cmp(const void *a, const void *b)
{
    const struct target_region *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    return 0;
}

/* MINIDUMP_MEMORY_INFO_LIST: u32 SizeOfHeader, u32 SizeOfEntry, u64 NumberOfEntries. */
static struct dd_error *memory_info_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_MEMORY_INFO_LIST);
    if (!s)
        return NULL;
    if (s->size < 16)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "MemoryInfoListStream at offset 0x%llx: "
                           "size 0x%llx is smaller than its 16-byte header",
                           (unsigned long long)s->offset, (unsigned long long)s->size);
    const uint8_t *p = t->file.data + s->offset;
    uint32_t hsize = dd_le32(p), esize = dd_le32(p + 4);
    uint64_t count = dd_le64(p + 8);
    if (hsize < 16 || esize < MEMORY_INFO_SIZE)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "MemoryInfoListStream at offset 0x%llx: "
                           "header size %u / entry size %u are smaller than the 16 / %u bytes "
                           "of the format",
                           (unsigned long long)s->offset, hsize, esize, MEMORY_INFO_SIZE);
    struct dd_error *err = mdmp_list_check(s, hsize, count, esize);
    if (err || count == 0)
        return err;
    t->regions = dd_arena_calloc(&t->arena, (size_t)count, sizeof(*t->regions));
    if (!t->regions)
        return &dd_error_no_memory;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *e = p + hsize + i * esize;
        struct target_region *r = &t->regions[i];
        r->base = dd_le64(e);
        r->allocation_base = dd_le64(e + 8);
        r->allocation_protect = dd_le32(e + 16);
        r->size = dd_le64(e + 24);
        r->state = dd_le32(e + 32);
        r->protect = dd_le32(e + 36);
        r->type = dd_le32(e + 40);
    }
    t->nregions = (size_t)count;
    qsort(t->regions, t->nregions, sizeof(*t->regions), region_cmp);
    return NULL;
}

struct dd_error *mdmp_memory_parse(struct target *t)
{
    struct dd_error *err = memory_list_parse(t);
    if (!err)
        err = memory64_list_parse(t);
    if (!err)
        err = memory_info_parse(t);
    return err;
}
