/* ARM (Thumb-2) register slots: r0-r15 by number (r13 = sp, r14 = lr, r15 = pc). */
#ifndef DD_ARCH_ARM_REGS_H
#define DD_ARCH_ARM_REGS_H

#include "arch/arch.h"

enum arm_slot {
    ARM_R0 = 0,   /* r0..r12 are slots 0..12 */
    ARM_R11 = 11, /* the frame pointer in Windows ARM code */
    ARM_SP = 13,
    ARM_LR = 14,
    ARM_PC = 15,
    ARM_CPSR = 16,
    ARM_FPSCR = 17,
    ARM_NSLOTS
};

/* sizeof(CONTEXT) for ARM (winnt.h, _ARM_ flavour). */
#define ARM_CONTEXT_SIZE 0x1a0

/* Decodes an ARM CONTEXT of SIZE bytes into ret (the arch_arm context_decode hook). */
struct dd_error *arm_context_decode(const uint8_t *raw, size_t size, struct regset *ret);

#endif
