/*
 * A kernel thread's stack as !thread (and !process with flag 4) prints it after the thread's
 * details, in current WinDbg's layout (kdexts; the x64 "kb" columns with Child-SP in front):
 *
 *   Child-SP          RetAddr               : Args to Child                                                           : Call Site
 *   ffffd000`20a7f6a0 fffff803`b88d4afc     : 00000000`00000000 ... 4 home-space words ... : nt!KiSwapContext+0x76
 *   ... : nt!KiSystemServiceCopyEnd+0x13 (TrapFrame @ ffffd001`c70c6c40)
 *
 * 32-bit kernels print "ChildEBP RetAddr      Args to Child" with three dwords. The walk starts
 * from the thread's context (nt_thread_context: its processor's when it is running, else its
 * switch frame) and runs with the thread's process's page tables, so the user-mode part of
 * the stack reads that process's memory, as !thread's flag 0x10 does; the walk crosses the
 * thread's own stacks (its expanded-stack segments, its processor's DPC stack) and trap frames.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/x86_regs.h"
#include "base/cursor.h"
#include "base/fmt.h"
#include "cmd/cmd_stack.h"
#include "cmd/cmd_vars.h"
#include "dump/kdmp/kdmp.h"
#include "ext/ext_kernel.h"
#include "nt/kprocess.h"

/* !thread shows at most this many frames (kdexts' default stack count is far below it). */
#define THREAD_STACK_MAX 256

struct dd_error *ext_kernel_set_dtb(struct session *s, uint64_t dtb)
{
    struct target *t = s->target;
    uint64_t root = dtb ? dtb : t->kernel.directory_table_base;
    uint64_t prev = s->process_dtb ? s->process_dtb : t->kernel.directory_table_base;
    /*
     * Every process's page tables map the kernel half: a DirectoryTableBase that does not show
     * the kernel variable PsActiveProcessHead as the current tables do is not one (a wrong
     * EPROCESS address); keep the current tables then.
     */
    uint64_t probe = t->kernel.ps_active_process_head;
    uint8_t before[16], after[16];
    bool check = dtb && probe && !dd_error_drop(target_read_exact(t, probe, before, 16));
    struct dd_error *err = kdmp_set_directory_table_base(t, root);
    if (err)
        return err;
    if (check && (dd_error_drop(target_read_exact(t, probe, after, 16)) ||
                  memcmp(before, after, sizeof(before)) != 0)) {
        dd_error_drop(kdmp_set_directory_table_base(t, prev));
        char a[DD_ADDR_BUF];
        return dd_error_create(DD_ERR_OTHER,
                               "DirectoryTableBase %s does not map the kernel: not a process's "
                               "page tables",
                               dd_fmt_addr(a, dtb, 8));
    }
    s->process_dtb = dtb;
    return NULL;
}

bool ext_kernel_walk_options(struct session *s, struct nt_kernel_options *ret)
{
    struct ext_kernel ek;
    if (s->target->kind != TARGET_KERNEL || dd_error_drop(ext_kernel_open(s, "k", &ek)))
        return false;
    *ret = ek.opt; /* its type sources belong to the session (ext_state), not to ek */
    return true;
}

