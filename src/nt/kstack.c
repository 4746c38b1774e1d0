/* A kernel thread's stack ranges and trap frames for the stack walker (see kstack.h). */
#include "nt/kstack.h"

#include <string.h>

/*
 * Sizes of the DPC and ISR stacks: KERNEL_STACK_SIZE (WRK ke/amd64 and ke/i386: the DPC stack's
 * low limit is its base less KERNEL_STACK_SIZE; ISR_STACK_SIZE equals it on x64): 0x6000 bytes
 * on x64, 0x3000 on x86.
 */
#define NT_X64_KERNEL_STACK_SIZE 0x6000u
#define NT_X86_KERNEL_STACK_SIZE 0x3000u
/* An expanded-stack segment larger than this is not believed (MAXIMUM_EXPANSION_SIZE is 0x3e000
 * on x64, KERNEL_LARGE_STACK_SIZE 0x10000 ... a few hundred KiB at most). */
#define NT_SEGMENT_MAX (1u << 20)
/* Lowest kernel address when the dump does not say (MmSystemRangeStart). */
#define NT_X64_KERNEL_HALF 0xffff800000000000ull
#define NT_X86_KERNEL_HALF 0x80000000ull
/* The first 64 KiB of user space are never mapped (MM_LOWEST_USER_ADDRESS). */
#define NT_LOWEST_USER 0x10000ull

void nt_kstacks_init(struct nt_kstacks *ret)
{
    memset(ret, 0, sizeof(*ret));
}

bool nt_kstacks_add(struct nt_kstacks *ks, uint64_t lo, uint64_t hi, enum nt_kstack_kind kind)
{
    if (lo > hi || ks->nranges >= NT_KSTACK_MAX_RANGES)
        return false;
    ks->ranges[ks->nranges++] = (struct nt_kstack_range){lo, hi, kind};
    return true;
}

void nt_kstacks_add_trap_frame(struct nt_kstacks *ks, uint64_t addr)
{
    if (!addr || ks->ntrap_frames >= NT_KSTACK_MAX_TRAP_FRAMES)
        return;
    for (size_t i = 0; i < ks->ntrap_frames; i++)
        if (ks->trap_frames[i] == addr)
            return;
    ks->trap_frames[ks->ntrap_frames++] = addr;
}

bool nt_kstacks_range(void *ctx, uint64_t sp, unsigned *ret_index, bool *ret_trap_only)
{
    const struct nt_kstacks *ks = ctx;
    for (size_t i = 0; i < ks->nranges; i++) {
        if (sp >= ks->ranges[i].lo && sp <= ks->ranges[i].hi) {
            *ret_index = (unsigned)i;
            *ret_trap_only = ks->ranges[i].kind == NT_KSTACK_USER;
            return true;
        }
    }
    return false;
}

const char *nt_kstack_kind_name(enum nt_kstack_kind kind)
{
    switch (kind) {
    case NT_KSTACK_THREAD:
        return "thread";
    case NT_KSTACK_SEGMENT:
        return "segment";
    case NT_KSTACK_DPC:
        return "DPC";
    case NT_KSTACK_ISR:
        return "ISR";
    case NT_KSTACK_USER:
        return "user";
    }
    return "?";
}

/*
 * Built-in answers where the kernel's types are not at hand. x64 builds 19041-19045 (Windows 10
 * 2004-22H2 share ntoskrnl's layout): _KPRCB.DpcStack 0x3110 and _KPRCB.IsrStack 0x85d8 (ISF
 * ntkrnlmp.pdb 5278AFF86C341677D7D7835C85B7B844-1). x64 Windows 8 to 10 (builds 9200-19045):
 * _KSTACK_CONTROL is 0x30 bytes: StackBase 0, ActualLimit 8, Previous (_KERNEL_STACK_SEGMENT:
 * StackBase, StackLimit, KernelStack, InitialStack) at 0x10 (same ISF; later builds add shadow
 * stack fields and grow it). sizeof(_KTRAP_FRAME): 0x190 on x64, 0x8c on x86 (Vista on).
 */
