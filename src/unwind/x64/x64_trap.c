/*
 * x64 kernel trap frames: the registers of the code a trap, interrupt or system call
 * interrupted, read from its KTRAP_FRAME. Layout of _KTRAP_FRAME (ntkrnlmp.pdb types, e.g.
 * build 19041 as published in the Volatility ISF 5278AFF86C341677D7D7835C85B7B844-1; stable
 * since Windows Vista for these fields): Rax 0x30, Rcx 0x38, Rdx 0x40, R8 0x48, R9 0x50,
 * R10 0x58, R11 0x60, Rbp 0x158, ErrorCode 0x160, then the hardware machine frame Rip 0x168,
 * SegCs 0x170, EFlags 0x178, Rsp 0x180, SegSs 0x188; sizeof 0x190. Rbx/Rdi/Rsi (0x140..0x150)
 * are saved only by some entry paths, so they stay unknown.
 */
#include "base/cursor.h"
#include "unwind/x64/x64_internal.h"

#define KTRAP_RAX 0x30
#define KTRAP_RBP 0x158
#define KTRAP_RIP 0x168
#define KTRAP_SEGCS 0x170
#define KTRAP_EFLAGS 0x178
#define KTRAP_RSP 0x180
#define KTRAP_SEGSS 0x188
#define KTRAP_READ 0x190 /* sizeof(KTRAP_FRAME) */

/* Lowest canonical kernel-half address; user mode lies below 0x00008000`00000000. */
#define X64_KERNEL_HALF 0xffff800000000000ull
#define X64_USER_END 0x0000800000000000ull

enum unwind_stop unwind_x64_from_trap_frame(const struct unwind_env *env, uint64_t addr,
                                            struct unwind_frame *ret_caller, uint64_t *ret_fault)
{
    uint8_t b[KTRAP_READ];
    if (addr > UINT64_MAX - KTRAP_READ)
        return UNWIND_STOP_NO_CALLER;
    size_t got = env->read_memory(env->ctx, addr, b, sizeof(b));
    if (got < sizeof(b)) {
        *ret_fault = addr + got;
        return UNWIND_STOP_FAULT;
    }
    uint64_t rip = dd_le64(b + KTRAP_RIP), rsp = dd_le64(b + KTRAP_RSP);
    uint16_t cs = dd_le16(b + KTRAP_SEGCS);
    /*
     * A trap from user mode (CPL 3 in SegCs) resumes at a user address; one from kernel mode at
     * a kernel address, with the interrupted stack above the trap frame. Anything else is not a
     * trap frame (a stale KTHREAD.TrapFrame, a system thread's unused base frame).
     */
    bool user = (cs & 3) == 3;
    if (rip == 0 || rsp == 0)
        return UNWIND_STOP_NO_CALLER;
    if (user && (rip >= X64_USER_END || rsp >= X64_USER_END))
        return UNWIND_STOP_NO_CALLER;
    if (!user && ((cs & 3) != 0 || rip < X64_KERNEL_HALF || rsp < addr + KTRAP_READ))
        return UNWIND_STOP_NO_CALLER;

    struct unwind_frame f = {0};
    static const uint8_t volatile_slots[] = {X64_RAX, X64_RCX, X64_RDX, X64_R8,
                                             X64_R9,  X64_R10, X64_R11};
    for (size_t i = 0; i < sizeof(volatile_slots); i++)
        unwind_regs_set_saved(&f.regs, volatile_slots[i], dd_le64(b + KTRAP_RAX + 8 * i),
                              addr + KTRAP_RAX + 8 * i);
    unwind_regs_set_saved(&f.regs, X64_RBP, dd_le64(b + KTRAP_RBP), addr + KTRAP_RBP);
    unwind_regs_set_saved(&f.regs, X64_RIP, rip, addr + KTRAP_RIP);
    unwind_regs_set_saved(&f.regs, X64_CS, cs, addr + KTRAP_SEGCS);
    unwind_regs_set_saved(&f.regs, X64_EFL, dd_le32(b + KTRAP_EFLAGS), addr + KTRAP_EFLAGS);
    unwind_regs_set_saved(&f.regs, X64_RSP, rsp, addr + KTRAP_RSP);
    unwind_regs_set_saved(&f.regs, X64_SS, dd_le16(b + KTRAP_SEGSS), addr + KTRAP_SEGSS);
    f.ip = rip;
    f.sp = rsp;
    f.found_by = UNWIND_FOUND_CONTEXT; /* a saved register context, as .trap shows it */
    f.flags = UNWIND_FRAME_TRAP;
    f.trap_frame = addr;
    *ret_caller = f;
    return UNWIND_STOP_NONE;
}

uint64_t unwind_x64_trap_frame_of(const struct unwind_frame *caller)
{
    if (!(caller->flags & UNWIND_FRAME_TRAP))
        return 0;
    if (caller->trap_frame)
        return caller->trap_frame;
    /* A machine frame (PUSH_MACHFRAME) is the tail of a KTRAP_FRAME: its Rip slot is at 0x168. */
    if ((caller->regs.saved >> X64_RIP & 1) && caller->regs.saved_at[X64_RIP] >= KTRAP_RIP &&
        caller->regs.saved_at[X64_RIP] >= X64_KERNEL_HALF)
        return caller->regs.saved_at[X64_RIP] - KTRAP_RIP;
    return 0;
}
