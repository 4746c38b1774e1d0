/*
 * Stack commands: k and its variants (kn kb kv kc kL kf kp kP kd, a frame count, "= ..." start
 * registers, /proven), .frame N and .frame /r N; inline frames count as frames (cmd_frames.c). The walk runs the effective machine's unwind cascade (src/unwind/) over the
 * dump's memory and the modules' unwind data (the image in the dump, else the image file).
 * Column layouts follow WinDbg's `k` documentation and current cdb transcripts:
 * " # Child-SP          RetAddr               Call Site".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/cmd_stack.h"
#include "cmd/cmd_vars.h"
#include "cmd/command.h"
#include "cmd/expr.h"
#include "nt/wow64.h"
#include "pe/pe_image.h"
#include "pe/pe_pdata.h"
#include "sym/symbols.h"
#include "unwind/unwind.h"
#include "arch/x86/x86_regs.h"
#include "unwind/arm/arm_unwind.h"
#include "unwind/arm64/arm64_unwind.h"
#include "unwind/x64/x64_unwind.h"
#include "unwind/x86/x86_unwind.h"


static size_t env_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct session *s = ctx;
    size_t got = 0;
    struct dd_error *err = target_read(s->target, addr, buf, len, &got);
    dd_error_destroy(err);
    return got;
}

static bool env_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    struct session *s = ctx;
    const struct target_module *m = target_module_by_addr(s->target, addr);
    if (!m)
        return false;
    *ret_base = m->base;
    *ret_size = m->size;
    return true;
}

static struct pe_image *image_at(struct session *s, uint64_t base)
{
    const struct target_module *m = target_module_by_addr(s->target, base);
    if (!m || !s->syms)
        return NULL;
    return symbols_module_image(s->syms, (size_t)(m - s->target->modules));
}

static enum unwind_lookup env_find_function(void *ctx, uint64_t base, uint32_t rva,
                                            uint32_t *ret_begin, uint32_t *ret_end,
                                            uint32_t *ret_unwind_rva)
{
    struct session *s = ctx;
    struct pe_image *img = image_at(s, base);
    const struct pe_pdata *table;
    if (!img)
        return UNWIND_LOOKUP_UNAVAILABLE;
    struct dd_error *terr = pe_pdata_get(img, &table);
    if (terr) {
        /* A table refused as a whole (past the image, too many entries) is said (limits.md). */
        bool refused = terr->code == DD_ERR_FORMAT;
        dd_error_destroy(terr);
        return refused ? UNWIND_LOOKUP_REFUSED : UNWIND_LOOKUP_UNAVAILABLE;
    }
    struct pe_pdata_entry e;
    struct dd_error *err = pe_pdata_lookup(img, rva, &e);
    if (err) {
        dd_error_destroy(err);
        /* Only a complete table proves that a function has no entry (a leaf). */
        return table->missing == 0 && table->count > 0 ? UNWIND_LOOKUP_NONE
                                                       : UNWIND_LOOKUP_UNAVAILABLE;
    }
    *ret_begin = e.begin;
    *ret_end = e.end;
    /* ARM64 passes the raw second word (packed unwind data or the .xdata RVA); on x64 it equals
     * the UNWIND_INFO RVA. */
    *ret_unwind_rva = e.unwind_data;
    return UNWIND_LOOKUP_FOUND;
}

static size_t env_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    struct session *s = ctx;
    struct pe_image *img = image_at(s, base);
    size_t got = img ? pe_image_read_rva(img, rva, buf, len) : 0;
    if (got == len)
        return got;
    return env_read_memory(ctx, base + rva, buf, len);
}

/* The unwind cascade for CPU, or NULL when none is written yet. */
static const struct unwind_arch *unwinder_for(enum dd_cpu cpu)
{
    switch (cpu) {
    case DD_CPU_X64:
        return &unwind_arch_x64;
    case DD_CPU_X86:
        return &unwind_arch_x86;
    case DD_CPU_ARM64:
        return &unwind_arch_arm64;
    case DD_CPU_ARM:
        return &unwind_arch_arm;
    default:
        return NULL;
    }
}

struct k_options {
    bool args;         /* kb kv: the first parameters */
    bool fpo;          /* kv */
    bool names_only;   /* kc */
    bool no_source;    /* kL */
    bool sizes;        /* kf */
    bool params;       /* kp */
    bool params_lines; /* kP */
    bool proven;       /* /proven */
    size_t count;
    bool count_given;  /* the user named the count: reaching it is no news */
    bool has_start;    /* k = ...: walk from start instead of the context */
    struct regset start;
};

