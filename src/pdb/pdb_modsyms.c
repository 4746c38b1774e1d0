/*
 * A module's symbol stream (the DBI module info names it): u32 signature 4 (C13), then CodeView
 * symbol records {u16 length, u16 kind, data} to SymByteSize; unknown kinds are skipped by their
 * length. Procedures (cvinfo.h PROCSYM32: u32 pParent, pEnd, pNext, len, DbgStart, DbgEnd,
 * typind, off, u16 seg, u8 flags, name) and thunks (THUNKSYM32: u32 pParent, pEnd, pNext, off,
 * u16 seg, u16 len, u8 ord, name) are indexed per module, sorted by address, on first use.
 */
#include <stdlib.h>
#include <string.h>

#include "pdb/pdb_internal.h"

/* More scope-opening kinds (cvinfo.h). */
#define S_WITH32 0x1104u
#define S_GMANPROC 0x112au
#define S_LMANPROC 0x112bu
#define S_SEPCODE 0x1132u
#define S_CALLSITEINFO 0x1139u
#define S_HEAPALLOCSITE 0x115eu

bool pdb_symkind_is_proc(uint16_t kind)
{
    switch (kind) {
    case PDB_S_GPROC32:
    case PDB_S_LPROC32:
    case PDB_S_GPROC32_ID:
    case PDB_S_LPROC32_ID:
    case PDB_S_LPROC32_DPC:
    case PDB_S_LPROC32_DPC_ID:
        return true;
    default:
        return false;
    }
}

bool pdb_symkind_opens_scope(uint16_t kind)
{
    switch (kind) {
    case PDB_S_THUNK32:
    case PDB_S_BLOCK32:
    case S_WITH32:
    case S_GMANPROC:
    case S_LMANPROC:
    case S_SEPCODE:
    case PDB_S_INLINESITE:
    case PDB_S_INLINESITE2:
        return true;
    default:
        return pdb_symkind_is_proc(kind);
    }
}

bool pdb_symkind_closes_scope(uint16_t kind)
{
    return kind == PDB_S_END || kind == PDB_S_PROC_ID_END || kind == PDB_S_INLINESITE_END;
}

struct dd_error *pdb_modsym_record(const struct pdb_module_state *ms, uint32_t off,
                                   uint16_t *ret_kind, const uint8_t **ret_data,
                                   uint32_t *ret_len, uint32_t *ret_next)
{
    if (off > ms->syms_size || ms->syms_size - off < 4)
        return dd_error_create(DD_ERR_FORMAT, "module %u: symbol record at offset 0x%x runs past "
                               "the symbol substream (%u bytes)", ms->info.index, off,
                               ms->syms_size);
    uint16_t len = dd_le16(ms->syms + off);
    if (len < 2 || (uint64_t)off + 2 + len > ms->syms_size)
        return dd_error_create(DD_ERR_FORMAT, "module %u: symbol record at offset 0x%x has length "
                               "%u, past the symbol substream (%u bytes)", ms->info.index, off,
                               len, ms->syms_size);
    *ret_kind = dd_le16(ms->syms + off + 2);
    *ret_data = ms->syms + off + 4;
    *ret_len = len - 2u;
    *ret_next = off + 2u + len;
    return NULL;
}

/* Returns the NUL-terminated name at D + AT of a record with LEN data bytes at OFF of module MS:
 * a pointer into the stream when terminated inside the record, else an interned copy. */
const char *pdb_modsym_name(struct pdb *pdb, const struct pdb_module_state *ms, uint32_t off,
                            const uint8_t *d, uint32_t len, uint32_t at)
{
    if (at >= len)
        return "";
    if (pdb_strnlen(d + at, len - at) < len - at)
        return (const char *)d + at;
    const char *s = pdb_intern(pdb, PDB_KEY_MODULE(ms->info.index, off), d + at, len - at);
    return s ? s : "";
}

