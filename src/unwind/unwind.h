/*
 * Stack walking, architecture-neutral part: the environment an unwinder reads through
 * (target memory, modules, image unwind data), the per-frame register set with
 * validity and save locations, frames, and the bounded walk loop every CPU's cascade
 * plugs into (see STYLE.md "Seams": image unwind data, frame pointer, validated scan).
 */
#ifndef DD_UNWIND_UNWIND_H
#define DD_UNWIND_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "base/error.h"

#define UNWIND_MAX_REGS 64 /* register slots per frame (an arch's slot enum, < 64) */
#define UNWIND_MAX_VEC 16  /* vector registers per frame (x64 xmm0-15, ARM d8-d15 ...) */
#define UNWIND_DEFAULT_MAX_FRAMES 256
#define UNWIND_DEFAULT_SCAN_BYTES 8192 /* how far above a frame's stack pointer a scan looks */

/* Answer of unwind_env.find_function. */
enum unwind_lookup {
    UNWIND_LOOKUP_FOUND,       /* an entry covers the address */
    UNWIND_LOOKUP_NONE,        /* the module's unwind data is known and has no entry: a leaf */
    UNWIND_LOOKUP_UNAVAILABLE, /* the module's unwind data cannot be had */
    /* the module's table is refused as a whole (malformed, past a limit): as UNAVAILABLE, and
     * the frame is flagged UNWIND_FRAME_BAD_UNWIND */
    UNWIND_LOOKUP_REFUSED,
};

/*
 * Everything an unwinder learns about the target, provided by the caller. CTX is passed
 * back to every callback. find_function and read_image may be NULL (then: unavailable,
 * and image bytes are read from target memory at BASE+RVA).
 */
struct unwind_env {
    void *ctx;
    /* Reads target virtual memory at ADDR; returns the bytes read from ADDR on (0..LEN). */
    size_t (*read_memory)(void *ctx, uint64_t addr, void *buf, size_t len);
    /* Finds the module containing ADDR: sets its base and size; false when none. */
    bool (*find_module)(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size);
    /*
     * Finds the function table entry (x64/ARM64 RUNTIME_FUNCTION) covering RVA in the
     * module at BASE: sets begin, end and the unwind-data RVA (raw, flag bits kept) on FOUND.
     */
    enum unwind_lookup (*find_function)(void *ctx, uint64_t base, uint32_t rva, uint32_t *ret_begin,
                                        uint32_t *ret_end, uint32_t *ret_unwind_rva);
    /* Reads the image bytes at BASE+RVA (from the dump or the image file); returns bytes read. */
    size_t (*read_image)(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len);
    /*
     * Optional CPU-specific sources, NULL when none; the CPU's unwind header names the type
     * (x86: const struct unwind_x86_frame_info_source *, see unwind/x86/x86_unwind.h).
     */
    const void *arch_data;
};

/*
 * Register values of one frame. Slots follow the arch's slot enum (x64_slot, ...).
 * A bit set in `valid` means the value is known for this frame; after the first frame,
 * volatile registers are unknown. A bit set in `saved` means the value was read from
 * target memory at saved_at[slot] (a callee's save slot, a machine frame, the return
 * address slot): evidence for showing the value.
 */
struct unwind_regs {
    uint64_t r[UNWIND_MAX_REGS];
    uint64_t valid;
    uint64_t saved;
    uint64_t saved_at[UNWIND_MAX_REGS];
    uint8_t vec[UNWIND_MAX_VEC][16]; /* low 128 bits, little-endian */
    uint32_t vec_valid;
    uint32_t vec_saved;
    uint64_t vec_saved_at[UNWIND_MAX_VEC];
};

/* How a frame was found: the starting context, or the method that unwound its callee. */
enum unwind_found_by {
    UNWIND_FOUND_CONTEXT,       /* the thread's (or the given) register context */
    UNWIND_FOUND_UNWIND_INFO,   /* image unwind data (x64/ARM64 .pdata/.xdata) */
    UNWIND_FOUND_FRAME_DATA,    /* x86 FPO / FrameData / Breakpad STACK records */
    UNWIND_FOUND_FRAME_POINTER, /* frame-pointer chain */
    UNWIND_FOUND_LEAF,          /* no function entry: return address at the stack pointer */
    UNWIND_FOUND_SCAN,          /* stack scan for a return address that follows a call */
};

