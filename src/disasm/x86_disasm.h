/* x86 and x64 decoding with Zydis; used through disasm.h. */
#ifndef DD_DISASM_X86_DISASM_H
#define DD_DISASM_X86_DISASM_H

#include "disasm/disasm.h"

/*
 * Decodes the LEN bytes at BYTES (read from ADDR) as one x86 (BITS == 32) or x64
 * (BITS == 64) instruction and writes its MASM text into ret->text and its length
 * into ret->size; marks ret->invalid (size 1) when they do not decode and
 * ret->missing when LEN is too short for the instruction.
 */
void x86_disasm_decode(const struct disasm_ctx *c, unsigned bits, const uint8_t *bytes,
                       size_t len, uint64_t addr, struct disasm_insn *ret);

/*
 * Returns the length of the x86 (BITS == 32) or x64 instruction in the LEN bytes at BYTES, or 0
 * when they do not decode or are too short for it. Decodes without operands (fast, for `ub`).
 */
unsigned x86_disasm_length(unsigned bits, const uint8_t *bytes, size_t len);

#endif