struct dd_error *pdb_proc_decode(struct pdb *pdb, struct pdb_module_state *ms, uint32_t off,
                                 struct pdb_proc *ret)
{
    uint16_t kind = 0;
    const uint8_t *d = NULL;
    uint32_t len = 0, next = 0;
    struct dd_error *err = pdb_modsym_record(ms, off, &kind, &d, &len, &next);
    if (err)
        return dd_error_wrap(err, "%s", pdb->name);
    struct pdb_proc p;
    memset(&p, 0, sizeof(p));
    p.kind = kind;
    p.module = ms->info.index;
    p.record_offset = off;
    if (pdb_symkind_is_proc(kind) && len >= 35) {
        p.end_offset = dd_le32(d + 4);
        p.length = dd_le32(d + 12);
        p.debug_start = dd_le32(d + 16);
        p.debug_end = dd_le32(d + 20);
        p.type_index = dd_le32(d + 24);
        p.offset = dd_le32(d + 28);
        p.segment = dd_le16(d + 32);
        p.flags = d[34];
        p.type_is_id = kind == PDB_S_GPROC32_ID || kind == PDB_S_LPROC32_ID ||
                       kind == PDB_S_LPROC32_DPC_ID;
        p.name = pdb_modsym_name(pdb, ms, off, d, len, 35);
    } else if (kind == PDB_S_THUNK32 && len >= 21) {
        p.end_offset = dd_le32(d + 4);
        p.offset = dd_le32(d + 12);
        p.segment = dd_le16(d + 16);
        p.length = dd_le16(d + 18);
        p.name = pdb_modsym_name(pdb, ms, off, d, len, 21);
    } else {
        return pdb_error(pdb, DD_ERR_FORMAT, "module %u: record at offset 0x%x (kind 0x%04x, %u "
                         "bytes) is not a procedure", ms->info.index, off, kind, len);
    }
    uint32_t src = 0;
    err = pdb_addr_to_src(pdb, p.segment, p.offset, &src);
    if (err)
        return err;
    if (!pdb_src_to_rva(pdb, src, &p.rva))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "module %u: OMAP maps procedure %s nowhere",
                         ms->info.index, p.name);
    *ret = p;
    return NULL;
}

/* Start ascending; for one start the longer first and then the later record first, so that a
 * search stepping back from the last start at or below an address meets the innermost procedure
 * and, among folded duplicates, the first one in the stream. */
static int proc_ref_cmp(const void *a, const void *b)
{
    const struct pdb_proc_ref *x = a, *y = b;
    if (x->src_rva != y->src_rva)
        return x->src_rva < y->src_rva ? -1 : 1;
    if (x->length != y->length)
        return x->length > y->length ? -1 : 1;
    return x->record_offset > y->record_offset ? -1 : x->record_offset < y->record_offset;
}

/* Builds MS's procedure index. A damaged record ends the walk; what was found before it stays. */
static struct dd_error *procs_build(struct pdb *pdb, struct pdb_module_state *ms)
{
    uint32_t cap = 0, n = 0;
    struct pdb_proc_ref *v = NULL;
    for (uint32_t off = 4; off < ms->syms_size;) {
        uint16_t kind = 0;
        const uint8_t *d = NULL;
        uint32_t len = 0, next = 0;
        struct dd_error *err = pdb_modsym_record(ms, off, &kind, &d, &len, &next);
        if (err) {
            dd_error_destroy(err);
            break;
        }
        uint16_t seg = 0;
        uint32_t addr = 0, size = 0;
        bool is_code = false;
        if (pdb_symkind_is_proc(kind) && len >= 35) {
            size = dd_le32(d + 12);
            addr = dd_le32(d + 28);
            seg = dd_le16(d + 32);
            is_code = true;
        } else if (kind == PDB_S_THUNK32 && len >= 21) {
            addr = dd_le32(d + 12);
            seg = dd_le16(d + 16);
            size = dd_le16(d + 18);
            is_code = true;
        }
        uint32_t src = 0;
        if (is_code) {
            err = pdb_addr_to_src(pdb, seg, addr, &src);
            if (err) {
                dd_error_destroy(err);
            } else {
                if (n == cap) {
                    cap = cap ? cap * 2 : 32;
                    struct pdb_proc_ref *nv = realloc(v, (size_t)cap * sizeof(*nv));
                    if (!nv) {
                        free(v);
                        return &dd_error_no_memory;
                    }
                    v = nv;
                }
                v[n].src_rva = src;
                v[n].length = size;
                v[n].record_offset = off;
                n++;
            }
        }
        off = next;
    }
    if (n > 1)
        qsort(v, n, sizeof(*v), proc_ref_cmp);
    ms->procs = v;
    ms->nprocs = n;
    return NULL;
}

/* Loads module M and its procedure index. */
struct dd_error *pdb_module_procs_ready(struct pdb *pdb, uint32_t m, struct pdb_module_state **ret)
{
    struct pdb_module_state *ms;
    struct dd_error *err = pdb_module_load(pdb, m, &ms);
    if (err)
        return err;
    if (ms->procs_state == PDB_LAZY_NO) {
        if ((err = pdb_sections_ready(pdb)))
            return err;
        if ((err = procs_build(pdb, ms)))
            return err;
        ms->procs_state = PDB_LAZY_OK;
    }
    *ret = ms;
    return NULL;
}

