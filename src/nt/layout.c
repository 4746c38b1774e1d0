/*
 * Resolving the walkers' structure offsets (see layout.h). Each field names its type path and,
 * where KDDEBUGGER_DATA64 carries it, the matching Offset* or Size* member (wdbgexts.h; the
 * OffsetKThreadApcProcess value is the offset of KTHREAD.ApcState.Process, OffsetPrcbProcStateContext
 * that of KPRCB.ProcessorState.ContextFrame, OffsetEprocessParentCID that of
 * EPROCESS.InheritedFromUniqueProcessId, as the triage dump's copy confirms against the ISF).
 */
#include "nt/layout.h"

#include <stddef.h>
#include <string.h>

#include "nt/isf.h"
#include "nt/kdbg.h"

/* Default widths: a pointer, a fixed size, or "the structure/embedded member's own size". */
#define W_PTR 0
#define W_SIZE 0xff /* a *_SIZE field or an embedded member: the width is what the source says */

struct field_def {
    const char *path;
    uint8_t width;      /* W_PTR, W_SIZE or bytes */
    int16_t kdbg_member; /* offsetof(struct kdbg, member) of a uint32_t, or -1 */
};

#define KD(m) ((int16_t)offsetof(struct kdbg, m))

static const struct field_def field_defs[NT_FIELD_COUNT] = {
    [NT_EPROCESS_SIZE] = {"_EPROCESS", W_SIZE, KD(size_eprocess)},
    [NT_EPROCESS_DIRECTORY_TABLE_BASE] = {"_EPROCESS.Pcb.DirectoryTableBase", W_PTR,
                                          KD(offset_eprocess_directory_table_base)},
    [NT_EPROCESS_UNIQUE_PROCESS_ID] = {"_EPROCESS.UniqueProcessId", W_PTR, -1},
    [NT_EPROCESS_ACTIVE_PROCESS_LINKS] = {"_EPROCESS.ActiveProcessLinks", W_SIZE, -1},
    [NT_EPROCESS_CREATE_TIME] = {"_EPROCESS.CreateTime", 8, -1},
    [NT_EPROCESS_INHERITED_FROM_UNIQUE_PROCESS_ID] = {"_EPROCESS.InheritedFromUniqueProcessId",
                                                      W_PTR, KD(offset_eprocess_parent_cid)},
    [NT_EPROCESS_PEB] = {"_EPROCESS.Peb", W_PTR, KD(offset_eprocess_peb)},
    [NT_EPROCESS_SESSION] = {"_EPROCESS.Session", W_PTR, -1},
    [NT_EPROCESS_OBJECT_TABLE] = {"_EPROCESS.ObjectTable", W_PTR, -1},
    [NT_EPROCESS_IMAGE_FILE_NAME] = {"_EPROCESS.ImageFileName", W_SIZE, -1},
    [NT_EPROCESS_THREAD_LIST_HEAD] = {"_EPROCESS.ThreadListHead", W_SIZE, -1},
    [NT_EPROCESS_ACTIVE_THREADS] = {"_EPROCESS.ActiveThreads", 4, -1},
    [NT_EPROCESS_WOW64_PROCESS] = {"_EPROCESS.WoW64Process|_EPROCESS.Wow64Process", W_PTR, -1},
    [NT_MM_SESSION_SPACE_SESSION_ID] = {"_MM_SESSION_SPACE.SessionId", 4, -1},
    [NT_HANDLE_TABLE_HANDLE_COUNT] = {"_HANDLE_TABLE.HandleCount", 4, -1},
    [NT_EPROCESS_VAD_ROOT] = {"_EPROCESS.VadRoot.Root", W_PTR, -1},
    [NT_EPROCESS_VAD_COUNT] = {"_EPROCESS.VadCount|_EPROCESS.VadRoot.NumberGenericTableElements",
                               W_PTR, -1},
    [NT_EPROCESS_CLONE_ROOT] = {"_EPROCESS.CloneRoot.Root|_EPROCESS.CloneRoot", W_PTR, -1},
    [NT_EPROCESS_PRIVATE_PAGES] = {"_EPROCESS.NumberOfPrivatePages", W_PTR, -1},
    [NT_EPROCESS_MODIFIED_PAGES] = {"_EPROCESS.ModifiedPageCount", 4, -1},
    [NT_EPROCESS_LOCKED_PAGES] = {"_EPROCESS.NumberOfLockedPages", W_PTR, -1},
    [NT_EPROCESS_DEVICE_MAP] = {"_EPROCESS.DeviceMap", W_PTR, -1},
    [NT_EPROCESS_TOKEN] = {"_EPROCESS.Token", W_PTR, -1},
    [NT_EPROCESS_USER_TIME] = {"_EPROCESS.Pcb.UserTime", 4, -1},
    [NT_EPROCESS_KERNEL_TIME] = {"_EPROCESS.Pcb.KernelTime", 4, -1},
    [NT_EPROCESS_BASE_PRIORITY] = {"_EPROCESS.Pcb.BasePriority", 1, -1},
    [NT_EPROCESS_WORKING_SET_SIZE] = {"_EPROCESS.Vm.Instance.WorkingSetSize|"
                                      "_EPROCESS.Vm.WorkingSetSize",
                                      W_PTR, -1},
    [NT_EPROCESS_MIN_WORKING_SET_SIZE] = {"_EPROCESS.Vm.Instance.MinimumWorkingSetSize|"
                                          "_EPROCESS.Vm.MinimumWorkingSetSize",
                                          W_PTR, -1},
    [NT_EPROCESS_MAX_WORKING_SET_SIZE] = {"_EPROCESS.Vm.Instance.MaximumWorkingSetSize|"
                                          "_EPROCESS.Vm.MaximumWorkingSetSize",
                                          W_PTR, -1},
    [NT_EPROCESS_PEAK_WORKING_SET_SIZE] = {"_EPROCESS.Vm.Instance.PeakWorkingSetSize|"
                                           "_EPROCESS.Vm.PeakWorkingSetSize",
                                           W_PTR, -1},
    [NT_EPROCESS_PAGE_FAULT_COUNT] = {"_EPROCESS.Vm.Instance.PageFaultCount|"
                                      "_EPROCESS.Vm.PageFaultCount",
                                      4, -1},
    [NT_EPROCESS_VIRTUAL_SIZE] = {"_EPROCESS.VirtualSize", W_PTR, -1},
    [NT_EPROCESS_PEAK_VIRTUAL_SIZE] = {"_EPROCESS.PeakVirtualSize", W_PTR, -1},
    [NT_EPROCESS_COMMIT_CHARGE] = {"_EPROCESS.CommitCharge", W_PTR, -1},
    /* An array: its width is the whole array's, so readers bound the index by it. */
    [NT_EPROCESS_QUOTA_USAGE] = {"_EPROCESS.ProcessQuotaUsage|_EPROCESS.QuotaUsage", W_SIZE, -1},
    [NT_EPROCESS_MEMORY_PRIORITY] = {"_EPROCESS.Vm.Instance.Flags.MemoryPriority|"
                                     "_EPROCESS.Vm.Flags.MemoryPriority",
                                     1, -1},
    [NT_ETHREAD_SIZE] = {"_ETHREAD", W_SIZE, KD(size_ethread)},
    [NT_KTHREAD_INITIAL_STACK] = {"_KTHREAD.InitialStack", W_PTR, KD(offset_kthread_initial_stack)},
    [NT_KTHREAD_STACK_LIMIT] = {"_KTHREAD.StackLimit", W_PTR, KD(offset_kthread_stack_limit)},
    [NT_KTHREAD_STACK_BASE] = {"_KTHREAD.StackBase", W_PTR, KD(offset_kthread_stack_base)},
    [NT_KTHREAD_KERNEL_STACK] = {"_KTHREAD.KernelStack", W_PTR, KD(offset_kthread_kernel_stack)},
    [NT_KTHREAD_STATE] = {"_KTHREAD.State", 1, KD(offset_kthread_state)},
    [NT_KTHREAD_WAIT_REASON] = {"_KTHREAD.WaitReason", 1, KD(offset_kthread_wait_reason)},
    [NT_KTHREAD_WAIT_MODE] = {"_KTHREAD.WaitMode", 1, -1},
    [NT_KTHREAD_WAIT_IRQL] = {"_KTHREAD.WaitIrql", 1, -1},
    [NT_KTHREAD_ALERTABLE] = {"_KTHREAD.Alertable", 4, -1},
    [NT_KTHREAD_TEB] = {"_KTHREAD.Teb", W_PTR, KD(offset_kthread_teb)},
    [NT_KTHREAD_APC_STATE_PROCESS] = {"_KTHREAD.ApcState.Process", W_PTR,
                                      KD(offset_kthread_apc_process)},
    [NT_KTHREAD_PROCESS] = {"_KTHREAD.Process", W_PTR, -1},
    [NT_KTHREAD_NEXT_PROCESSOR] = {"_KTHREAD.NextProcessor", 4, KD(offset_kthread_next_processor)},
    [NT_KTHREAD_IDEAL_PROCESSOR] = {"_KTHREAD.IdealProcessor", 4, -1},
    [NT_KTHREAD_PRIORITY] = {"_KTHREAD.Priority", 1, -1},
    [NT_KTHREAD_BASE_PRIORITY] = {"_KTHREAD.BasePriority", 1, -1},
    [NT_KTHREAD_PRIORITY_DECREMENT] = {"_KTHREAD.PriorityDecrement", 1, -1},
    [NT_KTHREAD_WAIT_TIME] = {"_KTHREAD.WaitTime", 4, -1},
    [NT_KTHREAD_CONTEXT_SWITCHES] = {"_KTHREAD.ContextSwitches", 4, -1},
    [NT_KTHREAD_KERNEL_TIME] = {"_KTHREAD.KernelTime", 4, -1},
    [NT_KTHREAD_USER_TIME] = {"_KTHREAD.UserTime", 4, -1},
    [NT_KTHREAD_WIN32_THREAD] = {"_KTHREAD.Win32Thread", W_PTR, -1},
    [NT_KTHREAD_TRAP_FRAME] = {"_KTHREAD.TrapFrame", W_PTR, -1},
    [NT_ETHREAD_CID] = {"_ETHREAD.Cid", W_SIZE, -1},
    [NT_ETHREAD_THREAD_LIST_ENTRY] = {"_ETHREAD.ThreadListEntry", W_SIZE, -1},
    [NT_ETHREAD_START_ADDRESS] = {"_ETHREAD.StartAddress", W_PTR, -1},
    [NT_ETHREAD_WIN32_START_ADDRESS] = {"_ETHREAD.Win32StartAddress", W_PTR, -1},
    [NT_ETHREAD_IO_PRIORITY] = {"_ETHREAD.ThreadIoPriority", 4, -1},
    [NT_ETHREAD_PAGE_PRIORITY] = {"_ETHREAD.ThreadPagePriority", 4, -1},
    [NT_KPCR_NT_TIB] = {"_KPCR.NtTib", W_SIZE, -1},
    [NT_KPCR_SELF] = {"_KPCR.Self|_KPCR.SelfPcr", W_PTR, KD(offset_pcr_self_pcr)},
    [NT_KPCR_CURRENT_PRCB] = {"_KPCR.CurrentPrcb", W_PTR, KD(offset_pcr_current_prcb)},
    [NT_KPCR_IRQL] = {"_KPCR.Irql", 1, -1},
    [NT_KPCR_MAJOR_VERSION] = {"_KPCR.MajorVersion", 2, -1},
    [NT_KPCR_MINOR_VERSION] = {"_KPCR.MinorVersion", 2, -1},
    [NT_KPCR_PRCB] = {"_KPCR.PrcbData|_KPCR.Prcb", W_SIZE, KD(offset_pcr_contained_prcb)},
    [NT_KPRCB_SIZE] = {"_KPRCB", W_SIZE, KD(size_prcb)},
    [NT_KPRCB_CURRENT_THREAD] = {"_KPRCB.CurrentThread", W_PTR, KD(offset_prcb_current_thread)},
    [NT_KPRCB_NEXT_THREAD] = {"_KPRCB.NextThread", W_PTR, -1},
    [NT_KPRCB_IDLE_THREAD] = {"_KPRCB.IdleThread", W_PTR, KD(offset_prcb_idle_thread)},
    [NT_KPRCB_NUMBER] = {"_KPRCB.Number", 4, KD(offset_prcb_number)},
    [NT_KPRCB_GROUP] = {"_KPRCB.Group", 1, -1},
    [NT_KPRCB_GROUP_INDEX] = {"_KPRCB.GroupIndex", 1, -1},
    [NT_KPRCB_GROUP_SET_MEMBER] = {"_KPRCB.GroupSetMember", W_PTR, -1},
    [NT_KPRCB_CPU_TYPE] = {"_KPRCB.CpuType", 1, KD(offset_prcb_cpu_type)},
    [NT_KPRCB_CPU_STEP] = {"_KPRCB.CpuStep", 2, -1},
    [NT_KPRCB_MHZ] = {"_KPRCB.MHz", 4, KD(offset_prcb_mhz)},
    [NT_KPRCB_VENDOR_STRING] = {"_KPRCB.VendorString", W_SIZE, KD(offset_prcb_vendor_string)},
    [NT_KPRCB_CONTEXT_FRAME] = {"_KPRCB.ProcessorState.ContextFrame", W_SIZE,
                                KD(offset_prcb_proc_state_context)},
    [NT_KPRCB_CONTEXT] = {"_KPRCB.Context", W_PTR, KD(offset_prcb_context)},
    [NT_KPRCB_DEBUGGER_SAVED_IRQL] = {"_KPRCB.DebuggerSavedIRQL", 1, -1},
    [NT_KPRCB_INTERRUPT_COUNT] = {"_KPRCB.InterruptCount", 4, -1},
    [NT_KPRCB_KERNEL_TIME] = {"_KPRCB.KernelTime", 4, -1},
    [NT_KPRCB_USER_TIME] = {"_KPRCB.UserTime", 4, -1},
    [NT_KPRCB_DPC_TIME] = {"_KPRCB.DpcTime", 4, -1},
    [NT_KPRCB_INTERRUPT_TIME] = {"_KPRCB.InterruptTime", 4, -1},
    [NT_LDR_DLL_BASE] = {"_KLDR_DATA_TABLE_ENTRY.DllBase|_LDR_DATA_TABLE_ENTRY.DllBase", W_PTR, -1},
    [NT_LDR_SIZE_OF_IMAGE] = {"_KLDR_DATA_TABLE_ENTRY.SizeOfImage|_LDR_DATA_TABLE_ENTRY.SizeOfImage",
                              4, -1},
    [NT_LDR_FULL_DLL_NAME] = {"_KLDR_DATA_TABLE_ENTRY.FullDllName|_LDR_DATA_TABLE_ENTRY.FullDllName",
                              W_SIZE, -1},
    [NT_LDR_BASE_DLL_NAME] = {"_KLDR_DATA_TABLE_ENTRY.BaseDllName|_LDR_DATA_TABLE_ENTRY.BaseDllName",
                              W_SIZE, -1},
};

