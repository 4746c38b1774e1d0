/*
 * The kernel part of k: the stacks the walk may cross for the thread being walked (its kernel
 * stack, expanded-stack segments, its processor's DPC and ISR stacks, user space through a trap
 * frame; nt/kstack.h) and kv's "(TrapFrame @ ...)" on x64, as in WinDbg transcripts:
 *   ffffd001`c70c6bd0 00007fff`69805b74 : ... : nt!KiSystemServiceCopyEnd+0x13 (TrapFrame @ ffffd001`c70c6c40)
 */
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_stack.h"
#include "nt/kernel.h"
#include "nt/kprcb.h"
#include "nt/kstack.h"
#include "nt/kthread.h"
#include "unwind/x64/x64_unwind.h"

/* Resolves kernel symbol NAME as "<kernel module>!NAME" through the session's symbols. */
static bool kernel_symbol(void *ctx, const char *name, uint64_t *ret)
{
    struct session *s = ctx;
    long idx = nt_kernel_module_index(s->target);
    const char *mod = idx >= 0 && s->target->modules[idx].name ? s->target->modules[idx].name : "nt";
    char full[192];
    snprintf(full, sizeof(full), "%s!%s", mod, name);
    return s->syms && !dd_error_drop(symbols_find_by_name(s->syms, full, ret));
}

/* True when SP lies on one of KS's kernel stacks (not user space). */
static bool on_kernel_stack(const struct nt_kstacks *ks, uint64_t sp)
{
    unsigned idx;
    bool user;
    return nt_kstacks_range((void *)ks, sp, &idx, &user) && !user;
}

bool cmd_stack_kernel_stacks(struct session *s, uint64_t start_sp, struct cmd_kernel_stacks *ret)
{
    if (s->target->kind != TARGET_KERNEL || s->cur_thread >= s->target->nthreads)
        return false;
    struct nt_kernel_options opt;
    memset(&opt, 0, sizeof(opt));
    opt.find_symbol = kernel_symbol;
    opt.symbol_ctx = s;
    opt.no_scan = true; /* k must stay quick: no KDBG scan of the kernel image */
    struct nt_kernel k;
    if (dd_error_drop(nt_kernel_init(s->target, &opt, &k)))
        return false;
    /* The thread .thread chose, else the current processor's; its processor when running. */
    uint32_t cpu = s->target->threads[s->cur_thread].tid;
    struct nt_processor p;
    bool have_cpu = !dd_error_drop(nt_processor_read(&k, cpu, &p));
    uint64_t ethread = s->implicit_thread;
    if (!ethread && have_cpu && (p.have & NT_CPU_CURRENT_THREAD))
        ethread = p.current_thread;
    struct nt_thread th;
    if (!ethread || dd_error_drop(nt_thread_read(&k, ethread, &th)))
        return false;
    if (s->implicit_thread && !(have_cpu && (p.have & NT_CPU_CURRENT_THREAD) &&
                                p.current_thread == ethread))
        have_cpu = false; /* a thread that is not running is on none of a processor's stacks */
    struct nt_kstacks ks;
    if (dd_error_drop(nt_kstacks_build(&k, &th, have_cpu ? &p : NULL, &ks)))
        return false;
    /* Another context (.cxr, !thread of some other thread): these stacks are not its own. */
    if (!on_kernel_stack(&ks, start_sp))
        return false;
    ret->ks = ks;
    memset(&ret->us, 0, sizeof(ret->us));
    ret->us.range = nt_kstacks_range;
    ret->us.ctx = &ret->ks;
    ret->us.trap_frames = ret->ks.trap_frames;
    ret->us.ntrap_frames = ret->ks.ntrap_frames;
    return true;
}

void stack_trap_frame_text(struct session *s, const struct cmd_frames *fs, size_t idx,
                           struct dd_writer *out)
{
    const struct cmd_frame *f = &fs->frames[idx];
    if (f->is_inline || s->target->kind != TARGET_KERNEL || session_ptr_size(s) != 8 ||
        f->phys + 1 >= fs->walk.nframes)
        return;
    uint64_t tf = unwind_x64_trap_frame_of(&fs->walk.frames[f->phys + 1]);
    char abuf[DD_ADDR_BUF];
    if (tf)
        dd_printf(out, " (TrapFrame @ %s)", dd_fmt_addr(abuf, tf, 8));
}
