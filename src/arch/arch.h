/*
 * One ops table per CPU. Everything architecture-specific (CONTEXT layout,
 * register names, `r` layout; later unwinding and disassembly hooks) hangs off it.
 *
 * Adding a CPU: add enum dd_cpu in core/target.h, write arch/<cpu>/ with a
 * register table, a CONTEXT decoder and a register printer, export
 * `const struct arch_ops arch_<cpu>`, list it in arch.c, and add unit tests.
 */
#ifndef DD_ARCH_ARCH_H
#define DD_ARCH_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "base/writer.h"
#include "core/target.h"

#define ARCH_MAX_REGS 128
#define ARCH_MAX_VEC 32

enum arch_reg_kind {
    ARCH_REG_GPR,   /* general purpose, pc, sp */
    ARCH_REG_FLAGS, /* eflags / cpsr */
    ARCH_REG_SEG,   /* x86 segment selectors */
    ARCH_REG_DEBUG, /* dr0..dr7 */
    ARCH_REG_CTRL,  /* mxcsr, fpcr, fpsr, x87 control words */
    ARCH_REG_VEC,   /* xmm/ymm/v registers: value in regset.vec */
};

/*
 * A register name the user can type. Sub-registers (eax in x64, w0 in ARM64)
 * name their parent slot and a bit shift/width.
 */
struct arch_reg {
    const char *name;
    uint16_t bits;  /* width as shown: 1..64, or 128/256 for vector registers */
    uint8_t kind;   /* enum arch_reg_kind */
    uint16_t slot;  /* index into regset.r (or regset.vec for ARCH_REG_VEC) */
    uint8_t shift;  /* bit offset within the slot (ah = 8; ARM d1 = 64 within q0) */
};

/* Decoded register values of one thread or frame. */
struct regset {
    const struct arch_ops *arch;
    uint64_t r[ARCH_MAX_REGS];
    bool valid[ARCH_MAX_REGS];
    uint8_t vec[ARCH_MAX_VEC][32]; /* up to 256 bits each, little-endian */
    uint32_t vec_valid;            /* bit i: vec[i] low 128 bits valid */
    uint32_t vec_upper_valid;      /* bit i: vec[i] bits 128..255 valid (AVX) */
    uint32_t context_flags;        /* as found in the CONTEXT */
    /* x86/x64 x87 registers as 80-bit values and their control state. */
    uint8_t st[8][10];
    bool st_valid;
    /* x64 CET shadow stack pointer when the XSTATE carries it. */
    bool has_ssp;
    uint64_t ssp;
};

struct arch_ops {
    const char *name;       /* .effmach name: "x86", "x64", "arm64", "arm" */
    enum dd_cpu cpu;
    unsigned ptr_size;      /* 4 or 8 */
    uint32_t context_size;  /* sizeof(CONTEXT) for this CPU, for .cxr ADDR */
    const struct arch_reg *regs;
    size_t nregs;
    uint16_t pc_slot, sp_slot, fp_slot, flags_slot;
    /* Decodes a raw CONTEXT of SIZE bytes into ret (which it zeroes first). */
    struct dd_error *(*context_decode)(const uint8_t *raw, size_t size, struct regset *ret);
    /* Prints the register block of `r` (WinDbg layout), without the disassembly line. */
    void (*print_regs)(struct dd_writer *w, const struct regset *rs);
};

extern const struct arch_ops arch_x86;
extern const struct arch_ops arch_x64;
extern const struct arch_ops arch_arm64;
extern const struct arch_ops arch_arm;

/*
 * Starts decoding a CONTEXT for ARCH: zeroes ret, sets its arch and context_flags (the
 * 32-bit word at FLAGS_OFF) and sets ret_groups to the CONTEXT_* group bits present
 * (0x01 control, 0x02 integer, ... as winnt.h numbers them for every CPU). Some writers
 * leave ContextFlags without CPU_BIT; then a context of at least FULL_SIZE bytes counts as
 * control + integer. Errors when SIZE cannot hold the flags.
 */
struct dd_error *arch_context_begin(const struct arch_ops *arch, const uint8_t *raw, size_t size,
                                    size_t flags_off, uint32_t cpu_bit, size_t full_size,
                                    struct regset *ret, uint32_t *ret_groups);

/* Returns the ops table for CPU, or NULL when unsupported. */
const struct arch_ops *arch_for_cpu(enum dd_cpu cpu);
/* Returns the register called NAME (case-insensitive, optional leading '@'), or NULL. */
const struct arch_reg *arch_reg_find(const struct arch_ops *arch, const char *name);
/* Reads REG from RS into ret (masked to its width); false when not valid or a vector. */
bool regset_get(const struct regset *rs, const struct arch_reg *reg, uint64_t *ret);
/* Value of slot SLOT, or 0 when not valid. */
uint64_t regset_slot(const struct regset *rs, uint16_t slot);
/* Stores V in slot SLOT of RS and marks it valid (SLOT must be < ARCH_MAX_REGS). */
static inline void regset_put(struct regset *rs, uint16_t slot, uint64_t v)
{
    rs->r[slot] = v;
    rs->valid[slot] = true;
}
/*
 * Prints one register as `r NAME` shows it ("rax=0000000000000000"; vectors in WinDbg style).
 * A vector register's shift is a bit offset into its regset.vec slot (ARM d1 = bits 64..127 of q0).
 */
void arch_print_reg(struct dd_writer *w, const struct regset *rs, const struct arch_reg *reg);
/*
 * Writes slot SLOT of RS as DIGITS lowercase hex digits into BUF (at least DIGITS+1 bytes),
 * or DIGITS question marks when the slot is not valid. Returns BUF.
 */
char *arch_fmt_slot(char *buf, const struct regset *rs, uint16_t slot, unsigned digits);

#endif
