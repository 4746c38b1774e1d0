/* Thread-list walker, ETHREAD reader and saved thread registers (see kthread.h). */
#include "nt/kthread.h"

#include <stdlib.h>
#include <string.h>

#include "base/array.h"
#include "base/cursor.h"
#include "nt/kprcb.h"

/* x64 KSWITCH_FRAME (ntamd64.h; ReactOS ketypes.h): Rbp at 0x30, Return at 0x38, 0x40 bytes. */
#define KSWITCH_FRAME64_RBP 0x30
#define KSWITCH_FRAME64_RETURN 0x38
#define KSWITCH_FRAME64_SIZE 0x40

/*
 * KWAIT_REASON (wdm.h; the _KWAIT_REASON enum of the 19041 ntkrnlmp ISF). Value 14 was
 * WrEventPair before Windows Vista and is WrSpare0 since.
 */
static const char *const wait_reasons[] = {
    "Executive",        "FreePage",        "PageIn",           "PoolAllocation",
    "DelayExecution",   "Suspended",       "UserRequest",      "WrExecutive",
    "WrFreePage",       "WrPageIn",        "WrPoolAllocation", "WrDelayExecution",
    "WrSuspended",      "WrUserRequest",   "WrSpare0",         "WrQueue",
    "WrLpcReceive",     "WrLpcReply",      "WrVirtualMemory",  "WrPageOut",
    "WrRendezvous",     "WrKeyedEvent",    "WrTerminated",     "WrProcessInSwap",
    "WrCpuRateControl", "WrCalloutStack",  "WrKernel",         "WrResource",
    "WrPushLock",       "WrMutex",         "WrQuantumEnd",     "WrDispatchInt",
    "WrPreempted",      "WrYieldExecution", "WrFastMutex",     "WrGuardedMutex",
    "WrRundown",        "WrAlertByThreadId", "WrDeferredPreempt", "WrPhysicalFault",
};

const char *nt_wait_reason_name(uint8_t reason)
{
    return reason < sizeof(wait_reasons) / sizeof(wait_reasons[0]) ? wait_reasons[reason] : NULL;
}

static bool get(struct nt_kernel *k, uint64_t base, enum nt_field f, uint64_t *ret)
{
    return nt_field_read(k, base, f, ret);
}

static bool thread_layout_known(const struct nt_layout *l)
{
    return nt_layout_has(l, NT_ETHREAD_CID) || nt_layout_has(l, NT_KTHREAD_TEB) ||
           nt_layout_has(l, NT_KTHREAD_STATE) || nt_layout_has(l, NT_KTHREAD_KERNEL_STACK);
}

