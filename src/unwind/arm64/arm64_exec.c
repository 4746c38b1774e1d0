/*
 * Undoing an ARM64 function's prolog with its unwind codes (Microsoft "ARM64 exception
 * handling"): where the pc is (body, partly run prolog, one of the epilog scopes), how many codes
 * to skip, and the effect of each code on the registers. This is what RtlVirtualUnwind does.
 */
#include <string.h>

#include "base/cursor.h"
#include "unwind/arm64/arm64_internal.h"

/*
 * ARM64_KTRAP_FRAME offsets (Windows ntarm64.h, the frame MSFT_OP_TRAP_FRAME points at): Spsr,
 * Sp, X0-X18, Lr, Fp, Pc.
 */
#define KTRAP_SPSR 0x090u
#define KTRAP_SP 0x098u
#define KTRAP_X 0x0a0u
#define KTRAP_LR 0x138u
#define KTRAP_FP 0x140u
#define KTRAP_PC 0x148u
/* ARM64 CONTEXT offsets (winnt.h ARM64_NT_CONTEXT), the record MSFT_OP_CONTEXT points at. */
#define CTX_FLAGS 0x000u
#define CTX_CPSR 0x004u
#define CTX_X 0x008u
#define CTX_FP 0x0f0u
#define CTX_LR 0x0f8u
#define CTX_SP 0x100u
#define CTX_PC 0x108u
#define CTX_V 0x110u
#define CTX_FPCR 0x310u
#define CTX_FPSR 0x314u

enum arm64_status arm64_read_u64(struct arm64_cpu *cpu, uint64_t addr, uint64_t *ret)
{
    uint8_t b[8];
    size_t got = cpu->env->read_memory(cpu->env->ctx, addr, b, sizeof(b));
    if (got < sizeof(b)) {
        cpu->fault = addr + got;
        return ARM64_FAULT;
    }
    *ret = dd_le64(b);
    return ARM64_OK;
}

static enum arm64_status read_u32(struct arm64_cpu *cpu, uint64_t addr, uint32_t *ret)
{
    uint8_t b[4];
    size_t got = cpu->env->read_memory(cpu->env->ctx, addr, b, sizeof(b));
    if (got < sizeof(b)) {
        cpu->fault = addr + got;
        return ARM64_FAULT;
    }
    *ret = dd_le32(b);
    return ARM64_OK;
}

/* Loads x(REG) (0-30) from ADDR. */
static enum arm64_status restore_x(struct arm64_cpu *cpu, unsigned reg, uint64_t addr)
{
    uint64_t v;
    if (reg > 30)
        return ARM64_BAD_INFO;
    enum arm64_status st = arm64_read_u64(cpu, addr, &v);
    if (st == ARM64_OK)
        unwind_regs_set_saved(&cpu->regs, reg, v, addr);
    return st;
}

/* Loads d(REG) (Q: all of v(REG)) from ADDR; registers past the 16 vector slots are dropped. */
static enum arm64_status restore_v(struct arm64_cpu *cpu, unsigned reg, uint64_t addr, bool q)
{
    if (reg > 31)
        return ARM64_BAD_INFO;
    if (reg >= UNWIND_MAX_VEC)
        return ARM64_OK;
    uint8_t b[16] = {0};
    size_t want = q ? 16 : 8;
    size_t got = cpu->env->read_memory(cpu->env->ctx, addr, b, want);
    if (got < want) {
        cpu->fault = addr + got;
        return ARM64_FAULT;
    }
    memcpy(cpu->regs.vec[reg], b, sizeof(b)); /* a D load leaves the upper half unknown: 0 */
    cpu->regs.vec_valid |= 1u << reg;
    cpu->regs.vec_saved |= 1u << reg;
    cpu->regs.vec_saved_at[reg] = addr;
    return ARM64_OK;
}

/*
 * A save code: NREGS registers from C->reg upwards in consecutive slots at sp + offset (or at sp,
 * then sp += offset, for pre-indexed stores). Integer pairs continued by save_next go on with d8
 * after x28 ("A save_next refers to the first FP register pair when it follows the save_next
 * that denotes the last Int register pair").
 */
