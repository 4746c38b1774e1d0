/*
 * What the ARM64 and ARM (Thumb-2) Capstone backends share: WinDbg's ARM text layout (mnemonic
 * padded to 12 columns, operands joined by bare commas, "#0x1C" immediates with upper-case hex
 * digits) and branch/literal targets written as "module!symbol (address)".
 */
#ifndef DD_DISASM_ARM_COMMON_DISASM_H
#define DD_DISASM_ARM_COMMON_DISASM_H

#include "disasm/disasm.h"

/*
 * Rewrites Capstone operand text IN into WinDbg's spelling in OUT (LEN bytes): ", " becomes ",",
 * hex digits after "0x" upper case; A64: x29/x30 become fp/lr and a register extend inside an
 * address loses its comma ("[x9,w8 uxtw #2]"); Thumb: register lists become ranges ("{r4-r7,lr}").
 */
void armdis_operands_normalize(const char *in, bool a64, char *out, size_t len);

/*
 * Writes ADDR as WinDbg names a code or data address an instruction refers to into BUF (LEN
 * bytes): "module!symbol+0x10 (00007ffb`1c3e2f80)" with a symbolizer hit, else the address.
 */
void armdis_target_format(const struct disasm_ctx *c, uint64_t addr, char *buf, size_t len);

/*
 * Replaces the last "#0x..." / "#N" immediate of OPS (LEN bytes, in place) with TARGET; when OPS
 * has none, appends it after a comma. Returns false when the result does not fit.
 */
bool armdis_operands_set_target(char *ops, size_t len, const char *target);

/* Writes "MNEMONIC OPERANDS" into ret->text with the mnemonic padded to 12 columns. */
void armdis_text_set(struct disasm_insn *ret, const char *mnemonic, const char *operands);

#endif
