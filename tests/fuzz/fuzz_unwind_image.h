/*
 * The fake module and stack the ARM and ARM64 unwinder fuzz targets walk over: a module at
 * IMAGE_BASE whose bytes from IMAGE_RVA0 on are the fuzzed image (byte 0 = number of .pdata
 * entries, the table at offset 4, 8 bytes each {begin RVA, second word}), and the fuzzed stack at
 * STACK_BASE. The including file defines IMAGE_BASE, IMAGE_SIZE, IMAGE_RVA0, STACK_BASE,
 * FUZZ_UNWIND_LENGTH_UNIT (bytes per FunctionLength unit: 2 for Thumb-2, 4 for ARM64) and
 * FUZZ_UNWIND_BEGIN_MASK (bits of a .pdata begin RVA that are not the address: the Thumb bit).
 */
#ifndef DD_TESTS_FUZZ_UNWIND_IMAGE_H
#define DD_TESTS_FUZZ_UNWIND_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/cursor.h"
#include "unwind/unwind.h"

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
    (void)ctx;
    if (addr < IMAGE_BASE || addr - IMAGE_BASE >= IMAGE_SIZE)
        return false;
    *ret_base = IMAGE_BASE;
    *ret_size = IMAGE_SIZE;
    return true;
}

static enum unwind_lookup ft_find_function(void *ctx, uint64_t base, uint32_t rva,
                                           uint32_t *ret_begin, uint32_t *ret_end,
                                           uint32_t *ret_word)
{
    struct fuzz_target *f = ctx;
    (void)base;
    if (f->flags & 2 || f->image_len == 0)
        return UNWIND_LOOKUP_UNAVAILABLE;
    size_t n = f->image[0];
    for (size_t i = 0; i < n && 4 + 8 * (i + 1) <= f->image_len; i++) {
        const uint8_t *e = f->image + 4 + 8 * i;
        uint32_t b = dd_le32(e), w = dd_le32(e + 4), len = 0;
        b &= ~FUZZ_UNWIND_BEGIN_MASK;
        if (w & 3) {
            len = ((w >> 2) & 0x7ff) * FUZZ_UNWIND_LENGTH_UNIT;
        } else if (w >= IMAGE_RVA0 && (uint64_t)w - IMAGE_RVA0 + 4 <= f->image_len) {
            len = (dd_le32(f->image + (w - IMAGE_RVA0)) & 0x3ffff) * FUZZ_UNWIND_LENGTH_UNIT;
        }
        if (rva >= b && rva - b < len) {
            *ret_begin = b;
            *ret_end = b + len;
            *ret_word = w;
            return UNWIND_LOOKUP_FOUND;
        }
    }
    return UNWIND_LOOKUP_NONE;
}

static size_t ft_read_image(void *ctx, uint64_t base, uint32_t rva, void *buf, size_t len)
{
    struct fuzz_target *f = ctx;
    (void)base;
    if (rva < IMAGE_RVA0)
        return 0;
    return copy_from(f->image, f->image_len, rva - IMAGE_RVA0, buf, len);
}

#endif
