/*
 * The last resort of the x64 cascade: scan the stack for a value that is a return address,
 * i.e. points into a known module right after a call instruction. Call encodings (Intel
 * SDM Vol. 2, CALL): E8 rel32; FF /2 with any ModRM/SIB/displacement form, optionally
 * preceded by a REX prefix and by 3E (CET notrack). No disassembler is needed for these.
 */
#include "base/cursor.h"
#include "unwind/x64/x64_internal.h"
#include "unwind/x86_common.h"

static bool in_module(const struct unwind_env *env, uint64_t addr)
{
    uint64_t base, size;
    return env && env->find_module && env->find_module(env->ctx, addr, &base, &size);
}

bool unwind_x64_call_precedes(const struct unwind_env *env, uint64_t ra, const uint8_t *bytes,
                              size_t len)
{
    /* call rel32: the target should be code in a module too (when modules are known). */
    if (len >= 5 && bytes[len - 5] == 0xe8) {
        uint64_t target = ra + (uint64_t)(int64_t)(int32_t)dd_le32(bytes + len - 4);
        if (!env || !env->find_module || in_module(env, target))
            return true;
    }
    /* call r/m64: try every start that could end exactly at RA (longest form: 3E REX FF ModRM SIB
     * disp32). */
    for (size_t start = len > 9 ? len - 9 : 0; start + 2 <= len; start++) {
        size_t p = start;
        if (bytes[p] == 0x3e)
            p++;
        if (p < len && (bytes[p] & 0xf0) == 0x40)
            p++;
        if (p + 2 > len || bytes[p] != 0xff)
            continue;
        const uint8_t *m = bytes + p + 1;
        if (((m[0] >> 3) & 7) != 2)
            continue;
        size_t ml = unwind_x86_modrm_length(m, len - p - 1);
        if (ml == 0 || p + 1 + ml != len)
            continue;
        if ((m[0] >> 6) == 0 && (m[0] & 7) == 5 && env && env->find_module) {
            /* call [rip+disp32]: the pointer (an IAT slot, a CFG dispatch pointer) is in a module.
             */
            uint64_t slot = ra + (uint64_t)(int64_t)(int32_t)dd_le32(m + 1);
            if (!in_module(env, slot))
                continue;
        }
        return true;
    }
    return false;
}

bool x64_is_return_address(const struct unwind_env *env, uint64_t value, bool *ret_unverified)
{
    *ret_unverified = false;
    uint64_t base, size;
    if (value < 2 || !env->find_module || !env->find_module(env->ctx, value, &base, &size))
        return false;
    /* The first page of an image holds its headers (PE/COFF SizeOfHeaders), never code. */
    if (value - base < 0x1000)
        return false;
    /* The bytes just before VALUE; a shorter window when the longer one is not all there. */
    uint8_t b[10];
    for (size_t n = sizeof(b); n >= 2; n--) {
        if (x64_read_code(env, value - n, b, n) == n)
            return unwind_x64_call_precedes(env, value, b, n);
    }
    *ret_unverified = true;
    return false;
}

enum unwind_stop x64_scan(const struct unwind_env *env, const struct unwind_options *opts,
                          const struct unwind_frame *callee, struct unwind_frame *ret_caller,
                          uint64_t *ret_fault)
{
    uint64_t limit = opts->scan_bytes ? opts->scan_bytes : UNWIND_DEFAULT_SCAN_BYTES;
    uint64_t sp = callee->sp & ~(uint64_t)7, scanned = 0;
    uint8_t chunk[512];
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
            uint64_t v = dd_le64(chunk + i);
            bool unverified;
            bool ok = x64_is_return_address(env, v, &unverified);
            if (!ok && !(unverified && opts->scan_unverified))
                continue;
            struct unwind_frame f = {0};
            f.regs = callee->regs;
            /* Nothing but the stack and instruction pointers survives frames skipped by a scan. */
            static const uint8_t keep[] = {X64_CS, X64_DS, X64_ES, X64_FS, X64_GS, X64_SS};
            uint64_t keep_mask = 0;
            for (size_t k = 0; k < sizeof(keep); k++)
                keep_mask |= (uint64_t)1 << keep[k];
            f.regs.valid &= keep_mask;
            f.regs.saved &= keep_mask;
            f.regs.vec_valid = 0;
            f.regs.vec_saved = 0;
            unwind_regs_set_saved(&f.regs, X64_RIP, v, at + i);
            unwind_regs_set(&f.regs, X64_RSP, at + i + 8);
            f.ip = v;
            f.sp = at + i + 8;
            f.found_by = UNWIND_FOUND_SCAN;
            f.flags = ok ? 0 : UNWIND_FRAME_UNVERIFIED;
            *ret_caller = f;
            return UNWIND_STOP_NONE;
        }
        if (got < want)
            break;
        scanned += got;
    }
    return UNWIND_STOP_NO_CALLER;
}
