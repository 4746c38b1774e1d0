/*
 * Bitmap dumps: after the header comes a page bitmap (bit N set: physical page N is stored),
 * then the stored pages in page-number order. Opening never reads a page: it counts the set
 * bits once into a rank table (set bits before each 512-page block), so a page's file offset
 * is HeaderSize + 4 KB * (set bits before it) at the cost of at most 8 popcounts.
 *
 * Layouts of the bitmap header (the first three self-consistent one wins):
 *   Vista+ 64-bit (kdmp-parser BMP_HEADER64, rizin dmp_bmp_header): 'SDMP'/'FDMP', 'DUMP',
 *     FirstPage u64 @0x20, TotalPresentPages u64 @0x28, Pages (bitmap bits) u64 @0x30, bits @0x38.
 *   SUMMARY_DUMP32 (ntiodump.h): DumpOptions @8, HeaderSize @0xc, BitmapSize @0x10, Pages @0x14,
 *     RTL_BITMAP {SizeOfBitMap, _reserved0, Buffer} @0x18: bits @0x20.
 *   SUMMARY_DUMP64 (ntiodump.h, DumpType 2): as SUMMARY_DUMP32 with a ULONG64 _reserved0, bits
 * @0x28.
 */
#include <stdlib.h>

#include "dump/kdmp/kdmp_internal.h"

#define KDMP_RANK_BLOCK_BITS 512u /* pages per rank entry: 8 words */

enum bitmap_layout { LAYOUT_VISTA, LAYOUT_SUMMARY32, LAYOUT_SUMMARY64 };

/* Word I of the bitmap (bits 64*I..), with bits past nbits cleared. */
static uint64_t bitmap_word(const struct kdmp_bitmap *b, uint64_t i)
{
    uint64_t nbytes = (b->nbits + 7) / 8, start = i * 8;
    uint64_t w;
    if (start + 8 <= nbytes) {
        w = dd_le64(b->bits + start);
    } else {
        w = 0;
        for (uint64_t k = 0; start + k < nbytes; k++)
            w |= (uint64_t)b->bits[start + k] << (8 * k);
    }
    uint64_t first_bit = i * 64;
    if (first_bit + 64 > b->nbits)
        w &= (b->nbits - first_bit >= 64) ? ~UINT64_C(0)
                                          : ((UINT64_C(1) << (b->nbits - first_bit)) - 1);
    return w;
}

/* Reads the header fields for LAYOUT at file offset BASE; false when they cannot be right. */
static bool try_layout(struct target *t, uint64_t base, enum bitmap_layout layout,
                       struct kdmp_bitmap *ret)
{
    const uint8_t *p = kdmp_file_range(t, base, 0x38);
    if (!p)
        return false;
    struct kdmp_bitmap b = {0};
    uint64_t bits_at;
    b.signature = dd_le32(p);
    if (layout == LAYOUT_VISTA) {
        b.first_page_offset = dd_le64(p + 0x20);
        b.header_pages = dd_le64(p + 0x28);
        b.nbits = dd_le64(p + 0x30);
        bits_at = base + 0x38;
    } else {
        b.dump_options = dd_le32(p + 8);
        b.first_page_offset = dd_le32(p + 0xc);
        b.nbits = dd_le32(p + 0x10);
        b.header_pages = dd_le32(p + 0x14);
        bits_at = base + (layout == LAYOUT_SUMMARY32 ? 0x20 : 0x28);
    }
    /* The bitmap must be in the file and end before the first page. */
    uint64_t nbytes = (b.nbits + 7) / 8, bits_end;
    if (b.nbits == 0 || b.nbits > 8 * (uint64_t)t->file.size ||
        b.first_page_offset > (UINT64_C(1) << 62) ||
        dd_add_overflows(bits_at, nbytes, t->file.size, &bits_end) ||
        b.first_page_offset < bits_end)
        return false;
    b.bits = t->file.data + bits_at;
    *ret = b;
    return true;
}

