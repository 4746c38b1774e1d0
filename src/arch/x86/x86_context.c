/* Decodes an x86 CONTEXT (winnt.h, _X86_ flavour) into a regset. */
#include <string.h>

#include "arch/x86/x86_family.h"
#include "arch/x86/x86_regs.h"
#include "base/cursor.h"

/* ContextFlags (winnt.h): CONTEXT_i386 plus one bit per register group. */
#define CONTEXT_I386 0x00010000u
#define CONTEXT_CONTROL 0x01u            /* ebp eip cs eflags esp ss */
#define CONTEXT_INTEGER 0x02u            /* edi esi ebx edx ecx eax */
#define CONTEXT_SEGMENTS 0x04u           /* gs fs es ds */
#define CONTEXT_FLOATING_POINT 0x08u     /* FLOATING_SAVE_AREA (x87) */
#define CONTEXT_DEBUG_REGISTERS 0x10u    /* dr0-3, dr6, dr7 */
#define CONTEXT_EXTENDED_REGISTERS 0x20u /* ExtendedRegisters: FXSAVE image */
#define CONTEXT_XSTATE 0x40u             /* CONTEXT_EX follows the CONTEXT */

/* Field offsets in the x86 CONTEXT (winnt.h). */
#define OFF_DR0 0x04
#define OFF_DR1 0x08
#define OFF_DR2 0x0c
#define OFF_DR3 0x10
#define OFF_DR6 0x14
#define OFF_DR7 0x18
#define OFF_FLOAT_SAVE 0x1c /* FLOATING_SAVE_AREA, 112 bytes */
#define OFF_SEG_GS 0x8c
#define OFF_SEG_FS 0x90
#define OFF_SEG_ES 0x94
#define OFF_SEG_DS 0x98
#define OFF_EDI 0x9c
#define OFF_ESI 0xa0
#define OFF_EBX 0xa4
#define OFF_EDX 0xa8
#define OFF_ECX 0xac
#define OFF_EAX 0xb0
#define OFF_EBP 0xb4
#define OFF_EIP 0xb8
#define OFF_SEG_CS 0xbc
#define OFF_EFLAGS 0xc0
#define OFF_ESP 0xc4
#define OFF_SEG_SS 0xc8
#define OFF_EXTENDED 0xcc /* ExtendedRegisters[512] */

/* FLOATING_SAVE_AREA: ControlWord, StatusWord, TagWord ..., RegisterArea[80] at +0x1c. */
#define FSA_CONTROL 0x00
#define FSA_STATUS 0x04
#define FSA_TAG 0x08
#define FSA_REGISTERS 0x1c
#define FSA_SIZE 112

/* FXSAVE: MXCSR at +24 (Intel SDM vol. 1, table 10-2). */
#define FX_MXCSR 24

static void put32(struct regset *rs, uint16_t slot, const uint8_t *raw, size_t off)
{
    regset_put(rs, slot, dd_le32(raw + off));
}

static void put16(struct regset *rs, uint16_t slot, const uint8_t *raw, size_t off)
{
    /* Segment selectors and x87 words are stored in DWORDs; only the low 16 bits count. */
    regset_put(rs, slot, dd_le32(raw + off) & 0xffff);
}

struct dd_error *x86_context_decode(const uint8_t *raw, size_t size, struct regset *ret)
{
    uint32_t groups;
    struct dd_error *err = arch_context_begin(&arch_x86, raw, size, 0, CONTEXT_I386, OFF_EXTENDED, ret,
                                              &groups);
    if (err)
        return err;
    /* A group whose bytes are not all present stays invalid; never read past SIZE. */
    if ((groups & CONTEXT_DEBUG_REGISTERS) && size >= OFF_DR7 + 4) {
        put32(ret, X86_DR0, raw, OFF_DR0);
        put32(ret, X86_DR1, raw, OFF_DR1);
        put32(ret, X86_DR2, raw, OFF_DR2);
        put32(ret, X86_DR3, raw, OFF_DR3);
        put32(ret, X86_DR6, raw, OFF_DR6);
        put32(ret, X86_DR7, raw, OFF_DR7);
    }
    if ((groups & CONTEXT_SEGMENTS) && size >= OFF_SEG_DS + 4) {
        put16(ret, X86_GS, raw, OFF_SEG_GS);
        put16(ret, X86_FS, raw, OFF_SEG_FS);
        put16(ret, X86_ES, raw, OFF_SEG_ES);
        put16(ret, X86_DS, raw, OFF_SEG_DS);
    }
    if ((groups & CONTEXT_INTEGER) && size >= OFF_EAX + 4) {
        put32(ret, X86_EDI, raw, OFF_EDI);
        put32(ret, X86_ESI, raw, OFF_ESI);
        put32(ret, X86_EBX, raw, OFF_EBX);
        put32(ret, X86_EDX, raw, OFF_EDX);
        put32(ret, X86_ECX, raw, OFF_ECX);
        put32(ret, X86_EAX, raw, OFF_EAX);
    }
    if ((groups & CONTEXT_CONTROL) && size >= OFF_SEG_SS + 4) {
        put32(ret, X86_EBP, raw, OFF_EBP);
        put32(ret, X86_EIP, raw, OFF_EIP);
        put16(ret, X86_CS, raw, OFF_SEG_CS);
        put32(ret, X86_EFL, raw, OFF_EFLAGS);
        put32(ret, X86_ESP, raw, OFF_ESP);
        put16(ret, X86_SS, raw, OFF_SEG_SS);
    }
    if ((groups & CONTEXT_EXTENDED_REGISTERS) && size >= OFF_EXTENDED + X86_FXSAVE_SIZE) {
        const uint8_t *fx = raw + OFF_EXTENDED;
        put32(ret, X86_MXCSR, fx, FX_MXCSR);
        x86_fxsave_decode(fx, 8, ret);
    }
    /* Decoded after the FXSAVE image so the x87 save area's st0-7 win when both exist. */
    if ((groups & CONTEXT_FLOATING_POINT) && size >= OFF_FLOAT_SAVE + FSA_SIZE) {
        const uint8_t *fsa = raw + OFF_FLOAT_SAVE;
        put16(ret, X86_FPCW, fsa, FSA_CONTROL);
        put16(ret, X86_FPSW, fsa, FSA_STATUS);
        put16(ret, X86_FPTW, fsa, FSA_TAG);
        for (unsigned i = 0; i < 8; i++)
            memcpy(ret->st[i], fsa + FSA_REGISTERS + 10 * i, 10);
        ret->st_valid = true;
    }
    if ((groups & CONTEXT_XSTATE) && size > X86_CONTEXT_SIZE)
        x86_xstate_decode(raw, size, X86_CONTEXT_SIZE, 8, ret);
    return NULL;
}
