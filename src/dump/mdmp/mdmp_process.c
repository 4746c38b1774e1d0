/* CommentStreamA/W, SystemMemoryInfoStream, ProcessVmCountersStream, TokenStream. */
#include "dump/mdmp/mdmp_internal.h"

#define SYSMEM_BASIC_END 56u      /* Revision, Flags, MINIDUMP_SYSTEM_BASIC_INFORMATION */
#define SYSMEM_FILECACHE_END 116u /* + MINIDUMP_SYSTEM_FILECACHE_INFORMATION */
#define VM_COUNTERS_1_SIZE 80u    /* MINIDUMP_PROCESS_VM_COUNTERS_1 */
#define VM_COUNTERS_2_SIZE 152u   /* MINIDUMP_PROCESS_VM_COUNTERS_2 */
#define TOKEN_LIST_HEADER_SIZE 16u
#define TOKEN_ELEMENT_HEADER_SIZE 16u /* TokenSize, TokenId, TokenHandle */

/* Every CommentStreamA (ANSI) and CommentStreamW (UTF-16) in directory order, as UTF-8. */
static struct dd_error *comments_parse(struct target *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->nstreams; i++) {
        uint32_t type = t->streams[i].type;
        if ((type == MDMP_STREAM_COMMENT_A || type == MDMP_STREAM_COMMENT_W) &&
            t->streams[i].size != 0)
            n++;
    }
    if (n == 0)
        return NULL;
    t->comments = dd_arena_calloc(&t->arena, n, sizeof(*t->comments));
    if (!t->comments)
        return &dd_error_no_memory;
    for (size_t i = 0; i < t->nstreams; i++) {
        const struct target_stream *s = &t->streams[i];
        if ((s->type != MDMP_STREAM_COMMENT_A && s->type != MDMP_STREAM_COMMENT_W) || s->size == 0)
            continue;
        const uint8_t *p = t->file.data + s->offset;
        const char *text;
        if (!mdmp_budget_take(t, s->size * 3 / 2 + 1)) {
            text = "<comment unavailable>";
        } else if (s->type == MDMP_STREAM_COMMENT_A) {
            /* ANSI in the writer's code page: kept byte for byte (ASCII is the common case). */
            text = mdmp_text_dup(t, p, (size_t)s->size);
        } else {
            text = mdmp_utf16_dup(t, p, (size_t)(s->size / 2));
        }
        if (!text)
            return &dd_error_no_memory;
        t->comments[t->ncomments++] = text;
    }
    return NULL;
}

/* MINIDUMP_SYSTEM_MEMORY_INFO_1 (4-byte packed): header, basic info, file cache sizes. */
static void system_memory_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_SYSTEM_MEMORY_INFO);
    if (!s)
        return;
    if (s->size < SYSMEM_BASIC_END) {
        mdmp_warn(t, "SystemMemoryInfoStream: size 0x%llx is too small, ignored",
                  (unsigned long long)s->size);
        return;
    }
    const uint8_t *p = t->file.data + s->offset;
    struct mdmp_system_memory_info *m = &mdmp_impl(t)->system_memory;
    m->present = true;
    m->revision = dd_le16(p);
    m->flags = dd_le16(p + 2);
    m->timer_resolution = dd_le32(p + 4);
    m->page_size = dd_le32(p + 8);
    m->number_of_physical_pages = dd_le32(p + 12);
    m->lowest_physical_page = dd_le32(p + 16);
    m->highest_physical_page = dd_le32(p + 20);
    m->allocation_granularity = dd_le32(p + 24);
    m->minimum_user_address = dd_le64(p + 28);
    m->maximum_user_address = dd_le64(p + 36);
    m->active_processors_affinity = dd_le64(p + 44);
    m->number_of_processors = dd_le32(p + 52);
    if (s->size >= SYSMEM_FILECACHE_END) {
        m->has_file_cache = true;
        m->file_cache_current_size = dd_le64(p + 56);
        m->file_cache_peak_size = dd_le64(p + 64);
        m->file_cache_page_fault_count = dd_le32(p + 72);
    }
}

/* MINIDUMP_PROCESS_VM_COUNTERS_1 / _2: _1 has no Flags and PrivateUsage right after
 * PeakPagefileUsage. */
