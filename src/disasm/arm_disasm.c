/*
 * Thumb-2 instructions (Windows on ARM runs no ARM-state code) in WinDbg's layout, decoded by
 * Capstone (4.x) with numbered register names (r9-r12, as the Microsoft disassembler writes them,
 * not sb/sl/fp/ip). The Microsoft spellings differ from Capstone's in a few places, taken from
 * real output: no ".w" width suffix ("push {r11,lr}" for e92d 4800, "ldr pc,[r12]" for f8dc f000),
 * "mov" for MOVW ("mov r12,#0xC104"), three-operand add/sub with an immediate ("sub sp,sp,#0x10"
 * for b084), a literal load's address resolved, and udf #0xfe as "__debugbreak" (defe).
 */
#include <stdio.h>
#include <string.h>

#include <capstone/capstone.h>

#include "base/cursor.h"
#include "disasm/arm_common_disasm.h"
#include "disasm/arm_disasm.h"

/* True when the Thumb halfword H starts a 32-bit instruction (ARM ARM A6.1). */
static bool is_wide(uint16_t h)
{
    return (h & 0xf800u) == 0xe800u || (h & 0xf000u) == 0xf000u;
}

/* Flow of a Thumb instruction from its mnemonic (without ".w") and Capstone's detail. */
static enum disasm_flow flow_of(const char *m, const cs_arm *d, uint32_t regs_read_pc,
                                bool *ret_has_target)
{
    bool cond = d->cc != ARM_CC_AL && d->cc != ARM_CC_INVALID;
    bool imm = d->op_count > 0 && d->operands[0].type == ARM_OP_IMM;
    *ret_has_target = false;
    if (strncmp(m, "bl", 2) == 0 && (m[2] == 0 || strcmp(m + 2, "x") == 0 || cond)) {
        *ret_has_target = imm;
        return DISASM_FLOW_CALL;
    }
    if (strncmp(m, "cbz", 3) == 0 || strncmp(m, "cbnz", 4) == 0) {
        *ret_has_target = d->op_count > 1 && d->operands[1].type == ARM_OP_IMM;
        return DISASM_FLOW_COND;
    }
    if (m[0] == 'b' && (m[1] == 0 || cond) && strncmp(m, "bx", 2) != 0 && strncmp(m, "bic", 3) != 0 &&
        strncmp(m, "bfi", 3) != 0 && strncmp(m, "bfc", 3) != 0 && strncmp(m, "bkpt", 4) != 0) {
        *ret_has_target = imm;
        return cond ? DISASM_FLOW_COND : DISASM_FLOW_JUMP;
    }
    bool ret_like = false, jump = false;
    bool ldr_pc = strncmp(m, "ldr", 3) == 0 && d->op_count > 1 && d->operands[0].type == ARM_OP_REG &&
                  d->operands[0].reg == ARM_REG_PC;
    if (ldr_pc && !regs_read_pc)
        jump = true; /* ldr pc, [r12]: a jump through a pointer (import thunks) */
    else if (strncmp(m, "bx", 2) == 0)
        ret_like = d->op_count == 1 && d->operands[0].type == ARM_OP_REG &&
                   d->operands[0].reg == ARM_REG_LR,
        jump = !ret_like;
    else if (strncmp(m, "tbb", 3) == 0 || strncmp(m, "tbh", 3) == 0)
        jump = true;
    else if (regs_read_pc)
        ret_like = true; /* pop {..., pc}, ldr pc, [sp], #x, mov pc, lr */
    if (ret_like)
        return cond ? DISASM_FLOW_COND : DISASM_FLOW_RET;
    if (jump)
        return cond ? DISASM_FLOW_COND : DISASM_FLOW_JUMP;
    return DISASM_FLOW_NONE;
}