/* Walks from START (a register set of the effective machine) into ret; see session_stack_walk. */
static struct dd_error *walk_from(struct session *s, const struct regset *rs, size_t max,
                                  struct unwind_walk *ret)
{
    struct unwind_regs start;
    unwind_regs_from_regset(rs, &start);
    const struct unwind_arch *ua = unwinder_for(rs->arch ? rs->arch->cpu : DD_CPU_UNKNOWN);
    if (!ua) {
        /* No cascade for this CPU yet: the context is the only frame that is certain. */
        memset(ret, 0, sizeof(*ret));
        ret->frames = calloc(1, sizeof(*ret->frames));
        if (!ret->frames)
            return &dd_error_no_memory;
        ret->nframes = 1;
        ret->frames[0].ip = regset_slot(rs, rs->arch->pc_slot);
        ret->frames[0].sp = regset_slot(rs, rs->arch->sp_slot);
        ret->frames[0].regs = start;
        ret->stop = UNWIND_STOP_NO_CALLER;
        return NULL;
    }
    struct unwind_env env;
    memset(&env, 0, sizeof(env));
    env.ctx = s;
    env.read_memory = env_read_memory;
    env.find_module = env_find_module;
    env.find_function = env_find_function;
    env.read_image = env_read_image;
    /* x86 frames come from the symbols' frame data (PDB FrameData/FPO, Breakpad STACK WIN/CFI). */
    struct unwind_x86_frame_info_source x86_info = {symbols_x86_frame_info, s->syms};
    if (rs->arch->cpu == DD_CPU_X86 && s->syms)
        env.arch_data = &x86_info;
    struct unwind_options o;
    memset(&o, 0, sizeof(o));
    o.max_frames = max;
    /* Kernel threads: DPC/ISR stacks, expanded-stack segments, trap frames (cmd_stack_kernel.c). */
    struct cmd_kernel_stacks *kst = NULL;
    if (s->target->kind == TARGET_KERNEL && (kst = malloc(sizeof(*kst))) != NULL &&
        cmd_stack_kernel_stacks(s, start.r[ua->sp_slot], kst))
        o.stacks = &kst->us;
    struct dd_error *err = unwind_walk_run(ua, &env, &start, &o, ret);
    free(kst);
    return err;
}

struct dd_error *session_stack_walk(struct session *s, size_t max, struct unwind_walk *ret)
{
    struct regset rs;
    struct dd_error *err = session_regs(s, &rs);
    if (err)
        return err;
    return walk_from(s, &rs, max, ret);
}

/* Writes " [file @ line] " for frame IDX into BUF (empty without a source position). */
static void frame_source(const struct cmd_frame *f, char *buf, size_t len)
{
    if (f->file[0])
        snprintf(buf, len, " [%s @ %u] ", f->file, f->line);
    else if (len)
        buf[0] = 0;
}

