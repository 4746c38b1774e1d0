/* Exception directory (.pdata): PE Format, "The .pdata Section"; ARM64 and ARM entries and the
 * .xdata header as in Microsoft's "ARM64 exception handling" / "ARM exception handling". */
#include "pe/pe_pdata.h"

#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "pe/pe_internal.h"

/* A real table is far smaller (the largest DLLs have a few 100k functions). */
#define PDATA_MAX_ENTRIES (1u << 21)
#define PDATA_CHUNK 24576u /* a multiple of both entry sizes */
#define PDATA_GAP_PROBES 16u /* missing entries in a row before the rest of the page is skipped */

/* Packed ARM/ARM64 word: FunctionLength in bits 2..12, in units of 4 (ARM64) or 2 (ARM) bytes. */
#define PACKED_LENGTH(word) (((word) >> 2) & 0x7ffu)
/* .xdata header word: FunctionLength in bits 0..17, same units. */
#define XDATA_LENGTH(word) ((word) & 0x3ffffu)

static unsigned kind_entry_size(enum pe_pdata_kind kind)
{
    return kind == PE_PDATA_X64 ? 12u : 8u;
}

static unsigned kind_length_unit(enum pe_pdata_kind kind)
{
    return kind == PE_PDATA_ARM ? 2u : 4u;
}

/* Decodes one stored entry; returns false for an all-zero (padding) slot. */
static bool entry_decode(enum pe_pdata_kind kind, const uint8_t *p, uint32_t index,
                         struct pe_pdata_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->index = index;
    e->begin = dd_le32(p);
    if (kind == PE_PDATA_X64) {
        e->end = dd_le32(p + 4);
        e->unwind_rva = dd_le32(p + 8);
        e->unwind_data = e->unwind_rva;
        return e->begin || e->end || e->unwind_rva;
    }
    uint32_t w = dd_le32(p + 4);
    if (e->begin == 0 && w == 0)
        return false;
    if (kind == PE_PDATA_ARM)
        e->begin &= ~1u; /* the Thumb bit */
    e->unwind_data = w;
    e->flag = (uint8_t)(w & 3u);
    if (e->flag == PE_PDATA_FLAG_XDATA)
        e->unwind_rva = w;
    else if (e->flag != 3u) { /* 3 is reserved: length unknown */
        uint64_t end = e->begin + (uint64_t)PACKED_LENGTH(w) * kind_length_unit(kind);
        e->end = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
    }
    return true;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct pe_pdata_entry *x = a, *y = b;
    if (x->begin != y->begin)
        return x->begin < y->begin ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index);
}

