/*
 * Being inside an epilog at the faulting instruction. Microsoft "x64 prolog and epilog":
 * an epilog is exactly `add rsp, imm` or `lea rsp, [FPReg + disp]`, then zero or more
 * 8-byte register pops, then `ret` or a `jmp` (direct out of the function, or indirect
 * with ModRM mod 00). The unwinder recognises the rest of such a sequence at RIP and
 * simulates it instead of undoing the prolog. Version 2 unwind info says where the
 * epilogs are; then the rest can also be derived from the prolog's push codes.
 */
#include "base/cursor.h"
#include "unwind/x64/x64_internal.h"

#define EPILOG_MAX_POPS 16

enum epilog_end { END_RET, END_JMP };

struct epilog_plan {
    bool has_add, has_lea;
    int64_t add;      /* add rsp, imm */
    uint8_t lea_base; /* lea rsp, [lea_base + lea_disp] */
    int64_t lea_disp;
    uint8_t pops[EPILOG_MAX_POPS];
    unsigned npops;
    uint16_t ret_imm; /* ret imm16 */
};

/* Decodes the leading add/lea at C[0..N); returns its length, 0 when there is none. */
static size_t decode_stack_restore(const uint8_t *c, size_t n, uint8_t frame_reg,
                                   struct epilog_plan *plan)
{
    if (n < 4 || (c[0] & 0xf8) != 0x48) /* REX.W is required */
        return 0;
    if (c[0] == 0x48 && c[1] == 0x83 && c[2] == 0xc4) { /* add rsp, imm8 */
        plan->has_add = true;
        plan->add = (int8_t)c[3];
        return 4;
    }
    if (c[0] == 0x48 && c[1] == 0x81 && c[2] == 0xc4 && n >= 7) { /* add rsp, imm32 */
        plan->has_add = true;
        plan->add = (int32_t)dd_le32(c + 3);
        return 7;
    }
    if (c[1] == 0x8d && (c[0] & 0x06) == 0) { /* lea rsp, [base + disp]: no REX.R/X */
        uint8_t mod = c[2] >> 6, reg = (c[2] >> 3) & 7, rm = c[2] & 7;
        uint8_t base = (uint8_t)(rm | ((c[0] & 1) << 3));
        if (reg != X64_RSP || rm == 4 || frame_reg == 0 || base != frame_reg)
            return 0;
        plan->has_lea = true;
        plan->lea_base = base;
        if (mod == 1) {
            plan->lea_disp = (int8_t)c[3];
            return 4;
        }
        if (mod == 2 && n >= 7) {
            plan->lea_disp = (int32_t)dd_le32(c + 3);
            return 7;
        }
    }
    return 0;
}

/* Decodes the terminator at C[0..N): ret forms or a jmp that leaves the function. */
static bool decode_end(const uint8_t *c, size_t n, uint64_t at, uint64_t fn_begin, uint64_t fn_end,
                       struct epilog_plan *plan)
{
    size_t q = 0;
    bool rex = false;
    if (n > 0 && (c[0] & 0xf0) == 0x40) {
        rex = true;
        q = 1;
    }
    if (q >= n)
        return false;
    uint8_t op = c[q];
    if (!rex && op == 0xc3)
        return true;
    if (!rex && op == 0xf3 && q + 1 < n && c[q + 1] == 0xc3) /* rep ret */
        return true;
    if (!rex && op == 0xc2 && q + 3 <= n) {
        plan->ret_imm = (uint16_t)(c[q + 1] | (c[q + 2] << 8));
        return true;
    }
    if (!rex && (op == 0xe9 || op == 0xeb)) { /* direct jmp: a tail call if it leaves */
        size_t len = op == 0xe9 ? 5 : 2;
        if (q + len > n)
            return false;
        int64_t rel = op == 0xe9 ? (int32_t)dd_le32(c + q + 1) : (int8_t)c[q + 1];
        uint64_t target = at + q + len + (uint64_t)rel;
        return target < fn_begin || target >= fn_end;
    }
    if (op == 0xff && q + 1 < n) { /* jmp [mem] with ModRM mod 00 */
        uint8_t modrm = c[q + 1];
        return ((modrm >> 3) & 7) == 4 && (modrm >> 6) == 0;
    }
    return false;
}

