/*
 * Parameters and locals of one frame, with their locations and values, from the PDB procedure's
 * variable records (pdb_proc_locals): S_LOCAL + S_DEFRANGE_* (register, register-relative,
 * frame-pointer-relative, subfield register), S_REGREL32, S_BPREL32, S_REGISTER, S_CONSTANT and
 * static data. A value is shown only when it is proven: its location record covers the frame's
 * address (the instruction pointer, or the call instruction for a caller frame: ip-1) and no gap
 * excludes it, and a register location's register is known in that frame (the unwinder's validity
 * bits: volatile registers are unknown above frame 0). Everything else is "<value unavailable>".
 *
 * Register numbers are CodeView's (cvconst.h CV_HREG_e): x86 CV_REG_AL=1 .. CV_REG_EDI=24; AMD64
 * CV_AMD64_SIL=324 .. CV_AMD64_RSP=335, R8..R15=336..343, R8B=344, R8W=352, R8D=360; ARM64
 * CV_ARM64_W0=10 .. W30=40, X0=50 .. X28=78, FP=79, LR=80, SP=81. The frame base of
 * S_DEFRANGE_FRAMEPOINTER_REL is the S_FRAMEPROC local (or, for parameters, param) base pointer:
 * flags bits 14-15 / 16-17, 1 = stack pointer, 2 = frame pointer (rbp/ebp), 3 = r13 (x64) or ebx
 * (x86) (cvinfo.h FRAMEPROCSYM encodedLocalBasePointer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/arm64_regs.h"
#include "arch/x64/x64_regs.h"
#include "arch/x86/x86_regs.h"
#include "base/fmt.h"
#include "cmd/cmd_vars.h"
#include "pdb/pdb.h"

/* A CodeView register: its slot in the frame's register set, bit shift, width and name. */
struct cv_reg {
    uint16_t slot;
    uint8_t shift, bytes;
    char name[8];
};

static const char *const x86_names32[8] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"};
static const char *const x64_names64[8] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"};
static const char *const x86_names16[8] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di"};
static const char *const x86_names8[8] = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};

/* Maps CodeView register CV on CPU to ret; false when it is not a general register we track. */
static bool cv_reg_decode(enum dd_cpu cpu, uint16_t cv, struct cv_reg *ret)
{
    struct cv_reg r = {0, 0, 0, ""};
    if (cpu == DD_CPU_X86 || cpu == DD_CPU_X64) {
        /* The x86 slot order (eax ecx edx ebx esp ebp esi edi) is the x64 one too. */
        if (cv >= 1 && cv <= 8) {
            r.slot = (uint16_t)((cv - 1) & 3);
            r.shift = cv >= 5 ? 8 : 0;
            r.bytes = 1;
            snprintf(r.name, sizeof(r.name), "%s", x86_names8[cv - 1]);
        } else if (cv >= 9 && cv <= 16) {
            r.slot = (uint16_t)(cv - 9);
            r.bytes = 2;
            snprintf(r.name, sizeof(r.name), "%s", x86_names16[cv - 9]);
        } else if (cv >= 17 && cv <= 24) {
            r.slot = (uint16_t)(cv - 17);
            r.bytes = 4;
            snprintf(r.name, sizeof(r.name), "%s", x86_names32[cv - 17]);
        } else if (cpu == DD_CPU_X64 && cv >= 328 && cv <= 335) {
            /* CV_AMD64_RAX.. order: rax rbx rcx rdx rsi rdi rbp rsp. */
            static const uint8_t slots[8] = {X64_RAX, X64_RBX, X64_RCX, X64_RDX,
                                             X64_RSI, X64_RDI, X64_RBP, X64_RSP};
            r.slot = slots[cv - 328];
            r.bytes = 8;
            snprintf(r.name, sizeof(r.name), "%s", x64_names64[r.slot]);
        } else if (cpu == DD_CPU_X64 && cv >= 336 && cv <= 367) {
            unsigned n = (cv - 336) % 8, group = (cv - 336) / 8;
            static const uint8_t widths[4] = {8, 1, 2, 4};
            static const char *const suffix[4] = {"", "b", "w", "d"};
            r.slot = (uint16_t)(X64_R8 + n);
            r.bytes = widths[group];
            snprintf(r.name, sizeof(r.name), "r%u%s", 8 + n, suffix[group]);
        } else if (cpu == DD_CPU_X64 && cv >= 324 && cv <= 327) {
            static const uint8_t slots[4] = {X64_RSI, X64_RDI, X64_RBP, X64_RSP};
            static const char *const names[4] = {"sil", "dil", "bpl", "spl"};
            r.slot = slots[cv - 324];
            r.bytes = 1;
            snprintf(r.name, sizeof(r.name), "%s", names[cv - 324]);
        } else {
            return false;
        }
    } else if (cpu == DD_CPU_ARM64) {
        if (cv >= 10 && cv <= 40) {
            r.slot = (uint16_t)(cv - 10);
            r.bytes = 4;
            snprintf(r.name, sizeof(r.name), "w%u", cv - 10);
        } else if (cv >= 50 && cv <= 81) {
            r.slot = (uint16_t)(cv - 50);
            r.bytes = 8;
            if (r.slot == ARM64_FP)
                snprintf(r.name, sizeof(r.name), "fp");
            else if (r.slot == ARM64_LR)
                snprintf(r.name, sizeof(r.name), "lr");
            else if (r.slot == ARM64_SP)
                snprintf(r.name, sizeof(r.name), "sp");
            else
                snprintf(r.name, sizeof(r.name), "x%u", (unsigned)r.slot);
        } else {
            return false;
        }
    } else {
        return false;
    }
    *ret = r;
    return true;
}

