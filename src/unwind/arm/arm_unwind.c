/*
 * The ARM cascade for one frame: the function's unwind data (.pdata entry found through the
 * environment); a leaf (no entry: the return address is in lr, which only the first frame or a
 * restored context has); the r11 frame chain (r11 points at the record {saved r11, saved lr} that
 * `push {..., r11, lr}` followed by `mov r11, sp` / `add r11, sp, #n` leaves); else a validated
 * stack scan. Calling convention facts ("Overview of ARM32 ABI Conventions", Register usage):
 * r0-r3, r12, lr and d0-d7, d16-d31 are volatile; r4-r11, sp and d8-d15 are preserved.
 */
#include <string.h>

#include "unwind/arm/arm_internal.h"

/* Registers a call does not preserve (lr stays: the unwind may still need it). */
static void forget_volatile(struct unwind_regs *r)
{
    for (unsigned i = ARM_R0; i <= 3; i++)
        unwind_regs_forget(r, i);
    unwind_regs_forget(r, 12);
    unwind_regs_forget(r, ARM_CPSR);
    r->vec_valid &= 0x00f0u; /* q4-q7 = d8-d15 */
    r->vec_saved &= 0x00f0u;
}

/* Registers a frame chain or a scan cannot recover: what the skipped code saved is unknown. */
static void forget_nonvolatile(struct unwind_regs *r)
{
    for (unsigned i = 4; i <= 11; i++)
        unwind_regs_forget(r, i);
    unwind_regs_forget(r, ARM_LR);
    r->vec_valid = 0;
    r->vec_saved = 0;
}

static void caller_from(struct unwind_frame *ret, const struct unwind_regs *regs,
                        enum unwind_found_by by, uint32_t flags)
{
    struct unwind_frame f;
    memset(&f, 0, sizeof(f));
    f.regs = *regs;
    f.ip = regs->r[ARM_PC];
    f.sp = regs->r[ARM_SP];
    f.found_by = by;
    f.flags = flags;
    *ret = f;
}

/*
 * The leaf rule: the caller's pc is lr, nothing moved. KNOWN_LEAF: the module's function table
 * proves the function has no unwind data, so it saved and moved nothing. Otherwise it is a guess
 * only a value proven to be a return address may back; what the function saved is unknown then,
 * r11 is kept only as a hint for the frame chain, and the sp is a lower bound.
 */
static bool leaf_unwind(const struct unwind_env *env, const struct arm_cpu *cpu, bool known_leaf,
                        bool has_module, struct unwind_frame *ret_caller)
{
    struct unwind_regs r = cpu->regs;
    uint32_t lr = (uint32_t)r.r[ARM_LR];
    uint64_t mbase, msize;
    bool unverified = false, accept;
    if (known_leaf)
        accept = lr == 0 || (env->find_module && env->find_module(env->ctx, lr & ~1u, &mbase, &msize));
    else
        accept = arm_is_return_address(env, lr, &unverified) || (has_module && unverified);
    if (!accept)
        return false;
    uint32_t flags = unverified ? UNWIND_FRAME_UNVERIFIED : 0;
    if (!known_leaf) {
        bool has_fp = unwind_regs_has(&r, ARM_R11);
        forget_nonvolatile(&r);
        if (has_fp)
            flags |= ARM_FRAME_FP_HINT; /* r[ARM_R11] still holds the value */
        flags |= ARM_FRAME_SP_INEXACT;
    }
    if (cpu->regs.saved >> ARM_LR & 1)
        unwind_regs_set_saved(&r, ARM_PC, lr & ~1u, cpu->regs.saved_at[ARM_LR]);
    else
        unwind_regs_set(&r, ARM_PC, lr & ~1u);
    unwind_regs_forget(&r, ARM_LR);
    caller_from(ret_caller, &r, UNWIND_FOUND_LEAF, flags);
    return true;
}

/*
 * The frame chain: r11 (or a scan's hint) points at {caller's r11, return address}. The caller's
 * sp is at least r11 + 8; how much more the function allocated is unknown.
 */
static bool chain_unwind(const struct unwind_env *env, const struct unwind_frame *callee,
                         struct arm_cpu *cpu, struct unwind_frame *ret_caller)
{
    const struct unwind_regs *cr = &callee->regs;
    bool has_fp = unwind_regs_has(cr, ARM_R11) || (callee->flags & ARM_FRAME_FP_HINT);
    uint64_t fp = cr->r[ARM_R11];
    if (!has_fp || fp == 0 || (fp & 3) || fp < callee->sp || fp > UINT32_MAX - 8)
        return false;
    uint32_t saved_fp, saved_lr;
    if (arm_read_u32(cpu, (uint32_t)fp, &saved_fp) || arm_read_u32(cpu, (uint32_t)fp + 4, &saved_lr))
        return false;
    bool unverified = false;
    /* The outermost record is all zeros (thread start); else the value must be a return address. */
    if (!(saved_lr == 0 && saved_fp == 0) && !arm_is_return_address(env, saved_lr, &unverified) &&
        !unverified)
        return false;
    struct unwind_regs r = cpu->regs;
    forget_nonvolatile(&r);
    unwind_regs_set_saved(&r, ARM_R11, saved_fp, fp);
    unwind_regs_set_saved(&r, ARM_PC, saved_lr & ~1u, fp + 4);
    unwind_regs_set(&r, ARM_SP, fp + 8);
    caller_from(ret_caller, &r, UNWIND_FOUND_FRAME_POINTER,
                ARM_FRAME_SP_INEXACT | (unverified ? UNWIND_FRAME_UNVERIFIED : 0));
    return true;
}

