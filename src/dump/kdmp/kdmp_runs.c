/*
 * Run-based physical memory: the PhysicalMemoryBlock of a full dump (ntiodump.h
 * PHYSICAL_MEMORY_DESCRIPTOR32/64; the pages follow the header run after run) and the PFN
 * range list of the Windows 11 RDMP dumps (DumpType 8, 9, 10; layout from kdmp-parser's
 * RDMP_HEADER64/KERNEL_RDMP_HEADER64/FULL_RDMP_HEADER64). Runs are kept sorted by base page
 * so a physical address finds its run by binary search.
 */
#include <stdlib.h>

#include "dump/kdmp/kdmp_internal.h"

/* Physical page numbers past this (a 64-bit physical address space) are corrupt. */
#define KDMP_MAX_PAGE (UINT64_C(1) << 52)

/* RDMP header at the end of DUMP_HEADER64 (kdmp-parser): Marker 0x40, 'RDMP', 'DUMP'. */
#define KDMP_RDMP_MARKER 0x40u
#define KDMP_RDMP_RANGES 0x30u /* the PFN ranges start 0x30 bytes into the RDMP header */

struct run_builder {
    struct kdmp_run *runs;
    size_t n, cap;
};

static struct dd_error *builder_add(struct run_builder *b, uint64_t base, uint64_t count,
                                    uint64_t file_offset)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct kdmp_run *r = realloc(b->runs, cap * sizeof(*r));
        if (!r)
            return &dd_error_no_memory;
        b->runs = r;
        b->cap = cap;
    }
    b->runs[b->n++] = (struct kdmp_run){base, count, file_offset};
    return NULL;
}

static int run_cmp(const void *a, const void *b)
{
    const struct kdmp_run *x = a, *y = b;
    return x->base_page < y->base_page ? -1 : x->base_page > y->base_page;
}

/*
 * Sorts the runs, trims overlaps (the run that sorts first keeps the pages) and moves them
 * into the arena as f->runs.
 */
static struct dd_error *builder_finish(struct target *t, struct run_builder *b)
{
    struct kdmp_file *f = kdmp_impl(t);
    if (b->n) /* qsort must not see the NULL of an empty table */
        qsort(b->runs, b->n, sizeof(*b->runs), run_cmp);
    size_t out = 0;
    for (size_t i = 0; i < b->n; i++) {
        struct kdmp_run r = b->runs[i];
        if (out) {
            const struct kdmp_run *prev = &b->runs[out - 1];
            uint64_t prev_end = prev->base_page + prev->page_count;
            if (r.base_page < prev_end) {
                uint64_t skip = prev_end - r.base_page;
                kdmp_warn(t,
                          "physical run at page 0x%llx overlaps the previous run; 0x%llx "
                          "pages ignored",
                          (unsigned long long)r.base_page,
                          (unsigned long long)(skip < r.page_count ? skip : r.page_count));
                if (skip >= r.page_count)
                    continue;
                r.base_page += skip;
                r.page_count -= skip;
                r.file_offset += skip * KDMP_PAGE_SIZE;
            }
        }
        b->runs[out++] = r;
    }
    f->runs = dd_arena_calloc(&t->arena, out ? out : 1, sizeof(*f->runs));
    if (!f->runs) {
        free(b->runs);
        return &dd_error_no_memory;
    }
    for (size_t i = 0; i < out; i++)
        f->runs[i] = b->runs[i];
    f->nruns = out;
    free(b->runs);
    b->runs = NULL;
    f->memory = KDMP_MEMORY_RUNS;
    return NULL;
}

/*
 * Adds a run of COUNT pages at BASE stored from file offset *POS, advancing *POS. Runs that
 * cannot be real (page numbers past 2^52, offsets that overflow) end the table with a warning:
 * false then.
 */
static bool add_checked(struct target *t, struct run_builder *b, uint64_t base, uint64_t count,
                        uint64_t *pos, struct dd_error **err)
{
    uint64_t end_page, end_off;
    if (count == 0)
        return true;
    if (count > KDMP_MAX_PAGE || dd_add_overflows(base, count, KDMP_MAX_PAGE, &end_page) ||
        dd_add_overflows(*pos, count << KDMP_PAGE_SHIFT, UINT64_MAX, &end_off)) {
        kdmp_warn(t,
                  "physical run at page 0x%llx with 0x%llx pages is impossible; the run "
                  "table ends there",
                  (unsigned long long)base, (unsigned long long)count);
        return false;
    }
    *err = builder_add(b, base, count, *pos);
    *pos = end_off;
    return *err == NULL;
}

