/*
 * Kernel threads: ETHREAD records on a process's ThreadListHead (ETHREAD.ThreadListEntry), each
 * read field by field, and a non-running thread's saved registers from its kernel stack.
 */
#ifndef DD_NT_KTHREAD_H
#define DD_NT_KTHREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "base/error.h"
#include "nt/kernel.h"

/* KTHREAD_STATE values (wdm.h / _KTHREAD_STATE in every ntoskrnl PDB). */
enum {
    NT_THREAD_INITIALIZED = 0,
    NT_THREAD_READY = 1,
    NT_THREAD_RUNNING = 2,
    NT_THREAD_STANDBY = 3,
    NT_THREAD_TERMINATED = 4,
    NT_THREAD_WAITING = 5,
    NT_THREAD_TRANSITION = 6,
    NT_THREAD_DEFERRED_READY = 7,
    NT_THREAD_GATE_WAIT = 8,
    NT_THREAD_WAITING_FOR_PROCESS_IN_SWAP = 9,
};

/* Bits of nt_thread.have. */
enum {
    NT_THR_CID = 1u << 0,
    NT_THR_TEB = 1u << 1,
    NT_THR_STATE = 1u << 2,
    NT_THR_WAIT = 1u << 3, /* wait_reason and wait_mode */
    NT_THR_ALERTABLE = 1u << 4,
    NT_THR_STACKS = 1u << 5, /* initial_stack, stack_limit and stack_base */
    NT_THR_KERNEL_STACK = 1u << 6,
    NT_THR_PROCESS = 1u << 7,     /* the owning process */
    NT_THR_APC_PROCESS = 1u << 8, /* ApcState.Process: the process whose space it runs in */
    NT_THR_START = 1u << 9,
    NT_THR_WIN32_START = 1u << 10,
    NT_THR_WIN32_THREAD = 1u << 11,
    NT_THR_PRIORITY = 1u << 12, /* priority and base_priority */
    NT_THR_PRIORITY_DECREMENT = 1u << 13,
    NT_THR_NEXT_PROCESSOR = 1u << 14,
    NT_THR_IDEAL_PROCESSOR = 1u << 15,
    NT_THR_WAIT_TIME = 1u << 16,
    NT_THR_CONTEXT_SWITCHES = 1u << 17,
    NT_THR_TIMES = 1u << 18, /* kernel_time and user_time (clock ticks) */
    NT_THR_IO_PRIORITY = 1u << 19,
    NT_THR_PAGE_PRIORITY = 1u << 20,
    NT_THR_TRAP_FRAME = 1u << 21,
};

struct nt_thread {
    uint64_t ethread;
    uint32_t have; /* NT_THR_* */
    uint64_t pid, tid, teb;
    uint8_t state, wait_reason, wait_mode; /* wait_mode: 0 KernelMode, 1 UserMode */
    bool alertable;
    uint64_t initial_stack, stack_limit, stack_base, kernel_stack, trap_frame;
    uint64_t process, apc_process;
    uint64_t start_address, win32_start_address, win32_thread;
    int8_t priority, base_priority, priority_decrement;
    uint32_t next_processor, ideal_processor, wait_time, context_switches;
    uint32_t kernel_time, user_time, io_priority, page_priority;
};

struct nt_thread_list {
    struct nt_thread *items; /* malloc'd; free with nt_thread_list_free */
    size_t count;
    struct nt_list_status status;
};

/* Reads the ETHREAD at ETHREAD into ret; DD_ERR_NOT_FOUND when the layout knows none of it. */
struct dd_error *nt_thread_read(struct nt_kernel *k, uint64_t ethread, struct nt_thread *ret);
/*
 * Walks the thread list of the EPROCESS at EPROCESS into ret. DD_ERR_NOT_FOUND when
 * EPROCESS.ThreadListHead or ETHREAD.ThreadListEntry is unknown; loops and broken links end the
 * walk and show in ret->status.
 */
struct dd_error *nt_threads_list(struct nt_kernel *k, uint64_t eprocess, struct nt_thread_list *ret);
/* Frees L's items; a zeroed L is a no-op. */
void nt_thread_list_free(struct nt_thread_list *l);

/*
 * Sets ret to the registers a thread that is not running left on its kernel stack when it was
 * switched out. x64: KernelStack points at a KSWITCH_FRAME (ntamd64.h: P1Home..P5Home,
 * ApcBypass, Rbp at 0x30, Return at 0x38; 0x40 bytes), so rip = Return, rbp = Rbp and
 * rsp = KernelStack + 0x40 (WinDbg's first frame, nt!KiSwapContext, has Child-SP
 * KernelStack + 0x40). DD_ERR_UNSUPPORTED on other CPUs, DD_ERR_MEMORY when the frame is missing.
 */
struct dd_error *nt_thread_switch_context(struct nt_kernel *k, const struct nt_thread *th,
                                          struct regset *ret);
/*
 * The registers of thread TH as a debugger shows them after `.thread`: a running thread's
 * processor context (KiProcessorBlock[NextProcessor]), else its switch frame.
 */
struct dd_error *nt_thread_context(struct nt_kernel *k, const struct nt_thread *th,
                                   struct regset *ret);

/* KWAIT_REASON name ("WrQueue", "UserRequest"); NULL for values past the known table. */
const char *nt_wait_reason_name(uint8_t reason);

#endif
