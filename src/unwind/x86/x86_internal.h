/* Shared by the x86 unwinder's files; not part of the public API. */
#ifndef DD_UNWIND_X86_X86_INTERNAL_H
#define DD_UNWIND_X86_X86_INTERNAL_H

#include "arch/x86/x86_regs.h"
#include "unwind/x86/x86_unwind.h"

/*
 * Breakpad's limit on the distance between a frame and the saved EBP found after a scan
 * (stackwalker_x86.cc kMaxReasonableGapBetweenFrames: 99.5% of frames are smaller).
 */
#define X86_MAX_FRAME_GAP (128u * 1024u)

enum x86_status {
    X86_OK,   /* done: the caller frame is filled */
    X86_FAIL, /* this method does not apply or found nothing */
    X86_FAULT, /* needed stack memory is missing (the fault address is set) */
    /* the method's data is past one of its limits (a postfix program's POSTFIX_MAX_*, CFI rows
     * or rules): unusable, the frame is flagged UNWIND_FRAME_BAD_UNWIND (docs/limits.md) */
    X86_REFUSED
};

/* Reads the 32-bit little-endian value at ADDR of target memory; false when not all there. */
bool x86_read_u32(const struct unwind_env *env, uint32_t addr, uint32_t *ret);
/* Reads code bytes at ADDR: the module's image first, else target memory; returns the count. */
size_t x86_read_code(const struct unwind_env *env, uint32_t addr, void *buf, size_t len);
/* True when ADDR lies in a known module (false without a find_module callback). */
bool x86_in_module(const struct unwind_env *env, uint64_t addr);

/*
 * True when VALUE looks like a return address: in a module, past its first page, right after a
 * call instruction. Sets *ret_unverified (and returns false) when the code bytes before VALUE
 * cannot be read.
 */
bool x86_is_return_address(const struct unwind_env *env, uint32_t value, bool *ret_unverified);

/*
 * Looks at NWORDS stack words from START up for a return address (x86_is_return_address, or an
 * unverified one when OPTS allows). X86_OK sets *ret_loc, *ret_value and *ret_unverified;
 * X86_FAULT (with *ret_fault) when the word at START cannot be read; else X86_FAIL.
 */
enum x86_status x86_scan_words(const struct unwind_env *env, const struct unwind_options *opts,
                               uint32_t start, uint32_t nwords, uint32_t *ret_loc,
                               uint32_t *ret_value, bool *ret_unverified, uint64_t *ret_fault);

/* Starts a caller frame from CALLEE's registers with the volatile ones (eax ecx edx, flags,
 * debug and FP status registers, vectors) forgotten. */
void x86_caller_init(const struct unwind_frame *callee, struct unwind_frame *ret);
/* Sets the caller's eip (read from memory at RA_ADDR when FROM_MEMORY), esp, ip and sp. */
void x86_caller_set_ra(struct unwind_frame *f, uint32_t eip, bool from_memory, uint32_t ra_addr,
                       uint32_t esp);

/*
 * The last resort: scans from CALLEE's esp for a return address; the caller's ebp comes from the
 * word below the return address when it looks like a saved frame pointer, else stays. Fills
 * ret_caller (found by scan) or says why not.
 */
enum unwind_stop x86_scan(const struct unwind_env *env, const struct unwind_options *opts,
                          const struct unwind_frame *callee, struct unwind_frame *ret_caller,
                          uint64_t *ret_fault);

/*
 * Unwinds CALLEE by its frame data INFO (has_frame, type FPO or FRAME_DATA) as Breakpad's x86
 * walker does: runs the program (or the fixed FPO program) with .raSearch set, then rescans
 * when the return address is outside every module and recovers EBP. CALLEE_PARAMS is the size
 * of the arguments CALLEE's own callee took. X86_FAIL when the program fails (ret_fault and
 * *ret_faulted say whether a read failed); X86_REFUSED when it is past a postfix limit.
 */
enum x86_status x86_unwind_frame_data(const struct unwind_env *env,
                                      const struct unwind_options *opts,
                                      const struct unwind_frame *callee,
                                      const struct unwind_x86_frame_info *info,
                                      uint32_t callee_params, struct unwind_frame *ret_caller,
                                      uint64_t *ret_fault, bool *ret_faulted);

/* Unwinds CALLEE by the STACK CFI rows of INFO: .cfa, .ra and register rules (Breakpad);
 * X86_REFUSED when the rows, rules or an expression are past a limit. */
enum x86_status x86_unwind_cfi(const struct unwind_env *env, const struct unwind_frame *callee,
                               const struct unwind_x86_frame_info *info,
                               struct unwind_frame *ret_caller, uint64_t *ret_fault);

/* Defines the postfix names $eax..$edi, $esp, $eip for every known register of REGS. */
struct postfix_machine;
struct dd_error *x86_postfix_define_regs(struct postfix_machine *m, const struct unwind_regs *regs,
                                         bool with_eip);

#endif
