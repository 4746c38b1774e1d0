/*
 * FunctionTableStream: dynamic function tables (JIT code registered with
 * RtlAddFunctionTable / RtlInstallFunctionTableCallback), kept raw for unwinding.
 * Layout (minidumpapiset.h): MINIDUMP_FUNCTION_TABLE_STREAM, SizeOfAlignPad bytes,
 * then per table: MINIDUMP_FUNCTION_TABLE_DESCRIPTOR, the native
 * DYNAMIC_FUNCTION_TABLE, EntryCount function entries, the descriptor's pad.
 */
#include "dump/mdmp/mdmp_internal.h"

#define FT_HEADER_SIZE 24u     /* MINIDUMP_FUNCTION_TABLE_STREAM */
#define FT_DESCRIPTOR_SIZE 32u /* MINIDUMP_FUNCTION_TABLE_DESCRIPTOR */

struct dd_error *mdmp_functable_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_FUNCTION_TABLE);
    if (!s)
        return NULL;
    if (s->size < FT_HEADER_SIZE)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "FunctionTableStream at offset 0x%llx: "
                           "size 0x%llx is smaller than its %u-byte header",
                           (unsigned long long)s->offset, (unsigned long long)s->size,
                           FT_HEADER_SIZE);
    const uint8_t *p = t->file.data + s->offset;
    uint32_t hsize = dd_le32(p), dsize = dd_le32(p + 4), nsize = dd_le32(p + 8);
    uint32_t esize = dd_le32(p + 12), count = dd_le32(p + 16), pad = dd_le32(p + 20);
    if (hsize < FT_HEADER_SIZE || dsize < FT_DESCRIPTOR_SIZE)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "FunctionTableStream at offset 0x%llx: "
                           "header size %u / descriptor size %u are smaller than %u / %u",
                           (unsigned long long)s->offset, hsize, dsize, FT_HEADER_SIZE,
                           FT_DESCRIPTOR_SIZE);
    uint64_t at = (uint64_t)hsize + pad;
    /* Each table takes at least its descriptor: this bounds the allocation. */
    struct dd_error *err = mdmp_list_check(s, at, count, dsize);
    if (err || count == 0)
        return err;
    struct mdmp_file *f = mdmp_impl(t);
    f->function_tables = dd_arena_calloc(&t->arena, count, sizeof(*f->function_tables));
    if (!f->function_tables)
        return &dd_error_no_memory;
    for (uint32_t i = 0; i < count; i++) {
        if (s->size - at < dsize) {
            mdmp_warn(t, "FunctionTableStream: table %u at offset 0x%llx runs past the stream", i,
                      (unsigned long long)(s->offset + at));
            break;
        }
        const uint8_t *d = p + at;
        uint32_t entries = dd_le32(d + 24), dpad = dd_le32(d + 28);
        uint64_t need = (uint64_t)dsize + nsize + (uint64_t)entries * esize;
        if (need > s->size - at) {
            mdmp_warn(t,
                      "FunctionTableStream: table %u at offset 0x%llx (%u entries of %u "
                      "bytes) runs past the stream",
                      i, (unsigned long long)(s->offset + at), entries, esize);
            break;
        }
        struct mdmp_function_table *ft = &f->function_tables[f->nfunction_tables++];
        ft->minimum_address = dd_le64(d);
        ft->maximum_address = dd_le64(d + 8);
        ft->base_address = dd_le64(d + 16);
        ft->entry_count = entries;
        ft->entry_size = esize;
        ft->native = d + dsize;
        ft->native_size = nsize;
        ft->entries = d + dsize + nsize;
        at += need;
        /* The trailing pad may be missing after the last table. */
        at = dpad > s->size - at ? s->size : at + dpad;
    }
    return NULL;
}
