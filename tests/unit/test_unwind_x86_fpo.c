/*
 * x86 frame-data unwinding of optimized (FPO) code where, as in a real session, target memory
 * reads reach the module images too (a dump session reads code bytes from the image files).
 * The stack and records replay tests/fixtures/dumps/x86_chain_O2.dmp (chain.c, clang -O2
 * -fomit-frame-pointer; records from llvm-pdbutil-16 dump --fpo, stack from the emulator):
 *   c  eip 401011 esp 18ffc0, no locals or saved registers, its return address at 18ffc0
 *   b  called with 2 args at 18ffc4, 12 bytes of locals, esi saved at 18ffd8, RA at 18ffdc
 *   a  called with 2 args at 18ffe0, esi saved at 18ffe8, RA (0: the end) at 18ffec
 * No function writes ebp, which is 0 all along.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x86/x86_regs.h"
#include "base/cursor.h"
#include "unwind/x86/x86_unwind.h"
#include "check.h"

#define FPO_MOD_BASE 0x400000u
#define FPO_MOD_SIZE 0x5000u
#define FPO_STACK_BASE 0x18f000u
#define FPO_STACK_SIZE 0x1000u

struct fpo_fake {
    uint8_t image[FPO_MOD_SIZE];
    uint8_t stack[FPO_STACK_SIZE];
};

static const char prog_plain[] = "$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + =";
static const char prog_esi[] = "$T0 .raSearch = $eip $T0 ^ = $esp $T0 4 + = $esi $T0 4 - ^ =";

static size_t fpo_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct fpo_fake *f = ctx;
    const uint8_t *src = NULL;
    size_t avail = 0;
    if (addr >= FPO_STACK_BASE && addr - FPO_STACK_BASE < FPO_STACK_SIZE) {
        src = f->stack + (addr - FPO_STACK_BASE);
        avail = FPO_STACK_SIZE - (size_t)(addr - FPO_STACK_BASE);
    } else if (addr >= FPO_MOD_BASE && addr - FPO_MOD_BASE < FPO_MOD_SIZE) {
        src = f->image + (addr - FPO_MOD_BASE);
        avail = FPO_MOD_SIZE - (size_t)(addr - FPO_MOD_BASE);
    }
    size_t n = avail < len ? avail : len;
    if (n)
        memcpy(buf, src, n);
    return n;
}

static bool fpo_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    (void)ctx;
    if (addr < FPO_MOD_BASE || addr - FPO_MOD_BASE >= FPO_MOD_SIZE)
        return false;
    *ret_base = FPO_MOD_BASE;
    *ret_size = FPO_MOD_SIZE;
    return true;
}

/* The FrameData records of x86_chain_O2.pdb covering the addresses the walk looks up. */
static bool fpo_find_info(void *ctx, uint64_t addr, struct unwind_x86_frame_info *ret)
{
    (void)ctx;
    uint32_t rva = (uint32_t)(addr - FPO_MOD_BASE);
    ret->has_frame = true;
    ret->has_params = true;
    ret->type = UNWIND_X86_FRAME_FRAME_DATA;
    ret->params_size = 8;
    if (rva >= 0x1000 && rva < 0x1015) { /* c */
        ret->rva = 0x1000;
        ret->program = prog_plain;
        ret->program_len = strlen(prog_plain);
        return true;
    }
    if (rva >= 0x1024 && rva < 0x1051) { /* b past its prolog */
        ret->rva = 0x1024;
        ret->locals_size = 12;
        ret->saved_regs_size = 4;
        ret->program = prog_esi;
        ret->program_len = strlen(prog_esi);
        return true;
    }
    if (rva >= 0x1061 && rva < 0x107e) { /* a past its push esi */
        ret->rva = 0x1061;
        ret->saved_regs_size = 4;
        ret->program = prog_esi;
        ret->program_len = strlen(prog_esi);
        return true;
    }
    return false;
}

static void fpo_put(struct fpo_fake *f, uint32_t addr, uint32_t v)
{
    dd_put_le32(f->stack + (addr - FPO_STACK_BASE), v);
}

/* `call rel32` at RVA to TARGET (both RVAs), as llvm-objdump-16 shows in x86_chain_O2.exe. */
static void fpo_call(struct fpo_fake *f, uint32_t rva, uint32_t target)
{
    f->image[rva] = 0xe8;
    dd_put_le32(f->image + rva + 1, target - (rva + 5));
}

