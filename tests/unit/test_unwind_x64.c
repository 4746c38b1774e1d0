/*
 * x64 unwinder. Synthetic tests: hand-assembled functions with UNWIND_INFO built per
 * Microsoft "x64 exception handling" (struct UNWIND_INFO, UNWIND_CODE operations) and a
 * synthetic stack served by a fake environment; expected values follow from the bytes
 * written here. Real tests: the repo's fixture dump crash_null_write.dmp with its .exe
 * (expectations from the program's own printout and llvm-objdump), and corpus dumps.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x64/x64_regs.h"
#include "base/cursor.h"
#include "core/target.h"
#include "dump/dump.h"
#include "unwind/x64/x64_unwind.h"
#include "check.h"

/* ---- the fake target ---------------------------------------------------------------- */

#define MOD_BASE 0x140000000ull
#define MOD_SIZE 0x8000u
#define STACK_BASE 0x10000ull
#define STACK_SIZE 0x4000u

struct fake_region {
    uint64_t base;
    size_t size;
    uint8_t *bytes;
};

struct fake {
    struct fake_region mem[8];
    size_t nmem;
    uint8_t image[MOD_SIZE];
    bool image_in_memory;          /* read_memory serves the module too */
    uint32_t hide_begin, hide_end; /* image RVAs read_image does not have */
    struct {
        uint32_t begin, end, unwind;
    } fns[32];
    size_t nfns;
    enum unwind_lookup no_entry; /* find_function's answer when no entry covers the RVA */
};

static size_t fake_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct fake *f = ctx;
    for (size_t i = 0; i < f->nmem; i++) {
        struct fake_region *r = &f->mem[i];
        if (addr >= r->base && addr - r->base < r->size) {
            size_t n = r->size - (size_t)(addr - r->base);
            if (n > len)
                n = len;
            memcpy(buf, r->bytes + (addr - r->base), n);
            return n;
        }
    }
    if (f->image_in_memory && addr >= MOD_BASE && addr - MOD_BASE < MOD_SIZE) {
        size_t n = MOD_SIZE - (size_t)(addr - MOD_BASE);
        if (n > len)
            n = len;
        memcpy(buf, f->image + (addr - MOD_BASE), n);
        return n;
    }
    return 0;
}

static bool fake_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    if (addr < MOD_BASE || addr - MOD_BASE >= MOD_SIZE)
        return false;
    *ret_base = MOD_BASE;
    *ret_size = MOD_SIZE;
    return true;
}

static enum unwind_lookup fake_find_function(void *ctx, uint64_t base, uint32_t rva,
                                             uint32_t *ret_begin, uint32_t *ret_end,
                                             uint32_t *ret_unwind)
{
    struct fake *f = ctx;
    for (size_t i = 0; i < f->nfns; i++) {
        if (rva >= f->fns[i].begin && rva < f->fns[i].end) {
            *ret_begin = f->fns[i].begin;
            *ret_end = f->fns[i].end;
            *ret_unwind = f->fns[i].unwind;
            return UNWIND_LOOKUP_FOUND;
        }
    }
    return f->no_entry;
}

static size_t fake_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    struct fake *f = ctx;
    if (base != MOD_BASE || rva >= MOD_SIZE)
        return 0;
    size_t n = MOD_SIZE - rva;
    if (n > len)
        n = len;
    if (f->hide_end > f->hide_begin) {
        if (rva >= f->hide_begin && rva < f->hide_end)
            return 0;
        if (rva < f->hide_begin && rva + n > f->hide_begin)
            n = f->hide_begin - rva;
    }
    memcpy(buf, f->image + rva, n);
    return n;
}

static uint8_t g_stack[STACK_SIZE];

static struct fake *fake_new(void)
{
    struct fake *f = calloc(1, sizeof(*f));
    memset(g_stack, 0, sizeof(g_stack));
    f->mem[0] = (struct fake_region){STACK_BASE, STACK_SIZE, g_stack};
    f->nmem = 1;
    f->no_entry = UNWIND_LOOKUP_NONE;
    return f;
}

static struct unwind_env fake_env(struct fake *f)
{
    struct unwind_env env = {.ctx = f, .read_memory = fake_read_memory, .find_module = fake_find_module,
                             .find_function = fake_find_function, .read_image = fake_read_image};
    return env;
}

static void emit(struct fake *f, uint32_t rva, const char *bytes, size_t n)
{
    memcpy(f->image + rva, bytes, n);
}
#define EMIT(f, rva, s) emit((f), (rva), (s), sizeof(s) - 1)

static void add_fn(struct fake *f, uint32_t begin, uint32_t end, uint32_t unwind)
{
    f->fns[f->nfns].begin = begin;
    f->fns[f->nfns].end = end;
    f->fns[f->nfns].unwind = unwind;
    f->nfns++;
}

/* One UNWIND_CODE slot: prolog offset, operation, operation info. */
#define CODE(off, op, info) ((uint16_t)((off) | ((op) << 8) | ((info) << 12)))

/*
 * Writes an UNWIND_INFO at RVA (struct UNWIND_INFO: Version:3 Flags:5, SizeOfProlog,
 * CountOfCodes, FrameRegister:4 FrameOffset:4, codes padded to an even count, then the
 * chained RUNTIME_FUNCTION when CHAIN is given).
 */
static void put_unwind(struct fake *f, uint32_t rva, unsigned version, unsigned flags,
                       unsigned prolog, unsigned frame_reg, unsigned frame_off,
                       const uint16_t *codes, unsigned ncodes, const uint32_t *chain)
{
    uint8_t *p = f->image + rva;
    p[0] = (uint8_t)(version | (flags << 3));
    p[1] = (uint8_t)prolog;
    p[2] = (uint8_t)ncodes;
    p[3] = (uint8_t)(frame_reg | (frame_off << 4));
    for (unsigned i = 0; i < ncodes; i++) {
        p[4 + 2 * i] = (uint8_t)codes[i];
        p[5 + 2 * i] = (uint8_t)(codes[i] >> 8);
    }
    if (chain) {
        uint8_t *c = p + 4 + ((ncodes + 1) & ~1u) * 2;
        for (int i = 0; i < 3; i++)
            dd_put_le32(c + 4 * i, chain[i]);
    }
}

static void stack_put(uint64_t addr, uint64_t v)
{
    dd_put_le64(g_stack + (addr - STACK_BASE), v);
}

static struct unwind_regs start_regs(uint64_t rip, uint64_t rsp)
{
    struct unwind_regs r;
    memset(&r, 0, sizeof(r));
    for (unsigned i = X64_RAX; i <= X64_R15; i++)
        unwind_regs_set(&r, i, 0x1000 + i); /* recognisable "current" values */
    unwind_regs_set(&r, X64_RIP, rip);
    unwind_regs_set(&r, X64_RSP, rsp);
    unwind_regs_set(&r, X64_EFL, 0x246);
    unwind_regs_set(&r, X64_CS, 0x33);
    unwind_regs_set(&r, X64_SS, 0x2b);
    return r;
}

/*
 * The caller used by most tests, at RVA 0x2000:
 *   2000: 48 83 ec 28        sub rsp, 28h
 *   2004: e8 f7 ef ff ff     call 0x1000 (the function under test)
 *   2009: 48 83 c4 28        add rsp, 28h
 *   200d: c3                 ret
 * UNWIND_INFO at 0x3000: prolog 4, ALLOC_SMALL 0x28 at offset 4.
 */
#define CALLER_RET (MOD_BASE + 0x2009)
static void add_caller(struct fake *f)
{
    EMIT(f, 0x2000, "\x48\x83\xec\x28\xe8\xf7\xef\xff\xff\x48\x83\xc4\x28\xc3");
    uint16_t codes[] = {CODE(4, 2, 4)};
    put_unwind(f, 0x3000, 1, 0, 4, 0, 0, codes, 1, NULL);
    add_fn(f, 0x2000, 0x200e, 0x3000);
}

/*
 * Function F at RVA 0x1000 (UNWIND_INFO at 0x3010):
 *   1000: 53                 push rbx        (code offset 1)
 *   1001: 55                 push rbp        (2)
 *   1002: 48 83 ec 28        sub rsp, 28h    (6)
 *   1006: 90 90 90 90 90 90  body
 *   100c: 48 83 c4 28        add rsp, 28h    epilog
 *   1010: 5d                 pop rbp
 *   1011: 5b                 pop rbx
 *   1012: c3                 ret
 */