/* Pops one stack slot into REG (the return address when REG is X64_RIP). */
static enum x64_status pop_into(struct x64_cpu *cpu, uint8_t reg)
{
    uint64_t rsp = cpu->regs.r[X64_RSP], v;
    enum x64_status st = x64_read_u64(cpu, rsp, &v);
    if (st)
        return st;
    if (reg == X64_RSP) {
        unwind_regs_set(&cpu->regs, X64_RSP, v);
        return X64_OK;
    }
    unwind_regs_set_saved(&cpu->regs, reg, v, rsp);
    unwind_regs_set(&cpu->regs, X64_RSP, rsp + 8);
    return X64_OK;
}

enum x64_status x64_epilog_decode(struct x64_cpu *cpu, uint64_t fn_begin, uint64_t fn_end,
                                  uint8_t frame_reg, uint64_t ip)
{
    uint8_t c[64];
    size_t n = x64_read_code(cpu->env, ip, c, sizeof(c));
    struct epilog_plan plan = {0};
    size_t p = decode_stack_restore(c, n, frame_reg, &plan);
    for (;;) {
        size_t q = p;
        uint8_t rex = 0;
        if (q < n && (c[q] & 0xf0) == 0x40)
            rex = c[q++];
        if (q >= n)
            return X64_NO;
        if (c[q] < 0x58 || c[q] > 0x5f)
            break;
        if (plan.npops == EPILOG_MAX_POPS)
            return X64_NO;
        plan.pops[plan.npops++] = (uint8_t)((c[q] - 0x58) | ((rex & 1) << 3));
        p = q + 1;
    }
    if (!decode_end(c + p, n - p, ip + p, fn_begin, fn_end, &plan))
        return X64_NO;

    /* The whole rest is a legal epilog: run it. */
    struct unwind_regs *r = &cpu->regs;
    if (plan.has_add)
        unwind_regs_set(r, X64_RSP, r->r[X64_RSP] + (uint64_t)plan.add);
    if (plan.has_lea) {
        if (!unwind_regs_has(r, plan.lea_base))
            return X64_BAD_INFO;
        unwind_regs_set(r, X64_RSP, r->r[plan.lea_base] + (uint64_t)plan.lea_disp);
    }
    enum x64_status st;
    for (unsigned i = 0; i < plan.npops; i++)
        if ((st = pop_into(cpu, plan.pops[i])))
            return st;
    /* ret, or a tail jump whose target returns to the same return address. */
    if ((st = pop_into(cpu, X64_RIP)))
        return st;
    unwind_regs_set(r, X64_RSP, r->r[X64_RSP] + plan.ret_imm);
    return X64_OK;
}

enum x64_status x64_epilog_from_codes(struct x64_cpu *cpu, const struct x64_unwind_info *info,
                                      uint64_t remaining)
{
    /* The epilog pops in unwind-code order (the reverse of the prolog's pushes), then ret. */
    uint8_t pops[256];
    unsigned npops = 0;
    for (unsigned i = info->first_code; i < info->ncodes; i++) {
        uint16_t s = info->slots[i];
        switch (x64_code_op(s)) {
        case X64_UWOP_PUSH_NONVOL:
            pops[npops++] = x64_code_info(s);
            break;
        case X64_UWOP_ALLOC_LARGE:
            i += x64_code_info(s) == 0 ? 1 : 2;
            break;
        case X64_UWOP_SAVE_NONVOL:
        case X64_UWOP_SAVE_XMM128:
        case X64_UWOP_EPILOG:
            i += 1;
            break;
        case X64_UWOP_SAVE_NONVOL_FAR:
        case X64_UWOP_SAVE_XMM128_FAR:
        case X64_UWOP_SPARE_CODE:
            i += 2;
            break;
        }
    }
    /* Find which pop (1 byte, 2 with REX.B for r8-r15) starts REMAINING bytes before the end. */
    uint64_t tail = 1; /* ret */
    unsigned first = npops;
    if (remaining != tail) {
        bool found = false;
        for (unsigned j = npops; j-- > 0;) {
            tail += pops[j] >= 8 ? 2 : 1;
            if (tail == remaining) {
                first = j;
                found = true;
                break;
            }
        }
        if (!found)
            return remaining > tail ? X64_NO : X64_BAD_INFO;
    }
    enum x64_status st;
    for (unsigned j = first; j < npops; j++)
        if ((st = pop_into(cpu, pops[j])))
            return st;
    return pop_into(cpu, X64_RIP);
}
