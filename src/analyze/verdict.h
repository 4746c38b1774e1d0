/*
 * The verdict of `!analyze`: what happened, where, which module and function to blame, a stable
 * bucket and how exploitable it looks. It is plain data built by analyze_run from the dump's
 * stored exception; renderers (render_text.c, render_json.c) print it and never analyze.
 *
 * analyze_run is a list of passes (struct analyze_pass), each reading the session and the
 * verdict so far and adding to it: exception, stack, blame, bucket, exploitability. A named
 * crash pattern is one more small file with a pass function and one row in analyze_passes[]
 * (verdict.c); it reports through analyze_verdict_add_pattern.
 */
#ifndef DD_ANALYZE_VERDICT_H
#define DD_ANALYZE_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "base/arena.h"
#include "base/error.h"
#include "core/target.h"
#include "unwind/unwind.h"

struct session;

/* How many frames a stack keeps (WinDbg's STACK_TEXT is capped likewise). */
#define ANALYZE_MAX_FRAMES 256
/* Addresses below this are in the never-mapped first 64 KB: a NULL pointer plus an offset. */
#define ANALYZE_NULL_PAGE_LIMIT 0x10000u

/* The access an access violation made (EXCEPTION_RECORD.ExceptionInformation[0], winnt.h). */
enum analyze_access {
    ANALYZE_ACCESS_NONE,    /* not an access violation, or the record lacks the parameter */
    ANALYZE_ACCESS_READ,    /* 0: EXCEPTION_READ_FAULT */
    ANALYZE_ACCESS_WRITE,   /* 1: EXCEPTION_WRITE_FAULT */
    ANALYZE_ACCESS_EXECUTE, /* 8: EXCEPTION_EXECUTE_FAULT (DEP) */
};

enum analyze_rating {
    ANALYZE_RATING_UNKNOWN, /* nothing to rate (no exception) */
    ANALYZE_RATING_NONE,
    ANALYZE_RATING_LOW,
    ANALYZE_RATING_MEDIUM,
    ANALYZE_RATING_HIGH,
};

/* What kind of instruction faulted, as far as exploitability cares. */
enum analyze_insn_kind {
    ANALYZE_INSN_OTHER,
    ANALYZE_INSN_BRANCH, /* call, jmp, ret: control flow through the bad value */
    ANALYZE_INSN_STRING, /* movs, stos, cmps, scas, lods (with or without rep): block copies */
};

/* The stored exception, decoded. Strings are static or live in the verdict's arena. */
struct analyze_exception {
    uint32_t code;
    const char *name;    /* "STATUS_ACCESS_VIOLATION", NULL when unknown */
    const char *text;    /* .exr's "Access violation", NULL when unknown */
    const char *message; /* the message-table text ERROR_CODE shows, NULL when unknown */
    const char *
        crash_type; /* Breakpad/rust-minidump crash_info.type: "EXCEPTION_ACCESS_VIOLATION_WRITE" */
    uint32_t flags;
    uint64_t record;                              /* chained record address */
    uint64_t address;                             /* where it happened */
    uint32_t num_params;                          /* as stored (may exceed the parameters kept) */
    uint64_t params[TARGET_EXCEPTION_MAX_PARAMS]; /* masked to the pointer size */

    enum analyze_access access;
    bool has_data_address;
    uint64_t data_address;       /* the address accessed (for a GP fault: recovered, see below) */
    bool data_address_recovered; /* the record said ffffffffffffffff (non-canonical GP fault) and
                                    the address came from the instruction and the registers */
    bool has_fast_fail;
    uint64_t fast_fail_code;    /* __fastfail code (ExceptionInformation[0] of c0000409) */
    const char *fast_fail_name; /* "FAST_FAIL_FATAL_APP_EXIT", NULL when unknown */
};

/* One frame of a stack, symbolized. */
struct analyze_frame {
    uint64_t ip;
    uint64_t sp;
    bool has_frame_pointer;
    uint64_t frame_pointer; /* the frame's own frame-pointer register (x86 ChildEBP) */
    bool has_return_address;
    uint64_t return_address;
    uint64_t args[4]; /* kb's "Args to Child" */
    unsigned nargs;   /* how many of args[] were read */
    enum unwind_found_by found_by;
    bool exact_ip;            /* ip is where execution is (frame 0, trap frames), not a return */
    bool unwind_unusable;     /* its own unwind data was refused; its caller came from a scan */
    uint64_t lookup;          /* where symbols and lines are looked up: ip, or ip - 1 for a
                                 return address (inside the call, as rust-minidump reports) */
    long module;              /* index into target->modules; -1 outside every module */
    uint64_t module_offset;   /* lookup - module base */
    const char *function;     /* undecorated, at lookup; NULL without symbols */
    uint64_t function_offset; /* lookup - function start */
    const char *file;         /* NULL without line information */
    uint32_t line;
    bool system; /* in a well-known system module (not blamed) */
    bool thunk;  /* a thunk or runtime helper (not blamed) */
};