static void add_push_fn(struct fake *f)
{
    EMIT(f, 0x1000, "\x53\x55\x48\x83\xec\x28\x90\x90\x90\x90\x90\x90\x48\x83\xc4\x28\x5d\x5b\xc3");
    uint16_t codes[] = {CODE(6, 2, 4), CODE(2, 0, X64_RBP), CODE(1, 0, X64_RBX)};
    put_unwind(f, 0x3010, 1, 0, 6, 0, 0, codes, 3, NULL);
    add_fn(f, 0x1000, 0x1013, 0x3010);
}

static struct unwind_walk walk(struct fake *f, const struct unwind_regs *start,
                               const struct unwind_options *opts)
{
    struct unwind_env env = fake_env(f);
    struct unwind_walk w;
    CHECK_OK(unwind_x64_walk(&env, start, opts, &w));
    return w;
}

/* ---- unwind codes --------------------------------------------------------------------- */

TEST(unwind_x64_push_alloc_small_full_walk)
{
    struct fake *f = fake_new();
    add_caller(f);
    add_push_fn(f);
    uint64_t s = 0x11000;
    stack_put(s + 0x28, 0xbbbb0005); /* saved rbp */
    stack_put(s + 0x30, 0xbbbb0003); /* saved rbx */
    stack_put(s + 0x38, CALLER_RET);
    stack_put(s + 0x40 + 0x28, 0); /* the caller's return address: end of stack */
    struct unwind_regs r = start_regs(MOD_BASE + 0x1006, s);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK_EQ(w.nframes, 2);
    CHECK_EQ(w.stop, UNWIND_STOP_END);
    CHECK_EQ(w.frames[0].found_by, UNWIND_FOUND_CONTEXT);
    CHECK_EQ(w.frames[0].ip, MOD_BASE + 0x1006);
    CHECK_EQ(w.frames[0].sp, s);
    CHECK(w.frames[0].has_return_address);
    CHECK_EQ(w.frames[0].return_address, CALLER_RET);
    CHECK(w.frames[0].has_function);
    CHECK_EQ(w.frames[0].function_begin, 0x1000);
    CHECK_EQ(w.frames[0].unwind_rva, 0x3010);
    const struct unwind_frame *c = &w.frames[1];
    CHECK_EQ(c->found_by, UNWIND_FOUND_UNWIND_INFO);
    CHECK_EQ(c->flags, 0);
    CHECK_EQ(c->ip, CALLER_RET);
    CHECK_EQ(c->sp, s + 0x40);
    CHECK_EQ(c->regs.r[X64_RBP], 0xbbbb0005);
    CHECK_EQ(c->regs.saved_at[X64_RBP], s + 0x28);
    CHECK_EQ(c->regs.r[X64_RBX], 0xbbbb0003);
    CHECK_EQ(c->regs.saved_at[X64_RBX], s + 0x30);
    CHECK(c->regs.saved >> X64_RBX & 1);
    CHECK_EQ(c->regs.saved_at[X64_RIP], s + 0x38);
    /* Untouched non-volatile registers carry over; volatile ones become unknown. */
    CHECK(unwind_regs_has(&c->regs, X64_RSI));
    CHECK_EQ(c->regs.r[X64_RSI], 0x1000 + X64_RSI);
    CHECK(!(c->regs.saved >> X64_RSI & 1));
    CHECK(!unwind_regs_has(&c->regs, X64_RAX));
    CHECK(!unwind_regs_has(&c->regs, X64_RCX));
    CHECK(!unwind_regs_has(&c->regs, X64_R11));
    CHECK(!unwind_regs_has(&c->regs, X64_EFL));
    CHECK(unwind_regs_has(&c->regs, X64_R12));
    CHECK(unwind_regs_has(&c->regs, X64_CS));
    /* The caller's own return address was read: 0 ends the walk. */
    CHECK(c->has_return_address);
    CHECK_EQ(c->return_address, 0);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_partial_prolog)
{
    struct fake *f = fake_new();
    add_caller(f);
    add_push_fn(f);
    uint64_t s = 0x11000;
    /* At 1000 nothing ran: the return address is at rsp. */
    stack_put(s, CALLER_RET);
    struct unwind_regs r = start_regs(MOD_BASE + 0x1000, s);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, s + 8);
    CHECK_EQ(w.frames[1].flags, UNWIND_FRAME_PROLOG);
    CHECK_EQ(w.frames[1].regs.r[X64_RBX], 0x1000 + X64_RBX); /* not pushed yet: current value */
    unwind_walk_deinit(&w);

    /* At 1001 only push rbx ran. */
    stack_put(s, 0xb3);
    stack_put(s + 8, CALLER_RET);
    r = start_regs(MOD_BASE + 0x1001, s);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, s + 16);
    CHECK_EQ(w.frames[1].regs.r[X64_RBX], 0xb3);
    CHECK_EQ(w.frames[1].regs.saved_at[X64_RBX], s);
    CHECK_EQ(w.frames[1].regs.r[X64_RBP], 0x1000 + X64_RBP);
    unwind_walk_deinit(&w);

    /* At 1002 both pushes ran, the allocation did not. */
    stack_put(s, 0xb5);
    stack_put(s + 8, 0xb3);
    stack_put(s + 16, CALLER_RET);
    r = start_regs(MOD_BASE + 0x1002, s);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].sp, s + 24);
    CHECK_EQ(w.frames[1].regs.r[X64_RBP], 0xb5);
    CHECK_EQ(w.frames[1].regs.r[X64_RBX], 0xb3);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_epilog_v1)
{
    struct fake *f = fake_new();
    add_caller(f);
    add_push_fn(f);
    uint64_t s = 0x11000;
    /* At 100c (add rsp, 28h): the epilog simulation gives the same as the codes. */
    stack_put(s + 0x28, 0xb5);
    stack_put(s + 0x30, 0xb3);
    stack_put(s + 0x38, CALLER_RET);
    struct unwind_regs r = start_regs(MOD_BASE + 0x100c, s);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, s + 0x40);
    CHECK_EQ(w.frames[1].regs.r[X64_RBX], 0xb3);
    unwind_walk_deinit(&w);

    /* At 1011 (pop rbx): rsp points at saved rbx; undoing the prolog would be wrong here. */
    stack_put(s, 0xb3);
    stack_put(s + 8, CALLER_RET);
    r = start_regs(MOD_BASE + 0x1011, s);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, s + 16);
    CHECK_EQ(w.frames[1].regs.r[X64_RBX], 0xb3);
    CHECK_EQ(w.frames[1].regs.saved_at[X64_RBX], s);
    CHECK_EQ(w.frames[1].regs.r[X64_RBP], 0x1000 + X64_RBP); /* already restored */
    unwind_walk_deinit(&w);

    /* At 1012 (ret). */
    stack_put(s, CALLER_RET);
    r = start_regs(MOD_BASE + 0x1012, s);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, s + 8);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_epilog_tail_jumps)
{
    struct fake *f = fake_new();
    add_caller(f);
    /*
     * 1000: 48 83 ec 28   sub rsp, 28h
     * 1004: 90
     * 1005: 48 83 c4 28   add rsp, 28h
     * 1009: e9 f2 0f 00 00 jmp 0x2000 (out of the function: a tail call)
     * 100e: 48 83 c4 28   add rsp, 28h
     * 1012: eb ec          jmp 0x1000 (inside: not an epilog)
     * 1014: 48 83 c4 28   add rsp, 28h
     * 1018: 48 ff 25 00 00 00 00  rex.W jmp [rip+0] (ModRM mod 00)
     * 101f: 48 83 c4 28   add rsp, 28h
     * 1023: ff e0          jmp rax (mod 11: not allowed in an epilog)
     */
    EMIT(f, 0x1000,
         "\x48\x83\xec\x28\x90\x48\x83\xc4\x28\xe9\xf2\x0f\x00\x00\x48\x83\xc4\x28\xeb"
         "\xec\x48\x83\xc4\x28\x48\xff\x25\x00\x00\x00\x00\x48\x83\xc4\x28\xff\xe0");
    uint16_t codes[] = {CODE(4, 2, 4)};
    put_unwind(f, 0x3010, 1, 0, 4, 0, 0, codes, 1, NULL);
    add_fn(f, 0x1000, 0x1025, 0x3010);
    uint64_t s = 0x11000;
    stack_put(s + 0x28, CALLER_RET);
    static const struct {
        uint32_t rva;
        uint32_t flags;
    } cases[] = {
        {0x1005, UNWIND_FRAME_EPILOG}, {0x100e, 0}, {0x1014, UNWIND_FRAME_EPILOG}, {0x101f, 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct unwind_regs r = start_regs(MOD_BASE + cases[i].rva, s);
        struct unwind_walk w = walk(f, &r, NULL);
        CHECK(w.nframes >= 2);
        CHECK_EQ(w.frames[1].flags, cases[i].flags);
        CHECK_EQ(w.frames[1].ip, CALLER_RET);
        CHECK_EQ(w.frames[1].sp, s + 0x30);
        unwind_walk_deinit(&w);
    }
    /* Past the add (at the tail jump itself) only the return address is left. */
    stack_put(s, CALLER_RET);
    struct unwind_regs r = start_regs(MOD_BASE + 0x1009, s);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(w.frames[1].sp, s + 8);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_alloc_large_both_sizes)
{
    struct fake *f = fake_new();
    add_caller(f);
    /* 1000: 48 81 ec 00 10 00 00  sub rsp, 1000h -> ALLOC_LARGE OpInfo 0, slot 1000h/8. */
    EMIT(f, 0x1000, "\x48\x81\xec\x00\x10\x00\x00\x90");
    uint16_t c1[] = {CODE(7, 1, 0), 0x1000 / 8};
    put_unwind(f, 0x3010, 1, 0, 7, 0, 0, c1, 2, NULL);
    add_fn(f, 0x1000, 0x1008, 0x3010);
    /* 1100: 48 81 ec 10 00 09 00  sub rsp, 90010h -> ALLOC_LARGE OpInfo 1, 32-bit size. */
    EMIT(f, 0x1100, "\x48\x81\xec\x10\x00\x09\x00\x90");
    uint16_t c2[] = {CODE(7, 1, 1), 0x0010, 0x0009};
    put_unwind(f, 0x3030, 1, 0, 7, 0, 0, c2, 3, NULL);
    add_fn(f, 0x1100, 0x1108, 0x3030);

    uint64_t s = 0x11000;
    stack_put(s + 0x1000, CALLER_RET);
    struct unwind_regs r = start_regs(MOD_BASE + 0x1007, s);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, s + 0x1008);
    unwind_walk_deinit(&w);

    /* The large frame's return address lives in a separate memory region. */
    static uint8_t far_stack[64];
    dd_put_le64(far_stack, CALLER_RET);
    f->mem[f->nmem++] = (struct fake_region){s + 0x90010, sizeof(far_stack), far_stack};
    r = start_regs(MOD_BASE + 0x1107, s);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, s + 0x90018);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_frame_register_and_saves)
{
    struct fake *f = fake_new();
    add_caller(f);
    /*
     * 1000: 55                   push rbp               (1)
     * 1001: 48 83 ec 40          sub rsp, 40h           (5)
     * 1005: 48 8d 6c 24 20       lea rbp, [rsp+20h]     (10)  FrameRegister rbp, offset 2*16
     * 100a: 48 89 74 24 30       mov [rsp+30h], rsi     (15)  SAVE_NONVOL rsi at frame+30h
     * 100f: 90 ...               body (alloca may move rsp)
     * 1010: 48 8d 65 20          lea rsp, [rbp+20h]     epilog
     * 1014: 5d                   pop rbp
     * 1015: c3                   ret
     */
    EMIT(f, 0x1000,
         "\x55\x48\x83\xec\x40\x48\x8d\x6c\x24\x20\x48\x89\x74\x24\x30\x90"
         "\x48\x8d\x65\x20\x5d\xc3");
    uint16_t codes[] = {CODE(15, 4, X64_RSI), 0x30 / 8, CODE(10, 3, 0), CODE(5, 2, 7),
                        CODE(1, 0, X64_RBP)};
    put_unwind(f, 0x3010, 1, 0, 15, X64_RBP, 2, codes, 5, NULL);
    add_fn(f, 0x1000, 0x1016, 0x3010);

    uint64_t est = 0x11100; /* rsp after the fixed allocation */
    stack_put(est + 0x30, 0x5151);
    stack_put(est + 0x40, 0xb5b5); /* saved rbp */
    stack_put(est + 0x48, CALLER_RET);
    /* In the body after an alloca: rsp far below, rbp = est + 20h. */
    struct unwind_regs r = start_regs(MOD_BASE + 0x100f, est - 0x300);
    unwind_regs_set(&r, X64_RBP, est + 0x20);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    const struct unwind_frame *c = &w.frames[1];
    CHECK_EQ(c->ip, CALLER_RET);
    CHECK_EQ(c->sp, est + 0x50);
    CHECK_EQ(c->regs.r[X64_RBP], 0xb5b5);
    CHECK_EQ(c->regs.saved_at[X64_RBP], est + 0x40);
    CHECK_EQ(c->regs.r[X64_RSI], 0x5151);
    CHECK_EQ(c->regs.saved_at[X64_RSI], est + 0x30);
    unwind_walk_deinit(&w);

    /* In the epilog at `lea rsp, [rbp+20h]`: the same caller. */
    r = start_regs(MOD_BASE + 0x1010, est - 0x300);
    unwind_regs_set(&r, X64_RBP, est + 0x20);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, est + 0x50);
    CHECK_EQ(w.frames[1].regs.r[X64_RBP], 0xb5b5);
    unwind_walk_deinit(&w);

    /* In the prolog before the lea (at 1005): the frame register is not set up yet. */
    r = start_regs(MOD_BASE + 0x1005, est);
    unwind_regs_set(&r, X64_RBP, 0xdead);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].flags, UNWIND_FRAME_PROLOG);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, est + 0x50);
    CHECK_EQ(w.frames[1].regs.r[X64_RBP], 0xb5b5);
    CHECK_EQ(w.frames[1].regs.r[X64_RSI], 0x1000 + X64_RSI); /* not saved yet */
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_save_before_alloc_in_prolog)
{
    /*
     * The common MSVC shape: 1000: 48 89 5c 24 08  mov [rsp+8], rbx  (5)
     *                        1005: 57              push rdi          (6)
     *                        1006: 48 83 ec 20     sub rsp, 20h      (10)
     * SAVE_NONVOL rbx is recorded relative to rsp after the allocation: 30h.
     */
    struct fake *f = fake_new();
    add_caller(f);
    EMIT(f, 0x1000, "\x48\x89\x5c\x24\x08\x57\x48\x83\xec\x20\x90");
    uint16_t codes[] = {CODE(10, 2, 3), CODE(6, 0, X64_RDI), CODE(5, 4, X64_RBX), 0x30 / 8};
    put_unwind(f, 0x3010, 1, 0, 10, 0, 0, codes, 4, NULL);
    add_fn(f, 0x1000, 0x100b, 0x3010);
    uint64_t entry = 0x11100; /* rsp at the function's first instruction */
    stack_put(entry, CALLER_RET);
    stack_put(entry + 8, 0xb3b3); /* rbx home slot */
    stack_put(entry - 8, 0xd7d7); /* pushed rdi */
    /* After the mov only (at 1005): rbx is found in its home slot even though rsp = entry. */
    struct unwind_regs r = start_regs(MOD_BASE + 0x1005, entry);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, entry + 8);
    CHECK_EQ(w.frames[1].regs.r[X64_RBX], 0xb3b3);
    CHECK_EQ(w.frames[1].regs.saved_at[X64_RBX], entry + 8);
    unwind_walk_deinit(&w);
    /* In the body. */
    r = start_regs(MOD_BASE + 0x100a, entry - 0x28);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].sp, entry + 8);
    CHECK_EQ(w.frames[1].regs.r[X64_RBX], 0xb3b3);
    CHECK_EQ(w.frames[1].regs.r[X64_RDI], 0xd7d7);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_save_far_and_xmm)
{
    struct fake *f = fake_new();
    add_caller(f);
    /* A function with only saves (offsets chosen by hand, prolog bytes are nops). */
    EMIT(f, 0x1000, "\x90\x90\x90\x90\x90\x90\x90\x90\x90\x90");
    uint16_t codes[] = {CODE(4, 5, X64_R12), 0x2340, 0x0001,  /* r12 at frame+12340h */
                        CODE(3, 8, 7),       0x0003,          /* xmm7 at frame+3*16 */
                        CODE(2, 9, 12),      0x0080, 0x0000}; /* xmm12 at frame+80h */
    put_unwind(f, 0x3010, 1, 0, 4, 0, 0, codes, 8, NULL);
    add_fn(f, 0x1000, 0x100a, 0x3010);
    uint64_t s = 0x11000;
    stack_put(s, CALLER_RET);
    for (int i = 0; i < 16; i++) {
        g_stack[s + 0x30 - STACK_BASE + i] = (uint8_t)(0x70 + i);
        g_stack[s + 0x80 - STACK_BASE + i] = (uint8_t)(0xc0 + i);
    }
    static uint8_t far_stack[16];
    dd_put_le64(far_stack, 0x12121212);
    f->mem[f->nmem++] = (struct fake_region){s + 0x12340, sizeof(far_stack), far_stack};
    struct unwind_regs r = start_regs(MOD_BASE + 0x1005, s);
    r.vec_valid = 0xffff;
    memset(r.vec, 0x11, sizeof(r.vec));
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    const struct unwind_frame *c = &w.frames[1];
    CHECK_EQ(c->ip, CALLER_RET);
    CHECK_EQ(c->regs.r[X64_R12], 0x12121212);
    CHECK_EQ(c->regs.saved_at[X64_R12], s + 0x12340);
    CHECK(c->regs.vec_valid >> 7 & 1);
    CHECK_EQ(c->regs.vec[7][0], 0x70);
    CHECK_EQ(c->regs.vec[7][15], 0x7f);
    CHECK_EQ(c->regs.vec_saved_at[7], s + 0x30);
    CHECK_EQ(c->regs.vec[12][0], 0xc0);
    CHECK_EQ(c->regs.vec_saved_at[12], s + 0x80);
    CHECK(!(c->regs.vec_valid & 0x3f)); /* xmm0-5 are volatile */
    CHECK(c->regs.vec_valid >> 6 & 1);  /* xmm6 carried over */
    CHECK(!(c->regs.vec_saved >> 6 & 1));
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_machine_frame)
{
    struct fake *f = fake_new();
    add_caller(f);
    add_push_fn(f);
    /*
     * A dispatcher like KiUserExceptionDispatcher at 1800: its unwind info says the CPU
     * pushed a machine frame, then 0x590 bytes (CONTEXT + EXCEPTION_RECORD) were allocated.
     * Codes: ALLOC_LARGE 590h at offset 0, PUSH_MACHFRAME at offset 0.
     */
    EMIT(f, 0x1800, "\xfc\x90\x90\x90");
    uint16_t codes[] = {CODE(0, 1, 0), 0x590 / 8, CODE(0, 10, 0)};
    put_unwind(f, 0x3040, 1, 0, 0, 0, 0, codes, 3, NULL);
    add_fn(f, 0x1800, 0x1804, 0x3040);
    uint16_t codes_err[] = {CODE(0, 10, 1)};
    put_unwind(f, 0x3060, 1, 0, 0, 0, 0, codes_err, 1, NULL);
    add_fn(f, 0x1900, 0x1904, 0x3060);
    EMIT(f, 0x1900, "\x90\x90\x90\x90");

    /* The interrupted code was F at 1011 (pop rbx, in its epilog). */
    uint64_t s = 0x11000, fault_sp = 0x12000;
    uint64_t mf = s + 0x590;
    stack_put(mf, MOD_BASE + 0x1011);
    stack_put(mf + 8, 0x33);
    stack_put(mf + 16, 0x10202);
    stack_put(mf + 24, fault_sp);
    stack_put(mf + 32, 0x2b);
    stack_put(fault_sp, 0xb3);
    stack_put(fault_sp + 8, CALLER_RET);
    struct unwind_regs r = start_regs(MOD_BASE + 0x1802, s);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 3);
    const struct unwind_frame *t = &w.frames[1];
    CHECK_EQ(t->found_by, UNWIND_FOUND_UNWIND_INFO);
    CHECK_EQ(t->flags, UNWIND_FRAME_TRAP);
    CHECK_EQ(t->ip, MOD_BASE + 0x1011);
    CHECK_EQ(t->sp, fault_sp);
    CHECK_EQ(t->regs.r[X64_EFL], 0x10202);
    CHECK(unwind_regs_has(&t->regs, X64_EFL));
    CHECK_EQ(t->regs.saved_at[X64_RSP], mf + 24);
    /* The interrupted ip is exact: its epilog is recognised. */
    CHECK_EQ(w.frames[2].flags, UNWIND_FRAME_EPILOG);
    CHECK_EQ(w.frames[2].ip, CALLER_RET);
    CHECK_EQ(w.frames[2].regs.r[X64_RBX], 0xb3);
    unwind_walk_deinit(&w);

    /* With an error code the frame starts 8 bytes higher. */
    stack_put(s, 0xec);
    stack_put(s + 8, CALLER_RET);
    stack_put(s + 16, 0x33);
    stack_put(s + 24, 0x246);
    stack_put(s + 32, 0x11800);
    stack_put(s + 40, 0x2b);
    r = start_regs(MOD_BASE + 0x1901, s);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, 0x11800);
    CHECK_EQ(w.frames[1].flags, UNWIND_FRAME_TRAP);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_chained_info)
{
    struct fake *f = fake_new();
    add_caller(f);
    add_push_fn(f); /* parent: RUNTIME_FUNCTION {1000, 1013, 3010} */
    /*
     * A cold fragment of F at 1400 that also saved rsi (SAVE_NONVOL at frame+20h):
     * UNW_FLAG_CHAININFO, chained RUNTIME_FUNCTION = F's entry.
     */
    EMIT(f, 0x1400, "\x90\x90\x90\x90");
    uint16_t codes[] = {CODE(0, 4, X64_RSI), 0x20 / 8};
    uint32_t parent[] = {0x1000, 0x1013, 0x3010};
    put_unwind(f, 0x3080, 1, 4, 0, 0, 0, codes, 2, parent);
    add_fn(f, 0x1400, 0x1404, 0x3080);
    uint64_t s = 0x11000;
    stack_put(s + 0x20, 0x5151);
    stack_put(s + 0x28, 0xb5);
    stack_put(s + 0x30, 0xb3);
    stack_put(s + 0x38, CALLER_RET);
    struct unwind_regs r = start_regs(MOD_BASE + 0x1402, s);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_UNWIND_INFO);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, s + 0x40);
    CHECK_EQ(w.frames[1].regs.r[X64_RSI], 0x5151);
    CHECK_EQ(w.frames[1].regs.r[X64_RBX], 0xb3);
    unwind_walk_deinit(&w);

    /* A chain that loops onto itself is cut off; the walk falls back to the scan. */
    uint32_t self[] = {0x1500, 0x1504, 0x30a0};
    put_unwind(f, 0x30a0, 1, 4, 0, 0, 0, NULL, 0, self);
    add_fn(f, 0x1500, 0x1504, 0x30a0);
    EMIT(f, 0x1500, "\x90\x90\x90\x90");
    memset(g_stack, 0, sizeof(g_stack));
    stack_put(s + 0x18, CALLER_RET); /* follows `call 0x1000` at 2004: a valid return address */
    r = start_regs(MOD_BASE + 0x1501, s);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_SCAN);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, s + 0x20);
    CHECK(!unwind_regs_has(&w.frames[1].regs, X64_RBX)); /* unknown after a scan */
    unwind_walk_deinit(&w);

    /* An indirect entry (UnwindData bit 0) naming F's RUNTIME_FUNCTION stored at 3100. */
    uint8_t rf[12];
    dd_put_le32(rf, 0x1000);
    dd_put_le32(rf + 4, 0x1013);
    dd_put_le32(rf + 8, 0x3010);
    emit(f, 0x3100, (const char *)rf, sizeof(rf));
    f->fns[1].unwind = 0x3100 | 1; /* F's entry (index 1) now points there */
    stack_put(s + 0x28, 0xb5);
    stack_put(s + 0x30, 0xb3);
    stack_put(s + 0x38, CALLER_RET);
    r = start_regs(MOD_BASE + 0x1006, s);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_UNWIND_INFO);
    CHECK_EQ(w.frames[1].sp, s + 0x40);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_version2_epilogs)
{
    struct fake *f = fake_new();
    add_caller(f);
    /*
     * 1000: 53        push rbx   (1)
     * 1001: 55        push rbp   (2)
     * 1002: 90 90
     * 1004: 74 03     je 1009
     * 1006: 5d 5b c3  epilog 1 (pop rbp; pop rbx; ret): 0xa bytes before the end
     * 1009: 90 90 90 90
     * 100d: 5d 5b c3  epilog 2, at the end (1010)
     * Version 2 codes: EPILOG size 3 + at-end flag, EPILOG offset 0xa, then the pushes.
     */
    EMIT(f, 0x1000, "\x53\x55\x90\x90\x74\x03\x5d\x5b\xc3\x90\x90\x90\x90\x5d\x5b\xc3");
    uint16_t codes[] = {CODE(3, 6, 1), CODE(0x0a, 6, 0), CODE(2, 0, X64_RBP), CODE(1, 0, X64_RBX)};
    put_unwind(f, 0x3010, 2, 0, 2, 0, 0, codes, 4, NULL);
    add_fn(f, 0x1000, 0x1010, 0x3010);
    uint64_t s = 0x11000;
    stack_put(s, 0xb3);
    stack_put(s + 8, CALLER_RET);
    for (int hide = 0; hide < 2; hide++) {
        /* hide = 1: the code bytes are not available; the codes alone locate the pops. */
        f->hide_begin = hide ? 0x1000 : 0;
        f->hide_end = hide ? 0x1010 : 0;
        uint32_t at[] = {0x1007, 0x100e};
        for (int k = 0; k < 2; k++) {
            struct unwind_regs r = start_regs(MOD_BASE + at[k], s);
            struct unwind_walk w = walk(f, &r, NULL);
            CHECK(w.nframes >= 2);
            CHECK_EQ(w.frames[1].flags, UNWIND_FRAME_EPILOG);
            CHECK_EQ(w.frames[1].ip, CALLER_RET);
            CHECK_EQ(w.frames[1].sp, s + 16);
            CHECK_EQ(w.frames[1].regs.r[X64_RBX], 0xb3);
            CHECK_EQ(w.frames[1].regs.r[X64_RBP], 0x1000 + X64_RBP);
            unwind_walk_deinit(&w);
        }
    }
    /* In the body (the pops have not run): both pushes are undone. */
    f->hide_begin = f->hide_end = 0;
    stack_put(s, 0xb5);
    stack_put(s + 8, 0xb3);
    stack_put(s + 16, CALLER_RET);
    struct unwind_regs r = start_regs(MOD_BASE + 0x1009, s);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].flags, 0);
    CHECK_EQ(w.frames[1].sp, s + 24);
    CHECK_EQ(w.frames[1].regs.r[X64_RBP], 0xb5);
    unwind_walk_deinit(&w);
    free(f);
}

