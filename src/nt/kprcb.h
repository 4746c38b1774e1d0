/*
 * Processors: KiProcessorBlock[i] is the KPRCB of processor i; the KPCR holds it at KPCR.Prcb
 * (so KPCR = KPRCB - that offset); the processor's registers saved at the crash or the debugger
 * break are the CONTEXT that KPRCB.Context points to (Windows 7+), else the one embedded at
 * KPRCB.ProcessorState.ContextFrame.
 */
#ifndef DD_NT_KPRCB_H
#define DD_NT_KPRCB_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "base/error.h"
#include "nt/kernel.h"

/* Bits of nt_processor.have. */
enum {
    NT_CPU_PCR = 1u << 0, /* pcr is known (KPCR.Prcb's offset is) */
    NT_CPU_CURRENT_THREAD = 1u << 1,
    NT_CPU_NEXT_THREAD = 1u << 2,
    NT_CPU_IDLE_THREAD = 1u << 3,
    NT_CPU_NUMBER = 1u << 4,
    NT_CPU_GROUP = 1u << 5,
    NT_CPU_GROUP_SET_MEMBER = 1u << 6,
    NT_CPU_SAVED_IRQL = 1u << 7,
    NT_CPU_PCR_IRQL = 1u << 8,
    NT_CPU_TIMES = 1u << 9, /* interrupt_count and the four times */
    NT_CPU_MHZ = 1u << 10,
    NT_CPU_VENDOR = 1u << 11,
    NT_CPU_VERSION = 1u << 12, /* KPCR MajorVersion/MinorVersion */
};

/* Largest processor index accepted (Windows supports 2048 logical processors). */
#define NT_MAX_PROCESSORS 2048

struct nt_processor {
    uint32_t index;
    uint64_t prcb, pcr;
    uint32_t have; /* NT_CPU_* */
    uint64_t current_thread, next_thread, idle_thread, group_set_member;
    uint32_t number;
    uint8_t group, group_index;
    uint8_t saved_irql; /* KPRCB.DebuggerSavedIRQL: the IRQL before the crash/break */
    uint8_t pcr_irql;   /* KPCR.Irql */
    uint32_t interrupt_count, kernel_time, user_time, dpc_time, interrupt_time;
    uint32_t mhz;
    uint16_t major_version, minor_version;
    char vendor[13];
};

/* Number of processors the dump records (header NumberProcessors, else the system info). */
uint32_t nt_processor_count(const struct nt_kernel *k);
/*
 * Reads processor INDEX (KiProcessorBlock[INDEX]) into ret. DD_ERR_NOT_FOUND when KiProcessorBlock
 * is unknown or INDEX is out of range or its slot is empty; DD_ERR_MEMORY when not in the dump.
 */
struct dd_error *nt_processor_read(struct nt_kernel *k, uint32_t index, struct nt_processor *ret);
/*
 * Decodes the processor's saved CONTEXT with the target CPU's decoder into ret: *KPRCB.Context
 * when it is set and holds a program counter, else KPRCB.ProcessorState.ContextFrame. Errors say
 * which part is missing.
 */
struct dd_error *nt_processor_context(struct nt_kernel *k, const struct nt_processor *p,
                                      struct regset *ret);

/*
 * Sets ret to the address of the CONTEXT nt_processor_context decodes (*KPRCB.Context when it is
 * set and holds a program counter, else KPRCB.ProcessorState.ContextFrame), for readers that
 * keep the raw bytes. DD_ERR_NOT_FOUND when neither offset is known.
 */
struct dd_error *nt_processor_context_address(struct nt_kernel *k, const struct nt_processor *p,
                                              uint64_t *ret);

/*
 * Replaces the target's threads with one per processor (tid = processor index), each with the
 * raw CONTEXT nt_processor_context_address names, kept in the target's arena; the processor
 * whose program and stack pointers match the current thread 0's context keeps thread 0's
 * (the dump header's, which may hold more registers). Does nothing unless the dump records 2 or
 * more processors and KiProcessorBlock is known. Sets ret (may be NULL) to the processors whose
 * context was read; when none was, the threads are left as they were.
 */
void nt_processor_threads_attach(struct nt_kernel *k, uint32_t *ret);

#endif
