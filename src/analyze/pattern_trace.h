/*
 * Reading the code before an instruction, as an analyst does with `ub`: where a register's
 * value came from (the chain of loads, copies and stores that produced it), and what a call
 * instruction before a return address calls and with which arguments. Used by the NULL
 * pointer patterns (the chain of dereferences behind a faulting instruction) and by hang
 * analysis (the critical section an EnterCriticalSection call was given, a MessageBox's text).
 *
 * x86 and x64 only (the CPUs the disassembler decodes). The reading is linear: the
 * instructions from the function start (or a window found by `ub`'s search) up to the point,
 * without following branches, which is what `ub` shows and what compiled code before a call
 * or a fault almost always is. Every step records the instruction as `u` prints it, so the
 * evidence can be checked by hand.
 */
#ifndef DD_ANALYZE_PATTERN_TRACE_H
#define DD_ANALYZE_PATTERN_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"

struct session;
struct unwind_frame;

#define PATTERN_TRACE_MAX_STEPS 8

/* How a traced value came about. */
enum pattern_origin {
    PATTERN_ORIGIN_UNKNOWN,  /* the code before does not say (or could not be read) */
    PATTERN_ORIGIN_CONSTANT, /* an immediate or a register zeroed with xor/sub */
    PATTERN_ORIGIN_ADDRESS,  /* lea: an address computed from registers or rip */
    PATTERN_ORIGIN_LOAD,     /* loaded from memory through a register that is not sp/bp */
    PATTERN_ORIGIN_LOCAL,    /* loaded from a stack slot nothing before (in the code read) stored */
    PATTERN_ORIGIN_ARGUMENT, /* an argument register as the function got it (x64) */
    PATTERN_ORIGIN_RETURN,   /* the return value of a call */
    PATTERN_ORIGIN_COMPUTED, /* arithmetic the trace does not follow */
};

/* One instruction of a trace. */
struct pattern_trace_step {
    uint64_t addr;
    char line[384]; /* as `u` prints it: "00000001`40001564 488b442428      mov     rax,..." */
    char note[192]; /* what it means: "rax = [00000000`0011fb18] = 00000000`00000000" */
};

/* Where a register's value came from, nearest instruction last (in execution order). */
struct pattern_trace {
    bool has_value;
    uint64_t value;
    enum pattern_origin origin;
    unsigned argument;     /* PATTERN_ORIGIN_ARGUMENT: 1-based argument number */
    char origin_text[192]; /* "argument 1 of crash_null_write!crash_here", "[rsp+28h]" ... */
    struct pattern_trace_step steps[PATTERN_TRACE_MAX_STEPS];
    size_t nsteps;
    size_t steps_dropped; /* steps past PATTERN_TRACE_MAX_STEPS, not kept */
    /* A load through a base register that is not the stack or frame pointer: the chain of
     * dereferences continues with this register's own trace (BASE_REG "" when none). */
    char base_reg[8];
};

/*
 * Traces register REG (a name of REGS's architecture, any width) as it is just before the
 * instruction at AT, reading the code before AT. REGS holds the values known at AT (those of
 * frame 0, or only the stack pointer of an outer frame); values of memory operands are read
 * from the dump when their address can be computed. FUNCTION_START is where the function
 * begins (0 when unknown: a 24-instruction window ending at AT is read instead). False when
 * nothing before AT writes REG in the code read, or the code cannot be read.
 */
bool pattern_trace_register(struct session *s, const struct regset *regs, uint64_t function_start,
                            uint64_t at, const char *reg, struct pattern_trace *ret);

/* What a call instruction calls. */
struct pattern_call {
    uint64_t address; /* of the call instruction */
    uint64_t next;    /* the return address */
    char line[384];   /* as `u` prints it */
    char target[256]; /* the API or function called, without module and import decoration:
                         "EnterCriticalSection", "crash_here"; "" when unknown */
    char symbol[512]; /* what the operand names: "hang_deadlock!__imp_EnterCriticalSection" */
    uint64_t function_start; /* start of the calling function, 0 when unknown */
};

/* Decodes the call instruction that returns to RETURN_ADDRESS into ret; false when the bytes
 * before RETURN_ADDRESS are no call (or cannot be read). */
bool pattern_call_at_return(struct session *s, uint64_t return_address, struct pattern_call *ret);

/*
 * Recovers argument N (0-based) that CALL passed, in the calling frame CALLER (whose stack
 * pointer is the one at the call): on x64 the register (rcx rdx r8 r9) traced back through the
 * code before the call, on x86 the N-th stack slot above the return address (RET_SLOT, the
 * address the return address was read from; 0 when unknown). Sets ret and a one-line EVIDENCE
 * (LEN bytes). False when the value cannot be known.
 */
bool pattern_call_argument(struct session *s, const struct pattern_call *call,
                           const struct unwind_frame *caller, uint64_t ret_slot, unsigned n,
                           uint64_t *ret, char *evidence, size_t len);

/* Strips a module prefix and import decoration from SYMBOL into BUF: "mod!__imp_Foo" and
 * "mod!_imp__Foo@8" give "Foo". */
void pattern_symbol_api_name(const char *symbol, char *buf, size_t len);

#endif
