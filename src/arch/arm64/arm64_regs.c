/* ARM64 register names, the `r` register block, and the arch_arm64 ops table. */
#include <stdio.h>

#include "arch/arm64/arm64_regs.h"

/* clang-format off */
#define GPR(n, b, s, sh) {n, b, ARCH_REG_GPR, s, sh}
#define FLAG(n, sh) {n, 1, ARCH_REG_FLAGS, ARM64_CPSR, sh}
#define CTRL(n, b, s) {n, b, ARCH_REG_CTRL, s, 0}
#define VEC(n, b, i) {n, b, ARCH_REG_VEC, i, 0}
/* clang-format on */

/* The names WinDbg accepts in `r NAME` and expressions (@x0) for an ARM64 target. */
static const struct arch_reg arm64_regs[] = {
    GPR("x0", 64, 0, 0),
    GPR("x1", 64, 1, 0),
    GPR("x2", 64, 2, 0),
    GPR("x3", 64, 3, 0),
    GPR("x4", 64, 4, 0),
    GPR("x5", 64, 5, 0),
    GPR("x6", 64, 6, 0),
    GPR("x7", 64, 7, 0),
    GPR("x8", 64, 8, 0),
    GPR("x9", 64, 9, 0),
    GPR("x10", 64, 10, 0),
    GPR("x11", 64, 11, 0),
    GPR("x12", 64, 12, 0),
    GPR("x13", 64, 13, 0),
    GPR("x14", 64, 14, 0),
    GPR("x15", 64, 15, 0),
    GPR("x16", 64, 16, 0),
    GPR("x17", 64, 17, 0),
    GPR("x18", 64, 18, 0),
    GPR("x19", 64, 19, 0),
    GPR("x20", 64, 20, 0),
    GPR("x21", 64, 21, 0),
    GPR("x22", 64, 22, 0),
    GPR("x23", 64, 23, 0),
    GPR("x24", 64, 24, 0),
    GPR("x25", 64, 25, 0),
    GPR("x26", 64, 26, 0),
    GPR("x27", 64, 27, 0),
    GPR("x28", 64, 28, 0),
    GPR("fp", 64, ARM64_FP, 0),
    GPR("x29", 64, ARM64_FP, 0),
    GPR("lr", 64, ARM64_LR, 0),
    GPR("x30", 64, ARM64_LR, 0),
    GPR("sp", 64, ARM64_SP, 0),
    GPR("pc", 64, ARM64_PC, 0),
    {"cpsr", 32, ARCH_REG_FLAGS, ARM64_CPSR, 0},
    {"psr", 32, ARCH_REG_FLAGS, ARM64_CPSR, 0},
    CTRL("fpcr", 32, ARM64_FPCR),
    CTRL("fpsr", 32, ARM64_FPSR),
    /* 32-bit views of the general registers. */
    GPR("w0", 32, 0, 0),
    GPR("w1", 32, 1, 0),
    GPR("w2", 32, 2, 0),
    GPR("w3", 32, 3, 0),
    GPR("w4", 32, 4, 0),
    GPR("w5", 32, 5, 0),
    GPR("w6", 32, 6, 0),
    GPR("w7", 32, 7, 0),
    GPR("w8", 32, 8, 0),
    GPR("w9", 32, 9, 0),
    GPR("w10", 32, 10, 0),
    GPR("w11", 32, 11, 0),
    GPR("w12", 32, 12, 0),
    GPR("w13", 32, 13, 0),
    GPR("w14", 32, 14, 0),
    GPR("w15", 32, 15, 0),
    GPR("w16", 32, 16, 0),
    GPR("w17", 32, 17, 0),
    GPR("w18", 32, 18, 0),
    GPR("w19", 32, 19, 0),
    GPR("w20", 32, 20, 0),
    GPR("w21", 32, 21, 0),
    GPR("w22", 32, 22, 0),
    GPR("w23", 32, 23, 0),
    GPR("w24", 32, 24, 0),
    GPR("w25", 32, 25, 0),
    GPR("w26", 32, 26, 0),
    GPR("w27", 32, 27, 0),
    GPR("w28", 32, 28, 0),
    GPR("w29", 32, 29, 0),
    GPR("w30", 32, 30, 0),
    /* NZCV condition flags of cpsr as one-bit registers. */
    FLAG("nf", 31),
    FLAG("zf", 30),
    FLAG("cf", 29),
    FLAG("vf", 28),
    /* SIMD/FP registers: v/q 128 bits, d 64 bits, s 32 bits of the same register. */
    VEC("v0", 128, 0),
    VEC("v1", 128, 1),
    VEC("v2", 128, 2),
    VEC("v3", 128, 3),
    VEC("v4", 128, 4),
    VEC("v5", 128, 5),
    VEC("v6", 128, 6),
    VEC("v7", 128, 7),
    VEC("v8", 128, 8),
    VEC("v9", 128, 9),
    VEC("v10", 128, 10),
    VEC("v11", 128, 11),
    VEC("v12", 128, 12),
    VEC("v13", 128, 13),
    VEC("v14", 128, 14),
    VEC("v15", 128, 15),
    VEC("v16", 128, 16),
    VEC("v17", 128, 17),
    VEC("v18", 128, 18),
    VEC("v19", 128, 19),
    VEC("v20", 128, 20),
    VEC("v21", 128, 21),
    VEC("v22", 128, 22),
    VEC("v23", 128, 23),
    VEC("v24", 128, 24),
    VEC("v25", 128, 25),
    VEC("v26", 128, 26),
    VEC("v27", 128, 27),
    VEC("v28", 128, 28),
    VEC("v29", 128, 29),
    VEC("v30", 128, 30),
    VEC("v31", 128, 31),
    VEC("q0", 128, 0),
    VEC("q1", 128, 1),
    VEC("q2", 128, 2),
    VEC("q3", 128, 3),
    VEC("q4", 128, 4),
    VEC("q5", 128, 5),
    VEC("q6", 128, 6),
    VEC("q7", 128, 7),
    VEC("q8", 128, 8),
    VEC("q9", 128, 9),
    VEC("q10", 128, 10),
    VEC("q11", 128, 11),
    VEC("q12", 128, 12),
    VEC("q13", 128, 13),
    VEC("q14", 128, 14),
    VEC("q15", 128, 15),
    VEC("q16", 128, 16),
    VEC("q17", 128, 17),
    VEC("q18", 128, 18),
    VEC("q19", 128, 19),
    VEC("q20", 128, 20),
    VEC("q21", 128, 21),
    VEC("q22", 128, 22),
    VEC("q23", 128, 23),
    VEC("q24", 128, 24),
    VEC("q25", 128, 25),
    VEC("q26", 128, 26),
    VEC("q27", 128, 27),
    VEC("q28", 128, 28),
    VEC("q29", 128, 29),
    VEC("q30", 128, 30),
    VEC("q31", 128, 31),
    VEC("d0", 64, 0),
    VEC("d1", 64, 1),
    VEC("d2", 64, 2),
    VEC("d3", 64, 3),
    VEC("d4", 64, 4),
    VEC("d5", 64, 5),
    VEC("d6", 64, 6),
    VEC("d7", 64, 7),
    VEC("d8", 64, 8),
    VEC("d9", 64, 9),
    VEC("d10", 64, 10),
    VEC("d11", 64, 11),
    VEC("d12", 64, 12),
    VEC("d13", 64, 13),
    VEC("d14", 64, 14),
    VEC("d15", 64, 15),
    VEC("d16", 64, 16),
    VEC("d17", 64, 17),
    VEC("d18", 64, 18),
    VEC("d19", 64, 19),
    VEC("d20", 64, 20),
    VEC("d21", 64, 21),
    VEC("d22", 64, 22),
    VEC("d23", 64, 23),
    VEC("d24", 64, 24),
    VEC("d25", 64, 25),
    VEC("d26", 64, 26),
    VEC("d27", 64, 27),
    VEC("d28", 64, 28),
    VEC("d29", 64, 29),
    VEC("d30", 64, 30),
    VEC("d31", 64, 31),
    VEC("s0", 32, 0),
    VEC("s1", 32, 1),
    VEC("s2", 32, 2),
    VEC("s3", 32, 3),
    VEC("s4", 32, 4),
    VEC("s5", 32, 5),
    VEC("s6", 32, 6),
    VEC("s7", 32, 7),
    VEC("s8", 32, 8),
    VEC("s9", 32, 9),
    VEC("s10", 32, 10),
    VEC("s11", 32, 11),
    VEC("s12", 32, 12),
    VEC("s13", 32, 13),
    VEC("s14", 32, 14),
    VEC("s15", 32, 15),
    VEC("s16", 32, 16),
    VEC("s17", 32, 17),
    VEC("s18", 32, 18),
    VEC("s19", 32, 19),
    VEC("s20", 32, 20),
    VEC("s21", 32, 21),
    VEC("s22", 32, 22),
    VEC("s23", 32, 23),
    VEC("s24", 32, 24),
    VEC("s25", 32, 25),
    VEC("s26", 32, 26),
    VEC("s27", 32, 27),
    VEC("s28", 32, 28),
    VEC("s29", 32, 29),
    VEC("s30", 32, 30),
    VEC("s31", 32, 31),
};

