/* x64 register names, the `r` register block, and the arch_x64 ops table. */
#include <stdio.h>

#include "arch/x64/x64_regs.h"
#include "arch/x86/x86_family.h"

/* clang-format off */
#define GPR(n, b, s, sh) {n, b, ARCH_REG_GPR, s, sh}
#define FLAG(n, b, sh) {n, b, ARCH_REG_FLAGS, X64_EFL, sh}
#define SEG(n, s) {n, 16, ARCH_REG_SEG, s, 0}
#define DBG(n, s) {n, 64, ARCH_REG_DEBUG, s, 0}
#define CTRL(n, b, s) {n, b, ARCH_REG_CTRL, s, 0}
#define VEC(n, b, i) {n, b, ARCH_REG_VEC, i, 0}
/* clang-format on */

/* The names WinDbg accepts in `r NAME` and expressions (@rax) for an x64 target. */
static const struct arch_reg x64_regs[] = {
    GPR("rax", 64, X64_RAX, 0),
    GPR("rbx", 64, X64_RBX, 0),
    GPR("rcx", 64, X64_RCX, 0),
    GPR("rdx", 64, X64_RDX, 0),
    GPR("rsi", 64, X64_RSI, 0),
    GPR("rdi", 64, X64_RDI, 0),
    GPR("rip", 64, X64_RIP, 0),
    GPR("rsp", 64, X64_RSP, 0),
    GPR("rbp", 64, X64_RBP, 0),
    GPR("r8", 64, X64_R8, 0),
    GPR("r9", 64, X64_R9, 0),
    GPR("r10", 64, X64_R10, 0),
    GPR("r11", 64, X64_R11, 0),
    GPR("r12", 64, X64_R12, 0),
    GPR("r13", 64, X64_R13, 0),
    GPR("r14", 64, X64_R14, 0),
    GPR("r15", 64, X64_R15, 0),
    {"efl", 32, ARCH_REG_FLAGS, X64_EFL, 0},
    SEG("cs", X64_CS),
    SEG("ds", X64_DS),
    SEG("es", X64_ES),
    SEG("fs", X64_FS),
    SEG("gs", X64_GS),
    SEG("ss", X64_SS),
    DBG("dr0", X64_DR0),
    DBG("dr1", X64_DR1),
    DBG("dr2", X64_DR2),
    DBG("dr3", X64_DR3),
    DBG("dr6", X64_DR6),
    DBG("dr7", X64_DR7),
    CTRL("mxcsr", 32, X64_MXCSR),
    CTRL("fpcw", 16, X64_FPCW),
    CTRL("fpsw", 16, X64_FPSW),
    CTRL("ssp", 64, X64_SSP),
    /* 32-, 16- and 8-bit parts. */
    GPR("eax", 32, X64_RAX, 0),
    GPR("ebx", 32, X64_RBX, 0),
    GPR("ecx", 32, X64_RCX, 0),
    GPR("edx", 32, X64_RDX, 0),
    GPR("esi", 32, X64_RSI, 0),
    GPR("edi", 32, X64_RDI, 0),
    GPR("ebp", 32, X64_RBP, 0),
    GPR("esp", 32, X64_RSP, 0),
    GPR("eip", 32, X64_RIP, 0),
    GPR("r8d", 32, X64_R8, 0),
    GPR("r9d", 32, X64_R9, 0),
    GPR("r10d", 32, X64_R10, 0),
    GPR("r11d", 32, X64_R11, 0),
    GPR("r12d", 32, X64_R12, 0),
    GPR("r13d", 32, X64_R13, 0),
    GPR("r14d", 32, X64_R14, 0),
    GPR("r15d", 32, X64_R15, 0),
    GPR("ax", 16, X64_RAX, 0),
    GPR("bx", 16, X64_RBX, 0),
    GPR("cx", 16, X64_RCX, 0),
    GPR("dx", 16, X64_RDX, 0),
    GPR("si", 16, X64_RSI, 0),
    GPR("di", 16, X64_RDI, 0),
    GPR("bp", 16, X64_RBP, 0),
    GPR("sp", 16, X64_RSP, 0),
    GPR("ip", 16, X64_RIP, 0),
    GPR("r8w", 16, X64_R8, 0),
    GPR("r9w", 16, X64_R9, 0),
    GPR("r10w", 16, X64_R10, 0),
    GPR("r11w", 16, X64_R11, 0),
    GPR("r12w", 16, X64_R12, 0),
    GPR("r13w", 16, X64_R13, 0),
    GPR("r14w", 16, X64_R14, 0),
    GPR("r15w", 16, X64_R15, 0),
    {"fl", 16, ARCH_REG_FLAGS, X64_EFL, 0},
    GPR("al", 8, X64_RAX, 0),
    GPR("bl", 8, X64_RBX, 0),
    GPR("cl", 8, X64_RCX, 0),
    GPR("dl", 8, X64_RDX, 0),
    GPR("sil", 8, X64_RSI, 0),
    GPR("dil", 8, X64_RDI, 0),
    GPR("bpl", 8, X64_RBP, 0),
    GPR("spl", 8, X64_RSP, 0),
    GPR("r8b", 8, X64_R8, 0),
    GPR("r9b", 8, X64_R9, 0),
    GPR("r10b", 8, X64_R10, 0),
    GPR("r11b", 8, X64_R11, 0),
    GPR("r12b", 8, X64_R12, 0),
    GPR("r13b", 8, X64_R13, 0),
    GPR("r14b", 8, X64_R14, 0),
    GPR("r15b", 8, X64_R15, 0),
    GPR("ah", 8, X64_RAX, 8),
    GPR("bh", 8, X64_RBX, 8),
    GPR("ch", 8, X64_RCX, 8),
    GPR("dh", 8, X64_RDX, 8),
    /* EFLAGS bits as WinDbg's one-bit flag registers (Intel SDM vol. 1, 3.4.3). */
    FLAG("iopl", 2, 12),
    FLAG("of", 1, 11),
    FLAG("df", 1, 10),
    FLAG("if", 1, 9),
    FLAG("tf", 1, 8),
    FLAG("sf", 1, 7),
    FLAG("zf", 1, 6),
    FLAG("af", 1, 4),
    FLAG("pf", 1, 2),
    FLAG("cf", 1, 0),
    FLAG("vip", 1, 20),
    FLAG("vif", 1, 19),
    /* SSE registers (FltSave) and their AVX extension (XSTATE). */
    VEC("xmm0", 128, 0),
    VEC("xmm1", 128, 1),
    VEC("xmm2", 128, 2),
    VEC("xmm3", 128, 3),
    VEC("xmm4", 128, 4),
    VEC("xmm5", 128, 5),
    VEC("xmm6", 128, 6),
    VEC("xmm7", 128, 7),
    VEC("xmm8", 128, 8),
    VEC("xmm9", 128, 9),
    VEC("xmm10", 128, 10),
    VEC("xmm11", 128, 11),
    VEC("xmm12", 128, 12),
    VEC("xmm13", 128, 13),
    VEC("xmm14", 128, 14),
    VEC("xmm15", 128, 15),
    VEC("ymm0", 256, 0),
    VEC("ymm1", 256, 1),
    VEC("ymm2", 256, 2),
    VEC("ymm3", 256, 3),
    VEC("ymm4", 256, 4),
    VEC("ymm5", 256, 5),
    VEC("ymm6", 256, 6),
    VEC("ymm7", 256, 7),
    VEC("ymm8", 256, 8),
    VEC("ymm9", 256, 9),
    VEC("ymm10", 256, 10),
    VEC("ymm11", 256, 11),
    VEC("ymm12", 256, 12),
    VEC("ymm13", 256, 13),
    VEC("ymm14", 256, 14),
    VEC("ymm15", 256, 15),
};

