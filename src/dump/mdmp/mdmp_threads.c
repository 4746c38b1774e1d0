/* ThreadListStream / ThreadExListStream, ThreadInfoListStream, ThreadNamesStream. */
#include <stdlib.h>

#include "dump/mdmp/mdmp_internal.h"

#define THREAD_SIZE 48u      /* MINIDUMP_THREAD */
#define THREAD_EX_SIZE 64u   /* MINIDUMP_THREAD_EX: + BackingStore descriptor */
#define THREAD_INFO_SIZE 64u /* MINIDUMP_THREAD_INFO */
#define THREAD_NAME_SIZE 12u /* MINIDUMP_THREAD_NAME: packed u32 + u64 */

/* Thread ids sorted for lookup, so matching N records is O(N log N) even in hostile files. */
struct tid_index {
    uint32_t tid;
    uint32_t index;
};

static int tid_cmp(const void *a, const void *b)
{
    const struct tid_index *x = a, *y = b;
    if (x->tid != y->tid)
        return x->tid < y->tid ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index);
}

static struct target_thread *thread_lookup(struct target *t, const struct tid_index *idx,
                                           uint32_t tid)
{
    size_t lo = 0, hi = t->nthreads;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (idx[mid].tid < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < t->nthreads && idx[lo].tid == tid)
        return &t->threads[idx[lo].index];
    return NULL;
}

/* Count-prefixed lists may carry 4 bytes of padding after the count (Breakpad accepts both). */
static uint64_t list_start(const struct target_stream *s, uint64_t count, uint64_t entry)
{
    if (count <= (s->size - 8) / entry && 8 + count * entry == s->size)
        return 8;
    return 4;
}

static struct dd_error *thread_list_parse(struct target *t, const struct target_stream *s,
                                          uint32_t entry_size)
{
    if (s->size < 4)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "%s at offset 0x%llx: size 0x%llx has no "
                           "room for the thread count",
                           s->name, (unsigned long long)s->offset, (unsigned long long)s->size);
    const uint8_t *p = t->file.data + s->offset;
    uint32_t count = dd_le32(p);
    uint64_t start = s->size >= 8 ? list_start(s, count, entry_size) : 4;
    struct dd_error *err = mdmp_list_check(s, start, count, entry_size);
    if (err)
        return err;
    if (count == 0)
        return NULL;
    t->threads = dd_arena_calloc(&t->arena, count, sizeof(*t->threads));
    if (!t->threads)
        return &dd_error_no_memory;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = p + start + (uint64_t)i * entry_size;
        struct target_thread *th = &t->threads[i];
        th->tid = dd_le32(e);
        th->suspend_count = dd_le32(e + 4);
        th->priority_class = dd_le32(e + 8);
        th->priority = dd_le32(e + 12);
        th->teb = dd_le64(e + 16);
        th->stack_start = dd_le64(e + 24);
        th->stack_size = dd_le32(e + 32);
        uint32_t stack_rva = dd_le32(e + 36);
        uint32_t ctx_size = dd_le32(e + 40);
        uint32_t ctx_rva = dd_le32(e + 44);
        /* Full-memory dumps leave the stack RVA 0: the stack is in the Memory64List. */
        if (stack_rva != 0 && th->stack_size != 0) {
            const uint8_t *data = mdmp_file_range(t, stack_rva, th->stack_size);
            if (data) {
                uint64_t end = th->stack_start + th->stack_size;
                if (end < th->stack_start && end != 0) /* dd_memmap_add keeps what fits */
                    mdmp_warn(t, "thread 0x%x: stack %llx+%llx wraps around the top of the "
                                 "address space",
                              th->tid, (unsigned long long)th->stack_start,
                              (unsigned long long)th->stack_size);
                err = dd_memmap_add(&t->memory, th->stack_start, th->stack_size, data);
                if (err)
                    return err;
            } else {
                mdmp_warn(t, "thread 0x%x: stack at rva 0x%x, size 0x%llx is outside the file",
                          th->tid, stack_rva, (unsigned long long)th->stack_size);
            }
        }
        if (ctx_size != 0) {
            th->context = mdmp_file_range(t, ctx_rva, ctx_size);
            if (th->context)
                th->context_size = ctx_size;
            else
                mdmp_warn(t, "thread 0x%x: context at rva 0x%x, size 0x%x is outside the file",
                          th->tid, ctx_rva, ctx_size);
        }
    }
    t->nthreads = count;
    return NULL;
}