/* ---- leaf, scan, call-site validation ------------------------------------------------ */

TEST(unwind_x64_call_encodings)
{
    struct fake *f = fake_new();
    struct unwind_env env = fake_env(f);
    uint64_t ra = MOD_BASE + 0x2000;
    static const struct {
        const char *bytes;
        size_t len;
        bool is_call;
    } cases[] = {
        {"\xe8\x00\xf0\xff\xff", 5, true},         /* call rel32 into the module */
        {"\xe8\x00\x00\x00\x40", 5, false},        /* call rel32 out of every module */
        {"\xff\x15\x00\x10\x00\x00", 6, true},     /* call [rip+1000h] (IAT slot) */
        {"\x48\xff\x15\x00\x10\x00\x00", 7, true}, /* rex.W call [rip+...] */
        {"\xff\x15\x00\x00\x00\x70", 6, false},    /* call [rip+...] outside the modules */
        {"\xff\xd0", 2, true},                     /* call rax */
        {"\x41\xff\xd3", 3, true},                 /* call r11 */
        {"\x3e\xff\xd0", 3, true},                 /* notrack call rax */
        {"\xff\x10", 2, true},                     /* call [rax] */
        {"\xff\x50\x08", 3, true},                 /* call [rax+8] */
        {"\x41\xff\x52\x10", 4, true},             /* call [r10+10h] */
        {"\xff\x14\x24", 3, true},                 /* call [rsp] (SIB) */
        {"\xff\x54\x24\x08", 4, true},             /* call [rsp+8] */
        {"\xff\x94\x24\x00\x01\x00\x00", 7, true}, /* call [rsp+100h] */
        {"\xff\x90\x00\x01\x00\x00", 6, true},     /* call [rax+100h] */
        {"\xff\x14\xc5\x00\x10\x00\x00", 7, true}, /* call [rax*8+1000h] (SIB, no base) */
        {"\xff\xe0", 2, false},                    /* jmp rax */
        {"\xff\x20", 2, false},                    /* jmp [rax] */
        {"\x90\x90", 2, false},
        {"\x48\x89\xc1", 3, false},     /* mov rcx, rax */
        {"\x00\xff\xd0\x90", 4, false}, /* call rax, but not ending at RA */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        bool got =
            unwind_x64_call_precedes(&env, ra, (const uint8_t *)cases[i].bytes, cases[i].len);
        if (got != cases[i].is_call)
            check_fail(__FILE__, __LINE__, "case %zu: call_precedes = %d", i, got);
    }
    /* A longer window of bytes ending with a call also counts. */
    CHECK(unwind_x64_call_precedes(&env, ra, (const uint8_t *)"\x90\x90\x90\x90\x41\xff\xd3", 7));
    free(f);
}