struct dd_error *nt_thread_read(struct nt_kernel *k, uint64_t ethread, struct nt_thread *ret)
{
    const struct nt_layout *l = &k->layout;
    if (!thread_layout_known(l))
        return dd_error_create(DD_ERR_NOT_FOUND, "the ETHREAD layout is unknown");
    struct nt_thread th;
    memset(&th, 0, sizeof(th));
    th.ethread = ethread;
    uint64_t a, b, c;
    if (nt_layout_has(l, NT_ETHREAD_CID) &&
        !dd_error_drop(nt_read_ptr(k, ethread + l->off[NT_ETHREAD_CID], &a)) &&
        !dd_error_drop(nt_read_ptr(k, ethread + l->off[NT_ETHREAD_CID] + k->ptr_size, &b))) {
        th.pid = a;
        th.tid = b;
        th.have |= NT_THR_CID;
    }
    if (get(k, ethread, NT_KTHREAD_TEB, &th.teb))
        th.have |= NT_THR_TEB;
    if (get(k, ethread, NT_KTHREAD_STATE, &a)) {
        th.state = (uint8_t)a;
        th.have |= NT_THR_STATE;
    }
    if (get(k, ethread, NT_KTHREAD_WAIT_REASON, &a) && get(k, ethread, NT_KTHREAD_WAIT_MODE, &b)) {
        th.wait_reason = (uint8_t)a;
        th.wait_mode = (uint8_t)b;
        th.have |= NT_THR_WAIT;
    }
    if (get(k, ethread, NT_KTHREAD_ALERTABLE, &a)) {
        th.alertable = a != 0;
        th.have |= NT_THR_ALERTABLE;
    }
    if (get(k, ethread, NT_KTHREAD_INITIAL_STACK, &a) && get(k, ethread, NT_KTHREAD_STACK_LIMIT, &b) &&
        get(k, ethread, NT_KTHREAD_STACK_BASE, &c)) {
        th.initial_stack = a;
        th.stack_limit = b;
        th.stack_base = c;
        th.have |= NT_THR_STACKS;
    }
    if (get(k, ethread, NT_KTHREAD_KERNEL_STACK, &th.kernel_stack))
        th.have |= NT_THR_KERNEL_STACK;
    if (get(k, ethread, NT_KTHREAD_TRAP_FRAME, &th.trap_frame))
        th.have |= NT_THR_TRAP_FRAME;
    if (get(k, ethread, NT_KTHREAD_PROCESS, &th.process))
        th.have |= NT_THR_PROCESS;
    if (get(k, ethread, NT_KTHREAD_APC_STATE_PROCESS, &th.apc_process)) {
        th.have |= NT_THR_APC_PROCESS;
        if (!(th.have & NT_THR_PROCESS)) {
            /* Without KTHREAD.Process (before Windows 8) the APC state names the owner unless the
             * thread is attached elsewhere; take it as the best available answer. */
            th.process = th.apc_process;
            th.have |= NT_THR_PROCESS;
        }
    }
    if (get(k, ethread, NT_ETHREAD_START_ADDRESS, &th.start_address))
        th.have |= NT_THR_START;
    if (get(k, ethread, NT_ETHREAD_WIN32_START_ADDRESS, &th.win32_start_address))
        th.have |= NT_THR_WIN32_START;
    if (get(k, ethread, NT_KTHREAD_WIN32_THREAD, &th.win32_thread))
        th.have |= NT_THR_WIN32_THREAD;
    if (get(k, ethread, NT_KTHREAD_PRIORITY, &a) && get(k, ethread, NT_KTHREAD_BASE_PRIORITY, &b)) {
        th.priority = (int8_t)(uint8_t)a;
        th.base_priority = (int8_t)(uint8_t)b;
        th.have |= NT_THR_PRIORITY;
    }
    if (get(k, ethread, NT_KTHREAD_PRIORITY_DECREMENT, &a)) {
        th.priority_decrement = (int8_t)(uint8_t)a;
        th.have |= NT_THR_PRIORITY_DECREMENT;
    }
    if (get(k, ethread, NT_KTHREAD_NEXT_PROCESSOR, &a)) {
        th.next_processor = (uint32_t)a;
        th.have |= NT_THR_NEXT_PROCESSOR;
    }
    if (get(k, ethread, NT_KTHREAD_IDEAL_PROCESSOR, &a)) {
        th.ideal_processor = (uint32_t)a;
        th.have |= NT_THR_IDEAL_PROCESSOR;
    }
    if (get(k, ethread, NT_KTHREAD_WAIT_TIME, &a)) {
        th.wait_time = (uint32_t)a;
        th.have |= NT_THR_WAIT_TIME;
    }
    if (get(k, ethread, NT_KTHREAD_CONTEXT_SWITCHES, &a)) {
        th.context_switches = (uint32_t)a;
        th.have |= NT_THR_CONTEXT_SWITCHES;
    }
    if (get(k, ethread, NT_KTHREAD_KERNEL_TIME, &a) && get(k, ethread, NT_KTHREAD_USER_TIME, &b)) {
        th.kernel_time = (uint32_t)a;
        th.user_time = (uint32_t)b;
        th.have |= NT_THR_TIMES;
    }
    if (get(k, ethread, NT_ETHREAD_IO_PRIORITY, &a)) {
        th.io_priority = (uint32_t)a;
        th.have |= NT_THR_IO_PRIORITY;
    }
    if (get(k, ethread, NT_ETHREAD_PAGE_PRIORITY, &a)) {
        th.page_priority = (uint32_t)a;
        th.have |= NT_THR_PAGE_PRIORITY;
    }
    *ret = th;
    return NULL;
}

