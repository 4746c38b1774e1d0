/*
 * Kernel stack walks: stack switches (DPC stack, expanded-stack segments), trap frames into user
 * mode (x64 KTRAP_FRAME, machine frames, x86 FRAME_TRAP frame data) and src/nt/kstack.c's ranges.
 * Synthetic: every stack word, UNWIND_INFO (Microsoft "x64 exception handling") and KTRAP_FRAME
 * field (offsets from the _KTRAP_FRAME type of ntkrnlmp.pdb 19041, the ISF in the corpus, and
 * the x86 _KTRAP_FRAME of the Windows 10 headers) is written here, so the expected frames follow
 * from these bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x64/x64_regs.h"
#include "arch/x86/x86_regs.h"
#include "check.h"
#include "cmd/cmd_stack.h"
#include "cmd/session.h"
#include "nt/kstack.h"
#include "test_nt_fake.h"
#include "unwind/x64/x64_unwind.h"
#include "unwind/x86/x86_unwind.h"

/* ---- a synthetic x64 kernel: one image, stacks as fake blocks -------------------------- */

#define KIMG 0xfffff80000800000ULL /* "nt": code and unwind data */
#define KIMG_SIZE 0x2000u
#define UIMG 0x00007ffa00000000ULL /* "ntdll" */
#define UIMG_SIZE 0x1000u
#define THREAD_LO 0xffffa00000100000ULL /* the thread's stack [lo, lo + 0x6000] */
#define DPC_LO 0xffffa00000300000ULL    /* the DPC stack, above the thread's */
#define USER_STACK 0x000000e800000000ULL

struct kfn {
    uint32_t begin, end, unwind;
};

struct kenv {
    struct nt_fake f;
    uint8_t *kimg, *uimg;
    struct kfn fns[8];
    size_t nfns;
};

static size_t k_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct kenv *e = ctx;
    size_t got = 0;
    dd_error_destroy(target_read(&e->f.t, addr, buf, len, &got));
    return got;
}

static bool k_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    if (addr >= KIMG && addr - KIMG < KIMG_SIZE) {
        *ret_base = KIMG;
        *ret_size = KIMG_SIZE;
        return true;
    }
    if (addr >= UIMG && addr - UIMG < UIMG_SIZE) {
        *ret_base = UIMG;
        *ret_size = UIMG_SIZE;
        return true;
    }
    return false;
}

static enum unwind_lookup k_find_function(void *ctx, uint64_t base, uint32_t rva,
                                          uint32_t *ret_begin, uint32_t *ret_end,
                                          uint32_t *ret_unwind)
{
    struct kenv *e = ctx;
    if (base != KIMG)
        return UNWIND_LOOKUP_NONE;
    for (size_t i = 0; i < e->nfns; i++)
        if (rva >= e->fns[i].begin && rva < e->fns[i].end) {
            *ret_begin = e->fns[i].begin;
            *ret_end = e->fns[i].end;
            *ret_unwind = e->fns[i].unwind;
            return UNWIND_LOOKUP_FOUND;
        }
    return UNWIND_LOOKUP_NONE; /* a leaf: the return address is at rsp */
}

static void kenv_init(struct kenv *e)
{
    memset(e, 0, sizeof(*e));
    nt_fake_init(&e->f, DD_CPU_X64, 19041);
    e->kimg = nt_fake_block(&e->f, KIMG, KIMG_SIZE);
    e->uimg = nt_fake_block(&e->f, UIMG, UIMG_SIZE);
    memset(e->kimg, 0x90, KIMG_SIZE); /* nop: no epilog anywhere */
    memset(e->uimg, 0x90, UIMG_SIZE);
}

static struct unwind_env kenv_env(struct kenv *e)
{
    struct unwind_env env = {.ctx = e,
                             .read_memory = k_read_memory,
                             .find_module = k_find_module,
                             .find_function = k_find_function};
    return env;
}

/* A function at RVA BEGIN (0x80 bytes) with the UNWIND_INFO BYTES placed at RVA UNWIND. */
static void add_fn(struct kenv *e, uint32_t begin, uint32_t unwind, const uint8_t *bytes, size_t n)
{
    memcpy(e->kimg + unwind, bytes, n);
    e->fns[e->nfns++] = (struct kfn){begin, begin + 0x80, unwind};
}

