/*
 * x64 UNWIND_INFO (Microsoft "x64 exception handling"): decoding, and undoing a
 * function's prolog with its unwind codes, following chained entries. This is what
 * RtlVirtualUnwind does, plus the epilog checks in x64_epilog.c.
 */
#include <string.h>

#include "base/cursor.h"
#include "unwind/x64/x64_internal.h"

size_t x64_read_image(const struct unwind_env *env, uint64_t base, uint32_t rva, void *buf,
                      size_t len)
{
    if (env->read_image)
        return env->read_image(env->ctx, base, rva, buf, len);
    return env->read_memory(env->ctx, base + rva, buf, len);
}

size_t x64_read_code(const struct unwind_env *env, uint64_t addr, void *buf, size_t len)
{
    uint64_t base, size;
    size_t got = 0;
    if (env->find_module && env->find_module(env->ctx, addr, &base, &size) &&
        addr - base <= UINT32_MAX)
        got = x64_read_image(env, base, (uint32_t)(addr - base), buf, len);
    if (got < len) {
        /* The image may lack the bytes (section gap); the dump may hold them. */
        uint8_t tmp[128];
        size_t want = len < sizeof(tmp) ? len : sizeof(tmp);
        size_t mem = env->read_memory(env->ctx, addr, tmp, want);
        if (mem > got) {
            memcpy(buf, tmp, mem);
            got = mem;
        }
    }
    return got;
}

enum x64_status x64_read_u64(struct x64_cpu *cpu, uint64_t addr, uint64_t *ret)
{
    uint8_t b[8];
    size_t got = cpu->env->read_memory(cpu->env->ctx, addr, b, sizeof(b));
    if (got < sizeof(b)) {
        cpu->fault = addr + got;
        return X64_FAULT;
    }
    *ret = dd_le64(b);
    return X64_OK;
}

enum x64_status x64_read_u128(struct x64_cpu *cpu, uint64_t addr, uint8_t ret[16])
{
    uint8_t b[16];
    size_t got = cpu->env->read_memory(cpu->env->ctx, addr, b, sizeof(b));
    if (got < sizeof(b)) {
        cpu->fault = addr + got;
        return X64_FAULT;
    }
    memcpy(ret, b, sizeof(b));
    return X64_OK;
}

enum x64_status x64_function_resolve(const struct unwind_env *env, uint64_t base, uint32_t *begin,
                                     uint32_t *end, uint32_t *unwind_rva)
{
    /*
     * UnwindData with bit 0 set is the RVA (+1) of another RUNTIME_FUNCTION that holds the
     * real entry (RUNTIME_FUNCTION_INDIRECT in winnt.h); follow a few such links.
     */
    for (int hop = 0; hop < 4; hop++) {
        if (!(*unwind_rva & 1))
            return X64_OK;
        uint8_t rf[12];
        if (x64_read_image(env, base, *unwind_rva & ~1u, rf, sizeof(rf)) < sizeof(rf))
            return X64_BAD_INFO;
        *begin = dd_le32(rf);
        *end = dd_le32(rf + 4);
        *unwind_rva = dd_le32(rf + 8);
    }
    return X64_BAD_INFO;
}

/* Slots taken by the code at SLOT (UNWIND_CODE), or 0 when the operation is invalid. */
static unsigned code_slots(uint16_t slot)
{
    switch (x64_code_op(slot)) {
    case X64_UWOP_PUSH_NONVOL:
    case X64_UWOP_ALLOC_SMALL:
    case X64_UWOP_SET_FPREG:
        return 1;
    case X64_UWOP_PUSH_MACHFRAME:
        return x64_code_info(slot) <= 1 ? 1 : 0;
    case X64_UWOP_ALLOC_LARGE:
        return x64_code_info(slot) == 0 ? 2 : x64_code_info(slot) == 1 ? 3 : 0;
    case X64_UWOP_SAVE_NONVOL:
    case X64_UWOP_SAVE_XMM128:
    case X64_UWOP_EPILOG: /* outside the leading v2 descriptors: skipped like Windows does */
        return 2;
    case X64_UWOP_SAVE_NONVOL_FAR:
    case X64_UWOP_SAVE_XMM128_FAR:
    case X64_UWOP_SPARE_CODE:
        return 3;
    }
    return 0;
}


