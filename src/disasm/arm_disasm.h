/* ARM (Thumb-2) decoding with Capstone; used through disasm.h. */
#ifndef DD_DISASM_ARM_DISASM_H
#define DD_DISASM_ARM_DISASM_H

#include "disasm/disasm.h"

/*
 * Decodes the LEN bytes at BYTES (read from ADDR) as one Thumb-2 instruction into ret: its size
 * (2 or 4), WinDbg text, branch flow and target, and the memory operand of a single load or
 * store; marks ret->missing when LEN is too short and ret->invalid (size 2) when it does not
 * decode.
 */
void arm_disasm_decode(const struct disasm_ctx *c, const uint8_t *bytes, size_t len, uint64_t addr,
                       struct disasm_insn *ret);

/* Bytes before an instruction that can hold the IT instruction whose block it belongs to. */
#define ARM_DISASM_IT_LOOKBACK 14

/*
 * As arm_disasm_decode, with the BEFORE (at most ARM_DISASM_IT_LOOKBACK) bytes that precede ADDR
 * at BYTES - BEFORE: an instruction inside an IT block is decoded with its condition ("addlo",
 * "cmplo"), as a CPU executing the block sees it.
 */
void arm_disasm_decode_in_context(const struct disasm_ctx *c, const uint8_t *bytes, size_t before,
                                  size_t len, uint64_t addr, struct disasm_insn *ret);

#endif
