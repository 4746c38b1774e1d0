/* ARM register names, the `r` register block, and the arch_arm ops table. */
#include <stdio.h>

#include "arch/arm/arm_regs.h"

/* clang-format off */
#define GPR(n, s) {n, 32, ARCH_REG_GPR, s, 0}
#define FLAG(n, b, sh) {n, b, ARCH_REG_FLAGS, ARM_CPSR, sh}
#define VEC(n, b, i, sh) {n, b, ARCH_REG_VEC, i, sh}
/* clang-format on */

/* The names WinDbg accepts in `r NAME` and expressions (@r0) for an ARM target. */
static const struct arch_reg arm_regs[] = {
    GPR("r0", 0),
    GPR("r1", 1),
    GPR("r2", 2),
    GPR("r3", 3),
    GPR("r4", 4),
    GPR("r5", 5),
    GPR("r6", 6),
    GPR("r7", 7),
    GPR("r8", 8),
    GPR("r9", 9),
    GPR("r10", 10),
    GPR("r11", 11),
    GPR("r12", 12),
    GPR("sp", ARM_SP),
    GPR("r13", ARM_SP),
    GPR("lr", ARM_LR),
    GPR("r14", ARM_LR),
    GPR("pc", ARM_PC),
    GPR("r15", ARM_PC),
    {"cpsr", 32, ARCH_REG_FLAGS, ARM_CPSR, 0},
    {"psr", 32, ARCH_REG_FLAGS, ARM_CPSR, 0},
    {"fpscr", 32, ARCH_REG_CTRL, ARM_FPSCR, 0},
    /* cpsr fields as WinDbg's flag registers (ARM ARM, B1.3.3). */
    FLAG("nf", 1, 31),
    FLAG("zf", 1, 30),
    FLAG("cf", 1, 29),
    FLAG("vf", 1, 28),
    FLAG("qf", 1, 27),
    FLAG("if", 1, 7),
    FLAG("ff", 1, 6),
    FLAG("tf", 1, 5),
    FLAG("mode", 5, 0),
    /* VFP/NEON registers: q<i> is vec slot i, d<k> and s<k> are parts of it. */
    VEC("q0", 128, 0, 0),
    VEC("q1", 128, 1, 0),
    VEC("q2", 128, 2, 0),
    VEC("q3", 128, 3, 0),
    VEC("q4", 128, 4, 0),
    VEC("q5", 128, 5, 0),
    VEC("q6", 128, 6, 0),
    VEC("q7", 128, 7, 0),
    VEC("q8", 128, 8, 0),
    VEC("q9", 128, 9, 0),
    VEC("q10", 128, 10, 0),
    VEC("q11", 128, 11, 0),
    VEC("q12", 128, 12, 0),
    VEC("q13", 128, 13, 0),
    VEC("q14", 128, 14, 0),
    VEC("q15", 128, 15, 0),
    VEC("d0", 64, 0, 0),
    VEC("d1", 64, 0, 64),
    VEC("d2", 64, 1, 0),
    VEC("d3", 64, 1, 64),
    VEC("d4", 64, 2, 0),
    VEC("d5", 64, 2, 64),
    VEC("d6", 64, 3, 0),
    VEC("d7", 64, 3, 64),
    VEC("d8", 64, 4, 0),
    VEC("d9", 64, 4, 64),
    VEC("d10", 64, 5, 0),
    VEC("d11", 64, 5, 64),
    VEC("d12", 64, 6, 0),
    VEC("d13", 64, 6, 64),
    VEC("d14", 64, 7, 0),
    VEC("d15", 64, 7, 64),
    VEC("d16", 64, 8, 0),
    VEC("d17", 64, 8, 64),
    VEC("d18", 64, 9, 0),
    VEC("d19", 64, 9, 64),
    VEC("d20", 64, 10, 0),
    VEC("d21", 64, 10, 64),
    VEC("d22", 64, 11, 0),
    VEC("d23", 64, 11, 64),
    VEC("d24", 64, 12, 0),
    VEC("d25", 64, 12, 64),
    VEC("d26", 64, 13, 0),
    VEC("d27", 64, 13, 64),
    VEC("d28", 64, 14, 0),
    VEC("d29", 64, 14, 64),
    VEC("d30", 64, 15, 0),
    VEC("d31", 64, 15, 64),
    VEC("s0", 32, 0, 0),
    VEC("s1", 32, 0, 32),
    VEC("s2", 32, 0, 64),
    VEC("s3", 32, 0, 96),
    VEC("s4", 32, 1, 0),
    VEC("s5", 32, 1, 32),
    VEC("s6", 32, 1, 64),
    VEC("s7", 32, 1, 96),
    VEC("s8", 32, 2, 0),
    VEC("s9", 32, 2, 32),
    VEC("s10", 32, 2, 64),
    VEC("s11", 32, 2, 96),
    VEC("s12", 32, 3, 0),
    VEC("s13", 32, 3, 32),
    VEC("s14", 32, 3, 64),
    VEC("s15", 32, 3, 96),
    VEC("s16", 32, 4, 0),
    VEC("s17", 32, 4, 32),
    VEC("s18", 32, 4, 64),
    VEC("s19", 32, 4, 96),
    VEC("s20", 32, 5, 0),
    VEC("s21", 32, 5, 32),
    VEC("s22", 32, 5, 64),
    VEC("s23", 32, 5, 96),
    VEC("s24", 32, 6, 0),
    VEC("s25", 32, 6, 32),
    VEC("s26", 32, 6, 64),
    VEC("s27", 32, 6, 96),
    VEC("s28", 32, 7, 0),
    VEC("s29", 32, 7, 32),
    VEC("s30", 32, 7, 64),
    VEC("s31", 32, 7, 96),
};

