/*
 * Return-address validation and the stack scan of the x86 cascade. A stack value counts as a
 * return address only when it points into a known module and the bytes before it end with a
 * call (Intel SDM Vol. 2, CALL): E8 rel32, or FF /2 with a 32-bit ModRM (+SIB, +disp8/disp32)
 * operand, optionally after one segment-override or notrack prefix (WoW64 system call stubs use
 * `call dword ptr fs:[0C0h]`, 64 FF 15 C0 00 00 00). No disassembler is needed for these.
 */
#include "base/cursor.h"
#include "unwind/x86/x86_internal.h"
#include "unwind/x86_common.h"

bool x86_in_module(const struct unwind_env *env, uint64_t addr)
{
    uint64_t base, size;
    return env && env->find_module && env->find_module(env->ctx, addr, &base, &size);
}

bool x86_read_u32(const struct unwind_env *env, uint32_t addr, uint32_t *ret)
{
    uint8_t b[4];
    if (addr > UINT32_MAX - 3 || env->read_memory(env->ctx, addr, b, 4) != 4)
        return false;
    *ret = dd_le32(b);
    return true;
}

/* Code bytes at ADDR: from the module's image (read_image) first, else target memory. */
size_t x86_read_code(const struct unwind_env *env, uint32_t addr, void *buf, size_t len)
{
    uint64_t base, size;
    if (env->read_image && env->find_module && env->find_module(env->ctx, addr, &base, &size) &&
        addr >= base && addr - base <= UINT32_MAX) {
        size_t got = env->read_image(env->ctx, base, (uint32_t)(addr - base), buf, len);
        if (got == len)
            return got;
    }
    return env->read_memory(env->ctx, addr, buf, len);
}

static bool is_prefix(uint8_t b)
{
    /* Segment overrides ES CS SS DS FS GS; 3E doubles as CET notrack. */
    return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65;
}

bool unwind_x86_call_precedes(const struct unwind_env *env, uint32_t ra, const uint8_t *bytes,
                              size_t len)
{
    bool modules = env && env->find_module;
    /* call rel32: the target should be code in a module too. */
    if (len >= 5 && bytes[len - 5] == 0xe8) {
        uint32_t target = ra + dd_le32(bytes + len - 4);
        if (!modules || x86_in_module(env, target))
            return true;
    }
    /* call r/m32: every start that could end exactly at RA (longest: prefix FF ModRM SIB disp32).
     */
    for (size_t start = len > 8 ? len - 8 : 0; start + 2 <= len; start++) {
        size_t p = start;
        bool prefixed = false;
        if (is_prefix(bytes[p])) {
            prefixed = bytes[p] != 0x3e;
            p++;
        }
        if (p + 2 > len || bytes[p] != 0xff)
            continue;
        const uint8_t *m = bytes + p + 1;
        if (((m[0] >> 3) & 7) != 2)
            continue;
        size_t ml = unwind_x86_modrm_length(m, len - p - 1);
        if (ml == 0 || p + 1 + ml != len)
            continue;
        if (m[0] == 0x15 && !prefixed && modules) {
            /* call [disp32]: the pointer (an IAT slot, a function pointer) lies in a module. */
            if (!x86_in_module(env, dd_le32(m + 1)))
                continue;
        }
        return true;
    }
    return false;
}

bool x86_is_return_address(const struct unwind_env *env, uint32_t value, bool *ret_unverified)
{
    *ret_unverified = false;
    uint64_t base, size;
    if (value < 2 || !env->find_module || !env->find_module(env->ctx, value, &base, &size))
        return false;
    /* The first page of an image holds its headers (PE/COFF SizeOfHeaders), never code. */
    if (value - base < 0x1000)
        return false;
    /* The bytes just before VALUE; a shorter window when the longer one is not all there. */
    uint8_t b[9];
    for (size_t n = sizeof(b); n >= 2; n--) {
        if (value >= n && x86_read_code(env, value - (uint32_t)n, b, n) == n)
            return unwind_x86_call_precedes(env, value, b, n);
    }
    *ret_unverified = true;
    return false;
}