/* unwind_frame.flags: details of how the frame was found. */
#define UNWIND_FRAME_TRAP 0x01u       /* registers come from a machine (trap) frame: ip is exact */
#define UNWIND_FRAME_EPILOG 0x02u     /* the callee was inside its epilog (simulated) */
#define UNWIND_FRAME_PROLOG 0x04u     /* the callee was inside its prolog (partly undone) */
#define UNWIND_FRAME_UNVERIFIED 0x08u /* scan hit whose call instruction could not be read */
/* This frame's unwind data was unusable (a chain past X64_MAX_CHAIN, a bad UNWIND_INFO, a module
 * .pdata table refused as a whole, an x86 FrameData/STACK WIN program or STACK CFI past its
 * limits): its caller was looked for another way (frame chain, stack scan). */
#define UNWIND_FRAME_BAD_UNWIND 0x10u

struct unwind_frame {
    uint64_t ip; /* instruction pointer (a return address for frames found by return) */
    uint64_t sp; /* stack pointer at this frame (WinDbg's Child-SP) */
    bool has_return_address;
    uint64_t return_address; /* where this frame returns to (the caller's ip) */
    /* Where the return address was read from (0: not from memory, e.g. a trap frame's or a
     * register's value). x86 shows slot - 4 as an FPO frame's virtual frame pointer. */
    uint64_t return_address_at;
    enum unwind_found_by found_by;
    uint32_t flags; /* UNWIND_FRAME_* */
    struct unwind_regs regs;
    /* The function table entry that unwound this frame, when unwind data was used. */
    bool has_function;
    uint64_t module_base;
    uint32_t function_begin, function_end, unwind_rva; /* RVAs */
    /*
     * Private to the CPU's step: what the step that found this frame passes on to the step
     * that unwinds it (x86: the byte size of the callee's stack arguments).
     */
    uint64_t step_state;
    /* The trap frame (KTRAP_FRAME) this frame's registers were read from; 0 when none or unknown. */
    uint64_t trap_frame;
};

/* Why a walk ended. */
enum unwind_stop {
    UNWIND_STOP_NONE,        /* (a step) a caller frame was found */
    UNWIND_STOP_END,         /* the return address is 0: the outermost frame */
    UNWIND_STOP_MAX_FRAMES,  /* the frame limit was reached */
    UNWIND_STOP_NO_PROGRESS, /* the stack pointer did not move up */
    UNWIND_STOP_FAULT,       /* needed target memory is not available (fault_address) */
    UNWIND_STOP_NO_CALLER,   /* no unwind data and the scan found no return address */
    UNWIND_STOP_BAD_START,   /* the starting registers lack the instruction or stack pointer */
};

/* Most stack ranges unwind_stacks.range may name. */
#define UNWIND_MAX_STACK_RANGES 64

/*
 * What the walk knows about a (kernel) thread's stacks beyond memory, all optional. With range,
 * a caller's stack pointer may lie below its callee's when it moves into another known range
 * the walk has not been in yet: a switch from a DPC or ISR stack or an expanded-stack segment
 * back to the thread's stack, or through a trap frame into user mode. With trap frames, a walk
 * whose cascade finds no caller continues from the nearest unused one above its last frame
 * (unwind_arch.from_trap_frame).
 */
struct unwind_stacks {
    /*
     * Finds the range holding SP (thread stack, expanded-stack segment, DPC or ISR stack, user
     * space): sets its index (< UNWIND_MAX_STACK_RANGES) and whether only a frame found through
     * a trap frame may enter it; false when SP lies in none. NULL: no ranges.
     */
    bool (*range)(void *ctx, uint64_t sp, unsigned *ret_index, bool *ret_trap_only);
    void *ctx;
    /* KTRAP_FRAME addresses: KTHREAD.TrapFrame, the base trap frame below InitialStack. */
    const uint64_t *trap_frames;
    size_t ntrap_frames;
};

