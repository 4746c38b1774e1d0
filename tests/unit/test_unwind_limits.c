/*
 * Unwind data refused by a limit is reported, not silent (docs/limits.md): the frame carries
 * UNWIND_FRAME_BAD_UNWIND and its caller is found another way. x86: FrameData/STACK WIN programs
 * past the postfix limits (POSTFIX_MAX_TOKENS, POSTFIX_MAX_DEPTH), STACK CFI with more rows than
 * UNWIND_X86_MAX_CFI_ROWS or more than 32 registers; x64 and ARM64: a module whose .pdata table
 * is refused as a whole (UNWIND_LOOKUP_REFUSED). Programs that merely fail (a read outside the
 * dump, a malformed rule) are not flagged. Stack words and code bytes are written here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/arm64_regs.h"
#include "arch/x64/x64_regs.h"
#include "arch/x86/x86_regs.h"
#include "base/cursor.h"
#include "unwind/arm64/arm64_unwind.h"
#include "unwind/postfix.h"
#include "unwind/x64/x64_unwind.h"
#include "unwind/x86/x86_unwind.h"
#include "check.h"

/* ---- x86: a module at 0x400000, the stack at 0x10000 ------------------------------------ */

#define LX_MOD 0x400000u
#define LX_MOD_SIZE 0x4000u
#define LX_STACK 0x10000u
#define LX_STACK_SIZE 0x4000u

struct lx_fake {
    uint8_t image[LX_MOD_SIZE];
    uint8_t stack[LX_STACK_SIZE];
    struct unwind_x86_frame_info info; /* for A, RVAs [0x2000, 0x2100) */
};

static size_t lx_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct lx_fake *f = ctx;
    if (addr < LX_STACK || addr - LX_STACK >= LX_STACK_SIZE)
        return 0;
    size_t off = (size_t)(addr - LX_STACK),
           n = LX_STACK_SIZE - off < len ? LX_STACK_SIZE - off : len;
    memcpy(buf, f->stack + off, n);
    return n;
}

static bool lx_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    (void)ctx;
    if (addr < LX_MOD || addr - LX_MOD >= LX_MOD_SIZE)
        return false;
    *ret_base = LX_MOD;
    *ret_size = LX_MOD_SIZE;
    return true;
}

static size_t lx_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    struct lx_fake *f = ctx;
    if (base != LX_MOD || rva >= LX_MOD_SIZE)
        return 0;
    size_t n = LX_MOD_SIZE - rva < len ? LX_MOD_SIZE - rva : len;
    memcpy(buf, f->image + rva, n);
    return n;
}

static bool lx_find_info(void *ctx, uint64_t addr, struct unwind_x86_frame_info *ret)
{
    struct lx_fake *f = ctx;
    if (addr < LX_MOD + 0x2000 || addr >= LX_MOD + 0x2100)
        return false;
    *ret = f->info;
    return true;
}

/* B calls A: `call rel32` at 0x1100 to 0x2000, return address 0x401105, stored at 0x11008;
 * above it an EBP frame (saved ebp 0 at 0x11040, the return address again at 0x11044). */
static uint32_t lx_setup(struct lx_fake *f)
{
    memset(f, 0, sizeof(*f));
    f->image[0x1100] = 0xe8;
    dd_put_le32(f->image + 0x1101, 0x2000 - 0x1105);
    uint32_t ra = LX_MOD + 0x1105;
    dd_put_le32(f->stack + 0x1008, ra);
    dd_put_le32(f->stack + 0x1044, ra);
    f->info.rva = 0x2000;
    f->info.code_size = 0x100;
    return ra;
}

static struct unwind_walk lx_walk(struct lx_fake *f, uint32_t ebp)
{
    struct unwind_x86_frame_info_source src = {lx_find_info, f};
    struct unwind_env env = {.ctx = f,
                             .read_memory = lx_read_memory,
                             .find_module = lx_find_module,
                             .read_image = lx_read_image,
                             .arch_data = &src};
    struct unwind_regs r;
    memset(&r, 0, sizeof(r));
    unwind_regs_set(&r, X86_EIP, LX_MOD + 0x2010);
    unwind_regs_set(&r, X86_ESP, LX_STACK + 0x1000);
    unwind_regs_set(&r, X86_EBP, ebp);
    struct unwind_walk w;
    CHECK_OK(unwind_x86_walk(&env, &r, NULL, &w));
    return w;
}

/* Checks frame 0's flag and how its caller (at RA) was found. */
static void lx_check(const struct unwind_walk *w, bool flagged, uint32_t ra,
                     enum unwind_found_by found_by)
{
    CHECK(w->nframes >= 2);
    if (w->nframes < 2)
        return;
    CHECK_EQ(!!(w->frames[0].flags & UNWIND_FRAME_BAD_UNWIND), flagged);
    CHECK_EQ(w->frames[1].ip, ra);
    CHECK_EQ(w->frames[1].found_by, found_by);
}

static void lx_frame_data(struct lx_fake *f, const char *prog, size_t len)
{
    f->info.has_frame = true;
    f->info.type = UNWIND_X86_FRAME_FRAME_DATA;
    f->info.program = prog;
    f->info.program_len = len;
}

