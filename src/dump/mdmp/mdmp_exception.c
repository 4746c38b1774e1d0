/* ExceptionStream: MINIDUMP_EXCEPTION_STREAM (thread id, EXCEPTION_RECORD64, context location). */
#include "dump/mdmp/mdmp_internal.h"

#define EXCEPTION_STREAM_SIZE 168u /* MINIDUMP_EXCEPTION_STREAM */

struct dd_error *mdmp_exception_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_EXCEPTION);
    if (!s)
        return NULL;
    if (s->size < EXCEPTION_STREAM_SIZE)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "ExceptionStream at offset 0x%llx: size 0x%llx is smaller than "
                           "MINIDUMP_EXCEPTION_STREAM (%u bytes)",
                           (unsigned long long)s->offset, (unsigned long long)s->size,
                           EXCEPTION_STREAM_SIZE);
    const uint8_t *p = t->file.data + s->offset;
    struct target_exception *x = &t->exception;
    x->thread_id = dd_le32(p);
    /* p + 4: alignment padding. EXCEPTION_RECORD64 (MINIDUMP_EXCEPTION) starts at 8. */
    x->code = dd_le32(p + 8);
    x->flags = dd_le32(p + 12);
    x->record = dd_le64(p + 16);
    x->address = dd_le64(p + 24);
    x->num_params = dd_le32(p + 32);
    uint32_t n = x->num_params;
    if (n > TARGET_EXCEPTION_MAX_PARAMS) {
        mdmp_warn(t, "ExceptionStream: NumberParameters %u clamped to %u", n,
                  TARGET_EXCEPTION_MAX_PARAMS);
        n = TARGET_EXCEPTION_MAX_PARAMS;
    }
    for (uint32_t i = 0; i < n; i++)
        x->params[i] = dd_le64(p + 40 + 8 * i);
    uint32_t ctx_size = dd_le32(p + 160);
    uint32_t ctx_rva = dd_le32(p + 164);
    if (ctx_size != 0) {
        x->context = mdmp_file_range(t, ctx_rva, ctx_size);
        if (x->context)
            x->context_size = ctx_size;
        else
            mdmp_warn(t, "ExceptionStream: context at rva 0x%x, size 0x%x is outside the file",
                      ctx_rva, ctx_size);
    }
    t->has_exception = true;
    return NULL;
}