TEST(unwind_x64_leaf_and_scan)
{
    struct fake *f = fake_new();
    add_caller(f);
    EMIT(f, 0x1000, "\x90\x90\x90\x90\xc3");
    uint64_t s = 0x11000;

    /* No entry in a module whose table is known: a leaf, return address at rsp. */
    stack_put(s, CALLER_RET);
    struct unwind_regs r = start_regs(MOD_BASE + 0x1002, s);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_LEAF);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, s + 8);
    CHECK_EQ(w.frames[1].regs.r[X64_RBX], 0x1000 + X64_RBX); /* a leaf keeps non-volatiles */
    unwind_walk_deinit(&w);

    /* Without unwind data for the module: scan, skipping values that do not follow a call. */
    f->no_entry = UNWIND_LOOKUP_UNAVAILABLE;
    stack_put(s, 0x7777);                 /* not in a module */
    stack_put(s + 8, MOD_BASE + 0x1002);  /* in the module, but after nops */
    stack_put(s + 16, MOD_BASE + 0x2004); /* after `sub rsp, 28h`: not a call */
    stack_put(s + 24, CALLER_RET);        /* after `call 0x1000` */
    r = start_regs(MOD_BASE + 0x1002, s);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_SCAN);
    CHECK_EQ(w.frames[1].flags, 0);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    CHECK_EQ(w.frames[1].sp, s + 32);
    CHECK_EQ(w.frames[1].regs.saved_at[X64_RIP], s + 24);
    CHECK(!unwind_regs_has(&w.frames[1].regs, X64_RBX));
    CHECK(unwind_regs_has(&w.frames[1].regs, X64_RSP));
    unwind_walk_deinit(&w);

    /* Scanning can be turned off, and limited. */
    struct unwind_options no_scan = {.no_scan = true};
    w = walk(f, &r, &no_scan);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);
    struct unwind_options short_scan = {.scan_bytes = 16};
    w = walk(f, &r, &short_scan);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);

    /* Code bytes not available: no proof, no frame, unless unverified hits are allowed. */
    f->hide_begin = 0x1000;
    f->hide_end = 0x3000;
    w = walk(f, &r, NULL);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    unwind_walk_deinit(&w);
    struct unwind_options loose = {.scan_unverified = true};
    w = walk(f, &r, &loose);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_SCAN);
    CHECK_EQ(w.frames[1].flags, UNWIND_FRAME_UNVERIFIED);
    CHECK_EQ(w.frames[1].ip, MOD_BASE + 0x1002); /* the first in-module value */
    unwind_walk_deinit(&w);
    /* ...or the dump holds them. */
    f->image_in_memory = true;
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_call_through_bad_pointer)
{
    struct fake *f = fake_new();
    add_caller(f);
    uint64_t s = 0x11000;
    /* rip = 0 after `call rax` with rax = 0: the return address is at rsp. */
    stack_put(s, CALLER_RET);
    struct unwind_regs r = start_regs(0, s);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_LEAF);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    unwind_walk_deinit(&w);
    /* Garbage at rsp: the scan finds the real return address further up. */
    stack_put(s, 0x4141414141414141ull);
    stack_put(s + 8, CALLER_RET);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_SCAN);
    CHECK_EQ(w.frames[1].sp, s + 16);
    unwind_walk_deinit(&w);
    free(f);
}

