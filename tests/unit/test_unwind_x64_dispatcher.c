/*
 * x64 unwinding through KiUserExceptionDispatcher (src/unwind/x64/x64_dispatcher.c). A
 * synthetic stack: the dispatcher's frame has a CONTEXT at its stack pointer (winnt.h AMD64
 * CONTEXT: ContextFlags 0x30, SegCs 0x38, SegSs 0x42, EFlags 0x44, Rax..R15 from 0x78, Rip
 * 0xf8) and the EXCEPTION_RECORD at +0x4f0 (ExceptionAddress 0x10, NumberParameters 0x18),
 * as Windows and Wine 8 lay them out. Expected values are the ones written here.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x64/x64_regs.h"
#include "base/cursor.h"
#include "unwind/x64/x64_unwind.h"
#include "check.h"

#define MOD_BASE 0x140000000ull
#define MOD_SIZE 0x4000u
#define STACK_BASE 0x10000ull
#define STACK_SIZE 0x3000u

struct dfake {
    uint8_t image[MOD_SIZE];
    uint8_t stack[STACK_SIZE];
    bool tables; /* false: no unwind data for the module (a scan) */
};

static size_t d_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct dfake *f = ctx;
    const uint8_t *src = NULL;
    size_t avail = 0;
    if (addr >= STACK_BASE && addr - STACK_BASE < STACK_SIZE) {
        src = f->stack + (addr - STACK_BASE);
        avail = STACK_SIZE - (size_t)(addr - STACK_BASE);
    } else if (addr >= MOD_BASE && addr - MOD_BASE < MOD_SIZE) {
        src = f->image + (addr - MOD_BASE);
        avail = MOD_SIZE - (size_t)(addr - MOD_BASE);
    }
    size_t n = avail < len ? avail : len;
    if (n)
        memcpy(buf, src, n);
    return n;
}

static bool d_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    (void)ctx;
    if (addr < MOD_BASE || addr - MOD_BASE >= MOD_SIZE)
        return false;
    *ret_base = MOD_BASE;
    *ret_size = MOD_SIZE;
    return true;
}

/*
 * Functions: F (the filter) 0x1000-0x1010, UNWIND_INFO at 0x3000: ALLOC_SMALL 0x28 after a
 * 4-byte prolog; D (the dispatcher) 0x1100-0x1120 and G (the faulting function)
 * 0x1200-0x1220 have no entry: leaves.
 */
static enum unwind_lookup d_find_function(void *ctx, uint64_t base, uint32_t rva, uint32_t *ret_begin,
                                          uint32_t *ret_end, uint32_t *ret_unwind_rva)
{
    struct dfake *f = ctx;
    (void)base;
    if (!f->tables)
        return UNWIND_LOOKUP_UNAVAILABLE;
    if (rva >= 0x1000 && rva < 0x1010) {
        *ret_begin = 0x1000;
        *ret_end = 0x1010;
        *ret_unwind_rva = 0x3000;
        return UNWIND_LOOKUP_FOUND;
    }
    return UNWIND_LOOKUP_NONE;
}

