/*
 * The x86 (32-bit) unwind cascade, per frame: frame data (PDB FrameData programs and FPO
 * records, or Breakpad STACK WIN records), then Breakpad STACK CFI, then the EBP chain, then a
 * stack scan that accepts only return addresses that follow a call instruction in a known
 * module. Register slots follow enum x86_slot (arch/x86/x86_regs.h).
 *
 * Frame data reaches the unwinder through an optional source the caller puts in
 * unwind_env.arch_data; without it the cascade is the EBP chain and the scan. Frame stack
 * pointers follow Breakpad and the Windows debuggers: a caller frame's esp is the address just
 * above the return address, i.e. still below the arguments its callee was given.
 */
#ifndef DD_UNWIND_X86_X86_UNWIND_H
#define DD_UNWIND_X86_X86_UNWIND_H

#include "arch/x86/x86_regs.h"
#include "unwind/unwind.h"

/* unwind_x86_frame_info.type: DIA StackFrameTypeEnum (cvconst.h), as in STACK WIN records. */
#define UNWIND_X86_FRAME_FPO 0        /* FPO_DATA / STACK WIN 0: sizes, no program */
#define UNWIND_X86_FRAME_TRAP 1       /* kernel trap frame (not unwound by frame data) */
#define UNWIND_X86_FRAME_TSS 2        /* task-state segment (not unwound by frame data) */
#define UNWIND_X86_FRAME_STANDARD 3   /* EBP frame (FPO_DATA "non-FPO"): the EBP chain */
#define UNWIND_X86_FRAME_FRAME_DATA 4 /* FrameData / STACK WIN 4: usually a program */

/* unwind_frame.flags bit (beside the UNWIND_FRAME_* bits): frame data gave a return address
 * outside every module, and a scan above .raSearch found this one (Breakpad "call frame info
 * with scanning"). */
#define UNWIND_X86_FRAME_RA_SCANNED 0x100u

/* Most STACK CFI rows (the INIT row plus deltas) one lookup may give. */
#define UNWIND_X86_MAX_CFI_ROWS 64

/* A string that is not NUL-terminated. */
struct unwind_x86_text {
    const char *text;
    size_t len;
};

/*
 * What the symbol files know about the function at an address: the union of a PDB FrameData
 * record (struct pdb_framedata), a PDB FPO record (struct pdb_fpo: convert its dword counts to
 * bytes), a Breakpad STACK WIN record, the parameter size of a Breakpad FUNC/PUBLIC, and the
 * Breakpad STACK CFI rows covering the address. All sizes are in bytes.
 */
struct unwind_x86_frame_info {
    bool has_frame; /* the frame-data fields below (type .. allocates_base_pointer) are set */
    uint32_t type;  /* UNWIND_X86_FRAME_*; FPO and FRAME_DATA are unwound by frame data */
    uint32_t rva;   /* the record's start RVA; code_size bytes long */
    uint32_t code_size, prolog_size;
    uint32_t params_size;     /* the function's stack arguments (Breakpad .cbParams) */
    uint32_t saved_regs_size; /* registers pushed by the prolog (.cbSavedRegs) */
    uint32_t locals_size;     /* (.cbLocals) */
    uint32_t max_stack_size;
    const char *program; /* FrameData / STACK WIN 4 program; NULL (or length 0) when none */
    size_t program_len;
    bool allocates_base_pointer; /* without a program: EBP is saved and used (FPO fUseBP) */
    /* params_size is known even when has_frame is false (a FUNC or PUBLIC parameter size). */
    bool has_params;
    /* STACK CFI: the INIT row's rules, then each delta row's with address <= the lookup address,
     * in address order ("$esp: .cfa ..." text as in the file). 0 rows: no CFI. More than
     * UNWIND_X86_MAX_CFI_ROWS: the function has more rows than fit (none need be filled); its
     * CFI is refused and the frame flagged UNWIND_FRAME_BAD_UNWIND. */
    size_t cfi_nrows;
    struct unwind_x86_text cfi_rows[UNWIND_X86_MAX_CFI_ROWS];
};

/*
 * The frame-data source in unwind_env.arch_data. find looks up the code address ADDR (the
 * context frame's eip, else the return address minus 1, so it lies in the call instruction) and
 * fills ret (zeroed by the caller) with whatever is known, returning false when nothing is.
 * Strings it gives must stay valid until the walk ends.
 */
struct unwind_x86_frame_info_source {
    bool (*find)(void *ctx, uint64_t addr, struct unwind_x86_frame_info *ret);
    void *ctx;
};

/*
 * The frame pointer WinDbg shows as frame F's "ChildEBP": the slot its return address
 * was read from - 4 (an EBP frame's EBP; an FPO frame's virtual frame pointer), so that kb's
 * "Args to Child" at +8 are the words above the return address; else EBP, else the stack pointer.
 */
static inline uint64_t unwind_x86_child_ebp(const struct unwind_frame *f)
{
    if (f->return_address_at >= 4)
        return f->return_address_at - 4;
    return unwind_regs_has(&f->regs, X86_EBP) ? f->regs.r[X86_EBP] : f->sp;
}

/* The x86 cascade for unwind_walk_run. */
extern const struct unwind_arch unwind_arch_x86;

/* Walks an x86 stack from START (see unwind_walk_run); OPTS may be NULL. */
struct dd_error *unwind_x86_walk(const struct unwind_env *env, const struct unwind_regs *start,
                                 const struct unwind_options *opts, struct unwind_walk *ret);

/*
 * True when the LEN bytes at BYTES, which end exactly at the return address RA, end with a
 * 32-bit call instruction: E8 rel32, or FF /2 in any ModRM/SIB/displacement form with at most
 * one segment-override or notrack prefix. ENV (may be NULL) checks that a direct call's target
 * and a `call [disp32]` pointer lie in a known module.
 */
bool unwind_x86_call_precedes(const struct unwind_env *env, uint32_t ra, const uint8_t *bytes,
                              size_t len);

/*
 * Reads the x86 KTRAP_FRAME at ADDR into ret_caller: the interrupted eip, esp (HardwareEsp for a
 * trap from user or V86 mode, else the address past EFlags), ebp, ebx, esi, edi and flags,
 * flagged UNWIND_FRAME_TRAP (unwind_arch.from_trap_frame). FAULT (ret_fault) when not in memory.
 */
enum unwind_stop unwind_x86_from_trap_frame(const struct unwind_env *env, uint64_t addr,
                                            struct unwind_frame *ret_caller, uint64_t *ret_fault);
/*
 * Unwinds CALLEE, a function whose frame data says FRAME_TRAP (KiTrap0E, KiSystemService ...),
 * from the KTRAP_FRAME at its ebp; NO_CALLER when ebp is unknown.
 */
enum unwind_stop unwind_x86_trap_step(const struct unwind_env *env,
                                      const struct unwind_frame *callee,
                                      struct unwind_frame *ret_caller, uint64_t *ret_fault);

#endif
