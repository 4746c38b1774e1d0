/*
 * Numbered frames: a stack walk with the inlined calls active at each frame's address put in
 * front of it, innermost first, as WinDbg numbers them ("00 (Inline Function) --------`--------
 * mod!inner", "01 00000000`0011fc40 ... mod!outer+0x31"). Inline facts come from the module's
 * PDB (S_INLINESITE binary annotations, pdb_inline_frames) or its Breakpad file (INLINE records).
 * Source positions: the innermost frame's is the position at the address; each outer frame's is
 * the call site of the inlined call inside it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_vars.h"
#include "pdb/pdb.h"
#include "sym/breakpad_sym.h"

#define FRAMES_MAX_INLINE 16 /* inline nesting levels shown per physical frame */
/* Levels read, to count those not shown (pdb_inline.c reads at most 64: MAX_INLINE_DEPTH). */
#define FRAMES_READ_INLINE 64

struct frames_builder {
    struct cmd_frame *v;
    size_t n, cap, max;
};

static struct cmd_frame *frames_push(struct frames_builder *b)
{
    if (b->n >= b->max)
        return NULL;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct cmd_frame *v = realloc(b->v, cap * sizeof(*v));
        if (!v)
            return NULL;
        b->v = v;
        b->cap = cap;
    }
    struct cmd_frame *f = &b->v[b->n++];
    memset(f, 0, sizeof(*f));
    return f;
}

/* True when ADDR has a source line (into ret); the lookup's error is dropped. */
static bool find_line(struct session *s, uint64_t addr, struct symbols_line *ret)
{
    struct dd_error *err = symbols_find_line(s->syms, addr, ret);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    return true;
}