/* ---- walk bounds ---------------------------------------------------------------------- */

TEST(unwind_x64_walk_bounds)
{
    struct fake *f = fake_new();
    add_caller(f);
    uint64_t s = 0x11000;
    /* Every slot holds the same valid return address: leaf after leaf, up the stack. */
    EMIT(f, 0x1000, "\x90\x90");
    for (uint64_t a = s; a < s + 0x800; a += 8)
        stack_put(a, MOD_BASE + 0x1001);
    struct unwind_regs r = start_regs(MOD_BASE + 0x1000, s);
    struct unwind_options o = {.max_frames = 10};
    struct unwind_walk w = walk(f, &r, &o);
    CHECK_EQ(w.nframes, 10);
    CHECK_EQ(w.stop, UNWIND_STOP_MAX_FRAMES);
    CHECK(w.frames[9].has_return_address);
    for (size_t i = 1; i < w.nframes; i++)
        CHECK(w.frames[i].sp > w.frames[i - 1].sp);
    unwind_walk_deinit(&w);
    w = walk(f, &r, NULL);
    CHECK(w.nframes <= UNWIND_DEFAULT_MAX_FRAMES);
    unwind_walk_deinit(&w);

    /* A machine frame pointing back down the stack: no progress. */
    uint16_t codes[] = {CODE(0, 10, 0)};
    put_unwind(f, 0x3040, 1, 0, 0, 0, 0, codes, 1, NULL);
    add_fn(f, 0x1800, 0x1804, 0x3040);
    stack_put(s, CALLER_RET);
    stack_put(s + 24, s - 0x100);
    r = start_regs(MOD_BASE + 0x1801, s);
    w = walk(f, &r, NULL);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_PROGRESS);
    CHECK_EQ(w.frames[0].return_address, CALLER_RET);
    unwind_walk_deinit(&w);
    /* ...to the same sp with another ip: allowed once. */
    stack_put(s + 24, s);
    w = walk(f, &r, NULL);
    CHECK(w.nframes >= 2);
    CHECK_EQ(w.frames[1].sp, s);
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    unwind_walk_deinit(&w);
    /* ...with the same ip: a loop. */
    stack_put(s, MOD_BASE + 0x1801);
    w = walk(f, &r, NULL);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_NO_PROGRESS);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_fault_keeps_frames)
{
    struct fake *f = fake_new();
    add_caller(f);
    add_push_fn(f);
    /* The caller's frame runs off the captured stack. */
    uint64_t s = STACK_BASE + STACK_SIZE - 0x48;
    stack_put(s + 0x38, CALLER_RET);
    struct unwind_regs r = start_regs(MOD_BASE + 0x1006, s);
    struct unwind_walk w = walk(f, &r, NULL);
    CHECK_EQ(w.nframes, 2);
    CHECK_EQ(w.stop, UNWIND_STOP_FAULT);
    CHECK_EQ(w.fault_address, STACK_BASE + STACK_SIZE + 0x20); /* caller's return slot */
    CHECK_EQ(w.frames[1].ip, CALLER_RET);
    unwind_walk_deinit(&w);
    /* No stack at all. */
    r = start_regs(MOD_BASE + 0x1006, 0x900000);
    w = walk(f, &r, NULL);
    CHECK_EQ(w.nframes, 1);
    CHECK_EQ(w.stop, UNWIND_STOP_FAULT);
    CHECK_EQ(w.fault_address, 0x900000 + 0x28);
    unwind_walk_deinit(&w);
    /* No stack pointer. */
    unwind_regs_forget(&r, X64_RSP);
    w = walk(f, &r, NULL);
    CHECK_EQ(w.nframes, 0);
    CHECK_EQ(w.stop, UNWIND_STOP_BAD_START);
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x64_bad_unwind_info_falls_back)
{
    struct fake *f = fake_new();
    add_caller(f);
    EMIT(f, 0x1000, "\x90\x90\x90\x90");
    uint64_t s = 0x11000;
    stack_put(s + 8, CALLER_RET);
    static const uint8_t bad[][4] = {
        {3, 0, 0, 0}, /* version 3 */
        {1, 0, 1, 0}, /* one code slot but the info ends: see below (code op 11) */
        {1, 0, 2, 0}, /* ALLOC_LARGE missing its operand */
    };
    for (size_t i = 0; i < 3; i++) {
        emit(f, 0x3010, (const char *)bad[i], 4);
        uint16_t slot = i == 1 ? CODE(0, 11, 0) : CODE(0, 1, 0);
        f->image[0x3014] = (uint8_t)slot;
        f->image[0x3015] = (uint8_t)(slot >> 8);
        if (i == 2)
            f->image[0x3012] = 1;
        f->nfns = 1;
        add_fn(f, 0x1000, 0x1004, 0x3010);
        struct unwind_regs r = start_regs(MOD_BASE + 0x1002, s);
        struct unwind_walk w = walk(f, &r, NULL);
        CHECK(w.nframes >= 2);
        CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_SCAN);
        CHECK_EQ(w.frames[1].ip, CALLER_RET);
        CHECK(!w.frames[0].has_function);
        unwind_walk_deinit(&w);
    }
    free(f);
}

