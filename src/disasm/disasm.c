/* The CPU-neutral half of disassembly: reading code bytes, the line layout and `ub`'s search. */
#include <stdio.h>
#include <string.h>

#include "base/cursor.h"
#include "base/fmt.h"
#include "disasm/arm64_disasm.h"
#include "disasm/arm_disasm.h"
#include "disasm/disasm.h"
#include "disasm/x86_disasm.h"

bool disasm_cpu_supported(enum dd_cpu cpu)
{
    return cpu == DD_CPU_X86 || cpu == DD_CPU_X64 || cpu == DD_CPU_ARM64 || cpu == DD_CPU_ARM;
}

static bool cpu_is_arm(enum dd_cpu cpu)
{
    return cpu == DD_CPU_ARM64 || cpu == DD_CPU_ARM;
}

/* Longest instruction of CPU in bytes (ARM64 4, Thumb-2 4, x86 15). */
static unsigned cpu_max_insn(enum dd_cpu cpu)
{
    return cpu_is_arm(cpu) ? 4 : DISASM_MAX_BYTES;
}

static unsigned cpu_ptr_size(enum dd_cpu cpu)
{
    return cpu == DD_CPU_X86 || cpu == DD_CPU_ARM ? 4 : 8;
}

struct dd_error *disasm_decode(const struct disasm_ctx *c, uint64_t addr, struct disasm_insn *ret)
{
    if (!disasm_cpu_supported(c->cpu))
        return dd_error_create(DD_ERR_UNSUPPORTED, "disassembly of this processor is not supported");
    struct disasm_insn insn;
    memset(&insn, 0, sizeof(insn));
    /* Thumb code addresses carry bit 0 in symbols and lr; the instruction is at the even byte. */
    if (c->cpu == DD_CPU_ARM)
        addr &= ~(uint64_t)1;
    insn.addr = addr;
    size_t got = 0;
    size_t want = cpu_max_insn(c->cpu);
    /* Stop at the top of the address space rather than wrapping around. */
    uint64_t top = cpu_ptr_size(c->cpu) == 4 ? 0xffffffffULL : UINT64_MAX;
    if (addr > top)
        want = 0;
    else if (top - addr < want - 1)
        want = (size_t)(top - addr) + 1;
    if (want) {
        struct dd_error *err = target_read(c->target, addr, insn.bytes, want, &got);
        dd_error_destroy(err); /* a partial read is expected near the end of a range */
    }
    if (got == 0) {
        /* Missing code advances by the CPU's smallest instruction (ARM64 4, Thumb-2 2, x86 1). */
        insn.size = c->cpu == DD_CPU_ARM64 ? 4 : c->cpu == DD_CPU_ARM ? 2 : 1;
        insn.missing = true;
        snprintf(insn.text, sizeof(insn.text), "???");
    } else if (c->cpu == DD_CPU_ARM64) {
        arm64_disasm_decode(c, insn.bytes, got, addr, &insn);
    } else if (c->cpu == DD_CPU_ARM) {
        /* The bytes before: an IT instruction there gives this one its condition. */
        uint8_t window[ARM_DISASM_IT_LOOKBACK + 4];
        size_t before = 0;
        if (addr >= ARM_DISASM_IT_LOOKBACK) {
            struct dd_error *err = target_read(c->target, addr - ARM_DISASM_IT_LOOKBACK, window,
                                               ARM_DISASM_IT_LOOKBACK, &before);
            dd_error_destroy(err);
            before = before == ARM_DISASM_IT_LOOKBACK ? before : 0;
        }
        memcpy(window + before, insn.bytes, got);
        arm_disasm_decode_in_context(c, window + before, before, got, addr, &insn);
    } else {
        x86_disasm_decode(c, c->cpu == DD_CPU_X64 ? 64 : 32, insn.bytes, got, addr, &insn);
    }
    *ret = insn;
    return NULL;
}

