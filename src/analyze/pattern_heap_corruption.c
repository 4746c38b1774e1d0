/*
 * Dynamic Memory Corruption: the heap manager found its own data damaged, or the code crashed
 * inside it. Signs, strongest first:
 *   - STATUS_HEAP_CORRUPTION (c0000374), which ntdll raises through RtlReportCriticalFailure
 *     when a heap check fails;
 *   - __fastfail with a heap code (STATUS_STACK_BUFFER_OVERRUN c0000409 carrying
 *     FAST_FAIL_HEAP_METADATA_CORRUPTION, FAST_FAIL_UNEXPECTED_HEAP_EXCEPTION or
 *     FAST_FAIL_CORRUPT_LIST_ENTRY, winnt.h);
 *   - heap failure reporting on the stack (RtlpHeapHandleError, RtlReportCriticalFailure,
 *     RtlpLogHeapFailure, RtlpHpHeapHandleError);
 *   - an access violation inside a heap function of ntdll (Rtl*Heap*, RtlpLowFragHeap*,
 *     RtlpHp*): heap metadata the code followed was overwritten.
 */
#include <stdio.h>
#include <string.h>

#include "analyze/pattern.h"
#include "base/fmt.h"
#include "base/writer.h"
#include "cmd/session.h"

#define HEAP_SHOWN_MAX 8 /* heap frames listed; the rest are counted (docs/limits.md) */

static const char *const reporters[] = {"RtlpHeapHandleError", "RtlReportCriticalFailure",
                                        "RtlpLogHeapFailure", "RtlpHpHeapHandleError",
                                        "RtlpReportHeapFailure"};

static bool is_heap_function(const char *f)
{
    return f && (dd_wildcard_match("Rtl*Heap*", f) || dd_wildcard_match("RtlpHp*", f) ||
                 dd_wildcard_match("RtlpLowFragHeap*", f) || dd_wildcard_match("*HeapFree*", f) ||
                 dd_wildcard_match("*HeapAlloc*", f));
}

static bool is_reporter(const char *f)
{
    for (size_t i = 0; f && i < sizeof(reporters) / sizeof(reporters[0]); i++)
        if (strcmp(f, reporters[i]) == 0)
            return true;
    return false;
}

struct dd_error *pattern_heap_corruption(struct session *s, struct analyze_verdict *v)
{
    const struct analyze_exception *e = &v->exception;
    if (!v->has_exception)
        return NULL;
    const struct analyze_thread *st = v->stack;
    char summary[512] = "";
    if (e->code == 0xc0000374u)
        snprintf(summary, sizeof(summary),
                 "STATUS_HEAP_CORRUPTION (c0000374): the heap manager "
                 "found its data damaged");
    else if (e->code == 0xc0000409u && e->has_fast_fail &&
             (e->fast_fail_code == 0x32 || e->fast_fail_code == 0x23 || e->fast_fail_code == 3))
        snprintf(summary, sizeof(summary), "__fastfail(%s): a heap or list integrity check failed",
                 e->fast_fail_name ? e->fast_fail_name : "?");
    long reporter = -1, inside = -1;
    for (size_t i = 0; st && i < st->nframes; i++) {
        const struct analyze_frame *f = &st->frames[i];
        const struct target_module *m = f->module >= 0 ? &s->target->modules[f->module] : NULL;
        bool ntdll = m && m->name && strcmp(m->name, "ntdll") == 0;
        if (reporter < 0 && ntdll && is_reporter(f->function))
            reporter = (long)i;
        if (inside < 0 && i == 0 && ntdll && is_heap_function(f->function))
            inside = (long)i;
    }
    if (!summary[0] && reporter >= 0)
        snprintf(summary, sizeof(summary), "the heap manager reported a failure (%s on the stack)",
                 st->frames[reporter].function);
    if (!summary[0] && inside >= 0 && e->code == 0xc0000005u)
        snprintf(summary, sizeof(summary),
                 "access violation inside the heap manager (ntdll!%s): "
                 "heap metadata was overwritten",
                 st->frames[inside].function);
    if (!summary[0])
        return NULL;
    analyze_verdict_add_pattern(v, "Dynamic Memory Corruption", "%s", summary);
    /* The heap frames and the first frame outside the system modules: who freed or allocated. */
    size_t shown = 0, more = 0;
    for (size_t i = 0; st && i < st->nframes; i++) {
        const struct analyze_frame *f = &st->frames[i];
        char sym[1200];
        if (!session_symbolize(s, f->ip, sym, sizeof(sym)))
            continue;
        bool heap = is_heap_function(f->function) || is_reporter(f->function);
        if (heap || !f->system) {
            if (shown == HEAP_SHOWN_MAX) { /* counted, up to the caller outside the system */
                more++;
            } else {
                analyze_verdict_add_pattern_line(v, "frame %zu: %s%s", i, sym,
                                                 heap ? "" : " (the caller outside the system)");
                shown++;
            }
            if (!f->system)
                break;
        }
    }
    if (more)
        analyze_verdict_add_pattern_line(v, "... %zu more frame%s not shown (a pattern lists %d)",
                                         more, more == 1 ? "" : "s", HEAP_SHOWN_MAX);
    return NULL;
}