TEST(unwind_x64_regset_bridge)
{
    struct regset rs;
    memset(&rs, 0, sizeof(rs));
    rs.arch = &arch_x64;
    regset_put(&rs, X64_RBX, 0x1234);
    regset_put(&rs, X64_RIP, 0x140001000);
    rs.vec_valid = 1u << 6;
    rs.vec[6][0] = 0xaa;
    struct unwind_regs u;
    unwind_regs_from_regset(&rs, &u);
    CHECK(unwind_regs_has(&u, X64_RBX));
    CHECK(!unwind_regs_has(&u, X64_RAX));
    CHECK_EQ(u.r[X64_RIP], 0x140001000);
    CHECK_EQ(u.vec_valid, 1u << 6);
    unwind_regs_forget(&u, X64_RBX);
    struct regset back;
    unwind_regs_to_regset(&u, &arch_x64, &back);
    CHECK(back.arch == &arch_x64);
    CHECK(!back.valid[X64_RBX]);
    CHECK(back.valid[X64_RIP]);
    CHECK_EQ(back.vec[6][0], 0xaa);
    CHECK_STR(unwind_found_by_name(UNWIND_FOUND_SCAN), "scan");
    CHECK_STR(unwind_stop_name(UNWIND_STOP_END), "end of stack");
}

/* ---- the fixture dump crash_null_write.dmp with its .exe ------------------------------ */

/*
 * A test-only environment over a real dump: memory and modules from the dump reader,
 * unwind data and code of the one module whose image file is at hand, parsed here in a
 * few lines (PE/COFF: e_lfanew at 0x3c, optional header PE32+, data directory 3 =
 * exception table, section headers of 40 bytes) so the test does not lean on src/pe.
 */
struct dump_env {
    struct target *t;
    uint8_t *exe;
    size_t exe_size;
    uint64_t exe_base;
    uint32_t size_of_headers, pdata_rva, pdata_size;
    struct {
        uint32_t va, vsize, raw_size, raw_off;
    } sec[16];
    unsigned nsec;
};

static size_t denv_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct dump_env *d = ctx;
    size_t got = 0;
    struct dd_error *err = target_read(d->t, addr, buf, len, &got);
    dd_error_destroy(err);
    return got;
}

