/*
 * libFuzzer target: a whole ARM64 stack walk over fuzzed image bytes (code, .xdata and a .pdata
 * table) and fuzzed stack memory, plus the code decoder and formatter over the image bytes.
 * Input: [0] flags, [1..2] pc RVA, [3..4] sp offset, [5..6] image length L, [7..8] fp offset,
 * [9..10] lr RVA, then L image bytes (at RVA 0x1000 of the module at IMAGE_BASE, past the header
 * page; byte 0 = number of .pdata entries, the table at offset 4, 8 bytes each {begin RVA, second
 * word}, RVAs module-relative), then the stack (at STACK_BASE).
 * Flags: bit 0 image bytes also in memory, bit 1 table unavailable, bit 2 loose scan, bit 3 no
 * read_image callback, bit 4 pc outside the module, bit 5 lr outside the module, bit 6 no scan.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arch/arm64/arm64_regs.h"
#include "base/cursor.h"
#include "unwind/arm64/arm64_unwind.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IMAGE_BASE 0x7ff600000000ull
#define IMAGE_SIZE 0x10000u
#define IMAGE_RVA0 0x1000u /* RVA of the first image byte */
#define STACK_BASE 0x7ff000ull

#define FUZZ_UNWIND_LENGTH_UNIT 4
#define FUZZ_UNWIND_BEGIN_MASK 0u
#include "fuzz_unwind_image.h"

/* The decoder and formatter over arbitrary bytes, and the packed expansion of every word. */
static void decode_all(const uint8_t *b, size_t n)
{
    struct unwind_arm64_code c;
    char text[64];
    for (size_t at = 0; at < n;) {
        if (!unwind_arm64_code_decode(b, n, at, &c)) {
            at++;
            continue;
        }
        unwind_arm64_code_format(&c, (at & 1) != 0, text, sizeof(text));
        if (c.size == 0 || c.size > 5 || strlen(text) >= sizeof(text))
            __builtin_trap();
        at += c.size;
    }
    struct unwind_arm64_info info;
    for (size_t at = 0; at + 4 <= n && at < 64; at += 4)
        if (unwind_arm64_packed_expand(dd_le32(b + at), &info) && info.ncodes > sizeof(info.codes))
            __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 11)
        return 0;
    struct fuzz_target f;
    f.flags = data[0];
    size_t image_len = dd_le16(data + 5);
    if (image_len > size - 11)
        image_len = size - 11;
    f.image = data + 11;
    f.image_len = image_len;
    f.stack = data + 11 + image_len;
    f.stack_len = size - 11 - image_len;
    decode_all(f.image, f.image_len);

    struct unwind_env env = {.ctx = &f,
                             .read_memory = ft_read_memory,
                             .find_module = ft_find_module,
                             .find_function = ft_find_function,
                             .read_image = (f.flags & 8) ? NULL : ft_read_image};
    struct unwind_regs start;
    memset(&start, 0, sizeof(start));
    for (unsigned i = ARM64_X0; i <= 28; i++)
        unwind_regs_set(&start, i, STACK_BASE + 8 * i);
    uint64_t pc = (f.flags & 16) ? dd_le16(data + 1) : IMAGE_BASE + IMAGE_RVA0 + dd_le16(data + 1);
    uint64_t lr = (f.flags & 32) ? dd_le16(data + 9) : IMAGE_BASE + IMAGE_RVA0 + dd_le16(data + 9);
    unwind_regs_set(&start, ARM64_PC, pc);
    unwind_regs_set(&start, ARM64_LR, lr);
    unwind_regs_set(&start, ARM64_SP, STACK_BASE + dd_le16(data + 3));
    unwind_regs_set(&start, ARM64_FP, STACK_BASE + dd_le16(data + 7));
    start.vec_valid = 0xffff;

    struct unwind_options opts = {
        .max_frames = 64, .scan_unverified = (f.flags & 4) != 0, .no_scan = (f.flags & 64) != 0};
    struct unwind_walk w;
    struct dd_error *err = unwind_arm64_walk(&env, &start, &opts, &w);
    if (err) {
        dd_error_destroy(err);
        return 0;
    }
    /* Invariants every walk keeps. */
    for (size_t i = 1; i < w.nframes; i++) {
        if (w.frames[i].sp < w.frames[i - 1].sp || w.frames[i].ip == 0)
            __builtin_trap();
        if (w.frames[i].regs.r[ARM64_SP] != w.frames[i].sp ||
            !unwind_regs_has(&w.frames[i].regs, ARM64_PC))
            __builtin_trap();
    }
    if (w.nframes > 64)
        __builtin_trap();
    unwind_walk_deinit(&w);
    return 0;
}
