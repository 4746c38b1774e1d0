/*
 * Undoing an ARM function's prolog with its unwind codes (Microsoft "ARM Exception Handling",
 * "Unwinding Partial Prologues and Epilogues"): where the pc is (body, partly run prolog, one of
 * the epilog scopes and whether its condition holds), how many instruction bytes of codes to
 * skip, and the effect of each code on the registers. This is what RtlVirtualUnwind does.
 */
#include <string.h>

#include "base/cursor.h"
#include "unwind/arm/arm_internal.h"

/* ARM CONTEXT offsets (winnt.h, _ARM_), the record MSFT-specific type 2 points at. */
#define CTX_FLAGS 0x00u
#define CTX_R0 0x04u
#define CTX_SP 0x38u
#define CTX_LR 0x3cu
#define CTX_PC 0x40u
#define CTX_CPSR 0x44u
#define CTX_FPSCR 0x48u
#define CTX_D0 0x50u
/* CONTEXT_UNWOUND_TO_CALL (winnt.h): the context's pc is a return address. */
#define ARM_CONTEXT_UNWOUND_TO_CALL 0x20000000u

enum arm_status arm_read_u32(struct arm_cpu *cpu, uint32_t addr, uint32_t *ret)
{
    uint8_t b[4];
    size_t got = cpu->env->read_memory(cpu->env->ctx, addr, b, sizeof(b));
    if (got < sizeof(b)) {
        cpu->fault = (uint64_t)addr + got;
        return ARM_FAULT;
    }
    *ret = dd_le32(b);
    return ARM_OK;
}

/* Loads r(REG) from ADDR. */
static enum arm_status restore_r(struct arm_cpu *cpu, unsigned reg, uint32_t addr)
{
    uint32_t v;
    enum arm_status st = arm_read_u32(cpu, addr, &v);
    if (st == ARM_OK)
        unwind_regs_set_saved(&cpu->regs, reg, v, addr);
    return st;
}

/* Loads d(D) (0-31) from ADDR into its half of q(D/2). */
static enum arm_status restore_d(struct arm_cpu *cpu, unsigned d, uint32_t addr)
{
    uint8_t b[8];
    size_t got = cpu->env->read_memory(cpu->env->ctx, addr, b, sizeof(b));
    if (got < sizeof(b)) {
        cpu->fault = (uint64_t)addr + got;
        return ARM_FAULT;
    }
    unsigned q = d / 2;
    if (q >= UNWIND_MAX_VEC)
        return ARM_OK;
    /* The other half keeps its value: d8-d15 the function did not save are unchanged. */
    memcpy(cpu->regs.vec[q] + 8 * (d & 1), b, sizeof(b));
    cpu->regs.vec_valid |= 1u << q;
    cpu->regs.vec_saved |= 1u << q;
    cpu->regs.vec_saved_at[q] = addr;
    return ARM_OK;
}

/* pop {MASK}: r0-r12 then lr upwards from sp; r0-r3 and r12 are skipped (volatile). */
static enum arm_status run_pop(struct arm_cpu *cpu, uint16_t mask)
{
    struct unwind_regs *r = &cpu->regs;
    uint32_t sp = (uint32_t)r->r[ARM_SP];
    enum arm_status st;
    for (unsigned i = 0; i <= 12; i++) {
        if (!(mask >> i & 1))
            continue;
        if (i >= 4 && i <= 11 && (st = restore_r(cpu, i, sp)))
            return st;
        sp += 4;
    }
    if ((mask & 0x4000) && (st = restore_r(cpu, ARM_LR, sp)))
        return st;
    if (mask & 0x4000)
        sp += 4;
    unwind_regs_set(r, ARM_SP, sp);
    return ARM_OK;
}

