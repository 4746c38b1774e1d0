/*
 * The pattern pass: runs every detector of pattern_table (pattern.h) in order, and the helpers
 * the detectors share (trace evidence lines, thread labels).
 */
#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/pattern.h"
#include "analyze/pattern_trace.h"
#include "base/fmt.h"
#include "cmd/session.h"
#include "disasm/disasm.h"
#include "sym/symbols.h"

/* Stack Overflow first: it adds lines to the pattern stack_overflow.c recorded just before. */
const struct pattern_def pattern_table[] = {
    {"Stack Overflow", pattern_stack_overflow},
    {"NULL Data Pointer", pattern_null_data},
    {"NULL Code Pointer", pattern_null_code},
    {"Invalid Pointer", pattern_invalid_pointer},
    {"Dynamic Memory Corruption", pattern_heap_corruption},
    {"Exception Stack Trace", pattern_exception_stack},
    {"Message Box", pattern_message_box},
    {"Blocked Thread", pattern_blocked_thread},
    {"Wait Chain", pattern_wait_chain},
    {"Spiking Thread", pattern_spiking_thread},
};
const size_t pattern_table_count = sizeof(pattern_table) / sizeof(pattern_table[0]);

struct dd_error *analyze_patterns(struct session *s, const struct analyze_options *opts,
                                  struct analyze_verdict *v)
{
    (void)opts;
    if (s->target->kind == TARGET_KERNEL)
        return NULL;
    for (size_t i = 0; i < pattern_table_count; i++) {
        struct dd_error *err = pattern_table[i].detect(s, v);
        if (err)
            return dd_error_wrap(err, "pattern %s", pattern_table[i].name);
    }
    return NULL;
}

void pattern_add_trace_lines(struct analyze_verdict *v, const struct pattern_trace *tr,
                             const char *last_line, const char *last_note)
{
    /* The trace keeps the steps nearest the point; the ones further back are counted. */
    if (tr->steps_dropped)
        analyze_verdict_add_pattern_line(v, "  ... %zu earlier steps not shown (a trace keeps the "
                                            "last %d)",
                                         tr->steps_dropped, PATTERN_TRACE_MAX_STEPS);
    for (size_t i = 0; i < tr->nsteps; i++)
        analyze_verdict_add_pattern_line(v, "  %-60s ; %s", tr->steps[i].line, tr->steps[i].note);
    if (last_line)
        analyze_verdict_add_pattern_line(v, "  %-60s ; %s", last_line, last_note);
    if (tr->origin != PATTERN_ORIGIN_UNKNOWN)
        analyze_verdict_add_pattern_line(v, "  => %s", tr->origin_text);
}

const char *pattern_thread_label(struct session *s, size_t idx, char *buf, size_t len)
{
    snprintf(buf, len, "~%zus (tid %x)", idx, s->target->threads[idx].tid);
    return buf;
}

static bool symbolize_cb(void *arg, uint64_t addr, char *buf, size_t len)
{
    return session_symbolize(arg, addr, buf, len);
}

/* The start of the function containing ADDR, 0 when no symbol names it. */
static uint64_t function_start(struct session *s, uint64_t addr)
{
    struct symbols_hit hit;
    if (!s->syms || dd_error_drop(symbols_find_by_addr(s->syms, addr, &hit)) || !hit.has_name)
        return 0;
    return hit.addr;
}

/* The caller's side of an argument: how the call in frame 1 set argument register REG. */
static void caller_chain(struct session *s, struct analyze_verdict *v, unsigned argument)
{
    static const char *const regs[] = {"rcx", "rdx", "r8", "r9"};
    const struct analyze_thread *st = v->stack;
    if (!st || st->nframes < 2 || argument == 0 || argument > 4 || v->regs.arch->ptr_size != 8)
        return;
    const struct analyze_frame *caller = &st->frames[1];
    struct pattern_call call;
    if (!pattern_call_at_return(s, caller->ip, &call))
        return;
    struct regset rs;
    memset(&rs, 0, sizeof(rs));
    rs.arch = v->regs.arch;
    regset_put(&rs, rs.arch->sp_slot, caller->sp);
    struct pattern_trace tr;
    if (!pattern_trace_register(s, &rs, call.function_start, call.address, regs[argument - 1], &tr))
        return;
    char where[1200];
    if (!session_symbolize(s, call.address, where, sizeof(where)))
        snprintf(where, sizeof(where), "the caller");
    analyze_verdict_add_pattern_line(
        v, "argument %u (%s) as the caller passed it, at %s:", argument, regs[argument - 1], where);
    pattern_add_trace_lines(v, &tr, call.line, "the call");
}

bool pattern_add_operand_chain(struct session *s, struct analyze_verdict *v)
{
    if (!v->has_instruction || !v->has_context ||
        (v->regs.arch->cpu != DD_CPU_X86 && v->regs.arch->cpu != DD_CPU_X64))
        return false;
    struct disasm_ctx dc = {v->regs.arch->cpu, s->target, symbolize_cb, s};
    struct disasm_insn in;
    if (dd_error_drop(disasm_decode(&dc, v->instruction_address, &in)) || !in.mem.present ||
        !in.mem.base[0] || strcmp(in.mem.base, "rip") == 0 || strcmp(in.mem.base, "eip") == 0)
        return false;
    struct pattern_trace tr;
    if (!pattern_trace_register(s, &v->regs, function_start(s, v->instruction_address),
                                v->instruction_address, in.mem.base, &tr))
        return false;
    char a[DD_ADDR_BUF];
    uint64_t base;
    const struct arch_reg *r = arch_reg_find(v->regs.arch, in.mem.base);
    if (r && regset_get(&v->regs, r, &base))
        analyze_verdict_add_pattern_line(v, "%s = %s at the fault; the code before it (ub):",
                                         in.mem.base, dd_fmt_addr(a, base, v->regs.arch->ptr_size));
    else
        analyze_verdict_add_pattern_line(v,
                                         "%s at the fault; the code before it (ub):", in.mem.base);
    pattern_add_trace_lines(v, &tr, v->instruction_line, "the fault");
    if (tr.origin == PATTERN_ORIGIN_ARGUMENT)
        caller_chain(s, v, tr.argument);
    return true;
}