enum x64_status x64_unwind_info_read(const struct unwind_env *env, uint64_t base, uint32_t rva,
                                     struct x64_unwind_info *ret)
{
    uint8_t buf[X64_UNWIND_INFO_MAX];
    size_t got = x64_read_image(env, base, rva, buf, sizeof(buf));
    struct dd_cursor c;
    dd_cursor_init(&c, buf, got, rva, "UNWIND_INFO");
    uint8_t vf, fr;
    struct x64_unwind_info info;
    memset(&info, 0, sizeof(info));
    if (dd_error_drop(dd_cursor_u8(&c, &vf)) || dd_error_drop(dd_cursor_u8(&c, &info.prolog_size)) ||
        dd_error_drop(dd_cursor_u8(&c, &info.ncodes)) || dd_error_drop(dd_cursor_u8(&c, &fr)))
        return X64_BAD_INFO;
    info.version = vf & 7;
    info.flags = vf >> 3;
    info.frame_reg = fr & 0xf;
    info.frame_offset = fr >> 4;
    if (info.version != 1 && info.version != 2)
        return X64_BAD_INFO;
    for (unsigned i = 0; i < info.ncodes; i++)
        if (dd_error_drop(dd_cursor_u16(&c, &info.slots[i])))
            return X64_BAD_INFO;

    /* Version 2 starts with epilog descriptors: size (+ at-end flag), then offsets from the end. */
    if (info.version == 2 && info.ncodes > 0 && x64_code_op(info.slots[0]) == X64_UWOP_EPILOG) {
        info.epilog_size = x64_code_offset(info.slots[0]);
        info.epilog_at_end = x64_code_info(info.slots[0]) & 1;
        unsigned i = 1;
        for (; i < info.ncodes && x64_code_op(info.slots[i]) == X64_UWOP_EPILOG; i++) {
            uint16_t off =
                (uint16_t)(x64_code_offset(info.slots[i]) | (x64_code_info(info.slots[i]) << 8));
            if (off != 0 && info.nepilogs < sizeof(info.epilog_offsets) / 2)
                info.epilog_offsets[info.nepilogs++] = off; /* 0 pads the array */
        }
        info.first_code = (uint8_t)i;
    }
    for (unsigned i = info.first_code; i < info.ncodes;) {
        unsigned n = code_slots(info.slots[i]);
        if (n == 0 || i + n > info.ncodes)
            return X64_BAD_INFO;
        i += n;
    }
    if (info.flags & X64_UNW_FLAG_CHAININFO) {
        /* The chained RUNTIME_FUNCTION follows the codes, padded to an even count. */
        size_t off = 4 + (size_t)((info.ncodes + 1u) & ~1u) * 2;
        if (dd_error_drop(dd_cursor_seek(&c, off)) || dd_error_drop(dd_cursor_u32(&c, &info.chain_begin)) ||
            dd_error_drop(dd_cursor_u32(&c, &info.chain_end)) ||
            dd_error_drop(dd_cursor_u32(&c, &info.chain_unwind_rva)))
            return X64_BAD_INFO;
    }
    *ret = info;
    return X64_OK;
}

/* Index of the SET_FPREG code of INFO, or -1. */
static int setfp_index(const struct x64_unwind_info *info)
{
    for (unsigned i = info->first_code; i < info->ncodes; i += code_slots(info->slots[i]))
        if (x64_code_op(info->slots[i]) == X64_UWOP_SET_FPREG)
            return (int)i;
    return -1;
}

/* Bytes a push/alloc code moves rsp by (0 for other codes). */
static uint64_t code_stack_delta(const struct x64_unwind_info *info, unsigned i)
{
    uint16_t s = info->slots[i];
    switch (x64_code_op(s)) {
    case X64_UWOP_PUSH_NONVOL:
        return 8;
    case X64_UWOP_ALLOC_SMALL:
        return (uint64_t)x64_code_info(s) * 8 + 8;
    case X64_UWOP_ALLOC_LARGE:
        if (x64_code_info(s) == 0)
            return (uint64_t)info->slots[i + 1] * 8;
        return (uint64_t)info->slots[i + 1] | ((uint64_t)info->slots[i + 2] << 16);
    }
    return 0;
}

/*
 * The establishing frame: rsp after the fixed allocation, which SAVE_NONVOL/SAVE_XMM128
 * offsets are relative to. With a frame register in use it is FP - FrameOffset*16.
 * In a partly run prolog, stack changes not made yet are subtracted from rsp, so a save
 * done before `sub rsp` (mov [rsp+8],rbx; push rdi; sub rsp,20h) is found where it is.
 */
static enum x64_status frame_base(const struct x64_cpu *cpu, const struct x64_unwind_info *info,
                                  bool in_prolog, uint64_t ip_off, uint64_t *ret)
{
    int setfp = setfp_index(info);
    if (info->frame_reg != 0 && (!in_prolog || (info->flags & X64_UNW_FLAG_CHAININFO) ||
                                 (setfp >= 0 && x64_code_offset(info->slots[setfp]) <= ip_off))) {
        if (!unwind_regs_has(&cpu->regs, info->frame_reg))
            return X64_BAD_INFO;
        *ret = cpu->regs.r[info->frame_reg] - (uint64_t)info->frame_offset * 16;
        return X64_OK;
    }
    uint64_t pending = 0;
    if (in_prolog) {
        /* Codes after SET_FPREG in the list ran before it in the prolog. */
        unsigned start = setfp >= 0 ? (unsigned)setfp + 1 : info->first_code;
        for (unsigned i = start; i < info->ncodes; i += code_slots(info->slots[i]))
            if (x64_code_offset(info->slots[i]) > ip_off)
                pending += code_stack_delta(info, i);
    }
    *ret = cpu->regs.r[X64_RSP] - pending;
    return X64_OK;
}