/* MSFT-specific type 2: every register from an ARM CONTEXT at C. */
static enum arm_status restore_context(struct arm_cpu *cpu, uint32_t c)
{
    enum arm_status st;
    uint32_t flags, v;
    for (unsigned i = 0; i <= 12; i++)
        if ((st = restore_r(cpu, i, c + CTX_R0 + 4 * i)))
            return st;
    if ((st = restore_r(cpu, ARM_LR, c + CTX_LR)) || (st = restore_r(cpu, ARM_CPSR, c + CTX_CPSR)) ||
        (st = restore_r(cpu, ARM_FPSCR, c + CTX_FPSCR)))
        return st;
    for (unsigned d = 0; d < 32; d++)
        if ((st = restore_d(cpu, d, c + CTX_D0 + 8 * d)))
            return st;
    if ((st = arm_read_u32(cpu, c + CTX_FLAGS, &flags)) || (st = arm_read_u32(cpu, c + CTX_PC, &v)))
        return st;
    (void)flags; /* an unwound-to-call pc is still the frame's pc to show */
    unwind_regs_set_saved(&cpu->regs, ARM_PC, v & ~1u, c + CTX_PC);
    if ((st = arm_read_u32(cpu, c + CTX_SP, &v)))
        return st;
    unwind_regs_set_saved(&cpu->regs, ARM_SP, v, c + CTX_SP);
    return ARM_OK;
}

enum arm_status arm_codes_run(struct arm_cpu *cpu, const struct unwind_arm_info *info,
                              uint32_t start, uint32_t skip, bool *ret_special)
{
    struct unwind_regs *r = &cpu->regs;
    struct unwind_arm_code c;
    uint32_t at = start;
    /* Codes of instructions not run yet (partly run prolog) or already run (epilog). */
    while (skip > 0) {
        if (!unwind_arm_code_decode(info->codes, info->ncodes, at, &c))
            return ARM_BAD_INFO;
        if (c.op == UNWIND_ARM_END)
            break;
        at += c.size;
        skip = c.insn_size >= skip ? 0 : skip - c.insn_size;
    }
    bool special = false;
    for (;;) {
        /* Running off the end of the codes without an end code is malformed. */
        if (!unwind_arm_code_decode(info->codes, info->ncodes, at, &c))
            return ARM_BAD_INFO;
        at += c.size;
        if (c.op == UNWIND_ARM_END) {
            *ret_special = special;
            return ARM_OK;
        }
        if (c.op != UNWIND_ARM_NOP && !unwind_regs_has(r, ARM_SP))
            return ARM_BAD_INFO;
        uint32_t sp = (uint32_t)r->r[ARM_SP];
        enum arm_status st = ARM_OK;
        switch (c.op) {
        case UNWIND_ARM_ALLOC:
            if (sp > UINT32_MAX - c.offset)
                return ARM_BAD_INFO;
            unwind_regs_set(r, ARM_SP, sp + c.offset);
            break;
        case UNWIND_ARM_POP:
            st = run_pop(cpu, c.mask);
            break;
        case UNWIND_ARM_MOV_SP:
            /* mov rX, sp in the prolog: sp comes back from rX (r13: nothing to do). */
            if (c.reg == ARM_SP)
                break;
            if (c.reg == ARM_PC || !unwind_regs_has(r, c.reg))
                return ARM_BAD_INFO;
            unwind_regs_set(r, ARM_SP, (uint32_t)r->r[c.reg]);
            break;
        case UNWIND_ARM_VPOP:
            for (unsigned d = c.dfirst; d <= c.dlast && st == ARM_OK; d++, sp += 8)
                st = restore_d(cpu, d, sp);
            if (st == ARM_OK)
                unwind_regs_set(r, ARM_SP, sp);
            break;
        case UNWIND_ARM_LDR_LR:
            if ((st = restore_r(cpu, ARM_LR, sp)) == ARM_OK)
                unwind_regs_set(r, ARM_SP, sp + c.offset);
            break;
        case UNWIND_ARM_MSFT:
            if (c.reg == 1) {
                /* Machine frame: the interrupted sp at [sp], its pc at [sp+4]. */
                uint32_t nsp, pc;
                if ((st = arm_read_u32(cpu, sp, &nsp)) || (st = arm_read_u32(cpu, sp + 4, &pc)))
                    return st;
                unwind_regs_set_saved(r, ARM_PC, pc & ~1u, sp + 4);
                unwind_regs_set_saved(r, ARM_SP, nsp, sp);
                unwind_regs_forget(r, ARM_LR); /* the interrupted code's lr is not in the frame */
            } else if (c.reg == 2) {
                st = restore_context(cpu, sp);
            } else {
                return ARM_BAD_INFO;
            }
            special = true;
            break;
        case UNWIND_ARM_NOP:
        default:
            break;
        }
        if (st)
            return st;
    }
}