static void print_frame(struct ext_kernel *ek, const struct cmd_frames *fs, size_t idx,
                        const char *in)
{
    struct session *s = ek->s;
    unsigned ps = ek->k.ptr_size;
    const struct cmd_frame *f = &fs->frames[idx];
    const struct unwind_frame *uf = &fs->walk.frames[f->phys];
    char site[1024], sp[DD_ADDR_BUF], ra[DD_ADDR_BUF];
    cmd_frame_site(s, fs, idx, NULL, site, sizeof(site));
    struct dd_writer *o = s->out;
    if (f->is_inline) {
        if (ps == 8)
            dd_printf(o, "%s(Inline Function) --------`--------     : --------`-------- "
                         "--------`-------- --------`-------- --------`-------- : %s\n",
                      in, site);
        else
            dd_printf(o, "%s(Inline) --------     -------- -------- -------- %s\n", in, site);
        return;
    }
    uint64_t ret_addr = uf->has_return_address ? uf->return_address : 0;
    if (ps == 8) {
        /* x64 passes arguments in registers: the columns are the callee's home space. */
        uint8_t b[32];
        size_t got = 0;
        dd_error_drop(target_read(s->target, uf->sp + 8, b, sizeof(b), &got));
        dd_printf(o, "%s%s %s     : ", in, dd_fmt_addr(sp, uf->sp, 8), dd_fmt_addr(ra, ret_addr, 8));
        for (unsigned k = 0; k < 4; k++) {
            char v[DD_ADDR_BUF];
            if (got >= (k + 1) * 8)
                dd_printf(o, "%s ", dd_fmt_addr(v, dd_le64(b + 8 * k), 8));
            else
                dd_puts(o, "????????`???????? ");
        }
        /* A frame whose caller came from a trap frame says where it is, as kv does. */
        dd_printf(o, ": %s", site);
        stack_trap_frame_text(s, fs, idx, o);
        dd_puts(o, "\n");
        return;
    }
    /* x86: ChildEBP is the frame's EBP (its stack pointer when EBP is unknown). */
    uint64_t ebp = unwind_regs_has(&uf->regs, X86_EBP) ? uf->regs.r[X86_EBP] : uf->sp;
    uint8_t b[12];
    size_t got = 0;
    dd_error_drop(target_read(s->target, ebp + 8, b, sizeof(b), &got));
    dd_printf(o, "%s%s %s ", in, dd_fmt_addr(sp, ebp, 4), dd_fmt_addr(ra, ret_addr, 4));
    for (unsigned k = 0; k < 3; k++) {
        if (got >= (k + 1) * 4)
            dd_printf(o, "%08x ", dd_le32(b + 4 * k));
        else
            dd_puts(o, "???????? ");
    }
    dd_printf(o, "%s\n", site);
}

/* The DirectoryTableBase of TH's owning process; 0 when unknown. */
static uint64_t thread_dtb(struct ext_kernel *ek, const struct nt_thread *th)
{
    struct nt_process p;
    if (!(th->have & NT_THR_PROCESS) || dd_error_drop(nt_process_read(&ek->k, th->process, &p)) ||
        !(p.have & NT_PROC_DTB))
        return 0;
    return p.dtb;
}

void ext_kernel_thread_stack(struct ext_kernel *ek, const struct nt_thread *th, const char *in)
{
    struct session *s = ek->s;
    struct dd_writer *o = s->out;
    char a[24];
    struct regset rs;
    struct dd_error *err = nt_thread_context(&ek->k, th, &rs);
    if (err) {
        dd_printf(o, "%sUnable to get context for thread %s: %s\n", in,
                  ext_kernel_fmt_ptr(a, &ek->k, th->ethread), err->message);
        dd_error_destroy(err);
        return;
    }
    /* The thread's own address space, when the dump has page tables to switch. */
    uint64_t saved_dtb = s->process_dtb;
    uint64_t dtb = thread_dtb(ek, th);
    bool switched = dtb && dtb != saved_dtb && !dd_error_drop(ext_kernel_set_dtb(s, dtb));

    enum session_ctx_source saved_src = s->ctx_source;
    struct regset saved_ctx = s->ctx;
    size_t saved_frame = s->cur_frame;
    const struct arch_ops *saved_mach = s->effmach;
    uint64_t saved_thread = s->implicit_thread;
    s->ctx_source = SESSION_CTX_OVERRIDE;
    s->ctx = rs;
    s->cur_frame = 0;
    s->effmach = rs.arch;
    /* The walk is this thread's: its stacks, processor and trap frames (cmd_stack_kernel.c). */
    s->implicit_thread = th->ethread;
    struct cmd_frames fs;
    err = cmd_frames_collect(s, THREAD_STACK_MAX, &fs);
    s->implicit_thread = saved_thread;
    s->ctx_source = saved_src;
    s->ctx = saved_ctx;
    s->cur_frame = saved_frame;
    s->effmach = saved_mach;
    if (err) {
        dd_printf(o, "%sUnable to walk the stack of thread %s: %s\n", in,
                  ext_kernel_fmt_ptr(a, &ek->k, th->ethread), err->message);
        dd_error_destroy(err);
    } else {
        if (ek->k.ptr_size == 8)
            dd_printf(o, "%sChild-SP          RetAddr               : Args to Child%59s: Call Site\n",
                      in, "");
        else
            dd_printf(o, "%sChildEBP RetAddr  Args to Child              \n", in);
        for (size_t i = 0; i < fs.count; i++)
            print_frame(ek, &fs, i, in);
        cmd_frames_deinit(&fs);
    }
    if (switched)
        dd_error_drop(ext_kernel_set_dtb(s, saved_dtb));
}
