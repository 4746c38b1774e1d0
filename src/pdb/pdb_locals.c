/*
 * Parameters and locals of a procedure: the variable records inside it (cvinfo.h): S_REGREL32
 * {u32 off, u32 typind, u16 reg, name}, S_BPREL32 {i32 off, u32 typind, name}, S_REGISTER
 * {u32 typind, u16 reg, name}, S_LDATA32/S_GDATA32 {u32 typind, u32 off, u16 seg, name}, the
 * thread-local kinds alike, S_CONSTANT {u32 typind, numeric leaf, name}, and S_LOCAL {u32 typind, u16 flags, name} followed by its
 * S_DEFRANGE_* records, each {fields, CV_LVAR_ADDR_RANGE {u32 offStart, u16 isectStart,
 * u16 cbRange}, CV_LVAR_ADDR_GAP {u16 gapStartOffset, u16 cbRange}...} except the full-scope
 * frame-pointer kind, which has no range. Blocks (S_BLOCK32 {u32 pParent, pEnd, len, off,
 * u16 seg, name}) give the scope a local is valid in.
 */
#include <stdlib.h>
#include <string.h>

#include "pdb/pdb_internal.h"

#define S_DEFRANGE 0x113fu
#define S_DEFRANGE_SUBFIELD 0x1140u
#define S_DEFRANGE_REGISTER 0x1141u
#define S_DEFRANGE_FRAMEPOINTER_REL 0x1142u
#define S_DEFRANGE_SUBFIELD_REGISTER 0x1143u
#define S_DEFRANGE_FRAMEPOINTER_REL_FULL_SCOPE 0x1144u
#define S_DEFRANGE_REGISTER_REL 0x1145u
#define MAX_DEPTH 64u

struct scope {
    uint32_t rva, length, inlinee;
};

struct locals_walk {
    struct pdb *pdb;
    bool (*fn)(void *ctx, const struct pdb_local *local);
    void *ctx;
    struct scope scopes[MAX_DEPTH];
    /* the S_LOCAL waiting for its ranges */
    bool pending;
    struct pdb_local local;
    struct pdb_defrange *ranges;
    uint32_t nranges, cap_ranges;
    struct pdb_range_gap *gaps;
    uint32_t ngaps, cap_gaps;
    bool stop, oom;
};

static bool grow(void **v, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return true;
    uint32_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    void *nv = realloc(*v, (size_t)n * size);
    if (!nv)
        return false;
    *v = nv;
    *cap = n;
    return true;
}

/* Emits the pending S_LOCAL with the ranges gathered after it. */
static void flush(struct locals_walk *w)
{
    if (!w->pending)
        return;
    w->pending = false;
    /* Gap pointers were stored as indices while the array could still move. */
    for (uint32_t i = 0; i < w->nranges; i++) {
        uintptr_t first = (uintptr_t)w->ranges[i].gaps;
        w->ranges[i].gaps = w->ranges[i].gap_count ? w->gaps + first : NULL;
    }
    w->local.ranges = w->ranges;
    w->local.range_count = w->nranges;
    w->local.loc = w->nranges ? PDB_LOC_RANGES : PDB_LOC_NONE;
    if (!w->stop && !w->fn(w->ctx, &w->local))
        w->stop = true;
}