const char *nt_field_path(enum nt_field f)
{
    return (unsigned)f < NT_FIELD_COUNT ? field_defs[f].path : "";
}

const char *nt_layout_source_name(enum nt_layout_source s)
{
    switch (s) {
    case NT_SOURCE_PDB:
        return "PDB";
    case NT_SOURCE_ISF:
        return "ISF";
    case NT_SOURCE_KDBG:
        return "KDBG";
    case NT_SOURCE_BUILTIN:
        return "built-in";
    case NT_SOURCE_NONE:
        break;
    }
    return "none";
}

void nt_layout_init(struct nt_layout *ret, unsigned ptr_size)
{
    memset(ret, 0, sizeof(*ret));
    ret->ptr_size = ptr_size;
    for (unsigned f = 0; f < NT_FIELD_COUNT; f++)
        ret->off[f] = NT_OFF_NONE;
}

void nt_layout_set(struct nt_layout *l, enum nt_field f, uint32_t off, uint32_t width)
{
    l->off[f] = off;
    l->width[f] = width ? width : l->ptr_size;
    l->bit_pos[f] = 0;
    l->bit_len[f] = 0;
    l->source[f] = NT_SOURCE_BUILTIN;
}

/* Calls LOOKUP for each '|'-separated alternative of PATH until one resolves. */
static struct dd_error *lookup_alternatives(const char *path,
                                            struct dd_error *(*lookup)(void *ctx, const char *one,
                                                                       struct nt_layout_hit *ret),
                                            void *ctx, struct nt_layout_hit *ret)
{
    char one[160];
    const char *p = path;
    struct dd_error *last = NULL;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == 0 || n >= sizeof(one)) {
            dd_error_destroy(last);
            return dd_error_create(DD_ERR_SYNTAX, "bad type path \"%.100s\"", path);
        }
        memcpy(one, p, n);
        one[n] = 0;
        dd_error_destroy(last);
        last = lookup(ctx, one, ret);
        if (!last || !bar)
            return last;
        p = bar + 1;
    }
}