/*
 * WinDbg's ARM `r` block: six registers a line, names right-aligned to three columns,
 * then psr with the N Z C V Q letters and the instruction set (cpsr T bit):
 *    r0=00000000  r1=00000000  r2=00000000  r3=76fdcf09  r4=00000000  r5=028df6e0
 *    r6=028df730  r7=00000000  r8=00000001  r9=01507858 r10=015156a8 r11=028df8e8
 *   r12=00000000  sp=028df6c8  lr=00000000  pc=76ccce24 psr=600f0030 -ZC-- Thumb
 */
static void arm_print_regs(struct dd_writer *w, const struct regset *rs)
{
    static const char *const names[16] = {"r0", "r1", "r2",  "r3",  "r4",  "r5", "r6", "r7",
                                          "r8", "r9", "r10", "r11", "r12", "sp", "lr", "pc"};
    char v[17];
    for (uint16_t i = 0; i < 16; i++)
        dd_printf(w, "%s%3s=%s%s", i % 6 ? " " : "", names[i], arch_fmt_slot(v, rs, i, 8),
                  i % 6 == 5 ? "\n" : "");
    dd_printf(w, " psr=%s", arch_fmt_slot(v, rs, ARM_CPSR, 8));
    if (rs->valid[ARM_CPSR]) {
        uint64_t psr = rs->r[ARM_CPSR];
        dd_printf(w, " %c%c%c%c%c %s\n", (psr >> 31) & 1 ? 'N' : '-', (psr >> 30) & 1 ? 'Z' : '-',
                  (psr >> 29) & 1 ? 'C' : '-', (psr >> 28) & 1 ? 'V' : '-',
                  (psr >> 27) & 1 ? 'Q' : '-', (psr >> 5) & 1 ? "Thumb" : "ARM");
    } else {
        dd_puts(w, " ????? ?\n");
    }
}

const struct arch_ops arch_arm = {
    .name = "arm",
    .cpu = DD_CPU_ARM,
    .ptr_size = 4,
    .context_size = ARM_CONTEXT_SIZE,
    .regs = arm_regs,
    .nregs = sizeof(arm_regs) / sizeof(arm_regs[0]),
    .pc_slot = ARM_PC,
    .sp_slot = ARM_SP,
    .fp_slot = ARM_R11,
    .flags_slot = ARM_CPSR,
    .context_decode = arm_context_decode,
    .print_regs = arm_print_regs,
};