/* Decodes a defrange record into a new entry of W->ranges. */
static void add_defrange(struct locals_walk *w, uint16_t kind, const uint8_t *d, uint32_t len)
{
    struct pdb_defrange r;
    memset(&r, 0, sizeof(r));
    r.kind = kind;
    uint32_t range_at;
    switch (kind) {
    case S_DEFRANGE:
        if (len < 4)
            return;
        r.program = dd_le32(d);
        range_at = 4;
        break;
    case S_DEFRANGE_SUBFIELD:
        if (len < 8)
            return;
        r.program = dd_le32(d);
        r.parent_offset = (uint16_t)dd_le32(d + 4);
        range_at = 8;
        break;
    case S_DEFRANGE_REGISTER:
        if (len < 4)
            return;
        r.reg = dd_le16(d);
        r.may_have_no_name = dd_le16(d + 2) & 1;
        range_at = 4;
        break;
    case S_DEFRANGE_FRAMEPOINTER_REL:
        if (len < 4)
            return;
        r.offset = (int32_t)dd_le32(d);
        range_at = 4;
        break;
    case S_DEFRANGE_SUBFIELD_REGISTER:
        if (len < 8)
            return;
        r.reg = dd_le16(d);
        r.may_have_no_name = dd_le16(d + 2) & 1;
        r.parent_offset = (uint16_t)(dd_le32(d + 4) & 0xfffu);
        range_at = 8;
        break;
    case S_DEFRANGE_FRAMEPOINTER_REL_FULL_SCOPE:
        if (len < 4)
            return;
        r.offset = (int32_t)dd_le32(d);
        r.full_scope = true;
        range_at = len;
        break;
    case S_DEFRANGE_REGISTER_REL:
        if (len < 8)
            return;
        r.reg = dd_le16(d);
        r.spilled_udt_member = dd_le16(d + 2) & 1;
        r.parent_offset = (uint16_t)(dd_le16(d + 2) >> 4);
        r.offset = (int32_t)dd_le32(d + 4);
        range_at = 8;
        break;
    default:
        return;
    }
    uint32_t first_gap = w->ngaps;
    if (!r.full_scope) {
        if (len - range_at < 8)
            return;
        const uint8_t *p = d + range_at;
        r.length = dd_le16(p + 6);
        struct dd_error *err = pdb_addr_to_rva(w->pdb, dd_le16(p + 4), dd_le32(p), &r.rva);
        if (err) {
            dd_error_destroy(err);
            r.rva = 0;
        }
        uint32_t ngaps = (len - range_at - 8) / 4;
        if (!grow((void **)&w->gaps, &w->cap_gaps, w->ngaps + ngaps, sizeof(*w->gaps))) {
            w->oom = true;
            return;
        }
        for (uint32_t i = 0; i < ngaps; i++) {
            w->gaps[w->ngaps].start = dd_le16(p + 8 + 4 * (size_t)i);
            w->gaps[w->ngaps].length = dd_le16(p + 10 + 4 * (size_t)i);
            w->ngaps++;
        }
        r.gap_count = ngaps;
    }
    if (!grow((void **)&w->ranges, &w->cap_ranges, w->nranges + 1, sizeof(*w->ranges))) {
        w->oom = true;
        return;
    }
    r.gaps = (const struct pdb_range_gap *)(uintptr_t)first_gap; /* fixed up in flush() */
    w->ranges[w->nranges++] = r;
}

static bool is_defrange(uint16_t kind)
{
    return kind >= S_DEFRANGE && kind <= S_DEFRANGE_REGISTER_REL;
}

