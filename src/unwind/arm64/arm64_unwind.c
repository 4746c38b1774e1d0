/*
 * The ARM64 cascade for one frame: the function's unwind data (.pdata entry found through the
 * environment); a leaf (no entry: the return address is in lr, which only the first frame or a
 * restored context has); the x29 frame chain (x29 points at the record {saved x29, saved lr});
 * else a validated stack scan. Calling convention facts ("Overview of ARM64 ABI conventions",
 * Integer/Floating-point registers): x0-x18 and v0-v7, v16-v31 are volatile; x19-x28, x29, x30
 * and the low 64 bits of v8-v15 (d8-d15) are preserved across calls.
 */
#include <string.h>

#include "unwind/arm64/arm64_internal.h"

/* Registers a call does not preserve: unknown in every caller frame. */
static void forget_volatile(struct unwind_regs *r)
{
    for (unsigned i = ARM64_X0; i <= 18; i++)
        unwind_regs_forget(r, i);
    unwind_regs_forget(r, ARM64_CPSR);
    unwind_regs_forget(r, ARM64_FPSR);
    r->vec_valid &= 0xff00u; /* d8-d15 */
    r->vec_saved &= 0xff00u;
    for (unsigned i = 8; i < 16; i++)
        memset(r->vec[i] + 8, 0, 8); /* only the low halves are preserved */
}

/* Registers a frame chain or a scan cannot recover: what the skipped code saved is unknown. */
static void forget_nonvolatile(struct unwind_regs *r)
{
    for (unsigned i = 19; i <= ARM64_LR; i++)
        unwind_regs_forget(r, i);
    r->vec_valid = 0;
    r->vec_saved = 0;
}

static void caller_from(struct unwind_frame *ret, const struct unwind_regs *regs,
                        enum unwind_found_by by, uint32_t flags)
{
    struct unwind_frame f;
    memset(&f, 0, sizeof(f));
    f.regs = *regs;
    f.ip = regs->r[ARM64_PC];
    f.sp = regs->r[ARM64_SP];
    f.found_by = by;
    f.flags = flags;
    *ret = f;
}

/*
 * The leaf rule: the caller's pc is lr, nothing moved. KNOWN_LEAF: the module's function table
 * proves the function has no unwind data, so it saved and moved nothing. Otherwise (the table
 * cannot be had, or the pc is outside every module) it is a guess that only a value proven to be
 * a return address may back, and what the function may have saved is unknown: x29 is kept only
 * as a hint for the frame chain, and the sp is a lower bound.
 */
static bool leaf_unwind(const struct unwind_env *env, struct arm64_cpu *cpu, bool known_leaf,
                        bool has_module, struct unwind_frame *ret_caller)
{
    struct unwind_regs r = cpu->regs;
    uint64_t ra = unwind_arm64_strip_pac(r.r[ARM64_LR]);
    uint64_t mbase, msize;
    bool unverified = false, accept;
    if (known_leaf)
        accept = ra == 0 || (env->find_module && env->find_module(env->ctx, ra, &mbase, &msize));
    else
        accept = arm64_is_return_address(env, ra, &unverified) || (has_module && unverified);
    if (!accept)
        return false;
    uint32_t flags = unverified ? UNWIND_FRAME_UNVERIFIED : 0;
    if (!known_leaf) {
        bool has_fp = unwind_regs_has(&r, ARM64_FP);
        forget_nonvolatile(&r);
        unwind_regs_forget(&r, ARM64_FP);
        if (has_fp)
            flags |= ARM64_FRAME_FP_HINT; /* r[ARM64_FP] still holds the value */
        flags |= ARM64_FRAME_SP_INEXACT;
    }
    if (cpu->regs.saved >> ARM64_LR & 1)
        unwind_regs_set_saved(&r, ARM64_PC, ra, cpu->regs.saved_at[ARM64_LR]);
    else
        unwind_regs_set(&r, ARM64_PC, ra);
    caller_from(ret_caller, &r, UNWIND_FOUND_LEAF, flags);
    return true;
}

/*
 * The frame chain: x29 (or a scan's hint) points at {caller's x29, return address}. The caller's
 * sp is at least x29 + 16; how much more the function allocated is unknown.
 */
