/* ARM64 decoding with Capstone; used through disasm.h. */
#ifndef DD_DISASM_ARM64_DISASM_H
#define DD_DISASM_ARM64_DISASM_H

#include "disasm/disasm.h"

/*
 * Decodes the LEN bytes at BYTES (read from ADDR) as one ARM64 instruction into ret: its 4-byte
 * size, WinDbg text, branch flow and target, and the memory operand of a single load or store;
 * marks ret->missing when LEN < 4 and ret->invalid (size 4) when the word does not decode.
 */
void arm64_disasm_decode(const struct disasm_ctx *c, const uint8_t *bytes, size_t len,
                         uint64_t addr, struct disasm_insn *ret);

#endif
