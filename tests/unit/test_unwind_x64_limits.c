/*
 * x64 unwind data the unwinder refuses is reported, not silent (docs/limits.md): the frame whose
 * unwind data is unusable carries UNWIND_FRAME_BAD_UNWIND and its caller is found by the stack
 * scan. A fake module holds hand-assembled code and UNWIND_INFO built per Microsoft's "x64
 * exception handling" (struct UNWIND_INFO; UNW_FLAG_CHAININFO = 4 puts a RUNTIME_FUNCTION after
 * the codes); expected values follow from those bytes.
 */
#include <string.h>

#include "arch/x64/x64_regs.h"
#include "base/cursor.h"
#include "unwind/x64/x64_unwind.h"
#include "check.h"

#define LIM_BASE 0x140000000ull
#define LIM_SIZE 0x4000u
#define LIM_STACK 0x10000ull
#define LIM_STACK_SIZE 0x1000u

struct lim_fake {
    uint8_t image[LIM_SIZE];
    uint8_t stack[LIM_STACK_SIZE];
    uint32_t fns[2][3]; /* RUNTIME_FUNCTION: begin, end, unwind RVA */
};

static size_t lim_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct lim_fake *f = ctx;
    const uint8_t *src;
    uint64_t off, size;
    if (addr >= LIM_STACK && addr - LIM_STACK < LIM_STACK_SIZE) {
        src = f->stack, off = addr - LIM_STACK, size = LIM_STACK_SIZE;
    } else if (addr >= LIM_BASE && addr - LIM_BASE < LIM_SIZE) {
        src = f->image, off = addr - LIM_BASE, size = LIM_SIZE;
    } else {
        return 0;
    }
    size_t n = size - off < len ? (size_t)(size - off) : len;
    memcpy(buf, src + off, n);
    return n;
}

static bool lim_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    (void)ctx;
    if (addr < LIM_BASE || addr - LIM_BASE >= LIM_SIZE)
        return false;
    *ret_base = LIM_BASE;
    *ret_size = LIM_SIZE;
    return true;
}

static enum unwind_lookup lim_find_function(void *ctx, uint64_t base, uint32_t rva,
                                            uint32_t *ret_begin, uint32_t *ret_end,
                                            uint32_t *ret_unwind)
{
    struct lim_fake *f = ctx;
    (void)base;
    for (size_t i = 0; i < 2; i++) {
        if (rva >= f->fns[i][0] && rva < f->fns[i][1]) {
            *ret_begin = f->fns[i][0];
            *ret_end = f->fns[i][1];
            *ret_unwind = f->fns[i][2];
            return UNWIND_LOOKUP_FOUND;
        }
    }
    return UNWIND_LOOKUP_NONE;
}

static size_t lim_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    return lim_read_memory(ctx, base + rva, buf, len);
}

/*
 * A at RVA 0x1000 (nops; unwind data at 0x3000, written per test) is called by B at 0x2000:
 *   2000: 48 83 ec 28       sub rsp, 28h   (UNWIND_INFO at 0x3040: prolog 4, ALLOC_SMALL 0x28)
 *   2004: e8 f7 ef ff ff    call 0x1000    -> return address 0x2009
 * Stack: rsp 0x10000 in A, B's return address at 0x10010 (found by the scan), so B's frame is
 * at 0x10018; B returns to 0 (at 0x10018 + 0x28): the end of the stack.
 */
static void lim_setup(struct lim_fake *f)
{
    memset(f, 0, sizeof(*f));
    memset(f->image + 0x1000, 0x90, 0x10);
    memcpy(f->image + 0x2000, "\x48\x83\xec\x28\xe8\xf7\xef\xff\xff\x48\x83\xc4\x28\xc3", 14);
    memcpy(f->image + 0x3040, "\x01\x04\x01\x00\x04\x42\x00\x00", 8);
    uint32_t fns[2][3] = {{0x1000, 0x1010, 0x3000}, {0x2000, 0x200e, 0x3040}};
    memcpy(f->fns, fns, sizeof(fns));
    dd_put_le64(f->stack + 0x10, LIM_BASE + 0x2009);
}

/* Walks from A+4 and checks the frames: A flagged when BAD, B found by scan (BAD) or not. */
static void lim_check_walk(struct lim_fake *f, bool bad)
{
    struct unwind_env env = {.ctx = f, .read_memory = lim_read_memory,
                             .find_module = lim_find_module, .find_function = lim_find_function,
                             .read_image = lim_read_image};
    struct unwind_regs r;
    memset(&r, 0, sizeof(r));
    unwind_regs_set(&r, X64_RIP, LIM_BASE + 0x1004);
    unwind_regs_set(&r, X64_RSP, LIM_STACK);
    struct unwind_walk w;
    CHECK_OK(unwind_x64_walk(&env, &r, NULL, &w));
    CHECK_EQ(w.nframes, 2);
    if (w.nframes == 2) {
        CHECK_EQ(!!(w.frames[0].flags & UNWIND_FRAME_BAD_UNWIND), bad);
        CHECK_EQ(w.frames[1].flags & UNWIND_FRAME_BAD_UNWIND, 0);
        CHECK_EQ(w.frames[1].ip, LIM_BASE + 0x2009);
        CHECK_EQ(w.frames[1].found_by, bad ? UNWIND_FOUND_SCAN : UNWIND_FOUND_UNWIND_INFO);
        CHECK_EQ(w.stop, UNWIND_STOP_END);
    }
    unwind_walk_deinit(&w);
}

TEST(unwind_x64_limits_chain_loop_flagged)
{
    static struct lim_fake f;
    lim_setup(&f);
    /* Version 1, UNW_FLAG_CHAININFO, no codes; the chained entry is A's own: a loop. */
    memcpy(f.image + 0x3000, "\x21\x00\x00\x00", 4);
    dd_put_le32(f.image + 0x3004, 0x1000);
    dd_put_le32(f.image + 0x3008, 0x1010);
    dd_put_le32(f.image + 0x300c, 0x3000);
    lim_check_walk(&f, true);

    /* A chain of 40 distinct links (0x3100, 0x3110, ...), longer than the 32 followed. */
    lim_setup(&f);
    memcpy(f.image + 0x3000, "\x21\x00\x00\x00", 4);
    dd_put_le32(f.image + 0x3004, 0x1000);
    dd_put_le32(f.image + 0x3008, 0x1010);
    dd_put_le32(f.image + 0x300c, 0x3100);
    for (uint32_t i = 0; i < 40; i++) {
        uint8_t *u = f.image + 0x3100 + 0x10 * i;
        memcpy(u, "\x21\x00\x00\x00", 4);
        dd_put_le32(u + 4, 0x1000);
        dd_put_le32(u + 8, 0x1010);
        dd_put_le32(u + 12, 0x3100 + 0x10 * (i + 1));
    }
    memcpy(f.image + 0x3100 + 0x10 * 40, "\x01\x00\x00\x00", 4); /* the end: a plain info */
    lim_check_walk(&f, true);
}

TEST(unwind_x64_limits_bad_version_flagged)
{
    static struct lim_fake f;
    lim_setup(&f);
    memcpy(f.image + 0x3000, "\x07\x00\x00\x00", 4); /* version 7: no such format */
    lim_check_walk(&f, true);

    /* Control: version 1 with no codes is a leaf-like frame that unwinds by its data. */
    lim_setup(&f);
    memcpy(f.image + 0x3000, "\x01\x00\x00\x00", 4);
    dd_put_le64(f.stack, LIM_BASE + 0x2009);
    dd_put_le64(f.stack + 0x10, 0);
    lim_check_walk(&f, false);
}
