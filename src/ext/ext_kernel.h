/*
 * What the kernel extension commands share (ext_kernel.c: !process !thread !pcr !prcb !irql;
 * ext_kernel_stack.c: a thread's stack as !thread prints it; ext_kcontext.c: .process .thread):
 * the kernel view of one command and the thread display. Not for use outside src/ext/.
 */
#ifndef DD_EXT_EXT_KERNEL_H
#define DD_EXT_EXT_KERNEL_H

#include <stdint.h>

#include "base/error.h"
#include "cmd/session.h"
#include "nt/kernel.h"
#include "nt/kthread.h"

/* The kernel view of one command; its type sources belong to the session (ext_state). */
struct ext_kernel {
    struct nt_kernel k;
    struct nt_kernel_options opt;
    struct session *s;
};

/*
 * Sets up EK for session S (type sources found once per symbol path and kept in the session).
 * DD_ERR_UNSUPPORTED, naming CMD, on user-mode dumps.
 */
struct dd_error *ext_kernel_open(struct session *s, const char *cmd, struct ext_kernel *ek);
/* Adds the per-processor threads the open could not (an encoded KDBG, decoded with nt's
 * symbols): for `~` and other thread commands on a kernel target; NULL on user-mode targets. */
struct dd_error *ext_kernel_processors_ensure(struct session *s);
/* Finds kernel symbol NAME ("KiProcessorBlock") as "<kernel module>!NAME" through session CTX's
 * symbols into ret; the find_symbol callback of nt_kernel_options. */
bool ext_kernel_find_symbol(void *ctx, const char *name, uint64_t *ret);
/* The processor commands act on: the current kernel "thread" (kd numbers them by processor). */
uint32_t ext_kernel_current_processor(struct session *s, struct nt_kernel *k);
/* Formats V as a pointer of the kernel's size ("ffff9f8284ae5080", "8242b3e0") into BUF. */
const char *ext_kernel_fmt_ptr(char buf[24], const struct nt_kernel *k, uint64_t v);
/* KeMaximumIncrement (100 ns per clock tick) through the symbols; 0 when unknown. */
uint32_t ext_kernel_tick_increment(struct nt_kernel *k);
/* Sets ret to the current processor's KPRCB.CurrentThread (the default thread). */
struct dd_error *ext_kernel_default_thread(struct ext_kernel *ek, uint64_t *ret);
/* Sets ret to the implicit thread (.thread), else the default thread. */
struct dd_error *ext_kernel_current_thread(struct ext_kernel *ek, uint64_t *ret);
/* Sets ret to the owning process (KTHREAD.Process) of the ETHREAD at ETHREAD. */
struct dd_error *ext_kernel_thread_process(struct ext_kernel *ek, uint64_t ethread, uint64_t *ret);
/* Sets ret to the implicit process (.process), else the default thread's process. */
struct dd_error *ext_kernel_current_process(struct ext_kernel *ek, uint64_t *ret);
/* Prints "THREAD ffff...  Cid 0004.00cc  Teb: ... WAIT: (...) ..." after INDENT. */
void ext_kernel_thread_line(struct ext_kernel *ek, const struct nt_thread *th, const char *indent);
/* Prints the lines of !thread after the THREAD line (Owning Process .. Priority), each after IN. */
void ext_kernel_thread_details(struct ext_kernel *ek, const struct nt_thread *th, const char *in,
                               uint32_t increment);
/*
 * Prints TH's stack as !thread does after its details: the "Child-SP RetAddr : Args to Child :
 * Call Site" heading and one line per frame, each after IN, walked from the thread's context
 * (its processor's when it is running, else its switch frame) in its own process's address
 * space; a line saying why when there is no context. The session's context is left as it was.
 */
void ext_kernel_thread_stack(struct ext_kernel *ek, const struct nt_thread *th, const char *in);
struct nt_process;
/*
 * Prints !process flag 1's statistics of P (VadRoot .. CommitCharge), each line the layout and
 * the dump allow; ext_kernel_pstats.c.
 */
void ext_kernel_process_stats(struct ext_kernel *ek, const struct nt_process *p);
/*
 * Switches the kernel dump's virtual address space to DTB (0: the dump header's) and records
 * it in the session. Errors when the dump has no page tables to switch.
 */
struct dd_error *ext_kernel_set_dtb(struct session *s, uint64_t dtb);
/*
 * Sets ret to the kernel view options ext_kernel_open gives S (the session's PDB or ISF type
 * sources, nt's symbols), for the stack walker's kernel stacks (cmd_stack_kernel.c); false on
 * user-mode targets or when the kernel view cannot be had. ext_kernel_stack.c.
 */
bool ext_kernel_walk_options(struct session *s, struct nt_kernel_options *ret);

#endif
