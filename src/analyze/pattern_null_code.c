/*
 * NULL Code Pointer: execution inside the NULL page, i.e. a call or jump through a NULL
 * function pointer (an access violation whose accessed address is the instruction pointer, or
 * an execute fault, below 0x10000). The evidence is the call that went there: the caller's
 * return address is frame 1 of the faulting stack, the call instruction precedes it, and when
 * the call went through a register or memory the code before it says where the pointer came
 * from.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/pattern.h"
#include "analyze/pattern_trace.h"
#include "base/fmt.h"
#include "cmd/session.h"
#include "disasm/disasm.h"

static bool symbolize_cb(void *arg, uint64_t addr, char *buf, size_t len)
{
    return session_symbolize(arg, addr, buf, len);
}

struct dd_error *pattern_null_code(struct session *s, struct analyze_verdict *v)
{
    const struct analyze_exception *e = &v->exception;
    if (!v->has_exception || e->code != 0xc0000005u || !e->has_data_address)
        return NULL;
    bool exec = e->access == ANALYZE_ACCESS_EXECUTE || e->data_address == e->address;
    if (!exec || e->data_address >= ANALYZE_NULL_PAGE_LIMIT)
        return NULL;
    unsigned ps = session_ptr_size(s);
    char a[DD_ADDR_BUF];
    analyze_verdict_add_pattern(v, "NULL Code Pointer",
                                "execution at %s: the instruction pointer "
                                "is %s",
                                dd_fmt_addr(a, e->data_address, ps),
                                e->data_address ? "a small offset from NULL" : "NULL");
    const struct analyze_thread *st = v->stack;
    if (!st || st->nframes < 2)
        return NULL;
    const struct analyze_frame *caller = &st->frames[1];
    struct pattern_call call;
    if (!pattern_call_at_return(s, caller->ip, &call)) {
        analyze_verdict_add_pattern_line(v, "the return address %s on the stack follows no call",
                                         dd_fmt_addr(a, caller->ip, ps));
        return NULL;
    }
    char where[1200];
    if (!session_symbolize(s, call.address, where, sizeof(where)))
        snprintf(where, sizeof(where), "%s", dd_fmt_addr(a, call.address, ps));
    analyze_verdict_add_pattern_line(v, "called from %s:", where);
    /* An indirect call: trace the register that held the NULL pointer (or the pointer to it). */
    struct disasm_ctx dc = {v->regs.arch->cpu, s->target, symbolize_cb, s};
    struct disasm_insn in;
    const char *reg = NULL;
    char regbuf[16];
    if (!dd_error_drop(disasm_decode(&dc, call.address, &in)) && !in.has_target) {
        if (in.mem.present && in.mem.base[0] && strcmp(in.mem.base, "rip") != 0) {
            snprintf(regbuf, sizeof(regbuf), "%s", in.mem.base);
            reg = regbuf;
        } else if (!in.mem.present) {
            /* "call    rax": the operand is the register. */
            const char *op = strrchr(in.text, ' ');
            if (op && arch_reg_find(v->regs.arch, op + 1)) {
                snprintf(regbuf, sizeof(regbuf), "%s", op + 1);
                reg = regbuf;
            }
        }
    }
    struct regset rs;
    memset(&rs, 0, sizeof(rs));
    rs.arch = v->regs.arch;
    regset_put(&rs, rs.arch->sp_slot, caller->sp);
    struct pattern_trace tr;
    if (reg && pattern_trace_register(s, &rs, call.function_start, call.address, reg, &tr))
        pattern_add_trace_lines(v, &tr, call.line, "the call to NULL");
    else
        analyze_verdict_add_pattern_line(v, "  %-60s ; the call to NULL", call.line);
    return NULL;
}