static struct dd_error *pdata_load(struct pe_image *img, struct pe_pdata **ret)
{
    enum pe_pdata_kind kind;
    switch (img->hdr.machine) {
    case PE_MACHINE_AMD64:
        kind = PE_PDATA_X64;
        break;
    case PE_MACHINE_ARM64:
        kind = PE_PDATA_ARM64;
        break;
    case PE_MACHINE_ARMNT:
        kind = PE_PDATA_ARM;
        break;
    default:
        return dd_error_create(DD_ERR_NOT_FOUND,
                               "PE: machine 0x%x has no .pdata function table", img->hdr.machine);
    }
    struct pe_data_dir dir = pe_image_dir(img, PE_DIR_EXCEPTION);
    if (dir.rva == 0 || dir.size == 0)
        return dd_error_create(DD_ERR_NOT_FOUND, "PE: the image has no exception directory");
    unsigned esz = kind_entry_size(kind);
    size_t declared = dir.size / esz;
    if ((uint64_t)dir.rva + dir.size > img->rva_limit || declared > PDATA_MAX_ENTRIES)
        return dd_error_create(DD_ERR_FORMAT,
                               "PE: exception directory at RVA 0x%x, size 0x%x extends past end "
                               "of image (0x%x) or has too many entries",
                               dir.rva, dir.size, img->rva_limit);
    struct pe_pdata *t = dd_arena_calloc(&img->arena, 1, sizeof(*t));
    struct pe_pdata_entry *all = malloc((declared ? declared : 1) * sizeof(*all));
    uint8_t *buf = malloc(PDATA_CHUNK);
    if (!t || !all || !buf) {
        free(all);
        free(buf);
        return &dd_error_no_memory;
    }
    t->kind = kind;
    t->declared_count = declared;
    /* A dump may hold only some entries (those its writer's stack walk touched): take every
     * readable one and skip the missing ones. */
    size_t n = 0, run = 0;
    uint64_t total = (uint64_t)declared * esz, pos = 0;
    while (pos < total) {
        size_t want = total - pos < PDATA_CHUNK ? (size_t)(total - pos) : PDATA_CHUNK;
        size_t got = pe_image_read_rva(img, (uint32_t)(dir.rva + pos), buf, want);
        size_t whole = got / esz;
        for (size_t i = 0; i < whole; i++) {
            uint32_t index = (uint32_t)(pos / esz + i);
            if (entry_decode(kind, buf + i * esz, index, &all[n]))
                n++;
        }
        pos += (uint64_t)whole * esz;
        if (whole)
            run = 0;
        if (got < want) {
            /* Probe entry by entry after a gap; a long gap is skipped a page at a time. */
            uint64_t skip = esz;
            if (++run >= PDATA_GAP_PROBES) {
                uint64_t page_end = ((dir.rva + pos) | 0xfffu) + 1 - dir.rva;
                skip = (page_end - pos + esz - 1) / esz * esz;
            }
            if (skip > total - pos)
                skip = total - pos;
            pos += skip;
            t->missing += (size_t)((skip + esz - 1) / esz);
        }
    }
    free(buf);
    if (n == 0 && t->missing) {
        free(all);
        return pe_unavailable(img, dir.rva, dir.size, 0, "exception directory");
    }
    t->sorted_in_image = true;
    for (size_t i = 1; i < n; i++)
        if (all[i - 1].begin > all[i].begin) {
            t->sorted_in_image = false;
            break;
        }
    if (!t->sorted_in_image)
        qsort(all, n, sizeof(*all), entry_cmp);
    t->entries = dd_arena_calloc(&img->arena, n ? n : 1, sizeof(*t->entries));
    if (!t->entries) {
        free(all);
        return &dd_error_no_memory;
    }
    memcpy(t->entries, all, n * sizeof(*all));
    free(all);
    t->count = n;
    *ret = t;
    return NULL;
}

struct dd_error *pe_pdata_get(struct pe_image *img, const struct pe_pdata **ret)
{
    if (img->pdata_lazy.state == 2)
        return pe_lazy_replay(&img->pdata_lazy);
    if (img->pdata_lazy.state == 0) {
        struct pe_pdata *t = NULL;
        struct dd_error *err = pdata_load(img, &t);
        if (err)
            return pe_lazy_fail(img, &img->pdata_lazy, err);
        img->pdata = t;
        img->pdata_lazy.state = 1;
    }
    *ret = img->pdata;
    return NULL;
}

struct dd_error *pe_pdata_entry_end(const struct pe_image *img, enum pe_pdata_kind kind,
                                    const struct pe_pdata_entry *e, uint32_t *ret)
{
    if (kind == PE_PDATA_X64 || e->flag == PE_PDATA_FLAG_PACKED ||
        e->flag == PE_PDATA_FLAG_PACKED_FRAGMENT) {
        *ret = e->end;
        return NULL;
    }
    if (e->flag != PE_PDATA_FLAG_XDATA)
        return dd_error_create(DD_ERR_FORMAT,
                               "PE: .pdata entry %u (function at RVA 0x%x) has the reserved flag 3",
                               e->index, e->begin);
    uint8_t w[4];
    struct dd_error *err = pe_read_exact(img, e->unwind_rva, w, sizeof(w), ".xdata header");
    if (err)
        return err;
    uint64_t end = e->begin + (uint64_t)XDATA_LENGTH(dd_le32(w)) * kind_length_unit(kind);
    *ret = end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
    return NULL;
}

struct dd_error *pe_pdata_lookup(struct pe_image *img, uint32_t rva, struct pe_pdata_entry *ret)
{
    const struct pe_pdata *t;
    struct dd_error *err = pe_pdata_get(img, &t);
    if (err)
        return err;
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->entries[mid].begin <= rva)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return &dd_error_not_found;
    struct pe_pdata_entry e = t->entries[lo - 1];
    err = pe_pdata_entry_end(img, t->kind, &e, &e.end);
    if (err)
        return err;
    if (rva >= e.end)
        return &dd_error_not_found;
    *ret = e;
    return NULL;
}
