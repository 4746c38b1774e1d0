/*
 * Triage dumps: the loaded-driver list (DUMP_DRIVER_ENTRY32/64: a DUMP_STRING name offset and
 * a KLDR_DATA_TABLE_ENTRY copy, ntiodump.h) -> t->modules, and the unloaded-driver list (a
 * ULONG count, then DUMP_UNLOADED_DRIVERS32/64 with the name inline) -> t->unloaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "dump/kdmp/kdmp_internal.h"
#include "nt/kernel_names.h"

/* DUMP_DRIVER_ENTRY64: DriverNameOffset, alignment, KLDR_DATA_TABLE_ENTRY64 at +8. */
#define DRV64_SIZE 0x90u
#define DRV64_BASE 0x38u       /* LdrEntry.DllBase */
#define DRV64_IMAGE_SIZE 0x48u /* LdrEntry.SizeOfImage */
#define DRV64_CHECKSUM 0x80u
#define DRV64_TIMESTAMP 0x88u
/* DUMP_DRIVER_ENTRY32: DriverNameOffset, KLDR_DATA_TABLE_ENTRY32 at +4. */
#define DRV32_SIZE 0x4cu
#define DRV32_BASE 0x1cu
#define DRV32_IMAGE_SIZE 0x24u
#define DRV32_CHECKSUM 0x44u
#define DRV32_TIMESTAMP 0x48u

/* DUMP_UNLOADED_DRIVERS64/32: UNICODE_STRING, WCHAR[12] name, start, end. */
#define UNL64_SIZE 56u
#define UNL32_SIZE 40u
#define UNLOADED_NAME_BYTES 24u /* MAX_UNLOADED_NAME_LENGTH */

/* Longest DUMP_STRING decoded, in UTF-16 units. */
#define KDMP_NAME_MAX_UNITS 32768u

/* Decodes N UTF-16LE units at P (stopping at a NUL) into the arena; NULL when out of memory. */
static const char *utf16_dup(struct target *t, const uint8_t *p, size_t n)
{
    size_t len = 0;
    while (len < n && (p[2 * len] | p[2 * len + 1]) != 0)
        len++;
    char *tmp = dd_utf16_to_utf8(p, len);
    if (!tmp)
        return NULL;
    const char *s = dd_arena_strdup(&t->arena, tmp);
    free(tmp);
    return s;
}

/* The DUMP_STRING (ULONG length in characters, then UTF-16) at OFFSET, or NULL when unreadable. */
static const char *dump_string(struct target *t, uint64_t offset)
{
    const uint8_t *p = offset ? kdmp_file_range(t, offset, 4) : NULL;
    if (!p)
        return NULL;
    uint32_t units = dd_le32(p);
    if (units > KDMP_NAME_MAX_UNITS)
        units = KDMP_NAME_MAX_UNITS;
    const uint8_t *s = kdmp_file_range(t, offset + 4, (uint64_t)units * 2);
    return s ? utf16_dup(t, s, units) : NULL;
}

/* The module name WinDbg shows: the file name without its extension. */
static const char *module_name(struct target *t, const char *path, uint64_t base)
{
    if (!path) {
        char buf[48];
        snprintf(buf, sizeof(buf), "Unknown_Module_%016llx", (unsigned long long)base);
        return dd_arena_strdup(&t->arena, buf);
    }
    const char *b = dd_path_basename(path);
    /* The kernel image is module "nt" whichever build it is (nt!KeBugCheckEx in every kd
     * transcript), as the debugger names it. */
    if (nt_kernel_file_name(b, strlen(b)))
        return "nt";
    const char *dot = strrchr(b, '.');
    return dd_arena_strndup(&t->arena, b, dot && dot != b ? (size_t)(dot - b) : strlen(b));
}

static int module_cmp(const void *a, const void *b)
{
    const struct target_module *x = a, *y = b;
    return x->base < y->base ? -1 : x->base > y->base;
}

static struct dd_error *parse_loaded(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    const struct kdmp_triage *tr = &f->triage;
    bool is64 = f->hdr.is64;
    uint32_t esize = is64 ? DRV64_SIZE : DRV32_SIZE;
    uint64_t count = tr->driver_count;
    if (!tr->driver_list_offset || !count)
        return NULL;
    if (count > t->file.size / esize ||
        !kdmp_file_range(t, tr->driver_list_offset, count * esize)) {
        kdmp_warn(t, "triage driver list (%llu entries at 0x%x) runs past the end of the file",
                  (unsigned long long)count, tr->driver_list_offset);
        count = tr->driver_list_offset < t->file.size
                    ? (t->file.size - tr->driver_list_offset) / esize
                    : 0;
        if (!count)
            return NULL;
    }
    t->modules = dd_arena_calloc(&t->arena, (size_t)count, sizeof(*t->modules));
    if (!t->modules)
        return &dd_error_no_memory;
    const uint8_t *p = t->file.data + tr->driver_list_offset;
    for (uint64_t i = 0; i < count; i++, p += esize) {
        struct target_module *m = &t->modules[t->nmodules];
        if (is64) {
            m->base = dd_le64(p + DRV64_BASE);
            m->size = dd_le32(p + DRV64_IMAGE_SIZE);
            m->checksum = dd_le32(p + DRV64_CHECKSUM);
            m->timestamp = dd_le32(p + DRV64_TIMESTAMP);
        } else {
            m->base = dd_le32(p + DRV32_BASE);
            m->size = dd_le32(p + DRV32_IMAGE_SIZE);
            m->checksum = dd_le32(p + DRV32_CHECKSUM);
            m->timestamp = dd_le32(p + DRV32_TIMESTAMP);
        }
        if (m->base + m->size < m->base) {
            kdmp_warn(t, "triage driver %llu: image at 0x%llx wraps the address space; skipped",
                      (unsigned long long)i, (unsigned long long)m->base);
            continue;
        }
        const char *path = dump_string(t, dd_le32(p));
        m->path = path ? path : "<name unavailable>";
        m->name = module_name(t, path, m->base);
        if (!m->name)
            return &dd_error_no_memory;
        t->nmodules++;
    }
    qsort(t->modules, t->nmodules, sizeof(*t->modules), module_cmp);
    return NULL;
}

