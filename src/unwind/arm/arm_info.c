/*
 * A function's ARM unwind data (Microsoft "ARM Exception Handling"): reading an .xdata record
 * (header, extension word, epilog scopes with their condition, unwind codes, exception handler
 * RVA), and expanding packed .pdata unwind data into the codes of the canonical prolog and epilog
 * it stands for, so that both kinds are unwound by the same code interpreter.
 */
#include <string.h>

#include "base/cursor.h"
#include "unwind/arm/arm_internal.h"

size_t arm_read_image(const struct unwind_env *env, uint64_t base, uint32_t rva, void *buf,
                      size_t len)
{
    if (env->read_image)
        return env->read_image(env->ctx, base, rva, buf, len);
    return env->read_memory(env->ctx, base + rva, buf, len);
}

uint32_t unwind_arm_sequence_size(const struct unwind_arm_info *info, uint32_t start, bool epilog)
{
    uint32_t n = 0;
    struct unwind_arm_code c;
    for (uint32_t at = start; unwind_arm_code_decode(info->codes, info->ncodes, at, &c);
         at += c.size) {
        if (c.op == UNWIND_ARM_END) {
            if (epilog)
                n += c.end_extra; /* FD/FE: the epilog's bx lr / b target */
            break;
        }
        n += c.insn_size;
    }
    return n;
}

/* ---- packed unwind data ------------------------------------------------------------------- */

/* Appends the code bytes B0 (and B1 when SIZE is 2). */
static void put(struct unwind_arm_info *info, unsigned size, unsigned b0, unsigned b1)
{
    if (info->ncodes + size > sizeof(info->codes))
        return; /* cannot happen: a packed function has at most 14 code bytes */
    info->codes[info->ncodes++] = (uint8_t)b0;
    if (size > 1)
        info->codes[info->ncodes++] = (uint8_t)b1;
}

/* add/sub sp of WORDS*4 bytes: the 16-bit form up to 0x7f words, else addw (E8-EB). */
static void put_alloc(struct unwind_arm_info *info, unsigned words)
{
    if (words <= 0x7f)
        put(info, 1, words, 0);
    else
        put(info, 2, 0xe8 | (words >> 8), words & 0xff);
}

/*
 * push/pop of MASK (r0-r12 bits, bit 14 lr). A 16-bit push/pop reaches r0-r7 and lr (push) or pc
 * (pop); WIDE forces the 32-bit form (an epilog popping lr itself, not pc).
 */
static void put_pop(struct unwind_arm_info *info, uint16_t mask, bool wide)
{
    bool lr = (mask & 0x4000) != 0;
    if (wide || (mask & 0x1f00))
        put(info, 2, 0x80 | ((mask & 0x1fff) >> 8) | (lr ? 0x20 : 0), mask & 0xff);
    else
        put(info, 2, 0xec | (lr ? 1 : 0), mask & 0xff);
}

/* The integer registers a packed prolog (FOLD = PF) or epilog (FOLD = EF) pushes or pops. */
static uint16_t packed_mask(unsigned reg, bool r, bool c, unsigned adjust, bool fold)
{
    uint16_t mask = 0;
    if (!r || fold) {
        unsigned first = 4, last = reg + 4;
        if (fold) {
            first = ~adjust & 3; /* S: the folded words are pushed as r(S)-r3 */
            if (r)
                last = 3;
        }
        for (unsigned i = first; i <= last && i <= 12; i++)
            mask |= (uint16_t)(1u << i);
    }
    if (c)
        mask |= 1u << 11;
    return mask;
}