/* The register a S_FRAMEPROC base-pointer code (1..3) names, as a CodeView register. */
static uint16_t frame_base_cv(enum dd_cpu cpu, unsigned code)
{
    switch (cpu) {
    case DD_CPU_X64:
        return code == 1 ? 335 : code == 2 ? 334 : code == 3 ? 341 : 0; /* rsp rbp r13 */
    case DD_CPU_X86:
        return code == 2 ? 22 : code == 3 ? 20 : 0; /* ebp ebx; 1 is the virtual frame */
    case DD_CPU_ARM64:
        return code == 1 ? 81 : code == 2 ? 79 : 0; /* sp fp */
    default:
        return 0;
    }
}

struct locals_walk {
    struct session *s;
    const struct cmd_frames *fs;
    const struct cmd_frame *f;
    const struct unwind_frame *uf;
    enum dd_cpu cpu;
    uint64_t base;   /* module base */
    uint32_t rva;    /* the frame's lookup address, module-relative */
    bool have_frameproc;
    struct pdb_frameproc fp;
    struct pdb_types *types;
    struct cmd_var *vars;
    size_t n, cap;
    size_t proc_params; /* parameters the procedure's type declares (older records) */
    size_t unknown_seen;
    bool oom;
};

/* The physical frame below PHYS whose stack holds ADDR: the function that saved a register. */
static size_t saver_of(const struct cmd_frames *fs, size_t phys, uint64_t addr)
{
    for (size_t j = 0; j < phys; j++) {
        uint64_t lo = fs->walk.frames[j].sp, hi = fs->walk.frames[j + 1].sp;
        if (addr >= lo && addr < hi)
            return j;
    }
    return phys ? phys - 1 : 0;
}

/* Reads register CV of the frame: its value, and where it came from. */
static bool read_reg(struct locals_walk *w, uint16_t cv, struct cv_reg *ret_reg, uint64_t *ret,
                     struct cmd_var *v)
{
    struct cv_reg r;
    if (!cv_reg_decode(w->cpu, cv, &r) || !unwind_regs_has(&w->uf->regs, r.slot))
        return false;
    uint64_t value = w->uf->regs.r[r.slot] >> r.shift;
    if (r.bytes < 8)
        value &= (UINT64_C(1) << (r.bytes * 8)) - 1;
    if (v) {
        if (w->f->phys == 0 || !((w->uf->regs.saved >> r.slot) & 1)) {
            v->source = CMD_VAR_SRC_CONTEXT;
        } else {
            v->source = CMD_VAR_SRC_SAVED;
            v->saved_at = w->uf->regs.saved_at[r.slot];
            v->saved_by = saver_of(w->fs, w->f->phys, v->saved_at);
        }
    }
    *ret_reg = r;
    *ret = value;
    return true;
}

/* True when RANGE covers RVA and none of its gaps does. */
static bool range_live(const struct pdb_defrange *r, uint32_t rva)
{
    if (r->full_scope)
        return true;
    if (rva < r->rva || rva - r->rva >= r->length)
        return false;
    uint32_t off = rva - r->rva;
    for (uint32_t i = 0; i < r->gap_count; i++)
        if (off >= r->gaps[i].start && off - r->gaps[i].start < r->gaps[i].length)
            return false;
    return true;
}

