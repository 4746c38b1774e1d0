/*
 * ARM unwind codes (Microsoft "ARM Exception Handling", Unwind Codes): decoding one code from the
 * byte stream (multi-byte codes store their most significant bits first) and spelling the prolog or
 * epilog instruction it stands for, in llvm-readobj's words so tests can compare the two.
 */
#include <stdio.h>
#include <string.h>

#include "unwind/arm/arm_internal.h"

bool unwind_arm_code_decode(const uint8_t *codes, size_t len, size_t at,
                            struct unwind_arm_code *ret)
{
    if (at >= len)
        return false;
    struct unwind_arm_code c;
    memset(&c, 0, sizeof(c));
    uint8_t b = codes[at];
    /* Code bytes: 80-BF and E8-F6 take two, F7/F9 three, F8/FA four, the rest one. */
    if ((b >= 0x80 && b <= 0xbf) || (b >= 0xe8 && b <= 0xf6))
        c.size = 2;
    else if (b == 0xf7 || b == 0xf9)
        c.size = 3;
    else if (b == 0xf8 || b == 0xfa)
        c.size = 4;
    else
        c.size = 1;
    if (c.size > len - at)
        return false;
    memcpy(c.bytes, codes + at, c.size);
    uint32_t val = 0;
    for (unsigned i = 0; i < c.size; i++)
        val = (val << 8) | c.bytes[i];

    if (b <= 0x7f) { /* add sp, sp, #X*4 (16-bit) */
        c.op = UNWIND_ARM_ALLOC;
        c.insn_size = 2;
        c.offset = (val & 0x7f) * 4;
    } else if (b <= 0xbf) { /* pop {r0-r12, lr} (32-bit): 13-bit mask, 0x2000 lr */
        c.op = UNWIND_ARM_POP;
        c.insn_size = 4;
        c.wide = true;
        c.mask = (uint16_t)((val & 0x1fff) | ((val & 0x2000) ? 0x4000 : 0));
    } else if (b <= 0xcf) { /* mov sp, rX (16-bit) */
        c.op = UNWIND_ARM_MOV_SP;
        c.insn_size = 2;
        c.reg = b & 0x0f;
    } else if (b <= 0xdf) { /* pop {r4-rX, lr}: D0-D7 16-bit X=4+n, D8-DF 32-bit X=8+n */
        c.op = UNWIND_ARM_POP;
        c.wide = b >= 0xd8;
        c.insn_size = c.wide ? 4 : 2;
        unsigned last = (b & 3u) + (c.wide ? 8u : 4u);
        for (unsigned r = 4; r <= last; r++)
            c.mask |= (uint16_t)(1u << r);
        if (b & 4)
            c.mask |= 0x4000;
    } else if (b <= 0xe7) { /* vpop {d8-dX} (32-bit) */
        c.op = UNWIND_ARM_VPOP;
        c.insn_size = 4;
        c.dfirst = 8;
        c.dlast = (uint8_t)(8 + (b & 7));
    } else if (b <= 0xeb) { /* addw sp, sp, #X*4 (32-bit), 10-bit X */
        c.op = UNWIND_ARM_ALLOC;
        c.insn_size = 4;
        c.offset = (val & 0x3ff) * 4;
    } else if (b <= 0xed) { /* pop {r0-r7, lr} (16-bit): 8-bit mask, 0x100 lr */
        c.op = UNWIND_ARM_POP;
        c.insn_size = 2;
        c.mask = (uint16_t)((val & 0xff) | ((val & 0x100) ? 0x4000 : 0));
    } else if (b == 0xee) { /* Microsoft-specific 00-0F; 10-FF available */
        if ((val & 0xff) > 0x0f)
            return false;
        c.op = UNWIND_ARM_MSFT;
        c.insn_size = 2;
        c.reg = (uint8_t)(val & 0x0f);
    } else if (b == 0xef) { /* ldr lr, [sp], #X*4 (32-bit); 10-FF available */
        if ((val & 0xff) > 0x0f)
            return false;
        c.op = UNWIND_ARM_LDR_LR;
        c.insn_size = 4;
        c.offset = (val & 0x0f) * 4;
    } else if (b <= 0xf4) {
        return false; /* F0-F4: available, no defined meaning or length */
    } else if (b <= 0xf6) { /* vpop {dS-dE}, F6: +16 (32-bit) */
        c.op = UNWIND_ARM_VPOP;
        c.insn_size = 4;
        unsigned add = b == 0xf6 ? 16 : 0;
        c.dfirst = (uint8_t)(((val >> 4) & 0x0f) + add);
        c.dlast = (uint8_t)((val & 0x0f) + add);
    } else if (b <= 0xfa) { /* add sp, sp, #X*4: F7/F8 16-bit, F9/FA 32-bit */
        c.op = UNWIND_ARM_ALLOC;
        c.insn_size = (b == 0xf7 || b == 0xf8) ? 2 : 4;
        c.offset = (b == 0xf7 || b == 0xf9 ? val & 0xffff : val & 0xffffff) * 4;
    } else if (b <= 0xfc) {
        c.op = UNWIND_ARM_NOP;
        c.insn_size = b == 0xfb ? 2 : 4;
    } else {
        c.op = UNWIND_ARM_END;
        c.end_extra = b == 0xfd ? 2 : b == 0xfe ? 4 : 0;
    }
    *ret = c;
    return true;
}

