/* Decodes an AMD64 CONTEXT (winnt.h, _AMD64_ flavour) and its XSTATE into a regset. */
#include <string.h>

#include "arch/x64/x64_regs.h"
#include "arch/x86/x86_family.h"
#include "base/cursor.h"

/* ContextFlags (winnt.h): CONTEXT_AMD64 plus one bit per register group. */
#define CONTEXT_AMD64 0x00100000u
#define CONTEXT_CONTROL 0x01u         /* ss rsp cs rip eflags */
#define CONTEXT_INTEGER 0x02u         /* rax rcx rdx rbx rbp rsi rdi r8-r15 */
#define CONTEXT_SEGMENTS 0x04u        /* ds es fs gs */
#define CONTEXT_FLOATING_POINT 0x08u  /* MxCsr and FltSave (x87 + xmm0-15) */
#define CONTEXT_DEBUG_REGISTERS 0x10u /* dr0-3, dr6, dr7 */
#define CONTEXT_XSTATE 0x40u          /* a CONTEXT_EX follows the CONTEXT */

/* Field offsets in the AMD64 CONTEXT (winnt.h); P1Home..P6Home fill 0x00-0x2f. */
#define OFF_CONTEXT_FLAGS 0x30
#define OFF_MXCSR 0x34
#define OFF_SEG_CS 0x38
#define OFF_SEG_DS 0x3a
#define OFF_SEG_ES 0x3c
#define OFF_SEG_FS 0x3e
#define OFF_SEG_GS 0x40
#define OFF_SEG_SS 0x42
#define OFF_EFLAGS 0x44
#define OFF_DR0 0x48 /* Dr0 Dr1 Dr2 Dr3 Dr6 Dr7, 8 bytes each */
#define OFF_RAX 0x78 /* Rax Rcx Rdx Rbx Rsp Rbp Rsi Rdi R8-R15, 8 bytes each */
#define OFF_RSP 0x98
#define OFF_RIP 0xf8
#define OFF_FLT_SAVE 0x100 /* XMM_SAVE_AREA32 (FXSAVE image), 512 bytes */

static void put16(struct regset *rs, uint16_t slot, const uint8_t *raw, size_t off)
{
    regset_put(rs, slot, dd_le16(raw + off));
}

static void put64(struct regset *rs, uint16_t slot, const uint8_t *raw, size_t off)
{
    regset_put(rs, slot, dd_le64(raw + off));
}

struct dd_error *x64_context_decode(const uint8_t *raw, size_t size, struct regset *ret)
{
    uint32_t groups;
    struct dd_error *err = arch_context_begin(&arch_x64, raw, size, OFF_CONTEXT_FLAGS, CONTEXT_AMD64, X64_CONTEXT_SIZE, ret,
                                              &groups);
    if (err)
        return err;
    /* A group whose bytes are not all present stays invalid; never read past SIZE. */
    if ((groups & CONTEXT_SEGMENTS) && size >= OFF_SEG_GS + 2) {
        put16(ret, X64_DS, raw, OFF_SEG_DS);
        put16(ret, X64_ES, raw, OFF_SEG_ES);
        put16(ret, X64_FS, raw, OFF_SEG_FS);
        put16(ret, X64_GS, raw, OFF_SEG_GS);
    }
    if ((groups & CONTEXT_DEBUG_REGISTERS) && size >= OFF_DR0 + 6 * 8) {
        static const uint16_t dr[6] = {X64_DR0, X64_DR1, X64_DR2, X64_DR3, X64_DR6, X64_DR7};
        for (size_t i = 0; i < 6; i++)
            put64(ret, dr[i], raw, OFF_DR0 + 8 * i);
    }
    if ((groups & CONTEXT_INTEGER) && size >= OFF_RAX + 16 * 8) {
        for (uint16_t i = X64_RAX; i <= X64_R15; i++)
            if (i != X64_RSP) /* rsp belongs to CONTEXT_CONTROL */
                put64(ret, i, raw, OFF_RAX + 8 * i);
    }
    if ((groups & CONTEXT_CONTROL) && size >= OFF_RIP + 8) {
        put16(ret, X64_CS, raw, OFF_SEG_CS);
        put16(ret, X64_SS, raw, OFF_SEG_SS);
        regset_put(ret, X64_EFL, dd_le32(raw + OFF_EFLAGS));
        put64(ret, X64_RSP, raw, OFF_RSP);
        put64(ret, X64_RIP, raw, OFF_RIP);
    }
    if ((groups & CONTEXT_FLOATING_POINT) && size >= OFF_FLT_SAVE + X86_FXSAVE_SIZE) {
        const uint8_t *fx = raw + OFF_FLT_SAVE;
        regset_put(ret, X64_MXCSR, dd_le32(raw + OFF_MXCSR));
        put16(ret, X64_FPCW, fx, 0);
        put16(ret, X64_FPSW, fx, 2);
        x86_fxsave_decode(fx, 16, ret);
    }
    if ((groups & CONTEXT_XSTATE) && size > X64_CONTEXT_SIZE) {
        x86_xstate_decode(raw, size, X64_CONTEXT_SIZE, 16, ret);
        if (ret->has_ssp)
            regset_put(ret, X64_SSP, ret->ssp);
    }
    return NULL;
}