static void vm_counters_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_PROCESS_VM_COUNTERS);
    if (!s)
        return;
    const uint8_t *p = t->file.data + s->offset;
    uint16_t revision = s->size >= 2 ? dd_le16(p) : 0;
    uint64_t need = revision >= 2 ? VM_COUNTERS_2_SIZE : VM_COUNTERS_1_SIZE;
    if (revision == 0 || s->size < need) {
        mdmp_warn(t, "ProcessVmCountersStream: revision %u with size 0x%llx, ignored", revision,
                  (unsigned long long)s->size);
        return;
    }
    struct mdmp_vm_counters *v = &mdmp_impl(t)->vm_counters;
    v->present = true;
    v->revision = revision;
    v->page_fault_count = dd_le32(p + 4);
    v->peak_working_set_size = dd_le64(p + 8);
    v->working_set_size = dd_le64(p + 16);
    v->quota_peak_paged_pool_usage = dd_le64(p + 24);
    v->quota_paged_pool_usage = dd_le64(p + 32);
    v->quota_peak_non_paged_pool_usage = dd_le64(p + 40);
    v->quota_non_paged_pool_usage = dd_le64(p + 48);
    v->pagefile_usage = dd_le64(p + 56);
    v->peak_pagefile_usage = dd_le64(p + 64);
    if (revision == 1) {
        v->private_usage = dd_le64(p + 72);
        return;
    }
    v->flags = dd_le16(p + 2);
    v->peak_virtual_size = dd_le64(p + 72);
    v->virtual_size = dd_le64(p + 80);
    v->private_usage = dd_le64(p + 88);
    v->private_working_set_size = dd_le64(p + 96);
    v->shared_commit_usage = dd_le64(p + 104);
    v->job_shared_commit_usage = dd_le64(p + 112);
    v->job_private_commit_usage = dd_le64(p + 120);
    v->job_peak_private_commit_usage = dd_le64(p + 128);
    v->job_private_commit_limit = dd_le64(p + 136);
    v->job_total_commit_limit = dd_le64(p + 144);
}

/*
 * MINIDUMP_TOKEN_INFO_LIST: u32 TokenListSize, TokenListEntries, ListHeaderSize,
 * ElementHeaderSize; then elements of TokenSize bytes each, back to back.
 */
static struct dd_error *token_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_TOKEN);
    if (!s)
        return NULL;
    if (s->size < TOKEN_LIST_HEADER_SIZE)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "TokenStream at offset 0x%llx: size "
                           "0x%llx is smaller than its %u-byte header",
                           (unsigned long long)s->offset, (unsigned long long)s->size,
                           TOKEN_LIST_HEADER_SIZE);
    const uint8_t *p = t->file.data + s->offset;
    uint32_t count = dd_le32(p + 4), lhsize = dd_le32(p + 8), ehsize = dd_le32(p + 12);
    if (lhsize < TOKEN_LIST_HEADER_SIZE || ehsize < TOKEN_ELEMENT_HEADER_SIZE)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "TokenStream at offset 0x%llx: list "
                           "header size %u / element header size %u are smaller than %u / %u",
                           (unsigned long long)s->offset, lhsize, ehsize, TOKEN_LIST_HEADER_SIZE,
                           TOKEN_ELEMENT_HEADER_SIZE);
    /* Every element is at least its header: this bounds the allocation. */
    struct dd_error *err = mdmp_list_check(s, lhsize, count, ehsize);
    if (err || count == 0)
        return err;
    struct mdmp_file *f = mdmp_impl(t);
    f->tokens = dd_arena_calloc(&t->arena, count, sizeof(*f->tokens));
    if (!f->tokens)
        return &dd_error_no_memory;
    uint64_t at = lhsize;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = p + at;
        uint32_t size = s->size - at >= 4 ? dd_le32(e) : 0;
        if (size < ehsize || size > s->size - at) {
            mdmp_warn(t, "TokenStream: element %u at offset 0x%llx has a bad size 0x%x", i,
                      (unsigned long long)(s->offset + at), size);
            break;
        }
        struct mdmp_token *tok = &f->tokens[f->ntokens++];
        tok->size = size;
        tok->token_id = dd_le32(e + 4);
        tok->token_handle = dd_le64(e + 8);
        tok->data = e;
        tok->header_size = ehsize;
        at += size;
    }
    return NULL;
}

struct dd_error *mdmp_process_parse(struct target *t)
{
    struct dd_error *err = comments_parse(t);
    if (err)
        return err;
    system_memory_parse(t);
    vm_counters_parse(t);
    return token_parse(t);
}
