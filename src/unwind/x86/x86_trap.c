/*
 * x86 (32-bit) kernel trap frames: the registers of the code a trap, interrupt or system call
 * interrupted, read from its KTRAP_FRAME. Layout of the x86 _KTRAP_FRAME (ntoskrnl PDB types,
 * Windows XP through 10; the fields from Edi on have not moved): Edi 0x54, Esi 0x58, Ebx 0x5c,
 * Ebp 0x60, ErrCode 0x64, Eip 0x68, SegCs 0x6c, EFlags 0x70, HardwareEsp 0x74, HardwareSegSs
 * 0x78; sizeof 0x8c. Eax/Ecx/Edx moved between versions (0x44/0x40/0x3c on XP, 0x40/0x3c/0x38
 * on Windows 10), so they stay unknown. HardwareEsp and HardwareSegSs were pushed by the CPU only
 * for a trap from user mode (SegCs bit 0, CPL 3) or virtual-8086 mode (EFlags.VM, bit 17); a
 * trap from kernel mode left the interrupted esp just above EFlags, at the HardwareEsp slot
 * (Intel SDM Vol. 3, "Exception and Interrupt Handling": stack usage without privilege change).
 */
#include "base/cursor.h"
#include "unwind/x86/x86_internal.h"

#define KTRAP32_EDI 0x54
#define KTRAP32_ESI 0x58
#define KTRAP32_EBX 0x5c
#define KTRAP32_EBP 0x60
#define KTRAP32_EIP 0x68
#define KTRAP32_SEGCS 0x6c
#define KTRAP32_EFLAGS 0x70
#define KTRAP32_HARDWARE_ESP 0x74
#define KTRAP32_HARDWARE_SS 0x78
#define KTRAP32_READ 0x7c /* through HardwareSegSs */
#define X86_EFLAGS_VM 0x20000u

enum unwind_stop unwind_x86_from_trap_frame(const struct unwind_env *env, uint64_t addr,
                                            struct unwind_frame *ret_caller, uint64_t *ret_fault)
{
    uint8_t b[KTRAP32_READ];
    if (addr > UINT32_MAX - KTRAP32_READ)
        return UNWIND_STOP_NO_CALLER;
    uint32_t at = (uint32_t)addr;
    size_t need = KTRAP32_HARDWARE_ESP; /* a kernel-mode trap pushed nothing past EFlags */
    size_t got = env->read_memory(env->ctx, at, b, sizeof(b));
    if (got < need) {
        *ret_fault = at + got;
        return UNWIND_STOP_FAULT;
    }
    uint32_t eip = dd_le32(b + KTRAP32_EIP), cs = dd_le32(b + KTRAP32_SEGCS) & 0xffff;
    uint32_t efl = dd_le32(b + KTRAP32_EFLAGS);
    bool outer = (cs & 1) || (efl & X86_EFLAGS_VM);
    if (outer && got < sizeof(b)) {
        *ret_fault = at + got;
        return UNWIND_STOP_FAULT;
    }
    uint32_t esp = outer ? dd_le32(b + KTRAP32_HARDWARE_ESP) : at + KTRAP32_HARDWARE_ESP;
    if (eip == 0 || esp == 0)
        return UNWIND_STOP_NO_CALLER;

    struct unwind_frame f = {0};
    unwind_regs_set_saved(&f.regs, X86_EDI, dd_le32(b + KTRAP32_EDI), at + KTRAP32_EDI);
    unwind_regs_set_saved(&f.regs, X86_ESI, dd_le32(b + KTRAP32_ESI), at + KTRAP32_ESI);
    unwind_regs_set_saved(&f.regs, X86_EBX, dd_le32(b + KTRAP32_EBX), at + KTRAP32_EBX);
    unwind_regs_set_saved(&f.regs, X86_EBP, dd_le32(b + KTRAP32_EBP), at + KTRAP32_EBP);
    unwind_regs_set_saved(&f.regs, X86_EIP, eip, at + KTRAP32_EIP);
    unwind_regs_set_saved(&f.regs, X86_CS, cs, at + KTRAP32_SEGCS);
    unwind_regs_set_saved(&f.regs, X86_EFL, efl, at + KTRAP32_EFLAGS);
    if (outer) {
        unwind_regs_set_saved(&f.regs, X86_ESP, esp, at + KTRAP32_HARDWARE_ESP);
        unwind_regs_set_saved(&f.regs, X86_SS, dd_le32(b + KTRAP32_HARDWARE_SS) & 0xffff,
                              at + KTRAP32_HARDWARE_SS);
    } else {
        unwind_regs_set(&f.regs, X86_ESP, esp);
    }
    f.ip = eip;
    f.sp = esp;
    f.found_by = UNWIND_FOUND_CONTEXT; /* a saved register context, as .trap shows it */
    f.flags = UNWIND_FRAME_TRAP;
    f.trap_frame = at;
    *ret_caller = f;
    return UNWIND_STOP_NONE;
}

enum unwind_stop unwind_x86_trap_step(const struct unwind_env *env,
                                      const struct unwind_frame *callee,
                                      struct unwind_frame *ret_caller, uint64_t *ret_fault)
{
    /* A trap handler (KiTrap0E, KiSystemService ...) keeps its KTRAP_FRAME at its ebp. */
    if (!unwind_regs_has(&callee->regs, X86_EBP))
        return UNWIND_STOP_NO_CALLER;
    return unwind_x86_from_trap_frame(env, callee->regs.r[X86_EBP] & 0xffffffffu, ret_caller,
                                      ret_fault);
}