/* Prints frame IDX's line of k in the layout O asks for. */
static void print_frame_line(struct session *s, const struct k_options *o,
                             const struct cmd_frames *fs, size_t idx)
{
    struct dd_writer *out = s->out;
    const struct cmd_frame *f = &fs->frames[idx];
    const struct unwind_frame *uf = &fs->walk.frames[f->phys];
    unsigned ps = session_ptr_size(s);
    char sp[DD_ADDR_BUF], ra[DD_ADDR_BUF], src[1200];
    struct dd_strbuf params = {0};
    char *site = malloc(4096);
    if (!site)
        return;
    if ((o->params || o->params_lines) && !f->is_inline)
        stack_params_text(s, fs, idx, o->params_lines, &params);
    cmd_frame_site(s, fs, idx, params.len ? params.data : NULL, site, 4096);
    dd_strbuf_deinit(&params);
    frame_source(f, src, sizeof(src));
    if (o->no_source)
        src[0] = 0;
    uint64_t ret_addr = uf->has_return_address ? uf->return_address : 0;
    /* Inline frames have no stack of their own: WinDbg fills both columns with this. */
    const char *inl_sp = ps == 8 ? "(Inline Function)" : "(Inline)";
    const char *inl_ra = ps == 8 ? "--------`--------" : "--------";
    dd_printf(out, "%02zx ", idx);
    if (o->names_only) {
        dd_printf(out, "%s%s\n", site, src);
        free(site);
        return;
    }
    if (o->sizes) {
        size_t prev = SIZE_MAX;
        for (size_t k = idx; k-- > 0;)
            if (!fs->frames[k].is_inline) {
                prev = k;
                break;
            }
        if (prev == SIZE_MAX || f->is_inline)
            dd_puts(out, "          ");
        else
            dd_printf(out, "%8llx  ",
                      (unsigned long long)(uf->sp - fs->walk.frames[fs->frames[prev].phys].sp));
    }
    if (ps == 8 && o->args) {
        /* x64 has no stack arguments to speak of: kb shows the callee's home space. */
        if (f->is_inline) {
            dd_printf(out, "%s : %-71s : %s%s\n", inl_ra, inl_sp, site, src);
            free(site);
            return;
        }
        uint8_t b[32];
        size_t got = env_read_memory(s, uf->sp + 8, b, sizeof(b));
        dd_printf(out, "%s : ", dd_fmt_addr(ra, ret_addr, 8));
        for (unsigned k = 0; k < 4; k++) {
            char v[DD_ADDR_BUF];
            if (got >= (k + 1) * 8)
                dd_printf(out, "%s ", dd_fmt_addr(v, dd_le64(b + 8 * k), 8));
            else
                dd_puts(out, "????????`???????? ");
        }
        dd_printf(out, ": %s", site);
        if (o->fpo)
            stack_trap_frame_text(s, fs, idx, out);
        dd_printf(out, "%s\n", src);
        free(site);
        return;
    }
    if (f->is_inline) {
        dd_printf(out, "%s %s     ", inl_sp, inl_ra);
        if (ps == 4 && o->args)
            dd_puts(out, "-------- -------- -------- ");
        dd_printf(out, "%s%s\n", site, src);
        free(site);
        return;
    }
    if (ps == 8) {
        dd_printf(out, "%s %s     %s%s\n", dd_fmt_addr(sp, uf->sp, 8),
                  dd_fmt_addr(ra, ret_addr, 8), site, src);
        free(site);
        return;
    }
    /* x86 shows each frame's frame pointer ("ChildEBP"), virtual for FPO frames. */
    uint64_t ebp = s->effmach == &arch_x86 ? unwind_x86_child_ebp(uf)
                   : unwind_regs_has(&uf->regs, X86_EBP) ? uf->regs.r[X86_EBP]
                                                         : uf->sp;
    dd_printf(out, "%s %s     ", dd_fmt_addr(sp, ebp, 4), dd_fmt_addr(ra, ret_addr, 4));
    if (o->args) {
        /* "Args to Child": the three dwords above the saved EBP and return address. */
        uint8_t b[12];
        size_t got = env_read_memory(s, ebp + 8, b, sizeof(b));
        for (unsigned k = 0; k < 3; k++) {
            if (got >= (k + 1) * 4)
                dd_printf(out, "%08x ", dd_le32(b + 4 * k));
            else
                dd_puts(out, "???????? ");
        }
    }
    dd_puts(out, site);
    if (o->fpo)
        stack_fpo_text(s, fs, idx, out);
    dd_printf(out, "%s\n", src);
    free(site);
}