static bool denv_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    struct dump_env *d = ctx;
    const struct target_module *m = target_module_by_addr(d->t, addr);
    if (!m)
        return false;
    *ret_base = m->base;
    *ret_size = m->size;
    return true;
}

static size_t denv_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    struct dump_env *d = ctx;
    if (base != d->exe_base)
        return 0;
    uint64_t off = 0, avail = 0;
    if (rva < d->size_of_headers) {
        off = rva;
        avail = d->size_of_headers - rva;
    } else {
        for (unsigned i = 0; i < d->nsec; i++) {
            if (rva >= d->sec[i].va && rva - d->sec[i].va < d->sec[i].raw_size) {
                off = d->sec[i].raw_off + (uint64_t)(rva - d->sec[i].va);
                avail = d->sec[i].raw_size - (rva - d->sec[i].va);
                break;
            }
        }
    }
    if (avail == 0 || off >= d->exe_size)
        return 0;
    if (avail > d->exe_size - off)
        avail = d->exe_size - off;
    size_t n = len < avail ? len : (size_t)avail;
    memcpy(buf, d->exe + off, n);
    return n;
}

static enum unwind_lookup denv_find_function(void *ctx, uint64_t base, uint32_t rva,
                                             uint32_t *ret_begin, uint32_t *ret_end,
                                             uint32_t *ret_unwind)
{
    struct dump_env *d = ctx;
    if (base != d->exe_base || d->pdata_size < 12)
        return UNWIND_LOOKUP_UNAVAILABLE;
    size_t lo = 0, hi = d->pdata_size / 12;
    while (lo < hi) { /* .pdata is sorted by BeginAddress */
        size_t mid = (lo + hi) / 2;
        uint8_t e[12];
        if (denv_read_image(d, base, d->pdata_rva + (uint32_t)(mid * 12), e, 12) < 12)
            return UNWIND_LOOKUP_UNAVAILABLE;
        uint32_t b = dd_le32(e), en = dd_le32(e + 4);
        if (rva < b) {
            hi = mid;
        } else if (rva >= en) {
            lo = mid + 1;
        } else {
            *ret_begin = b;
            *ret_end = en;
            *ret_unwind = dd_le32(e + 8);
            return UNWIND_LOOKUP_FOUND;
        }
    }
    return UNWIND_LOOKUP_NONE;
}

static uint8_t *read_whole_file(const char *path, size_t *ret_size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *buf = n > 0 ? malloc((size_t)n) : NULL;
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    *ret_size = (size_t)n;
    return buf;
}

static bool denv_parse_exe(struct dump_env *d)
{
    if (d->exe_size < 0x40)
        return false;
    uint32_t pe = dd_le32(d->exe + 0x3c);
    if ((uint64_t)pe + 24 + 112 + 16 * 8 > d->exe_size || memcmp(d->exe + pe, "PE\0\0", 4) != 0)
        return false;
    uint16_t nsec = dd_le16(d->exe + pe + 6), opt_size = dd_le16(d->exe + pe + 20);
    const uint8_t *opt = d->exe + pe + 24;
    if (dd_le16(opt) != 0x20b) /* PE32+ */
        return false;
    d->size_of_headers = dd_le32(opt + 60);
    d->pdata_rva = dd_le32(opt + 112 + 3 * 8);
    d->pdata_size = dd_le32(opt + 112 + 3 * 8 + 4);
    uint64_t sh = (uint64_t)pe + 24 + opt_size;
    for (unsigned i = 0; i < nsec && i < 16 && sh + 40 * (i + 1) <= d->exe_size; i++) {
        const uint8_t *s = d->exe + sh + 40 * i;
        d->sec[i].vsize = dd_le32(s + 8);
        d->sec[i].va = dd_le32(s + 12);
        d->sec[i].raw_size = dd_le32(s + 16);
        d->sec[i].raw_off = dd_le32(s + 20);
        d->nsec = i + 1;
    }
    return true;
}

TEST(unwind_x64_fixture_crash_null_write)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/dumps/crash_null_write.dmp", check_fixtures_dir());
    struct dump_env d = {0};
    CHECK_OK(dump_open(path, &d.t));
    if (!d.t)
        return;
    snprintf(path, sizeof(path), "%s/dumps/crash_null_write.exe", check_fixtures_dir());
    d.exe = read_whole_file(path, &d.exe_size);
    CHECK(d.exe != NULL);
    if (!d.exe || !denv_parse_exe(&d)) {
        check_fail(__FILE__, __LINE__, "cannot parse %s", path);
        target_destroy(d.t);
        free(d.exe);
        return;
    }
    /* .expect: image_base 140000000 (the exe is the first module). */
    const struct target_module *exe = target_module_by_addr(d.t, 0x140001000);
    CHECK(exe != NULL);
    d.exe_base = exe ? exe->base : 0;
    CHECK_EQ(d.exe_base, 0x140000000);

    CHECK(d.t->has_exception && d.t->exception.context);
    struct regset rs;
    CHECK_OK(x64_context_decode(d.t->exception.context, d.t->exception.context_size, &rs));
    struct unwind_regs start;
    unwind_regs_from_regset(&rs, &start);
    struct unwind_env env = {.ctx = &d, .read_memory = denv_read_memory, .find_module = denv_find_module,
                             .find_function = denv_find_function, .read_image = denv_read_image};
    struct unwind_walk w;
    CHECK_OK(unwind_x64_walk(&env, &start, NULL, &w));

    /*
     * Expected frames, from independent sources:
     * - ip: .expect (the program printed __builtin_return_address in each level, and the
     *   exception address): crash_here 140001569, into level_two 14000173c, into
     *   level_one 140001775, into main 140001a79. Beyond main (llvm-objdump -d of the exe):
     *   main is called at 1400013a9 by the mingw CRT's __tmainCRTStartup (140001180),
     *   returning to 1400013ae; that one is called at 1400014e1 by mainCRTStartup
     *   (1400014d0, a PDB public), returning to 1400014e6.
     * - Child-SP: .expect exception_context_rsp 11faf0, then each function's prolog in the
     *   disassembly: crash_here sub 38h, level_two sub 38h, level_one sub 28h, main push rbp
     *   + sub 1a0h, __tmainCRTStartup 5 pushes + sub 90h (each + 8 for the return address).
     */
    static const struct {
        uint64_t ip, sp;
    } want[] = {
        {0x140001569, 0x11faf0}, /* crash_here */
        {0x14000173c, 0x11fb30}, /* level_two */
        {0x140001775, 0x11fb70}, /* level_one */
        {0x140001a79, 0x11fba0}, /* main */
        {0x1400013ae, 0x11fd50}, /* __tmainCRTStartup */
        {0x1400014e6, 0x11fe10}, /* mainCRTStartup */
    };
    size_t nwant = sizeof(want) / sizeof(want[0]);
    CHECK(w.nframes >= nwant);
    for (size_t i = 0; i < nwant && i < w.nframes; i++) {
        if (w.frames[i].ip != want[i].ip || w.frames[i].sp != want[i].sp)
            check_fail(__FILE__, __LINE__, "frame %zu: ip %llx sp %llx, want %llx %llx", i,
                       (unsigned long long)w.frames[i].ip, (unsigned long long)w.frames[i].sp,
                       (unsigned long long)want[i].ip, (unsigned long long)want[i].sp);
        CHECK_EQ(w.frames[i].found_by, i == 0 ? UNWIND_FOUND_CONTEXT : UNWIND_FOUND_UNWIND_INFO);
    }
    if (w.nframes > 4) {
        /* main pushed rbp at its entry: the caller's rbp was read from 11fba0 + 1a0h. */
        CHECK(w.frames[4].regs.saved >> X64_RBP & 1);
        CHECK_EQ(w.frames[4].regs.saved_at[X64_RBP], 0x11fd40);
        CHECK(!unwind_regs_has(&w.frames[4].regs, X64_RAX));
    }
    /*
     * mainCRTStartup is the entry point: kernel32's BaseThreadInitThunk calls it and ntdll's
     * RtlUserThreadStart calls that (the Windows thread start, which Wine follows). Their
     * images are not here and the dump holds no code of them, so the scan cannot prove
     * ntdll's return address: the strict walk stops after kernel32, a loose one goes on.
     */
    if (w.nframes > nwant) {
        const struct target_module *m = target_module_by_addr(d.t, w.frames[nwant].ip);
        CHECK(m && strcmp(m->name, "kernel32") == 0);
        CHECK_EQ(w.stop, UNWIND_STOP_NO_CALLER);
    }
    struct unwind_options loose = {.scan_unverified = true};
    struct unwind_walk lw;
    CHECK_OK(unwind_x64_walk(&env, &start, &loose, &lw));
    CHECK(lw.nframes >= nwant + 2);
    if (lw.nframes >= nwant + 2) {
        const struct unwind_frame *nt = &lw.frames[nwant + 1];
        const struct target_module *m = target_module_by_addr(d.t, nt->ip);
        CHECK(m && strcmp(m->name, "ntdll") == 0);
        CHECK_EQ(nt->found_by, UNWIND_FOUND_SCAN);
        CHECK_EQ(nt->flags, UNWIND_FRAME_UNVERIFIED);
    }
    unwind_walk_deinit(&lw);
    /* Whatever lies beyond ends cleanly. */
    for (size_t i = 1; i < w.nframes; i++)
        CHECK(w.frames[i].sp > w.frames[i - 1].sp);
    CHECK(w.stop != UNWIND_STOP_NONE && w.stop != UNWIND_STOP_BAD_START);
    if (getenv("DD_TEST_VERBOSE"))
        for (size_t i = 0; i < w.nframes; i++)
            fprintf(stderr, "  %02zu %016llx %016llx %s\n", i, (unsigned long long)w.frames[i].sp,
                    (unsigned long long)w.frames[i].ip, unwind_found_by_name(w.frames[i].found_by));
    if (getenv("DD_TEST_VERBOSE"))
        fprintf(stderr, "  stop: %s\n", unwind_stop_name(w.stop));
    unwind_walk_deinit(&w);

    /*
     * The worker thread (.expect worker_tid 228) waits in WaitForSingleObject, called from
     * worker_main at 140001532 (`call [rip+...]`, llvm-objdump), so 140001538 is on its
     * stack. The Wine frames above it have no code here; the scan proves that return address
     * by its call instruction, then worker_main's unwind info leads into kernel32.
     */
    long wi = target_thread_by_tid(d.t, 228);
    CHECK(wi >= 0);
    if (wi >= 0) {
        const struct target_thread *th = &d.t->threads[wi];
        CHECK_OK(x64_context_decode(th->context, th->context_size, &rs));
        unwind_regs_from_regset(&rs, &start);
        CHECK_OK(unwind_x64_walk(&env, &start, NULL, &w));
        size_t k = 1;
        while (k < w.nframes && w.frames[k].ip != 0x140001538)
            k++;
        CHECK(k < w.nframes);
        if (k < w.nframes) {
            CHECK_EQ(w.frames[k].found_by, UNWIND_FOUND_SCAN);
            CHECK_EQ(w.frames[k].flags, 0);
            CHECK(k + 1 < w.nframes);
            if (k + 1 < w.nframes) {
                const struct target_module *m = target_module_by_addr(d.t, w.frames[k + 1].ip);
                CHECK(m && strcmp(m->name, "kernel32") == 0);
                CHECK_EQ(w.frames[k + 1].found_by, UNWIND_FOUND_UNWIND_INFO);
                CHECK_EQ(w.frames[k + 1].sp, w.frames[k].sp + 0x30); /* sub rsp,28h + ret */
            }
        }
        if (getenv("DD_TEST_VERBOSE"))
            for (size_t i = 0; i < w.nframes; i++)
                fprintf(stderr, "  w%02zu %016llx %016llx %s\n", i,
                        (unsigned long long)w.frames[i].sp, (unsigned long long)w.frames[i].ip,
                        unwind_found_by_name(w.frames[i].found_by));
        unwind_walk_deinit(&w);
    }
    free(d.exe);
    target_destroy(d.t);
}

