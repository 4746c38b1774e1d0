/*
 * Exception Stack Trace: the faulting thread's own stack (its ThreadList context, not the
 * exception context .ecxr restores) shows the exception being processed: frames deeper than
 * the fault (on x86/x64 the dispatcher runs below the faulting frame on the same stack), such
 * as KiUserExceptionDispatcher, RtlDispatchException, an unhandled-exception filter and the
 * dump writer it called. Dumps written in process (Breakpad, WER, a filter calling
 * MiniDumpWriteDump) show it; this pattern lists those frames so the handler that took the
 * dump is not mistaken for the culprit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze/analyze.h"
#include "analyze/pattern.h"
#include "base/fmt.h"
#include "cmd/session.h"

#define SHOWN_MAX 12 /* frames listed; the rest are counted (docs/limits.md) */

static const char *const dispatch[] = {
    "KiUserExceptionDispatcher",
    "RtlDispatchException",
    "RtlRaiseException",
    "RaiseException",
    "_CxxThrowException",
    "CxxThrowException",
    "UnhandledExceptionFilter",
    "RtlpExecuteHandlerForException",
    "__C_specific_handler",
    "RtlUnwindEx",
    "KiRaiseUserExceptionDispatcher",
    "RtlpCallVectoredHandlers",
    "__CxxFrameHandler3",
    "__CxxFrameHandler4",
    "_except_handler4",
    "WerpReportFault",
};

static bool is_dispatch(const char *f)
{
    for (size_t i = 0; f && i < sizeof(dispatch) / sizeof(dispatch[0]); i++)
        if (strcmp(f, dispatch[i]) == 0)
            return true;
    return false;
}

struct dd_error *pattern_exception_stack(struct session *s, struct analyze_verdict *v)
{
    if (!v->has_exception || !v->has_context || v->faulting_thread < 0)
        return NULL;
    struct regset own;
    if (dd_error_drop(session_thread_regs(s, (size_t)v->faulting_thread, &own)))
        return NULL;
    uint16_t pc = own.arch->pc_slot, sp = own.arch->sp_slot;
    uint64_t fault_sp = regset_slot(&v->regs, sp);
    if (regset_slot(&own, pc) == regset_slot(&v->regs, pc) && regset_slot(&own, sp) == fault_sp)
        return NULL; /* the thread's own context is the fault's: nothing ran after it */
    struct analyze_thread th;
    memset(&th, 0, sizeof(th));
    th.index = (size_t)v->faulting_thread;
    th.tid = v->faulting_tid;
    struct dd_error *err = analyze_verdict_walk(s, v, v->faulting_thread, &own, &th);
    if (err) {
        free(th.frames);
        return err;
    }
    size_t deeper = 0, named = 0;
    for (size_t i = 0; i < th.nframes; i++) {
        deeper += th.frames[i].sp < fault_sp;
        named += is_dispatch(th.frames[i].function);
    }
    if (deeper == 0 && named == 0) {
        free(th.frames);
        return NULL;
    }
    char label[64];
    pattern_thread_label(s, (size_t)v->faulting_thread, label, sizeof(label));
    analyze_verdict_add_pattern(v, "Exception Stack Trace",
                                "%s's own stack shows the exception being processed: %zu frames "
                                "below the fault%s",
                                label, deeper,
                                named ? ", exception dispatch frames among them" : "");
    size_t shown = 0, more = 0;
    for (size_t i = 0; i < th.nframes; i++) {
        const struct analyze_frame *f = &th.frames[i];
        if (f->sp >= fault_sp && !is_dispatch(f->function))
            continue;
        if (shown == SHOWN_MAX) {
            more++;
            continue;
        }
        char sym[1200], a[DD_ADDR_BUF];
        if (!session_symbolize(s, f->ip, sym, sizeof(sym)))
            snprintf(sym, sizeof(sym), "%s", dd_fmt_addr(a, f->ip, own.arch->ptr_size));
        analyze_verdict_add_pattern_line(v, "%02zx %s%s", i, sym,
                                         is_dispatch(f->function) ? " (exception dispatch)" : "");
        shown++;
    }
    if (more)
        analyze_verdict_add_pattern_line(v, "... %zu more frame%s not shown (a pattern lists %d)",
                                         more, more == 1 ? "" : "s", SHOWN_MAX);
    free(th.frames);
    return NULL;
}
