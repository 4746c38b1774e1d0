/*
 * Spiking Thread: a thread that used most of the process's processor time. The times come from
 * the ThreadInfoList stream (MINIDUMP_THREAD_INFO.UserTime/KernelTime, 100 ns units), which
 * dumps written with MiniDumpWithThreadInfo carry (Wine writes none). A thread counts when it
 * used at least one second and at least half of all the threads' time together; its top frame
 * says where it was spinning.
 */
#include <stdio.h>

#include "analyze/pattern.h"
#include "cmd/session.h"

#define MIN_TIME 10000000ull /* one second in 100 ns units */

struct dd_error *pattern_spiking_thread(struct session *s, struct analyze_verdict *v)
{
    const struct target *t = s->target;
    uint64_t total = 0, best_time = 0;
    long best = -1;
    for (size_t i = 0; i < t->nthreads; i++) {
        if (!t->threads[i].has_info)
            continue;
        uint64_t time = t->threads[i].user_time + t->threads[i].kernel_time;
        total += time;
        if (best < 0 || time > best_time) {
            best = (long)i;
            best_time = time;
        }
    }
    if (best < 0 || best_time < MIN_TIME || best_time * 2 < total)
        return NULL;
    const struct target_thread *th = &t->threads[best];
    char label[64];
    pattern_thread_label(s, (size_t)best, label, sizeof(label));
    analyze_verdict_add_pattern(v, "Spiking Thread",
                                "%s used %llu.%03llu s of processor time, %llu%% of all threads'",
                                label, (unsigned long long)(best_time / 10000000),
                                (unsigned long long)(best_time / 10000 % 1000),
                                (unsigned long long)(total ? best_time * 100 / total : 100));
    analyze_verdict_add_pattern_line(v, "user %llu.%03llu s, kernel %llu.%03llu s (ThreadInfoList)",
                                     (unsigned long long)(th->user_time / 10000000),
                                     (unsigned long long)(th->user_time / 10000 % 1000),
                                     (unsigned long long)(th->kernel_time / 10000000),
                                     (unsigned long long)(th->kernel_time / 10000 % 1000));
    struct regset rs;
    char sym[1200];
    if (!dd_error_drop(session_thread_regs(s, (size_t)best, &rs)) &&
        session_symbolize(s, regset_slot(&rs, rs.arch->pc_slot), sym, sizeof(sym)))
        analyze_verdict_add_pattern_line(v, "it was at %s when the dump was written", sym);
    return NULL;
}