/*
 * "push rbp; mov rbp, rsp" (prolog 4 bytes): UNWIND_INFO v1, FrameRegister rbp, offset 0;
 * codes (last first): SET_FPREG at 4 (op 3), PUSH_NONVOL rbp at 1 (op 0, info 5). Unwinding
 * sets rsp = rbp, pops rbp and returns: the caller's stack is wherever rbp pointed, which is
 * how a stack-switching function (KiSwitchKernelStackContinue, a DPC dispatcher) is described.
 */
static const uint8_t fp_frame_info[] = {0x01, 0x04, 0x02, 0x05, 0x04, 0x03, 0x01, 0x50};

static void kregs_start(struct unwind_regs *r, uint64_t rip, uint64_t rsp, uint64_t rbp)
{
    memset(r, 0, sizeof(*r));
    unwind_regs_set(r, X64_RIP, rip);
    unwind_regs_set(r, X64_RSP, rsp);
    unwind_regs_set(r, X64_RBP, rbp);
}

static uint8_t *kblock(struct kenv *e, uint64_t addr, size_t size)
{
    return nt_fake_block(&e->f, addr, size);
}

/* Ranges: 0 the thread's stack, 1 the DPC stack, 2 user space. */
static void kstacks_simple(struct nt_kstacks *ks)
{
    nt_kstacks_init(ks);
    CHECK(nt_kstacks_add(ks, THREAD_LO, THREAD_LO + 0x6000, NT_KSTACK_THREAD));
    CHECK(nt_kstacks_add(ks, DPC_LO, DPC_LO + 0x6000, NT_KSTACK_DPC));
    CHECK(nt_kstacks_add(ks, 0x10000, 0xffff7fffffffffffULL, NT_KSTACK_USER));
}

TEST(kstack_ranges_lookup)
{
    struct nt_kstacks ks;
    kstacks_simple(&ks);
    unsigned idx = 99;
    bool trap_only = true;
    CHECK(nt_kstacks_range(&ks, THREAD_LO + 0x10, &idx, &trap_only));
    CHECK_EQ(idx, 0);
    CHECK(!trap_only);
    CHECK(nt_kstacks_range(&ks, DPC_LO + 0x6000, &idx, &trap_only));
    CHECK_EQ(idx, 1);
    CHECK(nt_kstacks_range(&ks, USER_STACK, &idx, &trap_only));
    CHECK_EQ(idx, 2);
    CHECK(trap_only);
    CHECK(!nt_kstacks_range(&ks, 0xffffa00000200000ULL, &idx, &trap_only));
    CHECK(!nt_kstacks_add(&ks, 5, 4, NT_KSTACK_ISR));
    nt_kstacks_add_trap_frame(&ks, 0);
    nt_kstacks_add_trap_frame(&ks, 0x1000);
    nt_kstacks_add_trap_frame(&ks, 0x1000);
    CHECK_EQ(ks.ntrap_frames, 1);
    CHECK_STR(nt_kstack_kind_name(NT_KSTACK_DPC), "DPC");
}

/*
 * A DPC routine (leaf, RVA 0x500) on the DPC stack returns into the DPC dispatcher (RVA 0x100,
 * an rbp frame) whose rbp points at the thread's stack, which lies below the DPC stack.
 */
static void build_dpc_world(struct kenv *e, bool loop_back)
{
    kenv_init(e);
    add_fn(e, 0x100, 0x1000, fp_frame_info, sizeof(fp_frame_info));
    uint8_t *dpc = kblock(e, DPC_LO, 0x6000);
    uint8_t *thr = kblock(e, THREAD_LO, 0x6000);
    /* DPC stack at 0x5f00: the return address into the dispatcher body. */
    nt_put64(dpc + 0x5f00, KIMG + 0x120);
    /* Thread stack at rbp = 0x5000: saved rbp, then the return address into a leaf at 0x600. */
    nt_put64(thr + 0x5000, loop_back ? DPC_LO + 0x5f80 : 0);
    nt_put64(thr + 0x5008, KIMG + 0x610);
    /* The leaf at 0x600: its caller's return address at rsp 0x5010 is 0 (the end). */
    nt_put64(thr + 0x5010, 0);
    /* loop_back: the DPC stack again, below where the walk started. */
    nt_put64(dpc + 0x5f88, KIMG + 0x120);
    nt_fake_finish(&e->f);
}