enum x86_status x86_scan_words(const struct unwind_env *env, const struct unwind_options *opts,
                               uint32_t start, uint32_t nwords, uint32_t *ret_loc,
                               uint32_t *ret_value, bool *ret_unverified, uint64_t *ret_fault)
{
    uint8_t chunk[512];
    uint32_t done = 0;
    while (done < nwords) {
        uint64_t at = (uint64_t)start + (uint64_t)done * 4;
        if (at > UINT32_MAX - 3)
            break; /* the top of the 32-bit address space */
        uint64_t want = (uint64_t)(nwords - done) * 4;
        if (want > sizeof(chunk))
            want = sizeof(chunk);
        if (want > (uint64_t)UINT32_MAX + 1 - at)
            want = ((uint64_t)UINT32_MAX + 1 - at) & ~(uint64_t)3;
        size_t got = env->read_memory(env->ctx, at, chunk, (size_t)want) & ~(size_t)3;
        if (got == 0) {
            if (done == 0) {
                *ret_fault = at;
                return X86_FAULT;
            }
            break; /* the top of the captured stack */
        }
        for (size_t i = 0; i < got; i += 4) {
            uint32_t v = dd_le32(chunk + i);
            bool unverified;
            bool ok = x86_is_return_address(env, v, &unverified);
            if (!ok && !(unverified && opts->scan_unverified))
                continue;
            *ret_loc = (uint32_t)(at + i);
            *ret_value = v;
            *ret_unverified = !ok;
            return X86_OK;
        }
        if (got < want)
            break;
        done += (uint32_t)(got / 4);
    }
    return X86_FAIL;
}

enum unwind_stop x86_scan(const struct unwind_env *env, const struct unwind_options *opts,
                          const struct unwind_frame *callee, struct unwind_frame *ret_caller,
                          uint64_t *ret_fault)
{
    if (opts->no_scan || !unwind_regs_has(&callee->regs, X86_ESP))
        return UNWIND_STOP_NO_CALLER;
    uint32_t limit = opts->scan_bytes ? opts->scan_bytes : UNWIND_DEFAULT_SCAN_BYTES;
    uint32_t esp = (uint32_t)callee->regs.r[X86_ESP];
    uint32_t loc, value;
    bool unverified;
    enum x86_status st =
        x86_scan_words(env, opts, esp, limit / 4, &loc, &value, &unverified, ret_fault);
    if (st == X86_FAULT)
        return UNWIND_STOP_FAULT;
    if (st != X86_OK)
        return UNWIND_STOP_NO_CALLER;

    struct unwind_frame f;
    x86_caller_init(callee, &f);
    /* Frames skipped by a scan may have changed any register they saved. */
    unwind_regs_forget(&f.regs, X86_EBX);
    unwind_regs_forget(&f.regs, X86_ESI);
    unwind_regs_forget(&f.regs, X86_EDI);
    x86_caller_set_ra(&f, value, true, loc, loc + 4);
    /*
     * The caller's EBP chain (Breakpad GetCallerByEBPAtBase): a frame-pointer function pushed
     * its caller's ebp right after the call, so it sits just below the return address when it
     * is above its own slot and within a plausible frame size. Otherwise keep ebp: a function
     * without a frame pointer leaves it alone.
     */
    uint32_t saved_ebp;
    if (loc >= 4 && x86_read_u32(env, loc - 4, &saved_ebp) && saved_ebp > loc - 4 &&
        saved_ebp - (loc - 4) <= X86_MAX_FRAME_GAP)
        unwind_regs_set_saved(&f.regs, X86_EBP, saved_ebp, loc - 4);
    f.found_by = UNWIND_FOUND_SCAN;
    f.flags = unverified ? UNWIND_FRAME_UNVERIFIED : 0;
    *ret_caller = f;
    return UNWIND_STOP_NONE;
}
