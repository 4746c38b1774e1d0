/*
 * Breakpad and Crashpad streams: MDRawBreakpadInfo (0x47670001), MDRawAssertionInfo
 * (0x47670002) (Breakpad minidump_format.h), MinidumpCrashpadInfo (0x43500001)
 * with its annotation dictionaries and per-module lists (Crashpad
 * minidump_extensions.h). Annotations land in t->annotations.
 */
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "dump/mdmp/mdmp_internal.h"

#define BREAKPAD_VALID_DUMP_THREAD 0x1u       /* MD_BREAKPAD_INFO_VALID_DUMP_THREAD_ID */
#define BREAKPAD_VALID_REQUESTING_THREAD 0x2u /* MD_BREAKPAD_INFO_VALID_REQUESTING_THREAD_ID */
#define ASSERTION_INFO_SIZE 776u              /* 3 x 128 UTF-16 units, line, type */
#define CRASHPAD_INFO_MIN_SIZE 52u            /* up to module_list; 64 with address_mask */
#define CRASHPAD_ANNOTATION_STRING 1u         /* Annotation::Type::kString */
/*
 * Caps on annotations kept and list entries visited, so nested lists that all
 * point at one big dictionary cannot cost time or memory quadratic in the file size.
 */
#define MAX_ANNOTATIONS 65536u
#define MAX_VISITS (1u << 20)

/* A growable annotation array in the arena. */
struct annotation_sink {
    struct target *t;
    size_t cap;
    size_t visits;
    bool full;
};

/* Counts one list entry visited; false (and the sink full) once the visit budget is spent. */
static bool annotation_visit(struct annotation_sink *k)
{
    if (++k->visits > MAX_VISITS && !k->full) {
        mdmp_warn(k->t, "annotation lists too large: the rest are ignored");
        k->full = true;
    }
    return !k->full;
}

static struct dd_error *annotation_add(struct annotation_sink *k, const char *source,
                                       const char *key, const char *value)
{
    struct target *t = k->t;
    if (t->nannotations >= MAX_ANNOTATIONS) {
        if (!k->full)
            mdmp_warn(t, "more than %u annotations: the rest are ignored", MAX_ANNOTATIONS);
        k->full = true;
        return NULL;
    }
    if (t->nannotations == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 16;
        struct target_annotation *a = dd_arena_calloc(&t->arena, cap, sizeof(*a));
        if (!a)
            return &dd_error_no_memory;
        if (t->nannotations)
            memcpy(a, t->annotations, t->nannotations * sizeof(*a));
        t->annotations = a;
        k->cap = cap;
    }
    struct target_annotation *a = &t->annotations[t->nannotations++];
    a->source = source;
    a->key = key;
    a->value = value;
    return NULL;
}

/* MinidumpUTF8String (u32 length + bytes) at RVA; NULL when unavailable. */
static const char *utf8_string_at(struct target *t, uint32_t rva, bool *oom)
{
    const uint8_t *hdr = mdmp_file_range(t, rva, 4);
    if (!hdr || rva == 0)
        return NULL;
    uint32_t len = dd_le32(hdr);
    const uint8_t *text = mdmp_file_range(t, (uint64_t)rva + 4, len);
    if (!text || !mdmp_budget_take(t, (uint64_t)len + 1))
        return NULL;
    const char *s = mdmp_text_dup(t, text, len);
    if (!s)
        *oom = true;
    return s;
}

/* Returns a pointer to a count-prefixed list at location (SIZE, RVA) holding COUNT entries of ENTRY
 * bytes. */
static const uint8_t *location_list(struct target *t, uint32_t size, uint32_t rva, uint32_t entry,
                                    uint32_t *ret_count)
{
    if (size < 4)
        return NULL;
    const uint8_t *p = mdmp_file_range(t, rva, size);
    if (!p)
        return NULL;
    uint32_t count = dd_le32(p);
    if (count > (size - 4) / entry)
        return NULL;
    *ret_count = count;
    return p + 4;
}