/* Applies one unwind code at index I of INFO; sets *machframe for PUSH_MACHFRAME. */
static enum x64_status apply_code(struct x64_cpu *cpu, const struct x64_unwind_info *info,
                                  unsigned i, uint64_t fbase, bool *machframe)
{
    struct unwind_regs *r = &cpu->regs;
    uint16_t s = info->slots[i];
    uint8_t reg = x64_code_info(s);
    uint64_t v, addr, rsp = r->r[X64_RSP];
    enum x64_status st;
    switch (x64_code_op(s)) {
    case X64_UWOP_PUSH_NONVOL:
        if ((st = x64_read_u64(cpu, rsp, &v)))
            return st;
        unwind_regs_set_saved(r, reg, v, rsp);
        if (reg != X64_RSP)
            unwind_regs_set(r, X64_RSP, rsp + 8);
        else
            unwind_regs_set(r, X64_RSP, v + 8);
        return X64_OK;
    case X64_UWOP_ALLOC_SMALL:
    case X64_UWOP_ALLOC_LARGE:
        unwind_regs_set(r, X64_RSP, rsp + code_stack_delta(info, i));
        return X64_OK;
    case X64_UWOP_SET_FPREG:
        if (info->frame_reg == 0 || !unwind_regs_has(r, info->frame_reg))
            return X64_BAD_INFO;
        unwind_regs_set(r, X64_RSP, r->r[info->frame_reg] - (uint64_t)info->frame_offset * 16);
        return X64_OK;
    case X64_UWOP_SAVE_NONVOL:
    case X64_UWOP_SAVE_NONVOL_FAR:
        addr = fbase + (x64_code_op(s) == X64_UWOP_SAVE_NONVOL
                            ? (uint64_t)info->slots[i + 1] * 8
                            : (info->slots[i + 1] | ((uint64_t)info->slots[i + 2] << 16)));
        if ((st = x64_read_u64(cpu, addr, &v)))
            return st;
        unwind_regs_set_saved(r, reg, v, addr);
        return X64_OK;
    case X64_UWOP_SAVE_XMM128:
    case X64_UWOP_SAVE_XMM128_FAR:
        addr = fbase + (x64_code_op(s) == X64_UWOP_SAVE_XMM128
                            ? (uint64_t)info->slots[i + 1] * 16
                            : (info->slots[i + 1] | ((uint64_t)info->slots[i + 2] << 16)));
        if ((st = x64_read_u128(cpu, addr, r->vec[reg])))
            return st;
        r->vec_valid |= 1u << reg;
        r->vec_saved |= 1u << reg;
        r->vec_saved_at[reg] = addr;
        return X64_OK;
    case X64_UWOP_PUSH_MACHFRAME: {
        /* The CPU pushed SS, RSP, EFLAGS, CS, RIP (and an error code below them, OpInfo 1). */
        uint64_t f = rsp + (reg ? 8 : 0), rip, cs, efl, nrsp, ss;
        if ((st = x64_read_u64(cpu, f, &rip)) || (st = x64_read_u64(cpu, f + 8, &cs)) ||
            (st = x64_read_u64(cpu, f + 16, &efl)) || (st = x64_read_u64(cpu, f + 24, &nrsp)) ||
            (st = x64_read_u64(cpu, f + 32, &ss)))
            return st;
        unwind_regs_set_saved(r, X64_RIP, rip, f);
        unwind_regs_set_saved(r, X64_CS, cs & 0xffff, f + 8);
        unwind_regs_set_saved(r, X64_EFL, efl & 0xffffffff, f + 16);
        unwind_regs_set_saved(r, X64_RSP, nrsp, f + 24);
        unwind_regs_set_saved(r, X64_SS, ss & 0xffff, f + 32);
        *machframe = true;
        return X64_OK;
    }
    default: /* EPILOG (v1 SAVE_XMM) and SPARE_CODE carry nothing to undo */
        return X64_OK;
    }
}