TEST(unwind_limits_x86_program_tokens_flagged)
{
    static struct lx_fake f;
    static char prog[8192];
    uint32_t ra = lx_setup(&f);
    /* POSTFIX_MAX_TOKENS + 5 tokens that each keep the stack shallow: refused by the limit. */
    size_t n = (size_t)snprintf(prog, sizeof(prog), "$T0 0 = ");
    for (int i = 0; i < POSTFIX_MAX_TOKENS / 5 + 1; i++)
        n += (size_t)snprintf(prog + n, sizeof(prog) - n, "$T0 $T0 1 + = ");
    lx_frame_data(&f, prog, n);
    struct unwind_walk w = lx_walk(&f, 0x90000);
    lx_check(&w, true, ra, UNWIND_FOUND_SCAN);
    unwind_walk_deinit(&w);

    /* Control: a program that fails by reading outside the dump is not flagged. */
    static const char ebp_frame[] = "$T0 $ebp = $eip $T0 4 + ^ = $ebp $T0 ^ = $esp $T0 8 + =";
    lx_frame_data(&f, ebp_frame, sizeof(ebp_frame) - 1);
    w = lx_walk(&f, 0x90000);
    lx_check(&w, false, ra, UNWIND_FOUND_SCAN);
    unwind_walk_deinit(&w);
}

TEST(unwind_limits_x86_program_depth_flagged)
{
    static struct lx_fake f;
    char prog[1024];
    uint32_t ra = lx_setup(&f);
    /* POSTFIX_MAX_DEPTH + 1 values on the evaluation stack. */
    size_t n = 0;
    for (int i = 0; i < POSTFIX_MAX_DEPTH + 1; i++)
        n += (size_t)snprintf(prog + n, sizeof(prog) - n, "1 ");
    lx_frame_data(&f, prog, n);
    struct unwind_walk w = lx_walk(&f, 0x90000);
    lx_check(&w, true, ra, UNWIND_FOUND_SCAN);
    unwind_walk_deinit(&w);
}

TEST(unwind_limits_x86_cfi_flagged)
{
    static struct lx_fake f;
    static const char init[] = ".cfa: $esp 4 + .ra: .cfa -4 + ^";
    uint32_t ra = lx_setup(&f);
    /* More rows than the info holds: the CFI is refused; the EBP chain finds B. */
    f.info.cfi_nrows = UNWIND_X86_MAX_CFI_ROWS + 1;
    for (size_t i = 0; i < UNWIND_X86_MAX_CFI_ROWS; i++)
        f.info.cfi_rows[i] = (struct unwind_x86_text){init, sizeof(init) - 1};
    struct unwind_walk w = lx_walk(&f, LX_STACK + 0x1040);
    lx_check(&w, true, ra, UNWIND_FOUND_FRAME_POINTER);
    unwind_walk_deinit(&w);

    /* Rules for 40 registers, more than the 32 kept. */
    static char many[2048];
    size_t n = (size_t)snprintf(many, sizeof(many), "%s", init);
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(many + n, sizeof(many) - n, " $r%d: 1", i);
    f.info.cfi_nrows = 1;
    f.info.cfi_rows[0] = (struct unwind_x86_text){many, n};
    w = lx_walk(&f, LX_STACK + 0x1040);
    lx_check(&w, true, ra, UNWIND_FOUND_FRAME_POINTER);
    unwind_walk_deinit(&w);

    /* A .cfa expression deeper than POSTFIX_MAX_DEPTH. */
    n = (size_t)snprintf(many, sizeof(many), ".ra: .cfa -4 + ^ .cfa:");
    for (int i = 0; i < POSTFIX_MAX_DEPTH + 1; i++)
        n += (size_t)snprintf(many + n, sizeof(many) - n, " 1");
    f.info.cfi_rows[0] = (struct unwind_x86_text){many, n};
    w = lx_walk(&f, LX_STACK + 0x1040);
    lx_check(&w, true, ra, UNWIND_FOUND_FRAME_POINTER);
    unwind_walk_deinit(&w);

    /* Control: malformed rules (no .ra) are not used, and not flagged. */
    static const char bad[] = ".cfa: $esp 4 +";
    f.info.cfi_rows[0] = (struct unwind_x86_text){bad, sizeof(bad) - 1};
    w = lx_walk(&f, LX_STACK + 0x1040);
    lx_check(&w, false, ra, UNWIND_FOUND_FRAME_POINTER);
    unwind_walk_deinit(&w);

    /* Control: 64 rows are within the limit and unwind A (the return address at esp + 0). */
    dd_put_le32(f.stack + 0x1000, ra);
    f.info.cfi_nrows = UNWIND_X86_MAX_CFI_ROWS;
    for (size_t i = 0; i < UNWIND_X86_MAX_CFI_ROWS; i++)
        f.info.cfi_rows[i] = (struct unwind_x86_text){init, sizeof(init) - 1};
    w = lx_walk(&f, LX_STACK + 0x1040);
    lx_check(&w, false, ra, UNWIND_FOUND_FRAME_DATA);
    unwind_walk_deinit(&w);
}

