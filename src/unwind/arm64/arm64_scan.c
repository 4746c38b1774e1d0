/*
 * Return-address checks of the ARM64 cascade and its last resort, a stack scan. A value is a
 * return address only when it points into a known module right after a call: BL (imm26), BLR, or
 * the pointer-authenticating BLRAA/BLRAB/BLRAAZ/BLRABZ (Arm ARM, C6.2 "BL", "BLR", "BLRAA...").
 */
#include <string.h>

#include "base/cursor.h"
#include "unwind/arm64/arm64_internal.h"

static bool in_module(const struct unwind_env *env, uint64_t addr)
{
    uint64_t base, size;
    return env && env->find_module && env->find_module(env->ctx, addr, &base, &size);
}

uint64_t unwind_arm64_strip_pac(uint64_t v)
{
    /* With 48-bit virtual addresses the PAC sits above bit 47; bit 55 says user (0) or kernel. */
    const uint64_t va_mask = ((uint64_t)1 << 48) - 1;
    return (v >> 55) & 1 ? v | ~va_mask : v & va_mask;
}

bool unwind_arm64_call_precedes(const struct unwind_env *env, uint64_t ra, uint32_t insn)
{
    if ((insn & 0xfc000000u) == 0x94000000u) {
        /* BL: 100101 imm26; the target (pc + imm26*4) should be code in a module too. */
        int64_t imm = (int64_t)(insn & 0x03ffffffu);
        if (imm & 0x02000000)
            imm -= 0x04000000;
        uint64_t target = ra - 4 + (uint64_t)(imm * 4);
        return !env || !env->find_module || in_module(env, target);
    }
    if ((insn & 0xfffffc1fu) == 0xd63f0000u) /* BLR Xn */
        return true;
    if ((insn & 0xfffff800u) == 0xd73f0800u) /* BLRAA / BLRAB Xn, Xm */
        return true;
    if ((insn & 0xfffffa1fu) == 0xd63f081fu) /* BLRAAZ / BLRABZ Xn */
        return true;
    return false;
}

bool arm64_read_insn(const struct unwind_env *env, uint64_t addr, uint32_t *ret)
{
    uint8_t b[4];
    uint64_t base, size;
    size_t got = 0;
    if (env->find_module && env->find_module(env->ctx, addr, &base, &size) &&
        addr - base <= UINT32_MAX - 4)
        got = arm64_read_image(env, base, (uint32_t)(addr - base), b, 4);
    /* The image may lack the bytes (a section gap); the dump may hold them. */
    if (got < 4)
        got = env->read_memory(env->ctx, addr, b, 4);
    if (got < 4)
        return false;
    *ret = dd_le32(b);
    return true;
}

bool arm64_is_return_address(const struct unwind_env *env, uint64_t value, bool *ret_unverified)
{
    *ret_unverified = false;
    uint64_t base, size;
    if (value < 4 || (value & 3) || !env->find_module ||
        !env->find_module(env->ctx, value, &base, &size))
        return false;
    /* The first page of an image holds its headers (PE/COFF SizeOfHeaders), never code. */
    if (value - base < 0x1000)
        return false;
    uint32_t insn;
    if (!arm64_read_insn(env, value - 4, &insn)) {
        *ret_unverified = true;
        return false;
    }
    return unwind_arm64_call_precedes(env, value, insn);
}

enum unwind_stop arm64_scan(const struct unwind_env *env, const struct unwind_options *opts,
                            const struct unwind_frame *callee, struct unwind_frame *ret_caller,
                            uint64_t *ret_fault)
{
    uint64_t limit = opts->scan_bytes ? opts->scan_bytes : UNWIND_DEFAULT_SCAN_BYTES;
    uint64_t sp = callee->sp & ~(uint64_t)7, scanned = 0;
    uint8_t chunk[512];
    uint64_t prev = 0; /* the word below the current one, for the frame-record hint */
    bool has_prev = false;
    while (scanned < limit) {
        uint64_t want = limit - scanned < sizeof(chunk) ? limit - scanned : sizeof(chunk);
        uint64_t at = sp + scanned;
        if (at < sp)
            break; /* wrapped around the address space */
        size_t got = env->read_memory(env->ctx, at, chunk, (size_t)want) & ~(size_t)7;
        if (got == 0) {
            if (scanned == 0) {
                *ret_fault = at;
                return UNWIND_STOP_FAULT;
            }
            break; /* the top of the captured stack */
        }
        for (size_t i = 0; i < got; i += 8) {
            uint64_t raw = dd_le64(chunk + i);
            uint64_t v = unwind_arm64_strip_pac(raw);
            bool unverified;
            bool ok = arm64_is_return_address(env, v, &unverified);
            if (!ok && !(unverified && opts->scan_unverified)) {
                prev = raw;
                has_prev = true;
                continue;
            }
            uint64_t slot = at + i;
            struct unwind_frame f;
            memset(&f, 0, sizeof(f));
            /* Nothing but the pc, the sp and the FP control register survives skipped frames. */
            uint64_t fpcr = callee->regs.r[ARM64_FPCR];
            bool has_fpcr = unwind_regs_has(&callee->regs, ARM64_FPCR);
            if (has_fpcr)
                unwind_regs_set(&f.regs, ARM64_FPCR, fpcr);
            unwind_regs_set_saved(&f.regs, ARM64_PC, v, slot);
            unwind_regs_set(&f.regs, ARM64_SP, slot + 8);
            f.ip = v;
            f.sp = slot + 8;
            f.found_by = UNWIND_FOUND_SCAN;
            f.flags = ARM64_FRAME_SP_INEXACT | (ok ? 0 : UNWIND_FRAME_UNVERIFIED);
            /*
             * Return addresses sit in frame records {x29, x30}: when the word below looks like a
             * saved x29 (above the record, aligned), keep it as a hint for the frame chain.
             */
            if (has_prev && prev > slot && !(prev & 7)) {
                f.regs.r[ARM64_FP] = prev;
                f.flags |= ARM64_FRAME_FP_HINT;
            }
            *ret_caller = f;
            return UNWIND_STOP_NONE;
        }
        if (got < want)
            break;
        scanned += got;
    }
    return UNWIND_STOP_NO_CALLER;
}