/* A thread's stack. */
struct analyze_thread {
    size_t index; /* into target->threads; SIZE_MAX when the exception's thread is unknown */
    uint32_t tid;
    const char *name;             /* NULL when the dump names none */
    struct analyze_frame *frames; /* owned by the verdict */
    size_t nframes;
    enum unwind_stop stop;
    bool from_exception; /* walked from the exception context, not the thread's own */
};

/* A named pattern found in the dump, with its evidence (filled by pattern passes). */
struct analyze_pattern {
    const char *name;     /* "NULL Data Pointer" */
    const char *evidence; /* one line */
    const char **lines;   /* more evidence, one line each (analyze_verdict_add_pattern_line) */
    size_t nlines, lines_cap;
};

/* Where a kernel verdict's registers came from. */
enum analyze_regs_source {
    ANALYZE_REGS_NONE,
    ANALYZE_REGS_CONTEXT_RECORD, /* a CONTEXT named by a parameter (.cxr ADDR) */
    ANALYZE_REGS_TRAP_FRAME,     /* a KTRAP_FRAME named by a parameter (.trap ADDR) */
    ANALYZE_REGS_THREAD,         /* the crashing thread's own context */
};

/*
 * A kernel dump's bug check, decoded from the dump header with the parameter table
 * (bugcheck_table.h) by bugcheck_verdict.c. Addresses come from the parameters whose role the
 * table names; has_* says which the code documents.
 */
struct analyze_bugcheck {
    uint32_t code;       /* as stored in the dump: 0x1000007e */
    uint32_t shown_code; /* as !analyze names it: the base code of an _M variant (0x7e) */
    const char *name;    /* name of shown_code ("SYSTEM_THREAD_EXCEPTION_NOT_HANDLED"), or NULL */
    const char *description;      /* what happened (the table's words), or NULL when undocumented */
    const char *subcode_text;     /* what parameter 1's value means, or NULL */
    uint64_t params[4];           /* masked to the pointer size */
    const char *meanings[4];      /* each parameter's meaning, NULL when none */
    const char *roles[4];         /* each parameter's role name ("context_record"), "" for none */
    bool has_faulting_ip;
    uint64_t faulting_ip;         /* the instruction at fault */
    bool has_exception_record;
    uint64_t exception_record;    /* EXCEPTION_RECORD address */
    bool exception_record_read;   /* it was read from the dump into verdict.exception */
    bool has_context_record;
    uint64_t context_record;      /* CONTEXT address */
    bool has_trap_frame;
    uint64_t trap_frame;          /* KTRAP_FRAME address */
    enum analyze_regs_source regs_from; /* where verdict.regs came from */
    bool has_referenced;
    uint64_t referenced;          /* memory address that was touched */
    enum analyze_access access;   /* of that touch; NONE when not documented */
    bool has_irql;
    uint64_t irql;
    bool has_driver_address;
    uint64_t driver_address;      /* an address inside the driver at fault */
    const char *driver_name;      /* read through a driver-name parameter, or NULL */
    const char *fast_fail_name;   /* FAST_FAIL_* of a fast-fail parameter, or NULL */
    bool blamed;                  /* SYMBOL_NAME, MODULE_NAME, IMAGE_NAME of the verdict are set */
    const char *blamed_function;  /* the culprit's function, NULL without symbols */
    uint64_t func_offset;         /* BUCKET_ID_FUNC_OFFSET: offset in that function (or module) */
    const char *stack_command;    /* STACK_COMMAND: ".cxr 0xffff850429891720 ; kb" */
};

struct analyze_options {
    bool all_threads; /* walk every thread's stack, not only the faulting one (JSON) */
    bool hang;        /* -hang: analyze why the process hangs even when it has an exception */
};

struct hang_report;

struct analyze_verdict {
    struct dd_arena arena; /* every string below that is not static */