/* True when the instruction writes pc as a return would: a pop/ldm/ldr of pc or mov pc, lr. */
static bool writes_pc(const char *m, const cs_arm *d)
{
    if (strncmp(m, "pop", 3) == 0 || strncmp(m, "ldm", 3) == 0 || strncmp(m, "ldr", 3) == 0 ||
        strncmp(m, "mov", 3) == 0) {
        for (unsigned i = 0; i < d->op_count; i++)
            if (d->operands[i].type == ARM_OP_REG && d->operands[i].reg == ARM_REG_PC) {
                /* ldr pc, [sp], #x is a return; ldr pc, [r12] a jump through a pointer. */
                if (strncmp(m, "ldr", 3) == 0)
                    return i == 0 && d->op_count > 1 && d->operands[1].type == ARM_OP_MEM &&
                           d->operands[1].mem.base == ARM_REG_SP;
                return true;
            }
    }
    return false;
}

/* Bytes a single load or store moves, from its mnemonic (ldr/str, b/h/sb/sh forms); 0 else. */
static unsigned access_size(const char *m)
{
    if (strncmp(m, "ldr", 3) != 0 && strncmp(m, "str", 3) != 0)
        return 0;
    const char *s = m + 3;
    if (strncmp(s, "ex", 2) == 0)
        s += 2;
    if (*s == 'b' || strncmp(s, "sb", 2) == 0)
        return 1;
    if (*s == 'h' || strncmp(s, "sh", 2) == 0)
        return 2;
    if (*s == 'd')
        return 0; /* ldrd/strd: two words */
    return 4;
}

/*
 * Decodes the instruction at ADDR (BYTES, LEN bytes); BACK > 0: the IT instruction is BACK bytes
 * earlier (at BYTES - BACK) and the decode runs from it so the block's conditions apply. False
 * when that decode does not land on ADDR inside the block.
 */
static bool decode_at(const struct disasm_ctx *c, const uint8_t *bytes, size_t back, size_t len,
                      uint64_t addr, struct disasm_insn *ret);

void arm_disasm_decode_in_context(const struct disasm_ctx *c, const uint8_t *bytes, size_t before,
                                  size_t len, uint64_t addr, struct disasm_insn *ret)
{
    /* ARM ARM A8.8.54 IT: 10111111 firstcond mask, mask != 0; the block holds 1-4 instructions. */
    for (size_t back = 2; back <= before && back <= ARM_DISASM_IT_LOOKBACK && len >= 2; back += 2) {
        uint16_t h = dd_le16(bytes - back);
        if ((h & 0xff00u) != 0xbf00u || (h & 0x000fu) == 0)
            continue;
        struct disasm_insn in = *ret;
        if (decode_at(c, bytes, back, len, addr, &in)) {
            *ret = in;
            return;
        }
    }
    decode_at(c, bytes, 0, len, addr, ret);
}

void arm_disasm_decode(const struct disasm_ctx *c, const uint8_t *bytes, size_t len, uint64_t addr,
                       struct disasm_insn *ret)
{
    decode_at(c, bytes, 0, len, addr, ret);
}

