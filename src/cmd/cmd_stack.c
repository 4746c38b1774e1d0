/*
 * Stack commands: k and its variants (kn kb kv kc kL kf, a frame count), .frame N and
 * .frame /r N. The walk runs the effective machine's unwind cascade (src/unwind/) over the
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
#include "cmd/command.h"
#include "cmd/expr.h"
#include "nt/wow64.h"
#include "pe/pe_image.h"
#include "pe/pe_pdata.h"
#include "sym/symbols.h"
#include "unwind/unwind.h"
#include "arch/x86/x86_regs.h"
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
    if (!img || dd_error_drop(pe_pdata_get(img, &table)))
        return UNWIND_LOOKUP_UNAVAILABLE;
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
    default:
        return NULL;
    }
}

struct dd_error *session_stack_walk(struct session *s, size_t max, struct unwind_walk *ret)
{
    struct regset rs;
    struct dd_error *err = session_regs(s, &rs);
    if (err)
        return err;
    struct unwind_regs start;
    unwind_regs_from_regset(&rs, &start);
    const struct unwind_arch *ua = unwinder_for(rs.arch ? rs.arch->cpu : DD_CPU_UNKNOWN);
    if (!ua) {
        /* No cascade for this CPU yet: the context is the only frame that is certain. */
        memset(ret, 0, sizeof(*ret));
        ret->frames = calloc(1, sizeof(*ret->frames));
        if (!ret->frames)
            return &dd_error_no_memory;
        ret->nframes = 1;
        ret->frames[0].ip = regset_slot(&rs, rs.arch->pc_slot);
        ret->frames[0].sp = regset_slot(&rs, rs.arch->sp_slot);
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
    if (rs.arch->cpu == DD_CPU_X86 && s->syms)
        env.arch_data = &x86_info;
    struct unwind_options o;
    memset(&o, 0, sizeof(o));
    o.max_frames = max;
    return unwind_walk_run(ua, &env, &start, &o, ret);
}

struct k_options {
    bool args;     /* kb kv: the first parameters */
    bool fpo;      /* kv */
    bool names_only; /* kc */
    bool no_source;  /* kL */
    bool sizes;      /* kf */
    size_t count;
};

/* The frame's code location as WinDbg writes it, plus " [file @ line]" when known. */
static void call_site(struct session *s, const struct unwind_frame *f, bool first, bool source,
                      char *buf, size_t len)
{
    if (!session_symbolize(s, f->ip, buf, len)) {
        char abuf[DD_ADDR_BUF];
        snprintf(buf, len, "%s", session_fmt_addr(s, abuf, f->ip));
    }
    if (!source || !s->syms)
        return;
    /* A return address points after the call: its line is the call's, one byte back. */
    struct symbols_line line;
    uint64_t at = first || (f->flags & UNWIND_FRAME_TRAP) ? f->ip : f->ip - 1;
    if (symbols_find_line(s->syms, at, &line) == NULL && line.file[0]) {
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, " [%s @ %u] ", line.file, line.line);
    }
}

