/*
 * Blocked Thread: threads waiting in a synchronization call (hang_wait.c): for a critical
 * section (with its owner), for objects (with the handle and timeout when the call's arguments
 * could be read), for time, for a message box. One line per waiting thread; the summary names
 * the thread most of them wait for.
 */
#include <stdio.h>

#include "analyze/hang.h"
#include "analyze/pattern.h"
#include "base/fmt.h"
#include "cmd/session.h"

static bool waiting(enum hang_wait_kind k)
{
    return k != HANG_WAIT_NONE && k != HANG_WAIT_RUNNING;
}

struct dd_error *pattern_blocked_thread(struct session *s, struct analyze_verdict *v)
{
    const struct hang_report *r = v->hang;
    if (!r)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < r->nthreads; i++)
        n += waiting(r->threads[i].kind);
    if (!n)
        return NULL;
    unsigned ps = session_ptr_size(s);
    char label[64], owner[64], a[DD_ADDR_BUF];
    if (r->blocked && r->blocking >= 0)
        analyze_verdict_add_pattern(
            v, "Blocked Thread",
            "%zu thread%s blocked; %ld wait%s for another thread, the "
            "chains end at %s",
            n, n == 1 ? " is" : "s are", r->blocked, r->blocked == 1 ? "s" : "",
            pattern_thread_label(s, r->threads[r->blocking].index, owner, sizeof(owner)));
    else
        analyze_verdict_add_pattern(v, "Blocked Thread", "%zu thread%s blocked in waits", n,
                                    n == 1 ? " is" : "s are");
    for (size_t i = 0; i < r->nthreads; i++) {
        const struct hang_thread *th = &r->threads[i];
        if (!waiting(th->kind))
            continue;
        pattern_thread_label(s, th->index, label, sizeof(label));
        char detail[256] = "";
        if (th->kind == HANG_WAIT_CRITSEC && th->has_object) {
            if (th->waits_for >= 0)
                snprintf(
                    detail, sizeof(detail), " for critical section %s held by %s",
                    dd_fmt_addr(a, th->object, ps),
                    pattern_thread_label(s, r->threads[th->waits_for].index, owner, sizeof(owner)));
            else
                snprintf(detail, sizeof(detail), " for critical section %s",
                         dd_fmt_addr(a, th->object, ps));
        } else if ((th->kind == HANG_WAIT_OBJECT || th->kind == HANG_WAIT_OBJECTS) &&
                   th->has_object) {
            snprintf(detail, sizeof(detail), " for %s 0x%llx%s",
                     th->kind == HANG_WAIT_OBJECT ? "handle" : "the handles at",
                     (unsigned long long)th->object,
                     th->has_timeout && th->timeout == 0xffffffffu ? " (INFINITE)" : "");
        } else if (th->kind == HANG_WAIT_SLEEP && th->has_timeout) {
            if (th->timeout == 0xffffffffu)
                snprintf(detail, sizeof(detail), " for ever (INFINITE)");
            else
                snprintf(detail, sizeof(detail), " for %llu ms", (unsigned long long)th->timeout);
        }
        const char *where = th->caller_frame >= 0 ? th->frames[th->caller_frame].function : NULL;
        analyze_verdict_add_pattern_line(v, "%s: %s in %s%s%s%s", label,
                                         hang_wait_kind_name(th->kind), th->api ? th->api : "?",
                                         detail, where ? ", called from " : "", where ? where : "");
    }
    return NULL;
}