static bool decode_at(const struct disasm_ctx *c, const uint8_t *bytes, size_t back, size_t len,
                      uint64_t addr, struct disasm_insn *ret)
{
    ret->size = 2;
    if (len < 2 || (is_wide(dd_le16(bytes)) && len < 4)) {
        ret->missing = true;
        snprintf(ret->text, sizeof(ret->text), "???");
        return back == 0;
    }
    if (dd_le16(bytes) == 0xdefe) {
        /* udf #0xfe: the breakpoint Windows' __debugbreak() compiles to. */
        armdis_text_set(ret, "__debugbreak", "");
        return back == 0;
    }
    csh h;
    cs_insn *all = NULL, *insn = NULL;
    if (cs_open(CS_ARCH_ARM, CS_MODE_THUMB, &h) != CS_ERR_OK) {
        ret->invalid = true;
        snprintf(ret->text, sizeof(ret->text), "???");
        return back == 0;
    }
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    cs_option(h, CS_OPT_SYNTAX, CS_OPT_SYNTAX_NOREGNAME);
    size_t want = (len < 4 ? len : 4) + back;
    size_t count = cs_disasm(h, bytes - back, want, addr - back, back ? 5 : 1, &all);
    if (back) {
        /* The IT and at most four instructions: the one at ADDR must be among them. */
        unsigned mask = dd_le16(bytes - back) & 0xfu, block = 4;
        while (!(mask & 1) && block > 1) {
            mask >>= 1;
            block--;
        }
        for (size_t i = 1; i < count && i <= block; i++)
            if (all[i].address == addr)
                insn = &all[i];
        if (!insn || count == 0 || all[0].address != addr - back) {
            if (count)
                cs_free(all, count);
            cs_close(&h);
            return false;
        }
    } else if (count == 1) {
        insn = &all[0];
    }
    if (!insn) {
        if (count)
            cs_free(all, count);
        cs_close(&h);
        ret->invalid = true;
        ret->size = is_wide(dd_le16(bytes)) ? 4 : 2;
        snprintf(ret->text, sizeof(ret->text), "???");
        return true;
    }
    ret->size = insn->size;
    const cs_arm *d = &insn->detail->arm;
    char mnem[32];
    snprintf(mnem, sizeof(mnem), "%s", insn->mnemonic);
    char *dot = strstr(mnem, ".w");
    if (dot && dot[2] == 0)
        *dot = 0;
    if (strcmp(mnem, "movw") == 0)
        snprintf(mnem, sizeof(mnem), "mov");

    char raw[224];
    snprintf(raw, sizeof(raw), "%s", insn->op_str);
    /* "sub sp, #0x10" (the 16-bit two-operand forms): WinDbg names the first register twice. */
    bool addsub = strncmp(mnem, "add", 3) == 0 || strncmp(mnem, "sub", 3) == 0;
    if (addsub && d->op_count == 2 && d->operands[0].type == ARM_OP_REG &&
        d->operands[1].type == ARM_OP_IMM) {
        const char *r0 = cs_reg_name(h, d->operands[0].reg);
        char *comma = strchr(insn->op_str, ',');
        if (r0 && comma)
            snprintf(raw, sizeof(raw), "%s, %s%s", r0, r0, comma);
    }
    char ops[224];
    armdis_operands_normalize(raw, false, ops, sizeof(ops));

    bool has_target;
    ret->flow = flow_of(mnem, d, writes_pc(mnem, d), &has_target);
    if (has_target) {
        uint32_t target = (uint32_t)d->operands[d->op_count - 1].imm;
        char t[320];
        armdis_target_format(c, target, t, sizeof(t));
        armdis_operands_set_target(ops, sizeof(ops), t);
        ret->has_target = true;
        ret->target = target;
    }

    unsigned size = access_size(mnem);
    for (unsigned i = 0; size && i < d->op_count; i++) {
        const cs_arm_op *op = &d->operands[i];
        if (op->type != ARM_OP_MEM)
            continue;
        if (op->mem.base == ARM_REG_PC && op->mem.index == ARM_REG_INVALID) {
            /* A literal: [pc, #imm] reads Align(pc + 4, 4) + imm; WinDbg shows the address. */
            uint32_t lit = (uint32_t)(((addr + 4) & ~3ull) + (uint64_t)(int64_t)op->mem.disp);
            char t[320];
            armdis_target_format(c, lit, t, sizeof(t));
            char *br = strchr(ops, '[');
            if (br)
                snprintf(br, sizeof(ops) - (size_t)(br - ops), "%s", t);
            ret->mem.base[0] = 0;
            ret->mem.disp = lit;
        } else {
            const char *b = op->mem.base ? cs_reg_name(h, op->mem.base) : "";
            const char *x = op->mem.index ? cs_reg_name(h, op->mem.index) : "";
            if (!b || !x || op->shift.type != ARM_SFT_INVALID)
                break;
            snprintf(ret->mem.base, sizeof(ret->mem.base), "%s", b);
            snprintf(ret->mem.index, sizeof(ret->mem.index), "%s", x);
            ret->mem.disp = op->mem.disp;
        }
        ret->mem.scale = 1;
        ret->mem.addr_bits = 32;
        ret->mem.size = size;
        ret->mem.present = true;
        break;
    }
    armdis_text_set(ret, mnem, ops);
    cs_free(all, count);
    cs_close(&h);
    return true;
}