/*
 * WinDbg's ARM64 `r` block: four registers a line, names right-aligned to three
 * columns, two spaces between entries, then pc and psr with the NZCV letters and the
 * exception level (cpsr bits 2-3):
 *    x0=0000000000000078   x1=000002037b0069e0   x2=0000000000000010   x3=000000293a8ff9f0
 *   ...
 *   x28=0000000000000000   fp=000000293a8ffc10   lr=00007ffea80f7388   sp=000000293a8ff9e0
 *    pc=00007ffea80e30f4  psr=60000000 -ZC- EL0
 */
static void arm64_print_regs(struct dd_writer *w, const struct regset *rs)
{
    char v[17];
    char name[8];
    for (uint16_t i = 0; i <= ARM64_SP; i++) {
        if (i == ARM64_FP)
            snprintf(name, sizeof(name), "fp");
        else if (i == ARM64_LR)
            snprintf(name, sizeof(name), "lr");
        else if (i == ARM64_SP)
            snprintf(name, sizeof(name), "sp");
        else
            snprintf(name, sizeof(name), "x%u", (unsigned)i);
        dd_printf(w, "%s%3s=%s%s", i % 4 ? "  " : "", name, arch_fmt_slot(v, rs, i, 16),
                  i % 4 == 3 ? "\n" : "");
    }
    char psr_text[9];
    dd_printf(w, " pc=%s  psr=%s", arch_fmt_slot(v, rs, ARM64_PC, 16),
              arch_fmt_slot(psr_text, rs, ARM64_CPSR, 8));
    if (rs->valid[ARM64_CPSR]) {
        uint64_t psr = rs->r[ARM64_CPSR];
        dd_printf(w, " %c%c%c%c EL%u\n", (psr >> 31) & 1 ? 'N' : '-', (psr >> 30) & 1 ? 'Z' : '-',
                  (psr >> 29) & 1 ? 'C' : '-', (psr >> 28) & 1 ? 'V' : '-',
                  (unsigned)((psr >> 2) & 3));
    } else {
        dd_puts(w, " ???? EL?\n");
    }
}

const struct arch_ops arch_arm64 = {
    .name = "arm64",
    .cpu = DD_CPU_ARM64,
    .ptr_size = 8,
    .context_size = ARM64_CONTEXT_SIZE,
    .regs = arm64_regs,
    .nregs = sizeof(arm64_regs) / sizeof(arm64_regs[0]),
    .pc_slot = ARM64_PC,
    .sp_slot = ARM64_SP,
    .fp_slot = ARM64_FP,
    .flags_slot = ARM64_CPSR,
    .context_decode = arm64_context_decode,
    .print_regs = arm64_print_regs,
};
