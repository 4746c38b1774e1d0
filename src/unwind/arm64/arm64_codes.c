/*
 * ARM64 unwind codes (Microsoft "ARM64 exception handling", Unwind codes): decoding one code from
 * the byte stream and spelling the prolog/epilog instruction it stands for. Multi-byte codes
 * store their most significant bits first.
 */
#include <stdio.h>
#include <string.h>

#include "unwind/arm64/arm64_internal.h"

/* Bytes taken by the codes 0xe0-0xff (the table's encodings; f8-fb carry 1-4 operand bytes). */
static const uint8_t high_code_size[32] = {
    4, 1, 2, 1, 1, 1, 1, 3, /* alloc_l set_fp add_fp nop end end_c save_next save_any_reg */
    1, 1, 1, 1, 1, 1, 1, 1, /* e8-ec custom stacks, ed-ef reserved */
    1, 1, 1, 1, 1, 1, 1, 1, /* f0-f7 reserved */
    2, 3, 4, 5, 1, 1, 1, 1, /* f8-fb reserved with operands, pac_sign_lr, fd-ff reserved */
};

/* Fills a save code: register file, first register, count, pre-index, offset. */
static void set_save(struct unwind_arm64_code *c, uint8_t op, uint8_t kind, unsigned reg,
                     unsigned nregs, bool writeback, uint32_t offset)
{
    c->op = op;
    c->kind = kind;
    c->reg = (uint8_t)reg;
    c->nregs = (uint8_t)nregs;
    c->writeback = writeback;
    c->offset = offset;
}

bool unwind_arm64_code_decode(const uint8_t *codes, size_t len, size_t at,
                              struct unwind_arm64_code *ret)
{
    if (at >= len)
        return false;
    struct unwind_arm64_code c;
    memset(&c, 0, sizeof(c));
    uint8_t b = codes[at];
    c.size = b < 0xc0 ? 1 : b < 0xe0 ? 2 : high_code_size[b - 0xe0];
    /* Custom stack codes and e8-f7 stand for no instruction; every other code for one. */
    c.insns = (b >= 0xe8 && b <= 0xf7) ? 0 : 1;
    if (c.size > len - at)
        return false;
    memcpy(c.bytes, codes + at, c.size);
    uint8_t b1 = c.size > 1 ? codes[at + 1] : 0;
    unsigned x4 = ((b & 3u) << 2) | (b1 >> 6); /* 4-bit register field split across bytes */
    unsigned x3 = ((b & 1u) << 2) | (b1 >> 6); /* 3-bit register field */
    uint32_t z6 = b1 & 0x3fu, z5 = b1 & 0x1fu;

