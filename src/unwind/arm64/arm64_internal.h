/* Shared by the ARM64 unwinder's files; not part of the public API. */
#ifndef DD_UNWIND_ARM64_ARM64_INTERNAL_H
#define DD_UNWIND_ARM64_ARM64_INTERNAL_H

#include "arch/arm64/arm64_regs.h"
#include "unwind/arm64/arm64_unwind.h"

/*
 * unwind_frame.flags bit private to this cascade: the frame's sp is only a lower bound (the frame
 * was found through a frame record or a scan, which do not tell how much the caller had
 * allocated), so its unwind codes cannot be applied; the walk stays on the frame chain.
 */
#define ARM64_FRAME_SP_INEXACT 0x80000000u
/*
 * Private too: r[ARM64_FP] holds a frame-pointer candidate (the word below a return address a
 * scan found, which looks like a saved x29) although the fp slot is not valid. Only the frame
 * chain step reads it; it is never shown as a register value.
 */
#define ARM64_FRAME_FP_HINT 0x40000000u

/* .pdata Flag values (second word, bits 0-1). */
#define ARM64_PDATA_XDATA 0u
#define ARM64_PDATA_PACKED 1u
#define ARM64_PDATA_FRAGMENT 2u

/* CONTEXT_UNWOUND_TO_CALL (winnt.h): the context's pc is a return address. */
#define ARM64_CONTEXT_UNWOUND_TO_CALL 0x20000000u

enum arm64_status {
    ARM64_OK,       /* done; the registers were updated */
    ARM64_FAULT,    /* stack memory could not be read (cpu.fault says where) */
    ARM64_BAD_INFO, /* unwind data malformed or unreadable, or a needed register unknown */
};

/* The registers being unwound and where a read failed. */
struct arm64_cpu {
    const struct unwind_env *env;
    struct unwind_regs regs;
    uint64_t fault;
};

/* Reads image bytes at BASE+RVA (read_image, else target memory); returns bytes read. */
size_t arm64_read_image(const struct unwind_env *env, uint64_t base, uint32_t rva, void *buf,
                        size_t len);
/* Reads the 4-byte instruction at ADDR (from the module's image first, else memory). */
bool arm64_read_insn(const struct unwind_env *env, uint64_t addr, uint32_t *ret);
/* Reads 8 stack bytes at ADDR; on failure sets cpu->fault and returns ARM64_FAULT. */
enum arm64_status arm64_read_u64(struct arm64_cpu *cpu, uint64_t addr, uint64_t *ret);

/*
 * Unwinds one frame of the function whose .pdata entry is (BEGIN, WORD) in the module at BASE,
 * the pc being PC (EXACT: not a return address, so partly run prologs and epilogs are possible).
 * Updates cpu->regs to the caller's pc, sp and non-volatile registers and sets ret_flags
 * (UNWIND_FRAME_EPILOG / _PROLOG / _TRAP) and ret_length (the function's length in bytes).
 */
enum arm64_status arm64_unwind_by_info(struct arm64_cpu *cpu, uint64_t base, uint32_t begin,
                                       uint32_t word, uint64_t pc, bool exact, uint32_t *ret_flags,
                                       uint32_t *ret_length);

/*
 * Runs the unwind codes of INFO from byte index START, skipping the first SKIP instructions'
 * codes, until `end`: the registers in CPU become the caller's. Sets *ret_special when a trap
 * frame, machine frame or context set pc itself, and *ret_exact when that pc is exact.
 */
enum arm64_status arm64_codes_run(struct arm64_cpu *cpu, const struct unwind_arm64_info *info,
                                  uint32_t start, uint32_t skip, bool *ret_special,
                                  bool *ret_exact);

/*
 * Instructions described by the codes of INFO from byte START up to `end` or `end_c` (plus one
 * for an epilog's final ret or branch).
 */
uint32_t arm64_scope_size(const struct unwind_arm64_info *info, uint32_t start, bool epilog);

/*
 * True when VALUE is a return address: in a known module and after a call instruction, or (with
 * *ret_unverified set) in a module whose code bytes cannot be read.
 */
bool arm64_is_return_address(const struct unwind_env *env, uint64_t value, bool *ret_unverified);

/*
 * Scans the stack from CALLEE's sp for a return address; fills ret_caller (found by scan).
 */
enum unwind_stop arm64_scan(const struct unwind_env *env, const struct unwind_options *opts,
                            const struct unwind_frame *callee, struct unwind_frame *ret_caller,
                            uint64_t *ret_fault);

#endif