/* MINIDUMP_THREAD_INFO_LIST: u32 SizeOfHeader, SizeOfEntry, NumberOfEntries. */
static struct dd_error *thread_info_parse(struct target *t, const struct tid_index *idx)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_THREAD_INFO_LIST);
    if (!s)
        return NULL;
    if (s->size < 12)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "ThreadInfoListStream at offset 0x%llx: "
                           "size 0x%llx is smaller than its 12-byte header",
                           (unsigned long long)s->offset, (unsigned long long)s->size);
    const uint8_t *p = t->file.data + s->offset;
    uint32_t hsize = dd_le32(p), esize = dd_le32(p + 4), count = dd_le32(p + 8);
    if (hsize < 12 || esize < THREAD_INFO_SIZE)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "ThreadInfoListStream at offset 0x%llx: "
                           "header size %u / entry size %u are smaller than the 12 / %u bytes "
                           "of MINIDUMP_THREAD_INFO_LIST / MINIDUMP_THREAD_INFO",
                           (unsigned long long)s->offset, hsize, esize, THREAD_INFO_SIZE);
    struct dd_error *err = mdmp_list_check(s, hsize, count, esize);
    if (err)
        return err;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = p + hsize + (uint64_t)i * esize;
        struct target_thread *th = idx ? thread_lookup(t, idx, dd_le32(e)) : NULL;
        if (!th)
            continue;
        th->has_info = true;
        th->dump_flags = dd_le32(e + 4);
        th->dump_error = dd_le32(e + 8);
        th->exit_status = dd_le32(e + 12);
        th->create_time = dd_le64(e + 16);
        th->exit_time = dd_le64(e + 24);
        th->kernel_time = dd_le64(e + 32);
        th->user_time = dd_le64(e + 40);
        th->start_address = dd_le64(e + 48);
        th->affinity = dd_le64(e + 56);
    }
    return NULL;
}

/* MINIDUMP_THREAD_NAME_LIST: u32 count, then {u32 ThreadId, u64 RvaOfThreadName}. */
static struct dd_error *thread_names_parse(struct target *t, const struct tid_index *idx)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_THREAD_NAMES);
    if (!s)
        return NULL;
    if (s->size < 4)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "ThreadNamesStream at offset 0x%llx: "
                           "size 0x%llx has no room for the count",
                           (unsigned long long)s->offset, (unsigned long long)s->size);
    const uint8_t *p = t->file.data + s->offset;
    uint32_t count = dd_le32(p);
    struct dd_error *err = mdmp_list_check(s, 4, count, THREAD_NAME_SIZE);
    if (err)
        return err;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = p + 4 + (uint64_t)i * THREAD_NAME_SIZE;
        uint32_t tid = dd_le32(e);
        uint64_t rva = dd_le64(e + 4);
        struct target_thread *th = idx ? thread_lookup(t, idx, tid) : NULL;
        if (!th)
            continue;
        const char *name;
        err = mdmp_string_utf16_at(t, rva, &name);
        if (err)
            return err;
        if (!name && rva != 0)
            mdmp_warn(t, "thread 0x%x: name at rva 0x%llx is outside the file", tid,
                      (unsigned long long)rva);
        th->name = name && name[0] ? name : NULL; /* an empty name is no name */
    }
    return NULL;
}

struct dd_error *mdmp_threads_parse(struct target *t)
{
    struct dd_error *err = NULL;
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_THREAD_LIST);
    if (s)
        err = thread_list_parse(t, s, THREAD_SIZE);
    else if ((s = mdmp_stream_find(t, MDMP_STREAM_THREAD_EX_LIST)))
        err = thread_list_parse(t, s, THREAD_EX_SIZE);
    if (err)
        return err;
    struct tid_index *idx = NULL;
    if (t->nthreads) {
        idx = malloc(t->nthreads * sizeof(*idx));
        if (!idx)
            return &dd_error_no_memory;
        for (size_t i = 0; i < t->nthreads; i++) {
            idx[i].tid = t->threads[i].tid;
            idx[i].index = (uint32_t)i;
        }
        qsort(idx, t->nthreads, sizeof(*idx), tid_cmp);
    }
    err = thread_info_parse(t, idx);
    if (!err)
        err = thread_names_parse(t, idx);
    free(idx);
    return err;
}