static bool locals_visit(void *ctx, struct pdb_module_state *ms, uint32_t off, uint16_t kind,
                         const uint8_t *d, uint32_t len, uint32_t depth)
{
    struct locals_walk *w = ctx;
    if (is_defrange(kind)) {
        if (w->pending)
            add_defrange(w, kind, d, len);
        return !w->oom;
    }
    flush(w);
    if (w->stop)
        return false;
    uint32_t level = depth < MAX_DEPTH ? depth : MAX_DEPTH - 1;
    const struct scope *outer = &w->scopes[level > 0 ? level - 1 : 0];
    if (depth == 0)
        return true; /* the procedure record itself */
    if (pdb_symkind_closes_scope(kind))
        return true;
    if (kind == PDB_S_BLOCK32 && len >= 18 && level < MAX_DEPTH) {
        struct scope *s = &w->scopes[level];
        *s = *outer;
        s->length = dd_le32(d + 8);
        struct dd_error *err = pdb_addr_to_rva(w->pdb, dd_le16(d + 16), dd_le32(d + 12), &s->rva);
        dd_error_destroy(err);
        return true;
    }
    if ((kind == PDB_S_INLINESITE || kind == PDB_S_INLINESITE2) && len >= 12) {
        struct scope *s = &w->scopes[level];
        *s = *outer;
        s->inlinee = dd_le32(d + 8);
        return true;
    }
    if (pdb_symkind_opens_scope(kind)) {
        w->scopes[level] = *outer;
        return true;
    }
    struct pdb_local l;
    memset(&l, 0, sizeof(l));
    l.kind = kind;
    l.record_offset = off;
    l.scope_rva = outer->rva;
    l.scope_length = outer->length;
    l.inlinee = outer->inlinee;
    l.block_depth = depth - 1;
    uint32_t name_at;
    struct dd_error *err;
    switch (kind) {
    case PDB_S_LOCAL:
        if (len < 6)
            return true;
        l.type_index = dd_le32(d);
        l.flags = dd_le16(d + 4);
        l.param = l.flags & PDB_LOCAL_IS_PARAM ? PDB_PARAM_YES : PDB_PARAM_NO;
        l.name = pdb_modsym_name(w->pdb, ms, off, d, len, 6);
        w->local = l;
        w->pending = true;
        w->nranges = w->ngaps = 0;
        return true;
    case PDB_S_REGREL32:
        if (len < 10)
            return true;
        l.offset = (int32_t)dd_le32(d);
        l.type_index = dd_le32(d + 4);
        l.reg = dd_le16(d + 8);
        l.loc = PDB_LOC_REGREL;
        l.param = PDB_PARAM_UNKNOWN;
        name_at = 10;
        break;
    case PDB_S_BPREL32:
        if (len < 8)
            return true;
        l.offset = (int32_t)dd_le32(d);
        l.type_index = dd_le32(d + 4);
        l.loc = PDB_LOC_BPREL;
        l.param = PDB_PARAM_UNKNOWN;
        name_at = 8;
        break;
    case PDB_S_REGISTER:
        if (len < 6)
            return true;
        l.type_index = dd_le32(d);
        l.reg = dd_le16(d + 4);
        l.loc = PDB_LOC_REGISTER;
        l.param = PDB_PARAM_UNKNOWN;
        name_at = 6;
        break;
    case PDB_S_CONSTANT: {
        uint32_t size;
        if (len < 4 || !pdb_numeric_value(d + 4, len - 4, &size, &l.value))
            return true;
        l.type_index = dd_le32(d);
        l.loc = PDB_LOC_CONSTANT;
        l.param = PDB_PARAM_NO;
        name_at = 4 + size;
        break;
    }
    case PDB_S_LDATA32:
    case PDB_S_GDATA32:
    case PDB_S_LTHREAD32:
    case PDB_S_GTHREAD32:
        if (len < 10)
            return true;
        l.type_index = dd_le32(d);
        l.offset = (int32_t)dd_le32(d + 4);
        l.segment = dd_le16(d + 8);
        l.param = PDB_PARAM_NO;
        name_at = 10;
        if (kind == PDB_S_LTHREAD32 || kind == PDB_S_GTHREAD32) {
            l.loc = PDB_LOC_TLS;
        } else {
            l.loc = PDB_LOC_STATIC;
            err = pdb_addr_to_rva(w->pdb, l.segment, (uint32_t)l.offset, &l.rva);
            dd_error_destroy(err);
        }
        break;
    default:
        return true;
    }
    l.name = pdb_modsym_name(w->pdb, ms, off, d, len, name_at);
    if (!w->fn(w->ctx, &l)) {
        w->stop = true;
        return false;
    }
    return true;
}

struct dd_error *pdb_proc_locals(struct pdb *pdb, const struct pdb_proc *proc,
                                 bool (*fn)(void *ctx, const struct pdb_local *local), void *ctx)
{
    struct locals_walk *w = calloc(1, sizeof(*w));
    if (!w)
        return &dd_error_no_memory;
    w->pdb = pdb;
    w->fn = fn;
    w->ctx = ctx;
    w->scopes[0].rva = proc->rva;
    w->scopes[0].length = proc->length;
    struct dd_error *err = pdb_proc_walk(pdb, proc, NULL, locals_visit, w);
    if (!err && !w->oom)
        flush(w); /* a local as the last record */
    if (!err && w->oom)
        err = &dd_error_no_memory;
    free(w->ranges);
    free(w->gaps);
    free(w);
    return err;
}