/* Sets ret to the index entry of MS holding source RVA SRC. */
bool pdb_module_proc_at(const struct pdb_module_state *ms, uint32_t src, uint32_t *ret_off)
{
    uint32_t lo = 0, hi = ms->nprocs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ms->procs[mid].src_rva <= src)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* The nearest start first; a few earlier ones in case procedures nest or overlap. */
    for (uint32_t i = lo, tries = 0; i > 0 && tries < 4; i--, tries++) {
        const struct pdb_proc_ref *p = &ms->procs[i - 1];
        uint32_t len = p->length ? p->length : 1;
        if (src - p->src_rva < len) {
            *ret_off = p->record_offset;
            return true;
        }
    }
    return false;
}

struct dd_error *pdb_find_proc_src(struct pdb *pdb, uint32_t src, struct pdb_module_state **ret_ms,
                                   struct pdb_proc *ret)
{
    uint32_t m = 0, off = 0;
    struct pdb_module_state *ms;
    struct dd_error *err = pdb_module_find_by_src(pdb, src, &m);
    if (err)
        return err;
    if ((err = pdb_module_procs_ready(pdb, m, &ms)))
        return err;
    if (!pdb_module_proc_at(ms, src, &off))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "no procedure of module %u holds source RVA 0x%x",
                         m, src);
    if ((err = pdb_proc_decode(pdb, ms, off, ret)))
        return err;
    *ret_ms = ms;
    return NULL;
}

struct dd_error *pdb_find_proc(struct pdb *pdb, uint32_t rva, struct pdb_proc *ret)
{
    struct dd_error *err = pdb_sections_ready(pdb);
    if (err)
        return err;
    uint32_t src = 0;
    if (!pdb_rva_to_src(pdb, rva, &src))
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "OMAP maps RVA 0x%x nowhere", rva);
    struct pdb_module_state *ms;
    return pdb_find_proc_src(pdb, src, &ms, ret);
}

struct dd_error *pdb_proc_from_ref(struct pdb *pdb, uint32_t module, uint32_t offset,
                                   struct pdb_proc *ret)
{
    struct pdb_module_state *ms;
    struct dd_error *err = pdb_module_load(pdb, module, &ms);
    if (err)
        return err;
    if ((err = pdb_sections_ready(pdb)))
        return err;
    return pdb_proc_decode(pdb, ms, offset, ret);
}

struct proc_by_name {
    struct pdb *pdb;
    struct pdb_proc proc;
    bool found;
};

static bool procref_visit(void *ctx, const struct pdb_global *g)
{
    struct proc_by_name *f = ctx;
    if (g->kind != PDB_S_PROCREF && g->kind != PDB_S_LPROCREF)
        return true;
    struct dd_error *err = pdb_proc_from_ref(f->pdb, g->module, g->module_offset, &f->proc);
    if (err) {
        dd_error_destroy(err);
        return true;
    }
    f->found = true;
    return false;
}

struct dd_error *pdb_find_proc_by_name(struct pdb *pdb, const char *name, struct pdb_proc *ret)
{
    struct proc_by_name f = {.pdb = pdb};
    struct dd_error *err = pdb_globals_find_by_name(pdb, name, procref_visit, &f);
    if (err && err->code != DD_ERR_NOT_FOUND)
        return err;
    dd_error_destroy(err);
    if (!f.found)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "no procedure named \"%s\"", name);
    *ret = f.proc;
    return NULL;
}

struct dd_error *pdb_module_procs_iterate(struct pdb *pdb, uint32_t module,
                                          bool (*fn)(void *ctx, const struct pdb_proc *proc),
                                          void *ctx)
{
    struct pdb_module_state *ms;
    struct dd_error *err = pdb_module_procs_ready(pdb, module, &ms);
    if (err)
        return err;
    for (uint32_t off = 4; off < ms->syms_size;) {
        uint16_t kind = 0;
        const uint8_t *d = NULL;
        uint32_t len = 0, next = 0;
        if ((err = pdb_modsym_record(ms, off, &kind, &d, &len, &next)))
            return dd_error_wrap(err, "%s", pdb->name);
        if (pdb_symkind_is_proc(kind) || kind == PDB_S_THUNK32) {
            struct pdb_proc p;
            err = pdb_proc_decode(pdb, ms, off, &p);
            if (err)
                dd_error_destroy(err); /* no address: not a procedure a debugger can show */
            else if (!fn(ctx, &p))
                return NULL;
        }
        off = next;
    }
    return NULL;
}