/* The v2 epilog containing IP (bytes to its end in *ret_remaining), if any. */
static bool v2_epilog_at(const struct x64_unwind_info *info, uint64_t fn_begin, uint64_t fn_end,
                         uint64_t ip, uint64_t *ret_remaining)
{
    uint64_t size = info->epilog_size;
    if (size == 0)
        return false;
    if (info->epilog_at_end && ip < fn_end && fn_end - ip <= size) {
        *ret_remaining = fn_end - ip;
        return true;
    }
    for (unsigned k = 0; k < info->nepilogs; k++) {
        uint64_t start = fn_end - info->epilog_offsets[k];
        if (info->epilog_offsets[k] <= fn_end - fn_begin && ip >= start && ip - start < size) {
            *ret_remaining = start + size - ip;
            return true;
        }
    }
    return false;
}

/* Epilog checks for the frame at IP: X64_OK when the epilog was simulated. */
static enum x64_status try_epilog(struct x64_cpu *cpu, const struct x64_unwind_info *info,
                                  uint64_t fn_begin, uint64_t fn_end, uint64_t ip)
{
    struct x64_cpu trial = *cpu;
    enum x64_status st;
    if (info->version >= 2 && info->epilog_size != 0) {
        /* Version 2 says where the epilogs are; read the bytes only to follow them. */
        uint64_t remaining;
        if (!v2_epilog_at(info, fn_begin, fn_end, ip, &remaining))
            return X64_NO;
        st = x64_epilog_decode(&trial, fn_begin, fn_end, info->frame_reg, ip);
        if (st == X64_NO || st == X64_BAD_INFO) {
            trial = *cpu;
            st = x64_epilog_from_codes(&trial, info, remaining);
        }
    } else {
        st = x64_epilog_decode(&trial, fn_begin, fn_end, info->frame_reg, ip);
    }
    if (st == X64_OK)
        cpu->regs = trial.regs;
    cpu->fault = trial.fault;
    return st == X64_BAD_INFO ? X64_NO : st;
}

enum x64_status x64_unwind_by_info(struct x64_cpu *cpu, uint64_t base, uint32_t begin, uint32_t end,
                                   uint32_t unwind_rva, uint64_t ip, bool exact,
                                   uint32_t *ret_flags)
{
    struct x64_unwind_info info;
    enum x64_status st = x64_function_resolve(cpu->env, base, &begin, &end, &unwind_rva);
    if (st)
        return st;
    if ((st = x64_unwind_info_read(cpu->env, base, unwind_rva, &info)))
        return st;
    uint64_t fn_begin = base + begin, fn_end = base + end;
    /* Offset into the function; an ip before it counts as past the prolog. */
    uint64_t ip_off = ip >= fn_begin ? ip - fn_begin : UINT64_MAX;
    bool in_prolog = ip_off < info.prolog_size;
    uint32_t flags = 0;

    if (exact && (!in_prolog || (info.flags & X64_UNW_FLAG_CHAININFO))) {
        st = try_epilog(cpu, &info, fn_begin, fn_end, ip);
        if (st == X64_OK) {
            *ret_flags = UNWIND_FRAME_EPILOG;
            return X64_OK;
        }
        if (st == X64_FAULT)
            return st;
    }

    struct x64_cpu work = *cpu;
    uint64_t fbase;
    if ((st = frame_base(&work, &info, in_prolog, ip_off, &fbase)))
        return st;
    if (in_prolog)
        flags |= UNWIND_FRAME_PROLOG;
    bool machframe = false;
    for (unsigned depth = 0;; depth++) {
        for (unsigned i = info.first_code; i < info.ncodes; i += code_slots(info.slots[i])) {
            /* In a partly run prolog only the codes of instructions already run apply. */
            if (depth == 0 && in_prolog && x64_code_offset(info.slots[i]) > ip_off)
                continue;
            if ((st = apply_code(&work, &info, i, fbase, &machframe))) {
                cpu->fault = work.fault;
                return st;
            }
        }
        if (!(info.flags & X64_UNW_FLAG_CHAININFO))
            break;
        if (depth + 1 >= X64_MAX_CHAIN)
            return X64_BAD_INFO;
        uint32_t cb = info.chain_begin, ce = info.chain_end, cu = info.chain_unwind_rva;
        if ((st = x64_function_resolve(cpu->env, base, &cb, &ce, &cu)) ||
            (st = x64_unwind_info_read(cpu->env, base, cu, &info)))
            return st;
    }
    if (machframe) {
        flags |= UNWIND_FRAME_TRAP;
    } else {
        uint64_t rsp = work.regs.r[X64_RSP], rip;
        if ((st = x64_read_u64(&work, rsp, &rip))) {
            cpu->fault = work.fault;
            return st;
        }
        unwind_regs_set_saved(&work.regs, X64_RIP, rip, rsp);
        unwind_regs_set(&work.regs, X64_RSP, rsp + 8);
    }
    cpu->regs = work.regs;
    *ret_flags = flags;
    return X64_OK;
}
