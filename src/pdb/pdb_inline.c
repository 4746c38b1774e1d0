/*
 * Inlined calls: S_INLINESITE {u32 pParent, u32 pEnd, u32 inlinee (IPI id), binary annotations}
 * and S_INLINESITE2 (an extra u32 invocation count before the annotations), nested inside a
 * procedure and closed by S_INLINESITE_END. The annotations (cvinfo.h BinaryAnnotationOpcode) are
 * opcodes with compressed operands that move a code offset (relative to the enclosing
 * procedure's start) and a line (relative to the inlinee's line in DEBUG_S_INLINEELINES); each
 * opcode that moves the code offset starts a new range, whose length is explicit or runs to the
 * next range. Compressed unsigned: 1 byte (0xxxxxxx), 2 bytes (10xxxxxx), 4 bytes (110xxxxx);
 * signed values keep the sign in bit 0.
 */
#include <string.h>

#include "base/fmt.h"
#include "pdb/pdb_internal.h"

#define DEBUG_S_CROSSSCOPEIMPORTS 0xf7u
#define DEBUG_S_CROSSSCOPEEXPORTS 0xf8u

enum {
    BA_INVALID = 0,
    BA_CODE_OFFSET = 1,
    BA_CHANGE_CODE_OFFSET_BASE = 2,
    BA_CHANGE_CODE_OFFSET = 3,
    BA_CHANGE_CODE_LENGTH = 4,
    BA_CHANGE_FILE = 5,
    BA_CHANGE_LINE_OFFSET = 6,
    BA_CHANGE_LINE_END_DELTA = 7,
    BA_CHANGE_RANGE_KIND = 8,
    BA_CHANGE_COLUMN_START = 9,
    BA_CHANGE_COLUMN_END_DELTA = 10,
    BA_CHANGE_CODE_OFFSET_AND_LINE_OFFSET = 11,
    BA_CHANGE_CODE_LENGTH_AND_CODE_OFFSET = 12,
    BA_CHANGE_COLUMN_END = 13,
};

struct annot_range {
    uint32_t offset, length, line, file_id;
};

/* Reads a compressed unsigned integer; false at the end or on a bad encoding. */
static bool read_uint(const uint8_t *p, uint32_t len, uint32_t *pos, uint32_t *ret)
{
    if (*pos >= len)
        return false;
    uint8_t b = p[(*pos)++];
    if ((b & 0x80) == 0) {
        *ret = b;
        return true;
    }
    if ((b & 0xc0) == 0x80) {
        if (*pos >= len)
            return false;
        *ret = ((uint32_t)(b & 0x3f) << 8) | p[(*pos)++];
        return true;
    }
    if ((b & 0xe0) == 0xc0) {
        if (len - *pos < 3)
            return false;
        *ret = ((uint32_t)(b & 0x1f) << 24) | ((uint32_t)p[*pos] << 16) |
               ((uint32_t)p[*pos + 1] << 8) | p[*pos + 2];
        *pos += 3;
        return true;
    }
    return false;
}

static int32_t decode_signed(uint32_t v)
{
    return (v & 1) ? -(int32_t)(v >> 1) : (int32_t)(v >> 1);
}