static void var_unavailable(struct cmd_var *v, const char *why)
{
    v->available = false;
    v->source = CMD_VAR_SRC_NONE;
    snprintf(v->why, sizeof(v->why), "%s", why);
}

/* Reads the variable from memory at ADDR (address known, described by WHERE). */
static void var_from_memory(struct locals_walk *w, struct cmd_var *v, uint64_t addr)
{
    v->in_memory = true;
    v->address = addr;
    uint32_t n = v->size < CMD_VAR_MAX_BYTES ? v->size : CMD_VAR_MAX_BYTES;
    if (n == 0) {
        var_unavailable(v, "the type has no size");
        return;
    }
    struct dd_error *err = target_read_exact(w->s->target, addr, v->value, n);
    if (err) {
        dd_error_destroy(err);
        var_unavailable(v, "its memory is not in the dump");
        return;
    }
    v->available = true;
    v->source = CMD_VAR_SRC_MEMORY;
}

/* [register CV + OFF]: reads the register, then memory; WHERE gets "@reg+0x0030". */
static void var_at_register_relative(struct locals_walk *w, struct cmd_var *v, uint16_t cv,
                                     int64_t off)
{
    struct cv_reg r;
    uint64_t base;
    if (!read_reg(w, cv, &r, &base, NULL)) {
        struct cv_reg rr;
        if (cv_reg_decode(w->cpu, cv, &rr))
            snprintf(v->where, sizeof(v->where), "@%s%s0x%04llx", rr.name, off < 0 ? "-" : "+",
                     (unsigned long long)(off < 0 ? -off : off));
        var_unavailable(v, "its base register is not known in this frame");
        return;
    }
    snprintf(v->where, sizeof(v->where), "@%s%s0x%04llx", r.name, off < 0 ? "-" : "+",
             (unsigned long long)(off < 0 ? -off : off));
    var_from_memory(w, v, base + (uint64_t)off);
}

static void var_in_register(struct locals_walk *w, struct cmd_var *v, uint16_t cv)
{
    struct cv_reg r;
    uint64_t value;
    struct cv_reg rr;
    if (cv_reg_decode(w->cpu, cv, &rr))
        snprintf(v->where, sizeof(v->where), "@%s", rr.name);
    if (!read_reg(w, cv, &r, &value, v)) {
        var_unavailable(v, cv_reg_decode(w->cpu, cv, &rr)
                               ? "its register is not known in this frame (volatile)"
                               : "its register is not supported");
        return;
    }
    memset(v->value, 0, sizeof(v->value));
    for (unsigned i = 0; i < r.bytes && i < sizeof(v->value); i++)
        v->value[i] = (uint8_t)(value >> (8 * i));
    if (v->size > r.bytes) {
        var_unavailable(v, "only part of it is in the register");
        return;
    }
    v->available = true;
}

