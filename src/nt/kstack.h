/*
 * The stacks a kernel thread's call chain may run over, for the stack walker: the thread's
 * kernel stack, the earlier segments an expanded stack left behind (KeExpandKernelStackAndCallout:
 * the KSTACK_CONTROL at the top of each segment names the previous one), the processor's DPC
 * and ISR stacks (KPRCB.DpcStack, KPRCB.IsrStack), and user space, which only a trap frame
 * leads into; plus the thread's trap frames (KTHREAD.TrapFrame and the base trap frame below
 * the first segment's InitialStack, where a system call from user mode keeps its KTRAP_FRAME).
 */
#ifndef DD_NT_KSTACK_H
#define DD_NT_KSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/error.h"
#include "nt/kernel.h"
#include "nt/kprcb.h"
#include "nt/kthread.h"

#define NT_KSTACK_MAX_RANGES 16
#define NT_KSTACK_MAX_SEGMENTS 8 /* previous segments followed (each expansion adds one) */
#define NT_KSTACK_MAX_TRAP_FRAMES 4

enum nt_kstack_kind {
    NT_KSTACK_THREAD,  /* the thread's current kernel stack [StackLimit, StackBase] */
    NT_KSTACK_SEGMENT, /* an earlier segment of an expanded stack */
    NT_KSTACK_DPC,     /* the processor's DPC stack */
    NT_KSTACK_ISR,     /* the processor's interrupt stack */
    NT_KSTACK_USER,    /* user space: entered only through a trap frame */
};

/* The stack range [lo, hi] (hi is the stack's base, its highest address). */
struct nt_kstack_range {
    uint64_t lo, hi;
    enum nt_kstack_kind kind;
};

struct nt_kstacks {
    struct nt_kstack_range ranges[NT_KSTACK_MAX_RANGES];
    size_t nranges;
    uint64_t trap_frames[NT_KSTACK_MAX_TRAP_FRAMES]; /* KTRAP_FRAME addresses, no duplicates */
    size_t ntrap_frames;
};

/* Sets ret to no ranges and no trap frames. */
void nt_kstacks_init(struct nt_kstacks *ret);
/* Adds range [LO, HI] of KIND to KS; false (nothing added) when LO > HI or KS is full. */
bool nt_kstacks_add(struct nt_kstacks *ks, uint64_t lo, uint64_t hi, enum nt_kstack_kind kind);
/* Adds trap frame ADDR to KS unless it is 0, already there, or KS is full. */
void nt_kstacks_add_trap_frame(struct nt_kstacks *ks, uint64_t addr);

/*
 * Collects into ret the ranges of thread TH (its stack, expanded-stack segments, its trap
 * frames) and of processor P (DPC and ISR stacks; P may be NULL) and user space. What the
 * layout or the dump lacks is left out; DD_ERR_NOT_FOUND when not even the thread's stack is
 * known.
 */
struct dd_error *nt_kstacks_build(struct nt_kernel *k, const struct nt_thread *th,
                                  const struct nt_processor *p, struct nt_kstacks *ret);

/*
 * The unwind_stacks.range callback over CTX (a const struct nt_kstacks *): the index of the first
 * range holding SP and whether it is user space (entered only through a trap frame).
 */
bool nt_kstacks_range(void *ctx, uint64_t sp, unsigned *ret_index, bool *ret_trap_only);

/* The kind's name ("thread", "segment", "DPC", "ISR", "user"). */
const char *nt_kstack_kind_name(enum nt_kstack_kind kind);

#endif