TEST(kstack_dpc_stack_switch)
{
    struct kenv e;
    build_dpc_world(&e, false);
    struct unwind_env env = kenv_env(&e);
    struct unwind_regs start;
    kregs_start(&start, KIMG + 0x500, DPC_LO + 0x5f00, THREAD_LO + 0x5000);

    /* Without the ranges the switch down to the thread's stack is "no progress". */
    struct unwind_walk w;
    CHECK_OK(unwind_x64_walk(&env, &start, NULL, &w));
    CHECK_EQ(w.nframes, 2);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_PROGRESS);
    if (w.nframes == 2) {
        CHECK(w.frames[1].has_return_address);
        CHECK_EQ(w.frames[1].return_address, KIMG + 0x610);
    }
    unwind_walk_deinit(&w);

    struct nt_kstacks ks;
    kstacks_simple(&ks);
    struct unwind_stacks us = {.range = nt_kstacks_range, .ctx = &ks};
    struct unwind_options o = {.stacks = &us};
    CHECK_OK(unwind_x64_walk(&env, &start, &o, &w));
    CHECK_EQ(w.nframes, 3);
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    if (w.nframes == 3) {
        CHECK_EQ(w.frames[1].ip, KIMG + 0x120);
        CHECK_EQ(w.frames[1].sp, DPC_LO + 0x5f08);
        CHECK_EQ(w.frames[2].ip, KIMG + 0x610);
        CHECK_EQ(w.frames[2].sp, THREAD_LO + 0x5010);
    }
    unwind_walk_deinit(&w);
    nt_fake_deinit(&e.f);
}

TEST(kstack_dpc_stack_entered_once)
{
    /* The thread's frame points back into the DPC stack: a range is entered at most once. */
    struct kenv e;
    build_dpc_world(&e, true);
    /* The thread-stack frame is an rbp frame too, whose saved rbp leads back to DPC_LO+0x5f80. */
    e.fns[e.nfns++] = (struct kfn){0x600, 0x680, 0x1000};
    struct unwind_env env = kenv_env(&e);
    struct unwind_regs start;
    kregs_start(&start, KIMG + 0x500, DPC_LO + 0x5f00, THREAD_LO + 0x5000);
    struct nt_kstacks ks;
    kstacks_simple(&ks);
    struct unwind_stacks us = {.range = nt_kstacks_range, .ctx = &ks};
    struct unwind_options o = {.stacks = &us};
    struct unwind_walk w;
    CHECK_OK(unwind_x64_walk(&env, &start, &o, &w));
    /* 0 DPC routine, 1 dispatcher (DPC stack), 2 thread frame; its caller would be on the DPC
     * stack again and is refused. */
    CHECK_EQ(w.nframes, 3);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_PROGRESS);
    unwind_walk_deinit(&w);
    nt_fake_deinit(&e.f);
}

/*
 * An expanded stack (KeExpandKernelStackAndCalloutEx): the thread runs on a new segment
 * [NEW_LO, NEW_LO + 0x6000] above its first one [OLD_LO, OLD_LO + 0x6000]; the KSTACK_CONTROL
 * (0x30 bytes, x64 19041) at the new segment's top names the old one, whose own control block
 * has no previous segment. The first segment's InitialStack is OLD_LO + 0x6000 - 0x370.
 */
#define OLD_LO 0xffffa00000500000ULL
#define NEW_LO 0xffffa00000700000ULL
#define PRCB 0xfffff80000900180ULL