static enum arm64_status restore_save(struct arm64_cpu *cpu, const struct unwind_arm64_code *c,
                                      unsigned nregs)
{
    struct unwind_regs *r = &cpu->regs;
    if (!unwind_regs_has(r, ARM64_SP))
        return ARM64_BAD_INFO;
    uint64_t sp = r->r[ARM64_SP];
    uint64_t base = c->writeback ? sp : sp + c->offset;
    unsigned width = c->kind == UNWIND_ARM64_Q ? 16 : 8;
    bool wraps = c->op == UNWIND_ARM64_SAVE_R19R20_X || c->op == UNWIND_ARM64_SAVE_REGP ||
                 c->op == UNWIND_ARM64_SAVE_REGP_X;
    enum arm64_status st = ARM64_OK;
    for (unsigned i = 0; i < nregs && st == ARM64_OK; i++) {
        uint64_t at = base + (uint64_t)i * width;
        unsigned reg = c->reg + i;
        if (c->lr_pair && i == 1)
            st = restore_x(cpu, ARM64_LR, at);
        else if (c->kind != UNWIND_ARM64_X)
            st = restore_v(cpu, reg, at, c->kind == UNWIND_ARM64_Q);
        else if (wraps && i >= 2 && reg > 28)
            st = restore_v(cpu, 8 + (reg - 29), at, false);
        else
            st = restore_x(cpu, reg, at);
    }
    if (st == ARM64_OK && c->writeback)
        unwind_regs_set(r, ARM64_SP, sp + c->offset);
    return st;
}

/* MSFT_OP_TRAP_FRAME: x0-x18, sp, lr, fp, pc and the status register from a KTRAP_FRAME. */
static enum arm64_status restore_trap_frame(struct arm64_cpu *cpu, uint64_t f)
{
    enum arm64_status st;
    uint64_t v;
    uint32_t spsr;
    for (unsigned i = 0; i <= 18; i++)
        if ((st = restore_x(cpu, i, f + KTRAP_X + 8 * i)))
            return st;
    if ((st = restore_x(cpu, ARM64_LR, f + KTRAP_LR)) ||
        (st = restore_x(cpu, ARM64_FP, f + KTRAP_FP)))
        return st;
    if ((st = read_u32(cpu, f + KTRAP_SPSR, &spsr)))
        return st;
    unwind_regs_set_saved(&cpu->regs, ARM64_CPSR, spsr, f + KTRAP_SPSR);
    if ((st = arm64_read_u64(cpu, f + KTRAP_PC, &v)))
        return st;
    unwind_regs_set_saved(&cpu->regs, ARM64_PC, v, f + KTRAP_PC);
    if ((st = arm64_read_u64(cpu, f + KTRAP_SP, &v)))
        return st;
    unwind_regs_set_saved(&cpu->regs, ARM64_SP, v, f + KTRAP_SP);
    return ARM64_OK;
}

/* MSFT_OP_CONTEXT: every register from a CONTEXT; sets *ret_exact unless it was unwound to call. */
static enum arm64_status restore_context(struct arm64_cpu *cpu, uint64_t c, bool *ret_exact)
{
    enum arm64_status st;
    uint32_t flags, cpsr, fpcr, fpsr;
    uint64_t v;
    for (unsigned i = 0; i <= 28; i++)
        if ((st = restore_x(cpu, i, c + CTX_X + 8 * i)))
            return st;
    if ((st = restore_x(cpu, ARM64_FP, c + CTX_FP)) || (st = restore_x(cpu, ARM64_LR, c + CTX_LR)))
        return st;
    for (unsigned i = 0; i < UNWIND_MAX_VEC; i++)
        if ((st = restore_v(cpu, i, c + CTX_V + 16 * i, true)))
            return st;
    if ((st = read_u32(cpu, c + CTX_FLAGS, &flags)) || (st = read_u32(cpu, c + CTX_CPSR, &cpsr)) ||
        (st = read_u32(cpu, c + CTX_FPCR, &fpcr)) || (st = read_u32(cpu, c + CTX_FPSR, &fpsr)))
        return st;
    unwind_regs_set_saved(&cpu->regs, ARM64_CPSR, cpsr, c + CTX_CPSR);
    unwind_regs_set_saved(&cpu->regs, ARM64_FPCR, fpcr, c + CTX_FPCR);
    unwind_regs_set_saved(&cpu->regs, ARM64_FPSR, fpsr, c + CTX_FPSR);
    if ((st = arm64_read_u64(cpu, c + CTX_PC, &v)))
        return st;
    unwind_regs_set_saved(&cpu->regs, ARM64_PC, v, c + CTX_PC);
    if ((st = arm64_read_u64(cpu, c + CTX_SP, &v)))
        return st;
    unwind_regs_set_saved(&cpu->regs, ARM64_SP, v, c + CTX_SP);
    *ret_exact = !(flags & ARM64_CONTEXT_UNWOUND_TO_CALL);
    return ARM64_OK;
}