static struct dd_error *print_stack(struct session *s, const struct k_options *o)
{
    struct unwind_walk w;
    struct dd_error *err = session_stack_walk(s, o->count, &w);
    if (err)
        return err;
    unsigned ps = session_ptr_size(s);
    struct dd_writer *out = s->out;
    char sp[DD_ADDR_BUF], ra[DD_ADDR_BUF], site[2048];
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
    else if (o->args)
        dd_puts(out, " # ChildEBP RetAddr      Args to Child              \n");
    else
        dd_puts(out, " # ChildEBP RetAddr      \n");
    for (size_t i = 0; i < w.nframes; i++) {
        const struct unwind_frame *f = &w.frames[i];
        call_site(s, f, i == 0, !o->no_source, site, sizeof(site));
        uint64_t ret_addr = f->has_return_address ? f->return_address : 0;
        dd_printf(out, "%02zx ", i);
        if (o->names_only) {
            dd_printf(out, "%s\n", site);
            continue;
        }
        if (o->sizes) {
            if (i == 0)
                dd_puts(out, "          ");
            else
                dd_printf(out, "%8llx  ", (unsigned long long)(f->sp - w.frames[i - 1].sp));
        }
        if (ps == 8 && o->args) {
            /* x64 has no stack arguments to speak of: kb shows the callee's home space. */
            uint64_t home[4] = {0, 0, 0, 0};
            uint8_t b[32];
            size_t got = env_read_memory(s, f->sp + 8, b, sizeof(b));
            dd_printf(out, "%s : ", dd_fmt_addr(ra, ret_addr, 8));
            for (unsigned k = 0; k < 4; k++) {
                char v[DD_ADDR_BUF];
                if (got >= (k + 1) * 8) {
                    home[k] = dd_le64(b + 8 * k);
                    dd_printf(out, "%s ", dd_fmt_addr(v, home[k], 8));
                } else {
                    dd_puts(out, "????????`???????? ");
                }
            }
            dd_printf(out, ": %s\n", site);
            continue;
        }
        if (ps == 8) {
            dd_printf(out, "%s %s     %s\n", dd_fmt_addr(sp, f->sp, 8), dd_fmt_addr(ra, ret_addr, 8),
                      site);
        } else {
            /* x86 shows each frame's EBP ("ChildEBP"), the stack pointer when EBP is unknown. */
            uint64_t ebp = unwind_regs_has(&f->regs, X86_EBP) ? f->regs.r[X86_EBP] : f->sp;
            dd_printf(out, "%s %s     %s\n", dd_fmt_addr(sp, ebp, 4), dd_fmt_addr(ra, ret_addr, 4),
                      site);
        }
    }
    if (w.stop == UNWIND_STOP_FAULT) {
        char fa[DD_ADDR_BUF];
        dd_printf(out, "(the walk stopped: memory at %s is not in the dump)\n",
                  dd_fmt_addr(fa, w.fault_address, ps));
    }
    unwind_walk_deinit(&w);
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

/* k[b|v|c|L|f|n|p|P] [= BP SP IP] [COUNT]: the letters may come glued ("kbn") or not. */
static struct dd_error *cmd_k(struct session *s, const struct cmd_args *a)
{
    struct k_options o;
    memset(&o, 0, sizeof(o));
    o.count = 256;
    for (const char *c = a->suffix; *c; c++) {
        switch (*c) {
        case 'b':
            o.args = true;
            break;
        case 'v':
            o.args = o.fpo = true;
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
        case 'p':
        case 'P':
        case 'd':
            break; /* frame numbers are always shown; parameters need types (not yet) */
        default:
            return dd_error_create(DD_ERR_SYNTAX, "Syntax error in '%s'", a->line);
        }
    }
    if (*a->rest) {
        if (a->rest[0] == '=')
            return dd_error_create(DD_ERR_UNSUPPORTED, "k = BP SP IP is not supported yet");
        uint64_t n;
        struct dd_error *err = expr_eval(s, a->rest, &n);
        if (err)
            return err;
        o.count = n ? (size_t)(n > 0xffff ? 0xffff : n) : 1;
    }
    struct dd_error *err = print_stack(s, &o);
    if (err)
        return err;
    /* A WoW64 thread in 64-bit mode: its 32-bit stack follows, with no mode switch needed. */
    if (wants_wow64_stack(s)) {
        dd_puts(s->out, "\n");
        print_wow64_stack(s, &o, false);
    }
    return NULL;
}

/* .frame [/r] [N]: select frame N of the current stack; /r shows its registers. */
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
    struct unwind_walk w;
    struct dd_error *err = session_stack_walk(s, (size_t)(n + 1), &w);
    if (err)
        return err;
    if (n >= w.nframes) {
        unwind_walk_deinit(&w);
        return dd_error_create(DD_ERR_NOT_FOUND, "Cannot find frame 0x%llx, previous scope unchanged",
                               (unsigned long long)n);
    }
    s->cur_frame = (size_t)n;
    const struct unwind_frame *f = &w.frames[n];
    char site[2048];
    call_site(s, f, n == 0, true, site, sizeof(site));
    char sp[DD_ADDR_BUF], ra[DD_ADDR_BUF];
    unsigned ps = session_ptr_size(s);
    dd_printf(s->out, "%02llx %s %s     %s\n", (unsigned long long)n, dd_fmt_addr(sp, f->sp, ps),
              dd_fmt_addr(ra, f->has_return_address ? f->return_address : 0, ps), site);
    if (regs && s->effmach) {
        /* Registers the unwind could not recover print as unknown, never as stale values. */
        struct regset rs;
        unwind_regs_to_regset(&f->regs, s->effmach, &rs);
        s->effmach->print_regs(s->out, &rs);
    }
    unwind_walk_deinit(&w);
    return NULL;
}

const struct cmd_def cmd_table_stack[] = {
    {"k", cmd_k, CMD_PREFIX, "k[b|v|c|L|f] [COUNT] - display the stack backtrace"},
    {".frame", cmd_frame, 0, ".frame [/r] [N] - select a frame (and show its registers)"},
    {NULL, NULL, 0, NULL},
};