bool unwind_arm_packed_expand(uint32_t word, struct unwind_arm_info *ret)
{
    /* Flag 2, Function Length 11, Ret 2, H 1, Reg 3, R 1, L 1, C 1, Stack Adjust 10. */
    unsigned flag = word & 3, rtype = (word >> 13) & 3, h = (word >> 15) & 1;
    unsigned reg = (word >> 16) & 7, r = (word >> 19) & 1, l = (word >> 20) & 1;
    unsigned c = (word >> 21) & 1, adjust = (word >> 22) & 0x3ff;
    if (flag != ARM_PDATA_PACKED && flag != ARM_PDATA_FRAGMENT)
        return false;
    /* Stack Adjust 0x3F4 and up: bits 0-1 words-1, bit 2 PF, bit 3 EF. */
    bool pf = false, ef = false;
    unsigned words = adjust;
    if (adjust >= 0x3f4) {
        pf = (adjust & 4) != 0;
        ef = (adjust & 8) != 0;
        words = (adjust & 3) + 1;
    }
    uint16_t pmask = packed_mask(reg, r, c, adjust, pf);
    uint16_t emask = packed_mask(reg, r, c, adjust, ef);
    /* Pushed besides r11 and lr: decides mov r11,sp (16-bit) or add r11,sp,#x (32-bit). */
    bool others = (pmask & ~(1u << 11)) != 0;
    if (l)
        pmask |= 0x4000;
    /*
     * The epilog pops lr itself only when it returns with bx / b (instruction 8 with Ret 1 or 2);
     * with H and L, instruction 9b (ldr pc,[sp],#0x14) loads the return address instead.
     */
    bool epilog_lr = false;
    if (l && !h) {
        emask |= 0x4000; /* pop lr (Ret 1, 2) or pc (Ret 0) */
        epilog_lr = rtype != 0;
    }
    struct unwind_arm_info info;
    memset(&info, 0, sizeof(info));
    info.flag = (uint8_t)flag;
    info.fragment = flag == ARM_PDATA_FRAGMENT;
    info.function_length = ((word >> 2) & 0x7ff) * 2;

    /* Prolog, in unwind order (instructions 5, 4, 3, 2, 1). */
    if (words && !pf)
        put_alloc(&info, words);
    if (r && reg != 7)
        put(&info, 1, 0xe0 | reg, 0); /* vpush {d8-d(8+Reg)} */
    if (c)
        put(&info, 1, others ? 0xfc : 0xfb, 0); /* add r11,sp,#x / mov r11,sp: no unwind effect */
    if (pmask)
        put_pop(&info, pmask, false);
    if (h)
        put(&info, 1, 0x04, 0); /* push {r0-r3}: undone as add sp, sp, #16 */
    put(&info, 1, 0xff, 0);

    if (rtype == 3) {
        info.no_epilog = true; /* a prolog-only fragment */
    } else {
        /* Epilog, in execution order (instructions 6, 7, 8, 9, 10). */
        info.single_epilog = true;
        info.epilog_index = (uint16_t)info.ncodes;
        if (words && !ef)
            put_alloc(&info, words);
        if (r && reg != 7)
            put(&info, 1, 0xe0 | reg, 0);
        if (emask)
            put_pop(&info, emask, epilog_lr);
        if (h && !l)
            put(&info, 1, 0x04, 0); /* 9a: add sp, sp, #0x10 */
        else if (h)
            put(&info, 2, 0xef, 0x05); /* 9b: ldr pc, [sp], #0x14 ends the epilog */
        unsigned end = (h && l) ? 0xff : rtype == 1 ? 0xfd : rtype == 2 ? 0xfe : 0xff;
        put(&info, 1, end, 0);
    }
    *ret = info;
    return true;
}

/* ---- .xdata ------------------------------------------------------------------------------- */

bool unwind_arm_info_read(const struct unwind_env *env, uint64_t base, uint32_t word,
                          struct unwind_arm_info *ret)
{
    if ((word & 3) != ARM_PDATA_XDATA)
        return unwind_arm_packed_expand(word, ret);
    uint32_t rva = word; /* 4-byte aligned: the low two bits are the flag, 0 */
    uint8_t hb[8];
    size_t got = arm_read_image(env, base, rva, hb, sizeof(hb));
    if (got < 4)
        return false;
    /* Word 0: Function Length 18, Vers 2, X 1, E 1, F 1, Epilogue Count 5, Code Words 4. */
    uint32_t w0 = dd_le32(hb);
    if (((w0 >> 18) & 3) != 0)
        return false; /* only version 0 is defined */
    uint32_t epi = (w0 >> 23) & 31, words = (w0 >> 28) & 15;
    uint64_t off = 4;
    if (epi == 0 && words == 0) {
        /* Extension word: Extended Epilogue Count 16, Extended Code Words 8. */
        if (got < 8)
            return false;
        uint32_t w1 = dd_le32(hb + 4);
        epi = w1 & 0xffff;
        words = (w1 >> 16) & 0xff;
        off = 8;
    }
    struct unwind_arm_info info;
    memset(&info, 0, sizeof(info));
    info.flag = ARM_PDATA_XDATA;
    info.function_length = (w0 & 0x3ffff) * 2;
    info.has_handler = (w0 >> 20) & 1;
    info.single_epilog = (w0 >> 21) & 1;
    info.fragment = (w0 >> 22) & 1;
    if (info.single_epilog) {
        info.epilog_index = (uint16_t)epi; /* E=1: the field is the epilog's code index */
    } else {
        info.nscopes = epi;
        info.scopes_rva = (uint32_t)(rva + off);
        off += 4 * (uint64_t)epi;
    }
    if (rva + off + 4 * (uint64_t)words + 4 > UINT32_MAX)
        return false;
    info.ncodes = words * 4;
    if (info.ncodes &&
        arm_read_image(env, base, (uint32_t)(rva + off), info.codes, info.ncodes) < info.ncodes)
        return false;
    if (info.single_epilog && info.epilog_index >= info.ncodes)
        return false;
    if (info.has_handler) {
        uint8_t h[4];
        if (arm_read_image(env, base, (uint32_t)(rva + off + info.ncodes), h, 4) < 4)
            return false;
        info.handler_rva = dd_le32(h);
    }
    *ret = info;
    return true;
}

bool unwind_arm_info_scope(const struct unwind_env *env, uint64_t base,
                           const struct unwind_arm_info *info, uint32_t i,
                           struct unwind_arm_scope *ret)
{
    if (i >= info->nscopes || (uint64_t)info->scopes_rva + 4 * (uint64_t)i + 4 > UINT32_MAX)
        return false;
    uint8_t b[4];
    if (arm_read_image(env, base, info->scopes_rva + 4 * i, b, 4) < 4)
        return false;
    /* Scope: Epilogue Start Offset 18 (halfwords), Res 2, Condition 4, Start Index 8. */
    uint32_t w = dd_le32(b);
    struct unwind_arm_scope s;
    s.start = (w & 0x3ffff) * 2;
    s.condition = (uint8_t)((w >> 20) & 0xf);
    s.index = (uint8_t)(w >> 24);
    *ret = s;
    return true;
}
