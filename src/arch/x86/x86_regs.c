/* x86 register names, the `r` register block, and the arch_x86 ops table. */
#include <stdio.h>

#include "arch/x86/x86_family.h"
#include "arch/x86/x86_regs.h"

/* clang-format off */
#define GPR(n, b, s, sh) {n, b, ARCH_REG_GPR, s, sh}
#define FLAG(n, b, sh) {n, b, ARCH_REG_FLAGS, X86_EFL, sh}
#define SEG(n, s) {n, 16, ARCH_REG_SEG, s, 0}
#define DBG(n, s) {n, 32, ARCH_REG_DEBUG, s, 0}
#define CTRL(n, b, s) {n, b, ARCH_REG_CTRL, s, 0}
#define VEC(n, b, i) {n, b, ARCH_REG_VEC, i, 0}
/* clang-format on */

/* The names WinDbg accepts in `r NAME` and expressions (@eax) for an x86 target. */
static const struct arch_reg x86_regs[] = {
    GPR("eax", 32, X86_EAX, 0),
    GPR("ebx", 32, X86_EBX, 0),
    GPR("ecx", 32, X86_ECX, 0),
    GPR("edx", 32, X86_EDX, 0),
    GPR("esi", 32, X86_ESI, 0),
    GPR("edi", 32, X86_EDI, 0),
    GPR("eip", 32, X86_EIP, 0),
    GPR("esp", 32, X86_ESP, 0),
    GPR("ebp", 32, X86_EBP, 0),
    {"efl", 32, ARCH_REG_FLAGS, X86_EFL, 0},
    SEG("cs", X86_CS),
    SEG("ds", X86_DS),
    SEG("es", X86_ES),
    SEG("fs", X86_FS),
    SEG("gs", X86_GS),
    SEG("ss", X86_SS),
    DBG("dr0", X86_DR0),
    DBG("dr1", X86_DR1),
    DBG("dr2", X86_DR2),
    DBG("dr3", X86_DR3),
    DBG("dr6", X86_DR6),
    DBG("dr7", X86_DR7),
    CTRL("fpcw", 16, X86_FPCW),
    CTRL("fpsw", 16, X86_FPSW),
    CTRL("fptw", 16, X86_FPTW),
    CTRL("mxcsr", 32, X86_MXCSR),
    /* 16- and 8-bit parts. */
    GPR("ax", 16, X86_EAX, 0),
    GPR("bx", 16, X86_EBX, 0),
    GPR("cx", 16, X86_ECX, 0),
    GPR("dx", 16, X86_EDX, 0),
    GPR("si", 16, X86_ESI, 0),
    GPR("di", 16, X86_EDI, 0),
    GPR("bp", 16, X86_EBP, 0),
    GPR("sp", 16, X86_ESP, 0),
    GPR("ip", 16, X86_EIP, 0),
    {"fl", 16, ARCH_REG_FLAGS, X86_EFL, 0},
    GPR("al", 8, X86_EAX, 0),
    GPR("bl", 8, X86_EBX, 0),
    GPR("cl", 8, X86_ECX, 0),
    GPR("dl", 8, X86_EDX, 0),
    GPR("ah", 8, X86_EAX, 8),
    GPR("bh", 8, X86_EBX, 8),
    GPR("ch", 8, X86_ECX, 8),
    GPR("dh", 8, X86_EDX, 8),
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
    /* SSE registers (ExtendedRegisters) and their AVX extension (XSTATE). */
    VEC("xmm0", 128, 0),
    VEC("xmm1", 128, 1),
    VEC("xmm2", 128, 2),
    VEC("xmm3", 128, 3),
    VEC("xmm4", 128, 4),
    VEC("xmm5", 128, 5),
    VEC("xmm6", 128, 6),
    VEC("xmm7", 128, 7),
    VEC("ymm0", 256, 0),
    VEC("ymm1", 256, 1),
    VEC("ymm2", 256, 2),
    VEC("ymm3", 256, 3),
    VEC("ymm4", 256, 4),
    VEC("ymm5", 256, 5),
    VEC("ymm6", 256, 6),
    VEC("ymm7", 256, 7),
};

/*
 * WinDbg's x86 `r` block:
 *   eax=00000045 ebx=7c80abc1 ecx=0012fe94 edx=0042bc58 esi=00000002 edi=00000a28
 *   eip=0040429e esp=0012fe84 ebp=0012fe88 iopl=0         nv up ei pl zr na pe nc
 *   cs=001b  ss=0023  ds=0023  es=0023  fs=003b  gs=0000             efl=00010246
 */
static void x86_print_regs(struct dd_writer *w, const struct regset *rs)
{
    static const struct {
        const char *name;
        uint16_t slot;
    } gprs[] = {{"eax", X86_EAX}, {"ebx", X86_EBX}, {"ecx", X86_ECX},
                {"edx", X86_EDX}, {"esi", X86_ESI}, {"edi", X86_EDI},
                {"eip", X86_EIP}, {"esp", X86_ESP}, {"ebp", X86_EBP}};
    char v[17];
    for (size_t i = 0; i < 9; i++) {
        dd_printf(w, "%s%s=%s", i % 6 ? " " : "", gprs[i].name,
                  arch_fmt_slot(v, rs, gprs[i].slot, 8));
        if (i == 5)
            dd_puts(w, "\n");
    }
    dd_puts(w, " ");
    x86_print_iopl_flags(w, rs, X86_EFL, false);
    static const uint16_t segs[6] = {X86_CS, X86_SS, X86_DS, X86_ES, X86_FS, X86_GS};
    x86_print_segments(w, rs, segs, X86_EFL);
}

const struct arch_ops arch_x86 = {
    .name = "x86",
    .cpu = DD_CPU_X86,
    .ptr_size = 4,
    .context_size = X86_CONTEXT_SIZE,
    .regs = x86_regs,
    .nregs = sizeof(x86_regs) / sizeof(x86_regs[0]),
    .pc_slot = X86_EIP,
    .sp_slot = X86_ESP,
    .fp_slot = X86_EBP,
    .flags_slot = X86_EFL,
    .context_decode = x86_context_decode,
    .print_regs = x86_print_regs,
};
