/*
 * Pieces shared by the x86 and x64 ops tables: the FXSAVE image (x87 + SSE state),
 * the XSTATE extension that follows a CONTEXT (CONTEXT_EX + XSAVE area), and the
 * EFLAGS mnemonics of WinDbg's `r` display.
 */
#ifndef DD_ARCH_X86_FAMILY_H
#define DD_ARCH_X86_FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"

/* Size of an FXSAVE image (XMM_SAVE_AREA32 in winnt.h). */
#define X86_FXSAVE_SIZE 512

/* Length of the string x86_eflags_format writes, including the NUL. */
#define X86_EFLAGS_BUF 24

/*
 * Copies x87 st0-st7 and XMM0..XMM(NXMM-1) from the 512-byte FXSAVE image FX into RS
 * (st, st_valid, vec low halves, vec_valid). The caller bounds-checks FX.
 */
void x86_fxsave_decode(const uint8_t *fx, unsigned nxmm, struct regset *rs);

/*
 * Decodes the XSTATE extension of a CONTEXT: RAW[0..SIZE) holds the CONTEXT with its
 * CONTEXT_EX at EX_OFFSET (== sizeof(CONTEXT)). Sets the AVX upper halves of the first
 * NYMM vector registers (vec_upper_valid) and the CET shadow stack pointer (has_ssp, ssp)
 * when present and entirely inside RAW. Silently ignores anything malformed.
 */
void x86_xstate_decode(const uint8_t *raw, size_t size, size_t ex_offset, unsigned nymm,
                       struct regset *rs);

/*
 * Writes the eight flag mnemonics of `r` for EFL ("nv up ei pl zr na pe nc") into BUF.
 * PF_INVERTED selects the x64 display, which shows "po" when PF is set (see x64_regs.c).
 * Returns BUF.
 */
char *x86_eflags_format(char buf[X86_EFLAGS_BUF], uint64_t efl, bool pf_inverted);

/* Prints `r`'s "iopl=0         nv up ei ..." part for the flags in EFL_SLOT, then a newline. */
void x86_print_iopl_flags(struct dd_writer *w, const struct regset *rs, uint16_t efl_slot,
                          bool pf_inverted);

/* Prints `r`'s last line: the six selectors in SEGS (cs ss ds es fs gs order) and efl. */
void x86_print_segments(struct dd_writer *w, const struct regset *rs, const uint16_t segs[6],
                        uint16_t efl_slot);

#endif