/* An S_LOCAL's value from the def-ranges live at the frame's address. */
static void var_from_ranges(struct locals_walk *w, struct cmd_var *v, const struct pdb_local *l)
{
    /* Subfield pieces fill parts of the value; the value is proven only when all are present. */
    uint8_t covered[CMD_VAR_MAX_BYTES] = {0};
    bool any_piece = false, any_live = false;
    for (uint32_t i = 0; i < l->range_count; i++) {
        const struct pdb_defrange *r = &l->ranges[i];
        if (!range_live(r, w->rva))
            continue;
        any_live = true;
        switch (r->kind) {
        case 0x1141: /* S_DEFRANGE_REGISTER */
            var_in_register(w, v, r->reg);
            return;
        case 0x1145: /* S_DEFRANGE_REGISTER_REL */
            if (r->spilled_udt_member || r->parent_offset)
                break;
            var_at_register_relative(w, v, r->reg, r->offset);
            return;
        case 0x1142: /* S_DEFRANGE_FRAMEPOINTER_REL */
        case 0x1144: { /* S_DEFRANGE_FRAMEPOINTER_REL_FULL_SCOPE */
            unsigned code = 0;
            if (w->have_frameproc)
                code = (w->fp.flags >> (v->is_param ? 16 : 14)) & 3;
            uint16_t cv = frame_base_cv(w->cpu, code);
            if (!cv) {
                var_unavailable(v, "its frame base is not known");
                return;
            }
            var_at_register_relative(w, v, cv, r->offset);
            return;
        }
        case 0x1143: { /* S_DEFRANGE_SUBFIELD_REGISTER */
            struct cv_reg reg;
            uint64_t value;
            struct cmd_var tmp = *v;
            if (r->parent_offset >= CMD_VAR_MAX_BYTES || !read_reg(w, r->reg, &reg, &value, &tmp))
                break;
            for (unsigned b = 0; b < reg.bytes && r->parent_offset + b < CMD_VAR_MAX_BYTES; b++) {
                v->value[r->parent_offset + b] = (uint8_t)(value >> (8 * b));
                covered[r->parent_offset + b] = 1;
            }
            v->source = tmp.source;
            v->saved_at = tmp.saved_at;
            v->saved_by = tmp.saved_by;
            any_piece = true;
            break;
        }
        default:
            break; /* S_DEFRANGE/S_DEFRANGE_SUBFIELD: DIA programs, not evaluated */
        }
    }
    if (any_piece) {
        uint32_t n = v->size && v->size <= CMD_VAR_MAX_BYTES ? v->size : 0;
        bool all = n > 0;
        for (uint32_t b = 0; b < n; b++)
            all = all && covered[b];
        if (all) {
            v->available = true;
            return;
        }
        var_unavailable(v, "only some of its pieces are known here");
        return;
    }
    if (l->range_count == 0)
        var_unavailable(v, "optimized away");
    else if (!any_live)
        var_unavailable(v, "no location record covers this address");
    else
        var_unavailable(v, "its location kind is not supported");
}

static struct cmd_var *var_push(struct locals_walk *w)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        struct cmd_var *nv = realloc(w->vars, cap * sizeof(*nv));
        if (!nv) {
            w->oom = true;
            return NULL;
        }
        w->vars = nv;
        w->cap = cap;
    }
    struct cmd_var *v = &w->vars[w->n++];
    memset(v, 0, sizeof(*v));
    return v;
}

/* True when local L belongs to frame F's scope: its inline level, and its block at the address. */
static bool local_in_frame(const struct locals_walk *w, const struct pdb_local *l)
{
    if (w->f->is_inline) {
        if (l->inlinee != w->f->inlinee || l->record_offset < w->f->site_offset)
            return false;
    } else if (l->inlinee != 0) {
        return false;
    }
    if (l->block_depth > 0 && l->scope_length &&
        (w->rva < l->scope_rva || w->rva - l->scope_rva >= l->scope_length))
        return false;
    return true;
}

static bool locals_cb(void *ctx, const struct pdb_local *l)
{
    struct locals_walk *w = ctx;
    if (!local_in_frame(w, l))
        return true;
    bool is_param = l->param == PDB_PARAM_YES;
    if (l->param == PDB_PARAM_UNKNOWN && l->block_depth == 0 && !w->f->is_inline) {
        /* Older records do not say; the procedure's type counts its parameters, which come
         * first in the record order. */
        is_param = w->unknown_seen < w->proc_params;
        w->unknown_seen++;
    }
    if (l->loc == PDB_LOC_TLS)
        return true;
    struct cmd_var *v = var_push(w);
    if (!v)
        return false;
    v->name = l->name;
    v->type_index = l->type_index;
    v->is_param = is_param;
    uint64_t size = 0;
    if (w->types) {
        struct dd_error *err = pdb_types_size_of(w->types, l->type_index, &size);
        dd_error_destroy(err);
    } else {
        size = pdb_primitive_size(l->type_index);
    }
    v->size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    switch (l->loc) {
    case PDB_LOC_RANGES:
    case PDB_LOC_NONE:
        var_from_ranges(w, v, l);
        break;
    case PDB_LOC_REGISTER:
        var_in_register(w, v, l->reg);
        break;
    case PDB_LOC_REGREL:
        var_at_register_relative(w, v, l->reg, l->offset);
        break;
    case PDB_LOC_BPREL: {
        uint16_t cv = frame_base_cv(w->cpu, 2);
        if (cv)
            var_at_register_relative(w, v, cv, l->offset);
        else
            var_unavailable(v, "its frame base is not known");
        break;
    }
    case PDB_LOC_STATIC:
        var_from_memory(w, v, w->base + l->rva);
        break;
    case PDB_LOC_CONSTANT:
        for (unsigned i = 0; i < 8; i++)
            v->value[i] = (uint8_t)((uint64_t)l->value >> (8 * i));
        v->available = true;
        v->source = CMD_VAR_SRC_CONSTANT;
        break;
    default:
        var_unavailable(v, "its location kind is not supported");
        break;
    }
    return true;
}