TEST(unwind_x86_fpo_ebp_not_taken_from_return_address)
{
    struct fpo_fake *f = calloc(1, sizeof(*f));
    fpo_call(f, 0x103b, 0x1000); /* b calls c: returns to 401040 */
    fpo_call(f, 0x106d, 0x1020); /* a calls b: returns to 401072 */
    fpo_put(f, 0x18ffc0, 0x401040);
    fpo_put(f, 0x18ffc4, 0); /* c's args: p, v */
    fpo_put(f, 0x18ffc8, 0x11);
    fpo_put(f, 0x18ffcc, 0xf); /* b's locals */
    fpo_put(f, 0x18ffd0, 0x10);
    fpo_put(f, 0x18ffd8, 5); /* a's esi, saved by b */
    fpo_put(f, 0x18ffdc, 0x401072);
    fpo_put(f, 0x18ffe8, 0); /* main's esi, saved by a */
    fpo_put(f, 0x18ffec, 0); /* the end */

    struct unwind_regs r;
    memset(&r, 0, sizeof(r));
    unwind_regs_set(&r, X86_EIP, 0x401011);
    unwind_regs_set(&r, X86_ESP, 0x18ffc0);
    unwind_regs_set(&r, X86_EBP, 0);
    unwind_regs_set(&r, X86_EBX, 0x1b1b);
    unwind_regs_set(&r, X86_ESI, 0xf);
    unwind_regs_set(&r, X86_EDI, 0x1d1d);
    struct unwind_x86_frame_info_source src = {fpo_find_info, f};
    struct unwind_env env = {f, fpo_read_memory, fpo_find_module, NULL, NULL, &src};
    struct unwind_walk w;
    CHECK_OK(unwind_x86_walk(&env, &r, NULL, &w));
    CHECK(w.nframes >= 3);
    if (w.nframes >= 3) {
        const struct unwind_frame *b = &w.frames[1], *a = &w.frames[2];
        CHECK_EQ(b->found_by, UNWIND_FOUND_FRAME_DATA);
        CHECK_EQ(b->ip, 0x401040);
        CHECK_EQ(b->sp, 0x18ffc4);
        /* c's saved-register area is empty: the word at its esp is the return address, which
         * is readable image memory but no frame pointer. ebp stays 0. */
        CHECK(unwind_regs_has(&b->regs, X86_EBP));
        CHECK_EQ(b->regs.r[X86_EBP], 0);
        CHECK_EQ(b->regs.r[X86_ESI], 0xf);
        CHECK_EQ(b->regs.r[X86_EBX], 0x1b1b);
        CHECK_EQ(a->ip, 0x401072);
        CHECK_EQ(a->sp, 0x18ffe0);
        CHECK_EQ(a->regs.r[X86_EBP], 0);
        CHECK_EQ(a->regs.r[X86_ESI], 5);
        CHECK_EQ(a->regs.saved_at[X86_ESI], 0x18ffd8);
        /* b saved 4 bytes of registers and its program restores esi: ebx and edi were not
         * saved, so b did not change them. */
        CHECK(unwind_regs_has(&a->regs, X86_EBX));
        CHECK_EQ(a->regs.r[X86_EBX], 0x1b1b);
        CHECK(unwind_regs_has(&a->regs, X86_EDI));
        CHECK_EQ(a->regs.r[X86_EDI], 0x1d1d);
        CHECK(!unwind_regs_has(&a->regs, X86_EAX));
    }
    unwind_walk_deinit(&w);
    free(f);
}

TEST(unwind_x86_fpo_ebp_recovered_from_saved_area)
{
    /* Breakpad's recovery still works: ebp is garbage (unreadable), and the highest word of
     * the saved-register area points into the stack above: that is the caller's ebp. */
    struct fpo_fake *f = calloc(1, sizeof(*f));
    fpo_call(f, 0x103b, 0x1000);
    fpo_call(f, 0x106d, 0x1020);
    fpo_put(f, 0x18ffc0, 0x401040);
    fpo_put(f, 0x18ffd0, 0x18fff0); /* b's saved-register area: a stack address */
    fpo_put(f, 0x18ffd8, 5);
    fpo_put(f, 0x18ffdc, 0x401072);
    struct unwind_regs r;
    memset(&r, 0, sizeof(r));
    unwind_regs_set(&r, X86_EIP, 0x401011);
    unwind_regs_set(&r, X86_ESP, 0x18ffc0);
    unwind_regs_set(&r, X86_EBP, 0xdead0000);
    struct unwind_x86_frame_info_source src = {fpo_find_info, f};
    struct unwind_env env = {f, fpo_read_memory, fpo_find_module, NULL, NULL, &src};
    struct unwind_walk w;
    CHECK_OK(unwind_x86_walk(&env, &r, NULL, &w));
    CHECK(w.nframes >= 3);
    if (w.nframes >= 3) {
        /* c: nothing to recover from (no saved registers); b: 18ffd0 = esp 18ffc4 + callee
         * params 8 + saved 4 holds a stack pointer. */
        CHECK_EQ(w.frames[1].regs.r[X86_EBP], 0xdead0000);
        CHECK_EQ(w.frames[2].regs.r[X86_EBP], 0x18fff0);
        CHECK_EQ(w.frames[2].regs.saved_at[X86_EBP], 0x18ffd0);
    }
    unwind_walk_deinit(&w);
    free(f);
}