/* Counts the set bits into the rank table. */
static struct dd_error *bitmap_index(struct kdmp_bitmap *b)
{
    uint64_t nwords = (b->nbits + 63) / 64;
    b->nrank = (size_t)((b->nbits + KDMP_RANK_BLOCK_BITS - 1) / KDMP_RANK_BLOCK_BITS);
    b->rank = malloc(b->nrank * sizeof(*b->rank));
    if (!b->rank)
        return &dd_error_no_memory;
    uint64_t count = 0;
    for (uint64_t i = 0; i < nwords; i++) {
        if (i % (KDMP_RANK_BLOCK_BITS / 64) == 0)
            b->rank[i / (KDMP_RANK_BLOCK_BITS / 64)] = count;
        count += (uint64_t)__builtin_popcountll(bitmap_word(b, i));
    }
    b->present_pages = count;
    return NULL;
}

struct dd_error *kdmp_bitmap_parse(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    const struct kdmp_header *h = &f->hdr;
    uint64_t base = h->header_size;
    const uint8_t *p = kdmp_file_range(t, base, 8);
    if (!p)
        return dd_error_at(DD_ERR_FORMAT, base, "bitmap dump header missing (file ends at 0x%zx)",
                           t->file.size);
    uint32_t sig = dd_le32(p);
    if ((sig != KDMP_SIG_SDMP && sig != KDMP_SIG_FDMP) || dd_le32(p + 4) != KDMP_SIG_DUMP)
        return dd_error_at(DD_ERR_FORMAT, base,
                           "DumpType %u without an SDMP/FDMP bitmap header at 0x%llx", h->dump_type,
                           (unsigned long long)base);
    enum bitmap_layout order[3];
    if (h->is64 && h->dump_type == KDMP_TYPE_SUMMARY)
        order[0] = LAYOUT_SUMMARY64, order[1] = LAYOUT_VISTA, order[2] = LAYOUT_SUMMARY32;
    else if (h->is64)
        order[0] = LAYOUT_VISTA, order[1] = LAYOUT_SUMMARY64, order[2] = LAYOUT_SUMMARY32;
    else
        order[0] = LAYOUT_SUMMARY32, order[1] = LAYOUT_VISTA, order[2] = LAYOUT_SUMMARY64;
    struct kdmp_bitmap b;
    bool ok = false;
    for (unsigned i = 0; i < 3 && !ok; i++)
        ok = try_layout(t, base, order[i], &b);
    if (!ok)
        return dd_error_at(DD_ERR_FORMAT, base,
                           "bitmap dump header: the page bitmap size or first page offset is "
                           "impossible for a 0x%zx-byte file",
                           t->file.size);
    struct dd_error *err = bitmap_index(&b);
    if (err)
        return err;
    f->bitmap = b;
    f->memory = KDMP_MEMORY_BITMAP;
    if (b.present_pages != b.header_pages)
        kdmp_warn(t, "bitmap header counts 0x%llx pages, the bitmap has 0x%llx",
                  (unsigned long long)b.header_pages, (unsigned long long)b.present_pages);
    /* present_pages <= nbits <= 8 * file size and first_page_offset <= 2^62: no overflow. */
    f->data_end = b.first_page_offset + (b.present_pages << KDMP_PAGE_SHIFT);
    if (f->data_end > t->file.size)
        kdmp_warn(t, "dump file truncated: page data ends at 0x%llx, the file has 0x%zx bytes",
                  (unsigned long long)f->data_end, t->file.size);
    return NULL;
}

bool kdmp_bitmap_find(const struct kdmp_bitmap *b, uint64_t page, uint64_t *ret)
{
    if (page >= b->nbits || !b->rank)
        return false;
    uint64_t word = page / 64;
    uint64_t w = bitmap_word(b, word);
    unsigned bit = (unsigned)(page % 64);
    if (!((w >> bit) & 1))
        return false;
    uint64_t rank = b->rank[page / KDMP_RANK_BLOCK_BITS];
    for (uint64_t i = (page / KDMP_RANK_BLOCK_BITS) * (KDMP_RANK_BLOCK_BITS / 64); i < word; i++)
        rank += (uint64_t)__builtin_popcountll(bitmap_word(b, i));
    rank += (uint64_t)__builtin_popcountll(w & ((UINT64_C(1) << bit) - 1));
    *ret = b->first_page_offset + (rank << KDMP_PAGE_SHIFT);
    return true;
}

void kdmp_bitmap_free(struct kdmp_bitmap *b)
{
    free(b->rank);
    b->rank = NULL;
    b->nrank = 0;
}