static void copy_text(char *dst, size_t len, const char *src, size_t n)
{
    if (!src) {
        dst[0] = 0;
        return;
    }
    if (n >= len)
        n = len - 1;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static bool lowest_range_cb(void *ctx, const struct pdb_inline_range *r)
{
    uint32_t *low = ctx;
    if (r->length && r->rva < *low)
        *low = r->rva;
    return true;
}

/* The start of the inline site at RECORD_OFFSET: its lowest code range (the displacement base of
 * the inline frame's "mod!inlinee+0x12"); FALLBACK when the ranges cannot be read. */
static uint32_t site_start(struct pdb *pdb, const struct pdb_proc *proc, bool has_proc,
                           uint32_t record_offset, uint32_t fallback)
{
    uint32_t low = UINT32_MAX;
    if (has_proc) {
        struct dd_error *err =
            pdb_inline_site_ranges(pdb, proc, record_offset, lowest_range_cb, &low);
        dd_error_destroy(err);
    }
    return low == UINT32_MAX || low > fallback ? fallback : low;
}

/* The inline frames of a PDB module at RVA, innermost first, then the physical frame's line. */
static bool expand_pdb(struct pdb *pdb, uint32_t rva, const struct cmd_frame *phys,
                       struct frames_builder *b, bool *ret_oom)
{
    struct pdb_inline_frame in[FRAMES_READ_INLINE];
    uint32_t n = 0;
    struct dd_error *err = pdb_inline_frames(pdb, rva, in, FRAMES_READ_INLINE, &n);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    if (n == 0)
        return false;
    struct pdb_proc proc;
    err = pdb_find_proc(pdb, rva, &proc);
    bool has_proc = err == NULL;
    dd_error_destroy(err);
    /* The outermost FRAMES_MAX_INLINE are shown; the physical frame counts the rest. */
    uint32_t shown = n < FRAMES_MAX_INLINE ? n : FRAMES_MAX_INLINE;
    for (uint32_t k = shown; k-- > 0;) {
        struct cmd_frame *f = frames_push(b);
        if (!f) {
            *ret_oom = b->n < b->max;
            return true;
        }
        *f = *phys;
        f->is_inline = true;
        snprintf(f->name, sizeof(f->name), "%s", in[k].name ? in[k].name : "?");
        f->inline_start =
            phys->lookup - rva + site_start(pdb, &proc, has_proc, in[k].record_offset,
                                            in[k].range_rva);
        f->inlinee = in[k].inlinee;
        f->site_offset = in[k].record_offset;
        snprintf(f->file, sizeof(f->file), "%s", in[k].file ? in[k].file : "");
        f->line = in[k].file ? in[k].line : 0;
    }
    struct cmd_frame *f = frames_push(b);
    if (!f) {
        *ret_oom = b->n < b->max;
        return true;
    }
    *f = *phys;
    snprintf(f->file, sizeof(f->file), "%s", in[0].call_file ? in[0].call_file : "");
    f->line = in[0].call_file ? in[0].call_line : 0;
    f->inline_omitted = n - shown;
    return true;
}

/* The same from a Breakpad file's INLINE records. */
static bool expand_breakpad(struct session *s, struct breakpad_sym *sym, uint64_t rva,
                            const struct cmd_frame *phys, struct frames_builder *b, bool *ret_oom)
{
    struct breakpad_inline_frame in[FRAMES_READ_INLINE];
    size_t n = 0;
    struct dd_error *err = breakpad_sym_find_inlines(sym, rva, in, FRAMES_READ_INLINE, &n);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    if (n == 0)
        return false;
    struct symbols_line line;
    bool has_line = find_line(s, phys->lookup, &line);
    size_t shown = n < FRAMES_MAX_INLINE ? n : FRAMES_MAX_INLINE;
    for (size_t k = shown; k-- > 0;) {
        struct cmd_frame *f = frames_push(b);
        if (!f) {
            *ret_oom = b->n < b->max;
            return true;
        }
        *f = *phys;
        f->is_inline = true;
        if (in[k].name)
            copy_text(f->name, sizeof(f->name), in[k].name, in[k].name_len);
        else
            snprintf(f->name, sizeof(f->name), "?");
        f->inline_start = phys->lookup - rva + in[k].addr;
        if (k + 1 == n) {
            if (has_line) {
                snprintf(f->file, sizeof(f->file), "%s", line.file);
                f->line = line.line;
            }
        } else if (in[k + 1].call_file) {
            copy_text(f->file, sizeof(f->file), in[k + 1].call_file, in[k + 1].call_file_len);
            f->line = in[k + 1].call_line;
        }
    }
    struct cmd_frame *f = frames_push(b);
    if (!f) {
        *ret_oom = b->n < b->max;
        return true;
    }
    *f = *phys;
    if (in[0].call_file) {
        copy_text(f->file, sizeof(f->file), in[0].call_file, in[0].call_file_len);
        f->line = in[0].call_line;
    }
    f->inline_omitted = (uint32_t)(n - shown);
    return true;
}

struct dd_error *cmd_frames_expand(struct session *s, struct unwind_walk *walk, size_t max,
                                   struct cmd_frames *ret)
{
    struct frames_builder b = {NULL, 0, 0, max ? max : UNWIND_DEFAULT_MAX_FRAMES};
    bool oom = false;
    for (size_t i = 0; i < walk->nframes && b.n < b.max && !oom; i++) {
        const struct unwind_frame *uf = &walk->frames[i];
        struct cmd_frame phys;
        memset(&phys, 0, sizeof(phys));
        phys.phys = i;
        /* A return address follows the call: its scope and line are the call's, one byte back. */
        bool exact = i == 0 || (uf->flags & UNWIND_FRAME_TRAP) || uf->ip == 0;
        phys.lookup = exact ? uf->ip : uf->ip - 1;
        phys.module = SIZE_MAX;
        const struct target_module *m = target_module_by_addr(s->target, phys.lookup);
        bool expanded = false;
        if (m && s->syms) {
            phys.module = (size_t)(m - s->target->modules);
            uint64_t rva = phys.lookup - m->base;
            struct pdb *pdb = symbols_module_pdb(s->syms, phys.module);
            struct breakpad_sym *bp = pdb ? NULL : symbols_module_breakpad(s->syms, phys.module);
            if (pdb && rva <= UINT32_MAX)
                expanded = expand_pdb(pdb, (uint32_t)rva, &phys, &b, &oom);
            else if (bp)
                expanded = expand_breakpad(s, bp, rva, &phys, &b, &oom);
        }
        if (expanded)
            continue;
        struct symbols_line line;
        if (s->syms && find_line(s, phys.lookup, &line) && line.file[0]) {
            snprintf(phys.file, sizeof(phys.file), "%s", line.file);
            phys.line = line.line;
        }
        struct cmd_frame *f = frames_push(&b);
        if (!f) {
            oom = b.n < b.max;
            break;
        }
        *f = phys;
    }
    ret->walk = *walk;
    memset(walk, 0, sizeof(*walk));
    ret->frames = b.v;
    ret->count = b.n;
    if (oom) {
        cmd_frames_deinit(ret);
        return &dd_error_no_memory;
    }
    return NULL;
}

struct dd_error *cmd_frames_collect(struct session *s, size_t max, struct cmd_frames *ret)
{
    struct unwind_walk w;
    struct dd_error *err = session_stack_walk(s, max ? max : UNWIND_DEFAULT_MAX_FRAMES, &w);
    if (err)
        return err;
    return cmd_frames_expand(s, &w, max, ret);
}

void cmd_frames_deinit(struct cmd_frames *f)
{
    if (!f)
        return;
    unwind_walk_deinit(&f->walk);
    free(f->frames);
    f->frames = NULL;
    f->count = 0;
}

void cmd_frame_site(struct session *s, const struct cmd_frames *fs, size_t idx, const char *params,
                    char *buf, size_t len)
{
    const struct cmd_frame *f = &fs->frames[idx];
    uint64_t ip = fs->walk.frames[f->phys].ip;
    const char *p = params ? params : "";
    const struct target_module *m = f->module != SIZE_MAX ? &s->target->modules[f->module] : NULL;
    if (f->is_inline && m) {
        uint64_t disp = ip - f->inline_start;
        if (disp && ip >= f->inline_start)
            snprintf(buf, len, "%s!%s%s+0x%llx", m->name, f->name, p, (unsigned long long)disp);
        else
            snprintf(buf, len, "%s!%s%s", m->name, f->name, p);
        return;
    }
    struct symbols_hit hit;
    m = target_module_by_addr(s->target, ip);
    struct dd_error *err = m && s->syms ? symbols_find_by_addr(s->syms, ip, &hit)
                                        : dd_error_create(DD_ERR_NOT_FOUND, "no module");
    bool named = !err && hit.has_name;
    dd_error_destroy(err);
    if (named) {
        if (hit.disp)
            snprintf(buf, len, "%s!%s%s+0x%llx", m->name, hit.name, p,
                     (unsigned long long)hit.disp);
        else
            snprintf(buf, len, "%s!%s%s", m->name, hit.name, p);
        return;
    }
    /* Outside every module WinDbg prints the bare number: "0x0", "0x756e4500",
     * "0xffffc509`bc08d6d0" (leading zeros dropped, the backtick kept past 32 bits). */
    if (!session_symbolize(s, ip, buf, len)) {
        if (ip >> 32)
            snprintf(buf, len, "0x%x`%08x", (unsigned)(ip >> 32), (unsigned)ip);
        else
            snprintf(buf, len, "0x%x", (unsigned)ip);
    }
}