static struct dd_error *print_stack(struct session *s, const struct k_options *o)
{
    struct unwind_walk w;
    struct dd_error *err = o->has_start ? walk_from(s, &o->start, o->count, &w)
                                        : session_stack_walk(s, o->count, &w);
    if (err)
        return err;
    struct cmd_frames fs;
    err = cmd_frames_expand(s, &w, o->count, &fs);
    if (err)
        return err;
    unsigned ps = session_ptr_size(s);
    struct dd_writer *out = s->out;
    /* WinDbg's reminder, for a bare k after .cxr/.ecxr/.thread (seed 000_7dfc802f747042f7). */
    if (!o->has_start && !o->count_given && s->ctx_source == SESSION_CTX_OVERRIDE)
        dd_puts(out, "  *** Stack trace for last set context - .thread/.cxr resets it\n");
    if (!unwinder_for(s->effmach ? s->effmach->cpu : DD_CPU_UNKNOWN))
        dd_puts(out, "WARNING: Stack unwind information not available. Following frames may be "
                     "wrong.\n");
    if (o->names_only)
        dd_puts(out, " # Call Site\n");
    else if (ps == 8 && o->args)
        dd_puts(out, " # RetAddr               : Args to Child                                    "
                     "                       : Call Site\n");
    else if (ps == 8 && o->sizes)
        dd_puts(out, " #   Memory  Child-SP          RetAddr               Call Site\n");
    else if (ps == 8)
        dd_puts(out, " # Child-SP          RetAddr               Call Site\n");
    else if (o->sizes)
        dd_puts(out, " #   Memory  ChildEBP RetAddr      \n");
    else if (o->args)
        dd_puts(out, " # ChildEBP RetAddr      Args to Child              \n");
    else
        dd_puts(out, " # ChildEBP RetAddr      \n");
    for (size_t i = 0; i < fs.count; i++) {
        print_frame_line(s, o, &fs, i);
        if (o->proven)
            stack_proven_print(s, &fs, i);
    }
    /* Frames whose unwind data could not be used: their callers came from the scan. */
    for (size_t i = 0; i < fs.count; i++) {
        const struct cmd_frame *cf = &fs.frames[i];
        if (cf->is_inline || !(fs.walk.frames[cf->phys].flags & UNWIND_FRAME_BAD_UNWIND))
            continue;
        if (s->effmach && s->effmach->cpu == DD_CPU_X86)
            dd_printf(out, "(frame %02zx: its frame data is unusable - a FrameData/STACK WIN "
                           "program or STACK CFI past its limits; the frame chain or the stack "
                           "scan found its caller)\n",
                      i);
        else
            dd_printf(out, "(frame %02zx: its unwind data is unusable - a bad UNWIND_INFO, a "
                           "chain of more than 32 links or a .pdata table refused as a whole; the "
                           "stack was scanned for its caller)\n",
                      i);
    }
    /* Physical frames with more inlined calls than shown (docs/limits.md). */
    for (size_t i = 0; i < fs.count; i++)
        if (fs.frames[i].inline_omitted)
            dd_printf(out, "(frame %02zx: %u deeper inline frames not shown - a physical "
                           "frame shows at most 16 inlined calls)\n",
                      i, (unsigned)fs.frames[i].inline_omitted);
    /* Why the walk ended, when that is not the end of the stack (docs/limits.md). */
    if (fs.walk.stop == UNWIND_STOP_FAULT) {
        char fa[DD_ADDR_BUF];
        dd_printf(out, "(the walk stopped: memory at %s is not in the dump)\n",
                  dd_fmt_addr(fa, fs.walk.fault_address, ps));
    } else if (fs.walk.stop == UNWIND_STOP_NO_PROGRESS && fs.walk.nframes) {
        dd_printf(out, "(the walk stopped: the caller of frame %02zx would not be above it on the "
                       "stack - a frame pointer or return address loops)\n",
                  fs.walk.nframes - 1);
    } else if (fs.walk.stop == UNWIND_STOP_NO_CALLER && fs.walk.nframes) {
        dd_printf(out, "(the walk stopped: no caller found for frame %02zx - no unwind data, "
                       "frame pointer or return address on the stack above it)\n",
                  fs.walk.nframes - 1);
    } else if (fs.walk.stop == UNWIND_STOP_MAX_FRAMES && !o->count_given) {
        dd_printf(out, "(the walk stopped at its default frame count, %zu frames; more may "
                       "follow: k 0nN shows N)\n",
                  fs.walk.nframes);
    }
    cmd_frames_deinit(&fs);
    return NULL;
}

/*
 * The 32-bit half of a WoW64 thread's stack: a line saying where its x86 context came from (or
 * why there is none), then the walk in x86 mode. WINDBG_LABEL uses !wow64exts.k's heading.
 */
static void print_wow64_stack(struct session *s, const struct k_options *o, bool windbg_label)
{
    char abuf[DD_ADDR_BUF];
    struct wow64_context c;
    struct dd_error *err = wow64_thread_context(s->target, &s->target->threads[s->cur_thread], &c);
    const char *label = windbg_label ? "Walking 32bit Stack..." : "WoW64 32-bit stack";
    if (err) {
        dd_printf(s->out, "%s%s%s\n", label, windbg_label ? "\n" : ": ", err->message);
        dd_error_destroy(err);
        return;
    }
    if (windbg_label)
        dd_printf(s->out, "%s\n", label);
    else if (c.source == WOW64_CONTEXT_NATIVE)
        dd_printf(s->out, "%s (x86 context: the thread's own, it was running 32-bit code):\n",
                  label);
    else
        dd_printf(s->out, "%s (x86 context at %s in the thread's WOW64 CPU area):\n", label,
                  dd_fmt_addr(abuf, c.where.context, 8));
    const struct arch_ops *saved = s->effmach;
    s->effmach = &arch_x86;
    err = print_stack(s, o);
    s->effmach = saved;
    if (err) {
        session_report_error(s, err);
        dd_error_destroy(err);
    }
}

