/*
 * Return-address checks of the ARM cascade and its last resort, a stack scan. Windows on ARM runs
 * Thumb-2 code only, so a return address has bit 0 set and follows a call (ARM ARM A8.8.25 "BL,
 * BLX (immediate)": a 32-bit T1/T2 encoding; A8.8.26 "BLX (register)": the 16-bit 0x4780 form).
 */
#include <string.h>

#include "base/cursor.h"
#include "unwind/arm/arm_internal.h"

static bool in_module(const struct unwind_env *env, uint64_t addr)
{
    uint64_t base, size;
    return env && env->find_module && env->find_module(env->ctx, addr, &base, &size);
}

bool unwind_arm_call_precedes(const struct unwind_env *env, uint32_t ra, const uint8_t prev4[4])
{
    uint16_t h1 = dd_le16(prev4), h2 = dd_le16(prev4 + 2);
    /* BLX Rm: 010001111 Rm 000, the last halfword before the return address. */
    if ((h2 & 0xff87u) == 0x4780u)
        return true;
    /* BL / BLX (immediate): 11110 S imm10 | 11 J1 1 J2 imm11 (BL) or 11 J1 0 J2 imm10H 0 (BLX). */
    if ((h1 & 0xf800u) != 0xf000u)
        return false;
    bool bl = (h2 & 0xd000u) == 0xd000u;
    bool blx = (h2 & 0xd001u) == 0xc000u;
    if (!bl && !blx)
        return false;
    uint32_t s = h1 >> 10 & 1, j1 = h2 >> 13 & 1, j2 = h2 >> 11 & 1;
    uint32_t i1 = !(j1 ^ s), i2 = !(j2 ^ s);
    uint32_t imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((h1 & 0x3ffu) << 12) | ((h2 & 0x7ffu) << 1);
    if (s)
        imm |= 0xfe000000u; /* sign-extend the 25-bit offset */
    /* The pc a Thumb instruction reads is its address + 4: here ra. BLX aligns it to 4. */
    uint32_t target = (blx ? ra & ~3u : ra) + imm;
    return !env || !env->find_module || in_module(env, target);
}

/* Reads the 4 bytes before the return address RA: the module's image first, else memory. */
static bool read_prev4(const struct unwind_env *env, uint32_t ra, uint8_t out[4])
{
    uint64_t base, size;
    size_t got = 0;
    uint32_t at = ra - 4;
    if (env->find_module && env->find_module(env->ctx, at, &base, &size) && at - base <= UINT32_MAX - 4)
        got = arm_read_image(env, base, (uint32_t)(at - base), out, 4);
    /* The image may lack the bytes (a section gap); the dump may hold them. */
    if (got < 4)
        got = env->read_memory(env->ctx, at, out, 4);
    return got == 4;
}

bool arm_is_return_address(const struct unwind_env *env, uint32_t value, bool *ret_unverified)
{
    *ret_unverified = false;
    uint32_t ra = value & ~1u;
    uint64_t base, size;
    if (!(value & 1) || ra < 4 || !env->find_module || !env->find_module(env->ctx, ra, &base, &size))
        return false;
    /* The first page of an image holds its headers (PE/COFF SizeOfHeaders), never code. */
    if (ra - base < 0x1000)
        return false;
    uint8_t prev[4];
    if (!read_prev4(env, ra, prev)) {
        *ret_unverified = true;
        return false;
    }
    return unwind_arm_call_precedes(env, ra, prev);
}

enum unwind_stop arm_scan(const struct unwind_env *env, const struct unwind_options *opts,
                          const struct unwind_frame *callee, struct unwind_frame *ret_caller,
                          uint64_t *ret_fault)
{
    uint64_t limit = opts->scan_bytes ? opts->scan_bytes : UNWIND_DEFAULT_SCAN_BYTES;
    uint64_t sp = callee->sp & 0xfffffffcu, scanned = 0;
    uint8_t chunk[512];
    uint32_t prev = 0; /* the word below the current one, for the frame-record hint */
    bool has_prev = false;
    while (scanned < limit) {
        uint64_t want = limit - scanned < sizeof(chunk) ? limit - scanned : sizeof(chunk);
        uint64_t at = sp + scanned;
        if (at > UINT32_MAX - 4)
            break; /* the top of the 32-bit address space */
        if (at + want > (uint64_t)UINT32_MAX + 1)
            want = (uint64_t)UINT32_MAX + 1 - at;
        size_t got = env->read_memory(env->ctx, at, chunk, (size_t)want) & ~(size_t)3;
        if (got == 0) {
            if (scanned == 0) {
                *ret_fault = at;
                return UNWIND_STOP_FAULT;
            }
            break; /* the top of the captured stack */
        }
        for (size_t i = 0; i < got; i += 4) {
            uint32_t v = dd_le32(chunk + i);
            bool unverified;
            bool ok = arm_is_return_address(env, v, &unverified);
            if (!ok && !(unverified && opts->scan_unverified)) {
                prev = v;
                has_prev = true;
                continue;
            }
            uint32_t slot = (uint32_t)(at + i);
            struct unwind_frame f;
            memset(&f, 0, sizeof(f));
            /* Nothing but the pc, the sp and the FP status register survives skipped frames. */
            if (unwind_regs_has(&callee->regs, ARM_FPSCR))
                unwind_regs_set(&f.regs, ARM_FPSCR, callee->regs.r[ARM_FPSCR]);
            unwind_regs_set_saved(&f.regs, ARM_PC, v & ~1u, slot);
            unwind_regs_set(&f.regs, ARM_SP, (uint64_t)slot + 4);
            f.ip = v & ~1u;
            f.sp = (uint64_t)slot + 4;
            f.found_by = UNWIND_FOUND_SCAN;
            f.flags = ARM_FRAME_SP_INEXACT | (ok ? 0 : UNWIND_FRAME_UNVERIFIED);
            /*
             * push {r11, lr} leaves the caller's r11 just below the return address: when that
             * word looks like a frame pointer (above the slot, aligned), keep it for the chain.
             */
            if (has_prev && prev > slot && !(prev & 3)) {
                f.regs.r[ARM_R11] = prev;
                f.flags |= ARM_FRAME_FP_HINT;
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
