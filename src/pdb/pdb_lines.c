/*
 * C13 line information in a module stream: debug subsections {u32 kind, u32 length, data},
 * 4-byte aligned (cvinfo.h DEBUG_S_SUBSECTION_TYPE). DEBUG_S_LINES: {u32 offCon, u16 segCon,
 * u16 flags (1 = columns), u32 cbCon} then file blocks {u32 file id (offset into the file
 * checksums), u32 nLines, u32 cbBlock, CV_Line_t[nLines] {u32 offset, u32 line:24 delta:7
 * statement:1}, CV_Column_t[nLines] {u16 start, u16 end} when flagged}. DEBUG_S_FILECHKSMS:
 * {u32 name offset into /names, u8 size, u8 kind, bytes}, each 4-byte aligned.
 * DEBUG_S_INLINEELINES: u32 signature (0, or 1 with extra files), then {u32 inlinee, u32 file
 * id, u32 line[, u32 count, u32 files[count]]}. A module's lines are indexed by address on first
 * use; a line's length runs to the next entry of the same contribution.
 */
#include <stdlib.h>
#include <string.h>

#include "pdb/pdb_internal.h"

#define DEBUG_S_LINES 0xf2u
#define DEBUG_S_INLINEELINES 0xf6u
#define CV_LINES_HAVE_COLUMNS 0x1u

void pdb_c13_walk(const struct pdb_module_state *ms,
                             bool (*fn)(void *ctx, uint32_t kind, const uint8_t *d, uint32_t len),
                             void *ctx)
{
    uint32_t pos = 0;
    while (ms->c13_size - pos >= 8) {
        uint32_t kind = dd_le32(ms->c13 + pos), len = dd_le32(ms->c13 + pos + 4);
        if (len > ms->c13_size - pos - 8)
            return; /* a damaged subsection ends the walk */
        if (!fn(ctx, kind, ms->c13 + pos + 8, len))
            return;
        pos += 8 + len;
        pos = pos + 3 > ms->c13_size ? ms->c13_size : (pos + 3) & ~3u;
    }
}

const char *pdb_module_file_name(struct pdb *pdb, struct pdb_module_state *ms, uint32_t file_id)
{
    if (file_id > ms->checksums_size || ms->checksums_size - file_id < 6)
        return "?";
    const char *name;
    struct dd_error *err = pdb_names_get(pdb, dd_le32(ms->c13 + ms->checksums_off + file_id), &name);
    if (err) {
        dd_error_destroy(err);
        return "?";
    }
    return name;
}

struct lines_build {
    struct pdb *pdb;
    struct pdb_line_ref *v;
    uint32_t n, cap;
    bool oom;
};

static int line_ref_cmp(const void *a, const void *b)
{
    const struct pdb_line_ref *x = a, *y = b;
    return x->src_rva < y->src_rva ? -1 : x->src_rva > y->src_rva;
}