/* Full dump: the PhysicalMemoryBlock in the header; pages start right after the header. */
static struct dd_error *runs_full(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    const struct kdmp_header *h = &f->hdr;
    if (!h->has_memory_block) {
        kdmp_warn(t, "full dump without a PhysicalMemoryBlock: no physical memory");
        return NULL;
    }
    /* The descriptor lives in a 700-byte buffer: a count past what fits is corrupt. */
    unsigned entry = h->is64 ? 16 : 8, first = h->is64 ? 16 : 8;
    uint32_t cap = (700 - first) / entry;
    uint32_t nruns = h->number_of_runs;
    if (nruns > cap) {
        kdmp_warn(t,
                  "PhysicalMemoryBlock: NumberOfRuns %u is more than its buffer holds; "
                  "using the first %u",
                  nruns, cap);
        nruns = cap;
    }
    const uint8_t *p = kdmp_file_range(t, h->memory_block_offset + first, (uint64_t)nruns * entry);
    if (!p)
        return dd_error_at(DD_ERR_FORMAT, h->memory_block_offset, "PhysicalMemoryBlock truncated");
    struct run_builder b = {0};
    uint64_t pos = h->header_size, total = 0;
    struct dd_error *err = NULL;
    for (uint32_t i = 0; i < nruns; i++) {
        uint64_t base = h->is64 ? dd_le64(p + 16 * i) : dd_le32(p + 8 * i);
        uint64_t count = h->is64 ? dd_le64(p + 16 * i + 8) : dd_le32(p + 8 * i + 4);
        if (!add_checked(t, &b, base, count, &pos, &err))
            break;
        total += count;
    }
    if (err) {
        free(b.runs);
        return err;
    }
    if (total != h->number_of_pages)
        kdmp_warn(t, "PhysicalMemoryBlock: NumberOfPages 0x%llx, runs hold 0x%llx pages",
                  (unsigned long long)h->number_of_pages, (unsigned long long)total);
    f->data_end = pos;
    return builder_finish(t, &b);
}

/* RDMP (DumpType 8/9/10): {PFN, count} ranges after the RDMP header; pages from FirstPageOffset. */
static struct dd_error *runs_rdmp(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    const struct kdmp_header *h = &f->hdr;
    uint64_t base = h->header_size;
    const uint8_t *p = kdmp_file_range(t, base, KDMP_RDMP_RANGES);
    if (!p)
        return dd_error_at(DD_ERR_FORMAT, base, "RDMP header truncated");
    if (dd_le32(p) != KDMP_RDMP_MARKER || dd_le32(p + 4) != KDMP_SIG_RDMP ||
        dd_le32(p + 8) != KDMP_SIG_DUMP)
        return dd_error_at(DD_ERR_FORMAT, base, "DumpType %u without an RDMP header at 0x%llx",
                           h->dump_type, (unsigned long long)base);
    uint64_t metadata = dd_le64(p + 0x10), first_page = dd_le64(p + 0x18);
    bool complete = h->dump_type == KDMP_TYPE_RDMP_COMPLETE;
    uint64_t total_pages = complete ? dd_le64(p + 0x28) : UINT64_MAX;
    uint64_t list = base + KDMP_RDMP_RANGES, list_end;
    if (dd_add_overflows(list, metadata, UINT64_MAX, &list_end) || first_page < list)
        return dd_error_at(DD_ERR_FORMAT, base + 0x10,
                           "RDMP header: MetadataSize 0x%llx / FirstPageOffset 0x%llx impossible",
                           (unsigned long long)metadata, (unsigned long long)first_page);
    if (list_end > first_page)
        list_end = first_page; /* the list cannot run into the pages */
    if (list_end > t->file.size)
        return dd_error_at(DD_ERR_FORMAT, list, "RDMP range list runs past the end of the file");
    struct run_builder b = {0};
    struct dd_error *err = NULL;
    uint64_t pos = first_page, seen = 0;
    for (uint64_t off = list; off + 16 <= list_end && seen < total_pages; off += 16) {
        const uint8_t *e = t->file.data + off;
        uint64_t pfn = dd_le64(e), count = dd_le64(e + 8);
        if (pfn == 0)
            break; /* the list's terminator (kdmp-parser) */
        if (!add_checked(t, &b, pfn, count, &pos, &err))
            break;
        seen += count;
    }
    if (err) {
        free(b.runs);
        return err;
    }
    f->data_end = pos;
    return builder_finish(t, &b);
}

struct dd_error *kdmp_runs_parse(struct target *t)
{
    struct kdmp_file *f = kdmp_impl(t);
    uint32_t type = f->hdr.dump_type;
    struct dd_error *err =
        (type == KDMP_TYPE_FULL || type == KDMP_FIELD_ABSENT) ? runs_full(t) : runs_rdmp(t);
    if (err)
        return err;
    if (f->memory == KDMP_MEMORY_RUNS && f->data_end > t->file.size)
        kdmp_warn(t, "dump file truncated: page data ends at 0x%llx, the file has 0x%zx bytes",
                  (unsigned long long)f->data_end, t->file.size);
    return NULL;
}

const struct kdmp_run *kdmp_runs_find(const struct kdmp_file *f, uint64_t page)
{
    size_t lo = 0, hi = f->nruns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct kdmp_run *r = &f->runs[mid];
        if (page < r->base_page)
            hi = mid;
        else if (page - r->base_page >= r->page_count)
            lo = mid + 1;
        else
            return r;
    }
    return NULL;
}