/* True when condition COND (ARM ARM A8.3) holds for the flags in CPSR. */
static bool condition_holds(unsigned cond, uint32_t cpsr)
{
    bool n = cpsr >> 31 & 1, z = cpsr >> 30 & 1, c = cpsr >> 29 & 1, v = cpsr >> 28 & 1;
    bool res;
    switch (cond >> 1) {
    case 0: res = z; break;           /* eq / ne */
    case 1: res = c; break;           /* cs / cc */
    case 2: res = n; break;           /* mi / pl */
    case 3: res = v; break;           /* vs / vc */
    case 4: res = c && !z; break;     /* hi / ls */
    case 5: res = n == v; break;      /* ge / lt */
    case 6: res = !z && n == v; break; /* gt / le */
    default: return true;             /* al */
    }
    return (cond & 1) ? !res : res;
}

enum arm_status arm_unwind_by_info(struct arm_cpu *cpu, uint64_t base, uint32_t begin,
                                   uint32_t word, uint32_t pc, bool exact, uint32_t *ret_flags,
                                   uint32_t *ret_length)
{
    struct unwind_arm_info info;
    if (!unwind_arm_info_read(cpu->env, base, word, &info))
        return ARM_BAD_INFO;
    /*
     * Instruction bytes run in the function: everything before pc. For a return address that is
     * the call and what preceded it, the state in which the callee returns.
     */
    uint64_t fn = base + (begin & ~1u);
    uint64_t offset = pc >= fn ? pc - fn : UINT64_MAX;
    uint64_t flen = info.function_length;
    uint32_t start = 0, skip = 0, flags = 0;

    /* In the prolog: undo only the codes of instructions already run (the last ones listed). */
    uint32_t prolog = info.fragment ? 0 : unwind_arm_sequence_size(&info, 0, false);
    if (offset < prolog) {
        skip = (uint32_t)(prolog - offset);
        flags |= UNWIND_FRAME_PROLOG;
    } else if (info.single_epilog && !info.no_epilog) {
        /* One epilog ending the function; skip the codes of its instructions already run. */
        uint32_t size = unwind_arm_sequence_size(&info, info.epilog_index, true);
        if (size <= flen && offset >= flen - size && offset < flen) {
            start = info.epilog_index;
            skip = (uint32_t)(offset - (flen - size));
            flags |= UNWIND_FRAME_EPILOG;
        }
    } else {
        /* Scopes are sorted by start offset; stop at the first one past the pc. */
        for (uint32_t i = 0; i < info.nscopes; i++) {
            struct unwind_arm_scope s;
            if (!unwind_arm_info_scope(cpu->env, base, &info, i, &s))
                return ARM_BAD_INFO;
            if (offset < s.start)
                break;
            if (s.index >= info.ncodes)
                return ARM_BAD_INFO;
            uint32_t size = unwind_arm_sequence_size(&info, s.index, true);
            if (offset >= (uint64_t)s.start + size)
                continue;
            /*
             * A conditional epilog whose condition fails does not run: the frame is the body's.
             * The flags are known only where the registers are the thread's own.
             */
            if (s.condition != ARM_COND_ALWAYS && exact && cpu->has_flags &&
                !condition_holds(s.condition, cpu->flags_cpsr))
                break;
            start = s.index;
            skip = (uint32_t)(offset - s.start);
            flags |= UNWIND_FRAME_EPILOG;
            break;
        }
    }

    struct arm_cpu work = *cpu;
    bool special = false;
    enum arm_status st = arm_codes_run(&work, &info, start, skip, &special);
    if (st) {
        cpu->fault = work.fault;
        return st;
    }
    struct unwind_regs *r = &work.regs;
    if (special) {
        flags |= UNWIND_FRAME_TRAP;
    } else {
        /* Every unwind ends in a return: the caller's pc is the (restored) lr, without the Thumb bit. */
        if (!unwind_regs_has(r, ARM_LR))
            return ARM_BAD_INFO;
        uint32_t ra = (uint32_t)r->r[ARM_LR] & ~1u;
        if (r->saved >> ARM_LR & 1)
            unwind_regs_set_saved(r, ARM_PC, ra, r->saved_at[ARM_LR]);
        else
            unwind_regs_set(r, ARM_PC, ra);
        unwind_regs_forget(r, ARM_LR); /* the call overwrote it */
    }
    if (!unwind_regs_has(r, ARM_PC) || !unwind_regs_has(r, ARM_SP))
        return ARM_BAD_INFO;
    cpu->regs = work.regs;
    *ret_flags = flags;
    *ret_length = info.function_length;
    return ARM_OK;
}