/* MinidumpSimpleStringDictionary: u32 count, {u32 key RVA, u32 value RVA}. */
static struct dd_error *dictionary_parse(struct annotation_sink *k, const char *source,
                                         uint32_t size, uint32_t rva)
{
    struct target *t = k->t;
    if (size == 0)
        return NULL;
    uint32_t count = 0;
    const uint8_t *e = location_list(t, size, rva, 8, &count);
    if (!e) {
        mdmp_warn(t, "%s: annotation dictionary at rva 0x%x, size 0x%x is malformed", source, rva,
                  size);
        return NULL;
    }
    for (uint32_t i = 0; i < count && annotation_visit(k); i++, e += 8) {
        bool oom = false;
        const char *key = utf8_string_at(t, dd_le32(e), &oom);
        const char *value = utf8_string_at(t, dd_le32(e + 4), &oom);
        if (oom)
            return &dd_error_no_memory;
        if (!key || !value)
            continue;
        struct dd_error *err = annotation_add(k, source, key, value);
        if (err)
            return err;
    }
    return NULL;
}

/* MinidumpRVAList of MinidumpUTF8String: keys are "[0]", "[1]"... */
static struct dd_error *string_list_parse(struct annotation_sink *k, const char *source,
                                          uint32_t size, uint32_t rva)
{
    struct target *t = k->t;
    if (size == 0)
        return NULL;
    uint32_t count = 0;
    const uint8_t *e = location_list(t, size, rva, 4, &count);
    if (!e)
        return NULL;
    for (uint32_t i = 0; i < count && annotation_visit(k); i++, e += 4) {
        bool oom = false;
        const char *value = utf8_string_at(t, dd_le32(e), &oom);
        if (oom)
            return &dd_error_no_memory;
        if (!value)
            continue;
        char buf[16];
        snprintf(buf, sizeof(buf), "[%u]", i);
        const char *key = dd_arena_strdup(&t->arena, buf);
        struct dd_error *err = key ? annotation_add(k, source, key, value) : &dd_error_no_memory;
        if (err)
            return err;
    }
    return NULL;
}

/* MinidumpAnnotationList: u32 count, {u32 name RVA, u16 type, u16 reserved, u32 value RVA}. */
static struct dd_error *annotation_objects_parse(struct annotation_sink *k, const char *source,
                                                 uint32_t size, uint32_t rva)
{
    struct target *t = k->t;
    if (size == 0)
        return NULL;
    uint32_t count = 0;
    const uint8_t *e = location_list(t, size, rva, 12, &count);
    if (!e)
        return NULL;
    for (uint32_t i = 0; i < count && annotation_visit(k); i++, e += 12) {
        bool oom = false;
        const char *name = utf8_string_at(t, dd_le32(e), &oom);
        uint16_t type = dd_le16(e + 4);
        uint32_t value_rva = dd_le32(e + 8);
        const char *value = NULL;
        if (type == CRASHPAD_ANNOTATION_STRING) {
            /* MinidumpByteArray has the same shape as MinidumpUTF8String. */
            value = utf8_string_at(t, value_rva, &oom);
        } else {
            const uint8_t *hdr = mdmp_file_range(t, value_rva, 4);
            char buf[64];
            snprintf(buf, sizeof(buf), "<type 0x%x, %u bytes>", type, hdr ? dd_le32(hdr) : 0);
            value = dd_arena_strdup(&t->arena, buf);
            oom = oom || !value;
        }
        if (oom)
            return &dd_error_no_memory;
        if (!name || !value)
            continue;
        struct dd_error *err = annotation_add(k, source, name, value);
        if (err)
            return err;
    }
    return NULL;
}

/* MinidumpModuleCrashpadInfoList: u32 count, {u32 module index, location} (12 bytes). */
static struct dd_error *crashpad_modules_parse(struct annotation_sink *k, uint32_t size,
                                               uint32_t rva)
{
    struct target *t = k->t;
    if (size == 0)
        return NULL;
    uint32_t count = 0;
    const uint8_t *e = location_list(t, size, rva, 12, &count);
    if (!e) {
        mdmp_warn(t, "CrashpadInfoStream: module list at rva 0x%x, size 0x%x is malformed", rva,
                  size);
        return NULL;
    }
    for (uint32_t i = 0; i < count && annotation_visit(k); i++, e += 12) {
        uint32_t index = dd_le32(e), msize = dd_le32(e + 4), mrva = dd_le32(e + 8);
        /* The index is into ModuleListStream order: this runs before modules are sorted. */
        char buf[64];
        if (index < t->nmodules)
            snprintf(buf, sizeof(buf), "crashpad:%.50s",
                     dd_path_basename(t->modules[index].path));
        else
            snprintf(buf, sizeof(buf), "crashpad:module#%u", index);
        const char *source = dd_arena_strdup(&t->arena, buf);
        if (!source)
            return &dd_error_no_memory;
        /* MinidumpModuleCrashpadInfo: version, list, simple, objects (locations). */
        const uint8_t *m = msize >= 20 ? mdmp_file_range(t, mrva, msize) : NULL;
        if (!m) {
            mdmp_warn(t, "CrashpadInfoStream: module info %u at rva 0x%x is malformed", i, mrva);
            continue;
        }
        struct dd_error *err = string_list_parse(k, source, dd_le32(m + 4), dd_le32(m + 8));
        if (!err)
            err = dictionary_parse(k, source, dd_le32(m + 12), dd_le32(m + 16));
        if (!err && msize >= 28)
            err = annotation_objects_parse(k, source, dd_le32(m + 20), dd_le32(m + 24));
        if (err)
            return err;
    }
    return NULL;
}

