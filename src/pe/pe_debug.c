/* Debug directory entries and the CodeView record (PE Format, "Debug Directory (Image Only)";
 * CV_INFO_PDB70/CV_INFO_PDB20 as in Microsoft's cvinfo.h / Wikipedia "Program database"). */
#include "pe/pe_debug.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "pe/pe_internal.h"

#define DEBUG_ENTRY_SIZE 28u
#define DEBUG_MAX_ENTRIES 4096u
#define CV_RSDS 0x53445352u /* "RSDS" */
#define CV_NB10 0x3031424eu /* "NB10" */
#define CV_RSDS_HEADER 24u  /* signature, GUID, age */
#define CV_NB10_HEADER 16u  /* signature, offset, signature, age */
#define CV_PATH_MAX 1024u

/* Reads an entry's data: by RVA, or in a file by PointerToRawData when it is not mapped. */
static size_t entry_data_read(const struct pe_image *img, const struct pe_debug_entry *e,
                              uint8_t *buf, size_t len)
{
    size_t got = e->rva ? pe_image_read_rva(img, e->rva, buf, len) : 0;
    if (got == 0 && img->layout == PE_LAYOUT_FILE && e->file_offset)
        got = pe_read_file_offset(img, e->file_offset, buf, len);
    return got;
}

/* Decodes the CodeView record of E into CV; a short or unknown record leaves CV untouched. */
static struct dd_error *codeview_read(struct pe_image *img, const struct pe_debug_entry *e,
                                      struct pe_codeview *cv)
{
    uint8_t rec[CV_RSDS_HEADER + CV_PATH_MAX];
    size_t want = e->size < sizeof(rec) ? e->size : sizeof(rec);
    size_t got = entry_data_read(img, e, rec, want);
    if (got < 4)
        return NULL;
    uint32_t sig = dd_le32(rec);
    size_t path_at;
    struct pe_codeview c = {PE_CV_NONE, {0}, 0, 0, NULL};
    if (sig == CV_RSDS && got >= CV_RSDS_HEADER) {
        c.kind = PE_CV_RSDS;
        memcpy(c.guid, rec + 4, 16);
        c.age = dd_le32(rec + 20);
        path_at = CV_RSDS_HEADER;
    } else if (sig == CV_NB10 && got >= CV_NB10_HEADER) {
        c.kind = PE_CV_NB10;
        c.signature = dd_le32(rec + 8);
        c.age = dd_le32(rec + 12);
        path_at = CV_NB10_HEADER;
    } else {
        return NULL; /* NB09/NB11 (CodeView in the image) or a cut record: no PDB identity */
    }
    const uint8_t *path = rec + path_at;
    size_t n = got - path_at;
    const uint8_t *nul = memchr(path, '\0', n);
    if (nul)
        n = (size_t)(nul - path);
    c.pdb_path = dd_arena_strndup(&img->arena, (const char *)path, n);
    if (!c.pdb_path)
        return &dd_error_no_memory;
    *cv = c;
    return NULL;
}

static struct dd_error *debug_parse(struct pe_image *img, struct pe_debug_info **ret)
{
    struct pe_data_dir dir = pe_image_dir(img, PE_DIR_DEBUG);
    if (dir.rva == 0 || dir.size == 0)
        return dd_error_create(DD_ERR_NOT_FOUND, "PE: the image has no debug directory");
    size_t count = dir.size / DEBUG_ENTRY_SIZE;
    if (count > DEBUG_MAX_ENTRIES || dir.size > img->rva_limit)
        return dd_error_create(DD_ERR_FORMAT,
                               "PE: debug directory at RVA 0x%x has size 0x%x (%zu entries; at most "
                               "%u are accepted)",
                               dir.rva, dir.size, count, DEBUG_MAX_ENTRIES);
    uint8_t *raw;
    struct dd_error *err =
        pe_read_alloc(img, dir.rva, count * DEBUG_ENTRY_SIZE, "debug directory", &raw);
    if (err)
        return err;
    struct pe_debug_info *info = dd_arena_calloc(&img->arena, 1, sizeof(*info));
    if (info && count)
        info->entries = dd_arena_calloc(&img->arena, count, sizeof(*info->entries));
    if (!info || (count && !info->entries)) {
        free(raw);
        return &dd_error_no_memory;
    }
    info->count = count;
    for (size_t i = 0; i < count && !err; i++) {
        const uint8_t *p = raw + i * DEBUG_ENTRY_SIZE;
        struct pe_debug_entry *e = &info->entries[i];
        e->characteristics = dd_le32(p);
        e->timestamp = dd_le32(p + 4);
        e->major_version = dd_le16(p + 8);
        e->minor_version = dd_le16(p + 10);
        e->type = dd_le32(p + 12);
        e->size = dd_le32(p + 16);
        e->rva = dd_le32(p + 20);
        e->file_offset = dd_le32(p + 24);
        switch (e->type) {
        case PE_DEBUG_TYPE_CODEVIEW:
            if (info->codeview.kind == PE_CV_NONE)
                err = codeview_read(img, e, &info->codeview);
            break;
        case PE_DEBUG_TYPE_REPRO:
            info->has_repro = true;
            info->repro_size = e->size;
            break;
        case PE_DEBUG_TYPE_POGO: {
            info->has_pogo = true;
            uint8_t sig[4];
            if (e->size >= 4 && entry_data_read(img, e, sig, 4) == 4)
                info->pogo_signature = dd_le32(sig);
            break;
        }
        default:
            break;
        }
    }
    free(raw);
    if (err)
        return err;
    *ret = info;
    return NULL;
}