/* True when `k` should add the 32-bit stack: a WoW64 thread shown in the native (x64) mode. */
static bool wants_wow64_stack(struct session *s)
{
    return s->ctx_source == SESSION_CTX_THREAD && s->effmach == s->arch &&
           s->cur_thread < s->target->nthreads && session_is_wow64(s);
}

struct dd_error *cmd_stack_wow64_k(struct session *s, size_t count)
{
    struct k_options o;
    memset(&o, 0, sizeof(o));
    o.count = count ? count : 256;
    if (!session_is_wow64(s) || s->cur_thread >= s->target->nthreads ||
        s->ctx_source != SESSION_CTX_THREAD)
        return print_stack(s, &o);
    const struct arch_ops *saved = s->effmach;
    s->effmach = s->arch;
    dd_puts(s->out, "Walking 64bit Stack...\n");
    struct dd_error *err = print_stack(s, &o);
    if (err) {
        session_report_error(s, err);
        dd_error_destroy(err);
    }
    dd_puts(s->out, "\n");
    print_wow64_stack(s, &o, true);
    s->effmach = saved;
    return NULL;
}

/*
 * "= ..." of k: the registers a walk starts from (debugger reference, k): on x86
 * "= BasePtr StackPtr InstructionPtr" (or "= BasePtr [FrameCount]": that frame pointer with the
 * context's stack and instruction pointers); on x64 and ARM64 "= StackPtr InstructionPtr
 * FrameCount" (or "= StackPtr FrameCount" with the context's instruction pointer). Only the named
 * registers are known in the start frame: the others are not the context's at that point.
 */
static struct dd_error *parse_start(struct session *s, const char *p, struct k_options *o)
{
    uint64_t v[3];
    size_t n = 0;
    char word[256];
    while (*p && n < 3) {
        p = cmd_next_word(p, word, sizeof(word));
        struct dd_error *err = expr_eval(s, word, &v[n]);
        if (err)
            return err;
        n++;
    }
    if (n == 0 || *p)
        return dd_error_create(DD_ERR_SYNTAX, "Syntax error in 'k = %s'", p);
    struct regset ctx;
    struct dd_error *err = session_regs(s, &ctx);
    if (err)
        return err;
    const struct arch_ops *arch = ctx.arch;
    struct regset rs;
    memset(&rs, 0, sizeof(rs));
    rs.arch = arch;
    uint64_t count = 0;
    if (arch->cpu == DD_CPU_X86) {
        regset_put(&rs, arch->fp_slot, v[0]);
        regset_put(&rs, arch->sp_slot, n == 3 ? v[1] : regset_slot(&ctx, arch->sp_slot));
        regset_put(&rs, arch->pc_slot, n == 3 ? v[2] : regset_slot(&ctx, arch->pc_slot));
        if (n == 2)
            count = v[1];
    } else {
        regset_put(&rs, arch->sp_slot, v[0]);
        regset_put(&rs, arch->pc_slot, n == 3 ? v[1] : regset_slot(&ctx, arch->pc_slot));
        if (n >= 2)
            count = v[n - 1];
    }
    if (count) {
        o->count = (size_t)(count > 0xffff ? 0xffff : count);
        o->count_given = true;
    }
    o->start = rs;
    o->has_start = true;
    return NULL;
}

/* kd [WordCount]: the raw stack words from the stack pointer, as dps/dds show them. */
static struct dd_error *stack_words(struct session *s, const char *rest)
{
    struct regset rs;
    struct dd_error *err = session_regs(s, &rs);
    if (err)
        return err;
    /* The default is the stack trace length, 0n256 DWORD_PTRs (".kframes" in the debugger docs). */
    uint64_t n = 256;
    if (*rest && (err = expr_eval(s, rest, &n)) != NULL)
        return err;
    char cmd[96];
    snprintf(cmd, sizeof(cmd), "%s 0x%llx L0x%llx", session_ptr_size(s) == 8 ? "dqs" : "dds",
             (unsigned long long)regset_slot(&rs, rs.arch->sp_slot),
             (unsigned long long)(n ? n : 1));
    cmd_execute(s, cmd);
    return NULL;
}

