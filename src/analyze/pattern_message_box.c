/*
 * Message Box: a thread sits in a modal message box or dialog (hang_wait.c finds MessageBox*,
 * SoftModalMessageBox, DialogBox* by frame name or at the application's call site). The text
 * and caption come from the call's arguments when they can be read, else the longest string on
 * the thread's stack; when the thread holds a critical section other threads wait for, the box
 * is why they are blocked (the seed's "self-diagnosis": the message often says what failed).
 */
#include <stdio.h>

#include "analyze/hang.h"
#include "analyze/pattern.h"
#include "base/fmt.h"
#include "cmd/session.h"

struct dd_error *pattern_message_box(struct session *s, struct analyze_verdict *v)
{
    const struct hang_report *r = v->hang;
    if (!r)
        return NULL;
    unsigned ps = session_ptr_size(s);
    for (size_t i = 0; i < r->nthreads; i++) {
        const struct hang_thread *th = &r->threads[i];
        if (th->kind != HANG_WAIT_MESSAGE_BOX && th->kind != HANG_WAIT_DIALOG)
            continue;
        char label[64], a[DD_ADDR_BUF];
        pattern_thread_label(s, th->index, label, sizeof(label));
        const char *what = th->kind == HANG_WAIT_DIALOG ? "a modal dialog" : "a message box";
        if (th->text)
            analyze_verdict_add_pattern(v, "Message Box", "%s shows %s: \"%s\"", label, what,
                                        th->text);
        else
            analyze_verdict_add_pattern(v, "Message Box",
                                        "%s shows %s (its text is not in the "
                                        "dump)",
                                        label, what);
        if (th->caption)
            analyze_verdict_add_pattern_line(v, "caption: \"%s\"", th->caption);
        if (th->text)
            analyze_verdict_add_pattern_line(v, "text at %s (%s)",
                                             dd_fmt_addr(a, th->text_address, ps),
                                             th->object_evidence ? th->object_evidence : "");
        analyze_verdict_add_pattern_line(v, "in %s", th->api ? th->api : "?");
        if (th->caller_frame >= 0)
            analyze_verdict_add_pattern_line(v, "called from %s",
                                             th->frames[th->caller_frame].function);
        for (size_t k = 0; k < r->ncs; k++) {
            const struct hang_cs *cs = &r->cs[k];
            if (!cs->locked || cs->owner != (long)th->index)
                continue;
            size_t waiting = 0;
            for (size_t w = 0; w < r->nthreads; w++)
                waiting += r->threads[w].cs == (long)k && r->threads[w].waits_for == (long)i;
            analyze_verdict_add_pattern_line(v, "it holds critical section %s%s",
                                             dd_fmt_addr(a, cs->address, ps),
                                             waiting ? ", which other threads wait for" : "");
            if (waiting)
                analyze_verdict_add_pattern_line(v,
                                                 "%zu thread%s blocked until the box is "
                                                 "closed",
                                                 waiting, waiting == 1 ? " is" : "s are");
        }
    }
    return NULL;
}
