/*
 * libFuzzer target: a kernel thread's stack ranges (src/nt/kstack.c: the thread's stack,
 * expanded-stack segments, DPC/ISR stacks, trap frames) and the walk over them
 * (src/unwind/unwind.c stack switches and trap frames; x64 and x86 KTRAP_FRAME readers).
 * The input is kernel memory at MEM_BASE (x64 build 19041, or x86 when bit 0 of byte 0 is set)
 * and also the module "nt" the walk finds code and unwind data in. Header words (little-endian,
 * each taken modulo the input size as an offset from MEM_BASE):
 *   [0] flags: bit 0 x86, bit 1 a processor (KPRCB), bit 2 a KTHREAD.TrapFrame, bit 3 loose scan,
 *       bit 4 no .pdata table, bit 5 ranges from kstack.c even without a kernel (kept apart)
 *   [4] StackLimit [8] StackBase [12] InitialStack [16] TrapFrame [20] KPRCB [24] ip [28] sp
 *   [32] frame pointer [36] the .pdata table: byte 0 the entry count, 12-byte entries from +4
 *       {begin RVA, end RVA, UNWIND_INFO RVA} (x64 only)
 * Invariants: the walk ends within its frame limit; every range kstack.c gives has lo <= hi.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch/x64/x64_regs.h"
#include "arch/x86/x86_regs.h"
#include "base/cursor.h"
#include "nt/kernel.h"
#include "nt/kstack.h"
#include "unwind/x64/x64_unwind.h"
#include "unwind/x86/x86_unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_BASE_X64 0xfffff80000000000ULL
#define MEM_BASE_X86 0x80800000ULL
#define MAX_FRAMES 64

struct fuzz_kstack {
    struct target t;
    uint64_t base;
    const uint8_t *data;
    size_t size;
    uint32_t table; /* offset of the .pdata table in the input */
    bool no_table;
};

static struct dd_error *mem_read(struct target *t, uint64_t addr, void *buf, size_t n,
                                 size_t *ret_read)
{
    return dd_memmap_read(&t->memory, addr, buf, n, ret_read);
}

static const struct target_ops mem_ops = {.read_virtual = mem_read};

static uint64_t addr_at(const struct fuzz_kstack *f, size_t off)
{
    return f->base + (off + 4 <= f->size ? dd_le32(f->data + off) % f->size : 0);
}

static size_t fk_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct fuzz_kstack *f = ctx;
    size_t got = 0;
    dd_error_drop(target_read(&f->t, addr, buf, len, &got));
    return got;
}

static bool fk_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    struct fuzz_kstack *f = ctx;
    if (addr < f->base || addr - f->base >= f->size)
        return false;
    *ret_base = f->base;
    *ret_size = f->size;
    return true;
}

static enum unwind_lookup fk_find_function(void *ctx, uint64_t base, uint32_t rva,
                                           uint32_t *ret_begin, uint32_t *ret_end,
                                           uint32_t *ret_unwind)
{
    struct fuzz_kstack *f = ctx;
    (void)base;
    if (f->no_table || f->table >= f->size)
        return UNWIND_LOOKUP_UNAVAILABLE;
    const uint8_t *t = f->data + f->table;
    size_t avail = f->size - f->table;
    for (size_t i = 0; i < t[0] && 4 + 12 * (i + 1) <= avail; i++) {
        const uint8_t *e = t + 4 + 12 * i;
        uint32_t b = dd_le32(e), en = dd_le32(e + 4);
        if (rva >= b && rva < en) {
            *ret_begin = b;
            *ret_end = en;
            *ret_unwind = dd_le32(e + 8);
            return UNWIND_LOOKUP_FOUND;
        }
    }
    return UNWIND_LOOKUP_NONE;
}

static size_t fk_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    return fk_read_memory(ctx, base + rva, buf, len);
}

