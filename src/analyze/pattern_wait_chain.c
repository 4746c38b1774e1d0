/*
 * Wait Chain: threads waiting for threads (a thread waits for the owner of the critical section
 * it wants). A cycle is a deadlock and is printed as one chain that comes back to its start;
 * otherwise the longest chain to the blocking thread is printed. Each link says how the
 * section was found (the call's argument, or a pointer on the stack), so the chain can be
 * checked with !cs and the threads' stacks.
 */
#include <stdio.h>
#include <stdlib.h>

#include "analyze/hang.h"
#include "analyze/pattern.h"
#include "base/fmt.h"
#include "cmd/session.h"

/* Appends "~1s (tid 108) -> critical section X -> " links of MEMBERS (N) to BUF. */
static void links(struct session *s, const struct hang_report *r, const size_t *members, size_t n,
                  bool closed, char *buf, size_t len)
{
    unsigned ps = session_ptr_size(s);
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n && used < len; i++) {
        const struct hang_thread *th = &r->threads[members[i]];
        char label[64], a[DD_ADDR_BUF];
        pattern_thread_label(s, th->index, label, sizeof(label));
        int w;
        if (th->waits_for >= 0 && (i + 1 < n || closed))
            w = snprintf(buf + used, len - used, "%s -> critical section %s -> ", label,
                         dd_fmt_addr(a, th->object, ps));
        else
            w = snprintf(buf + used, len - used, "%s (%s)", label, hang_wait_kind_name(th->kind));
        if (w < 0)
            return;
        used += (size_t)w;
    }
    if (closed && n && used < len) {
        char label[64];
        snprintf(buf + used, len - used, "%s",
                 pattern_thread_label(s, r->threads[members[0]].index, label, sizeof(label)));
    }
}

static void link_lines(struct session *s, struct analyze_verdict *v, const struct hang_report *r,
                       const size_t *members, size_t n)
{
    char label[64];
    for (size_t i = 0; i < n; i++) {
        const struct hang_thread *th = &r->threads[members[i]];
        if (th->waits_for < 0)
            continue;
        pattern_thread_label(s, th->index, label, sizeof(label));
        analyze_verdict_add_pattern_line(
            v, "%s waits in %s at %s: %s", label, th->api ? th->api : "?",
            th->caller_frame >= 0 ? th->frames[th->caller_frame].function : "?",
            th->object_evidence ? th->object_evidence : "");
    }
}

struct dd_error *pattern_wait_chain(struct session *s, struct analyze_verdict *v)
{
    const struct hang_report *r = v->hang;
    if (!r || !r->blocked)
        return NULL;
    size_t n = r->nthreads;
    long *next = malloc(n * sizeof(*next));
    long *cycle_of = malloc(n * sizeof(*cycle_of));
    size_t *members = malloc(n * sizeof(*members));
    char *buf = malloc(4096);
    if (!next || !cycle_of || !members || !buf) {
        free(next);
        free(cycle_of);
        free(members);
        free(buf);
        return &dd_error_no_memory;
    }
    for (size_t i = 0; i < n; i++) {
        next[i] = r->threads[i].waits_for;
        cycle_of[i] = r->threads[i].cycle;
    }
    if (r->ncycles) {
        for (size_t c = 0; c < r->ncycles; c++) {
            size_t m = hang_cycle_members(next, cycle_of, n, (long)c, members);
            links(s, r, members, m, true, buf, 4096);
            analyze_verdict_add_pattern(v, "Wait Chain", "deadlock: %s", buf);
            link_lines(s, v, r, members, m);
        }
    } else {
        /* The longest chain ending at the blocking thread. */
        size_t best = n, best_len = 0;
        for (size_t i = 0; i < n; i++) {
            size_t len;
            if (next[i] >= 0 && hang_chain_end(next, n, i, &len) == (size_t)r->blocking &&
                len > best_len) {
                best = i;
                best_len = len;
            }
        }
        if (best < n) {
            size_t m = 0;
            for (size_t j = best; m <= best_len && m < n; j = (size_t)next[j]) {
                members[m++] = j;
                if (next[j] < 0)
                    break;
            }
            links(s, r, members, m, false, buf, 4096);
            size_t others = 0;
            for (size_t i = 0; i < n; i++) {
                size_t len;
                others += next[i] >= 0 && i != best &&
                          hang_chain_end(next, n, i, &len) == (size_t)r->blocking;
            }
            analyze_verdict_add_pattern(v, "Wait Chain", "%s%s", buf,
                                        others ? " (and other threads wait the same way)" : "");
            link_lines(s, v, r, members, m);
        }
    }
    free(next);
    free(cycle_of);
    free(members);
    free(buf);
    return NULL;
}
