/* Shared by the ARM (Thumb-2) unwinder's files; not part of the public API. */
#ifndef DD_UNWIND_ARM_ARM_INTERNAL_H
#define DD_UNWIND_ARM_ARM_INTERNAL_H

#include "arch/arm/arm_regs.h"
#include "unwind/arm/arm_unwind.h"

/*
 * unwind_frame.flags bit private to this cascade: the frame's sp is only a lower bound (found
 * through the r11 chain or a scan), so its unwind codes cannot be applied.
 */
#define ARM_FRAME_SP_INEXACT 0x80000000u
/* Private too: r[ARM_R11] holds a frame-pointer candidate from a scan (the slot is not valid). */
#define ARM_FRAME_FP_HINT 0x40000000u

/* .pdata Flag values (second word, bits 0-1). */
#define ARM_PDATA_XDATA 0u
#define ARM_PDATA_PACKED 1u
#define ARM_PDATA_FRAGMENT 2u

/* ARM condition code "always" (epilog scope Condition field). */
#define ARM_COND_ALWAYS 0xeu

enum arm_status {
    ARM_OK,       /* done; the registers were updated */
    ARM_FAULT,    /* stack memory could not be read (cpu.fault says where) */
    ARM_BAD_INFO, /* unwind data malformed or unreadable, or a needed register unknown */
};

/* The registers being unwound and where a read failed. */
struct arm_cpu {
    const struct unwind_env *env;
    struct unwind_regs regs;
    uint64_t fault;
    bool has_flags; /* the callee's own cpsr is known (for conditional epilogs) */
    uint32_t flags_cpsr;
};

/* Reads image bytes at BASE+RVA (read_image, else target memory); returns bytes read. */
size_t arm_read_image(const struct unwind_env *env, uint64_t base, uint32_t rva, void *buf,
                      size_t len);
/* Reads 4 stack bytes at ADDR; on failure sets cpu->fault and returns ARM_FAULT. */
enum arm_status arm_read_u32(struct arm_cpu *cpu, uint32_t addr, uint32_t *ret);

/*
 * Unwinds one frame of the function whose .pdata entry is (BEGIN, WORD) in the module at BASE,
 * the pc being PC (EXACT: not a return address, so partly run prologs and epilogs are possible).
 * Updates cpu->regs to the caller's pc, sp and non-volatile registers and sets ret_flags
 * (UNWIND_FRAME_EPILOG / _PROLOG / _TRAP) and ret_length (the function's length in bytes).
 */
enum arm_status arm_unwind_by_info(struct arm_cpu *cpu, uint64_t base, uint32_t begin,
                                   uint32_t word, uint32_t pc, bool exact, uint32_t *ret_flags,
                                   uint32_t *ret_length);

/*
 * Runs the unwind codes of INFO from byte START, skipping codes worth SKIP bytes of instructions,
 * until an end code. Sets *ret_special when a machine frame or context set pc itself.
 */
enum arm_status arm_codes_run(struct arm_cpu *cpu, const struct unwind_arm_info *info,
                              uint32_t start, uint32_t skip, bool *ret_special);

/*
 * True when VALUE (Thumb bit set) is a return address: in a known module and after a call, or
 * (with *ret_unverified set) in a module whose code bytes cannot be read.
 */
bool arm_is_return_address(const struct unwind_env *env, uint32_t value, bool *ret_unverified);

/* Scans the stack from CALLEE's sp for a return address; fills ret_caller (found by scan). */
enum unwind_stop arm_scan(const struct unwind_env *env, const struct unwind_options *opts,
                          const struct unwind_frame *callee, struct unwind_frame *ret_caller,
                          uint64_t *ret_fault);

#endif