/* The ranges without a kernel: the thread's stack, user space and the trap frame. */
static void ranges_by_hand(const struct nt_thread *th, bool x86, struct nt_kstacks *ks)
{
    nt_kstacks_init(ks);
    nt_kstacks_add(ks, th->stack_limit, th->stack_base, NT_KSTACK_THREAD);
    nt_kstacks_add(ks, 0x10000, x86 ? 0x7fffffffull : 0x7fffffffffffull, NT_KSTACK_USER);
    nt_kstacks_add_trap_frame(ks, th->trap_frame);
    nt_kstacks_add_trap_frame(ks, th->initial_stack);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 40 || size > (1u << 20))
        return 0;
    static struct fuzz_kstack f; /* large (struct target): not on the stack */
    memset(&f, 0, sizeof(f));
    uint8_t flags = data[0];
    bool x86 = flags & 1;
    f.base = x86 ? MEM_BASE_X86 : MEM_BASE_X64;
    f.data = data;
    f.size = size;
    f.table = dd_le32(data + 36) % (uint32_t)size;
    f.no_table = (flags & 16) != 0;
    f.t.ops = &mem_ops;
    f.t.kind = TARGET_KERNEL;
    f.t.sys.cpu = x86 ? DD_CPU_X86 : DD_CPU_X64;
    f.t.kernel.minor_version = 19041;
    dd_memmap_init(&f.t.memory);
    dd_memmap_add(&f.t.memory, f.base, size, data);
    dd_memmap_finish(&f.t.memory);

    struct nt_thread th;
    memset(&th, 0, sizeof(th));
    th.have = NT_THR_STACKS | ((flags & 4) ? NT_THR_TRAP_FRAME : 0);
    th.stack_limit = addr_at(&f, 4);
    th.stack_base = addr_at(&f, 8);
    th.initial_stack = addr_at(&f, 12);
    th.trap_frame = addr_at(&f, 16);
    struct nt_processor p;
    memset(&p, 0, sizeof(p));
    p.prcb = addr_at(&f, 20);

    struct nt_kstacks ks;
    struct nt_kernel_options opt = {.no_scan = true};
    struct nt_kernel k;
    bool have_kernel = !(flags & 32) && !dd_error_drop(nt_kernel_init(&f.t, &opt, &k));
    if (!have_kernel || dd_error_drop(nt_kstacks_build(&k, &th, (flags & 2) ? &p : NULL, &ks)))
        ranges_by_hand(&th, x86, &ks);
    for (size_t i = 0; i < ks.nranges; i++) {
        if (ks.ranges[i].lo > ks.ranges[i].hi || !nt_kstack_kind_name(ks.ranges[i].kind))
            __builtin_trap();
        unsigned idx;
        bool trap_only;
        if (!nt_kstacks_range(&ks, ks.ranges[i].lo, &idx, &trap_only) || idx > i)
            __builtin_trap();
    }

    struct unwind_stacks st = {.range = nt_kstacks_range,
                               .ctx = &ks,
                               .trap_frames = ks.trap_frames,
                               .ntrap_frames = ks.ntrap_frames};
    struct unwind_env env = {.ctx = &f,
                             .read_memory = fk_read_memory,
                             .find_module = fk_find_module,
                             .find_function = fk_find_function,
                             .read_image = fk_read_image};
    struct unwind_options uo = {
        .max_frames = MAX_FRAMES, .scan_unverified = (flags & 8) != 0, .stacks = &st};
    struct unwind_regs start;
    memset(&start, 0, sizeof(start));
    struct unwind_walk w;
    struct dd_error *err;
    if (x86) {
        unwind_regs_set(&start, X86_EIP, addr_at(&f, 24));
        unwind_regs_set(&start, X86_ESP, addr_at(&f, 28));
        unwind_regs_set(&start, X86_EBP, addr_at(&f, 32));
        err = unwind_x86_walk(&env, &start, &uo, &w);
    } else {
        unwind_regs_set(&start, X64_RIP, addr_at(&f, 24));
        unwind_regs_set(&start, X64_RSP, addr_at(&f, 28));
        unwind_regs_set(&start, X64_RBP, addr_at(&f, 32));
        err = unwind_x64_walk(&env, &start, &uo, &w);
    }
    if (err) {
        dd_error_destroy(err);
    } else {
        if (w.nframes > MAX_FRAMES || w.nframes == 0)
            __builtin_trap();
        unwind_walk_deinit(&w);
    }
    dd_memmap_deinit(&f.t.memory);
    return 0;
}
