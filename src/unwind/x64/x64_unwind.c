/*
 * The x64 cascade for one frame: the function's unwind data (RUNTIME_FUNCTION found
 * through the environment); a leaf (no entry: the return address is at rsp); else a
 * validated stack scan. Calling convention facts ("x64 calling convention", Caller/callee
 * saved registers): rax rcx rdx r8-r11 and xmm0-5 are volatile; rbx rbp rdi rsi rsp
 * r12-r15 and xmm6-15 are preserved across calls.
 */
#include "unwind/x64/x64_internal.h"

/* Registers a call does not preserve: unknown in every caller frame. */
static void forget_volatile(struct unwind_regs *r)
{
    static const uint8_t volatile_slots[] = {
        X64_RAX, X64_RCX, X64_RDX, X64_R8,  X64_R9,  X64_R10,   X64_R11,  X64_EFL,  X64_DR0,
        X64_DR1, X64_DR2, X64_DR3, X64_DR6, X64_DR7, X64_MXCSR, X64_FPCW, X64_FPSW, X64_SSP};
    for (size_t i = 0; i < sizeof(volatile_slots); i++)
        unwind_regs_forget(r, volatile_slots[i]);
    r->vec_valid &= ~0x3fu; /* xmm0-5 */
    r->vec_saved &= ~0x3fu;
}

static void caller_from(struct unwind_frame *ret, const struct unwind_regs *regs,
                        enum unwind_found_by by, uint32_t flags)
{
    struct unwind_frame f = {0};
    f.regs = *regs;
    f.ip = regs->r[X64_RIP];
    f.sp = regs->r[X64_RSP];
    f.found_by = by;
    f.flags = flags;
    *ret = f;
}

/* The leaf rule: the return address is at rsp. */
static enum x64_status leaf_unwind(struct x64_cpu *cpu, uint64_t *ret_ra)
{
    uint64_t rsp = cpu->regs.r[X64_RSP], ra;
    enum x64_status st = x64_read_u64(cpu, rsp, &ra);
    if (st)
        return st;
    unwind_regs_set_saved(&cpu->regs, X64_RIP, ra, rsp);
    unwind_regs_set(&cpu->regs, X64_RSP, rsp + 8);
    *ret_ra = ra;
    return X64_OK;
}

static enum unwind_stop x64_step(const struct unwind_env *env, const struct unwind_options *opts,
                                 struct unwind_frame *callee, struct unwind_frame *ret_caller,
                                 uint64_t *ret_fault)
{
    /*
     * A return address may be the first byte after the function that called (a call to a
     * noreturn function ends it), so look up ip-1 for frames found by return; the context
     * frame and a frame interrupted by a trap have the exact ip.
     */
    bool exact = callee->found_by == UNWIND_FOUND_CONTEXT || (callee->flags & UNWIND_FRAME_TRAP);
    uint64_t ip = callee->ip;
    uint64_t lookup = exact || ip == 0 ? ip : ip - 1;
    /* KiUserExceptionDispatcher: its caller's registers are the CONTEXT at its rsp. */
    if (x64_dispatcher_caller(env, callee, ret_caller))
        return UNWIND_STOP_NONE;
    struct x64_cpu cpu = {env, callee->regs, 0};
    forget_volatile(&cpu.regs);
    enum x64_status st;

    uint64_t base = 0, size = 0;
    bool has_module = env->find_module && env->find_module(env->ctx, lookup, &base, &size);
    enum unwind_lookup lk = UNWIND_LOOKUP_UNAVAILABLE;
    uint32_t begin = 0, end = 0, unwind_rva = 0;
    if (has_module && env->find_function && lookup - base <= UINT32_MAX)
        lk = env->find_function(env->ctx, base, (uint32_t)(lookup - base), &begin, &end,
                                &unwind_rva);

    if (lk == UNWIND_LOOKUP_REFUSED) /* the module's .pdata is refused: scan, and say so */
        callee->flags |= UNWIND_FRAME_BAD_UNWIND;
    if (lk == UNWIND_LOOKUP_FOUND) {
        struct x64_cpu work = cpu;
        uint32_t flags = 0;
        st = x64_unwind_by_info(&work, base, begin, end, unwind_rva, ip, exact, &flags);
        if (st == X64_OK) {
            callee->has_function = true;
            callee->module_base = base;
            callee->function_begin = begin;
            callee->function_end = end;
            callee->unwind_rva = unwind_rva;
            caller_from(ret_caller, &work.regs, UNWIND_FOUND_UNWIND_INFO, flags);
            return UNWIND_STOP_NONE;
        }
        if (st == X64_FAULT) {
            *ret_fault = work.fault;
            return UNWIND_STOP_FAULT;
        }
        /* Unusable unwind data: fall through to the scan, and say so (docs/limits.md). */
        callee->flags |= UNWIND_FRAME_BAD_UNWIND;
    } else if (lk == UNWIND_LOOKUP_NONE || !has_module) {
        /*
         * No function entry: a leaf function, whose return address is at rsp. Outside every
         * module (a call through a bad pointer, JIT code) the value must prove itself.
         */
        struct x64_cpu work = cpu;
        uint64_t ra = 0;
        st = leaf_unwind(&work, &ra);
        if (st == X64_FAULT) {
            *ret_fault = work.fault;
            return UNWIND_STOP_FAULT;
        }
        bool unverified = false;
        uint64_t b2, s2;
        bool accept = has_module ? (ra == 0 || env->find_module(env->ctx, ra, &b2, &s2))
                                 : x64_is_return_address(env, ra, &unverified);
        if (accept) {
            caller_from(ret_caller, &work.regs, UNWIND_FOUND_LEAF, 0);
            return UNWIND_STOP_NONE;
        }
    }
    if (opts->no_scan)
        return UNWIND_STOP_NO_CALLER;
    return x64_dispatcher_scan(env, opts, callee, ret_caller, ret_fault);
}

const struct unwind_arch unwind_arch_x64 = {
    .name = "x64",
    .pc_slot = X64_RIP,
    .sp_slot = X64_RSP,
    .step = x64_step,
    .from_trap_frame = unwind_x64_from_trap_frame,
};

struct dd_error *unwind_x64_walk(const struct unwind_env *env, const struct unwind_regs *start,
                                 const struct unwind_options *opts, struct unwind_walk *ret)
{
    return unwind_walk_run(&unwind_arch_x64, env, start, opts, ret);
}
