/*
 * x64 (AMD64) register slots. The first sixteen follow the AMD64 register numbering
 * used by UNWIND_CODE and ModR/M (rax rcx rdx rbx rsp rbp rsi rdi r8-r15), so the
 * unwinder can index them directly.
 */
#ifndef DD_ARCH_X64_REGS_H
#define DD_ARCH_X64_REGS_H

#include "arch/arch.h"

enum x64_slot {
    X64_RAX,
    X64_RCX,
    X64_RDX,
    X64_RBX,
    X64_RSP,
    X64_RBP,
    X64_RSI,
    X64_RDI,
    X64_R8,
    X64_R9,
    X64_R10,
    X64_R11,
    X64_R12,
    X64_R13,
    X64_R14,
    X64_R15,
    X64_RIP,
    X64_EFL,
    X64_CS,
    X64_DS,
    X64_ES,
    X64_FS,
    X64_GS,
    X64_SS,
    X64_DR0,
    X64_DR1,
    X64_DR2,
    X64_DR3,
    X64_DR6,
    X64_DR7,
    X64_MXCSR,
    X64_FPCW, /* x87 control word (FltSave) */
    X64_FPSW, /* x87 status word (FltSave) */
    X64_SSP,  /* CET shadow stack pointer, from the XSTATE CET_U component */
    X64_NSLOTS
};

/* sizeof(CONTEXT) for AMD64 (winnt.h). */
#define X64_CONTEXT_SIZE 0x4d0

/* Decodes an AMD64 CONTEXT of SIZE bytes into ret (the arch_x64 context_decode hook). */
struct dd_error *x64_context_decode(const uint8_t *raw, size_t size, struct regset *ret);

#endif