struct unwind_options {
    size_t max_frames;   /* 0: UNWIND_DEFAULT_MAX_FRAMES */
    uint32_t scan_bytes; /* 0: UNWIND_DEFAULT_SCAN_BYTES */
    bool no_scan;        /* never scan the stack */
    /* Accept in-module values whose call instruction cannot be read (flagged UNVERIFIED). */
    bool scan_unverified;
    const struct unwind_stacks *stacks; /* NULL: no stack ranges or trap frames known */
};

/* A finished walk. */
struct unwind_walk {
    struct unwind_frame *frames; /* owned; frames[0] is the starting context */
    size_t nframes;
    enum unwind_stop stop;
    uint64_t fault_address; /* UNWIND_STOP_FAULT: the first byte that could not be read */
};

/* One CPU's cascade. */
struct unwind_arch {
    const char *name;
    uint16_t pc_slot, sp_slot;
    /*
     * Unwinds CALLEE one level: returns UNWIND_STOP_NONE and fills ret_caller, or the
     * reason there is no caller (setting ret_fault for UNWIND_STOP_FAULT). May record in
     * CALLEE the function entry used (has_function ...) and its return address.
     */
    enum unwind_stop (*step)(const struct unwind_env *env, const struct unwind_options *opts,
                             struct unwind_frame *callee, struct unwind_frame *ret_caller,
                             uint64_t *ret_fault);
    /*
     * Optional (NULL: none): reads the CPU's kernel trap frame (KTRAP_FRAME) at ADDR into
     * ret_caller (flagged UNWIND_FRAME_TRAP, trap_frame = ADDR); UNWIND_STOP_FAULT with
     * ret_fault when it is not in memory, UNWIND_STOP_NO_CALLER when it does not look like one.
     */
    enum unwind_stop (*from_trap_frame)(const struct unwind_env *env, uint64_t addr,
                                        struct unwind_frame *ret_caller, uint64_t *ret_fault);
};

/*
 * Walks the stack from START with ARCH's cascade (OPTS may be NULL for defaults) and sets
 * ret. Faults and limits end the walk normally (ret->stop says why; frames found are kept);
 * errors only for lack of memory.
 */
struct dd_error *unwind_walk_run(const struct unwind_arch *arch, const struct unwind_env *env,
                                 const struct unwind_regs *start, const struct unwind_options *opts,
                                 struct unwind_walk *ret);
/* Frees W's frames; W may be zeroed or NULL. */
void unwind_walk_deinit(struct unwind_walk *w);

/* Short lowercase name of FOUND_BY ("context", "unwind info", "scan", ...). */
const char *unwind_found_by_name(enum unwind_found_by found_by);
/* Short description of STOP ("end of stack", "frame limit", ...). */
const char *unwind_stop_name(enum unwind_stop stop);

/* Copies the valid slots (< UNWIND_MAX_REGS) and the low 128 bits of vectors of RS into ret. */
void unwind_regs_from_regset(const struct regset *rs, struct unwind_regs *ret);
/* Builds a regset for ARCH from REGS (unknown registers stay invalid) into ret. */
void unwind_regs_to_regset(const struct unwind_regs *regs, const struct arch_ops *arch,
                           struct regset *ret);

/* True when slot SLOT of R holds a known value. */
static inline bool unwind_regs_has(const struct unwind_regs *r, unsigned slot)
{
    return slot < UNWIND_MAX_REGS && (r->valid >> slot) & 1;
}
/* Sets slot SLOT (< UNWIND_MAX_REGS) of R to V, known, with no save location. */
static inline void unwind_regs_set(struct unwind_regs *r, unsigned slot, uint64_t v)
{
    r->r[slot] = v;
    r->valid |= (uint64_t)1 << slot;
    r->saved &= ~((uint64_t)1 << slot);
}
/* Sets slot SLOT of R to V, read from target memory at ADDR. */
static inline void unwind_regs_set_saved(struct unwind_regs *r, unsigned slot, uint64_t v,
                                         uint64_t addr)
{
    unwind_regs_set(r, slot, v);
    r->saved |= (uint64_t)1 << slot;
    r->saved_at[slot] = addr;
}
/* Marks slot SLOT of R unknown. */
static inline void unwind_regs_forget(struct unwind_regs *r, unsigned slot)
{
    r->valid &= ~((uint64_t)1 << slot);
    r->saved &= ~((uint64_t)1 << slot);
}

#endif
