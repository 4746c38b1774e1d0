/*
 * Stack Overflow (c00000fd): stack_overflow.c finds the recursion and records the pattern;
 * this adds where the stack ran out: the stack pointer at the fault against the thread's stack
 * as the ThreadList stream describes it, the address the guard page could not move to
 * (ExceptionInformation[1] of STATUS_STACK_OVERFLOW), and the frames walked. A stack overflow
 * without a recursion (one huge frame, deep but varied calls) is recorded here.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/pattern.h"
#include "base/fmt.h"
#include "cmd/session.h"

struct dd_error *pattern_stack_overflow(struct session *s, struct analyze_verdict *v)
{
    const struct analyze_exception *e = &v->exception;
    if (!v->has_exception || e->code != 0xc00000fdu)
        return NULL;
    unsigned ps = session_ptr_size(s);
    char a[DD_ADDR_BUF], b[DD_ADDR_BUF];
    bool recorded =
        v->npatterns && strcmp(v->patterns[v->npatterns - 1].name, "Stack Overflow") == 0;
    if (!recorded)
        analyze_verdict_add_pattern(v, "Stack Overflow",
                                    "STATUS_STACK_OVERFLOW with no function "
                                    "repeating on the stack (deep or large "
                                    "frames)");
    if (v->has_context)
        analyze_verdict_add_pattern_line(
            v, "stack pointer at the fault: %s",
            dd_fmt_addr(a, regset_slot(&v->regs, v->regs.arch->sp_slot), ps));
    if (v->faulting_thread >= 0) {
        const struct target_thread *t = &s->target->threads[v->faulting_thread];
        if (t->stack_size)
            analyze_verdict_add_pattern_line(v, "stack memory in the dump: %s - %s (0x%llx bytes)",
                                             dd_fmt_addr(a, t->stack_start, ps),
                                             dd_fmt_addr(b, t->stack_start + t->stack_size, ps),
                                             (unsigned long long)t->stack_size);
    }
    if (e->num_params >= 2)
        analyze_verdict_add_pattern_line(v,
                                         "the stack could not grow to %s (ExceptionInformation[1])",
                                         dd_fmt_addr(a, e->params[1], ps));
    if (v->stack)
        analyze_verdict_add_pattern_line(
            v, "%zu frames walked%s", v->stack->nframes,
            v->stack->stop == UNWIND_STOP_MAX_FRAMES ? ", the walk's frame limit" : "");
    if (v->recursion && v->stack)
        for (size_t i = 0, shown = 0; i < v->stack->nframes && shown < 3; i++) {
            const struct analyze_frame *f = &v->stack->frames[i];
            char sym[1200];
            if (f->module < 0 || !session_symbolize(s, f->ip, sym, sizeof(sym)))
                continue;
            analyze_verdict_add_pattern_line(v, "frame %zu: %s", i, sym);
            shown++;
        }
    return NULL;
}