/* The number of parameters PROC's type declares (0 when unknown). */
static size_t proc_param_count(struct pdb *pdb, struct pdb_types *types, const struct pdb_proc *p)
{
    if (!types)
        return 0;
    uint32_t ti = p->type_index;
    if (p->type_is_id) {
        struct pdb_types *ids = NULL;
        struct pdb_type id;
        struct dd_error *err = pdb_types_open(pdb_msf(pdb), PDB_TYPES_IPI, &ids);
        if (!err)
            err = pdb_types_get(ids, ti, &id);
        ti = !err && (id.leaf == PDB_LF_FUNC_ID || id.leaf == PDB_LF_MFUNC_ID) ? id.u.func_id.type
                                                                            : 0;
        dd_error_destroy(err);
        pdb_types_destroy(ids);
    }
    struct pdb_type t;
    if (!ti)
        return 0;
    struct dd_error *err = pdb_types_get(types, ti, &t);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    if (t.leaf != PDB_LF_PROCEDURE && t.leaf != PDB_LF_MFUNCTION)
        return 0;
    return t.u.proc.param_count + (t.leaf == PDB_LF_MFUNCTION && t.u.proc.this_type ? 1u : 0u);
}

struct dd_error *cmd_frame_vars_get(struct session *s, const struct cmd_frames *fs, size_t idx,
                                    struct cmd_frame_vars *ret)
{
    const struct cmd_frame *f = &fs->frames[idx];
    if (f->module == SIZE_MAX || !s->syms)
        return dd_error_create(DD_ERR_NOT_FOUND, "no symbols for this frame");
    struct pdb *pdb = symbols_module_pdb(s->syms, f->module);
    if (!pdb)
        return dd_error_create(DD_ERR_NOT_FOUND, "no private symbols for this frame");
    const struct target_module *m = &s->target->modules[f->module];
    uint64_t rva64 = f->lookup - m->base;
    if (rva64 > UINT32_MAX)
        return dd_error_create(DD_ERR_NOT_FOUND, "address outside the module image");
    struct pdb_proc proc;
    struct dd_error *err = pdb_find_proc(pdb, (uint32_t)rva64, &proc);
    if (err)
        return err;
    struct locals_walk w;
    memset(&w, 0, sizeof(w));
    w.s = s;
    w.fs = fs;
    w.f = f;
    w.uf = &fs->walk.frames[f->phys];
    w.cpu = s->effmach ? s->effmach->cpu : DD_CPU_UNKNOWN;
    w.base = m->base;
    w.rva = (uint32_t)rva64;
    struct dd_error *e = pdb_proc_frameproc(pdb, &proc, &w.fp);
    w.have_frameproc = e == NULL;
    dd_error_destroy(e);
    e = pdb_types_open(pdb_msf(pdb), PDB_TYPES_TPI, &w.types);
    if (e) {
        dd_error_destroy(e);
        w.types = NULL;
    }
    w.proc_params = proc_param_count(pdb, w.types, &proc);
    err = pdb_proc_locals(pdb, &proc, locals_cb, &w);
    if (!err && w.oom)
        err = &dd_error_no_memory;
    if (err) {
        free(w.vars);
        pdb_types_destroy(w.types);
        return err;
    }
    /* Parameters first, each group in record (declaration) order. */
    struct cmd_var *sorted = w.n ? malloc(w.n * sizeof(*sorted)) : NULL;
    if (w.n && !sorted) {
        free(w.vars);
        pdb_types_destroy(w.types);
        return &dd_error_no_memory;
    }
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < w.n; i++)
            if (w.vars[i].is_param == (pass == 0))
                sorted[k++] = w.vars[i];
    free(w.vars);
    memset(ret, 0, sizeof(*ret));
    ret->vars = sorted;
    ret->count = w.n;
    ret->types = w.types;
    ret->proc_name = proc.name;
    ret->has_proc = true;
    return NULL;
}

void cmd_frame_vars_deinit(struct cmd_frame_vars *v)
{
    if (!v)
        return;
    free(v->vars);
    pdb_types_destroy(v->types);
    memset(v, 0, sizeof(*v));
}
