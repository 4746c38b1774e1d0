/* Disassembly commands: u and ub. */
#include <stdio.h>
#include <string.h>

#include "base/interrupt.h"
#include "cmd/command.h"
#include "cmd/expr.h"
#include "disasm/disasm.h"

/* WinDbg's u and ub show eight instructions by default ("u (Unassemble)"). */
#define DISASM_DEFAULT_COUNT 8
/* A bound on L counts and ranges so a typo cannot print for hours. */
#define DISASM_MAX_COUNT 0x10000
#define DISASM_MAX_RANGE 0x100000

static bool symbolize_cb(void *arg, uint64_t addr, char *buf, size_t len)
{
    return session_symbolize(arg, addr, buf, len);
}

/* Fills C for the effective machine; errors when it cannot be disassembled. */
static struct dd_error *disasm_setup(struct session *s, struct disasm_ctx *c)
{
    if (!s->effmach || !disasm_cpu_supported(s->effmach->cpu))
        return dd_error_create(DD_ERR_UNSUPPORTED,
                               "disassembly of this processor is not supported yet");
    c->cpu = s->effmach->cpu;
    c->target = s->target;
    c->symbolize = symbolize_cb;
    c->symbolize_arg = s;
    return NULL;
}

static uint64_t addr_mask(const struct session *s)
{
    return session_ptr_size(s) == 4 ? 0xffffffffULL : UINT64_MAX;
}

/* Prints the "module+0xoff:" label WinDbg shows before the first line. */
static void print_label(struct session *s, uint64_t addr)
{
    char sym[512];
    if (session_symbolize(s, addr, sym, sizeof(sym)))
        dd_printf(s->out, "%s:\n", sym);
}

static void print_insn(struct session *s, const struct disasm_ctx *c, const struct disasm_insn *in)
{
    char line[512];
    dd_printf(s->out, "%s\n", disasm_line_format(c, in, line, sizeof(line)));
}

/*
 * Parses "[ADDR] [L N | END]" from REST. Sets *addr (DEFAULT_ADDR when absent),
 * *count and, for a range, *end (0 when none).
 */
static struct dd_error *parse_args(struct session *s, const struct cmd_args *a, uint64_t default_addr,
                                   uint64_t *addr, uint64_t *count, uint64_t *end)
{
    const char *p = a->rest;
    *addr = default_addr;
    *count = DISASM_DEFAULT_COUNT;
    *end = 0;
    struct dd_error *err;
    if (*p && *p != 'l' && *p != 'L') {
        err = expr_eval_prefix(s, p, &p, addr);
        if (err)
            return err;
        *addr &= addr_mask(s);
    }
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == 'l' || *p == 'L') {
        const char *q = p + 1;
        if (*q == '?')
            q++;
        err = expr_eval(s, q, count);
        if (err)
            return err;
        if (*count > DISASM_MAX_COUNT)
            return dd_error_create(DD_ERR_SYNTAX, "Range error in '%s'", a->line);
    } else if (*p) {
        err = expr_eval(s, p, end);
        if (err)
            return err;
        *end &= addr_mask(s);
        if (*end < *addr || *end - *addr > DISASM_MAX_RANGE)
            return dd_error_create(DD_ERR_SYNTAX, "Range error in '%s'", a->line);
    }
    return NULL;
}

/* True when A gives no address, so the command starts at its default. */
static bool needs_default(const struct cmd_args *a)
{
    return !*a->rest || *a->rest == 'l' || *a->rest == 'L';
}

static struct dd_error *current_pc(struct session *s, uint64_t *ret)
{
    return expr_eval(s, "@$ip", ret);
}

static struct dd_error *cmd_u(struct session *s, const struct cmd_args *a)
{
    struct disasm_ctx c;
    struct dd_error *err = disasm_setup(s, &c);
    if (err)
        return err;
    uint64_t def = s->next_disasm_addr;
    /* The default start is needed only when no address is given. */
    if (!s->has_next_disasm && needs_default(a) && (err = current_pc(s, &def)))
        return err;
    uint64_t addr, count, end;
    if ((err = parse_args(s, a, def, &addr, &count, &end)))
        return err;
    print_label(s, addr);
    /* "u START END" shows every instruction that starts at or before END. */
    for (uint64_t i = 0; (end ? addr <= end : i < count) && !dd_interrupt_pending(); i++) {
        struct disasm_insn in;
        if ((err = disasm_decode(&c, addr, &in)))
            return err;
        print_insn(s, &c, &in);
        /* Stop at the top of the address space (4 GB on 32-bit) instead of wrapping to 0. */
        uint64_t next = (addr + in.size) & addr_mask(s);
        if (next < addr)
            break;
        addr = next;
    }
    s->next_disasm_addr = addr;
    s->has_next_disasm = true;
    return NULL;
}

static struct dd_error *cmd_ub(struct session *s, const struct cmd_args *a)
{
    struct disasm_ctx c;
    struct dd_error *err = disasm_setup(s, &c);
    if (err)
        return err;
    uint64_t def = 0;
    if (needs_default(a) && (err = current_pc(s, &def)))
        return err;
    uint64_t addr, count, end;
    if ((err = parse_args(s, a, def, &addr, &count, &end)))
        return err;
    if (end)
        return dd_error_create(DD_ERR_SYNTAX, "Range error in '%s'", a->line);
    uint64_t start;
    if ((err = disasm_find_back_linear(&c, addr, (unsigned)count, &start)))
        return err;
    print_label(s, start);
    uint64_t p = start;
    for (uint64_t i = 0; i < count && p < addr; i++) {
        struct disasm_insn in;
        if ((err = disasm_decode(&c, p, &in)))
            return err;
        print_insn(s, &c, &in);
        p += in.size;
    }
    s->next_disasm_addr = addr;
    s->has_next_disasm = true;
    return NULL;
}

const struct cmd_def cmd_table_disasm[] = {
    {"u", cmd_u, 0, "u [ADDR] [L N | END] - disassemble (8 instructions by default)"},
    {"ub", cmd_ub, 0, "ub [ADDR] [L N] - disassemble the instructions before ADDR"},
    {NULL, NULL, 0, NULL},
};