uint32_t arm64_scope_size(const struct unwind_arm64_info *info, uint32_t start, bool epilog)
{
    uint32_t n = 0;
    struct unwind_arm64_code c;
    for (uint32_t at = start; unwind_arm64_code_decode(info->codes, info->ncodes, at, &c);
         at += c.size) {
        if (c.op == UNWIND_ARM64_END || c.op == UNWIND_ARM64_END_C)
            break;
        n += c.insns;
    }
    return epilog ? n + 1 : n; /* an epilog ends with ret (or a tail branch) */
}

/* True for the codes a pending save_next may extend (pair saves). */
static bool takes_save_next(const struct unwind_arm64_code *c)
{
    switch (c->op) {
    case UNWIND_ARM64_SAVE_R19R20_X:
    case UNWIND_ARM64_SAVE_REGP:
    case UNWIND_ARM64_SAVE_REGP_X:
    case UNWIND_ARM64_SAVE_FREGP:
    case UNWIND_ARM64_SAVE_FREGP_X:
        return true;
    case UNWIND_ARM64_SAVE_ANY_REG:
        return c->nregs == 2;
    default:
        return false;
    }
}

enum arm64_status arm64_codes_run(struct arm64_cpu *cpu, const struct unwind_arm64_info *info,
                                  uint32_t start, uint32_t skip, bool *ret_special, bool *ret_exact)
{
    struct unwind_regs *r = &cpu->regs;
    struct unwind_arm64_code c;
    uint32_t at = start;
    /* Codes of instructions not run yet (partly run prolog) or already run (epilog). */
    for (; skip > 0; skip--) {
        if (!unwind_arm64_code_decode(info->codes, info->ncodes, at, &c))
            return ARM64_BAD_INFO;
        if (c.op == UNWIND_ARM64_END || c.op == UNWIND_ARM64_END_C)
            break;
        at += c.size;
    }
    bool special = false, exact = false;
    unsigned save_next = 0;
    enum arm64_status st = ARM64_OK;
    for (;;) {
        /* Running off the end of the codes without `end` is malformed. */
        if (!unwind_arm64_code_decode(info->codes, info->ncodes, at, &c))
            return ARM64_BAD_INFO;
        at += c.size;
        if (save_next && !takes_save_next(&c) && c.op != UNWIND_ARM64_SAVE_NEXT)
            return ARM64_BAD_INFO; /* save_next must precede a pair save */
        uint64_t sp = r->r[ARM64_SP];
        switch (c.op) {
        case UNWIND_ARM64_ALLOC_S:
        case UNWIND_ARM64_ALLOC_M:
        case UNWIND_ARM64_ALLOC_L:
            unwind_regs_set(r, ARM64_SP, sp + c.offset);
            break;
        case UNWIND_ARM64_SET_FP:
        case UNWIND_ARM64_ADD_FP:
            /* mov x29, sp / add x29, sp, #n: sp comes back from the frame pointer. */
            if (!unwind_regs_has(r, ARM64_FP))
                return ARM64_BAD_INFO;
            unwind_regs_set(r, ARM64_SP, r->r[ARM64_FP] - c.offset);
            break;
        case UNWIND_ARM64_SAVE_NEXT:
            save_next++;
            if (save_next > 16)
                return ARM64_BAD_INFO;
            break;
        case UNWIND_ARM64_PAC_SIGN_LR:
            /* The saved lr was signed with pacibsp: only its address bits are a return address. */
            if (unwind_regs_has(r, ARM64_LR))
                r->r[ARM64_LR] = unwind_arm64_strip_pac(r->r[ARM64_LR]);
            break;
        case UNWIND_ARM64_TRAP_FRAME:
            st = restore_trap_frame(cpu, sp);
            special = exact = true;
            break;
        case UNWIND_ARM64_MACHINE_FRAME: {
            /* The machine frame: the interrupted sp at [sp], its pc at [sp+8]. */
            uint64_t nsp, pc;
            if ((st = arm64_read_u64(cpu, sp, &nsp)) || (st = arm64_read_u64(cpu, sp + 8, &pc)))
                return st;
            unwind_regs_set_saved(r, ARM64_PC, pc, sp + 8);
            unwind_regs_set_saved(r, ARM64_SP, nsp, sp);
            unwind_regs_forget(r, ARM64_LR); /* the interrupted code's lr is not in the frame */
            special = exact = true;
            break;
        }
        case UNWIND_ARM64_CONTEXT:
            st = restore_context(cpu, sp, &exact);
            special = true;
            break;
        case UNWIND_ARM64_CLEAR_UNWOUND:
            /* The caller's pc is lr itself, not a return address. */
            if (!unwind_regs_has(r, ARM64_LR))
                return ARM64_BAD_INFO;
            if (r->saved >> ARM64_LR & 1)
                unwind_regs_set_saved(r, ARM64_PC, r->r[ARM64_LR], r->saved_at[ARM64_LR]);
            else
                unwind_regs_set(r, ARM64_PC, r->r[ARM64_LR]);
            special = exact = true;
            break;
        case UNWIND_ARM64_NOP:
        case UNWIND_ARM64_END_C: /* the parent fragment's codes follow: go on */
        case UNWIND_ARM64_RESERVED_NOP:
            break;
        case UNWIND_ARM64_END:
            *ret_special = special;
            *ret_exact = exact;
            return ARM64_OK;
        case UNWIND_ARM64_ALLOC_Z:    /* needs the SVE vector length */
        case UNWIND_ARM64_EC_CONTEXT: /* an x64 CONTEXT under ARM64EC emulation */
            return ARM64_BAD_INFO;
        default:
            if (c.nregs == 0)
                return ARM64_BAD_INFO;
            st = restore_save(cpu, &c, c.nregs + 2 * save_next);
            save_next = 0;
            break;
        }
        if (st)
            return st;
    }
}