/* ---- corpus x64 minidumps --------------------------------------------------------------- */

/*
 * The corpus has no x64 stack-walk goldens (its Breakpad/rust-minidump/symbolicator walks are
 * of x86 dumps), and these dumps hold no module images, so only the context frame and the
 * scan apply. Checked here: the walk never fails or loops, frame 0 is the thread context,
 * stack pointers rise, and every frame after a scan points into a listed module; a strict
 * walk accepts nothing it cannot prove (no code bytes: no frame).
 */
static const char *const corpus_x64[] = {
    "google-breakpad/tiny-exe-fastfail.dmp",
    "google-breakpad/tiny-exe-with-cet-xsave.dmp",
    "getsentry-sentry-desktop-crash-reporter/minidump.dmp",
    "electron-node-minidump/windows.dmp",
    "google-syzygy/notepad-64bit.dmp",
    "google-syzygy/notepad-small-64bit.dmp",
};

TEST(unwind_x64_corpus_dumps)
{
    const char *dir = check_corpus_dir();
    if (!dir) {
        check_skip("shared corpus not found");
        return;
    }
    bool verbose = getenv("DD_TEST_VERBOSE") != NULL;
    for (size_t k = 0; k < sizeof(corpus_x64) / sizeof(corpus_x64[0]); k++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/user/%s", dir, corpus_x64[k]);
        struct dump_env d = {0};
        struct dd_error *err = dump_open(path, &d.t);
        if (err) {
            check_fail(__FILE__, __LINE__, "%s: %s", corpus_x64[k], err->message);
            dd_error_destroy(err);
            continue;
        }
        CHECK_EQ(d.t->sys.cpu, DD_CPU_X64);
        struct unwind_env env = {.ctx = &d, .read_memory = denv_read_memory, .find_module = denv_find_module,
                             .find_function = denv_find_function, .read_image = denv_read_image};
        for (size_t ti = 0; ti < d.t->nthreads; ti++) {
            const struct target_thread *th = &d.t->threads[ti];
            const uint8_t *ctx = th->context;
            uint32_t ctx_size = th->context_size;
            if (d.t->has_exception && d.t->exception.thread_id == th->tid &&
                d.t->exception.context) {
                ctx = d.t->exception.context;
                ctx_size = d.t->exception.context_size;
            }
            struct regset rs;
            if (!ctx || x64_context_decode(ctx, ctx_size, &rs) != NULL)
                continue;
            struct unwind_regs start;
            unwind_regs_from_regset(&rs, &start);
            for (int loose = 0; loose < 2; loose++) {
                struct unwind_options o = {.scan_unverified = loose != 0};
                struct unwind_walk w;
                CHECK_OK(unwind_x64_walk(&env, &start, &o, &w));
                CHECK(w.nframes >= 1);
                if (w.nframes == 0)
                    continue;
                CHECK_EQ(w.frames[0].ip, rs.r[X64_RIP]);
                CHECK_EQ(w.frames[0].sp, rs.r[X64_RSP]);
                CHECK(w.stop != UNWIND_STOP_NONE && w.stop != UNWIND_STOP_BAD_START);
                for (size_t i = 1; i < w.nframes; i++) {
                    const struct unwind_frame *fr = &w.frames[i];
                    CHECK(fr->sp > w.frames[i - 1].sp);
                    if (fr->found_by == UNWIND_FOUND_SCAN) {
                        CHECK(target_module_by_addr(d.t, fr->ip) != NULL);
                        if (!loose)
                            CHECK(!(fr->flags & UNWIND_FRAME_UNVERIFIED));
                    }
                }
                if (verbose) {
                    fprintf(stderr, "%s thread %u (%s): %zu frames, %s\n", corpus_x64[k], th->tid,
                            loose ? "loose" : "strict", w.nframes, unwind_stop_name(w.stop));
                    for (size_t i = 0; i < w.nframes; i++) {
                        const struct target_module *m = target_module_by_addr(d.t, w.frames[i].ip);
                        fprintf(stderr, "  %02zu %016llx %016llx %s+%llx %s%s\n", i,
                                (unsigned long long)w.frames[i].sp,
                                (unsigned long long)w.frames[i].ip, m ? m->name : "?",
                                (unsigned long long)(m ? w.frames[i].ip - m->base : 0),
                                unwind_found_by_name(w.frames[i].found_by),
                                w.frames[i].flags & UNWIND_FRAME_UNVERIFIED ? " (unverified)" : "");
                    }
                }
                unwind_walk_deinit(&w);
            }
        }
        target_destroy(d.t);
    }
}