static void build_segment_world(struct kenv *e, struct nt_thread *th, struct nt_processor *p)
{
    kenv_init(e);
    add_fn(e, 0x100, 0x1000, fp_frame_info, sizeof(fp_frame_info));
    uint8_t *news = kblock(e, NEW_LO, 0x6000);
    uint8_t *olds = kblock(e, OLD_LO, 0x6000);
    uint8_t *prcb = kblock(e, PRCB, 0x9000);
    /* _KSTACK_CONTROL at the top of the new segment: Previous = the old segment. */
    uint8_t *ctl = news + 0x6000 - 0x30;
    nt_put64(ctl + 0x00, NEW_LO + 0x6000);   /* StackBase */
    nt_put64(ctl + 0x08, NEW_LO);            /* ActualLimit */
    nt_put64(ctl + 0x10, OLD_LO + 0x6000);   /* Previous.StackBase */
    nt_put64(ctl + 0x18, OLD_LO);            /* Previous.StackLimit */
    nt_put64(ctl + 0x20, OLD_LO + 0x5000);   /* Previous.KernelStack */
    nt_put64(ctl + 0x28, OLD_LO + 0x5c90);   /* Previous.InitialStack */
    /* The old segment's control block: Previous.StackBase 0 (the first segment). */
    nt_put64(olds + 0x6000 - 0x30, OLD_LO + 0x6000);
    /* KPRCB.DpcStack (0x3110) and IsrStack (0x85d8): stack bases. */
    nt_put64(prcb + 0x3110, DPC_LO + 0x6000);
    nt_put64(prcb + 0x85d8, 0xffffa00000900000ULL + 0x6000);
    /* The callout (leaf at 0x500) on the new segment returns into the expander (rbp frame at
     * 0x100) whose rbp points into the old segment. */
    nt_put64(news + 0x1000, KIMG + 0x120);
    nt_put64(olds + 0x4000, 0);
    nt_put64(olds + 0x4008, KIMG + 0x610);
    nt_put64(olds + 0x4010, 0);
    nt_fake_finish(&e->f);

    memset(th, 0, sizeof(*th));
    th->have = NT_THR_STACKS;
    th->stack_limit = NEW_LO;
    th->stack_base = NEW_LO + 0x6000;
    th->initial_stack = NEW_LO + 0x6000 - 0x370;
    memset(p, 0, sizeof(*p));
    p->prcb = PRCB;
}

static void kernel_for(struct kenv *e, struct nt_kernel *k)
{
    memset(k, 0, sizeof(*k));
    k->target = &e->f.t;
    k->cpu = DD_CPU_X64;
    k->ptr_size = 8;
    k->build = 19041;
    k->mm_system_range_start = 0xffff800000000000ULL;
}

TEST(kstack_expanded_segment)
{
    struct kenv e;
    struct nt_thread th;
    struct nt_processor p;
    build_segment_world(&e, &th, &p);
    struct nt_kernel k;
    kernel_for(&e, &k);
    struct nt_kstacks ks;
    CHECK_OK(nt_kstacks_build(&k, &th, &p, &ks));
    CHECK_EQ(ks.nranges, 5);
    if (ks.nranges == 5) {
        CHECK_EQ(ks.ranges[0].kind, NT_KSTACK_THREAD);
        CHECK_EQ(ks.ranges[0].lo, NEW_LO);
        CHECK_EQ(ks.ranges[1].kind, NT_KSTACK_SEGMENT);
        CHECK_EQ(ks.ranges[1].lo, OLD_LO);
        CHECK_EQ(ks.ranges[1].hi, OLD_LO + 0x6000);
        CHECK_EQ(ks.ranges[2].kind, NT_KSTACK_DPC);
        CHECK_EQ(ks.ranges[2].lo, DPC_LO);
        CHECK_EQ(ks.ranges[3].kind, NT_KSTACK_ISR);
        CHECK_EQ(ks.ranges[3].lo, 0xffffa00000900000ULL);
        CHECK_EQ(ks.ranges[4].kind, NT_KSTACK_USER);
        CHECK_EQ(ks.ranges[4].hi, 0xffff7fffffffffffULL);
    }
    /* The base trap frame lies below the FIRST segment's InitialStack (sizeof 0x190). */
    CHECK_EQ(ks.ntrap_frames, 1);
    CHECK_EQ(ks.trap_frames[0], OLD_LO + 0x5c90 - 0x190);

    struct unwind_env env = kenv_env(&e);
    struct unwind_regs start;
    kregs_start(&start, KIMG + 0x500, NEW_LO + 0x1000, OLD_LO + 0x4000);
    struct unwind_stacks us = {.range = nt_kstacks_range, .ctx = &ks};
    struct unwind_options o = {.stacks = &us, .no_scan = true};
    struct unwind_walk w;
    CHECK_OK(unwind_x64_walk(&env, &start, &o, &w));
    CHECK_EQ(w.nframes, 3);
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    if (w.nframes == 3)
        CHECK_EQ(w.frames[2].sp, OLD_LO + 0x4010);
    unwind_walk_deinit(&w);

    /* The old segment's control block naming the new segment again is a loop: not followed. */
    uint8_t *old_ctl = e.f.owned[3] + 0x6000 - 0x30; /* blocks: kimg, uimg, new, old, prcb */
    nt_put64(old_ctl + 0x10, NEW_LO + 0x6000);
    nt_put64(old_ctl + 0x18, NEW_LO);
    nt_put64(old_ctl + 0x28, NEW_LO + 0x5c90);
    CHECK_OK(nt_kstacks_build(&k, &th, &p, &ks));
    CHECK_EQ(ks.nranges, 5);
    CHECK_EQ(ks.trap_frames[0], OLD_LO + 0x5c90 - 0x190);

    /* A thread without a known stack gives no ranges. */
    th.have = 0;
    struct dd_error *err = nt_kstacks_build(&k, &th, &p, &ks);
    CHECK(err && err->code == DD_ERR_NOT_FOUND);
    dd_error_destroy(err);
    nt_fake_deinit(&e.f);
}

