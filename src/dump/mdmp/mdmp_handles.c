/* HandleDataStream: MINIDUMP_HANDLE_DESCRIPTOR (32 bytes) and _2 (40 bytes). */
#include "dump/mdmp/mdmp_internal.h"

#define HANDLE_HEADER_SIZE 16u     /* MINIDUMP_HANDLE_DATA_STREAM */
#define HANDLE_DESCRIPTOR_SIZE 32u /* MINIDUMP_HANDLE_DESCRIPTOR; _2 adds ObjectInfoRva */

/* A name RVA of 0 means "none"; one outside the file is reported and treated the same. */
static struct dd_error *handle_name(struct target *t, uint64_t handle, const char *what,
                                    uint32_t rva, const char **ret)
{
    struct dd_error *err = mdmp_string_utf16_at(t, rva, ret);
    if (!err && !*ret && rva != 0)
        mdmp_warn(t, "handle 0x%llx: %s name at rva 0x%x is unavailable",
                  (unsigned long long)handle, what, rva);
    return err;
}

struct dd_error *mdmp_handles_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_HANDLE_DATA);
    if (!s)
        return NULL;
    if (s->size < HANDLE_HEADER_SIZE)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "HandleDataStream at offset 0x%llx: size "
                           "0x%llx is smaller than its %u-byte header",
                           (unsigned long long)s->offset, (unsigned long long)s->size,
                           HANDLE_HEADER_SIZE);
    const uint8_t *p = t->file.data + s->offset;
    uint32_t hsize = dd_le32(p), dsize = dd_le32(p + 4), count = dd_le32(p + 8);
    if (hsize < HANDLE_HEADER_SIZE || dsize < HANDLE_DESCRIPTOR_SIZE)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "HandleDataStream at offset 0x%llx: "
                           "header size %u / descriptor size %u are smaller than the %u / %u "
                           "bytes of the format",
                           (unsigned long long)s->offset, hsize, dsize, HANDLE_HEADER_SIZE,
                           HANDLE_DESCRIPTOR_SIZE);
    struct dd_error *err = mdmp_list_check(s, hsize, count, dsize);
    if (err)
        return err;
    mdmp_impl(t)->handle_descriptor_size = dsize;
    if (count == 0)
        return NULL;
    t->handles = dd_arena_calloc(&t->arena, count, sizeof(*t->handles));
    if (!t->handles)
        return &dd_error_no_memory;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = p + hsize + (uint64_t)i * dsize;
        struct target_handle *h = &t->handles[i];
        h->handle = dd_le64(e);
        h->attributes = dd_le32(e + 16);
        h->granted_access = dd_le32(e + 20);
        h->handle_count = dd_le32(e + 24);
        h->pointer_count = dd_le32(e + 28);
        err = handle_name(t, h->handle, "type", dd_le32(e + 8), &h->type_name);
        if (!err)
            err = handle_name(t, h->handle, "object", dd_le32(e + 12), &h->object_name);
        if (err)
            return err;
    }
    t->nhandles = count;
    return NULL;
}