static bool lines_push(struct lines_build *b, const struct pdb_line_ref *r)
{
    if (b->n == b->cap) {
        uint32_t cap = b->cap ? b->cap * 2 : 256;
        struct pdb_line_ref *v = realloc(b->v, (size_t)cap * sizeof(*v));
        if (!v) {
            b->oom = true;
            return false;
        }
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = *r;
    return true;
}

/* Adds the entries of one DEBUG_S_LINES subsection; a damaged block ends that subsection. */
static bool lines_subsection(void *ctx, uint32_t kind, const uint8_t *d, uint32_t len)
{
    struct lines_build *b = ctx;
    if (kind != DEBUG_S_LINES || len < 12)
        return true;
    uint32_t off_con = dd_le32(d), cb_con = dd_le32(d + 8);
    uint16_t seg = dd_le16(d + 4), flags = dd_le16(d + 6);
    uint32_t base;
    struct dd_error *err = pdb_addr_to_src(b->pdb, seg, off_con, &base);
    if (err) {
        dd_error_destroy(err);
        return true;
    }
    uint32_t first = b->n;
    uint32_t entry_size = flags & CV_LINES_HAVE_COLUMNS ? 12 : 8;
    for (uint32_t pos = 12; len - pos >= 12;) {
        uint32_t file_id = dd_le32(d + pos), nlines = dd_le32(d + pos + 4);
        uint32_t cb_block = dd_le32(d + pos + 8);
        if (cb_block < 12 || cb_block > len - pos || nlines > (cb_block - 12) / entry_size)
            break;
        const uint8_t *lines = d + pos + 12;
        const uint8_t *cols = lines + (size_t)nlines * 8;
        for (uint32_t i = 0; i < nlines; i++) {
            struct pdb_line_ref r;
            uint32_t off = dd_le32(lines + 8 * (size_t)i);
            if (off >= cb_con && cb_con)
                continue; /* outside its contribution */
            r.src_rva = base + off;
            r.length = 0;
            r.file_id = file_id;
            r.bits = dd_le32(lines + 8 * (size_t)i + 4);
            r.col_start = r.col_end = 0;
            if (flags & CV_LINES_HAVE_COLUMNS) {
                r.col_start = dd_le16(cols + 4 * (size_t)i);
                r.col_end = dd_le16(cols + 4 * (size_t)i + 2);
            }
            if (!lines_push(b, &r))
                return false;
        }
        pos += cb_block;
    }
    /* Sort this contribution's entries (blocks of several files interleave) and give each the
     * distance to the next address as its length. A stable order keeps file order for ties. */
    uint32_t n = b->n - first;
    if (n == 0)
        return true;
    struct pdb_line_ref *v = b->v + first;
    for (uint32_t i = 1; i < n; i++) { /* insertion sort: blocks are nearly sorted */
        struct pdb_line_ref t = v[i];
        uint32_t j = i;
        while (j > 0 && v[j - 1].src_rva > t.src_rva) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = t;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t end = i + 1 < n ? v[i + 1].src_rva : base + cb_con;
        v[i].length = end > v[i].src_rva ? end - v[i].src_rva : 0;
    }
    return true;
}

static struct dd_error *lines_ready(struct pdb *pdb, uint32_t m, struct pdb_module_state **ret)
{
    struct pdb_module_state *ms;
    struct dd_error *err = pdb_module_load(pdb, m, &ms);
    if (err)
        return err;
    if (ms->lines_state == PDB_LAZY_NO) {
        if ((err = pdb_sections_ready(pdb)))
            return err;
        struct lines_build b = {.pdb = pdb};
        pdb_c13_walk(ms, lines_subsection, &b);
        if (b.oom) {
            free(b.v);
            return &dd_error_no_memory;
        }
        /* Contributions do not overlap, so a stable merge by address keeps each one's order. */
        if (b.n > 1) {
            bool sorted = true;
            for (uint32_t i = 1; i < b.n && sorted; i++)
                sorted = b.v[i - 1].src_rva <= b.v[i].src_rva;
            if (!sorted)
                qsort(b.v, b.n, sizeof(*b.v), line_ref_cmp);
        }
        ms->lines = b.v;
        ms->nlines = b.n;
        ms->lines_state = PDB_LAZY_OK;
    }
    *ret = ms;
    return NULL;
}

static void line_fill(struct pdb *pdb, struct pdb_module_state *ms, const struct pdb_line_ref *r,
                      struct pdb_line *ret)
{
    ret->file = pdb_module_file_name(pdb, ms, r->file_id);
    ret->line = r->bits & 0xffffffu;
    ret->line_end = ret->line + ((r->bits >> 24) & 0x7fu);
    ret->is_statement = (r->bits >> 31) != 0;
    ret->column_start = r->col_start;
    ret->column_end = r->col_end;
    if (!pdb_src_to_rva(pdb, r->src_rva, &ret->rva))
        ret->rva = 0;
    ret->length = r->length;
    ret->module = ms->info.index;
}

/* The index of the first entry of MS starting at or above SRC. */
static uint32_t lines_lower(const struct pdb_module_state *ms, uint32_t src)
{
    uint32_t lo = 0, hi = ms->nlines;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ms->lines[mid].src_rva < src)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The index of the first entry of MS starting above SRC. */
static uint32_t lines_upper(const struct pdb_module_state *ms, uint32_t src)
{
    uint32_t lo = 0, hi = ms->nlines;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ms->lines[mid].src_rva <= src)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool pdb_module_line_at(struct pdb *pdb, struct pdb_module_state *ms, uint32_t src,
                        struct pdb_line *ret)
{
    struct pdb_module_state *ready;
    struct dd_error *err = lines_ready(pdb, ms->info.index, &ready);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    /* The last entry at or below SRC that covers it (an entry of length 0 covers nothing). */
    for (uint32_t i = lines_upper(ms, src), tries = 0; i > 0 && tries < 4; i--, tries++) {
        const struct pdb_line_ref *r = &ms->lines[i - 1];
        if (src - r->src_rva < r->length) {
            line_fill(pdb, ms, r, ret);
            return true;
        }
    }
    return false;
}

struct dd_error *pdb_find_line(struct pdb *pdb, uint32_t rva, struct pdb_line *ret)
{
    struct dd_error *err = pdb_sections_ready(pdb);
    if (err)
        return err;
    uint32_t src = 0, m = 0;
    if (!pdb_rva_to_src(pdb, rva, &src))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "OMAP maps RVA 0x%x nowhere", rva);
    if ((err = pdb_module_find_by_src(pdb, src, &m)))
        return err;
    struct pdb_module_state *ms;
    if ((err = lines_ready(pdb, m, &ms)))
        return err;
    if (!pdb_module_line_at(pdb, ms, src, ret))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "no line information for RVA 0x%x", rva);
    return NULL;
}