char *disasm_line_format(const struct disasm_ctx *c, const struct disasm_insn *insn, char *buf,
                         size_t len)
{
    char abuf[DD_ADDR_BUF];
    char hex[2 * DISASM_MAX_BYTES + 1] = "??";
    if (cpu_is_arm(c->cpu)) {
        /*
         * WinDbg's ARM layouts: ARM64 shows the instruction word ("00007ffb`1c3e2f80 d503237f
         * pacibsp"); Thumb-2 its halfwords, first one first, the column 8 wide ("8107b3fc defe
         * __debugbreak" with five blanks; "f000 fde7 bl" pushes right by one).
         */
        if (insn->missing)
            snprintf(hex, sizeof(hex), c->cpu == DD_CPU_ARM64 ? "????????" : "????");
        else if (c->cpu == DD_CPU_ARM64 && insn->size == 4)
            snprintf(hex, sizeof(hex), "%08x", dd_le32(insn->bytes));
        else if (insn->size == 4)
            snprintf(hex, sizeof(hex), "%04x %04x", dd_le16(insn->bytes), dd_le16(insn->bytes + 2));
        else
            snprintf(hex, sizeof(hex), "%04x", dd_le16(insn->bytes));
        snprintf(buf, len, "%s %-8s %s", dd_fmt_addr(abuf, insn->addr, cpu_ptr_size(c->cpu)), hex,
                 insn->text);
        return buf;
    }
    if (!insn->missing) {
        unsigned n = insn->size <= DISASM_MAX_BYTES ? insn->size : DISASM_MAX_BYTES;
        for (unsigned i = 0; i < n; i++)
            snprintf(hex + 2 * i, sizeof(hex) - 2 * i, "%02x", insn->bytes[i]);
    }
    /* WinDbg pads the byte column to 15 characters plus one blank; longer ones push right. */
    snprintf(buf, len, "%s %-15s %s", dd_fmt_addr(abuf, insn->addr, cpu_ptr_size(c->cpu)), hex,
             insn->text);
    return buf;
}

/* Decodes forward from START; returns how many valid instructions end exactly at END, or 0. */
static unsigned chain_length(const struct disasm_ctx *c, uint64_t start, uint64_t end)
{
    unsigned n = 0;
    uint64_t a = start;
    while (a < end) {
        struct disasm_insn insn;
        if (disasm_decode(c, a, &insn) || insn.missing || insn.invalid)
            return 0;
        a += insn.size;
        n++;
    }
    return a == end ? n : 0;
}

struct dd_error *disasm_find_back(const struct disasm_ctx *c, uint64_t end, unsigned count,
                                  uint64_t *ret)
{
    if (!disasm_cpu_supported(c->cpu))
        return dd_error_create(DD_ERR_UNSUPPORTED, "disassembly of this processor is not supported");
    if (count == 0) {
        *ret = end;
        return NULL;
    }
    if (c->cpu == DD_CPU_ARM64) {
        /* Fixed 4-byte instructions: no search. */
        uint64_t back = (uint64_t)count * 4;
        *ret = end >= back ? end - back : 0;
        return NULL;
    }
    /* Thumb-2 instructions are halfword aligned, 2 or 4 bytes. */
    unsigned step = c->cpu == DD_CPU_ARM ? 2 : 1;
    uint64_t span = (uint64_t)count * cpu_max_insn(c->cpu);
    if (span > end)
        span = end;
    span -= span % step;
    uint64_t best_start = 0;
    unsigned best_n = 0;
    /* Farthest starts first: the longest consistent chain is the likeliest true one. */
    for (uint64_t back = span; back >= 1; back -= step) {
        unsigned n = chain_length(c, end - back, end);
        if (n > best_n) {
            best_n = n;
            best_start = end - back;
        }
    }
    if (best_n == 0) {
        *ret = end >= count ? end - count : 0;
        return NULL;
    }
    /* Skip the chain's first instructions so that COUNT remain. */
    uint64_t a = best_start;
    for (unsigned i = 0; best_n > count && i < best_n - count; i++) {
        struct disasm_insn insn;
        struct dd_error *err = disasm_decode(c, a, &insn);
        if (err)
            return err;
        a += insn.size;
    }
    *ret = a;
    return NULL;
}

