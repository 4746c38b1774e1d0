/* Instruction-encoding facts shared by the x86 and x64 cascades (their scans check call sites). */
#ifndef DD_UNWIND_X86_COMMON_H
#define DD_UNWIND_X86_COMMON_H

#include <stddef.h>
#include <stdint.h>

/*
 * Length of the ModRM byte at P and what follows it (SIB, displacement) with 32-bit addressing
 * (Intel SDM vol. 2, tables 2-2 and 2-3; in 64-bit mode mod 0 / rm 5 is rip+disp32, same size);
 * 0 when the SIB byte lies beyond AVAIL bytes.
 */
size_t unwind_x86_modrm_length(const uint8_t *p, size_t avail);

#endif