static struct dfake *dfake_new(void)
{
    struct dfake *f = calloc(1, sizeof(*f));
    f->tables = true;
    /* F: sub rsp,28h; nop...; UNWIND_INFO v1, prolog 4, one code: ALLOC_SMALL (op 2) info 4. */
    memcpy(f->image + 0x1000, "\x48\x83\xec\x28\x90\x90\x90\x90", 8);
    static const uint8_t info[] = {0x01, 0x04, 0x01, 0x00, 0x04, 0x42, 0x00, 0x00};
    memcpy(f->image + 0x3000, info, sizeof(info));
    /* D: call F (e8 rel32 to 0x1000 from 0x1105) at 0x1100, so 0x1105 follows a call. */
    memcpy(f->image + 0x1100, "\xe8\xfb\xfe\xff\xff\xcc", 6);
    /* Elsewhere a call whose return address 0x2005 is a plausible stale scan hit. */
    memcpy(f->image + 0x2000, "\xe8\xfb\xef\xff\xff\x90", 6);
    return f;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put64(struct dfake *f, uint64_t addr, uint64_t v)
{
    dd_put_le64(f->stack + (addr - STACK_BASE), v);
}

#define G_FAULT (MOD_BASE + 0x1210)
#define G_RSP (STACK_BASE + 0x2800)

/* A dispatcher CONTEXT at CTX whose registers are 0x5000 + slot, rip G_FAULT, rsp G_RSP. */
static void put_dispatch(struct dfake *f, uint64_t ctx, uint64_t record_address)
{
    uint8_t *p = f->stack + (ctx - STACK_BASE);
    dd_put_le32(p + 0x30, 0x0010001f); /* CONTEXT_AMD64 | CONTROL | INTEGER | SEGMENTS | FP | DEBUG */
    put16(p + 0x38, 0x33);
    put16(p + 0x42, 0x2b);
    dd_put_le32(p + 0x44, 0x10246);
    for (unsigned slot = X64_RAX; slot <= X64_R15; slot++)
        dd_put_le64(p + 0x78 + 8 * slot, 0x5000 + slot);
    dd_put_le64(p + 0x78 + 8 * X64_RSP, G_RSP);
    dd_put_le64(p + 0xf8, G_FAULT);
    uint8_t *rec = p + 0x4f0;
    dd_put_le32(rec, 0xc0000005);
    dd_put_le64(rec + 0x10, record_address);
    dd_put_le32(rec + 0x18, 2);
}

static struct unwind_walk d_walk(struct dfake *f, uint64_t rip, uint64_t rsp)
{
    struct unwind_env env = {.ctx = f, .read_memory = d_read_memory, .find_module = d_find_module,
                             .find_function = d_find_function};
    struct unwind_regs r;
    memset(&r, 0, sizeof(r));
    for (unsigned i = X64_RAX; i <= X64_R15; i++)
        unwind_regs_set(&r, i, 0x1000 + i);
    unwind_regs_set(&r, X64_RIP, rip);
    unwind_regs_set(&r, X64_RSP, rsp);
    struct unwind_walk w;
    CHECK_OK(unwind_x64_walk(&env, &r, NULL, &w));
    return w;
}

TEST(unwind_x64_dispatcher_context_restores_all_registers)
{
    struct dfake *f = dfake_new();
    uint64_t s = STACK_BASE + 0x100;
    /* F's frame: 0x28 bytes, then the return address into D; D's rsp is the CONTEXT. */
    put64(f, s + 0x28, MOD_BASE + 0x1105);
    uint64_t ctx = s + 0x30;
    put_dispatch(f, ctx, G_FAULT);
    put64(f, G_RSP, 0); /* G is a leaf that returns to 0: the end */

    struct unwind_walk w = d_walk(f, MOD_BASE + 0x1004, s);
    CHECK(w.nframes >= 3);
    CHECK_EQ(w.frames[1].ip, MOD_BASE + 0x1105);
    CHECK_EQ(w.frames[1].sp, ctx);
    const struct unwind_frame *g = &w.frames[2];
    CHECK_EQ(g->ip, G_FAULT);
    CHECK_EQ(g->sp, G_RSP);
    CHECK(g->flags & UNWIND_FRAME_TRAP); /* exact ip: a fault, not a return address */
    CHECK_EQ(g->found_by, UNWIND_FOUND_UNWIND_INFO);
    /* Volatile registers too, each read from its CONTEXT slot. */
    CHECK(unwind_regs_has(&g->regs, X64_RAX));
    CHECK_EQ(g->regs.r[X64_RAX], 0x5000 + X64_RAX);
    CHECK_EQ(g->regs.r[X64_R11], 0x5000 + X64_R11);
    CHECK_EQ(g->regs.r[X64_RBX], 0x5000 + X64_RBX);
    CHECK_EQ(g->regs.r[X64_EFL], 0x10246);
    CHECK_EQ(g->regs.saved_at[X64_RAX], ctx + 0x78);
    CHECK_EQ(g->regs.saved_at[X64_RIP], ctx + 0xf8);
    CHECK_EQ(w.frames[1].return_address, G_FAULT);
    unwind_walk_deinit(&w);

    /* An EXCEPTION_RECORD that does not name the CONTEXT's rip: not the dispatcher. */
    put_dispatch(f, ctx, G_FAULT + 1);
    w = d_walk(f, MOD_BASE + 0x1004, s);
    CHECK(w.nframes < 3 || w.frames[2].ip != G_FAULT);
    unwind_walk_deinit(&w);
    /* Nor a kernel-mode or a 32-bit code selector. */
    put_dispatch(f, ctx, G_FAULT);
    put16(f->stack + (ctx - STACK_BASE) + 0x38, 0x23);
    w = d_walk(f, MOD_BASE + 0x1004, s);
    CHECK(w.nframes < 3 || w.frames[2].ip != G_FAULT);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_dispatcher_found_by_scan)
{
    struct dfake *f = dfake_new();
    f->tables = false; /* a minidump without the system DLLs' unwind tables */
    uint64_t s = STACK_BASE + 0x100;
    uint64_t ctx = s + 0x200; /* 16-byte aligned */
    put_dispatch(f, ctx, G_FAULT);
    /* A stale return address above the CONTEXT, which the plain scan would take. */
    put64(f, ctx + 0x600, MOD_BASE + 0x2005);
    put64(f, G_RSP, 0);

    struct unwind_walk w = d_walk(f, MOD_BASE + 0x1004, s);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, G_FAULT);
    CHECK_EQ(w.frames[1].sp, G_RSP);
    CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_SCAN);
    CHECK(w.frames[1].flags & UNWIND_FRAME_TRAP);
    CHECK_EQ(w.frames[1].regs.r[X64_RCX], 0x5000 + X64_RCX);
    unwind_walk_deinit(&w);

    /* A return address below the CONTEXT is a real caller found first: the scan keeps it. */
    put64(f, s + 0x40, MOD_BASE + 0x2005);
    w = d_walk(f, MOD_BASE + 0x1004, s);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, MOD_BASE + 0x2005);
    CHECK_EQ(w.frames[1].sp, s + 0x48);
    unwind_walk_deinit(&w);
    put64(f, s + 0x40, 0);

    /* Without a valid CONTEXT the plain scan's hit stands. */
    dd_put_le32(f->stack + (ctx - STACK_BASE) + 0x30, 0);
    w = d_walk(f, MOD_BASE + 0x1004, s);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, MOD_BASE + 0x2005);
    CHECK_EQ(w.frames[1].sp, ctx + 0x608);
    unwind_walk_deinit(&w);
    free(f);
}