struct dd_error *pdb_proc_walk(struct pdb *pdb, const struct pdb_proc *proc,
                               struct pdb_module_state **ret_ms,
                               bool (*fn)(void *ctx, struct pdb_module_state *ms, uint32_t off,
                                          uint16_t kind, const uint8_t *d, uint32_t len,
                                          uint32_t depth),
                               void *ctx)
{
    struct pdb_module_state *ms;
    struct dd_error *err = pdb_module_load(pdb, proc->module, &ms);
    if (err)
        return err;
    if ((err = pdb_sections_ready(pdb)))
        return err;
    if (ret_ms)
        *ret_ms = ms;
    uint32_t depth = 0;
    for (uint32_t off = proc->record_offset; off < ms->syms_size;) {
        uint16_t kind = 0;
        const uint8_t *d = NULL;
        uint32_t len = 0, next = 0;
        if ((err = pdb_modsym_record(ms, off, &kind, &d, &len, &next)))
            return dd_error_wrap(err, "%s", pdb->name);
        if (pdb_symkind_closes_scope(kind)) {
            if (depth <= 1)
                break; /* the procedure's own S_END */
            depth--;
            if (!fn(ctx, ms, off, kind, d, len, depth))
                break;
        } else {
            if (!fn(ctx, ms, off, kind, d, len, depth))
                break;
            if (pdb_symkind_opens_scope(kind))
                depth++;
        }
        if (depth == 0)
            break; /* the procedure record did not open a scope */
        off = next;
    }
    return NULL;
}

struct frameproc_find {
    struct pdb_frameproc fp;
    bool found;
};

static bool frameproc_visit(void *ctx, struct pdb_module_state *ms, uint32_t off, uint16_t kind,
                            const uint8_t *d, uint32_t len, uint32_t depth)
{
    struct frameproc_find *f = ctx;
    if (kind != PDB_S_FRAMEPROC || depth != 1)
        return true;
    if (len < 26)
        return false;
    f->fp.frame_bytes = dd_le32(d);
    f->fp.pad_bytes = dd_le32(d + 4);
    f->fp.pad_offset = dd_le32(d + 8);
    f->fp.saved_regs_bytes = dd_le32(d + 12);
    f->fp.eh_offset = dd_le32(d + 16);
    f->fp.eh_section = dd_le16(d + 20);
    f->fp.flags = dd_le32(d + 22);
    f->found = true;
    return false;
}

struct dd_error *pdb_proc_frameproc(struct pdb *pdb, const struct pdb_proc *proc,
                                    struct pdb_frameproc *ret)
{
    struct frameproc_find f = {.found = false};
    struct dd_error *err = pdb_proc_walk(pdb, proc, NULL, frameproc_visit, &f);
    if (err)
        return err;
    if (!f.found)
        return pdb_error(pdb, DD_ERR_NOT_FOUND, "procedure %s has no S_FRAMEPROC", proc->name);
    *ret = f.fp;
    return NULL;
}

struct label_walk {
    struct pdb *pdb;
    bool (*label_fn)(void *ctx, const struct pdb_label *label);
    bool (*site_fn)(void *ctx, const struct pdb_callsite *cs);
    void *ctx;
};

static bool label_visit(void *ctx, struct pdb_module_state *ms, uint32_t off, uint16_t kind,
                        const uint8_t *d, uint32_t len, uint32_t depth)
{
    struct label_walk *w = ctx;
    if (kind == PDB_S_LABEL32 && w->label_fn && len >= 7) {
        struct pdb_label l;
        l.flags = d[6];
        l.name = pdb_modsym_name(w->pdb, ms, off, d, len, 7);
        struct dd_error *err = pdb_addr_to_rva(w->pdb, dd_le16(d + 4), dd_le32(d), &l.rva);
        if (err) {
            dd_error_destroy(err);
            return true;
        }
        return w->label_fn(w->ctx, &l);
    }
    if ((kind == S_CALLSITEINFO || kind == S_HEAPALLOCSITE) && w->site_fn && len >= 12) {
        struct pdb_callsite cs;
        cs.kind = kind;
        cs.instr_length = kind == S_HEAPALLOCSITE ? dd_le16(d + 6) : 0;
        cs.type_index = dd_le32(d + 8);
        struct dd_error *err = pdb_addr_to_rva(w->pdb, dd_le16(d + 4), dd_le32(d), &cs.rva);
        if (err) {
            dd_error_destroy(err);
            return true;
        }
        return w->site_fn(w->ctx, &cs);
    }
    return true;
}

struct dd_error *pdb_proc_labels(struct pdb *pdb, const struct pdb_proc *proc,
                                 bool (*fn)(void *ctx, const struct pdb_label *label), void *ctx)
{
    struct label_walk w = {pdb, fn, NULL, ctx};
    return pdb_proc_walk(pdb, proc, NULL, label_visit, &w);
}

struct dd_error *pdb_proc_callsites(struct pdb *pdb, const struct pdb_proc *proc,
                                    bool (*fn)(void *ctx, const struct pdb_callsite *cs),
                                    void *ctx)
{
    struct label_walk w = {pdb, NULL, fn, ctx};
    return pdb_proc_walk(pdb, proc, NULL, label_visit, &w);
}