    bool has_exception;
    struct analyze_exception exception;
    const char *process_name; /* the main image's file name, NULL when unknown */
    const char *assertion;    /* Breakpad AssertionInfo in minidump_processor's words, or NULL */
    const char *cpp_exception_type; /* e06d7363: the thrown C++ type ("std::runtime_error") */
    const char *recursion;          /* c00000fd: the function repeating on the stack, or NULL */
    size_t recursion_count;         /* how many frames of the stack are in it */

    long faulting_thread; /* index into target->threads; -1 when unknown */
    uint32_t faulting_tid;
    bool has_context;
    struct regset regs; /* at the fault: the exception context (.ecxr) */

    bool has_instruction;
    uint64_t instruction_address;
    char instruction[288];      /* "mov     dword ptr [rax],0BADF00Dh" */
    char instruction_line[512]; /* as `u` prints it */
    char context_line[512];     /* as `r` prints it (with the operand's address and value) */
    enum analyze_insn_kind insn_kind;
    bool has_operand_address;
    uint64_t operand_address; /* the memory operand's address computed from the registers */
    bool operand_base_null;   /* the operand's base register holds 0 */

    struct analyze_thread *threads; /* the faulting thread first, then others (all_threads) */
    size_t nthreads;
    struct analyze_thread *stack; /* the faulting thread's entry in threads, or NULL */

    long blamed_frame;         /* index into stack->frames; -1 when no frame is in a module */
    const char *symbol_name;   /* SYMBOL_NAME: "mod!func+29", "mod+1569" */
    const char *module_name;   /* MODULE_NAME: "crash_null_write" */
    const char *image_name;    /* IMAGE_NAME: "crash_null_write.exe" */
    const char *image_version; /* "10.0.19041.264", NULL without a version resource */

    const char *problem_class; /* "NULL_POINTER_WRITE", "BREAKPOINT" ... */
    const char *bucket;        /* FAILURE_BUCKET_ID */
    char hash[39];             /* FAILURE_ID_HASH: "{296b5e72-5b8d-2395-c93f-74f7e3cb5d90}" */

    enum analyze_rating rating;
    const char *rating_reason;

    const char **notes; /* dumpdbg's remarks, one line each */
    size_t nnotes, notes_cap;
    struct analyze_pattern *patterns;
    size_t npatterns, patterns_cap;

    struct analyze_bugcheck *bugcheck; /* kernel dumps: the bug check (in arena); NULL otherwise */

    /* Hang analysis (hang_verdict.c): set for `!analyze -hang` and dumps without an exception. */
    struct hang_report *hang; /* owned; NULL when not analyzed */
    bool is_hang;             /* the bucket and blame above describe the hang, not a crash */
    long hang_stack;          /* is_hang: index into threads of the blocking thread's stack, -1 */
};

/* One step of the analysis. */
struct analyze_pass {
    const char *name;
    struct dd_error *(*run)(struct session *s, const struct analyze_options *opts,
                            struct analyze_verdict *v);
};

/*
 * Analyzes the dump behind S and sets ret (free with analyze_verdict_deinit). A dump without an
 * exception gives a verdict with has_exception false and a note saying so. The session's
 * thread and context are left as they were. OPTS may be NULL. Errors only for lack of memory.
 */
struct dd_error *analyze_run(struct session *s, const struct analyze_options *opts,
                             struct analyze_verdict *ret);
/*
 * Walks the stack from REGS (thread IDX of the target, or -1 when unknown) into TH with the
 * session's unwinder and symbolizes its frames the way the exception's stack is; TH->frames is
 * owned by V's caller through V->threads. Errors only for lack of memory (a failed walk is a
 * note in V).
 */
struct dd_error *analyze_verdict_walk(struct session *s, struct analyze_verdict *v, long idx,
                                      const struct regset *regs, struct analyze_thread *th);
/* Frees everything V owns; V may be zeroed. */
void analyze_verdict_deinit(struct analyze_verdict *v);

/* Appends a printf-formatted note to V (dropped when out of memory). */
void analyze_verdict_add_note(struct analyze_verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends a printf-formatted evidence line to the pattern recorded last (dropped when out of
 * memory or when no pattern was recorded). */
void analyze_verdict_add_pattern_line(struct analyze_verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Records pattern NAME (static) with printf-formatted evidence (dropped when out of memory). */
void analyze_verdict_add_pattern(struct analyze_verdict *v, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "none", "low", "medium", "high" ("unknown" for ANALYZE_RATING_UNKNOWN). */
const char *analyze_rating_name(enum analyze_rating r);
/* "read", "write", "execute" ("" for ANALYZE_ACCESS_NONE). */
const char *analyze_access_name(enum analyze_access a);

#endif