/* Decodes annotations P[0..LEN) starting at LINE/FILE_ID and calls FN for each range. */
static void annotations_decode(const uint8_t *p, uint32_t len, uint32_t line, uint32_t file_id,
                               bool (*fn)(void *ctx, const struct annot_range *r), void *ctx)
{
    uint32_t pos = 0, code = 0, base = 0;
    struct annot_range pending;
    bool have = false, have_length = false;
    for (;;) {
        uint32_t op, a = 0, b = 0;
        if (!read_uint(p, len, &pos, &op) || op == BA_INVALID)
            break;
        if (op == BA_CHANGE_CODE_LENGTH_AND_CODE_OFFSET) {
            if (!read_uint(p, len, &pos, &a) || !read_uint(p, len, &pos, &b))
                break;
        } else if (op <= BA_CHANGE_COLUMN_END) {
            if (!read_uint(p, len, &pos, &a))
                break;
        } else {
            break; /* an opcode this decoder does not know: its operands are unknown */
        }
        bool starts = false;
        uint32_t explicit_length = 0;
        bool has_explicit = false;
        switch (op) {
        case BA_CODE_OFFSET:
            code = a;
            starts = true;
            break;
        case BA_CHANGE_CODE_OFFSET_BASE:
            base = a;
            break;
        case BA_CHANGE_CODE_OFFSET:
            code += a;
            starts = true;
            break;
        case BA_CHANGE_CODE_LENGTH:
            if (have && !have_length) {
                pending.length = a;
                have_length = true;
            }
            code += a;
            break;
        case BA_CHANGE_FILE:
            file_id = a;
            break;
        case BA_CHANGE_LINE_OFFSET:
            line += (uint32_t)decode_signed(a);
            break;
        case BA_CHANGE_CODE_OFFSET_AND_LINE_OFFSET:
            code += a & 0xf;
            line += (uint32_t)decode_signed(a >> 4);
            starts = true;
            break;
        case BA_CHANGE_CODE_LENGTH_AND_CODE_OFFSET:
            code += b;
            explicit_length = a;
            has_explicit = true;
            starts = true;
            break;
        default: /* line end, range kind and column changes do not move code */
            break;
        }
        if (!starts)
            continue;
        uint32_t at = code + base;
        if (have) {
            if (!have_length)
                pending.length = at > pending.offset ? at - pending.offset : 0;
            if (!fn(ctx, &pending))
                return;
        }
        pending.offset = at;
        pending.length = explicit_length;
        pending.line = line;
        pending.file_id = file_id;
        have = true;
        have_length = has_explicit;
    }
    if (have) {
        if (!have_length)
            pending.length = 0; /* an open last range covers nothing known */
        fn(ctx, &pending);
    }
}

/* Where an inline site's annotations are and what it inlines. */
static bool site_decode(uint16_t kind, const uint8_t *d, uint32_t len, uint32_t *ret_inlinee,
                        const uint8_t **ret_annot, uint32_t *ret_annot_len)
{
    uint32_t at = kind == PDB_S_INLINESITE2 ? 16 : 12;
    if (len < at)
        return false;
    *ret_inlinee = dd_le32(d + 8);
    *ret_annot = d + at;
    *ret_annot_len = len - at;
    return true;
}

/* Cross-module ids. An id with bit 31 set names an item another module exported: bits 20..30
 * pick an entry of this module's DEBUG_S_CROSSSCOPEIMPORTS {u32 module name offset in /names,
 * u32 count, u32 ids[count]} and bits 0..19 an id in it, which the named module's
 * DEBUG_S_CROSSSCOPEEXPORTS {u32 local id, u32 global id} pairs map to an IPI id (LLVM
 * DebugCrossModuleImportsSubsection / DebugCrossModuleExportsSubsection). */
struct xscope {
    uint32_t want;   /* imports: the group; exports: the local id */
    uint32_t index;  /* imports: the item */
    uint32_t name_off, result;
    bool found;
};

static bool imports_visit(void *ctx, uint32_t kind, const uint8_t *d, uint32_t len)
{
    struct xscope *x = ctx;
    if (kind != DEBUG_S_CROSSSCOPEIMPORTS)
        return true;
    uint32_t group = 0;
    for (uint32_t pos = 0; len - pos >= 8; group++) {
        uint32_t name = dd_le32(d + pos), count = dd_le32(d + pos + 4);
        if (count > (len - pos - 8) / 4)
            return false;
        if (group == x->want) {
            if (x->index < count) {
                x->name_off = name;
                x->result = dd_le32(d + pos + 8 + 4 * (size_t)x->index);
                x->found = true;
            }
            return false;
        }
        pos += 8 + 4 * count;
    }
    return false;
}

static bool exports_visit(void *ctx, uint32_t kind, const uint8_t *d, uint32_t len)
{
    struct xscope *x = ctx;
    if (kind != DEBUG_S_CROSSSCOPEEXPORTS)
        return true;
    for (uint32_t pos = 0; len - pos >= 8; pos += 8) {
        if (dd_le32(d + pos) == x->want) {
            x->result = dd_le32(d + pos + 4);
            x->found = true;
            return false;
        }
    }
    return true;
}