/* A KTRAP_FRAME (x64) at TF: a system call from user mode (SegCs 0x33). */
static void put_user_trap(uint8_t *tf, uint64_t rip, uint64_t rsp, uint64_t rbp)
{
    nt_put64(tf + 0x30, 0x1111); /* Rax */
    nt_put64(tf + 0x60, 0x2222); /* R11 */
    nt_put64(tf + 0x158, rbp);
    nt_put64(tf + 0x168, rip);
    nt_put16(tf + 0x170, 0x33);
    nt_put32(tf + 0x178, 0x246);
    nt_put64(tf + 0x180, rsp);
    nt_put16(tf + 0x188, 0x2b);
}

TEST(kstack_x64_trap_frame_into_user)
{
    struct kenv e;
    kenv_init(&e);
    uint8_t *thr = kblock(&e, THREAD_LO, 0x6000);
    uint8_t *ustk = kblock(&e, USER_STACK, 0x1000);
    /* Frame 0 (a leaf in nt at 0x700) whose return slot holds no code address: no caller. */
    nt_put64(thr + 0x5000, 0x1234);
    /* The base trap frame at the stack's top: back to ntdll!NtXxx+0x14 (leaf) in user mode. */
    uint64_t tf = THREAD_LO + 0x6000 - 0x190;
    put_user_trap(thr + 0x6000 - 0x190, UIMG + 0x14, USER_STACK + 0x800, USER_STACK + 0x900);
    nt_put64(ustk + 0x800, 0); /* the user leaf returns to 0: the end */
    nt_fake_finish(&e.f);
    struct unwind_env env = kenv_env(&e);
    struct unwind_regs start;
    kregs_start(&start, KIMG + 0x700, THREAD_LO + 0x5000, 0);

    struct unwind_walk w;
    struct unwind_options plain = {.no_scan = true};
    CHECK_OK(unwind_x64_walk(&env, &start, &plain, &w));
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);

    struct nt_kstacks ks;
    kstacks_simple(&ks);
    nt_kstacks_add_trap_frame(&ks, tf);
    nt_kstacks_add_trap_frame(&ks, THREAD_LO + 0x100); /* below frame 0: never used */
    struct unwind_stacks us = {.range = nt_kstacks_range,
                               .ctx = &ks,
                               .trap_frames = ks.trap_frames,
                               .ntrap_frames = ks.ntrap_frames};
    struct unwind_options o = {.stacks = &us, .no_scan = true};
    CHECK_OK(unwind_x64_walk(&env, &start, &o, &w));
    CHECK_EQ(w.nframes, 2);
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    if (w.nframes == 2) {
        const struct unwind_frame *u = &w.frames[1];
        CHECK_EQ(w.frames[0].return_address, UIMG + 0x14);
        CHECK_EQ(u->ip, UIMG + 0x14);
        CHECK_EQ(u->sp, USER_STACK + 0x800);
        CHECK(u->flags & UNWIND_FRAME_TRAP);
        CHECK_EQ(u->trap_frame, tf);
        CHECK_EQ(unwind_x64_trap_frame_of(u), tf);
        CHECK_EQ(u->regs.r[X64_RBP], USER_STACK + 0x900);
        CHECK_EQ(u->regs.r[X64_RAX], 0x1111);
        CHECK_EQ(u->regs.r[X64_R11], 0x2222);
        CHECK_EQ(u->regs.r[X64_CS], 0x33);
        CHECK(!unwind_regs_has(&u->regs, X64_RBX));
    }
    unwind_walk_deinit(&w);

    /* A trap frame whose SegCs says user mode but whose rip is a kernel address is refused. */
    nt_put64(thr + 0x6000 - 0x190 + 0x168, KIMG + 0x20);
    CHECK_OK(unwind_x64_walk(&env, &start, &o, &w));
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);
    nt_fake_deinit(&e.f);
}

