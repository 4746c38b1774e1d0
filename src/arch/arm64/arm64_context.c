/* Decodes an ARM64 CONTEXT (winnt.h, ARM64_NT_CONTEXT) into a regset. */
#include <string.h>

#include "arch/arm64/arm64_regs.h"
#include "base/cursor.h"

/* ContextFlags (winnt.h): CONTEXT_ARM64 plus one bit per register group. */
#define CONTEXT_ARM64 0x00400000u
#define CONTEXT_CONTROL 0x01u        /* fp lr sp pc cpsr */
#define CONTEXT_INTEGER 0x02u        /* x0-x28 */
#define CONTEXT_FLOATING_POINT 0x04u /* v0-v31 fpcr fpsr */

/* Field offsets in the ARM64 CONTEXT (winnt.h). */
#define OFF_CPSR 0x04
#define OFF_X0 0x08 /* X[0..28], 8 bytes each */
#define OFF_FP 0xf0
#define OFF_LR 0xf8
#define OFF_SP 0x100
#define OFF_PC 0x108
#define OFF_V0 0x110 /* V[32], 16 bytes each */
#define OFF_FPCR 0x310
#define OFF_FPSR 0x314

struct dd_error *arm64_context_decode(const uint8_t *raw, size_t size, struct regset *ret)
{
    uint32_t groups;
    struct dd_error *err = arch_context_begin(&arch_arm64, raw, size, 0, CONTEXT_ARM64, ARM64_CONTEXT_SIZE, ret,
                                              &groups);
    if (err)
        return err;
    /* A group whose bytes are not all present stays invalid; never read past SIZE. */
    if ((groups & CONTEXT_INTEGER) && size >= OFF_X0 + 29 * 8) {
        for (uint16_t i = 0; i < 29; i++)
            regset_put(ret, ARM64_X0 + i, dd_le64(raw + OFF_X0 + 8 * i));
    }
    if ((groups & CONTEXT_CONTROL) && size >= OFF_PC + 8) {
        regset_put(ret, ARM64_CPSR, dd_le32(raw + OFF_CPSR));
        regset_put(ret, ARM64_FP, dd_le64(raw + OFF_FP));
        regset_put(ret, ARM64_LR, dd_le64(raw + OFF_LR));
        regset_put(ret, ARM64_SP, dd_le64(raw + OFF_SP));
        regset_put(ret, ARM64_PC, dd_le64(raw + OFF_PC));
    }
    if ((groups & CONTEXT_FLOATING_POINT) && size >= OFF_FPSR + 4) {
        for (unsigned i = 0; i < 32; i++)
            memcpy(ret->vec[i], raw + OFF_V0 + 16 * i, 16);
        ret->vec_valid = 0xffffffffu;
        regset_put(ret, ARM64_FPCR, dd_le32(raw + OFF_FPCR));
        regset_put(ret, ARM64_FPSR, dd_le32(raw + OFF_FPSR));
    }
    return NULL;
}