/* "r4-r7, r11, lr" for MASK (bit 14 lr, printed as pc in an epilog). */
static void reg_list(char *buf, size_t len, uint16_t mask, bool epilog)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned r = 0; r <= 12 && n < len; r++) {
        if (!(mask >> r & 1))
            continue;
        unsigned e = r;
        while (e < 12 && (mask >> (e + 1) & 1))
            e++;
        int w = e > r ? snprintf(buf + n, len - n, "%sr%u-r%u", n ? ", " : "", r, e)
                      : snprintf(buf + n, len - n, "%sr%u", n ? ", " : "", r);
        if (w < 0)
            return;
        n += (size_t)w;
        r = e;
    }
    if ((mask & 0x4000) && n < len)
        snprintf(buf + n, len - n, "%s%s", n ? ", " : "", epilog ? "pc" : "lr");
}

void unwind_arm_code_format(const struct unwind_arm_code *c, bool epilog, char *buf, size_t len)
{
    uint8_t b = c->bytes[0];
    const char *a = epilog ? "add" : "sub";
    char regs[64];
    switch (c->op) {
    case UNWIND_ARM_ALLOC:
        if (b <= 0x7f)
            snprintf(buf, len, "%s sp, #(%u * 4)", a, (unsigned)(c->offset / 4));
        else if (b <= 0xeb)
            snprintf(buf, len, "%s.w sp, #(%u * 4)", a, (unsigned)(c->offset / 4));
        else
            snprintf(buf, len, "%s%s sp, sp, #(%u * 4)", a, c->insn_size == 4 ? ".w" : "",
                     (unsigned)(c->offset / 4));
        return;
    case UNWIND_ARM_POP:
        reg_list(regs, sizeof(regs), c->mask, epilog);
        snprintf(buf, len, "%s%s {%s}", epilog ? "pop" : "push", c->wide ? ".w" : "", regs);
        return;
    case UNWIND_ARM_MOV_SP:
        if (epilog)
            snprintf(buf, len, "mov sp, r%u", c->reg);
        else
            snprintf(buf, len, "mov r%u, sp", c->reg);
        return;
    case UNWIND_ARM_VPOP:
        if (c->dlast < c->dfirst)
            snprintf(buf, len, "%s {}", epilog ? "vpop" : "vpush");
        else if (c->dlast == c->dfirst)
            snprintf(buf, len, "%s {d%u}", epilog ? "vpop" : "vpush", c->dfirst);
        else
            snprintf(buf, len, "%s {d%u-d%u}", epilog ? "vpop" : "vpush", c->dfirst, c->dlast);
        return;
    case UNWIND_ARM_LDR_LR:
        if (epilog)
            snprintf(buf, len, "ldr.w lr, [sp], #%u", (unsigned)c->offset);
        else
            snprintf(buf, len, "str.w lr, [sp, #-%u]!", (unsigned)c->offset);
        return;
    case UNWIND_ARM_MSFT:
        snprintf(buf, len, "microsoft-specific (type: %u)", c->reg);
        return;
    case UNWIND_ARM_NOP:
        snprintf(buf, len, "%s", c->insn_size == 4 ? "nop.w" : "nop");
        return;
    case UNWIND_ARM_END:
    default:
        snprintf(buf, len, "%s",
                 c->end_extra == 2 ? "bx <reg>" : c->end_extra == 4 ? "b.w <target>" : "end");
        return;
    }
}