/*
 * KiSystemCall64-like (RVA 0x200): PUSH_MACHFRAME at 0 then ALLOC_LARGE 0x168 at 8 (codes last
 * first: {8, op 1 info 0}, {0x2d}, {0, op 10}). Its frame's rsp + 0x168 is the machine frame,
 * the tail of a KTRAP_FRAME whose start is therefore at that rsp.
 */
static const uint8_t machframe_info[] = {0x01, 0x08, 0x03, 0x00, 0x08, 0x01,
                                         0x2d, 0x00, 0x00, 0x0a, 0x00, 0x00};

TEST(kstack_x64_machine_frame_into_user)
{
    struct kenv e;
    kenv_init(&e);
    add_fn(&e, 0x200, 0x1100, machframe_info, sizeof(machframe_info));
    uint8_t *thr = kblock(&e, THREAD_LO, 0x6000);
    uint8_t *ustk = kblock(&e, USER_STACK, 0x1000);
    uint64_t tf = THREAD_LO + 0x6000 - 0x190;
    put_user_trap(thr + 0x6000 - 0x190, UIMG + 0x14, USER_STACK + 0x800, USER_STACK + 0x900);
    nt_put64(ustk + 0x800, 0);
    nt_fake_finish(&e.f);
    struct unwind_env env = kenv_env(&e);
    struct unwind_regs start;
    kregs_start(&start, KIMG + 0x240, tf, 0);

    /* Without ranges the move to the user stack (far below) is "no progress". */
    struct unwind_walk w;
    CHECK_OK(unwind_x64_walk(&env, &start, NULL, &w));
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_PROGRESS);
    unwind_walk_deinit(&w);

    struct nt_kstacks ks;
    kstacks_simple(&ks);
    struct unwind_stacks us = {.range = nt_kstacks_range, .ctx = &ks};
    struct unwind_options o = {.stacks = &us};
    CHECK_OK(unwind_x64_walk(&env, &start, &o, &w));
    CHECK_EQ(w.nframes, 2);
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    if (w.nframes == 2) {
        CHECK(w.frames[1].flags & UNWIND_FRAME_TRAP);
        CHECK_EQ(w.frames[1].sp, USER_STACK + 0x800);
        CHECK_EQ(unwind_x64_trap_frame_of(&w.frames[1]), tf);
    }
    unwind_walk_deinit(&w);

    /* The user frame finds no caller: the kernel's trap frames do not apply in user mode (the
     * machine frame already used this one), so the walk ends there. */
    nt_put64(ustk + 0x800, 0x1234);
    nt_kstacks_add_trap_frame(&ks, tf);
    us.trap_frames = ks.trap_frames;
    us.ntrap_frames = ks.ntrap_frames;
    o.no_scan = true;
    CHECK_OK(unwind_x64_walk(&env, &start, &o, &w));
    CHECK_EQ(w.nframes, 2);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);
    nt_fake_deinit(&e.f);
}

/* ---- x86: FRAME_TRAP frame data ------------------------------------------------------- */

#define K32 0x80800000u /* nt */
#define K32_SIZE 0x10000u
#define TRAP32_FN 0x80801000u /* KiTrap0E: FPO type FRAME_TRAP */
#define STACK32 0x8f000000u

static bool x86_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    if (addr < K32 || addr - K32 >= K32_SIZE)
        return false;
    *ret_base = K32;
    *ret_size = K32_SIZE;
    return true;
}

static bool x86_info(void *ctx, uint64_t addr, struct unwind_x86_frame_info *ret)
{
    if (addr < TRAP32_FN || addr >= TRAP32_FN + 0x100)
        return false;
    ret->has_frame = true;
    ret->type = UNWIND_X86_FRAME_TRAP;
    ret->rva = TRAP32_FN - K32;
    ret->code_size = 0x100;
    return true;
}

