/*
 * The x64 unwind cascade: image unwind data (.pdata RUNTIME_FUNCTION + UNWIND_INFO v1/v2,
 * chained info, machine frames, partial prologs, epilogs), leaf functions, then a stack
 * scan that accepts only return addresses following a call instruction in a known module.
 * No frame-pointer chain: x64 code does not keep one reliably. Register slots follow
 * enum x64_slot (arch/x64/x64_regs.h), which numbers rax..r15 like UNWIND_CODE does.
 */
#ifndef DD_UNWIND_X64_X64_UNWIND_H
#define DD_UNWIND_X64_X64_UNWIND_H

#include "unwind/unwind.h"

/* The x64 cascade for unwind_walk_run. */
extern const struct unwind_arch unwind_arch_x64;

/* Walks an x64 stack from START (see unwind_walk_run); OPTS may be NULL. */
struct dd_error *unwind_x64_walk(const struct unwind_env *env, const struct unwind_regs *start,
                                 const struct unwind_options *opts, struct unwind_walk *ret);

/*
 * True when the LEN bytes at BYTES (which end exactly at a return address RA) end with a
 * call instruction: E8 rel32, or [3E][REX] FF /2 in any ModRM form. ENV (may be NULL) is
 * used to check that direct-call targets and RIP-relative pointers lie in a known module.
 */
bool unwind_x64_call_precedes(const struct unwind_env *env, uint64_t ra, const uint8_t *bytes,
                              size_t len);

/*
 * Reads the KTRAP_FRAME at ADDR into ret_caller: the interrupted rip, rsp, rbp, flags and the
 * volatile registers, flagged UNWIND_FRAME_TRAP (unwind_arch.from_trap_frame). NO_CALLER when
 * its values do not fit a trap from user or kernel mode, FAULT (ret_fault) when not in memory.
 */
enum unwind_stop unwind_x64_from_trap_frame(const struct unwind_env *env, uint64_t addr,
                                            struct unwind_frame *ret_caller, uint64_t *ret_fault);
/*
 * The KTRAP_FRAME a frame found through a trap came from: its trap_frame, else the machine
 * frame's (PUSH_MACHFRAME) Rip slot less 0x168 when that is a kernel address; 0 when none.
 */
uint64_t unwind_x64_trap_frame_of(const struct unwind_frame *caller);

#endif
