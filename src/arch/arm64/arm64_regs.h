/*
 * ARM64 register slots: x0-x30 (x29 = fp, x30 = lr), sp, pc, matching the register
 * numbers of ARM64 unwind codes, then cpsr and the FP control registers.
 */
#ifndef DD_ARCH_ARM64_REGS_H
#define DD_ARCH_ARM64_REGS_H

#include "arch/arch.h"

enum arm64_slot {
    ARM64_X0 = 0,  /* x0..x28 are slots 0..28 */
    ARM64_FP = 29, /* x29 */
    ARM64_LR = 30, /* x30 */
    ARM64_SP = 31,
    ARM64_PC = 32,
    ARM64_CPSR = 33,
    ARM64_FPCR = 34,
    ARM64_FPSR = 35,
    ARM64_NSLOTS
};

/* sizeof(CONTEXT) for ARM64 (winnt.h, ARM64_NT_CONTEXT). */
#define ARM64_CONTEXT_SIZE 0x390

/* Decodes an ARM64 CONTEXT of SIZE bytes into ret (the arch_arm64 context_decode hook). */
struct dd_error *arm64_context_decode(const uint8_t *raw, size_t size, struct regset *ret);

#endif
