/* The parts of k that format parameters: kp/kP lists, kv's FPO column, k /proven lines. */
#ifndef DD_CMD_CMD_STACK_H
#define DD_CMD_CMD_STACK_H

#include <stdbool.h>
#include <stddef.h>

#include "base/writer.h"
#include "cmd/cmd_vars.h"

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

#endif