static struct dd_error *isf_lookup_one(void *ctx, const char *path, struct nt_layout_hit *ret)
{
    struct isf *isf = ctx;
    struct nt_layout_hit h = {0};
    if (!strchr(path, '.')) {
        struct dd_error *err = isf_struct_size(isf, path, &h.offset);
        if (err)
            return err;
        h.width = h.offset;
        *ret = h;
        return NULL;
    }
    struct isf_field f;
    struct dd_error *err = isf_field_lookup(isf, path, &f);
    if (!err)
        err = isf_type_size(isf, &f.type, &h.width);
    if (err)
        return err;
    h.offset = f.offset;
    if (f.type.kind == ISF_KIND_BITFIELD) {
        h.bit_pos = f.type.bit_position;
        h.bit_len = f.type.bit_length;
    }
    *ret = h;
    return NULL;
}

struct dd_error *nt_layout_isf_lookup(struct isf *isf, const char *path, struct nt_layout_hit *ret)
{
    return lookup_alternatives(path, isf_lookup_one, isf, ret);
}

static struct dd_error *pdb_lookup_adapter(void *ctx, const char *path, struct nt_layout_hit *ret)
{
    /* nt_layout_pdb_lookup takes one path at a time once split here. */
    return nt_layout_pdb_lookup(ctx, path, ret);
}