struct dd_error *pdb_lines_iterate_range(struct pdb *pdb, uint32_t rva, uint32_t length,
                                         bool (*fn)(void *ctx, const struct pdb_line *line),
                                         void *ctx)
{
    struct dd_error *err = pdb_sections_ready(pdb);
    if (err)
        return err;
    uint32_t src = 0, m = 0;
    if (!pdb_rva_to_src(pdb, rva, &src))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "OMAP maps RVA 0x%x nowhere", rva);
    if ((err = pdb_module_find_by_src(pdb, src, &m)))
        return err;
    struct pdb_module_state *ms;
    if ((err = lines_ready(pdb, m, &ms)))
        return err;
    uint64_t end = (uint64_t)src + (length ? length : 1);
    uint32_t i = lines_lower(ms, src);
    if (i > 0 && src - ms->lines[i - 1].src_rva < ms->lines[i - 1].length)
        i--; /* the entry that covers the start */
    for (; i < ms->nlines && ms->lines[i].src_rva < end; i++) {
        struct pdb_line l;
        line_fill(pdb, ms, &ms->lines[i], &l);
        if (!fn(ctx, &l))
            break;
    }
    return NULL;
}

struct dd_error *pdb_proc_lines(struct pdb *pdb, const struct pdb_proc *proc,
                                bool (*fn)(void *ctx, const struct pdb_line *line), void *ctx)
{
    struct dd_error *err = pdb_sections_ready(pdb);
    if (err)
        return err;
    uint32_t src = 0;
    if ((err = pdb_addr_to_src(pdb, proc->segment, proc->offset, &src)))
        return err;
    struct pdb_module_state *ms;
    if ((err = lines_ready(pdb, proc->module, &ms)))
        return err;
    uint64_t end = (uint64_t)src + proc->length;
    uint32_t i = lines_lower(ms, src);
    for (; i < ms->nlines && ms->lines[i].src_rva < end; i++) {
        struct pdb_line l;
        line_fill(pdb, ms, &ms->lines[i], &l);
        if (!fn(ctx, &l))
            break;
    }
    return NULL;
}

struct dd_error *pdb_module_lines_iterate(struct pdb *pdb, uint32_t module,
                                          bool (*fn)(void *ctx, const struct pdb_line *line),
                                          void *ctx)
{
    struct pdb_module_state *ms;
    struct dd_error *err = lines_ready(pdb, module, &ms);
    if (err)
        return err;
    for (uint32_t i = 0; i < ms->nlines; i++) {
        struct pdb_line l;
        line_fill(pdb, ms, &ms->lines[i], &l);
        if (!fn(ctx, &l))
            break;
    }
    return NULL;
}

struct dd_error *pdb_module_checksums_iterate(struct pdb *pdb, uint32_t module,
                                              bool (*fn)(void *ctx,
                                                         const struct pdb_file_checksum *c),
                                              void *ctx)
{
    struct pdb_module_state *ms;
    struct dd_error *err = pdb_module_load(pdb, module, &ms);
    if (err)
        return err;
    if (!ms->c13 || ms->checksums_size < 6)
        return NULL;
    const uint8_t *d = ms->c13 + ms->checksums_off;
    for (uint32_t pos = 0; ms->checksums_size - pos >= 6;) {
        struct pdb_file_checksum c;
        c.offset = pos;
        c.size = d[pos + 4];
        c.kind = d[pos + 5];
        if (c.size > ms->checksums_size - pos - 6)
            return pdb_error(pdb, DD_ERR_FORMAT, "module %u: file checksum at offset %u runs past "
                             "its subsection", module, pos);
        c.bytes = d + pos + 6;
        c.name = pdb_module_file_name(pdb, ms, pos);
        if (!fn(ctx, &c))
            break;
        pos += 6u + c.size;
        pos = pos + 3 > ms->checksums_size ? ms->checksums_size : (pos + 3) & ~3u;
    }
    return NULL;
}

struct inlinee_find {
    uint32_t inlinee;
    uint32_t line, file_id;
    bool found;
};

static bool inlinee_subsection(void *ctx, uint32_t kind, const uint8_t *d, uint32_t len)
{
    struct inlinee_find *f = ctx;
    if (kind != DEBUG_S_INLINEELINES || len < 4)
        return true;
    uint32_t sig = dd_le32(d);
    if (sig > 1)
        return true;
    for (uint32_t pos = 4; len - pos >= 12;) {
        uint32_t id = dd_le32(d + pos);
        if (id == f->inlinee) {
            f->file_id = dd_le32(d + pos + 4);
            f->line = dd_le32(d + pos + 8);
            f->found = true;
            return false;
        }
        pos += 12;
        if (sig == 1) { /* extra files */
            if (len - pos < 4)
                break;
            uint32_t extra = dd_le32(d + pos);
            if (extra > (len - pos - 4) / 4)
                break;
            pos += 4 + 4 * extra;
        }
    }
    return true;
}

bool pdb_inlinee_lines_find(struct pdb *pdb, struct pdb_module_state *ms, uint32_t inlinee,
                            uint32_t *ret_line, uint32_t *ret_file_id)
{
    (void)pdb;
    struct inlinee_find f = {.inlinee = inlinee};
    pdb_c13_walk(ms, inlinee_subsection, &f);
    if (!f.found)
        return false;
    *ret_line = f.line;
    *ret_file_id = f.file_id;
    return true;
}