    if (b <= 0x1f) {
        c.op = UNWIND_ARM64_ALLOC_S;
        c.offset = (b & 0x1fu) * 16;
    } else if (b <= 0x3f) {
        set_save(&c, UNWIND_ARM64_SAVE_R19R20_X, UNWIND_ARM64_X, 19, 2, true, (b & 0x1fu) * 8);
    } else if (b <= 0x7f) {
        set_save(&c, UNWIND_ARM64_SAVE_FPLR, UNWIND_ARM64_X, 29, 2, false, (b & 0x3fu) * 8);
    } else if (b <= 0xbf) {
        set_save(&c, UNWIND_ARM64_SAVE_FPLR_X, UNWIND_ARM64_X, 29, 2, true, ((b & 0x3fu) + 1) * 8);
    } else if (b <= 0xc7) {
        c.op = UNWIND_ARM64_ALLOC_M;
        c.offset = (((b & 7u) << 8) | b1) * 16;
    } else if (b <= 0xcb) {
        set_save(&c, UNWIND_ARM64_SAVE_REGP, UNWIND_ARM64_X, 19 + x4, 2, false, z6 * 8);
    } else if (b <= 0xcf) {
        set_save(&c, UNWIND_ARM64_SAVE_REGP_X, UNWIND_ARM64_X, 19 + x4, 2, true, (z6 + 1) * 8);
    } else if (b <= 0xd3) {
        set_save(&c, UNWIND_ARM64_SAVE_REG, UNWIND_ARM64_X, 19 + x4, 1, false, z6 * 8);
    } else if (b <= 0xd5) {
        set_save(&c, UNWIND_ARM64_SAVE_REG_X, UNWIND_ARM64_X, 19 + (((b & 1u) << 3) | (b1 >> 5)), 1,
                 true, (z5 + 1) * 8);
    } else if (b <= 0xd7) {
        set_save(&c, UNWIND_ARM64_SAVE_LRPAIR, UNWIND_ARM64_X, 19 + 2 * x3, 2, false, z6 * 8);
        c.lr_pair = true;
    } else if (b <= 0xd9) {
        set_save(&c, UNWIND_ARM64_SAVE_FREGP, UNWIND_ARM64_D, 8 + x3, 2, false, z6 * 8);
    } else if (b <= 0xdb) {
        set_save(&c, UNWIND_ARM64_SAVE_FREGP_X, UNWIND_ARM64_D, 8 + x3, 2, true, (z6 + 1) * 8);
    } else if (b <= 0xdd) {
        set_save(&c, UNWIND_ARM64_SAVE_FREG, UNWIND_ARM64_D, 8 + x3, 1, false, z6 * 8);
    } else if (b == 0xde) {
        set_save(&c, UNWIND_ARM64_SAVE_FREG_X, UNWIND_ARM64_D, 8 + (b1 >> 5), 1, true,
                 (z5 + 1) * 8);
    } else if (b == 0xdf) {
        c.op = UNWIND_ARM64_ALLOC_Z;
        c.offset = b1;
    } else if (b == 0xe0) {
        c.op = UNWIND_ARM64_ALLOC_L;
        c.offset = (((uint32_t)b1 << 16) | ((uint32_t)codes[at + 2] << 8) | codes[at + 3]) * 16;
    } else if (b == 0xe1) {
        c.op = UNWIND_ARM64_SET_FP;
    } else if (b == 0xe2) {
        c.op = UNWIND_ARM64_ADD_FP;
        c.offset = (uint32_t)b1 * 8;
    } else if (b == 0xe3) {
        c.op = UNWIND_ARM64_NOP;
    } else if (b == 0xe4) {
        c.op = UNWIND_ARM64_END;
    } else if (b == 0xe5) {
        c.op = UNWIND_ARM64_END_C;
    } else if (b == 0xe6) {
        c.op = UNWIND_ARM64_SAVE_NEXT;
    } else if (b == 0xe7) {
        /*
         * save_any_reg 11100111'0pxrrrrr'ffoooooo: p pair, x pre-indexed, r register, f X/D/Q;
         * offset o*16 when x, p or Q, else o*8; a pre-decrement is (o+1)*16.
         */
        uint8_t b2 = codes[at + 2];
        unsigned p = (b1 >> 6) & 1u, x = (b1 >> 5) & 1u, f = b2 >> 6;
        uint32_t o = b2 & 0x3fu;
        if ((b1 & 0x80) || f == 3)
            return false;
        uint32_t unit = (x || p || f == 2) ? 16 : 8;
        set_save(&c, UNWIND_ARM64_SAVE_ANY_REG, f, b1 & 0x1fu, 1 + p, x, (o + x) * unit);
    } else if (b == 0xe8) {
        c.op = UNWIND_ARM64_TRAP_FRAME;
    } else if (b == 0xe9) {
        c.op = UNWIND_ARM64_MACHINE_FRAME;
    } else if (b == 0xea) {
        c.op = UNWIND_ARM64_CONTEXT;
    } else if (b == 0xeb) {
        c.op = UNWIND_ARM64_EC_CONTEXT;
    } else if (b == 0xec) {
        c.op = UNWIND_ARM64_CLEAR_UNWOUND;
    } else if (b == 0xfc) {
        c.op = UNWIND_ARM64_PAC_SIGN_LR;
    } else if (b >= 0xf8) {
        c.op = UNWIND_ARM64_RESERVED_NOP;
    } else {
        return false; /* ed-f7: reserved with no defined length; nothing after can be trusted */
    }
    *ret = c;
    return true;
}