struct dd_error *pe_debug_get(struct pe_image *img, const struct pe_debug_info **ret)
{
    if (img->debug_lazy.state == 2)
        return pe_lazy_replay(&img->debug_lazy);
    if (img->debug_lazy.state == 0) {
        struct pe_debug_info *info = NULL;
        struct dd_error *err = debug_parse(img, &info);
        if (err)
            return pe_lazy_fail(img, &img->debug_lazy, err);
        img->debug = info;
        img->debug_lazy.state = 1;
    }
    *ret = img->debug;
    return NULL;
}

const char *pe_debug_type_name(uint32_t type)
{
    static const char *const names[] = {
        [0] = "Unknown",          [1] = "COFF",       [2] = "CodeView",
        [3] = "FPO",              [4] = "Misc",       [5] = "Exception",
        [6] = "Fixup",            [7] = "OmapToSrc",  [8] = "OmapFromSrc",
        [9] = "Borland",          [10] = "Reserved10", [11] = "CLSID",
        [12] = "VCFeature",       [13] = "POGO",      [14] = "ILTCG",
        [15] = "MPX",             [16] = "Repro",     [17] = "EmbeddedPortablePdb",
        [19] = "PdbChecksum",     [20] = "ExtendedDllCharacteristics",
    };
    if (type < sizeof(names) / sizeof(names[0]))
        return names[type];
    return NULL;
}

/* GUID in textual order: Data1 (u32), Data2, Data3 (u16) little-endian, then Data4 bytes. */
static void guid_hex(char *out, const uint8_t g[16], bool dashes)
{
    int n = sprintf(out, "%08X", (unsigned)dd_le32(g));
    n += sprintf(out + n, dashes ? "-%04X-%04X-" : "%04X%04X", dd_le16(g + 4), dd_le16(g + 6));
    for (int i = 8; i < 16; i++) {
        if (dashes && i == 10)
            out[n++] = '-';
        n += sprintf(out + n, "%02X", g[i]);
    }
}

char *pe_pdb_key_format(char buf[PE_KEY_MAX], const uint8_t guid[16], uint32_t age)
{
    guid_hex(buf, guid, false);
    snprintf(buf + 32, PE_KEY_MAX - 32, "%X", (unsigned)age);
    return buf;
}

char *pe_nb10_key_format(char buf[PE_KEY_MAX], uint32_t signature, uint32_t age)
{
    snprintf(buf, PE_KEY_MAX, "%08X%X", (unsigned)signature, (unsigned)age);
    return buf;
}

char *pe_codeview_key_format(char buf[PE_KEY_MAX], const struct pe_codeview *cv)
{
    if (cv->kind == PE_CV_RSDS)
        return pe_pdb_key_format(buf, cv->guid, cv->age);
    if (cv->kind == PE_CV_NB10)
        return pe_nb10_key_format(buf, cv->signature, cv->age);
    return NULL;
}

char *pe_image_key_format(char buf[PE_KEY_MAX], uint32_t timestamp, uint32_t size_of_image)
{
    snprintf(buf, PE_KEY_MAX, "%08X%x", (unsigned)timestamp, (unsigned)size_of_image);
    return buf;
}

char *pe_guid_format(char buf[PE_GUID_TEXT_MAX], const uint8_t guid[16])
{
    buf[0] = '{';
    guid_hex(buf + 1, guid, true);
    buf[37] = '}';
    buf[38] = '\0';
    return buf;
}
