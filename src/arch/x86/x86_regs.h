/*
 * x86 (i386) register slots. The first eight follow the CodeView / ModR/M register
 * numbering (eax ecx edx ebx esp ebp esi edi) so unwinders can index them directly.
 */
#ifndef DD_ARCH_X86_REGS_H
#define DD_ARCH_X86_REGS_H

#include "arch/arch.h"

enum x86_slot {
    X86_EAX,
    X86_ECX,
    X86_EDX,
    X86_EBX,
    X86_ESP,
    X86_EBP,
    X86_ESI,
    X86_EDI,
    X86_EIP,
    X86_EFL,
    X86_CS,
    X86_DS,
    X86_ES,
    X86_FS,
    X86_GS,
    X86_SS,
    X86_DR0,
    X86_DR1,
    X86_DR2,
    X86_DR3,
    X86_DR6,
    X86_DR7,
    X86_FPCW, /* x87 control word */
    X86_FPSW, /* x87 status word */
    X86_FPTW, /* x87 tag word (full form, from FLOATING_SAVE_AREA) */
    X86_MXCSR,
    X86_NSLOTS
};

/* sizeof(CONTEXT) for x86 (winnt.h), including the 512-byte ExtendedRegisters. */
#define X86_CONTEXT_SIZE 0x2cc

/* Decodes an x86 CONTEXT of SIZE bytes into ret (the arch_x86 context_decode hook). */
struct dd_error *x86_context_decode(const uint8_t *raw, size_t size, struct regset *ret);

#endif