/* An x86 KTRAP_FRAME at TF (Windows 10 layout from Edi on). */
static void put_trap32(uint8_t *tf, uint32_t eip, uint32_t cs, uint32_t ebp, uint32_t hw_esp)
{
    nt_put32(tf + 0x54, 0xd1);   /* Edi */
    nt_put32(tf + 0x58, 0x51);   /* Esi */
    nt_put32(tf + 0x5c, 0xb1);   /* Ebx */
    nt_put32(tf + 0x60, ebp);    /* Ebp */
    nt_put32(tf + 0x68, eip);    /* Eip */
    nt_put32(tf + 0x6c, cs);     /* SegCs */
    nt_put32(tf + 0x70, 0x10246); /* EFlags */
    nt_put32(tf + 0x74, hw_esp); /* HardwareEsp */
    nt_put32(tf + 0x78, 0x23);   /* HardwareSegSs */
}

TEST(kstack_x86_frame_trap)
{
    struct kenv e;
    memset(&e, 0, sizeof(e));
    nt_fake_init(&e.f, DD_CPU_X86, 7601);
    struct nt_fake *fk = &e.f;
    uint8_t *img = nt_fake_block(fk, K32, K32_SIZE);
    memset(img, 0x90, K32_SIZE);
    uint8_t *stk = nt_fake_block(fk, STACK32, 0x3000);
    uint8_t *ustk = nt_fake_block(fk, 0x0012f000u, 0x1000);
    /* A kernel-mode page fault: KiTrap0E's ebp is its trap frame at STACK32+0x1000; the
     * interrupted code (nt+0x2345) had ebp STACK32+0x2000, whose chain ends there. */
    put_trap32(stk + 0x1000, K32 + 0x2345, 0x8, STACK32 + 0x2000, 0xdeadbeef);
    nt_fake_finish(fk);
    struct unwind_x86_frame_info_source src = {x86_info, NULL};
    struct unwind_env env = {.ctx = &e,
                             .read_memory = k_read_memory,
                             .find_module = x86_find_module,
                             .arch_data = &src};
    struct unwind_regs start;
    memset(&start, 0, sizeof(start));
    unwind_regs_set(&start, X86_EIP, TRAP32_FN + 0x40);
    unwind_regs_set(&start, X86_ESP, STACK32 + 0xfd0);
    unwind_regs_set(&start, X86_EBP, STACK32 + 0x1000);
    struct unwind_walk w;
    struct unwind_options o = {.no_scan = true};
    CHECK_OK(unwind_x86_walk(&env, &start, &o, &w));
    CHECK(w.nframes >= 2);
    if (w.nframes >= 2) {
        const struct unwind_frame *c = &w.frames[1];
        CHECK_EQ(c->ip, K32 + 0x2345);
        /* A kernel-mode trap pushed no esp: the interrupted esp is the HardwareEsp slot. */
        CHECK_EQ(c->sp, STACK32 + 0x1000 + 0x74);
        CHECK_EQ(c->regs.r[X86_EBP], STACK32 + 0x2000);
        CHECK_EQ(c->regs.r[X86_EBX], 0xb1);
        CHECK(c->flags & UNWIND_FRAME_TRAP);
        CHECK_EQ(c->trap_frame, STACK32 + 0x1000);
        CHECK(!unwind_regs_has(&c->regs, X86_EAX));
    }
    unwind_walk_deinit(&w);

    /* From user mode (SegCs 0x1b): esp is HardwareEsp, far below; user space is a range. */
    put_trap32(stk + 0x1000, 0x00401234u, 0x1b, 0x0012ff00u, 0x0012fe00u);
    nt_put32(ustk + 0xf00, 0); /* the user frame's EBP chain ends */
    nt_put32(ustk + 0xf04, 0);
    struct nt_kstacks ks;
    nt_kstacks_init(&ks);
    nt_kstacks_add(&ks, STACK32, STACK32 + 0x3000, NT_KSTACK_THREAD);
    nt_kstacks_add(&ks, 0x10000, 0x7fffffff, NT_KSTACK_USER);
    struct unwind_stacks us = {.range = nt_kstacks_range, .ctx = &ks};
    o.stacks = &us;
    CHECK_OK(unwind_x86_walk(&env, &start, &o, &w));
    CHECK(w.nframes >= 2);
    if (w.nframes >= 2) {
        CHECK_EQ(w.frames[1].ip, 0x00401234u);
        CHECK_EQ(w.frames[1].sp, 0x0012fe00u);
        CHECK_EQ(w.frames[1].regs.r[X86_EBP], 0x0012ff00u);
    }
    unwind_walk_deinit(&w);
    /* Without the ranges the drop to the user stack is refused. */
    o.stacks = NULL;
    CHECK_OK(unwind_x86_walk(&env, &start, &o, &w));
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_PROGRESS);
    unwind_walk_deinit(&w);
    nt_fake_deinit(fk);
}

