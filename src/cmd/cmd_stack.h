/* The parts of k that format parameters: kp/kP lists, kv's FPO column, k /proven lines. */
#ifndef DD_CMD_CMD_STACK_H
#define DD_CMD_CMD_STACK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/writer.h"
#include "cmd/cmd_vars.h"
#include "nt/kstack.h"
#include "unwind/unwind.h"

/*
 * Appends frame IDX's parameter list as kp shows it ("(int a = 0n5, char * p = 0x... "x")",
 * "(void)"), or kP's with each parameter on its own line (MULTILINE) to OUT. Appends nothing when
 * the frame has no private symbols.
 */
void stack_params_text(struct session *s, const struct cmd_frames *fs, size_t idx, bool multiline,
                       struct dd_strbuf *out);
/* Writes kv's x86 frame-type column for frame IDX (" (FPO: [Non-Fpo])", " (FPO: [2,1,4])",
 * " (FPO: [0,0] TrapFrame @ 0012fe00)") and the calling convention (" (CONV: stdcall)") when
 * the PDB knows it, to OUT. */
void stack_fpo_text(struct session *s, const struct cmd_frames *fs, size_t idx,
                    struct dd_writer *out);
/* Writes frame IDX's parameters for k /proven: each proven value with where it came from,
 * "unknown" with the reason otherwise. */
void stack_proven_print(struct session *s, const struct cmd_frames *fs, size_t idx);

/* The stacks a kernel walk may cross, and the unwind_stacks view of them (us points into ks). */
struct cmd_kernel_stacks {
    struct nt_kstacks ks;
    struct unwind_stacks us;
};
/*
 * On a kernel target, fills ret (which must not move afterwards) with the stacks of the thread
 * being walked (.thread's, else the current processor's) when START_SP lies on one of its kernel
 * stacks; false otherwise (user-mode targets, unknown layout, another thread's context).
 */
bool cmd_stack_kernel_stacks(struct session *s, uint64_t start_sp, struct cmd_kernel_stacks *ret);
/* Writes kv's " (TrapFrame @ ffff...)" for x64 kernel frame IDX whose caller came from a trap
 * frame (a KTRAP_FRAME or its machine frame), to OUT; nothing otherwise. */
void stack_trap_frame_text(struct session *s, const struct cmd_frames *fs, size_t idx,
                           struct dd_writer *out);

#endif