enum arm64_status arm64_unwind_by_info(struct arm64_cpu *cpu, uint64_t base, uint32_t begin,
                                       uint32_t word, uint64_t pc, bool exact, uint32_t *ret_flags,
                                       uint32_t *ret_length)
{
    struct unwind_arm64_info info;
    if (!unwind_arm64_info_read(cpu->env, base, word, &info))
        return ARM64_BAD_INFO;
    /*
     * Instructions run in the function. A return address follows the call, which has not
     * finished: count from the call itself (the pc the function lookup used too).
     */
    uint64_t fn = base + begin, at = exact ? pc : pc - 4;
    uint64_t offset = at >= fn ? (at - fn) / 4 : UINT64_MAX;
    uint64_t flen = info.function_length / 4;
    uint32_t start = 0, skip = 0, flags = 0;

    /* In the prolog: undo only the codes of instructions already run (the last ones listed). */
    uint32_t prolog = arm64_scope_size(&info, 0, false);
    if (offset < prolog) {
        skip = (uint32_t)(prolog - offset);
        flags |= UNWIND_FRAME_PROLOG;
    } else if (info.single_epilog) {
        /* E: one epilog ending the function; skip the codes of its instructions already run. */
        uint32_t size = arm64_scope_size(&info, info.epilog_index, true);
        if (size <= flen && offset >= flen - size && offset < flen) {
            start = info.epilog_index;
            skip = (uint32_t)(offset - (flen - size));
            flags |= UNWIND_FRAME_EPILOG;
        }
    } else {
        /* Scopes are sorted by start offset; stop at the first one past the pc. */
        for (uint32_t i = 0; i < info.nscopes; i++) {
            uint32_t sbytes;
            uint16_t index;
            if (!unwind_arm64_info_scope(cpu->env, base, &info, i, &sbytes, &index))
                return ARM64_BAD_INFO;
            uint64_t sstart = sbytes / 4;
            if (offset < sstart)
                break;
            if (index >= info.ncodes)
                return ARM64_BAD_INFO;
            uint32_t size = arm64_scope_size(&info, index, true);
            if (offset < sstart + size) {
                start = index;
                skip = (uint32_t)(offset - sstart);
                flags |= UNWIND_FRAME_EPILOG;
                break;
            }
        }
    }

    struct arm64_cpu work = *cpu;
    bool special = false, special_exact = false;
    enum arm64_status st = arm64_codes_run(&work, &info, start, skip, &special, &special_exact);
    if (st) {
        cpu->fault = work.fault;
        return st;
    }
    struct unwind_regs *r = &work.regs;
    if (special) {
        if (special_exact)
            flags |= UNWIND_FRAME_TRAP;
    } else {
        /*
         * Every unwind ends in a ret: the caller's pc is the (restored) lr, without the
         * pointer-authentication bits a signed lr carries even when the codes do not say so.
         */
        if (!unwind_regs_has(r, ARM64_LR))
            return ARM64_BAD_INFO;
        uint64_t ra = unwind_arm64_strip_pac(r->r[ARM64_LR]);
        if (r->saved >> ARM64_LR & 1)
            unwind_regs_set_saved(r, ARM64_PC, ra, r->saved_at[ARM64_LR]);
        else
            unwind_regs_set(r, ARM64_PC, ra);
    }
    if (!unwind_regs_has(r, ARM64_PC) || !unwind_regs_has(r, ARM64_SP))
        return ARM64_BAD_INFO;
    cpu->regs = work.regs;
    *ret_flags = flags;
    *ret_length = info.function_length;
    return ARM64_OK;
}
