/*
 * The kernel part of k: the stacks the walk may cross for the thread being walked (.thread's,
 * !thread's or the current processor's, laid out by the session's kernel types: its kernel
 * stack, expanded-stack segments, its processor's DPC and ISR stacks, user space through a trap
 * frame; nt/kstack.h) and kv's "(TrapFrame @ ...)" on x64, as in WinDbg transcripts:
 *   ffffd001`c70c6bd0 00007fff`69805b74 : ... : nt!KiSystemServiceCopyEnd+0x13 (TrapFrame @ ffffd001`c70c6c40)
 */
#include <stdio.h>
#include <string.h>

#include "base/fmt.h"
#include "cmd/cmd_stack.h"
#include "ext/ext_kernel.h"
#include "nt/kernel.h"
#include "nt/kprcb.h"
#include "nt/kstack.h"
#include "nt/kthread.h"
#include "unwind/x64/x64_unwind.h"

/* True when SP lies on one of KS's kernel stacks (not user space). */
static bool on_kernel_stack(const struct nt_kstacks *ks, uint64_t sp)
{
    unsigned idx;
    bool user;
    return nt_kstacks_range((void *)ks, sp, &idx, &user) && !user;
}

/* The processor running ETHREAD (its KPRCB.CurrentThread); false when none does. The scan is
 * bounded by the processor count (at most NT_MAX_PROCESSORS KPRCB reads). */
static bool processor_running(struct nt_kernel *k, uint64_t ethread, struct nt_processor *ret)
{
    uint32_t n = nt_processor_count(k);
    for (uint32_t i = 0; i < n && i < NT_MAX_PROCESSORS; i++) {
        struct nt_processor p;
        if (!dd_error_drop(nt_processor_read(k, i, &p)) && (p.have & NT_CPU_CURRENT_THREAD) &&
            p.current_thread == ethread) {
            *ret = p;
            return true;
        }
    }
    return false;
}

bool cmd_stack_kernel_stacks(struct session *s, uint64_t start_sp, struct cmd_kernel_stacks *ret)
{
    if (s->target->kind != TARGET_KERNEL)
        return false;
    /* The session's kernel type sources (PDB or ISF, as !thread uses), else built-in layouts.
     * Opening the kernel view may add processors as threads: the thread index is checked after. */
    struct nt_kernel_options opt;
    if (!ext_kernel_walk_options(s, &opt)) {
        memset(&opt, 0, sizeof(opt));
        opt.find_symbol = ext_kernel_find_symbol;
        opt.symbol_ctx = s;
    }
    if (s->cur_thread >= s->target->nthreads)
        return false;
    opt.no_scan = true; /* k must stay quick: no KDBG scan of the kernel image */
    struct nt_kernel k;
    if (dd_error_drop(nt_kernel_init(s->target, &opt, &k)))
        return false;
    /*
     * The thread being walked: .thread's (!thread and !process 7 name theirs the same way for
     * the walk), else the current processor's. Its processor is the one running it, if any: a
     * thread that is not running is on none of a processor's stacks.
     */
    struct nt_processor p;
    bool have_cpu;
    uint64_t ethread = s->implicit_thread;
    if (ethread) {
        have_cpu = processor_running(&k, ethread, &p);
    } else {
        uint32_t cpu = s->target->threads[s->cur_thread].tid;
        have_cpu = !dd_error_drop(nt_processor_read(&k, cpu, &p)) &&
                   (p.have & NT_CPU_CURRENT_THREAD);
        ethread = have_cpu ? p.current_thread : 0;
    }
    struct nt_thread th;
    if (!ethread || dd_error_drop(nt_thread_read(&k, ethread, &th)))
        return false;
    struct nt_kstacks ks;
    if (dd_error_drop(nt_kstacks_build(&k, &th, have_cpu ? &p : NULL, &ks)))
        return false;
    /* Another context (.cxr): these stacks are not its own. */
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