static struct dd_error *parse_unloaded(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    const struct kdmp_triage *tr = &f->triage;
    bool is64 = f->hdr.is64;
    const uint8_t *p =
        tr->unloaded_drivers_offset ? kdmp_file_range(t, tr->unloaded_drivers_offset, 4) : NULL;
    if (!p)
        return NULL;
    uint64_t count = dd_le32(p);
    uint32_t esize = is64 ? UNL64_SIZE : UNL32_SIZE;
    /* The entries follow the ULONG count at the structure's alignment. */
    uint64_t first = (uint64_t)tr->unloaded_drivers_offset + (is64 ? 8 : 4);
    if (count > t->file.size / esize || !kdmp_file_range(t, first, count * esize)) {
        kdmp_warn(t, "triage unloaded driver list (%llu entries) runs past the end of the file",
                  (unsigned long long)count);
        return NULL;
    }
    if (!count)
        return NULL;
    t->unloaded = dd_arena_calloc(&t->arena, (size_t)count, sizeof(*t->unloaded));
    if (!t->unloaded)
        return &dd_error_no_memory;
    const uint8_t *e = t->file.data + first;
    for (uint64_t i = 0; i < count; i++, e += esize) {
        struct target_unloaded_module *u = &t->unloaded[t->nunloaded++];
        /* UNICODE_STRING.Length is in bytes; the name lives in the inline WCHAR[12]. */
        uint32_t name_bytes = dd_le16(e);
        const uint8_t *name = e + (is64 ? 16 : 8);
        const uint8_t *range = name + UNLOADED_NAME_BYTES;
        if (name_bytes > UNLOADED_NAME_BYTES)
            name_bytes = UNLOADED_NAME_BYTES;
        u->name = utf16_dup(t, name, name_bytes / 2);
        if (!u->name)
            return &dd_error_no_memory;
        uint64_t start = is64 ? dd_le64(range) : dd_le32(range);
        uint64_t end = is64 ? dd_le64(range + 8) : dd_le32(range + 4);
        u->base = start;
        u->size = end > start ? end - start : 0;
    }
    return NULL;
}

/* Does the PDB file NAME belong to module M? Its stem is the image's ("amdppm.pdb" for
 * amdppm.sys), or, for the kernel, one of the kernel PDB names. */
static bool pdb_matches_module(const struct target_module *m, const char *name, size_t len)
{
    const char *b = name;
    for (size_t i = 0; i < len; i++)
        if (name[i] == '\\' || name[i] == '/')
            b = name + i + 1;
    size_t blen = (size_t)(name + len - b);
    if (blen < 5 || dd_strncasecmp(b + blen - 4, ".pdb", 4) != 0)
        return false;
    blen -= 4;
    if (strcmp(m->name, "nt") == 0)
        return nt_kernel_file_name(b, blen);
    return strlen(m->name) == blen && dd_strncasecmp(b, m->name, blen) == 0;
}

/*
 * A triage dump keeps only the first bytes of each driver's headers, too few to reach its debug
 * directory, but the data blocks often hold the page with its CodeView record (the debugger
 * would fetch the image instead). Take an RSDS record found in the module's captured memory when
 * its PDB name is the module's and it is the only such record (CV_INFO_PDB70: "RSDS", GUID,
 * age, NUL-terminated UTF-8 path).
 */
static void recover_codeview(struct target *t)
{
    /* How many matching records each module has: only a single one is believed. */
    unsigned *found = calloc(t->nmodules ? t->nmodules : 1, sizeof(*found));
    if (!found)
        return;
    for (size_t r = 0; r < t->memory.count; r++) {
        const struct dd_memrange *mr = &t->memory.ranges[r];
        const struct target_module *tm = target_module_by_addr(t, mr->base);
        if (!tm || tm->cv_kind != TARGET_CV_NONE)
            continue;
        size_t mi = (size_t)(tm - t->modules);
        struct target_module *m = &t->modules[mi];
        const uint8_t *p = mr->data, *end = mr->data + mr->size;
        while (end - p >= 25) {
            const uint8_t *rec = memchr(p, 'R', (size_t)(end - p) - 24);
            if (!rec)
                break;
            p = rec + 1;
            if (memcmp(rec, "RSDS", 4) != 0)
                continue;
            const char *name = (const char *)rec + 24;
            size_t max = (size_t)(end - (const uint8_t *)name);
            size_t len = strnlen(name, max < 260 ? max : 260);
            if (len == 0 || len == max || len == 260 || !pdb_matches_module(m, name, len))
                continue;
            if (found[mi]++ == 0) {
                memcpy(m->pdb_guid, rec + 4, 16);
                m->pdb_age = dd_le32(rec + 20);
                m->pdb_name = dd_arena_strndup(&t->arena, name, len);
            }
        }
    }
    for (size_t i = 0; i < t->nmodules; i++) {
        if (found[i] == 1 && t->modules[i].pdb_name)
            t->modules[i].cv_kind = TARGET_CV_RSDS;
        else if (found[i])
            t->modules[i].pdb_name = NULL; /* two different records: keep neither */
    }
    free(found);
}

struct dd_error *kdmp_drivers_parse(struct target *t)
{
    struct dd_error *err = parse_loaded(t);
    if (err)
        return err;
    recover_codeview(t);
    return parse_unloaded(t);
}
