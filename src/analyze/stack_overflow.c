/*
 * The recursion behind a stack overflow (c00000fd): the function that occurs most often on
 * the faulting stack, when it occurs at least RECURSION_MIN times. A frame counts by its
 * module and function (module offset without symbols: then only exact return addresses match,
 * which is what direct recursion produces). Reported as the "Stack Overflow" pattern too.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/analyze.h"
#include "cmd/session.h"

#define STACK_OVERFLOW_CODE 0xc00000fdu
#define RECURSION_MIN 3

static bool same_place(const struct analyze_frame *a, const struct analyze_frame *b)
{
    if (a->module < 0 || a->module != b->module)
        return false;
    if (a->function || b->function)
        return a->function && b->function && strcmp(a->function, b->function) == 0;
    return a->module_offset == b->module_offset;
}

struct dd_error *analyze_stack_overflow(struct session *s, const struct analyze_options *opts,
                                        struct analyze_verdict *v)
{
    (void)opts;
    if (!v->has_exception || v->exception.code != STACK_OVERFLOW_CODE || !v->stack)
        return NULL;
    const struct analyze_thread *st = v->stack;
    size_t best = 0, best_count = 0;
    for (size_t i = 0; i < st->nframes; i++) {
        /* Count each place once, at its first (innermost) frame. */
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = same_place(&st->frames[k], &st->frames[i]);
        if (seen)
            continue;
        size_t n = 0;
        for (size_t k = i; k < st->nframes; k++)
            n += same_place(&st->frames[i], &st->frames[k]);
        if (n > best_count) {
            best = i;
            best_count = n;
        }
    }
    if (best_count < RECURSION_MIN)
        return NULL;
    const struct analyze_frame *f = &st->frames[best];
    const struct target_module *m = &s->target->modules[f->module];
    char buf[1536];
    if (f->function)
        snprintf(buf, sizeof(buf), "%s!%s", m->name, f->function);
    else
        snprintf(buf, sizeof(buf), "%s+0x%llx", m->name, (unsigned long long)f->module_offset);
    v->recursion = dd_arena_strdup(&v->arena, buf);
    if (!v->recursion)
        return &dd_error_no_memory;
    v->recursion_count = best_count;
    analyze_verdict_add_pattern(
        v, "Stack Overflow", "%s is %zu of the %zu frames walked%s", v->recursion, best_count,
        st->nframes, st->stop == UNWIND_STOP_MAX_FRAMES ? " (the walk hit its frame limit)" : "");
    return NULL;
}