static enum unwind_stop arm_step(const struct unwind_env *env, const struct unwind_options *opts,
                                 struct unwind_frame *callee, struct unwind_frame *ret_caller,
                                 uint64_t *ret_fault)
{
    /*
     * A return address may be the first byte after the function that called (a call to a
     * noreturn function ends it), so look up pc-2, inside the call; the context frame and a frame
     * whose pc came from a machine frame or a context have the exact pc.
     */
    bool exact = callee->found_by == UNWIND_FOUND_CONTEXT || (callee->flags & UNWIND_FRAME_TRAP);
    bool sp_exact = !(callee->flags & ARM_FRAME_SP_INEXACT);
    uint32_t pc = (uint32_t)callee->ip & ~1u;
    uint32_t lookup = exact || pc < 2 ? pc : pc - 2;
    struct arm_cpu cpu = {env, callee->regs, 0, unwind_regs_has(&callee->regs, ARM_CPSR),
                          (uint32_t)callee->regs.r[ARM_CPSR]};
    forget_volatile(&cpu.regs);

    uint64_t base = 0, size = 0;
    bool has_module = env->find_module && env->find_module(env->ctx, lookup, &base, &size);
    enum unwind_lookup lk = UNWIND_LOOKUP_UNAVAILABLE;
    uint32_t begin = 0, end = 0, word = 0;
    if (has_module && env->find_function && lookup >= base && lookup - base <= UINT32_MAX)
        lk = env->find_function(env->ctx, base, (uint32_t)(lookup - base), &begin, &end, &word);
    begin &= ~1u;

    if (lk == UNWIND_LOOKUP_REFUSED) /* the module's .pdata is refused: said (docs/limits.md) */
        callee->flags |= UNWIND_FRAME_BAD_UNWIND;
    if (lk == UNWIND_LOOKUP_FOUND && sp_exact) {
        struct arm_cpu work = cpu;
        uint32_t flags = 0, length = 0;
        enum arm_status st = arm_unwind_by_info(&work, base, begin, word, pc, exact, &flags, &length);
        if (st == ARM_OK) {
            callee->has_function = true;
            callee->module_base = base;
            callee->function_begin = begin;
            callee->function_end = end ? end : begin + length;
            callee->unwind_rva = word;
            caller_from(ret_caller, &work.regs, UNWIND_FOUND_UNWIND_INFO, flags);
            return UNWIND_STOP_NONE;
        }
        if (st == ARM_FAULT) {
            *ret_fault = work.fault;
            return UNWIND_STOP_FAULT;
        }
        /* Unusable unwind data: fall through to the frame chain and the scan. */
    }

    /*
     * No unwind data. lr holds the return address only where the registers are the thread's own
     * (the first frame, a context or machine frame), and only if the function is a leaf: certain
     * when the module's table has no entry for it, a guess when the table cannot be had.
     */
    bool lr_usable = exact && unwind_regs_has(&cpu.regs, ARM_LR) &&
                     ((uint32_t)cpu.regs.r[ARM_LR] & ~1u) != pc;
    if (lr_usable && lk != UNWIND_LOOKUP_FOUND &&
        leaf_unwind(env, &cpu, lk == UNWIND_LOOKUP_NONE && has_module, has_module, ret_caller))
        return UNWIND_STOP_NONE;

    struct arm_cpu work = cpu;
    if (chain_unwind(env, callee, &work, ret_caller))
        return UNWIND_STOP_NONE;
    if (opts->no_scan)
        return UNWIND_STOP_NO_CALLER;
    return arm_scan(env, opts, callee, ret_caller, ret_fault);
}

const struct unwind_arch unwind_arch_arm = {
    .name = "arm",
    .pc_slot = ARM_PC,
    .sp_slot = ARM_SP,
    .step = arm_step,
};

struct dd_error *unwind_arm_walk(const struct unwind_env *env, const struct unwind_regs *start,
                                 const struct unwind_options *opts, struct unwind_walk *ret)
{
    return unwind_walk_run(&unwind_arch_arm, env, start, opts, ret);
}