/* ---- k's kernel part: the current processor's thread in the synthetic world ---------------- */

TEST(kstack_session_current_thread)
{
    struct nt_fake f;
    struct nt_fake_world w;
    nt_fake_world_build(&f, &w);
    /* The kernel target numbers its "threads" by processor; processor 0 runs FK_ETHREAD(1). */
    struct target_thread cpu0;
    memset(&cpu0, 0, sizeof(cpu0));
    f.t.threads = &cpu0;
    f.t.nthreads = 1;
    struct dd_strbuf out = {0};
    struct dd_writer wr = dd_writer_strbuf(&out);
    struct session s;
    session_init(&s, &f.t, &wr, "kernel.dmp");
    struct cmd_kernel_stacks *kst = malloc(sizeof(*kst));
    /* A stack pointer on FK_ETHREAD(1)'s stack [FK_STACK(1) + 0x2000, FK_STACK(1) + 0x8000]. */
    CHECK(cmd_stack_kernel_stacks(&s, FK_STACK(1) + 0x3000, kst));
    CHECK(kst->ks.nranges >= 2);
    if (kst->ks.nranges >= 2) {
        CHECK_EQ(kst->ks.ranges[0].kind, NT_KSTACK_THREAD);
        CHECK_EQ(kst->ks.ranges[0].lo, FK_STACK(1) + 0x2000);
        CHECK_EQ(kst->ks.ranges[0].hi, FK_STACK(1) + 0x8000);
        CHECK_EQ(kst->ks.ranges[kst->ks.nranges - 1].kind, NT_KSTACK_USER);
    }
    /* The base trap frame: InitialStack (FK_STACK(1) + 0x7c90) less sizeof(KTRAP_FRAME). */
    CHECK_EQ(kst->us.ntrap_frames, 1);
    CHECK_EQ(kst->us.trap_frames[0], FK_STACK(1) + 0x7c90 - 0x190);
    CHECK(kst->us.ctx == &kst->ks);
    /* A context elsewhere (the processor's saved rsp, another thread's stack) gets none. */
    CHECK(!cmd_stack_kernel_stacks(&s, 0xfffff80000791f00ULL, kst));
    CHECK(!cmd_stack_kernel_stacks(&s, FK_STACK(0) + 0x3000, kst));
    free(kst);

    /* kv's "(TrapFrame @ ...)": frame 0's caller came from the KTRAP_FRAME at 0x...2c40; the
     * second from a machine frame whose Rip slot is at 0x...3168 (KTRAP_FRAME + 0x168). */
    struct unwind_frame uf[4];
    memset(uf, 0, sizeof(uf));
    uf[1].flags = UNWIND_FRAME_TRAP;
    uf[1].trap_frame = 0xffffd001c70c2c40ULL;
    uf[3].flags = UNWIND_FRAME_TRAP;
    unwind_regs_set_saved(&uf[3].regs, X64_RIP, 0x7ff600001000ULL, 0xffffd001c70c3168ULL);
    struct cmd_frame cf[4];
    memset(cf, 0, sizeof(cf));
    for (size_t i = 0; i < 4; i++)
        cf[i].phys = i;
    struct cmd_frames fs = {.walk = {.frames = uf, .nframes = 4}, .frames = cf, .count = 4};
    s.effmach = &arch_x64;
    dd_strbuf_reset(&out);
    for (size_t i = 0; i < 4; i++) {
        stack_trap_frame_text(&s, &fs, i, &wr);
        dd_puts(&wr, "|");
    }
    CHECK_STR(out.data, " (TrapFrame @ ffffd001`c70c2c40)|| (TrapFrame @ ffffd001`c70c3000)||");
    session_deinit(&s);
    dd_strbuf_deinit(&out);
    f.t.threads = NULL;
    f.t.nthreads = 0;
    nt_fake_deinit(&f);
}