/* Sets ret to the IPI id a cross-module id ID of module MS stands for. */
static bool xscope_resolve(struct pdb *pdb, struct pdb_module_state *ms, uint32_t id,
                           uint32_t *ret)
{
    struct xscope x = {.want = (id >> 20) & 0x7ffu, .index = id & 0xfffffu};
    pdb_c13_walk(ms, imports_visit, &x);
    const char *module;
    struct dd_error *err;
    if (!x.found || (err = pdb_names_get(pdb, x.name_off, &module)) != NULL) {
        if (x.found)
            dd_error_destroy(err);
        return false;
    }
    for (uint32_t m = 0; m < pdb->nmodules; m++) {
        if (dd_strcasecmp(pdb->modules[m].info.name, module) != 0)
            continue;
        struct pdb_module_state *other;
        if ((err = pdb_module_load(pdb, m, &other)) != NULL) {
            dd_error_destroy(err);
            return false;
        }
        struct xscope e = {.want = x.result};
        pdb_c13_walk(other, exports_visit, &e);
        if (e.found)
            *ret = e.result;
        return e.found;
    }
    return false;
}

struct dd_error *pdb_inlinee_name(struct pdb *pdb, struct pdb_module_state *ms, uint32_t id,
                                  const char **ret)
{
    uint32_t global = id;
    if ((id & 0x80000000u) && !xscope_resolve(pdb, ms, id, &global))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "module %u: cross-module id 0x%x is not exported "
                         "by the module it names", ms->info.index, id);
    return pdb_id_name(pdb, global, ret);
}

struct range_at {
    uint32_t target;  /* code offset from the procedure start */
    struct annot_range hit;
    bool found;
};

static bool range_at_visit(void *ctx, const struct annot_range *r)
{
    struct range_at *f = ctx;
    if (f->target - r->offset < r->length && f->target >= r->offset) {
        f->hit = *r;
        f->found = true;
        return false;
    }
    return true;
}

#define MAX_INLINE_DEPTH 64u

struct inline_walk {
    struct pdb *pdb;
    uint32_t target;          /* code offset of the address from the procedure start */
    uint32_t proc_src;
    struct pdb_inline_frame *frames;
    uint32_t max, count;
    uint32_t chain_depth[MAX_INLINE_DEPTH]; /* record depth of each frame found */
    uint32_t skip_depth;      /* nonzero: skip records deeper than this (a site not covering) */
};

static bool inline_visit(void *ctx, struct pdb_module_state *ms, uint32_t off, uint16_t kind,
                         const uint8_t *d, uint32_t len, uint32_t depth)
{
    struct inline_walk *w = ctx;
    if (w->skip_depth) {
        if (depth >= w->skip_depth)
            return true; /* inside a site that does not cover the address */
        w->skip_depth = 0;
    }
    /* Every further candidate lies inside the deepest covering site: its end ends the search. */
    if (w->count > 0 && depth <= w->chain_depth[w->count - 1])
        return false;
    if (kind != PDB_S_INLINESITE && kind != PDB_S_INLINESITE2)
        return true;
    uint32_t inlinee = 0, alen = 0;
    const uint8_t *annot = NULL;
    if (!site_decode(kind, d, len, &inlinee, &annot, &alen))
        return true;
    uint32_t base_line = 0, base_file = 0;
    pdb_inlinee_lines_find(w->pdb, ms, inlinee, &base_line, &base_file);
    struct range_at f = {.target = w->target};
    annotations_decode(annot, alen, base_line, base_file, range_at_visit, &f);
    if (!f.found) {
        w->skip_depth = depth + 1;
        return true;
    }
    if (w->count >= w->max || w->count >= MAX_INLINE_DEPTH)
        return false;
    struct pdb_inline_frame *fr = &w->frames[w->count];
    memset(fr, 0, sizeof(*fr));
    fr->inlinee = inlinee;
    fr->record_offset = off;
    struct dd_error *err = pdb_inlinee_name(w->pdb, ms, inlinee, &fr->name);
    if (err) {
        dd_error_destroy(err);
        fr->name = "?";
    }
    fr->line = f.hit.line;
    fr->file = pdb_module_file_name(w->pdb, ms, f.hit.file_id);
    fr->range_length = f.hit.length;
    if (!pdb_src_to_rva(w->pdb, w->proc_src + f.hit.offset, &fr->range_rva))
        fr->range_rva = 0;
    w->chain_depth[w->count] = depth;
    w->count++;
    return true;
}