struct thread_ctx {
    struct nt_kernel *k;
    uint32_t links;
    struct nt_thread *items;
    size_t count, cap;
    bool oom;
};

static bool thread_add(void *ctx, uint64_t entry)
{
    struct thread_ctx *c = ctx;
    void *grown = dd_array_grow(c->items, &c->cap, c->count, sizeof(*c->items), 32);
    if (!grown) {
        c->oom = true;
        return false;
    }
    c->items = grown;
    struct nt_thread *th = &c->items[c->count++];
    if (dd_error_drop(nt_thread_read(c->k, entry - c->links, th))) {
        memset(th, 0, sizeof(*th));
        th->ethread = entry - c->links;
    }
    return true;
}

struct dd_error *nt_threads_list(struct nt_kernel *k, uint64_t eprocess, struct nt_thread_list *ret)
{
    const struct nt_layout *l = &k->layout;
    if (!nt_layout_has(l, NT_EPROCESS_THREAD_LIST_HEAD) ||
        !nt_layout_has(l, NT_ETHREAD_THREAD_LIST_ENTRY))
        return dd_error_create(DD_ERR_NOT_FOUND,
                               "the offsets of EPROCESS.ThreadListHead / ETHREAD.ThreadListEntry "
                               "are unknown");
    if (!thread_layout_known(l))
        return dd_error_create(DD_ERR_NOT_FOUND, "the ETHREAD layout is unknown");
    struct thread_ctx c = {.k = k, .links = l->off[NT_ETHREAD_THREAD_LIST_ENTRY]};
    struct nt_list_status st;
    nt_list_walk(k, eprocess + l->off[NT_EPROCESS_THREAD_LIST_HEAD], 0, thread_add, &c, &st);
    if (c.oom) {
        free(c.items);
        return &dd_error_no_memory;
    }
    ret->items = c.items;
    ret->count = c.count;
    ret->status = st;
    return NULL;
}

void nt_thread_list_free(struct nt_thread_list *l)
{
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

struct dd_error *nt_thread_switch_context(struct nt_kernel *k, const struct nt_thread *th,
                                          struct regset *ret)
{
    if (k->cpu != DD_CPU_X64)
        return dd_error_create(DD_ERR_UNSUPPORTED,
                               "saved thread registers are only decoded for x64 kernels");
    if (!(th->have & NT_THR_KERNEL_STACK) || !th->kernel_stack)
        return dd_error_create(DD_ERR_NOT_FOUND, "the thread's KernelStack is unknown");
    const struct arch_ops *arch = arch_for_cpu(DD_CPU_X64);
    if (!arch)
        return dd_error_create(DD_ERR_UNSUPPORTED, "no x64 register table");
    uint8_t frame[KSWITCH_FRAME64_SIZE];
    struct dd_error *err = target_read_exact(k->target, th->kernel_stack, frame, sizeof(frame));
    if (err)
        return dd_error_wrap(err, "reading the switch frame at KernelStack");
    struct regset rs;
    memset(&rs, 0, sizeof(rs));
    rs.arch = arch;
    regset_put(&rs, arch->pc_slot, dd_le64(frame + KSWITCH_FRAME64_RETURN));
    regset_put(&rs, arch->sp_slot, th->kernel_stack + KSWITCH_FRAME64_SIZE);
    regset_put(&rs, arch->fp_slot, dd_le64(frame + KSWITCH_FRAME64_RBP));
    *ret = rs;
    return NULL;
}

struct dd_error *nt_thread_context(struct nt_kernel *k, const struct nt_thread *th,
                                   struct regset *ret)
{
    if ((th->have & NT_THR_STATE) && th->state == NT_THREAD_RUNNING &&
        (th->have & NT_THR_NEXT_PROCESSOR)) {
        struct nt_processor p;
        struct dd_error *err = nt_processor_read(k, th->next_processor, &p);
        if (!err && (p.have & NT_CPU_CURRENT_THREAD) && p.current_thread == th->ethread)
            return nt_processor_context(k, &p, ret);
        dd_error_destroy(err);
    }
    return nt_thread_switch_context(k, th, ret);
}
