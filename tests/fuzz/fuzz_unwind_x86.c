/*
 * libFuzzer target: a whole x86 stack walk over fuzzed stack memory, code bytes and frame data
 * (a FrameData/FPO record with a program, and STACK CFI rows).
 * Input: [0] flags, [1..2] esp offset, [3..4] ebp offset, [5..6] eip RVA, [7] locals/4,
 * [8] saved regs/4, [9] params/4, [10..11] code length L, [12] program length P, [13] CFI
 * length C, then L code bytes (at RVA 0x1000 of the module at MOD_BASE), P program bytes,
 * C CFI bytes ('|' separates rows), then the stack (at STACK_BASE).
 * Flags: bit 0 frame data source, bit 1 type FPO (else FrameData), bit 2 allocates base
 * pointer, bit 3 record covers only RVAs below 0x1800, bit 4 loose scan, bit 5 no scan,
 * bit 6 no read_image callback, bit 7 ebp unknown. A FrameData record without a program is
 * left out (has_frame false): then the CFI rows are used.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch/x86/x86_regs.h"
#include "base/cursor.h"
#include "unwind/x86/x86_unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MOD_BASE 0x400000u
#define MOD_SIZE 0x10000u
#define CODE_RVA 0x1000u
#define STACK_BASE 0x10000u

struct fuzz_target {
    const uint8_t *code, *stack;
    size_t code_len, stack_len;
    uint8_t flags;
    struct unwind_x86_frame_info info;
};

static size_t copy_from(const uint8_t *src, size_t src_len, uint64_t off, void *buf, size_t len)
{
    if (off >= src_len)
        return 0;
    size_t n = src_len - (size_t)off;
    if (n > len)
        n = len;
    memcpy(buf, src + off, n);
    return n;
}

static size_t ft_read_memory(void *ctx, uint64_t addr, void *buf, size_t len)
{
    struct fuzz_target *f = ctx;
    if (addr >= STACK_BASE)
        return copy_from(f->stack, f->stack_len, addr - STACK_BASE, buf, len);
    return 0;
}

static bool ft_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    (void)ctx;
    if (addr < MOD_BASE || addr - MOD_BASE >= MOD_SIZE)
        return false;
    *ret_base = MOD_BASE;
    *ret_size = MOD_SIZE;
    return true;
}

static size_t ft_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    struct fuzz_target *f = ctx;
    if (base != MOD_BASE || rva < CODE_RVA)
        return 0;
    return copy_from(f->code, f->code_len, rva - CODE_RVA, buf, len);
}

static bool ft_find_info(void *ctx, uint64_t addr, struct unwind_x86_frame_info *ret)
{
    struct fuzz_target *f = ctx;
    if (addr < MOD_BASE || addr - MOD_BASE >= MOD_SIZE)
        return false;
    if ((f->flags & 8) && addr - MOD_BASE >= 0x1800)
        return false;
    *ret = f->info;
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 14)
        return 0;
    static struct fuzz_target f; /* the frame info holds 1 KB of CFI rows */
    memset(&f, 0, sizeof(f));
    f.flags = data[0];
    size_t rest = size - 14;
    size_t code_len = dd_le16(data + 10), prog_len = data[12], cfi_len = data[13];
    if (code_len > rest)
        code_len = rest;
    rest -= code_len;
    if (prog_len > rest)
        prog_len = rest;
    rest -= prog_len;
    if (cfi_len > rest)
        cfi_len = rest;
    rest -= cfi_len;
    const uint8_t *p = data + 14;
    f.code = p;
    f.code_len = code_len;
    const char *prog = (const char *)p + code_len;
    const char *cfi = prog + prog_len;
    f.stack = p + code_len + prog_len + cfi_len;
    f.stack_len = rest;

    struct unwind_x86_frame_info *in = &f.info;
    /* A FrameData record needs its program; without one only the CFI rows (and sizes) count. */
    in->has_frame = prog_len > 0 || (f.flags & 2);
    in->has_params = true;
    in->type = (f.flags & 2) ? UNWIND_X86_FRAME_FPO : UNWIND_X86_FRAME_FRAME_DATA;
    in->rva = CODE_RVA;
    in->code_size = 0x1000;
    in->locals_size = 4u * data[7];
    in->saved_regs_size = 4u * data[8];
    in->params_size = 4u * data[9];
    in->program = prog_len ? prog : NULL;
    in->program_len = prog_len;
    in->allocates_base_pointer = (f.flags & 4) != 0;
    /* CFI rows: '|'-separated pieces of the CFI bytes. */
    size_t start = 0;
    for (size_t i = 0; i <= cfi_len && cfi_len > 0; i++) {
        if (i == cfi_len || cfi[i] == '|') {
            if (in->cfi_nrows < UNWIND_X86_MAX_CFI_ROWS)
                in->cfi_rows[in->cfi_nrows++] = (struct unwind_x86_text){cfi + start, i - start};
            start = i + 1;
        }
    }

    struct unwind_x86_frame_info_source src = {ft_find_info, &f};
    struct unwind_env env = {.ctx = &f,
                             .read_memory = ft_read_memory,
                             .find_module = ft_find_module,
                             .read_image = (f.flags & 64) ? NULL : ft_read_image,
                             .arch_data = (f.flags & 1) ? &src : NULL};
    struct unwind_regs regs;
    memset(&regs, 0, sizeof(regs));
    for (unsigned i = X86_EAX; i <= X86_EDI; i++)
        unwind_regs_set(&regs, i, STACK_BASE + 4 * i);
    unwind_regs_set(&regs, X86_EIP, MOD_BASE + CODE_RVA + dd_le16(data + 5));
    unwind_regs_set(&regs, X86_ESP, STACK_BASE + dd_le16(data + 1));
    unwind_regs_set(&regs, X86_EBP, STACK_BASE + dd_le16(data + 3));
    if (f.flags & 128)
        unwind_regs_forget(&regs, X86_EBP);

    struct unwind_options opts = {
        .max_frames = 64, .scan_unverified = (f.flags & 16) != 0, .no_scan = (f.flags & 32) != 0};
    struct unwind_walk w;
    struct dd_error *err = unwind_x86_walk(&env, &regs, &opts, &w);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    /* Invariants every walk keeps. */
    for (size_t i = 1; i < w.nframes; i++) {
        const struct unwind_frame *fr = &w.frames[i];
        if (fr->sp < w.frames[i - 1].sp || fr->ip == 0 || fr->ip > UINT32_MAX ||
            fr->sp > UINT32_MAX)
            __builtin_trap();
        if (unwind_regs_has(&fr->regs, X86_EFL) || fr->regs.vec_valid)
            __builtin_trap(); /* volatile registers never survive a call */
        for (unsigned s = 0; s < X86_NSLOTS; s++)
            if (unwind_regs_has(&fr->regs, s) && fr->regs.r[s] > UINT32_MAX)
                __builtin_trap();
    }
    if (w.nframes > 64)
        __builtin_trap();
    unwind_walk_deinit(&w);
    return 0;
}