/*
 * WinDbg's x64 `r` block:
 *   rax=0000000000000000 rbx=0000000000000000 rcx=00007ff7a1312e00
 *   rdx=0000000000000000 rsi=0000000000000000 rdi=0000000000000000
 *   rip=00007ff7a13110d9 rsp=000000a2b54ff7f0 rbp=0000000000000000
 *    r8=0000000000000000  r9=0000000000000000 r10=0000000000000000
 *   r11=0000000000000246 r12=0000000000000000 r13=0000000000000000
 *   r14=0000000000000000 r15=0000000000000000
 *   iopl=0         nv up ei pl zr na po nc
 *   cs=0033  ss=002b  ds=002b  es=002b  fs=0053  gs=002b             efl=00010246
 */
static void x64_print_regs(struct dd_writer *w, const struct regset *rs)
{
    static const struct {
        const char *name;
        uint16_t slot;
    } gprs[] = {{"rax", X64_RAX}, {"rbx", X64_RBX}, {"rcx", X64_RCX}, {"rdx", X64_RDX},
                {"rsi", X64_RSI}, {"rdi", X64_RDI}, {"rip", X64_RIP}, {"rsp", X64_RSP},
                {"rbp", X64_RBP}, {"r8", X64_R8},   {"r9", X64_R9},   {"r10", X64_R10},
                {"r11", X64_R11}, {"r12", X64_R12}, {"r13", X64_R13}, {"r14", X64_R14},
                {"r15", X64_R15}};
    size_t n = sizeof(gprs) / sizeof(gprs[0]);
    char v[17];
    for (size_t i = 0; i < n; i++) {
        dd_printf(w, "%s%3s=%s", i % 3 ? " " : "", gprs[i].name,
                  arch_fmt_slot(v, rs, gprs[i].slot, 16));
        if (i % 3 == 2 || i == n - 1)
            dd_puts(w, "\n");
    }
    /*
     * WinDbg's x64 display prints "po" when PF is set and "pe" when it is clear, the
     * reverse of its x86 display (efl=00000246 shows "zr na po nc" in x64 transcripts,
     * "zr na pe nc" in x86 ones); reproduce it.
     */
    x86_print_iopl_flags(w, rs, X64_EFL, true);
    static const uint16_t segs[6] = {X64_CS, X64_SS, X64_DS, X64_ES, X64_FS, X64_GS};
    x86_print_segments(w, rs, segs, X64_EFL);
}

const struct arch_ops arch_x64 = {
    .name = "x64",
    .cpu = DD_CPU_X64,
    .ptr_size = 8,
    .context_size = X64_CONTEXT_SIZE,
    .regs = x64_regs,
    .nregs = sizeof(x64_regs) / sizeof(x64_regs[0]),
    .pc_slot = X64_RIP,
    .sp_slot = X64_RSP,
    .fp_slot = X64_RBP,
    .flags_slot = X64_EFL,
    .context_decode = x64_context_decode,
    .print_regs = x64_print_regs,
};
