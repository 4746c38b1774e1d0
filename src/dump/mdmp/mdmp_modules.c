/* ModuleListStream (+ CodeView records), UnloadedModuleListStream, Wine's 0xFFF0 list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "dump/mdmp/mdmp_internal.h"

#define MODULE_SIZE 108u         /* MINIDUMP_MODULE */
#define UNLOADED_MODULE_SIZE 24u /* MINIDUMP_UNLOADED_MODULE */
#define VS_FFI_SIGNATURE 0xfeef04bdu
#define CV_RSDS 0x53445352u /* "RSDS": PDB 7.0 (GUID + age) */
#define CV_NB10 0x3031424eu /* "NB10": PDB 2.0 (signature + age) */
#define PDB_NAME_MAX 1024u

/* CodeView record at LOC (CV_INFO_PDB70 / CV_INFO_PDB20). Bad records are skipped with a warning.
 */
static struct dd_error *codeview_parse(struct target *t, struct target_module *m, uint32_t size,
                                       uint32_t rva)
{
    if (size == 0)
        return NULL;
    const uint8_t *p = mdmp_file_range(t, rva, size);
    if (!p || size < 4) {
        mdmp_warn(t, "module %s: CodeView record at rva 0x%x, size 0x%x is outside the file",
                  m->path, rva, size);
        return NULL;
    }
    uint32_t sig = dd_le32(p);
    size_t name_off;
    if (sig == CV_RSDS && size >= 24) {
        m->cv_kind = TARGET_CV_RSDS;
        memcpy(m->pdb_guid, p + 4, 16);
        m->pdb_age = dd_le32(p + 20);
        name_off = 24;
    } else if (sig == CV_NB10 && size >= 16) {
        m->cv_kind = TARGET_CV_NB10;
        m->pdb_signature = dd_le32(p + 8);
        m->pdb_age = dd_le32(p + 12);
        name_off = 16;
    } else {
        return NULL; /* other CodeView flavours (NB09, NB11...) carry no PDB identity */
    }
    size_t n = size - name_off;
    if (n > PDB_NAME_MAX) {
        if (!memchr(p + name_off, 0, PDB_NAME_MAX))
            mdmp_warn(t, "module %s: CodeView PDB name at rva 0x%x cut to its first %u bytes",
                      m->path, rva, PDB_NAME_MAX);
        n = PDB_NAME_MAX;
    }
    m->pdb_name = mdmp_text_dup(t, p + name_off, n);
    return m->pdb_name ? NULL : &dd_error_no_memory;
}

/*
 * The name WinDbg gives a module: file name without directory and extension,
 * with characters that cannot appear in a symbol name ("api-ms-win-core-l1-1-0",
 * "System.ni") turned into '_'.
 */
static const char *module_display_name(struct target *t, const char *path, uint64_t base)
{
    const char *file = dd_path_basename(path);
    size_t len = strlen(file);
    const char *dot = strrchr(file, '.');
    if (dot && dot != file)
        len = (size_t)(dot - file);
    if (len == 0) {
        char buf[32];
        snprintf(buf, sizeof(buf), "unknown_%llx", (unsigned long long)base);
        return dd_arena_strdup(&t->arena, buf);
    }
    char *name = dd_arena_strndup(&t->arena, file, len);
    if (!name)
        return NULL;
    for (char *c = name; *c; c++) {
        unsigned char u = (unsigned char)*c;
        bool ok = u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') ||
                  (u >= 'A' && u <= 'Z') || u == '_';
        if (!ok)
            *c = '_';
    }
    return name;
}

/* Reads a MINIDUMP_MODULE_LIST stream (ModuleList layout) into an arena array. */
static struct dd_error *module_list_read(struct target *t, const struct target_stream *s,
                                         struct target_module **ret, size_t *ret_count)
{
    if (s->size < 4)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "%s at offset 0x%llx: size 0x%llx has no "
                           "room for the module count",
                           s->name, (unsigned long long)s->offset, (unsigned long long)s->size);
    const uint8_t *p = t->file.data + s->offset;
    uint32_t count = dd_le32(p);
    /* Some writers pad the count to 8 bytes. */
    uint64_t start = 4;
    if (s->size >= 8 && count <= (s->size - 8) / MODULE_SIZE &&
        8 + (uint64_t)count * MODULE_SIZE == s->size)
        start = 8;
    struct dd_error *err = mdmp_list_check(s, start, count, MODULE_SIZE);
    if (err)
        return err;
    struct target_module *mods = NULL;
    if (count) {
        mods = dd_arena_calloc(&t->arena, count, sizeof(*mods));
        if (!mods)
            return &dd_error_no_memory;
    }
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = p + start + (uint64_t)i * MODULE_SIZE;
        struct target_module *m = &mods[i];
        m->base = dd_le64(e);
        m->size = dd_le32(e + 8);
        m->checksum = dd_le32(e + 12);
        m->timestamp = dd_le32(e + 16);
        uint32_t name_rva = dd_le32(e + 20);
        err = mdmp_string_utf16_at(t, name_rva, &m->path);
        if (err)
            return err;
        if (!m->path) {
            mdmp_warn(t, "module at 0x%llx: name at rva 0x%x is unavailable",
                      (unsigned long long)m->base, name_rva);
            m->path = MDMP_NAME_UNAVAILABLE;
            m->name = module_display_name(t, "", m->base);
        } else {
            m->name = module_display_name(t, m->path, m->base);
        }
        if (!m->name)
            return &dd_error_no_memory;
        struct target_version_info *v = &m->version;
        uint32_t *fields[] = {&v->signature,       &v->struct_version,     &v->file_version_ms,
                              &v->file_version_ls, &v->product_version_ms, &v->product_version_ls,
                              &v->file_flags_mask, &v->file_flags,         &v->file_os,
                              &v->file_type,       &v->file_subtype,       &v->file_date_ms,
                              &v->file_date_ls};
        for (size_t k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
            *fields[k] = dd_le32(e + 24 + 4 * k);
        m->has_version = v->signature == VS_FFI_SIGNATURE;
        err = codeview_parse(t, m, dd_le32(e + 76), dd_le32(e + 80));
        if (err)
            return err;
    }
    *ret = mods;
    *ret_count = count;
    return NULL;
}