static bool builtin(const struct nt_kernel *k, const char *path, uint64_t *ret)
{
    static const struct {
        enum dd_cpu cpu;
        uint32_t lo, hi;
        const char *path;
        uint64_t value;
    } rows[] = {
        {DD_CPU_X64, 19041, 19045, "_KPRCB.DpcStack", 0x3110},
        {DD_CPU_X64, 19041, 19045, "_KPRCB.IsrStack", 0x85d8},
        {DD_CPU_X64, 9200, 19045, "_KSTACK_CONTROL", 0x30},
        {DD_CPU_X64, 9200, 19045, "_KSTACK_CONTROL.Previous.StackBase", 0x10},
        {DD_CPU_X64, 9200, 19045, "_KSTACK_CONTROL.Previous.StackLimit", 0x18},
        {DD_CPU_X64, 9200, 19045, "_KSTACK_CONTROL.Previous.InitialStack", 0x28},
        {DD_CPU_X64, 6000, UINT32_MAX, "_KTRAP_FRAME", 0x190},
        {DD_CPU_X86, 6000, UINT32_MAX, "_KTRAP_FRAME", 0x8c},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        if (rows[i].cpu == k->cpu && k->build >= rows[i].lo && k->build <= rows[i].hi &&
            strcmp(rows[i].path, path) == 0) {
            *ret = rows[i].value;
            return true;
        }
    return false;
}

/* Offset of PATH ("TYPE.field") or size of a bare TYPE: PDB types, the ISF, then built-ins. */
static bool type_value(const struct nt_kernel *k, const char *path, uint64_t *ret)
{
    struct nt_layout_hit h;
    if (k->opt && k->opt->pdb && !dd_error_drop(nt_layout_pdb_lookup(k->opt->pdb, path, &h))) {
        *ret = h.offset;
        return true;
    }
    if (k->opt && k->opt->isf && !dd_error_drop(nt_layout_isf_lookup(k->opt->isf, path, &h))) {
        *ret = h.offset;
        return true;
    }
    return builtin(k, path, ret);
}

static bool read_ptr(struct nt_kernel *k, uint64_t addr, uint64_t *ret)
{
    return !dd_error_drop(nt_read_ptr(k, addr, ret));
}

static uint64_t kernel_start(const struct nt_kernel *k)
{
    if (k->mm_system_range_start)
        return k->mm_system_range_start;
    return k->ptr_size == 8 ? NT_X64_KERNEL_HALF : NT_X86_KERNEL_HALF;
}

/*
 * Follows the KSTACK_CONTROL chain from the thread's current segment (its top at STACK_BASE):
 * each earlier segment becomes a range. Sets *ret_initial to the first segment's InitialStack
 * (unchanged when there was no expansion).
 */
static void add_segments(struct nt_kernel *k, uint64_t stack_base, struct nt_kstacks *ks,
                         uint64_t *ret_initial)
{
    uint64_t size, off_base, off_limit, off_initial;
    /* Windows 8+ name it _KSTACK_CONTROL; Vista/7 _KERNEL_STACK_CONTROL (at the same place). */
    if (type_value(k, "_KSTACK_CONTROL", &size)) {
        if (!type_value(k, "_KSTACK_CONTROL.Previous.StackBase", &off_base) ||
            !type_value(k, "_KSTACK_CONTROL.Previous.StackLimit", &off_limit) ||
            !type_value(k, "_KSTACK_CONTROL.Previous.InitialStack", &off_initial))
            return;
    } else if (!type_value(k, "_KERNEL_STACK_CONTROL", &size) ||
               !type_value(k, "_KERNEL_STACK_CONTROL.Previous.StackBase", &off_base) ||
               !type_value(k, "_KERNEL_STACK_CONTROL.Previous.StackLimit", &off_limit) ||
               !type_value(k, "_KERNEL_STACK_CONTROL.Previous.InitialStack", &off_initial)) {
        return;
    }
    uint64_t lowest_kernel = kernel_start(k);
    uint64_t top = stack_base;
    for (unsigned n = 0; n < NT_KSTACK_MAX_SEGMENTS; n++) {
        /* The control block sits at the top of its segment (RtlpIsFrameInBounds: base - size). */
        if (top < size || top - size < lowest_kernel)
            return;
        uint64_t ctl = top - size, base, limit, initial;
        if (!read_ptr(k, ctl + off_base, &base) || base == 0 ||
            !read_ptr(k, ctl + off_limit, &limit) || !read_ptr(k, ctl + off_initial, &initial))
            return;
        if (limit >= base || base - limit > NT_SEGMENT_MAX || limit < lowest_kernel ||
            initial > base || initial < limit)
            return;
        for (size_t i = 0; i < ks->nranges; i++)
            if (ks->ranges[i].lo == limit && ks->ranges[i].hi == base)
                return; /* a loop */
        if (!nt_kstacks_add(ks, limit, base, NT_KSTACK_SEGMENT))
            return;
        *ret_initial = initial;
        top = base;
    }
}

/* Adds a processor stack whose base (top) is the pointer at PRCB + the offset of FIELD. */
static void add_processor_stack(struct nt_kernel *k, const struct nt_processor *p,
                                const char *field, enum nt_kstack_kind kind, struct nt_kstacks *ks)
{
    uint64_t off, top;
    uint64_t size = k->ptr_size == 8 ? NT_X64_KERNEL_STACK_SIZE : NT_X86_KERNEL_STACK_SIZE;
    if (!type_value(k, field, &off) || !read_ptr(k, p->prcb + off, &top) || top < size ||
        top - size < kernel_start(k))
        return;
    nt_kstacks_add(ks, top - size, top, kind);
}

struct dd_error *nt_kstacks_build(struct nt_kernel *k, const struct nt_thread *th,
                                  const struct nt_processor *p, struct nt_kstacks *ret)
{
    if (!(th->have & NT_THR_STACKS) || th->stack_limit >= th->stack_base)
        return dd_error_create(DD_ERR_NOT_FOUND, "the thread's kernel stack is unknown");
    struct nt_kstacks ks;
    nt_kstacks_init(&ks);
    nt_kstacks_add(&ks, th->stack_limit, th->stack_base, NT_KSTACK_THREAD);
    uint64_t initial = th->initial_stack;
    add_segments(k, th->stack_base, &ks, &initial);
    if (p && p->prcb) {
        add_processor_stack(k, p, "_KPRCB.DpcStack", NT_KSTACK_DPC, &ks);
        add_processor_stack(k, p, "_KPRCB.IsrStack", NT_KSTACK_ISR, &ks);
    }
    nt_kstacks_add(&ks, NT_LOWEST_USER, kernel_start(k) - 1, NT_KSTACK_USER);
    if ((th->have & NT_THR_TRAP_FRAME) && th->trap_frame)
        nt_kstacks_add_trap_frame(&ks, th->trap_frame);
    /* A thread that entered from user mode keeps its first KTRAP_FRAME below InitialStack
     * (WRK PspGetBaseTrapFrame: the first segment's InitialStack - sizeof(KTRAP_FRAME)). */
    uint64_t trap_size;
    if (initial && type_value(k, "_KTRAP_FRAME", &trap_size) && initial > trap_size)
        nt_kstacks_add_trap_frame(&ks, initial - trap_size);
    *ret = ks;
    return NULL;
}
