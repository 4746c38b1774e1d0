/*
 * libFuzzer target: a whole x64 stack walk over fuzzed image bytes (code, UNWIND_INFO and
 * a RUNTIME_FUNCTION table) and fuzzed stack memory.
 * Input: [0] flags, [1..2] rip RVA, [3..4] rsp offset, [5..6] image length L,
 * [7..8] rbp offset, then L image bytes (at RVA 0x1000 of the module at IMAGE_BASE, past
 * the header page; byte 0 = number of RUNTIME_FUNCTIONs, the table at offset 4, 12 bytes
 * each, RVAs in it are module-relative), then the stack (at STACK_BASE).
 * Flags: bit 0 image bytes also in memory, bit 1 table unavailable, bit 2 loose scan,
 * bit 3 no read_image callback, bit 4 rip outside the module.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch/x64/x64_regs.h"
#include "base/cursor.h"
#include "unwind/x64/x64_unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IMAGE_BASE 0x140000000ull
#define IMAGE_SIZE 0x10000u
#define IMAGE_RVA0 0x1000u /* RVA of the first image byte */
#define STACK_BASE 0x7ff000ull

struct fuzz_target {
    const uint8_t *image, *stack;
    size_t image_len, stack_len;
    uint8_t flags;
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
    if (addr >= IMAGE_BASE) {
        if ((f->flags & 1) && addr >= IMAGE_BASE + IMAGE_RVA0)
            return copy_from(f->image, f->image_len, addr - IMAGE_BASE - IMAGE_RVA0, buf, len);
        return 0;
    }
    if (addr >= STACK_BASE)
        return copy_from(f->stack, f->stack_len, addr - STACK_BASE, buf, len);
    return 0;
}

static bool ft_find_module(void *ctx, uint64_t addr, uint64_t *ret_base, uint64_t *ret_size)
{
    if (addr < IMAGE_BASE || addr - IMAGE_BASE >= IMAGE_SIZE)
        return false;
    *ret_base = IMAGE_BASE;
    *ret_size = IMAGE_SIZE;
    return true;
}

static enum unwind_lookup ft_find_function(void *ctx, uint64_t base, uint32_t rva,
                                           uint32_t *ret_begin, uint32_t *ret_end,
                                           uint32_t *ret_unwind)
{
    struct fuzz_target *f = ctx;
    if (f->flags & 2 || f->image_len == 0)
        return UNWIND_LOOKUP_UNAVAILABLE;
    size_t n = f->image[0];
    for (size_t i = 0; i < n && 4 + 12 * (i + 1) <= f->image_len; i++) {
        const uint8_t *e = f->image + 4 + 12 * i;
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

static size_t ft_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    struct fuzz_target *f = ctx;
    if (rva < IMAGE_RVA0)
        return 0;
    return copy_from(f->image, f->image_len, rva - IMAGE_RVA0, buf, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    struct fuzz_target f;
    f.flags = data[0];
    size_t image_len = dd_le16(data + 5);
    if (image_len > size - 9)
        image_len = size - 9;
    f.image = data + 9;
    f.image_len = image_len;
    f.stack = data + 9 + image_len;
    f.stack_len = size - 9 - image_len;

    struct unwind_env env = {.ctx = &f, .read_memory = ft_read_memory, .find_module = ft_find_module,
                             .find_function = ft_find_function,
                             .read_image = (f.flags & 8) ? NULL : ft_read_image};
    struct unwind_regs start;
    memset(&start, 0, sizeof(start));
    for (unsigned i = X64_RAX; i <= X64_R15; i++)
        unwind_regs_set(&start, i, STACK_BASE + 8 * i);
    uint64_t rip = (f.flags & 16) ? dd_le16(data + 1) : IMAGE_BASE + IMAGE_RVA0 + dd_le16(data + 1);
    unwind_regs_set(&start, X64_RIP, rip);
    unwind_regs_set(&start, X64_RSP, STACK_BASE + dd_le16(data + 3));
    unwind_regs_set(&start, X64_RBP, STACK_BASE + dd_le16(data + 7));
    start.vec_valid = 0xffff;

    struct unwind_options opts = {.max_frames = 64, .scan_unverified = (f.flags & 4) != 0};
    struct unwind_walk w;
    struct dd_error *err = unwind_x64_walk(&env, &start, &opts, &w);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    /* Invariants every walk keeps. */
    for (size_t i = 1; i < w.nframes; i++)
        if (w.frames[i].sp < w.frames[i - 1].sp || w.frames[i].ip == 0)
            __builtin_trap();
    if (w.nframes > 64)
        __builtin_trap();
    unwind_walk_deinit(&w);
    return 0;
}