/* Name of register NUM of file KIND (x29/x30 spelled as numbers, "sp" never occurs). */
static void reg_name(char *buf, size_t len, unsigned kind, unsigned num)
{
    static const char prefix[] = {'x', 'd', 'q'};
    snprintf(buf, len, "%c%u", prefix[kind < 3 ? kind : 0], num);
}

void unwind_arm64_code_format(const struct unwind_arm64_code *c, bool epilog, char *buf, size_t len)
{
    char r1[8], r2[8];
    const char *a = epilog ? "add" : "sub";
    switch (c->op) {
    case UNWIND_ARM64_ALLOC_S:
    case UNWIND_ARM64_ALLOC_M:
    case UNWIND_ARM64_ALLOC_L:
        snprintf(buf, len, "%s sp, #%u", a, (unsigned)c->offset);
        return;
    case UNWIND_ARM64_ALLOC_Z:
        snprintf(buf, len, "%s sp, #%u * VL", a, (unsigned)c->offset);
        return;
    case UNWIND_ARM64_SET_FP:
        snprintf(buf, len, epilog ? "mov sp, x29" : "mov x29, sp");
        return;
    case UNWIND_ARM64_ADD_FP:
        snprintf(buf, len, epilog ? "sub sp, x29, #%u" : "add x29, sp, #%u", (unsigned)c->offset);
        return;
    case UNWIND_ARM64_NOP:
        snprintf(buf, len, "nop");
        return;
    case UNWIND_ARM64_END:
        snprintf(buf, len, "end");
        return;
    case UNWIND_ARM64_END_C:
        snprintf(buf, len, "end_c");
        return;
    case UNWIND_ARM64_SAVE_NEXT:
        snprintf(buf, len, "save_next");
        return;
    case UNWIND_ARM64_TRAP_FRAME:
        snprintf(buf, len, "trap frame");
        return;
    case UNWIND_ARM64_MACHINE_FRAME:
        snprintf(buf, len, "machine frame");
        return;
    case UNWIND_ARM64_CONTEXT:
        snprintf(buf, len, "context");
        return;
    case UNWIND_ARM64_EC_CONTEXT:
        snprintf(buf, len, "ec context");
        return;
    case UNWIND_ARM64_CLEAR_UNWOUND:
        snprintf(buf, len, "clear unwound to call");
        return;
    case UNWIND_ARM64_PAC_SIGN_LR:
        snprintf(buf, len, epilog ? "autibsp" : "pacibsp");
        return;
    case UNWIND_ARM64_RESERVED_NOP:
        snprintf(buf, len, "reserved 0x%02x", c->bytes[0]);
        return;
    default:
        break;
    }
    /* The save codes: str/stp in a prolog, ldr/ldp in an epilog. */
    reg_name(r1, sizeof(r1), c->kind, c->reg);
    if (c->lr_pair)
        snprintf(r2, sizeof(r2), "x30");
    else
        reg_name(r2, sizeof(r2), c->kind, c->reg + 1u);
    char regs[24];
    if (c->nregs == 2)
        snprintf(regs, sizeof(regs), "%s, %s", r1, r2);
    else
        snprintf(regs, sizeof(regs), "%s", r1);
    const char *m = c->nregs == 2 ? (epilog ? "ldp" : "stp") : (epilog ? "ldr" : "str");
    unsigned off = (unsigned)c->offset;
    if (!c->writeback)
        snprintf(buf, len, "%s %s, [sp, #%u]", m, regs, off);
    else if (epilog)
        snprintf(buf, len, "%s %s, [sp], #%u", m, regs, off);
    else
        snprintf(buf, len, "%s %s, [sp, #-%u]!", m, regs, off);
}
