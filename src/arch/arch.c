#include "arch/arch.h"

#include <stdio.h>
#include <string.h>

#include "base/cursor.h"
#include "base/fmt.h"

const struct arch_ops *arch_for_cpu(enum dd_cpu cpu)
{
    switch (cpu) {
    case DD_CPU_X86:
        return &arch_x86;
    case DD_CPU_X64:
        return &arch_x64;
    case DD_CPU_ARM64:
        return &arch_arm64;
    case DD_CPU_ARM:
        return &arch_arm;
    default:
        return NULL;
    }
}

const struct arch_reg *arch_reg_find(const struct arch_ops *arch, const char *name)
{
    if (!arch)
        return NULL;
    if (name[0] == '@')
        name++;
    for (size_t i = 0; i < arch->nregs; i++)
        if (dd_strcasecmp(arch->regs[i].name, name) == 0)
            return &arch->regs[i];
    return NULL;
}

uint64_t regset_slot(const struct regset *rs, uint16_t slot)
{
    if (slot >= ARCH_MAX_REGS || !rs->valid[slot])
        return 0;
    return rs->r[slot];
}

bool regset_get(const struct regset *rs, const struct arch_reg *reg, uint64_t *ret)
{
    if (reg->kind == ARCH_REG_VEC || reg->slot >= ARCH_MAX_REGS || !rs->valid[reg->slot])
        return false;
    uint64_t v = rs->r[reg->slot] >> reg->shift;
    if (reg->bits < 64)
        v &= (1ULL << reg->bits) - 1;
    *ret = v;
    return true;
}

void arch_print_reg(struct dd_writer *w, const struct regset *rs, const struct arch_reg *reg)
{
    if (reg->kind == ARCH_REG_VEC) {
        /* WinDbg prints vector registers as floats by default; show the raw lanes in hex. */
        unsigned bytes = reg->bits / 8;
        unsigned first = reg->shift / 8; /* byte offset inside the slot */
        bool low_ok = reg->slot < ARCH_MAX_VEC && (rs->vec_valid & (1u << reg->slot));
        bool high_needed = first + bytes > 16;
        bool high_ok = reg->slot < ARCH_MAX_VEC && (rs->vec_upper_valid & (1u << reg->slot));
        if (bytes < 4 || first + bytes > 32 || !low_ok || (high_needed && !high_ok)) {
            dd_printf(w, "%s=<unavailable>\n", reg->name);
            return;
        }
        dd_printf(w, "%s=", reg->name);
        for (unsigned i = bytes; i >= 4; i -= 4) {
            const uint8_t *p = &rs->vec[reg->slot][first + i - 4];
            dd_printf(w, "%s%08x", i == bytes ? "" : " ", (unsigned)dd_le32(p));
        }
        dd_puts(w, "\n");
        return;
    }
    uint64_t v;
    if (!regset_get(rs, reg, &v)) {
        dd_printf(w, "%s=<unavailable>\n", reg->name);
        return;
    }
    unsigned digits = reg->bits / 4;
    if (digits == 0)
        digits = 1;
    dd_printf(w, "%s=%0*llx\n", reg->name, (int)digits, (unsigned long long)v);
}

char *arch_fmt_slot(char *buf, const struct regset *rs, uint16_t slot, unsigned digits)
{
    if (digits > 16)
        digits = 16;
    if (slot >= ARCH_MAX_REGS || !rs->valid[slot]) {
        memset(buf, '?', digits);
        buf[digits] = '\0';
        return buf;
    }
    uint64_t v = rs->r[slot];
    if (digits < 16)
        v &= (1ULL << (4 * digits)) - 1;
    snprintf(buf, digits + 1, "%0*llx", (int)digits, (unsigned long long)v);
    return buf;
}

struct dd_error *arch_context_begin(const struct arch_ops *arch, const uint8_t *raw, size_t size,
                                    size_t flags_off, uint32_t cpu_bit, size_t full_size,
                                    struct regset *ret, uint32_t *ret_groups)
{
    memset(ret, 0, sizeof(*ret));
    ret->arch = arch;
    if (!raw || size < flags_off + 4)
        return dd_error_create(DD_ERR_FORMAT, "%s CONTEXT of %zu bytes is too small", arch->name,
                               size);
    uint32_t flags = dd_le32(raw + flags_off);
    ret->context_flags = flags;
    uint32_t groups = flags & 0xff;
    if (!(flags & cpu_bit))
        groups = size >= full_size ? 0x01u | 0x02u : 0;
    *ret_groups = groups;
    return NULL;
}