struct name_slot {
    const char *name;
    size_t index;
};

static int name_slot_cmp(const void *a, const void *b)
{
    const struct name_slot *x = a, *y = b;
    int c = dd_strcasecmp(x->name, y->name);
    if (c)
        return c;
    return x->index < y->index ? -1 : (x->index > y->index);
}

/* WinDbg keeps the first module of a name and calls later ones "<name>_<base>". */
static struct dd_error *module_names_dedup(struct target *t)
{
    if (t->nmodules < 2)
        return NULL;
    struct name_slot *slots = malloc(t->nmodules * sizeof(*slots));
    if (!slots)
        return &dd_error_no_memory;
    for (size_t i = 0; i < t->nmodules; i++) {
        slots[i].name = t->modules[i].name;
        slots[i].index = i;
    }
    qsort(slots, t->nmodules, sizeof(*slots), name_slot_cmp);
    for (size_t i = 1; i < t->nmodules; i++) {
        if (dd_strcasecmp(slots[i].name, slots[i - 1].name) != 0)
            continue;
        struct target_module *m = &t->modules[slots[i].index];
        char buf[40];
        snprintf(buf, sizeof(buf), "_%08llx", (unsigned long long)m->base);
        size_t len = strlen(m->name);
        char *name = dd_arena_alloc(&t->arena, len + strlen(buf) + 1);
        if (!name) {
            free(slots);
            return &dd_error_no_memory;
        }
        memcpy(name, m->name, len);
        strcpy(name + len, buf);
        m->name = name;
    }
    free(slots);
    return NULL;
}

/* MINIDUMP_UNLOADED_MODULE_LIST: u32 SizeOfHeader, SizeOfEntry, NumberOfEntries. */
static struct dd_error *unloaded_parse(struct target *t)
{
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_UNLOADED_MODULE_LIST);
    if (!s)
        return NULL;
    if (s->size < 12)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "UnloadedModuleListStream at offset "
                           "0x%llx: size 0x%llx is smaller than its 12-byte header",
                           (unsigned long long)s->offset, (unsigned long long)s->size);
    const uint8_t *p = t->file.data + s->offset;
    uint32_t hsize = dd_le32(p), esize = dd_le32(p + 4), count = dd_le32(p + 8);
    if (hsize < 12 || esize < UNLOADED_MODULE_SIZE)
        return dd_error_at(DD_ERR_FORMAT, s->offset,
                           "UnloadedModuleListStream at offset "
                           "0x%llx: header size %u / entry size %u are smaller than the 12 / "
                           "%u bytes of the format",
                           (unsigned long long)s->offset, hsize, esize, UNLOADED_MODULE_SIZE);
    struct dd_error *err = mdmp_list_check(s, hsize, count, esize);
    if (err || count == 0)
        return err;
    t->unloaded = dd_arena_calloc(&t->arena, count, sizeof(*t->unloaded));
    if (!t->unloaded)
        return &dd_error_no_memory;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = p + hsize + (uint64_t)i * esize;
        struct target_unloaded_module *u = &t->unloaded[i];
        u->base = dd_le64(e);
        u->size = dd_le32(e + 8);
        u->checksum = dd_le32(e + 12);
        u->timestamp = dd_le32(e + 16);
        uint32_t name_rva = dd_le32(e + 20);
        err = mdmp_string_utf16_at(t, name_rva, &u->name);
        if (err)
            return err;
        if (!u->name) {
            mdmp_warn(t, "unloaded module at 0x%llx: name at rva 0x%x is unavailable",
                      (unsigned long long)u->base, name_rva);
            u->name = MDMP_NAME_UNAVAILABLE;
        }
    }
    t->nunloaded = count;
    return NULL;
}

struct dd_error *mdmp_modules_parse(struct target *t)
{
    struct dd_error *err;
    const struct target_stream *s = mdmp_stream_find(t, MDMP_STREAM_MODULE_LIST);
    if (s) {
        err = module_list_read(t, s, &t->modules, &t->nmodules);
        if (!err)
            err = module_names_dedup(t);
        if (err)
            return err;
        /* Writers list the process image first; `|` names it (before sorting by base). */
        if (t->nmodules)
            t->main_image_path = t->modules[0].path;
    }
    s = mdmp_stream_find(t, MDMP_STREAM_WINE_HOST_MODULES);
    if (s) {
        struct mdmp_file *f = mdmp_impl(t);
        err = module_list_read(t, s, &f->wine_host_modules, &f->nwine_host_modules);
        if (err)
            return err;
    }
    return unloaded_parse(t);
}

static int module_base_cmp(const void *a, const void *b)
{
    const struct target_module *x = a, *y = b;
    if (x->base != y->base)
        return x->base < y->base ? -1 : 1;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return strcmp(x->name, y->name);
}

void mdmp_modules_sort(struct target *t)
{
    if (t->nmodules > 1)
        qsort(t->modules, t->nmodules, sizeof(*t->modules), module_base_cmp);
}