/*
 * k[b|v|p|P|c|L|f|n|d] [/proven] [= ...] [COUNT]: the letters may come glued ("kPn") or not.
 * /proven (dumpdbg's, not WinDbg's) adds under each frame the parameter values that can be
 * proven, each with where it came from, and "unknown" for the rest.
 */
static struct dd_error *cmd_k(struct session *s, const struct cmd_args *a)
{
    struct k_options o;
    memset(&o, 0, sizeof(o));
    o.count = 256;
    if (strcmp(a->suffix, "d") == 0)
        return stack_words(s, a->rest);
    for (const char *c = a->suffix; *c; c++) {
        switch (*c) {
        case 'b':
            o.args = true;
            break;
        case 'v':
            o.args = o.fpo = true;
            break;
        case 'p':
            o.params = true;
            break;
        case 'P':
            o.params_lines = true;
            break;
        case 'c':
            o.names_only = true;
            break;
        case 'L':
            o.no_source = true;
            break;
        case 'f':
            o.sizes = true;
            break;
        case 'n':
        case 'M':
            break; /* frame numbers are always shown; no DML */
        default:
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
        }
    }
    const char *p = a->rest;
    if (strncmp(p, "/proven", 7) == 0 && (p[7] == 0 || p[7] == ' ' || p[7] == '\t')) {
        o.proven = true;
        p += 7;
        while (*p == ' ' || *p == '\t')
            p++;
    }
    if (*p == '=') {
        struct dd_error *err = parse_start(s, p + 1, &o);
        if (err)
            return err;
    } else if (*p) {
        uint64_t n;
        struct dd_error *err = expr_eval(s, p, &n);
        if (err)
            return err;
        o.count = n ? (size_t)(n > 0xffff ? 0xffff : n) : 1;
        o.count_given = true;
    }
    struct dd_error *err = print_stack(s, &o);
    if (err)
        return err;
    /* A WoW64 thread in 64-bit mode: its 32-bit stack follows, with no mode switch needed. */
    if (!o.has_start && wants_wow64_stack(s)) {
        dd_puts(s->out, "\n");
        print_wow64_stack(s, &o, false);
    }
    return NULL;
}

/* .frame [/r] [N]: select frame N of the current stack (inline frames count); /r shows its
 * registers, the physical frame's for an inline one. */
static struct dd_error *cmd_frame(struct session *s, const struct cmd_args *a)
{
    const char *p = a->rest;
    bool regs = false;
    if (p[0] == '/' && (p[1] == 'r' || p[1] == 'R')) {
        regs = true;
        p += 2;
        while (*p == ' ')
            p++;
    }
    uint64_t n = s->cur_frame;
    if (*p) {
        struct dd_error *err = expr_eval(s, p, &n);
        if (err)
            return err;
    }
    struct cmd_frames fs;
    struct dd_error *err =
        cmd_frames_collect(s, n < 0xffff ? (size_t)(n + 1) : 0x10000, &fs);
    if (err)
        return err;
    if (n >= fs.count) {
        cmd_frames_deinit(&fs);
        return dd_error_create(DD_ERR_NOT_FOUND, "Cannot find frame 0x%llx, previous scope unchanged",
                               (unsigned long long)n);
    }
    s->cur_frame = (size_t)n;
    struct k_options o;
    memset(&o, 0, sizeof(o));
    print_frame_line(s, &o, &fs, (size_t)n);
    if (regs && s->effmach) {
        /* Registers the unwind could not recover print as unknown, never as stale values. */
        struct regset rs;
        unwind_regs_to_regset(&fs.walk.frames[fs.frames[n].phys].regs, s->effmach, &rs);
        s->effmach->print_regs(s->out, &rs);
    }
    cmd_frames_deinit(&fs);
    return NULL;
}

const struct cmd_def cmd_table_stack[] = {
    {"k", cmd_k, CMD_PREFIX,
     "k[b|v|p|P|c|L|f|n|d] [/proven] [= SP IP COUNT | = BP SP IP] [COUNT] - display the stack"},
    {".frame", cmd_frame, 0, ".frame [/r] [N] - select a frame (and show its registers)"},
    {NULL, NULL, 0, NULL},
};