static struct dd_error *crashpad_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_CRASHPAD_INFO);
    if (!s)
        return NULL;
    if (s->size < CRASHPAD_INFO_MIN_SIZE) {
        mdmp_warn(t, "CrashpadInfoStream: size 0x%llx is too small, ignored",
                  (unsigned long long)s->size);
        return NULL;
    }
    const uint8_t *p = t->file.data + s->offset;
    struct mdmp_crashpad_info *c = &mdmp_impl(t)->crashpad;
    c->present = true;
    c->version = dd_le32(p);
    memcpy(c->report_id, p + 4, 16);
    memcpy(c->client_id, p + 20, 16);
    if (s->size >= 64) {
        c->has_address_mask = true;
        c->address_mask = dd_le64(p + 56);
    }
    struct annotation_sink k = {t, t->nannotations, 0, false};
    struct dd_error *err = dictionary_parse(&k, "crashpad", dd_le32(p + 36), dd_le32(p + 40));
    if (!err)
        err = crashpad_modules_parse(&k, dd_le32(p + 44), dd_le32(p + 48));
    return err;
}

static struct dd_error *assertion_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_ASSERTION_INFO);
    if (!s)
        return NULL;
    if (s->size < ASSERTION_INFO_SIZE) {
        mdmp_warn(t, "AssertionInfoStream: size 0x%llx is too small, ignored",
                  (unsigned long long)s->size);
        return NULL;
    }
    const uint8_t *p = t->file.data + s->offset;
    struct mdmp_assertion *a = &mdmp_impl(t)->assertion;
    a->present = true;
    a->expression = mdmp_utf16_dup(t, p, 128);
    a->function = mdmp_utf16_dup(t, p + 256, 128);
    a->file = mdmp_utf16_dup(t, p + 512, 128);
    a->line = dd_le32(p + 768);
    a->type = dd_le32(p + 772);
    char line[16], type[16];
    snprintf(line, sizeof(line), "%u", a->line);
    snprintf(type, sizeof(type), "%u", a->type);
    const char *line_s = dd_arena_strdup(&t->arena, line);
    const char *type_s = dd_arena_strdup(&t->arena, type);
    if (!a->expression || !a->function || !a->file || !line_s || !type_s)
        return &dd_error_no_memory;
    /* Breakpad writes this stream zeroed when no assertion happened: nothing to annotate. */
    if (!a->expression[0] && !a->function[0] && !a->file[0] && a->line == 0 && a->type == 0)
        return NULL;
    struct annotation_sink k = {t, t->nannotations, 0, false};
    const char *src = "breakpad:assertion";
    const char *keys[] = {"expression", "function", "file", "line", "type"};
    const char *values[] = {a->expression, a->function, a->file, line_s, type_s};
    for (size_t i = 0; i < 5; i++) {
        struct dd_error *err = annotation_add(&k, src, keys[i], values[i]);
        if (err)
            return err;
    }
    return NULL;
}

struct dd_error *mdmp_breakpad_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_BREAKPAD_INFO);
    if (s && s->size >= 12) {
        const uint8_t *p = t->file.data + s->offset;
        uint32_t validity = dd_le32(p);
        mdmp_impl(t)->breakpad_validity = validity;
        t->has_breakpad_info = true;
        if (validity & BREAKPAD_VALID_DUMP_THREAD)
            t->breakpad_dump_thread = dd_le32(p + 4);
        if (validity & BREAKPAD_VALID_REQUESTING_THREAD)
            t->breakpad_requesting_thread = dd_le32(p + 8);
    } else if (s) {
        mdmp_warn(t, "BreakpadInfoStream: size 0x%llx is too small, ignored",
                  (unsigned long long)s->size);
    }
    struct dd_error *err = assertion_parse(t);
    if (!err)
        err = crashpad_parse(t);
    return err;
}
