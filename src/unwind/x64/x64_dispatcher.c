/*
 * Unwinding through KiUserExceptionDispatcher. Windows x64 enters the user-mode exception
 * dispatcher with rsp pointing at the CONTEXT of the interrupted code (0x4d0 bytes), a
 * CONTEXT_EX after it and the EXCEPTION_RECORD at rsp+0x4f0 (the dispatcher passes
 * rsp+0x4f0 and rsp to RtlDispatchException). Wine 8's ntdll does the same (its
 * KiUserExceptionDispatcher: `mov rdx,rsp; lea rcx,[rsp+0x4f0]; call dispatch_exception`),
 * and its unwind data only restores rip, rsp, rbp, rsi and rdi from a frame it builds at
 * the interrupted rsp. The dispatcher's frame has the CONTEXT at its stack pointer, so its
 * caller - the code that faulted - gets every register of that CONTEXT, volatile ones
 * included, with an exact instruction pointer (no return address: a fault, not a call).
 *
 * When the frames between a thread's current position and the dispatcher have no unwind
 * data (a minidump without the system DLLs' images), the stack scan that replaces their
 * unwinding also looks for the dispatcher's CONTEXT below its first return-address hit and
 * prefers it: the walk then goes on from the faulting code instead of stale return
 * addresses. The dispatcher is recognised by what its stack holds, not by its name (symbols
 * may be missing): a CONTEXT with CONTEXT_AMD64|CONTROL|INTEGER, user-mode cs/ss selectors and a
 * stack pointer above itself, followed by an EXCEPTION_RECORD whose ExceptionAddress is the
 * CONTEXT's rip (both Windows and Wine set the two alike, a breakpoint's rip included).
 */
#include <string.h>

#include "arch/arch.h"
#include "base/cursor.h"
#include "base/error.h"
#include "unwind/x64/x64_internal.h"

/* winnt.h: ContextFlags bits, and CONTEXT offsets (see arch/x64/x64_context.c). */
#define CTX_AMD64_CONTROL_INTEGER 0x00100003u
#define CTX_OFF_FLAGS 0x30
#define CTX_OFF_SEG_CS 0x38
#define CTX_OFF_SEG_SS 0x42
#define CTX_OFF_RAX 0x78 /* Rax..R15 in x64_slot order, then Rip */
#define CTX_OFF_RIP 0xf8
/* Flat user-mode selectors of 64-bit code (KGDT64_R3_CODE | 3, KGDT64_R3_DATA | 3). */
#define USER_CS64 0x33
#define USER_SS 0x2b
/* The EXCEPTION_RECORD's place: sizeof(CONTEXT) 0x4d0 + sizeof(CONTEXT_EX) rounded to 16. */
#define DISPATCH_RECORD_OFFSET 0x4f0
/* EXCEPTION_RECORD64 (winnt.h): ExceptionAddress at 0x10, NumberParameters at 0x18. */
#define REC_OFF_ADDRESS 0x10
#define REC_OFF_NPARAMS 0x18
#define REC_MAX_PARAMS 15 /* EXCEPTION_MAXIMUM_PARAMETERS */

/* True when the bytes at SP look like the dispatcher's CONTEXT + EXCEPTION_RECORD. */
static bool dispatcher_frame_at(const struct unwind_env *env, uint64_t sp, uint8_t ctx[X64_CONTEXT_SIZE])
{
    if (sp > UINT64_MAX - DISPATCH_RECORD_OFFSET - 0x20)
        return false;
    /* The cheap checks first: most frames fail on the flags or selectors. */
    uint8_t head[0x48];
    if (env->read_memory(env->ctx, sp, head, sizeof(head)) != sizeof(head))
        return false;
    if ((dd_le32(head + CTX_OFF_FLAGS) & CTX_AMD64_CONTROL_INTEGER) != CTX_AMD64_CONTROL_INTEGER ||
        dd_le16(head + CTX_OFF_SEG_CS) != USER_CS64 || dd_le16(head + CTX_OFF_SEG_SS) != USER_SS)
        return false;
    if (env->read_memory(env->ctx, sp, ctx, X64_CONTEXT_SIZE) != X64_CONTEXT_SIZE)
        return false;
    uint64_t rip = dd_le64(ctx + CTX_OFF_RIP);
    uint64_t rsp = dd_le64(ctx + CTX_OFF_RAX + 8 * X64_RSP);
    if (rip == 0 || rsp < sp + X64_CONTEXT_SIZE)
        return false;
    uint8_t rec[0x20];
    if (env->read_memory(env->ctx, sp + DISPATCH_RECORD_OFFSET, rec, sizeof(rec)) != sizeof(rec))
        return false;
    return dd_le64(rec + REC_OFF_ADDRESS) == rip && dd_le32(rec + REC_OFF_NPARAMS) <= REC_MAX_PARAMS;
}