/* ---- x64 and ARM64: a module whose .pdata table is refused -------------------------------- */

#define LP_MOD 0x140000000ull
#define LP_MOD_SIZE 0x4000u
#define LP_STACK 0x10000ull
#define LP_STACK_SIZE 0x1000u

struct lp_fake {
    uint8_t image[LP_MOD_SIZE];
    uint8_t stack[LP_STACK_SIZE];
    enum unwind_lookup lookup; /* what find_function answers */
};

static size_t lp_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct lp_fake *f = ctx;
    const uint8_t *src;
    uint64_t off, size;
    if (addr >= LP_STACK && addr - LP_STACK < LP_STACK_SIZE)
        src = f->stack, off = addr - LP_STACK, size = LP_STACK_SIZE;
    else if (addr >= LP_MOD && addr - LP_MOD < LP_MOD_SIZE)
        src = f->image, off = addr - LP_MOD, size = LP_MOD_SIZE;
    else
        return 0;
    size_t n = size - off < len ? (size_t)(size - off) : len;
    memcpy(buf, src + off, n);
    return n;
}

static bool lp_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    (void)ctx;
    if (addr < LP_MOD || addr - LP_MOD >= LP_MOD_SIZE)
        return false;
    *ret_base = LP_MOD;
    *ret_size = LP_MOD_SIZE;
    return true;
}

static enum unwind_lookup lp_find_function(void *ctx, uint64_t base, uint32_t rva,
                                           uint32_t *ret_begin, uint32_t *ret_end,
                                           uint32_t *ret_unwind)
{
    struct lp_fake *f = ctx;
    (void)base, (void)rva, (void)ret_begin, (void)ret_end, (void)ret_unwind;
    return f->lookup;
}

static size_t lp_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    return lp_read_memory(ctx, base + rva, buf, len);
}

/*
 * x64: A at 0x1000 (nops) called by B: `call 0x1000` at 0x2004, return address 0x2009 at rsp
 * + 0x10 (found by the scan, as without any table).
 */
TEST(unwind_limits_x64_pdata_refused_flagged)
{
    static struct lp_fake f;
    const enum unwind_lookup answers[] = {UNWIND_LOOKUP_REFUSED, UNWIND_LOOKUP_UNAVAILABLE};
    for (size_t k = 0; k < 2; k++) {
        memset(&f, 0, sizeof(f));
        f.lookup = answers[k];
        memset(f.image + 0x1000, 0x90, 0x10);
        memcpy(f.image + 0x2004, "\xe8\xf7\xef\xff\xff", 5);
        dd_put_le64(f.stack + 0x10, LP_MOD + 0x2009);
        struct unwind_env env = {.ctx = &f,
                                 .read_memory = lp_read_memory,
                                 .find_module = lp_find_module,
                                 .find_function = lp_find_function,
                                 .read_image = lp_read_image};
        struct unwind_regs r;
        memset(&r, 0, sizeof(r));
        unwind_regs_set(&r, X64_RIP, LP_MOD + 0x1004);
        unwind_regs_set(&r, X64_RSP, LP_STACK);
        struct unwind_walk w;
        CHECK_OK(unwind_x64_walk(&env, &r, NULL, &w));
        CHECK(w.nframes >= 2);
        if (w.nframes >= 2) {
            /* Refused: said; unavailable (e.g. not in the dump): the scan as before, unflagged. */
            CHECK_EQ(!!(w.frames[0].flags & UNWIND_FRAME_BAD_UNWIND), k == 0);
            CHECK_EQ(w.frames[1].ip, LP_MOD + 0x2009);
            CHECK_EQ(w.frames[1].found_by, UNWIND_FOUND_SCAN);
        }
        unwind_walk_deinit(&w);
    }
}

TEST(unwind_limits_arm64_pdata_refused_flagged)
{
    static struct lp_fake f;
    const enum unwind_lookup answers[] = {UNWIND_LOOKUP_REFUSED, UNWIND_LOOKUP_UNAVAILABLE};
    for (size_t k = 0; k < 2; k++) {
        memset(&f, 0, sizeof(f));
        f.lookup = answers[k];
        struct unwind_env env = {.ctx = &f,
                                 .read_memory = lp_read_memory,
                                 .find_module = lp_find_module,
                                 .find_function = lp_find_function,
                                 .read_image = lp_read_image};
        struct unwind_regs r;
        memset(&r, 0, sizeof(r));
        unwind_regs_set(&r, ARM64_PC, LP_MOD + 0x1004);
        unwind_regs_set(&r, ARM64_SP, LP_STACK);
        unwind_regs_set(&r, ARM64_LR, LP_MOD + 0x2008);
        unwind_regs_set(&r, ARM64_FP, 0);
        struct unwind_walk w;
        CHECK_OK(unwind_arm64_walk(&env, &r, NULL, &w));
        CHECK(w.nframes >= 1);
        if (w.nframes >= 1)
            CHECK_EQ(!!(w.frames[0].flags & UNWIND_FRAME_BAD_UNWIND), k == 0);
        unwind_walk_deinit(&w);
    }
}