struct dd_error *pdb_inline_frames(struct pdb *pdb, uint32_t rva, struct pdb_inline_frame *frames,
                                   uint32_t max, uint32_t *ret_count)
{
    struct dd_error *err = pdb_sections_ready(pdb);
    if (err)
        return err;
    uint32_t src = 0;
    if (!pdb_rva_to_src(pdb, rva, &src))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "OMAP maps RVA 0x%x nowhere", rva);
    struct pdb_module_state *ms;
    struct pdb_proc proc;
    if ((err = pdb_find_proc_src(pdb, src, &ms, &proc)))
        return err;
    uint32_t proc_src;
    if ((err = pdb_addr_to_src(pdb, proc.segment, proc.offset, &proc_src)))
        return err;
    struct inline_walk w = {.pdb = pdb, .target = src - proc_src, .proc_src = proc_src,
                            .frames = frames, .max = max};
    if ((err = pdb_proc_walk(pdb, &proc, NULL, inline_visit, &w)))
        return err;
    /* Each frame's call site is where its caller was at the address: the procedure's own line
     * for the outermost, the enclosing inline frame's line for the others. */
    for (uint32_t i = 0; i < w.count; i++) {
        if (i > 0) {
            frames[i].call_file = frames[i - 1].file;
            frames[i].call_line = frames[i - 1].line;
            continue;
        }
        struct pdb_line l;
        if (pdb_module_line_at(pdb, ms, src, &l)) {
            frames[i].call_file = l.file;
            frames[i].call_line = l.line;
        }
    }
    *ret_count = w.count;
    return NULL;
}

struct site_ranges {
    struct pdb *pdb;
    struct pdb_module_state *ms;
    uint32_t proc_src;
    bool (*fn)(void *ctx, const struct pdb_inline_range *r);
    void *ctx;
};

static bool site_range_visit(void *ctx, const struct annot_range *r)
{
    struct site_ranges *s = ctx;
    struct pdb_inline_range out;
    if (!pdb_src_to_rva(s->pdb, s->proc_src + r->offset, &out.rva))
        return true;
    out.length = r->length;
    out.line = r->line;
    out.file = pdb_module_file_name(s->pdb, s->ms, r->file_id);
    return s->fn(s->ctx, &out);
}

struct dd_error *pdb_inline_site_ranges(struct pdb *pdb, const struct pdb_proc *proc,
                                        uint32_t record_offset,
                                        bool (*fn)(void *ctx, const struct pdb_inline_range *r),
                                        void *ctx)
{
    struct pdb_module_state *ms;
    struct dd_error *err = pdb_module_load(pdb, proc->module, &ms);
    if (err)
        return err;
    uint32_t proc_src;
    if ((err = pdb_addr_to_src(pdb, proc->segment, proc->offset, &proc_src)))
        return err;
    uint16_t kind = 0;
    const uint8_t *d = NULL;
    uint32_t len = 0, next = 0, inlinee = 0, alen = 0;
    const uint8_t *annot = NULL;
    if ((err = pdb_modsym_record(ms, record_offset, &kind, &d, &len, &next)))
        return dd_error_wrap(err, "%s", pdb->name);
    if ((kind != PDB_S_INLINESITE && kind != PDB_S_INLINESITE2) ||
        !site_decode(kind, d, len, &inlinee, &annot, &alen))
        return pdb_error(pdb, DD_ERR_FORMAT, "module %u: record at offset 0x%x is not an inline "
                         "site", proc->module, record_offset);
    uint32_t base_line = 0, base_file = 0;
    pdb_inlinee_lines_find(pdb, ms, inlinee, &base_line, &base_file);
    struct site_ranges s = {pdb, ms, proc_src, fn, ctx};
    annotations_decode(annot, alen, base_line, base_file, site_range_visit, &s);
    return NULL;
}