/* Fills ret with the registers of the dispatcher CONTEXT CTX found at CTX_ADDR. */
static bool caller_from_context(const uint8_t ctx[X64_CONTEXT_SIZE], uint64_t ctx_addr,
                                enum unwind_found_by by, struct unwind_frame *ret)
{
    struct regset rs;
    struct dd_error *err = arch_x64.context_decode(ctx, X64_CONTEXT_SIZE, &rs);
    if (err) {
        dd_error_destroy(err);
        return false;
    }
    struct unwind_frame f;
    memset(&f, 0, sizeof(f));
    unwind_regs_from_regset(&rs, &f.regs);
    /* Evidence for each integer register and rip: its slot in the CONTEXT on the stack. */
    for (unsigned slot = X64_RAX; slot <= X64_RIP; slot++)
        if (unwind_regs_has(&f.regs, slot))
            unwind_regs_set_saved(&f.regs, slot, f.regs.r[slot], ctx_addr + CTX_OFF_RAX + 8 * slot);
    if (!unwind_regs_has(&f.regs, X64_RIP) || !unwind_regs_has(&f.regs, X64_RSP))
        return false;
    f.ip = f.regs.r[X64_RIP];
    f.sp = f.regs.r[X64_RSP];
    f.found_by = by;
    f.flags = UNWIND_FRAME_TRAP; /* the ip is where the fault happened, exact */
    *ret = f;
    return true;
}

bool x64_dispatcher_caller(const struct unwind_env *env, const struct unwind_frame *callee,
                           struct unwind_frame *ret_caller)
{
    /* The dispatcher is entered by the kernel (or Wine's signal handler), never the start. */
    if (callee->found_by == UNWIND_FOUND_CONTEXT || !env->read_memory)
        return false;
    uint8_t ctx[X64_CONTEXT_SIZE];
    return dispatcher_frame_at(env, callee->sp, ctx) &&
           caller_from_context(ctx, callee->sp, UNWIND_FOUND_UNWIND_INFO, ret_caller);
}

enum unwind_stop x64_dispatcher_scan(const struct unwind_env *env,
                                     const struct unwind_options *opts,
                                     const struct unwind_frame *callee,
                                     struct unwind_frame *ret_caller, uint64_t *ret_fault)
{
    struct unwind_frame hit;
    enum unwind_stop stop = x64_scan(env, opts, callee, &hit, ret_fault);
    if (stop == UNWIND_STOP_FAULT || !env->read_memory) {
        if (stop == UNWIND_STOP_NONE)
            *ret_caller = hit;
        return stop;
    }
    /* Below the slot of the scan's return address (or its whole range when it found none). */
    uint64_t scan_bytes = opts->scan_bytes ? opts->scan_bytes : UNWIND_DEFAULT_SCAN_BYTES;
    /* Never past the scan's own window (saturating at the top of the address space). */
    uint64_t end = callee->sp > UINT64_MAX - scan_bytes ? UINT64_MAX : callee->sp + scan_bytes;
    uint64_t below_hit = hit.sp >= 8 ? hit.sp - 8 : 0;
    if (stop == UNWIND_STOP_NONE && below_hit < end)
        end = below_hit;
    /* CONTEXT records are 16-byte aligned (DECLSPEC_ALIGN(16) in winnt.h). */
    uint8_t ctx[X64_CONTEXT_SIZE];
    for (uint64_t at = (callee->sp + 15) & ~(uint64_t)15; at >= callee->sp && at < end; at += 16) {
        if (dispatcher_frame_at(env, at, ctx) &&
            caller_from_context(ctx, at, UNWIND_FOUND_SCAN, ret_caller))
            return UNWIND_STOP_NONE;
    }
    if (stop == UNWIND_STOP_NONE)
        *ret_caller = hit;
    return stop;
}