static bool reg_value(const struct regset *rs, const char *name, uint64_t *ret)
{
    const struct arch_reg *r = arch_reg_find(rs->arch, name);
    return r && regset_get(rs, r, ret);
}

bool disasm_effective_address(const struct disasm_insn *insn, const struct regset *rs,
                              uint64_t *ret)
{
    const struct disasm_mem_ref *m = &insn->mem;
    if (!m->present || !rs->arch)
        return false;
    uint64_t base = 0, index = 0;
    if (strcmp(m->base, "rip") == 0 || strcmp(m->base, "eip") == 0)
        base = insn->addr; /* the decoder already added the instruction length to disp */
    else if (m->base[0] && !reg_value(rs, m->base, &base))
        return false;
    if (m->index[0] && !reg_value(rs, m->index, &index))
        return false;
    uint64_t a = base + index * m->scale + (uint64_t)m->disp;
    if (m->addr_bits == 32)
        a &= 0xffffffffu;
    *ret = a;
    return true;
}

char *disasm_line_format_ea(const struct disasm_ctx *c, const struct disasm_insn *insn,
                            const struct regset *rs, char *buf, size_t len)
{
    disasm_line_format(c, insn, buf, len);
    uint64_t ea;
    /*
     * fs/gs point at per-thread blocks whose bases the line does not show; WinDbg's
     * annotation for them is left out rather than guessed.
     */
    /* WinDbg's ARM and ARM64 `r` lines carry no segment:address=value annotation. */
    if (cpu_is_arm(c->cpu) || insn->missing || insn->invalid ||
        !disasm_effective_address(insn, rs, &ea) ||
        insn->mem.segment[0] == 'f' || insn->mem.segment[0] == 'g')
        return buf;
    unsigned size = insn->mem.size;
    if (size != 1 && size != 2 && size != 4 && size != 8)
        return buf;
    char ea_text[80];
    char abuf[DD_ADDR_BUF];
    unsigned ps = cpu_ptr_size(c->cpu);
    /* x86 names the selector too ("ds:0023:0000002c"); x64 only the register ("ss:"). */
    int n;
    if (ps == 4) {
        uint64_t sel = 0;
        if (!reg_value(rs, insn->mem.segment, &sel))
            return buf;
        n = snprintf(ea_text, sizeof(ea_text), "%s:%04x:%s=", insn->mem.segment, (unsigned)sel,
                     dd_fmt_addr(abuf, ea, 4));
    } else {
        n = snprintf(ea_text, sizeof(ea_text), "%s:%s=", insn->mem.segment, dd_fmt_addr(abuf, ea, 8));
    }
    uint8_t bytes[8];
    size_t got = 0;
    struct dd_error *err = target_read(c->target, ea, bytes, size, &got);
    dd_error_destroy(err);
    for (unsigned i = 0; i < size && n > 0 && (size_t)n + 3 < sizeof(ea_text); i++) {
        unsigned k = size - 1 - i; /* little-endian value, most significant byte first */
        if (got == size)
            n += snprintf(ea_text + n, sizeof(ea_text) - (size_t)n, "%02x", bytes[k]);
        else
            n += snprintf(ea_text + n, sizeof(ea_text) - (size_t)n, "??");
    }
    /* Right-aligned so the line ends at column 79, at least one blank after the operands
     * (cdb transcripts: "mov al,byte ptr [edi]          ds:0023:00000000=??"). */
    size_t used = strlen(buf);
    size_t ea_len = strlen(ea_text);
    size_t pad = used + 1 + ea_len < 79 ? 79 - ea_len - used : 1;
    if (used + pad + ea_len + 1 <= len) {
        memset(buf + used, ' ', pad);
        memcpy(buf + used + pad, ea_text, ea_len + 1);
    }
    return buf;
}