static bool chain_unwind(const struct unwind_env *env, const struct unwind_frame *callee,
                         struct arm64_cpu *cpu, struct unwind_frame *ret_caller)
{
    const struct unwind_regs *cr = &callee->regs;
    bool has_fp = unwind_regs_has(cr, ARM64_FP) || (callee->flags & ARM64_FRAME_FP_HINT);
    uint64_t fp = cr->r[ARM64_FP];
    if (!has_fp || fp == 0 || (fp & 7) || fp < callee->sp || fp > UINT64_MAX - 16)
        return false;
    uint64_t saved_fp, saved_lr;
    if (arm64_read_u64(cpu, fp, &saved_fp) || arm64_read_u64(cpu, fp + 8, &saved_lr))
        return false;
    uint64_t ra = unwind_arm64_strip_pac(saved_lr);
    bool unverified = false;
    /* The outermost record is all zeros (thread start); else the value must be a return address. */
    if (!(ra == 0 && saved_fp == 0) && !arm64_is_return_address(env, ra, &unverified) &&
        !unverified)
        return false;
    struct unwind_regs r = cpu->regs;
    forget_nonvolatile(&r);
    unwind_regs_set_saved(&r, ARM64_FP, saved_fp, fp);
    unwind_regs_set_saved(&r, ARM64_PC, ra, fp + 8);
    unwind_regs_set(&r, ARM64_SP, fp + 16);
    caller_from(ret_caller, &r, UNWIND_FOUND_FRAME_POINTER,
                ARM64_FRAME_SP_INEXACT | (unverified ? UNWIND_FRAME_UNVERIFIED : 0));
    return true;
}

static enum unwind_stop arm64_step(const struct unwind_env *env, const struct unwind_options *opts,
                                   struct unwind_frame *callee, struct unwind_frame *ret_caller,
                                   uint64_t *ret_fault)
{
    /*
     * A return address may be the first byte after the function that called (a call to a
     * noreturn function ends it), so look up pc-4, the call; the context frame and a frame whose
     * pc came from a trap frame or a context have the exact pc.
     */
    bool exact = callee->found_by == UNWIND_FOUND_CONTEXT || (callee->flags & UNWIND_FRAME_TRAP);
    bool sp_exact = !(callee->flags & ARM64_FRAME_SP_INEXACT);
    uint64_t pc = callee->ip;
    uint64_t lookup = exact || pc < 4 ? pc : pc - 4;
    struct arm64_cpu cpu = {env, callee->regs, 0};
    forget_volatile(&cpu.regs);

    uint64_t base = 0, size = 0;
    bool has_module = env->find_module && env->find_module(env->ctx, lookup, &base, &size);
    enum unwind_lookup lk = UNWIND_LOOKUP_UNAVAILABLE;
    uint32_t begin = 0, end = 0, word = 0;
    if (has_module && env->find_function && lookup - base <= UINT32_MAX)
        lk = env->find_function(env->ctx, base, (uint32_t)(lookup - base), &begin, &end, &word);

    if (lk == UNWIND_LOOKUP_REFUSED) /* the module's .pdata is refused: said (docs/limits.md) */
        callee->flags |= UNWIND_FRAME_BAD_UNWIND;
    if (lk == UNWIND_LOOKUP_FOUND && sp_exact) {
        struct arm64_cpu work = cpu;
        uint32_t flags = 0, length = 0;
        enum arm64_status st =
            arm64_unwind_by_info(&work, base, begin, word, pc, exact, &flags, &length);
        if (st == ARM64_OK) {
            callee->has_function = true;
            callee->module_base = base;
            callee->function_begin = begin;
            callee->function_end = end ? end : begin + length;
            callee->unwind_rva = word;
            caller_from(ret_caller, &work.regs, UNWIND_FOUND_UNWIND_INFO, flags);
            return UNWIND_STOP_NONE;
        }
        if (st == ARM64_FAULT) {
            *ret_fault = work.fault;
            return UNWIND_STOP_FAULT;
        }
        /* Unusable unwind data: fall through to the frame chain and the scan. */
    }

    /*
     * No unwind data. lr holds the return address only where the registers are the thread's own
     * (the first frame, a context or trap frame), and only if the function is a leaf: certain when
     * the module's table has no entry for it, a guess (as Breakpad makes) when the table cannot be
     * had; outside every module (JIT code) the value must prove itself.
     */
    bool lr_usable = exact && unwind_regs_has(&cpu.regs, ARM64_LR) &&
                     unwind_arm64_strip_pac(cpu.regs.r[ARM64_LR]) != pc;
    if (lr_usable && lk != UNWIND_LOOKUP_FOUND &&
        leaf_unwind(env, &cpu, lk == UNWIND_LOOKUP_NONE && has_module, has_module, ret_caller))
        return UNWIND_STOP_NONE;

    struct arm64_cpu work = cpu;
    if (chain_unwind(env, callee, &work, ret_caller))
        return UNWIND_STOP_NONE;
    if (opts->no_scan)
        return UNWIND_STOP_NO_CALLER;
    return arm64_scan(env, opts, callee, ret_caller, ret_fault);
}

const struct unwind_arch unwind_arch_arm64 = {
    .name = "arm64",
    .pc_slot = ARM64_PC,
    .sp_slot = ARM64_SP,
    .step = arm64_step,
};

struct dd_error *unwind_arm64_walk(const struct unwind_env *env, const struct unwind_regs *start,
                                   const struct unwind_options *opts, struct unwind_walk *ret)
{
    return unwind_walk_run(&unwind_arch_arm64, env, start, opts, ret);
}