/* A hit is usable when it fits the layout's 32-bit fields and a bitfield lies in its unit. */
static bool hit_ok(const struct nt_layout_hit *h)
{
    if (h->offset >= NT_OFF_NONE || h->width > UINT32_MAX)
        return false;
    return !h->bit_len || (uint64_t)h->bit_pos + h->bit_len <= h->width * 8;
}

static void store(struct nt_layout *l, enum nt_field f, const struct nt_layout_hit *h,
                  enum nt_layout_source src)
{
    l->off[f] = (uint32_t)h->offset;
    l->width[f] = (uint32_t)h->width;
    l->bit_pos[f] = (uint8_t)h->bit_pos;
    l->bit_len[f] = (uint8_t)h->bit_len;
    l->source[f] = (uint8_t)src;
}

void nt_layout_resolve(const struct nt_layout_sources *src, struct nt_layout *ret)
{
    unsigned ptr = src->cpu == DD_CPU_X86 || src->cpu == DD_CPU_ARM ? 4 : 8;
    nt_layout_init(ret, ptr);
    for (unsigned i = 0; i < NT_FIELD_COUNT; i++) {
        enum nt_field f = (enum nt_field)i;
        const struct field_def *d = &field_defs[f];
        struct nt_layout_hit h;
        if (src->pdb && !dd_error_drop(lookup_alternatives(d->path, pdb_lookup_adapter, src->pdb,
                                                           &h)) &&
            hit_ok(&h)) {
            store(ret, f, &h, NT_SOURCE_PDB);
            continue;
        }
        if (src->isf && !dd_error_drop(nt_layout_isf_lookup(src->isf, d->path, &h)) && hit_ok(&h)) {
            store(ret, f, &h, NT_SOURCE_ISF);
            continue;
        }
        if (src->kdbg && d->kdbg_member >= 0) {
            uint32_t v;
            memcpy(&v, (const uint8_t *)src->kdbg + d->kdbg_member, sizeof(v));
            /* 0 means "not filled in" for every member used here (none sits at offset 0). */
            if (v != KDBG_NO_OFFSET && v != 0) {
                h = (struct nt_layout_hit){.offset = v,
                                           .width = d->width == W_PTR  ? ptr
                                                    : d->width == W_SIZE ? v
                                                                         : d->width};
                if (d->width == W_SIZE && strchr(d->path, '.'))
                    h.width = 0; /* an embedded member: its size is not in the block */
                store(ret, f, &h, NT_SOURCE_KDBG);
                continue;
            }
        }
        if (nt_layout_builtin(src->cpu, src->build, f, &h) && hit_ok(&h)) {
            if (!h.width)
                h.width = d->width == W_PTR ? ptr : d->width == W_SIZE ? 0 : d->width;
            store(ret, f, &h, NT_SOURCE_BUILTIN);
        }
    }
}
