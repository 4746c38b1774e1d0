/* Decodes an ARM CONTEXT (winnt.h, _ARM_ flavour) into a regset. */
#include <string.h>

#include "arch/arm/arm_regs.h"
#include "base/cursor.h"

/* ContextFlags (winnt.h): CONTEXT_ARM plus one bit per register group. */
#define CONTEXT_ARM 0x00200000u
#define CONTEXT_CONTROL 0x01u        /* sp lr pc cpsr */
#define CONTEXT_INTEGER 0x02u        /* r0-r12 */
#define CONTEXT_FLOATING_POINT 0x04u /* fpscr, d0-d31 (= q0-q15) */

/* Field offsets in the ARM CONTEXT (winnt.h). */
#define OFF_R0 0x04 /* R0..R12, 4 bytes each */
#define OFF_SP 0x38
#define OFF_LR 0x3c
#define OFF_PC 0x40
#define OFF_CPSR 0x44
#define OFF_FPSCR 0x48
#define OFF_D0 0x50 /* union { Q[16]; D[32]; S[32] }, 256 bytes */

struct dd_error *arm_context_decode(const uint8_t *raw, size_t size, struct regset *ret)
{
    uint32_t groups;
    struct dd_error *err = arch_context_begin(&arch_arm, raw, size, 0, CONTEXT_ARM, ARM_CONTEXT_SIZE, ret,
                                              &groups);
    if (err)
        return err;
    /* A group whose bytes are not all present stays invalid; never read past SIZE. */
    if ((groups & CONTEXT_INTEGER) && size >= OFF_R0 + 13 * 4) {
        for (uint16_t i = 0; i < 13; i++)
            regset_put(ret, ARM_R0 + i, dd_le32(raw + OFF_R0 + 4 * i));
    }
    if ((groups & CONTEXT_CONTROL) && size >= OFF_CPSR + 4) {
        regset_put(ret, ARM_SP, dd_le32(raw + OFF_SP));
        regset_put(ret, ARM_LR, dd_le32(raw + OFF_LR));
        regset_put(ret, ARM_PC, dd_le32(raw + OFF_PC));
        regset_put(ret, ARM_CPSR, dd_le32(raw + OFF_CPSR));
    }
    if ((groups & CONTEXT_FLOATING_POINT) && size >= OFF_D0 + 256) {
        /* vec[i] holds q<i>, that is d<2i> in its low and d<2i+1> in its high 8 bytes. */
        for (unsigned i = 0; i < 16; i++)
            memcpy(ret->vec[i], raw + OFF_D0 + 16 * i, 16);
        ret->vec_valid = 0xffffu;
        regset_put(ret, ARM_FPSCR, dd_le32(raw + OFF_FPSCR));
    }
    return NULL;
}
